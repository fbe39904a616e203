//! `topK` for multivariate series (dependent DTW) and in `f32`: the `k`
//! patterns nearest to a reference, with exactly the distances and the
//! order (ties by index) of computing every DTW with `dtw_dims` in that
//! precision and sorting.
//!
//! Candidates are visited by increasing lower bound ([`Visit`]), LB_Kim
//! plus LB_Keogh EQ (the patterns against the reference's envelope, one
//! per dimension for all patterns): a bound above the current k-th best
//! prunes the candidate and every later one. A candidate about to run is
//! bounded again with LB_Keogh EC as well (the reference against the
//! pattern's envelope: an envelope per pattern and dimension, which under a
//! narrow band costs more than the DTW itself, so only for these). The
//! others run in groups of one length through the lanes of `lanes.rs`, or
//! alone through `stripes.rs`, abandoning once their rows prove the
//! distance must exceed the k-th best (see [`Rest`]).
//!
//! # The bounds are lower bounds of DTW_D
//! For any warping path `P` of `a` and `b` (`d` dimensions),
//! `Σ_{(i,j) ∈ P} Σ_k c(a_i[k], b_j[k]) = Σ_k Σ_{(i,j) ∈ P} c(a_i[k],
//! b_j[k]) >= Σ_k DTW(a_k, b_k)`, because `P` is a warping path of each
//! pair of dimensions `(a_k, b_k)` too (same band). Taking the best `P`:
//! `DTW_D(a, b) >= Σ_k DTW(a_k, b_k)` (dependent DTW is at least
//! independent DTW). So any univariate lower bound of each dimension,
//! summed over the dimensions, is a lower bound of DTW_D: here LB_Kim plus
//! the larger of the two LB_Keogh sums of each dimension (`bounds.rs`), and
//! for abandoning, the bounds of the rows still to come (`rest_bound`),
//! each summed over the dimensions. The tests check the prunings against
//! brute force.
//!
//! # The bounds hold for the values as computed
//! The bounds are computed in `f64` from the inputs (for `f32`, from the
//! `f32` values, converted exactly), and bound the exact real DTW `D` of
//! those inputs up to the rounding of their own sums; the kernels return
//! a rounded value `D'`. A candidate is dropped only when a bound proves
//! `D' > T` (the current k-th best `D'`, or the cutoff):
//!
//! * `f64` (`ε = 2^-53`): along the path the recurrence followed, each
//!   cell cost is rounded at most `d + 2` times and each of the `L <= n +
//!   m` additions once, each with relative error `<= ε`, so `D' >= (1 -
//!   (L + d + 2)ε) D` (underflow aside, as in `top_k.rs`); the bounds'
//!   own sums (at most `n + m + d` terms) err by a relative `(n + m +
//!   d)ε`. `lb_slack(n + m + d)`, eight times both, covers them: a bound
//!   `lb > T · slack` proves `D' > T`.
//! * `f32` (`u = 2^-24`): the same argument with `u` gives `D' >= F · D -
//!   A`, with `F = (1 - u)^(L + d + 2) >= 1 - (L + d + 2)u` and `A` the
//!   underflow of the squares (`f32` squares below `2^-126` lose up to
//!   `2^-150` each; `A = L · d · 2^-149`, and `0` for `|x - y|`, whose
//!   differences and sums are exact in the subnormal range). So a bound
//!   scaled to `lb · F > (T + A) · slack` proves `D' > T`. The minimum is
//!   exact and `fl(c + x) >= x` for `c >= 0`, so a row's minimum never
//!   exceeds the final value: abandoning on the row minimum alone needs
//!   no margin, and with the rest of the rows, `(min + rest) · F > (T +
//!   A) · slack` proves it as above.

use crate::batch::{Patterns, LANES, MIN_GROUP};
use crate::best::{Best, TopKStats, Visit};
use crate::bounds::{band_w, keogh_ec, kim_eq, lb_slack, rest_bound, Envelopes};
use crate::num::max;
use crate::dtw::Kernel;
use crate::lanes::{group, LaneTable};
use crate::prec::{Prec, F32, F64};
use crate::stripes::{dtw_dims, Rest, Table};

/// How the bounds of one precision become bounds of its computed values.
pub trait Margins: Prec {
    /// `(F, A)` of the module documentation for paths of at most `len`
    /// cells of `d` values: a lower bound `lb` of the exact distance gives
    /// `lb · F - A` of the computed one, up to `lb_slack`.
    fn margins(sq: bool, len: usize, d: usize) -> (f64, f64);
}

impl Margins for F64 {
    fn margins(_sq: bool, _len: usize, _d: usize) -> (f64, f64) {
        (1.0, 0.0)
    }
}

impl Margins for F32 {
    fn margins(sq: bool, len: usize, d: usize) -> (f64, f64) {
        let u = 1.0 / (1u64 << 24) as f64;
        let f = 1.0 - 1.01 * (len + d + 2) as f64 * u;
        let a = if sq { (len * d) as f64 * (2.0f64).powi(-149) } else { 0.0 };
        (f.max(0.0), a)
    }
}

/// Which kernels run the DTWs (the `strategy` of `top_k_dims_f64` and
/// `top_k_dims_f32`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// Groups of at least `MIN_GROUP` candidates of one length in the
    /// lanes, the others alone.
    Auto,
    /// Every candidate alone, through `dtw_dims`.
    Pairs,
    /// Candidates of one length in groups of up to `LANES`, however few.
    Lanes,
}

/// The values of dimension `k` of a series of `d` values per point, as
/// `f64`, into `out`.
fn dimension<P: Prec>(x: &[P::E], d: usize, k: usize, out: &mut Vec<f64>) {
    out.clear();
    out.extend(x.iter().skip(k).step_by(d).map(|&v| P::to_f64(v)));
}

/// Adds to `rest` (`a.len() + 1` entries) the bound of the rows of `a`
/// still to come against `b`, one dimension of each (see `rest_bound`);
/// `one` is scratch.
fn add_rest(sq: bool, a: &[f64], b: &[f64], w: usize, one: &mut Vec<f64>, rest: &mut [f64]) {
    one.resize(a.len() + 1, 0.0);
    rest_bound(sq, a, b, w, one);
    for (x, &y) in rest.iter_mut().zip(one.iter()) {
        *x += y;
    }
}

/// `topK` in the `dims` forms (see the module documentation): writes up to
/// `k` indices and distances, sorted by (distance, index), and returns how
/// many.
#[allow(clippy::too_many_arguments)]
pub fn top_k_dims<P: LaneTable + Table + Margins>(
    sq: bool,
    r: &[P::E],
    pats: &Patterns<P::E>,
    k: usize,
    window: Option<usize>,
    cutoff: f64,
    strategy: Strategy,
    out_idx: &mut [u32],
    out_dist: &mut [f64],
    stats: &mut TopKStats,
) -> usize {
    let d = pats.dims;
    let n = r.len() / d;
    let reference: Vec<Vec<f64>> = (0..d)
        .map(|j| {
            let mut x = Vec::new();
            dimension::<P>(r, d, j, &mut x);
            x
        })
        .collect();
    let dim = |i: usize, j: usize, out: &mut Vec<f64>| dimension::<P>(pats.get(i), d, j, out);
    let mut lanes = |ids: &[usize], t: f64, bound: &Rest, res: &mut [f64; LANES]| {
        let mut out = [P::ZERO; LANES];
        group::<P>(r, pats, ids, window, sq, t, Some(bound), Kernel::Auto, &mut out);
        for (x, &y) in res.iter_mut().zip(out.iter()) {
            *x = P::to_f64(y);
        }
    };
    let mut pair = |c: usize, t: f64, bound: Option<&Rest>| {
        // The rows are the longer series (the one `bound` bounds).
        let p = pats.get(c);
        let (a, b) = if n >= pats.points(c) { (r, p) } else { (p, r) };
        P::to_f64(dtw_dims::<P>(a, b, d, window, sq, t, bound, Kernel::Auto))
    };
    let q = Query {
        sq,
        reference: &reference,
        count: pats.len(),
        points: &|i| pats.points(i),
        dim: &dim,
        k,
        window,
        cutoff,
        strategy,
        margins: P::margins,
    };
    q.run(&mut lanes, &mut pair, out_idx, out_dist, stats)
}

/// A `topK` query in the `dims` forms, apart from the precision: the
/// bounds, the order and the visit, compiled once for both precisions.
struct Query<'a> {
    sq: bool,
    /// The reference, one `f64` vector per dimension.
    reference: &'a [Vec<f64>],
    count: usize,
    /// Points of pattern `i`.
    points: &'a dyn Fn(usize) -> usize,
    /// Dimension `j` of pattern `i`, as `f64`, into the vector.
    dim: &'a dyn Fn(usize, usize, &mut Vec<f64>),
    k: usize,
    window: Option<usize>,
    cutoff: f64,
    strategy: Strategy,
    margins: fn(bool, usize, usize) -> (f64, f64),
}

/// Runs up to `LANES` patterns of one length at a threshold, bounded.
type Lanes<'a> = dyn FnMut(&[usize], f64, &Rest, &mut [f64; LANES]) + 'a;
/// Runs one pattern at a threshold, bounded when it is not empty.
type Pair<'a> = dyn FnMut(usize, f64, Option<&Rest>) -> f64 + 'a;

impl<'a> Query<'a> {
    fn run(
        &self,
        lanes: &mut Lanes,
        pair: &mut Pair,
        out_idx: &mut [u32],
        out_dist: &mut [f64],
        stats: &mut TopKStats,
    ) -> usize {
        let (sq, count, window) = (self.sq, self.count, self.window);
        if self.k == 0 {
            return 0;
        }
        let d = self.reference.len();
        let n = self.reference[0].len();
        let mut envs: Vec<Envelopes> = (0..d).map(|_| Envelopes::new()).collect();
        let mut pk = Vec::new();
        // LB_Kim and LB_Keogh EQ of every pattern, summed over the
        // dimensions; EQ of each dimension kept for the refinement.
        let mut kim = vec![0.0; count];
        let mut lb = vec![0.0; count];
        let mut eq = vec![0.0; count * d];
        let mut maxlen = 0;
        for i in 0..count {
            for (j, env) in envs.iter_mut().enumerate() {
                (self.dim)(i, j, &mut pk);
                let (a, b) = kim_eq(sq, &self.reference[j], &pk, window, env);
                kim[i] += a;
                eq[i * d + j] = b;
                lb[i] += b;
            }
            lb[i] += kim[i];
            maxlen = maxlen.max((self.points)(i));
        }
        let slack = lb_slack(n + maxlen + d);
        let (scale, margin) = (self.margins)(sq, n + maxlen, d);
        let kim_raw = kim.clone();
        for (a, b) in kim.iter_mut().zip(lb.iter_mut()) {
            *a *= scale;
            *b *= scale;
        }
        // The full bound, computed for candidates about to run: LB_Kim plus
        // the larger LB_Keogh of each dimension (EQ or EC, whose envelope
        // per pattern costs more than the DTW under a narrow band).
        let mut pe = Vec::new();
        let refine = |c: usize| {
            let mut keogh = 0.0;
            for (j, rj) in self.reference.iter().enumerate() {
                (self.dim)(c, j, &mut pe);
                keogh += max(eq[c * d + j], keogh_ec(sq, rj, &pe, window));
            }
            (kim_raw[c] + keogh) * scale
        };
        let mut order: Vec<usize> = (0..count).collect();
        order.sort_by(|&a, &b| lb[a].partial_cmp(&lb[b]).unwrap().then(a.cmp(&b)));
        let min_group = match self.strategy {
            Strategy::Auto => MIN_GROUP,
            Strategy::Pairs => usize::MAX,
            Strategy::Lanes => 1,
        };
        let visit = Visit { order: &order, lb: &lb, kim: &kim, min_group, cutoff: self.cutoff, slack, margin };
        let mut best = Best::new(self.k);
        let (mut one, mut rest, mut lanes_rest) = (Vec::new(), Vec::new(), Vec::new());
        let in_lanes = |ids: &[usize], t: f64, tp: f64, res: &mut [f64; LANES]| {
            // Per-lane bounds of the rows still to come, for abandoning.
            let w = band_w(window, n, (self.points)(ids[0]));
            lanes_rest.clear();
            lanes_rest.resize((n + 1) * LANES, 0.0);
            for lane in 0..LANES {
                let id = ids[if lane < ids.len() { lane } else { 0 }];
                rest.clear();
                rest.resize(n + 1, 0.0);
                for (j, rj) in self.reference.iter().enumerate() {
                    (self.dim)(id, j, &mut pk);
                    add_rest(sq, rj, &pk, w, &mut one, &mut rest);
                }
                for (i, &x) in rest.iter().enumerate() {
                    lanes_rest[i * LANES + lane] = x;
                }
            }
            lanes(ids, t, &Rest { rest: &lanes_rest, lanes: LANES, scale, cut: tp }, res);
        };
        let (mut one2, mut rest2, mut pk2) = (Vec::new(), Vec::new(), Vec::new());
        let alone = |c: usize, t: f64, tp: f64| {
            let m = (self.points)(c);
            if m == 0 || n == 0 {
                return pair(c, t, None);
            }
            // Rows are the longer series; bound its rows still to come.
            let w = band_w(window, n, m);
            rest2.clear();
            rest2.resize(n.max(m) + 1, 0.0);
            for (j, rj) in self.reference.iter().enumerate() {
                (self.dim)(c, j, &mut pk2);
                let (a, b) = if n >= m { (rj, &pk2) } else { (&pk2, rj) };
                add_rest(sq, a, b, w, &mut one2, &mut rest2);
            }
            pair(c, t, Some(&Rest { rest: &rest2, lanes: 1, scale, cut: tp }))
        };
        let length = |c: usize| if n == 0 { 0 } else { (self.points)(c) };
        visit.run(length, &mut best, stats, refine, in_lanes, alone);
        let mut all = best.into_sorted();
        all.truncate(self.k);
        for (e, (oi, od)) in all.iter().zip(out_idx.iter_mut().zip(out_dist.iter_mut())) {
            *oi = e.1 as u32;
            *od = e.0;
        }
        all.len()
    }
}
