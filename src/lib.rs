#![doc = include_str!("../README.md")]
//!
//! ## Crates
//!
//! - [`core`] (`qrpay-core`): payloads, formats, rendering and scanning.
//! - [`wallet`] (`qrpay-wallet`): a double-entry ledger that pays scanned codes exactly once.

pub use qrpay_core as core;
pub use qrpay_wallet as wallet;
