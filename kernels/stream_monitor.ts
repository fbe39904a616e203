// Copyright 2026 the @midstreamer/kit authors. MIT license.

import {
  checkOptionKeys,
  copySeries,
  costArg,
  describe,
  seriesLength,
  windowArg,
} from "./_validate.ts";

/** A subsequence of the stream that matches the query. */
export interface StreamMatch {
  /** Position of the first matched point (0-based, counting every pushed value). */
  start: number;
  /** Position of the last matched point, inclusive. */
  end: number;
  /** DTW distance between the query and `stream[start..end]`. */
  distance: number;
}

/**
 * Options of {@linkcode StreamMonitor}: `cutoff` is required (`threshold`
 * is its deprecated name).
 */
export interface StreamMonitorOptions {
  /**
   * Report subsequences whose DTW distance to the query is `<= cutoff`.
   * Required (or its deprecated name `threshold`).
   */
  cutoff?: number;
  /**
   * The former name of `cutoff`.
   *
   * @deprecated Use `cutoff`. Removed in 1.0.
   */
  threshold?: number;
  /**
   * Sakoe-Chiba band half-width, in points around the diagonal that starts
   * at the match start: a point of the stream `t` steps after the start may
   * align with query points `t - window … t + window` only. A match is then
   * between `query.length - window` and `query.length + window` points
   * long. `Infinity` means no band.
   *
   * @default {undefined} no band: matches of any length (plain SPRING)
   */
  window?: number;
  /**
   * Local cost: `"absolute"` is `|x - y|`, `"squared"` is `(x - y)²`.
   *
   * @default {"absolute"}
   */
  cost?: "absolute" | "squared";
}

const KEYS = ["cutoff", "threshold", "window", "cost"] as const;

/**
 * Finds, in a stream of numbers, the subsequences whose DTW distance to a
 * query is at most `cutoff`, as the points arrive. It implements SPRING
 * (Sakurai, Faloutsos and Yamamuro, "Stream Monitoring under the Time Warping
 * Distance", ICDE 2007): subsequence DTW in `O(query.length)` time and memory
 * per point, reporting a match as soon as no later point can improve on it.
 *
 * What it guarantees (and the tests check against brute force):
 * - the reported `distance` is exactly `dtw(query, stream[start..end])`;
 * - reported matches are disjoint, in stream order, and within `cutoff`;
 * - no qualifying subsequence is missed: each one overlaps a chain of
 *   overlapping qualifying subsequences that contains a reported match;
 * - no subsequence inside a reported match has a smaller distance.
 *
 * Unlike the published algorithm, which sets the cells that overlap a
 * reported match to infinity, the monitor recomputes them from the values
 * seen since the match ended (kept only while a match is pending), so the
 * distances of later matches stay exact.
 *
 * With `window`, every cell also tracks its offset from the start diagonal,
 * which keeps the search exact under the band at `O(query.length × (2 ×
 * window + 1))` per point.
 *
 * @example Find a pattern in a stream
 * ```ts
 * import { StreamMonitor } from "@midstreamer/kit";
 * import assert from "node:assert/strict";
 *
 * const monitor = new StreamMonitor([1, 2, 3, 2, 1], { cutoff: 0.5 });
 * const stream = [0, 0, 0, 1, 2, 3, 3, 2, 1, 0, 0, 0];
 * const matches = [];
 * for (const x of stream) {
 *   const m = monitor.push(x);
 *   if (m) matches.push(m);
 * }
 * const last = monitor.flush();
 * if (last) matches.push(last);
 * assert.deepEqual(matches, [{ start: 3, end: 8, distance: 0 }]);
 * ```
 *
 * @example Monitor an async source
 * ```ts
 * import { StreamMonitor } from "@midstreamer/kit";
 * import assert from "node:assert/strict";
 *
 * async function* ticks() {
 *   yield* [5, 5, 1, 2, 3, 5, 5, 1, 2, 3];
 * }
 * const monitor = new StreamMonitor([1, 2, 3], { cutoff: 0 });
 * const found = [];
 * for await (const m of monitor.monitor(ticks())) found.push(m.start);
 * assert.deepEqual(found, [2, 7]);
 * ```
 */
export class StreamMonitor {
  readonly #query: Float64Array;
  readonly #cutoff: number;
  readonly #squared: boolean;
  /** Band half-width, or -1 for none. */
  readonly #w: number;
  /** Columns per query point: 1 without a band, else 2w + 1 offsets. */
  readonly #width: number;
  /** Cumulative distances of the current and previous point. */
  #d: Float64Array;
  #dPrev: Float64Array;
  /** Start positions (unbanded only; the banded start follows from the offset). */
  #s: Float64Array;
  #sPrev: Float64Array;
  #t = -1;
  /** Values after the pending match's end, to recompute cells after a report. */
  #since: number[] = [];
  /** Matches that became final together, returned by the next calls. */
  #ready: StreamMatch[] = [];
  #best = Infinity;
  #bestStart = -1;
  #bestEnd = -1;

  /**
   * Creates a monitor for `query`.
   *
   * @example A monitor with a band
   * ```ts
   * import { StreamMonitor } from "@midstreamer/kit";
   * import assert from "node:assert/strict";
   *
   * const monitor = new StreamMonitor([0, 1, 0], { cutoff: 0.5, window: 1 });
   * assert.equal(monitor.position, 0);
   * ```
   *
   * @param query The pattern to look for: a non-empty array of finite numbers.
   * @param options The cutoff, and optionally a band and the cost.
   * @throws {TypeError} on a non-array or non-finite query element, a missing or non-number `cutoff`, both `cutoff` and `threshold`, or an unknown option.
   * @throws {RangeError} on an empty query, a negative or `NaN` `cutoff`, or a negative or fractional `window`.
   */
  constructor(query: ArrayLike<number>, options: StreamMonitorOptions) {
    const fn = "StreamMonitor";
    const m = seriesLength(fn, "query", query);
    const o = checkOptionKeys(fn, options, KEYS);
    if (o.cutoff !== undefined && o.threshold !== undefined) {
      throw new TypeError(
        `${fn}: options.cutoff and options.threshold are the same option (threshold is its deprecated name); give cutoff only`,
      );
    }
    const cutoff = o.cutoff ?? o.threshold;
    const name = o.cutoff === undefined && o.threshold !== undefined
      ? "threshold"
      : "cutoff";
    if (cutoff === undefined) {
      throw new TypeError(`${fn}: options.cutoff is required`);
    }
    if (m === 0) throw new RangeError(`${fn}: query must not be empty`);
    this.#query = new Float64Array(m);
    copySeries(fn, "query", query, this.#query, 0);
    if (typeof cutoff !== "number") {
      throw new TypeError(
        `${fn}: options.${name} must be a number, got ${describe(cutoff)}`,
      );
    }
    if (!(cutoff >= 0)) {
      throw new RangeError(
        `${fn}: options.${name} must be a non-negative number, got ${cutoff}`,
      );
    }
    this.#cutoff = cutoff;
    this.#squared = costArg(fn, o.cost) === 1;
    const w = windowArg(fn, o.window);
    this.#w = w >= m ? -1 : w; // a band as wide as the query does not bind
    this.#width = this.#w < 0 ? 1 : 2 * this.#w + 1;
    const cells = m * this.#width;
    this.#d = new Float64Array(cells).fill(Infinity);
    this.#dPrev = new Float64Array(cells).fill(Infinity);
    this.#s = new Float64Array(this.#w < 0 ? m : 0);
    this.#sPrev = new Float64Array(this.#w < 0 ? m : 0);
  }

  /**
   * Number of values pushed so far.
   *
   * @example Counting the stream
   * ```ts
   * import { StreamMonitor } from "@midstreamer/kit";
   * import assert from "node:assert/strict";
   *
   * const monitor = new StreamMonitor([1, 2], { cutoff: 0 });
   * for (const x of [5, 6, 7]) monitor.push(x);
   * assert.equal(monitor.position, 3);
   * ```
   *
   * @returns The number of values pushed.
   */
  get position(): number {
    return this.#t + 1;
  }

  /**
   * Feeds the next value of the stream.
   *
   * @example A match reported once no later point can improve it
   * ```ts
   * import { StreamMonitor } from "@midstreamer/kit";
   * import assert from "node:assert/strict";
   *
   * const monitor = new StreamMonitor([1, 2, 3], { cutoff: 0 });
   * const reported = [0, 1, 2, 3, 9, 9].map((x) => monitor.push(x));
   * assert.deepEqual(reported.filter((m) => m !== undefined), [
   *   { start: 1, end: 3, distance: 0 },
   * ]);
   * ```
   *
   * @param value The next point: a finite number.
   * @returns A match that has become final, if any. (In the rare case that
   * two become final at once, the second is returned by the next call of
   * `push` or `flush`.)
   * @throws {TypeError} when `value` is not a finite number.
   */
  push(value: number): StreamMatch | undefined {
    if (typeof value !== "number" || value - value !== 0) {
      throw new TypeError(
        `StreamMonitor.push: value at position ${this.#t + 1} is ${
          typeof value === "number" ? value : describe(value)
        }; expected a finite number`,
      );
    }
    this.#t++;
    this.#advance(value, this.#t);
    return this.#ready.shift();
  }

  /** One point: update the cells, report a settled match, track the best end. */
  #advance(value: number, t: number): void {
    if (this.#w < 0) this.#stepSpring(value, t);
    else this.#stepBanded(value);
    if (this.#best <= this.#cutoff) {
      this.#since.push(value);
      if (this.#settled(t)) this.#report();
    }
    const [d, start] = this.#endCandidate(t);
    if (d <= this.#cutoff && d < this.#best) {
      this.#best = d;
      this.#bestStart = start;
      this.#bestEnd = t;
      this.#since.length = 0;
    }
  }

  /**
   * Reports the pending match and recomputes every cell as if the stream
   * started right after it, by replaying the values seen since its end. SPRING
   * as published only sets the overlapping cells to infinity, which loses the
   * paths that start after the match but pass through those cells, and can
   * then report a distance above the true DTW of the reported interval.
   */
  #report(): void {
    const match = this.#take();
    this.#ready.push(match);
    const replay = this.#since;
    this.#since = [];
    this.#d.fill(Infinity);
    this.#dPrev.fill(Infinity);
    let t = match.end;
    for (const v of replay) this.#advance(v, ++t);
  }

  /**
   * Ends the stream: makes the pending match final. Returns the next final
   * match not yet returned, if any; call it until it returns `undefined` to
   * drain them. The monitor can keep receiving values afterwards, as if the
   * stream restarted after the last reported match.
   *
   * @example A match at the very end of the stream
   * ```ts
   * import { StreamMonitor } from "@midstreamer/kit";
   * import assert from "node:assert/strict";
   *
   * const monitor = new StreamMonitor([1, 2, 3], { cutoff: 0 });
   * for (const x of [7, 1, 2, 3]) assert.equal(monitor.push(x), undefined);
   * assert.deepEqual(monitor.flush(), { start: 1, end: 3, distance: 0 });
   * assert.equal(monitor.flush(), undefined);
   * ```
   *
   * @returns The next final match, or `undefined` when there is none left.
   */
  flush(): StreamMatch | undefined {
    if (this.#best <= this.#cutoff) this.#report();
    return this.#ready.shift();
  }

  /**
   * Pushes every value of `source` and yields the matches as they become
   * final, then the pending one when the source ends.
   *
   * @example Matches of an array
   * ```ts
   * import { StreamMonitor } from "@midstreamer/kit";
   * import assert from "node:assert/strict";
   *
   * const monitor = new StreamMonitor([0, 5], { cutoff: 1 });
   * const found = [];
   * for await (const m of monitor.monitor([9, 0, 5, 9, 0, 4])) found.push(m.start);
   * assert.deepEqual(found, [1, 4]);
   * ```
   *
   * @param source Values of the stream, sync or async.
   * @returns An async iterator over the matches.
   */
  async *monitor(
    source: AsyncIterable<number> | Iterable<number>,
  ): AsyncGenerator<StreamMatch, void, undefined> {
    for await (const value of source) {
      const m = this.push(value);
      if (m) yield m;
    }
    for (let m = this.flush(); m; m = this.flush()) yield m;
  }

  #cost(x: number, y: number): number {
    const d = x - y;
    return this.#squared ? d * d : Math.abs(d);
  }

  /** SPRING's update for one point: one column of `m` cells. */
  #stepSpring(x: number, t: number): void {
    const q = this.#query, m = q.length;
    const d = this.#dPrev, s = this.#sPrev; // reuse the older arrays as output
    const dp = this.#d, sp = this.#s;
    // Row 1: restarting at t is never worse than extending (costs >= 0).
    let left = this.#cost(x, q[0]);
    let leftStart = t;
    d[0] = left;
    s[0] = t;
    for (let i = 1; i < m; i++) {
      const up = dp[i], diag = dp[i - 1];
      let best = left, start = leftStart;
      if (up < best || (up === best && sp[i] > start)) {
        best = up;
        start = sp[i];
      }
      if (diag < best || (diag === best && sp[i - 1] > start)) {
        best = diag;
        start = sp[i - 1];
      }
      left = this.#cost(x, q[i]) + best;
      leftStart = start;
      d[i] = left;
      s[i] = start;
    }
    this.#dPrev = dp;
    this.#sPrev = sp;
    this.#d = d;
    this.#s = s;
  }

  /**
   * Banded update: cell `(i, k)` holds the best path ending at query point
   * `i` whose start is `t - i - k`, i.e. whose offset from the start
   * diagonal is `k` in `[-w, w]`.
   */
  #stepBanded(x: number): void {
    const q = this.#query, m = q.length, w = this.#w, width = this.#width;
    const d = this.#dPrev, dp = this.#d;
    for (let i = 0; i < m; i++) {
      const c = this.#cost(x, q[i]);
      const row = i * width, prev = row - width;
      for (let k = -w; k <= w; k++) {
        const at = row + k + w;
        let best: number;
        if (i === 0) {
          // New start at t (k = 0), or the stream advancing on query point 0.
          best = k === 0 ? 0 : k > 0 ? dp[at - 1] : Infinity;
        } else {
          best = dp[prev + k + w]; // diagonal: same offset
          if (k > -w) best = Math.min(best, dp[at - 1]); // stream advances: offset - 1
          if (k < w) best = Math.min(best, d[prev + k + w + 1]); // query advances: offset + 1
        }
        d[at] = c + best;
      }
    }
    this.#dPrev = dp;
    this.#d = d;
  }

  /** Best distance ending at query's last point now, and its start. */
  #endCandidate(t: number): [number, number] {
    const m = this.#query.length;
    if (this.#w < 0) return [this.#d[m - 1], this.#s[m - 1]];
    const w = this.#w, row = (m - 1) * this.#width;
    let best = Infinity, start = -1;
    for (let k = -w; k <= w; k++) {
      const v = this.#d[row + k + w];
      if (v < best) { // ascending k: on ties the first is the latest start
        best = v;
        start = t - (m - 1) - k;
      }
    }
    return [best, start];
  }

  /** True when no live cell can still beat the pending match while overlapping it. */
  #settled(t: number): boolean {
    const d = this.#d,
      m = this.#query.length,
      best = this.#best,
      end = this.#bestEnd;
    if (this.#w < 0) {
      const s = this.#s;
      for (let i = 0; i < m; i++) if (d[i] < best && s[i] <= end) return false;
      return true;
    }
    const w = this.#w, width = this.#width;
    for (let i = 0; i < m; i++) {
      for (let k = -w; k <= w; k++) {
        if (d[i * width + k + w] < best && t - i - k <= end) return false;
      }
    }
    return true;
  }

  #take(): StreamMatch {
    const match = {
      start: this.#bestStart,
      end: this.#bestEnd,
      distance: this.#best,
    };
    this.#best = Infinity;
    this.#bestStart = this.#bestEnd = -1;
    return match;
  }
}
