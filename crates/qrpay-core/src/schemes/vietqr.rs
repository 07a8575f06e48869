//! VietQR (Vietnam): the NAPAS 247 profile of EMV MPM.
//!
//! The VietQR template (usually tag 38) has GUI `A000000727`; its 01 is itself a template of
//! 00 the acquirer's BIN (6 digits) and 01 the account or card number; its 02 is the service code:
//! `QRIBFTTA` (transfer to an account), `QRIBFTTC` (to a card) or `QRPUSH` (merchant payment).
//! Amounts are whole dong; the purpose sits in 62.08.
//!
//! ```
//! use qrpay_core::{decode, schemes::vietqr::{Service, VietQr, VietQrBuilder}};
//!
//! let text = VietQrBuilder::account("970403", "0011012345678")
//!     .amount_minor(180000)
//!     .bill_number("NPS6869")
//!     .purpose("thanh toan don hang")
//!     .build()?;
//! // The dynamic example of the NAPAS QR format specification v1.5.2.
//! assert_eq!(text, "00020101021238570010A00000072701270006970403011300110123456780208QRIBFTTA530370454061800005802VN62340107NPS68690819thanh toan don hang63042E2E");
//! let payload = decode(&text)?;
//! let view = VietQr::from_payload(&payload).expect("a VietQR code");
//! assert_eq!(view.bin, Some("970403"));
//! assert_eq!(view.service, Some(Service::ToAccount));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use super::names::FieldNames;
use super::util::{self, Checker};
use super::{BuildError, Inspection, SchemeError, SchemeId, SchemeRule};
use crate::emv::{DataObject, Payload, PayloadBuilder};
use crate::tag::Tag;

/// GUI (AID) of the VietQR template.
pub const GUI: &str = "A000000727";
/// Vietnamese dong, ISO 4217 numeric.
pub const CURRENCY: &str = "704";
/// Vietnam.
pub const COUNTRY: &str = "VN";

/// The VietQR service (02).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Service {
    /// `QRIBFTTA`: interbank transfer to an account.
    ToAccount,
    /// `QRIBFTTC`: interbank transfer to a card.
    ToCard,
    /// `QRPUSH`: payment to a merchant.
    Push,
}

impl Service {
    /// The service code written in 02.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Service::ToAccount => "QRIBFTTA",
            Service::ToCard => "QRIBFTTC",
            Service::Push => "QRPUSH",
        }
    }

    fn from_code(code: &str) -> Option<Service> {
        [Service::ToAccount, Service::ToCard, Service::Push]
            .into_iter()
            .find(|s| s.code() == code)
    }
}

/// The VietQR fields of a payload.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct VietQr<'p> {
    /// 01.00 the acquirer's BIN.
    pub bin: Option<&'p str>,
    /// 01.01 the account or card number (or the merchant id for `QRPUSH`).
    pub account: Option<&'p str>,
    /// 02 the service code as written.
    pub service_code: Option<&'p str>,
    /// The service, when the code is one NAPAS defines.
    pub service: Option<Service>,
    /// 62.08 the purpose of the transfer.
    pub purpose: Option<&'p str>,
}

impl<'p> VietQr<'p> {
    /// The VietQR view of `payload`, or `None` when it carries no VietQR template.
    #[must_use]
    pub fn from_payload(payload: &'p Payload<'_>) -> Option<VietQr<'p>> {
        inspect(payload).map(|i| i.view)
    }

    /// The VietQR view of `payload` if it breaks no VietQR rule.
    ///
    /// # Errors
    /// [`SchemeError::NotPresent`] or the first [`SchemeError::Violation`].
    pub fn from_payload_strict(payload: &'p Payload<'_>) -> Result<VietQr<'p>, SchemeError> {
        super::strict_view(SchemeId::VietQr, payload, inspect)
    }
}

/// Finds the VietQR template and checks the NAPAS rules.
#[must_use]
pub fn inspect<'p>(payload: &'p Payload<'_>) -> Option<Inspection<VietQr<'p>>> {
    let t = util::account_template(payload, is_vietqr)?;
    let mut ck = Checker::new(SchemeId::VietQr);
    let mut bin = None;
    let mut account = None;
    if let Some(beneficiary) = ck.require(t, 1, "beneficiary organisation (01)") {
        match beneficiary.split() {
            Ok(subs) => {
                let find = |id| subs.iter().find(|o| o.tag().get() == id).map(|o| o.value());
                bin = find(0);
                account = find(1);
                if !bin.is_some_and(|b| b.len() == 6 && util::is_digits(b)) {
                    ck.flag(
                        &beneficiary,
                        SchemeRule::BadFormat {
                            field: "acquirer bin (01.00)",
                            found: bin.unwrap_or_default().to_owned(),
                            expected: "6 digits",
                        },
                    );
                }
                match account.map(|a| SchemeRule::check_len("account or card number", a, 19)) {
                    None => ck.flag(
                        &beneficiary,
                        SchemeRule::Missing {
                            field: "account or card number (01.01)",
                        },
                    ),
                    Some(Err(rule)) => ck.flag(&beneficiary, rule),
                    Some(Ok(())) => {}
                }
            }
            Err(cause) => ck.flag(
                &beneficiary,
                SchemeRule::NotTemplate {
                    field: "beneficiary organisation (01)",
                    expected: "00 BIN and 01 account",
                    cause,
                },
            ),
        }
    }
    let service_code = ck.require(t, 2, "service code (02)");
    let service = service_code.and_then(|s| {
        let service = Service::from_code(s.value());
        if service.is_none() {
            ck.flag(
                &s,
                SchemeRule::UnknownValue {
                    field: "service code",
                    found: s.value().to_owned(),
                    allowed: "QRIBFTTA, QRIBFTTC, QRPUSH",
                },
            );
        }
        service
    });
    if let (Some(Service::ToCard), Some(card)) = (service, account) {
        if !(util::is_digits(card) && (16..=19).contains(&card.len())) {
            ck.flag_at(
                t.path().child(Tag::of(1)).unwrap_or(t.path()),
                t.offset(),
                SchemeRule::BadFormat {
                    field: "card number",
                    found: card.to_owned(),
                    expected: "16 to 19 digits",
                },
            );
        }
    }
    ck.currency(payload, &[CURRENCY], CURRENCY);
    ck.country(payload, COUNTRY);
    Some(Inspection {
        view: VietQr {
            bin,
            account,
            service_code: service_code.map(|s| s.value()),
            service,
            purpose: util::root_sub(payload, 62, 8),
        },
        location: t.path(),
        violations: ck.found,
    })
}

fn is_vietqr(gui: &str) -> bool {
    gui.eq_ignore_ascii_case(GUI)
}

/// The names of the VietQR template's fields, when `template` is it: 01 the beneficiary
/// organisation, itself 00 the acquirer BIN and 01 the account or card number; 02 the service
/// code.
pub(super) fn template_names(
    _payload: &Payload<'_>,
    template: &DataObject<'_>,
) -> Option<FieldNames> {
    util::is_account_template(template, is_vietqr).then_some(names)
}

fn names(sub: u8, nested: Option<u8>) -> Option<&'static str> {
    match (sub, nested) {
        (0, None) => Some("globally unique identifier (VietQR)"),
        (1, None) => Some("beneficiary organisation"),
        (1, Some(0)) => Some("acquirer bin"),
        (1, Some(1)) => Some("account or card number"),
        (2, None) => Some("service code"),
        _ => None,
    }
}

/// Builds VietQR codes (tag 38).
///
/// Static (`11`) without an amount, dynamic (`12`) with one, as NAPAS's examples show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VietQrBuilder {
    bin: String,
    account: String,
    service: Service,
    amount_minor: Option<u64>,
    bill_number: Option<String>,
    purpose: Option<String>,
    merchant_name: Option<String>,
    merchant_city: Option<String>,
}

impl VietQrBuilder {
    fn new(bin: &str, account: &str, service: Service) -> VietQrBuilder {
        VietQrBuilder {
            bin: bin.to_owned(),
            account: account.to_owned(),
            service,
            amount_minor: None,
            bill_number: None,
            purpose: None,
            merchant_name: None,
            merchant_city: None,
        }
    }

    /// A transfer to account `account` at the bank with BIN `bin`.
    #[must_use]
    pub fn account(bin: &str, account: &str) -> VietQrBuilder {
        VietQrBuilder::new(bin, account, Service::ToAccount)
    }

    /// A transfer to card `card` at the bank with BIN `bin`.
    #[must_use]
    pub fn card(bin: &str, card: &str) -> VietQrBuilder {
        VietQrBuilder::new(bin, card, Service::ToCard)
    }

    /// 54 the amount in dong.
    #[must_use]
    pub fn amount_minor(mut self, dong: u64) -> VietQrBuilder {
        self.amount_minor = Some(dong);
        self
    }

    /// 62.01 the bill number.
    #[must_use]
    pub fn bill_number(mut self, bill: &str) -> VietQrBuilder {
        self.bill_number = Some(bill.to_owned());
        self
    }

    /// 62.08 the purpose of the transfer.
    #[must_use]
    pub fn purpose(mut self, purpose: &str) -> VietQrBuilder {
        self.purpose = Some(purpose.to_owned());
        self
    }

    /// 59 the merchant name (left out by default, as NAPAS's examples do).
    #[must_use]
    pub fn merchant_name(mut self, name: &str) -> VietQrBuilder {
        self.merchant_name = Some(name.to_owned());
        self
    }

    /// 60 the merchant city.
    #[must_use]
    pub fn merchant_city(mut self, city: &str) -> VietQrBuilder {
        self.merchant_city = Some(city.to_owned());
        self
    }

    /// Encodes the code.
    ///
    /// # Errors
    /// [`BuildError::Field`] for a BIN that is not 6 digits, an account over 19 characters or
    /// a card that is not 16–19 digits; [`BuildError::Encode`] from the EMV encoder.
    pub fn build(self) -> Result<String, BuildError> {
        if !(self.bin.len() == 6 && util::is_digits(&self.bin)) {
            return Err(BuildError::bad_format("bin", &self.bin, "6 digits"));
        }
        let len = self.account.chars().count();
        if len == 0 || len > 19 {
            return Err(BuildError::bad_format(
                "account",
                &self.account,
                "1 to 19 characters",
            ));
        }
        if self.service == Service::ToCard
            && !(util::is_digits(&self.account) && (16..=19).contains(&len))
        {
            return Err(BuildError::bad_format(
                "card",
                &self.account,
                "16 to 19 digits",
            ));
        }
        let mut beneficiary = String::new();
        util::push_tlv(&mut beneficiary, "bin", 0, &self.bin)?;
        util::push_tlv(&mut beneficiary, "account", 1, &self.account)?;
        let currency = util::home_currency(704, "VND")?;
        let poi = util::point_of_initiation(None, self.amount_minor.is_some());
        let mut builder = PayloadBuilder::new()
            .lenient(true)
            .point_of_initiation(poi)
            .merchant_account(38, GUI, &[(1, &beneficiary), (2, self.service.code())])
            .currency(currency)
            .country_code(COUNTRY);
        if let Some(minor) = self.amount_minor {
            builder = builder.amount_minor(minor);
        }
        if let Some(bill) = &self.bill_number {
            builder = builder.additional_data(1, bill);
        }
        if let Some(purpose) = &self.purpose {
            builder = builder.additional_data(8, purpose);
        }
        if let Some(name) = &self.merchant_name {
            builder = builder.merchant_name(name);
        }
        if let Some(city) = &self.merchant_city {
            builder = builder.merchant_city(city);
        }
        Ok(builder.build()?)
    }
}
