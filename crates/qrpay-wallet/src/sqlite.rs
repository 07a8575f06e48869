//! The embedded, durable store: SQLite in WAL mode with `synchronous=FULL`.
//!
//! One writer thread per process owns the write connection. Callers' batches queue on a bounded
//! channel; the writer takes everything queued (up to [`GROUP_EVENTS_MAX`] events), opens one
//! `BEGIN IMMEDIATE` transaction, loads the rows the batches can touch into a fresh
//! [`Ledger`], applies each caller's batch through the state machine, writes back the changes,
//! appends one link to the hash chain and commits once: one fsync for many payments (group
//! commit). Each caller gets its outcomes only after the commit returned, so an acknowledged
//! payment is durable; a notifier thread wakes the callers of one group while the writer
//! already works on the next.
//!
//! Several processes may open the same file: `BEGIN IMMEDIATE` serializes their writers (with a
//! busy timeout), and because every batch loads its state inside the write transaction, no
//! process works from a stale copy. Readers use their own connections and, in WAL mode, never
//! block the writer nor wait for it.
//!
//! Ids are stored as 16 big-endian bytes in `WITHOUT ROWID` tables keyed by id, so time-ordered
//! ids append at the right edge of the B-tree. Amounts that fit in `i64` are SQLite integers,
//! larger ones 16 big-endian bytes. An account's identity is its row in `accounts`; its
//! balances, which every batch rewrites, are a row in `balances` keyed by the integer `slot`
//! the account got when it was created.
//!
//! Tamper evidence: every account and transfer row carries a BLAKE3 hash of its immutable
//! fields; every committed batch stores `BLAKE3(previous hash, sequence, timestamp, the hashes of
//! its rows)`. [`SqliteStore::verify`] recomputes each row's hash (naming the row that changed),
//! the chain (rows added, removed or re-hashed), every balance from the transfers, pending
//! statuses and refunded totals, and runs SQLite's own integrity check.
//!
//! Where the time goes (batches of 1,000 payments from 10,000 customers to 10 hot merchants,
//! counted with callgrind in the writer thread, so independent of the machine's load): about
//! 30 M instructions per batch, down from 50 M, and 23 M when the top-ups' ids are older than
//! the payments' too (then no new id needs a lookup). The writer remembers the accounts it committed
//! (valid while `PRAGMA data_version` says no other connection wrote), so a steady stream of
//! batches reads no account rows; ids above the largest stored one skip the existence lookups;
//! transfers go in 32 rows per `INSERT`; row hashes are one BLAKE3 call over one buffer; the
//! balances live in a narrow table of their own keyed by an integer slot, so an update is an
//! integer seek and a short record (about 6 K instructions instead of 13 K), and a commit
//! writes half as many account pages to the WAL. What is left is mostly SQLite inserting the
//! 15-column transfer rows (about 14 K instructions each, a third of it binding parameters);
//! the commit itself (the WAL writes and one fsync) is kernel time.
//!
//! A PostgreSQL store fits the same shape: one transaction per batch, `SELECT … FOR UPDATE` of
//! the named accounts in id order instead of `BEGIN IMMEDIATE`, the same [`Ledger`] in between.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, RwLock};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::types::Value;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use crate::account::{Account, AccountFlags, AccountKind, Balances, MonthlyIncoming};
use crate::id::{Clock, Id};
use crate::ledger::{Change, Event, IdMap, IdSet, Ledger, PendingInfo, PendingStatus};
use crate::outcome::Outcome;
use crate::store::{
    failed_from, id_from, pending_from, Finding, IssuedCode, Party, Store, StoreError, Tier,
    Touched, VerifyReport,
};
use crate::transfer::{Transfer, TransferCode, TransferFlags};
pub use crate::verify::{account_hash, transfer_hash};
use crate::verify::{batch_hash, failed_hash, Audit, BatchRows};

/// Most events the writer puts into one database transaction.
pub const GROUP_EVENTS_MAX: usize = 16_384;

/// Most batches waiting for the writer; callers beyond it wait (back-pressure).
pub const QUEUE_LEN_MAX: usize = 4_096;

/// 2: balances in their own narrow table keyed by an integer slot (1 kept them in `accounts`).
const SCHEMA_VERSION: i64 = 2;
const BUSY_TIMEOUT: Duration = Duration::from_secs(60);

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS accounts (
    id BLOB PRIMARY KEY, ledger INTEGER NOT NULL, kind INTEGER NOT NULL, flags INTEGER NOT NULL,
    max_balance BLOB, monthly_incoming_max BLOB,
    timestamp INTEGER NOT NULL, batch INTEGER NOT NULL, row_hash BLOB NOT NULL,
    slot INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS balances (
    slot INTEGER PRIMARY KEY,
    debits_pending BLOB NOT NULL, debits_posted BLOB NOT NULL,
    credits_pending BLOB NOT NULL, credits_posted BLOB NOT NULL,
    incoming_month INTEGER NOT NULL, incoming_total BLOB NOT NULL,
    last_transfer BLOB
);
CREATE TABLE IF NOT EXISTS transfers (
    id BLOB PRIMARY KEY, debit BLOB NOT NULL, credit BLOB NOT NULL, amount BLOB NOT NULL,
    pending_id BLOB, reference BLOB, timeout INTEGER NOT NULL, ledger INTEGER NOT NULL,
    code INTEGER NOT NULL, flags INTEGER NOT NULL, timestamp INTEGER NOT NULL,
    batch INTEGER NOT NULL, row_hash BLOB NOT NULL, debit_prev BLOB, credit_prev BLOB
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS transfers_reference ON transfers (reference) WHERE reference IS NOT NULL;
CREATE TABLE IF NOT EXISTS pending (
    id BLOB PRIMARY KEY, status INTEGER NOT NULL, expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS pending_expiry ON pending (expires_at) WHERE status = 0 AND expires_at > 0;
CREATE TABLE IF NOT EXISTS refunded (id BLOB PRIMARY KEY, total BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS failed (
    id BLOB PRIMARY KEY, outcome INTEGER NOT NULL, batch INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS batches (
    seq INTEGER PRIMARY KEY, timestamp INTEGER NOT NULL, hash BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS parties (
    account BLOB PRIMARY KEY, label TEXT NOT NULL UNIQUE, kind INTEGER NOT NULL,
    ledger INTEGER NOT NULL, tier TEXT, mdr_bps INTEGER NOT NULL,
    merchant_name TEXT, merchant_city TEXT
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS codes (
    merchant BLOB NOT NULL, reference TEXT NOT NULL, amount BLOB NOT NULL,
    expires_at INTEGER NOT NULL, PRIMARY KEY (merchant, reference)
) WITHOUT ROWID;
";

type Reply = Result<Vec<Outcome>, StoreError>;

struct Request {
    events: Vec<Event>,
    reply: SyncSender<Reply>,
}

/// The SQLite store.
pub struct SqliteStore {
    path: PathBuf,
    /// Read-locked by every caller (a channel sender is shared, not cloned per call, so a
    /// thousand callers do not contend on one mutex); write-locked only by `close`.
    queue: RwLock<Option<SyncSender<Request>>>,
    writer: Mutex<Option<JoinHandle<()>>>,
    readers: Mutex<Vec<Connection>>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

fn db(context: &'static str) -> impl FnOnce(rusqlite::Error) -> StoreError {
    move |e| StoreError::Database {
        context,
        source: Box::new(e),
    }
}

fn open_connection(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(path).map_err(db("opening the database"))?;
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(db("setting the busy timeout"))?;
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(db("enabling WAL"))?;
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(db("setting synchronous=FULL"))?;
    // Checkpoint less often than the default 1,000 pages: account pages written by many
    // commits are copied back to the database file once per checkpoint, not once per commit.
    conn.pragma_update(None, "wal_autocheckpoint", 16_384)
        .map_err(db("setting pragmas"))?;
    conn.pragma_update(None, "cache_size", -65_536)
        .map_err(db("setting pragmas"))?;
    // Multi-row inserts keep a statement journal (to undo a half-done statement); in memory,
    // not in a temporary file. It never holds committed data, so durability is unchanged.
    conn.pragma_update(None, "temp_store", "MEMORY")
        .map_err(db("setting pragmas"))?;
    conn.set_prepared_statement_cache_capacity(64);
    rusqlite::vtab::array::load_module(&conn).map_err(db("loading the array module"))?;
    Ok(conn)
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` and starts the writer.
    ///
    /// # Errors
    /// [`StoreError::Database`] when the file cannot be opened or the schema created,
    /// [`StoreError::SchemaTooNew`] when a newer version made the file.
    pub fn open(path: impl AsRef<Path>, clock: Arc<dyn Clock>) -> Result<SqliteStore, StoreError> {
        let path = path.as_ref().to_path_buf();
        let mut conn = open_connection(&path)?;
        {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(db("starting schema setup"))?;
            tx.execute_batch(SCHEMA)
                .map_err(db("creating the schema"))?;
            let version: Option<i64> = tx
                .query_row(
                    "SELECT value FROM meta WHERE name = 'schema_version'",
                    [],
                    |r| r.get(0),
                )
                .optional()
                .map_err(db("reading the schema version"))?;
            match version {
                None => {
                    tx.execute(
                        "INSERT INTO meta (name, value) VALUES ('schema_version', ?1)",
                        [SCHEMA_VERSION],
                    )
                    .map_err(db("writing the schema version"))?;
                }
                Some(v) if v > SCHEMA_VERSION => {
                    return Err(StoreError::SchemaTooNew {
                        found: v,
                        supported: SCHEMA_VERSION,
                    });
                }
                Some(1) => migrate_from_1(&tx)?,
                Some(_) => {}
            }
            tx.commit().map_err(db("committing schema setup"))?;
        }
        let (queue, requests) = mpsc::sync_channel::<Request>(QUEUE_LEN_MAX);
        let writer = std::thread::Builder::new()
            .name("qrpay-ledger-writer".into())
            .spawn(move || writer_loop(conn, &*clock, &requests))
            .map_err(|e| StoreError::Database {
                context: "starting the writer thread",
                source: Box::new(e),
            })?;
        Ok(SqliteStore {
            path,
            queue: RwLock::new(Some(queue)),
            writer: Mutex::new(Some(writer)),
            readers: Mutex::new(Vec::new()),
        })
    }

    /// The database file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn read<R>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        let pooled = lock(&self.readers).pop();
        let mut conn = match pooled {
            Some(c) => c,
            None => open_connection(&self.path)?,
        };
        let result = f(&mut conn);
        let mut pool = lock(&self.readers);
        if pool.len() < 8 {
            pool.push(conn);
        }
        result
    }

    /// Stops the writer after the queued batches, and waits for it.
    pub fn close(&self) {
        match self.queue.write() {
            Ok(mut q) => q.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        };
        if let Some(handle) = lock(&self.writer).take() {
            // A writer that panicked has already failed its callers; nothing more to do.
            let _ = handle.join();
        }
    }
}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        self.close();
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// Most accounts the writer remembers between commits; beyond it, it forgets them all and
/// reloads what the next batches touch.
const ACCOUNTS_REMEMBERED_MAX: usize = 262_144;

/// What the writer knows from its own last commit, so the next one need not read it again.
///
/// It is valid only while no other connection (another process, or this process's registry
/// writes) has committed: `PRAGMA data_version`, read inside the write transaction, changes
/// exactly when one has. A stale copy is never used; an unknown account is always read.
#[derive(Default)]
struct Remembered {
    /// `data_version` at the end of the writer's last successful commit; `None` = know nothing.
    data_version: Option<i64>,
    /// Accounts as committed, with the head of each one's history list and its balances slot.
    accounts: IdMap<(Account, Option<Id>, i64)>,
    last_timestamp: u64,
    head: (u64, [u8; 32]),
    /// The largest transfer id and failed id stored: an id above it cannot be in the table, so
    /// time-ordered new ids need no lookup to prove they are new.
    transfers_max: Option<Id>,
    failed_max: Option<Id>,
}

/// Committed groups whose callers the notifier has not woken yet; the writer waits beyond it.
const NOTIFY_QUEUE_MAX: usize = 4;

/// Answers for one committed (or failed) group, in the callers' order.
type Answers = Vec<(SyncSender<Reply>, Reply)>;

fn writer_loop(mut conn: Connection, clock: &dyn Clock, requests: &Receiver<Request>) {
    // Waking a thousand waiting callers is a thousand system calls: a second thread does it
    // while the writer already applies the next group. Answers are handed over only after the
    // commit returned, so an acknowledged payment is still durable.
    let (answers, to_notify) = mpsc::sync_channel::<Answers>(NOTIFY_QUEUE_MAX);
    let notifier = std::thread::Builder::new()
        .name("qrpay-ledger-notifier".into())
        .spawn(move || {
            while let Ok(group) = to_notify.recv() {
                for (reply, answer) in group {
                    // A caller that stopped waiting is fine: the batch is committed.
                    let _ = reply.send(answer);
                }
            }
        })
        .ok();
    let mut remembered = Remembered::default();
    while let Ok(first) = requests.recv() {
        let mut group = vec![first];
        let mut events = group.first().map_or(0, |r| r.events.len());
        while events < GROUP_EVENTS_MAX {
            match requests.try_recv() {
                Ok(r) => {
                    events = events.saturating_add(r.events.len());
                    group.push(r);
                }
                Err(_) => break,
            }
        }
        let results = match commit_group(&mut conn, clock, &group, &mut remembered) {
            Ok(results) => results,
            Err(e) => {
                let message = e.to_string();
                group
                    .iter()
                    .map(|_| {
                        Err(StoreError::Database {
                            context: "committing a batch",
                            source: message.clone().into(),
                        })
                    })
                    .collect()
            }
        };
        let group: Answers = group.into_iter().map(|r| r.reply).zip(results).collect();
        if notifier.is_some() {
            if let Err(mpsc::SendError(group)) = answers.send(group) {
                answer_now(group);
            }
        } else {
            answer_now(group);
        }
    }
    drop(answers);
    if let Some(notifier) = notifier {
        // The notifier ends once it has woken every caller; it never panics.
        let _ = notifier.join();
    }
}

/// Wakes the callers from the writer itself (when the notifier could not be started).
fn answer_now(group: Answers) {
    for (reply, answer) in group {
        let _ = reply.send(answer);
    }
}

/// The ids as an array for `rarray`, in key order so the lookups walk the B-tree left to right.
fn blob_array(ids: impl IntoIterator<Item = Id>) -> Rc<Vec<Value>> {
    let mut ids: Vec<Id> = ids.into_iter().collect();
    ids.sort_unstable();
    Rc::new(
        ids.into_iter()
            .map(|id| Value::Blob(id.to_be_bytes().to_vec()))
            .collect(),
    )
}

fn commit_group(
    conn: &mut Connection,
    clock: &dyn Clock,
    group: &[Request],
    remembered: &mut Remembered,
) -> Result<Vec<Reply>, StoreError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(db("beginning the write transaction"))?;
    let data_version: i64 = tx
        .prepare_cached("PRAGMA data_version")
        .and_then(|mut s| s.query_row([], |r| r.get(0)))
        .map_err(db("reading the data version"))?;
    // Until this commit succeeds, nothing is known: a failure below leaves it forgotten.
    if remembered.data_version.take() != Some(data_version) {
        *remembered = Remembered {
            data_version: None,
            accounts: IdMap::default(),
            last_timestamp: read_meta_u64(&tx, "last_timestamp")?.unwrap_or(0),
            head: chain_head(&tx)?,
            transfers_max: max_id(&tx, "transfers")?,
            failed_max: max_id(&tx, "failed")?,
        };
    }
    let last_timestamp = remembered.last_timestamp;
    let (head_seq, head_hash) = remembered.head;

    // Timestamps for each caller's batch, strictly after everything committed before.
    let mut ts = clock.now_ns().max(last_timestamp.saturating_add(1));
    let mut stamps = Vec::with_capacity(group.len());
    for r in group {
        stamps.push(ts);
        let n = u64::try_from(r.events.len()).unwrap_or(u64::MAX);
        ts = ts.saturating_add(n.max(1));
    }
    let ts_max = ts;

    let mut wanted = Touched::of(group.iter().flat_map(|r| r.events.iter()));
    let mut ledger = Ledger::with_journal();
    ledger.load_last_timestamp(last_timestamp);
    // Pending transfers due to expire within this group, with their accounts.
    {
        let mut stmt = tx
            .prepare_cached(
                "SELECT id, expires_at FROM pending WHERE status = 0 AND expires_at > 0 AND expires_at <= ?1",
            )
            .map_err(db("finding expiring transfers"))?;
        let rows = stmt
            .query_map([i64::try_from(ts_max).unwrap_or(i64::MAX)], |r| {
                Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, i64>(1)?))
            })
            .map_err(db("finding expiring transfers"))?;
        for row in rows {
            let (id, _) = row.map_err(db("finding expiring transfers"))?;
            let id = id_from("pending", &id)?;
            wanted.transfers.insert(id);
            wanted.pending.insert(id);
        }
    }
    // Ids above the largest stored one are new without a lookup.
    wanted
        .transfers
        .retain(|id| remembered.transfers_max.is_some_and(|max| *id <= max));
    wanted
        .failed
        .retain(|id| remembered.failed_max.is_some_and(|max| *id <= max));
    load_transfers(&tx, &mut ledger, &wanted.transfers, &mut wanted.accounts)?;
    let mut last = IdMap::default();
    last.reserve(wanted.accounts.len());
    let mut slots = IdMap::default();
    slots.reserve(wanted.accounts.len());
    wanted
        .accounts
        .retain(|id| match remembered.accounts.get(id) {
            Some((account, head, slot)) => {
                ledger.load_account(*account);
                last.insert(*id, *head);
                slots.insert(*id, *slot);
                false
            }
            None => true,
        });
    load_accounts(&tx, &mut ledger, &wanted.accounts, &mut last, &mut slots)?;
    load_pending(&tx, &mut ledger, &wanted.pending)?;
    load_refunded(&tx, &mut ledger, &wanted.refunded)?;
    load_failed(&tx, &mut ledger, &wanted.failed)?;

    let mut results = Vec::with_capacity(group.len());
    let mut journal = Vec::new();
    for (r, &stamp) in group.iter().zip(&stamps) {
        if r.events.is_empty() {
            results.push(Ok(Vec::new()));
            continue;
        }
        match ledger.apply(stamp, &r.events) {
            Ok(outcomes) => results.push(Ok(outcomes)),
            Err(e) => results.push(Err(StoreError::Ledger(e))),
        }
        journal.extend(ledger.take_journal());
    }
    let seq = head_seq.saturating_add(1);
    let wrote = write_back(&tx, &ledger, &journal, seq, &mut last, &mut slots)?;
    let mut head_hash_after = head_hash;
    if let Some(rows) = &wrote {
        let hash = batch_hash(&head_hash, seq, stamps.first().copied().unwrap_or(0), rows);
        head_hash_after = hash;
        tx.execute(
            "INSERT INTO batches (seq, timestamp, hash) VALUES (?1, ?2, ?3)",
            params![
                i64::try_from(seq).unwrap_or(i64::MAX),
                i64::try_from(stamps.first().copied().unwrap_or(0)).unwrap_or(i64::MAX),
                hash.as_slice()
            ],
        )
        .map_err(db("appending to the hash chain"))?;
    }
    write_meta_u64(&tx, "last_timestamp", ledger.last_timestamp())?;
    tx.commit().map_err(db("committing"))?;

    // Committed: remember the state this writer left, for as long as nobody else writes.
    remembered.last_timestamp = ledger.last_timestamp();
    if wrote.is_some() {
        remembered.head = (seq, head_hash_after);
    }
    for change in &journal {
        match *change {
            Change::TransferCreated(id) => {
                remembered.transfers_max = remembered.transfers_max.max(Some(id));
            }
            Change::Failed(id) => remembered.failed_max = remembered.failed_max.max(Some(id)),
            _ => {}
        }
    }
    if remembered.accounts.len().saturating_add(last.len()) > ACCOUNTS_REMEMBERED_MAX {
        remembered.accounts.clear();
    }
    for account in ledger.accounts() {
        let head = last.get(&account.id).copied().flatten();
        if let Some(slot) = slots.get(&account.id) {
            remembered
                .accounts
                .insert(account.id, (*account, head, *slot));
        }
    }
    remembered.data_version = Some(data_version);
    Ok(results)
}

/// The largest id in a table keyed by id (`None` when it is empty).
fn max_id(conn: &Connection, table: &'static str) -> Result<Option<Id>, StoreError> {
    let sql = format!("SELECT max(id) FROM {table}");
    let max: Option<Vec<u8>> = conn
        .prepare_cached(&sql)
        .and_then(|mut s| s.query_row([], |r| r.get(0)))
        .map_err(db("reading the largest id"))?;
    max.map(|bytes| id_from(table, &bytes)).transpose()
}

/// Schema 1 kept the balances in `accounts`: move them into `balances`, one slot per account
/// in id order, inside the schema transaction (all or nothing).
fn migrate_from_1(tx: &Connection) -> Result<(), StoreError> {
    tx.execute_batch(
        "ALTER TABLE accounts ADD COLUMN slot INTEGER NOT NULL DEFAULT 0;
         CREATE TEMP TABLE slot_of AS
             SELECT id, row_number() OVER (ORDER BY id) AS slot FROM accounts;
         UPDATE accounts SET slot = (SELECT slot FROM slot_of WHERE slot_of.id = accounts.id);
         INSERT INTO balances (slot, debits_pending, debits_posted, credits_pending,
                 credits_posted, incoming_month, incoming_total, last_transfer)
             SELECT slot, debits_pending, debits_posted, credits_pending, credits_posted,
                 incoming_month, incoming_total, last_transfer FROM accounts;
         DROP TABLE slot_of;
         ALTER TABLE accounts DROP COLUMN debits_pending;
         ALTER TABLE accounts DROP COLUMN debits_posted;
         ALTER TABLE accounts DROP COLUMN credits_pending;
         ALTER TABLE accounts DROP COLUMN credits_posted;
         ALTER TABLE accounts DROP COLUMN incoming_month;
         ALTER TABLE accounts DROP COLUMN incoming_total;
         ALTER TABLE accounts DROP COLUMN last_transfer;
         UPDATE meta SET value = 2 WHERE name = 'schema_version';",
    )
    .map_err(db("migrating schema 1 to 2"))
}

fn read_meta_u64(conn: &Connection, name: &str) -> Result<Option<u64>, StoreError> {
    let v: Option<i64> = conn
        .prepare_cached("SELECT value FROM meta WHERE name = ?1")
        .and_then(|mut s| s.query_row([name], |r| r.get(0)).optional())
        .map_err(db("reading meta"))?;
    Ok(v.and_then(|v| u64::try_from(v).ok()))
}

fn write_meta_u64(conn: &Connection, name: &str, value: u64) -> Result<(), StoreError> {
    conn.prepare_cached("INSERT OR REPLACE INTO meta (name, value) VALUES (?1, ?2)")
        .and_then(|mut s| s.execute(params![name, i64::try_from(value).unwrap_or(i64::MAX)]))
        .map_err(db("writing meta"))?;
    Ok(())
}

fn chain_head(conn: &Connection) -> Result<(u64, [u8; 32]), StoreError> {
    let row: Option<(i64, Vec<u8>)> = conn
        .prepare_cached("SELECT seq, hash FROM batches ORDER BY seq DESC LIMIT 1")
        .and_then(|mut s| s.query_row([], |r| Ok((r.get(0)?, r.get(1)?))).optional())
        .map_err(db("reading the chain head"))?;
    match row {
        None => Ok((0, [0u8; 32])),
        Some((seq, hash)) => {
            let hash: [u8; 32] = hash.try_into().map_err(|_| StoreError::Corrupt {
                table: "batches",
                row: seq.to_string(),
                what: "hash is not 32 bytes",
            })?;
            Ok((u64::try_from(seq).unwrap_or(0), hash))
        }
    }
}

/// Amounts are stored as SQLite integers when they fit in `i64` (a varint of 1 to 8 bytes,
/// which keeps rows and pages small) and as 16 big-endian bytes above that.
fn amount_sql(value: u128) -> Value {
    match i64::try_from(value) {
        Ok(i) => Value::Integer(i),
        Err(_) => Value::Blob(value.to_be_bytes().to_vec()),
    }
}

fn u128_from(table: &'static str, row: Id, value: &Value) -> Result<u128, StoreError> {
    let bad = |what| StoreError::Corrupt {
        table,
        row: row.to_string(),
        what,
    };
    match value {
        Value::Integer(i) => u128::try_from(*i).map_err(|_| bad("negative amount")),
        Value::Blob(bytes) => {
            let b: [u8; 16] = bytes
                .as_slice()
                .try_into()
                .map_err(|_| bad("amount is not 16 bytes"))?;
            Ok(u128::from_be_bytes(b))
        }
        _ => Err(bad("amount is neither integer nor blob")),
    }
}

fn opt_u128_from(table: &'static str, row: Id, value: &Value) -> Result<Option<u128>, StoreError> {
    match value {
        Value::Null => Ok(None),
        v => u128_from(table, row, v).map(Some),
    }
}

const TRANSFER_COLUMNS: &str =
    "id, debit, credit, amount, pending_id, reference, timeout, ledger, code, flags, timestamp";
/// An account is its row in `accounts` joined with its row in `balances` ([`ACCOUNTS`]).
const ACCOUNT_COLUMNS: &str = "id, ledger, kind, flags, max_balance, monthly_incoming_max, \
     debits_pending, debits_posted, credits_pending, credits_posted, incoming_month, \
     incoming_total, timestamp, last_transfer, accounts.slot";
const ACCOUNTS: &str = "accounts CROSS JOIN balances ON balances.slot = accounts.slot";

struct RawTransfer {
    id: Vec<u8>,
    debit: Vec<u8>,
    credit: Vec<u8>,
    amount: Value,
    pending_id: Option<Vec<u8>>,
    reference: Option<Vec<u8>>,
    timeout: i64,
    ledger: i64,
    code: i64,
    flags: i64,
    timestamp: i64,
}

fn raw_transfer(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawTransfer> {
    Ok(RawTransfer {
        id: r.get(0)?,
        debit: r.get(1)?,
        credit: r.get(2)?,
        amount: r.get(3)?,
        pending_id: r.get(4)?,
        reference: r.get(5)?,
        timeout: r.get(6)?,
        ledger: r.get(7)?,
        code: r.get(8)?,
        flags: r.get(9)?,
        timestamp: r.get(10)?,
    })
}

fn decode_transfer(raw: &RawTransfer) -> Result<Transfer, StoreError> {
    const T: &str = "transfers";
    let id = id_from(T, &raw.id)?;
    let bad = |what| StoreError::Corrupt {
        table: T,
        row: id.to_string(),
        what,
    };
    Ok(Transfer {
        id,
        debit_account_id: id_from(T, &raw.debit)?,
        credit_account_id: id_from(T, &raw.credit)?,
        amount: u128_from(T, id, &raw.amount)?,
        pending_id: raw
            .pending_id
            .as_deref()
            .map(|b| id_from(T, b))
            .transpose()?,
        reference: raw
            .reference
            .as_deref()
            .map(|b| id_from(T, b))
            .transpose()?,
        timeout_s: u32::try_from(raw.timeout).map_err(|_| bad("timeout out of range"))?,
        ledger: u32::try_from(raw.ledger).map_err(|_| bad("ledger out of range"))?,
        code: u16::try_from(raw.code)
            .ok()
            .and_then(TransferCode::from_number)
            .ok_or_else(|| bad("unknown code"))?,
        flags: u16::try_from(raw.flags)
            .ok()
            .and_then(TransferFlags::from_bits)
            .ok_or_else(|| bad("unknown flags"))?,
        timestamp: u64::try_from(raw.timestamp).map_err(|_| bad("timestamp out of range"))?,
    })
}

struct RawAccount {
    id: Vec<u8>,
    ledger: i64,
    kind: i64,
    flags: i64,
    max_balance: Value,
    monthly: Value,
    balances: [Value; 4],
    incoming_month: i64,
    incoming_total: Value,
    timestamp: i64,
    last_transfer: Option<Vec<u8>>,
    slot: i64,
}

fn raw_account(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawAccount> {
    Ok(RawAccount {
        id: r.get(0)?,
        ledger: r.get(1)?,
        kind: r.get(2)?,
        flags: r.get(3)?,
        max_balance: r.get(4)?,
        monthly: r.get(5)?,
        balances: [r.get(6)?, r.get(7)?, r.get(8)?, r.get(9)?],
        incoming_month: r.get(10)?,
        incoming_total: r.get(11)?,
        timestamp: r.get(12)?,
        last_transfer: r.get(13)?,
        slot: r.get(14)?,
    })
}

fn decode_account(raw: &RawAccount) -> Result<Account, StoreError> {
    const T: &str = "accounts";
    let id = id_from(T, &raw.id)?;
    let bad = |what| StoreError::Corrupt {
        table: T,
        row: id.to_string(),
        what,
    };
    let [dp, dpo, cp, cpo] = &raw.balances;
    Ok(Account {
        id,
        ledger: u32::try_from(raw.ledger).map_err(|_| bad("ledger out of range"))?,
        kind: u8::try_from(raw.kind)
            .ok()
            .and_then(AccountKind::from_code)
            .ok_or_else(|| bad("unknown kind"))?,
        flags: u16::try_from(raw.flags)
            .ok()
            .and_then(AccountFlags::from_bits)
            .ok_or_else(|| bad("unknown flags"))?,
        max_balance: opt_u128_from(T, id, &raw.max_balance)?,
        monthly_incoming_max: opt_u128_from(T, id, &raw.monthly)?,
        balances: Balances {
            debits_pending: u128_from(T, id, dp)?,
            debits_posted: u128_from(T, id, dpo)?,
            credits_pending: u128_from(T, id, cp)?,
            credits_posted: u128_from(T, id, cpo)?,
        },
        incoming: MonthlyIncoming {
            month: u32::try_from(raw.incoming_month).map_err(|_| bad("month out of range"))?,
            total: u128_from(T, id, &raw.incoming_total)?,
        },
        timestamp: u64::try_from(raw.timestamp).map_err(|_| bad("timestamp out of range"))?,
    })
}

/// Runs `select` (which names the ids as `rarray(?1)`) over `ids`, calling `each` per row.
fn for_each_row(
    tx: &Connection,
    ids: &IdSet,
    select: &str,
    context: &'static str,
    mut each: impl FnMut(&rusqlite::Row<'_>) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut stmt = tx.prepare_cached(select).map_err(db(context))?;
    let mut rows = stmt
        .query([blob_array(ids.iter().copied())])
        .map_err(db(context))?;
    while let Some(row) = rows.next().map_err(db(context))? {
        each(row)?;
    }
    Ok(())
}

fn load_transfers(
    tx: &Connection,
    ledger: &mut Ledger,
    ids: &IdSet,
    accounts: &mut IdSet,
) -> Result<(), StoreError> {
    let sql = format!(
        "SELECT {TRANSFER_COLUMNS} FROM rarray(?1) AS wanted CROSS JOIN transfers \
         ON transfers.id = wanted.value"
    );
    for_each_row(tx, ids, &sql, "loading transfers", |r| {
        let t = decode_transfer(&raw_transfer(r).map_err(db("loading transfers"))?)?;
        // A post, void or expiry touches the pending transfer's accounts.
        if t.flags.contains(TransferFlags::PENDING) {
            accounts.insert(t.debit_account_id);
            accounts.insert(t.credit_account_id);
        }
        ledger.load_transfer(t);
        Ok(())
    })
}

/// Loads accounts; records each one's newest transfer (the head of its history list) and the
/// slot of its balances.
fn load_accounts(
    tx: &Connection,
    ledger: &mut Ledger,
    ids: &IdSet,
    last: &mut IdMap<Option<Id>>,
    slots: &mut IdMap<i64>,
) -> Result<(), StoreError> {
    let sql = format!(
        "SELECT {ACCOUNT_COLUMNS} FROM rarray(?1) AS wanted CROSS JOIN accounts \
         ON accounts.id = wanted.value CROSS JOIN balances ON balances.slot = accounts.slot"
    );
    for_each_row(tx, ids, &sql, "loading accounts", |r| {
        let raw = raw_account(r).map_err(db("loading accounts"))?;
        let account = decode_account(&raw)?;
        let head = raw
            .last_transfer
            .as_deref()
            .map(|b| id_from("accounts", b))
            .transpose()?;
        last.insert(account.id, head);
        slots.insert(account.id, raw.slot);
        ledger.load_account(account);
        Ok(())
    })
}

fn load_pending(tx: &Connection, ledger: &mut Ledger, ids: &IdSet) -> Result<(), StoreError> {
    const SQL: &str = "SELECT id, status, expires_at FROM rarray(?1) AS wanted \
                       CROSS JOIN pending ON pending.id = wanted.value";
    let context = "loading pending transfers";
    for_each_row(tx, ids, SQL, context, |r| {
        let id: Vec<u8> = r.get(0).map_err(db(context))?;
        let status: i64 = r.get(1).map_err(db(context))?;
        let expires_at: i64 = r.get(2).map_err(db(context))?;
        let id = id_from("pending", &id)?;
        ledger.load_pending(id, pending_from(id, status, expires_at)?);
        Ok(())
    })
}

fn load_refunded(tx: &Connection, ledger: &mut Ledger, ids: &IdSet) -> Result<(), StoreError> {
    const SQL: &str = "SELECT id, total FROM rarray(?1) AS wanted \
                       CROSS JOIN refunded ON refunded.id = wanted.value";
    let context = "loading refunded totals";
    for_each_row(tx, ids, SQL, context, |r| {
        let id: Vec<u8> = r.get(0).map_err(db(context))?;
        let total: Value = r.get(1).map_err(db(context))?;
        let id = id_from("refunded", &id)?;
        ledger.load_refunded(id, u128_from("refunded", id, &total)?);
        Ok(())
    })
}

fn load_failed(tx: &Connection, ledger: &mut Ledger, ids: &IdSet) -> Result<(), StoreError> {
    const SQL: &str = "SELECT id, outcome FROM rarray(?1) AS wanted \
                       CROSS JOIN failed ON failed.id = wanted.value";
    let context = "loading failed ids";
    for_each_row(tx, ids, SQL, context, |r| {
        let id: Vec<u8> = r.get(0).map_err(db(context))?;
        let outcome: i64 = r.get(1).map_err(db(context))?;
        let id = id_from("failed", &id)?;
        ledger.load_failed(id, failed_from(id, outcome)?);
        Ok(())
    })
}

fn i64_of(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// Transfer rows per multi-row `INSERT`: one statement (one parse of the VDBE program, one
/// reset) per this many rows instead of one per row. 32 rows × 15 columns stay far below
/// SQLite's limit of 32,766 parameters.
const INSERT_ROWS: usize = 32;

const TRANSFER_INSERT_COLUMNS: usize = 15;

/// A transfer row to insert.
struct NewTransfer<'a> {
    transfer: &'a Transfer,
    hash: [u8; 16],
    debit_prev: Option<Id>,
    credit_prev: Option<Id>,
}

fn insert_transfers_sql(rows: usize) -> String {
    let one = format!("({})", vec!["?"; TRANSFER_INSERT_COLUMNS].join(", "));
    format!(
        "INSERT INTO transfers (id, debit, credit, amount, pending_id, reference, timeout, \
         ledger, code, flags, timestamp, batch, row_hash, debit_prev, credit_prev) VALUES {}",
        vec![one; rows].join(", ")
    )
}

/// Inserts the transfer rows, [`INSERT_ROWS`] per statement and the rest one by one.
fn insert_transfers(
    tx: &Connection,
    rows: &[NewTransfer<'_>],
    batch: i64,
) -> Result<(), StoreError> {
    let mut chunks = rows.chunks_exact(INSERT_ROWS);
    if rows.len() >= INSERT_ROWS {
        let mut stmt = tx
            .prepare_cached(&insert_transfers_sql(INSERT_ROWS))
            .map_err(db("inserting transfers"))?;
        for chunk in &mut chunks {
            for (i, row) in chunk.iter().enumerate() {
                bind_transfer(
                    &mut stmt,
                    i.saturating_mul(TRANSFER_INSERT_COLUMNS),
                    row,
                    batch,
                )
                .map_err(db("inserting transfers"))?;
            }
            stmt.raw_execute().map_err(db("inserting transfers"))?;
        }
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut stmt = tx
            .prepare_cached(&insert_transfers_sql(1))
            .map_err(db("inserting a transfer"))?;
        for row in rest {
            bind_transfer(&mut stmt, 0, row, batch).map_err(db("inserting a transfer"))?;
            stmt.raw_execute().map_err(db("inserting a transfer"))?;
        }
    }
    Ok(())
}

/// Binds one transfer row's columns from parameter `offset + 1` on.
fn bind_transfer(
    stmt: &mut rusqlite::CachedStatement<'_>,
    offset: usize,
    row: &NewTransfer<'_>,
    batch: i64,
) -> rusqlite::Result<()> {
    let t = row.transfer;
    let values: [&dyn rusqlite::ToSql; TRANSFER_INSERT_COLUMNS] = [
        &t.id.to_be_bytes(),
        &t.debit_account_id.to_be_bytes(),
        &t.credit_account_id.to_be_bytes(),
        &amount_sql(t.amount),
        &t.pending_id.map(Id::to_be_bytes),
        &t.reference.map(Id::to_be_bytes),
        &t.timeout_s,
        &t.ledger,
        &t.code.number(),
        &t.flags.bits(),
        &i64_of(t.timestamp),
        &batch,
        &row.hash,
        &row.debit_prev.map(Id::to_be_bytes),
        &row.credit_prev.map(Id::to_be_bytes),
    ];
    for (i, value) in values.iter().enumerate() {
        stmt.raw_bind_parameter(offset.saturating_add(i).saturating_add(1), value)?;
    }
    Ok(())
}

/// Writes the journal's changes; returns the batch's rows when anything was written.
fn write_back(
    tx: &Connection,
    ledger: &Ledger,
    journal: &[Change],
    seq: u64,
    last: &mut IdMap<Option<Id>>,
    slots: &mut IdMap<i64>,
) -> Result<Option<BatchRows>, StoreError> {
    if journal.is_empty() {
        return Ok(None);
    }
    let mut rows = BatchRows::default();
    let mut created_accounts = IdSet::default();
    let mut updated_accounts = BTreeMap::new();
    let mut pending = BTreeMap::new();
    let mut refunded = BTreeMap::new();
    let batch = i64_of(seq);
    let corrupt = |what, id: Id| StoreError::Ledger(crate::LedgerError::Corrupt { what, id });
    let mut new_transfers = Vec::new();
    let mut update_balances = tx
        .prepare_cached(
            "UPDATE balances SET debits_pending = ?2, debits_posted = ?3, credits_pending = ?4, \
             credits_posted = ?5, incoming_month = ?6, incoming_total = ?7, last_transfer = ?8 \
             WHERE slot = ?1",
        )
        .map_err(db("updating balances"))?;
    for change in journal {
        match *change {
            Change::AccountCreated(id) => {
                created_accounts.insert(id);
            }
            Change::AccountUpdated(id) => {
                updated_accounts.insert(id, ());
            }
            Change::TransferCreated(id) => {
                let t = ledger
                    .transfer(id)
                    .ok_or_else(|| corrupt("journal names a missing transfer", id))?;
                let hash = transfer_hash(t);
                // History is a linked list per account: each transfer points to the account's
                // previous one, and the account row to its newest. No secondary index: random
                // inserts into per-account indexes would dirty a page per transfer.
                let debit_prev = last.insert(t.debit_account_id, Some(t.id)).flatten();
                let credit_prev = last.insert(t.credit_account_id, Some(t.id)).flatten();
                new_transfers.push(NewTransfer {
                    transfer: t,
                    hash,
                    debit_prev,
                    credit_prev,
                });
                rows.transfers.push((t.timestamp, hash));
            }
            Change::PendingChanged(id) => {
                pending.insert(id, ());
            }
            Change::RefundedChanged(id) => {
                refunded.insert(id, ());
            }
            Change::Failed(id) => {
                let outcome = ledger
                    .failed(id)
                    .ok_or_else(|| corrupt("journal names a missing failure", id))?;
                tx.prepare_cached("INSERT INTO failed (id, outcome, batch) VALUES (?1, ?2, ?3)")
                    .and_then(|mut s| s.execute(params![id.to_be_bytes(), outcome.code(), batch]))
                    .map_err(db("remembering a failed id"))?;
                rows.failed.push((id, failed_hash(id, outcome)));
            }
        }
    }
    insert_transfers(tx, &new_transfers, batch)?;
    for id in &created_accounts {
        let a = ledger
            .account(*id)
            .ok_or_else(|| corrupt("journal names a missing account", *id))?;
        let hash = account_hash(a);
        let b = a.balances;
        // The balances row first: its rowid is the account's slot.
        tx.prepare_cached(
            "INSERT INTO balances (debits_pending, debits_posted, credits_pending, \
             credits_posted, incoming_month, incoming_total, last_transfer) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .and_then(|mut s| {
            s.execute(params![
                amount_sql(b.debits_pending),
                amount_sql(b.debits_posted),
                amount_sql(b.credits_pending),
                amount_sql(b.credits_posted),
                a.incoming.month,
                amount_sql(a.incoming.total),
                last.get(id).copied().flatten().map(Id::to_be_bytes)
            ])
        })
        .map_err(db("inserting balances"))?;
        let slot = tx.last_insert_rowid();
        slots.insert(*id, slot);
        tx.prepare_cached(
            "INSERT INTO accounts (id, ledger, kind, flags, max_balance, monthly_incoming_max, \
             timestamp, batch, row_hash, slot) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )
        .and_then(|mut s| {
            s.execute(params![
                a.id.to_be_bytes(),
                a.ledger,
                a.kind.code(),
                a.flags.bits(),
                a.max_balance.map_or(Value::Null, amount_sql),
                a.monthly_incoming_max.map_or(Value::Null, amount_sql),
                i64_of(a.timestamp),
                batch,
                hash,
                slot
            ])
        })
        .map_err(db("inserting an account"))?;
        rows.accounts.push((a.timestamp, hash));
    }
    // In slot order: the updates walk the balances table left to right.
    let mut updates = Vec::with_capacity(updated_accounts.len());
    for id in updated_accounts
        .keys()
        .filter(|id| !created_accounts.contains(id))
    {
        let slot = slots
            .get(id)
            .copied()
            .ok_or_else(|| corrupt("an updated account was not loaded", *id))?;
        updates.push((slot, *id));
    }
    updates.sort_unstable();
    for (slot, id) in &updates {
        let a = ledger
            .account(*id)
            .ok_or_else(|| corrupt("journal names a missing account", *id))?;
        let b = a.balances;
        update_balances
            .execute(params![
                slot,
                amount_sql(b.debits_pending),
                amount_sql(b.debits_posted),
                amount_sql(b.credits_pending),
                amount_sql(b.credits_posted),
                a.incoming.month,
                amount_sql(a.incoming.total),
                last.get(id).copied().flatten().map(Id::to_be_bytes)
            ])
            .map_err(db("updating balances"))?;
    }
    for id in pending.keys() {
        let p = ledger
            .pending(*id)
            .ok_or_else(|| corrupt("journal names a missing pending", *id))?;
        tx.prepare_cached(
            "INSERT OR REPLACE INTO pending (id, status, expires_at) VALUES (?1, ?2, ?3)",
        )
        .and_then(|mut s| {
            s.execute(params![
                id.to_be_bytes(),
                p.status as u8,
                i64_of(p.expires_at)
            ])
        })
        .map_err(db("writing a pending status"))?;
    }
    for id in refunded.keys() {
        tx.prepare_cached("INSERT OR REPLACE INTO refunded (id, total) VALUES (?1, ?2)")
            .and_then(|mut s| {
                s.execute(params![id.to_be_bytes(), amount_sql(ledger.refunded(*id))])
            })
            .map_err(db("writing a refunded total"))?;
    }
    if rows.accounts.is_empty() && rows.transfers.is_empty() && rows.failed.is_empty() {
        // Only expiries: still a batch (it changed balances), with no rows.
        return Ok(Some(rows));
    }
    Ok(Some(rows))
}

fn query_transfers(
    conn: &Connection,
    sql: &str,
    args: impl rusqlite::Params,
    context: &'static str,
) -> Result<Vec<Transfer>, StoreError> {
    let mut stmt = conn.prepare_cached(sql).map_err(db(context))?;
    let rows = stmt.query_map(args, raw_transfer).map_err(db(context))?;
    let mut out = Vec::new();
    for row in rows {
        out.push(decode_transfer(&row.map_err(db(context))?)?);
    }
    Ok(out)
}

impl Store for SqliteStore {
    fn submit(&self, events: &[Event]) -> Result<Vec<Outcome>, StoreError> {
        let (reply, answer) = mpsc::sync_channel(1);
        let request = Request {
            events: events.to_vec(),
            reply,
        };
        {
            let queue = match self.queue.read() {
                Ok(q) => q,
                Err(poisoned) => poisoned.into_inner(),
            };
            let queue = queue.as_ref().ok_or(StoreError::WriterStopped)?;
            match queue.try_send(request) {
                Ok(()) => {}
                Err(TrySendError::Full(request)) => {
                    queue.send(request).map_err(|_| StoreError::WriterStopped)?;
                }
                Err(TrySendError::Disconnected(_)) => return Err(StoreError::WriterStopped),
            }
        }
        answer.recv().map_err(|_| StoreError::WriterStopped)?
    }

    fn account(&self, id: Id) -> Result<Option<Account>, StoreError> {
        self.read(|conn| {
            let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM {ACCOUNTS} WHERE id = ?1");
            let raw = conn
                .prepare_cached(&sql)
                .and_then(|mut s| s.query_row([id.to_be_bytes()], raw_account).optional())
                .map_err(db("reading an account"))?;
            raw.as_ref().map(decode_account).transpose()
        })
    }

    fn transfer(&self, id: Id) -> Result<Option<Transfer>, StoreError> {
        self.read(|conn| {
            let sql = format!("SELECT {TRANSFER_COLUMNS} FROM transfers WHERE id = ?1");
            Ok(query_transfers(conn, &sql, [id.to_be_bytes()], "reading a transfer")?.pop())
        })
    }

    fn pending(&self, id: Id) -> Result<Option<PendingInfo>, StoreError> {
        self.read(|conn| {
            let row: Option<(i64, i64)> = conn
                .prepare_cached("SELECT status, expires_at FROM pending WHERE id = ?1")
                .and_then(|mut s| {
                    s.query_row([id.to_be_bytes()], |r| Ok((r.get(0)?, r.get(1)?)))
                        .optional()
                })
                .map_err(db("reading a pending status"))?;
            Ok(row.and_then(|(s, e)| {
                Some(PendingInfo {
                    status: PendingStatus::from_code(u8::try_from(s).ok()?)?,
                    expires_at: u64::try_from(e).ok()?,
                })
            }))
        })
    }

    fn refunded(&self, payment: Id) -> Result<u128, StoreError> {
        self.read(|conn| {
            let total: Option<Value> = conn
                .prepare_cached("SELECT total FROM refunded WHERE id = ?1")
                .and_then(|mut s| {
                    s.query_row([payment.to_be_bytes()], |r| r.get(0))
                        .optional()
                })
                .map_err(db("reading a refunded total"))?;
            total.map_or(Ok(0), |t| u128_from("refunded", payment, &t))
        })
    }

    fn history(&self, account: Id, limit: usize) -> Result<Vec<Transfer>, StoreError> {
        self.read(|conn| {
            let mut next: Option<Vec<u8>> = conn
                .prepare_cached(&format!(
                    "SELECT last_transfer FROM {ACCOUNTS} WHERE id = ?1"
                ))
                .and_then(|mut s| {
                    s.query_row([account.to_be_bytes()], |r| r.get(0))
                        .optional()
                })
                .map_err(db("reading history"))?
                .flatten();
            let sql = format!(
                "SELECT {TRANSFER_COLUMNS}, debit_prev, credit_prev FROM transfers WHERE id = ?1"
            );
            let mut stmt = conn.prepare_cached(&sql).map_err(db("reading history"))?;
            let mut out = Vec::new();
            while let Some(id) = next.take() {
                if out.len() >= limit {
                    break;
                }
                let row = stmt
                    .query_row([id], |r| {
                        Ok((
                            raw_transfer(r)?,
                            r.get::<_, Option<Vec<u8>>>(11)?,
                            r.get(12)?,
                        ))
                    })
                    .optional()
                    .map_err(db("reading history"))?;
                let Some((raw, debit_prev, credit_prev)) = row else {
                    break;
                };
                let t = decode_transfer(&raw)?;
                next = if t.debit_account_id == account {
                    debit_prev
                } else {
                    credit_prev
                };
                out.push(t);
            }
            Ok(out)
        })
    }

    fn referencing(&self, payment: Id) -> Result<Vec<Transfer>, StoreError> {
        self.read(|conn| {
            let sql = format!(
                "SELECT {TRANSFER_COLUMNS} FROM transfers WHERE reference = ?1 ORDER BY timestamp"
            );
            query_transfers(conn, &sql, [payment.to_be_bytes()], "reading refunds")
        })
    }

    fn verify(&self) -> Result<VerifyReport, StoreError> {
        self.read(verify_connection)
    }

    fn put_party(&self, party: &Party) -> Result<(), StoreError> {
        self.read(|conn| {
            let taken: Option<Vec<u8>> = conn
                .query_row(
                    "SELECT account FROM parties WHERE label = ?1",
                    [&party.label],
                    |r| r.get(0),
                )
                .optional()
                .map_err(db("reading the registry"))?;
            if taken.is_some_and(|a| a != party.account.to_be_bytes()) {
                return Err(StoreError::LabelTaken(party.label.clone()));
            }
            conn.execute(
                "INSERT OR REPLACE INTO parties (account, label, kind, ledger, tier, mdr_bps, \
                 merchant_name, merchant_city) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    party.account.to_be_bytes(),
                    party.label,
                    party.kind.code(),
                    party.ledger,
                    party.tier.map(Tier::as_str),
                    party.mdr_bps,
                    party.merchant_name,
                    party.merchant_city
                ],
            )
            .map_err(|e| match e {
                rusqlite::Error::SqliteFailure(f, _)
                    if f.code == rusqlite::ErrorCode::ConstraintViolation =>
                {
                    StoreError::LabelTaken(party.label.clone())
                }
                e => StoreError::Database {
                    context: "writing the registry",
                    source: Box::new(e),
                },
            })?;
            Ok(())
        })
    }

    fn party_by_label(&self, label: &str) -> Result<Option<Party>, StoreError> {
        self.read(|conn| query_party(conn, "label = ?1", &label))
    }

    fn party(&self, account: Id) -> Result<Option<Party>, StoreError> {
        self.read(|conn| query_party(conn, "account = ?1", &account.to_be_bytes()))
    }

    fn setting(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.read(|conn| {
            conn.query_row("SELECT value FROM settings WHERE name = ?1", [name], |r| {
                r.get(0)
            })
            .optional()
            .map_err(db("reading a setting"))
        })
    }

    fn put_code(&self, code: &IssuedCode) -> Result<(), StoreError> {
        self.read(|conn| {
            conn.execute(
                "INSERT OR REPLACE INTO codes (merchant, reference, amount, expires_at) \
                 VALUES (?1, ?2, ?3, ?4)",
                params![
                    code.merchant.to_be_bytes(),
                    code.reference,
                    amount_sql(code.amount_minor),
                    i64_of(code.expires_at_ns)
                ],
            )
            .map_err(db("writing an issued code"))?;
            Ok(())
        })
    }

    fn issued_code(&self, merchant: Id, reference: &str) -> Result<Option<IssuedCode>, StoreError> {
        self.read(|conn| {
            let row: Option<(Value, i64)> = conn
                .query_row(
                    "SELECT amount, expires_at FROM codes WHERE merchant = ?1 AND reference = ?2",
                    params![merchant.to_be_bytes(), reference],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
                .map_err(db("reading an issued code"))?;
            row.map(|(amount, expires_at)| {
                Ok(IssuedCode {
                    merchant,
                    reference: reference.to_owned(),
                    amount_minor: u128_from("codes", merchant, &amount)?,
                    expires_at_ns: u64::try_from(expires_at).unwrap_or(0),
                })
            })
            .transpose()
        })
    }

    fn init_setting(&self, name: &str, value: &[u8]) -> Result<Vec<u8>, StoreError> {
        self.read(|conn| {
            conn.execute(
                "INSERT OR IGNORE INTO settings (name, value) VALUES (?1, ?2)",
                params![name, value],
            )
            .map_err(db("writing a setting"))?;
            conn.query_row("SELECT value FROM settings WHERE name = ?1", [name], |r| {
                r.get(0)
            })
            .map_err(db("reading a setting"))
        })
    }
}

fn query_party(
    conn: &Connection,
    condition: &str,
    key: &dyn rusqlite::ToSql,
) -> Result<Option<Party>, StoreError> {
    let sql = format!(
        "SELECT account, label, kind, ledger, tier, mdr_bps, merchant_name, merchant_city \
         FROM parties WHERE {condition}"
    );
    type Row = (
        Vec<u8>,
        String,
        i64,
        i64,
        Option<String>,
        i64,
        Option<String>,
        Option<String>,
    );
    let row: Option<Row> = conn
        .query_row(&sql, [key], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
            ))
        })
        .optional()
        .map_err(db("reading the registry"))?;
    let Some((account, label, kind, ledger, tier, mdr_bps, merchant_name, merchant_city)) = row
    else {
        return Ok(None);
    };
    let account = id_from("parties", &account)?;
    let bad = |what| StoreError::Corrupt {
        table: "parties",
        row: account.to_string(),
        what,
    };
    Ok(Some(Party {
        account,
        label,
        kind: u8::try_from(kind)
            .ok()
            .and_then(AccountKind::from_code)
            .ok_or_else(|| bad("unknown kind"))?,
        ledger: u32::try_from(ledger).map_err(|_| bad("ledger out of range"))?,
        tier: tier
            .as_deref()
            .map(|t| Tier::from_name(t).ok_or_else(|| bad("unknown tier")))
            .transpose()?,
        mdr_bps: u16::try_from(mdr_bps).map_err(|_| bad("mdr out of range"))?,
        merchant_name,
        merchant_city,
    }))
}

/// Everything `verify` reads, in one read transaction; the checks are [`Audit`]'s.
fn verify_connection(conn: &mut Connection) -> Result<VerifyReport, StoreError> {
    let tx = conn.transaction().map_err(db("starting verify"))?;
    let mut audit = Audit::default();
    let integrity: String = tx
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .map_err(db("running the integrity check"))?;
    let integrity = (integrity != "ok").then_some(Finding::Integrity(integrity));
    {
        let sql = format!("SELECT {TRANSFER_COLUMNS}, batch, row_hash FROM transfers");
        let mut stmt = tx.prepare(&sql).map_err(db("reading transfers"))?;
        let mut rows = stmt.query([]).map_err(db("reading transfers"))?;
        while let Some(r) = rows.next().map_err(db("reading transfers"))? {
            let raw = raw_transfer(r).map_err(db("reading transfers"))?;
            let batch: i64 = r.get(11).map_err(db("reading transfers"))?;
            let stored: Vec<u8> = r.get(12).map_err(db("reading transfers"))?;
            match decode_transfer(&raw) {
                Ok(t) => audit.transfer(t, u64::try_from(batch).unwrap_or(0), &stored),
                Err(_) => audit.undecodable("transfers", &raw.id),
            }
        }
    }
    {
        let sql = format!("SELECT {ACCOUNT_COLUMNS}, batch, row_hash FROM {ACCOUNTS}");
        let mut stmt = tx.prepare(&sql).map_err(db("reading accounts"))?;
        let mut rows = stmt.query([]).map_err(db("reading accounts"))?;
        while let Some(r) = rows.next().map_err(db("reading accounts"))? {
            let raw = raw_account(r).map_err(db("reading accounts"))?;
            let batch: i64 = r.get(15).map_err(db("reading accounts"))?;
            let stored: Vec<u8> = r.get(16).map_err(db("reading accounts"))?;
            match decode_account(&raw) {
                Ok(a) => audit.account(a, u64::try_from(batch).unwrap_or(0), &stored),
                Err(_) => audit.undecodable("accounts", &raw.id),
            }
        }
    }
    {
        // Balances that belong to no account (the join above cannot see them).
        let mut stmt = tx
            .prepare("SELECT slot FROM balances WHERE slot NOT IN (SELECT slot FROM accounts)")
            .map_err(db("reading balances"))?;
        let mut rows = stmt.query([]).map_err(db("reading balances"))?;
        while let Some(r) = rows.next().map_err(db("reading balances"))? {
            let slot: i64 = r.get(0).map_err(db("reading balances"))?;
            audit.undecodable("balances", &slot.to_be_bytes());
        }
    }
    {
        let mut stmt = tx
            .prepare("SELECT id, outcome, batch FROM failed")
            .map_err(db("reading failed ids"))?;
        let mut rows = stmt.query([]).map_err(db("reading failed ids"))?;
        while let Some(r) = rows.next().map_err(db("reading failed ids"))? {
            let id: Vec<u8> = r.get(0).map_err(db("reading failed ids"))?;
            let outcome: i64 = r.get(1).map_err(db("reading failed ids"))?;
            let batch: i64 = r.get(2).map_err(db("reading failed ids"))?;
            let decoded = id_from("failed", &id)
                .ok()
                .zip(u8::try_from(outcome).ok().and_then(Outcome::from_code));
            match decoded {
                Some((id, outcome)) => {
                    audit.failed(id, outcome, u64::try_from(batch).unwrap_or(0));
                }
                None => audit.undecodable("failed", &id),
            }
        }
    }
    {
        let mut stmt = tx
            .prepare("SELECT seq, timestamp, hash FROM batches ORDER BY seq")
            .map_err(db("reading batches"))?;
        let mut rows = stmt.query([]).map_err(db("reading batches"))?;
        while let Some(r) = rows.next().map_err(db("reading batches"))? {
            let seq: i64 = r.get(0).map_err(db("reading batches"))?;
            let timestamp: i64 = r.get(1).map_err(db("reading batches"))?;
            let stored: Vec<u8> = r.get(2).map_err(db("reading batches"))?;
            audit.batch(
                u64::try_from(seq).unwrap_or(0),
                u64::try_from(timestamp).unwrap_or(0),
                stored,
            );
        }
    }
    {
        let mut stmt = tx
            .prepare("SELECT id, status, expires_at FROM pending")
            .map_err(db("reading pending"))?;
        let mut rows = stmt.query([]).map_err(db("reading pending"))?;
        while let Some(r) = rows.next().map_err(db("reading pending"))? {
            let id: Vec<u8> = r.get(0).map_err(db("reading pending"))?;
            let status: i64 = r.get(1).map_err(db("reading pending"))?;
            let expires_at: i64 = r.get(2).map_err(db("reading pending"))?;
            let info = u8::try_from(status)
                .ok()
                .and_then(PendingStatus::from_code)
                .zip(u64::try_from(expires_at).ok());
            match (id_from("pending", &id), info) {
                (Ok(id), Some((status, expires_at))) => {
                    audit.pending(id, PendingInfo { status, expires_at });
                }
                _ => audit.undecodable("pending", &id),
            }
        }
    }
    {
        let mut stmt = tx
            .prepare("SELECT id, total FROM refunded")
            .map_err(db("reading refunds"))?;
        let mut rows = stmt.query([]).map_err(db("reading refunds"))?;
        while let Some(r) = rows.next().map_err(db("reading refunds"))? {
            let id: Vec<u8> = r.get(0).map_err(db("reading refunds"))?;
            let total: Value = r.get(1).map_err(db("reading refunds"))?;
            match id_from("refunded", &id) {
                Ok(id) => audit.refunded(id, u128_from("refunded", id, &total).ok()),
                Err(_) => audit.undecodable("refunded", &id),
            }
        }
    }
    let last_timestamp = read_meta_u64(&tx, "last_timestamp")?.unwrap_or(0);
    let mut report = audit.finish(None, last_timestamp);
    if let Some(finding) = integrity {
        report.findings.insert(0, finding);
    }
    Ok(report)
}
