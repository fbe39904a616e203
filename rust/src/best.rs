//! The `k` best candidates of `topK`, its counters and the visit of its
//! candidates by bound, shared by its `f64` paths (`top_k.rs`), its `f32`
//! screening (`screen.rs`) and its `dims` forms (`top_k_dims.rs`).

use crate::batch::LANES;
use crate::num::min;

const INF: f64 = f64::INFINITY;

/// A max-heap of the best `k` (distance, index) pairs.
pub struct Best {
    pub k: usize,
    heap: std::collections::BinaryHeap<Entry>,
}

#[derive(PartialEq)]
struct Entry(f64, usize);
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Entry {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        self.0.partial_cmp(&o.0).unwrap().then(self.1.cmp(&o.1))
    }
}

impl Best {
    /// An empty list of the best `k` (`k` at most the number of candidates).
    pub fn new(k: usize) -> Best {
        Best { k, heap: std::collections::BinaryHeap::with_capacity(k + 1) }
    }
    #[inline(never)]
    pub fn offer(&mut self, d: f64, i: usize) {
        if self.heap.len() < self.k {
            self.heap.push(Entry(d, i));
        } else if Entry(d, i) < *self.heap.peek().unwrap() {
            self.heap.pop();
            self.heap.push(Entry(d, i));
        }
    }
    /// Current threshold: the k-th best distance (or `+inf`), capped by `cutoff`.
    pub fn threshold(&self, cutoff: f64) -> f64 {
        if self.heap.len() < self.k {
            cutoff
        } else {
            min(self.heap.peek().unwrap().0, cutoff)
        }
    }
    /// The (distance, index) pairs kept, sorted by distance, then index.
    pub fn into_sorted(self) -> Vec<(f64, usize)> {
        self.heap.into_sorted_vec().into_iter().map(|e| (e.0, e.1)).collect()
    }
}

/// Counts pattern `c` as pruned at threshold `tp` (by LB_Kim when that
/// bound alone exceeds it, else by LB_Keogh) and offers it as out of the
/// result.
pub fn prune(c: usize, kim: &[f64], tp: f64, best: &mut Best, stats: &mut TopKStats) {
    if kim[c] > tp {
        stats.pruned_kim += 1.0;
    } else {
        stats.pruned_keogh += 1.0;
    }
    best.offer(INF, c);
}

/// Counters of `topK`, in the order the TypeScript side reads them.
#[derive(Default)]
pub struct TopKStats {
    pub pruned_kim: f64,
    pub pruned_keogh: f64,
    pub abandoned: f64,
    pub computed: f64,
}

/// The candidates of `topK` visited by increasing lower bound (`order`),
/// for the paths that run groups of [`LANES`] patterns of one length or
/// single pairs (`top_k.rs`, `top_k_dims.rs`). A candidate is pruned, and
/// so is every later one, once `lb[c] > (t + margin) * slack` for the
/// current threshold `t` (the k-th best distance, or `cutoff`): `lb` and
/// `slack` must make that imply that its computed distance exceeds `t`.
/// `kim` (the LB_Kim part of `lb`) only tells the counters which bound
/// pruned it.
pub struct Visit<'a> {
    pub order: &'a [usize],
    pub lb: &'a [f64],
    pub kim: &'a [f64],
    /// Fewest candidates of one length that run together in the lanes.
    pub min_group: usize,
    pub cutoff: f64,
    pub slack: f64,
    pub margin: f64,
}

impl<'a> Visit<'a> {
    /// Visits every candidate: `length(c)` is the key that groups them
    /// (`0`: never in the lanes), `refine(c)` a second bound, as `lb`,
    /// computed only for a candidate about to run (`-inf` for none; it
    /// prunes the candidate alone), `lanes(ids, t, tp, res)` runs up to
    /// [`LANES`] of one length at threshold `t` (bounds cut at `tp`), and
    /// `pair(c, t, tp)` one alone; each returns `+inf` for a candidate
    /// whose distance exceeds `t`.
    pub fn run(
        &self,
        length: impl Fn(usize) -> usize,
        best: &mut Best,
        stats: &mut TopKStats,
        mut refine: impl FnMut(usize) -> f64,
        mut lanes: impl FnMut(&[usize], f64, f64, &mut [f64; LANES]),
        mut pair: impl FnMut(usize, f64, f64) -> f64,
    ) {
        let mut done = vec![false; self.lb.len()];
        // Candidates whose second bound did not prune them.
        let mut passed = vec![false; self.lb.len()];
        let mut ids: Vec<usize> = Vec::with_capacity(LANES);
        let mut res = [0.0; LANES];
        for (s, &c) in self.order.iter().enumerate() {
            if done[c] {
                continue;
            }
            let t = best.threshold(self.cutoff);
            let tp = (t + self.margin) * self.slack;
            if self.lb[c] > tp {
                // Every later candidate has a bound at least as large.
                for &c in &self.order[s..] {
                    if !done[c] {
                        prune(c, self.kim, tp, best, stats);
                    }
                }
                break;
            }
            // Whether candidate `d` survives its second bound (else pruned).
            let mut keep = |d: usize, done: &mut [bool], best: &mut Best, stats: &mut TopKStats| {
                if !passed[d] && refine(d) > tp {
                    done[d] = true;
                    prune(d, self.kim, tp, best, stats);
                    return false;
                }
                passed[d] = true;
                true
            };
            if !keep(c, &mut done, best, stats) {
                continue;
            }
            // Gather up to LANES unpruned candidates of the same length, in order.
            let m = length(c);
            ids.clear();
            ids.push(c);
            if m > 0 && self.min_group <= LANES {
                for &d in &self.order[s + 1..] {
                    if ids.len() == LANES || self.lb[d] > tp {
                        break;
                    }
                    if !done[d] && length(d) == m && keep(d, &mut done, best, stats) {
                        ids.push(d);
                    }
                }
            }
            if ids.len() >= self.min_group && m > 0 {
                lanes(&ids, t, tp, &mut res);
            } else {
                ids.truncate(1);
                res[0] = pair(c, t, tp);
            }
            for (lane, &id) in ids.iter().enumerate() {
                done[id] = true;
                let d = res[lane];
                if d == INF && t < INF {
                    stats.abandoned += 1.0;
                } else {
                    stats.computed += 1.0;
                }
                best.offer(d, id);
            }
        }
    }
}
