//! Many DTW distances against one reference: `dtwBatch` and `topK`.
//!
//! # Lane-parallel DTW
//!
//! Patterns of the same length are processed [`LANES`] at a time: point `j`
//! of the patterns is stored as [`K`] `f64x2` vectors, and one row of the
//! cost matrices of all pairs is `K` vectors per column. No lane ever
//! moves, each vector is an independent dependency chain, and rows are
//! swept [`R`] at a time so that only the bottom row of a block goes
//! through memory. The recurrence is the same `f64`
//! `cost + min(up, diag, left)`, so every distance is bit-for-bit the one
//! `dtw` returns. The reference runs down the rows, the patterns across the
//! columns; DTW is symmetric under transposition, cell for cell, so this
//! orientation gives the same values as `dtw`'s.
//!
//! # topK
//!
//! Every pattern gets a lower bound: the cost of the first and last cells
//! (LB_Kim) plus the larger of the two LB_Keogh sums over the inner points
//! (pattern points against the envelope of the reference over the band,
//! and reference points against the envelope of the pattern). LB_Keogh is
//! valid for patterns of any length because the band is index-aligned
//! (`|i - j| <= w` with `w >= |n - m|`): every column `j` (row `i`) of a
//! warping path has a cell in a row (column) within `w` of it. Patterns are
//! visited by increasing bound; a pattern whose bound exceeds the current
//! k-th best distance is pruned (and so are all later ones), the others run
//! a DTW that abandons once its row minimum exceeds the k-th best, or once
//! the row minimum plus a bound of the rest of the path does (see
//! [`lanes_out`]). Without a band and with patterns of one length, the
//! lanes stream through the candidates ([`Stream`]); otherwise groups of
//! [`LANES`] patterns of one length run together.

use core::arch::wasm32::*;
use std::cell::RefCell;

use crate::dtw::{dtw, dtw_rest, window_arg, Band};
use crate::memory::Work;
use crate::num::{cost, max, min};
use crate::screen;

const INF: f64 = f64::INFINITY;
/// Vectors per group: 2 `f64x2` = 4 patterns. Measured on V8 (Zen 4): 2 or 3
/// vectors with 2 rows per sweep are fastest (~0.30 ns/cell, against ~0.37
/// for the single-pair kernel); 4 vectors spill registers once two rows are
/// swept together. The kernel is bound by the vector ALU (5 operations per
/// two cells), as the single-pair kernel nearly is.
const K: usize = 2;
/// Patterns per group.
const LANES: usize = 2 * K;
/// A group with fewer patterns of one length than this is cheaper as
/// single-pair DTWs.
const MIN_GROUP: usize = 3;
/// Rows swept together by the lane-parallel kernel.
const R: usize = 2;
/// Rows between two early-abandoning checks of a group (and of
/// `screen.rs`' lanes).
pub const CHECK_ROWS: usize = 8;
/// Rows between two checks with the columns bound (an extra pass over the
/// row, see [`lanes_out`]).
pub const COLUMN_CHECK_ROWS: usize = 32;

thread_local! {
    static GROUP: RefCell<(Work, Work)> = RefCell::new((Work::new(), Work::new()));
}

/// Relative slack applied to lower bounds before pruning, so that the
/// rounding of sums taken in different orders can never prune a pattern
/// whose computed distance is within the threshold. `terms` bounds the
/// number of additions in either sum.
pub fn lb_slack(terms: usize) -> f64 {
    1.0 + 8.0 * (terms as f64 + 8.0) * f64::EPSILON
}

/// Patterns stored back to back: pattern `i` is `flat[off[i]..off[i + 1]]`.
pub struct Patterns<'a> {
    pub flat: &'a [f64],
    pub off: &'a [u32],
}

impl<'a> Patterns<'a> {
    pub fn len(&self) -> usize {
        self.off.len() - 1
    }
    pub fn get(&self, i: usize) -> &'a [f64] {
        &self.flat[self.off[i] as usize..self.off[i + 1] as usize]
    }
}

/// DTW of `r` against up to [`LANES`] patterns of one length (`ids`, at
/// least one). Lanes without a pattern repeat the first one. Writes `+inf`
/// for a pattern whose distance exceeds `cutoff`.
///
/// The rows are swept [`R`] at a time: a block keeps its rows' running
/// values in registers, so only its bottom row goes through memory, and
/// the cost vectors are loaded once for `R` rows.
fn group<const SQ: bool>(
    r: &[f64],
    pats: &Patterns,
    ids: &[usize],
    window: Option<usize>,
    cutoff: f64,
    bound: Option<&Abandon>,
    out: &mut [f64; LANES],
) {
    let m = pats.get(ids[0]).len();
    let n = r.len();
    let band = Band::new(window, n.max(m), n.min(m));
    let range = |i: usize| {
        if band.banded {
            (i.saturating_sub(band.w), (m - 1).min(i + band.w))
        } else {
            (0, m - 1)
        }
    };
    GROUP.with(|g| {
        let mut g = g.borrow_mut();
        let (pb, rb) = &mut *g;
        let p = pb.take(m * LANES, 0.0);
        for lane in 0..LANES {
            let src = pats.get(ids[if lane < ids.len() { lane } else { 0 }]);
            for (j, &x) in src.iter().enumerate() {
                p[j * LANES + lane] = x;
            }
        }
        let row = rb.take((m + 1) * LANES, INF);
        for x in &mut row[..LANES] {
            *x = 0.0;
        }
        let check = cutoff < INF;
        let pp = p.as_ptr() as *const v128;
        let rp = row.as_mut_ptr() as *mut v128;
        let mut i = 0;
        let mut next_check = CHECK_ROWS;
        while i < n {
            let (lo, hi);
            if n - i >= R {
                let mut los = [0; R];
                let mut his = [0; R];
                let mut xs = [[f64x2_splat(0.0); K]; R];
                for k in 0..R {
                    let (l, h) = range(i + k);
                    los[k] = l;
                    his[k] = h;
                    xs[k] = [f64x2_splat(r[i + k]); K];
                }
                // SAFETY: ranges lie in 0..m; `p` has m * K vectors, `row` (m + 1) * K.
                unsafe { block::<SQ, R>(&xs, &los, &his, pp, rp) };
                lo = los[R - 1];
                hi = his[R - 1];
                i += R;
            } else {
                let (l, h) = range(i);
                // SAFETY: as above.
                unsafe { block::<SQ, 1>(&[[f64x2_splat(r[i]); K]; 1], &[l], &[h], pp, rp) };
                lo = l;
                hi = h;
                i += 1;
            }
            if i <= R {
                for x in &mut row[..LANES] {
                    *x = INF;
                }
            }
            if check && i >= next_check && i < n {
                next_check = i + CHECK_ROWS;
                // SAFETY: as above.
                let out_lanes = unsafe { lanes_out::<SQ>(rp, pp, m, lo, hi, cutoff, bound, &[i; LANES], true) };
                if out_lanes.iter().all(|&o| o) {
                    *out = [INF; LANES];
                    return;
                }
            }
        }
        for lane in 0..LANES {
            let d = row[m * LANES + lane];
            out[lane] = if d > cutoff { INF } else { d };
        }
    })
}

/// Lower bounds that let a group abandon early (used by `topK`).
struct Abandon<'a> {
    /// `rest[i * LANES + lane]`: bound of the cost of rows `>= i` of a lane.
    rest: &'a [f64],
    /// Threshold for bounds, already widened by [`lb_slack`].
    cut: f64,
    /// Range of the reference's points `i..`: `suffix[2 * i]` is the
    /// minimum, `suffix[2 * i + 1]` the maximum.
    suffix: &'a [f64],
}

/// For each lane, whether it is certain to exceed `cutoff` once `rows[l]`
/// rows of it are done (`row` holds each lane's row `rows[l] - 1`, in band
/// over `lo..=hi`):
///
/// * its minimum over the row exceeds `cutoff`; or, with `bound`,
/// * that minimum plus the bound of the rows still to come exceeds
///   `bound.cut`; or
/// * for every cell `(rows[l] - 1, j)`, its value plus the larger of that
///   bound and the bound of the columns `> j` exceeds `bound.cut`. The
///   columns bound is the distance of each pattern point `j' > j` to the
///   range of the reference's points `rows[l] - 1..`, which are the only
///   ones a path through that cell can still match it with.
///
/// # Safety
/// `row` must hold `(m + 1) * K` vectors and `pats` `m * K`; `hi < m`;
/// `rows[l] >= 1`.
#[inline(never)]
#[allow(clippy::too_many_arguments)]
unsafe fn lanes_out<const SQ: bool>(
    row: *const v128,
    pats: *const v128,
    m: usize,
    lo: usize,
    hi: usize,
    cutoff: f64,
    bound: Option<&Abandon>,
    rows: &[usize; LANES],
    columns: bool,
) -> [bool; LANES] {
    let mut mins = [f64x2_splat(INF); K];
    for j in lo..=hi {
        for (v, min) in mins.iter_mut().enumerate() {
            *min = f64x2_pmin(*row.add((j + 1) * K + v), *min);
        }
    }
    let lanes = |x: &[v128; K]| {
        let mut out = [0.0; LANES];
        for v in 0..K {
            out[2 * v] = f64x2_extract_lane::<0>(x[v]);
            out[2 * v + 1] = f64x2_extract_lane::<1>(x[v]);
        }
        out
    };
    let min = lanes(&mins);
    let mut out = [false; LANES];
    for l in 0..LANES {
        out[l] = min[l] > cutoff;
    }
    let b = match bound {
        None => return out,
        Some(b) => b,
    };
    let rest: [f64; LANES] = core::array::from_fn(|l| b.rest[rows[l] * LANES + l]);
    for l in 0..LANES {
        out[l] |= min[l] + rest[l] > b.cut;
    }
    if !columns || out.iter().all(|&o| o) {
        return out;
    }
    // Columns bound, accumulated from the last column backwards.
    let env = |l: usize, hi: usize| b.suffix[2 * (rows[l] - 1) + hi];
    let zero = f64x2_splat(0.0);
    let mut rlo = [zero; K];
    let mut rhi = [zero; K];
    let mut restv = [zero; K];
    for v in 0..K {
        rlo[v] = f64x2(env(2 * v, 0), env(2 * v + 1, 0));
        rhi[v] = f64x2(env(2 * v, 1), env(2 * v + 1, 1));
        restv[v] = f64x2(rest[2 * v], rest[2 * v + 1]);
    }
    let mut cols = [zero; K];
    let mut best = [f64x2_splat(INF); K];
    let mut j = m;
    while j > lo {
        j -= 1;
        for v in 0..K {
            if j <= hi {
                let cell = f64x2_add(*row.add((j + 1) * K + v), f64x2_pmax(restv[v], cols[v]));
                best[v] = f64x2_pmin(cell, best[v]);
            }
            let p = *pats.add(j * K + v);
            cols[v] = f64x2_add(cols[v], env_cost2::<SQ>(p, rlo[v], rhi[v]));
        }
    }
    let best = lanes(&best);
    for l in 0..LANES {
        out[l] |= best[l] > b.cut;
    }
    out
}

/// Running values of a block of `B` rows between phases of its sweep.
struct BlockState<const B: usize> {
    /// Value of each row at the previous column.
    left: [[v128; K]; B],
    /// Row above the block at the previous column.
    diag: [v128; K],
}

/// Rows `xs` (`B` consecutive rows, row `k` in band over `lo[k]..=hi[k]`)
/// of all lanes. The sweep covers `lo[0]..=hi[B - 1]`; columns where some
/// row of the block is outside its band are masked (a few at each end).
///
/// # Safety
/// The ranges must lie in `0..m`, `pats` hold `m * K` vectors and `row`
/// `(m + 1) * K`.
#[inline(always)]
unsafe fn block<const SQ: bool, const B: usize>(
    xs: &[[v128; K]; B],
    lo: &[usize; B],
    hi: &[usize; B],
    pats: *const v128,
    row: *mut v128,
) {
    let (ulo, uhi) = (lo[0], hi[B - 1]);
    let mut st = BlockState::<B> { left: [[f64x2_splat(INF); K]; B], diag: [f64x2_splat(INF); K] };
    for v in 0..K {
        st.diag[v] = *row.add(ulo * K + v);
    }
    // Columns where every row is in band: lo[B - 1]..=hi[0].
    let (mid_lo, mid_hi) = (lo[B - 1], hi[0]);
    if mid_lo <= mid_hi {
        sweep::<SQ, B, true>(&mut st, xs, lo, hi, pats, row, ulo, mid_lo);
        sweep::<SQ, B, false>(&mut st, xs, lo, hi, pats, row, mid_lo, mid_hi + 1);
        sweep::<SQ, B, true>(&mut st, xs, lo, hi, pats, row, mid_hi + 1, uhi + 1);
    } else {
        sweep::<SQ, B, true>(&mut st, xs, lo, hi, pats, row, ulo, uhi + 1);
    }
}

/// Columns `j0..j1` of a block; with `MASK`, cells outside their row's band
/// become `+inf`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn sweep<const SQ: bool, const B: usize, const MASK: bool>(
    st: &mut BlockState<B>,
    xs: &[[v128; K]; B],
    lo: &[usize; B],
    hi: &[usize; B],
    pats: *const v128,
    row: *mut v128,
    j0: usize,
    j1: usize,
) {
    let mut left = st.left;
    let mut diag0 = st.diag;
    let xs = *xs;
    let mut pp = pats.add(j0 * K);
    let mut rp = row.add((j0 + 1) * K);
    for j in j0..j1 {
        for v in 0..K {
            let p = *pp.add(v);
            let up0 = *rp.add(v);
            let mut up = up0;
            let mut diag = diag0[v];
            for k in 0..B {
                let d = f64x2_sub(xs[k][v], p);
                let mut c = if SQ { f64x2_mul(d, d) } else { f64x2_abs(d) };
                if MASK {
                    // Additive mask: a vector select would become v128.bitselect.
                    let out = if j < lo[k] || j > hi[k] { INF } else { 0.0 };
                    c = f64x2_add(c, f64x2_splat(out));
                }
                // Operand orders chosen so that rustc 1.63 keeps f64x2.pmin
                // rather than f64x2.gt + v128.bitselect (see dtw.rs); the
                // working order differs for the first row of the block.
                let inner = if k == 0 { f64x2_pmin(up, diag) } else { f64x2_pmin(diag, up) };
                let best = f64x2_pmin(left[k][v], inner);
                let val = f64x2_add(c, best);
                diag = left[k][v];
                left[k][v] = val;
                up = val;
            }
            diag0[v] = up0;
            *rp.add(v) = up;
        }
        pp = pp.add(K);
        rp = rp.add(K);
    }
    st.left = left;
    st.diag = diag0;
}

/// DTW of `r` against the patterns `ids` (all of one length), written to
/// `out[id]`. Groups of [`LANES`] go through the lane-parallel kernel.
#[inline(never)]
fn same_length<const SQ: bool>(
    r: &[f64],
    pats: &Patterns,
    ids: &[usize],
    window: Option<usize>,
    cutoff: f64,
    out: &mut [f64],
) {
    let m = pats.get(ids[0]).len();
    let mut res = [0.0; LANES];
    for chunk in ids.chunks(LANES) {
        if chunk.len() >= MIN_GROUP && m > 0 && !r.is_empty() {
            group::<SQ>(r, pats, chunk, window, cutoff, None, &mut res);
            for (lane, &id) in chunk.iter().enumerate() {
                out[id] = res[lane];
            }
        } else {
            for &id in chunk {
                out[id] = dtw(r, pats.get(id), window, SQ, cutoff);
            }
        }
    }
}

/// Distances of `r` to every pattern, in pattern order.
pub fn batch(r: &[f64], pats: &Patterns, window: Option<usize>, squared: bool, cutoff: f64, out: &mut [f64]) {
    let mut order: Vec<usize> = (0..pats.len()).collect();
    order.sort_by_key(|&i| (pats.get(i).len(), i));
    let mut s = 0;
    while s < order.len() {
        let m = pats.get(order[s]).len();
        let mut e = s + 1;
        while e < order.len() && pats.get(order[e]).len() == m {
            e += 1;
        }
        if squared {
            same_length::<true>(r, pats, &order[s..e], window, cutoff, out);
        } else {
            same_length::<false>(r, pats, &order[s..e], window, cutoff, out);
        }
        s = e;
    }
}

/// Exported `dtwBatch`: `count` patterns, offsets in `off` (`count + 1`
/// entries), distances to `out`.
///
/// # Safety
/// The pointers must cover the sizes given.
#[no_mangle]
pub unsafe extern "C" fn dtw_batch_f64(
    r: *const f64,
    n: usize,
    flat: *const f64,
    off: *const u32,
    count: usize,
    window: f64,
    squared: u32,
    cutoff: f64,
    out: *mut f64,
) {
    let off = std::slice::from_raw_parts(off, count + 1);
    let pats = Patterns { flat: std::slice::from_raw_parts(flat, off[count] as usize), off };
    let r = std::slice::from_raw_parts(r, n);
    let out = std::slice::from_raw_parts_mut(out, count);
    batch(r, &pats, window_arg(window), squared != 0, cutoff, out);
}

// ---------------------------------------------------------------- envelope

/// Running max and min of `x` over `[j - w, j + w]` (clipped to the
/// series) for every `j`, by Lemire's streaming algorithm, `O(n)`.
#[inline(never)]
pub fn envelope(x: &[f64], w: usize, upper: &mut [f64], lower: &mut [f64]) {
    let n = x.len();
    if n == 0 {
        return;
    }
    if w >= n - 1 {
        // The band covers the whole series: one global minimum and maximum.
        let (lo, hi) = range(x);
        upper.iter_mut().for_each(|u| *u = hi);
        lower.iter_mut().for_each(|l| *l = lo);
        return;
    }
    let mut maxq = std::collections::VecDeque::with_capacity(2 * w + 2);
    let mut minq = std::collections::VecDeque::with_capacity(2 * w + 2);
    for t in 0..n + w {
        if t < n {
            while maxq.back().map_or(false, |&b: &usize| x[b] <= x[t]) {
                maxq.pop_back();
            }
            maxq.push_back(t);
            while minq.back().map_or(false, |&b: &usize| x[b] >= x[t]) {
                minq.pop_back();
            }
            minq.push_back(t);
        }
        if t >= w {
            let j = t - w;
            if j >= n {
                break;
            }
            let first = j.saturating_sub(w);
            while *maxq.front().unwrap() < first {
                maxq.pop_front();
            }
            while *minq.front().unwrap() < first {
                minq.pop_front();
            }
            upper[j] = x[*maxq.front().unwrap()];
            lower[j] = x[*minq.front().unwrap()];
        }
    }
}

/// Cost of `y` against the interval `[lo, hi]`.
#[inline(always)]
pub fn env_cost<const SQ: bool>(y: f64, lo: f64, hi: f64) -> f64 {
    if y > hi {
        cost::<SQ>(y, hi)
    } else if y < lo {
        cost::<SQ>(y, lo)
    } else {
        0.0
    }
}

/// Distance of each lane of `z` to the interval `[l, u]` (zero inside),
/// squared or not: `z` minus `z` clamped to the interval. (`pmax`/`pmin`
/// in these operand orders; a max against a constant zero becomes the
/// slow `f64x2.max`, which `build_wasm.ts` rejects.)
#[inline(always)]
pub fn env_cost2<const SQ: bool>(z: v128, l: v128, u: v128) -> v128 {
    let d = f64x2_sub(z, f64x2_pmin(u, f64x2_pmax(l, z)));
    if SQ {
        f64x2_mul(d, d)
    } else {
        f64x2_abs(d)
    }
}

// -------------------------------------------------------------------- topK

/// Envelopes of the reference, one per effective band width in use.
struct Envelopes {
    list: Vec<(usize, Vec<f64>, Vec<f64>)>,
}

impl Envelopes {
    fn get(&mut self, r: &[f64], w: usize) -> (&[f64], &[f64]) {
        let w = w.min(r.len());
        let at = match self.list.iter().position(|e| e.0 == w) {
            Some(at) => at,
            None => {
                let mut u = vec![0.0; r.len()];
                let mut l = vec![0.0; r.len()];
                envelope(r, w, &mut u, &mut l);
                self.list.push((w, u, l));
                self.list.len() - 1
            }
        };
        let e = &self.list[at];
        (&e.1, &e.2)
    }
}

/// Effective band half-width of a pair (`usize::MAX` without a band).
pub fn band_w(window: Option<usize>, n: usize, m: usize) -> usize {
    match window {
        Some(win) => win.max(n.max(m) - n.min(m)),
        None => usize::MAX,
    }
}

/// Fills `rest[i]` (`i` in `0..=n`) with a lower bound of the cost of the
/// cells of any warping path in rows `>= i`: each such row has a cell,
/// within the band, costing at least the distance of `r[i]` to the
/// envelope of `p` over that band.
#[inline(never)]
pub fn rest_bound<const SQ: bool>(r: &[f64], p: &[f64], w: usize, rest: &mut [f64]) {
    let (n, m) = (r.len(), p.len());
    rest[n] = 0.0;
    if w >= m - 1 {
        // The band covers the whole pattern: its envelope is its range.
        let (lo, hi) = range(p);
        for i in (0..n).rev() {
            rest[i] = rest[i + 1] + env_cost::<SQ>(r[i], lo, hi);
        }
        return;
    }
    let mut u = vec![0.0; m];
    let mut l = vec![0.0; m];
    envelope(p, w, &mut u, &mut l);
    for i in (0..n).rev() {
        // Rows beyond the pattern's indices (n > m) use the envelope of the
        // last point's band, which is wider: still a lower bound.
        let ii = i.min(m - 1);
        rest[i] = rest[i + 1] + env_cost::<SQ>(r[i], l[ii], u[ii]);
    }
}

/// Sum of the costs of `x[i]` against `[lo[i], hi[i]]` (the three slices
/// have one length), two at a time.
fn env_sum<const SQ: bool>(x: &[f64], lo: &[f64], hi: &[f64]) -> f64 {
    let n = x.len();
    let mut acc = [f64x2_splat(0.0); 2];
    let mut i = 0;
    // SAFETY: i + 1 < n for every load.
    unsafe {
        let at = |s: &[f64], i: usize| v128_load(s.as_ptr().add(i) as *const v128);
        while i + 4 <= n {
            acc[0] = f64x2_add(acc[0], env_cost2::<SQ>(at(x, i), at(lo, i), at(hi, i)));
            acc[1] = f64x2_add(acc[1], env_cost2::<SQ>(at(x, i + 2), at(lo, i + 2), at(hi, i + 2)));
            i += 4;
        }
    }
    let s = f64x2_add(acc[0], acc[1]);
    let mut sum = f64x2_extract_lane::<0>(s) + f64x2_extract_lane::<1>(s);
    for j in i..n {
        sum += env_cost::<SQ>(x[j], lo[j], hi[j]);
    }
    sum
}

/// Sum of the costs of `x[i]` against the one interval `[lo, hi]`.
fn range_sum<const SQ: bool>(x: &[f64], lo: f64, hi: f64) -> f64 {
    let n = x.len();
    let (lov, hiv) = (f64x2_splat(lo), f64x2_splat(hi));
    let mut acc = [f64x2_splat(0.0); 2];
    let mut i = 0;
    // SAFETY: i + 1 < n for every load.
    unsafe {
        let at = |i: usize| v128_load(x.as_ptr().add(i) as *const v128);
        while i + 4 <= n {
            acc[0] = f64x2_add(acc[0], env_cost2::<SQ>(at(i), lov, hiv));
            acc[1] = f64x2_add(acc[1], env_cost2::<SQ>(at(i + 2), lov, hiv));
            i += 4;
        }
    }
    let s = f64x2_add(acc[0], acc[1]);
    let mut sum = f64x2_extract_lane::<0>(s) + f64x2_extract_lane::<1>(s);
    for &v in &x[i..] {
        sum += env_cost::<SQ>(v, lo, hi);
    }
    sum
}

/// Largest magnitude in `x` (`0` when empty).
fn range_abs(x: &[f64]) -> f64 {
    let (lo, hi) = range(x);
    max(max(-lo, hi), 0.0)
}

/// Minimum and maximum of `x` (`(+inf, -inf)` when empty).
fn range(x: &[f64]) -> (f64, f64) {
    x.iter().fold((INF, -INF), |(lo, hi), &v| (min(lo, v), max(hi, v)))
}

/// LB_Kim (first and last cells) and the best of LB_Kim + LB_Keogh in
/// both directions (pattern against the reference's envelope, reference
/// against the pattern's) for pattern `p`.
#[inline(never)]
fn bounds<const SQ: bool>(r: &[f64], p: &[f64], window: Option<usize>, envs: &mut Envelopes) -> (f64, f64) {
    let (n, m) = (r.len(), p.len());
    if n == 0 || m == 0 {
        return (0.0, 0.0);
    }
    let mut kim = cost::<SQ>(r[0], p[0]);
    if n + m > 2 {
        kim += cost::<SQ>(r[n - 1], p[m - 1]);
    }
    let w = band_w(window, n, m);
    let mut eq = 0.0;
    if m >= 3 {
        // The envelope is only defined on the reference's indices; a column
        // beyond them (m > n) sees the envelope of the last point's band,
        // which is wider: still a lower bound.
        let (u, l) = envs.get(r, w);
        let e = (m - 1).min(n);
        eq = env_sum::<SQ>(&p[1..e], &l[1..e], &u[1..e]) + range_sum::<SQ>(&p[e..m - 1], l[n - 1], u[n - 1]);
    }
    let mut ec = 0.0;
    if n >= 3 && w >= m - 1 {
        // The band covers the whole pattern: its envelope is its range.
        let (lo, hi) = range(p);
        ec = range_sum::<SQ>(&r[1..n - 1], lo, hi);
    } else if n >= 3 {
        let mut u = vec![0.0; m];
        let mut l = vec![0.0; m];
        envelope(p, w, &mut u, &mut l);
        let e = (n - 1).min(m);
        ec = env_sum::<SQ>(&r[1..e], &l[1..e], &u[1..e]) + range_sum::<SQ>(&r[e..n - 1], l[m - 1], u[m - 1]);
    }
    (kim, kim + max(eq, ec))
}

/// `topK`'s DTWs when all patterns have one length and there is no band:
/// the lanes stream through the candidates. Each lane holds one pattern at
/// its own row (the reference points of a block are gathered per lane), and
/// a lane whose pattern finishes or is abandoned takes the next candidate
/// at once, so that no lane waits for the slowest of its group.
struct Stream<'a> {
    r: &'a [f64],
    pats: &'a Patterns<'a>,
    /// Candidates by increasing lower bound.
    order: &'a [usize],
    lb: &'a [f64],
    kim: &'a [f64],
    slack: f64,
    cutoff: f64,
    /// Range of the reference's points `i..` (see [`Abandon`]).
    suffix: &'a [f64],
}

impl<'a> Stream<'a> {
    fn run(&mut self, sq: bool, best: &mut Best, stats: &mut TopKStats) {
        let (r, n) = (self.r, self.r.len());
        let m = self.pats.get(self.order[0]).len();
        GROUP.with(|g| {
            let mut g = g.borrow_mut();
            let (pb, rb) = &mut *g;
            let p = pb.take(m * LANES, 0.0);
            let row = rb.take((m + 1) * LANES, INF);
            let mut rest = vec![0.0; (n + 1) * LANES];
            let mut one = vec![0.0; n + 1];
            let mut id: [Option<usize>; LANES] = [None; LANES];
            let mut rows = [0usize; LANES];
            let mut next = 0;
            let mut steps = 0;
            let mut next_check = CHECK_ROWS;
            let mut next_columns = COLUMN_CHECK_ROWS;
            loop {
                // Idle lanes take the next candidates, or everything left is pruned.
                let tp = best.threshold(self.cutoff) * self.slack;
                for lane in 0..LANES {
                    if id[lane].is_some() || next == self.order.len() {
                        continue;
                    }
                    let c = self.order[next];
                    if self.lb[c] > tp {
                        for &c in &self.order[next..] {
                            prune(c, self.kim, tp, best, stats);
                        }
                        next = self.order.len();
                        continue;
                    }
                    next += 1;
                    load_lane(sq, r, self.pats.get(c), lane, LANES, |x| x, (INF, 0.0), p, row, &mut rest, &mut one);
                    id[lane] = Some(c);
                    rows[lane] = 0;
                }
                if id.iter().all(|x| x.is_none()) {
                    break;
                }
                // R rows for every lane when all active lanes have them.
                let room = (0..LANES).filter(|&l| id[l].is_some()).map(|l| n - rows[l]).min().unwrap();
                let b = if room >= R { R } else { 1 };
                let at = |l: usize, k: usize| if id[l].is_some() { r[rows[l] + k] } else { r[0] };
                let pp = p.as_ptr() as *const v128;
                let rp = row.as_mut_ptr() as *mut v128;
                // SAFETY: columns 0..m; `p` has m * K vectors, `row` (m + 1) * K.
                unsafe {
                    if b == R {
                        let xs: [[v128; K]; R] =
                            core::array::from_fn(|k| core::array::from_fn(|v| f64x2(at(2 * v, k), at(2 * v + 1, k))));
                        if sq {
                            full_rows::<true, R>(&xs, m, pp, rp);
                        } else {
                            full_rows::<false, R>(&xs, m, pp, rp);
                        }
                    } else {
                        let xs = [core::array::from_fn(|v| f64x2(at(2 * v, 0), at(2 * v + 1, 0)))];
                        if sq {
                            full_rows::<true, 1>(&xs, m, pp, rp);
                        } else {
                            full_rows::<false, 1>(&xs, m, pp, rp);
                        }
                    }
                }
                steps += b;
                let t = best.threshold(self.cutoff);
                for lane in 0..LANES {
                    let c = match id[lane] {
                        Some(c) => c,
                        None => continue,
                    };
                    if rows[lane] == 0 {
                        row[lane] = INF;
                    }
                    rows[lane] += b;
                    if rows[lane] == n {
                        let d = row[m * LANES + lane];
                        if d <= t {
                            stats.computed += 1.0;
                            best.offer(d, c);
                        } else {
                            stats.abandoned += 1.0;
                            best.offer(INF, c);
                        }
                        id[lane] = None;
                    }
                }
                if steps >= next_check && t < INF {
                    next_check = steps + CHECK_ROWS;
                    let columns = steps >= next_columns;
                    if columns {
                        next_columns = steps + COLUMN_CHECK_ROWS;
                    }
                    let bound = Abandon { rest: &rest, cut: t * self.slack, suffix: self.suffix };
                    // Idle lanes' results are ignored; keep their indices valid.
                    let at_rows = rows.map(|x| x.max(1));
                    // SAFETY: as above; every row index is >= 1.
                    let rq = row.as_ptr() as *const v128;
                    let out = unsafe {
                        if sq {
                            lanes_out::<true>(rq, pp, m, 0, m - 1, t, Some(&bound), &at_rows, columns)
                        } else {
                            lanes_out::<false>(rq, pp, m, 0, m - 1, t, Some(&bound), &at_rows, columns)
                        }
                    };
                    for lane in 0..LANES {
                        if let (Some(c), true) = (id[lane], out[lane]) {
                            stats.abandoned += 1.0;
                            best.offer(INF, c);
                            id[lane] = None;
                        }
                    }
                }
            }
        })
    }
}

/// `B` rows over every column (no band) for the streaming lanes.
///
/// # Safety
/// As [`block`], with the ranges `0..m`.
#[inline(never)]
unsafe fn full_rows<const SQ: bool, const B: usize>(xs: &[[v128; K]; B], m: usize, pats: *const v128, row: *mut v128) {
    block::<SQ, B>(xs, &[0; B], &[m - 1; B], pats, row);
}

/// A max-heap of the best `k` (distance, index) pairs.
pub struct Best {
    pub k: usize,
    heap: std::collections::BinaryHeap<Entry>,
}

#[derive(PartialEq)]
struct Entry(f64, usize);
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Entry {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        self.0.partial_cmp(&o.0).unwrap().then(self.1.cmp(&o.1))
    }
}

impl Best {
    /// An empty list of the best `k` (`k` at most the number of candidates).
    pub fn new(k: usize) -> Best {
        Best { k, heap: std::collections::BinaryHeap::with_capacity(k + 1) }
    }
    #[inline(never)]
    pub fn offer(&mut self, d: f64, i: usize) {
        if self.heap.len() < self.k {
            self.heap.push(Entry(d, i));
        } else if Entry(d, i) < *self.heap.peek().unwrap() {
            self.heap.pop();
            self.heap.push(Entry(d, i));
        }
    }
    /// Current threshold: the k-th best distance (or `+inf`), capped by `cutoff`.
    pub fn threshold(&self, cutoff: f64) -> f64 {
        if self.heap.len() < self.k {
            cutoff
        } else {
            min(self.heap.peek().unwrap().0, cutoff)
        }
    }
}

/// Counts pattern `c` as pruned at threshold `tp` (by LB_Kim when that
/// bound alone exceeds it, else by LB_Keogh) and offers it as out of the
/// result.
pub fn prune(c: usize, kim: &[f64], tp: f64, best: &mut Best, stats: &mut TopKStats) {
    if kim[c] > tp {
        stats.pruned_kim += 1.0;
    } else {
        stats.pruned_keogh += 1.0;
    }
    best.offer(INF, c);
}

/// Loads pattern `src` into lane `lane` of a streaming kernel's interleaved
/// buffers (`lanes` lanes; entry `j * lanes + lane`): its points into `p`
/// (through `conv`), `inf` into its row of the matrix and `0` into the
/// virtual cell before `(0, 0)`, and the bound of the reference's rows still
/// to come (see [`rest_bound`], unbanded) into `rest`. `one` is scratch of
/// `r.len() + 1` values.
#[allow(clippy::too_many_arguments)]
pub fn load_lane<T: Copy>(
    sq: bool,
    r: &[f64],
    src: &[f64],
    lane: usize,
    lanes: usize,
    conv: impl Fn(f64) -> T,
    (inf, zero): (T, T),
    p: &mut [T],
    row: &mut [T],
    rest: &mut [f64],
    one: &mut [f64],
) {
    for (j, &x) in src.iter().enumerate() {
        p[j * lanes + lane] = conv(x);
    }
    for j in 0..=src.len() {
        row[j * lanes + lane] = inf;
    }
    row[lane] = zero;
    if sq {
        rest_bound::<true>(r, src, usize::MAX, one);
    } else {
        rest_bound::<false>(r, src, usize::MAX, one);
    }
    for (i, &x) in one.iter().enumerate() {
        rest[i * lanes + lane] = x;
    }
}

/// Counters of `topK`, in the order the TypeScript side reads them.
#[derive(Default)]
pub struct TopKStats {
    pub pruned_kim: f64,
    pub pruned_keogh: f64,
    pub abandoned: f64,
    pub computed: f64,
}

#[allow(clippy::too_many_arguments)]
/// `topK` (see the module documentation). `sq` selects the squared cost;
/// it is a run-time flag here (the kernels it calls are specialized) to
/// keep one copy of this orchestration code in the module.
fn top_k(
    sq: bool,
    r: &[f64],
    pats: &Patterns,
    k: usize,
    window: Option<usize>,
    cutoff: f64,
    out_idx: &mut [u32],
    out_dist: &mut [f64],
    stats: &mut TopKStats,
) -> usize {
    let count = pats.len();
    if k == 0 {
        return 0;
    }
    let mut envs = Envelopes { list: Vec::new() };
    let mut kim = vec![0.0; count];
    let mut lb = vec![0.0; count];
    let mut maxlen = 0;
    for i in 0..count {
        let (a, b) = if sq {
            bounds::<true>(r, pats.get(i), window, &mut envs)
        } else {
            bounds::<false>(r, pats.get(i), window, &mut envs)
        };
        kim[i] = a;
        lb[i] = b;
        maxlen = maxlen.max(pats.get(i).len());
    }
    let slack = lb_slack(r.len() + maxlen);
    let mut order: Vec<usize> = (0..count).collect();
    order.sort_by(|&a, &b| lb[a].partial_cmp(&lb[b]).unwrap().then(a.cmp(&b)));
    let mut best = Best::new(k);
    let mut done = vec![false; count];
    let mut ids: Vec<usize> = Vec::with_capacity(LANES);
    let mut res = [0.0; LANES];
    let mut rest: Vec<f64> = Vec::new();
    let mut one = vec![0.0; r.len() + 1];
    // Range of the reference's points i.. for every i.
    let mut suffix = vec![0.0; 2 * r.len()];
    let (mut lo, mut hi) = (INF, -INF);
    for i in (0..r.len()).rev() {
        lo = min(lo, r[i]);
        hi = max(hi, r[i]);
        suffix[2 * i] = lo;
        suffix[2 * i + 1] = hi;
    }
    let n = r.len();
    let m0 = pats.get(0).len();
    let unbanded = band_w(window, n, m0) >= n.max(m0);
    if unbanded && n > 0 && m0 > 0 && count >= LANES && (0..count).all(|i| pats.get(i).len() == m0) {
        let magnitude = (0..count).fold(range_abs(r), |a, i| max(a, range_abs(pats.get(i))));
        if screen::applies(k, count, magnitude) {
            screen::screen(sq, r, pats, &order, &lb, &kim, &suffix, slack, cutoff, magnitude, &mut best, stats);
        } else {
            let mut ctx = Stream { r, pats, order: &order, lb: &lb, kim: &kim, slack, cutoff, suffix: &suffix };
            ctx.run(sq, &mut best, stats);
        }
        for d in done.iter_mut() {
            *d = true;
        }
    }
    for s in 0..count {
        let c = order[s];
        if done[c] {
            continue;
        }
        let t = best.threshold(cutoff);
        let tp = t * slack;
        if lb[c] > tp {
            // Every later pattern has a bound at least as large.
            for &c in &order[s..] {
                if !done[c] {
                    prune(c, &kim, tp, &mut best, stats);
                }
            }
            break;
        }
        // Gather up to [`LANES`] unpruned patterns of the same length, in order.
        let m = pats.get(c).len();
        ids.clear();
        ids.push(c);
        for &d in &order[s + 1..] {
            if ids.len() == LANES || lb[d] > tp {
                break;
            }
            if !done[d] && pats.get(d).len() == m {
                ids.push(d);
            }
        }
        if ids.len() >= MIN_GROUP && m > 0 && !r.is_empty() {
            // Per-lane bounds of the rows still to come, for abandoning.
            let n = r.len();
            rest.resize((n + 1) * LANES, 0.0);
            for lane in 0..LANES {
                let id = ids[if lane < ids.len() { lane } else { 0 }];
                one.resize(n + 1, 0.0);
                let w = band_w(window, n, m);
                if sq {
                    rest_bound::<true>(r, pats.get(id), w, &mut one);
                } else {
                    rest_bound::<false>(r, pats.get(id), w, &mut one);
                }
                for (i, &x) in one[..=n].iter().enumerate() {
                    rest[i * LANES + lane] = x;
                }
            }
            let bound = Abandon { rest: &rest, cut: tp, suffix: &suffix };
            if sq {
                group::<true>(r, pats, &ids, window, t, Some(&bound), &mut res);
            } else {
                group::<false>(r, pats, &ids, window, t, Some(&bound), &mut res);
            }
        } else {
            ids.truncate(1);
            let p = pats.get(c);
            res[0] = if m == 0 || r.is_empty() {
                dtw(r, p, window, sq, t)
            } else {
                // Rows are the longer series; bound its rows still to come.
                let (a, b) = if r.len() >= m { (r, p) } else { (p, r) };
                one.resize(a.len() + 1, 0.0);
                let w = band_w(window, a.len(), b.len());
                if sq {
                    rest_bound::<true>(a, b, w, &mut one);
                } else {
                    rest_bound::<false>(a, b, w, &mut one);
                }
                dtw_rest(a, b, window, sq, t, &one, tp, true, false)
            };
        }
        for (lane, &id) in ids.iter().enumerate() {
            done[id] = true;
            let d = res[lane];
            if d == INF && t < INF {
                stats.abandoned += 1.0;
            } else {
                stats.computed += 1.0;
            }
            best.offer(d, id);
        }
    }
    let mut all = best.heap.into_sorted_vec();
    all.truncate(k);
    for (e, (oi, od)) in all.iter().zip(out_idx.iter_mut().zip(out_dist.iter_mut())) {
        *oi = e.1 as u32;
        *od = e.0;
    }
    all.len()
}

/// Exported `topK`: writes up to `k` indices and distances, sorted by
/// (distance, index), and four counters to `stats` (pruned by LB_Kim,
/// pruned by LB_Keogh, abandoned, computed). Returns how many were written.
///
/// # Safety
/// The pointers must cover the sizes given.
#[no_mangle]
pub unsafe extern "C" fn top_k_f64(
    r: *const f64,
    n: usize,
    flat: *const f64,
    off: *const u32,
    count: usize,
    k: usize,
    window: f64,
    squared: u32,
    cutoff: f64,
    out_idx: *mut u32,
    out_dist: *mut f64,
    stats: *mut f64,
) -> usize {
    let off = std::slice::from_raw_parts(off, count + 1);
    let pats = Patterns { flat: std::slice::from_raw_parts(flat, off[count] as usize), off };
    let r = std::slice::from_raw_parts(r, n);
    let k = k.min(count);
    let out_idx = std::slice::from_raw_parts_mut(out_idx, k);
    let out_dist = std::slice::from_raw_parts_mut(out_dist, k);
    let mut st = TopKStats::default();
    let found = top_k(squared != 0, r, &pats, k, window_arg(window), cutoff, out_idx, out_dist, &mut st);
    let s = std::slice::from_raw_parts_mut(stats, 4);
    s.copy_from_slice(&[st.pruned_kim, st.pruned_keogh, st.abandoned, st.computed]);
    found
}
