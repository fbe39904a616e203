// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * A multivariate subsequence search: four correlated instruments (a market
 * factor that they share, plus each one's own noise), generated here with a
 * seeded generator, with a four-dimensional pattern planted three times
 * (each instrument's part of it at its own scale and level). The search
 * z-normalizes each instrument of the query and of every window on its
 * own, so it finds the copies whatever their scale and level, under both
 * multivariate DTWs.
 *
 * ```sh
 * deno run examples/multivariate_search.ts
 * ```
 *
 * @module
 */

import {
  type SearchStats,
  searchSubsequence,
  type SubsequenceMatch,
} from "@midstreamer/kit";
import { rng } from "../testing/rng.ts";

/** Instruments (values per point). */
export const INSTRUMENTS = 4;
/** Points of the series. */
export const POINTS = 20_000;
/** Points of the pattern. */
export const PATTERN = 96;
/** Where the pattern is planted. */
export const PLANTED = [3_100, 9_850, 16_400];

/**
 * The four instruments, point-major (`values[i * 4 + k]`), and the
 * pattern planted in them, as `{ dims, values }`.
 */
export function generate(seed = 2017): {
  series: { dims: number; values: Float64Array };
  pattern: { dims: number; values: Float64Array };
} {
  const random = rng(seed);
  const d = INSTRUMENTS;
  const beta = [1, 0.8, 1.3, 0.5]; // each instrument's exposure to the factor
  const price = [100, 40, 250, 12];
  const values = new Float64Array(POINTS * d);
  for (let i = 0; i < POINTS; i++) {
    const factor = random() - 0.5;
    for (let k = 0; k < d; k++) {
      price[k] += beta[k] * factor + 0.4 * (random() - 0.5);
      values[i * d + k] = price[k];
    }
  }
  // The pattern: a rally then a sharp drop in the factor, which the
  // instruments follow by their exposures; the fourth lags behind.
  const pattern = new Float64Array(PATTERN * d);
  for (let i = 0; i < PATTERN; i++) {
    const t = i / (PATTERN - 1);
    const shape = t < 0.7 ? Math.sin(t * Math.PI / 1.4) : 1 - 6 * (t - 0.7);
    const lagged = t < 0.8 ? t / 0.8 : 1 - 4 * (t - 0.8);
    for (let k = 0; k < d; k++) {
      pattern[i * d + k] = k === 3 ? lagged : beta[k] * shape;
    }
  }
  // Planted at each place with each instrument's own scale and level,
  // and a little noise.
  for (const at of PLANTED) {
    for (let k = 0; k < d; k++) {
      const scale = 2 + 4 * random(), level = values[at * d + k];
      for (let i = 0; i < PATTERN; i++) {
        values[(at + i) * d + k] = level + scale * pattern[i * d + k] +
          0.05 * (random() - 0.5);
      }
    }
  }
  return { series: { dims: d, values }, pattern: { dims: d, values: pattern } };
}

/** The three best matches under each multivariate DTW, and the counters. */
export function main(): Record<
  "dependent" | "independent",
  { matches: SubsequenceMatch[]; stats: SearchStats }
> {
  const { series, pattern } = generate();
  const out = {} as ReturnType<typeof main>;
  for (const multivariate of ["dependent", "independent"] as const) {
    const stats = {} as SearchStats;
    const matches = searchSubsequence(series, pattern, {
      window: Math.floor(PATTERN / 10),
      k: 3,
      multivariate,
      stats,
    });
    out[multivariate] = { matches, stats };
  }
  return out;
}

if (import.meta.main) {
  console.log(
    `${INSTRUMENTS} instruments × ${POINTS} points, a pattern of ${PATTERN} points planted at ${
      PLANTED.join(", ")
    }`,
  );
  for (const [multivariate, { matches, stats }] of Object.entries(main())) {
    console.log(`\n${multivariate}:`);
    for (const m of matches) {
      console.log(
        `  points ${m.start}..${m.end}  distance ${m.distance.toFixed(3)}`,
      );
    }
    const pruned = stats.prunedByKim + stats.prunedByKeoghEQ;
    console.log(
      `  ${stats.windows} windows: ${
        (100 * pruned / stats.windows).toFixed(1)
      } % pruned by the bounds, ${stats.abandoned} DTWs abandoned, ${stats.computed} computed`,
    );
  }
}
