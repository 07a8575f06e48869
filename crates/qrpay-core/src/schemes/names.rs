//! The names national schemes give the fields of their templates, for listings.

use super::{bharatqr, duitnow, khqr, paynow, pix, promptpay, qris, qrph, vietqr};
use crate::emv::{DataObject, Payload};
use crate::tag::{Tag, TagPath};

/// The name a national scheme's specification gives the object at `path`, when the root
/// template around it is one of the scheme's own; `None` otherwise, so that the caller falls
/// back on EMV's name ([`crate::emv::field_name`]).
///
/// A template is the scheme's by the same test the profile's `inspect` applies: the GUI or
/// AID in its 00 (Pix, PromptPay, PayNow, SGQR, DuitNow, VietQR, QR Ph, UPI), a Bakong account
/// id there (KHQR), or the QRIS rules (the national template, or a code for Indonesia). Some
/// templates belong to a profile through the payload around them: KHQR's timestamps in 99,
/// QRIS's issuer and transfer templates, the additional data 62 of a Pix code (its 05 is the
/// Pix transaction id), of a PromptPay bill payment (its 07 is reference 3) and of a QR Ph code
/// (its 00 is a GUID). Sub-tags a scheme module does not know the meaning of get `None`, not a
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

/// The objects inside the object at `path` (`38.01`), with their paths (`38.01.00`) and offsets,
/// when a national scheme defines that object as a template and its value splits cleanly into
/// data objects ([`DataObject::split`]); `None` otherwise, and for paths that are not a
/// sub-object of a root template.
///
/// The EMV decoder parses root templates one level deep, so a template a scheme nests inside its
/// own (VietQR's beneficiary organisation, 38.01) is a primitive there, with the inner objects
/// as its text. A scheme defines such a template by naming the objects inside it
/// ([`field_name`] with a three-level path), and the template around it must be the scheme's by
/// the rules [`field_name`] applies. The split must consume the whole value; an empty value has
/// no objects and gives `None`. The payload's own tree is not changed: there the object stays a
/// primitive holding the text.
///
/// ```
/// use qrpay_core::{decode, schemes, TagPath};
///
/// // NAPAS's dynamic account example: 38.01 holds 00 the acquirer BIN, 01 the account.
/// let text = "00020101021238570010A00000072701270006970403011300110123456780208QRIBFTTA530370454061800005802VN62340107NPS68690819thanh toan don hang63042E2E";
/// let payload = decode(text)?;
/// let inner = schemes::nested_objects(&payload, "38.01".parse()?).unwrap_or_default();
/// let bin: TagPath = "38.01.00".parse()?;
/// let account: TagPath = "38.01.01".parse()?;
/// let found: Vec<_> = inner.iter().map(|o| (o.path(), o.offset(), o.value())).collect();
/// assert_eq!(found, [(bin, 34, "970403"), (account, 44, "0011012345678")]);
/// assert_eq!(schemes::field_name(&payload, bin), Some("acquirer bin"));
/// // The service code is a primitive to VietQR, and 62.08 is EMV's primitive.
/// assert_eq!(schemes::nested_objects(&payload, "38.02".parse()?), None);
/// assert_eq!(schemes::nested_objects(&payload, "62.08".parse()?), None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use]
pub fn nested_objects<'a>(payload: &Payload<'a>, path: TagPath) -> Option<Vec<DataObject<'a>>> {
    let (Some(root), Some(sub), None) = path.ids() else {
        return None;
    };
    let template = payload.get(root).filter(|t| t.is_template())?;
    let object = template.child(Tag::new(sub)?)?;
    let names = SCHEMES
        .iter()
        .find_map(|recognise| recognise(payload, template))?;
    // Ids are two digits: a scheme that names none of 00–99 inside `sub` has no template there.
    if !(0..=99).any(|id| names(sub, Some(id)).is_some()) {
        return None;
    }
    let objects = object.split().ok()?;
    (!objects.is_empty()).then_some(objects)
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
