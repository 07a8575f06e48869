//! Greyscale working images and their thresholding into dark and light pixels.

/// An owned 8-bit greyscale image, row-major.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Gray {
    pub w: usize,
    pub h: usize,
    pub px: Vec<u8>,
}

impl Gray {
    /// The image shrunk by an integer `factor` with box averaging (partial edge boxes dropped).
    pub(crate) fn downscaled(&self, factor: usize) -> Gray {
        let factor = factor.max(1);
        let (w, h) = (self.w / factor, self.h / factor);
        let mut px = Vec::with_capacity(w * h);
        let area = u32::try_from(factor * factor).unwrap_or(u32::MAX);
        let mut sums = vec![0u32; w];
        for band in self
            .px
            .chunks_exact(self.w)
            .collect::<Vec<_>>()
            .chunks_exact(factor)
            .take(h)
        {
            sums.fill(0);
            for row in band {
                for (sum, cell) in sums.iter_mut().zip(row.chunks_exact(factor)) {
                    *sum += cell.iter().map(|&p| u32::from(p)).sum::<u32>();
                }
            }
            px.extend(
                sums.iter()
                    .map(|s| u8::try_from(s / area).unwrap_or(u8::MAX)),
            );
        }
        Gray { w, h, px }
    }

    /// The image enlarged by an integer `factor`, interpolating bilinearly between pixel
    /// centres (small codes with one-pixel modules need room for the finder search).
    pub(crate) fn upscaled(&self, factor: usize) -> Gray {
        let f = factor.max(1);
        let (w, h) = (self.w * f, self.h * f);
        let mut px = Vec::with_capacity(w * h);
        let fi = i64::try_from(f).unwrap_or(1);
        let at = |x: i64, y: i64| {
            let x = usize::try_from(x.max(0))
                .unwrap_or(0)
                .min(self.w.saturating_sub(1));
            let y = usize::try_from(y.max(0))
                .unwrap_or(0)
                .min(self.h.saturating_sub(1));
            i64::from(self.px.get(y * self.w + x).copied().unwrap_or(255))
        };
        for y in 0..h {
            // Position in source pixels ×2f, relative to source pixel centres.
            let sy = i64::try_from(2 * y + 1).unwrap_or(0) - fi;
            let (y0, ty) = (sy.div_euclid(2 * fi), sy.rem_euclid(2 * fi));
            for x in 0..w {
                let sx = i64::try_from(2 * x + 1).unwrap_or(0) - fi;
                let (x0, tx) = (sx.div_euclid(2 * fi), sx.rem_euclid(2 * fi));
                let d = 2 * fi;
                let top = at(x0, y0) * (d - tx) + at(x0 + 1, y0) * tx;
                let bottom = at(x0, y0 + 1) * (d - tx) + at(x0 + 1, y0 + 1) * tx;
                let v = (top * (d - ty) + bottom * ty) / (d * d);
                px.push(u8::try_from(v.clamp(0, 255)).unwrap_or(255));
            }
        }
        Gray { w, h, px }
    }
}

/// A thresholded image: `true` is dark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BitImage {
    pub w: usize,
    pub h: usize,
    pub dark: Vec<bool>,
}

impl BitImage {
    /// Whether the pixel at `(x, y)` is dark; outside the image is light.
    pub(crate) fn get(&self, x: i64, y: i64) -> bool {
        let (Ok(x), Ok(y)) = (usize::try_from(x), usize::try_from(y)) else {
            return false;
        };
        if x >= self.w || y >= self.h {
            return false;
        }
        self.dark.get(y * self.w + x).copied().unwrap_or(false)
    }

    /// The same image with dark and light swapped (for light-on-dark codes).
    pub(crate) fn inverted(&self) -> BitImage {
        BitImage {
            w: self.w,
            h: self.h,
            dark: self.dark.iter().map(|d| !d).collect(),
        }
    }
}

/// Block side of the local threshold, in pixels.
const BLOCK: usize = 8;
/// Blocks whose brightness range is below this are taken as flat.
const FLAT_RANGE: u8 = 24;

/// Local-threshold binarisation: each 8×8 block gets the mean of its pixels (or, when flat, a
/// guess from its neighbours), and each pixel is compared with the mean of the block means in
/// the surrounding 5×5 blocks. Robust to uneven light, cheap, one pass plus a box filter.
pub(crate) fn hybrid(img: &Gray) -> BitImage {
    let (w, h) = (img.w, img.h);
    let bw = w.div_ceil(BLOCK);
    let bh = h.div_ceil(BLOCK);
    let mut mean = vec![0u32; bw * bh];
    // Per column of the current band of BLOCK rows: darkest, brightest and sum, kept column by
    // column so the loop over a row is element-wise (the binarisation's main cost).
    let row_len = w.max(1);
    let mut col_lo = vec![u8::MAX; w];
    let mut col_hi = vec![0u8; w];
    let mut col_sum = vec![0u16; w];
    for (by, band) in img.px.chunks(row_len * BLOCK).enumerate().take(bh) {
        col_lo.fill(u8::MAX);
        col_hi.fill(0);
        col_sum.fill(0);
        let rows = band.len() / row_len;
        for row in band.chunks_exact(row_len) {
            let cols = col_lo
                .iter_mut()
                .zip(col_hi.iter_mut())
                .zip(col_sum.iter_mut());
            for (((lo, hi), sum), &p) in cols.zip(row) {
                *lo = (*lo).min(p);
                *hi = (*hi).max(p);
                // At most BLOCK (8) rows of at most 255: far below u16::MAX.
                *sum = sum.wrapping_add(u16::from(p));
            }
        }
        let blocks = col_lo
            .chunks(BLOCK)
            .zip(col_hi.chunks(BLOCK))
            .zip(col_sum.chunks(BLOCK));
        for (bx, ((los, his), sums)) in blocks.enumerate() {
            // A partial block at the right edge (width not a multiple of 8) gets no
            // statistics and so counts as flat, as this binarisation has always done: giving
            // it its own changes which marginal photos read (one fewer of the 137).
            let (lo, hi, sum, n) = if los.len() < BLOCK {
                (u8::MAX, 0, 0, 0)
            } else {
                (
                    los.iter().copied().min().unwrap_or(u8::MAX),
                    his.iter().copied().max().unwrap_or(0),
                    sums.iter().map(|&s| u32::from(s)).sum::<u32>(),
                    u32::try_from(los.len() * rows).unwrap_or(0),
                )
            };
            let m = block_mean((lo, hi, sum, n), bx, by, bw, &mean);
            if let Some(slot) = mean.get_mut(by * bw + bx) {
                *slot = m;
            }
        }
    }
    // Each block's threshold: the mean of the block means in the 5×5 blocks around it, from a
    // summed-area table of the means (a zero row and column in front).
    let side = bw + 1;
    let mut sat = vec![0u32; side * (bh + 1)];
    for by in 0..bh {
        let mut row = 0u32;
        for bx in 0..bw {
            row += mean.get(by * bw + bx).copied().unwrap_or(0);
            let above = sat.get(by * side + bx + 1).copied().unwrap_or(0);
            if let Some(slot) = sat.get_mut((by + 1) * side + bx + 1) {
                *slot = above + row;
            }
        }
    }
    let at = |x: usize, y: usize| sat.get(y * side + x).copied().unwrap_or(0);
    let mut threshold = vec![0u8; bw * bh];
    for by in 0..bh {
        let (ty0, ty1) = (by.saturating_sub(2), (by + 3).min(bh));
        for bx in 0..bw {
            let (tx0, tx1) = (bx.saturating_sub(2), (bx + 3).min(bw));
            let n = u32::try_from((tx1 - tx0) * (ty1 - ty0)).unwrap_or(0);
            let sum = (at(tx1, ty1) + at(tx0, ty0)).saturating_sub(at(tx0, ty1) + at(tx1, ty0));
            let t = sum.checked_div(n).unwrap_or(0);
            if let Some(slot) = threshold.get_mut(by * bw + bx) {
                *slot = u8::try_from(t).unwrap_or(u8::MAX);
            }
        }
    }
    apply_thresholds(img, bw, &threshold)
}

/// A block's threshold from its darkest and brightest pixel, pixel sum and count: the mean, or
/// for a flat block (most likely background) a level below its minimum, unless the blocks above
/// and to the left (`mean`, row-major, `bw` wide) say the area is darker than that.
fn block_mean(
    (lo, hi, sum, n): (u8, u8, u32, u32),
    bx: usize,
    by: usize,
    bw: usize,
    mean: &[u32],
) -> u32 {
    if hi.saturating_sub(lo) > FLAT_RANGE {
        return sum.checked_div(n).unwrap_or(0);
    }
    let mut m = u32::from(lo) / 2;
    if bx > 0 && by > 0 {
        let up = mean.get((by - 1) * bw + bx).copied().unwrap_or(0);
        let left = mean.get(by * bw + bx - 1).copied().unwrap_or(0);
        let diag = mean.get((by - 1) * bw + bx - 1).copied().unwrap_or(0);
        let around = (up + 2 * left + diag) / 4;
        if u32::from(lo) < around {
            m = around;
        }
    }
    m
}

/// Each pixel dark when at most its block's threshold (`threshold`, row-major, `bw` blocks
/// wide); a partial block at the right edge takes the threshold after the last whole one.
fn apply_thresholds(img: &Gray, bw: usize, threshold: &[u8]) -> BitImage {
    let (w, h) = (img.w, img.h);
    let mut dark = vec![false; w * h];
    for (y, (dst, src)) in dark
        .chunks_mut(w.max(1))
        .zip(img.px.chunks(w.max(1)))
        .enumerate()
    {
        let row_t = threshold
            .get((y / BLOCK) * bw..(y / BLOCK + 1) * bw)
            .unwrap_or(&[]);
        let mut out = dst.chunks_exact_mut(BLOCK);
        let mut cells = src.chunks_exact(BLOCK);
        let mut ts = row_t.iter();
        for ((d, s), &t) in (&mut out).zip(&mut cells).zip(&mut ts) {
            for (d, &p) in d.iter_mut().zip(s) {
                *d = p <= t;
            }
        }
        if let Some(&t) = ts.next() {
            for (d, &p) in out.into_remainder().iter_mut().zip(cells.remainder()) {
                *d = p <= t;
            }
        }
    }
    BitImage { w, h, dark }
}

/// Mean-window binarisation with a wide window: a pixel is dark when it is darker than the mean
/// of the `(2r+1)²` window around it minus a small margin. Slower than [`hybrid`] but kinder to
/// blurred or low-contrast codes.
pub(crate) fn mean_window(img: &Gray, radius: usize) -> BitImage {
    let (w, h) = (img.w, img.h);
    // Summed-area table with a zero row and column in front.
    let mut sat = vec![0u64; (w + 1) * (h + 1)];
    for y in 0..h {
        let mut row_sum = 0u64;
        for x in 0..w {
            row_sum += u64::from(img.px.get(y * w + x).copied().unwrap_or(0));
            let above = sat.get(y * (w + 1) + x + 1).copied().unwrap_or(0);
            if let Some(s) = sat.get_mut((y + 1) * (w + 1) + x + 1) {
                *s = above + row_sum;
            }
        }
    }
    let s = |x: usize, y: usize| sat.get(y * (w + 1) + x).copied().unwrap_or(0);
    let mut dark = vec![false; w * h];
    for y in 0..h {
        let (y0, y1) = (y.saturating_sub(radius), (y + radius + 1).min(h));
        for x in 0..w {
            let (x0, x1) = (x.saturating_sub(radius), (x + radius + 1).min(w));
            let area = u64::try_from((x1 - x0) * (y1 - y0)).unwrap_or(1).max(1);
            let sum = (s(x1, y1) + s(x0, y0)).saturating_sub(s(x0, y1) + s(x1, y0));
            let p = u64::from(img.px.get(y * w + x).copied().unwrap_or(0));
            // Dark when at least ~3 % below the local mean.
            if let Some(d) = dark.get_mut(y * w + x) {
                *d = p * area * 32 < sum * 31;
            }
        }
    }
    BitImage { w, h, dark }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_thresholds_follow_a_gradient() {
        // 96×96, background brightening left to right 60..250, a 48×48 checkerboard of 4 px
        // squares whose dark squares are 60 below the local background: the dark squares on
        // the right are brighter than the light background on the far left.
        let (w, h) = (96, 96);
        let mut px = Vec::new();
        for y in 0..h {
            for x in 0..w {
                let bg = 60 + 2 * u8::try_from(x).unwrap();
                let inside = (40..88).contains(&x) && (24..72).contains(&y);
                let dark = inside && (x / 4 + y / 4) % 2 == 0;
                px.push(if dark { bg - 60 } else { bg });
            }
        }
        let img = Gray { w, h, px };
        for bits in [hybrid(&img), mean_window(&img, 12)] {
            assert!(bits.get(74, 42), "dark square at the bright end");
            assert!(!bits.get(78, 42), "light square at the bright end");
            assert!(bits.get(50, 42));
            assert!(!bits.get(54, 42));
            assert!(!bits.get(20, 85), "background at the dark end");
            assert!(!bits.get(-1, 0));
        }
    }

    /// The block-by-block version this binarisation replaced, kept to check the faster one
    /// gives the same bits.
    fn hybrid_before(img: &Gray) -> BitImage {
        let (w, h) = (img.w, img.h);
        let bw = w.div_ceil(BLOCK);
        let bh = h.div_ceil(BLOCK);
        let mut mean = vec![0u32; bw * bh];
        // Per block of the current band: darkest, brightest, sum, pixel count.
        let mut stats = vec![(u8::MAX, 0u8, 0u32, 0u32); bw];
        for (by, band) in img.px.chunks(w.max(1) * BLOCK).enumerate().take(bh) {
            stats.fill((u8::MAX, 0, 0, 0));
            // One pass with branch-free minimum and maximum: this loop is the binarisation's
            // main cost.
            let add = |stat: &mut (u8, u8, u32, u32), cell: &[u8]| {
                let (mut lo, mut hi, mut sum) = (stat.0, stat.1, 0u32);
                for &p in cell {
                    lo = lo.min(p);
                    hi = hi.max(p);
                    sum += u32::from(p);
                }
                *stat = (
                    lo,
                    hi,
                    stat.2 + sum,
                    stat.3 + u32::try_from(cell.len()).unwrap_or(0),
                );
            };
            for row in band.chunks(w.max(1)) {
                let mut cells = row.chunks_exact(BLOCK);
                let mut slots = stats.iter_mut();
                for (stat, cell) in (&mut slots).zip(&mut cells) {
                    add(stat, cell);
                }
                if let Some(stat) = slots.next() {
                    add(stat, cells.remainder());
                }
            }
            for (bx, &(lo, hi, sum, n)) in stats.iter().enumerate() {
                let m = block_mean((lo, hi, sum, n), bx, by, bw, &mean);
                if let Some(slot) = mean.get_mut(by * bw + bx) {
                    *slot = m;
                }
            }
        }
        // Each block's threshold: the mean of the block means in the 5×5 blocks around it.
        let mut threshold = vec![0u8; bw * bh];
        for by in 0..bh {
            let (ty0, ty1) = (by.saturating_sub(2), (by + 3).min(bh));
            for bx in 0..bw {
                let (tx0, tx1) = (bx.saturating_sub(2), (bx + 3).min(bw));
                let mut sum = 0u32;
                let mut n = 0u32;
                for ty in ty0..ty1 {
                    for v in mean.get(ty * bw + tx0..ty * bw + tx1).unwrap_or(&[]) {
                        sum += v;
                        n += 1;
                    }
                }
                let t = sum.checked_div(n).unwrap_or(0);
                if let Some(slot) = threshold.get_mut(by * bw + bx) {
                    *slot = u8::try_from(t).unwrap_or(u8::MAX);
                }
            }
        }
        apply_thresholds(img, bw, &threshold)
    }

    #[test]
    fn hybrid_gives_the_bits_of_the_block_by_block_version() {
        let mut seed = 5u64;
        for (w, h) in [
            (1, 1),
            (7, 9),
            (8, 8),
            (37, 21),
            (64, 40),
            (101, 77),
            (365, 30),
        ] {
            let px = (0..w * h)
                .map(|i| {
                    seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    // Smooth areas (flat blocks) beside noisy ones.
                    if (i % w) < w / 3 {
                        200
                    } else {
                        (seed >> 56) as u8
                    }
                })
                .collect();
            let img = Gray { w, h, px };
            assert_eq!(hybrid(&img), hybrid_before(&img), "{w}x{h}");
        }
    }

    #[test]
    fn scaling_keeps_levels() {
        let img = Gray {
            w: 4,
            h: 2,
            px: vec![0, 0, 200, 200, 0, 0, 200, 200],
        };
        let small = img.downscaled(2);
        assert_eq!((small.w, small.h, small.px.clone()), (2, 1, vec![0, 200]));
        let big = img.upscaled(3);
        assert_eq!((big.w, big.h), (12, 6));
        assert_eq!(big.px[0], 0);
        assert_eq!(big.px[11], 200);
    }
}
