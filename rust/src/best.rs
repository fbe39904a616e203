//! The `k` best candidates of `topK` and its counters, shared by its `f64`
//! paths (`top_k.rs`) and its `f32` screening (`screen.rs`).

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
