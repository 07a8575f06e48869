//! DuitNow QR (Malaysia), operated by PayNet.
//!
//! The DuitNow template is a merchant account template (26) with AID `A0000006150001` in 00.
//! PayNet's DuitNow National QR Code Standard, Merchant-Presented Mode (v1.5, "Merchant
//! Account Information (IDs 26–27)") defines its fields:
//!
//! | id | field | format | presence |
//! |---|---|---|---|
//! | 01 | acquirer id (PayNet's 6-digit participant code: `588734` Maybank, `890053` TNG…) | N ≤ 6 | M |
//! | 02 | QR id / merchant id, assigned by the acquirer (JomPAY: the biller code) | AN ≤ 28 | M |
//! | 03 | merchant descriptor, assigned by the acquirer | ANS ≤ 20 | O |
//! | 04 | merchant mobile number | ANS ≤ 15 | O |
//!
//! The same standard writes payload format indicator `02` in tag 00 ("Version 02") where EMV
//! says `01`; the EMV decoder tolerates and reports that, and the builder writes either.
//!
//! ```
//! use qrpay_core::{decode, schemes::duitnow::{DuitNow, DuitNowBuilder}};
//!
//! let text = DuitNowBuilder::new("501664", "123456789", "QRCSDNBHD", "BANGI")
//!     .merchant_category_code("9999")
//!     .amount_minor(1000)
//!     .build()?;
//! let payload = decode(&text)?;
//! let view = DuitNow::from_payload(&payload).expect("a DuitNow code");
//! assert_eq!(view.participant_id, Some("501664"));
//! assert_eq!(view.merchant_account, Some("123456789"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use super::names::FieldNames;
use super::util::{self, Checker};
use super::{BuildError, Inspection, SchemeError, SchemeId, SchemeRule};
use crate::emv::{
    DataObject, DecodeError, EncodeError, Payload, PayloadBuilder, PointOfInitiation,
};
use crate::tag::{Tag, TagPath};

/// GUI of the DuitNow template.
pub const GUI: &str = "A0000006150001";
/// Malaysian ringgit, ISO 4217 numeric.
pub const CURRENCY: &str = "458";
/// Malaysia.
pub const COUNTRY: &str = "MY";

/// The DuitNow fields of a payload.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct DuitNow<'p> {
    /// 01 the acquirer id (the participant's PayNet code).
    pub participant_id: Option<&'p str>,
    /// 02 the QR id or merchant id the acquirer assigned.
    pub merchant_account: Option<&'p str>,
    /// 03 the merchant descriptor the acquirer assigned.
    pub merchant_descriptor: Option<&'p str>,
    /// 04 the merchant's mobile number.
    pub mobile_number: Option<&'p str>,
    /// 00 the payload format indicator as written (`02` as DuitNow specifies, or EMV's `01`).
    pub payload_format: Option<&'p str>,
}

/// Longest acquirer id (01).
pub const ACQUIRER_ID_LEN_MAX: usize = 6;
/// Longest QR id / merchant id (02).
pub const MERCHANT_ACCOUNT_LEN_MAX: usize = 28;
/// Longest merchant descriptor (03).
pub const DESCRIPTOR_LEN_MAX: usize = 20;
/// Longest mobile number (04).
pub const MOBILE_LEN_MAX: usize = 15;

impl<'p> DuitNow<'p> {
    /// The DuitNow view of `payload`, or `None` when it carries no DuitNow template.
    #[must_use]
    pub fn from_payload(payload: &'p Payload<'_>) -> Option<DuitNow<'p>> {
        inspect(payload).map(|i| i.view)
    }

    /// The DuitNow view of `payload` if it breaks no DuitNow rule.
    ///
    /// # Errors
    /// [`SchemeError::NotPresent`] or the first [`SchemeError::Violation`].
    pub fn from_payload_strict(payload: &'p Payload<'_>) -> Result<DuitNow<'p>, SchemeError> {
        super::strict_view(SchemeId::DuitNow, payload, inspect)
    }
}

/// Finds the DuitNow template and checks the DuitNow rules.
#[must_use]
pub fn inspect<'p>(payload: &'p Payload<'_>) -> Option<Inspection<DuitNow<'p>>> {
    let t = util::account_template(payload, is_duitnow)?;
    let mut ck = Checker::new(SchemeId::DuitNow);
    if let Some(p) = ck.require(t, 1, "acquirer id (01)") {
        ck.digits(&p, "acquirer id", 1, ACQUIRER_ID_LEN_MAX, "1 to 6 digits");
    }
    if let Some(a) = ck.require(t, 2, "qr id or merchant id (02)") {
        ck.max_len(&a, "qr id or merchant id", MERCHANT_ACCOUNT_LEN_MAX);
    }
    let child = |id| Tag::new(id).and_then(|tag| t.child(tag));
    if let Some(d) = child(3) {
        ck.max_len(&d, "merchant descriptor", DESCRIPTOR_LEN_MAX);
    }
    if let Some(m) = child(4) {
        ck.max_len(&m, "mobile number", MOBILE_LEN_MAX);
    }
    ck.currency(payload, &[CURRENCY], CURRENCY);
    ck.country(payload, COUNTRY);
    Some(Inspection {
        view: DuitNow {
            participant_id: util::sub(t, 1),
            merchant_account: util::sub(t, 2),
            merchant_descriptor: util::sub(t, 3),
            mobile_number: util::sub(t, 4),
            payload_format: payload.payload_format_indicator(),
        },
        location: t.path(),
        violations: ck.found,
    })
}

fn is_duitnow(gui: &str) -> bool {
    gui.eq_ignore_ascii_case(GUI)
}

/// The names of the DuitNow template's fields (the table in the module documentation), when
/// `template` is it.
pub(super) fn template_names(
    _payload: &Payload<'_>,
    template: &DataObject<'_>,
) -> Option<FieldNames> {
    util::is_account_template(template, is_duitnow).then_some(names)
}

fn names(sub: u8, nested: Option<u8>) -> Option<&'static str> {
    match (sub, nested) {
        (0, None) => Some("globally unique identifier (DuitNow)"),
        (1, None) => Some("acquirer id"),
        (2, None) => Some("qr id or merchant id"),
        (3, None) => Some("merchant descriptor"),
        (4, None) => Some("merchant mobile number"),
        _ => None,
    }
}

/// Builds DuitNow QR codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuitNowBuilder {
    participant_id: String,
    merchant_account: String,
    merchant_name: String,
    merchant_city: String,
    mcc: String,
    amount_minor: Option<u64>,
    postal_code: Option<String>,
    reference: Option<String>,
    descriptor: Option<String>,
    mobile_number: Option<String>,
    paynet_format: bool,
    point_of_initiation: Option<PointOfInitiation>,
}

impl DuitNowBuilder {
    /// A code paying `merchant_account` at participant `participant_id`.
    #[must_use]
    pub fn new(
        participant_id: &str,
        merchant_account: &str,
        merchant_name: &str,
        merchant_city: &str,
    ) -> DuitNowBuilder {
        DuitNowBuilder {
            participant_id: participant_id.to_owned(),
            merchant_account: merchant_account.to_owned(),
            merchant_name: merchant_name.to_owned(),
            merchant_city: merchant_city.to_owned(),
            mcc: "0000".to_owned(),
            amount_minor: None,
            postal_code: None,
            reference: None,
            descriptor: None,
            mobile_number: None,
            paynet_format: false,
            point_of_initiation: None,
        }
    }

    /// 26.03 the merchant descriptor the acquirer assigned.
    #[must_use]
    pub fn merchant_descriptor(mut self, descriptor: &str) -> DuitNowBuilder {
        self.descriptor = Some(descriptor.to_owned());
        self
    }

    /// 26.04 the merchant's mobile number.
    #[must_use]
    pub fn mobile_number(mut self, mobile: &str) -> DuitNowBuilder {
        self.mobile_number = Some(mobile.to_owned());
        self
    }

    /// Writes payload format indicator `02`, as the DuitNow standard specifies and the
    /// scheme's own apps print, instead of EMV's `01`.
    #[must_use]
    pub fn paynet_format(mut self) -> DuitNowBuilder {
        self.paynet_format = true;
        self
    }

    /// 01 static or dynamic, when it should not follow from the amount (dynamic with an
    /// amount, static without).
    #[must_use]
    pub fn point_of_initiation(mut self, poi: PointOfInitiation) -> DuitNowBuilder {
        self.point_of_initiation = Some(poi);
        self
    }

    /// 52 the merchant category code (`0000` by default).
    #[must_use]
    pub fn merchant_category_code(mut self, mcc: &str) -> DuitNowBuilder {
        mcc.clone_into(&mut self.mcc);
        self
    }

    /// 54 the amount in sen; makes the code dynamic.
    #[must_use]
    pub fn amount_minor(mut self, sen: u64) -> DuitNowBuilder {
        self.amount_minor = Some(sen);
        self
    }

    /// 61 the postal code.
    #[must_use]
    pub fn postal_code(mut self, postal: &str) -> DuitNowBuilder {
        self.postal_code = Some(postal.to_owned());
        self
    }

    /// 62.05 the reference label.
    #[must_use]
    pub fn reference(mut self, reference: &str) -> DuitNowBuilder {
        self.reference = Some(reference.to_owned());
        self
    }

    /// Encodes the code (payload format `01`, as EMV requires, unless
    /// [`paynet_format`](Self::paynet_format)).
    ///
    /// # Errors
    /// [`BuildError::Field`] for an acquirer id that is not 1 to 6 digits, or a QR id,
    /// descriptor or mobile number longer than the standard allows; [`BuildError::Encode`]
    /// from the EMV encoder.
    pub fn build(self) -> Result<String, BuildError> {
        let id_len = self.participant_id.len();
        if !(util::is_digits(&self.participant_id) && (1..=ACQUIRER_ID_LEN_MAX).contains(&id_len)) {
            return Err(BuildError::bad_format(
                "acquirer id",
                &self.participant_id,
                "1 to 6 digits",
            ));
        }
        let limits = [
            (
                Some(&self.merchant_account),
                "qr id or merchant id",
                MERCHANT_ACCOUNT_LEN_MAX,
            ),
            (
                self.descriptor.as_ref(),
                "merchant descriptor",
                DESCRIPTOR_LEN_MAX,
            ),
            (self.mobile_number.as_ref(), "mobile number", MOBILE_LEN_MAX),
        ];
        for (value, field, len_max) in limits {
            SchemeRule::check_len(field, value.map_or("", String::as_str), len_max)
                .map_err(|rule| BuildError::Field { field, rule })?;
        }
        let currency = util::home_currency(458, "MYR")?;
        let poi = util::point_of_initiation(self.point_of_initiation, self.amount_minor.is_some());
        let mut account: Vec<(u8, &str)> =
            vec![(1, &self.participant_id), (2, &self.merchant_account)];
        if let Some(descriptor) = &self.descriptor {
            account.push((3, descriptor));
        }
        if let Some(mobile) = &self.mobile_number {
            account.push((4, mobile));
        }
        let mut builder = PayloadBuilder::new()
            .point_of_initiation(poi)
            .merchant_account(26, GUI, &account)
            .merchant_category_code(&self.mcc)
            .currency(currency)
            .country_code(COUNTRY)
            .merchant_name(&self.merchant_name)
            .merchant_city(&self.merchant_city);
        if let Some(minor) = self.amount_minor {
            builder = builder.amount_minor(minor);
        }
        if let Some(postal) = &self.postal_code {
            builder = builder.postal_code(postal);
        }
        if let Some(reference) = &self.reference {
            builder = builder.additional_data(5, reference);
        }
        if !self.paynet_format {
            return Ok(builder.build()?);
        }
        // EMV's strict check refuses `02`, so build leniently and check every other rule.
        let text = builder.object(0, "02").lenient(true).build()?;
        let format = TagPath::root(Tag::PAYLOAD_FORMAT);
        let decoded = crate::emv::decode(&text).map_err(EncodeError::Invalid)?;
        if let Some(v) = decoded.violations().iter().find(|v| v.path != format) {
            return Err(EncodeError::Invalid(DecodeError::Invalid(Box::new(v.clone()))).into());
        }
        Ok(text)
    }
}
