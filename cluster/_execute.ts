// Copyright 2026 the @midstreamer/kit authors. MIT license.
// A worker computes a checked shard on its WorkerPool (one kernel call on
// one of its threads: the cluster has cut the work already) and returns
// the result as f64 values:
//
// | op | result |
// | --- | --- |
// | dtw, lcs | the distance, the length |
// | dtwPath | the distance, then the path's cells i, j, … |
// | dtwBatch | one distance per pattern |
// | topK | the 4 counters, then index, distance of each match |
// | searchSubsequence | the 5 counters, the bound, then start, distance of each candidate |
// | correlationMatrix | the tile's correlations, row-major |
//
// Internal.

import {
  type DtwArgs,
  type EncodedSequences,
  type PackedInput,
  type PackedPatterns,
  SEARCH_RESET,
  type SearchArgs,
  type SearchResult,
  type TopKResult,
} from "../kernels/internal.ts";
import { runKernel } from "../pool/internal.ts";
import type { WorkerPool } from "../pool/worker_pool.ts";
import { cellsOf, checkCells } from "../service/internal.ts";
import {
  checkBatch,
  checkSeries,
  type Decoded,
  type Limits,
  type SequenceBlock,
} from "./_blob_format.ts";
import { numberArg, type Shard } from "./_shards.ts";

function malformed(why: string): TypeError {
  return new TypeError(`malformed shard: ${why}`);
}

/** An `f64` series input of `dims` values per point, point-major. */
function series(
  d: Decoded,
  what: string,
  limits: Limits,
  dims: number,
): Float64Array {
  if (d.kind !== "f64") throw malformed(`${what} is not a series`);
  if (d.value.length % dims !== 0) {
    throw malformed(
      `${what} has ${d.value.length} values, not ${dims} per point`,
    );
  }
  checkSeries(what, d.value.length / dims, limits);
  return d.value;
}

/** A series input of a DTW op: `dims` values per point, in its precision. */
function dtwSeries(
  d: Decoded,
  what: string,
  limits: Limits,
  dims: number,
): PackedInput {
  if (d.kind !== "f64" && d.kind !== "f32") {
    throw malformed(`${what} is not a series`);
  }
  const values = d.value;
  if (values.length % dims !== 0) {
    throw malformed(
      `${what} has ${values.length} values, not a whole number of points of ${dims}`,
    );
  }
  checkSeries(what, values.length / dims, limits);
  return dims === 1 && values instanceof Float64Array
    ? values
    : { dims, values };
}

/** The points of a checked series input. */
function points(x: PackedInput): number {
  return x instanceof Float64Array ? x.length : x.values.length / x.dims;
}

/** The band of a shard as `cellsOf` takes it. */
function band(shard: Shard): number | undefined {
  const w = numberArg(shard.args, "window");
  return w < 0 ? undefined : w;
}

function dtwArgsOf(shard: Shard, bound = Infinity): DtwArgs {
  return {
    window: numberArg(shard.args, "window"),
    squared: numberArg(shard.args, "squared"),
    cutoff: Math.min(numberArg(shard.args, "cutoff"), bound),
    independent: shard.args.independent === 1,
    f32: shard.args.f32 === 1,
  };
}

/** Checks a shard's total input bytes against `limits.maxRequestBytes`. */
function checkBytes(bytes: number, limits: Limits): void {
  if (bytes > limits.maxRequestBytes) {
    throw new RangeError(
      `shard refused: its inputs have ${bytes} bytes; the worker's limit (maxRequestBytes, as the matching service's) is ${limits.maxRequestBytes}`,
    );
  }
}

/**
 * The LCS cells of the rows `0 .. rows` of a tile against every later
 * sequence (as `cellsOf` counts a pair: the product of the lengths), with
 * `starts` the offsets of its sequences.
 */
function tileCells(starts: ArrayLike<number>, rows: number): number {
  const count = starts.length - 1;
  let cells = 0;
  for (let r = 0; r < rows && r < count; r++) {
    cells += (starts[r + 1] - starts[r]) * (starts[count] - starts[r + 1]);
  }
  return cells;
}

/** The sequences of a tile as one `EncodedSequences`, in sorted order. */
function tileSequences(
  blocks: SequenceBlock[],
  ranges: [number, number][],
  alphabet: number,
): EncodedSequences {
  let count = 0, symbols = 0;
  ranges.forEach(([from, to], b) => {
    count += to - from;
    symbols += blocks[b].starts[to] - blocks[b].starts[from];
  });
  const ids = new Int32Array(symbols);
  const starts = new Uint32Array(count + 1);
  let q = 0, at = 0;
  ranges.forEach(([from, to], b) => {
    const block = blocks[b];
    ids.set(block.ids.subarray(block.starts[from], block.starts[to]), at);
    for (let i = from; i < to; i++) {
      starts[q] = at;
      at += block.starts[i + 1] - block.starts[i];
      q++;
    }
  });
  starts[count] = at;
  return {
    ids,
    starts,
    order: Uint32Array.from({ length: count }, (_, i) => i),
    alphabetSize: alphabet,
  };
}

/**
 * Computes `shard` from its decoded `inputs` (in the shard's order) on
 * `pool`; `bound` is the job's current bound (topK's k-th best distance,
 * search's bound), `Infinity` if none; the `owned` inputs are this
 * shard's alone (not cached), and may be moved to the pool's thread.
 *
 * @throws {TypeError} when the shard is malformed (inputs of the wrong kind or shape).
 * @throws {RangeError} when it is over `limits`.
 */
export async function execute(
  pool: WorkerPool,
  shard: Shard,
  inputs: Decoded[],
  inputBytes: number[],
  bound: number,
  limits: Limits,
  owned: ReadonlySet<Decoded> = new Set(),
): Promise<Float64Array> {
  const run = (kernel: string, args: unknown[], moved: Transferable[] = []) =>
    runKernel(pool, kernel, args, moved);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  switch (shard.op) {
    case "dtw":
    case "dtwPath": {
      checkBytes(sum(inputBytes), limits);
      const dims = numberArg(shard.args, "dims");
      const a = dtwSeries(inputs[0], "a", limits, dims);
      const b = dtwSeries(inputs[1], "b", limits, dims);
      checkCells(
        shard.op,
        cellsOf(shard.op, points(a), points(b), [], band(shard)) * dims,
        limits,
      );
      if (shard.op === "dtw") {
        return Float64Array.of(
          await run("dtw", [a, b, dtwArgsOf(shard)]) as number,
        );
      }
      const { distance, cells } = await run("dtwPath", [
        a,
        b,
        dtwArgsOf(shard),
      ]) as { distance: number; cells: Uint32Array };
      const out = new Float64Array(1 + cells.length);
      out[0] = distance;
      out.set(cells, 1);
      return out;
    }
    case "lcs": {
      checkBytes(sum(inputBytes), limits);
      const [a, b] = inputs;
      if (a.kind !== "i32" || b.kind !== "i32") {
        throw malformed("lcs inputs are not symbol ids");
      }
      checkSeries("a", a.value.length, limits);
      checkSeries("b", b.value.length, limits);
      checkCells(
        "lcs",
        cellsOf("lcs", a.value.length, b.value.length, [], undefined),
        limits,
      );
      return Float64Array.of(await run("lcs", [a.value, b.value]) as number);
    }
    case "dtwBatch":
    case "topK": {
      checkBytes(sum(inputBytes), limits);
      const dims = numberArg(shard.args, "dims");
      const ref = dtwSeries(inputs[0], "reference", limits, dims);
      const p = inputs[1];
      if (p.kind !== "patterns" && p.kind !== "patterns32") {
        throw malformed("no patterns");
      }
      // The patterns, if this shard's own copy: moved, not copied (a
      // cached set's are in shared memory, which the thread reads).
      const packed: PackedPatterns = p.value;
      const { offsets } = packed;
      const lengths = new Uint32Array(offsets.length - 1);
      for (let i = 0; i < lengths.length; i++) {
        lengths[i] = offsets[i + 1] - offsets[i];
      }
      checkCells(
        shard.op,
        cellsOf(shard.op, points(ref), 0, lengths, band(shard)) * dims,
        limits,
      );
      const moved = owned.has(p) ? [packed.flat.buffer as ArrayBuffer] : [];
      if (shard.op === "dtwBatch") {
        return await run("dtwBatch", [
          ref,
          packed,
          dtwArgsOf(shard),
        ], moved) as Float64Array;
      }
      const r = await run("topK", [
        ref,
        packed,
        numberArg(shard.args, "k"),
        dtwArgsOf(shard, bound),
        numberArg(shard.args, "base"),
      ], moved) as TopKResult;
      const out = new Float64Array(4 + 2 * r.matches.length);
      out.set(r.stats);
      r.matches.forEach((match, i) => {
        out[4 + 2 * i] = match.index;
        out[5 + 2 * i] = match.distance;
      });
      return out;
    }
    case "searchSubsequence": {
      const dims = numberArg(shard.args, "dims");
      const q = series(inputs[0], "query", limits, dims);
      const m = q.length / dims;
      const offset = numberArg(shard.args, "offset");
      const length = numberArg(shard.args, "length");
      const base = numberArg(shard.args, "base");
      checkSeries("the searched range", length, limits);
      checkBytes(8 * dims * (m + length), limits);
      checkCells(
        "searchSubsequence",
        cellsOf("searchSubsequence", length, m, [], band(shard)) * dims,
        limits,
      );
      if (base % SEARCH_RESET !== 0) {
        throw malformed(
          `search base ${base} is not a multiple of ${SEARCH_RESET}`,
        );
      }
      if (m === 0 || length < m) {
        throw malformed(
          `a range of ${length} points holds no window of the query's ${m}`,
        );
      }
      // Values, not points, from here on.
      const values = length * dims;
      const part = new Float64Array(values);
      let skip = offset * dims, at = 0;
      for (const d of inputs.slice(1)) {
        if (d.kind !== "f64") throw malformed("a chunk is not a series");
        const chunk = d.value;
        if (chunk.length % dims !== 0) {
          throw malformed(
            `a chunk of ${chunk.length} values is not whole points of ${dims}`,
          );
        }
        if (skip >= chunk.length) {
          skip -= chunk.length;
          continue;
        }
        const take = chunk.subarray(skip, skip + values - at);
        part.set(take, at);
        at += take.length;
        skip = 0;
        if (at === values) break;
      }
      if (at !== values) {
        throw malformed(
          `the chunks hold ${
            at / dims
          } of the range's ${length} points after offset ${offset}`,
        );
      }
      const a: SearchArgs = {
        window: numberArg(shard.args, "window"),
        squared: numberArg(shard.args, "squared"),
        normalize: numberArg(shard.args, "normalize"),
        k: numberArg(shard.args, "k"),
        exclusionZone: numberArg(shard.args, "exclusionZone"),
        ...(shard.args.independent === 1 ? { independent: true } : {}),
      };
      const r = await run("searchSubsequence", [
        part,
        base,
        q,
        a,
        bound,
        dims,
      ]) as SearchResult;
      const out = new Float64Array(6 + r.candidates.length);
      out.set(r.stats);
      out[5] = r.cutoff;
      out.set(r.candidates, 6);
      return out;
    }
    case "correlationMatrix": {
      const blocks = inputs.map((d) => {
        if (d.kind !== "sequences") throw malformed("a block is not sequences");
        return d.value;
      });
      const rowFrom = numberArg(shard.args, "rowFrom");
      const rowTo = numberArg(shard.args, "rowTo");
      const alphabet = numberArg(shard.args, "alphabet");
      const first = blocks[0].starts.length - 1;
      if (!(rowFrom < rowTo && rowTo <= first)) {
        throw malformed(`rows ${rowFrom} .. ${rowTo} of a block of ${first}`);
      }
      const rows = rowTo - rowFrom;
      const ranges: [number, number][] = blocks.length === 1
        ? [[rowFrom, first]]
        : [[rowFrom, rowTo], [0, blocks[1].starts.length - 1]];
      const encoded = tileSequences(blocks, ranges, alphabet);
      const count = encoded.order.length;
      checkBatch("sequences", count, limits);
      checkBytes(4 * encoded.ids.length + 4 * count, limits);
      checkCells("correlationMatrix", tileCells(encoded.starts, rows), limits);
      const values = await run("correlationMatrix", [
        encoded,
        0,
        rows,
      ]) as Float64Array;
      if (blocks.length === 1) return values;
      // Rows against the second block only: skip the pairs within the rows.
      const cols = count - rows;
      const out = new Float64Array(rows * cols);
      let k = 0;
      for (let r = 0; r < rows; r++) {
        k += rows - r - 1;
        out.set(values.subarray(k, k + cols), r * cols);
        k += cols;
      }
      return out;
    }
  }
}
