//! ISO 11649 structured creditor references (`RF18539007547034`).

use core::fmt;

use crate::iban::mod97;

/// Longest creditor reference: `RF`, two check digits and up to 21 characters.
pub const CREDITOR_REFERENCE_LEN_MAX: usize = 25;

/// A valid ISO 11649 creditor reference in electronic format (upper case, no spaces).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(transparent))]
pub struct CreditorReference(String);

/// Why a creditor reference is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CreditorReferenceError {
    /// Shorter than 5 or longer than 25 characters.
    #[error("creditor reference has {len} characters, expected 5 to 25")]
    Length {
        /// Characters found.
        len: usize,
    },
    /// Does not start with `RF` followed by two digits.
    #[error("creditor reference does not start with RF and two check digits")]
    Prefix,
    /// A character other than an upper-case letter or digit.
    #[error("invalid character in creditor reference at byte {offset}")]
    InvalidCharacter {
        /// Byte offset.
        offset: usize,
    },
    /// The mod-97 check failed.
    #[error("creditor reference check digits do not match")]
    Checksum,
}

impl CreditorReference {
    /// Parses a creditor reference in electronic format.
    ///
    /// # Errors
    ///
    /// A [`CreditorReferenceError`] for bad length, prefix, characters or check digits.
    pub fn parse(text: &str) -> Result<Self, CreditorReferenceError> {
        let len = text.len();
        if !(5..=CREDITOR_REFERENCE_LEN_MAX).contains(&len) {
            return Err(CreditorReferenceError::Length { len });
        }
        let (head, tail) = text
            .split_at_checked(4)
            .ok_or(CreditorReferenceError::Prefix)?;
        let head_ok = head.starts_with("RF") && head.bytes().skip(2).all(|b| b.is_ascii_digit());
        if !head_ok {
            return Err(CreditorReferenceError::Prefix);
        }
        if let Some(position) = tail
            .bytes()
            .position(|b| !(b.is_ascii_uppercase() || b.is_ascii_digit()))
        {
            return Err(CreditorReferenceError::InvalidCharacter {
                offset: position + 4,
            });
        }
        if mod97(tail.bytes().chain(head.bytes())) != Some(1) {
            return Err(CreditorReferenceError::Checksum);
        }
        Ok(Self(text.to_owned()))
    }

    /// Builds the reference for `payload` (1–21 upper-case letters or digits), computing the
    /// check digits.
    ///
    /// # Errors
    ///
    /// [`CreditorReferenceError::Length`] or [`CreditorReferenceError::InvalidCharacter`].
    pub fn from_payload(payload: &str) -> Result<Self, CreditorReferenceError> {
        let len = payload.len();
        if !(1..=CREDITOR_REFERENCE_LEN_MAX - 4).contains(&len) {
            return Err(CreditorReferenceError::Length {
                len: len.saturating_add(4),
            });
        }
        let remainder = mod97(payload.bytes().chain(*b"RF00"))
            .ok_or_else(|| invalid_payload_character(payload))?;
        let check = 98 - remainder;
        Self::parse(&format!("RF{check:02}{payload}"))
    }

    /// The reference text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn invalid_payload_character(payload: &str) -> CreditorReferenceError {
    let position = payload
        .bytes()
        .position(|b| !(b.is_ascii_uppercase() || b.is_ascii_digit()))
        .unwrap_or_default();
    CreditorReferenceError::InvalidCharacter {
        offset: position + 4,
    }
}

impl fmt::Display for CreditorReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn iso_11649_example() {
        // The example reference of ISO 11649 and of EPC142-08.
        assert!(CreditorReference::parse("RF18539007547034").is_ok());
        assert_eq!(
            CreditorReference::from_payload("539007547034")
                .unwrap()
                .as_str(),
            "RF18539007547034"
        );
        assert_eq!(
            CreditorReference::parse("RF19539007547034"),
            Err(CreditorReferenceError::Checksum)
        );
        assert_eq!(
            CreditorReference::parse("XX18539007547034"),
            Err(CreditorReferenceError::Prefix)
        );
        assert_eq!(
            CreditorReference::parse("RF18a39007547034"),
            Err(CreditorReferenceError::InvalidCharacter { offset: 4 })
        );
    }

    proptest! {
        #[test]
        fn from_payload_round_trips(payload in "[A-Z0-9]{1,21}") {
            let reference = CreditorReference::from_payload(&payload).unwrap();
            prop_assert_eq!(CreditorReference::parse(reference.as_str()).unwrap(), reference);
        }

        #[test]
        fn never_panics(text in "\\PC{0,30}") {
            let _ = CreditorReference::parse(&text);
            let _ = CreditorReference::from_payload(&text);
        }
    }
}
