//! Ledger throughput: the in-memory state machine, durable SQLite batches, group commit from
//! many concurrent single-transfer callers, and the naive baseline (one SQLite transaction per
//! transfer: balance check + 2 updates + 1 insert), all in one run.
//!
//! Workload: 10,000 customers with no overdraft (every payment checks the balance) paying 10
//! hot merchants (every transfer credits one of them), amounts 1 to 50,000 minor units, ids
//! time-ordered. SQLite runs in WAL mode with `synchronous=FULL`: every batch is durable when
//! `submit` returns.
//!
//! `cargo bench --bench ledger -- --warm-up-time 1 --measurement-time 3`
#![allow(clippy::unwrap_used, clippy::cast_possible_truncation)]

use std::hint::black_box;
use std::sync::mpsc;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use qrpay::wallet::{Event, Id, Ledger, SqliteStore, Store, SystemClock};

mod workload;

use workload::{
    customer, merchant, next_id, payments, payments_from, setup_events, CUSTOMERS, HOT_MERCHANTS,
};

/// The ledger's own benches fund customers with time-ordered top-ups, before the payments.
fn setup() -> Vec<Event> {
    setup_events(|_| next_id())
}

fn state_machine(c: &mut Criterion) {
    let mut g = c.benchmark_group("ledger_in_memory");
    const BATCH: u128 = 8_190;
    g.throughput(Throughput::Elements(u64::try_from(BATCH).unwrap()));
    let setup = setup();
    let mut seed = 0;
    // Each sample starts from a ledger with the accounts funded and room for the batch, so the
    // figure is the state machine's, not the cost of growing a hash table of millions of
    // transfers (a production ledger sizes its tables up front).
    g.bench_function("state_machine_batch_8190", |b| {
        b.iter_batched(
            || {
                seed += 1;
                let mut ledger = Ledger::new();
                for chunk in setup.chunks(8_000) {
                    let ts = ledger.last_timestamp() + 1;
                    ledger.apply(ts, chunk).unwrap();
                }
                ledger.reserve_transfers(usize::try_from(BATCH).unwrap());
                (ledger, payments(BATCH, seed))
            },
            |(mut ledger, batch)| {
                let ts = ledger.last_timestamp() + 1;
                black_box(ledger.apply(ts, black_box(&batch)).unwrap());
                ledger
            },
            BatchSize::LargeInput,
        );
    });
    g.finish();
}

fn open_store(dir: &tempfile::TempDir, name: &str) -> SqliteStore {
    let store = SqliteStore::open(dir.path().join(name), Arc::new(SystemClock)).unwrap();
    for chunk in setup().chunks(8_000) {
        store.submit(chunk).unwrap();
    }
    store
}

/// The naive design: one durable SQLite transaction per transfer.
struct Naive {
    conn: rusqlite::Connection,
}

impl Naive {
    fn open(dir: &tempfile::TempDir) -> Naive {
        let conn = rusqlite::Connection::open(dir.path().join("naive.db")).unwrap();
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        conn.pragma_update(None, "synchronous", "FULL").unwrap();
        conn.execute_batch(
            "CREATE TABLE accounts (id BLOB PRIMARY KEY, balance INTEGER NOT NULL) WITHOUT ROWID;
             CREATE TABLE transfers (id BLOB PRIMARY KEY, debit BLOB, credit BLOB, amount INTEGER,
                 timestamp INTEGER) WITHOUT ROWID;",
        )
        .unwrap();
        let tx = conn.unchecked_transaction().unwrap();
        for m in 0..HOT_MERCHANTS {
            tx.execute(
                "INSERT INTO accounts VALUES (?1, 0)",
                [merchant(m).to_be_bytes()],
            )
            .unwrap();
        }
        for c in 0..CUSTOMERS {
            tx.execute(
                "INSERT INTO accounts VALUES (?1, ?2)",
                rusqlite::params![customer(c).to_be_bytes(), i64::MAX / 2],
            )
            .unwrap();
        }
        tx.commit().unwrap();
        Naive { conn }
    }

    fn transfer(&mut self, id: Id, debit: Id, credit: Id, amount: i64) -> bool {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .unwrap();
        let balance: i64 = tx
            .prepare_cached("SELECT balance FROM accounts WHERE id = ?1")
            .unwrap()
            .query_row([debit.to_be_bytes()], |r| r.get(0))
            .unwrap();
        if balance < amount {
            return false;
        }
        tx.prepare_cached("UPDATE accounts SET balance = balance - ?2 WHERE id = ?1")
            .unwrap()
            .execute(rusqlite::params![debit.to_be_bytes(), amount])
            .unwrap();
        tx.prepare_cached("UPDATE accounts SET balance = balance + ?2 WHERE id = ?1")
            .unwrap()
            .execute(rusqlite::params![credit.to_be_bytes(), amount])
            .unwrap();
        tx.prepare_cached("INSERT INTO transfers VALUES (?1, ?2, ?3, ?4, 0)")
            .unwrap()
            .execute(rusqlite::params![
                id.to_be_bytes(),
                debit.to_be_bytes(),
                credit.to_be_bytes(),
                amount
            ])
            .unwrap();
        tx.commit().unwrap();
        true
    }
}

fn sqlite(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut g = c.benchmark_group("ledger_sqlite_durable");
    g.sample_size(10);

    let mut naive = Naive::open(&dir);
    let mut k: u128 = 0;
    g.throughput(Throughput::Elements(1));
    g.bench_function("naive_one_transaction_per_transfer", |b| {
        b.iter(|| {
            k += 1;
            black_box(naive.transfer(
                next_id(),
                customer(k % CUSTOMERS),
                merchant(k % HOT_MERCHANTS),
                5,
            ));
        });
    });

    let store = open_store(&dir, "batch.db");
    let mut seed = 0;
    g.throughput(Throughput::Elements(1_000));
    g.bench_function("batch_1000", |b| {
        b.iter_batched(
            || {
                seed += 1;
                payments(1_000, seed)
            },
            |batch| black_box(store.submit(black_box(&batch)).unwrap()),
            BatchSize::LargeInput,
        );
    });
    // The same with only 100 (hot) customers paying: fewer account pages change per commit.
    g.bench_function("batch_1000_hot_100_customers", |b| {
        b.iter_batched(
            || {
                seed += 1;
                payments_from(1_000, seed, 100)
            },
            |batch| black_box(store.submit(black_box(&batch)).unwrap()),
            BatchSize::LargeInput,
        );
    });
    drop(store);

    // 1,000 callers, each submitting one transfer at a time and waiting for it to be durable
    // before the next; the writer coalesces whatever is queued into one commit. Each measured
    // iteration has every caller pay 10 times in a row (10,000 transfers), so the figure is the
    // steady state of 1,000 concurrent callers rather than the cost of waking 1,000 threads.
    let store = Arc::new(open_store(&dir, "group.db"));
    let callers: u128 = 1_000;
    let per_caller: usize = 10;
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let starts: Vec<mpsc::Sender<Vec<Event>>> = (0..callers)
        .map(|_| {
            let (tx, rx) = mpsc::channel::<Vec<Event>>();
            let store = Arc::clone(&store);
            let done = done_tx.clone();
            std::thread::Builder::new()
                .stack_size(128 * 1024)
                .spawn(move || {
                    while let Ok(events) = rx.recv() {
                        for event in events {
                            black_box(store.submit(&[event]).unwrap());
                        }
                        if done.send(()).is_err() {
                            break;
                        }
                    }
                })
                .unwrap();
            tx
        })
        .collect();
    g.throughput(Throughput::Elements(
        u64::try_from(callers).unwrap() * per_caller as u64,
    ));
    g.bench_function("group_commit_1000_callers", |b| {
        b.iter_batched(
            || {
                seed += 1;
                let all = payments(callers * per_caller as u128, seed);
                all.chunks(per_caller)
                    .map(<[Event]>::to_vec)
                    .collect::<Vec<_>>()
            },
            |work| {
                for (start, events) in starts.iter().zip(work) {
                    start.send(events).unwrap();
                }
                for _ in 0..callers {
                    done_rx.recv().unwrap();
                }
            },
            BatchSize::LargeInput,
        );
    });
    drop(starts);
    g.finish();
}

criterion_group!(benches, state_machine, sqlite);
criterion_main!(benches);
