//! `qrpay`: QR-code payments for wallets, point-of-sale systems and payment service providers.
//!
//! This facade re-exports the workspace crates:
//!
//! - [`core`] (`qrpay-core`): EMV® Merchant-Presented Mode payloads and the other payment-QR
//!   formats, rendering and scanning.
//! - [`wallet`] (`qrpay-wallet`): a double-entry ledger that pays scanned codes exactly once.

pub use qrpay_core as core;
pub use qrpay_wallet as wallet;
