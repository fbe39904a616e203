//! Subsequence search: the best windows of a long series under
//! (z-normalized) DTW, with the techniques of the UCR Suite (Rakthanmanon
//! et al., KDD 2012) and exact results.
//!
//! The windows are taken in blocks of up to [`RESET`] starts (the blocks of
//! the running sums), in order:
//!
//! 1. online z-normalization, for the whole block first ([`block_norms`]):
//!    running sums of `x` and `x²` give the mean and standard deviation in
//!    `O(1)` (recomputed exactly at the start of every block so that
//!    rounding cannot drift), then the divisions and square roots two
//!    windows at a time;
//! 2. hierarchical LB_Kim on the first and last three points, two
//!    neighbouring windows at a time in the two lanes ([`kim2`]: one load
//!    serves both, and most pairs end here); the survivors, one by one:
//!
//! (the bounds of steps 2 to 4 use `(x - mean) * (1 / std)`; the threshold
//! is widened by the most that this can differ from the division, see
//! [`widen`])
//! 3. LB_Keogh of the window against the query envelope (EQ), visiting the
//!    query in blocks of two adjacent points by decreasing `|z|`, so that it
//!    abandons early and every load is contiguous;
//! 4. LB_Keogh of the query against the window's envelope (EC); the
//!    envelope of the series is computed piece by piece, when a window of
//!    a piece first gets here ([`DataEnvelope`]): most windows of a short
//!    query never do;
//! 5. the larger of the two, accumulated from the end, is carried into an
//!    early-abandoning DTW (the stripe kernel of `dtw.rs`, through
//!    `dtw_rest`), which also skips the cells that no path within the
//!    threshold can cross (EAPrunedDTW's idea).
//!
//! Every step makes the decision a window-by-window pipeline makes, so the
//! candidates and the counters do not depend on the blocks; the `strategy`
//! bits of [`search`] turn each of the fast paths off, for tests.
//!
//! Instead of UCR's single best-so-far this keeps a threshold `T` that is an
//! upper bound of the final k-th match under the exclusion zone `ez`: the
//! largest distance of `k` computed windows whose starts are pairwise at
//! least `2 ez` apart. Any such set bounds the result: a reported match can
//! exclude at most one of them, so greedy selection reports `k` matches no
//! worse than the worst of them. A window is skipped only when a bound shows
//! its distance exceeds `T`; every window with distance `<= T` is returned
//! as a candidate, and the TypeScript side runs the exclusion-zone greedy
//! over them, which gives exactly the brute-force result. A normalized
//! search keeps every window up to `T + 2 TIE (T + m)` instead ([`Keep`]):
//! its distances come from running sums, and the TypeScript side ranks the
//! candidates within the tolerance [`TIE`] of each other by their exact
//! (two-pass) distances.

use core::arch::wasm32::*;

use crate::bounds::{env_cost, env_cost2, envelope, lb_slack};
use crate::dtw::{dtw_rest, Kernel};
use crate::envelope::envelope_part;
use crate::memory::Work;
use crate::num::{cost, max, min};
use std::cell::RefCell;

const INF: f64 = f64::INFINITY;
/// The running sums are recomputed from scratch at every window start that
/// is a multiple of `RESET` (absolute index in the series).
pub const RESET: usize = 1024;
/// Windows per piece of the data envelope (computed when a window of the
/// piece first needs it).
const ENV_PIECE: usize = 4096;
/// A window whose variance is at most this fraction of its mean square is
/// constant for our purposes: it normalizes to zeros.
const FLAT: f64 = 1e-10;
/// Tie tolerance of a normalized search: its distances (computed with
/// running sums) are taken to be within `TIE * (d + m)` of the exact
/// (two-pass) ones, so it keeps every window within twice that of the
/// threshold ([`Keep`]), and the TypeScript side ranks those by their
/// exact distances (`_search.ts` `TIE`).
pub const TIE: f64 = 1e-6;

/// Unit roundoff of `f32`: rounding to nearest moves a value `v` by at
/// most `U32 · |v|` (2^-24), or by at most 2^-150 below 2^-126.
const U32: f64 = 1.0 / 16_777_216.0;

/// Which windows a search keeps as candidates for a threshold `t`: every
/// window whose distance, as the search computes it, is at most
/// [`Keep::at`]`(t)`.
///
/// In `f64` that is `t` when not normalized (the distances are exact), and
/// `t + 2 TIE (t + v)` when normalized (`v = m · d` values, see [`TIE`]).
///
/// **Precision `f32`.** The search runs in `f64` on the series and query
/// rounded to `f32`, and the TypeScript side ranks the candidates by their
/// `f32` distances `D̂`: the `f32` DTW (every operation rounded to `f32`)
/// of the windows and the query z-normalized in `f64` and then rounded to
/// `f32` (not normalized: the `f32` values themselves). Let `D` be the
/// real DTW of the same normalized values before that rounding, `u =
/// 2^-24`, `L = 2m - 1` (the most cells of a path), `d` the values per
/// point, `c = min(2r + 1, m)` the most cells a path has in one row or one
/// column (`r` the band), `N = L + ρ + d - 1` with `ρ = 1` for the
/// absolute cost and `3` for the squared one, and `g = (1 + u)^N - 1`.
/// Then
///
/// `(1 - g) (D - e(D)) <= D̂ <= (1 + g) (D + e(D))`, `e(D) = β sqrt(D) + γ`,
///
/// where `e` bounds what rounding the normalized inputs to `f32` moves the
/// cost of a path: `0` without normalization (the inputs are `f32` values
/// already); normalized, for the absolute cost `β = 0`, `γ = 2 u d sqrt(c
/// L m)`, and for the squared one `β = 4 u sqrt(c m d)`, `γ = 4 u² c m d`.
///
/// *Proof.* Rounding moves a normalized value `z` by at most `u |z|`, and
/// the values of each dimension of a window (or of the query) have `Σ z²
/// = m` (two-pass normalization; a flat one is zeros). Along a path `P`,
/// row `i` holds `n_i <= c` cells, `Σ n_i = |P| <= L`, and so for columns.
/// (1) Absolute cost: a cell's cost moves by at most `|δa_i| + |δb_j|`, so
/// a path's by at most `u Σ_k (Σ_i n_i |a_ik| + Σ_j n_j |b_jk|)`, and
/// `Σ_i n_i |a_i| <= sqrt(Σ n_i²) sqrt(Σ a_i²) <= sqrt(c L m)` (Cauchy-
/// Schwarz): `γ`. Squared cost: with `δ = δa_i - δb_j`, `(a - b + δ)² - (a -
/// b)² = 2 (a - b) δ + δ²`, and `Σ_P Σ_k δ² <= 2 u² Σ_P Σ_k (a_ik² + b_jk²)
/// <= 4 u² c m d`, so by Cauchy-Schwarz a path of cost `S` moves by at most
/// `2 sqrt(4 u² c m d) sqrt(S) + 4 u² c m d = β sqrt(S) + γ`. The path
/// optimal for the real costs bounds the minimum over paths of the costs
/// from rounded inputs from above by `D + e(D)`; from below, the optimal
/// path of those has real cost `S >= D` and `S - e(S) >= D - e(D)` whenever
/// `D - e(D) > 0` (`S - β sqrt(S)` grows for `S >= β² / 4`). (2) The `f32`
/// cost rounds the difference (and the square: `(1 ± u)³` in all) and each
/// of the `d - 1` partial sums over the dimensions, of terms `>= 0`, so
/// each cell's computed cost is within `(1 ± u)^(ρ+d-1)` of its cost from
/// the rounded inputs. (3) By induction over the cells, `D̂(i, j) = fl(ĉ +
/// min(neighbours))` is within `(1 ± u)^(i+j+1)` of the real DTW of the
/// computed costs `ĉ` at `(i, j)`: the minimum is exact and monotone, and
/// each neighbour has `i + j` or fewer such factors; at the last cell `i
/// + j + 1 = L`. Together: `N` factors `(1 ± u)`, and `1 - (1 - u)^N <=
/// g`. DTW_I: each dimension's DTW is within these bounds with `d = 1`,
/// `Σ_k sqrt(D_k) <= sqrt(d D)`, and their `f32` sum in index order adds
/// `d - 1` factors `(1 ± u)`, again within `N`. Below 2^-126 rounding is
/// absolute (at most 2^-150 per operation, at most `(2d + 3) L` operations
/// on a path): `γ` gets `(2d + 3) L 2^-149` more. `g`, `β` and `γ` are
/// doubled, which covers the `f64` rounding of `D` and of `Σ z²` (about
/// `2^-53 N` of them).
///
/// Then, with `τ = TIE` when normalized (else `0`), a window's search
/// distance `x` and its `D` have `|x - D| <= τ (D + v)`. The `k` spaced
/// windows that set `T` have `D <= A = (T + τ v) / (1 - τ)`, so `D̂ <= B =
/// (1 + g) (A + e(A))`, and the final k-th `f32` match is at most `B` (a
/// reported match excludes at most one of them). A window with `D̂ <= B`
/// has `D - β sqrt(D) <= R = B / (1 - g) + γ`, so `D <= C = ((β + sqrt(β²
/// + 4R)) / 2)²`, and its search distance is at most `C + τ (C + v)`: that
/// is what `f32` keeps. (`_search.ts` `lowestExact` inverts it: the least
/// `D̂` of a window of search distance `x`.)
#[derive(Clone, Copy)]
pub(crate) struct Keep {
    tie: f64,
    values: f64,
    /// `g`, `β` and `γ` above, doubled (all `0` in `f64`).
    g: f64,
    beta: f64,
    gamma: f64,
}

impl Keep {
    /// For a query of `m` points of `d` values and the band `r` (`<= m`).
    pub(crate) fn new(sq: bool, normalize: bool, f32: bool, m: usize, d: usize, r: usize) -> Keep {
        let tie = if normalize { TIE } else { 0.0 };
        let values = (m * d) as f64;
        if !f32 {
            return Keep { tie, values, g: 0.0, beta: 0.0, gamma: 0.0 };
        }
        let l = (2 * m - 1) as f64;
        let c = (2 * r + 1).min(m) as f64;
        let (mf, df) = (m as f64, d as f64);
        let rho = if sq { 3 } else { 1 };
        let g = (1.0 + U32).powi((2 * m - 1 + rho + d - 1) as i32) - 1.0;
        let (beta, gamma) = match (normalize, sq) {
            (false, _) => (0.0, 0.0),
            (true, false) => (0.0, 2.0 * U32 * df * (c * l * mf).sqrt()),
            (true, true) => (4.0 * U32 * (c * mf * df).sqrt(), 4.0 * U32 * U32 * c * mf * df),
        };
        let tiny = (2 * d + 3) as f64 * l * f64::powi(2.0, -149);
        Keep { tie, values, g: 2.0 * g, beta: 2.0 * beta, gamma: 2.0 * gamma + tiny }
    }

    /// The largest search distance kept for threshold `t`.
    #[inline(always)]
    pub(crate) fn at(&self, t: f64) -> f64 {
        let (tie, v) = (self.tie, self.values);
        if self.g == 0.0 {
            return if tie == 0.0 { t } else { t + 2.0 * tie * (t + v) };
        }
        // (0 · inf would make it NaN.) Past g = 1/2, queries of millions
        // of points, the bound is of no use (at g = 1 no bound at all):
        // keep every window (`_search.ts` `lowestExact` agrees).
        if t == INF || self.g >= 0.5 {
            return INF;
        }
        let (g, beta, gamma) = (self.g, self.beta, self.gamma);
        let a = (t + tie * v) / (1.0 - tie);
        let b = (1.0 + g) * (a + beta * a.sqrt() + gamma);
        let r = b / (1.0 - g) + gamma;
        let root = 0.5 * (beta + (beta * beta + 4.0 * r).sqrt());
        let c = root * root;
        (c + tie * (c + v)) * (1.0 + 1e-12)
    }
}

thread_local! {
    static BUFS: RefCell<[Work; 5]> = RefCell::new([
        Work::new(), Work::new(), Work::new(), Work::new(), Work::new(),
    ]);
    static DATA_ENV: RefCell<DataEnvelope> = RefCell::new(DataEnvelope::new());
}

/// Mean and standard deviation of a window from its sums; a flat window
/// gets `(0, +inf)`, which maps every point to zero.
#[inline(always)]
pub(crate) fn norm(s1: f64, s2: f64, m: usize) -> (f64, f64) {
    let mf = m as f64;
    let mean = s1 / mf;
    let var = s2 / mf - mean * mean;
    if var > FLAT * (s2 / mf) {
        (mean, var.sqrt())
    } else {
        (0.0, INF)
    }
}

/// Sums of `x` and `x²`, left to right.
#[inline(never)]
pub(crate) fn sums(x: &[f64]) -> (f64, f64) {
    let (mut s1, mut s2) = (0.0, 0.0);
    for &v in x {
        s1 += v;
        s2 += v * v;
    }
    (s1, s2)
}

/// UCR Suite's hierarchical LB_Kim: the first and last cell, then the
/// cheapest cell of each of the next two "layers" at both ends (cells with
/// `max(i, j) = 1, 2` and `min(i, j) = m - 2, m - 3`), which every path
/// crosses. Stops as soon as the bound exceeds `bsf`.
#[inline(never)]
fn lb_kim<const SQ: bool>(t: &[f64], q: &[f64], mean: f64, inv: f64, bsf: f64) -> f64 {
    let m = q.len();
    let z = |i: usize| (t[i] - mean) * inv;
    let c = cost::<SQ>;
    let (x0, y0) = (z(0), z(m - 1));
    if m == 1 {
        return c(x0, q[0]);
    }
    let mut lb = c(x0, q[0]) + c(y0, q[m - 1]);
    if m < 6 || lb > bsf {
        return lb;
    }
    let x1 = z(1);
    lb += min3(c(x1, q[0]), c(x0, q[1]), c(x1, q[1]));
    if lb > bsf {
        return lb;
    }
    let y1 = z(m - 2);
    lb += min3(c(y1, q[m - 1]), c(y0, q[m - 2]), c(y1, q[m - 2]));
    if lb > bsf {
        return lb;
    }
    let x2 = z(2);
    lb += min(min3(c(x0, q[2]), c(x1, q[2]), c(x2, q[2])), min(c(x2, q[1]), c(x2, q[0])));
    if lb > bsf {
        return lb;
    }
    let y2 = z(m - 3);
    lb + min(min3(c(y0, q[m - 3]), c(y1, q[m - 3]), c(y2, q[m - 3])), min(c(y2, q[m - 2]), c(y2, q[m - 1])))
}

/// The query in the order in which an LB_Keogh sum visits it: blocks of
/// two adjacent points (`2b`, `2b + 1`), by decreasing `key(b)`, the
/// expected size of the block's terms, so that the sum abandons early
/// (UCR Suite orders single points by `|z|`; pairs keep every load
/// contiguous). An odd last point is visited first, on its own.
struct Visit {
    /// Block numbers `b`, in visiting order.
    blocks: Vec<u32>,
    /// Query, upper and lower envelope, two values per block, in visiting
    /// order.
    q: Vec<f64>,
    u: Vec<f64>,
    l: Vec<f64>,
}

impl Visit {
    fn new(q: &[f64], qu: &[f64], ql: &[f64], key: impl Fn(usize) -> f64) -> Visit {
        let nb = q.len() / 2;
        // Each key once: the sort compares O(nb log nb) times, and a key
        // costs several `exp` (about 40 µs per search at query 128 when it
        // was computed in the comparisons: a part of a pool's search pays
        // it each time).
        let keys: Vec<f64> = (0..nb).map(&key).collect();
        let mut blocks: Vec<u32> = (0..nb as u32).collect();
        blocks.sort_by(|&a, &b| {
            keys[b as usize].partial_cmp(&keys[a as usize]).unwrap().then(a.cmp(&b))
        });
        let pick = |x: &[f64]| -> Vec<f64> {
            blocks.iter().flat_map(|&b| [x[2 * b as usize], x[2 * b as usize + 1]]).collect()
        };
        Visit { q: pick(q), u: pick(qu), l: pick(ql), blocks }
    }
}

/// The standard normal distribution function, to about `1e-7`
/// (Abramowitz & Stegun 7.1.26); it only orders the query's points.
fn normal_cdf(x: f64) -> f64 {
    let z = x.abs() * std::f64::consts::FRAC_1_SQRT_2;
    let t = 1.0 / (1.0 + 0.3275911 * z);
    let poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
    let tail = 0.5 * poly * (-z * z).exp();
    if x >= 0.0 {
        1.0 - tail
    } else {
        tail
    }
}

/// The expected LB_Keogh term of a point of a z-normalized window against
/// the query envelope `[l, u]`, taking the point as a standard normal `z`:
/// `E[d²]` (or `E[d]` for the absolute cost) with `d` the distance from `z`
/// to the interval. LB_Keogh EQ visits the query by decreasing sums of it:
/// an envelope far from 0, or narrow, contributes most (the query's
/// `|z|`, UCR Suite's order, is a weaker proxy: 11-44 % more terms before
/// abandoning at query 1,024 on random walks).
pub(crate) fn expected_term(sq: bool, l: f64, u: f64) -> f64 {
    let pdf = |x: f64| (-0.5 * x * x).exp() * 0.3989422804014327;
    let (above, below) = (1.0 - normal_cdf(u), normal_cdf(l));
    let e = if sq {
        (1.0 + u * u) * above - u * pdf(u) + (1.0 + l * l) * below + l * pdf(l)
    } else {
        pdf(u) - u * above + pdf(l) + l * below
    };
    // (Never NaN, which the sort would refuse.)
    if e > 0.0 {
        e
    } else {
        0.0
    }
}

/// LB_Keogh EQ: the window `w`, normalized as `(w - mean) * inv`, against
/// the query envelope (`qu`, `ql`; in visiting order in `visit`). Writes
/// the terms to `cb` (by point) and stops once the sum exceeds `tp`.
/// (Lower bounds only need to be valid: any summation order is covered by
/// the slack.)
#[inline(never)]
#[allow(clippy::too_many_arguments)]
fn keogh_eq<const SQ: bool>(
    w: &[f64],
    visit: &Visit,
    qu: &[f64],
    ql: &[f64],
    mean: f64,
    inv: f64,
    tp: f64,
    cb: &mut [f64],
) -> f64 {
    let m = w.len();
    let mut acc = f64x2_splat(0.0);
    if m % 2 == 1 {
        let e = env_cost::<SQ>((w[m - 1] - mean) * inv, ql[m - 1], qu[m - 1]);
        cb[m - 1] = e;
        acc = f64x2_replace_lane::<0>(acc, e);
    }
    let (meanv, invv) = (f64x2_splat(mean), f64x2_splat(inv));
    let term = |i: usize, cb: &mut [f64]| {
        let b = 2 * visit.blocks[i] as usize;
        // SAFETY: b + 1 < m = w.len() = cb.len(); 2i + 1 < u.len() = l.len().
        unsafe {
            let z = f64x2_mul(f64x2_sub(v128_load(w.as_ptr().add(b) as *const v128), meanv), invv);
            let u = v128_load(visit.u.as_ptr().add(2 * i) as *const v128);
            let l = v128_load(visit.l.as_ptr().add(2 * i) as *const v128);
            let d = env_cost2::<SQ>(z, l, u);
            v128_store(cb.as_mut_ptr().add(b) as *mut v128, d);
            d
        }
    };
    sum_abandoning(visit.blocks.len(), acc, tp, cb, term)
}

/// `acc` plus the sum of `term(i)` over `i < nb`, in four independent
/// chains; stops once the sum exceeds `tp` (checked every 4 terms) and
/// returns the sum so far.
#[inline(always)]
fn sum_abandoning(nb: usize, acc: v128, tp: f64, cb: &mut [f64], term: impl Fn(usize, &mut [f64]) -> v128) -> f64 {
    let mut acc = [acc, f64x2_splat(0.0), f64x2_splat(0.0), f64x2_splat(0.0)];
    let total = |acc: &[v128; 4]| {
        let s = f64x2_add(f64x2_add(acc[0], acc[1]), f64x2_add(acc[2], acc[3]));
        f64x2_extract_lane::<0>(s) + f64x2_extract_lane::<1>(s)
    };
    let mut i = 0;
    while i + 4 <= nb {
        for (c, a) in acc.iter_mut().enumerate() {
            *a = f64x2_add(*a, term(i + c, cb));
        }
        i += 4;
        let lb = total(&acc);
        if lb > tp {
            return lb;
        }
    }
    while i < nb {
        acc[0] = f64x2_add(acc[0], term(i, cb));
        i += 1;
    }
    total(&acc)
}

/// LB_Keogh EC: the query (`q`; in visiting order in `visit`) against the
/// window's envelope `du`, `dl` (raw values, normalized here), like
/// [`keogh_eq`].
#[inline(never)]
#[allow(clippy::too_many_arguments)]
fn keogh_ec<const SQ: bool>(
    du: &[f64],
    dl: &[f64],
    visit: &Visit,
    q: &[f64],
    mean: f64,
    inv: f64,
    tp: f64,
    cb: &mut [f64],
) -> f64 {
    let m = du.len();
    let mut acc = f64x2_splat(0.0);
    if m % 2 == 1 {
        let (u, l) = ((du[m - 1] - mean) * inv, (dl[m - 1] - mean) * inv);
        let e = env_cost::<SQ>(q[m - 1], l, u);
        cb[m - 1] = e;
        acc = f64x2_replace_lane::<0>(acc, e);
    }
    let (meanv, invv) = (f64x2_splat(mean), f64x2_splat(inv));
    let term = |i: usize, cb: &mut [f64]| {
        let b = 2 * visit.blocks[i] as usize;
        // SAFETY: b + 1 < m = du.len() = dl.len() = cb.len(); 2i + 1 < q.len().
        unsafe {
            let u = f64x2_mul(f64x2_sub(v128_load(du.as_ptr().add(b) as *const v128), meanv), invv);
            let l = f64x2_mul(f64x2_sub(v128_load(dl.as_ptr().add(b) as *const v128), meanv), invv);
            let qv = v128_load(visit.q.as_ptr().add(2 * i) as *const v128);
            let d = env_cost2::<SQ>(qv, l, u);
            v128_store(cb.as_mut_ptr().add(b) as *mut v128, d);
            d
        }
    };
    sum_abandoning(visit.blocks.len(), acc, tp, cb, term)
}

/// The pruning threshold for bounds computed on `(x - mean) * (1 / std)`
/// rather than on `(x - mean) / std`, the values that the DTW (and the
/// brute force) see: `tp` plus the most that the difference can add to a
/// bound.
///
/// Each normalized value moves by at most `2^-51 |z|`. The sum of `z²`
/// over a window is `m` (to 1 %: the running variance is accurate because
/// windows with `var <= FLAT * mean square` count as flat), and an envelope
/// repeats each value at most `2r + 1 <= 2m + 1` times, so the moves `δ`
/// over the terms of a bound have `sqrt(Σ δ²) <= 2^-51 * 1.5 m` and
/// `Σ |δ| <= 2^-51 * 1.5 m^1.5`. A squared-cost bound grows by at most
/// `(sqrt(tp) + sqrt(Σ δ²))² - tp` (Minkowski's inequality), an
/// absolute-cost bound by at most `Σ |δ|`. `2^-40` leaves a factor of
/// 1,000 to spare; the widening is below `1e-9 * m^1.5`.
fn widen(sq: bool, tp: f64, m: usize) -> f64 {
    let e = m as f64 * (1.0 / (1u64 << 40) as f64);
    let wide = if sq {
        let r = tp.sqrt() + e;
        r * r
    } else {
        tp + e * (m as f64).sqrt()
    };
    wide * (1.0 + 1e-12)
}

/// Bound of the rows still to come, for the DTW: after row `i`, rows `> i`
/// remain (EQ terms `cb1` are per window point, i.e. per row) and columns
/// `> i + r` remain untouched (EC terms `cb2` are per query point, i.e. per
/// column). UCR Suite uses only the larger of the two, shifted by `r`;
/// both, unshifted for EQ, are tighter and as valid. `cb` is scratch.
#[inline(never)]
fn rest_bound(cb1: &[f64], cb2: &[f64], r: usize, cb: &mut [f64], rest: &mut [f64]) {
    let m = cb1.len();
    cb[m] = 0.0;
    for i in (0..m).rev() {
        cb[i] = cb[i + 1] + cb2[i];
    }
    let mut eq = 0.0;
    rest[m] = 0.0;
    for p in (0..m).rev() {
        eq += cb1[p];
        rest[p] = max(eq, cb[(p + r).min(m)]);
    }
}

/// The window `w` z-normalized into `tz`, exactly as the brute force
/// computes it (a division per point).
#[inline(never)]
fn normalized(w: &[f64], mean: f64, std: f64, tz: &mut [f64]) {
    let m = w.len();
    let (meanv, stdv) = (f64x2_splat(mean), f64x2_splat(std));
    for q in 0..m / 2 {
        let z = f64x2_div(f64x2_sub(f64x2(w[2 * q], w[2 * q + 1]), meanv), stdv);
        tz[2 * q] = f64x2_extract_lane::<0>(z);
        tz[2 * q + 1] = f64x2_extract_lane::<1>(z);
    }
    if m % 2 == 1 {
        tz[m - 1] = (w[m - 1] - mean) / std;
    }
}

/// The envelope of the series (the same values as over the whole series at
/// once), computed piece by piece as windows reach LB_Keogh EC: most
/// windows of a short query never do.
struct DataEnvelope {
    /// Windows `lo..hi` are covered: `du[i]`, `dl[i]` are at point `lo + i`.
    lo: usize,
    hi: usize,
    du: Vec<f64>,
    dl: Vec<f64>,
    work: Vec<v128>,
    whole: bool,
}

impl DataEnvelope {
    const fn new() -> DataEnvelope {
        DataEnvelope { lo: 0, hi: 0, du: Vec::new(), dl: Vec::new(), work: Vec::new(), whole: false }
    }

    /// Forgets the envelope; `whole`: compute it over the whole series at
    /// once, with `bounds::envelope` (for tests).
    fn reset(&mut self, whole: bool) {
        self.lo = 0;
        self.hi = 0;
        self.whole = whole;
    }

    /// Upper and lower envelope (half-width `r`) of the window of `m`
    /// points at `p`.
    fn window(&mut self, x: &[f64], r: usize, m: usize, p: usize) -> (&[f64], &[f64]) {
        if p < self.lo || p >= self.hi {
            let n = x.len();
            let (lo, hi) = if self.whole { (0, n + 1 - m) } else { (p, (p + ENV_PIECE).min(n + 1 - m)) };
            let len = hi - lo + m - 1;
            if self.du.len() < len {
                self.du.resize(len, 0.0);
                self.dl.resize(len, 0.0);
            }
            let (du, dl) = (&mut self.du[..len], &mut self.dl[..len]);
            if self.whole {
                envelope(x, r, du, dl);
            } else {
                envelope_part(x, r, p, du, dl, &mut self.work);
            }
            self.lo = lo;
            self.hi = hi;
        }
        let off = p - self.lo;
        (&self.du[off..off + m], &self.dl[off..off + m])
    }
}

/// `strategy` bit of [`search`]: LB_Kim one window at a time (the path of
/// the last window of an odd block), not two.
pub const SCALAR_KIM: u32 = 4;
/// `strategy` bit of [`search`]: DTWs without pruning cells (see
/// `dtw_rest`).
pub const UNPRUNED_DTW: u32 = 8;
/// `strategy` bit of [`search`]: the data envelope over the whole series
/// at once, with `bounds::envelope`'s monotonic deque.
pub const WHOLE_ENVELOPE: u32 = 16;
/// `strategy` bit of [`search`] and `search_dims`: at the start of every
/// block of [`RESET`] window starts, exchange `T` with the host
/// ([`Spaced::share`]): for the parts of one search that run at once on
/// several threads, so that a bound found in one part prunes the others
/// within a block.
pub const SHARED_BOUND: u32 = 32;

/// Splits a buffer into three equal parts.
fn split3(b: &mut [f64]) -> (&mut [f64], &mut [f64], &mut [f64]) {
    let n = b.len() / 3;
    let (a, rest) = b.split_at_mut(n);
    let (b, c) = rest.split_at_mut(n);
    (a, b, c)
}

/// The pruning threshold `tq` for the current `T` (of the distances kept,
/// [`Keep`], see [`widen`]), recomputed only when `T` changes.
struct Threshold {
    sq: bool,
    normalize: bool,
    keep: Keep,
    slack: f64,
    m: usize,
    seen: f64,
    /// `keep.at(seen)`, and the pruning threshold for it.
    kept: f64,
    tq: f64,
}

impl Threshold {
    #[inline(always)]
    fn at(&mut self, t: f64) -> f64 {
        if t != self.seen {
            self.seen = t;
            self.kept = self.keep.at(t);
            let tp = self.kept * self.slack;
            self.tq = if self.normalize { widen(self.sq, tp, self.m) } else { tp };
        }
        self.tq
    }
}

/// Running sums of the windows `p0..p1` (`p0` from scratch: the start of a
/// block), then their means, standard deviations and the inverses of
/// these, exactly as [`norm`] and `1 / std` give them, at `p - p0`.
#[inline(never)]
#[allow(clippy::too_many_arguments)]
fn block_norms(
    x: &[f64],
    m: usize,
    p0: usize,
    p1: usize,
    normalize: bool,
    mean: &mut [f64],
    std: &mut [f64],
    inv: &mut [f64],
) {
    let nb = p1 - p0;
    if !normalize {
        mean[..nb].iter_mut().for_each(|v| *v = 0.0);
        std[..nb].iter_mut().for_each(|v| *v = 1.0);
        inv[..nb].iter_mut().for_each(|v| *v = 1.0);
        return;
    }
    // The sums, in `mean` and `std` for now.
    let (mut s1, mut s2) = sums(&x[p0..p0 + m]);
    mean[0] = s1;
    std[0] = s2;
    let (new, old) = (&x[p0 + m..p1 + m - 1], &x[p0..p1 - 1]);
    for (i, (&xn, &xo)) in new.iter().zip(old).enumerate() {
        s1 = s1 + xn - xo;
        s2 = s2 + xn * xn - xo * xo;
        mean[i + 1] = s1;
        std[i + 1] = s2;
    }
    let mf = f64x2_splat(m as f64);
    let flat = f64x2_splat(FLAT);
    let one = f64x2_splat(1.0);
    let mut i = 0;
    while i < nb {
        // SAFETY: i + 1 < RESET <= the buffers' length (lane 1 past `nb`
        // computes a value that is never read).
        unsafe {
            let s1 = v128_load(mean.as_ptr().add(i) as *const v128);
            let s2 = v128_load(std.as_ptr().add(i) as *const v128);
            let mu = f64x2_div(s1, mf);
            let ms = f64x2_div(s2, mf);
            let var = f64x2_sub(ms, f64x2_mul(mu, mu));
            let sd = f64x2_sqrt(var);
            v128_store(mean.as_mut_ptr().add(i) as *mut v128, mu);
            v128_store(std.as_mut_ptr().add(i) as *mut v128, sd);
            v128_store(inv.as_mut_ptr().add(i) as *mut v128, f64x2_div(one, sd));
            let ok = i64x2_bitmask(f64x2_gt(var, f64x2_mul(flat, ms)));
            if ok != 3 {
                // A flat window (rare): zeros.
                for j in i..i + 2 {
                    if ok >> (j - i) & 1 == 0 {
                        mean[j] = 0.0;
                        std[j] = INF;
                        inv[j] = 0.0;
                    }
                }
            }
        }
        i += 2;
    }
}

/// The query's values that LB_Kim uses, in both lanes.
struct KimQuery {
    q0: v128,
    q1: v128,
    q2: v128,
    /// `q[m - 1]`, `q[m - 2]`, `q[m - 3]`.
    y0: v128,
    y1: v128,
    y2: v128,
    m: usize,
}

impl KimQuery {
    fn new(q: &[f64]) -> KimQuery {
        let m = q.len();
        let at = |i: usize| f64x2_splat(if i < m { q[i] } else { 0.0 });
        let back = |i: usize| f64x2_splat(if i < m { q[m - 1 - i] } else { 0.0 });
        KimQuery { q0: at(0), q1: at(1), q2: at(2), y0: back(0), y1: back(1), y2: back(2), m }
    }
}

/// [`lb_kim`] of the windows at `p` and `p + 1` (`m >= 2`), in the two
/// lanes, with the same operations in the same order: the bit of a lane
/// is set when its bound exceeds `tq`. Stops once both have.
///
/// # Safety
/// `p + m < x.len()`; `mean` and `inv` are the windows' values.
#[inline(always)]
unsafe fn kim2<const SQ: bool>(x: &[f64], p: usize, kq: &KimQuery, mean: v128, inv: v128, tq: f64) -> u8 {
    let m = kq.m;
    let tqv = f64x2_splat(tq);
    let base = x.as_ptr().add(p);
    let z = |i: usize| f64x2_mul(f64x2_sub(v128_load(base.add(i) as *const v128), mean), inv);
    let c = |a: v128, b: v128| {
        let d = f64x2_sub(a, b);
        if SQ {
            f64x2_mul(d, d)
        } else {
            f64x2_abs(d)
        }
    };
    let min = |a: v128, b: v128| f64x2_pmin(a, b);
    let over = |lb: v128| i64x2_bitmask(f64x2_gt(lb, tqv));
    let (x0, y0) = (z(0), z(m - 1));
    let mut lb = f64x2_add(c(x0, kq.q0), c(y0, kq.y0));
    if m < 6 || over(lb) == 3 {
        return over(lb);
    }
    let x1 = z(1);
    lb = f64x2_add(lb, min(min(c(x1, kq.q0), c(x0, kq.q1)), c(x1, kq.q1)));
    if over(lb) == 3 {
        return 3;
    }
    let y1 = z(m - 2);
    lb = f64x2_add(lb, min(min(c(y1, kq.y0), c(y0, kq.y1)), c(y1, kq.y1)));
    if over(lb) == 3 {
        return 3;
    }
    let x2 = z(2);
    lb = f64x2_add(lb, min(min(min(c(x0, kq.q2), c(x1, kq.q2)), c(x2, kq.q2)), min(c(x2, kq.q1), c(x2, kq.q0))));
    if over(lb) == 3 {
        return 3;
    }
    let y2 = z(m - 3);
    lb = f64x2_add(lb, min(min(min(c(y0, kq.y2), c(y1, kq.y2)), c(y2, kq.y2)), min(c(y2, kq.y1), c(y2, kq.y0))));
    over(lb)
}

/// Candidates and the threshold `T` (see the module documentation).
pub(crate) struct Spaced {
    pub(crate) k: usize,
    pub(crate) spacing: f64,
    /// The candidates kept for a threshold.
    pub(crate) keep: Keep,
    pub(crate) sel: Vec<(f64, usize)>,
    pub(crate) t: f64,
    pub(crate) cands: Vec<(f64, usize)>,
    pub(crate) trim_at: usize,
}

#[inline(always)]
fn min3(a: f64, b: f64, c: f64) -> f64 {
    min(min(a, b), c)
}

#[inline(always)]
fn key_lt(a: (f64, usize), b: (f64, usize)) -> bool {
    a.0 < b.0 || (a.0 == b.0 && a.1 < b.1)
}

impl Spaced {
    /// The top `k`, with an exclusion zone of `ez` points, from the bound
    /// `t0` found elsewhere (`+inf` if none).
    pub(crate) fn new(k: usize, ez: f64, keep: Keep, t0: f64) -> Spaced {
        Spaced {
            k,
            spacing: 2.0 * ez,
            keep,
            sel: Vec::with_capacity(k.min(1024) + 1),
            t: t0,
            cands: Vec::new(),
            trim_at: 4096,
        }
    }

    /// The candidates kept for the final `T`, sorted by (distance, start),
    /// and `T`.
    pub(crate) fn finish(self) -> (Vec<(f64, usize)>, f64) {
        let t = self.t;
        let mut cands = self.cands;
        let tk = self.keep.at(t);
        cands.retain(|c| c.0 <= tk);
        cands.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap().then(a.1.cmp(&b.1)));
        (cands, t)
    }

    /// Offers `T` to the host and takes the host's bound when it is lower
    /// ([`crate::ffi::exchange_bound`]). Any part's `T` bounds the final
    /// k-th match of the whole search (its k spaced windows are windows of
    /// the series), as `t0` does: lowering `T` to it mid-part skips only
    /// windows that a part starting from it would skip.
    pub(crate) fn share(&mut self) {
        self.t = crate::ffi::exchange_bound(self.t);
    }

    #[inline(never)]
    pub(crate) fn offer(&mut self, d: f64, idx: usize) {
        self.cands.push((d, idx));
        let mut conflicts = 0;
        let mut at = 0;
        for (s, e) in self.sel.iter().enumerate() {
            if (e.1 as f64 - idx as f64).abs() < self.spacing {
                conflicts += 1;
                at = s;
            }
        }
        if conflicts == 0 {
            if self.sel.len() < self.k {
                self.sel.push((d, idx));
            } else {
                let mut worst = 0;
                for s in 1..self.sel.len() {
                    if key_lt(self.sel[worst], self.sel[s]) {
                        worst = s;
                    }
                }
                if key_lt((d, idx), self.sel[worst]) {
                    self.sel[worst] = (d, idx);
                }
            }
        } else if conflicts == 1 && key_lt((d, idx), self.sel[at]) {
            self.sel[at] = (d, idx);
        }
        if self.sel.len() == self.k {
            let worst = self.sel.iter().fold(0.0f64, |a, e| max(a, e.0));
            if worst < self.t {
                self.t = worst;
            }
        }
        if self.cands.len() >= self.trim_at {
            let t = self.keep.at(self.t);
            self.cands.retain(|c| c.0 <= t);
            self.trim_at = (2 * self.cands.len()).max(4096);
        }
    }
}

/// Counters, in the order the TypeScript side reads them.
#[derive(Default)]
pub struct Stats {
    pub kim: f64,
    pub keogh_eq: f64,
    pub keogh_ec: f64,
    pub abandoned: f64,
    pub dtw: f64,
}

/// The search of `query` (`1 <= m <= n` points) over `x`, whose first point
/// has absolute index `base`, for `k >= 1` matches with exclusion zone `ez`:
/// the candidates as `(distance, index)` pairs, sorted, and the final bound
/// `T` of the k-th match. `t0` is a bound of the final k-th match known
/// from elsewhere (another part of the series; `+inf` if none): windows
/// above it are skipped. `kernel` runs the DTWs; `strategy` turns fast
/// paths off ([`SCALAR_KIM`], [`UNPRUNED_DTW`], [`WHOLE_ENVELOPE`] bits)
/// and exchanges `T` with the host at every block ([`SHARED_BOUND`]).
/// `f32`: keep the candidates of precision `f32` ([`Keep`]; `x` and
/// `query` hold `f32` values).
///
/// `sq` selects the squared cost. It is a run-time flag (a predictable
/// branch) to keep a single copy of this large loop in the module; LB_Kim,
/// the only scalar cost code, is specialized.
#[allow(clippy::too_many_arguments)]
pub fn search(
    sq: bool,
    x: &[f64],
    query: &[f64],
    window: Option<usize>,
    normalize: bool,
    f32: bool,
    k: usize,
    ez: f64,
    base: usize,
    t0: f64,
    kernel: Kernel,
    strategy: u32,
    st: &mut Stats,
) -> (Vec<(f64, usize)>, f64) {
    let m = query.len();
    let n = x.len();
    let r = window.unwrap_or(m).min(m);
    let nw = n + 1 - m;
    let paired = strategy & SCALAR_KIM == 0;
    let prune = strategy & UNPRUNED_DTW == 0;
    let shared = strategy & SHARED_BOUND != 0;
    DATA_ENV.with(|denv| BUFS.with(|bufs| {
        let mut bufs = bufs.borrow_mut();
        let [qb, envb, tzb, cbb, normb] = &mut *bufs;
        // Query: normalized, its envelope, and the visiting order.
        let (qmean, qstd) = if normalize {
            let (s1, s2) = sums(query);
            norm(s1, s2, m)
        } else {
            (0.0, 1.0)
        };
        let q = qb.take(m, 0.0);
        for (z, &v) in q.iter_mut().zip(query) {
            *z = (v - qmean) / qstd;
        }
        let env = envb.take(2 * m, 0.0);
        let (qu, ql) = env.split_at_mut(m);
        let mut denv = denv.borrow_mut();
        denv.reset(strategy & WHOLE_ENVELOPE != 0);
        envelope_part(q, r, 0, qu, ql, &mut denv.work);
        // LB_Keogh EQ visits the query by the expected terms of its
        // envelope (on the query's own scale when not normalized), EC by
        // `|z|` (a far query point is far from a window's envelope).
        let (zmean, zsd) = {
            let (s1, s2) = sums(q);
            let (mean, sd) = norm(s1, s2, m);
            if sd < INF {
                (mean, sd)
            } else {
                (0.0, 1.0)
            }
        };
        let z = |v: f64| (v - zmean) / zsd;
        let e = |i: usize| expected_term(sq, z(ql[i]), z(qu[i]));
        let visit_eq = Visit::new(q, qu, ql, |b| e(2 * b) + e(2 * b + 1));
        let visit_ec = Visit::new(q, qu, ql, |b| max(q[2 * b].abs(), q[2 * b + 1].abs()));
        let tz = tzb.take(m, 0.0);
        let cb = cbb.take(4 * m + 2, 0.0);
        let (cb1, cb) = cb.split_at_mut(m);
        let (cb2, cb) = cb.split_at_mut(m);
        let (cb, rest) = cb.split_at_mut(m + 1);
        let slack = lb_slack(4 * m);
        let keep = Keep::new(sq, normalize, f32, m, 1, r);
        let mut best = Spaced::new(k, ez, keep, t0);
        let (mean, std, inv) = split3(normb.take(3 * RESET, 0.0));
        let kq = KimQuery::new(q);
        let mut thr = Threshold { sq, normalize, keep, slack, m, seen: f64::NAN, kept: INF, tq: INF };
        let mut same_columns = false;
        let mut p0 = 0;
        while p0 < nw {
            // One block between two recomputations of the running sums.
            let p1 = nw.min(p0 + RESET - (base + p0) % RESET);
            if shared {
                best.share();
            }
            block_norms(x, m, p0, p1, normalize, mean, std, inv);
            let mut p = p0;
            while p < p1 {
                // Windows p and p + 1 through LB_Kim together; the
                // survivors (usually none) one by one through the rest.
                let (count, pass, kim_tq) = if paired && m >= 2 && p + 1 < p1 {
                    let tq = thr.at(best.t);
                    let i = p - p0;
                    // SAFETY: i + 1 < p1 - p0 <= RESET; window p + 1 ends
                    // at p + m < n.
                    let pruned = unsafe {
                        let mv = v128_load(mean.as_ptr().add(i) as *const v128);
                        let iv = v128_load(inv.as_ptr().add(i) as *const v128);
                        if sq {
                            kim2::<true>(x, p, &kq, mv, iv, tq)
                        } else {
                            kim2::<false>(x, p, &kq, mv, iv, tq)
                        }
                    };
                    st.kim += pruned.count_ones() as f64;
                    (2, !pruned & 3, tq)
                } else {
                    (1, 1, f64::NAN)
                };
                for lane in 0..count {
                    if pass >> lane & 1 == 0 {
                        continue;
                    }
                    let p = p + lane;
                    let i = p - p0;
                    let (mean, std, inv) = (mean[i], std[i], inv[i]);
                    let tq = thr.at(best.t);
                    let t = thr.kept;
                    let w = &x[p..p + m];
                    // LB_Kim unless kim2 passed the window at this very
                    // threshold (the window in lane 0 may have lowered it
                    // since): the counts are those of a window-by-window
                    // pipeline.
                    if tq != kim_tq {
                        let kim = if sq {
                            lb_kim::<true>(w, q, mean, inv, tq)
                        } else {
                            lb_kim::<false>(w, q, mean, inv, tq)
                        };
                        if kim > tq {
                            st.kim += 1.0;
                            continue;
                        }
                    }
                    let lb1 = if sq {
                        keogh_eq::<true>(w, &visit_eq, qu, ql, mean, inv, tq, cb1)
                    } else {
                        keogh_eq::<false>(w, &visit_eq, qu, ql, mean, inv, tq, cb1)
                    };
                    if lb1 > tq {
                        st.keogh_eq += 1.0;
                        continue;
                    }
                    let (du, dl) = denv.window(x, r, m, p);
                    let lb2 = if sq {
                        keogh_ec::<true>(du, dl, &visit_ec, q, mean, inv, tq, cb2)
                    } else {
                        keogh_ec::<false>(du, dl, &visit_ec, q, mean, inv, tq, cb2)
                    };
                    if lb2 > tq {
                        st.keogh_ec += 1.0;
                        continue;
                    }
                    rest_bound(cb1, cb2, r, cb, rest);
                    normalized(w, mean, std, tz);
                    // Every DTW of the search has the query as its columns.
                    let d = dtw_rest(tz, q, window, sq, t, rest, tq, prune, same_columns, kernel);
                    same_columns = true;
                    if d <= t {
                        st.dtw += 1.0;
                        best.offer(d, base + p);
                    } else {
                        st.abandoned += 1.0;
                    }
                }
                p += count;
            }
            p0 = p1;
        }
        best.finish()
    }))
}
