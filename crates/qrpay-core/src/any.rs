//! One entry point for every payment-QR format: detect, then decode.

use crate::emv::{DecodeError, Payload};
use crate::{bip21, cpm, epc, spayd, swiss, upi};

/// A decoded payment QR payload of any supported format.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AnyPayload<'a> {
    /// EMV® QRCPS merchant-presented mode (Pix, QRIS, PromptPay, …).
    EmvMpm(Payload<'a>),
    /// EMV® QRCPS consumer-presented mode (base64 BER-TLV).
    EmvCpm(cpm::Cpm),
    /// EPC069-12 SEPA credit transfer ("GiroCode").
    Epc(epc::Epc),
    /// Swiss QR-bill.
    SwissQrBill(swiss::SwissQrBill),
    /// UPI payment link (`upi://pay?…`).
    Upi(upi::Upi),
    /// Czech Short Payment Descriptor (`SPD*1.0*…`).
    Spayd(spayd::Spayd),
    /// BIP21 bitcoin payment URI.
    Bip21(bip21::Bip21),
}

/// The format of a payload, as named in JSON (`qrpay decode --json` key `format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// `emv-mpm`.
    EmvMpm,
    /// `emv-cpm`.
    EmvCpm,
    /// `epc`.
    Epc,
    /// `swiss-qr-bill`.
    SwissQrBill,
    /// `upi`.
    Upi,
    /// `spayd`.
    Spayd,
    /// `bip21`.
    Bip21,
}

impl Format {
    /// The name used in JSON and on the command line.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Format::EmvMpm => "emv-mpm",
            Format::EmvCpm => "emv-cpm",
            Format::Epc => "epc",
            Format::SwissQrBill => "swiss-qr-bill",
            Format::Upi => "upi",
            Format::Spayd => "spayd",
            Format::Bip21 => "bip21",
        }
    }

    /// The format whose markers `text` carries, if any. EMV MPM is recognised by its leading
    /// digits, so a payload of another format is never mistaken for it.
    #[must_use]
    pub fn detect(text: &str) -> Option<Format> {
        if cpm::looks_like(text) {
            Some(Format::EmvCpm)
        } else if epc::looks_like(text) {
            Some(Format::Epc)
        } else if swiss::looks_like(text) {
            Some(Format::SwissQrBill)
        } else if upi::looks_like(text) {
            Some(Format::Upi)
        } else if spayd::looks_like(text) {
            Some(Format::Spayd)
        } else if bip21::looks_like(text) {
            Some(Format::Bip21)
        } else if text.as_bytes().first().is_some_and(u8::is_ascii_digit) {
            Some(Format::EmvMpm)
        } else {
            None
        }
    }
}

impl core::fmt::Display for Format {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why [`decode_any`] refused a payload: the format it looked like, and that format's error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AnyError {
    /// No supported format's markers.
    #[error(
        "not a payment QR payload of a supported format (EMV MPM/CPM, EPC, Swiss QR-bill, UPI, \
         SPAYD, BIP21)"
    )]
    UnknownFormat,
    /// Characters that a copy, a quote or a file put before a payload: a byte-order mark, white
    /// space or quote marks, after which the text carries a known format's markers
    /// ([`Format::detect`]; for EMV MPM only a leading digit, so the rest may still not decode).
    /// Nothing is stripped silently, since the payload's offsets and CRC cover exactly what it
    /// holds.
    #[error(
        "{found:?} before the payload (format {looks_like}) at byte {offset}; a payload starts at \
         its first character"
    )]
    LeadingText {
        /// The characters before the payload (the first 8, then `…`).
        found: String,
        /// Byte offset where the payload starts.
        offset: usize,
        /// The format the rest looks like.
        looks_like: Format,
    },
    /// Raw bytes that are not UTF-8 and not an EPC payload (the one format that declares an
    /// 8-bit character set).
    #[error("payload bytes are not utf-8 text (byte {offset}) and declare no other character set")]
    NotText {
        /// Offset of the first byte that breaks UTF-8.
        offset: usize,
    },
    /// An EMV MPM payload that does not decode.
    #[error(transparent)]
    EmvMpm(#[from] DecodeError),
    /// An EMV CPM payload that does not decode.
    #[error("emv-cpm: {0}")]
    EmvCpm(#[from] cpm::CpmError),
    /// An EPC payload that does not decode.
    #[error("epc: {0}")]
    Epc(#[from] epc::EpcError),
    /// A Swiss QR-bill that does not decode.
    #[error("swiss-qr-bill: {0}")]
    SwissQrBill(#[from] swiss::SwissQrError),
    /// A UPI link that does not decode.
    #[error("upi: {0}")]
    Upi(#[from] upi::UpiError),
    /// A SPAYD payload that does not decode.
    #[error("spayd: {0}")]
    Spayd(#[from] spayd::SpaydError),
    /// A BIP21 URI that does not decode.
    #[error("bip21: {0}")]
    Bip21(#[from] bip21::Bip21Error),
}

impl AnyError {
    /// The format the payload was taken for, `None` when none matched.
    #[must_use]
    pub fn format(&self) -> Option<Format> {
        match self {
            AnyError::UnknownFormat | AnyError::LeadingText { .. } | AnyError::NotText { .. } => {
                None
            }
            AnyError::EmvMpm(_) => Some(Format::EmvMpm),
            AnyError::EmvCpm(_) => Some(Format::EmvCpm),
            AnyError::Epc(_) => Some(Format::Epc),
            AnyError::SwissQrBill(_) => Some(Format::SwissQrBill),
            AnyError::Upi(_) => Some(Format::Upi),
            AnyError::Spayd(_) => Some(Format::Spayd),
            AnyError::Bip21(_) => Some(Format::Bip21),
        }
    }
}

impl AnyPayload<'_> {
    /// The payload's format.
    #[must_use]
    pub fn format(&self) -> Format {
        match self {
            AnyPayload::EmvMpm(_) => Format::EmvMpm,
            AnyPayload::EmvCpm(_) => Format::EmvCpm,
            AnyPayload::Epc(_) => Format::Epc,
            AnyPayload::SwissQrBill(_) => Format::SwissQrBill,
            AnyPayload::Upi(_) => Format::Upi,
            AnyPayload::Spayd(_) => Format::Spayd,
            AnyPayload::Bip21(_) => Format::Bip21,
        }
    }
}

/// Detects the format of `text` and decodes it (EMV MPM tolerantly; see
/// [`crate::emv::Decoder`] for strict decoding).
///
/// ```
/// use qrpay_core::any::{decode_any, AnyPayload, Format};
///
/// let pix = "00020126510014br.gov.bcb.pix0115thalesog@me.com0210Pedido 123520400005303986540510.005802BR5914THALES OGLIARI6015SAO MIGUEL DO O62070503***63040DC6";
/// assert_eq!(decode_any(pix)?.format(), Format::EmvMpm);
/// let upi = "upi://pay?pa=merchant@bank&pn=Shop&am=10.00&cu=INR";
/// assert!(matches!(decode_any(upi)?, AnyPayload::Upi(_)));
/// # Ok::<(), qrpay_core::any::AnyError>(())
/// ```
///
/// # Errors
/// [`AnyError::LeadingText`] when a byte-order mark, white space or quote marks come before a
/// payload, [`AnyError::UnknownFormat`] when no format matches, otherwise the matched format's
/// error.
pub fn decode_any(text: &str) -> Result<AnyPayload<'_>, AnyError> {
    Ok(match Format::detect(text).ok_or_else(|| unknown(text))? {
        Format::EmvMpm => AnyPayload::EmvMpm(crate::emv::decode(text)?),
        Format::EmvCpm => AnyPayload::EmvCpm(cpm::parse(text)?),
        Format::Epc => AnyPayload::Epc(epc::parse(text)?),
        Format::SwissQrBill => AnyPayload::SwissQrBill(swiss::parse(text)?),
        Format::Upi => AnyPayload::Upi(upi::parse(text)?),
        Format::Spayd => AnyPayload::Spayd(spayd::parse(text)?),
        Format::Bip21 => AnyPayload::Bip21(bip21::parse(text)?),
    })
}

/// Why no format matched `text`: characters that commonly wrap a copied payload before one
/// ([`AnyError::LeadingText`]), or none at all.
fn unknown(text: &str) -> AnyError {
    let wrapper = |c: char| {
        c == '\u{FEFF}'
            || c.is_whitespace()
            || matches!(c, '"' | '\'' | '`' | '“' | '”' | '‘' | '’')
    };
    let rest = text.trim_start_matches(wrapper);
    let offset = text.len() - rest.len();
    match Format::detect(rest) {
        Some(looks_like) if offset > 0 => AnyError::LeadingText {
            found: crate::emv::decode::excerpt(text.get(..offset).unwrap_or_default()),
            offset,
            looks_like,
        },
        _ => AnyError::UnknownFormat,
    }
}

/// Detects the format of the bytes a QR code carries and decodes them.
///
/// Every format is UTF-8 text except EPC069-12, whose line 3 may declare an ISO 8859 set:
/// those bytes are decoded in the declared set ([`epc::parse_bytes`]); all others must be
/// UTF-8 and go to [`decode_any`]. Use this rather than a reader's own guess at the text
/// encoding, which cannot know the EPC declaration.
///
/// ```
/// use qrpay_core::any::{decode_any_bytes, AnyPayload};
///
/// // An EPC payload in ISO 8859-15 (set 8): "Café €" with é = E9 and € = A4.
/// let mut bytes = b"BCD\n002\n8\nSCT\n\nCaf".to_vec();
/// bytes.extend_from_slice(&[0xE9, b' ', 0xA4]);
/// bytes.extend_from_slice(b"\nFR7630006000011234567890189");
/// let AnyPayload::Epc(epc) = decode_any_bytes(&bytes)? else { unreachable!() };
/// assert_eq!(epc.name(), "Café €");
/// # Ok::<(), qrpay_core::any::AnyError>(())
/// ```
///
/// # Errors
/// [`AnyError::NotText`] for bytes that are neither UTF-8 nor EPC, otherwise as
/// [`decode_any`].
pub fn decode_any_bytes(bytes: &[u8]) -> Result<AnyPayload<'_>, AnyError> {
    if bytes.starts_with(b"BCD\n") || bytes.starts_with(b"BCD\r\n") {
        return Ok(AnyPayload::Epc(epc::parse_bytes(bytes)?));
    }
    match core::str::from_utf8(bytes) {
        Ok(text) => decode_any(text),
        Err(e) => Err(AnyError::NotText {
            offset: e.valid_up_to(),
        }),
    }
}

#[cfg(feature = "serde")]
mod json {
    use serde::ser::{Serialize, SerializeMap, Serializer};

    use super::AnyPayload;
    use crate::schemes;

    impl Serialize for AnyPayload<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut map = s.serialize_map(None)?;
            map.serialize_entry("format", self.format().as_str())?;
            match self {
                AnyPayload::EmvMpm(p) => {
                    let found = schemes::detect(p);
                    let ids: Vec<&str> = found.iter().map(|f| f.id.as_str()).collect();
                    map.serialize_entry("schemes", &ids)?;
                    map.serialize_entry("profiles", &found)?;
                    p.serialize_fields(&mut map)?;
                }
                // Other formats: their fields under a key named after the format.
                AnyPayload::EmvCpm(v) => {
                    map.serialize_entry("schemes", &[] as &[&str])?;
                    map.serialize_entry("emv_cpm", v)?;
                }
                AnyPayload::Epc(v) => {
                    map.serialize_entry("schemes", &[] as &[&str])?;
                    map.serialize_entry("epc", v)?;
                }
                AnyPayload::SwissQrBill(v) => {
                    map.serialize_entry("schemes", &[] as &[&str])?;
                    map.serialize_entry("swiss_qr_bill", v)?;
                }
                AnyPayload::Upi(v) => {
                    map.serialize_entry("schemes", &["upi"])?;
                    map.serialize_entry("upi", v)?;
                }
                AnyPayload::Spayd(v) => {
                    map.serialize_entry("schemes", &[] as &[&str])?;
                    map.serialize_entry("spayd", v)?;
                }
                AnyPayload::Bip21(v) => {
                    map.serialize_entry("schemes", &[] as &[&str])?;
                    map.serialize_entry("bip21", v)?;
                }
            }
            map.end()
        }
    }
}
