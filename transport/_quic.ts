// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * Private QUIC transport: `Deno.QuicEndpoint` server and `Deno.connectQuic`
 * client. Every bidirectional QUIC stream carries frames (see `_frame.ts`);
 * a channel's own `request` uses one stream opened at connect time.
 *
 * @module
 */

import { encodeError, ERROR_MALFORMED, FrameDecoder } from "./_frame.ts";
import {
  messageOf,
  noop,
  refuseOversize,
  RequestTable,
  type SendFrame,
  serveFrame,
} from "./_mux.ts";
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

/** ALPN protocol id announced by both sides. */
export const ALPN = "midstreamer/1";

/** Concurrent bidirectional streams a server accepts per connection. */
export const MAX_STREAMS = 1024;

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

/** Serves one bidirectional stream until the peer finishes it. */
async function serveStream(
  stream: Deno.QuicBidirectionalStream,
  options: ResolvedListenOptions,
): Promise<void> {
  const { handler, maxMessageBytes: max } = options;
  const reader = stream.readable.getReader();
  const writer = stream.writable.getWriter();
  const send = sender(writer);
  let inflight = 0;
  let ended = false;
  const finish = (): void => {
    if (ended && inflight === 0) writer.close().catch(noop);
  };
  const onDone = (): void => {
    inflight--;
    finish();
  };
  const decoder = new FrameDecoder(
    max,
    (header, payload) => {
      inflight++;
      serveFrame(handler, max, true, header, payload, send, onDone);
    },
    (header) => refuseOversize(max, header, send),
  );
  try {
    await pump(reader, decoder);
  } catch (error) {
    if (!(error instanceof ProtocolError)) {
      // The connection is gone: nothing can be written any more.
      writer.abort().catch(noop);
      return;
    }
    send([encodeError(ERROR_MALFORMED, 0, 0, error.message)]);
    reader.cancel().catch(noop);
  }
  ended = true;
  finish();
}

/** Starts a QUIC server. */
export function listenQuic(options: ResolvedListenOptions): Server {
  const endpoint = new Deno.QuicEndpoint({
    hostname: options.hostname,
    port: options.port,
  });
  const listener = endpoint.listen({
    cert: options.cert!,
    key: options.key!,
    alpnProtocols: [ALPN],
    maxConcurrentBidirectionalStreams: MAX_STREAMS,
  });
  const conns = new Set<Deno.QuicConn>();
  const tasks = new Set<Promise<void>>();
  const track = (task: Promise<void>): void => {
    tasks.add(task);
    task.catch(noop).finally(() => tasks.delete(task));
  };

  const serveConn = async (incoming: Deno.QuicIncoming): Promise<void> => {
    const conn = options.zeroRtt
      ? incoming.accept({ zeroRtt: true })
      : await incoming.accept();
    conns.add(conn);
    const streams = conn.incomingBidirectionalStreams.getReader();
    try {
      for (;;) {
        const { value, done } = await streams.read();
        if (done) break;
        track(serveStream(value, options));
      }
    } finally {
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
    [Symbol.asyncDispose]: close,
  };
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
    onClose?: () => void,
  ) {
    this.#onClose = onClose;
    this.id = Number(stream.writable.id);
    this.#reader = stream.readable.getReader();
    this.#writer = stream.writable.getWriter();
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
      (error) => {
        this.#rejected0Rtt = /0-RTT rejected/i.test(messageOf(error));
        if (error instanceof ProtocolError) {
          table.fail(error);
          this.#reader.cancel().catch(noop);
        }
        table.close(`connection closed: ${messageOf(error)}`);
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
    this.#main = new QuicRequestStream(main, options);
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
        this.#main = new QuicRequestStream(bidi, this.#options);
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
