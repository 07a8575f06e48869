//! SPAYD: no panic on any text; an accepted input re-encodes to a text that decodes to the same
//! value and re-encodes to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qrpay_core::spayd;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(value) = spayd::parse(text) else {
        return;
    };
    let encoded = value.encode();
    let again = spayd::parse(&encoded).expect("re-encoding decodes");
    assert_eq!(again, value);
    assert_eq!(again.encode(), encoded);
    assert!(
        spayd::looks_like(&encoded),
        "an encoded payload carries the format's marker"
    );
});
