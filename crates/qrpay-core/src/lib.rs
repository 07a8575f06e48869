//! Encode and decode merchant-payment QR payloads.
