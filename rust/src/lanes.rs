//! Many DTWs against one reference, lane-parallel, for multivariate series
//! (dependent DTW) and in `f32`: the kernel of `batch.rs` for points of `d`
//! values, in either precision ([`Prec`]), for `dtwBatch` and the groups of
//! `topK` (`top_k_dims.rs`).
//!
//! A group holds [`LANES`] patterns of one length, `V` vectors of `N`
//! lanes (`f64`: two `f64x2`; `f32`: one `f32x4`). Value `k` of point `j`
//! of the patterns is stored as `V` vectors at `pats[(j·d + k)·V + v]`,
//! one row of the cost matrices of all pairs is `V` vectors per column, and
//! the reference's points are splats. No lane ever moves, each vector is an
//! independent dependency chain, and rows are swept `R` at a time so that
//! only the bottom row of a block goes through memory and each pattern
//! vector is loaded once per `R` rows. The reference runs down the rows,
//! the patterns across the columns (DTW is symmetric under transposition,
//! cell for cell), and the recurrence is that of `stripes.rs`, so every
//! distance is bit-for-bit the one `dtw_dims` returns.
//!
//! # Kernels
//! * The fast kernels ([`sweep`] with `D = d`), for `d <= DMAX` (`f64`: from
//!   `d = 2`; one dimension is `batch.rs`' own kernel): the `R·d` reference
//!   values and a column's `d` pattern vectors in registers. `V` and `R`
//!   are those of `batch.rs` (`f64`: 2 vectors, 2 rows) and `screen.rs`
//!   (`f32`: 1 vector, 4 rows), measured there; at `d = 3` this runs at
//!   2.0× the univariate `f64` time, the ALU ratio (`3d + 2` operations per
//!   vector against 5).
//! * The general kernel ([`sweep`] with `D = 0`), for everything else: any
//!   `d`, values read from memory, and the band's edges (the few columns
//!   at each end of a block where some of its rows are out of band, made
//!   `+inf` by an additive mask), blocks of one row (the last rows), and
//!   `d > DMAX`.

use core::arch::wasm32::*;
use std::cell::RefCell;

use crate::batch::{by_length, Patterns, CHECK_ROWS, LANES, MIN_GROUP};
use crate::dtw::{Band, Kernel};
use crate::memory::Work;
use crate::num::min;
use crate::prec::{Prec, F32, F64};
use crate::stripes::{dtw_dims, Rest, Table};

/// Most vectors per group (`f64`).
const VMAX: usize = 2;
/// Most rows per block (`f32`).
const RMAX: usize = 4;

/// The running values of a block between calls of its kernels.
pub struct BlockState {
    /// Value of each row at the previous column.
    left: [[v128; VMAX]; RMAX],
    /// Row above the block at the previous column.
    diag: [v128; VMAX],
}

/// What the kernels of one block read and write.
pub struct LaneArgs {
    /// The block's reference points: row `k`, value `j` splat at
    /// `xs[k * d + j]`.
    xs: *const v128,
    d: usize,
    /// The patterns (see the module documentation).
    pats: *const v128,
    /// The row: column `j` at `row[(j + 1) * V]`, column `-1` first.
    row: *mut v128,
    /// Band of each row of the block, for the masks.
    lo: [usize; RMAX],
    hi: [usize; RMAX],
    masked: bool,
}

/// Columns `j0..j1` of a block (a [`sweep`]).
///
/// # Safety
/// As [`sweep`].
pub type Sweep = unsafe fn(&mut BlockState, &LaneArgs, usize, usize);

/// Columns `j0..j1` of a block of `R` rows, `V` vectors per group. With
/// `D > 0` (the fast kernels), points of `D` values whose reference values
/// and a column's pattern vectors stay in registers, no mask; with `D = 0`
/// (the general kernel), points of `g.d` values read from memory, and with
/// `g.masked`, cells outside their row's band become `+inf`.
///
/// # Safety
/// `g` must describe a group of `m` points as [`group`] builds it, with
/// `j0 <= j1 <= m`.
unsafe fn sweep<P: Prec, const V: usize, const R: usize, const D: usize, const SQ: bool>(
    st: &mut BlockState,
    g: &LaneArgs,
    j0: usize,
    j1: usize,
) {
    let d = if D > 0 { D } else { g.d };
    let masked = D == 0 && g.masked;
    let xs: [[v128; D]; R] = core::array::from_fn(|k| core::array::from_fn(|j| *g.xs.add(k * D + j)));
    let mut left: [[v128; V]; R] = core::array::from_fn(|k| core::array::from_fn(|v| st.left[k][v]));
    let mut diag0: [v128; V] = core::array::from_fn(|v| st.diag[v]);
    let mut pp = g.pats.add(j0 * d * V);
    let mut rp = g.row.add((j0 + 1) * V);
    for j in j0..j1 {
        for v in 0..V {
            let p: [v128; D] = core::array::from_fn(|i| *pp.add(i * V + v));
            let y = |i: usize| if D > 0 { p[i] } else { *pp.add(i * V + v) };
            let up0 = *rp.add(v);
            let mut up = up0;
            let mut diag = diag0[v];
            for k in 0..R {
                let x = |i: usize| if D > 0 { xs[k][i] } else { *g.xs.add(k * d + i) };
                let mut c = P::cost::<SQ>(x(0), y(0));
                for i in 1..d {
                    c = P::add(c, P::cost::<SQ>(x(i), y(i)));
                }
                if masked {
                    // Additive mask: a vector select would become v128.bitselect.
                    let out = j < g.lo[k] || j > g.hi[k];
                    c = P::add(c, P::splat(if out { P::INF } else { P::ZERO }));
                }
                // Operand orders that rustc 1.63 keeps as f64x2.pmin (see batch.rs).
                let inner = if k == 0 { P::min(up, diag) } else { P::min(diag, up) };
                let val = P::add(c, P::min(left[k][v], inner));
                diag = left[k][v];
                left[k][v] = val;
                up = val;
            }
            diag0[v] = up0;
            *rp.add(v) = up;
        }
        pp = pp.add(d * V);
        rp = rp.add(V);
    }
    for k in 0..R {
        st.left[k][..V].copy_from_slice(&left[k]);
    }
    st.diag[..V].copy_from_slice(&diag0);
}

/// The lane kernels of one precision.
pub trait LaneTable: Prec {
    /// Vectors per group: `LANES / N`.
    const V: usize;
    /// Rows per block.
    const R: usize;
    /// Runs `f` on this precision's scratch: the patterns, the row and the
    /// reference points of a block.
    fn lane_bufs<T>(f: impl FnOnce(&mut [Work<v128>; 3]) -> T) -> T;
    /// The fast kernel for `d`, if any.
    fn fast_sweep(d: usize, sq: bool) -> Option<Sweep>;
    /// The general kernel for blocks of `R` rows (`one` false) or of one
    /// row.
    fn general_sweep(one: bool, sq: bool) -> Sweep;
}

thread_local! {
    static BUFS64: RefCell<[Work<v128>; 3]> = RefCell::new([Work::new(), Work::new(), Work::new()]);
    static BUFS32: RefCell<[Work<v128>; 3]> = RefCell::new([Work::new(), Work::new(), Work::new()]);
}

/// The fast `sweep::<P, V, R, D, SQ>` for `d` up to `DMAX` (`f64`: from 2,
/// as one dimension is `batch.rs`' kernel).
macro_rules! fast_table {
    ($p:ty, $v:literal, $r:literal, $d:expr, $sq:expr) => {
        match ($d, $sq) {
            (1, false) if <$p>::N == 4 => Some(sweep::<$p, $v, $r, 1, false> as Sweep),
            (1, true) if <$p>::N == 4 => Some(sweep::<$p, $v, $r, 1, true> as Sweep),
            (2, false) => Some(sweep::<$p, $v, $r, 2, false> as Sweep),
            (2, true) => Some(sweep::<$p, $v, $r, 2, true> as Sweep),
            (3, false) => Some(sweep::<$p, $v, $r, 3, false> as Sweep),
            (3, true) => Some(sweep::<$p, $v, $r, 3, true> as Sweep),
            (4, false) => Some(sweep::<$p, $v, $r, 4, false> as Sweep),
            (4, true) => Some(sweep::<$p, $v, $r, 4, true> as Sweep),
            (5, false) => Some(sweep::<$p, $v, $r, 5, false> as Sweep),
            (5, true) => Some(sweep::<$p, $v, $r, 5, true> as Sweep),
            _ => None,
        }
    };
}

/// The general `sweep::<P, V, R or 1, 0, SQ>`.
macro_rules! general_table {
    ($p:ty, $v:literal, $r:literal, $one:expr, $sq:expr) => {
        match ($one, $sq) {
            (false, false) => sweep::<$p, $v, $r, 0, false> as Sweep,
            (false, true) => sweep::<$p, $v, $r, 0, true> as Sweep,
            (true, false) => sweep::<$p, $v, 1, 0, false> as Sweep,
            (true, true) => sweep::<$p, $v, 1, 0, true> as Sweep,
        }
    };
}

impl LaneTable for F64 {
    const V: usize = 2;
    const R: usize = 2;
    fn lane_bufs<T>(f: impl FnOnce(&mut [Work<v128>; 3]) -> T) -> T {
        BUFS64.with(|b| f(&mut b.borrow_mut()))
    }
    fn fast_sweep(d: usize, sq: bool) -> Option<Sweep> {
        fast_table!(F64, 2, 2, d, sq)
    }
    fn general_sweep(one: bool, sq: bool) -> Sweep {
        general_table!(F64, 2, 2, one, sq)
    }
}

impl LaneTable for F32 {
    const V: usize = 1;
    const R: usize = 4;
    fn lane_bufs<T>(f: impl FnOnce(&mut [Work<v128>; 3]) -> T) -> T {
        BUFS32.with(|b| f(&mut b.borrow_mut()))
    }
    fn fast_sweep(d: usize, sq: bool) -> Option<Sweep> {
        fast_table!(F32, 1, 4, d, sq)
    }
    fn general_sweep(one: bool, sq: bool) -> Sweep {
        general_table!(F32, 1, 4, one, sq)
    }
}

/// Views `len` vectors as `len * P::N` values.
fn values<P: Prec>(v: &mut [v128]) -> &mut [P::E] {
    // SAFETY: a v128 is 16 bytes, N values of E, with E's alignment or more.
    unsafe { std::slice::from_raw_parts_mut(v.as_mut_ptr() as *mut P::E, v.len() * P::N) }
}

/// DTW of `r` (`n` points of `pats.dims` values) against up to [`LANES`]
/// patterns of one length (`ids`, at least one); lanes without a pattern
/// repeat the first one. Writes `+inf` for a pattern whose distance
/// exceeds `cutoff`, and for all once every lane must exceed it or its
/// `rest` bound (`rest.rest[i * LANES + lane]`, see [`Rest`]). Under
/// [`Kernel::General`] every block runs the general kernel.
#[inline(never)]
#[allow(clippy::too_many_arguments)]
pub fn group<P: LaneTable + Table>(
    r: &[P::E],
    pats: &Patterns<P::E>,
    ids: &[usize],
    window: Option<usize>,
    sq: bool,
    cutoff: f64,
    rest: Option<&Rest>,
    kernel: Kernel,
    out: &mut [P::E; LANES],
) {
    let d = pats.dims;
    let (v_n, r_n) = (P::V, P::R);
    let m = pats.points(ids[0]);
    let n = r.len() / d;
    let band = Band::new(window, n.max(m), n.min(m));
    let range = |i: usize| band.columns(i, m);
    let fast = if kernel == Kernel::General { None } else { P::fast_sweep(d, sq) };
    let general = P::general_sweep(false, sq);
    let single = P::general_sweep(true, sq);
    P::lane_bufs(|[pb, rb, xb]| {
        let p = pb.take(m * d * v_n, P::splat(P::ZERO));
        let pv = values::<P>(p);
        for lane in 0..LANES {
            let src = pats.get(ids[if lane < ids.len() { lane } else { 0 }]);
            let (v, l) = (lane / P::N, lane % P::N);
            for (i, &x) in src.iter().enumerate() {
                pv[(i * v_n + v) * P::N + l] = x;
            }
        }
        let row = rb.take((m + 1) * v_n, P::splat(P::INF));
        for x in &mut row[..v_n] {
            *x = P::splat(P::ZERO);
        }
        let xs = xb.take(r_n * d, P::splat(P::ZERO));
        let check = cutoff < f64::INFINITY || rest.is_some();
        let mut g = LaneArgs {
            xs: xs.as_ptr(),
            d,
            pats: p.as_ptr(),
            row: row.as_mut_ptr(),
            lo: [0; RMAX],
            hi: [0; RMAX],
            masked: false,
        };
        let mut i = 0;
        let mut next_check = CHECK_ROWS;
        while i < n {
            let b = if n - i >= r_n { r_n } else { 1 };
            for k in 0..b {
                let (l, h) = range(i + k);
                g.lo[k] = l;
                g.hi[k] = h;
                for j in 0..d {
                    xs[k * d + j] = P::splat(r[(i + k) * d + j]);
                }
            }
            let (ulo, uhi) = (g.lo[0], g.hi[b - 1]);
            let mut st = BlockState { left: [[P::splat(P::INF); VMAX]; RMAX], diag: [P::splat(P::INF); VMAX] };
            for v in 0..v_n {
                st.diag[v] = row[ulo * v_n + v];
            }
            // SAFETY: the ranges lie in 0..m, and the buffers hold m points
            // of d values (V vectors each) and m + 1 row entries.
            unsafe {
                if b == 1 {
                    single(&mut st, &g, ulo, uhi + 1);
                } else {
                    // Columns where every row is in band: lo[b - 1]..=hi[0].
                    let (mid_lo, mid_hi) = (g.lo[b - 1], g.hi[0]);
                    let unmasked = fast.unwrap_or(general);
                    g.masked = true;
                    if mid_lo <= mid_hi {
                        general(&mut st, &g, ulo, mid_lo);
                        g.masked = false;
                        unmasked(&mut st, &g, mid_lo, mid_hi + 1);
                        g.masked = true;
                        general(&mut st, &g, mid_hi + 1, uhi + 1);
                    } else {
                        general(&mut st, &g, ulo, uhi + 1);
                    }
                    g.masked = false;
                }
            }
            i += b;
            if i <= b {
                for x in &mut row[..v_n] {
                    *x = P::splat(P::INF);
                }
            }
            if check && i >= next_check && i < n {
                next_check = i + CHECK_ROWS;
                let (lo, hi) = (g.lo[b - 1], g.hi[b - 1]);
                let mins = row_minima::<P>(&values::<P>(row)[(lo + 1) * LANES..(hi + 2) * LANES]);
                let gone = |l: usize| {
                    let min = P::to_f64(mins[l]);
                    min > cutoff || rest.map_or(false, |rs| rs.exceeds(i, l, min))
                };
                if (0..LANES).all(gone) {
                    *out = [P::INF; LANES];
                    return;
                }
            }
        }
        let last = &values::<P>(row)[m * LANES..(m + 1) * LANES];
        for lane in 0..LANES {
            out[lane] = if P::to_f64(last[lane]) > cutoff { P::INF } else { last[lane] };
        }
    })
}

/// The minimum of each lane over the entries of a row, `LANES` values each.
fn row_minima<P: Prec>(x: &[P::E]) -> [P::E; LANES] {
    let mut mins = [P::INF; LANES];
    for entry in x.chunks_exact(LANES) {
        for (mn, &e) in mins.iter_mut().zip(entry) {
            *mn = min(*mn, e);
        }
    }
    mins
}

/// Which kernel computes the distances of the `dims` forms of `dtwBatch`
/// (the `strategy` of `dtw_batch_dims_f64` and `dtw_batch_dims_f32`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// Groups of at least `MIN_GROUP` patterns of one length in the lanes,
    /// the others alone.
    Auto,
    /// Every pattern alone, through `dtw_dims`.
    Pairs,
    /// Every group of patterns of one length, however few, in the lanes.
    Lanes,
    /// As [`Strategy::Lanes`], every block through the general kernel.
    General,
}

/// Distances of `r` to every pattern, in pattern order (`+inf` above
/// `cutoff`).
pub fn batch<P: LaneTable + Table>(
    r: &[P::E],
    pats: &Patterns<P::E>,
    window: Option<usize>,
    sq: bool,
    cutoff: f64,
    strategy: Strategy,
    out: &mut [f64],
) {
    let d = pats.dims;
    let min_group = match strategy {
        Strategy::Auto => MIN_GROUP,
        Strategy::Pairs => usize::MAX,
        Strategy::Lanes | Strategy::General => 1,
    };
    let kernel = if strategy == Strategy::General { Kernel::General } else { Kernel::Auto };
    let n = r.len() / d;
    let mut res = [P::ZERO; LANES];
    by_length(pats.len(), &|i| pats.points(i), min_group, &mut |ids, lanes| {
        if lanes && pats.points(ids[0]) > 0 && n > 0 {
            group::<P>(r, pats, ids, window, sq, cutoff, None, kernel, &mut res);
            for (lane, &id) in ids.iter().enumerate() {
                out[id] = P::to_f64(res[lane]);
            }
        } else {
            for &id in ids {
                out[id] = P::to_f64(dtw_dims::<P>(r, pats.get(id), d, window, sq, cutoff, None, Kernel::Auto));
            }
        }
    });
}
