// Copyright 2026 the @midstreamer/kit authors. MIT license.

/**
 * The transport carrying the frames: QUIC (`Deno.QuicEndpoint`) or
 * WebSocket (`Deno.serve` + `Deno.upgradeWebSocket` on the server).
 *
 * @example Choosing a transport
 * ```ts
 * import type { Transport } from "@midstreamer/kit/transport";
 *
 * const transport: Transport = "websocket";
 * console.log(transport);
 * ```
 */
export type Transport = "quic" | "websocket";
