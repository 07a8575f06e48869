//! Finder-pattern search: 1:1:3:1:1 dark-light-dark-light-dark runs, found along rows and along
//! columns, confirmed across, and merged.

use super::binarize::BitImage;
use super::geometry::{Pt, SUB};

/// A finder-pattern candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Finder {
    /// Centre, sub-pixels.
    pub c: Pt,
    /// Module size, sub-pixels, the mean of the row and column crossings.
    pub module: i64,
    /// Module size measured along the row crossing, sub-pixels.
    pub module_x: i64,
    /// Module size measured along the column crossing, sub-pixels.
    pub module_y: i64,
    /// How many scan lines confirmed it.
    pub count: u32,
}

/// At most this many candidates are kept (the most confirmed first).
pub(crate) const FINDERS_MAX: usize = 40;

/// All finder candidates in `img`, most confirmed first, at most [`FINDERS_MAX`].
pub(crate) fn find(img: &BitImage, tolerance_pct: i64) -> Vec<Finder> {
    let mut found: Vec<Finder> = Vec::new();
    let mut runs: Vec<(bool, usize)> = Vec::with_capacity(img.w.max(img.h));
    // Scan every line of a small image and every other line of a large one.
    let step = if img.w.max(img.h) > 900 { 2 } else { 1 };
    for y in (0..img.h).step_by(step) {
        let row = img.dark.get(y * img.w..(y + 1) * img.w).unwrap_or(&[]);
        run_lengths(row, &mut runs);
        for (start, five) in candidates(&runs, tolerance_pct) {
            let cx = to_sub(start + five[0] + five[1]) + to_sub(five[2]) / 2;
            let cy = to_sub(y) + SUB / 2;
            confirm(
                img,
                Pt::new(cx, cy),
                total(&five),
                tolerance_pct,
                &mut found,
            );
        }
    }
    // Rows alone usually find every finder (each is confirmed across); columns are scanned
    // only when rows found fewer than three well-confirmed candidates.
    if found.iter().filter(|f| f.count >= 3).count() >= 3 {
        found.sort_by(|a, b| b.count.cmp(&a.count).then(b.module.cmp(&a.module)));
        found.truncate(FINDERS_MAX);
        return found;
    }
    let mut column = Vec::with_capacity(img.h);
    for x in (0..img.w).step_by(step) {
        column.clear();
        column.extend(img.dark.iter().skip(x).step_by(img.w.max(1)).copied());
        run_lengths(&column, &mut runs);
        for (start, five) in candidates(&runs, tolerance_pct) {
            let cy = to_sub(start + five[0] + five[1]) + to_sub(five[2]) / 2;
            let cx = to_sub(x) + SUB / 2;
            confirm(
                img,
                Pt::new(cx, cy),
                total(&five),
                tolerance_pct,
                &mut found,
            );
        }
    }
    found.sort_by(|a, b| b.count.cmp(&a.count).then(b.module.cmp(&a.module)));
    found.truncate(FINDERS_MAX);
    found
}

fn to_sub(v: usize) -> i64 {
    i64::try_from(v)
        .unwrap_or(i64::MAX / SUB)
        .saturating_mul(SUB)
}

fn total(five: &[usize; 5]) -> usize {
    five.iter().sum()
}

fn run_lengths(line: &[bool], runs: &mut Vec<(bool, usize)>) {
    runs.clear();
    runs.extend(
        line.chunk_by(|a, b| a == b)
            .map(|run| (run.first().copied().unwrap_or(false), run.len())),
    );
}

/// Start offsets and lengths of every dark-light-dark-light-dark window of runs whose lengths
/// fit 1:1:3:1:1.
fn candidates(runs: &[(bool, usize)], tolerance_pct: i64) -> Vec<(usize, [usize; 5])> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, window) in runs.windows(5).enumerate() {
        if let [a, b, c, d, e] = window {
            if a.0 {
                let five = [a.1, b.1, c.1, d.1, e.1];
                if ratio_ok(&five, tolerance_pct) {
                    out.push((start, five));
                }
            }
        }
        start += runs.get(i).map_or(0, |r| r.1);
    }
    out
}

/// Whether five run lengths fit 1:1:3:1:1 within `tolerance_pct` % of a module for the outer
/// runs (three times that for the centre).
pub(crate) fn ratio_ok(five: &[usize; 5], tolerance_pct: i64) -> bool {
    let t = i64::try_from(total(five)).unwrap_or(0);
    if t < 7 {
        return false;
    }
    five.iter().zip([1i64, 1, 3, 1, 1]).all(|(&r, k)| {
        let r = i64::try_from(r).unwrap_or(i64::MAX / 8);
        // |r - k·t/7| < tol·k·(t/7), plus half a pixel for the one-module runs: modules
        // under two pixels wide are quantised to whole pixels. In units of 1/700 pixel.
        let slack = if k == 1 { 350 } else { 0 };
        (7 * r - k * t).abs() * 100 < tolerance_pct * k * t + slack
    })
}

/// Runs through `p` in direction `(dx, dy)`: the five run lengths (in pixels) and the centre of
/// the middle run as a sub-pixel offset along the direction from `p`'s pixel origin.
fn cross_runs(
    img: &BitImage,
    p: (i64, i64),
    d: (i64, i64),
    limit: usize,
) -> Option<([usize; 5], i64)> {
    let (x, y) = p;
    if !img.get(x, y) {
        return None;
    }
    let walk = |sign: i64, from: usize, want_dark: bool| {
        let mut i = from;
        let at = |i: usize| {
            let i = i64::try_from(i).unwrap_or(i64::MAX / 4);
            img.get(x + sign * i * d.0, y + sign * i * d.1)
        };
        while i <= limit && at(i) == want_dark {
            i += 1;
        }
        i
    };
    // Backwards: centre (including p), light, dark.
    let c_back = walk(-1, 0, true);
    let l_back = walk(-1, c_back, false);
    let d_back = walk(-1, l_back, true);
    let c_fwd = walk(1, 1, true);
    let l_fwd = walk(1, c_fwd, false);
    let d_fwd = walk(1, l_fwd, true);
    let five = [
        d_back - l_back,
        l_back - c_back,
        c_back + c_fwd - 1,
        l_fwd - c_fwd,
        d_fwd - l_fwd,
    ];
    if d_back > limit || d_fwd > limit || five.contains(&0) {
        return None;
    }
    let back = i64::try_from(c_back).ok()?;
    let fwd = i64::try_from(c_fwd).ok()?;
    // The centre run covers pixels p-(back-1) ..< p+fwd along the line.
    Some((five, (fwd - back + 1) * SUB / 2 + SUB / 2))
}

/// Confirm a candidate found along one axis by crossing it along the other and along both
/// diagonals, then add or merge it.
fn confirm(img: &BitImage, c: Pt, along: usize, tol: i64, found: &mut Vec<Finder>) {
    let limit = along * 2;
    let px = |v: i64| v.div_euclid(SUB);
    let (x, y) = (px(c.x), px(c.y));
    // Vertical pass, then horizontal through the refined centre.
    let Some((v_runs, v_off)) = cross_runs(img, (x, y), (0, 1), limit) else {
        return;
    };
    if !ratio_ok(&v_runs, tol) || !similar(total(&v_runs), along) {
        return;
    }
    let cy = y * SUB + v_off - SUB / 2;
    let Some((h_runs, h_off)) = cross_runs(img, (x, px(cy)), (1, 0), limit) else {
        return;
    };
    if !ratio_ok(&h_runs, tol) || !similar(total(&h_runs), along) {
        return;
    }
    let cx = x * SUB + h_off - SUB / 2;
    // The diagonal crossing rejects text and stripes that pass both straight crossings.
    let Some((d_runs, _)) = cross_runs(img, (px(cx), px(cy)), (1, 1), limit) else {
        return;
    };
    if !ratio_ok(&d_runs, tol + 25) {
        return;
    }
    let tx = i64::try_from(total(&h_runs)).unwrap_or(0);
    let ty = i64::try_from(total(&v_runs)).unwrap_or(0);
    let (module_x, module_y) = (tx * SUB / 7, ty * SUB / 7);
    let module = (tx + ty) * SUB / 14;
    let centre = Pt::new(cx, cy);
    for f in found.iter_mut() {
        let near = f.c.dist2(centre) <= (2 * f.module).saturating_mul(2 * f.module);
        let alike = module * 2 > f.module && module < f.module * 2;
        if near && alike {
            let n = i64::from(f.count);
            f.c = Pt::new((f.c.x * n + cx) / (n + 1), (f.c.y * n + cy) / (n + 1));
            f.module = (f.module * n + module) / (n + 1);
            f.module_x = (f.module_x * n + module_x) / (n + 1);
            f.module_y = (f.module_y * n + module_y) / (n + 1);
            f.count += 1;
            return;
        }
    }
    found.push(Finder {
        c: centre,
        module,
        module_x,
        module_y,
        count: 1,
    });
}

/// Crossing totals within 40 % of each other.
fn similar(a: usize, b: usize) -> bool {
    5 * a.abs_diff(b) < 2 * a.max(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draw_finder(img: &mut BitImage, x0: usize, y0: usize, m: usize) {
        for y in 0..7 * m {
            for x in 0..7 * m {
                let (mx, my) = (x / m, y / m);
                let ring = mx == 0 || mx == 6 || my == 0 || my == 6;
                let core = (2..5).contains(&mx) && (2..5).contains(&my);
                img.dark[(y0 + y) * img.w + x0 + x] = ring || core;
            }
        }
    }

    #[test]
    fn finds_three_finders_at_their_centres() {
        let mut img = BitImage {
            w: 200,
            h: 200,
            dark: vec![false; 200 * 200],
        };
        draw_finder(&mut img, 20, 20, 4);
        draw_finder(&mut img, 150, 22, 4);
        draw_finder(&mut img, 18, 140, 5);
        let found = find(&img, 50);
        assert_eq!(found.len(), 3, "{found:?}");
        let mut centres: Vec<(i64, i64)> =
            found.iter().map(|f| (f.c.x / SUB, f.c.y / SUB)).collect();
        centres.sort_unstable();
        assert_eq!(centres, vec![(34, 34), (35, 157), (164, 36)]);
        assert!(found.iter().all(|f| f.count > 4));
    }

    #[test]
    fn ratio_accepts_finders_and_rejects_stripes() {
        assert!(ratio_ok(&[4, 4, 12, 4, 4], 50));
        assert!(ratio_ok(&[3, 5, 13, 4, 3], 50));
        // Modules under two pixels: one-module runs of one or three pixels.
        assert!(ratio_ok(&[2, 2, 6, 1, 3], 50));
        assert!(!ratio_ok(&[4, 4, 4, 4, 4], 50));
        assert!(!ratio_ok(&[1, 1, 1, 1, 1], 50));
    }
}
