//! The SQLite store: durability, group commit, concurrency across threads and processes,
//! crash safety under SIGKILL, and tamper detection.
//!
//! Child processes are this test binary run again with `QRPAY_CHILD` set, executing one of the
//! `child_*` tests (ignored in a normal run). `QRPAY_CRASH_ROUNDS=N` runs the crash test N times
//! (default 4).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use qrpay_wallet::account::{Account, AccountFlags, AccountKind};
use qrpay_wallet::store::Finding;
use qrpay_wallet::{Event, Id, Outcome, SqliteStore, Store, SystemClock, Transfer, TransferCode};

const CASH: u128 = 1;
const ALICE: u128 = 2;
const SHOP: u128 = 3;
const IDR: u32 = 360;

fn open(path: &Path) -> SqliteStore {
    SqliteStore::open(path, Arc::new(SystemClock)).unwrap()
}

/// Cash-in clearing, a no-overdraft customer funded with `balance`, and a merchant.
fn setup(store: &SqliteStore, balance: u128) {
    let events = [
        Event::Account(Account::new(
            Id::from_u128(CASH),
            IDR,
            AccountKind::CashInClearing,
        )),
        Event::Account(
            Account::new(Id::from_u128(ALICE), IDR, AccountKind::Customer)
                .flags(AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS),
        ),
        Event::Account(Account::new(
            Id::from_u128(SHOP),
            IDR,
            AccountKind::Merchant,
        )),
        Event::Transfer(Transfer::new(
            Id::from_u128(10),
            Id::from_u128(CASH),
            Id::from_u128(ALICE),
            balance,
            IDR,
            TransferCode::TopUp,
        )),
    ];
    assert_eq!(store.submit(&events).unwrap(), vec![Outcome::Created; 4]);
}

fn pay(id: u128, amount: u128) -> Event {
    Event::Transfer(Transfer::new(
        Id::from_u128(id),
        Id::from_u128(ALICE),
        Id::from_u128(SHOP),
        amount,
        IDR,
        TransferCode::Payment,
    ))
}

fn is_child() -> bool {
    std::env::var_os("QRPAY_CHILD").is_some()
}

fn child(test: &str, db: &Path, extra: &[(&str, String)]) -> Command {
    let mut c = Command::new(std::env::current_exe().unwrap());
    c.args([
        test,
        "--exact",
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ])
    .env("QRPAY_CHILD", "1")
    .env("QRPAY_DB", db)
    .stdout(Stdio::piped())
    .stderr(Stdio::null());
    for (k, v) in extra {
        c.env(k, v);
    }
    c
}

fn env_u128(name: &str) -> u128 {
    std::env::var(name).unwrap().parse().unwrap()
}

#[test]
fn batch_survives_reopen_and_readers_see_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db");
    {
        let store = open(&path);
        setup(&store, 1_000);
        let r = store
            .submit(&[pay(20, 300), pay(21, 800), pay(20, 300)])
            .unwrap();
        assert_eq!(
            r,
            [Outcome::Created, Outcome::ExceedsCredits, Outcome::Exists]
        );
    }
    let store = open(&path);
    let alice = store.account(Id::from_u128(ALICE)).unwrap().unwrap();
    assert_eq!(
        alice.balances.credits_posted - alice.balances.debits_posted,
        700
    );
    // The failed id stays failed after a restart, even though the balance would now allow it.
    store
        .submit(&[Event::Transfer(Transfer::new(
            Id::from_u128(11),
            Id::from_u128(CASH),
            Id::from_u128(ALICE),
            1_000,
            IDR,
            TransferCode::TopUp,
        ))])
        .unwrap();
    assert_eq!(
        store.submit(&[pay(21, 800)]).unwrap(),
        [Outcome::IdAlreadyFailed]
    );
    let history = store.history(Id::from_u128(ALICE), 10).unwrap();
    let ids: Vec<u128> = history.iter().map(|t| t.id.get()).collect();
    assert_eq!(ids, [11, 20, 10]);
    let report = store.verify().unwrap();
    assert!(report.is_clean(), "{report:?}");
    assert_eq!((report.accounts, report.transfers), (3, 3));
}

#[test]
fn threads_spend_one_balance_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(open(&dir.path().join("w.db")));
    setup(&store, 1_000);
    // 64 threads x 4 payments of 30 with distinct ids: floor(1000 / 30) = 33 succeed.
    let handles: Vec<_> = (0..64u128)
        .map(|t| {
            let store = Arc::clone(&store);
            std::thread::spawn(move || {
                (0..4u128)
                    .map(|k| store.submit(&[pay(1_000 + t * 4 + k, 30)]).unwrap()[0])
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let outcomes: Vec<Outcome> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    let created = outcomes.iter().filter(|o| **o == Outcome::Created).count();
    assert_eq!(created, 33);
    assert!(outcomes
        .iter()
        .all(|o| matches!(o, Outcome::Created | Outcome::ExceedsCredits)));
    // Retrying one id from many threads: exactly one created.
    let handles: Vec<_> = (0..32)
        .map(|_| {
            let store = Arc::clone(&store);
            std::thread::spawn(move || {
                store
                    .submit(&[Event::Transfer(Transfer::new(
                        Id::from_u128(5_000),
                        Id::from_u128(CASH),
                        Id::from_u128(ALICE),
                        7,
                        IDR,
                        TransferCode::TopUp,
                    ))])
                    .unwrap()[0]
            })
        })
        .collect();
    let outcomes: Vec<Outcome> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(
        outcomes.iter().filter(|o| **o == Outcome::Created).count(),
        1
    );
    assert_eq!(
        outcomes.iter().filter(|o| **o == Outcome::Exists).count(),
        31
    );
    assert!(store.verify().unwrap().is_clean());
}

#[test]
#[ignore = "child process of processes_spend_one_balance_exactly"]
fn child_spend() {
    if !is_child() {
        return;
    }
    let store = open(Path::new(&std::env::var("QRPAY_DB").unwrap()));
    let first = env_u128("QRPAY_FIRST_ID");
    let count = env_u128("QRPAY_COUNT");
    let same = std::env::var_os("QRPAY_SAME_ID").is_some();
    let mut out = std::io::stdout().lock();
    for k in 0..count {
        let id = if same { first } else { first + k };
        let o = store.submit(&[pay(id, 30)]).unwrap()[0];
        writeln!(out, "RESULT {id} {o}").unwrap();
    }
    out.flush().unwrap();
}

fn results_of(children: Vec<std::process::Child>) -> Vec<String> {
    let mut lines = Vec::new();
    for mut c in children {
        let stdout = c.stdout.take().unwrap();
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap();
            // libtest prints "test child_spend ... " without a newline before our first line.
            if let Some(rest) = line.split_once("RESULT ").map(|(_, r)| r) {
                lines.push(rest.to_owned());
            }
        }
        assert!(c.wait().unwrap().success());
    }
    lines
}

#[test]
fn processes_spend_one_balance_exactly() {
    if is_child() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db");
    setup(&open(&path), 1_000);
    let children: Vec<_> = (0..4u128)
        .map(|p| {
            child(
                "child_spend",
                &path,
                &[
                    ("QRPAY_FIRST_ID", (10_000 + p * 100).to_string()),
                    ("QRPAY_COUNT", "12".into()),
                ],
            )
            .spawn()
            .unwrap()
        })
        .collect();
    let lines = results_of(children);
    assert_eq!(lines.len(), 48);
    assert_eq!(
        lines.iter().filter(|l| l.ends_with(" created")).count(),
        33,
        "{lines:?}"
    );
    // Many processes retry one id: exactly one created, the rest exists.
    let children: Vec<_> = (0..4)
        .map(|_| {
            child(
                "child_spend",
                &path,
                &[
                    ("QRPAY_FIRST_ID", "20000".into()),
                    ("QRPAY_COUNT", "3".into()),
                    ("QRPAY_SAME_ID", "1".into()),
                ],
            )
            .spawn()
            .unwrap()
        })
        .collect();
    let lines = results_of(children);
    // Balance is 10 now: the single 30 fails; one transient failure, the rest id_already_failed.
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.ends_with(" exceeds_credits"))
            .count(),
        1,
        "{lines:?}"
    );
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.ends_with(" id_already_failed"))
            .count(),
        11,
        "{lines:?}"
    );
    let store = open(&path);
    store
        .submit(&[Event::Transfer(Transfer::new(
            Id::from_u128(11),
            Id::from_u128(CASH),
            Id::from_u128(ALICE),
            1_000,
            IDR,
            TransferCode::TopUp,
        ))])
        .unwrap();
    drop(store);
    let children: Vec<_> = (0..4)
        .map(|_| {
            child(
                "child_spend",
                &path,
                &[
                    ("QRPAY_FIRST_ID", "30000".into()),
                    ("QRPAY_COUNT", "3".into()),
                    ("QRPAY_SAME_ID", "1".into()),
                ],
            )
            .spawn()
            .unwrap()
        })
        .collect();
    let lines = results_of(children);
    assert_eq!(
        lines.iter().filter(|l| l.ends_with(" created")).count(),
        1,
        "{lines:?}"
    );
    assert_eq!(
        lines.iter().filter(|l| l.ends_with(" exists")).count(),
        11,
        "{lines:?}"
    );
    assert!(open(&path).verify().unwrap().is_clean());
}

#[test]
#[ignore = "child process of crash_loses_no_acknowledged_payment"]
fn child_pay_and_ack() {
    if !is_child() {
        return;
    }
    let store = Arc::new(open(Path::new(&std::env::var("QRPAY_DB").unwrap())));
    let base = env_u128("QRPAY_FIRST_ID");
    // Four threads pay one at a time (so group commit coalesces them) and acknowledge each
    // payment on stdout only after submit returned, i.e. after the commit.
    let handles: Vec<_> = (0..4u128)
        .map(|t| {
            let store = Arc::clone(&store);
            std::thread::spawn(move || {
                for k in 0.. {
                    let id = base + t * 1_000_000 + k;
                    let o = store.submit(&[pay(id, 1)]).unwrap()[0];
                    assert_eq!(o, Outcome::Created);
                    let mut out = std::io::stdout().lock();
                    writeln!(out, "ACK {id}").unwrap();
                    out.flush().unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
}

#[test]
fn crash_loses_no_acknowledged_payment() {
    if is_child() {
        return;
    }
    let rounds: u128 = std::env::var("QRPAY_CRASH_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(4);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db");
    setup(&open(&path), u128::from(u64::MAX));
    let mut acked_total = 0;
    for round in 0..rounds {
        let mut c = child(
            "child_pay_and_ack",
            &path,
            &[("QRPAY_FIRST_ID", (1_000_000_000 * (round + 1)).to_string())],
        )
        .spawn()
        .unwrap();
        let stdout = c.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            let mut acked = Vec::new();
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(id) = line.split_once("ACK ").map(|(_, r)| r) {
                    acked.push(id.parse::<u128>().unwrap());
                }
            }
            acked
        });
        // Kill at a pseudo-random moment between 150 and 650 ms (after start-up, mid-commit).
        let jitter = (round * 7_919 + 104_729) % 500;
        std::thread::sleep(Duration::from_millis(150 + jitter as u64));
        c.kill().unwrap(); // SIGKILL on Unix
        c.wait().unwrap();
        let acked = reader.join().unwrap();
        let store = open(&path);
        for id in &acked {
            assert!(
                store.transfer(Id::from_u128(*id)).unwrap().is_some(),
                "acked {id} lost"
            );
        }
        let report = store.verify().unwrap();
        assert!(report.is_clean(), "round {round}: {report:?}");
        acked_total += acked.len();
    }
    assert!(acked_total > 0, "the child never acknowledged a payment");
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
        let changed: i64 = rusqlite::Connection::open(&path)
            .unwrap()
            .query_row(
                "SELECT count(*) FROM transfers WHERE amount = 23",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let report = open(&path).verify().unwrap();
        if changed > 0 {
            live += 1;
            assert!(
                report
                    .findings
                    .iter()
                    .any(|f| matches!(f, Finding::TransferRowTampered { .. })),
                "flip at byte {at} not detected: {report:?}"
            );
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
