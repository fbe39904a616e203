//! Subsequence search: the best windows of a long series under
//! (z-normalized) DTW, with the techniques of the UCR Suite (Rakthanmanon
//! et al., KDD 2012) and exact results.
//!
//! For every window start `p` (in order):
//!
//! 1. online z-normalization: running sums of `x` and `x²` give the mean and
//!    standard deviation in `O(1)` (recomputed exactly every [`RESET`]
//!    windows so that rounding cannot drift);
//! 2. hierarchical LB_Kim on the first and last three points;
//!
//! (the bounds of steps 2 to 4 use `(x - mean) * (1 / std)`; the threshold
//! is widened by the most that this can differ from the division, see
//! [`widen`])
//! 3. LB_Keogh of the window against the query envelope (EQ), visiting the
//!    query in blocks of two adjacent points by decreasing `|z|`, so that it
//!    abandons early and every load is contiguous;
//! 4. LB_Keogh of the query against the window's envelope (EC);
//! 5. the larger of the two, accumulated from the end, is carried into an
//!    early-abandoning DTW (the stripe kernel of `dtw.rs`, through
//!    `dtw_rest`).
//!
//! Instead of UCR's single best-so-far this keeps a threshold `T` that is an
//! upper bound of the final k-th match under the exclusion zone `ez`: the
//! largest distance of `k` computed windows whose starts are pairwise at
//! least `2 ez` apart. Any such set bounds the result: a reported match can
//! exclude at most one of them, so greedy selection reports `k` matches no
//! worse than the worst of them. A window is skipped only when a bound shows
//! its distance exceeds `T`; every window with distance `<= T` is returned
//! as a candidate, and the TypeScript side runs the exclusion-zone greedy
//! over them, which gives exactly the brute-force result.

use core::arch::wasm32::*;

use crate::bounds::{env_cost, env_cost2, envelope, lb_slack};
use crate::dtw::{dtw_rest, Kernel};
use crate::memory::Work;
use crate::num::{cost, max, min};
use std::cell::RefCell;

const INF: f64 = f64::INFINITY;
/// The running sums are recomputed from scratch at every window start that
/// is a multiple of `RESET` (absolute index in the series).
pub const RESET: usize = 1024;
/// Windows per chunk of the data envelope.
const CHUNK: usize = 1 << 15;
/// A window whose variance is at most this fraction of its mean square is
/// constant for our purposes: it normalizes to zeros.
const FLAT: f64 = 1e-10;

thread_local! {
    static BUFS: RefCell<[Work; 5]> = RefCell::new([
        Work::new(), Work::new(), Work::new(), Work::new(), Work::new(),
    ]);
}

/// Mean and standard deviation of a window from its sums; a flat window
/// gets `(0, +inf)`, which maps every point to zero.
#[inline(always)]
fn norm(s1: f64, s2: f64, m: usize) -> (f64, f64) {
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
fn sums(x: &[f64]) -> (f64, f64) {
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

/// The query in the order in which the LB_Keogh sums visit it: blocks of
/// two adjacent points (`2b`, `2b + 1`), by decreasing `max(|z|)` of the
/// block, so that the sums abandon early (UCR Suite orders single points;
/// pairs keep every load contiguous). An odd last point is visited first,
/// on its own.
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
    fn new(q: &[f64], qu: &[f64], ql: &[f64]) -> Visit {
        let nb = q.len() / 2;
        let key = |b: usize| max(q[2 * b].abs(), q[2 * b + 1].abs());
        let mut blocks: Vec<u32> = (0..nb as u32).collect();
        blocks.sort_by(|&a, &b| {
            key(b as usize).partial_cmp(&key(a as usize)).unwrap().then(a.cmp(&b))
        });
        let pick = |x: &[f64]| -> Vec<f64> {
            blocks.iter().flat_map(|&b| [x[2 * b as usize], x[2 * b as usize + 1]]).collect()
        };
        Visit { q: pick(q), u: pick(qu), l: pick(ql), blocks }
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

/// Candidates and the threshold `T` (see the module documentation).
struct Spaced {
    k: usize,
    spacing: f64,
    sel: Vec<(f64, usize)>,
    t: f64,
    cands: Vec<(f64, usize)>,
    trim_at: usize,
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
    #[inline(never)]
    fn offer(&mut self, d: f64, idx: usize) {
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
            let t = self.t;
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
/// above it are skipped. `kernel` runs the DTWs.
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
    k: usize,
    ez: f64,
    base: usize,
    t0: f64,
    kernel: Kernel,
    st: &mut Stats,
) -> (Vec<(f64, usize)>, f64) {
    let m = query.len();
    let n = x.len();
    let r = window.unwrap_or(m).min(m);
    let nw = n + 1 - m;
    BUFS.with(|bufs| {
        let mut bufs = bufs.borrow_mut();
        let [qb, envb, tzb, cbb, denv] = &mut *bufs;
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
        envelope(q, r, qu, ql);
        let visit = Visit::new(q, qu, ql);
        let tz = tzb.take(m, 0.0);
        let cb = cbb.take(4 * m + 2, 0.0);
        let (cb1, cb) = cb.split_at_mut(m);
        let (cb2, cb) = cb.split_at_mut(m);
        let (cb, rest) = cb.split_at_mut(m + 1);
        let slack = lb_slack(4 * m);
        let mut best = Spaced {
            k,
            spacing: 2.0 * ez,
            sel: Vec::with_capacity(k.min(1024) + 1),
            t: t0,
            cands: Vec::new(),
            trim_at: 4096,
        };
        let (mut s1, mut s2) = (0.0, 0.0);
        let mut same_columns = false;
        let (mut t_seen, mut tq) = (f64::NAN, INF);
        let mut c0 = 0;
        while c0 < nw {
            let c1 = (c0 + CHUNK).min(nw);
            let span = c1 - c0 + m - 1;
            let de = denv.take(2 * span, 0.0);
            let (du, dl) = de.split_at_mut(span);
            envelope(&x[c0..c0 + span], r, du, dl);
            for p in c0..c1 {
                if p == 0 || (base + p) % RESET == 0 {
                    let s = sums(&x[p..p + m]);
                    s1 = s.0;
                    s2 = s.1;
                } else {
                    let (xn, xo) = (x[p + m - 1], x[p - 1]);
                    s1 = s1 + xn - xo;
                    s2 = s2 + xn * xn - xo * xo;
                }
                let (mean, std) = if normalize { norm(s1, s2, m) } else { (0.0, 1.0) };
                let inv = 1.0 / std;
                let t = best.t;
                if t != t_seen {
                    t_seen = t;
                    let tp = t * slack;
                    tq = if normalize { widen(sq, tp, m) } else { tp };
                }
                let w = &x[p..p + m];
                let kim = if sq {
                    lb_kim::<true>(w, q, mean, inv, tq)
                } else {
                    lb_kim::<false>(w, q, mean, inv, tq)
                };
                if kim > tq {
                    st.kim += 1.0;
                    continue;
                }
                let lb1 = if sq {
                    keogh_eq::<true>(w, &visit, qu, ql, mean, inv, tq, cb1)
                } else {
                    keogh_eq::<false>(w, &visit, qu, ql, mean, inv, tq, cb1)
                };
                if lb1 > tq {
                    st.keogh_eq += 1.0;
                    continue;
                }
                let off = p - c0;
                let (du, dl) = (&du[off..off + m], &dl[off..off + m]);
                let lb2 = if sq {
                    keogh_ec::<true>(du, dl, &visit, q, mean, inv, tq, cb2)
                } else {
                    keogh_ec::<false>(du, dl, &visit, q, mean, inv, tq, cb2)
                };
                if lb2 > tq {
                    st.keogh_ec += 1.0;
                    continue;
                }
                rest_bound(cb1, cb2, r, cb, rest);
                normalized(w, mean, std, tz);
                // Every DTW of the search has the query as its columns.
                let d = dtw_rest(tz, q, window, sq, t, rest, tq, same_columns, kernel);
                same_columns = true;
                if d <= t {
                    st.dtw += 1.0;
                    best.offer(d, base + p);
                } else {
                    st.abandoned += 1.0;
                }
            }
            c0 = c1;
        }
        let t = best.t;
        let mut cands = best.cands;
        cands.retain(|c| c.0 <= t);
        cands.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap().then(a.1.cmp(&b.1)));
        (cands, t)
    })
}
