//! Swiss QR-bill: no panic on any text; an accepted bill re-encodes to a text that decodes to
//! the same value, and the builder fed the decoded fields builds that same value (structured
//! addresses only: the builder writes no combined `K` address, which IG 2.3 withdrew).
#![no_main]

use libfuzzer_sys::fuzz_target;
use qrpay_core::swiss::{self, Address, SwissQrBill};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(value) = swiss::parse(text) else {
        return;
    };
    let encoded = value.encode();
    let again = swiss::parse(&encoded).expect("re-encoding decodes");
    assert_eq!(again, value);
    assert_eq!(again.encode(), encoded);

    let combined = |a: Option<&Address>| matches!(a, Some(Address::Combined { .. }));
    if combined(Some(value.creditor())) || combined(value.debtor()) {
        return;
    }
    let mut b = SwissQrBill::builder(
        value.iban().clone(),
        value.creditor().clone(),
        value.currency(),
    )
    .separator(value.separator())
    .reference(value.reference().clone());
    if let Some(amount) = value.amount() {
        b = b.amount(amount.clone());
    }
    if let Some(debtor) = value.debtor() {
        b = b.debtor(debtor.clone());
    }
    if let Some(message) = value.unstructured_message() {
        b = b.unstructured_message(message);
    }
    if let Some(info) = value.bill_information() {
        b = b.bill_information(info);
    }
    for alt in value.alternative_schemes() {
        b = b.alternative_scheme(alt.as_str());
    }
    assert_eq!(
        b.build()
            .expect("the builder accepts what the parser accepted"),
        value
    );
});
