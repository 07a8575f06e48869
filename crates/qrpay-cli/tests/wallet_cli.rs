//! `qrpay wallet` end to end: the exact subcommand names, JSON outcomes and exit codes, and
//! several processes on one database file.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

/// `qrpay wallet --db DB ARGS`, not started yet.
fn command(db: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_qrpay"));
    command.arg("wallet").arg("--db").arg(db).args(args);
    command
}

fn qrpay(db: &Path, args: &[&str]) -> Output {
    command(db, args).output().unwrap()
}

fn json(db: &Path, args: &[&str]) -> (i32, Value) {
    let mut all = args.to_vec();
    all.push("--json");
    let out = qrpay(db, &all);
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code().unwrap(), v)
}

#[test]
fn the_whole_flow_with_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    assert_eq!(json(&db, &["init"]).0, 0);
    let (code, v) = json(
        &db,
        &[
            "account",
            "open",
            "kopi",
            "--kind",
            "merchant",
            "--mdr-bps",
            "70",
            "--display-name",
            "Kopi Kita",
        ],
    );
    assert_eq!((code, v["outcome"].as_str()), (0, Some("created")));
    assert_eq!(
        json(&db, &["account", "open", "ani", "--kind", "customer"]).0,
        0
    );
    assert_eq!(
        json(
            &db,
            &["account", "open", "budi", "--kind", "customer", "--tier", "verified"]
        )
        .0,
        0
    );
    // Labels are unique.
    assert_eq!(
        json(&db, &["account", "open", "ani", "--kind", "customer"]).0,
        1
    );
    assert_eq!(
        json(&db, &["topup", "ani", "100000", "--id", "abc"]).1["outcome"],
        "created"
    );
    assert_eq!(
        json(&db, &["topup", "ani", "100000", "--id", "abc"]).1["outcome"],
        "exists"
    );
    let (code, v) = json(&db, &["topup", "ani", "1900000.01"]);
    assert_eq!(
        (code, v["outcome"].as_str()),
        (1, Some("balance_cap_unverified"))
    );
    // Dynamic code: paid once, a rescan is "exists", exit 0 both times.
    let (_, v) = json(
        &db,
        &[
            "merchant-qr",
            "kopi",
            "--amount",
            "25000",
            "--reference",
            "INV-1",
        ],
    );
    let payload = v["payload"].as_str().unwrap().to_owned();
    assert!(payload.contains("0105INV-1") || payload.contains("INV-1"));
    let (code, first) = json(&db, &["pay", "ani", &payload]);
    assert_eq!((code, first["outcome"].as_str()), (0, Some("created")));
    assert_eq!(first["total"], "25000.00");
    let (code, again) = json(&db, &["pay", "ani", &payload]);
    assert_eq!((code, again["outcome"].as_str()), (0, Some("exists")));
    assert_eq!(again["id"], first["id"]);
    // Static code with an entered amount, a refusal, and usage errors.
    let (_, v) = json(&db, &["merchant-qr", "kopi"]);
    let static_code = v["payload"].as_str().unwrap().to_owned();
    assert_eq!(
        json(&db, &["pay", "ani", &static_code, "--amount", "100.50"]).0,
        0
    );
    assert_eq!(
        json(&db, &["pay", "ani", &static_code, "--amount", "999999"]).1["outcome"],
        "insufficient_funds"
    );
    assert_eq!(
        json(&db, &["pay", "ani", &static_code, "--amount", "1.234"]).0,
        2
    );
    assert_eq!(json(&db, &["pay", "ani", "garbage"]).0, 2);
    assert_eq!(qrpay(&db, &["pay"]).status.code(), Some(2));
    // Refunds: partial, then more than what is left.
    let pid = first["id"].as_str().unwrap().to_owned();
    assert_eq!(json(&db, &["refund", &pid, "5000"]).1["outcome"], "created");
    let (code, v) = json(&db, &["refund", &pid, "20000.01"]);
    assert_eq!(
        (code, v["outcome"].as_str()),
        (1, Some("refund_exceeds_payment"))
    );
    assert_eq!(json(&db, &["refund", &pid]).0, 0);
    assert_eq!(json(&db, &["transfer", "ani", "budi", "1000"]).0, 0);
    let (_, v) = json(&db, &["balance", "ani"]);
    // 100000 - 25000 - 100.50 + 25000 (refunded) - 1000
    assert_eq!(v["balance"], "98899.50");
    let (_, v) = json(&db, &["balance", "kopi"]);
    // 25000 + 100.50 - 175 - 0.70 (MDR 0.7%, half up) - 25000 refunded + 175 MDR given back
    assert_eq!(v["balance"], "99.80");
    let (_, v) = json(&db, &["history", "ani"]);
    assert_eq!(v["transfers"].as_array().unwrap().len(), 6);
    let (code, v) = json(&db, &["verify"]);
    assert_eq!((code, v["outcome"].as_str()), (0, Some("ok")));
}

#[test]
fn several_processes_on_one_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    assert_eq!(json(&db, &["init"]).0, 0);
    assert_eq!(
        json(&db, &["account", "open", "ani", "--kind", "customer"]).0,
        0
    );
    let children: Vec<_> = (0..8)
        .map(|k| {
            let id = format!("{:x}", 0x1000 + k);
            qrpay(&db, &["topup", "ani", "1000", "--id", &id, "--json"])
        })
        .collect();
    // Run them at once (spawn all, then wait), twice with the same ids.
    let spawn = || -> Vec<std::process::Child> {
        (0..8)
            .map(|k| {
                let id = format!("{:x}", 0x2000 + k % 4);
                command(&db, &["topup", "ani", "1000", "--id", &id, "--json"])
                    .stdout(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect()
    };
    let outcomes: Vec<Value> = spawn()
        .into_iter()
        .map(|c| serde_json::from_slice(&c.wait_with_output().unwrap().stdout).unwrap())
        .collect();
    assert!(children.iter().all(|o| o.status.success()));
    let created = outcomes
        .iter()
        .filter(|v| v["outcome"] == "created")
        .count();
    let exists = outcomes.iter().filter(|v| v["outcome"] == "exists").count();
    assert_eq!((created, exists), (4, 4));
    assert_eq!(json(&db, &["balance", "ani"]).1["balance"], "12000.00");
    assert_eq!(json(&db, &["verify"]).0, 0);
}

#[test]
fn merchant_qr_tip_option() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    assert_eq!(json(&db, &["init"]).0, 0);
    let open = [
        "account",
        "open",
        "kopi",
        "--kind",
        "merchant",
        "--mdr-bps",
        "70",
    ];
    assert_eq!(json(&db, &open).0, 0);
    assert_eq!(
        json(&db, &["account", "open", "ani", "--kind", "customer"]).0,
        0
    );
    assert_eq!(json(&db, &["topup", "ani", "100000"]).0, 0);
    // --tip: a prompted tip, a fixed fee and a percentage fee, each paid end to end; the
    // customer pays amount + tip + fee exactly.
    let (code, v) = json(&db, &["merchant-qr", "kopi", "--tip", "prompt"]);
    assert_eq!((code, v["tip"].as_str()), (0, Some("prompt")));
    let payload = v["payload"].as_str().unwrap().to_owned();
    assert!(payload.contains("550201"), "{payload}");
    let (code, paid) = json(
        &db,
        &["pay", "ani", &payload, "--amount", "1000", "--tip", "150"],
    );
    assert_eq!((code, paid["outcome"].as_str()), (0, Some("created")));
    assert_eq!(
        (&paid["tip"], &paid["fee"], &paid["total"]),
        (
            &Value::from("150.00"),
            &Value::from("0.00"),
            &Value::from("1150.00")
        )
    );
    // A fixed and a percentage convenience fee (55 02 and 55 03): the payer pays it on top.
    for (amount, tip, tip_echo, markers, fee, total) in [
        (
            "2000",
            "fixed:2.50",
            "fixed:2.50",
            ["550202", "56042.50"],
            "2.50",
            "2002.50",
        ),
        // 2.5% of 1,234,567 minor units = 30,864.175 -> 30,864 (half up).
        (
            "12345.67",
            "percent:2.5",
            "percent:2.50",
            ["550203", "57042.50"],
            "308.64",
            "12654.31",
        ),
    ] {
        let (code, v) = json(
            &db,
            &["merchant-qr", "kopi", "--amount", amount, "--tip", tip],
        );
        assert_eq!((code, v["tip"].as_str()), (0, Some(tip_echo)), "{tip}");
        let payload = v["payload"].as_str().unwrap().to_owned();
        assert!(
            markers.iter().all(|m| payload.contains(m)),
            "{tip}: {payload}"
        );
        let (code, paid) = json(&db, &["pay", "ani", &payload]);
        assert_eq!(
            (code, paid["outcome"].as_str()),
            (0, Some("created")),
            "{tip}"
        );
        assert_eq!(
            (&paid["fee"], &paid["total"]),
            (&Value::from(fee), &Value::from(total)),
            "{tip}"
        );
    }
    for bad in [
        "tip",
        "fixed:",
        "fixed:0",
        "fixed:1.234",
        "percent:0",
        "percent:100",
        "percent:2.505",
        "percent:x",
    ] {
        assert_eq!(
            json(&db, &["merchant-qr", "kopi", "--tip", bad]).0,
            2,
            "{bad}"
        );
    }
    // Without --tip the JSON says so.
    assert_eq!(json(&db, &["merchant-qr", "kopi"]).1["tip"], Value::Null);
    let (code, v) = json(&db, &["balance", "ani"]);
    assert_eq!(code, 0, "{v}");
    // 100,000 - 1,150 - 2,002.50 - 12,654.31
    assert!(v.to_string().contains("84193.19"), "{v}");
}

/// A wallet made before fund codes were refused keeps its ledger in one (USN, ISO 4217 997):
/// the CLI opens no new ledger in it but still reads and moves what the old one holds.
#[test]
fn accounts_in_a_ledger_that_is_not_money_stay_usable() {
    use std::sync::Arc;

    use qrpay_wallet::{Currency, SqliteStore, SystemClock, Tier, Wallet};

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    {
        let clock = Arc::new(SystemClock);
        let store = SqliteStore::open(&db, clock.clone()).unwrap();
        let usn = Currency::of_ledger(997).unwrap();
        let w = Wallet::open(store, clock, usn).unwrap();
        w.open_customer("old", Tier::Verified).unwrap();
    }
    // New ledgers in it are refused…
    let out = qrpay(&db, &["init", "--currency", "USN"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("USN is in ISO 4217 but is not money"));
    // …while the old account reads, takes a top-up and shows it.
    let (code, v) = json(&db, &["balance", "old"]);
    assert_eq!((code, v["currency"].as_str()), (0, Some("USN")));
    assert_eq!(v["balance"], "0.00");
    assert_eq!(json(&db, &["topup", "old", "12.50"]).0, 0);
    assert_eq!(json(&db, &["balance", "old"]).1["balance"], "12.50");
}
