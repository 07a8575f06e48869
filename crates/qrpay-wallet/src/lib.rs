//! Accounts and transfers for a mobile wallet: a double-entry ledger on TigerBeetle's model
//! that never creates or loses money and pays each QR code exactly once.
//!
//! ```
//! use std::sync::Arc;
//! use qrpay_wallet::qr::PaymentRequest;
//! use qrpay_wallet::{Currency, ManualClock, MemoryStore, Outcome, Tier, Wallet};
//!
//! let clock = Arc::new(ManualClock::new(1_764_000_000_000_000_000));
//! let wallet = Wallet::open(MemoryStore::new(clock.clone()), clock, Currency::IDR)?;
//! let ani = wallet.open_customer("ani", Tier::Unverified)?;
//! let shop = wallet.open_merchant("kopi", "Kopi Kita", "Jakarta", 70)?;
//! wallet.top_up(&ani, Currency::IDR.parse_minor("100000")?, None)?;
//!
//! // The merchant shows a dynamic code for Rp25.000; the customer's app scans and decodes it.
//! let code = wallet.merchant_code(&shop, Some(2_500_000), Some("INV-1"), 900)?;
//! let request = PaymentRequest::from_emv(&qrpay_core::decode(&code)?)?;
//! let quote = wallet.quote(&ani, &request, None, None, None)?;
//! assert_eq!(quote.merchant.merchant_name.as_deref(), Some("Kopi Kita"));
//! // The user confirms with a PIN; the app obtains the authorization and pays.
//! let auth = wallet.authorizer().authorize(quote.customer, quote.id(), quote.total);
//! assert_eq!(wallet.pay(&quote, &auth)?.outcome, Outcome::Created);
//! // Scanning the same code again is "already paid": nothing is charged twice.
//! let again = wallet.quote(&ani, &request, None, None, None)?;
//! assert_eq!(wallet.pay(&again, &auth)?.outcome, Outcome::Exists);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! - [`ledger`]: the deterministic state machine (`apply(batch) -> results`).
//! - [`store`]: the `Store` trait; [`memory`] and [`sqlite`] implement it, and `postgres`
//!   (cargo feature `postgres`) for a ledger shared by many API nodes; [`location`] opens the
//!   one a setting names (a file path or a `postgres://` URL).
//! - [`wallet`]: customers, merchants, top-up, transfers, refunds, settlement, limits.
//! - [`qr`]: paying decoded EMV merchant-presented codes.
//!
//! Long runs are opt-in: `QRPAY_MODEL_CASES=20000` (millions of events against the reference
//! model), `QRPAY_SQLITE_MODEL_CASES=500` (the SQLite store against a whole ledger),
//! `QRPAY_CRASH_ROUNDS=100` (SIGKILL rounds).

pub mod account;
pub mod currency;
pub mod id;
pub mod ledger;
pub mod location;
pub mod memory;
pub mod outcome;
#[cfg(feature = "postgres")]
pub mod postgres;
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
pub use location::Location;
pub use memory::MemoryStore;
pub use outcome::Outcome;
#[cfg(feature = "postgres")]
pub use postgres::PgStore;
pub use sqlite::SqliteStore;
pub use store::{IssuedCode, Party, Store, StoreError, Tier, VerifyReport};
pub use transfer::{Transfer, TransferCode, TransferFlags};
pub use wallet::{Authorization, Authorizer, Limits, Receipt, Wallet, WalletError};
