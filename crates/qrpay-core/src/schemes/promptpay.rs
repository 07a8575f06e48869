//! PromptPay (Thailand): the Thai QR Code Payment Standard of the Bank of Thailand.
//!
//! Credit transfers sit in tag 29 with AID `A000000677010111` and exactly one proxy: 01 a mobile
//! number written `0066` + the number without its leading 0 (13 digits), 02 a national id or tax
//! id (13 digits with a check digit), 03 an e-wallet id (15 digits), 04 a bank account. Bill
//! payments sit in tag 30 with AID `A000000677010112`: 01 the biller id, 02 reference 1, 03
//! reference 2, and reference 3 in 62.07. PromptPay codes omit 52, 59 and 60.
//!
//! TrueMoney Wallet prints an e-wallet proxy `14000` + the 10-digit mobile number and may add a
//! personal message in tag 81, as UCS-2 code units in hexadecimal; other apps ignore 81.
//!
//! ```
//! use qrpay_core::{decode, schemes::promptpay::{normalize_mobile, PromptPay, PromptPayBuilder, ProxyType}};
//!
//! assert_eq!(normalize_mobile("+66-89-123-4567").as_deref(), Some("0066891234567"));
//! let text = PromptPayBuilder::truemoney("0801111111")?
//!     .amount_minor(1005)
//!     .message("Hello World!")
//!     .build()?;
//! let payload = decode(&text)?;
//! let view = PromptPay::from_payload(&payload).expect("a PromptPay code");
//! assert_eq!(view.proxy.map(|p| p.kind), Some(ProxyType::EWallet));
//! assert_eq!(view.truemoney_mobile, Some("0801111111"));
//! assert_eq!(view.message.as_deref(), Some("Hello World!"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use super::names::FieldNames;
use super::util::{self, Checker};
use super::{BuildError, Inspection, SchemeError, SchemeId, SchemeRule};
use crate::emv::{DataObject, Payload, PayloadBuilder, PointOfInitiation};
use crate::tag::Tag;

/// AID of the credit-transfer template (tag 29).
pub const AID_CREDIT_TRANSFER: &str = "A000000677010111";
/// AID of the bill-payment template (tag 30).
pub const AID_BILL_PAYMENT: &str = "A000000677010112";
/// Thai baht, ISO 4217 numeric.
pub const CURRENCY: &str = "764";
/// Thailand.
pub const COUNTRY: &str = "TH";
/// The prefix TrueMoney puts before the 10-digit mobile number in an e-wallet id.
pub const TRUEMONEY_PREFIX: &str = "14000";
/// Longest biller reference (30.02, 30.03).
pub const REFERENCE_LEN_MAX: usize = 20;

/// What a credit transfer's proxy is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum ProxyType {
    /// 29.01 a mobile number, `0066` + 9 digits.
    Mobile,
    /// 29.02 a national id or a juristic tax id, 13 digits.
    NationalId,
    /// 29.03 an e-wallet id, 15 digits.
    #[cfg_attr(feature = "serde", serde(rename = "ewallet"))]
    EWallet,
    /// 29.04 a bank account number.
    BankAccount,
}

impl ProxyType {
    /// The sub-object id the proxy sits in.
    #[must_use]
    pub const fn sub_id(self) -> u8 {
        match self {
            ProxyType::Mobile => 1,
            ProxyType::NationalId => 2,
            ProxyType::EWallet => 3,
            ProxyType::BankAccount => 4,
        }
    }

    /// The field's name in a listing.
    const fn field_name(self) -> &'static str {
        match self {
            ProxyType::Mobile => "mobile number",
            ProxyType::NationalId => "national id or tax id",
            ProxyType::EWallet => "e-wallet id",
            ProxyType::BankAccount => "bank account number",
        }
    }

    fn from_sub_id(id: u8) -> Option<ProxyType> {
        match id {
            1 => Some(ProxyType::Mobile),
            2 => Some(ProxyType::NationalId),
            3 => Some(ProxyType::EWallet),
            4 => Some(ProxyType::BankAccount),
            _ => None,
        }
    }
}

/// A credit transfer's proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Proxy<'p> {
    /// The kind of proxy.
    pub kind: ProxyType,
    /// The proxy as written (`0066801234567`).
    pub value: &'p str,
}

/// A bill payment (tag 30).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct BillPayment<'p> {
    /// 30.01 the biller id: the biller's tax id and a 2-digit suffix.
    pub biller_id: &'p str,
    /// 30.02 reference 1.
    pub ref1: Option<&'p str>,
    /// 30.03 reference 2.
    pub ref2: Option<&'p str>,
    /// 62.07 reference 3.
    pub ref3: Option<&'p str>,
}

/// The PromptPay fields of a payload.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PromptPay<'p> {
    /// 29 the credit transfer's proxy.
    pub proxy: Option<Proxy<'p>>,
    /// 30 the bill payment.
    pub bill_payment: Option<BillPayment<'p>>,
    /// The TrueMoney mobile number, when the e-wallet id is a TrueMoney wallet.
    pub truemoney_mobile: Option<&'p str>,
    /// 81 TrueMoney's personal message, decoded.
    pub message: Option<String>,
}

impl<'p> PromptPay<'p> {
    /// The PromptPay view of `payload`, or `None` when it carries no PromptPay template.
    #[must_use]
    pub fn from_payload(payload: &'p Payload<'_>) -> Option<PromptPay<'p>> {
        inspect(payload).map(|i| i.view)
    }

    /// The PromptPay view of `payload` if it breaks no PromptPay rule.
    ///
    /// # Errors
    /// [`SchemeError::NotPresent`] or the first [`SchemeError::Violation`].
    pub fn from_payload_strict(payload: &'p Payload<'_>) -> Result<PromptPay<'p>, SchemeError> {
        super::strict_view(SchemeId::PromptPay, payload, inspect)
    }
}

/// Normalises a Thai mobile number the way PromptPay apps do: drop separators, replace the
/// leading 0 (or the country code 66) and left-pad to 13 digits — `081-234-5678`, `+66812345678`
/// and `0066812345678` all become `0066812345678`. `None` for anything else.
#[must_use]
pub fn normalize_mobile(input: &str) -> Option<String> {
    if !input
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '+' | '(' | ')' | '.'))
    {
        return None;
    }
    let digits: String = input.chars().filter(char::is_ascii_digit).collect();
    // The digit count decides which prefix is the country code: `0066000000` is the trunk
    // 0 and the nine digits 066000000 (as promptpay-qr reads it), not 0066 and six digits.
    let national = match digits.len() {
        10 => digits.strip_prefix('0'),
        11 => digits.strip_prefix("66"),
        13 => digits.strip_prefix("0066"),
        _ => None,
    }?;
    Some(format!("0066{national}"))
}

/// Whether a 13-digit Thai national id or tax id has the right check digit (mod 11).
#[must_use]
pub fn thai_id_valid(id: &str) -> bool {
    let d = util::digit_values(id);
    if d.len() != 13 {
        return false;
    }
    let sum: u32 = d
        .iter()
        .take(12)
        .zip((2..=13u32).rev())
        .map(|(x, w)| x * w)
        .sum();
    d.get(12) == Some(&((11 - sum % 11) % 10))
}

/// Decodes a TrueMoney tag 81: UCS-2 code units, four hexadecimal digits each.
#[must_use]
pub fn decode_message(hex: &str) -> Option<String> {
    if hex.is_empty() || !hex.len().is_multiple_of(4) || !hex.is_ascii() {
        return None;
    }
    let units: Option<Vec<u16>> = (0..hex.len() / 4)
        .map(|i| {
            hex.get(i * 4..i * 4 + 4)
                .and_then(|h| u16::from_str_radix(h, 16).ok())
        })
        .collect();
    String::from_utf16(&units?).ok()
}

/// Encodes a message for tag 81; `None` when a character lies outside the Basic Multilingual
/// Plane (UCS-2 cannot carry it).
#[must_use]
pub fn encode_message(message: &str) -> Option<String> {
    message
        .chars()
        .map(|c| u16::try_from(u32::from(c)).ok().map(|u| format!("{u:04X}")))
        .collect()
}

/// Whether `object` is root template `id` with AID `aid` in its 00.
fn is_template(object: &DataObject<'_>, id: u8, aid: &str) -> bool {
    object.tag().get() == id && object.gui() == Some(aid)
}

fn template<'p, 'a>(payload: &'p Payload<'a>, id: u8, aid: &str) -> Option<&'p DataObject<'a>> {
    payload.get(id).filter(|t| is_template(t, id, aid))
}

/// Finds the PromptPay templates and checks the PromptPay rules.
#[must_use]
pub fn inspect<'p>(payload: &'p Payload<'_>) -> Option<Inspection<PromptPay<'p>>> {
    let transfer = template(payload, 29, AID_CREDIT_TRANSFER);
    let bill = template(payload, 30, AID_BILL_PAYMENT);
    let location = transfer.or(bill)?.path();
    let mut ck = Checker::new(SchemeId::PromptPay);

    let mut proxy = None;
    let mut truemoney_mobile = None;
    if let Some(t) = transfer {
        let proxies: Vec<(ProxyType, DataObject<'_>)> = t
            .children()
            .into_iter()
            .flatten()
            .filter_map(|c| ProxyType::from_sub_id(c.tag().get()).map(|k| (k, c)))
            .collect();
        match proxies.as_slice() {
            [] => ck.flag(
                t,
                SchemeRule::Missing {
                    field: "proxy (29.01 to 29.04)",
                },
            ),
            [(kind, object)] => {
                check_proxy(&mut ck, *kind, object);
                proxy = Some(Proxy {
                    kind: *kind,
                    value: object.value(),
                });
                if *kind == ProxyType::EWallet {
                    truemoney_mobile = object
                        .value()
                        .strip_prefix(TRUEMONEY_PREFIX)
                        .filter(|m| m.len() == 10 && m.starts_with('0'));
                }
            }
            _ => ck.flag(
                t,
                SchemeRule::Conflict("credit transfer carries more than one proxy"),
            ),
        }
    }

    let mut bill_payment = None;
    if let Some(t) = bill {
        let biller = ck.require(t, 1, "biller id (30.01)");
        if let Some(b) = biller {
            ck.digits(
                &b,
                "biller id",
                13,
                15,
                "13 to 15 digits (tax id and suffix)",
            );
        }
        if ck.require(t, 2, "reference 1 (30.02)").is_none() {
            // Reported by require.
        }
        for id in [2u8, 3] {
            if let Some(r) = Tag::new(id).and_then(|tag| t.child(tag)) {
                ck.max_len(&r, "biller reference", REFERENCE_LEN_MAX);
            }
        }
        bill_payment = biller.map(|b| BillPayment {
            biller_id: b.value(),
            ref1: util::sub(t, 2),
            ref2: util::sub(t, 3),
            ref3: util::root_sub(payload, 62, 7),
        });
    }

    let mut message = None;
    if let Some(m) = payload.get(81) {
        message = decode_message(m.value());
        if message.is_none() {
            ck.bad_format(
                m,
                "truemoney message (81)",
                "UCS-2 code units in hexadecimal",
            );
        }
    }
    ck.currency(payload, &[CURRENCY], CURRENCY);
    ck.country(payload, COUNTRY);

    Some(Inspection {
        view: PromptPay {
            proxy,
            bill_payment,
            truemoney_mobile,
            message,
        },
        location,
        violations: ck.found,
    })
}

/// The names of a PromptPay template's fields, when `template` is one: the credit-transfer
/// template 29 (01–04 the proxies) or the bill-payment template 30 (01 biller id, 02 and 03
/// references 1 and 2), as the Thai QR Code Payment Standard lays them out; in a bill payment,
/// also the additional data 62, whose 07 carries reference 3 (see the module documentation).
pub(super) fn template_names(
    payload: &Payload<'_>,
    template: &DataObject<'_>,
) -> Option<FieldNames> {
    if is_template(template, 29, AID_CREDIT_TRANSFER) {
        Some(credit_transfer_names)
    } else if is_template(template, 30, AID_BILL_PAYMENT) {
        Some(bill_payment_names)
    } else if template.tag() == Tag::ADDITIONAL_DATA
        && self::template(payload, 30, AID_BILL_PAYMENT).is_some()
    {
        Some(bill_additional_data_names)
    } else {
        None
    }
}

/// Only 07 has a PromptPay meaning; the other fields of 62 keep EMV's names.
fn bill_additional_data_names(sub: u8, nested: Option<u8>) -> Option<&'static str> {
    match (sub, nested) {
        (7, None) => Some("terminal label (reference 3)"),
        _ => None,
    }
}

fn credit_transfer_names(sub: u8, nested: Option<u8>) -> Option<&'static str> {
    match (sub, nested) {
        (0, None) => Some("globally unique identifier (PromptPay)"),
        (_, None) => ProxyType::from_sub_id(sub).map(ProxyType::field_name),
        _ => None,
    }
}

fn bill_payment_names(sub: u8, nested: Option<u8>) -> Option<&'static str> {
    match (sub, nested) {
        (0, None) => Some("globally unique identifier (PromptPay bill payment)"),
        (1, None) => Some("biller id"),
        (2, None) => Some("reference 1"),
        (3, None) => Some("reference 2"),
        _ => None,
    }
}

fn check_proxy(ck: &mut Checker, kind: ProxyType, object: &DataObject<'_>) {
    match kind {
        ProxyType::Mobile => {
            if !(util::is_digits(object.value())
                && object.value().len() == 13
                && object.value().starts_with("0066"))
            {
                ck.bad_format(
                    object,
                    "mobile proxy",
                    "0066 followed by the 9-digit national number",
                );
            }
        }
        ProxyType::NationalId => {
            if ck.digits(object, "national id", 13, 13, "13 digits")
                && !thai_id_valid(object.value())
            {
                ck.flag(
                    object,
                    SchemeRule::BadCheckDigit {
                        field: "national id",
                        found: object.value().to_owned(),
                    },
                );
            }
        }
        ProxyType::EWallet => {
            ck.digits(object, "e-wallet id", 15, 15, "15 digits");
        }
        ProxyType::BankAccount => {
            ck.digits(object, "bank account", 1, 43, "digits");
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    Transfer(ProxyType, String),
    Bill {
        biller_id: String,
        ref1: String,
        ref2: Option<String>,
        ref3: Option<String>,
    },
}

/// Builds PromptPay codes: credit transfers to a proxy, TrueMoney wallets, and bill payments.
///
/// The point of initiation defaults to static (`11`) without an amount and dynamic (`12`) with
/// one, as the PromptPay apps print them; tags 52, 59 and 60 are left out unless given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromptPayBuilder {
    target: Target,
    amount_minor: Option<u64>,
    point_of_initiation: Option<PointOfInitiation>,
    merchant_name: Option<String>,
    merchant_city: Option<String>,
    message: Option<String>,
}

impl PromptPayBuilder {
    fn new(target: Target) -> PromptPayBuilder {
        PromptPayBuilder {
            target,
            amount_minor: None,
            point_of_initiation: None,
            merchant_name: None,
            merchant_city: None,
            message: None,
        }
    }

    /// A transfer to a mobile number, normalised with [`normalize_mobile`].
    ///
    /// # Errors
    /// [`BuildError::Field`] when `phone` is not a Thai mobile number.
    pub fn mobile(phone: &str) -> Result<PromptPayBuilder, BuildError> {
        let normal = normalize_mobile(phone).ok_or_else(|| {
            BuildError::bad_format("mobile", phone, "a Thai mobile number (0 + 9 digits)")
        })?;
        Ok(PromptPayBuilder::new(Target::Transfer(
            ProxyType::Mobile,
            normal,
        )))
    }

    /// A transfer to a national id or tax id (13 digits; dashes allowed).
    ///
    /// # Errors
    /// [`BuildError::Field`] for a wrong length or check digit.
    pub fn national_id(id: &str) -> Result<PromptPayBuilder, BuildError> {
        let digits: String = id.chars().filter(|&c| c != '-' && c != ' ').collect();
        if !(util::is_digits(&digits) && digits.len() == 13) {
            return Err(BuildError::bad_format("national id", id, "13 digits"));
        }
        if !thai_id_valid(&digits) {
            return Err(BuildError::Field {
                field: "national id",
                rule: SchemeRule::BadCheckDigit {
                    field: "national id",
                    found: digits,
                },
            });
        }
        Ok(PromptPayBuilder::new(Target::Transfer(
            ProxyType::NationalId,
            digits,
        )))
    }

    /// A transfer to an e-wallet id (15 digits).
    ///
    /// # Errors
    /// [`BuildError::Field`] when `id` is not 15 digits.
    pub fn ewallet(id: &str) -> Result<PromptPayBuilder, BuildError> {
        if !(util::is_digits(id) && id.len() == 15) {
            return Err(BuildError::bad_format("e-wallet id", id, "15 digits"));
        }
        Ok(PromptPayBuilder::new(Target::Transfer(
            ProxyType::EWallet,
            id.to_owned(),
        )))
    }

    /// A transfer to a bank account (29.04, digits).
    ///
    /// # Errors
    /// [`BuildError::Field`] when `account` is not 1 to 43 digits (dashes allowed).
    pub fn bank_account(account: &str) -> Result<PromptPayBuilder, BuildError> {
        let digits: String = account.chars().filter(|&c| c != '-').collect();
        if !(util::is_digits(&digits) && digits.len() <= 43) {
            return Err(BuildError::bad_format(
                "bank account",
                account,
                "1 to 43 digits",
            ));
        }
        Ok(PromptPayBuilder::new(Target::Transfer(
            ProxyType::BankAccount,
            digits,
        )))
    }

    /// A transfer to a TrueMoney wallet: the e-wallet id `14000` + the 10-digit mobile number.
    ///
    /// # Errors
    /// [`BuildError::Field`] when `mobile` is not 10 digits starting with 0.
    pub fn truemoney(mobile: &str) -> Result<PromptPayBuilder, BuildError> {
        if !(util::is_digits(mobile) && mobile.len() == 10 && mobile.starts_with('0')) {
            return Err(BuildError::bad_format(
                "truemoney mobile",
                mobile,
                "10 digits starting with 0",
            ));
        }
        PromptPayBuilder::ewallet(&format!("{TRUEMONEY_PREFIX}{mobile}"))
    }

    /// A bill payment to `biller_id` (13 to 15 digits) with reference 1.
    ///
    /// # Errors
    /// [`BuildError::Field`] for a malformed biller id or reference.
    pub fn bill_payment(biller_id: &str, ref1: &str) -> Result<PromptPayBuilder, BuildError> {
        if !(util::is_digits(biller_id) && (13..=15).contains(&biller_id.len())) {
            return Err(BuildError::bad_format(
                "biller id",
                biller_id,
                "13 to 15 digits",
            ));
        }
        check_reference("reference 1", ref1)?;
        Ok(PromptPayBuilder::new(Target::Bill {
            biller_id: biller_id.to_owned(),
            ref1: ref1.to_owned(),
            ref2: None,
            ref3: None,
        }))
    }

    /// Reference 2 of a bill payment (ignored for transfers).
    ///
    /// # Errors
    /// [`BuildError::Field`] for an empty or too long reference.
    pub fn ref2(mut self, reference: &str) -> Result<PromptPayBuilder, BuildError> {
        check_reference("reference 2", reference)?;
        if let Target::Bill { ref2, .. } = &mut self.target {
            *ref2 = Some(reference.to_owned());
        }
        Ok(self)
    }

    /// Reference 3 of a bill payment, written in 62.07 (ignored for transfers).
    ///
    /// # Errors
    /// [`BuildError::Field`] for an empty or too long reference.
    pub fn ref3(mut self, reference: &str) -> Result<PromptPayBuilder, BuildError> {
        check_reference("reference 3", reference)?;
        if let Target::Bill { ref3, .. } = &mut self.target {
            *ref3 = Some(reference.to_owned());
        }
        Ok(self)
    }

    /// 54 the amount in satang.
    #[must_use]
    pub fn amount_minor(mut self, satang: u64) -> PromptPayBuilder {
        self.amount_minor = Some(satang);
        self
    }

    /// 01 the point of initiation, overriding the default.
    #[must_use]
    pub fn point_of_initiation(mut self, poi: PointOfInitiation) -> PromptPayBuilder {
        self.point_of_initiation = Some(poi);
        self
    }

    /// 59 the merchant name (PromptPay codes usually leave it out).
    #[must_use]
    pub fn merchant_name(mut self, name: &str) -> PromptPayBuilder {
        self.merchant_name = Some(name.to_owned());
        self
    }

    /// 60 the merchant city.
    #[must_use]
    pub fn merchant_city(mut self, city: &str) -> PromptPayBuilder {
        self.merchant_city = Some(city.to_owned());
        self
    }

    /// 81 a TrueMoney personal message.
    #[must_use]
    pub fn message(mut self, message: &str) -> PromptPayBuilder {
        self.message = Some(message.to_owned());
        self
    }

    /// Encodes the code.
    ///
    /// # Errors
    /// [`BuildError::Field`] for a message outside UCS-2;
    /// [`BuildError::Encode`] when the EMV encoder refuses the result.
    pub fn build(self) -> Result<String, BuildError> {
        let currency = util::home_currency(764, "THB")?;
        let poi = util::point_of_initiation(self.point_of_initiation, self.amount_minor.is_some());
        let mut builder = PayloadBuilder::new()
            .lenient(true)
            .point_of_initiation(poi)
            .currency(currency)
            .country_code(COUNTRY);
        match &self.target {
            Target::Transfer(kind, value) => {
                builder =
                    builder.merchant_account(29, AID_CREDIT_TRANSFER, &[(kind.sub_id(), value)]);
            }
            Target::Bill {
                biller_id,
                ref1,
                ref2,
                ref3,
            } => {
                let mut fields: Vec<(u8, &str)> = vec![(1, biller_id), (2, ref1)];
                if let Some(r) = ref2 {
                    fields.push((3, r));
                }
                builder = builder.merchant_account(30, AID_BILL_PAYMENT, &fields);
                if let Some(r) = ref3 {
                    builder = builder.additional_data(7, r);
                }
            }
        }
        if let Some(minor) = self.amount_minor {
            builder = builder.amount_minor(minor);
        }
        if let Some(name) = &self.merchant_name {
            builder = builder.merchant_name(name);
        }
        if let Some(city) = &self.merchant_city {
            builder = builder.merchant_city(city);
        }
        if let Some(message) = &self.message {
            let hex = encode_message(message).ok_or_else(|| {
                BuildError::bad_format(
                    "message",
                    message,
                    "characters of the Basic Multilingual Plane",
                )
            })?;
            builder = builder.object(81, &hex);
        }
        Ok(builder.build()?)
    }
}

fn check_reference(field: &'static str, reference: &str) -> Result<(), BuildError> {
    let len = reference.chars().count();
    if len == 0 || len > REFERENCE_LEN_MAX {
        return Err(BuildError::Field {
            field,
            rule: SchemeRule::TooLong {
                field,
                len,
                len_max: REFERENCE_LEN_MAX,
            },
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobile_normalisation_table() {
        let cases = [
            ("0801234567", Some("0066801234567")),
            ("080-123-4567", Some("0066801234567")),
            ("+66-89-123-4567", Some("0066891234567")),
            ("66891234567", Some("0066891234567")),
            ("0066891234567", Some("0066891234567")),
            ("000-000-0000", Some("0066000000000")),
            // A national number that begins with 66 or 066 is not taken for a country code.
            ("0066000000", Some("0066066000000")),
            ("0660000000", Some("0066660000000")),
            ("66066000000", Some("0066066000000")),
            ("6606600000", None),
            ("006681234567", None),
            ("801234567", None),
            ("08012345678", None),
            ("08O1234567", None),
            ("", None),
        ];
        for (input, want) in cases {
            assert_eq!(normalize_mobile(input).as_deref(), want, "{input}");
        }
    }

    #[test]
    fn thai_id_check_digit() {
        // 1-1017-00230-70-8 style ids: computed by hand with weights 13..2.
        assert!(thai_id_valid("1101700230708"));
        assert!(!thai_id_valid("1101700230709"));
        // The dummy ids in dtinth/promptpay-qr's tests do not carry a valid check digit.
        assert!(!thai_id_valid("1111111111111"));
        assert!(!thai_id_valid("0123456789012"));
    }

    #[test]
    fn message_round_trip() {
        let hex = "00480065006C006C006F00200057006F0072006C00640021";
        assert_eq!(decode_message(hex).as_deref(), Some("Hello World!"));
        assert_eq!(encode_message("Hello World!").as_deref(), Some(hex));
        assert_eq!(
            encode_message("สวัสดี")
                .and_then(|h| decode_message(&h))
                .as_deref(),
            Some("สวัสดี")
        );
        assert_eq!(encode_message("😀"), None);
        assert_eq!(decode_message("004"), None);
        assert_eq!(decode_message("00ZZ"), None);
    }
}
