//! Scheme builders (Pix, PromptPay, VietQR, PayNow, DuitNow, QR Ph) fed arbitrary fields:
//! whatever a builder accepts decodes, re-encodes byte for byte, and breaks none of its
//! scheme's rules.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qrpay_core::decode;
use qrpay_core::schemes::{duitnow, paynow, pix, promptpay, qrph, vietqr, SchemeId};

fn check(built: Option<String>, id: SchemeId) {
    let Some(text) = built else { return };
    let payload = decode(&text).expect("a built payload decodes");
    assert_eq!(payload.encode(), text);
    let found = qrpay_core::schemes::detect(&payload);
    let mine = found
        .iter()
        .find(|s| s.id == id)
        .expect("the built profile is detected");
    assert!(mine.violations.is_empty(), "{:?}", mine.violations);
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut fields = text.split('\n');
    let mut next = || fields.next().unwrap_or("");
    let (a, b, c, d) = (next(), next(), next(), next());
    let amount = d
        .parse::<u64>()
        .ok()
        .filter(|&m| m > 0 && m < 1_000_000_000_000);
    let with_amount = |b: pix::PixBuilder| match amount {
        Some(m) => b.amount_minor(m),
        None => b,
    };
    check(
        with_amount(
            pix::PixBuilder::with_key(a)
                .merchant_name(b)
                .merchant_city(c),
        )
        .build()
        .ok(),
        SchemeId::Pix,
    );
    check(
        promptpay::PromptPayBuilder::mobile(a)
            .and_then(|p| p.message(b).build())
            .ok(),
        SchemeId::PromptPay,
    );
    check(
        promptpay::PromptPayBuilder::bill_payment(a, b)
            .and_then(|p| p.ref2(c))
            .and_then(promptpay::PromptPayBuilder::build)
            .ok(),
        SchemeId::PromptPay,
    );
    check(
        vietqr::VietQrBuilder::account(a, b).purpose(c).build().ok(),
        SchemeId::VietQr,
    );
    check(
        paynow::PayNowBuilder::uen(a)
            .map(|p| p.merchant_name(b).merchant_city(c))
            .and_then(paynow::PayNowBuilder::build)
            .ok(),
        SchemeId::PayNow,
    );
    let mut duit = duitnow::DuitNowBuilder::new(a, b, "KEDAI", c)
        .merchant_descriptor(c)
        .mobile_number(b);
    if let Some(m) = amount {
        duit = duit.amount_minor(m);
    }
    if amount.is_some_and(|m| m % 2 == 0) {
        duit = duit.paynet_format();
    }
    check(duit.build().ok(), SchemeId::DuitNow);
    check(
        qrph::QrPhBuilder::p2m(a, b, "SARI SARI", c)
            .reference(c)
            .build()
            .ok(),
        SchemeId::QrPh,
    );
    check(
        qrph::QrPhBuilder::p2p(a, b, "JUAN", c)
            .mobile_number(c)
            .build()
            .ok(),
        SchemeId::QrPh,
    );
});
