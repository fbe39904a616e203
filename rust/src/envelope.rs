//! Envelopes of a series over a band, for LB_Keogh: at each point the
//! maximum and minimum of the points at most `w` away.
//!
//! The van Herk / Gil-Werman algorithm: split the (padded) series into
//! blocks of `2w + 1` points; the maximum of any `2w + 1` consecutive points
//! is the larger of a suffix maximum of one block and a prefix maximum of
//! the next, so three passes give every window's maximum whatever `w` is,
//! with no branches on the data (a monotonic deque takes a data-dependent
//! number of pushes and pops per point). The two lanes of an `f64x2` carry
//! `x` and `-x`, so one `pmax` serves the upper and the lower envelope
//! (`min(x) = -max(-x)`, exactly).

use core::arch::wasm32::*;

const INF: f64 = f64::INFINITY;

/// Flips the sign of lane 1: `(x, x)` becomes `(x, -x)`.
#[inline(always)]
fn flip1() -> v128 {
    i64x2(0, i64::MIN)
}

/// Upper and lower envelope of `x` for a band of half-width `w`, at the
/// points `from .. from + upper.len()`: `upper[i]` and `lower[i]` are the
/// maximum and minimum of `x[j]` over `|j - (from + i)| <= w`,
/// `0 <= j < x.len()`. The values are the same whatever part is asked
/// for, so an envelope can be computed piece by piece. `work` is scratch.
pub fn envelope_part(x: &[f64], w: usize, from: usize, upper: &mut [f64], lower: &mut [f64], work: &mut Vec<v128>) {
    let n = x.len();
    let len = upper.len();
    assert!(lower.len() == len && from + len <= n);
    if len == 0 {
        return;
    }
    if w >= n - 1 {
        // The band covers the whole series: its minimum and maximum.
        let (mut lo, mut hi) = (INF, -INF);
        for &v in x {
            lo = crate::num::min(lo, v);
            hi = crate::num::max(hi, v);
        }
        upper.iter_mut().for_each(|u| *u = hi);
        lower.iter_mut().for_each(|l| *l = lo);
        return;
    }
    if w == 0 {
        upper.copy_from_slice(&x[from..from + len]);
        lower.copy_from_slice(&x[from..from + len]);
        return;
    }
    let span = 2 * w + 1;
    // Padded points: p[k] = (x[j], -x[j]) with j = from - w + k, or -inf
    // (both lanes) outside the series.
    let l = len + 2 * w;
    if work.len() < 2 * l {
        work.resize(2 * l, f64x2_splat(0.0));
    }
    let (p, h) = work.split_at_mut(l);
    let k0 = w.saturating_sub(from).min(l);
    let k1 = (n + w - from).min(l);
    let pad = f64x2_splat(-INF);
    p[..k0].iter_mut().for_each(|v| *v = pad);
    let first = from + k0 - w;
    for (v, &xv) in p[k0..k1].iter_mut().zip(&x[first..first + (k1 - k0)]) {
        *v = v128_xor(f64x2_splat(xv), flip1());
    }
    p[k1..].iter_mut().for_each(|v| *v = pad);
    // Suffix maxima within each block: h[k] = max(p[k ..= end of k's block]).
    let mut b = 0;
    while b < l {
        let e = (b + span).min(l);
        let mut acc = p[e - 1];
        h[e - 1] = acc;
        for k in (b..e - 1).rev() {
            acc = f64x2_pmax(p[k], acc);
            h[k] = acc;
        }
        b = e;
    }
    // Window i covers p[i ..= i + 2w]: h[i] and the prefix maximum of the
    // block of i + 2w, run ahead in `g`.
    let mut g = p[0];
    for &v in &p[1..2 * w] {
        g = f64x2_pmax(v, g);
    }
    // Position of i + 2w in its block.
    let mut c = 2 * w;
    for i in 0..len {
        let v = p[i + 2 * w];
        g = if c == 0 { v } else { f64x2_pmax(v, g) };
        let e = f64x2_pmax(h[i], g);
        upper[i] = f64x2_extract_lane::<0>(e);
        lower[i] = -f64x2_extract_lane::<1>(e);
        c += 1;
        if c == span {
            c = 0;
        }
    }
}
