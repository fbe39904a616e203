// Copyright 2026 the @midstreamer/kit authors. MIT license.

import type { Transport } from "./transport.ts";

/**
 * A running server returned by {@linkcode listen}.
 *
 * @example Serving and closing
 * ```ts
 * import { listen, type Server } from "@midstreamer/kit/transport";
 *
 * const server: Server = await listen({
 *   transport: "websocket",
 *   handler: (request) => request,
 * });
 * console.log(server.addr.port);
 * await server.close();
 * ```
 */
export interface Server extends AsyncDisposable {
  /** The transport being served. */
  readonly transport: Transport;
  /** The bound address (with the real port when `port` was `0`). */
  readonly addr: Deno.NetAddr;
  /**
   * Stops accepting, closes every connection (their pending requests reject
   * on the client side) and resolves once everything is released. Calling
   * it again is a no-op.
   *
   * @example Closing twice
   * ```ts
   * import { listen } from "@midstreamer/kit/transport";
   *
   * const server = await listen({ transport: "websocket", handler: (r) => r });
   * await server.close();
   * await server.close(); // no-op
   * ```
   *
   * @returns Resolves once everything is released.
   */
  close(): Promise<void>;
}
