//! decode_any on any text: no panic; the format it decodes as (or fails as) is the one
//! `Format::detect` names; an EMV MPM payload's profiles (`schemes::detect`) point inside the
//! payload, agree with `scheme_ids` and strict detection, and each id is reported once.
//! decode_any_bytes on any bytes: no panic, and on UTF-8 text that is not EPC it is decode_any.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qrpay_core::any::{decode_any, decode_any_bytes, AnyPayload, Format};
use qrpay_core::schemes;

fuzz_target!(|data: &[u8]| {
    let from_bytes = decode_any_bytes(data);
    let Ok(text) = std::str::from_utf8(data) else {
        assert!(from_bytes.is_err() || data.starts_with(b"BCD"));
        return;
    };
    if Format::detect(text) != Some(Format::Epc) {
        assert_eq!(from_bytes, decode_any(text));
    }
    let detected = Format::detect(text);
    let payload = match decode_any(text) {
        Ok(p) => p,
        Err(e) => {
            assert_eq!(e.format(), detected, "{e}");
            assert!(!e.to_string().is_empty());
            return;
        }
    };
    assert_eq!(Some(payload.format()), detected);
    let AnyPayload::EmvMpm(emv) = &payload else {
        return;
    };
    assert_eq!(
        emv.encode(),
        text,
        "a decoded EMV payload re-encodes byte for byte"
    );
    let found = schemes::detect(emv);
    for info in &found {
        for v in &info.violations {
            assert!(
                v.offset <= text.len(),
                "violation offset {} past the end",
                v.offset
            );
        }
    }
    let ids: Vec<_> = found.iter().map(|s| s.id).collect();
    let national: Vec<_> = found
        .iter()
        .filter(|s| !matches!(s.details, schemes::SchemeDetails::Card(_)))
        .map(|s| s.id)
        .collect();
    let mut unique = national.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        national.len(),
        "a profile reported twice: {ids:?}"
    );
    assert_eq!(schemes::scheme_ids(emv), ids);
    let clean = found.iter().all(|s| s.violations.is_empty());
    assert_eq!(schemes::detect_strict(emv).is_ok(), clean);
});
