// Copyright 2026 the @midstreamer/kit authors. MIT license.

import type { DtwPathResult } from "../kernels/dtw_path.ts";
import { putValues } from "./_wire.ts";
import type {
  SearchReply,
  ServiceOp,
  ServiceReplies,
  TopKReply,
} from "./protocol.ts";

/**
 * Encodes the server's reply to an op.
 *
 * @example Replies of each op
 * ```ts
 * import { encodeReply } from "@midstreamer/kit/service";
 * import assert from "node:assert/strict";
 *
 * assert.equal(encodeReply("dtw", 2.5).length, 8);
 * assert.equal(encodeReply("dtwBatch", Float64Array.of(1, 2)).length, 16);
 * const stats = { prunedByKim: 0, prunedByKeogh: 0, abandoned: 0, computed: 1 };
 * assert.equal(
 *   encodeReply("topK", { matches: [{ index: 3, distance: 0 }], stats }).length,
 *   32 + 16,
 * );
 * ```
 *
 * @param op The op answered.
 * @param result Its result.
 * @returns The reply message.
 */
export function encodeReply<Op extends ServiceOp>(
  op: Op,
  result: ServiceReplies[Op],
): Uint8Array {
  let values: Float64Array;
  switch (op) {
    case "dtwBatch":
    case "correlationMatrix":
      values = result as Float64Array;
      break;
    case "topK": {
      const { matches, stats: s } = result as TopKReply;
      values = pairs(
        [s.prunedByKim, s.prunedByKeogh, s.abandoned, s.computed],
        matches.length,
        (i) => [matches[i].index, matches[i].distance],
      );
      break;
    }
    case "searchSubsequence": {
      const { matches, stats: s } = result as SearchReply;
      values = pairs(
        [
          s.windows,
          s.prunedByKim,
          s.prunedByKeoghEQ,
          s.prunedByKeoghEC,
          s.abandoned,
          s.computed,
        ],
        matches.length,
        (i) => [matches[i].start, matches[i].distance],
      );
      break;
    }
    case "dtwPath": {
      const { distance, path } = result as DtwPathResult;
      const bytes = new Uint8Array(8 + 8 * path.length);
      const view = new DataView(bytes.buffer);
      view.setFloat64(0, distance, true);
      for (let i = 0; i < path.length; i++) {
        view.setUint32(8 + 8 * i, path[i][0], true);
        view.setUint32(12 + 8 * i, path[i][1], true);
      }
      return bytes;
    }
    default:
      values = Float64Array.of(result as number);
  }
  const bytes = new Uint8Array(8 * values.length);
  putValues(values, bytes, 0);
  return bytes;
}

/** `head`, then `count` pairs `pair(i)`, as f64 values. */
function pairs(
  head: number[],
  count: number,
  pair: (i: number) => [number, number],
): Float64Array {
  const values = new Float64Array(head.length + 2 * count);
  values.set(head);
  for (let i = 0; i < count; i++) {
    const [a, b] = pair(i);
    values[head.length + 2 * i] = a;
    values[head.length + 2 * i + 1] = b;
  }
  return values;
}
