//! Builds a payment code for several schemes and formats and writes each as PNG and SVG.
//!
//! `cargo run --release --example generate -- [OUT_DIR]` (default `target/qrpay-codes`)
//!
//! Every payload is decoded again before it is written, and the scheme the decoder recognises
//! is printed beside it, so the output doubles as a check that builders and decoders agree.

use std::path::PathBuf;

use qrpay::core::any::decode_any;
use qrpay::core::emv::{decode, PointOfInitiation};
use qrpay::core::qr::EccLevel;
use qrpay::core::render::{QrSymbol, RenderOptions};
use qrpay::core::schemes::{self, pix::PixBuilder, promptpay::PromptPayBuilder};
use qrpay::core::schemes::{paynow::PayNowBuilder, qris::QrisBuilder, vietqr::VietQrBuilder};
use qrpay::core::{decimal::DecimalAmount, epc::Epc, iban::Iban, upi::Upi, upi::Vpa};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn main() -> Result<()> {
    let out: PathBuf = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("target/qrpay-codes"), PathBuf::from);
    std::fs::create_dir_all(&out)?;

    // Synthetic merchants and accounts: none of these is a real person's.
    let codes: Vec<(&str, String, String)> = vec![
        (
            "pix",
            "Café Brasília R$ 10,00".into(),
            PixBuilder::with_key("loja@example.com")
                .merchant_name("CAFE BRASILIA")
                .merchant_city("BRASILIA")
                .amount_minor(1_000)
                .txid("PEDIDO123")
                .build()?,
        ),
        (
            "qris",
            "Kopi Kenangan Rp 25.000".into(),
            QrisBuilder::new("Kopi Kenangan", "Jakarta")
                .issuer(
                    26,
                    "ID.CO.EXAMPLE.WWW",
                    "936000010000000001",
                    "EXAMPLE0001",
                    "UMI",
                )
                .national("ID1020000000001", "UMI")
                .merchant_category_code("5812")
                .amount_minor(2_500_000)
                .build()?,
        ),
        (
            "promptpay",
            "PromptPay mobile ฿ 50.00".into(),
            PromptPayBuilder::mobile("0812345678")?
                .amount_minor(5_000)
                .point_of_initiation(PointOfInitiation::Dynamic)
                .build()?,
        ),
        (
            "paynow",
            "PayNow UEN S$ 12.50".into(),
            PayNowBuilder::uen("201403121W")?
                .amount_minor(1_250)
                .merchant_name("HAWKER STALL")
                .merchant_city("Singapore")
                .reference("INV42")
                .build()?,
        ),
        (
            "vietqr",
            "VietQR ₫ 50.000".into(),
            VietQrBuilder::account("970436", "0011012345678")
                .amount_minor(50_000)
                .purpose("thanh toan don hang")
                .build()?,
        ),
        (
            "epc",
            "GiroCode € 12.34".into(),
            Epc::builder("Example Shop GmbH", Iban::parse("DE89370400440532013000")?)
                .amount(DecimalAmount::parse("12.34", 2)?)
                .unstructured_remittance("Invoice 2026-001")
                .build()?
                .encode(),
        ),
        (
            "upi",
            "UPI ₹ 99.00".into(),
            Upi::builder(Vpa::parse("shop@examplebank")?)
                .param("pn", "Example Shop")
                .amount(DecimalAmount::parse("99.00", 2)?)
                .build()?
                .encode(),
        ),
    ];

    for (name, caption, payload) in &codes {
        let recognised = match decode_any(payload)? {
            qrpay::core::any::AnyPayload::EmvMpm(_) => {
                let p = decode(payload)?;
                let ids: Vec<&str> = schemes::detect(&p).iter().map(|s| s.id.as_str()).collect();
                format!("emv-mpm [{}]", ids.join(", "))
            }
            other => other.format().to_string(),
        };
        let symbol = QrSymbol::encode(payload, EccLevel::M)?;
        let options = RenderOptions::new().module_px(8).caption(caption.as_str());
        let png = out.join(format!("{name}.png"));
        let svg = out.join(format!("{name}.svg"));
        std::fs::write(&png, symbol.to_png(&options)?)?;
        std::fs::write(&svg, symbol.to_svg(&options)?)?;
        println!(
            "{name:<10} {recognised:<22} v{:<2} {:>3} chars  {}",
            symbol.version(),
            payload.chars().count(),
            png.display()
        );
    }
    Ok(())
}
