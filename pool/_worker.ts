// Copyright 2026 the @midstreamer/kit authors. MIT license.
// Entry point of the WorkerPool's workers (messages: `_protocol.ts`).
// Internal.

/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />

import {
  batchPacked,
  correlationRows,
  type DtwArgs,
  type EncodedSequences,
  type PackedInput,
  type PackedPatterns,
  pathPacked,
  type SearchArgs,
  searchPacked,
  topKPacked,
} from "../kernels/internal.ts";
import { dtw } from "../kernels/dtw.ts";
import { lcs } from "../kernels/lcs.ts";
import type { Reply, Request } from "./_protocol.ts";
import { searchClaimed } from "./_shared_search.ts";
import { buf } from "./_split.ts";

/** What a kernel returns: its result and the buffers to transfer back. */
interface Result {
  result: unknown;
  transfer?: Transferable[];
}

// deno-lint-ignore no-explicit-any
const KERNELS: Record<string, (...args: any[]) => Result> = {
  dtw(a: PackedInput, b: PackedInput, args: DtwArgs): Result {
    // Through the public function: its checks run here too.
    return {
      result: dtw(a, b, {
        window: args.window < 0 ? undefined : args.window,
        cost: args.squared ? "squared" : "absolute",
        cutoff: args.cutoff,
        multivariate: args.independent ? "independent" : "dependent",
        precision: args.f32 ? "f32" : "f64",
      }),
    };
  },
  dtwBatch(ref: PackedInput, p: PackedPatterns, args: DtwArgs): Result {
    const out = batchPacked(ref, p, args);
    return { result: out, transfer: [buf(out)] };
  },
  topK(
    ref: PackedInput,
    p: PackedPatterns,
    k: number,
    args: DtwArgs,
    base: number,
  ): Result {
    return { result: topKPacked(ref, p, k, args, base) };
  },
  searchSubsequence(
    x: Float64Array,
    base: number,
    q: Float64Array,
    args: SearchArgs,
    cutoff: number,
    dims = 1,
  ): Result {
    const r = searchPacked(x, base, q, args, cutoff, dims);
    return { result: r, transfer: [buf(r.candidates)] };
  },
  searchShared(
    x: Float64Array,
    base: number,
    q: Float64Array,
    args: SearchArgs,
    control: SharedArrayBuffer,
    part: number,
    windows: number,
    dims: number,
  ): Result {
    const r = searchClaimed(x, base, q, args, control, part, windows, dims);
    return { result: r, transfer: r.candidates.map(buf) };
  },
  dtwPath(a: PackedInput, b: PackedInput, args: DtwArgs): Result {
    const { distance, path } = pathPacked(a, b, args);
    const cells = new Uint32Array(2 * path.length);
    for (let i = 0; i < path.length; i++) {
      cells[2 * i] = path[i][0];
      cells[2 * i + 1] = path[i][1];
    }
    return { result: { distance, cells }, transfer: [buf(cells)] };
  },
  lcs(a: Int32Array, b: Int32Array): Result {
    return { result: lcs(a, b) };
  },
  correlationMatrix(
    encoded: EncodedSequences,
    rowStart: number,
    rowEnd: number,
  ): Result {
    const values = correlationRows(encoded, rowStart, rowEnd);
    return { result: values, transfer: [buf(values)] };
  },
};

self.onmessage = (e: MessageEvent<Request>) => {
  const { id, kernel, args } = e.data;
  let reply: Reply;
  let transfer: Transferable[] = [];
  try {
    const fn = KERNELS[kernel];
    if (fn === undefined) throw new Error(`unknown kernel "${kernel}"`);
    const r = fn(...args);
    reply = { id, ok: true, result: r.result };
    transfer = r.transfer ?? [];
  } catch (err) {
    const error = err instanceof Error
      ? { name: err.name, message: err.message }
      : { name: "Error", message: String(err) };
    reply = { id, ok: false, error };
  }
  self.postMessage(reply, { transfer });
};
