// Copyright 2026 the @midstreamer/kit authors. MIT license.

/**
 * The WebSocket client implementation used by {@linkcode connect}: Deno's
 * built-in `WebSocket` or the `ws` package from npm.
 *
 * @example Picking the npm client
 * ```ts
 * import type { WebSocketClient } from "@midstreamer/kit/transport";
 *
 * const client: WebSocketClient = "ws";
 * console.log(client);
 * ```
 */
export type WebSocketClient = "deno" | "ws";
