//! `qrpay scan`.

use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use qrpay_core::any::decode_any_bytes;
use qrpay_core::scan::{QrModel, ScannedCode, Scanner};
use serde_json::{json, Value};

use crate::{fail, REFUSED};

/// Arguments of `qrpay scan`.
#[derive(Debug, Args)]
pub(crate) struct ScanArgs {
    /// Print one JSON array: per image `{"image", "codes": [{"text", "charset", "corners",
    /// "version", "ecc", "model", "decoded", "error"}]}`, and `"error"` when the image cannot be read.
    #[arg(long)]
    json: bool,
    /// Image files (PNG, JPEG, WebP, GIF, BMP, TIFF).
    #[arg(required = true)]
    images: Vec<PathBuf>,
}

pub(crate) fn run(args: &ScanArgs) -> ExitCode {
    let scanner = Scanner::new();
    let progress = args.images.len() > 1 && std::io::stderr().is_terminal();
    let mut report = Vec::with_capacity(args.images.len());
    let mut any_failed = false;
    for (i, path) in args.images.iter().enumerate() {
        if progress {
            eprint!("\rscanning {}/{}", i + 1, args.images.len());
        }
        let result = std::fs::read(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))
            .and_then(|bytes| scanner.scan_bytes(&bytes).map_err(|e| e.to_string()));
        any_failed |= result.is_err();
        report.push((path.display().to_string(), result));
    }
    if progress {
        eprintln!();
    }
    if args.json {
        let array: Vec<Value> = report
            .iter()
            .map(|(image, result)| match result {
                Ok(codes) => json!({"image": image, "codes": codes.iter().map(code_json).collect::<Vec<_>>()}),
                Err(e) => json!({"image": image, "codes": [], "error": e}),
            })
            .collect();
        match serde_json::to_string_pretty(&array) {
            Ok(text) => crate::outln!("{text}"),
            Err(e) => return fail(REFUSED, e),
        }
    } else {
        for (image, result) in &report {
            match result {
                Ok(codes) if codes.is_empty() => crate::outln!("{image}: no QR code found"),
                Ok(codes) => {
                    for code in codes {
                        let text = code.text();
                        crate::outln!("{image}: v{} {} {text}", code.version(), code.ecc());
                    }
                }
                Err(e) => eprintln!("qrpay: {e}"),
            }
        }
    }
    if any_failed {
        ExitCode::from(REFUSED)
    } else {
        ExitCode::SUCCESS
    }
}

/// One code as JSON: its text, corners, the payload decoded as `qrpay decode --json` prints it
/// (null when the text is not a payment payload), and why not.
fn code_json(code: &ScannedCode) -> Value {
    let corners: Vec<Value> = code.corners().iter().map(|p| json!([p.x, p.y])).collect();
    // From the bytes, not the reader's guess at their text: an EPC code declares its own
    // 8-bit character set, which the reader cannot know.
    let (decoded, error) = match decode_any_bytes(code.bytes()) {
        Ok(payload) => match serde_json::to_value(&payload) {
            Ok(v) => (v, None),
            Err(e) => (Value::Null, Some(e.to_string())),
        },
        Err(e) => (Value::Null, Some(e.to_string())),
    };
    json!({
        "text": code.text(),
        "charset": code.charset().to_string(),
        "corners": corners,
        "version": code.version(),
        "model": match code.model() {
            QrModel::One => 1,
            _ => 2,
        },
        "ecc": code.ecc().to_string(),
        "decoded": decoded,
        "error": error,
    })
}
