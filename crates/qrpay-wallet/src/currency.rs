//! Currencies of the ledger and exact conversion between decimal amounts in the major unit and
//! integer minor units (`u128`).
//!
//! The ISO 4217 facts (alphabetic code, numeric code, exponent) are `qrpay_core`'s
//! [`qrpay_core::Currency`], one table for the whole workspace; this type adds what the ledger
//! needs on top: the ledger number, and amounts as `u128` minor units with errors that say
//! where the text went wrong. The exponents are the ones ISO 4217 publishes, not the ones
//! people use in shops: IDR has exponent 2 in ISO 4217 even though rupiah prices are written
//! without cents, JPY has 0 and KWD has 3.

use std::fmt;

/// A currency from the ISO 4217 table: a ledger of the wallet is one currency.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Currency(qrpay_core::Currency);

/// Why an amount or a currency was not accepted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AmountError {
    /// The currency code or number is not in the table.
    #[error("unknown currency {0}")]
    UnknownCurrency(String),
    /// The code is in ISO 4217 but is not money a wallet holds: a precious metal, a unit of
    /// account, XTS, XXX or a fund code (see [`qrpay_core::Currency::is_money`]).
    #[error("{0} is in ISO 4217 but is not money a wallet holds")]
    NotMoney(String),
    /// The amount text is empty or contains something other than digits and one dot.
    #[error("invalid amount {text:?} at byte {offset}")]
    Invalid {
        /// The text given.
        text: String,
        /// Where the first bad byte is.
        offset: usize,
    },
    /// The amount has more fraction digits than the currency's exponent (no silent rounding).
    #[error("amount {text:?} has {digits} fraction digits but {currency} allows {exponent}")]
    TooPrecise {
        /// The text given.
        text: String,
        /// Fraction digits given.
        digits: usize,
        /// The currency.
        currency: &'static str,
        /// Its exponent.
        exponent: u8,
    },
    /// The amount does not fit in the integer type.
    #[error("amount {0:?} is too large")]
    TooLarge(String),
}

impl Currency {
    /// Indonesian rupiah (ISO 4217: 360, exponent 2).
    pub const IDR: Currency = Currency(qrpay_core::Currency::IDR);

    /// Looks a currency up by its alphabetic code (upper case, e.g. `"IDR"`).
    ///
    /// # Errors
    /// [`AmountError::UnknownCurrency`] when the code is not in ISO 4217,
    /// [`AmountError::NotMoney`] when it is not money (`XAU`, `XXX`, `USN`…).
    pub fn from_code(code: &str) -> Result<Currency, AmountError> {
        let unknown = || AmountError::UnknownCurrency(code.to_owned());
        if !code.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(unknown());
        }
        Currency::money(qrpay_core::Currency::from_alpha(code).ok_or_else(unknown)?)
    }

    /// Looks a currency up by its numeric code (e.g. 360 for IDR, as in EMV tag 53).
    ///
    /// # Errors
    /// [`AmountError::UnknownCurrency`] when the number is not in ISO 4217,
    /// [`AmountError::NotMoney`] when it is not money (959, 999, 997…).
    pub fn from_numeric(numeric: u16) -> Result<Currency, AmountError> {
        Currency::money(
            qrpay_core::Currency::from_numeric(numeric)
                .ok_or_else(|| AmountError::UnknownCurrency(format!("{numeric:03}")))?,
        )
    }

    /// The currency of a ledger the store already holds: the ISO 4217 code whose number is
    /// `ledger`, money or not. Wallets opened before fund codes and the like were refused
    /// (`USN`, `CLF`…) kept their ledgers, and the accounts in them stay usable; only new
    /// ledgers must be money ([`Currency::from_code`], [`Currency::from_numeric`]).
    ///
    /// ```
    /// use qrpay_wallet::Currency;
    ///
    /// assert_eq!(Currency::of_ledger(360)?.code(), "IDR");
    /// assert_eq!(Currency::of_ledger(997)?.code(), "USN");
    /// assert!(Currency::from_numeric(997).is_err());
    /// assert!(Currency::of_ledger(70_000).is_err());
    /// # Ok::<(), qrpay_wallet::AmountError>(())
    /// ```
    ///
    /// # Errors
    /// [`AmountError::UnknownCurrency`] when no ISO 4217 code has that number.
    pub fn of_ledger(ledger: u32) -> Result<Currency, AmountError> {
        u16::try_from(ledger)
            .ok()
            .and_then(qrpay_core::Currency::from_numeric)
            .map(Currency)
            .ok_or_else(|| AmountError::UnknownCurrency(format!("{ledger:03}")))
    }

    fn money(currency: qrpay_core::Currency) -> Result<Currency, AmountError> {
        if currency.is_money() {
            Ok(Currency(currency))
        } else {
            Err(AmountError::NotMoney(currency.alpha().to_owned()))
        }
    }

    /// The same currency as `qrpay_core` knows it.
    #[must_use]
    pub fn core(self) -> qrpay_core::Currency {
        self.0
    }

    /// The alphabetic code.
    #[must_use]
    pub fn code(self) -> &'static str {
        self.0.alpha()
    }

    /// The numeric code.
    #[must_use]
    pub fn numeric(self) -> u16 {
        self.0.numeric()
    }

    /// Digits after the decimal point in the major unit.
    #[must_use]
    pub fn exponent(self) -> u8 {
        self.0.exponent()
    }

    /// The ledger number the wallet uses for this currency: its ISO 4217 numeric code.
    #[must_use]
    pub fn ledger(self) -> u32 {
        u32::from(self.numeric())
    }

    /// Parses a decimal amount in the major unit ("12500", "12.50") into minor units, exactly.
    ///
    /// # Errors
    /// [`AmountError::Invalid`] for anything but digits with at most one dot,
    /// [`AmountError::TooPrecise`] for more fraction digits than the exponent,
    /// [`AmountError::TooLarge`] when it does not fit in `u128`.
    pub fn parse_minor(self, text: &str) -> Result<u128, AmountError> {
        let invalid = |offset| AmountError::Invalid {
            text: text.to_owned(),
            offset,
        };
        let (whole, fraction) = match text.split_once('.') {
            Some((w, f)) => (w, Some(f)),
            None => (text, None),
        };
        if whole.is_empty() {
            return Err(invalid(0));
        }
        if let Some(pos) = whole.bytes().position(|b| !b.is_ascii_digit()) {
            return Err(invalid(pos));
        }
        let fraction = fraction.unwrap_or("");
        if let Some(pos) = fraction.bytes().position(|b| !b.is_ascii_digit()) {
            return Err(invalid(whole.len() + 1 + pos));
        }
        if text.ends_with('.') {
            return Err(invalid(text.len()));
        }
        let exponent = usize::from(self.exponent());
        if fraction.len() > exponent {
            return Err(AmountError::TooPrecise {
                text: text.to_owned(),
                digits: fraction.len(),
                currency: self.code(),
                exponent: self.exponent(),
            });
        }
        let too_large = || AmountError::TooLarge(text.to_owned());
        let mut minor: u128 = 0;
        for b in whole.bytes().chain(fraction.bytes()) {
            minor = minor
                .checked_mul(10)
                .and_then(|m| m.checked_add(u128::from(b - b'0')))
                .ok_or_else(too_large)?;
        }
        for _ in fraction.len()..exponent {
            minor = minor.checked_mul(10).ok_or_else(too_large)?;
        }
        Ok(minor)
    }

    /// Formats minor units as a plain decimal in the major unit ("25000.00" for IDR).
    #[must_use]
    pub fn format_minor(self, minor: u128) -> String {
        let exponent = u32::from(self.exponent());
        let scale = 10u128.pow(exponent);
        let whole = minor / scale;
        let fraction = minor % scale;
        if exponent == 0 {
            whole.to_string()
        } else {
            format!(
                "{whole}.{fraction:0width$}",
                width = usize::from(self.exponent())
            )
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_exponents_of_the_currencies_that_differ() {
        // ISO 4217 list one: IDR 360/2, JPY 392/0, KWD 414/3, USD 840/2, VND 704/0, BHD 048/3.
        for (code, numeric, exponent) in [
            ("IDR", 360, 2),
            ("JPY", 392, 0),
            ("KWD", 414, 3),
            ("USD", 840, 2),
            ("VND", 704, 0),
            ("BHD", 48, 3),
        ] {
            let c = Currency::from_code(code).unwrap();
            assert_eq!((c.numeric(), c.exponent()), (numeric, exponent), "{code}");
            assert_eq!(Currency::from_numeric(numeric).unwrap(), c);
        }
        let not_money = |code: &str| Err(AmountError::NotMoney(code.to_owned()));
        assert_eq!(Currency::from_code("XXX"), not_money("XXX"));
        assert_eq!(Currency::from_code("XAU"), not_money("XAU"));
        assert_eq!(Currency::from_code("USN"), not_money("USN"));
        assert_eq!(Currency::from_numeric(999), not_money("XXX"));
        assert_eq!(
            Currency::from_code("ABC"),
            Err(AmountError::UnknownCurrency("ABC".into()))
        );
        assert!(Currency::from_code("idr").is_err());
        // A real currency whose code starts with X and has exponent 0: the CFA franc.
        assert_eq!(Currency::from_code("XOF").unwrap().exponent(), 0);
    }

    #[test]
    fn parses_exactly() {
        let idr = Currency::IDR;
        let jpy = Currency::from_code("JPY").unwrap();
        let kwd = Currency::from_code("KWD").unwrap();
        let table: &[(Currency, &str, Result<u128, AmountError>)] = &[
            (idr, "12500", Ok(1_250_000)),
            (idr, "12.50", Ok(1_250)),
            (idr, "12.5", Ok(1_250)),
            (idr, "0.01", Ok(1)),
            (jpy, "500", Ok(500)),
            (kwd, "1.234", Ok(1_234)),
            (
                idr,
                "1.234",
                Err(AmountError::TooPrecise {
                    text: "1.234".into(),
                    digits: 3,
                    currency: "IDR",
                    exponent: 2,
                }),
            ),
            (
                jpy,
                "1.5",
                Err(AmountError::TooPrecise {
                    text: "1.5".into(),
                    digits: 1,
                    currency: "JPY",
                    exponent: 0,
                }),
            ),
            (
                idr,
                "",
                Err(AmountError::Invalid {
                    text: String::new(),
                    offset: 0,
                }),
            ),
            (
                idr,
                "1,5",
                Err(AmountError::Invalid {
                    text: "1,5".into(),
                    offset: 1,
                }),
            ),
            (
                idr,
                "-5",
                Err(AmountError::Invalid {
                    text: "-5".into(),
                    offset: 0,
                }),
            ),
            (
                idr,
                "5.",
                Err(AmountError::Invalid {
                    text: "5.".into(),
                    offset: 2,
                }),
            ),
            (
                idr,
                "1.2.3",
                Err(AmountError::Invalid {
                    text: "1.2.3".into(),
                    offset: 3,
                }),
            ),
            (
                idr,
                "999999999999999999999999999999999999999999",
                Err(AmountError::TooLarge(
                    "999999999999999999999999999999999999999999".into(),
                )),
            ),
        ];
        for (currency, text, want) in table {
            assert_eq!(&currency.parse_minor(text), want, "{currency} {text:?}");
        }
    }

    #[test]
    fn formats() {
        assert_eq!(Currency::IDR.format_minor(2_500_000), "25000.00");
        assert_eq!(Currency::from_code("JPY").unwrap().format_minor(500), "500");
        assert_eq!(
            Currency::from_code("KWD").unwrap().format_minor(1_005),
            "1.005"
        );
    }

    /// Currencies with each exponent ISO 4217 uses (0, 2, 3).
    const CODES: [&str; 6] = ["IDR", "JPY", "KWD", "USD", "VND", "BHD"];

    proptest::proptest! {
        #[test]
        fn format_parse_round_trip(minor in 0u128..u128::from(u64::MAX), idx in 0usize..CODES.len()) {
            let code = CODES[idx];
            let c = Currency::from_code(code).unwrap();
            proptest::prop_assert_eq!(c.parse_minor(&c.format_minor(minor)), Ok(minor));
        }
    }
}
