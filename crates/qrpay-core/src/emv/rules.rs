//! The rules of EMV QRCPS MPM (v1.1) that a walked payload must also follow.
//!
//! Every check pushes a [`Violation`]; the decoder decides whether the first one refuses the
//! payload (strict) or all are reported (tolerant).

use super::decode::{is_template, Count, Walk};
use super::error::{Charset, Rule, Violation};
use super::object::DataObject;
use crate::money::{Amount, Currency};
use crate::tag::{Tag, TagPath};

/// The most characters a payload may have (EMV MPM §4.1).
pub const PAYLOAD_CHARS_MAX: usize = 512;

/// Format and length of one data object (EMV MPM tables 3.2, 3.6, 3.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Spec {
    /// `None` is format `S`: any Unicode character.
    charset: Option<Charset>,
    len_min: u8,
    len_max: u8,
}

const fn spec(charset: Option<Charset>, len_min: u8, len_max: u8) -> Spec {
    Spec {
        charset,
        len_min,
        len_max,
    }
}

const N: Option<Charset> = Some(Charset::Numeric);
const ANS: Option<Charset> = Some(Charset::Ans);
const S: Option<Charset> = None;

/// What the specification says of one tag in one context.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entry {
    /// Not defined here (payment-network data, RFU at the root): no format is checked.
    Unknown,
    /// Reserved for future use inside a template EMVCo defines.
    Reserved,
    /// Defined, with this format.
    Known(Spec),
}

/// Where an object sits, which decides what its tag means.
#[derive(Clone, Copy)]
enum Ctx {
    Root = 0,
    /// Inside a merchant account template (26–51).
    MerchantTemplate = 1,
    /// Inside an unreserved template (80–99).
    Unreserved = 2,
    /// Inside the additional data template (62).
    Additional = 3,
    /// Inside the language template (64).
    Language = 4,
    /// Inside a payment-system-specific template (62.50–99).
    AdditionalTemplate = 5,
    /// Anywhere else (RFU templates): nothing is checked.
    Other = 6,
}

const CTX_COUNT: usize = 7;

impl Ctx {
    /// The context of the sub-objects of the template at `path`.
    fn inside(path: TagPath) -> Ctx {
        match path.ids() {
            (None, _, _) => Ctx::Root,
            (Some(26..=51), None, None) => Ctx::MerchantTemplate,
            (Some(80..=99), None, None) => Ctx::Unreserved,
            (Some(62), None, None) => Ctx::Additional,
            (Some(64), None, None) => Ctx::Language,
            (Some(62), Some(50..=99), None) => Ctx::AdditionalTemplate,
            _ => Ctx::Other,
        }
    }

    /// Whether a template in this context at `tag` needs a GUI (sub-object 00).
    fn needs_gui(self, tag: Tag) -> bool {
        match self {
            Ctx::Root => matches!(tag.get(), 26..=51 | 80..=99),
            Ctx::Additional => matches!(tag.get(), 50..=99),
            _ => false,
        }
    }
}

/// EMV MPM tables 3.2, 3.6 and 3.7, per context and tag.
const fn entry(ctx: usize, id: u8) -> Entry {
    const ROOT: usize = Ctx::Root as usize;
    const MERCHANT: usize = Ctx::MerchantTemplate as usize;
    const UNRESERVED: usize = Ctx::Unreserved as usize;
    const ADDITIONAL: usize = Ctx::Additional as usize;
    const LANGUAGE: usize = Ctx::Language as usize;
    const ADDITIONAL_TEMPLATE: usize = Ctx::AdditionalTemplate as usize;
    let s = match (ctx, id) {
        (ROOT, 0 | 1) => spec(N, 2, 2),
        (ROOT, 2..=25) => spec(ANS, 1, 99),
        (ROOT, 26..=51 | 80..=99) => spec(S, 1, 99),
        (ROOT, 52) => spec(N, 4, 4),
        (ROOT, 53) => spec(N, 3, 3),
        (ROOT, 54 | 56) => spec(ANS, 1, 13),
        (ROOT, 55) => spec(N, 2, 2),
        (ROOT, 57) => spec(ANS, 1, 5),
        (ROOT, 58) => spec(ANS, 2, 2),
        (ROOT, 59) => spec(ANS, 1, 25),
        (ROOT, 60) => spec(ANS, 1, 15),
        (ROOT, 61) => spec(ANS, 1, 10),
        (ROOT, 62 | 64) => spec(S, 1, 99),
        (ROOT, 63) => spec(ANS, 4, 4),
        (MERCHANT | UNRESERVED | ADDITIONAL_TEMPLATE, 0) => spec(ANS, 1, 32),
        (MERCHANT, _) => spec(ANS, 1, 99),
        (UNRESERVED | ADDITIONAL_TEMPLATE, _) => spec(S, 1, 99),
        (ADDITIONAL, 1..=8) => spec(ANS, 1, 25),
        (ADDITIONAL, 9) => spec(ANS, 1, 3),
        (ADDITIONAL, 10) => spec(ANS, 1, 20),
        (ADDITIONAL, 11) => spec(ANS, 3, 3),
        (ADDITIONAL, 50..=99) => spec(S, 1, 99),
        (ADDITIONAL, _) => return Entry::Reserved,
        (LANGUAGE, 0) => spec(ANS, 2, 2),
        (LANGUAGE, 1) => spec(S, 1, 25),
        (LANGUAGE, 2) => spec(S, 1, 15),
        (LANGUAGE, _) => return Entry::Reserved,
        _ => return Entry::Unknown,
    };
    Entry::Known(s)
}

/// The entry of a context and tag, from [`SPECS`].
fn lookup(ctx: Ctx, tag: Tag) -> Entry {
    lookup_spec(ctx, tag).entry()
}

impl Spec {
    /// The entry this spec stands for in [`SPECS`] (see [`Entry::spec`]).
    fn entry(self) -> Entry {
        if self.len_min > self.len_max {
            Entry::Reserved
        } else if self.len_max == u8::MAX {
            Entry::Unknown
        } else {
            Entry::Known(self)
        }
    }
}

impl Entry {
    /// The entry as one spec, for the fast path: an undefined object may be anything of at
    /// least one character, a reserved one has a range no length falls in. No defined length
    /// reaches `u8::MAX`, and no defined range is empty, so [`Spec::entry`] tells them apart.
    const fn spec(self) -> Spec {
        match self {
            Entry::Unknown => spec(S, 1, u8::MAX),
            Entry::Reserved => spec(S, 1, 0),
            Entry::Known(spec) => spec,
        }
    }
}

/// EMV MPM tables 3.2, 3.6 and 3.7 for every context and tag ([`entry`]), computed at compile
/// time as one spec each ([`Entry::spec`]): the fast path checks a value with one load and two
/// comparisons, where matching an entry took a branch per kind.
static SPECS: [[Spec; 100]; CTX_COUNT] = {
    let unknown = Entry::Unknown.spec();
    let mut specs = [[unknown; 100]; CTX_COUNT];
    let mut ctx = 0;
    while ctx < CTX_COUNT {
        let mut id = 0;
        while id < 100 {
            // INVARIANT: evaluated at compile time; indexes are below the bounds they loop to.
            #[allow(clippy::indexing_slicing, clippy::cast_possible_truncation)]
            {
                specs[ctx][id] = entry(ctx, id as u8).spec();
            }
            id += 1;
        }
        ctx += 1;
    }
    specs
};

/// The spec of a context and tag, from [`SPECS`].
fn lookup_spec(ctx: Ctx, tag: Tag) -> Spec {
    SPECS
        .get(ctx as usize)
        .and_then(|row| row.get(usize::from(tag.get())))
        .copied()
        .unwrap_or(Entry::Unknown.spec())
}

/// Whether a payload whose root walked cleanly and whose CRC matches breaks no rule at all,
/// found in one pass that walks each template once and builds no violation. Marks the
/// templates parsed on the way.
///
/// This is the decoder's fast path: most payloads break nothing, and for them this answer is
/// the whole validation. When it says `false`, the decoder runs the full checks ([`check`]),
/// which find and describe every violation in the order the specification's rules are listed.
/// The two must agree; the tests compare them on every vector and on random mutations.
pub(crate) fn all_clear(
    input: &str,
    ascii: bool,
    printable: bool,
    objects: &mut [DataObject<'_>],
) -> bool {
    let text = Text { ascii, printable };
    if too_long(input, ascii).is_some() {
        return false;
    }
    // 00 first.
    if objects.first().map(|o| o.tag) != Some(Tag::PAYLOAD_FORMAT) {
        return false;
    }
    let mut seen = [false; 100];
    let mut mandatory = 0u8;
    let mut accounts = 0u8;
    let mut valued = Valued::default();
    for object in objects.iter_mut() {
        let id = usize::from(object.tag.get());
        let (Some(flags), Some(seen)) = (ROOT_FLAGS.get(id), seen.get_mut(id)) else {
            return false;
        };
        if *seen {
            return false;
        }
        *seen = true;
        mandatory += flags & MANDATORY;
        accounts |= flags & ACCOUNT;
        if !object_clear(object, lookup_spec(Ctx::Root, object.tag), text) {
            return false;
        }
        if flags & TEMPLATE != 0 {
            // In a payload that is not all ASCII, most templates still are.
            let inside = Text {
                ascii: text.ascii || object.ascii,
                ..text
            };
            if !template_clear(object, Ctx::Root, inside) {
                return false;
            }
            object.parsed = true;
        }
        let object: &DataObject<'_> = object;
        if flags & VALUED != 0 {
            valued.set(object);
        }
    }
    // Each mandatory tag adds one, once: a second of a tag has returned above.
    if usize::from(mandatory) != MANDATORY_TAGS.len() || accounts == 0 {
        return false;
    }
    let mut out = Vec::new();
    check_values(&valued, &mut out);
    out.is_empty()
}

/// The payload's length in characters when it is over [`PAYLOAD_CHARS_MAX`]. A payload is
/// never longer in characters than in bytes, so only one longer in bytes is counted.
fn too_long(input: &str, ascii: bool) -> Option<usize> {
    if input.len() <= PAYLOAD_CHARS_MAX {
        return None;
    }
    let chars = if ascii {
        input.len()
    } else {
        input.chars().count()
    };
    (chars > PAYLOAD_CHARS_MAX).then_some(chars)
}

/// What [`all_clear`] needs to know of each root tag, as bits of [`ROOT_FLAGS`]: mandatory (the
/// low bit, so that a sum counts them), a merchant account, a template, a value checked against
/// others.
const MANDATORY: u8 = 1;
const ACCOUNT: u8 = 2;
const TEMPLATE: u8 = 4;
const VALUED: u8 = 8;
static ROOT_FLAGS: [u8; 100] = {
    let mut flags = [0u8; 100];
    let mut id = 0;
    while id < 100 {
        let tag = Tag::of(id);
        let mut f = 0;
        if tag.is_merchant_account() {
            f |= ACCOUNT;
        }
        if is_template(TagPath::root(tag)) {
            f |= TEMPLATE;
        }
        // INVARIANT: evaluated at compile time; id < 100, the table's length.
        #[allow(clippy::indexing_slicing)]
        {
            flags[id as usize] = f;
        }
        id += 1;
    }
    let mut i = 0;
    while i < MANDATORY_TAGS.len() {
        // INVARIANT: evaluated at compile time; the tags are below 100.
        #[allow(clippy::indexing_slicing)]
        {
            flags[MANDATORY_TAGS[i] as usize] |= MANDATORY;
        }
        i += 1;
    }
    let mut i = 0;
    while i < VALUED_TAGS.len() {
        // INVARIANT: evaluated at compile time; the tags are below 100.
        #[allow(clippy::indexing_slicing)]
        {
            flags[VALUED_TAGS[i] as usize] |= VALUED;
        }
        i += 1;
    }
    flags
};

/// The root objects every payload must have (EMV MPM table 3.2, "M"), besides 00, 63 and a
/// merchant account.
const MANDATORY_TAGS: [u8; 5] = [52, 53, 58, 59, 60];

/// The root objects whose values the rules check against each other ([`Valued`]).
const VALUED_TAGS: [u8; 8] = [0, 1, 53, 54, 55, 56, 57, 58];

/// The root objects whose values the rules check against each other (00, 01 and 53–58), the
/// first of each tag.
#[derive(Default)]
struct Valued<'o, 'a> {
    objects: [Option<&'o DataObject<'a>>; 8],
}

impl<'o, 'a> Valued<'o, 'a> {
    fn slot(id: u8) -> usize {
        match id {
            0 | 1 => usize::from(id),
            _ => usize::from(id.saturating_sub(51)),
        }
    }

    /// Keeps `object`, which callers give only once per tag, without reading the slot that
    /// [`Valued::default`] has only just written.
    fn set(&mut self, object: &'o DataObject<'a>) {
        if let Some(slot) = self.objects.get_mut(Valued::slot(object.tag.get())) {
            *slot = Some(object);
        }
    }

    fn get(&self, id: u8) -> Option<&'o DataObject<'a>> {
        self.objects.get(Valued::slot(id)).copied().flatten()
    }
}

/// `1 << tag` as a set of tags, from a table: a variable 128-bit shift takes several
/// instructions, a load one.
#[inline(always)]
fn tag_bit(tag: Tag) -> u128 {
    static BITS: [u128; 100] = {
        let mut bits = [0u128; 100];
        let mut id = 0;
        while id < 100 {
            // INVARIANT: evaluated at compile time; id < 100, the table's length.
            #[allow(clippy::indexing_slicing)]
            {
                bits[id] = 1 << id;
            }
            id += 1;
        }
        bits
    };
    BITS.get(usize::from(tag.get())).copied().unwrap_or(0)
}

/// Whether `bytes` have a form EMV allows for a globally unique identifier: an AID (a
/// registered application provider id and its extension, 5 to 16 bytes written as 10 to 32 hex
/// digits), a UUID without its hyphens (32 hex digits), or a reverse domain name (two or more
/// labels of letters, digits and inner hyphens, joined by dots: `br.gov.bcb.pix`).
pub(crate) fn is_gui(bytes: &[u8]) -> bool {
    if (10..=32).contains(&bytes.len())
        && bytes.len().is_multiple_of(2)
        && bytes.iter().all(u8::is_ascii_hexdigit)
    {
        return true;
    }
    let (mut labels, mut label_len, mut last) = (1, 0, b'.');
    for &b in bytes {
        match b {
            b'.' if label_len > 0 && last != b'-' => {
                labels += 1;
                label_len = 0;
            }
            b'-' if label_len > 0 => label_len += 1,
            _ if b.is_ascii_alphanumeric() => label_len += 1,
            _ => return false,
        }
        last = b;
    }
    labels >= 2 && label_len > 0 && last != b'-'
}

/// Whether the GUI (sub-object 00) of a template that has one has a form EMV allows. The GUI
/// is read from where it nearly always is, first; when it is not there, or not ASCII (which no
/// GUI is), this says no, and the full check of the payload decides.
fn gui_clear(template: &DataObject<'_>) -> bool {
    let value = template.value.as_bytes();
    match value {
        [b'0', b'0', l0, l1, rest @ ..] => Tag::from_digits(*l0, *l1)
            .and_then(|len| rest.get(..usize::from(len.get())))
            .is_some_and(is_gui),
        _ => false,
    }
}

/// [`all_clear`] for the inside of one template in context `ctx`.
fn template_clear(template: &DataObject<'_>, ctx: Ctx, text: Text) -> bool {
    let inside = Ctx::inside(template.path);
    // `DataObject::inside` with the ASCII flag from a register rather than from the object: 14
    // fewer instructions per decode on this, the fast path, and about 7% less time.
    let mut walk = Walk::new(
        template.value,
        template.offset() + 4,
        template.path,
        text.ascii,
        Count::Chars,
    );
    let mut seen: u128 = 0;
    for child in walk.by_ref() {
        let bit = tag_bit(child.tag);
        if seen & bit != 0 {
            return false;
        }
        seen |= bit;
        if !object_clear(&child, lookup_spec(inside, child.tag), text)
            || (is_template(child.path) && !template_clear(&child, inside, text))
            || (matches!(inside, Ctx::Additional)
                && child.tag == Tag::of(9)
                && !consumer_request_clear(child.value))
            || (matches!(inside, Ctx::Language)
                && child.tag == Tag::of(0)
                && !is_language(child.value))
        {
            return false;
        }
    }
    walk.completed()
        && (!ctx.needs_gui(template.tag) || (seen & 1 != 0 && gui_clear(template)))
        && (!matches!(inside, Ctx::Language) || language_clear(seen))
}

/// Checks every rule on a payload whose structure and CRC are sound.
pub(crate) fn check(
    input: &str,
    ascii: bool,
    printable: bool,
    objects: &[DataObject<'_>],
    out: &mut Vec<Violation>,
) {
    if let Some(chars) = too_long(input, ascii) {
        out.push(Violation::new(
            Rule::PayloadTooLong {
                len: chars,
                len_max: PAYLOAD_CHARS_MAX,
            },
            TagPath::ROOT,
            0,
        ));
    }
    let index = RootIndex::new(objects);
    match objects.first() {
        Some(first) if first.tag == Tag::PAYLOAD_FORMAT => {}
        _ => match index.get(0) {
            Some(pfi) => out.push(Violation::new(
                Rule::FormatIndicatorNotFirst,
                pfi.path,
                pfi.offset(),
            )),
            None => out.push(missing(Tag::PAYLOAD_FORMAT)),
        },
    }
    check_level(
        objects.iter().copied(),
        Ctx::Root,
        Text { ascii, printable },
        out,
    );
    for id in MANDATORY_TAGS {
        if index.get(id).is_none() {
            out.push(missing(Tag::of(id)));
        }
    }
    if !objects.iter().any(|o| o.tag.is_merchant_account()) {
        out.push(Violation::new(Rule::NoMerchantAccount, TagPath::ROOT, 0));
    }
    let mut valued = Valued::default();
    for id in VALUED_TAGS {
        if let Some(object) = index.get(id) {
            valued.set(object);
        }
    }
    check_values(&valued, out);
    check_template_values(&index, out);
}

/// Where the first root object of each tag is, found in one pass.
struct RootIndex<'o, 'a> {
    objects: &'o [DataObject<'a>],
    /// One more than the index of the first object of each tag; 0 when absent.
    first: [u16; 100],
}

impl<'o, 'a> RootIndex<'o, 'a> {
    fn new(objects: &'o [DataObject<'a>]) -> Self {
        let mut first = [0u16; 100];
        for (i, object) in objects.iter().enumerate().rev() {
            if let Some(slot) = first.get_mut(usize::from(object.tag.get())) {
                // INVARIANT: a payload of at most INPUT_BYTES_MAX bytes has fewer objects.
                *slot = u16::try_from(i + 1).unwrap_or(0);
            }
        }
        RootIndex { objects, first }
    }

    fn get(&self, id: u8) -> Option<&'o DataObject<'a>> {
        let at = usize::from(*self.first.get(usize::from(id))?);
        self.objects.get(at.checked_sub(1)?)
    }
}

fn missing(tag: Tag) -> Violation {
    Violation::new(Rule::Missing, TagPath::root(tag), 0)
}

/// What is known of the characters of the text being checked: the whole payload, or the
/// inside of one template.
#[derive(Clone, Copy)]
struct Text {
    /// Every character is ASCII: lengths are byte counts.
    ascii: bool,
    /// Every character is printable ASCII: every value fits `ans`.
    printable: bool,
}

/// Duplicates, formats, lengths and template shape: checks one level of objects and,
/// recursively, the templates among them; returns the set of tags seen (bit `n` for tag `n`).
fn check_level<'a, I>(objects: I, ctx: Ctx, text: Text, out: &mut Vec<Violation>) -> u128
where
    I: Iterator<Item = DataObject<'a>> + Clone,
{
    let mut seen: u128 = 0;
    for (i, object) in objects.clone().enumerate() {
        let bit = 1u128 << object.tag.get();
        if seen & bit != 0 {
            let first_offset = objects
                .clone()
                .take(i)
                .find(|o| o.tag == object.tag)
                .map_or(0, |o| o.offset());
            out.push(Violation::new(
                Rule::Duplicate { first_offset },
                object.path,
                object.offset(),
            ));
        }
        seen |= bit;
        check_object(&object, lookup(ctx, object.tag), text, out);
        if let Some(children) = object.children() {
            check_level(children, Ctx::inside(object.path), text, out);
            if ctx.needs_gui(object.tag) {
                match object.child(Tag::of(0)) {
                    None => out.push(Violation::new(
                        Rule::MissingGui,
                        object.path,
                        object.offset(),
                    )),
                    Some(gui) if !is_gui(gui.value.as_bytes()) => out.push(Violation::new(
                        Rule::GuiFormat {
                            found: gui.value.to_owned(),
                        },
                        gui.path,
                        gui.offset(),
                    )),
                    Some(_) => {}
                }
            }
        }
    }
    seen
}

/// Whether one object's value breaks none of the rules [`check_object`] checks: the fast path's
/// form of it, which builds nothing.
#[inline(always)]
fn object_clear(object: &DataObject<'_>, spec: Spec, text: Text) -> bool {
    let value = object.value;
    let len = if text.ascii {
        value.len()
    } else {
        object.char_len()
    };
    // Every minimum is at least 1, so this also refuses empty.
    let fits_len = len >= usize::from(spec.len_min) && len <= usize::from(spec.len_max);
    fits_len
        && match spec.charset {
            None => true,
            Some(Charset::Numeric) => value.bytes().all(|b| b.is_ascii_digit()),
            Some(Charset::Ans) => {
                text.printable || value.bytes().all(|b| (0x20..=0x7E).contains(&b))
            }
        }
}

/// Emptiness, charset and length of one object's value.
fn check_object(object: &DataObject<'_>, entry: Entry, text: Text, out: &mut Vec<Violation>) {
    if object_clear(object, entry.spec(), text) {
        return;
    }
    let value = object.value();
    if value.is_empty() {
        out.push(Violation::new(Rule::Empty, object.path, object.offset()));
        return;
    }
    let spec = match entry {
        Entry::Unknown => return,
        Entry::Reserved => {
            out.push(Violation::new(Rule::Reserved, object.path, object.offset()));
            return;
        }
        Entry::Known(spec) => spec,
    };
    let fits = match spec.charset {
        None => true,
        Some(Charset::Numeric) => value.bytes().all(|b| b.is_ascii_digit()),
        Some(Charset::Ans) => text.printable || value.bytes().all(|b| (0x20..=0x7E).contains(&b)),
    };
    if let Some(charset) = spec.charset.filter(|_| !fits) {
        let bad = value.chars().enumerate().find(|&(_, c)| match charset {
            Charset::Numeric => !c.is_ascii_digit(),
            Charset::Ans => !(' '..='~').contains(&c),
        });
        if let Some((index, found)) = bad {
            out.push(Violation::new(
                Rule::Charset {
                    expected: charset,
                    found,
                    index,
                },
                object.path,
                object.offset(),
            ));
        }
    }
    let len = if text.ascii {
        value.len()
    } else {
        object.char_len()
    };
    if len < usize::from(spec.len_min) || len > usize::from(spec.len_max) {
        out.push(Violation::new(
            Rule::Length {
                len,
                len_min: spec.len_min.into(),
                len_max: spec.len_max.into(),
            },
            object.path,
            object.offset(),
        ));
    }
}

/// The meaning of individual values: enumerations, amounts, currencies, cross-field rules.
fn check_values(valued: &Valued<'_, '_>, out: &mut Vec<Violation>) {
    let get = |id: u8| valued.get(id);
    let at = |o: &DataObject<'_>, rule: Rule| Violation::new(rule, o.path, o.offset());

    if let Some(o) = get(0) {
        if o.value() != "01" {
            out.push(at(
                o,
                Rule::FormatIndicatorValue {
                    found: o.value().to_owned(),
                },
            ));
        }
    }
    if let Some(o) = get(1) {
        if !matches!(o.value(), "11" | "12") {
            out.push(at(
                o,
                Rule::PointOfInitiation {
                    found: o.value().to_owned(),
                },
            ));
        }
    }
    let currency = get(53).and_then(|o| {
        let c = Currency::from_numeric_text(o.value());
        match c {
            None => out.push(at(
                o,
                Rule::Currency {
                    found: o.value().to_owned(),
                },
            )),
            Some(c) if !c.is_money() => out.push(at(
                o,
                Rule::CurrencyNotMoney {
                    found: o.value().to_owned(),
                    alpha: c.alpha(),
                    name: c.name(),
                },
            )),
            Some(_) => {}
        }
        c
    });
    for fee_tag in [54, 56] {
        let Some(o) = get(fee_tag) else { continue };
        match Amount::parse(o.value()) {
            Err(e) => out.push(at(o, Rule::Amount(e))),
            Ok(a) => {
                if let Some(c) = currency {
                    if a.to_minor(c.exponent()).is_err() {
                        out.push(at(
                            o,
                            Rule::AmountPrecision {
                                exponent: c.exponent(),
                            },
                        ));
                    }
                }
            }
        }
    }
    check_convenience(get(55), get(56), get(57), out);
    if let Some(o) = get(58) {
        if !is_country(o.value()) {
            out.push(at(
                o,
                Rule::Country {
                    found: o.value().to_owned(),
                },
            ));
        }
    }
}

/// The rules on values inside the additional data (62.09) and language (64, 64.00) templates.
fn check_template_values(index: &RootIndex<'_, '_>, out: &mut Vec<Violation>) {
    let at = |o: &DataObject<'_>, rule: Rule| Violation::new(rule, o.path, o.offset());
    if let Some(o) = index.get(62).and_then(|t| t.child(Tag::of(9))) {
        if !consumer_request_clear(o.value) {
            out.push(at(
                &o,
                Rule::ConsumerDataRequest {
                    found: o.value.to_owned(),
                },
            ));
        }
    }
    if let Some(o) = index.get(64).and_then(|t| t.child(Tag::of(0))) {
        if !is_language(o.value) {
            out.push(at(
                &o,
                Rule::LanguagePreference {
                    found: o.value.to_owned(),
                },
            ));
        }
    }
    if let Some(o) = index.get(64) {
        if let Some(children) = o.children() {
            let seen = children.fold(0u128, |seen, c| seen | 1 << c.tag.get());
            if !language_clear(seen) {
                out.push(at(o, Rule::LanguageTemplate));
            }
        }
    }
}

/// 62.09 holds the letters A, M and E, each at most once.
fn consumer_request_clear(v: &str) -> bool {
    let mut seen = 0u8;
    v.bytes().all(|b| {
        let bit = match b {
            b'A' => 1,
            b'M' => 2,
            b'E' => 4,
            _ => return false,
        };
        let fresh = seen & bit == 0;
        seen |= bit;
        fresh
    })
}

/// Whether `code` is an officially assigned ISO 3166-1 alpha-2 country code, in upper case as
/// EMV writes 58 (`TH`, `BR`); user-assigned codes such as `XK` and `ZZ` are not.
fn is_country(code: &str) -> bool {
    /// The 249 codes ISO 3166-1 assigns (as of 2024).
    static ASSIGNED: LetterPairs = LetterPairs::of(concat!(
        "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ ",
        "BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ ",
        "CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ ",
        "DE DJ DK DM DO DZ ",
        "EC EE EG EH ER ES ET ",
        "FI FJ FK FM FO FR ",
        "GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY ",
        "HK HM HN HR HT HU ",
        "ID IE IL IM IN IO IQ IR IS IT ",
        "JE JM JO JP ",
        "KE KG KH KI KM KN KP KR KW KY KZ ",
        "LA LB LC LI LK LR LS LT LU LV LY ",
        "MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ ",
        "NA NC NE NF NG NI NL NO NP NR NU NZ ",
        "OM ",
        "PA PE PF PG PH PK PL PM PN PR PS PT PW PY ",
        "QA ",
        "RE RO RS RU RW ",
        "SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ ",
        "TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ ",
        "UA UG UM US UY UZ ",
        "VA VC VE VG VI VN VU ",
        "WF WS ",
        "YE YT ",
        "ZA ZM ZW ",
    ));
    match code.as_bytes() {
        &[a, b] => ASSIGNED.contains(a, b),
        _ => false,
    }
}

/// Whether `code` is an ISO 639-1 language code (`zh`, `TH`), in either case: ISO 639 writes
/// them in lower case and EMV's own examples in upper case. 64.00 must be one (EMV MPM v1.1
/// §3.3: two alphabetic characters as ISO 639 defines them).
fn is_language(code: &str) -> bool {
    /// The 184 codes of ISO 639-1 (as of 2024).
    static ASSIGNED: LetterPairs = LetterPairs::of(concat!(
        "AA AB AE AF AK AM AN AR AS AV AY AZ ",
        "BA BE BG BI BM BN BO BR BS ",
        "CA CE CH CO CR CS CU CV CY ",
        "DA DE DV DZ ",
        "EE EL EN EO ES ET EU ",
        "FA FF FI FJ FO FR FY ",
        "GA GD GL GN GU GV ",
        "HA HE HI HO HR HT HU HY HZ ",
        "IA ID IE IG II IK IO IS IT IU ",
        "JA JV ",
        "KA KG KI KJ KK KL KM KN KO KR KS KU KV KW KY ",
        "LA LB LG LI LN LO LT LU LV ",
        "MG MH MI MK ML MN MR MS MT MY ",
        "NA NB ND NE NG NL NN NO NR NV NY ",
        "OC OJ OM OR OS ",
        "PA PI PL PS PT ",
        "QU ",
        "RM RN RO RU RW ",
        "SA SC SD SE SG SH SI SK SL SM SN SO SQ SR SS ST SU SV SW ",
        "TA TE TG TH TI TK TL TN TO TR TS TT TW TY ",
        "UG UK UR UZ ",
        "VE VI VO ",
        "WA WO ",
        "XH ",
        "YI YO ",
        "ZA ZH ZU ",
    ));
    match code.as_bytes() {
        &[a, b] => ASSIGNED.contains(a.to_ascii_uppercase(), b.to_ascii_uppercase()),
        _ => false,
    }
}

/// A set of two-letter codes, one bit for each of the 26 × 26 pairs of upper-case letters.
struct LetterPairs([u64; 11]);

impl LetterPairs {
    /// The set of `codes`: two upper-case letters and a space each.
    // INVARIANT: evaluated at compile time, where an out-of-bounds index is a build error.
    #[allow(clippy::indexing_slicing)]
    const fn of(codes: &str) -> LetterPairs {
        let codes = codes.as_bytes();
        let mut set = [0u64; 11];
        let mut i = 0;
        while i + 2 < codes.len() {
            let n = (codes[i] - b'A') as usize * 26 + (codes[i + 1] - b'A') as usize;
            set[n / 64] |= 1 << (n % 64);
            i += 3;
        }
        LetterPairs(set)
    }

    /// Whether the code of the letters `a` and `b` is in the set.
    fn contains(&self, a: u8, b: u8) -> bool {
        if !(a.is_ascii_uppercase() && b.is_ascii_uppercase()) {
            return false;
        }
        let n = usize::from(a - b'A') * 26 + usize::from(b - b'A');
        self.0.get(n / 64).is_some_and(|w| w >> (n % 64) & 1 == 1)
    }
}

/// 64 holds at least 00 (language) and 01 (name); `seen` has bit `n` for sub-object `n`.
fn language_clear(seen: u128) -> bool {
    seen & 0b11 == 0b11
}

/// EMV MPM §3.3.2: 55 = 01 prompts for a tip, 02 requires a fixed fee in 56, 03 a percentage in
/// 57; 56 and 57 appear only with their indicator.
fn check_convenience(
    indicator: Option<&DataObject<'_>>,
    fixed: Option<&DataObject<'_>>,
    percentage: Option<&DataObject<'_>>,
    out: &mut Vec<Violation>,
) {
    let kind = indicator.map(DataObject::value);
    if let Some(o) = indicator {
        if !matches!(o.value(), "01" | "02" | "03") {
            out.push(Violation::new(
                Rule::TipIndicator {
                    found: o.value().to_owned(),
                },
                o.path,
                o.offset(),
            ));
        }
    }
    match (kind, fixed) {
        (Some("02"), None) => {
            if let Some(o) = indicator {
                out.push(Violation::new(
                    Rule::Convenience("indicator 02 requires a fixed fee in tag 56"),
                    o.path,
                    o.offset(),
                ));
            }
        }
        (Some("02"), Some(_)) => {}
        (_, Some(o)) => out.push(Violation::new(
            Rule::Convenience("fixed fee (56) is present but the indicator (55) is not 02"),
            o.path,
            o.offset(),
        )),
        (_, None) => {}
    }
    match (kind, percentage) {
        (Some("03"), None) => {
            if let Some(o) = indicator {
                out.push(Violation::new(
                    Rule::Convenience("indicator 03 requires a percentage fee in tag 57"),
                    o.path,
                    o.offset(),
                ));
            }
        }
        (Some("03"), Some(o)) => {
            let in_range = Amount::parse_allow_zero(o.value())
                .ok()
                .and_then(|a| a.to_minor(2).ok())
                .is_some_and(|hundredths| (1..=9999).contains(&hundredths));
            if !in_range {
                out.push(Violation::new(
                    Rule::Percentage {
                        found: o.value().to_owned(),
                    },
                    o.path,
                    o.offset(),
                ));
            }
        }
        (_, Some(o)) => out.push(Violation::new(
            Rule::Convenience("percentage fee (57) is present but the indicator (55) is not 03"),
            o.path,
            o.offset(),
        )),
        (_, None) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spec_table_keeps_every_entry() {
        for (ctx, row) in SPECS.iter().enumerate() {
            for (id, spec) in (0..100u8).zip(row) {
                let entry = entry(ctx, id);
                assert_eq!(spec.entry(), entry, "{ctx} {id}");
                assert_eq!(entry.spec().entry(), entry, "{ctx} {id}");
            }
        }
        // Spot checks against EMV MPM tables 3.2 and 3.7.
        assert_eq!(
            lookup(Ctx::Root, Tag::of(59)),
            Entry::Known(spec(ANS, 1, 25))
        );
        assert_eq!(lookup(Ctx::Additional, Tag::of(12)), Entry::Reserved);
        assert_eq!(lookup(Ctx::Root, Tag::of(70)), Entry::Unknown);
    }

    /// A reverse domain name, read plainly label by label.
    fn reverse_domain_by_labels(text: &str) -> bool {
        let labels: Vec<&str> = text.split('.').collect();
        labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            })
    }

    proptest::proptest! {
        #[test]
        fn guis_that_are_not_hex_are_reverse_domains(
            text in "[a-c0-1.\\-é@ ]{0,40}|[a-c0-1.\\-]{6,34}|[a-z]{1,8}(\\.[a-z0-9-]{1,9}){1,4}",
        ) {
            let hex = text.len() >= 10 && text.bytes().all(|b| b.is_ascii_hexdigit());
            proptest::prop_assume!(!hex);
            proptest::prop_assert_eq!(
                is_gui(text.as_bytes()),
                reverse_domain_by_labels(&text),
                "{:?}", text
            );
        }
    }

    #[test]
    fn guis_take_the_three_forms_emv_allows() {
        for gui in [
            "br.gov.bcb.pix",
            "ID.CO.QRIS.WWW",
            "COM.GO-JEK.WWW",
            "sg.com.dash.www",
            "a.b",
            "xn--80ak6aa92e.com",
            "A000000727",
            "D15600000000",
            "A000000677010111",
            "5b1e0e5f2c3a4d6e8f901a2b3c4d5e6f",
        ] {
            assert!(is_gui(gui.as_bytes()), "{gui}");
        }
        for gui in [
            "",
            "PAYNOW",
            "jonhsmith@nbcq",
            "1613027972757",
            "A00000072",
            "A000000677010111A000000677010111AB",
            "com..example",
            ".com.example",
            "com.example.",
            "-com.example",
            "com.-example",
            "com-.example",
            "com.example-",
            "com example.x",
            "com.exämple",
        ] {
            assert!(!is_gui(gui.as_bytes()), "{gui}");
        }
    }

    #[test]
    fn country_codes_are_the_assigned_iso_3166_ones() {
        let all: Vec<String> = (b'A'..=b'Z')
            .flat_map(|a| (b'A'..=b'Z').map(move |b| String::from_utf8(vec![a, b]).unwrap()))
            .collect();
        assert_eq!(all.iter().filter(|c| is_country(c)).count(), 249);
        for code in ["TH", "BR", "ID", "SG", "CN", "AX", "SS", "ZW", "AD"] {
            assert!(is_country(code), "{code}");
        }
        // User-assigned, withdrawn, lower case, not letters, wrong length.
        for code in [
            "XK", "ZZ", "AA", "YU", "AN", "th", "Th", "T1", "12", "", "T", "THA", "ÅX",
        ] {
            assert!(!is_country(code), "{code}");
        }
    }

    #[test]
    fn language_codes_are_iso_639_1_in_either_case() {
        let all: Vec<String> = (b'a'..=b'z')
            .flat_map(|a| (b'a'..=b'z').map(move |b| String::from_utf8(vec![a, b]).unwrap()))
            .collect();
        assert_eq!(all.iter().filter(|c| is_language(c)).count(), 184);
        for code in ["zh", "ZH", "th", "TH", "km", "en", "Zh", "vi", "ms", "id"] {
            assert!(is_language(code), "{code}");
        }
        // Country codes that are no language, not letters, wrong length.
        for code in ["CN", "cn", "JP", "VN", "Z1", "12", "", "z", "zho", "ÅX"] {
            assert!(!is_language(code), "{code}");
        }
    }
}
