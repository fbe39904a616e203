// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * Private framing shared by the QUIC and WebSocket paths.
 *
 * A frame is a 16-byte big-endian header followed by the payload:
 *
 * | offset | size | field                                               |
 * | ------ | ---- | --------------------------------------------------- |
 * | 0      | 4    | payload length in bytes                             |
 * | 4      | 1    | kind: 1 request, 2 reply, 3 error, 4 ack, 5 padding, 6 auth |
 * | 5      | 1    | error code (kind 3 only, else 0)                    |
 * | 6      | 1    | flags: bit 0 "continued" (WebSocket), others 0      |
 * | 7      | 1    | reserved, must be 0                                 |
 * | 8      | 4    | stream id (WebSocket logical stream, else 0)        |
 * | 12     | 4    | request id, chosen by the client, echoed back       |
 *
 * Error codes: 1 handler threw, 2 message too large, 3 malformed frame,
 * 4 unauthorized, 5 server busy (a limit was reached), 6 the handler timed
 * out. An error payload is
 * the UTF-8 message. An error frame with request id 0 concerns the whole
 * connection (or QUIC stream): the client fails every pending request
 * with it.
 *
 * Authentication: a client given a token sends it as the first frame of
 * the connection (kind 6, the UTF-8 token as payload, at most
 * {@linkcode MAX_TOKEN_BYTES}; on QUIC, on the first stream). The server
 * answers nothing when it matches, and dispatches no request of the
 * connection before it has been verified.
 *
 * Each direction of a connection is a byte stream of frames. On QUIC that
 * is the bidirectional stream. On WebSocket it is the concatenation of the
 * binary messages, with one rule that keeps a truncated frame detectable:
 * a message may end inside a frame only if that frame's header (which must
 * lie whole in one message) has the "continued" flag; the frame's remaining
 * bytes follow, headerless, in the next messages. A server answers every
 * message that ends inside a frame with an ack frame (kind 4, length 0):
 * its TCP segment carries the ACK that lets a Nagle-delayed sender (Deno's
 * `WebSocket` client) write its next chunk at once. Acks and padding
 * (kind 5) are control frames: receivers skip their payload whatever its
 * length and never deliver them. Clients sending one message per frame
 * (npm:ws) never receive an ack.
 *
 * @module
 */

import { AuthenticationError } from "./authentication_error.ts";
import { MessageTooLargeError } from "./message_too_large_error.ts";
import { QueueFullError } from "../pool/queue_full_error.ts";
import { ProtocolError } from "./protocol_error.ts";
import { RemoteError } from "./remote_error.ts";
import { TimeoutError } from "./timeout_error.ts";

/** Size of the frame header in bytes. */
export const HEADER_BYTES = 16;
/** A request from the client. */
export const KIND_REQUEST = 1;
/** A successful reply from the server. */
export const KIND_REPLY = 2;
/** An error reply from the server. */
export const KIND_ERROR = 3;
/** Flow control: the server got part of a continued frame (WebSocket). */
export const KIND_ACK = 4;
/** Filler, skipped by the receiver. */
export const KIND_PADDING = 5;
/** The client's token (the first frame of a connection). */
export const KIND_AUTH = 6;
/** Header flag: the frame continues in the next WebSocket messages. */
export const FLAG_CONTINUED = 1;
/** Error code: the handler threw. */
export const ERROR_HANDLER = 1;
/** Error code: the request was larger than the server's limit. */
export const ERROR_TOO_LARGE = 2;
/** Error code: the frame was malformed. */
export const ERROR_MALFORMED = 3;
/** Error code: no token, or a wrong one. */
export const ERROR_UNAUTHORIZED = 4;
/** Error code: a limit of the server was reached; the request was refused. */
export const ERROR_BUSY = 5;
/** Error code: the handler did not answer within the server's time. */
export const ERROR_TIMEOUT = 6;
/** Longest token, in UTF-8 bytes. */
export const MAX_TOKEN_BYTES = 4096;
/** Payloads up to this size are copied into one buffer with their header. */
export const COALESCE_BYTES = 64 * 1024;
/** Default `maxMessageBytes`: 16 MiB. */
export const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** A decoded frame header. */
export interface FrameHeader {
  kind: number;
  code: number;
  flags: number;
  streamId: number;
  requestId: number;
  length: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function writeHeader(
  target: Uint8Array,
  kind: number,
  code: number,
  streamId: number,
  requestId: number,
  length: number,
): void {
  const view = new DataView(target.buffer, target.byteOffset, HEADER_BYTES);
  view.setUint32(0, length);
  view.setUint8(4, kind);
  view.setUint8(5, code);
  view.setUint16(6, 0);
  view.setUint32(8, streamId);
  view.setUint32(12, requestId);
}

/**
 * Encodes a frame. Small payloads (and always when `split` is false) give
 * one buffer; larger ones give `[header, payload]` so the payload is not
 * copied.
 */
export function encodeFrame(
  kind: number,
  code: number,
  streamId: number,
  requestId: number,
  payload: Uint8Array,
  split: boolean,
): Uint8Array[] {
  if (split && payload.length > COALESCE_BYTES) {
    const header = new Uint8Array(HEADER_BYTES);
    writeHeader(header, kind, code, streamId, requestId, payload.length);
    return [header, payload];
  }
  const frame = new Uint8Array(HEADER_BYTES + payload.length);
  writeHeader(frame, kind, code, streamId, requestId, payload.length);
  frame.set(payload, HEADER_BYTES);
  return [frame];
}

/** Encodes an error frame whose payload is the UTF-8 `message`. */
export function encodeError(
  code: number,
  streamId: number,
  requestId: number,
  message: string,
): Uint8Array {
  return encodeFrame(
    KIND_ERROR,
    code,
    streamId,
    requestId,
    encoder.encode(message),
    false,
  )[0]!;
}

/** Encodes the frame that carries a connection's token. */
export function encodeAuth(token: string): Uint8Array {
  return encodeFrame(KIND_AUTH, 0, 0, 0, encoder.encode(token), false)[0]!;
}

/** Turns an error frame's payload into the error the caller sees. */
export function errorFromFrame(code: number, payload: Uint8Array): Error {
  const message = decoder.decode(payload);
  switch (code) {
    case ERROR_HANDLER:
      return new RemoteError(message);
    case ERROR_TOO_LARGE:
      return new MessageTooLargeError(message);
    case ERROR_UNAUTHORIZED:
      return new AuthenticationError(message);
    case ERROR_BUSY:
      return new QueueFullError(message);
    case ERROR_TIMEOUT:
      return new TimeoutError(message);
    default:
      return new ProtocolError(message);
  }
}

/**
 * Reads and validates a header at `offset` (16 bytes must be available).
 *
 * @throws {ProtocolError} for an unknown kind, an unknown flag, a non-zero
 * reserved byte or an error code on a non-error frame.
 */
export function readHeader(bytes: Uint8Array, offset: number): FrameHeader {
  const view = new DataView(
    bytes.buffer,
    bytes.byteOffset + offset,
    HEADER_BYTES,
  );
  const kind = view.getUint8(4);
  const code = view.getUint8(5);
  const flags = view.getUint8(6);
  if (kind < KIND_REQUEST || kind > KIND_AUTH) {
    throw new ProtocolError(`malformed frame: unknown kind ${kind}`);
  }
  if ((flags & ~FLAG_CONTINUED) !== 0 || view.getUint8(7) !== 0) {
    throw new ProtocolError("malformed frame: reserved bits are set");
  }
  if ((kind === KIND_ERROR) !== (code !== 0)) {
    throw new ProtocolError(
      `malformed frame: error code ${code} on a frame of kind ${kind}`,
    );
  }
  return {
    kind,
    code,
    flags,
    streamId: view.getUint32(8),
    requestId: view.getUint32(12),
    length: view.getUint32(0),
  };
}

/** Called for each complete frame. */
export type FrameCallback = (header: FrameHeader, payload: Uint8Array) => void;

/**
 * Called when the header of a frame within the size limit arrives: `false`
 * skips its payload (the callback has refused it).
 */
export type AdmitCallback = (header: FrameHeader) => boolean;

/**
 * Incremental decoder for a byte stream of frames. Chunks are accumulated
 * without quadratic concatenation: a payload that lies within one chunk is
 * passed on as a view; one that spans chunks is copied once into a buffer
 * of exactly its size. A frame longer than `maxBytes` is reported with
 * `onOversize` as soon as its header is read and its payload skipped, so
 * the stream stays usable. Ack and padding frames are skipped whatever
 * their length and never reported. `admit`, when given, sees every other
 * header within the limit first and may refuse the frame (its payload is
 * then skipped).
 */
export class FrameDecoder {
  /** Largest payload accepted; may be changed between frames. */
  maxBytes: number;
  #onFrame: FrameCallback;
  #onOversize: (header: FrameHeader) => void;
  #admit: AdmitCallback | undefined;
  #headerBuf = new Uint8Array(HEADER_BYTES);
  #headerFill = 0;
  /** The frame whose payload is being read (or skipped). */
  #header: FrameHeader | null = null;
  #skip = false;
  #payload: Uint8Array | null = null;
  /** Payload bytes of `#header` consumed so far. */
  #fill = 0;

  constructor(
    maxBytes: number,
    onFrame: FrameCallback,
    onOversize: (header: FrameHeader) => void,
    admit?: AdmitCallback,
  ) {
    this.maxBytes = maxBytes;
    this.#onFrame = onFrame;
    this.#onOversize = onOversize;
    this.#admit = admit;
  }

  /** Whether the decoder is between frames (no partial frame buffered). */
  get idle(): boolean {
    return this.#headerFill === 0 && this.#header === null;
  }

  /**
   * The frame whose payload is incomplete, with how many of its payload
   * bytes arrived; `null` between frames or inside a header.
   */
  get partial(): { header: FrameHeader; received: number } | null {
    return this.#header === null
      ? null
      : { header: this.#header, received: this.#fill };
  }

  /**
   * Feeds a chunk.
   *
   * @throws {ProtocolError} on a malformed header; the stream must then be
   * abandoned.
   */
  push(chunk: Uint8Array): void {
    let offset = 0;
    const end = chunk.length;
    while (offset < end) {
      const header = this.#header;
      if (header === null) {
        if (this.#headerFill === 0 && end - offset >= HEADER_BYTES) {
          const next = readHeader(chunk, offset);
          offset += HEADER_BYTES;
          this.#startFrame(next);
        } else {
          const n = Math.min(HEADER_BYTES - this.#headerFill, end - offset);
          this.#headerBuf.set(
            chunk.subarray(offset, offset + n),
            this.#headerFill,
          );
          this.#headerFill += n;
          offset += n;
          if (this.#headerFill < HEADER_BYTES) return;
          this.#headerFill = 0;
          this.#startFrame(readHeader(this.#headerBuf, 0));
        }
        continue;
      }
      const want = header.length - this.#fill;
      const n = Math.min(want, end - offset);
      if (this.#skip) {
        this.#fill += n;
        offset += n;
        if (n === want) this.#header = null;
        continue;
      }
      if (this.#payload === null && n === want) {
        // Whole payload inside this chunk: hand out a view.
        this.#header = null;
        const payload = chunk.subarray(offset, offset + n);
        offset += n;
        this.#onFrame(header, payload);
        continue;
      }
      this.#payload ??= new Uint8Array(header.length);
      this.#payload.set(chunk.subarray(offset, offset + n), this.#fill);
      this.#fill += n;
      offset += n;
      if (n === want) {
        const payload = this.#payload;
        this.#header = null;
        this.#payload = null;
        this.#onFrame(header, payload);
      }
    }
  }

  #startFrame(header: FrameHeader): void {
    const control = header.kind === KIND_ACK || header.kind === KIND_PADDING;
    const oversize = !control && header.length > this.maxBytes;
    const refused = !control && !oversize && this.#admit !== undefined &&
      !this.#admit(header);
    if (header.length > 0) {
      this.#header = header;
      this.#fill = 0;
      this.#skip = control || oversize || refused;
    }
    if (oversize) this.#onOversize(header);
    else if (header.length === 0 && !control && !refused) {
      this.#onFrame(header, new Uint8Array(0));
    }
  }
}

/**
 * Decoder for the frames carried by WebSocket messages (see the module
 * doc): a {@linkcode FrameDecoder} plus the check that a message ends
 * inside a frame only when that frame is flagged "continued".
 */
export class MessageDecoder {
  #frames: FrameDecoder;

  constructor(
    maxBytes: number,
    onFrame: FrameCallback,
    onOversize: (header: FrameHeader) => void,
    admit?: AdmitCallback,
  ) {
    this.#frames = new FrameDecoder(maxBytes, onFrame, onOversize, admit);
  }

  /** The underlying frame decoder (its `maxBytes` may be changed). */
  get frames(): FrameDecoder {
    return this.#frames;
  }

  /**
   * Decodes one binary message.
   *
   * @returns Whether the message ended inside a continued frame (the
   * server then sends an ack).
   * @throws {ProtocolError} on a malformed header, a header split across
   * messages or a frame that is cut short without the continued flag; the
   * connection must then be closed.
   */
  push(message: Uint8Array): boolean {
    const wasIdle = this.#frames.idle;
    this.#frames.push(message);
    if (this.#frames.idle) return false;
    const partial = this.#frames.partial;
    if (partial === null) {
      throw new ProtocolError(
        wasIdle && message.length < HEADER_BYTES
          ? `malformed frame: ${message.length} bytes is shorter than the ${HEADER_BYTES}-byte header`
          : "malformed frame: a message ends inside a frame header",
      );
    }
    if ((partial.header.flags & FLAG_CONTINUED) === 0) {
      throw new ProtocolError(
        `malformed frame: length field says ${partial.header.length} bytes but ${partial.received} follow`,
      );
    }
    return true;
  }
}

/** The ack frame a server sends after a message that ends mid-frame. */
export const ACK_FRAME: Uint8Array = encodeFrame(
  KIND_ACK,
  0,
  0,
  0,
  new Uint8Array(0),
  false,
)[0]!;

/**
 * Writes a padding frame header at `offset` of `target` announcing
 * `length` bytes of filler (the filler itself is not written).
 */
export function writePaddingHeader(
  target: Uint8Array,
  offset: number,
  length: number,
): void {
  writeHeader(target.subarray(offset), KIND_PADDING, 0, 0, 0, length);
}
