//! Encode and decode merchant-payment QR payloads.

#[cfg(feature = "render")]
pub mod render;
