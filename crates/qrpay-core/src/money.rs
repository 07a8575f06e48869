//! Currencies and exact decimal amounts. No floating point anywhere.

use core::fmt;
use std::sync::OnceLock;

/// An ISO 4217 currency, with its numeric code, alphabetic code and minor-unit exponent.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency(iso_currency::Currency);

impl Currency {
    /// Indonesian rupiah.
    pub const IDR: Currency = Currency(iso_currency::Currency::IDR);
    /// Brazilian real.
    pub const BRL: Currency = Currency(iso_currency::Currency::BRL);
    /// Thai baht.
    pub const THB: Currency = Currency(iso_currency::Currency::THB);
    /// Singapore dollar.
    pub const SGD: Currency = Currency(iso_currency::Currency::SGD);
    /// Euro.
    pub const EUR: Currency = Currency(iso_currency::Currency::EUR);

    /// Looks up an ISO 4217 numeric code (`360` for IDR).
    #[must_use]
    pub fn from_numeric(code: u16) -> Option<Currency> {
        iso_currency::Currency::from_numeric(code).map(Currency)
    }

    /// Looks up the three ASCII digits EMV tag 53 carries (`"360"`); anything else names no
    /// currency, even text that parses as a number (`"+64"`, `"36"`).
    pub(crate) fn from_numeric_text(code: &str) -> Option<Currency> {
        if code.len() == 3 && code.bytes().all(|b| b.is_ascii_digit()) {
            code.parse().ok().and_then(Currency::from_numeric)
        } else {
            None
        }
    }

    /// Looks up an ISO 4217 alphabetic code (`IDR`), case-insensitively.
    #[must_use]
    pub fn from_alpha(code: &str) -> Option<Currency> {
        if code.len() != 3 || !code.is_ascii() {
            return None;
        }
        iso_currency::Currency::from_code(&code.to_ascii_uppercase()).map(Currency)
    }

    /// Parses either form: three digits (`360`) or three letters (`IDR`).
    #[must_use]
    pub fn parse(code: &str) -> Option<Currency> {
        Currency::from_numeric_text(code).or_else(|| Currency::from_alpha(code))
    }

    /// The numeric code, e.g. 360.
    #[must_use]
    pub fn numeric(self) -> u16 {
        self.0.numeric()
    }

    /// The numeric code as the three digits EMV tag 53 carries, e.g. `"360"`, `"036"`.
    #[must_use]
    pub fn numeric_str(self) -> String {
        String::from_utf8_lossy(&self.numeric_digits()).into_owned()
    }

    /// The numeric code as three ASCII digits (`*b"360"`), without allocating.
    #[must_use]
    pub fn numeric_digits(self) -> [u8; 3] {
        let n = self.numeric();
        // ISO 4217 numeric codes have three digits; `% 10` keeps each a digit regardless.
        let digit = |d: u16| b'0' + u8::try_from(d % 10).unwrap_or(0);
        [digit(n / 100), digit(n / 10), digit(n)]
    }

    /// The alphabetic code, e.g. `"IDR"`.
    #[must_use]
    pub fn alpha(self) -> &'static str {
        self.0.code()
    }

    /// Digits after the decimal mark in the minor unit (IDR 2, JPY 0, KWD 3). Currencies
    /// without a minor unit in ISO 4217 (gold, test codes) count as 0.
    #[must_use]
    pub fn exponent(self) -> u8 {
        self.0
            .exponent()
            .and_then(|e| u8::try_from(e).ok())
            .unwrap_or(0)
    }

    /// The English name ISO 4217 gives the code, e.g. `"Indonesian rupiah"`.
    #[must_use]
    pub fn name(self) -> &'static str {
        // The table crate lends a name for as long as the code it is asked through lives: ask
        // through a code that lives for the whole program.
        static CODES: OnceLock<Vec<iso_currency::Currency>> = OnceLock::new();
        let codes = CODES.get_or_init(|| {
            (1..=999)
                .filter_map(iso_currency::Currency::from_numeric)
                .collect()
        });
        codes
            .iter()
            .find(|c| **c == self.0)
            .map_or("", |c| c.name())
    }

    /// Whether the code names money a payment can be made in. ISO 4217 also numbers things
    /// that are not, and this is `false` for them: precious metals (959 XAU), units of account
    /// (960 XDR, 955–958 XBA–XBD, 965 XUA, 994 XSU, 396 XAD), 963 XTS (reserved for testing),
    /// 999 XXX ("no currency"), and the fund codes that sit beside a country's currency (984
    /// BOV, 990 CLF, 997 USN…). EMV tag 53 and the builders refuse them. Currencies the table
    /// marks as superseded (191 HRK, 694 SLL, 932 ZWL…) are still money here: they were, and a
    /// code printed before the change names them.
    #[must_use]
    pub fn is_money(self) -> bool {
        !(self.0.is_special() || self.0.is_fund())
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Currency({} {:03})", self.alpha(), self.numeric())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.alpha())
    }
}

/// An exact non-negative decimal amount as written in a payload (`"98.73"`, `"98."`, `"10"`).
///
/// Held as an integer mantissa and a scale (digits after the decimal mark), so that conversion to
/// minor units is exact or refused, never rounded.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Amount {
    mantissa: u64,
    scale: u8,
}

/// Why a text is not an amount, or does not fit a currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AmountError {
    /// No characters.
    #[error("amount is empty")]
    Empty,
    /// A character other than a digit or one decimal mark `.`.
    #[error("amount has {found:?} at character {index}: only digits and one '.' are allowed")]
    BadChar {
        /// The offending character.
        found: char,
        /// Its index among the amount's characters.
        index: usize,
    },
    /// No digit at all (`"."`).
    #[error("amount has no digits")]
    NoDigits,
    /// The value is zero.
    #[error("amount is zero")]
    Zero,
    /// More digits than fit (more than 19).
    #[error("amount has too many digits")]
    TooManyDigits,
    /// More decimal places than the currency's minor unit allows.
    #[error("amount has {scale} decimal places, the currency allows {exponent}")]
    TooPrecise {
        /// Decimal places written.
        scale: u8,
        /// The currency's exponent.
        exponent: u8,
    },
    /// The value in minor units does not fit in 64 bits.
    #[error("amount overflows minor units")]
    Overflow,
}

impl Amount {
    /// Parses the EMV amount grammar: digits with at most one `.`, not zero. `"98."` is allowed;
    /// `"98,73"`, `"3 705"`, `"-1"` and `"1e3"` are refused.
    ///
    /// # Errors
    /// [`AmountError`] saying which character broke the grammar, or that the value is zero.
    pub fn parse(text: &str) -> Result<Amount, AmountError> {
        let amount = Amount::parse_allow_zero(text)?;
        if amount.mantissa == 0 {
            return Err(AmountError::Zero);
        }
        Ok(amount)
    }

    /// Like [`Amount::parse`] but zero is allowed (fee percentages and fixed fees use it).
    ///
    /// # Errors
    /// [`AmountError`] saying which character broke the grammar.
    pub fn parse_allow_zero(text: &str) -> Result<Amount, AmountError> {
        if text.is_empty() {
            return Err(AmountError::Empty);
        }
        if text.len() <= 19 {
            // 19 digits cannot overflow a u64: no checked arithmetic per digit.
            if let Some(amount) = Amount::parse_short(text.as_bytes()) {
                return Ok(amount);
            }
        }
        Amount::parse_checked(text)
    }

    /// [`Amount::parse_allow_zero`] digit by digit, with every step checked.
    fn parse_checked(text: &str) -> Result<Amount, AmountError> {
        let mut mantissa: u64 = 0;
        let mut scale: Option<u8> = None;
        let mut digits = 0usize;
        for (at, &b) in text.as_bytes().iter().enumerate() {
            match b {
                b'0'..=b'9' => {
                    digits += 1;
                    mantissa = mantissa
                        .checked_mul(10)
                        .and_then(|m| m.checked_add(u64::from(b - b'0')))
                        .ok_or(AmountError::TooManyDigits)?;
                    if let Some(s) = scale.as_mut() {
                        *s = s.checked_add(1).ok_or(AmountError::TooManyDigits)?;
                    }
                }
                b'.' if scale.is_none() => scale = Some(0),
                _ => {
                    // Bytes before `at` are ASCII, so `at` is both a character boundary and the
                    // character's index.
                    let found = text.get(at..).and_then(|t| t.chars().next());
                    return Err(AmountError::BadChar {
                        found: found.unwrap_or(char::REPLACEMENT_CHARACTER),
                        index: at,
                    });
                }
            }
        }
        if digits == 0 {
            return Err(AmountError::NoDigits);
        }
        Ok(Amount {
            mantissa,
            scale: scale.unwrap_or(0),
        })
    }

    /// [`Amount::parse_allow_zero`] of at most 19 bytes that follow the grammar; `None`
    /// otherwise (the caller then finds and describes the fault).
    fn parse_short(bytes: &[u8]) -> Option<Amount> {
        let mut mantissa: u64 = 0;
        let mut point: Option<usize> = None;
        for (at, &b) in bytes.iter().enumerate() {
            match b {
                // At most 19 digits: below 10^19 < u64::MAX, no wrap.
                b'0'..=b'9' => {
                    mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(b - b'0'));
                }
                b'.' if point.is_none() => point = Some(at),
                _ => return None,
            }
        }
        let digits = bytes.len() - usize::from(point.is_some());
        if digits == 0 {
            return None;
        }
        // The digits after the point; at most 18.
        let scale = point.map_or(0, |p| bytes.len() - p - 1);
        Some(Amount {
            mantissa,
            scale: u8::try_from(scale).ok()?,
        })
    }

    /// The amount `minor` in minor units of a currency with `exponent` decimal places.
    #[must_use]
    pub const fn from_minor(minor: u64, exponent: u8) -> Amount {
        Amount {
            mantissa: minor,
            scale: exponent,
        }
    }

    /// Digits after the decimal mark as written.
    #[must_use]
    pub const fn scale(self) -> u8 {
        self.scale
    }

    /// The amount with the decimal mark removed.
    #[must_use]
    pub const fn mantissa(self) -> u64 {
        self.mantissa
    }

    /// Whether the amount is zero.
    #[must_use]
    pub const fn is_zero(self) -> bool {
        self.mantissa == 0
    }

    /// The amount in minor units of a currency with `exponent` decimal places, exactly.
    ///
    /// `"98.7"` in a 2-decimal currency is 9870; `"98.735"` is refused, as is `"98.70"` in a
    /// 0-decimal currency (IDR is 2, JPY 0). Trailing zeros beyond the exponent are accepted
    /// (`"10.00"` JPY is 10) because they change no value.
    ///
    /// # Errors
    /// [`AmountError::TooPrecise`] when a non-zero digit lies beyond the exponent,
    /// [`AmountError::Overflow`] when the result does not fit.
    pub fn to_minor(self, exponent: u8) -> Result<u64, AmountError> {
        if self.scale <= exponent {
            let factor = 10u64
                .checked_pow(u32::from(exponent - self.scale))
                .ok_or(AmountError::Overflow)?;
            return self
                .mantissa
                .checked_mul(factor)
                .ok_or(AmountError::Overflow);
        }
        let divisor =
            10u64
                .checked_pow(u32::from(self.scale - exponent))
                .ok_or(AmountError::TooPrecise {
                    scale: self.scale,
                    exponent,
                })?;
        if !self.mantissa.is_multiple_of(divisor) {
            return Err(AmountError::TooPrecise {
                scale: self.scale,
                exponent,
            });
        }
        Ok(self.mantissa / divisor)
    }

    /// Writes the amount in the EMV form with exactly `exponent` decimals (`"25000.00"`), or no
    /// decimal mark when `exponent` is 0.
    #[must_use]
    pub fn format_minor(minor: u64, exponent: u8) -> String {
        let mut text = String::with_capacity(24);
        Amount::write_minor(&mut text, minor, exponent);
        text
    }

    /// [`Amount::format_minor`], appended to `out`.
    pub fn write_minor(out: &mut String, minor: u64, exponent: u8) {
        // u64::MAX has 20 digits; an exponent above 20 only adds leading zeros.
        let mut digits = [0u8; 20];
        let mut n = minor;
        let mut used = 0;
        for slot in digits.iter_mut().rev() {
            // `n % 10` is a digit: the cast cannot truncate.
            #[allow(clippy::cast_possible_truncation)]
            {
                *slot = b'0' + (n % 10) as u8;
            }
            n /= 10;
            used += 1;
            if n == 0 {
                break;
            }
        }
        let exponent = usize::from(exponent);
        let written = digits.get(20 - used..).unwrap_or_default();
        let (int, frac) = written.split_at(used.saturating_sub(exponent));
        if int.is_empty() {
            out.push('0');
        }
        out.extend(int.iter().map(|&d| char::from(d)));
        if exponent > 0 {
            out.push('.');
            out.extend(core::iter::repeat_n('0', exponent.saturating_sub(used)));
            out.extend(frac.iter().map(|&d| char::from(d)));
        }
    }

    /// Compares two amounts by value (`"10"` equals `"10.00"`).
    #[must_use]
    pub fn value_eq(self, other: Amount) -> bool {
        let scale = self.scale.max(other.scale);
        match (self.to_minor(scale), other.to_minor(scale)) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        }
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.scale == 0 {
            return write!(f, "{}", self.mantissa);
        }
        f.write_str(&Amount::format_minor(self.mantissa, self.scale))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grammar() {
        assert_eq!(Amount::parse("98.73").unwrap().to_minor(2).unwrap(), 9873);
        assert_eq!(Amount::parse("98.").unwrap().to_minor(2).unwrap(), 9800);
        assert_eq!(Amount::parse(".5").unwrap().to_minor(2).unwrap(), 50);
        assert_eq!(Amount::parse("25000").unwrap().to_minor(0).unwrap(), 25000);
        assert_eq!(
            Amount::parse("98,73"),
            Err(AmountError::BadChar {
                found: ',',
                index: 2
            })
        );
        assert_eq!(
            Amount::parse("3 705"),
            Err(AmountError::BadChar {
                found: ' ',
                index: 1
            })
        );
        assert_eq!(
            Amount::parse("1.2.3"),
            Err(AmountError::BadChar {
                found: '.',
                index: 3
            })
        );
        assert_eq!(Amount::parse("0.00"), Err(AmountError::Zero));
        assert_eq!(Amount::parse("."), Err(AmountError::NoDigits));
        assert_eq!(Amount::parse(""), Err(AmountError::Empty));
        assert_eq!(
            Amount::parse("-1"),
            Err(AmountError::BadChar {
                found: '-',
                index: 0
            })
        );
        assert_eq!(
            Amount::parse("１"),
            Err(AmountError::BadChar {
                found: '１',
                index: 0
            })
        );
        assert_eq!(
            Amount::parse("99999999999999999999"),
            Err(AmountError::TooManyDigits)
        );
    }

    #[test]
    fn minor_units_are_exact() {
        let a = Amount::parse("98.735").unwrap();
        assert_eq!(
            a.to_minor(2),
            Err(AmountError::TooPrecise {
                scale: 3,
                exponent: 2
            })
        );
        assert_eq!(a.to_minor(3), Ok(98735));
        assert_eq!(Amount::parse("10.00").unwrap().to_minor(0), Ok(10));
        assert_eq!(
            Amount::parse("10.50").unwrap().to_minor(0),
            Err(AmountError::TooPrecise {
                scale: 2,
                exponent: 0
            })
        );
        assert_eq!(
            Amount::parse("18446744073709551615").unwrap().to_minor(1),
            Err(AmountError::Overflow)
        );
    }

    #[test]
    fn formatting() {
        assert_eq!(Amount::format_minor(2_500_000, 2), "25000.00");
        assert_eq!(Amount::format_minor(5, 3), "0.005");
        assert_eq!(Amount::format_minor(25000, 0), "25000");
        assert_eq!(Amount::parse("98.").unwrap().to_string(), "98");
        assert!(Amount::parse("10")
            .unwrap()
            .value_eq(Amount::parse("10.00").unwrap()));
    }

    #[test]
    fn currencies() {
        let idr = Currency::parse("360").unwrap();
        assert_eq!((idr.alpha(), idr.exponent()), ("IDR", 2));
        assert_eq!(Currency::parse("jpy").unwrap().exponent(), 0);
        assert_eq!(Currency::parse("KWD").unwrap().exponent(), 3);
        assert_eq!(Currency::parse("036").unwrap().alpha(), "AUD");
        assert_eq!(Currency::IDR.numeric_str(), "360");
        assert_eq!(Currency::parse("AUD").unwrap().numeric_digits(), *b"036");
        assert_eq!(Currency::parse("ALL").unwrap().numeric_str(), "008");
        let none = Currency::parse("999").unwrap();
        assert_eq!(
            (none.alpha(), none.exponent(), none.name()),
            ("XXX", 0, "No currency")
        );
        assert!(Currency::parse("XXXX").is_none());
        assert!(Currency::parse("12").is_none());
    }

    #[test]
    fn money_and_codes_that_are_not() {
        for code in [
            "IDR", "BRL", "USD", "XOF", "XAF", "XCD", "XPF", "JPY", "KWD", "CHF",
        ] {
            assert!(Currency::parse(code).unwrap().is_money(), "{code}");
        }
        let not_money = [
            "XAU", "XAG", "XPT", "XPD", "XDR", "XBA", "XBB", "XBC", "XBD", "XUA", "XSU", "XAD",
            "XTS", "XXX", "BOV", "CHE", "CHW", "CLF", "COU", "MXV", "USN", "UYI", "UYW",
        ];
        for code in not_money {
            assert!(!Currency::parse(code).unwrap().is_money(), "{code}");
        }
        // Superseded currencies were money, and old codes still name them.
        for code in ["HRK", "SLL", "ZWL", "CUC"] {
            assert!(Currency::parse(code).unwrap().is_money(), "{code}");
        }
        // Every code has its name, through the code-number table.
        for code in (1..=999).filter_map(Currency::from_numeric) {
            assert!(!code.name().is_empty(), "{code:?}");
        }
        assert_eq!(Currency::IDR.name(), "Indonesian rupiah");
        // Every other code in the table is money: 23 codes above are all there are.
        let all = (1..=999).filter_map(Currency::from_numeric);
        assert_eq!(all.filter(|c| !c.is_money()).count(), not_money.len());
    }

    proptest::proptest! {
        #[test]
        fn minor_round_trip(minor in 1u64..=u64::MAX / 1000, exp in 0u8..=3) {
            let text = Amount::format_minor(minor, exp);
            proptest::prop_assert_eq!(Amount::parse(&text).unwrap().to_minor(exp).unwrap(), minor);
        }

        #[test]
        fn short_path_agrees_with_the_checked_one(s in "[0-9.]{0,19}|[0-9.,a ]{0,19}|\\PC{0,6}") {
            proptest::prop_assume!(s.len() <= 19);
            proptest::prop_assert_eq!(Amount::parse_short(s.as_bytes()), Amount::parse_checked(&s).ok());
        }

        #[test]
        fn format_minor_is_the_padded_decimal(minor in proptest::num::u64::ANY, exp in 0u8..=25) {
            // The definition: at least `exp + 1` digits, the last `exp` after a point.
            let digits = format!("{minor:0width$}", width = usize::from(exp) + 1);
            let (int, frac) = digits.split_at(digits.len() - usize::from(exp));
            let expected = if exp == 0 { int.to_owned() } else { format!("{int}.{frac}") };
            proptest::prop_assert_eq!(Amount::format_minor(minor, exp), expected);
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,20}") {
            let _ = Amount::parse(&s);
        }
    }
}
