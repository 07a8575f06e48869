//! Builds one payload of each non-EMV payment-QR format with its validating builder, prints
//! it, and decodes it back.
//!
//! ```sh
//! cargo run --example build_formats
//! ```

use qrpay::core::bic::Bic;
use qrpay::core::creditor_reference::CreditorReference;
use qrpay::core::decimal::DecimalAmount;
use qrpay::core::iban::Iban;
use qrpay::core::{bip21, epc, spayd, swiss, upi};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A SEPA transfer of EUR 12.30 with an ISO 11649 creditor reference.
    let girocode = epc::Epc::builder("Red Cross of Belgium", Iban::parse("BE72000000001616")?)
        .bic(Bic::parse("BPOTBEB1")?)
        .amount(DecimalAmount::from_minor_units(1230, 2)?)
        .structured_remittance(CreditorReference::from_payload("539007547034")?)
        .build()?;
    show(
        "epc",
        &girocode.encode(),
        epc::parse(&girocode.encode())? == girocode,
    );

    // A Swiss QR-bill with a QR reference on a QR-IBAN.
    let creditor = swiss::Address::Structured {
        name: "Robert Schneider AG".into(),
        street: Some("Rue du Lac".into()),
        building_number: Some("1268".into()),
        postal_code: "2501".into(),
        town: "Biel".into(),
        country: "CH".into(),
    };
    let bill = swiss::SwissQrBill::builder(
        Iban::parse("CH4431999123000889012")?,
        creditor,
        swiss::Currency::Chf,
    )
    .amount(DecimalAmount::from_minor_units(194_975, 2)?)
    .reference(swiss::Reference::Qrr(swiss::QrReference::from_payload(
        "21000000000313947143000901",
    )?))
    .unstructured_message("Order of 15 June 2020")
    .build()?;
    show(
        "swiss-qr-bill",
        &bill.encode(),
        swiss::parse(&bill.encode())? == bill,
    );

    // A Czech QR Platba with a variable symbol and a CRC32.
    let platba = spayd::Spayd::builder(spayd::Account {
        iban: Iban::parse("CZ5855000000001265098001")?,
        bic: None,
    })
    .amount(DecimalAmount::from_minor_units(48_050, 2)?)
    .attribute("CC", "CZK")
    .attribute("X-VS", "1234567890")
    .crc32()
    .build()?;
    show(
        "spayd",
        &platba.encode(),
        spayd::parse(&platba.encode())? == platba,
    );

    // A UPI link for INR 10.
    let link = upi::Upi::builder(upi::Vpa::parse("nadeem@npci")?)
        .param("pn", "nadeem chinna")
        .amount(DecimalAmount::from_minor_units(1000, 2)?)
        .build()?;
    show("upi", &link.encode(), upi::parse(&link.encode())? == link);

    // A BIP21 request for 0.0002 BTC to a taproot address.
    let request = bip21::Bip21::builder(bip21::BitcoinAddress::parse(
        "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
    )?)
    .amount(DecimalAmount::new(20_000, 8, 4)?)
    .label("Donation")
    .build()?;
    show(
        "bip21",
        &request.encode(),
        bip21::parse(&request.encode())? == request,
    );
    Ok(())
}

fn show(format: &str, text: &str, round_trips: bool) {
    assert!(round_trips, "{format} does not round-trip");
    println!("{format}:\n{}\n", text.replace('\r', "\\r"));
}
