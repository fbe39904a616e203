// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * Times several benchmarks against each other in interleaved rounds: every
 * round runs one batch of each side, forwards in even rounds and backwards
 * in odd ones (A B, B A, A B, … for two sides), so that the machine's drift
 * hits every side alike and cancels in their per-round ratios.
 *
 * @module
 */

import type { BenchFn, CapturedBench } from "./capture.ts";

/** How long to measure one unit (a set of sides timed together). */
export interface MeasurePlan {
  /** Time for the whole unit, warm-up included, in milliseconds. */
  budgetMs: number;
  /** Exactly this many rounds, instead of as many as `budgetMs` allows. */
  rounds?: number;
  /**
   * Fewest rounds: a 95 % signed-rank interval needs 6.
   *
   * @default {6}
   */
  minRounds?: number;
  /**
   * Most rounds.
   *
   * @default {60}
   */
  maxRounds?: number;
}

/** What one side measured. */
export interface SideTimes {
  /** Nanoseconds per iteration, one value per round. */
  times: number[];
  /** Iterations per batch (per round). */
  iterations: number;
  /** The error the benchmark threw, when it did (then `times` stops there). */
  error?: string;
}

/** Rounds aimed for when a budget, not `rounds`, sets their number. */
const TARGET_ROUNDS = 24;
const MIN_BATCH_MS = 5;
const MAX_BATCH_MS = 100;

const gc = (globalThis as { gc?: () => void }).gc;

class BenchFailed extends Error {
  override name = "BenchFailed";
}

/** Calls `fn(ctx)` `n` times; a promise when a call returned one. */
type Loop = (
  fn: BenchFn,
  ctx: Deno.BenchContext,
  n: number,
) => Promise<void> | undefined;

/**
 * A loop compiled for one side alone. V8 keeps call-site feedback per
 * function: a loop shared by every benchmark sees all of them, and which
 * ran before decides what it inlines and when it deoptimizes, so the same
 * code measured twice (A/A) could differ by its order alone. With a loop of
 * its own, each side's call site sees one function, as in `deno bench`.
 */
function ownLoop(): Loop {
  return new Function(
    "fn",
    "ctx",
    "n",
    `for (let i = 0; i < n; i++) {
      const r = fn(ctx);
      if (r instanceof Promise) {
        return (async () => {
          await r;
          for (i++; i < n; i++) await fn(ctx);
        })();
      }
    }`,
  ) as Loop;
}

/** Runs `fn` `iterations` times; returns milliseconds per iteration. */
async function batch(
  bench: CapturedBench,
  loop: Loop,
  iterations: number,
  collect = true,
): Promise<number> {
  let explicitStart = 0;
  let explicit = 0;
  let usedExplicit = false;
  const context: Deno.BenchContext = {
    name: bench.name,
    origin: "",
    start() {
      usedExplicit = true;
      explicitStart = performance.now();
    },
    end() {
      explicit += performance.now() - explicitStart;
    },
  };
  // One turn of the event loop (a timer, not a microtask) between batches,
  // untimed: a run of synchronous benchmarks awaits only microtasks, so
  // without it the servers and QUIC keep-alives of the suites loaded in this
  // process get no turn for minutes, and their idle connections are lost.
  await new Promise((resolve) => setTimeout(resolve, 0));
  // Collect garbage left by the previous batch (maybe another side's) so
  // that no side pays for another's allocations (with --expose-gc).
  if (collect) gc?.();
  const t0 = performance.now();
  try {
    const pending = loop(bench.fn, context, iterations);
    if (pending) await pending;
  } catch (e) {
    throw new BenchFailed(e instanceof Error ? e.message : String(e));
  }
  const total = performance.now() - t0;
  return (usedExplicit ? explicit : total) / iterations;
}

/**
 * Warms every side up, sizes its batches, then runs the rounds. A side that
 * throws is marked with its error and left out of the following rounds.
 * `onRound` is called after every round with the number done.
 */
export async function measureUnit(
  sides: readonly CapturedBench[],
  plan: MeasurePlan,
  onRound?: (done: number) => void,
): Promise<SideTimes[]> {
  const start = performance.now();
  const out: SideTimes[] = sides.map(() => ({ times: [], iterations: 1 }));
  const live = () => out.filter((s) => s.error === undefined).length;
  const fail = (i: number, e: unknown) => {
    if (!(e instanceof BenchFailed)) throw e;
    out[i].error = e.message;
  };
  const rounds = plan.rounds;
  const minRounds = rounds ?? plan.minRounds ?? 6;
  const maxRounds = rounds ?? plan.maxRounds ?? 60;
  // Warm-up, all sides in turn so that they warm up under the same
  // conditions: the `warmup` option's count of calls, or batches of 1, 2,
  // 4, … calls until a tenth of each side's share of the budget has gone
  // into it. A call's time is estimated from the side's last batch.
  const perSide = plan.budgetMs / sides.length;
  const warmMs = Math.min(perSide / 10, 250);
  const perCall: number[] = sides.map(() => Infinity);
  const loops = sides.map(ownLoop);
  const calls = sides.map(() => 1);
  const spent = sides.map(() => 0);
  const warm = (i: number) =>
    sides[i].warmup !== undefined
      ? spent[i] >= Math.max(1, sides[i].warmup!)
      : spent[i] >= warmMs;
  for (let pass = 0; sides.some((_, i) => !warm(i) && !out[i].error); pass++) {
    for (let k = 0; k < sides.length; k++) {
      const i = pass % 2 === 0 ? k : sides.length - 1 - k;
      if (warm(i) || out[i].error !== undefined) continue;
      try {
        const b = sides[i];
        if (b.warmup !== undefined) {
          perCall[i] = await batch(b, loops[i], 1, false);
          spent[i]++;
          continue;
        }
        const t0 = performance.now();
        perCall[i] = await batch(b, loops[i], calls[i], false);
        spent[i] += performance.now() - t0;
        calls[i] = Math.min(2 * calls[i], Math.ceil(warmMs / perCall[i]));
      } catch (e) {
        fail(i, e);
      }
    }
  }
  const batchMs = Math.min(
    MAX_BATCH_MS,
    Math.max(MIN_BATCH_MS, perSide / (rounds ?? TARGET_ROUNDS)),
  );
  sides.forEach((b, i) => {
    const calls = Math.floor(batchMs / perCall[i]);
    out[i].iterations = Math.max(1, Math.min(b.n ?? Infinity, calls));
  });
  for (let r = 0; r < maxRounds && live() > 0; r++) {
    if (
      r >= minRounds && rounds === undefined &&
      performance.now() - start >= plan.budgetMs
    ) break;
    for (let k = 0; k < sides.length; k++) {
      const i = r % 2 === 0 ? k : sides.length - 1 - k;
      if (out[i].error !== undefined) continue;
      try {
        out[i].times.push(
          1e6 * await batch(sides[i], loops[i], out[i].iterations),
        );
      } catch (e) {
        fail(i, e);
      }
    }
    onRound?.(r + 1);
  }
  return out;
}
