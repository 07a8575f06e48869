//! The `qrpay` command: encode, decode, render, scan, and the wallet.
//!
//! Exit status: 0 when the input is accepted, 1 when it is refused (one line on stderr says
//! why), 2 on usage errors.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod decode_cmd;
mod encode_cmd;
mod input;
mod render_cmd;
mod scan_cmd;
mod serve;
mod wallet_cmd;

/// QR-code payments: decode, encode, render and scan merchant-presented payment codes.
#[derive(Debug, Parser)]
#[command(name = "qrpay", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Decode and validate a payment QR payload.
    Decode(decode_cmd::DecodeArgs),
    /// Build a payload from JSON (the output of `decode --json`) or from flags.
    Encode(Box<encode_cmd::EncodeArgs>),
    /// Render a payload as a QR code: PNG, SVG, or text for the terminal.
    Render(render_cmd::RenderArgs),
    /// Find and read every QR code in image files.
    Scan(scan_cmd::ScanArgs),
    /// Serve the web demo (merchant page and wallet page) on 127.0.0.1.
    Serve(serve::ServeArgs),
    /// The embedded wallet: accounts, top-up, merchant codes, pay, refund, verify.
    Wallet(wallet_cmd::WalletArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Decode(args) => decode_cmd::run(&args),
        Command::Encode(args) => encode_cmd::run(&args),
        Command::Render(args) => render_cmd::run(&args),
        Command::Scan(args) => scan_cmd::run(&args),
        Command::Serve(args) => serve::run(&args),
        Command::Wallet(args) => wallet_cmd::run(&args),
    }
}

/// Exit status for a refused input.
pub(crate) const REFUSED: u8 = 1;
/// Exit status for a usage error.
pub(crate) const USAGE: u8 = 2;

/// Writes `text` to standard output. A reader that has gone away (`qrpay … | head`) is not a
/// failure of the command: the rest of the output is dropped and the command still ends with
/// its own exit status. Any other failure to write ends the process with [`REFUSED`].
pub(crate) fn out(text: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout.write_fmt(text).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            eprintln!("qrpay: cannot write the output: {e}");
            std::process::exit(REFUSED.into());
        }
        _ => {}
    }
}

/// [`out`] with `format!`'s arguments and a line break.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::out(format_args!("{}\n", format_args!($($arg)*)))
    };
}
pub(crate) use outln;

/// Prints a one-line error and returns exit status `code`.
pub(crate) fn fail(code: u8, message: impl std::fmt::Display) -> ExitCode {
    eprintln!("qrpay: {message}");
    ExitCode::from(code)
}
