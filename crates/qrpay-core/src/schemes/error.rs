//! What a national profile can find wrong with a payload, and what its builders refuse.

use super::SchemeId;
use crate::emv::{DecodeError, EncodeError};
use crate::tag::TagPath;

/// A rule of a national scheme that a payload breaks, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{scheme}: {rule} ({path} at byte {offset})")]
pub struct SchemeViolation {
    /// The scheme whose rule it is.
    pub scheme: SchemeId,
    /// What is wrong.
    pub rule: SchemeRule,
    /// The data object concerned (`26.01`).
    pub path: TagPath,
    /// Byte offset of that object's id in the payload.
    pub offset: usize,
}

impl SchemeViolation {
    /// A stable machine-readable code, `scheme.rule` (`pix.bad_check_digit`).
    #[must_use]
    pub fn code(&self) -> String {
        format!("{}.{}", self.scheme.as_str(), self.rule.code())
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for SchemeViolation {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("SchemeViolation", 4)?;
        s.serialize_field("code", &self.code())?;
        s.serialize_field("path", &self.path.to_string())?;
        s.serialize_field("offset", &self.offset)?;
        s.serialize_field("message", &self.rule.to_string())?;
        s.end()
    }
}

/// The rules national profiles check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SchemeRule {
    /// Tag 53 is not the scheme's currency.
    #[error("currency is {found:?}, the scheme uses {expected}")]
    WrongCurrency {
        /// ISO 4217 numeric codes the scheme accepts (`"986"`, `"116 or 840"`).
        expected: &'static str,
        /// What tag 53 holds (empty when absent).
        found: String,
    },
    /// Tag 58 is not the scheme's country.
    #[error("country is {found:?}, the scheme uses {expected}")]
    WrongCountry {
        /// The ISO 3166-1 alpha-2 code expected.
        expected: &'static str,
        /// What tag 58 holds (empty when absent).
        found: String,
    },
    /// A field the scheme requires is absent.
    #[error("missing {field}")]
    Missing {
        /// The field, named as the scheme names it.
        field: &'static str,
    },
    /// A field does not have the scheme's format.
    #[error("{field} {found:?} is not {expected}")]
    BadFormat {
        /// The field.
        field: &'static str,
        /// Its value.
        found: String,
        /// What the scheme requires, in words.
        expected: &'static str,
    },
    /// A number whose check digit (CPF, CNPJ, Thai id, Luhn) is wrong.
    #[error("{field} {found:?} fails its check digit")]
    BadCheckDigit {
        /// The field.
        field: &'static str,
        /// Its value.
        found: String,
    },
    /// Fields that exclude each other are both present, or none of a required pair is.
    #[error("{0}")]
    Conflict(&'static str),
    /// A value outside the list the scheme defines.
    #[error("{field} {found:?} is not one of {allowed}")]
    UnknownValue {
        /// The field.
        field: &'static str,
        /// Its value.
        found: String,
        /// The values allowed, in words.
        allowed: &'static str,
    },
    /// A field longer than the scheme allows.
    #[error("{field} has {len} characters, at most {len_max} allowed")]
    TooLong {
        /// The field.
        field: &'static str,
        /// Its length in characters.
        len: usize,
        /// The scheme's maximum.
        len_max: usize,
    },
    /// A field the scheme defines as a template (VietQR's 38.01) whose value does not split
    /// into data objects; `cause` says where and why, as the decoder would.
    #[error("{field} is not a template of {expected}: {cause}")]
    NotTemplate {
        /// The field.
        field: &'static str,
        /// The objects the scheme expects inside.
        expected: &'static str,
        /// The first object that does not walk, with its path and byte offset.
        cause: DecodeError,
    },
}

impl SchemeRule {
    /// [`SchemeRule::TooLong`] when `value` has more than `len_max` characters.
    ///
    /// # Errors
    /// [`SchemeRule::TooLong`] naming `field`.
    pub(crate) fn check_len(
        field: &'static str,
        value: &str,
        len_max: usize,
    ) -> Result<(), SchemeRule> {
        let len = value.chars().count();
        if len > len_max {
            return Err(SchemeRule::TooLong {
                field,
                len,
                len_max,
            });
        }
        Ok(())
    }

    /// [`SchemeRule::BadFormat`]: `field` holds `found`, which is not `expected`.
    pub(crate) fn bad_format(
        field: &'static str,
        found: &str,
        expected: &'static str,
    ) -> SchemeRule {
        SchemeRule::BadFormat {
            field,
            found: found.to_owned(),
            expected,
        }
    }

    /// A stable machine-readable name for the rule.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            SchemeRule::WrongCurrency { .. } => "wrong_currency",
            SchemeRule::WrongCountry { .. } => "wrong_country",
            SchemeRule::Missing { .. } => "missing_field",
            SchemeRule::BadFormat { .. } => "bad_format",
            SchemeRule::BadCheckDigit { .. } => "bad_check_digit",
            SchemeRule::Conflict(_) => "conflict",
            SchemeRule::UnknownValue { .. } => "unknown_value",
            SchemeRule::TooLong { .. } => "too_long",
            SchemeRule::NotTemplate { .. } => "not_template",
        }
    }
}

/// Why a payload is refused as a given scheme (strict inspection).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SchemeError {
    /// The payload carries no such profile.
    #[error("payload carries no {0} profile")]
    NotPresent(SchemeId),
    /// The payload breaks a rule of the scheme.
    #[error(transparent)]
    Violation(Box<SchemeViolation>),
}

/// Why a scheme builder refuses to build.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A field given to the builder breaks a rule of the scheme.
    #[error("bad {field}: {rule}")]
    Field {
        /// The builder field.
        field: &'static str,
        /// The rule it breaks.
        #[source]
        rule: SchemeRule,
    },
    /// The EMV encoder refused the result (a value too long for a data object, say).
    #[error("cannot encode: {0}")]
    Encode(#[source] EncodeError),
}

impl BuildError {
    /// The builder's `field` holds `found`, which is not `expected` ([`SchemeRule::BadFormat`]
    /// naming the same field): what every scheme builder returns for a malformed value.
    pub(crate) fn bad_format(
        field: &'static str,
        found: &str,
        expected: &'static str,
    ) -> BuildError {
        BuildError::Field {
            field,
            rule: SchemeRule::bad_format(field, found, expected),
        }
    }
}

impl From<EncodeError> for BuildError {
    fn from(err: EncodeError) -> BuildError {
        BuildError::Encode(err)
    }
}
