//! KHQR (Cambodia): the National Bank of Cambodia's profile of EMV MPM over Bakong.
//!
//! Individuals are paid through tag 29 and merchants through tag 30. Both put the Bakong account
//! id (`name@bank`, at most 32 characters) in 00 — where EMV expects a GUI — then, for 29, the
//! account information (01) and acquiring bank (02); for 30, the merchant id (01) and acquiring
//! bank (02). Tag 99 holds the creation (00) and expiration (01) timestamps in milliseconds since
//! the Unix epoch. Amounts are in riel (116, no decimals) or US dollars (840).
//!
//! ```
//! use qrpay_core::{decode, schemes::khqr::{Khqr, KhqrBuilder, KhqrKind}};
//!
//! let text = KhqrBuilder::individual("john_smith@devb", "John Smith", "Phnom Penh")
//!     .usd()
//!     .amount_minor(500)
//!     .bill_number("Invoice#069")
//!     .timestamps(1613438575892, None)
//!     .build()?;
//! let payload = decode(&text)?;
//! let view = Khqr::from_payload(&payload).expect("a KHQR code");
//! assert_eq!(view.kind, KhqrKind::Individual);
//! assert_eq!(view.bakong_account_id, "john_smith@devb");
//! assert_eq!(view.created_at_ms, Some(1613438575892));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use super::names::FieldNames;
use super::util::{self, Checker};
use super::{BuildError, Inspection, SchemeError, SchemeId, SchemeRule};
use crate::emv::{DataObject, Payload, PayloadBuilder};
use crate::money::{Amount, Currency};
use crate::tag::Tag;

/// Cambodian riel, ISO 4217 numeric.
pub const CURRENCY_KHR: &str = "116";
/// US dollar, ISO 4217 numeric.
pub const CURRENCY_USD: &str = "840";
/// Cambodia.
pub const COUNTRY: &str = "KH";
/// The longest Bakong account id, account information, merchant id or bank name.
pub const ID_LEN_MAX: usize = 32;

/// Whom a KHQR pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum KhqrKind {
    /// Tag 29: an individual's Bakong account.
    Individual,
    /// Tag 30: a merchant.
    Merchant,
}

/// The KHQR fields of a payload.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Khqr<'p> {
    /// Individual (29) or merchant (30).
    pub kind: KhqrKind,
    /// 00 the Bakong account id, `name@bank`.
    pub bakong_account_id: &'p str,
    /// 29.01 the account information (individuals).
    pub account_information: Option<&'p str>,
    /// 30.01 the merchant id (merchants).
    pub merchant_id: Option<&'p str>,
    /// 02 the acquiring bank.
    pub acquiring_bank: Option<&'p str>,
    /// 99.00 when the code was made, in milliseconds since the Unix epoch.
    pub created_at_ms: Option<u64>,
    /// 99.01 when the code expires, in milliseconds since the Unix epoch.
    pub expires_at_ms: Option<u64>,
    /// 62.02 the mobile number.
    pub mobile_number: Option<&'p str>,
    /// 62.03 the store label.
    pub store_label: Option<&'p str>,
}

impl<'p> Khqr<'p> {
    /// Whether the code has expired at `now_ms` (milliseconds since the Unix epoch); `None` when
    /// it carries no expiration timestamp. The library reads no clock: the caller passes the time.
    #[must_use]
    pub fn is_expired_at(&self, now_ms: u64) -> Option<bool> {
        self.expires_at_ms.map(|expiry| now_ms >= expiry)
    }

    /// The KHQR view of `payload`, or `None` when it is not a KHQR code.
    #[must_use]
    pub fn from_payload(payload: &'p Payload<'_>) -> Option<Khqr<'p>> {
        inspect(payload).map(|i| i.view)
    }

    /// The KHQR view of `payload` if it breaks no KHQR rule.
    ///
    /// # Errors
    /// [`SchemeError::NotPresent`] or the first [`SchemeError::Violation`].
    pub fn from_payload_strict(payload: &'p Payload<'_>) -> Result<Khqr<'p>, SchemeError> {
        super::strict_view(SchemeId::Khqr, payload, inspect)
    }
}

/// Whom `object` pays when it is a Bakong template: tag 29 (individual) or 30 (merchant) with a
/// Bakong account id (`name@bank`) in 00.
fn bakong_kind(object: &DataObject<'_>) -> Option<KhqrKind> {
    let kind = match object.tag().get() {
        29 => KhqrKind::Individual,
        30 => KhqrKind::Merchant,
        _ => return None,
    };
    object.gui().is_some_and(util::is_address).then_some(kind)
}

/// The Bakong template KHQR reads: 29 when it is one, else 30.
fn bakong_template<'p, 'a>(payload: &'p Payload<'a>) -> Option<(KhqrKind, &'p DataObject<'a>)> {
    [29u8, 30]
        .into_iter()
        .find_map(|id| payload.get(id).and_then(|t| Some((bakong_kind(t)?, t))))
}

/// The names of a KHQR template's fields, when `template` is one: a Bakong template (00 the
/// Bakong account id, 01 the account information or merchant id, 02 the acquiring bank) or, in
/// a KHQR code, the timestamp template 99 (00 creation, 01 expiration).
pub(super) fn template_names(
    payload: &Payload<'_>,
    template: &DataObject<'_>,
) -> Option<FieldNames> {
    match bakong_kind(template) {
        Some(KhqrKind::Individual) => Some(individual_names),
        Some(KhqrKind::Merchant) => Some(merchant_names),
        None if template.tag().get() == 99 && bakong_template(payload).is_some() => {
            Some(timestamp_names)
        }
        None => None,
    }
}

fn individual_names(sub: u8, nested: Option<u8>) -> Option<&'static str> {
    match (sub, nested) {
        (1, None) => Some("account information"),
        _ => bakong_names(sub, nested),
    }
}

fn merchant_names(sub: u8, nested: Option<u8>) -> Option<&'static str> {
    match (sub, nested) {
        (1, None) => Some("merchant id"),
        _ => bakong_names(sub, nested),
    }
}

fn bakong_names(sub: u8, nested: Option<u8>) -> Option<&'static str> {
    match (sub, nested) {
        (0, None) => Some("bakong account id"),
        (2, None) => Some("acquiring bank"),
        _ => None,
    }
}

fn timestamp_names(sub: u8, nested: Option<u8>) -> Option<&'static str> {
    match (sub, nested) {
        (0, None) => Some("creation timestamp"),
        (1, None) => Some("expiration timestamp"),
        _ => None,
    }
}

fn timestamp(ck: &mut Checker, object: Option<DataObject<'_>>, field: &'static str) -> Option<u64> {
    let object = object?;
    if ck.digits(
        &object,
        field,
        13,
        13,
        "13 digits (milliseconds since 1970)",
    ) {
        object.value().parse().ok()
    } else {
        None
    }
}

/// Finds the KHQR template and checks the KHQR rules. A code is KHQR when its tag 29 or 30
/// holds a Bakong account id (`name@bank`) in 00.
#[must_use]
pub fn inspect<'p>(payload: &'p Payload<'_>) -> Option<Inspection<Khqr<'p>>> {
    let (kind, t) = bakong_template(payload)?;
    let mut ck = Checker::new(SchemeId::Khqr);
    if let Some(id) = t.child(Tag::GUI) {
        ck.max_len(&id, "bakong account id", ID_LEN_MAX);
    }
    for sub in [1u8, 2] {
        if let Some(o) = Tag::new(sub).and_then(|tag| t.child(tag)) {
            ck.max_len(&o, "khqr account field", ID_LEN_MAX);
        }
    }
    if kind == KhqrKind::Merchant {
        ck.require(t, 1, "merchant id (30.01)");
        ck.require(t, 2, "acquiring bank (30.02)");
    }
    let stamps = payload.get(99);
    let created = timestamp(
        &mut ck,
        stamps.and_then(|s| s.child(Tag::of(0))),
        "creation timestamp",
    );
    let expires = timestamp(
        &mut ck,
        stamps.and_then(|s| s.child(Tag::of(1))),
        "expiration timestamp",
    );
    if let (Some(c), Some(e), Some(s)) = (created, expires, stamps) {
        if e <= c {
            ck.flag(s, SchemeRule::Conflict("khqr expires before it is created"));
        }
    }
    ck.currency(
        payload,
        &[CURRENCY_KHR, CURRENCY_USD],
        "116 (KHR) or 840 (USD)",
    );
    if let (Some(amount), Some(currency)) = (payload.get(54), payload.get(53)) {
        let whole = Amount::parse(amount.value()).is_ok_and(|a| a.to_minor(0).is_ok());
        if currency.value() == CURRENCY_KHR && !whole {
            ck.bad_format(amount, "riel amount", "whole riel, without decimals");
        }
    }
    ck.country(payload, COUNTRY);
    Some(Inspection {
        view: Khqr {
            kind,
            bakong_account_id: t.gui().unwrap_or_default(),
            account_information: (kind == KhqrKind::Individual)
                .then(|| util::sub(t, 1))
                .flatten(),
            merchant_id: (kind == KhqrKind::Merchant)
                .then(|| util::sub(t, 1))
                .flatten(),
            acquiring_bank: util::sub(t, 2),
            created_at_ms: created,
            expires_at_ms: expires,
            mobile_number: util::root_sub(payload, 62, 2),
            store_label: util::root_sub(payload, 62, 3),
        },
        location: t.path(),
        violations: ck.found,
    })
}

/// Builds KHQR codes.
///
/// Riel amounts are written without decimals, dollar amounts with two; the merchant category
/// code defaults to `5999` as the Bakong SDKs print it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KhqrBuilder {
    kind: KhqrKind,
    bakong_account_id: String,
    account_or_merchant_id: Option<String>,
    acquiring_bank: Option<String>,
    merchant_name: String,
    merchant_city: String,
    usd: bool,
    amount_minor: Option<u64>,
    mcc: String,
    additional: Vec<(u8, String)>,
    language: Option<(String, String, Option<String>)>,
    timestamps: Option<(u64, Option<u64>)>,
}

impl KhqrBuilder {
    fn new(kind: KhqrKind, bakong_account_id: &str, name: &str, city: &str) -> KhqrBuilder {
        KhqrBuilder {
            kind,
            bakong_account_id: bakong_account_id.to_owned(),
            account_or_merchant_id: None,
            acquiring_bank: None,
            merchant_name: name.to_owned(),
            merchant_city: city.to_owned(),
            usd: false,
            amount_minor: None,
            mcc: "5999".to_owned(),
            additional: Vec::new(),
            language: None,
            timestamps: None,
        }
    }

    /// A code paying an individual's Bakong account (tag 29).
    #[must_use]
    pub fn individual(bakong_account_id: &str, name: &str, city: &str) -> KhqrBuilder {
        KhqrBuilder::new(KhqrKind::Individual, bakong_account_id, name, city)
    }

    /// A code paying a merchant (tag 30) with its merchant id and acquiring bank.
    #[must_use]
    pub fn merchant(
        bakong_account_id: &str,
        merchant_id: &str,
        acquiring_bank: &str,
        name: &str,
        city: &str,
    ) -> KhqrBuilder {
        let mut b = KhqrBuilder::new(KhqrKind::Merchant, bakong_account_id, name, city);
        b.account_or_merchant_id = Some(merchant_id.to_owned());
        b.acquiring_bank = Some(acquiring_bank.to_owned());
        b
    }

    /// 29.01 the account information (individuals).
    #[must_use]
    pub fn account_information(mut self, info: &str) -> KhqrBuilder {
        if self.kind == KhqrKind::Individual {
            self.account_or_merchant_id = Some(info.to_owned());
        }
        self
    }

    /// 02 the acquiring bank.
    #[must_use]
    pub fn acquiring_bank(mut self, bank: &str) -> KhqrBuilder {
        self.acquiring_bank = Some(bank.to_owned());
        self
    }

    /// Use US dollars (840) rather than riel.
    #[must_use]
    pub fn usd(mut self) -> KhqrBuilder {
        self.usd = true;
        self
    }

    /// 54 the amount in ISO 4217 minor units (cents of the dollar, hundredths of the riel; a
    /// riel amount must be whole).
    #[must_use]
    pub fn amount_minor(mut self, minor: u64) -> KhqrBuilder {
        self.amount_minor = Some(minor);
        self
    }

    /// 52 the merchant category code (`5999` by default).
    #[must_use]
    pub fn merchant_category_code(mut self, mcc: &str) -> KhqrBuilder {
        mcc.clone_into(&mut self.mcc);
        self
    }

    fn additional(mut self, id: u8, value: &str) -> KhqrBuilder {
        self.additional.retain(|(i, _)| *i != id);
        self.additional.push((id, value.to_owned()));
        self
    }

    /// 62.01 the bill number.
    #[must_use]
    pub fn bill_number(self, bill: &str) -> KhqrBuilder {
        self.additional(1, bill)
    }

    /// 62.02 the mobile number.
    #[must_use]
    pub fn mobile_number(self, mobile: &str) -> KhqrBuilder {
        self.additional(2, mobile)
    }

    /// 62.03 the store label.
    #[must_use]
    pub fn store_label(self, label: &str) -> KhqrBuilder {
        self.additional(3, label)
    }

    /// 62.07 the terminal label.
    #[must_use]
    pub fn terminal_label(self, label: &str) -> KhqrBuilder {
        self.additional(7, label)
    }

    /// 62.08 the purpose of the transaction.
    #[must_use]
    pub fn purpose(self, purpose: &str) -> KhqrBuilder {
        self.additional(8, purpose)
    }

    /// 64 the merchant's name (and city) in another language.
    #[must_use]
    pub fn language(mut self, preference: &str, name: &str, city: Option<&str>) -> KhqrBuilder {
        self.language = Some((
            preference.to_owned(),
            name.to_owned(),
            city.map(str::to_owned),
        ));
        self
    }

    /// 99 the creation and, optionally, expiration timestamps in milliseconds since 1970. The
    /// builder does not read the clock; pass the time yourself.
    #[must_use]
    pub fn timestamps(mut self, created_at_ms: u64, expires_at_ms: Option<u64>) -> KhqrBuilder {
        self.timestamps = Some((created_at_ms, expires_at_ms));
        self
    }

    /// Encodes the code.
    ///
    /// # Errors
    /// [`BuildError::Field`] for a Bakong id that is not `name@bank`, a field over 32
    /// characters, a riel amount with a fraction, or timestamps out of order;
    /// [`BuildError::Encode`] from the EMV encoder.
    pub fn build(self) -> Result<String, BuildError> {
        let field_err = |field: &'static str, rule| BuildError::Field { field, rule };
        if !util::is_address(&self.bakong_account_id) {
            return Err(BuildError::bad_format(
                "bakong account id",
                &self.bakong_account_id,
                "name@bank",
            ));
        }
        for (field, value) in [
            ("bakong account id", Some(&self.bakong_account_id)),
            (
                "account or merchant id",
                self.account_or_merchant_id.as_ref(),
            ),
            ("acquiring bank", self.acquiring_bank.as_ref()),
        ] {
            SchemeRule::check_len(field, value.map_or("", String::as_str), ID_LEN_MAX)
                .map_err(|rule| field_err(field, rule))?;
        }
        let (numeric, exponent) = if self.usd { (840, 2) } else { (116, 0) };
        let currency = Currency::from_numeric(numeric).ok_or(field_err(
            "currency",
            SchemeRule::Missing {
                field: "KHR or USD",
            },
        ))?;
        let mut amount_text = None;
        if let Some(minor) = self.amount_minor {
            // ISO 4217 gives the riel two decimals, KHQR writes whole riel.
            let iso_exponent = currency.exponent();
            let value = if exponent < iso_exponent {
                let factor = 10u64.pow(u32::from(iso_exponent - exponent));
                if !minor.is_multiple_of(factor) {
                    return Err(field_err(
                        "amount",
                        SchemeRule::BadFormat {
                            field: "riel amount",
                            found: minor.to_string(),
                            expected: "whole riel (a multiple of 100 minor units)",
                        },
                    ));
                }
                minor / factor
            } else {
                minor
            };
            amount_text = Some(Amount::format_minor(value, exponent));
        }
        let poi = util::point_of_initiation(None, amount_text.is_some());
        let mut fields: Vec<(u8, &str)> = Vec::new();
        if let Some(id) = &self.account_or_merchant_id {
            fields.push((1, id));
        }
        if let Some(bank) = &self.acquiring_bank {
            fields.push((2, bank));
        }
        let tag = if self.kind == KhqrKind::Individual {
            29
        } else {
            30
        };
        let mut builder = PayloadBuilder::new()
            .lenient(true)
            .point_of_initiation(poi)
            .merchant_account(tag, &self.bakong_account_id, &fields)
            .merchant_category_code(&self.mcc)
            .currency(currency)
            .country_code(COUNTRY)
            .merchant_name(&self.merchant_name)
            .merchant_city(&self.merchant_city);
        if let Some(text) = &amount_text {
            builder = builder.amount(text);
        }
        for (id, value) in &self.additional {
            builder = builder.additional_data(*id, value);
        }
        if let Some((preference, name, city)) = &self.language {
            builder = builder.language_template(preference, name, city.as_deref());
        }
        let stamps = self
            .timestamps
            .map(|(c, e)| (c.to_string(), e.map(|e| e.to_string())));
        if let Some((created, expires)) = &stamps {
            if self
                .timestamps
                .is_some_and(|(c, e)| e.is_some_and(|e| e <= c))
            {
                return Err(field_err(
                    "timestamps",
                    SchemeRule::Conflict("khqr expires before it is created"),
                ));
            }
            let mut sub: Vec<(u8, &str)> = vec![(0, created)];
            if let Some(e) = expires {
                sub.push((1, e));
            }
            builder = builder.template(99, &sub);
        }
        Ok(builder.build()?)
    }
}
