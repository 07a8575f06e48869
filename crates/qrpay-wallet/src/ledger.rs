//! The deterministic state machine: every rule of the ledger, and nothing else.
//!
//! [`Ledger::apply`] takes a batch of events and a timestamp and returns one [`Outcome`] per
//! event. It does no I/O, reads no clock and draws no random numbers, so the same state and the
//! same batch always give the same results (the model in the tests checks exactly that). The
//! design follows TigerBeetle's: accounts with debits/credits × pending/posted, immutable
//! transfers with client-chosen ids, two-phase transfers, linked chains, and idempotency by id.
//!
//! Stores keep the state. The in-memory store keeps a whole [`Ledger`]; the SQLite store loads
//! into a fresh one only the rows a batch can touch (accounts named by the batch, transfers with
//! the batch's ids, referenced pending transfers and originals, pending transfers due to
//! expire), applies the batch, and writes back the [`Change`]s the ledger records.
//!
//! Order of checks for a transfer (each failure changes nothing): timestamp zero, id not
//! reserved, id exists (→ `exists` or `exists_with_different_<field>`, so a retry always sees the
//! original's outcome), id failed before (→ `id_already_failed`), flags, accounts, pending
//! reference, amount, ledger, refund reference, account lookups, overflows, overdraft, balance
//! cap, monthly limit. TigerBeetle validates fields before looking the id up; here the id comes
//! first so that a retry of a created event cannot be answered with a validation error.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use crate::account::{Account, AccountFlags, MonthlyIncoming};
use crate::id::Id;
use crate::outcome::Outcome;
use crate::transfer::{Transfer, TransferCode, TransferFlags};

/// Most events in one batch (TigerBeetle's limit is 8,190 per message; ours bounds memory).
pub const BATCH_EVENTS_MAX: usize = 65_536;

const NS_PER_S: u64 = 1_000_000_000;

/// One thing to apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Event {
    /// Create an account.
    Account(Account),
    /// Create a transfer.
    Transfer(Transfer),
}

impl Event {
    /// The event's id.
    #[must_use]
    pub fn id(&self) -> Id {
        match self {
            Event::Account(a) => a.id,
            Event::Transfer(t) => t.id,
        }
    }

    /// Whether the event is linked with the next.
    #[must_use]
    pub fn is_linked(&self) -> bool {
        match self {
            Event::Account(a) => a.flags.contains(AccountFlags::LINKED),
            Event::Transfer(t) => t.flags.contains(TransferFlags::LINKED),
        }
    }
}

/// Where a pending transfer stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum PendingStatus {
    /// Reserved, not yet resolved.
    Pending = 0,
    /// Posted by a later transfer.
    Posted = 1,
    /// Voided by a later transfer.
    Voided = 2,
    /// Released because its timeout passed.
    Expired = 3,
}

impl PendingStatus {
    /// The status for a stored code.
    #[must_use]
    pub fn from_code(code: u8) -> Option<PendingStatus> {
        [
            PendingStatus::Pending,
            PendingStatus::Posted,
            PendingStatus::Voided,
            PendingStatus::Expired,
        ]
        .into_iter()
        .find(|s| *s as u8 == code)
    }
}

/// A pending transfer's status and expiry (nanoseconds; 0 for never).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PendingInfo {
    /// Where it stands.
    pub status: PendingStatus,
    /// When it expires, in the ledger's nanoseconds; 0 for never.
    pub expires_at: u64,
}

/// A change the ledger made, for a store to write back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Change {
    /// An account was created.
    AccountCreated(Id),
    /// An account's balances changed.
    AccountUpdated(Id),
    /// A transfer was created.
    TransferCreated(Id),
    /// A pending transfer's status changed.
    PendingChanged(Id),
    /// A payment's refunded total changed.
    RefundedChanged(Id),
    /// An id failed with a transient reason and is remembered.
    Failed(Id),
}

/// A batch the ledger refused as a whole (a store's bug, never a client's).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LedgerError {
    /// Timestamps must increase from batch to batch.
    #[error("batch timestamp {timestamp} is not after the last one {last}")]
    TimestampNotIncreasing {
        /// The batch's.
        timestamp: u64,
        /// The ledger's last.
        last: u64,
    },
    /// Too many events.
    #[error("batch of {len} events exceeds the limit of {len_max}")]
    TooManyEvents {
        /// Events given.
        len: usize,
        /// The limit.
        len_max: usize,
    },
    /// An invariant of the stored state does not hold.
    #[error("corrupt ledger state: {what} for {id}")]
    Corrupt {
        /// What is wrong.
        what: &'static str,
        /// Where.
        id: Id,
    },
}

/// A fast hasher for ids: ids are already well spread (random or time-ordered with random
/// low bits), so a folded multiply is enough, and SipHash would cost most of the state
/// machine's time.
#[derive(Clone, Copy, Debug, Default)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = mix(self.0 ^ u64::from(*b));
        }
    }

    fn write_u128(&mut self, value: u128) {
        let low = u64::try_from(value & u128::from(u64::MAX)).unwrap_or(0);
        let high = u64::try_from(value >> 64).unwrap_or(0);
        self.0 = mix(self.0 ^ low ^ high.rotate_left(23));
    }
}

fn mix(x: u64) -> u64 {
    let m = u128::from(x) * 0x9E37_79B9_7F4A_7C15_u128;
    let low = u64::try_from(m & u128::from(u64::MAX)).unwrap_or(0);
    let high = u64::try_from(m >> 64).unwrap_or(0);
    low ^ high
}

/// A map keyed by id.
pub type IdMap<V> = HashMap<Id, V, BuildHasherDefault<IdHasher>>;

/// A set of ids.
pub type IdSet = HashSet<Id, BuildHasherDefault<IdHasher>>;

#[derive(Clone, Copy, Debug)]
enum Undo {
    AccountCreated(Id),
    Account(Account),
    TransferCreated(Id),
    Pending(Id, Option<PendingInfo>),
    Refunded(Id, Option<u128>),
}

/// The ledger's state and its rules.
#[derive(Debug, Default)]
pub struct Ledger {
    accounts: IdMap<Account>,
    transfers: IdMap<Transfer>,
    pending: IdMap<PendingInfo>,
    expiry: BTreeSet<(u64, Id)>,
    refunded: IdMap<u128>,
    failed: IdMap<Outcome>,
    last_timestamp: u64,
    undo: Vec<Undo>,
    recording: bool,
    journal: Option<Vec<Change>>,
}

impl Ledger {
    /// An empty ledger.
    #[must_use]
    pub fn new() -> Ledger {
        Ledger::default()
    }

    /// An empty ledger that records a [`Change`] for everything it does (for stores that write
    /// back only what changed).
    #[must_use]
    pub fn with_journal() -> Ledger {
        Ledger {
            journal: Some(Vec::new()),
            ..Ledger::default()
        }
    }

    /// The changes recorded since the last call (empty without a journal).
    pub fn take_journal(&mut self) -> Vec<Change> {
        self.journal
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }

    /// An account.
    #[must_use]
    pub fn account(&self, id: Id) -> Option<&Account> {
        self.accounts.get(&id)
    }

    /// A transfer.
    #[must_use]
    pub fn transfer(&self, id: Id) -> Option<&Transfer> {
        self.transfers.get(&id)
    }

    /// A pending transfer's status.
    #[must_use]
    pub fn pending(&self, id: Id) -> Option<PendingInfo> {
        self.pending.get(&id).copied()
    }

    /// The total refunded against a payment.
    #[must_use]
    pub fn refunded(&self, id: Id) -> u128 {
        self.refunded.get(&id).copied().unwrap_or(0)
    }

    /// The transient failure remembered for an id.
    #[must_use]
    pub fn failed(&self, id: Id) -> Option<Outcome> {
        self.failed.get(&id).copied()
    }

    /// The last timestamp the ledger assigned.
    #[must_use]
    pub fn last_timestamp(&self) -> u64 {
        self.last_timestamp
    }

    /// Every account.
    pub fn accounts(&self) -> impl Iterator<Item = &Account> {
        self.accounts.values()
    }

    /// Every transfer.
    pub fn transfers(&self) -> impl Iterator<Item = &Transfer> {
        self.transfers.values()
    }

    /// Reserves room for this many more transfers.
    pub fn reserve_transfers(&mut self, additional: usize) {
        self.transfers.reserve(additional);
    }

    /// Loads a stored account (for stores that prefetch).
    pub fn load_account(&mut self, account: Account) {
        self.accounts.insert(account.id, account);
    }

    /// Loads a stored transfer.
    pub fn load_transfer(&mut self, transfer: Transfer) {
        self.transfers.insert(transfer.id, transfer);
    }

    /// Loads a pending transfer's status.
    pub fn load_pending(&mut self, id: Id, info: PendingInfo) {
        if info.status == PendingStatus::Pending && info.expires_at != 0 {
            self.expiry.insert((info.expires_at, id));
        }
        self.pending.insert(id, info);
    }

    /// Loads a payment's refunded total.
    pub fn load_refunded(&mut self, id: Id, total: u128) {
        self.refunded.insert(id, total);
    }

    /// Loads a remembered failure.
    pub fn load_failed(&mut self, id: Id, outcome: Outcome) {
        self.failed.insert(id, outcome);
    }

    /// Sets the last timestamp (for stores that prefetch).
    pub fn load_last_timestamp(&mut self, timestamp: u64) {
        self.last_timestamp = timestamp;
    }

    /// Applies a batch. Event `i` gets timestamp `timestamp + i`. First, pending transfers whose
    /// expiry is at or before `timestamp` are released.
    ///
    /// # Errors
    /// [`LedgerError::TimestampNotIncreasing`] when `timestamp` is not after the last one,
    /// [`LedgerError::TooManyEvents`] above [`BATCH_EVENTS_MAX`], [`LedgerError::Corrupt`] when
    /// stored state breaks an invariant. Nothing is applied then.
    pub fn apply(&mut self, timestamp: u64, events: &[Event]) -> Result<Vec<Outcome>, LedgerError> {
        if events.len() > BATCH_EVENTS_MAX {
            return Err(LedgerError::TooManyEvents {
                len: events.len(),
                len_max: BATCH_EVENTS_MAX,
            });
        }
        if timestamp <= self.last_timestamp {
            return Err(LedgerError::TimestampNotIncreasing {
                timestamp,
                last: self.last_timestamp,
            });
        }
        let count = u64::try_from(events.len()).unwrap_or(u64::MAX);
        let last = timestamp.checked_add(count.saturating_sub(1)).ok_or(
            LedgerError::TimestampNotIncreasing {
                timestamp,
                last: self.last_timestamp,
            },
        )?;
        self.expire(timestamp)?;

        let mut results = Vec::with_capacity(events.len());
        let mut chain: Option<Chain> = None;
        let last_index = events.len().saturating_sub(1);
        let mut ts = timestamp;
        for (i, event) in events.iter().enumerate() {
            let linked = event.is_linked();
            if chain.is_none() && linked {
                chain = Some(Chain {
                    start: i,
                    failed: None,
                    undo_mark: self.undo.len(),
                    journal_mark: self.journal.as_ref().map_or(0, Vec::len),
                });
                self.recording = true;
            }
            let result = match &chain {
                Some(c) if c.failed.is_some() => Outcome::LinkedEventFailed,
                _ if linked && i == last_index => Outcome::LinkedEventChainOpen,
                _ => self.execute(event, ts),
            };
            results.push(result);
            match chain.as_mut() {
                None => {
                    if result.is_transient() {
                        self.remember_failed(event.id(), result);
                    }
                }
                Some(c) => {
                    if result != Outcome::Created && c.failed.is_none() {
                        c.failed = Some((i, result));
                    }
                    if !linked || i == last_index {
                        self.close_chain(c, &mut results, events);
                        chain = None;
                        self.recording = false;
                    }
                }
            }
            ts = ts.saturating_add(1);
        }
        self.last_timestamp = last;
        Ok(results)
    }

    fn close_chain(&mut self, chain: &Chain, results: &mut [Outcome], events: &[Event]) {
        let Some((failed_index, reason)) = chain.failed else {
            self.undo.clear();
            return;
        };
        self.rollback(chain.undo_mark);
        if let Some(j) = self.journal.as_mut() {
            j.truncate(chain.journal_mark);
        }
        for (i, r) in results.iter_mut().enumerate().skip(chain.start) {
            *r = if i == failed_index {
                reason
            } else {
                Outcome::LinkedEventFailed
            };
        }
        if reason.is_transient() {
            if let Some(e) = events.get(failed_index) {
                self.remember_failed(e.id(), reason);
            }
        }
    }

    /// Overwrites an existing account in place (no insert path, no rehash).
    fn store_account(&mut self, account: Account) {
        match self.accounts.get_mut(&account.id) {
            Some(slot) => *slot = account,
            None => {
                self.accounts.insert(account.id, account);
            }
        }
    }

    fn remember_failed(&mut self, id: Id, outcome: Outcome) {
        self.failed.insert(id, outcome);
        self.note(Change::Failed(id));
    }

    fn note(&mut self, change: Change) {
        if let Some(j) = self.journal.as_mut() {
            j.push(change);
        }
    }

    fn rollback(&mut self, mark: usize) {
        while self.undo.len() > mark {
            let Some(u) = self.undo.pop() else { break };
            match u {
                Undo::AccountCreated(id) => {
                    self.accounts.remove(&id);
                }
                Undo::Account(a) => {
                    self.accounts.insert(a.id, a);
                }
                Undo::TransferCreated(id) => {
                    self.transfers.remove(&id);
                }
                Undo::Pending(id, previous) => {
                    if let Some(now) = self.pending.get(&id) {
                        self.expiry.remove(&(now.expires_at, id));
                    }
                    match previous {
                        Some(info) => self.load_pending(id, info),
                        None => {
                            self.pending.remove(&id);
                        }
                    }
                }
                Undo::Refunded(id, previous) => match previous {
                    Some(total) => {
                        self.refunded.insert(id, total);
                    }
                    None => {
                        self.refunded.remove(&id);
                    }
                },
            }
        }
    }

    fn expire(&mut self, timestamp: u64) -> Result<(), LedgerError> {
        while let Some(&(expires_at, id)) = self.expiry.first() {
            if expires_at > timestamp {
                break;
            }
            self.expiry.pop_first();
            let t = *self.transfers.get(&id).ok_or(LedgerError::Corrupt {
                what: "expiring transfer missing",
                id,
            })?;
            let mut dr = *self
                .accounts
                .get(&t.debit_account_id)
                .ok_or(LedgerError::Corrupt {
                    what: "debit account missing",
                    id,
                })?;
            let mut cr = *self
                .accounts
                .get(&t.credit_account_id)
                .ok_or(LedgerError::Corrupt {
                    what: "credit account missing",
                    id,
                })?;
            dr.balances.debits_pending =
                dr.balances
                    .debits_pending
                    .checked_sub(t.amount)
                    .ok_or(LedgerError::Corrupt {
                        what: "debits pending below amount",
                        id,
                    })?;
            cr.balances.credits_pending =
                cr.balances
                    .credits_pending
                    .checked_sub(t.amount)
                    .ok_or(LedgerError::Corrupt {
                        what: "credits pending below amount",
                        id,
                    })?;
            self.accounts.insert(dr.id, dr);
            self.accounts.insert(cr.id, cr);
            self.pending.insert(
                id,
                PendingInfo {
                    status: PendingStatus::Expired,
                    expires_at,
                },
            );
            self.note(Change::AccountUpdated(dr.id));
            self.note(Change::AccountUpdated(cr.id));
            self.note(Change::PendingChanged(id));
        }
        Ok(())
    }

    fn execute(&mut self, event: &Event, timestamp: u64) -> Outcome {
        match event {
            Event::Account(a) => self.create_account(a, timestamp),
            Event::Transfer(t) => self.create_transfer(t, timestamp),
        }
    }

    fn create_account(&mut self, a: &Account, timestamp: u64) -> Outcome {
        if let Some(refused) = check_new_event(a.timestamp, a.id) {
            return refused;
        }
        if let Some(e) = self.accounts.get(&a.id) {
            return if e.flags != a.flags {
                Outcome::ExistsWithDifferentFlags
            } else if e.ledger != a.ledger {
                Outcome::ExistsWithDifferentLedger
            } else if e.kind != a.kind {
                Outcome::ExistsWithDifferentKind
            } else if e.max_balance != a.max_balance {
                Outcome::ExistsWithDifferentMaxBalance
            } else if e.monthly_incoming_max != a.monthly_incoming_max {
                Outcome::ExistsWithDifferentMonthlyIncomingMax
            } else {
                Outcome::Exists
            };
        }
        if a.ledger == 0 {
            return Outcome::LedgerMustNotBeZero;
        }
        if a.balances != crate::account::Balances::default()
            || a.incoming != MonthlyIncoming::default()
        {
            return Outcome::BalancesMustBeZero;
        }
        let account = Account { timestamp, ..*a };
        self.accounts.insert(a.id, account);
        if self.recording {
            self.undo.push(Undo::AccountCreated(a.id));
        }
        self.note(Change::AccountCreated(a.id));
        Outcome::Created
    }

    #[allow(clippy::too_many_lines)] // One rule after another, in the documented order.
    fn create_transfer(&mut self, t: &Transfer, timestamp: u64) -> Outcome {
        if let Some(refused) = check_new_event(t.timestamp, t.id) {
            return refused;
        }
        if let Some(e) = self.transfers.get(&t.id) {
            return exists(t, e);
        }
        if self.failed.contains_key(&t.id) {
            return Outcome::IdAlreadyFailed;
        }
        let pending = t.flags.contains(TransferFlags::PENDING);
        let post = t.flags.contains(TransferFlags::POST_PENDING);
        let void = t.flags.contains(TransferFlags::VOID_PENDING);
        if u8::from(pending) + u8::from(post) + u8::from(void) > 1 {
            return Outcome::FlagsAreMutuallyExclusive;
        }
        if t.debit_account_id.is_zero() {
            return Outcome::DebitAccountIdMustNotBeZero;
        }
        if t.credit_account_id.is_zero() {
            return Outcome::CreditAccountIdMustNotBeZero;
        }
        if t.debit_account_id == t.credit_account_id {
            return Outcome::AccountsMustBeDifferent;
        }
        if t.ledger == 0 {
            return Outcome::LedgerMustNotBeZero;
        }
        if post || void {
            return self.post_or_void(t, timestamp, post);
        }
        if t.pending_id.is_some() {
            return Outcome::PendingIdMustBeZero;
        }
        if !pending && t.timeout_s != 0 {
            return Outcome::TimeoutReservedForPendingTransfer;
        }
        if t.amount == 0 {
            return Outcome::AmountMustNotBeZero;
        }
        let refund = t.code == TransferCode::Refund;
        if refund {
            if t.reference.is_none() {
                return Outcome::ReferenceMustNotBeZero;
            }
            if pending {
                return Outcome::RefundMustNotBePending;
            }
        }
        let Some(&dr) = self.accounts.get(&t.debit_account_id) else {
            return Outcome::DebitAccountNotFound;
        };
        let Some(&cr) = self.accounts.get(&t.credit_account_id) else {
            return Outcome::CreditAccountNotFound;
        };
        if dr.ledger != cr.ledger {
            return Outcome::AccountsMustHaveTheSameLedger;
        }
        if t.ledger != dr.ledger {
            return Outcome::TransferMustHaveTheSameLedgerAsAccounts;
        }
        let mut refunded_after = None;
        if let (true, Some(reference)) = (refund, t.reference) {
            let Some(original) = self.transfers.get(&reference) else {
                return Outcome::ReferenceNotFound;
            };
            if !original.code.is_refundable()
                || original.flags.contains(TransferFlags::PENDING)
                || original.flags.contains(TransferFlags::VOID_PENDING)
            {
                return Outcome::ReferenceNotRefundable;
            }
            if original.debit_account_id != t.credit_account_id
                || original.credit_account_id != t.debit_account_id
            {
                return Outcome::RefundAccountsMismatch;
            }
            match self.refunded(reference).checked_add(t.amount) {
                Some(total) if total <= original.amount => {
                    refunded_after = Some((reference, total))
                }
                _ => return Outcome::ExceedsRefundableAmount,
            }
        }
        let expires_at = if pending && t.timeout_s != 0 {
            match u64::from(t.timeout_s)
                .checked_mul(NS_PER_S)
                .and_then(|d| timestamp.checked_add(d))
            {
                Some(e) => e,
                None => return Outcome::OverflowsTimeout,
            }
        } else {
            0
        };
        let mut dr_new = dr;
        let mut cr_new = cr;
        if pending {
            let Some(v) = dr.balances.debits_pending.checked_add(t.amount) else {
                return Outcome::OverflowsDebitsPending;
            };
            dr_new.balances.debits_pending = v;
            let Some(v) = cr.balances.credits_pending.checked_add(t.amount) else {
                return Outcome::OverflowsCreditsPending;
            };
            cr_new.balances.credits_pending = v;
        } else {
            let Some(v) = dr.balances.debits_posted.checked_add(t.amount) else {
                return Outcome::OverflowsDebitsPosted;
            };
            dr_new.balances.debits_posted = v;
            let Some(v) = cr.balances.credits_posted.checked_add(t.amount) else {
                return Outcome::OverflowsCreditsPosted;
            };
            cr_new.balances.credits_posted = v;
        }
        let Some(debits) = dr_new
            .balances
            .debits_pending
            .checked_add(dr_new.balances.debits_posted)
        else {
            return Outcome::OverflowsDebits;
        };
        let Some(credits) = cr_new
            .balances
            .credits_pending
            .checked_add(cr_new.balances.credits_posted)
        else {
            return Outcome::OverflowsCredits;
        };
        if dr
            .flags
            .contains(AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS)
            && debits > dr.balances.credits_posted
        {
            return Outcome::ExceedsCredits;
        }
        if let Some(max) = cr.max_balance {
            if credits.saturating_sub(cr.balances.debits_posted) > max {
                return Outcome::ExceedsMaxBalance;
            }
        }
        if !pending && !refund {
            match monthly_incoming(&cr, t.amount, timestamp) {
                Ok(incoming) => cr_new.incoming = incoming,
                Err(o) => return o,
            }
        }
        // Every check passed: apply.
        if self.recording {
            self.undo.push(Undo::Account(dr));
            self.undo.push(Undo::Account(cr));
            self.undo.push(Undo::TransferCreated(t.id));
        }
        self.store_account(dr_new);
        self.store_account(cr_new);
        self.transfers.insert(t.id, Transfer { timestamp, ..*t });
        self.note(Change::AccountUpdated(dr.id));
        self.note(Change::AccountUpdated(cr.id));
        self.note(Change::TransferCreated(t.id));
        if pending {
            if self.recording {
                self.undo.push(Undo::Pending(t.id, None));
            }
            self.load_pending(
                t.id,
                PendingInfo {
                    status: PendingStatus::Pending,
                    expires_at,
                },
            );
            self.note(Change::PendingChanged(t.id));
        }
        if let Some((reference, total)) = refunded_after {
            if self.recording {
                let previous = self.refunded.get(&reference).copied();
                self.undo.push(Undo::Refunded(reference, previous));
            }
            self.refunded.insert(reference, total);
            self.note(Change::RefundedChanged(reference));
        }
        Outcome::Created
    }

    fn post_or_void(&mut self, t: &Transfer, timestamp: u64, post: bool) -> Outcome {
        let Some(pending_id) = t.pending_id.filter(|p| !p.is_zero()) else {
            return Outcome::PendingIdMustNotBeZero;
        };
        if pending_id == t.id {
            return Outcome::PendingIdMustBeDifferent;
        }
        if t.timeout_s != 0 {
            return Outcome::TimeoutReservedForPendingTransfer;
        }
        let Some(&p) = self.transfers.get(&pending_id) else {
            return Outcome::PendingTransferNotFound;
        };
        if !p.flags.contains(TransferFlags::PENDING) {
            return Outcome::PendingTransferNotPending;
        }
        if p.debit_account_id != t.debit_account_id {
            return Outcome::PendingTransferHasDifferentDebitAccountId;
        }
        if p.credit_account_id != t.credit_account_id {
            return Outcome::PendingTransferHasDifferentCreditAccountId;
        }
        if p.ledger != t.ledger {
            return Outcome::PendingTransferHasDifferentLedger;
        }
        if p.code != t.code {
            return Outcome::PendingTransferHasDifferentCode;
        }
        if post {
            if t.amount == 0 {
                return Outcome::AmountMustNotBeZero;
            }
            if t.amount > p.amount {
                return Outcome::ExceedsPendingTransferAmount;
            }
        } else if t.amount != 0 && t.amount != p.amount {
            return Outcome::PendingTransferHasDifferentAmount;
        }
        let Some(info) = self.pending.get(&pending_id).copied() else {
            return Outcome::PendingTransferNotPending;
        };
        match info.status {
            PendingStatus::Pending => {}
            PendingStatus::Posted => return Outcome::PendingTransferAlreadyPosted,
            PendingStatus::Voided => return Outcome::PendingTransferAlreadyVoided,
            PendingStatus::Expired => return Outcome::PendingTransferExpired,
        }
        if info.expires_at != 0 && info.expires_at <= timestamp {
            return Outcome::PendingTransferExpired;
        }
        let Some(&dr) = self.accounts.get(&p.debit_account_id) else {
            return Outcome::DebitAccountNotFound;
        };
        let Some(&cr) = self.accounts.get(&p.credit_account_id) else {
            return Outcome::CreditAccountNotFound;
        };
        let mut dr_new = dr;
        let mut cr_new = cr;
        dr_new.balances.debits_pending = dr.balances.debits_pending.saturating_sub(p.amount);
        cr_new.balances.credits_pending = cr.balances.credits_pending.saturating_sub(p.amount);
        if post {
            let Some(v) = dr.balances.debits_posted.checked_add(t.amount) else {
                return Outcome::OverflowsDebitsPosted;
            };
            dr_new.balances.debits_posted = v;
            let Some(v) = cr.balances.credits_posted.checked_add(t.amount) else {
                return Outcome::OverflowsCreditsPosted;
            };
            cr_new.balances.credits_posted = v;
            if t.code != TransferCode::Refund {
                match monthly_incoming(&cr, t.amount, timestamp) {
                    Ok(incoming) => cr_new.incoming = incoming,
                    Err(o) => return o,
                }
            }
        }
        if self.recording {
            self.undo.push(Undo::Account(dr));
            self.undo.push(Undo::Account(cr));
            self.undo.push(Undo::TransferCreated(t.id));
            self.undo.push(Undo::Pending(pending_id, Some(info)));
        }
        self.accounts.insert(dr.id, dr_new);
        self.accounts.insert(cr.id, cr_new);
        self.transfers.insert(t.id, Transfer { timestamp, ..*t });
        self.expiry.remove(&(info.expires_at, pending_id));
        let status = if post {
            PendingStatus::Posted
        } else {
            PendingStatus::Voided
        };
        self.pending
            .insert(pending_id, PendingInfo { status, ..info });
        self.note(Change::AccountUpdated(dr.id));
        self.note(Change::AccountUpdated(cr.id));
        self.note(Change::TransferCreated(t.id));
        self.note(Change::PendingChanged(pending_id));
        Outcome::Created
    }
}

#[derive(Debug)]
struct Chain {
    start: usize,
    failed: Option<(usize, Outcome)>,
    undo_mark: usize,
    journal_mark: usize,
}

/// The first rules for an account and a transfer alike, in TigerBeetle's order: the ledger sets
/// the timestamp, and the id is neither 0 nor `u128::MAX`.
fn check_new_event(timestamp: u64, id: Id) -> Option<Outcome> {
    if timestamp != 0 {
        Some(Outcome::TimestampMustBeZero)
    } else if id.is_zero() {
        Some(Outcome::IdMustNotBeZero)
    } else if id.get() == u128::MAX {
        Some(Outcome::IdMustNotBeIntMax)
    } else {
        None
    }
}

fn exists(t: &Transfer, e: &Transfer) -> Outcome {
    if t.flags != e.flags {
        Outcome::ExistsWithDifferentFlags
    } else if t.debit_account_id != e.debit_account_id {
        Outcome::ExistsWithDifferentDebitAccountId
    } else if t.credit_account_id != e.credit_account_id {
        Outcome::ExistsWithDifferentCreditAccountId
    } else if t.amount != e.amount {
        Outcome::ExistsWithDifferentAmount
    } else if t.pending_id != e.pending_id {
        Outcome::ExistsWithDifferentPendingId
    } else if t.reference != e.reference {
        Outcome::ExistsWithDifferentReference
    } else if t.timeout_s != e.timeout_s {
        Outcome::ExistsWithDifferentTimeout
    } else if t.ledger != e.ledger {
        Outcome::ExistsWithDifferentLedger
    } else if t.code != e.code {
        Outcome::ExistsWithDifferentCode
    } else {
        Outcome::Exists
    }
}

/// The credit account's monthly incoming total after `amount` more, or the refusal.
fn monthly_incoming(
    credit: &Account,
    amount: u128,
    timestamp: u64,
) -> Result<MonthlyIncoming, Outcome> {
    let month = month_index(timestamp);
    let current = if credit.incoming.month == month {
        credit.incoming.total
    } else {
        0
    };
    let total = current
        .checked_add(amount)
        .ok_or(Outcome::ExceedsMonthlyIncomingLimit)?;
    if let Some(max) = credit.monthly_incoming_max {
        if total > max {
            return Err(Outcome::ExceedsMonthlyIncomingLimit);
        }
    }
    Ok(MonthlyIncoming { month, total })
}

/// Months since January 1970 (UTC) for a timestamp in nanoseconds, by the civil-from-days
/// algorithm (proleptic Gregorian calendar, integers only).
#[must_use]
pub fn month_index(timestamp_ns: u64) -> u32 {
    let days = timestamp_ns / NS_PER_S / 86_400;
    // Shift the epoch to 0000-03-01 so leap days end a year.
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    let index = year.saturating_sub(1970) * 12 + month - 1;
    u32::try_from(index).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::AccountKind;

    #[test]
    fn month_index_matches_the_calendar() {
        // (unix seconds, months since 1970-01)
        let table: &[(u64, u32)] = &[
            (0, 0),               // 1970-01-01
            (2_678_399, 0),       // 1970-01-31T23:59:59
            (2_678_400, 1),       // 1970-02-01
            (951_782_400, 361),   // 2000-02-29
            (951_868_800, 362),   // 2000-03-01
            (1_709_164_800, 649), // 2024-02-29
            (1_735_689_599, 659), // 2024-12-31T23:59:59
            (1_735_689_600, 660), // 2025-01-01
        ];
        for &(s, m) in table {
            assert_eq!(month_index(s * NS_PER_S), m, "{s}");
        }
    }

    fn id(n: u128) -> Id {
        Id::from_u128(n)
    }

    fn setup() -> Ledger {
        let mut l = Ledger::new();
        let events = [
            Event::Account(Account::new(id(1), 360, AccountKind::CashInClearing)),
            Event::Account(
                Account::new(id(2), 360, AccountKind::Customer)
                    .flags(AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS)
                    .max_balance(Some(1_000)),
            ),
            Event::Account(Account::new(id(3), 360, AccountKind::Merchant)),
        ];
        assert_eq!(l.apply(1, &events).unwrap(), vec![Outcome::Created; 3]);
        l
    }

    /// [`setup`] with 500 topped up to the customer (transfer 10 at timestamp 10).
    fn funded() -> Ledger {
        let mut l = setup();
        let top = Transfer::new(id(10), id(1), id(2), 500, 360, TransferCode::TopUp);
        assert_eq!(apply_one(&mut l, 10, top), Outcome::Created);
        l
    }

    /// The outcome of `t` applied alone at `timestamp`.
    fn apply_one(l: &mut Ledger, timestamp: u64, t: Transfer) -> Outcome {
        let outcomes = l.apply(timestamp, &[Event::Transfer(t)]).unwrap();
        assert_eq!(outcomes.len(), 1);
        outcomes[0]
    }

    #[test]
    fn idempotency_as_tigerbeetle() {
        let mut l = setup();
        let t = Transfer::new(id(10), id(1), id(2), 500, 360, TransferCode::TopUp);
        assert_eq!(apply_one(&mut l, 10, t), Outcome::Created);
        assert_eq!(apply_one(&mut l, 20, t), Outcome::Exists);
        let mut other = t;
        other.amount = 501;
        assert_eq!(
            apply_one(&mut l, 30, other),
            Outcome::ExistsWithDifferentAmount
        );
        // Overdraft fails transiently and the id stays failed even when money arrives.
        let spend = Transfer::new(id(11), id(2), id(3), 600, 360, TransferCode::Payment);
        assert_eq!(apply_one(&mut l, 40, spend), Outcome::ExceedsCredits);
        let more = Transfer::new(id(12), id(1), id(2), 400, 360, TransferCode::TopUp);
        assert_eq!(apply_one(&mut l, 50, more), Outcome::Created);
        assert_eq!(apply_one(&mut l, 60, spend), Outcome::IdAlreadyFailed);
        // The balance cap.
        let over = Transfer::new(id(13), id(1), id(2), 101, 360, TransferCode::TopUp);
        assert_eq!(apply_one(&mut l, 70, over), Outcome::ExceedsMaxBalance);
        assert_eq!(l.account(id(2)).unwrap().balances.credits_posted, 900);
    }

    #[test]
    fn linked_chain_fails_together() {
        let mut l = funded();
        let a = Transfer::new(id(20), id(2), id(3), 300, 360, TransferCode::Payment).linked();
        let b = Transfer::new(id(21), id(2), id(3), 300, 360, TransferCode::Tip);
        let r = l
            .apply(20, &[Event::Transfer(a), Event::Transfer(b)])
            .unwrap();
        assert_eq!(r, [Outcome::LinkedEventFailed, Outcome::ExceedsCredits]);
        assert!(l.transfer(id(20)).is_none());
        assert_eq!(l.account(id(2)).unwrap().balances.debits_posted, 0);
        // An open chain at the end of a batch.
        let c = Transfer::new(id(30), id(2), id(3), 1, 360, TransferCode::Payment).linked();
        let r = l.apply(30, &[Event::Transfer(c)]).unwrap();
        assert_eq!(r, [Outcome::LinkedEventChainOpen]);
    }

    #[test]
    fn two_phase_post_void_expire() {
        let mut l = funded();
        let p = Transfer::new(id(20), id(2), id(3), 200, 360, TransferCode::Settlement)
            .flags(TransferFlags::PENDING)
            .timeout_s(1);
        assert_eq!(apply_one(&mut l, 20, p), Outcome::Created);
        assert_eq!(l.account(id(2)).unwrap().balances.available(), 300);
        let post = Transfer::new(id(21), id(2), id(3), 150, 360, TransferCode::Settlement)
            .flags(TransferFlags::POST_PENDING)
            .pending_id(id(20));
        assert_eq!(apply_one(&mut l, 30, post), Outcome::Created);
        let b = l.account(id(2)).unwrap().balances;
        assert_eq!((b.debits_pending, b.debits_posted), (0, 150));
        let void = Transfer::new(id(22), id(2), id(3), 0, 360, TransferCode::Settlement)
            .flags(TransferFlags::VOID_PENDING)
            .pending_id(id(20));
        assert_eq!(
            apply_one(&mut l, 40, void),
            Outcome::PendingTransferAlreadyPosted
        );
        // Expiry releases the reservation.
        let p2 = Transfer { id: id(23), ..p };
        assert_eq!(apply_one(&mut l, 50, p2), Outcome::Created);
        assert_eq!(l.account(id(2)).unwrap().balances.debits_pending, 200);
        l.apply(50 + NS_PER_S, &[]).unwrap();
        assert_eq!(l.account(id(2)).unwrap().balances.debits_pending, 0);
        assert_eq!(l.pending(id(23)).unwrap().status, PendingStatus::Expired);
        let post2 = Transfer {
            id: id(24),
            pending_id: Some(id(23)),
            ..post
        };
        assert_eq!(
            apply_one(&mut l, 60 + NS_PER_S, post2),
            Outcome::PendingTransferExpired
        );
    }

    #[test]
    fn refunds_never_exceed_the_original() {
        let mut l = funded();
        let pay = Transfer::new(id(20), id(2), id(3), 300, 360, TransferCode::Payment);
        l.apply(20, &[Event::Transfer(pay)]).unwrap();
        let r1 =
            Transfer::new(id(21), id(3), id(2), 200, 360, TransferCode::Refund).reference(id(20));
        let r2 =
            Transfer::new(id(22), id(3), id(2), 101, 360, TransferCode::Refund).reference(id(20));
        let r3 =
            Transfer::new(id(23), id(3), id(2), 100, 360, TransferCode::Refund).reference(id(20));
        let r = l
            .apply(
                30,
                &[
                    Event::Transfer(r1),
                    Event::Transfer(r2),
                    Event::Transfer(r3),
                ],
            )
            .unwrap();
        assert_eq!(
            r,
            [
                Outcome::Created,
                Outcome::ExceedsRefundableAmount,
                Outcome::Created
            ]
        );
        assert_eq!(l.refunded(id(20)), 300);
        let wrong =
            Transfer::new(id(24), id(1), id(2), 1, 360, TransferCode::Refund).reference(id(20));
        assert_eq!(
            apply_one(&mut l, 40, wrong),
            Outcome::RefundAccountsMismatch
        );
    }
}
