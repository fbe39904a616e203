// Copyright 2026 the @midstreamer/kit authors. MIT license.
// Entry point of the WorkerPool's workers. Internal.
//
// Protocol: the pool posts `{ id, kernel, args }`; the worker runs
// `KERNELS[kernel](...args)` on its own WebAssembly instance and posts
// `{ id, ok: true, result }` (transferring the typed arrays in `transfer`)
// or `{ id, ok: false, error: { name, message } }`. Adding a kernel to the
// pool is one entry here and one method in worker_pool.ts.

/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />

import { correlationRows, type EncodedSequences } from "./_correlation.ts";
import type { DtwArgs } from "./_options.ts";
import type { PackedPatterns } from "./_search_input.ts";
import {
  batchPacked,
  type SearchArgs,
  searchPacked,
  topKPacked,
} from "./_search_kernels.ts";
import { buf } from "./_search_pool.ts";

/** What a kernel returns: its result and the buffers to transfer back. */
interface Reply {
  result: unknown;
  transfer?: Transferable[];
}

// deno-lint-ignore no-explicit-any
const KERNELS: Record<string, (...args: any[]) => Reply> = {
  dtwBatch(ref: Float64Array, p: PackedPatterns, args: DtwArgs): Reply {
    const out = batchPacked(ref, p, args);
    return { result: out, transfer: [buf(out)] };
  },
  topK(
    ref: Float64Array,
    p: PackedPatterns,
    k: number,
    args: DtwArgs,
    base: number,
  ): Reply {
    return { result: topKPacked(ref, p, k, args, base) };
  },
  searchSubsequence(
    x: Float64Array,
    base: number,
    q: Float64Array,
    args: SearchArgs,
    threshold: number,
  ): Reply {
    const r = searchPacked(x, base, q, args, threshold);
    return { result: r, transfer: [buf(r.candidates)] };
  },
  correlationMatrix(
    encoded: EncodedSequences,
    rowStart: number,
    rowEnd: number,
  ): Reply {
    const values = correlationRows(encoded, rowStart, rowEnd);
    return { result: values, transfer: [buf(values)] };
  },
};

self.onmessage = (
  e: MessageEvent<{ id: number; kernel: string; args: unknown[] }>,
) => {
  const { id, kernel, args } = e.data;
  if (kernel === "__crash__") {
    // Test hook: crashes the worker outside of any handler, and never
    // answers: the error event must reject the job.
    setTimeout(() => {
      throw new Error("deliberate worker crash (test hook)");
    });
    return;
  }
  try {
    const fn = KERNELS[kernel];
    if (fn === undefined) throw new Error(`unknown kernel "${kernel}"`);
    const { result, transfer } = fn(...args);
    self.postMessage({ id, ok: true, result }, { transfer: transfer ?? [] });
  } catch (err) {
    const error = err instanceof Error
      ? { name: err.name, message: err.message }
      : { name: "Error", message: String(err) };
    self.postMessage({ id, ok: false, error });
  }
};
