//! `qrpay render`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use qrpay_core::render::{EccLevel, QrSymbol, RenderOptions, TerminalStyle};

use crate::{fail, input, REFUSED, USAGE};

/// Output formats of `qrpay render`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum RenderFormat {
    /// 1-bit PNG.
    Png,
    /// SVG, one path.
    Svg,
    /// Terminal text with Unicode half blocks.
    Txt,
}

/// Arguments of `qrpay render`.
#[derive(Debug, Args)]
pub(crate) struct RenderArgs {
    /// The payload, or `-` to read it from standard input.
    payload: String,
    /// Write to this file; without it the code is printed for the terminal.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Output format [default: from the file extension, else png].
    #[arg(long, value_enum)]
    format: Option<RenderFormat>,
    /// Module size in pixels (PNG) or user units (SVG).
    #[arg(long, default_value_t = 4)]
    module_px: usize,
    /// Quiet zone in modules (at least 4).
    #[arg(long, default_value_t = 4)]
    margin: usize,
    /// Error-correction level: L, M, Q or H.
    #[arg(long, default_value = "M")]
    ecc: EccLevel,
    /// A caption line under the code (PNG/SVG), e.g. the merchant name and amount.
    #[arg(long)]
    caption: Option<String>,
}

pub(crate) fn run(args: &RenderArgs) -> ExitCode {
    let payload = match input::payload_or_exit(&args.payload) {
        Ok(bytes) => bytes,
        Err(code) => return code,
    };
    // Text gets an ECI designator when it is not ASCII; bytes that are not UTF-8 (an EPC code
    // in an ISO 8859 set, which declares its set itself) go in as they are.
    let symbol = match String::from_utf8(payload) {
        Ok(text) => QrSymbol::encode(&text, args.ecc),
        Err(bytes) => QrSymbol::encode_bytes(bytes.as_bytes(), args.ecc),
    };
    let symbol = match symbol {
        Ok(symbol) => symbol,
        Err(e) => return fail(REFUSED, e),
    };
    let Some(path) = &args.output else {
        return match symbol.to_terminal(args.margin, TerminalStyle::default()) {
            Ok(text) => {
                crate::out(format_args!("{text}"));
                ExitCode::SUCCESS
            }
            Err(e) => fail(USAGE, e),
        };
    };
    let format = args.format.unwrap_or_else(|| {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("svg") => RenderFormat::Svg,
            Some("txt") => RenderFormat::Txt,
            _ => RenderFormat::Png,
        }
    });
    let mut options = RenderOptions::new()
        .module_px(args.module_px)
        .margin(args.margin);
    if let Some(caption) = &args.caption {
        options = options.caption(caption.clone());
    }
    let bytes = match format {
        RenderFormat::Png => symbol.to_png(&options),
        RenderFormat::Svg => symbol.to_svg(&options).map(String::into_bytes),
        RenderFormat::Txt => symbol
            .to_terminal(args.margin, TerminalStyle::default())
            .map(String::into_bytes),
    };
    let bytes = match bytes {
        Ok(bytes) => bytes,
        Err(e) => return fail(USAGE, e),
    };
    if let Err(e) = std::fs::write(path, bytes) {
        return fail(
            REFUSED,
            format_args!("cannot write {}: {e}", path.display()),
        );
    }
    ExitCode::SUCCESS
}
