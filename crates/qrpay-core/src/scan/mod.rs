//! Find and read every QR code in an image: encoded image bytes (PNG, JPEG, WebP, GIF, BMP,
//! TIFF) or raw greyscale pixels.
//!
//! Limits come first: the image header is read and its dimensions checked before any pixel is
//! decoded, and large images are shrunk to a bounded working size. The whole reader is our own:
//! local-threshold binarisation, finder-pattern search along rows and columns, perspective
//! from the finders' edges and the alignment patterns (a lattice of them on large symbols),
//! grey-level resampling, light-on-dark codes, several codes per image, then Reed–Solomon
//! correction and segment decoding (numeric, alphanumeric, byte, kanji, ECI, GS1) of the
//! module grid, for Model 2 symbols and the older Model 1. No dependency sees the pixels or the grid (`rqrr`, which can panic or run for
//! minutes on some photos, only cross-checks the decoder in tests), and every stage is bounded
//! by the working-image size and a budget of grid decodes.
//!
//! ```
//! # #[cfg(feature = "render")] {
//! use qrpay_core::render::{EccLevel, QrSymbol, RenderOptions};
//! use qrpay_core::scan::Scanner;
//!
//! let png = QrSymbol::encode("00020101021153039785802FR", EccLevel::M)?
//!     .to_png(&RenderOptions::new().module_px(3))?;
//! let codes = Scanner::new().scan_bytes(&png)?;
//! assert_eq!(codes[0].text(), "00020101021153039785802FR");
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod binarize;
mod decode;
mod finder;
mod geometry;
mod sampler;
mod warp;

pub use crate::qr::EccLevel;

use binarize::{BitImage, Gray};
use geometry::{Pt, SUB};

/// Largest number of pixels an image may have; larger ones are refused before decoding.
pub const PIXELS_MAX: u64 = 40_000_000;
/// Largest width or height of an image.
pub const SIDE_MAX: u32 = 16_384;
/// Largest encoded image accepted, in bytes.
pub const ENCODED_LEN_MAX: usize = 64 * 1024 * 1024;
/// Images are shrunk until their longer side is at most this many pixels before detection.
pub const WORK_SIDE_MAX: usize = 1280;
/// Images whose longer side is below this are enlarged before detection (one-pixel modules).
const WORK_SIDE_MIN: usize = 320;
/// Finder candidates considered for grouping into symbols.
const GROUP_FINDERS_MAX: usize = 12;
/// Finder triples tried per binarisation pass.
const ATTEMPTS_MAX: usize = 40;
/// Grid work per image over all passes, in samplings of a version-1 grid (error correction
/// counts four): bounds the time spent on an image whatever it shows.
const WORK_UNITS_MAX: usize = 3000;
/// Memory the image decoder may allocate.
const DECODER_ALLOC_MAX: u64 = 512 * 1024 * 1024;

/// An error while scanning an image.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ScanError {
    /// The encoded image is larger than [`ENCODED_LEN_MAX`].
    #[error("encoded image of {len} bytes exceeds the limit of {len_max} bytes")]
    InputTooLong {
        /// Input length in bytes.
        len: usize,
        /// The limit.
        len_max: usize,
    },
    /// The image is wider, taller or larger than the limits.
    #[error("image of {width}x{height} pixels exceeds the limits ({side_max} px a side, {pixels_max} pixels)")]
    TooLarge {
        /// Width in pixels, from the header.
        width: u32,
        /// Height in pixels, from the header.
        height: u32,
        /// Side limit.
        side_max: u32,
        /// Pixel-count limit.
        pixels_max: u64,
    },
    /// The image has no pixels.
    #[error("image of {width}x{height} pixels is empty")]
    Empty {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
    },
    /// The bytes are not an image in a format we read.
    #[error("image format not recognised (expected png, jpeg, webp, gif, bmp or tiff)")]
    UnknownFormat,
    /// The image decoder failed.
    #[error("image could not be decoded: {reason}")]
    Decode {
        /// What the decoder reported.
        reason: String,
    },
    /// Raw pixels do not match the stated dimensions.
    #[error("{len} bytes of greyscale pixels do not match {width}x{height}")]
    PixelCount {
        /// Bytes given.
        len: usize,
        /// Stated width.
        width: u32,
        /// Stated height.
        height: u32,
    },
}

/// A pixel position in the scanned image; may lie outside it for a code cut by the border.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Point {
    /// Column, pixels from the left.
    pub x: i32,
    /// Row, pixels from the top.
    pub y: i32,
}

/// The QR model a symbol follows. Model 1, the original design (no alignment patterns, its
/// own codeword placement and block tables, format information under another mask), was kept
/// in ISO/IEC 18004:2000 beside Model 2 and still turns up on old prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum QrModel {
    /// Model 1 (versions 1–14).
    One,
    /// Model 2, every QR code printed today (versions 1–40).
    Two,
}

/// The character set a code's text was read in.
///
/// An ECI designator in the symbol names the set (ISO/IEC 18004:2015, 7.4.3) and is honoured
/// when the bytes decode in it without error. Without one (or when the declared set does not
/// fit the bytes: generators get it wrong) the set is inferred: UTF-8 when the bytes are valid
/// UTF-8 (EMV payloads must be), else Shift_JIS when they decode as such (Kanji mode and
/// Japanese byte-mode codes), else ISO-8859-1, the default of ISO/IEC 18004.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Charset {
    /// UTF-8.
    Utf8,
    /// Shift_JIS.
    ShiftJis,
    /// ISO-8859-1.
    Latin1,
    /// Another set an ECI designator named, by its assignment number: 4 to 18 are the other
    /// parts of ISO/IEC 8859 (4 is 8859-2, 18 is 8859-16), 21 to 24 Windows-1250, -1251, -1252
    /// and -1256, 25 UTF-16BE, 27 ASCII, 28 Big5, 29 and 32 GB 18030, 30 EUC-KR.
    Eci(u32),
}

/// The set's name in `scan --json` and other output: `utf8`, `shiftjis`, `latin1`, or for a
/// set an ECI designator named, its registered name in lower case (`iso-8859-2`,
/// `windows-1251`), `eci-N` for an assignment number without one here.
impl core::fmt::Display for Charset {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let name = match self {
            Charset::Utf8 => "utf8",
            Charset::ShiftJis => "shiftjis",
            Charset::Latin1 => "latin1",
            Charset::Eci(eci) => match eci {
                4 => "iso-8859-2",
                5 => "iso-8859-3",
                6 => "iso-8859-4",
                7 => "iso-8859-5",
                8 => "iso-8859-6",
                9 => "iso-8859-7",
                10 => "iso-8859-8",
                11 => "iso-8859-9",
                12 => "iso-8859-10",
                13 => "iso-8859-11",
                15 => "iso-8859-13",
                16 => "iso-8859-14",
                17 => "iso-8859-15",
                18 => "iso-8859-16",
                21 => "windows-1250",
                22 => "windows-1251",
                23 => "windows-1252",
                24 => "windows-1256",
                25 => "utf-16be",
                27 => "us-ascii",
                28 => "big5",
                29 | 32 => "gb18030",
                30 => "euc-kr",
                other => return write!(f, "eci-{other}"),
            },
        };
        f.write_str(name)
    }
}

/// How the text of the bytes an ECI designator covers is read, for the assignment numbers we
/// know (AIM ECI specification); `None` for others, whose bytes are read by inference.
fn eci_charset(eci: u32) -> Option<(Charset, Option<&'static encoding_rs::Encoding>)> {
    use encoding_rs as e;
    let encoding = match eci {
        1 | 3 => return Some((Charset::Latin1, None)),
        26 => return Some((Charset::Utf8, None)),
        20 => return Some((Charset::ShiftJis, Some(e::SHIFT_JIS))),
        4 => e::ISO_8859_2,
        5 => e::ISO_8859_3,
        6 => e::ISO_8859_4,
        7 => e::ISO_8859_5,
        8 => e::ISO_8859_6,
        9 => e::ISO_8859_7,
        10 => e::ISO_8859_8,
        // 8859-9 and 8859-11 are the Windows sets without their 0x80-0x9F additions.
        11 => e::WINDOWS_1254,
        12 => e::ISO_8859_10,
        13 => e::WINDOWS_874,
        15 => e::ISO_8859_13,
        16 => e::ISO_8859_14,
        17 => e::ISO_8859_15,
        18 => e::ISO_8859_16,
        21 => e::WINDOWS_1250,
        22 => e::WINDOWS_1251,
        // ASCII is Windows-1252's lower half; bytes above it are an error there anyway.
        23 | 27 => e::WINDOWS_1252,
        24 => e::WINDOWS_1256,
        25 => e::UTF_16BE,
        28 => e::BIG5,
        29 | 32 => e::GB18030,
        30 => e::EUC_KR,
        _ => return None,
    };
    Some((Charset::Eci(eci), Some(encoding)))
}

/// The text of `bytes` in the set the ECI designators (byte offset, assignment number) name,
/// run by run, when every run decodes cleanly; otherwise inferred from the bytes alone. The
/// set reported is the first designator's.
fn decode_text(bytes: &[u8], ecis: &[(usize, u32)]) -> (String, Charset) {
    declared_text(bytes, ecis).unwrap_or_else(|| inferred_text(bytes))
}

fn declared_text(bytes: &[u8], ecis: &[(usize, u32)]) -> Option<(String, Charset)> {
    let &(first_at, first_eci) = ecis.first()?;
    let (charset, _) = eci_charset(first_eci)?;
    // Bytes before the first designator are in the default set, read like undeclared ones.
    let mut text = inferred_text(bytes.get(..first_at)?).0;
    for (i, &(at, eci)) in ecis.iter().enumerate() {
        let end = ecis.get(i + 1).map_or(bytes.len(), |&(next, _)| next);
        let run = bytes.get(at..end)?;
        match eci_charset(eci)? {
            (Charset::Utf8, _) => text.push_str(std::str::from_utf8(run).ok()?),
            (Charset::Latin1, _) => text.extend(run.iter().map(|&b| char::from(b))),
            (_, Some(encoding)) => {
                let (decoded, had_errors) = encoding.decode_without_bom_handling(run);
                if had_errors {
                    return None;
                }
                text.push_str(&decoded);
            }
            (_, None) => return None,
        }
    }
    Some((text, charset))
}

fn inferred_text(bytes: &[u8]) -> (String, Charset) {
    if let Ok(text) = std::str::from_utf8(bytes) {
        return (text.to_owned(), Charset::Utf8);
    }
    let (text, had_errors) = encoding_rs::SHIFT_JIS.decode_without_bom_handling(bytes);
    if !had_errors {
        return (text.into_owned(), Charset::ShiftJis);
    }
    (
        bytes.iter().map(|&b| char::from(b)).collect(),
        Charset::Latin1,
    )
}

/// A QR code read from an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScannedCode {
    bytes: Vec<u8>,
    text: String,
    charset: Charset,
    corners: [Point; 4],
    version: u8,
    ecc: EccLevel,
    model: QrModel,
}

impl ScannedCode {
    /// The decoded data bytes (segments concatenated; byte segments as they are).
    #[must_use]
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The data as text, in the character set [`charset`](Self::charset) names.
    #[must_use]
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The character set the text was read in; payment payloads are [`Charset::Utf8`].
    #[must_use]
    pub fn charset(&self) -> Charset {
        self.charset
    }

    /// Outer corners of the symbol in image pixels: top-left, top-right, bottom-right,
    /// bottom-left, in the symbol's own orientation.
    #[must_use]
    pub fn corners(&self) -> [Point; 4] {
        self.corners
    }

    /// The QR model of the symbol: Model 2 but for old prints.
    #[must_use]
    pub fn model(&self) -> QrModel {
        self.model
    }

    /// QR version, 1–40 (1–14 for a Model 1 symbol).
    #[must_use]
    pub fn version(&self) -> u8 {
        self.version
    }

    /// Error-correction level.
    #[must_use]
    pub fn ecc(&self) -> EccLevel {
        self.ecc
    }
}

/// Scans images for QR codes within size limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scanner {
    pixels_max: u64,
    side_max: u32,
}

impl Default for Scanner {
    fn default() -> Self {
        Scanner {
            pixels_max: PIXELS_MAX,
            side_max: SIDE_MAX,
        }
    }
}

impl Scanner {
    /// A scanner with the default limits ([`PIXELS_MAX`], [`SIDE_MAX`]).
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Refuse images with more pixels than this (at most [`PIXELS_MAX`]).
    #[must_use]
    pub fn pixels_max(mut self, pixels_max: u64) -> Self {
        self.pixels_max = pixels_max.min(PIXELS_MAX);
        self
    }

    /// Refuse images wider or taller than this (at most [`SIDE_MAX`]).
    #[must_use]
    pub fn side_max(mut self, side_max: u32) -> Self {
        self.side_max = side_max.min(SIDE_MAX);
        self
    }

    fn check_size(&self, width: u32, height: u32) -> Result<(), ScanError> {
        if width == 0 || height == 0 {
            return Err(ScanError::Empty { width, height });
        }
        if width > self.side_max
            || height > self.side_max
            || u64::from(width) * u64::from(height) > self.pixels_max
        {
            return Err(ScanError::TooLarge {
                width,
                height,
                side_max: self.side_max,
                pixels_max: self.pixels_max,
            });
        }
        Ok(())
    }

    /// Every QR code in an encoded image (PNG, JPEG, WebP, GIF, BMP or TIFF).
    ///
    /// The header is read first and the dimensions checked against the limits before any pixel
    /// is decoded.
    ///
    /// # Errors
    ///
    /// [`ScanError::InputTooLong`], [`ScanError::TooLarge`] or [`ScanError::Empty`] when a limit
    /// is broken, [`ScanError::UnknownFormat`] or [`ScanError::Decode`] when the bytes are not
    /// a readable image. Finding no code is not an error: the list is empty.
    pub fn scan_bytes(&self, encoded: &[u8]) -> Result<Vec<ScannedCode>, ScanError> {
        if encoded.len() > ENCODED_LEN_MAX {
            return Err(ScanError::InputTooLong {
                len: encoded.len(),
                len_max: ENCODED_LEN_MAX,
            });
        }
        let reader = || {
            image::ImageReader::new(std::io::Cursor::new(encoded))
                .with_guessed_format()
                .map_err(|e| ScanError::Decode {
                    reason: e.to_string(),
                })
        };
        let probe = reader()?;
        if probe.format().is_none() {
            return Err(ScanError::UnknownFormat);
        }
        let (width, height) = probe.into_dimensions().map_err(|e| ScanError::Decode {
            reason: e.to_string(),
        })?;
        self.check_size(width, height)?;
        let mut decoder = reader()?;
        let mut limits = image::Limits::default();
        limits.max_image_width = Some(self.side_max);
        limits.max_image_height = Some(self.side_max);
        limits.max_alloc = Some(DECODER_ALLOC_MAX);
        decoder.limits(limits);
        let decoded = decoder.decode().map_err(|e| ScanError::Decode {
            reason: e.to_string(),
        })?;
        let luma = decoded.into_luma8();
        let (w, h) = luma.dimensions();
        self.check_size(w, h)?;
        Ok(detect(Gray {
            w: to_usize(w),
            h: to_usize(h),
            px: luma.into_raw(),
        }))
    }

    /// Every QR code in raw 8-bit greyscale pixels, row-major, `width * height` bytes.
    ///
    /// # Errors
    ///
    /// [`ScanError::TooLarge`] or [`ScanError::Empty`] when a limit is broken,
    /// [`ScanError::PixelCount`] when `pixels` does not hold `width * height` bytes.
    pub fn scan_luma(
        &self,
        width: u32,
        height: u32,
        pixels: &[u8],
    ) -> Result<Vec<ScannedCode>, ScanError> {
        self.check_size(width, height)?;
        let (w, h) = (to_usize(width), to_usize(height));
        if pixels.len() != w.saturating_mul(h) {
            return Err(ScanError::PixelCount {
                len: pixels.len(),
                width,
                height,
            });
        }
        Ok(detect(Gray {
            w,
            h,
            px: pixels.to_vec(),
        }))
    }
}

fn to_usize(v: u32) -> usize {
    usize::try_from(v).unwrap_or(usize::MAX)
}

/// How working-image sub-pixels map back to input pixels: `input = work * num / (den * SUB)`.
#[derive(Debug, Clone, Copy)]
struct Scale {
    num: i64,
    den: i64,
}

impl Scale {
    fn to_input(self, p: Pt) -> Point {
        let conv = |v: i64| {
            let v = v.saturating_mul(self.num) / (self.den.max(1) * SUB);
            i32::try_from(v).unwrap_or(if v < 0 { i32::MIN } else { i32::MAX })
        };
        Point {
            x: conv(p.x),
            y: conv(p.y),
        }
    }
}

/// The detection pipeline, cheapest pass first; stops after the first pass that reads a code.
///
/// Passes: local-block threshold, then the same inverted (light-on-dark codes); for small
/// images the same on an enlarged copy; then a wide mean-window threshold, both ways. All
/// passes share one budget of grid decodes, which bounds the time spent on an image.
fn detect(input: Gray) -> Vec<ScannedCode> {
    let side = input.w.max(input.h);
    let (work, scale) = if side > WORK_SIDE_MAX {
        let k = side.div_ceil(WORK_SIDE_MAX);
        let k64 = i64::try_from(k).unwrap_or(1);
        (input.downscaled(k), Scale { num: k64, den: 1 })
    } else {
        (input, Scale { num: 1, den: 1 })
    };
    let mut budget = sampler::Budget::new(WORK_UNITS_MAX);
    let mut codes: Vec<ScannedCode> = Vec::new();
    let hybrid = binarize::hybrid(&work);
    if read_both_ways(&hybrid, &work, scale, &mut budget, &mut codes) {
        return codes;
    }
    let side = work.w.max(work.h);
    if side < WORK_SIDE_MIN {
        let k = WORK_SIDE_MIN.div_ceil(side.max(1)).min(4);
        let k64 = i64::try_from(k).unwrap_or(1);
        let big = work.upscaled(k);
        let big_scale = Scale {
            num: scale.num,
            den: scale.den * k64,
        };
        if read_both_ways(
            &binarize::hybrid(&big),
            &big,
            big_scale,
            &mut budget,
            &mut codes,
        ) {
            return codes;
        }
    }
    let radius = (side / 24).clamp(6, 40);
    let mean = binarize::mean_window(&work, radius);
    read_both_ways(&mean, &work, scale, &mut budget, &mut codes);
    codes
}

/// One threshold, read as is and then inverted; whether anything was read.
fn read_both_ways(
    bits: &BitImage,
    gray: &Gray,
    scale: Scale,
    budget: &mut sampler::Budget,
    codes: &mut Vec<ScannedCode>,
) -> bool {
    let source = sampler::Source {
        bits,
        gray,
        inverted: false,
    };
    read_pass(&source, scale, budget, codes);
    if codes.is_empty() {
        let inverted = bits.inverted();
        let source = sampler::Source {
            bits: &inverted,
            gray,
            inverted: true,
        };
        read_pass(&source, scale, budget, codes);
    }
    !codes.is_empty()
}

/// Find finders in `bits`, group them into symbols, decode each; append what reads.
fn read_pass(
    source: &sampler::Source<'_>,
    scale: Scale,
    budget: &mut sampler::Budget,
    codes: &mut Vec<ScannedCode>,
) {
    let bits = source.bits;
    let finders = finder::find(bits, 50);
    let top: Vec<_> = finders.into_iter().take(GROUP_FINDERS_MAX).collect();

    let mut triples = Vec::new();
    for (i, a) in top.iter().enumerate() {
        for (j, b) in top.iter().enumerate().skip(i + 1) {
            for (k, c) in top.iter().enumerate().skip(j + 1) {
                for (t, badness) in sampler::arrange(*a, *b, *c) {
                    // Finders that a single scan line saw are often text or noise: triples of
                    // finders confirmed more than once go first.
                    let weak = [a, b, c].iter().filter(|f| f.count < 2).count();
                    let badness = badness + 100 * i64::try_from(weak).unwrap_or(3);
                    triples.push(([i, j, k], t, badness));
                }
            }
        }
    }
    triples.sort_by_key(|(_, _, badness)| *badness);
    let mut used = vec![false; top.len()];
    for (ids, t, _) in triples.into_iter().take(ATTEMPTS_MAX) {
        if ids.iter().any(|&i| used.get(i).copied().unwrap_or(true)) {
            continue;
        }
        if budget.is_spent() {
            return;
        }
        let Some(d) = sampler::decode_triple(source, &t, budget) else {
            continue;
        };
        for i in ids {
            if let Some(u) = used.get_mut(i) {
                *u = true;
            }
        }
        let corners = d.corners.map(|p| scale.to_input(p));
        let duplicate = codes
            .iter()
            .any(|c| c.bytes == d.bytes && c.corners == corners);
        if !duplicate {
            let (text, charset) = decode_text(&d.bytes, &d.ecis);
            codes.push(ScannedCode {
                text,
                charset,
                bytes: d.bytes,
                corners,
                version: d.version,
                ecc: EccLevel::from_format_bits(d.ecc_bits),
                model: d.model,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_eci_designator_names_the_set_of_the_text() {
        // ISO-8859-2 (ECI 4): "łódź" is b3 f3 64 bc.
        let bytes = [0xb3, 0xf3, 0x64, 0xbc];
        assert_eq!(
            decode_text(&bytes, &[(0, 4)]),
            ("łódź".to_owned(), Charset::Eci(4))
        );
        // ISO-8859-1 (ECI 3) wins over the Shift_JIS guess the same bytes would get.
        let bytes = b"caf\xe9";
        assert_eq!(
            decode_text(bytes, &[(0, 3)]),
            ("café".to_owned(), Charset::Latin1)
        );
        // UTF-8 (ECI 26) after plain ASCII, then Windows-1251 (ECI 22): run by run.
        let mut bytes = b"id ".to_vec();
        bytes.extend("€ ".as_bytes());
        bytes.extend([0xc4, 0xe0]);
        assert_eq!(
            decode_text(&bytes, &[(3, 26), (7, 22)]),
            ("id € Да".to_owned(), Charset::Utf8)
        );
    }

    #[test]
    fn charset_names_are_stable_and_readable() {
        let names: Vec<String> = [
            Charset::Utf8,
            Charset::ShiftJis,
            Charset::Latin1,
            Charset::Eci(4),
            Charset::Eci(22),
            Charset::Eci(899),
        ]
        .iter()
        .map(ToString::to_string)
        .collect();
        assert_eq!(
            names,
            [
                "utf8",
                "shiftjis",
                "latin1",
                "iso-8859-2",
                "windows-1251",
                "eci-899"
            ]
        );
    }

    #[test]
    fn a_declared_set_the_bytes_do_not_fit_falls_back_to_inference() {
        // Declared UTF-8, but the bytes are ISO-8859-1.
        assert_eq!(
            decode_text(b"caf\xe9!", &[(0, 26)]),
            ("café!".to_owned(), Charset::Latin1)
        );
        // An assignment number we do not know.
        assert_eq!(
            decode_text(b"abc", &[(0, 899)]),
            ("abc".to_owned(), Charset::Utf8)
        );
        assert_eq!(decode_text(b"abc", &[]), ("abc".to_owned(), Charset::Utf8));
    }
}
