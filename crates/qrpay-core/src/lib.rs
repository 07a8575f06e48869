//! Encode and decode merchant-payment QR payloads.

// Building blocks shared by the payment-QR formats below.
pub mod bic;
pub mod creditor_reference;
pub mod decimal;
pub mod iban;
mod percent;

// Payment-QR formats other than EMV merchant-presented mode.
pub mod bip21;
pub mod cpm;
pub mod epc;
pub mod spayd;
pub mod swiss;
pub mod upi;
