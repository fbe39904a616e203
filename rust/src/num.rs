//! Scalar helpers for the kernels.
//!
//! `f64::min` and `f64::max` follow IEEE 754's NaN rules, which wasm32 code
//! gets from a call to `fmin`/`fmax` (two compares and two selects). The
//! kernels never see NaN (the TypeScript side rejects it), so a compare and
//! a select do.

/// The smaller of `a` and `b` (`a` on ties); inputs must not be NaN.
#[inline(always)]
pub fn min<E: PartialOrd>(a: E, b: E) -> E {
    if b < a {
        b
    } else {
        a
    }
}

/// The larger of `a` and `b` (`a` on ties); inputs must not be NaN.
#[inline(always)]
pub fn max(a: f64, b: f64) -> f64 {
    if b > a {
        b
    } else {
        a
    }
}

/// The cost of matching `x` with `y`: `(x - y)²` with `SQ`, else `|x - y|`.
#[inline(always)]
pub fn cost<const SQ: bool>(x: f64, y: f64) -> f64 {
    let d = x - y;
    if SQ {
        d * d
    } else {
        d.abs()
    }
}
