//! The SQLite store: the scenarios every durable store shares (`harness`: durability across
//! reopen, threads and processes spending one balance, one id retried, SIGKILL during commits),
//! plus tamper detection in the file, readers beside the writer, and two writers on one file.
//!
//! Child processes are this test binary run again with `QRPAY_CHILD` set, executing one of the
//! `child_*` tests (ignored in a normal run). `QRPAY_CRASH_ROUNDS=N` runs the crash test N times
//! (default 10).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod harness;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use harness::{is_child, pay, setup, ALICE, SHOP};
use qrpay_wallet::store::Finding;
use qrpay_wallet::{Event, Id, Outcome, SqliteStore, Store, SystemClock};

fn open(path: &Path) -> SqliteStore {
    SqliteStore::open(path, Arc::new(SystemClock)).unwrap()
}

fn open_child() -> SqliteStore {
    open(Path::new(&harness::child_locator()))
}

#[test]
fn batch_survives_reopen_and_readers_see_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db");
    harness::batch_survives_reopen(|| open(&path));
}

#[test]
fn threads_spend_one_balance_exactly() {
    let dir = tempfile::tempdir().unwrap();
    harness::threads_spend_one_balance_exactly(Arc::new(open(&dir.path().join("w.db"))));
}

#[test]
#[ignore = "child process of processes_spend_one_balance_exactly"]
fn child_spend() {
    if !is_child() {
        return;
    }
    harness::child_spend(&open_child());
}

#[test]
fn processes_spend_one_balance_exactly() {
    if is_child() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db");
    harness::processes_spend_one_balance_exactly(path.to_str().unwrap(), || open(&path));
}

#[test]
#[ignore = "child process of crash_loses_no_acknowledged_payment"]
fn child_pay_and_ack() {
    if !is_child() {
        return;
    }
    harness::child_pay_and_ack(Arc::new(open_child()));
}

#[test]
fn crash_loses_no_acknowledged_payment() {
    if is_child() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db");
    harness::crash_loses_no_acknowledged_payment(path.to_str().unwrap(), || open(&path));
}

#[test]
fn verify_names_the_tampered_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db");
    {
        let store = open(&path);
        setup(&store, 1_000);
        store.submit(&[pay(20, 300), pay(21, 200)]).unwrap();
        assert!(store.verify().unwrap().is_clean());
    }
    // Change one stored transfer's amount (one byte: 200 -> 201), behind the store's back.
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        let changed = conn
            .execute(
                "UPDATE transfers SET amount = amount + 1 WHERE id = ?1",
                [Id::from_u128(21).to_be_bytes()],
            )
            .unwrap();
        assert_eq!(changed, 1);
    }
    let report = open(&path).verify().unwrap();
    assert!(
        report.findings.contains(&Finding::TransferRowTampered {
            id: Id::from_u128(21)
        }),
        "{report:?}"
    );
    assert!(
        report.findings.contains(&Finding::BalanceMismatch {
            id: Id::from_u128(ALICE)
        }),
        "{report:?}"
    );
    // Deleting a row (and fixing balances) breaks the chain.
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute(
            "DELETE FROM transfers WHERE id = ?1",
            [Id::from_u128(21).to_be_bytes()],
        )
        .unwrap();
    }
    let report = open(&path).verify().unwrap();
    assert!(
        report
            .findings
            .iter()
            .any(|f| matches!(f, Finding::ChainBroken { .. })),
        "{report:?}"
    );
}

#[test]
fn verify_detects_a_byte_flipped_in_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db");
    {
        let store = open(&path);
        setup(&store, 1_000_000);
        let batch: Vec<Event> = (0..200).map(|k| pay(100 + k, 7)).collect();
        store.submit(&batch).unwrap();
        assert!(store.verify().unwrap().is_clean());
        store.close();
    }
    // Checkpoint the WAL into the main file, then flip one byte inside a transfer's amount
    // as stored on disk: amounts that fit are stored as SQLite integers, so the amount 7 is
    // the single byte 0x07 right after the credit account id in each record.
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
    }
    let bytes = std::fs::read(&path).unwrap();
    let mut needle = Vec::new();
    needle.extend_from_slice(&Id::from_u128(SHOP).to_be_bytes());
    needle.push(7);
    let positions: Vec<usize> = bytes
        .windows(needle.len())
        .enumerate()
        .filter(|(_, w)| *w == needle.as_slice())
        .map(|(i, _)| i)
        .collect();
    assert!(
        positions.len() >= 200,
        "found {} stored transfers",
        positions.len()
    );
    // Flip one byte in each of 40 occurrences spread over the file, one at a time. An
    // occurrence may be a dead copy (a free page, an old page image): then the live data did
    // not change. Every flip that changed live data must be reported with the row.
    let original = bytes.clone();
    let mut live = 0;
    for k in 0..40 {
        let at = positions[k * positions.len() / 40] + needle.len() - 1;
        let mut bytes = original.clone();
        bytes[at] ^= 0x10;
        std::fs::write(&path, &bytes).unwrap();
        // The transfers whose stored amount the flip turned from 7 into 23.
        let changed: Vec<Id> = {
            let conn = rusqlite::Connection::open(&path).unwrap();
            let mut stmt = conn
                .prepare("SELECT id FROM transfers WHERE amount = 23")
                .unwrap();
            let ids = stmt
                .query_map([], |r| r.get::<_, [u8; 16]>(0))
                .unwrap()
                .map(|id| Id::from_be_bytes(id.unwrap()))
                .collect();
            ids
        };
        let report = open(&path).verify().unwrap();
        if !changed.is_empty() {
            live += 1;
            // Detected, and the report names the very transfer that changed.
            for id in &changed {
                assert!(
                    report
                        .findings
                        .contains(&Finding::TransferRowTampered { id: *id }),
                    "flip at byte {at} of transfer {id} not named: {report:?}"
                );
            }
        }
    }
    assert!(live >= 20, "only {live} of 40 flips hit live rows");
    std::fs::write(&path, &original).unwrap();
    assert!(open(&path).verify().unwrap().is_clean());
}

#[test]
fn readers_do_not_block_the_writer() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db");
    let store = open(&path);
    setup(&store, 1_000);
    // A reader holds a snapshot open (a long history or a verify).
    let mut reader = rusqlite::Connection::open(&path).unwrap();
    let tx = reader.transaction().unwrap();
    let before: i64 = tx
        .query_row("SELECT count(*) FROM transfers", [], |r| r.get(0))
        .unwrap();
    // The writer commits meanwhile, without waiting for the reader.
    let started = std::time::Instant::now();
    assert_eq!(store.submit(&[pay(20, 1)]).unwrap(), [Outcome::Created]);
    assert!(started.elapsed() < Duration::from_secs(5));
    // The reader still sees its snapshot; a new read sees the payment.
    let still: i64 = tx
        .query_row("SELECT count(*) FROM transfers", [], |r| r.get(0))
        .unwrap();
    assert_eq!(still, before);
    drop(tx);
    assert!(store.transfer(Id::from_u128(20)).unwrap().is_some());
}

/// Two stores (two writers) on one file take turns: each writer remembers the accounts it
/// committed, and must notice the other's commits instead of spending a stale balance.
#[test]
fn two_writers_taking_turns_never_use_a_stale_balance() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db");
    let a = open(&path);
    let b = open(&path);
    setup(&a, 100);
    // Each pays 30 in turn: 30, 30, 30 succeed, the fourth (10 left) is refused.
    assert_eq!(a.submit(&[pay(100, 30)]).unwrap(), vec![Outcome::Created]);
    assert_eq!(b.submit(&[pay(101, 30)]).unwrap(), vec![Outcome::Created]);
    assert_eq!(a.submit(&[pay(102, 30)]).unwrap(), vec![Outcome::Created]);
    assert_eq!(
        b.submit(&[pay(103, 30)]).unwrap(),
        vec![Outcome::ExceedsCredits]
    );
    assert_eq!(
        a.submit(&[pay(104, 30)]).unwrap(),
        vec![Outcome::ExceedsCredits]
    );
    // A retry through the other writer of an id the first one created is `exists`, and an id
    // below the largest stored one is still looked up (not taken as new).
    assert_eq!(b.submit(&[pay(100, 30)]).unwrap(), vec![Outcome::Exists]);
    assert_eq!(a.submit(&[pay(101, 30)]).unwrap(), vec![Outcome::Exists]);
    assert_eq!(a.submit(&[pay(99, 10)]).unwrap(), vec![Outcome::Created]);
    assert_eq!(b.submit(&[pay(99, 10)]).unwrap(), vec![Outcome::Exists]);
    let alice = a.account(Id::from_u128(ALICE)).unwrap().unwrap();
    assert_eq!(alice.balances.debits_posted, 100);
    let report = b.verify().unwrap();
    assert!(report.findings.is_empty(), "{:?}", report.findings);
}

/// A file of schema 1 (balances inside `accounts`) is migrated on open: same balances, same
/// history, `verify` clean, and the writer keeps working on it.
#[test]
fn schema_1_files_are_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db");
    let before = {
        let store = open(&path);
        setup(&store, 1_000);
        store.submit(&[pay(20, 300), pay(21, 200)]).unwrap();
        let alice = store.account(Id::from_u128(ALICE)).unwrap().unwrap();
        let shop = store.account(Id::from_u128(SHOP)).unwrap().unwrap();
        store.close();
        (alice, shop)
    };
    // Turn the file back into schema 1's shape.
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        let mut sql = String::new();
        for (column, default) in [
            ("debits_pending", "NOT NULL DEFAULT 0"),
            ("debits_posted", "NOT NULL DEFAULT 0"),
            ("credits_pending", "NOT NULL DEFAULT 0"),
            ("credits_posted", "NOT NULL DEFAULT 0"),
            ("incoming_month", "NOT NULL DEFAULT 0"),
            ("incoming_total", "NOT NULL DEFAULT 0"),
            ("last_transfer", ""),
        ] {
            sql.push_str(&format!(
                "ALTER TABLE accounts ADD COLUMN {column} BLOB {default};
                 UPDATE accounts SET {column} =
                     (SELECT {column} FROM balances WHERE balances.slot = accounts.slot);"
            ));
        }
        sql.push_str(
            "ALTER TABLE accounts DROP COLUMN slot; DROP TABLE balances;
             UPDATE meta SET value = 1 WHERE name = 'schema_version';",
        );
        conn.execute_batch(&sql).unwrap();
    }
    let store = open(&path);
    let version: i64 = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row(
            "SELECT value FROM meta WHERE name = 'schema_version'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(version, 2);
    assert_eq!(
        store.account(Id::from_u128(ALICE)).unwrap().unwrap(),
        before.0
    );
    assert_eq!(
        store.account(Id::from_u128(SHOP)).unwrap().unwrap(),
        before.1
    );
    let ids: Vec<u128> = store
        .history(Id::from_u128(ALICE), 10)
        .unwrap()
        .iter()
        .map(|t| t.id.get())
        .collect();
    assert_eq!(ids, [21, 20, 10]);
    assert!(store.verify().unwrap().is_clean());
    // The migrated file takes new payments, and the balance rule still holds.
    assert_eq!(store.submit(&[pay(22, 500)]).unwrap(), [Outcome::Created]);
    assert_eq!(
        store.submit(&[pay(23, 1)]).unwrap(),
        [Outcome::ExceedsCredits]
    );
    assert!(store.verify().unwrap().is_clean());
}
