//! What the HTTP layer needs from the wallet, as a trait ([`Backend`]), and its implementation
//! on the wallet operations of `qrpay-wallet` ([`WalletBackend`]).
//!
//! The HTTP handlers are written against the trait, so they never see ledger types, and a test
//! can count what reaches the wallet. Views carry only what a page shows: display names and
//! cities from the merchant registry, formatted amounts, short references. No account ids of
//! other parties, no labels, no payload contents beyond what the page scanned itself.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use qrpay_wallet::qr::{dynamic_payment_id, PaymentRequest, Quote, TipRule};
use qrpay_wallet::{
    AccountKind, Authorization, Currency, Id, Outcome, Party, SqliteStore, Store, Transfer,
    TransferCode, Wallet, WalletError,
};
use serde::Serialize;

/// How long a dynamic code made by the merchant page stays payable.
pub const CODE_TTL_S: u64 = 10 * 60;
/// How long an authorization obtained after "Pay" may wait before it is used.
const AUTHORIZATION_TTL: Duration = Duration::from_secs(120);
/// Authorizations waiting to be used, at most.
const AUTHORIZATIONS_MAX: usize = 256;
/// History entries a wallet page shows.
const HISTORY_LEN: usize = 20;
/// Longest payload text accepted (an EMV payload is at most 512 characters).
pub const PAYLOAD_LEN_MAX: usize = 512;
/// Longest reference (EMV 62.05 holds up to 25 characters).
const REFERENCE_LEN_MAX: usize = 25;
/// Longest amount text accepted.
const AMOUNT_LEN_MAX: usize = 24;

/// Why the backend did not do what was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BackendError {
    /// The request itself is malformed (a field missing, too long, not a number).
    #[error("bad request: {code}")]
    BadRequest {
        /// A stable machine-readable code.
        code: &'static str,
        /// What a person reads.
        message: String,
    },
    /// A wallet rule refused it; nothing moved.
    #[error("refused: {rule}")]
    Refused {
        /// The wallet's rule name.
        rule: String,
    },
    /// Too many authorizations are waiting.
    #[error("busy")]
    Busy,
    /// The store failed; the details stay in the server.
    #[error("internal error")]
    Internal,
}

impl BackendError {
    fn bad(code: &'static str, message: impl Into<String>) -> BackendError {
        BackendError::BadRequest {
            code,
            message: message.into(),
        }
    }
}

impl From<WalletError> for BackendError {
    fn from(e: WalletError) -> BackendError {
        match e {
            WalletError::Refused { rule, .. } => BackendError::Refused {
                rule: rule.to_owned(),
            },
            WalletError::UnknownLabel(_) | WalletError::NotFound { .. } => BackendError::Refused {
                rule: "not_found".to_owned(),
            },
            _ => BackendError::Internal,
        }
    }
}

impl From<qrpay_wallet::StoreError> for BackendError {
    fn from(_: qrpay_wallet::StoreError) -> BackendError {
        BackendError::Internal
    }
}

/// The merchant the merchant page serves, from the registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MerchantView {
    /// Display name.
    pub name: String,
    /// City.
    pub city: String,
    /// ISO 4217 code.
    pub currency: String,
}

/// A dynamic code just issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeView {
    /// The payload text (what the QR code holds).
    pub payload: String,
    /// The code's reference (62.05).
    pub reference: String,
    /// Amount in minor units.
    pub amount_minor: u128,
    /// Amount, formatted ("Rp 25.000").
    pub amount_text: String,
    /// Seconds until it expires.
    pub expires_in_s: u64,
}

/// Whether a dynamic code has been paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeStatus {
    /// The reference asked about.
    pub reference: String,
    /// Paid.
    pub paid: bool,
    /// The amount paid, formatted, when paid.
    pub total_text: Option<String>,
    /// Short payment id, when paid.
    pub payment: Option<String>,
    /// Milliseconds since the Unix epoch, when paid.
    pub at_ms: Option<u64>,
}

/// A refund made from the merchant page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefundView {
    /// `created`, or `exists` for a repeat.
    pub outcome: String,
    /// The code's reference.
    pub reference: String,
    /// Amount refunded, formatted.
    pub refunded_text: String,
}

/// A customer's wallet as the wallet page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WalletView {
    /// The name the page greets with.
    pub greeting: String,
    /// Available balance in minor units.
    pub balance_minor: u128,
    /// Available balance, formatted.
    pub balance_text: String,
    /// Recent movements, newest first.
    pub history: Vec<HistoryEntry>,
}

/// One line of history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryEntry {
    /// "Payment", "Tip", "Top-up", "Refund", …
    pub kind: &'static str,
    /// The other side as a person reads it (merchant display name, "Top-up").
    pub counterparty: String,
    /// Signed, formatted ("− Rp 25.000").
    pub amount_text: String,
    /// Money in (true) or out.
    pub incoming: bool,
    /// Milliseconds since the Unix epoch.
    pub at_ms: u64,
}

/// What the confirmation screen shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuoteView {
    /// The merchant's registered display name (not the code's tag 59).
    pub merchant_name: String,
    /// The merchant's registered city.
    pub merchant_city: String,
    /// The code's name differs from the registered one.
    pub name_mismatch: bool,
    /// Amount, formatted.
    pub amount_text: String,
    /// Amount in minor units.
    pub amount_minor: u128,
    /// The code fixes the amount.
    pub amount_fixed: bool,
    /// The code asks the customer for a tip (55 = 01).
    pub tip_prompt: bool,
    /// Tip, formatted ("" when none).
    pub tip_text: String,
    /// Convenience fee, formatted ("" when none).
    pub fee_text: String,
    /// Total to pay, formatted.
    pub total_text: String,
    /// Total in minor units.
    pub total_minor: u128,
    /// Single-use dynamic code.
    pub dynamic: bool,
    /// The reference, when the code has one.
    pub reference: Option<String>,
    /// Paid before: nothing will be charged.
    pub already_paid: bool,
    /// The customer's own balance, formatted (the page shows what the payment comes from).
    pub balance_text: String,
    /// The customer's balance is enough.
    pub sufficient_funds: bool,
    /// A static code: the customer enters the amount, then the page asks again.
    pub awaiting_amount: bool,
}

/// What the page gets after the user tapped "Pay".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuthorizationView {
    /// The single-use authorization token to send with the payment.
    pub authorization: String,
    /// The payment's id, to send back so a retry is the same payment.
    pub payment: String,
}

/// A receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceiptView {
    /// `created`, or `exists` when the code was paid before (nothing charged now).
    pub outcome: String,
    /// Short payment id.
    pub payment: String,
    /// Merchant display name.
    pub merchant_name: String,
    /// Total, formatted.
    pub total_text: String,
    /// Total in minor units.
    pub total_minor: u128,
    /// The code's reference.
    pub reference: Option<String>,
    /// Balance after, formatted.
    pub balance_text: String,
    /// Milliseconds since the Unix epoch.
    pub at_ms: u64,
}

/// What the HTTP layer needs from a wallet. Every method may block (disk): call it off the
/// async runtime.
pub trait Backend: Send + Sync + 'static {
    /// The merchant of the merchant page.
    ///
    /// # Errors
    /// [`BackendError::Internal`] when the store fails.
    fn merchant(&self) -> Result<MerchantView, BackendError>;

    /// Issues a dynamic code for `amount` (major units, "25000").
    ///
    /// # Errors
    /// [`BackendError::BadRequest`] for a bad amount, [`BackendError::Refused`] by a rule.
    fn issue_code(&self, amount: &str) -> Result<CodeView, BackendError>;

    /// Whether the merchant's dynamic code with this reference has been paid (for a merchant
    /// page that reconnects and may have missed the event).
    ///
    /// # Errors
    /// [`BackendError::BadRequest`] for a reference that cannot be one of ours.
    fn code_status(&self, reference: &str) -> Result<CodeStatus, BackendError>;

    /// Refunds what is left of the payment of the merchant's dynamic code `reference`, merchant
    /// → customer. Idempotent: a repeat returns outcome `exists` and moves nothing.
    ///
    /// # Errors
    /// [`BackendError::BadRequest`] for a bad reference, [`BackendError::Refused`] with
    /// `not_paid`, `nothing_left_to_refund`, …
    fn refund(&self, reference: &str) -> Result<RefundView, BackendError>;

    /// The customer's wallet.
    ///
    /// # Errors
    /// [`BackendError::Internal`] when the store fails.
    fn wallet(&self) -> Result<WalletView, BackendError>;

    /// What paying `payload` would do; nothing moves.
    ///
    /// # Errors
    /// [`BackendError::BadRequest`] for a payload that is not an EMV code of this wallet,
    /// [`BackendError::Refused`] by a rule (expired, unknown merchant, …).
    fn quote(
        &self,
        payload: &str,
        amount: Option<&str>,
        tip: Option<&str>,
    ) -> Result<QuoteView, BackendError>;

    /// The user confirmed: issues the single-use authorization for this payment.
    ///
    /// # Errors
    /// As [`Backend::quote`]; [`BackendError::Busy`] when too many are waiting.
    fn authorize(
        &self,
        payload: &str,
        amount: Option<&str>,
        tip: Option<&str>,
    ) -> Result<AuthorizationView, BackendError>;

    /// Pays, once; a repeat gives the receipt with outcome `exists`.
    ///
    /// # Errors
    /// As [`Backend::quote`]; `authorization_invalid` for a missing, used, expired or
    /// mismatched authorization.
    fn pay(&self, request: &PayRequest<'_>) -> Result<ReceiptView, BackendError>;
}

/// A payment request from the wallet page.
#[derive(Debug, Clone, Copy)]
pub struct PayRequest<'a> {
    /// The scanned payload.
    pub payload: &'a str,
    /// Amount entered (static codes).
    pub amount: Option<&'a str>,
    /// Tip entered.
    pub tip: Option<&'a str>,
    /// From [`AuthorizationView::payment`].
    pub payment: &'a str,
    /// From [`AuthorizationView::authorization`].
    pub authorization: &'a str,
}

struct PendingAuthorization {
    authorization: Authorization,
    expires: Instant,
}

/// [`Backend`] on a [`Wallet`] over SQLite, for one merchant and one customer (the demo's
/// signed-in user).
pub struct WalletBackend {
    wallet: Wallet<SqliteStore>,
    merchant: Party,
    customer: Party,
    greeting: String,
    pending: Mutex<HashMap<String, PendingAuthorization>>,
    token_key: [u8; 32],
    token_counter: AtomicU64,
}

impl std::fmt::Debug for WalletBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WalletBackend").finish_non_exhaustive()
    }
}

impl WalletBackend {
    /// A backend over `wallet` for these two parties.
    #[must_use]
    pub fn new(
        wallet: Wallet<SqliteStore>,
        merchant: Party,
        customer: Party,
        greeting: &str,
    ) -> Self {
        WalletBackend {
            wallet,
            merchant,
            customer,
            greeting: greeting.to_owned(),
            pending: Mutex::new(HashMap::new()),
            token_key: token_key(),
            token_counter: AtomicU64::new(0),
        }
    }

    /// The wallet operations underneath (tests).
    #[cfg(test)]
    #[must_use]
    pub fn ops(&self) -> &Wallet<SqliteStore> {
        &self.wallet
    }

    fn currency(&self) -> Currency {
        self.wallet.currency()
    }

    fn money(&self, minor: u128) -> String {
        format_money(self.currency(), minor)
    }

    fn parse_amount(&self, text: &str, field: &'static str) -> Result<u128, BackendError> {
        let trimmed = text.trim();
        if trimmed.is_empty() || trimmed.len() > AMOUNT_LEN_MAX {
            return Err(BackendError::bad(
                "bad_amount",
                format!("{field} must be a number such as 25000"),
            ));
        }
        self.currency().parse_minor(trimmed).map_err(|_| {
            BackendError::bad(
                "bad_amount",
                format!("{field} must be a number such as 25000"),
            )
        })
    }

    /// `minor` as the plain decimal [`Currency::parse_minor`] reads.
    fn money_text_minor(&self, minor: u128) -> String {
        self.currency().format_minor(minor)
    }

    fn balance(&self, account: Id) -> Result<u128, BackendError> {
        Ok(self
            .wallet
            .store()
            .account(account)?
            .map_or(0, |a| a.balances.available()))
    }

    fn request(payload: &str) -> Result<PaymentRequest, BackendError> {
        if payload.len() > PAYLOAD_LEN_MAX {
            return Err(BackendError::bad(
                "payload_too_long",
                format!("payload longer than {PAYLOAD_LEN_MAX} characters"),
            ));
        }
        let decoded = qrpay_core::decode(payload).map_err(|_| {
            BackendError::bad("not_a_payment_code", "this is not a valid payment code")
        })?;
        PaymentRequest::from_emv(&decoded).map_err(|_| {
            BackendError::bad(
                "not_a_payment_code",
                "this code is not payable with this wallet",
            )
        })
    }

    fn make_quote(
        &self,
        payload: &str,
        amount: Option<&str>,
        tip: Option<&str>,
        id: Option<Id>,
    ) -> Result<(PaymentRequest, Quote), BackendError> {
        let request = Self::request(payload)?;
        let amount = self.entered_amount(amount)?;
        let tip = tip
            .filter(|t| !t.trim().is_empty())
            .map(|t| self.parse_amount(t, "tip"))
            .transpose()?;
        let quote = self
            .wallet
            .quote(&self.customer, &request, amount, tip, id)?;
        Ok((request, quote))
    }

    fn entered_amount(&self, amount: Option<&str>) -> Result<Option<u128>, BackendError> {
        amount
            .filter(|a| !a.trim().is_empty())
            .map(|a| self.parse_amount(a, "amount"))
            .transpose()
    }

    fn take_authorization(&self, token: &str) -> Option<Authorization> {
        let mut pending = self.pending.lock().ok()?;
        let entry = pending.remove(token)?;
        (entry.expires > Instant::now()).then_some(entry.authorization)
    }

    fn new_token(&self) -> String {
        let n = self.token_counter.fetch_add(1, Ordering::Relaxed);
        blake3::keyed_hash(&self.token_key, &n.to_be_bytes())
            .to_hex()
            .to_string()
    }

    fn history_entry(&self, t: &Transfer) -> Result<HistoryEntry, BackendError> {
        let incoming = t.credit_account_id == self.customer.account;
        let other = if incoming {
            t.debit_account_id
        } else {
            t.credit_account_id
        };
        let counterparty = match self.wallet.store().party(other)? {
            Some(p) if p.kind == AccountKind::Merchant => {
                p.merchant_name.unwrap_or_else(|| "Merchant".to_owned())
            }
            Some(_) => "Another wallet".to_owned(),
            None => "QRPay".to_owned(),
        };
        let kind = match t.code {
            TransferCode::TopUp => "Top-up",
            TransferCode::Payment => "Payment",
            TransferCode::Tip => "Tip",
            TransferCode::ConvenienceFee => "Fee",
            TransferCode::Refund => "Refund",
            TransferCode::PeerTransfer => "Transfer",
            _ => "Other",
        };
        let sign = if incoming { "+" } else { "−" };
        Ok(HistoryEntry {
            kind,
            counterparty,
            amount_text: format!("{sign} {}", self.money(t.amount)),
            incoming,
            at_ms: t.timestamp / 1_000_000,
        })
    }
}

impl Backend for WalletBackend {
    fn merchant(&self) -> Result<MerchantView, BackendError> {
        Ok(MerchantView {
            name: self
                .merchant
                .merchant_name
                .clone()
                .unwrap_or_else(|| "Merchant".to_owned()),
            city: self.merchant.merchant_city.clone().unwrap_or_default(),
            currency: self.currency().code().to_owned(),
        })
    }

    fn issue_code(&self, amount: &str) -> Result<CodeView, BackendError> {
        let amount_minor = self.parse_amount(amount, "amount")?;
        if amount_minor == 0 {
            return Err(BackendError::bad(
                "bad_amount",
                "amount must be more than zero",
            ));
        }
        if amount_minor > self.wallet.limits().per_transaction_cap {
            return Err(BackendError::Refused {
                rule: "per_transaction_cap".to_owned(),
            });
        }
        // The reference comes from a fresh time-ordered id (48 bits of milliseconds, then a
        // counter that starts random): its milliseconds and the low 40 bits of the counter
        // keep codes issued in the same millisecond apart, in 24 characters (62.05 allows 25).
        // It says nothing about the customer.
        let id = self.wallet.new_id().get();
        let reference = format!("QR{:012X}{:010X}", id >> 80, id & ((1u128 << 40) - 1));
        let payload = self.wallet.merchant_code(
            &self.merchant,
            Some(amount_minor),
            Some(&reference),
            CODE_TTL_S,
        )?;
        Ok(CodeView {
            payload,
            reference,
            amount_minor,
            amount_text: self.money(amount_minor),
            expires_in_s: CODE_TTL_S,
        })
    }

    fn refund(&self, reference: &str) -> Result<RefundView, BackendError> {
        check_reference(reference)?;
        let payment = dynamic_payment_id(self.merchant.account, reference);
        if self.wallet.store().transfer(payment)?.is_none() {
            return Err(BackendError::Refused {
                rule: "not_paid".to_owned(),
            });
        }
        // One refund per code from this page: its id is derived from the payment, so a second
        // tap (or a retry after a lost answer) is the same refund.
        let id = Id::derive("qrpay serve full refund v1", &payment.to_be_bytes());
        let receipt = self.wallet.refund(payment, None, Some(id))?;
        let refunded = receipt
            .legs
            .iter()
            .filter(|t| t.code == TransferCode::Refund)
            .map(|t| t.amount)
            .fold(0u128, u128::saturating_add);
        Ok(RefundView {
            outcome: match receipt.outcome {
                Outcome::Created => "created",
                _ => "exists",
            }
            .to_owned(),
            reference: reference.to_owned(),
            refunded_text: self.money(refunded),
        })
    }

    fn code_status(&self, reference: &str) -> Result<CodeStatus, BackendError> {
        check_reference(reference)?;
        let id = dynamic_payment_id(self.merchant.account, reference);
        let paid = self.wallet.store().transfer(id)?;
        Ok(CodeStatus {
            reference: reference.to_owned(),
            paid: paid.is_some(),
            total_text: paid.map(|t| self.money(t.amount)),
            payment: paid.map(|t| t.id.short()),
            at_ms: paid.map(|t| t.timestamp / 1_000_000),
        })
    }

    fn wallet(&self) -> Result<WalletView, BackendError> {
        let balance_minor = self.balance(self.customer.account)?;
        let history = self
            .wallet
            .store()
            .history(self.customer.account, HISTORY_LEN)?
            .iter()
            .map(|t| self.history_entry(t))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(WalletView {
            greeting: self.greeting.clone(),
            balance_minor,
            balance_text: self.money(balance_minor),
            history,
        })
    }

    fn quote(
        &self,
        payload: &str,
        amount: Option<&str>,
        tip: Option<&str>,
    ) -> Result<QuoteView, BackendError> {
        // A static code without an amount: the customer types it on the confirmation screen.
        // The code is checked now as for one minor unit, and shown with nothing to pay yet.
        let awaiting_amount = Self::request(payload)?.amount_minor.is_none()
            && self.entered_amount(amount)?.is_none();
        let probe = if awaiting_amount {
            Some(self.money_text_minor(1))
        } else {
            None
        };
        let (request, mut quote) =
            self.make_quote(payload, probe.as_deref().or(amount), tip, None)?;
        if awaiting_amount {
            quote.amount = 0;
            quote.total = quote.tip.saturating_add(quote.fee);
        }
        let balance = self.balance(self.customer.account)?;
        let optional = |minor: u128| {
            if minor == 0 {
                String::new()
            } else {
                self.money(minor)
            }
        };
        Ok(QuoteView {
            merchant_name: quote
                .merchant
                .merchant_name
                .clone()
                .unwrap_or_else(|| "Merchant".to_owned()),
            merchant_city: quote.merchant.merchant_city.clone().unwrap_or_default(),
            name_mismatch: quote.name_mismatch,
            amount_text: optional(quote.amount),
            amount_minor: quote.amount,
            amount_fixed: request.amount_minor.is_some(),
            tip_prompt: request.tip == TipRule::Prompt,
            tip_text: optional(quote.tip),
            fee_text: optional(quote.fee),
            total_text: self.money(quote.total),
            total_minor: quote.total,
            dynamic: quote.dynamic,
            reference: request.reference,
            already_paid: quote.already_paid,
            balance_text: self.money(balance),
            sufficient_funds: balance >= quote.total,
            awaiting_amount,
        })
    }

    fn authorize(
        &self,
        payload: &str,
        amount: Option<&str>,
        tip: Option<&str>,
    ) -> Result<AuthorizationView, BackendError> {
        let (_, quote) = self.make_quote(payload, amount, tip, None)?;
        if quote.already_paid {
            return Err(BackendError::Refused {
                rule: "already_paid".to_owned(),
            });
        }
        // In a real wallet the app's backend issues this after checking the user's PIN or
        // biometric; in the demo the tap on "Pay" is the confirmation.
        let authorization =
            self.wallet
                .authorizer()
                .authorize(quote.customer, quote.id(), quote.total);
        let token = self.new_token();
        let now = Instant::now();
        let mut pending = self.pending.lock().map_err(|_| BackendError::Internal)?;
        pending.retain(|_, p| p.expires > now);
        if pending.len() >= AUTHORIZATIONS_MAX {
            return Err(BackendError::Busy);
        }
        pending.insert(
            token.clone(),
            PendingAuthorization {
                authorization,
                expires: now + AUTHORIZATION_TTL,
            },
        );
        Ok(AuthorizationView {
            authorization: token,
            payment: quote.id().to_string(),
        })
    }

    fn pay(&self, r: &PayRequest<'_>) -> Result<ReceiptView, BackendError> {
        let id: Id = r
            .payment
            .parse()
            .map_err(|_| BackendError::bad("bad_payment_id", "payment id is not an id"))?;
        let (request, quote) = self.make_quote(r.payload, r.amount, r.tip, Some(id))?;
        let refused = || BackendError::Refused {
            rule: "authorization_invalid".to_owned(),
        };
        if quote.id() != id {
            return Err(refused());
        }
        let authorization = self
            .take_authorization(r.authorization)
            .ok_or_else(refused)?;
        let receipt = self.wallet.pay(&quote, &authorization)?;
        let outcome = match receipt.outcome {
            Outcome::Created => "created",
            Outcome::Exists => "exists",
            _ => return Err(BackendError::Internal),
        };
        let at_ms = self
            .wallet
            .store()
            .transfer(receipt.id())?
            .map_or(0, |t| t.timestamp / 1_000_000);
        Ok(ReceiptView {
            outcome: outcome.to_owned(),
            payment: receipt.id().short(),
            merchant_name: quote
                .merchant
                .merchant_name
                .clone()
                .unwrap_or_else(|| "Merchant".to_owned()),
            total_text: self.money(quote.total),
            total_minor: quote.total,
            reference: request.reference,
            balance_text: self.money(self.balance(self.customer.account)?),
            at_ms,
        })
    }
}

fn check_reference(reference: &str) -> Result<(), BackendError> {
    let plausible = !reference.is_empty()
        && reference.len() <= REFERENCE_LEN_MAX
        && reference.bytes().all(|b| b.is_ascii_alphanumeric());
    if plausible {
        Ok(())
    } else {
        Err(BackendError::bad(
            "bad_reference",
            "a reference is 1 to 25 letters and digits",
        ))
    }
}

/// Formats minor units for people: "Rp 25.000" for IDR (dot groups, comma decimals, decimals
/// only when not zero); other currencies as "USD 12.50" with their code.
#[must_use]
pub fn format_money(currency: Currency, minor: u128) -> String {
    let scale = 10u128.pow(u32::from(currency.exponent()));
    let whole = (minor / scale).to_string();
    let fraction = minor % scale;
    let idr = currency.code() == "IDR";
    let (group, decimal, symbol) = if idr {
        ('.', ',', "Rp")
    } else {
        (',', '.', currency.code())
    };
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    let len = whole.len();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (len - i).is_multiple_of(3) {
            grouped.push(group);
        }
        grouped.push(c);
    }
    if (fraction == 0 && idr) || currency.exponent() == 0 {
        format!("{symbol} {grouped}")
    } else {
        format!(
            "{symbol} {grouped}{decimal}{fraction:0width$}",
            width = usize::from(currency.exponent())
        )
    }
}

/// A key for authorization tokens, from the operating system's per-process random hash keys
/// and the time: tokens must not be guessable by another page, and std has no other source.
fn token_key() -> [u8; 32] {
    let mut hasher = blake3::Hasher::new();
    for i in 0u8..4 {
        let mut h = std::hash::RandomState::new().build_hasher();
        h.write_u8(i);
        hasher.update(&h.finish().to_be_bytes());
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    hasher.update(&now.to_be_bytes());
    hasher.update(&std::process::id().to_be_bytes());
    *hasher.finalize().as_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_formatted_for_people() {
        let idr = Currency::from_code("IDR").unwrap();
        let usd = Currency::from_code("USD").unwrap();
        let jpy = Currency::from_code("JPY").unwrap();
        for (currency, minor, want) in [
            (idr, 2_500_000, "Rp 25.000"),
            (idr, 100, "Rp 1"),
            (idr, 0, "Rp 0"),
            (idr, 123_456_789_050, "Rp 1.234.567.890,50"),
            (usd, 1250, "USD 12.50"),
            (usd, 123_456_700, "USD 1,234,567.00"),
            (jpy, 1500, "JPY 1,500"),
        ] {
            assert_eq!(format_money(currency, minor), want);
        }
    }
}
