//! Data objects: one tag–length–value triple, possibly a template of more.

use super::decode::{is_template, Count, Walk};
use crate::tag::{Tag, TagPath};

/// One data object of a payload: its tag, its value as written, where it starts, and whether it
/// is a template whose inside parses.
///
/// A data object is a small `Copy` view into the payload text. The sub-objects of a template
/// are not stored: [`DataObject::children`] walks the template's value again on demand, so a
/// decode allocates nothing per template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataObject<'a> {
    pub(crate) value: &'a str,
    pub(crate) offset: u32,
    pub(crate) tag: Tag,
    pub(crate) path: TagPath,
    /// A template whose inside walked cleanly when the payload was decoded.
    pub(crate) parsed: bool,
    /// The value is ASCII (every value is when the whole payload is), so lengths inside it
    /// count bytes.
    pub(crate) ascii: bool,
}

impl<'a> DataObject<'a> {
    /// The object's tag.
    #[must_use]
    pub fn tag(&self) -> Tag {
        self.tag
    }

    /// The object's full path (`62.05`).
    #[must_use]
    pub fn path(&self) -> TagPath {
        self.path
    }

    /// Byte offset of the object's id in the payload.
    #[must_use]
    pub fn offset(&self) -> usize {
        self.offset as usize
    }

    /// The value as written (for a template, its whole encoded inside).
    #[must_use]
    pub fn value(&self) -> &'a str {
        self.value
    }

    /// Whether this is a template whose inside parses into data objects.
    #[must_use]
    pub fn is_template(&self) -> bool {
        self.parsed
    }

    /// The sub-objects in input order, when this is a template whose inside parses; `None` for
    /// a primitive object or a template kept opaque.
    #[must_use]
    pub fn children(&self) -> Option<Children<'a>> {
        self.parsed.then(|| Children {
            walk: self.inside(),
        })
    }

    /// The first sub-object with `tag`, when this is a template.
    #[must_use]
    pub fn child(&self, tag: Tag) -> Option<DataObject<'a>> {
        self.children()?.find(|o| o.tag == tag)
    }

    /// The value of the first sub-object with tag `id` (0–99).
    #[must_use]
    pub fn child_value(&self, id: u8) -> Option<&'a str> {
        Tag::new(id).and_then(|t| self.child(t)).map(|o| o.value)
    }

    /// Reads the value as a template one level deeper, as the decoder reads a root template:
    /// for templates a national scheme nests where EMV defines a primitive (VietQR's 38.01
    /// holds 00 the acquirer BIN and 01 the account). Lengths count characters. Each object
    /// comes with its path (`38.01.00`) and its offset in the payload; objects inside them are
    /// not read further.
    ///
    /// ```
    /// use qrpay_core::{decode, Tag};
    ///
    /// // NAPAS's static account example: its 38.01 says 12 characters for the account but
    /// // holds 13, so one character is left over where the next object's header would start.
    /// let text = "00020101021138570010A00000072701270006970403011200110123456780208QRIBFTTA53037045802VN6304F4E5";
    /// let payload = decode(text)?;
    /// let beneficiary = Tag::new(1).and_then(|id| payload.get(38)?.child(id)).expect("38.01");
    /// let err = beneficiary.split().unwrap_err();
    /// assert_eq!(err.to_string(), "truncated header at byte 60 in 38.01: a header takes 4 bytes, 1 left");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// The [`DecodeError`](super::DecodeError) the decoder would give for the first object that
    /// does not walk, with its tag path and byte offset in the payload.
    pub fn split(&self) -> Result<Vec<DataObject<'a>>, super::DecodeError> {
        let mut walk = self.inside();
        let objects: Vec<DataObject<'a>> = walk.by_ref().collect();
        match walk.error() {
            Some(err) => Err(err),
            None => Ok(objects),
        }
    }

    /// The globally unique identifier (sub-object 00) of a template.
    #[must_use]
    pub fn gui(&self) -> Option<&'a str> {
        self.child_value(0)
    }

    /// A walk over the value as the objects of a template one level deeper, lengths counted
    /// in characters and offsets in the payload: how every reader of a template's inside
    /// starts.
    #[inline]
    pub(crate) fn inside(&self) -> Walk<'a> {
        Walk::new(
            self.value,
            self.offset() + 4,
            self.path,
            self.ascii,
            Count::Chars,
        )
    }

    /// Number of characters of the value.
    pub(crate) fn char_len(&self) -> usize {
        if self.ascii {
            self.value.len()
        } else {
            char_count(self.value)
        }
    }
}

/// Characters of `text`, the unit EMV lengths count: its bytes when it is ASCII (most values
/// are), else its Unicode scalar values.
pub(crate) fn char_count(text: &str) -> usize {
    if text.is_ascii() {
        text.len()
    } else {
        text.chars().count()
    }
}

/// The sub-objects of a template, in input order: see [`DataObject::children`].
#[derive(Debug, Clone)]
pub struct Children<'a> {
    walk: Walk<'a>,
}

impl<'a> Iterator for Children<'a> {
    type Item = DataObject<'a>;

    fn next(&mut self) -> Option<DataObject<'a>> {
        // The template walked cleanly when it was decoded, so the walk cannot fail here.
        let mut object = self.walk.next()?;
        if is_template(object.path) {
            object.parsed = object.inside().parses();
        }
        Some(object)
    }
}

impl std::iter::FusedIterator for Children<'_> {}
