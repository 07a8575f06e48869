//! Store scenarios shared by the durable stores' tests: durability across reopen, threads and
//! processes spending one balance, one id retried everywhere, SIGKILL during commits.
//!
//! A scenario takes a way to open the store under test (`open(locator)`), where the locator is
//! what a child process needs to open the same database (a file path, a `postgres://` URL).
//! Child processes are the test binary run again with `QRPAY_CHILD` set, executing one of the
//! ignored `child_*` tests of the calling file, which call [`child_spend`] and
//! [`child_pay_and_ack`].
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    dead_code
)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use qrpay_wallet::account::{Account, AccountFlags, AccountKind};
use qrpay_wallet::{Event, Id, Outcome, Store, Transfer, TransferCode};

pub const CASH: u128 = 1;
pub const ALICE: u128 = 2;
pub const SHOP: u128 = 3;
pub const IDR: u32 = 360;

/// Cash-in clearing, a no-overdraft customer funded with `balance`, and a merchant.
pub fn setup(store: &dyn Store, balance: u128) {
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
        Event::Transfer(top_up(10, balance)),
    ];
    assert_eq!(store.submit(&events).unwrap(), vec![Outcome::Created; 4]);
}

pub fn top_up(id: u128, amount: u128) -> Transfer {
    Transfer::new(
        Id::from_u128(id),
        Id::from_u128(CASH),
        Id::from_u128(ALICE),
        amount,
        IDR,
        TransferCode::TopUp,
    )
}

pub fn pay(id: u128, amount: u128) -> Event {
    Event::Transfer(Transfer::new(
        Id::from_u128(id),
        Id::from_u128(ALICE),
        Id::from_u128(SHOP),
        amount,
        IDR,
        TransferCode::Payment,
    ))
}

pub fn is_child() -> bool {
    std::env::var_os("QRPAY_CHILD").is_some()
}

/// The database a child process opens.
pub fn child_locator() -> String {
    std::env::var("QRPAY_DB").unwrap()
}

fn child(test: &str, locator: &str, extra: &[(&str, String)]) -> Command {
    let mut c = Command::new(std::env::current_exe().unwrap());
    c.args([
        test,
        "--exact",
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ])
    .env("QRPAY_CHILD", "1")
    .env("QRPAY_DB", locator)
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

/// Durability across reopen, idempotency of a repeated id, a failed id staying failed.
pub fn batch_survives_reopen<S: Store>(open: impl Fn() -> S) {
    {
        let store = open();
        setup(&store, 1_000);
        let r = store
            .submit(&[pay(20, 300), pay(21, 800), pay(20, 300)])
            .unwrap();
        assert_eq!(
            r,
            [Outcome::Created, Outcome::ExceedsCredits, Outcome::Exists]
        );
    }
    let store = open();
    let alice = store.account(Id::from_u128(ALICE)).unwrap().unwrap();
    assert_eq!(
        alice.balances.credits_posted - alice.balances.debits_posted,
        700
    );
    // The failed id stays failed after a restart, even though the balance would now allow it.
    store.submit(&[Event::Transfer(top_up(11, 1_000))]).unwrap();
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

/// 64 threads spend one balance with distinct ids; then 32 threads retry one id.
pub fn threads_spend_one_balance_exactly<S: Store + 'static>(store: Arc<S>) {
    setup(&*store, 1_000);
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
                store.submit(&[Event::Transfer(top_up(5_000, 7))]).unwrap()[0]
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

/// Body of the `child_spend` test: pays 30 from Alice `QRPAY_COUNT` times and prints results.
pub fn child_spend(store: &dyn Store) {
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

fn spawn_spenders(
    locator: &str,
    first: impl Fn(u128) -> u128,
    count: u32,
    same: bool,
) -> Vec<String> {
    let children: Vec<_> = (0..4u128)
        .map(|p| {
            let mut extra = vec![
                ("QRPAY_FIRST_ID", first(p).to_string()),
                ("QRPAY_COUNT", count.to_string()),
            ];
            if same {
                extra.push(("QRPAY_SAME_ID", "1".into()));
            }
            child("child_spend", locator, &extra).spawn().unwrap()
        })
        .collect();
    results_of(children)
}

/// Four processes spend one balance; then four processes retry one id (refused, then created).
pub fn processes_spend_one_balance_exactly<S: Store>(locator: &str, open: impl Fn() -> S) {
    setup(&open(), 1_000);
    let lines = spawn_spenders(locator, |p| 10_000 + p * 100, 12, false);
    assert_eq!(lines.len(), 48);
    assert_eq!(
        lines.iter().filter(|l| l.ends_with(" created")).count(),
        33,
        "{lines:?}"
    );
    // Balance is 10 now: the single 30 fails; one transient failure, the rest id_already_failed.
    let lines = spawn_spenders(locator, |_| 20_000, 3, true);
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
    open()
        .submit(&[Event::Transfer(top_up(11, 1_000))])
        .unwrap();
    let lines = spawn_spenders(locator, |_| 30_000, 3, true);
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
    assert!(open().verify().unwrap().is_clean());
}

/// Body of the `child_pay_and_ack` test: four threads pay one at a time and acknowledge each
/// payment on stdout only after `submit` returned, i.e. after the commit.
pub fn child_pay_and_ack<S: Store + 'static>(store: Arc<S>) {
    let base = env_u128("QRPAY_FIRST_ID");
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

/// A child pays and acknowledges; SIGKILL at pseudo-random moments; every acknowledged payment
/// is present afterwards and `verify` is clean. `QRPAY_CRASH_ROUNDS=N` runs N rounds (default 10).
pub fn crash_loses_no_acknowledged_payment<S: Store>(locator: &str, open: impl Fn() -> S) {
    let rounds: u128 = std::env::var("QRPAY_CRASH_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    setup(&open(), u128::from(u64::MAX));
    let mut acked_total = 0;
    for round in 0..rounds {
        let mut c = child(
            "child_pay_and_ack",
            locator,
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
        let store = open();
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
