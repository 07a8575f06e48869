//! The `Store` trait: where the ledger's state lives, and the registry beside it.
//!
//! A store applies batches through the one state machine ([`crate::ledger::Ledger`]) and keeps
//! the result durable. The trait is shaped for both an embedded database (SQLite, one writer
//! with group commit) and a database server (PostgreSQL, many writers each applying whole
//! batches in one transaction with row locks taken in id order): callers hand over whole batches
//! and get one outcome per event, and nothing in the trait assumes one process.

use crate::account::{Account, AccountKind};
use crate::id::Id;
use crate::ledger::{Event, IdSet, LedgerError, PendingInfo, PendingStatus};
use crate::outcome::Outcome;
use crate::transfer::Transfer;

/// Why a store could not do what was asked (as opposed to a refused event, which is an
/// [`Outcome`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database failed.
    #[error("database error while {context}")]
    Database {
        /// What the store was doing.
        context: &'static str,
        /// The driver's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The state machine refused the batch as a whole.
    #[error("ledger refused the batch")]
    Ledger(#[from] LedgerError),
    /// A stored row does not decode.
    #[error("stored {table} row {row} does not decode: {what}")]
    Corrupt {
        /// The table.
        table: &'static str,
        /// The row's key.
        row: String,
        /// What is wrong.
        what: &'static str,
    },
    /// The writer has stopped (the store is closing or a previous commit failed).
    #[error("the store's writer has stopped")]
    WriterStopped,
    /// The database was made by a newer version of this code.
    #[error("database schema version {found} is newer than {supported}")]
    SchemaTooNew {
        /// In the file.
        found: i64,
        /// This code's.
        supported: i64,
    },
    /// A label is already used by another account.
    #[error("label {0:?} is already taken")]
    LabelTaken(String),
}

/// A customer's verification tier, which sets the balance cap.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Tier {
    /// Phone number only.
    Unverified,
    /// Identity checked.
    Verified,
}

impl Tier {
    /// The name used in the CLI and storage.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Unverified => "unverified",
            Tier::Verified => "verified",
        }
    }

    /// The tier for a name.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Tier> {
        match name {
            "unverified" => Some(Tier::Unverified),
            "verified" => Some(Tier::Verified),
            _ => None,
        }
    }
}

/// The registry entry for an account: what the wallet knows about it outside the ledger.
///
/// The ledger tables hold ids, amounts, codes and timestamps only. The operator's label for an
/// account (e.g. "alice" in the demo) and a merchant's registered display name and city live
/// here, in a separate table, so that they can be erased or kept apart from the books.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Party {
    /// The ledger account.
    pub account: Id,
    /// The operator's label (unique).
    pub label: String,
    /// The account's kind.
    pub kind: AccountKind,
    /// The ledger (currency numeric code).
    pub ledger: u32,
    /// Customers: the tier.
    pub tier: Option<Tier>,
    /// Merchants: the merchant discount rate in basis points.
    pub mdr_bps: u16,
    /// Merchants: the registered display name.
    pub merchant_name: Option<String>,
    /// Merchants: the registered city.
    pub merchant_city: Option<String>,
}

/// A dynamic code the wallet issued for a merchant: what a scanned code must match.
///
/// EMV payloads carry only a CRC, which anyone can recompute after changing the amount; the
/// issuer's record of the code is what makes a changed amount or an expired code detectable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuedCode {
    /// The merchant's account.
    pub merchant: Id,
    /// The code's reference (tag 62 05).
    pub reference: String,
    /// The amount in minor units (tag 54).
    pub amount_minor: u128,
    /// When the code stops being payable, in nanoseconds since the epoch.
    pub expires_at_ns: u64,
}

/// What tampering or inconsistency `verify` found, with where.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Finding {
    /// A transfer row's contents do not match its stored hash.
    TransferRowTampered {
        /// The transfer.
        id: Id,
    },
    /// An account row's identity does not match its stored hash.
    AccountRowTampered {
        /// The account.
        id: Id,
    },
    /// A batch's hash does not follow from the previous one and its rows (rows were added,
    /// removed or re-hashed).
    ChainBroken {
        /// The batch's sequence number.
        batch: u64,
    },
    /// Stored balances differ from the ones recomputed from the transfers.
    BalanceMismatch {
        /// The account.
        id: Id,
    },
    /// A row decodes to nonsense.
    Undecodable {
        /// The table.
        table: &'static str,
        /// The row's key.
        row: String,
    },
    /// The database engine's own integrity check failed.
    Integrity(String),
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Finding::TransferRowTampered { id } => write!(f, "transfer {id} was changed"),
            Finding::AccountRowTampered { id } => write!(f, "account {id} was changed"),
            Finding::ChainBroken { batch } => write!(f, "hash chain broken at batch {batch}"),
            Finding::BalanceMismatch { id } => {
                write!(f, "balances of account {id} differ from its transfers")
            }
            Finding::Undecodable { table, row } => write!(f, "{table} row {row} does not decode"),
            Finding::Integrity(s) => write!(f, "database integrity check: {s}"),
        }
    }
}

/// The result of `verify`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VerifyReport {
    /// Batches checked.
    pub batches: u64,
    /// Accounts checked.
    pub accounts: u64,
    /// Transfers checked.
    pub transfers: u64,
    /// What was wrong; empty when clean.
    pub findings: Vec<Finding>,
}

impl VerifyReport {
    /// Whether nothing was wrong.
    #[must_use]
    pub fn is_clean(&self) -> bool {
        self.findings.is_empty()
    }
}

/// Where the ledger lives.
pub trait Store: Send + Sync {
    /// Applies `events` as one batch through the state machine and returns one outcome per
    /// event, once the result is durable. Linked chains close within the batch.
    ///
    /// # Errors
    /// [`StoreError`] when the store could not apply or persist the batch; then nothing of it
    /// was applied.
    fn submit(&self, events: &[Event]) -> Result<Vec<Outcome>, StoreError>;

    /// An account with its current balances.
    ///
    /// # Errors
    /// [`StoreError`] on a database failure.
    fn account(&self, id: Id) -> Result<Option<Account>, StoreError>;

    /// A transfer.
    ///
    /// # Errors
    /// [`StoreError`] on a database failure.
    fn transfer(&self, id: Id) -> Result<Option<Transfer>, StoreError>;

    /// A pending transfer's status.
    ///
    /// # Errors
    /// [`StoreError`] on a database failure.
    fn pending(&self, id: Id) -> Result<Option<PendingInfo>, StoreError>;

    /// The total refunded against a payment.
    ///
    /// # Errors
    /// [`StoreError`] on a database failure.
    fn refunded(&self, payment: Id) -> Result<u128, StoreError>;

    /// Transfers that debit or credit an account, newest first, at most `limit`.
    ///
    /// # Errors
    /// [`StoreError`] on a database failure.
    fn history(&self, account: Id, limit: usize) -> Result<Vec<Transfer>, StoreError>;

    /// Transfers that reference `payment` (its refunds), oldest first.
    ///
    /// # Errors
    /// [`StoreError`] on a database failure.
    fn referencing(&self, payment: Id) -> Result<Vec<Transfer>, StoreError>;

    /// Recomputes every balance from the transfers and checks the hash chain.
    ///
    /// # Errors
    /// [`StoreError`] on a database failure (tampering is reported in the result).
    fn verify(&self) -> Result<VerifyReport, StoreError>;

    /// Adds a registry entry.
    ///
    /// # Errors
    /// [`StoreError::LabelTaken`] when the label belongs to another account.
    fn put_party(&self, party: &Party) -> Result<(), StoreError>;

    /// The registry entry with this label.
    ///
    /// # Errors
    /// [`StoreError`] on a database failure.
    fn party_by_label(&self, label: &str) -> Result<Option<Party>, StoreError>;

    /// The registry entry of an account.
    ///
    /// # Errors
    /// [`StoreError`] on a database failure.
    fn party(&self, account: Id) -> Result<Option<Party>, StoreError>;

    /// A wallet setting (e.g. the authorization key), by name.
    ///
    /// # Errors
    /// [`StoreError`] on a database failure.
    fn setting(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError>;

    /// Records an issued dynamic code (replacing one with the same merchant and reference).
    ///
    /// # Errors
    /// [`StoreError`] on a database failure.
    fn put_code(&self, code: &IssuedCode) -> Result<(), StoreError>;

    /// The issued dynamic code with this merchant and reference.
    ///
    /// # Errors
    /// [`StoreError`] on a database failure.
    fn issued_code(&self, merchant: Id, reference: &str) -> Result<Option<IssuedCode>, StoreError>;

    /// Sets a wallet setting if it is not set yet, and returns the value in force.
    ///
    /// # Errors
    /// [`StoreError`] on a database failure.
    fn init_setting(&self, name: &str, value: &[u8]) -> Result<Vec<u8>, StoreError>;
}

/// The stored rows a batch can touch, which a durable store loads into a fresh ledger before
/// applying it: the accounts it names, the transfers it creates or refers to (to answer
/// `exists`), the pending transfers it posts or voids, the payments it refunds, and the ids it
/// creates (a failed id stays failed).
#[derive(Debug, Default)]
pub(crate) struct Touched {
    pub(crate) accounts: IdSet,
    pub(crate) transfers: IdSet,
    pub(crate) pending: IdSet,
    pub(crate) refunded: IdSet,
    pub(crate) failed: IdSet,
}

impl Touched {
    /// The rows these events can touch.
    pub(crate) fn of<'a>(events: impl Iterator<Item = &'a Event>) -> Touched {
        let mut touched = Touched::default();
        for e in events {
            match e {
                Event::Account(a) => {
                    touched.accounts.insert(a.id);
                }
                Event::Transfer(t) => {
                    touched.transfers.insert(t.id);
                    touched.failed.insert(t.id);
                    touched.accounts.insert(t.debit_account_id);
                    touched.accounts.insert(t.credit_account_id);
                    if let Some(p) = t.pending_id {
                        touched.transfers.insert(p);
                        touched.pending.insert(p);
                    }
                    if let Some(reference) = t.reference {
                        touched.transfers.insert(reference);
                        touched.refunded.insert(reference);
                    }
                }
            }
        }
        touched
    }
}

/// An id stored as 16 big-endian bytes, read back by either store.
pub(crate) fn id_from(table: &'static str, bytes: &[u8]) -> Result<Id, StoreError> {
    let b: [u8; 16] = bytes.try_into().map_err(|_| StoreError::Corrupt {
        table,
        row: crate::verify::hex(bytes),
        what: "id is not 16 bytes",
    })?;
    Ok(Id::from_be_bytes(b))
}

/// A row of the `pending` table (status code, expiry), read back by either store.
pub(crate) fn pending_from(
    id: Id,
    status: i64,
    expires_at: i64,
) -> Result<PendingInfo, StoreError> {
    let bad = |what| StoreError::Corrupt {
        table: "pending",
        row: id.to_string(),
        what,
    };
    let status = u8::try_from(status)
        .ok()
        .and_then(PendingStatus::from_code)
        .ok_or_else(|| bad("unknown status"))?;
    let expires_at = u64::try_from(expires_at).map_err(|_| bad("expiry out of range"))?;
    Ok(PendingInfo { status, expires_at })
}

/// A row of the `failed` table (the refusal's code), read back by either store.
pub(crate) fn failed_from(id: Id, outcome: i64) -> Result<Outcome, StoreError> {
    u8::try_from(outcome)
        .ok()
        .and_then(Outcome::from_code)
        .ok_or_else(|| StoreError::Corrupt {
            table: "failed",
            row: id.to_string(),
            what: "unknown outcome",
        })
}
