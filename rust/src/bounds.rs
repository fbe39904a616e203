//! Lower bounds of DTW distances, for `topK` and the subsequence search:
//! envelopes (Lemire's streaming minimum and maximum), LB_Kim and LB_Keogh
//! in both directions, and bounds of the rows still to come that let a DTW
//! abandon early.
//!
//! LB_Keogh is valid for series of any lengths because the band is
//! index-aligned (`|i - j| <= w` with `w >= |n - m|`): every column `j`
//! (row `i`) of a warping path has a cell in a row (column) within `w` of
//! it.

use core::arch::wasm32::*;

use crate::num::{cost, max, min};

const INF: f64 = f64::INFINITY;

/// Relative slack applied to lower bounds before pruning, so that the
/// rounding of sums taken in different orders can never prune a pattern
/// whose computed distance is within the threshold. `terms` bounds the
/// number of additions in either sum.
pub fn lb_slack(terms: usize) -> f64 {
    1.0 + 8.0 * (terms as f64 + 8.0) * f64::EPSILON
}

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

/// Envelopes of the reference, one per effective band width in use.
pub struct Envelopes {
    list: Vec<(usize, Vec<f64>, Vec<f64>)>,
}

impl Envelopes {
    pub fn new() -> Envelopes {
        Envelopes { list: Vec::new() }
    }

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
/// envelope of `p` over that band. `sq` selects the squared cost.
pub fn rest_bound(sq: bool, r: &[f64], p: &[f64], w: usize, rest: &mut [f64]) {
    if sq {
        rest_bound_of::<true>(r, p, w, rest)
    } else {
        rest_bound_of::<false>(r, p, w, rest)
    }
}

#[inline(never)]
fn rest_bound_of<const SQ: bool>(r: &[f64], p: &[f64], w: usize, rest: &mut [f64]) {
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
pub fn range_abs(x: &[f64]) -> f64 {
    let (lo, hi) = range(x);
    max(max(-lo, hi), 0.0)
}

/// Minimum and maximum of `x` (`(+inf, -inf)` when empty).
pub fn range(x: &[f64]) -> (f64, f64) {
    x.iter().fold((INF, -INF), |(lo, hi), &v| (min(lo, v), max(hi, v)))
}

/// LB_Kim (the first and last cells) and LB_Keogh of the pattern `p`
/// against the reference's envelope (EQ) over the inner points: the cheap
/// part of `topK`'s bound, LB_Kim + the larger of EQ and [`keogh_ec`], as
/// the reference's envelope is computed once for all patterns. `sq`
/// selects the squared cost.
pub fn kim_eq(sq: bool, r: &[f64], p: &[f64], window: Option<usize>, envs: &mut Envelopes) -> (f64, f64) {
    if sq {
        kim_eq_of::<true>(r, p, window, envs)
    } else {
        kim_eq_of::<false>(r, p, window, envs)
    }
}

/// LB_Keogh of the reference `r` against the envelope of the pattern `p`
/// (EC) over the inner points: the part of `topK`'s bound that takes an
/// envelope per pattern.
pub fn keogh_ec(sq: bool, r: &[f64], p: &[f64], window: Option<usize>) -> f64 {
    if sq {
        keogh_ec_of::<true>(r, p, window)
    } else {
        keogh_ec_of::<false>(r, p, window)
    }
}

#[inline(never)]
fn kim_eq_of<const SQ: bool>(r: &[f64], p: &[f64], window: Option<usize>, envs: &mut Envelopes) -> (f64, f64) {
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
    (kim, eq)
}

#[inline(never)]
fn keogh_ec_of<const SQ: bool>(r: &[f64], p: &[f64], window: Option<usize>) -> f64 {
    let (n, m) = (r.len(), p.len());
    if n < 3 || m == 0 {
        return 0.0;
    }
    let w = band_w(window, n, m);
    if w >= m - 1 {
        // The band covers the whole pattern: its envelope is its range.
        let (lo, hi) = range(p);
        return range_sum::<SQ>(&r[1..n - 1], lo, hi);
    }
    let mut u = vec![0.0; m];
    let mut l = vec![0.0; m];
    envelope(p, w, &mut u, &mut l);
    let e = (n - 1).min(m);
    env_sum::<SQ>(&r[1..e], &l[1..e], &u[1..e]) + range_sum::<SQ>(&r[e..n - 1], l[m - 1], u[m - 1])
}
