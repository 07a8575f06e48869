//! Encode and decode merchant-payment QR payloads.

pub mod bic;
pub mod cpm;
pub mod creditor_reference;
pub mod decimal;
pub mod iban;
#[allow(dead_code)] // used by the URI formats (upi, bip21) that follow
mod percent;
pub mod spayd;

pub mod epc;
pub mod swiss;
