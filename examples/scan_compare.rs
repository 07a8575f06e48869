//! Read rate and time per photo for one engine, as tab-separated lines, for
//! `scripts/bench_scan.py`: `cargo run --release --example scan_compare -- ENGINE DIR`, where
//! ENGINE is `ours` or `rqrr` and DIR holds `NAME.(png|jpg|webp)` images each with `NAME.txt`.
//!
//! Output: `folder/name<TAB>read (0/1)<TAB>ms`; the time covers the scan of already decoded
//! greyscale pixels, not the file decoding, like the zxing-cpp side of the comparison.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::float_arithmetic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let engine = args.get(1).map_or("ours", String::as_str).to_owned();
    let dir = PathBuf::from(args.get(2).expect("usage: scan_compare ENGINE DIR"));
    let filter = args.get(3).cloned();
    for (path, expected) in photos(&dir) {
        let name = path.strip_prefix(&dir).unwrap().display().to_string();
        if filter.as_ref().is_some_and(|f| !name.contains(f.as_str())) {
            continue;
        }
        let img = image::open(&path).unwrap().to_luma8();
        let start = Instant::now();
        let texts = match engine.as_str() {
            "rqrr" => rqrr_alone(&img),
            _ => ours(&img),
        };
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        let read = texts.contains(&expected);
        println!("{name}\t{}\t{ms:.3}", u8::from(read));
    }
}

fn photos(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut folders: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    folders.sort();
    for folder in folders.into_iter().filter(|p| p.is_dir()) {
        let mut files: Vec<_> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for file in files {
            let ext = file.extension().and_then(|e| e.to_str()).unwrap_or("");
            if !matches!(ext, "png" | "jpg" | "jpeg" | "webp" | "gif" | "bmp") {
                continue;
            }
            if let Ok(expected) = std::fs::read(file.with_extension("txt")) {
                out.push((file, expected));
            }
        }
    }
    out
}

fn rqrr_alone(img: &image::GrayImage) -> Vec<Vec<u8>> {
    // rqrr's own detector panics on some photos (qrcode-6/7.png); count that as a miss.
    std::panic::catch_unwind(|| rqrr_detect(img)).unwrap_or_default()
}

fn rqrr_detect(img: &image::GrayImage) -> Vec<Vec<u8>> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let raw = img.as_raw();
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| raw[y * w + x]);
    prepared
        .detect_grids()
        .into_iter()
        .filter_map(|g| {
            let mut out = Vec::new();
            g.decode_to(&mut out).ok().map(|_| out)
        })
        .collect()
}

fn ours(img: &image::GrayImage) -> Vec<Vec<u8>> {
    qrpay::core::scan::Scanner::new()
        .scan_luma(img.width(), img.height(), img.as_raw())
        .unwrap()
        .into_iter()
        .map(|c| c.text().as_bytes().to_vec())
        .collect()
}
