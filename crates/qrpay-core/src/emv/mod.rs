//! EMV® QRCPS Merchant-Presented Mode (MPM) payloads, v1.0 and the v1.1 additions.
//!
//! A payload is a string of data objects, each a two-digit id, a two-digit length counting
//! characters, and a value; some values are templates of further data objects. The last object
//! (63) is a CRC-16/CCITT-FALSE over everything before its value.
//!
//! - [`decode()`] / [`Decoder`] borrow the input and give a [`Payload`] with every object in input
//!   order (re-encoding reproduces the input byte for byte) and typed accessors.
//! - [`DataObject`] is a small `Copy` view of one object in the input; a template's
//!   sub-objects are walked on demand by [`DataObject::children`] ([`Children`], an iterator).
//! - [`PayloadBuilder`] makes canonical payloads and refuses invalid ones.
//! - [`encode_objects`] is the inverse of decoding for an edited object tree.

pub(crate) mod decode;
mod encode;
mod error;
#[cfg(feature = "serde")]
mod json;
mod names;
mod object;
mod payload;
mod rules;

pub use decode::{decode, Decoder, INPUT_BYTES_MAX};
pub use encode::{encode_objects, Object, PayloadBuilder, Value};
pub use error::{Charset, DecodeError, EncodeError, Rule, Violation};
pub use names::field_name;
pub use object::{Children, DataObject};
pub use payload::{
    AdditionalData, LanguageTemplate, OwnedPayload, Payload, PointOfInitiation, TipOrConvenience,
};
pub use rules::PAYLOAD_CHARS_MAX;
