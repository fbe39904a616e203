//! DTW of multivariate series (dependent DTW, DTW_D) in `f64`, and DTW in
//! `f32`, univariate or multivariate: the stripe kernel of `dtw.rs` for
//! points of `d` values, in either precision ([`Prec`]).
//!
//! # Definition
//! Series are point-major: point `i` of `a` is `a[i * d..(i + 1) * d]`. The
//! cost of cell `(i, j)` is `Σ_k |a_i[k] - b_j[k]|`, or `Σ_k (a_i[k] -
//! b_j[k])²`, summed in index order from the first term, and the
//! recurrence is `cost + min(up, left, diag)`, each operation rounded in
//! the precision: results are bit-for-bit those of a scalar reference
//! doing the same (`prec.rs`). With `d = 1` this is `dtw.rs`' DTW.
//!
//! # Layout
//! That of `dtw.rs` with `N` lanes per vector (2 in `f64`, 4 in `f32`): a
//! stripe of `N·K` rows is `K` vectors, lane `l` of vector `v` carries row
//! `r0 + l·K + v` and computes, at step `t`, column `t - v - l·K`. The row
//! above lane `l > 0` of vector 0 is lane `l - 1` of the last vector one
//! step earlier ([`Prec::top`]); only the bottom row goes through memory.
//! The column buffer holds, for each column `p` and dimension `k`, the
//! vector of `b[p - l·K][k]` over the lanes (`+inf` outside `b`), so that
//! vector `v` reads column `p = t - v`: `d` loads and `3d + 2` operations
//! per `N` cells.
//!
//! # Kernels
//! * The fast kernels ([`steps`] with `D = d`), for `d <= DMAX` and a
//!   stripe of the full size: one kernel per `d` that keeps the `K·d` row
//!   values in registers. `K` per precision and `d` ([`Table::kmax`]) as
//!   measured on V8 at 1,000 × 1,000, enough independent chains and no
//!   spills: `f64` `d = 2` `K = 3` (`K = 2` is 1.3× slower), `d >= 3` `K =
//!   2` (`K = 1` is 2× slower at `d = 3`: latency; `K >= 3` spills); `f32`
//!   `d = 1` `K = 4`, `d = 2` `K = 3`, `d >= 3` `K = 2`. Kernels for `d` =
//!   6 to 8 were within 20 % of the general one (`K = 2` spills, `K = 1`
//!   waits on latency) and are left out for the module's size.
//! * The general kernel ([`steps`] with `D = 0`), for everything else: any
//!   `d`, row values read from memory, and the band mask added when there
//!   is one. It runs the ramps of banded stripes, narrow bands, the
//!   stripes of one vector that finish the rows, `d > DMAX`, and every
//!   step under [`Kernel::General`]. At `d = 3` it is about 1.4× slower
//!   than the fast kernel.
//! * Rows left over (fewer than `N`) are scalar rows, as are all rows
//!   below `SMALL` columns ([`Kernel::Auto`]) or under [`Kernel::Rows`].

use core::arch::wasm32::*;
use std::cell::RefCell;

use crate::dtw::{dtw, dtw_rest, slice_min, Band, Kernel, Masks, OFF, SMALL};
use crate::memory::Work;
use crate::num::min;
use crate::prec::{cost, Prec, F32, F64};

/// Largest `d` with a fast kernel of its own.
pub const DMAX: usize = 5;
/// Most vectors per stripe (`N·KMAX <= OFF` rows).
const KMAX: usize = 4;

/// The running values of a stripe between calls of its kernels.
pub struct State {
    out: [v128; KMAX],
    old: [v128; KMAX],
    top_prev: v128,
}

/// What the kernels of one stripe read and write.
pub struct Args<P: Prec> {
    /// Row values: vector `v`, dimension `k` at `rv[v * d + k]`.
    rv: *const v128,
    d: usize,
    /// The column buffer at column 0, dimension 0.
    bbase: *const v128,
    /// The row buffer at column 0.
    rbase: *mut P::E,
    /// The band mask at `q = 0` (see `dtw.rs`' `Masks`), or null.
    mbase: *const P::E,
    r0: isize,
}

/// Steps `t0..t1` of a stripe (a [`steps`]).
///
/// # Safety
/// As [`steps`].
pub type Steps<P> = unsafe fn(&mut State, &Args<P>, isize, isize);

/// Steps `t0..t1` of a stripe of `K` vectors. With `D > 0` (the fast
/// kernels), points of `D` values whose row values stay in registers, and
/// no mask; with `D = 0` (the general kernel), points of `g.d` values, the
/// row values read from memory, and the band mask of `g.mbase` added to
/// the costs when it is not null.
///
/// # Safety
/// `g` must describe a stripe of `K` vectors as [`stripe`] builds it, and
/// `t0..t1` lie within its steps, so that every column touched lies in
/// `[-(N·K - 1), m + N·K - 2]` of the buffers padded by `OFF`; a mask must
/// cover `q = t - 2v - r0` over the steps.
unsafe fn steps<P: Prec, const K: usize, const D: usize, const SQ: bool>(
    st: &mut State,
    g: &Args<P>,
    t0: isize,
    t1: isize,
) {
    let d = if D > 0 { D } else { g.d };
    let masked = D == 0 && !g.mbase.is_null();
    let rows: [[v128; D]; K] = core::array::from_fn(|v| core::array::from_fn(|j| *g.rv.add(v * D + j)));
    let mut out: [v128; K] = core::array::from_fn(|v| st.out[v]);
    let mut old: [v128; K] = core::array::from_fn(|v| st.old[v]);
    let mut top_prev = st.top_prev;
    let (k, nk, n) = (K as isize, (P::N * K) as isize, P::N as isize);
    // Column buffer at p = t - (K - 1); row buffer at column t - (N·K - 1);
    // mask at q = t - 2v - r0 of vector K - 1.
    let mut bp = g.bbase.offset((t0 - k + 1) * d as isize);
    let mut rp = g.rbase.offset(t0 - nk + 1);
    let mut mp = g.mbase.wrapping_offset(n * (t0 - 2 * k + 2 - g.r0));
    let mut t = t0;
    while t < t1 {
        let top = P::top(rp.offset(nk - 1), out[K - 1]);
        let mut v = K - 1;
        loop {
            let (up, diag) = if v == 0 { (top, top_prev) } else { (out[v - 1], old[v - 1]) };
            // p = t - v sits K - 1 - v columns above the base.
            let cp = bp.add((K - 1 - v) * d);
            let x = |j: usize| if D > 0 { rows[v][j] } else { *g.rv.add(v * d + j) };
            let mut c = P::cost::<SQ>(x(0), *cp);
            for j in 1..d {
                c = P::add(c, P::cost::<SQ>(x(j), *cp.add(j)));
            }
            if masked {
                // q of vector v sits 2(K - 1 - v) above that of vector K - 1.
                c = P::add(c, v128_load(mp.add(2 * P::N * (K - 1 - v)) as *const v128));
            }
            let best = P::min(out[v], P::min(up, diag));
            old[v] = out[v];
            out[v] = P::add(c, best);
            if v == 0 {
                break;
            }
            v -= 1;
        }
        top_prev = top;
        P::store_last(out[K - 1], rp);
        bp = bp.add(d);
        rp = rp.add(1);
        mp = mp.wrapping_add(P::N);
        t += 1;
    }
    st.out[..K].copy_from_slice(&out);
    st.old[..K].copy_from_slice(&old);
    st.top_prev = top_prev;
}

/// Scratch of [`dtw_dims`] in one precision.
pub struct Bufs<P: Prec> {
    row: Work<P::E>,
    /// Column buffers of the full stripes and of the one-vector stripes.
    cols: [Work<v128>; 2],
    rv: Work<v128>,
    ramps: Work<P::E>,
    full: Work<P::E>,
}

impl<P: Prec> Bufs<P> {
    const fn new() -> Bufs<P> {
        Bufs { row: Work::new(), cols: [Work::new(), Work::new()], rv: Work::new(), ramps: Work::new(), full: Work::new() }
    }
}

thread_local! {
    static BUFS64: RefCell<Bufs<F64>> = RefCell::new(Bufs::new());
    static BUFS32: RefCell<Bufs<F32>> = RefCell::new(Bufs::new());
}

/// The kernels of one precision.
pub trait Table: Prec {
    /// Runs `f` on this precision's scratch.
    fn with_bufs<R>(f: impl FnOnce(&mut Bufs<Self>) -> R) -> R;
    /// Vectors per full stripe for `d` dimensions.
    fn kmax(d: usize) -> usize;
    /// The fast kernel for `d` (with `K = kmax(d)`), if any.
    fn fast(d: usize, sq: bool) -> Option<Steps<Self>>;
    /// The general kernel for `k` vectors (`1` or `kmax(d)`).
    fn general(k: usize, sq: bool) -> Steps<Self>;
    /// `dtw.rs`' DTW of the pair (`a` the longer) where it applies: one
    /// dimension in `f64`, not under [`Kernel::General`]. The same values.
    fn univariate(p: &Pair<Self>) -> Option<Self::E>;
}

/// The arguments of [`dtw_dims`], `a` the longer.
pub struct Pair<'a, P: Prec> {
    a: &'a [P::E],
    b: &'a [P::E],
    d: usize,
    window: Option<usize>,
    sq: bool,
    cutoff: f64,
    rest: Option<&'a Rest<'a>>,
    kernel: Kernel,
}

/// The fast `steps::<P, K, D, SQ>` for `d`, with `K` as `kmax` lists.
macro_rules! fast_table {
    ($p:ty, $d:expr, $sq:expr, $($dd:literal => $k:literal),*) => {
        match ($d, $sq) {
            $(($dd, false) => Some(steps::<$p, $k, $dd, false> as Steps<$p>),
              ($dd, true) => Some(steps::<$p, $k, $dd, true> as Steps<$p>),)*
            _ => None,
        }
    };
}

/// The general `steps::<P, K, 0, SQ>` for `k` in the listed sizes.
macro_rules! general_table {
    ($p:ty, $k:expr, $sq:expr, $($kk:literal),*) => {
        match ($k, $sq) {
            $(($kk, false) => steps::<$p, $kk, 0, false> as Steps<$p>,
              ($kk, true) => steps::<$p, $kk, 0, true> as Steps<$p>,)*
            (_, false) => steps::<$p, 1, 0, false> as Steps<$p>,
            (_, true) => steps::<$p, 1, 0, true> as Steps<$p>,
        }
    };
}

impl Table for F64 {
    fn with_bufs<R>(f: impl FnOnce(&mut Bufs<F64>) -> R) -> R {
        BUFS64.with(|b| f(&mut b.borrow_mut()))
    }
    fn kmax(d: usize) -> usize {
        if d == 2 {
            3
        } else {
            2
        }
    }
    fn fast(d: usize, sq: bool) -> Option<Steps<F64>> {
        fast_table!(F64, d, sq, 2 => 3, 3 => 2, 4 => 2, 5 => 2)
    }
    fn general(k: usize, sq: bool) -> Steps<F64> {
        general_table!(F64, k, sq, 2, 3)
    }
    fn univariate(p: &Pair<F64>) -> Option<f64> {
        if p.d != 1 || p.kernel == Kernel::General {
            return None;
        }
        let (a, b) = (p.a, p.b);
        Some(match p.rest {
            None => dtw(a, b, p.window, p.sq, p.cutoff, p.kernel),
            // In f64 a bound is one of the computed value: scale 1.
            Some(r) => dtw_rest(a, b, p.window, p.sq, p.cutoff, r.rest, r.cut, true, false, p.kernel),
        })
    }
}

impl Table for F32 {
    fn with_bufs<R>(f: impl FnOnce(&mut Bufs<F32>) -> R) -> R {
        BUFS32.with(|b| f(&mut b.borrow_mut()))
    }
    fn kmax(d: usize) -> usize {
        match d {
            1 => 4,
            2 => 3,
            _ => 2,
        }
    }
    fn fast(d: usize, sq: bool) -> Option<Steps<F32>> {
        fast_table!(F32, d, sq, 1 => 4, 2 => 3, 3 => 2, 4 => 2, 5 => 2)
    }
    fn general(k: usize, sq: bool) -> Steps<F32> {
        general_table!(F32, k, sq, 2, 3, 4)
    }
    fn univariate(_p: &Pair<F32>) -> Option<f32> {
        None
    }
}

/// When a DTW may stop early, besides its `cutoff`: once the bottom row
/// `i - 1` of a stripe (or a scalar row, or a block of `lanes.rs`) proves
/// that `(min(row) + rest[i]) * scale > cut`. `rest[i]` must be a lower
/// bound of the cost of any warping path's cells in rows `>= i` (a
/// cumulative LB_Keogh, for example; one per lane for `lanes.rs`, at
/// `rest[i * lanes + lane]`), and `scale` turn a lower bound of the value
/// into one of the value as computed (`1` in `f64`; see `top_k_dims.rs`
/// for `f32`).
pub struct Rest<'a> {
    pub rest: &'a [f64],
    pub lanes: usize,
    pub scale: f64,
    pub cut: f64,
}

impl<'a> Rest<'a> {
    /// Whether a path of lane `lane` whose cells in rows `< i` cost at
    /// least `min` must end above the cut.
    #[inline]
    pub fn exceeds(&self, i: usize, lane: usize, min: f64) -> bool {
        let rows = self.rest.len() / self.lanes;
        (min + self.rest[i.min(rows - 1) * self.lanes + lane]) * self.scale > self.cut
    }
}

/// The DTW distance of `a` (`n` points of `d` values) and `b` (`m`
/// points), `+inf` once it must exceed `cutoff` (or `rest` says it may
/// stop; then `a` must be the longer, the rows). Both empty is `0`, one
/// empty `+inf`.
#[inline(never)]
#[allow(clippy::too_many_arguments)]
pub fn dtw_dims<P: Table>(
    a: &[P::E],
    b: &[P::E],
    d: usize,
    window: Option<usize>,
    sq: bool,
    cutoff: f64,
    rest: Option<&Rest>,
    kernel: Kernel,
) -> P::E {
    let (a, b) = if a.len() >= b.len() { (a, b) } else { (b, a) };
    let (n, m) = (a.len() / d, b.len() / d);
    if m == 0 {
        return if n == 0 { P::ZERO } else { P::INF };
    }
    if let Some(v) = P::univariate(&Pair { a, b, d, window, sq, cutoff, rest, kernel }) {
        return v;
    }
    let band = Band::new(window, n, m);
    let v = P::with_bufs(|bufs| run::<P>(bufs, a, b, d, band, sq, cutoff, rest, kernel));
    if P::to_f64(v) > cutoff {
        P::INF
    } else {
        v
    }
}

/// Runs the stripes (or, as `kernel` says, scalar rows) over all rows of
/// `a` (`n >= m >= 1` points).
#[allow(clippy::too_many_arguments)]
fn run<P: Table>(
    bufs: &mut Bufs<P>,
    a: &[P::E],
    b: &[P::E],
    d: usize,
    band: Band,
    sq: bool,
    cutoff: f64,
    rest: Option<&Rest>,
    kernel: Kernel,
) -> P::E {
    let (n, m) = (a.len() / d, b.len() / d);
    let Bufs { row, cols, rv, ramps, full } = bufs;
    let row = row.take(m + 2 * OFF, P::INF);
    row[OFF - 1] = P::ZERO;
    let check = cutoff < f64::INFINITY || rest.is_some();
    // Whether the distance must exceed the cutoff once rows `< i` are done.
    let out = |i: usize, min: P::E| {
        let min = P::to_f64(min);
        min > cutoff || rest.map_or(false, |r| r.exceeds(i, 0, min))
    };
    let mut r0 = 0;
    let stripes = match kernel {
        Kernel::Auto => m >= SMALL,
        Kernel::Rows => false,
        Kernel::Stripes | Kernel::General => true,
    };
    if stripes {
        let kmax = P::kmax(d);
        let fast = if kernel == Kernel::General || d > DMAX { None } else { P::fast(d, sq) };
        let mut built = [false; 2];
        let mut k_masks = 0;
        let mut masks = Masks::none();
        while n - r0 >= P::N {
            let k = if n - r0 >= P::N * kmax { kmax } else { 1 };
            let s = if k == kmax { 0 } else { 1 };
            if !built[s] {
                fill_columns::<P>(cols[s].take((m + 2 * OFF) * d, P::splat(P::INF)), b, d, k);
                built[s] = true;
            }
            if band.banded && k != k_masks {
                masks = Masks::ramps::<P>(ramps, band.w as isize, k);
                k_masks = k;
            }
            let ks = Kernels { fast: if k == kmax { fast } else { None }, general: P::general(k, sq) };
            let at = Stripe { r0, k, m, d };
            let min = stripe::<P>(a, at, row, &cols[s], rv, &mut masks, full, band, ks, check);
            row[OFF - 1] = P::INF;
            r0 += P::N * k;
            if check && out(r0, min) {
                return P::INF;
            }
        }
    }
    while r0 < n {
        let x = &a[r0 * d..(r0 + 1) * d];
        let min = if sq { scalar_row::<P, true>(x, b, row, r0, band) } else { scalar_row::<P, false>(x, b, row, r0, band) };
        row[OFF - 1] = P::INF;
        r0 += 1;
        if out(r0, min) {
            return P::INF;
        }
    }
    row[OFF + m - 1]
}

/// Fills the column buffer for stripes of `k` vectors: entry `p` (offset
/// by `OFF`), dimension `j`, holds the vector of `b[p - l·k][j]` over the
/// lanes `l`, `+inf` outside `b`.
fn fill_columns<P: Prec>(cb: &mut [v128], b: &[P::E], d: usize, k: usize) {
    let m = (b.len() / d) as isize;
    let mut lanes = [P::INF; 4];
    for (i, entry) in cb.chunks_exact_mut(d).enumerate() {
        let p = i as isize - OFF as isize;
        for (j, x) in entry.iter_mut().enumerate() {
            for (l, lane) in lanes.iter_mut().enumerate().take(P::N) {
                let q = p - (l * k) as isize;
                *lane = if q >= 0 && q < m { b[q as usize * d + j] } else { P::INF };
            }
            *x = P::from_lanes(&lanes);
        }
    }
}

/// Where a stripe is: its first row `r0`, `k` vectors, `m` columns, `d`
/// dimensions.
#[derive(Clone, Copy)]
struct Stripe {
    r0: usize,
    k: usize,
    m: usize,
    d: usize,
}

/// The kernels of a stripe: a fast one for its unmasked steps when there
/// is one, the general one for the rest (see [`steps`]).
#[derive(Clone, Copy)]
struct Kernels<P: Prec> {
    fast: Option<Steps<P>>,
    general: Steps<P>,
}

/// One stripe of `N·k` rows. Returns the minimum of its bottom row (a
/// lower bound of the final distance) when `check_min`, else `+inf`.
#[allow(clippy::too_many_arguments)]
fn stripe<P: Prec>(
    a: &[P::E],
    at: Stripe,
    row: &mut [P::E],
    cols: &Work<v128>,
    rv: &mut Work<v128>,
    masks: &mut Masks<P::E>,
    full: &mut Work<P::E>,
    band: Band,
    ks: Kernels<P>,
    check_min: bool,
) -> P::E {
    let Stripe { r0, k, m, d } = at;
    let rvs = rv.take(k * d, P::splat(P::ZERO));
    let mut lanes = [P::ZERO; 4];
    for v in 0..k {
        for j in 0..d {
            for (l, lane) in lanes.iter_mut().enumerate().take(P::N) {
                *lane = a[(r0 + l * k + v) * d + j];
            }
            rvs[v * d + j] = P::from_lanes(&lanes);
        }
    }
    let (r0i, mi, nk) = (r0 as isize, m as isize, (P::N * k) as isize);
    let (t_lo, t_hi) = if band.banded {
        let w = band.w as isize;
        ((r0i - w).max(0), (r0i + 2 * nk - 2 + w).min(mi + nk - 2))
    } else {
        (0, mi + nk - 2)
    };
    let mut top_prev = [P::INF; 4];
    top_prev[0] = row[(OFF as isize + t_lo - 1) as usize];
    let mut st = State { out: [P::splat(P::INF); KMAX], old: [P::splat(P::INF); KMAX], top_prev: P::from_lanes(&top_prev) };
    let mut g = Args::<P> {
        rv: rvs.as_ptr(),
        d,
        // SAFETY: both buffers are padded by OFF columns (entries).
        bbase: unsafe { cols.as_ptr().add(OFF * d) },
        // SAFETY: as above.
        rbase: unsafe { row.as_mut_ptr().add(OFF) },
        mbase: std::ptr::null(),
        r0: r0i,
    };
    let unmasked = ks.fast.unwrap_or(ks.general);
    // SAFETY: every column touched lies in [-(N·k - 1), m + N·k - 2], and
    // OFF >= N·KMAX; the masks cover the steps they are given for.
    unsafe {
        if !band.banded {
            unmasked(&mut st, &g, t_lo, t_hi + 1);
        } else {
            let w = band.w as isize;
            let s_lo = (r0i + 2 * nk - 2 - w).max(t_lo);
            let s_hi = (r0i + w).min(t_hi);
            if s_lo > s_hi {
                // Narrow band: every step may leave it; one full mask.
                g.mbase = masks.full::<P>(full, w, k);
                (ks.general)(&mut st, &g, t_lo, t_hi + 1);
            } else {
                g.mbase = masks.left;
                (ks.general)(&mut st, &g, t_lo, s_lo);
                g.mbase = std::ptr::null();
                unmasked(&mut st, &g, s_lo, s_hi + 1);
                g.mbase = masks.right;
                (ks.general)(&mut st, &g, s_hi + 1, t_hi + 1);
            }
        }
    }
    if check_min {
        let lo = (OFF as isize + t_lo - nk + 1) as usize;
        let hi = (OFF as isize + t_hi - nk + 1) as usize;
        slice_min::<P>(&row[lo..=hi])
    } else {
        P::INF
    }
}

/// One row `r` (point `x`) as a plain scalar pass, in place over the row
/// buffer; returns the row's minimum.
fn scalar_row<P: Prec, const SQ: bool>(x: &[P::E], b: &[P::E], row: &mut [P::E], r: usize, band: Band) -> P::E {
    let d = x.len();
    let m = b.len() / d;
    let (lo, hi) = band.columns(r, m);
    let mut diag = row[OFF + lo - 1];
    let mut left = P::INF;
    let mut mn = P::INF;
    for j in lo..=hi {
        let up = row[OFF + j];
        let v = cost::<P, SQ>(x, &b[j * d..(j + 1) * d]) + min(min(up, diag), left);
        diag = up;
        row[OFF + j] = v;
        left = v;
        mn = min(mn, v);
    }
    mn
}
