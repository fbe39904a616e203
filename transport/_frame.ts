// Copyright 2026 the midstreamer authors. MIT license.
/**
 * Private framing shared by the QUIC and WebSocket paths.
 *
 * A frame is a 16-byte big-endian header followed by the payload:
 *
 * | offset | size | field                                          |
 * | ------ | ---- | ---------------------------------------------- |
 * | 0      | 4    | payload length in bytes                        |
 * | 4      | 1    | kind: 1 request, 2 reply, 3 error              |
 * | 5      | 1    | error code (kind 3 only, else 0)               |
 * | 6      | 2    | reserved, must be 0                            |
 * | 8      | 4    | stream id (WebSocket logical stream, else 0)   |
 * | 12     | 4    | request id, chosen by the client, echoed back  |
 *
 * Error codes: 1 handler threw, 2 message too large, 3 malformed frame. An
 * error payload is the UTF-8 message.
 *
 * @module
 */

import { MessageTooLargeError } from "./message_too_large_error.ts";
import { ProtocolError } from "./protocol_error.ts";
import { RemoteError } from "./remote_error.ts";

/** Size of the frame header in bytes. */
export const HEADER_BYTES = 16;
/** A request from the client. */
export const KIND_REQUEST = 1;
/** A successful reply from the server. */
export const KIND_REPLY = 2;
/** An error reply from the server. */
export const KIND_ERROR = 3;
/** Error code: the handler threw. */
export const ERROR_HANDLER = 1;
/** Error code: the request was larger than the server's limit. */
export const ERROR_TOO_LARGE = 2;
/** Error code: the frame was malformed. */
export const ERROR_MALFORMED = 3;
/** Payloads up to this size are copied into one buffer with their header. */
export const COALESCE_BYTES = 64 * 1024;
/** Default `maxMessageBytes`: 16 MiB. */
export const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** A decoded frame header. */
export interface FrameHeader {
  kind: number;
  code: number;
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

/** Turns an error frame's payload into the error the caller sees. */
export function errorFromFrame(code: number, payload: Uint8Array): Error {
  const message = decoder.decode(payload);
  switch (code) {
    case ERROR_HANDLER:
      return new RemoteError(message);
    case ERROR_TOO_LARGE:
      return new MessageTooLargeError(message);
    default:
      return new ProtocolError(message);
  }
}

/**
 * Reads and validates a header at `offset` (16 bytes must be available).
 *
 * @throws {ProtocolError} for an unknown kind, a non-zero reserved field or
 * an error code on a non-error frame.
 */
export function readHeader(bytes: Uint8Array, offset: number): FrameHeader {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, 16);
  const kind = view.getUint8(4);
  const code = view.getUint8(5);
  if (kind < KIND_REQUEST || kind > KIND_ERROR) {
    throw new ProtocolError(`malformed frame: unknown kind ${kind}`);
  }
  if (view.getUint16(6) !== 0) {
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
    streamId: view.getUint32(8),
    requestId: view.getUint32(12),
    length: view.getUint32(0),
  };
}

/**
 * Decodes one self-delimited message (a WebSocket message) holding exactly
 * one frame. The payload is a view, not a copy.
 *
 * @throws {ProtocolError} if the message is shorter than a header, the
 * header is invalid or the length field disagrees with the message size.
 */
export function decodeMessage(
  message: Uint8Array,
): { header: FrameHeader; payload: Uint8Array } {
  if (message.length < HEADER_BYTES) {
    throw new ProtocolError(
      `malformed frame: ${message.length} bytes is shorter than the ${HEADER_BYTES}-byte header`,
    );
  }
  const header = readHeader(message, 0);
  if (header.length !== message.length - HEADER_BYTES) {
    throw new ProtocolError(
      `malformed frame: length field says ${header.length} bytes but ${
        message.length - HEADER_BYTES
      } follow`,
    );
  }
  return { header, payload: message.subarray(HEADER_BYTES) };
}

/** Called for each complete frame. */
export type FrameCallback = (header: FrameHeader, payload: Uint8Array) => void;

/**
 * Incremental decoder for a byte stream (a QUIC stream). Chunks are
 * accumulated without quadratic concatenation: a payload that lies within
 * one chunk is passed on as a view; one that spans chunks is copied once
 * into a buffer of exactly its size. A frame longer than `maxBytes` is
 * reported with `onOversize` and its payload skipped, so the stream stays
 * usable.
 */
export class FrameDecoder {
  #maxBytes: number;
  #onFrame: FrameCallback;
  #onOversize: (header: FrameHeader) => void;
  #headerBuf = new Uint8Array(HEADER_BYTES);
  #headerFill = 0;
  #header: FrameHeader | null = null;
  #payload: Uint8Array | null = null;
  #payloadFill = 0;
  #skip = 0;

  constructor(
    maxBytes: number,
    onFrame: FrameCallback,
    onOversize: (header: FrameHeader) => void,
  ) {
    this.#maxBytes = maxBytes;
    this.#onFrame = onFrame;
    this.#onOversize = onOversize;
  }

  /** Whether the decoder is between frames (no partial frame buffered). */
  get idle(): boolean {
    return this.#headerFill === 0 && this.#header === null &&
      this.#skip === 0;
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
      if (this.#skip > 0) {
        const n = Math.min(this.#skip, end - offset);
        this.#skip -= n;
        offset += n;
        continue;
      }
      if (this.#header === null) {
        if (this.#headerFill === 0 && end - offset >= HEADER_BYTES) {
          this.#startFrame(readHeader(chunk, offset));
          offset += HEADER_BYTES;
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
      const header: FrameHeader = this.#header;
      if (this.#payload === null && end - offset >= header.length) {
        // Whole payload inside this chunk: hand out a view.
        this.#header = null;
        const payload = chunk.subarray(offset, offset + header.length);
        offset += header.length;
        this.#onFrame(header, payload);
        continue;
      }
      this.#payload ??= new Uint8Array(header.length);
      const n = Math.min(header.length - this.#payloadFill, end - offset);
      this.#payload.set(chunk.subarray(offset, offset + n), this.#payloadFill);
      this.#payloadFill += n;
      offset += n;
      if (this.#payloadFill === header.length) {
        const payload = this.#payload;
        this.#header = null;
        this.#payload = null;
        this.#payloadFill = 0;
        this.#onFrame(header, payload);
      }
    }
  }

  #startFrame(header: FrameHeader): void {
    if (header.length > this.#maxBytes) {
      this.#skip = header.length;
      this.#onOversize(header);
      return;
    }
    if (header.length === 0) {
      this.#onFrame(header, new Uint8Array(0));
      return;
    }
    this.#header = header;
  }
}
