//! The two precisions of the multivariate and `f32` kernels behind one
//! interface: `f64` in `f64x2` vectors ([`F64`]) and `f32` in `f32x4`
//! vectors ([`F32`]), so that `stripes.rs`, `lanes.rs` and `path.rs` are
//! written once for both.
//!
//! Every operation is the IEEE operation of its precision, rounded once:
//! in `f32`, `x - y`, `|x - y|`, `(x - y)²`, each partial sum over the
//! dimensions and `cost + min(…)` are each rounded to `f32`, as a scalar
//! reference applying `Math.fround` after each operation does (rounding the
//! exact result of an `f64` operation on `f32` values to `f32` gives the
//! correctly rounded `f32` result: 53 ≥ 2 · 24 + 2 bits). The minimum is
//! exact in both precisions.
//!
//! Minima of vectors avoid the IEEE `min` instructions: `f64x2.pmin` in
//! the operand orders that rustc 1.63 keeps (see `dtw.rs`), and for `f32`
//! the minimum of the bit patterns as `i32x4` (`pminsd`): every value the
//! kernels compare is `+0`, a positive float or `+inf` (costs of finite
//! inputs and sums of them), never `-0` or NaN, and such floats order as
//! their bits do. (rustc 1.63 lowers some `f32x4.pmin`s to
//! `v128.bitselect`.)

use core::arch::wasm32::*;
use core::ops::{Add, Mul, Sub};

/// One precision: its scalar type `E`, `N` lanes of it per `v128`.
pub trait Prec: Copy + 'static {
    type E: Copy + PartialOrd + Add<Output = Self::E> + Sub<Output = Self::E> + Mul<Output = Self::E>;
    /// Lanes per vector.
    const N: usize;
    const INF: Self::E;
    const ZERO: Self::E;
    /// `|x|`.
    fn abs(x: Self::E) -> Self::E;
    /// `x` as `f64` (exact).
    fn to_f64(x: Self::E) -> f64;
    /// A vector of `N` lanes from `x[..N]`.
    fn from_lanes(x: &[Self::E]) -> v128;
    /// Lane `l` of `v`.
    fn lane(v: v128, l: usize) -> Self::E;
    fn splat(x: Self::E) -> v128;
    fn add(a: v128, b: v128) -> v128;
    /// `|a - b|`, or `(a - b)²` with `SQ`, in every lane.
    fn cost<const SQ: bool>(a: v128, b: v128) -> v128;
    /// The smaller of `a` and `b` in every lane (non-negative, not NaN).
    fn min(a: v128, b: v128) -> v128;
    /// The "row above" of the first vector of a stripe (see `stripes.rs`):
    /// lane 0 from `*above`, lane `l` from lane `l - 1` of `last`.
    ///
    /// # Safety
    /// `above` must point to a readable `E`.
    unsafe fn top(above: *const Self::E, last: v128) -> v128;
    /// Stores the last lane of `v` at `p`.
    ///
    /// # Safety
    /// `p` must point to a writable `E`.
    unsafe fn store_last(v: v128, p: *mut Self::E);
}

#[derive(Clone, Copy)]
pub struct F64;

#[derive(Clone, Copy)]
pub struct F32;

impl Prec for F64 {
    type E = f64;
    const N: usize = 2;
    const INF: f64 = f64::INFINITY;
    const ZERO: f64 = 0.0;
    #[inline(always)]
    fn abs(x: f64) -> f64 {
        x.abs()
    }
    #[inline(always)]
    fn to_f64(x: f64) -> f64 {
        x
    }
    #[inline(always)]
    fn from_lanes(x: &[f64]) -> v128 {
        f64x2(x[0], x[1])
    }
    #[inline(always)]
    fn lane(v: v128, l: usize) -> f64 {
        if l == 0 {
            f64x2_extract_lane::<0>(v)
        } else {
            f64x2_extract_lane::<1>(v)
        }
    }
    #[inline(always)]
    fn splat(x: f64) -> v128 {
        f64x2_splat(x)
    }
    #[inline(always)]
    fn add(a: v128, b: v128) -> v128 {
        f64x2_add(a, b)
    }
    #[inline(always)]
    fn cost<const SQ: bool>(a: v128, b: v128) -> v128 {
        let d = f64x2_sub(a, b);
        if SQ {
            f64x2_mul(d, d)
        } else {
            f64x2_abs(d)
        }
    }
    #[inline(always)]
    fn min(a: v128, b: v128) -> v128 {
        f64x2_pmin(a, b)
    }
    /// # Safety
    /// As [`Prec::top`].
    #[inline(always)]
    unsafe fn top(above: *const f64, last: v128) -> v128 {
        i64x2_shuffle::<0, 2>(v128_load64_splat(above as *const u64), last)
    }
    /// # Safety
    /// As [`Prec::store_last`].
    #[inline(always)]
    unsafe fn store_last(v: v128, p: *mut f64) {
        v128_store64_lane::<1>(v, p as *mut u64)
    }
}

impl Prec for F32 {
    type E = f32;
    const N: usize = 4;
    const INF: f32 = f32::INFINITY;
    const ZERO: f32 = 0.0;
    #[inline(always)]
    fn abs(x: f32) -> f32 {
        x.abs()
    }
    #[inline(always)]
    fn to_f64(x: f32) -> f64 {
        x as f64
    }
    #[inline(always)]
    fn from_lanes(x: &[f32]) -> v128 {
        f32x4(x[0], x[1], x[2], x[3])
    }
    #[inline(always)]
    fn lane(v: v128, l: usize) -> f32 {
        match l {
            0 => f32x4_extract_lane::<0>(v),
            1 => f32x4_extract_lane::<1>(v),
            2 => f32x4_extract_lane::<2>(v),
            _ => f32x4_extract_lane::<3>(v),
        }
    }
    #[inline(always)]
    fn splat(x: f32) -> v128 {
        f32x4_splat(x)
    }
    #[inline(always)]
    fn add(a: v128, b: v128) -> v128 {
        f32x4_add(a, b)
    }
    #[inline(always)]
    fn cost<const SQ: bool>(a: v128, b: v128) -> v128 {
        let d = f32x4_sub(a, b);
        if SQ {
            f32x4_mul(d, d)
        } else {
            f32x4_abs(d)
        }
    }
    #[inline(always)]
    fn min(a: v128, b: v128) -> v128 {
        i32x4_min(a, b)
    }
    /// # Safety
    /// As [`Prec::top`].
    #[inline(always)]
    unsafe fn top(above: *const f32, last: v128) -> v128 {
        // (above, last[0], last[1], last[2]): one byte-wise alignr.
        i32x4_shuffle::<3, 4, 5, 6>(v128_load32_splat(above as *const u32), last)
    }
    /// # Safety
    /// As [`Prec::store_last`].
    #[inline(always)]
    unsafe fn store_last(v: v128, p: *mut f32) {
        v128_store32_lane::<3>(v, p as *mut u32)
    }
}

/// The cost of matching point `x` with point `y` (`d` values each):
/// `Σ_k |x[k] - y[k]|`, or `Σ_k (x[k] - y[k])²` with `SQ`, summed in index
/// order from the first term, each operation rounded in `P`.
#[inline(always)]
pub fn cost<P: Prec, const SQ: bool>(x: &[P::E], y: &[P::E]) -> P::E {
    let one = |k: usize| {
        let d = x[k] - y[k];
        if SQ {
            d * d
        } else {
            P::abs(d)
        }
    };
    let mut s = one(0);
    for k in 1..x.len() {
        s = s + one(k);
    }
    s
}
