//! The names national schemes give the fields of their templates, for listings.

use super::{bharatqr, duitnow, khqr, paynow, pix, promptpay, qris, qrph, vietqr};
use crate::emv::{DataObject, Payload};
use crate::tag::TagPath;

/// The name a national scheme's specification gives the object at `path`, when the root
/// template around it is one of the scheme's own; `None` otherwise, so that the caller falls
/// back on EMV's name ([`crate::emv::field_name`]).
///
/// A template is the scheme's by the same test the profile's `inspect` applies: the GUI or
/// AID in its 00 (Pix, PromptPay, PayNow, SGQR, DuitNow, VietQR, QR Ph, UPI), a Bakong account
/// id there (KHQR), or the QRIS rules (the national template, or a code for Indonesia). Some
/// templates belong to a profile through the payload around them: KHQR's timestamps in 99,
/// QRIS's issuer and transfer templates, the additional data 62 of a Pix code (its 05 is the
/// Pix transaction id). Sub-tags a scheme module does not know the meaning of get `None`, not a
/// guess. Only objects inside a root template are named (`26.01`, `38.01.00`, `99.00`); when a
/// root tag repeats, its first object decides, as everywhere else. The lookup reads the payload
/// without allocating.
///
/// ```
/// use qrpay_core::{decode, emv, schemes, TagPath};
///
/// let text = "00020126510014br.gov.bcb.pix0115thalesog@me.com0210Pedido 123520400005303986540510.005802BR5914THALES OGLIARI6015SAO MIGUEL DO O62070503***63040DC6";
/// let payload = decode(text)?;
/// let key: TagPath = "26.01".parse()?;
/// assert_eq!(schemes::field_name(&payload, key), Some("pix key"));
/// assert_eq!(emv::field_name(key), "payment network specific");
/// // The manual puts the transaction id in the reference label of the additional data.
/// let txid: TagPath = "62.05".parse()?;
/// assert_eq!(schemes::field_name(&payload, txid), Some("reference label (pix txid)"));
/// // Other objects keep EMV's names.
/// assert_eq!(schemes::field_name(&payload, "59".parse()?), None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use]
pub fn field_name(payload: &Payload<'_>, path: TagPath) -> Option<&'static str> {
    let (Some(root), Some(sub), nested) = path.ids() else {
        return None;
    };
    let template = payload.get(root).filter(|t| t.is_template())?;
    // The first scheme that recognises the template decides, even when it does not define this
    // sub-tag: another scheme's meaning for it would be a guess.
    let names = SCHEMES
        .iter()
        .find_map(|recognise| recognise(payload, template))?;
    names(sub, nested)
}

/// The names of one kind of template's fields: by sub-object id and, for a template inside the
/// template (VietQR's 38.01), the id within that.
pub(super) type FieldNames = fn(u8, Option<u8>) -> Option<&'static str>;

/// A scheme module's `template_names`: the names of a root template's fields when the payload's
/// template is one of the scheme's.
type Recognise = fn(&Payload<'_>, &DataObject<'_>) -> Option<FieldNames>;

/// The scheme modules with named fields. QRIS comes last: its issuer templates are recognised
/// by a reverse-domain GUI, which the GUIs of Pix, PayNow and QR Ph also are.
const SCHEMES: [Recognise; 9] = [
    pix::template_names,
    promptpay::template_names,
    paynow::template_names,
    duitnow::template_names,
    vietqr::template_names,
    khqr::template_names,
    qrph::template_names,
    bharatqr::template_names,
    qris::template_names,
];
