//! The optimal warping path of a DTW, in bounded memory.
//!
//! Without a band, when the whole matrix fits in `limit`, it is computed by
//! the stripe kernel of `dtw.rs` and the path traced back through it
//! ([`traced`]). Otherwise rows are kept only over their band
//! (`|i - j| <= w`) and, below the last
//! row, only up to the column the path can still reach. When the cells of a
//! block of rows fit in `limit` they are all kept and the path is traced
//! back through them. Otherwise the block is swept once, keeping every
//! `s`-th row as a checkpoint, and its sub-blocks are solved from the
//! bottom up, each one starting from the checkpoint above it: a
//! divide-and-conquer (in the spirit of Hirschberg's) whose memory is
//! `O(limit)` per level and whose time is `O(levels · n · m)`.
//!
//! Every row is recomputed with the same `f64` recurrence as `dtw`, so the
//! traced path is one of the exact argmin chains of the forward matrix: the
//! sum of its cell costs, added from the start, is bit-for-bit the distance.
//! Ties prefer the diagonal, then the cell above (`i - 1`), then the cell on
//! the left (`j - 1`).

use core::arch::wasm32::*;

use crate::bounds::band_w;
use crate::dtw::{matrix, Kernel, MATRIX_PAD};
use crate::prec::{cost, Prec, F32, F64};
use crate::stripes::{dtw_dims, Table};
use std::cell::RefCell;

const INF: f64 = f64::INFINITY;

thread_local! {
    /// The whole matrix, for [`traced`].
    static MATRIX: RefCell<Vec<f64>> = RefCell::new(Vec::new());
}

/// Cells `lo..lo + vals.len()` of one row.
struct Row<P: Prec> {
    lo: usize,
    vals: Vec<P::E>,
}

impl<P: Prec> Row<P> {
    #[inline(always)]
    fn get(&self, j: usize) -> P::E {
        if j >= self.lo && j < self.lo + self.vals.len() {
            self.vals[j - self.lo]
        } else {
            P::INF
        }
    }
    #[inline(always)]
    fn left_of(&self, j: usize) -> P::E {
        if j == 0 {
            P::INF
        } else {
            self.get(j - 1)
        }
    }
}

/// Branch-free minimum of two values (non-negative, not NaN).
#[inline(always)]
fn pmin<P: Prec>(a: P::E, b: P::E) -> P::E {
    P::lane(P::min(P::splat(a), P::splat(b)), 0)
}

/// One DTW whose rows are recomputed on demand: `a` (the rows) and `b`
/// (the columns) of `d` values per point, in the precision `P`.
struct Ctx<'a, P: Prec> {
    /// Squared cost (else absolute).
    sq: bool,
    a: &'a [P::E],
    b: &'a [P::E],
    d: usize,
    /// Band half-width; `usize::MAX` without a band.
    w: usize,
    limit: usize,
    /// Scratch rows of [`Ctx::row`]: the row above (padded) and the costs.
    scratch: RefCell<(Vec<P::E>, Vec<P::E>)>,
}

impl<'a, P: Prec> Ctx<'a, P> {
    fn range(&self, i: usize, jmax: usize) -> (usize, usize) {
        (i.saturating_sub(self.w), jmax.min(i.saturating_add(self.w)))
    }

    /// Row `i` up to column `jmax`, from row `i - 1` (`None`: `i = 0`).
    fn row(&self, i: usize, prev: Option<&Row<P>>, jmax: usize) -> Row<P> {
        let (lo, hi) = self.range(i, jmax);
        let d = self.d;
        let x = &self.a[i * d..(i + 1) * d];
        let len = hi + 1 - lo;
        let mut vals = vec![P::ZERO; len];
        let mut sc = self.scratch.borrow_mut();
        let (above, costs) = &mut *sc;
        // above[k] is the cell of the row above at column lo - 1 + k.
        above.clear();
        above.resize(len + 1, P::INF);
        costs.resize(len, P::ZERO);
        match prev {
            Some(p) => {
                let from = p.lo.max(lo.saturating_sub(1));
                let to = (p.lo + p.vals.len()).min(hi + 1);
                if from < to {
                    above[from + 1 - lo..to + 1 - lo].copy_from_slice(&p.vals[from - p.lo..to - p.lo]);
                }
            }
            None => above[0] = P::ZERO, // the virtual cell before (0, 0)
        }
        // Two passes with the same values as `cost + min(up, diag,
        // left)`: `c + min(a, b) == min(c + a, c + b)` exactly, because
        // rounding is monotone. The first pass has no dependency between
        // columns; the second is the scan along the row. Minima use
        // vector minima: V8 compiles scalar minima to branches. With more
        // than one dimension, the costs are summed first.
        let b = &self.b[lo * d..(hi + 1) * d];
        if d > 1 {
            for (k, c) in costs.iter_mut().enumerate() {
                let y = &b[k * d..(k + 1) * d];
                *c = if self.sq { cost::<P, true>(x, y) } else { cost::<P, false>(x, y) };
            }
        }
        let n = P::N;
        let vecs = len / n;
        let xv = P::splat(x[0]);
        // SAFETY: k + n - 1 < len for k < n * vecs; `above` has len + 1
        // values, `b` len (when d is 1).
        unsafe {
            let (ap, bp) = (above.as_ptr(), b.as_ptr());
            let (cp, vp) = (costs.as_mut_ptr(), vals.as_mut_ptr());
            let first = |k: usize, c: v128| {
                let up = v128_load(ap.add(k + 1) as *const v128);
                let diag = v128_load(ap.add(k) as *const v128);
                v128_store(cp.add(k) as *mut v128, c);
                v128_store(vp.add(k) as *mut v128, P::add(c, P::min(up, diag)));
            };
            if d > 1 {
                for q in 0..vecs {
                    first(n * q, v128_load(cp.add(n * q) as *const v128));
                }
            } else if self.sq {
                for q in 0..vecs {
                    first(n * q, P::cost::<true>(xv, v128_load(bp.add(n * q) as *const v128)));
                }
            } else {
                for q in 0..vecs {
                    first(n * q, P::cost::<false>(xv, v128_load(bp.add(n * q) as *const v128)));
                }
            }
        }
        for k in n * vecs..len {
            if d == 1 {
                let y = &b[k..k + 1];
                costs[k] = if self.sq { cost::<P, true>(x, y) } else { cost::<P, false>(x, y) };
            }
            vals[k] = costs[k] + pmin::<P>(above[k + 1], above[k]);
        }
        let mut left = P::splat(P::INF);
        for (v, &c) in vals.iter_mut().zip(costs.iter()) {
            left = P::min(P::splat(*v), P::add(P::splat(c), left));
            *v = P::lane(left, 0);
        }
        Row { lo, vals }
    }

    fn width(&self, jmax: usize) -> usize {
        (jmax + 1).min(self.w.saturating_mul(2).saturating_add(1))
    }

    /// Traces the path from `(i1, jend)` up through rows `i0..=i1` (`top` is
    /// row `i0 - 1`, `None` when `i0 = 0`), appending cells to `path`.
    /// Returns the column where it enters row `i0 - 1`, or `None` once it
    /// reached `(0, 0)`.
    fn solve(&self, i0: usize, i1: usize, top: Option<&Row<P>>, jend: usize, path: &mut Vec<u32>) -> Option<usize> {
        let rows = i1 + 1 - i0;
        let width = self.width(jend);
        if rows == 1 || rows.saturating_mul(width) <= self.limit {
            let mut block: Vec<Row<P>> = Vec::with_capacity(rows);
            for i in i0..=i1 {
                let prev = if i == i0 { top } else { block.last() };
                let r = self.row(i, prev, jend);
                block.push(r);
            }
            let (mut i, mut j) = (i1, jend);
            loop {
                path.push(i as u32);
                path.push(j as u32);
                if i == 0 && j == 0 {
                    return None;
                }
                let cur = &block[i - i0];
                let above = if i > i0 { Some(&block[i - 1 - i0]) } else { top };
                let left = cur.left_of(j);
                let (up, diag) = match above {
                    Some(r) => (r.get(j), r.left_of(j)),
                    None => (P::INF, P::INF),
                };
                let (ni, nj) = if diag <= up && diag <= left {
                    (i.wrapping_sub(1), j - 1)
                } else if up <= left {
                    (i.wrapping_sub(1), j)
                } else {
                    (i, j - 1)
                };
                if ni != i && i == i0 {
                    return Some(nj);
                }
                i = ni;
                j = nj;
            }
        }
        // Checkpoints: at most `limit / width` rows kept at this level.
        let keep = (self.limit / width).max(2);
        let s = (rows + keep - 1) / keep;
        let blocks = (rows + s - 1) / s;
        let mut checkpoints: Vec<Row<P>> = Vec::with_capacity(blocks - 1);
        let mut prev: Option<Row<P>> = None;
        for i in i0..i0 + (blocks - 1) * s {
            let r = self.row(i, if i == i0 { top } else { prev.as_ref() }, jend);
            if (i + 1 - i0) % s == 0 {
                checkpoints.push(Row { lo: r.lo, vals: r.vals.clone() });
            }
            prev = Some(r);
        }
        drop(prev);
        let mut j = jend;
        for t in (0..blocks).rev() {
            let lo = i0 + t * s;
            let hi = (lo + s - 1).min(i1);
            let above = if t == 0 { top } else { Some(&checkpoints[t - 1]) };
            j = self.solve(lo, hi, above, j, path)?;
            if t > 0 {
                // Checkpoint t - 1 was the top of this block: no longer needed.
                checkpoints.truncate(t - 1);
            }
        }
        Some(j)
    }
}

/// Without a band, when the whole matrix fits in `limit`: the matrix from
/// the stripe kernel of `dtw.rs` (the same values, about ten times faster
/// than [`Ctx::row`]'s scan; scalar rows below its `SMALL` columns, or as
/// `kernel` says), and the path traced back through it with the same ties
/// as [`Ctx::solve`], from the end.
fn traced(sq: bool, a: &[f64], b: &[f64], kernel: Kernel, out: &mut Vec<u32>) -> f64 {
    let (n, m) = (a.len(), b.len());
    // The stripes want at least as many rows as columns: DTW is symmetric
    // under transposition, cell for cell.
    let t = n < m;
    MATRIX.with(|mx| {
        let mut mx = mx.borrow_mut();
        let stride = if t { matrix(b, a, sq, kernel, &mut mx) } else { matrix(a, b, sq, kernel, &mut mx) };
        let at = |i: usize, j: usize| {
            let (r, c) = if t { (j, i) } else { (i, j) };
            mx[r * stride + MATRIX_PAD + c]
        };
        let (mut i, mut j) = (n - 1, m - 1);
        loop {
            out.push(i as u32);
            out.push(j as u32);
            if i == 0 && j == 0 {
                return at(n - 1, m - 1);
            }
            let diag = if i > 0 && j > 0 { at(i - 1, j - 1) } else { INF };
            let up = if i > 0 { at(i - 1, j) } else { INF };
            let left = if j > 0 { at(i, j - 1) } else { INF };
            if diag <= up && diag <= left {
                i -= 1;
                j -= 1;
            } else if up <= left {
                i -= 1;
            } else {
                j -= 1;
            }
        }
    })
}

/// Which way [`dtw_path`] finds the path (the `strategy` of `path_f64`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// [`Strategy::Matrix`] (with [`Kernel::Auto`]) when it applies and the
    /// matrix fits in `limit`, else [`Strategy::Checkpoints`].
    Auto,
    /// The whole matrix ([`traced`]), filled by the given kernel of
    /// `dtw.rs`, whatever `limit`. Only without a band (`window` at least
    /// the longer length).
    Matrix(Kernel),
    /// The rows over their band, every row kept ([`Ctx::solve`] with no
    /// limit).
    Rows,
    /// The rows over their band, at most `limit` cells kept at once:
    /// divide and conquer through checkpoints when they do not all fit.
    Checkpoints,
}

/// Whether [`traced`] may apply: no band.
fn unbanded(n: usize, m: usize, window: Option<usize>) -> bool {
    window.map_or(true, |win| win >= n.max(m))
}

/// Appends the path of `a` and `b` (`d` values per point, both not empty)
/// through [`Ctx::solve`], from the end.
fn path<P: Prec>(sq: bool, a: &[P::E], b: &[P::E], d: usize, window: Option<usize>, limit: usize, out: &mut Vec<u32>) {
    let (n, m) = (a.len() / d, b.len() / d);
    let w = band_w(window, n, m);
    let scratch = RefCell::new((Vec::new(), Vec::new()));
    let ctx = Ctx::<P> { sq, a, b, d, w, limit: limit.max(1), scratch };
    ctx.solve(0, n - 1, None, m - 1, out);
}

/// Reverses the `(i, j)` pairs of `out` (they were appended from the end).
fn reverse_pairs(out: &mut [u32]) {
    let pairs = out.len() / 2;
    for p in 0..pairs / 2 {
        let q = pairs - 1 - p;
        out.swap(2 * p, 2 * q);
        out.swap(2 * p + 1, 2 * q + 1);
    }
}

/// Where the whole matrix ([`traced`]) applies: one dimension in `f64`.
pub trait Whole: Prec {
    /// Whether [`traced`] applies to points of `d` values.
    fn whole(d: usize) -> bool;
    /// [`traced`], where [`Whole::whole`].
    fn traced(sq: bool, a: &[Self::E], b: &[Self::E], kernel: Kernel, out: &mut Vec<u32>) -> f64;
}

impl Whole for F64 {
    fn whole(d: usize) -> bool {
        d == 1
    }
    fn traced(sq: bool, a: &[f64], b: &[f64], kernel: Kernel, out: &mut Vec<u32>) -> f64 {
        traced(sq, a, b, kernel, out)
    }
}

impl Whole for F32 {
    fn whole(_d: usize) -> bool {
        false
    }
    fn traced(_sq: bool, _a: &[f32], _b: &[f32], _kernel: Kernel, _out: &mut Vec<u32>) -> f64 {
        f64::NAN
    }
}

/// `dtwPath`: returns the distance of `a` and `b` (`d` values per point,
/// as `stripes.rs`' `dtw_dims` in the precision `P`) and leaves the path in
/// `out` as `(i, j)` pairs (empty when a series is empty or the distance
/// exceeds `cutoff`); `None` when `strategy` does not apply
/// ([`Strategy::Matrix`] only where [`Whole::whole`]). `limit` bounds the
/// cells kept at once (see [`Strategy`]).
#[allow(clippy::too_many_arguments)]
pub fn dtw_path<P: Table + Whole>(
    a: &[P::E],
    b: &[P::E],
    d: usize,
    window: Option<usize>,
    sq: bool,
    cutoff: f64,
    limit: usize,
    strategy: Strategy,
    out: &mut Vec<u32>,
) -> Option<f64> {
    let (n, m) = (a.len() / d, b.len() / d);
    out.clear();
    let whole = P::whole(d) && unbanded(n, m, window);
    let matrix = match strategy {
        Strategy::Auto if whole && n.saturating_mul(m) <= limit => Some(Kernel::Auto),
        Strategy::Matrix(kernel) if whole => Some(kernel),
        Strategy::Matrix(_) => return None,
        Strategy::Auto | Strategy::Rows | Strategy::Checkpoints => None,
    };
    let limit = if strategy == Strategy::Rows { usize::MAX } else { limit };
    let distance = |out: &mut Vec<u32>| {
        let dist = P::to_f64(dtw_dims::<P>(a, b, d, window, sq, cutoff, None, Kernel::Auto));
        if dist <= cutoff && n > 0 && m > 0 {
            path::<P>(sq, a, b, d, window, limit, out);
        }
        dist
    };
    let dist = match matrix {
        // The matrix gives the distance too.
        Some(kernel) if n > 0 && m > 0 => P::traced(sq, a, b, kernel, out),
        _ => distance(out),
    };
    if dist > cutoff {
        out.clear();
        return Some(f64::INFINITY);
    }
    reverse_pairs(out);
    Some(dist)
}
