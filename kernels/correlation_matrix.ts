// Copyright 2026 the @midstreamer/kit authors. MIT license.

import { correlationMatrixOf, encodeSequences } from "./_correlation.ts";
import { checkOptionKeys } from "./_validate.ts";
import type { LcsSequence } from "./lcs.ts";

/**
 * Options of {@linkcode correlationMatrix}. There are none yet; an unknown
 * key is a `TypeError`, so a misspelt option never goes unnoticed.
 */
// deno-lint-ignore no-empty-interface
export interface CorrelationMatrixOptions {}

/**
 * The `n × n` LCS correlation matrix of `n` sequences (for example the
 * signal sequences of trading strategies), row-major: entry `[i, j]` is
 * `lcs(i, j) / max(length i, length j)`, exactly as the original
 * `PureJSLCS.buildCorrelationMatrix`. It is symmetric with a diagonal of 1.
 * Two empty sequences correlate 1 (the original gives `NaN`); an empty and
 * a non-empty one correlate 0. The result never holds `NaN`.
 *
 * All sequences are interned once with one symbol table (see
 * {@linkcode LcsSequence} for how symbols compare), and the pairs run in a
 * WebAssembly SIMD kernel: 4 sequences in the `u32x4` lanes against 2
 * others at a time, with the bit-parallel LCS of Hyyrö (2004). Sequences
 * may have any, and different, lengths.
 *
 * @example Three strategies
 * ```ts
 * import { correlationMatrix } from "@midstreamer/kit";
 * import assert from "node:assert/strict";
 *
 * const m = correlationMatrix([
 *   ["BUY", "HOLD", "SELL", "HOLD"],
 *   ["BUY", "SELL", "HOLD", "HOLD"],
 *   ["SELL", "SELL"],
 * ]);
 * assert.deepEqual(Array.from(m), [
 *   1, 0.75, 0.25,
 *   0.75, 1, 0.25,
 *   0.25, 0.25, 1,
 * ]);
 * ```
 *
 * @example Most similar pair
 * ```ts
 * import { correlationMatrix } from "@midstreamer/kit";
 * import assert from "node:assert/strict";
 *
 * const sequences = ["abcdef", "abcxef", "zzzzzz", ""];
 * const n = sequences.length;
 * const m = correlationMatrix(sequences);
 * let best = { i: -1, j: -1, value: -1 };
 * for (let i = 0; i < n; i++) {
 *   for (let j = i + 1; j < n; j++) {
 *     if (m[i * n + j] > best.value) best = { i, j, value: m[i * n + j] };
 *   }
 * }
 * assert.deepEqual(best, { i: 0, j: 1, value: 5 / 6 });
 * assert.equal(correlationMatrix([]).length, 0);
 * ```
 *
 * @param sequences The sequences: strings, arrays of strings and numbers, or numeric typed arrays, in any mix.
 * @param options None yet; reserved.
 * @returns A `Float64Array` of `n * n` correlations in `[0, 1]`, row-major.
 * @throws {TypeError} when `sequences` is not an array, a `sequences[i]` is not a sequence or holds an element that is neither a string nor a number (naming `sequences[i]` and the index), or on an unknown option.
 * @throws {RangeError} when a sequence is longer than 2^31 symbols, or all together hold more than 2^28 symbols.
 */
export function correlationMatrix(
  sequences: readonly LcsSequence[],
  options?: CorrelationMatrixOptions,
): Float64Array {
  checkOptionKeys("correlationMatrix", options, []);
  return correlationMatrixOf(encodeSequences("correlationMatrix", sequences));
}
