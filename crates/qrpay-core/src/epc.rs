//! EPC069-12 "GiroCode": the European Payments Council QR code for SEPA credit transfers.
//!
//! A payload is up to twelve lines separated by LF or CR LF (EPC069-12 v3.0, section 4.2):
//!
//! | line | element | rule |
//! |---|---|---|
//! | 1 | service tag | `BCD` |
//! | 2 | version | `001` or `002` |
//! | 3 | character set | `1`–`8` (UTF-8, ISO 8859-1, -2, -4, -5, -7, -10, -15) |
//! | 4 | identification | `SCT` |
//! | 5 | BIC | 8 or 11 characters; mandatory in 001, optional in 002 |
//! | 6 | beneficiary name | 1–70 characters |
//! | 7 | beneficiary IBAN | checked with mod 97 |
//! | 8 | amount | `EUR` + 0.01–999999999.99, at most two decimals, optional |
//! | 9 | purpose | four letters or digits, optional |
//! | 10 | structured remittance | ISO 11649 creditor reference, optional |
//! | 11 | unstructured remittance | up to 140 characters; never together with line 10 |
//! | 12 | beneficiary to originator information | up to 70 characters |
//!
//! The whole payload is at most 331 bytes in its character set. Trailing empty lines may be
//! left out; the encoder leaves them out.
//!
//! Text elements must be representable in the declared set: a character that ISO 8859-x (sets
//! 2–8) cannot encode is refused ([`EpcError::Unrepresentable`]), when parsing and when
//! building. [`parse`] takes the payload as text; [`parse_bytes`] takes the bytes a QR code
//! carries and decodes them in the set line 3 declares, and [`Epc::to_bytes`] is its inverse
//! ([`Epc::encode`] gives the text).
//!
//! ```
//! let text = "BCD\n002\n1\nSCT\nBPOTBEB1\nRed Cross of Belgium\nBE72000000001616\nEUR1\nCHAR\n\nUrgency fund\nSample EPC QR code";
//! let epc = qrpay_core::epc::parse(text)?;
//! assert_eq!(epc.amount().map(|a| a.minor_units()), Some(100));
//! assert_eq!(epc.to_string(), text);
//! # Ok::<(), qrpay_core::epc::EpcError>(())
//! ```

use core::fmt;

use crate::bic::{Bic, BicError};
use crate::creditor_reference::{CreditorReference, CreditorReferenceError};
use crate::decimal::{DecimalAmount, DecimalError};
use crate::iban::{Iban, IbanError};

/// Maximum payload size in bytes (EPC069-12 section 4.1).
pub const PAYLOAD_LEN_MAX: usize = 331;
/// Maximum number of lines (data elements).
pub const LINES_MAX: usize = 12;
/// Largest amount in euro cents (999999999.99 EUR).
pub const AMOUNT_MINOR_MAX: u64 = 99_999_999_999;
/// Maximum beneficiary name length in characters.
pub const NAME_LEN_MAX: usize = 70;
/// Maximum unstructured remittance length in characters.
pub const UNSTRUCTURED_LEN_MAX: usize = 140;
/// Maximum beneficiary-to-originator information length in characters.
pub const INFORMATION_LEN_MAX: usize = 70;

const SERVICE_TAG: &str = "BCD";
const IDENTIFICATION: &str = "SCT";
const CURRENCY: &str = "EUR";

/// A decoded, validated EPC069-12 credit transfer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Epc {
    version: Version,
    character_set: CharacterSet,
    separator: LineSeparator,
    bic: Option<Bic>,
    name: String,
    iban: Iban,
    amount: Option<DecimalAmount>,
    purpose: Option<String>,
    remittance: Option<Remittance>,
    information: Option<String>,
}

/// EPC069-12 version (line 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Version {
    /// `001`: BIC mandatory.
    #[cfg_attr(feature = "serde", serde(rename = "001"))]
    V001,
    /// `002`: BIC optional within the EEA.
    #[cfg_attr(feature = "serde", serde(rename = "002"))]
    V002,
}

/// Character set of the payload (line 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(rename_all = "snake_case")
)]
pub enum CharacterSet {
    /// `1`: UTF-8.
    Utf8,
    /// `2`: ISO 8859-1.
    Iso8859_1,
    /// `3`: ISO 8859-2.
    Iso8859_2,
    /// `4`: ISO 8859-4.
    Iso8859_4,
    /// `5`: ISO 8859-5.
    Iso8859_5,
    /// `6`: ISO 8859-7.
    Iso8859_7,
    /// `7`: ISO 8859-10.
    Iso8859_10,
    /// `8`: ISO 8859-15.
    Iso8859_15,
}

/// The line separator a payload uses throughout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(rename_all = "snake_case")
)]
pub enum LineSeparator {
    /// `\n`.
    #[default]
    Lf,
    /// `\r\n`.
    CrLf,
}

impl LineSeparator {
    /// The separator's text.
    const fn as_str(self) -> &'static str {
        match self {
            LineSeparator::Lf => "\n",
            LineSeparator::CrLf => "\r\n",
        }
    }

    /// Writes `lines` with this separator between them (none after the last): the text of an EPC
    /// payload and of a Swiss QR-bill.
    pub(crate) fn write_lines<'l>(
        self,
        f: &mut fmt::Formatter<'_>,
        lines: impl IntoIterator<Item = &'l String>,
    ) -> fmt::Result {
        for (index, line) in lines.into_iter().enumerate() {
            if index > 0 {
                f.write_str(self.as_str())?;
            }
            f.write_str(line)?;
        }
        Ok(())
    }

    /// Splits `input` on the separator its first line ends with (`\n` when it has one line).
    /// Both EPC and the Swiss QR-bill require every line to end the same way.
    ///
    /// # Errors
    /// The 1-based number of the first line holding another separator (a lone `\r`, or `\n`
    /// where the first line used `\r\n`).
    pub(crate) fn split(input: &str) -> Result<(LineSeparator, Vec<&str>), usize> {
        let separator = match input.find('\n') {
            Some(position)
                if position > 0 && input.as_bytes().get(position - 1) == Some(&b'\r') =>
            {
                LineSeparator::CrLf
            }
            _ => LineSeparator::Lf,
        };
        let lines: Vec<&str> = input.split(separator.as_str()).collect();
        match lines.iter().position(|line| line.contains(['\r', '\n'])) {
            Some(index) => Err(index + 1),
            None => Ok((separator, lines)),
        }
    }
}

/// Remittance information: structured (line 10) or unstructured (line 11), never both.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(rename_all = "snake_case")
)]
pub enum Remittance {
    /// An ISO 11649 creditor reference.
    Structured(CreditorReference),
    /// Free text, up to 140 characters.
    Unstructured(String),
}

/// A data element of the payload, for error locations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EpcField {
    /// Line 1.
    ServiceTag,
    /// Line 2.
    Version,
    /// Line 3.
    CharacterSet,
    /// Line 4.
    Identification,
    /// Line 5.
    Bic,
    /// Line 6.
    Name,
    /// Line 7.
    Iban,
    /// Line 8.
    Amount,
    /// Line 9.
    Purpose,
    /// Line 10.
    StructuredRemittance,
    /// Line 11.
    UnstructuredRemittance,
    /// Line 12.
    Information,
}

impl EpcField {
    /// The 1-based line the element occupies.
    #[must_use]
    pub fn line(self) -> usize {
        match self {
            Self::ServiceTag => 1,
            Self::Version => 2,
            Self::CharacterSet => 3,
            Self::Identification => 4,
            Self::Bic => 5,
            Self::Name => 6,
            Self::Iban => 7,
            Self::Amount => 8,
            Self::Purpose => 9,
            Self::StructuredRemittance => 10,
            Self::UnstructuredRemittance => 11,
            Self::Information => 12,
        }
    }
}

impl fmt::Display for EpcField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Self::ServiceTag => "service tag",
            Self::Version => "version",
            Self::CharacterSet => "character set",
            Self::Identification => "identification",
            Self::Bic => "bic",
            Self::Name => "beneficiary name",
            Self::Iban => "iban",
            Self::Amount => "amount",
            Self::Purpose => "purpose",
            Self::StructuredRemittance => "structured remittance",
            Self::UnstructuredRemittance => "unstructured remittance",
            Self::Information => "information",
        };
        write!(f, "{name} (line {})", self.line())
    }
}

/// Why an EPC payload could not be decoded or built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EpcError {
    /// The payload exceeds 331 bytes in its character set.
    #[error("payload is {len} bytes, at most {len_max} allowed")]
    PayloadTooLong {
        /// Bytes in the payload's character set.
        len: usize,
        /// Limit.
        len_max: usize,
    },
    /// More than twelve lines.
    #[error("payload has {lines} lines, at most 12 allowed")]
    TooManyLines {
        /// Lines found.
        lines: usize,
    },
    /// A line uses another separator than the first one, or holds a stray CR.
    #[error("mixed line separators on line {line}")]
    MixedSeparators {
        /// 1-based line.
        line: usize,
    },
    /// A mandatory element is empty or absent.
    #[error("missing {field}")]
    Missing {
        /// The element.
        field: EpcField,
    },
    /// An element holds a value its grammar does not allow.
    #[error("invalid {field}")]
    Invalid {
        /// The element.
        field: EpcField,
    },
    /// An element is longer than allowed.
    #[error("{field} has {len} characters, at most {len_max} allowed")]
    FieldTooLong {
        /// The element.
        field: EpcField,
        /// Characters found.
        len: usize,
        /// Limit.
        len_max: usize,
    },
    /// A text element contains a control character (tab, line feed, C1 controls…).
    #[error("control character {} at byte {offset} of {field}", unicode(*.character))]
    Control {
        /// The element.
        field: EpcField,
        /// Byte offset within the element (in UTF-8).
        offset: usize,
        /// The character.
        character: char,
    },
    /// A text element contains a character the declared character set cannot encode.
    #[error(
        "{character:?} ({}) at byte {offset} of {field} is not in {character_set}",
        unicode(*.character)
    )]
    Unrepresentable {
        /// The element.
        field: EpcField,
        /// Byte offset within the element (in UTF-8).
        offset: usize,
        /// The character.
        character: char,
        /// The declared set (line 3).
        character_set: CharacterSet,
    },
    /// Raw payload bytes that are not text in the declared character set (a byte ISO 8859-7
    /// leaves undefined, or malformed UTF-8).
    #[error("byte {offset} of the payload is not a character of {character_set}")]
    Undecodable {
        /// Byte offset in the payload.
        offset: usize,
        /// The declared set (line 3).
        character_set: CharacterSet,
    },
    /// The BIC is malformed.
    #[error("bad bic (line 5)")]
    Bic(#[source] BicError),
    /// The IBAN is malformed or fails its check.
    #[error("bad iban (line 7)")]
    Iban(#[source] IbanError),
    /// The amount does not follow `EUR` + decimal.
    #[error("bad amount (line 8)")]
    Amount(#[source] DecimalError),
    /// The amount is outside 0.01–999999999.99.
    #[error("amount of {minor_units} cents outside 0.01 to 999999999.99 (line 8)")]
    AmountRange {
        /// The amount in cents.
        minor_units: u64,
    },
    /// The structured remittance is not a valid creditor reference.
    #[error("bad creditor reference (line 10)")]
    CreditorReference(#[source] CreditorReferenceError),
    /// Both structured and unstructured remittance are present.
    #[error("structured and unstructured remittance both present (lines 10 and 11)")]
    BothRemittances,
}

/// Decodes an EPC069-12 payload.
///
/// # Errors
///
/// An [`EpcError`] naming the offending line and element.
pub fn parse(input: &str) -> Result<Epc, EpcError> {
    // The strictest possible byte count comes after the character set is known; this coarse
    // bound (at most 3 UTF-8 bytes per character of any ISO 8859 set) stops work early.
    if input.len() > PAYLOAD_LEN_MAX * 3 {
        return Err(EpcError::PayloadTooLong {
            len: input.len(),
            len_max: PAYLOAD_LEN_MAX,
        });
    }
    let (separator, lines) = split_lines(input)?;
    let line = |field: EpcField| lines.get(field.line() - 1).copied().unwrap_or_default();

    if line(EpcField::ServiceTag) != SERVICE_TAG {
        return Err(EpcError::Invalid {
            field: EpcField::ServiceTag,
        });
    }
    let version = match line(EpcField::Version) {
        "001" => Version::V001,
        "002" => Version::V002,
        "" => return Err(missing(EpcField::Version)),
        _ => return Err(invalid(EpcField::Version)),
    };
    let character_set = CharacterSet::from_code(line(EpcField::CharacterSet))?;
    match line(EpcField::Identification) {
        IDENTIFICATION => {}
        "" => return Err(missing(EpcField::Identification)),
        _ => return Err(invalid(EpcField::Identification)),
    }
    let bic = match line(EpcField::Bic) {
        "" => None,
        text => Some(Bic::parse(text).map_err(EpcError::Bic)?),
    };
    let name = line(EpcField::Name).to_owned();
    let iban = match line(EpcField::Iban) {
        "" => return Err(missing(EpcField::Iban)),
        text => Iban::parse(text).map_err(EpcError::Iban)?,
    };
    let amount = match line(EpcField::Amount) {
        "" => None,
        text => Some(parse_amount(text)?),
    };
    let purpose = non_empty(line(EpcField::Purpose));
    let structured = line(EpcField::StructuredRemittance);
    let unstructured = line(EpcField::UnstructuredRemittance);
    let remittance = match (structured, unstructured) {
        ("", "") => None,
        (text, "") => Some(Remittance::Structured(
            CreditorReference::parse(text).map_err(EpcError::CreditorReference)?,
        )),
        ("", text) => Some(Remittance::Unstructured(text.to_owned())),
        _ => return Err(EpcError::BothRemittances),
    };
    let epc = Epc {
        version,
        character_set,
        separator,
        bic,
        name,
        iban,
        amount,
        purpose,
        remittance,
        information: non_empty(line(EpcField::Information)),
    };
    epc.validate()?;
    // The encoder drops trailing empty lines; a payload that kept them is still valid, so
    // measure the input itself rather than the re-encoding.
    let len = character_set.encoded_len(input);
    if len > PAYLOAD_LEN_MAX {
        return Err(EpcError::PayloadTooLong {
            len,
            len_max: PAYLOAD_LEN_MAX,
        });
    }
    Ok(epc)
}

/// Decodes an EPC069-12 payload from the bytes a QR code carries, in the character set its
/// line 3 declares: ISO 8859-x bytes are read as ISO 8859-x, not as UTF-8 or Latin-1 (QR
/// readers that guess the text encoding from the bytes get those codes wrong).
///
/// The first lines are ASCII in every set, so the declaration can be read before the text is
/// decoded. A payload whose line 3 is missing or unknown is read as ISO 8859-1 (every byte is
/// a character there) and then refused by [`parse`] for the line at fault.
///
/// ```
/// use qrpay_core::epc::{parse_bytes, CharacterSet};
///
/// // "Łódź" in ISO 8859-2 (character set 3): Ł = A3, ó = F3, ź = BC.
/// let mut bytes = b"BCD\n002\n3\nSCT\n\n".to_vec();
/// bytes.extend_from_slice(&[0xA3, 0xF3, b'd', 0xBC]);
/// bytes.extend_from_slice(b"\nPL61109010140000071219812874");
/// let epc = parse_bytes(&bytes)?;
/// assert_eq!(epc.character_set(), CharacterSet::Iso8859_2);
/// assert_eq!(epc.name(), "Łódź");
/// assert_eq!(epc.to_bytes(), bytes);
/// # Ok::<(), qrpay_core::epc::EpcError>(())
/// ```
///
/// # Errors
///
/// [`EpcError::PayloadTooLong`] beyond 331 bytes, [`EpcError::Undecodable`] for bytes that
/// are not text in the declared set, else as [`parse`].
pub fn parse_bytes(bytes: &[u8]) -> Result<Epc, EpcError> {
    if bytes.len() > PAYLOAD_LEN_MAX {
        return Err(EpcError::PayloadTooLong {
            len: bytes.len(),
            len_max: PAYLOAD_LEN_MAX,
        });
    }
    let declared = bytes
        .split(|&b| b == b'\n')
        .nth(EpcField::CharacterSet.line() - 1)
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
        .and_then(|line| core::str::from_utf8(line).ok())
        .and_then(|code| CharacterSet::from_code(code).ok());
    let text = match declared {
        Some(character_set) => character_set.decode(bytes)?,
        None => CharacterSet::Iso8859_1.decode(bytes)?,
    };
    parse(&text)
}

/// Cheap detection: the payload starts with the `BCD` service tag line.
#[must_use]
pub fn looks_like(input: &str) -> bool {
    input.starts_with("BCD\n") || input.starts_with("BCD\r\n")
}

impl Epc {
    /// Starts a builder for a transfer to `name` at `iban` (version 002, UTF-8, LF).
    #[must_use]
    pub fn builder(name: impl Into<String>, iban: Iban) -> EpcBuilder {
        EpcBuilder {
            version: Version::V002,
            character_set: CharacterSet::Utf8,
            separator: LineSeparator::Lf,
            bic: None,
            name: name.into(),
            iban,
            amount: None,
            purpose: None,
            structured: None,
            unstructured: None,
            information: None,
        }
    }

    /// The payload version.
    #[must_use]
    pub fn version(&self) -> Version {
        self.version
    }

    /// The declared character set.
    #[must_use]
    pub fn character_set(&self) -> CharacterSet {
        self.character_set
    }

    /// The line separator used.
    #[must_use]
    pub fn separator(&self) -> LineSeparator {
        self.separator
    }

    /// The beneficiary's BIC, if given.
    #[must_use]
    pub fn bic(&self) -> Option<&Bic> {
        self.bic.as_ref()
    }

    /// The beneficiary's name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The beneficiary's IBAN.
    #[must_use]
    pub fn iban(&self) -> &Iban {
        &self.iban
    }

    /// The amount in euro, if given (exponent 2: cents).
    #[must_use]
    pub fn amount(&self) -> Option<&DecimalAmount> {
        self.amount.as_ref()
    }

    /// The ISO 20022 purpose code, if given.
    #[must_use]
    pub fn purpose(&self) -> Option<&str> {
        self.purpose.as_deref()
    }

    /// The remittance information, if given.
    #[must_use]
    pub fn remittance(&self) -> Option<&Remittance> {
        self.remittance.as_ref()
    }

    /// The beneficiary-to-originator information, if given.
    #[must_use]
    pub fn information(&self) -> Option<&str> {
        self.information.as_deref()
    }

    /// The payload text (same as `to_string()`).
    #[must_use]
    pub fn encode(&self) -> String {
        self.to_string()
    }

    /// The payload bytes in the declared character set, as a QR code must carry them (UTF-8
    /// for set 1, one byte per character for the ISO 8859 sets).
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        self.character_set.encode(&self.to_string())
    }

    /// Checks every rule that is not already carried by a field's type.
    fn validate(&self) -> Result<(), EpcError> {
        if self.version == Version::V001 && self.bic.is_none() {
            return Err(missing(EpcField::Bic));
        }
        if self.name.is_empty() {
            return Err(missing(EpcField::Name));
        }
        let cs = self.character_set;
        check_text(EpcField::Name, &self.name, NAME_LEN_MAX, cs)?;
        if let Some(amount) = &self.amount {
            check_amount(amount)?;
        }
        if let Some(purpose) = &self.purpose {
            let ok = purpose.len() == 4
                && purpose
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
            if !ok {
                return Err(invalid(EpcField::Purpose));
            }
        }
        if let Some(Remittance::Unstructured(text)) = &self.remittance {
            if text.is_empty() {
                return Err(missing(EpcField::UnstructuredRemittance));
            }
            check_text(
                EpcField::UnstructuredRemittance,
                text,
                UNSTRUCTURED_LEN_MAX,
                cs,
            )?;
        }
        if let Some(text) = &self.information {
            if text.is_empty() {
                return Err(missing(EpcField::Information));
            }
            check_text(EpcField::Information, text, INFORMATION_LEN_MAX, cs)?;
        }
        let len = cs.encoded_len(&self.to_string());
        if len > PAYLOAD_LEN_MAX {
            return Err(EpcError::PayloadTooLong {
                len,
                len_max: PAYLOAD_LEN_MAX,
            });
        }
        Ok(())
    }

    fn lines(&self) -> [String; LINES_MAX] {
        let (structured, unstructured) = match &self.remittance {
            Some(Remittance::Structured(reference)) => (reference.to_string(), String::new()),
            Some(Remittance::Unstructured(text)) => (String::new(), text.clone()),
            None => (String::new(), String::new()),
        };
        [
            SERVICE_TAG.to_owned(),
            self.version.code().to_owned(),
            self.character_set.code().to_owned(),
            IDENTIFICATION.to_owned(),
            self.bic.as_ref().map(Bic::to_string).unwrap_or_default(),
            self.name.clone(),
            self.iban.to_string(),
            self.amount
                .map(|a| format!("{CURRENCY}{a}"))
                .unwrap_or_default(),
            self.purpose.clone().unwrap_or_default(),
            structured,
            unstructured,
            self.information.clone().unwrap_or_default(),
        ]
    }
}

impl fmt::Display for Epc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines = self.lines();
        let used = lines
            .iter()
            .rposition(|line| !line.is_empty())
            .map_or(0, |last| last + 1);
        self.separator.write_lines(f, lines.iter().take(used))
    }
}

impl Version {
    fn code(self) -> &'static str {
        match self {
            Self::V001 => "001",
            Self::V002 => "002",
        }
    }
}

impl CharacterSet {
    fn from_code(code: &str) -> Result<Self, EpcError> {
        Ok(match code {
            "1" => Self::Utf8,
            "2" => Self::Iso8859_1,
            "3" => Self::Iso8859_2,
            "4" => Self::Iso8859_4,
            "5" => Self::Iso8859_5,
            "6" => Self::Iso8859_7,
            "7" => Self::Iso8859_10,
            "8" => Self::Iso8859_15,
            "" => return Err(missing(EpcField::CharacterSet)),
            _ => return Err(invalid(EpcField::CharacterSet)),
        })
    }

    fn code(self) -> &'static str {
        match self {
            Self::Utf8 => "1",
            Self::Iso8859_1 => "2",
            Self::Iso8859_2 => "3",
            Self::Iso8859_4 => "4",
            Self::Iso8859_5 => "5",
            Self::Iso8859_7 => "6",
            Self::Iso8859_10 => "7",
            Self::Iso8859_15 => "8",
        }
    }

    /// Bytes `text` takes in this character set (every ISO 8859 character is one byte).
    fn encoded_len(self, text: &str) -> usize {
        match self {
            Self::Utf8 => text.len(),
            _ => text.chars().count(),
        }
    }

    /// The `encoding_rs` table of an ISO 8859 set. Set 2 has none: `encoding_rs` follows the
    /// WHATWG Encoding Standard, which reads the label ISO-8859-1 as windows-1252 (printable
    /// characters at 0x80–0x9F); true ISO 8859-1 maps each byte to the code point of the same
    /// value, which needs no table.
    fn table(self) -> Option<&'static encoding_rs::Encoding> {
        match self {
            Self::Utf8 | Self::Iso8859_1 => None,
            Self::Iso8859_2 => Some(encoding_rs::ISO_8859_2),
            Self::Iso8859_4 => Some(encoding_rs::ISO_8859_4),
            Self::Iso8859_5 => Some(encoding_rs::ISO_8859_5),
            Self::Iso8859_7 => Some(encoding_rs::ISO_8859_7),
            Self::Iso8859_10 => Some(encoding_rs::ISO_8859_10),
            Self::Iso8859_15 => Some(encoding_rs::ISO_8859_15),
        }
    }

    /// The first character of `text` the set cannot encode, with its byte offset.
    fn first_unrepresentable(self, text: &str) -> Option<(usize, char)> {
        match (self, self.table()) {
            (Self::Utf8, _) => None,
            (_, None) => text.char_indices().find(|&(_, c)| u32::from(c) > 0xFF),
            (_, Some(table)) => {
                // One byte per character, so a buffer of `text.len()` bytes never fills.
                let mut out = vec![0; text.len()];
                let mut encoder = table.new_encoder();
                match encoder.encode_from_utf8_without_replacement(text, &mut out, true) {
                    (encoding_rs::EncoderResult::Unmappable(c), read, _) => {
                        Some((read.saturating_sub(c.len_utf8()), c))
                    }
                    _ => None,
                }
            }
        }
    }

    /// `text` in this set. Characters outside it (which [`Epc`]'s validation has already
    /// refused) would come out as `?`.
    fn encode(self, text: &str) -> Vec<u8> {
        match (self, self.table()) {
            (Self::Utf8, _) => text.as_bytes().to_vec(),
            (_, None) => text
                .chars()
                .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
                .collect(),
            (_, Some(table)) => {
                let mut out = Vec::with_capacity(text.len());
                let mut encoder = table.new_encoder();
                let mut rest = text;
                let mut buffer = [0u8; 64];
                loop {
                    let (result, read, written) =
                        encoder.encode_from_utf8_without_replacement(rest, &mut buffer, true);
                    out.extend_from_slice(buffer.get(..written).unwrap_or_default());
                    rest = rest.get(read..).unwrap_or_default();
                    match result {
                        encoding_rs::EncoderResult::InputEmpty => break,
                        encoding_rs::EncoderResult::OutputFull => {}
                        encoding_rs::EncoderResult::Unmappable(_) => out.push(b'?'),
                    }
                }
                out
            }
        }
    }

    /// Payload bytes in this set as text.
    fn decode(self, bytes: &[u8]) -> Result<String, EpcError> {
        let undecodable = |offset| EpcError::Undecodable {
            offset,
            character_set: self,
        };
        match (self, self.table()) {
            (Self::Utf8, _) => core::str::from_utf8(bytes)
                .map(str::to_owned)
                .map_err(|e| undecodable(e.valid_up_to())),
            (_, None) => Ok(bytes.iter().map(|&b| char::from(b)).collect()),
            (_, Some(table)) => {
                if let Some(text) = table.decode_without_bom_handling_and_without_replacement(bytes)
                {
                    return Ok(text.into_owned());
                }
                // Single-byte sets: the byte that decodes alone to nothing is the culprit.
                let offset = bytes
                    .iter()
                    .position(|b| {
                        table
                            .decode_without_bom_handling_and_without_replacement(
                                core::slice::from_ref(b),
                            )
                            .is_none()
                    })
                    .unwrap_or_default();
                Err(undecodable(offset))
            }
        }
    }
}

impl fmt::Display for CharacterSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Self::Utf8 => "UTF-8",
            Self::Iso8859_1 => "ISO 8859-1",
            Self::Iso8859_2 => "ISO 8859-2",
            Self::Iso8859_4 => "ISO 8859-4",
            Self::Iso8859_5 => "ISO 8859-5",
            Self::Iso8859_7 => "ISO 8859-7",
            Self::Iso8859_10 => "ISO 8859-10",
            Self::Iso8859_15 => "ISO 8859-15",
        };
        write!(f, "{name} (character set {})", self.code())
    }
}

/// Collects the data of an EPC payload and validates it in [`EpcBuilder::build`].
#[derive(Debug, Clone)]
pub struct EpcBuilder {
    version: Version,
    character_set: CharacterSet,
    separator: LineSeparator,
    bic: Option<Bic>,
    name: String,
    iban: Iban,
    amount: Option<DecimalAmount>,
    purpose: Option<String>,
    structured: Option<CreditorReference>,
    unstructured: Option<String>,
    information: Option<String>,
}

impl EpcBuilder {
    /// Sets the version (default 002).
    #[must_use]
    pub fn version(mut self, version: Version) -> Self {
        self.version = version;
        self
    }

    /// Sets the character set (default UTF-8).
    #[must_use]
    pub fn character_set(mut self, character_set: CharacterSet) -> Self {
        self.character_set = character_set;
        self
    }

    /// Sets the line separator (default LF).
    #[must_use]
    pub fn separator(mut self, separator: LineSeparator) -> Self {
        self.separator = separator;
        self
    }

    /// Sets the beneficiary's BIC.
    #[must_use]
    pub fn bic(mut self, bic: Bic) -> Self {
        self.bic = Some(bic);
        self
    }

    /// Sets the amount in euro (exponent 2).
    #[must_use]
    pub fn amount(mut self, amount: DecimalAmount) -> Self {
        self.amount = Some(amount);
        self
    }

    /// Sets the ISO 20022 purpose code.
    #[must_use]
    pub fn purpose(mut self, purpose: impl Into<String>) -> Self {
        self.purpose = Some(purpose.into());
        self
    }

    /// Sets a structured creditor reference.
    #[must_use]
    pub fn structured_remittance(mut self, reference: CreditorReference) -> Self {
        self.structured = Some(reference);
        self
    }

    /// Sets unstructured remittance text.
    #[must_use]
    pub fn unstructured_remittance(mut self, text: impl Into<String>) -> Self {
        self.unstructured = Some(text.into());
        self
    }

    /// Sets the beneficiary-to-originator information.
    #[must_use]
    pub fn information(mut self, text: impl Into<String>) -> Self {
        self.information = Some(text.into());
        self
    }

    /// Validates and returns the payload.
    ///
    /// # Errors
    ///
    /// An [`EpcError`] for the first rule broken, located by element and line.
    pub fn build(self) -> Result<Epc, EpcError> {
        let remittance = match (self.structured, self.unstructured) {
            (Some(_), Some(_)) => return Err(EpcError::BothRemittances),
            (Some(reference), None) => Some(Remittance::Structured(reference)),
            (None, Some(text)) => Some(Remittance::Unstructured(text)),
            (None, None) => None,
        };
        let epc = Epc {
            version: self.version,
            character_set: self.character_set,
            separator: self.separator,
            bic: self.bic,
            name: self.name,
            iban: self.iban,
            amount: self.amount,
            purpose: self.purpose,
            remittance,
            information: self.information,
        };
        epc.validate()?;
        Ok(epc)
    }
}

fn missing(field: EpcField) -> EpcError {
    EpcError::Missing { field }
}

fn invalid(field: EpcField) -> EpcError {
    EpcError::Invalid { field }
}

fn non_empty(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_owned())
}

/// Splits on the separator the first line uses; every line must use the same one.
fn split_lines(input: &str) -> Result<(LineSeparator, Vec<&str>), EpcError> {
    let (separator, mut lines) =
        LineSeparator::split(input).map_err(|line| EpcError::MixedSeparators { line })?;
    // A single separator after the last element is tolerated.
    if lines.len() == LINES_MAX + 1 && lines.last() == Some(&"") {
        lines.pop();
    }
    if lines.len() > LINES_MAX {
        return Err(EpcError::TooManyLines { lines: lines.len() });
    }
    Ok((separator, lines))
}

fn parse_amount(text: &str) -> Result<DecimalAmount, EpcError> {
    let digits = text.strip_prefix(CURRENCY).ok_or(EpcError::Invalid {
        field: EpcField::Amount,
    })?;
    let amount = DecimalAmount::parse(digits, 2).map_err(EpcError::Amount)?;
    check_amount(&amount)?;
    Ok(amount)
}

fn check_amount(amount: &DecimalAmount) -> Result<(), EpcError> {
    if amount.exponent() != 2 {
        return Err(invalid(EpcField::Amount));
    }
    let minor_units = amount.minor_units();
    if !(1..=AMOUNT_MINOR_MAX).contains(&minor_units) {
        return Err(EpcError::AmountRange { minor_units });
    }
    Ok(())
}

fn check_text(
    field: EpcField,
    text: &str,
    len_max: usize,
    character_set: CharacterSet,
) -> Result<(), EpcError> {
    let len = text.chars().count();
    if len > len_max {
        return Err(EpcError::FieldTooLong {
            field,
            len,
            len_max,
        });
    }
    if let Some((offset, character)) = text.char_indices().find(|(_, c)| c.is_control()) {
        return Err(EpcError::Control {
            field,
            offset,
            character,
        });
    }
    if let Some((offset, character)) = character_set.first_unrepresentable(text) {
        return Err(EpcError::Unrepresentable {
            field,
            offset,
            character,
            character_set,
        });
    }
    Ok(())
}

/// `U+00E9` notation for error messages.
fn unicode(c: char) -> String {
    format!("U+{:04X}", u32::from(c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// EPC069-12 (v2.1 and v3.0) section 4.3, "Example of an EPC QR code": a donation of
    /// EUR 1 to the Belgian Red Cross.
    const SPEC_EXAMPLE: &str = "BCD\n001\n1\nSCT\nBPOTBEB1\nRed Cross of Belgium\nBE72000000001616\nEUR1\nCHAR\n\nUrgency fund\nSample EPC QR code";

    #[test]
    fn spec_example_decodes_and_rebuilds() {
        let epc = parse(SPEC_EXAMPLE).unwrap();
        assert_eq!(epc.version(), Version::V001);
        assert_eq!(epc.character_set(), CharacterSet::Utf8);
        assert_eq!(epc.bic().unwrap().as_str(), "BPOTBEB1");
        assert_eq!(epc.name(), "Red Cross of Belgium");
        assert_eq!(epc.iban().as_str(), "BE72000000001616");
        assert_eq!(epc.amount().unwrap().minor_units(), 100);
        assert_eq!(epc.purpose(), Some("CHAR"));
        assert_eq!(
            epc.remittance(),
            Some(&Remittance::Unstructured("Urgency fund".into()))
        );
        assert_eq!(epc.information(), Some("Sample EPC QR code"));
        assert_eq!(epc.to_string(), SPEC_EXAMPLE);

        let built = Epc::builder(
            "Red Cross of Belgium",
            Iban::parse("BE72000000001616").unwrap(),
        )
        .version(Version::V001)
        .bic(Bic::parse("BPOTBEB1").unwrap())
        .amount(DecimalAmount::new(100, 2, 0).unwrap())
        .purpose("CHAR")
        .unstructured_remittance("Urgency fund")
        .information("Sample EPC QR code")
        .build()
        .unwrap();
        assert_eq!(built, epc);
        assert_eq!(built.encode(), SPEC_EXAMPLE);
    }

    #[test]
    fn valid_variants() {
        let crlf = SPEC_EXAMPLE.replace('\n', "\r\n");
        let epc = parse(&crlf).unwrap();
        assert_eq!(epc.separator(), LineSeparator::CrLf);
        assert_eq!(epc.to_string(), crlf);

        // Version 002 without BIC, structured reference, trailing separator tolerated.
        let text = "BCD\n002\n1\nSCT\n\nRed Cross of Belgium\nBE72000000001616\nEUR12.3\n\nRF18539007547034\n\n\n";
        let epc = parse(text).unwrap();
        assert_eq!(epc.bic(), None);
        assert_eq!(epc.amount().unwrap().minor_units(), 1230);
        assert!(matches!(epc.remittance(), Some(Remittance::Structured(_))));
        assert_eq!(epc.to_string(), text.trim_end());

        // Minimal: no amount, nothing after the IBAN.
        let text = "BCD\n002\n2\nSCT\n\nFrançois\nBE72000000001616";
        assert_eq!(
            parse(text).unwrap().character_set(),
            CharacterSet::Iso8859_1
        );
    }

    #[test]
    fn rejections() {
        let replace = |line: usize, value: &str| {
            let mut lines: Vec<&str> = SPEC_EXAMPLE.split('\n').collect();
            lines[line - 1] = value;
            lines.join("\n")
        };
        let long_name = "N".repeat(71);
        let long_text = "T".repeat(141);
        let table: Vec<(String, EpcError)> = vec![
            (replace(1, "BCE"), invalid(EpcField::ServiceTag)),
            (replace(2, "003"), invalid(EpcField::Version)),
            (replace(3, "9"), invalid(EpcField::CharacterSet)),
            (replace(4, "SCX"), invalid(EpcField::Identification)),
            (replace(5, ""), missing(EpcField::Bic)),
            (
                replace(5, "BPOTBEB"),
                EpcError::Bic(BicError::Length { len: 7 }),
            ),
            (replace(6, ""), missing(EpcField::Name)),
            (
                replace(6, &long_name),
                EpcError::FieldTooLong {
                    field: EpcField::Name,
                    len: 71,
                    len_max: 70,
                },
            ),
            (
                replace(7, "BE72000000001617"),
                EpcError::Iban(IbanError::Checksum),
            ),
            (replace(7, ""), missing(EpcField::Iban)),
            (replace(8, "USD1"), invalid(EpcField::Amount)),
            (replace(8, "EUR0"), EpcError::AmountRange { minor_units: 0 }),
            (
                replace(8, "EUR1000000000"),
                EpcError::AmountRange {
                    minor_units: 100_000_000_000,
                },
            ),
            (
                replace(8, "EUR1,50"),
                EpcError::Amount(DecimalError::InvalidCharacter { offset: 1 }),
            ),
            (
                replace(8, "EUR1.505"),
                EpcError::Amount(DecimalError::TooManyFractionDigits {
                    digits: 3,
                    digits_max: 2,
                }),
            ),
            (replace(9, "CHARITY"), invalid(EpcField::Purpose)),
            (replace(10, "RF18539007547034"), EpcError::BothRemittances),
            (
                replace(11, &long_text),
                EpcError::FieldTooLong {
                    field: EpcField::UnstructuredRemittance,
                    len: 141,
                    len_max: 140,
                },
            ),
            (
                replace(11, "tab\there"),
                EpcError::Control {
                    field: EpcField::UnstructuredRemittance,
                    offset: 3,
                    character: '\t',
                },
            ),
            (
                format!("{SPEC_EXAMPLE}\nextra"),
                EpcError::TooManyLines { lines: 13 },
            ),
            (
                SPEC_EXAMPLE.replacen('\n', "\r\n", 1),
                EpcError::MixedSeparators { line: 2 },
            ),
            (
                replace(3, "2").replace("Urgency fund", "Ŀ"),
                EpcError::Unrepresentable {
                    field: EpcField::UnstructuredRemittance,
                    offset: 0,
                    character: 'Ŀ',
                    character_set: CharacterSet::Iso8859_1,
                },
            ),
        ];
        for (text, expected) in table {
            assert_eq!(parse(&text).unwrap_err(), expected, "{text:?}");
        }
    }

    /// For every set: a name it holds, and a name with one character it lacks (at that byte
    /// offset). Sets 3, 4, 6 and 7 are the ones that were not checked before.
    const SET_CASES: &[(&str, CharacterSet, &str, &str, usize, char)] = &[
        ("2", CharacterSet::Iso8859_1, "Müller", "Müller €", 8, '€'),
        (
            "3",
            CharacterSet::Iso8859_2,
            "Łódź Żółć",
            "Peña Łódź",
            2,
            'ñ',
        ),
        (
            "4",
            CharacterSet::Iso8859_4,
            "Ģirts Ķēniņš",
            "Ģirts Łukasz",
            7,
            'Ł',
        ),
        (
            "5",
            CharacterSet::Iso8859_5,
            "Пётр Иванов",
            "Пётр Müller",
            10,
            'ü',
        ),
        (
            "6",
            CharacterSet::Iso8859_7,
            "Γιώργος Παπαδόπουλος",
            "Γιώργος Жуков",
            15,
            'Ж',
        ),
        (
            "7",
            CharacterSet::Iso8859_10,
            "Þórður Ŋŧ",
            "Þórður €",
            10,
            '€',
        ),
        (
            "8",
            CharacterSet::Iso8859_15,
            "Müller €",
            "Müller ¤",
            8,
            '¤',
        ),
    ];

    fn with_name(code: &str, name: &str) -> String {
        format!("BCD\n002\n{code}\nSCT\n\n{name}\nBE72000000001616")
    }

    #[test]
    fn every_character_set_is_checked_in_decode_and_build() {
        let iban = || Iban::parse("BE72000000001616").unwrap();
        for &(code, set, good, bad, offset, character) in SET_CASES {
            let epc = parse(&with_name(code, good)).unwrap();
            assert_eq!(epc.character_set(), set);
            let expected = EpcError::Unrepresentable {
                field: EpcField::Name,
                offset,
                character,
                character_set: set,
            };
            assert_eq!(
                parse(&with_name(code, bad)).unwrap_err(),
                expected,
                "{code}"
            );
            assert_eq!(
                Epc::builder(bad, iban())
                    .character_set(set)
                    .build()
                    .unwrap_err(),
                expected
            );
            let built = Epc::builder(good, iban())
                .character_set(set)
                .build()
                .unwrap();
            assert_eq!(built, epc);
            // One byte per character in the set, and the bytes read back as the same payload.
            let bytes = built.to_bytes();
            assert_eq!(bytes.len(), built.to_string().chars().count());
            assert_eq!(parse_bytes(&bytes).unwrap(), epc);
        }
        // The same name in UTF-8 needs no check beyond control characters.
        assert!(parse(&with_name("1", "Γιώργος Жуков €")).is_ok());
        let message = parse(&with_name("6", "Γιώργος Жуков"))
            .unwrap_err()
            .to_string();
        assert_eq!(
            message,
            "'Ж' (U+0416) at byte 15 of beneficiary name (line 6) is not in ISO 8859-7 \
             (character set 6)"
        );
        // Each character counts one byte in a single-byte set.
        assert_eq!(CharacterSet::Iso8859_5.encoded_len("Пётр"), 4);
    }

    #[test]
    fn tables_round_trip_every_byte() {
        // Every printable byte of every ISO 8859 set decodes to a character that the set can
        // encode, and encodes back to that byte.
        for &(_, set, ..) in SET_CASES {
            for byte in 0xA0..=0xFFu8 {
                let Ok(text) = set.decode(&[byte]) else {
                    continue;
                };
                assert_eq!(set.first_unrepresentable(&text), None, "{set} {byte:02X}");
                assert_eq!(set.encode(&text), [byte], "{set} {byte:02X}");
            }
        }
    }

    #[test]
    fn scanned_bytes_decode_in_the_declared_set() {
        // "Γιώργος" in ISO 8859-7 bytes: not UTF-8, and not what a Latin-1 reading gives.
        let greek = [0xC3, 0xE9, 0xFE, 0xF1, 0xE3, 0xEF, 0xF2];
        let mut bytes = b"BCD\r\n002\r\n6\r\nSCT\r\n\r\n".to_vec();
        bytes.extend_from_slice(&greek);
        bytes.extend_from_slice(b"\r\nBE72000000001616\r\nEUR5");
        assert!(core::str::from_utf8(&bytes).is_err());
        let epc = parse_bytes(&bytes).unwrap();
        assert_eq!(epc.name(), "Γιώργος");
        assert_eq!(epc.separator(), LineSeparator::CrLf);
        assert_eq!(epc.to_bytes(), bytes);

        // 0xD2 has no character in ISO 8859-7.
        let mut bad = bytes.clone();
        bad[19] = 0xD2;
        assert_eq!(
            parse_bytes(&bad).unwrap_err(),
            EpcError::Undecodable {
                offset: 19,
                character_set: CharacterSet::Iso8859_7
            }
        );
        // Declared UTF-8 with Latin-1 bytes: refused where the UTF-8 breaks.
        let latin = [
            b"BCD\n002\n1\nSCT\n\nM".as_slice(),
            &[0xFC],
            b"ller\nBE72000000001616",
        ]
        .concat();
        assert_eq!(
            parse_bytes(&latin).unwrap_err(),
            EpcError::Undecodable {
                offset: 16,
                character_set: CharacterSet::Utf8
            }
        );
        // No usable declaration: read as Latin-1, refused for the line at fault.
        let unknown = [b"BCD\n002\n9\nSCT\n\n".as_slice(), &[0xFC]].concat();
        assert_eq!(
            parse_bytes(&unknown).unwrap_err(),
            invalid(EpcField::CharacterSet)
        );
        assert_eq!(
            parse_bytes(&[b'x'; PAYLOAD_LEN_MAX + 1]).unwrap_err(),
            EpcError::PayloadTooLong {
                len: PAYLOAD_LEN_MAX + 1,
                len_max: PAYLOAD_LEN_MAX
            }
        );
    }

    #[test]
    fn payload_limit_is_331_bytes() {
        // 70 + 140 + 70 characters of text: the total stays under 331 bytes in ASCII and
        // exceeds it with two-byte UTF-8 characters.
        let head = "BCD\n002\n1\nSCT\n\n";
        let tail = "\nBE72000000001616\nEUR1\n\n\n";
        let ascii = format!(
            "{head}{}{tail}{}\n{}",
            "a".repeat(70),
            "b".repeat(140),
            "c".repeat(70)
        );
        assert!(ascii.len() <= PAYLOAD_LEN_MAX);
        assert!(parse(&ascii).is_ok());
        let wide = ascii.replace('b', "é");
        assert_eq!(
            parse(&wide).unwrap_err(),
            EpcError::PayloadTooLong {
                len: wide.len(),
                len_max: PAYLOAD_LEN_MAX
            }
        );
        // The same text in ISO 8859-1 counts one byte per character and fits.
        let latin = wide.replacen("\n1\n", "\n2\n", 1);
        assert!(parse(&latin).is_ok());
    }

    #[test]
    fn detection() {
        assert!(looks_like(SPEC_EXAMPLE));
        assert!(!looks_like("SPC\r\n0200"));
    }

    fn arb_text(len_max: usize) -> impl Strategy<Value = String> {
        proptest::string::string_regex(&format!("[A-Za-z0-9 äöüé€/.,-]{{1,{len_max}}}")).unwrap()
    }

    fn arb_epc() -> impl Strategy<Value = Result<Epc, EpcError>> {
        (
            prop::bool::ANY,
            prop::bool::ANY,
            arb_text(70),
            prop::option::of(1u64..=AMOUNT_MINOR_MAX),
            prop::option::of("[A-Z]{4}"),
            prop::option::of(prop_oneof![
                "[A-Z0-9]{1,21}".prop_map(|p| Remittance::Structured(
                    CreditorReference::from_payload(&p).unwrap()
                )),
                arb_text(140).prop_map(Remittance::Unstructured),
            ]),
            prop::option::of(arb_text(70)),
        )
            .prop_map(
                |(v1, crlf, name, cents, purpose, remittance, information)| {
                    let iban = Iban::parse("DE89370400440532013000").unwrap();
                    let mut builder = Epc::builder(name, iban);
                    if v1 {
                        builder = builder
                            .version(Version::V001)
                            .bic(Bic::parse("COBADEFFXXX").unwrap());
                    }
                    if crlf {
                        builder = builder.separator(LineSeparator::CrLf);
                    }
                    if let Some(cents) = cents {
                        builder =
                            builder.amount(DecimalAmount::from_minor_units(cents, 2).unwrap());
                    }
                    if let Some(purpose) = purpose {
                        builder = builder.purpose(purpose);
                    }
                    match remittance {
                        Some(Remittance::Structured(r)) => {
                            builder = builder.structured_remittance(r)
                        }
                        Some(Remittance::Unstructured(t)) => {
                            builder = builder.unstructured_remittance(t)
                        }
                        None => {}
                    }
                    if let Some(information) = information {
                        builder = builder.information(information);
                    }
                    builder.build()
                },
            )
    }

    proptest! {
        #[test]
        fn parse_of_build_is_identity(epc in arb_epc()) {
            // Too-long combinations are rejected by the builder; the rest must round-trip.
            if let Ok(epc) = epc {
                let text = epc.to_string();
                prop_assert_eq!(parse(&text).unwrap(), epc);
            }
        }

        #[test]
        fn parse_bytes_of_to_bytes_is_identity(
            case in 0..SET_CASES.len(),
            picks in prop::collection::vec(0usize..64, 1..40),
            crlf in prop::bool::ANY,
        ) {
            // A name drawn from the characters of the set's own sample name.
            let (_, set, good, ..) = SET_CASES[case];
            let alphabet: Vec<char> = good.chars().collect();
            let name: String = picks.iter().map(|&i| alphabet[i % alphabet.len()]).collect();
            let name = if name.trim().is_empty() { "N".to_owned() } else { name };
            let separator = if crlf { LineSeparator::CrLf } else { LineSeparator::Lf };
            let epc = Epc::builder(name, Iban::parse("DE89370400440532013000").unwrap())
                .character_set(set)
                .separator(separator)
                .build()
                .unwrap();
            prop_assert_eq!(parse_bytes(&epc.to_bytes()).unwrap(), epc.clone());
            prop_assert_eq!(parse(&epc.to_string()).unwrap(), epc);
        }

        #[test]
        fn parse_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
            let mut input = b"BCD\n002\n".to_vec();
            input.extend_from_slice(&bytes);
            let _ = parse_bytes(&input);
            let _ = parse_bytes(&bytes);
        }

        #[test]
        fn never_panics(text in "\\PC{0,400}") {
            let _ = parse(&text);
        }

        #[test]
        fn never_panics_on_line_soup(lines in prop::collection::vec("[A-Z0-9 .\r]{0,12}", 0..14)) {
            let text = format!("BCD\n{}", lines.join("\n"));
            let _ = parse(&text);
        }
    }
}
