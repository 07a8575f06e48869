//! `qrpay serve`: the web demo. A merchant page that shows a dynamic code and flips to "Paid"
//! the moment the payment commits, and a phone-shaped wallet page that scans with the camera,
//! confirms and pays, on one embedded SQLite wallet.
//!
//! Listens on 127.0.0.1 only. Logs nothing about requests.
//!
//! | route | what |
//! |---|---|
//! | `GET /merchant`, `GET /wallet`, `GET /` | the pages (HTML, CSS, JS embedded with `include_str!`) |
//! | `GET /api/merchant` | the merchant's registered name and city |
//! | `POST /api/merchant/codes` `{"amount":"25000"}` | a dynamic code: payload, reference, SVG |
//! | `GET /api/merchant/codes/{reference}` | whether that code has been paid |
//! | `GET /api/merchant/events` | Server-Sent Events, `event: paid` when a payment commits |
//! | `GET /api/wallet` | the customer's balance and history |
//! | `POST /api/scan` (an image body, ≤ 4 MiB) | `none`, `found` (payload + quote) or `refused` |
//! | `POST /api/quote` `{"payload","amount"?,"tip"?}` | what paying would do; nothing moves |
//! | `POST /api/authorize` (same body) | after the tap on Pay: a single-use authorization |
//! | `POST /api/pay` (same + `payment`, `authorization`) | pays once; `exists` for a repeat |
//!
//! Errors are JSON `{"error":{"code","message"}}`: 400 malformed, 413 too large, 415 not an
//! image or not JSON, 409 already paid, 422 refused by a wallet rule (the code names it),
//! 503 busy. The HTTP layer talks to the wallet through [`backend::Backend`].

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;
use qrpay_wallet::{Clock, Currency, SqliteStore, SystemClock, Tier, Wallet, WalletError};

pub mod api;
mod assets;
pub mod backend;

use backend::WalletBackend;

/// Registry label of the demo merchant.
const MERCHANT_LABEL: &str = "kopi-senja";
/// Registry label of the demo customer.
const CUSTOMER_LABEL: &str = "customer";
/// The demo customer's first top-up, in rupiah.
const CUSTOMER_TOP_UP_RP: u128 = 500_000;

/// Arguments of `qrpay serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Wallet database (SQLite); a fresh one in a temporary folder when not given.
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,
    /// Port on 127.0.0.1; 0 picks a free one (the address is printed).
    #[arg(long, default_value_t = 8080)]
    port: u16,
}

/// Runs the server until Ctrl-C or SIGTERM.
pub fn run(args: &ServeArgs) -> ExitCode {
    match serve(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => crate::fail(crate::REFUSED, message),
    }
}

fn serve(args: &ServeArgs) -> Result<(), String> {
    // The temporary folder lives as long as the server.
    let (_temp, db) = match &args.db {
        Some(path) => (None, path.clone()),
        None => {
            let dir = tempfile::tempdir().map_err(|e| format!("temporary folder: {e}"))?;
            let path = dir.path().join("wallet.sqlite");
            (Some(dir), path)
        }
    };
    let backend = Arc::new(open_demo(&db).map_err(|e| format!("wallet {}: {e}", db.display()))?);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("runtime: {e}"))?;
    runtime.block_on(async move {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, args.port));
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
        let local = listener
            .local_addr()
            .map_err(|e| format!("listener address: {e}"))?;
        let mut out = std::io::stdout();
        // The e2e test reads this line for the port; it holds no personal data.
        let _ = writeln!(out, "qrpay serve: listening on http://{local}");
        let _ = writeln!(out, "  merchant page: http://{local}/merchant");
        let _ = writeln!(out, "  wallet page:   http://{local}/wallet");
        let _ = out.flush();
        axum::serve(listener, api::router(backend))
            .with_graceful_shutdown(shutdown())
            .await
            .map_err(|e| format!("server: {e}"))
    })
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

/// Opens the wallet at `db` and makes sure the demo merchant (a coffee shop in Jakarta, IDR,
/// 0.7% MDR) and the demo customer (verified, topped up once) exist.
///
/// # Errors
/// The wallet's error when the database cannot be opened or seeded.
pub fn open_demo(db: &std::path::Path) -> Result<WalletBackend, WalletError> {
    open_demo_with_clock(db, Arc::new(SystemClock))
}

/// [`open_demo`] with this clock (tests move time to expire codes).
///
/// # Errors
/// As [`open_demo`].
pub fn open_demo_with_clock(
    db: &std::path::Path,
    clock: Arc<dyn Clock>,
) -> Result<WalletBackend, WalletError> {
    let store = SqliteStore::open(db, clock.clone())?;
    let idr = Currency::from_code("IDR").map_err(|_| WalletError::Refused {
        rule: "currency",
        outcome: None,
    })?;
    let wallet = Wallet::open(store, clock, idr)?;
    let merchant = match wallet.party(MERCHANT_LABEL) {
        Ok(p) => p,
        Err(WalletError::UnknownLabel(_)) => {
            wallet.open_merchant(MERCHANT_LABEL, "Kopi Senja", "Jakarta", 70)?
        }
        Err(e) => return Err(e),
    };
    let customer = match wallet.party(CUSTOMER_LABEL) {
        Ok(p) => p,
        Err(WalletError::UnknownLabel(_)) => {
            let c = wallet.open_customer(CUSTOMER_LABEL, Tier::Verified)?;
            wallet.top_up(&c, CUSTOMER_TOP_UP_RP * 100, None)?;
            c
        }
        Err(e) => return Err(e),
    };
    Ok(WalletBackend::new(wallet, merchant, customer, "My wallet"))
}

#[cfg(test)]
mod tests;
