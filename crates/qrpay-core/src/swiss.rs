//! Swiss QR-bill: the Swiss QR Code payload (`SPC`, version `0200`, coding `1`).
//!
//! Implements the Swiss Implementation Guidelines for the QR-bill, version 2.2 (section 4.3)
//! with the address rule of version 2.3: since 22 November 2025 only structured (`S`)
//! addresses may be issued, so the builder refuses combined (`K`) addresses, while the parser
//! still reads them (bills printed under 2.2 remain in circulation) and reports them as
//! [`Address::Combined`]. Elements are lines separated by CR LF or LF:
//!
//! | lines | element |
//! |---|---|
//! | 1–3 | `SPC`, `0200`, `1` |
//! | 4 | IBAN or QR-IBAN, CH or LI |
//! | 5–11 | creditor address (type, name, street or line 1, building or line 2, postcode, town, country) |
//! | 12–18 | ultimate creditor, reserved: must be empty |
//! | 19–20 | amount (two decimals, optional; `0.00` marks a notification "do not use for payment") and currency `CHF` / `EUR` |
//! | 21–27 | ultimate debtor address (optional: all empty) |
//! | 28–29 | reference type `QRR` / `SCOR` / `NON` and reference |
//! | 30 | unstructured message |
//! | 31 | trailer `EPD` |
//! | 32 | bill information (optional) |
//! | 33–34 | up to two alternative schemes (optional) |
//!
//! A QR-IBAN (institution id 30000–31999) requires a QR reference (27 digits, mod 10
//! recursive check digit); any other IBAN takes an ISO 11649 creditor reference or none.
//! Text may use the extended Latin character set that IG 2.3 admits (Basic Latin, Latin-1
//! Supplement, Latin Extended-A, Ș ș Ț ț, €).
//!
//! ```
//! use qrpay_core::swiss;
//! let text = "SPC\n0200\n1\nCH5800791123000889012\nS\nRobert Schneider AG\nRue du Lac\n1268\n2501\nBiel\nCH\n\n\n\n\n\n\n\n\nCHF\n\n\n\n\n\n\n\nNON\n\n\nEPD";
//! let bill = swiss::parse(text)?;
//! assert_eq!(bill.amount(), None);
//! assert_eq!(bill.to_string(), text);
//! # Ok::<(), swiss::SwissQrError>(())
//! ```

use core::fmt;

use crate::creditor_reference::{CreditorReference, CreditorReferenceError};
use crate::decimal::{DecimalAmount, DecimalError};
pub use crate::epc::LineSeparator;
use crate::iban::{Iban, IbanError};

/// Maximum payload length in characters (IG QR-bill 2.2, section 4.2.1).
pub const PAYLOAD_LEN_MAX: usize = 997;
/// Largest amount in minor units (999999999.99).
pub const AMOUNT_MINOR_MAX: u64 = 99_999_999_999;
/// Maximum combined length of the unstructured message and the bill information.
pub const ADDITIONAL_INFORMATION_LEN_MAX: usize = 140;
/// Maximum length of one alternative scheme parameter.
pub const ALTERNATIVE_SCHEME_LEN_MAX: usize = 100;
/// Maximum number of alternative schemes.
pub const ALTERNATIVE_SCHEMES_MAX: usize = 2;

const LINES_MIN: usize = 31;
const LINES_MAX: usize = 34;
const TRAILER: &str = "EPD";

/// A decoded, validated Swiss QR-bill payload.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SwissQrBill {
    separator: LineSeparator,
    iban: Iban,
    creditor: Address,
    amount: Option<DecimalAmount>,
    currency: Currency,
    debtor: Option<Address>,
    reference: Reference,
    unstructured_message: Option<String>,
    bill_information: Option<String>,
    alternative_schemes: Vec<String>,
}

/// Payment currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Currency {
    /// Swiss franc.
    #[cfg_attr(feature = "serde", serde(rename = "CHF"))]
    Chf,
    /// Euro.
    #[cfg_attr(feature = "serde", serde(rename = "EUR"))]
    Eur,
}

/// A creditor or debtor address.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(tag = "type", rename_all = "snake_case")
)]
pub enum Address {
    /// Address type `S`.
    Structured {
        /// Name, 1–70 characters.
        name: String,
        /// Street or P.O. box, up to 70 characters.
        street: Option<String>,
        /// Building number, up to 16 characters.
        building_number: Option<String>,
        /// Postal code, 1–16 characters.
        postal_code: String,
        /// Town, 1–35 characters.
        town: String,
        /// ISO 3166 alpha-2 country code.
        country: String,
    },
    /// Address type `K` (IG 2.2; withdrawn by IG 2.3).
    Combined {
        /// Name, 1–70 characters.
        name: String,
        /// Street and building number, up to 70 characters.
        line1: Option<String>,
        /// Postal code and town, 1–70 characters.
        line2: String,
        /// ISO 3166 alpha-2 country code.
        country: String,
    },
}

/// The payment reference.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(tag = "type", content = "value", rename_all = "snake_case")
)]
pub enum Reference {
    /// `QRR`: QR reference, only with a QR-IBAN.
    Qrr(QrReference),
    /// `SCOR`: ISO 11649 creditor reference, only with an ordinary IBAN.
    Scor(CreditorReference),
    /// `NON`: no reference, only with an ordinary IBAN.
    None,
}

/// A 27-digit QR reference whose last digit is the mod 10 recursive check digit.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(transparent))]
pub struct QrReference(String);

/// Why a Swiss QR-bill payload could not be decoded or built. Lines are 1-based.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SwissQrError {
    /// More than 997 characters.
    #[error("payload is {len} characters, at most {len_max} allowed")]
    PayloadTooLong {
        /// Characters found.
        len: usize,
        /// Limit.
        len_max: usize,
    },
    /// Fewer than 31 or more than 34 lines.
    #[error("payload has {lines} lines, expected 31 to 34")]
    LineCount {
        /// Lines found.
        lines: usize,
    },
    /// A line uses another separator than the first one, or holds a stray CR.
    #[error("mixed line separators on line {line}")]
    MixedSeparators {
        /// The line.
        line: usize,
    },
    /// A mandatory element is empty.
    #[error("missing {element} on line {line}")]
    Missing {
        /// The line.
        line: usize,
        /// The element's name.
        element: &'static str,
    },
    /// An element holds a value its grammar does not allow.
    #[error("invalid {element} on line {line}")]
    Invalid {
        /// The line.
        line: usize,
        /// The element's name.
        element: &'static str,
    },
    /// An element that must stay empty is filled.
    #[error("{element} on line {line} must be empty")]
    NotEmpty {
        /// The line.
        line: usize,
        /// The element's name.
        element: &'static str,
    },
    /// An element is longer than allowed.
    #[error("{element} on line {line} has {len} characters, at most {len_max} allowed")]
    FieldTooLong {
        /// The line.
        line: usize,
        /// The element's name.
        element: &'static str,
        /// Characters found.
        len: usize,
        /// Limit.
        len_max: usize,
    },
    /// A character outside the permitted Latin character set.
    #[error("character not permitted at byte {offset} of line {line}")]
    Character {
        /// The line.
        line: usize,
        /// Byte offset within the line.
        offset: usize,
    },
    /// The IBAN is malformed or fails its check.
    #[error("bad iban on line 4")]
    Iban(#[source] IbanError),
    /// The IBAN is not from Switzerland or Liechtenstein.
    #[error("iban country {country} is not CH or LI")]
    IbanCountry {
        /// Country found.
        country: String,
    },
    /// The amount is malformed.
    #[error("bad amount on line 19")]
    Amount(#[source] DecimalError),
    /// The amount does not have exactly two decimals or is above 999999999.99.
    #[error("amount of {minor_units} minor units with {fraction_digits} decimals not allowed on line 19")]
    AmountRange {
        /// The amount in minor units.
        minor_units: u64,
        /// Decimals written.
        fraction_digits: u8,
    },
    /// A QR-IBAN used without a QR reference, or a QR reference without a QR-IBAN.
    #[error("qr-iban and qr reference must go together (lines 4 and 28)")]
    QrIbanReferenceMismatch,
    /// The QR reference is not 27 digits.
    #[error("qr reference must be 27 digits")]
    QrReferenceFormat,
    /// The QR reference check digit does not match.
    #[error("qr reference check digit is {found}, expected {expected}")]
    QrReferenceChecksum {
        /// Digit found.
        found: u8,
        /// Digit computed.
        expected: u8,
    },
    /// The SCOR reference is not a valid creditor reference.
    #[error("bad creditor reference on line 29")]
    CreditorReference(#[source] CreditorReferenceError),
    /// The unstructured message and bill information exceed 140 characters together.
    #[error("message and bill information have {len} characters, at most {len_max} allowed")]
    AdditionalInformationTooLong {
        /// Characters found.
        len: usize,
        /// Limit.
        len_max: usize,
    },
    /// The builder was given a combined (`K`) address, withdrawn by IG QR-bill 2.3.
    #[error("combined address (type K) not allowed since IG QR-bill 2.3, at line {line}")]
    CombinedAddress {
        /// First line of the address.
        line: usize,
    },
    /// More than two alternative schemes.
    #[error("{count} alternative schemes, at most 2 allowed")]
    TooManyAlternativeSchemes {
        /// Schemes given.
        count: usize,
    },
}

/// Decodes a Swiss QR Code payload.
///
/// # Errors
///
/// A [`SwissQrError`] naming the offending line.
pub fn parse(input: &str) -> Result<SwissQrBill, SwissQrError> {
    // Bytes bound characters from above, so this cheap check comes first.
    if input.len() > PAYLOAD_LEN_MAX * 4 || input.chars().count() > PAYLOAD_LEN_MAX {
        return Err(SwissQrError::PayloadTooLong {
            len: input.chars().count(),
            len_max: PAYLOAD_LEN_MAX,
        });
    }
    let (separator, lines) = split_lines(input)?;
    let line = |number: usize| lines.get(number - 1).copied().unwrap_or_default();
    for (number, expected, element) in [
        (1, "SPC", "qr type"),
        (2, "0200", "version"),
        (3, "1", "coding type"),
    ] {
        if line(number) != expected {
            return Err(SwissQrError::Invalid {
                line: number,
                element,
            });
        }
    }
    for (index, text) in lines.iter().enumerate() {
        check_characters(index + 1, text)?;
    }
    let iban = match line(4) {
        "" => return Err(missing(4, "iban")),
        text => Iban::parse(text).map_err(SwissQrError::Iban)?,
    };
    let creditor = parse_address(&lines, 5)?.ok_or(missing(5, "creditor address type"))?;
    for number in 12..=18 {
        if !line(number).is_empty() {
            return Err(SwissQrError::NotEmpty {
                line: number,
                element: "ultimate creditor",
            });
        }
    }
    let amount = match line(19) {
        "" => None,
        text => Some(DecimalAmount::parse(text, 2).map_err(SwissQrError::Amount)?),
    };
    let currency = match line(20) {
        "CHF" => Currency::Chf,
        "EUR" => Currency::Eur,
        "" => return Err(missing(20, "currency")),
        _ => return Err(invalid(20, "currency")),
    };
    let debtor = parse_address(&lines, 21)?;
    let reference = match (line(28), line(29)) {
        ("QRR", text) => Reference::Qrr(QrReference::parse(text)?),
        ("SCOR", text) => Reference::Scor(
            CreditorReference::parse(text).map_err(SwissQrError::CreditorReference)?,
        ),
        ("NON", "") => Reference::None,
        ("NON", _) => {
            return Err(SwissQrError::NotEmpty {
                line: 29,
                element: "reference",
            })
        }
        ("", _) => return Err(missing(28, "reference type")),
        _ => return Err(invalid(28, "reference type")),
    };
    if line(31) != TRAILER {
        return Err(invalid(31, "trailer"));
    }
    let alternative_schemes = lines
        .iter()
        .skip(32)
        .map(|s| (*s).to_owned())
        .collect::<Vec<_>>();
    let bill = SwissQrBill {
        separator,
        iban,
        creditor,
        amount,
        currency,
        debtor,
        reference,
        unstructured_message: non_empty(line(30)),
        bill_information: non_empty(line(32)),
        alternative_schemes,
    };
    bill.validate()?;
    Ok(bill)
}

/// Cheap detection: the payload starts with the `SPC` QR type line.
#[must_use]
pub fn looks_like(input: &str) -> bool {
    input.starts_with("SPC\n") || input.starts_with("SPC\r\n")
}

impl SwissQrBill {
    /// Starts a builder for a bill payable to `creditor` at `iban` in `currency`
    /// (no amount, no reference, LF separators).
    #[must_use]
    pub fn builder(iban: Iban, creditor: Address, currency: Currency) -> SwissQrBillBuilder {
        SwissQrBillBuilder {
            bill: Self {
                separator: LineSeparator::Lf,
                iban,
                creditor,
                amount: None,
                currency,
                debtor: None,
                reference: Reference::None,
                unstructured_message: None,
                bill_information: None,
                alternative_schemes: Vec::new(),
            },
        }
    }

    /// The line separator used.
    #[must_use]
    pub fn separator(&self) -> LineSeparator {
        self.separator
    }

    /// The creditor's IBAN or QR-IBAN.
    #[must_use]
    pub fn iban(&self) -> &Iban {
        &self.iban
    }

    /// Whether the IBAN is a QR-IBAN (institution id 30000–31999).
    #[must_use]
    pub fn is_qr_iban(&self) -> bool {
        is_qr_iban(&self.iban)
    }

    /// The creditor.
    #[must_use]
    pub fn creditor(&self) -> &Address {
        &self.creditor
    }

    /// The amount (exponent 2), if fixed.
    #[must_use]
    pub fn amount(&self) -> Option<&DecimalAmount> {
        self.amount.as_ref()
    }

    /// The currency.
    #[must_use]
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The ultimate debtor, if given.
    #[must_use]
    pub fn debtor(&self) -> Option<&Address> {
        self.debtor.as_ref()
    }

    /// The payment reference.
    #[must_use]
    pub fn reference(&self) -> &Reference {
        &self.reference
    }

    /// The unstructured message, if given.
    #[must_use]
    pub fn unstructured_message(&self) -> Option<&str> {
        self.unstructured_message.as_deref()
    }

    /// The structured bill information (e.g. Swico `//S1/...`), if given.
    #[must_use]
    pub fn bill_information(&self) -> Option<&str> {
        self.bill_information.as_deref()
    }

    /// The alternative scheme parameters (at most two).
    #[must_use]
    pub fn alternative_schemes(&self) -> &[String] {
        &self.alternative_schemes
    }

    /// The payload text (same as `to_string()`).
    #[must_use]
    pub fn encode(&self) -> String {
        self.to_string()
    }

    fn validate(&self) -> Result<(), SwissQrError> {
        let country = self.iban.country();
        if country != "CH" && country != "LI" {
            return Err(SwissQrError::IbanCountry {
                country: country.to_owned(),
            });
        }
        check_address(&self.creditor, 5)?;
        if let Some(debtor) = &self.debtor {
            check_address(debtor, 21)?;
        }
        if let Some(amount) = &self.amount {
            let minor_units = amount.minor_units();
            let ok = amount.exponent() == 2
                && amount.fraction_digits() == 2
                && minor_units <= AMOUNT_MINOR_MAX;
            if !ok {
                return Err(SwissQrError::AmountRange {
                    minor_units,
                    fraction_digits: amount.fraction_digits(),
                });
            }
        }
        let qrr = matches!(self.reference, Reference::Qrr(_));
        if qrr != self.is_qr_iban() {
            return Err(SwissQrError::QrIbanReferenceMismatch);
        }
        let message = self.unstructured_message.as_deref().unwrap_or_default();
        let bill_information = self.bill_information.as_deref().unwrap_or_default();
        let len = message.chars().count() + bill_information.chars().count();
        if len > ADDITIONAL_INFORMATION_LEN_MAX {
            return Err(SwissQrError::AdditionalInformationTooLong {
                len,
                len_max: ADDITIONAL_INFORMATION_LEN_MAX,
            });
        }
        if self.alternative_schemes.len() > ALTERNATIVE_SCHEMES_MAX {
            return Err(SwissQrError::TooManyAlternativeSchemes {
                count: self.alternative_schemes.len(),
            });
        }
        for (index, scheme) in self.alternative_schemes.iter().enumerate() {
            check_len(
                33 + index,
                "alternative scheme",
                scheme,
                ALTERNATIVE_SCHEME_LEN_MAX,
            )?;
            if scheme.is_empty() {
                return Err(missing(33 + index, "alternative scheme"));
            }
        }
        let text = self.to_string();
        for (index, line) in self.lines().iter().enumerate() {
            check_characters(index + 1, line)?;
        }
        let len = text.chars().count();
        if len > PAYLOAD_LEN_MAX {
            return Err(SwissQrError::PayloadTooLong {
                len,
                len_max: PAYLOAD_LEN_MAX,
            });
        }
        Ok(())
    }

    fn lines(&self) -> Vec<String> {
        let mut lines: Vec<String> = vec!["SPC".into(), "0200".into(), "1".into()];
        lines.push(self.iban.to_string());
        push_address(&mut lines, Some(&self.creditor));
        push_address(&mut lines, None);
        lines.push(self.amount.map(|a| a.to_string()).unwrap_or_default());
        lines.push(self.currency.code().into());
        push_address(&mut lines, self.debtor.as_ref());
        let (kind, reference) = match &self.reference {
            Reference::Qrr(r) => ("QRR", r.as_str().to_owned()),
            Reference::Scor(r) => ("SCOR", r.as_str().to_owned()),
            Reference::None => ("NON", String::new()),
        };
        lines.push(kind.into());
        lines.push(reference);
        lines.push(self.unstructured_message.clone().unwrap_or_default());
        lines.push(TRAILER.into());
        if self.bill_information.is_some() || !self.alternative_schemes.is_empty() {
            lines.push(self.bill_information.clone().unwrap_or_default());
        }
        lines.extend(self.alternative_schemes.iter().cloned());
        lines
    }
}

impl fmt::Display for SwissQrBill {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.separator.write_lines(f, &self.lines())
    }
}

impl Currency {
    fn code(self) -> &'static str {
        match self {
            Self::Chf => "CHF",
            Self::Eur => "EUR",
        }
    }
}

impl QrReference {
    /// Parses a 27-digit QR reference and checks its mod 10 recursive check digit.
    ///
    /// # Errors
    ///
    /// [`SwissQrError::QrReferenceFormat`] or [`SwissQrError::QrReferenceChecksum`].
    pub fn parse(text: &str) -> Result<Self, SwissQrError> {
        if text.len() != 27 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(SwissQrError::QrReferenceFormat);
        }
        let (payload, check) = text
            .split_at_checked(26)
            .ok_or(SwissQrError::QrReferenceFormat)?;
        let expected = mod10_recursive(payload);
        let found = check.bytes().next().map_or(0, |b| b - b'0');
        if found != expected {
            return Err(SwissQrError::QrReferenceChecksum { found, expected });
        }
        Ok(Self(text.to_owned()))
    }

    /// Builds a QR reference from its 26-digit payload, appending the check digit.
    ///
    /// # Errors
    ///
    /// [`SwissQrError::QrReferenceFormat`] unless `payload` is 26 digits.
    pub fn from_payload(payload: &str) -> Result<Self, SwissQrError> {
        if payload.len() != 26 || !payload.bytes().all(|b| b.is_ascii_digit()) {
            return Err(SwissQrError::QrReferenceFormat);
        }
        Ok(Self(format!("{payload}{}", mod10_recursive(payload))))
    }

    /// The reference digits.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Collects the data of a QR-bill and validates it in [`SwissQrBillBuilder::build`].
#[derive(Debug, Clone)]
pub struct SwissQrBillBuilder {
    bill: SwissQrBill,
}

impl SwissQrBillBuilder {
    /// Sets the line separator (default LF).
    #[must_use]
    pub fn separator(mut self, separator: LineSeparator) -> Self {
        self.bill.separator = separator;
        self
    }

    /// Sets the amount (exponent 2, written with two decimals).
    #[must_use]
    pub fn amount(mut self, amount: DecimalAmount) -> Self {
        self.bill.amount = Some(amount);
        self
    }

    /// Sets the ultimate debtor.
    #[must_use]
    pub fn debtor(mut self, debtor: Address) -> Self {
        self.bill.debtor = Some(debtor);
        self
    }

    /// Sets the reference (default `NON`).
    #[must_use]
    pub fn reference(mut self, reference: Reference) -> Self {
        self.bill.reference = reference;
        self
    }

    /// Sets the unstructured message.
    #[must_use]
    pub fn unstructured_message(mut self, text: impl Into<String>) -> Self {
        self.bill.unstructured_message = Some(text.into());
        self
    }

    /// Sets the structured bill information.
    #[must_use]
    pub fn bill_information(mut self, text: impl Into<String>) -> Self {
        self.bill.bill_information = Some(text.into());
        self
    }

    /// Adds an alternative scheme parameter (at most two).
    #[must_use]
    pub fn alternative_scheme(mut self, text: impl Into<String>) -> Self {
        self.bill.alternative_schemes.push(text.into());
        self
    }

    /// Validates and returns the bill.
    ///
    /// # Errors
    ///
    /// A [`SwissQrError`] for the first rule broken.
    pub fn build(self) -> Result<SwissQrBill, SwissQrError> {
        let mut bill = self.bill;
        for (address, line) in [(Some(&bill.creditor), 5), (bill.debtor.as_ref(), 21)] {
            if matches!(address, Some(Address::Combined { .. })) {
                return Err(SwissQrError::CombinedAddress { line });
            }
        }
        // Empty optional texts are the same as absent ones on the wire.
        if bill.unstructured_message.as_deref() == Some("") {
            bill.unstructured_message = None;
        }
        if bill.bill_information.as_deref() == Some("") {
            bill.bill_information = None;
        }
        bill.validate()?;
        Ok(bill)
    }
}

fn missing(line: usize, element: &'static str) -> SwissQrError {
    SwissQrError::Missing { line, element }
}

fn invalid(line: usize, element: &'static str) -> SwissQrError {
    SwissQrError::Invalid { line, element }
}

fn non_empty(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_owned())
}

fn is_qr_iban(iban: &Iban) -> bool {
    // IG QR-bill 2.2, section 3.1: the institution id (IBAN characters 5–9) of a QR-IBAN is
    // in the range 30000–31999.
    iban.bban()
        .get(..5)
        .and_then(|iid| iid.parse::<u32>().ok())
        .is_some_and(|iid| (30000..=31999).contains(&iid))
}

/// Mod 10 recursive check digit (IG QR-bill 2.2, appendix B; the ISR algorithm). Non-digit
/// bytes are never passed in (both callers check first); `wrapping_sub` keeps even those from
/// panicking.
fn mod10_recursive(digits: &str) -> u8 {
    const TABLE: [u8; 10] = [0, 9, 4, 6, 8, 2, 7, 1, 3, 5];
    let mut carry: u8 = 0;
    for digit in digits.bytes() {
        let index = usize::from(carry.wrapping_add(digit.wrapping_sub(b'0')) % 10);
        carry = TABLE.get(index).copied().unwrap_or_default();
    }
    (10 - carry) % 10
}

fn split_lines(input: &str) -> Result<(LineSeparator, Vec<&str>), SwissQrError> {
    let (separator, mut lines) =
        LineSeparator::split(input).map_err(|line| SwissQrError::MixedSeparators { line })?;
    // Trailing empty optional elements (and a final separator) carry nothing.
    while lines.len() > LINES_MIN && lines.last() == Some(&"") {
        lines.pop();
    }
    if !(LINES_MIN..=LINES_MAX).contains(&lines.len()) {
        return Err(SwissQrError::LineCount { lines: lines.len() });
    }
    Ok((separator, lines))
}

/// The extended Latin character set of SPS 2022, usable in QR-bills since IG 2.3 (November
/// 2025): Basic Latin, Latin-1 Supplement, Latin Extended-A, Ș ș Ț ț and €, no control
/// characters. It contains the narrower Latin-1 subset of IG 2.2, so older bills decode too.
fn check_characters(line: usize, text: &str) -> Result<(), SwissQrError> {
    let permitted =
        |c: char| matches!(u32::from(c), 0x20..=0x7E | 0xA0..=0x17F | 0x218..=0x21B | 0x20AC);
    match text.char_indices().find(|(_, c)| !permitted(*c)) {
        Some((offset, _)) => Err(SwissQrError::Character { line, offset }),
        None => Ok(()),
    }
}

fn check_len(
    line: usize,
    element: &'static str,
    text: &str,
    len_max: usize,
) -> Result<(), SwissQrError> {
    let len = text.chars().count();
    if len > len_max {
        return Err(SwissQrError::FieldTooLong {
            line,
            element,
            len,
            len_max,
        });
    }
    Ok(())
}

/// Reads the seven address lines starting at `first` (1-based); all empty means none.
fn parse_address(lines: &[&str], first: usize) -> Result<Option<Address>, SwissQrError> {
    let line = |offset: usize| lines.get(first - 1 + offset).copied().unwrap_or_default();
    let opt = |offset: usize| non_empty(line(offset));
    let address = match line(0) {
        "" => {
            if (1..7).any(|offset| !line(offset).is_empty()) {
                return Err(missing(first, "address type"));
            }
            return Ok(None);
        }
        "S" => Address::Structured {
            name: line(1).to_owned(),
            street: opt(2),
            building_number: opt(3),
            postal_code: line(4).to_owned(),
            town: line(5).to_owned(),
            country: line(6).to_owned(),
        },
        "K" => {
            for offset in [4, 5] {
                if !line(offset).is_empty() {
                    return Err(SwissQrError::NotEmpty {
                        line: first + offset,
                        element: "postal code or town of a combined address",
                    });
                }
            }
            Address::Combined {
                name: line(1).to_owned(),
                line1: opt(2),
                line2: line(3).to_owned(),
                country: line(6).to_owned(),
            }
        }
        _ => return Err(invalid(first, "address type")),
    };
    Ok(Some(address))
}

fn check_address(address: &Address, first: usize) -> Result<(), SwissQrError> {
    let required = |offset: usize, element: &'static str, text: &str, len_max: usize| {
        if text.is_empty() {
            return Err(missing(first + offset, element));
        }
        check_len(first + offset, element, text, len_max)
    };
    let optional = |offset: usize, element: &'static str, text: &Option<String>, len_max| match text
        .as_deref()
    {
        Some("") => Err(missing(first + offset, element)),
        Some(text) => check_len(first + offset, element, text, len_max),
        None => Ok(()),
    };
    let country = match address {
        Address::Structured {
            name,
            street,
            building_number,
            postal_code,
            town,
            country,
        } => {
            required(1, "name", name, 70)?;
            optional(2, "street", street, 70)?;
            optional(3, "building number", building_number, 16)?;
            required(4, "postal code", postal_code, 16)?;
            required(5, "town", town, 35)?;
            country
        }
        Address::Combined {
            name,
            line1,
            line2,
            country,
        } => {
            required(1, "name", name, 70)?;
            optional(2, "address line 1", line1, 70)?;
            required(3, "address line 2", line2, 70)?;
            country
        }
    };
    if country.is_empty() {
        return Err(missing(first + 6, "country"));
    }
    if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(invalid(first + 6, "country"));
    }
    Ok(())
}

fn push_address(lines: &mut Vec<String>, address: Option<&Address>) {
    let fields: [String; 7] = match address {
        None => Default::default(),
        Some(Address::Structured {
            name,
            street,
            building_number,
            postal_code,
            town,
            country,
        }) => [
            "S".into(),
            name.clone(),
            street.clone().unwrap_or_default(),
            building_number.clone().unwrap_or_default(),
            postal_code.clone(),
            town.clone(),
            country.clone(),
        ],
        Some(Address::Combined {
            name,
            line1,
            line2,
            country,
        }) => [
            "K".into(),
            name.clone(),
            line1.clone().unwrap_or_default(),
            line2.clone(),
            String::new(),
            String::new(),
            country.clone(),
        ],
    };
    lines.extend(fields);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Swiss Implementation Guidelines QR-bill 2.2, section 4.3 / appendix "Example 1": QR-IBAN
    /// with QR reference, structured addresses, Swico bill information and two alternative
    /// schemes (the guideline prints it with CR LF).
    const IG_EXAMPLE_QRR: &str = "SPC\r\n0200\r\n1\r\nCH4431999123000889012\r\nS\r\nRobert Schneider AG\r\nRue du Lac\r\n1268\r\n2501\r\nBiel\r\nCH\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n1949.75\r\nCHF\r\nS\r\nPia-Maria Rutschmann-Schnyder\r\nGrosse Marktgasse\r\n28\r\n9400\r\nRorschach\r\nCH\r\nQRR\r\n210000000003139471430009017\r\nOrder of 15 June 2020\r\nEPD\r\n//S1/10/10201409/11/200701/20/140.000-53/30/102673831/31/200615/32/7.7/33/7.7:139.40/40/0:30\r\nName AV1: UV;UltraPay005;12345\r\nName AV2: XY;XYService;54321";

    /// The same guideline's creditor-reference example: ordinary IBAN, SCOR with the ISO 11649
    /// example reference, no debtor, no amount (constructed from the guideline's field values;
    /// provenance of each value noted in the report).
    const SCOR_EXAMPLE: &str = "SPC\n0200\n1\nCH5800791123000889012\nS\nRobert Schneider AG\nRue du Lac\n1268\n2501\nBiel\nCH\n\n\n\n\n\n\n\n\nCHF\n\n\n\n\n\n\n\nSCOR\nRF18539007547034\n\nEPD";

    /// Combined address (type K) example as in the qr-invoice field documentation of IG 2.2.
    const COMBINED_EXAMPLE: &str = "SPC\n0200\n1\nCH4431999123000889012\nK\nRobert Schneider AG\nRue du Lac 1268\n2501 Biel\n\n\nCH\n\n\n\n\n\n\n\n1949.75\nCHF\nK\nPia-Maria Rutschmann-Schnyder\nGrosse Marktgasse 28\n9400 Rorschach\n\n\nCH\nQRR\n210000000003139471430009017\n\nEPD";

    fn structured(name: &str, street: &str, number: &str, postal: &str, town: &str) -> Address {
        Address::Structured {
            name: name.into(),
            street: Some(street.into()),
            building_number: Some(number.into()),
            postal_code: postal.into(),
            town: town.into(),
            country: "CH".into(),
        }
    }

    #[test]
    fn ig_example_decodes_and_rebuilds() {
        let bill = parse(IG_EXAMPLE_QRR).unwrap();
        assert_eq!(bill.separator(), LineSeparator::CrLf);
        assert_eq!(bill.iban().as_str(), "CH4431999123000889012");
        assert!(bill.is_qr_iban());
        assert_eq!(
            bill.creditor(),
            &structured("Robert Schneider AG", "Rue du Lac", "1268", "2501", "Biel")
        );
        assert_eq!(bill.amount().unwrap().minor_units(), 194_975);
        assert_eq!(bill.currency(), Currency::Chf);
        assert_eq!(
            bill.debtor(),
            Some(&structured(
                "Pia-Maria Rutschmann-Schnyder",
                "Grosse Marktgasse",
                "28",
                "9400",
                "Rorschach"
            ))
        );
        assert_eq!(
            bill.reference(),
            &Reference::Qrr(QrReference("210000000003139471430009017".into()))
        );
        assert_eq!(bill.unstructured_message(), Some("Order of 15 June 2020"));
        assert!(bill
            .bill_information()
            .unwrap()
            .starts_with("//S1/10/10201409"));
        assert_eq!(bill.alternative_schemes().len(), 2);
        assert_eq!(bill.to_string(), IG_EXAMPLE_QRR);

        let built = SwissQrBill::builder(
            Iban::parse("CH4431999123000889012").unwrap(),
            structured("Robert Schneider AG", "Rue du Lac", "1268", "2501", "Biel"),
            Currency::Chf,
        )
        .separator(LineSeparator::CrLf)
        .amount(DecimalAmount::from_minor_units(194_975, 2).unwrap())
        .debtor(structured(
            "Pia-Maria Rutschmann-Schnyder",
            "Grosse Marktgasse",
            "28",
            "9400",
            "Rorschach",
        ))
        .reference(Reference::Qrr(
            QrReference::from_payload("21000000000313947143000901").unwrap(),
        ))
        .unstructured_message("Order of 15 June 2020")
        .bill_information(
            "//S1/10/10201409/11/200701/20/140.000-53/30/102673831/31/200615/32/7.7/33/7.7:139.40/40/0:30",
        )
        .alternative_scheme("Name AV1: UV;UltraPay005;12345")
        .alternative_scheme("Name AV2: XY;XYService;54321")
        .build()
        .unwrap();
        assert_eq!(built, bill);
        assert_eq!(built.encode(), IG_EXAMPLE_QRR);
    }

    #[test]
    fn other_examples_round_trip() {
        for text in [SCOR_EXAMPLE, COMBINED_EXAMPLE] {
            let bill = parse(text).unwrap();
            assert_eq!(bill.to_string(), text);
        }
        let combined = parse(COMBINED_EXAMPLE).unwrap();
        assert!(
            matches!(combined.creditor(), Address::Combined { line2, .. } if line2 == "2501 Biel")
        );
        // Amount 0.00: a notification ("do not use for payment"), as the IG allows.
        let notification = SCOR_EXAMPLE.replacen("\n\nCHF", "\n0.00\nCHF", 1);
        assert_eq!(
            parse(&notification)
                .unwrap()
                .amount()
                .unwrap()
                .minor_units(),
            0
        );
        // IG 2.3 withdrew combined addresses: parsed, but not built.
        let rebuilt = SwissQrBill::builder(
            combined.iban().clone(),
            combined.creditor().clone(),
            Currency::Chf,
        )
        .reference(combined.reference().clone())
        .build();
        assert_eq!(rebuilt, Err(SwissQrError::CombinedAddress { line: 5 }));
        // A trailing separator is tolerated and dropped.
        assert_eq!(
            parse(&format!("{SCOR_EXAMPLE}\n")).unwrap().to_string(),
            SCOR_EXAMPLE
        );
    }

    #[test]
    fn qr_reference_check_digit() {
        // Vectors: the IG example reference and the all-zero reference.
        assert!(QrReference::parse("210000000003139471430009017").is_ok());
        assert!(QrReference::parse("000000000000000000000000000").is_ok());
        assert_eq!(
            QrReference::parse("210000000003139471430009018"),
            Err(SwissQrError::QrReferenceChecksum {
                found: 8,
                expected: 7
            })
        );
        assert_eq!(
            QrReference::parse("21000000000313947143000901"),
            Err(SwissQrError::QrReferenceFormat)
        );
    }

    #[test]
    fn qr_reference_detects_every_single_digit_change() {
        let reference = "210000000003139471430009017";
        for position in 0..reference.len() {
            for digit in b'0'..=b'9' {
                let mut bytes = reference.as_bytes().to_vec();
                if bytes[position] == digit {
                    continue;
                }
                bytes[position] = digit;
                let changed = String::from_utf8(bytes).unwrap();
                assert!(QrReference::parse(&changed).is_err(), "{changed}");
            }
        }
    }

    #[test]
    fn rejections() {
        let replace = |text: &str, line: usize, value: &str| {
            let sep = if text.contains("\r\n") { "\r\n" } else { "\n" };
            let mut lines: Vec<&str> = text.split(sep).collect();
            lines[line - 1] = value;
            lines.join(sep)
        };
        let ig = IG_EXAMPLE_QRR;
        let table: Vec<(String, SwissQrError)> = vec![
            (replace(ig, 1, "SPD"), invalid(1, "qr type")),
            (replace(ig, 2, "0100"), invalid(2, "version")),
            (replace(ig, 3, "2"), invalid(3, "coding type")),
            (
                replace(ig, 4, "DE89370400440532013000"),
                SwissQrError::IbanCountry {
                    country: "DE".into(),
                },
            ),
            (
                replace(ig, 4, "CH4431999123000889013"),
                SwissQrError::Iban(IbanError::Checksum),
            ),
            (replace(ig, 5, "X"), invalid(5, "address type")),
            (replace(ig, 6, ""), missing(6, "name")),
            (replace(ig, 11, "Schweiz"), invalid(11, "country")),
            (
                replace(ig, 13, "Someone"),
                SwissQrError::NotEmpty {
                    line: 13,
                    element: "ultimate creditor",
                },
            ),
            (
                replace(ig, 19, "1949.7"),
                SwissQrError::AmountRange {
                    minor_units: 194_970,
                    fraction_digits: 1,
                },
            ),
            (
                replace(ig, 19, "1000000000.00"),
                SwissQrError::AmountRange {
                    minor_units: 100_000_000_000,
                    fraction_digits: 2,
                },
            ),
            (
                replace(ig, 19, "1'949.75"),
                SwissQrError::Amount(DecimalError::InvalidCharacter { offset: 1 }),
            ),
            (replace(ig, 20, "USD"), invalid(20, "currency")),
            (
                replace(ig, 29, "210000000003139471430009018"),
                SwissQrError::QrReferenceChecksum {
                    found: 8,
                    expected: 7,
                },
            ),
            (
                replace(&replace(ig, 28, "SCOR"), 29, "RF18539007547034"),
                SwissQrError::QrIbanReferenceMismatch,
            ),
            (
                replace(SCOR_EXAMPLE, 28, "QRR")
                    .replace("RF18539007547034", "210000000003139471430009017"),
                SwissQrError::QrIbanReferenceMismatch,
            ),
            (
                replace(SCOR_EXAMPLE, 29, "RF19539007547034"),
                SwissQrError::CreditorReference(CreditorReferenceError::Checksum),
            ),
            (
                replace(SCOR_EXAMPLE, 28, "NON"),
                SwissQrError::NotEmpty {
                    line: 29,
                    element: "reference",
                },
            ),
            (replace(ig, 31, "EPC"), invalid(31, "trailer")),
            (
                replace(ig, 30, &"m".repeat(60)),
                SwissQrError::AdditionalInformationTooLong {
                    len: 152,
                    len_max: 140,
                },
            ),
            (
                replace(ig, 6, "Robert\u{7}"),
                SwissQrError::Character { line: 6, offset: 6 },
            ),
            (
                replace(ig, 6, "Роберт"),
                SwissQrError::Character { line: 6, offset: 0 },
            ),
            (
                format!("{ig}\r\nthird scheme"),
                SwissQrError::LineCount { lines: 35 },
            ),
            ("SPC\n0200\n1".into(), SwissQrError::LineCount { lines: 3 }),
            (
                ig.replacen("\r\n", "\n", 1),
                SwissQrError::MixedSeparators { line: 2 },
            ),
            (
                replace(COMBINED_EXAMPLE, 9, "2501"),
                SwissQrError::NotEmpty {
                    line: 9,
                    element: "postal code or town of a combined address",
                },
            ),
        ];
        for (text, expected) in table {
            assert_eq!(parse(&text).unwrap_err(), expected, "{text:?}");
        }
    }

    #[test]
    fn detection() {
        assert!(looks_like(IG_EXAMPLE_QRR));
        assert!(looks_like(SCOR_EXAMPLE));
        assert!(!looks_like("BCD\n002"));
    }

    fn arb_text(len_max: usize) -> impl Strategy<Value = String> {
        proptest::string::string_regex(&format!("[A-Za-z0-9 äöüéÈ€/.,-]{{1,{len_max}}}")).unwrap()
    }

    fn arb_address() -> impl Strategy<Value = Address> {
        (
            arb_text(70),
            prop::option::of(arb_text(70)),
            prop::option::of(arb_text(16)),
            arb_text(16),
            arb_text(35),
            "[A-Z]{2}",
        )
            .prop_map(
                |(name, street, building_number, postal_code, town, country)| Address::Structured {
                    name,
                    street,
                    building_number,
                    postal_code,
                    town,
                    country,
                },
            )
    }

    fn arb_bill() -> impl Strategy<Value = Result<SwissQrBill, SwissQrError>> {
        (
            prop::bool::ANY,
            prop::bool::ANY,
            arb_address(),
            prop::option::of(arb_address()),
            prop::option::of(1u64..=AMOUNT_MINOR_MAX),
            "[0-9]{26}",
            prop::option::of("[A-Z0-9]{1,21}"),
            prop::option::of(arb_text(70)),
            prop::option::of(arb_text(70)),
            prop::collection::vec(arb_text(100), 0..=2),
        )
            .prop_map(
                |(qr, crlf, creditor, debtor, cents, qrr, scor, message, info, schemes)| {
                    let (iban, reference) = if qr {
                        (
                            "CH4431999123000889012",
                            Reference::Qrr(QrReference::from_payload(&qrr).unwrap()),
                        )
                    } else {
                        let reference = scor.map_or(Reference::None, |payload| {
                            Reference::Scor(CreditorReference::from_payload(&payload).unwrap())
                        });
                        ("CH5800791123000889012", reference)
                    };
                    let mut builder =
                        SwissQrBill::builder(Iban::parse(iban).unwrap(), creditor, Currency::Eur)
                            .reference(reference);
                    if crlf {
                        builder = builder.separator(LineSeparator::CrLf);
                    }
                    if let Some(debtor) = debtor {
                        builder = builder.debtor(debtor);
                    }
                    if let Some(cents) = cents {
                        builder =
                            builder.amount(DecimalAmount::from_minor_units(cents, 2).unwrap());
                    }
                    if let Some(message) = message {
                        builder = builder.unstructured_message(message);
                    }
                    if let Some(info) = info {
                        builder = builder.bill_information(info);
                    }
                    for scheme in schemes {
                        builder = builder.alternative_scheme(scheme);
                    }
                    builder.build()
                },
            )
    }

    proptest! {
        #[test]
        fn parse_of_build_is_identity(bill in arb_bill()) {
            let bill = bill.unwrap();
            prop_assert_eq!(parse(&bill.to_string()).unwrap(), bill);
        }

        #[test]
        fn never_panics(text in "\\PC{0,400}") {
            let _ = parse(&text);
        }

        #[test]
        fn never_panics_on_line_soup(lines in prop::collection::vec("[A-Z0-9 .]{0,8}", 25..36)) {
            let text = format!("SPC\n0200\n1\n{}", lines.join("\n"));
            let _ = parse(&text);
        }
    }
}
