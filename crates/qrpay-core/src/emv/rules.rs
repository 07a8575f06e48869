//! The rules of EMV QRCPS MPM (v1.1) that a walked payload must also follow.
//!
//! Every check pushes a [`Violation`]; the decoder decides whether the first one refuses the
//! payload (strict) or all are reported (tolerant).

use super::error::{Charset, Rule, Violation};
use super::object::{find, DataObject};
use crate::money::{Amount, Currency};
use crate::tag::{Tag, TagPath};

/// The most characters a payload may have (EMV MPM §4.1).
pub const PAYLOAD_CHARS_MAX: usize = 512;

/// Format and length of one data object (EMV MPM tables 3.2, 3.6, 3.7).
#[derive(Clone, Copy)]
struct Spec {
    /// `None` is format `S`: any Unicode character.
    charset: Option<Charset>,
    len_min: usize,
    len_max: usize,
}

const fn spec(charset: Option<Charset>, len_min: usize, len_max: usize) -> Spec {
    Spec {
        charset,
        len_min,
        len_max,
    }
}

const N: Option<Charset> = Some(Charset::Numeric);
const ANS: Option<Charset> = Some(Charset::Ans);
const S: Option<Charset> = None;

/// The specification of the object at `path`, or `None` for reserved or unknown objects.
fn spec_of(path: TagPath) -> Option<Spec> {
    let spec = match path.ids() {
        (None, _, _) => return None,
        (Some(0 | 1), None, None) => spec(N, 2, 2),
        (Some(2..=25), None, None) => spec(ANS, 1, 99),
        (Some(26..=51 | 80..=99), None, None) => spec(S, 1, 99),
        (Some(52), None, None) => spec(N, 4, 4),
        (Some(53), None, None) => spec(N, 3, 3),
        (Some(54 | 56), None, None) => spec(ANS, 1, 13),
        (Some(55), None, None) => spec(N, 2, 2),
        (Some(57), None, None) => spec(ANS, 1, 5),
        (Some(58), None, None) => spec(ANS, 2, 2),
        (Some(59), None, None) => spec(ANS, 1, 25),
        (Some(60), None, None) => spec(ANS, 1, 15),
        (Some(61), None, None) => spec(ANS, 1, 10),
        (Some(62 | 64), None, None) => spec(S, 1, 99),
        (Some(63), None, None) => spec(ANS, 4, 4),
        (Some(26..=51), Some(0), None) => spec(ANS, 1, 32),
        (Some(26..=51), Some(_), None) => spec(ANS, 1, 99),
        (Some(80..=99), Some(0), None) => spec(ANS, 1, 32),
        (Some(80..=99), Some(_), None) => spec(S, 1, 99),
        (Some(62), Some(1..=8), None) => spec(ANS, 1, 25),
        (Some(62), Some(9), None) => spec(ANS, 1, 3),
        (Some(62), Some(10), None) => spec(ANS, 1, 20),
        (Some(62), Some(11), None) => spec(ANS, 3, 3),
        (Some(62), Some(50..=99), None) => spec(S, 1, 99),
        (Some(62), Some(50..=99), Some(0)) => spec(ANS, 1, 32),
        (Some(62), Some(50..=99), Some(_)) => spec(S, 1, 99),
        (Some(64), Some(0), None) => spec(ANS, 2, 2),
        (Some(64), Some(1), None) => spec(S, 1, 25),
        (Some(64), Some(2), None) => spec(S, 1, 15),
        _ => return None,
    };
    Some(spec)
}

/// Whether `path` is reserved for future use inside a template EMVCo defines.
fn is_reserved(path: TagPath) -> bool {
    matches!(
        path.ids(),
        (Some(62), Some(0 | 12..=49), None) | (Some(64), Some(3..=99), None)
    )
}

/// Checks every rule on a payload whose structure and CRC are sound.
pub(crate) fn check(
    input: &str,
    ascii: bool,
    objects: &[DataObject<'_>],
    out: &mut Vec<Violation>,
) {
    let chars = if ascii {
        input.len()
    } else {
        input.chars().count()
    };
    if chars > PAYLOAD_CHARS_MAX {
        out.push(Violation::new(
            Rule::PayloadTooLong {
                len: chars,
                len_max: PAYLOAD_CHARS_MAX,
            },
            TagPath::ROOT,
            0,
        ));
    }
    let index = RootIndex::new(objects);
    match objects.first() {
        Some(first) if first.tag == Tag::PAYLOAD_FORMAT => {}
        _ => match index.get(0) {
            Some(pfi) => out.push(Violation::new(
                Rule::FormatIndicatorNotFirst,
                pfi.path,
                pfi.offset,
            )),
            None => out.push(missing(Tag::PAYLOAD_FORMAT)),
        },
    }
    check_level(objects, ascii, out);
    for id in [52, 53, 58, 59, 60] {
        if index.get(id).is_none() {
            out.push(missing(Tag::of(id)));
        }
    }
    if !objects.iter().any(|o| o.tag.is_merchant_account()) {
        out.push(Violation::new(Rule::NoMerchantAccount, TagPath::ROOT, 0));
    }
    check_values(&index, out);
}

/// The first root object of each tag, found in one pass.
struct RootIndex<'o, 'a> {
    first: [Option<&'o DataObject<'a>>; 100],
}

impl<'o, 'a> RootIndex<'o, 'a> {
    fn new(objects: &'o [DataObject<'a>]) -> Self {
        let mut first = [None; 100];
        for object in objects.iter().rev() {
            if let Some(slot) = first.get_mut(usize::from(object.tag.get())) {
                *slot = Some(object);
            }
        }
        RootIndex { first }
    }

    fn get(&self, id: u8) -> Option<&'o DataObject<'a>> {
        self.first.get(usize::from(id)).copied().flatten()
    }
}

fn missing(tag: Tag) -> Violation {
    Violation::new(Rule::Missing, TagPath::root(tag), 0)
}

/// Duplicates, formats, lengths and template shape, for one level and, recursively, below.
fn check_level(objects: &[DataObject<'_>], ascii: bool, out: &mut Vec<Violation>) {
    let mut seen: u128 = 0;
    for (i, object) in objects.iter().enumerate() {
        let bit = 1u128 << object.tag.get();
        if seen & bit != 0 {
            let first_offset = objects
                .iter()
                .take(i)
                .find(|o| o.tag == object.tag)
                .map_or(0, DataObject::offset);
            out.push(Violation::new(
                Rule::Duplicate { first_offset },
                object.path,
                object.offset,
            ));
        }
        seen |= bit;
        check_object(object, ascii, out);
        if let Some(children) = &object.children {
            check_level(children, ascii, out);
            if needs_gui(object.path) && find(children, Tag::GUI).is_none() {
                out.push(Violation::new(Rule::MissingGui, object.path, object.offset));
            }
        }
    }
}

/// Whether the template at `path` must carry a globally unique identifier (sub-object 00).
fn needs_gui(path: TagPath) -> bool {
    matches!(
        path.ids(),
        (Some(26..=51 | 80..=99), None, None) | (Some(62), Some(50..=99), None)
    )
}

/// Emptiness, charset and length of one object's value.
fn check_object(object: &DataObject<'_>, ascii: bool, out: &mut Vec<Violation>) {
    let value = object.value();
    if value.is_empty() {
        out.push(Violation::new(Rule::Empty, object.path, object.offset));
        return;
    }
    if is_reserved(object.path) {
        out.push(Violation::new(Rule::Reserved, object.path, object.offset));
        return;
    }
    let Some(spec) = spec_of(object.path) else {
        return;
    };
    let fits = match spec.charset {
        None => true,
        Some(Charset::Numeric) => value.bytes().all(|b| b.is_ascii_digit()),
        Some(Charset::Ans) => value.bytes().all(|b| (0x20..=0x7E).contains(&b)),
    };
    if let Some(charset) = spec.charset.filter(|_| !fits) {
        let bad = value.chars().enumerate().find(|&(_, c)| match charset {
            Charset::Numeric => !c.is_ascii_digit(),
            Charset::Ans => !(' '..='~').contains(&c),
        });
        if let Some((index, found)) = bad {
            out.push(Violation::new(
                Rule::Charset {
                    expected: charset,
                    found,
                    index,
                },
                object.path,
                object.offset,
            ));
        }
    }
    let len = if ascii {
        value.len()
    } else {
        object.char_len()
    };
    if len < spec.len_min || len > spec.len_max {
        out.push(Violation::new(
            Rule::Length {
                len,
                len_min: spec.len_min,
                len_max: spec.len_max,
            },
            object.path,
            object.offset,
        ));
    }
}

/// The meaning of individual values: enumerations, amounts, currencies, cross-field rules.
fn check_values(index: &RootIndex<'_, '_>, out: &mut Vec<Violation>) {
    let get = |id: u8| index.get(id);
    let at = |o: &DataObject<'_>, rule: Rule| Violation::new(rule, o.path, o.offset);

    if let Some(o) = get(0) {
        if o.value() != "01" {
            out.push(at(
                o,
                Rule::FormatIndicatorValue {
                    found: o.value().to_owned(),
                },
            ));
        }
    }
    if let Some(o) = get(1) {
        if !matches!(o.value(), "11" | "12") {
            out.push(at(
                o,
                Rule::PointOfInitiation {
                    found: o.value().to_owned(),
                },
            ));
        }
    }
    let currency = get(53).and_then(|o| {
        let c = o.value().parse().ok().and_then(Currency::from_numeric);
        if c.is_none() {
            out.push(at(
                o,
                Rule::Currency {
                    found: o.value().to_owned(),
                },
            ));
        }
        c
    });
    for fee_tag in [54, 56] {
        let Some(o) = get(fee_tag) else { continue };
        match Amount::parse(o.value()) {
            Err(e) => out.push(at(o, Rule::Amount(e))),
            Ok(a) => {
                if let Some(c) = currency {
                    if a.to_minor(c.exponent()).is_err() {
                        out.push(at(
                            o,
                            Rule::AmountPrecision {
                                exponent: c.exponent(),
                            },
                        ));
                    }
                }
            }
        }
    }
    check_convenience(get(55), get(56), get(57), out);
    if let Some(o) = get(58) {
        if !o.value().bytes().all(|b| b.is_ascii_uppercase()) || o.value().len() != 2 {
            out.push(at(
                o,
                Rule::Country {
                    found: o.value().to_owned(),
                },
            ));
        }
    }
    if let Some(o) = get(62).and_then(|t| t.child(Tag::of(9))) {
        let v = o.value();
        let ok = v.chars().all(|c| matches!(c, 'A' | 'M' | 'E'))
            && ['A', 'M', 'E']
                .iter()
                .all(|&l| v.chars().filter(|&c| c == l).count() <= 1);
        if !ok {
            out.push(at(
                o,
                Rule::ConsumerDataRequest {
                    found: v.to_owned(),
                },
            ));
        }
    }
    if let Some(o) = get(64) {
        if let Some(children) = &o.children {
            if find(children, Tag::GUI).is_none() || find(children, Tag::of(1)).is_none() {
                out.push(at(o, Rule::LanguageTemplate));
            }
        }
    }
}

/// EMV MPM §3.3.2: 55 = 01 prompts for a tip, 02 requires a fixed fee in 56, 03 a percentage in
/// 57; 56 and 57 appear only with their indicator.
fn check_convenience(
    indicator: Option<&DataObject<'_>>,
    fixed: Option<&DataObject<'_>>,
    percentage: Option<&DataObject<'_>>,
    out: &mut Vec<Violation>,
) {
    let kind = indicator.map(DataObject::value);
    if let Some(o) = indicator {
        if !matches!(o.value(), "01" | "02" | "03") {
            out.push(Violation::new(
                Rule::TipIndicator {
                    found: o.value().to_owned(),
                },
                o.path,
                o.offset,
            ));
        }
    }
    match (kind, fixed) {
        (Some("02"), None) => {
            if let Some(o) = indicator {
                out.push(Violation::new(
                    Rule::Convenience("indicator 02 requires a fixed fee in tag 56"),
                    o.path,
                    o.offset,
                ));
            }
        }
        (Some("02"), Some(_)) => {}
        (_, Some(o)) => out.push(Violation::new(
            Rule::Convenience("fixed fee (56) is present but the indicator (55) is not 02"),
            o.path,
            o.offset,
        )),
        (_, None) => {}
    }
    match (kind, percentage) {
        (Some("03"), None) => {
            if let Some(o) = indicator {
                out.push(Violation::new(
                    Rule::Convenience("indicator 03 requires a percentage fee in tag 57"),
                    o.path,
                    o.offset,
                ));
            }
        }
        (Some("03"), Some(o)) => {
            let in_range = Amount::parse_allow_zero(o.value())
                .ok()
                .and_then(|a| a.to_minor(2).ok())
                .is_some_and(|hundredths| (1..=9999).contains(&hundredths));
            if !in_range {
                out.push(Violation::new(
                    Rule::Percentage {
                        found: o.value().to_owned(),
                    },
                    o.path,
                    o.offset,
                ));
            }
        }
        (_, Some(o)) => out.push(Violation::new(
            Rule::Convenience("percentage fee (57) is present but the indicator (55) is not 03"),
            o.path,
            o.offset,
        )),
        (_, None) => {}
    }
}
