//! Paying merchant-presented QR codes: from a decoded EMV payload to a linked chain of
//! transfers, exactly once.
//!
//! The payment layer works on a [`PaymentRequest`], a small struct of what the wallet needs
//! from a code; [`PaymentRequest::from_emv`] is the thin adapter from `qrpay_core`'s decoded
//! [`Payload`]. This wallet's codes name the merchant in a merchant account template (tag 26)
//! with the globally unique identifier [`QRPAY_GUI`], laid out as a QRIS issuer template
//! (01 merchant PAN, 03 criteria; 02 is left out to fit the 99 characters) with the merchant's ledger account id in
//! sub-tag [`ACCOUNT_SUBTAG`], beside the QRIS national template 51 with the merchant's NMID.
//!
//! - Static code (POI 11): the customer enters the amount; each payment gets a fresh id (or the
//!   caller's, for retries).
//! - Dynamic code (POI 12): the amount is fixed by tag 54 and the code is single use: the first
//!   transfer's id is derived from the merchant and the reference (62.05), so paying it again
//!   gives `exists` ("already paid") and never charges twice. The wallet keeps a record of each
//!   code it issued; a code whose amount differs from the record (tampered: the CRC does not
//!   protect against that) or that expired is refused.
//! - Tip and convenience fee (55/56/57) become extra legs of the same linked chain; a
//!   percentage fee is computed in integers, rounded half up. The merchant discount rate is a
//!   leg from the merchant to fee revenue, never added to the customer.
//! - The merchant's display name comes from the registry; a code whose name (59) differs is
//!   flagged in the quote.

use qrpay_core::emv::{PayloadBuilder, PointOfInitiation, TipOrConvenience};
use qrpay_core::Amount;
use qrpay_core::Payload;

use crate::account::AccountKind;
use crate::id::Id;
use crate::store::{IssuedCode, Party, Store};
use crate::transfer::{Transfer, TransferCode};
use crate::wallet::{fee_bps, Authorization, Receipt, Wallet, WalletError};

/// The globally unique identifier of this wallet's merchant account template (tag 26).
pub const QRPAY_GUI: &str = "ID.CO.QRPAY.WWW";

/// How long a dynamic code stays payable by default (15 minutes).
pub const DYNAMIC_CODE_TTL_S: u64 = 15 * 60;

const NS_PER_S: u64 = 1_000_000_000;

/// Why a decoded payload cannot be paid by this wallet.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CodeError {
    /// No merchant account template of this wallet (tag 26–51 with [`QRPAY_GUI`]).
    #[error("no merchant account with GUI {QRPAY_GUI} in tags 26 to 51")]
    NotOurs,
    /// The merchant id in the template is not an id.
    #[error("merchant id {0:?} in tag 26.01 is not an id")]
    BadMerchantId(String),
    /// Tag 53 is missing or not an ISO 4217 number.
    #[error("transaction currency (tag 53) missing or unknown")]
    Currency,
    /// Tag 54 does not parse in the currency's minor units.
    #[error("transaction amount (tag 54) {0:?} is not valid for the currency")]
    Amount(String),
    /// A dynamic code needs tag 54 and a reference (62.05).
    #[error("dynamic code without {0}")]
    DynamicIncomplete(&'static str),
    /// Tags 55–57 are inconsistent.
    #[error("tip or convenience indicator (tags 55 to 57) is inconsistent")]
    Tip,
}

/// The tip or fee a code asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TipRule {
    /// None.
    None,
    /// The app asks the customer for a tip (55 = 01).
    Prompt,
    /// A fixed convenience fee in minor units (55 = 02, 56).
    FixedFee(u128),
    /// A percentage fee in hundredths of a percent (55 = 03, 57).
    PercentFee(u16),
}

/// What the wallet needs from a scanned code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentRequest {
    /// The merchant's ledger account.
    pub merchant: Id,
    /// ISO 4217 numeric currency (tag 53).
    pub currency_numeric: u16,
    /// The amount in minor units (tag 54), if the code fixes one.
    pub amount_minor: Option<u128>,
    /// Dynamic (POI 12, single use) or static (POI 11).
    pub dynamic: bool,
    /// The reference (62.05).
    pub reference: Option<String>,
    /// Tip or convenience fee.
    pub tip: TipRule,
    /// The merchant name the code claims (59).
    pub merchant_name: Option<String>,
    /// The merchant city the code claims (60).
    pub merchant_city: Option<String>,
}

impl PaymentRequest {
    /// Reads a decoded EMV payload.
    ///
    /// # Errors
    /// [`CodeError`] when the code is not this wallet's or its fields do not make a payment.
    pub fn from_emv(payload: &Payload<'_>) -> Result<PaymentRequest, CodeError> {
        let template = payload
            .template_by_gui(QRPAY_GUI)
            .ok_or(CodeError::NotOurs)?;
        // Codes issued before the QRIS layout carried the account id in 01.
        let merchant_text = template
            .child_value(ACCOUNT_SUBTAG)
            .or_else(|| template.child_value(1))
            .unwrap_or_default();
        let merchant: Id = merchant_text
            .parse()
            .map_err(|_| CodeError::BadMerchantId(merchant_text.to_owned()))?;
        let numeric: u16 = payload
            .value_of(53)
            .and_then(|v| v.parse().ok())
            .ok_or(CodeError::Currency)?;
        let currency = crate::Currency::from_numeric(numeric).map_err(|_| CodeError::Currency)?;
        let amount_minor = match payload.amount_text() {
            None => None,
            Some(text) => Some(
                currency
                    .parse_minor(text)
                    .map_err(|_| CodeError::Amount(text.to_owned()))?,
            ),
        };
        let tip = match payload.value_of(55) {
            None => TipRule::None,
            Some(_) => match payload.tip_or_convenience().ok_or(CodeError::Tip)? {
                TipOrConvenience::PromptTip => TipRule::Prompt,
                TipOrConvenience::FixedFee(_) => {
                    let text = payload.value_of(56).unwrap_or_default();
                    TipRule::FixedFee(currency.parse_minor(text).map_err(|_| CodeError::Tip)?)
                }
                TipOrConvenience::PercentageFee { hundredths } => TipRule::PercentFee(hundredths),
            },
        };
        let dynamic = payload.point_of_initiation() == Some(PointOfInitiation::Dynamic);
        let reference = payload
            .additional_data()
            .and_then(|a| a.reference_label)
            .map(str::to_owned);
        if dynamic {
            if amount_minor.is_none() {
                return Err(CodeError::DynamicIncomplete("an amount (tag 54)"));
            }
            if reference.is_none() {
                return Err(CodeError::DynamicIncomplete("a reference (tag 62.05)"));
            }
        }
        Ok(PaymentRequest {
            merchant,
            currency_numeric: numeric,
            amount_minor,
            dynamic,
            reference,
            tip,
            merchant_name: payload.merchant_name().map(str::to_owned),
            merchant_city: payload.merchant_city().map(str::to_owned),
        })
    }
}

/// Small helper so the adapter reads tags by number.
trait ValueOf {
    fn value_of(&self, id: u8) -> Option<&str>;
}

impl ValueOf for Payload<'_> {
    fn value_of(&self, id: u8) -> Option<&str> {
        self.get(id).map(|o| o.value())
    }
}

/// What paying a code will do, for the confirmation screen; pass it to [`Wallet::pay`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quote {
    /// The customer's account.
    pub customer: Id,
    /// The merchant's registry entry (display name and city come from here).
    pub merchant: Party,
    /// The code's merchant name differs from the registered one: show a warning.
    pub name_mismatch: bool,
    /// The payment amount.
    pub amount: u128,
    /// The tip the customer chose.
    pub tip: u128,
    /// The convenience fee.
    pub fee: u128,
    /// The merchant discount rate taken from the merchant.
    pub mdr: u128,
    /// What the customer pays: amount + tip + fee.
    pub total: u128,
    /// The transfers, payment first.
    pub legs: Vec<Transfer>,
    /// Whether the code is single use.
    pub dynamic: bool,
    /// The first transfer's id exists already: this code was paid.
    pub already_paid: bool,
}

impl Quote {
    /// The id of the payment (first transfer).
    #[must_use]
    pub fn id(&self) -> Id {
        self.legs.first().map_or(Id::ZERO, |t| t.id)
    }
}

/// The id of leg `index` of the operation whose first transfer is `first`.
pub(crate) fn leg_id(first: Id, index: u8) -> Id {
    let mut material = [0u8; 17];
    for (dst, src) in material
        .iter_mut()
        .zip(first.to_be_bytes().into_iter().chain([index]))
    {
        *dst = src;
    }
    Id::derive("qrpay payment leg v1", &material)
}

/// The transfer id of a dynamic code: the same for every scan of the same code.
#[must_use]
pub fn dynamic_payment_id(merchant: Id, reference: &str) -> Id {
    let mut material = merchant.to_be_bytes().to_vec();
    material.extend_from_slice(reference.as_bytes());
    Id::derive("qrpay dynamic code v1", &material)
}

fn normalize(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_uppercase()
}

/// The sub-tag of this wallet's template that carries the merchant's ledger account id.
pub const ACCOUNT_SUBTAG: u8 = 99;

/// The national numbering system prefix of this wallet's merchant PANs (`9360` is Indonesia's
/// domestic prefix; `00` stands for an issuer code this demo wallet does not have).
const PAN_PREFIX: &str = "936000";

/// A national merchant id in the QRIS shape (`ID` and 13 digits), derived from the merchant's
/// account so every code of one merchant carries the same one. A real acquirer registers the
/// merchant with Bank Indonesia's NMID service; this stands in for that registration.
fn national_merchant_id(account: Id) -> String {
    let digits = account.get() % 10_000_000_000_000;
    format!("ID{digits:013}")
}

impl<S: Store> Wallet<S> {
    /// Builds a merchant's code: static without an amount, dynamic (single use, recorded with
    /// an expiry) with one. Returns the payload text.
    ///
    /// # Errors
    /// [`WalletError::Refused`] with `merchants_only`, `reference_required` or
    /// `code_not_encodable`; a store error.
    pub fn merchant_code(
        &self,
        merchant: &Party,
        amount_minor: Option<u128>,
        reference: Option<&str>,
        ttl_s: u64,
    ) -> Result<String, WalletError> {
        self.merchant_code_with_tip(merchant, amount_minor, reference, ttl_s, TipRule::None)
    }

    /// [`Wallet::merchant_code`] with a tip or convenience fee: `Prompt` asks the customer
    /// for a tip (55 = 01), `FixedFee` adds a fixed fee in minor units (55 = 02, 56 in the
    /// major unit), `PercentFee` a fee in hundredths of a percent of the amount (55 = 03, 57,
    /// 1 to 9,999). The paying wallet turns the tip or fee into its own leg of the payment.
    ///
    /// # Errors
    /// As [`Wallet::merchant_code`]; `code_not_encodable` also for a zero or too large fixed
    /// fee and a percentage outside 0.01 to 99.99.
    pub fn merchant_code_with_tip(
        &self,
        merchant: &Party,
        amount_minor: Option<u128>,
        reference: Option<&str>,
        ttl_s: u64,
        tip: TipRule,
    ) -> Result<String, WalletError> {
        let not_encodable = || WalletError::Refused {
            rule: "code_not_encodable",
            outcome: None,
        };
        let tip = match tip {
            TipRule::None => None,
            TipRule::Prompt => Some(TipOrConvenience::PromptTip),
            TipRule::FixedFee(fee) => {
                let fee = u64::try_from(fee)
                    .ok()
                    .filter(|f| *f > 0)
                    .ok_or_else(not_encodable)?;
                Some(TipOrConvenience::FixedFee(Amount::from_minor(
                    fee,
                    self.currency().exponent(),
                )))
            }
            TipRule::PercentFee(hundredths) if (1..=9_999).contains(&hundredths) => {
                Some(TipOrConvenience::PercentageFee { hundredths })
            }
            TipRule::PercentFee(_) => return Err(not_encodable()),
        };
        if merchant.kind != AccountKind::Merchant {
            return Err(WalletError::Refused {
                rule: "merchants_only",
                outcome: None,
            });
        }
        let currency = self.currency();
        let core_currency = currency.core();
        let id_text = merchant.account.to_string();
        let nmid = national_merchant_id(merchant.account);
        let pan = format!("{PAN_PREFIX}{}", nmid.get(2..).unwrap_or_default());
        let mut b = PayloadBuilder::new()
            .merchant_account(
                26,
                QRPAY_GUI,
                &[
                    (1, pan.as_str()),
                    (3, "UMI"),
                    (ACCOUNT_SUBTAG, id_text.as_str()),
                ],
            )
            // QRIS national template: the merchant's NMID and criteria (UMI, micro business),
            // so the code is a QRIS code any Indonesian wallet recognises.
            .merchant_account(51, "ID.CO.QRIS.WWW", &[(2, nmid.as_str()), (3, "UMI")])
            .merchant_category_code("5814")
            .currency(core_currency)
            .country_code("ID")
            .merchant_name(merchant.merchant_name.as_deref().unwrap_or(&merchant.label))
            .merchant_city(merchant.merchant_city.as_deref().unwrap_or("Jakarta"));
        if let Some(tip) = tip {
            b = b.tip_or_convenience(tip);
        }
        match amount_minor {
            Some(amount) => {
                let reference = reference.ok_or(WalletError::Refused {
                    rule: "reference_required",
                    outcome: None,
                })?;
                b = b
                    .point_of_initiation(PointOfInitiation::Dynamic)
                    .amount(&currency.format_minor(amount))
                    .additional_data(5, reference);
                let expires = self
                    .clock()
                    .now_ns()
                    .saturating_add(ttl_s.saturating_mul(NS_PER_S));
                self.store().put_code(&IssuedCode {
                    merchant: merchant.account,
                    reference: reference.to_owned(),
                    amount_minor: amount,
                    expires_at_ns: expires,
                })?;
            }
            None => {
                b = b.point_of_initiation(PointOfInitiation::Static);
                if let Some(r) = reference {
                    b = b.additional_data(5, r);
                }
            }
        }
        b.build().map_err(|_| WalletError::Refused {
            rule: "code_not_encodable",
            outcome: None,
        })
    }

    /// Prepares paying a code: finds the merchant, checks the code against the wallet's
    /// records, computes the legs. Nothing moves yet.
    ///
    /// `entered_amount` is what the customer typed (static codes; for dynamic codes it must
    /// match tag 54 if given); `tip` is the customer's tip for codes that prompt for one; `id`
    /// is the client's id for retries of a static payment.
    ///
    /// # Errors
    /// [`WalletError::Refused`] with the rule: `unknown_merchant`, `currency_mismatch`,
    /// `amount_required`, `amount_mismatch`, `unknown_code`, `amount_tampered`,
    /// `code_expired`, `tip_not_offered`, `per_transaction_cap`, `amount_overflow`.
    pub fn quote(
        &self,
        customer: &Party,
        request: &PaymentRequest,
        entered_amount: Option<u128>,
        tip: Option<u128>,
        id: Option<Id>,
    ) -> Result<Quote, WalletError> {
        let refuse = |rule| WalletError::Refused {
            rule,
            outcome: None,
        };
        if customer.kind != AccountKind::Customer {
            return Err(refuse("customers_only"));
        }
        let merchant = self
            .store()
            .party(request.merchant)?
            .filter(|p| p.kind == AccountKind::Merchant)
            .ok_or(refuse("unknown_merchant"))?;
        if u32::from(request.currency_numeric) != merchant.ledger
            || merchant.ledger != self.currency().ledger()
        {
            return Err(refuse("currency_mismatch"));
        }
        let name_mismatch = match (&request.merchant_name, &merchant.merchant_name) {
            (Some(code), Some(registered)) => normalize(code) != normalize(registered),
            _ => false,
        };
        let mut already_paid = false;
        let (amount, first) = if request.dynamic {
            let amount = request.amount_minor.ok_or(refuse("amount_required"))?;
            if entered_amount.is_some_and(|a| a != amount) {
                return Err(refuse("amount_mismatch"));
            }
            let reference = request
                .reference
                .as_deref()
                .ok_or(refuse("reference_required"))?;
            let issued = self
                .store()
                .issued_code(merchant.account, reference)?
                .ok_or(refuse("unknown_code"))?;
            if issued.amount_minor != amount {
                return Err(refuse("amount_tampered"));
            }
            let first = dynamic_payment_id(merchant.account, reference);
            already_paid = self.store().transfer(first)?.is_some();
            if !already_paid && self.clock().now_ns() >= issued.expires_at_ns {
                return Err(refuse("code_expired"));
            }
            (amount, first)
        } else {
            let amount = match (request.amount_minor, entered_amount) {
                (Some(fixed), Some(e)) if fixed != e => return Err(refuse("amount_mismatch")),
                (Some(fixed), _) => fixed,
                (None, Some(e)) => e,
                (None, None) => return Err(refuse("amount_required")),
            };
            let first = id.unwrap_or_else(|| self.new_id());
            already_paid = already_paid || self.store().transfer(first)?.is_some();
            (amount, first)
        };
        if amount == 0 {
            return Err(refuse("amount_required"));
        }
        let (tip, fee) = match (request.tip, tip) {
            (TipRule::Prompt, t) => (t.unwrap_or(0), 0),
            (_, Some(t)) if t > 0 => return Err(refuse("tip_not_offered")),
            (TipRule::None, _) => (0, 0),
            (TipRule::FixedFee(f), _) => (0, f),
            (TipRule::PercentFee(h), _) => (
                0,
                fee_bps(amount, u128::from(h)).ok_or(refuse("amount_overflow"))?,
            ),
        };
        let total = amount
            .checked_add(tip)
            .and_then(|t| t.checked_add(fee))
            .ok_or(refuse("amount_overflow"))?;
        if total > self.limits().per_transaction_cap {
            return Err(refuse("per_transaction_cap"));
        }
        let mdr = fee_bps(total, u128::from(merchant.mdr_bps)).ok_or(refuse("amount_overflow"))?;
        let ledger = merchant.ledger;
        let mut legs = vec![Transfer::new(
            first,
            customer.account,
            merchant.account,
            amount,
            ledger,
            TransferCode::Payment,
        )];
        if tip > 0 {
            legs.push(Transfer::new(
                leg_id(first, 1),
                customer.account,
                merchant.account,
                tip,
                ledger,
                TransferCode::Tip,
            ));
        }
        if fee > 0 {
            legs.push(Transfer::new(
                leg_id(first, 2),
                customer.account,
                merchant.account,
                fee,
                ledger,
                TransferCode::ConvenienceFee,
            ));
        }
        if mdr > 0 {
            legs.push(Transfer::new(
                leg_id(first, 3),
                merchant.account,
                self.system_account(AccountKind::FeeRevenue),
                mdr,
                ledger,
                TransferCode::Mdr,
            ));
        }
        Ok(Quote {
            customer: customer.account,
            merchant,
            name_mismatch,
            amount,
            tip,
            fee,
            mdr,
            total,
            legs,
            dynamic: request.dynamic,
            already_paid,
        })
    }

    /// Pays a quote: all legs as one linked chain, once. A code paid before gives a receipt
    /// with [`crate::Outcome::Exists`] ("already paid") and charges nothing.
    ///
    /// # Errors
    /// [`WalletError::Refused`] with `authorization_invalid`, `per_transaction_cap`,
    /// `insufficient_funds`, `balance_cap_*`, … ; a store error.
    pub fn pay(
        &self,
        quote: &Quote,
        authorization: &Authorization,
    ) -> Result<Receipt, WalletError> {
        if self
            .authorizer()
            .authorize(quote.customer, quote.id(), quote.total)
            != *authorization
        {
            return Err(WalletError::Refused {
                rule: "authorization_invalid",
                outcome: None,
            });
        }
        if quote.total > self.limits().per_transaction_cap {
            return Err(WalletError::Refused {
                rule: "per_transaction_cap",
                outcome: None,
            });
        }
        match self.submit_legs(quote.legs.clone(), Some(&quote.merchant)) {
            // The code's id exists with other fields: someone else paid this single-use code.
            Err(WalletError::Refused {
                outcome: Some(o), ..
            }) if quote.dynamic && o.is_exists_with_different() => Err(WalletError::Refused {
                rule: "code_already_paid",
                outcome: Some(o),
            }),
            other => other,
        }
    }
}
