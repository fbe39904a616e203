// Copyright 2026 the @midstreamer/kit authors. MIT license.

/**
 * The matching service: the kernels (`dtw`, `dtwBatch`, `topK`, `lcs`,
 * `searchSubsequence`, `dtwPath`, `correlationMatrix`) served to other
 * processes over QUIC or WebSocket ({@linkcode serveService}, or
 * `deno task serve`), and its client ({@linkcode connectService}), which
 * implements the kit's `AsyncKernels`. The binary protocol is described in
 * {@link ./protocol.ts}.
 *
 * @example Serve and call over WebSocket
 * ```ts
 * import { topK } from "@midstreamer/kit";
 * import { connectService, serveService } from "@midstreamer/kit/service";
 * import assert from "node:assert/strict";
 *
 * await using server = await serveService({ transport: "websocket", port: 0 });
 * await using client = await connectService({
 *   transport: "websocket",
 *   port: server.addr.port,
 * });
 * const reference = [0, 1, 2, 3, 4];
 * const patterns = [[9, 9], [0, 1, 2, 4], [0, 2, 4]];
 * assert.deepEqual(
 *   await client.topK(reference, patterns, { k: 2 }),
 *   topK(reference, patterns, { k: 2 }),
 * );
 * ```
 *
 * @module
 */

export * from "./connect_service.ts";
export * from "./serve_service.ts";
export * from "./protocol.ts";
export * from "./encode_request.ts";
export * from "./decode_request.ts";
export * from "./request_cells.ts";
export * from "./encode_reply.ts";
export * from "./decode_reply.ts";
