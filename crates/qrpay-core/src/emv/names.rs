//! Human names of data objects, for listings and messages.

use crate::tag::{Tag, TagPath};

/// The name EMV QRCPS MPM gives the object at `path`, or a description of its range
/// (`reserved (RFU)`, `payment network specific`); empty where EMV says nothing: inside a
/// sub-object of a merchant account or unreserved template (`26.01.00`, `80.01.00`), which is
/// the network's own, and below a primitive (`59.01`).
///
/// ```
/// use qrpay_core::{emv::field_name, TagPath};
/// assert_eq!(field_name("62.05".parse::<TagPath>()?), "reference label");
/// assert_eq!(field_name("29.00".parse::<TagPath>()?), "globally unique identifier");
/// # Ok::<(), qrpay_core::tag::InvalidTag>(())
/// ```
#[must_use]
pub fn field_name(path: TagPath) -> &'static str {
    let mut tags = path.tags().map(Tag::get);
    match (tags.next(), tags.next(), tags.next()) {
        (None, _, _) => "payload",
        (Some(0), None, _) => "payload format indicator",
        (Some(1), None, _) => "point of initiation method",
        (Some(2..=3), None, _) => "merchant account (Visa)",
        (Some(4..=5), None, _) => "merchant account (Mastercard)",
        (Some(6..=8 | 17..=25), None, _) => "merchant account (EMVCo reserved)",
        (Some(9..=10), None, _) => "merchant account (Discover)",
        (Some(11..=12), None, _) => "merchant account (Amex)",
        (Some(13..=14), None, _) => "merchant account (JCB)",
        (Some(15..=16), None, _) => "merchant account (UnionPay)",
        (Some(26..=51), None, _) => "merchant account template",
        (Some(52), None, _) => "merchant category code",
        (Some(53), None, _) => "transaction currency",
        (Some(54), None, _) => "transaction amount",
        (Some(55), None, _) => "tip or convenience indicator",
        (Some(56), None, _) => "convenience fee fixed",
        (Some(57), None, _) => "convenience fee percentage",
        (Some(58), None, _) => "country code",
        (Some(59), None, _) => "merchant name",
        (Some(60), None, _) => "merchant city",
        (Some(61), None, _) => "postal code",
        (Some(62), None, _) => "additional data",
        (Some(63), None, _) => "crc",
        (Some(64), None, _) => "merchant information (language)",
        (Some(65..=79), None, _) => "reserved (RFU)",
        (Some(80..=99), None, _) => "unreserved template",
        (Some(26..=51 | 80..=99), Some(0), None) => "globally unique identifier",
        (Some(26..=51), Some(_), None) => "payment network specific",
        (Some(80..=99), Some(_), None) => "context specific data",
        (Some(62), Some(1), None) => "bill number",
        (Some(62), Some(2), None) => "mobile number",
        (Some(62), Some(3), None) => "store label",
        (Some(62), Some(4), None) => "loyalty number",
        (Some(62), Some(5), None) => "reference label",
        (Some(62), Some(6), None) => "customer label",
        (Some(62), Some(7), None) => "terminal label",
        (Some(62), Some(8), None) => "purpose of transaction",
        (Some(62), Some(9), None) => "consumer data request",
        (Some(62), Some(10), None) => "merchant tax id",
        (Some(62), Some(11), None) => "merchant channel",
        (Some(62), Some(0 | 12..=49), None) => "reserved (RFU)",
        (Some(62), Some(50..=99), None) => "payment system specific template",
        (Some(62), Some(50..=99), Some(0)) => "globally unique identifier",
        (Some(62), Some(50..=99), Some(_)) => "payment system specific",
        (Some(64), Some(0), None) => "language preference",
        (Some(64), Some(1), None) => "merchant name (alternate language)",
        (Some(64), Some(2), None) => "merchant city (alternate language)",
        (Some(64), Some(3..=99), None) => "reserved (RFU)",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(path: &str) -> &'static str {
        field_name(path.parse().unwrap())
    }

    #[test]
    fn reserved_ids_are_named_as_reserved() {
        for path in ["62.00", "62.12", "62.49", "64.03", "64.99", "65", "79"] {
            assert_eq!(name(path), "reserved (RFU)", "{path}");
        }
        assert_eq!(name("62.11"), "merchant channel");
        assert_eq!(name("62.50"), "payment system specific template");
        assert_eq!(name("62.50.00"), "globally unique identifier");
        assert_eq!(name("62.99.07"), "payment system specific");
        assert_eq!(name("26.01"), "payment network specific");
        assert_eq!(name("91.07"), "context specific data");
        assert_eq!(name("64.02"), "merchant city (alternate language)");
        // Inside a network's sub-object, or below a primitive, EMV defines nothing.
        for path in ["26.01.00", "80.01.00", "59.01", "62.01.00"] {
            assert_eq!(name(path), "", "{path}");
        }
    }
}
