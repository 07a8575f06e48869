//! PNG output: 1-bit rows written straight from the module matrix.

use super::font::{self, ADVANCE, GLYPH_HEIGHT, GLYPH_WIDTH};
use super::{QrSymbol, RenderError, RenderOptions, Rgb};

/// Caption band height in font pixels: two above, the glyph, two below.
const CAPTION_ROWS: usize = GLYPH_HEIGHT + 4;

pub(super) fn render(symbol: &QrSymbol, options: &RenderOptions) -> Result<Vec<u8>, RenderError> {
    let px = options.module_px;
    let side_modules = symbol.width() + 2 * options.margin;
    let width_px = side_modules * px;
    let caption = options.caption.as_deref().filter(|c| !c.is_empty());
    let caption_scale = match caption {
        Some(text) => Some(caption_scale(text, width_px, px)?),
        None => None,
    };
    let caption_height = caption_scale.map_or(0, |s| CAPTION_ROWS * s);
    let height_px = width_px + caption_height;
    let row_bytes = width_px.div_ceil(8);

    // Bit value 1 is light in both encodings: white in 1-bit greyscale, palette entry 1 in the
    // two-colour palette.
    let mut image = vec![0xffu8; row_bytes * height_px];
    let mut row = vec![0xffu8; row_bytes];
    let margin_px = options.margin * px;
    let mut out_rows = image.chunks_exact_mut(row_bytes).skip(margin_px);
    for modules in symbol.rows() {
        row.fill(0xff);
        for (x, _) in modules.iter().enumerate().filter(|(_, dark)| **dark) {
            clear_span(&mut row, margin_px + x * px, px);
        }
        for out in out_rows.by_ref().take(px) {
            out.copy_from_slice(&row);
        }
    }
    if let (Some(text), Some(scale)) = (caption, caption_scale) {
        let text_width = text.chars().count() * ADVANCE * scale;
        let left = width_px.saturating_sub(text_width) / 2;
        let top = width_px + 2 * scale;
        draw_text(&mut image, row_bytes, text, left, top, scale);
    }

    let (Ok(w), Ok(h)) = (u32::try_from(width_px), u32::try_from(height_px)) else {
        return Err(RenderError::Png(
            format!("image of {width_px}x{height_px} px").into(),
        ));
    };
    let mut out = Vec::with_capacity(image.len() / 4 + 128);
    {
        let mut encoder = ::png::Encoder::new(&mut out, w, h);
        encoder.set_depth(::png::BitDepth::One);
        if options.dark == Rgb::BLACK && options.light == Rgb::WHITE {
            encoder.set_color(::png::ColorType::Grayscale);
        } else {
            encoder.set_color(::png::ColorType::Indexed);
            let Rgb {
                r: dr,
                g: dg,
                b: db,
            } = options.dark;
            let Rgb {
                r: lr,
                g: lg,
                b: lb,
            } = options.light;
            encoder.set_palette(vec![dr, dg, db, lr, lg, lb]);
        }
        encoder.set_compression(::png::Compression::Fast);
        let mut writer = encoder
            .write_header()
            .map_err(|e| RenderError::Png(Box::new(e)))?;
        writer
            .write_image_data(&image)
            .map_err(|e| RenderError::Png(Box::new(e)))?;
        writer.finish().map_err(|e| RenderError::Png(Box::new(e)))?;
    }
    Ok(out)
}

/// The largest caption scale (font pixels to image pixels) up to half a module at which `text`
/// fits the image width with a module of room either side.
fn caption_scale(text: &str, width_px: usize, module_px: usize) -> Result<usize, RenderError> {
    let len = text.chars().count();
    let room = width_px.saturating_sub(2 * module_px);
    let fits = |scale: usize| len * ADVANCE * scale <= room;
    let preferred = module_px.div_ceil(2).max(1);
    (1..=preferred)
        .rev()
        .find(|&s| fits(s))
        .ok_or(RenderError::CaptionTooLong {
            len,
            len_max: room / ADVANCE,
        })
}

fn draw_text(
    image: &mut [u8],
    row_bytes: usize,
    text: &str,
    left: usize,
    top: usize,
    scale: usize,
) {
    for (i, ch) in text.chars().enumerate() {
        let glyph = font::glyph(ch);
        let x0 = left + i * ADVANCE * scale;
        for (gy, bits) in glyph.iter().enumerate() {
            for gx in (0..GLYPH_WIDTH).filter(|gx| bits & (1 << (GLYPH_WIDTH - 1 - gx)) != 0) {
                for dy in 0..scale {
                    let y = top + gy * scale + dy;
                    if let Some(row) = image.get_mut(y * row_bytes..(y + 1) * row_bytes) {
                        clear_span(row, x0 + gx * scale, scale);
                    }
                }
            }
        }
    }
}

/// Clear (make dark) `len` bits of a packed row starting at bit `start`.
fn clear_span(row: &mut [u8], start: usize, len: usize) {
    let end = start + len;
    let mut x = start;
    while x < end {
        let Some(byte) = row.get_mut(x / 8) else {
            return;
        };
        let bit = x % 8;
        if bit == 0 && end - x >= 8 {
            *byte = 0;
            x += 8;
        } else {
            *byte &= !(0x80u8 >> bit);
            x += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{EccLevel, QrSymbol, RenderOptions, Rgb};

    /// Decode a PNG with `image` and check every pixel against the symbol.
    fn assert_matches(symbol: &QrSymbol, png: &[u8], px: usize, margin: usize) {
        let img = image::load_from_memory(png).unwrap().to_luma8();
        let side = (symbol.width() + 2 * margin) * px;
        assert_eq!(img.width() as usize, side);
        for (x, y, p) in img.enumerate_pixels() {
            let (x, y) = (x as usize, y as usize);
            if y >= side {
                continue;
            }
            let mx = (x / px).wrapping_sub(margin);
            let my = (y / px).wrapping_sub(margin);
            assert_eq!(p.0[0] < 128, symbol.is_dark(mx, my), "pixel {x},{y}");
        }
    }

    #[test]
    fn png_pixels_are_the_modules() {
        let symbol = QrSymbol::encode(
            "00020101021129300012D156000000000510A93FO3230Q",
            EccLevel::Q,
        )
        .unwrap();
        for (px, margin) in [(1, 4), (3, 4), (4, 6), (9, 5)] {
            let png = symbol
                .to_png(&RenderOptions::new().module_px(px).margin(margin))
                .unwrap();
            assert_matches(&symbol, &png, px, margin);
        }
        // Coloured: palette PNG, dark maps to the dark colour.
        let dark = Rgb {
            r: 0,
            g: 0,
            b: 0x60,
        };
        let light = Rgb {
            r: 0xff,
            g: 0xf0,
            b: 0xd0,
        };
        let png = symbol
            .to_png(&RenderOptions::new().colours(dark, light))
            .unwrap();
        let img = image::load_from_memory(&png).unwrap().to_rgb8();
        assert_eq!(img.get_pixel(16, 16).0, [0, 0, 0x60]);
        assert_eq!(img.get_pixel(0, 0).0, [0xff, 0xf0, 0xd0]);
    }

    #[test]
    fn caption_adds_a_band_of_dark_text() {
        let symbol = QrSymbol::encode("hello", EccLevel::M).unwrap();
        let png = symbol
            .to_png(&RenderOptions::new().module_px(4).caption("4.50 EUR"))
            .unwrap();
        let img = image::load_from_memory(&png).unwrap().to_luma8();
        let side = (21 + 8) * 4;
        assert_eq!(img.width(), side);
        // 8 characters of 12 px fit 116 - 8 px at scale 2: 11 font rows of 2 px.
        assert_eq!(img.height(), side + 22);
        let dark_in_band = (side..side + 22)
            .flat_map(|y| (0..side).map(move |x| (x, y)))
            .filter(|&(x, y)| img.get_pixel(x, y).0[0] < 128)
            .count();
        assert!(dark_in_band > 100, "{dark_in_band}");
        let too_long = "X".repeat(40);
        assert!(matches!(
            symbol.to_png(&RenderOptions::new().module_px(1).caption(too_long)),
            Err(super::RenderError::CaptionTooLong {
                len: 40,
                len_max: 4
            })
        ));
    }
}
