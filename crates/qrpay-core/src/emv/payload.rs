//! A decoded payload and its typed view.

use super::error::Violation;
use super::object::DataObject;
use crate::money::{Amount, Currency};
use crate::tag::Tag;

/// A decoded EMV MPM payload: every data object in input order, the rules it breaks (tolerant
/// decoding), and typed accessors for the fields EMV defines.
///
/// Decoding borrows the input; [`Payload::into_owned`] gives an [`OwnedPayload`] that keeps
/// its own copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payload<'a> {
    pub(crate) text: &'a str,
    pub(crate) objects: Vec<DataObject<'a>>,
    pub(crate) violations: Vec<Violation>,
    pub(crate) crc: u16,
}

/// Point of initiation method (tag 01).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum PointOfInitiation {
    /// `11`: the same code for every payment; the customer enters the amount.
    Static,
    /// `12`: a code for one payment.
    Dynamic,
}

impl PointOfInitiation {
    /// The two digits tag 01 carries.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            PointOfInitiation::Static => "11",
            PointOfInitiation::Dynamic => "12",
        }
    }
}

/// Tip or convenience fee (tags 55, 56, 57).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TipOrConvenience {
    /// `01`: the app asks the customer for a tip.
    PromptTip,
    /// `02`: a fixed convenience fee (56) in the transaction currency.
    FixedFee(Amount),
    /// `03`: a convenience fee as a percentage of the amount (57), exact to 0.01 percent,
    /// held in hundredths of a percent (`"3.5"` → 350).
    PercentageFee {
        /// Hundredths of a percent, 1 to 9999.
        hundredths: u16,
    },
}

/// The additional data field template (tag 62), field by field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AdditionalData<'p> {
    /// 01 bill number.
    pub bill_number: Option<&'p str>,
    /// 02 mobile number.
    pub mobile_number: Option<&'p str>,
    /// 03 store label.
    pub store_label: Option<&'p str>,
    /// 04 loyalty number.
    pub loyalty_number: Option<&'p str>,
    /// 05 reference label.
    pub reference_label: Option<&'p str>,
    /// 06 customer label.
    pub customer_label: Option<&'p str>,
    /// 07 terminal label.
    pub terminal_label: Option<&'p str>,
    /// 08 purpose of transaction.
    pub purpose_of_transaction: Option<&'p str>,
    /// 09 additional consumer data request (letters A, M, E).
    pub additional_consumer_data_request: Option<&'p str>,
    /// 10 merchant tax id (v1.1).
    pub merchant_tax_id: Option<&'p str>,
    /// 11 merchant channel (v1.1).
    pub merchant_channel: Option<&'p str>,
}

/// Merchant information in an alternate language (tag 64).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LanguageTemplate<'p> {
    /// 00 language preference, ISO 639-1 (`ZH`).
    pub language_preference: Option<&'p str>,
    /// 01 merchant name in that language.
    pub merchant_name: Option<&'p str>,
    /// 02 merchant city in that language.
    pub merchant_city: Option<&'p str>,
}

impl<'a> Payload<'a> {
    /// The payload text as decoded.
    #[must_use]
    pub fn as_str(&self) -> &'a str {
        self.text
    }

    /// The root data objects in input order.
    #[must_use]
    pub fn objects(&self) -> &[DataObject<'a>] {
        &self.objects
    }

    /// Rules the payload breaks (tolerant decoding; always empty after strict decoding).
    #[must_use]
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// The first root object with tag `id` (0–99).
    #[must_use]
    pub fn get(&self, id: u8) -> Option<&DataObject<'a>> {
        Tag::new(id).and_then(|t| self.objects.iter().find(|o| o.tag == t))
    }

    fn value(&self, id: u8) -> Option<&str> {
        self.get(id).map(DataObject::value)
    }

    /// Encodes the payload again. For a decoded payload this is the input, byte for byte.
    #[must_use]
    pub fn encode(&self) -> String {
        let mut out = super::encode::Out::with_capacity(self.text.len());
        for object in &self.objects {
            out.object(object.tag, object.value());
        }
        out.into_string()
    }

    /// A copy that owns its text, to outlive the input.
    #[must_use]
    pub fn into_owned(self) -> OwnedPayload {
        OwnedPayload {
            text: self.text.to_owned(),
            strict: self.violations.is_empty(),
        }
    }

    /// 00 payload format indicator.
    #[must_use]
    pub fn payload_format_indicator(&self) -> Option<&str> {
        self.value(0)
    }

    /// 01 point of initiation method; `None` when absent or not `11`/`12`.
    #[must_use]
    pub fn point_of_initiation(&self) -> Option<PointOfInitiation> {
        match self.value(1)? {
            "11" => Some(PointOfInitiation::Static),
            "12" => Some(PointOfInitiation::Dynamic),
            _ => None,
        }
    }

    /// Merchant account information objects (02–51) in input order.
    pub fn merchant_accounts(&self) -> impl Iterator<Item = &DataObject<'a>> {
        self.objects.iter().filter(|o| o.tag.is_merchant_account())
    }

    /// The merchant account template (26–51) or unreserved template (80–99) whose GUI equals
    /// `gui`, compared case-insensitively (`br.gov.bcb.pix`).
    #[must_use]
    pub fn template_by_gui(&self, gui: &str) -> Option<&DataObject<'a>> {
        self.objects.iter().find(|o| {
            matches!(o.tag.get(), 26..=51 | 80..=99)
                && o.gui().is_some_and(|g| g.eq_ignore_ascii_case(gui))
        })
    }

    /// 52 merchant category code (ISO 18245), four digits.
    #[must_use]
    pub fn merchant_category_code(&self) -> Option<&str> {
        self.value(52)
    }

    /// 53 transaction currency; `None` when absent or not an ISO 4217 numeric code.
    #[must_use]
    pub fn currency(&self) -> Option<Currency> {
        Currency::from_numeric_text(self.value(53)?)
    }

    /// 54 transaction amount as written.
    #[must_use]
    pub fn amount_text(&self) -> Option<&str> {
        self.value(54)
    }

    /// 54 transaction amount as an exact decimal; `None` when absent or malformed.
    #[must_use]
    pub fn amount(&self) -> Option<Amount> {
        Amount::parse(self.value(54)?).ok()
    }

    /// 54 in minor units of the currency (53); `None` when either is absent or they disagree.
    #[must_use]
    pub fn amount_minor(&self) -> Option<u64> {
        self.amount()?.to_minor(self.currency()?.exponent()).ok()
    }

    /// 55–57 tip or convenience fee; `None` when absent or inconsistent.
    #[must_use]
    pub fn tip_or_convenience(&self) -> Option<TipOrConvenience> {
        match self.value(55)? {
            "01" => Some(TipOrConvenience::PromptTip),
            "02" => Amount::parse(self.value(56)?)
                .ok()
                .map(TipOrConvenience::FixedFee),
            "03" => {
                let hundredths = Amount::parse_allow_zero(self.value(57)?)
                    .ok()?
                    .to_minor(2)
                    .ok()?;
                let hundredths = u16::try_from(hundredths)
                    .ok()
                    .filter(|h| (1..=9999).contains(h))?;
                Some(TipOrConvenience::PercentageFee { hundredths })
            }
            _ => None,
        }
    }

    /// 58 country code (ISO 3166-1 alpha-2).
    #[must_use]
    pub fn country_code(&self) -> Option<&str> {
        self.value(58)
    }

    /// 59 merchant name.
    #[must_use]
    pub fn merchant_name(&self) -> Option<&str> {
        self.value(59)
    }

    /// 60 merchant city.
    #[must_use]
    pub fn merchant_city(&self) -> Option<&str> {
        self.value(60)
    }

    /// 61 postal code.
    #[must_use]
    pub fn postal_code(&self) -> Option<&str> {
        self.value(61)
    }

    /// 62 additional data, field by field; `None` when absent or opaque.
    #[must_use]
    pub fn additional_data(&self) -> Option<AdditionalData<'a>> {
        let mut data = AdditionalData::default();
        for child in self.get(62)?.children()? {
            let slot = match child.tag.get() {
                1 => &mut data.bill_number,
                2 => &mut data.mobile_number,
                3 => &mut data.store_label,
                4 => &mut data.loyalty_number,
                5 => &mut data.reference_label,
                6 => &mut data.customer_label,
                7 => &mut data.terminal_label,
                8 => &mut data.purpose_of_transaction,
                9 => &mut data.additional_consumer_data_request,
                10 => &mut data.merchant_tax_id,
                11 => &mut data.merchant_channel,
                _ => continue,
            };
            // The first of duplicates counts, as everywhere else.
            slot.get_or_insert(child.value);
        }
        Some(data)
    }

    /// 64 merchant information in an alternate language; `None` when absent or opaque.
    #[must_use]
    pub fn language_template(&self) -> Option<LanguageTemplate<'a>> {
        let mut language = LanguageTemplate::default();
        for child in self.get(64)?.children()? {
            let slot = match child.tag.get() {
                0 => &mut language.language_preference,
                1 => &mut language.merchant_name,
                2 => &mut language.merchant_city,
                _ => continue,
            };
            slot.get_or_insert(child.value);
        }
        Some(language)
    }

    /// 63 the CRC as a number.
    #[must_use]
    pub fn crc(&self) -> u16 {
        self.crc
    }

    /// 63 the CRC as written (case preserved).
    #[must_use]
    pub fn crc_text(&self) -> &str {
        self.value(63).unwrap_or_default()
    }
}

/// A payload that owns its text: what [`Payload::into_owned`] gives, for keeping a decoded code
/// beyond the life of the buffer it came from (a scan result, a request body).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedPayload {
    text: String,
    strict: bool,
}

impl OwnedPayload {
    /// The payload text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The decoded view, borrowing this copy: the text is decoded again, tolerantly, so
    /// [`Payload::violations`] lists the rules it breaks whichever mode first decoded it.
    /// Decoding again costs about as much as the first time and copies no text.
    ///
    /// # Errors
    /// None in practice: the text decoded before, and the tolerant decoder accepts every payload
    /// the strict one does. The `Result` is kept so that no path through this method can panic.
    pub fn payload(&self) -> Result<Payload<'_>, super::DecodeError> {
        super::Decoder::new().decode(&self.text)
    }

    /// Whether the payload broke no rule when it was decoded.
    #[must_use]
    pub fn was_valid(&self) -> bool {
        self.strict
    }
}
