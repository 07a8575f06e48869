//! International Bank Account Numbers (ISO 13616) with the mod-97 check.
//!
//! The check is about twenty lines (ISO 7064 MOD 97-10 over the rearranged digits), so it is
//! written here rather than pulled in as a dependency: the formats in this crate need only the
//! length-per-country table and the checksum, not BBAN structures or formatting helpers.

use core::fmt;

/// Longest IBAN (ISO 13616: 34 characters).
pub const IBAN_LEN_MAX: usize = 34;

/// A syntactically valid IBAN in electronic format (upper case, no spaces) whose length
/// matches its country and whose check digits pass ISO 7064 MOD 97-10.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(transparent))]
pub struct Iban(String);

/// Why an IBAN is invalid. Offsets are byte offsets in the IBAN text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IbanError {
    /// Shorter than 5 or longer than 34 characters.
    #[error("iban has {len} characters, expected 5 to 34")]
    Length {
        /// Characters found.
        len: usize,
    },
    /// A character other than an upper-case letter or digit where one is required.
    #[error("invalid character in iban at byte {offset}")]
    InvalidCharacter {
        /// Byte offset.
        offset: usize,
    },
    /// The country code is not in the IBAN registry table.
    #[error("unknown iban country {country}")]
    UnknownCountry {
        /// The two letters found.
        country: String,
    },
    /// The length does not match the country's IBAN length.
    #[error("iban for {country} has {len} characters, expected {len_expected}")]
    CountryLength {
        /// Country code.
        country: String,
        /// Characters found.
        len: usize,
        /// Length registered for the country.
        len_expected: usize,
    },
    /// The mod-97 check failed.
    #[error("iban check digits do not match")]
    Checksum,
}

impl Iban {
    /// Parses an IBAN in electronic format (no spaces, upper case).
    ///
    /// # Errors
    ///
    /// An [`IbanError`] for bad length, characters, country or check digits.
    pub fn parse(text: &str) -> Result<Self, IbanError> {
        let len = text.len();
        if !(5..=IBAN_LEN_MAX).contains(&len) {
            return Err(IbanError::Length { len });
        }
        for (offset, byte) in text.bytes().enumerate() {
            let ok = match offset {
                0 | 1 => byte.is_ascii_uppercase(),
                2 | 3 => byte.is_ascii_digit(),
                _ => byte.is_ascii_uppercase() || byte.is_ascii_digit(),
            };
            if !ok {
                return Err(IbanError::InvalidCharacter { offset });
            }
        }
        let country = text.get(..2).unwrap_or_default();
        let len_expected = country_len(country).ok_or_else(|| IbanError::UnknownCountry {
            country: country.to_owned(),
        })?;
        if len != len_expected {
            return Err(IbanError::CountryLength {
                country: country.to_owned(),
                len,
                len_expected,
            });
        }
        let (head, tail) = text.split_at_checked(4).ok_or(IbanError::Length { len })?;
        if mod97(tail.bytes().chain(head.bytes())) != Some(1) {
            return Err(IbanError::Checksum);
        }
        Ok(Self(text.to_owned()))
    }

    /// The IBAN in electronic format.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The ISO 3166 country code (first two letters).
    #[must_use]
    pub fn country(&self) -> &str {
        self.0.get(..2).unwrap_or_default()
    }

    /// The basic bank account number (everything after the check digits).
    #[must_use]
    pub fn bban(&self) -> &str {
        self.0.get(4..).unwrap_or_default()
    }
}

impl fmt::Display for Iban {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// ISO 7064 MOD 97-10 remainder of alphanumeric text where letters count as 10..=35.
/// `None` if a byte is neither an ASCII digit nor an upper-case letter.
pub(crate) fn mod97(bytes: impl Iterator<Item = u8>) -> Option<u32> {
    let mut remainder: u32 = 0;
    for byte in bytes {
        let value = match byte {
            b'0'..=b'9' => u32::from(byte - b'0'),
            b'A'..=b'Z' => u32::from(byte - b'A') + 10,
            _ => return None,
        };
        remainder = if value >= 10 {
            (remainder * 100 + value) % 97
        } else {
            (remainder * 10 + value) % 97
        };
    }
    Some(remainder)
}

/// IBAN length per country, from the SWIFT IBAN registry (release 2024).
fn country_len(country: &str) -> Option<usize> {
    let len = match country {
        "NO" => 15,
        "BE" => 16,
        "DK" | "FI" | "FK" | "FO" | "GL" | "NL" | "SD" => 18,
        "MK" | "SI" => 19,
        "AT" | "BA" | "EE" | "KZ" | "LT" | "LU" | "MN" | "XK" => 20,
        "CH" | "HR" | "LI" | "LV" => 21,
        "BG" | "BH" | "CR" | "DE" | "GB" | "GE" | "IE" | "ME" | "RS" | "VA" => 22,
        "AE" | "GI" | "IL" | "IQ" | "OM" | "SO" | "TL" => 23,
        "AD" | "CZ" | "ES" | "MD" | "PK" | "RO" | "SA" | "SE" | "SK" | "TN" | "VG" => 24,
        "LY" | "PT" | "ST" => 25,
        "IS" | "TR" => 26,
        "BI" | "DJ" | "FR" | "GR" | "IT" | "MC" | "MR" | "SM" => 27,
        "AL" | "AZ" | "BY" | "CY" | "DO" | "GT" | "HN" | "HU" | "LB" | "NI" | "PL" | "SV" => 28,
        "BR" | "EG" | "PS" | "QA" | "UA" => 29,
        "JO" | "KW" | "MU" | "YE" => 30,
        "MT" | "SC" => 31,
        "LC" => 32,
        "RU" => 33,
        _ => return None,
    };
    Some(len)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn registry_examples_pass() {
        // Example IBANs printed in the SWIFT IBAN registry and in the specifications whose
        // examples the format modules test (EPC069-12, Swiss IG QR-bill, SPAYD).
        for text in [
            "BE72000000001616",
            "DE89370400440532013000",
            "GB29NWBK60161331926819",
            "CH4431999123000889012",
            "CH9300762011623852957",
            "CZ5855000000001265098001",
            "FR1420041010050500013M02606",
            "NO9386011117947",
            "LC55HEMM000100010012001200023015",
        ] {
            let iban = Iban::parse(text).unwrap();
            assert_eq!(iban.as_str(), text);
        }
    }

    #[test]
    fn rejections() {
        let table: &[(&str, IbanError)] = &[
            ("BE7", IbanError::Length { len: 3 }),
            (
                "be72000000001616",
                IbanError::InvalidCharacter { offset: 0 },
            ),
            (
                "BE72 000000001616",
                IbanError::InvalidCharacter { offset: 4 },
            ),
            (
                "BEX2000000001616",
                IbanError::InvalidCharacter { offset: 2 },
            ),
            ("BE73000000001616", IbanError::Checksum),
            (
                "BE720000000016160",
                IbanError::CountryLength {
                    country: "BE".into(),
                    len: 17,
                    len_expected: 16,
                },
            ),
            (
                "ZZ72000000001616",
                IbanError::UnknownCountry {
                    country: "ZZ".into(),
                },
            ),
        ];
        for (text, expected) in table {
            assert_eq!(&Iban::parse(text).unwrap_err(), expected, "{text}");
        }
    }

    proptest! {
        #[test]
        fn any_single_digit_change_is_rejected(position in 2usize..16, delta in 1u8..10) {
            let mut bytes = b"BE72000000001616".to_vec();
            let old = bytes[position] - b'0';
            bytes[position] = b'0' + (old + delta) % 10;
            let text = String::from_utf8(bytes).unwrap();
            prop_assert!(Iban::parse(&text).is_err());
        }

        #[test]
        fn never_panics(text in "\\PC{0,40}") {
            let _ = Iban::parse(&text);
        }
    }
}
