//! The whole story qrpay exists for, on an embedded SQLite wallet, in one terminal:
//! a coffee shop in Jakarta shows a code, customers' phones scan it and pay, a second scan of a
//! single-use code is refused as already paid, a tip, a transfer that would break a balance cap,
//! a partial refund, settlement to the merchant's bank, every balance and history, and `verify`.
//!
//! ```sh
//! cargo run --release --example wallet_demo              # a fresh wallet in a temp dir
//! cargo run --release --example wallet_demo -- --db wallet.sqlite --out codes/
//! ```
//!
//! The customers' wallets scan the PNG files the merchant's codes were rendered to; nothing is
//! passed between the two sides but the image. No personal data is stored: the ledger holds
//! ids, amounts and codes; accounts have operator labels.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use qrpay::core::emv::{decode, PayloadBuilder, PointOfInitiation, TipOrConvenience};
use qrpay::core::qr::EccLevel;
use qrpay::core::render::{QrSymbol, RenderOptions, TerminalStyle};
use qrpay::core::scan::Scanner;
use qrpay::core::schemes;
use qrpay::wallet::qr::{PaymentRequest, Quote, ACCOUNT_SUBTAG, QRPAY_GUI};
use qrpay::wallet::{
    AccountKind, Currency, Id, Outcome, Party, SqliteStore, Store, SystemClock, Tier, Transfer,
    TransferFlags, Wallet, WalletError,
};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn main() -> Result<()> {
    let args = Args::parse()?;
    let _guard;
    let (db, out) = match (&args.db, &args.out) {
        (Some(db), Some(out)) => (db.clone(), out.clone()),
        _ => {
            let dir = tempfile::tempdir()?;
            let paths = (
                args.db
                    .clone()
                    .unwrap_or_else(|| dir.path().join("wallet.sqlite")),
                args.out.clone().unwrap_or_else(|| dir.path().to_path_buf()),
            );
            _guard = dir;
            paths
        }
    };
    std::fs::create_dir_all(&out)?;
    let demo = Demo::open(&db, out)?;
    demo.run()
}

/// Command-line options: `--db PATH`, `--out DIR`.
struct Args {
    db: Option<PathBuf>,
    out: Option<PathBuf>,
}

impl Args {
    fn parse() -> Result<Args> {
        let mut args = Args {
            db: None,
            out: None,
        };
        let mut it = std::env::args().skip(1);
        while let Some(flag) = it.next() {
            let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
            match flag.as_str() {
                "--db" => args.db = Some(value.into()),
                "--out" => args.out = Some(value.into()),
                _ => return Err(format!("unknown option {flag}; use --db PATH, --out DIR").into()),
            }
        }
        Ok(args)
    }
}

struct Demo {
    wallet: Wallet<SqliteStore>,
    out: PathBuf,
    db: PathBuf,
}

impl Demo {
    fn open(db: &Path, out: PathBuf) -> Result<Demo> {
        let clock = Arc::new(SystemClock);
        let store = SqliteStore::open(db, clock.clone())?;
        let idr = Currency::from_code("IDR")?;
        let wallet = Wallet::open(store, clock, idr)?;
        Ok(Demo {
            wallet,
            out,
            db: db.to_path_buf(),
        })
    }

    fn run(&self) -> Result<()> {
        let w = &self.wallet;
        heading("1. Accounts");
        println!(
            "wallet database: {} (SQLite, WAL, synchronous=FULL)",
            self.db.display()
        );
        let shop = self.party_or_open("kopi-shop", |w| {
            w.open_merchant("kopi-shop", "Kopi Kenangan", "Jakarta", 70)
        })?;
        let unverified = self.party_or_open("customer-1", |w| {
            w.open_customer("customer-1", Tier::Unverified)
        })?;
        let verified = self.party_or_open("customer-2", |w| {
            w.open_customer("customer-2", Tier::Verified)
        })?;
        row(
            "merchant",
            &format!(
                "{} · Kopi Kenangan, Jakarta · MDR 0.70%",
                short(shop.account)
            ),
        );
        row(
            "customer-1",
            &format!(
                "{} · unverified (cap Rp 2.000.000)",
                short(unverified.account)
            ),
        );
        row(
            "customer-2",
            &format!("{} · verified (cap Rp 20.000.000)", short(verified.account)),
        );

        heading("2. Top-ups");
        for (party, rupiah) in [(&unverified, 1_500_000u128), (&verified, 5_000_000)] {
            let receipt = w.top_up(party, rupiah * 100, None)?;
            row(
                &party.label,
                &format!("+{} ({})", rp(rupiah * 100), receipt.outcome),
            );
        }

        heading("3. The merchant's static code (the sticker on the counter)");
        let sticker = w.merchant_code(&shop, None, None, 0)?;
        let symbol = QrSymbol::encode(&sticker, EccLevel::M)?;
        print!("{}", symbol.to_terminal(4, TerminalStyle::LightOnDark)?);
        let sticker_png = self.write_png("static.png", &sticker, "KOPI KENANGAN")?;
        row("payload", &sticker);
        row("png", &sticker_png.display().to_string());

        heading("4. A dynamic code for Rp 25.000 (the till, order INV-0001)");
        let order = w.merchant_code(&shop, Some(25_000 * 100), Some("INV-0001"), 15 * 60)?;
        let order_png = self.write_png("order-INV-0001.png", &order, "KOPI KENANGAN RP 25.000")?;
        row("payload", &order);
        row("png", &order_png.display().to_string());

        heading("5. customer-1 scans the PNG and pays");
        let quote = self.scan_and_quote(&unverified, &order_png, None, None)?;
        let receipt = self.confirm_and_pay(&quote)?;
        row(
            "outcome",
            &format!("{} · payment {}", receipt.outcome, short(receipt.id())),
        );
        for leg in &receipt.legs {
            row("  leg", &leg_line(w, leg)?);
        }
        let payment = receipt.id();

        heading("6. customer-1 scans the same code again");
        let again = self.scan_and_quote(&unverified, &order_png, None, None)?;
        if again.already_paid {
            row("wallet shows", "ALREADY PAID — nothing charged");
        }
        let receipt = self.confirm_and_pay(&again)?;
        assert_eq!(
            receipt.outcome,
            Outcome::Exists,
            "a second payment of a dynamic code"
        );
        row(
            "outcome",
            &format!("{} (the ledger has the payment once)", receipt.outcome),
        );

        heading("7. A code that asks for a tip (tag 55 = 01)");
        let tip_code = PayloadBuilder::new()
            .point_of_initiation(PointOfInitiation::Static)
            .merchant_account(
                26,
                QRPAY_GUI,
                &[(ACCOUNT_SUBTAG, &shop.account.to_string())],
            )
            .merchant_category_code("5814")
            .currency(qrpay::core::Currency::IDR)
            .tip_or_convenience(TipOrConvenience::PromptTip)
            .country_code("ID")
            .merchant_name("Kopi Kenangan")
            .merchant_city("Jakarta")
            .build()?;
        let tip_png = self.write_png("tip.png", &tip_code, "KOPI KENANGAN - TIP WELCOME")?;
        let quote =
            self.scan_and_quote(&verified, &tip_png, Some(40_000 * 100), Some(5_000 * 100))?;
        let receipt = self.confirm_and_pay(&quote)?;
        row(
            "outcome",
            &format!(
                "{} · {} legs in one linked chain",
                receipt.outcome,
                receipt.legs.len()
            ),
        );
        for leg in &receipt.legs {
            row("  leg", &leg_line(w, leg)?);
        }

        heading("8. A transfer that would break customer-1's balance cap");
        let id = w.new_id();
        let amount = 1_000_000 * 100;
        let auth = w.authorizer().authorize(verified.account, id, amount);
        match w.transfer(&verified, &unverified, amount, id, &auth) {
            Err(WalletError::Refused { rule, .. }) => {
                row(
                    "refused",
                    &format!("{} → customer-1 {}: rule {rule}", rp(amount), "refused"),
                );
            }
            Ok(r) => return Err(format!("the cap did not hold: {}", r.outcome).into()),
            Err(e) => return Err(e.into()),
        }

        heading("9. Partial refund of order INV-0001");
        let refund = w.refund(payment, Some(10_000 * 100), None)?;
        row(
            "refund",
            &format!(
                "{} of payment {} ({})",
                rp(10_000 * 100),
                short(payment),
                refund.outcome
            ),
        );
        match w.refund(payment, Some(20_000 * 100), None) {
            Err(WalletError::Refused { rule, .. }) => {
                row(
                    "refused",
                    &format!(
                        "another {} would exceed the payment: {rule}",
                        rp(20_000 * 100)
                    ),
                );
            }
            Ok(r) => return Err(format!("over-refund accepted: {}", r.outcome).into()),
            Err(e) => return Err(e.into()),
        }

        heading("10. Settlement to the merchant's bank (two-phase)");
        let available = self.available(shop.account)?;
        let pending = w.settle(&shop, available, None)?;
        row(
            "pending",
            &format!(
                "{} reserved for the bank ({})",
                rp(available),
                short(pending.id())
            ),
        );
        let posted = w.confirm_settlement(pending.id(), None)?;
        row("posted", &format!("bank confirmed ({})", posted.outcome));

        heading("11. Balances and history");
        for party in [&unverified, &verified, &shop] {
            self.print_account(&party.label, party.account)?;
        }
        for (name, kind) in [
            ("cash-in clearing", AccountKind::CashInClearing),
            ("settlement clearing", AccountKind::SettlementClearing),
            ("fee revenue", AccountKind::FeeRevenue),
        ] {
            self.print_account(name, w.system_account(kind))?;
        }

        heading("12. verify");
        let report = w.store().verify()?;
        row(
            "result",
            &format!(
                "{} · {} batches, {} accounts, {} transfers; every balance recomputed, hash chain intact",
                if report.is_clean() { "CLEAN" } else { "FAILED" },
                report.batches,
                report.accounts,
                report.transfers
            ),
        );
        if !report.is_clean() {
            return Err(format!("verify found {:?}", report.findings).into());
        }
        Ok(())
    }

    fn party_or_open(
        &self,
        label: &str,
        open: impl FnOnce(&Wallet<SqliteStore>) -> std::result::Result<Party, WalletError>,
    ) -> Result<Party> {
        match self.wallet.party(label) {
            Ok(p) => Ok(p),
            Err(WalletError::UnknownLabel(_)) => Ok(open(&self.wallet)?),
            Err(e) => Err(e.into()),
        }
    }

    fn write_png(&self, name: &str, payload: &str, caption: &str) -> Result<PathBuf> {
        let symbol = QrSymbol::encode(payload, EccLevel::M)?;
        let png = symbol.to_png(&RenderOptions::new().module_px(6).caption(caption))?;
        let path = self.out.join(name);
        std::fs::write(&path, png)?;
        Ok(path)
    }

    /// The customer's side: the image is all it gets.
    fn scan_and_quote(
        &self,
        customer: &Party,
        png: &Path,
        entered: Option<u128>,
        tip: Option<u128>,
    ) -> Result<Quote> {
        let bytes = std::fs::read(png)?;
        let codes = Scanner::new().scan_bytes(&bytes)?;
        let text = codes
            .first()
            .map(|c| c.text())
            .ok_or("no QR code found in the image")?;
        let payload = decode(text)?;
        let request = PaymentRequest::from_emv(&payload)?;
        let scheme = schemes::detect(&payload)
            .iter()
            .map(|s| s.id.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let quote = self.wallet.quote(customer, &request, entered, tip, None)?;
        row(
            "scanned",
            &format!("{} ({} bytes of PNG)", png.display(), bytes.len()),
        );
        row(
            "merchant",
            &format!(
                "{}, {}{}",
                quote.merchant.merchant_name.as_deref().unwrap_or("?"),
                quote.merchant.merchant_city.as_deref().unwrap_or("?"),
                if quote.name_mismatch {
                    "  ⚠ the code's name differs from the registry"
                } else {
                    ""
                }
            ),
        );
        row(
            "code",
            &format!(
                "{} · EMV MPM{} · ref {}",
                if request.dynamic {
                    "dynamic, single use"
                } else {
                    "static"
                },
                if scheme.is_empty() {
                    String::new()
                } else {
                    format!(" [{scheme}]")
                },
                request.reference.as_deref().unwrap_or("-"),
            ),
        );
        let mut amount = rp(quote.amount);
        if quote.tip > 0 {
            amount.push_str(&format!(" + tip {}", rp(quote.tip)));
        }
        if quote.fee > 0 {
            amount.push_str(&format!(" + fee {}", rp(quote.fee)));
        }
        if quote.total != quote.amount {
            amount.push_str(&format!(" = {}", rp(quote.total)));
        }
        row("amount", &amount);
        Ok(quote)
    }

    /// The customer taps "Pay" and confirms with a PIN: the app obtains an authorization for
    /// exactly this payment and total.
    fn confirm_and_pay(&self, quote: &Quote) -> Result<qrpay::wallet::Receipt> {
        let auth = self
            .wallet
            .authorizer()
            .authorize(quote.customer, quote.id(), quote.total);
        Ok(self.wallet.pay(quote, &auth)?)
    }

    fn available(&self, account: Id) -> Result<u128> {
        let a = self
            .wallet
            .store()
            .account(account)?
            .ok_or("no such account")?;
        Ok(a.balances.available())
    }

    fn print_account(&self, name: &str, account: Id) -> Result<()> {
        let w = &self.wallet;
        let a = w.store().account(account)?.ok_or("no such account")?;
        let b = a.balances;
        let net = if b.credits_posted >= b.debits_posted {
            rp(b.credits_posted - b.debits_posted)
        } else {
            format!("-{}", rp(b.debits_posted - b.credits_posted))
        };
        println!("{name:<20} {:>10}  balance {net:>16}", short(account));
        for t in w.store().history(account, 20)? {
            let sign = if t.credit_account_id == account {
                "+"
            } else {
                "-"
            };
            let phase = if t.flags.contains(TransferFlags::PENDING) {
                " (pending)"
            } else if t.flags.contains(TransferFlags::POST_PENDING) {
                " (posted)"
            } else if t.flags.contains(TransferFlags::VOID_PENDING) {
                " (voided)"
            } else {
                ""
            };
            println!(
                "{:<20} {:>10}  {sign}{:>15}  {}{phase}",
                "",
                short(t.id),
                rp(t.amount),
                t.code.as_str()
            );
        }
        Ok(())
    }
}

fn leg_line(w: &Wallet<SqliteStore>, t: &Transfer) -> Result<String> {
    let name = |id: Id| -> Result<String> {
        Ok(match w.store().party(id)? {
            Some(p) => p.label,
            None => account_kind_name(w, id),
        })
    };
    Ok(format!(
        "{:<16} {:>14}  {} → {}",
        t.code.as_str(),
        rp(t.amount),
        name(t.debit_account_id)?,
        name(t.credit_account_id)?
    ))
}

fn account_kind_name(w: &Wallet<SqliteStore>, id: Id) -> String {
    for (name, kind) in [
        ("cash-in clearing", AccountKind::CashInClearing),
        ("settlement clearing", AccountKind::SettlementClearing),
        ("fee revenue", AccountKind::FeeRevenue),
    ] {
        if w.system_account(kind) == id {
            return name.to_owned();
        }
    }
    short(id)
}

/// Rupiah as Indonesians write it: `Rp 25.000`, `Rp 1.250.000,50`.
fn rp(minor: u128) -> String {
    let whole = (minor / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(c);
    }
    match minor % 100 {
        0 => format!("Rp {grouped}"),
        sen => format!("Rp {grouped},{sen:02}"),
    }
}

/// The last eight hex digits of an id: the part that differs between ids made close together.
fn short(id: Id) -> String {
    let full = id.to_string();
    full[full.len() - 8..].to_owned()
}

fn heading(title: &str) {
    println!("\n\x1b[1m{title}\x1b[0m");
}

fn row(label: &str, value: &str) {
    println!("  {label:<12} {value}");
}
