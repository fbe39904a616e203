// Copyright 2026 the @midstreamer/kit authors. MIT license.

/**
 * The matching service: `dtw`, `dtwBatch`, `topK` and `lcs` served to other
 * processes over QUIC or WebSocket ({@linkcode serveMatcher}, or
 * `deno task serve`), and its client ({@linkcode connectMatcher}). The
 * binary protocol is described in {@link ./protocol.ts}.
 *
 * @example Serve and call over WebSocket
 * ```ts
 * import { topK } from "@midstreamer/kit";
 * import { connectMatcher, serveMatcher } from "@midstreamer/kit/service";
 * import assert from "node:assert/strict";
 *
 * await using server = await serveMatcher({ transport: "websocket", port: 0 });
 * await using client = await connectMatcher({
 *   transport: "websocket",
 *   port: server.addr.port,
 * });
 * const reference = [0, 1, 2, 3, 4];
 * const patterns = [[9, 9], [0, 1, 2, 4], [0, 2, 4]];
 * assert.deepEqual(
 *   await client.topK(reference, patterns, 2),
 *   topK(reference, patterns, 2),
 * );
 * ```
 *
 * @module
 */

export * from "./connect_matcher.ts";
export * from "./protocol.ts";
export * from "./serve.ts";
