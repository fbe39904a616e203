// Copyright 2026 the @midstreamer/kit authors. MIT license.
// Every path of the LCS kernels, forced through the `strategy` argument of
// the raw exports (the words per segment of the bit vector: one word, many
// words in one segment, many segments with carries), against the textbook
// DP written here: exhaustively over every pair of short sequences of
// small alphabets, then on random sequences around the word and segment
// boundaries.

import assert from "node:assert/strict";
import { randInt, rng } from "../testing/rng.ts";
import {
  CORR_WORDS,
  LCS_WORDS,
  rawCorrRows,
  rawLcs,
  rawLcsI32,
  rawLcsRow,
} from "./_raw_kernels.ts";

/** The DP row of `a` against every prefix of `b`: `row[j] = LCS(a, b[..j])`. */
function dpRow(a: ArrayLike<number>, b: ArrayLike<number>): Int32Array {
  let prev = new Int32Array(b.length + 1);
  let row = new Int32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      row[j] = a[i - 1] === b[j - 1]
        ? prev[j - 1] + 1
        : Math.max(prev[j], row[j - 1]);
    }
    [prev, row] = [row, prev];
  }
  return prev;
}

/** Every sequence over `0..sigma - 1` of length `0..maxLength`. */
function allSequences(sigma: number, maxLength: number): number[][] {
  const out: number[][] = [[]];
  let level: number[][] = [[]];
  for (let len = 1; len <= maxLength; len++) {
    level = level.flatMap((s) =>
      Array.from({ length: sigma }, (_, c) => [...s, c])
    );
    out.push(...level);
  }
  return out;
}

/** Alphabet sizes and the longest sequences enumerated for each. */
const SMALL: Array<[number, number]> = [[1, 8], [2, 6], [3, 4], [4, 3]];

/** Strategies: auto, then every segment width. */
function strategies(max: number): number[] {
  return Array.from({ length: max + 1 }, (_, s) => s);
}

Deno.test("lcs_u32, lcs_i32, lcs_row_u32: every pair of short sequences over small alphabets", () => {
  let checked = 0;
  for (const [sigma, maxLength] of SMALL) {
    const all = allSequences(sigma, maxLength);
    for (const a of all) {
      for (const b of all) {
        const row = dpRow(a, b);
        const want = row[b.length];
        // Short patterns take one word whatever the width: auto, 1 and 8.
        for (const s of [0, 1, LCS_WORDS]) {
          if (rawLcs(a, b, sigma, s) !== want) {
            assert.fail(`lcs_u32 ${s}: [${a}] [${b}] want ${want}`);
          }
        }
        // Values that need the offset: -5, 2, 9, ...
        const ai = a.map((x) => 7 * x - 5), bi = b.map((x) => 7 * x - 5);
        if (rawLcsI32(ai, bi, 0) !== want) {
          assert.fail(`lcs_i32: [${a}] [${b}] want ${want}`);
        }
        const got = rawLcsRow(a, b, sigma, 0);
        assert.deepEqual(
          Array.from(got.row),
          Array.from(row),
          `row [${a}] [${b}]`,
        );
        assert.equal(got.returned, want);
        checked++;
      }
    }
  }
  assert.ok(checked > 30_000, `${checked} pairs`);
  assert.equal(rawLcs([1], [1], 2, LCS_WORDS + 1), -1);
  assert.equal(rawLcsI32([1], [1], LCS_WORDS + 1), -2);
  assert.equal(rawLcsRow([1], [1], 2, LCS_WORDS + 1).returned, -1);
  assert.equal(
    rawLcsI32([0, 1 << 20], [0], 0),
    -1,
    "a range of 2^20 is not dense",
  );
});

/** Lengths around the 63-bit words and the segments of 1..8 words. */
const LONG_LENGTHS = [
  62,
  63,
  64,
  65,
  126,
  127,
  128,
  189,
  190,
  252,
  253,
  315,
  441,
  504,
  505,
  567,
  700,
];

Deno.test("lcs_u32, lcs_row_u32: every segment width, patterns across word and segment boundaries", () => {
  const random = rng(301);
  for (const sigma of [1, 2, 3, 4, 300]) {
    for (const m of LONG_LENGTHS) {
      const n = randInt(random, 0, 900);
      const text = Array.from(
        { length: n },
        () => randInt(random, 0, sigma - 1),
      );
      const pat = Array.from(
        { length: m },
        () => randInt(random, 0, sigma - 1),
      );
      const row = dpRow(text, pat);
      for (const s of strategies(LCS_WORDS)) {
        // lcs_u32 takes the shorter as the pattern.
        assert.equal(
          rawLcs(text, pat, sigma, s),
          row[m],
          `lcs_u32 sigma=${sigma} n=${n} m=${m} strategy ${s}`,
        );
        const got = rawLcsRow(text, pat, sigma, s);
        assert.deepEqual(
          Array.from(got.row),
          Array.from(row),
          `lcs_row_u32 sigma=${sigma} n=${n} m=${m} strategy ${s}`,
        );
      }
      const offset = pat.map((x) => x - 1000);
      for (const s of strategies(LCS_WORDS)) {
        assert.equal(
          rawLcsI32(text.map((x) => x - 1000), offset, s),
          dpRow(text, pat)[m],
          `lcs_i32 sigma=${sigma} n=${n} m=${m} strategy ${s}`,
        );
      }
    }
  }
});

/**
 * The correlations `lcs / max(length)` (1 for two empty sequences) of the
 * pairs `(r, s)`, `r0 <= r < r1`, `r < s < n`, of `sequences` in the
 * order `order`, row-major.
 */
function corrRef(
  sequences: number[][],
  order: number[],
  r0: number,
  r1: number,
): number[] {
  const out: number[] = [];
  for (let r = r0; r < r1; r++) {
    for (let s = r + 1; s < order.length; s++) {
      const a = sequences[order[r]], b = sequences[order[s]];
      const max = Math.max(a.length, b.length);
      out.push(max === 0 ? 1 : dpRow(a, b)[b.length] / max);
    }
  }
  return out;
}

/** The sorted order the TypeScript side gives the kernel: by length, stable. */
function byLength(sequences: number[][]): number[] {
  return sequences.map((_, q) => q).sort((x, y) =>
    sequences[x].length - sequences[y].length || x - y
  );
}

Deno.test("lcs_corr_rows: every segment width on sets of short sequences over small alphabets", () => {
  let checked = 0;
  const random = rng(302);
  for (let count = 0; count <= 10; count++) {
    for (const sigma of [1, 2, 3]) {
      for (let rep = 0; rep < 6; rep++) {
        const sequences = Array.from(
          { length: count },
          () =>
            Array.from(
              { length: randInt(random, 0, 8) },
              () => randInt(random, 0, sigma - 1),
            ),
        );
        const order = byLength(sequences);
        const ranges: Array<[number, number]> = [[0, count]];
        if (count > 2) ranges.push([1, count - 1], [count - 1, count]);
        for (const [r0, r1] of ranges) {
          const want = corrRef(sequences, order, r0, r1);
          for (const s of [0, 1, CORR_WORDS]) {
            const got = rawCorrRows(sequences, order, sigma, r0, r1, s);
            assert.deepEqual(
              got && Array.from(got),
              want,
              `count=${count} sigma=${sigma} rows [${r0}, ${r1}) strategy ${s}`,
            );
            checked += want.length;
          }
        }
      }
    }
  }
  assert.ok(checked > 3_000, `${checked} pairs`);
  assert.equal(
    rawCorrRows([[0], [0]], [0, 1], 1, 0, 2, CORR_WORDS + 1),
    undefined,
  );
});

Deno.test("lcs_corr_rows: every segment width, sequences across word and segment boundaries", () => {
  const random = rng(303);
  for (const sigma of [2, 3, 50]) {
    for (const count of [1, 2, 5, 9]) {
      const sequences = Array.from(
        { length: count },
        () =>
          Array.from(
            { length: randInt(random, 0, 260) },
            () => randInt(random, 0, sigma - 1),
          ),
      );
      const order = byLength(sequences);
      const want = corrRef(sequences, order, 0, count);
      for (const s of strategies(CORR_WORDS)) {
        const got = rawCorrRows(sequences, order, sigma, 0, count, s);
        assert.deepEqual(
          got && Array.from(got),
          want,
          `sigma=${sigma} count=${count} strategy ${s}`,
        );
      }
    }
  }
});
