//! Maps from module coordinates to image positions: one projective map for the whole symbol,
//! or one per cell of the alignment-pattern lattice for large symbols on paper that bends.

use super::geometry::{quad_to_quad, Homography, Pt};

/// A map from half-module coordinates (`2x + 1` is the centre of module column `x`) to image
/// sub-pixels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Warp {
    /// One projective map for the whole symbol.
    Global(Homography),
    /// One projective map per cell of a lattice of control points.
    Lattice(Lattice),
}

impl Warp {
    /// The image position of half-module coordinates `(hx, hy)`.
    pub(crate) fn map(&self, hx: i64, hy: i64) -> Option<Pt> {
        self.map_frac(hx, hy, 1)
    }

    /// The image position of half-module coordinates `(u / den, v / den)`.
    pub(crate) fn map_frac(&self, u: i64, v: i64, den: i64) -> Option<Pt> {
        match self {
            Warp::Global(h) => h.map(u, v, den),
            Warp::Lattice(l) => l.map(u, v, den),
        }
    }
}

/// Control points on a square lattice (the alignment-pattern centres, in the same half-module
/// coordinates on both axes) and the projective map of each cell between them; points outside
/// the outermost knots use the nearest edge cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Lattice {
    knots: Vec<i64>,
    cells: Vec<Homography>,
}

impl Lattice {
    /// The lattice through `points`, row-major, `knots.len()` a side (image positions of the
    /// control points at half-module coordinates `(knots[i], knots[j])`); `None` when there
    /// are fewer than two knots or a cell is degenerate.
    pub(crate) fn new(knots: Vec<i64>, points: &[Pt]) -> Option<Lattice> {
        let n = knots.len();
        if n < 2 || points.len() != n * n {
            return None;
        }
        let mut cells = Vec::with_capacity((n - 1) * (n - 1));
        for j in 0..n - 1 {
            for i in 0..n - 1 {
                let (x0, x1) = (*knots.get(i)?, *knots.get(i + 1)?);
                let (y0, y1) = (*knots.get(j)?, *knots.get(j + 1)?);
                let at = |a: usize, b: usize| points.get(b * n + a).copied();
                let cell = quad_to_quad(
                    [
                        Pt::new(x0, y0),
                        Pt::new(x1, y0),
                        Pt::new(x1, y1),
                        Pt::new(x0, y1),
                    ],
                    [at(i, j)?, at(i + 1, j)?, at(i + 1, j + 1)?, at(i, j + 1)?],
                )?;
                cells.push(cell);
            }
        }
        Some(Lattice { knots, cells })
    }

    fn map(&self, u: i64, v: i64, den: i64) -> Option<Pt> {
        let n = self.knots.len();
        let cell = |w: i64| {
            // The last knot at or below w / den, limited to the cells that exist.
            self.knots
                .iter()
                .skip(1)
                .take(n.saturating_sub(2))
                .take_while(|&&k| k.saturating_mul(den) <= w)
                .count()
        };
        let index = cell(v) * (n - 1) + cell(u);
        self.cells.get(index)?.map(u, v, den)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Lattice {
        fn map_t(&self, u: i64, v: i64) -> Option<Pt> {
            self.map(u, v, 1)
        }
    }

    #[test]
    fn lattice_cells_meet_at_the_control_points() {
        // A 3×3 lattice with the centre point pushed right: both cells beside it agree there.
        let knots = vec![0, 10, 20];
        let mut points: Vec<Pt> = (0..9)
            .map(|k| Pt::new((k % 3) * 160, (k / 3) * 160))
            .collect();
        points[4] = Pt::new(180, 160);
        let lattice = Lattice::new(knots, &points).unwrap();
        assert_eq!(lattice.map_t(10, 10), Some(Pt::new(180, 160)));
        assert_eq!(lattice.map_t(0, 0), Some(Pt::new(0, 0)));
        assert_eq!(lattice.map_t(20, 20), Some(Pt::new(320, 320)));
        // Outside the outer knots the edge cell extends.
        assert_eq!(lattice.map_t(-10, 0), Some(Pt::new(-160, 0)));
        // Halfway along the top edge of the first cell.
        assert_eq!(lattice.map_t(5, 0), Some(Pt::new(80, 0)));
    }
}
