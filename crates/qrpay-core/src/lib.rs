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
//!
//! Decoding is tolerant by default: a payload whose structure and CRC are sound is accepted and
//! every rule it breaks is listed in [`Payload::violations`]; [`Decoder::strict`] refuses the
//! first instead. Building goes through [`PayloadBuilder`], which writes canonical payloads and
//! refuses invalid ones.
//!
//! # Modules
//!
//! - [`emv`]: EMV® QRCPS merchant-presented mode: [`decode`], [`Decoder`], [`Payload`] with
//!   its tree of [`DataObject`]s (small `Copy` views; a template's sub-objects come from
//!   [`DataObject::children`] as an iterator), [`PayloadBuilder`].
//! - [`schemes`]: the national profiles inside EMV codes (Pix, QRIS, PromptPay, PayNow and
//!   SGQR, DuitNow, VietQR, KHQR, QR Ph, Bharat QR and UPI, card networks):
//!   [`schemes::detect`], a typed view and a builder per scheme.
//! - [`any`]: every format detected and decoded, from text ([`any::decode_any`]) or from the
//!   bytes a scanned code carries ([`any::decode_any_bytes`]).
//! - [`cpm`], [`epc`], [`swiss`], [`upi`], [`spayd`], [`bip21`]: the other payment-QR formats,
//!   each with a parser and a checked way to build one.
//! - [`crc`], [`money`], [`tag`], [`decimal`], [`iban`], [`bic`], [`creditor_reference`],
//!   [`query`]: the building blocks they share.
//! - `render` and `scan` (behind the features of the same names): a payload as a QR symbol in
//!   PNG, SVG or terminal text, and every QR code in an image.
//!
//! # Features
//!
//! None is on by default. `render` (the `render` module), `scan` (the `scan` module) and
//! `serde` (`Serialize` for decoded payloads, in the JSON shape `qrpay decode --json` prints).

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
