//! Exact decimal amounts as they are written in payment payloads.
//!
//! Every text format in this crate writes money as a decimal string (`12.34`, `20.3`, `50`).
//! [`DecimalAmount`] holds such a string as an integer count of minor units (cents, satoshi)
//! together with how many fraction digits were written, so a payload re-encodes byte for byte
//! and no floating point is ever involved.

use core::fmt;

/// Largest minor-unit exponent supported (10^18 still fits in `u64`).
const EXPONENT_MAX: u8 = 18;

/// An exact, non-negative decimal amount in integer minor units.
///
/// `exponent` is the number of decimal places of the minor unit (2 for cents, 8 for satoshi);
/// `fraction_digits` is how many fraction digits the written form carries (at most `exponent`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DecimalAmount {
    minor_units: u64,
    exponent: u8,
    fraction_digits: u8,
}

/// Why a decimal amount could not be parsed or built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecimalError {
    /// The amount text is empty.
    #[error("empty amount")]
    Empty,
    /// A character other than a digit or one decimal point.
    #[error("invalid character in amount at byte {offset}")]
    InvalidCharacter {
        /// Byte offset in the amount text.
        offset: usize,
    },
    /// The integer part is missing (`.5`) or the fraction part is empty (`5.`).
    #[error("missing digits in amount at byte {offset}")]
    MissingDigits {
        /// Byte offset in the amount text.
        offset: usize,
    },
    /// The integer part has a superfluous leading zero (`01.00`).
    #[error("leading zero in amount")]
    LeadingZero,
    /// More fraction digits than the minor unit allows.
    #[error("{digits} fraction digits in amount, at most {digits_max} allowed")]
    TooManyFractionDigits {
        /// Fraction digits written.
        digits: usize,
        /// Fraction digits allowed.
        digits_max: u8,
    },
    /// The amount does not fit in 64-bit minor units.
    #[error("amount overflows")]
    Overflow,
    /// `fraction_digits` exceeds `exponent`, `exponent` is too large, or the minor units
    /// cannot be written with that few fraction digits.
    #[error("minor units {minor_units} cannot be written with {fraction_digits} of {exponent} fraction digits")]
    Inexact {
        /// Minor units requested.
        minor_units: u64,
        /// Minor-unit exponent requested.
        exponent: u8,
        /// Fraction digits requested.
        fraction_digits: u8,
    },
}

impl DecimalAmount {
    /// Builds an amount from minor units, the minor-unit exponent and the number of fraction
    /// digits to write.
    ///
    /// # Errors
    ///
    /// [`DecimalError::Inexact`] when `fraction_digits > exponent`, `exponent > 18`, or the
    /// minor units have non-zero digits beyond `fraction_digits`.
    pub fn new(minor_units: u64, exponent: u8, fraction_digits: u8) -> Result<Self, DecimalError> {
        let inexact = DecimalError::Inexact {
            minor_units,
            exponent,
            fraction_digits,
        };
        if exponent > EXPONENT_MAX || fraction_digits > exponent {
            return Err(inexact);
        }
        let unwritten = pow10(exponent.saturating_sub(fraction_digits));
        if !minor_units.is_multiple_of(unwritten) {
            return Err(inexact);
        }
        Ok(Self {
            minor_units,
            exponent,
            fraction_digits,
        })
    }

    /// Builds an amount written with every fraction digit of the minor unit (`12.30`).
    ///
    /// # Errors
    ///
    /// [`DecimalError::Inexact`] when `exponent > 18`.
    pub fn from_minor_units(minor_units: u64, exponent: u8) -> Result<Self, DecimalError> {
        Self::new(minor_units, exponent, exponent)
    }

    /// Parses `digits [ "." digits ]` with at most `exponent` fraction digits and no
    /// superfluous leading zero.
    ///
    /// # Errors
    ///
    /// A [`DecimalError`] naming the first offending byte.
    pub fn parse(text: &str, exponent: u8) -> Result<Self, DecimalError> {
        if exponent > EXPONENT_MAX {
            return Err(DecimalError::Inexact {
                minor_units: 0,
                exponent,
                fraction_digits: 0,
            });
        }
        if text.is_empty() {
            return Err(DecimalError::Empty);
        }
        let (integer, fraction) = match text.split_once('.') {
            Some((integer, fraction)) => (integer, Some(fraction)),
            None => (text, None),
        };
        if integer.is_empty() {
            return Err(DecimalError::MissingDigits { offset: 0 });
        }
        if let Some(offset) = integer.bytes().position(|b| !b.is_ascii_digit()) {
            return Err(DecimalError::InvalidCharacter { offset });
        }
        if integer.len() > 1 && integer.starts_with('0') {
            return Err(DecimalError::LeadingZero);
        }
        let fraction = fraction.unwrap_or_default();
        let fraction_offset = integer.len().saturating_add(1);
        if text.len() > integer.len() && fraction.is_empty() {
            return Err(DecimalError::MissingDigits {
                offset: fraction_offset,
            });
        }
        if let Some(position) = fraction.bytes().position(|b| !b.is_ascii_digit()) {
            return Err(DecimalError::InvalidCharacter {
                offset: fraction_offset.saturating_add(position),
            });
        }
        if fraction.len() > usize::from(exponent) {
            return Err(DecimalError::TooManyFractionDigits {
                digits: fraction.len(),
                digits_max: exponent,
            });
        }
        let mut minor_units: u64 = 0;
        for digit in integer.bytes().chain(fraction.bytes()) {
            minor_units = minor_units
                .checked_mul(10)
                .and_then(|m| m.checked_add(u64::from(digit - b'0')))
                .ok_or(DecimalError::Overflow)?;
        }
        // INVARIANT: fraction.len() <= exponent <= 18, so the conversion cannot fail.
        let fraction_digits = u8::try_from(fraction.len()).map_err(|_| DecimalError::Overflow)?;
        let scale = pow10(exponent - fraction_digits);
        let minor_units = minor_units
            .checked_mul(scale)
            .ok_or(DecimalError::Overflow)?;
        Ok(Self {
            minor_units,
            exponent,
            fraction_digits,
        })
    }

    /// The amount in minor units (e.g. cents).
    #[must_use]
    pub fn minor_units(&self) -> u64 {
        self.minor_units
    }

    /// Decimal places of the minor unit.
    #[must_use]
    pub fn exponent(&self) -> u8 {
        self.exponent
    }

    /// Fraction digits of the written form.
    #[must_use]
    pub fn fraction_digits(&self) -> u8 {
        self.fraction_digits
    }

    /// Number of characters of the written form.
    #[must_use]
    pub fn written_len(&self) -> usize {
        let integer = self.minor_units / pow10(self.exponent);
        let mut integer_digits = 1;
        let mut rest = integer / 10;
        while rest > 0 {
            integer_digits += 1;
            rest /= 10;
        }
        if self.fraction_digits == 0 {
            integer_digits
        } else {
            integer_digits + 1 + usize::from(self.fraction_digits)
        }
    }
}

impl fmt::Display for DecimalAmount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = pow10(self.exponent);
        let integer = self.minor_units / unit;
        write!(f, "{integer}")?;
        if self.fraction_digits > 0 {
            let dropped = pow10(self.exponent - self.fraction_digits);
            let fraction = (self.minor_units % unit) / dropped;
            let width = usize::from(self.fraction_digits);
            write!(f, ".{fraction:0width$}")?;
        }
        Ok(())
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for DecimalAmount {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut state = serializer.serialize_struct("DecimalAmount", 3)?;
        state.serialize_field("minor_units", &self.minor_units)?;
        state.serialize_field("exponent", &self.exponent)?;
        state.serialize_field("text", &self.to_string())?;
        state.end()
    }
}

/// 10^exp for exp <= 18.
fn pow10(exp: u8) -> u64 {
    10u64.saturating_pow(u32::from(exp))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_table() {
        type Row = (&'static str, u8, Result<(u64, u8), DecimalError>);
        let table: &[Row] = &[
            ("12.34", 2, Ok((1234, 2))),
            ("1", 2, Ok((100, 0))),
            ("20.3", 8, Ok((2_030_000_000, 1))),
            ("0.01", 2, Ok((1, 2))),
            ("0", 2, Ok((0, 0))),
            ("", 2, Err(DecimalError::Empty)),
            (".5", 2, Err(DecimalError::MissingDigits { offset: 0 })),
            ("5.", 2, Err(DecimalError::MissingDigits { offset: 2 })),
            ("01", 2, Err(DecimalError::LeadingZero)),
            ("1,5", 2, Err(DecimalError::InvalidCharacter { offset: 1 })),
            ("1.5x", 2, Err(DecimalError::InvalidCharacter { offset: 3 })),
            (
                "1.2.3",
                2,
                Err(DecimalError::InvalidCharacter { offset: 3 }),
            ),
            ("-1", 2, Err(DecimalError::InvalidCharacter { offset: 0 })),
            (
                "1.234",
                2,
                Err(DecimalError::TooManyFractionDigits {
                    digits: 3,
                    digits_max: 2,
                }),
            ),
            ("99999999999999999999", 2, Err(DecimalError::Overflow)),
            ("184467440737095516.16", 2, Err(DecimalError::Overflow)),
        ];
        for (text, exponent, expected) in table {
            let got = DecimalAmount::parse(text, *exponent)
                .map(|a| (a.minor_units(), a.fraction_digits()));
            assert_eq!(&got, expected, "{text:?}");
        }
    }

    #[test]
    fn new_rejects_hidden_digits() {
        assert!(DecimalAmount::new(1234, 2, 1).is_err());
        assert_eq!(DecimalAmount::new(1230, 2, 1).unwrap().to_string(), "12.3");
        assert!(DecimalAmount::new(1, 2, 3).is_err());
    }

    proptest! {
        #[test]
        fn display_parse_round_trip(units in any::<u64>(), exponent in 0u8..=18, keep in 0u8..=18) {
            let fraction_digits = keep.min(exponent);
            let unit = pow10(exponent - fraction_digits);
            let units = units - units % unit;
            let amount = DecimalAmount::new(units, exponent, fraction_digits).unwrap();
            let text = amount.to_string();
            prop_assert_eq!(text.len(), amount.written_len());
            prop_assert_eq!(DecimalAmount::parse(&text, exponent).unwrap(), amount);
        }

        #[test]
        fn parse_never_panics(text in "\\PC{0,30}", exponent in 0u8..=20) {
            let _ = DecimalAmount::parse(&text, exponent);
        }
    }
}
