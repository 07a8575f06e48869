//! `qrpay decode`.

use std::process::ExitCode;

use clap::Args;
use qrpay_core::any::{decode_any, decode_any_bytes, AnyPayload, Format};
use qrpay_core::emv::{field_name, DataObject, Decoder, Payload, Violation};
use qrpay_core::schemes::{self, promptpay::PromptPay};

use crate::{fail, input, REFUSED};

/// Arguments of `qrpay decode`.
#[derive(Debug, Args)]
pub(crate) struct DecodeArgs {
    /// Print one JSON object instead of a listing.
    #[arg(long)]
    json: bool,
    /// Refuse payloads that break any rule of the specification.
    #[arg(long)]
    strict: bool,
    /// The payload, or `-` to read its bytes from standard input (they need not be UTF-8: an
    /// EPC code may declare an ISO 8859 character set).
    payload: String,
}

pub(crate) fn run(args: &DecodeArgs) -> ExitCode {
    let bytes = match input::payload_or_exit(&args.payload) {
        Ok(bytes) => bytes,
        Err(code) => return code,
    };
    let decoded = match std::str::from_utf8(&bytes) {
        Ok(text) => match Format::detect(text) {
            Some(Format::EmvMpm) => Decoder::new()
                .strict(args.strict)
                .decode(text)
                .map(AnyPayload::EmvMpm)
                .map_err(|e| e.to_string()),
            _ => decode_any(text).map_err(|e| e.to_string()),
        },
        // Not UTF-8: only an EPC payload in the ISO 8859 set it declares can be read.
        Err(_) => decode_any_bytes(&bytes).map_err(|e| e.to_string()),
    };
    let decoded = match decoded {
        Ok(d) => d,
        Err(e) => return fail(REFUSED, e),
    };
    if args.strict {
        if let AnyPayload::EmvMpm(p) = &decoded {
            if let Some(v) = schemes::detect(p).iter().flat_map(|s| &s.violations).next() {
                return fail(REFUSED, v);
            }
        }
    }
    if args.json {
        match serde_json::to_string(&decoded) {
            Ok(json) => crate::outln!("{json}"),
            Err(e) => return fail(REFUSED, e),
        }
    } else {
        match &decoded {
            AnyPayload::EmvMpm(p) => crate::out(format_args!("{}", listing(p))),
            other => crate::out(format_args!("{}", generic_listing(other))),
        }
    }
    ExitCode::SUCCESS
}

/// A `key  value` listing of any format's JSON fields, nested keys joined with dots.
fn generic_listing(decoded: &AnyPayload<'_>) -> String {
    fn walk(prefix: &str, value: &serde_json::Value, rows: &mut Vec<(String, String)>) {
        match value {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    let key = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(&key, v, rows);
                }
            }
            serde_json::Value::Array(items) if !items.is_empty() => {
                for (i, v) in items.iter().enumerate() {
                    walk(&format!("{prefix}[{i}]"), v, rows);
                }
            }
            serde_json::Value::Null => {}
            serde_json::Value::String(s) => rows.push((prefix.to_owned(), s.clone())),
            other => rows.push((prefix.to_owned(), other.to_string())),
        }
    }
    let mut rows = Vec::new();
    if let Ok(value) = serde_json::to_value(decoded) {
        walk("", &value, &mut rows);
    }
    let width = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
    rows.iter()
        .map(|(k, v)| format!("{k:<width$}  {v}\n"))
        .collect()
}

/// An aligned, human-readable listing of every object with its name.
pub(crate) fn listing(payload: &Payload<'_>) -> String {
    let mut rows: Vec<(String, String, String)> = Vec::new();
    rows.push((
        String::new(),
        "format".into(),
        "EMV merchant-presented mode".into(),
    ));
    let found = schemes::detect(payload);
    if !found.is_empty() {
        let names: Vec<String> = found
            .iter()
            .map(|s| format!("{} (in {})", s.id, s.location))
            .collect();
        rows.push((String::new(), "schemes".into(), names.join(", ")));
    }
    for object in payload.objects() {
        push_rows(&mut rows, object, payload);
    }
    let w_path = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
    let w_name = rows.iter().map(|r| r.1.chars().count()).max().unwrap_or(0);
    let mut out = String::new();
    for (path, name, value) in rows {
        let line = format!("{path:<w_path$}  {name:<w_name$}  {value}");
        out.push_str(line.trim_end());
        out.push('\n');
    }
    for v in found.iter().flat_map(|s| &s.violations) {
        out.push_str(&format!("scheme rule: {v}\n"));
    }
    if payload.violations().is_empty() {
        out.push_str("valid: no rule of the specification is broken\n");
    } else {
        out.push_str(&format!("violations ({}):\n", payload.violations().len()));
        // In payload order, the columns aligned.
        let mut found: Vec<(String, &Violation)> = payload
            .violations()
            .iter()
            .map(|v| (v.path.to_string(), v))
            .collect();
        found.sort_by_key(|(_, v)| v.offset);
        let w_path = found.iter().map(|(p, _)| p.len()).max().unwrap_or(0);
        let w_offset = found
            .iter()
            .map(|(_, v)| v.offset.to_string().len())
            .max()
            .unwrap_or(0);
        for (path, v) in found {
            out.push_str(&format!(
                "  {path:<w_path$}  byte {:<w_offset$}  {}: {}\n",
                v.offset,
                v.code(),
                v.rule
            ));
        }
    }
    out
}

fn push_rows(
    rows: &mut Vec<(String, String, String)>,
    object: &DataObject<'_>,
    payload: &Payload<'_>,
) {
    let depth = object.path().depth().saturating_sub(1);
    let indent = "  ".repeat(depth);
    let path = format!("{indent}{}", object.path());
    // A national scheme's own name for a field of its template, else EMV's.
    let name = schemes::field_name(payload, object.path())
        .unwrap_or_else(|| field_name(object.path()))
        .to_owned();
    // TrueMoney's personal message (81 in a PromptPay code) is UCS-2 in hex: shown decoded.
    if depth == 0 && object.tag().get() == 81 {
        if let Some(message) = PromptPay::from_payload(payload).and_then(|v| v.message) {
            let value = format!("{} ({message:?})", object.value());
            rows.push((path, "truemoney message".into(), value));
            return;
        }
    }
    if let Some(children) = object.children() {
        rows.push((path, name, String::new()));
        for child in children {
            push_rows(rows, &child, payload);
        }
        return;
    }
    // A template a scheme nests in its own (VietQR's 38.01), which the decoder keeps as text:
    // its objects one level deeper, or the raw value when it does not split into objects.
    if let Some(nested) = schemes::nested_objects(payload, object.path()) {
        rows.push((path, name, String::new()));
        let indent = "  ".repeat(depth + 1);
        for inner in nested {
            let path = inner.path();
            // EMV names nothing this deep; an object the scheme does not name either is the
            // network's own, as at the level above.
            let name = schemes::field_name(payload, path)
                .or(Some(field_name(path)).filter(|n| !n.is_empty()))
                .unwrap_or("payment network specific");
            rows.push((
                format!("{indent}{path}"),
                name.to_owned(),
                inner.value().to_owned(),
            ));
        }
        return;
    }
    let mut value = object.value().to_owned();
    match object.tag().get() {
        1 if depth == 0 => match payload.point_of_initiation() {
            Some(poi) => value.push_str(&format!(" ({})", format!("{poi:?}").to_lowercase())),
            None => value.push_str(" (unknown)"),
        },
        53 if depth == 0 => {
            if let Some(c) = payload.currency() {
                value.push_str(&format!(" ({})", c.alpha()));
            }
        }
        54 if depth == 0 => {
            if let (Some(minor), Some(c)) = (payload.amount_minor(), payload.currency()) {
                value.push_str(&format!(" ({} minor units of {})", minor, c.alpha()));
            }
        }
        55 if depth == 0 => value.push_str(match object.value() {
            "01" => " (the customer is asked for a tip)",
            "02" => " (fixed convenience fee, 56)",
            "03" => " (percentage convenience fee, 57)",
            _ => " (unknown)",
        }),
        63 if depth == 0 => value.push_str(" (matches)"),
        _ => {}
    }
    rows.push((path, name, value));
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::listing;

    #[test]
    fn the_listing_is_aligned_in_payload_order_without_trailing_blanks() {
        // ABA's KHQR test code: an account id in 29.00 and a timestamp in 99.00, both where
        // EMV wants a GUI; 55 asks for a fixed fee. The CRC was recomputed for the 55/56 added.
        let text = "00020101021229180014jonhsmith@nbcq520459995303116540750000.0550202560410.05802KH5910Jonh Smith6010Phnom Penh6215021185512345678991700131625713467827630405AE";
        let payload = qrpay_core::emv::decode(text).unwrap();
        let out = listing(&payload);
        assert!(out.lines().all(|l| !l.ends_with(' ')), "{out}");
        assert!(out.contains("02 (fixed convenience fee, 56)"), "{out}");
        let violations: Vec<&str> = out
            .lines()
            .skip_while(|l| !l.starts_with("violations"))
            .skip(1)
            .collect();
        assert_eq!(violations.len(), 2, "{out}");
        assert!(
            violations[0].starts_with("  29.00  byte 16   gui-format"),
            "{out}"
        );
        assert!(
            violations[1].starts_with("  99.00  byte 131  gui-format"),
            "{out}"
        );
    }

    #[test]
    fn a_truemoney_message_is_listed_decoded() {
        // maythiwat/promptparse's TrueMoney example (tests/vectors/mpm_valid.tsv, F5A2).
        let text = "00020101021229390016A000000677010111031514000080111111153037645802TH540510.05814800480065006C006C006F00200057006F0072006C006400216304F5A2";
        let out = listing(&qrpay_core::emv::decode(text).unwrap());
        let row = out.lines().find(|l| l.starts_with("81 ")).unwrap();
        assert!(row.contains("truemoney message"), "{out}");
        assert!(row.ends_with("(\"Hello World!\")"), "{out}");
    }
}
