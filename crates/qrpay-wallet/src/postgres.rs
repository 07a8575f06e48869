//! The server store: PostgreSQL, for a ledger shared by many API nodes.
//!
//! Same state machine, same semantics as [`crate::sqlite`]: a caller's batch is applied by a
//! fresh [`Ledger`] loaded with exactly the rows the batch can touch, inside one database
//! transaction, and the outcomes are returned only after `COMMIT` returned (with
//! `synchronous_commit = on`, i.e. after the server flushed its WAL): an acknowledged payment is
//! durable.
//!
//! # Group commit
//!
//! Within one process, callers that submit while a commit is running queue up; the next one to
//! lead takes everything queued (up to [`GROUP_EVENTS_MAX`] events) and commits it in one
//! transaction, each caller's batch applied in turn with its own timestamp (a refused batch
//! does not affect the others). One WAL flush then serves many single-payment callers.
//!
//! # Many writers
//!
//! Several processes (and threads, each on its own pooled connection) may submit at once. One
//! transaction per batch, under `READ COMMITTED`, takes its locks in one global order:
//!
//! 1. the batch's accounts, `SELECT … WHERE id = ANY($1) ORDER BY id FOR UPDATE` (sorted ids, so
//!    two batches touching the same accounts wait for each other instead of deadlocking);
//! 2. the chain head, a single row `chain_head` locked `FOR UPDATE`: the hash chain needs one
//!    global order of batches and the state machine needs timestamps that increase from batch
//!    to batch, so every batch that writes appends to the chain while holding this row;
//! 3. everything else the batch reads (transfers, pending statuses, refunded totals, failed ids,
//!    expiring pending transfers) is read after the head lock, so it is the latest committed
//!    state: no other writer can commit in between.
//!
//! The trap of an account's first transfer: `FOR UPDATE` on a row that does not exist locks
//! nothing, so a transfer racing with the creation of its account could read "no such account"
//! and be refused although the account's batch is ordered before it in the chain. Account rows
//! are created by the account's own batch (so once an account exists, its row exists and is
//! locked like any other), and any account missing at step 1 is read again after step 2, when
//! every batch ordered before this one has committed. The re-read takes no row lock: a writer
//! still waiting in step 1 for that row would wait for us in step 2 (a cycle); the head lock
//! already excludes every other writer. Two batches creating the same id both pass step 1; the
//! second fails with a unique violation on insert and is retried, and then sees `exists`.
//!
//! Serialization failures (`40001`, which CockroachDB and YugabyteDB raise where PostgreSQL
//! waits) and detected deadlocks (`40P01`) roll the transaction back and retry it, with backoff,
//! up to [`RETRIES_MAX`] times; nothing of a failed attempt was applied.
//!
//! # Speed
//!
//! A batch costs a fixed number of round trips, whatever its size: each table is read with one
//! `= ANY($1)` over a `bytea[]` and written with one `INSERT … SELECT FROM unnest($1, $2, …)` or
//! `UPDATE … FROM unnest(…)`. Statements are prepared once per pooled connection.
//!
//! # Portability
//!
//! Plain SQL: `bytea`, `bigint`, `text`, `ON CONFLICT`, `FOR UPDATE`, `= ANY`, multi-argument
//! `unnest`, partial indexes. No advisory locks, no `COPY`, no stored procedures, no extensions.
//! Amounts are 16-byte big-endian `bytea` (u128 does not fit `bigint`, and the state machine,
//! not the database, does the arithmetic).
//!
//! What was tested: PostgreSQL 15 on one machine (tests/postgres.rs, the model property test,
//! the bench), including several processes, SIGKILL during commits and concurrent first
//! opens. What was not: CockroachDB, YugabyteDB and Citus were not run. Where they may need
//! work: the session `SET synchronous_commit = on` (accepted by both as far as their docs say),
//! partial indexes (CockroachDB 20.2+), and the single `chain_head` row, which serializes every
//! batch and on a distributed engine becomes one hot range (correct, but throughput is bounded
//! by that range's consensus latency). Connections are unencrypted (`NoTls`): use a private
//! network or a local socket until TLS is added.
//!
//! # Schema
//!
//! Versioned migrations ([`MIGRATIONS`]) run on [`PgStore::open`] in one transaction; a database
//! whose `schema_migrations` names a newer version than this code knows is refused with
//! [`StoreError::SchemaTooNew`].

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::str::FromStr;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use postgres::error::SqlState;
use postgres::types::ToSql;
use postgres::{Client, NoTls, Row, Statement, Transaction};

use crate::account::{Account, AccountFlags, AccountKind, Balances, MonthlyIncoming};
use crate::id::{Clock, Id};
use crate::ledger::{Change, Event, Ledger, PendingInfo};
use crate::outcome::Outcome;
use crate::store::{
    failed_from, id_from, pending_from, IssuedCode, Party, Store, StoreError, Tier, Touched,
    VerifyReport,
};
use crate::transfer::{Transfer, TransferCode, TransferFlags};
use crate::verify::{account_hash, batch_hash, failed_hash, transfer_hash, Audit, BatchRows};

/// Most attempts at one batch when the database asks to retry (`40001`, `40P01`).
pub const RETRIES_MAX: u32 = 32;

/// Most connections one store opens (idle ones are kept for reuse).
pub const CONNECTIONS_MAX: usize = 16;

/// Most events in one batch (the state machine's own limit applies too).
pub const BATCH_EVENTS_MAX: usize = 16_384;

/// Most events one transaction commits for a group of callers.
pub const GROUP_EVENTS_MAX: usize = 16_384;

/// The schema version this code writes.
pub const SCHEMA_VERSION: i64 = 1;

/// The migrations, in order: (version, SQL). A version is applied once, in one transaction
/// with the row in `schema_migrations` that records it.
pub const MIGRATIONS: &[(i64, &str)] = &[(1, MIGRATION_1)];

const MIGRATION_1: &str = "
CREATE TABLE accounts (
    id BYTEA PRIMARY KEY, ledger BIGINT NOT NULL, kind BIGINT NOT NULL, flags BIGINT NOT NULL,
    max_balance BYTEA, monthly_incoming_max BYTEA,
    debits_pending BYTEA NOT NULL, debits_posted BYTEA NOT NULL,
    credits_pending BYTEA NOT NULL, credits_posted BYTEA NOT NULL,
    incoming_month BIGINT NOT NULL, incoming_total BYTEA NOT NULL,
    timestamp BIGINT NOT NULL, batch BIGINT NOT NULL, row_hash BYTEA NOT NULL,
    last_transfer BYTEA
);
CREATE TABLE transfers (
    id BYTEA PRIMARY KEY, debit BYTEA NOT NULL, credit BYTEA NOT NULL, amount BYTEA NOT NULL,
    pending_id BYTEA, reference BYTEA, timeout BIGINT NOT NULL, ledger BIGINT NOT NULL,
    code BIGINT NOT NULL, flags BIGINT NOT NULL, timestamp BIGINT NOT NULL,
    batch BIGINT NOT NULL, row_hash BYTEA NOT NULL, debit_prev BYTEA, credit_prev BYTEA
);
CREATE INDEX transfers_reference ON transfers (reference) WHERE reference IS NOT NULL;
CREATE TABLE pending (id BYTEA PRIMARY KEY, status BIGINT NOT NULL, expires_at BIGINT NOT NULL);
CREATE INDEX pending_expiry ON pending (expires_at) WHERE status = 0 AND expires_at > 0;
CREATE TABLE refunded (id BYTEA PRIMARY KEY, total BYTEA NOT NULL);
CREATE TABLE failed (id BYTEA PRIMARY KEY, outcome BIGINT NOT NULL, batch BIGINT NOT NULL);
CREATE TABLE batches (seq BIGINT PRIMARY KEY, timestamp BIGINT NOT NULL, hash BYTEA NOT NULL);
CREATE TABLE chain_head (
    id BIGINT PRIMARY KEY CHECK (id = 1), seq BIGINT NOT NULL, hash BYTEA NOT NULL,
    last_timestamp BIGINT NOT NULL
);
CREATE TABLE parties (
    account BYTEA PRIMARY KEY, label TEXT NOT NULL UNIQUE, kind BIGINT NOT NULL,
    ledger BIGINT NOT NULL, tier TEXT, mdr_bps BIGINT NOT NULL,
    merchant_name TEXT, merchant_city TEXT
);
CREATE TABLE settings (name TEXT PRIMARY KEY, value BYTEA NOT NULL);
CREATE TABLE codes (
    merchant BYTEA NOT NULL, reference TEXT NOT NULL, amount BYTEA NOT NULL,
    expires_at BIGINT NOT NULL, PRIMARY KEY (merchant, reference)
);
";

const TRANSFER_COLUMNS: &str =
    "id, debit, credit, amount, pending_id, reference, timeout, ledger, code, flags, timestamp";

const ACCOUNT_COLUMNS: &str = "id, ledger, kind, flags, max_balance, monthly_incoming_max, \
     debits_pending, debits_posted, credits_pending, credits_posted, incoming_month, \
     incoming_total, timestamp, last_transfer";

const SQL_TRANSFERS_ANY: &str = "SELECT id, debit, credit, amount, pending_id, reference, \
     timeout, ledger, code, flags, timestamp FROM transfers WHERE id = ANY($1)";
const SQL_ACCOUNTS_LOCK: &str = "SELECT id, ledger, kind, flags, max_balance, \
     monthly_incoming_max, debits_pending, debits_posted, credits_pending, credits_posted, \
     incoming_month, incoming_total, timestamp, last_transfer FROM accounts \
     WHERE id = ANY($1) ORDER BY id FOR UPDATE";
const SQL_ACCOUNTS_ANY: &str = "SELECT id, ledger, kind, flags, max_balance, \
     monthly_incoming_max, debits_pending, debits_posted, credits_pending, credits_posted, \
     incoming_month, incoming_total, timestamp, last_transfer FROM accounts WHERE id = ANY($1)";
const SQL_HEAD_LOCK: &str =
    "SELECT seq, hash, last_timestamp FROM chain_head WHERE id = 1 FOR UPDATE";
const SQL_EXPIRING: &str =
    "SELECT id FROM pending WHERE status = 0 AND expires_at > 0 AND expires_at <= $1";
const SQL_PENDING_ANY: &str = "SELECT id, status, expires_at FROM pending WHERE id = ANY($1)";
const SQL_REFUNDED_ANY: &str = "SELECT id, total FROM refunded WHERE id = ANY($1)";
const SQL_FAILED_ANY: &str = "SELECT id, outcome FROM failed WHERE id = ANY($1)";
const SQL_INSERT_TRANSFERS: &str = "INSERT INTO transfers (id, debit, credit, amount, \
     pending_id, reference, timeout, ledger, code, flags, timestamp, batch, row_hash, \
     debit_prev, credit_prev) \
     SELECT u.id, u.debit, u.credit, u.amount, u.pending_id, u.reference, u.timeout, u.ledger, \
     u.code, u.flags, u.ts, $12, u.row_hash, u.debit_prev, u.credit_prev \
     FROM unnest($1::bytea[], $2::bytea[], $3::bytea[], $4::bytea[], $5::bytea[], \
     $6::bytea[], $7::int8[], $8::int8[], $9::int8[], $10::int8[], $11::int8[], $13::bytea[], \
     $14::bytea[], $15::bytea[]) AS u(id, debit, credit, amount, pending_id, reference, \
     timeout, ledger, code, flags, ts, row_hash, debit_prev, credit_prev)";
const SQL_INSERT_ACCOUNTS: &str = "INSERT INTO accounts (id, ledger, kind, flags, max_balance, \
     monthly_incoming_max, debits_pending, debits_posted, credits_pending, credits_posted, \
     incoming_month, incoming_total, timestamp, batch, row_hash, last_transfer) \
     SELECT u.id, u.ledger, u.kind, u.flags, u.max_balance, u.monthly, u.dp, u.dpo, u.cp, \
     u.cpo, u.month, u.total, u.ts, $16, u.row_hash, u.last \
     FROM unnest($1::bytea[], $2::int8[], $3::int8[], $4::int8[], $5::bytea[], $6::bytea[], \
     $7::bytea[], $8::bytea[], $9::bytea[], $10::bytea[], $11::int8[], $12::bytea[], \
     $13::int8[], $14::bytea[], $15::bytea[]) AS u(id, ledger, kind, flags, max_balance, \
     monthly, dp, dpo, cp, cpo, month, total, ts, row_hash, last)";
const SQL_UPDATE_ACCOUNTS: &str = "UPDATE accounts SET debits_pending = u.dp, \
     debits_posted = u.dpo, credits_pending = u.cp, credits_posted = u.cpo, \
     incoming_month = u.month, incoming_total = u.total, last_transfer = u.last \
     FROM unnest($1::bytea[], $2::bytea[], $3::bytea[], $4::bytea[], $5::bytea[], \
     $6::int8[], $7::bytea[], $8::bytea[]) AS u(id, dp, dpo, cp, cpo, month, total, last) \
     WHERE accounts.id = u.id";
const SQL_UPSERT_PENDING: &str = "INSERT INTO pending (id, status, expires_at) \
     SELECT * FROM unnest($1::bytea[], $2::int8[], $3::int8[]) \
     ON CONFLICT (id) DO UPDATE SET status = excluded.status, expires_at = excluded.expires_at";
const SQL_UPSERT_REFUNDED: &str = "INSERT INTO refunded (id, total) \
     SELECT * FROM unnest($1::bytea[], $2::bytea[]) \
     ON CONFLICT (id) DO UPDATE SET total = excluded.total";
const SQL_INSERT_FAILED: &str = "INSERT INTO failed (id, outcome, batch) \
     SELECT u.id, u.outcome, $3 FROM unnest($1::bytea[], $2::int8[]) AS u(id, outcome)";
const SQL_INSERT_BATCH: &str = "INSERT INTO batches (seq, timestamp, hash) VALUES ($1, $2, $3)";
const SQL_UPDATE_HEAD: &str =
    "UPDATE chain_head SET seq = $1, hash = $2, last_timestamp = $3 WHERE id = 1";

/// A pooled connection with the statements prepared on it.
struct Conn {
    client: Client,
    statements: HashMap<&'static str, Statement>,
}

/// The PostgreSQL store.
pub struct PgStore {
    config: postgres::Config,
    clock: Arc<dyn Clock>,
    idle: Mutex<Vec<Conn>>,
    open: Mutex<usize>,
    freed: Condvar,
    group: Mutex<GroupState>,
    group_done: Condvar,
}

/// Callers' batches waiting to be committed together, and the replies not yet collected.
#[derive(Default)]
struct GroupState {
    next_ticket: u64,
    queued: VecDeque<(u64, Vec<Event>)>,
    done: HashMap<u64, Reply>,
    leading: bool,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may carry a password: show only where the store points.
        f.debug_struct("PgStore")
            .field("hosts", &self.config.get_hosts().len())
            .field("dbname", &self.config.get_dbname())
            .finish_non_exhaustive()
    }
}

fn db(context: &'static str) -> impl FnOnce(postgres::Error) -> StoreError {
    move |e| StoreError::Database {
        context,
        source: Box::new(e),
    }
}

impl PgStore {
    /// Connects to the database at `url` (`postgres://user[:password]@host[:port]/dbname`,
    /// libpq-style options such as `?options=-c%20search_path%3Dwallet` are understood), applies
    /// pending schema migrations and returns the store.
    ///
    /// # Errors
    /// [`StoreError::Database`] when the URL is malformed, the server cannot be reached
    /// ("connecting to the PostgreSQL server") or a migration fails;
    /// [`StoreError::SchemaTooNew`] when a newer version of this code migrated the database.
    pub fn open(url: &str, clock: Arc<dyn Clock>) -> Result<PgStore, StoreError> {
        let config = postgres::Config::from_str(url).map_err(db("parsing the database URL"))?;
        let store = PgStore {
            config,
            clock,
            idle: Mutex::new(Vec::new()),
            open: Mutex::new(0),
            freed: Condvar::new(),
            group: Mutex::new(GroupState::default()),
            group_done: Condvar::new(),
        };
        store.with_retry(|conn| migrate(&mut conn.client))?;
        Ok(store)
    }

    fn connect(&self) -> Result<Conn, StoreError> {
        let mut client = self.config.connect(NoTls).map_err(db(
            "connecting to the PostgreSQL server (is it running and reachable?)",
        ))?;
        // An acknowledged payment must be durable: never let a server default of
        // `synchronous_commit = off` (or `local`-only replication settings aside) weaken that.
        client
            .batch_execute("SET synchronous_commit = on")
            .map_err(db("setting synchronous_commit"))?;
        Ok(Conn {
            client,
            statements: HashMap::new(),
        })
    }

    /// Takes an idle connection or opens one, waiting while [`CONNECTIONS_MAX`] are in use.
    fn take(&self) -> Result<Conn, StoreError> {
        let mut open = lock(&self.open);
        loop {
            if let Some(conn) = lock(&self.idle).pop() {
                return Ok(conn);
            }
            if *open < CONNECTIONS_MAX {
                *open = open.saturating_add(1);
                drop(open);
                let conn = self.connect();
                if conn.is_err() {
                    let mut open = lock(&self.open);
                    *open = open.saturating_sub(1);
                    self.freed.notify_one();
                }
                return conn;
            }
            open = match self.freed.wait(open) {
                Ok(g) => g,
                Err(poisoned) => poisoned.into_inner(),
            };
        }
    }

    fn give_back(&self, conn: Conn) {
        let open = lock(&self.open);
        if conn.client.is_closed() {
            let mut open = open;
            *open = open.saturating_sub(1);
        } else {
            lock(&self.idle).push(conn);
        }
        self.freed.notify_one();
    }

    /// Runs `f` on a pooled connection, again when the database asks for a retry.
    fn with_retry<R>(
        &self,
        mut f: impl FnMut(&mut Conn) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        let mut attempt = 0u32;
        loop {
            let mut conn = self.take()?;
            let result = f(&mut conn);
            self.give_back(conn);
            match result {
                Err(e) if attempt < RETRIES_MAX && retryable(&e) => {
                    attempt = attempt.saturating_add(1);
                    // Back off a little more each time, so the writers that collided spread out.
                    let jitter = u64::from(attempt).saturating_mul(u64::from(
                        self.clock
                            .now_ns()
                            .to_le_bytes()
                            .first()
                            .copied()
                            .unwrap_or(0)
                            % 8,
                    ));
                    std::thread::sleep(Duration::from_millis(
                        u64::from(attempt).saturating_add(jitter),
                    ));
                }
                other => return other,
            }
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// Serialization failures and deadlocks are retried; so is a unique violation, which is how
/// two batches creating the same id (or two processes migrating at once) collide.
fn retryable(e: &StoreError) -> bool {
    let StoreError::Database { source, .. } = e else {
        return false;
    };
    let Some(pg) = source.downcast_ref::<postgres::Error>() else {
        return false;
    };
    pg.code().is_some_and(|c| {
        *c == SqlState::T_R_SERIALIZATION_FAILURE
            || *c == SqlState::T_R_DEADLOCK_DETECTED
            || *c == SqlState::UNIQUE_VIOLATION
            || *c == SqlState::DUPLICATE_TABLE
            || *c == SqlState::DUPLICATE_OBJECT
    })
}

fn migrate(client: &mut Client) -> Result<(), StoreError> {
    let mut tx = client.transaction().map_err(db("starting migrations"))?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations \
         (version BIGINT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
    )
    .map_err(db("creating schema_migrations"))?;
    // Two processes migrating a fresh database at once: the second one's `CREATE TABLE` or
    // version insert fails on the first one's (duplicate table / unique violation) and
    // `with_retry` runs it again, when it finds nothing left to do. No `LOCK TABLE`, which
    // CockroachDB and YugabyteDB do not offer.
    let found: Option<i64> = tx
        .query_one("SELECT max(version) FROM schema_migrations", &[])
        .map_err(db("reading the schema version"))?
        .get(0);
    let found = found.unwrap_or(0);
    if found > SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > found) {
        tx.batch_execute(sql).map_err(db("applying a migration"))?;
        tx.execute(
            "INSERT INTO schema_migrations (version) VALUES ($1)",
            &[version],
        )
        .map_err(db("recording a migration"))?;
    }
    tx.execute(
        "INSERT INTO chain_head (id, seq, hash, last_timestamp) VALUES (1, 0, $1, 0) \
         ON CONFLICT (id) DO NOTHING",
        &[&[0u8; 32].as_slice()],
    )
    .map_err(db("creating the chain head"))?;
    tx.commit().map_err(db("committing migrations"))
}

/// Prepares `sql` once per connection.
fn prepared(
    tx: &mut Transaction<'_>,
    cache: &mut HashMap<&'static str, Statement>,
    sql: &'static str,
) -> Result<Statement, StoreError> {
    if let Some(s) = cache.get(sql) {
        return Ok(s.clone());
    }
    let s = tx.prepare(sql).map_err(db("preparing a statement"))?;
    cache.insert(sql, s.clone());
    Ok(s)
}

fn query(
    tx: &mut Transaction<'_>,
    cache: &mut HashMap<&'static str, Statement>,
    sql: &'static str,
    params: &[&(dyn ToSql + Sync)],
    context: &'static str,
) -> Result<Vec<Row>, StoreError> {
    let s = prepared(tx, cache, sql)?;
    tx.query(&s, params).map_err(db(context))
}

/// The rows `sql` returns for the ids bound to `$1`; with no ids, none, without a round trip.
fn query_ids(
    tx: &mut Transaction<'_>,
    cache: &mut HashMap<&'static str, Statement>,
    sql: &'static str,
    ids: &[Vec<u8>],
    context: &'static str,
) -> Result<Vec<Row>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    query(tx, cache, sql, &[&ids], context)
}

fn execute(
    tx: &mut Transaction<'_>,
    cache: &mut HashMap<&'static str, Statement>,
    sql: &'static str,
    params: &[&(dyn ToSql + Sync)],
    context: &'static str,
) -> Result<u64, StoreError> {
    let s = prepared(tx, cache, sql)?;
    tx.execute(&s, params).map_err(db(context))
}

fn id_bytes(ids: impl IntoIterator<Item = Id>) -> Vec<Vec<u8>> {
    ids.into_iter()
        .map(|id| id.to_be_bytes().to_vec())
        .collect()
}

fn amount_bytes(v: u128) -> Vec<u8> {
    v.to_be_bytes().to_vec()
}

fn i64_of(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn u128_from(table: &'static str, row: Id, bytes: &[u8]) -> Result<u128, StoreError> {
    let b: [u8; 16] = bytes.try_into().map_err(|_| StoreError::Corrupt {
        table,
        row: row.to_string(),
        what: "amount is not 16 bytes",
    })?;
    Ok(u128::from_be_bytes(b))
}

fn get<'a, T: postgres::types::FromSql<'a>>(
    row: &'a Row,
    index: usize,
    table: &'static str,
) -> Result<T, StoreError> {
    row.try_get(index).map_err(|e| StoreError::Database {
        context: match table {
            "transfers" => "decoding a transfer row",
            "accounts" => "decoding an account row",
            _ => "decoding a row",
        },
        source: Box::new(e),
    })
}

fn decode_transfer(row: &Row) -> Result<Transfer, StoreError> {
    const T: &str = "transfers";
    let id = id_from(T, get::<&[u8]>(row, 0, T)?)?;
    let bad = |what| StoreError::Corrupt {
        table: T,
        row: id.to_string(),
        what,
    };
    let opt_id = |i| -> Result<Option<Id>, StoreError> {
        get::<Option<&[u8]>>(row, i, T)?
            .map(|b| id_from(T, b))
            .transpose()
    };
    Ok(Transfer {
        id,
        debit_account_id: id_from(T, get::<&[u8]>(row, 1, T)?)?,
        credit_account_id: id_from(T, get::<&[u8]>(row, 2, T)?)?,
        amount: u128_from(T, id, get::<&[u8]>(row, 3, T)?)?,
        pending_id: opt_id(4)?,
        reference: opt_id(5)?,
        timeout_s: u32::try_from(get::<i64>(row, 6, T)?)
            .map_err(|_| bad("timeout out of range"))?,
        ledger: u32::try_from(get::<i64>(row, 7, T)?).map_err(|_| bad("ledger out of range"))?,
        code: u16::try_from(get::<i64>(row, 8, T)?)
            .ok()
            .and_then(TransferCode::from_number)
            .ok_or_else(|| bad("unknown code"))?,
        flags: u16::try_from(get::<i64>(row, 9, T)?)
            .ok()
            .and_then(TransferFlags::from_bits)
            .ok_or_else(|| bad("unknown flags"))?,
        timestamp: u64::try_from(get::<i64>(row, 10, T)?)
            .map_err(|_| bad("timestamp out of range"))?,
    })
}

/// Decodes an account row; also returns the head of its history list.
fn decode_account(row: &Row) -> Result<(Account, Option<Id>), StoreError> {
    const T: &str = "accounts";
    let id = id_from(T, get::<&[u8]>(row, 0, T)?)?;
    let bad = |what| StoreError::Corrupt {
        table: T,
        row: id.to_string(),
        what,
    };
    let amount = |i| -> Result<u128, StoreError> { u128_from(T, id, get::<&[u8]>(row, i, T)?) };
    let opt_amount = |i| -> Result<Option<u128>, StoreError> {
        get::<Option<&[u8]>>(row, i, T)?
            .map(|b| u128_from(T, id, b))
            .transpose()
    };
    let account = Account {
        id,
        ledger: u32::try_from(get::<i64>(row, 1, T)?).map_err(|_| bad("ledger out of range"))?,
        kind: u8::try_from(get::<i64>(row, 2, T)?)
            .ok()
            .and_then(AccountKind::from_code)
            .ok_or_else(|| bad("unknown kind"))?,
        flags: u16::try_from(get::<i64>(row, 3, T)?)
            .ok()
            .and_then(AccountFlags::from_bits)
            .ok_or_else(|| bad("unknown flags"))?,
        max_balance: opt_amount(4)?,
        monthly_incoming_max: opt_amount(5)?,
        balances: Balances {
            debits_pending: amount(6)?,
            debits_posted: amount(7)?,
            credits_pending: amount(8)?,
            credits_posted: amount(9)?,
        },
        incoming: MonthlyIncoming {
            month: u32::try_from(get::<i64>(row, 10, T)?).map_err(|_| bad("month out of range"))?,
            total: amount(11)?,
        },
        timestamp: u64::try_from(get::<i64>(row, 12, T)?)
            .map_err(|_| bad("timestamp out of range"))?,
    };
    let last = get::<Option<&[u8]>>(row, 13, T)?
        .map(|b| id_from(T, b))
        .transpose()?;
    Ok((account, last))
}

fn decode_pending(row: &Row) -> Result<(Id, PendingInfo), StoreError> {
    const T: &str = "pending";
    let id = id_from(T, get::<&[u8]>(row, 0, T)?)?;
    let info = pending_from(id, get::<i64>(row, 1, T)?, get::<i64>(row, 2, T)?)?;
    Ok((id, info))
}

/// One caller's result within a group.
type Reply = Result<Vec<Outcome>, StoreError>;

/// One attempt at a group of callers' batches: one transaction, locks in the global order,
/// each batch applied in turn by the state machine (with its own timestamp), one commit.
#[allow(clippy::too_many_lines)]
fn commit_group(
    conn: &mut Conn,
    clock: &dyn Clock,
    group: &[Vec<Event>],
) -> Result<Vec<Reply>, StoreError> {
    let cache = &mut conn.statements;
    let mut tx = conn
        .client
        .transaction()
        .map_err(db("beginning the write transaction"))?;
    let mut wanted = Touched::of(group.iter().flatten());
    // Pending transfers named by posts and voids are immutable once written: read them
    // before locking, so that their accounts are locked in order with the rest.
    let pending_ids: Vec<Vec<u8>> = id_bytes(wanted.pending.iter().copied());
    for row in query_ids(
        &mut tx,
        cache,
        SQL_TRANSFERS_ANY,
        &pending_ids,
        "reading pending transfers",
    )? {
        let t = decode_transfer(&row)?;
        wanted.accounts.insert(t.debit_account_id);
        wanted.accounts.insert(t.credit_account_id);
    }
    // 1. Accounts, locked in id order.
    let mut ledger = Ledger::with_journal();
    let mut last: HashMap<Id, Option<Id>> = HashMap::new();
    let mut in_order: Vec<Id> = wanted.accounts.iter().copied().collect();
    in_order.sort_unstable();
    let sorted: Vec<Vec<u8>> = id_bytes(in_order);
    for row in query_ids(
        &mut tx,
        cache,
        SQL_ACCOUNTS_LOCK,
        &sorted,
        "locking accounts",
    )? {
        let (account, head) = decode_account(&row)?;
        last.insert(account.id, head);
        ledger.load_account(account);
    }
    // 2. The chain head: from here on no other writer commits until we do.
    let head = query(&mut tx, cache, SQL_HEAD_LOCK, &[], "locking the chain head")?;
    let head = head.first().ok_or(StoreError::Corrupt {
        table: "chain_head",
        row: "1".into(),
        what: "row is missing",
    })?;
    let head_seq = u64::try_from(get::<i64>(head, 0, "chain_head")?).unwrap_or(0);
    let head_hash: [u8; 32] = get::<&[u8]>(head, 1, "chain_head")?
        .try_into()
        .map_err(|_| StoreError::Corrupt {
            table: "chain_head",
            row: "1".into(),
            what: "hash is not 32 bytes",
        })?;
    let last_timestamp = u64::try_from(get::<i64>(head, 2, "chain_head")?).unwrap_or(0);
    // Timestamps for each caller's batch, strictly after everything committed before.
    let mut ts = clock.now_ns().max(last_timestamp.saturating_add(1));
    let mut stamps = Vec::with_capacity(group.len());
    for events in group {
        stamps.push(ts);
        let n = u64::try_from(events.len()).unwrap_or(u64::MAX);
        ts = ts.saturating_add(n.max(1));
    }
    let ts_max = ts;
    let stamp = stamps.first().copied().unwrap_or(ts);
    ledger.load_last_timestamp(last_timestamp);

    // 3. Everything else, as committed by the batches before this one.
    for row in query(
        &mut tx,
        cache,
        SQL_EXPIRING,
        &[&i64_of(ts_max)],
        "finding expiring transfers",
    )? {
        let id = id_from("pending", get::<&[u8]>(&row, 0, "pending")?)?;
        wanted.transfers.insert(id);
        wanted.pending.insert(id);
    }
    let mut more_accounts = BTreeSet::new();
    let ids = id_bytes(wanted.transfers.iter().copied());
    for row in query_ids(&mut tx, cache, SQL_TRANSFERS_ANY, &ids, "loading transfers")? {
        let t = decode_transfer(&row)?;
        if t.flags.contains(TransferFlags::PENDING) {
            more_accounts.insert(t.debit_account_id);
            more_accounts.insert(t.credit_account_id);
        }
        ledger.load_transfer(t);
    }
    // Accounts missing in step 1 (created since, or named only by an expiring transfer): read
    // without a row lock, which the head lock makes safe (see the module docs).
    more_accounts.extend(wanted.accounts.iter().copied());
    let missing: Vec<Vec<u8>> = id_bytes(
        more_accounts
            .into_iter()
            .filter(|id| !last.contains_key(id)),
    );
    for row in query_ids(
        &mut tx,
        cache,
        SQL_ACCOUNTS_ANY,
        &missing,
        "loading accounts",
    )? {
        let (account, head) = decode_account(&row)?;
        last.insert(account.id, head);
        ledger.load_account(account);
    }
    let ids = id_bytes(wanted.pending.iter().copied());
    for row in query_ids(
        &mut tx,
        cache,
        SQL_PENDING_ANY,
        &ids,
        "loading pending statuses",
    )? {
        let (id, info) = decode_pending(&row)?;
        ledger.load_pending(id, info);
    }
    let ids = id_bytes(wanted.refunded.iter().copied());
    for row in query_ids(
        &mut tx,
        cache,
        SQL_REFUNDED_ANY,
        &ids,
        "loading refunded totals",
    )? {
        let id = id_from("refunded", get::<&[u8]>(&row, 0, "refunded")?)?;
        let total = u128_from("refunded", id, get::<&[u8]>(&row, 1, "refunded")?)?;
        ledger.load_refunded(id, total);
    }
    let ids = id_bytes(wanted.failed.iter().copied());
    for row in query_ids(&mut tx, cache, SQL_FAILED_ANY, &ids, "loading failed ids")? {
        let id = id_from("failed", get::<&[u8]>(&row, 0, "failed")?)?;
        ledger.load_failed(id, failed_from(id, get::<i64>(&row, 1, "failed")?)?);
    }

    let mut outcomes = Vec::with_capacity(group.len());
    for (events, &at) in group.iter().zip(&stamps) {
        if events.is_empty() {
            outcomes.push(Ok(Vec::new()));
            continue;
        }
        // A refused batch changes nothing; the others in the group go ahead.
        outcomes.push(ledger.apply(at, events).map_err(StoreError::Ledger));
    }
    let journal = ledger.take_journal();
    if journal.is_empty() {
        // Nothing changed (e.g. every event was a repeat): no batch, nothing to commit.
        tx.rollback().map_err(db("ending a read-only batch"))?;
        return Ok(outcomes);
    }
    let seq = head_seq.saturating_add(1);
    let rows = write_back(&mut tx, cache, &ledger, &journal, seq, &mut last)?;
    let hash = batch_hash(&head_hash, seq, stamp, &rows);
    execute(
        &mut tx,
        cache,
        SQL_INSERT_BATCH,
        &[&i64_of(seq), &i64_of(stamp), &hash.as_slice()],
        "appending to the hash chain",
    )?;
    execute(
        &mut tx,
        cache,
        SQL_UPDATE_HEAD,
        &[
            &i64_of(seq),
            &hash.as_slice(),
            &i64_of(ledger.last_timestamp()),
        ],
        "moving the chain head",
    )?;
    tx.commit().map_err(db("committing"))?;
    Ok(outcomes)
}

/// Writes the journal's changes with one statement per table; returns the batch's rows.
#[allow(clippy::too_many_lines)]
/// The account columns a batch changes after creation (the balances, this month's incoming
/// total, the newest transfer), one vector per column: bound alike by the insert of new
/// accounts and the update of existing ones.
#[derive(Default)]
struct BalanceColumns {
    debits_pending: Vec<Vec<u8>>,
    debits_posted: Vec<Vec<u8>>,
    credits_pending: Vec<Vec<u8>>,
    credits_posted: Vec<Vec<u8>>,
    month: Vec<i64>,
    total: Vec<Vec<u8>>,
    head: Vec<Option<Vec<u8>>>,
}

impl BalanceColumns {
    fn push(&mut self, a: &Account, head: Option<Id>) {
        let b = a.balances;
        self.debits_pending.push(amount_bytes(b.debits_pending));
        self.debits_posted.push(amount_bytes(b.debits_posted));
        self.credits_pending.push(amount_bytes(b.credits_pending));
        self.credits_posted.push(amount_bytes(b.credits_posted));
        self.month.push(i64::from(a.incoming.month));
        self.total.push(amount_bytes(a.incoming.total));
        self.head.push(head.map(|h| h.to_be_bytes().to_vec()));
    }
}

fn write_back(
    tx: &mut Transaction<'_>,
    cache: &mut HashMap<&'static str, Statement>,
    ledger: &Ledger,
    journal: &[Change],
    seq: u64,
    last: &mut HashMap<Id, Option<Id>>,
) -> Result<BatchRows, StoreError> {
    let corrupt = |what, id: Id| StoreError::Ledger(crate::LedgerError::Corrupt { what, id });
    let batch = i64_of(seq);
    let mut rows = BatchRows::default();
    let mut created_accounts = BTreeSet::new();
    let mut updated_accounts = BTreeSet::new();
    let mut pending = BTreeSet::new();
    let mut refunded = BTreeSet::new();
    let mut failed = Vec::new();

    #[derive(Default)]
    struct TransferColumns {
        id: Vec<Vec<u8>>,
        debit: Vec<Vec<u8>>,
        credit: Vec<Vec<u8>>,
        amount: Vec<Vec<u8>>,
        pending_id: Vec<Option<Vec<u8>>>,
        reference: Vec<Option<Vec<u8>>>,
        timeout: Vec<i64>,
        ledger: Vec<i64>,
        code: Vec<i64>,
        flags: Vec<i64>,
        timestamp: Vec<i64>,
        row_hash: Vec<Vec<u8>>,
        debit_prev: Vec<Option<Vec<u8>>>,
        credit_prev: Vec<Option<Vec<u8>>>,
    }
    let mut tc = TransferColumns::default();
    for change in journal {
        match *change {
            Change::AccountCreated(id) => {
                created_accounts.insert(id);
            }
            Change::AccountUpdated(id) => {
                updated_accounts.insert(id);
            }
            Change::TransferCreated(id) => {
                let t = ledger
                    .transfer(id)
                    .ok_or_else(|| corrupt("journal names a missing transfer", id))?;
                let hash = transfer_hash(t);
                // History is a linked list per account, as in the SQLite store.
                let debit_prev = last.insert(t.debit_account_id, Some(t.id)).flatten();
                let credit_prev = last.insert(t.credit_account_id, Some(t.id)).flatten();
                tc.id.push(t.id.to_be_bytes().to_vec());
                tc.debit.push(t.debit_account_id.to_be_bytes().to_vec());
                tc.credit.push(t.credit_account_id.to_be_bytes().to_vec());
                tc.amount.push(amount_bytes(t.amount));
                tc.pending_id
                    .push(t.pending_id.map(|p| p.to_be_bytes().to_vec()));
                tc.reference
                    .push(t.reference.map(|r| r.to_be_bytes().to_vec()));
                tc.timeout.push(i64::from(t.timeout_s));
                tc.ledger.push(i64::from(t.ledger));
                tc.code.push(i64::from(t.code.number()));
                tc.flags.push(i64::from(t.flags.bits()));
                tc.timestamp.push(i64_of(t.timestamp));
                tc.row_hash.push(hash.to_vec());
                tc.debit_prev
                    .push(debit_prev.map(|p| p.to_be_bytes().to_vec()));
                tc.credit_prev
                    .push(credit_prev.map(|p| p.to_be_bytes().to_vec()));
                rows.transfers.push((t.timestamp, hash));
            }
            Change::PendingChanged(id) => {
                pending.insert(id);
            }
            Change::RefundedChanged(id) => {
                refunded.insert(id);
            }
            Change::Failed(id) => {
                let outcome = ledger
                    .failed(id)
                    .ok_or_else(|| corrupt("journal names a missing failure", id))?;
                failed.push((id, outcome));
                rows.failed.push((id, failed_hash(id, outcome)));
            }
        }
    }
    if !tc.id.is_empty() {
        execute(
            tx,
            cache,
            SQL_INSERT_TRANSFERS,
            &[
                &tc.id,
                &tc.debit,
                &tc.credit,
                &tc.amount,
                &tc.pending_id,
                &tc.reference,
                &tc.timeout,
                &tc.ledger,
                &tc.code,
                &tc.flags,
                &tc.timestamp,
                &batch,
                &tc.row_hash,
                &tc.debit_prev,
                &tc.credit_prev,
            ],
            "inserting transfers",
        )?;
    }
    if !created_accounts.is_empty() {
        let mut ids = Vec::new();
        let mut ledgers = Vec::new();
        let mut kinds = Vec::new();
        let mut flags = Vec::new();
        let mut max_balance = Vec::new();
        let mut monthly_max = Vec::new();
        let mut columns = BalanceColumns::default();
        let mut ts = Vec::new();
        let mut hashes = Vec::new();
        for id in &created_accounts {
            let a = ledger
                .account(*id)
                .ok_or_else(|| corrupt("journal names a missing account", *id))?;
            let hash = account_hash(a);
            ids.push(a.id.to_be_bytes().to_vec());
            ledgers.push(i64::from(a.ledger));
            kinds.push(i64::from(a.kind.code()));
            flags.push(i64::from(a.flags.bits()));
            max_balance.push(a.max_balance.map(amount_bytes));
            monthly_max.push(a.monthly_incoming_max.map(amount_bytes));
            columns.push(a, last.get(id).copied().flatten());
            ts.push(i64_of(a.timestamp));
            hashes.push(hash.to_vec());
            rows.accounts.push((a.timestamp, hash));
        }
        execute(
            tx,
            cache,
            SQL_INSERT_ACCOUNTS,
            &[
                &ids,
                &ledgers,
                &kinds,
                &flags,
                &max_balance,
                &monthly_max,
                &columns.debits_pending,
                &columns.debits_posted,
                &columns.credits_pending,
                &columns.credits_posted,
                &columns.month,
                &columns.total,
                &ts,
                &hashes,
                &columns.head,
                &batch,
            ],
            "inserting accounts",
        )?;
    }
    let updated: Vec<Id> = updated_accounts
        .difference(&created_accounts)
        .copied()
        .collect();
    if !updated.is_empty() {
        let mut ids = Vec::new();
        let mut columns = BalanceColumns::default();
        for id in &updated {
            let a = ledger
                .account(*id)
                .ok_or_else(|| corrupt("journal names a missing account", *id))?;
            ids.push(id.to_be_bytes().to_vec());
            columns.push(a, last.get(id).copied().flatten());
        }
        execute(
            tx,
            cache,
            SQL_UPDATE_ACCOUNTS,
            &[
                &ids,
                &columns.debits_pending,
                &columns.debits_posted,
                &columns.credits_pending,
                &columns.credits_posted,
                &columns.month,
                &columns.total,
                &columns.head,
            ],
            "updating accounts",
        )?;
    }
    if !pending.is_empty() {
        let mut ids = Vec::new();
        let mut status = Vec::new();
        let mut expires = Vec::new();
        for id in &pending {
            let p = ledger
                .pending(*id)
                .ok_or_else(|| corrupt("journal names a missing pending", *id))?;
            ids.push(id.to_be_bytes().to_vec());
            status.push(i64::from(p.status as u8));
            expires.push(i64_of(p.expires_at));
        }
        execute(
            tx,
            cache,
            SQL_UPSERT_PENDING,
            &[&ids, &status, &expires],
            "writing pending statuses",
        )?;
    }
    if !refunded.is_empty() {
        let ids = id_bytes(refunded.iter().copied());
        let totals: Vec<Vec<u8>> = refunded
            .iter()
            .map(|id| amount_bytes(ledger.refunded(*id)))
            .collect();
        execute(
            tx,
            cache,
            SQL_UPSERT_REFUNDED,
            &[&ids, &totals],
            "writing refunded totals",
        )?;
    }
    if !failed.is_empty() {
        let ids = id_bytes(failed.iter().map(|(id, _)| *id));
        let outcomes: Vec<i64> = failed.iter().map(|(_, o)| i64::from(o.code())).collect();
        execute(
            tx,
            cache,
            SQL_INSERT_FAILED,
            &[&ids, &outcomes, &batch],
            "remembering failed ids",
        )?;
    }
    Ok(rows)
}

impl PgStore {
    /// Runs one read-only statement set on a pooled connection.
    fn read<R>(
        &self,
        mut f: impl FnMut(&mut Client) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        self.with_retry(|conn| f(&mut conn.client))
    }

    fn transfers_where(
        &self,
        sql: &str,
        key: &[u8],
        context: &'static str,
    ) -> Result<Vec<Transfer>, StoreError> {
        self.read(|c| {
            c.query(sql, &[&key])
                .map_err(db(context))?
                .iter()
                .map(decode_transfer)
                .collect()
        })
    }
}

impl Store for PgStore {
    fn submit(&self, events: &[Event]) -> Result<Vec<Outcome>, StoreError> {
        if events.len() > BATCH_EVENTS_MAX {
            return Err(StoreError::Ledger(crate::LedgerError::TooManyEvents {
                len: events.len(),
                len_max: BATCH_EVENTS_MAX,
            }));
        }
        let mut state = lock(&self.group);
        let ticket = state.next_ticket;
        state.next_ticket = state.next_ticket.wrapping_add(1);
        state.queued.push_back((ticket, events.to_vec()));
        loop {
            if let Some(reply) = state.done.remove(&ticket) {
                return reply;
            }
            if state.leading {
                state = match self.group_done.wait(state) {
                    Ok(g) => g,
                    Err(poisoned) => poisoned.into_inner(),
                };
                continue;
            }
            // Lead: take what is queued (ours included) and commit it as one group.
            state.leading = true;
            let mut tickets = Vec::new();
            let mut batches = Vec::new();
            let mut len = 0usize;
            while let Some((_, next)) = state.queued.front() {
                if !batches.is_empty() && len.saturating_add(next.len()) > GROUP_EVENTS_MAX {
                    break;
                }
                let Some((t, events)) = state.queued.pop_front() else {
                    break;
                };
                len = len.saturating_add(events.len());
                tickets.push(t);
                batches.push(events);
            }
            drop(state);
            // A failed attempt's transaction was rolled back when it was dropped.
            let clock = Arc::clone(&self.clock);
            let result = self.with_retry(|conn| commit_group(conn, &*clock, &batches));
            state = lock(&self.group);
            match result {
                Ok(replies) => {
                    for (t, reply) in tickets.into_iter().zip(replies) {
                        state.done.insert(t, reply);
                    }
                }
                Err(e) => {
                    let message = e.to_string();
                    for t in tickets {
                        state.done.insert(
                            t,
                            Err(StoreError::Database {
                                context: "committing a batch",
                                source: message.clone().into(),
                            }),
                        );
                    }
                }
            }
            state.leading = false;
            self.group_done.notify_all();
        }
    }

    fn account(&self, id: Id) -> Result<Option<Account>, StoreError> {
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = $1");
        self.read(|c| {
            c.query_opt(sql.as_str(), &[&id.to_be_bytes().as_slice()])
                .map_err(db("reading an account"))?
                .as_ref()
                .map(|r| decode_account(r).map(|(a, _)| a))
                .transpose()
        })
    }

    fn transfer(&self, id: Id) -> Result<Option<Transfer>, StoreError> {
        let sql = format!("SELECT {TRANSFER_COLUMNS} FROM transfers WHERE id = $1");
        Ok(self
            .transfers_where(&sql, &id.to_be_bytes(), "reading a transfer")?
            .pop())
    }

    fn pending(&self, id: Id) -> Result<Option<PendingInfo>, StoreError> {
        self.read(|c| {
            c.query_opt(
                "SELECT id, status, expires_at FROM pending WHERE id = $1",
                &[&id.to_be_bytes().as_slice()],
            )
            .map_err(db("reading a pending status"))?
            .as_ref()
            .map(|r| decode_pending(r).map(|(_, p)| p))
            .transpose()
        })
    }

    fn refunded(&self, payment: Id) -> Result<u128, StoreError> {
        self.read(|c| {
            let row = c
                .query_opt(
                    "SELECT total FROM refunded WHERE id = $1",
                    &[&payment.to_be_bytes().as_slice()],
                )
                .map_err(db("reading a refunded total"))?;
            row.map_or(Ok(0), |r| {
                u128_from("refunded", payment, get::<&[u8]>(&r, 0, "refunded")?)
            })
        })
    }

    fn history(&self, account: Id, limit: usize) -> Result<Vec<Transfer>, StoreError> {
        let sql = format!(
            "SELECT {TRANSFER_COLUMNS}, debit_prev, credit_prev FROM transfers WHERE id = $1"
        );
        self.read(|c| {
            let mut tx = c
                .build_transaction()
                .isolation_level(postgres::IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()
                .map_err(db("reading history"))?;
            let mut next: Option<Vec<u8>> = tx
                .query_opt(
                    "SELECT last_transfer FROM accounts WHERE id = $1",
                    &[&account.to_be_bytes().as_slice()],
                )
                .map_err(db("reading history"))?
                .map(|r| get::<Option<Vec<u8>>>(&r, 0, "accounts"))
                .transpose()?
                .flatten();
            let stmt = tx.prepare(&sql).map_err(db("reading history"))?;
            let mut out = Vec::new();
            while let Some(id) = next.take() {
                if out.len() >= limit {
                    break;
                }
                let Some(row) = tx.query_opt(&stmt, &[&id]).map_err(db("reading history"))? else {
                    break;
                };
                let t = decode_transfer(&row)?;
                next = if t.debit_account_id == account {
                    get(&row, 11, "transfers")?
                } else {
                    get(&row, 12, "transfers")?
                };
                out.push(t);
            }
            tx.commit().map_err(db("reading history"))?;
            Ok(out)
        })
    }

    fn referencing(&self, payment: Id) -> Result<Vec<Transfer>, StoreError> {
        let sql = format!(
            "SELECT {TRANSFER_COLUMNS} FROM transfers WHERE reference = $1 ORDER BY timestamp"
        );
        self.transfers_where(&sql, &payment.to_be_bytes(), "reading refunds")
    }

    fn verify(&self) -> Result<VerifyReport, StoreError> {
        self.read(verify_client)
    }

    fn put_party(&self, party: &Party) -> Result<(), StoreError> {
        self.read(|c| {
            let mut tx = c.transaction().map_err(db("writing the registry"))?;
            let taken = tx
                .query_opt(
                    "SELECT account FROM parties WHERE label = $1",
                    &[&party.label],
                )
                .map_err(db("reading the registry"))?;
            if let Some(row) = taken {
                let account: &[u8] = get(&row, 0, "parties")?;
                if account != party.account.to_be_bytes() {
                    return Err(StoreError::LabelTaken(party.label.clone()));
                }
            }
            let result = tx.execute(
                "INSERT INTO parties (account, label, kind, ledger, tier, mdr_bps, \
                 merchant_name, merchant_city) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT (account) DO UPDATE SET label = excluded.label, \
                 kind = excluded.kind, ledger = excluded.ledger, tier = excluded.tier, \
                 mdr_bps = excluded.mdr_bps, merchant_name = excluded.merchant_name, \
                 merchant_city = excluded.merchant_city",
                &[
                    &party.account.to_be_bytes().as_slice(),
                    &party.label,
                    &i64::from(party.kind.code()),
                    &i64::from(party.ledger),
                    &party.tier.map(Tier::as_str),
                    &i64::from(party.mdr_bps),
                    &party.merchant_name,
                    &party.merchant_city,
                ],
            );
            match result {
                Ok(_) => {}
                Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
                    // Another process took the label between our check and our insert.
                    return Err(StoreError::LabelTaken(party.label.clone()));
                }
                Err(e) => return Err(db("writing the registry")(e)),
            }
            tx.commit().map_err(db("writing the registry"))
        })
    }

    fn party_by_label(&self, label: &str) -> Result<Option<Party>, StoreError> {
        self.read(|c| query_party(c, "label = $1", &label))
    }

    fn party(&self, account: Id) -> Result<Option<Party>, StoreError> {
        let key = account.to_be_bytes();
        self.read(|c| query_party(c, "account = $1", &key.as_slice()))
    }

    fn setting(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.read(|c| {
            c.query_opt("SELECT value FROM settings WHERE name = $1", &[&name])
                .map_err(db("reading a setting"))?
                .map(|r| get::<Vec<u8>>(&r, 0, "settings"))
                .transpose()
        })
    }

    fn put_code(&self, code: &IssuedCode) -> Result<(), StoreError> {
        self.read(|c| {
            c.execute(
                "INSERT INTO codes (merchant, reference, amount, expires_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (merchant, reference) \
                 DO UPDATE SET amount = excluded.amount, expires_at = excluded.expires_at",
                &[
                    &code.merchant.to_be_bytes().as_slice(),
                    &code.reference,
                    &amount_bytes(code.amount_minor),
                    &i64_of(code.expires_at_ns),
                ],
            )
            .map_err(db("writing an issued code"))?;
            Ok(())
        })
    }

    fn issued_code(&self, merchant: Id, reference: &str) -> Result<Option<IssuedCode>, StoreError> {
        self.read(|c| {
            let row = c
                .query_opt(
                    "SELECT amount, expires_at FROM codes WHERE merchant = $1 AND reference = $2",
                    &[&merchant.to_be_bytes().as_slice(), &reference],
                )
                .map_err(db("reading an issued code"))?;
            row.map(|r| {
                Ok(IssuedCode {
                    merchant,
                    reference: reference.to_owned(),
                    amount_minor: u128_from("codes", merchant, get::<&[u8]>(&r, 0, "codes")?)?,
                    expires_at_ns: u64::try_from(get::<i64>(&r, 1, "codes")?).unwrap_or(0),
                })
            })
            .transpose()
        })
    }

    fn init_setting(&self, name: &str, value: &[u8]) -> Result<Vec<u8>, StoreError> {
        self.read(|c| {
            c.execute(
                "INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
                &[&name, &value],
            )
            .map_err(db("writing a setting"))?;
            let row = c
                .query_one("SELECT value FROM settings WHERE name = $1", &[&name])
                .map_err(db("reading a setting"))?;
            get::<Vec<u8>>(&row, 0, "settings")
        })
    }
}

fn query_party(
    c: &mut Client,
    condition: &str,
    key: &(dyn ToSql + Sync),
) -> Result<Option<Party>, StoreError> {
    const T: &str = "parties";
    let sql = format!(
        "SELECT account, label, kind, ledger, tier, mdr_bps, merchant_name, merchant_city \
         FROM parties WHERE {condition}"
    );
    let Some(row) = c
        .query_opt(sql.as_str(), &[key])
        .map_err(db("reading the registry"))?
    else {
        return Ok(None);
    };
    let account = id_from(T, get::<&[u8]>(&row, 0, T)?)?;
    let bad = |what| StoreError::Corrupt {
        table: T,
        row: account.to_string(),
        what,
    };
    Ok(Some(Party {
        account,
        label: get(&row, 1, T)?,
        kind: u8::try_from(get::<i64>(&row, 2, T)?)
            .ok()
            .and_then(AccountKind::from_code)
            .ok_or_else(|| bad("unknown kind"))?,
        ledger: u32::try_from(get::<i64>(&row, 3, T)?).map_err(|_| bad("ledger out of range"))?,
        tier: get::<Option<&str>>(&row, 4, T)?
            .map(|t| Tier::from_name(t).ok_or_else(|| bad("unknown tier")))
            .transpose()?,
        mdr_bps: u16::try_from(get::<i64>(&row, 5, T)?).map_err(|_| bad("mdr out of range"))?,
        merchant_name: get(&row, 6, T)?,
        merchant_city: get(&row, 7, T)?,
    }))
}

/// Everything `verify` reads, in one repeatable-read snapshot; the checks are [`Audit`]'s.
fn verify_client(c: &mut Client) -> Result<VerifyReport, StoreError> {
    let mut tx = c
        .build_transaction()
        .isolation_level(postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .map_err(db("starting verify"))?;
    let mut audit = Audit::default();
    let sql = format!("SELECT {TRANSFER_COLUMNS}, batch, row_hash FROM transfers");
    for row in tx
        .query(sql.as_str(), &[])
        .map_err(db("reading transfers"))?
    {
        let batch = u64::try_from(get::<i64>(&row, 11, "transfers")?).unwrap_or(0);
        let stored: &[u8] = get(&row, 12, "transfers")?;
        match decode_transfer(&row) {
            Ok(t) => audit.transfer(t, batch, stored),
            Err(_) => audit.undecodable("transfers", get(&row, 0, "transfers")?),
        }
    }
    let sql = format!("SELECT {ACCOUNT_COLUMNS}, batch, row_hash FROM accounts");
    for row in tx
        .query(sql.as_str(), &[])
        .map_err(db("reading accounts"))?
    {
        let batch = u64::try_from(get::<i64>(&row, 14, "accounts")?).unwrap_or(0);
        let stored: &[u8] = get(&row, 15, "accounts")?;
        match decode_account(&row) {
            Ok((a, _)) => audit.account(a, batch, stored),
            Err(_) => audit.undecodable("accounts", get(&row, 0, "accounts")?),
        }
    }
    for row in tx
        .query("SELECT id, outcome, batch FROM failed", &[])
        .map_err(db("reading failed ids"))?
    {
        let raw: &[u8] = get(&row, 0, "failed")?;
        let decoded = id_from("failed", raw).ok().zip(
            u8::try_from(get::<i64>(&row, 1, "failed")?)
                .ok()
                .and_then(Outcome::from_code),
        );
        let batch = u64::try_from(get::<i64>(&row, 2, "failed")?).unwrap_or(0);
        match decoded {
            Some((id, outcome)) => audit.failed(id, outcome, batch),
            None => audit.undecodable("failed", raw),
        }
    }
    for row in tx
        .query("SELECT seq, timestamp, hash FROM batches ORDER BY seq", &[])
        .map_err(db("reading batches"))?
    {
        let seq = u64::try_from(get::<i64>(&row, 0, "batches")?).unwrap_or(0);
        let timestamp = u64::try_from(get::<i64>(&row, 1, "batches")?).unwrap_or(0);
        let stored: &[u8] = get(&row, 2, "batches")?;
        audit.batch(seq, timestamp, stored.to_vec());
    }
    let head = tx
        .query_one(
            "SELECT seq, hash, last_timestamp FROM chain_head WHERE id = 1",
            &[],
        )
        .map_err(db("reading the chain head"))?;
    let head_seq = u64::try_from(get::<i64>(&head, 0, "chain_head")?).unwrap_or(0);
    let head_hash: &[u8] = get(&head, 1, "chain_head")?;
    let last_timestamp = u64::try_from(get::<i64>(&head, 2, "chain_head")?).unwrap_or(0);
    for row in tx
        .query("SELECT id, status, expires_at FROM pending", &[])
        .map_err(db("reading pending"))?
    {
        match decode_pending(&row) {
            Ok((id, info)) => audit.pending(id, info),
            Err(_) => audit.undecodable("pending", get(&row, 0, "pending")?),
        }
    }
    for row in tx
        .query("SELECT id, total FROM refunded", &[])
        .map_err(db("reading refunds"))?
    {
        let raw: &[u8] = get(&row, 0, "refunded")?;
        match id_from("refunded", raw) {
            Ok(id) => {
                let total = u128_from("refunded", id, get::<&[u8]>(&row, 1, "refunded")?).ok();
                audit.refunded(id, total);
            }
            Err(_) => audit.undecodable("refunded", raw),
        }
    }
    let report = audit.finish(Some((head_seq, head_hash)), last_timestamp);
    tx.commit().map_err(db("ending verify"))?;
    Ok(report)
}
