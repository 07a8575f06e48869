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
    let out = qrpay_bytes(&["decode", "-"], &vec![b'0'; (1 << 20) + 1]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("more than 1048576 bytes"),
        "{}",
        stderr(&out)
    );
}
