//! Every non-MPM format parser (EPC, Swiss QR-bill, SPAYD, UPI, BIP21, EMV CPM): no panic on
//! any input, and an accepted input re-encodes to a text that decodes to the same value and
//! re-encodes to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qrpay_core::{bip21, cpm, epc, spayd, swiss, upi};

macro_rules! round_trip {
    ($module:ident, $text:expr) => {
        if let Ok(value) = $module::parse($text) {
            let encoded = value.encode();
            let again = $module::parse(&encoded).expect("re-encoding decodes");
            assert_eq!(again, value);
            assert_eq!(again.encode(), encoded);
        }
    };
}

fuzz_target!(|data: &[u8]| {
    if let Ok(cpm) = cpm::parse_bytes(data) {
        assert_eq!(cpm.to_bytes(), data, "accepted BER-TLV re-encodes byte for byte");
    }
    let Ok(text) = std::str::from_utf8(data) else { return };
    round_trip!(epc, text);
    round_trip!(swiss, text);
    round_trip!(spayd, text);
    round_trip!(upi, text);
    round_trip!(bip21, text);
    round_trip!(cpm, text);
});
