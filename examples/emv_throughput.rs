//! Times decode (with validation) and encode of one payload, for `scripts/compare_emv.sh`,
//! which runs other libraries on the same payload in the same run. Criterion benches in
//! `benches/emv.rs` are the authoritative figures for qrpay alone.
//!
//! `cargo run --release --example emv_throughput -- PAYLOAD [ITERATIONS]`

use std::hint::black_box;
use std::time::Instant;

use qrpay::core::emv::{decode, encode_objects, Object, PayloadBuilder};
use qrpay::core::schemes::pix::PixBuilder;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let payload = args
        .next()
        .ok_or("usage: emv_throughput PAYLOAD [ITERATIONS]")?;
    let iterations: u32 = args.next().map_or(Ok(500_000), |n| n.parse())?;
    let decoded = decode(&payload)?;
    if decoded.encode() != payload {
        return Err("payload does not re-encode".into());
    }
    // The iterations run in ten batches after a warm-up, and the figure is the fastest batch:
    // on a shared machine noise only adds time. pix_bench.js times the same way.
    let batch = (iterations / 10).max(1);
    let time = |name: &str, f: &dyn Fn() -> usize| {
        for _ in 0..batch {
            black_box(f());
        }
        let fastest = (0..10)
            .map(|_| {
                let start = Instant::now();
                for _ in 0..batch {
                    black_box(f());
                }
                start.elapsed().as_nanos()
            })
            .min()
            .unwrap_or_default();
        // Tenths of a nanosecond, in integers.
        let tenths = fastest * 10 / u128::from(batch);
        println!("{name} {}.{}", tenths / 10, tenths % 10);
    };
    time("qrpay.decode", &|| {
        decode(black_box(&payload)).map_or(0, |p| p.objects().len())
    });
    time("qrpay.encode", &|| black_box(&decoded).encode().len());
    // The owned object tree → payload, CRC computed and structure checked: what
    // `qrpay encode --json` runs, and the counterpart of pix-utils' createEmv.
    let objects: Vec<Object> = decoded.objects().iter().map(Object::from_decoded).collect();
    if encode_objects(&objects)? != payload {
        return Err("encode_objects does not reproduce the payload".into());
    }
    time("qrpay.encode_objects", &|| {
        encode_objects(black_box(&objects)).map_or(0, |s| s.len())
    });
    // Fields → payload, as a point of sale does it and as pix-utils' createStaticPix is timed:
    // the Pix builder from typed fields, which checks the Pix rules and then every EMV rule
    // strictly.
    let pix = |key: &str| {
        PixBuilder::with_key(key)
            .info("Pedido 123")
            .merchant_name("THALES OGLIARI")
            .merchant_city("SAO MIGUEL DO O")
            .amount_minor(1000)
            .txid("***")
            .build()
    };
    if pix("thalesog@me.com")? != payload {
        return Err("the Pix builder does not reproduce the payload".into());
    }
    time("qrpay.build", &|| {
        pix(black_box("thalesog@me.com")).map_or(0, |s| s.len())
    });
    // The generic builder from every object of the decoded payload (a copy, then a build).
    if PayloadBuilder::from_payload(&decoded).build()? != payload {
        return Err("the builder does not reproduce the payload (not canonical?)".into());
    }
    time("qrpay.rebuild", &|| {
        PayloadBuilder::from_payload(black_box(&decoded))
            .build()
            .map_or(0, |s| s.len())
    });
    Ok(())
}
