//! The `qrpay` command as a user runs it: exit codes, stdout, stderr.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{qrpay, qrpay_bytes, stderr, stdout};

const SPEC_EXAMPLE: &str = "00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678520441115802CN5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京540523.7253031565502016233030412340603***0708A60086670902ME91320016A0112233449988770708123456786304A13A";

#[test]
fn decode_json_has_the_contract_keys() {
    let out = qrpay(&["decode", "--json", SPEC_EXAMPLE], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["format"], "emv-mpm");
    assert_eq!(json["point_of_initiation_method"], "12");
    assert_eq!(json["merchant_category_code"], "4111");
    assert_eq!(json["transaction_currency"], "156");
    assert_eq!(json["transaction_amount"], "23.72");
    assert_eq!(json["tip_or_convenience_indicator"], "01");
    assert_eq!(json["convenience_fee_fixed"], serde_json::Value::Null);
    assert_eq!(json["postal_code"], serde_json::Value::Null);
    assert_eq!(json["additional_data"]["terminal_label"], "A6008667");
    assert_eq!(
        json["additional_data"]["bill_number"],
        serde_json::Value::Null
    );
    assert_eq!(
        json["merchant_information_language"]["merchant_name"],
        "最佳运输"
    );
    assert_eq!(json["crc"], "A13A");
    assert_eq!(json["violations"], serde_json::json!([]));
    assert_eq!(json["objects"][2]["tag"], "29");
    assert_eq!(json["objects"][2]["objects"][1]["value"], "A93FO3230Q");
    assert!(json["objects"][0].get("objects").is_none());
}

#[test]
fn encode_json_inverts_decode_json_for_every_real_vector() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../qrpay-core/tests/vectors/mpm_valid.tsv"
    );
    let text = std::fs::read_to_string(path).unwrap();
    let payloads: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter_map(|l| l.split('\t').nth(3))
        .collect();
    assert!(payloads.len() >= 30);
    for payload in payloads {
        let json = stdout(&qrpay(&["decode", "--json", payload], None));
        let out = qrpay(&["encode", "--json", "-"], Some(&json));
        assert_eq!(out.status.code(), Some(0), "{payload}: {}", stderr(&out));
        assert_eq!(stdout(&out).trim_end_matches('\n'), payload);
    }
}

#[test]
fn encode_json_refuses_a_friendly_field_that_disagrees_with_objects() {
    let json = stdout(&qrpay(&["decode", "--json", SPEC_EXAMPLE], None));
    let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
    value["merchant_name"] = "SOMEONE ELSE".into();
    let out = qrpay(&["encode", "--json", "-"], Some(&value.to_string()));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("merchant_name"), "{}", stderr(&out));
}

#[test]
fn editing_objects_reencodes_with_a_fresh_upper_case_crc() {
    let lower = format!("{}a13a", &SPEC_EXAMPLE[..SPEC_EXAMPLE.len() - 4]);
    let json = stdout(&qrpay(&["decode", "--json", &lower], None));
    // Unmodified: the lower-case CRC survives.
    let same = qrpay(&["encode", "--json", "-"], Some(&json));
    assert_eq!(stdout(&same).trim_end(), lower);
    let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
    value["objects"][6]["value"] = "BEST TRANSPORTS".into();
    value.as_object_mut().unwrap().remove("merchant_name");
    let out = qrpay(&["encode", "--json", "-"], Some(&value.to_string()));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let crc = &text.trim_end()[text.trim_end().len() - 4..];
    assert_eq!(crc, crc.to_uppercase());
    assert!(text.contains("5915BEST TRANSPORTS"));
    assert_eq!(
        qrpay(&["decode", text.trim_end()], None).status.code(),
        Some(0)
    );
}

#[test]
fn exit_codes_and_one_line_errors() {
    let bad = format!("{}A13B", &SPEC_EXAMPLE[..SPEC_EXAMPLE.len() - 4]);
    let out = qrpay(&["decode", &bad], None);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "qrpay: crc mismatch: payload says A13B, computed A13A\n"
    );
    assert_eq!(qrpay(&["decode"], None).status.code(), Some(2));
    assert_eq!(
        qrpay(&["decode", "--bogus", "x"], None).status.code(),
        Some(2)
    );
    // From standard input, with the trailing newline an editor adds.
    let out = qrpay(&["decode", "-"], Some(&format!("{SPEC_EXAMPLE}\n")));
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("BEST TRANSPORT"));
    assert!(stdout(&out).contains("156 (CNY)"));
}

#[test]
fn strict_refuses_what_tolerant_reports() {
    let promptpay = "00020101021129370016A000000677010111011300668012345675802TH530376463046197";
    let tolerant = qrpay(&["decode", "--json", promptpay], None);
    assert_eq!(tolerant.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_str(&stdout(&tolerant)).unwrap();
    let codes: Vec<&str> = json["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["missing", "missing", "missing"]);
    let strict = qrpay(&["decode", "--strict", promptpay], None);
    assert_eq!(strict.status.code(), Some(1));
    assert_eq!(stderr(&strict), "qrpay: missing mandatory object 52\n");
}

#[test]
fn encode_from_flags_builds_a_valid_canonical_payload() {
    let out = qrpay(
        &[
            "encode",
            "--account",
            "26:br.gov.bcb.pix:01=fulano@example.com",
            "--merchant-name",
            "FULANO DE TAL",
            "--city",
            "BRASILIA",
            "--currency",
            "BRL",
            "--amount",
            "10.00",
            "--country",
            "BR",
            "--reference",
            "***",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let text = text.trim_end();
    assert!(text.starts_with("000201010212264"));
    assert!(text.contains("26400014br.gov.bcb.pix0118fulano@example.com"));
    assert_eq!(
        qrpay(&["decode", "--strict", text], None).status.code(),
        Some(0)
    );
    let bad = qrpay(&["encode", "--account", "26:x", "--currency", "XYZ"], None);
    assert_eq!(bad.status.code(), Some(1));
    assert!(stderr(&bad).contains("XYZ"));
}

/// The `path  name  value` columns of the listing's row for `path`.
fn listing_row(listing: &str, path: &str) -> Vec<String> {
    let row = listing
        .lines()
        .find(|l| l.split_whitespace().next() == Some(path))
        .unwrap_or_else(|| panic!("no row {path} in\n{listing}"));
    row.split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn decode_listing_names_the_fields_of_national_schemes() {
    // The real Pix code 0DC6 of tests/vectors/mpm_valid.tsv (pix-utils).
    let pix = "00020126510014br.gov.bcb.pix0115thalesog@me.com0210Pedido 123520400005303986540510.005802BR5914THALES OGLIARI6015SAO MIGUEL DO O62070503***63040DC6";
    let out = qrpay(&["decode", pix], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let listing = stdout(&out);
    assert_eq!(
        listing_row(&listing, "26.00"),
        [
            "26.00",
            "globally unique identifier (Pix)",
            "br.gov.bcb.pix"
        ]
    );
    assert_eq!(
        listing_row(&listing, "26.01"),
        ["26.01", "pix key", "thalesog@me.com"]
    );
    assert_eq!(
        listing_row(&listing, "26.02"),
        ["26.02", "additional information", "Pedido 123"]
    );
    // The BCB manual's transaction id is EMV's reference label.
    assert_eq!(
        listing_row(&listing, "62.05"),
        ["62.05", "reference label (pix txid)", "***"]
    );
    // Elsewhere in 62, and in templates of no known scheme, EMV's names stand.
    let listing = stdout(&qrpay(&["decode", VIETQR_DYNAMIC], None));
    assert_eq!(
        listing_row(&listing, "62.01"),
        ["62.01", "bill number", "NPS6869"]
    );
    let listing = stdout(&qrpay(&["decode", SPEC_EXAMPLE], None));
    assert_eq!(
        listing_row(&listing, "29.05"),
        ["29.05", "payment network specific", "A93FO3230Q"]
    );
}

/// NAPAS's dynamic account example (2E2E of tests/vectors/mpm_valid.tsv).
const VIETQR_DYNAMIC: &str = "00020101021238570010A00000072701270006970403011300110123456780208QRIBFTTA530370454061800005802VN62340107NPS68690819thanh toan don hang63042E2E";

#[test]
fn decode_listing_opens_the_templates_schemes_nest() {
    let out = qrpay(&["decode", VIETQR_DYNAMIC], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let listing = stdout(&out);
    // 38.01 heads its objects, one level deeper, as a root template heads its own.
    assert_eq!(
        listing_row(&listing, "38.01"),
        ["38.01", "beneficiary organisation"]
    );
    assert_eq!(
        listing_row(&listing, "38.01.00"),
        ["38.01.00", "acquirer bin", "970403"]
    );
    assert_eq!(
        listing_row(&listing, "38.01.01"),
        ["38.01.01", "account or card number", "0011012345678"]
    );
    let indent = |path: &str| {
        let line = listing.lines().find(|l| l.trim_start().starts_with(path));
        line.map(|l| l.len() - l.trim_start().len())
    };
    assert_eq!(indent("38.01.00 "), indent("38.01 ").map(|i| i + 2));
    assert_eq!(indent("38.01 "), indent("38.00 "));
    let order: Vec<&str> = listing
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|p| p.starts_with("38"))
        .collect();
    assert_eq!(
        order,
        ["38", "38.00", "38.01", "38.01.00", "38.01.01", "38.02"]
    );

    // NAPAS's static example announces a 12-character account and writes 13: 38.01 does not
    // split, and keeps its one raw row.
    let napas_static = "00020101021138570010A00000072701270006970403011200110123456780208QRIBFTTA53037045802VN6304F4E5";
    let listing = stdout(&qrpay(&["decode", napas_static], None));
    assert_eq!(
        listing_row(&listing, "38.01"),
        [
            "38.01",
            "beneficiary organisation",
            "000697040301120011012345678"
        ]
    );
    assert!(!listing.contains("38.01.00"), "{listing}");

    // An object inside 38.01 that VietQR does not name is the network's own, as one level up.
    let extra = "00020101021238640010A00000072701340006970403011300110123456780203abc0208QRIBFTTA530370454061800005802VN6304F578";
    let listing = stdout(&qrpay(&["decode", extra], None));
    assert_eq!(
        listing_row(&listing, "38.01.02"),
        ["38.01.02", "payment network specific", "abc"]
    );

    // The JSON tree, which `encode --json` inverts, keeps 38.01 a primitive.
    let json = stdout(&qrpay(&["decode", "--json", VIETQR_DYNAMIC], None));
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let beneficiary = &json["objects"][2]["objects"][1];
    assert_eq!(beneficiary["tag"], "01");
    assert_eq!(beneficiary["value"], "000697040301130011012345678");
    assert!(beneficiary.get("objects").is_none());
}

#[test]
fn decode_json_reports_format_schemes_and_profiles() {
    let pix = "00020126510014br.gov.bcb.pix0115thalesog@me.com0210Pedido 123520400005303986540510.005802BR5914THALES OGLIARI6015SAO MIGUEL DO O62070503***63040DC6";
    let out = qrpay(&["decode", "--json", pix], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["format"], "emv-mpm");
    assert_eq!(json["schemes"], serde_json::json!(["pix"]));
    assert_eq!(json["profiles"][0]["details"]["key"], "thalesog@me.com");
    assert_eq!(json["profiles"][0]["details"]["key_kind"], "email");

    let upi = "upi://pay?pa=merchant@bank&pn=Shop%20One&am=10.00&cu=INR";
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&qrpay(&["decode", "--json", upi], None))).unwrap();
    assert_eq!(json["format"], "upi");
    assert_eq!(json["schemes"], serde_json::json!(["upi"]));
    assert_eq!(json["upi"]["payee_name"], "Shop One");
    assert_eq!(json["upi"]["amount"]["minor_units"], 1000);

    let out = qrpay(&["decode", "hello world"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("not a payment QR payload"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn render_then_scan_json_reads_and_decodes_the_payload() {
    let dir = std::env::temp_dir().join(format!("qrpay-cli-render-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let png = dir.join("code.png");
    let png_arg = png.to_str().unwrap();
    let out = qrpay(
        &[
            "render",
            "-",
            "-o",
            png_arg,
            "--ecc",
            "Q",
            "--caption",
            "BEST TRANSPORT 23.72",
        ],
        Some(SPEC_EXAMPLE),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let svg = dir.join("code.svg");
    let out = qrpay(&["render", SPEC_EXAMPLE, "-o", svg.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(std::fs::read_to_string(&svg).unwrap().contains("<path"));

    let out = qrpay(&["scan", "--json", png_arg], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let code = &json[0]["codes"][0];
    assert_eq!(json[0]["image"], png_arg);
    assert_eq!(code["text"], SPEC_EXAMPLE);
    assert_eq!(code["ecc"], "Q");
    assert_eq!(code["model"], 2);
    assert_eq!(code["decoded"]["format"], "emv-mpm");
    assert_eq!(code["decoded"]["crc"], "A13A");
    assert_eq!(code["error"], serde_json::Value::Null);
    assert_eq!(code["corners"].as_array().unwrap().len(), 4);

    // Without -o the code goes to the terminal as half blocks.
    let out = qrpay(&["render", "hi"], None);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains('▄'));
    // A quiet zone below 4 modules is a usage error; a file that is no image is refused.
    assert_eq!(
        qrpay(&["render", "hi", "--margin", "2"], None)
            .status
            .code(),
        Some(2)
    );
    let out = qrpay(&["scan", svg.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("image format not recognised"),
        "{}",
        stderr(&out)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn decode_reads_an_epc_payload_in_its_8_bit_character_set_from_stdin() {
    // Character set 3 (ISO 8859-2): "Łódź" as the bytes A3 F3 64 BC, not UTF-8.
    let mut bytes = b"BCD\n002\n3\nSCT\n\n".to_vec();
    bytes.extend_from_slice(&[0xA3, 0xF3, b'd', 0xBC]);
    bytes.extend_from_slice(b"\nPL61109010140000071219812874\nEUR10\n");
    let out = qrpay_bytes(&["decode", "--json", "-"], &bytes);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["format"], "epc");
    assert_eq!(json["epc"]["name"], "Łódź");
    assert_eq!(json["epc"]["character_set"], "iso8859_2");

    // Bytes that are neither UTF-8 nor EPC are refused with exit status 1.
    let out = qrpay_bytes(&["decode", "-"], b"upi://pay?pa=a\xFF");
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("not utf-8"), "{}", stderr(&out));
}

#[test]
fn an_epc_code_in_an_8_bit_character_set_goes_from_encode_to_render_to_scan() {
    // encode writes the one-byte-per-character form: Ł is A3 in ISO 8859-2 (set 3).
    let encoded = qrpay(
        &[
            "encode",
            "--format",
            "epc",
            "--epc-charset",
            "3",
            "--merchant-name",
            "Łódź Żółć",
            "--iban",
            "PL61109010140000071219812874",
            "--amount",
            "12.50",
        ],
        None,
    );
    assert_eq!(encoded.status.code(), Some(0), "{}", stderr(&encoded));
    let payload = encoded.stdout.strip_suffix(b"\n").unwrap().to_vec();
    assert!(std::str::from_utf8(&payload).is_err());
    assert!(payload.starts_with(b"BCD\n002\n3\nSCT\n\n\xA3\xF3d\xBC \xAF\xF3\xB3\xE6\n"));
    let out = qrpay_bytes(&["decode", "--json", "-"], &encoded.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["epc"]["name"], "Łódź Żółć");

    // render takes the bytes as they are, and scan reads them back.
    let dir = std::env::temp_dir().join(format!("qrpay-cli-epc8-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let png = dir.join("epc.png");
    let png_arg = png.to_str().unwrap();
    let out = qrpay_bytes(&["render", "-", "-o", png_arg], &encoded.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = qrpay(&["scan", "--json", png_arg], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let code = &json[0]["codes"][0];
    assert_eq!(code["decoded"]["format"], "epc", "{code}");
    assert_eq!(code["decoded"]["epc"]["name"], "Łódź Żółć");
    assert_eq!(code["decoded"]["epc"]["character_set"], "iso8859_2");
    std::fs::remove_dir_all(&dir).unwrap();

    // A set number outside 1–8 is a usage error.
    let out = qrpay(
        &[
            "encode",
            "--format",
            "epc",
            "--epc-charset",
            "9",
            "--merchant-name",
            "A",
            "--iban",
            "PL61109010140000071219812874",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--epc-charset"), "{}", stderr(&out));
}

#[test]
fn too_much_standard_input_is_refused_not_cut() {
    // One byte over the 1 MiB limit.
    // A payload that is too large is refused (1), as one given as an argument is.
    let out = qrpay_bytes(&["decode", "-"], &vec![b'0'; (1 << 20) + 1]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("more than 1048576 bytes"),
        "{}",
        stderr(&out)
    );
}

/// The real Pix code 0DC6 of tests/vectors/mpm_valid.tsv (pix-utils): canonical, so the
/// friendly fields of its `decode --json` rebuild it byte for byte.
const PIX: &str = "00020126510014br.gov.bcb.pix0115thalesog@me.com0210Pedido 123520400005303986540510.005802BR5914THALES OGLIARI6015SAO MIGUEL DO O62070503***63040DC6";

/// `qrpay encode ARGS`, expecting exit status `code` and, on failure, one line on stderr that
/// contains every one of `needles`; returns stdout without its line break.
fn encode_expect(args: &[&str], stdin: Option<&str>, code: i32, needles: &[&str]) -> String {
    let mut full = vec!["encode"];
    full.extend_from_slice(args);
    let out = qrpay(&full, stdin);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(code), "{args:?}: {err}");
    if code != 0 {
        assert!(out.stdout.is_empty(), "{args:?}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(!err.contains("at byte"), "{args:?}: {err}");
    }
    for needle in needles {
        assert!(err.contains(needle), "{args:?}: {needle:?} not in {err}");
    }
    stdout(&out).trim_end_matches('\n').to_owned()
}

/// `encode --json -` of `json`, expecting exit status `code` and `needles` in the error.
fn encode_json_expect(json: &serde_json::Value, code: i32, needles: &[&str]) -> String {
    encode_expect(&["--json", "-"], Some(&json.to_string()), code, needles)
}

/// `decode --json` of `payload`, parsed.
fn decode_json(payload: &str) -> serde_json::Value {
    let out = qrpay(&["decode", "--json", payload], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_str(&stdout(&out)).unwrap()
}

/// `merchant_account_information` as `decode --json` is to print it, derived from the tree:
/// each merchant account tag (02–51) to its value, or for a template to its sub-objects.
fn accounts_of(objects: &serde_json::Value) -> serde_json::Value {
    let mut accounts = serde_json::Map::new();
    for object in objects.as_array().unwrap() {
        let tag = object["tag"].as_str().unwrap();
        if !(2..=51).contains(&tag.parse::<u8>().unwrap()) {
            continue;
        }
        let value = match object.get("objects") {
            Some(children) => children
                .as_array()
                .unwrap()
                .iter()
                .map(|c| (c["tag"].as_str().unwrap().to_owned(), c["value"].clone()))
                .collect::<serde_json::Map<_, _>>()
                .into(),
            None => object["value"].clone(),
        };
        accounts.insert(tag.to_owned(), value);
    }
    accounts.into()
}

/// Without `objects`, `merchant_account_information` supplies the merchant accounts, which
/// no other field key can hold.
#[test]
fn encode_json_builds_from_friendly_fields_with_merchant_accounts() {
    let mut json = decode_json(PIX);
    let accounts = accounts_of(&json["objects"]);
    // Once `decode --json` prints the key, it must print what `encode --json` reads.
    if let Some(printed) = json.get("merchant_account_information") {
        assert_eq!(printed, &accounts);
    }
    json["merchant_account_information"] = accounts;
    // With `objects`, and without: the same payload.
    assert_eq!(encode_json_expect(&json, 0, &[]), PIX);
    json.as_object_mut().unwrap().remove("objects");
    assert_eq!(encode_json_expect(&json, 0, &[]), PIX);

    // Every real vector: without `objects`, the fields rebuild the payload when it is
    // canonical and breaks no rule, and are otherwise refused with a reason, never rebuilt
    // into something else.
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../qrpay-core/tests/vectors/mpm_valid.tsv"
    );
    let text = std::fs::read_to_string(path).unwrap();
    let mut rebuilt = 0;
    for payload in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter_map(|l| l.split('\t').nth(3))
    {
        let mut json = decode_json(payload);
        json["merchant_account_information"] = accounts_of(&json["objects"]);
        json.as_object_mut().unwrap().remove("objects");
        let out = qrpay(&["encode", "--json", "-"], Some(&json.to_string()));
        match out.status.code() {
            Some(0) => {
                assert_eq!(stdout(&out).trim_end(), payload);
                rebuilt += 1;
            }
            code => {
                assert_eq!(code, Some(1), "{payload}: {}", stderr(&out));
                assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
            }
        }
    }
    assert!(rebuilt >= 10, "{rebuilt} rebuilt");

    // By hand: the currency by its letters, the amount in minor units.
    let by_hand = serde_json::json!({
        "merchant_account_information": {"26": {"00": "br.gov.bcb.pix", "01": "thalesog@me.com"}},
        "merchant_category_code": "0000",
        "transaction_currency_alpha": "BRL",
        "transaction_amount_minor": 1000,
        "country_code": "BR",
        "merchant_name": "T",
        "merchant_city": "S",
    });
    let built = encode_json_expect(&by_hand, 0, &[]);
    let decoded = decode_json(&built);
    assert_eq!(decoded["transaction_currency"], "986");
    assert_eq!(decoded["transaction_amount"], "10.00");
    assert_eq!(
        decoded["objects"][1]["objects"][1]["value"],
        "thalesog@me.com"
    );

    // Letters where the numeric code goes: refused, naming the field and the code to use.
    let mut thb = by_hand.clone();
    thb["transaction_currency"] = "THB".into();
    encode_json_expect(&thb, 1, &["transaction_currency", "\"THB\"", "764"]);
    // A number where a string goes: refused, never dropped.
    let mut number = by_hand.clone();
    number["transaction_amount"] = serde_json::json!(23.72);
    encode_json_expect(&number, 1, &["transaction_amount must be a string"]);
    // Without any account the message names the key to give.
    let mut none = by_hand.clone();
    none.as_object_mut()
        .unwrap()
        .remove("merchant_account_information");
    encode_json_expect(&none, 1, &["merchant_account_information"]);
    // A key that is no merchant account tag.
    let mut bad = by_hand;
    bad["merchant_account_information"] = serde_json::json!({"52": "x"});
    encode_json_expect(&bad, 1, &["merchant_account_information", "\"52\""]);

    // With `objects`, the key must agree with them like every other field.
    let mut json = decode_json(PIX);
    json["merchant_account_information"] =
        serde_json::json!({"26": {"00": "br.gov.bcb.pix", "01": "someone@else.com"}});
    encode_json_expect(
        &json,
        1,
        &["merchant_account_information.26", "objects say"],
    );
    json["merchant_account_information"] = serde_json::json!({});
    encode_json_expect(&json, 1, &["merchant_account_information", "26"]);
    // A template may be given as its raw value.
    json["merchant_account_information"] =
        serde_json::json!({"26": "0014br.gov.bcb.pix0115thalesog@me.com0210Pedido 123"});
    assert_eq!(encode_json_expect(&json, 0, &[]), PIX);
}

/// `crc` and the keys decode derives must agree with `objects`, and unknown keys are refused.
#[test]
fn encode_json_checks_every_key_decode_prints() {
    let json = decode_json(PIX);
    let with = |key: &str, value: serde_json::Value| {
        let mut json = json.clone();
        json[key] = value;
        json
    };
    encode_json_expect(
        &with("crc", "ABCD".into()),
        1,
        &["field crc", "\"ABCD\"", "\"0DC6\""],
    );
    encode_json_expect(
        &with("transaction_amount_minor", 99.into()),
        1,
        &["transaction_amount_minor", "99", "1000"],
    );
    encode_json_expect(
        &with("transaction_currency_alpha", "USD".into()),
        1,
        &["transaction_currency_alpha", "BRL"],
    );
    encode_json_expect(
        &with("merchant_nam", "X".into()),
        1,
        &["unknown field", "merchant_nam"],
    );
    let mut typo = json.clone();
    typo["additional_data"]["reference_lable"] = "***".into();
    encode_json_expect(
        &typo,
        1,
        &["unknown field", "additional_data.reference_lable"],
    );
    // What decode reports about the payload (schemes, profiles, violations) is not read.
    let reports = with("violations", serde_json::json!([{"code": "made-up"}]));
    assert_eq!(encode_json_expect(&reports, 0, &[]), PIX);

    // An edited tree whose stale CRC is in `objects` and in `crc` alike gets a fresh CRC.
    let mut edited = json.clone();
    edited["objects"][4]["value"] = "11.00".into();
    edited["transaction_amount"] = "11.00".into();
    edited["transaction_amount_minor"] = 1100.into();
    assert_eq!(edited["crc"], "0DC6");
    let out = encode_json_expect(&edited, 0, &[]);
    assert!(out.contains("540511.00"), "{out}");
    assert!(!out.ends_with("0DC6"), "{out}");
    assert_eq!(qrpay(&["decode", &out], None).status.code(), Some(0));
    // The derived key left stale is refused.
    edited["transaction_amount_minor"] = 1000.into();
    encode_json_expect(&edited, 1, &["transaction_amount_minor", "1100"]);
}

/// An object tree that breaks EMV's rules is encoded as given, each broken rule a warning on
/// standard error.
#[test]
fn encode_json_warns_of_the_rules_the_objects_break() {
    let json = serde_json::json!({"objects": [
        {"tag": "00", "value": "01"},
        {"tag": "26", "value": "0003a.b"},
        {"tag": "59", "value": "A\nB"},
    ]});
    let out = qrpay(&["encode", "--json", "-"], Some(&json.to_string()));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("0002012607"), "{}", stdout(&out));
    let warnings = stderr(&out);
    assert!(
        warnings.lines().all(|l| l.starts_with("qrpay: warning: ")),
        "{warnings}"
    );
    assert!(
        warnings.contains("59: '\\n' at character 1 is not printable ASCII"),
        "{warnings}"
    );
    assert!(
        warnings.contains("missing mandatory object 52"),
        "{warnings}"
    );
    // A tree that breaks nothing says nothing.
    let clean = qrpay(&["decode", "--json", PIX], None);
    let out = qrpay(&["encode", "--json", "-"], Some(&stdout(&clean)));
    assert_eq!((out.status.code(), stderr(&out)), (Some(0), String::new()));
}

/// Building flags beside `--json` would be ignored, so they are refused.
#[test]
fn encode_json_with_building_flags_is_a_usage_error() {
    let json = stdout(&qrpay(&["decode", "--json", PIX], None));
    encode_expect(
        &["--json", "-", "--merchant-name", "OTHER", "--amount", "99"],
        Some(&json),
        2,
        &["--merchant-name", "--json"],
    );
    encode_expect(
        &["--json", "-", "--account", "26:a.b:01=x"],
        Some(&json),
        2,
        &["--account"],
    );
}

/// Enough for a valid payload, for the flags below to change one thing.
const BASE: &[&str] = &[
    "--account",
    "26:br.gov.bcb.pix:01=key",
    "--merchant-name",
    "A",
    "--city",
    "B",
    "--country",
    "BR",
    "--currency",
    "BRL",
];

/// `BASE` and `extra`.
fn with_base<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = BASE.to_vec();
    args.extend_from_slice(extra);
    args
}

/// Two flags that write the same object are refused rather than one of them dropped.
#[test]
fn flags_that_set_the_same_object_are_usage_errors() {
    let cases: &[(&[&str], &[&str])] = &[
        (
            &["--account", "26:com.example:01=x"],
            &["--account", "both set tag 26"],
        ),
        (
            &["--amount", "1", "--object", "54=2"],
            &["--amount", "--object", "54"],
        ),
        (
            &["--object", "59=X"],
            &["--merchant-name", "--object", "59"],
        ),
        (
            &["--reference", "R", "--object", "62=0503abc"],
            &["--reference", "--object", "62"],
        ),
        (
            &["--initiation", "static", "--object", "01=12"],
            &["--initiation", "--object", "01"],
        ),
        (
            &["--tip", "prompt", "--object", "56=1.00"],
            &["--tip", "--object", "56"],
        ),
        (
            &["--object", "64=x", "--object", "64=y"],
            &["--object", "64"],
        ),
        (
            &["--account", "27:com.example:00=other:01=x"],
            &["--account", "sub-tag 00"],
        ),
        (
            &["--account", "27:com.example:1=x"],
            &["--account", "two digits", ":01="],
        ),
        (
            &["--account", "27:com.example:01=x:01=y"],
            &["--account", "given twice"],
        ),
    ];
    for (extra, needles) in cases {
        encode_expect(&with_base(extra), None, 2, needles);
    }
    // Colons that start no sub-object stay in the value, and --object takes tags no flag sets.
    let out = encode_expect(
        &with_base(&[
            "--account",
            "27:com.example:01=a:b:123=c:02=http://x.example:8080",
            "--object",
            "64=0002ZH0102AB",
        ]),
        None,
        0,
        &[],
    );
    let json = decode_json(&out);
    let account = &json["objects"][3];
    assert_eq!(account["tag"], "27");
    assert_eq!(account["objects"][1]["value"], "a:b:123=c");
    assert_eq!(account["objects"][2]["value"], "http://x.example:8080");
    assert_eq!(json["merchant_information_language"]["merchant_name"], "AB");
}

/// A malformed flag value is a usage error (2); a value EMV refuses, and input over the limit,
/// are refusals (1).
#[test]
fn malformed_flag_values_exit_2_and_refused_values_exit_1() {
    for (extra, needle) in [
        (&["--initiation", "foo"][..], "--initiation"),
        (&["--account", "26"], "--account"),
        (&["--account", "26=x"], "--account"),
        (&["--object", "5=x"], "--object"),
        (&["--object", "63=ABCD"], "--object"),
        (&["--tip", "bogus"], "--tip"),
    ] {
        encode_expect(&with_base(extra), None, 2, &[needle]);
    }
    // Values of the right form that EMV refuses stay refusals.
    encode_expect(&with_base(&["--amount", "1.234"]), None, 1, &["--amount"]);
    encode_expect(&with_base(&["--tip", "fixed:x"]), None, 1, &["--tip"]);
    encode_expect(
        &["--account", "26:x", "--currency", "XYZ"],
        None,
        1,
        &["XYZ"],
    );
    // More JSON than any file could need is refused like a too-large payload; a file that
    // cannot be opened is a usage error.
    let big = " ".repeat((16 << 20) + 1);
    encode_expect(
        &["--json", "-"],
        Some(&big),
        1,
        &["more than 16777216 bytes"],
    );
    encode_expect(
        &["--json", "/nonexistent/qrpay.json"],
        None,
        2,
        &["cannot read"],
    );
}

/// Refusals name the flag or the JSON field, never a byte of a payload the user never saw.
#[test]
fn refusals_name_the_flag_or_json_field() {
    let jpy = &[
        "--account",
        "26:br.gov.bcb.pix:01=key",
        "--merchant-name",
        "A",
        "--city",
        "B",
        "--country",
        "JP",
        "--currency",
        "JPY",
        "--amount",
        "10.5",
    ];
    encode_expect(
        jpy,
        None,
        1,
        &["--amount \"10.5\"", "JPY has no minor unit"],
    );
    encode_expect(
        &[
            "--account",
            "26:br.gov.bcb.pix:01=key",
            "--country",
            "BR",
            "--city",
            "B",
            "--currency",
            "BRL",
        ],
        None,
        1,
        &["merchant name", "--merchant-name"],
    );
    encode_expect(
        &with_base(&["--postal-code", ""]),
        None,
        1,
        &["--postal-code", "empty"],
    );

    let json = |text: &str| serde_json::from_str::<serde_json::Value>(text).unwrap();
    encode_json_expect(
        &json(r#"{"objects":[{"tag":0}]}"#),
        1,
        &["objects[0]", "\"tag\""],
    );
    encode_json_expect(
        &json(r#"{"objects":[{"tag":"00","value":"01"},{"tag":"26","objects":[{"tag":"00"}]}]}"#),
        1,
        &["objects[1].objects[0]", "26.00", "\"value\""],
    );
    encode_json_expect(
        &json(r#"{"objects":[{"tag":"00","valeu":"01"}]}"#),
        1,
        &["objects[0]", "\"valeu\""],
    );
    let mut number = decode_json(SPEC_EXAMPLE);
    number["transaction_amount"] = serde_json::json!(23.72);
    encode_json_expect(&number, 1, &["field transaction_amount must be a string"]);
    // A friendly build names the field behind the refused object.
    let mut fields = decode_json(PIX);
    fields.as_object_mut().unwrap().remove("objects");
    fields.as_object_mut().unwrap().remove("crc");
    fields["merchant_account_information"] = accounts_of(&decode_json(PIX)["objects"]);
    fields["transaction_amount"] = "10.001".into();
    fields["transaction_amount_minor"] = serde_json::Value::Null;
    encode_json_expect(&fields, 1, &["field transaction_amount", "BRL"]);
}
