//! `qrpay encode --json`: the inverse of `qrpay decode --json`.
//!
//! Every key `decode --json` prints for an EMV merchant-presented payload is read:
//!
//! - `objects`, the object tree, is the source of truth when present: it is encoded in the
//!   order given, and every other key given must agree with it. A CRC object that is not the
//!   CRC of the objects before it (the tree was edited) is replaced by a fresh upper-case CRC.
//! - Without `objects`, the field keys build a canonical payload, and the keys that derive from
//!   others (`transaction_currency_alpha`, `transaction_amount_minor`, `crc`) must agree with
//!   what the others built. `transaction_currency_alpha` sets the currency and
//!   `transaction_amount_minor` the amount when `transaction_currency` or `transaction_amount`
//!   is absent.
//! - `format` must be `emv-mpm`. `schemes`, `profiles` and `violations` are reports `decode`
//!   derives from the payload; they are ignored.
//! - Any other key is an error, so that a misspelt key is not silently ignored.
//!
//! A field that is null or absent states nothing. `merchant_account_information` maps each
//! merchant account tag (02–51) to its value: a string, or for a template an object from
//! sub-tag to value (`{"26": {"00": "br.gov.bcb.pix", "01": "key"}}`); it must list every
//! account the payload has.

use qrpay_core::emv::{decode, encode_objects, Object, Payload, PayloadBuilder, Value};
use qrpay_core::{Currency, Tag, TagPath};
use serde_json::{Map, Value as Json};

use super::flags::FlagError;
use super::refusal::{explain, Names};
use crate::input;

/// Builds the payload that the JSON in `file` (`-` for standard input) describes.
pub(super) fn build(file: &str) -> Result<String, FlagError> {
    let text = input::file_arg(file).map_err(|e| match (input::is_refusal(&e), file) {
        (true, "-") => FlagError::Refused(e.to_string()),
        (true, _) => FlagError::Refused(format!("{file}: {e}")),
        (false, _) => FlagError::Usage(format!("cannot read {file}: {e}")),
    })?;
    from_json(&text).map_err(FlagError::Refused)
}

/// What a key of `decode --json` holds.
#[derive(Debug, Clone, Copy)]
enum Shape {
    /// `"emv-mpm"`.
    Format,
    /// The object tree: an array of `{"tag", "value", "objects"}`.
    Objects,
    /// A string or null.
    Text,
    /// A whole number or null.
    Count,
    /// Null, or an object from merchant account tag to a string or to an object from sub-tag
    /// to string.
    Accounts,
    /// Null, or an object of these keys, each a string or null.
    Fields(&'static [&'static str]),
    /// A report `decode` derives from the payload: ignored.
    Ignored,
}

/// Every key `decode --json` prints for an EMV merchant-presented payload, and the one this
/// command reads for merchant accounts.
const KEYS: [(&str, Shape); 23] = [
    ("format", Shape::Format),
    ("schemes", Shape::Ignored),
    ("profiles", Shape::Ignored),
    ("objects", Shape::Objects),
    ("payload_format_indicator", Shape::Text),
    ("point_of_initiation_method", Shape::Text),
    ("merchant_account_information", Shape::Accounts),
    ("merchant_category_code", Shape::Text),
    ("transaction_currency", Shape::Text),
    ("transaction_currency_alpha", Shape::Text),
    ("transaction_amount", Shape::Text),
    ("transaction_amount_minor", Shape::Count),
    ("tip_or_convenience_indicator", Shape::Text),
    ("convenience_fee_fixed", Shape::Text),
    ("convenience_fee_percentage", Shape::Text),
    ("country_code", Shape::Text),
    ("merchant_name", Shape::Text),
    ("merchant_city", Shape::Text),
    ("postal_code", Shape::Text),
    ("additional_data", Shape::Fields(&ADDITIONAL)),
    ("merchant_information_language", Shape::Fields(&LANGUAGE)),
    ("crc", Shape::Text),
    ("violations", Shape::Ignored),
];

/// The keys of `additional_data`, for sub-tags 01 to 11 in order.
const ADDITIONAL: [&str; 11] = [
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

/// The keys of `merchant_information_language`, for sub-tags 00 to 02 in order.
const LANGUAGE: [&str; 3] = ["language_preference", "merchant_name", "merchant_city"];

/// The keys that hold one root object's value.
const ROOTS: [(u8, &str); 13] = [
    (0, "payload_format_indicator"),
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
    (63, "crc"),
];

const ACCOUNTS: &str = "merchant_account_information";

/// Builds from `decode --json` output (see the module documentation).
fn from_json(text: &str) -> Result<String, String> {
    let json: Json = serde_json::from_str(text).map_err(|e| format!("bad JSON: {e}"))?;
    let Json::Object(map) = json else {
        return Err("bad JSON: expected an object".into());
    };
    check_shapes(&map)?;
    match map.get("objects") {
        Some(Json::Array(items)) => {
            let objects = objects_from_json(items, "objects", "")?;
            let payload = encode_objects(&objects).map_err(|e| format!("objects: {e}"))?;
            let crc_object = match objects.last() {
                Some(Object {
                    tag: Tag::CRC,
                    value: Value::Primitive(text),
                }) => Some(text.as_str()),
                _ => None,
            };
            check_agreement(&map, &payload, Source::Objects { crc_object })?;
            // The tree is encoded as given, national deviations and all; what it breaks of
            // EMV's rules is said, not refused.
            if let Ok(decoded) = decode(&payload) {
                for v in decoded.violations() {
                    eprintln!("qrpay: warning: {v} ({})", v.code());
                }
            }
            Ok(payload)
        }
        _ => {
            let payload = from_fields(&map)?;
            check_agreement(&map, &payload, Source::Fields)?;
            Ok(payload)
        }
    }
}

/// Refuses a key `decode --json` does not print and a value of the wrong type.
fn check_shapes(map: &Map<String, Json>) -> Result<(), String> {
    for (key, value) in map {
        let Some(&(_, shape)) = KEYS.iter().find(|(k, _)| k == key) else {
            return Err(format!(
                "unknown field {key:?}: decode --json prints no such key"
            ));
        };
        match shape {
            Shape::Format => match value.as_str() {
                Some("emv-mpm") => {}
                Some(other) => return Err(format!("format {other:?} is not emv-mpm")),
                None => return Err(format!("field format must be a string, not {value}")),
            },
            Shape::Objects if !value.is_array() => {
                return Err(format!("field objects must be an array, not {value}"))
            }
            Shape::Text => text_or_null(key, value)?,
            Shape::Count if !value.is_null() && !value.is_u64() => {
                return Err(format!(
                    "field {key} must be a whole number or null, not {value}"
                ))
            }
            Shape::Fields(keys) => fields_shape(key, value, keys)?,
            Shape::Accounts => accounts_shape(value)?,
            Shape::Objects | Shape::Count | Shape::Ignored => {}
        }
    }
    Ok(())
}

fn text_or_null(key: &str, value: &Json) -> Result<(), String> {
    match value {
        Json::String(_) | Json::Null => Ok(()),
        other => Err(format!("field {key} must be a string or null, not {other}")),
    }
}

fn fields_shape(key: &str, value: &Json, keys: &[&str]) -> Result<(), String> {
    let inner = match value {
        Json::Null => return Ok(()),
        Json::Object(inner) => inner,
        other => {
            return Err(format!(
                "field {key} must be an object or null, not {other}"
            ))
        }
    };
    for (k, v) in inner {
        if !keys.contains(&k.as_str()) {
            return Err(format!(
                "unknown field {key}.{k}: decode --json prints no such key"
            ));
        }
        text_or_null(&format!("{key}.{k}"), v)?;
    }
    Ok(())
}

fn accounts_shape(value: &Json) -> Result<(), String> {
    let accounts = match value {
        Json::Null => return Ok(()),
        Json::Object(accounts) => accounts,
        other => {
            return Err(format!(
                "field {ACCOUNTS} must be an object or null, not {other}"
            ))
        }
    };
    for (tag, account) in accounts {
        if !tag.parse::<Tag>().is_ok_and(Tag::is_merchant_account) {
            return Err(format!(
                "field {ACCOUNTS}: key {tag:?} is not a merchant account tag (02 to 51)"
            ));
        }
        let fields = match account {
            Json::String(_) => continue,
            Json::Object(fields) => fields,
            other => {
                return Err(format!(
                    "field {ACCOUNTS}.{tag} must be a string or an object of sub-tags, not {other}"
                ))
            }
        };
        for (sub, v) in fields {
            if sub.parse::<Tag>().is_err() {
                return Err(format!(
                    "field {ACCOUNTS}.{tag}: key {sub:?} is not a two-digit sub-tag"
                ));
            }
            if !v.is_string() {
                return Err(format!(
                    "field {ACCOUNTS}.{tag}.{sub} must be a string, not {v}"
                ));
            }
        }
    }
    Ok(())
}

/// The objects of the JSON array `items`, which sits at `at` (`objects[2].objects`) inside the
/// template at tag path `parent` (empty at the root).
fn objects_from_json(items: &[Json], at: &str, parent: &str) -> Result<Vec<Object>, String> {
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let here = format!("{at}[{i}]");
        let Json::Object(fields) = item else {
            return Err(format!(
                "{here} must be an object with \"tag\" and \"value\", not {item}"
            ));
        };
        if let Some(key) = fields
            .keys()
            .find(|k| !matches!(k.as_str(), "tag" | "value" | "objects"))
        {
            return Err(format!(
                "{here}: unknown key {key:?} (an object has \"tag\", \"value\" and \"objects\")"
            ));
        }
        let tag_text = match fields.get("tag") {
            Some(Json::String(t)) => t,
            Some(other) => {
                return Err(format!(
                    "{here}: \"tag\" must be a string of two digits, not {other}"
                ))
            }
            None => return Err(format!("{here}: no \"tag\"")),
        };
        let tag: Tag = tag_text
            .parse()
            .map_err(|_| format!("{here}: \"tag\" {tag_text:?} is not two digits"))?;
        let path = if parent.is_empty() {
            tag_text.clone()
        } else {
            format!("{parent}.{tag_text}")
        };
        let named = format!("{here} (tag {path})");
        let value = match fields.get("value") {
            Some(Json::String(v)) => Some(v.as_str()),
            Some(other) => return Err(format!("{named}: \"value\" must be a string, not {other}")),
            None => None,
        };
        match fields.get("objects") {
            Some(Json::Array(children)) => {
                let children = objects_from_json(children, &format!("{here}.objects"), &path)?;
                let template = Object::template(tag, children);
                if let Some(value) = value {
                    let encoded = template
                        .encoded_value()
                        .map_err(|e| format!("{named}: {e}"))?;
                    if encoded != value {
                        return Err(format!(
                            "{named}: \"value\" disagrees with its \"objects\" (remove one)"
                        ));
                    }
                }
                out.push(template);
            }
            Some(other) => {
                return Err(format!(
                    "{named}: \"objects\" must be an array, not {other}"
                ))
            }
            None => {
                let value = value.ok_or_else(|| format!("{named}: no \"value\""))?;
                out.push(Object::primitive(tag, value));
            }
        }
    }
    Ok(out)
}

/// What the fields are checked against.
#[derive(Debug, Clone, Copy)]
enum Source<'a> {
    /// The object tree, with the value of its CRC object when it ends in one.
    Objects { crc_object: Option<&'a str> },
    /// The payload the fields themselves built.
    Fields,
}

impl Source<'_> {
    fn says(self) -> &'static str {
        match self {
            Source::Objects { .. } => "objects say",
            Source::Fields => "the other fields give",
        }
    }
}

/// Refuses a field given in `map` that disagrees with `payload`.
fn check_agreement(
    map: &Map<String, Json>,
    payload: &str,
    source: Source<'_>,
) -> Result<(), String> {
    let decoded = decode(payload).map_err(|e| e.to_string())?;
    let derived = serde_json::to_value(&decoded).map_err(|e| e.to_string())?;
    for (key, shape) in KEYS {
        let Some(given) = map.get(key) else { continue };
        match shape {
            Shape::Format | Shape::Objects | Shape::Ignored => {}
            Shape::Accounts => check_accounts(given, &decoded, source)?,
            _ if key == "crc" => check_crc(given, decoded.crc_text(), source)?,
            _ => {
                let actual = derived.get(key).unwrap_or(&Json::Null);
                if let Some((at, given, actual)) = disagreement(key, given, actual) {
                    return Err(format!(
                        "field {at} is {given} but {} {actual}",
                        source.says()
                    ));
                }
            }
        }
    }
    Ok(())
}

/// The first place where `given` (at key path `at`) disagrees with `actual`: objects agree
/// when every key given agrees (an object of nulls agrees with null), anything else when
/// equal.
fn disagreement<'j>(
    at: &str,
    given: &'j Json,
    actual: &'j Json,
) -> Option<(String, &'j Json, &'j Json)> {
    match (given, actual) {
        (Json::Object(g), Json::Object(a)) => g.iter().find_map(|(k, v)| {
            disagreement(&format!("{at}.{k}"), v, a.get(k).unwrap_or(&Json::Null))
        }),
        (Json::Object(g), Json::Null) => g
            .iter()
            .find_map(|(k, v)| (!v.is_null()).then(|| (format!("{at}.{k}"), v, &Json::Null))),
        _ if given == actual => None,
        _ => Some((at.to_owned(), given, actual)),
    }
}

/// `crc` against the CRC object of the tree (so that an edited tree with the stale CRC in both
/// places still re-encodes with a fresh one), or, without one, against the CRC written.
fn check_crc(given: &Json, written: &str, source: Source<'_>) -> Result<(), String> {
    let Some(given) = given.as_str() else {
        return Ok(());
    };
    match source {
        Source::Objects {
            crc_object: Some(object),
        } if given != object => Err(format!(
            "field crc is {given:?} but the CRC object (63) in objects says {object:?}"
        )),
        Source::Objects { crc_object: Some(_) } => Ok(()),
        _ if given.eq_ignore_ascii_case(written) => Ok(()),
        Source::Objects { crc_object: None } => Err(format!(
            "field crc is {given:?} but objects have no CRC object and their CRC is {written:?}"
        )),
        Source::Fields => Err(format!(
            "field crc is {given:?} but the payload the fields build has CRC {written:?} (remove crc to have it computed)"
        )),
    }
}

/// The merchant accounts of `payload` as `merchant_account_information` writes them: tag to
/// value, or for a template that parses, tag to an object from sub-tag to value.
pub(super) fn accounts_json(payload: &Payload<'_>) -> Json {
    // The first object of each tag and sub-tag, as `decode --json` writes them.
    let mut accounts = Map::new();
    for o in payload
        .objects()
        .iter()
        .filter(|o| o.tag().is_merchant_account())
    {
        let value = match o.children() {
            Some(children) => {
                let mut subs = Map::new();
                for c in children {
                    subs.entry(c.tag().to_string())
                        .or_insert_with(|| Json::from(c.value()));
                }
                Json::Object(subs)
            }
            None => Json::from(o.value()),
        };
        accounts.entry(o.tag().to_string()).or_insert(value);
    }
    if accounts.is_empty() {
        Json::Null
    } else {
        Json::Object(accounts)
    }
}

/// `merchant_account_information` must list exactly the accounts of the payload; a template
/// may be given as its raw value or as its sub-objects.
fn check_accounts(given: &Json, payload: &Payload<'_>, source: Source<'_>) -> Result<(), String> {
    let actual = accounts_json(payload);
    let empty = Map::new();
    let given = given.as_object().unwrap_or(&empty);
    let actual = actual.as_object().unwrap_or(&empty);
    let says = source.says();
    if let Some(tag) = actual.keys().find(|t| !given.contains_key(*t)) {
        return Err(format!(
            "field {ACCOUNTS} has no {tag:?}, but {says} there is an account in tag {tag}"
        ));
    }
    for (tag, g) in given {
        let Some(a) = actual.get(tag) else {
            return Err(format!(
                "field {ACCOUNTS} has {tag:?}, but {says} there is no account in tag {tag}"
            ));
        };
        let raw = payload
            .objects()
            .iter()
            .find(|o| o.tag().to_string() == *tag)
            .map(|o| o.value());
        let agrees = match (g, a) {
            (Json::String(g), _) => raw == Some(g.as_str()),
            (Json::Object(g), Json::Object(a)) => {
                g.len() == a.len() && g.iter().all(|(k, v)| a.get(k) == Some(v))
            }
            _ => false,
        };
        if !agrees {
            return Err(format!("field {ACCOUNTS}.{tag} is {g} but {says} {a}"));
        }
    }
    Ok(())
}

/// Builds a canonical payload from the field keys (no `objects`).
fn from_fields(map: &Map<String, Json>) -> Result<String, String> {
    let text = |key: &str| map.get(key).and_then(Json::as_str);
    let mut b = PayloadBuilder::new();
    for (id, key) in ROOTS {
        if matches!(id, 53 | 54 | 63) {
            continue;
        }
        if let Some(v) = text(key) {
            b = b.object(id, v);
        }
    }
    let mut alpha = None;
    match (
        text("transaction_currency"),
        text("transaction_currency_alpha"),
    ) {
        (Some(code), _) => {
            if let Some(c) = Currency::from_alpha(code) {
                return Err(format!(
                    "field transaction_currency {code:?} must be the ISO 4217 numeric code ({}); \
                     the letters go in transaction_currency_alpha",
                    c.numeric_str()
                ));
            }
            match Currency::parse(code) {
                Some(c) => {
                    alpha = Some(c.alpha());
                    b = b.currency(c);
                }
                None => b = b.object(53, code),
            }
        }
        (None, Some(code)) => {
            let c = Currency::from_alpha(code).ok_or_else(|| {
                format!(
                    "field transaction_currency_alpha {code:?} is not an ISO 4217 alphabetic code"
                )
            })?;
            alpha = Some(c.alpha());
            b = b.currency(c);
        }
        (None, None) => {}
    }
    match (
        text("transaction_amount"),
        map.get("transaction_amount_minor").and_then(Json::as_u64),
    ) {
        (Some(amount), _) => b = b.amount(amount),
        (None, Some(minor)) => b = b.amount_minor(minor),
        (None, None) => {}
    }
    if let Some(Json::Object(accounts)) = map.get(ACCOUNTS) {
        for (tag, account) in accounts {
            // INVARIANT: `check_shapes` let only two-digit tags 02–51 and sub-tags through;
            // anything else is skipped rather than trusted.
            let Ok(tag) = tag.parse::<Tag>() else {
                continue;
            };
            match account {
                Json::String(v) => b = b.object(tag.get(), v),
                Json::Object(fields) => {
                    let fields: Vec<(u8, &str)> = fields
                        .iter()
                        .filter_map(|(sub, v)| Some((sub.parse::<Tag>().ok()?.get(), v.as_str()?)))
                        .collect();
                    b = b.template(tag.get(), &fields);
                }
                _ => {}
            }
        }
    }
    if let Some(Json::Object(add)) = map.get("additional_data") {
        for (id, key) in (1u8..).zip(ADDITIONAL) {
            if let Some(v) = add.get(key).and_then(Json::as_str) {
                b = b.additional_data(id, v);
            }
        }
    }
    if let Some(Json::Object(lang)) = map.get("merchant_information_language") {
        let fields: Vec<(u8, &str)> = (0u8..)
            .zip(LANGUAGE)
            .filter_map(|(id, key)| Some((id, lang.get(key)?.as_str()?)))
            .collect();
        if !fields.is_empty() {
            b = b.template(64, &fields);
        }
    }
    let given = |key: &str| map.get(key).is_some_and(|v| !v.is_null());
    let wrote = |path: TagPath| -> Option<String> {
        let key = match path.ids() {
            (Some(53), None, _) if !given("transaction_currency") => {
                "transaction_currency_alpha".to_owned()
            }
            (Some(54), None, _) if !given("transaction_amount") => {
                "transaction_amount_minor".to_owned()
            }
            (Some(id), None, _) if Tag::new(id).is_some_and(Tag::is_merchant_account) => {
                format!("{ACCOUNTS}.{id:02}")
            }
            (Some(id), Some(sub), None) if Tag::new(id).is_some_and(Tag::is_merchant_account) => {
                format!("{ACCOUNTS}.{id:02}.{sub:02}")
            }
            (Some(id), None, _) => match id {
                62 => "additional_data".to_owned(),
                64 => "merchant_information_language".to_owned(),
                _ => ROOTS.iter().find(|(i, _)| *i == id)?.1.to_owned(),
            },
            (Some(62), Some(sub), None) => {
                let key = ADDITIONAL.get(usize::from(sub).checked_sub(1)?)?;
                format!("additional_data.{key}")
            }
            (Some(64), Some(sub), None) => {
                format!(
                    "merchant_information_language.{}",
                    LANGUAGE.get(usize::from(sub))?
                )
            }
            _ => return None,
        };
        Some(format!("field {key}"))
    };
    let give = |tag: Tag| ROOTS.iter().find(|(i, _)| *i == tag.get()).map(|(_, k)| *k);
    let names = Names {
        wrote: &wrote,
        give: &give,
        give_account: ACCOUNTS,
        currency: alpha,
    };
    b.build().map_err(|e| explain(&e, &names))
}
