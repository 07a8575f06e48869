//! What can be wrong with a payload, and where.

use crate::money::AmountError;
use crate::tag::{Tag, TagPath};

/// Why a payload was refused.
///
/// Structural errors (the tag–length–value walk, the CRC) refuse a payload in every mode. Rule
/// errors ([`DecodeError::Invalid`]) refuse it in strict mode; tolerant mode reports them as
/// [`Violation`]s on the decoded payload instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The input is empty.
    #[error("payload is empty")]
    Empty,
    /// The input is larger than any payload could be; nothing was parsed.
    #[error("payload is {len} bytes, the most accepted is {len_max}")]
    TooLarge {
        /// Bytes in the input.
        len: usize,
        /// The limit.
        len_max: usize,
    },
    /// An identifier that is not two ASCII digits.
    #[error("bad id {found:?} at byte {offset} in {parent}")]
    BadId {
        /// The template being walked (`payload` at the root).
        parent: TagPath,
        /// Byte offset of the identifier.
        offset: usize,
        /// What stood there (at most two characters).
        found: String,
    },
    /// A length that is not two ASCII digits.
    #[error("bad length {found:?} for tag {tag} at byte {offset}")]
    BadLength {
        /// The object whose length is bad.
        tag: TagPath,
        /// Byte offset of the length field.
        offset: usize,
        /// What stood there (at most two characters).
        found: String,
    },
    /// The input ends inside an object's id or length.
    #[error(
        "truncated header at byte {offset} in {parent}: a header takes 4 bytes, {available} left"
    )]
    TruncatedHeader {
        /// The template being walked.
        parent: TagPath,
        /// Byte offset where the header starts.
        offset: usize,
        /// Bytes left.
        available: usize,
    },
    /// An object's value runs past the end of its container.
    #[error("value of tag {tag} at byte {offset} needs {len} characters, {available} left")]
    Truncated {
        /// The object whose value overruns.
        tag: TagPath,
        /// Byte offset of the object.
        offset: usize,
        /// Characters its length field promises.
        len: usize,
        /// Characters left.
        available: usize,
    },
    /// The character walk fails but a walk counting UTF-8 bytes succeeds: the encoder counted
    /// bytes where the specification counts characters.
    #[error(
        "tag {tag} at byte {offset}: lengths look like UTF-8 byte counts, the specification \
         counts characters"
    )]
    ByteLengths {
        /// The first object whose character length does not fit.
        tag: TagPath,
        /// Its byte offset.
        offset: usize,
    },
    /// Templates nested deeper than the specification allows.
    #[error("tag {tag} at byte {offset} nests deeper than {depth_max} levels")]
    TooDeep {
        /// The object that would nest too deep.
        tag: TagPath,
        /// Its byte offset.
        offset: usize,
        /// The limit.
        depth_max: usize,
    },
    /// No CRC object (63) at the root.
    #[error("missing crc (tag 63)")]
    MissingCrc,
    /// The CRC object is not `6304` followed by four hexadecimal digits.
    #[error("bad crc object at byte {offset}: {found:?} is not 4 hexadecimal digits")]
    CrcFormat {
        /// Byte offset of the CRC object.
        offset: usize,
        /// Its value.
        found: String,
    },
    /// Data follows the CRC object, where nothing is protected by it.
    #[error("data after the crc at byte {offset}: {found:?}")]
    DataAfterCrc {
        /// Byte offset of the first byte after the CRC.
        offset: usize,
        /// What follows (its first 8 characters, `…` after them when there are more).
        found: String,
    },
    /// The CRC in the payload is not the CRC of the payload.
    #[error("crc mismatch: payload says {expected:04X}, computed {computed:04X}")]
    CrcMismatch {
        /// What the payload says.
        expected: u16,
        /// What its bytes hash to.
        computed: u16,
    },
    /// A rule of the specification is broken (strict mode).
    #[error(transparent)]
    Invalid(Box<Violation>),
}

impl DecodeError {
    /// The byte offset the error points at, when it points at one.
    #[must_use]
    pub fn offset(&self) -> Option<usize> {
        match self {
            DecodeError::Empty
            | DecodeError::TooLarge { .. }
            | DecodeError::MissingCrc
            | DecodeError::CrcMismatch { .. } => None,
            DecodeError::BadId { offset, .. }
            | DecodeError::BadLength { offset, .. }
            | DecodeError::TruncatedHeader { offset, .. }
            | DecodeError::Truncated { offset, .. }
            | DecodeError::ByteLengths { offset, .. }
            | DecodeError::TooDeep { offset, .. }
            | DecodeError::CrcFormat { offset, .. }
            | DecodeError::DataAfterCrc { offset, .. } => Some(*offset),
            DecodeError::Invalid(v) => Some(v.offset),
        }
    }

    /// The object the error points at, when it points at one (`payload` for the root level).
    #[must_use]
    pub fn path(&self) -> Option<TagPath> {
        match self {
            DecodeError::BadId { parent, .. } | DecodeError::TruncatedHeader { parent, .. } => {
                Some(*parent)
            }
            DecodeError::BadLength { tag, .. }
            | DecodeError::Truncated { tag, .. }
            | DecodeError::ByteLengths { tag, .. }
            | DecodeError::TooDeep { tag, .. } => Some(*tag),
            DecodeError::CrcFormat { .. } => Some(TagPath::root(Tag::CRC)),
            // Trailing bytes are no object: they sit at the root level.
            DecodeError::DataAfterCrc { .. } => Some(TagPath::ROOT),
            DecodeError::Invalid(v) => Some(v.path),
            _ => None,
        }
    }

    /// A stable, kebab-case name of the error kind, for JSON and logs.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            DecodeError::Empty => "empty",
            DecodeError::TooLarge { .. } => "too-large",
            DecodeError::BadId { .. } => "bad-id",
            DecodeError::BadLength { .. } => "bad-length",
            DecodeError::TruncatedHeader { .. } => "truncated-header",
            DecodeError::Truncated { .. } => "truncated",
            DecodeError::ByteLengths { .. } => "byte-lengths",
            DecodeError::TooDeep { .. } => "too-deep",
            DecodeError::MissingCrc => "missing-crc",
            DecodeError::CrcFormat { .. } => "crc-format",
            DecodeError::DataAfterCrc { .. } => "data-after-crc",
            DecodeError::CrcMismatch { .. } => "crc-mismatch",
            DecodeError::Invalid(v) => v.rule.code(),
        }
    }
}

/// A broken rule: which, on which object, at which byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The rule.
    pub rule: Rule,
    /// The object that breaks it (`payload` for rules on the whole).
    pub path: TagPath,
    /// Byte offset of that object (0 for the whole payload).
    pub offset: usize,
}

impl core::fmt::Display for Violation {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.rule {
            Rule::Missing => write!(f, "missing mandatory object {}", self.path),
            Rule::NoMerchantAccount | Rule::PayloadTooLong { .. } => write!(f, "{}", self.rule),
            _ => write!(f, "{}: {} at byte {}", self.path, self.rule, self.offset),
        }
    }
}

impl std::error::Error for Violation {}

impl Violation {
    pub(crate) fn new(rule: Rule, path: TagPath, offset: usize) -> Violation {
        Violation { rule, path, offset }
    }

    /// A stable, kebab-case name of the rule.
    #[must_use]
    pub fn code(&self) -> &'static str {
        self.rule.code()
    }
}

/// The character set a value must be drawn from (EMV MPM §4.1 "Data Object Format").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Charset {
    /// `N`: digits `0`–`9`.
    Numeric,
    /// `ans`: printable ASCII, 0x20–0x7E.
    Ans,
}

impl core::fmt::Display for Charset {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Charset::Numeric => "digits",
            Charset::Ans => "printable ASCII",
        })
    }
}

/// `n` characters, in words: "1 character", "3 characters".
fn characters(n: usize) -> String {
    match n {
        1 => "1 character".to_owned(),
        _ => format!("{n} characters"),
    }
}

/// A length range in words: "exactly 3 allowed", "at most 25 allowed", "2 to 4 allowed".
fn allowed(min: usize, max: usize) -> String {
    match (min, max) {
        _ if min == max => format!("exactly {min} allowed"),
        (0 | 1, _) => format!("at most {max} allowed"),
        _ => format!("{min} to {max} allowed"),
    }
}

/// A rule of EMV QRCPS MPM that a payload breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Rule {
    /// The payload is longer than the 512 characters a code may carry.
    #[error("payload has {len} characters, at most {len_max} allowed")]
    PayloadTooLong {
        /// Characters.
        len: usize,
        /// The limit.
        len_max: usize,
    },
    /// Object 00 is not the first.
    #[error("payload format indicator (00) is not first")]
    FormatIndicatorNotFirst,
    /// Object 00 is not `01`.
    #[error("payload format indicator is {found:?}, must be \"01\"")]
    FormatIndicatorValue {
        /// What the payload says.
        found: String,
    },
    /// An identifier appears twice in one template.
    #[error("tag repeated (its first object is at byte {first_offset})")]
    Duplicate {
        /// Where the first occurrence starts.
        first_offset: usize,
    },
    /// A mandatory object is missing.
    #[error("missing mandatory object")]
    Missing,
    /// No merchant account information (02–51).
    #[error("no merchant account information (tags 02 to 51)")]
    NoMerchantAccount,
    /// A length of `00`.
    #[error("empty value (length 00)")]
    Empty,
    /// A character outside the value's character set.
    #[error("{found:?} at character {index} is not {expected}")]
    Charset {
        /// The set the value must be drawn from.
        expected: Charset,
        /// The offending character.
        found: char,
        /// Its index in the value.
        index: usize,
    },
    /// A value whose length is out of range.
    #[error("value has {}, {}", characters(*.len), allowed(*.len_min, *.len_max))]
    Length {
        /// Characters in the value.
        len: usize,
        /// Fewest allowed.
        len_min: usize,
        /// Most allowed.
        len_max: usize,
    },
    /// Point of initiation is neither `11` nor `12`.
    #[error("point of initiation is {found:?}, must be \"11\" (static) or \"12\" (dynamic)")]
    PointOfInitiation {
        /// What the payload says.
        found: String,
    },
    /// An unknown ISO 4217 numeric currency.
    #[error("{found:?} is not an ISO 4217 numeric currency code")]
    Currency {
        /// What the payload says.
        found: String,
    },
    /// An ISO 4217 code that is not money a payment can be made in (see
    /// [`Currency::is_money`](crate::money::Currency::is_money)): gold, a unit of account,
    /// XTS, XXX or a fund code.
    #[error("{found:?} is ISO 4217's {alpha} ({name}), which is not a currency a payment can be made in")]
    CurrencyNotMoney {
        /// What the payload says.
        found: String,
        /// The code's letters, e.g. `XAU`.
        alpha: &'static str,
        /// The code's name, e.g. `Gold (one troy ounce)`.
        name: &'static str,
    },
    /// An amount that breaks the amount grammar.
    #[error("bad amount: {0}")]
    Amount(AmountError),
    /// The amount has more decimals than the currency's minor unit.
    #[error("amount has more decimal places than the currency's {exponent}")]
    AmountPrecision {
        /// The currency's exponent.
        exponent: u8,
    },
    /// Tip or convenience indicator other than `01`, `02`, `03`.
    #[error("tip or convenience indicator is {found:?}, must be 01, 02 or 03")]
    TipIndicator {
        /// What the payload says.
        found: String,
    },
    /// 56/57 disagree with 55.
    #[error("{0}")]
    Convenience(&'static str),
    /// A fee percentage outside 00.01–99.99.
    #[error("convenience fee percentage {found:?} is not between 00.01 and 99.99")]
    Percentage {
        /// What the payload says.
        found: String,
    },
    /// A consumer data request (62.09) other than the letters A, M, E each at most once.
    #[error("consumer data request {found:?} must be the letters A, M, E, each at most once")]
    ConsumerDataRequest {
        /// What the payload says.
        found: String,
    },
    /// A tag that the template's definition reserves for future use (62.00, 62.12–49, 64.03–99).
    #[error("tag reserved for future use")]
    Reserved,
    /// A template without its globally unique identifier (sub-object 00).
    #[error("template has no globally unique identifier (sub-object 00)")]
    MissingGui,
    /// A globally unique identifier (sub-object 00 of templates 26–51, 80–99 and 62.50–99)
    /// that has none of the forms EMV allows: an AID, a UUID without its hyphens, or a
    /// reverse domain name. KHQR, for one, writes an account id there.
    #[error(
        "globally unique identifier {found:?} is not an AID (10 to 32 hex digits), a UUID \
         without hyphens or a reverse domain name"
    )]
    GuiFormat {
        /// What the payload says.
        found: String,
    },
    /// The language template lacks 00 or 01.
    #[error("language template needs language preference (00) and merchant name (01)")]
    LanguageTemplate,
    /// A language preference (64.00) that is not an ISO 639-1 code.
    #[error("language preference {found:?} is not an ISO 639-1 code")]
    LanguagePreference {
        /// What the payload says.
        found: String,
    },
    /// A template whose inside is not a sequence of data objects; kept opaque.
    #[error("template does not parse: {0}")]
    NotTemplate(Box<DecodeError>),
    /// Country code that is not an assigned ISO 3166-1 alpha-2 code in upper case.
    #[error("country code {found:?} is not an ISO 3166-1 alpha-2 code")]
    Country {
        /// What the payload says.
        found: String,
    },
}

impl Rule {
    /// A stable, kebab-case name of the rule, for JSON and logs.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Rule::PayloadTooLong { .. } => "payload-too-long",
            Rule::FormatIndicatorNotFirst => "format-indicator-not-first",
            Rule::FormatIndicatorValue { .. } => "format-indicator-value",
            Rule::Duplicate { .. } => "duplicate",
            Rule::Missing => "missing",
            Rule::NoMerchantAccount => "no-merchant-account",
            Rule::Empty => "empty-value",
            Rule::Charset { .. } => "charset",
            Rule::Length { .. } => "length",
            Rule::PointOfInitiation { .. } => "point-of-initiation",
            Rule::Currency { .. } => "currency",
            Rule::CurrencyNotMoney { .. } => "currency-not-money",
            Rule::Amount(_) => "amount",
            Rule::AmountPrecision { .. } => "amount-precision",
            Rule::TipIndicator { .. } => "tip-indicator",
            Rule::Convenience(_) => "convenience-fee",
            Rule::Percentage { .. } => "fee-percentage",
            Rule::ConsumerDataRequest { .. } => "consumer-data-request",
            Rule::Reserved => "reserved",
            Rule::MissingGui => "missing-gui",
            Rule::GuiFormat { .. } => "gui-format",
            Rule::LanguageTemplate => "language-template",
            Rule::LanguagePreference { .. } => "language-preference",
            Rule::NotTemplate(_) => "not-template",
            Rule::Country { .. } => "country",
        }
    }
}

/// Why a payload could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// A value longer than the 99 characters a length field can say.
    #[error("value of tag {tag} has {len} characters, a data object holds at most 99")]
    ValueTooLong {
        /// The object.
        tag: TagPath,
        /// Its characters.
        len: usize,
    },
    /// An empty value, which a data object cannot hold.
    #[error("value of tag {tag} is empty")]
    EmptyValue {
        /// The object.
        tag: TagPath,
    },
    /// The CRC object given by the caller is not 4 hexadecimal digits.
    #[error("crc {found:?} is not 4 hexadecimal digits")]
    CrcFormat {
        /// The value.
        found: String,
    },
    /// A value the builder was given is not valid for its field.
    #[error("bad {field}: {reason}")]
    BadField {
        /// The field.
        field: &'static str,
        /// Why.
        reason: String,
    },
    /// The assembled payload breaks a rule of the specification.
    #[error("built payload is invalid: {0}")]
    Invalid(#[source] DecodeError),
}
