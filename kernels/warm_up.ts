// Copyright 2026 the @midstreamer/kit authors. MIT license.

import { checkOptionKeys, describe } from "./_validate.ts";
import { kit } from "./_wasm.ts";
import { dtw } from "./dtw.ts";
import { searchSubsequence } from "./search_subsequence.ts";

/** Options of {@linkcode warmUp}. */
export interface WarmUpOptions {
  /**
   * The longest time to spend, in milliseconds: the promise resolves then,
   * with `ready: false`, even if the engine has not finished optimising
   * the kernels (it goes on in the background). `Infinity` waits for as
   * long as it takes.
   *
   * @default {2000}
   */
  timeout?: number;
}

/** What {@linkcode warmUp} achieved. */
export interface WarmUpResult {
  /**
   * Whether every probe ran at its optimised speed before the timeout:
   * the later calls of `dtw` and `searchSubsequence` run at full speed.
   */
  ready: boolean;
  /** Milliseconds from the call to the resolution. */
  ms: number;
  /** Rounds of probe calls run (0 when an earlier call was ready). */
  rounds: number;
}

const WARM_UP_KEYS = ["timeout"] as const;

/** How much faster than its baseline-compiled runs a probe must get. */
const OPTIMISED = 0.6;

let warmed = false;

/** A seeded random walk of `n` points (xorshift32: inputs need not be good). */
function walk(n: number, seed: number): Float64Array {
  const out = new Float64Array(n);
  let s = seed, x = 0;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    x += (s >>> 0) / 2 ** 32 - 0.5;
    out[i] = x;
  }
  return out;
}

/**
 * Compiles the kernels' WebAssembly module and runs the hot kernels (the
 * univariate `f64` DTW of {@linkcode dtw} and the
 * {@linkcode searchSubsequence} cascade, with both costs) on small inputs
 * until the engine has replaced their baseline code with optimised code, so
 * that the calls that follow run at full speed from the first.
 *
 * Why: V8 (Deno, Node, Chromium) first runs WebAssembly with a fast,
 * baseline compiler, and recompiles a function with its optimising
 * compiler on a background thread once the function has run for a while.
 * For the DTW kernel that takes 45 ms or more of compilation here, and
 * until it is done a call runs about 3 times slower than warm (see the
 * README's "Cold start"). A script that makes a few calls and exits lives
 * on that slow stretch.
 *
 * The probes are timed: a probe is ready when a call of it takes less than
 * 0.6 times the fastest of its first baseline-compiled calls. Between
 * rounds the promise yields to the event loop (a zero timer), so start it
 * early and do I/O meanwhile. Call it once at start-up, before the first
 * kernel call: after a `ready` result, later calls resolve at once; run on
 * kernels that are already warm, it cannot see a change and waits for the
 * timeout. It computes nothing that the kit keeps, and needs no options.
 *
 * @example Warm up while the data loads
 * ```ts
 * import { dtw, warmUp } from "@midstreamer/kit";
 * import assert from "node:assert/strict";
 *
 * const load = async () => [[1, 2, 3, 4], [1, 2, 3, 3, 4]];
 * const [[a, b], warm] = await Promise.all([load(), warmUp()]);
 * assert.equal(typeof warm.ready, "boolean");
 * assert.equal(dtw(a, b), 0);
 * ```
 *
 * @example A bounded wait
 * ```ts
 * import { warmUp } from "@midstreamer/kit";
 * import assert from "node:assert/strict";
 *
 * const { ms } = await warmUp({ timeout: 50 });
 * assert.ok(ms >= 0);
 * ```
 *
 * @param options `timeout`.
 * @returns Whether the kernels were optimised in time, and how long it took.
 * @throws {TypeError} when `options` is not an object, has an unknown key,
 * or `timeout` is not a number.
 * @throws {RangeError} when `timeout` is negative or NaN.
 * @throws {Error} when the engine lacks WebAssembly SIMD128.
 */
export async function warmUp(options?: WarmUpOptions): Promise<WarmUpResult> {
  const t0 = performance.now();
  const opts = checkOptionKeys("warmUp", options, WARM_UP_KEYS);
  const timeout = opts.timeout ?? 2000;
  if (typeof timeout !== "number") {
    throw new TypeError(
      `warmUp: timeout must be a number of milliseconds, got ${
        describe(timeout)
      }`,
    );
  }
  if (!(timeout >= 0)) {
    throw new RangeError(
      `warmUp: timeout must be >= 0 milliseconds, got ${timeout}`,
    );
  }
  kit();
  if (warmed) return { ready: true, ms: performance.now() - t0, rounds: 0 };
  const a = walk(400, 1), b = walk(400, 2);
  const series = walk(8192, 3), query = walk(128, 4);
  const probes = [
    () => dtw(a, b),
    () => dtw(a, b, { cost: "squared" }),
    () => searchSubsequence(series, query, { window: 6 }),
    () => searchSubsequence(series, query, { window: 6, cost: "squared" }),
  ];
  const baseline = probes.map(() => Infinity);
  const ready = probes.map(() => false);
  let rounds = 0;
  // Round 0 compiles lazily and is not timed; rounds 1 and 2 set the
  // baseline-compiled times.
  for (;;) {
    for (let p = 0; p < probes.length; p++) {
      if (ready[p]) continue;
      const s = performance.now();
      probes[p]();
      const ms = performance.now() - s;
      if (rounds === 1 || rounds === 2) {
        baseline[p] = Math.min(baseline[p], ms);
      } else if (rounds > 2 && ms < OPTIMISED * baseline[p]) {
        ready[p] = true;
      }
    }
    rounds++;
    if (ready.every((r) => r)) warmed = true;
    if (warmed || performance.now() - t0 >= timeout) break;
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  return { ready: warmed, ms: performance.now() - t0, rounds };
}
