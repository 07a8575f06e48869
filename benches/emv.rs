//! EMV MPM codec: decode + validate, encode, CRC.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]
//!
//! Baselines in the same groups: the classic one-table CRC loop beside the sliced CRC, and a
//! bare tag–length–value split (no validation, no CRC) beside the full decode, so the cost of
//! validation is visible.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use qrpay::core::emv::{
    decode, encode_objects, Decoder, Object, PayloadBuilder, PointOfInitiation,
};
use qrpay::core::{crc, Currency};
use std::hint::black_box;

/// A typical dynamic QRIS-style payload: 192 bytes, three templates, nothing broken.
fn typical_payload() -> String {
    typical_builder().build().unwrap_or_default()
}

/// The calls that make [`typical_payload`].
fn typical_builder() -> PayloadBuilder {
    PayloadBuilder::new()
        .point_of_initiation(PointOfInitiation::Dynamic)
        .merchant_account(
            26,
            "ID.CO.EXAMPLE.WWW",
            &[(1, "936000010000000001"), (3, "UMI")],
        )
        .merchant_account(51, "ID.CO.QRIS.WWW", &[(2, "ID1020000000001")])
        .merchant_category_code("5812")
        .currency(Currency::IDR)
        .amount("25000.00")
        .country_code("ID")
        .merchant_name("Kopi Kenangan")
        .merchant_city("Jakarta")
        .additional_data(5, "INV-0001")
}

/// The Pix example of pix-utils' own tests (155 bytes), the payload `scripts/compare_emv.sh`
/// races against pix-utils: the size of payload the target names.
const PIX_155: &str = "00020126510014br.gov.bcb.pix0115thalesog@me.com0210Pedido 123520400005303986540510.005802BR5914THALES OGLIARI6015SAO MIGUEL DO O62070503***63040DC6";

const SPEC_EXAMPLE: &str = "00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678520441115802CN5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京540523.7253031565502016233030412340603***0708A60086670902ME91320016A0112233449988770708123456786304A13A";

/// A bare root-level split: the least any decoder must do.
fn bare_split(s: &str) -> usize {
    let b = s.as_bytes();
    let mut pos = 0;
    let mut n = 0;
    while let Some(h) = b.get(pos..pos + 4) {
        let len = usize::from(h[2] - b'0') * 10 + usize::from(h[3] - b'0');
        pos += 4 + len;
        n += 1;
    }
    n
}

/// The classic one-table CRC-16/CCITT-FALSE loop.
fn crc_one_table(data: &[u8]) -> u16 {
    static TABLE: std::sync::LazyLock<[u16; 256]> = std::sync::LazyLock::new(|| {
        let mut t = [0u16; 256];
        for (i, slot) in t.iter_mut().enumerate() {
            let mut c = (i as u16) << 8;
            for _ in 0..8 {
                c = if c & 0x8000 != 0 {
                    (c << 1) ^ 0x1021
                } else {
                    c << 1
                };
            }
            *slot = c;
        }
        t
    });
    let mut crc = 0xFFFFu16;
    for &b in data {
        crc = (crc << 8) ^ TABLE[usize::from((crc >> 8) as u8 ^ b)];
    }
    crc
}

fn bench_decode(c: &mut Criterion) {
    let typical = typical_payload();
    let mut g = c.benchmark_group("emv_decode");
    for (name, text) in [
        ("typical", typical.as_str()),
        ("pix_155", PIX_155),
        ("spec_example", SPEC_EXAMPLE),
    ] {
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_with_input(BenchmarkId::new("decode_tolerant", name), text, |b, t| {
            b.iter(|| decode(black_box(t)).map(|p| p.objects().len()))
        });
        g.bench_with_input(BenchmarkId::new("decode_strict", name), text, |b, t| {
            b.iter(|| {
                Decoder::new()
                    .strict(true)
                    .decode(black_box(t))
                    .map(|p| p.objects().len())
            })
        });
        g.bench_with_input(
            BenchmarkId::new("baseline_bare_split", name),
            text,
            |b, t| b.iter(|| bare_split(black_box(t))),
        );
    }
    g.finish();
}

fn bench_encode(c: &mut Criterion) {
    let typical = typical_payload();
    let payload = decode(&typical).unwrap_or_else(|_| unreachable!());
    let mut g = c.benchmark_group("emv_encode");
    g.throughput(Throughput::Bytes(typical.len() as u64));
    g.bench_function("reencode_decoded/typical", |b| {
        b.iter(|| black_box(&payload).encode())
    });
    // The owned object tree `qrpay encode --json` builds: encode, CRC, structure checked.
    let objects: Vec<Object> = payload.objects().iter().map(Object::from_decoded).collect();
    g.bench_function("encode_objects/typical", |b| {
        b.iter(|| encode_objects(black_box(&objects)))
    });
    // Every call and the build, with every rule checked (the default)…
    g.bench_function("builder_build/typical", |b| b.iter(typical_payload));
    // …and lenient, which checks lengths only (what other libraries' encoders check).
    g.bench_function("builder_build_lenient/typical", |b| {
        b.iter(|| typical_builder().lenient(true).build())
    });
    g.finish();
}

fn bench_crc(c: &mut Criterion) {
    let typical = typical_payload();
    let mut g = c.benchmark_group("crc16");
    g.throughput(Throughput::Bytes(typical.len() as u64));
    g.bench_function("sliced_by_16_three_streams/typical", |b| {
        b.iter(|| crc::crc16(black_box(typical.as_bytes())))
    });
    g.bench_function("baseline_one_table/typical", |b| {
        b.iter(|| crc_one_table(black_box(typical.as_bytes())))
    });
    g.finish();
}

criterion_group!(benches, bench_decode, bench_encode, bench_crc);
criterion_main!(benches);
