//! Encode and decode merchant-payment QR payloads.
//!
//! ```
//! use qrpay_core::emv;
//!
//! // The example payload of the EMV QRCPS MPM specification (Annex A), with Chinese in tag 64.
//! let text = "00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678520441115802CN5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京540523.7253031565502016233030412340603***0708A60086670902ME91320016A0112233449988770708123456786304A13A";
//! let payload = emv::decode(text)?;
//! assert_eq!(payload.merchant_name(), Some("BEST TRANSPORT"));
//! assert_eq!(payload.currency().map(|c| c.alpha()), Some("CNY"));
//! assert_eq!(payload.amount_minor(), Some(2372));
//! assert_eq!(payload.language_template().and_then(|l| l.merchant_name), Some("最佳运输"));
//! assert_eq!(payload.encode(), text);
//! # Ok::<(), emv::DecodeError>(())
//! ```

pub mod any;
pub mod crc;
pub mod emv;
pub mod money;
pub mod schemes;
pub mod tag;

pub use emv::{decode, DataObject, DecodeError, Decoder, EncodeError, Payload, PayloadBuilder};
pub use money::{Amount, Currency};
pub use tag::{Tag, TagPath};

// Building blocks shared by the payment-QR formats below.
pub mod bic;
pub mod creditor_reference;
pub mod decimal;
pub mod iban;
mod percent;
pub mod query;

// Payment-QR formats other than EMV merchant-presented mode.
pub mod bip21;
pub mod cpm;
pub mod epc;
pub mod spayd;
pub mod swiss;
pub mod upi;

#[cfg(any(feature = "render", feature = "scan"))]
pub mod qr;
#[cfg(feature = "render")]
pub mod render;
#[cfg(feature = "scan")]
pub mod scan;
