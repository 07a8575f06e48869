//! `qrpay wallet`: the embedded SQLite wallet from the command line.
//!
//! Account NAMEs are the operator's labels for the demo; they live in the registry table
//! (`parties`), never in the ledger tables, which hold ids, amounts, codes and timestamps only.
//! The command acts as the customer's app: running `pay` or `transfer` is the customer's
//! confirmation, so it obtains the authorization the library requires for debiting a
//! customer.
//!
//! Exit status: 0 on success or `exists` (already done), 1 on a refusal (the rule is printed),
//! 2 on usage errors (bad amounts, ids or payloads).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Subcommand, ValueEnum};
use qrpay_wallet::account::AccountKind;
use qrpay_wallet::qr::{PaymentRequest, TipRule, DYNAMIC_CODE_TTL_S};
use qrpay_wallet::{
    Currency, Id, Location, Outcome, Party, Receipt, Store, SystemClock, Tier, Transfer, Wallet,
    WalletError,
};
use serde_json::{json, Value};

use crate::{REFUSED, USAGE};

/// Arguments of `qrpay wallet`.
#[derive(Debug, Args)]
pub struct WalletArgs {
    /// The wallet's database: an SQLite file, or a PostgreSQL URL
    /// (`postgres://user@host/dbname`).
    #[arg(long, value_name = "PATH|URL")]
    db: PathBuf,
    /// Print one JSON object with the outcome and the transfer ids.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: WalletCommand,
}

/// The wallet's subcommands.
#[derive(Debug, Subcommand)]
pub enum WalletCommand {
    /// Create the database and the system accounts.
    Init {
        /// The wallet's currency (ISO 4217 code).
        #[arg(long, default_value = "IDR")]
        currency: String,
    },
    /// Accounts.
    #[command(subcommand)]
    Account(AccountCommand),
    /// Money in from cash-in clearing.
    Topup {
        /// The customer's label.
        name: String,
        /// Amount in the major unit ("12500", "12.50").
        amount: String,
        /// Transfer id (hex) for an idempotent retry.
        #[arg(long)]
        id: Option<String>,
    },
    /// Print a merchant's payment code (dynamic when an amount is given).
    MerchantQr {
        /// The merchant's label.
        name: String,
        /// Fixed amount: makes a single-use dynamic code.
        #[arg(long)]
        amount: Option<String>,
        /// Reference (62.05); generated for dynamic codes when absent.
        #[arg(long)]
        reference: Option<String>,
        /// Also write the code as a PNG image.
        #[arg(long, value_name = "FILE")]
        png: Option<PathBuf>,
        /// Tip or convenience fee (tags 55 to 57): `prompt` asks the customer for a tip,
        /// `fixed:AMOUNT` adds a fixed fee in the major unit, `percent:P` a fee of P percent
        /// (0.01 to 99.99).
        #[arg(long, value_name = "prompt|fixed:AMOUNT|percent:P")]
        tip: Option<String>,
    },
    /// Pay a scanned merchant code.
    Pay {
        /// The paying customer's label.
        customer: String,
        /// The code's payload.
        payload: String,
        /// Amount the customer enters (static codes).
        #[arg(long)]
        amount: Option<String>,
        /// Tip (codes that prompt for one).
        #[arg(long)]
        tip: Option<String>,
        /// Transfer id (hex) for an idempotent retry of a static payment.
        #[arg(long)]
        id: Option<String>,
    },
    /// Customer to customer.
    Transfer {
        /// Payer's label.
        from: String,
        /// Payee's label.
        to: String,
        /// Amount in the major unit.
        amount: String,
        /// Transfer id (hex) for an idempotent retry.
        #[arg(long)]
        id: Option<String>,
    },
    /// Refund a payment, fully or partly.
    Refund {
        /// The payment's transfer id.
        transfer_id: String,
        /// Amount (the whole remainder when absent).
        amount: Option<String>,
        /// Refund id (hex) for an idempotent retry.
        #[arg(long)]
        id: Option<String>,
    },
    /// An account's balances.
    Balance {
        /// The label.
        name: String,
    },
    /// An account's transfers, newest first.
    History {
        /// The label.
        name: String,
    },
    /// Recompute every balance, check the hash chain and the database.
    Verify,
}

/// `qrpay wallet account …`.
#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Open a customer or merchant account.
    Open {
        /// The operator's label for the account.
        name: String,
        /// Customer or merchant.
        #[arg(long, value_enum)]
        kind: KindArg,
        /// ISO 4217 currency code.
        #[arg(long, default_value = "IDR")]
        currency: String,
        /// Customer tier.
        #[arg(long, value_enum, default_value = "unverified")]
        tier: TierArg,
        /// Merchant discount rate in basis points (70 = 0.7%).
        #[arg(long, default_value_t = 0)]
        mdr_bps: u16,
        /// Merchant's registered display name (defaults to NAME).
        #[arg(long)]
        display_name: Option<String>,
        /// Merchant's registered city.
        #[arg(long, default_value = "Jakarta")]
        city: String,
    },
}

/// Account kinds the CLI opens.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum KindArg {
    /// A customer wallet.
    Customer,
    /// A merchant.
    Merchant,
}

/// Customer tiers.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum TierArg {
    /// Balance cap Rp2,000,000.
    Unverified,
    /// Balance cap Rp20,000,000, monthly incoming limit.
    Verified,
}

type Store_ = Arc<dyn Store>;

/// What a subcommand ends with.
enum Done {
    Ok(Value, String),
    Refused(Value, String),
    Usage(String),
}

fn refusal(e: WalletError) -> Done {
    match e {
        WalletError::Refused { rule, outcome } => Done::Refused(
            json!({ "outcome": rule, "ledger_outcome": outcome.map(|o| o.as_str()) }),
            format!("refused: {rule}"),
        ),
        WalletError::UnknownLabel(label) => Done::Refused(
            json!({ "outcome": "unknown_account", "name": label }),
            format!("refused: no account named {label:?}"),
        ),
        WalletError::NotFound { what, id } => Done::Refused(
            json!({ "outcome": format!("unknown_{what}"), "id": id.to_string() }),
            format!("refused: no {what} {id}"),
        ),
        WalletError::Store(e) => Done::Refused(
            json!({ "outcome": "store_error", "error": e.to_string() }),
            format!("store error: {e}"),
        ),
        other => Done::Refused(
            json!({ "outcome": "error", "error": other.to_string() }),
            other.to_string(),
        ),
    }
}

/// Runs `qrpay wallet`.
#[must_use]
pub fn run(args: &WalletArgs) -> ExitCode {
    let location = Location::from_path(&args.db);
    let done = match location.open(Arc::new(SystemClock)) {
        Ok(store) => execute(&store, &args.command),
        Err(e) => Done::Refused(
            json!({ "outcome": "store_error", "error": e.to_string() }),
            format!("cannot open {location}: {e}"),
        ),
    };
    let (value, text, code) = match done {
        Done::Ok(v, t) => (v, t, 0),
        Done::Refused(v, t) => (v, t, REFUSED),
        Done::Usage(t) => (json!({ "outcome": "usage_error", "error": t }), t, USAGE),
    };
    if args.json {
        crate::outln!("{value}");
    } else if code == 0 {
        crate::outln!("{text}");
    } else {
        eprintln!("qrpay: {text}");
    }
    ExitCode::from(code)
}

fn wallet(store: &Store_, currency: Currency) -> Result<Wallet<Store_>, WalletError> {
    Wallet::open(Arc::clone(store), Arc::new(SystemClock), currency)
}

/// The currency of an account's ledger, which may predate the rule that new ledgers be money.
fn currency_of(party: &Party) -> Result<Currency, Done> {
    Currency::of_ledger(party.ledger)
        .map_err(|e| Done::Usage(format!("account {}: {e}", party.label)))
}

fn parse_id(text: Option<&String>) -> Result<Option<Id>, Done> {
    text.map(|t| t.parse::<Id>().map_err(|e| Done::Usage(e.to_string())))
        .transpose()
}

fn parse_amount(currency: Currency, text: &str) -> Result<u128, Done> {
    currency
        .parse_minor(text)
        .map_err(|e| Done::Usage(e.to_string()))
}

/// `--tip prompt|fixed:AMOUNT|percent:P`: a usage error (exit 2) for anything else.
fn parse_tip(currency: Currency, text: &str) -> Result<TipRule, Done> {
    let usage = || {
        Done::Usage(format!(
            "--tip {text:?}: expected prompt, fixed:AMOUNT or percent:P (0.01 to 99.99)"
        ))
    };
    match text.split_once(':') {
        None if text == "prompt" => Ok(TipRule::Prompt),
        Some(("fixed", amount)) => match parse_amount(currency, amount)? {
            0 => Err(usage()),
            fee => Ok(TipRule::FixedFee(fee)),
        },
        Some(("percent", percent)) => {
            // Hundredths of a percent, exactly: "2.5" is 250, "2.505" is refused.
            let hundredths = qrpay_core::Amount::parse(percent)
                .ok()
                .and_then(|p| p.to_minor(2).ok())
                .and_then(|h| u16::try_from(h).ok())
                .filter(|h| (1..=9_999).contains(h))
                .ok_or_else(usage)?;
            Ok(TipRule::PercentFee(hundredths))
        }
        _ => Err(usage()),
    }
}

/// The `--tip` value as the JSON shows it (`null` without one).
fn tip_text(currency: Currency, tip: TipRule) -> Option<String> {
    match tip {
        TipRule::None => None,
        TipRule::Prompt => Some("prompt".to_owned()),
        TipRule::FixedFee(fee) => Some(format!("fixed:{}", currency.format_minor(fee))),
        TipRule::PercentFee(h) => Some(format!("percent:{}.{:02}", h / 100, h % 100)),
    }
}

fn party(store: &Store_, label: &str) -> Result<Party, Done> {
    match store.party_by_label(label) {
        Ok(Some(p)) => Ok(p),
        Ok(None) => Err(refusal(WalletError::UnknownLabel(label.to_owned()))),
        Err(e) => Err(refusal(WalletError::Store(e))),
    }
}

fn receipt_done(r: &Receipt, currency: Currency, what: &str) -> Done {
    let legs: Vec<Value> = r
        .legs
        .iter()
        .map(|t| {
            json!({
                "id": t.id.to_string(),
                "code": t.code.as_str(),
                "amount": currency.format_minor(t.amount),
            })
        })
        .collect();
    let outcome = r.outcome.as_str();
    let text = if r.outcome == Outcome::Exists {
        format!("{what} {} already done (exists)", r.id())
    } else {
        format!("{what} {} created", r.id())
    };
    Done::Ok(
        json!({ "outcome": outcome, "id": r.id().to_string(), "transfers": legs }),
        text,
    )
}

fn execute(store: &Store_, command: &WalletCommand) -> Done {
    match try_execute(store, command) {
        Ok(d) | Err(d) => d,
    }
}

#[allow(clippy::too_many_lines)] // One arm per subcommand.
fn try_execute(store: &Store_, command: &WalletCommand) -> Result<Done, Done> {
    match command {
        WalletCommand::Init { currency } => {
            let currency = Currency::from_code(currency).map_err(|e| Done::Usage(e.to_string()))?;
            wallet(store, currency).map_err(refusal)?;
            Ok(Done::Ok(
                json!({ "outcome": "created", "currency": currency.code() }),
                format!("wallet ready ({currency})"),
            ))
        }
        WalletCommand::Account(AccountCommand::Open {
            name,
            kind,
            currency,
            tier,
            mdr_bps,
            display_name,
            city,
        }) => {
            let currency = Currency::from_code(currency).map_err(|e| Done::Usage(e.to_string()))?;
            let w = wallet(store, currency).map_err(refusal)?;
            let p = match kind {
                KindArg::Customer => {
                    let tier = match tier {
                        TierArg::Unverified => Tier::Unverified,
                        TierArg::Verified => Tier::Verified,
                    };
                    w.open_customer(name, tier)
                }
                KindArg::Merchant => w.open_merchant(
                    name,
                    display_name.as_deref().unwrap_or(name),
                    city,
                    *mdr_bps,
                ),
            }
            .map_err(refusal)?;
            Ok(Done::Ok(
                json!({
                    "outcome": "created",
                    "name": p.label,
                    "account": p.account.to_string(),
                    "kind": p.kind.as_str(),
                    "currency": currency.code(),
                    "tier": p.tier.map(Tier::as_str),
                    "mdr_bps": p.mdr_bps,
                }),
                format!("opened {} {} ({})", p.kind.as_str(), p.label, p.account),
            ))
        }
        WalletCommand::Topup { name, amount, id } => {
            let p = party(store, name)?;
            let currency = currency_of(&p)?;
            let amount = parse_amount(currency, amount)?;
            let id = parse_id(id.as_ref())?;
            let w = wallet(store, currency).map_err(refusal)?;
            let r = w.top_up(&p, amount, id).map_err(refusal)?;
            Ok(receipt_done(&r, currency, "top-up"))
        }
        WalletCommand::MerchantQr {
            name,
            amount,
            reference,
            png,
            tip,
        } => {
            let p = party(store, name)?;
            let currency = currency_of(&p)?;
            let amount = amount
                .as_deref()
                .map(|a| parse_amount(currency, a))
                .transpose()?;
            let tip = tip
                .as_deref()
                .map(|t| parse_tip(currency, t))
                .transpose()?
                .unwrap_or(TipRule::None);
            let w = wallet(store, currency).map_err(refusal)?;
            let reference = match (amount, reference) {
                (Some(_), None) => Some(format!("QR{}", w.new_id().short().to_uppercase())),
                (_, r) => r.clone(),
            };
            let payload = w
                .merchant_code_with_tip(&p, amount, reference.as_deref(), DYNAMIC_CODE_TTL_S, tip)
                .map_err(refusal)?;
            if let Some(path) = png {
                write_png(&payload, path)?;
            }
            Ok(Done::Ok(
                json!({
                    "outcome": "created",
                    "payload": payload,
                    "dynamic": amount.is_some(),
                    "reference": reference,
                    "amount": amount.map(|a| currency.format_minor(a)),
                    "png": png.as_ref().map(|p| p.display().to_string()),
                    "tip": tip_text(currency, tip),
                }),
                payload.clone(),
            ))
        }
        WalletCommand::Pay {
            customer,
            payload,
            amount,
            tip,
            id,
        } => {
            let c = party(store, customer)?;
            let currency = currency_of(&c)?;
            let decoded = qrpay_core::decode(payload.trim())
                .map_err(|e| Done::Usage(format!("payload: {e}")))?;
            let request = PaymentRequest::from_emv(&decoded)
                .map_err(|e| Done::Usage(format!("payload: {e}")))?;
            let amount = amount
                .as_deref()
                .map(|a| parse_amount(currency, a))
                .transpose()?;
            let tip = tip
                .as_deref()
                .map(|a| parse_amount(currency, a))
                .transpose()?;
            let id = parse_id(id.as_ref())?;
            let w = wallet(store, currency).map_err(refusal)?;
            let quote = w.quote(&c, &request, amount, tip, id).map_err(refusal)?;
            // Running `pay` is the customer's confirmation: the app side authorizes.
            let auth = w
                .authorizer()
                .authorize(quote.customer, quote.id(), quote.total);
            let r = w.pay(&quote, &auth).map_err(refusal)?;
            let merchant = quote.merchant.merchant_name.clone().unwrap_or_default();
            let Done::Ok(mut v, _) = receipt_done(&r, currency, "payment") else {
                return Err(Done::Usage("unreachable".into()));
            };
            if let Value::Object(map) = &mut v {
                map.insert("merchant".into(), json!(merchant));
                map.insert("amount".into(), json!(currency.format_minor(quote.amount)));
                map.insert("tip".into(), json!(currency.format_minor(quote.tip)));
                map.insert("fee".into(), json!(currency.format_minor(quote.fee)));
                map.insert("total".into(), json!(currency.format_minor(quote.total)));
                map.insert("name_mismatch".into(), json!(quote.name_mismatch));
            }
            let warning = if quote.name_mismatch {
                " (warning: the code's merchant name differs from the registered one)"
            } else {
                ""
            };
            let text = if r.outcome == Outcome::Exists {
                format!(
                    "already paid: {} to {merchant} ({}){warning}",
                    r.id(),
                    currency.format_minor(quote.total)
                )
            } else {
                format!(
                    "paid {} {} to {merchant}: {}{warning}",
                    currency.format_minor(quote.total),
                    currency,
                    r.id()
                )
            };
            Ok(Done::Ok(v, text))
        }
        WalletCommand::Transfer {
            from,
            to,
            amount,
            id,
        } => {
            let a = party(store, from)?;
            let b = party(store, to)?;
            let currency = currency_of(&a)?;
            let amount = parse_amount(currency, amount)?;
            let w = wallet(store, currency).map_err(refusal)?;
            let id = parse_id(id.as_ref())?.unwrap_or_else(|| w.new_id());
            let auth = w.authorizer().authorize(a.account, id, amount);
            let r = w.transfer(&a, &b, amount, id, &auth).map_err(refusal)?;
            Ok(receipt_done(&r, currency, "transfer"))
        }
        WalletCommand::Refund {
            transfer_id,
            amount,
            id,
        } => {
            let payment: Id = transfer_id
                .parse()
                .map_err(|e: qrpay_wallet::id::IdError| Done::Usage(e.to_string()))?;
            let original = store
                .transfer(payment)
                .map_err(|e| refusal(WalletError::Store(e)))?
                .ok_or_else(|| {
                    refusal(WalletError::NotFound {
                        what: "payment",
                        id: payment,
                    })
                })?;
            let currency = Currency::of_ledger(original.ledger)
                .map_err(|e| Done::Usage(format!("payment {payment}: {e}")))?;
            let amount = amount
                .as_deref()
                .map(|a| parse_amount(currency, a))
                .transpose()?;
            let id = parse_id(id.as_ref())?;
            let w = wallet(store, currency).map_err(refusal)?;
            let r = w.refund(payment, amount, id).map_err(refusal)?;
            Ok(receipt_done(&r, currency, "refund"))
        }
        WalletCommand::Balance { name } => {
            let p = party(store, name)?;
            let currency = currency_of(&p)?;
            let a = store
                .account(p.account)
                .map_err(|e| refusal(WalletError::Store(e)))?
                .ok_or_else(|| {
                    refusal(WalletError::NotFound {
                        what: "account",
                        id: p.account,
                    })
                })?;
            let b = a.balances;
            let (balance, negative) = match b.credits_posted.checked_sub(b.debits_posted) {
                Some(v) => (v, false),
                None => (b.debits_posted.saturating_sub(b.credits_posted), true),
            };
            let shown = format!(
                "{}{}",
                if negative { "-" } else { "" },
                currency.format_minor(balance)
            );
            Ok(Done::Ok(
                json!({
                    "outcome": "ok",
                    "name": p.label,
                    "account": p.account.to_string(),
                    "kind": p.kind.as_str(),
                    "currency": currency.code(),
                    "balance": shown,
                    "available": currency.format_minor(b.available()),
                    "debits_pending": currency.format_minor(b.debits_pending),
                    "credits_pending": currency.format_minor(b.credits_pending),
                }),
                format!(
                    "{} {shown} {currency} (available {})",
                    p.label,
                    currency.format_minor(b.available())
                ),
            ))
        }
        WalletCommand::History { name } => {
            let p = party(store, name)?;
            let currency = currency_of(&p)?;
            let transfers = store
                .history(p.account, 100)
                .map_err(|e| refusal(WalletError::Store(e)))?;
            let mut lines = Vec::new();
            let mut items = Vec::new();
            for t in &transfers {
                let (sign, other) = if t.debit_account_id == p.account {
                    ("-", t.credit_account_id)
                } else {
                    ("+", t.debit_account_id)
                };
                let other_name = counterparty(store, other);
                lines.push(format!(
                    "{}  {:<15} {sign}{:>14}  {}",
                    t.id.short(),
                    t.code.as_str(),
                    currency.format_minor(t.amount),
                    other_name
                ));
                items.push(history_item(t, sign, &other_name, currency));
            }
            Ok(Done::Ok(
                json!({ "outcome": "ok", "name": p.label, "transfers": items }),
                lines.join("\n"),
            ))
        }
        WalletCommand::Verify => {
            let report = store.verify().map_err(|e| refusal(WalletError::Store(e)))?;
            let findings: Vec<String> = report.findings.iter().map(ToString::to_string).collect();
            let v = json!({
                "outcome": if report.is_clean() { "ok" } else { "tampered" },
                "batches": report.batches,
                "accounts": report.accounts,
                "transfers": report.transfers,
                "findings": findings,
            });
            if report.is_clean() {
                Ok(Done::Ok(
                    v,
                    format!(
                        "verify ok: {} accounts, {} transfers, {} batches",
                        report.accounts, report.transfers, report.batches
                    ),
                ))
            } else {
                Err(Done::Refused(
                    v,
                    format!("verify failed: {}", findings.join("; ")),
                ))
            }
        }
    }
}

fn counterparty(store: &Store_, id: Id) -> String {
    match store.party(id) {
        Ok(Some(p)) => p.label,
        _ => system_name(store, id),
    }
}

fn system_name(store: &Store_, id: Id) -> String {
    match store.account(id) {
        Ok(Some(a)) if a.kind != AccountKind::Customer && a.kind != AccountKind::Merchant => {
            a.kind.as_str().to_owned()
        }
        _ => id.short(),
    }
}

fn history_item(t: &Transfer, sign: &str, other: &str, currency: Currency) -> Value {
    json!({
        "id": t.id.to_string(),
        "code": t.code.as_str(),
        "amount": format!("{sign}{}", currency.format_minor(t.amount)),
        "counterparty": other,
        "timestamp_ns": t.timestamp,
        "reference": t.reference.map(|r| r.to_string()),
    })
}

fn write_png(payload: &str, path: &std::path::Path) -> Result<(), Done> {
    use qrpay_core::render::{EccLevel, QrSymbol, RenderOptions};
    let symbol = QrSymbol::encode(payload, EccLevel::M).map_err(|e| Done::Usage(e.to_string()))?;
    let png = symbol
        .to_png(&RenderOptions::new())
        .map_err(|e| Done::Usage(e.to_string()))?;
    std::fs::write(path, png)
        .map_err(|e| Done::Usage(format!("cannot write {}: {e}", path.display())))
}
