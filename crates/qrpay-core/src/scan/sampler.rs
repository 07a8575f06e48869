//! From three finder patterns to a module grid: dimension, alignment pattern, perspective
//! sampling, version information; the grid then goes to [`decode`](super::decode).

use super::binarize::{BitImage, Gray};
use super::decode::{self, alignment_centres};
use super::finder::Finder;
use super::geometry::{quad_to_quad, Pt, SUB};
use super::warp::{Lattice, Warp};

/// The grid sampled from an image, dark modules `true`, row-major.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ModuleGrid {
    size: usize,
    dark: Vec<bool>,
}

impl ModuleGrid {
    /// The module at column `x`, row `y`; outside the grid is light.
    fn get(&self, x: usize, y: usize) -> bool {
        if x >= self.size {
            return false;
        }
        self.dark.get(y * self.size + x).copied().unwrap_or(false)
    }
}

/// A decoded symbol, in working-image sub-pixels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Decoded {
    pub bytes: Vec<u8>,
    /// Byte offsets and assignment numbers of the ECI designators.
    pub ecis: Vec<(usize, u32)>,
    /// Top-left, top-right, bottom-right, bottom-left outer corners.
    pub corners: [Pt; 4],
    pub version: u8,
    pub ecc_bits: u16,
    pub model: super::QrModel,
}

/// Finder centres in reading order.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Triple {
    pub tl: Finder,
    pub tr: Finder,
    pub bl: Finder,
}

/// Ways three finders could be one symbol, each ordered as top-left (the right-angle corner),
/// top-right and bottom-left, with a badness score (lower is better): similar module sizes,
/// close to a right isosceles triangle, a plausible dimension.
///
/// The corner opposite the longest side is the usual top-left; under strong perspective the
/// near legs stretch past the far hypotenuse, so the other two corners are candidates too,
/// ranked by how far they are from a right angle.
pub(crate) fn arrange(a: Finder, b: Finder, c: Finder) -> Vec<(Triple, i64)> {
    let (lo, hi) = [a.module, b.module, c.module]
        .iter()
        .fold((i64::MAX, 0), |(lo, hi), &m| (lo.min(m), hi.max(m)));
    // Perspective can make the near finder's modules 2.5 times the far one's.
    if lo <= 0 || 2 * hi > 5 * lo {
        return Vec::new();
    }
    let (ab, bc, ca) = (a.c.dist2(b.c), b.c.dist2(c.c), c.c.dist2(a.c));
    [
        (a, b, c, bc, ab, ca),
        (b, a, c, ca, ab, bc),
        (c, a, b, ab, ca, bc),
    ]
    .into_iter()
    .filter_map(|(tl, p, q, hyp, leg1, leg2)| arrange_at(tl, p, q, hyp, leg1, leg2))
    .collect()
}

/// [`arrange`] with `tl` as the corner: `hyp` is the squared side opposite it, `leg1` and
/// `leg2` the squared sides from it.
fn arrange_at(
    tl: Finder,
    p: Finder,
    q: Finder,
    hyp: i64,
    leg1: i64,
    leg2: i64,
) -> Option<(Triple, i64)> {
    // Legs within a factor 2 of each other, and Pythagoras within two thirds: perspective
    // bends the right angle by 30 degrees and more on a tilted sticker.
    if leg1.max(leg2) > leg1.min(leg2).saturating_mul(4) {
        return None;
    }
    let pyth = (leg1 + leg2 - hyp).abs();
    if pyth.saturating_mul(3) > hyp.saturating_mul(2) {
        return None;
    }
    // Seen from the top-left, top-right comes before bottom-left clockwise (y grows down).
    let (tr, bl) = if tl.c.cross(p.c, q.c) > 0 {
        (p, q)
    } else {
        (q, p)
    };
    let module = (tl.module + p.module + q.module) / 3;
    let side = tl.c.dist(tr.c).min(tl.c.dist(bl.c));
    // At least 14 modules between finder centres (version 1) and at most 170 (version 40); the
    // crossing-based module size reads up to √2 too large on a turned symbol.
    if side < 9 * module || side > 190 * module {
        return None;
    }
    let legs = (leg1 - leg2).abs();
    let badness = legs / (leg1.max(leg2) / 100 + 1) + pyth / (hyp / 100 + 1);
    Some((Triple { tl, tr, bl }, badness))
}

/// The symbol dimensions (modules per side) the finder spacing suggests, snapped to `17 + 4v`,
/// most likely first: from the mean module size, then from the per-axis sizes.
///
/// The finder search measures modules along image rows and columns, which overstates them by
/// 1 / cos θ on a symbol turned by θ; the leg between two finder centres gives θ, and the size
/// is corrected by the larger of |dx| and |dy| over the leg length. Under perspective modules
/// are not square, so the second estimate uses, for each leg, the crossing closer to its own
/// direction.
pub(crate) fn dimensions(t: &Triple) -> Vec<usize> {
    let mean = |a: &Finder, b: &Finder| {
        let d = b.c.sub(a.c);
        let len = a.c.dist(b.c).max(1);
        (a.module + b.module) / 2 * d.x.abs().max(d.y.abs()) / len
    };
    let per_axis = |a: &Finder, b: &Finder| {
        let d = b.c.sub(a.c);
        let len = a.c.dist(b.c).max(1);
        if d.x.abs() >= d.y.abs() {
            (a.module_x + b.module_x) / 2 * d.x.abs() / len
        } else {
            (a.module_y + b.module_y) / 2 * d.y.abs() / len
        }
    };
    let mut out = Vec::with_capacity(2);
    for estimate in [
        dimension_from(t, mean(&t.tl, &t.tr), mean(&t.tl, &t.bl)),
        dimension_from(t, per_axis(&t.tl, &t.tr), per_axis(&t.tl, &t.bl)),
    ]
    .into_iter()
    .flatten()
    {
        if !out.contains(&estimate) {
            out.push(estimate);
        }
    }
    out
}

fn dimension_from(t: &Triple, module_tr: i64, module_bl: i64) -> Option<usize> {
    if module_tr <= 0 || module_bl <= 0 {
        return None;
    }
    // Modules between centres, rounded, averaged over both legs: dimension = that + 7.
    let across = (2 * t.tl.c.dist(t.tr.c) + module_tr) / (2 * module_tr);
    let down = (2 * t.tl.c.dist(t.bl.c) + module_bl) / (2 * module_bl);
    let dim = usize::try_from((across + down + 1) / 2 + 7).ok()?;
    let snapped = match dim % 4 {
        0 => dim + 1,
        2 => dim - 1,
        3 => dim + 2,
        _ => dim,
    };
    // Finder crossings can read modules a few percent small, which overshoots version 40.
    match snapped {
        21..=177 => Some(snapped),
        178..=193 => Some(177),
        _ => None,
    }
}

/// Try to decode the symbol the triple outlines, trying the dimensions suggested, the one the
/// version information reads, and the neighbours of the first.
/// Work left for an image, in units of sampling a version-1 grid; error correction of a grid
/// costs four samplings of it.
#[derive(Debug)]
pub(crate) struct Budget(usize);

impl Budget {
    pub(crate) fn new(units: usize) -> Self {
        Budget(units)
    }

    pub(crate) fn is_spent(&self) -> bool {
        self.0 == 0
    }

    /// Take the cost of sampling a `dim`-wide grid (`times` over), if that much is left.
    fn take(&mut self, dim: usize, times: usize) -> bool {
        let cost = (dim * dim).div_ceil(441) * times;
        if cost > self.0 {
            self.0 = 0;
            return false;
        }
        self.0 -= cost;
        true
    }

    /// Take the cost of visiting `pixels` image pixels (a search around a finder or an
    /// alignment pattern), [`PIXELS_PER_UNIT`] to a unit, if that much is left.
    fn take_pixels(&mut self, pixels: usize) -> bool {
        let cost = pixels.div_ceil(PIXELS_PER_UNIT);
        if cost > self.0 {
            self.0 = 0;
            return false;
        }
        self.0 -= cost;
        true
    }
}

/// Pixel visits of a search that cost as much as sampling a version-1 grid.
const PIXELS_PER_UNIT: usize = 2048;

/// Pixels in the square of half-side `reach` pixels.
fn square_area(reach: i64) -> usize {
    let side = usize::try_from(2 * reach.max(0) + 1).unwrap_or(usize::MAX);
    side.saturating_mul(side)
}

/// What a pass samples: its thresholded image, the greyscale image it came from, and whether
/// the pass reads light-on-dark (the threshold was inverted).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Source<'a> {
    pub bits: &'a BitImage,
    pub gray: &'a Gray,
    pub inverted: bool,
}

pub(crate) fn decode_triple(src: &Source<'_>, t: &Triple, budget: &mut Budget) -> Option<Decoded> {
    let img = src.bits;
    let mut queue = dimensions(t);
    let dim = *queue.first()?;
    let mut tried: Vec<usize> = Vec::with_capacity(6);
    if dim >= 25 {
        queue.push(dim - 4);
    }
    if dim <= 173 {
        queue.push(dim + 4);
    }
    // Strong perspective skews the spacing estimate most on small symbols.
    if dim <= 45 {
        for small in [21, 25, 29] {
            if !queue.contains(&small) {
                queue.push(small);
            }
        }
    }
    // From version 7 on the symbol says its version beside two finders: read it there with
    // the finders' own module steps, before any dimension is guessed from their spacing.
    if dim >= 41 {
        if let Some(v) = version_near_finders(img, t) {
            let vd = 17 + 4 * usize::from(v);
            queue.retain(|&q| q != vd);
            queue.insert(0, vd);
        }
    }
    while let Some(d) = queue.first().copied() {
        queue.remove(0);
        if tried.contains(&d) || tried.len() >= 8 {
            continue;
        }
        tried.push(d);
        // Sample a grid for every candidate fourth point, and spend error correction only on
        // the one whose known modules (finders, timing, alignment patterns) fit best.
        // Candidates are scored on the known modules alone; only the best is sampled whole.
        let mut best: Option<(u32, (Pt, i64), Warp)> = None;
        // The parallelogram corner (always last) when another candidate scored as well: tried
        // too if the best does not decode.
        let mut fallback: Option<Warp> = None;
        let candidates = fourth_points(img, t, d, budget)?;
        let last = candidates.len().saturating_sub(1);
        for (index, fourth) in candidates.into_iter().enumerate() {
            let Some(map) = module_map(t, d, fourth) else {
                continue;
            };
            if !budget.take(d, 1) {
                return None;
            }
            let score = fitness_of(img, &map, d);
            if best.as_ref().is_none_or(|b| score > b.0) {
                best = Some((score, fourth, map));
            } else if index == last && index > 0 {
                fallback = Some(map);
            }
        }
        let Some((mut score, fourth, mut map)) = best else {
            continue;
        };
        // Large symbols: re-anchor the map on every alignment pattern it predicts, which
        // follows paper that bends or a lens that bulges.
        if let Some(lattice) = lattice_warp(img, &map, d, module_of(t), budget) {
            if !budget.take(d, 1) {
                return None;
            }
            let s = fitness_of(img, &lattice, d);
            if s >= score {
                (score, map) = (s, lattice);
            }
        }
        let grid = sample(img, &map, d);
        if !budget.take(d, 4) {
            return None;
        }
        match decode_grid(&grid, &map, d) {
            Ok(decoded) => return Some(decoded),
            Err(Miss::Plausible) => {
                // The threshold may have thinned or merged modules: sample the grey levels
                // instead, each module against the modules around it.
                if !budget.take(d, 5) {
                    return None;
                }
                let grey = sample_grey(src, &map, d);
                if let Ok(decoded) = decode_grid(&grey, &map, d) {
                    return Some(decoded);
                }
                // The grid looks right but error correction failed: the fourth point is
                // probably a little off. Nudge it by a third of a module each way and try the
                // best fitting nudge.
                let q = module_of(t) / 3;
                let mut nudges: Vec<(u32, Warp)> = Vec::with_capacity(8);
                for (dx, dy) in [
                    (q, 0),
                    (-q, 0),
                    (0, q),
                    (0, -q),
                    (q, q),
                    (-q, -q),
                    (q, -q),
                    (-q, q),
                ] {
                    let nudged = (Pt::new(fourth.0.x + dx, fourth.0.y + dy), fourth.1);
                    let Some(map) = module_map(t, d, nudged) else {
                        continue;
                    };
                    if !budget.take(d, 1) {
                        return None;
                    }
                    let s = fitness_of(img, &map, d);
                    if s >= score {
                        nudges.push((s, map));
                    }
                }
                // Best fitting first (the first of equals); small symbols, whose few known
                // modules often fit every nudge alike, try them all.
                nudges.sort_by_key(|(s, _)| std::cmp::Reverse(*s));
                nudges.truncate(if d <= NUDGE_ALL_DIM_MAX { 8 } else { 1 });
                for (_, map) in nudges {
                    let grid = sample(img, &map, d);
                    if !budget.take(d, 4) {
                        return None;
                    }
                    if let Ok(decoded) = decode_grid(&grid, &map, d) {
                        return Some(decoded);
                    }
                }
            }
            Err(Miss::Implausible) if score >= GREY_FITNESS_MIN => {
                // The finders fit but the timing or format modules do not: thresholding may
                // have broken thin modules; the grey levels may still read.
                if !budget.take(d, 1) {
                    return None;
                }
                let grey = sample_grey(src, &map, d);
                if fitness(&grey) > score {
                    if !budget.take(d, 4) {
                        return None;
                    }
                    if let Ok(decoded) = decode_grid(&grey, &map, d) {
                        return Some(decoded);
                    }
                }
            }
            Err(Miss::Implausible) => {}
        }
        if let Some(map) = fallback {
            if !budget.take(d, 4) {
                return None;
            }
            let grid = sample(img, &map, d);
            if let Ok(decoded) = decode_grid(&grid, &map, d) {
                return Some(decoded);
            }
        }
        // The fourth point may be off: version 1 has no alignment pattern to pin it, and blur
        // or ink spread can hide the pattern of larger symbols. Up to version 10, climb the
        // fitness (finders, timing and alignment patterns) over positions of that point.
        if d <= CLIMB_DIM_MAX {
            if let Some(decoded) = climb_fourth(src, t, d, (score, fourth), budget) {
                return Some(decoded);
            }
            if budget.is_spent() {
                return None;
            }
        }
        // From version 7 on, the version information says what the dimension is.
        if d >= 45 {
            if let Some(v) = read_version(&grid) {
                let vd = 17 + 4 * usize::from(v);
                if !tried.contains(&vd) {
                    queue.insert(0, vd);
                }
            }
        }
    }
    None
}

/// Largest dimension for which every nudge of the fourth point that fits as well as the
/// original is decoded, not only the best (version 3; each costs 8 work units or less).
const NUDGE_ALL_DIM_MAX: usize = 29;

/// Largest dimension whose fourth point [`climb_fourth`] searches for (version 10): a climb
/// costs at most [`CLIMB_STEPS_MAX`] samplings of the known modules, 8 work units each there.
const CLIMB_DIM_MAX: usize = 57;

/// Fitness evaluations [`climb_fourth`] may spend on one dimension.
const CLIMB_STEPS_MAX: usize = 48;

/// Move the fourth reference point of the map to where the known modules fit best: from
/// `start`, try the eight neighbours a step away and go to the best that improves the fitness;
/// when none does, halve the step, from two modules down to a quarter. Re-anchor the map on
/// the alignment patterns it then predicts (version 7 on), and decode the grid of the best map
/// (thresholded, then grey levels), if the point moved and the map fits well enough.
fn climb_fourth(
    src: &Source<'_>,
    t: &Triple,
    d: usize,
    start: (u32, (Pt, i64)),
    budget: &mut Budget,
) -> Option<Decoded> {
    let img = src.bits;
    let module = module_of(t);
    let (mut score, mut fourth) = start;
    let mut best_map: Option<Warp> = None;
    let mut step = 2 * module;
    let mut evaluations = 0;
    while step >= module / 4 && step > 0 && evaluations < CLIMB_STEPS_MAX {
        let mut better: Option<(u32, (Pt, i64), Warp)> = None;
        for (dx, dy) in [
            (1, 0),
            (-1, 0),
            (0, 1),
            (0, -1),
            (1, 1),
            (-1, -1),
            (1, -1),
            (-1, 1),
        ] {
            let moved = (
                Pt::new(fourth.0.x + dx * step, fourth.0.y + dy * step),
                fourth.1,
            );
            let Some(map) = module_map(t, d, moved) else {
                continue;
            };
            if !budget.take(d, 1) {
                return None;
            }
            evaluations += 1;
            let s = fitness_of(img, &map, d);
            if s > better.as_ref().map_or(score, |b| b.0) {
                better = Some((s, moved, map));
            }
        }
        match better {
            Some((s, moved, map)) => (score, fourth, best_map) = (s, moved, Some(map)),
            None => step /= 2,
        }
    }
    let mut map = best_map?;
    if let Some(lattice) = lattice_warp(img, &map, d, module, budget) {
        if !budget.take(d, 1) {
            return None;
        }
        let s = fitness_of(img, &lattice, d);
        if s >= score {
            (score, map) = (s, lattice);
        }
    }
    if score < GREY_FITNESS_MIN {
        return None;
    }
    if !budget.take(d, 4) {
        return None;
    }
    let grid = sample(img, &map, d);
    match decode_grid(&grid, &map, d) {
        Ok(decoded) => Some(decoded),
        Err(_) => {
            if !budget.take(d, 5) {
                return None;
            }
            decode_grid(&sample_grey(src, &map, d), &map, d).ok()
        }
    }
}

/// How well a sampled grid matches the modules every symbol of its size has: the three finder
/// patterns, the timing patterns and the alignment patterns; in thousandths of those modules.
fn fitness(grid: &ModuleGrid) -> u32 {
    fitness_by(grid.size, |x, y| grid.get(x, y))
}

/// [`fitness`] of the grid `map` would sample, sampling only the modules it checks.
fn fitness_of(img: &BitImage, map: &Warp, dim: usize) -> u32 {
    fitness_by(dim, |x, y| {
        let (Ok(hx), Ok(hy)) = (i64::try_from(2 * x + 1), i64::try_from(2 * y + 1)) else {
            return false;
        };
        map.map(hx, hy)
            .is_some_and(|p| img.get(p.x.div_euclid(SUB), p.y.div_euclid(SUB)))
    })
}

/// [`fitness`] with the module at column `x`, row `y` read by `dark(x, y)`.
fn fitness_by(d: usize, dark: impl Fn(usize, usize) -> bool) -> u32 {
    let (mut right, mut total) = (0u32, 0u32);
    let mut check = |x: usize, y: usize, want: bool| {
        total += 1;
        right += u32::from(dark(x, y) == want);
    };
    // Finder patterns: dark ring, light ring, dark 3×3 core.
    for (ox, oy) in [(0, 0), (d - 7, 0), (0, d - 7)] {
        for y in 0..7 {
            for x in 0..7 {
                let ring = x.min(y).min(6 - x).min(6 - y);
                check(ox + x, oy + y, ring != 1);
            }
        }
    }
    for i in 8..d.saturating_sub(8) {
        check(i, 6, i % 2 == 0);
        check(6, i, i % 2 == 0);
    }
    let centres = alignment_centres(d);
    for &cy in &centres {
        for &cx in &centres {
            let overlaps_finder = (cx < 9 || cx > d - 9) && cy < 9 || (cx < 9 && cy > d - 9);
            if overlaps_finder {
                continue;
            }
            for y in 0..5 {
                for x in 0..5 {
                    let ring = x.min(y).min(4 - x).min(4 - y);
                    check(cx - 2 + x, cy - 2 + y, ring != 1);
                }
            }
        }
    }
    right * 1000 / total.max(1)
}

/// Candidate fourth reference points for the map: the alignment pattern when one is found
/// (module centre at `dim - 6.5`), then the parallelogram corner from the three finders.
fn fourth_points(
    img: &BitImage,
    t: &Triple,
    dim: usize,
    budget: &mut Budget,
) -> Option<Vec<(Pt, i64)>> {
    let d = i64::try_from(dim).unwrap_or(21);
    // Half-module units.
    let corner = (t.tr.c.add(t.bl.c).sub(t.tl.c), 2 * d - 7);
    let mut out = Vec::with_capacity(2);
    if dim > 21 {
        // Estimate the alignment centre along the parallelogram, then search around it.
        let f = 2 * d - 13 - 7; // half-modules from the top-left centre
        let span = 2 * d - 14;
        let est = Pt::new(
            t.tl.c.x + (t.tr.c.x - t.tl.c.x + t.bl.c.x - t.tl.c.x) * f / span,
            t.tl.c.y + (t.tr.c.y - t.tl.c.y + t.bl.c.y - t.tl.c.y) * f / span,
        );
        let module = (t.tl.module + t.tr.module + t.bl.module) / 3;
        if !budget.take_pixels(square_area(16 * (module / SUB + 1))) {
            return None;
        }
        for found in find_alignment(img, est, module, &[4, 8, 16]) {
            out.push((found, 2 * d - 13));
        }
    }
    if let Some(edges) = edge_corner(img, t, d, budget) {
        out.push((edges, 2 * d));
    }
    out.push(corner);
    Some(out)
}

/// The outer bottom-right corner of the symbol where the right edge of the top-right finder
/// meets the bottom edge of the bottom-left finder: unlike the parallelogram corner it follows
/// perspective, which symbols without an alignment pattern (version 1) need when tilted.
fn edge_corner(img: &BitImage, t: &Triple, d: i64, budget: &mut Budget) -> Option<Pt> {
    let span = 2 * (d - 7);
    if span <= 0 {
        return None;
    }
    // Module steps along the top and left edges, as numerators over `span` (half a module
    // of centre distance per unit), so `c + (u·a + v·b) / span` is `a/2, b/2` modules away.
    let u = t.tr.c.sub(t.tl.c);
    let v = t.bl.c.sub(t.tl.c);
    let toward = |c: Pt, a: i64, b: i64| {
        Pt::new(
            c.x + (u.x * a + v.x * b) / span,
            c.y + (u.y * a + v.y * b) / span,
        )
    };
    // The finder's outer corners are 3.5 modules from its centre along each axis.
    let [tr_top, tr_bottom] = ring_corners(
        img,
        t.tr.c,
        [toward(t.tr.c, 7, -7), toward(t.tr.c, 7, 7)],
        budget,
    )?;
    let [bl_left, bl_right] = ring_corners(
        img,
        t.bl.c,
        [toward(t.bl.c, -7, 7), toward(t.bl.c, 7, 7)],
        budget,
    )?;
    let corner = intersect(tr_top, tr_bottom, bl_left, bl_right)?;
    // Perspective moves the corner, but not beyond a module span of where the parallelogram
    // puts it.
    let parallelogram = toward(t.tr.c.add(t.bl.c).sub(t.tl.c), 7, 7);
    let reach = u.dist(Pt::default()).max(v.dist(Pt::default())) / 3;
    (corner.dist2(parallelogram) <= reach.saturating_mul(reach)).then_some(corner)
}

/// Largest distance, in pixels, from a finder centre to the corner [`ring_corners`] looks for.
const CORNER_REACH_MAX: i64 = 160;

/// The outer corners of the finder centred at `c` nearest the directions of `towards`: for
/// each, the pixel of its outer dark ring farthest along that direction (for a convex
/// quadrilateral and a direction between its edge normals, that is a corner). The ring is
/// reached by [`ring_exit`] and followed through 4-connected dark pixels within 1.5 times the
/// distance to the farther of `towards`; the separator and quiet zone around a finder keep the
/// ring on its own. One fill serves both corners when the ring is whole (the usual case); a
/// ring broken by glare gets a fill from each side.
fn ring_corners(img: &BitImage, c: Pt, towards: [Pt; 2], budget: &mut Budget) -> Option<[Pt; 2]> {
    let dirs = towards.map(|t| t.sub(c));
    let reach = dirs
        .iter()
        .map(|d| (d.dist(Pt::default()) * 3 / 2 / SUB).clamp(2, CORNER_REACH_MAX))
        .max()
        .unwrap_or(2);
    if !budget.take_pixels(square_area(reach)) {
        return None;
    }
    let (cx, cy) = (c.x.div_euclid(SUB), c.y.div_euclid(SUB));
    let side = usize::try_from(2 * reach + 1).ok()?;
    let mut seen = vec![false; side * side];
    let slot = |x: i64, y: i64| -> Option<usize> {
        let (dx, dy) = (x - cx + reach, y - cy + reach);
        let (ux, uy) = (usize::try_from(dx).ok()?, usize::try_from(dy).ok()?);
        (ux < side && uy < side).then_some(uy * side + ux)
    };
    let pixel = |p: Pt| (p.x.div_euclid(SUB), p.y.div_euclid(SUB));
    let [a, b] = towards;
    let starts = [pixel(ring_exit(img, c, a)?), pixel(ring_exit(img, c, b)?)];
    let mut out: [Option<Pt>; 2] = [None; 2];
    for (k, &first) in starts.iter().enumerate() {
        if out.get(k).copied().flatten().is_some() {
            continue;
        }
        let mut stack = vec![first];
        if let Some(v) = slot(first.0, first.1).and_then(|i| seen.get_mut(i)) {
            *v = true;
        }
        let mut best = [(i64::MIN, first); 2];
        while let Some((x, y)) = stack.pop() {
            for (b, dir) in best.iter_mut().zip(&dirs) {
                let along = (x - cx) * dir.x + (y - cy) * dir.y;
                if along > b.0 {
                    *b = (along, (x, y));
                }
            }
            for (nx, ny) in [(x + 1, y), (x - 1, y), (x, y + 1), (x, y - 1)] {
                let Some(i) = slot(nx, ny) else { continue };
                if seen.get(i).copied().unwrap_or(true) || !img.get(nx, ny) {
                    continue;
                }
                if let Some(v) = seen.get_mut(i) {
                    *v = true;
                }
                stack.push((nx, ny));
            }
        }
        // This fill gives the corner of its own start and of every other start it reached.
        for (j, ((o, b), &(sx, sy))) in out.iter_mut().zip(best).zip(&starts).enumerate() {
            let reached = j == k || slot(sx, sy).and_then(|i| seen.get(i).copied()) == Some(true);
            if reached && o.is_none() {
                let (x, y) = b.1;
                *o = Some(Pt::new(x * SUB + SUB / 2, y * SUB + SUB / 2));
            }
        }
    }
    Some([out[0]?, out[1]?])
}

/// Walk from the finder centre `c` through `toward` (its expected outer corner) and return
/// the last dark pixel before the dark-to-light edge nearest `toward`, in sub-pixels: where the
/// walk leaves the outer dark ring, even when glare has left a light hole in the centre.
fn ring_exit(img: &BitImage, c: Pt, toward: Pt) -> Option<Pt> {
    let delta = toward.sub(c);
    let len = delta.dist(Pt::default()) / SUB;
    if len < 3 {
        return None;
    }
    let at = |s: i64| Pt::new(c.x + delta.x * s / len, c.y + delta.y * s / len);
    let dark = |p: Pt| img.get(p.x.div_euclid(SUB), p.y.div_euclid(SUB));
    let mut best: Option<(i64, Pt)> = None;
    let mut previous: Option<Pt> = None;
    for s in 0..=2 * len {
        let p = at(s);
        if dark(p) {
            previous = Some(p);
            continue;
        }
        if let Some(last) = previous.take() {
            let off = (s - 1 - len).abs();
            if s > len / 2 && best.is_none_or(|(b, _)| off < b) {
                best = Some((off, last));
            }
        }
    }
    best.map(|(_, p)| p)
}

/// Where the line through `a` and `b` meets the line through `c` and `d`.
fn intersect(a: Pt, b: Pt, c: Pt, d: Pt) -> Option<Pt> {
    let (r, q) = (b.sub(a), d.sub(c));
    let cross =
        |p: Pt, o: Pt| i128::from(p.x) * i128::from(o.y) - i128::from(p.y) * i128::from(o.x);
    let den = cross(r, q);
    if den == 0 {
        return None;
    }
    let num = cross(c.sub(a), q);
    let x = i128::from(a.x) + i128::from(r.x) * num / den;
    let y = i128::from(a.y) + i128::from(r.y) * num / den;
    Some(Pt::new(i64::try_from(x).ok()?, i64::try_from(y).ok()?))
}

/// Mean module size of the triple's finders, sub-pixels.
fn module_of(t: &Triple) -> i64 {
    (t.tl.module + t.tr.module + t.bl.module) / 3
}

/// For symbols with more than one row of alignment patterns (version 7 on): find each pattern
/// near where `map` puts it, shifted by how far its already-found neighbours were from their
/// predictions, and build a lattice map through them. The lattice nodes inside the finder
/// patterns keep `map`'s positions, as do patterns not found.
fn lattice_warp(
    img: &BitImage,
    map: &Warp,
    dim: usize,
    module: i64,
    budget: &mut Budget,
) -> Option<Warp> {
    let centres = alignment_centres(dim);
    let n = centres.len();
    if n < 3 || !budget.take_pixels(n * n * square_area(2 * (module / SUB + 1))) {
        return None;
    }
    let knots: Vec<i64> = centres
        .iter()
        .map(|&c| i64::try_from(2 * c + 1).unwrap_or(0))
        .collect();
    let mut points: Vec<Pt> = Vec::with_capacity(n * n);
    let mut shifts: Vec<Pt> = Vec::with_capacity(n * n);
    for (j, &ky) in knots.iter().enumerate() {
        for (i, &kx) in knots.iter().enumerate() {
            let predicted = map.map(kx, ky)?;
            let in_finder = (i == 0 || j == 0) && (i + j == 0 || i + j == n - 1);
            if in_finder {
                points.push(predicted);
                shifts.push(Pt::default());
                continue;
            }
            let k = j * n + i;
            let neighbours: Vec<Pt> = [
                (i > 0).then(|| k - 1),
                (j > 0).then(|| k - n),
                (i > 0 && j > 0).then(|| k - n - 1),
                (j > 0 && i + 1 < n).then(|| k + 1 - n),
            ]
            .into_iter()
            .flatten()
            .filter_map(|k| shifts.get(k).copied())
            .collect();
            let count = i64::try_from(neighbours.len()).unwrap_or(1).max(1);
            let sum = neighbours.iter().fold(Pt::default(), |a, &p| a.add(p));
            let shift = Pt::new(sum.x / count, sum.y / count);
            let est = predicted.add(shift);
            let reach2 = (module * 3 / 2).saturating_mul(module * 3 / 2);
            let at = find_alignment(img, est, module, &[2])
                .into_iter()
                .filter(|p| p.dist2(est) <= reach2)
                .min_by_key(|p| p.dist2(est))
                .unwrap_or(est);
            points.push(at);
            shifts.push(at.sub(predicted));
        }
    }
    Lattice::new(knots, &points).map(Warp::Lattice)
}

/// The map from half-module coordinates to image sub-pixels.
fn module_map(t: &Triple, dim: usize, fourth: (Pt, i64)) -> Option<Warp> {
    let d = i64::try_from(dim).ok()?;
    let far = 2 * d - 7;
    let (p4, m4) = fourth;
    quad_to_quad(
        [
            Pt::new(7, 7),
            Pt::new(far, 7),
            Pt::new(m4, m4),
            Pt::new(7, far),
        ],
        [t.tl.c, t.tr.c, p4, t.bl.c],
    )
    .map(Warp::Global)
}

fn sample(img: &BitImage, map: &Warp, dim: usize) -> ModuleGrid {
    let mut dark = Vec::with_capacity(dim * dim);
    for y in 0..dim {
        let hy = i64::try_from(2 * y + 1).unwrap_or(0);
        for x in 0..dim {
            let hx = i64::try_from(2 * x + 1).unwrap_or(0);
            let bit = map
                .map(hx, hy)
                .is_some_and(|p| img.get(p.x.div_euclid(SUB), p.y.div_euclid(SUB)));
            dark.push(bit);
        }
    }
    ModuleGrid { size: dim, dark }
}

/// Fitness (thousandths) from which an implausible grid is sampled again in grey levels.
const GREY_FITNESS_MIN: u32 = 750;

/// Module radius of the window whose mean grey level thresholds a module in [`sample_grey`].
const GREY_WINDOW: usize = 3;

/// Sample the greyscale image: each module's level is the mean of five points (its centre and
/// four points a quarter module diagonally from it), and it is dark when below the mean level
/// of the modules within [`GREY_WINDOW`] of it (a QR symbol is about half dark everywhere).
fn sample_grey(src: &Source<'_>, map: &Warp, dim: usize) -> ModuleGrid {
    let gray = src.gray;
    let at = |p: Option<Pt>| {
        let Some(p) = p else { return 255u32 };
        let (x, y) = (p.x.div_euclid(SUB), p.y.div_euclid(SUB));
        match (usize::try_from(x), usize::try_from(y)) {
            (Ok(x), Ok(y)) if x < gray.w && y < gray.h => {
                u32::from(gray.px.get(y * gray.w + x).copied().unwrap_or(255))
            }
            _ => 255,
        }
    };
    let mut level = Vec::with_capacity(dim * dim);
    for y in 0..dim {
        let qy = i64::try_from(4 * y + 2).unwrap_or(0);
        for x in 0..dim {
            let qx = i64::try_from(4 * x + 2).unwrap_or(0);
            let sum: u32 = [(0, 0), (-1, -1), (1, -1), (1, 1), (-1, 1)]
                .iter()
                .map(|&(dx, dy)| at(map.map_frac(qx + dx, qy + dy, 2)))
                .sum();
            let v = sum / 5;
            level.push(if src.inverted { 255 - v } else { v });
        }
    }
    // Summed-area table of the levels, with a zero row and column in front.
    let side = dim + 1;
    let mut sat = vec![0u32; side * side];
    for y in 0..dim {
        let mut row = 0u32;
        for x in 0..dim {
            row += level.get(y * dim + x).copied().unwrap_or(0);
            let above = sat.get(y * side + x + 1).copied().unwrap_or(0);
            if let Some(s) = sat.get_mut((y + 1) * side + x + 1) {
                *s = above + row;
            }
        }
    }
    let s = |x: usize, y: usize| sat.get(y * side + x).copied().unwrap_or(0);
    let mut dark = Vec::with_capacity(dim * dim);
    for y in 0..dim {
        let (y0, y1) = (
            y.saturating_sub(GREY_WINDOW),
            (y + GREY_WINDOW + 1).min(dim),
        );
        for x in 0..dim {
            let (x0, x1) = (
                x.saturating_sub(GREY_WINDOW),
                (x + GREY_WINDOW + 1).min(dim),
            );
            let n = u32::try_from((x1 - x0) * (y1 - y0)).unwrap_or(1).max(1);
            let sum = (s(x1, y1) + s(x0, y0)).saturating_sub(s(x0, y1) + s(x1, y0));
            let v = level.get(y * dim + x).copied().unwrap_or(255);
            dark.push(v * n < sum);
        }
    }
    ModuleGrid { size: dim, dark }
}

/// Why a grid did not decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Miss {
    /// Timing patterns or format information do not read: the grid is misplaced.
    Implausible,
    /// The grid looks placed right, but error correction or data decoding failed.
    Plausible,
}

fn decode_grid(grid: &ModuleGrid, map: &Warp, dim: usize) -> Result<Decoded, Miss> {
    // Full error correction of a wrong grid is the costly part of a miss: only grids whose
    // timing patterns and format information read (either copy, either way round) go on to it.
    if !timing_plausible(grid) || !format_readable(grid) || fitness(grid) < 700 {
        return Err(Miss::Implausible);
    }
    decode_checked(grid, map, dim).ok_or(Miss::Plausible)
}

fn decode_checked(grid: &ModuleGrid, map: &Warp, dim: usize) -> Option<Decoded> {
    // A mirrored symbol (printed from the back of a transparency, or by a generator that
    // swapped rows and columns) reads as its transpose.
    let data = decode::decode(dim, &|x, y| grid.get(x, y))
        .or_else(|_| decode::decode(dim, &|x, y| grid.get(y, x)))
        .ok()?;
    let d = i64::try_from(dim).ok()?;
    let corners = [
        map.map(0, 0)?,
        map.map(2 * d, 0)?,
        map.map(2 * d, 2 * d)?,
        map.map(0, 2 * d)?,
    ];
    Some(Decoded {
        bytes: data.bytes,
        ecis: data.ecis,
        corners,
        version: data.version,
        ecc_bits: data.ecc_bits,
        model: data.model,
    })
}

/// Alignment-pattern candidates tried per dimension: data modules can mimic the pattern, so the
/// nearest few are tried and the grid checks (timing, format) pick the right one.
const ALIGNMENT_TRIES: usize = 5;

/// Search around `est` for alignment patterns (dark centre module, light ring, dark ring) and
/// return up to [`ALIGNMENT_TRIES`] centres, nearest first, searching 4, then 8, then 16
/// modules around `est` until that many are found. Under perspective the modules there may be up to twice as large or
/// half as large as `module` and not square, so each candidate is checked with its own sizes.
fn find_alignment(img: &BitImage, est: Pt, module: i64, reaches: &[i64]) -> Vec<Pt> {
    let m = (module / SUB).max(1);
    let (ex, ey) = (est.x.div_euclid(SUB), est.y.div_euclid(SUB));
    let h = i64::try_from(img.h).unwrap_or(0);
    let plausible = |len: i64| 2 * len >= m && len <= 2 * m + 1;
    let mut found: Vec<(usize, usize, i64, Pt)> = Vec::new();
    for (level, &reach) in reaches.iter().enumerate() {
        let r = m * reach;
        for y in (ey - r).max(0)..=(ey + r).min(h - 1) {
            let mut x = (ex - r).max(0);
            let x_end = ex + r;
            while x < x_end {
                if !img.get(x, y) {
                    x += 1;
                    continue;
                }
                let start = x;
                while x < x_end + 2 * m && img.get(x, y) {
                    x += 1;
                }
                let mx = x - start;
                if !plausible(mx) {
                    continue;
                }
                let col = start + mx / 2;
                let mut top = y;
                while img.get(col, top - 1) && y - top <= 2 * m {
                    top -= 1;
                }
                let mut bottom = y;
                while img.get(col, bottom + 1) && bottom - y <= 2 * m {
                    bottom += 1;
                }
                let my = bottom - top + 1;
                if !plausible(my) || 2 * mx < my || 2 * my < mx {
                    continue;
                }
                let (px, py) = (col, top + my / 2);
                // Light ring one module out, dark ring two modules out, on the four sides.
                let light = [(px - mx, py), (px + mx, py), (px, py - my), (px, py + my)];
                let dark = [
                    (px - 2 * mx, py),
                    (px + 2 * mx, py),
                    (px, py - 2 * my),
                    (px, py + 2 * my),
                ];
                // One miss on each ring is tolerated (noise, a blurred ring), but ranks lower.
                let light_misses = light.iter().filter(|&&(a, b)| img.get(a, b)).count();
                let dark_misses = dark.iter().filter(|&&(a, b)| !img.get(a, b)).count();
                if light_misses > 1 || dark_misses > 1 {
                    continue;
                }
                let c = Pt::new(start * SUB + mx * SUB / 2, top * SUB + my * SUB / 2);
                if found
                    .iter()
                    .any(|(_, _, _, f)| f.dist2(c) < (m * SUB).pow(2))
                {
                    continue;
                }
                found.push((level, light_misses + dark_misses, c.dist2(est), c));
            }
        }
        // Enough candidates, or a clean pattern in the nearest ring (where it nearly always
        // is): the wider rings would cost most of the search and rarely win.
        let clean_near = found.iter().any(|&(l, misses, _, _)| l == 0 && misses == 0);
        if found.len() >= ALIGNMENT_TRIES || clean_near {
            break;
        }
    }
    // Nearer search rings first, then cleaner patterns, then distance.
    found.sort_by_key(|(level, misses, d, _)| (*level, *misses, *d));
    found
        .into_iter()
        .take(ALIGNMENT_TRIES)
        .map(|(_, _, _, c)| c)
        .collect()
}

/// Whether the timing patterns (row and column 6 between the finders, alternating from dark)
/// mostly read as they must: at least 3 in 4 modules right. A wrong dimension or a badly
/// placed grid scores near one half.
fn timing_plausible(grid: &ModuleGrid) -> bool {
    let d = grid.size;
    let cells = 8..d.saturating_sub(8);
    let total = 2 * cells.len();
    let right = cells
        .map(|i| {
            let want = i % 2 == 0;
            usize::from(grid.get(i, 6) == want) + usize::from(grid.get(6, i) == want)
        })
        .sum::<usize>();
    4 * right >= 3 * total
}

/// Whether either copy of the 15-bit format information, read as is or mirrored, is within 3
/// bit errors of one of the valid codes of either model (ISO/IEC 18004:2015, 7.9 and annex C).
fn format_readable(grid: &ModuleGrid) -> bool {
    let d = grid.size;
    let mut first: Vec<(usize, usize)> = (0..6).map(|i| (8, i)).collect();
    first.extend([(8, 7), (8, 8), (7, 8)]);
    first.extend((9..15).map(|i| (14 - i, 8)));
    let mut second: Vec<(usize, usize)> = (0..8).map(|i| (d - 1 - i, 8)).collect();
    second.extend((8..15).map(|i| (8, d - 15 + i)));
    let read = |cells: &[(usize, usize)], mirrored: bool| {
        cells.iter().enumerate().fold(0u32, |acc, (bit, &(x, y))| {
            let dark = if mirrored {
                grid.get(y, x)
            } else {
                grid.get(x, y)
            };
            acc | (u32::from(dark) << bit)
        })
    };
    let words = [
        read(&first, false),
        read(&second, false),
        read(&first, true),
        read(&second, true),
    ];
    decode::format_codes(d).any(|(code, ..)| words.iter().any(|w| (w ^ code).count_ones() <= 3))
}

/// The version (7–40) read from either version-information block of the grid, if one is
/// within 3 bit errors of a valid code (ISO/IEC 18004:2015, 7.10 and annex D).
/// The version (7–40) read from the version-information blocks next to the top-right and
/// bottom-left finders, sampled with each finder's module size along the triple's edges.
fn version_near_finders(img: &BitImage, t: &Triple) -> Option<u8> {
    // One module along the top edge and down the left edge, at a finder of module `m`.
    let step = |from: &Finder, to: &Finder, m: i64| {
        let d = to.c.sub(from.c);
        let len = from.c.dist(to.c).max(1);
        Pt::new(d.x * m / len, d.y * m / len)
    };
    let at = |c: Pt, u: Pt, v: Pt, a: i64, b: i64| {
        let p = Pt::new(c.x + u.x * a + v.x * b, c.y + u.y * a + v.y * b);
        img.get(p.x.div_euclid(SUB), p.y.div_euclid(SUB))
    };
    let (u_tr, v_tr) = (
        step(&t.tl, &t.tr, t.tr.module),
        step(&t.tl, &t.bl, t.tr.module),
    );
    let (u_bl, v_bl) = (
        step(&t.tl, &t.tr, t.bl.module),
        step(&t.tl, &t.bl, t.bl.module),
    );
    let mut tr = 0u32;
    let mut bl = 0u32;
    for i in (0..18i64).rev() {
        // Bit i: top-right block column i % 3, row i / 3 (module centres 7 - i % 3 left of
        // the finder centre); bottom-left block transposed.
        tr = (tr << 1) | u32::from(at(t.tr.c, u_tr, v_tr, i % 3 - 7, i / 3 - 3));
        bl = (bl << 1) | u32::from(at(t.bl.c, u_bl, v_bl, i / 3 - 3, i % 3 - 7));
    }
    (7..=40u8)
        .flat_map(|v| {
            let code = version_code(v);
            [(code ^ tr).count_ones(), (code ^ bl).count_ones()].map(|e| (e, v))
        })
        .filter(|(errors, _)| *errors <= 3)
        .min()
        .map(|(_, v)| v)
}

fn read_version(grid: &ModuleGrid) -> Option<u8> {
    let d = grid.size;
    let mut bl = 0u32;
    let mut tr = 0u32;
    for i in (0..18).rev() {
        let (a, b) = (i / 3, d - 11 + i % 3);
        bl = (bl << 1) | u32::from(grid.get(a, b));
        tr = (tr << 1) | u32::from(grid.get(b, a));
    }
    (7..=40u8)
        .map(|v| (v, version_code(v)))
        .flat_map(|(v, code)| [(v, (code ^ bl).count_ones()), (v, (code ^ tr).count_ones())])
        .filter(|(_, errors)| *errors <= 3)
        .min_by_key(|(_, errors)| *errors)
        .map(|(v, _)| v)
}

/// The 18-bit version information for `version`: 6 data bits and the BCH(18,6) remainder under
/// the generator 0x1F25.
fn version_code(version: u8) -> u32 {
    let data = u32::from(version);
    let mut rem = data << 12;
    for bit in (12..18).rev() {
        if rem & (1 << bit) != 0 {
            rem ^= 0x1f25 << (bit - 12);
        }
    }
    (data << 12) | rem
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_meet_where_they_cross() {
        let p = |x: i64, y: i64| Pt::new(x * SUB, y * SUB);
        // x = 100 (through (100, 0) and (100, 10)) meets y = 50 (through (0, 50), (10, 50)).
        assert_eq!(
            intersect(p(100, 0), p(100, 10), p(0, 50), p(10, 50)),
            Some(p(100, 50))
        );
        // Slanted: y = x and y = 200 - x meet at (100, 100).
        assert_eq!(
            intersect(p(0, 0), p(10, 10), p(0, 200), p(10, 190)),
            Some(p(100, 100))
        );
        assert_eq!(intersect(p(0, 0), p(1, 1), p(0, 5), p(1, 6)), None);
    }

    #[test]
    fn the_corner_of_a_drawn_finder_is_found() {
        // A finder of 4-pixel modules with its top-left outer corner at (20, 30).
        let (w, h) = (80, 80);
        let mut img = BitImage {
            w,
            h,
            dark: vec![false; w * h],
        };
        for y in 0..28 {
            for x in 0..28 {
                let (mx, my) = (x / 4, y / 4);
                let ring = mx == 0 || mx == 6 || my == 0 || my == 6;
                let core = (2..5).contains(&mx) && (2..5).contains(&my);
                img.dark[(30 + y) * w + 20 + x] = ring || core;
            }
        }
        let centre = Pt::new(34 * SUB, 44 * SUB);
        let mut budget = Budget::new(100);
        let towards = [Pt::new(20 * SUB, 30 * SUB), Pt::new(48 * SUB, 58 * SUB)];
        let [a, b] = ring_corners(&img, centre, towards, &mut budget).unwrap();
        assert_eq!((a.x / SUB, a.y / SUB), (20, 30));
        assert_eq!((b.x / SUB, b.y / SUB), (47, 57));
    }

    #[test]
    fn format_codes_match_the_standard() {
        // ISO/IEC 18004:2015 annex C, table C.1: level M mask 0 is 101010000010010 and
        // level L mask 0 is 111011111000100.
        let code = |data| decode::format_code(data, decode::Model::Two);
        assert_eq!(code(0b00_000), 0b101_0100_0001_0010);
        assert_eq!(code(0b01_000), 0b111_0111_1100_0100);
    }

    #[test]
    fn alignment_centres_match_annex_e() {
        assert!(alignment_centres(21).is_empty());
        assert_eq!(alignment_centres(25), vec![6, 18]);
        assert_eq!(alignment_centres(17 + 4 * 7), vec![6, 22, 38]);
        assert_eq!(
            alignment_centres(17 + 4 * 32),
            vec![6, 34, 60, 86, 112, 138]
        );
        assert_eq!(alignment_centres(177), vec![6, 30, 58, 86, 114, 142, 170]);
    }

    #[test]
    fn version_codes_match_the_standard() {
        // ISO/IEC 18004:2015 annex D, table D.1.
        assert_eq!(version_code(7), 0x07c94);
        assert_eq!(version_code(8), 0x085bc);
        assert_eq!(version_code(40), 0x28c69);
    }
}
