//! Integer geometry: points in sub-pixel units and projective maps between quadrilaterals.
//!
//! No floats: points carry [`SUB`] sub-pixel steps per pixel, and a projective map is a 3×3
//! integer matrix defined up to scale, renormalised after every product so it stays well inside
//! `i128`.

/// Sub-pixel steps per pixel.
pub(crate) const SUB: i64 = 16;

/// A point in sub-pixel units (`SUB` per pixel) of the working image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Pt {
    pub x: i64,
    pub y: i64,
}

impl Pt {
    pub(crate) fn new(x: i64, y: i64) -> Self {
        Pt { x, y }
    }

    pub(crate) fn sub(self, o: Pt) -> Pt {
        Pt::new(self.x - o.x, self.y - o.y)
    }

    pub(crate) fn add(self, o: Pt) -> Pt {
        Pt::new(self.x + o.x, self.y + o.y)
    }

    /// Squared distance, in squared sub-pixel units.
    pub(crate) fn dist2(self, o: Pt) -> i64 {
        let d = self.sub(o);
        d.x.saturating_mul(d.x)
            .saturating_add(d.y.saturating_mul(d.y))
    }

    /// Distance in sub-pixel units, rounded down.
    pub(crate) fn dist(self, o: Pt) -> i64 {
        i64::try_from(u64::try_from(self.dist2(o)).unwrap_or(0).isqrt()).unwrap_or(i64::MAX)
    }

    /// z component of the cross product of `a - self` and `b - self`.
    pub(crate) fn cross(self, a: Pt, b: Pt) -> i64 {
        let (u, v) = (a.sub(self), b.sub(self));
        u.x.saturating_mul(v.y)
            .saturating_sub(u.y.saturating_mul(v.x))
    }
}

/// A projective map (homography) as a 3×3 matrix up to scale: `(u, v, 1) ↦ (x, y, w)`, with
/// `m[row][col]` and the point `(x / w, y / w)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Homography {
    m: [[i128; 3]; 3],
}

/// Entries are scaled down until the largest is below this bound after each product.
const ENTRY_MAX: i128 = 1 << 40;

impl Homography {
    /// The map from the unit square `(0,0), (1,0), (1,1), (0,1)` onto the quadrilateral
    /// `q[0..4]` in that order (Heckbert's square-to-quad construction, scaled by its
    /// denominator so every entry is an integer).
    pub(crate) fn square_to_quad(q: [Pt; 4]) -> Option<Self> {
        let [p0, p1, p2, p3] = q;
        let (x0, y0) = (i128::from(p0.x), i128::from(p0.y));
        let (x1, y1) = (i128::from(p1.x), i128::from(p1.y));
        let (x2, y2) = (i128::from(p2.x), i128::from(p2.y));
        let (x3, y3) = (i128::from(p3.x), i128::from(p3.y));
        let (dx1, dy1) = (x1 - x2, y1 - y2);
        let (dx2, dy2) = (x3 - x2, y3 - y2);
        let (dx3, dy3) = (x0 - x1 + x2 - x3, y0 - y1 + y2 - y3);
        let den = dx1 * dy2 - dx2 * dy1;
        if den == 0 {
            return None;
        }
        let g = dx3 * dy2 - dx2 * dy3;
        let h = dx1 * dy3 - dx3 * dy1;
        // x = (a u + b v + c) / (g' u + h' v + 1) with g' = g / den, h' = h / den; multiply
        // through by den.
        let m = [
            [(x1 - x0) * den + g * x1, (x3 - x0) * den + h * x3, x0 * den],
            [(y1 - y0) * den + g * y1, (y3 - y0) * den + h * y3, y0 * den],
            [g, h, den],
        ];
        Some(Homography { m }.normalised())
    }

    /// The inverse map, as the adjugate matrix (the inverse up to scale).
    pub(crate) fn inverse(&self) -> Self {
        let m = &self.m;
        let c = |r0: usize, c0: usize, r1: usize, c1: usize| {
            let a = m.get(r0).and_then(|r| r.get(c0)).copied().unwrap_or(0);
            let b = m.get(r0).and_then(|r| r.get(c1)).copied().unwrap_or(0);
            let d = m.get(r1).and_then(|r| r.get(c0)).copied().unwrap_or(0);
            let e = m.get(r1).and_then(|r| r.get(c1)).copied().unwrap_or(0);
            a * e - b * d
        };
        let adj = [
            [c(1, 1, 2, 2), -c(0, 1, 2, 2), c(0, 1, 1, 2)],
            [-c(1, 0, 2, 2), c(0, 0, 2, 2), -c(0, 0, 1, 2)],
            [c(1, 0, 2, 1), -c(0, 0, 2, 1), c(0, 0, 1, 1)],
        ];
        Homography { m: adj }.normalised()
    }

    /// `self ∘ other`: first `other`, then `self`.
    pub(crate) fn then_after(&self, other: &Homography) -> Self {
        let mut out = [[0i128; 3]; 3];
        for (r, row) in out.iter_mut().enumerate() {
            for (c, cell) in row.iter_mut().enumerate() {
                *cell = (0..3)
                    .map(|k| {
                        let a = self.m.get(r).and_then(|x| x.get(k)).copied().unwrap_or(0);
                        let b = other.m.get(k).and_then(|x| x.get(c)).copied().unwrap_or(0);
                        a.saturating_mul(b)
                    })
                    .fold(0i128, i128::saturating_add);
            }
        }
        Homography { m: out }.normalised()
    }

    /// Scale all entries down together (the map is unchanged) until they are below
    /// `ENTRY_MAX`.
    fn normalised(mut self) -> Self {
        let largest = self
            .m
            .iter()
            .flatten()
            .map(|v| v.unsigned_abs())
            .max()
            .unwrap_or(0);
        let limit = ENTRY_MAX.unsigned_abs();
        if largest >= limit {
            let shift =
                (128 - largest.leading_zeros()).saturating_sub(128 - limit.leading_zeros()) + 1;
            for v in self.m.iter_mut().flatten() {
                *v >>= shift;
            }
        }
        self
    }

    /// Map `(u, v)` given as numerators over the common denominator `den`.
    pub(crate) fn map(&self, u: i64, v: i64, den: i64) -> Option<Pt> {
        const SMALL: i64 = 1 << 20;
        if u.abs() < SMALL && v.abs() < SMALL && den.abs() < SMALL {
            return self.map_small(u, v, den);
        }
        self.map_wide(u, v, den)
    }

    /// `map` in `i64`: entries stay below 2^40 (`normalised`) and inputs below 2^20, so every
    /// product is below 2^60 and every sum of three below 2^62.
    fn map_small(&self, u: i64, v: i64, den: i64) -> Option<Pt> {
        let [r0, r1, r2] = &self.m;
        let e = |v: i128| i64::try_from(v).ok();
        let x = e(r0[0])? * u + e(r0[1])? * v + e(r0[2])? * den;
        let y = e(r1[0])? * u + e(r1[1])? * v + e(r1[2])? * den;
        let w = e(r2[0])? * u + e(r2[1])? * v + e(r2[2])? * den;
        if w == 0 {
            return None;
        }
        Some(Pt::new(x.checked_div(w)?, y.checked_div(w)?))
    }

    fn map_wide(&self, u: i64, v: i64, den: i64) -> Option<Pt> {
        let [r0, r1, r2] = &self.m;
        let (u, v, d) = (i128::from(u), i128::from(v), i128::from(den));
        let x = r0[0] * u + r0[1] * v + r0[2] * d;
        let y = r1[0] * u + r1[1] * v + r1[2] * d;
        let w = r2[0] * u + r2[1] * v + r2[2] * d;
        if w == 0 {
            return None;
        }
        let x = i64::try_from(x.checked_div(w)?).ok()?;
        let y = i64::try_from(y.checked_div(w)?).ok()?;
        Some(Pt::new(x, y))
    }
}

/// The map from module space to image space that sends the four `from` points (module
/// coordinates in any fixed unit) onto the four `to` points (image sub-pixels).
pub(crate) fn quad_to_quad(from: [Pt; 4], to: [Pt; 4]) -> Option<Homography> {
    let source = Homography::square_to_quad(from)?;
    let target = Homography::square_to_quad(to)?;
    Some(target.then_after(&source.inverse()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn square_to_quad_hits_the_corners() {
        let q = [
            Pt::new(100, 50),
            Pt::new(900, 80),
            Pt::new(950, 1000),
            Pt::new(60, 930),
        ];
        let h = Homography::square_to_quad(q).unwrap();
        assert_eq!(h.map(0, 0, 1), Some(q[0]));
        assert_eq!(h.map(1, 0, 1), Some(q[1]));
        assert_eq!(h.map(1, 1, 1), Some(q[2]));
        assert_eq!(h.map(0, 1, 1), Some(q[3]));
    }

    #[test]
    fn quad_to_quad_sends_points_across() {
        let from = [
            Pt::new(7, 7),
            Pt::new(43, 7),
            Pt::new(37, 37),
            Pt::new(7, 43),
        ];
        let to = [
            Pt::new(1600, 1200),
            Pt::new(9000, 1800),
            Pt::new(8200, 8700),
            Pt::new(1100, 9400),
        ];
        let h = quad_to_quad(from, to).unwrap();
        for (f, t) in from.iter().zip(&to) {
            let got = h.map(f.x, f.y, 1).unwrap();
            assert!(
                (got.x - t.x).abs() <= 2 && (got.y - t.y).abs() <= 2,
                "{got:?} vs {t:?}"
            );
        }
        assert!(Homography::square_to_quad([Pt::new(0, 0); 4]).is_none());
    }
}
