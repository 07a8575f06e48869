//! Encoding: an owned object tree, and a builder that makes canonical payloads.

use super::decode::Decoder;
use super::error::{DecodeError, EncodeError};
use super::object::DataObject;
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
}

/// Appends one data object: two-digit id, two-digit character count, value.
pub(crate) fn write_object(out: &mut String, tag: Tag, value: &str) {
    let len = if value.is_ascii() {
        value.len()
    } else {
        value.chars().count()
    };
    let [i0, i1] = tag.digits();
    out.push(char::from(i0));
    out.push(char::from(i1));
    // INVARIANT: callers pass values of at most 99 characters (checked in `encode_into`, and
    // true of every decoded object); `min` keeps the two digits well-formed regardless.
    let len = u8::try_from(len.min(99)).unwrap_or(99);
    out.push(char::from(b'0' + len / 10));
    out.push(char::from(b'0' + len % 10));
    out.push_str(value);
}

fn encode_into(out: &mut String, objects: &[Object], parent: TagPath) -> Result<(), EncodeError> {
    for object in objects {
        let path = parent.child(object.tag).unwrap_or(parent);
        let inner;
        let value = match &object.value {
            Value::Primitive(text) => text.as_str(),
            Value::Template(children) => {
                let mut buf = String::new();
                encode_into(&mut buf, children, path)?;
                inner = buf;
                inner.as_str()
            }
        };
        let len = value.chars().count();
        if len > 99 {
            return Err(EncodeError::ValueTooLong { tag: path, len });
        }
        write_object(out, object.tag, value);
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
    Decoder::new().decode(&out).map_err(EncodeError::Invalid)?;
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
    let mut out = String::with_capacity(256);
    encode_into(&mut out, body, TagPath::ROOT)?;
    out.push_str("6304");
    let computed = crc::crc16(out.as_bytes());
    match crc_given {
        Some(given) => {
            let valid_hex = given.len() == 4 && given.bytes().all(|b| b.is_ascii_hexdigit());
            if !valid_hex {
                return Err(EncodeError::CrcFormat {
                    found: given.to_owned(),
                });
            }
            if u16::from_str_radix(given, 16).ok() == Some(computed) {
                out.push_str(given);
            } else {
                push_crc(&mut out, computed);
            }
        }
        None => push_crc(&mut out, computed),
    }
    Ok(out)
}

fn push_crc(out: &mut String, crc: u16) {
    use core::fmt::Write as _;
    // Writing to a String cannot fail.
    let _ = write!(out, "{crc:04X}");
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
    objects: Vec<Object>,
    currency: Option<Currency>,
    amount_minor: Option<u64>,
    lenient: bool,
    error: Option<EncodeError>,
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
        PayloadBuilder {
            objects: vec![Object::primitive(Tag::PAYLOAD_FORMAT, "01")],
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
        let mut builder = PayloadBuilder::new();
        builder.objects = payload
            .objects()
            .iter()
            .filter(|o| o.tag() != Tag::CRC)
            .map(Object::from_decoded)
            .collect();
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

    /// Sets (or replaces) a root object.
    fn put(&mut self, object: Object) {
        match self.objects.iter_mut().find(|o| o.tag == object.tag) {
            Some(slot) => *slot = object,
            None => self.objects.push(object),
        }
    }

    /// Sets (or replaces) sub-object `sub` of root template `parent`.
    fn put_child(&mut self, parent: Tag, sub: Object) {
        let index = match self.objects.iter().position(|o| o.tag == parent) {
            Some(i) => i,
            None => {
                self.objects.push(Object::template(parent, Vec::new()));
                self.objects.len() - 1
            }
        };
        if let Some(slot) = self.objects.get_mut(index) {
            if let Value::Primitive(_) = slot.value {
                slot.value = Value::Template(Vec::new());
            }
            if let Value::Template(children) = &mut slot.value {
                match children.iter_mut().find(|c| c.tag == sub.tag) {
                    Some(existing) => *existing = sub,
                    None => children.push(sub),
                }
            }
        }
    }

    /// Sets any root object (`id` 0–99 except 63) to a primitive value, replacing it.
    #[must_use]
    pub fn object(mut self, id: u8, value: &str) -> PayloadBuilder {
        match Tag::new(id).filter(|t| *t != Tag::CRC) {
            Some(tag) => self.put(Object::primitive(tag, value)),
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
        let mut children = Vec::with_capacity(fields.len());
        for &(sub, value) in fields {
            match Tag::new(sub) {
                Some(t) => children.push(Object::primitive(t, value)),
                None => self.fail("template", format!("sub-tag {sub} is above 99")),
            }
        }
        self.put(Object::template(tag, children));
        self
    }

    /// 01 point of initiation method.
    #[must_use]
    pub fn point_of_initiation(mut self, poi: PointOfInitiation) -> PayloadBuilder {
        self.put(Object::primitive(Tag::POINT_OF_INITIATION, poi.code()));
        self
    }

    /// A primitive merchant account information object (02–25), such as a card network's
    /// merchant identifier.
    #[must_use]
    pub fn merchant_account_primitive(mut self, id: u8, value: &str) -> PayloadBuilder {
        if let Some(tag) = self.tag("merchant account", id, 2..=25) {
            self.put(Object::primitive(tag, value));
        }
        self
    }

    /// A merchant account information template (26–51): GUI in 00, then `(sub-id, value)`.
    #[must_use]
    pub fn merchant_account(mut self, id: u8, gui: &str, fields: &[(u8, &str)]) -> PayloadBuilder {
        if self.tag("merchant account template", id, 26..=51).is_some() {
            self = self.gui_template(id, gui, fields);
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
        if self.tag("unreserved template", id, 80..=99).is_some() {
            self = self.gui_template(id, gui, fields);
        }
        self
    }

    fn gui_template(self, id: u8, gui: &str, fields: &[(u8, &str)]) -> PayloadBuilder {
        let mut all = Vec::with_capacity(fields.len() + 1);
        all.push((0, gui));
        all.extend(fields.iter().filter(|(sub, _)| *sub != 0).copied());
        self.template(id, &all)
    }

    /// 52 merchant category code.
    #[must_use]
    pub fn merchant_category_code(mut self, mcc: &str) -> PayloadBuilder {
        self.put(Object::primitive(Tag::MCC, mcc));
        self
    }

    /// 53 transaction currency.
    #[must_use]
    pub fn currency(mut self, currency: Currency) -> PayloadBuilder {
        self.currency = Some(currency);
        self.put(Object::primitive(Tag::CURRENCY, currency.numeric_str()));
        self
    }

    /// 54 transaction amount, written as given after checking the grammar.
    #[must_use]
    pub fn amount(mut self, amount: &str) -> PayloadBuilder {
        match Amount::parse(amount) {
            Ok(_) => self.put(Object::primitive(Tag::AMOUNT, amount)),
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
        self.objects.retain(|o| !matches!(o.tag.get(), 55..=57));
        match tip {
            TipOrConvenience::PromptTip => self.put(Object::primitive(Tag::TIP_INDICATOR, "01")),
            TipOrConvenience::FixedFee(fee) => {
                self.put(Object::primitive(Tag::TIP_INDICATOR, "02"));
                self.put(Object::primitive(Tag::FEE_FIXED, fee.to_string()));
            }
            TipOrConvenience::PercentageFee { hundredths } => {
                self.put(Object::primitive(Tag::TIP_INDICATOR, "03"));
                let text = Amount::format_minor(u64::from(hundredths), 2);
                self.put(Object::primitive(Tag::FEE_PERCENTAGE, text));
            }
        }
        self
    }

    /// 58 country code.
    #[must_use]
    pub fn country_code(mut self, country: &str) -> PayloadBuilder {
        self.put(Object::primitive(Tag::COUNTRY, country));
        self
    }

    /// 59 merchant name.
    #[must_use]
    pub fn merchant_name(mut self, name: &str) -> PayloadBuilder {
        self.put(Object::primitive(Tag::MERCHANT_NAME, name));
        self
    }

    /// 60 merchant city.
    #[must_use]
    pub fn merchant_city(mut self, city: &str) -> PayloadBuilder {
        self.put(Object::primitive(Tag::MERCHANT_CITY, city));
        self
    }

    /// 61 postal code.
    #[must_use]
    pub fn postal_code(mut self, postal: &str) -> PayloadBuilder {
        self.put(Object::primitive(Tag::POSTAL_CODE, postal));
        self
    }

    /// 62.`id` additional data field (01 bill number … 11 merchant channel).
    #[must_use]
    pub fn additional_data(mut self, id: u8, value: &str) -> PayloadBuilder {
        if let Some(tag) = self.tag("additional data", id, 1..=99) {
            self.put_child(Tag::ADDITIONAL_DATA, Object::primitive(tag, value));
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
            let mut children = vec![Object::primitive(Tag::GUI, gui)];
            for &(sub, value) in fields.iter().filter(|(sub, _)| *sub != 0) {
                if let Some(t) = Tag::new(sub) {
                    children.push(Object::primitive(t, value));
                }
            }
            self.put_child(Tag::ADDITIONAL_DATA, Object::template(tag, children));
        }
        self
    }

    /// 64 merchant information in an alternate language.
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
                    let text = Amount::format_minor(minor, c.exponent());
                    self.put(Object::primitive(Tag::AMOUNT, text));
                }
                None => self.fail("amount", "an amount in minor units needs a currency"),
            }
        }
        if let Some(err) = self.error {
            return Err(err);
        }
        let mut objects = self.objects;
        objects.retain(|o| o.tag != Tag::CRC);
        objects.sort_by_key(|o| o.tag);
        for object in &mut objects {
            if let Value::Template(children) = &mut object.value {
                children.sort_by_key(|o| o.tag);
            }
            check_not_empty(object, TagPath::ROOT)?;
        }
        let text = encode_objects(&objects)?;
        if !self.lenient {
            Decoder::new()
                .strict(true)
                .decode(&text)
                .map_err(EncodeError::Invalid)?;
        }
        Ok(text)
    }
}

fn check_not_empty(object: &Object, parent: TagPath) -> Result<(), EncodeError> {
    let path = parent.child(object.tag).unwrap_or(parent);
    match &object.value {
        Value::Primitive(text) if text.is_empty() => Err(EncodeError::EmptyValue { tag: path }),
        Value::Primitive(_) => Ok(()),
        Value::Template(children) if children.is_empty() => {
            Err(EncodeError::EmptyValue { tag: path })
        }
        Value::Template(children) => children.iter().try_for_each(|c| check_not_empty(c, path)),
    }
}

impl From<DecodeError> for EncodeError {
    fn from(err: DecodeError) -> EncodeError {
        EncodeError::Invalid(err)
    }
}
