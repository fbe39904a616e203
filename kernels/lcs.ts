// Copyright 2026 the @midstreamer/kit authors. MIT license.

import { checkTotal, sequenceLength, SymbolTable } from "./_symbols.ts";
import { i32Heap, kit, scratch, Slot } from "./_wasm.ts";

export { MAX_SEQUENCE_LENGTH, MAX_TOTAL_SYMBOLS } from "./_symbols.ts";

/**
 * A sequence of symbols for the LCS functions:
 *
 * - a `string`: its symbols are Unicode code points, so `"😀"` is one symbol
 *   (a lone surrogate is a symbol of its own);
 * - an array of strings and/or numbers, compared with `===`: the number `1`
 *   and the string `"1"` differ, `0` and `-0` match, `NaN` matches nothing
 *   (not even another `NaN`); a one-code-point string element matches that
 *   code point of a `string` sequence;
 * - a numeric typed array, compared by value like an array of numbers.
 */
export type LcsSequence =
  | string
  | readonly (string | number)[]
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array;

/** Typed arrays whose values `Int32Array` holds exactly. */
function isInt32Exact(x: unknown): x is ArrayLike<number> {
  return x instanceof Int32Array || x instanceof Uint8Array ||
    x instanceof Int16Array || x instanceof Uint16Array ||
    x instanceof Int8Array || x instanceof Uint8ClampedArray;
}

/**
 * Length of the Longest Common Subsequence of two sequences, computed
 * exactly with the bit-parallel recurrence of Hyyrö (2004) in WebAssembly:
 * the shorter sequence is a bit vector of 63-bit words, so a pair costs
 * about `n · m / 63` word steps, with `O(n + m)` memory for any length and
 * any alphabet.
 *
 * Symbols are compared as the original `PureJSLCS.calculate` compares them
 * (`===`), except that a `string` is a sequence of code points rather than
 * UTF-16 code units (see {@linkcode LcsSequence}).
 *
 * @example Signals and strings
 * ```ts
 * import { lcs } from "@midstreamer/kit";
 * import assert from "node:assert/strict";
 *
 * assert.equal(lcs(["BUY", "HOLD", "SELL", "BUY"], ["BUY", "SELL", "BUY"]), 3);
 * assert.equal(lcs("AGGTAB", "GXTXAYB"), 4);
 * assert.equal(lcs("😀a😀", "a😀"), 2); // code points
 * ```
 *
 * @example `===` semantics and typed arrays
 * ```ts
 * import { lcs } from "@midstreamer/kit";
 * import assert from "node:assert/strict";
 *
 * assert.equal(lcs([1, "1", NaN], ["1", 1, NaN]), 1); // NaN !== NaN
 * assert.equal(lcs(Int32Array.of(3, 1, 2), [1, 2, 3]), 2);
 * assert.equal(lcs([], "abc"), 0);
 * ```
 *
 * @param a First sequence: a string, an array of strings and numbers, or a numeric typed array.
 * @param b Second sequence, of any length.
 * @returns The LCS length, between 0 and the shorter length.
 * @throws {TypeError} when an argument is not a sequence, or an array element is neither a string nor a number (naming the argument and index).
 * @throws {RangeError} when a sequence is longer than 2^31 symbols, or both hold more than 2^28 symbols together.
 */
export function lcs(a: LcsSequence, b: LcsSequence): number {
  const n = sequenceLength("lcs", "a", a);
  const m = sequenceLength("lcs", "b", b);
  checkTotal("lcs", "a and b", n + m);
  const k = kit();
  const pa = scratch(Slot.A, n * 4);
  const pb = scratch(Slot.B, m * 4);
  let heap = i32Heap();
  if (isInt32Exact(a) && isInt32Exact(b)) {
    // Small integer ranges need no interning: the kernel offsets them.
    heap.set(a, pa >>> 2);
    heap.set(b, pb >>> 2);
    const r = k.lcs_i32(pa, n, pb, m, 0); // strategy: auto
    if (r >= 0) return r;
    heap = i32Heap();
  }
  const table = new SymbolTable();
  const na = table.intern("lcs", "a", a, heap, pa >>> 2);
  const nb = table.intern("lcs", "b", b, heap, pb >>> 2);
  return k.lcs_u32(pa, na, pb, nb, table.size, 0); // strategy: auto
}
