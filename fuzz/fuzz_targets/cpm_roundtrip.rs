//! EMV consumer-presented mode: no panic on any bytes or text; accepted BER-TLV re-encodes byte
//! for byte, and an accepted base64 text re-encodes to a text that decodes to the same value
//! and re-encodes to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qrpay_core::cpm;

fuzz_target!(|data: &[u8]| {
    if let Ok(value) = cpm::parse_bytes(data) {
        assert_eq!(
            value.to_bytes(),
            data,
            "accepted BER-TLV re-encodes byte for byte"
        );
        let text = value.encode();
        assert_eq!(cpm::parse(&text).expect("its base64 decodes"), value);
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(value) = cpm::parse(text) {
        let encoded = value.encode();
        let again = cpm::parse(&encoded).expect("re-encoding decodes");
        assert_eq!(again, value);
        assert_eq!(again.encode(), encoded);
        assert_eq!(
            cpm::parse_bytes(&value.to_bytes()).expect("its bytes decode"),
            value
        );
    }
});
