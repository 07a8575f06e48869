//! Scan the image files given on the command line and print every QR code found in each:
//! `cargo run --example scan -- photo.jpg code.png`.

use std::process::ExitCode;

use qrpay::core::scan::Scanner;

fn main() -> ExitCode {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    if paths.is_empty() {
        eprintln!("usage: scan IMAGE...");
        return ExitCode::from(2);
    }
    let scanner = Scanner::new();
    let mut failed = false;
    for path in &paths {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) => {
                eprintln!("{path}: {e}");
                failed = true;
                continue;
            }
        };
        match scanner.scan_bytes(&bytes) {
            Ok(codes) if codes.is_empty() => println!("{path}: no QR code found"),
            Ok(codes) => {
                for code in codes {
                    let corners: Vec<String> = code
                        .corners()
                        .iter()
                        .map(|p| format!("({},{})", p.x, p.y))
                        .collect();
                    let text = format!("{:?} ({:?})", code.text(), code.charset());
                    println!(
                        "{path}: version {} ecc {} corners {} text {text}",
                        code.version(),
                        code.ecc(),
                        corners.join(" "),
                    );
                }
            }
            Err(e) => {
                eprintln!("{path}: {e}");
                failed = true;
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
