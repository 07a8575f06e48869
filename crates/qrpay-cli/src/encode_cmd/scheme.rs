//! `qrpay encode --scheme ID`: a national profile built through its builder in
//! `qrpay_core::schemes`, from the profile's own flags and the common ones.

use clap::{Args, ValueEnum};
use qrpay_core::emv::PointOfInitiation;
use qrpay_core::schemes::bharatqr::BharatQrBuilder;
use qrpay_core::schemes::duitnow::DuitNowBuilder;
use qrpay_core::schemes::khqr::KhqrBuilder;
use qrpay_core::schemes::paynow::{PayNowBuilder, SgqrIdentity};
use qrpay_core::schemes::pix::PixBuilder;
use qrpay_core::schemes::promptpay::PromptPayBuilder;
use qrpay_core::schemes::qris::QrisBuilder;
use qrpay_core::schemes::qrph::QrPhBuilder;
use qrpay_core::schemes::vietqr::VietQrBuilder;
use qrpay_core::schemes::BuildError;
use qrpay_core::{Amount, Currency};

use super::flags::{apply, given, need, only, refused, usage, FlagError};
use super::EncodeArgs;

/// The national profiles `--scheme` builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SchemeKind {
    /// Brazil's Pix (BR Code).
    Pix,
    /// Thailand's PromptPay: transfers, TrueMoney and bill payments.
    Promptpay,
    /// Indonesia's QRIS.
    Qris,
    /// Singapore's PayNow.
    Paynow,
    /// PayNow with Singapore's SGQR identity template.
    Sgqr,
    /// Malaysia's DuitNow.
    Duitnow,
    /// Vietnam's VietQR (NAPAS).
    Vietqr,
    /// Cambodia's KHQR (Bakong).
    Khqr,
    /// The Philippines' QR Ph (P2M, or P2P with --qrph-p2p).
    Qrph,
    /// India's Bharat QR: UPI with card-network ids.
    Bharatqr,
    /// UPI inside an EMV code (NPCI template only).
    Upi,
}

impl SchemeKind {
    fn name(self) -> &'static str {
        match self {
            SchemeKind::Pix => "pix",
            SchemeKind::Promptpay => "promptpay",
            SchemeKind::Qris => "qris",
            SchemeKind::Paynow => "paynow",
            SchemeKind::Sgqr => "sgqr",
            SchemeKind::Duitnow => "duitnow",
            SchemeKind::Vietqr => "vietqr",
            SchemeKind::Khqr => "khqr",
            SchemeKind::Qrph => "qrph",
            SchemeKind::Bharatqr => "bharatqr",
            SchemeKind::Upi => "upi",
        }
    }

    /// The ISO 4217 numeric code of the scheme's currency (KHQR: riel, or dollars by flag)
    /// and its ISO 3166 country.
    fn home(self) -> (u16, &'static str) {
        match self {
            SchemeKind::Pix => (986, "BR"),
            SchemeKind::Promptpay => (764, "TH"),
            SchemeKind::Qris => (360, "ID"),
            SchemeKind::Paynow | SchemeKind::Sgqr => (702, "SG"),
            SchemeKind::Duitnow => (458, "MY"),
            SchemeKind::Vietqr => (704, "VN"),
            SchemeKind::Khqr => (116, "KH"),
            SchemeKind::Qrph => (608, "PH"),
            SchemeKind::Bharatqr | SchemeKind::Upi => (356, "IN"),
        }
    }

    /// The flags the scheme uses besides `--scheme` itself: [`COMMON`] and its own.
    fn flags(self) -> Vec<&'static str> {
        let own: &[&[&str]] = match self {
            SchemeKind::Pix => &[&[
                "--pix-key",
                "--pix-url",
                "--pix-recurrence-url",
                "--info",
                "--txid",
                "--reference",
                "--fss",
                "--postal-code",
                "--mcc",
                "--initiation",
            ]],
            SchemeKind::Promptpay => &[&[
                "--promptpay-mobile",
                "--promptpay-id",
                "--promptpay-ewallet",
                "--promptpay-account",
                "--truemoney",
                "--biller-id",
                "--ref1",
                "--ref2",
                "--ref3",
                "--message",
                "--initiation",
            ]],
            SchemeKind::Qris => &[&[
                "--nmid",
                "--criteria",
                "--qris-issuer",
                "--qris-transfer",
                "--postal-code",
                "--mcc",
                "--bill-number",
                "--terminal-label",
            ]],
            SchemeKind::Paynow => &[PAYNOW],
            SchemeKind::Sgqr => &[PAYNOW, SGQR],
            SchemeKind::Duitnow => &[&[
                "--participant-id",
                "--account",
                "--merchant-descriptor",
                "--mobile-number",
                "--postal-code",
                "--mcc",
                "--reference",
            ]],
            SchemeKind::Vietqr => &[&[
                "--bank-bin",
                "--account",
                "--service",
                "--bill-number",
                "--purpose",
            ]],
            SchemeKind::Khqr => &[&[
                "--bakong-id",
                "--merchant-id",
                "--acquiring-bank",
                "--account-information",
                "--mcc",
                "--bill-number",
                "--mobile-number",
                "--store-label",
                "--terminal-label",
                "--purpose",
                "--language",
                "--created-at-ms",
                "--expires-at-ms",
            ]],
            SchemeKind::Qrph => &[&[
                "--bic",
                "--merchant-id",
                "--qrph-p2p",
                "--account",
                "--mobile-number",
                "--mcc",
                "--reference",
            ]],
            SchemeKind::Bharatqr => &[UPI, BHARATQR],
            SchemeKind::Upi => &[UPI],
        };
        own.iter()
            .flat_map(|list| list.iter())
            .chain(COMMON)
            .copied()
            .collect()
    }
}

/// The flags of every scheme: the amount, its currency and where the merchant is.
const COMMON: &[&str] = &[
    "--amount",
    "--currency",
    "--country",
    "--merchant-name",
    "--city",
];

/// PayNow's own flags (SGQR adds [`SGQR`]).
const PAYNOW: &[&str] = &[
    "--paynow-mobile",
    "--paynow-uen",
    "--editable",
    "--expiry",
    "--reference",
    "--bill-number",
    "--mcc",
    "--initiation",
];

/// The SGQR identity template's flags.
const SGQR: &[&str] = &[
    "--sgqr-id",
    "--sgqr-version",
    "--sgqr-postal-code",
    "--sgqr-level",
    "--sgqr-unit",
    "--sgqr-misc",
    "--sgqr-revision-date",
];

/// UPI-in-EMV's own flags (Bharat QR adds [`BHARATQR`]).
const UPI: &[&str] = &[
    "--vpa",
    "--minimum-amount",
    "--transaction-ref",
    "--mcc",
    "--postal-code",
    "--reference",
    "--terminal-label",
];

/// The card-network and account flags Bharat QR adds to UPI's.
const BHARATQR: &[&str] = &["--visa", "--mastercard", "--rupay", "--ifsc-account"];

/// The flags of `--scheme`.
#[derive(Debug, Args)]
#[command(next_help_heading = "National schemes (--scheme)")]
pub(crate) struct SchemeArgs {
    /// Build a national profile with its own flags (see below); common flags such as
    /// --amount (in major units), --merchant-name, --city, --mcc and --reference apply.
    #[arg(long, value_enum, conflicts_with_all = ["json", "format"])]
    pub(super) scheme: Option<SchemeKind>,

    /// Pix: the key (e-mail, +55 phone, CPF, CNPJ or random key) of a static code.
    #[arg(long, value_name = "KEY", conflicts_with = "pix_url")]
    pub(super) pix_key: Option<String>,
    /// Pix: the charge location of a dynamic code, without https://.
    #[arg(long, value_name = "URL")]
    pub(super) pix_url: Option<String>,
    /// Pix Automático: the recurrence location (80.25), without https://.
    #[arg(long, value_name = "URL")]
    pub(super) pix_recurrence_url: Option<String>,
    /// Pix: a message to the payer (26.02).
    #[arg(long)]
    pub(super) info: Option<String>,
    /// Pix: the transaction id (62.05; `***` when absent). UPI links: `tid`.
    #[arg(long)]
    pub(super) txid: Option<String>,
    /// Pix: the withdrawal facilitator's ISPB (26.03).
    #[arg(long, value_name = "ISPB")]
    pub(super) fss: Option<String>,

    /// PromptPay: a Thai mobile number (`0812345678`, `+66…`).
    #[arg(long, value_name = "PHONE")]
    pub(super) promptpay_mobile: Option<String>,
    /// PromptPay: a national id or tax id (13 digits).
    #[arg(long, value_name = "ID")]
    pub(super) promptpay_id: Option<String>,
    /// PromptPay: an e-wallet id (15 digits).
    #[arg(long, value_name = "ID")]
    pub(super) promptpay_ewallet: Option<String>,
    /// PromptPay: a bank account number.
    #[arg(long, value_name = "ACCOUNT")]
    pub(super) promptpay_account: Option<String>,
    /// PromptPay: a TrueMoney wallet by its mobile number (10 digits).
    #[arg(long, value_name = "PHONE")]
    pub(super) truemoney: Option<String>,
    /// PromptPay bill payment: the biller id (13 to 15 digits); needs --ref1.
    #[arg(long, value_name = "ID")]
    pub(super) biller_id: Option<String>,
    /// PromptPay bill payment: reference 1 (30.02).
    #[arg(long)]
    pub(super) ref1: Option<String>,
    /// PromptPay bill payment: reference 2 (30.03).
    #[arg(long)]
    pub(super) ref2: Option<String>,
    /// PromptPay bill payment: reference 3 (62.07).
    #[arg(long)]
    pub(super) ref3: Option<String>,

    /// QRIS: the national merchant id (51.02); needs --criteria.
    #[arg(long)]
    pub(super) nmid: Option<String>,
    /// QRIS: the merchant criteria of template 51 (UMI, UKE, UME, UBE, URE).
    #[arg(long)]
    pub(super) criteria: Option<String>,
    /// QRIS: an issuer template, `TAG:GUI:PAN:MERCHANT_ID:CRITERIA` (tags 26–45).
    #[arg(long, value_name = "SPEC")]
    pub(super) qris_issuer: Vec<String>,
    /// QRIS transfer (template 40): `GUI:CUSTOMER_PAN:BENEFICIARY_ID:PURPOSE`.
    #[arg(long, value_name = "SPEC")]
    pub(super) qris_transfer: Option<String>,

    /// PayNow: a Singapore mobile number (`+65` and 8 digits).
    #[arg(long, value_name = "PHONE", conflicts_with = "paynow_uen")]
    pub(super) paynow_mobile: Option<String>,
    /// PayNow: a UEN.
    #[arg(long)]
    pub(super) paynow_uen: Option<String>,
    /// PayNow: let the payer edit the amount.
    #[arg(long)]
    pub(super) editable: bool,
    /// PayNow: the expiry, `YYYYMMDD` or `YYYYMMDDhhmmss`.
    #[arg(long)]
    pub(super) expiry: Option<String>,
    /// SGQR: the SGQR id (51.01).
    #[arg(long)]
    pub(super) sgqr_id: Option<String>,
    /// SGQR: the version (51.02), `01.0001` by default.
    #[arg(long)]
    pub(super) sgqr_version: Option<String>,
    /// SGQR: the postal code (51.03).
    #[arg(long)]
    pub(super) sgqr_postal_code: Option<String>,
    /// SGQR: the level (51.04).
    #[arg(long)]
    pub(super) sgqr_level: Option<String>,
    /// SGQR: the unit number (51.05).
    #[arg(long)]
    pub(super) sgqr_unit: Option<String>,
    /// SGQR: miscellaneous (51.06).
    #[arg(long)]
    pub(super) sgqr_misc: Option<String>,
    /// SGQR: the revision date, `YYYYMMDD` (51.07).
    #[arg(long)]
    pub(super) sgqr_revision_date: Option<String>,

    /// DuitNow: the acquirer id (26.01, PayNet's participant code of up to 6 digits);
    /// --account is the QR id or merchant id the acquirer assigned (26.02).
    #[arg(long)]
    pub(super) participant_id: Option<String>,
    /// DuitNow: the merchant descriptor the acquirer assigned (26.03).
    #[arg(long)]
    pub(super) merchant_descriptor: Option<String>,

    /// VietQR: the bank's 6-digit BIN; --account is the account or card number.
    #[arg(long, value_name = "BIN")]
    pub(super) bank_bin: Option<String>,
    /// VietQR: the service, QRIBFTTA (to an account, default) or QRIBFTTC (to a card).
    #[arg(long, value_name = "CODE")]
    pub(super) service: Option<String>,

    /// KHQR: the Bakong account id, `name@bank`.
    #[arg(long, value_name = "ID")]
    pub(super) bakong_id: Option<String>,
    /// KHQR merchant (30) or QR Ph P2M: the merchant id.
    #[arg(long)]
    pub(super) merchant_id: Option<String>,
    /// KHQR: the acquiring bank.
    #[arg(long)]
    pub(super) acquiring_bank: Option<String>,
    /// KHQR individual: the account information (29.01).
    #[arg(long)]
    pub(super) account_information: Option<String>,
    /// The payee's mobile number: KHQR 62.02, DuitNow 26.04, QR Ph P2P 27.05.
    #[arg(long)]
    pub(super) mobile_number: Option<String>,
    /// KHQR: the merchant in another language (64), `LANG:NAME[:CITY]`.
    #[arg(long, value_name = "LANG:NAME[:CITY]")]
    pub(super) language: Option<String>,
    /// KHQR: the creation time (99.00), milliseconds since 1970.
    #[arg(long, value_name = "MS")]
    pub(super) created_at_ms: Option<u64>,
    /// KHQR: the expiry time (99.01), milliseconds since 1970; needs --created-at-ms.
    #[arg(long, value_name = "MS")]
    pub(super) expires_at_ms: Option<u64>,

    /// QR Ph: a person-to-person (InstaPay) code (27) paying --account (27.04) at --bic.
    #[arg(long)]
    pub(super) qrph_p2p: bool,

    /// Bharat QR and UPI: the payee's UPI address (VPA), `name@handle`.
    #[arg(long)]
    pub(super) vpa: Option<String>,
    /// Bharat QR: the Visa merchant id (02).
    #[arg(long, value_name = "ID")]
    pub(super) visa: Option<String>,
    /// Bharat QR: the Mastercard merchant id (04).
    #[arg(long, value_name = "ID")]
    pub(super) mastercard: Option<String>,
    /// Bharat QR: the RuPay merchant id (06).
    #[arg(long, value_name = "ID")]
    pub(super) rupay: Option<String>,
    /// Bharat QR: the IFSC followed by the account number (08).
    #[arg(long, value_name = "IFSC_ACCOUNT")]
    pub(super) ifsc_account: Option<String>,
    /// Bharat QR and UPI: the minimum amount, in rupees.
    #[arg(long, value_name = "AMOUNT")]
    pub(super) minimum_amount: Option<String>,
    /// Bharat QR and UPI in EMV: the transaction reference (27.01).
    #[arg(long, value_name = "REF")]
    pub(super) transaction_ref: Option<String>,
}

impl SchemeArgs {
    pub(super) fn given(&self) -> Vec<&'static str> {
        given!(self;
            pix_key => "--pix-key",
            pix_url => "--pix-url",
            pix_recurrence_url => "--pix-recurrence-url",
            info => "--info",
            txid => "--txid",
            fss => "--fss",
            promptpay_mobile => "--promptpay-mobile",
            promptpay_id => "--promptpay-id",
            promptpay_ewallet => "--promptpay-ewallet",
            promptpay_account => "--promptpay-account",
            truemoney => "--truemoney",
            biller_id => "--biller-id",
            ref1 => "--ref1",
            ref2 => "--ref2",
            ref3 => "--ref3",
            nmid => "--nmid",
            criteria => "--criteria",
            qris_issuer => "--qris-issuer",
            qris_transfer => "--qris-transfer",
            paynow_mobile => "--paynow-mobile",
            paynow_uen => "--paynow-uen",
            editable => "--editable",
            expiry => "--expiry",
            sgqr_id => "--sgqr-id",
            sgqr_version => "--sgqr-version",
            sgqr_postal_code => "--sgqr-postal-code",
            sgqr_level => "--sgqr-level",
            sgqr_unit => "--sgqr-unit",
            sgqr_misc => "--sgqr-misc",
            sgqr_revision_date => "--sgqr-revision-date",
            participant_id => "--participant-id",
            merchant_descriptor => "--merchant-descriptor",
            bank_bin => "--bank-bin",
            service => "--service",
            bakong_id => "--bakong-id",
            merchant_id => "--merchant-id",
            acquiring_bank => "--acquiring-bank",
            account_information => "--account-information",
            mobile_number => "--mobile-number",
            language => "--language",
            created_at_ms => "--created-at-ms",
            expires_at_ms => "--expires-at-ms",
            qrph_p2p => "--qrph-p2p",
            vpa => "--vpa",
            visa => "--visa",
            mastercard => "--mastercard",
            rupay => "--rupay",
            ifsc_account => "--ifsc-account",
            minimum_amount => "--minimum-amount",
            transaction_ref => "--transaction-ref",
        )
    }
}

/// Builds the payload of `--scheme kind` from the flags.
pub(super) fn build(args: &EncodeArgs, kind: SchemeKind) -> Result<String, FlagError> {
    let what = format!("--scheme {}", kind.name());
    only(args, &what, &kind.flags())?;
    let ctx = Context::new(args, kind, what)?;
    let built = match kind {
        SchemeKind::Pix => pix(&ctx),
        SchemeKind::Promptpay => promptpay(&ctx),
        SchemeKind::Qris => qris(&ctx),
        SchemeKind::Paynow | SchemeKind::Sgqr => paynow(&ctx),
        SchemeKind::Duitnow => duitnow(&ctx),
        SchemeKind::Vietqr => vietqr(&ctx),
        SchemeKind::Khqr => khqr(&ctx),
        SchemeKind::Qrph => qrph(&ctx),
        SchemeKind::Bharatqr | SchemeKind::Upi => bharatqr(&ctx),
    }?;
    built.map_err(|e| refused(format_args!("{}: {e}", ctx.what)))
}

/// The flags with the values every scheme needs worked out: currency, amount in minor units.
struct Context<'a> {
    args: &'a EncodeArgs,
    s: &'a SchemeArgs,
    what: String,
    amount_minor: Option<u64>,
    currency: Currency,
}

type Built = Result<Result<String, BuildError>, FlagError>;

impl<'a> Context<'a> {
    fn new(args: &'a EncodeArgs, kind: SchemeKind, what: String) -> Result<Self, FlagError> {
        let (numeric, country) = kind.home();
        let mut currency = Currency::from_numeric(numeric)
            .ok_or_else(|| refused(format_args!("{what}: no ISO 4217 currency {numeric}")))?;
        if let Some(code) = &args.currency {
            let given = Currency::parse(code)
                .ok_or_else(|| refused(format_args!("--currency {code:?} is not ISO 4217")))?;
            let usd_khqr = kind == SchemeKind::Khqr && given.numeric() == 840;
            if given != currency && !usd_khqr {
                return Err(refused(format_args!(
                    "{what} codes are in {}, not {}",
                    currency.alpha(),
                    given.alpha()
                )));
            }
            currency = given;
        }
        if let Some(c) = args.country.as_deref().filter(|&c| c != country) {
            return Err(refused(format_args!(
                "{what} codes are for country {country}, not {c:?}"
            )));
        }
        let amount_minor = match &args.amount {
            Some(text) => Some(minor(text, currency, "--amount")?),
            None => None,
        };
        Ok(Context {
            args,
            s: &args.scheme,
            what,
            amount_minor,
            currency,
        })
    }

    fn need(&self, value: Option<&'a String>, flag: &str) -> Result<&'a str, FlagError> {
        need(value, flag, &self.what)
    }

    fn name_and_city(&self) -> Result<(&'a str, &'a str), FlagError> {
        Ok((
            self.need(self.args.merchant_name.as_ref(), "--merchant-name")?,
            self.need(self.args.city.as_ref(), "--city")?,
        ))
    }

    /// The one `--account` value (the payee's account number in scheme mode).
    fn account(&self) -> Result<Option<&'a str>, FlagError> {
        match self.args.account.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(one)),
            _ => usage(format!("{} takes one --account", self.what)),
        }
    }

    fn initiation(&self) -> Result<Option<PointOfInitiation>, FlagError> {
        match self.args.initiation.as_deref() {
            None => Ok(None),
            Some("static") => Ok(Some(PointOfInitiation::Static)),
            Some("dynamic") => Ok(Some(PointOfInitiation::Dynamic)),
            Some(other) => usage(format!("--initiation {other:?}: use static or dynamic")),
        }
    }
}

/// `text` in major units as exact minor units of `currency`.
fn minor(text: &str, currency: Currency, flag: &str) -> Result<u64, FlagError> {
    Amount::parse(text)
        .and_then(|a| a.to_minor(currency.exponent()))
        .map_err(|e| refused(format_args!("{flag} {text:?}: {e}")))
}

fn pix(c: &Context<'_>) -> Built {
    let (s, a) = (c.s, c.args);
    let (name, city) = c.name_and_city()?;
    let mut b = match (&s.pix_key, &s.pix_url, &s.pix_recurrence_url) {
        (Some(key), _, _) => PixBuilder::with_key(key),
        (None, Some(url), _) => PixBuilder::with_url(url),
        (None, None, Some(recurrence)) => PixBuilder::recurrence_only(recurrence),
        (None, None, None) => {
            return usage("--scheme pix needs --pix-key, --pix-url or --pix-recurrence-url")
        }
    };
    b = b.merchant_name(name).merchant_city(city);
    apply!(b;
        &s.pix_recurrence_url => recurrence_url,
        &s.info => info,
        &s.fss => fss,
    );
    if s.txid.is_some() && a.reference.is_some() {
        return usage("--txid and --reference are both 62.05 in a pix code: give one");
    }
    apply!(b;
        s.txid.as_ref().or(a.reference.as_ref()) => txid,
        c.amount_minor => amount_minor,
        &a.postal_code => postal_code,
        &a.mcc => merchant_category_code,
        c.initiation()? => point_of_initiation,
    );
    Ok(b.build())
}

fn promptpay(c: &Context<'_>) -> Built {
    let (s, a) = (c.s, c.args);
    let targets = [
        ("--promptpay-mobile", &s.promptpay_mobile),
        ("--promptpay-id", &s.promptpay_id),
        ("--promptpay-ewallet", &s.promptpay_ewallet),
        ("--promptpay-account", &s.promptpay_account),
        ("--truemoney", &s.truemoney),
        ("--biller-id", &s.biller_id),
    ];
    let mut set = targets
        .iter()
        .filter_map(|(f, v)| v.as_ref().map(|v| (*f, v)));
    let (flag, value) = match (set.next(), set.next()) {
        (Some(one), None) => one,
        (Some((f1, _)), Some((f2, _))) => {
            return usage(format!("{f1} and {f2} exclude each other"))
        }
        (None, _) => {
            return usage(
                "--scheme promptpay needs one of --promptpay-mobile, --promptpay-id, \
                 --promptpay-ewallet, --promptpay-account, --truemoney, --biller-id",
            )
        }
    };
    let bill = flag == "--biller-id";
    if !bill {
        if let Some((f, _)) = [
            ("--ref1", &s.ref1),
            ("--ref2", &s.ref2),
            ("--ref3", &s.ref3),
        ]
        .into_iter()
        .find(|(_, v)| v.is_some())
        {
            return usage(format!("{f} needs --biller-id"));
        }
    }
    let made = match flag {
        "--promptpay-mobile" => PromptPayBuilder::mobile(value),
        "--promptpay-id" => PromptPayBuilder::national_id(value),
        "--promptpay-ewallet" => PromptPayBuilder::ewallet(value),
        "--promptpay-account" => PromptPayBuilder::bank_account(value),
        "--truemoney" => PromptPayBuilder::truemoney(value),
        _ => {
            let ref1 = need(s.ref1.as_ref(), "--ref1", "--biller-id")?;
            PromptPayBuilder::bill_payment(value, ref1)
                .and_then(|b| match &s.ref2 {
                    Some(r) => b.ref2(r),
                    None => Ok(b),
                })
                .and_then(|b| match &s.ref3 {
                    Some(r) => b.ref3(r),
                    None => Ok(b),
                })
        }
    };
    let mut b = match made {
        Ok(b) => b,
        Err(e) => return Ok(Err(e)),
    };
    apply!(b;
        c.amount_minor => amount_minor,
        &a.merchant_name => merchant_name,
        &a.city => merchant_city,
        &a.format.message => message,
        c.initiation()? => point_of_initiation,
    );
    Ok(b.build())
}

fn qris(c: &Context<'_>) -> Built {
    let (s, a) = (c.s, c.args);
    let (name, city) = c.name_and_city()?;
    let mut b = match &s.qris_transfer {
        Some(spec) => {
            let parts: Vec<&str> = spec.split(':').collect();
            let [gui, pan, beneficiary, purpose] = parts.as_slice() else {
                return usage(format!(
                    "--qris-transfer {spec:?}: use GUI:CUSTOMER_PAN:BENEFICIARY_ID:PURPOSE"
                ));
            };
            QrisBuilder::transfer(name, city, gui, pan, beneficiary, purpose)
        }
        None => QrisBuilder::new(name, city),
    };
    for spec in &s.qris_issuer {
        let parts: Vec<&str> = spec.split(':').collect();
        let [tag, gui, pan, merchant_id, criteria] = parts.as_slice() else {
            return usage(format!(
                "--qris-issuer {spec:?}: use TAG:GUI:PAN:MERCHANT_ID:CRITERIA"
            ));
        };
        let tag: u8 = tag
            .parse()
            .map_err(|_| FlagError::Usage(format!("--qris-issuer {spec:?}: bad tag")))?;
        b = b.issuer(tag, gui, pan, merchant_id, criteria);
    }
    match (&s.nmid, &s.criteria) {
        (Some(nmid), Some(criteria)) => b = b.national(nmid, criteria),
        (Some(_), None) => return usage("--nmid needs --criteria"),
        (None, Some(_)) => return usage("--criteria needs --nmid"),
        (None, None) => {}
    }
    apply!(b;
        &a.mcc => merchant_category_code,
        &a.postal_code => postal_code,
        c.amount_minor => amount_minor,
        &a.bill_number => bill_number,
        &a.terminal_label => terminal_label,
    );
    Ok(b.build())
}

fn paynow(c: &Context<'_>) -> Built {
    let (s, a) = (c.s, c.args);
    let made = match (&s.paynow_mobile, &s.paynow_uen) {
        (Some(mobile), _) => PayNowBuilder::mobile(mobile),
        (None, Some(uen)) => PayNowBuilder::uen(uen),
        (None, None) => return usage(format!("{} needs --paynow-mobile or --paynow-uen", c.what)),
    };
    let mut b = match made {
        Ok(b) => b.editable(s.editable),
        Err(e) => return Ok(Err(e)),
    };
    if let Some(expiry) = &s.expiry {
        b = match b.expiry(expiry) {
            Ok(b) => b,
            Err(e) => return Ok(Err(e)),
        };
    }
    apply!(b;
        &a.reference => reference,
        c.amount_minor => amount_minor,
        &a.merchant_name => merchant_name,
        &a.city => merchant_city,
        &a.bill_number => bill_number,
        &a.mcc => merchant_category_code,
        c.initiation()? => point_of_initiation,
    );
    if s.sgqr_id.is_some() || s.sgqr_revision_date.is_some() {
        let field = |v: &'_ Option<String>| v.as_deref().unwrap_or_default().to_owned();
        let (id, version, postal, level, unit, misc, date) = (
            c.need(s.sgqr_id.as_ref(), "--sgqr-id")?.to_owned(),
            s.sgqr_version
                .clone()
                .unwrap_or_else(|| "01.0001".to_owned()),
            field(&s.sgqr_postal_code),
            field(&s.sgqr_level),
            field(&s.sgqr_unit),
            field(&s.sgqr_misc),
            c.need(s.sgqr_revision_date.as_ref(), "--sgqr-revision-date")?
                .to_owned(),
        );
        let identity = SgqrIdentity {
            id: &id,
            version: &version,
            postal_code: &postal,
            level: &level,
            unit: &unit,
            miscellaneous: &misc,
            revision_date: &date,
        };
        b = match b.sgqr(&identity) {
            Ok(b) => b,
            Err(e) => return Ok(Err(e)),
        };
    } else if c.what.ends_with("sgqr") {
        return usage("--scheme sgqr needs --sgqr-id and --sgqr-revision-date");
    }
    Ok(b.build())
}

fn duitnow(c: &Context<'_>) -> Built {
    let a = c.args;
    let participant = c.need(c.s.participant_id.as_ref(), "--participant-id")?;
    let account = c
        .account()?
        .ok_or_else(|| FlagError::Usage(format!("{} needs --account", c.what)))?;
    let (name, city) = c.name_and_city()?;
    let mut b = DuitNowBuilder::new(participant, account, name, city);
    apply!(b;
        &a.mcc => merchant_category_code,
        c.amount_minor => amount_minor,
        &a.postal_code => postal_code,
        &a.reference => reference,
        &c.s.merchant_descriptor => merchant_descriptor,
        &c.s.mobile_number => mobile_number,
    );
    Ok(b.build())
}

fn vietqr(c: &Context<'_>) -> Built {
    let a = c.args;
    let bin = c.need(c.s.bank_bin.as_ref(), "--bank-bin")?;
    let account = c
        .account()?
        .ok_or_else(|| FlagError::Usage(format!("{} needs --account", c.what)))?;
    let mut b = match c.s.service.as_deref() {
        None | Some("QRIBFTTA") => VietQrBuilder::account(bin, account),
        Some("QRIBFTTC") => VietQrBuilder::card(bin, account),
        Some(other) => {
            return usage(format!(
                "--service {other:?}: use QRIBFTTA (to an account) or QRIBFTTC (to a card)"
            ))
        }
    };
    apply!(b;
        c.amount_minor => amount_minor,
        &a.bill_number => bill_number,
        &a.purpose => purpose,
        &a.merchant_name => merchant_name,
        &a.city => merchant_city,
    );
    Ok(b.build())
}

fn khqr(c: &Context<'_>) -> Built {
    let (s, a) = (c.s, c.args);
    let bakong = c.need(s.bakong_id.as_ref(), "--bakong-id")?;
    let (name, city) = c.name_and_city()?;
    let mut b = match &s.merchant_id {
        Some(merchant) => {
            if s.account_information.is_some() {
                return usage("--account-information is for individuals, not --merchant-id");
            }
            let bank = need(
                s.acquiring_bank.as_ref(),
                "--acquiring-bank",
                "--merchant-id",
            )?;
            KhqrBuilder::merchant(bakong, merchant, bank, name, city)
        }
        None => {
            let mut b = KhqrBuilder::individual(bakong, name, city);
            if let Some(info) = &s.account_information {
                b = b.account_information(info);
            }
            if let Some(bank) = &s.acquiring_bank {
                b = b.acquiring_bank(bank);
            }
            b
        }
    };
    if c.currency.numeric() == 840 {
        b = b.usd();
    }
    apply!(b;
        c.amount_minor => amount_minor,
        &a.mcc => merchant_category_code,
        &a.bill_number => bill_number,
        &s.mobile_number => mobile_number,
        &a.store_label => store_label,
        &a.terminal_label => terminal_label,
        &a.purpose => purpose,
    );
    if let Some(spec) = &s.language {
        let mut parts = spec.splitn(3, ':');
        match (parts.next(), parts.next(), parts.next()) {
            (Some(lang), Some(name), city) if !lang.is_empty() && !name.is_empty() => {
                b = b.language(lang, name, city);
            }
            _ => return usage(format!("--language {spec:?}: use LANG:NAME[:CITY]")),
        }
    }
    match (s.created_at_ms, s.expires_at_ms) {
        (Some(created), expires) => b = b.timestamps(created, expires),
        (None, Some(_)) => return usage("--expires-at-ms needs --created-at-ms"),
        (None, None) => {}
    }
    Ok(b.build())
}

fn qrph(c: &Context<'_>) -> Built {
    let (s, a) = (c.s, c.args);
    let bic = c.need(a.format.bic.as_ref(), "--bic")?;
    let (name, city) = c.name_and_city()?;
    let mut b = if s.qrph_p2p {
        if s.merchant_id.is_some() {
            return usage("--merchant-id is for P2M codes; --qrph-p2p takes --account");
        }
        let account = c
            .account()?
            .ok_or_else(|| FlagError::Usage("--qrph-p2p needs --account".to_owned()))?;
        QrPhBuilder::p2p(bic, account, name, city)
    } else {
        if c.account()?.is_some() {
            return usage("--account is for --qrph-p2p; P2M codes take --merchant-id");
        }
        if s.mobile_number.is_some() {
            return usage("--mobile-number is for --qrph-p2p codes; P2M codes have none");
        }
        let merchant = c.need(s.merchant_id.as_ref(), "--merchant-id")?;
        QrPhBuilder::p2m(bic, merchant, name, city)
    };
    apply!(b;
        &a.mcc => merchant_category_code,
        c.amount_minor => amount_minor,
        &a.reference => reference,
        &s.mobile_number => mobile_number,
    );
    Ok(b.build())
}

fn bharatqr(c: &Context<'_>) -> Built {
    let (s, a) = (c.s, c.args);
    let vpa = c.need(s.vpa.as_ref(), "--vpa")?;
    let (name, city) = c.name_and_city()?;
    let mut b = BharatQrBuilder::new(vpa, name, city);
    apply!(b;
        &s.visa => visa,
        &s.mastercard => mastercard,
        &s.rupay => rupay,
        &s.ifsc_account => ifsc_account,
    );
    if let Some(text) = &s.minimum_amount {
        b = b.minimum_amount_minor(minor(text, c.currency, "--minimum-amount")?);
    }
    apply!(b;
        &s.transaction_ref => transaction_reference,
        c.amount_minor => amount_minor,
        &a.mcc => merchant_category_code,
        &a.postal_code => postal_code,
        &a.reference => reference,
        &a.terminal_label => terminal_label,
    );
    Ok(b.build())
}
