//! EPC069-12: no panic on any text or bytes; an accepted payload re-encodes to a text that
//! decodes to the same value, and the builder fed the decoded fields builds that same value.
//! Bytes are read in the character set they declare: an accepted one's `to_bytes` reads back
//! to the same value, and in UTF-8 (set 1) the bytes and the text decode alike.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qrpay_core::epc::{self, Epc, Remittance};

fuzz_target!(|data: &[u8]| {
    if let Ok(value) = epc::parse_bytes(data) {
        let bytes = value.to_bytes();
        assert_eq!(epc::parse_bytes(&bytes).expect("to_bytes decodes"), value);
        assert_eq!(epc::parse(&value.encode()).expect("encode decodes"), value);
        if value.character_set() == epc::CharacterSet::Utf8 {
            let text = std::str::from_utf8(data).expect("accepted as UTF-8");
            assert_eq!(epc::parse(text).as_ref(), Ok(&value));
        }
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(value) = epc::parse(text) else { return };
    let encoded = value.encode();
    let again = epc::parse(&encoded).expect("re-encoding decodes");
    assert_eq!(again, value);
    assert_eq!(again.encode(), encoded);

    let mut b = Epc::builder(value.name(), value.iban().clone())
        .version(value.version())
        .character_set(value.character_set())
        .separator(value.separator());
    if let Some(bic) = value.bic() {
        b = b.bic(bic.clone());
    }
    if let Some(amount) = value.amount() {
        b = b.amount(amount.clone());
    }
    if let Some(purpose) = value.purpose() {
        b = b.purpose(purpose);
    }
    match value.remittance() {
        Some(Remittance::Structured(r)) => b = b.structured_remittance(r.clone()),
        Some(Remittance::Unstructured(t)) => b = b.unstructured_remittance(t.as_str()),
        None => {}
    }
    if let Some(info) = value.information() {
        b = b.information(info);
    }
    assert_eq!(
        b.build()
            .expect("the builder accepts what the parser accepted"),
        value
    );
});
