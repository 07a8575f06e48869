//! Bharat QR and UPI inside EMV (India).
//!
//! A Bharat QR code gathers the merchant's card-network identifiers (02 Visa, 04 Mastercard,
//! 06 RuPay; see [`super::cards`]), 08 the IFSC and account number, and the NPCI templates with
//! AID `A000000524`: 26 the UPI virtual payment address (01) and minimum amount (02), 27 the
//! transaction reference (01) and reference URL (02). [`inspect`] reports the Bharat QR profile;
//! [`inspect_upi`] the UPI part on its own.
//!
//! ```
//! use qrpay_core::{decode, schemes::{self, bharatqr::{BharatQrBuilder, Upi}}};
//!
//! let text = BharatQrBuilder::new("shop@icici", "zxcbmn", "Delhi")
//!     .visa("4392630000000085")
//!     .transaction_reference("RZPGT8ildsFTgS5Sp")
//!     .amount_minor(110)
//!     .build()?;
//! let payload = decode(&text)?;
//! let ids: Vec<_> = schemes::detect(&payload).iter().map(|s| s.id.as_str()).collect();
//! assert_eq!(ids, ["bharatqr", "upi", "visa"]);
//! assert_eq!(Upi::from_payload(&payload).and_then(|u| u.vpa), Some("shop@icici"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use super::cards::CardNetwork;
use super::names::FieldNames;
use super::util::{self, Checker};
use super::{BuildError, Inspection, SchemeError, SchemeId};
use crate::emv::{DataObject, Payload, PayloadBuilder};
use crate::money::Amount;
use crate::tag::Tag;

/// AID of the NPCI templates (26, 27).
pub const AID_NPCI: &str = "A000000524";
/// Indian rupee, ISO 4217 numeric.
pub const CURRENCY: &str = "356";
/// India.
pub const COUNTRY: &str = "IN";

/// The UPI fields of an EMV code.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Upi<'p> {
    /// 26.01 the payee's virtual payment address.
    pub vpa: Option<&'p str>,
    /// 26.02 the minimum amount the payer may pay.
    pub minimum_amount: Option<&'p str>,
    /// 27.01 the transaction reference.
    pub transaction_reference: Option<&'p str>,
    /// 27.02 the reference URL.
    pub reference_url: Option<&'p str>,
}

impl<'p> Upi<'p> {
    /// The UPI view of `payload`, or `None` when it carries no NPCI template.
    #[must_use]
    pub fn from_payload(payload: &'p Payload<'_>) -> Option<Upi<'p>> {
        inspect_upi(payload).map(|i| i.view)
    }
}

/// The Bharat QR fields of a payload.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct BharatQr<'p> {
    /// 02 the Visa merchant id.
    pub visa: Option<&'p str>,
    /// 04 the Mastercard merchant id.
    pub mastercard: Option<&'p str>,
    /// 06 the RuPay merchant id.
    pub rupay: Option<&'p str>,
    /// 08 the IFSC followed by the account number.
    pub ifsc_account: Option<&'p str>,
    /// The UPI part.
    pub upi: Option<Upi<'p>>,
}

impl<'p> BharatQr<'p> {
    /// The Bharat QR view of `payload`, or `None` when it is not an Indian EMV code.
    #[must_use]
    pub fn from_payload(payload: &'p Payload<'_>) -> Option<BharatQr<'p>> {
        inspect(payload).map(|i| i.view)
    }

    /// The Bharat QR view of `payload` if it breaks no Bharat QR rule.
    ///
    /// # Errors
    /// [`SchemeError::NotPresent`] or the first [`SchemeError::Violation`].
    pub fn from_payload_strict(payload: &'p Payload<'_>) -> Result<BharatQr<'p>, SchemeError> {
        super::strict_view(SchemeId::BharatQr, payload, inspect)
    }
}

/// Whether `object` is an NPCI template: 26 or 27 with AID `A000000524` in 00.
fn is_npci(object: &DataObject<'_>) -> bool {
    matches!(object.tag().get(), 26 | 27) && object.gui() == Some(AID_NPCI)
}

fn npci<'p, 'a>(payload: &'p Payload<'a>, id: u8) -> Option<&'p DataObject<'a>> {
    payload.get(id).filter(|t| is_npci(t))
}

/// The names of an NPCI template's fields, when `template` is one: 26 the payee's account (01
/// virtual payment address, 02 minimum amount), 27 the transaction (01 reference, 02 reference
/// URL).
pub(super) fn template_names(
    _payload: &Payload<'_>,
    template: &DataObject<'_>,
) -> Option<FieldNames> {
    if !is_npci(template) {
        return None;
    }
    match template.tag().get() {
        26 => Some(account_names),
        _ => Some(transaction_names),
    }
}

fn account_names(sub: u8, nested: Option<u8>) -> Option<&'static str> {
    match (sub, nested) {
        (0, None) => Some("globally unique identifier (UPI)"),
        (1, None) => Some("virtual payment address"),
        (2, None) => Some("minimum amount"),
        _ => None,
    }
}

fn transaction_names(sub: u8, nested: Option<u8>) -> Option<&'static str> {
    match (sub, nested) {
        (0, None) => Some("globally unique identifier (UPI)"),
        (1, None) => Some("transaction reference"),
        (2, None) => Some("reference url"),
        _ => None,
    }
}

/// Whether `text` starts with an IFSC: four letters, a zero, six letters or digits.
#[must_use]
pub fn starts_with_ifsc(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() >= 11
        && b.iter().take(4).all(u8::is_ascii_uppercase)
        && b.get(4) == Some(&b'0')
        && b.iter()
            .skip(5)
            .take(6)
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// Finds the NPCI templates and checks the UPI rules.
#[must_use]
pub fn inspect_upi<'p>(payload: &'p Payload<'_>) -> Option<Inspection<Upi<'p>>> {
    let account = npci(payload, 26);
    let reference = npci(payload, 27);
    let location = account.or(reference)?.path();
    let mut ck = Checker::new(SchemeId::Upi);
    if let Some(t) = account {
        if let Some(vpa) = ck.require(t, 1, "virtual payment address (26.01)") {
            if !util::is_address(vpa.value()) {
                ck.bad_format(&vpa, "vpa", "name@handle");
            }
        }
        if let Some(min) = t
            .child(Tag::of(2))
            .filter(|m| Amount::parse(m.value()).is_err())
        {
            ck.bad_format(&min, "minimum amount", "an amount");
        }
    }
    Some(Inspection {
        view: Upi {
            vpa: account.and_then(|t| util::sub(t, 1)),
            minimum_amount: account.and_then(|t| util::sub(t, 2)),
            transaction_reference: reference.and_then(|t| util::sub(t, 1)),
            reference_url: reference.and_then(|t| util::sub(t, 2)),
        },
        location,
        violations: ck.found,
    })
}

/// Finds the Bharat QR objects and checks the Bharat QR rules. A code is Bharat QR when it is
/// for India (58 `IN`) and carries a card identifier (02–08) or an NPCI template.
#[must_use]
pub fn inspect<'p>(payload: &'p Payload<'_>) -> Option<Inspection<BharatQr<'p>>> {
    if payload.country_code() != Some(COUNTRY) {
        return None;
    }
    let first = payload
        .objects()
        .iter()
        .find(|o| (2..=8).contains(&o.tag().get()) || is_npci(o))?;
    let mut ck = Checker::new(SchemeId::BharatQr);
    let card = |network| {
        payload
            .merchant_accounts()
            .find(|o| CardNetwork::of_tag(o.tag().get(), Some(COUNTRY)) == Some(network))
            .map(DataObject::value)
    };
    let ifsc = payload.get(8);
    if let Some(i) = ifsc.filter(|i| !starts_with_ifsc(i.value())) {
        ck.bad_format(
            i,
            "ifsc and account (08)",
            "an IFSC (4 letters, 0, 6 letters or digits) then the account number",
        );
    }
    ck.currency(payload, &[CURRENCY], CURRENCY);
    Some(Inspection {
        view: BharatQr {
            visa: card(CardNetwork::Visa),
            mastercard: card(CardNetwork::Mastercard),
            rupay: card(CardNetwork::RuPay),
            ifsc_account: ifsc.map(DataObject::value),
            upi: Upi::from_payload(payload),
        },
        location: first.path(),
        violations: ck.found,
    })
}

/// Builds Bharat QR codes: a UPI address with, optionally, card-network identifiers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BharatQrBuilder {
    vpa: String,
    merchant_name: String,
    merchant_city: String,
    visa: Option<String>,
    mastercard: Option<String>,
    rupay: Option<String>,
    ifsc_account: Option<String>,
    minimum_amount_minor: Option<u64>,
    transaction_reference: Option<String>,
    amount_minor: Option<u64>,
    mcc: String,
    postal_code: Option<String>,
    reference: Option<String>,
    terminal_label: Option<String>,
}

impl BharatQrBuilder {
    /// A code paying the UPI address `vpa`.
    #[must_use]
    pub fn new(vpa: &str, merchant_name: &str, merchant_city: &str) -> BharatQrBuilder {
        BharatQrBuilder {
            vpa: vpa.to_owned(),
            merchant_name: merchant_name.to_owned(),
            merchant_city: merchant_city.to_owned(),
            visa: None,
            mastercard: None,
            rupay: None,
            ifsc_account: None,
            minimum_amount_minor: None,
            transaction_reference: None,
            amount_minor: None,
            mcc: "0000".to_owned(),
            postal_code: None,
            reference: None,
            terminal_label: None,
        }
    }

    /// 02 the Visa merchant id.
    #[must_use]
    pub fn visa(mut self, id: &str) -> BharatQrBuilder {
        self.visa = Some(id.to_owned());
        self
    }

    /// 04 the Mastercard merchant id.
    #[must_use]
    pub fn mastercard(mut self, id: &str) -> BharatQrBuilder {
        self.mastercard = Some(id.to_owned());
        self
    }

    /// 06 the RuPay merchant id.
    #[must_use]
    pub fn rupay(mut self, id: &str) -> BharatQrBuilder {
        self.rupay = Some(id.to_owned());
        self
    }

    /// 08 the IFSC followed by the account number.
    #[must_use]
    pub fn ifsc_account(mut self, ifsc_account: &str) -> BharatQrBuilder {
        self.ifsc_account = Some(ifsc_account.to_owned());
        self
    }

    /// 26.02 the minimum amount, in paise.
    #[must_use]
    pub fn minimum_amount_minor(mut self, paise: u64) -> BharatQrBuilder {
        self.minimum_amount_minor = Some(paise);
        self
    }

    /// 27.01 the transaction reference.
    #[must_use]
    pub fn transaction_reference(mut self, reference: &str) -> BharatQrBuilder {
        self.transaction_reference = Some(reference.to_owned());
        self
    }

    /// 54 the amount in paise; makes the code dynamic.
    #[must_use]
    pub fn amount_minor(mut self, paise: u64) -> BharatQrBuilder {
        self.amount_minor = Some(paise);
        self
    }

    /// 52 the merchant category code (`0000` by default).
    #[must_use]
    pub fn merchant_category_code(mut self, mcc: &str) -> BharatQrBuilder {
        mcc.clone_into(&mut self.mcc);
        self
    }

    /// 61 the postal code (PIN).
    #[must_use]
    pub fn postal_code(mut self, pin: &str) -> BharatQrBuilder {
        self.postal_code = Some(pin.to_owned());
        self
    }

    /// 62.05 the reference label.
    #[must_use]
    pub fn reference(mut self, reference: &str) -> BharatQrBuilder {
        self.reference = Some(reference.to_owned());
        self
    }

    /// 62.07 the terminal label.
    #[must_use]
    pub fn terminal_label(mut self, label: &str) -> BharatQrBuilder {
        self.terminal_label = Some(label.to_owned());
        self
    }

    /// Encodes the code.
    ///
    /// # Errors
    /// [`BuildError::Field`] for a malformed address, card id (digits; Visa and RuPay pass Luhn)
    /// or IFSC; [`BuildError::Encode`] from the EMV encoder.
    pub fn build(self) -> Result<String, BuildError> {
        if !util::is_address(&self.vpa) {
            return Err(BuildError::bad_format("vpa", &self.vpa, "name@handle"));
        }
        let mut builder = PayloadBuilder::new();
        for (tag, field, id, luhn) in [
            (2u8, "visa", &self.visa, true),
            (4, "mastercard", &self.mastercard, false),
            (6, "rupay", &self.rupay, true),
        ] {
            if let Some(id) = id {
                if !util::is_digits(id) || (luhn && id.len() == 16 && !util::luhn_ok(id)) {
                    return Err(BuildError::bad_format(
                        field,
                        id,
                        "digits passing the network's check",
                    ));
                }
                builder = builder.merchant_account_primitive(tag, id);
            }
        }
        if let Some(account) = &self.ifsc_account {
            if !starts_with_ifsc(account) {
                return Err(BuildError::bad_format(
                    "ifsc account",
                    account,
                    "an IFSC then the account number",
                ));
            }
            builder = builder.merchant_account_primitive(8, account);
        }
        let currency = util::home_currency(356, "INR")?;
        let minimum = self
            .minimum_amount_minor
            .map(|m| Amount::format_minor(m, currency.exponent()));
        let mut upi: Vec<(u8, &str)> = vec![(1, &self.vpa)];
        if let Some(m) = &minimum {
            upi.push((2, m));
        }
        let poi = util::point_of_initiation(None, self.amount_minor.is_some());
        builder = builder
            .point_of_initiation(poi)
            .merchant_account(26, AID_NPCI, &upi)
            .merchant_category_code(&self.mcc)
            .currency(currency)
            .country_code(COUNTRY)
            .merchant_name(&self.merchant_name)
            .merchant_city(&self.merchant_city);
        if let Some(reference) = &self.transaction_reference {
            builder = builder.merchant_account(27, AID_NPCI, &[(1, reference)]);
        }
        if let Some(minor) = self.amount_minor {
            builder = builder.amount_minor(minor);
        }
        if let Some(pin) = &self.postal_code {
            builder = builder.postal_code(pin);
        }
        if let Some(reference) = &self.reference {
            builder = builder.additional_data(5, reference);
        }
        if let Some(label) = &self.terminal_label {
            builder = builder.additional_data(7, label);
        }
        Ok(builder.build()?)
    }
}
