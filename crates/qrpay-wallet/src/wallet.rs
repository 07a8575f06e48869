//! Wallet operations on top of the ledger: customers and merchants, top-up, payments, peer
//! transfers, refunds, settlement, limits and authorization.
//!
//! Every money movement is a batch of transfers (linked when there is more than one leg)
//! submitted to a [`Store`]; every rule that must hold under concurrency (balances, caps,
//! monthly limits, refund totals, single use of a dynamic code) is enforced by the state
//! machine inside the store's write transaction, not by reading first and writing later.
//! Rules that depend only on the request (per-transaction cap, authorization, tip rules) are
//! checked here before anything is submitted.
//!
//! Personal data: the ledger holds ids, amounts, codes and timestamps. Labels ("alice"),
//! merchant display names and cities live in the registry ([`Party`]), keyed by account id.

use std::sync::Arc;

use crate::account::{Account, AccountFlags, AccountKind};
use crate::currency::Currency;
use crate::id::{Clock, Id, IdGenerator};
use crate::ledger::Event;
use crate::outcome::Outcome;
use crate::store::{Party, Store, StoreError, Tier};
use crate::transfer::{Transfer, TransferCode, TransferFlags};

/// The registry setting that holds the authorization key.
pub const AUTH_KEY_SETTING: &str = "authorization_key";

/// How long a settlement may stay pending before it expires (three days).
pub const SETTLEMENT_TIMEOUT_S: u32 = 3 * 24 * 3600;

/// Minor units per rupiah (ISO 4217 exponent 2).
const IDR_MINOR: u128 = 100;

/// Wallet limits, as data. Amounts in minor units of the wallet's currency.
///
/// The defaults for IDR follow Bank Indonesia's rules for e-money: a balance cap of
/// Rp2,000,000 for unverified and Rp20,000,000 for verified customers, a monthly incoming limit
/// for verified customers, and a per-transaction cap for QR payments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Balance cap of an unverified customer.
    pub unverified_balance_cap: u128,
    /// Balance cap of a verified customer.
    pub verified_balance_cap: u128,
    /// Monthly incoming limit of a verified customer (refunds excluded).
    pub verified_monthly_incoming: u128,
    /// Largest total a customer may pay in one transaction.
    pub per_transaction_cap: u128,
}

impl Limits {
    /// The defaults for IDR (exponent 2): Rp2,000,000 / Rp20,000,000 caps, Rp40,000,000 per
    /// month incoming for verified customers, Rp10,000,000 per transaction.
    #[must_use]
    pub const fn idr() -> Limits {
        Limits {
            unverified_balance_cap: 2_000_000 * IDR_MINOR,
            verified_balance_cap: 20_000_000 * IDR_MINOR,
            verified_monthly_incoming: 40_000_000 * IDR_MINOR,
            per_transaction_cap: 10_000_000 * IDR_MINOR,
        }
    }

    fn balance_cap(&self, tier: Tier) -> u128 {
        match tier {
            Tier::Unverified => self.unverified_balance_cap,
            Tier::Verified => self.verified_balance_cap,
        }
    }

    fn monthly_incoming(&self, tier: Tier) -> Option<u128> {
        match tier {
            Tier::Unverified => None,
            Tier::Verified => Some(self.verified_monthly_incoming),
        }
    }
}

/// Why the wallet did not do what was asked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WalletError {
    /// A rule refused the operation; `rule` names it (`balance_cap_unverified`,
    /// `insufficient_funds`, `per_transaction_cap`, `code_expired`, …).
    #[error("refused: {rule}")]
    Refused {
        /// The rule's name.
        rule: &'static str,
        /// The ledger's outcome, when the ledger refused.
        outcome: Option<Outcome>,
    },
    /// No account has this label.
    #[error("no account labelled {0:?}")]
    UnknownLabel(String),
    /// No account or transfer has this id.
    #[error("no {what} with id {id}")]
    NotFound {
        /// What was looked for.
        what: &'static str,
        /// The id.
        id: Id,
    },
    /// The store failed.
    #[error("store error")]
    Store(#[from] StoreError),
}

impl WalletError {
    fn refused(rule: &'static str) -> WalletError {
        WalletError::Refused {
            rule,
            outcome: None,
        }
    }
}

/// Proof that the customer confirmed a debit (PIN or biometric in the app): a keyed BLAKE3
/// hash over the customer, the first transfer's id and the total. The library debits a customer
/// only with an authorization that matches the debit exactly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Authorization(blake3::Hash);

/// Issues authorizations. It holds the wallet's authorization key; in a deployment it runs
/// where the user's confirmation is checked (the app's backend), not beside the ledger.
#[derive(Clone, Debug)]
pub struct Authorizer {
    key: [u8; 32],
}

impl Authorizer {
    /// An authorizer with this key.
    #[must_use]
    pub fn new(key: [u8; 32]) -> Authorizer {
        Authorizer { key }
    }

    /// Authorizes debiting `customer` by `total` in the payment whose first transfer is
    /// `transfer`. Call only after the user confirmed.
    #[must_use]
    pub fn authorize(&self, customer: Id, transfer: Id, total: u128) -> Authorization {
        let mut material = [0u8; 48];
        for (dst, src) in material.iter_mut().zip(
            customer
                .to_be_bytes()
                .iter()
                .chain(transfer.to_be_bytes().iter())
                .chain(total.to_be_bytes().iter()),
        ) {
            *dst = *src;
        }
        Authorization(blake3::keyed_hash(&self.key, &material))
    }
}

/// One transfer of an operation, for receipts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Leg {
    /// The transfer.
    pub transfer: Transfer,
}

/// What an operation did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    /// [`Outcome::Created`] the first time, [`Outcome::Exists`] for a repeat ("already paid").
    pub outcome: Outcome,
    /// The transfers, first one first (its id identifies the operation).
    pub legs: Vec<Transfer>,
}

impl Receipt {
    /// The id of the first transfer.
    #[must_use]
    pub fn id(&self) -> Id {
        self.legs.first().map_or(Id::ZERO, |t| t.id)
    }
}

/// The wallet: operations over a store, in one currency.
pub struct Wallet<S: Store> {
    store: S,
    clock: Arc<dyn Clock>,
    ids: IdGenerator,
    currency: Currency,
    limits: Limits,
    authorizer: Authorizer,
}

impl<S: Store> std::fmt::Debug for Wallet<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Wallet")
            .field("currency", &self.currency)
            .finish_non_exhaustive()
    }
}

/// Half-up division of a product by `denominator`: `round(a * b / denominator)`, exact.
fn mul_div_half_up(a: u128, b: u128, denominator: u128) -> Option<u128> {
    let product = a.checked_mul(b)?;
    product
        .checked_add(denominator / 2)?
        .checked_div(denominator)
}

/// A fee of `bps` basis points (hundredths of a percent) on `amount`, rounded half up.
#[must_use]
pub fn fee_bps(amount: u128, bps: u128) -> Option<u128> {
    mul_div_half_up(amount, bps, 10_000)
}

impl<S: Store> Wallet<S> {
    /// Opens the wallet for `currency`: creates the system accounts (cash-in clearing,
    /// settlement clearing, fee revenue) and the authorization key if they are missing.
    ///
    /// # Errors
    /// [`WalletError::Store`] when the store fails.
    pub fn open(
        store: S,
        clock: Arc<dyn Clock>,
        currency: Currency,
    ) -> Result<Wallet<S>, WalletError> {
        let ledger = currency.ledger();
        let events: Vec<Event> = [
            AccountKind::CashInClearing,
            AccountKind::SettlementClearing,
            AccountKind::FeeRevenue,
        ]
        .into_iter()
        .map(|kind| Event::Account(Account::new(system_account(kind, ledger), ledger, kind)))
        .collect();
        let outcomes = store.submit(&events)?;
        if let Some(bad) = outcomes.iter().find(|o| !o.is_success()) {
            return Err(WalletError::Refused {
                rule: "system_accounts",
                outcome: Some(*bad),
            });
        }
        let fresh = fresh_key(clock.now_ns());
        let key = store.init_setting(AUTH_KEY_SETTING, &fresh)?;
        let key: [u8; 32] = key.try_into().map_err(|_| {
            WalletError::Store(StoreError::Corrupt {
                table: "settings",
                row: AUTH_KEY_SETTING.into(),
                what: "key is not 32 bytes",
            })
        })?;
        Ok(Wallet {
            store,
            clock,
            ids: IdGenerator::new(),
            currency,
            limits: Limits::idr(),
            authorizer: Authorizer::new(key),
        })
    }

    /// With these limits instead of the defaults.
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> Wallet<S> {
        self.limits = limits;
        self
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The wallet's currency.
    #[must_use]
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The limits in force.
    #[must_use]
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// The authorizer (for the app side; see [`Authorizer`]).
    #[must_use]
    pub fn authorizer(&self) -> &Authorizer {
        &self.authorizer
    }

    /// The clock.
    #[must_use]
    pub fn clock(&self) -> &dyn Clock {
        &*self.clock
    }

    /// A new time-ordered id.
    #[must_use]
    pub fn new_id(&self) -> Id {
        self.ids.next(&*self.clock)
    }

    /// The id of a system account of this wallet.
    #[must_use]
    pub fn system_account(&self, kind: AccountKind) -> Id {
        system_account(kind, self.currency.ledger())
    }

    /// The registry entry with this label.
    ///
    /// # Errors
    /// [`WalletError::UnknownLabel`] when there is none.
    pub fn party(&self, label: &str) -> Result<Party, WalletError> {
        self.store
            .party_by_label(label)?
            .ok_or_else(|| WalletError::UnknownLabel(label.to_owned()))
    }

    /// Opens a customer account: no overdraft, the tier's balance cap and monthly limit.
    ///
    /// # Errors
    /// [`WalletError::Store`] (e.g. the label is taken), or a refusal from the ledger.
    pub fn open_customer(&self, label: &str, tier: Tier) -> Result<Party, WalletError> {
        let id = self.new_id();
        let account = Account::new(id, self.currency.ledger(), AccountKind::Customer)
            .flags(AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS)
            .max_balance(Some(self.limits.balance_cap(tier)))
            .monthly_incoming_max(self.limits.monthly_incoming(tier));
        let party = Party {
            account: id,
            label: label.to_owned(),
            kind: AccountKind::Customer,
            ledger: self.currency.ledger(),
            tier: Some(tier),
            mdr_bps: 0,
            merchant_name: None,
            merchant_city: None,
        };
        self.open_account(account, &party)?;
        Ok(party)
    }

    /// Opens a merchant account (no overdraft, so refunds cannot exceed what it holds) with its
    /// registered display name and city, and its merchant discount rate in basis points.
    ///
    /// # Errors
    /// [`WalletError::Store`] (e.g. the label is taken), or a refusal from the ledger.
    pub fn open_merchant(
        &self,
        label: &str,
        display_name: &str,
        city: &str,
        mdr_bps: u16,
    ) -> Result<Party, WalletError> {
        if mdr_bps > 10_000 {
            return Err(WalletError::refused("mdr_above_100_percent"));
        }
        let id = self.new_id();
        let account = Account::new(id, self.currency.ledger(), AccountKind::Merchant)
            .flags(AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS);
        let party = Party {
            account: id,
            label: label.to_owned(),
            kind: AccountKind::Merchant,
            ledger: self.currency.ledger(),
            tier: None,
            mdr_bps,
            merchant_name: Some(display_name.to_owned()),
            merchant_city: Some(city.to_owned()),
        };
        self.open_account(account, &party)?;
        Ok(party)
    }

    fn open_account(&self, account: Account, party: &Party) -> Result<(), WalletError> {
        if self.store.party_by_label(&party.label)?.is_some() {
            return Err(WalletError::Store(StoreError::LabelTaken(
                party.label.clone(),
            )));
        }
        let outcome = self.store.submit(&[Event::Account(account)])?;
        match outcome.first() {
            Some(Outcome::Created) => {}
            other => {
                return Err(WalletError::Refused {
                    rule: "account_not_created",
                    outcome: other.copied(),
                })
            }
        }
        self.store.put_party(party)?;
        Ok(())
    }

    /// Money in: cash-in clearing → customer.
    ///
    /// # Errors
    /// [`WalletError::Refused`] with the rule (e.g. `balance_cap_unverified`), or a store error.
    pub fn top_up(
        &self,
        customer: &Party,
        amount: u128,
        id: Option<Id>,
    ) -> Result<Receipt, WalletError> {
        let t = Transfer::new(
            id.unwrap_or_else(|| self.new_id()),
            self.system_account(AccountKind::CashInClearing),
            customer.account,
            amount,
            self.currency.ledger(),
            TransferCode::TopUp,
        );
        self.submit_legs(vec![t], Some(customer))
    }

    /// Customer to customer, with the payer's authorization.
    ///
    /// # Errors
    /// [`WalletError::Refused`] with the rule (`authorization_invalid`, `per_transaction_cap`,
    /// `insufficient_funds`, a balance cap, …), or a store error.
    pub fn transfer(
        &self,
        from: &Party,
        to: &Party,
        amount: u128,
        id: Id,
        authorization: &Authorization,
    ) -> Result<Receipt, WalletError> {
        if from.kind != AccountKind::Customer || to.kind != AccountKind::Customer {
            return Err(WalletError::refused("customers_only"));
        }
        self.check_debit(from.account, id, amount, authorization)?;
        let t = Transfer::new(
            id,
            from.account,
            to.account,
            amount,
            self.currency.ledger(),
            TransferCode::PeerTransfer,
        );
        self.submit_legs(vec![t], Some(to))
    }

    /// Checks the per-transaction cap and the authorization for debiting a customer.
    fn check_debit(
        &self,
        customer: Id,
        first: Id,
        total: u128,
        authorization: &Authorization,
    ) -> Result<(), WalletError> {
        if total > self.limits.per_transaction_cap {
            return Err(WalletError::refused("per_transaction_cap"));
        }
        if self.authorizer.authorize(customer, first, total) != *authorization {
            return Err(WalletError::refused("authorization_invalid"));
        }
        Ok(())
    }

    /// Submits legs as one linked chain and turns the outcomes into a receipt or a refusal.
    pub(crate) fn submit_legs(
        &self,
        mut legs: Vec<Transfer>,
        credited: Option<&Party>,
    ) -> Result<Receipt, WalletError> {
        let last = legs.len().saturating_sub(1);
        for (i, t) in legs.iter_mut().enumerate() {
            t.flags = if i < last {
                t.flags.union(TransferFlags::LINKED)
            } else {
                t.flags.without(TransferFlags::LINKED)
            };
        }
        let events: Vec<Event> = legs.iter().copied().map(Event::Transfer).collect();
        let outcomes = self.store.submit(&events)?;
        if outcomes.iter().all(|o| *o == Outcome::Created) {
            return Ok(Receipt {
                outcome: Outcome::Created,
                legs,
            });
        }
        // A repeat of the whole operation: the first leg exists (the chain then fails the
        // rest with linked_event_failed, or they all exist when not linked).
        if outcomes.first() == Some(&Outcome::Exists) {
            return Ok(Receipt {
                outcome: Outcome::Exists,
                legs,
            });
        }
        let reason = outcomes
            .iter()
            .copied()
            .find(|o| *o != Outcome::LinkedEventFailed && *o != Outcome::Created)
            .unwrap_or(Outcome::LinkedEventFailed);
        Err(WalletError::Refused {
            rule: self.rule_for(reason, credited),
            outcome: Some(reason),
        })
    }

    fn rule_for(&self, outcome: Outcome, credited: Option<&Party>) -> &'static str {
        match outcome {
            Outcome::ExceedsCredits => "insufficient_funds",
            Outcome::ExceedsMaxBalance => match credited.and_then(|p| p.tier) {
                Some(Tier::Verified) => "balance_cap_verified",
                _ => "balance_cap_unverified",
            },
            Outcome::ExceedsMonthlyIncomingLimit => "monthly_incoming_limit",
            Outcome::ExceedsRefundableAmount => "refund_exceeds_payment",
            o if o.is_exists_with_different() => "id_reused_with_different_fields",
            o => o.as_str(),
        }
    }

    /// Refunds `amount` (the whole remainder when `None`) of a payment, merchant → customer.
    /// The ledger keeps the refunded total per payment, so concurrent refunds can never add up
    /// to more than the payment.
    ///
    /// # Errors
    /// [`WalletError::NotFound`] for an unknown payment, [`WalletError::Refused`] with
    /// `not_a_payment`, `nothing_left_to_refund`, `refund_exceeds_payment`,
    /// `insufficient_funds`, …
    pub fn refund(
        &self,
        payment: Id,
        amount: Option<u128>,
        id: Option<Id>,
    ) -> Result<Receipt, WalletError> {
        let original = self.store.transfer(payment)?.ok_or(WalletError::NotFound {
            what: "payment",
            id: payment,
        })?;
        if original.code != TransferCode::Payment {
            return Err(WalletError::refused("not_a_payment"));
        }
        let id = id.unwrap_or_else(|| self.new_id());
        let amount = match amount {
            Some(a) => a,
            None => {
                // Retrying a full refund with the same id must repeat the same amount.
                if let Some(done) = self.store.transfer(id)? {
                    done.amount
                } else {
                    let left = original
                        .amount
                        .saturating_sub(self.store.refunded(payment)?);
                    if left == 0 {
                        return Err(WalletError::refused("nothing_left_to_refund"));
                    }
                    left
                }
            }
        };
        let t = Transfer::new(
            id,
            original.credit_account_id,
            original.debit_account_id,
            amount,
            original.ledger,
            TransferCode::Refund,
        )
        .reference(payment);
        // The MDR given back goes first in the chain, so the merchant holds it when the refund
        // leg checks its balance; the receipt lists the refund first.
        let mut legs = Vec::with_capacity(2);
        if let Some(back) = self.mdr_back(&original, amount, id)? {
            legs.push(back);
        }
        legs.push(t);
        let customer = self.store.party(original.debit_account_id)?;
        let mut receipt = self.submit_legs(legs, customer.as_ref())?;
        receipt.legs.reverse();
        Ok(receipt)
    }

    /// The share of the merchant discount rate given back with a refund of `amount`:
    /// `floor(mdr × refunded_after / paid) − floor(mdr × refunded_before / paid)`, so partial
    /// refunds give back exactly the whole MDR once the payment is fully refunded, and
    /// concurrent refunds (which may read the same `refunded_before`) can only give back less,
    /// never more. `paid` counts the payment's tip and fee legs, on which the MDR was taken too.
    fn mdr_back(
        &self,
        payment: &Transfer,
        amount: u128,
        refund: Id,
    ) -> Result<Option<Transfer>, WalletError> {
        use crate::qr::leg_id;
        let Some(mdr) = self
            .store
            .transfer(leg_id(payment.id, 3))?
            .filter(|t| t.code == TransferCode::Mdr)
        else {
            return Ok(None);
        };
        let mut paid = payment.amount;
        for index in [1, 2] {
            if let Some(leg) = self.store.transfer(leg_id(payment.id, index))? {
                paid = paid.saturating_add(leg.amount);
            }
        }
        // A retry of this refund must compute the same share: count it as not yet refunded.
        let mut before = self.store.refunded(payment.id)?;
        if self.store.transfer(refund)?.is_some() {
            before = before.saturating_sub(amount);
        }
        let after = before.saturating_add(amount);
        let share = |refunded: u128| mdr.amount.checked_mul(refunded).map(|v| v / paid.max(1));
        let back = match (share(after), share(before)) {
            (Some(a), Some(b)) => a.saturating_sub(b),
            _ => return Err(WalletError::refused("amount_overflow")),
        };
        if back == 0 {
            return Ok(None);
        }
        Ok(Some(Transfer::new(
            leg_id(refund, 4),
            mdr.credit_account_id,
            mdr.debit_account_id,
            back,
            mdr.ledger,
            TransferCode::MdrRefund,
        )))
    }

    /// Starts a settlement: reserves `amount` of the merchant's balance for its bank (pending
    /// merchant → settlement clearing, expiring after [`SETTLEMENT_TIMEOUT_S`]).
    ///
    /// # Errors
    /// [`WalletError::Refused`] with `insufficient_funds` and the like.
    pub fn settle(
        &self,
        merchant: &Party,
        amount: u128,
        id: Option<Id>,
    ) -> Result<Receipt, WalletError> {
        if merchant.kind != AccountKind::Merchant {
            return Err(WalletError::refused("merchants_only"));
        }
        let t = Transfer::new(
            id.unwrap_or_else(|| self.new_id()),
            merchant.account,
            self.system_account(AccountKind::SettlementClearing),
            amount,
            self.currency.ledger(),
            TransferCode::Settlement,
        )
        .flags(TransferFlags::PENDING)
        .timeout_s(SETTLEMENT_TIMEOUT_S);
        self.submit_legs(vec![t], None)
    }

    /// The bank confirmed a settlement: post it in full.
    ///
    /// # Errors
    /// [`WalletError::NotFound`], or a refusal (`pending_transfer_expired`, …).
    pub fn confirm_settlement(&self, pending: Id, id: Option<Id>) -> Result<Receipt, WalletError> {
        self.resolve_settlement(pending, id, TransferFlags::POST_PENDING)
    }

    /// The bank refused a settlement: void it, the merchant keeps the money.
    ///
    /// # Errors
    /// [`WalletError::NotFound`], or a refusal (`pending_transfer_already_posted`, …).
    pub fn fail_settlement(&self, pending: Id, id: Option<Id>) -> Result<Receipt, WalletError> {
        self.resolve_settlement(pending, id, TransferFlags::VOID_PENDING)
    }

    fn resolve_settlement(
        &self,
        pending: Id,
        id: Option<Id>,
        flag: TransferFlags,
    ) -> Result<Receipt, WalletError> {
        let p = self.store.transfer(pending)?.ok_or(WalletError::NotFound {
            what: "settlement",
            id: pending,
        })?;
        let t = Transfer::new(
            id.unwrap_or_else(|| self.new_id()),
            p.debit_account_id,
            p.credit_account_id,
            p.amount,
            p.ledger,
            TransferCode::Settlement,
        )
        .flags(flag)
        .pending_id(pending);
        self.submit_legs(vec![t], None)
    }
}

/// The id of a system account: derived from its kind and ledger, the same in every process.
#[must_use]
pub fn system_account(kind: AccountKind, ledger: u32) -> Id {
    let mut material = [0u8; 5];
    for (dst, src) in material
        .iter_mut()
        .zip(std::iter::once(kind.code()).chain(ledger.to_be_bytes()))
    {
        *dst = src;
    }
    Id::derive("qrpay system account v1", &material)
}

/// 32 bytes for a new authorization key, from the standard library's randomly seeded hasher
/// keys (seeded from the operating system) and the time.
fn fresh_key(now_ns: u64) -> [u8; 32] {
    use std::hash::{BuildHasher, Hasher};
    let mut h = blake3::Hasher::new();
    h.update(b"qrpay authorization key v1");
    h.update(&now_ns.to_be_bytes());
    h.update(&std::process::id().to_be_bytes());
    for _ in 0..8 {
        let mut s = std::collections::hash_map::RandomState::new().build_hasher();
        s.write_u64(now_ns);
        h.update(&s.finish().to_be_bytes());
    }
    *h.finalize().as_bytes()
}
