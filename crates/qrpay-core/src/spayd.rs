//! SPAYD / QR Platba: the Czech Short Payment Descriptor (`SPD*1.0*ACC:…*AM:…*CC:CZK`).
//!
//! A payload is the header `SPD*1.0*` followed by `KEY:VALUE` attributes separated by `*`
//! (Czech Banking Association, "Short Payment Descriptor" format v1.2). A `*` inside a value
//! is written `%2A`; other characters may be percent-encoded as UTF-8 or written raw (control
//! characters only escaped), and values are decoded here (URI-style: `+` stays `+`). The
//! encoder escapes only `*`, `%` and control characters. Known keys:
//!
//! | key | meaning | rule |
//! |---|---|---|
//! | `ACC` | account | IBAN, optionally `+BIC`; mandatory |
//! | `ALT-ACC` | alternative accounts | up to two, comma-separated |
//! | `AM` | amount | up to 9999999.99, at most two decimals |
//! | `CC` | currency | ISO 4217, three upper-case letters |
//! | `RF` | payee reference | up to 16 digits |
//! | `RN` | payee name | up to 35 characters |
//! | `DT` | due date | `YYYYMMDD` |
//! | `PT` | payment type | up to 3 characters |
//! | `MSG` | message | up to 60 characters |
//! | `CRC32` | checksum | 8 upper-case hex digits; CRC-32 of the canonical form |
//! | `NT`, `NTA` | notification | `P` (phone) or `E` (e-mail) and its address (≤ 320) |
//! | `X-VS`, `X-SS`, `X-KS` | variable, specific, constant symbol | up to 10 digits |
//! | `X-PER` | retry days | 0–30 |
//! | `X-ID`, `X-URL`, `X-SELF` | payment id, URL, note to self | up to 20, 140, 60 characters |
//! | `FRQ`, `DL`, `DH` | standing order: frequency (`1M`), last date, continue after death (`0`/`1`) | |
//!
//! Other `X-` keys are kept as they are; other unknown keys are rejected. The canonical form
//! for `CRC32` is the header followed by every other attribute, as written, sorted by key.
//!
//! ```
//! let text = "SPD*1.0*ACC:CZ5855000000001265098001*AM:480.50*CC:CZK*MSG:PLATBA ZA ZBOZI";
//! let spayd = qrpay_core::spayd::parse(text)?;
//! assert_eq!(spayd.amount().map(|a| a.minor_units()), Some(48_050));
//! assert_eq!(spayd.to_string(), text);
//! # Ok::<(), qrpay_core::spayd::SpaydError>(())
//! ```

use core::fmt;

use crate::bic::{Bic, BicError};
use crate::decimal::{DecimalAmount, DecimalError};
use crate::iban::{Iban, IbanError};
use crate::percent;
use crate::query::{self, QueryError};

/// Longest accepted payload: the alphanumeric capacity of a version 40-L QR code.
pub const INPUT_LEN_MAX: usize = 4296;
/// Largest amount in minor units (9999999.99).
pub const AMOUNT_MINOR_MAX: u64 = 999_999_999;
/// Most alternative accounts in `ALT-ACC`.
pub const ALTERNATE_ACCOUNTS_MAX: usize = 2;

const HEADER: &str = "SPD*1.0*";

/// A decoded, validated SPAYD payment.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Spayd {
    account: Account,
    alternate_accounts: Vec<Account>,
    amount: Option<DecimalAmount>,
    currency: Option<String>,
    payee_reference: Option<String>,
    payee_name: Option<String>,
    due_date: Option<String>,
    payment_type: Option<String>,
    message: Option<String>,
    notification_type: Option<NotificationType>,
    notification_address: Option<String>,
    variable_symbol: Option<String>,
    specific_symbol: Option<String>,
    constant_symbol: Option<String>,
    retry_days: Option<u8>,
    payment_id: Option<String>,
    url: Option<String>,
    note_to_self: Option<String>,
    frequency: Option<String>,
    last_date: Option<String>,
    continue_after_death: Option<bool>,
    #[cfg_attr(
        feature = "serde",
        serde(serialize_with = "crate::percent::serialize_pairs")
    )]
    extensions: Vec<(String, String)>,
    has_crc32: bool,
    #[cfg_attr(feature = "serde", serde(skip))]
    key_order: Vec<String>,
}

/// An account: IBAN with an optional BIC.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Account {
    /// The IBAN.
    pub iban: Iban,
    /// The BIC, if given.
    pub bic: Option<Bic>,
}

/// How the payer's bank should notify the payee (`NT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(rename_all = "snake_case")
)]
pub enum NotificationType {
    /// `P`: by phone (SMS).
    Phone,
    /// `E`: by e-mail.
    Email,
}

/// Why a SPAYD payload could not be decoded or built. Offsets are byte offsets of the
/// attribute in the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SpaydError {
    /// The payload is longer than a QR code holds.
    #[error("payload is {len} bytes, at most {len_max} allowed")]
    TooLong {
        /// Bytes found.
        len: usize,
        /// Limit.
        len_max: usize,
    },
    /// The payload does not start with `SPD*1.0*`.
    #[error("payload does not start with SPD*1.0*")]
    Header,
    /// The attributes are malformed: an attribute without key, `:` or value, a raw control
    /// character, a repeated key or an escape.
    #[error(transparent)]
    Query(#[from] QueryError),
    /// A key that is neither known nor an `X-` extension, or not upper-case.
    #[error("unknown key {key} at byte {offset}")]
    UnknownKey {
        /// The key.
        key: String,
        /// Offset of the attribute.
        offset: usize,
    },
    /// A value is longer than its key allows.
    #[error("{key} has {len} characters, at most {len_max} allowed")]
    ValueTooLong {
        /// The key.
        key: String,
        /// Characters found.
        len: usize,
        /// Limit.
        len_max: usize,
    },
    /// A value does not follow its key's format.
    #[error("invalid value for {key}")]
    InvalidValue {
        /// The key.
        key: String,
    },
    /// An IBAN in `ACC` or `ALT-ACC` is invalid.
    #[error("bad iban in {key}")]
    Iban {
        /// The key.
        key: String,
        /// Why.
        #[source]
        source: IbanError,
    },
    /// A BIC in `ACC` or `ALT-ACC` is invalid.
    #[error("bad bic in {key}")]
    Bic {
        /// The key.
        key: String,
        /// Why.
        #[source]
        source: BicError,
    },
    /// The amount is malformed.
    #[error("bad amount")]
    Amount(#[source] DecimalError),
    /// The amount exceeds 9999999.99.
    #[error("amount of {minor_units} minor units above 9999999.99")]
    AmountRange {
        /// The amount in minor units.
        minor_units: u64,
    },
    /// More than two alternative accounts.
    #[error("{count} alternative accounts, at most 2 allowed")]
    TooManyAlternateAccounts {
        /// Accounts found.
        count: usize,
    },
    /// No `ACC` attribute.
    #[error("missing account (ACC)")]
    MissingAccount,
    /// The `CRC32` attribute does not match the canonical form.
    #[error("crc32 is {expected:08X}, computed {computed:08X}")]
    Crc32Mismatch {
        /// Value in the payload.
        expected: u32,
        /// Value computed.
        computed: u32,
    },
}

/// Decodes a SPAYD payload.
///
/// # Errors
///
/// A [`SpaydError`] naming the attribute at fault.
pub fn parse(input: &str) -> Result<Spayd, SpaydError> {
    if input.len() > INPUT_LEN_MAX {
        return Err(SpaydError::TooLong {
            len: input.len(),
            len_max: INPUT_LEN_MAX,
        });
    }
    // Control characters may only appear percent-encoded.
    query::check_characters(input, 0, &[])?;
    let body = input.strip_prefix(HEADER).ok_or(SpaydError::Header)?;
    // A single `*` after the last attribute is tolerated (the reference SDK accepts it).
    let body = body.strip_suffix('*').unwrap_or(body);
    // `ACC` is read first so that the value always has an account.
    let account = body
        .split('*')
        .find_map(|attribute| attribute.strip_prefix("ACC:"))
        .ok_or(SpaydError::MissingAccount)?;
    // (Its position is found again, with any escape error's offset, in the loop below.)
    let account = percent::decode(account)
        .map_err(|_| QueryError::Escape {
            key: "ACC".into(),
            offset: HEADER.len(),
        })
        .map_err(SpaydError::from)
        .and_then(|text| parse_account("ACC", &text))?;
    let mut spayd = Spayd::empty(account);
    let mut crc32 = None;
    let mut raw: Vec<(&str, &str)> = Vec::new();
    let mut offset = HEADER.len();
    for attribute in body.split('*') {
        let (key, value) = attribute
            .split_once(':')
            .filter(|(key, value)| !key.is_empty() && !value.is_empty())
            .ok_or(QueryError::Pair { offset })?;
        query::check_new_key(raw.iter().map(|(k, _)| *k), key, offset)?;
        let decoded = query::decode_value(key, value, offset)?;
        if key == "CRC32" {
            let ok = value.len() == 8
                && value
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b));
            let parsed = u32::from_str_radix(value, 16).ok().filter(|_| ok);
            crc32 = Some(parsed.ok_or_else(|| SpaydError::InvalidValue {
                key: key.to_owned(),
            })?);
            spayd.has_crc32 = true;
        } else {
            spayd.set(key, decoded, offset)?;
            raw.push((key, value));
        }
        spayd.key_order.push(key.to_owned());
        offset += attribute.len() + 1;
    }
    if let Some(expected) = crc32 {
        raw.sort_unstable_by_key(|(key, _)| *key);
        let computed = crc_of(raw.iter().map(|(k, v)| (*k, *v)));
        if computed != expected {
            return Err(SpaydError::Crc32Mismatch { expected, computed });
        }
    }
    spayd.validate()?;
    Ok(spayd)
}

/// Cheap detection: the payload starts with `SPD*`.
#[must_use]
pub fn looks_like(input: &str) -> bool {
    input.starts_with("SPD*")
}

impl Spayd {
    /// Starts a builder for a payment to `account`.
    #[must_use]
    pub fn builder(account: Account) -> SpaydBuilder {
        let mut spayd = Self::empty(account);
        spayd.key_order.push("ACC".into());
        SpaydBuilder { spayd, error: None }
    }

    fn empty(account: Account) -> Self {
        Self {
            account,
            alternate_accounts: Vec::new(),
            amount: None,
            currency: None,
            payee_reference: None,
            payee_name: None,
            due_date: None,
            payment_type: None,
            message: None,
            notification_type: None,
            notification_address: None,
            variable_symbol: None,
            specific_symbol: None,
            constant_symbol: None,
            retry_days: None,
            payment_id: None,
            url: None,
            note_to_self: None,
            frequency: None,
            last_date: None,
            continue_after_death: None,
            extensions: Vec::new(),
            has_crc32: false,
            key_order: Vec::new(),
        }
    }

    /// `ACC`: the payee's account.
    #[must_use]
    pub fn account(&self) -> &Account {
        &self.account
    }

    /// `ALT-ACC`: alternative accounts.
    #[must_use]
    pub fn alternate_accounts(&self) -> &[Account] {
        &self.alternate_accounts
    }

    /// `AM`: the amount (exponent 2), if given.
    #[must_use]
    pub fn amount(&self) -> Option<&DecimalAmount> {
        self.amount.as_ref()
    }

    /// `CC`: the currency code, if given (CZK is assumed by banks otherwise).
    #[must_use]
    pub fn currency(&self) -> Option<&str> {
        self.currency.as_deref()
    }

    /// `RF`: the payee's reference.
    #[must_use]
    pub fn payee_reference(&self) -> Option<&str> {
        self.payee_reference.as_deref()
    }

    /// `RN`: the payee's name.
    #[must_use]
    pub fn payee_name(&self) -> Option<&str> {
        self.payee_name.as_deref()
    }

    /// `DT`: the due date as `YYYYMMDD`.
    #[must_use]
    pub fn due_date(&self) -> Option<&str> {
        self.due_date.as_deref()
    }

    /// `PT`: the payment type.
    #[must_use]
    pub fn payment_type(&self) -> Option<&str> {
        self.payment_type.as_deref()
    }

    /// `MSG`: the message for the payee.
    #[must_use]
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// `NT`: the notification channel.
    #[must_use]
    pub fn notification_type(&self) -> Option<NotificationType> {
        self.notification_type
    }

    /// `NTA`: the notification address.
    #[must_use]
    pub fn notification_address(&self) -> Option<&str> {
        self.notification_address.as_deref()
    }

    /// `X-VS`: the variable symbol.
    #[must_use]
    pub fn variable_symbol(&self) -> Option<&str> {
        self.variable_symbol.as_deref()
    }

    /// `X-SS`: the specific symbol.
    #[must_use]
    pub fn specific_symbol(&self) -> Option<&str> {
        self.specific_symbol.as_deref()
    }

    /// `X-KS`: the constant symbol.
    #[must_use]
    pub fn constant_symbol(&self) -> Option<&str> {
        self.constant_symbol.as_deref()
    }

    /// `X-PER`: days to retry a payment that failed for lack of funds.
    #[must_use]
    pub fn retry_days(&self) -> Option<u8> {
        self.retry_days
    }

    /// `X-ID`: the payment id.
    #[must_use]
    pub fn payment_id(&self) -> Option<&str> {
        self.payment_id.as_deref()
    }

    /// `X-URL`: a URL for the payer.
    #[must_use]
    pub fn url(&self) -> Option<&str> {
        self.url.as_deref()
    }

    /// `X-SELF`: the payer's note to self.
    #[must_use]
    pub fn note_to_self(&self) -> Option<&str> {
        self.note_to_self.as_deref()
    }

    /// `FRQ`: the standing-order frequency (`1D`, `1M`, `3M`, `6M`, `1Y`, ...).
    #[must_use]
    pub fn frequency(&self) -> Option<&str> {
        self.frequency.as_deref()
    }

    /// `DL`: the standing order's last date as `YYYYMMDD`.
    #[must_use]
    pub fn last_date(&self) -> Option<&str> {
        self.last_date.as_deref()
    }

    /// `DH`: whether a standing order continues after the payer's death.
    #[must_use]
    pub fn continue_after_death(&self) -> Option<bool> {
        self.continue_after_death
    }

    /// Other `X-` attributes, decoded, in payload order.
    #[must_use]
    pub fn extensions(&self) -> &[(String, String)] {
        &self.extensions
    }

    /// Whether the payload carries (and the encoder writes) a `CRC32` attribute.
    #[must_use]
    pub fn has_crc32(&self) -> bool {
        self.has_crc32
    }

    /// The payload text (same as `to_string()`).
    #[must_use]
    pub fn encode(&self) -> String {
        self.to_string()
    }

    /// Stores a decoded value under its key after checking the key's format.
    fn set(&mut self, key: &str, value: String, offset: usize) -> Result<(), SpaydError> {
        let too_long = |len_max: usize| -> Result<(), SpaydError> {
            let len = value.chars().count();
            if len > len_max {
                return Err(SpaydError::ValueTooLong {
                    key: key.to_owned(),
                    len,
                    len_max,
                });
            }
            Ok(())
        };
        let invalid = || SpaydError::InvalidValue {
            key: key.to_owned(),
        };
        let digits = |len_max: usize| -> Result<Option<String>, SpaydError> {
            too_long(len_max)?;
            if !value.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid());
            }
            Ok(Some(value.clone()))
        };
        match key {
            "ACC" => {
                too_long(46)?;
                self.account = parse_account(key, &value)?;
            }
            "ALT-ACC" => {
                too_long(93)?;
                self.alternate_accounts = value
                    .split(',')
                    .map(|account| parse_account(key, account))
                    .collect::<Result<_, _>>()?;
            }
            "AM" => {
                too_long(10)?;
                self.amount = Some(DecimalAmount::parse(&value, 2).map_err(SpaydError::Amount)?);
            }
            "CC" => {
                if value.len() != 3 || !value.bytes().all(|b| b.is_ascii_uppercase()) {
                    return Err(invalid());
                }
                self.currency = Some(value);
            }
            "RF" => self.payee_reference = digits(16)?,
            "RN" => {
                too_long(35)?;
                self.payee_name = Some(value);
            }
            "DT" => {
                if !is_date(&value) {
                    return Err(invalid());
                }
                self.due_date = Some(value);
            }
            "PT" => {
                too_long(3)?;
                self.payment_type = Some(value);
            }
            "MSG" => {
                too_long(60)?;
                self.message = Some(value);
            }
            "NT" => {
                self.notification_type = Some(match value.as_str() {
                    "P" => NotificationType::Phone,
                    "E" => NotificationType::Email,
                    _ => return Err(invalid()),
                });
            }
            "NTA" => {
                too_long(320)?;
                self.notification_address = Some(value);
            }
            "X-VS" => self.variable_symbol = digits(10)?,
            "X-SS" => self.specific_symbol = digits(10)?,
            "X-KS" => self.constant_symbol = digits(10)?,
            "X-PER" => {
                let days = digits(2)?
                    .and_then(|d| d.parse::<u8>().ok())
                    .filter(|d| *d <= 30)
                    .ok_or_else(invalid)?;
                self.retry_days = Some(days);
            }
            "X-ID" => {
                too_long(20)?;
                self.payment_id = Some(value);
            }
            "X-URL" => {
                too_long(140)?;
                self.url = Some(value);
            }
            "X-SELF" => {
                too_long(60)?;
                self.note_to_self = Some(value);
            }
            "FRQ" => {
                if !is_frequency(&value) {
                    return Err(invalid());
                }
                self.frequency = Some(value);
            }
            "DL" => {
                if !is_date(&value) {
                    return Err(invalid());
                }
                self.last_date = Some(value);
            }
            "DH" => {
                self.continue_after_death = Some(match value.as_str() {
                    "0" => false,
                    "1" => true,
                    _ => return Err(invalid()),
                });
            }
            _ if is_extension_key(key) => self.extensions.push((key.to_owned(), value)),
            _ => {
                return Err(SpaydError::UnknownKey {
                    key: key.to_owned(),
                    offset,
                })
            }
        }
        Ok(())
    }

    fn validate(&self) -> Result<(), SpaydError> {
        if self.alternate_accounts.len() > ALTERNATE_ACCOUNTS_MAX {
            return Err(SpaydError::TooManyAlternateAccounts {
                count: self.alternate_accounts.len(),
            });
        }
        if let Some(amount) = &self.amount {
            if amount.exponent() != 2 {
                return Err(SpaydError::InvalidValue { key: "AM".into() });
            }
            if amount.minor_units() > AMOUNT_MINOR_MAX {
                return Err(SpaydError::AmountRange {
                    minor_units: amount.minor_units(),
                });
            }
        }
        Ok(())
    }

    /// `(key, encoded value)` for every attribute but `CRC32`, in payload order.
    fn attributes(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for key in &self.key_order {
            if let Some(value) = self.value_of(key) {
                out.push((key.clone(), encode_value(&value)));
            }
        }
        out
    }

    fn value_of(&self, key: &str) -> Option<String> {
        let account = |a: &Account| match &a.bic {
            Some(bic) => format!("{}+{}", a.iban, bic),
            None => a.iban.to_string(),
        };
        match key {
            "ACC" => Some(account(&self.account)),
            "ALT-ACC" => Some(
                self.alternate_accounts
                    .iter()
                    .map(account)
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            "AM" => self.amount.map(|a| a.to_string()),
            "CC" => self.currency.clone(),
            "RF" => self.payee_reference.clone(),
            "RN" => self.payee_name.clone(),
            "DT" => self.due_date.clone(),
            "PT" => self.payment_type.clone(),
            "MSG" => self.message.clone(),
            "NT" => self.notification_type.map(|t| match t {
                NotificationType::Phone => "P".to_owned(),
                NotificationType::Email => "E".to_owned(),
            }),
            "NTA" => self.notification_address.clone(),
            "X-VS" => self.variable_symbol.clone(),
            "X-SS" => self.specific_symbol.clone(),
            "X-KS" => self.constant_symbol.clone(),
            "X-PER" => self.retry_days.map(|d| d.to_string()),
            "X-ID" => self.payment_id.clone(),
            "X-URL" => self.url.clone(),
            "X-SELF" => self.note_to_self.clone(),
            "FRQ" => self.frequency.clone(),
            "DL" => self.last_date.clone(),
            "DH" => self
                .continue_after_death
                .map(|c| if c { "1" } else { "0" }.to_owned()),
            _ => self
                .extensions
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone()),
        }
    }
}

impl fmt::Display for Spayd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let attributes = self.attributes();
        f.write_str(HEADER.trim_end_matches('*'))?;
        for key in &self.key_order {
            if key == "CRC32" {
                let mut sorted: Vec<(&str, &str)> = attributes
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                sorted.sort_unstable_by_key(|(k, _)| *k);
                write!(f, "*CRC32:{:08X}", crc_of(sorted.into_iter()))?;
            } else if let Some((_, value)) = attributes.iter().find(|(k, _)| k == key) {
                write!(f, "*{key}:{value}")?;
            }
        }
        Ok(())
    }
}

/// Collects the attributes of a SPAYD payment and validates them in [`SpaydBuilder::build`].
#[derive(Debug, Clone)]
pub struct SpaydBuilder {
    spayd: Spayd,
    error: Option<SpaydError>,
}

impl SpaydBuilder {
    fn with(mut self, key: &str, value: impl Into<String>) -> Self {
        self.spayd.key_order.retain(|k| k != key);
        self.spayd.key_order.push(key.to_owned());
        if key == "CRC32" {
            return self.crc32();
        }
        if let Err(error) = self.spayd.set(key, value.into(), 0) {
            self.error.get_or_insert(error);
        }
        self
    }

    /// Adds an alternative account (`ALT-ACC`, at most two).
    #[must_use]
    pub fn alternate_account(mut self, account: Account) -> Self {
        self.spayd.alternate_accounts.push(account);
        if !self.spayd.key_order.iter().any(|k| k == "ALT-ACC") {
            self.spayd.key_order.push("ALT-ACC".into());
        }
        self
    }

    /// Sets the amount (`AM`, exponent 2).
    #[must_use]
    pub fn amount(mut self, amount: DecimalAmount) -> Self {
        self.spayd.amount = Some(amount);
        self.spayd.key_order.retain(|k| k != "AM");
        self.spayd.key_order.push("AM".into());
        self
    }

    /// Sets any other attribute by key (`CC`, `MSG`, `X-VS`, an `X-` extension, ...).
    #[must_use]
    pub fn attribute(self, key: &str, value: impl Into<String>) -> Self {
        self.with(key, value)
    }

    /// Adds a `CRC32` attribute at the end.
    #[must_use]
    pub fn crc32(mut self) -> Self {
        self.spayd.has_crc32 = true;
        self.spayd.key_order.retain(|k| k != "CRC32");
        self.spayd.key_order.push("CRC32".into());
        self
    }

    /// Validates and returns the payment by encoding it and decoding the result, so a built
    /// value is exactly what [`parse`] returns for its text.
    ///
    /// # Errors
    ///
    /// A [`SpaydError`] for the first attribute that breaks its rule.
    pub fn build(self) -> Result<Spayd, SpaydError> {
        if let Some(error) = self.error {
            return Err(error);
        }
        parse(&self.spayd.to_string())
    }
}

fn crc_of<'a>(sorted: impl Iterator<Item = (&'a str, &'a str)>) -> u32 {
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(HEADER.trim_end_matches('*').as_bytes());
    for (key, value) in sorted {
        hasher.update(b"*");
        hasher.update(key.as_bytes());
        hasher.update(b":");
        hasher.update(value.as_bytes());
    }
    hasher.finalize()
}

fn parse_account(key: &str, text: &str) -> Result<Account, SpaydError> {
    let (iban, bic) = match text.split_once('+') {
        Some((iban, bic)) => (iban, Some(bic)),
        None => (text, None),
    };
    let iban = Iban::parse(iban).map_err(|source| SpaydError::Iban {
        key: key.to_owned(),
        source,
    })?;
    let bic = bic
        .map(|bic| {
            Bic::parse(bic).map_err(|source| SpaydError::Bic {
                key: key.to_owned(),
                source,
            })
        })
        .transpose()?;
    Ok(Account { iban, bic })
}

/// `FRQ`: a count of 1–99 and a unit (day, week, month, year), e.g. `1M`.
fn is_frequency(text: &str) -> bool {
    let Some((count, unit)) = text.split_at_checked(text.len().saturating_sub(1)) else {
        return false;
    };
    matches!(unit, "D" | "W" | "M" | "Y")
        && (1..=2).contains(&count.len())
        && count.bytes().all(|b| b.is_ascii_digit())
        && count != "0"
        && count != "00"
}

fn is_extension_key(key: &str) -> bool {
    key.strip_prefix("X-").is_some_and(|rest| {
        !rest.is_empty()
            && rest
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
    })
}

/// `YYYYMMDD` naming a real calendar day.
fn is_date(text: &str) -> bool {
    if text.len() != 8 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let number = |range: core::ops::Range<usize>| {
        text.get(range)
            .and_then(|s| s.parse::<u32>().ok())
            .unwrap_or_default()
    };
    let (year, month, day) = (number(0..4), number(4..6), number(6..8));
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

/// Percent-encodes `*`, `%` and control characters; everything else is written as UTF-8, so
/// a re-encoding is never longer than the text it was decoded from.
fn encode_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if !c.is_control() && c != '*' && c != '%' {
            out.push(c);
        } else {
            let mut buffer = [0u8; 4];
            for byte in c.encode_utf8(&mut buffer).bytes() {
                out.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The example of the SPAYD specification and its reference SDKs (spayd-sdk-ios README).
    const SPEC_EXAMPLE: &str = "SPD*1.0*ACC:CZ5855000000001265098001*AM:480.50*CC:CZK*RF:7004139146*X-VS:1234567890*DT:20120524*MSG:PLATBA ZA ZBOZI";
    /// The short example from the format description (Wikipedia, qr-platba.cz).
    const SHORT_EXAMPLE: &str =
        "SPD*1.0*ACC:CZ5855000000001265098001*AM:480.50*CC:CZK*MSG:PLATBA ZA ZBOZI";

    #[test]
    fn spec_example_decodes_and_rebuilds() {
        let spayd = parse(SPEC_EXAMPLE).unwrap();
        assert_eq!(spayd.account().iban.as_str(), "CZ5855000000001265098001");
        assert_eq!(spayd.account().bic, None);
        assert_eq!(spayd.amount().unwrap().minor_units(), 48_050);
        assert_eq!(spayd.currency(), Some("CZK"));
        assert_eq!(spayd.payee_reference(), Some("7004139146"));
        assert_eq!(spayd.variable_symbol(), Some("1234567890"));
        assert_eq!(spayd.due_date(), Some("20120524"));
        assert_eq!(spayd.message(), Some("PLATBA ZA ZBOZI"));
        assert_eq!(spayd.to_string(), SPEC_EXAMPLE);

        let built = Spayd::builder(Account {
            iban: Iban::parse("CZ5855000000001265098001").unwrap(),
            bic: None,
        })
        .amount(DecimalAmount::from_minor_units(48_050, 2).unwrap())
        .attribute("CC", "CZK")
        .attribute("RF", "7004139146")
        .attribute("X-VS", "1234567890")
        .attribute("DT", "20120524")
        .attribute("MSG", "PLATBA ZA ZBOZI")
        .build()
        .unwrap();
        assert_eq!(built, spayd);
        assert_eq!(built.encode(), SPEC_EXAMPLE);
    }

    #[test]
    fn crc32_vectors() {
        // CRC-32 values computed independently (Python zlib.crc32) over the canonical form
        // "SPD*1.0*" + attributes sorted by key.
        let short = format!("{SHORT_EXAMPLE}*CRC32:91925E12");
        let spayd = parse(&short).unwrap();
        assert!(spayd.has_crc32());
        assert_eq!(spayd.to_string(), short);
        let full = format!("{SPEC_EXAMPLE}*CRC32:28E92C89");
        assert_eq!(parse(&full).unwrap().to_string(), full);
        // CRC32 first is fine: position does not matter.
        let first = SHORT_EXAMPLE.replacen("SPD*1.0*", "SPD*1.0*CRC32:91925E12*", 1);
        assert_eq!(parse(&first).unwrap().to_string(), first);
        assert_eq!(
            parse(&format!("{SHORT_EXAMPLE}*CRC32:91925E13")).unwrap_err(),
            SpaydError::Crc32Mismatch {
                expected: 0x9192_5E13,
                computed: 0x9192_5E12
            }
        );
        let built = Spayd::builder(spayd.account().clone())
            .amount(DecimalAmount::from_minor_units(48_050, 2).unwrap())
            .attribute("CC", "CZK")
            .attribute("MSG", "PLATBA ZA ZBOZI")
            .crc32()
            .build()
            .unwrap();
        assert_eq!(built.to_string(), short);
    }

    #[test]
    fn valid_variants() {
        // IBAN+BIC, alternative accounts, escaped `*`, UTF-8 escape, X- extension kept,
        // trailing `*` tolerated.
        let text = "SPD*1.0*ACC:CZ5855000000001265098001+RZBCCZPP*ALT-ACC:CZ5855000000001265098001,DE89370400440532013000+COBADEFF*AM:1*MSG:a%2Ab %C5%BE+c*X-FOO:ABC*";
        let spayd = parse(text).unwrap();
        assert_eq!(spayd.account().bic.as_ref().unwrap().as_str(), "RZBCCZPP");
        assert_eq!(spayd.alternate_accounts().len(), 2);
        assert_eq!(spayd.message(), Some("a*b ž+c"));
        assert_eq!(
            spayd.extensions(),
            &[("X-FOO".to_owned(), "ABC".to_owned())]
        );
        // Only `*`, `%` and control characters are escaped on re-encoding.
        assert_eq!(
            spayd.to_string(),
            text.trim_end_matches('*').replace("%C5%BE", "ž")
        );
        assert_eq!(parse(&spayd.to_string()).unwrap(), spayd);
    }

    #[test]
    fn rejections() {
        let table: Vec<(String, SpaydError)> = vec![
            ("SPD*2.0*ACC:CZ5855000000001265098001".into(), SpaydError::Header),
            ("ACC:CZ5855000000001265098001".into(), SpaydError::Header),
            (
                "SPD*1.0*ACC:CZ5855000000001265098001*MSG:a\tb".into(),
                SpaydError::Query(QueryError::Character { offset: 42 }),
            ),
            (
                "SPD*1.0*ACC:CZ5855000000001265098001*FRQ:0M".into(),
                SpaydError::InvalidValue { key: "FRQ".into() },
            ),
            (
                "SPD*1.0*ACC:CZ5855000000001265098001*DH:2".into(),
                SpaydError::InvalidValue { key: "DH".into() },
            ),
            (
                // Found by fuzzing: raw control characters used to be accepted, and their
                // escaped re-encoding could exceed the payload limit.
                "SPD*1.0*ACC:CZ5855000000001265098001*X-G:PO\0\0".into(),
                SpaydError::Query(QueryError::Character { offset: 43 }),
            ),
            ("SPD*1.0*AM:100".into(), SpaydError::MissingAccount),
            (
                "SPD*1.0*ACC:CZ5855000000001265098001**AM:1".into(),
                SpaydError::Query(QueryError::Pair { offset: 37 }),
            ),
            (
                "SPD*1.0*ACC:CZ5855000000001265098001*AM".into(),
                SpaydError::Query(QueryError::Pair { offset: 37 }),
            ),
            (
                "SPD*1.0*ACC:CZ5855000000001265098001*FOO:1".into(),
                SpaydError::UnknownKey {
                    key: "FOO".into(),
                    offset: 37,
                },
            ),
            (
                "SPD*1.0*ACC:CZ5855000000001265098001*AM:1*AM:2".into(),
                SpaydError::Query(QueryError::DuplicateKey {
                    key: "AM".into(),
                    offset: 42,
                }),
            ),
            (
                "SPD*1.0*ACC:CZ5855000000001265098002".into(),
                SpaydError::Iban {
                    key: "ACC".into(),
                    source: IbanError::Checksum,
                },
            ),
            (
                "SPD*1.0*ACC:CZ5855000000001265098001+RZBCCZ".into(),
                SpaydError::Bic {
                    key: "ACC".into(),
                    source: BicError::Length { len: 6 },
                },
            ),
            (
                "SPD*1.0*ACC:CZ5855000000001265098001*AM:480,50".into(),
                SpaydError::Amount(DecimalError::InvalidCharacter { offset: 3 }),
            ),
            (
                "SPD*1.0*ACC:CZ5855000000001265098001*AM:10000000.0".into(),
                SpaydError::AmountRange {
                    minor_units: 1_000_000_000,
                },
            ),
            (
                "SPD*1.0*ACC:CZ5855000000001265098001*CC:czk".into(),
                SpaydError::InvalidValue { key: "CC".into() },
            ),
            (
                "SPD*1.0*ACC:CZ5855000000001265098001*DT:20230229".into(),
                SpaydError::InvalidValue { key: "DT".into() },
            ),
            (
                "SPD*1.0*ACC:CZ5855000000001265098001*X-VS:12345678901".into(),
                SpaydError::ValueTooLong {
                    key: "X-VS".into(),
                    len: 11,
                    len_max: 10,
                },
            ),
            (
                "SPD*1.0*ACC:CZ5855000000001265098001*X-KS:12A".into(),
                SpaydError::InvalidValue { key: "X-KS".into() },
            ),
            (
                "SPD*1.0*ACC:CZ5855000000001265098001*X-PER:31".into(),
                SpaydError::InvalidValue { key: "X-PER".into() },
            ),
            (
                "SPD*1.0*ACC:CZ5855000000001265098001*MSG:50%".into(),
                SpaydError::Query(QueryError::Escape {
                    key: "MSG".into(),
                    offset: 43,
                }),
            ),
            (
                format!("SPD*1.0*ACC:CZ5855000000001265098001*MSG:{}", "m".repeat(61)),
                SpaydError::ValueTooLong {
                    key: "MSG".into(),
                    len: 61,
                    len_max: 60,
                },
            ),
            (
                "SPD*1.0*ACC:CZ5855000000001265098001*CRC32:XYZ".into(),
                SpaydError::InvalidValue { key: "CRC32".into() },
            ),
            (
                "SPD*1.0*ACC:CZ5855000000001265098001*ALT-ACC:CZ5855000000001265098001,CZ5855000000001265098001,CZ5855000000001265098001".into(),
                SpaydError::TooManyAlternateAccounts { count: 3 },
            ),
        ];
        for (text, expected) in table {
            assert_eq!(parse(&text).unwrap_err(), expected, "{text}");
        }
    }

    #[test]
    fn standing_order_attributes() {
        // Sample payment 3 of the czech-qr-payments tests (CBA format v1.2).
        let text = "SPD*1.0*ACC:CZ3301000000000002970297*AM:555.55*CC:CZK*FRQ:1M*DT:20210430*DL:20230430*DH:0*MSG:PRAVIDELNY PRISPEVEK NA NADACI";
        let spayd = parse(text).unwrap();
        assert_eq!(spayd.frequency(), Some("1M"));
        assert_eq!(spayd.due_date(), Some("20210430"));
        assert_eq!(spayd.last_date(), Some("20230430"));
        assert_eq!(spayd.continue_after_death(), Some(false));
        assert_eq!(spayd.to_string(), text);
    }

    #[test]
    fn builder_reports_bad_attributes() {
        let account = parse(SHORT_EXAMPLE).unwrap().account().clone();
        assert_eq!(
            Spayd::builder(account.clone())
                .attribute("CC", "czk")
                .build(),
            Err(SpaydError::InvalidValue { key: "CC".into() })
        );
        assert!(matches!(
            Spayd::builder(account).attribute("NOPE", "1").build(),
            Err(SpaydError::UnknownKey { .. })
        ));
    }

    #[test]
    fn detection() {
        assert!(looks_like(SPEC_EXAMPLE));
        assert!(!looks_like("BCD\n002"));
    }

    fn arb_spayd() -> impl Strategy<Value = Spayd> {
        (
            prop::option::of(0u64..=AMOUNT_MINOR_MAX),
            prop::option::of("[A-Z]{3}"),
            prop::option::of("\\PC{1,60}"),
            prop::option::of("[0-9]{1,10}"),
            prop::option::of("[A-Za-z0-9 *%+:,./-]{1,35}"),
            prop::option::of(("X-[A-Z]{1,5}", "[ -~]{1,20}")),
            prop::bool::ANY,
        )
            .prop_map(|(amount, currency, message, vs, name, extension, crc)| {
                let mut builder = Spayd::builder(Account {
                    iban: Iban::parse("CZ5855000000001265098001").unwrap(),
                    bic: Some(Bic::parse("RZBCCZPP").unwrap()),
                });
                if let Some(cents) = amount {
                    builder = builder.amount(DecimalAmount::from_minor_units(cents, 2).unwrap());
                }
                if let Some(currency) = currency {
                    builder = builder.attribute("CC", currency);
                }
                if let Some(message) = message {
                    builder = builder.attribute("MSG", message);
                }
                if let Some(vs) = vs {
                    builder = builder.attribute("X-VS", vs);
                }
                if let Some(name) = name {
                    builder = builder.attribute("RN", name);
                }
                if let Some((key, value)) = extension {
                    if !matches!(
                        key.as_str(),
                        "X-VS" | "X-SS" | "X-KS" | "X-PER" | "X-ID" | "X-URL"
                    ) {
                        builder = builder.attribute(&key, value);
                    }
                }
                if crc {
                    builder = builder.crc32();
                }
                builder.build().unwrap()
            })
    }

    proptest! {
        #[test]
        fn parse_of_build_is_identity(spayd in arb_spayd()) {
            let text = spayd.to_string();
            prop_assert_eq!(parse(&text).unwrap(), spayd);
        }

        #[test]
        fn any_single_byte_change_of_a_checksummed_payload_is_rejected(
            position in 8usize..80,
            byte in b' '..=b'~',
        ) {
            let text = format!("{SHORT_EXAMPLE}*CRC32:91925E12");
            let mut bytes = text.clone().into_bytes();
            let position = position % bytes.len();
            prop_assume!(bytes[position] != byte);
            bytes[position] = byte;
            let changed = String::from_utf8(bytes).unwrap();
            match parse(&changed) {
                Err(_) => {}
                // CRC32 is optional: overwriting the `*` that starts the CRC attribute turns
                // it into text of the previous value, leaving a payload without a checksum.
                Ok(spayd) => {
                    prop_assert_eq!(position, text.len() - "*CRC32:91925E12".len());
                    prop_assert!(!spayd.has_crc32());
                }
            }
        }

        #[test]
        fn never_panics(text in "SPD\\*1\\.0\\*\\PC{0,200}") {
            let _ = parse(&text);
        }

        #[test]
        fn never_panics_anywhere(text in "\\PC{0,100}") {
            let _ = parse(&text);
        }
    }
}
