//! Pix (Brazil): the BR Code profile of EMV MPM defined by Banco Central do Brasil.
//!
//! The Pix template is any merchant account template (26–51) whose GUI is `br.gov.bcb.pix` in
//! any case. Static codes carry the receiver's Pix key (01) and optionally a message (02); dynamic
//! codes carry instead the location URL of a charge (25), written without `https://`. The
//! transaction id sits in 62.05 (`***` when there is none). Pix Automático adds an unreserved
//! template (80–99) with the same GUI and the recurrence URL in its 25.
//!
//! ```
//! use qrpay_core::{decode, schemes::pix::{Pix, PixBuilder, PixKeyKind}};
//!
//! let text = PixBuilder::with_key("thalesog@me.com")
//!     .info("Pedido 123")
//!     .amount_minor(1000)
//!     .merchant_name("THALES OGLIARI")
//!     .merchant_city("SAO MIGUEL DO O")
//!     .build()?;
//! // Byte for byte what the pix-utils library prints for the same receiver.
//! assert_eq!(text, "00020126510014br.gov.bcb.pix0115thalesog@me.com0210Pedido 123520400005303986540510.005802BR5914THALES OGLIARI6015SAO MIGUEL DO O62070503***63040DC6");
//! let payload = decode(&text)?;
//! let pix = Pix::from_payload(&payload).expect("a Pix code");
//! assert_eq!(pix.key_kind, Some(PixKeyKind::Email));
//! assert_eq!(pix.txid, Some("***"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use super::names::FieldNames;
use super::util::{self, Checker};
use super::{BuildError, Inspection, SchemeError, SchemeId, SchemeRule};
use crate::emv::{DataObject, Payload, PayloadBuilder, PointOfInitiation};
use crate::money::Currency;
use crate::tag::{Tag, TagPath};

/// The globally unique identifier of the Pix template (compared case-insensitively).
pub const GUI: &str = "br.gov.bcb.pix";
/// Brazilian real, ISO 4217 numeric.
pub const CURRENCY: &str = "986";
/// Brazil.
pub const COUNTRY: &str = "BR";
/// The longest Pix key (an e-mail address, DICT rules).
pub const KEY_LEN_MAX: usize = 77;
/// The longest transaction id (62.05).
pub const TXID_LEN_MAX: usize = 25;
/// 62.05 when the receiver gives no transaction id.
pub const NO_TXID: &str = "***";

/// The kinds of Pix key (DICT).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum PixKeyKind {
    /// An e-mail address.
    Email,
    /// A Brazilian mobile number in E.164 form, `+55` then area code and number.
    Phone,
    /// An individual's taxpayer number: 11 digits, two check digits.
    Cpf,
    /// A company's taxpayer number: 14 characters, two check digits (alphanumeric since 2026).
    Cnpj,
    /// A random key: a UUID, 36 characters.
    Random,
}

impl PixKeyKind {
    /// The kind `key` has by its shape, before any check digit is checked; `None` when it has
    /// the shape of no kind.
    #[must_use]
    pub fn of(key: &str) -> Option<PixKeyKind> {
        if key.contains('@') {
            Some(PixKeyKind::Email)
        } else if key.starts_with('+') {
            Some(PixKeyKind::Phone)
        } else if key.len() == 36 && key.contains('-') {
            Some(PixKeyKind::Random)
        } else if key.len() == 11 && util::is_digits(key) {
            Some(PixKeyKind::Cpf)
        } else if key.len() == 14 && key.bytes().all(|b| b.is_ascii_alphanumeric()) {
            Some(PixKeyKind::Cnpj)
        } else {
            None
        }
    }
}

/// Checks a transaction id for 62.05 as the BCB's *Manual de Padrões para Iniciação do Pix*
/// (1.5.2) sets it: in a static code, `***` when the receiver gives none, else 1 to 25 letters
/// `a`–`z`, `A`–`Z` and digits `0`–`9`; in a dynamic code (`dynamic`: one whose template holds
/// a charge's location), always `***`, since the charge fetched from the location carries the
/// txid.
///
/// ```
/// use qrpay_core::schemes::pix::check_txid;
///
/// assert!(check_txid("***", true).is_ok());
/// assert!(check_txid("Pedido123", false).is_ok());
/// assert_eq!(
///     check_txid("PED-123", false).unwrap_err().to_string(),
///     r#"txid "PED-123" is not 1 to 25 ASCII letters and digits, or ***"#,
/// );
/// assert!(check_txid("Pedido123", true).is_err());
/// ```
///
/// # Errors
/// The [`SchemeRule`] the txid breaks.
pub fn check_txid(txid: &str, dynamic: bool) -> Result<(), SchemeRule> {
    if txid == NO_TXID {
        return Ok(());
    }
    if dynamic {
        return Err(SchemeRule::bad_format(
            "txid",
            txid,
            "*** in a dynamic code, whose charge carries the txid",
        ));
    }
    SchemeRule::check_len("txid", txid, TXID_LEN_MAX)?;
    if txid.is_empty() || !txid.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(SchemeRule::bad_format(
            "txid",
            txid,
            "1 to 25 ASCII letters and digits, or ***",
        ));
    }
    Ok(())
}

/// Checks a Pix key completely: its kind, its format and, for CPF and CNPJ, its check digits.
///
/// # Errors
/// The [`SchemeRule`] the key breaks.
pub fn check_key(key: &str) -> Result<PixKeyKind, SchemeRule> {
    let bad = |expected| SchemeRule::BadFormat {
        field: "pix key",
        found: key.to_owned(),
        expected,
    };
    SchemeRule::check_len("pix key", key, KEY_LEN_MAX)?;
    let kind = PixKeyKind::of(key)
        .ok_or_else(|| bad("an e-mail, +55 phone, CPF, CNPJ or random (UUID) key"))?;
    let ok = match kind {
        PixKeyKind::Email => util::is_address(key),
        PixKeyKind::Phone => key
            .strip_prefix("+55")
            .is_some_and(|rest| util::is_digits(rest) && (10..=11).contains(&rest.len())),
        PixKeyKind::Random => is_uuid(key),
        PixKeyKind::Cpf => {
            return if cpf_valid(key) {
                Ok(kind)
            } else {
                Err(SchemeRule::BadCheckDigit {
                    field: "cpf key",
                    found: key.to_owned(),
                })
            };
        }
        PixKeyKind::Cnpj => {
            return if cnpj_valid(key) {
                Ok(kind)
            } else {
                Err(SchemeRule::BadCheckDigit {
                    field: "cnpj key",
                    found: key.to_owned(),
                })
            };
        }
    };
    if ok {
        Ok(kind)
    } else {
        Err(bad(match kind {
            PixKeyKind::Email => "an e-mail address",
            PixKeyKind::Phone => "+55 followed by area code and number (10 or 11 digits)",
            _ => "a UUID (8-4-4-4-12 hexadecimal digits)",
        }))
    }
}

/// Whether `text` is a UUID: 8-4-4-4-12 hexadecimal digits.
fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8usize, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Whether `cpf` is 11 digits, not all the same, with both check digits right.
#[must_use]
pub fn cpf_valid(cpf: &str) -> bool {
    let d = util::digit_values(cpf);
    if d.len() != 11 || d.iter().all(|&x| Some(&x) == d.first()) {
        return false;
    }
    // Receita Federal: weights 10..2 then 11..2, check = (sum × 10 mod 11) mod 10.
    let check = |n: usize| {
        let weight_top = u32::try_from(n).unwrap_or(0) + 1;
        let sum: u32 = d
            .iter()
            .take(n)
            .zip((2..=weight_top).rev())
            .map(|(x, w)| x * w)
            .sum();
        (sum * 10 % 11) % 10
    };
    d.get(9) == Some(&check(9)) && d.get(10) == Some(&check(10))
}

/// Whether `cnpj` is 14 characters — 12 digits or upper-case letters, then two digits — not all
/// the same, with both check digits right. Letters count as their ASCII code minus 48, as in the
/// alphanumeric CNPJ introduced in July 2026 (Instrução Normativa RFB 2.229/2024).
#[must_use]
pub fn cnpj_valid(cnpj: &str) -> bool {
    let bytes = cnpj.as_bytes();
    if bytes.len() != 14 {
        return false;
    }
    let (body, checks) = bytes.split_at(12);
    if !body
        .iter()
        .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
        || !checks.iter().all(u8::is_ascii_digit)
        || bytes.iter().all(|b| Some(b) == bytes.first())
    {
        return false;
    }
    let values: Vec<u32> = bytes.iter().map(|&b| u32::from(b) - 48).collect();
    let check = |n: usize| {
        let weights = [6u32, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
        let sum: u32 = values
            .iter()
            .take(n)
            .zip(weights.iter().skip(13 - n))
            .map(|(v, w)| v * w)
            .sum();
        let r = sum % 11;
        if r < 2 {
            0
        } else {
            11 - r
        }
    };
    values.get(12) == Some(&check(12)) && values.get(13) == Some(&check(13))
}

/// The Pix fields of a payload.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Pix<'p> {
    /// The GUI as written (`br.gov.bcb.pix`, `BR.GOV.BCB.PIX`).
    pub gui: &'p str,
    /// 01 the receiver's Pix key (static codes).
    pub key: Option<&'p str>,
    /// The kind of [`Pix::key`] by its shape.
    pub key_kind: Option<PixKeyKind>,
    /// 02 a message to the payer.
    pub info: Option<&'p str>,
    /// 03 the withdrawal facilitator (Pix Saque/Troco).
    pub fss: Option<&'p str>,
    /// 25 the charge location, without `https://` (dynamic codes).
    pub url: Option<&'p str>,
    /// 62.05 the transaction id (`***` when none).
    pub txid: Option<&'p str>,
    /// 25 of the unreserved Pix template: the recurrence location (Pix Automático).
    pub recurrence_url: Option<&'p str>,
}

impl<'p> Pix<'p> {
    /// Whether the code points to a charge (25) rather than carrying a key.
    #[must_use]
    pub fn is_dynamic(&self) -> bool {
        self.url.is_some()
    }

    /// The Pix view of `payload`, or `None` when it carries no Pix template.
    #[must_use]
    pub fn from_payload(payload: &'p Payload<'_>) -> Option<Pix<'p>> {
        inspect(payload).map(|i| i.view)
    }

    /// The Pix view of `payload` if it breaks no Pix rule.
    ///
    /// # Errors
    /// [`SchemeError::NotPresent`] or the first [`SchemeError::Violation`].
    pub fn from_payload_strict(payload: &'p Payload<'_>) -> Result<Pix<'p>, SchemeError> {
        super::strict_view(SchemeId::Pix, payload, inspect)
    }
}

fn is_pix(gui: &str) -> bool {
    gui.eq_ignore_ascii_case(GUI)
}

/// Finds the Pix template and checks the Pix rules.
#[must_use]
pub fn inspect<'p>(payload: &'p Payload<'_>) -> Option<Inspection<Pix<'p>>> {
    let template = util::account_template(payload, is_pix)?;
    let recurrence = payload
        .objects()
        .iter()
        .find(|o| util::is_unreserved_template(o, is_pix));
    let mut ck = Checker::new(SchemeId::Pix);
    let key = template.child(Tag::of(1));
    let url = template.child(Tag::of(25));
    let txid = payload.get(62).and_then(|t| t.child(Tag::of(5)));

    let mut key_kind = None;
    if let Some(key) = key {
        key_kind = PixKeyKind::of(key.value());
        if let Err(rule) = check_key(key.value()) {
            ck.flag(&key, rule);
        }
    }
    match (key, url) {
        (Some(_), Some(_)) => ck.flag(
            template,
            SchemeRule::Conflict("pix template has both a key (01) and a location url (25)"),
        ),
        (None, None) if recurrence.is_none() => ck.flag(
            template,
            SchemeRule::Conflict("pix template has neither a key (01) nor a location url (25)"),
        ),
        _ => {}
    }
    for location in [url, recurrence.and_then(|r| r.child(Tag::of(25)))]
        .into_iter()
        .flatten()
    {
        check_url(&mut ck, &location);
    }
    match txid {
        Some(t) => {
            if let Err(rule) = check_txid(t.value(), url.is_some()) {
                ck.flag(&t, rule);
            }
        }
        None => ck.flag_at(
            TagPath::root(Tag::ADDITIONAL_DATA),
            payload
                .get(62)
                .map_or(payload.as_str().len(), DataObject::offset),
            SchemeRule::Missing {
                field: "txid (62.05)",
            },
        ),
    }
    ck.currency(payload, &[CURRENCY], CURRENCY);
    ck.country(payload, COUNTRY);

    Some(Inspection {
        view: Pix {
            gui: template.gui().unwrap_or_default(),
            key: key.map(|k| k.value()),
            key_kind,
            info: util::sub(template, 2),
            fss: util::sub(template, 3),
            url: url.map(|u| u.value()),
            txid: txid.map(|t| t.value()),
            recurrence_url: recurrence.and_then(|r| util::sub(r, 25)),
        },
        location: template.path(),
        violations: ck.found,
    })
}

/// The names of a Pix template's fields, when `template` is one: the BCB manual's merchant
/// account template (00 GUI, 01 key, 02 additional information, 03 withdrawal facilitator, 25
/// charge location) or Pix Automático's unreserved template (25 recurrence location). In a Pix
/// code (a payload [`inspect`] finds a Pix template in), the additional data template 62 is
/// named too: the manual puts the Pix transaction id in its 05, the reference label.
pub(super) fn template_names(
    payload: &Payload<'_>,
    template: &DataObject<'_>,
) -> Option<FieldNames> {
    if util::is_account_template(template, is_pix) {
        Some(account_names)
    } else if util::is_unreserved_template(template, is_pix) {
        Some(recurrence_names)
    } else if template.tag() == Tag::ADDITIONAL_DATA
        && util::account_template(payload, is_pix).is_some()
    {
        Some(additional_data_names)
    } else {
        None
    }
}

fn account_names(sub: u8, nested: Option<u8>) -> Option<&'static str> {
    match (sub, nested) {
        (0, None) => Some("globally unique identifier (Pix)"),
        (1, None) => Some("pix key"),
        (2, None) => Some("additional information"),
        (3, None) => Some("withdrawal facilitator"),
        (25, None) => Some("charge location url"),
        _ => None,
    }
}

/// Only 05 has a Pix meaning; the other fields of 62 keep EMV's names.
fn additional_data_names(sub: u8, nested: Option<u8>) -> Option<&'static str> {
    match (sub, nested) {
        (5, None) => Some("reference label (pix txid)"),
        _ => None,
    }
}

fn recurrence_names(sub: u8, nested: Option<u8>) -> Option<&'static str> {
    match (sub, nested) {
        (0, None) => Some("globally unique identifier (Pix)"),
        (25, None) => Some("recurrence location url"),
        _ => None,
    }
}

fn check_url(ck: &mut Checker, url: &DataObject<'_>) {
    let value = url.value();
    let lower = value.to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") || value.is_empty() {
        ck.bad_format(
            url,
            "pix location url (25)",
            "a host and path written without the https:// prefix",
        );
    }
}

/// What a Pix code points the payer to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Account {
    Key(String),
    Url(String),
    /// Pix Automático's recurrence-only code: the Pix template holds its GUI alone.
    RecurrenceOnly,
}

/// Builds Pix codes (BR Code).
///
/// Static codes need a key, a merchant name and a city; dynamic codes a location URL (written
/// without `https://`), a name and a city. The GUI is written in lower case and the transaction
/// id defaults to `***`, as the BCB manual and the common libraries do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PixBuilder {
    account: Account,
    info: Option<String>,
    fss: Option<String>,
    amount_minor: Option<u64>,
    merchant_name: String,
    merchant_city: String,
    postal_code: Option<String>,
    txid: String,
    mcc: String,
    point_of_initiation: Option<PointOfInitiation>,
    recurrence_url: Option<String>,
}

fn check_location(field: &'static str, url: &str) -> Result<(), BuildError> {
    let lower = url.to_ascii_lowercase();
    if url.is_empty() || lower.starts_with("https://") || lower.starts_with("http://") {
        return Err(BuildError::bad_format(
            field,
            url,
            "a host and path without the https:// prefix",
        ));
    }
    Ok(())
}

impl PixBuilder {
    fn new(account: Account) -> PixBuilder {
        PixBuilder {
            account,
            info: None,
            fss: None,
            amount_minor: None,
            merchant_name: String::new(),
            merchant_city: String::new(),
            postal_code: None,
            txid: NO_TXID.to_owned(),
            mcc: "0000".to_owned(),
            point_of_initiation: None,
            recurrence_url: None,
        }
    }

    /// A static code paying the Pix key `key`.
    #[must_use]
    pub fn with_key(key: &str) -> PixBuilder {
        PixBuilder::new(Account::Key(key.to_owned()))
    }

    /// A dynamic code whose charge sits at `url` (no `https://`).
    #[must_use]
    pub fn with_url(url: &str) -> PixBuilder {
        PixBuilder::new(Account::Url(url.to_owned()))
    }

    /// A Pix Automático code that only authorises the recurrence at `recurrence_url` (no key,
    /// no charge): the Pix template holds its GUI alone.
    #[must_use]
    pub fn recurrence_only(recurrence_url: &str) -> PixBuilder {
        PixBuilder::new(Account::RecurrenceOnly).recurrence_url(recurrence_url)
    }

    /// 80 the Pix Automático recurrence location (no `https://`), in an unreserved template with
    /// the Pix GUI.
    #[must_use]
    pub fn recurrence_url(mut self, url: &str) -> PixBuilder {
        self.recurrence_url = Some(url.to_owned());
        self
    }

    /// 02 a message to the payer (static codes).
    #[must_use]
    pub fn info(mut self, info: &str) -> PixBuilder {
        self.info = Some(info.to_owned());
        self
    }

    /// 03 the withdrawal facilitator's ISPB (Pix Saque/Troco).
    #[must_use]
    pub fn fss(mut self, fss: &str) -> PixBuilder {
        self.fss = Some(fss.to_owned());
        self
    }

    /// 54 the amount in centavos.
    #[must_use]
    pub fn amount_minor(mut self, centavos: u64) -> PixBuilder {
        self.amount_minor = Some(centavos);
        self
    }

    /// 59 the receiver's name (at most 25 characters, printable ASCII).
    #[must_use]
    pub fn merchant_name(mut self, name: &str) -> PixBuilder {
        name.clone_into(&mut self.merchant_name);
        self
    }

    /// 60 the receiver's city (at most 15 characters, printable ASCII).
    #[must_use]
    pub fn merchant_city(mut self, city: &str) -> PixBuilder {
        city.clone_into(&mut self.merchant_city);
        self
    }

    /// 61 the postal code (CEP).
    #[must_use]
    pub fn postal_code(mut self, cep: &str) -> PixBuilder {
        self.postal_code = Some(cep.to_owned());
        self
    }

    /// 62.05 the transaction id: `***` by default, else 1 to 25 ASCII letters and digits; a
    /// code with a charge location keeps `***` ([`check_txid`]).
    #[must_use]
    pub fn txid(mut self, txid: &str) -> PixBuilder {
        txid.clone_into(&mut self.txid);
        self
    }

    /// 52 the merchant category code (`0000` by default).
    #[must_use]
    pub fn merchant_category_code(mut self, mcc: &str) -> PixBuilder {
        mcc.clone_into(&mut self.mcc);
        self
    }

    /// 01 the point of initiation; absent by default, as most Pix libraries print it.
    #[must_use]
    pub fn point_of_initiation(mut self, poi: PointOfInitiation) -> PixBuilder {
        self.point_of_initiation = Some(poi);
        self
    }

    /// Encodes the code.
    ///
    /// # Errors
    /// [`BuildError::Field`] for a bad key, URL, name, city or transaction id;
    /// [`BuildError::Encode`] when the EMV encoder refuses the result.
    pub fn build(self) -> Result<String, BuildError> {
        let field = |field, rule| BuildError::Field { field, rule };
        let mut account: Vec<(u8, &str)> = Vec::new();
        match &self.account {
            Account::Key(key) => {
                check_key(key).map_err(|r| field("key", r))?;
                account.push((1, key));
            }
            Account::Url(url) => {
                check_location("url", url)?;
                account.push((25, url));
            }
            Account::RecurrenceOnly => {}
        }
        if let Some(info) = &self.info {
            account.push((2, info));
        }
        if let Some(fss) = &self.fss {
            account.push((3, fss));
        }
        check_txid(&self.txid, matches!(self.account, Account::Url(_)))
            .map_err(|r| field("txid", r))?;
        let currency = Currency::from_numeric(986)
            .ok_or(field("currency", SchemeRule::Missing { field: "BRL" }))?;
        let mut builder = PayloadBuilder::new()
            .merchant_account(26, GUI, &account)
            .merchant_category_code(&self.mcc)
            .currency(currency)
            .country_code(COUNTRY)
            .merchant_name(&self.merchant_name)
            .merchant_city(&self.merchant_city)
            .additional_data(5, &self.txid);
        if let Some(poi) = self.point_of_initiation {
            builder = builder.point_of_initiation(poi);
        }
        if let Some(minor) = self.amount_minor {
            builder = builder.amount_minor(minor);
        }
        if let Some(cep) = &self.postal_code {
            builder = builder.postal_code(cep);
        }
        match (&self.recurrence_url, &self.account) {
            (Some(rec), _) => {
                check_location("recurrence url", rec)?;
                builder = builder.unreserved_template(80, GUI, &[(25, rec)]);
            }
            (None, Account::RecurrenceOnly) => {
                return Err(field(
                    "recurrence url",
                    SchemeRule::Missing {
                        field: "recurrence url",
                    },
                ))
            }
            (None, _) => {}
        }
        Ok(builder.build()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpf_check_digits() {
        // Check digits computed by hand with the Receita Federal weights.
        assert!(cpf_valid("52998224725"));
        assert!(!cpf_valid("52998224726"));
        assert!(!cpf_valid("11111111111"));
        assert!(!cpf_valid("5299822472"));
        assert!(!cpf_valid("5299822472x"));
    }

    #[test]
    fn cnpj_check_digits() {
        assert!(cnpj_valid("11222333000181"));
        assert!(!cnpj_valid("11222333000182"));
        assert!(!cnpj_valid("00000000000000"));
        // The alphanumeric example of the Receita Federal announcement.
        assert!(cnpj_valid("12ABC34501DE35"));
        assert!(!cnpj_valid("12ABC34501DE36"));
        assert!(!cnpj_valid("12abc34501DE35"));
    }

    #[test]
    fn key_kinds() {
        let cases = [
            ("thalesog@me.com", Ok(PixKeyKind::Email)),
            ("+5561912345678", Ok(PixKeyKind::Phone)),
            (
                "123e4567-e12b-12d1-a456-426655440000",
                Ok(PixKeyKind::Random),
            ),
            ("52998224725", Ok(PixKeyKind::Cpf)),
            ("11222333000181", Ok(PixKeyKind::Cnpj)),
        ];
        for (key, want) in cases {
            assert_eq!(check_key(key), want, "{key}");
        }
        assert!(matches!(
            check_key("+1555123"),
            Err(SchemeRule::BadFormat { .. })
        ));
        assert!(matches!(
            check_key("12345678901"),
            Err(SchemeRule::BadCheckDigit { .. })
        ));
        assert!(matches!(
            check_key("hello"),
            Err(SchemeRule::BadFormat { .. })
        ));
        assert!(matches!(
            check_key("123e4567-e12b-12d1-a456-42665544000g"),
            Err(SchemeRule::BadFormat { .. })
        ));
    }
}
