//! Mask choice by the penalty rules of ISO/IEC 18004:2015, 7.8.3.1, computed over a packed
//! matrix (the `qrcode` crate's own scoring dominates its encode time).

use qrcode::canvas::{Canvas, Module};

/// The mask (0–7) with the lowest penalty for `canvas` (function patterns and data drawn, not yet
/// masked), the lowest number winning ties.
pub(super) fn best(canvas: &Canvas, width: usize, ecc_bits: u16) -> usize {
    let Ok(w) = i16::try_from(width) else {
        return 0;
    };
    // (dark, is function module) per module; the crate marks function modules `Masked`.
    let unmasked: Vec<(bool, bool)> = (0..w)
        .flat_map(|y| (0..w).map(move |x| (x, y)))
        .map(|(x, y)| {
            let module = canvas.get(x, y);
            (module.is_dark(), matches!(module, Module::Masked(_)))
        })
        .collect();
    let mut masked = vec![false; unmasked.len()];
    (0..8)
        .min_by_key(|&mask| {
            apply(&unmasked, width, mask, &mut masked);
            draw_format(&mut masked, width, format_info(ecc_bits, mask));
            penalty(&masked, width)
        })
        .unwrap_or(0)
}

fn apply(unmasked: &[(bool, bool)], width: usize, mask: usize, out: &mut [bool]) {
    let rows = unmasked
        .chunks_exact(width)
        .zip(out.chunks_exact_mut(width));
    for (y, (row_in, row_out)) in rows.enumerate() {
        // ISO/IEC 18004:2015 table 10, with i = row (y) and j = column (x); dispatched once
        // per row so the inner loop has no match.
        match mask {
            0 => apply_row(row_in, row_out, |x| (x + y) % 2 == 0),
            1 => apply_row(row_in, row_out, |_| y % 2 == 0),
            2 => apply_row(row_in, row_out, |x| x % 3 == 0),
            3 => apply_row(row_in, row_out, |x| (x + y) % 3 == 0),
            4 => apply_row(row_in, row_out, |x| (y / 2 + x / 3) % 2 == 0),
            5 => apply_row(row_in, row_out, |x| (x * y) % 2 + (x * y) % 3 == 0),
            6 => apply_row(row_in, row_out, |x| ((x * y) % 2 + (x * y) % 3) % 2 == 0),
            _ => apply_row(row_in, row_out, |x| ((x + y) % 2 + (x * y) % 3) % 2 == 0),
        }
    }
}

fn apply_row(row_in: &[(bool, bool)], row_out: &mut [bool], flip: impl Fn(usize) -> bool) {
    for (x, (o, &(dark, function))) in row_out.iter_mut().zip(row_in).enumerate() {
        *o = dark ^ (!function & flip(x));
    }
}

/// The 15-bit format information: 5 data bits, BCH(15,5) remainder under generator 0x537, XOR
/// 0x5412 (ISO/IEC 18004:2015, 7.9.1).
fn format_info(ecc_bits: u16, mask: usize) -> u16 {
    let data = (ecc_bits << 3) | u16::try_from(mask & 7).unwrap_or(0);
    let mut rem = data << 10;
    for bit in (10..15).rev() {
        if rem & (1 << bit) != 0 {
            rem ^= 0x537 << (bit - 10);
        }
    }
    ((data << 10) | rem) ^ 0x5412
}

/// Draw both copies of the format information (ISO/IEC 18004:2015, figure 25); bit 0 is the
/// least significant.
fn draw_format(matrix: &mut [bool], width: usize, info: u16) {
    let mut set = |x: usize, y: usize, bit: usize| {
        if let Some(m) = matrix.get_mut(y * width + x) {
            *m = info & (1 << bit) != 0;
        }
    };
    for i in 0..6 {
        set(8, i, i);
    }
    set(8, 7, 6);
    set(8, 8, 7);
    set(7, 8, 8);
    for i in 9..15 {
        set(14 - i, 8, i);
    }
    for i in 0..8 {
        set(width - 1 - i, 8, i);
    }
    for i in 8..15 {
        set(8, width - 15 + i, i);
    }
}

/// Penalty score of a masked symbol, `dark` row-major with `width * width` entries.
///
/// N1: each run of five or more same-coloured modules in a row or column scores 3 plus one per
/// module beyond five. N2: each 2×2 block of one colour scores 3. N3: each 1:1:3:1:1 finder-like
/// pattern with four light modules before or after it scores 40 (the quiet zone counts as light).
/// N4: 10 for every full 5 % the dark proportion departs from 50 %.
pub(super) fn penalty(dark: &[bool], width: usize) -> u32 {
    if width == 0 || dark.len() != width * width {
        return u32::MAX;
    }
    let mut score = 0u32;
    let mut column = vec![false; width];
    for row in dark.chunks_exact(width) {
        score += line_penalty(row);
    }
    for x in 0..width {
        for (c, row) in column.iter_mut().zip(dark.chunks_exact(width)) {
            *c = row.get(x).copied().unwrap_or(false);
        }
        score += line_penalty(&column);
    }
    for (upper, lower) in dark
        .chunks_exact(width)
        .zip(dark.chunks_exact(width).skip(1))
    {
        let mut blocks = 0u32;
        let pairs = upper.iter().zip(lower);
        for ((a, c), (b, d)) in pairs.clone().zip(pairs.skip(1)) {
            blocks += u32::from((a == b) & (b == c) & (c == d));
        }
        score += 3 * blocks;
    }
    let dark_count = dark.iter().filter(|d| **d).count();
    let percent = dark_count * 100 / dark.len();
    score += 10 * u32::try_from(percent.abs_diff(50) / 5).unwrap_or(10);
    score
}

/// N1 and N3 for one row or column, in one pass over a 15-module history register.
fn line_penalty(line: &[bool]) -> u32 {
    /// Dark-light-dark-dark-dark-light-dark, oldest module in the highest bit.
    const FINDER: u32 = 0b101_1101;
    let mut score = 0u32;
    let mut run = 0u32;
    let mut previous = false;
    // Bit 0 is the newest module; the quiet zone before the line is light (zeros).
    let mut history = 0u32;
    let check = |history: u32| {
        // The core sits in bits 4..=10; four light modules before (bits 11..=14) or after
        // (bits 0..=3) it.
        (history >> 4) & 0x7f == FINDER && (history & 0xf == 0 || (history >> 11) & 0xf == 0)
    };
    // Branch-free on purpose: module colours are close to random, so branches mispredict.
    for &module in line {
        let same = u32::from(module == previous);
        run = run * same + 1;
        // A run scores 3 when it reaches five modules and 1 for each module after.
        score += 3 * u32::from(run == 5) + u32::from(run > 5);
        previous = module;
        history = ((history << 1) | u32::from(module)) & 0x7fff;
        score += 40 * u32::from(check(history));
    }
    // The quiet zone after the line is light too.
    for _ in 0..4 {
        history = (history << 1) & 0x7fff;
        if check(history) {
            score += 40;
        }
    }
    score
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_masking_matches_the_crate() {
        use qrcode::canvas::Canvas;
        use qrcode::{Color, EcLevel, Version};
        for (v, ec, ecc_bits) in [
            (1, EcLevel::M, 0b00),
            (7, EcLevel::L, 0b01),
            (12, EcLevel::H, 0b10),
        ] {
            let version = Version::Normal(v);
            let width = 17 + 4 * usize::try_from(v).unwrap();
            let w = i16::try_from(width).unwrap();
            let mut canvas = Canvas::new(version, ec);
            canvas.draw_all_functional_patterns();
            let bits = qrcode::bits::Bits::new(version);
            let mut data = bits.into_bytes();
            data.resize(8, 0xa5);
            let mut b = qrcode::bits::Bits::new(version);
            b.push_byte_data(&data).unwrap();
            b.push_terminator(ec).unwrap();
            let (d, e) = qrcode::ec::construct_codewords(&b.into_bytes(), version, ec).unwrap();
            canvas.draw_data(&d, &e);
            let unmasked: Vec<(bool, bool)> = (0..w)
                .flat_map(|y| (0..w).map(move |x| (x, y)))
                .map(|(x, y)| {
                    let m = canvas.get(x, y);
                    (m.is_dark(), matches!(m, Module::Masked(_)))
                })
                .collect();
            for (mask, pattern) in crate::render::MASK_PATTERNS.into_iter().enumerate() {
                let mut c = canvas.clone();
                c.apply_mask(pattern);
                let theirs: Vec<bool> = c
                    .into_colors()
                    .into_iter()
                    .map(|c| c == Color::Dark)
                    .collect();
                let mut ours = vec![false; width * width];
                apply(&unmasked, width, mask, &mut ours);
                draw_format(&mut ours, width, format_info(ecc_bits, mask));
                assert_eq!(ours, theirs, "version {v} mask {mask}");
            }
        }
    }

    #[test]
    fn runs_blocks_finders_and_balance() {
        // A 5-run scores 3, a 7-run 5.
        assert_eq!(line_penalty(&[true; 5]), 3);
        assert_eq!(
            line_penalty(&[false, true, true, true, true, true, true, true]),
            5
        );
        // Finder-like pattern followed by four light modules: 40 (plus nothing for runs).
        let line = [
            true, false, true, true, true, false, true, false, false, false, false,
        ];
        assert_eq!(line_penalty(&line), 40);
        // At the very end of a line the quiet zone supplies the light modules; a dark module four
        // before and after the pattern removes it.
        assert_eq!(
            line_penalty(&[true, false, true, true, true, false, true]),
            40
        );
        let fenced = [
            true, false, false, false, true, false, true, true, true, false, true, false, false,
            false, true,
        ];
        assert_eq!(line_penalty(&fenced), 0);
        // All-dark 5×5: runs 10×3, blocks 16×3, balance 100 % → 10×10.
        assert_eq!(penalty(&[true; 25], 5), 30 + 48 + 100);
        // Checkerboard: no runs, no blocks, 13/25 = 52 % dark → 0.
        let board: Vec<bool> = (0..25).map(|i| (i / 5 + i % 5) % 2 == 0).collect();
        assert_eq!(penalty(&board, 5), 0);
    }
}
