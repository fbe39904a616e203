// Copyright 2026 the @midstreamer/kit authors. MIT license.

import type { DtwPathResult } from "../kernels/dtw_path.ts";
import { subsequenceMatch } from "../kernels/internal.ts";
import type {
  SearchStats,
  SubsequenceMatch,
} from "../kernels/search_subsequence.ts";
import type { Match, TopKStats } from "../kernels/top_k.ts";
import { takeF64 } from "./_wire.ts";
import type {
  SearchReply,
  ServiceOp,
  ServiceReplies,
  TopKReply,
} from "./protocol.ts";

/** Size in bytes of a reply's fixed head and of each of its items, by op. */
const REPLY_SHAPE: Readonly<Record<ServiceOp, [number, number]>> = {
  dtw: [8, 0],
  lcs: [8, 0],
  dtwBatch: [0, 8],
  correlationMatrix: [0, 8],
  topK: [32, 16],
  searchSubsequence: [48, 16],
  dtwPath: [8, 8],
};

/**
 * Decodes the server's reply to an op. A `searchSubsequence` reply needs
 * the query's length, for the matches' `end`.
 *
 * @example Round trip of a topK reply
 * ```ts
 * import { decodeReply, encodeReply } from "@midstreamer/kit/service";
 * import assert from "node:assert/strict";
 *
 * const reply = {
 *   matches: [{ index: 1, distance: 0.5 }, { index: 0, distance: 2 }],
 *   stats: { prunedByKim: 0, prunedByKeogh: 0, abandoned: 0, computed: 2 },
 * };
 * assert.deepEqual(decodeReply("topK", encodeReply("topK", reply)), reply);
 * ```
 *
 * @param op The op that was requested.
 * @param bytes The reply message.
 * @param queryLength For `searchSubsequence`: the length of the query.
 * @returns The result.
 * @throws {TypeError} when the reply has the wrong size for the op.
 */
export function decodeReply<Op extends ServiceOp>(
  op: Op,
  bytes: Uint8Array,
  queryLength = 0,
): ServiceReplies[Op] {
  const [head, item] = REPLY_SHAPE[op];
  if (
    bytes.length < head ||
    (item === 0 ? bytes.length !== head : (bytes.length - head) % item !== 0)
  ) {
    throw new TypeError(
      `malformed reply: ${bytes.length} bytes is not a ${op} reply`,
    );
  }
  if (op === "dtwPath") {
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    const path: Array<[number, number]> = new Array((bytes.length - 8) / 8);
    for (let i = 0; i < path.length; i++) {
      path[i] = [
        view.getUint32(8 + 8 * i, true),
        view.getUint32(12 + 8 * i, true),
      ];
    }
    const reply: DtwPathResult = { distance: view.getFloat64(0, true), path };
    return reply as ServiceReplies[Op];
  }
  const values = takeF64(bytes, 0, bytes.length / 8);
  switch (op) {
    case "dtw":
    case "lcs":
      return values[0] as ServiceReplies[Op];
    case "topK": {
      const matches: Match[] = new Array((values.length - 4) / 2);
      for (let i = 0; i < matches.length; i++) {
        matches[i] = { index: values[4 + 2 * i], distance: values[5 + 2 * i] };
      }
      const stats: TopKStats = {
        prunedByKim: values[0],
        prunedByKeogh: values[1],
        abandoned: values[2],
        computed: values[3],
      };
      const reply: TopKReply = { matches, stats };
      return reply as ServiceReplies[Op];
    }
    case "searchSubsequence": {
      const matches: SubsequenceMatch[] = new Array((values.length - 6) / 2);
      for (let i = 0; i < matches.length; i++) {
        matches[i] = subsequenceMatch(
          values[6 + 2 * i],
          queryLength,
          values[7 + 2 * i],
        );
      }
      const stats: SearchStats = {
        windows: values[0],
        prunedByKim: values[1],
        prunedByKeoghEQ: values[2],
        prunedByKeoghEC: values[3],
        abandoned: values[4],
        computed: values[5],
      };
      const reply: SearchReply = { matches, stats };
      return reply as ServiceReplies[Op];
    }
    default:
      return values as ServiceReplies[Op];
  }
}
