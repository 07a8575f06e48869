//! Accounts and transfers for a mobile wallet: a double-entry ledger on TigerBeetle's model
//! that never creates or loses money and pays each QR code exactly once.
//!
//! - [`ledger`]: the deterministic state machine (`apply(batch) -> results`).
//! - [`store`]: the `Store` trait; [`memory`] and [`sqlite`] implement it.

pub mod account;
pub mod currency;
pub mod id;
pub mod ledger;
pub mod memory;
pub mod outcome;
pub mod qr;
pub mod sqlite;
pub mod store;
pub mod transfer;
pub mod verify;
pub mod wallet;

pub use account::{Account, AccountFlags, AccountKind, Balances};
pub use currency::{AmountError, Currency};
pub use id::{Clock, Id, IdGenerator, ManualClock, SystemClock};
pub use ledger::{Event, Ledger, LedgerError, PendingStatus};
pub use memory::MemoryStore;
pub use outcome::Outcome;
pub use sqlite::SqliteStore;
pub use store::{IssuedCode, Party, Store, StoreError, Tier, VerifyReport};
pub use transfer::{Transfer, TransferCode, TransferFlags};
pub use wallet::{Authorization, Authorizer, Limits, Receipt, Wallet, WalletError};
