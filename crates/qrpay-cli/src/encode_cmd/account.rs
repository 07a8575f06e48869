//! The `--account` flag of the generic EMV build: `TAG=VALUE` for a primitive merchant account
//! (02–25) or `TAG:GUI[:SUB=VALUE…]` for a template (26–51).

use qrpay_core::Tag;

/// One `--account` flag, parsed.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum AccountSpec<'a> {
    /// `TAG=VALUE`, tags 02–25.
    Primitive { tag: Tag, value: &'a str },
    /// `TAG:GUI[:SUB=VALUE…]`, tags 26–51: the GUI (sub-object 00) and the other sub-objects
    /// in the order given.
    Template {
        tag: Tag,
        gui: &'a str,
        fields: Vec<(Tag, &'a str)>,
    },
}

impl<'a> AccountSpec<'a> {
    /// Parses `spec`. A sub-object starts at every colon followed by one or two digits and `=`
    /// (`:01=`); any other colon belongs to the GUI or value it stands in (`https://…`), so a
    /// GUI or value cannot itself contain such a sequence.
    ///
    /// # Errors
    /// A one-line message naming the flag: a tag out of range for the form used, a one-digit
    /// sub-tag (`:1=` for `:01=`), a sub-tag 00 (the GUI comes before the first colon), or a
    /// sub-tag given twice.
    pub(super) fn parse(spec: &'a str) -> Result<AccountSpec<'a>, String> {
        let bad = |why: &str| format!("--account {spec:?}: {why}");
        let form = "use TAG=VALUE (tags 02 to 25) or TAG:GUI[:SUB=VALUE…] (tags 26 to 51)";
        let (tag, separator, rest) = match (spec.get(..2), spec.get(2..3), spec.get(3..)) {
            (Some(tag), Some(sep), Some(rest)) => (tag, sep, rest),
            _ => return Err(bad(form)),
        };
        let tag: Tag = tag.parse().map_err(|_| bad(form))?;
        match (separator, tag.get()) {
            ("=", 2..=25) => Ok(AccountSpec::Primitive { tag, value: rest }),
            ("=", 26..=51) => Err(bad(&format!(
                "tag {tag} is a template: use {tag}:GUI[:SUB=VALUE…]"
            ))),
            (":", 26..=51) => template(tag, rest).map_err(|why| bad(&why)),
            (":", 2..=25) => Err(bad(&format!("tag {tag} holds one value: use {tag}=VALUE"))),
            ("=" | ":", _) => Err(bad(&format!(
                "tag {tag} is not a merchant account (02 to 51)"
            ))),
            _ => Err(bad(form)),
        }
    }

    /// The root tag the account sets.
    pub(super) fn tag(&self) -> Tag {
        match self {
            AccountSpec::Primitive { tag, .. } | AccountSpec::Template { tag, .. } => *tag,
        }
    }
}

/// Splits `rest` (what follows `TAG:`) into the GUI and its sub-objects.
fn template(tag: Tag, rest: &str) -> Result<AccountSpec<'_>, String> {
    let bytes = rest.as_bytes();
    // Where each sub-object starts (its colon) and how many digits its sub-tag has.
    let starts: Vec<(usize, usize)> = rest
        .match_indices(':')
        .filter_map(|(i, _)| match bytes.get(i + 1..) {
            Some([a, b, b'=', ..]) if a.is_ascii_digit() && b.is_ascii_digit() => Some((i, 2)),
            Some([a, b'=', ..]) if a.is_ascii_digit() => Some((i, 1)),
            _ => None,
        })
        .collect();
    let gui_end = starts.first().map_or(rest.len(), |&(i, _)| i);
    let gui = rest.get(..gui_end).unwrap_or_default();
    let ends = starts.iter().skip(1).map(|&(i, _)| i).chain([rest.len()]);
    let mut fields: Vec<(Tag, &str)> = Vec::with_capacity(starts.len());
    for (&(start, digits), end) in starts.iter().zip(ends) {
        let sub_text = rest.get(start + 1..start + 1 + digits).unwrap_or_default();
        let value = rest.get(start + 2 + digits..end).unwrap_or_default();
        if digits == 1 {
            return Err(format!(
                "sub-tag {sub_text} must be two digits (:0{sub_text}=, not :{sub_text}=)"
            ));
        }
        let sub: Tag = sub_text
            .parse()
            .map_err(|_| format!("bad sub-tag {sub_text:?}"))?;
        if sub == Tag::GUI {
            return Err(format!(
                "sub-tag 00 is the GUI, which goes before the first colon ({tag}:GUI)"
            ));
        }
        if fields.iter().any(|&(t, _)| t == sub) {
            return Err(format!("sub-tag {sub} is given twice"));
        }
        fields.push((sub, value));
    }
    Ok(AccountSpec::Template { tag, gui, fields })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(id: u8) -> Tag {
        Tag::new(id).unwrap()
    }

    #[test]
    fn colons_inside_values_stay() {
        let spec = AccountSpec::parse("27:https://x.example:8080/p:01=a:b:02=c:123=d").unwrap();
        assert_eq!(
            spec,
            AccountSpec::Template {
                tag: tag(27),
                gui: "https://x.example:8080/p",
                fields: vec![(tag(1), "a:b"), (tag(2), "c:123=d")],
            }
        );
        assert_eq!(
            AccountSpec::parse("04=4111:01=x").unwrap(),
            AccountSpec::Primitive {
                tag: tag(4),
                value: "4111:01=x"
            }
        );
    }

    #[test]
    fn refusals_name_the_flag() {
        for (spec, needle) in [
            ("26", "use TAG=VALUE"),
            ("26=x", "is a template"),
            ("02:x", "holds one value"),
            ("52:x", "not a merchant account"),
            ("5=x", "use TAG=VALUE"),
            ("26:g:1=x", "two digits"),
            ("26:g:00=x", "sub-tag 00 is the GUI"),
            ("26:g:01=x:01=y", "given twice"),
        ] {
            let e = AccountSpec::parse(spec).unwrap_err();
            assert!(e.starts_with("--account "), "{e}");
            assert!(e.contains(needle), "{spec}: {e}");
        }
    }
}
