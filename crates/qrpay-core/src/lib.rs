//! Encode and decode merchant-payment QR payloads.

#[cfg(any(feature = "render", feature = "scan"))]
pub mod qr;
#[cfg(feature = "render")]
pub mod render;
#[cfg(feature = "scan")]
pub mod scan;
