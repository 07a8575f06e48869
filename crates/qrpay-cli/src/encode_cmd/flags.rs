//! Which `qrpay encode` flags were given, so that a flag a scheme or format does not use is a
//! usage error rather than silently ignored.

use super::EncodeArgs;

/// Why a build from flags failed.
#[derive(Debug)]
pub(crate) enum FlagError {
    /// The flags do not fit together (exit status 2).
    Usage(String),
    /// A value was refused by the builder or the codec (exit status 1).
    Refused(String),
}

/// Whether a flag's field holds a value.
pub(super) trait Given {
    fn is_given(&self) -> bool;
}

impl<T> Given for Option<T> {
    fn is_given(&self) -> bool {
        self.is_some()
    }
}

impl<T> Given for Vec<T> {
    fn is_given(&self) -> bool {
        !self.is_empty()
    }
}

impl Given for bool {
    fn is_given(&self) -> bool {
        *self
    }
}

/// The long names of the flags set among `field => "--flag"` pairs of `$args`.
macro_rules! given {
    ($args:expr; $($field:ident => $flag:literal),* $(,)?) => {{
        use $crate::encode_cmd::flags::Given as _;
        let mut set: Vec<&'static str> = Vec::new();
        $(if $args.$field.is_given() { set.push($flag); })*
        set
    }};
}
pub(super) use given;

/// For each `value => setter` pair whose optional value was given, `$b = $b.setter(value)`:
/// the builders share setter names (`merchant_category_code`, `amount_minor`, `reference`…)
/// but no trait, so this spares every scheme the same `if let Some(..)` block per flag.
macro_rules! apply {
    ($b:ident; $($value:expr => $setter:ident),+ $(,)?) => {
        $(if let Some(value) = $value {
            $b = $b.$setter(value);
        })+
    };
}
pub(super) use apply;

/// Every flag of `qrpay encode` that was given, by long name (`--scheme` and `--format`
/// themselves excepted).
pub(super) fn all_given(args: &EncodeArgs) -> Vec<&'static str> {
    let mut set = given!(args;
        json => "--json",
        account => "--account",
        merchant_name => "--merchant-name",
        city => "--city",
        mcc => "--mcc",
        currency => "--currency",
        amount => "--amount",
        country => "--country",
        postal_code => "--postal-code",
        initiation => "--initiation",
        reference => "--reference",
        bill_number => "--bill-number",
        store_label => "--store-label",
        terminal_label => "--terminal-label",
        purpose => "--purpose",
        tip => "--tip",
        object => "--object",
    );
    set.extend(args.scheme.given());
    set.extend(args.format.given());
    set
}

/// The flags of the generic EMV build (`qrpay encode` with neither `--scheme` nor `--format`).
pub(super) const GENERIC: &[&str] = &[
    "--json",
    "--account",
    "--merchant-name",
    "--city",
    "--mcc",
    "--currency",
    "--amount",
    "--country",
    "--postal-code",
    "--initiation",
    "--reference",
    "--bill-number",
    "--store-label",
    "--terminal-label",
    "--purpose",
    "--tip",
    "--object",
];

/// Refuses the first flag given that `what` (`--scheme pix`) does not use.
pub(super) fn only(args: &EncodeArgs, what: &str, allowed: &[&str]) -> Result<(), FlagError> {
    match all_given(args).into_iter().find(|f| !allowed.contains(f)) {
        Some(flag) => Err(FlagError::Usage(format!("{flag} does not apply to {what}"))),
        None => Ok(()),
    }
}

/// The value of a flag `what` needs, or a usage error naming it.
pub(super) fn need<'a>(
    value: Option<&'a String>,
    flag: &str,
    what: &str,
) -> Result<&'a str, FlagError> {
    value
        .map(String::as_str)
        .ok_or_else(|| FlagError::Usage(format!("{what} needs {flag}")))
}

/// A usage error.
pub(super) fn usage<T>(message: impl Into<String>) -> Result<T, FlagError> {
    Err(FlagError::Usage(message.into()))
}

/// A refusal.
pub(super) fn refused(message: impl std::fmt::Display) -> FlagError {
    FlagError::Refused(message.to_string())
}
