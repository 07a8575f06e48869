//! Business Identifier Codes (ISO 9362), as carried by EPC069-12 and SPAYD.

use core::fmt;

/// A syntactically valid BIC: 4 letters (institution), 2 letters (country), 2 letters or
/// digits (location) and optionally 3 letters or digits (branch).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(transparent))]
pub struct Bic(String);

/// Why a BIC is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BicError {
    /// Not 8 or 11 characters long.
    #[error("bic has {len} characters, expected 8 or 11")]
    Length {
        /// Characters found.
        len: usize,
    },
    /// A character not allowed at its position.
    #[error("invalid character in bic at byte {offset}")]
    InvalidCharacter {
        /// Byte offset.
        offset: usize,
    },
}

impl Bic {
    /// Parses a BIC of 8 or 11 upper-case characters.
    ///
    /// # Errors
    ///
    /// A [`BicError`] for a bad length or character.
    pub fn parse(text: &str) -> Result<Self, BicError> {
        let len = text.len();
        if len != 8 && len != 11 {
            return Err(BicError::Length { len });
        }
        for (offset, byte) in text.bytes().enumerate() {
            let ok = if offset < 6 {
                byte.is_ascii_uppercase()
            } else {
                byte.is_ascii_uppercase() || byte.is_ascii_digit()
            };
            if !ok {
                return Err(BicError::InvalidCharacter { offset });
            }
        }
        Ok(Self(text.to_owned()))
    }

    /// The BIC text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Bic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        assert!(Bic::parse("BPOTBEB1").is_ok());
        assert!(Bic::parse("RZBCCZPP").is_ok());
        assert!(Bic::parse("DEUTDEFF500").is_ok());
        assert_eq!(Bic::parse("BPOTBEB"), Err(BicError::Length { len: 7 }));
        assert_eq!(
            Bic::parse("BPO1BEB1"),
            Err(BicError::InvalidCharacter { offset: 3 })
        );
        assert_eq!(
            Bic::parse("BPOTBEb1"),
            Err(BicError::InvalidCharacter { offset: 6 })
        );
    }
}
