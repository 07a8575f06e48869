//! QR Ph (the Philippines): the national QR standard of the BSP and the Philippine Payments
//! Management Inc. (PPMI).
//!
//! Person-to-merchant codes carry a merchant account template (usually 28) with a GUI of the
//! `ph.ppmi` family (`ph.ppmi.p2m`, `ph.ppmi.p2micro`): 01 the acquirer's BIC, 03 the merchant
//! id, further fields as the acquirer assigns them (05 holds a 3-digit code in the published
//! codes, whose meaning no public source gives; it is kept but not interpreted).
//!
//! Person-to-person (InstaPay) codes use template 27 with GUI `com.p2pqrpay`, laid out as the
//! codes of GCash, Maya, BDO, UnionBank and PayMongo's documented transfer QR all show: 01 the
//! receiving institution's BIC, 02 the payment type (`99964403` in every published code), 03
//! an optional merchant id, 04 the account number (PayMongo: "merchant credit account"), 05
//! the mobile number. QR Ph puts a GUID in 62.00 and often adds the unreserved template 88
//! (`ph.ppmi.qrph`).
//!
//! ```
//! use qrpay_core::{decode, schemes::qrph::{QrPh, QrPhBuilder, QrPhKind}};
//!
//! let text = QrPhBuilder::p2m("SRCPPHM2XXX", "MRCHNT-4H3TZ", "SOCMED DIGITAL", "MakatiCity")
//!     .amount_minor(10000)
//!     .build()?;
//! let payload = decode(&text)?;
//! let view = QrPh::from_payload(&payload).expect("a QR Ph code");
//! assert_eq!(view.kind, QrPhKind::P2m);
//! assert_eq!(view.acquirer_id, Some("SRCPPHM2XXX"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use super::names::FieldNames;
use super::util::{self, Checker};
use super::{BuildError, Inspection, SchemeError, SchemeId};
use crate::emv::{DataObject, Payload, PayloadBuilder};
use crate::tag::Tag;

/// GUI of person-to-merchant templates.
pub const GUI_P2M: &str = "ph.ppmi.p2m";
/// GUI prefix shared by the PPMI templates.
pub const GUI_PPMI_PREFIX: &str = "ph.ppmi";
/// GUI of the person-to-person template (27).
pub const GUI_P2P: &str = "com.p2pqrpay";
/// The payment type (27.02) of every published person-to-person code.
pub const P2P_PAYMENT_TYPE: &str = "99964403";
/// Philippine peso, ISO 4217 numeric.
pub const CURRENCY: &str = "608";
/// The Philippines.
pub const COUNTRY: &str = "PH";

/// Person-to-merchant or person-to-person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum QrPhKind {
    /// A `ph.ppmi` merchant template.
    P2m,
    /// Template 27, `com.p2pqrpay`.
    P2p,
}

/// The QR Ph fields of a payload.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct QrPh<'p> {
    /// P2M or P2P.
    pub kind: QrPhKind,
    /// 00 the GUI as written.
    pub gui: &'p str,
    /// 01 the acquirer's (or receiving institution's) BIC.
    pub acquirer_id: Option<&'p str>,
    /// 03 the merchant id (P2M; optional in P2P).
    pub merchant_id: Option<&'p str>,
    /// 02 the payment type (P2P).
    pub payment_type: Option<&'p str>,
    /// 04 the account number to credit (P2P).
    pub account_number: Option<&'p str>,
    /// 05 the mobile number (P2P).
    pub mobile_number: Option<&'p str>,
    /// 62.00 the GUID of the additional data.
    pub additional_data_gui: Option<&'p str>,
}

impl<'p> QrPh<'p> {
    /// The QR Ph view of `payload`, or `None` when it carries no QR Ph template.
    #[must_use]
    pub fn from_payload(payload: &'p Payload<'_>) -> Option<QrPh<'p>> {
        inspect(payload).map(|i| i.view)
    }

    /// The QR Ph view of `payload` if it breaks no QR Ph rule.
    ///
    /// # Errors
    /// [`SchemeError::NotPresent`] or the first [`SchemeError::Violation`].
    pub fn from_payload_strict(payload: &'p Payload<'_>) -> Result<QrPh<'p>, SchemeError> {
        super::strict_view(SchemeId::QrPh, payload, inspect)
    }
}

/// Whether `bic` has the shape of a BIC: 8 or 11 upper-case letters and digits, letters first.
#[must_use]
pub fn is_bic(bic: &str) -> bool {
    (bic.len() == 8 || bic.len() == 11)
        && bic.bytes().take(6).all(|b| b.is_ascii_uppercase())
        && bic
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

fn is_ppmi(gui: &str) -> bool {
    gui.get(..GUI_PPMI_PREFIX.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(GUI_PPMI_PREFIX))
}

/// Finds the QR Ph template and checks the QR Ph rules.
#[must_use]
pub fn inspect<'p>(payload: &'p Payload<'_>) -> Option<Inspection<QrPh<'p>>> {
    let (kind, t) = qrph_template(payload)?;
    let p2p = kind == QrPhKind::P2p;
    let mut ck = Checker::new(SchemeId::QrPh);
    if let Some(bic) = ck.require(t, 1, "acquirer id (01)") {
        if !is_bic(bic.value()) {
            ck.bad_format(&bic, "acquirer id", "a BIC (8 or 11 letters and digits)");
        }
    }
    match kind {
        QrPhKind::P2m => ck.require(t, 3, "merchant id (03)"),
        QrPhKind::P2p => ck.require(t, 4, "account number (04)"),
    };
    ck.currency(payload, &[CURRENCY], CURRENCY);
    ck.country(payload, COUNTRY);
    Some(Inspection {
        view: QrPh {
            kind,
            gui: t.gui().unwrap_or_default(),
            acquirer_id: util::sub(t, 1),
            merchant_id: util::sub(t, 3),
            payment_type: p2p.then(|| util::sub(t, 2)).flatten(),
            account_number: p2p.then(|| util::sub(t, 4)).flatten(),
            mobile_number: p2p.then(|| util::sub(t, 5)).flatten(),
            additional_data_gui: payload.get(62).and_then(|a| a.child_value(0)),
        },
        location: t.path(),
        violations: ck.found,
    })
}

/// The payload's QR Ph template and its kind: the first `ph.ppmi` merchant template, else a
/// person-to-person template 27. Only finds, checks nothing and allocates nothing, so that
/// [`template_names`] can ask whether a payload is a QR Ph code as cheaply as the other schemes.
fn qrph_template<'p, 'a>(payload: &'p Payload<'a>) -> Option<(QrPhKind, &'p DataObject<'a>)> {
    util::account_template(payload, is_ppmi)
        .map(|t| (QrPhKind::P2m, t))
        .or_else(|| {
            payload
                .get(27)
                .filter(|t| is_p2p_template(t))
                .map(|t| (QrPhKind::P2p, t))
        })
}

/// Whether `object` is the person-to-person template: tag 27 with GUI `com.p2pqrpay`.
fn is_p2p_template(object: &DataObject<'_>) -> bool {
    object.tag().get() == 27
        && object
            .gui()
            .is_some_and(|g| g.eq_ignore_ascii_case(GUI_P2P))
}

/// The names of a QR Ph template's fields, when `template` is one: a person-to-merchant
/// template (01 the acquirer's BIC, 03 the merchant id; 05 and the acquirer's own fields have
/// no public meaning) or the person-to-person template 27 (01 BIC, 02 payment type, 03 merchant
/// id, 04 account number, 05 mobile number); in a QR Ph code, also the additional data 62,
/// whose 00 QR Ph uses for a GUID where EMV reserves the id.
pub(super) fn template_names(
    payload: &Payload<'_>,
    template: &DataObject<'_>,
) -> Option<FieldNames> {
    if util::is_account_template(template, is_ppmi) {
        Some(p2m_names)
    } else if is_p2p_template(template) {
        Some(p2p_names)
    } else if template.tag() == Tag::ADDITIONAL_DATA && qrph_template(payload).is_some() {
        Some(additional_data_names)
    } else {
        None
    }
}

/// Only 00 has a QR Ph meaning; the other fields of 62 keep EMV's names.
fn additional_data_names(sub: u8, nested: Option<u8>) -> Option<&'static str> {
    match (sub, nested) {
        (0, None) => Some("globally unique identifier (QR Ph)"),
        _ => None,
    }
}

fn p2m_names(sub: u8, nested: Option<u8>) -> Option<&'static str> {
    match (sub, nested) {
        (0, None) => Some("globally unique identifier (QR Ph)"),
        (1, None) => Some("acquirer id (bic)"),
        (3, None) => Some("merchant id"),
        _ => None,
    }
}

fn p2p_names(sub: u8, nested: Option<u8>) -> Option<&'static str> {
    match (sub, nested) {
        (0, None) => Some("globally unique identifier (QR Ph P2P)"),
        (1, None) => Some("receiving institution (bic)"),
        (2, None) => Some("payment type"),
        (3, None) => Some("merchant id"),
        (4, None) => Some("account number"),
        (5, None) => Some("mobile number"),
        _ => None,
    }
}

/// Builds QR Ph codes: person-to-merchant (template 28, `ph.ppmi.p2m`) and person-to-person
/// (template 27, `com.p2pqrpay`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrPhBuilder {
    kind: QrPhKind,
    acquirer_id: String,
    /// The merchant id (P2M, 28.03) or the account number (P2P, 27.04).
    payee: String,
    merchant_name: String,
    merchant_city: String,
    mcc: String,
    amount_minor: Option<u64>,
    reference: Option<String>,
    mobile_number: Option<String>,
}

impl QrPhBuilder {
    /// A P2M code for `merchant_id` at the acquirer with BIC `acquirer_id`.
    #[must_use]
    pub fn p2m(acquirer_id: &str, merchant_id: &str, name: &str, city: &str) -> QrPhBuilder {
        QrPhBuilder {
            kind: QrPhKind::P2m,
            acquirer_id: acquirer_id.to_owned(),
            payee: merchant_id.to_owned(),
            merchant_name: name.to_owned(),
            merchant_city: city.to_owned(),
            mcc: "0000".to_owned(),
            amount_minor: None,
            reference: None,
            mobile_number: None,
        }
    }

    /// A P2P code paying account `account` (27.04) at the institution with BIC `bic`, with
    /// the InstaPay payment type `99964403` (27.02).
    #[must_use]
    pub fn p2p(bic: &str, account: &str, name: &str, city: &str) -> QrPhBuilder {
        QrPhBuilder {
            kind: QrPhKind::P2p,
            ..QrPhBuilder::p2m(bic, account, name, city)
        }
    }

    /// 52 the merchant category code (`0000` by default).
    #[must_use]
    pub fn merchant_category_code(mut self, mcc: &str) -> QrPhBuilder {
        mcc.clone_into(&mut self.mcc);
        self
    }

    /// 54 the amount in centavos; makes the code dynamic.
    #[must_use]
    pub fn amount_minor(mut self, centavos: u64) -> QrPhBuilder {
        self.amount_minor = Some(centavos);
        self
    }

    /// 62.05 the reference label.
    #[must_use]
    pub fn reference(mut self, reference: &str) -> QrPhBuilder {
        self.reference = Some(reference.to_owned());
        self
    }

    /// 27.05 the payee's mobile number (P2P codes; ignored in P2M ones).
    #[must_use]
    pub fn mobile_number(mut self, mobile: &str) -> QrPhBuilder {
        self.mobile_number = Some(mobile.to_owned());
        self
    }

    /// Encodes the code.
    ///
    /// # Errors
    /// [`BuildError::Field`] for an acquirer id that is not a BIC or an empty merchant id;
    /// [`BuildError::Encode`] from the EMV encoder.
    pub fn build(self) -> Result<String, BuildError> {
        if !is_bic(&self.acquirer_id) {
            return Err(BuildError::bad_format(
                "acquirer id",
                &self.acquirer_id,
                "a BIC (8 or 11 letters and digits)",
            ));
        }
        let currency = util::home_currency(608, "PHP")?;
        let poi = util::point_of_initiation(None, self.amount_minor.is_some());
        let (tag, gui, mut account): (u8, &str, Vec<(u8, &str)>) = match self.kind {
            QrPhKind::P2m => (28, GUI_P2M, vec![(1, &self.acquirer_id), (3, &self.payee)]),
            QrPhKind::P2p => (
                27,
                GUI_P2P,
                vec![
                    (1, &self.acquirer_id),
                    (2, P2P_PAYMENT_TYPE),
                    (4, &self.payee),
                ],
            ),
        };
        if let (QrPhKind::P2p, Some(mobile)) = (self.kind, &self.mobile_number) {
            account.push((5, mobile));
        }
        let mut builder = PayloadBuilder::new()
            .lenient(true)
            .point_of_initiation(poi)
            .merchant_account(tag, gui, &account)
            .merchant_category_code(&self.mcc)
            .currency(currency)
            .country_code(COUNTRY)
            .merchant_name(&self.merchant_name)
            .merchant_city(&self.merchant_city);
        if let Some(minor) = self.amount_minor {
            builder = builder.amount_minor(minor);
        }
        if let Some(reference) = &self.reference {
            builder = builder.additional_data(5, reference);
        }
        Ok(builder.build()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bic_shapes() {
        assert!(is_bic("SRCPPHM2XXX"));
        assert!(is_bic("PAPHPHM1"));
        assert!(!is_bic("SRCPPHM2XX"));
        assert!(!is_bic("srcpphm2xxx"));
        assert!(!is_bic("1RCPPHM2XXX"));
    }
}
