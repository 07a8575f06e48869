//! From a sampled module grid to the data it carries: format information, unmasking,
//! codeword placement, Reed–Solomon error correction over GF(256) (syndromes,
//! Berlekamp–Massey, Chien search, Forney) and the data segments (ISO/IEC 18004:2015, 7 and 8);
//! Model 1 symbols (ISO/IEC 18004:2000, annex M) as well as Model 2.
//!
//! Work is bounded by the grid size, which the caller chose from the 40 valid versions.

/// A decoded symbol's data and the parameters it was read with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Data {
    pub bytes: Vec<u8>,
    /// The ECI designators in the data: byte offset in `bytes` where each takes effect, and
    /// its assignment number (ISO/IEC 18004:2015, 7.4.3).
    pub ecis: Vec<(usize, u32)>,
    pub version: u8,
    /// The two error-correction bits of the format information (M 00, L 01, H 10, Q 11).
    pub ecc_bits: u16,
    pub model: Model,
}

/// Why a grid did not decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// Not a valid symbol size, or no format information within 3 bit errors.
    Format,
    /// More errors in a block than its error-correction codewords can correct.
    Errors,
    /// The corrected data does not parse as segments.
    Segments,
}

/// Total codewords, then for each error-correction level in format-bit order (M, L, H, Q):
/// error-correction codewords per block and number of blocks (ISO/IEC 18004:2015, table 9).
const BLOCKS: [(usize, [(usize, usize); 4]); 40] = [
    (26, [(10, 1), (7, 1), (17, 1), (13, 1)]),
    (44, [(16, 1), (10, 1), (28, 1), (22, 1)]),
    (70, [(26, 1), (15, 1), (22, 2), (18, 2)]),
    (100, [(18, 2), (20, 1), (16, 4), (26, 2)]),
    (134, [(24, 2), (26, 1), (22, 4), (18, 4)]),
    (172, [(16, 4), (18, 2), (28, 4), (24, 4)]),
    (196, [(18, 4), (20, 2), (26, 5), (18, 6)]),
    (242, [(22, 4), (24, 2), (26, 6), (22, 6)]),
    (292, [(22, 5), (30, 2), (24, 8), (20, 8)]),
    (346, [(26, 5), (18, 4), (28, 8), (24, 8)]),
    (404, [(30, 5), (20, 4), (24, 11), (28, 8)]),
    (466, [(22, 8), (24, 4), (28, 11), (26, 10)]),
    (532, [(22, 9), (26, 4), (22, 16), (24, 12)]),
    (581, [(24, 9), (30, 4), (24, 16), (20, 16)]),
    (655, [(24, 10), (22, 6), (24, 18), (30, 12)]),
    (733, [(28, 10), (24, 6), (30, 16), (24, 17)]),
    (815, [(28, 11), (28, 6), (28, 19), (28, 16)]),
    (901, [(26, 13), (30, 6), (28, 21), (28, 18)]),
    (991, [(26, 14), (28, 7), (26, 25), (26, 21)]),
    (1085, [(26, 16), (28, 8), (28, 25), (30, 20)]),
    (1156, [(26, 17), (28, 8), (30, 25), (28, 23)]),
    (1258, [(28, 17), (28, 9), (24, 34), (30, 23)]),
    (1364, [(28, 18), (30, 9), (30, 30), (30, 25)]),
    (1474, [(28, 20), (30, 10), (30, 32), (30, 27)]),
    (1588, [(28, 21), (26, 12), (30, 35), (30, 29)]),
    (1706, [(28, 23), (28, 12), (30, 37), (28, 34)]),
    (1828, [(28, 25), (30, 12), (30, 40), (30, 34)]),
    (1921, [(28, 26), (30, 13), (30, 42), (30, 35)]),
    (2051, [(28, 28), (30, 14), (30, 45), (30, 38)]),
    (2185, [(28, 29), (30, 15), (30, 48), (30, 40)]),
    (2323, [(28, 31), (30, 16), (30, 51), (30, 43)]),
    (2465, [(28, 33), (30, 17), (30, 54), (30, 45)]),
    (2611, [(28, 35), (30, 18), (30, 57), (30, 48)]),
    (2761, [(28, 37), (30, 19), (30, 60), (30, 51)]),
    (2876, [(28, 38), (30, 19), (30, 63), (30, 53)]),
    (3034, [(28, 40), (30, 20), (30, 66), (30, 56)]),
    (3196, [(28, 43), (30, 21), (30, 70), (30, 59)]),
    (3362, [(28, 45), (30, 22), (30, 74), (30, 62)]),
    (3532, [(28, 47), (30, 24), (30, 77), (30, 65)]),
    (3706, [(28, 49), (30, 25), (30, 81), (30, 68)]),
];

/// Model 1 symbols: for versions 1–14 in format-bit order of the error-correction level (M,
/// L, H, Q), error-correction codewords per block, number of blocks and data codewords per
/// block (ISO/IEC 18004:2000, annex M, tables M.2 and M.4). Model 1 has one block size a
/// level; a level may leave a codeword or two of the grid unused.
const MODEL1_BLOCKS: [[(usize, usize, usize); 4]; 14] = [
    [(10, 1, 16), (7, 1, 19), (17, 1, 9), (13, 1, 13)],
    [(16, 1, 30), (10, 1, 36), (30, 1, 16), (22, 1, 24)],
    [(28, 1, 44), (15, 1, 57), (48, 1, 24), (36, 1, 36)],
    [(40, 1, 60), (20, 1, 80), (66, 1, 34), (50, 1, 50)],
    [(52, 1, 82), (26, 1, 108), (44, 2, 23), (66, 1, 68)],
    [(32, 2, 53), (34, 1, 136), (56, 2, 29), (42, 2, 43)],
    [(40, 2, 66), (42, 1, 170), (46, 3, 24), (52, 2, 54)],
    [(48, 2, 80), (24, 2, 104), (56, 3, 29), (64, 2, 64)],
    [(60, 2, 93), (30, 2, 123), (68, 3, 34), (50, 3, 52)],
    [(68, 2, 111), (34, 2, 145), (58, 4, 31), (58, 3, 61)],
    [(40, 4, 64), (40, 2, 168), (54, 5, 29), (52, 4, 52)],
    [(46, 4, 73), (46, 2, 192), (62, 5, 33), (58, 4, 61)],
    [(52, 4, 83), (36, 3, 144), (58, 6, 32), (66, 4, 69)],
    [(60, 4, 92), (40, 3, 163), (66, 6, 35), (60, 5, 62)],
];

pub(crate) use super::QrModel as Model;

impl Model {
    /// The pattern XORed onto the format information (ISO/IEC 18004:2015, 7.9.1; 2000,
    /// annex M).
    fn format_mask(self) -> u32 {
        match self {
            Model::One => 0x2825,
            Model::Two => 0x5412,
        }
    }
}

/// Decode the module grid `dark(x, y)` of a symbol `dim` modules wide.
pub(crate) fn decode(dim: usize, dark: &dyn Fn(usize, usize) -> bool) -> Result<Data, Failure> {
    if !(21..=177).contains(&dim) || dim % 4 != 1 {
        return Err(Failure::Format);
    }
    let version = (dim - 17) / 4;
    let (format, model) = read_format(dim, dark).ok_or(Failure::Format)?;
    let ecc_bits = format >> 3;
    let mask = format & 7;
    let data = match model {
        Model::Two => {
            let (total, levels) = BLOCKS.get(version - 1).copied().ok_or(Failure::Format)?;
            let (ecc_len, blocks) = levels
                .get(usize::from(ecc_bits))
                .copied()
                .ok_or(Failure::Format)?;
            let raw = read_codewords(dim, version, mask, dark);
            if raw.len() < total || blocks == 0 {
                return Err(Failure::Format);
            }
            correct(raw.get(..total).unwrap_or(&[]), ecc_len, blocks)?
        }
        Model::One => {
            let levels = MODEL1_BLOCKS.get(version - 1).ok_or(Failure::Format)?;
            let (ecc_len, blocks, data_len) = levels
                .get(usize::from(ecc_bits))
                .copied()
                .ok_or(Failure::Format)?;
            let mut raw = read_codewords_model1(dim, mask, dark);
            // A Model 1 bit stream opens with four zero bits, the first codeword's upper
            // half in the bottom-right corner: read them as zero before error correction and
            // drop them after it.
            if let Some(first) = raw.first_mut() {
                *first &= 0x0f;
            }
            if raw.len() < blocks * (ecc_len + data_len) {
                return Err(Failure::Format);
            }
            let mut data = correct_model1(&raw, ecc_len, blocks, data_len)?;
            shift_out_nibble(&mut data);
            data
        }
    };
    let Stream { bytes, ecis } = segments(&data, version).ok_or(Failure::Segments)?;
    Ok(Data {
        bytes,
        ecis,
        version: u8::try_from(version).map_err(|_| Failure::Format)?,
        ecc_bits,
        model,
    })
}

/// Drop the first four bits of `data`, moving every later bit up (the last byte ends in four
/// zero bits).
fn shift_out_nibble(data: &mut [u8]) {
    let mut next = 0u8;
    for byte in data.iter_mut().rev() {
        let high = *byte >> 4;
        *byte = (*byte << 4) | next;
        next = high;
    }
}

/// The 15-bit format information of `model` for 5 data bits: BCH(15,5) remainder under
/// 0x537, XOR the model's mask (ISO/IEC 18004:2015, 7.9 and annex C).
pub(crate) fn format_code(data: u32, model: Model) -> u32 {
    let mut rem = data << 10;
    for bit in (10..15).rev() {
        if rem & (1 << bit) != 0 {
            rem ^= 0x537 << (bit - 10);
        }
    }
    ((data << 10) | rem) ^ model.format_mask()
}

/// Every valid format information word of either model, with its data bits and model; Model
/// 1 only up to its largest symbol (version 14, 73 modules).
pub(crate) fn format_codes(dim: usize) -> impl Iterator<Item = (u32, u16, Model)> {
    let models: &[Model] = if dim <= MODEL1_DIM_MAX {
        &[Model::Two, Model::One]
    } else {
        &[Model::Two]
    };
    models.iter().flat_map(|&model| {
        (0..32u16).map(move |data| (format_code(u32::from(data), model), data, model))
    })
}

/// Modules a side of the largest Model 1 symbol (version 14).
pub(crate) const MODEL1_DIM_MAX: usize = 73;

/// The 5 format data bits (error-correction level, mask) and the model from the copy with the
/// fewest bit errors, if that is at most 3; Model 2 wins a tie.
fn read_format(d: usize, dark: &dyn Fn(usize, usize) -> bool) -> Option<(u16, Model)> {
    let mut first = 0u32;
    let mut second = 0u32;
    // Bit i of the first copy: column 8 rows 0-5, 7, 8, then row 8 columns 7, 5-0.
    let first_cells = (0..6)
        .map(|i| (8, i))
        .chain([(8, 7), (8, 8), (7, 8)])
        .chain((9..15).map(|i| (14 - i, 8)));
    for (bit, (x, y)) in first_cells.enumerate() {
        first |= u32::from(dark(x, y)) << bit;
    }
    let second_cells = (0..8)
        .map(|i| (d - 1 - i, 8))
        .chain((8..15).map(|i| (8, d - 15 + i)));
    for (bit, (x, y)) in second_cells.enumerate() {
        second |= u32::from(dark(x, y)) << bit;
    }
    format_codes(d)
        .map(|(code, data, model)| {
            let errors = (code ^ first)
                .count_ones()
                .min((code ^ second).count_ones());
            (errors, model == Model::One, data, model)
        })
        .min_by_key(|&(errors, one, data, _)| (errors, one, data))
        .filter(|(errors, ..)| *errors <= 3)
        .map(|(_, _, data, model)| (data, model))
}

/// Row and column indices of alignment-pattern centres (ISO/IEC 18004:2015, annex E).
pub(crate) fn alignment_centres(dim: usize) -> Vec<usize> {
    let version = dim.saturating_sub(17) / 4;
    if version < 2 {
        return Vec::new();
    }
    let count = version / 7 + 2;
    let step = if version == 32 {
        26
    } else {
        (version * 4 + count * 2 + 1) / (count * 2 - 2) * 2
    };
    let mut out = vec![6];
    let mut rest: Vec<usize> = (0..count - 1).map(|i| dim - 7 - i * step).collect();
    rest.reverse();
    out.extend(rest);
    out
}

/// Which modules are function patterns (finders and separators, format and version
/// information, timing, alignment), row-major.
fn function_map(d: usize, version: usize) -> Vec<bool> {
    let mut map = vec![false; d * d];
    let mut set = |x: usize, y: usize| {
        if let Some(m) = map.get_mut(y * d + x) {
            *m = true;
        }
    };
    for y in 0..d {
        for x in 0..d {
            // Finder, separator and format information in three corners.
            let near_top = y < 9 && (x < 9 || x >= d - 8);
            let corner = near_top || (x < 9 && y >= d - 8);
            let version_info = version >= 7 && ((x < 6 && y >= d - 11) || (y < 6 && x >= d - 11));
            if corner || x == 6 || y == 6 || version_info {
                set(x, y);
            }
        }
    }
    let centres = alignment_centres(d);
    for &cy in &centres {
        for &cx in &centres {
            let in_top = cy < 9 && (cx < 9 || cx > d - 9);
            let overlaps = in_top || (cx < 9 && cy > d - 9);
            if overlaps {
                continue;
            }
            for y in cy - 2..=cy + 2 {
                for x in cx - 2..=cx + 2 {
                    set(x, y);
                }
            }
        }
    }
    map
}

/// Whether data mask `mask` inverts the module at column `x`, row `y` (ISO/IEC 18004:2015,
/// table 10).
fn masked(mask: u16, x: usize, y: usize) -> bool {
    match mask {
        0 => (y + x).is_multiple_of(2),
        1 => y.is_multiple_of(2),
        2 => x.is_multiple_of(3),
        3 => (y + x).is_multiple_of(3),
        4 => (y / 2 + x / 3).is_multiple_of(2),
        5 => (y * x) % 2 + (y * x) % 3 == 0,
        6 => ((y * x) % 2 + (y * x) % 3).is_multiple_of(2),
        _ => ((y + x) % 2 + (y * x) % 3).is_multiple_of(2),
    }
}

/// The codewords in placement order: two-module columns from the right, upwards then
/// downwards, skipping the vertical timing column and the function patterns.
fn read_codewords(
    d: usize,
    version: usize,
    mask: u16,
    dark: &dyn Fn(usize, usize) -> bool,
) -> Vec<u8> {
    let function = function_map(d, version);
    let mut out = Vec::with_capacity(d * d / 8);
    let (mut byte, mut bits) = (0u8, 0u8);
    let mut right = d - 1;
    let mut upward = true;
    loop {
        for step in 0..d {
            let y = if upward { d - 1 - step } else { step };
            for x in [right, right - 1] {
                if function.get(y * d + x).copied().unwrap_or(true) {
                    continue;
                }
                byte = (byte << 1) | u8::from(dark(x, y) ^ masked(mask, x, y));
                bits += 1;
                if bits == 8 {
                    out.push(byte);
                    (byte, bits) = (0, 0);
                }
            }
        }
        upward = !upward;
        if right < 3 {
            break;
        }
        right -= 2;
        if right == 6 {
            right = 5;
        }
    }
    out
}

/// The codewords of a Model 1 symbol in placement order (ISO/IEC 18004:2000, annex M): each
/// codeword fills a block of 2 × 4 modules (two columns, four rows) in the two column pairs
/// along the right edge and the four between the left finders, and of 4 × 2 modules in the
/// columns between; the blocks are read bottom to top, right to left, the bits of a block from
/// its bottom-right module leftwards then upwards. The extension patterns along the right
/// and bottom edges and the function patterns take the blocks they cover.
///
/// `d` must be an odd dimension from 21 to [`MODEL1_DIM_MAX`]; others give no codewords.
fn read_codewords_model1(d: usize, mask: u16, dark: &dyn Fn(usize, usize) -> bool) -> Vec<u8> {
    if !(21..=MODEL1_DIM_MAX).contains(&d) || d.is_multiple_of(2) {
        return Vec::new();
    }
    // INVARIANT: with 21 <= d <= 73 and d odd, every coordinate below stays within 0..d: the
    // blocks are laid out over exactly the columns and rows the symbol has.
    let columns = d / 4 + 3;
    let mut out = Vec::with_capacity(d * d / 8);
    // The block whose bottom-right module is (x, y), `w` modules wide and 8 / w high.
    let mut block = |x: usize, y: usize, w: usize| {
        let byte = (0..8).fold(0u8, |byte, b| {
            let (mx, my) = (x - b % w, y - b / w);
            (byte << 1) | u8::from(dark(mx, my) ^ masked(mask, mx, my))
        });
        out.push(byte);
    };
    for j in 0..columns {
        if j <= 1 {
            // Right edge: vertical blocks below the top-right finder; the outer column pair
            // gives every other block to an extension pattern.
            let rows = (d - 8) / 4;
            for i in 0..rows {
                if j == 0 && i % 2 == 0 && i > 0 && i + 1 < rows {
                    continue;
                }
                block(d - 1 - 2 * j, d - 1 - 4 * i, 2);
            }
        } else if columns - j <= 4 {
            // Left: vertical blocks between the two left finders, skipping timing column 6.
            let k = columns - j;
            let x = 2 * (k - 1) + 1 + usize::from(k == 4);
            for i in 0..(d - 16) / 4 {
                block(x, d - 9 - 4 * i, 2);
            }
        } else {
            // Middle: horizontal blocks up the whole height, skipping timing row 6; the first
            // column beside the right edge stops below the top-right finder, and the bottom
            // block of every other column is an extension pattern.
            let rows = d / 2;
            for i in 0..rows {
                if j == 2 && i + 4 >= rows {
                    continue;
                }
                if i == 0 && j % 2 == 1 && j + 5 != columns {
                    continue;
                }
                let y = d - 1 - 2 * i - usize::from(i + 3 >= rows);
                block(d - 5 - 4 * (j - 2), y, 4);
            }
        }
    }
    out
}

/// GF(256) under x^8 + x^4 + x^3 + x^2 + 1 (0x11d): exponent and logarithm tables.
struct Field {
    exp: [u8; 512],
    log: [u8; 256],
}

// INVARIANT: the loop indices stay below 255 and `x` below 256, so every index is in bounds
// and every cast keeps its value.
#[allow(clippy::indexing_slicing, clippy::cast_possible_truncation)]
const FIELD: Field = {
    let mut exp = [0u8; 512];
    let mut log = [0u8; 256];
    let mut x: u16 = 1;
    let mut i = 0;
    while i < 255 {
        exp[i] = x as u8;
        exp[i + 255] = x as u8;
        log[x as usize] = i as u8;
        x <<= 1;
        if x & 0x100 != 0 {
            x ^= 0x11d;
        }
        i += 1;
    }
    Field { exp, log }
};

// INVARIANT: logarithms are below 255, so exponent indices stay below 510 < 512; a `u8`
// indexes the 256-entry logarithm table.
#[allow(clippy::indexing_slicing)]
impl Field {
    fn mul(&self, a: u8, b: u8) -> u8 {
        if a == 0 || b == 0 {
            return 0;
        }
        let i = usize::from(self.log[usize::from(a)]) + usize::from(self.log[usize::from(b)]);
        self.exp[i]
    }

    fn div(&self, a: u8, b: u8) -> u8 {
        if a == 0 || b == 0 {
            return 0;
        }
        let i = usize::from(self.log[usize::from(a)]) + 255 - usize::from(self.log[usize::from(b)]);
        self.exp[i]
    }

    /// α^i.
    fn pow(&self, i: usize) -> u8 {
        self.exp[i % 255]
    }
}

/// Split the interleaved codewords into blocks, correct each, and return the data codewords
/// in order. Blocks are `blocks` long and short ones; the long ones (one more data codeword)
/// come last.
fn correct(raw: &[u8], ecc_len: usize, blocks: usize) -> Result<Vec<u8>, Failure> {
    let total = raw.len();
    let data_total = total.checked_sub(ecc_len * blocks).ok_or(Failure::Format)?;
    let short = data_total / blocks;
    let long_count = data_total % blocks;
    let short_count = blocks - long_count;
    let data_len = |b: usize| short + usize::from(b >= short_count);
    let mut split: Vec<Vec<u8>> = (0..blocks)
        .map(|b| Vec::with_capacity(data_len(b) + ecc_len))
        .collect();
    let mut it = raw.iter().copied();
    for i in 0..=short {
        for (b, block) in split.iter_mut().enumerate() {
            if i < data_len(b) {
                block.push(it.next().ok_or(Failure::Format)?);
            }
        }
    }
    for _ in 0..ecc_len {
        for block in &mut split {
            block.push(it.next().ok_or(Failure::Format)?);
        }
    }
    let mut out = Vec::with_capacity(data_total);
    for (b, mut block) in split.into_iter().enumerate() {
        correct_block(&mut block, ecc_len)?;
        out.extend(block.get(..data_len(b)).ok_or(Failure::Format)?);
    }
    Ok(out)
}

/// Model 1 blocks are not interleaved: the placement holds every block's data codewords, block
/// after block, then every block's error-correction codewords in the same order. Correct each
/// and return the data codewords in order.
fn correct_model1(
    raw: &[u8],
    ecc_len: usize,
    blocks: usize,
    data_len: usize,
) -> Result<Vec<u8>, Failure> {
    let ecc_start = blocks * data_len;
    let mut out = Vec::with_capacity(ecc_start);
    for b in 0..blocks {
        let data = raw.get(b * data_len..(b + 1) * data_len);
        let ecc = raw.get(ecc_start + b * ecc_len..ecc_start + (b + 1) * ecc_len);
        let (Some(data), Some(ecc)) = (data, ecc) else {
            return Err(Failure::Format);
        };
        let mut block = [data, ecc].concat();
        correct_block(&mut block, ecc_len)?;
        out.extend(block.get(..data_len).ok_or(Failure::Format)?);
    }
    Ok(out)
}

/// Correct one Reed–Solomon block in place (generator roots α^0 … α^(ecc_len-1); the first
/// codeword is the highest-degree coefficient).
pub(crate) fn correct_block(block: &mut [u8], ecc_len: usize) -> Result<(), Failure> {
    let f = &FIELD;
    let n = block.len();
    if ecc_len == 0 || n > 255 || ecc_len >= n {
        return Err(Failure::Format);
    }
    // Syndromes S_j = r(α^j) by Horner's rule.
    let mut syndromes = vec![0u8; ecc_len];
    let mut clean = true;
    for (j, s) in syndromes.iter_mut().enumerate() {
        let a = f.pow(j);
        *s = block.iter().fold(0u8, |acc, &c| f.mul(acc, a) ^ c);
        clean &= *s == 0;
    }
    if clean {
        return Ok(());
    }
    // Berlekamp–Massey: the error locator Λ(x), lowest degree first.
    let mut lambda = vec![0u8; ecc_len + 1];
    let mut prev = vec![0u8; ecc_len + 1];
    if let (Some(l0), Some(p0)) = (lambda.first_mut(), prev.first_mut()) {
        (*l0, *p0) = (1, 1);
    }
    let (mut len, mut shift, mut prev_disc) = (0usize, 1usize, 1u8);
    for k in 0..ecc_len {
        let mut disc = syndromes.get(k).copied().unwrap_or(0);
        for i in 1..=len {
            let l = lambda.get(i).copied().unwrap_or(0);
            let s = k
                .checked_sub(i)
                .and_then(|j| syndromes.get(j))
                .copied()
                .unwrap_or(0);
            disc ^= f.mul(l, s);
        }
        if disc == 0 {
            shift += 1;
            continue;
        }
        let coef = f.div(disc, prev_disc);
        let before = lambda.clone();
        for (i, p) in prev.iter().enumerate() {
            if let Some(l) = lambda.get_mut(i + shift) {
                *l ^= f.mul(coef, *p);
            }
        }
        if 2 * len <= k {
            len = k + 1 - len;
            prev = before;
            prev_disc = disc;
            shift = 1;
        } else {
            shift += 1;
        }
    }
    if 2 * len > ecc_len {
        return Err(Failure::Errors);
    }
    // Ω(x) = S(x) Λ(x) mod x^ecc_len.
    let mut omega = vec![0u8; ecc_len];
    for (i, o) in omega.iter_mut().enumerate() {
        for j in 0..=i.min(len) {
            let l = lambda.get(j).copied().unwrap_or(0);
            let s = syndromes.get(i - j).copied().unwrap_or(0);
            *o ^= f.mul(l, s);
        }
    }
    let eval = |poly: &[u8], x: u8| poly.iter().rev().fold(0u8, |acc, &c| f.mul(acc, x) ^ c);
    // Chien search over the n positions; position i has locator X = α^(n-1-i).
    let mut found = 0usize;
    for i in 0..n {
        let power = n - 1 - i;
        let x_inv = f.pow(255 - power % 255);
        if eval(lambda.get(..=len).unwrap_or(&[]), x_inv) != 0 {
            continue;
        }
        found += 1;
        // Forney (first root α^0): e = X · Ω(X⁻¹) / Λ'(X⁻¹); the formal derivative keeps the
        // odd terms.
        let mut derivative = 0u8;
        let mut xp = 1u8; // x_inv^(j-1) for odd j
        let x2 = f.mul(x_inv, x_inv);
        for j in (1..=len).step_by(2) {
            derivative ^= f.mul(lambda.get(j).copied().unwrap_or(0), xp);
            xp = f.mul(xp, x2);
        }
        if derivative == 0 {
            return Err(Failure::Errors);
        }
        let magnitude = f.mul(f.pow(power), f.div(eval(&omega, x_inv), derivative));
        if let Some(c) = block.get_mut(i) {
            *c ^= magnitude;
        }
    }
    if found != len {
        return Err(Failure::Errors);
    }
    Ok(())
}

/// Reads bits most significant first.
struct Bits<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Bits<'_> {
    fn left(&self) -> usize {
        (self.data.len() * 8).saturating_sub(self.pos)
    }

    fn read(&mut self, count: usize) -> Option<u32> {
        if count > 24 || count > self.left() {
            return None;
        }
        let mut v = 0u32;
        for _ in 0..count {
            let byte = self.data.get(self.pos / 8)?;
            let bit = (byte >> (7 - self.pos % 8)) & 1;
            v = (v << 1) | u32::from(bit);
            self.pos += 1;
        }
        Some(v)
    }
}

/// The characters of alphanumeric mode, by value.
const ALPHANUMERIC: &[u8; 45] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/// The data of a symbol's segments.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stream {
    bytes: Vec<u8>,
    /// Byte offset in `bytes` and assignment number of each ECI designator.
    ecis: Vec<(usize, u32)>,
}

/// ECI designators kept per symbol; a symbol that switches sets more often is not data.
const ECIS_MAX: usize = 16;

/// Decode the data segments (ISO/IEC 18004:2015, 7.4): numeric, alphanumeric, byte and kanji
/// (as Shift_JIS bytes) data, and the ECI designators with the byte offset each takes effect
/// at; structured-append headers and FNC1 indicators are read and skipped, except that in GS1
/// mode (FNC1 in first position) an alphanumeric `%` is the GS separator (0x1D) and `%%` a
/// percent sign.
fn segments(data: &[u8], version: usize) -> Option<Stream> {
    let mut bits = Bits { data, pos: 0 };
    let mut out = Vec::with_capacity(data.len());
    let mut ecis: Vec<(usize, u32)> = Vec::new();
    let size = |small: usize, medium: usize, large: usize| match version {
        0..=9 => small,
        10..=26 => medium,
        _ => large,
    };
    let mut gs1 = false;
    while bits.left() >= 4 {
        let mode = bits.read(4)?;
        match mode {
            0 => break,
            // Numeric: three digits in 10 bits, two in 7, one in 4.
            1 => {
                let mut count = usize::try_from(bits.read(size(10, 12, 14))?).ok()?;
                while count > 0 {
                    let (digits, width) = match count {
                        1 => (1, 4),
                        2 => (2, 7),
                        _ => (3, 10),
                    };
                    let v = bits.read(width)?;
                    let limit = [10, 100, 1000].get(digits - 1).copied()?;
                    if v >= limit {
                        return None;
                    }
                    let text = format!("{v:0digits$}");
                    out.extend_from_slice(text.as_bytes());
                    count -= digits;
                }
            }
            // Alphanumeric: two characters in 11 bits, one in 6.
            2 => {
                let mut count = usize::try_from(bits.read(size(9, 11, 13))?).ok()?;
                let mut chars = Vec::with_capacity(count);
                while count > 0 {
                    if count >= 2 {
                        let v = usize::try_from(bits.read(11)?).ok()?;
                        chars.push(*ALPHANUMERIC.get(v / 45)?);
                        chars.push(*ALPHANUMERIC.get(v % 45)?);
                        count -= 2;
                    } else {
                        let v = usize::try_from(bits.read(6)?).ok()?;
                        chars.push(*ALPHANUMERIC.get(v)?);
                        count -= 1;
                    }
                }
                if gs1 {
                    let mut i = 0;
                    while let Some(&c) = chars.get(i) {
                        if c == b'%' {
                            if chars.get(i + 1) == Some(&b'%') {
                                out.push(b'%');
                                i += 1;
                            } else {
                                out.push(0x1d);
                            }
                        } else {
                            out.push(c);
                        }
                        i += 1;
                    }
                } else {
                    out.extend(chars);
                }
            }
            // Byte.
            4 => {
                let count = usize::try_from(bits.read(size(8, 16, 16))?).ok()?;
                if count * 8 > bits.left() {
                    return None;
                }
                for _ in 0..count {
                    out.push(u8::try_from(bits.read(8)?).ok()?);
                }
            }
            // Kanji: 13 bits a character, back to its Shift_JIS code.
            8 => {
                let count = usize::try_from(bits.read(size(8, 10, 12))?).ok()?;
                if count * 13 > bits.left() {
                    return None;
                }
                for _ in 0..count {
                    let v = bits.read(13)?;
                    let code = ((v / 0xc0) << 8) | (v % 0xc0);
                    let sjis = if code + 0x8140 <= 0x9ffc {
                        code + 0x8140
                    } else {
                        code + 0xc140
                    };
                    out.extend_from_slice(&u16::try_from(sjis).ok()?.to_be_bytes());
                }
            }
            // ECI designator: 1, 2 or 3 bytes by its leading bits (0, 10, 110), the rest of
            // them the assignment number.
            7 => {
                let first = bits.read(8)?;
                let (high, more) = match first {
                    0x00..=0x7f => (first, 0),
                    0x80..=0xbf => (first & 0x3f, 8),
                    0xc0..=0xdf => (first & 0x1f, 16),
                    _ => return None,
                };
                let eci = (high << more) | bits.read(more)?;
                if ecis.len() >= ECIS_MAX {
                    return None;
                }
                ecis.push((out.len(), eci));
            }
            // Structured append: symbol index, count and parity.
            3 => {
                bits.read(16)?;
            }
            // FNC1 in first position (GS1).
            5 => gs1 = true,
            // FNC1 in second position: an application indicator.
            9 => {
                bits.read(8)?;
            }
            _ => return None,
        }
    }
    Some(Stream { bytes: out, ecis })
}

#[cfg(test)]
#[allow(clippy::cast_possible_truncation)]
mod tests {
    use super::*;

    /// Systematic Reed–Solomon encoding with the QR generator: the remainder of
    /// `data · x^ecc_len` divided by ∏ (x − α^i).
    fn rs_encode(data: &[u8], ecc_len: usize) -> Vec<u8> {
        let f = &FIELD;
        let mut generator = vec![1u8];
        for i in 0..ecc_len {
            let mut next = vec![0u8; generator.len() + 1];
            for (j, &g) in generator.iter().enumerate() {
                next[j] ^= g;
                next[j + 1] ^= f.mul(g, f.pow(i));
            }
            generator = next;
        }
        let mut rem = vec![0u8; ecc_len];
        for &d in data {
            let factor = d ^ rem[0];
            rem.remove(0);
            rem.push(0);
            for (r, &g) in rem.iter_mut().zip(&generator[1..]) {
                *r ^= f.mul(g, factor);
            }
        }
        let mut out = data.to_vec();
        out.extend(rem);
        out
    }

    fn lcg(seed: &mut u64) -> u64 {
        *seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        *seed >> 33
    }

    #[test]
    fn reed_solomon_corrects_up_to_half_the_ecc_codewords() {
        let mut seed = 7;
        for &(n, ecc_len) in &[(26, 7), (26, 17), (44, 28), (151, 30), (255, 30)] {
            for errors in 0..=ecc_len / 2 {
                let data: Vec<u8> = (0..n - ecc_len).map(|_| lcg(&mut seed) as u8).collect();
                let clean = rs_encode(&data, ecc_len);
                let mut block = clean.clone();
                let mut hit = Vec::new();
                while hit.len() < errors {
                    let at = lcg(&mut seed) as usize % n;
                    if !hit.contains(&at) {
                        hit.push(at);
                        block[at] ^= 1 + (lcg(&mut seed) % 255) as u8;
                    }
                }
                assert_eq!(
                    correct_block(&mut block, ecc_len),
                    Ok(()),
                    "n {n} e {errors}"
                );
                assert_eq!(block, clean, "n {n} ecc {ecc_len} errors {errors}");
            }
        }
    }

    #[test]
    fn reed_solomon_refuses_too_many_errors_or_corrects_to_a_codeword() {
        let mut seed = 11;
        let (n, ecc_len) = (26, 10);
        for _ in 0..200 {
            let data: Vec<u8> = (0..n - ecc_len).map(|_| lcg(&mut seed) as u8).collect();
            let clean = rs_encode(&data, ecc_len);
            let mut block = clean.clone();
            for i in 0..ecc_len / 2 + 1 {
                block[i * 2] ^= 0x5a;
            }
            // Beyond the capacity a decoder may fail or land on another codeword, never on a
            // word that is not one.
            if correct_block(&mut block, ecc_len).is_ok() {
                let reencoded = rs_encode(&block[..n - ecc_len], ecc_len);
                assert_eq!(block, reencoded);
                assert_ne!(block, clean);
            }
        }
    }

    #[test]
    fn segments_decode_every_mode() {
        // Numeric "01234567" (version 1): 0001, count 8 in 10 bits, 012 345 67, terminator.
        let mut bits = String::new();
        let mut push = |v: u32, n: usize| bits.push_str(&format!("{v:0n$b}"));
        push(1, 4);
        push(8, 10);
        push(12, 10);
        push(345, 10);
        push(67, 7);
        // Alphanumeric "A%B%%C" in GS1 mode (FNC1 first): % is GS, %% is %.
        push(5, 4);
        push(2, 4);
        push(6, 9);
        push(10 * 45 + 38, 11);
        push(11 * 45 + 38, 11);
        push(38 * 45 + 12, 11);
        // Byte "é" (UTF-8, after an ECI 26 designator).
        push(7, 4);
        push(26, 8);
        push(4, 4);
        push(2, 8);
        push(0xc3, 8);
        push(0xa9, 8);
        // Kanji 点 (Shift_JIS 0x935F): 0x935F − 0x8140 = 0x121F → 0x12·0xC0 + 0x1F.
        push(8, 4);
        push(1, 8);
        push(0x12 * 0xc0 + 0x1f, 13);
        push(0, 4);
        while !bits.len().is_multiple_of(8) {
            bits.push('0');
        }
        let bytes: Vec<u8> = bits
            .as_bytes()
            .chunks(8)
            .map(|c| u8::from_str_radix(std::str::from_utf8(c).unwrap(), 2).unwrap())
            .collect();
        let mut want = b"01234567A\x1dB%C".to_vec();
        want.extend("é".as_bytes());
        want.extend([0x93, 0x5f]);
        assert_eq!(
            segments(&bytes, 1),
            Some(Stream {
                bytes: want,
                ecis: vec![(13, 26)]
            })
        );
        // A two-byte ECI designator (899, binary: 10 000011 10000011) before a byte "A".
        assert_eq!(
            segments(&[0x78, 0x38, 0x34, 0x01, 0x41, 0], 1),
            Some(Stream {
                bytes: b"A".to_vec(),
                ecis: vec![(0, 899)]
            })
        );
        // A digit triple above 999 is invalid.
        assert_eq!(
            segments(&[0b0001_0000, 0b0000_1111, 0b1111_1111, 0], 1),
            None
        );
    }

    #[test]
    fn the_block_table_adds_up() {
        for (v, (total, levels)) in BLOCKS.iter().enumerate() {
            let dim = 17 + 4 * (v + 1);
            let modules = function_map(dim, v + 1).iter().filter(|f| !**f).count();
            assert_eq!(modules / 8, *total, "version {}", v + 1);
            for (ecc_len, blocks) in levels {
                assert!(ecc_len * blocks < *total);
                assert!(total / blocks <= 255);
            }
        }
    }

    #[test]
    fn model1_placement_reads_each_data_module_once() {
        for (v, levels) in MODEL1_BLOCKS.iter().enumerate() {
            let d = 17 + 4 * (v + 1);
            let seen = std::cell::RefCell::new(vec![0u8; d * d]);
            let codewords = read_codewords_model1(d, 0, &|x, y| {
                seen.borrow_mut()[y * d + x] += 1;
                false
            });
            let seen = seen.into_inner();
            assert!(seen.iter().all(|&n| n <= 1), "version {}", v + 1);
            for y in 0..d {
                for x in 0..d {
                    let finder = (x < 9 && (y < 9 || y >= d - 8)) || (y < 9 && x >= d - 8);
                    if finder || x == 6 || y == 6 {
                        assert_eq!(seen[y * d + x], 0, "version {} ({x}, {y})", v + 1);
                    }
                }
            }
            // Every level fits in the grid; up to version 12 level L fills it.
            let (ecc_len, blocks, data_len) = levels[1];
            if v < 12 {
                assert_eq!(
                    codewords.len(),
                    blocks * (ecc_len + data_len),
                    "version {}",
                    v + 1
                );
            }
            for (ecc_len, blocks, data_len) in levels {
                let total = blocks * (ecc_len + data_len);
                assert!(total <= codewords.len(), "version {} {total}", v + 1);
                assert!(ecc_len + data_len <= 255);
            }
        }
    }

    #[test]
    fn model1_blocks_are_corrected_one_after_the_other() {
        // Version 5-H: two blocks of 23 data and 44 error-correction codewords, the data of
        // both first, then the error correction of both.
        let (ecc_len, data_len) = (44, 23);
        let data: Vec<u8> = (0..2 * data_len).map(|i| (i * 7 + 3) as u8).collect();
        let blocks: Vec<Vec<u8>> = data
            .chunks(data_len)
            .map(|d| rs_encode(d, ecc_len))
            .collect();
        let mut raw: Vec<u8> = blocks.iter().flat_map(|b| b[..data_len].to_vec()).collect();
        raw.extend(blocks.iter().flat_map(|b| b[data_len..].to_vec()));
        for at in [0, 5, 30, 47, 90, 133] {
            raw[at] ^= 0xa5;
        }
        assert_eq!(correct_model1(&raw, ecc_len, 2, data_len), Ok(data));
        assert_eq!(
            correct_model1(&raw[..100], ecc_len, 2, data_len),
            Err(Failure::Format)
        );
    }

    #[test]
    fn a_nibble_shifts_out() {
        let mut data = [0x0a, 0xbc, 0xde];
        shift_out_nibble(&mut data);
        assert_eq!(data, [0xab, 0xcd, 0xe0]);
    }

    /// Our decoder against `rqrr`'s on symbols the `qrcode` crate renders (numeric,
    /// alphanumeric and byte segments, every level), clean and with modules flipped.
    #[cfg(feature = "render")]
    #[test]
    fn agrees_with_rqrr() {
        struct Grid(usize, Vec<bool>);
        impl rqrr::BitGrid for Grid {
            fn size(&self) -> usize {
                self.0
            }
            fn bit(&self, y: usize, x: usize) -> bool {
                self.1[y * self.0 + x]
            }
        }
        let payloads = [
            "0123456789012345678901234567890123456789",
            "HTTPS://EXAMPLE.COM/PAY?AMOUNT=12.50",
            "00020101021229300012D156000000000510A93FO3230Q6304ABCD",
            "Grüße aus 北京 — 5 € bitte",
        ];
        let mut seed = 3;
        let mut compared = 0;
        for (k, text) in payloads.iter().enumerate() {
            for level in [
                qrcode::EcLevel::L,
                qrcode::EcLevel::M,
                qrcode::EcLevel::Q,
                qrcode::EcLevel::H,
            ] {
                let repeated = text.repeat(1 + k * 3);
                let code = qrcode::QrCode::with_error_correction_level(&repeated, level).unwrap();
                let dim = code.width();
                let clean: Vec<bool> = code
                    .to_colors()
                    .iter()
                    .map(|c| *c == qrcode::Color::Dark)
                    .collect();
                for flips in [0usize, 3, 12, 40] {
                    let mut modules = clean.clone();
                    for _ in 0..flips {
                        let i = lcg(&mut seed) as usize % modules.len();
                        modules[i] = !modules[i];
                    }
                    let ours = decode(dim, &|x, y| modules[y * dim + x]);
                    let mut theirs = Vec::new();
                    let meta = rqrr::Grid::new(Grid(dim, modules.clone())).decode_to(&mut theirs);
                    match (ours, meta) {
                        (Ok(data), Ok(meta)) => {
                            assert_eq!(data.bytes, theirs);
                            assert_eq!(usize::from(data.version), meta.version.0);
                            assert_eq!(data.ecc_bits, meta.ecc_level);
                            compared += 1;
                        }
                        (Err(_), Err(_)) => {}
                        (ours, theirs) => panic!(
                            "{repeated:?} {level:?} flips {flips}: ours {ours:?}, rqrr {theirs:?}"
                        ),
                    }
                    if flips == 0 {
                        let data = decode(dim, &|x, y| modules[y * dim + x]).unwrap();
                        assert_eq!(data.bytes, repeated.as_bytes());
                    }
                }
            }
        }
        assert!(compared >= 40, "{compared}");
    }
}
