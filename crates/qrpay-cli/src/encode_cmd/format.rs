//! `qrpay encode --format ID`: the payment-QR formats other than EMV merchant-presented mode,
//! built through their builders in `qrpay_core`.

use clap::{Args, ValueEnum};
use qrpay_core::bic::Bic;
use qrpay_core::bip21::{Bip21, BitcoinAddress};
use qrpay_core::creditor_reference::CreditorReference;
use qrpay_core::decimal::DecimalAmount;
use qrpay_core::epc::{CharacterSet, Epc, LineSeparator, Version};
use qrpay_core::iban::Iban;
use qrpay_core::spayd::{Account, Spayd};
use qrpay_core::swiss::{self, Address, QrReference, Reference, SwissQrBill};
use qrpay_core::upi::{Upi, Vpa};

use super::flags::{given, need, only, refused, usage, FlagError};
use super::EncodeArgs;

/// The formats `--format` builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum FormatKind {
    /// EPC069-12 SEPA credit transfer ("GiroCode").
    Epc,
    /// Swiss QR-bill (SPC 0200).
    SwissQrBill,
    /// UPI deep link (`upi://pay?…`).
    Upi,
    /// Czech Short Payment Descriptor (`SPD*1.0*…`).
    Spayd,
    /// BIP21 bitcoin URI.
    Bip21,
}

impl FormatKind {
    fn name(self) -> &'static str {
        match self {
            FormatKind::Epc => "epc",
            FormatKind::SwissQrBill => "swiss-qr-bill",
            FormatKind::Upi => "upi",
            FormatKind::Spayd => "spayd",
            FormatKind::Bip21 => "bip21",
        }
    }

    /// The flags the format uses besides `--format` itself.
    fn flags(self) -> &'static [&'static str] {
        match self {
            FormatKind::Epc => &[
                "--iban",
                "--bic",
                "--merchant-name",
                "--amount",
                "--currency",
                "--purpose",
                "--reference",
                "--message",
                "--information",
                "--epc-version",
                "--epc-charset",
                "--crlf",
            ],
            FormatKind::SwissQrBill => &[
                "--iban",
                "--merchant-name",
                "--street",
                "--building-number",
                "--postal-code",
                "--city",
                "--country",
                "--amount",
                "--currency",
                "--debtor-name",
                "--debtor-street",
                "--debtor-building-number",
                "--debtor-postal-code",
                "--debtor-city",
                "--debtor-country",
                "--reference",
                "--message",
                "--bill-information",
                "--alt-scheme",
                "--crlf",
            ],
            FormatKind::Upi => &[
                "--vpa",
                "--merchant-name",
                "--mcc",
                "--txid",
                "--reference",
                "--message",
                "--amount",
                "--minimum-amount",
                "--currency",
                "--url",
                "--param",
            ],
            FormatKind::Spayd => &[
                "--iban",
                "--bic",
                "--amount",
                "--currency",
                "--reference",
                "--merchant-name",
                "--vs",
                "--ss",
                "--ks",
                "--due-date",
                "--message",
                "--param",
                "--crc32",
            ],
            FormatKind::Bip21 => &["--address", "--amount", "--label", "--message", "--param"],
        }
    }
}

/// The flags of `--format`.
#[derive(Debug, Args)]
#[command(next_help_heading = "Other formats (--format)")]
pub(crate) struct FormatArgs {
    /// Build a payment QR of another format (see below); --merchant-name is the payee,
    /// --amount is in major units, --reference the payment reference.
    #[arg(long, value_enum, conflicts_with_all = ["json", "scheme"])]
    pub(super) format: Option<FormatKind>,

    /// EPC, Swiss QR-bill, SPAYD: the payee's IBAN.
    #[arg(long)]
    pub(super) iban: Option<String>,
    /// EPC, SPAYD: the payee's BIC. QR Ph: the acquirer's or institution's BIC.
    #[arg(long)]
    pub(super) bic: Option<String>,
    /// Remittance text (EPC unstructured, Swiss message, SPAYD MSG, UPI tn, BIP21 message);
    /// PromptPay: the TrueMoney message.
    #[arg(long)]
    pub(super) message: Option<String>,
    /// EPC: beneficiary-to-originator information.
    #[arg(long)]
    pub(super) information: Option<String>,
    /// EPC: the version, 001 or 002 (default; 001 needs --bic).
    #[arg(long, value_name = "001|002")]
    pub(super) epc_version: Option<String>,
    /// EPC: the character set, 1 (UTF-8, default) to 8 (2 ISO 8859-1, 3 8859-2, 4 8859-4,
    /// 5 8859-5, 6 8859-7, 7 8859-10, 8 8859-15); in an ISO 8859 set the payload is written
    /// one byte per character, as raw bytes (pipe it to `qrpay render -`).
    #[arg(long, value_name = "1-8")]
    pub(super) epc_charset: Option<String>,
    /// EPC, Swiss QR-bill: separate lines with CR LF instead of LF.
    #[arg(long)]
    pub(super) crlf: bool,

    /// Swiss QR-bill: the creditor's street.
    #[arg(long)]
    pub(super) street: Option<String>,
    /// Swiss QR-bill: the creditor's building number.
    #[arg(long)]
    pub(super) building_number: Option<String>,
    /// Swiss QR-bill: the debtor's name.
    #[arg(long)]
    pub(super) debtor_name: Option<String>,
    /// Swiss QR-bill: the debtor's street.
    #[arg(long)]
    pub(super) debtor_street: Option<String>,
    /// Swiss QR-bill: the debtor's building number.
    #[arg(long)]
    pub(super) debtor_building_number: Option<String>,
    /// Swiss QR-bill: the debtor's postal code.
    #[arg(long)]
    pub(super) debtor_postal_code: Option<String>,
    /// Swiss QR-bill: the debtor's town.
    #[arg(long)]
    pub(super) debtor_city: Option<String>,
    /// Swiss QR-bill: the debtor's country (ISO 3166 alpha-2).
    #[arg(long)]
    pub(super) debtor_country: Option<String>,
    /// Swiss QR-bill: structured bill information (`//S1/…`).
    #[arg(long)]
    pub(super) bill_information: Option<String>,
    /// Swiss QR-bill: an alternative scheme parameter (at most two).
    #[arg(long, value_name = "TEXT")]
    pub(super) alt_scheme: Vec<String>,

    /// UPI: a URL with details of the transaction (`url`).
    #[arg(long)]
    pub(super) url: Option<String>,
    /// UPI, SPAYD, BIP21: any other parameter, `KEY=VALUE`, written in the order given.
    #[arg(long, value_name = "KEY=VALUE")]
    pub(super) param: Vec<String>,

    /// SPAYD: the variable symbol (X-VS).
    #[arg(long)]
    pub(super) vs: Option<String>,
    /// SPAYD: the specific symbol (X-SS).
    #[arg(long)]
    pub(super) ss: Option<String>,
    /// SPAYD: the constant symbol (X-KS).
    #[arg(long)]
    pub(super) ks: Option<String>,
    /// SPAYD: the due date, `YYYYMMDD` (DT).
    #[arg(long)]
    pub(super) due_date: Option<String>,
    /// SPAYD: append a CRC32 of the canonical form.
    #[arg(long)]
    pub(super) crc32: bool,

    /// BIP21: the bitcoin address.
    #[arg(long)]
    pub(super) address: Option<String>,
    /// BIP21: the label for the address.
    #[arg(long)]
    pub(super) label: Option<String>,
}

impl FormatArgs {
    pub(super) fn given(&self) -> Vec<&'static str> {
        given!(self;
            iban => "--iban",
            bic => "--bic",
            message => "--message",
            information => "--information",
            epc_version => "--epc-version",
            epc_charset => "--epc-charset",
            crlf => "--crlf",
            street => "--street",
            building_number => "--building-number",
            debtor_name => "--debtor-name",
            debtor_street => "--debtor-street",
            debtor_building_number => "--debtor-building-number",
            debtor_postal_code => "--debtor-postal-code",
            debtor_city => "--debtor-city",
            debtor_country => "--debtor-country",
            bill_information => "--bill-information",
            alt_scheme => "--alt-scheme",
            url => "--url",
            param => "--param",
            vs => "--vs",
            ss => "--ss",
            ks => "--ks",
            due_date => "--due-date",
            crc32 => "--crc32",
            address => "--address",
            label => "--label",
        )
    }
}

/// Builds the payload of `--format kind` from the flags, as the bytes a QR code carries (UTF-8
/// text but for an EPC code in an ISO 8859 character set).
pub(super) fn build(args: &EncodeArgs, kind: FormatKind) -> Result<Vec<u8>, FlagError> {
    let what = format!("--format {}", kind.name());
    only(args, &what, kind.flags())?;
    match kind {
        FormatKind::Epc => epc(args, &what),
        FormatKind::SwissQrBill => swiss_qr_bill(args, &what).map(String::into_bytes),
        FormatKind::Upi => upi(args, &what).map(String::into_bytes),
        FormatKind::Spayd => spayd(args, &what).map(String::into_bytes),
        FormatKind::Bip21 => bip21(args, &what).map(String::into_bytes),
    }
}

/// Refuses `--currency` unless it names one of `allowed` (alphabetic or numeric).
fn currency<'a>(
    args: &EncodeArgs,
    what: &str,
    allowed: &[(&'a str, &str)],
) -> Result<Option<&'a str>, FlagError> {
    let Some(code) = &args.currency else {
        return Ok(None);
    };
    allowed
        .iter()
        .find(|(alpha, numeric)| code.eq_ignore_ascii_case(alpha) || code == numeric)
        .map(|(alpha, _)| Some(*alpha))
        .ok_or_else(|| {
            let names: Vec<&str> = allowed.iter().map(|(a, _)| *a).collect();
            refused(format_args!(
                "{what} takes --currency {}, not {code:?}",
                names.join(" or ")
            ))
        })
}

fn decimal(text: &str, exponent: u8) -> Result<DecimalAmount, FlagError> {
    DecimalAmount::parse(text, exponent)
        .map_err(|e| refused(format_args!("--amount {text:?}: {e}")))
}

fn iban(args: &EncodeArgs, what: &str) -> Result<Iban, FlagError> {
    let text = need(args.format.iban.as_ref(), "--iban", what)?;
    Iban::parse(text).map_err(|e| refused(format_args!("--iban {text:?}: {e}")))
}

fn bic(args: &EncodeArgs) -> Result<Option<Bic>, FlagError> {
    args.format
        .bic
        .as_ref()
        .map(|text| Bic::parse(text).map_err(|e| refused(format_args!("--bic {text:?}: {e}"))))
        .transpose()
}

/// `KEY=VALUE` pairs of `--param`.
fn params(args: &EncodeArgs) -> Result<Vec<(&str, &str)>, FlagError> {
    args.format
        .param
        .iter()
        .map(|p| {
            p.split_once('=')
                .ok_or_else(|| FlagError::Usage(format!("--param {p:?}: use KEY=VALUE")))
        })
        .collect()
}

fn separator(args: &EncodeArgs) -> LineSeparator {
    if args.format.crlf {
        LineSeparator::CrLf
    } else {
        LineSeparator::Lf
    }
}

fn epc(args: &EncodeArgs, what: &str) -> Result<Vec<u8>, FlagError> {
    let f = &args.format;
    currency(args, what, &[("EUR", "978")])?;
    let name = need(args.merchant_name.as_ref(), "--merchant-name", what)?;
    let mut b = Epc::builder(name, iban(args, what)?).separator(separator(args));
    b = match f.epc_version.as_deref() {
        None | Some("002") => b.version(Version::V002),
        Some("001") => b.version(Version::V001),
        Some(other) => return usage(format!("--epc-version {other:?}: use 001 or 002")),
    };
    if let Some(code) = f.epc_charset.as_deref() {
        b = b.character_set(match code {
            "1" => CharacterSet::Utf8,
            "2" => CharacterSet::Iso8859_1,
            "3" => CharacterSet::Iso8859_2,
            "4" => CharacterSet::Iso8859_4,
            "5" => CharacterSet::Iso8859_5,
            "6" => CharacterSet::Iso8859_7,
            "7" => CharacterSet::Iso8859_10,
            "8" => CharacterSet::Iso8859_15,
            other => return usage(format!("--epc-charset {other:?}: use 1 to 8")),
        });
    }
    if let Some(bic) = bic(args)? {
        b = b.bic(bic);
    }
    if let Some(text) = &args.amount {
        b = b.amount(decimal(text, 2)?);
    }
    if let Some(purpose) = &args.purpose {
        b = b.purpose(purpose.as_str());
    }
    if let Some(text) = &args.reference {
        let reference = CreditorReference::parse(text)
            .map_err(|e| refused(format_args!("--reference {text:?}: {e}")))?;
        b = b.structured_remittance(reference);
    }
    if let Some(message) = &f.message {
        b = b.unstructured_remittance(message.as_str());
    }
    if let Some(info) = &f.information {
        b = b.information(info.as_str());
    }
    b.build()
        .map(|epc| epc.to_bytes())
        .map_err(|e| refused(format_args!("{what}: {e}")))
}

fn swiss_qr_bill(args: &EncodeArgs, what: &str) -> Result<String, FlagError> {
    let f = &args.format;
    let currency = match currency(args, what, &[("CHF", "756"), ("EUR", "978")])? {
        Some("EUR") => swiss::Currency::Eur,
        _ => swiss::Currency::Chf,
    };
    let creditor = Address::Structured {
        name: need(args.merchant_name.as_ref(), "--merchant-name", what)?.to_owned(),
        street: f.street.clone(),
        building_number: f.building_number.clone(),
        postal_code: need(args.postal_code.as_ref(), "--postal-code", what)?.to_owned(),
        town: need(args.city.as_ref(), "--city", what)?.to_owned(),
        country: need(args.country.as_ref(), "--country", what)?.to_owned(),
    };
    let mut b =
        SwissQrBill::builder(iban(args, what)?, creditor, currency).separator(separator(args));
    if let Some(text) = &args.amount {
        b = b.amount(decimal(text, 2)?);
    }
    let debtor_given = [
        &f.debtor_street,
        &f.debtor_building_number,
        &f.debtor_postal_code,
        &f.debtor_city,
        &f.debtor_country,
    ]
    .iter()
    .any(|v| v.is_some());
    if f.debtor_name.is_some() || debtor_given {
        let debtor = "a debtor";
        b = b.debtor(Address::Structured {
            name: need(f.debtor_name.as_ref(), "--debtor-name", debtor)?.to_owned(),
            street: f.debtor_street.clone(),
            building_number: f.debtor_building_number.clone(),
            postal_code: need(
                f.debtor_postal_code.as_ref(),
                "--debtor-postal-code",
                debtor,
            )?
            .to_owned(),
            town: need(f.debtor_city.as_ref(), "--debtor-city", debtor)?.to_owned(),
            country: need(f.debtor_country.as_ref(), "--debtor-country", debtor)?.to_owned(),
        });
    }
    if let Some(text) = &args.reference {
        // An ISO 11649 reference starts with RF; a QR reference is 27 digits.
        let reference = if text.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("RF")) {
            CreditorReference::parse(text)
                .map(Reference::Scor)
                .map_err(|e| refused(format_args!("--reference {text:?}: {e}")))?
        } else {
            QrReference::parse(text)
                .map(Reference::Qrr)
                .map_err(|e| refused(format_args!("--reference {text:?}: {e}")))?
        };
        b = b.reference(reference);
    }
    if let Some(message) = &f.message {
        b = b.unstructured_message(message.as_str());
    }
    if let Some(info) = &f.bill_information {
        b = b.bill_information(info.as_str());
    }
    for alt in &f.alt_scheme {
        b = b.alternative_scheme(alt.as_str());
    }
    b.build()
        .map(|bill| bill.encode())
        .map_err(|e| refused(format_args!("{what}: {e}")))
}

fn upi(args: &EncodeArgs, what: &str) -> Result<String, FlagError> {
    let (f, s) = (&args.format, &args.scheme);
    let text = need(s.vpa.as_ref(), "--vpa", what)?;
    let vpa = Vpa::parse(text).map_err(|e| refused(format_args!("--vpa {text:?}: {e}")))?;
    let mut b = Upi::builder(vpa);
    // The order of the NPCI linking specification's sample: pa, pn, mc, tid, tr, tn, am, mam,
    // cu, url.
    let before_amount = [
        ("pn", &args.merchant_name),
        ("mc", &args.mcc),
        ("tid", &s.txid),
        ("tr", &args.reference),
        ("tn", &f.message),
    ];
    for (key, value) in before_amount {
        if let Some(v) = value {
            b = b.param(key, v.as_str());
        }
    }
    if let Some(text) = &args.amount {
        b = b.amount(decimal(text, 2)?);
    }
    if let Some(text) = &s.minimum_amount {
        b = b.param("mam", text.as_str());
    }
    if let Some(code) = currency(args, what, &[("INR", "356")])? {
        if args.amount.is_none() {
            b = b.param("cu", code);
        }
    }
    if let Some(url) = &f.url {
        b = b.param("url", url.as_str());
    }
    for (key, value) in params(args)? {
        b = b.param(key, value);
    }
    b.build()
        .map(|upi| upi.encode())
        .map_err(|e| refused(format_args!("{what}: {e}")))
}

fn spayd(args: &EncodeArgs, what: &str) -> Result<String, FlagError> {
    let f = &args.format;
    let account = Account {
        iban: iban(args, what)?,
        bic: bic(args)?,
    };
    let mut b = Spayd::builder(account);
    if let Some(text) = &args.amount {
        b = b.amount(decimal(text, 2)?);
    }
    if let Some(code) = &args.currency {
        b = b.attribute("CC", code.as_str());
    }
    // The order of the format description's example: ACC, AM, CC, RF, RN, X-VS, X-SS, X-KS,
    // DT, MSG.
    let attributes = [
        ("RF", &args.reference),
        ("RN", &args.merchant_name),
        ("X-VS", &f.vs),
        ("X-SS", &f.ss),
        ("X-KS", &f.ks),
        ("DT", &f.due_date),
        ("MSG", &f.message),
    ];
    for (key, value) in attributes {
        if let Some(v) = value {
            b = b.attribute(key, v.as_str());
        }
    }
    for (key, value) in params(args)? {
        b = b.attribute(key, value);
    }
    if f.crc32 {
        b = b.crc32();
    }
    b.build()
        .map(|spayd| spayd.encode())
        .map_err(|e| refused(format_args!("{what}: {e}")))
}

fn bip21(args: &EncodeArgs, what: &str) -> Result<String, FlagError> {
    let f = &args.format;
    let text = need(f.address.as_ref(), "--address", what)?;
    let address = BitcoinAddress::parse(text)
        .map_err(|e| refused(format_args!("--address {text:?}: {e}")))?;
    let mut b = Bip21::builder(address);
    if let Some(text) = &args.amount {
        b = b.amount(decimal(text, 8)?);
    }
    if let Some(label) = &f.label {
        b = b.label(label.as_str());
    }
    if let Some(message) = &f.message {
        b = b.message(message.as_str());
    }
    for (key, value) in params(args)? {
        b = b.param(key, value);
    }
    b.build()
        .map(|uri| uri.encode())
        .map_err(|e| refused(format_args!("{what}: {e}")))
}
