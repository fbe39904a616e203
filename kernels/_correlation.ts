// Copyright 2026 the @midstreamer/kit authors. MIT license.
// Building blocks of `correlationMatrix`, shared with the worker pool.
// Internal: not exported from mod.ts.
//
// A parallel matrix is computed in three steps:
//
//   const enc = encodeSequences("correlationMatrix", sequences); // main
//   const parts = splitRows(enc, workers);        // row ranges, balanced
//   // in each worker, for its range [rowStart, rowEnd):
//   const values = correlationRows(enc, rowStart, rowEnd);
//   // back on the main thread:
//   const matrix = assembleCorrelationMatrix(enc, [{ rowStart, rowEnd, values }, ...]);
//
// `EncodedSequences` holds only typed arrays and a number, so it can be
// posted to a worker (copy or transfer `ids`); `values` is a Float64Array
// whose buffer can be transferred back.

import { describe } from "./_validate.ts";
import { checkTotal, sequenceLength, SymbolTable } from "./_symbols.ts";
import { f64Heap, i32Heap, kit, scratch, Slot } from "./_wasm.ts";
import type { LcsSequence } from "./lcs.ts";

/**
 * Sequences interned with one shared symbol table, ready for the kernel.
 * Positions `r` in *sorted order* (by length, ascending, stable) are what
 * the row ranges of {@linkcode correlationRows} count.
 */
export interface EncodedSequences {
  /** Dense symbol ids of every sequence, concatenated in input order. */
  readonly ids: Int32Array;
  /** Sequence `q` is `ids[starts[q]]` up to `ids[starts[q + 1]]`; length `count + 1`. */
  readonly starts: Uint32Array;
  /** `order[r]` is the input index of the sequence at sorted position `r`. */
  readonly order: Uint32Array;
  /** Number of distinct ids: every id is in `[0, alphabetSize)`. */
  readonly alphabetSize: number;
}

/**
 * The computed pairs `(r, s)` of rows `[rowStart, rowEnd)` (sorted
 * positions), with `s` in `[max(r + 1, colStart), colEnd)`, row-major: by
 * default every `s > r`, as {@linkcode correlationRows} returns them; a
 * column range makes it a tile of the upper triangle (the cluster's
 * shards).
 */
export interface CorrelationRows {
  /** First sorted row. */
  rowStart: number;
  /** End (exclusive) sorted row. */
  rowEnd: number;
  /** First sorted column (pairs with `s <= r` are never included); default 0. */
  colStart?: number;
  /** End (exclusive) sorted column; default `n`. */
  colEnd?: number;
  /** The correlations of those pairs, row-major. */
  values: Float64Array;
}

/**
 * Validates and interns `sequences` (one symbol table for all of them).
 *
 * @throws {TypeError} when `sequences` is not an array, or naming
 * `sequences[i]` (and the element index) for a bad sequence.
 * @throws {RangeError} when a sequence is longer than 2^31 symbols or all
 * hold more than 2^28.
 */
export function encodeSequences(
  fn: string,
  sequences: readonly LcsSequence[],
): EncodedSequences {
  if (!Array.isArray(sequences)) {
    throw new TypeError(
      `${fn}: sequences must be an array of sequences, got ${
        describe(sequences)
      }`,
    );
  }
  const n = sequences.length;
  let bound = 0;
  for (let q = 0; q < n; q++) {
    bound += sequenceLength(fn, `sequences[${q}]`, sequences[q]);
  }
  checkTotal(fn, "sequences", bound);
  const buf = new Int32Array(bound);
  const starts = new Uint32Array(n + 1);
  const table = new SymbolTable();
  let at = 0;
  for (let q = 0; q < n; q++) {
    starts[q] = at;
    at += table.intern(fn, `sequences[${q}]`, sequences[q], buf, at);
  }
  starts[n] = at;
  const order = Array.from({ length: n }, (_, q) => q).sort((x, y) =>
    (starts[x + 1] - starts[x]) - (starts[y + 1] - starts[y]) || x - y
  );
  return {
    ids: at === bound ? buf : buf.slice(0, at),
    starts,
    order: Uint32Array.from(order),
    alphabetSize: table.size,
  };
}

/** Number of pairs `(r, s)`, `rowStart <= r < rowEnd`, `r < s < n`. */
export function pairCount(n: number, rowStart: number, rowEnd: number): number {
  const rows = rowEnd - rowStart;
  return rows * (n - 1) - (rowStart + rowEnd - 1) * rows / 2;
}

/**
 * Correlations of the pairs `(r, s)` with `rowStart <= r < rowEnd` and
 * `r < s < n` (sorted positions), row-major: `values[k]` for
 * `k = pairCount(n, rowStart, r) + (s - r - 1)`. Each is
 * `lcs / max(length)`, or 1 for two empty sequences. Rows are computed in
 * blocks of 4 from `rowStart`, so ranges whose bounds are multiples of 4
 * waste no SIMD lane.
 *
 * @throws {TypeError} when `encoded` is malformed.
 * @throws {RangeError} when the row range is not within `[0, count]`.
 */
export function correlationRows(
  encoded: EncodedSequences,
  rowStart: number,
  rowEnd: number,
): Float64Array {
  const n = checkEncoded(encoded);
  if (
    !Number.isInteger(rowStart) || !Number.isInteger(rowEnd) ||
    rowStart < 0 || rowStart > rowEnd || rowEnd > n
  ) {
    throw new RangeError(
      `correlationRows: rows [${rowStart}, ${rowEnd}) are not within [0, ${n}]`,
    );
  }
  return rows(encoded, rowStart, rowEnd);
}

/** {@linkcode correlationRows} without the checks. */
function rows(
  enc: EncodedSequences,
  rowStart: number,
  rowEnd: number,
): Float64Array {
  const n = enc.order.length;
  const pairs = pairCount(n, rowStart, rowEnd);
  if (pairs === 0) return new Float64Array(0);
  const pi = scratch(Slot.A, enc.ids.length * 4);
  const ps = scratch(Slot.B, (n + 1) * 4);
  const po = scratch(Slot.C, n * 4);
  const pout = scratch(Slot.D, pairs * 8);
  const heap = i32Heap();
  heap.set(enc.ids, pi >>> 2);
  new Uint32Array(heap.buffer, ps, n + 1).set(enc.starts);
  new Uint32Array(heap.buffer, po, n).set(enc.order);
  kit().lcs_corr_rows(
    pi,
    ps,
    n,
    po,
    n,
    enc.alphabetSize,
    rowStart,
    rowEnd,
    pout,
    0, // strategy: auto
  );
  return f64Heap().slice(pout >>> 3, (pout >>> 3) + pairs);
}

/**
 * The `n × n` matrix (row-major, input order, diagonal 1) from computed row
 * ranges that together cover `[0, n)`.
 *
 * @throws {RangeError} when a part's `values` has the wrong length.
 */
export function assembleCorrelationMatrix(
  encoded: EncodedSequences,
  parts: readonly CorrelationRows[],
): Float64Array {
  const m = emptyCorrelationMatrix(encoded);
  for (const part of parts) writeCorrelationRows(encoded, m, part);
  return m;
}

/**
 * The `n × n` matrix of `encoded` with only its diagonal (1) set, for
 * {@linkcode writeCorrelationRows} to fill.
 */
export function emptyCorrelationMatrix(
  encoded: EncodedSequences,
): Float64Array {
  const n = encoded.order.length;
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) m[i * n + i] = 1;
  return m;
}

/**
 * Writes the pairs of `part` (both halves of the symmetric matrix) into
 * `matrix` (`n × n`, input order).
 *
 * @throws {RangeError} when `values` has the wrong length for the part.
 */
export function writeCorrelationRows(
  encoded: EncodedSequences,
  matrix: Float64Array,
  part: CorrelationRows,
): void {
  const { order } = encoded;
  const n = order.length;
  const { rowStart, rowEnd, values } = part;
  const colStart = part.colStart ?? 0;
  const colEnd = part.colEnd ?? n;
  let want = 0;
  for (let r = rowStart; r < rowEnd; r++) {
    want += Math.max(0, colEnd - Math.max(r + 1, colStart));
  }
  if (values.length !== want) {
    throw new RangeError(
      `assembleCorrelationMatrix: rows [${rowStart}, ${rowEnd}) × columns [${colStart}, ${colEnd}) need ${want} values, got ${values.length}`,
    );
  }
  let k = 0;
  for (let r = rowStart; r < rowEnd; r++) {
    const i = order[r];
    for (let s = Math.max(r + 1, colStart); s < colEnd; s++) {
      const j = order[s];
      const v = values[k++];
      matrix[i * n + j] = v;
      matrix[j * n + i] = v;
    }
  }
}

/**
 * Splits the rows into at most `parts` ranges of about equal work, with
 * bounds on multiples of 4. Returns the bounds: `[0, b1, ..., n]`.
 */
export function splitRows(encoded: EncodedSequences, parts: number): number[] {
  const cost = blockCosts(encoded);
  const n = encoded.order.length;
  const total = cost.reduce((a, b) => a + b, 0);
  const bounds = [0];
  let acc = 0;
  for (let i = 0; i < cost.length; i++) {
    acc += cost[i];
    const want = (bounds.length * total) / Math.max(1, parts);
    if (acc >= want && bounds.length < parts && (i + 1) * 4 < n) {
      bounds.push((i + 1) * 4);
    }
  }
  bounds.push(n);
  return bounds;
}

/**
 * Work (in {@linkcode correlationWork} units) up to which
 * `WorkerPool.correlationMatrix` computes one share on the calling thread
 * and the others on `workers - 1` workers: posting a small matrix and waking
 * a worker costs about as much as a share of it. About 4 ms of work, so
 * the calling thread blocks for a few milliseconds at most.
 */
export const LOCAL_CORRELATION_WORK = 8e6;

/**
 * Work up to which `WorkerPool.correlationMatrix` computes the whole matrix
 * on the calling thread (about half a millisecond): less than a worker's
 * round trip.
 */
export const ALONE_CORRELATION_WORK = 1e6;

/**
 * Work of the whole matrix in the units of {@linkcode splitRows}: about
 * 2e6 units per millisecond on one thread (100 sequences of 200 symbols
 * are 2.3e6).
 */
export function correlationWork(encoded: EncodedSequences): number {
  return blockCosts(encoded).reduce((a, b) => a + b, 0);
}

/** Work of each block of 4 rows: its pattern words times the text after it. */
function blockCosts(encoded: EncodedSequences): number[] {
  const { order, starts } = encoded;
  const n = order.length;
  const len = (r: number) => starts[order[r] + 1] - starts[order[r]];
  const suffix = new Float64Array(n + 1);
  for (let r = n - 1; r >= 0; r--) suffix[r] = suffix[r + 1] + len(r);
  const cost: number[] = [];
  for (let b = 0; b < n; b += 4) {
    cost.push(Math.ceil(len(Math.min(b + 3, n - 1)) / 31 + 1) * suffix[b + 1]);
  }
  return cost;
}

/** Validates the shape of `enc`; returns the number of sequences. */
function checkEncoded(enc: EncodedSequences): number {
  const bad = (why: string) =>
    new TypeError(`correlationRows: encoded sequences are malformed: ${why}`);
  if (
    enc === null || typeof enc !== "object" ||
    !(enc.ids instanceof Int32Array) || !(enc.starts instanceof Uint32Array) ||
    !(enc.order instanceof Uint32Array)
  ) {
    throw bad(
      "expected { ids: Int32Array, starts: Uint32Array, order: Uint32Array, alphabetSize }",
    );
  }
  const { ids, starts, order, alphabetSize } = enc;
  const n = order.length;
  checkTotal("correlationRows", "encoded sequences", ids.length);
  if (starts.length !== n + 1 || starts[0] !== 0 || starts[n] !== ids.length) {
    throw bad("starts must have count + 1 offsets from 0 to ids.length");
  }
  for (let q = 0; q < n; q++) {
    if (starts[q + 1] < starts[q]) throw bad(`starts[${q + 1}] < starts[${q}]`);
    if (order[q] >= n) throw bad(`order[${q}] is out of range`);
  }
  if (
    !Number.isInteger(alphabetSize) || alphabetSize < 0 ||
    alphabetSize > 2 ** 31
  ) {
    throw bad("alphabetSize must be an integer in [0, 2^31]");
  }
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (id < 0 || id >= alphabetSize) throw bad(`ids[${i}] is out of range`);
  }
  return n;
}

/** The whole matrix on this thread. */
export function correlationMatrixOf(encoded: EncodedSequences): Float64Array {
  const n = encoded.order.length;
  return assembleCorrelationMatrix(encoded, [{
    rowStart: 0,
    rowEnd: n,
    values: rows(encoded, 0, n),
  }]);
}
