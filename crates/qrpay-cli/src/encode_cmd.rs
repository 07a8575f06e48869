//! `qrpay encode`.

use std::process::ExitCode;

use clap::Args;
use qrpay_core::emv::{PayloadBuilder, PointOfInitiation, TipOrConvenience};
use qrpay_core::{Amount, Currency, Tag, TagPath};

use crate::{fail, REFUSED, USAGE};

mod account;
mod flags;
mod format;
mod json;
mod refusal;
mod scheme;

use account::AccountSpec;
use flags::FlagError;

/// Arguments of `qrpay encode`.
#[derive(Debug, Args)]
pub(crate) struct EncodeArgs {
    /// Build from the JSON that `decode --json` prints (a file, or `-` for standard input),
    /// alone. With `objects`, the tree is encoded and every other key must agree with it;
    /// without, the fields build a canonical payload, the merchant accounts taken from
    /// `merchant_account_information` (`{"26": {"00": "GUI", "01": "…"}}`). Unknown keys are
    /// refused; `schemes`, `profiles` and `violations` are ignored.
    #[arg(long, value_name = "FILE")]
    json: Option<String>,
    /// Merchant account: `TAG:GUI[:SUB=VALUE…]` for a template (26–51), `TAG=VALUE` for a
    /// primitive (02–25); once per tag. Every colon followed by a two-digit sub-tag and `=`
    /// (`:01=`) starts a sub-object; other colons stay in the GUI or value (`https://…`), but
    /// `:N=` with one digit is refused (write `:0N=`), and so is sub-tag 00 (the GUI comes
    /// before the first colon). With --scheme, the payee's account: duitnow the QR id or merchant id (26.02), vietqr
    /// the account or card number, qrph --qrph-p2p the account number (27.04).
    #[arg(long, value_name = "SPEC")]
    account: Vec<String>,
    /// Merchant name (59).
    #[arg(long)]
    merchant_name: Option<String>,
    /// Merchant city (60).
    #[arg(long)]
    city: Option<String>,
    /// Merchant category code (52), `0000` by default.
    #[arg(long)]
    mcc: Option<String>,
    /// Transaction currency (53): alphabetic (`IDR`) or numeric (`360`).
    #[arg(long)]
    currency: Option<String>,
    /// Transaction amount (54) in the currency's major unit (`25000`, `12.50`).
    #[arg(long)]
    amount: Option<String>,
    /// Country code (58).
    #[arg(long)]
    country: Option<String>,
    /// Postal code (61).
    #[arg(long)]
    postal_code: Option<String>,
    /// Point of initiation (01): `static` or `dynamic`; dynamic by default when an amount is given.
    #[arg(long, value_name = "static|dynamic")]
    initiation: Option<String>,
    /// Reference label (62.05).
    #[arg(long)]
    reference: Option<String>,
    /// Bill number (62.01).
    #[arg(long)]
    bill_number: Option<String>,
    /// Store label (62.03).
    #[arg(long)]
    store_label: Option<String>,
    /// Terminal label (62.07).
    #[arg(long)]
    terminal_label: Option<String>,
    /// Purpose of transaction (62.08).
    #[arg(long)]
    purpose: Option<String>,
    /// Tip or convenience fee: `prompt`, `fixed:AMOUNT` or `percent:PERCENT`.
    #[arg(long, value_name = "KIND")]
    tip: Option<String>,
    /// Any other root object, `TAG=VALUE` with a two-digit tag (not 63, the CRC); a tag another
    /// flag sets (54 and --amount, 62 and --reference…) is refused.
    #[arg(long, value_name = "TAG=VALUE")]
    object: Vec<String>,
    #[command(flatten)]
    scheme: scheme::SchemeArgs,
    #[command(flatten)]
    format: format::FormatArgs,
}

pub(crate) fn run(args: &EncodeArgs) -> ExitCode {
    let result = match (args.scheme.scheme, args.format.format, &args.json) {
        (Some(kind), _, _) => scheme::build(args, kind).map(String::into_bytes),
        (None, Some(kind), _) => format::build(args, kind),
        (None, None, Some(file)) => flags::only(args, "qrpay encode --json", &["--json"])
            .and_then(|()| json::build(file))
            .map(String::into_bytes),
        (None, None, None) => flags::only(
            args,
            "qrpay encode without --scheme or --format",
            flags::GENERIC,
        )
        .and_then(|()| from_flags(args))
        .map(String::into_bytes),
    };
    match result {
        Ok(payload) => print_bytes(&payload),
        Err(FlagError::Usage(e)) => fail(USAGE, e),
        Err(FlagError::Refused(e)) => fail(REFUSED, e),
    }
}

/// Writes `payload` and a line break to standard output as raw bytes (an EPC code in an ISO
/// 8859 character set is not UTF-8).
fn print_bytes(payload: &[u8]) -> ExitCode {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match out
        .write_all(payload)
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush())
    {
        Ok(()) => ExitCode::SUCCESS,
        // A reader that has gone away is not a failure of the command, as in `crate::out`.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => fail(REFUSED, format_args!("cannot write the payload: {e}")),
    }
}

/// An object a flag of the generic build writes: where, and the flag with its value.
#[derive(Debug)]
struct Written {
    path: TagPath,
    flag: String,
}

impl Written {
    /// Whether `self` writes the object at `path`, one inside it, or the template around it.
    fn overlaps(&self, path: TagPath) -> bool {
        self.path.tags().zip(path.tags()).all(|(a, b)| a == b)
    }
}

/// The path of root tag `id` or of its sub-tag `sub`.
fn path_of(id: u8, sub: Option<u8>) -> TagPath {
    // INVARIANT: callers pass the literal tags of the flags, all below 100; were one not, the
    // CRC's path would name no flag's object, and no conflict would be found through it.
    let root = TagPath::root(Tag::new(id).unwrap_or(Tag::CRC));
    match sub.and_then(Tag::new) {
        Some(sub) => root.child(sub).unwrap_or(root),
        None => root,
    }
}

/// The flags of the generic build that take a value, each with the object it writes, in the
/// order the help lists them.
fn simple_flags(args: &EncodeArgs) -> [(&Option<String>, &'static str, u8, Option<u8>); 13] {
    [
        (&args.initiation, "--initiation", 1, None),
        (&args.mcc, "--mcc", 52, None),
        (&args.currency, "--currency", 53, None),
        (&args.amount, "--amount", 54, None),
        (&args.country, "--country", 58, None),
        (&args.merchant_name, "--merchant-name", 59, None),
        (&args.city, "--city", 60, None),
        (&args.postal_code, "--postal-code", 61, None),
        (&args.bill_number, "--bill-number", 62, Some(1)),
        (&args.store_label, "--store-label", 62, Some(3)),
        (&args.reference, "--reference", 62, Some(5)),
        (&args.terminal_label, "--terminal-label", 62, Some(7)),
        (&args.purpose, "--purpose", 62, Some(8)),
    ]
}

/// Builds from flags, canonically.
///
/// # Errors
/// [`FlagError::Usage`] for a flag value of the wrong form, or two flags that set the same
/// object; [`FlagError::Refused`] when the builder refuses the payload, naming the flag
/// behind the object it refuses.
fn from_flags(args: &EncodeArgs) -> Result<String, FlagError> {
    let poi = match args.initiation.as_deref() {
        Some("static") => PointOfInitiation::Static,
        Some("dynamic") => PointOfInitiation::Dynamic,
        Some(other) => {
            return flags::usage(format!("--initiation {other:?}: use static or dynamic"))
        }
        None if args.amount.is_some() => PointOfInitiation::Dynamic,
        None => PointOfInitiation::Static,
    };
    let accounts = args
        .account
        .iter()
        .map(|spec| AccountSpec::parse(spec))
        .collect::<Result<Vec<_>, _>>()
        .map_err(FlagError::Usage)?;
    let tip = args.tip.as_deref().map(parse_tip).transpose()?;
    let objects = args
        .object
        .iter()
        .map(|raw| parse_object(raw))
        .collect::<Result<Vec<_>, _>>()?;

    let mut written: Vec<Written> = Vec::new();
    for (value, flag, id, sub) in simple_flags(args) {
        if let Some(v) = value {
            let flag = format!("{flag} {v:?}");
            written.push(Written {
                path: path_of(id, sub),
                flag,
            });
        }
    }
    for (spec, raw) in accounts.iter().zip(&args.account) {
        let path = TagPath::root(spec.tag());
        written.push(Written {
            path,
            flag: format!("--account {raw:?}"),
        });
    }
    if let Some(raw) = &args.tip {
        for id in 55..=57 {
            written.push(Written {
                path: path_of(id, None),
                flag: format!("--tip {raw:?}"),
            });
        }
    }
    for ((tag, _), raw) in objects.iter().zip(&args.object) {
        let path = TagPath::root(*tag);
        written.push(Written {
            path,
            flag: format!("--object {raw:?}"),
        });
    }
    for (i, later) in written.iter().enumerate() {
        if let Some(earlier) = written.iter().take(i).find(|w| w.overlaps(later.path)) {
            let shorter = if earlier.path.depth() <= later.path.depth() {
                earlier.path
            } else {
                later.path
            };
            return flags::usage(format!(
                "{} and {} both set tag {shorter}; give one",
                earlier.flag, later.flag
            ));
        }
    }

    let currency = match &args.currency {
        Some(code) => Some(Currency::parse(code).ok_or_else(|| {
            FlagError::Refused(format!(
                "--currency {code:?} is not an ISO 4217 currency code"
            ))
        })?),
        None => None,
    };
    let mut b = PayloadBuilder::new().point_of_initiation(poi);
    for spec in &accounts {
        b = match spec {
            AccountSpec::Primitive { tag, value } => b.merchant_account_primitive(tag.get(), value),
            AccountSpec::Template { tag, gui, fields } => {
                let fields: Vec<(u8, &str)> = fields.iter().map(|&(t, v)| (t.get(), v)).collect();
                b.merchant_account(tag.get(), gui, &fields)
            }
        };
    }
    b = b.merchant_category_code(args.mcc.as_deref().unwrap_or("0000"));
    if let Some(c) = currency {
        b = b.currency(c);
    }
    if let Some(amount) = &args.amount {
        b = b.amount(amount);
    }
    if let Some(tip) = tip {
        b = b.tip_or_convenience(tip);
    }
    for (value, _, id, sub) in simple_flags(args) {
        match (value, id, sub) {
            (_, 1 | 52..=54, _) | (None, _, _) => {}
            (Some(v), 62, Some(sub)) => b = b.additional_data(sub, v),
            (Some(v), id, _) => b = b.object(id, v),
        }
    }
    for (tag, value) in &objects {
        b = b.object(tag.get(), value);
    }

    let wrote = |path: TagPath| {
        let mut flags = written.iter().filter(|w| w.overlaps(path)).map(|w| &w.flag);
        let first = flags.next()?;
        // Several flags under one template (62): the message names the template instead.
        flags.all(|f| f == first).then(|| first.clone())
    };
    let give = |tag: Tag| {
        let flag = match tag.get() {
            1 => "--initiation",
            52 => "--mcc",
            53 => "--currency",
            54 => "--amount",
            55..=57 => "--tip",
            58 => "--country",
            59 => "--merchant-name",
            60 => "--city",
            61 => "--postal-code",
            _ => return None,
        };
        Some(flag)
    };
    let names = refusal::Names {
        wrote: &wrote,
        give: &give,
        give_account: "--account",
        currency: currency.map(Currency::alpha),
    };
    b.build()
        .map_err(|e| FlagError::Refused(refusal::explain(&e, &names)))
}

/// `--object TAG=VALUE`.
fn parse_object(raw: &str) -> Result<(Tag, &str), FlagError> {
    let form = |why: &str| FlagError::Usage(format!("--object {raw:?}: {why}"));
    let (tag, value) = raw.split_once('=').ok_or_else(|| form("use TAG=VALUE"))?;
    let tag: Tag = tag.parse().map_err(|_| {
        form(&format!(
            "the tag must be two digits, 00 to 99, not {tag:?}"
        ))
    })?;
    if tag == Tag::CRC {
        return Err(form("the CRC (63) is computed, it cannot be set"));
    }
    Ok((tag, value))
}

/// `--tip prompt`, `fixed:AMOUNT` or `percent:PERCENT`.
fn parse_tip(text: &str) -> Result<TipOrConvenience, FlagError> {
    match text.split_once(':') {
        None if text == "prompt" => Ok(TipOrConvenience::PromptTip),
        Some(("fixed", amount)) => Amount::parse(amount)
            .map(TipOrConvenience::FixedFee)
            .map_err(|e| FlagError::Refused(format!("--tip {text:?}: {e}"))),
        Some(("percent", pct)) => Amount::parse(pct)
            .ok()
            .and_then(|a| a.to_minor(2).ok())
            .and_then(|h| u16::try_from(h).ok())
            .map(|hundredths| TipOrConvenience::PercentageFee { hundredths })
            .ok_or_else(|| {
                FlagError::Refused(format!(
                    "--tip {text:?}: the percentage must be a number from 0.01 to 99.99"
                ))
            }),
        _ => flags::usage(format!(
            "--tip {text:?}: use prompt, fixed:AMOUNT or percent:PERCENT"
        )),
    }
}
