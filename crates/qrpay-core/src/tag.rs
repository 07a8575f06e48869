//! Data object identifiers and paths to nested objects.

use core::fmt;

/// The identifier of an EMV MPM data object: two decimal digits, `00` to `99`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Tag(u8);

impl Tag {
    /// Payload format indicator.
    pub const PAYLOAD_FORMAT: Tag = Tag(0);
    /// Point of initiation method.
    pub const POINT_OF_INITIATION: Tag = Tag(1);
    /// Merchant category code.
    pub const MCC: Tag = Tag(52);
    /// Transaction currency.
    pub const CURRENCY: Tag = Tag(53);
    /// Transaction amount.
    pub const AMOUNT: Tag = Tag(54);
    /// Tip or convenience indicator.
    pub const TIP_INDICATOR: Tag = Tag(55);
    /// Value of convenience fee fixed.
    pub const FEE_FIXED: Tag = Tag(56);
    /// Value of convenience fee percentage.
    pub const FEE_PERCENTAGE: Tag = Tag(57);
    /// Country code.
    pub const COUNTRY: Tag = Tag(58);
    /// Merchant name.
    pub const MERCHANT_NAME: Tag = Tag(59);
    /// Merchant city.
    pub const MERCHANT_CITY: Tag = Tag(60);
    /// Postal code.
    pub const POSTAL_CODE: Tag = Tag(61);
    /// Additional data field template.
    pub const ADDITIONAL_DATA: Tag = Tag(62);
    /// Cyclic redundancy check.
    pub const CRC: Tag = Tag(63);
    /// Merchant information — language template.
    pub const LANGUAGE_TEMPLATE: Tag = Tag(64);
    /// Globally unique identifier inside a template (sub-object `00`).
    pub const GUI: Tag = Tag(0);

    /// Returns the tag `id`, or `None` when `id` is above 99.
    #[must_use]
    pub const fn new(id: u8) -> Option<Tag> {
        if id <= 99 {
            Some(Tag(id))
        } else {
            None
        }
    }

    /// The tag of a literal id known to be at most 99 (larger ids saturate at 99).
    pub(crate) const fn of(id: u8) -> Tag {
        Tag(if id > 99 { 99 } else { id })
    }

    /// The tag of `id`, which the caller has checked is at most 99 (two decimal digits).
    #[inline(always)]
    pub(crate) const fn of_digits(id: u8) -> Tag {
        debug_assert!(id <= 99);
        Tag(id)
    }

    /// The numeric identifier, 0 to 99.
    #[must_use]
    pub const fn get(self) -> u8 {
        self.0
    }

    /// Parses two ASCII digits.
    pub(crate) const fn from_digits(hi: u8, lo: u8) -> Option<Tag> {
        if hi.is_ascii_digit() && lo.is_ascii_digit() {
            Some(Tag((hi - b'0') * 10 + (lo - b'0')))
        } else {
            None
        }
    }

    /// The two ASCII digits of the identifier.
    #[must_use]
    pub const fn digits(self) -> [u8; 2] {
        [b'0' + self.0 / 10, b'0' + self.0 % 10]
    }

    /// Whether this root tag is a merchant account information object (02–51).
    #[must_use]
    pub const fn is_merchant_account(self) -> bool {
        matches!(self.0, 2..=51)
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}", self.0)
    }
}

impl fmt::Debug for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tag({:02})", self.0)
    }
}

impl core::str::FromStr for Tag {
    type Err = InvalidTag;

    fn from_str(s: &str) -> Result<Tag, InvalidTag> {
        match s.as_bytes() {
            &[hi, lo] => Tag::from_digits(hi, lo).ok_or(InvalidTag),
            _ => Err(InvalidTag),
        }
    }
}

/// A tag that is not two ASCII digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a tag is two digits, 00 to 99")]
pub struct InvalidTag;

/// Where a data object sits: its tag and the tags of the templates around it, outermost first
/// (`62.05`, `26.00`, `62.50.01`). The empty path stands for the payload as a whole.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TagPath {
    /// INVARIANT: the slots from `len` on are zero; the derived `Eq` and `Hash` compare them,
    /// and [`TagPath::child`] ORs the new tag into the slot at `len`.
    tags: [u8; TagPath::DEPTH_MAX],
    len: u8,
}

impl TagPath {
    /// The deepest nesting the decoder follows (root, template, payment-system template).
    pub const DEPTH_MAX: usize = 3;

    /// The empty path: the payload as a whole.
    pub const ROOT: TagPath = TagPath {
        tags: [0; TagPath::DEPTH_MAX],
        len: 0,
    };

    /// A path of one root tag.
    #[must_use]
    pub const fn root(tag: Tag) -> TagPath {
        TagPath {
            tags: [tag.0, 0, 0],
            len: 1,
        }
    }

    /// This path extended by `tag`, or `None` past [`TagPath::DEPTH_MAX`].
    #[must_use]
    #[inline]
    pub fn child(self, tag: Tag) -> Option<TagPath> {
        if usize::from(self.len) >= TagPath::DEPTH_MAX {
            return None;
        }
        // Computed on the path as one 32-bit word rather than by writing the slot `len` of
        // the array: a byte store followed by a whole-word read of the same path would stall
        // store forwarding, and this runs once per template on every encode and decode.
        let [a, b, c] = self.tags;
        let word = u32::from_le_bytes([a, b, c, 0]) | u32::from(tag.0) << (8 * u32::from(self.len));
        let [a, b, c, _] = word.to_le_bytes();
        Some(TagPath {
            tags: [a, b, c],
            // Below DEPTH_MAX (checked above), so it cannot wrap.
            len: self.len.wrapping_add(1),
        })
    }

    /// The tags from the outermost in.
    pub fn tags(&self) -> impl Iterator<Item = Tag> + '_ {
        self.tags
            .iter()
            .take(usize::from(self.len))
            .map(|&t| Tag(t))
    }

    /// The path's tags as numbers, outermost first, `None` past its depth: cheaper to match on
    /// than [`TagPath::tags`].
    #[must_use]
    pub const fn ids(&self) -> (Option<u8>, Option<u8>, Option<u8>) {
        let [a, b, c] = self.tags;
        match self.len {
            0 => (None, None, None),
            1 => (Some(a), None, None),
            2 => (Some(a), Some(b), None),
            _ => (Some(a), Some(b), Some(c)),
        }
    }

    /// The innermost tag, `None` for the root path.
    #[must_use]
    pub fn last(&self) -> Option<Tag> {
        self.tags().last()
    }

    /// How many tags deep the path is.
    #[must_use]
    pub const fn depth(&self) -> usize {
        self.len as usize
    }

    /// Whether this is the root path.
    #[must_use]
    pub const fn is_root(&self) -> bool {
        self.len == 0
    }

    /// The path as one number that orders parents before their children and siblings by
    /// tag: the tags outermost first, then the depth.
    pub(crate) const fn order_key(self) -> u32 {
        let [a, b, c] = self.tags;
        u32::from_be_bytes([a, b, c, self.len])
    }

    /// Whether this path is `ancestor` or lies inside it.
    pub(crate) const fn is_within(self, ancestor: TagPath) -> bool {
        // The tags `ancestor` has, as bits of `order_key`.
        const MASKS: [u32; TagPath::DEPTH_MAX + 1] = [0, 0xFF00_0000, 0xFFFF_0000, 0xFFFF_FF00];
        let [m0, m1, m2, m3] = MASKS;
        let mask = match ancestor.len {
            0 => m0,
            1 => m1,
            2 => m2,
            _ => m3,
        };
        self.len >= ancestor.len && (self.order_key() ^ ancestor.order_key()) & mask == 0
    }

    /// The first `depth` tags of this path.
    pub(crate) const fn truncated(self, depth: usize) -> TagPath {
        let [a, b, _] = self.tags;
        match depth {
            _ if depth >= self.len as usize => self,
            0 => TagPath::ROOT,
            1 => TagPath {
                tags: [a, 0, 0],
                len: 1,
            },
            _ => TagPath {
                tags: [a, b, 0],
                len: 2,
            },
        }
    }
}

impl fmt::Display for TagPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_root() {
            return f.write_str("payload");
        }
        for (i, tag) in self.tags().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            write!(f, "{tag}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for TagPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TagPath({self})")
    }
}

impl core::str::FromStr for TagPath {
    type Err = InvalidTag;

    /// Parses `62.05`-style paths.
    fn from_str(s: &str) -> Result<TagPath, InvalidTag> {
        let mut path = TagPath::ROOT;
        for part in s.split('.') {
            path = path.child(part.parse()?).ok_or(InvalidTag)?;
        }
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_display_and_parse() {
        let p: TagPath = "62.50.01".parse().unwrap();
        assert_eq!(p.to_string(), "62.50.01");
        assert_eq!(p.depth(), 3);
        assert!(p.child(Tag::GUI).is_none());
        assert_eq!(TagPath::ROOT.to_string(), "payload");
        assert!("6".parse::<TagPath>().is_err());
        assert!("６２".parse::<TagPath>().is_err());
    }

    #[test]
    fn tag_bounds() {
        assert!(Tag::new(100).is_none());
        assert_eq!(Tag::new(7).unwrap().to_string(), "07");
        assert_eq!(Tag::new(59).unwrap().digits(), *b"59");
    }
}
