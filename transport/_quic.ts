// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * Private QUIC transport: `Deno.QuicEndpoint` server and `Deno.connectQuic`
 * client. Every bidirectional QUIC stream carries frames (see `_frame.ts`);
 * a channel's own `request` uses one stream opened at connect time.
 *
 * @module
 */

import {
  encodeAuth,
  encodeError,
  ERROR_MALFORMED,
  ERROR_UNAUTHORIZED,
  FrameDecoder,
} from "./_frame.ts";
import {
  type CloseConnection,
  type CloseKind,
  GuardedConnection,
  ServerState,
} from "./_guard.ts";
import { messageOf, noop, RequestTable, type SendFrame } from "./_mux.ts";
import { AuthenticationError } from "./authentication_error.ts";
import type {
  ResolvedConnectOptions,
  ResolvedListenOptions,
} from "./_options.ts";
import { ClosedError } from "../pool/closed_error.ts";
import { connectDeadline } from "./_deadline.ts";
import { ProtocolError } from "./protocol_error.ts";
import type { Channel } from "./channel.ts";
import type { RequestStream } from "./request_stream.ts";
import type { Server } from "./server.ts";

/** Milliseconds an error frame is given to leave before a close. */
const FLUSH_MS = 20;

/** QUIC close reasons are kept short. */
function reasonOf(message: string): string {
  return message.length > 200 ? `${message.slice(0, 197)}...` : message;
}

/** ALPN protocol id announced by both sides. */
export const ALPN = "midstreamer/1";

/** Feeds a receive stream into a decoder until the peer finishes it. */
async function pump(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  decoder: FrameDecoder,
): Promise<void> {
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    decoder.push(value);
  }
}

/** Writes frame parts without waiting; write failures surface as reads failing. */
function sender(writer: WritableStreamDefaultWriter<Uint8Array>): SendFrame {
  return (parts) => {
    for (const part of parts) writer.write(part).catch(noop);
  };
}

/** QUIC close codes of the server's refusals. */
const CLOSE_CODES: Record<CloseKind, number> = {
  unauthorized: 1,
  busy: 2,
  idle: 3,
  handshake: 4,
};

/** Serves one bidirectional stream until the peer finishes it. */
async function serveStream(
  stream: Deno.QuicBidirectionalStream,
  options: ResolvedListenOptions,
  guard: GuardedConnection,
  first: boolean,
  onUnauthorized: (error: AuthenticationError, send: SendFrame) => void,
  expose?: (send: SendFrame) => void,
): Promise<void> {
  const reader = stream.readable.getReader();
  const writer = stream.writable.getWriter();
  const send: SendFrame = (parts) => {
    for (const part of parts) {
      const bytes = part.length;
      guard.queued(bytes);
      writer.write(part).then(
        () => guard.queued(-bytes),
        () => guard.queued(-bytes),
      );
    }
  };
  expose?.(send);
  let ended = false;
  const callbacks = guard.stream(
    (parts) => {
      send(parts);
      if (ended && callbacks.inflight <= 1) queueMicrotask(finish);
    },
    true,
    first,
  );
  const finish = (): void => {
    if (ended && callbacks.inflight === 0) writer.close().catch(noop);
  };
  const decoder = new FrameDecoder(
    options.maxMessageBytes,
    callbacks.onFrame,
    callbacks.onOversize,
    callbacks.admit,
  );
  try {
    await pump(reader, decoder);
  } catch (error) {
    callbacks.end();
    if (error instanceof AuthenticationError) {
      onUnauthorized(error, send);
      return;
    }
    if (!(error instanceof ProtocolError)) {
      // The connection is gone: nothing can be written any more.
      writer.abort().catch(noop);
      return;
    }
    send([encodeError(ERROR_MALFORMED, 0, 0, error.message)]);
    reader.cancel().catch(noop);
  }
  callbacks.end();
  ended = true;
  finish();
}

/** Starts a QUIC server. */
export function listenQuic(options: ResolvedListenOptions): Server {
  const state = new ServerState(options);
  const { limits } = options;
  const endpoint = new Deno.QuicEndpoint({
    hostname: options.hostname,
    port: options.port,
  });
  const listener = endpoint.listen({
    cert: options.cert!,
    key: options.key!,
    alpnProtocols: [ALPN],
    maxConcurrentBidirectionalStreams: limits.maxStreamsPerConnection,
    maxConcurrentUnidirectionalStreams: 0,
  });
  const conns = new Set<Deno.QuicConn>();
  const tasks = new Set<Promise<void>>();
  const track = (task: Promise<void>): void => {
    tasks.add(task);
    task.catch(noop).finally(() => tasks.delete(task));
  };

  const serveConn = async (incoming: Deno.QuicIncoming): Promise<void> => {
    if (!state.admitConnection()) {
      // Accepted only to tell the client why it is closed.
      const accepting = incoming.accept({ zeroRtt: false });
      const timer = setTimeout(() => {
        accepting.then((conn) => conn.close(), noop);
      }, limits.handshakeTimeout);
      try {
        const conn = await accepting;
        conn.close({ closeCode: CLOSE_CODES.busy, reason: state.busyReason });
      } catch {
        // The handshake failed: nothing to close.
      } finally {
        clearTimeout(timer);
      }
      return;
    }
    let conn: Deno.QuicConn;
    let closed = false;
    const close: CloseConnection = (kind, reason, frame) => {
      if (closed) return;
      closed = true;
      const info = { closeCode: CLOSE_CODES[kind], reason: reasonOf(reason) };
      if (frame === null || firstSend === undefined) {
        conn?.close(info);
        return;
      }
      // Let the error frame leave before the connection closes.
      firstSend([frame]);
      setTimeout(() => conn?.close(info), FLUSH_MS);
    };
    let firstSend: SendFrame | undefined;
    const guard = new GuardedConnection(state, close);
    try {
      if (options.zeroRtt) {
        conn = incoming.accept({ zeroRtt: true });
        guard.watchHandshake(conn.handshake);
      } else {
        const accepting = incoming.accept({ zeroRtt: false });
        guard.watchHandshake(accepting);
        conn = await accepting;
      }
    } catch {
      guard.dispose();
      return;
    }
    if (closed) {
      conn.close({
        closeCode: CLOSE_CODES.handshake,
        reason: "handshake timeout",
      });
      return;
    }
    conns.add(conn);
    const streams = conn.incomingBidirectionalStreams.getReader();
    const onUnauthorized = (error: AuthenticationError, send: SendFrame) => {
      firstSend ??= send;
      guard.dispose();
      close(
        "unauthorized",
        error.message,
        encodeError(ERROR_UNAUTHORIZED, 0, 0, error.message),
      );
    };
    try {
      for (let first = true;; first = false) {
        const { value, done } = await streams.read();
        if (done) break;
        state.streams++;
        const expose = first
          ? (send: SendFrame) => (firstSend = send)
          : undefined;
        track(
          serveStream(value, options, guard, first, onUnauthorized, expose)
            .finally(() => state.streams--),
        );
      }
    } catch {
      // The connection closed.
    } finally {
      guard.dispose();
      conns.delete(conn);
    }
  };

  const acceptLoop = (async () => {
    for (;;) {
      let incoming: Deno.QuicIncoming;
      try {
        incoming = await listener.incoming();
      } catch {
        return; // listener stopped or endpoint closed
      }
      track(serveConn(incoming));
    }
  })();

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      listener.stop();
      for (const conn of conns) {
        conn.close({ closeCode: 0, reason: "server closing" });
      }
      endpoint.close();
      await acceptLoop;
      while (tasks.size > 0) await Promise.allSettled([...tasks]);
    })();
    return closing;
  };
  return {
    transport: "quic",
    addr: endpoint.addr,
    close,
    stats: () => state.stats(),
    [Symbol.asyncDispose]: close,
  };
}

/**
 * Why a stream failed: the peer's close reason when the connection was
 * closed with one (it settles at about the same time as the failed read),
 * else the read's error.
 */
async function closeReason(
  closed: Promise<Deno.QuicCloseInfo>,
  error: unknown,
): Promise<string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), 50);
  });
  const info = await Promise.race([closed.catch(() => null), late]);
  clearTimeout(timer);
  return info !== null && info.reason !== ""
    ? `${info.reason} (close code ${info.closeCode})`
    : messageOf(error);
}

/** A request stream over one bidirectional QUIC stream. */
class QuicRequestStream implements RequestStream {
  readonly id: number;
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #table: RequestTable;
  #done: Promise<void>;
  #closed = false;
  #rejected0Rtt = false;
  #onClose: (() => void) | undefined;

  constructor(
    stream: Deno.QuicBidirectionalStream,
    options: ResolvedConnectOptions,
    closed: Promise<Deno.QuicCloseInfo>,
    onClose?: () => void,
    authenticate = false,
  ) {
    this.#onClose = onClose;
    this.id = Number(stream.writable.id);
    this.#reader = stream.readable.getReader();
    this.#writer = stream.writable.getWriter();
    if (authenticate && options.token !== undefined) {
      // The connection's token goes first, before any request.
      this.#writer.write(encodeAuth(options.token)).catch(noop);
    }
    const max = options.maxMessageBytes;
    const table = new RequestTable(
      max,
      options.timeout,
      true,
      sender(this.#writer),
    );
    this.#table = table;
    const decoder = new FrameDecoder(
      max,
      (header, payload) => table.receive(header, payload),
      (header) => table.oversize(header),
    );
    this.#done = pump(this.#reader, decoder).then(
      () => table.close("stream closed by peer"),
      async (error) => {
        this.#rejected0Rtt = /0-RTT rejected/i.test(messageOf(error));
        if (error instanceof ProtocolError) {
          table.fail(error);
          this.#reader.cancel().catch(noop);
        }
        // A rejected 0-RTT flight is not a closed connection: no reason
        // to wait for.
        const reason = this.#rejected0Rtt
          ? messageOf(error)
          : await closeReason(closed, error);
        table.close(`connection closed: ${reason}`);
      },
    );
  }

  /** Whether the stream died because the server rejected 0-RTT data. */
  get rejected0Rtt(): boolean {
    return this.#rejected0Rtt;
  }

  request(message: Uint8Array): Promise<Uint8Array> {
    return this.#table.request(0, message);
  }

  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#onClose?.();
      this.#table.close("stream closed");
      this.#writer.close().catch(noop);
      this.#reader.cancel().catch(noop);
    }
    return this.#done;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** A client connection over QUIC. */
class QuicChannel implements Channel {
  readonly transport = "quic" as const;
  readonly resumed: boolean;
  #conn: Deno.QuicConn;
  #options: ResolvedConnectOptions;
  #main: QuicRequestStream;
  #streams = new Set<QuicRequestStream>();
  #closing: Promise<void> | undefined;
  #reopening: Promise<QuicRequestStream> | undefined;

  constructor(
    conn: Deno.QuicConn,
    main: Deno.QuicBidirectionalStream,
    resumed: boolean,
    options: ResolvedConnectOptions,
  ) {
    this.#conn = conn;
    this.#options = options;
    this.resumed = resumed;
    this.#main = new QuicRequestStream(
      main,
      options,
      conn.closed,
      undefined,
      true,
    );
  }

  request(message: Uint8Array): Promise<Uint8Array> {
    if (this.#main.rejected0Rtt && this.#closing === undefined) {
      return this.#reopenMain().then((main) => main.request(message));
    }
    return this.#main.request(message);
  }

  /**
   * The server rejected the 0-RTT data: requests sent early have failed;
   * once the handshake is done, later requests use a new stream.
   */
  #reopenMain(): Promise<QuicRequestStream> {
    this.#reopening ??= (async () => {
      try {
        await this.#conn.handshake;
        const bidi = await this.#conn.createBidirectionalStream();
        const old = this.#main;
        this.#main = new QuicRequestStream(
          bidi,
          this.#options,
          this.#conn.closed,
          undefined,
          true,
        );
        await old.close();
        return this.#main;
      } finally {
        this.#reopening = undefined;
      }
    })();
    return this.#reopening;
  }

  async openStream(): Promise<RequestStream> {
    if (this.#closing !== undefined) {
      throw new ClosedError("Cannot open a stream: channel closed");
    }
    const bidi = await this.#conn.createBidirectionalStream();
    const stream: QuicRequestStream = new QuicRequestStream(
      bidi,
      this.#options,
      this.#conn.closed,
      () => this.#streams.delete(stream),
    );
    this.#streams.add(stream);
    return stream;
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      const streams = [this.#main, ...this.#streams];
      await Promise.all(streams.map((stream) => stream.close()));
      this.#conn.close({ closeCode: 0, reason: "channel closed" });
      if (this.#options.endpoint === undefined) this.#conn.endpoint.close();
    })();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** Connects over QUIC, with optional 0-RTT resumption. */
export async function connectQuic(
  options: ResolvedConnectOptions,
): Promise<Channel> {
  const endpoint = options.endpoint ?? new Deno.QuicEndpoint();
  const owned = options.endpoint === undefined;
  const attempt = Deno.connectQuic({
    hostname: options.hostname,
    port: options.port,
    serverName: options.serverName,
    caCerts: options.caCerts,
    alpnProtocols: [ALPN],
    endpoint,
    zeroRtt: options.zeroRtt,
    maxIdleTimeout: options.peerTimeout,
    keepAliveInterval: Math.floor(options.peerTimeout / 3),
  });
  // With zeroRtt, a synchronous QuicConn means 0-RTT is in use.
  const resumed = !(attempt instanceof Promise);
  const deadline = connectDeadline(options.timeout, "QUIC");
  let conn: Deno.QuicConn | undefined;
  try {
    conn = await Promise.race([attempt, deadline.expired]);
    const main = await Promise.race([
      conn.createBidirectionalStream(),
      deadline.expired,
    ]);
    return new QuicChannel(conn, main, resumed, options);
  } catch (error) {
    if (conn !== undefined) {
      conn.close({ closeCode: 0, reason: "connect failed" });
    } else if (!owned) {
      // Close the connection if it still arrives after the timeout.
      Promise.resolve(attempt).then(
        (late) => late.close({ closeCode: 0, reason: "connect timed out" }),
        noop,
      );
    }
    if (owned) endpoint.close();
    throw error;
  } finally {
    deadline.clear();
  }
}
