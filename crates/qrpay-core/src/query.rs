//! The key–value part shared by the text payment formats: the query of a UPI link or BIP21
//! URI (`key=value&…`) and the attributes of a SPAYD payload (`KEY:value*…`).
//!
//! Their syntax errors are the same in all three formats, so they are one type, carried by
//! [`crate::upi::UpiError::Query`], [`crate::bip21::Bip21Error::Query`] and
//! [`crate::spayd::SpaydError::Query`].

use crate::percent::{self, PercentError};

/// Why the key–value part of a payload is malformed. Offsets are byte offsets in the whole
/// input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QueryError {
    /// A pair is empty, lacks its separator (`=`, or `:` in SPAYD) or has an empty key (or,
    /// in SPAYD, an empty value).
    #[error("malformed key-value pair at byte {offset}")]
    Pair {
        /// Offset of the pair.
        offset: usize,
    },
    /// A character that may only appear percent-encoded: a control character, and in URIs
    /// `#` (and in BIP21 a space).
    #[error("character at byte {offset} must be percent-encoded")]
    Character {
        /// Offset of the character.
        offset: usize,
    },
    /// A key occurs twice.
    #[error("key {key} repeated at byte {offset}")]
    DuplicateKey {
        /// The key.
        key: String,
        /// Offset of the repetition (0 when a builder was given the key twice).
        offset: usize,
    },
    /// A malformed percent escape, or decoded bytes that are not UTF-8.
    #[error("bad escape in {key} at byte {offset}")]
    Escape {
        /// The key.
        key: String,
        /// Offset of the escape (or of the pair, for bytes that are not UTF-8).
        offset: usize,
    },
}

/// Refuses the first character of `text` (which starts at byte `base` of the input) that is a
/// control character or one of `also`.
#[inline]
pub(crate) fn check_characters(text: &str, base: usize, also: &[char]) -> Result<(), QueryError> {
    match text
        .char_indices()
        .find(|(_, c)| c.is_control() || also.contains(c))
    {
        Some((offset, _)) => Err(QueryError::Character {
            offset: base + offset,
        }),
        None => Ok(()),
    }
}

/// Refuses `key` when `seen` already holds it (a pair at byte `offset`).
#[inline]
pub(crate) fn check_new_key<'k>(
    mut seen: impl Iterator<Item = &'k str>,
    key: &str,
    offset: usize,
) -> Result<(), QueryError> {
    if seen.any(|k| k == key) {
        return Err(QueryError::DuplicateKey {
            key: key.to_owned(),
            offset,
        });
    }
    Ok(())
}

/// Percent-decodes the value of the pair `key` + one separator + `value` that starts at byte
/// `pair_offset` of the input.
#[inline]
pub(crate) fn decode_value(
    key: &str,
    value: &str,
    pair_offset: usize,
) -> Result<String, QueryError> {
    percent::decode(value).map_err(|error| QueryError::Escape {
        key: key.to_owned(),
        offset: match error {
            PercentError::BadEscape { offset } => pair_offset + key.len() + 1 + offset,
            PercentError::InvalidUtf8 => pair_offset,
        },
    })
}

/// The `key=value` pairs of the URI query that starts at byte `base` of the input, with
/// offsets in the input.
#[inline]
pub(crate) fn uri_pairs(query: &str, base: usize) -> Result<Vec<percent::RawPair<'_>>, QueryError> {
    let mut pairs = percent::query_pairs(query).map_err(|offset| QueryError::Pair {
        offset: base + offset,
    })?;
    for pair in &mut pairs {
        pair.offset += base;
    }
    Ok(pairs)
}
