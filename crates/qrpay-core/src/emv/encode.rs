//! Encoding: an owned object tree, and a builder that makes canonical payloads.

use super::decode::{all_ascii, Count, Decoder, INPUT_BYTES_MAX};
use super::error::{DecodeError, EncodeError};
use super::object::{char_count, DataObject};
use super::payload::{Payload, PointOfInitiation, TipOrConvenience};
use crate::crc;
use crate::money::{Amount, Currency};
use crate::tag::{Tag, TagPath};

/// An owned data object, for building payloads or editing decoded ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Object {
    /// The tag.
    pub tag: Tag,
    /// The value.
    pub value: Value,
}

/// The value of an [`Object`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// Text, stored as is.
    Primitive(String),
    /// Sub-objects, encoded in order.
    Template(Vec<Object>),
}

impl Object {
    /// A primitive object.
    #[must_use]
    pub fn primitive(tag: Tag, value: impl Into<String>) -> Object {
        Object {
            tag,
            value: Value::Primitive(value.into()),
        }
    }

    /// A template object.
    #[must_use]
    pub fn template(tag: Tag, children: Vec<Object>) -> Object {
        Object {
            tag,
            value: Value::Template(children),
        }
    }

    /// Copies a decoded object; templates that parsed become [`Value::Template`].
    #[must_use]
    pub fn from_decoded(object: &DataObject<'_>) -> Object {
        match object.children() {
            Some(children) => Object::template(
                object.tag(),
                children.map(|c| Object::from_decoded(&c)).collect(),
            ),
            None => Object::primitive(object.tag(), object.value()),
        }
    }

    /// The value a payload writes for this object: a primitive's text, or a template's
    /// sub-objects encoded in order, lengths counted in characters.
    ///
    /// ```
    /// use qrpay_core::emv::Object;
    /// use qrpay_core::Tag;
    ///
    /// let gui = |text: &str| Object::primitive(Tag::GUI, text);
    /// let account = Object::template("26".parse()?, vec![gui("br.gov.bcb.pix")]);
    /// assert_eq!(account.encoded_value()?, "0014br.gov.bcb.pix");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`EncodeError::ValueTooLong`] when a sub-object's value is over 99 characters.
    pub fn encoded_value(&self) -> Result<String, EncodeError> {
        match &self.value {
            Value::Primitive(text) => Ok(text.clone()),
            Value::Template(children) => {
                let mut out = Out::with_capacity(128);
                encode_into(&mut out, children, TagPath::root(self.tag))?;
                Ok(out.into_string())
            }
        }
    }
}

/// A payload being written, as bytes: appending fixed-size headers and patching a length are
/// plain byte writes.
///
/// INVARIANT: the bytes are UTF-8 by construction; every value comes from a `&str` and every
/// header, length and CRC is ASCII.
pub(crate) struct Out(Vec<u8>);

impl Out {
    pub(crate) fn with_capacity(capacity: usize) -> Out {
        Out(Vec::with_capacity(capacity))
    }

    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    /// Appends one data object: two-digit id, two-digit character count, value.
    pub(crate) fn object(&mut self, tag: Tag, value: &str) {
        self.header(tag, char_count(value));
        self.text(value);
    }

    /// Appends an object's id and its two-digit length `len` (99 above: callers refuse longer
    /// values before writing, and no decoded object has one).
    fn header(&mut self, tag: Tag, len: usize) {
        let [i0, i1] = two_digits(usize::from(tag.get()));
        let [l0, l1] = two_digits(len);
        self.0.extend_from_slice(&[i0, i1, l0, l1]);
    }

    fn text(&mut self, text: &str) {
        self.0.extend_from_slice(text.as_bytes());
    }

    /// Rewrites the length of the header at `at`.
    fn set_len(&mut self, at: usize, len: usize) {
        if let Some(digits) = self.0.get_mut(at + 2..at + 4) {
            digits.copy_from_slice(&two_digits(len));
        }
    }

    /// Characters from byte `from` to the end: the bytes that do not continue a character.
    fn chars_from(&self, from: usize) -> usize {
        let tail = self.0.get(from..).unwrap_or_default();
        tail.iter().filter(|&&b| b & 0xC0 != 0x80).count()
    }

    fn bytes(&self) -> &[u8] {
        &self.0
    }

    /// Appends the CRC in four upper-case hexadecimal digits.
    fn crc(&mut self, crc: u16) {
        self.0.extend_from_slice(&hex4(crc));
    }

    pub(crate) fn into_string(self) -> String {
        // The invariant makes the error impossible; were it broken, the text would still be
        // returned, with the bad bytes replaced, rather than a panic.
        String::from_utf8(self.0)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }
}

/// `crc` as four upper-case hexadecimal digits.
fn hex4(crc: u16) -> [u8; 4] {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let digit = |shift: u16| {
        HEX.get(usize::from((crc >> shift) & 0xF))
            .copied()
            .unwrap_or(b'0')
    };
    [digit(12), digit(8), digit(4), digit(0)]
}

/// [`hex4`] in lower case: setting bit 5 lowers `A`–`F` and leaves the digits as they are.
fn hex4_lower(crc: u16) -> [u8; 4] {
    u32::to_le_bytes(u32::from_le_bytes(hex4(crc)) | 0x2020_2020)
}

/// `n` (0–99) as two ASCII digits; 99 above. A table: one load, where the arithmetic takes a
/// multiplication and a few shifts for each of the two headers' numbers.
#[inline(always)]
fn two_digits(n: usize) -> [u8; 2] {
    static PAIRS: [[u8; 2]; 100] = {
        let mut pairs = [[0u8; 2]; 100];
        let mut n = 0;
        while n < 100 {
            // INVARIANT: evaluated at compile time; n < 100.
            #[allow(clippy::indexing_slicing, clippy::cast_possible_truncation)]
            {
                pairs[n] = [b'0' + (n / 10) as u8, b'0' + (n % 10) as u8];
            }
            n += 1;
        }
        pairs
    };
    PAIRS.get(n).copied().unwrap_or(*b"99")
}

/// Writes `objects` counting lengths in bytes, which is exact when the text is ASCII (most
/// payloads); `false` when a length is over 99. The caller checks that the result is ASCII,
/// and otherwise writes again with [`encode_into`], which counts characters and says what is
/// wrong where. Without errors or paths to build, this loop stays small: it is the encoder's
/// hot path.
fn write_bytes(out: &mut Out, objects: &[Object]) -> bool {
    for object in objects {
        match &object.value {
            Value::Primitive(text) => {
                if text.len() > 99 {
                    return false;
                }
                out.header(object.tag, text.len());
                out.text(text);
            }
            Value::Template(children) => {
                let header = out.len();
                out.header(object.tag, 0);
                if !write_bytes(out, children) {
                    return false;
                }
                let len = out.len() - (header + 4);
                if len > 99 {
                    return false;
                }
                out.set_len(header, len);
            }
        }
    }
    true
}

/// Writes `objects`, lengths counted in characters, as the specification defines them.
fn encode_into(out: &mut Out, objects: &[Object], parent: TagPath) -> Result<(), EncodeError> {
    let too_long = |tag: Tag, len| EncodeError::ValueTooLong {
        tag: parent.child(tag).unwrap_or(parent),
        len,
    };
    for object in objects {
        match &object.value {
            Value::Primitive(text) => {
                let len = char_count(text);
                if len > 99 {
                    return Err(too_long(object.tag, len));
                }
                out.header(object.tag, len);
                out.text(text);
            }
            Value::Template(children) => {
                let header = out.len();
                out.header(object.tag, 0);
                // The inside's own errors come first, then the template's length.
                let path = parent.child(object.tag).unwrap_or(parent);
                encode_into(out, children, path)?;
                let len = out.chars_from(header + 4);
                if len > 99 {
                    return Err(too_long(object.tag, len));
                }
                out.set_len(header, len);
            }
        }
    }
    Ok(())
}

/// Encodes `objects` in the order given, the inverse of decoding.
///
/// A trailing CRC object (63) is kept as written when it is the CRC of what precedes it
/// (compared case-insensitively, so a lower-case CRC survives a round trip); otherwise the
/// objects were modified and the correct CRC is written in upper case. Without a CRC object, one
/// is appended. The result is decoded tolerantly before it is returned, so its structure is
/// sound.
///
/// # Errors
/// [`EncodeError::ValueTooLong`] for a value over 99 characters, [`EncodeError::CrcFormat`] for
/// a CRC object that is not four hexadecimal digits, [`EncodeError::Invalid`] when the result
/// does not decode (a CRC object that is not last, say).
pub fn encode_objects(objects: &[Object]) -> Result<String, EncodeError> {
    let out = encode_unchecked(objects)?;
    // Every header is ours and every length a true character count, so the decoder walks the
    // result object by object as it was written, and the CRC is right by construction. The
    // walk can only stop at a CRC object before the end, and the size limit is the only other
    // thing a tolerant decode checks; when either applies, the decoder runs to say why.
    let body = match objects.split_last() {
        Some((last, rest)) if last.tag == Tag::CRC => rest,
        _ => objects,
    };
    if out.len() > INPUT_BYTES_MAX || body.iter().any(|o| o.tag == Tag::CRC) {
        Decoder::new().decode(&out).map_err(EncodeError::Invalid)?;
    }
    debug_assert!(Decoder::new().decode(&out).is_ok(), "encoded {out:?}");
    Ok(out)
}

/// [`encode_objects`] without the final decode; callers check the result themselves.
fn encode_unchecked(objects: &[Object]) -> Result<String, EncodeError> {
    let (body, crc_given) = match objects.split_last() {
        Some((last, rest)) if last.tag == Tag::CRC => match &last.value {
            Value::Primitive(text) => (rest, Some(text.as_str())),
            Value::Template(_) => {
                return Err(EncodeError::CrcFormat {
                    found: String::from("a template"),
                })
            }
        },
        _ => (objects, None),
    };
    // Most payloads are ASCII, where bytes are characters: write counting bytes, and only when
    // that fails or the result is not ASCII, count characters (the length EMV defines).
    let mut out = Out::with_capacity(256);
    if !write_bytes(&mut out, body) || !all_ascii(out.bytes()) {
        out = Out::with_capacity(256);
        encode_into(&mut out, body, TagPath::ROOT)?;
    }
    out.text("6304");
    let computed = crc::crc16(out.bytes());
    match crc_given {
        Some(given) => {
            let upper = hex4(computed);
            // Upper case as written here, lower case as some encoders write, then any mix.
            if given.as_bytes() == upper
                || given.as_bytes() == hex4_lower(computed)
                || given.as_bytes().eq_ignore_ascii_case(&upper)
            {
                out.text(given);
            } else if given.len() == 4 && given.bytes().all(|b| b.is_ascii_hexdigit()) {
                out.crc(computed);
            } else {
                return Err(EncodeError::CrcFormat {
                    found: given.to_owned(),
                });
            }
        }
        None => out.crc(computed),
    }
    Ok(out.into_string())
}

/// Builds canonical payloads: 00 first, every other object in ascending tag order, 63 last with
/// the CRC computed, sub-objects ascending too. `build` refuses a payload that breaks a rule of
/// the specification.
///
/// ```
/// use qrpay_core::emv::{PayloadBuilder, PointOfInitiation, decode};
/// use qrpay_core::money::Currency;
///
/// let text = PayloadBuilder::new()
///     .point_of_initiation(PointOfInitiation::Dynamic)
///     .merchant_account(26, "ID.CO.EXAMPLE.WWW", &[(1, "936000010000000001")])
///     .merchant_category_code("5812")
///     .currency(Currency::IDR)
///     .amount_minor(2_500_000)
///     .country_code("ID")
///     .merchant_name("Kopi Kenangan")
///     .merchant_city("Jakarta")
///     .additional_data(5, "INV-0001")
///     .build()?;
/// let payload = decode(&text)?;
/// assert_eq!(payload.amount_text(), Some("25000.00"));
/// assert!(payload.violations().is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct PayloadBuilder {
    /// Every value given, back to back; fields point into it. One buffer instead of one
    /// allocation per value.
    values: String,
    /// The data objects set so far, in the order they were set. Templates are implicit: a
    /// field at `62.05` makes 62 a template.
    fields: Vec<Field>,
    /// The root tags `fields` has anything under, as a bit set: most calls set an object that
    /// is not there yet and need not look for one to replace.
    roots: u128,
    currency: Option<Currency>,
    amount_minor: Option<u64>,
    lenient: bool,
    error: Option<EncodeError>,
}

/// One primitive data object of a [`PayloadBuilder`]: where it goes and where its value is.
#[derive(Debug, Clone, Copy)]
struct Field {
    path: TagPath,
    /// The value's byte range in [`PayloadBuilder::values`].
    start: u32,
    end: u32,
}

impl Field {
    /// Parents before children, siblings by ascending tag: the canonical order.
    fn order(&self) -> u32 {
        self.path.order_key()
    }

    fn value<'v>(&self, values: &'v str) -> &'v str {
        values
            .get(self.start as usize..self.end as usize)
            .unwrap_or_default()
    }
}

impl Default for PayloadBuilder {
    fn default() -> PayloadBuilder {
        PayloadBuilder::new()
    }
}

impl PayloadBuilder {
    /// A builder holding only the payload format indicator `01`.
    #[must_use]
    pub fn new() -> PayloadBuilder {
        let mut builder = PayloadBuilder::empty();
        builder.set(TagPath::root(Tag::PAYLOAD_FORMAT), "01");
        builder
    }

    fn empty() -> PayloadBuilder {
        PayloadBuilder {
            values: String::with_capacity(256),
            fields: Vec::with_capacity(24),
            roots: 0,
            currency: None,
            amount_minor: None,
            lenient: false,
            error: None,
        }
    }

    /// A builder holding every object of a decoded payload but its CRC, to edit and re-encode
    /// canonically.
    #[must_use]
    pub fn from_payload(payload: &Payload<'_>) -> PayloadBuilder {
        fn copy(builder: &mut PayloadBuilder, object: &DataObject<'_>) {
            match object.children() {
                Some(children) => {
                    let before = builder.fields.len();
                    children.for_each(|child| copy(builder, &child));
                    if builder.fields.len() == before {
                        builder.push(object.path(), "");
                    }
                }
                None => builder.push(object.path(), object.value()),
            }
        }
        let mut builder = PayloadBuilder::empty();
        for object in payload.objects().iter().filter(|o| o.tag() != Tag::CRC) {
            copy(&mut builder, object);
        }
        builder
    }

    /// Accept payloads that break rules of the specification as long as they decode (national
    /// profiles that omit mandatory objects, for example). Off by default.
    #[must_use]
    pub fn lenient(mut self, yes: bool) -> PayloadBuilder {
        self.lenient = yes;
        self
    }

    fn fail(&mut self, field: &'static str, reason: impl Into<String>) {
        if self.error.is_none() {
            self.error = Some(EncodeError::BadField {
                field,
                reason: reason.into(),
            });
        }
    }

    fn tag(
        &mut self,
        field: &'static str,
        id: u8,
        allowed: core::ops::RangeInclusive<u8>,
    ) -> Option<Tag> {
        if allowed.contains(&id) {
            Tag::new(id)
        } else {
            self.fail(
                field,
                format!(
                    "tag {id:02} is outside {:02}–{:02}",
                    allowed.start(),
                    allowed.end()
                ),
            );
            None
        }
    }

    /// Appends a field without replacing anything (a template's sub-objects as given).
    fn push(&mut self, path: TagPath, value: &str) {
        let start = self.values.len();
        self.values.push_str(value);
        self.push_written(path, start);
    }

    /// Appends a field whose value is what was written to `values` from `start` on.
    fn push_written(&mut self, path: TagPath, start: usize) {
        self.roots |= root_bit(path);
        // INVARIANT: a builder holds far less than 4 GiB of values; saturating keeps the
        // range inside the buffer regardless (`Field::value` then reads an empty value).
        let saturate = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        self.fields.push(Field {
            path,
            start: saturate(start),
            end: saturate(self.values.len()),
        });
    }

    /// Sets the object at `path`, replacing it, anything under it, and a primitive it goes
    /// inside (which becomes a template).
    fn set(&mut self, path: TagPath, value: &str) {
        if self.roots & root_bit(path) != 0 {
            self.fields
                .retain(|f| !f.path.is_within(path) && !path.is_within(f.path));
        }
        self.push(path, value);
    }

    /// Removes root object `tag` and everything under it.
    fn remove(&mut self, tag: Tag) {
        let root = TagPath::root(tag);
        if self.roots & root_bit(root) != 0 {
            self.fields.retain(|f| !f.path.is_within(root));
            self.roots &= !root_bit(root);
        }
    }

    /// Sets root object `tag` to a primitive value.
    fn put(&mut self, tag: Tag, value: &str) {
        self.set(TagPath::root(tag), value);
    }

    /// Sets root template `tag` to the sub-objects `children`, in the order given.
    fn put_template<'v>(&mut self, tag: Tag, children: impl IntoIterator<Item = (Tag, &'v str)>) {
        self.remove(tag);
        let root = TagPath::root(tag);
        let before = self.fields.len();
        for (sub, value) in children {
            if let Some(path) = root.child(sub) {
                self.push(path, value);
            }
        }
        if self.fields.len() == before {
            // An empty template: `build` refuses it as an empty value.
            self.push(root, "");
        }
    }

    /// Sets any root object (`id` 0–99 except 63) to a primitive value, replacing it.
    #[must_use]
    pub fn object(mut self, id: u8, value: &str) -> PayloadBuilder {
        match Tag::new(id).filter(|t| *t != Tag::CRC) {
            Some(tag) => self.put(tag, value),
            None => self.fail("object", format!("tag {id} cannot be set directly")),
        }
        self
    }

    /// Sets any root object to a template of `(sub-id, value)` fields, replacing it.
    #[must_use]
    pub fn template(mut self, id: u8, fields: &[(u8, &str)]) -> PayloadBuilder {
        let Some(tag) = Tag::new(id).filter(|t| *t != Tag::CRC) else {
            self.fail("template", format!("tag {id} cannot be a template"));
            return self;
        };
        if let Some(&(sub, _)) = fields.iter().find(|(sub, _)| Tag::new(*sub).is_none()) {
            self.fail("template", format!("sub-tag {sub} is above 99"));
        }
        self.put_template(
            tag,
            fields
                .iter()
                .filter_map(|&(sub, value)| Some((Tag::new(sub)?, value))),
        );
        self
    }

    /// 01 point of initiation method.
    #[must_use]
    pub fn point_of_initiation(mut self, poi: PointOfInitiation) -> PayloadBuilder {
        self.put(Tag::POINT_OF_INITIATION, poi.code());
        self
    }

    /// A primitive merchant account information object (02–25), such as a card network's
    /// merchant identifier.
    #[must_use]
    pub fn merchant_account_primitive(mut self, id: u8, value: &str) -> PayloadBuilder {
        if let Some(tag) = self.tag("merchant account", id, 2..=25) {
            self.put(tag, value);
        }
        self
    }

    /// A merchant account information template (26–51): GUI in 00, then `(sub-id, value)`.
    #[must_use]
    pub fn merchant_account(mut self, id: u8, gui: &str, fields: &[(u8, &str)]) -> PayloadBuilder {
        if let Some(tag) = self.tag("merchant account template", id, 26..=51) {
            self.gui_template(tag, gui, fields);
        }
        self
    }

    /// An unreserved template (80–99): GUI in 00, then `(sub-id, value)`.
    #[must_use]
    pub fn unreserved_template(
        mut self,
        id: u8,
        gui: &str,
        fields: &[(u8, &str)],
    ) -> PayloadBuilder {
        if let Some(tag) = self.tag("unreserved template", id, 80..=99) {
            self.gui_template(tag, gui, fields);
        }
        self
    }

    /// Sets root template `tag` to its GUI and `fields` (any sub-object 00 among them is
    /// replaced by the GUI).
    fn gui_template(&mut self, tag: Tag, gui: &str, fields: &[(u8, &str)]) {
        if let Some(&(sub, _)) = fields.iter().find(|(sub, _)| Tag::new(*sub).is_none()) {
            self.fail("template", format!("sub-tag {sub} is above 99"));
        }
        let rest = fields
            .iter()
            .filter_map(|&(sub, value)| Some((Tag::new(sub).filter(|t| *t != Tag::GUI)?, value)));
        self.put_template(tag, core::iter::once((Tag::GUI, gui)).chain(rest));
    }

    /// 52 merchant category code.
    #[must_use]
    pub fn merchant_category_code(mut self, mcc: &str) -> PayloadBuilder {
        self.put(Tag::MCC, mcc);
        self
    }

    /// 53 transaction currency. [`build`](Self::build) refuses a code that is not money
    /// ([`Currency::is_money`]): gold, XTS, XXX, a fund code.
    #[must_use]
    pub fn currency(mut self, currency: Currency) -> PayloadBuilder {
        if !currency.is_money() {
            self.fail(
                "currency",
                format!(
                    "{} ({}) is not a currency a payment can be made in",
                    currency.alpha(),
                    currency.name()
                ),
            );
        }
        self.currency = Some(currency);
        self.remove(Tag::CURRENCY);
        let start = self.values.len();
        self.values
            .extend(currency.numeric_digits().map(char::from));
        self.push_written(TagPath::root(Tag::CURRENCY), start);
        self
    }

    /// 54 transaction amount, written as given after checking the grammar.
    #[must_use]
    pub fn amount(mut self, amount: &str) -> PayloadBuilder {
        match Amount::parse(amount) {
            Ok(_) => self.put(Tag::AMOUNT, amount),
            Err(e) => self.fail("amount", e.to_string()),
        }
        self
    }

    /// 54 transaction amount in minor units of the currency set with
    /// [`PayloadBuilder::currency`], written with the currency's decimals (`25000.00`).
    #[must_use]
    pub fn amount_minor(mut self, minor: u64) -> PayloadBuilder {
        self.amount_minor = Some(minor);
        self
    }

    /// 55–57 tip or convenience fee.
    #[must_use]
    pub fn tip_or_convenience(mut self, tip: TipOrConvenience) -> PayloadBuilder {
        for id in 55..=57 {
            self.remove(Tag::of(id));
        }
        match tip {
            TipOrConvenience::PromptTip => self.put(Tag::TIP_INDICATOR, "01"),
            TipOrConvenience::FixedFee(fee) => {
                self.put(Tag::TIP_INDICATOR, "02");
                self.put(Tag::FEE_FIXED, &fee.to_string());
            }
            TipOrConvenience::PercentageFee { hundredths } => {
                self.put(Tag::TIP_INDICATOR, "03");
                let text = Amount::format_minor(u64::from(hundredths), 2);
                self.put(Tag::FEE_PERCENTAGE, &text);
            }
        }
        self
    }

    /// 58 country code: an ISO 3166-1 alpha-2 code in upper case (`ID`); `build` refuses one
    /// ISO 3166-1 does not assign (`XX`, `XK`).
    #[must_use]
    pub fn country_code(mut self, country: &str) -> PayloadBuilder {
        self.put(Tag::COUNTRY, country);
        self
    }

    /// 59 merchant name.
    #[must_use]
    pub fn merchant_name(mut self, name: &str) -> PayloadBuilder {
        self.put(Tag::MERCHANT_NAME, name);
        self
    }

    /// 60 merchant city.
    #[must_use]
    pub fn merchant_city(mut self, city: &str) -> PayloadBuilder {
        self.put(Tag::MERCHANT_CITY, city);
        self
    }

    /// 61 postal code.
    #[must_use]
    pub fn postal_code(mut self, postal: &str) -> PayloadBuilder {
        self.put(Tag::POSTAL_CODE, postal);
        self
    }

    /// 62.`id` additional data field (01 bill number … 11 merchant channel).
    #[must_use]
    pub fn additional_data(mut self, id: u8, value: &str) -> PayloadBuilder {
        if let Some(tag) = self.tag("additional data", id, 1..=99) {
            if let Some(path) = TagPath::root(Tag::ADDITIONAL_DATA).child(tag) {
                self.set(path, value);
            }
        }
        self
    }

    /// 62.`id` payment-system-specific template (50–99): GUI in 00, then `(sub-id, value)`.
    #[must_use]
    pub fn additional_data_template(
        mut self,
        id: u8,
        gui: &str,
        fields: &[(u8, &str)],
    ) -> PayloadBuilder {
        if let Some(tag) = self.tag("additional data template", id, 50..=99) {
            let Some(template) = TagPath::root(Tag::ADDITIONAL_DATA).child(tag) else {
                return self;
            };
            self.fields
                .retain(|f| !f.path.is_within(template) && !template.is_within(f.path));
            let rest = fields.iter().filter_map(|&(sub, value)| {
                Some((Tag::new(sub).filter(|t| *t != Tag::GUI)?, value))
            });
            for (sub, value) in core::iter::once((Tag::GUI, gui)).chain(rest) {
                if let Some(path) = template.child(sub) {
                    self.push(path, value);
                }
            }
        }
        self
    }

    /// 64 merchant information in an alternate language: `language` is an ISO 639-1 code in
    /// either case (`zh`, `ZH`), `name` and `city` the merchant's in that language.
    #[must_use]
    pub fn language_template(
        self,
        language: &str,
        name: &str,
        city: Option<&str>,
    ) -> PayloadBuilder {
        let mut fields = vec![(0, language), (1, name)];
        if let Some(city) = city {
            fields.push((2, city));
        }
        self.template(64, &fields)
    }

    /// Encodes the payload canonically and checks it.
    ///
    /// # Errors
    /// The first bad field given to the builder, a value too long for a data object, or — unless
    /// [`PayloadBuilder::lenient`] — the first rule of the specification the result breaks.
    pub fn build(mut self) -> Result<String, EncodeError> {
        if let Some(minor) = self.amount_minor {
            match self.currency {
                Some(c) => {
                    self.remove(Tag::AMOUNT);
                    let start = self.values.len();
                    Amount::write_minor(&mut self.values, minor, c.exponent());
                    self.push_written(TagPath::root(Tag::AMOUNT), start);
                }
                None => self.fail("amount", "an amount in minor units needs a currency"),
            }
        }
        if let Some(err) = self.error {
            return Err(err);
        }
        let mut fields = self.fields;
        // Calls usually come in the canonical order already.
        if !fields.is_sorted_by_key(Field::order) {
            fields.sort_by_key(Field::order);
        }
        let mut out = Out::with_capacity(self.values.len() + 4 * fields.len() + 32);
        // Where each root object went, to check the result without walking it again.
        let mut roots: Vec<(Tag, usize, usize)> = Vec::with_capacity(fields.len() + 1);
        write_fields(&mut out, &self.values, &fields, &mut roots)?;
        let offset = out.len();
        out.text("6304");
        let crc = crc::crc16(out.bytes());
        out.crc(crc);
        roots.push((Tag::CRC, offset, out.len()));
        let out = out.into_string();
        if self.lenient {
            // The structure is sound and the CRC right by construction; the one thing a
            // tolerant decode could still refuse is the size.
            if out.len() > INPUT_BYTES_MAX {
                return Err(EncodeError::Invalid(DecodeError::TooLarge {
                    len: out.len(),
                    len_max: INPUT_BYTES_MAX,
                }));
            }
            debug_assert!(Decoder::new().decode(&out).is_ok(), "built {out:?}");
        } else if !built_clear(&out, &roots) {
            // Some rule is broken: the strict decoder says which, exactly as it would for
            // the same payload from anywhere else.
            Decoder::new()
                .strict(true)
                .decode(&out)
                .map_err(EncodeError::Invalid)?;
        }
        Ok(out)
    }
}

/// Whether a payload the builder wrote, with its root objects at `roots` (tag, start of the
/// header, end of the value), breaks no rule: the decoder's fast path, run on the objects the
/// builder already knows. The structure is sound and the CRC right by construction.
fn built_clear(text: &str, roots: &[(Tag, usize, usize)]) -> bool {
    let printable = super::decode::all_printable_ascii(text.as_bytes());
    let ascii = printable || all_ascii(text.as_bytes());
    let mut objects: Vec<DataObject<'_>> = roots
        .iter()
        .map(|&(tag, start, end)| DataObject {
            // An impossible range reads as empty, which the rules refuse: the strict decoder
            // then has the last word.
            value: text.get(start + 4..end).unwrap_or_default(),
            offset: u32::try_from(start).unwrap_or(u32::MAX),
            tag,
            path: TagPath::root(tag),
            parsed: false,
            ascii,
        })
        .collect();
    super::rules::all_clear(text, ascii, printable, &mut objects)
}

/// The bit of the root tag of `path` in [`PayloadBuilder::roots`].
fn root_bit(path: TagPath) -> u128 {
    // The root tag is the key's top byte; tags are below 100.
    1u128 << (path.order_key() >> 24).min(127)
}

/// Writes `fields`, sorted canonically, as data objects, and where each root object went
/// (tag, start of the header, end of the value) to `roots`.
///
/// One pass: a template's header is written with a placeholder length when its first field
/// comes, and the length is filled in when a field outside it comes (or the fields end). A
/// value's errors therefore come before its template's.
fn write_fields(
    out: &mut Out,
    values: &str,
    fields: &[Field],
    roots: &mut Vec<(Tag, usize, usize)>,
) -> Result<(), EncodeError> {
    // Templates being written, outermost first: path and header offset; `depth` of them.
    let mut open = [(TagPath::ROOT, 0); TagPath::DEPTH_MAX];
    let mut depth: usize = 0;
    // Lengths count characters; when every value is ASCII (most payloads), bytes.
    let count = if all_ascii(values.as_bytes()) {
        Count::Bytes
    } else {
        Count::Chars
    };
    for field in fields {
        while let Some(&(template, header)) = depth.checked_sub(1).and_then(|d| open.get(d)) {
            if field.path.is_within(template) && field.path != template {
                break;
            }
            close(out, template, header, count, roots)?;
            depth -= 1;
        }
        // Open the templates around the field that are not open yet.
        while depth + 1 < field.path.depth() {
            let template = field.path.truncated(depth + 1);
            let (Some(tag), Some(slot)) = (template.last(), open.get_mut(depth)) else {
                break;
            };
            *slot = (template, out.len());
            out.header(tag, 0);
            depth += 1;
        }
        let value = field.value(values);
        let chars = match count {
            Count::Bytes => value.len(),
            Count::Chars => char_count(value),
        };
        if !matches!(chars, 1..=99) {
            return Err(length_error(field.path, chars));
        }
        let (start, Some(tag)) = (out.len(), field.path.last()) else {
            continue;
        };
        out.header(tag, chars);
        out.text(value);
        if field.path.depth() == 1 {
            roots.push((tag, start, out.len()));
        }
    }
    while let Some(&(template, header)) = depth.checked_sub(1).and_then(|d| open.get(d)) {
        close(out, template, header, count, roots)?;
        depth -= 1;
    }
    Ok(())
}

/// Fills in the length of the template at `path` whose header starts at `header`, now that its
/// inside is written.
fn close(
    out: &mut Out,
    path: TagPath,
    header: usize,
    count: Count,
    roots: &mut Vec<(Tag, usize, usize)>,
) -> Result<(), EncodeError> {
    let chars = match count {
        Count::Bytes => out.len() - (header + 4),
        Count::Chars => out.chars_from(header + 4),
    };
    if !matches!(chars, 1..=99) {
        return Err(length_error(path, chars));
    }
    out.set_len(header, chars);
    if let (1, Some(tag)) = (path.depth(), path.last()) {
        roots.push((tag, header, out.len()));
    }
    Ok(())
}

/// The error for a value of `chars` characters at `path`, which a length field cannot say.
fn length_error(path: TagPath, chars: usize) -> EncodeError {
    if chars == 0 {
        EncodeError::EmptyValue { tag: path }
    } else {
        EncodeError::ValueTooLong {
            tag: path,
            len: chars,
        }
    }
}

impl From<DecodeError> for EncodeError {
    fn from(err: DecodeError) -> EncodeError {
        EncodeError::Invalid(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// One call on a builder.
    #[derive(Debug, Clone)]
    enum Op {
        Object(u8, String),
        Template(u8, Vec<(u8, String)>),
        MerchantAccount(u8, String, Vec<(u8, String)>),
        AdditionalData(u8, String),
        AdditionalTemplate(u8, String, Vec<(u8, String)>),
    }

    fn apply(builder: PayloadBuilder, op: &Op) -> PayloadBuilder {
        fn pairs(fields: &[(u8, String)]) -> Vec<(u8, &str)> {
            fields.iter().map(|(t, v)| (*t, v.as_str())).collect()
        }
        match op {
            Op::Object(id, v) => builder.object(*id, v),
            Op::Template(id, f) => builder.template(*id, &pairs(f)),
            Op::MerchantAccount(id, gui, f) => builder.merchant_account(*id, gui, &pairs(f)),
            Op::AdditionalData(id, v) => builder.additional_data(*id, v),
            Op::AdditionalTemplate(id, gui, f) => {
                builder.additional_data_template(*id, gui, &pairs(f))
            }
        }
    }

    /// The same calls on a plain object tree, the way the builder is specified: a root call
    /// replaces the root object, a 62 call replaces the sub-object with its tag (every one,
    /// when a template call gave duplicates) and turns a primitive 62 into a template, a
    /// template keeps its sub-objects as given (duplicates too).
    fn model(ops: &[Op]) -> Result<Vec<Object>, EncodeError> {
        fn put(objects: &mut Vec<Object>, object: Object) {
            match objects.iter_mut().find(|o| o.tag == object.tag) {
                Some(slot) => *slot = object,
                None => objects.push(object),
            }
        }
        fn subs(gui: Option<&str>, fields: &[(u8, String)]) -> Vec<Object> {
            let has_gui = gui.is_some();
            let gui = gui.map(|g| Object::primitive(Tag::GUI, g));
            let rest = fields
                .iter()
                .filter(|(t, _)| !has_gui || *t != 0)
                .filter_map(|(t, v)| Some(Object::primitive(Tag::new(*t)?, v.as_str())));
            gui.into_iter().chain(rest).collect()
        }
        let mut objects = vec![Object::primitive(Tag::PAYLOAD_FORMAT, "01")];
        let mut error = None;
        for op in ops {
            let bad_sub = |f: &[(u8, String)]| f.iter().any(|(t, _)| *t > 99);
            match op {
                Op::Object(id, v) if *id <= 99 && *id != 63 => {
                    put(&mut objects, Object::primitive(Tag::of(*id), v.as_str()));
                }
                Op::Template(id, f) if *id <= 99 && *id != 63 => {
                    if bad_sub(f) {
                        error.get_or_insert("template");
                    }
                    put(&mut objects, Object::template(Tag::of(*id), subs(None, f)));
                }
                Op::Object(..) => drop(error.get_or_insert("object")),
                Op::Template(..) => drop(error.get_or_insert("template")),
                Op::MerchantAccount(id, gui, f) => {
                    if !(26..=51).contains(id) {
                        error.get_or_insert("merchant account template");
                        continue;
                    }
                    if bad_sub(f) {
                        error.get_or_insert("template");
                    }
                    put(
                        &mut objects,
                        Object::template(Tag::of(*id), subs(Some(gui), f)),
                    );
                }
                Op::AdditionalData(id, v) | Op::AdditionalTemplate(id, v, _) => {
                    let (child, range, field) = match op {
                        Op::AdditionalTemplate(_, _, f) => (
                            Object::template(Tag::of(*id), subs(Some(v), f)),
                            50..=99,
                            "additional data template",
                        ),
                        _ => (
                            Object::primitive(Tag::of(*id), v.as_str()),
                            1..=99,
                            "additional data",
                        ),
                    };
                    if !range.contains(id) {
                        error.get_or_insert(field);
                        continue;
                    }
                    let i = objects
                        .iter()
                        .position(|o| o.tag == Tag::ADDITIONAL_DATA)
                        .unwrap_or_else(|| {
                            objects.push(Object::template(Tag::ADDITIONAL_DATA, Vec::new()));
                            objects.len() - 1
                        });
                    if let Value::Primitive(_) = objects[i].value {
                        objects[i].value = Value::Template(Vec::new());
                    }
                    if let Value::Template(children) = &mut objects[i].value {
                        children.retain(|c| c.tag != child.tag);
                        children.push(child);
                    }
                }
            }
        }
        if let Some(field) = error {
            // The builder reports the first bad call; the model only needs which field.
            return Err(EncodeError::BadField {
                field,
                reason: String::new(),
            });
        }
        Ok(objects)
    }

    /// Sorts every level, and checks values depth first: the builder's canonical form.
    fn canonical(objects: &mut [Object], parent: TagPath) -> Result<usize, EncodeError> {
        objects.sort_by_key(|o| o.tag);
        let mut total = 0;
        for object in objects {
            let path = parent.child(object.tag).unwrap();
            let len = match &mut object.value {
                Value::Primitive(text) => text.chars().count(),
                Value::Template(children) => canonical(children, path)?,
            };
            match len {
                0 => return Err(EncodeError::EmptyValue { tag: path }),
                100.. => return Err(EncodeError::ValueTooLong { tag: path, len }),
                _ => total += 4 + len,
            }
        }
        Ok(total)
    }

    fn reference(ops: &[Op], lenient: bool) -> Result<String, EncodeError> {
        let mut objects = model(ops)?;
        canonical(&mut objects, TagPath::ROOT)?;
        let text = encode_objects(&objects)?;
        if !lenient {
            Decoder::new()
                .strict(true)
                .decode(&text)
                .map_err(EncodeError::Invalid)?;
        }
        Ok(text)
    }

    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            6 => "[A-Za-z0-9 .]{1,12}",
            2 => "[0-9]{0,4}",
            1 => "[ -~]{0,8}",
            1 => "\\PC{1,4}",
            1 => "[a-z]{95,101}",
        ]
    }

    fn fields() -> impl Strategy<Value = Vec<(u8, String)>> {
        prop::collection::vec((prop_oneof![0u8..=12, 0u8..=101], value()), 0..4)
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (prop_oneof![0u8..=99, 50u8..=65, 100u8..=101], value())
                .prop_map(|(id, v)| Op::Object(id, v)),
            (prop_oneof![62u8..=64, 20u8..=99], fields()).prop_map(|(id, f)| Op::Template(id, f)),
            (24u8..=53, "[a-z.]{1,20}", fields())
                .prop_map(|(id, gui, f)| Op::MerchantAccount(id, gui, f)),
            (prop_oneof![1u8..=11, 0u8..=100], value())
                .prop_map(|(id, v)| Op::AdditionalData(id, v)),
            (48u8..=60, "[a-z.]{1,20}", fields())
                .prop_map(|(id, gui, f)| Op::AdditionalTemplate(id, gui, f)),
        ]
    }

    /// The calls of a valid payload.
    fn valid_base() -> Vec<Op> {
        vec![
            Op::MerchantAccount(26, "ID.CO.EXAMPLE.WWW".into(), vec![(1, "9360".into())]),
            Op::Object(52, "5812".into()),
            Op::Object(53, "360".into()),
            Op::Object(58, "ID".into()),
            Op::Object(59, "Kopi".into()),
            Op::Object(60, "Jakarta".into()),
        ]
    }

    /// A valid payload's calls, then random ones.
    fn ops() -> impl Strategy<Value = Vec<Op>> {
        prop::collection::vec(op(), 0..5).prop_map(move |extra| {
            let mut all = valid_base();
            all.extend(extra);
            all
        })
    }

    fn same_outcome(
        built: &Result<String, EncodeError>,
        expected: &Result<String, EncodeError>,
    ) -> bool {
        match (built, expected) {
            (
                Err(EncodeError::BadField { field: a, .. }),
                Err(EncodeError::BadField { field: b, .. }),
            ) => a == b,
            _ => built == expected,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// The builder, which checks what it wrote without decoding it when nothing is
        /// broken, agrees with encoding the model's tree and decoding the result.
        #[test]
        fn builder_agrees_with_the_object_tree_model(ops in ops(), lenient in any::<bool>()) {
            let built = ops
                .iter()
                .fold(PayloadBuilder::new(), apply)
                .lenient(lenient)
                .build();
            let expected = reference(&ops, lenient);
            prop_assert!(same_outcome(&built, &expected), "{built:?}\n{expected:?}");
        }
    }

    /// Any object tree: tags anywhere (63 in the middle too), empty, long and non-ASCII values,
    /// templates deeper than the decoder follows.
    fn tree() -> impl Strategy<Value = Vec<Object>> {
        let leaf = (0u8..=99, value()).prop_map(|(t, v)| Object::primitive(Tag::of(t), v));
        let node = leaf.prop_recursive(3, 12, 4, |inner| {
            (0u8..=99, prop::collection::vec(inner, 0..4))
                .prop_map(|(t, children)| Object::template(Tag::of(t), children))
        });
        prop::collection::vec(node, 0..8)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// Decoding only a result with a CRC object before the end or over the size limit
        /// (the CRC is ours) gives the same answer as decoding every result: the same
        /// payload, or the same error.
        #[test]
        fn encode_objects_agrees_with_encoding_then_decoding(objects in tree()) {
            let expected = encode_unchecked(&objects).and_then(|text| {
                Decoder::new().decode(&text).map_err(EncodeError::Invalid)?;
                Ok(text)
            });
            prop_assert_eq!(encode_objects(&objects), expected);
        }
    }

    /// The encoder written plainly, from the specification: every length a character count,
    /// found after the value is written; a trailing CRC object kept when it is the right CRC in
    /// any case, replaced when it is another, refused when it is not four hex digits.
    fn plain_encode(objects: &[Object]) -> Result<String, EncodeError> {
        fn inside(objects: &[Object], parent: TagPath) -> Result<String, EncodeError> {
            let mut text = String::new();
            for object in objects {
                let path = parent.child(object.tag).unwrap_or(parent);
                let value = match &object.value {
                    Value::Primitive(value) => value.clone(),
                    Value::Template(children) => inside(children, path)?,
                };
                let len = value.chars().count();
                if len > 99 {
                    return Err(EncodeError::ValueTooLong { tag: path, len });
                }
                text.push_str(&format!("{:02}{len:02}{value}", object.tag.get()));
            }
            Ok(text)
        }
        let (body, given) = match objects.split_last() {
            Some((last, rest)) if last.tag == Tag::CRC => match &last.value {
                Value::Primitive(crc) => (rest, Some(crc.as_str())),
                Value::Template(_) => {
                    return Err(EncodeError::CrcFormat {
                        found: "a template".into(),
                    })
                }
            },
            _ => (objects, None),
        };
        let mut text = inside(body, TagPath::ROOT)?;
        text.push_str("6304");
        let crc = crc::crc16(text.as_bytes());
        match given {
            Some(given) if given.len() != 4 || !given.bytes().all(|b| b.is_ascii_hexdigit()) => {
                return Err(EncodeError::CrcFormat {
                    found: given.to_owned(),
                })
            }
            Some(given) if u16::from_str_radix(given, 16) == Ok(crc) => text.push_str(given),
            _ => text.push_str(&format!("{crc:04X}")),
        }
        Ok(text)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// The fast writer (byte counts, then characters only when the text is not ASCII)
        /// writes what the plain one does, and fails where it does, the same way.
        #[test]
        fn encoding_agrees_with_a_plain_encoder(objects in tree()) {
            prop_assert_eq!(encode_unchecked(&objects), plain_encode(&objects));
        }
    }

    #[test]
    fn lengths_count_characters_when_bytes_would_say_more() {
        // 60 characters in 120 bytes: too long by bytes, so the character count decides.
        let name = "é".repeat(60);
        let text = encode_unchecked(&[Object::primitive(Tag::of(59), name.clone())]).unwrap();
        assert!(text.starts_with(&format!("5960{name}6304")), "{text}");
        let template = Object::template(
            Tag::of(62),
            vec![
                Object::primitive(Tag::of(5), "é".repeat(30)),
                Object::primitive(Tag::of(1), "x"),
            ],
        );
        let text = encode_unchecked(&[template]).unwrap();
        assert!(text.starts_with("62390530"), "{text}");
        assert_eq!(
            encode_unchecked(&[template_of_len(100)]),
            Err(EncodeError::ValueTooLong {
                tag: TagPath::root(Tag::of(62)),
                len: 100
            })
        );
    }

    /// A template 62 whose inside is `len` characters long, one of them non-ASCII.
    fn template_of_len(len: usize) -> Object {
        let value = format!("é{}", "x".repeat(len - 5));
        Object::template(Tag::of(62), vec![Object::primitive(Tag::of(5), value)])
    }

    #[test]
    fn the_model_test_builds_valid_payloads_too() {
        // The random calls start from a valid payload; it must build, or the property above
        // would only ever compare errors.
        let mut ops = valid_base();
        ops.push(Op::AdditionalTemplate(
            50,
            "com.example".into(),
            vec![(2, "b".into()), (1, "a".into())],
        ));
        let built = ops
            .iter()
            .fold(PayloadBuilder::new(), apply)
            .build()
            .unwrap();
        assert_eq!(Ok(built), reference(&ops, false));
    }

    /// A small valid payload but for its currency, which each test sets.
    fn without_currency() -> PayloadBuilder {
        PayloadBuilder::new()
            .merchant_account(26, "ID.CO.EXAMPLE.WWW", &[(1, "9360")])
            .object(52, "5812")
            .country_code("ID")
            .merchant_name("Kopi")
            .merchant_city("Jakarta")
    }

    #[test]
    fn codes_that_are_not_money_are_refused() {
        let base = without_currency;
        assert!(base().currency(Currency::IDR).build().is_ok());
        let gold = Currency::parse("XAU").unwrap();
        match base().currency(gold).build() {
            Err(EncodeError::BadField { field, reason }) => {
                assert_eq!(field, "currency");
                assert_eq!(
                    reason,
                    "XAU (Gold (one troy ounce)) is not a currency a payment can be made in"
                );
            }
            other => panic!("{other:?}"),
        }
        // Written as a raw object the code still meets the rule.
        let err = base().object(53, "999").build().unwrap_err();
        assert!(err.to_string().contains("XXX"), "{err}");
    }

    #[test]
    fn a_crc_object_is_kept_in_any_case_when_right_and_replaced_when_wrong() {
        // EMV's Annex B example, CRC A13A, without its language template.
        let body = "00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678520441115802CN5914BEST TRANSPORT6007BEIJING";
        let with_crc = |crc: &str| {
            let text = format!("{body}6304{}", encoded_crc(body));
            let mut objects: Vec<Object> = Decoder::new()
                .decode(&text)
                .unwrap()
                .objects()
                .iter()
                .map(Object::from_decoded)
                .collect();
            if let Some(last) = objects.last_mut() {
                last.value = Value::Primitive(crc.to_owned());
            }
            encode_objects(&objects)
        };
        let right = encoded_crc(body);
        let lower = right.to_ascii_lowercase();
        let mixed: String = right
            .chars()
            .enumerate()
            .map(|(i, c)| {
                if i % 2 == 0 {
                    c.to_ascii_lowercase()
                } else {
                    c
                }
            })
            .collect();
        for crc in [&right, &lower, &mixed] {
            assert_eq!(with_crc(crc), Ok(format!("{body}6304{crc}")));
        }
        // A well-formed CRC that is wrong: the objects were edited, so the right one is written.
        let wrong = if right == "0000" { "FFFF" } else { "0000" };
        assert_eq!(with_crc(wrong), Ok(format!("{body}6304{right}")));
        for bad in ["ZZZZ", "+A13", "A13", "A13A0", ""] {
            assert_eq!(
                with_crc(bad),
                Err(EncodeError::CrcFormat {
                    found: bad.to_owned()
                }),
                "{bad:?}"
            );
        }
    }

    /// The CRC of `body` followed by the CRC object's header, in upper case.
    fn encoded_crc(body: &str) -> String {
        format!("{:04X}", crc::crc16(format!("{body}6304").as_bytes()))
    }

    #[test]
    fn empty_and_overlong_values_are_named_by_path() {
        let base = || without_currency().currency(Currency::IDR);
        assert!(base().build().is_ok());
        let path = |s: &str| s.parse::<TagPath>().unwrap();
        assert_eq!(
            base().additional_data(5, "").build(),
            Err(EncodeError::EmptyValue { tag: path("62.05") })
        );
        assert_eq!(
            base().template(64, &[]).build(),
            Err(EncodeError::EmptyValue { tag: path("64") })
        );
        let long = "x".repeat(100);
        assert_eq!(
            base().additional_data(5, &long).build(),
            Err(EncodeError::ValueTooLong {
                tag: path("62.05"),
                len: 100
            })
        );
        // Each sub-object fits; together with the GUI (5 characters encoded) and four headers
        // they come to 5 + 4 × (4 + 20) = 101, more than the template's length field can say.
        let v = "y".repeat(20);
        assert_eq!(
            base()
                .merchant_account(27, "g", &[(1, &v), (2, &v), (3, &v), (4, &v)])
                .build(),
            Err(EncodeError::ValueTooLong {
                tag: path("27"),
                len: 101
            })
        );
    }
}
