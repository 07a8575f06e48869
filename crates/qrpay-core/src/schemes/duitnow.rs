//! DuitNow QR (Malaysia), operated by PayNet.
//!
//! The DuitNow template is a merchant account template with GUI `A0000006150001`. In the
//! published codes 01 carries the participant's (acquirer's) identifier and 02 the merchant's
//! account or proxy at that participant; 03, when present, is kept as the participant's merchant
//! category. Many DuitNow codes write payload format `02` in tag 00; the EMV decoder tolerates
//! and reports that.
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

use super::util::{self, Checker};
use super::{BuildError, Inspection, SchemeError, SchemeId, SchemeRule};
use crate::emv::{Payload, PayloadBuilder, PointOfInitiation};
use crate::money::Currency;

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
    /// 01 the participant (acquirer) id.
    pub participant_id: Option<&'p str>,
    /// 02 the merchant's account or proxy at the participant.
    pub merchant_account: Option<&'p str>,
    /// 03 the merchant category at the participant.
    pub merchant_category: Option<&'p str>,
    /// 00 the payload format indicator as written (`01`, or `02` as many DuitNow codes print).
    pub payload_format: Option<&'p str>,
}

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
        inspect(payload)
            .ok_or(SchemeError::NotPresent(SchemeId::DuitNow))?
            .into_strict()
    }
}

/// Finds the DuitNow template and checks the DuitNow rules.
#[must_use]
pub fn inspect<'p>(payload: &'p Payload<'_>) -> Option<Inspection<DuitNow<'p>>> {
    let t = util::account_template(payload, |g| g.eq_ignore_ascii_case(GUI))?;
    let mut ck = Checker::new(SchemeId::DuitNow);
    if let Some(p) = ck.require(t, 1, "participant id (01)") {
        ck.digits(&p, "participant id", 6, 13, "6 to 13 digits");
    }
    if let Some(a) = ck.require(t, 2, "merchant account (02)") {
        ck.max_len(&a, "merchant account", 40);
    }
    ck.currency(payload, &[CURRENCY], CURRENCY);
    ck.country(payload, COUNTRY);
    Some(Inspection {
        view: DuitNow {
            participant_id: util::sub(t, 1),
            merchant_account: util::sub(t, 2),
            merchant_category: util::sub(t, 3),
            payload_format: payload.payload_format_indicator(),
        },
        location: t.path(),
        violations: ck.found,
    })
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
        }
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

    /// Encodes the code (payload format `01`, as EMV requires).
    ///
    /// # Errors
    /// [`BuildError::Field`] for a participant id that is not 6 to 13 digits or an empty
    /// account; [`BuildError::Encode`] from the EMV encoder.
    pub fn build(self) -> Result<String, BuildError> {
        if !(util::is_digits(&self.participant_id) && (6..=13).contains(&self.participant_id.len()))
        {
            return Err(BuildError::Field {
                field: "participant id",
                rule: SchemeRule::BadFormat {
                    field: "participant id",
                    found: self.participant_id,
                    expected: "6 to 13 digits",
                },
            });
        }
        let currency = Currency::from_numeric(458).ok_or(BuildError::Field {
            field: "currency",
            rule: SchemeRule::Missing { field: "MYR" },
        })?;
        let poi = if self.amount_minor.is_some() {
            PointOfInitiation::Dynamic
        } else {
            PointOfInitiation::Static
        };
        let mut builder = PayloadBuilder::new()
            .point_of_initiation(poi)
            .merchant_account(
                26,
                GUI,
                &[(1, &self.participant_id), (2, &self.merchant_account)],
            )
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
        Ok(builder.build()?)
    }
}
