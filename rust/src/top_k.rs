//! `topK`: the `k` patterns nearest to a reference under DTW.
//!
//! Every pattern gets a lower bound: the cost of the first and last cells
//! (LB_Kim) plus the larger of the two LB_Keogh sums over the inner points
//! (pattern points against the envelope of the reference over the band,
//! and reference points against the envelope of the pattern; see
//! `bounds.rs`). Patterns are visited by increasing bound; a pattern whose
//! bound exceeds the current k-th best distance is pruned (and so are all
//! later ones), the others run a DTW that abandons once its row minimum
//! exceeds the k-th best, or once the row minimum plus a bound of the rest
//! of the path does (see `batch.rs`' `lanes_out`). With a band, the second
//! LB_Keogh (an envelope per pattern) is only computed for the patterns
//! about to run.
//!
//! Which kernel runs the DTWs is a [`Strategy`]. Without a band and with
//! patterns of one length, lanes stream through the candidates: in `f32`
//! first when `k` is small against the candidates (`screen.rs`), else in
//! `f64` ([`Stream`]). Otherwise groups of `LANES` patterns of one length
//! run together in the kernel of `batch.rs`, or alone when fewer than
//! `MIN_GROUP` of one length are left.

use core::arch::wasm32::*;

use crate::batch::{
    full_rows, group, lanes_out, load_lane, Abandon, Patterns, CHECK_ROWS, COLUMN_CHECK_ROWS, GROUP, K, LANES, MIN_GROUP, R,
};
use crate::best::{prune, Best, TopKStats, Visit};
use crate::bounds::{band_w, keogh_ec, kim_eq, lb_slack, range_abs, rest_bound, Envelopes};
use crate::dtw::{dtw, dtw_rest, Kernel};
use crate::num::{max, min};
use crate::screen;

const INF: f64 = f64::INFINITY;

/// `topK`'s DTWs when all patterns have one length and there is no band:
/// the lanes stream through the candidates. Each lane holds one pattern at
/// its own row (the reference points of a block are gathered per lane), and
/// a lane whose pattern finishes or is abandoned takes the next candidate
/// at once, so that no lane waits for the slowest of its group.
struct Stream<'a> {
    r: &'a [f64],
    pats: &'a Patterns<'a>,
    /// Candidates by increasing lower bound.
    order: &'a [usize],
    lb: &'a [f64],
    kim: &'a [f64],
    slack: f64,
    cutoff: f64,
    /// Range of the reference's points `i..` (see [`Abandon`]).
    suffix: &'a [f64],
}

impl<'a> Stream<'a> {
    fn run(&mut self, sq: bool, best: &mut Best, stats: &mut TopKStats) {
        let (r, n) = (self.r, self.r.len());
        let m = self.pats.get(self.order[0]).len();
        GROUP.with(|g| {
            let mut g = g.borrow_mut();
            let (pb, rb) = &mut *g;
            let p = pb.take(m * LANES, 0.0);
            let row = rb.take((m + 1) * LANES, INF);
            let mut rest = vec![0.0; (n + 1) * LANES];
            let mut one = vec![0.0; n + 1];
            let mut id: [Option<usize>; LANES] = [None; LANES];
            let mut rows = [0usize; LANES];
            let mut next = 0;
            let mut steps = 0;
            let mut next_check = CHECK_ROWS;
            let mut next_columns = COLUMN_CHECK_ROWS;
            loop {
                // Idle lanes take the next candidates, or everything left is pruned.
                let tp = best.threshold(self.cutoff) * self.slack;
                for lane in 0..LANES {
                    if id[lane].is_some() || next == self.order.len() {
                        continue;
                    }
                    let c = self.order[next];
                    if self.lb[c] > tp {
                        for &c in &self.order[next..] {
                            prune(c, self.kim, tp, best, stats);
                        }
                        next = self.order.len();
                        continue;
                    }
                    next += 1;
                    load_lane(sq, r, self.pats.get(c), lane, LANES, |x| x, (INF, 0.0), p, row, &mut rest, &mut one);
                    id[lane] = Some(c);
                    rows[lane] = 0;
                }
                if id.iter().all(|x| x.is_none()) {
                    break;
                }
                // R rows for every lane when all active lanes have them.
                let room = (0..LANES).filter(|&l| id[l].is_some()).map(|l| n - rows[l]).min().unwrap();
                let b = if room >= R { R } else { 1 };
                let at = |l: usize, k: usize| if id[l].is_some() { r[rows[l] + k] } else { r[0] };
                let pp = p.as_ptr() as *const v128;
                let rp = row.as_mut_ptr() as *mut v128;
                // SAFETY: columns 0..m; `p` has m * K vectors, `row` (m + 1) * K.
                unsafe {
                    if b == R {
                        let xs: [[v128; K]; R] =
                            core::array::from_fn(|k| core::array::from_fn(|v| f64x2(at(2 * v, k), at(2 * v + 1, k))));
                        if sq {
                            full_rows::<true, R>(&xs, m, pp, rp);
                        } else {
                            full_rows::<false, R>(&xs, m, pp, rp);
                        }
                    } else {
                        let xs = [core::array::from_fn(|v| f64x2(at(2 * v, 0), at(2 * v + 1, 0)))];
                        if sq {
                            full_rows::<true, 1>(&xs, m, pp, rp);
                        } else {
                            full_rows::<false, 1>(&xs, m, pp, rp);
                        }
                    }
                }
                steps += b;
                let t = best.threshold(self.cutoff);
                for lane in 0..LANES {
                    let c = match id[lane] {
                        Some(c) => c,
                        None => continue,
                    };
                    if rows[lane] == 0 {
                        row[lane] = INF;
                    }
                    rows[lane] += b;
                    if rows[lane] == n {
                        let d = row[m * LANES + lane];
                        if d <= t {
                            stats.computed += 1.0;
                            best.offer(d, c);
                        } else {
                            stats.abandoned += 1.0;
                            best.offer(INF, c);
                        }
                        id[lane] = None;
                    }
                }
                if steps >= next_check && t < INF {
                    next_check = steps + CHECK_ROWS;
                    let columns = steps >= next_columns;
                    if columns {
                        next_columns = steps + COLUMN_CHECK_ROWS;
                    }
                    let bound = Abandon { rest: &rest, cut: t * self.slack, suffix: self.suffix };
                    // Idle lanes' results are ignored; keep their indices valid.
                    let at_rows = rows.map(|x| x.max(1));
                    let rq = row.as_ptr() as *const v128;
                    // SAFETY: as above; every row index is >= 1.
                    let out = unsafe {
                        if sq {
                            lanes_out::<true>(rq, pp, m, 0, m - 1, t, Some(&bound), &at_rows, columns)
                        } else {
                            lanes_out::<false>(rq, pp, m, 0, m - 1, t, Some(&bound), &at_rows, columns)
                        }
                    };
                    for lane in 0..LANES {
                        if let (Some(c), true) = (id[lane], out[lane]) {
                            stats.abandoned += 1.0;
                            best.offer(INF, c);
                            id[lane] = None;
                        }
                    }
                }
            }
        })
    }
}

/// Which kernel runs the DTWs of `topK` (the `strategy` of `top_k_f64`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// Chosen from the inputs, as the module documentation describes.
    Auto,
    /// Every pattern alone: `dtw_rest` (`dtw` when a series is empty).
    Pairs,
    /// Patterns of one length in groups of up to `LANES`, however few, in
    /// the lane-parallel kernel of `batch.rs` (alone when a series is
    /// empty).
    Lanes,
    /// The `f64` lanes streaming through the candidates ([`Stream`]). Only
    /// for patterns of one length, series not empty, and no band.
    Stream,
    /// The `f32` screening, then exact `f64` DTWs (`screen.rs`). As
    /// [`Strategy::Stream`], and only for inputs of magnitude at most
    /// [`screen::MAX_MAGNITUDE`].
    Screen,
}

/// What [`top_k`] runs, once its strategy met the inputs.
#[derive(Clone, Copy)]
enum Plan {
    /// [`Strategy::Screen`], with the largest input magnitude.
    Screen(f64),
    /// [`Strategy::Stream`].
    Stream,
    /// Groups of one length through the lane-parallel kernel when they
    /// have at least this many patterns, else single pairs.
    Groups(usize),
}

/// `topK` (see the module documentation): writes up to `k` indices and
/// distances, sorted by (distance, index), and returns how many; `None`
/// when `strategy` does not apply to the inputs. `sq` selects the squared
/// cost; it is a run-time flag here (the kernels it calls are specialized)
/// to keep one copy of this orchestration code in the module.
#[allow(clippy::too_many_arguments)]
pub fn top_k(
    sq: bool,
    r: &[f64],
    pats: &Patterns,
    k: usize,
    window: Option<usize>,
    cutoff: f64,
    strategy: Strategy,
    out_idx: &mut [u32],
    out_dist: &mut [f64],
    stats: &mut TopKStats,
) -> Option<usize> {
    let count = pats.len();
    if k == 0 {
        return Some(0);
    }
    let n = r.len();
    let m0 = pats.get(0).len();
    let unbanded = band_w(window, n, m0) >= n.max(m0);
    let one_length = unbanded && n > 0 && m0 > 0 && (0..count).all(|i| pats.get(i).len() == m0);
    let magnitude = || (0..count).fold(range_abs(r), |a, i| max(a, range_abs(pats.get(i))));
    let plan = match strategy {
        Strategy::Auto if one_length && count >= LANES => {
            let magnitude = magnitude();
            if screen::applies(k, count, magnitude) {
                Plan::Screen(magnitude)
            } else {
                Plan::Stream
            }
        }
        Strategy::Auto => Plan::Groups(MIN_GROUP),
        Strategy::Pairs => Plan::Groups(usize::MAX),
        Strategy::Lanes => Plan::Groups(1),
        Strategy::Stream if one_length => Plan::Stream,
        Strategy::Screen if one_length => {
            let magnitude = magnitude();
            if magnitude > screen::MAX_MAGNITUDE {
                return None;
            }
            Plan::Screen(magnitude)
        }
        Strategy::Stream | Strategy::Screen => return None,
    };
    // The groups visit candidates by LB_Kim + LB_Keogh EQ and bound those
    // about to run again with EC (an envelope per pattern, which under a
    // band costs more than the DTW: see `Visit::run`); the streaming paths
    // (no band, where EC is a range) order by the full bound.
    let lazy = matches!(plan, Plan::Groups(_));
    let mut envs = Envelopes::new();
    let mut kim = vec![0.0; count];
    let mut eq = vec![0.0; count];
    let mut lb = vec![0.0; count];
    let mut maxlen = 0;
    for i in 0..count {
        let p = pats.get(i);
        let (a, b) = kim_eq(sq, r, p, window, &mut envs);
        kim[i] = a;
        eq[i] = b;
        lb[i] = if lazy { a + b } else { a + max(b, keogh_ec(sq, r, p, window)) };
        maxlen = maxlen.max(p.len());
    }
    let slack = lb_slack(r.len() + maxlen);
    let mut order: Vec<usize> = (0..count).collect();
    order.sort_by(|&a, &b| lb[a].partial_cmp(&lb[b]).unwrap().then(a.cmp(&b)));
    let mut best = Best::new(k);
    let mut rest: Vec<f64> = Vec::new();
    let mut one = vec![0.0; r.len() + 1];
    // Range of the reference's points i.. for every i.
    let mut suffix = vec![0.0; 2 * r.len()];
    let (mut lo, mut hi) = (INF, -INF);
    for i in (0..r.len()).rev() {
        lo = min(lo, r[i]);
        hi = max(hi, r[i]);
        suffix[2 * i] = lo;
        suffix[2 * i + 1] = hi;
    }
    match plan {
        Plan::Screen(magnitude) => {
            screen::screen(sq, r, pats, &order, &lb, &kim, &suffix, slack, cutoff, magnitude, &mut best, stats);
        }
        Plan::Stream => {
            let mut ctx = Stream { r, pats, order: &order, lb: &lb, kim: &kim, slack, cutoff, suffix: &suffix };
            ctx.run(sq, &mut best, stats);
        }
        Plan::Groups(min_group) => {
            let visit = Visit { order: &order, lb: &lb, kim: &kim, min_group, cutoff, slack, margin: 0.0 };
            let lanes = |ids: &[usize], t: f64, tp: f64, res: &mut [f64; LANES]| {
                // Per-lane bounds of the rows still to come, for abandoning.
                let n = r.len();
                let m = pats.get(ids[0]).len();
                rest.resize((n + 1) * LANES, 0.0);
                for lane in 0..LANES {
                    let id = ids[if lane < ids.len() { lane } else { 0 }];
                    one.resize(n + 1, 0.0);
                    let w = band_w(window, n, m);
                    rest_bound(sq, r, pats.get(id), w, &mut one);
                    for (i, &x) in one[..=n].iter().enumerate() {
                        rest[i * LANES + lane] = x;
                    }
                }
                let bound = Abandon { rest: &rest, cut: tp, suffix: &suffix };
                if sq {
                    group::<true>(r, pats, ids, window, t, Some(&bound), res);
                } else {
                    group::<false>(r, pats, ids, window, t, Some(&bound), res);
                }
            };
            let mut one = vec![0.0; r.len() + 1];
            let pair = |c: usize, t: f64, tp: f64| {
                let p = pats.get(c);
                let m = p.len();
                if m == 0 || r.is_empty() {
                    return dtw(r, p, window, sq, t, Kernel::Auto);
                }
                // Rows are the longer series; bound its rows still to come.
                let (a, b) = if r.len() >= m { (r, p) } else { (p, r) };
                one.resize(a.len() + 1, 0.0);
                let w = band_w(window, a.len(), b.len());
                rest_bound(sq, a, b, w, &mut one);
                dtw_rest(a, b, window, sq, t, &one, tp, true, false, Kernel::Auto)
            };
            let grouped = |c: usize| if r.is_empty() { 0 } else { pats.points(c) };
            let refine = |c: usize| kim[c] + max(eq[c], keogh_ec(sq, r, pats.get(c), window));
            visit.run(grouped, &mut best, stats, refine, lanes, pair);
        }
    }
    let mut all = best.into_sorted();
    all.truncate(k);
    for (e, (oi, od)) in all.iter().zip(out_idx.iter_mut().zip(out_dist.iter_mut())) {
        *oi = e.1 as u32;
        *od = e.0;
    }
    Some(all.len())
}
