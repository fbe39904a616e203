//! `topK` screening in `f32`: twice the lanes per vector, then exact `f64`
//! for the few candidates that may be in the result.
//!
//! Unbanded DTW has weak lower bounds, so most of `topK`'s time goes into
//! DTWs that are abandoned part-way. This pass runs them in `f32x4` lanes
//! (four patterns in a vector, four rows per sweep, streaming through the
//! candidates as `top_k.rs`' `f64` lanes do), which does twice
//! the cells per instruction. `f32` values are not the result: every decision uses a
//! bound of the `f64` value that holds whatever the rounding:
//!
//! * each cell cost differs from the `f64` one by at most `δ` (`2^-21 M`
//!   for `|x - y|`, `2^-18 M²` for `(x - y)²`, with `M` the largest input
//!   magnitude), and each `f32` addition by a relative `2^-24`;
//! * along a path of `L <= n + m` cells, so
//!   `|D32 - D64| <= 1.01 L 2^-24 D32 + L δ` (`min` cannot amplify errors);
//! * a lane is dropped only when that lower bound of `D64` (plus the `f64`
//!   bound of the rows still to come, or the columns bound of `lanes_out`)
//!   exceeds the threshold `T`: the k-th smallest upper bound
//!   `D32 (1 + ε) + L δ` of the patterns screened so far, an upper bound of
//!   the true k-th distance.
//!
//! The patterns that survive are computed exactly in `f64`, in order of
//! their bound, against the exact threshold, so the result is exactly that
//! of the `f64` path.

use core::arch::wasm32::*;

use crate::batch::{load_lane, Patterns, CHECK_ROWS, COLUMN_CHECK_ROWS};
use crate::best::{prune, Best, TopKStats};
use crate::dtw::{dtw, Kernel};

const INF: f64 = f64::INFINITY;
/// Lanes: one `f32x4` vector, four rows per sweep ([`sweep`]): four
/// independent chains per column, and each pattern vector loaded and each
/// row entry stored once per four cells. Deno compiles WebAssembly with
/// explicit bounds checks (no trap handler), so every load and store costs
/// a compare and a branch as well. Measured against this: four vectors of
/// one row about 20 % slower, two vectors of two rows 3–6 % slower, five
/// or more rows no faster (register pressure).
const V: usize = 1;
const LANES: usize = 4 * V;
/// Rows per sweep (the dispatch in [`screen`] lists 1..=4).
const B: usize = 4;
const _: () = assert!(B == 4);

/// Largest input magnitude for which [`screen`]'s `f32` bounds hold.
pub const MAX_MAGNITUDE: f64 = 1e15;

/// Whether `topK` screens: inputs small enough for `f32` (the largest
/// magnitude at most [`MAX_MAGNITUDE`]), and `k` small against the
/// candidates so that the threshold becomes finite early.
pub fn applies(k: usize, candidates: usize, magnitude: f64) -> bool {
    k * 4 <= candidates && magnitude <= MAX_MAGNITUDE
}

/// The error bounds of one screening run.
#[derive(Clone, Copy)]
struct Margins {
    /// Relative error of an `f32` sum of the path's costs.
    rel: f64,
    /// Absolute error of the costs along a path.
    abs: f64,
}

impl Margins {
    fn new(sq: bool, n: usize, m: usize, magnitude: f64) -> Margins {
        // A path has at most n + m - 1 cells; a bound adds at most m terms
        // of the columns bound and a few roundings.
        let terms = (n + 2 * m + 8) as f64;
        let delta = if sq { magnitude * magnitude / (1u64 << 18) as f64 } else { magnitude / (1u64 << 21) as f64 };
        Margins { rel: 1.1 * terms / (1u64 << 24) as f64, abs: terms * delta }
    }
    /// A lower bound of the `f64` value of which `x` is an `f32` bound.
    fn lower(&self, x: f32) -> f64 {
        (x as f64) * (1.0 - self.rel) - self.abs
    }
    /// An upper bound of the `f64` value of which `x` is the `f32` one.
    fn upper(&self, x: f32) -> f64 {
        (x as f64) * (1.0 + self.rel) + self.abs
    }
}

/// The screening of `topK` over candidates `order` (by increasing lower
/// bound `lb`; LB_Kim part in `kim`), all of one length, without a band;
/// `suffix` holds the ranges of the reference's suffixes, as in `top_k`.
/// Offers every candidate to `best`: its exact distance, or `+inf` when it
/// cannot be in the result.
#[allow(clippy::too_many_arguments)]
pub fn screen(
    sq: bool,
    r: &[f64],
    pats: &Patterns,
    order: &[usize],
    lb: &[f64],
    kim: &[f64],
    suffix: &[f64],
    slack: f64,
    cutoff: f64,
    magnitude: f64,
    best: &mut Best,
    stats: &mut TopKStats,
) {
    let n = r.len();
    let m = pats.get(order[0]).len();
    let mg = Margins::new(sq, n, m, magnitude);
    // The k smallest upper bounds of the distances screened so far.
    let mut ub = Best::new(best.k);
    let r32: Vec<f32> = r.iter().map(|&x| x as f32).collect();
    let mut p = vec![0.0f32; m * LANES];
    let mut row = vec![f32::INFINITY; (m + 1) * LANES];
    let mut rest = vec![0.0; (n + 1) * LANES];
    let mut one = vec![0.0; n + 1];
    let mut id: [Option<usize>; LANES] = [None; LANES];
    let mut rows = [0usize; LANES];
    let mut survivors: Vec<(f64, usize)> = Vec::new();
    let mut next = 0;
    let mut steps = 0;
    let mut next_check = CHECK_ROWS;
    let mut next_columns = COLUMN_CHECK_ROWS;
    loop {
        let tcut = ub.threshold(cutoff) * slack;
        for lane in 0..LANES {
            if id[lane].is_some() || next == order.len() {
                continue;
            }
            let c = order[next];
            if lb[c] > tcut {
                // Every later candidate has a bound at least as large.
                for &c in &order[next..] {
                    prune(c, kim, tcut, best, stats);
                }
                next = order.len();
                continue;
            }
            next += 1;
            let conv = |x: f64| x as f32;
            load_lane(sq, r, pats.get(c), lane, LANES, conv, (f32::INFINITY, 0.0), &mut p, &mut row, &mut rest, &mut one);
            id[lane] = Some(c);
            rows[lane] = 0;
        }
        if id.iter().all(|x| x.is_none()) {
            break;
        }
        let active = |l: usize| id[l].is_some();
        // B rows per sweep; fewer when a lane has fewer rows left (lengths
        // not a multiple of B, or lanes that started out of step).
        let b = (0..LANES).filter(|&l| active(l)).map(|l| n - rows[l]).min().unwrap().min(B);
        let at = |l: usize, k: usize| if active(l) { r32[rows[l] + k.min(b - 1)] } else { r32[0] };
        let xs: [[v128; V]; B] = core::array::from_fn(|k| core::array::from_fn(|v| f32x4(at(4 * v, k), at(4 * v + 1, k), at(4 * v + 2, k), at(4 * v + 3, k))));
        let (pp, rp) = (p.as_ptr() as *const v128, row.as_mut_ptr() as *mut v128);
        // SAFETY: `p` holds m * V vectors and `row` (m + 1) * V.
        unsafe {
            match b {
                1 => rows32::<1>(sq, &xs, m, pp, rp),
                2 => rows32::<2>(sq, &xs, m, pp, rp),
                3 => rows32::<3>(sq, &xs, m, pp, rp),
                _ => rows32::<B>(sq, &xs, m, pp, rp),
            }
        }
        steps += b;
        for lane in 0..LANES {
            let c = match id[lane] {
                Some(c) => c,
                None => continue,
            };
            if rows[lane] == 0 {
                row[lane] = f32::INFINITY;
            }
            rows[lane] += b;
            if rows[lane] == n {
                let d = row[m * LANES + lane];
                if mg.lower(d) > tcut {
                    stats.abandoned += 1.0;
                    best.offer(INF, c);
                } else {
                    ub.offer(mg.upper(d), c);
                    survivors.push((mg.lower(d), c));
                }
                id[lane] = None;
            }
        }
        if steps >= next_check && tcut < INF {
            next_check = steps + CHECK_ROWS;
            let columns = steps >= next_columns;
            if columns {
                next_columns = steps + COLUMN_CHECK_ROWS;
            }
            let out = out32(&row, &p, m, &rows, &id, &rest, &suffix, mg, tcut, sq, columns);
            for lane in 0..LANES {
                if let (Some(c), true) = (id[lane], out[lane]) {
                    stats.abandoned += 1.0;
                    best.offer(INF, c);
                    id[lane] = None;
                }
            }
        }
    }
    // Exact f64 DTW for the survivors, most promising first.
    survivors.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap().then(a.1.cmp(&b.1)));
    for (bound, c) in survivors {
        let t = best.threshold(cutoff);
        let d = if bound > t * slack { INF } else { dtw(r, pats.get(c), None, sq, t, Kernel::Auto) };
        if d == INF && t < INF {
            stats.abandoned += 1.0;
        } else {
            stats.computed += 1.0;
        }
        best.offer(d, c);
    }
}

/// For each active lane, whether its distance must exceed `tcut`: the
/// minimum of its last row, plus the bound of the rows to come, or (with
/// `columns`) every cell of that row plus the larger of that bound and the
/// columns bound (see `batch.rs`' `lanes_out`), as lower bounds of the
/// `f64` values.
#[allow(clippy::too_many_arguments)]
fn out32(
    row: &[f32],
    p: &[f32],
    m: usize,
    rows: &[usize; LANES],
    id: &[Option<usize>; LANES],
    rest: &[f64],
    suffix: &[f64],
    mg: Margins,
    tcut: f64,
    sq: bool,
    columns: bool,
) -> [bool; LANES] {
    let mut mins = [f32x4_splat(f32::INFINITY); V];
    let rp = row.as_ptr() as *const v128;
    for j in 0..m {
        for (v, mn) in mins.iter_mut().enumerate() {
            // SAFETY: (j + 1) * V + v < (m + 1) * V.
            *mn = f32x4_pmin(unsafe { *rp.add((j + 1) * V + v) }, *mn);
        }
    }
    let lanes = |x: &[v128; V]| -> [f32; LANES] {
        let mut out = [0.0; LANES];
        for v in 0..V {
            out[4 * v] = f32x4_extract_lane::<0>(x[v]);
            out[4 * v + 1] = f32x4_extract_lane::<1>(x[v]);
            out[4 * v + 2] = f32x4_extract_lane::<2>(x[v]);
            out[4 * v + 3] = f32x4_extract_lane::<3>(x[v]);
        }
        out
    };
    let min_row = lanes(&mins);
    let mut out = [false; LANES];
    let mut any_left = false;
    let rest_of = |l: usize| rest[rows[l] * LANES + l];
    for l in 0..LANES {
        if id[l].is_some() {
            out[l] = mg.lower(min_row[l]) + rest_of(l) > tcut;
            any_left |= !out[l];
        }
    }
    if !columns || !any_left {
        return out;
    }
    // Columns bound, from the last column backwards, in f32.
    let at = |l: usize| {
        let i = rows[l] - 1;
        if id[l].is_some() { (suffix[2 * i] as f32, suffix[2 * i + 1] as f32) } else { (0.0, 0.0) }
    };
    let restf = |l: usize| if id[l].is_some() { rest_of(l) as f32 } else { 0.0 };
    let vec4 = |f: &dyn Fn(usize) -> f32, v: usize| f32x4(f(4 * v), f(4 * v + 1), f(4 * v + 2), f(4 * v + 3));
    let rlo: [v128; V] = core::array::from_fn(|v| vec4(&|l| at(l).0, v));
    let rhi: [v128; V] = core::array::from_fn(|v| vec4(&|l| at(l).1, v));
    let restv: [v128; V] = core::array::from_fn(|v| vec4(&restf, v));
    let pv = p.as_ptr() as *const v128;
    let mut cols = [f32x4_splat(0.0); V];
    let mut best = [f32x4_splat(f32::INFINITY); V];
    for j in (0..m).rev() {
        for v in 0..V {
            // SAFETY: j * V + v < m * V; (j + 1) * V + v < (m + 1) * V.
            let (cell, pj) = unsafe { (*rp.add((j + 1) * V + v), *pv.add(j * V + v)) };
            best[v] = f32x4_pmin(f32x4_add(cell, f32x4_pmax(restv[v], cols[v])), best[v]);
            let d = f32x4_sub(pj, f32x4_pmin(rhi[v], f32x4_pmax(rlo[v], pj)));
            cols[v] = f32x4_add(cols[v], if sq { f32x4_mul(d, d) } else { f32x4_abs(d) });
        }
    }
    let best = lanes(&best);
    for l in 0..LANES {
        if id[l].is_some() {
            out[l] |= mg.lower(best[l]) > tcut;
        }
    }
    out
}

/// The first `R` rows of `xs` (each lane's reference points of the rows
/// to come), over every column; `row` receives the last.
///
/// # Safety
/// As [`sweep`].
unsafe fn rows32<const R: usize>(sq: bool, xs: &[[v128; V]; B], m: usize, pats: *const v128, row: *mut v128) {
    let xs: [[v128; V]; R] = core::array::from_fn(|k| xs[k]);
    if sq {
        sweep::<true, R>(&xs, m, pats, row);
    } else {
        sweep::<false, R>(&xs, m, pats, row);
    }
}

/// `R` rows over every column for the streaming lanes (the `f32`
/// counterpart of `batch.rs`' `full_rows`): `xs[k]` holds each lane's
/// reference point of row `k`. Each pattern vector is loaded, and each row
/// entry loaded and stored, once per `R` cells.
///
/// The minima are taken on the bits, as `i32x4` (one `pminsd` each): every
/// value is `+0`, a positive float or `+inf` (costs `|x - y|` or
/// `(x - y)²` of finite inputs, and sums of them), never `-0` or NaN, and
/// such floats order exactly as their bit patterns do as integers. (rustc
/// 1.63 turns the `f32x4` pmin of a second row into `v128.bitselect`.)
///
/// # Safety
/// `pats` must hold `m * V` vectors and `row` `(m + 1) * V`.
#[inline(never)]
unsafe fn sweep<const SQ: bool, const R: usize>(xs: &[[v128; V]; R], m: usize, pats: *const v128, row: *mut v128) {
    let xs = *xs;
    let inf = f32x4_splat(f32::INFINITY);
    let mut left = [[inf; V]; R];
    // Row k's diagonal is row k - 1's left (before its update); row 0's is
    // the previous sweep's last row, from column -1 (0 at the origin).
    let mut diag: [v128; V] = core::array::from_fn(|v| *row.add(v));
    let mut pp = pats;
    let mut rp = row.add(V);
    for _ in 0..m {
        for v in 0..V {
            let pj = *pp.add(v);
            let top = *rp.add(v);
            let (mut up, mut dg) = (top, diag[v]);
            for k in 0..R {
                let d = f32x4_sub(xs[k][v], pj);
                let c = if SQ { f32x4_mul(d, d) } else { f32x4_abs(d) };
                let val = f32x4_add(c, i32x4_min(i32x4_min(up, dg), left[k][v]));
                dg = left[k][v];
                left[k][v] = val;
                up = val;
            }
            diag[v] = top;
            *rp.add(v) = up;
        }
        pp = pp.add(V);
        rp = rp.add(V);
    }
}
