// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * The transport's internals that tests and the scripts of other folders use:
 * the frame codec, the server's guard, the request table, the WebSocket
 * message splitting and the loopback check.
 * Not exported from any entry point, and not for users.
 *
 * @module
 */

export {
  ACK_FRAME,
  encodeAuth,
  encodeFrame,
  ERROR_BUSY,
  ERROR_MALFORMED,
  ERROR_TOO_LARGE,
  ERROR_UNAUTHORIZED,
  FLAG_CONTINUED,
  FrameDecoder,
  type FrameHeader,
  HEADER_BYTES,
  KIND_ACK,
  KIND_AUTH,
  KIND_ERROR,
  KIND_PADDING,
  KIND_REPLY,
  KIND_REQUEST,
  MessageDecoder,
  writePaddingHeader,
} from "./_frame.ts";
export { GuardedConnection, ServerState, timingSafeEqual } from "./_guard.ts";
export { RequestTable } from "./_mux.ts";
export { isLoopback } from "./_options.ts";
export {
  DENO_MAX_CHUNKS,
  DENO_ONE_WRITE_BYTES,
  DENO_PAD_BYTES,
  denoMessages,
} from "./_websocket.ts";
