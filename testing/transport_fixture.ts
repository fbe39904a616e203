// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * Loopback echo servers and clients for measuring the transport: the kit's
 * framed QUIC and WebSocket servers, and raw (unframed) QUIC and WebSocket
 * echo servers as the floor. Used by `scripts/transport_report.ts` and
 * `bench/transport_bench.ts`.
 *
 * @module
 */

import WsWebSocket from "ws";
import {
  type Channel,
  connect,
  type ConnectOptions,
  listen,
  type Server,
} from "../transport/mod.ts";
import { generateTls, type TestTls } from "./tls.ts";

/** ALPN id of the raw QUIC echo (any id both raw sides agree on). */
const RAW_ALPN = "midstreamer-raw-echo";

/** Servers shared by all measurements. */
export interface Fixture extends AsyncDisposable {
  tls: TestTls;
  quic: Server;
  ws: Server;
  wss: Server;
  rawQuic: { port: number };
  rawWs: { port: number };
}

/** Starts echo servers: framed QUIC, ws://, wss://, raw QUIC and raw WS. */
export async function startFixture(): Promise<Fixture> {
  const tls = await generateTls();
  const echo = (request: Uint8Array) => request;
  // A whole `deno task compare` run can leave a bench's connections idle
  // for longer than the default idle timeout (2 minutes): a day, here.
  const idleTimeout = 86_400_000;
  const quic = await listen({
    idleTimeout,
    transport: "quic",
    cert: tls.cert,
    key: tls.key,
    zeroRtt: true,
    handler: echo,
  });
  const ws = await listen({
    transport: "websocket",
    handler: echo,
    idleTimeout,
  });
  const wss = await listen({
    idleTimeout,
    transport: "websocket",
    cert: tls.cert,
    key: tls.key,
    handler: echo,
  });
  // Raw QUIC floor: every bidirectional stream echoes its bytes.
  const rawEndpoint = new Deno.QuicEndpoint({ hostname: "127.0.0.1" });
  const rawListener = rawEndpoint.listen({
    cert: tls.cert,
    key: tls.key,
    alpnProtocols: [RAW_ALPN],
  });
  (async () => {
    for await (const incoming of rawListener) {
      const conn = await incoming.accept();
      (async () => {
        for await (const stream of conn.incomingBidirectionalStreams) {
          stream.readable.pipeTo(stream.writable).catch(() => {});
        }
      })().catch(() => {});
    }
  })().catch(() => {});
  // Raw WebSocket floor: every binary message is echoed.
  const rawWs = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen() {},
  }, (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    socket.binaryType = "arraybuffer";
    socket.onmessage = (event) => socket.send(event.data);
    return response;
  });
  return {
    tls,
    quic,
    ws,
    wss,
    rawQuic: { port: rawEndpoint.addr.port },
    rawWs: { port: rawWs.addr.port },
    async [Symbol.asyncDispose]() {
      await Promise.all([quic.close(), ws.close(), wss.close()]);
      rawListener.stop();
      rawEndpoint.close();
      await rawWs.shutdown();
    },
  };
}

/** A request function plus its cleanup. */
export interface Roundtrip extends AsyncDisposable {
  request(message: Uint8Array): Promise<unknown>;
}

/** Connects the framed client of `kind` to the fixture. */
export async function openChannel(
  fixture: Fixture,
  transport: "quic" | "websocket",
  client: "deno" | "ws" = "deno",
): Promise<Channel> {
  const options: ConnectOptions = transport === "quic"
    ? {
      transport,
      port: fixture.quic.addr.port,
      caCerts: [fixture.tls.caCert],
      serverName: "localhost",
    }
    : { transport, port: fixture.ws.addr.port, client };
  return await connect(options);
}

/** Raw QUIC: one stream, write the bytes, read until as many come back. */
export async function openRawQuic(fixture: Fixture): Promise<Roundtrip> {
  const conn = await Deno.connectQuic({
    hostname: "127.0.0.1",
    port: fixture.rawQuic.port,
    caCerts: [fixture.tls.caCert],
    serverName: "localhost",
    alpnProtocols: [RAW_ALPN],
    // A bench run can leave it idle for minutes (the other tree's rounds in
    // `compare --against`): without keep-alives QUIC's idle timeout closes it.
    keepAliveInterval: 2_000,
  });
  const stream = await conn.createBidirectionalStream();
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  return {
    async request(message) {
      // Written while the echo is read; awaited last, so that a failed write
      // rejects this call instead of going unhandled.
      const written = writer.write(message);
      written.catch(() => {}); // handled: awaited below
      let got = 0;
      while (got < message.length) {
        const { value, done } = await reader.read();
        if (done) throw new Error("raw QUIC stream ended");
        got += value.length;
      }
      await written;
    },
    async [Symbol.asyncDispose]() {
      await reader.cancel().catch(() => {});
      await writer.close().catch(() => {});
      conn.close();
      conn.endpoint.close();
    },
  };
}

/** Raw WebSocket: send one binary message, wait for the echo. */
export async function openRawWebSocket(
  fixture: Fixture,
  client: "deno" | "ws",
): Promise<Roundtrip> {
  const url = `ws://127.0.0.1:${fixture.rawWs.port}/`;
  let wake: (() => void) | undefined;
  /** Sends a message; resolves on the next message received. */
  const requester =
    (send: (message: Uint8Array) => void) =>
    (message: Uint8Array): Promise<void> => {
      const { promise, resolve } = Promise.withResolvers<void>();
      wake = resolve;
      send(message);
      return promise;
    };
  if (client === "ws") {
    const ws = new WsWebSocket(url, { perMessageDeflate: false });
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    ws.on("message", () => wake?.());
    return {
      request: requester((message) => ws.send(message)),
      async [Symbol.asyncDispose]() {
        const closed = new Promise((resolve) => ws.once("close", resolve));
        ws.close();
        await closed;
      },
    };
  }
  const ws = new WebSocket(url);
  ws.binaryType = "arraybuffer";
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  ws.onmessage = () => wake?.();
  return {
    request: requester((message) => ws.send(message)),
    async [Symbol.asyncDispose]() {
      const closed = new Promise((resolve) => (ws.onclose = resolve));
      ws.close();
      await closed;
    },
  };
}
