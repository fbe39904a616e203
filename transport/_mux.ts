// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * Private request/reply bookkeeping shared by the QUIC and WebSocket paths:
 * the client's pending-request table and the server's per-frame dispatch.
 *
 * @module
 */

import {
  encodeError,
  encodeFrame,
  ERROR_HANDLER,
  ERROR_MALFORMED,
  ERROR_TIMEOUT,
  ERROR_TOO_LARGE,
  ERROR_UNAUTHORIZED,
  errorFromFrame,
  type FrameHeader,
  KIND_ERROR,
  KIND_REPLY,
  KIND_REQUEST,
} from "./_frame.ts";
import { ClosedError } from "../pool/closed_error.ts";
import { MessageTooLargeError } from "./message_too_large_error.ts";
import { TimeoutError } from "./timeout_error.ts";
import type { Handler } from "./handler.ts";

/** Sends the parts of one frame, in order and without interleaving. */
export type SendFrame = (parts: Uint8Array[]) => void;

interface Pending {
  resolve: (reply: Uint8Array) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
  streamId: number;
}

/** Client side: ids, pending requests, timeouts and reply routing. */
export class RequestTable {
  #pending = new Map<number, Pending>();
  #nextId = 0;
  #closed: string | null = null;
  #fatal: Error | null = null;
  #maxBytes: number;
  #timeout: number;
  #split: boolean;
  #send: SendFrame;

  constructor(
    maxBytes: number,
    timeout: number,
    split: boolean,
    send: SendFrame,
  ) {
    this.#maxBytes = maxBytes;
    this.#timeout = timeout;
    this.#split = split;
    this.#send = send;
  }

  /** Number of requests waiting for a reply. */
  get size(): number {
    return this.#pending.size;
  }

  /** Sends a request frame and resolves with the matching reply. */
  request(streamId: number, message: Uint8Array): Promise<Uint8Array> {
    if (!(message instanceof Uint8Array)) {
      return Promise.reject(
        new TypeError(
          `Cannot send request: "message" must be a Uint8Array, got ${typeof message}`,
        ),
      );
    }
    if (this.#fatal !== null) {
      const Class = this.#fatal.constructor as new (message: string) => Error;
      return Promise.reject(new Class(this.#fatal.message));
    }
    if (this.#closed !== null) {
      return Promise.reject(new ClosedError(this.#closed));
    }
    if (message.length > this.#maxBytes) {
      return Promise.reject(
        new MessageTooLargeError(
          `Cannot send request: ${message.length} bytes exceeds maxMessageBytes (${this.#maxBytes})`,
        ),
      );
    }
    let id = (this.#nextId + 1) >>> 0;
    if (id === 0) id = 1;
    this.#nextId = id;
    const { promise, resolve, reject } = Promise.withResolvers<Uint8Array>();
    const pending: Pending = { resolve, reject, timer: undefined, streamId };
    if (this.#timeout !== Infinity) {
      pending.timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(
          new TimeoutError(`Request timed out after ${this.#timeout} ms`),
        );
      }, this.#timeout);
    }
    this.#pending.set(id, pending);
    try {
      this.#send(
        encodeFrame(KIND_REQUEST, 0, streamId, id, message, this.#split),
      );
    } catch (error) {
      this.#settle(id);
      reject(error as Error);
    }
    return promise;
  }

  /**
   * Routes a reply or error frame to its request; unknown ids are ignored.
   * An error frame with request id 0 fails every pending request (of its
   * stream, if not 0); an unauthorized one also every later request.
   */
  receive(header: FrameHeader, payload: Uint8Array): void {
    if (header.requestId === 0 && header.kind === KIND_ERROR) {
      const error = errorFromFrame(header.code, payload);
      if (header.code === ERROR_UNAUTHORIZED) this.#fatal ??= error;
      this.fail(error, header.streamId === 0 ? undefined : header.streamId);
      return;
    }
    const pending = this.#settle(header.requestId);
    if (pending === undefined) return;
    if (header.kind === KIND_REPLY) pending.resolve(payload);
    else pending.reject(errorFromFrame(header.code, payload));
  }

  /** Rejects the request whose reply exceeds the local limit. */
  oversize(header: FrameHeader): void {
    this.#settle(header.requestId)?.reject(
      new MessageTooLargeError(
        `Reply of ${header.length} bytes exceeds maxMessageBytes (${this.#maxBytes})`,
      ),
    );
  }

  /**
   * Rejects pending requests (only those of `streamId` if given) with
   * `error`.
   */
  fail(error: Error, streamId?: number): void {
    for (const [id, pending] of this.#pending) {
      if (streamId !== undefined && pending.streamId !== streamId) continue;
      this.#settle(id);
      pending.reject(error);
    }
  }

  /** Refuses new requests and rejects every pending one. */
  close(reason: string): void {
    if (this.#closed !== null) return;
    this.#closed = reason;
    this.fail(new ClosedError(reason));
  }

  #settle(id: number): Pending | undefined {
    const pending = this.#pending.get(id);
    if (pending === undefined) return undefined;
    this.#pending.delete(id);
    if (pending.timer !== undefined) clearTimeout(pending.timer);
    return pending;
  }
}

/** The message of a thrown value. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Does nothing: the handler of promises whose failure is handled elsewhere. */
export function noop(): void {}

/**
 * Server side: answers one request frame with the handler's reply (or an
 * error frame). `onDone` runs once, when the answer has been handed to
 * `send`, or when the handler has taken `timeout` milliseconds (the
 * request then gets an error reply and the late result is dropped).
 */
export function serveFrame(
  handler: Handler,
  maxBytes: number,
  split: boolean,
  header: FrameHeader,
  payload: Uint8Array,
  send: SendFrame,
  onDone?: () => void,
  timeout = Infinity,
  onTimeout?: () => void,
): void {
  const { streamId, requestId } = header;
  let done = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const finish = (parts: Uint8Array[]): void => {
    if (done) return;
    done = true;
    if (timer !== undefined) clearTimeout(timer);
    send(parts);
    onDone?.();
  };
  const fault = (code: number, message: string): void =>
    finish([encodeError(code, streamId, requestId, message)]);
  if (header.kind !== KIND_REQUEST) {
    fault(
      ERROR_MALFORMED,
      `malformed frame: a server only accepts requests (kind ${KIND_REQUEST}), got kind ${header.kind}`,
    );
    return;
  }
  const reply = (result: unknown): void => {
    if (!(result instanceof Uint8Array)) {
      fault(
        ERROR_HANDLER,
        `handler returned ${typeof result} instead of a Uint8Array`,
      );
    } else if (result.length > maxBytes) {
      fault(
        ERROR_TOO_LARGE,
        `Reply of ${result.length} bytes exceeds the server's maxMessageBytes (${maxBytes})`,
      );
    } else {
      finish(encodeFrame(KIND_REPLY, 0, streamId, requestId, result, split));
    }
  };
  let result: Uint8Array | Promise<Uint8Array>;
  try {
    result = handler(payload);
  } catch (error) {
    fault(ERROR_HANDLER, messageOf(error));
    return;
  }
  if (result instanceof Promise) {
    if (timeout !== Infinity) {
      timer = setTimeout(() => {
        onTimeout?.();
        fault(
          ERROR_TIMEOUT,
          `the handler did not answer within the server's requestTimeout (${timeout} ms)`,
        );
      }, timeout);
    }
    result.then(reply, (error) => fault(ERROR_HANDLER, messageOf(error)));
  } else {
    reply(result);
  }
}

/** Server side: answers a request whose payload exceeds the limit. */
export function refuseOversize(
  maxBytes: number,
  header: FrameHeader,
  send: SendFrame,
): void {
  send([
    encodeError(
      header.kind === KIND_REQUEST ? ERROR_TOO_LARGE : ERROR_MALFORMED,
      header.streamId,
      header.requestId,
      `Request of ${header.length} bytes exceeds the server's maxMessageBytes (${maxBytes})`,
    ),
  ]);
}
