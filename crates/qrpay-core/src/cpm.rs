//! EMV® QR Code Consumer-Presented Mode (EMV QRCPS CPM): base64 text of BER-TLV data.
//!
//! The payload (EMV QRCPS CPM v1.0, section 4) is a sequence of BER-TLV data objects,
//! encoded with the standard base64 alphabet (with padding):
//!
//! - `85` Payload Format Indicator, first, with the value `CPV01` (so every payload starts
//!   `hQVDUFYw`);
//! - one or more `61` Application Templates, each with `4F` (AID) and optionally `50`
//!   (label), `57` (track 2 equivalent) or `5A` (PAN), `5F20`, `5F2D`, `9F08`, `9F19`,
//!   `9F24`, `9F25`, `63` (application-specific transparent template) and others;
//! - optionally one `62` Common Data Template with the same kinds of objects and a `64`
//!   Common Data Transparent Template.
//!
//! Tags take one to three bytes; lengths use the short form or the long forms `81`, `82`,
//! `83` and must be minimal (so decoding and re-encoding is byte-identical). Unknown tags are
//! kept in place.
//!
//! ```
//! let text = "hQVDUFYwMWETTwegAAAAVVVVUAhQcm9kdWN0MWETTwegAAAAZmZmUAhQcm9kdWN0MmJJWggSNFZ4kBI0WF8gDkNBUkRIT0xERVIvRU1WXy0IcnVlc2RlZW5kIZ8QBwYBCgMAAACfJghYT9OF+iNLzJ82AgABnzcEbVjvEw==";
//! let cpm = qrpay_core::cpm::parse(text)?;
//! assert_eq!(cpm.applications().len(), 2);
//! assert_eq!(cpm.applications()[0].label(), Some("Product1"));
//! assert_eq!(cpm.encode(), text);
//! # Ok::<(), qrpay_core::cpm::CpmError>(())
//! ```

use core::fmt;

use base64::Engine as _;

/// Longest accepted base64 text: a version 40 QR code holds at most 2953 bytes, whose base64
/// form is 3940 characters.
pub const INPUT_LEN_MAX: usize = 3940;
/// Longest accepted decoded payload in bytes (binary capacity of a version 40-L QR code).
pub const BYTES_LEN_MAX: usize = 2953;
/// Deepest template nesting accepted (payload → 61/62 → 63/64 → proprietary).
pub const DEPTH_MAX: usize = 4;

/// Tag of the Payload Format Indicator.
pub const TAG_PAYLOAD_FORMAT_INDICATOR: Tag = Tag::from_u8(0x85);
/// Tag of an Application Template.
pub const TAG_APPLICATION_TEMPLATE: Tag = Tag::from_u8(0x61);
/// Tag of the Common Data Template.
pub const TAG_COMMON_DATA_TEMPLATE: Tag = Tag::from_u8(0x62);
/// Tag of the Application Definition File (ADF) Name, the AID.
pub const TAG_AID: Tag = Tag::from_u8(0x4F);

const PAYLOAD_FORMAT_INDICATOR: &[u8] = b"CPV01";

/// A decoded, validated consumer-presented payload: its top-level data objects in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cpm {
    objects: Vec<Tlv>,
}

/// A BER-TLV tag of one to three bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Tag {
    bytes: [u8; 3],
    len: u8,
}

/// One BER-TLV data object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tlv {
    tag: Tag,
    value: Value,
}

/// The value of a data object: bytes for a primitive tag, data objects for a constructed one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// A primitive data object's bytes.
    Primitive(Vec<u8>),
    /// A constructed data object's children.
    Constructed(Vec<Tlv>),
}

/// A read-only view of an Application Template (`61`) or the Common Data Template (`62`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Template<'a> {
    objects: &'a [Tlv],
}

/// Why a consumer-presented payload could not be decoded or built. Offsets are byte offsets
/// in the base64-decoded data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CpmError {
    /// The base64 text (or decoded bytes) is longer than a QR code can hold.
    #[error("payload is {len} characters or bytes, at most {len_max} allowed")]
    TooLong {
        /// Characters found.
        len: usize,
        /// Limit.
        len_max: usize,
    },
    /// The text is not standard-alphabet base64 with padding.
    #[error("invalid base64 at character {offset}")]
    Base64 {
        /// Character offset in the text (0 when the length itself is wrong).
        offset: usize,
    },
    /// A tag runs past the end of the data or past three bytes.
    #[error("bad tag at byte {offset}")]
    BadTag {
        /// Offset of the tag's first byte.
        offset: usize,
    },
    /// A length field is truncated, indefinite, longer than three bytes or not minimal.
    #[error("bad length for tag {tag} at byte {offset}")]
    BadLength {
        /// The tag whose length is bad.
        tag: Tag,
        /// Offset of the length's first byte.
        offset: usize,
    },
    /// A value runs past the end of its enclosing data.
    #[error("value of tag {tag} at byte {offset} needs {len} bytes, {available} left")]
    ValueOverrun {
        /// The tag.
        tag: Tag,
        /// Offset of the value.
        offset: usize,
        /// Declared length.
        len: usize,
        /// Bytes remaining.
        available: usize,
    },
    /// Templates nest deeper than [`DEPTH_MAX`].
    #[error("templates nested too deep at byte {offset}")]
    TooDeep {
        /// Offset of the template that is too deep.
        offset: usize,
    },
    /// The first data object is not `85` with `CPV01`.
    #[error("payload does not start with payload format indicator CPV01")]
    PayloadFormatIndicator,
    /// No Application Template (`61`).
    #[error("no application template (61)")]
    MissingApplicationTemplate,
    /// A tag that must occur once occurs again.
    #[error("tag {tag} repeated in data object {index}")]
    Repeated {
        /// The tag.
        tag: Tag,
        /// Index of the repeated object among its siblings.
        index: usize,
    },
    /// An Application Template has no AID (`4F`).
    #[error("application template {index} has no aid (4f)")]
    MissingAid {
        /// Index of the template among the top-level objects.
        index: usize,
    },
    /// Neither an application PAN (`5A`) nor track 2 equivalent data (`57`) in any template.
    #[error("no application pan (5a) or track 2 equivalent data (57)")]
    MissingAccountData,
    /// A known data object has a value its format does not allow.
    #[error("invalid value for tag {tag} in top-level object {index}")]
    InvalidValue {
        /// The tag.
        tag: Tag,
        /// Index of the enclosing top-level object.
        index: usize,
    },
    /// A tag's constructed bit disagrees with the value given to the builder.
    #[error("tag {tag} is {}constructed", if *.constructed { "" } else { "not " })]
    TagForm {
        /// The tag.
        tag: Tag,
        /// Whether the tag is constructed.
        constructed: bool,
    },
    /// A tag given to the builder is not a well-formed BER-TLV tag of one to three bytes.
    #[error("malformed tag")]
    MalformedTag,
    /// An encoded value would be longer than the long-form lengths allow (16 MiB).
    #[error("value of tag {tag} too long to encode")]
    ValueTooLong {
        /// The tag.
        tag: Tag,
    },
}

/// Decodes consumer-presented base64 text.
///
/// # Errors
///
/// A [`CpmError`] with the byte offset or tag at fault.
pub fn parse(input: &str) -> Result<Cpm, CpmError> {
    if input.len() > INPUT_LEN_MAX {
        return Err(CpmError::TooLong {
            len: input.len(),
            len_max: INPUT_LEN_MAX,
        });
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(input)
        .map_err(|error| CpmError::Base64 {
            offset: match error {
                base64::DecodeError::InvalidByte(offset, _)
                | base64::DecodeError::InvalidLastSymbol { offset, .. } => offset,
                _ => 0,
            },
        })?;
    parse_bytes(&bytes)
}

/// Decodes the BER-TLV bytes of a consumer-presented payload (already base64-decoded).
///
/// # Errors
///
/// A [`CpmError`] with the byte offset or tag at fault.
pub fn parse_bytes(bytes: &[u8]) -> Result<Cpm, CpmError> {
    if bytes.len() > BYTES_LEN_MAX {
        return Err(CpmError::TooLong {
            len: bytes.len(),
            len_max: BYTES_LEN_MAX,
        });
    }
    let objects = read_objects(bytes, 0, 0)?;
    Cpm::new(objects)
}

/// Cheap detection: the text starts with the base64 of `85 05 "CPV01"`.
#[must_use]
pub fn looks_like(input: &str) -> bool {
    input.starts_with("hQVDUFYw")
}

impl Cpm {
    /// Builds a payload from top-level data objects, checking the CPM structure.
    ///
    /// # Errors
    ///
    /// A [`CpmError`] when the first object is not `85 CPV01`, no `61` is present, `62`
    /// repeats, a `61` lacks `4F`, or a known object has a malformed value.
    pub fn new(objects: Vec<Tlv>) -> Result<Self, CpmError> {
        let cpm = Self { objects };
        cpm.validate()?;
        Ok(cpm)
    }

    /// The top-level data objects in order, the payload format indicator first.
    #[must_use]
    pub fn objects(&self) -> &[Tlv] {
        &self.objects
    }

    /// The Application Templates (`61`) in order.
    #[must_use]
    pub fn applications(&self) -> Vec<Template<'_>> {
        self.templates(TAG_APPLICATION_TEMPLATE).collect()
    }

    /// The Common Data Template (`62`), if present.
    #[must_use]
    pub fn common_data(&self) -> Option<Template<'_>> {
        self.templates(TAG_COMMON_DATA_TEMPLATE).next()
    }

    /// The BER-TLV bytes.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for object in &self.objects {
            object.write(&mut out);
        }
        out
    }

    /// The base64 text (same as `to_string()`).
    #[must_use]
    pub fn encode(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.to_bytes())
    }

    fn templates(&self, tag: Tag) -> impl Iterator<Item = Template<'_>> {
        self.objects
            .iter()
            .filter(move |object| object.tag == tag)
            .filter_map(|object| match &object.value {
                Value::Constructed(objects) => Some(Template { objects }),
                Value::Primitive(_) => None,
            })
    }

    fn validate(&self) -> Result<(), CpmError> {
        let first = self.objects.first();
        let pfi_ok = first.is_some_and(|object| {
            object.tag == TAG_PAYLOAD_FORMAT_INDICATOR
                && object.value == Value::Primitive(PAYLOAD_FORMAT_INDICATOR.to_vec())
        });
        if !pfi_ok {
            return Err(CpmError::PayloadFormatIndicator);
        }
        let mut applications = 0usize;
        let mut common = false;
        for (index, object) in self.objects.iter().enumerate() {
            object.check_form()?;
            check_depth(object, 1)?;
            if index > 0 && object.tag == TAG_PAYLOAD_FORMAT_INDICATOR {
                return Err(CpmError::Repeated {
                    tag: object.tag,
                    index,
                });
            }
            if object.tag == TAG_APPLICATION_TEMPLATE || object.tag == TAG_COMMON_DATA_TEMPLATE {
                if object.tag == TAG_COMMON_DATA_TEMPLATE {
                    if common {
                        return Err(CpmError::Repeated {
                            tag: object.tag,
                            index,
                        });
                    }
                    common = true;
                } else {
                    applications += 1;
                }
                let children = match &object.value {
                    Value::Constructed(children) => children.as_slice(),
                    Value::Primitive(_) => &[],
                };
                check_template(children, index, object.tag == TAG_APPLICATION_TEMPLATE)?;
            }
        }
        if applications == 0 {
            return Err(CpmError::MissingApplicationTemplate);
        }
        // Table 4.2: the account is given by the PAN (5A) or the track 2 equivalent data (57)
        // in an application template or the common data template.
        let has_account = self
            .templates(TAG_APPLICATION_TEMPLATE)
            .chain(self.templates(TAG_COMMON_DATA_TEMPLATE))
            .any(|t| t.pan().is_some() || t.track2().is_some());
        if !has_account {
            return Err(CpmError::MissingAccountData);
        }
        Ok(())
    }
}

impl fmt::Display for Cpm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.encode())
    }
}

impl Tag {
    const fn from_u8(byte: u8) -> Self {
        Self {
            bytes: [byte, 0, 0],
            len: 1,
        }
    }

    /// Makes a tag from its bytes, checking the BER-TLV tag form (one to three bytes;
    /// subsequent bytes present exactly when the first has all five low bits set, and every
    /// subsequent byte but the last has bit 8 set).
    ///
    /// # Errors
    ///
    /// [`CpmError::MalformedTag`] otherwise.
    pub fn new(bytes: &[u8]) -> Result<Self, CpmError> {
        let (tag, used) = read_tag(bytes, 0).map_err(|_| CpmError::MalformedTag)?;
        if used != bytes.len() {
            return Err(CpmError::MalformedTag);
        }
        Ok(tag)
    }

    /// The tag's bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or_default()
    }

    /// Whether the tag denotes a constructed data object (bit 6 of the first byte).
    #[must_use]
    pub fn is_constructed(&self) -> bool {
        self.bytes.first().is_some_and(|b| b & 0x20 != 0)
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for byte in self.as_bytes() {
            write!(f, "{byte:02X}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tag({self})")
    }
}

impl Tlv {
    /// A primitive data object.
    ///
    /// # Errors
    ///
    /// [`CpmError::TagForm`] if `tag` is constructed, [`CpmError::ValueTooLong`] if `value`
    /// exceeds three length bytes.
    pub fn primitive(tag: Tag, value: Vec<u8>) -> Result<Self, CpmError> {
        let tlv = Self {
            tag,
            value: Value::Primitive(value),
        };
        tlv.check_form()?;
        Ok(tlv)
    }

    /// A constructed data object (template).
    ///
    /// # Errors
    ///
    /// [`CpmError::TagForm`] if `tag` is primitive, [`CpmError::ValueTooLong`] if the encoded
    /// children exceed three length bytes.
    pub fn constructed(tag: Tag, children: Vec<Tlv>) -> Result<Self, CpmError> {
        let tlv = Self {
            tag,
            value: Value::Constructed(children),
        };
        tlv.check_form()?;
        Ok(tlv)
    }

    /// The tag.
    #[must_use]
    pub fn tag(&self) -> Tag {
        self.tag
    }

    /// The value.
    #[must_use]
    pub fn value(&self) -> &Value {
        &self.value
    }

    /// The bytes of a primitive object; `None` for a template.
    #[must_use]
    pub fn bytes(&self) -> Option<&[u8]> {
        match &self.value {
            Value::Primitive(bytes) => Some(bytes),
            Value::Constructed(_) => None,
        }
    }

    fn check_form(&self) -> Result<(), CpmError> {
        let constructed = matches!(self.value, Value::Constructed(_));
        if constructed != self.tag.is_constructed() {
            return Err(CpmError::TagForm {
                tag: self.tag,
                constructed: self.tag.is_constructed(),
            });
        }
        if self.value_len() > 0x00FF_FFFF {
            return Err(CpmError::ValueTooLong { tag: self.tag });
        }
        if let Value::Constructed(children) = &self.value {
            for child in children {
                child.check_form()?;
            }
        }
        Ok(())
    }

    fn value_len(&self) -> usize {
        match &self.value {
            Value::Primitive(bytes) => bytes.len(),
            Value::Constructed(children) => children.iter().map(Tlv::encoded_len).sum(),
        }
    }

    fn encoded_len(&self) -> usize {
        let len = self.value_len();
        let len_bytes = match len {
            0..=0x7F => 1,
            0x80..=0xFF => 2,
            0x100..=0xFFFF => 3,
            _ => 4,
        };
        self.tag.as_bytes().len() + len_bytes + len
    }

    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.tag.as_bytes());
        let len = self.value_len();
        let len_bytes = len.to_be_bytes();
        let significant = len_bytes.iter().skip_while(|b| **b == 0).count();
        if len < 0x80 {
            out.extend(len_bytes.last());
        } else {
            // INVARIANT: check_form keeps len <= 0xFFFFFF, so significant <= 3.
            out.push(0x80 | u8::try_from(significant).unwrap_or(3));
            out.extend(len_bytes.iter().skip(len_bytes.len() - significant));
        }
        match &self.value {
            Value::Primitive(bytes) => out.extend_from_slice(bytes),
            Value::Constructed(children) => {
                for child in children {
                    child.write(out);
                }
            }
        }
    }
}

impl<'a> Template<'a> {
    /// The template's data objects in order.
    #[must_use]
    pub fn objects(&self) -> &'a [Tlv] {
        self.objects
    }

    /// The first primitive value with `tag`.
    #[must_use]
    pub fn get(&self, tag: &[u8]) -> Option<&'a [u8]> {
        self.objects
            .iter()
            .find(|object| object.tag.as_bytes() == tag)
            .and_then(Tlv::bytes)
    }

    /// `4F`: the Application Definition File name (AID).
    #[must_use]
    pub fn aid(&self) -> Option<&'a [u8]> {
        self.get(&[0x4F])
    }

    /// `50`: the application label.
    #[must_use]
    pub fn label(&self) -> Option<&'a str> {
        self.text(&[0x50])
    }

    /// `5A`: the application PAN, as digits (BCD with `F` padding removed).
    #[must_use]
    pub fn pan(&self) -> Option<String> {
        self.get(&[0x5A]).and_then(bcd_digits)
    }

    /// `57`: the track 2 equivalent data.
    #[must_use]
    pub fn track2(&self) -> Option<&'a [u8]> {
        self.get(&[0x57])
    }

    /// `5F20`: the cardholder name.
    #[must_use]
    pub fn cardholder_name(&self) -> Option<&'a str> {
        self.text(&[0x5F, 0x20])
    }

    /// `5F2D`: the language preference (two-letter codes, most preferred first).
    #[must_use]
    pub fn language_preference(&self) -> Option<&'a str> {
        self.text(&[0x5F, 0x2D])
    }

    /// `9F08`: the application version number.
    #[must_use]
    pub fn application_version(&self) -> Option<&'a [u8]> {
        self.get(&[0x9F, 0x08])
    }

    /// `9F19`: the token requestor id.
    #[must_use]
    pub fn token_requestor_id(&self) -> Option<&'a [u8]> {
        self.get(&[0x9F, 0x19])
    }

    /// `9F24`: the payment account reference.
    #[must_use]
    pub fn payment_account_reference(&self) -> Option<&'a str> {
        self.text(&[0x9F, 0x24])
    }

    /// `9F25`: the last four digits of the PAN.
    #[must_use]
    pub fn pan_last4(&self) -> Option<&'a [u8]> {
        self.get(&[0x9F, 0x25])
    }

    /// `63` (in `61`) or `64` (in `62`): the transparent template's data objects.
    #[must_use]
    pub fn transparent(&self) -> Option<&'a [Tlv]> {
        self.objects
            .iter()
            .find(|object| matches!(object.tag.as_bytes(), [0x63] | [0x64]))
            .and_then(|object| match &object.value {
                Value::Constructed(children) => Some(children.as_slice()),
                Value::Primitive(_) => None,
            })
    }

    fn text(&self, tag: &[u8]) -> Option<&'a str> {
        self.get(tag)
            .and_then(|bytes| core::str::from_utf8(bytes).ok())
    }
}

/// Reads a tag at `offset`; returns it and the number of bytes it took.
fn read_tag(bytes: &[u8], offset: usize) -> Result<(Tag, usize), CpmError> {
    let bad = CpmError::BadTag { offset };
    let first = *bytes.get(offset).ok_or(bad.clone())?;
    let mut tag = Tag {
        bytes: [first, 0, 0],
        len: 1,
    };
    if first & 0x1F != 0x1F {
        return Ok((tag, 1));
    }
    for index in 1..3u8 {
        let byte = *bytes.get(offset + usize::from(index)).ok_or(bad.clone())?;
        if let Some(slot) = tag.bytes.get_mut(usize::from(index)) {
            *slot = byte;
        }
        tag.len = index + 1;
        if byte & 0x80 == 0 {
            return Ok((tag, usize::from(tag.len)));
        }
    }
    Err(bad)
}

/// Reads a minimal short- or long-form length at `offset`.
fn read_length(bytes: &[u8], offset: usize, tag: Tag) -> Result<(usize, usize), CpmError> {
    let bad = CpmError::BadLength { tag, offset };
    let first = *bytes.get(offset).ok_or(bad.clone())?;
    if first < 0x80 {
        return Ok((usize::from(first), 1));
    }
    let count = usize::from(first & 0x7F);
    if !(1..=3).contains(&count) {
        return Err(bad);
    }
    let field = bytes
        .get(offset + 1..offset + 1 + count)
        .ok_or(bad.clone())?;
    let len = field
        .iter()
        .fold(0usize, |len, byte| len << 8 | usize::from(*byte));
    // Minimal: the long form only for 128 and up, and no leading zero byte.
    if len < 0x80 || field.first() == Some(&0) {
        return Err(bad);
    }
    Ok((len, 1 + count))
}

fn read_objects(bytes: &[u8], base: usize, depth: usize) -> Result<Vec<Tlv>, CpmError> {
    let mut objects = Vec::new();
    let mut position = 0;
    while position < bytes.len() {
        let (tag, tag_len) = read_tag(bytes, position).map_err(|_| CpmError::BadTag {
            offset: base + position,
        })?;
        let length_offset = position + tag_len;
        let (len, len_len) =
            read_length(bytes, length_offset, tag).map_err(|_| CpmError::BadLength {
                tag,
                offset: base + length_offset,
            })?;
        let value_offset = length_offset + len_len;
        let available = bytes.len().saturating_sub(value_offset);
        let value = bytes
            .get(value_offset..value_offset.saturating_add(len))
            .ok_or(CpmError::ValueOverrun {
                tag,
                offset: base + value_offset,
                len,
                available,
            })?;
        let value = if tag.is_constructed() {
            if depth + 1 >= DEPTH_MAX {
                return Err(CpmError::TooDeep {
                    offset: base + position,
                });
            }
            Value::Constructed(read_objects(value, base + value_offset, depth + 1)?)
        } else {
            Value::Primitive(value.to_vec())
        };
        objects.push(Tlv { tag, value });
        position = value_offset + len;
    }
    Ok(objects)
}

fn check_depth(object: &Tlv, depth: usize) -> Result<(), CpmError> {
    if let Value::Constructed(children) = &object.value {
        if depth >= DEPTH_MAX {
            return Err(CpmError::TooDeep { offset: 0 });
        }
        for child in children {
            check_depth(child, depth + 1)?;
        }
    }
    Ok(())
}

/// Checks the known objects of a `61` or `62` template (EMV QRCPS CPM v1.0 table 4.2 and
/// EMV Book 3 annex A formats).
fn check_template(children: &[Tlv], index: usize, application: bool) -> Result<(), CpmError> {
    let template = Template { objects: children };
    let invalid = |tag: &[u8]| CpmError::InvalidValue {
        tag: Tag::new(tag).unwrap_or(TAG_AID),
        index,
    };
    if application {
        match template.aid() {
            None => return Err(CpmError::MissingAid { index }),
            Some(aid) if !(5..=16).contains(&aid.len()) => return Err(invalid(&[0x4F])),
            Some(_) => {}
        }
    }
    if let Some(label) = template.get(&[0x50]) {
        if !(1..=16).contains(&label.len()) || !label.iter().all(|b| (0x20..0x7F).contains(b)) {
            return Err(invalid(&[0x50]));
        }
    }
    if let Some(pan) = template.get(&[0x5A]) {
        if pan.len() > 10 || bcd_digits(pan).is_none_or(|digits| digits.is_empty()) {
            return Err(invalid(&[0x5A]));
        }
    }
    if let Some(name) = template.get(&[0x5F, 0x20]) {
        if !(2..=26).contains(&name.len()) || !name.iter().all(|b| (0x20..0x7F).contains(b)) {
            return Err(invalid(&[0x5F, 0x20]));
        }
    }
    if let Some(languages) = template.get(&[0x5F, 0x2D]) {
        let ok = (2..=8).contains(&languages.len())
            && languages.len() % 2 == 0
            && languages.iter().all(u8::is_ascii_lowercase);
        if !ok {
            return Err(invalid(&[0x5F, 0x2D]));
        }
    }
    if let Some(track2) = template.track2() {
        if track2.len() > 19 {
            return Err(invalid(&[0x57]));
        }
    }
    let printable =
        |bytes: &[u8]| !bytes.is_empty() && bytes.iter().all(|b| (0x20..0x7F).contains(b));
    let numeric = |bytes: &[u8]| bytes.iter().all(|b| b >> 4 <= 9 && b & 0x0F <= 9);
    if template
        .get(&[0x5F, 0x50])
        .is_some_and(|url| !printable(url))
    {
        return Err(invalid(&[0x5F, 0x50]));
    }
    // b 2
    if template.application_version().is_some_and(|v| v.len() != 2) {
        return Err(invalid(&[0x9F, 0x08]));
    }
    // n 11: six bytes of right-justified BCD
    if template
        .token_requestor_id()
        .is_some_and(|id| id.len() != 6 || !numeric(id))
    {
        return Err(invalid(&[0x9F, 0x19]));
    }
    // an 29
    if template
        .get(&[0x9F, 0x24])
        .is_some_and(|par| par.len() != 29 || !par.iter().all(u8::is_ascii_alphanumeric))
    {
        return Err(invalid(&[0x9F, 0x24]));
    }
    // n 4: two bytes of BCD
    if template
        .pan_last4()
        .is_some_and(|last4| last4.len() != 2 || !numeric(last4))
    {
        return Err(invalid(&[0x9F, 0x25]));
    }
    Ok(())
}

/// BCD digits of a compressed numeric value, with trailing `F` nibbles removed; `None` if a
/// nibble is not a digit or an `F` is followed by a digit.
fn bcd_digits(bytes: &[u8]) -> Option<String> {
    let mut digits = String::with_capacity(bytes.len() * 2);
    let mut padding = false;
    for nibble in bytes.iter().flat_map(|b| [b >> 4, b & 0x0F]) {
        match nibble {
            0..=9 if !padding => digits.push(char::from(b'0' + nibble)),
            0x0F => padding = true,
            _ => return None,
        }
    }
    Some(digits)
}

#[cfg(feature = "serde")]
mod serialize {
    use super::{Cpm, Template, Tlv, Value};
    use serde::ser::{Serialize, SerializeStruct, Serializer};

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02X}")).collect()
    }

    /// The PAN is personal data: only the first six and last four digits are shown.
    fn masked(digits: &str) -> String {
        digits
            .char_indices()
            .map(|(i, c)| {
                if i < 6 || i + 4 >= digits.len() {
                    c
                } else {
                    '*'
                }
            })
            .collect()
    }

    struct TemplateView<'a>(Template<'a>);

    impl Serialize for TemplateView<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let t = self.0;
            let pan = t
                .pan()
                .or_else(|| t.track2().and_then(bcd_track2_pan))
                .map(|digits| masked(&digits));
            let mut state = serializer.serialize_struct("Template", 8)?;
            state.serialize_field("aid", &t.aid().map(hex))?;
            state.serialize_field("label", &t.label())?;
            state.serialize_field("pan_masked", &pan)?;
            state.serialize_field("language_preference", &t.language_preference())?;
            state.serialize_field("application_version", &t.application_version().map(hex))?;
            state.serialize_field("token_requestor_id", &t.token_requestor_id().map(hex))?;
            state.serialize_field("payment_account_reference", &t.payment_account_reference())?;
            state.serialize_field(
                "tags",
                &t.objects()
                    .iter()
                    .map(|o| o.tag().to_string())
                    .collect::<Vec<_>>(),
            )?;
            state.end()
        }
    }

    /// The PAN of track 2 equivalent data: the digits before the `D` separator.
    fn bcd_track2_pan(track2: &[u8]) -> Option<String> {
        let mut digits = String::new();
        for nibble in track2.iter().flat_map(|b| [b >> 4, b & 0x0F]) {
            match nibble {
                0..=9 => digits.push(char::from(b'0' + nibble)),
                0x0D => return Some(digits),
                _ => return None,
            }
        }
        None
    }

    struct ObjectView<'a>(&'a Tlv);

    impl Serialize for ObjectView<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let mut state = serializer.serialize_struct("Tlv", 2)?;
            state.serialize_field("tag", &self.0.tag().to_string())?;
            match self.0.value() {
                Value::Primitive(bytes) => state.serialize_field("length", &bytes.len())?,
                Value::Constructed(children) => state.serialize_field(
                    "children",
                    &children.iter().map(ObjectView).collect::<Vec<_>>(),
                )?,
            }
            state.end()
        }
    }

    impl Serialize for Cpm {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let mut state = serializer.serialize_struct("Cpm", 4)?;
            state.serialize_field("payload_format_indicator", "CPV01")?;
            let applications: Vec<_> = self.applications().into_iter().map(TemplateView).collect();
            state.serialize_field("applications", &applications)?;
            state.serialize_field("common_data", &self.common_data().map(TemplateView))?;
            let objects: Vec<_> = self.objects().iter().map(ObjectView).collect();
            state.serialize_field("objects", &objects)?;
            state.end()
        }
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn masks_pan() {
            assert_eq!(super::masked("1234567890123458"), "123456******3458");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The first example of the EMV QRCPS Consumer-Presented Mode v1.0 specification, given
    /// there as hex bytes and base64: one application template with AID A0000000555555 and
    /// track 2 equivalent data (PAN 1234567890123458, expiry 1912, service code 201, `F` pad).
    /// Checked against the bytes as the spec prints them, as reproduced in the qrcode-emv Kotlin
    /// tests (`85 05 43 50 56 30 31 / 61 1A / 4F 07 A0 00 00 00 55 55 55 / 57 0F 12 34 56 78
    /// 90 12 34 58 D1 91 22 01 12 34 5F`).
    const SPEC_EXAMPLE_TRACK2: &str = "hQVDUFYwMWEaTwegAAAAVVVVVw8SNFZ4kBI0WNGRIgESNF8=";

    /// The second example of the EMV QRCPS Consumer-Presented Mode v1.0 specification (two
    /// applications A0000000555555 "Product1" and A0000000666666 "Product2"; common data with
    /// PAN 1234567890123458, CARDHOLDER/EMV, languages "ruesdeen" and a 64 template with IAD,
    /// cryptogram, ATC and unpredictable number). The base64 text is the one independent
    /// implementations (mvallim/emv-qrcode, dongri/emvco-qrcode) test against; its bytes are
    /// checked against the spec's hex listing, as the qrcode-emv Kotlin tests reproduce it.
    const SPEC_EXAMPLE: &str = "hQVDUFYwMWETTwegAAAAVVVVUAhQcm9kdWN0MWETTwegAAAAZmZmUAhQcm9kdWN0MmJJWggSNFZ4kBI0WF8gDkNBUkRIT0xERVIvRU1WXy0IcnVlc2RlZW5kIZ8QBwYBCgMAAACfJghYT9OF+iNLzJ82AgABnzcEbVjvEw==";

    /// A wallet vector from the mvallim/emv-qrcode tests: its token requestor id (9F19) has 4
    /// bytes where the format is n 11 (6 bytes), and it carries no PAN or track 2.
    const WALLET_EXAMPLE: &str = "hQVDUFYwMWEYTwegAAAAd3d3UA1Nb2JpbGUgV2FsbGV0YlpfLQZhcmVuZGWfGQQSNFZ4ZEjfeQaXFYEjRWffeAIlAt93EUFiZHVsa2FyaW0gTW91bWlu33YNV2FsbGV0IElzc3Vlct91CBI0VniavN7w33QBAd9zBDEyMzQ=";

    /// Published real-world payloads: a UnionPay test payload with track 2 and a 63 template,
    /// and a Korean CPM payload with a D4 AID (both from public integration tests).
    const FIELD_EXAMPLES: &[&str] = &[
        "hQVDUFYwMWFYTwigAAADMwEBAVcTYpJhA1hEQzVkHSIQIBAAABiAH180AQBjM58mCFaLEtnaC9l/nycBgJ8QEQcAAQOgAAABCDM5OTk5OTk5nzYCAAGCAgAAnzcE6gZYyA==",
        "hQVDUFYwMWFaTwfUEAAAAUAQVxNiEANgFZQxkdIAdgEBAAAAAAAPXzQBAmM2nyYIZQLIg/ZAlPmfJwGAnxAUsQmgAAgAAAAAAAAAICAGIhdZBAGfNgIAHoICAACfNwTKcCtM",
    ];

    fn tag(bytes: &[u8]) -> Tag {
        Tag::new(bytes).unwrap()
    }

    fn prim(t: &[u8], value: &[u8]) -> Tlv {
        Tlv::primitive(tag(t), value.to_vec()).unwrap()
    }

    /// `hex` (spaces allowed) as bytes.
    fn hex(text: &str) -> Vec<u8> {
        let digits: Vec<u8> = text.bytes().filter(u8::is_ascii_hexdigit).collect();
        digits
            .chunks(2)
            .map(|pair| u8::from_str_radix(core::str::from_utf8(pair).unwrap(), 16).unwrap())
            .collect()
    }

    #[test]
    fn spec_example_decodes_and_rebuilds() {
        let cpm = parse(SPEC_EXAMPLE).unwrap();
        // The binary data as the specification lists it, object by object.
        let spec_bytes = hex("85 05 43 50 56 30 31 \
             61 13 4F 07 A0 00 00 00 55 55 55 50 08 50 72 6F 64 75 63 74 31 \
             61 13 4F 07 A0 00 00 00 66 66 66 50 08 50 72 6F 64 75 63 74 32 \
             62 49 5A 08 12 34 56 78 90 12 34 58 \
             5F 20 0E 43 41 52 44 48 4F 4C 44 45 52 2F 45 4D 56 \
             5F 2D 08 72 75 65 73 64 65 65 6E \
             64 21 9F 10 07 06 01 0A 03 00 00 00 9F 26 08 58 4F D3 85 FA 23 4B CC \
             9F 36 02 00 01 9F 37 04 6D 58 EF 13");
        assert_eq!(cpm.to_bytes(), spec_bytes);
        let apps = cpm.applications();
        assert_eq!(apps.len(), 2);
        assert_eq!(apps[0].aid(), Some(&[0xA0, 0, 0, 0, 0x55, 0x55, 0x55][..]));
        assert_eq!(apps[0].label(), Some("Product1"));
        assert_eq!(apps[1].aid(), Some(&[0xA0, 0, 0, 0, 0x66, 0x66, 0x66][..]));
        assert_eq!(apps[1].label(), Some("Product2"));
        let common = cpm.common_data().unwrap();
        assert_eq!(common.pan().as_deref(), Some("1234567890123458"));
        assert_eq!(common.cardholder_name(), Some("CARDHOLDER/EMV"));
        assert_eq!(common.language_preference(), Some("ruesdeen"));
        let transparent = common.transparent().unwrap();
        let tags: Vec<String> = transparent.iter().map(|o| o.tag().to_string()).collect();
        assert_eq!(tags, ["9F10", "9F26", "9F36", "9F37"]);
        assert_eq!(
            transparent[1].bytes(),
            Some(&[0x58, 0x4F, 0xD3, 0x85, 0xFA, 0x23, 0x4B, 0xCC][..])
        );
        assert_eq!(cpm.encode(), SPEC_EXAMPLE);

        // Built from the spec's field values, it encodes to the same text.
        let built = Cpm::new(vec![
            prim(&[0x85], b"CPV01"),
            Tlv::constructed(
                tag(&[0x61]),
                vec![
                    prim(&[0x4F], &[0xA0, 0, 0, 0, 0x55, 0x55, 0x55]),
                    prim(&[0x50], b"Product1"),
                ],
            )
            .unwrap(),
            Tlv::constructed(
                tag(&[0x61]),
                vec![
                    prim(&[0x4F], &[0xA0, 0, 0, 0, 0x66, 0x66, 0x66]),
                    prim(&[0x50], b"Product2"),
                ],
            )
            .unwrap(),
            Tlv::constructed(
                tag(&[0x62]),
                vec![
                    prim(&[0x5A], &[0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x58]),
                    prim(&[0x5F, 0x20], b"CARDHOLDER/EMV"),
                    prim(&[0x5F, 0x2D], b"ruesdeen"),
                    Tlv::constructed(
                        tag(&[0x64]),
                        vec![
                            prim(&[0x9F, 0x10], &[0x06, 0x01, 0x0A, 0x03, 0x00, 0x00, 0x00]),
                            prim(
                                &[0x9F, 0x26],
                                &[0x58, 0x4F, 0xD3, 0x85, 0xFA, 0x23, 0x4B, 0xCC],
                            ),
                            prim(&[0x9F, 0x36], &[0x00, 0x01]),
                            prim(&[0x9F, 0x37], &[0x6D, 0x58, 0xEF, 0x13]),
                        ],
                    )
                    .unwrap(),
                ],
            )
            .unwrap(),
        ])
        .unwrap();
        assert_eq!(built, cpm);
        assert_eq!(built.to_string(), SPEC_EXAMPLE);
    }

    #[test]
    fn spec_track2_example_decodes_and_rebuilds() {
        let spec_bytes = [
            0x85, 0x05, 0x43, 0x50, 0x56, 0x30, 0x31, // 85 CPV01
            0x61, 0x1A, // application template
            0x4F, 0x07, 0xA0, 0x00, 0x00, 0x00, 0x55, 0x55, 0x55, // AID
            0x57, 0x0F, 0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x58, 0xD1, 0x91, 0x22, 0x01,
            0x12, 0x34, 0x5F, // track 2 equivalent data
        ];
        let cpm = parse(SPEC_EXAMPLE_TRACK2).unwrap();
        assert_eq!(cpm.to_bytes(), spec_bytes);
        assert_eq!(parse_bytes(&spec_bytes).unwrap(), cpm);
        let apps = cpm.applications();
        assert_eq!(apps.len(), 1);
        assert_eq!(apps[0].aid(), Some(&[0xA0, 0, 0, 0, 0x55, 0x55, 0x55][..]));
        assert_eq!(apps[0].track2(), spec_bytes.get(20..));
        assert_eq!(apps[0].label(), None);
        assert!(cpm.common_data().is_none());

        let built = Cpm::new(vec![
            prim(&[0x85], b"CPV01"),
            Tlv::constructed(
                tag(&[0x61]),
                vec![
                    prim(&[0x4F], &[0xA0, 0, 0, 0, 0x55, 0x55, 0x55]),
                    prim(&[0x57], &spec_bytes[20..]),
                ],
            )
            .unwrap(),
        ])
        .unwrap();
        assert_eq!(built, cpm);
        assert_eq!(built.encode(), SPEC_EXAMPLE_TRACK2);
    }

    #[test]
    fn other_examples_round_trip() {
        assert_eq!(
            parse(WALLET_EXAMPLE),
            Err(CpmError::InvalidValue {
                tag: tag(&[0x9F, 0x19]),
                index: 2
            })
        );
        for text in FIELD_EXAMPLES {
            let cpm = parse(text).unwrap();
            assert!(cpm.applications()[0].track2().is_some());
            assert_eq!(&cpm.encode(), text);
        }
    }

    #[test]
    fn long_form_lengths() {
        // A 200-byte proprietary value needs the 81 form; 300 bytes the 82 form.
        for len in [127usize, 128, 200, 255, 256, 300] {
            let cpm = Cpm::new(vec![
                prim(&[0x85], b"CPV01"),
                Tlv::constructed(
                    tag(&[0x61]),
                    vec![
                        prim(&[0x4F], &[0xA0, 0, 0, 0, 3]),
                        prim(&[0x5A], &[0x12, 0x34]),
                        prim(&[0xDF, 0x01], &vec![7; len]),
                    ],
                )
                .unwrap(),
            ])
            .unwrap();
            let bytes = cpm.to_bytes();
            assert_eq!(parse_bytes(&bytes).unwrap(), cpm, "{len}");
            assert_eq!(parse(&cpm.encode()).unwrap(), cpm);
        }
    }

    #[test]
    fn rejections() {
        let pfi = [0x85, 0x05, b'C', b'P', b'V', b'0', b'1'];
        // An application template with an AID and a (short) PAN: 13 bytes, so a tail under
        // test starts at byte 20.
        let app = [
            0x61, 0x0B, 0x4F, 0x05, 0xA0, 0, 0, 0, 3, 0x5A, 0x02, 0x12, 0x34,
        ];
        let app_only = [&pfi[..], &[0x61, 0x07, 0x4F, 0x05, 0xA0, 0, 0, 0, 3][..]].concat();
        let with = |tail: &[u8]| [&pfi[..], &app[..], tail].concat();
        let table: Vec<(Vec<u8>, CpmError)> = vec![
            (vec![], CpmError::PayloadFormatIndicator),
            (app.to_vec(), CpmError::PayloadFormatIndicator),
            (
                [&[0x85, 0x05, b'C', b'P', b'V', b'0', b'2'][..], &app[..]].concat(),
                CpmError::PayloadFormatIndicator,
            ),
            (pfi.to_vec(), CpmError::MissingApplicationTemplate),
            (
                [&pfi[..], &[0x61, 0x02, 0x50, 0x00][..]].concat(),
                CpmError::MissingAid { index: 1 },
            ),
            (with(&[0x5F]), CpmError::BadTag { offset: 20 }),
            (
                with(&[0x9F, 0x81, 0x81, 0x01, 0x00]),
                CpmError::BadTag { offset: 20 },
            ),
            (
                with(&[0x9F, 0x10]),
                CpmError::BadLength {
                    tag: tag(&[0x9F, 0x10]),
                    offset: 22,
                },
            ),
            (
                with(&[0xC1, 0x80]),
                CpmError::BadLength {
                    tag: tag(&[0xC1]),
                    offset: 21,
                },
            ),
            (
                with(&[0xC1, 0x81, 0x05]),
                CpmError::BadLength {
                    tag: tag(&[0xC1]),
                    offset: 21,
                },
            ),
            (
                with(&[0xC1, 0x82, 0x00, 0x90]),
                CpmError::BadLength {
                    tag: tag(&[0xC1]),
                    offset: 21,
                },
            ),
            (
                with(&[0xC1, 0x84, 0, 0, 0, 1]),
                CpmError::BadLength {
                    tag: tag(&[0xC1]),
                    offset: 21,
                },
            ),
            (
                with(&[0xC1, 0x03, 0x01]),
                CpmError::ValueOverrun {
                    tag: tag(&[0xC1]),
                    offset: 22,
                    len: 3,
                    available: 1,
                },
            ),
            (
                [&pfi[..], &[0x61, 0x09, 0x4F, 0x05, 0xA0, 0, 0, 0, 3][..]].concat(),
                CpmError::ValueOverrun {
                    tag: tag(&[0x61]),
                    offset: 9,
                    len: 9,
                    available: 7,
                },
            ),
            (
                with(&[0x62, 0x05, 0x5F, 0x2D, 0x02, b'e', b'n', 0x62, 0x00]),
                CpmError::Repeated {
                    tag: tag(&[0x62]),
                    index: 3,
                },
            ),
            (
                with(&[0x62, 0x04, 0x5A, 0x02, 0x12, 0xA4]),
                CpmError::InvalidValue {
                    tag: tag(&[0x5A]),
                    index: 2,
                },
            ),
            (
                with(&[0x62, 0x05, 0x5F, 0x2D, 0x02, b'E', b'N']),
                CpmError::InvalidValue {
                    tag: tag(&[0x5F, 0x2D]),
                    index: 2,
                },
            ),
            (
                with(&[0x62, 0x08, 0x63, 0x06, 0x63, 0x04, 0x63, 0x02, 0x63, 0x00]),
                CpmError::TooDeep { offset: 26 },
            ),
            (app_only.clone(), CpmError::MissingAccountData),
            (
                with(&[0x62, 0x06, 0x9F, 0x19, 0x03, 0x12, 0x34, 0x56]),
                CpmError::InvalidValue {
                    tag: tag(&[0x9F, 0x19]),
                    index: 2,
                },
            ),
            (
                with(&[0x62, 0x05, 0x9F, 0x25, 0x02, 0x12, 0x3A]),
                CpmError::InvalidValue {
                    tag: tag(&[0x9F, 0x25]),
                    index: 2,
                },
            ),
            (
                with(&[0x62, 0x04, 0x9F, 0x08, 0x01, 0x02]),
                CpmError::InvalidValue {
                    tag: tag(&[0x9F, 0x08]),
                    index: 2,
                },
            ),
        ];
        for (bytes, expected) in table {
            assert_eq!(parse_bytes(&bytes).unwrap_err(), expected, "{bytes:02X?}");
        }
        assert_eq!(parse("hQVDUFYw!"), Err(CpmError::Base64 { offset: 8 }));
        assert_eq!(parse("hQVDUFYwM"), Err(CpmError::Base64 { offset: 0 }));
        // Unpadded text is not standard base64.
        assert!(parse(SPEC_EXAMPLE.trim_end_matches('=')).is_err());
        assert_eq!(
            parse(&"A".repeat(INPUT_LEN_MAX + 4)),
            Err(CpmError::TooLong {
                len: INPUT_LEN_MAX + 4,
                len_max: INPUT_LEN_MAX
            })
        );
    }

    #[test]
    fn builder_checks_tag_form() {
        assert!(matches!(
            Tlv::primitive(tag(&[0x61]), vec![]),
            Err(CpmError::TagForm {
                constructed: true,
                ..
            })
        ));
        assert!(matches!(
            Tlv::constructed(tag(&[0x5A]), vec![]),
            Err(CpmError::TagForm {
                constructed: false,
                ..
            })
        ));
        assert_eq!(Tag::new(&[0x9F]), Err(CpmError::MalformedTag));
        assert_eq!(Tag::new(&[0x5F, 0x20, 0x01]), Err(CpmError::MalformedTag));
        assert_eq!(Tag::new(&[0x9F, 0x81, 0x01]).unwrap().to_string(), "9F8101");
    }

    #[test]
    fn detection() {
        assert!(looks_like(SPEC_EXAMPLE));
        assert!(!looks_like("00020101021129370016A000000677010111"));
    }

    fn arb_tag(constructed: bool) -> impl Strategy<Value = Tag> {
        let class = prop_oneof![Just(0x00u8), Just(0x40), Just(0x80), Just(0xC0)];
        let form = if constructed { 0x20u8 } else { 0x00 };
        (
            class,
            0u8..0x1F,
            prop::option::of((0x1Fu8..0x80, prop::option::of(0x80u8..=0xFF))),
        )
            .prop_map(move |(class, number, more)| {
                let first = class | form;
                let bytes: Vec<u8> = match more {
                    None => vec![first | number],
                    Some((second, None)) => vec![first | 0x1F, second],
                    Some((second, Some(high))) => vec![first | 0x1F, high, second],
                };
                Tag::new(&bytes).unwrap()
            })
            .prop_filter("not a CPM structural tag", |tag| {
                !matches!(
                    tag.as_bytes(),
                    [0x85]
                        | [0x61]
                        | [0x62]
                        | [0x4F]
                        | [0x50]
                        | [0x5A]
                        | [0x57]
                        | [0x5F, 0x20]
                        | [0x5F, 0x2D]
                        | [0x5F, 0x50]
                        | [0x9F, 0x08]
                        | [0x9F, 0x19]
                        | [0x9F, 0x24]
                        | [0x9F, 0x25]
                )
            })
    }

    fn arb_tlv() -> impl Strategy<Value = Tlv> {
        let leaf = (arb_tag(false), prop::collection::vec(any::<u8>(), 0..160))
            .prop_map(|(tag, value)| Tlv::primitive(tag, value).unwrap());
        leaf.prop_recursive(2, 6, 3, |inner| {
            (arb_tag(true), prop::collection::vec(inner, 0..4))
                .prop_map(|(tag, children)| Tlv::constructed(tag, children).unwrap())
        })
    }

    fn arb_cpm() -> impl Strategy<Value = Cpm> {
        (
            prop::collection::vec(
                (
                    prop::collection::vec(any::<u8>(), 5..=16),
                    prop::collection::vec(arb_tlv(), 0..3),
                ),
                1..3,
            ),
            prop::option::of(prop::collection::vec(arb_tlv(), 0..3)),
            prop::collection::vec(arb_tlv(), 0..2),
        )
            .prop_map(|(apps, common, extra)| {
                let mut objects = vec![prim(&[0x85], b"CPV01")];
                for (aid, rest) in apps {
                    let mut children = vec![
                        prim(&[0x4F], &aid),
                        prim(&[0x5A], &[0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x58]),
                    ];
                    children.extend(rest);
                    objects.push(Tlv::constructed(tag(&[0x61]), children).unwrap());
                }
                if let Some(common) = common {
                    objects.push(Tlv::constructed(tag(&[0x62]), common).unwrap());
                }
                objects.extend(extra);
                Cpm::new(objects).unwrap()
            })
    }

    proptest! {
        #[test]
        fn parse_of_build_is_identity(cpm in arb_cpm()) {
            let text = cpm.encode();
            prop_assume!(text.len() <= INPUT_LEN_MAX);
            prop_assert_eq!(parse(&text).unwrap(), cpm);
        }

        #[test]
        fn never_panics_on_text(text in "\\PC{0,200}") {
            let _ = parse(&text);
        }

        #[test]
        fn never_panics_on_bytes(tail in prop::collection::vec(any::<u8>(), 0..200)) {
            let bytes = [&[0x85, 0x05, b'C', b'P', b'V', b'0', b'1'][..], &tail].concat();
            let _ = parse_bytes(&bytes);
            let _ = parse(&base64::engine::general_purpose::STANDARD.encode(&bytes));
        }

        #[test]
        fn decode_encode_is_identity_on_valid_mutations(index in 0usize..160, byte in any::<u8>()) {
            // Any payload derived from the spec example by one byte change either fails or
            // re-encodes to exactly its bytes.
            let mut bytes = base64::engine::general_purpose::STANDARD.decode(SPEC_EXAMPLE).unwrap();
            let i = index % bytes.len();
            bytes[i] = byte;
            if let Ok(cpm) = parse_bytes(&bytes) {
                prop_assert_eq!(cpm.to_bytes(), bytes);
            }
        }
    }
}
