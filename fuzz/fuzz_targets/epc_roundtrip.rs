//! EPC069-12: no panic on any text; an accepted payload re-encodes to a text that decodes to
//! the same value, and the builder fed the decoded fields builds that same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qrpay_core::epc::{self, Epc, Remittance};

fuzz_target!(|data: &[u8]| {
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
