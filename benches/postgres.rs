//! PostgreSQL throughput: durable transfers through `PgStore` in batches of 1,000 (one
//! transaction, a fixed number of round trips per batch) against the naive design measured in
//! the same run (one transaction per transfer: balance check `FOR UPDATE` + 2 updates + 1
//! insert, prepared statements, one commit and WAL flush per transfer).
//!
//! `cargo bench --bench postgres -- --warm-up-time 1 --measurement-time 3`
//!
//! Uses `QRPAY_PG_URL` (default `postgres://postgres@127.0.0.1:5432/test`) in a fresh schema,
//! dropped at the end; without a server it prints how to start one and measures nothing.
#![allow(clippy::unwrap_used, clippy::cast_possible_truncation)]

use std::hint::black_box;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use qrpay::wallet::{Event, Id, Outcome, PgStore, Store, SystemClock, Transfer};

const BATCH: u128 = 1_000;
const NAIVE_PER_ITER: u64 = 200;
const CALLERS: u64 = 32;
const PER_CALLER: u64 = 10;
const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

mod workload;

use workload::{
    customer, merchant, payments, setup_events, CUSTOMERS, FUNDS, HOT_MERCHANTS, NEXT_ID,
};

/// Top-ups get ids from the top of the range, apart from the payments' counter.
fn setup() -> Vec<Event> {
    setup_events(|c| Id::from_u128(u128::MAX - 1 - c))
}

/// A fresh schema, dropped on drop.
struct Schema {
    base: String,
    name: String,
}

impl Schema {
    fn create() -> Option<Schema> {
        let base = std::env::var("QRPAY_PG_URL").unwrap_or_else(|_| DEFAULT_URL.to_owned());
        let Ok(mut admin) = postgres::Client::connect(&base, postgres::NoTls) else {
            eprintln!(
                "\n*** SKIPPING the postgres bench: no server at {base}. Start one with \
                 `pg_ctlcluster 15 main start` or set QRPAY_PG_URL.\n"
            );
            return None;
        };
        let name = format!("qrpay_bench_{}", std::process::id());
        admin
            .batch_execute(&format!(
                "DROP SCHEMA IF EXISTS {name} CASCADE; CREATE SCHEMA {name}"
            ))
            .unwrap();
        Some(Schema { base, name })
    }

    fn url(&self) -> String {
        let sep = if self.base.contains('?') { '&' } else { '?' };
        format!("{}{sep}options=-c%20search_path%3D{}", self.base, self.name)
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        if let Ok(mut admin) = postgres::Client::connect(&self.base, postgres::NoTls) {
            let _ = admin.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name));
        }
    }
}

/// The naive design: one transaction per transfer.
struct Naive {
    client: postgres::Client,
    balance: postgres::Statement,
    debit: postgres::Statement,
    credit: postgres::Statement,
    insert: postgres::Statement,
}

impl Naive {
    fn open(url: &str) -> Naive {
        let mut client = postgres::Client::connect(url, postgres::NoTls).unwrap();
        client
            .batch_execute(
                "SET synchronous_commit = on;
                 CREATE TABLE naive_accounts (id BYTEA PRIMARY KEY, balance BIGINT NOT NULL);
                 CREATE TABLE naive_transfers (id BYTEA PRIMARY KEY, debit BYTEA NOT NULL,
                     credit BYTEA NOT NULL, amount BIGINT NOT NULL, timestamp BIGINT NOT NULL);",
            )
            .unwrap();
        let ids: Vec<Vec<u8>> = (0..CUSTOMERS)
            .map(customer)
            .chain((0..HOT_MERCHANTS).map(merchant))
            .map(|id| id.to_be_bytes().to_vec())
            .collect();
        client
            .execute(
                "INSERT INTO naive_accounts (id, balance) SELECT id, $2 FROM unnest($1::bytea[]) AS u(id)",
                &[&ids, &(FUNDS as i64)],
            )
            .unwrap();
        let balance = client
            .prepare("SELECT balance FROM naive_accounts WHERE id = $1 FOR UPDATE")
            .unwrap();
        let debit = client
            .prepare("UPDATE naive_accounts SET balance = balance - $2 WHERE id = $1")
            .unwrap();
        let credit = client
            .prepare("UPDATE naive_accounts SET balance = balance + $2 WHERE id = $1")
            .unwrap();
        let insert = client
            .prepare(
                "INSERT INTO naive_transfers (id, debit, credit, amount, timestamp) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .unwrap();
        Naive {
            client,
            balance,
            debit,
            credit,
            insert,
        }
    }

    fn transfer(&mut self, t: &Transfer) -> bool {
        let amount = t.amount as i64;
        let (id, debit, credit) = (
            t.id.to_be_bytes(),
            t.debit_account_id.to_be_bytes(),
            t.credit_account_id.to_be_bytes(),
        );
        let mut tx = self.client.transaction().unwrap();
        let balance: i64 = tx
            .query_one(&self.balance, &[&debit.as_slice()])
            .unwrap()
            .get(0);
        if balance < amount {
            return false;
        }
        tx.execute(&self.debit, &[&debit.as_slice(), &amount])
            .unwrap();
        tx.execute(&self.credit, &[&credit.as_slice(), &amount])
            .unwrap();
        tx.execute(
            &self.insert,
            &[
                &id.as_slice(),
                &debit.as_slice(),
                &credit.as_slice(),
                &amount,
                &(NEXT_ID.load(Ordering::Relaxed) as i64),
            ],
        )
        .unwrap();
        tx.commit().unwrap();
        true
    }
}

fn postgres(c: &mut Criterion) {
    let Some(schema) = Schema::create() else {
        return;
    };
    let url = schema.url();
    let store = PgStore::open(&url, Arc::new(SystemClock)).unwrap();
    for chunk in setup().chunks(8_000) {
        let outcomes = store.submit(chunk).unwrap();
        assert!(outcomes.iter().all(|o| *o == Outcome::Created));
    }
    let mut naive = Naive::open(&url);

    let mut group = c.benchmark_group("postgres_durable_transfers");
    group.sample_size(10);
    group.throughput(Throughput::Elements(BATCH as u64));
    let mut seed = 0u128;
    group.bench_function("pgstore_batch_1000", |b| {
        b.iter_batched(
            || {
                seed += 1;
                payments(BATCH, seed)
            },
            |events| {
                let outcomes = store.submit(black_box(&events)).unwrap();
                assert!(outcomes.iter().all(|o| *o == Outcome::Created));
            },
            criterion::BatchSize::LargeInput,
        );
    });
    group.throughput(Throughput::Elements(NAIVE_PER_ITER));
    group.bench_function("naive_one_transaction_per_transfer", |b| {
        b.iter_batched(
            || {
                seed += 1;
                payments(u128::from(NAIVE_PER_ITER), seed)
            },
            |events| {
                for e in &events {
                    if let Event::Transfer(t) = e {
                        assert!(naive.transfer(black_box(t)));
                    }
                }
            },
            criterion::BatchSize::LargeInput,
        );
    });
    // Many concurrent callers paying one transfer each, coalesced by group commit.
    let store = Arc::new(store);
    group.throughput(Throughput::Elements(CALLERS * PER_CALLER));
    group.bench_function("pgstore_group_commit_32_single_callers", |b| {
        b.iter(|| {
            let handles: Vec<_> = (0..CALLERS)
                .map(|t| {
                    let store = Arc::clone(&store);
                    std::thread::spawn(move || {
                        for k in 0..PER_CALLER {
                            let events = payments(1, u128::from(t * 1_000 + k));
                            let o = store.submit(black_box(&events)).unwrap();
                            assert_eq!(o, [Outcome::Created]);
                        }
                    })
                })
                .collect();
            for h in handles {
                h.join().unwrap();
            }
        });
    });
    group.finish();
    assert!(store.verify().unwrap().is_clean());
    drop(store);
    drop(naive);
    drop(schema);
}

criterion_group!(benches, postgres);
criterion_main!(benches);
