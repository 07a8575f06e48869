//! `qrpay encode`.

use std::process::ExitCode;

use clap::Args;
use qrpay_core::emv::{
    decode, encode_objects, Object, PayloadBuilder, PointOfInitiation, TipOrConvenience, Value,
};
use qrpay_core::{Amount, Currency, Tag};
use serde_json::{Map, Value as Json};

use crate::{fail, input, REFUSED, USAGE};

mod flags;
mod format;
mod scheme;

/// Arguments of `qrpay encode`.
#[derive(Debug, Args)]
pub(crate) struct EncodeArgs {
    /// Build from the JSON that `decode --json` prints (a file, or `-` for standard input).
    #[arg(long, value_name = "FILE")]
    json: Option<String>,
    /// Merchant account template: `TAG:GUI[:SUB=VALUE…]` (26–51), or `TAG=VALUE` (02–25).
    /// With --scheme, the payee's account: duitnow the QR id or merchant id (26.02), vietqr
    /// the account or card number, qrph --qrph-p2p the account number (27.04).
    #[arg(long, value_name = "SPEC")]
    account: Vec<String>,
    /// Merchant name (59).
    #[arg(long)]
    merchant_name: Option<String>,
    /// Merchant city (60).
    #[arg(long)]
    city: Option<String>,
    /// Merchant category code (52), `0000` by default.
    #[arg(long)]
    mcc: Option<String>,
    /// Transaction currency (53): alphabetic (`IDR`) or numeric (`360`).
    #[arg(long)]
    currency: Option<String>,
    /// Transaction amount (54) in the currency's major unit (`25000`, `12.50`).
    #[arg(long)]
    amount: Option<String>,
    /// Country code (58).
    #[arg(long)]
    country: Option<String>,
    /// Postal code (61).
    #[arg(long)]
    postal_code: Option<String>,
    /// Point of initiation (01): `static` or `dynamic`; dynamic by default when an amount is given.
    #[arg(long, value_name = "static|dynamic")]
    initiation: Option<String>,
    /// Reference label (62.05).
    #[arg(long)]
    reference: Option<String>,
    /// Bill number (62.01).
    #[arg(long)]
    bill_number: Option<String>,
    /// Store label (62.03).
    #[arg(long)]
    store_label: Option<String>,
    /// Terminal label (62.07).
    #[arg(long)]
    terminal_label: Option<String>,
    /// Purpose of transaction (62.08).
    #[arg(long)]
    purpose: Option<String>,
    /// Tip or convenience fee: `prompt`, `fixed:AMOUNT` or `percent:PERCENT`.
    #[arg(long, value_name = "KIND")]
    tip: Option<String>,
    /// Any other root object, `TAG=VALUE`.
    #[arg(long, value_name = "TAG=VALUE")]
    object: Vec<String>,
    #[command(flatten)]
    scheme: scheme::SchemeArgs,
    #[command(flatten)]
    format: format::FormatArgs,
}

pub(crate) fn run(args: &EncodeArgs) -> ExitCode {
    let typed = match (args.scheme.scheme, args.format.format) {
        (Some(kind), _) => Some(scheme::build(args, kind).map(String::into_bytes)),
        (None, Some(kind)) => Some(format::build(args, kind)),
        (None, None) => flags::only(
            args,
            "qrpay encode without --scheme or --format",
            flags::GENERIC,
        )
        .err()
        .map(Err),
    };
    match typed {
        Some(Ok(payload)) => return print_bytes(&payload),
        Some(Err(flags::FlagError::Usage(e))) => return fail(USAGE, e),
        Some(Err(flags::FlagError::Refused(e))) => return fail(REFUSED, e),
        None => {}
    }
    let result = match &args.json {
        Some(file) => match input::file_arg(file) {
            Ok(text) => from_json(&text),
            Err(e) => return fail(USAGE, format_args!("cannot read {file}: {e}")),
        },
        None => from_flags(args),
    };
    match result {
        Ok(payload) => {
            println!("{payload}");
            ExitCode::SUCCESS
        }
        Err(e) => fail(REFUSED, e),
    }
}

/// Writes `payload` and a line break to standard output as raw bytes (an EPC code in an ISO
/// 8859 character set is not UTF-8).
fn print_bytes(payload: &[u8]) -> ExitCode {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match out
        .write_all(payload)
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush())
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(REFUSED, format_args!("cannot write the payload: {e}")),
    }
}

/// Builds from flags, canonically.
fn from_flags(args: &EncodeArgs) -> Result<String, String> {
    let mut b = PayloadBuilder::new();
    let poi = match args.initiation.as_deref() {
        Some("static") => PointOfInitiation::Static,
        Some("dynamic") => PointOfInitiation::Dynamic,
        Some(other) => return Err(format!("--initiation {other:?}: use static or dynamic")),
        None if args.amount.is_some() => PointOfInitiation::Dynamic,
        None => PointOfInitiation::Static,
    };
    b = b.point_of_initiation(poi);
    for spec in &args.account {
        b = add_account(b, spec)?;
    }
    b = b.merchant_category_code(args.mcc.as_deref().unwrap_or("0000"));
    if let Some(code) = &args.currency {
        let currency =
            Currency::parse(code).ok_or_else(|| format!("--currency {code:?} is not ISO 4217"))?;
        b = b.currency(currency);
    }
    if let Some(amount) = &args.amount {
        b = b.amount(amount);
    }
    if let Some(tip) = &args.tip {
        b = b.tip_or_convenience(parse_tip(tip)?);
    }
    let optional = [
        (58, &args.country),
        (59, &args.merchant_name),
        (60, &args.city),
        (61, &args.postal_code),
    ];
    for (id, value) in optional {
        if let Some(v) = value {
            b = b.object(id, v);
        }
    }
    let additional = [
        (1, &args.bill_number),
        (3, &args.store_label),
        (5, &args.reference),
        (7, &args.terminal_label),
        (8, &args.purpose),
    ];
    for (id, value) in additional {
        if let Some(v) = value {
            b = b.additional_data(id, v);
        }
    }
    for raw in &args.object {
        let (tag, value) = raw
            .split_once('=')
            .ok_or_else(|| format!("--object {raw:?}: use TAG=VALUE"))?;
        let tag: Tag = tag
            .parse()
            .map_err(|_| format!("--object {raw:?}: bad tag"))?;
        b = b.object(tag.get(), value);
    }
    b.build().map_err(|e| e.to_string())
}

fn parse_tip(text: &str) -> Result<TipOrConvenience, String> {
    let bad = || format!("--tip {text:?}: use prompt, fixed:AMOUNT or percent:PERCENT");
    match text.split_once(':') {
        None if text == "prompt" => Ok(TipOrConvenience::PromptTip),
        Some(("fixed", amount)) => Ok(TipOrConvenience::FixedFee(
            Amount::parse(amount).map_err(|e| format!("--tip: {e}"))?,
        )),
        Some(("percent", pct)) => {
            let hundredths = Amount::parse(pct)
                .ok()
                .and_then(|a| a.to_minor(2).ok())
                .and_then(|h| u16::try_from(h).ok())
                .ok_or_else(bad)?;
            Ok(TipOrConvenience::PercentageFee { hundredths })
        }
        _ => Err(bad()),
    }
}

/// `TAG:GUI[:SUB=VALUE…]` or `TAG=VALUE`.
fn add_account(b: PayloadBuilder, spec: &str) -> Result<PayloadBuilder, String> {
    let bad = |why: &str| format!("--account {spec:?}: {why}");
    if let Some((tag, value)) = spec.split_once('=').filter(|(t, _)| t.len() == 2) {
        let tag: Tag = tag.parse().map_err(|_| bad("bad tag"))?;
        return Ok(b.merchant_account_primitive(tag.get(), value));
    }
    let (tag, rest) = spec
        .split_once(':')
        .ok_or_else(|| bad("use TAG:GUI[:SUB=VALUE…]"))?;
    let tag: Tag = tag.parse().map_err(|_| bad("bad tag"))?;
    // Sub-fields start at ":NN=", so a GUI or value may itself contain colons.
    let mut cuts: Vec<usize> = rest
        .match_indices(':')
        .map(|(i, _)| i)
        .filter(|&i| {
            let s = rest.as_bytes();
            matches!(s.get(i + 1..i + 4), Some([a, b, b'=']) if a.is_ascii_digit() && b.is_ascii_digit())
        })
        .collect();
    cuts.push(rest.len());
    let gui = rest
        .get(..cuts.first().copied().unwrap_or(rest.len()))
        .unwrap_or_default();
    let mut fields = Vec::new();
    for (&from, &to) in cuts.iter().zip(cuts.iter().skip(1)) {
        let part = rest.get(from + 1..to).unwrap_or_default();
        let (sub, value) = part.split_once('=').ok_or_else(|| bad("use SUB=VALUE"))?;
        let sub: Tag = sub.parse().map_err(|_| bad("bad sub-tag"))?;
        fields.push((sub.get(), value.to_owned()));
    }
    let fields: Vec<(u8, &str)> = fields.iter().map(|(t, v)| (*t, v.as_str())).collect();
    Ok(b.merchant_account(tag.get(), gui, &fields))
}

/// The friendly keys of `decode --json` checked against `objects`.
const FRIENDLY: [&str; 14] = [
    "payload_format_indicator",
    "point_of_initiation_method",
    "merchant_category_code",
    "transaction_currency",
    "transaction_amount",
    "tip_or_convenience_indicator",
    "convenience_fee_fixed",
    "convenience_fee_percentage",
    "country_code",
    "merchant_name",
    "merchant_city",
    "postal_code",
    "additional_data",
    "merchant_information_language",
];

/// Builds from `decode --json` output: `objects` is the source of truth when present, and a
/// friendly field that disagrees with it is an error; without `objects`, the friendly fields
/// build a canonical payload.
fn from_json(text: &str) -> Result<String, String> {
    let json: Json = serde_json::from_str(text).map_err(|e| format!("bad JSON: {e}"))?;
    let Json::Object(map) = json else {
        return Err("bad JSON: expected an object".into());
    };
    match map.get("format").and_then(Json::as_str) {
        None | Some("emv-mpm") => {}
        Some(other) => return Err(format!("format {other:?} is not emv-mpm")),
    }
    match map.get("objects") {
        Some(Json::Array(items)) => {
            let objects = objects_from_json(items, "")?;
            let payload = encode_objects(&objects).map_err(|e| e.to_string())?;
            check_agreement(&map, &payload)?;
            Ok(payload)
        }
        Some(_) => Err("objects must be an array".into()),
        None => from_friendly(&map),
    }
}

fn objects_from_json(items: &[Json], parent: &str) -> Result<Vec<Object>, String> {
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let tag_text = item
            .get("tag")
            .and_then(Json::as_str)
            .ok_or_else(|| format!("{parent}: object without a \"tag\" string"))?;
        let tag: Tag = tag_text
            .parse()
            .map_err(|_| format!("{parent}: bad tag {tag_text:?}"))?;
        let path = if parent.is_empty() {
            tag_text.to_owned()
        } else {
            format!("{parent}.{tag_text}")
        };
        let value = item.get("value").and_then(Json::as_str);
        match item.get("objects") {
            Some(Json::Array(children)) => {
                let children = objects_from_json(children, &path)?;
                if let Some(value) = value {
                    let mut encoded = String::new();
                    for c in &children {
                        encoded.push_str(&encode_child(c)?);
                    }
                    if encoded != value {
                        return Err(format!(
                            "tag {path}: \"value\" disagrees with its \"objects\" (remove one)"
                        ));
                    }
                }
                out.push(Object::template(tag, children));
            }
            Some(_) => return Err(format!("tag {path}: \"objects\" must be an array")),
            None => {
                let value = value.ok_or_else(|| format!("tag {path}: no \"value\" string"))?;
                out.push(Object::primitive(tag, value));
            }
        }
    }
    Ok(out)
}

fn encode_child(object: &Object) -> Result<String, String> {
    let value = match &object.value {
        Value::Primitive(v) => v.clone(),
        Value::Template(children) => children
            .iter()
            .map(encode_child)
            .collect::<Result<String, _>>()?,
    };
    let len = value.chars().count();
    if len > 99 {
        return Err(format!(
            "tag {}: value has {len} characters, at most 99",
            object.tag
        ));
    }
    Ok(format!("{}{len:02}{value}", object.tag))
}

fn check_agreement(map: &Map<String, Json>, payload: &str) -> Result<(), String> {
    let decoded = decode(payload).map_err(|e| e.to_string())?;
    let derived = serde_json::to_value(&decoded).map_err(|e| e.to_string())?;
    for key in FRIENDLY {
        let Some(given) = map.get(key) else { continue };
        let actual = derived.get(key).unwrap_or(&Json::Null);
        if !agrees(given, actual) {
            return Err(format!("field {key} is {given} but objects say {actual}"));
        }
    }
    Ok(())
}

/// `given` agrees with `actual` when equal, or, for objects, when every key given agrees.
fn agrees(given: &Json, actual: &Json) -> bool {
    match (given, actual) {
        (Json::Object(g), Json::Object(a)) => g
            .iter()
            .all(|(k, v)| agrees(v, a.get(k).unwrap_or(&Json::Null))),
        _ => given == actual,
    }
}

fn from_friendly(map: &Map<String, Json>) -> Result<String, String> {
    let text = |key: &str| map.get(key).and_then(Json::as_str);
    let mut b = PayloadBuilder::new();
    let roots = [
        (1, "point_of_initiation_method"),
        (52, "merchant_category_code"),
        (53, "transaction_currency"),
        (54, "transaction_amount"),
        (55, "tip_or_convenience_indicator"),
        (56, "convenience_fee_fixed"),
        (57, "convenience_fee_percentage"),
        (58, "country_code"),
        (59, "merchant_name"),
        (60, "merchant_city"),
        (61, "postal_code"),
    ];
    for (id, key) in roots {
        if let Some(v) = text(key) {
            b = b.object(id, v);
        }
    }
    if let Some(Json::Object(add)) = map.get("additional_data") {
        let keys = [
            "bill_number",
            "mobile_number",
            "store_label",
            "loyalty_number",
            "reference_label",
            "customer_label",
            "terminal_label",
            "purpose_of_transaction",
            "additional_consumer_data_request",
            "merchant_tax_id",
            "merchant_channel",
        ];
        for (i, key) in (1u8..).zip(keys) {
            if let Some(v) = add.get(key).and_then(Json::as_str) {
                b = b.additional_data(i, v);
            }
        }
    }
    if let Some(Json::Object(lang)) = map.get("merchant_information_language") {
        let get = |k: &str| lang.get(k).and_then(Json::as_str);
        if let (Some(pref), Some(name)) = (get("language_preference"), get("merchant_name")) {
            b = b.language_template(pref, name, get("merchant_city"));
        }
    }
    b.build().map_err(|e| e.to_string())
}
