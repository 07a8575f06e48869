//! RFC 3986 percent-encoding for the URI formats (UPI, BIP21).
//!
//! Written here rather than taken from `percent-encoding` because that crate passes malformed
//! escapes (`%zz`, a lone `%`) through unchanged, while these parsers must reject them and say
//! where. This is URI decoding, not form decoding: `+` stays `+`.

/// Why a percent-encoded component is malformed. Offsets are relative to the component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PercentError {
    /// `%` not followed by two hex digits.
    BadEscape { offset: usize },
    /// The decoded bytes are not UTF-8; the offset is that of the component start.
    InvalidUtf8,
}

/// Decodes `%XX` escapes; every other byte is kept as is.
pub(crate) fn decode(component: &str) -> Result<String, PercentError> {
    if !component.contains('%') {
        return Ok(component.to_owned());
    }
    let bytes = component.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut offset = 0;
    while let Some(&byte) = bytes.get(offset) {
        if byte == b'%' {
            let high = bytes.get(offset + 1).and_then(|b| hex_value(*b));
            let low = bytes.get(offset + 2).and_then(|b| hex_value(*b));
            match (high, low) {
                (Some(high), Some(low)) => out.push(high << 4 | low),
                _ => return Err(PercentError::BadEscape { offset }),
            }
            offset += 3;
        } else {
            out.push(byte);
            offset += 1;
        }
    }
    String::from_utf8(out).map_err(|_| PercentError::InvalidUtf8)
}

/// Encodes every byte outside RFC 3986 unreserved characters and the pchar delimiters that are
/// harmless inside a query value (`:@/?!$'()*,;=`; a value ends only at `&`). `&`, `+`, `#`, `%` and space are escaped.
pub(crate) fn encode_query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        let keep = byte.is_ascii_alphanumeric() || b"-._~:@/?!$'()*,;=".contains(&byte);
        if keep {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(hex_digit(byte >> 4));
            out.push(hex_digit(byte & 0x0f));
        }
    }
    out
}

/// One `key=value` pair of a query string, still percent-encoded, with the byte offset of
/// the pair within the query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RawPair<'a> {
    pub(crate) offset: usize,
    pub(crate) key: &'a str,
    pub(crate) value: &'a str,
}

/// Splits a query on `&` and each pair on its first `=`. `Err(offset)` for an empty pair,
/// a pair without `=` or with an empty key.
pub(crate) fn query_pairs(query: &str) -> Result<Vec<RawPair<'_>>, usize> {
    let mut pairs = Vec::new();
    let mut offset = 0;
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some((key, value)) if !key.is_empty() => pairs.push(RawPair { offset, key, value }),
            _ => return Err(offset),
        }
        offset += pair.len() + 1;
    }
    Ok(pairs)
}

/// Serializes decoded `(key, value)` parameters as a JSON-style map in their order (keys are
/// unique: the parsers reject repeated keys).
#[cfg(feature = "serde")]
pub(crate) fn serialize_pairs<S: serde::Serializer>(
    pairs: &[(String, String)],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = serializer.serialize_map(Some(pairs.len()))?;
    for (key, value) in pairs {
        map.serialize_entry(key, value)?;
    }
    map.end()
}

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

fn hex_digit(nibble: u8) -> char {
    char::from(
        b"0123456789ABCDEF"
            .get(usize::from(nibble))
            .copied()
            .unwrap_or(b'0'),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn splits_pairs() {
        let pairs = query_pairs("pa=a@b&pn=x%20y&am=").unwrap();
        assert_eq!(pairs.len(), 3);
        assert_eq!(
            (pairs[1].offset, pairs[1].key, pairs[1].value),
            (7, "pn", "x%20y")
        );
        assert_eq!(pairs[2].value, "");
        assert_eq!(query_pairs("pa=a&&pn=b"), Err(5));
        assert_eq!(query_pairs("pa=a&pn"), Err(5));
        assert_eq!(query_pairs("=a"), Err(0));
    }

    #[test]
    fn decodes_table() {
        assert_eq!(
            decode("Donation%20for%20project%20xyz").unwrap(),
            "Donation for project xyz"
        );
        assert_eq!(decode("a+b").unwrap(), "a+b");
        assert_eq!(decode("%C3%A9").unwrap(), "é");
        assert_eq!(
            decode("50%").unwrap_err(),
            PercentError::BadEscape { offset: 2 }
        );
        assert_eq!(
            decode("a%zz").unwrap_err(),
            PercentError::BadEscape { offset: 1 }
        );
        assert_eq!(decode("%C3").unwrap_err(), PercentError::InvalidUtf8);
    }

    proptest! {
        #[test]
        fn round_trip(value in "\\PC{0,40}") {
            prop_assert_eq!(decode(&encode_query_value(&value)).unwrap(), value);
        }

        #[test]
        fn decode_never_panics(value in "\\PC{0,40}") {
            let _ = decode(&value);
        }
    }
}
