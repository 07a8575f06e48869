//! Writes a payment code as a Y4M video for Chromium's fake camera
//! (`--use-file-for-fake-video-capture=FILE.y4m`), as the web demo's end-to-end test does.
//!
//! ```text
//! cargo run --example fake_camera -- PAYLOAD OUT.y4m
//! cargo run --example fake_camera -- --blank OUT.y4m
//! ```
//!
//! The code is rendered by qrpay itself (`QrSymbol`), dark modules on white, centred in a
//! 640×480 frame with a light grey surround like a counter, in 4:2:0 (grey: chroma 128).

use std::error::Error;
use std::io::Write;

use qrpay::core::render::{EccLevel, QrSymbol};

const WIDTH: usize = 640;
const HEIGHT: usize = 480;
/// Frames in the file; Chromium loops it.
const FRAMES: usize = 4;
/// Side of the code with its quiet zone, in pixels, at most.
const CODE_SIDE_MAX: usize = 420;
/// Quiet zone in modules.
const QUIET: usize = 4;

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (payload, out) = match args.as_slice() {
        [flag, out] if flag == "--blank" => (None, out),
        [payload, out] => (Some(payload.as_str()), out),
        _ => return Err("usage: fake_camera (PAYLOAD | --blank) OUT.y4m".into()),
    };
    let luma = match payload {
        Some(p) => frame_with_code(&QrSymbol::encode(p, EccLevel::M)?),
        None => vec![235u8; WIDTH * HEIGHT],
    };
    let mut file = std::io::BufWriter::new(std::fs::File::create(out)?);
    writeln!(file, "YUV4MPEG2 W{WIDTH} H{HEIGHT} F5:1 Ip A1:1 C420jpeg")?;
    let chroma = vec![128u8; (WIDTH / 2) * (HEIGHT / 2)];
    for _ in 0..FRAMES {
        file.write_all(b"FRAME\n")?;
        file.write_all(&luma)?;
        file.write_all(&chroma)?;
        file.write_all(&chroma)?;
    }
    file.flush()?;
    Ok(())
}

/// One grey frame with the code centred.
fn frame_with_code(symbol: &QrSymbol) -> Vec<u8> {
    let modules = symbol.width() + 2 * QUIET;
    let px = (CODE_SIDE_MAX / modules).max(1);
    let side = modules * px;
    let left = WIDTH.saturating_sub(side) / 2;
    let top = HEIGHT.saturating_sub(side) / 2;
    let mut luma = Vec::with_capacity(WIDTH * HEIGHT);
    for y in 0..HEIGHT {
        for x in 0..WIDTH {
            let inside = (left..left + side).contains(&x) && (top..top + side).contains(&y);
            let value = if !inside {
                200
            } else {
                let mx = (x - left) / px;
                let my = (y - top) / px;
                let dark = mx >= QUIET && my >= QUIET && symbol.is_dark(mx - QUIET, my - QUIET);
                if dark {
                    20
                } else {
                    245
                }
            };
            luma.push(value);
        }
    }
    luma
}
