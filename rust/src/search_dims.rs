//! Subsequence search of multivariate series (`d >= 2` values per point,
//! point-major): the best windows under the dependent (DTW_D) or the
//! independent (DTW_I) multivariate DTW (Shokoohi-Yekta et al., 2017),
//! with exact results. The univariate search (`search.rs`) is untouched:
//! this file shares its threshold and candidates ([`Spaced`], [`Keep`]),
//! its running-sum normalization ([`norm`], [`sums`], [`RESET`]) and its
//! counters ([`Stats`]).
//!
//! Each window, in order:
//!
//! 1. online z-normalization of **each dimension** separately: running
//!    sums of `x` and `x²` per dimension, recomputed from scratch at every
//!    window start that is a multiple of [`RESET`] (absolute index), as
//!    the univariate search does; the normalized value of dimension `k` of
//!    window point `i` is `z(i, k) = (x - mean_k) * (1 / std_k)`;
//! 2. LB_Kim: the costs of the first and of the last points, summed over
//!    the dimensions, then of the cheapest cell of each of the layers of
//!    cells next to them (UCR Suite's hierarchical LB_Kim: [`LAYER1`],
//!    [`LAYER2`]; for DTW_D the cheapest cell by its cost summed over the
//!    dimensions, for DTW_I each dimension's cheapest cell);
//! 3. LB_Keogh EQ: each point of the window against the envelope of the
//!    query over its band, per dimension, summed over the dimensions,
//!    visiting the rows by decreasing `Σ_k |q_ik|` and abandoning once the
//!    sum exceeds the threshold;
//! 4. LB_Keogh EC: each point of the query against the envelope of the
//!    window's points over its band (from the envelope of the series,
//!    computed per block of windows when one of them first gets here),
//!    per dimension, summed over the dimensions, abandoning likewise;
//! 5. the DTW, abandoning early: DTW_D through `stripes::dtw_dims` with the
//!    bound of the rows still to come ([`rest_bound`]: the larger of the EQ
//!    terms of those rows and the EC terms of the columns they alone can
//!    reach, summed over the dimensions); DTW_I as one univariate
//!    `dtw_rest` per dimension with its own rows' bound, each abandoned
//!    against the budget that the dimensions before it left and the
//!    bounds of the dimensions after it.
//!
//! The bounds and the DTW see the same values `z(i, k)`, so the bounds are
//! lower bounds of the DTW of exactly those values (up to the rounding of
//! sums, which `lb_slack` covers). The distances of a normalized search are
//! those of running-sum normalization; the TypeScript side ranks the
//! candidates within the tie tolerance by their exact (two-pass)
//! distances, as for the univariate search. Without normalization
//! `z = x`, and the distances are exactly those of `dtw_dims_f64` (DTW_D)
//! or of the sum, in index order, of `dtw_f64` per dimension (DTW_I).
//!
//! # The bounds are lower bounds
//! Write `c(x, y)` for the cost (`|x - y|` or `(x - y)²`), `a_i` the
//! window's normalized points and `b_j` the query's, `r` the band (`|i - j|
//! <= r` for every cell of a path; the window and the query have the same
//! length `m`). A warping path `P` starts at `(0, 0)`, ends at `(m - 1, m -
//! 1)`, and has at least one cell in every row `i`.
//!
//! * **Dependent.** `DTW_D(a, b) = min_P Σ_{(i,j) ∈ P} Σ_k c(a_i[k],
//!   b_j[k])`. The cells `(0, 0)` and `(m - 1, m - 1)` are on every path
//!   (two cells when `m > 1`, one when `m = 1`), and every cost is `>= 0`,
//!   so `DTW_D >= Σ_k c(a_0[k], b_0[k]) + Σ_k c(a_{m-1}[k], b_{m-1}[k])`:
//!   LB_Kim summed over the dimensions. For `m >= 6` every path also has a
//!   cell in each of the four layers `max(i, j) = 1`, `max(i, j) = 2`,
//!   `min(i, j) = m - 2`, `min(i, j) = m - 3` (a path moves by steps of at
//!   most one in `i` and `j`), which are disjoint from each other and from
//!   the corners, so `DTW_D` is at least the corners plus, for each layer,
//!   the least over its cells of `Σ_k c(a_i[k], b_j[k])`. For LB_Keogh, let `U_k[i]` and
//!   `L_k[i]` be the maximum and minimum of `b_j[k]` over `|i - j| <= r`.
//!   A path's cell `(i, j)` has `j` in that range, so `c(a_i[k], b_j[k])
//!   >= e_k(i)`, the cost of `a_i[k]` to the interval `[L_k[i], U_k[i]]`
//!   (zero inside). Choosing one cell of `P` in each row `i`, `Σ_{(i,j) ∈
//!   P} Σ_k c(a_i[k], b_j[k]) >= Σ_i Σ_k e_k(i) = Σ_k LB_Keogh_k`, for
//!   every path, hence for the best: `DTW_D >= Σ_k LB_Keogh_k`. The same
//!   argument over the rows `>= i` only gives the bound of the rows still
//!   to come, `rest[i] = Σ_{i' >= i} Σ_k e_k(i')`, which the DTW adds to
//!   the minimum of its last row to abandon. LB_Keogh EC swaps the roles:
//!   with `U'_k[j]` and `L'_k[j]` the maximum and minimum of `a_i[k]` over
//!   `|i - j| <= r` (taken here over a range of the series that contains
//!   those points, which can only widen the interval), every path has a
//!   cell `(i, j)` in every column `j`, whose cost is at least the cost of
//!   `b_j[k]` to `[L'_k[j], U'_k[j]]`, summed over `k`; so `DTW_D >=
//!   Σ_k LB_Keogh EC_k`. (The envelope of the raw series normalizes to
//!   that of the normalized one: `(x - mean) * inv` is monotone in `x`
//!   for `inv >= 0`, also as rounded.) The cells of a column `j >= i + r`
//!   lie in rows `>= i`, so the EC terms of those columns also bound the
//!   rows `>= i`.
//! * **Independent.** `DTW_I(a, b) = Σ_k DTW(a[k], b[k])`, each term the
//!   univariate DTW of one dimension with the same band. The univariate
//!   arguments above give `DTW(a[k], b[k]) >= c(a_0[k], b_0[k]) + c(a_{m-1}
//!   [k], b_{m-1}[k])` (one term when `m = 1`) plus, for `m >= 6`, the
//!   least `c(a_i[k], b_j[k])` over each layer's cells, and `DTW(a[k], b[k]) >=
//!   LB_Keogh_k = Σ_i e_k(i)`, and likewise `>=` its LB_Keogh EC; summing
//!   over `k`, `DTW_I >= ` LB_Kim summed over the dimensions, `DTW_I >= Σ_k
//!   LB_Keogh_k` and `DTW_I >= Σ_k LB_Keogh EC_k`. When dimension `k` runs,
//!   the dimensions before it are computed (`acc`) and those after it are
//!   bounded by `later = Σ_{k' > k} max(LB_Keogh_{k'}, LB_Keogh EC_{k'})`: `DTW_I >= acc +
//!   DTW(a[k], b[k]) + later`, so dimension `k` may abandon once its own
//!   bound exceeds `T - acc - later` (with a margin for the rounding of
//!   that difference), with its own rows' bound ([`rest_bound`] of
//!   dimension `k` alone).
//!
//! (Also: `DTW_D >= DTW_I`, since a path of DTW_D is a path of every
//! dimension, so the independent bounds are bounds of DTW_D too.)

use crate::bounds::{env_cost, envelope, lb_slack};
use crate::dtw::{dtw_rest, Kernel};
use crate::num::{cost, max, min};
use crate::prec::F64;
use crate::search::{expected_term, norm, sums, Keep, Spaced, Stats, RESET};
use crate::stripes::{dtw_dims, Rest};

/// The search of `query` (`m` points of `d >= 2` values, `1 <= m <= n`)
/// over `x` (`n` points of `d` values, point-major), whose first point has
/// absolute index `base`, for `k >= 1` matches with exclusion zone `ez`,
/// under DTW_D, or DTW_I when `independent`: the candidates as `(distance,
/// index)` pairs, sorted, and the final bound `T` of the k-th match. `t0`
/// is a bound of the final k-th match known from elsewhere (`+inf` if
/// none). The tie tolerance of a normalized search ([`Keep`]) is that of a
/// univariate query of `m · d` points; `f32`: keep the candidates of
/// precision `f32` (`x` and `query` hold `f32` values). `shared`: exchange
/// `T` with the host at every block of [`RESET`] window starts
/// ([`Spaced::share`], as `search`'s `SHARED_BOUND`).
#[allow(clippy::too_many_arguments)]
pub fn search_dims(
    sq: bool,
    independent: bool,
    x: &[f64],
    query: &[f64],
    d: usize,
    window: Option<usize>,
    normalize: bool,
    f32: bool,
    k: usize,
    ez: f64,
    base: usize,
    t0: f64,
    shared: bool,
    st: &mut Stats,
) -> (Vec<(f64, usize)>, f64) {
    let s = Search::new(sq, query, d, window, normalize);
    let m = query.len() / d;
    let keep = Keep::new(sq, normalize, f32, m, d, window.unwrap_or(m).min(m));
    if sq {
        s.run::<true>(independent, x, k, ez, base, t0, shared, keep, st)
    } else {
        s.run::<false>(independent, x, k, ez, base, t0, shared, keep, st)
    }
}

/// The mean and `1 / std` of a dimension of a window from its sums, as
/// [`norm`] gives them (a flat dimension gets `(0, 0)`: all zeros). Not
/// inlined: vectorized over the dimensions, its select would become a
/// `v128.bitselect`, which `build_wasm.ts` refuses.
#[inline(never)]
fn mean_inv(s1: f64, s2: f64, m: usize) -> (f64, f64) {
    let (mean, sd) = norm(s1, s2, m);
    (mean, 1.0 / sd)
}

/// The cells `(i, j)` (window point, query point) with `max(i, j) = 1` and
/// `max(i, j) = 2`: every warping path crosses each of these layers, and
/// their mirrors `(m - 1 - i, m - 1 - j)` at the end; for `m >= 6` the four
/// layers and the two corners are disjoint (UCR Suite's hierarchical
/// LB_Kim).
const LAYER1: [(usize, usize); 3] = [(1, 0), (0, 1), (1, 1)];
const LAYER2: [(usize, usize); 5] = [(2, 0), (2, 1), (2, 2), (1, 2), (0, 2)];

/// The bound of the rows still to come for the DTW of the dimensions `dims`
/// (all of them for DTW_D, one for a dimension of DTW_I): `rest[i]` is the
/// larger of the LB_Keogh EQ terms of rows `>= i` (`eq[i * d + k]`, per
/// window point, i.e. row) and of the EC terms of columns `>= i + r`
/// (`ec[j * d + k]`, per query point, i.e. column), summed over `dims`. A
/// path's cells in rows `>= i` include one in every row `>= i`, and one in
/// every column `j >= i + r` (a cell of column `j` has a row `>= j - r`),
/// so both sums bound their cost (see the module documentation). `cs` is
/// scratch (`m + 1` values, as `rest`).
fn rest_bound(eq: &[f64], ec: &[f64], d: usize, dims: std::ops::Range<usize>, r: usize, cs: &mut [f64], rest: &mut [f64]) {
    let m = rest.len() - 1;
    let term = |x: &[f64], i: usize| dims.clone().map(|k| x[i * d + k]).sum::<f64>();
    cs[m] = 0.0;
    for j in (0..m).rev() {
        cs[j] = cs[j + 1] + term(ec, j);
    }
    rest[m] = 0.0;
    let mut rows = 0.0;
    for i in (0..m).rev() {
        rows += term(eq, i);
        rest[i] = max(rows, cs[(i + r).min(m)]);
    }
}

/// The upper and lower envelope of the series over `[j - r, j + r]` (within
/// the series), per dimension, for the points of the windows of one block
/// of [`RESET`] starts: point `j` at `(j - from) * d + k`. Wider than the
/// window's own envelope at its ends (the window's points are a part of the
/// range), which only loosens the bound.
struct BlockEnvelope {
    block: usize,
    from: usize,
    up: Vec<f64>,
    lo: Vec<f64>,
}

impl BlockEnvelope {
    /// Computes the envelope of the points of the windows of block `block`
    /// (window starts `block * RESET - base ..`, within the series).
    fn fill(&mut self, x: &[f64], d: usize, m: usize, r: usize, base: usize, block: usize) {
        let n = x.len() / d;
        let nw = n + 1 - m;
        let p0 = (block * RESET).saturating_sub(base);
        let p1 = ((block + 1) * RESET - base).min(nw);
        // The points the windows touch, and r more on each side.
        let (a, e) = (p0.saturating_sub(r), (p1 + m - 1 + r).min(n));
        let len = e - a;
        let (mut col, mut u, mut l) = (vec![0.0; len], vec![0.0; len], vec![0.0; len]);
        self.up.resize((p1 + m - 1 - p0) * d, 0.0);
        self.lo.resize((p1 + m - 1 - p0) * d, 0.0);
        for k in 0..d {
            for (i, c) in col.iter_mut().enumerate() {
                *c = x[(a + i) * d + k];
            }
            envelope(&col, r, &mut u, &mut l);
            for j in p0..p1 + m - 1 {
                self.up[(j - p0) * d + k] = u[j - a];
                self.lo[(j - p0) * d + k] = l[j - a];
            }
        }
        self.block = block;
        self.from = p0;
    }
}

/// The query of a search, normalized, with its envelopes.
struct Search {
    d: usize,
    m: usize,
    window: Option<usize>,
    normalize: bool,
    /// The normalized query, point-major (`qp[j * d + k]`) and dimension by
    /// dimension (`qd[k * m + j]`).
    qp: Vec<f64>,
    qd: Vec<f64>,
    /// Upper and lower envelope of each dimension over the band,
    /// point-major.
    qu: Vec<f64>,
    ql: Vec<f64>,
    /// Rows in the order LB_Keogh visits them.
    order: Vec<usize>,
}

impl Search {
    fn new(sq: bool, query: &[f64], d: usize, window: Option<usize>, normalize: bool) -> Search {
        let m = query.len() / d;
        let r = window.unwrap_or(m).min(m);
        let mut qd = vec![0.0; m * d];
        let mut qp = vec![0.0; m * d];
        let (mut qu, mut ql) = (vec![0.0; m * d], vec![0.0; m * d]);
        let (mut col, mut u, mut l) = (vec![0.0; m], vec![0.0; m], vec![0.0; m]);
        for k in 0..d {
            for (j, c) in col.iter_mut().enumerate() {
                *c = query[j * d + k];
            }
            let (mean, sd) = if normalize {
                let (s1, s2) = sums(&col);
                norm(s1, s2, m)
            } else {
                (0.0, 1.0)
            };
            for j in 0..m {
                let z = (col[j] - mean) / sd;
                qd[k * m + j] = z;
                qp[j * d + k] = z;
            }
            envelope(&qd[k * m..(k + 1) * m], r, &mut u, &mut l);
            for j in 0..m {
                qu[j * d + k] = u[j];
                ql[j * d + k] = l[j];
            }
        }
        // LB_Keogh visits the rows by decreasing expected terms (as the
        // univariate search, `search::expected_term`: the query's envelope
        // against a standard normal point), summed over the dimensions.
        let weight = |i: usize| (0..d).map(|k| expected_term(sq, ql[i * d + k], qu[i * d + k])).sum::<f64>();
        let mut order: Vec<usize> = (0..m).collect();
        order.sort_by(|&a, &b| weight(b).partial_cmp(&weight(a)).unwrap().then(a.cmp(&b)));
        Search { d, m, window, normalize, qp, qd, qu, ql, order }
    }

    #[allow(clippy::too_many_arguments)]
    fn run<const SQ: bool>(
        &self,
        independent: bool,
        x: &[f64],
        k: usize,
        ez: f64,
        base: usize,
        t0: f64,
        shared: bool,
        keep: Keep,
        st: &mut Stats,
    ) -> (Vec<(f64, usize)>, f64) {
        let (d, m, window, normalize) = (self.d, self.m, self.window, self.normalize);
        let n = x.len() / d;
        let nw = n + 1 - m;
        let (qp, qd, qu, ql) = (&self.qp, &self.qd, &self.qu, &self.ql);
        // Bounds and distances are sums of at most 2m terms of d values.
        let slack = lb_slack(4 * m + 2 * d);
        let mut best = Spaced::new(k, ez, keep, t0);
        let (mut s1, mut s2) = (vec![0.0; d], vec![0.0; d]);
        let (mut mean, mut inv) = (vec![0.0; d], vec![1.0; d]);
        let mut col = vec![0.0; m];
        // LB_Keogh terms e_k(i) at terms[i * d + k]; the window normalized
        // (point-major for DTW_D, dimension by dimension for DTW_I).
        let mut terms = vec![0.0; m * d];
        let mut tz = vec![0.0; m * d];
        let mut ec = vec![0.0; m * d];
        let (mut rest, mut cs) = (vec![0.0; m + 1], vec![0.0; m + 1]);
        let mut later = vec![0.0; d + 1];
        let r = window.unwrap_or(m).min(m);
        let mut env = BlockEnvelope { block: usize::MAX, from: 0, up: Vec::new(), lo: Vec::new() };
        // The candidates kept for the threshold `seen` (recomputed when it changes).
        let (mut seen, mut t) = (f64::NAN, f64::INFINITY);
        for p in 0..nw {
            if shared && (p == 0 || (base + p) % RESET == 0) {
                best.share();
            }
            if normalize {
                if p == 0 || (base + p) % RESET == 0 {
                    for kk in 0..d {
                        for (i, c) in col.iter_mut().enumerate() {
                            *c = x[(p + i) * d + kk];
                        }
                        let (a, b) = sums(&col);
                        s1[kk] = a;
                        s2[kk] = b;
                    }
                } else {
                    for kk in 0..d {
                        let (xn, xo) = (x[(p + m - 1) * d + kk], x[(p - 1) * d + kk]);
                        s1[kk] = s1[kk] + xn - xo;
                        s2[kk] = s2[kk] + xn * xn - xo * xo;
                    }
                }
                for kk in 0..d {
                    let (mu, iv) = mean_inv(s1[kk], s2[kk], m);
                    mean[kk] = mu;
                    inv[kk] = iv;
                }
            }
            if best.t != seen {
                seen = best.t;
                t = keep.at(seen);
            }
            let tq = t * slack;
            let w = &x[p * d..(p + m) * d];
            let z = |i: usize, kk: usize| (w[i * d + kk] - mean[kk]) * inv[kk];
            // LB_Kim: the first and the last cell, then (m >= 6) the
            // layers of cells next to them that every path crosses.
            let mut kim = 0.0;
            for kk in 0..d {
                kim += cost::<SQ>(z(0, kk), qp[kk]);
            }
            if m > 1 {
                for kk in 0..d {
                    kim += cost::<SQ>(z(m - 1, kk), qp[(m - 1) * d + kk]);
                }
            }
            if m >= 6 && kim <= tq {
                for (cells, back) in [(&LAYER1[..], false), (&LAYER1[..], true), (&LAYER2[..], false), (&LAYER2[..], true)] {
                    let at = |(a, b): (usize, usize)| if back { (m - 1 - a, m - 1 - b) } else { (a, b) };
                    let c = |(i, j): (usize, usize), kk: usize| cost::<SQ>(z(i, kk), qp[j * d + kk]);
                    kim += if independent {
                        // Each dimension's path crosses the layer in a
                        // cell of its own.
                        (0..d).map(|kk| cells.iter().map(|&x| c(at(x), kk)).fold(f64::INFINITY, min)).sum::<f64>()
                    } else {
                        // One path: one cell, its cost summed over the
                        // dimensions.
                        cells.iter().map(|&x| (0..d).map(|kk| c(at(x), kk)).sum::<f64>()).fold(f64::INFINITY, min)
                    };
                    if kim > tq {
                        break;
                    }
                }
            }
            if kim > tq {
                st.kim += 1.0;
                continue;
            }
            // LB_Keogh EQ, summed over the dimensions.
            let mut lb = 0.0;
            let mut over = false;
            for (c, &i) in self.order.iter().enumerate() {
                for kk in 0..d {
                    let e = env_cost::<SQ>(z(i, kk), ql[i * d + kk], qu[i * d + kk]);
                    terms[i * d + kk] = e;
                    lb += e;
                }
                if c % 8 == 7 && lb > tq {
                    over = true;
                    break;
                }
            }
            if over || lb > tq {
                st.keogh_eq += 1.0;
                continue;
            }
            // LB_Keogh EC, summed over the dimensions: the query against
            // the envelope of the series around the window's points (their
            // block's, computed when a window of the block first gets here).
            let block = (base + p) / RESET;
            if block != env.block {
                env.fill(x, d, m, r, base, block);
            }
            let (up, lo) = (&env.up[(p - env.from) * d..], &env.lo[(p - env.from) * d..]);
            let mut lb = 0.0;
            let mut over = false;
            for (c, &j) in self.order.iter().enumerate() {
                for kk in 0..d {
                    let (u, l) = (up[j * d + kk], lo[j * d + kk]);
                    let e = env_cost::<SQ>(qp[j * d + kk], (l - mean[kk]) * inv[kk], (u - mean[kk]) * inv[kk]);
                    ec[j * d + kk] = e;
                    lb += e;
                }
                if c % 8 == 7 && lb > tq {
                    over = true;
                    break;
                }
            }
            if over || lb > tq {
                st.keogh_ec += 1.0;
                continue;
            }
            let dist = if independent {
                for i in 0..m {
                    for kk in 0..d {
                        tz[kk * m + i] = z(i, kk);
                    }
                }
                later[d] = 0.0;
                for kk in (0..d).rev() {
                    let (mut e, mut f) = (0.0, 0.0);
                    for i in 0..m {
                        e += terms[i * d + kk];
                        f += ec[i * d + kk];
                    }
                    later[kk] = later[kk + 1] + max(e, f);
                }
                let mut acc = 0.0;
                for kk in 0..d {
                    rest_bound(&terms, &ec, d, kk..kk + 1, r, &mut cs, &mut rest);
                    // What this dimension may cost before the sum must
                    // exceed `tq`, widened by the rounding of the
                    // difference (each operation errs by at most
                    // `ε · tq`: every term is at most `tq`).
                    let cut = tq - acc - later[kk + 1] + 4.0 * f64::EPSILON * tq;
                    let a = &tz[kk * m..(kk + 1) * m];
                    let b = &qd[kk * m..(kk + 1) * m];
                    acc += dtw_rest(a, b, window, SQ, t, &rest, cut, true, false, Kernel::Auto);
                    if acc > t || acc + later[kk + 1] > tq {
                        acc = f64::INFINITY;
                        break;
                    }
                }
                acc
            } else {
                for i in 0..m {
                    for kk in 0..d {
                        tz[i * d + kk] = z(i, kk);
                    }
                }
                rest_bound(&terms, &ec, d, 0..d, r, &mut cs, &mut rest);
                let bound = Rest { rest: &rest, lanes: 1, scale: 1.0, cut: tq };
                dtw_dims::<F64>(&tz, qp, d, window, SQ, t, Some(&bound), Kernel::Auto)
            };
            if dist <= t {
                st.dtw += 1.0;
                best.offer(dist, base + p);
            } else {
                st.abandoned += 1.0;
            }
        }
        best.finish()
    }
}
