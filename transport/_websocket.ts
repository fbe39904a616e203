// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * Private WebSocket transport: `Deno.serve` + `Deno.upgradeWebSocket` on
 * the server; Deno's `WebSocket` or npm:ws (loaded on first use) on the
 * client. Each direction is a stream of frames carried by binary messages
 * (see `_frame.ts`); logical streams are told apart by the frame's stream
 * id. npm:ws clients and the server send one message per frame; Deno's
 * client shapes its messages to avoid a Nagle stall (see
 * {@linkcode denoMessages}).
 *
 * @module
 */

import type WsWebSocket from "ws";
import {
  ACK_FRAME,
  encodeAuth,
  encodeError,
  ERROR_BUSY,
  ERROR_UNAUTHORIZED,
  FLAG_CONTINUED,
  HEADER_BYTES,
  MessageDecoder,
  writePaddingHeader,
} from "./_frame.ts";
import {
  type CloseKind,
  GuardedConnection,
  ServerState,
  type StreamCallbacks,
} from "./_guard.ts";
import { noop, RequestTable, type SendFrame } from "./_mux.ts";
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

const CLOSE_NORMAL = 1000;
const CLOSE_GOING_AWAY = 1001;
const CLOSE_PROTOCOL_ERROR = 1002;
const CLOSE_UNSUPPORTED_DATA = 1003;
const CLOSE_POLICY_VIOLATION = 1008;
const CLOSE_TRY_AGAIN_LATER = 1013;

/**
 * Deno's `WebSocket` client (fastwebsockets) writes a message of up to this
 * many bytes in one write, but a larger one as two writes (WebSocket header,
 * then payload) on a socket without TCP_NODELAY: Nagle holds the payload
 * until the server ACKs the header segment, which a delayed ACK postpones
 * by about 44 ms. Messages this size or smaller never stall.
 */
export const DENO_ONE_WRITE_BYTES = 1024;
/**
 * Frames up to this many one-write chunks are sent as a continued frame,
 * chunk by chunk; each chunk after the first leaves when the server's ack
 * for the previous one arrives (about one loopback round trip each).
 */
export const DENO_MAX_CHUNKS = 4;
/**
 * Larger frames (up to this size) are padded to it instead: a payload
 * write of at least a full loopback segment (MSS 65483) is not held back.
 */
export const DENO_PAD_BYTES = 65535;

/**
 * The WebSocket messages Deno's client sends for one encoded `frame`: the
 * frame itself when it is at most {@linkcode DENO_ONE_WRITE_BYTES} or at
 * least {@linkcode DENO_PAD_BYTES} long; up to {@linkcode DENO_MAX_CHUNKS}
 * chunks of a continued frame; else the frame followed by a padding frame
 * in one message of {@linkcode DENO_PAD_BYTES}. `frame` must be a fresh
 * buffer: its flags byte may be changed.
 */
export function denoMessages(frame: Uint8Array): Uint8Array[] {
  const length = frame.length;
  if (length <= DENO_ONE_WRITE_BYTES || length >= DENO_PAD_BYTES) {
    return [frame];
  }
  if (length <= DENO_ONE_WRITE_BYTES * DENO_MAX_CHUNKS) {
    frame[6]! |= FLAG_CONTINUED;
    const chunks: Uint8Array[] = [];
    for (let at = 0; at < length; at += DENO_ONE_WRITE_BYTES) {
      chunks.push(frame.subarray(at, at + DENO_ONE_WRITE_BYTES));
    }
    return chunks;
  }
  const padded = new Uint8Array(
    Math.max(DENO_PAD_BYTES, length + HEADER_BYTES),
  );
  padded.set(frame);
  writePaddingHeader(padded, length, padded.length - length - HEADER_BYTES);
  return [padded];
}

/** Close reasons are limited to 123 bytes. */
function reasonOf(message: string): string {
  return message.length > 120 ? `${message.slice(0, 117)}...` : message;
}

/** WebSocket close codes of the server's refusals. */
const CLOSE_CODES: Record<CloseKind, number> = {
  unauthorized: CLOSE_POLICY_VIOLATION,
  handshake: CLOSE_POLICY_VIOLATION,
  busy: CLOSE_TRY_AGAIN_LATER,
  idle: CLOSE_NORMAL,
};

/** Starts a WebSocket server. */
export function listenWebSocket(options: ResolvedListenOptions): Server {
  const state = new ServerState(options);
  const sockets = new Set<WebSocket>();
  const closedSockets = new Set<Promise<void>>();
  const server = Deno.serve({
    hostname: options.hostname,
    port: options.port,
    ...(options.cert === undefined
      ? {}
      : { cert: options.cert, key: options.key! }),
    onListen: noop,
  }, (request) => {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Response("WebSocket upgrade required", { status: 426 });
    }
    const { socket, response } = Deno.upgradeWebSocket(request);
    socket.binaryType = "arraybuffer";
    sockets.add(socket);
    state.streams++;
    const { promise: closed, resolve } = Promise.withResolvers<void>();
    closedSockets.add(closed);
    const send: SendFrame = (parts) => {
      if (socket.readyState !== WebSocket.OPEN) return;
      socket.send(parts[0]!);
      guard?.checkBacklog(socket.bufferedAmount);
    };
    const refuse = (
      kind: CloseKind,
      reason: string,
      frame: Uint8Array | null,
    ) => {
      if (frame !== null) send([frame]);
      if (socket.readyState === WebSocket.OPEN) {
        socket.close(CLOSE_CODES[kind], reasonOf(reason));
      }
    };
    let onmessage: ((event: MessageEvent) => void) | null = null;
    let callbacks: StreamCallbacks | undefined;
    let guard: GuardedConnection | undefined;
    if (!state.admitConnection()) {
      socket.onopen = () => {
        refuse(
          "busy",
          state.busyReason,
          encodeError(ERROR_BUSY, 0, 0, state.busyReason),
        );
      };
    } else {
      guard = new GuardedConnection(state, refuse);
      const cb = guard.stream(send, false, true);
      callbacks = cb;
      const decoder = new MessageDecoder(
        options.maxMessageBytes,
        cb.onFrame,
        cb.onOversize,
        cb.admit,
      );
      onmessage = (event: MessageEvent) => {
        if (typeof event.data === "string") {
          socket.close(
            CLOSE_UNSUPPORTED_DATA,
            "text messages are not supported",
          );
          return;
        }
        let continued;
        try {
          continued = decoder.push(new Uint8Array(event.data));
        } catch (error) {
          if (error instanceof AuthenticationError) {
            guard!.dispose();
            refuse(
              "unauthorized",
              error.message,
              encodeError(ERROR_UNAUTHORIZED, 0, 0, error.message),
            );
          } else {
            socket.close(
              CLOSE_PROTOCOL_ERROR,
              reasonOf((error as Error).message),
            );
          }
          return;
        }
        // Release the client's next chunk (see `_frame.ts`).
        if (continued) send([ACK_FRAME]);
      };
    }
    socket.onmessage = onmessage;
    socket.onclose = () => {
      sockets.delete(socket);
      closedSockets.delete(closed);
      state.streams--;
      callbacks?.end();
      guard?.dispose();
      resolve();
    };
    return response;
  });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const pending = [...closedSockets];
      for (const socket of sockets) {
        socket.close(CLOSE_GOING_AWAY, "server closing");
      }
      await Promise.all(pending);
      await server.shutdown();
    })();
    return closing;
  };
  return {
    transport: "websocket",
    addr: server.addr,
    close,
    stats: () => state.stats(),
    [Symbol.asyncDispose]: close,
  };
}

/** What the channel needs from either WebSocket client. */
interface Socket {
  send(data: Uint8Array): void;
  close(code: number, reason: string): void;
  /** Resolves once the socket is open; rejects if it closes first. */
  readonly opened: Promise<void>;
  /** Resolves once the socket is closed. */
  readonly closed: Promise<void>;
}

interface SocketEvents {
  onMessage(data: Uint8Array): void;
  onProtocolError(error: ProtocolError): void;
  onClose(reason: string): void;
}

/** The open/close bookkeeping both WebSocket clients share. */
interface Lifecycle {
  /** For `Socket.opened`. */
  opened: Promise<void>;
  /** For `Socket.closed`. */
  closed: Promise<void>;
  /** Call when the socket opens. */
  open(): void;
  /** Call on a text message: reports a protocol error. */
  textMessage(): void;
  /** Call on an error event: its message explains a close without reason. */
  error(message: string): void;
  /** Call when the socket closes, with the close code and reason. */
  close(code: number, reason: string): void;
}

function lifecycle(events: SocketEvents): Lifecycle {
  const closed = Promise.withResolvers<void>();
  const opened = Promise.withResolvers<void>();
  opened.promise.catch(noop);
  let failure = "";
  return {
    opened: opened.promise,
    closed: closed.promise,
    open: () => opened.resolve(),
    textMessage() {
      events.onProtocolError(
        new ProtocolError("malformed frame: text message received"),
      );
    },
    error(message) {
      failure = message;
    },
    close(code, reason) {
      const text = reason || failure;
      const message = `connection closed (code ${code}${
        text ? `: ${text}` : ""
      })`;
      opened.reject(new ClosedError(`Cannot connect: ${message}`));
      events.onClose(message);
      closed.resolve();
    },
  };
}

function urlOf(options: ResolvedConnectOptions): string {
  const host = options.hostname;
  const name = host.includes(":") ? `[${host}]` : host;
  return `${options.secure ? "wss" : "ws"}://${name}:${options.port}/`;
}

function openDeno(
  options: ResolvedConnectOptions,
  events: SocketEvents,
): Socket {
  const client = options.caCerts === undefined
    ? undefined
    : Deno.createHttpClient({ caCerts: [...options.caCerts] });
  const ws = new WebSocket(
    urlOf(options),
    client === undefined ? undefined : { client },
  );
  ws.binaryType = "arraybuffer";
  const life = lifecycle(events);
  const socket: Socket = {
    send: (data) => {
      for (const message of denoMessages(data)) ws.send(message);
    },
    close: (code, reason) => ws.close(code, reason),
    opened: life.opened,
    closed: life.closed,
  };
  ws.onopen = life.open;
  ws.onmessage = (event: MessageEvent) => {
    if (typeof event.data === "string") life.textMessage();
    else events.onMessage(new Uint8Array(event.data));
  };
  ws.onerror = (event: Event) => {
    life.error((event as ErrorEvent).message ?? "");
  };
  ws.onclose = (event: CloseEvent) => {
    client?.close();
    life.close(event.code, event.reason);
  };
  return socket;
}

async function openWs(
  options: ResolvedConnectOptions,
  events: SocketEvents,
): Promise<Socket> {
  // Loaded lazily so that QUIC and Deno-client users never load npm:ws.
  const { default: WebSocketClass } = await import("ws");
  const ws: WsWebSocket = new WebSocketClass(urlOf(options), {
    ca: options.caCerts,
    servername: options.serverName,
    // Oversize replies must reach the frame layer, which fails only their
    // request; above 64 MiB (Deno's own limit) the socket is dropped.
    maxPayload: Math.max(options.maxMessageBytes + HEADER_BYTES, 64 << 20),
    perMessageDeflate: false,
  });
  ws.binaryType = "nodebuffer";
  const life = lifecycle(events);
  const socket: Socket = {
    send: (data) => ws.send(data),
    close: (code, reason) => {
      if (ws.readyState === ws.CONNECTING) ws.terminate();
      else ws.close(code, reason);
    },
    opened: life.opened,
    closed: life.closed,
  };
  ws.on("open", life.open);
  ws.on("message", (data: Uint8Array, isBinary: boolean) => {
    if (!isBinary) {
      life.textMessage();
    } else {
      // A Buffer: hand on a plain Uint8Array view of the same memory.
      events.onMessage(
        new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      );
    }
  });
  ws.on("error", (error: Error) => life.error(error.message));
  ws.on("close", (code: number, reason: Uint8Array) => {
    life.close(code, new TextDecoder().decode(reason));
  });
  return socket;
}

/** A logical stream multiplexed over the channel's WebSocket. */
class WebSocketRequestStream implements RequestStream {
  readonly id: number;
  #table: RequestTable;
  #closed = false;

  constructor(table: RequestTable, id: number) {
    this.#table = table;
    this.id = id;
  }

  request(message: Uint8Array): Promise<Uint8Array> {
    if (this.#closed) {
      return Promise.reject(
        new ClosedError("Cannot send request: stream closed"),
      );
    }
    return this.#table.request(this.id, message);
  }

  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#table.fail(new ClosedError("stream closed"), this.id);
    }
    return Promise.resolve();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** A client connection over WebSocket. */
class WebSocketChannel implements Channel {
  readonly transport = "websocket" as const;
  readonly resumed = false;
  #socket: Socket;
  #table: RequestTable;
  #nextStreamId = 0;
  #closing: Promise<void> | undefined;

  constructor(socket: Socket, table: RequestTable) {
    this.#socket = socket;
    this.#table = table;
  }

  request(message: Uint8Array): Promise<Uint8Array> {
    return this.#table.request(0, message);
  }

  openStream(): Promise<RequestStream> {
    if (this.#closing !== undefined) {
      return Promise.reject(
        new ClosedError("Cannot open a stream: channel closed"),
      );
    }
    this.#nextStreamId = (this.#nextStreamId + 1) >>> 0 || 1;
    return Promise.resolve(
      new WebSocketRequestStream(this.#table, this.#nextStreamId),
    );
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#table.close("channel closed");
      this.#socket.close(CLOSE_NORMAL, "channel closed");
      await this.#socket.closed;
    })();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** Connects over WebSocket with Deno's client or npm:ws. */
export async function connectWebSocket(
  options: ResolvedConnectOptions,
): Promise<Channel> {
  let socket: Socket | undefined = undefined;
  const send: SendFrame = (parts) => socket!.send(parts[0]!);
  const table = new RequestTable(
    options.maxMessageBytes,
    options.timeout,
    false,
    send,
  );
  const decoder = new MessageDecoder(
    options.maxMessageBytes,
    (header, payload) => table.receive(header, payload),
    (header) => table.oversize(header),
  );
  const events: SocketEvents = {
    onMessage(data) {
      try {
        decoder.push(data);
      } catch (error) {
        events.onProtocolError(error as ProtocolError);
      }
    },
    onProtocolError(error) {
      table.fail(error);
      table.close(`connection failed: ${error.message}`);
      socket?.close(CLOSE_PROTOCOL_ERROR, reasonOf(error.message));
    },
    onClose(reason) {
      table.close(reason);
    },
  };
  socket = options.client === "ws"
    ? await openWs(options, events)
    : openDeno(options, events);
  const deadline = connectDeadline(options.timeout, "WebSocket");
  try {
    await Promise.race([socket.opened, deadline.expired]);
  } catch (error) {
    socket.close(CLOSE_NORMAL, "connect failed");
    await socket.closed;
    throw error;
  } finally {
    deadline.clear();
  }
  if (options.token !== undefined) socket.send(encodeAuth(options.token));
  return new WebSocketChannel(socket, table);
}
