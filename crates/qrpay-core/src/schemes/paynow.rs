//! PayNow and SGQR (Singapore).
//!
//! PayNow sits in a merchant account template with GUI `SG.PAYNOW`: 01 the proxy type (`0`
//! mobile, `2` UEN), 02 the proxy value (`+65` and 8 digits, or the UEN with an optional
//! suffix), 03 whether the payer may edit the amount (`1`) or not (`0`), 04 the expiry
//! (`YYYYMMDD`, some banks add `hhmmss`), 05 a reference. SGQR stickers add template 51 with GUI
//! `SG.SGQR` (01 the SGQR id, 02 version, 03 postal code, 04 level, 05 unit, 06 miscellaneous,
//! 07 revision date) and usually carry several networks at once.
//!
//! ```
//! use qrpay_core::{decode, schemes::paynow::{PayNow, PayNowBuilder, ProxyType}};
//!
//! let text = PayNowBuilder::uen("S99345678ABCD")?
//!     .editable(true)
//!     .expiry("99991231")?
//!     .amount_minor(1234)
//!     .merchant_name("ACME Pte Ltd")
//!     .bill_number("INV1234")
//!     .build()?;
//! // Byte for byte what the go-paynow library prints.
//! assert_eq!(text, "00020101021226520009SG.PAYNOW010120213S99345678ABCD03011040899991231520400005303702540512.345802SG5912ACME Pte Ltd6009Singapore62110107INV123463041E74");
//! let payload = decode(&text)?;
//! let view = PayNow::from_payload(&payload).expect("a PayNow code");
//! assert_eq!(view.proxy_type, Some(ProxyType::Uen));
//! assert_eq!(view.editable, Some(true));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use super::names::FieldNames;
use super::util::{self, Checker};
use super::{BuildError, Inspection, SchemeError, SchemeId, SchemeRule};
use crate::emv::{DataObject, Payload, PayloadBuilder, PointOfInitiation};
use crate::tag::Tag;

/// GUI of the PayNow template (compared case-insensitively).
pub const GUI: &str = "SG.PAYNOW";
/// GUI of the SGQR identity template (51).
pub const GUI_SGQR: &str = "SG.SGQR";
/// Singapore dollar, ISO 4217 numeric.
pub const CURRENCY: &str = "702";
/// Singapore.
pub const COUNTRY: &str = "SG";

/// PayNow proxy types (01).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum ProxyType {
    /// `0`: a mobile number, `+65` and 8 digits.
    Mobile,
    /// `2`: a Unique Entity Number, optionally with a sub-account suffix.
    Uen,
}

impl ProxyType {
    /// The digit written in 01.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            ProxyType::Mobile => "0",
            ProxyType::Uen => "2",
        }
    }
}

/// The PayNow fields of a payload.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PayNow<'p> {
    /// 01 the proxy type; `None` when absent or unknown.
    pub proxy_type: Option<ProxyType>,
    /// 02 the proxy value.
    pub proxy_value: Option<&'p str>,
    /// 03 whether the payer may edit the amount.
    pub editable: Option<bool>,
    /// 04 the expiry, `YYYYMMDD` or `YYYYMMDDhhmmss`.
    pub expiry: Option<&'p str>,
    /// 05 the reference in the PayNow template.
    pub reference: Option<&'p str>,
    /// 62.01 the bill number (the reference most payers see).
    pub bill_number: Option<&'p str>,
}

impl<'p> PayNow<'p> {
    /// The PayNow view of `payload`, or `None` when it carries no PayNow template.
    #[must_use]
    pub fn from_payload(payload: &'p Payload<'_>) -> Option<PayNow<'p>> {
        inspect(payload).map(|i| i.view)
    }

    /// The PayNow view of `payload` if it breaks no PayNow rule.
    ///
    /// # Errors
    /// [`SchemeError::NotPresent`] or the first [`SchemeError::Violation`].
    pub fn from_payload_strict(payload: &'p Payload<'_>) -> Result<PayNow<'p>, SchemeError> {
        super::strict_view(SchemeId::PayNow, payload, inspect)
    }
}

/// The SGQR identity fields (template 51).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Sgqr<'p> {
    /// 01 the SGQR id number.
    pub id: Option<&'p str>,
    /// 02 the version.
    pub version: Option<&'p str>,
    /// 03 the postal code.
    pub postal_code: Option<&'p str>,
    /// 04 the level.
    pub level: Option<&'p str>,
    /// 05 the unit number.
    pub unit: Option<&'p str>,
    /// 06 miscellaneous.
    pub miscellaneous: Option<&'p str>,
    /// 07 the revision date, `YYYYMMDD`.
    pub revision_date: Option<&'p str>,
}

/// The SGQR identity a [`PayNowBuilder`] writes in template 51; empty fields are left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SgqrIdentity<'a> {
    /// 01 the SGQR id number.
    pub id: &'a str,
    /// 02 the version (`01.0001`).
    pub version: &'a str,
    /// 03 the postal code.
    pub postal_code: &'a str,
    /// 04 the level.
    pub level: &'a str,
    /// 05 the unit number.
    pub unit: &'a str,
    /// 06 miscellaneous.
    pub miscellaneous: &'a str,
    /// 07 the revision date, `YYYYMMDD`.
    pub revision_date: &'a str,
}

/// Whether a mobile proxy is `+65` and 8 digits.
#[must_use]
pub fn is_mobile(value: &str) -> bool {
    value
        .strip_prefix("+65")
        .is_some_and(|rest| rest.len() == 8 && util::is_digits(rest))
}

/// Whether a UEN proxy has the UEN shape: 9 to 13 upper-case letters and digits (the UEN, then
/// an optional sub-account suffix), at least one of them a letter (every UEN has a check letter).
#[must_use]
pub fn is_uen(value: &str) -> bool {
    (9..=13).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
        && value.bytes().any(|b| b.is_ascii_uppercase())
}

/// Whether an expiry is `YYYYMMDD` or `YYYYMMDDhhmmss`.
#[must_use]
pub fn is_expiry(value: &str) -> bool {
    let (date, time) = value.split_at_checked(8).unwrap_or((value, ""));
    if !util::is_date(date) {
        return false;
    }
    if time.is_empty() {
        return true;
    }
    let part = |r: core::ops::Range<usize>| time.get(r).and_then(|s| s.parse::<u8>().ok());
    time.len() == 6
        && util::is_digits(time)
        && part(0..2).is_some_and(|h| h < 24)
        && part(2..4).is_some_and(|m| m < 60)
        && part(4..6).is_some_and(|s| s < 60)
}

/// Finds the PayNow template and checks the PayNow rules.
#[must_use]
pub fn inspect<'p>(payload: &'p Payload<'_>) -> Option<Inspection<PayNow<'p>>> {
    let t = util::account_template(payload, is_paynow)?;
    let mut ck = Checker::new(SchemeId::PayNow);
    let proxy_type = ck
        .require(t, 1, "proxy type (01)")
        .and_then(|o| match o.value() {
            "0" => Some(ProxyType::Mobile),
            "2" => Some(ProxyType::Uen),
            other => {
                ck.flag(
                    &o,
                    SchemeRule::UnknownValue {
                        field: "proxy type",
                        found: other.to_owned(),
                        allowed: "0 (mobile) or 2 (UEN)",
                    },
                );
                None
            }
        });
    let value = ck.require(t, 2, "proxy value (02)");
    if let (Some(kind), Some(v)) = (proxy_type, value) {
        let (ok, expected) = match kind {
            ProxyType::Mobile => (is_mobile(v.value()), "+65 followed by 8 digits"),
            ProxyType::Uen => (
                is_uen(v.value()),
                "a UEN (9 to 13 upper-case letters and digits)",
            ),
        };
        if !ok {
            ck.bad_format(&v, "proxy value", expected);
        }
    }
    let editable = t.child(Tag::of(3)).and_then(|o| match o.value() {
        "0" => Some(false),
        "1" => Some(true),
        other => {
            ck.flag(
                &o,
                SchemeRule::UnknownValue {
                    field: "editable flag",
                    found: other.to_owned(),
                    allowed: "0 or 1",
                },
            );
            None
        }
    });
    let expiry = t.child(Tag::of(4));
    if let Some(e) = expiry.filter(|e| !is_expiry(e.value())) {
        ck.bad_format(
            &e,
            "expiry",
            "a date YYYYMMDD, optionally followed by hhmmss",
        );
    }
    ck.currency(payload, &[CURRENCY], CURRENCY);
    ck.country(payload, COUNTRY);
    Some(Inspection {
        view: PayNow {
            proxy_type,
            proxy_value: value.map(|v| v.value()),
            editable,
            expiry: expiry.map(|e| e.value()),
            reference: util::sub(t, 5),
            bill_number: util::root_sub(payload, 62, 1),
        },
        location: t.path(),
        violations: ck.found,
    })
}

/// Finds the SGQR identity template (51) and checks its rules.
#[must_use]
pub fn inspect_sgqr<'p>(payload: &'p Payload<'_>) -> Option<Inspection<Sgqr<'p>>> {
    let t = payload.get(51).filter(|t| is_sgqr_template(t))?;
    let mut ck = Checker::new(SchemeId::Sgqr);
    if let Some(id) = ck.require(t, 1, "sgqr id (51.01)") {
        ck.max_len(&id, "sgqr id", 12);
    }
    if let Some(date) = t.child(Tag::of(7)).filter(|d| !util::is_date(d.value())) {
        ck.bad_format(&date, "revision date", "a date YYYYMMDD");
    }
    ck.country(payload, COUNTRY);
    Some(Inspection {
        view: Sgqr {
            id: util::sub(t, 1),
            version: util::sub(t, 2),
            postal_code: util::sub(t, 3),
            level: util::sub(t, 4),
            unit: util::sub(t, 5),
            miscellaneous: util::sub(t, 6),
            revision_date: util::sub(t, 7),
        },
        location: t.path(),
        violations: ck.found,
    })
}

fn is_paynow(gui: &str) -> bool {
    gui.eq_ignore_ascii_case(GUI)
}

/// Whether `object` is the SGQR identity template: tag 51 with GUI `SG.SGQR`.
fn is_sgqr_template(object: &DataObject<'_>) -> bool {
    object.tag().get() == 51
        && object
            .gui()
            .is_some_and(|g| g.eq_ignore_ascii_case(GUI_SGQR))
}

/// The names of a PayNow template's fields (01 proxy type, 02 proxy value, 03 editable, 04
/// expiry, 05 reference) or the SGQR identity template's (51: 01–07, see [`Sgqr`]), when
/// `template` is one.
pub(super) fn template_names(
    _payload: &Payload<'_>,
    template: &DataObject<'_>,
) -> Option<FieldNames> {
    if util::is_account_template(template, is_paynow) {
        Some(paynow_names)
    } else if is_sgqr_template(template) {
        Some(sgqr_names)
    } else {
        None
    }
}

fn paynow_names(sub: u8, nested: Option<u8>) -> Option<&'static str> {
    match (sub, nested) {
        (0, None) => Some("globally unique identifier (PayNow)"),
        (1, None) => Some("proxy type"),
        (2, None) => Some("proxy value"),
        (3, None) => Some("amount editable"),
        (4, None) => Some("expiry date"),
        (5, None) => Some("reference"),
        _ => None,
    }
}

fn sgqr_names(sub: u8, nested: Option<u8>) -> Option<&'static str> {
    match (sub, nested) {
        (0, None) => Some("globally unique identifier (SGQR)"),
        (1, None) => Some("sgqr id number"),
        (2, None) => Some("version"),
        (3, None) => Some("postal code"),
        (4, None) => Some("level"),
        (5, None) => Some("unit number"),
        (6, None) => Some("miscellaneous"),
        (7, None) => Some("revision date"),
        _ => None,
    }
}

/// Builds PayNow codes, as bank apps and the common libraries print them.
///
/// The point of initiation is dynamic (`12`) with an amount and static (`11`) without; the
/// merchant name defaults to `NA` and the city to `Singapore`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayNowBuilder {
    proxy_type: ProxyType,
    proxy_value: String,
    editable: bool,
    expiry: Option<String>,
    reference: Option<String>,
    amount_minor: Option<u64>,
    merchant_name: String,
    merchant_city: String,
    bill_number: Option<String>,
    point_of_initiation: Option<PointOfInitiation>,
    mcc: String,
    sgqr: Vec<(u8, String)>,
}

impl PayNowBuilder {
    fn new(proxy_type: ProxyType, proxy_value: &str) -> PayNowBuilder {
        PayNowBuilder {
            proxy_type,
            proxy_value: proxy_value.to_owned(),
            editable: false,
            expiry: None,
            reference: None,
            amount_minor: None,
            merchant_name: "NA".to_owned(),
            merchant_city: "Singapore".to_owned(),
            bill_number: None,
            point_of_initiation: None,
            mcc: "0000".to_owned(),
            sgqr: Vec::new(),
        }
    }

    /// A transfer to a mobile number (`+65` and 8 digits; spaces allowed).
    ///
    /// # Errors
    /// [`BuildError::Field`] when `mobile` is not a Singapore mobile number.
    pub fn mobile(mobile: &str) -> Result<PayNowBuilder, BuildError> {
        let compact: String = mobile.chars().filter(|c| !c.is_whitespace()).collect();
        let compact = if compact.len() == 8 {
            format!("+65{compact}")
        } else {
            compact
        };
        if !is_mobile(&compact) {
            return Err(BuildError::bad_format(
                "mobile",
                mobile,
                "+65 followed by 8 digits",
            ));
        }
        Ok(PayNowBuilder::new(ProxyType::Mobile, &compact))
    }

    /// A transfer to a UEN (with an optional sub-account suffix).
    ///
    /// # Errors
    /// [`BuildError::Field`] when `uen` does not have the UEN shape.
    pub fn uen(uen: &str) -> Result<PayNowBuilder, BuildError> {
        if !is_uen(uen) {
            return Err(BuildError::bad_format(
                "uen",
                uen,
                "9 to 13 upper-case letters and digits",
            ));
        }
        Ok(PayNowBuilder::new(ProxyType::Uen, uen))
    }

    /// 03 whether the payer may edit the amount (`false` by default).
    #[must_use]
    pub fn editable(mut self, yes: bool) -> PayNowBuilder {
        self.editable = yes;
        self
    }

    /// 04 the expiry, `YYYYMMDD` or `YYYYMMDDhhmmss`.
    ///
    /// # Errors
    /// [`BuildError::Field`] for anything else.
    pub fn expiry(mut self, expiry: &str) -> Result<PayNowBuilder, BuildError> {
        if !is_expiry(expiry) {
            return Err(BuildError::bad_format(
                "expiry",
                expiry,
                "YYYYMMDD or YYYYMMDDhhmmss",
            ));
        }
        self.expiry = Some(expiry.to_owned());
        Ok(self)
    }

    /// 05 a reference inside the PayNow template.
    #[must_use]
    pub fn reference(mut self, reference: &str) -> PayNowBuilder {
        self.reference = Some(reference.to_owned());
        self
    }

    /// 54 the amount in cents.
    #[must_use]
    pub fn amount_minor(mut self, cents: u64) -> PayNowBuilder {
        self.amount_minor = Some(cents);
        self
    }

    /// 59 the merchant name (`NA` by default).
    #[must_use]
    pub fn merchant_name(mut self, name: &str) -> PayNowBuilder {
        name.clone_into(&mut self.merchant_name);
        self
    }

    /// 60 the merchant city (`Singapore` by default).
    #[must_use]
    pub fn merchant_city(mut self, city: &str) -> PayNowBuilder {
        city.clone_into(&mut self.merchant_city);
        self
    }

    /// 62.01 the bill number, the reference the payer's app shows.
    #[must_use]
    pub fn bill_number(mut self, bill: &str) -> PayNowBuilder {
        self.bill_number = Some(bill.to_owned());
        self
    }

    /// 52 the merchant category code (`0000` by default).
    #[must_use]
    pub fn merchant_category_code(mut self, mcc: &str) -> PayNowBuilder {
        mcc.clone_into(&mut self.mcc);
        self
    }

    /// 51 the SGQR identity of the sticker: its id (12 characters), version, postal code,
    /// level, unit and revision date (`YYYYMMDD`).
    ///
    /// # Errors
    /// [`BuildError::Field`] for an id over 12 characters or a revision date that is no date.
    pub fn sgqr(mut self, identity: &SgqrIdentity<'_>) -> Result<PayNowBuilder, BuildError> {
        let len = identity.id.chars().count();
        if len == 0 || len > 12 {
            return Err(BuildError::bad_format(
                "sgqr id",
                identity.id,
                "1 to 12 characters",
            ));
        }
        if !util::is_date(identity.revision_date) {
            return Err(BuildError::bad_format(
                "revision date",
                identity.revision_date,
                "a date YYYYMMDD",
            ));
        }
        self.sgqr = [
            (1, identity.id),
            (2, identity.version),
            (3, identity.postal_code),
            (4, identity.level),
            (5, identity.unit),
            (6, identity.miscellaneous),
            (7, identity.revision_date),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(id, v)| (id, v.to_owned()))
        .collect();
        Ok(self)
    }

    /// 01 the point of initiation, overriding the default.
    #[must_use]
    pub fn point_of_initiation(mut self, poi: PointOfInitiation) -> PayNowBuilder {
        self.point_of_initiation = Some(poi);
        self
    }

    /// Encodes the code.
    ///
    /// # Errors
    /// [`BuildError::Encode`] when the EMV encoder refuses the result.
    pub fn build(self) -> Result<String, BuildError> {
        let currency = util::home_currency(702, "SGD")?;
        let mut fields: Vec<(u8, &str)> = vec![
            (1, self.proxy_type.code()),
            (2, &self.proxy_value),
            (3, if self.editable { "1" } else { "0" }),
        ];
        if let Some(expiry) = &self.expiry {
            fields.push((4, expiry));
        }
        if let Some(reference) = &self.reference {
            fields.push((5, reference));
        }
        let poi = util::point_of_initiation(self.point_of_initiation, self.amount_minor.is_some());
        let mut builder = PayloadBuilder::new()
            .point_of_initiation(poi)
            .merchant_account(26, GUI, &fields)
            .merchant_category_code(&self.mcc)
            .currency(currency)
            .country_code(COUNTRY)
            .merchant_name(&self.merchant_name)
            .merchant_city(&self.merchant_city);
        if let Some(minor) = self.amount_minor {
            builder = builder.amount_minor(minor);
        }
        if let Some(bill) = &self.bill_number {
            builder = builder.additional_data(1, bill);
        }
        if !self.sgqr.is_empty() {
            let fields: Vec<(u8, &str)> =
                self.sgqr.iter().map(|(id, v)| (*id, v.as_str())).collect();
            builder = builder.merchant_account(51, GUI_SGQR, &fields);
        }
        Ok(builder.build()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxies_and_expiry() {
        assert!(is_mobile("+6591234567"));
        assert!(!is_mobile("+659123456"));
        assert!(!is_mobile("+6212345678901230"));
        assert!(is_uen("201403121W"));
        assert!(is_uen("S99345678ABCD"));
        assert!(!is_uen("12345678"));
        assert!(!is_uen("201403121w"));
        assert!(is_expiry("20231231"));
        assert!(is_expiry("20230928161820"));
        assert!(!is_expiry("20230928246000"));
        assert!(!is_expiry("2023092"));
    }
}
