//! Any bytes as an encoded image, and as raw greyscale pixels: scanning never panics and stays
//! within its limits (small ones here, so each run is quick).
#![no_main]

use libfuzzer_sys::fuzz_target;
use qrpay_core::scan::{ScanError, Scanner};

fuzz_target!(|data: &[u8]| {
    let scanner = Scanner::new().pixels_max(1 << 18).side_max(1024);
    for code in scanner.scan_bytes(data).unwrap_or_default() {
        assert!((1..=40).contains(&code.version()));
        let _ = code.text();
    }
    // The first byte gives a width; the rest are pixels, as many whole rows as there are.
    if let [w, rest @ ..] = data {
        let width = usize::from(*w).max(1);
        let height = rest.len() / width;
        let pixels = rest.get(..width * height).unwrap_or_default();
        let (Ok(w), Ok(h)) = (u32::try_from(width), u32::try_from(height)) else {
            return;
        };
        if h > 0 {
            // The dimensions match the pixels, so the only refusal allowed is the size limit
            // (a 1 × 2651 strip is over the 1024-pixel side limit set above).
            match scanner.scan_luma(w, h, pixels) {
                Ok(codes) => assert!(codes.iter().all(|c| (1..=40).contains(&c.version()))),
                Err(ScanError::TooLarge { .. }) => {}
                Err(e) => panic!("pixels of matching dimensions refused: {e}"),
            }
        }
    }
});
