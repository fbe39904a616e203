//! Exact Dynamic Time Warping on `f64`, full or Sakoe-Chiba banded.
//!
//! # Layout of the computation
//!
//! The longer sequence runs down the rows, the shorter one across the
//! columns, and only one row of the cost matrix is kept (`O(min(n, m))`
//! memory). Rows are processed in *stripes* of `2K` rows. A stripe holds `K`
//! `f64x2` vectors: vector `v` carries row `r0 + v` in lane 0 and row
//! `r0 + K + v` in lane 1. Each row lags the row above by one column, and
//! lane 1 lags lane 0 by `K` more columns, so at step `t`:
//!
//! * lane 0 of vector `v` computes column `t - v`;
//! * lane 1 of vector `v` computes column `t - v - K`.
//!
//! Vector `v` then needs only values that vectors `v - 1` and `v` produced
//! at steps `t - 1` and `t - 2`: the `K` vectors are independent chains, so
//! `2K` cells are in flight per step, and no lane ever moves except once per
//! step, where lane 0 of the last vector becomes the "row above" of lane 1 of
//! the first. The bottom row of a stripe is written back to the row buffer
//! for the next stripe.
//!
//! Out-of-range columns read `+inf` from padded inputs. Out-of-band cells are
//! forced to `+inf` by a mask that is only applied on the few steps where a
//! lane can leave the band (the ramps of a stripe).
//!
//! The recurrence is evaluated as `cost + min(up, diag, left)` in `f64`,
//! exactly as the reference implementation does, so results are bit-for-bit
//! identical to it.

use core::arch::wasm32::*;

use crate::memory::Work;
use crate::num;
use crate::prec::{Prec, F64};
use std::cell::RefCell;

const INF: f64 = f64::INFINITY;
/// Padding, in columns, on both sides of the column buffers.
pub const OFF: usize = 16;
/// Below this many columns, rows are computed one scalar row at a time.
pub const SMALL: usize = 24;
/// Vectors per stripe in the main loop (8 rows, 8 cells in flight). Five
/// vectors no longer fit V8's 16 SIMD registers and measure no faster.
const KMAX: usize = 4;

/// Scratch of [`run`]: the row buffer, the column buffers of the stripes
/// (one per stripe size `k`, see [`fill_columns`]) with the columns they
/// hold, and the band masks of the current stripe size.
struct Bufs {
    row: Work,
    cols: [Work; KMAX + 1],
    /// `(pointer, length)` of the `b` each column buffer holds, when it may
    /// be reused (see [`dtw_rest`]'s `same_columns`).
    held: [(usize, usize); KMAX + 1],
    ramps: Work,
    full: Work,
}

thread_local! {
    static BUFS: RefCell<Bufs> = RefCell::new(Bufs {
        row: Work::new(),
        cols: [Work::new(), Work::new(), Work::new(), Work::new(), Work::new()],
        held: [(0, 0); KMAX + 1],
        ramps: Work::new(),
        full: Work::new(),
    });
}

/// Band description: `w` is the effective half-width, `banded` is false when
/// every cell is inside the band.
#[derive(Clone, Copy)]
pub struct Band {
    pub w: usize,
    pub banded: bool,
}

impl Band {
    /// Effective band for sequences of `n` rows and `m` columns (`n >= m`):
    /// `max(window, n - m)`, as the original `calculateWithWindow`.
    pub fn new(window: Option<usize>, n: usize, m: usize) -> Band {
        match window {
            Some(win) => {
                let w = win.max(n - m);
                Band { w, banded: w + 1 < n }
            }
            None => Band { w: usize::MAX, banded: false },
        }
    }

    /// The columns `lo..=hi` of row `i` inside the band, of `m` columns.
    #[inline(always)]
    pub fn columns(&self, i: usize, m: usize) -> (usize, usize) {
        if self.banded {
            (i.saturating_sub(self.w), (m - 1).min(i + self.w))
        } else {
            (0, m - 1)
        }
    }
}

/// Which kernel computes the rows of one DTW (the `strategy` of `dtw_f64`
/// and of `search_f64`'s DTWs).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kernel {
    /// [`Kernel::Rows`] below [`SMALL`] columns, else [`Kernel::Stripes`].
    Auto,
    /// One scalar row at a time ([`scalar_row`]).
    Rows,
    /// Stripes of up to `2 * KMAX` rows in `f64x2` lanes ([`stripe`]); an
    /// odd last row is a scalar row.
    Stripes,
    /// For `stripes.rs`: stripes through its general kernel only (any
    /// number of dimensions, row values read from memory), so that tests
    /// reach it for every `d`. The stripes of this file take it as
    /// [`Kernel::Stripes`].
    General,
}

/// DTW distance between `a` and `b`; `+inf` once it must exceed `cutoff`.
pub fn dtw(a: &[f64], b: &[f64], window: Option<usize>, squared: bool, cutoff: f64, kernel: Kernel) -> f64 {
    let (a, b) = if a.len() >= b.len() { (a, b) } else { (b, a) };
    if b.is_empty() {
        return if a.is_empty() { 0.0 } else { INF };
    }
    let band = Band::new(window, a.len(), b.len());
    let d = if squared {
        run::<true, false>(a, b, band, cutoff, None, false, Store::NONE, kernel)
    } else {
        run::<false, false>(a, b, band, cutoff, None, false, Store::NONE, kernel)
    };
    if d > cutoff {
        INF
    } else {
        d
    }
}

/// [`dtw`] that also abandons once the bottom row `i` of a stripe proves,
/// with `rest`, that the distance must exceed `rest_cutoff`: it stops when
/// `min(row i) + rest[i + 1] > rest_cutoff`. Rows are the points of `a`,
/// which must be at least as long as `b`; `rest` has `a.len() + 1` entries
/// and `rest[p]` must be a lower bound of the cost of any warping path's
/// cells in rows `>= p` (a cumulative LB_Keogh, for example). Added for
/// `topK` and the subsequence search (`top_k.rs`, `search.rs`); semantics of
/// [`dtw`] are unchanged (same values, `+inf` above `cutoff`).
///
/// With `prune`, cells that no path within the cutoffs can cross are
/// skipped, as in EAPrunedDTW (Herrmann & Webb, 2021): after each stripe,
/// the columns of its bottom row before the first such cell and after the
/// last one; a stripe also stops once every cell of two consecutive steps
/// is such a cell and so is the row above it from there on (see
/// [`steps`]). Skipped cells count as `+inf`; the distance is unchanged
/// when it is within the cutoffs (the cells of its optimal path are never
/// skipped, and every other cell is computed from its neighbours alike).
///
/// `same_columns` lets a caller that runs many DTWs against one `b` skip
/// rebuilding the column buffers: pass `false` on the first call, and `true`
/// only while `b` is the same slice with the same contents as on the
/// previous call (any call with `false`, or through [`dtw`], starts over).
#[allow(clippy::too_many_arguments)]
pub fn dtw_rest(
    a: &[f64],
    b: &[f64],
    window: Option<usize>,
    squared: bool,
    cutoff: f64,
    rest: &[f64],
    rest_cutoff: f64,
    prune: bool,
    same_columns: bool,
    kernel: Kernel,
) -> f64 {
    debug_assert!(a.len() >= b.len() && rest.len() == a.len() + 1);
    if b.is_empty() {
        return if a.is_empty() { 0.0 } else { INF };
    }
    let band = Band::new(window, a.len(), b.len());
    let rest = Some((rest, rest_cutoff, prune));
    let d = if squared {
        run::<true, false>(a, b, band, cutoff, rest, same_columns, Store::NONE, kernel)
    } else {
        run::<false, false>(a, b, band, cutoff, rest, same_columns, Store::NONE, kernel)
    };
    if d > cutoff {
        INF
    } else {
        d
    }
}

/// Where the stripes store every cell (for [`matrix`]): cell `(i, j)` at
/// `base + i * stride + j`.
#[derive(Clone, Copy)]
struct Store {
    base: *mut f64,
    stride: usize,
}

impl Store {
    const NONE: Store = Store { base: std::ptr::null_mut(), stride: 0 };

    /// Stores row `r` (columns `0..m`).
    fn row(&self, r: usize, vals: &[f64]) {
        // SAFETY: `matrix` allocated `n` rows of `stride >= m` cells.
        unsafe { std::ptr::copy_nonoverlapping(vals.as_ptr(), self.base.add(r * self.stride), vals.len()) }
    }
}

/// Columns of padding on each side of a row of [`matrix`]: the stripes
/// compute (and store) a few cells outside `0..m` at their ramps.
pub const MATRIX_PAD: usize = 2 * KMAX;

/// The whole cost matrix of the unbanded DTW of `a` (rows) against `b`
/// (columns), `a.len() >= b.len() >= 1`, with the values of [`dtw`], filled
/// by `kernel`: cell `(i, j)` is `out[i * stride + MATRIX_PAD + j]`.
/// Returns `stride`.
pub fn matrix(a: &[f64], b: &[f64], squared: bool, kernel: Kernel, out: &mut Vec<f64>) -> usize {
    debug_assert!(a.len() >= b.len() && !b.is_empty());
    let stride = b.len() + 2 * MATRIX_PAD;
    // Every cell the path reads, (0..n) x (0..m), is stored by the stripes
    // (checked by filling it with NaN: the dtwPath tests pass), so it is
    // only grown, not cleared: no pass over n * m cells before the work.
    let len = a.len() * stride;
    if out.len() < len {
        out.resize(len, INF);
    }
    let store = Store { base: out.as_mut_ptr().wrapping_add(MATRIX_PAD), stride };
    let band = Band::new(None, a.len(), b.len());
    if squared {
        run::<true, true>(a, b, band, INF, None, false, store, kernel);
    } else {
        run::<false, true>(a, b, band, INF, None, false, store, kernel);
    }
    stride
}

/// Runs the stripes (or, as `kernel` says, scalar rows) over all rows of
/// `a` (`a.len() >= b.len() >= 1`).
#[allow(clippy::too_many_arguments)]
fn run<const SQ: bool, const STORE: bool>(
    a: &[f64],
    b: &[f64],
    band: Band,
    cutoff: f64,
    rest: Option<(&[f64], f64, bool)>,
    same_columns: bool,
    store: Store,
    kernel: Kernel,
) -> f64 {
    BUFS.with(|bufs| {
        let mut bufs = bufs.borrow_mut();
        let Bufs { row: rb, cols, held, ramps, full } = &mut *bufs;
        let m = b.len();
        let n = a.len();
        if !same_columns {
            *held = [(0, 0); KMAX + 1];
        }
        let row = rb.take(m + 2 * OFF, INF);
        row[OFF - 1] = 0.0;
        let rows = match kernel {
            // Short columns: the stripes' set-up would cost more than the cells.
            Kernel::Auto => m < SMALL,
            Kernel::Rows => true,
            Kernel::Stripes | Kernel::General => false,
        };
        if rows {
            for (r, &x) in a.iter().enumerate() {
                let min = scalar_row::<SQ>(x, b, row, r, band);
                if STORE {
                    store.row(r, &row[OFF..OFF + m]);
                }
                if min > cutoff {
                    return INF;
                }
                if let Some((rest, rest_cutoff, _)) = rest {
                    if min + rest[(r + 1).min(rest.len() - 1)] > rest_cutoff {
                        return INF;
                    }
                }
                row[OFF - 1] = INF;
            }
            return row[OFF + m - 1];
        }
        let mut r0 = 0;
        let mut k_built = 0;
        let mut masks = Masks::none();
        // With pruning, the scans below find a row with no cell left.
        let pruning = matches!(rest, Some((_, _, true)));
        let check = (cutoff < INF || rest.is_some()) && !pruning;
        let key = (b.as_ptr() as usize, m);
        // First column that may hold a cell of a path within the cutoffs,
        // and the first after the last, in the row above the stripe.
        let mut live = 0;
        let mut dead_from = usize::MAX >> 2;
        while n - r0 >= 2 {
            let k = ((n - r0) / 2).min(KMAX);
            if k != k_built {
                if held[k] != key {
                    fill_columns(cols[k].take(2 * (m + 2 * OFF), INF), b, k);
                    held[k] = if same_columns { key } else { (0, 0) };
                }
                if band.banded {
                    masks = Masks::ramps::<F64>(ramps, band.w as isize, k);
                }
                k_built = k;
            }
            let bb = &cols[k];
            let from = live as isize;
            let prune = match rest {
                Some((rest, cut, true)) => Some((rest, cut, dead_from as isize)),
                _ => None,
            };
            let bottom_min = match k {
                4 => stripe::<4, SQ, STORE>(a, r0, m, row, bb, &mut masks, full, band, check, store, from, prune),
                3 => stripe::<3, SQ, STORE>(a, r0, m, row, bb, &mut masks, full, band, check, store, from, prune),
                2 => stripe::<2, SQ, STORE>(a, r0, m, row, bb, &mut masks, full, band, check, store, from, prune),
                _ => stripe::<1, SQ, STORE>(a, r0, m, row, bb, &mut masks, full, band, check, store, from, prune),
            };
            row[OFF - 1] = INF;
            r0 += 2 * k;
            if check && bottom_min > cutoff {
                return INF;
            }
            if let Some((rest, rest_cutoff, prune)) = rest {
                let rest = rest[r0.min(rest.len() - 1)];
                if !prune {
                    if bottom_min + rest > rest_cutoff {
                        return INF;
                    }
                    continue;
                }
                // Columns of the bottom row (row r0 - 1) before the first
                // one that a path within the cutoffs may cross: no such
                // path reaches them in later rows either. (When there is
                // none, the row's minimum is above the cutoffs.)
                let lo = if band.banded { (r0 - 1).saturating_sub(band.w) } else { 0 };
                let hi = if band.banded { (r0 - 1 + band.w).min(m - 1) } else { m - 1 };
                let mut c = live.max(lo);
                while c <= hi && (row[OFF + c] > cutoff || row[OFF + c] + rest > rest_cutoff) {
                    c += 1;
                }
                if c > hi {
                    return INF;
                }
                live = c;
                // Columns after the last that such a path may cross.
                let mut e = hi;
                while e > c && (row[OFF + e] > cutoff || row[OFF + e] + rest > rest_cutoff) {
                    e -= 1;
                }
                dead_from = e + 1;
            }
        }
        if r0 < n {
            // Columns before `live` were not computed in the last stripes
            // (row[OFF - 1] is the origin when no stripe ran).
            row[OFF..OFF + live.min(m)].iter_mut().for_each(|v| *v = INF);
            scalar_row::<SQ>(a[r0], b, row, r0, band);
            if STORE {
                store.row(r0, &row[OFF..OFF + m]);
            }
        }
        row[OFF + m - 1]
    })
}

/// Band masks of one stripe size `k` (see [`fill_mask`]): the two ramps,
/// built once per size, and the full mask, built on first use. Shared with
/// `stripes.rs`, in either precision.
pub struct Masks<E> {
    pub left: *const E,
    pub right: *const E,
    full: *const E,
}

impl<E: Copy> Masks<E> {
    pub fn none() -> Masks<E> {
        Masks { left: std::ptr::null(), right: std::ptr::null(), full: std::ptr::null() }
    }

    /// Masks of the left and right ramps of a band of half-width `w`:
    /// `O(k)` memory whatever the band.
    pub fn ramps<P: Prec<E = E>>(buf: &mut Work<E>, w: isize, k: usize) -> Masks<E> {
        let (n, ki) = (P::N as isize, k as isize);
        let len = (n * (2 * n * ki + 2 * ki + 5)) as usize;
        let buf = buf.take(2 * len, P::INF);
        let (left, right) = buf.split_at_mut(len);
        Masks {
            left: fill_mask::<P>(left, -w - 2 * ki - 2, -w + 2 * n * ki + 2, w, k),
            right: fill_mask::<P>(right, w - 2 * ki - 2, w + 2 * n * ki + 2, w, k),
            full: std::ptr::null(),
        }
    }

    /// The mask of every step, for stripes that may leave the band at any
    /// step (a narrow band, or the last rows of a tall matrix).
    pub fn full<P: Prec<E = E>>(&mut self, buf: &mut Work<E>, w: isize, k: usize) -> *const E {
        if self.full.is_null() {
            let (n, ki) = (P::N as isize, k as isize);
            let buf = buf.take((n * (2 * w + 2 * n * ki + 2 * ki + 5)) as usize, P::INF);
            self.full = fill_mask::<P>(buf, -w - 2 * ki - 2, w + 2 * n * ki + 2, w, k);
        }
        self.full
    }
}

/// Fills the interleaved column buffer for stripes of `k` vectors:
/// entry `p` (offset by `OFF`) holds `(b[p], b[p - k])`, `+inf` outside.
fn fill_columns(bb: &mut [f64], b: &[f64], k: usize) {
    let m = b.len() as isize;
    let at = |p: isize| if p >= 0 && p < m { b[p as usize] } else { INF };
    for i in 0..bb.len() / 2 {
        let p = i as isize - OFF as isize;
        bb[2 * i] = at(p);
        bb[2 * i + 1] = at(p - k as isize);
    }
}

/// Fills a band mask for `q` in `[qlo, qhi]` (`q = t - 2v - r0`) for
/// stripes of `k` vectors of `N` lanes: lane `l` is `0` when
/// `|q - 2lk| <= w`, and `+inf` otherwise. Returns the pointer at which
/// `q = 0` would sit.
fn fill_mask<P: Prec>(buf: &mut [P::E], qlo: isize, qhi: isize, w: isize, k: usize) -> *const P::E {
    let n = P::N;
    for q in qlo..=qhi {
        let i = (q - qlo) as usize;
        for l in 0..n {
            let inside = (q - (2 * l * k) as isize).abs() <= w;
            buf[n * i + l] = if inside { P::ZERO } else { P::INF };
        }
    }
    buf.as_ptr().wrapping_offset(-(n as isize) * qlo)
}

/// One row `r` as a plain scalar pass, in place over the row buffer; returns
/// the row's minimum. Used for the last row when the number of rows is odd,
/// and for every row when the columns are few.
fn scalar_row<const SQ: bool>(x: f64, b: &[f64], row: &mut [f64], r: usize, band: Band) -> f64 {
    let (lo, hi) = band.columns(r, b.len());
    let mut diag = row[OFF + lo - 1];
    let mut left = INF;
    let mut min = INF;
    for j in lo..=hi {
        let up = row[OFF + j];
        let v = num::cost::<SQ>(x, b[j]) + num::min(num::min(up, diag), left);
        diag = up;
        row[OFF + j] = v;
        left = v;
        min = num::min(min, v);
    }
    min
}

struct State<const K: usize> {
    out: [v128; K],
    old: [v128; K],
    top_prev: v128,
}

/// One stripe of `2k` rows starting at `r0`. Returns the minimum of its
/// bottom row (a lower bound of the final distance) when `check_min`, else
/// `+inf`.
#[allow(clippy::too_many_arguments)]
fn stripe<const K: usize, const SQ: bool, const STORE: bool>(
    a: &[f64],
    r0: usize,
    m: usize,
    row: &mut [f64],
    bb: &Work,
    masks: &mut Masks<f64>,
    full: &mut Work,
    band: Band,
    check_min: bool,
    store: Store,
    from: isize,
    prune: Option<(&[f64], f64, isize)>,
) -> f64 {
    let k = K as isize;
    let r0i = r0 as isize;
    let mi = m as isize;
    let mut lanes = [f64x2_splat(0.0); K];
    for (v, lane) in lanes.iter_mut().enumerate() {
        *lane = f64x2(a[r0 + v], a[r0 + K + v]);
    }
    let (t_lo, t_hi) = if band.banded {
        let w = band.w as isize;
        ((r0i - w).max(from), (r0i + 4 * k - 2 + w).min(mi + 2 * k - 2))
    } else {
        (from, mi + 2 * k - 2)
    };
    let rbase = row.as_mut_ptr().wrapping_add(OFF);
    let bbase = bb.as_ptr().wrapping_add(2 * OFF);
    let mut st = State::<K> {
        out: [f64x2_splat(INF); K],
        old: [f64x2_splat(INF); K],
        top_prev: f64x2(row[(OFF as isize + t_lo - 1) as usize], INF),
    };
    let mut stop = Stop::<K> { rest: [f64x2_splat(0.0); K], cut: f64x2_splat(INF), from: isize::MAX };
    if let Some((rest, cut, from)) = prune {
        let at = |r: usize| rest[r.min(rest.len() - 1)];
        for (v, r) in stop.rest.iter_mut().enumerate() {
            *r = f64x2(at(r0 + v + 1), at(r0 + K + v + 1));
        }
        stop.cut = f64x2_splat(cut);
        stop.from = from;
    }
    let stop = &stop;
    let p = prune.is_some();
    // SAFETY: every index below stays inside the padded buffers: columns
    // range over [-(2k - 1), m + 2k - 2] and OFF >= 2 * KMAX.
    let end = unsafe {
        let null = std::ptr::null();
        if STORE || !band.banded {
            // (A stored matrix is only computed without a band.)
            if p {
                steps::<K, SQ, false, STORE, true>(&mut st, &lanes, bbase, rbase, null, r0i, t_lo, t_hi + 1, store, stop)
            } else {
                steps::<K, SQ, false, STORE, false>(&mut st, &lanes, bbase, rbase, null, r0i, t_lo, t_hi + 1, store, stop)
            }
        } else {
            let w = band.w as isize;
            let s_lo = (r0i + 4 * k - 2 - w).max((r0i - w).max(0));
            let s_hi = (r0i + w).min(t_hi);
            if s_lo > s_hi {
                // Narrow band: every step may leave it; one full mask.
                let base = masks.full::<F64>(full, w, K);
                steps::<K, SQ, true, false, false>(&mut st, &lanes, bbase, rbase, base, r0i, t_lo, t_hi + 1, store, stop)
            } else {
                // The ramps and the middle, from t_lo on.
                let (lbase, rmask) = (masks.left, masks.right);
                let (s_lo, s_end) = (s_lo.max(t_lo), (s_hi + 1).max(t_lo));
                steps::<K, SQ, true, false, false>(&mut st, &lanes, bbase, rbase, lbase, r0i, t_lo, s_lo, store, stop);
                let e = if p {
                    steps::<K, SQ, false, false, true>(&mut st, &lanes, bbase, rbase, null, r0i, s_lo, s_end, store, stop)
                } else {
                    steps::<K, SQ, false, false, false>(&mut st, &lanes, bbase, rbase, null, r0i, s_lo, s_end, store, stop)
                };
                if e < s_end {
                    e
                } else if p {
                    steps::<K, SQ, true, false, true>(&mut st, &lanes, bbase, rbase, rmask, r0i, s_end, t_hi + 1, store, stop)
                } else {
                    steps::<K, SQ, true, false, false>(&mut st, &lanes, bbase, rbase, rmask, r0i, s_end, t_hi + 1, store, stop)
                }
            }
        }
    };
    if end <= t_hi {
        // Stopped early: the rest of the bottom row is dead.
        let lo = (OFF as isize + end - 2 * k + 1) as usize;
        let hi = (OFF as isize + t_hi - 2 * k + 1) as usize;
        row[lo..=hi].iter_mut().for_each(|v| *v = INF);
    }
    // Minimum of the bottom row, a lower bound of the distance.
    if check_min {
        let lo = (OFF as isize + t_lo - 2 * k + 1) as usize;
        let hi = (OFF as isize + t_hi - 2 * k + 1) as usize;
        slice_min::<F64>(&row[lo..=hi])
    } else {
        INF
    }
}

/// Minimum of a non-empty slice, a vector at a time.
#[inline(always)]
pub fn slice_min<P: Prec>(x: &[P::E]) -> P::E {
    let n = P::N;
    let mut acc = P::splat(P::INF);
    let vecs = x.len() / n;
    for p in 0..vecs {
        // SAFETY: n * p + n - 1 < x.len().
        let v = unsafe { v128_load(x.as_ptr().add(n * p) as *const v128) };
        acc = P::min(v, acc);
    }
    let mut min = P::lane(acc, 0);
    for l in 1..n {
        min = num::min(min, P::lane(acc, l));
    }
    for &e in &x[vecs * n..] {
        min = num::min(min, e);
    }
    min
}

/// Steps `t0..t1` of a stripe. With `MASK`, out-of-band cells become `+inf`.
///
/// Addresses are formed from a base at the lowest column of the step so that
/// every WebAssembly load and store uses a positive constant offset.
///
/// # Safety
/// `bbase` and `rbase` must be the column and row buffers of [`stripe`] at
/// column 0, padded by `OFF` columns on both sides, and `t0..t1` within the
/// stripe's steps, so that every column touched lies in
/// `[-(2K - 1), m + 2K - 2]`; with `MASK`, `mbase` must cover `q` over those
/// steps (see [`Masks`]); with `STORE`, `store` must hold every cell of the
/// stripe's rows at those columns.
#[allow(clippy::too_many_arguments)]
unsafe fn steps<const K: usize, const SQ: bool, const MASK: bool, const STORE: bool, const STOP: bool>(
    st: &mut State<K>,
    lanes: &[v128; K],
    bbase: *const f64,
    rbase: *mut f64,
    mbase: *const f64,
    r0: isize,
    t0: isize,
    t1: isize,
    store: Store,
    stop: &Stop<K>,
) -> isize {
    let mut out = st.out;
    let mut old = st.old;
    let mut top_prev = st.top_prev;
    let lanes = *lanes;
    let k = K as isize;
    // Column buffer at p = t - (K - 1); row buffer at column t - (2K - 1).
    let mut bp = bbase.wrapping_offset(2 * (t0 - k + 1));
    let mut rp = rbase.wrapping_offset(t0 - 2 * k + 1);
    let mut mp = mbase.wrapping_offset(2 * (t0 - 2 * k + 2 - r0));
    // With STORE: lane 0 of vector v is cell (r0 + v, t - v), lane 1 cell
    // (r0 + K + v, t - v - K); `sp` is cell (r0, t).
    let stride = store.stride as isize;
    let mut sp = store.base.wrapping_offset(r0 * stride + t0);
    let mut t = t0;
    while t < t1 {
        // Row above lane 0 of vector 0 comes from the previous stripe; row
        // above lane 1 of vector 0 is lane 0 of the last vector, one step ago.
        let top = i64x2_shuffle::<0, 2>(
            v128_load64_splat(rp.add(2 * K - 1) as *const u64),
            out[K - 1],
        );
        let mut v = K - 1;
        loop {
            let (up, diag) = if v == 0 { (top, top_prev) } else { (out[v - 1], old[v - 1]) };
            // p = t - v sits K - 1 - v columns above the base.
            let d = f64x2_sub(lanes[v], v128_load(bp.add(2 * (K - 1 - v)) as *const v128));
            let mut c = if SQ { f64x2_mul(d, d) } else { f64x2_abs(d) };
            if MASK {
                // q = t - 2v - r0 sits 2(K - 1 - v) above the mask base.
                c = f64x2_add(c, v128_load(mp.add(4 * (K - 1 - v)) as *const v128));
            }
            // Operand order matters: rustc 1.63 lowers other orders of these
            // pmins to f64x2.gt + v128.bitselect (build_wasm.ts checks).
            let best = f64x2_pmin(out[v], f64x2_pmin(up, diag));
            old[v] = out[v];
            out[v] = f64x2_add(c, best);
            if STORE {
                let vi = v as isize;
                v128_store64_lane::<0>(out[v], sp.offset(vi * (stride - 1)) as *mut u64);
                v128_store64_lane::<1>(out[v], sp.offset((k + vi) * (stride - 1)) as *mut u64);
            }
            if v == 0 {
                break;
            }
            v -= 1;
        }
        top_prev = top;
        v128_store64_lane::<1>(out[K - 1], rp as *mut u64);
        bp = bp.add(2);
        rp = rp.add(1);
        sp = sp.wrapping_add(1);
        mp = mp.wrapping_add(2);
        t += 1;
        if STOP && t & 3 == 0 && t > stop.from {
            // Every cell of the last two steps dead, and the row above
            // dead from here on: so is every later cell of the stripe.
            let mut live = f64x2_splat(0.0);
            for v in 0..K {
                live = v128_or(live, f64x2_le(f64x2_add(out[v], stop.rest[v]), stop.cut));
                live = v128_or(live, f64x2_le(f64x2_add(old[v], stop.rest[v]), stop.cut));
            }
            if !v128_any_true(live) {
                break;
            }
        }
    }
    st.out = out;
    st.old = old;
    st.top_prev = top_prev;
    t
}

/// When a stripe may stop early (see [`steps`]): a cell is dead when its
/// value plus `rest` (the bound of the rows below it, by lane) exceeds
/// `cut`; the row above is dead from column `from` on.
struct Stop<const K: usize> {
    rest: [v128; K],
    cut: v128,
    from: isize,
}
