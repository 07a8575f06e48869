//! Data objects: one tag–length–value triple, possibly a template of more.

use crate::tag::{Tag, TagPath};

/// One data object of a payload: its tag, its value as written, where it starts, and, for a
/// template whose inside parses, its sub-objects in input order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataObject<'a> {
    pub(crate) tag: Tag,
    pub(crate) path: TagPath,
    pub(crate) offset: usize,
    pub(crate) value: &'a str,
    pub(crate) children: Option<Vec<DataObject<'a>>>,
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
        self.offset
    }

    /// The value as written (for a template, its whole encoded inside).
    #[must_use]
    pub fn value(&self) -> &'a str {
        self.value
    }

    /// The sub-objects, when this is a template whose inside parses.
    #[must_use]
    pub fn children(&self) -> Option<&[DataObject<'a>]> {
        self.children.as_deref()
    }

    /// The first sub-object with `tag`, when this is a template.
    #[must_use]
    pub fn child(&self, tag: Tag) -> Option<&DataObject<'a>> {
        self.children.as_deref().and_then(|c| find(c, tag))
    }

    /// The value of the first sub-object with tag `id` (0–99).
    #[must_use]
    pub fn child_value(&self, id: u8) -> Option<&str> {
        Tag::new(id)
            .and_then(|t| self.child(t))
            .map(DataObject::value)
    }

    /// The globally unique identifier (sub-object 00) of a template.
    #[must_use]
    pub fn gui(&self) -> Option<&str> {
        self.child_value(0)
    }

    /// Number of characters of the value.
    pub(crate) fn char_len(&self) -> usize {
        self.value.chars().count()
    }
}

/// The first object with `tag` in `objects`.
pub(crate) fn find<'o, 'a>(objects: &'o [DataObject<'a>], tag: Tag) -> Option<&'o DataObject<'a>> {
    objects.iter().find(|o| o.tag == tag)
}
