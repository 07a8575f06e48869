//! Any bytes: decoding never panics, in either mode, and strict acceptance implies tolerant
//! acceptance with no violations.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qrpay_core::emv::{decode, Decoder};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let tolerant = decode(text);
    let strict = Decoder::new().strict(true).decode(text);
    if let Ok(p) = &strict {
        let t = tolerant
            .as_ref()
            .expect("strict accepted what tolerant refused");
        assert!(t.violations().is_empty());
        assert_eq!(p.encode(), text);
    }
    if let Ok(p) = &tolerant {
        // Every accessor is total.
        let _ = (
            p.point_of_initiation(),
            p.amount_minor(),
            p.tip_or_convenience(),
        );
        let _ = (p.additional_data(), p.language_template(), p.currency());
    }
});
