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
/// A payload that breaks no rule, the common case, is validated in one pass over its objects
/// that builds no report. Only when that pass finds something are the rules checked one by one,
/// so that every violation is described with its path and offset. Either way the result is the
/// same: the tests and the `emv_decode` fuzz target compare the two paths.
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
        self.decode_with(input, true)
    }

    /// [`Decoder::decode`] without the fast path: every rule checked and described one by one.
    /// For the fuzz targets, which hold the two paths to the same results.
    #[cfg(fuzzing)]
    #[doc(hidden)]
    pub fn decode_without_fast_path<'a>(&self, input: &'a str) -> Result<Payload<'a>, DecodeError> {
        self.decode_with(input, false)
    }

    /// [`Decoder::decode`], with the fast path for payloads that break no rule (`fast`) or
    /// without it; the tests hold the two to the same results.
    fn decode_with<'a>(&self, input: &'a str, fast: bool) -> Result<Payload<'a>, DecodeError> {
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
        let ascii = printable || all_ascii(input.as_bytes());
        let mut objects = Vec::with_capacity(16);
        let mut walk = Walk::new(input, 0, TagPath::ROOT, ascii, Count::Chars);
        for object in walk.by_ref() {
            objects.push(object);
        }
        if let Some(err) = walk.error() {
            return Err(diagnose(input, ascii, err));
        }
        let crc = check_crc(input, &objects)?;
        if fast && rules::all_clear(input, ascii, printable, &mut objects) {
            return Ok(Payload {
                text: input,
                objects,
                violations: Vec::new(),
                crc,
            });
        }
        let mut violations = Vec::new();
        for object in &mut objects {
            parse_template(object, self.strict, &mut violations)?;
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Count {
    /// Characters, as the specification says.
    Chars,
    /// UTF-8 bytes, as some encoders wrongly do; used only to diagnose.
    Bytes,
}

/// The data objects of `text`, which starts at byte `base` of the payload and is the inside of
/// `parent`, one at a time; at the root the walk ends at the CRC object.
///
/// The first structural error ends the walk; [`Walk::error`] then says what it was. Keeping the
/// error out of the items keeps each step small, which is most of the decoder's speed.
#[derive(Debug, Clone)]
pub(crate) struct Walk<'a> {
    text: &'a str,
    base: usize,
    pos: usize,
    /// Where the walk stops: the end of `text`, or 0 once a step has failed.
    end: usize,
    parent: TagPath,
    ascii: bool,
    count: Count,
}

impl<'a> Walk<'a> {
    pub(crate) fn new(
        text: &'a str,
        base: usize,
        parent: TagPath,
        ascii: bool,
        count: Count,
    ) -> Walk<'a> {
        Walk {
            text,
            base,
            pos: 0,
            end: text.len(),
            parent,
            ascii,
            count,
        }
    }

    /// Whether every object of the text walks cleanly.
    pub(crate) fn parses(mut self) -> bool {
        self.by_ref().for_each(drop);
        self.end == self.text.len()
    }

    /// Whether the walk has ended without an error.
    #[inline]
    pub(crate) fn completed(&self) -> bool {
        self.pos == self.text.len()
    }

    /// Why the walk stopped early, once it has; `None` while it has not.
    pub(crate) fn error(&self) -> Option<DecodeError> {
        (self.end != self.text.len()).then(|| self.explain())
    }

    /// The value of the object whose header starts at `pos`, and its length field.
    #[inline(always)]
    fn value_at(&self, pos: usize) -> (Option<&'a str>, usize) {
        let bytes = self.text.as_bytes();
        let len = match bytes.get(pos + 2..pos + 4) {
            Some(&[l0, l1]) => match Tag::from_digits(l0, l1) {
                Some(t) => usize::from(t.get()),
                None => return (None, 0),
            },
            _ => return (None, 0),
        };
        let start = pos + 4;
        let value = if self.ascii || self.count == Count::Bytes {
            self.text.get(start..start + len)
        } else {
            let rest = self.text.get(start..).unwrap_or_default();
            char_prefix(rest, len).and_then(|(n, _)| rest.get(..n))
        };
        (value, len)
    }

    /// The error at the object where the walk stopped, described in full.
    fn explain(&self) -> DecodeError {
        let (text, parent, pos) = (self.text, self.parent, self.pos);
        let bytes = text.as_bytes();
        let offset = self.base + pos;
        let Some(&[i0, i1, l0, l1]) = bytes.get(pos..pos + 4) else {
            return DecodeError::TruncatedHeader {
                parent,
                offset,
                available: bytes.len().saturating_sub(pos),
            };
        };
        let Some(tag) = Tag::from_digits(i0, i1) else {
            return DecodeError::BadId {
                parent,
                offset,
                found: snippet(text, pos),
            };
        };
        let Some(path) = parent.child(tag) else {
            return DecodeError::TooDeep {
                tag: parent,
                offset,
                depth_max: TagPath::DEPTH_MAX,
            };
        };
        if Tag::from_digits(l0, l1).is_none() {
            return DecodeError::BadLength {
                tag: path,
                offset: offset + 2,
                found: snippet(text, pos + 2),
            };
        }
        match self.value_at(pos) {
            (None, len) => {
                let rest = text.get(pos + 4..).unwrap_or_default();
                let available = if self.ascii {
                    rest.len()
                } else {
                    rest.chars().count()
                };
                DecodeError::Truncated {
                    tag: path,
                    offset,
                    len,
                    available,
                }
            }
            // The only other way a step fails: data after the CRC.
            (Some(value), _) => {
                let after = pos + 4 + value.len();
                DecodeError::DataAfterCrc {
                    offset: self.base + after,
                    found: excerpt(text.get(after..).unwrap_or_default()),
                }
            }
        }
    }
}

impl<'a> Iterator for Walk<'a> {
    type Item = DataObject<'a>;

    // Always inlined: with a second caller (the byte-length diagnosis) the compiler stopped
    // inlining it into the decoder's loop, which cost every decode about 18% more instructions.
    #[inline(always)]
    fn next(&mut self) -> Option<DataObject<'a>> {
        if self.pos >= self.end {
            return None;
        }
        let step = self.step();
        if step.is_none() {
            self.end = 0;
        }
        step
    }
}

impl<'a> Walk<'a> {
    /// One object, or `None` when the object at `pos` is broken: the decoder's innermost loop.
    #[inline(always)]
    fn step(&mut self) -> Option<DataObject<'a>> {
        let pos = self.pos;
        let bytes = self.text.as_bytes();
        let &[i0, i1, l0, l1] = bytes.get(pos..pos + 4)? else {
            return None;
        };
        // Four ASCII digits: every high nibble 3, and no low nibble above 9 (adding 6 to a low
        // nibble of 10–15 carries into its high nibble; no carry crosses a byte).
        let header = u32::from_le_bytes([i0, i1, l0, l1]);
        if header & 0xF0F0_F0F0 != 0x3030_3030
            || header.wrapping_add(0x0606_0606) & 0xF0F0_F0F0 != 0x3030_3030
        {
            return None;
        }
        // Digits checked above: no arithmetic here can wrap.
        let digits = |hi: u8, lo: u8| (hi & 0x0F).wrapping_mul(10).wrapping_add(lo & 0x0F);
        let tag = Tag::of_digits(digits(i0, i1));
        let len = usize::from(digits(l0, l1));
        let path = self.parent.child(tag)?;
        let start = pos + 4;
        // In a payload that is not all ASCII, most values still are: the object says which,
        // so that reading its inside and counting its characters take the byte path.
        let (value, ascii) = if self.ascii {
            (self.text.get(start..start + len)?, true)
        } else if self.count == Count::Bytes {
            (self.text.get(start..start + len)?, false)
        } else {
            let rest = self.text.get(start..).unwrap_or_default();
            let (n, ascii) = char_prefix(rest, len)?;
            (rest.get(..n)?, ascii)
        };
        let next = start + value.len();
        if tag == Tag::CRC && self.parent.is_root() && next < bytes.len() {
            return None;
        }
        self.pos = next;
        Some(DataObject {
            value,
            // INVARIANT: inputs are at most INPUT_BYTES_MAX bytes.
            offset: u32::try_from(self.base + pos).unwrap_or(u32::MAX),
            tag,
            path,
            parsed: false,
            ascii,
        })
    }
}

impl std::iter::FusedIterator for Walk<'_> {}

/// Whether every byte is printable ASCII (0x20–0x7E), the `ans` character set. Most payloads
/// are, and knowing it once spares a scan of every `ans` value. Written without early exit so
/// the compiler can vectorise it.
pub(crate) fn all_printable_ascii(bytes: &[u8]) -> bool {
    let printable = |b: u8| b.wrapping_sub(0x20) < 0x5F;
    let (chunks, rest) = bytes.as_chunks::<16>();
    chunks
        .iter()
        .all(|c| c.iter().fold(true, |ok, &b| ok & printable(b)))
        && rest.iter().all(|&b| printable(b))
}

/// Whether every byte is ASCII: `<[u8]>::is_ascii` without its early exit, which keeps the
/// compiler from vectorising it and buys nothing when, as usual, the answer is yes.
pub(crate) fn all_ascii(bytes: &[u8]) -> bool {
    let (words, rest) = bytes.as_chunks::<8>();
    let high = words.iter().fold(0, |acc, w| acc | u64::from_ne_bytes(*w));
    high & 0x8080_8080_8080_8080 == 0 && rest.is_ascii()
}

/// Byte length of the first `n` characters of `s`, and whether they are all ASCII; `None` if
/// `s` has fewer.
fn char_prefix(s: &str, n: usize) -> Option<(usize, bool)> {
    // Most values of a payload with some non-ASCII text are ASCII themselves: when the first
    // `n` bytes are, they are the first `n` characters. When they are not, the first `n`
    // characters, which span at least `n` bytes, hold the byte that is not.
    if s.as_bytes().get(..n).is_some_and(<[u8]>::is_ascii) {
        return Some((n, true));
    }
    let mut seen = 0;
    for (i, c) in s.char_indices() {
        seen += 1;
        if seen == n {
            return Some((i + c.len_utf8(), false));
        }
    }
    None
}

pub(crate) fn excerpt(text: &str) -> String {
    let mut out: String = text.chars().take(8).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out
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

/// Walks the root and every template counting bytes, for diagnosis only; when the root walk
/// succeeds, the first object holding non-ASCII text is where the two counts part.
fn first_non_ascii_by_bytes(input: &str) -> Result<Option<(TagPath, usize)>, DecodeError> {
    let mut root = Walk::new(input, 0, TagPath::ROOT, false, Count::Bytes);
    let first = first_non_ascii(&mut root);
    root.by_ref().for_each(drop);
    match root.error() {
        Some(err) => Err(err),
        None => Ok(first),
    }
}

/// The first object `walk` gives that holds non-ASCII text, named down to the innermost
/// object holding it. A template whose inside does not walk by bytes is opaque, as tolerant
/// decoding keeps it, and is named itself: the root walking by bytes is what shows the
/// encoder counted bytes.
fn first_non_ascii(walk: &mut Walk<'_>) -> Option<(TagPath, usize)> {
    let object = walk.find(|o| !o.value.is_ascii())?;
    if is_template(object.path) {
        let mut inner = Walk::new(
            object.value,
            object.offset() + 4,
            object.path,
            false,
            Count::Bytes,
        );
        // Templates nest at most twice (`is_template`), so this recursion is bounded.
        let found = first_non_ascii(&mut inner);
        if inner.error().is_none() && found.is_some() {
            return found;
        }
    }
    Some((object.path, object.offset()))
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
            offset: last.offset(),
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
pub(crate) const fn is_template(path: TagPath) -> bool {
    matches!(
        path.ids(),
        (Some(26..=51 | 62 | 64 | 80..=99), None, None) | (Some(62), Some(50..=99), None)
    )
}

/// Checks the inside of `object` when it is a template, and marks it parsed; a template that
/// does not parse is kept opaque and reported (tolerant), or refuses the payload (strict).
fn parse_template(
    object: &mut DataObject<'_>,
    strict: bool,
    violations: &mut Vec<Violation>,
) -> Result<(), DecodeError> {
    if !is_template(object.path) {
        return Ok(());
    }
    let walk = object.inside();
    let mut inside = walk.clone();
    let nested = inside
        .by_ref()
        .fold(false, |n, child| n | is_template(child.path));
    if let Some(err) = inside.error() {
        if strict {
            return Err(err);
        }
        violations.push(Violation::new(
            Rule::NotTemplate(Box::new(err)),
            object.path,
            object.offset(),
        ));
        return Ok(());
    }
    object.parsed = true;
    if nested {
        for mut child in walk {
            parse_template(&mut child, strict, violations)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::{all_ascii, Decoder};
    use proptest::prelude::*;

    /// Every payload of the test vectors (valid, invalid, erroneous, synthetic).
    fn vectors() -> Vec<String> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors");
        let mut out = Vec::new();
        for name in [
            "mpm_valid.tsv",
            "mpm_invalid.tsv",
            "mpm_errors.tsv",
            "mpm_synthetic.tsv",
        ] {
            let text = std::fs::read_to_string(format!("{dir}/{name}")).unwrap();
            for line in text
                .lines()
                .filter(|l| !l.starts_with('#') && !l.is_empty())
            {
                out.push(line.rsplit('\t').next().unwrap().to_owned());
            }
        }
        assert!(out.len() > 100, "too few vectors: {}", out.len());
        out
    }

    /// The fast path must change nothing: the same payload, objects, flags and violations, or
    /// the same error, in both modes.
    fn assert_same(input: &str) {
        for strict in [false, true] {
            let d = Decoder::new().strict(strict);
            assert_eq!(
                d.decode_with(input, true),
                d.decode_with(input, false),
                "strict={strict} input={input:?}"
            );
        }
    }

    #[test]
    fn fast_path_agrees_on_every_vector() {
        let vectors = vectors();
        let mut fast = 0;
        for v in &vectors {
            assert_same(v);
            fast += usize::from(
                Decoder::new()
                    .decode(v)
                    .is_ok_and(|p| p.violations().is_empty()),
            );
        }
        // Both paths are exercised: many vectors break no rule, many break some.
        assert!(
            fast > 20 && fast < vectors.len() - 20,
            "{fast} of {}",
            vectors.len()
        );
    }

    #[test]
    fn fast_path_agrees_on_every_single_character_change() {
        for v in vectors().iter().filter(|v| v.len() < 400) {
            let chars: Vec<char> = v.chars().collect();
            for i in 0..chars.len() {
                for c in ['0', 'A', ' ', '.', '\u{e9}', '\n'] {
                    let mut changed = chars.clone();
                    changed[i] = c;
                    let changed: String = changed.into_iter().collect();
                    // Fix the CRC so the change reaches the rules rather than the checksum.
                    let body = changed.get(..changed.len() - 4).unwrap_or_default();
                    let fixed = format!("{body}{:04X}", crate::crc::crc16(body.as_bytes()));
                    assert_same(&changed);
                    assert_same(&fixed);
                }
            }
        }
    }

    proptest! {
        #[test]
        fn fast_path_agrees_on_random_trees(
            keep in proptest::collection::vec(any::<bool>(), 7),
            extra in proptest::collection::vec((0u8..100, "[0-9A-Z .]{0,12}"), 0..6)
        ) {
            // Mostly-valid payloads (so the fast path accepts some) with random objects added.
            let base = [
                ("01", "12"), ("26", "0004ABCD0103XYZ"), ("52", "5812"), ("53", "360"),
                ("58", "ID"), ("59", "KOPI"), ("60", "JAKARTA"),
            ];
            let mut body = String::from("000201");
            for ((tag, value), keep) in base.iter().zip(&keep) {
                if *keep {
                    body.push_str(&format!("{tag}{:02}{value}", value.len()));
                }
            }
            for (tag, value) in &extra {
                body.push_str(&format!("{tag:02}{:02}{value}", value.len()));
            }
            body.push_str("6304");
            let payload = format!("{body}{:04X}", crate::crc::crc16(body.as_bytes()));
            assert_same(&payload);
        }

        #[test]
        fn all_ascii_agrees_with_std(
            mut bytes in proptest::collection::vec(0u8..0x80, 0..200),
            high in proptest::option::of((any::<proptest::sample::Index>(), 0x80u8..=0xFF)),
        ) {
            // Every length around the eight-byte words, with one high byte anywhere or none.
            if let (Some((at, byte)), false) = (high, bytes.is_empty()) {
                let at = at.index(bytes.len());
                bytes[at] = byte;
            }
            prop_assert_eq!(all_ascii(&bytes), bytes.is_ascii());
        }
    }
}
