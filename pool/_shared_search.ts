// Copyright 2026 the @midstreamer/kit authors. MIT license.
// WorkerPool.searchSubsequence over a series in shared memory: the control
// block that the calling thread and the workers share, and the workers'
// loop. Internal.
//
// The calling thread puts the series (or a segment of it) in a
// SharedArrayBuffer, part by part, and counts the parts whose points are
// in place (READY). Each worker of the call claims the next part (NEXT),
// waits until its points are in place, copies them into its WebAssembly
// memory and checks them there, and searches the part starting from the
// shared bound (the least bound of the final k-th match that any part has
// found so far); at every block of window starts within the part, the
// kernel lowers that bound with its own and takes it back (through the
// module's import `kit.exchange_bound`): no part waits for another to
// finish before it can prune, and there is one message per worker and
// call instead of one per part. The calling thread only copies
// (a typed array: a memcpy); the workers check the values, in parallel.

import {
  f64Heap,
  partWindowsArg,
  roundStagedF32,
  scratch,
  SEARCH_RESET,
  type SearchArgs,
  searchStaged,
  Slot,
  stagedNonFinite,
} from "../kernels/internal.ts";

/** Int32 slot of the control block: the next part to claim. */
const NEXT = 0;
/** Int32 slot: the number of parts whose points are in place. */
const READY = 1;
/** Int32 slot: 1 once the call has failed or was aborted. */
const STOP = 2;
/** Int32 slot: the first part found to hold a non-finite point (none: 2^31 - 1). */
const BAD = 3;

/** How long a worker waits for a part's points between checks of STOP, in ms. */
const WAIT_MS = 20;

/**
 * Window starts per part of a search in shared memory, for queries of up
 * to 128 points (see {@linkcode partFor}). 2^15: each search of a part
 * costs some 10 µs beyond its windows (the query's envelope and order, a
 * piece of the series' envelope; 0.3 ms per 1M windows in parts of 2^15
 * at query 128), and the last parts end within about one part's time of
 * each other (a bound found in one part reaches the other worker within a
 * block of 1,024 windows, whatever the part size). Parts of 2^14, 2^15
 * and 2^16 came out within a few per cent of each other, 2^15 ahead
 * (`scripts/pool_ratio.ts --parts`), before and after the bound was
 * exchanged within parts.
 */
let partWindows = 2 ** 15;

/**
 * The window starts per part that a worker claims at once for a query of
 * up to 128 points, and, given `windows`, sets it (for tests): a positive
 * multiple of `SEARCH_RESET`. Returns the value before the call.
 *
 * @throws {RangeError} when `windows` is not a positive multiple of `SEARCH_RESET`.
 */
export function sharedPartWindows(windows?: number): number {
  const before = partWindows;
  if (windows !== undefined) {
    partWindows = partWindowsArg("sharedPartWindows", windows);
  }
  return before;
}

/**
 * The window starts per part for a query of `m` points among `windows`
 * searched by `workers`: `sharedPartWindows()` up to 128 points, and in
 * proportion fewer for longer queries, whose windows cost more each (parts
 * of similar time, so that the last ones end together); at most a quarter
 * of a worker's share, so that a short series still makes several parts
 * each. A multiple of `SEARCH_RESET`, one at least.
 */
export function partFor(m: number, windows: number, workers: number): number {
  const scaled = Math.floor(partWindows * 128 / Math.max(128, m));
  const share = Math.ceil(windows / (4 * workers) / SEARCH_RESET);
  return SEARCH_RESET *
    Math.max(1, Math.min(Math.floor(scaled / SEARCH_RESET), share));
}

/** An f64 and its bits, to move the bound through a BigInt64 slot. */
const F64 = new Float64Array(1);
const BITS = new BigInt64Array(F64.buffer);

/**
 * The control block of one search: 32 bytes of shared memory with the
 * part counters, the shared bound (`Infinity` at first) and the number of
 * workers that have left the call.
 */
export class SearchControl {
  /** The shared memory, posted to the workers. */
  readonly buffer: SharedArrayBuffer;
  readonly #slots: Int32Array;
  readonly #bound: BigInt64Array;
  readonly #left: Int32Array;

  /**
   * The control block in `buffer` (a worker's view), or a new one: no
   * part claimed or ready, not stopped, and no bound (`Infinity`).
   */
  constructor(buffer?: SharedArrayBuffer) {
    this.buffer = buffer ?? new SharedArrayBuffer(32);
    this.#slots = new Int32Array(this.buffer, 0, 4);
    // Bytes 16 to 23: the bits of the shared bound, an f64 >= 0.
    this.#bound = new BigInt64Array(this.buffer, 16, 1);
    // Bytes 24 to 27: the workers that have left the call.
    this.#left = new Int32Array(this.buffer, 24, 1);
    if (buffer === undefined) {
      this.#slots[BAD] = 2 ** 31 - 1;
      F64[0] = Infinity;
      Atomics.store(this.#bound, 0, BITS[0]);
    }
  }

  /** Starts a segment: no part claimed or ready (the bound stays). */
  restart(): void {
    Atomics.store(this.#slots, NEXT, 0);
    Atomics.store(this.#slots, READY, 0);
  }

  /**
   * The parts claimed so far: the next part's number. Each worker claims
   * at most one part once the call is stopped, and searches none.
   */
  get claimed(): number {
    return Atomics.load(this.#slots, NEXT);
  }

  /** The workers that have left the call ({@linkcode searchClaimed} returned or threw). */
  get left(): number {
    return Atomics.load(this.#left, 0);
  }

  /** Counts a worker that leaves the call. */
  leave(): void {
    Atomics.add(this.#left, 0, 1);
  }

  /** Claims the next part; its number. */
  claim(): number {
    return Atomics.add(this.#slots, NEXT, 1);
  }

  /** Marks parts `0 .. parts - 1` as in place and wakes waiting workers. */
  ready(parts: number): void {
    Atomics.store(this.#slots, READY, parts);
    Atomics.notify(this.#slots, READY);
  }

  /**
   * Waits until part `part` is in place: true, or false once the call is
   * stopped. Ends: the calling thread either marks every part in place or
   * stops the call.
   */
  waitFor(part: number): boolean {
    for (;;) {
      if (this.stopped) return false;
      const ready = Atomics.load(this.#slots, READY);
      if (ready > part) return true;
      Atomics.wait(this.#slots, READY, ready, WAIT_MS);
    }
  }

  /** The first part found to hold a non-finite point (none: 2^31 - 1). */
  get badPart(): number {
    return Atomics.load(this.#slots, BAD);
  }

  /** Records that part `part` holds a non-finite point. */
  bad(part: number): void {
    let seen = Atomics.load(this.#slots, BAD);
    // Each failed exchange means another worker recorded an earlier part.
    while (part < seen) {
      const was = Atomics.compareExchange(this.#slots, BAD, seen, part);
      if (was === seen) return;
      seen = was;
    }
  }

  /** Tells the workers to claim no more parts, and wakes them. */
  stop(): void {
    Atomics.store(this.#slots, STOP, 1);
    Atomics.notify(this.#slots, READY);
  }

  /** Whether {@linkcode SearchControl.stop} was called. */
  get stopped(): boolean {
    return Atomics.load(this.#slots, STOP) !== 0;
  }

  /** The shared bound. */
  get bound(): number {
    BITS[0] = Atomics.load(this.#bound, 0);
    return F64[0];
  }

  /**
   * Lowers the shared bound to `value` (>= 0) if it is lower. The bits of
   * f64s >= 0 order as the values do, as signed 64-bit integers.
   */
  lower(value: number): void {
    F64[0] = value;
    const bits = BITS[0];
    let seen = Atomics.load(this.#bound, 0);
    // Each failed exchange means another worker lowered the bound.
    while (bits < seen) {
      const was = Atomics.compareExchange(this.#bound, 0, seen, bits);
      if (was === seen) return;
      seen = was;
    }
  }
}

/** What a worker returns from {@linkcode searchClaimed}. */
export interface ClaimedResult {
  /** Candidate (start, distance) pairs of each part searched, each sorted. */
  candidates: Float64Array[];
  /** The five counters, summed over the parts searched. */
  stats: number[];
  /** Window starts searched. */
  windows: number;
  /**
   * The absolute index of the first non-finite point of the first part
   * that held one (its search stopped there), or -1.
   */
  bad: number;
  /**
   * Bounds exchanged through the control block from within the parts'
   * searches: one per block of `SEARCH_RESET` window starts searched.
   */
  exchanges: number;
}

/**
 * A worker's share of a search in shared memory: claims parts of
 * `part` window starts (a multiple of `SEARCH_RESET`) among the `windows`
 * of `x` (a SharedArrayBuffer's view, `dims` values per point,
 * point-major, whose first point has absolute index `base`, a multiple of
 * `SEARCH_RESET`) until none are left, the call is
 * stopped, or the parts claimed come after one that holds a non-finite
 * point. Each part, once its points are in place, is copied into
 * WebAssembly memory, checked, and searched from the shared bound, which
 * the kernel lowers with its own and reads again at every block of
 * `SEARCH_RESET` window starts, and at the part's end. A part with a
 * non-finite point is not
 * searched: its first such point is returned as `bad` (parts are claimed
 * in order, so every part before the first bad one is checked, and the
 * least `bad` of the workers is the series' first non-finite point; for
 * precision `"f32"`, `args.f32`, the values are rounded to `f32` here and
 * a finite value that overflows `f32` is bad too).
 */
export function searchClaimed(
  x: Float64Array,
  base: number,
  query: Float64Array,
  args: SearchArgs,
  control: SharedArrayBuffer,
  part: number,
  windows: number,
  dims = 1,
): ClaimedResult {
  const c = new SearchControl(control);
  try {
    return claimParts(c, x, base, query, args, part, windows, dims);
  } finally {
    c.leave();
  }
}

/** {@linkcode searchClaimed} through the control block `c`. */
function claimParts(
  c: SearchControl,
  x: Float64Array,
  base: number,
  query: Float64Array,
  args: SearchArgs,
  part: number,
  windows: number,
  dims: number,
): ClaimedResult {
  const m = query.length / dims;
  const count = Math.ceil(windows / part);
  // Within a part, at every block of window starts, the kernel offers its
  // bound and takes the shared one: a bound found in one part prunes the
  // other workers' parts at once, not when their parts end.
  let exchanges = 0;
  const exchange = (t: number) => {
    exchanges++;
    c.lower(t);
    return c.bound;
  };
  const candidates: Float64Array[] = [];
  const stats = [0, 0, 0, 0, 0];
  let searched = 0;
  for (
    let j = c.claim();
    j < count && j < c.badPart && c.waitFor(j);
    j = c.claim()
  ) {
    const from = j * part;
    const points = Math.min(part, windows - from) + m - 1;
    const px = scratch(Slot.A, points * dims * 8);
    const heap = f64Heap();
    heap.set(x.subarray(from * dims, (from + points) * dims), px >>> 3);
    // (A multivariate series was checked, and rounded for "f32", when it
    // was packed; a value that overflows f32 is bad too.)
    let i = dims === 1 ? stagedNonFinite(px, points) : -1;
    if (i < 0 && dims === 1 && args.f32) i = roundStagedF32(px, points);
    if (i >= 0) {
      c.bad(j);
      const bad = base + from + i;
      return { candidates, stats, windows: searched, bad, exchanges };
    }
    const r = searchStaged(
      px,
      points,
      base + from,
      query,
      args,
      c.bound,
      dims,
      exchange,
    );
    c.lower(r.cutoff);
    if (r.candidates.length > 0) candidates.push(r.candidates);
    for (let s = 0; s < 5; s++) stats[s] += r.stats[s];
    searched += points - m + 1;
  }
  return { candidates, stats, windows: searched, bad: -1, exchanges };
}
