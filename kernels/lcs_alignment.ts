// Copyright 2026 the @midstreamer/kit authors. MIT license.

import { checkTotal, sequenceLength, SymbolTable } from "./_symbols.ts";
import { i32Heap, kit, scratch, Slot } from "./_wasm.ts";
import type { LcsSequence } from "./lcs.ts";

/** A longest common subsequence, as matched positions. */
export interface LcsAlignment {
  /** The LCS length: `pairs.length`. */
  length: number;
  /**
   * The matched positions `[i, j]`: `a[i]` equals `b[j]`, and both `i` and
   * `j` strictly increase along the array. Positions count symbols (code
   * points for a `string`).
   */
  pairs: Array<[number, number]>;
}

/** Sub-problems with at most this many DP cells are solved with a table. */
const TABLE_CELLS = 1 << 14;

/**
 * A Longest Common Subsequence of two sequences and where its symbols sit
 * in each, found with Hirschberg's algorithm in `O(n + m)` memory. Its DP
 * rows come from the bit-parallel kernel of {@linkcode lcs}, so it costs
 * about `2 · n · m / 63` word steps (small sub-problems use a DP table).
 * Symbols compare as in {@linkcode lcs}.
 *
 * Among several longest common subsequences, one is returned; its length
 * always equals `lcs(a, b)`.
 *
 * @example Matched positions
 * ```ts
 * import { lcsAlignment } from "@midstreamer/kit";
 * import assert from "node:assert/strict";
 *
 * const { length, pairs } = lcsAlignment("ABCBDAB", "BDCABA");
 * assert.equal(length, 4);
 * assert.equal(pairs.length, 4);
 * for (const [i, j] of pairs) assert.equal("ABCBDAB"[i], "BDCABA"[j]);
 * ```
 *
 * @example Signals
 * ```ts
 * import { lcsAlignment } from "@midstreamer/kit";
 * import assert from "node:assert/strict";
 *
 * const a = ["BUY", "HOLD", "SELL"];
 * const b = ["HOLD", "SELL", "BUY"];
 * assert.deepEqual(lcsAlignment(a, b), { length: 2, pairs: [[1, 0], [2, 1]] });
 * ```
 *
 * @param a First sequence: a string, an array of strings and numbers, or a numeric typed array.
 * @param b Second sequence.
 * @returns The LCS length and the matched index pairs, in increasing order.
 * @throws {TypeError} when an argument is not a sequence, or an array element is neither a string nor a number (naming the argument and index).
 * @throws {RangeError} when a sequence is longer than 2^31 symbols, or both hold more than 2^28 symbols together.
 */
export function lcsAlignment(a: LcsSequence, b: LcsSequence): LcsAlignment {
  const n = sequenceLength("lcsAlignment", "a", a);
  const m = sequenceLength("lcsAlignment", "b", b);
  checkTotal("lcsAlignment", "a and b", n + m);
  const table = new SymbolTable();
  const x = new Int32Array(n);
  const y = new Int32Array(m);
  const na = table.intern("lcsAlignment", "a", a, x, 0);
  const nb = table.intern("lcsAlignment", "b", b, y, 0);
  const h = new Hirschberg(x.subarray(0, na), y.subarray(0, nb), table.size);
  h.solve(0, na, 0, nb);
  return { length: h.pairs.length, pairs: h.pairs };
}

class Hirschberg {
  readonly pairs: Array<[number, number]> = [];
  readonly #x: Int32Array;
  readonly #y: Int32Array;
  readonly #fwd: Int32Array;
  readonly #bwd: Int32Array;
  readonly #cells = new Int32Array(TABLE_CELLS);

  readonly #sigma: number;

  constructor(x: Int32Array, y: Int32Array, sigma: number) {
    this.#x = x;
    this.#y = y;
    this.#sigma = sigma;
    this.#fwd = new Int32Array(y.length + 1);
    this.#bwd = new Int32Array(y.length + 1);
  }

  /** Appends an LCS of `x[x0, x1)` and `y[y0, y1)`. */
  solve(x0: number, x1: number, y0: number, y1: number): void {
    const x = this.#x;
    const y = this.#y;
    // Common prefix and suffix are always part of an LCS.
    while (x0 < x1 && y0 < y1 && x[x0] === y[y0]) {
      this.pairs.push([x0++, y0++]);
    }
    let tail = 0;
    while (x0 < x1 && y0 < y1 && x[x1 - 1] === y[y1 - 1]) {
      x1--;
      y1--;
      tail++;
    }
    if (x0 < x1 && y0 < y1) {
      if ((x1 - x0 + 1) * (y1 - y0 + 1) <= TABLE_CELLS) {
        this.#table(x0, x1, y0, y1);
      } else if (x1 - x0 === 1) {
        const j = y.subarray(y0, y1).indexOf(x[x0]);
        if (j >= 0) this.pairs.push([x0, y0 + j]);
      } else {
        const mid = (x0 + x1) >>> 1;
        const fwd = this.#forward(x0, mid, y0, y1);
        const bwd = this.#backward(mid, x1, y0, y1);
        // Best split column: LCS(x[x0, mid), y[y0, k)) + LCS(x[mid, x1), y[k, y1)).
        let k = 0;
        let best = -1;
        for (let j = 0; j <= y1 - y0; j++) {
          const v = fwd[j] + bwd[j];
          if (v > best) {
            best = v;
            k = j;
          }
        }
        this.solve(x0, mid, y0, y0 + k);
        this.solve(mid, x1, y0 + k, y1);
      }
    }
    for (let t = 0; t < tail; t++) this.pairs.push([x1 + t, y1 + t]);
  }

  /** `row[j] = LCS(x[x0, x1), y[y0, y0 + j))` for `j` in `[0, y1 - y0]`. */
  #forward(x0: number, x1: number, y0: number, y1: number): Int32Array {
    return this.#row(x0, x1, y0, y1, false, this.#fwd);
  }

  /** `row[j] = LCS(x[x0, x1), y[y0 + j, y1))` for `j` in `[0, y1 - y0]`. */
  #backward(x0: number, x1: number, y0: number, y1: number): Int32Array {
    return this.#row(x0, x1, y0, y1, true, this.#bwd);
  }

  /**
   * One DP row from the bit-parallel kernel, with `y[y0, y1)` as the bit
   * vector; `reversed` runs both slices backwards (suffixes of `y`).
   */
  #row(
    x0: number,
    x1: number,
    y0: number,
    y1: number,
    reversed: boolean,
    out: Int32Array,
  ): Int32Array {
    const n = x1 - x0;
    const m = y1 - y0;
    const pt = scratch(Slot.A, n * 4);
    const pp = scratch(Slot.B, m * 4);
    const pr = scratch(Slot.C, (m + 1) * 4);
    let heap = i32Heap();
    const x = this.#x.subarray(x0, x1);
    const y = this.#y.subarray(y0, y1);
    if (reversed) {
      for (let i = 0, at = pt >>> 2; i < n; i++) heap[at + i] = x[n - 1 - i];
      for (let j = 0, at = pp >>> 2; j < m; j++) heap[at + j] = y[m - 1 - j];
    } else {
      heap.set(x, pt >>> 2);
      heap.set(y, pp >>> 2);
    }
    kit().lcs_row_u32(
      pt,
      n,
      pp,
      m,
      this.#sigma,
      pr,
      0, // strategy: auto
    );
    heap = i32Heap();
    const at = pr >>> 2;
    if (reversed) {
      // The row of the reversed slices counts suffixes: LCS(.., y[y1 - t, y1)).
      for (let j = 0; j <= m; j++) out[j] = heap[at + m - j];
    } else {
      out.set(heap.subarray(at, at + m + 1));
    }
    return out;
  }

  /** Full DP table and traceback for a small sub-problem. */
  #table(x0: number, x1: number, y0: number, y1: number): void {
    const x = this.#x;
    const y = this.#y;
    const t = this.#cells;
    const h = x1 - x0;
    const w = y1 - y0;
    const stride = w + 1;
    t.fill(0, 0, stride);
    for (let i = 1; i <= h; i++) {
      const c = x[x0 + i - 1];
      const row = i * stride;
      t[row] = 0;
      for (let j = 1; j <= w; j++) {
        t[row + j] = y[y0 + j - 1] === c
          ? t[row - stride + j - 1] + 1
          : Math.max(t[row - stride + j], t[row + j - 1]);
      }
    }
    const found: Array<[number, number]> = [];
    let i = h;
    let j = w;
    while (i > 0 && j > 0) {
      if (x[x0 + i - 1] === y[y0 + j - 1]) {
        found.push([x0 + i - 1, y0 + j - 1]);
        i--;
        j--;
      } else if (t[(i - 1) * stride + j] >= t[i * stride + j - 1]) {
        i--;
      } else {
        j--;
      }
    }
    for (let k = found.length - 1; k >= 0; k--) this.pairs.push(found[k]);
  }
}
