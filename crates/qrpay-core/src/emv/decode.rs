//! The tag–length–value walk, the CRC check, and the decoder's options.

use super::error::{DecodeError, Rule, Violation};
use super::object::DataObject;
use super::payload::Payload;
use super::rules;
use crate::crc;
use crate::tag::{Tag, TagPath};

/// The largest input looked at, in bytes. A code carries at most 512 characters (EMV MPM §4.1);
/// this leaves room for four-byte characters and tolerant decoding, and bounds the work any
/// input can cause.
pub const INPUT_BYTES_MAX: usize = 4096;

/// Decodes EMV® QRCPS Merchant-Presented Mode payloads.
///
/// Tolerant by default: a payload whose CRC matches and whose root objects walk cleanly is
/// accepted, and every rule it breaks is reported in [`Payload::violations`]. Strict mode refuses
/// the first broken rule instead.
///
/// ```
/// use qrpay_core::emv::Decoder;
///
/// let text = "00020101021129370016A000000677010111011300668012345675802TH530376463046197";
/// let payload = Decoder::new().decode(text)?;
/// assert_eq!(payload.country_code(), Some("TH"));
/// // PromptPay omits the merchant category code, name and city: tolerated, but reported.
/// assert!(!payload.violations().is_empty());
/// assert!(Decoder::new().strict(true).decode(text).is_err());
/// # Ok::<(), qrpay_core::emv::DecodeError>(())
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Decoder {
    strict: bool,
}

impl Decoder {
    /// A tolerant decoder.
    #[must_use]
    pub const fn new() -> Decoder {
        Decoder { strict: false }
    }

    /// Whether broken rules refuse the payload (`true`) or are reported as violations.
    #[must_use]
    pub const fn strict(mut self, yes: bool) -> Decoder {
        self.strict = yes;
        self
    }

    /// Decodes `input`, borrowing from it.
    ///
    /// # Errors
    /// A [`DecodeError`] for a payload whose structure or CRC is broken (every mode), or that
    /// breaks a rule of the specification (strict mode).
    pub fn decode<'a>(&self, input: &'a str) -> Result<Payload<'a>, DecodeError> {
        if input.is_empty() {
            return Err(DecodeError::Empty);
        }
        if input.len() > INPUT_BYTES_MAX {
            return Err(DecodeError::TooLarge {
                len: input.len(),
                len_max: INPUT_BYTES_MAX,
            });
        }
        let printable = all_printable_ascii(input.as_bytes());
        let ascii = printable || input.is_ascii();
        let mut objects = match walk(input, 0, TagPath::ROOT, ascii, Count::Chars) {
            Ok(objects) => objects,
            Err(err) => return Err(diagnose(input, ascii, err)),
        };
        let crc = check_crc(input, &objects)?;
        let mut violations = Vec::new();
        for object in &mut objects {
            parse_template(object, ascii, self.strict, &mut violations)?;
        }
        rules::check(input, ascii, printable, &objects, &mut violations);
        if self.strict {
            if let Some(first) = violations.into_iter().next() {
                return Err(DecodeError::Invalid(Box::new(first)));
            }
            violations = Vec::new();
        }
        Ok(Payload {
            text: input,
            objects,
            violations,
            crc,
        })
    }
}

/// Decodes `input` tolerantly; see [`Decoder`].
///
/// # Errors
/// A [`DecodeError`] when the payload's structure or CRC is broken.
pub fn decode(input: &str) -> Result<Payload<'_>, DecodeError> {
    Decoder::new().decode(input)
}

/// How a length field counts.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Count {
    /// Characters, as the specification says.
    Chars,
    /// UTF-8 bytes, as some encoders wrongly do; used only to diagnose.
    Bytes,
}

/// Walks the data objects of `text`, which starts at byte `base` of the payload and is the
/// inside of `parent`. At the root the walk ends at the CRC object.
fn walk(
    text: &str,
    base: usize,
    parent: TagPath,
    ascii: bool,
    count: Count,
) -> Result<Vec<DataObject<'_>>, DecodeError> {
    let bytes = text.as_bytes();
    let mut objects = Vec::with_capacity(if parent.is_root() { 16 } else { 4 });
    let mut pos = 0;
    while pos < bytes.len() {
        let offset = base + pos;
        let Some(&[i0, i1, l0, l1]) = bytes.get(pos..pos + 4) else {
            return Err(DecodeError::TruncatedHeader {
                parent,
                offset,
                available: bytes.len() - pos,
            });
        };
        let Some(tag) = Tag::from_digits(i0, i1) else {
            return Err(DecodeError::BadId {
                parent,
                offset,
                found: snippet(text, pos),
            });
        };
        let Some(path) = parent.child(tag) else {
            return Err(DecodeError::TooDeep {
                tag: parent,
                offset,
                depth_max: TagPath::DEPTH_MAX,
            });
        };
        let Some(len) = Tag::from_digits(l0, l1).map(|t| usize::from(t.get())) else {
            return Err(DecodeError::BadLength {
                tag: path,
                offset: offset + 2,
                found: snippet(text, pos + 2),
            });
        };
        let start = pos + 4;
        let rest = text.get(start..).unwrap_or_default();
        let value_bytes = if ascii || count == Count::Bytes {
            (len <= rest.len()).then_some(len)
        } else {
            char_prefix(rest, len)
        };
        let Some(value) = value_bytes.and_then(|n| rest.get(..n)) else {
            let available = if ascii {
                rest.len()
            } else {
                rest.chars().count()
            };
            return Err(DecodeError::Truncated {
                tag: path,
                offset,
                len,
                available,
            });
        };
        pos = start + value.len();
        objects.push(DataObject {
            tag,
            path,
            offset,
            value,
            children: None,
        });
        if parent.is_root() && tag == Tag::CRC && pos < bytes.len() {
            return Err(DecodeError::DataAfterCrc { offset: base + pos });
        }
    }
    Ok(objects)
}

/// Whether every byte is printable ASCII (0x20–0x7E), the `ans` character set. Most payloads
/// are, and knowing it once spares a scan of every `ans` value. Written without early exit so
/// the compiler can vectorise it.
fn all_printable_ascii(bytes: &[u8]) -> bool {
    let printable = |b: u8| b.wrapping_sub(0x20) < 0x5F;
    let (chunks, rest) = bytes.as_chunks::<16>();
    chunks
        .iter()
        .all(|c| c.iter().fold(true, |ok, &b| ok & printable(b)))
        && rest.iter().all(|&b| printable(b))
}

/// Byte length of the first `n` characters of `s`, or `None` if it has fewer.
fn char_prefix(s: &str, n: usize) -> Option<usize> {
    if n == 0 {
        return Some(0);
    }
    let mut seen = 0;
    for (i, c) in s.char_indices() {
        seen += 1;
        if seen == n {
            return Some(i + c.len_utf8());
        }
    }
    None
}

/// Up to two characters from byte `pos`, to show in an error.
fn snippet(text: &str, pos: usize) -> String {
    let rest = text.get(pos..).or_else(|| {
        // `pos` inside a character: back up to its start.
        (1..4).find_map(|back| text.get(pos.checked_sub(back)?..))
    });
    rest.unwrap_or_default().chars().take(2).collect()
}

/// Explains a failed walk as well as the input allows: a wrong CRC means the data is corrupt,
/// which says more than the structural symptom; a walk that works when counting bytes means the
/// encoder counted bytes. Input that fails at its first byte is no payload at all (a byte order
/// mark, say), which the structural error says best.
fn diagnose(input: &str, ascii: bool, err: DecodeError) -> DecodeError {
    let at_start = err.offset() == Some(0);
    if let Some(expected) = trailing_crc(input).filter(|_| !at_start) {
        let computed = crc::crc16(input.as_bytes().get(..input.len() - 4).unwrap_or_default());
        if computed != expected {
            return DecodeError::CrcMismatch { expected, computed };
        }
    }
    if !ascii {
        if let Ok(Some((tag, offset))) = first_non_ascii_by_bytes(input) {
            return DecodeError::ByteLengths { tag, offset };
        }
    }
    err
}

/// Walks the root and every template counting bytes, for diagnosis only; when that walk
/// succeeds, the first object holding non-ASCII text is where the two counts part.
fn first_non_ascii_by_bytes(input: &str) -> Result<Option<(TagPath, usize)>, DecodeError> {
    let objects = walk(input, 0, TagPath::ROOT, false, Count::Bytes)?;
    let mut first = None;
    for object in &objects {
        if is_template(object.path) {
            let inner = walk(
                object.value,
                object.offset + 4,
                object.path,
                false,
                Count::Bytes,
            )?;
            let hit = inner.iter().find(|o| !o.value.is_ascii());
            first = first.or(hit.map(|o| (o.path, o.offset)));
        }
        if !object.value.is_ascii() {
            first = first.or(Some((object.path, object.offset)));
        }
    }
    Ok(first)
}

/// The CRC the input ends with, if it ends in `6304` and four hexadecimal digits.
fn trailing_crc(input: &str) -> Option<u16> {
    let tail = input
        .len()
        .checked_sub(8)
        .and_then(|start| input.get(start..))?;
    let hex = tail.strip_prefix("6304")?;
    parse_hex(hex)
}

fn parse_hex(hex: &str) -> Option<u16> {
    if hex.len() == 4 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        u16::from_str_radix(hex, 16).ok()
    } else {
        None
    }
}

/// Checks the CRC object, which the walk guarantees is last if present.
fn check_crc(input: &str, objects: &[DataObject<'_>]) -> Result<u16, DecodeError> {
    let Some(last) = objects.last().filter(|o| o.tag == Tag::CRC) else {
        return Err(DecodeError::MissingCrc);
    };
    let Some(expected) = parse_hex(last.value) else {
        return Err(DecodeError::CrcFormat {
            offset: last.offset,
            found: last.value.to_string(),
        });
    };
    // INVARIANT: the CRC value is four ASCII bytes at the very end of the input.
    let covered = input.as_bytes().get(..input.len() - 4).unwrap_or_default();
    let computed = crc::crc16(covered);
    if computed != expected {
        return Err(DecodeError::CrcMismatch { expected, computed });
    }
    Ok(expected)
}

/// Whether the object at `path` is defined as a template: 26–51, 62, 64 and 80–99 at the root,
/// and the payment-system-specific templates 50–99 inside 62.
pub(crate) fn is_template(path: TagPath) -> bool {
    matches!(
        path.ids(),
        (Some(26..=51 | 62 | 64 | 80..=99), None, None) | (Some(62), Some(50..=99), None)
    )
}

/// Parses the inside of `object` when it is a template; a template that does not parse is kept
/// opaque and reported (tolerant), or refuses the payload (strict).
fn parse_template(
    object: &mut DataObject<'_>,
    ascii: bool,
    strict: bool,
    violations: &mut Vec<Violation>,
) -> Result<(), DecodeError> {
    if !is_template(object.path) {
        return Ok(());
    }
    let inside = object.value;
    match walk(inside, object.offset + 4, object.path, ascii, Count::Chars) {
        Ok(mut children) => {
            for child in &mut children {
                parse_template(child, ascii, strict, violations)?;
            }
            object.children = Some(children);
            Ok(())
        }
        Err(err) if strict => Err(err),
        Err(err) => {
            violations.push(Violation::new(
                Rule::NotTemplate(Box::new(err)),
                object.path,
                object.offset,
            ));
            Ok(())
        }
    }
}
