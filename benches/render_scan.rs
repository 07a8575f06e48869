//! Render and scan benchmarks, each against the plain dependency call as baseline.
//!
//! Run sparingly: `cargo bench --bench render_scan -- --warm-up-time 1 --measurement-time 3`.

// Benchmarks abort on a broken fixture rather than measure an error path.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use qrpay::core::render::{EccLevel, QrSymbol, RenderOptions};
use qrpay::core::scan::Scanner;

/// A 160-character EMV merchant-presented payload (structure of the EMV QRCPS examples).
const PAYLOAD_160: &str = concat!(
    "00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678",
    "52044111530370254031005802CN5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京",
);

fn payload() -> String {
    // Pad or cut (on a char boundary) to exactly 160 characters.
    let mut p: String = PAYLOAD_160.chars().take(160).collect();
    while p.chars().count() < 160 {
        p.push('0');
    }
    p
}

fn render(c: &mut Criterion) {
    let payload = payload();
    let mut group = c.benchmark_group("render_png_160");
    group.throughput(Throughput::Bytes(payload.len() as u64));
    group.bench_function("qrcode_render_image_png", |b| {
        b.iter(|| {
            let code = qrcode::QrCode::with_error_correction_level(
                black_box(&payload),
                qrcode::EcLevel::M,
            )
            .unwrap();
            let img = code
                .render::<image::Luma<u8>>()
                .module_dimensions(4, 4)
                .build();
            let mut out = Vec::new();
            img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
                .unwrap();
            out
        });
    });
    group.bench_function("qrpay_png", |b| {
        let options = RenderOptions::new().module_px(4);
        b.iter(|| {
            QrSymbol::encode(black_box(&payload), EccLevel::M)
                .unwrap()
                .to_png(&options)
                .unwrap()
        });
    });
    group.finish();

    let mut group = c.benchmark_group("encode_matrix_160");
    group.throughput(Throughput::Bytes(payload.len() as u64));
    group.bench_function("qrcode_auto", |b| {
        b.iter(|| {
            qrcode::QrCode::with_error_correction_level(black_box(&payload), qrcode::EcLevel::M)
                .unwrap()
        });
    });
    group.bench_function("qrpay_encode", |b| {
        b.iter(|| QrSymbol::encode(black_box(&payload), EccLevel::M).unwrap());
    });
    group.finish();

    let mut group = c.benchmark_group("render_svg_160");
    group.throughput(Throughput::Bytes(payload.len() as u64));
    group.bench_function("qrcode_render_svg", |b| {
        b.iter(|| {
            let code = qrcode::QrCode::with_error_correction_level(
                black_box(&payload),
                qrcode::EcLevel::M,
            )
            .unwrap();
            code.render::<qrcode::render::svg::Color<'_>>().build()
        });
    });
    group.bench_function("qrpay_svg", |b| {
        let options = RenderOptions::new();
        b.iter(|| {
            QrSymbol::encode(black_box(&payload), EccLevel::M)
                .unwrap()
                .to_svg(&options)
                .unwrap()
        });
    });
    group.finish();
}

/// rqrr's own detector and decoder on greyscale pixels: the baseline for scanning.
fn rqrr_scan(img: &image::GrayImage) -> usize {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let raw = img.as_raw();
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| raw[y * w + x]);
    prepared
        .detect_grids()
        .iter()
        .filter(|g| g.decode().is_ok())
        .count()
}

fn qrpay_scan(img: &image::GrayImage) -> usize {
    Scanner::new()
        .scan_luma(img.width(), img.height(), img.as_raw())
        .unwrap()
        .len()
}

fn scan(c: &mut Criterion) {
    let png = QrSymbol::encode(&payload(), EccLevel::M)
        .unwrap()
        .to_png(&RenderOptions::new().module_px(4))
        .unwrap();
    let clean = image::load_from_memory(&png).unwrap().to_luma8();
    assert_eq!(qrpay_scan(&clean), 1);
    let mut group = c.benchmark_group("scan_clean_160");
    group.throughput(Throughput::Elements(1));
    group.bench_function("rqrr", |b| b.iter(|| rqrr_scan(black_box(&clean))));
    group.bench_function("qrpay", |b| b.iter(|| qrpay_scan(black_box(&clean))));
    group.finish();

    // A phone photo both readers read (zxing-cpp's blackbox sample qrcode-3/01).
    let dir = std::env::var("QRPAY_PHOTOS_DIR").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/photos").to_owned()
    });
    let photo = format!("{dir}/qrcode-3/01.webp");
    let Ok(bytes) = std::fs::read(&photo) else {
        eprintln!("!!! scan_photo: SKIPPED, {photo} not found (set QRPAY_PHOTOS_DIR) !!!");
        return;
    };
    let img = image::load_from_memory(&bytes).unwrap().to_luma8();
    let mut group = c.benchmark_group("scan_photo");
    group.throughput(Throughput::Elements(1));
    group.bench_function("rqrr", |b| b.iter(|| rqrr_scan(black_box(&img))));
    group.bench_function("qrpay", |b| b.iter(|| qrpay_scan(black_box(&img))));
    group.bench_function("qrpay_from_file_bytes", |b| {
        b.iter(|| Scanner::new().scan_bytes(black_box(&bytes)).unwrap().len());
    });
    group.finish();
}

criterion_group!(benches, render, scan);
criterion_main!(benches);
