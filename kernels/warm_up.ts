// Copyright 2026 the @midstreamer/kit authors. MIT license.

import { checkOptionKeys, describe } from "./_validate.ts";
import { kit } from "./_wasm.ts";
import { dtw } from "./dtw.ts";
import { searchSubsequence } from "./search_subsequence.ts";

/** A kernel that {@linkcode warmUp} can drive. */
export type WarmUpKernel = "dtw" | "searchSubsequence";

/** Options of {@linkcode warmUp}. */
export interface WarmUpOptions {
  /**
   * The kernels to drive: `"dtw"` (the univariate `f64` DTW, both costs)
   * and `"searchSubsequence"` (both costs). Warming only what a program
   * calls takes less time. `[]` only compiles the module.
   *
   * @default {["dtw", "searchSubsequence"]}
   */
  kernels?: WarmUpKernel[];
  /**
   * The longest time to spend, in milliseconds: the promise resolves then,
   * with `ready: false`, even if the engine has not finished optimising
   * the kernels (it goes on in the background). It must be finite: a
   * kernel that is already optimised (or never gets faster) would keep the
   * probes running forever.
   *
   * @default {2000}
   */
  timeout?: number;
}

/** What {@linkcode warmUp} achieved. */
export interface WarmUpResult {
  /**
   * Whether every probe of the kernels asked for ran at its optimised speed
   * before the timeout. It is measured on the probes' small inputs: `dtw`
   * then runs at warm speed from its first call, but a large search may
   * still reach functions the probes did not (see the README's "Cold
   * start": after `warmUp()`, calls 3–30 of a 1M-point search ran 1.8×
   * warm in Deno).
   */
  ready: boolean;
  /** Milliseconds from the call to the resolution. */
  ms: number;
  /** Rounds of probe calls run (0 when earlier calls were ready). */
  rounds: number;
}

const WARM_UP_KEYS = ["timeout", "kernels"] as const;
const KERNELS: readonly WarmUpKernel[] = ["dtw", "searchSubsequence"];

/** How much faster than its baseline-compiled runs a probe must get. */
const OPTIMISED = 0.6;

/** The kernels that a call of {@linkcode warmUp} found optimised. */
const warmed = new Set<WarmUpKernel>();

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

/** Probe calls of `kernel`, on small seeded inputs. */
function probesOf(kernel: WarmUpKernel): Array<() => unknown> {
  if (kernel === "dtw") {
    const a = walk(400, 1), b = walk(400, 2);
    return [() => dtw(a, b), () => dtw(a, b, { cost: "squared" })];
  }
  const series = walk(8192, 3), query = walk(128, 4);
  return [
    () => searchSubsequence(series, query, { window: 6 }),
    () => searchSubsequence(series, query, { window: 6, cost: "squared" }),
  ];
}

/** Validates the `kernels` option. */
function kernelsArg(v: unknown): WarmUpKernel[] {
  if (v === undefined) return [...KERNELS];
  if (!Array.isArray(v)) {
    throw new TypeError(
      `warmUp: kernels must be an array of ${
        KERNELS.map((k) => `"${k}"`).join(" and ")
      }, got ${describe(v)}`,
    );
  }
  for (const [i, k] of v.entries()) {
    if (!KERNELS.includes(k)) {
      throw new TypeError(
        `warmUp: kernels[${i}] is ${describe(k)}; accepted kernels are ${
          KERNELS.map((x) => `"${x}"`).join(", ")
        }`,
      );
    }
  }
  return v;
}

/**
 * Compiles the kernels' WebAssembly module and runs the hot kernels (by
 * default the univariate `f64` DTW of {@linkcode dtw} and the
 * {@linkcode searchSubsequence} cascade, with both costs; `kernels` picks)
 * on small inputs until the engine has replaced their baseline code with
 * optimised code, so that the calls that follow run at full speed from the
 * first (for `dtw`; a large search may still reach code the probes did not).
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
 * kernel call: once a kernel was found ready, later calls do not probe it
 * again; run on kernels that are already warm, it cannot see a change and
 * waits for the timeout. It computes nothing that the kit keeps.
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
 * @example Only `dtw`, for at most 50 ms
 * ```ts
 * import { warmUp } from "@midstreamer/kit";
 * import assert from "node:assert/strict";
 *
 * const { ms } = await warmUp({ kernels: ["dtw"], timeout: 50 });
 * assert.ok(ms >= 0);
 * ```
 *
 * @param options `timeout`, `kernels`.
 * @returns Whether the kernels were optimised in time, and how long it took.
 * @throws {TypeError} when `options` is not an object, has an unknown key,
 * `timeout` is not a number, or `kernels` is not an array of kernel names.
 * @throws {RangeError} when `timeout` is negative, NaN or `Infinity`.
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
  if (!(timeout >= 0 && timeout < Infinity)) {
    throw new RangeError(
      `warmUp: timeout must be a finite number of milliseconds >= 0 (a kernel already optimised would keep the probes running forever), got ${timeout}`,
    );
  }
  const kernels = kernelsArg(opts.kernels);
  kit();
  const todo = kernels.filter((k) => !warmed.has(k));
  const probes = todo.flatMap((kernel) =>
    probesOf(kernel).map((call) => ({
      kernel,
      call,
      baseline: Infinity,
      ready: false,
    }))
  );
  let rounds = 0;
  // Round 0 compiles lazily and is not timed; rounds 1 and 2 set the
  // baseline-compiled times.
  while (probes.some((p) => !p.ready)) {
    for (const p of probes) {
      if (p.ready) continue;
      const s = performance.now();
      p.call();
      const ms = performance.now() - s;
      if (rounds === 1 || rounds === 2) p.baseline = Math.min(p.baseline, ms);
      else if (rounds > 2 && ms < OPTIMISED * p.baseline) p.ready = true;
    }
    rounds++;
    if (performance.now() - t0 >= timeout) break;
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  for (const kernel of todo) {
    if (probes.every((p) => p.kernel !== kernel || p.ready)) {
      warmed.add(kernel);
    }
  }
  return {
    ready: kernels.every((k) => warmed.has(k)),
    ms: performance.now() - t0,
    rounds,
  };
}
