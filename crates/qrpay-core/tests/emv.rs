//! Golden vectors and properties of the EMV MPM codec, through the public API only.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proptest::prelude::*;
use qrpay_core::emv::{decode, Decoder, Payload, PayloadBuilder, PointOfInitiation};
use qrpay_core::{Currency, DecodeError};

/// Rows of a tab-separated vector file, comments and blank lines skipped.
fn rows(name: &str) -> Vec<Vec<String>> {
    let path = format!("{}/tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split('\t').map(str::to_owned).collect())
        .collect()
}

#[test]
fn emvco_specification_example() {
    let text = "00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678520441115802CN5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京540523.7253031565502016233030412340603***0708A60086670902ME91320016A0112233449988770708123456786304A13A";
    let p = Decoder::new().strict(true).decode(text).unwrap();
    assert_eq!(p.crc(), 0xA13A);
    assert_eq!(p.point_of_initiation(), Some(PointOfInitiation::Dynamic));
    assert_eq!(p.merchant_category_code(), Some("4111"));
    assert_eq!(p.currency(), Currency::from_numeric(156));
    assert_eq!(p.amount_text(), Some("23.72"));
    assert_eq!(p.amount_minor(), Some(2372));
    assert_eq!(p.merchant_city(), Some("BEIJING"));
    let add = p.additional_data().unwrap();
    assert_eq!(add.store_label, Some("1234"));
    assert_eq!(add.customer_label, Some("***"));
    assert_eq!(add.terminal_label, Some("A6008667"));
    assert_eq!(add.additional_consumer_data_request, Some("ME"));
    let lang = p.language_template().unwrap();
    assert_eq!(lang.language_preference, Some("ZH"));
    assert_eq!(lang.merchant_city, Some("北京"));
    // Objects keep input order (64 before 54), and the tree reproduces the input.
    let order: Vec<u8> = p.objects().iter().map(|o| o.tag().get()).collect();
    assert_eq!(
        order,
        [0, 1, 29, 31, 52, 58, 59, 60, 64, 54, 53, 55, 62, 91, 63]
    );
    assert_eq!(p.encode(), text);
    assert_eq!(p.get(29).unwrap().gui(), Some("D15600000000"));
    // Offsets count bytes: 54 comes after the Chinese of 64 (6 characters, 18 bytes).
    assert_eq!(
        p.get(64).unwrap().offset(),
        text.find("64200002ZH").unwrap()
    );
    assert_eq!(p.get(54).unwrap().offset(), text.find("540523.72").unwrap());
    assert_eq!(
        p.get(54).unwrap().offset(),
        p.get(64).unwrap().offset() + 4 + 20 + 12
    );
}

#[test]
fn real_scheme_payloads_decode_and_reencode_byte_for_byte() {
    let mut count = 0;
    for row in rows("mpm_valid.tsv") {
        let [scheme, source, crc_ok, payload] = &row[..] else {
            panic!("bad row {row:?}")
        };
        assert_eq!(crc_ok, "yes", "{source}");
        let p = decode(payload).unwrap_or_else(|e| panic!("{scheme} {source}: {e}"));
        assert_eq!(p.encode(), *payload, "{scheme} {source}");
        assert_eq!(
            format!("{:04X}", p.crc()),
            payload[payload.len() - 4..].to_uppercase()
        );
        // Strict decoding agrees with tolerant decoding: it refuses exactly the payloads that
        // tolerant decoding reports violations for.
        let strict = Decoder::new().strict(true).decode(payload);
        match p.violations().first() {
            None => assert!(strict.is_ok(), "{scheme} {source}: {strict:?}"),
            // A template that does not parse: strict decoding names the object inside.
            Some(v) => match &v.rule {
                qrpay_core::emv::Rule::NotTemplate(inner) => {
                    assert_eq!(strict, Err((**inner).clone()))
                }
                _ => assert_eq!(strict, Err(DecodeError::Invalid(Box::new(v.clone())))),
            },
        }
        count += 1;
    }
    assert!(count >= 30, "only {count} vectors");
}

#[test]
fn real_malformed_payloads_are_refused_or_reported() {
    for row in rows("mpm_invalid.tsv") {
        let [scheme, source, crc_ok, payload] = &row[..] else {
            panic!("bad row {row:?}")
        };
        let tolerant = decode(payload);
        match (&tolerant, crc_ok.as_str()) {
            (Err(_), "no") => {}
            (Ok(p), "yes") => assert!(!p.violations().is_empty(), "{scheme} {source}"),
            (Err(_), "yes") => {}
            (r, _) => panic!("{scheme} {source}: {r:?}"),
        }
        assert!(
            Decoder::new().strict(true).decode(payload).is_err(),
            "{scheme} {source}"
        );
    }
}

fn matches_location(e: &DecodeError, path: &str, offset: &str) -> bool {
    let path_ok = path == "-" || e.path().map(|p| p.to_string()).as_deref() == Some(path);
    let offset_ok = offset == "-" || e.offset().map(|o| o.to_string()).as_deref() == Some(offset);
    path_ok && offset_ok
}

#[test]
fn malformed_variants_fail_with_the_exact_error() {
    for row in rows("mpm_errors.tsv") {
        let [mode, code, path, offset, note, payload] = &row[..] else {
            panic!("bad row {row:?}")
        };
        let strict = Decoder::new().strict(true).decode(payload);
        let tolerant = decode(payload);
        match (mode.as_str(), code.as_str()) {
            (_, "ok") => {
                let p = strict.unwrap_or_else(|e| panic!("{note}: {e}"));
                assert_eq!(p.encode(), *payload, "{note}");
            }
            ("both", _) => {
                for result in [strict, tolerant] {
                    let e = result.expect_err(note);
                    assert_eq!(e.code(), code, "{note}: {e}");
                    assert!(matches_location(&e, path, offset), "{note}: {e:?}");
                }
            }
            ("strict", _) => {
                let e = strict.expect_err(note);
                assert_eq!(e.code(), code, "{note}: {e}");
                assert!(matches_location(&e, path, offset), "{note}: {e:?}");
                if let DecodeError::Invalid(v) = &e {
                    let p = tolerant.unwrap_or_else(|e| panic!("{note}: {e}"));
                    assert!(p.violations().contains(v), "{note}: {:?}", p.violations());
                }
            }
            ("tolerant", _) => {
                let p = tolerant.unwrap_or_else(|e| panic!("{note}: {e}"));
                let found = p.violations().iter().any(|v| {
                    v.code() == code
                        && v.path.to_string() == *path
                        && v.offset.to_string() == *offset
                });
                assert!(found, "{note}: {:?}", p.violations());
            }
            _ => panic!("bad mode {mode}"),
        }
    }
}

#[test]
fn error_messages_read_well() {
    let e = decode("00020101021129370016A000000677010111011300668012345675802TH53037646304619F")
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "crc mismatch: payload says 619F, computed 6197"
    );
    let e = Decoder::new()
        .strict(true)
        .decode("00020101021129370016A000000677010111011300668012345675802TH530376463046197")
        .unwrap_err();
    assert_eq!(e.to_string(), "missing mandatory object 52");
}

#[test]
fn hostile_inputs_do_not_panic() {
    let big = "0".repeat(100_000);
    assert!(matches!(decode(&big), Err(DecodeError::TooLarge { .. })));
    for input in [
        "\u{feff}", "0", "00", "000", "0002", "00020", "０３", "6304", "63041234", "99",
    ] {
        assert!(decode(input).is_err(), "{input:?}");
    }
}

/// Payloads the builder makes from arbitrary field values.
fn arb_payload() -> impl Strategy<Value = String> {
    (
        "[A-Za-z0-9 .]{1,25}",
        "[A-Za-z ]{1,15}",
        "[0-9]{4}",
        prop::sample::select(vec![
            Currency::IDR,
            Currency::BRL,
            Currency::THB,
            Currency::SGD,
        ]),
        prop::option::of(1u64..100_000_000),
        prop::option::of("[A-Z0-9-]{1,25}"),
        // A reverse domain name, one of the forms EMV allows a GUI.
        "[a-z][a-z0-9]{0,6}(\\.[a-z][a-z0-9-]{0,5}[a-z0-9]){1,3}",
        "[0-9A-Za-z@.+]{1,50}",
        any::<bool>(),
    )
        .prop_map(
            |(name, city, mcc, currency, amount, reference, gui, account, dynamic)| {
                let poi = if dynamic {
                    PointOfInitiation::Dynamic
                } else {
                    PointOfInitiation::Static
                };
                let mut b = PayloadBuilder::new()
                    .point_of_initiation(poi)
                    .merchant_account(26, &gui, &[(1, &account)])
                    .merchant_category_code(&mcc)
                    .currency(currency)
                    .country_code("ID")
                    .merchant_name(&name)
                    .merchant_city(&city);
                if let Some(a) = amount {
                    b = b.amount_minor(a);
                }
                if let Some(r) = reference {
                    b = b.additional_data(5, &r);
                }
                b.build().unwrap()
            },
        )
}

fn fields(p: &Payload<'_>) -> Vec<(String, String)> {
    fn walk(o: &qrpay_core::DataObject<'_>, out: &mut Vec<(String, String)>) {
        out.push((o.path().to_string(), o.value().to_owned()));
        for c in o.children().into_iter().flatten() {
            walk(&c, out);
        }
    }
    let mut out = Vec::new();
    for o in p.objects() {
        walk(o, &mut out);
    }
    out
}

proptest! {
    #[test]
    fn built_payloads_decode_strictly_and_reencode(text in arb_payload()) {
        let p = Decoder::new().strict(true).decode(&text).unwrap();
        prop_assert_eq!(p.encode(), text.clone());
        // Re-building from the decoded payload gives the same payload (canonical form).
        let again = PayloadBuilder::from_payload(&p).build().unwrap();
        prop_assert_eq!(&again, &text);
        prop_assert_eq!(fields(&decode(&again).unwrap()), fields(&p));
    }

    #[test]
    fn any_single_character_change_is_refused_or_reported(
        text in arb_payload(),
        index in any::<prop::sample::Index>(),
        replacement in prop::char::range(' ', '~'),
    ) {
        let i = index.index(text.len());
        let original = text.as_bytes()[i] as char;
        prop_assume!(original != replacement);
        // The CRC is hexadecimal compared case-insensitively (EMV MPM §4.7.3): a change of case
        // there changes no value.
        let in_crc = i >= text.len() - 4;
        prop_assume!(!(in_crc && original.eq_ignore_ascii_case(&replacement)));
        let mut changed = text.clone();
        changed.replace_range(i..=i, &replacement.to_string());
        match decode(&changed) {
            Err(_) => {}
            Ok(p) => prop_assert!(false, "accepted a changed payload: {changed} ({:?})", p.violations()),
        }
    }

    #[test]
    fn decode_never_panics(input in "\\PC{0,300}") {
        let _ = decode(&input);
        let _ = Decoder::new().strict(true).decode(&input);
    }

    #[test]
    fn decode_never_panics_on_near_valid_input(text in arb_payload(), cut in 0usize..400, junk in "[0-9]{0,6}") {
        let cut = cut.min(text.len());
        let mutated = format!("{}{}{}", &text[..cut], junk, &text[cut..]);
        if let Ok(p) = decode(&mutated) {
            prop_assert_eq!(p.encode(), mutated);
        }
    }
}

#[test]
fn language_preference_is_two_letters() {
    // EMV MPM v1.1 §3.3: 64.00 holds two alphabetical characters, an ISO 639 code.
    let base = || {
        PayloadBuilder::new()
            .merchant_account(26, "ID.CO.EXAMPLE.WWW", &[(1, "9360")])
            .merchant_category_code("5812")
            .currency(Currency::IDR)
            .country_code("ID")
            .merchant_name("Kopi")
            .merchant_city("Jakarta")
    };
    assert!(base().language_template("ZH", "Kopi", None).build().is_ok());
    assert!(base().language_template("zh", "Kopi", None).build().is_ok());
    for bad in ["Z1", "12", "Z ", "Z."] {
        let err = base()
            .language_template(bad, "Kopi", None)
            .build()
            .unwrap_err();
        let qrpay_core::emv::EncodeError::Invalid(DecodeError::Invalid(v)) = err else {
            panic!("{bad}: {err:?}")
        };
        assert_eq!(v.code(), "language-preference", "{bad}");
        assert_eq!(v.path.to_string(), "64.00", "{bad}");
    }
}

#[test]
fn currency_is_three_digits_or_none() {
    // Tag 53 is three digits (format N, length 03): "+64" and "36" name no currency, although
    // they parse as the numbers 64 (BTN) and 36 (AUD).
    let signed = "00020101021129370016A00000067701011101130066801234567520458125303+645802TH5905SHOP16007BANGKOK63045BC4";
    let short = "00020101021129370016A00000067701011101130066801234567520458125302365802TH5905SHOP16007BANGKOK63042D9C";
    for text in [signed, short] {
        let p = decode(text).unwrap();
        assert_eq!(p.currency(), None, "{text}");
        assert!(
            p.violations().iter().any(|v| v.code() == "currency"),
            "{text}: {:?}",
            p.violations()
        );
    }
}

/// `DataObject::split` reads a primitive's value as objects one level deeper, counting
/// characters as the decoder does, and explains a value that does not split with the decoder's
/// error, path and offset.
#[test]
fn split_reads_a_value_as_objects_one_level_deeper() {
    let build = |inner: &str| {
        PayloadBuilder::new()
            .merchant_account(26, "ID.CO.EXAMPLE.WWW", &[(1, "9360")])
            .object(52, "5812")
            .currency(Currency::IDR)
            .country_code("ID")
            .merchant_name("Kopi")
            .merchant_city("Jakarta")
            .template(80, &[(0, "example.qr"), (1, inner)])
            .build()
            .unwrap()
    };
    let text = build("0002北京0101x");
    let payload = decode(&text).unwrap();
    let inner = payload.get(80).unwrap().children().unwrap().nth(1).unwrap();
    let start = inner.offset() + 4;
    let split: Vec<_> = inner
        .split()
        .unwrap()
        .iter()
        .map(|o| (o.path().to_string(), o.offset(), o.value()))
        .collect();
    // Two characters of three bytes each: the second object starts 4 + 6 bytes in.
    assert_eq!(
        split,
        [
            ("80.01.00".to_owned(), start, "北京"),
            ("80.01.01".to_owned(), start + 10, "x")
        ]
    );
    // Three levels are all a path holds: the objects' own values do not split further.
    let text = build("00050101x");
    let payload = decode(&text).unwrap();
    let inner = payload.get(80).unwrap().children().unwrap().nth(1).unwrap();
    let deepest = inner.split().unwrap()[0];
    assert_eq!(deepest.value(), "0101x");
    assert!(matches!(deepest.split(), Err(DecodeError::TooDeep { .. })));
    for (value, code, at) in [
        ("0005abc", "truncated", 0),
        ("0003abc00", "truncated-header", 7),
        ("0a01x", "bad-id", 0),
        ("00X1x", "bad-length", 2),
    ] {
        let text = build(value);
        let payload = decode(&text).unwrap();
        let inner = payload.get(80).unwrap().children().unwrap().nth(1).unwrap();
        let err = inner.split().unwrap_err();
        assert_eq!(
            (err.code(), err.offset()),
            (code, Some(inner.offset() + 4 + at)),
            "{value}: {err}"
        );
    }
    let text = build("x");
    let payload = decode(&text).unwrap();
    let inner = payload.get(80).unwrap().children().unwrap().nth(1).unwrap();
    assert_eq!(
        inner.split().unwrap_err().path().unwrap().to_string(),
        "80.01"
    );
}
