//! Any bytes: decoding never panics, in either mode; strict acceptance implies tolerant
//! acceptance with no violations; and the decoder's fast path for payloads that break no rule
//! gives exactly what the full checks give.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qrpay_core::emv::{decode, Decoder};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let tolerant = decode(text);
    let strict = Decoder::new().strict(true).decode(text);
    assert_eq!(tolerant, Decoder::new().decode_without_fast_path(text));
    assert_eq!(
        strict,
        Decoder::new().strict(true).decode_without_fast_path(text)
    );
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
