//! National payment profiles that ride inside an EMV MPM payload.
//!
//! An EMV code names the networks that can pay it in its merchant account information (tags
//! 02–51) and, for some schemes, in the unreserved templates (80–99). This module recognises the
//! national profiles among them, gives each a typed view, checks the scheme's own rules on top of
//! EMV's, and builds payloads the scheme's apps accept.
//!
//! [`detect`] reports every profile a code carries — an SGQR sticker is PayNow, SGQR and several
//! card networks at once:
//!
//! ```
//! use qrpay_core::{decode, schemes};
//!
//! let text = "00020101021129370016A000000677010111011300668012345675802TH530376463046197";
//! let payload = decode(text)?;
//! let found = schemes::detect(&payload);
//! assert_eq!(found.len(), 1);
//! assert_eq!(found[0].id.as_str(), "promptpay");
//! let view = schemes::promptpay::PromptPay::from_payload(&payload).expect("a PromptPay code");
//! assert_eq!(view.proxy.map(|p| p.value), Some("0066801234567"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Each scheme module offers the same three things:
//! - `inspect(&payload)` → the view, where it was found and the scheme rules it breaks
//!   (tolerant), and `from_payload` / `from_payload_strict` shortcuts;
//! - a builder whose `build()` returns the payload text;
//! - the scheme's constants (GUI or AID, currency, country).
//!
//! [`field_name`] names the fields of a scheme's templates (`26.01` is a Pix key in a Pix code),
//! for listings that would otherwise only have EMV's generic names; [`nested_objects`] reads the
//! templates a scheme nests inside its own (VietQR's 38.01), which the EMV decoder keeps as text.

use crate::emv::Payload;
use crate::tag::TagPath;

mod error;
mod names;
mod util;

pub mod bharatqr;
pub mod cards;
pub mod duitnow;
pub mod khqr;
pub mod paynow;
pub mod pix;
pub mod promptpay;
pub mod qris;
pub mod qrph;
pub mod vietqr;

pub use error::{BuildError, SchemeError, SchemeRule, SchemeViolation};
pub use names::{field_name, nested_objects};

/// The identifier of a payment profile, as printed in JSON (`"pix"`, `"promptpay"`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum SchemeId {
    /// Brazil's instant payments (BCB), GUI `br.gov.bcb.pix`.
    Pix,
    /// Indonesia's national standard (Bank Indonesia / ASPI).
    Qris,
    /// Thailand's PromptPay (Bank of Thailand), credit transfer and bill payment.
    PromptPay,
    /// Singapore's PayNow proxy transfer, GUI `SG.PAYNOW`.
    PayNow,
    /// Singapore's SGQR identity template 51, GUI `SG.SGQR`.
    Sgqr,
    /// Malaysia's DuitNow QR (PayNet).
    DuitNow,
    /// Vietnam's VietQR over NAPAS 247.
    VietQr,
    /// Cambodia's KHQR over Bakong.
    Khqr,
    /// The Philippines' QR Ph (P2M and P2P).
    QrPh,
    /// India's Bharat QR (card networks and UPI together).
    BharatQr,
    /// UPI carried inside an EMV code (NPCI template `A000000524`).
    Upi,
    /// Visa merchant identifier (tags 02–03).
    Visa,
    /// Mastercard merchant identifier (tags 04–05).
    Mastercard,
    /// RuPay merchant identifier (tags 06–07 in Bharat QR).
    RuPay,
    /// Discover merchant identifier (tags 09–10).
    Discover,
    /// American Express merchant identifier (tags 11–12).
    Amex,
    /// JCB merchant identifier (tags 13–14).
    Jcb,
    /// UnionPay merchant identifier (tags 15–16).
    UnionPay,
}

impl SchemeId {
    /// Every identifier, in the order [`detect`] reports them.
    pub const ALL: [SchemeId; 18] = [
        SchemeId::Pix,
        SchemeId::Qris,
        SchemeId::PromptPay,
        SchemeId::PayNow,
        SchemeId::Sgqr,
        SchemeId::DuitNow,
        SchemeId::VietQr,
        SchemeId::Khqr,
        SchemeId::QrPh,
        SchemeId::BharatQr,
        SchemeId::Upi,
        SchemeId::Visa,
        SchemeId::Mastercard,
        SchemeId::RuPay,
        SchemeId::Discover,
        SchemeId::Amex,
        SchemeId::Jcb,
        SchemeId::UnionPay,
    ];

    /// The lower-case identifier used in JSON and on the command line.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            SchemeId::Pix => "pix",
            SchemeId::Qris => "qris",
            SchemeId::PromptPay => "promptpay",
            SchemeId::PayNow => "paynow",
            SchemeId::Sgqr => "sgqr",
            SchemeId::DuitNow => "duitnow",
            SchemeId::VietQr => "vietqr",
            SchemeId::Khqr => "khqr",
            SchemeId::QrPh => "qrph",
            SchemeId::BharatQr => "bharatqr",
            SchemeId::Upi => "upi",
            SchemeId::Visa => "visa",
            SchemeId::Mastercard => "mastercard",
            SchemeId::RuPay => "rupay",
            SchemeId::Discover => "discover",
            SchemeId::Amex => "amex",
            SchemeId::Jcb => "jcb",
            SchemeId::UnionPay => "unionpay",
        }
    }

    /// The identifier for `text` (`"pix"`), exactly as [`SchemeId::as_str`] writes it.
    #[must_use]
    pub fn from_name(text: &str) -> Option<SchemeId> {
        SchemeId::ALL.into_iter().find(|id| id.as_str() == text)
    }
}

impl core::fmt::Display for SchemeId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for SchemeId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// A profile found in a payload: the view, where it sits, and the scheme rules it breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspection<V> {
    /// The typed view.
    pub view: V,
    /// The template (or primitive) the profile was found in (`26`, `29`, `51`).
    pub location: TagPath,
    /// Rules of the scheme the payload breaks; empty for a clean code.
    pub violations: Vec<SchemeViolation>,
}

impl<V> Inspection<V> {
    /// The view if the payload breaks none of the scheme's rules.
    ///
    /// # Errors
    /// [`SchemeError::Violation`] with the first rule broken.
    pub fn into_strict(self) -> Result<V, SchemeError> {
        match self.violations.into_iter().next() {
            Some(first) => Err(SchemeError::Violation(Box::new(first))),
            None => Ok(self.view),
        }
    }
}

/// The body of every profile's `from_payload_strict`: the view `inspect` finds in `payload`,
/// refused when the profile is absent ([`SchemeError::NotPresent`] naming `id`) or breaks a rule.
fn strict_view<'p, 'a, V>(
    id: SchemeId,
    payload: &'p Payload<'a>,
    inspect: fn(&'p Payload<'a>) -> Option<Inspection<V>>,
) -> Result<V, SchemeError> {
    inspect(payload)
        .ok_or(SchemeError::NotPresent(id))?
        .into_strict()
}

/// One profile [`detect`] found: its id, where it sits, its typed fields and its violations.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SchemeInfo<'p> {
    /// Which profile.
    pub id: SchemeId,
    /// Where in the payload (`26`, `51`, `02`).
    #[cfg_attr(feature = "serde", serde(serialize_with = "util::serialize_path"))]
    pub location: TagPath,
    /// The profile's own fields.
    pub details: SchemeDetails<'p>,
    /// Rules of the scheme the payload breaks.
    pub violations: Vec<SchemeViolation>,
}

/// The typed fields of a profile, by scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(untagged))]
#[non_exhaustive]
pub enum SchemeDetails<'p> {
    /// See [`pix::Pix`].
    Pix(pix::Pix<'p>),
    /// See [`qris::Qris`].
    Qris(qris::Qris<'p>),
    /// See [`promptpay::PromptPay`].
    PromptPay(promptpay::PromptPay<'p>),
    /// See [`paynow::PayNow`].
    PayNow(paynow::PayNow<'p>),
    /// See [`paynow::Sgqr`].
    Sgqr(paynow::Sgqr<'p>),
    /// See [`duitnow::DuitNow`].
    DuitNow(duitnow::DuitNow<'p>),
    /// See [`vietqr::VietQr`].
    VietQr(vietqr::VietQr<'p>),
    /// See [`khqr::Khqr`].
    Khqr(khqr::Khqr<'p>),
    /// See [`qrph::QrPh`].
    QrPh(qrph::QrPh<'p>),
    /// See [`bharatqr::BharatQr`].
    BharatQr(bharatqr::BharatQr<'p>),
    /// See [`bharatqr::Upi`].
    Upi(bharatqr::Upi<'p>),
    /// See [`cards::CardAccount`].
    Card(cards::CardAccount<'p>),
}

fn push<'p, V>(
    out: &mut Vec<SchemeInfo<'p>>,
    id: SchemeId,
    found: Option<Inspection<V>>,
    wrap: fn(V) -> SchemeDetails<'p>,
) {
    if let Some(found) = found {
        out.push(SchemeInfo {
            id,
            location: found.location,
            details: wrap(found.view),
            violations: found.violations,
        });
    }
}

/// Every national profile and card network the payload carries, in the order of
/// [`SchemeId::ALL`]. Nothing found is an empty list, not an error.
#[must_use]
pub fn detect<'p>(payload: &'p Payload<'_>) -> Vec<SchemeInfo<'p>> {
    let mut out = Vec::new();
    push(
        &mut out,
        SchemeId::Pix,
        pix::inspect(payload),
        SchemeDetails::Pix,
    );
    push(
        &mut out,
        SchemeId::Qris,
        qris::inspect(payload),
        SchemeDetails::Qris,
    );
    push(
        &mut out,
        SchemeId::PromptPay,
        promptpay::inspect(payload),
        SchemeDetails::PromptPay,
    );
    push(
        &mut out,
        SchemeId::PayNow,
        paynow::inspect(payload),
        SchemeDetails::PayNow,
    );
    push(
        &mut out,
        SchemeId::Sgqr,
        paynow::inspect_sgqr(payload),
        SchemeDetails::Sgqr,
    );
    push(
        &mut out,
        SchemeId::DuitNow,
        duitnow::inspect(payload),
        SchemeDetails::DuitNow,
    );
    push(
        &mut out,
        SchemeId::VietQr,
        vietqr::inspect(payload),
        SchemeDetails::VietQr,
    );
    push(
        &mut out,
        SchemeId::Khqr,
        khqr::inspect(payload),
        SchemeDetails::Khqr,
    );
    push(
        &mut out,
        SchemeId::QrPh,
        qrph::inspect(payload),
        SchemeDetails::QrPh,
    );
    push(
        &mut out,
        SchemeId::BharatQr,
        bharatqr::inspect(payload),
        SchemeDetails::BharatQr,
    );
    push(
        &mut out,
        SchemeId::Upi,
        bharatqr::inspect_upi(payload),
        SchemeDetails::Upi,
    );
    for card in cards::inspect_all(payload) {
        let id = card.view.network.scheme_id();
        push(&mut out, id, Some(card), SchemeDetails::Card);
    }
    out
}

/// Like [`detect`], but refuses the payload at the first scheme rule it breaks.
///
/// # Errors
/// [`SchemeError::Violation`] with the first violation of the first profile that has one.
pub fn detect_strict<'p>(payload: &'p Payload<'_>) -> Result<Vec<SchemeInfo<'p>>, SchemeError> {
    let found = detect(payload);
    if let Some(first) = found.iter().flat_map(|f| f.violations.iter()).next() {
        return Err(SchemeError::Violation(Box::new(first.clone())));
    }
    Ok(found)
}

/// The ids of every profile the payload carries, without the views.
#[must_use]
pub fn scheme_ids(payload: &Payload<'_>) -> Vec<SchemeId> {
    detect(payload).into_iter().map(|f| f.id).collect()
}
