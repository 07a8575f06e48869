//! UPI payment links (`upi://pay?pa=…&pn=…&am=…&cu=INR`), as printed in Indian UPI QR codes.
//!
//! Follows the NPCI "UPI Linking Specifications" 1.6, section 1.2. Values are RFC 3986
//! percent-decoded (not form-decoded: a literal `+` stays `+`). Known parameters:
//!
//! | key | meaning | rule |
//! |---|---|---|
//! | `pa` | payee VPA | `name@handle`; mandatory |
//! | `pn` | payee name | |
//! | `mc` | merchant category code | four digits |
//! | `tid`, `tr` | transaction id, transaction reference | |
//! | `tn` | transaction note | |
//! | `am` | amount | decimal rupees, at most two decimals, above zero |
//! | `mam` | minimum amount | as `am`, not above `am` |
//! | `cu` | currency | `INR` only |
//! | `url` | reference URL | |
//! | `mode`, `purpose` | initiation mode, purpose code | two digits |
//!
//! Other parameters (`orgid`, `sign`, ...) are kept in order. The linking specification's
//! own samples write `mam=null`, and deployed merchant codes leave optional parameters empty
//! (`tn=&mam=`); such values are kept verbatim with the unknown parameters rather than read.
//! Deployed codes often carry raw spaces, which are accepted and re-encoded as `%20`.
//!
//! ```
//! let text = "upi://pay?pa=nadeem@npci&pn=nadeem%20chinna&am=10&cu=INR";
//! let upi = qrpay_core::upi::parse(text)?;
//! assert_eq!(upi.payee_address().as_str(), "nadeem@npci");
//! assert_eq!(upi.payee_name(), Some("nadeem chinna"));
//! assert_eq!(upi.amount().map(|a| a.minor_units()), Some(1000));
//! assert_eq!(upi.to_string(), text);
//! # Ok::<(), qrpay_core::upi::UpiError>(())
//! ```

use core::fmt;

use crate::decimal::{DecimalAmount, DecimalError};
use crate::percent;
use crate::query::{self, QueryError};

/// Longest link (byte capacity of a version 40-L QR code). A decoded link must re-encode
/// canonically within it; the raw input may be up to three times longer, since raw characters
/// the encoder escapes grow threefold.
pub const INPUT_LEN_MAX: usize = 2953;
/// Longest VPA accepted.
pub const VPA_LEN_MAX: usize = 255;

const PREFIX: &str = "upi://pay?";

/// A decoded, validated UPI payment link.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Upi {
    payee_address: Vpa,
    payee_name: Option<String>,
    merchant_code: Option<String>,
    transaction_id: Option<String>,
    transaction_reference: Option<String>,
    transaction_note: Option<String>,
    amount: Option<DecimalAmount>,
    minimum_amount: Option<DecimalAmount>,
    currency: Option<String>,
    url: Option<String>,
    mode: Option<String>,
    purpose: Option<String>,
    #[cfg_attr(
        feature = "serde",
        serde(serialize_with = "crate::percent::serialize_pairs")
    )]
    other: Vec<(String, String)>,
    #[cfg_attr(feature = "serde", serde(skip))]
    key_order: Vec<String>,
}

/// A virtual payment address `name@handle`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(transparent))]
pub struct Vpa(String);

/// Why a UPI link could not be decoded or built. Offsets are byte offsets in the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UpiError {
    /// The link (or its canonical re-encoding) is longer than a QR code holds.
    #[error("link is {len} bytes, at most {len_max} allowed")]
    TooLong {
        /// Bytes found.
        len: usize,
        /// Limit.
        len_max: usize,
    },
    /// The link does not start with `upi://pay?` (any case).
    #[error("link does not start with upi://pay?")]
    Scheme,
    /// The query is malformed: a pair, a raw character, a repeated key or an escape.
    #[error(transparent)]
    Query(#[from] QueryError),
    /// No `pa` parameter.
    #[error("missing payee address (pa)")]
    MissingPayeeAddress,
    /// `pa` is not `name@handle` with the allowed characters.
    #[error("invalid vpa")]
    Vpa,
    /// An amount is malformed.
    #[error("bad amount in {key}")]
    Amount {
        /// `am` or `mam`.
        key: String,
        /// Why.
        #[source]
        source: DecimalError,
    },
    /// An amount is zero.
    #[error("{key} is zero")]
    ZeroAmount {
        /// `am` or `mam`.
        key: String,
    },
    /// `mam` is above `am`.
    #[error("minimum amount above amount")]
    MinimumAboveAmount,
    /// A known parameter's value breaks its format (or is empty).
    #[error("invalid value for {key}")]
    InvalidValue {
        /// The key.
        key: String,
    },
}

/// Decodes a UPI payment link.
///
/// # Errors
///
/// A [`UpiError`] naming the parameter or byte at fault.
pub fn parse(input: &str) -> Result<Upi, UpiError> {
    if input.len() > INPUT_LEN_MAX * 3 {
        return Err(UpiError::TooLong {
            len: input.len(),
            len_max: INPUT_LEN_MAX,
        });
    }
    if !looks_like(input) {
        return Err(UpiError::Scheme);
    }
    let query = input.get(PREFIX.len()..).unwrap_or_default();
    let base = PREFIX.len();
    query::check_characters(query, base, &['#'])?;
    let pairs = query::uri_pairs(query, base)?;
    let pa = pairs
        .iter()
        .find(|pair| pair.key == "pa")
        .ok_or(UpiError::MissingPayeeAddress)?;
    let pa = query::decode_value(pa.key, pa.value, pa.offset)?;
    let mut upi = Upi::empty(Vpa::parse(&pa)?);
    for pair in &pairs {
        query::check_new_key(
            upi.key_order.iter().map(String::as_str),
            pair.key,
            pair.offset,
        )?;
        let value = query::decode_value(pair.key, pair.value, pair.offset)?;
        upi.set(pair.key, value)?;
    }
    upi.validate()?;
    Ok(upi)
}

/// Cheap detection: the text starts with `upi://pay?` in any case.
#[must_use]
pub fn looks_like(input: &str) -> bool {
    input
        .get(..PREFIX.len())
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case(PREFIX))
}

impl Vpa {
    /// Parses `name@handle`: one `@`, a name of letters, digits, `.`, `-`, `_` and a handle of
    /// letters, digits, `.`, `-`, at most 255 characters in all.
    ///
    /// # Errors
    ///
    /// [`UpiError::Vpa`] otherwise.
    pub fn parse(text: &str) -> Result<Self, UpiError> {
        let (name, handle) = text.split_once('@').ok_or(UpiError::Vpa)?;
        let name_ok = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
        let handle_ok = !handle.is_empty()
            && handle
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-'));
        if !name_ok || !handle_ok || text.len() > VPA_LEN_MAX {
            return Err(UpiError::Vpa);
        }
        Ok(Self(text.to_owned()))
    }

    /// The address text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Vpa {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Upi {
    /// Starts a builder for a payment to `payee_address`.
    #[must_use]
    pub fn builder(payee_address: Vpa) -> UpiBuilder {
        let mut upi = Self::empty(payee_address);
        upi.key_order.push("pa".into());
        UpiBuilder { upi, error: None }
    }

    fn empty(payee_address: Vpa) -> Self {
        Self {
            payee_address,
            payee_name: None,
            merchant_code: None,
            transaction_id: None,
            transaction_reference: None,
            transaction_note: None,
            amount: None,
            minimum_amount: None,
            currency: None,
            url: None,
            mode: None,
            purpose: None,
            other: Vec::new(),
            key_order: Vec::new(),
        }
    }

    /// `pa`: the payee's VPA.
    #[must_use]
    pub fn payee_address(&self) -> &Vpa {
        &self.payee_address
    }

    /// `pn`: the payee's name.
    #[must_use]
    pub fn payee_name(&self) -> Option<&str> {
        self.payee_name.as_deref()
    }

    /// `mc`: the merchant category code.
    #[must_use]
    pub fn merchant_code(&self) -> Option<&str> {
        self.merchant_code.as_deref()
    }

    /// `tid`: the PSP transaction id.
    #[must_use]
    pub fn transaction_id(&self) -> Option<&str> {
        self.transaction_id.as_deref()
    }

    /// `tr`: the transaction reference (order or bill id).
    #[must_use]
    pub fn transaction_reference(&self) -> Option<&str> {
        self.transaction_reference.as_deref()
    }

    /// `tn`: the transaction note.
    #[must_use]
    pub fn transaction_note(&self) -> Option<&str> {
        self.transaction_note.as_deref()
    }

    /// `am`: the amount in rupees (exponent 2: paise).
    #[must_use]
    pub fn amount(&self) -> Option<&DecimalAmount> {
        self.amount.as_ref()
    }

    /// `mam`: the minimum amount.
    #[must_use]
    pub fn minimum_amount(&self) -> Option<&DecimalAmount> {
        self.minimum_amount.as_ref()
    }

    /// `cu`: the currency (always `INR` when present).
    #[must_use]
    pub fn currency(&self) -> Option<&str> {
        self.currency.as_deref()
    }

    /// `url`: the reference URL.
    #[must_use]
    pub fn url(&self) -> Option<&str> {
        self.url.as_deref()
    }

    /// `mode`: the initiation mode.
    #[must_use]
    pub fn mode(&self) -> Option<&str> {
        self.mode.as_deref()
    }

    /// `purpose`: the purpose code.
    #[must_use]
    pub fn purpose(&self) -> Option<&str> {
        self.purpose.as_deref()
    }

    /// Other parameters, decoded, in link order.
    #[must_use]
    pub fn other(&self) -> &[(String, String)] {
        &self.other
    }

    /// The link text (same as `to_string()`).
    #[must_use]
    pub fn encode(&self) -> String {
        self.to_string()
    }

    fn set(&mut self, key: &str, value: String) -> Result<(), UpiError> {
        let invalid = || UpiError::InvalidValue {
            key: key.to_owned(),
        };
        let digits = |len: usize| -> Result<Option<String>, UpiError> {
            if value.len() != len || !value.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid());
            }
            Ok(Some(value.clone()))
        };
        let text = || -> Result<Option<String>, UpiError> {
            if value.is_empty() {
                return Err(invalid());
            }
            Ok(Some(value.clone()))
        };
        match key {
            "pa" => self.payee_address = Vpa::parse(&value)?,
            // Deployed merchant codes write empty optional parameters (`tn=&mam=&tr=`); they
            // carry nothing and are kept verbatim, like unknown parameters.
            _ if value.is_empty() => self.other.push((key.to_owned(), value)),
            "pn" => self.payee_name = text()?,
            "mc" => self.merchant_code = digits(4)?,
            "tid" => self.transaction_id = text()?,
            "tr" => self.transaction_reference = text()?,
            "tn" => self.transaction_note = text()?,
            "am" => self.amount = Some(parse_amount(key, &value)?),
            "mam" if value != "null" => self.minimum_amount = Some(parse_amount(key, &value)?),
            "cu" => {
                if value != "INR" {
                    return Err(invalid());
                }
                self.currency = Some(value);
            }
            "url" => self.url = text()?,
            "mode" => self.mode = digits(2)?,
            "purpose" => self.purpose = digits(2)?,
            _ => self.other.push((key.to_owned(), value)),
        }
        self.key_order.push(key.to_owned());
        Ok(())
    }

    fn validate(&self) -> Result<(), UpiError> {
        let len = self.to_string().len();
        if len > INPUT_LEN_MAX {
            return Err(UpiError::TooLong {
                len,
                len_max: INPUT_LEN_MAX,
            });
        }
        if let (Some(minimum), Some(amount)) = (&self.minimum_amount, &self.amount) {
            if minimum.minor_units() > amount.minor_units() {
                return Err(UpiError::MinimumAboveAmount);
            }
        }
        Ok(())
    }

    fn value_of(&self, key: &str) -> Option<String> {
        let typed = match key {
            "pa" => Some(self.payee_address.to_string()),
            "pn" => self.payee_name.clone(),
            "mc" => self.merchant_code.clone(),
            "tid" => self.transaction_id.clone(),
            "tr" => self.transaction_reference.clone(),
            "tn" => self.transaction_note.clone(),
            "am" => self.amount.map(|a| a.to_string()),
            "mam" => self.minimum_amount.map(|a| a.to_string()),
            "cu" => self.currency.clone(),
            "url" => self.url.clone(),
            "mode" => self.mode.clone(),
            "purpose" => self.purpose.clone(),
            _ => None,
        };
        // Unknown parameters, and known ones kept verbatim (empty, `mam=null`).
        typed.or_else(|| {
            self.other
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
        })
    }
}

impl fmt::Display for Upi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(PREFIX)?;
        let mut first = true;
        for key in &self.key_order {
            if let Some(value) = self.value_of(key) {
                if !first {
                    f.write_str("&")?;
                }
                first = false;
                write!(f, "{key}={}", percent::encode_query_value(&value))?;
            }
        }
        Ok(())
    }
}

/// Collects the parameters of a UPI link and validates them in [`UpiBuilder::build`].
#[derive(Debug, Clone)]
pub struct UpiBuilder {
    upi: Upi,
    error: Option<UpiError>,
}

impl UpiBuilder {
    /// Sets the amount (`am`, exponent 2); also writes `cu=INR` if no currency is set yet.
    #[must_use]
    pub fn amount(mut self, amount: DecimalAmount) -> Self {
        self.upi.key_order.retain(|k| k != "am");
        self.upi.amount = Some(amount);
        self.upi.key_order.push("am".into());
        if self.upi.currency.is_none() {
            self = self.param("cu", "INR");
        }
        self
    }

    /// Sets any other parameter by key (`pn`, `tr`, `tn`, `mc`, or an unknown key).
    #[must_use]
    pub fn param(mut self, key: &str, value: impl Into<String>) -> Self {
        if let Err(error) =
            query::check_new_key(self.upi.key_order.iter().map(String::as_str), key, 0)
        {
            self.error.get_or_insert(error.into());
            return self;
        }
        if let Err(error) = self.upi.set(key, value.into()) {
            self.error.get_or_insert(error);
        }
        self
    }

    /// Validates and returns the link by encoding and decoding it, so a built value is exactly
    /// what [`parse`] returns for its text.
    ///
    /// # Errors
    ///
    /// A [`UpiError`] for the first parameter that breaks its rule.
    pub fn build(self) -> Result<Upi, UpiError> {
        if let Some(error) = self.error {
            return Err(error);
        }
        if let Some(amount) = &self.upi.amount {
            if amount.exponent() != 2 {
                return Err(UpiError::InvalidValue { key: "am".into() });
            }
        }
        parse(&self.upi.to_string())
    }
}

fn parse_amount(key: &str, text: &str) -> Result<DecimalAmount, UpiError> {
    let amount = DecimalAmount::parse(text, 2).map_err(|source| UpiError::Amount {
        key: key.to_owned(),
        source,
    })?;
    if amount.minor_units() == 0 {
        return Err(UpiError::ZeroAmount {
            key: key.to_owned(),
        });
    }
    Ok(amount)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// NPCI UPI Linking Specifications 1.6, section 2.1/2.2 (hyperlink and QR code sample).
    const SPEC_SAMPLE: &str = "upi://pay?pa=nadeem@npci&pn=nadeem%20chinna&mc=0000&tid=cxnkjcnkjdfdvjndkjfvn&tr=4894398cndhcd23&tn=Pay%20to%20mystar%20store&am=10&mam=null&cu=INR&url=https://mystar.com/orderid=9298yw89e8973e87389e78923ue892";

    /// An earlier NPCI sample, widely copied, whose escapes are malformed (`%Khan`, `%to`).
    const SPEC_SAMPLE_MALFORMED: &str = "upi://pay?pa=zeeshan@npci&pn=Zeeshan%Khan&mc=0000&tid=cxnkjcnkjdfdvjndkjfvn&tr=4894398cndhcd23&tn=Pay%to%rohit%stores&am=1010&cu=INR";

    #[test]
    fn spec_sample_decodes_and_rebuilds() {
        let upi = parse(SPEC_SAMPLE).unwrap();
        assert_eq!(upi.payee_address().as_str(), "nadeem@npci");
        assert_eq!(upi.payee_name(), Some("nadeem chinna"));
        assert_eq!(upi.merchant_code(), Some("0000"));
        assert_eq!(upi.transaction_id(), Some("cxnkjcnkjdfdvjndkjfvn"));
        assert_eq!(upi.transaction_reference(), Some("4894398cndhcd23"));
        assert_eq!(upi.transaction_note(), Some("Pay to mystar store"));
        assert_eq!(upi.amount().unwrap().minor_units(), 1000);
        assert_eq!(upi.minimum_amount(), None);
        assert_eq!(upi.other(), &[("mam".to_owned(), "null".to_owned())]);
        assert_eq!(upi.currency(), Some("INR"));
        assert_eq!(
            upi.url(),
            Some("https://mystar.com/orderid=9298yw89e8973e87389e78923ue892")
        );
        assert_eq!(upi.to_string(), SPEC_SAMPLE);

        let built = Upi::builder(Vpa::parse("nadeem@npci").unwrap())
            .param("pn", "nadeem chinna")
            .param("mc", "0000")
            .param("tid", "cxnkjcnkjdfdvjndkjfvn")
            .param("tr", "4894398cndhcd23")
            .param("tn", "Pay to mystar store")
            .param("am", "10")
            .param("mam", "null")
            .param("cu", "INR")
            .param(
                "url",
                "https://mystar.com/orderid=9298yw89e8973e87389e78923ue892",
            )
            .build()
            .unwrap();
        assert_eq!(built, upi);
        assert_eq!(built.encode(), SPEC_SAMPLE);
    }

    #[test]
    fn variants() {
        // A literal `+` stays `+`; upper-case scheme accepted; raw spaces accepted.
        let upi = parse("UPI://PAY?pa=shop.1@okaxis&pn=A+B Stores&am=99.5").unwrap();
        assert_eq!(upi.payee_name(), Some("A+B Stores"));
        assert_eq!(upi.amount().unwrap().minor_units(), 9950);
        assert_eq!(
            upi.to_string(),
            "upi://pay?pa=shop.1@okaxis&pn=A%2BB%20Stores&am=99.5"
        );
        let upi = parse("upi://pay?pa=x@y&mam=5&am=10.00&orgid=000000&sign=AbC%2F%3D").unwrap();
        assert_eq!(upi.minimum_amount().unwrap().minor_units(), 500);
        assert_eq!(upi.other()[1], ("sign".to_owned(), "AbC/=".to_owned()));
    }

    #[test]
    fn rejections() {
        let table: Vec<(&str, UpiError)> = vec![
            (
                SPEC_SAMPLE_MALFORMED,
                UpiError::Query(QueryError::Escape {
                    key: "pn".into(),
                    offset: 36,
                }),
            ),
            ("upi://mandate?pa=x@y", UpiError::Scheme),
            ("upi:/pay?pa=x@y", UpiError::Scheme),
            ("upi://pay?pn=Shop", UpiError::MissingPayeeAddress),
            ("upi://pay?pa=shop", UpiError::Vpa),
            ("upi://pay?pa=sh op@ybl", UpiError::Vpa),
            ("upi://pay?pa=a@b@c", UpiError::Vpa),
            (
                "upi://pay?pa=a@b&&am=1",
                UpiError::Query(QueryError::Pair { offset: 17 }),
            ),
            (
                "upi://pay?pa=a@b&am",
                UpiError::Query(QueryError::Pair { offset: 17 }),
            ),
            (
                "upi://pay?pa=a@b#frag",
                UpiError::Query(QueryError::Character { offset: 16 }),
            ),
            (
                "upi://pay?pa=a@b&am=1&am=2",
                UpiError::Query(QueryError::DuplicateKey {
                    key: "am".into(),
                    offset: 22,
                }),
            ),
            (
                "upi://pay?pa=a@b&am=1.234",
                UpiError::Amount {
                    key: "am".into(),
                    source: DecimalError::TooManyFractionDigits {
                        digits: 3,
                        digits_max: 2,
                    },
                },
            ),
            (
                "upi://pay?pa=a@b&am=-1",
                UpiError::Amount {
                    key: "am".into(),
                    source: DecimalError::InvalidCharacter { offset: 0 },
                },
            ),
            (
                "upi://pay?pa=a@b&am=0.00",
                UpiError::ZeroAmount { key: "am".into() },
            ),
            ("upi://pay?pa=a@b&am=5&mam=6", UpiError::MinimumAboveAmount),
            (
                "upi://pay?pa=a@b&cu=USD",
                UpiError::InvalidValue { key: "cu".into() },
            ),
            (
                "upi://pay?pa=a@b&mc=123",
                UpiError::InvalidValue { key: "mc".into() },
            ),
            ("upi://pay?pa=", UpiError::Vpa),
            (
                "upi://pay?pa=a@b&pn=%FF",
                UpiError::Query(QueryError::Escape {
                    key: "pn".into(),
                    offset: 17,
                }),
            ),
        ];
        for (text, expected) in table {
            assert_eq!(parse(text).unwrap_err(), expected, "{text}");
        }
    }

    #[test]
    fn empty_optional_parameters_are_kept_verbatim() {
        // The shape of a bank's static merchant code (identifiers replaced).
        let text = "upi://pay?pa=merchant0000001.augp@aubank&tn=&am=100&mam=&orgid=159765&pn=merchant0000002&mode=02&purpose=00&mc=0000&tr=&url=&cu=INR&mg=OFFLINE&qrMedium=04";
        let upi = parse(text).unwrap();
        assert_eq!(upi.transaction_note(), None);
        assert_eq!(upi.minimum_amount(), None);
        assert_eq!(upi.amount().unwrap().minor_units(), 10_000);
        assert_eq!(upi.mode(), Some("02"));
        assert_eq!(upi.other()[0], ("tn".to_owned(), String::new()));
        assert_eq!(upi.to_string(), text);
    }

    #[test]
    fn canonical_form_must_fit_a_qr_code() {
        // 1000 raw spaces fit as input but re-encode as 3000 bytes of %20.
        let text = format!("upi://pay?pa=a@b&tn=x{}x", " ".repeat(1000));
        assert!(text.len() <= INPUT_LEN_MAX);
        assert_eq!(
            parse(&text).unwrap_err(),
            UpiError::TooLong {
                len: 3022,
                len_max: INPUT_LEN_MAX
            }
        );
        let text = format!("upi://pay?pa=a@b&tn={}", "x".repeat(INPUT_LEN_MAX * 3));
        assert!(matches!(parse(&text), Err(UpiError::TooLong { .. })));
    }

    #[test]
    fn detection() {
        assert!(looks_like(SPEC_SAMPLE));
        assert!(looks_like("UPI://PAY?pa=x@y"));
        assert!(!looks_like("upi://mandate?pa=x@y"));
        assert!(!looks_like("bitcoin:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"));
    }

    fn arb_upi() -> impl Strategy<Value = Upi> {
        (
            "[a-z0-9._-]{1,20}@[a-z]{2,10}",
            prop::option::of("\\PC{1,40}"),
            prop::option::of(1u64..1_000_000_000),
            prop::option::of("[0-9]{4}"),
            prop::option::of("[ -~]{1,35}"),
            prop::option::of(("[a-z]{3,8}", "\\PC{1,20}")),
        )
            .prop_map(|(vpa, name, paise, mc, tr, other)| {
                let mut builder = Upi::builder(Vpa::parse(&vpa).unwrap());
                if let Some(name) = name {
                    builder = builder.param("pn", name);
                }
                if let Some(mc) = mc {
                    builder = builder.param("mc", mc);
                }
                if let Some(tr) = tr {
                    builder = builder.param("tr", tr);
                }
                if let Some(paise) = paise {
                    builder = builder.amount(DecimalAmount::from_minor_units(paise, 2).unwrap());
                }
                if let Some((key, value)) = other {
                    let known = [
                        "pa", "pn", "mc", "tid", "tr", "tn", "am", "mam", "cu", "url", "mode",
                        "purpose",
                    ];
                    if !known.contains(&key.as_str()) {
                        builder = builder.param(&key, value);
                    }
                }
                builder.build().unwrap()
            })
    }

    proptest! {
        #[test]
        fn parse_of_build_is_identity(upi in arb_upi()) {
            let text = upi.to_string();
            prop_assert_eq!(parse(&text).unwrap(), upi);
        }

        #[test]
        fn never_panics(text in "upi://pay\\?\\PC{0,200}") {
            let _ = parse(&text);
        }

        #[test]
        fn never_panics_anywhere(text in "\\PC{0,100}") {
            let _ = parse(&text);
        }
    }
}
