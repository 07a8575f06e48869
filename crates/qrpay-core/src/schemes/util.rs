//! Shared pieces of the scheme inspectors: finding templates, collecting violations, digits.

use super::{BuildError, SchemeId, SchemeRule, SchemeViolation};
use crate::emv::{DataObject, Payload, PointOfInitiation};
use crate::money::Currency;
use crate::tag::{Tag, TagPath};

/// Collects the violations of one profile.
pub(crate) struct Checker {
    scheme: SchemeId,
    pub(crate) found: Vec<SchemeViolation>,
}

impl Checker {
    pub(crate) fn new(scheme: SchemeId) -> Checker {
        Checker {
            scheme,
            found: Vec::new(),
        }
    }

    /// Records `rule` against `object`.
    pub(crate) fn flag(&mut self, object: &DataObject<'_>, rule: SchemeRule) {
        self.found.push(SchemeViolation {
            scheme: self.scheme,
            rule,
            path: object.path(),
            offset: object.offset(),
        });
    }

    /// Records `rule` against a field that is absent: the violation points at the template (or
    /// root object) that should have held it.
    pub(crate) fn flag_at(&mut self, path: TagPath, offset: usize, rule: SchemeRule) {
        self.found.push(SchemeViolation {
            scheme: self.scheme,
            rule,
            path,
            offset,
        });
    }

    /// Checks tag 53 against the scheme's currencies (numeric codes).
    pub(crate) fn currency(
        &mut self,
        payload: &Payload<'_>,
        allowed: &[&str],
        expected: &'static str,
    ) {
        match payload.get(53) {
            Some(o) if allowed.contains(&o.value()) => {}
            Some(o) => self.flag(
                o,
                SchemeRule::WrongCurrency {
                    expected,
                    found: o.value().to_owned(),
                },
            ),
            None => self.flag_at(
                TagPath::root(Tag::CURRENCY),
                payload.as_str().len(),
                SchemeRule::WrongCurrency {
                    expected,
                    found: String::new(),
                },
            ),
        }
    }

    /// Checks tag 58 against the scheme's country.
    pub(crate) fn country(&mut self, payload: &Payload<'_>, expected: &'static str) {
        match payload.get(58) {
            Some(o) if o.value() == expected => {}
            Some(o) => self.flag(
                o,
                SchemeRule::WrongCountry {
                    expected,
                    found: o.value().to_owned(),
                },
            ),
            None => self.flag_at(
                TagPath::root(Tag::COUNTRY),
                payload.as_str().len(),
                SchemeRule::WrongCountry {
                    expected,
                    found: String::new(),
                },
            ),
        }
    }

    /// Records that `object`'s value is not `expected` ([`SchemeRule::BadFormat`]).
    pub(crate) fn bad_format(
        &mut self,
        object: &DataObject<'_>,
        field: &'static str,
        expected: &'static str,
    ) {
        self.flag(
            object,
            SchemeRule::bad_format(field, object.value(), expected),
        );
    }

    /// Checks that sub-object `id` of `template` exists, returning it.
    pub(crate) fn require<'a>(
        &mut self,
        template: &DataObject<'a>,
        id: u8,
        field: &'static str,
    ) -> Option<DataObject<'a>> {
        let child = Tag::new(id).and_then(|t| template.child(t));
        if child.is_none() {
            self.flag(template, SchemeRule::Missing { field });
        }
        child
    }

    /// Checks a value's length in characters against `len_max`.
    pub(crate) fn max_len(&mut self, object: &DataObject<'_>, field: &'static str, len_max: usize) {
        if let Err(rule) = SchemeRule::check_len(field, object.value(), len_max) {
            self.flag(object, rule);
        }
    }

    /// Checks that a value is all ASCII digits, `len_min..=len_max` of them.
    pub(crate) fn digits(
        &mut self,
        object: &DataObject<'_>,
        field: &'static str,
        len_min: usize,
        len_max: usize,
        expected: &'static str,
    ) -> bool {
        let value = object.value();
        let ok = is_digits(value) && (len_min..=len_max).contains(&value.len());
        if !ok {
            self.bad_format(object, field, expected);
        }
        ok
    }
}

/// Whether `object` is a merchant account template (26–51) whose GUI satisfies `matches`.
pub(crate) fn is_account_template(object: &DataObject<'_>, matches: impl Fn(&str) -> bool) -> bool {
    (26..=51).contains(&object.tag().get()) && object.gui().is_some_and(matches)
}

/// Whether `object` is an unreserved template (80–99) whose GUI satisfies `matches`.
pub(crate) fn is_unreserved_template(
    object: &DataObject<'_>,
    matches: impl Fn(&str) -> bool,
) -> bool {
    (80..=99).contains(&object.tag().get()) && object.gui().is_some_and(matches)
}

/// The first merchant account template (26–51) whose GUI satisfies `matches`.
pub(crate) fn account_template<'p, 'a>(
    payload: &'p Payload<'a>,
    matches: impl Fn(&str) -> bool,
) -> Option<&'p DataObject<'a>> {
    payload
        .objects()
        .iter()
        .find(|o| is_account_template(o, &matches))
}

/// The value of sub-object `id` of a template.
pub(crate) fn sub<'o>(template: &'o DataObject<'_>, id: u8) -> Option<&'o str> {
    template.child_value(id)
}

/// The value of sub-object `id` of root template `root`.
pub(crate) fn root_sub<'p>(payload: &'p Payload<'_>, root: u8, id: u8) -> Option<&'p str> {
    payload.get(root).and_then(|t| t.child_value(id))
}

/// Whether `text` is one or more ASCII digits.
pub(crate) fn is_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// Digit values of an all-digit text; empty when any character is not a digit.
pub(crate) fn digit_values(text: &str) -> Vec<u32> {
    if !is_digits(text) {
        return Vec::new();
    }
    text.bytes().map(|b| u32::from(b - b'0')).collect()
}

/// The Luhn (mod 10) check over an all-digit text.
pub(crate) fn luhn_ok(text: &str) -> bool {
    let digits = digit_values(text);
    if digits.len() < 2 {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                let twice = d * 2;
                if twice > 9 {
                    twice - 9
                } else {
                    twice
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Whether `text` looks like `local@domain`: one `@`, printable ASCII, both sides non-empty.
pub(crate) fn is_address(text: &str) -> bool {
    let mut parts = text.split('@');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(local), Some(domain), None) => {
            !local.is_empty() && !domain.is_empty() && text.bytes().all(|b| b.is_ascii_graphic())
        }
        _ => false,
    }
}

/// Whether `text` is a calendar date `YYYYMMDD` (Gregorian, years 1900–9999; `99991231` is the
/// "never expires" PayNow libraries write).
pub(crate) fn is_date(text: &str) -> bool {
    if text.len() != 8 || !is_digits(text) {
        return false;
    }
    let (Some(y), Some(m), Some(d)) = (
        text.get(0..4).and_then(|s| s.parse::<u32>().ok()),
        text.get(4..6).and_then(|s| s.parse::<u32>().ok()),
        text.get(6..8).and_then(|s| s.parse::<u32>().ok()),
    ) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1900..=9999).contains(&y) && (1..=days).contains(&d)
}

/// Appends one data object (`id`, two-digit length in characters, value) to an inner template
/// the EMV builder takes as text (VietQR's 38.01).
pub(crate) fn push_tlv(
    out: &mut String,
    field: &'static str,
    id: u8,
    value: &str,
) -> Result<(), super::BuildError> {
    let len = value.chars().count();
    if len == 0 || len > 99 {
        return Err(super::BuildError::Field {
            field,
            rule: SchemeRule::TooLong {
                field,
                len,
                len_max: 99,
            },
        });
    }
    out.push_str(&format!("{id:02}{len:02}{value}"));
    Ok(())
}

#[cfg(feature = "serde")]
pub(crate) fn serialize_path<S: serde::Serializer>(
    path: &TagPath,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_str(path)
}

/// The builder's point of initiation: the one asked for, else dynamic when the code carries
/// a per-transaction value (an amount) and static otherwise, as EMV MPM 4.5 describes.
pub(crate) fn point_of_initiation(
    asked: Option<PointOfInitiation>,
    dynamic: bool,
) -> PointOfInitiation {
    asked.unwrap_or(if dynamic {
        PointOfInitiation::Dynamic
    } else {
        PointOfInitiation::Static
    })
}

/// The scheme's ISO 4217 currency by numeric code (`alpha` names it in the error).
pub(crate) fn home_currency(numeric: u16, alpha: &'static str) -> Result<Currency, BuildError> {
    Currency::from_numeric(numeric).ok_or(BuildError::Field {
        field: "currency",
        rule: SchemeRule::Missing { field: alpha },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_known_numbers() {
        // Visa and RuPay merchant ids from real Bharat QR codes (tests/vectors/mpm_valid.tsv).
        assert!(luhn_ok("4403847000746908"));
        assert!(luhn_ok("6100590000000089"));
        assert!(!luhn_ok("4403847000746909"));
        assert!(!luhn_ok("44038470007469x8"));
        assert!(!luhn_ok("4"));
    }

    #[test]
    fn addresses_and_dates() {
        assert!(is_address("john_smith@devb"));
        assert!(!is_address("john_smith_devb"));
        assert!(!is_address("a@b@c"));
        assert!(!is_address("@devb"));
        assert!(is_date("20240229"));
        assert!(!is_date("20230229"));
        assert!(!is_date("20231301"));
        assert!(!is_date("2023121"));
    }
}
