// Copyright 2026 the @midstreamer/kit authors. MIT license.

import {
  checkOptionKeys,
  copyForm,
  costArg,
  describe,
  multivariateArg,
  seriesForm,
  windowArg,
} from "./_validate.ts";
import type { Series } from "./dtw.ts";

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
  /**
   * How a query of several dimensions is matched, as for `dtw`
   * (`DtwOptions.multivariate`): `"dependent"`, one warping path whose
   * cost sums the dimensions, or `"independent"`, the sum over the
   * dimensions of each one's DTW over the same subsequence. The
   * independent distance needs every dimension's path to start at the same
   * point, which only the banded monitor tracks (a cell per start), so it
   * requires a finite `window`.
   *
   * @default {"dependent"}
   */
  multivariate?: "dependent" | "independent";
}

const KEYS = [
  "cutoff",
  "threshold",
  "window",
  "cost",
  "multivariate",
] as const;

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
 * The query may have several values per point (a {@linkcode Series}: an
 * array of points, or `{ dims, values }`); then each pushed value is a
 * point of as many values, and the distance is the dependent or the
 * independent DTW of `options.multivariate` (the independent one keeps a
 * band of cells per dimension, so it costs `d` times the dependent one per
 * point, and needs a finite `window`). The monitor computes in `f64`.
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
 *
 * @example Points of two values (price and volume)
 * ```ts
 * import { dtw, StreamMonitor } from "@midstreamer/kit";
 * import assert from "node:assert/strict";
 *
 * const query = [[1, 10], [2, 20], [3, 10]];
 * const monitor = new StreamMonitor(query, { cutoff: 1, window: 1 });
 * const stream = [[0, 0], [1, 10], [2, 21], [3, 10], [0, 0], [0, 0]];
 * const found = stream.map((p) => monitor.push(p)).filter((m) => m !== undefined);
 * assert.deepEqual(found, [{ start: 1, end: 3, distance: 1 }]);
 * assert.equal(found[0].distance, dtw(query, stream.slice(1, 4)));
 * ```
 */
export class StreamMonitor {
  /** The query, point-major. */
  readonly #query: Float64Array;
  /** Values per point. */
  readonly #dims: number;
  /** Layers of cells: the dimensions (independent), or 1. */
  readonly #layers: number;
  /** The costs of the current point against each query point, per layer. */
  readonly #c: Float64Array;
  /** The current point. */
  readonly #x: Float64Array;
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
  /** Values after the pending match's end (`dims` per point), to recompute cells after a report. */
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
   * @param query The pattern to look for: a non-empty series of finite numbers, of one or more values per point ({@linkcode Series}).
   * @param options The cutoff, and optionally a band, the cost and the multivariate comparison.
   * @throws {TypeError} on a non-series or non-finite query element, a missing or non-number `cutoff`, both `cutoff` and `threshold`, an unknown option or `multivariate` value, or `multivariate: "independent"` without a finite `window`.
   * @throws {RangeError} on an empty query or one over 2^25 values, a ragged query point, a negative or `NaN` `cutoff`, or a negative or fractional `window`. (The stream itself has no length limit: it is read one point at a time.)
   */
  constructor(query: Series, options: StreamMonitorOptions) {
    const fn = "StreamMonitor";
    const form = seriesForm(fn, "query", query);
    const m = form.points;
    const dims = Math.max(1, form.dims);
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
    this.#query = new Float64Array(m * dims);
    copyForm(fn, "query", query, form, this.#query, 0, { point: dims, dim: 1 });
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
    const independent = multivariateArg(fn, o.multivariate) && dims > 1;
    const w = windowArg(fn, o.window);
    if (independent && w < 0) {
      throw new TypeError(
        `${fn}: multivariate "independent" needs a finite options.window: the independent distance of a subsequence sums each dimension's DTW from one start to one end, and only the banded monitor keeps a cell per start; give a band (e.g. { window: Math.ceil(query.length / 10) }) or use "dependent"`,
      );
    }
    // A band as wide as the query does not bind the dependent distance;
    // the independent one keeps its cells per start.
    this.#w = w >= m && !independent ? -1 : w;
    this.#width = this.#w < 0 ? 1 : 2 * this.#w + 1;
    this.#dims = dims;
    this.#layers = independent ? dims : 1;
    this.#c = new Float64Array(this.#layers * m);
    this.#x = new Float64Array(dims);
    const cells = this.#layers * m * this.#width;
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
   * @param value The next point: a finite number, or for a query of `d > 1` values per point an array-like of `d` finite numbers.
   * @returns A match that has become final, if any. (In the rare case that
   * two become final at once, the second is returned by the next call of
   * `push` or `flush`.)
   * @throws {TypeError} when `value` is not a finite number (naming the position, and the dimension), or not a point of the query's dimensions.
   * @throws {RangeError} when the point has another number of values than the query's points.
   */
  push(value: number | ArrayLike<number>): StreamMatch | undefined {
    const x = this.#x, dims = this.#dims, at = this.#t + 1;
    const where = (k: number) =>
      `StreamMonitor.push: value at position ${at}${
        dims > 1 ? `, dimension ${k},` : ""
      }`;
    if (typeof value === "number" && dims === 1) {
      x[0] = value;
    } else if (
      value !== null && typeof value === "object" &&
      typeof (value as { length?: unknown }).length === "number"
    ) {
      if (value.length !== dims) {
        throw new RangeError(
          `StreamMonitor.push: the point at position ${at} has ${value.length} values; the query's points have ${dims}`,
        );
      }
      for (let k = 0; k < dims; k++) {
        const v = value[k];
        if (typeof v !== "number") {
          throw new TypeError(
            `${where(k)} is ${describe(v)}; expected a finite number`,
          );
        }
        x[k] = v;
      }
    } else {
      throw new TypeError(
        `StreamMonitor.push: value at position ${at} is ${
          typeof value === "number" ? value : describe(value)
        }; expected ${
          dims === 1 ? "a finite number" : `a point of ${dims} numbers`
        }`,
      );
    }
    for (let k = 0; k < dims; k++) {
      if (x[k] - x[k] !== 0) {
        throw new TypeError(`${where(k)} is ${x[k]}; expected a finite number`);
      }
    }
    this.#t++;
    this.#advance(x, this.#t);
    return this.#ready.shift();
  }

  /** One point: update the cells, report a settled match, track the best end. */
  #advance(x: Float64Array, t: number): void {
    this.#costs(x);
    if (this.#w < 0) this.#stepSpring(t);
    else this.#stepBanded();
    if (this.#best <= this.#cutoff) {
      for (let k = 0; k < this.#dims; k++) this.#since.push(x[k]);
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
    const dims = this.#dims, x = new Float64Array(dims);
    for (let j = 0; j < replay.length; j += dims) {
      for (let k = 0; k < dims; k++) x[k] = replay[j + k];
      this.#advance(x, ++t);
    }
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
   * @param source Values of the stream (points, for a query of several values per point), sync or async.
   * @returns An async iterator over the matches.
   */
  async *monitor(
    source:
      | AsyncIterable<number | ArrayLike<number>>
      | Iterable<number | ArrayLike<number>>,
  ): AsyncGenerator<StreamMatch, void, undefined> {
    for await (const value of source) {
      const m = this.push(value);
      if (m) yield m;
    }
    for (let m = this.flush(); m; m = this.flush()) yield m;
  }

  /** Query points: the number of cells of a layer per offset. */
  get #m(): number {
    return this.#c.length / this.#layers;
  }

  /**
   * The cost of point `x` against each query point, into `#c`: summed
   * over the dimensions in index order (dependent), or per dimension in
   * layers of `m` (independent).
   */
  #costs(x: Float64Array): void {
    const q = this.#query, c = this.#c, dims = this.#dims;
    const m = this.#m, squared = this.#squared;
    for (let i = 0; i < m; i++) {
      let sum = 0;
      for (let k = 0; k < dims; k++) {
        const diff = x[k] - q[i * dims + k];
        const one = squared ? diff * diff : Math.abs(diff);
        if (this.#layers > 1) c[k * m + i] = one;
        else sum = k === 0 ? one : sum + one;
      }
      if (this.#layers === 1) c[i] = sum;
    }
  }

  /** SPRING's update for one point: one column of `m` cells. */
  #stepSpring(t: number): void {
    const c = this.#c, m = this.#m;
    const d = this.#dPrev, s = this.#sPrev; // reuse the older arrays as output
    const dp = this.#d, sp = this.#s;
    // Row 1: restarting at t is never worse than extending (costs >= 0).
    let left = c[0];
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
      left = c[i] + best;
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
   * diagonal is `k` in `[-w, w]`; one layer of such cells per dimension
   * for the independent distance.
   */
  #stepBanded(): void {
    const c = this.#c, m = this.#m, w = this.#w, width = this.#width;
    const d = this.#dPrev, dp = this.#d;
    for (let l = 0; l < this.#layers; l++) {
      const layer = l * m * width;
      for (let i = 0; i < m; i++) {
        const cost = c[l * m + i];
        const row = layer + i * width, prev = row - width;
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
          d[at] = cost + best;
        }
      }
    }
    this.#dPrev = dp;
    this.#d = d;
  }

  /** Best distance ending at query's last point now, and its start. */
  #endCandidate(t: number): [number, number] {
    const m = this.#m;
    if (this.#w < 0) return [this.#d[m - 1], this.#s[m - 1]];
    const w = this.#w, width = this.#width, row = (m - 1) * width;
    let best = Infinity, start = -1;
    for (let k = -w; k <= w; k++) {
      // Independent: the sum over the layers, in dimension order.
      let v = this.#d[row + k + w];
      for (let l = 1; l < this.#layers; l++) {
        v += this.#d[l * m * width + row + k + w];
      }
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
      m = this.#m,
      best = this.#best,
      end = this.#bestEnd;
    if (this.#w < 0) {
      const s = this.#s;
      for (let i = 0; i < m; i++) if (d[i] < best && s[i] <= end) return false;
      return true;
    }
    const w = this.#w, width = this.#width;
    if (this.#layers === 1) {
      for (let i = 0; i < m; i++) {
        for (let k = -w; k <= w; k++) {
          if (d[i * width + k + w] < best && t - i - k <= end) return false;
        }
      }
      return true;
    }
    // Independent: a start s can still give a distance of at least the
    // sum over the dimensions of its smallest cell now (every path of a
    // dimension from s to a later end passes through the current point
    // at some query point, and costs are >= 0).
    const first = t - (m - 1) - w; // earliest start of a cell
    const bound = new Float64Array(m + 2 * w);
    for (let l = 0; l < this.#layers; l++) {
      const low = new Float64Array(m + 2 * w).fill(Infinity);
      for (let i = 0; i < m; i++) {
        for (let k = -w; k <= w; k++) {
          const v = d[l * m * width + i * width + k + w];
          const at = t - i - k - first;
          if (v < low[at]) low[at] = v;
        }
      }
      for (let j = 0; j < low.length; j++) bound[j] += low[j];
    }
    for (let j = 0; j < bound.length && first + j <= end; j++) {
      if (bound[j] < best) return false;
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
