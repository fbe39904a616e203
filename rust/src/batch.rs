//! Many DTW distances against one reference, lane-parallel: `dtwBatch`,
//! and the kernel that `topK` (`top_k.rs`) runs its groups on.
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

use core::arch::wasm32::*;
use std::cell::RefCell;

use crate::bounds::{env_cost2, rest_bound};
use crate::dtw::{dtw, Band, Kernel};
use crate::memory::Work;

const INF: f64 = f64::INFINITY;
/// Vectors per group: 2 `f64x2` = 4 patterns. Measured on V8 (Zen 4): 2 or 3
/// vectors with 2 rows per sweep are fastest (~0.30 ns/cell, against ~0.37
/// for the single-pair kernel); 4 vectors spill registers once two rows are
/// swept together. The kernel is bound by the vector ALU (5 operations per
/// two cells), as the single-pair kernel nearly is.
pub const K: usize = 2;
/// Patterns per group.
pub const LANES: usize = 2 * K;
/// A group with fewer patterns of one length than this is cheaper as
/// single-pair DTWs.
pub const MIN_GROUP: usize = 3;
/// Rows swept together by the lane-parallel kernel.
pub const R: usize = 2;
/// Rows between two early-abandoning checks of a group (and of
/// `screen.rs`' lanes).
pub const CHECK_ROWS: usize = 8;
/// Rows between two checks with the columns bound (an extra pass over the
/// row, see [`lanes_out`]).
pub const COLUMN_CHECK_ROWS: usize = 32;

thread_local! {
    /// The interleaved patterns and row of [`group`] (and of `top_k.rs`'
    /// streaming lanes).
    pub static GROUP: RefCell<(Work, Work)> = RefCell::new((Work::new(), Work::new()));
}

/// Patterns stored back to back: pattern `i` is points `off[i]..off[i +
/// 1]` of `dims` values each, `flat[off[i] * dims..off[i + 1] * dims]`
/// (in `f64` unless said otherwise).
pub struct Patterns<'a, E = f64> {
    pub flat: &'a [E],
    pub off: &'a [u32],
    pub dims: usize,
}

impl<'a, E> Patterns<'a, E> {
    pub fn len(&self) -> usize {
        self.off.len() - 1
    }
    /// The values of pattern `i`.
    pub fn get(&self, i: usize) -> &'a [E] {
        &self.flat[self.off[i] as usize * self.dims..self.off[i + 1] as usize * self.dims]
    }
    /// The number of points of pattern `i`.
    pub fn points(&self, i: usize) -> usize {
        (self.off[i + 1] - self.off[i]) as usize
    }
}

/// DTW of `r` against up to [`LANES`] patterns of one length (`ids`, at
/// least one). Lanes without a pattern repeat the first one. Writes `+inf`
/// for a pattern whose distance exceeds `cutoff`.
///
/// The rows are swept [`R`] at a time: a block keeps its rows' running
/// values in registers, so only its bottom row goes through memory, and
/// the cost vectors are loaded once for `R` rows.
pub fn group<const SQ: bool>(
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
    let range = |i: usize| band.columns(i, m);
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
pub struct Abandon<'a> {
    /// `rest[i * LANES + lane]`: bound of the cost of rows `>= i` of a lane.
    pub rest: &'a [f64],
    /// Threshold for bounds, already widened by `bounds.rs`' `lb_slack`.
    pub cut: f64,
    /// Range of the reference's points `i..`: `suffix[2 * i]` is the
    /// minimum, `suffix[2 * i + 1]` the maximum.
    pub suffix: &'a [f64],
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
pub unsafe fn lanes_out<const SQ: bool>(
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
///
/// # Safety
/// As [`block`], with `j0..j1` within its sweep.
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

/// Which kernel computes the distances of `dtwBatch` (the `strategy` of
/// `dtw_batch_f64`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// Groups of at least [`MIN_GROUP`] patterns of one length in the
    /// lane-parallel kernel, the others alone.
    Auto,
    /// Every pattern alone, through `dtw`.
    Pairs,
    /// Every group of patterns of one length, however few (up to
    /// [`LANES`] at a time), in the lane-parallel kernel.
    Lanes,
}

impl Strategy {
    /// Fewest patterns of one length that go through the lane-parallel
    /// kernel together.
    fn min_group(self) -> usize {
        match self {
            Strategy::Auto => MIN_GROUP,
            Strategy::Pairs => usize::MAX,
            Strategy::Lanes => 1,
        }
    }
}

/// Visits the patterns by length, then index, in chunks of up to
/// [`LANES`] patterns of one length: `each(chunk, lanes)`, `lanes` telling
/// whether the chunk has at least `min_group` patterns (fewer are cheaper
/// alone). `points(i)` is the length of pattern `i` of `count`.
pub fn by_length(count: usize, points: &dyn Fn(usize) -> usize, min_group: usize, each: &mut dyn FnMut(&[usize], bool)) {
    let mut order: Vec<usize> = (0..count).collect();
    order.sort_by_key(|&i| (points(i), i));
    let mut s = 0;
    while s < order.len() {
        let m = points(order[s]);
        let mut e = s + 1;
        while e < order.len() && points(order[e]) == m {
            e += 1;
        }
        for chunk in order[s..e].chunks(LANES) {
            each(chunk, chunk.len() >= min_group);
        }
        s = e;
    }
}

/// Distances of `r` to every pattern, in pattern order (`+inf` above
/// `cutoff`).
pub fn batch(
    r: &[f64],
    pats: &Patterns,
    window: Option<usize>,
    squared: bool,
    cutoff: f64,
    strategy: Strategy,
    out: &mut [f64],
) {
    let mut res = [0.0; LANES];
    by_length(pats.len(), &|i| pats.points(i), strategy.min_group(), &mut |ids, lanes| {
        if lanes && pats.points(ids[0]) > 0 && !r.is_empty() {
            if squared {
                group::<true>(r, pats, ids, window, cutoff, None, &mut res);
            } else {
                group::<false>(r, pats, ids, window, cutoff, None, &mut res);
            }
            for (lane, &id) in ids.iter().enumerate() {
                out[id] = res[lane];
            }
        } else {
            for &id in ids {
                out[id] = dtw(r, pats.get(id), window, squared, cutoff, Kernel::Auto);
            }
        }
    });
}

/// `B` rows over every column (no band) for the streaming lanes.
///
/// # Safety
/// As [`block`], with the ranges `0..m`.
#[inline(never)]
pub unsafe fn full_rows<const SQ: bool, const B: usize>(xs: &[[v128; K]; B], m: usize, pats: *const v128, row: *mut v128) {
    block::<SQ, B>(xs, &[0; B], &[m - 1; B], pats, row);
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
    rest_bound(sq, r, src, usize::MAX, one);
    for (i, &x) in one.iter().enumerate() {
        rest[i * lanes + lane] = x;
    }
}

