//! Every function the WebAssembly module exports, and nothing else.
//!
//! Each export turns raw pointers and lengths into slices, decodes its
//! arguments and calls a safe function of the kernels' modules.
//! `scripts/build_wasm.ts` reads the signatures and the documentation below
//! to generate the TypeScript type of the exports (`KitExports` in
//! `kernels/_wasm.generated.ts`), and checks them against the built
//! module's export section.
//!
//! Conventions shared by the exports:
//!
//! * Pointers are byte addresses in the module's memory, which the caller
//!   obtained from [`kit_scratch`] or from a kernel's result buffer.
//! * `window` is the Sakoe-Chiba half-width in points; a negative value
//!   (or one beyond `4e15`) means no band. `squared != 0` selects the cost
//!   `(x - y)²`, else `|x - y|`. A distance above `cutoff` is `+inf`.
//! * The last argument of every kernel is `strategy`: `0` lets the kernel
//!   choose its fastest path from the inputs (what the TypeScript
//!   functions do); each other value forces one path, so that tests reach
//!   every path directly. An unknown value, or a path that does not apply
//!   to the inputs, writes no output (a result buffer is left empty) and
//!   returns `NaN` for a distance, `-1` for a count (as JavaScript reads
//!   `usize::MAX`), or `-2` from [`lcs_i32`].

use std::cell::RefCell;

use crate::batch::{self, Patterns};
use crate::best::TopKStats;
use crate::dtw::{self, Kernel};
use crate::lanes::{self, LaneTable};
use crate::lcs::{self, Seqs};
use crate::memory;
use crate::path::{self, Whole};
use crate::prec::{F32, F64};
use crate::search;
use crate::search_dims;
use crate::stripes::{self, Table};
use crate::top_k;
use crate::top_k_dims::{self, Margins};

/// The count returned when a strategy does not apply (`-1` in JavaScript).
const NOT_AVAILABLE: usize = usize::MAX;

thread_local! {
    /// The path of the last [`path_f64`], as `(i, j)` pairs.
    static PATH: RefCell<Vec<u32>> = RefCell::new(Vec::new());
    /// The candidates of the last [`search_f64`], as `(index, distance)` pairs.
    static RESULTS: RefCell<Vec<f64>> = RefCell::new(Vec::new());
}

/// Decodes `window`: negative (or beyond `4e15`) is no band.
fn window_arg(window: f64) -> Option<usize> {
    if window >= 0.0 && window < 4.0e15 {
        Some(window as usize)
    } else {
        None
    }
}

/// The patterns of [`dtw_batch_f64`], [`top_k_f64`] and their `dims`
/// forms: pattern `i` is points `off[i]..off[i + 1]` of `dims` values.
///
/// # Safety
/// `off` must point to `count + 1` readable `u32`, non-decreasing, and
/// `flat` to `off[count] * dims` readable values, for the lifetime `'a`.
unsafe fn patterns<'a, E>(flat: *const E, off: *const u32, count: usize, dims: usize) -> Patterns<'a, E> {
    let off = std::slice::from_raw_parts(off, count + 1);
    Patterns { flat: std::slice::from_raw_parts(flat, off[count] as usize * dims), off, dims }
}

/// Decodes the `strategy` of [`dtw_f64`] and [`search_f64`].
fn kernel(strategy: u32) -> Option<Kernel> {
    match strategy {
        0 => Some(Kernel::Auto),
        1 => Some(Kernel::Rows),
        2 => Some(Kernel::Stripes),
        _ => None,
    }
}

/// Decodes the `strategy` of [`dtw_dims_f64`] and [`dtw_dims_f32`].
fn kernel_dims(strategy: u32) -> Option<Kernel> {
    match strategy {
        3 => Some(Kernel::General),
        s => kernel(s),
    }
}

/// Decodes the `strategy` of [`path_f64`] and [`path_dims_f64`].
fn path_strategy(strategy: u32) -> Option<path::Strategy> {
    match strategy {
        0 => Some(path::Strategy::Auto),
        1 => Some(path::Strategy::Matrix(Kernel::Rows)),
        2 => Some(path::Strategy::Matrix(Kernel::Stripes)),
        3 => Some(path::Strategy::Rows),
        4 => Some(path::Strategy::Checkpoints),
        _ => None,
    }
}

/// Decodes the `strategy` of the LCS exports: words per segment, `0` for
/// the most, `max`.
fn segment_words(strategy: u32, max: usize) -> Option<usize> {
    match strategy as usize {
        0 => Some(max),
        s if s <= max => Some(s),
        _ => None,
    }
}

/// A pointer to at least `bytes` bytes of scratch slot `slot` (`0..8`),
/// 16-byte aligned, or null for another slot. The contents are not kept
/// when the slot grows. The kernels never use the slots themselves: a
/// caller writes its inputs there and passes their addresses.
///
/// # Safety
/// Safe to call. The memory stays valid until a later call asks the same
/// slot for more bytes; any call may grow the module's memory, which
/// detaches the views over its old buffer.
#[no_mangle]
pub extern "C" fn kit_scratch(slot: u32, bytes: usize) -> *mut u8 {
    memory::scratch(slot, bytes)
}

/// DTW distance of `a` (`n` points) and `b` (`m` points), exact in `f64`.
/// Both empty is `0`, one empty `+inf`.
///
/// `strategy`: `0` auto, `1` scalar rows, `2` stripes of `f64x2` lanes.
///
/// # Safety
/// `a` and `b` must point to `n` and `m` readable `f64` values, none NaN.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn dtw_f64(
    a: *const f64,
    n: usize,
    b: *const f64,
    m: usize,
    window: f64,
    squared: u32,
    cutoff: f64,
    strategy: u32,
) -> f64 {
    let kernel = match kernel(strategy) {
        Some(k) => k,
        None => return f64::NAN,
    };
    let a = std::slice::from_raw_parts(a, n);
    let b = std::slice::from_raw_parts(b, m);
    dtw::dtw(a, b, window_arg(window), squared != 0, cutoff, kernel)
}

/// The dependent multivariate DTW (DTW_D) of `a` (`n` points of `dims`
/// values, point-major: value `k` of point `i` at `a[i * dims + k]`) and
/// `b` (`m` points), exact in `f64`: the cost of cell `(i, j)` is
/// `Σ_k |a_i[k] - b_j[k]|`, or `Σ_k (a_i[k] - b_j[k])²`, summed in index
/// order from `k = 0`. Both empty is `0`, one empty `+inf`. `dims = 1` is
/// [`dtw_f64`], bit for bit; `dims = 0` returns `NaN`.
///
/// `strategy`: `0` auto, `1` scalar rows, `2` stripes (a kernel of their
/// own for `dims` up to 5), `3` stripes through the general kernel only.
///
/// # Safety
/// `a` and `b` must point to `n * dims` and `m * dims` readable `f64`
/// values, none NaN.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn dtw_dims_f64(
    a: *const f64,
    n: usize,
    b: *const f64,
    m: usize,
    dims: usize,
    window: f64,
    squared: u32,
    cutoff: f64,
    strategy: u32,
) -> f64 {
    let kernel = match kernel_dims(strategy) {
        Some(k) if dims > 0 => k,
        _ => return f64::NAN,
    };
    let a = std::slice::from_raw_parts(a, n * dims);
    let b = std::slice::from_raw_parts(b, m * dims);
    stripes::dtw_dims::<F64>(a, b, dims, window_arg(window), squared != 0, cutoff, None, kernel)
}

/// [`dtw_dims_f64`] in `f32`, `dims >= 1` (`1` is univariate): the inputs
/// are `f32` values, and every cell is computed in `f32` as `cost +
/// min(up, left, diagonal)`, each operation (the difference, the absolute
/// value or square, each partial sum of the cost, the final addition)
/// rounded to `f32`, as a scalar reference applying `Math.fround` after
/// each does (a result beyond the `f32` range is `+inf`). Returns that
/// `f32` distance (exactly, as an `f64`).
///
/// `strategy`: as for [`dtw_dims_f64`].
///
/// # Safety
/// `a` and `b` must point to `n * dims` and `m * dims` readable `f32`
/// values, all finite.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn dtw_dims_f32(
    a: *const f32,
    n: usize,
    b: *const f32,
    m: usize,
    dims: usize,
    window: f64,
    squared: u32,
    cutoff: f64,
    strategy: u32,
) -> f64 {
    let kernel = match kernel_dims(strategy) {
        Some(k) if dims > 0 => k,
        _ => return f64::NAN,
    };
    let a = std::slice::from_raw_parts(a, n * dims);
    let b = std::slice::from_raw_parts(b, m * dims);
    stripes::dtw_dims::<F32>(a, b, dims, window_arg(window), squared != 0, cutoff, None, kernel) as f64
}

/// `dtwBatch`: the DTW distances of the reference `r` (`n` points) to
/// `count` patterns stored back to back in `flat`, pattern `i` at
/// `flat[off[i]..off[i + 1]]`, written to `out` in pattern order. Returns
/// `count`.
///
/// `strategy`: `0` auto, `1` every pattern alone, `2` every group of
/// patterns of one length, however few, in the lane-parallel kernel.
///
/// # Safety
/// `r` must point to `n` readable `f64`, `off` to `count + 1`
/// non-decreasing `u32` offsets, `flat` to `off[count]` `f64`, none NaN;
/// `out` to `count` writable `f64`.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
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
    strategy: u32,
) -> usize {
    let strategy = match strategy {
        0 => batch::Strategy::Auto,
        1 => batch::Strategy::Pairs,
        2 => batch::Strategy::Lanes,
        _ => return NOT_AVAILABLE,
    };
    let pats = patterns(flat, off, count, 1);
    let r = std::slice::from_raw_parts(r, n);
    let out = std::slice::from_raw_parts_mut(out, count);
    batch::batch(r, &pats, window_arg(window), squared != 0, cutoff, strategy, out);
    count
}

/// The `dims` form of [`dtw_batch_f64`]: the reference `r` (`n` points of
/// `dims` values) against `count` patterns of `dims` values per point,
/// pattern `i` being points `off[i]..off[i + 1]` of `flat`, under the
/// DTW of [`dtw_dims_f64`]. Writes the distances to `out` in pattern
/// order and returns `count`; `dims = 0` writes nothing and returns `-1`.
/// `dims = 1` is [`dtw_batch_f64`] (but for `strategy` 3).
///
/// `strategy`: `0` auto, `1` every pattern alone, `2` every group of
/// patterns of one length, however few, in the lane-parallel kernel, `3`
/// as `2` through its general kernel only.
///
/// # Safety
/// `r` must point to `n * dims` readable `f64`, `off` to `count + 1`
/// non-decreasing `u32` offsets, `flat` to `off[count] * dims` `f64`, none
/// NaN; `out` to `count` writable `f64`.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn dtw_batch_dims_f64(
    r: *const f64,
    n: usize,
    flat: *const f64,
    off: *const u32,
    count: usize,
    dims: usize,
    window: f64,
    squared: u32,
    cutoff: f64,
    out: *mut f64,
    strategy: u32,
) -> usize {
    if dims == 1 && strategy < 3 {
        return dtw_batch_f64(r, n, flat, off, count, window, squared, cutoff, out, strategy);
    }
    batch_dims::<F64>(r, n, flat, off, count, dims, window, squared, cutoff, out, strategy)
}

/// [`dtw_batch_dims_f64`] in `f32`, as [`dtw_dims_f32`] (`dims = 1` is
/// univariate): `r` and `flat` hold `f32` values; the `f32` distances are
/// written to `out` as `f64`.
///
/// `strategy`: as for [`dtw_batch_dims_f64`].
///
/// # Safety
/// As [`dtw_batch_dims_f64`], with `r` and `flat` pointing to finite `f32`
/// values.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn dtw_batch_dims_f32(
    r: *const f32,
    n: usize,
    flat: *const f32,
    off: *const u32,
    count: usize,
    dims: usize,
    window: f64,
    squared: u32,
    cutoff: f64,
    out: *mut f64,
    strategy: u32,
) -> usize {
    batch_dims::<F32>(r, n, flat, off, count, dims, window, squared, cutoff, out, strategy)
}

/// [`dtw_batch_dims_f64`] and [`dtw_batch_dims_f32`].
///
/// # Safety
/// As [`dtw_batch_dims_f64`], in the precision `P`.
#[allow(clippy::too_many_arguments)]
unsafe fn batch_dims<P: LaneTable + Table>(
    r: *const P::E,
    n: usize,
    flat: *const P::E,
    off: *const u32,
    count: usize,
    dims: usize,
    window: f64,
    squared: u32,
    cutoff: f64,
    out: *mut f64,
    strategy: u32,
) -> usize {
    let strategy = match strategy {
        _ if dims == 0 => return NOT_AVAILABLE,
        0 => lanes::Strategy::Auto,
        1 => lanes::Strategy::Pairs,
        2 => lanes::Strategy::Lanes,
        3 => lanes::Strategy::General,
        _ => return NOT_AVAILABLE,
    };
    let pats = patterns(flat, off, count, dims);
    let r = std::slice::from_raw_parts(r, n * dims);
    let out = std::slice::from_raw_parts_mut(out, count);
    lanes::batch::<P>(r, &pats, window_arg(window), squared != 0, cutoff, strategy, out);
    count
}

/// `topK`: the `min(k, count)` patterns (stored as for [`dtw_batch_f64`])
/// nearest to `r`, sorted by (distance, index), written to `out_idx` and
/// `out_dist` (a distance above `cutoff` is `+inf`); four counters go to
/// `stats`: pruned by LB_Kim, pruned by LB_Keogh, abandoned, computed.
/// Returns how many were written.
///
/// `strategy`: `0` auto, `1` every pattern alone, `2` groups of one length
/// in the lane-parallel kernel, however few, `3` `f64` lanes streaming
/// through the candidates, `4` `f32` screening then exact `f64`. `3` and
/// `4` apply only to patterns of one length, series not empty, and no band;
/// `4` also only to values of magnitude at most `1e15`.
///
/// # Safety
/// As [`dtw_batch_f64`] for `r`, `flat` and `off`; `out_idx` and `out_dist`
/// must point to `min(k, count)` writable `u32` and `f64`, `stats` to 4
/// writable `f64`.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
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
    strategy: u32,
) -> usize {
    let strategy = match strategy {
        0 => top_k::Strategy::Auto,
        1 => top_k::Strategy::Pairs,
        2 => top_k::Strategy::Lanes,
        3 => top_k::Strategy::Stream,
        4 => top_k::Strategy::Screen,
        _ => return NOT_AVAILABLE,
    };
    let pats = patterns(flat, off, count, 1);
    let r = std::slice::from_raw_parts(r, n);
    let k = k.min(count);
    let out_idx = std::slice::from_raw_parts_mut(out_idx, k);
    let out_dist = std::slice::from_raw_parts_mut(out_dist, k);
    let mut st = TopKStats::default();
    let window = window_arg(window);
    match top_k::top_k(squared != 0, r, &pats, k, window, cutoff, strategy, out_idx, out_dist, &mut st) {
        Some(found) => {
            let s = std::slice::from_raw_parts_mut(stats, 4);
            s.copy_from_slice(&[st.pruned_kim, st.pruned_keogh, st.abandoned, st.computed]);
            found
        }
        None => NOT_AVAILABLE,
    }
}

/// The `dims` form of [`top_k_f64`]: the `min(k, count)` patterns
/// (stored as for [`dtw_batch_dims_f64`]) nearest to `r` under the DTW of
/// [`dtw_dims_f64`], exactly those of computing every distance and sorting
/// by (distance, index); written to `out_idx` and `out_dist` (a distance
/// above `cutoff` is `+inf`), with the four counters of [`top_k_f64`] in
/// `stats`. Returns how many were written; `dims = 0` writes nothing and
/// returns `-1`. `dims = 1` is [`top_k_f64`] with the same `strategy`
/// (`0` to `2`).
///
/// `strategy`: `0` auto, `1` every pattern alone, `2` groups of one length
/// in the lane-parallel kernel, however few.
///
/// # Safety
/// As [`dtw_batch_dims_f64`] for `r`, `flat` and `off`; `out_idx` and
/// `out_dist` must point to `min(k, count)` writable `u32` and `f64`,
/// `stats` to 4 writable `f64`.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn top_k_dims_f64(
    r: *const f64,
    n: usize,
    flat: *const f64,
    off: *const u32,
    count: usize,
    dims: usize,
    k: usize,
    window: f64,
    squared: u32,
    cutoff: f64,
    out_idx: *mut u32,
    out_dist: *mut f64,
    stats: *mut f64,
    strategy: u32,
) -> usize {
    if dims == 1 && strategy < 3 {
        return top_k_f64(r, n, flat, off, count, k, window, squared, cutoff, out_idx, out_dist, stats, strategy);
    }
    let s = TopKDims { k, window, squared, cutoff, out_idx, out_dist, stats, strategy };
    top_k_dims_in::<F64>(r, n, flat, off, count, dims, s)
}

/// [`top_k_dims_f64`] in `f32`, as [`dtw_dims_f32`] (`dims = 1` is
/// univariate): `r` and `flat` hold `f32` values, and the `f32` distances
/// are written as `f64`.
///
/// `strategy`: as for [`top_k_dims_f64`].
///
/// # Safety
/// As [`top_k_dims_f64`], with `r` and `flat` pointing to finite `f32`
/// values.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn top_k_dims_f32(
    r: *const f32,
    n: usize,
    flat: *const f32,
    off: *const u32,
    count: usize,
    dims: usize,
    k: usize,
    window: f64,
    squared: u32,
    cutoff: f64,
    out_idx: *mut u32,
    out_dist: *mut f64,
    stats: *mut f64,
    strategy: u32,
) -> usize {
    let s = TopKDims { k, window, squared, cutoff, out_idx, out_dist, stats, strategy };
    top_k_dims_in::<F32>(r, n, flat, off, count, dims, s)
}

/// The arguments of [`top_k_dims_f64`] and [`top_k_dims_f32`] after the
/// patterns.
struct TopKDims {
    k: usize,
    window: f64,
    squared: u32,
    cutoff: f64,
    out_idx: *mut u32,
    out_dist: *mut f64,
    stats: *mut f64,
    strategy: u32,
}

/// [`top_k_dims_f64`] and [`top_k_dims_f32`].
///
/// # Safety
/// As [`top_k_dims_f64`], in the precision `P`.
unsafe fn top_k_dims_in<P: LaneTable + Table + Margins>(
    r: *const P::E,
    n: usize,
    flat: *const P::E,
    off: *const u32,
    count: usize,
    dims: usize,
    s: TopKDims,
) -> usize {
    let strategy = match s.strategy {
        _ if dims == 0 => return NOT_AVAILABLE,
        0 => top_k_dims::Strategy::Auto,
        1 => top_k_dims::Strategy::Pairs,
        2 => top_k_dims::Strategy::Lanes,
        _ => return NOT_AVAILABLE,
    };
    let pats = patterns(flat, off, count, dims);
    let r = std::slice::from_raw_parts(r, n * dims);
    let k = s.k.min(count);
    let out_idx = std::slice::from_raw_parts_mut(s.out_idx, k);
    let out_dist = std::slice::from_raw_parts_mut(s.out_dist, k);
    let mut st = TopKStats::default();
    let window = window_arg(s.window);
    let found = top_k_dims::top_k_dims::<P>(s.squared != 0, r, &pats, k, window, s.cutoff, strategy, out_idx, out_dist, &mut st);
    let stats = std::slice::from_raw_parts_mut(s.stats, 4);
    stats.copy_from_slice(&[st.pruned_kim, st.pruned_keogh, st.abandoned, st.computed]);
    found
}

/// Subsequence search: the windows of `x` (`n` points, the first at
/// absolute index `base`) nearest to the query `q` (`m` points) under DTW,
/// z-normalized when `normalize != 0`, for `k` matches (clamped to
/// `1..=n - m + 1`) at least `ez` apart. Every window whose distance is at
/// most the final bound `T` of the k-th match is a candidate; `t0` is such
/// a bound known from elsewhere (`+inf` if none). Leaves the candidates as
/// `(index, distance)` pairs, sorted by distance then index, in a buffer
/// read with [`search_results`], and returns their number; six values go
/// to `stats`: pruned by LB_Kim, by LB_Keogh EQ, by LB_Keogh EC, abandoned
/// DTWs, completed DTWs, then `T`. `f32 != 0`: precision `f32`, `x` and
/// `q` hold `f32` values and the candidates are those that the `f32`
/// distances need (`search::Keep`).
///
/// `strategy`: bits 0 and 1 choose the DTWs' kernel, as for [`dtw_f64`];
/// bits 2 to 4 each turn one fast path of the search off, for tests:
/// `4` LB_Kim one window at a time instead of two in the two lanes, `8`
/// DTWs that compute every cell of the band, `16` the series' envelope at
/// once by a monotonic deque instead of piece by piece
/// (`search::SCALAR_KIM`, `UNPRUNED_DTW`, `WHOLE_ENVELOPE`). The
/// candidates and the counters are the same whatever these bits. Bit 5,
/// `32` (`search::SHARED_BOUND`): exchange `T` with the host's
/// `kit.exchange_bound` at the start of every block of `search::RESET`
/// window starts, for the parts of one search on several threads (the
/// candidates of a part may then be fewer, never those of the result).
///
/// # Safety
/// `x` and `q` must point to `n` and `m` readable `f64`, none NaN, with
/// `1 <= m <= n`; `stats` to 6 writable `f64`.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn search_f64(
    x: *const f64,
    n: usize,
    q: *const f64,
    m: usize,
    window: f64,
    squared: u32,
    normalize: u32,
    f32: u32,
    k: usize,
    ez: f64,
    base: usize,
    t0: f64,
    stats: *mut f64,
    strategy: u32,
) -> usize {
    let paths = search::SCALAR_KIM | search::UNPRUNED_DTW | search::WHOLE_ENVELOPE | search::SHARED_BOUND;
    let kernel = match kernel(strategy & 3) {
        Some(k) if strategy & !(3 | paths) == 0 => k,
        _ => return NOT_AVAILABLE,
    };
    let x = std::slice::from_raw_parts(x, n);
    let q = std::slice::from_raw_parts(q, m);
    let mut st = search::Stats::default();
    let k = k.clamp(1, n + 1 - m);
    let window = window_arg(window);
    let sq = squared != 0;
    let (cands, t) = search::search(sq, x, q, window, normalize != 0, f32 != 0, k, ez, base, t0, kernel, strategy & paths, &mut st);
    search_out(&cands, t, &st, stats)
}

#[link(wasm_import_module = "kit")]
extern "C" {
    /// The module's one import (see [`exchange_bound`]).
    #[link_name = "exchange_bound"]
    fn host_exchange_bound(t: f64) -> f64;
}

/// Offers `t`, a bound of a search's final k-th match, to the host
/// (`kit.exchange_bound`), and returns the least bound of it that the host
/// knows: `t` or lower. The host shares it among the parts of one search
/// that run at once on several threads (`WorkerPool.searchSubsequence`); a
/// host that shares nothing returns `t`. An answer that is not in
/// `[0, t)` (NaN among them: a bound is a distance) leaves `t`.
pub(crate) fn exchange_bound(t: f64) -> f64 {
    // SAFETY: the import takes and returns an f64 and touches nothing of
    // this module's memory.
    let s = unsafe { host_exchange_bound(t) };
    if s >= 0.0 && s < t {
        s
    } else {
        t
    }
}

/// The index of the first of the `n` values at `x` that is not finite (NaN
/// or an infinity), or `n`: the check of a series staged for a search,
/// eight values at a time.
///
/// # Safety
/// `x` must point to `n` readable `f64`.
#[no_mangle]
pub unsafe extern "C" fn first_non_finite(x: *const f64, n: usize) -> usize {
    use core::arch::wasm32::*;
    let inf = f64x2_splat(f64::INFINITY);
    // Finite: |v| < inf (false for NaN).
    let finite = |p: *const f64| f64x2_lt(f64x2_abs(v128_load(p as *const v128)), inf);
    let mut i = 0;
    while i + 8 <= n {
        let p = x.add(i);
        let all = v128_and(v128_and(finite(p), finite(p.add(2))), v128_and(finite(p.add(4)), finite(p.add(6))));
        if !i64x2_all_true(all) {
            break;
        }
        i += 8;
    }
    while i < n {
        if !(*x.add(i)).is_finite() {
            return i;
        }
        i += 1;
    }
    n
}

/// Rounds the `n` finite `f64` at `x` to `f32` in place (as `Math.fround`:
/// to nearest, ties to even), for the series of a search of precision
/// `f32`, two at a time. Returns the index of the first value that
/// overflows `f32` (it and the values after it are left as they were), or
/// `n`.
///
/// # Safety
/// `x` must point to `n` writable `f64`, none NaN.
#[no_mangle]
pub unsafe extern "C" fn round_f32(x: *mut f64, n: usize) -> usize {
    use core::arch::wasm32::*;
    let inf = f64x2_splat(f64::INFINITY);
    let mut i = 0;
    while i + 2 <= n {
        let p = x.add(i) as *mut v128;
        let r = f64x2_promote_low_f32x4(f32x4_demote_f64x2_zero(v128_load(p)));
        if v128_any_true(f64x2_eq(f64x2_abs(r), inf)) {
            break;
        }
        v128_store(p, r);
        i += 2;
    }
    while i < n {
        let r = *x.add(i) as f32;
        if r.is_infinite() {
            return i;
        }
        *x.add(i) = r as f64;
        i += 1;
    }
    n
}

/// Leaves the candidates of a search in [`RESULTS`] as `(index, distance)`
/// pairs, writes the counters and `t` to `stats`, and returns the number
/// of candidates.
///
/// # Safety
/// `stats` must point to 6 writable `f64`.
unsafe fn search_out(cands: &[(f64, usize)], t: f64, st: &search::Stats, stats: *mut f64) -> usize {
    let s = std::slice::from_raw_parts_mut(stats, 6);
    s.copy_from_slice(&[st.kim, st.keogh_eq, st.keogh_ec, st.abandoned, st.dtw, t]);
    RESULTS.with(|r| {
        let mut r = r.borrow_mut();
        r.clear();
        for &(d, i) in cands {
            r.push(i as f64);
            r.push(d);
        }
        cands.len()
    })
}

/// Address of the `(index, distance)` pairs written by the last
/// [`search_f64`].
///
/// # Safety
/// Safe to call. The pairs stay valid until the next [`search_f64`].
#[no_mangle]
pub extern "C" fn search_results() -> *const f64 {
    RESULTS.with(|r| r.borrow().as_ptr())
}

/// [`search_f64`] for multivariate series: `x` holds `n` points and `q`
/// `m` points of `dims >= 2` values each, point-major (value `k` of point
/// `i` at `x[i * dims + k]`), compared under the dependent DTW (DTW_D, as
/// [`dtw_dims_f64`]) or, when `independent != 0`, the independent one
/// (DTW_I: the sum over the dimensions, in index order, of each
/// dimension's [`dtw_f64`]). With `normalize != 0` each dimension of the
/// query and of every window is z-normalized on its own. Same candidates
/// buffer ([`search_results`]), same six `stats`; see `search_dims.rs`.
/// `strategy` must be `0` or `32` (`search::SHARED_BOUND`, as for
/// [`search_f64`]). Returns `-1` (as JavaScript reads it) for `dims < 2`
/// or another `strategy`.
///
/// # Safety
/// `x` and `q` must point to `n * dims` and `m * dims` readable `f64`,
/// none NaN, with `1 <= m <= n`; `stats` to 6 writable `f64`.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn search_dims_f64(
    x: *const f64,
    n: usize,
    q: *const f64,
    m: usize,
    dims: usize,
    window: f64,
    squared: u32,
    normalize: u32,
    independent: u32,
    f32: u32,
    k: usize,
    ez: f64,
    base: usize,
    t0: f64,
    stats: *mut f64,
    strategy: u32,
) -> usize {
    if dims < 2 || strategy & !search::SHARED_BOUND != 0 {
        return NOT_AVAILABLE;
    }
    let x = std::slice::from_raw_parts(x, n * dims);
    let q = std::slice::from_raw_parts(q, m * dims);
    let mut st = search::Stats::default();
    let k = k.clamp(1, n + 1 - m);
    let window = window_arg(window);
    let (cands, t) = search_dims::search_dims(
        squared != 0,
        independent != 0,
        x,
        q,
        dims,
        window,
        normalize != 0,
        f32 != 0,
        k,
        ez,
        base,
        t0,
        strategy & search::SHARED_BOUND != 0,
        &mut st,
    );
    search_out(&cands, t, &st, stats)
}

/// `dtwPath`: returns the distance of `a` and `b` (as [`dtw_f64`]) and
/// leaves an optimal warping path as `(i, j)` pairs in a buffer read with
/// [`path_ptr`] and [`path_len`] (empty when a series is empty or the
/// distance exceeds `cutoff`). `limit` bounds the matrix cells kept at
/// once.
///
/// `strategy`: `0` auto, `1` the whole matrix by scalar rows, `2` the whole
/// matrix by stripes (`1` and `2` whatever `limit`, and only without a
/// band: `window` negative or at least the longer length), `3` the rows
/// over their band, every row kept, whatever `limit`, `4` the rows over
/// their band, at most `limit` cells at once (divide and conquer).
///
/// # Safety
/// `a` and `b` must point to `n` and `m` readable `f64`, none NaN.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn path_f64(
    a: *const f64,
    n: usize,
    b: *const f64,
    m: usize,
    window: f64,
    squared: u32,
    cutoff: f64,
    limit: usize,
    strategy: u32,
) -> f64 {
    let a = std::slice::from_raw_parts(a, n);
    let b = std::slice::from_raw_parts(b, m);
    PATH.with(|p| {
        let mut p = p.borrow_mut();
        p.clear();
        let strategy = match path_strategy(strategy) {
            Some(s) => s,
            None => return f64::NAN,
        };
        let window = window_arg(window);
        path::dtw_path::<F64>(a, b, 1, window, squared != 0, cutoff, limit, strategy, &mut p).unwrap_or(f64::NAN)
    })
}

/// The `dims` form of [`path_f64`]: the distance of `a` and `b` (`n` and
/// `m` points of `dims` values) as [`dtw_dims_f64`], and an optimal path
/// (ties: diagonal, then up, then left) in the buffer of [`path_ptr`] and
/// [`path_len`]. `dims = 1` is [`path_f64`]; `dims = 0` returns `NaN`.
///
/// `strategy`: `0` auto, `3` the rows over their band, every row kept,
/// whatever `limit`, `4` the rows over their band, at most `limit` cells
/// at once (divide and conquer); `1` and `2` (the whole matrix) only with
/// `dims = 1`.
///
/// # Safety
/// `a` and `b` must point to `n * dims` and `m * dims` readable `f64`,
/// none NaN.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn path_dims_f64(
    a: *const f64,
    n: usize,
    b: *const f64,
    m: usize,
    dims: usize,
    window: f64,
    squared: u32,
    cutoff: f64,
    limit: usize,
    strategy: u32,
) -> f64 {
    path_dims::<F64>(a, n, b, m, dims, window, squared, cutoff, limit, strategy)
}

/// [`path_dims_f64`] in `f32`, as [`dtw_dims_f32`] (`dims = 1` is
/// univariate): `a` and `b` hold `f32` values; returns the `f32` distance.
///
/// `strategy`: `0` auto, `3` and `4` as for [`path_dims_f64`].
///
/// # Safety
/// As [`path_dims_f64`], with `a` and `b` pointing to finite `f32` values.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn path_dims_f32(
    a: *const f32,
    n: usize,
    b: *const f32,
    m: usize,
    dims: usize,
    window: f64,
    squared: u32,
    cutoff: f64,
    limit: usize,
    strategy: u32,
) -> f64 {
    path_dims::<F32>(a, n, b, m, dims, window, squared, cutoff, limit, strategy)
}

/// [`path_dims_f64`] and [`path_dims_f32`].
///
/// # Safety
/// As [`path_dims_f64`], in the precision `P`.
#[allow(clippy::too_many_arguments)]
unsafe fn path_dims<P: Table + Whole>(
    a: *const P::E,
    n: usize,
    b: *const P::E,
    m: usize,
    dims: usize,
    window: f64,
    squared: u32,
    cutoff: f64,
    limit: usize,
    strategy: u32,
) -> f64 {
    PATH.with(|p| {
        let mut p = p.borrow_mut();
        p.clear();
        let strategy = match path_strategy(strategy) {
            Some(s) if dims > 0 => s,
            _ => return f64::NAN,
        };
        let a = std::slice::from_raw_parts(a, n * dims);
        let b = std::slice::from_raw_parts(b, m * dims);
        let window = window_arg(window);
        path::dtw_path::<P>(a, b, dims, window, squared != 0, cutoff, limit, strategy, &mut p).unwrap_or(f64::NAN)
    })
}

/// Address of the path written by the last [`path_f64`] (or `dims`
/// form).
///
/// # Safety
/// Safe to call. The path stays valid until the next [`path_f64`] or
/// `dims` form.
#[no_mangle]
pub extern "C" fn path_ptr() -> *const u32 {
    PATH.with(|p| p.borrow().as_ptr())
}

/// Number of `(i, j)` pairs written by the last [`path_f64`] (or `dims`
/// form).
///
/// # Safety
/// Safe to call.
#[no_mangle]
pub extern "C" fn path_len() -> usize {
    PATH.with(|p| p.borrow().len() / 2)
}

/// LCS length of `a` (`n` symbol ids) and `b` (`m` ids), all `< sigma`.
///
/// `strategy`: `0` auto (segments of 8 words), `1` to `8` that many 63-bit
/// words per segment of the bit vector.
///
/// # Safety
/// `a` and `b` must point to `n` and `m` readable `u32` ids, all `< sigma`.
#[no_mangle]
pub unsafe extern "C" fn lcs_u32(a: *const u32, n: usize, b: *const u32, m: usize, sigma: usize, strategy: u32) -> u32 {
    let words = match segment_words(strategy, lcs::K64) {
        Some(w) => w,
        None => return NOT_AVAILABLE as u32,
    };
    let a = std::slice::from_raw_parts(a, n);
    let b = std::slice::from_raw_parts(b, m);
    lcs::lcs(a, b, sigma, words) as u32
}

/// LCS length of two `i32` sequences whose values span less than 2^16: the
/// values minus the minimum are the ids (overwriting the inputs). Returns
/// -1, inputs untouched, when the range is wider, and -2 (instead of -1)
/// for an unknown `strategy`.
///
/// `strategy`: as for [`lcs_u32`].
///
/// # Safety
/// `a` and `b` must point to `n` and `m` writable `i32` values.
#[no_mangle]
pub unsafe extern "C" fn lcs_i32(a: *mut i32, n: usize, b: *mut i32, m: usize, strategy: u32) -> i32 {
    let words = match segment_words(strategy, lcs::K64) {
        Some(w) => w,
        None => return -2,
    };
    let a = std::slice::from_raw_parts_mut(a, n);
    let b = std::slice::from_raw_parts_mut(b, m);
    match lcs::lcs_dense(a, b, words) {
        Some(l) => l as i32,
        None => -1,
    }
}

/// The LCS row of `text` (`n` ids) against every prefix of `pat` (`m`
/// ids): writes `m + 1` values to `row`, `row[j]` being the LCS length of
/// `text` and `pat[..j]`. Returns `row[m]`.
///
/// `strategy`: as for [`lcs_u32`].
///
/// # Safety
/// `text` and `pat` must point to `n` and `m` readable `u32` ids, all
/// `< sigma`; `row` to `m + 1` writable `u32`.
#[no_mangle]
pub unsafe extern "C" fn lcs_row_u32(
    text: *const u32,
    n: usize,
    pat: *const u32,
    m: usize,
    sigma: usize,
    row: *mut u32,
    strategy: u32,
) -> u32 {
    let words = match segment_words(strategy, lcs::K64) {
        Some(w) => w,
        None => return NOT_AVAILABLE as u32,
    };
    let text = std::slice::from_raw_parts(text, n);
    let pat = std::slice::from_raw_parts(pat, m);
    let row = std::slice::from_raw_parts_mut(row, m + 1);
    lcs::lcs_row(text, pat, sigma, words, row);
    row[m]
}

/// The correlation matrix kernel: writes the correlations `lcs / max(len)`
/// (1 for two empty sequences) of the pairs `(r, s)`, `r0 <= r < r1`,
/// `r < s < n` (sorted positions; `r0` and `r1` clamped to `n`), row-major,
/// to `out`. Returns how many.
///
/// `strategy`: `0` auto (segments of 7 words), `1` to `7` that many
/// `u32x4` words (31 bits of 4 patterns) per segment.
///
/// # Safety
/// `ids` must hold `starts[n_seq]` ids `< sigma`; `starts` `n_seq + 1`
/// non-decreasing offsets; `order` `n` indexes `< n_seq` (sorted by length,
/// ascending); `out` room for every pair of the rows.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn lcs_corr_rows(
    ids: *const u32,
    starts: *const u32,
    n_seq: usize,
    order: *const u32,
    n: usize,
    sigma: usize,
    r0: usize,
    r1: usize,
    out: *mut f64,
    strategy: u32,
) -> usize {
    let words = match segment_words(strategy, lcs::K32) {
        Some(w) => w,
        None => return NOT_AVAILABLE,
    };
    let starts = std::slice::from_raw_parts(starts, n_seq + 1);
    let seqs = Seqs {
        ids: std::slice::from_raw_parts(ids, starts[n_seq] as usize),
        starts,
        order: std::slice::from_raw_parts(order, n),
    };
    let r1 = r1.min(n);
    let r0 = r0.min(r1);
    let pairs = (r0..r1).map(|r| n - r - 1).sum();
    let out = std::slice::from_raw_parts_mut(out, pairs);
    lcs::corr_rows(&seqs, sigma, r0, r1, words, out);
    pairs
}
