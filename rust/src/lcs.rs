//! Longest Common Subsequence length, bit-parallel (Hyyrö 2004).
//!
//! # The recurrence
//!
//! The shorter sequence `p` (the *pattern*, `m` symbols) is a bit vector;
//! the longer one (the *text*) is scanned one symbol `c` at a time. With
//! `M[c]` the bits of the positions of `c` in `p` and `V` initially all
//! ones:
//!
//! ```text
//! U  = V & M[c]
//! V' = (V + U) | (V - U)        (V - U = V & !M[c]: no borrows)
//! ```
//!
//! and the LCS length is the number of zero bits among the first `m` bits
//! of `V` at the end. Only the addition carries across words.
//!
//! # Words with a carry bit
//!
//! A word holds `B` pattern bits under one spare top bit (`B = 63` in `u64`,
//! `31` in each `u32` lane of a `u32x4`). The top bit of `V` is stale (it
//! holds the last carry out) and every match word `M'` has its top bit set,
//! so `U = V & M'` has the same stale top bit `j` as `V`:
//!
//! ```text
//! U   = V & M'
//! s   = V + U + carry_in        (= V_low + U_low + carry_in: the two top
//!                                 bits add j * 2^(B+1), which overflows)
//! V'  = s | (V ^ U)             (V ^ U = V & !M', top bit clear)
//! carry_out = s >> B            (the top bit of s)
//! ```
//!
//! Six operations and one load per word. Pattern bits past `m` have
//! `M = 0`, so they stay `1` and never count.
//!
//! # Segments and local alphabets
//!
//! Words are processed in segments of at most `K` words, kept in registers.
//! Each segment has its own *local alphabet*: the symbols of its slice of
//! the pattern(s), numbered from 1 (0 is "absent": a row of no matches).
//! A global `map` (one entry per symbol id, all zero between calls) gives
//! the byte offset of a symbol's row in the segment table, so tables stay
//! small for any alphabet and any length. When there are several segments,
//! the carry out of the last word of a segment at each text step is stored
//! and read by the next segment.
//!
//! # The correlation matrix
//!
//! [`lcs_corr_rows`] runs 4 patterns at once in the `u32x4` lanes against a
//! shared text (the local alphabet is the union of the 4 slices, so one
//! vector load fetches the 4 match words), and two texts at once as two
//! independent carry chains. The TypeScript side sorts the sequences by
//! length, so a block's patterns are never longer than its texts, and the
//! 4 lanes have similar lengths. Carries between segments take one byte
//! per text step (one bit per lane).

use core::arch::wasm32::*;
use std::cell::RefCell;

/// Pattern bits per `u64` word of the single-pair kernel.
const B64: usize = 63;
/// Words per segment of the single-pair kernel (at most; see [`lcs`]).
pub const K64: usize = 8;
/// Pattern bits per `u32` lane word of the matrix kernel.
const B32: usize = 31;
/// Words per segment of the matrix kernel: 7 words (217 symbols, so 200
/// signals take one segment) for each of 2 chains is about what V8 keeps in
/// its 16 SIMD registers; 1 chain measured 9 % slower. At most; see
/// [`corr_rows`].
pub const K32: usize = 7;
/// Patterns per block of the matrix kernel (the `u32x4` lanes).
const LANES: usize = 4;

const TOP64: u64 = 1 << 63;
const LOW64: u64 = TOP64 - 1;
const TOP32: u32 = 1 << 31;
const LOW32: u32 = TOP32 - 1;

struct Bufs {
    /// Symbol id -> byte offset of its row in the current table; 0 = absent.
    /// All zero between uses.
    map: Vec<u32>,
    /// Ids whose `map` entry is set.
    touched: Vec<u32>,
    /// Segment table of the single-pair kernel.
    t64: Vec<u64>,
    /// Carries between segments of the single-pair kernel.
    c64: Vec<u8>,
    /// Final words of the single-pair kernel.
    v64: Vec<u64>,
    /// Segment table of the matrix kernel.
    t32: Vec<v128>,
    /// Carries between segments of the matrix kernel, per text: bit `k`
    /// is the carry of lane `k`.
    c32: Vec<u8>,
    /// LCS lengths (one lane per pattern) per text of a block.
    acc: Vec<v128>,
}

thread_local! {
    static BUFS: RefCell<Bufs> = RefCell::new(Bufs {
        map: Vec::new(),
        touched: Vec::new(),
        t64: Vec::new(),
        c64: Vec::new(),
        v64: Vec::new(),
        t32: Vec::new(),
        c32: Vec::new(),
        acc: Vec::new(),
    });
}

fn grow<T: Copy>(v: &mut Vec<T>, len: usize, fill: T) {
    if v.len() < len {
        v.resize(len, fill);
    }
}

impl Bufs {
    fn clear_map(&mut self) {
        for &id in &self.touched {
            self.map[id as usize] = 0;
        }
        self.touched.clear();
    }
}

/// Calls the segment kernel `$f::<K, FIRST, LAST>$args` for a run-time
/// segment width `$k` in `1..=8` (`_` is 1) and flags `$first`, `$last`.
macro_rules! by_width {
    ($f:ident, $k:expr, $first:expr, $last:expr, $args:tt) => {
        match $k {
            8 => by_width!(@flags $f, 8, $first, $last, $args),
            7 => by_width!(@flags $f, 7, $first, $last, $args),
            6 => by_width!(@flags $f, 6, $first, $last, $args),
            5 => by_width!(@flags $f, 5, $first, $last, $args),
            4 => by_width!(@flags $f, 4, $first, $last, $args),
            3 => by_width!(@flags $f, 3, $first, $last, $args),
            2 => by_width!(@flags $f, 2, $first, $last, $args),
            _ => by_width!(@flags $f, 1, $first, $last, $args),
        }
    };
    (@flags $f:ident, $k:literal, $first:expr, $last:expr, $args:tt) => {
        match ($first, $last) {
            (true, true) => $f::<$k, true, true> $args,
            (true, false) => $f::<$k, true, false> $args,
            (false, true) => $f::<$k, false, true> $args,
            (false, false) => $f::<$k, false, false> $args,
        }
    };
}

// ---------------------------------------------------------------------------
// One pair, u64 words.

/// LCS length of two sequences of symbol ids `< sigma`, with segments of
/// `words` (`1..=K64`) words.
pub fn lcs(a: &[u32], b: &[u32], sigma: usize, words: usize) -> usize {
    let (text, pat) = if a.len() >= b.len() { (a, b) } else { (b, a) };
    if pat.is_empty() {
        return 0;
    }
    with_bit_vector(text, pat, sigma, words, |v| {
        v.iter().map(|&x| (!x).count_ones() as usize).sum()
    })
}

/// The DP row of `text` against every prefix of `pat`: `row[j]` is the LCS
/// length of `text` and `pat[..j]`, for `j` in `0..=pat.len()`; segments
/// of `words` (`1..=K64`) words.
pub fn lcs_row(text: &[u32], pat: &[u32], sigma: usize, words: usize, row: &mut [u32]) {
    row[0] = 0;
    if pat.is_empty() {
        return;
    }
    with_bit_vector(text, pat, sigma, words, |v| {
        let mut count = 0;
        for j in 0..pat.len() {
            count += ((v[j / B64] >> (j % B64)) & 1) as u32 ^ 1;
            row[j + 1] = count;
        }
    })
}

/// Runs the recurrence of `pat` (not empty) over `text`, in segments of
/// `seg` (`1..=K64`) words, and calls `f` with the final words of `V`
/// (pattern bits only: the top bits set).
fn with_bit_vector<R>(text: &[u32], pat: &[u32], sigma: usize, seg: usize, f: impl FnOnce(&[u64]) -> R) -> R {
    debug_assert!((1..=K64).contains(&seg));
    BUFS.with(|bufs| {
        let bufs = &mut *bufs.borrow_mut();
        grow(&mut bufs.map, sigma, 0);
        grow(&mut bufs.t64, (K64 * B64 + 1) * K64, 0);
        let words = (pat.len() + B64 - 1) / B64;
        let segs = (words + seg - 1) / seg;
        if segs > 1 {
            grow(&mut bufs.c64, text.len(), 0);
        }
        let mut v = std::mem::take(&mut bufs.v64);
        grow(&mut v, words, 0);
        for g in 0..segs {
            let k = seg.min(words - g * seg);
            let lo = g * seg * B64;
            let hi = pat.len().min(lo + k * B64);
            build64(bufs, &pat[lo..hi], k);
            let out = &mut v[g * seg..g * seg + k];
            // SAFETY: `build64` just built the table of `k` words and mapped
            // every symbol of the segment; every id of `text` is `< sigma`,
            // the length of `map`; `c64` holds `text.len()` carries when
            // there is more than one segment (only then are they read or
            // written).
            unsafe { by_width!(seg64, k, g == 0, g == segs - 1, (bufs, text, out)) };
            bufs.clear_map();
        }
        let r = f(&v[..words]);
        bufs.v64 = v;
        r
    })
}

/// Builds the table of one segment (`k` words) of the pattern.
fn build64(bufs: &mut Bufs, pat: &[u32], k: usize) {
    let t = &mut bufs.t64;
    for x in &mut t[..k] {
        *x = TOP64;
    }
    let mut rows = 1;
    let (mut w, mut bit) = (0, 0);
    for &id in pat {
        let mut off = bufs.map[id as usize] as usize;
        if off == 0 {
            off = rows * k * 8;
            rows += 1;
            bufs.map[id as usize] = off as u32;
            bufs.touched.push(id);
            for x in &mut t[off / 8..off / 8 + k] {
                *x = TOP64;
            }
        }
        t[off / 8 + w] |= 1 << bit;
        bit += 1;
        if bit == B64 {
            bit = 0;
            w += 1;
        }
    }
}

/// Runs the text over one segment; writes its final words, top bits set,
/// to `out`.
///
/// # Safety
/// `bufs.t64` must hold the segment's table of `K` words per row (see
/// [`build64`]) and `bufs.map` an entry for every id of `text`; unless
/// `FIRST` and `LAST`, `bufs.c64` must hold `text.len()` carries.
#[inline(never)]
unsafe fn seg64<const K: usize, const FIRST: bool, const LAST: bool>(bufs: &mut Bufs, text: &[u32], out: &mut [u64]) {
    let tbl = bufs.t64.as_ptr() as *const u8;
    let map = bufs.map.as_ptr();
    let carry = bufs.c64.as_mut_ptr();
    let mut v = [LOW64; K];
    for (i, &id) in text.iter().enumerate() {
        let row = tbl.add(*map.add(id as usize) as usize) as *const u64;
        let mut c = if FIRST { 0 } else { *carry.add(i) as u64 };
        for (w, vw) in v.iter_mut().enumerate() {
            let u = *vw & *row.add(w);
            let s = vw.wrapping_add(u).wrapping_add(c);
            *vw = s | (*vw ^ u);
            c = s >> B64;
        }
        if !LAST {
            *carry.add(i) = c as u8;
        }
    }
    for (o, &x) in out.iter_mut().zip(v.iter()) {
        *o = x | TOP64;
    }
}

/// Widest value range [`lcs_dense`] turns into ids directly.
const DENSE_RANGE: i64 = 1 << 16;

/// LCS length of two `i32` sequences whose values span less than
/// [`DENSE_RANGE`]: the values minus the minimum are the ids (overwriting
/// the inputs). `None`, inputs untouched, when the range is wider.
/// Segments of `words` (`1..=K64`) words.
pub fn lcs_dense(a: &mut [i32], b: &mut [i32], words: usize) -> Option<usize> {
    if a.is_empty() || b.is_empty() {
        return Some(0);
    }
    let (mut lo, mut hi) = (i32::MAX, i32::MIN);
    for &x in a.iter().chain(b.iter()) {
        lo = lo.min(x);
        hi = hi.max(x);
    }
    let range = hi as i64 - lo as i64 + 1;
    if range > DENSE_RANGE {
        return None;
    }
    for x in a.iter_mut().chain(b.iter_mut()) {
        *x = x.wrapping_sub(lo);
    }
    // SAFETY: `i32` and `u32` have one size and alignment, and every bit
    // pattern is valid for both; the shared views end with the borrows.
    let (a, b) = unsafe {
        (
            std::slice::from_raw_parts(a.as_ptr() as *const u32, a.len()),
            std::slice::from_raw_parts(b.as_ptr() as *const u32, b.len()),
        )
    };
    Some(lcs(a, b, range as usize, words))
}

// ---------------------------------------------------------------------------
// The correlation matrix: 4 patterns x 2 texts at a time, u32x4 lanes.

/// Sequences as the TypeScript side encodes them: ids of sequence `q` are
/// `ids[starts[q]..starts[q + 1]]`; `order[r]` is the sequence at sorted
/// position `r` (sorted by length, ascending).
pub struct Seqs<'a> {
    pub ids: &'a [u32],
    pub starts: &'a [u32],
    pub order: &'a [u32],
}

impl<'a> Seqs<'a> {
    fn get(&self, r: usize) -> &'a [u32] {
        let q = self.order[r] as usize;
        &self.ids[self.starts[q] as usize..self.starts[q + 1] as usize]
    }
}

/// Correlations `lcs / max(len)` (1 for two empty sequences) of the pairs
/// `(r, s)`, `r0 <= r < r1 <= n`, `r < s < n`, in sorted positions,
/// row-major, into `out`, with segments of `words` (`1..=K32`) words.
pub fn corr_rows(seqs: &Seqs, sigma: usize, r0: usize, r1: usize, words: usize, out: &mut [f64]) {
    let n = seqs.order.len();
    BUFS.with(|bufs| {
        let bufs = &mut *bufs.borrow_mut();
        grow(&mut bufs.map, sigma, 0);
        grow(&mut bufs.t32, (LANES * K32 * B32 + 1) * K32, u32x4_splat(0));
        let mut row_off = 0;
        let mut b = r0;
        while b < r1 {
            let nr = LANES.min(r1 - b);
            let pats: [&[u32]; LANES] = core::array::from_fn(|k| if k < nr { seqs.get(b + k) } else { &[] });
            let texts = b + 1..n;
            block(bufs, seqs, &pats, texts.clone(), words);
            for (k, pat) in pats.iter().enumerate().take(nr) {
                let r = b + k;
                for s in r + 1..n {
                    let l = bufs.acc[s - texts.start];
                    let lcs = match k {
                        0 => u32x4_extract_lane::<0>(l),
                        1 => u32x4_extract_lane::<1>(l),
                        2 => u32x4_extract_lane::<2>(l),
                        _ => u32x4_extract_lane::<3>(l),
                    };
                    let max = pat.len().max(seqs.get(s).len());
                    out[row_off + s - r - 1] = if max == 0 { 1.0 } else { lcs as f64 / max as f64 };
                }
                row_off += n - r - 1;
            }
            b += nr;
        }
    })
}

/// LCS lengths of the (up to 4) patterns against every text `s` in `texts`,
/// into `bufs.acc[s - texts.start]`, one lane per pattern; segments of
/// `seg` (`1..=K32`) words.
fn block(bufs: &mut Bufs, seqs: &Seqs, pats: &[&[u32]; LANES], texts: std::ops::Range<usize>, seg: usize) {
    debug_assert!((1..=K32).contains(&seg));
    let nt = texts.len();
    grow(&mut bufs.acc, nt, u32x4_splat(0));
    for x in &mut bufs.acc[..nt] {
        *x = u32x4_splat(0);
    }
    let longest = pats.iter().map(|p| p.len()).max().unwrap_or(0);
    let words = (longest + B32 - 1) / B32;
    let segs = (words + seg - 1) / seg;
    if segs > 1 {
        let total: usize = texts.clone().map(|s| seqs.get(s).len()).sum();
        grow(&mut bufs.c32, total, 0);
    }
    for g in 0..segs {
        let k = seg.min(words - g * seg);
        build32(bufs, pats, g * seg * B32, k);
        let (first, last) = (g == 0, g == segs - 1);
        let mut coff = 0;
        let mut s = texts.start;
        while s < texts.end {
            let a1 = seqs.get(s);
            let (a2, s2) = if s + 1 < texts.end {
                (seqs.get(s + 1), true)
            } else {
                (&[][..], false)
            };
            let c1 = coff;
            let c2 = coff + a1.len();
            // SAFETY: `build32` just built the table of `k` words and mapped
            // every symbol of the patterns' segment; every id is `< sigma`,
            // the length of `map`; with more than one segment, `c32` holds
            // a carry per step of every text, and `c1`, `c2` are the
            // offsets of `a1`, `a2` there.
            let (l1, l2) = unsafe { by_width!(seg32, k, first, last, (bufs, a1, c1, a2, c2)) };
            let i = s - texts.start;
            bufs.acc[i] = u32x4_add(bufs.acc[i], l1);
            if s2 {
                bufs.acc[i + 1] = u32x4_add(bufs.acc[i + 1], l2);
            }
            coff = c2 + a2.len();
            s += 2;
        }
        bufs.clear_map();
    }
}

/// Builds the table of the segment of `k` words starting at pattern
/// position `lo`, one lane per pattern.
fn build32(bufs: &mut Bufs, pats: &[&[u32]; LANES], lo: usize, k: usize) {
    let t = bufs.t32.as_mut_ptr() as *mut u32;
    let fill = |t: *mut u32, off: usize| {
        // SAFETY: `off` is the byte offset of a row of `k` vectors, and at
        // most `1 + LANES * k * B32` rows fit in `t32`.
        unsafe {
            let row = t.add(off / 4) as *mut v128;
            for w in 0..k {
                *row.add(w) = u32x4_splat(TOP32);
            }
        }
    };
    fill(t, 0);
    let mut rows = 1;
    for (lane, pat) in pats.iter().enumerate() {
        if pat.len() <= lo {
            continue;
        }
        let hi = pat.len().min(lo + k * B32);
        let (mut w, mut bit) = (0, 0);
        for &id in &pat[lo..hi] {
            let mut off = bufs.map[id as usize] as usize;
            if off == 0 {
                off = rows * k * 16;
                rows += 1;
                bufs.map[id as usize] = off as u32;
                bufs.touched.push(id);
                fill(t, off);
            }
            // SAFETY: rows <= 1 + LANES * k * B32, within t32.
            unsafe { *t.add(off / 4 + w * 4 + lane) |= 1 << bit };
            bit += 1;
            if bit == B32 {
                bit = 0;
                w += 1;
            }
        }
    }
}

/// One word of the recurrence, for 4 patterns at once.
#[inline(always)]
fn word32(v: &mut v128, m: v128, c: &mut v128) {
    let u = v128_and(*v, m);
    let s = i32x4_add(i32x4_add(*v, u), *c);
    *v = v128_or(s, v128_xor(*v, u));
    *c = u32x4_shr(s, B32 as u32);
}

/// The carries out of a last word: its top bits (`V' = s | (V ^ U)`, where
/// `V ^ U` has a clear top bit).
#[inline(always)]
fn pack(v: v128) -> u8 {
    i32x4_bitmask(v) as u8
}

/// Carries as stored by [`pack`], back to `0`/`1` lanes (`bits` is
/// `(1, 2, 4, 8)`).
#[inline(always)]
fn unpack(c: u8, bits: v128) -> v128 {
    u32x4_min(v128_and(u32x4_splat(c as u32), bits), u32x4_splat(1))
}

/// Zero bits among the pattern bits of `v`, per lane.
#[inline(always)]
fn zeros32<const K: usize>(v: &[v128; K]) -> v128 {
    let low = u32x4_splat(LOW32);
    let mut bytes = i8x16_splat(0);
    for &x in v {
        bytes = i8x16_add(bytes, i8x16_popcnt(v128_andnot(low, x)));
    }
    u32x4_extadd_pairwise_u16x8(u16x8_extadd_pairwise_u8x16(bytes))
}

/// Runs texts `a1` and `a2` (two independent chains) over one segment of
/// `K` words; their carries between segments sit at `c1` and `c2` in
/// `bufs.c32`. Returns the zero bits of the segment, per lane, per text.
///
/// # Safety
/// `bufs.t32` must hold the segment's table of `K` vectors per row (see
/// [`build32`]) and `bufs.map` an entry for every id of `a1` and `a2`;
/// unless `FIRST` and `LAST`, `bufs.c32` must hold `a1.len()` carries at
/// `c1` and `a2.len()` at `c2`.
#[inline(never)]
unsafe fn seg32<const K: usize, const FIRST: bool, const LAST: bool>(
    bufs: &mut Bufs,
    a1: &[u32],
    c1: usize,
    a2: &[u32],
    c2: usize,
) -> (v128, v128) {
    let tbl = bufs.t32.as_ptr() as *const u8;
    let map = bufs.map.as_ptr();
    let cb = bufs.c32.as_mut_ptr();
    let (cp1, cp2) = (cb.wrapping_add(c1), cb.wrapping_add(c2));
    let bits = u32x4(1, 2, 4, 8);
    let init = u32x4_splat(LOW32);
    let zero = u32x4_splat(0);
    let mut v1 = [init; K];
    let mut v2 = [init; K];
    let both = a1.len().min(a2.len());
    let (p1, p2) = (a1.as_ptr(), a2.as_ptr());
    let mut i = 0;
    while i < both {
        let r1 = tbl.add(*map.add(*p1.add(i) as usize) as usize) as *const v128;
        let r2 = tbl.add(*map.add(*p2.add(i) as usize) as usize) as *const v128;
        let mut k1 = if FIRST { zero } else { unpack(*cp1.add(i), bits) };
        let mut k2 = if FIRST { zero } else { unpack(*cp2.add(i), bits) };
        for w in 0..K {
            word32(&mut v1[w], v128_load(r1.add(w)), &mut k1);
            word32(&mut v2[w], v128_load(r2.add(w)), &mut k2);
        }
        if !LAST {
            *cp1.add(i) = pack(v1[K - 1]);
            *cp2.add(i) = pack(v2[K - 1]);
        }
        i += 1;
    }
    tail::<K, FIRST, LAST>(&mut v1, tbl, map, a1, cp1, both);
    tail::<K, FIRST, LAST>(&mut v2, tbl, map, a2, cp2, both);
    (zeros32(&v1), zeros32(&v2))
}

/// Steps `from..` of a text alone (the rest of the longer of two texts).
///
/// # Safety
/// As [`seg32`] for `a`, with `tbl` and `map` the table and map and `cp`
/// its carries.
#[inline(always)]
unsafe fn tail<const K: usize, const FIRST: bool, const LAST: bool>(
    v: &mut [v128; K],
    tbl: *const u8,
    map: *const u32,
    a: &[u32],
    cp: *mut u8,
    from: usize,
) {
    for i in from..a.len() {
        let r = tbl.add(*map.add(*a.as_ptr().add(i) as usize) as usize) as *const v128;
        let mut k = if FIRST {
            u32x4_splat(0)
        } else {
            unpack(*cp.add(i), u32x4(1, 2, 4, 8))
        };
        for (w, vw) in v.iter_mut().enumerate() {
            word32(vw, v128_load(r.add(w)), &mut k);
        }
        if !LAST {
            *cp.add(i) = pack(v[K - 1]);
        }
    }
}
