//! The JSON shape of a decoded payload (`qrpay decode --json`), behind the `serde` feature.
//!
//! Keys are a contract other tools rely on: `format`, `objects` (the raw tree in input order),
//! one key per EMV field (null when absent; the first object of a tag that appears twice),
//! `merchant_account_information` (each merchant account's tag to its value, or to its
//! sub-objects' values by sub-tag), `crc` and `violations`. `qrpay decode --json`
//! serialises an [`crate::any::AnyPayload`], which adds `schemes` and `profiles` after `format`.

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

use super::error::Violation;
use super::object::DataObject;
use super::payload::Payload;

/// A sequence of objects, serialised from any cloneable iterator (the root slice, or the walk of
/// a template's inside).
struct Objects<I>(I);

impl<'a, I> Serialize for Objects<I>
where
    I: Iterator<Item = DataObject<'a>> + Clone,
{
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        for object in self.0.clone() {
            seq.serialize_element(&ObjectJson(&object))?;
        }
        seq.end()
    }
}

struct ObjectJson<'o, 'a>(&'o DataObject<'a>);

impl Serialize for ObjectJson<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let o = self.0;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("tag", &o.tag().to_string())?;
        map.serialize_entry("value", o.value())?;
        if let Some(children) = o.children() {
            map.serialize_entry("objects", &Objects(children))?;
        }
        map.end()
    }
}

impl Serialize for Violation {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(4))?;
        map.serialize_entry("code", self.code())?;
        map.serialize_entry("path", &self.path.to_string())?;
        map.serialize_entry("offset", &self.offset)?;
        map.serialize_entry("message", &self.rule.to_string())?;
        map.end()
    }
}

/// The merchant accounts (02–51) as a map from tag to value, or, for a template that parses,
/// to a map from sub-tag to value; the first object of each tag, as every field key takes the
/// first, so that no key is written twice.
struct Accounts<'o, 'a>(&'o [DataObject<'a>]);

impl Serialize for Accounts<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        let mut seen = 0u128;
        for object in self.0.iter().filter(|o| o.tag().is_merchant_account()) {
            if first_of_tag(&mut seen, object) {
                match object.children() {
                    Some(children) => {
                        map.serialize_entry(&object.tag().to_string(), &SubObjects(children))?
                    }
                    None => map.serialize_entry(&object.tag().to_string(), object.value())?,
                }
            }
        }
        map.end()
    }
}

/// A template's sub-objects as a map from sub-tag to value, the first of each sub-tag.
struct SubObjects<I>(I);

impl<'a, I> Serialize for SubObjects<I>
where
    I: Iterator<Item = DataObject<'a>> + Clone,
{
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        let mut seen = 0u128;
        for object in self.0.clone() {
            if first_of_tag(&mut seen, &object) {
                map.serialize_entry(&object.tag().to_string(), object.value())?;
            }
        }
        map.end()
    }
}

/// Whether `object` is the first of its tag in `seen`, which it then joins.
fn first_of_tag(seen: &mut u128, object: &DataObject<'_>) -> bool {
    let bit = 1u128 << object.tag().get();
    let first = *seen & bit == 0;
    *seen |= bit;
    first
}

struct Additional<'p>(super::payload::AdditionalData<'p>);

impl Serialize for Additional<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let a = &self.0;
        let mut map = s.serialize_map(Some(11))?;
        map.serialize_entry("bill_number", &a.bill_number)?;
        map.serialize_entry("mobile_number", &a.mobile_number)?;
        map.serialize_entry("store_label", &a.store_label)?;
        map.serialize_entry("loyalty_number", &a.loyalty_number)?;
        map.serialize_entry("reference_label", &a.reference_label)?;
        map.serialize_entry("customer_label", &a.customer_label)?;
        map.serialize_entry("terminal_label", &a.terminal_label)?;
        map.serialize_entry("purpose_of_transaction", &a.purpose_of_transaction)?;
        map.serialize_entry(
            "additional_consumer_data_request",
            &a.additional_consumer_data_request,
        )?;
        map.serialize_entry("merchant_tax_id", &a.merchant_tax_id)?;
        map.serialize_entry("merchant_channel", &a.merchant_channel)?;
        map.end()
    }
}

struct Language<'p>(super::payload::LanguageTemplate<'p>);

impl Serialize for Language<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let l = &self.0;
        let mut map = s.serialize_map(Some(3))?;
        map.serialize_entry("language_preference", &l.language_preference)?;
        map.serialize_entry("merchant_name", &l.merchant_name)?;
        map.serialize_entry("merchant_city", &l.merchant_city)?;
        map.end()
    }
}

impl Payload<'_> {
    /// Writes every key of the JSON contract into `map`, for embedding in a larger object.
    ///
    /// # Errors
    /// Whatever the serializer reports.
    pub fn serialize_fields<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {
        let value = |id: u8| self.get(id).map(DataObject::value);
        map.serialize_entry("objects", &Objects(self.objects().iter().copied()))?;
        map.serialize_entry("payload_format_indicator", &value(0))?;
        map.serialize_entry("point_of_initiation_method", &value(1))?;
        let accounts = self.objects().iter().any(|o| o.tag().is_merchant_account());
        map.serialize_entry(
            "merchant_account_information",
            &accounts.then_some(Accounts(self.objects())),
        )?;
        map.serialize_entry("merchant_category_code", &value(52))?;
        map.serialize_entry("transaction_currency", &value(53))?;
        map.serialize_entry(
            "transaction_currency_alpha",
            &self.currency().map(|c| c.alpha()),
        )?;
        map.serialize_entry("transaction_amount", &value(54))?;
        map.serialize_entry("transaction_amount_minor", &self.amount_minor())?;
        map.serialize_entry("tip_or_convenience_indicator", &value(55))?;
        map.serialize_entry("convenience_fee_fixed", &value(56))?;
        map.serialize_entry("convenience_fee_percentage", &value(57))?;
        map.serialize_entry("country_code", &value(58))?;
        map.serialize_entry("merchant_name", &value(59))?;
        map.serialize_entry("merchant_city", &value(60))?;
        map.serialize_entry("postal_code", &value(61))?;
        map.serialize_entry("additional_data", &self.additional_data().map(Additional))?;
        map.serialize_entry(
            "merchant_information_language",
            &self.language_template().map(Language),
        )?;
        map.serialize_entry("crc", self.crc_text())?;
        map.serialize_entry("violations", self.violations())?;
        Ok(())
    }
}

impl Serialize for Payload<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("format", "emv-mpm")?;
        self.serialize_fields(&mut map)?;
        map.end()
    }
}
