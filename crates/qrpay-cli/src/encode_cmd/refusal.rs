//! Why the builder refused a payload, said in terms of the input the user gave (a flag or a
//! JSON field) rather than a tag and a byte offset in a payload that was never printed.

use qrpay_core::emv::{field_name, DecodeError, EncodeError, Rule, Violation};
use qrpay_core::{Tag, TagPath};

/// How to name the input behind an object.
pub(super) struct Names<'a> {
    /// The input that wrote the object at a path, with its value where that helps
    /// (`--amount "10.5"`, `field merchant_name`), or `None` when no input wrote it.
    pub(super) wrote: &'a dyn Fn(TagPath) -> Option<String>,
    /// What to give for a missing root object (`--merchant-name`, `merchant_name`).
    pub(super) give: &'a dyn Fn(Tag) -> Option<&'static str>,
    /// What to give for merchant account information (`--account`).
    pub(super) give_account: &'static str,
    /// The alphabetic code of the transaction currency, when known.
    pub(super) currency: Option<&'a str>,
}

/// A one-line message for `error`, naming the input behind the object it is about.
pub(super) fn explain(error: &EncodeError, names: &Names<'_>) -> String {
    match error {
        EncodeError::Invalid(DecodeError::Invalid(v)) => violation(v, names),
        EncodeError::ValueTooLong { tag, len } => at(
            names,
            *tag,
            &format!("the value has {len} characters, a data object holds at most 99"),
        ),
        EncodeError::EmptyValue { tag } => at(names, *tag, "the value is empty"),
        EncodeError::BadField { field, reason } => {
            let path = match *field {
                "amount" => Some(Tag::AMOUNT),
                "currency" => Some(Tag::CURRENCY),
                _ => None,
            };
            match path {
                Some(tag) => at(names, TagPath::root(tag), reason),
                None => error.to_string(),
            }
        }
        other => other.to_string(),
    }
}

fn violation(v: &Violation, names: &Names<'_>) -> String {
    match &v.rule {
        Rule::NoMerchantAccount => format!("{}: give {}", v.rule, names.give_account),
        Rule::Missing => {
            let name = field_name(v.path);
            let give = v.path.last().and_then(|tag| (names.give)(tag));
            match give {
                Some(give) => format!("missing {name} (tag {}): give {give}", v.path),
                None => format!("missing {name} (tag {})", v.path),
            }
        }
        Rule::AmountPrecision { exponent } => {
            let why = match (names.currency, exponent) {
                (Some(c), 0) => format!("{c} has no minor unit, so the amount takes no decimals"),
                (Some(c), n) => format!("{c} takes at most {n} decimal places"),
                (None, _) => v.rule.to_string(),
            };
            at(names, v.path, &why)
        }
        // Rules on the payload as a whole (its length) name no object.
        rule if v.path.is_root() => rule.to_string(),
        rule => at(names, v.path, &rule.to_string()),
    }
}

/// `why`, prefixed with the input that wrote the object at `path`, or else with the object's
/// name and tag.
fn at(names: &Names<'_>, path: TagPath, why: &str) -> String {
    match (names.wrote)(path) {
        Some(input) => format!("{input}: {why}"),
        None => format!("{} (tag {path}): {why}", field_name(path)),
    }
}
