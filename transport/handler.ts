// Copyright 2026 the @midstreamer/kit authors. MIT license.

/**
 * Handles one request message on the server and returns its reply. A throw
 * (or a rejected promise) is sent back to the client, whose promise rejects
 * with a {@linkcode RemoteError} carrying the error's message; the server
 * keeps serving.
 *
 * The `request` bytes may be a view into a larger receive buffer: copy them
 * if you keep them after the handler returns.
 *
 * @example An echo handler
 * ```ts
 * import type { Handler } from "@midstreamer/kit/transport";
 *
 * const echo: Handler = (request) => request;
 * console.log(echo(new Uint8Array([1])));
 * ```
 */
export type Handler = (
  request: Uint8Array,
) => Uint8Array | Promise<Uint8Array>;
