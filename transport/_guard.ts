// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * Private server-side guard shared by the QUIC and WebSocket servers: the
 * token check, the limits of {@linkcode ServerLimits} and the counters of
 * {@linkcode ServerStats}. A {@linkcode ServerState} per server holds the
 * totals; a {@linkcode GuardedConnection} per connection admits each frame
 * (at its header, before its payload is buffered) and dispatches requests
 * once the connection is authenticated.
 *
 * @module
 */

import {
  encodeError,
  ERROR_BUSY,
  ERROR_UNAUTHORIZED,
  type FrameHeader,
  KIND_AUTH,
  MAX_TOKEN_BYTES,
} from "./_frame.ts";
import { refuseOversize, type SendFrame, serveFrame } from "./_mux.ts";
import type { ResolvedListenOptions } from "./_options.ts";
import { AuthenticationError } from "./authentication_error.ts";
import type { ServerStats } from "./server.ts";

/** Why the server closes a connection. */
export type CloseKind = "unauthorized" | "busy" | "idle" | "handshake";

/**
 * Closes a connection: `frame` (an error frame with request id 0, or
 * `null`) is sent first where it can be.
 */
export type CloseConnection = (
  kind: CloseKind,
  reason: string,
  frame: Uint8Array | null,
) => void;

/**
 * Compares two byte strings in time that depends only on the length of
 * `expected`.
 */
export function timingSafeEqual(
  expected: Uint8Array,
  given: Uint8Array,
): boolean {
  let diff = expected.length ^ given.length;
  const n = given.length;
  for (let i = 0; i < expected.length; i++) {
    diff |= expected[i]! ^ (n === 0 ? 0 : given[i % n]!);
  }
  return diff === 0;
}

/** Totals of one server. */
export class ServerState {
  readonly options: ResolvedListenOptions;
  readonly token: Uint8Array | null;
  connections = 0;
  streams = 0;
  requests = 0;
  bufferedBytes = 0;
  refusedConnections = 0;
  refusedRequests = 0;
  unauthorized = 0;
  timedOut = 0;

  constructor(options: ResolvedListenOptions) {
    this.options = options;
    this.token = options.token === undefined
      ? null
      : new TextEncoder().encode(options.token);
  }

  /** Whether one more connection may be accepted (counts the refusal). */
  admitConnection(): boolean {
    if (this.connections < this.options.limits.maxConnections) return true;
    this.refusedConnections++;
    return false;
  }

  /** The reason given to a connection over `maxConnections`. */
  get busyReason(): string {
    return `server busy: it has reached maxConnections (${this.options.limits.maxConnections}); try again later`;
  }

  /** A snapshot of the counters. */
  stats(): ServerStats {
    return {
      connections: this.connections,
      streams: this.streams,
      requests: this.requests,
      bufferedBytes: this.bufferedBytes,
      refusedConnections: this.refusedConnections,
      refusedRequests: this.refusedRequests,
      unauthorized: this.unauthorized,
      timedOut: this.timedOut,
    };
  }
}

/** The callbacks of one stream's frame decoder. */
export interface StreamCallbacks {
  admit(header: FrameHeader): boolean;
  onFrame(header: FrameHeader, payload: Uint8Array): void;
  onOversize(header: FrameHeader): void;
  /** Call once the stream ends: releases a frame cut short. */
  end(): void;
  /** Requests of this stream admitted and not yet answered. */
  readonly inflight: number;
}

/** One connection's admission, authentication and timers. */
export class GuardedConnection {
  #state: ServerState;
  #close: CloseConnection;
  #authenticated: boolean;
  /** Requests held until the token is verified: [dispatch, drop]. */
  #held: [() => void, () => void][] = [];
  #inflight = 0;
  /** Requests handed to the handler and not yet answered. */
  #answering = 0;
  #buffered = 0;
  /** Reply bytes handed to the socket and not yet written out (QUIC). */
  #queued = 0;
  #closed = false;
  #last = performance.now();
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  #handshakeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(state: ServerState, close: CloseConnection) {
    this.#state = state;
    this.#close = close;
    state.connections++;
    this.#authenticated = state.token === null;
    const { idleTimeout, handshakeTimeout } = state.options.limits;
    if (!this.#authenticated) {
      this.#handshakeTimer = setTimeout(() => {
        this.#state.unauthorized++;
        this.#fail(
          "handshake",
          ERROR_UNAUTHORIZED,
          `handshake timeout: no token within ${handshakeTimeout} ms`,
        );
      }, handshakeTimeout);
    }
    this.#idleTimer = setTimeout(() => this.#checkIdle(), idleTimeout);
  }

  /** Whether the connection's token has been verified (or none is needed). */
  get authenticated(): boolean {
    return this.#authenticated;
  }

  /**
   * Arms the handshake timer of a connection not yet authenticated (or
   * without a token) until `handshake` settles (QUIC's TLS handshake).
   */
  watchHandshake(handshake: Promise<unknown>): void {
    if (this.#handshakeTimer !== undefined) return;
    const ms = this.#state.options.limits.handshakeTimeout;
    const timer = setTimeout(() => {
      this.#fail("handshake", 0, `handshake timeout: not done within ${ms} ms`);
    }, ms);
    handshake.finally(() => clearTimeout(timer)).catch(() => {});
    this.#handshakeTimer = timer;
  }

  #checkIdle(): void {
    if (this.#closed) return;
    const { idleTimeout } = this.#state.options.limits;
    const quiet = performance.now() - this.#last;
    // A frame still arriving does not count: a slowloris is idle.
    if (this.#answering > 0 || quiet < idleTimeout) {
      const wait = this.#answering > 0 ? idleTimeout : idleTimeout - quiet;
      this.#idleTimer = setTimeout(() => this.#checkIdle(), Math.ceil(wait));
      return;
    }
    this.#fail(
      "idle",
      0,
      `idle timeout: no request for ${idleTimeout} ms`,
    );
  }

  #fail(kind: CloseKind, code: number, reason: string): void {
    if (this.#closed) return;
    const frame = code === 0 ? null : encodeError(code, 0, 0, reason);
    this.dispose();
    this.#close(kind, reason, frame);
  }

  /** Releases the connection's timers and counters; idempotent. */
  dispose(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#idleTimer);
    clearTimeout(this.#handshakeTimer);
    const held = this.#held;
    this.#held = [];
    for (const [, drop] of held) drop();
    this.#state.connections--;
  }

  /**
   * Counts reply bytes handed to the socket (`delta` > 0) or written out
   * (`delta` < 0). A client whose unread replies pass
   * `maxBufferedBytesPerConnection` is closed: it does not read them.
   */
  queued(delta: number): void {
    this.#queued += delta;
    this.#state.bufferedBytes += delta;
    if (delta > 0) this.checkBacklog(this.#queued);
  }

  /** Closes the connection if `bytes` of replies wait for its client. */
  checkBacklog(bytes: number): void {
    const max = this.#state.options.limits.maxBufferedBytesPerConnection;
    if (bytes <= max) return;
    this.#fail(
      "busy",
      ERROR_BUSY,
      `the client does not read its replies: ${bytes} bytes wait (maxBufferedBytesPerConnection ${max})`,
    );
  }

  #release(bytes: number): void {
    this.#inflight--;
    this.#buffered -= bytes;
    this.#state.requests--;
    this.#state.bufferedBytes -= bytes;
    this.#last = performance.now();
  }

  #verify(payload: Uint8Array): void {
    const token = this.#state.token;
    if (token === null) return; // a token nobody asked for is ignored
    if (!timingSafeEqual(token, payload)) {
      this.#state.unauthorized++;
      throw new AuthenticationError("unauthorized: wrong token");
    }
    if (!this.#authenticated) {
      this.#authenticated = true;
      clearTimeout(this.#handshakeTimer);
      this.#handshakeTimer = undefined;
      const held = this.#held;
      this.#held = [];
      for (const [dispatch] of held) dispatch();
    }
  }

  /**
   * The decoder callbacks of one stream. On the `first` stream (the
   * WebSocket, or the connection's first QUIC stream) a connection with a
   * token must begin with it; on other QUIC streams, requests that arrive
   * before it are held (within the limits) until it is verified.
   * Callbacks throw {@linkcode AuthenticationError} for a missing or
   * wrong token: the caller then closes the connection.
   */
  stream(send: SendFrame, split: boolean, first: boolean): StreamCallbacks {
    const state = this.#state;
    const options = state.options;
    const limits = options.limits;
    const max = options.maxMessageBytes;
    let partial = 0;
    let inflight = 0;
    const refuse = (header: FrameHeader, message: string): false => {
      state.refusedRequests++;
      send([
        encodeError(ERROR_BUSY, header.streamId, header.requestId, message),
      ]);
      return false;
    };
    const unauthorized = (message: string): never => {
      state.unauthorized++;
      throw new AuthenticationError(`unauthorized: ${message}`);
    };
    return {
      get inflight() {
        return inflight;
      },
      admit: (header) => {
        if (header.kind === KIND_AUTH) {
          if (header.length > MAX_TOKEN_BYTES) {
            unauthorized(`a token is at most ${MAX_TOKEN_BYTES} bytes`);
          }
          return true;
        }
        if (!this.#authenticated && first) {
          unauthorized("the connection must begin with its token");
        }
        if (this.#inflight >= limits.maxRequestsPerConnection) {
          return refuse(
            header,
            `server busy: ${this.#inflight} requests of this connection are in flight (maxRequestsPerConnection ${limits.maxRequestsPerConnection})`,
          );
        }
        if (
          this.#buffered + header.length > limits.maxBufferedBytesPerConnection
        ) {
          return refuse(
            header,
            `server busy: this connection has ${this.#buffered} request bytes buffered; ${header.length} more would pass maxBufferedBytesPerConnection (${limits.maxBufferedBytesPerConnection})`,
          );
        }
        if (state.bufferedBytes + header.length > limits.maxBufferedBytes) {
          return refuse(
            header,
            `server busy: ${state.bufferedBytes} request bytes are buffered; ${header.length} more would pass maxBufferedBytes (${limits.maxBufferedBytes})`,
          );
        }
        this.#inflight++;
        inflight++;
        this.#buffered += header.length;
        state.requests++;
        state.bufferedBytes += header.length;
        partial = header.length;
        return true;
      },
      onFrame: (header, payload) => {
        this.#last = performance.now();
        if (header.kind === KIND_AUTH) {
          this.#verify(payload);
          return;
        }
        partial = 0;
        const bytes = header.length;
        const onDone = (): void => {
          inflight--;
          this.#answering--;
          this.#release(bytes);
        };
        const dispatch = (): void => {
          serveFrame(
            options.handler,
            max,
            split,
            header,
            payload,
            send,
            onDone,
            limits.requestTimeout,
            () => state.timedOut++,
          );
        };
        this.#answering++;
        if (this.#authenticated) dispatch();
        else this.#held.push([dispatch, onDone]);
      },
      onOversize: (header) => {
        if (!this.#authenticated) {
          unauthorized("the connection must begin with its token");
        }
        state.refusedRequests++;
        refuseOversize(max, header, send);
      },
      end: () => {
        if (partial > 0) {
          // A frame cut short: its reservation is released here.
          const bytes = partial;
          partial = 0;
          inflight--;
          this.#release(bytes);
        }
      },
    };
  }
}
