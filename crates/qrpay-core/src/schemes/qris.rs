//! QRIS (Indonesia): the Quick Response Code Indonesian Standard of Bank Indonesia and ASPI.
//!
//! Each issuer that can take the payment has a template in 26–45 with a reverse-domain GUI
//! (`ID.CO.SHOPEE.WWW`, `COM.GO-JEK.WWW`): 01 the merchant PAN (NNS + merchant number, 16–19
//! digits), 02 the merchant id, 03 the merchant criteria (`UMI` micro, `UKE` small, `UME` medium,
//! `UBE` large, `URE` regular). Template 51 with GUI `ID.CO.QRIS.WWW` carries the national merchant
//! id (NMID, 02) and criteria (03). The transfer variant puts the beneficiary in template 40
//! (00 reverse domain, 01 customer PAN, 02 beneficiary id) with a purpose in 62.08 (`BOOK`, `DMCT`,
//! `XBCT`) and MCC 4829.
//!
//! ```
//! use qrpay_core::{decode, schemes::qris::{Qris, QrisBuilder}};
//!
//! let text = QrisBuilder::new("TEST MERCHANT", "Jakarta")
//!     .issuer(26, "ID.CO.ASTRAPAY.WWW", "936008223210000240", "210000240", "UBE")
//!     .national("ID2021066246392", "UBE")
//!     .merchant_category_code("5812")
//!     .build()?;
//! let payload = decode(&text)?;
//! let qris = Qris::from_payload(&payload).expect("a QRIS code");
//! assert_eq!(qris.nmid, Some("ID2021066246392"));
//! assert_eq!(qris.issuers[0].gui, "ID.CO.ASTRAPAY.WWW");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use super::names::FieldNames;
use super::util::{self, Checker};
use super::{BuildError, Inspection, SchemeError, SchemeId, SchemeRule};
use crate::emv::{DataObject, Payload, PayloadBuilder};
use crate::tag::Tag;

/// GUI of the national repository template (51).
pub const GUI_NATIONAL: &str = "ID.CO.QRIS.WWW";
/// Indonesian rupiah, ISO 4217 numeric.
pub const CURRENCY: &str = "360";
/// Indonesia.
pub const COUNTRY: &str = "ID";
/// The merchant criteria codes.
pub const CRITERIA: [&str; 5] = ["UMI", "UKE", "UME", "UBE", "URE"];
/// Purposes (62.08) that make a code a transfer.
pub const TRANSFER_PURPOSES: [&str; 3] = ["BOOK", "DMCT", "XBCT"];
/// MCC of transfers.
pub const TRANSFER_MCC: &str = "4829";

/// An issuer template (26–45).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Issuer<'p> {
    /// The template's tag.
    pub tag: u8,
    /// 00 the issuer's reverse domain (`ID.CO.SHOPEE.WWW`).
    pub gui: &'p str,
    /// 01 the merchant PAN.
    pub merchant_pan: Option<&'p str>,
    /// 02 the merchant id at the issuer.
    pub merchant_id: Option<&'p str>,
    /// 03 the merchant criteria.
    pub criteria: Option<&'p str>,
}

/// The beneficiary of a QRIS transfer (template 40).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Transfer<'p> {
    /// 00 the beneficiary institution's reverse domain.
    pub gui: &'p str,
    /// 01 the customer PAN.
    pub customer_pan: Option<&'p str>,
    /// 02 the beneficiary id (account).
    pub beneficiary_id: Option<&'p str>,
    /// 62.08 the purpose (`BOOK`, `DMCT`, `XBCT`).
    pub purpose: &'p str,
}

/// The QRIS fields of a payload.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Qris<'p> {
    /// Issuer templates in input order.
    pub issuers: Vec<Issuer<'p>>,
    /// 51.02 the national merchant id.
    pub nmid: Option<&'p str>,
    /// 51.03 the merchant criteria in the national repository.
    pub national_criteria: Option<&'p str>,
    /// The transfer, for the transfer variant.
    pub transfer: Option<Transfer<'p>>,
}

impl<'p> Qris<'p> {
    /// The QRIS view of `payload`, or `None` when it is not a QRIS code.
    #[must_use]
    pub fn from_payload(payload: &'p Payload<'_>) -> Option<Qris<'p>> {
        inspect(payload).map(|i| i.view)
    }

    /// The QRIS view of `payload` if it breaks no QRIS rule.
    ///
    /// # Errors
    /// [`SchemeError::NotPresent`] or the first [`SchemeError::Violation`].
    pub fn from_payload_strict(payload: &'p Payload<'_>) -> Result<Qris<'p>, SchemeError> {
        super::strict_view(SchemeId::Qris, payload, inspect)
    }
}

/// Whether a GUI is a reverse domain name (`ID.CO.SHOPEE.WWW`, `COM.GO-JEK.WWW`).
fn is_reverse_domain(gui: &str) -> bool {
    let mut labels = 0;
    for label in gui.split('.') {
        if label.is_empty()
            || !label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return false;
        }
        labels += 1;
    }
    labels >= 2
}

/// Finds the QRIS templates and checks the QRIS rules. A code is QRIS when it has the national
/// template 51, or is for Indonesia (58 `ID`) with an issuer or transfer template.
#[must_use]
pub fn inspect<'p>(payload: &'p Payload<'_>) -> Option<Inspection<Qris<'p>>> {
    let national = national_template(payload);
    let indonesian = payload.country_code() == Some(COUNTRY);
    if national.is_none() && !indonesian {
        return None;
    }
    let purpose = transfer_purpose(payload);
    let transfer_template = transfer_template(payload);
    let issuer_templates: Vec<&DataObject<'_>> = payload
        .objects()
        .iter()
        .filter(|o| is_issuer_template(o, transfer_template))
        .collect();
    if national.is_none()
        && !(indonesian && (transfer_template.is_some() || !issuer_templates.is_empty()))
    {
        return None;
    }
    let location = national
        .or(transfer_template)
        .or(issuer_templates.first().copied())?
        .path();
    let mut ck = Checker::new(SchemeId::Qris);

    let mut issuers = Vec::new();
    for t in &issuer_templates {
        let pan = t.child(Tag::of(1));
        if let Some(pan) = pan {
            ck.digits(
                &pan,
                "merchant pan",
                16,
                19,
                "16 to 19 digits (NNS and merchant number)",
            );
        }
        if let Some(id) = t.child(Tag::of(2)) {
            ck.max_len(&id, "merchant id", 15);
        }
        let criteria = t.child(Tag::of(3));
        if let Some(c) = criteria {
            check_criteria(&mut ck, &c);
        }
        issuers.push(Issuer {
            tag: t.tag().get(),
            gui: t.gui().unwrap_or_default(),
            merchant_pan: pan.map(|p| p.value()),
            merchant_id: util::sub(t, 2),
            criteria: criteria.map(|c| c.value()),
        });
    }

    let mut nmid = None;
    let mut national_criteria = None;
    match national {
        Some(t) => {
            if let Some(id) = ck.require(t, 2, "national merchant id (51.02)") {
                nmid = Some(id.value());
                let ok = id.value().len() == 15
                    && id.value().starts_with("ID")
                    && id.value().bytes().all(|b| b.is_ascii_alphanumeric());
                if !ok {
                    ck.bad_format(&id, "nmid", "ID followed by 13 letters or digits");
                }
            }
            if let Some(c) = ck.require(t, 3, "merchant criteria (51.03)") {
                check_criteria(&mut ck, &c);
                national_criteria = Some(c.value());
            }
        }
        None if transfer_template.is_none() => ck.flag_at(
            crate::tag::TagPath::root(Tag::of(51)),
            location_offset(payload),
            SchemeRule::Missing {
                field: "national repository template (51, ID.CO.QRIS.WWW)",
            },
        ),
        None => {}
    }

    let transfer = transfer_template.zip(purpose).map(|(t, purpose)| {
        if let Some(pan) = ck.require(t, 1, "customer pan (40.01)") {
            ck.digits(&pan, "customer pan", 16, 19, "16 to 19 digits");
        }
        ck.require(t, 2, "beneficiary id (40.02)");
        if let Some(mcc) = payload.get(52).filter(|m| m.value() != TRANSFER_MCC) {
            ck.flag(
                mcc,
                SchemeRule::UnknownValue {
                    field: "transfer mcc",
                    found: mcc.value().to_owned(),
                    allowed: "4829",
                },
            );
        }
        if let Some(poi) = payload.get(1).filter(|p| p.value() != "12") {
            ck.flag(
                poi,
                SchemeRule::UnknownValue {
                    field: "transfer point of initiation",
                    found: poi.value().to_owned(),
                    allowed: "12 (dynamic)",
                },
            );
        }
        Transfer {
            gui: t.gui().unwrap_or_default(),
            customer_pan: util::sub(t, 1),
            beneficiary_id: util::sub(t, 2),
            purpose,
        }
    });
    ck.currency(payload, &[CURRENCY], CURRENCY);
    ck.country(payload, COUNTRY);

    Some(Inspection {
        view: Qris {
            issuers,
            nmid,
            national_criteria,
            transfer,
        },
        location,
        violations: ck.found,
    })
}

/// The national repository template: 51 with GUI `ID.CO.QRIS.WWW`.
fn national_template<'p, 'a>(payload: &'p Payload<'a>) -> Option<&'p DataObject<'a>> {
    payload.get(51).filter(|t| {
        t.gui()
            .is_some_and(|g| g.eq_ignore_ascii_case(GUI_NATIONAL))
    })
}

/// 62.08 when it is a transfer purpose.
fn transfer_purpose<'p>(payload: &'p Payload<'_>) -> Option<&'p str> {
    util::root_sub(payload, 62, 8).filter(|p| TRANSFER_PURPOSES.contains(p))
}

/// The transfer template: 40 with a reverse-domain GUI, in a code with a transfer purpose.
fn transfer_template<'p, 'a>(payload: &'p Payload<'a>) -> Option<&'p DataObject<'a>> {
    payload
        .get(40)
        .filter(|t| transfer_purpose(payload).is_some() && t.gui().is_some_and(is_reverse_domain))
}

/// Whether `object` is an issuer template: 26–45 with a reverse-domain GUI, other than the
/// transfer template.
fn is_issuer_template(object: &DataObject<'_>, transfer: Option<&DataObject<'_>>) -> bool {
    (26..=45).contains(&object.tag().get())
        && transfer.is_none_or(|t| t.tag() != object.tag())
        && object.gui().is_some_and(is_reverse_domain)
}

/// The names of a QRIS template's fields in a QRIS code (one with the national template, or for
/// Indonesia), when `template` is one: the national template 51 (02 NMID, 03 criteria), the
/// transfer template 40 (01 customer PAN, 02 beneficiary id) or an issuer template (01 merchant
/// PAN, 02 merchant id, 03 criteria).
pub(super) fn template_names(
    payload: &Payload<'_>,
    template: &DataObject<'_>,
) -> Option<FieldNames> {
    let national = national_template(payload);
    if national.is_none() && payload.country_code() != Some(COUNTRY) {
        return None;
    }
    let transfer = transfer_template(payload);
    if national.is_some_and(|t| t.tag() == template.tag()) {
        Some(national_names)
    } else if transfer.is_some_and(|t| t.tag() == template.tag()) {
        Some(transfer_names)
    } else if is_issuer_template(template, transfer) {
        Some(issuer_names)
    } else {
        None
    }
}

fn national_names(sub: u8, nested: Option<u8>) -> Option<&'static str> {
    match (sub, nested) {
        (0, None) => Some("globally unique identifier (QRIS)"),
        (2, None) => Some("national merchant id (nmid)"),
        (3, None) => Some("merchant criteria"),
        _ => None,
    }
}

fn transfer_names(sub: u8, nested: Option<u8>) -> Option<&'static str> {
    match (sub, nested) {
        (0, None) => Some("globally unique identifier (QRIS transfer)"),
        (1, None) => Some("customer pan"),
        (2, None) => Some("beneficiary id"),
        _ => None,
    }
}

fn issuer_names(sub: u8, nested: Option<u8>) -> Option<&'static str> {
    match (sub, nested) {
        (0, None) => Some("globally unique identifier (QRIS issuer)"),
        (1, None) => Some("merchant pan"),
        (2, None) => Some("merchant id"),
        (3, None) => Some("merchant criteria"),
        _ => None,
    }
}

fn location_offset(payload: &Payload<'_>) -> usize {
    payload
        .get(52)
        .or(payload.get(53))
        .map_or(0, DataObject::offset)
}

fn check_criteria(ck: &mut Checker, criteria: &DataObject<'_>) {
    if !CRITERIA.contains(&criteria.value()) {
        ck.flag(
            criteria,
            SchemeRule::UnknownValue {
                field: "merchant criteria",
                found: criteria.value().to_owned(),
                allowed: "UMI, UKE, UME, UBE, URE",
            },
        );
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct IssuerInput {
    tag: u8,
    gui: String,
    pan: String,
    merchant_id: String,
    criteria: String,
}

/// Builds QRIS merchant codes: issuer templates, the national template 51, and the EMV fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrisBuilder {
    issuers: Vec<IssuerInput>,
    national: Option<(String, String)>,
    merchant_name: String,
    merchant_city: String,
    postal_code: Option<String>,
    mcc: String,
    amount_minor: Option<u64>,
    terminal_label: Option<String>,
    bill_number: Option<String>,
    transfer: Option<TransferInput>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct TransferInput {
    gui: String,
    customer_pan: String,
    beneficiary_id: String,
    purpose: String,
}

impl QrisBuilder {
    /// A code for `merchant_name` in `merchant_city`.
    #[must_use]
    pub fn new(merchant_name: &str, merchant_city: &str) -> QrisBuilder {
        QrisBuilder {
            issuers: Vec::new(),
            national: None,
            merchant_name: merchant_name.to_owned(),
            merchant_city: merchant_city.to_owned(),
            postal_code: None,
            mcc: "0000".to_owned(),
            amount_minor: None,
            terminal_label: None,
            bill_number: None,
            transfer: None,
        }
    }

    /// A QRIS transfer to `beneficiary_id` at the institution `gui` (template 40), with the
    /// customer PAN and the purpose (`BOOK`, `DMCT` or `XBCT`); MCC 4829, dynamic.
    #[must_use]
    pub fn transfer(
        beneficiary_name: &str,
        beneficiary_city: &str,
        gui: &str,
        customer_pan: &str,
        beneficiary_id: &str,
        purpose: &str,
    ) -> QrisBuilder {
        let mut b = QrisBuilder::new(beneficiary_name, beneficiary_city);
        b.mcc = TRANSFER_MCC.to_owned();
        b.transfer = Some(TransferInput {
            gui: gui.to_owned(),
            customer_pan: customer_pan.to_owned(),
            beneficiary_id: beneficiary_id.to_owned(),
            purpose: purpose.to_owned(),
        });
        b
    }

    /// Adds the issuer template `tag` (26–45).
    #[must_use]
    pub fn issuer(
        mut self,
        tag: u8,
        gui: &str,
        pan: &str,
        merchant_id: &str,
        criteria: &str,
    ) -> QrisBuilder {
        self.issuers.push(IssuerInput {
            tag,
            gui: gui.to_owned(),
            pan: pan.to_owned(),
            merchant_id: merchant_id.to_owned(),
            criteria: criteria.to_owned(),
        });
        self
    }

    /// Sets the national template 51: the NMID and the merchant criteria.
    #[must_use]
    pub fn national(mut self, nmid: &str, criteria: &str) -> QrisBuilder {
        self.national = Some((nmid.to_owned(), criteria.to_owned()));
        self
    }

    /// 52 the merchant category code (`0000` by default).
    #[must_use]
    pub fn merchant_category_code(mut self, mcc: &str) -> QrisBuilder {
        mcc.clone_into(&mut self.mcc);
        self
    }

    /// 61 the postal code.
    #[must_use]
    pub fn postal_code(mut self, postal: &str) -> QrisBuilder {
        self.postal_code = Some(postal.to_owned());
        self
    }

    /// 54 the amount in minor units of the rupiah (ISO 4217 exponent 2); makes the code dynamic.
    #[must_use]
    pub fn amount_minor(mut self, minor: u64) -> QrisBuilder {
        self.amount_minor = Some(minor);
        self
    }

    /// 62.01 the bill number.
    #[must_use]
    pub fn bill_number(mut self, bill: &str) -> QrisBuilder {
        self.bill_number = Some(bill.to_owned());
        self
    }

    /// 62.07 the terminal label.
    #[must_use]
    pub fn terminal_label(mut self, label: &str) -> QrisBuilder {
        self.terminal_label = Some(label.to_owned());
        self
    }

    /// Encodes the code.
    ///
    /// # Errors
    /// [`BuildError::Field`] for a bad issuer template, transfer, NMID or criteria, or when no
    /// issuer, national template or transfer is given; [`BuildError::Encode`] from the EMV
    /// encoder.
    pub fn build(self) -> Result<String, BuildError> {
        if self.issuers.is_empty() && self.national.is_none() && self.transfer.is_none() {
            return Err(BuildError::Field {
                field: "issuer",
                rule: SchemeRule::Missing {
                    field: "an issuer template or the national template 51",
                },
            });
        }
        let currency = util::home_currency(360, "IDR")?;
        let poi =
            util::point_of_initiation(None, self.amount_minor.is_some() || self.transfer.is_some());
        let mut builder = PayloadBuilder::new()
            .point_of_initiation(poi)
            .merchant_category_code(&self.mcc)
            .currency(currency)
            .country_code(COUNTRY)
            .merchant_name(&self.merchant_name)
            .merchant_city(&self.merchant_city);
        for i in &self.issuers {
            if !(26..=45).contains(&i.tag) || i.tag == 40 {
                return Err(BuildError::bad_format(
                    "issuer tag",
                    &i.tag.to_string(),
                    "26 to 45, not 40",
                ));
            }
            if !is_reverse_domain(&i.gui) {
                return Err(BuildError::bad_format(
                    "issuer gui",
                    &i.gui,
                    "a reverse domain (ID.CO.EXAMPLE.WWW)",
                ));
            }
            if !(util::is_digits(&i.pan) && (16..=19).contains(&i.pan.len())) {
                return Err(BuildError::bad_format(
                    "merchant pan",
                    &i.pan,
                    "16 to 19 digits",
                ));
            }
            if i.merchant_id.is_empty() || i.merchant_id.chars().count() > 15 {
                return Err(BuildError::bad_format(
                    "merchant id",
                    &i.merchant_id,
                    "1 to 15 characters",
                ));
            }
            if !CRITERIA.contains(&i.criteria.as_str()) {
                return Err(BuildError::bad_format(
                    "criteria",
                    &i.criteria,
                    "UMI, UKE, UME, UBE or URE",
                ));
            }
            builder = builder.merchant_account(
                i.tag,
                &i.gui,
                &[(1, &i.pan), (2, &i.merchant_id), (3, &i.criteria)],
            );
        }
        if let Some((nmid, criteria)) = &self.national {
            if !(nmid.len() == 15
                && nmid.starts_with("ID")
                && nmid.bytes().all(|b| b.is_ascii_alphanumeric()))
            {
                return Err(BuildError::bad_format(
                    "nmid",
                    nmid,
                    "ID followed by 13 letters or digits",
                ));
            }
            if !CRITERIA.contains(&criteria.as_str()) {
                return Err(BuildError::bad_format(
                    "criteria",
                    criteria,
                    "UMI, UKE, UME, UBE or URE",
                ));
            }
            builder = builder.merchant_account(51, GUI_NATIONAL, &[(2, nmid), (3, criteria)]);
        }
        if let Some(t) = &self.transfer {
            if !is_reverse_domain(&t.gui) {
                return Err(BuildError::bad_format(
                    "transfer gui",
                    &t.gui,
                    "a reverse domain (ID.CO.EXAMPLE.WWW)",
                ));
            }
            if !(util::is_digits(&t.customer_pan) && (16..=19).contains(&t.customer_pan.len())) {
                return Err(BuildError::bad_format(
                    "customer pan",
                    &t.customer_pan,
                    "16 to 19 digits",
                ));
            }
            if t.beneficiary_id.is_empty() || t.beneficiary_id.chars().count() > 30 {
                return Err(BuildError::bad_format(
                    "beneficiary id",
                    &t.beneficiary_id,
                    "1 to 30 characters",
                ));
            }
            if !TRANSFER_PURPOSES.contains(&t.purpose.as_str()) {
                return Err(BuildError::bad_format(
                    "purpose",
                    &t.purpose,
                    "BOOK, DMCT or XBCT",
                ));
            }
            builder = builder
                .merchant_account(40, &t.gui, &[(1, &t.customer_pan), (2, &t.beneficiary_id)])
                .additional_data(8, &t.purpose);
        }
        if let Some(minor) = self.amount_minor {
            builder = builder.amount_minor(minor);
        }
        if let Some(postal) = &self.postal_code {
            builder = builder.postal_code(postal);
        }
        if let Some(bill) = &self.bill_number {
            builder = builder.additional_data(1, bill);
        }
        if let Some(label) = &self.terminal_label {
            builder = builder.additional_data(7, label);
        }
        Ok(builder.build()?)
    }
}
