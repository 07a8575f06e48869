//! Render a payment payload as a QR symbol: PNG, SVG or terminal text.
//!
//! The symbol follows what EMV® QRCPS Merchant-Presented Mode requires of a payment code: the
//! payload is encoded in byte mode only (no numeric, alphanumeric or Kanji segments), preceded by
//! an ECI 000026 (UTF-8) designator when it holds non-ASCII characters, in the smallest version
//! that fits at the caller's error-correction level (default M), and every output keeps a quiet
//! zone of at least four modules.
//!
//! ```
//! use qrpay_core::render::{EccLevel, QrSymbol, RenderOptions};
//!
//! let symbol = QrSymbol::encode("000201010211", EccLevel::M)?;
//! assert_eq!(symbol.version(), 1);
//! let png = symbol.to_png(&RenderOptions::new().module_px(4))?;
//! assert!(png.starts_with(b"\x89PNG"));
//! let svg = symbol.to_svg(&RenderOptions::new())?;
//! assert_eq!(svg.matches("<path").count(), 1);
//! # Ok::<(), qrpay_core::render::RenderError>(())
//! ```

mod font;
mod mask;
mod png;
mod svg;
mod text;

pub use crate::qr::{EccLevel, UnknownEccLevel};
pub use text::TerminalStyle;

use qrcode::bits::Bits;
use qrcode::canvas::{Canvas, MaskPattern};
use qrcode::{Color, EcLevel, Version};

/// The largest payload the renderer accepts, in bytes: the byte-mode capacity of a version 40
/// symbol at level L (ISO/IEC 18004:2015, table 7).
pub const PAYLOAD_LEN_MAX: usize = 2953;
/// The smallest quiet zone, in modules, that a rendering may have (ISO/IEC 18004:2015, 6.3.8).
pub const MARGIN_MIN: usize = 4;
/// The largest margin, in modules, a rendering may ask for.
pub const MARGIN_MAX: usize = 64;
/// The largest module size, in pixels, a PNG rendering may ask for.
pub const MODULE_PX_MAX: usize = 32;
/// The smallest contrast ratio between the dark and light colours, in hundredths (4.5:1, the
/// WCAG 2 ratio for body text, which phone cameras also read reliably).
pub const CONTRAST_X100_MIN: u32 = 450;

/// The eight data masks in mask-reference order (ISO/IEC 18004:2015, table 10).
const MASK_PATTERNS: [MaskPattern; 8] = [
    MaskPattern::Checkerboard,
    MaskPattern::HorizontalLines,
    MaskPattern::VerticalLines,
    MaskPattern::DiagonalLines,
    MaskPattern::LargeCheckerboard,
    MaskPattern::Fields,
    MaskPattern::Diamonds,
    MaskPattern::Meadow,
];

/// ECI assignment number for UTF-8 (AIM ECI specification), required by EMV QRCPS when the
/// payload holds non-ASCII characters.
const ECI_UTF8: u32 = 26;

/// An error while encoding or rendering a QR symbol.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    /// The payload is empty.
    #[error("payload is empty")]
    EmptyPayload,
    /// The payload does not fit in any QR version at the chosen error-correction level.
    #[error("payload of {len} bytes does not fit a qr symbol at ecc level {ecc}: at most {len_max} bytes fit")]
    TooLong {
        /// Payload length in bytes, with the ECI designator counted as 1.5 bytes rounded up.
        len: usize,
        /// The most bytes that fit at this level.
        len_max: usize,
        /// The error-correction level asked for.
        ecc: EccLevel,
    },
    /// The QR encoder refused the data at the version chosen for it.
    #[error("qr encoder failed at version {version} ecc level {ecc}: {reason}")]
    Encoder {
        /// The version the data was encoded at.
        version: u8,
        /// The error-correction level.
        ecc: EccLevel,
        /// What the encoder reported.
        reason: String,
    },
    /// The module size is outside `1..=MODULE_PX_MAX`.
    #[error("module size of {module_px} px is outside 1..={max}", max = MODULE_PX_MAX)]
    ModuleSize {
        /// The module size asked for.
        module_px: usize,
    },
    /// The margin is outside `MARGIN_MIN..=MARGIN_MAX`.
    #[error("margin of {margin} modules is outside {min}..={max}", min = MARGIN_MIN, max = MARGIN_MAX)]
    Margin {
        /// The margin asked for, in modules.
        margin: usize,
    },
    /// The colours are too close for a camera to tell apart, or the dark one is lighter.
    #[error("contrast of dark {dark} on light {light} is {ratio_x100}/100, below {min}/100 (dark must be the darker)", min = CONTRAST_X100_MIN)]
    LowContrast {
        /// The colour of dark modules.
        dark: Rgb,
        /// The colour of light modules and the quiet zone.
        light: Rgb,
        /// The contrast ratio in hundredths (0 when dark is lighter than light).
        ratio_x100: u32,
    },
    /// The caption is wider than the image, even at the smallest text size.
    #[error("caption of {len} characters is too wide: at most {len_max} fit under this code")]
    CaptionTooLong {
        /// Caption length in characters.
        len: usize,
        /// The most characters that fit.
        len_max: usize,
    },
    /// The PNG encoder failed.
    #[error("png encoding failed")]
    Png(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rgb {
    /// Red, 0–255.
    pub r: u8,
    /// Green, 0–255.
    pub g: u8,
    /// Blue, 0–255.
    pub b: u8,
}

impl Rgb {
    /// Black, the default dark colour.
    pub const BLACK: Rgb = Rgb { r: 0, g: 0, b: 0 };
    /// White, the default light colour.
    pub const WHITE: Rgb = Rgb {
        r: 255,
        g: 255,
        b: 255,
    };

    /// Relative luminance in ten-thousandths (WCAG 2 definition, Rec. 709 weights over linear
    /// sRGB), computed in integers.
    fn luminance_x10000(self) -> u32 {
        let lin = |c: u8| u32::from(srgb_to_linear_x10000(c));
        (2126 * lin(self.r) + 7152 * lin(self.g) + 722 * lin(self.b)) / 10_000
    }
}

impl std::fmt::Display for Rgb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "#{:02x}{:02x}{:02x}", self.r, self.g, self.b)
    }
}

/// WCAG 2 contrast ratio of `dark` on `light`, in hundredths; 0 when `dark` is not darker.
#[must_use]
pub fn contrast_x100(dark: Rgb, light: Rgb) -> u32 {
    let l_dark = dark.luminance_x10000();
    let l_light = light.luminance_x10000();
    if l_dark >= l_light {
        return 0;
    }
    // (L1 + 0.05) / (L2 + 0.05), with luminances scaled by 10 000.
    (l_light + 500) * 100 / (l_dark + 500)
}

/// How to draw a symbol: module size, margin, colours and an optional caption.
///
/// ```
/// use qrpay_core::render::{RenderOptions, Rgb};
///
/// let options = RenderOptions::new()
///     .module_px(6)
///     .margin(4)
///     .colours(Rgb { r: 0, g: 0, b: 80 }, Rgb::WHITE)
///     .caption("CORNER CAFE  4.50 EUR");
/// # let _ = options;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderOptions {
    module_px: usize,
    margin: usize,
    dark: Rgb,
    light: Rgb,
    caption: Option<String>,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            module_px: 4,
            margin: MARGIN_MIN,
            dark: Rgb::BLACK,
            light: Rgb::WHITE,
            caption: None,
        }
    }
}

impl RenderOptions {
    /// Black on white, 4 px modules, a 4-module quiet zone, no caption.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Size of one module in pixels (PNG) or user units (SVG); checked when rendering.
    #[must_use]
    pub fn module_px(mut self, module_px: usize) -> Self {
        self.module_px = module_px;
        self
    }

    /// Width of the quiet zone in modules, at least [`MARGIN_MIN`]; checked when rendering.
    #[must_use]
    pub fn margin(mut self, margin: usize) -> Self {
        self.margin = margin;
        self
    }

    /// Colours of dark and light modules; their contrast is checked when rendering.
    #[must_use]
    pub fn colours(mut self, dark: Rgb, light: Rgb) -> Self {
        self.dark = dark;
        self.light = light;
        self
    }

    /// A caption line under the code, such as the merchant name and amount.
    ///
    /// PNG captions use a built-in ASCII font: lower-case letters print as capitals and other
    /// characters without a glyph print as `?`. SVG captions keep the text as it is.
    #[must_use]
    pub fn caption(mut self, caption: impl Into<String>) -> Self {
        self.caption = Some(caption.into());
        self
    }

    fn check(&self) -> Result<(), RenderError> {
        if !(1..=MODULE_PX_MAX).contains(&self.module_px) {
            return Err(RenderError::ModuleSize {
                module_px: self.module_px,
            });
        }
        if !(MARGIN_MIN..=MARGIN_MAX).contains(&self.margin) {
            return Err(RenderError::Margin {
                margin: self.margin,
            });
        }
        let ratio_x100 = contrast_x100(self.dark, self.light);
        if ratio_x100 < CONTRAST_X100_MIN {
            return Err(RenderError::LowContrast {
                dark: self.dark,
                light: self.light,
                ratio_x100,
            });
        }
        Ok(())
    }
}

/// An encoded QR symbol: a square of dark and light modules, without quiet zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrSymbol {
    width: usize,
    /// Row-major, `true` = dark; `width * width` entries.
    dark: Vec<bool>,
    version: u8,
    ecc: EccLevel,
}

impl QrSymbol {
    /// Encode `payload` in byte mode, with an ECI 000026 designator when it is not ASCII, in the
    /// smallest version that fits at `ecc`.
    ///
    /// # Errors
    ///
    /// [`RenderError::EmptyPayload`] for an empty payload, [`RenderError::TooLong`] when it fits
    /// no version, [`RenderError::Encoder`] if the QR encoder refuses it.
    pub fn encode(payload: &str, ecc: EccLevel) -> Result<Self, RenderError> {
        QrSymbol::encode_data(payload.as_bytes(), !payload.is_ascii(), ecc)
    }

    /// Encode raw bytes in byte mode, without an ECI designator, in the smallest version that
    /// fits at `ecc`: for payloads that declare their own character set, such as an EPC code
    /// in ISO 8859 (readers hand such bytes over as they are).
    ///
    /// # Errors
    ///
    /// As [`QrSymbol::encode`].
    pub fn encode_bytes(data: &[u8], ecc: EccLevel) -> Result<Self, RenderError> {
        QrSymbol::encode_data(data, false, ecc)
    }

    fn encode_data(data: &[u8], eci: bool, ecc: EccLevel) -> Result<Self, RenderError> {
        if data.is_empty() {
            return Err(RenderError::EmptyPayload);
        }
        if data.len() > PAYLOAD_LEN_MAX {
            return Err(too_long(data.len(), eci, ecc));
        }
        let version =
            smallest_version(data.len(), eci, ecc).ok_or_else(|| too_long(data.len(), eci, ecc))?;
        let encoder_error = |e: qrcode::types::QrError| RenderError::Encoder {
            version,
            ecc,
            reason: e.to_string(),
        };
        let mut bits = Bits::new(Version::Normal(i16::from(version)));
        if eci {
            bits.push_eci_designator(ECI_UTF8).map_err(encoder_error)?;
        }
        bits.push_byte_data(data).map_err(encoder_error)?;
        bits.push_terminator(to_qrcode(ecc))
            .map_err(encoder_error)?;
        let qr_version = Version::Normal(i16::from(version));
        let (data_codewords, ec_codewords) =
            qrcode::ec::construct_codewords(&bits.into_bytes(), qr_version, to_qrcode(ecc))
                .map_err(encoder_error)?;
        let mut canvas = Canvas::new(qr_version, to_qrcode(ecc));
        canvas.draw_all_functional_patterns();
        canvas.draw_data(&data_codewords, &ec_codewords);
        let width = usize::from(version) * 4 + 17;
        // Score every mask on our own packed matrix (the crate's scoring dominates its encode
        // time), then let the crate draw only the winner.
        let best = mask::best(&canvas, width, ecc.format_bits());
        let pattern = MASK_PATTERNS
            .get(best)
            .copied()
            .unwrap_or(MaskPattern::Checkerboard);
        canvas.apply_mask(pattern);
        let dark: Vec<bool> = canvas
            .into_colors()
            .into_iter()
            .map(|c| c == Color::Dark)
            .collect();
        if dark.len() != width * width {
            return Err(RenderError::Encoder {
                version,
                ecc,
                reason: format!("matrix of {} modules for width {width}", dark.len()),
            });
        }
        Ok(QrSymbol {
            width,
            dark,
            version,
            ecc,
        })
    }

    /// Width (and height) in modules, without quiet zone: `17 + 4 × version`.
    #[must_use]
    pub fn width(&self) -> usize {
        self.width
    }

    /// QR version, 1–40.
    #[must_use]
    pub fn version(&self) -> u8 {
        self.version
    }

    /// Error-correction level.
    #[must_use]
    pub fn ecc(&self) -> EccLevel {
        self.ecc
    }

    /// Whether the module at column `x`, row `y` is dark; `false` outside the symbol (the quiet
    /// zone is light).
    #[must_use]
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        if x >= self.width || y >= self.width {
            return false;
        }
        self.dark.get(y * self.width + x).copied().unwrap_or(false)
    }

    /// Rows of the symbol, top to bottom, each `width()` modules long.
    pub fn rows(&self) -> impl Iterator<Item = &[bool]> {
        self.dark.chunks(self.width.max(1))
    }

    /// Render as a PNG: 1-bit greyscale for black on white, otherwise a 1-bit two-colour
    /// palette; the modules are written straight into PNG rows.
    ///
    /// # Errors
    ///
    /// [`RenderError::ModuleSize`], [`RenderError::Margin`] and [`RenderError::LowContrast`] for
    /// bad options, [`RenderError::CaptionTooLong`] for a caption wider than the image,
    /// [`RenderError::Png`] if the encoder fails.
    pub fn to_png(&self, options: &RenderOptions) -> Result<Vec<u8>, RenderError> {
        options.check()?;
        png::render(self, options)
    }

    /// Render as an SVG document: one `<path>` for all dark modules on a light rectangle, in
    /// module units scaled by the module size, plus a `<text>` caption when asked for.
    ///
    /// # Errors
    ///
    /// [`RenderError::ModuleSize`], [`RenderError::Margin`] and [`RenderError::LowContrast`] for
    /// bad options.
    pub fn to_svg(&self, options: &RenderOptions) -> Result<String, RenderError> {
        options.check()?;
        Ok(svg::render(self, options))
    }

    /// Render as terminal text, two module rows per line with Unicode half blocks.
    ///
    /// # Errors
    ///
    /// [`RenderError::Margin`] for a margin outside `MARGIN_MIN..=MARGIN_MAX`.
    pub fn to_terminal(&self, margin: usize, style: TerminalStyle) -> Result<String, RenderError> {
        if !(MARGIN_MIN..=MARGIN_MAX).contains(&margin) {
            return Err(RenderError::Margin { margin });
        }
        Ok(text::render(self, margin, style))
    }
}

fn to_qrcode(ecc: EccLevel) -> EcLevel {
    match ecc {
        EccLevel::L => EcLevel::L,
        EccLevel::H => EcLevel::H,
        EccLevel::Q => EcLevel::Q,
        _ => EcLevel::M,
    }
}

/// Bits a byte-mode segment of `len` bytes needs at `version`, with an optional ECI header
/// (ISO/IEC 18004:2015, 7.4.2 and table 3): ECI mode (4) + designator (8), mode (4), count (8
/// or 16), data.
fn needed_bits(len: usize, eci: bool, version: u8) -> usize {
    let eci_bits = if eci { 12 } else { 0 };
    let count_bits = if version <= 9 { 8 } else { 16 };
    eci_bits + 4 + count_bits + 8 * len
}

/// The smallest version whose data capacity at `ecc` holds the segment.
fn smallest_version(len: usize, eci: bool, ecc: EccLevel) -> Option<u8> {
    (1..=40u8).find(|&v| {
        Bits::new(Version::Normal(i16::from(v)))
            .max_len(to_qrcode(ecc))
            .is_ok_and(|cap| needed_bits(len, eci, v) <= cap)
    })
}

fn too_long(len: usize, eci: bool, ecc: EccLevel) -> RenderError {
    let cap = Bits::new(Version::Normal(40))
        .max_len(to_qrcode(ecc))
        .unwrap_or(0);
    let len_max = cap.saturating_sub(needed_bits(0, eci, 40)) / 8;
    RenderError::TooLong { len, len_max, ecc }
}

/// sRGB component to linear light, in ten-thousandths (IEC 61966-2-1 transfer function,
/// tabulated so that no float arithmetic runs at render time).
fn srgb_to_linear_x10000(c: u8) -> u16 {
    SRGB_TO_LINEAR_X10000
        .get(usize::from(c))
        .copied()
        .unwrap_or(10_000)
}

#[rustfmt::skip]
const SRGB_TO_LINEAR_X10000: [u16; 256] = [
    0, 3, 6, 9, 12, 15, 18, 21, 24, 27, 30, 33, 37, 40, 44, 48,
    52, 56, 60, 65, 70, 75, 80, 86, 91, 97, 103, 110, 116, 123, 130, 137,
    144, 152, 160, 168, 176, 185, 194, 203, 212, 222, 232, 242, 252, 262, 273, 284,
    296, 307, 319, 331, 343, 356, 369, 382, 395, 409, 423, 437, 452, 467, 482, 497,
    513, 529, 545, 561, 578, 595, 612, 630, 648, 666, 685, 704, 723, 742, 762, 782,
    802, 823, 844, 865, 887, 908, 931, 953, 976, 999, 1022, 1046, 1070, 1095, 1119, 1144,
    1170, 1195, 1221, 1248, 1274, 1301, 1329, 1356, 1384, 1413, 1441, 1470, 1500, 1529, 1559, 1590,
    1620, 1651, 1683, 1714, 1746, 1779, 1812, 1845, 1878, 1912, 1946, 1981, 2016, 2051, 2086, 2122,
    2159, 2195, 2232, 2270, 2307, 2346, 2384, 2423, 2462, 2502, 2542, 2582, 2623, 2664, 2705, 2747,
    2789, 2831, 2874, 2918, 2961, 3005, 3050, 3095, 3140, 3185, 3231, 3278, 3325, 3372, 3419, 3467,
    3515, 3564, 3613, 3663, 3712, 3763, 3813, 3864, 3916, 3968, 4020, 4072, 4125, 4179, 4233, 4287,
    4342, 4397, 4452, 4508, 4564, 4621, 4678, 4735, 4793, 4851, 4910, 4969, 5029, 5089, 5149, 5210,
    5271, 5333, 5395, 5457, 5520, 5583, 5647, 5711, 5776, 5841, 5906, 5972, 6038, 6105, 6172, 6240,
    6308, 6376, 6445, 6514, 6584, 6654, 6724, 6795, 6867, 6939, 7011, 7084, 7157, 7231, 7305, 7379,
    7454, 7529, 7605, 7682, 7758, 7835, 7913, 7991, 8070, 8148, 8228, 8308, 8388, 8469, 8550, 8632,
    8714, 8796, 8879, 8963, 9047, 9131, 9216, 9301, 9387, 9473, 9560, 9647, 9734, 9823, 9911, 10000,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_is_the_smallest_that_fits() {
        // Byte-mode capacities at level M from ISO/IEC 18004:2015 table 7: version 1 holds 14
        // bytes, version 2 holds 26, version 10 holds 213 and version 40 holds 2331.
        for (len, version) in [(14, 1), (15, 2), (26, 2), (27, 3), (213, 10), (2331, 40)] {
            let payload = "A".repeat(len);
            let symbol = QrSymbol::encode(&payload, EccLevel::M).unwrap();
            assert_eq!(symbol.version(), version, "len {len}");
            assert_eq!(symbol.width(), 17 + 4 * usize::from(version));
        }
        assert!(matches!(
            QrSymbol::encode(&"A".repeat(2332), EccLevel::M),
            Err(RenderError::TooLong {
                len: 2332,
                len_max: 2331,
                ecc: EccLevel::M
            })
        ));
        // Level L, version 40: 2953 bytes.
        assert_eq!(
            QrSymbol::encode(&"A".repeat(2953), EccLevel::L)
                .unwrap()
                .version(),
            40
        );
    }

    #[test]
    fn non_ascii_payload_costs_the_eci_header() {
        // Version 1-M holds 128 data bits: 14 ASCII bytes fit (124 bits), 14 bytes of UTF-8 plus
        // the 12-bit ECI header do not (136 bits).
        assert_eq!(
            QrSymbol::encode(&"é".repeat(7), EccLevel::M)
                .unwrap()
                .version(),
            2
        );
        assert_eq!(
            QrSymbol::encode(&"e".repeat(14), EccLevel::M)
                .unwrap()
                .version(),
            1
        );
    }

    #[test]
    fn empty_payload_is_refused() {
        assert!(matches!(
            QrSymbol::encode("", EccLevel::M),
            Err(RenderError::EmptyPayload)
        ));
    }

    #[test]
    fn contrast_matches_wcag() {
        assert_eq!(contrast_x100(Rgb::BLACK, Rgb::WHITE), 2100);
        assert_eq!(contrast_x100(Rgb::WHITE, Rgb::BLACK), 0);
        // #777777 on white is 4.48:1 in WCAG terms: just below the bar.
        let grey = Rgb {
            r: 0x77,
            g: 0x77,
            b: 0x77,
        };
        assert_eq!(contrast_x100(grey, Rgb::WHITE), 447);
        let opts = RenderOptions::new().colours(grey, Rgb::WHITE);
        let symbol = QrSymbol::encode("x", EccLevel::M).unwrap();
        assert!(matches!(
            symbol.to_png(&opts),
            Err(RenderError::LowContrast {
                ratio_x100: 447,
                ..
            })
        ));
        let navy = Rgb {
            r: 0,
            g: 0,
            b: 0x80,
        };
        assert!(symbol
            .to_svg(&RenderOptions::new().colours(navy, Rgb::WHITE))
            .is_ok());
    }

    #[test]
    fn option_bounds_are_checked() {
        let symbol = QrSymbol::encode("x", EccLevel::M).unwrap();
        assert!(matches!(
            symbol.to_png(&RenderOptions::new().margin(3)),
            Err(RenderError::Margin { margin: 3 })
        ));
        assert!(matches!(
            symbol.to_png(&RenderOptions::new().module_px(0)),
            Err(RenderError::ModuleSize { module_px: 0 })
        ));
        assert!(matches!(
            symbol.to_terminal(2, TerminalStyle::default()),
            Err(RenderError::Margin { margin: 2 })
        ));
    }

    #[test]
    fn is_dark_outside_is_light() {
        let symbol = QrSymbol::encode("x", EccLevel::H).unwrap();
        // Finder pattern corner is dark; outside the symbol is quiet zone.
        assert!(symbol.is_dark(0, 0));
        assert!(!symbol.is_dark(7, 0));
        assert!(!symbol.is_dark(21, 0));
        assert!(!symbol.is_dark(usize::MAX, usize::MAX));
        assert_eq!(symbol.rows().count(), 21);
    }
}
