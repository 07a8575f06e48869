//! `decode_any` on a mixed set: one real payload of each format, from the golden vector files.
//!
//! Baselines in the same group: the plain EMV MPM decode for the EMV payload, and each other
//! format's own parser for its payload, so the cost of detecting the format is visible; and for
//! the whole mixed set, the same payloads handed to the right parser directly.
//!
//! `decode_any_bytes` (the QR code's bytes, as a scanner hands them over) on the same set plus
//! the EPC rows in ISO 8859 sets from `epc_bytes.tsv`, against `decode_any` on the same set
//! already decoded to text and `epc::parse_bytes` for the 8-bit rows.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use qrpay::core::any::{decode_any, decode_any_bytes, Format};
use qrpay::core::{bip21, cpm, emv, epc, spayd, swiss, upi};
use std::hint::black_box;

/// The first valid payload of each format: the EMVCo MPM spec example, then the first `ok`
/// row of each format in `formats.tsv`.
fn mixed_set() -> Vec<(Format, String)> {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/crates/qrpay-core/tests/vectors"
    );
    let mpm = std::fs::read_to_string(format!("{dir}/mpm_valid.tsv")).unwrap();
    let emv_text = mpm
        .lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|l| l.split('\t').nth(3))
        .unwrap()
        .to_owned();
    let mut set = vec![(Format::EmvMpm, emv_text)];
    let formats = std::fs::read_to_string(format!("{dir}/formats.tsv")).unwrap();
    for format in [
        Format::EmvCpm,
        Format::Epc,
        Format::SwissQrBill,
        Format::Upi,
        Format::Spayd,
        Format::Bip21,
    ] {
        let payload = formats
            .lines()
            .map(|l| l.split('\t').collect::<Vec<_>>())
            .find(|cols| cols.first() == Some(&format.as_str()) && cols.get(1) == Some(&"ok"))
            .and_then(|cols| cols.get(3).copied())
            .unwrap_or_else(|| panic!("no ok vector for {format}"));
        let text = payload
            .replace("\\n", "\n")
            .replace("\\r", "\r")
            .replace("\\t", "\t")
            .replace("\\\\", "\\");
        set.push((format, text));
    }
    for (format, text) in &set {
        assert_eq!(decode_any(text).map(|p| p.format()), Ok(*format));
    }
    set
}

/// The format's own parser, told the format: what `decode_any` saves the caller from doing.
fn direct(format: Format, text: &str) -> bool {
    match format {
        Format::EmvMpm => emv::decode(text).is_ok(),
        Format::EmvCpm => cpm::parse(text).is_ok(),
        Format::Epc => epc::parse(text).is_ok(),
        Format::SwissQrBill => swiss::parse(text).is_ok(),
        Format::Upi => upi::parse(text).is_ok(),
        Format::Spayd => spayd::parse(text).is_ok(),
        Format::Bip21 => bip21::parse(text).is_ok(),
        _ => false,
    }
}

fn bench_any(c: &mut Criterion) {
    let set = mixed_set();
    let mut g = c.benchmark_group("decode_any");
    for (format, text) in &set {
        g.throughput(Throughput::Bytes(text.len() as u64));
        let baseline = if *format == Format::EmvMpm {
            "emv::decode"
        } else {
            "own parser"
        };
        g.bench_with_input(BenchmarkId::new(baseline, format), text, |b, t| {
            b.iter(|| direct(*format, black_box(t)));
        });
        g.bench_with_input(BenchmarkId::new("decode_any", format), text, |b, t| {
            b.iter(|| decode_any(black_box(t)).is_ok());
        });
    }
    let total: usize = set.iter().map(|(_, t)| t.len()).sum();
    g.throughput(Throughput::Bytes(total as u64));
    g.bench_function(BenchmarkId::new("own parser", "mixed"), |b| {
        b.iter(|| set.iter().filter(|(f, t)| direct(*f, black_box(t))).count());
    });
    g.bench_function(BenchmarkId::new("decode_any", "mixed"), |b| {
        b.iter(|| {
            set.iter()
                .filter(|(_, t)| decode_any(black_box(t)).is_ok())
                .count()
        });
    });
    g.finish();
}

/// The EPC payloads in ISO 8859 sets, as bytes (glibc iconv's conversion of the text rows).
fn epc_8_bit_bytes() -> Vec<Vec<u8>> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/crates/qrpay-core/tests/vectors/epc_bytes.tsv"
    );
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let hex = l.split('\t').nth(1).unwrap();
            (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                .collect()
        })
        .collect()
}

fn bench_any_bytes(c: &mut Criterion) {
    let set = mixed_set();
    let epc_bytes = epc_8_bit_bytes();
    let mut g = c.benchmark_group("decode_any_bytes");
    let total: usize = set.iter().map(|(_, t)| t.len()).sum();
    g.throughput(Throughput::Bytes(total as u64));
    g.bench_function(BenchmarkId::new("decode_any", "mixed"), |b| {
        b.iter(|| {
            set.iter()
                .filter(|(_, t)| decode_any(black_box(t)).is_ok())
                .count()
        });
    });
    g.bench_function(BenchmarkId::new("decode_any_bytes", "mixed"), |b| {
        b.iter(|| {
            set.iter()
                .filter(|(_, t)| decode_any_bytes(black_box(t.as_bytes())).is_ok())
                .count()
        });
    });
    let total: usize = epc_bytes.iter().map(Vec::len).sum();
    g.throughput(Throughput::Bytes(total as u64));
    g.bench_function(BenchmarkId::new("epc::parse_bytes", "epc-8-bit"), |b| {
        b.iter(|| {
            epc_bytes
                .iter()
                .filter(|t| epc::parse_bytes(black_box(t)).is_ok())
                .count()
        });
    });
    g.bench_function(BenchmarkId::new("decode_any_bytes", "epc-8-bit"), |b| {
        b.iter(|| {
            epc_bytes
                .iter()
                .filter(|t| decode_any_bytes(black_box(t)).is_ok())
                .count()
        });
    });
    g.finish();
}

criterion_group!(benches, bench_any, bench_any_bytes);
criterion_main!(benches);
