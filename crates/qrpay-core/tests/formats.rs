//! Golden vectors of the payment-QR formats other than EMV MPM (EPC, Swiss QR-bill, SPAYD, UPI,
//! BIP21, EMV CPM), through the public API only.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use qrpay_core::{bip21, cpm, epc, spayd, swiss, upi};

/// One row of `tests/vectors/formats.tsv`.
struct Row {
    format: String,
    expected: String,
    note: String,
    payload: String,
}

fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some('t') => out.push('\t'),
                Some('\\') => out.push('\\'),
                other => panic!("bad escape \\{other:?}"),
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn rows() -> Vec<Row> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/formats.tsv");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert_eq!(cols.len(), 4, "{l}");
            Row {
                format: cols[0].to_owned(),
                expected: cols[1].to_owned(),
                note: cols[2].to_owned(),
                payload: unescape(cols[3]),
            }
        })
        .collect()
}

#[cfg(feature = "serde")]
fn json<T: serde::Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap()
}

#[cfg(not(feature = "serde"))]
fn json<T>(_: &T) -> serde_json::Value {
    serde_json::Value::Null
}

/// Decodes with the format's parser; on success checks that the re-encoding decodes to the
/// same value and returns the re-encoding and the JSON form.
fn decode(format: &str, text: &str) -> Result<(String, serde_json::Value), String> {
    macro_rules! run {
        ($module:ident) => {{
            let value = $module::parse(text).map_err(|e| e.to_string())?;
            let encoded = value.encode();
            let again = $module::parse(&encoded)
                .unwrap_or_else(|e| panic!("re-encoding of {text:?} does not decode: {e}"));
            assert_eq!(again, value, "re-encoding of {text:?} decodes differently");
            assert_eq!(
                again.encode(),
                encoded,
                "encoding is not stable for {text:?}"
            );
            Ok((encoded, json(&value)))
        }};
    }
    match format {
        "epc" => run!(epc),
        "swiss-qr-bill" => run!(swiss),
        "spayd" => run!(spayd),
        "upi" => run!(upi),
        "bip21" => run!(bip21),
        "emv-cpm" => run!(cpm),
        _ => panic!("unknown format {format}"),
    }
}

/// A format's name and its detector.
type Detector = (&'static str, fn(&str) -> bool);

/// The formats whose `looks_like` accepts `text`.
fn detected(text: &str) -> Vec<&'static str> {
    let detectors: [Detector; 6] = [
        ("epc", epc::looks_like),
        ("swiss-qr-bill", swiss::looks_like),
        ("spayd", spayd::looks_like),
        ("upi", upi::looks_like),
        ("bip21", bip21::looks_like),
        ("emv-cpm", cpm::looks_like),
    ];
    detectors
        .iter()
        .filter(|(_, looks_like)| looks_like(text))
        .map(|(name, _)| *name)
        .collect()
}

#[test]
fn golden_vectors() {
    let rows = rows();
    assert!(rows.len() >= 50, "vector file truncated");
    let mut failures = Vec::new();
    for row in &rows {
        let result = decode(&row.format, &row.payload);
        let outcome = match (&result, row.expected.as_str()) {
            (Ok((encoded, _)), "ok") if *encoded == row.payload => None,
            (Ok((encoded, _)), "ok") => Some(format!("re-encoded as {encoded:?}")),
            (Ok((encoded, _)), "accepted") if *encoded != row.payload => None,
            (Ok(_), "accepted") => Some("re-encodes identically: mark it ok".to_owned()),
            (Ok(_), expected) => Some(format!("decoded, expected error {expected:?}")),
            (Err(error), expected) if error == expected => None,
            (Err(error), _) => Some(format!("error {error:?}")),
        };
        if let Some(problem) = outcome {
            failures.push(format!(
                "{} [{}] {}: {problem}",
                row.format, row.expected, row.note
            ));
        }
        if result.is_ok() {
            assert_eq!(
                detected(&row.payload),
                [row.format.as_str()],
                "detection of {}",
                row.note
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_format_has_valid_and_invalid_vectors() {
    let rows = rows();
    for format in ["epc", "swiss-qr-bill", "spayd", "upi", "bip21", "emv-cpm"] {
        let of = |ok: bool| {
            rows.iter()
                .filter(|r| r.format == format)
                .filter(|r| (r.expected == "ok") == ok)
                .count()
        };
        assert!(of(true) >= 1 && of(false) >= 1, "{format}");
    }
}

#[cfg(feature = "serde")]
#[test]
fn json_field_names() {
    let vector = |format: &str, note_prefix: &str| {
        let row = rows()
            .into_iter()
            .find(|r| r.format == format && r.note.starts_with(note_prefix))
            .unwrap();
        decode(format, &row.payload).unwrap().1
    };
    let epc = vector("epc", "EPC069-12");
    assert_eq!(epc["version"], "001");
    assert_eq!(epc["character_set"], "utf8");
    assert_eq!(epc["iban"], "BE72000000001616");
    assert_eq!(epc["bic"], "BPOTBEB1");
    assert_eq!(epc["amount"]["minor_units"], 100);
    assert_eq!(epc["amount"]["text"], "1");
    assert_eq!(epc["remittance"]["unstructured"], "Urgency fund");

    let swiss = vector("swiss-qr-bill", "Swiss IG");
    assert_eq!(swiss["currency"], "CHF");
    assert_eq!(swiss["amount"]["minor_units"], 194_975);
    assert_eq!(swiss["creditor"]["type"], "structured");
    assert_eq!(swiss["creditor"]["postal_code"], "2501");
    assert_eq!(swiss["reference"]["type"], "qrr");
    assert_eq!(swiss["reference"]["value"], "210000000003139471430009017");
    assert_eq!(
        swiss["alternative_schemes"][1],
        "Name AV2: XY;XYService;54321"
    );

    let spayd = vector("spayd", "SPAYD");
    assert_eq!(spayd["account"]["iban"], "CZ5855000000001265098001");
    assert_eq!(spayd["variable_symbol"], "1234567890");
    assert_eq!(spayd["amount"]["minor_units"], 48_050);
    assert!(spayd.get("key_order").is_none());
    let spayd = vector("spayd", "IBAN+BIC");
    assert_eq!(spayd["extensions"]["X-FOO"], "ABC");
    assert_eq!(spayd["message"], "a*b ž");

    let upi = vector("upi", "NPCI");
    assert_eq!(upi["payee_address"], "nadeem@npci");
    assert_eq!(upi["payee_name"], "nadeem chinna");
    assert_eq!(upi["amount"]["minor_units"], 1000);
    assert_eq!(upi["other"]["mam"], "null");

    let bip21 = vector("bip21", "BIP21 example 4");
    assert_eq!(bip21["address"]["kind"], "p2pkh");
    assert_eq!(bip21["address"]["network"], "mainnet");
    assert_eq!(bip21["amount"]["minor_units"], 5_000_000_000_u64);
    assert_eq!(bip21["message"], "Donation for project xyz");
    let bip21 = vector("bip21", "BIP21 example 5");
    assert_eq!(bip21["other"]["somethingelseyoudontget"], "999");

    let cpm = vector("emv-cpm", "EMV QRCPS CPM v1.0 first");
    assert_eq!(cpm["applications"][0]["aid"], "A0000000555555");
    assert!(!cpm.to_string().contains("1234567890123458"));
    let cpm = vector("emv-cpm", "EMV QRCPS CPM v1.0 second");
    assert_eq!(cpm["payload_format_indicator"], "CPV01");
    assert_eq!(cpm["applications"][0]["aid"], "A0000000555555");
    assert_eq!(cpm["applications"][1]["label"], "Product2");
    // The PAN is personal data: only its first six and last four digits are printed.
    assert_eq!(cpm["common_data"]["pan_masked"], "123456******3458");
    assert!(!cpm.to_string().contains("1234567890123458"));
}

/// The EPC rows in an ISO 8859 set, as bytes converted by glibc iconv: `parse_bytes` reads them
/// as their text, `to_bytes` writes them back, and `decode_any_bytes` finds the same payload.
#[test]
fn epc_8_bit_rows_decode_from_their_iconv_bytes() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/epc_bytes.tsv");
    let bytes_rows: Vec<(String, Vec<u8>)> = std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (set, hex) = l.split_once('\t').unwrap();
            let bytes = (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                .collect();
            (set.to_owned(), bytes)
        })
        .collect();
    let text_rows: Vec<Row> = rows()
        .into_iter()
        .filter(|r| r.format == "epc" && r.expected == "ok")
        .filter(|r| r.note.starts_with("character set"))
        .collect();
    assert_eq!(text_rows.len(), 7);
    assert_eq!(bytes_rows.len(), text_rows.len());
    for (row, (set, bytes)) in text_rows.iter().zip(&bytes_rows) {
        assert!(
            row.note.starts_with(&format!("character set {set} ")),
            "{}",
            row.note
        );
        let from_text = epc::parse(&row.payload).unwrap();
        let from_bytes = epc::parse_bytes(bytes).unwrap_or_else(|e| panic!("{}: {e}", row.note));
        assert_eq!(from_bytes, from_text, "{}", row.note);
        assert_eq!(&from_text.to_bytes(), bytes, "{}", row.note);
        assert!(std::str::from_utf8(bytes).is_err(), "{}", row.note);
        match qrpay_core::any::decode_any_bytes(bytes).unwrap() {
            qrpay_core::any::AnyPayload::Epc(epc) => assert_eq!(epc, from_text),
            other => panic!("{other:?}"),
        }
    }
}

/// What a copy, a quote or an editor adds before a payload is named, with where the payload
/// starts, rather than "not a payment QR payload"; nothing is stripped silently.
#[test]
fn text_before_a_payload_is_named() {
    use qrpay_core::any::{decode_any, AnyError, Format};
    let emv = "00020101021129370016A000000677010111011300668012345675204581253037645802TH5905SHOP16007BANGKOK63043E5A";
    let upi = "upi://pay?pa=merchant@bank&pn=Shop&am=10.00&cu=INR";
    let cases = [
        (format!("\u{feff}{emv}"), "\u{feff}", Format::EmvMpm),
        (format!("  {emv}"), "  ", Format::EmvMpm),
        (format!("\"{emv}\""), "\"", Format::EmvMpm),
        (format!("“{emv}”"), "“", Format::EmvMpm),
        (format!("\n\t{upi}"), "\n\t", Format::Upi),
    ];
    for (text, found, looks_like) in cases {
        let err = decode_any(&text).unwrap_err();
        assert_eq!(
            err,
            AnyError::LeadingText {
                found: found.to_owned(),
                offset: found.len(),
                looks_like,
            },
            "{text:?}"
        );
        assert_eq!(err.format(), None);
        assert!(
            err.to_string()
                .contains(&format!("at byte {}", found.len())),
            "{err}"
        );
    }
    // However much comes before, the error shows 8 characters of it.
    let spaces = " ".repeat(100_000);
    let err = decode_any(&format!("{spaces}{emv}")).unwrap_err();
    assert_eq!(
        err,
        AnyError::LeadingText {
            found: "        …".to_owned(),
            offset: 100_000,
            looks_like: Format::EmvMpm,
        }
    );
    // Text that is no payload after the wrapper is still of no known format.
    for text in ["", "   ", "\u{feff}", "\"hello\"", " ?"] {
        assert_eq!(
            decode_any(text).unwrap_err(),
            AnyError::UnknownFormat,
            "{text:?}"
        );
    }
    // After an EMV payload, the error shows what follows the CRC.
    let err = decode_any(&format!("{emv}\r\n")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "data after the crc at byte 102: \"\\r\\n\""
    );
    let err = decode_any(&format!("{emv}5802TH5905SHOP1")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "data after the crc at byte 102: \"5802TH59…\""
    );
}
