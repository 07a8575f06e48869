//! National-profile detection on top of EMV decoding, over every real vector of
//! `crates/qrpay-core/tests/vectors/mpm_valid.tsv`.
//!
//! Baseline in the same group: the decode alone, so the cost `schemes::detect` adds is the
//! difference between the two lines.
#![allow(clippy::unwrap_used)]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use qrpay::core::{decode, schemes};
use std::hint::black_box;

const VALID: &str = include_str!("../crates/qrpay-core/tests/vectors/mpm_valid.tsv");

fn payloads() -> Vec<&'static str> {
    VALID
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.rsplit('\t').next())
        .collect()
}

fn bench(c: &mut Criterion) {
    let all = payloads();
    let bytes: usize = all.iter().map(|p| p.len()).sum();
    let mut group = c.benchmark_group("schemes");
    group.throughput(Throughput::Bytes(u64::try_from(bytes).unwrap()));
    group.bench_function("decode (baseline)", |b| {
        b.iter(|| {
            for p in &all {
                black_box(decode(black_box(p)).unwrap());
            }
        });
    });
    group.bench_function("decode + detect", |b| {
        b.iter(|| {
            for p in &all {
                let payload = decode(black_box(p)).unwrap();
                black_box(schemes::detect(&payload).len());
            }
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
