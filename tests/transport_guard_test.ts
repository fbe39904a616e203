// Copyright 2026 the @midstreamer/kit authors. MIT license.
// The server's token and limits, on both transports: raw clients that skip
// or delay the token, 0-RTT with a wrong token, and every limit reached
// (refused with a reason the client can read; accepted work answered).

import assert from "node:assert/strict";
import {
  AuthenticationError,
  ClosedError,
  connect,
  type ConnectOptions,
  listen,
  type ListenOptions,
  type Server,
  TimeoutError,
} from "../transport/mod.ts";
import { QueueFullError } from "../pool/queue_full_error.ts";
import {
  encodeAuth,
  encodeFrame,
  ERROR_BUSY,
  ERROR_UNAUTHORIZED,
  FrameDecoder,
  type FrameHeader,
  KIND_ERROR,
  KIND_REPLY,
  KIND_REQUEST,
} from "../transport/internal.ts";
import { isLoopback } from "../transport/internal.ts";
import {
  GuardedConnection,
  ServerState,
  timingSafeEqual,
} from "../transport/internal.ts";
import { DEFAULT_SERVER_LIMITS } from "../transport/server_limits.ts";
import { generateTls } from "../testing/tls.ts";
import { rng } from "../testing/rng.ts";

const tls = await generateTls();
const ALPN = "midstreamer/1";
const TRANSPORTS = ["websocket", "quic"] as const;
type T = typeof TRANSPORTS[number];

function serve(
  transport: T,
  options: Partial<ListenOptions> = {},
): Promise<Server> {
  return listen({
    transport,
    cert: tls.cert,
    key: tls.key,
    handler: (request) => request,
    ...options,
  } as ListenOptions);
}

function clientOptions(server: Server, extra: Partial<ConnectOptions> = {}) {
  return {
    transport: server.transport,
    port: server.addr.port,
    caCerts: [tls.caCert],
    serverName: "localhost",
    timeout: 5_000,
    ...extra,
  } as ConnectOptions;
}

const request = (id: number, payload: Uint8Array) =>
  encodeFrame(KIND_REQUEST, 0, 0, id, payload, false)[0]!;

/** Polls `check` every 10 ms for at most `ms`. */
async function until(check: () => boolean, ms = 3_000): Promise<void> {
  for (let waited = 0; !check(); waited += 10) {
    if (waited >= ms) assert.fail(`condition not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A raw QUIC connection to `server` (no token sent). */
async function rawQuic(server: Server): Promise<Deno.QuicConn> {
  return await Deno.connectQuic({
    hostname: "127.0.0.1",
    port: server.addr.port,
    caCerts: [tls.caCert],
    serverName: "localhost",
    alpnProtocols: [ALPN],
  });
}

/** Collects the frames read from a QUIC stream until it ends. */
async function framesOf(
  readable: ReadableStream<Uint8Array>,
): Promise<{ header: FrameHeader; payload: Uint8Array }[]> {
  const frames: { header: FrameHeader; payload: Uint8Array }[] = [];
  const decoder = new FrameDecoder(
    1 << 20,
    (header, payload) => frames.push({ header, payload: payload.slice() }),
    () => {},
  );
  const reader = readable.getReader();
  try {
    for (let i = 0; i < 100; i++) {
      const { value, done } = await reader.read();
      if (done) break;
      decoder.push(value);
    }
  } catch {
    // The connection closed.
  }
  return frames;
}

Deno.test("timingSafeEqual agrees with a plain comparison", () => {
  const random = rng(17);
  const bytes = (n: number) =>
    Uint8Array.from({ length: n }, () => Math.floor(random() * 3));
  for (let i = 0; i < 2000; i++) {
    const a = bytes(Math.floor(random() * 4));
    const b = random() < 0.3 ? a.slice() : bytes(Math.floor(random() * 4));
    const plain = a.length === b.length && a.every((x, j) => x === b[j]);
    assert.equal(timingSafeEqual(a, b), plain, `${a} vs ${b}`);
  }
});

Deno.test("isLoopback", () => {
  for (const h of ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"]) {
    assert.ok(isLoopback(h), h);
  }
  for (const h of ["0.0.0.0", "::", "10.0.0.1", "example.com", "128.0.0.1"]) {
    assert.ok(!isLoopback(h), h);
  }
});

Deno.test("protected mode: a non-loopback address needs a token or insecure", async () => {
  await assert.rejects(
    listen({ transport: "websocket", hostname: "0.0.0.0", handler: (r) => r }),
    (error: Error) =>
      error instanceof TypeError && /protected mode/.test(error.message) &&
      /--insecure/.test(error.message),
  );
  for (const extra of [{ token: "t" }, { insecure: true }]) {
    const server = await listen({
      transport: "websocket",
      hostname: "0.0.0.0",
      handler: (r) => r,
      ...extra,
    });
    await server.close();
  }
});

Deno.test("bad limits and tokens are refused", async () => {
  for (
    const [name, value, Class] of [
      ["maxConnections", 0, RangeError],
      ["idleTimeout", 1.5, RangeError],
      ["handshakeTimeout", 2 ** 31, RangeError],
      ["maxBufferedBytes", "1", TypeError],
      ["token", "", RangeError],
      ["token", "x".repeat(4097), RangeError],
      ["token", 7, TypeError],
    ] as const
  ) {
    await assert.rejects(
      listen({ transport: "websocket", handler: (r) => r, [name]: value }),
      (error: Error) =>
        error instanceof Class && error.message.includes(`"${name}"`),
    );
  }
});

for (const transport of TRANSPORTS) {
  Deno.test(`${transport}: a right token is served, a wrong or missing one closed before any request`, async () => {
    let calls = 0;
    await using server = await serve(transport, {
      token: "s3cret",
      handler: (r) => {
        calls++;
        return r;
      },
    });
    await using good = await connect(
      clientOptions(server, { token: "s3cret" }),
    );
    assert.deepEqual(await good.request(Uint8Array.of(1)), Uint8Array.of(1));
    for (const token of ["s3cret!", "S3cret", undefined]) {
      const bad = await connect(
        clientOptions(server, token === undefined ? {} : { token }),
      );
      const replies = [1, 2, 3].map((n) => bad.request(Uint8Array.of(n)));
      for (const reply of replies) {
        await assert.rejects(
          reply,
          (error: Error) =>
            error instanceof AuthenticationError &&
            /^unauthorized: /.test(error.message),
        );
      }
      await assert.rejects(bad.request(Uint8Array.of(4)), AuthenticationError);
      await bad.close();
    }
    assert.equal(calls, 1);
    await until(() => server.stats().connections === 1);
    assert.equal(server.stats().unauthorized, 3);
    // The good connection still works.
    assert.deepEqual(await good.request(Uint8Array.of(5)), Uint8Array.of(5));
  });

  Deno.test(`${transport}: no token within handshakeTimeout closes the connection`, async () => {
    await using server = await serve(transport, {
      token: "t",
      handshakeTimeout: 200,
    });
    if (transport === "websocket") {
      const ws = new WebSocket(`wss://localhost:${server.addr.port}/`, {
        client: Deno.createHttpClient({ caCerts: [tls.caCert] }),
      });
      const closed = new Promise<CloseEvent>((resolve) => ws.onclose = resolve);
      const event = await closed;
      assert.equal(event.code, 1008);
      assert.match(event.reason, /handshake timeout/);
    } else {
      const conn = await rawQuic(server);
      const info = await conn.closed;
      assert.equal(info.closeCode, 4);
      assert.match(info.reason, /handshake timeout/);
      conn.endpoint.close();
    }
    await until(() => server.stats().connections === 0);
  });
}

Deno.test("websocket: a request sent before the token never reaches the handler", async () => {
  let calls = 0;
  await using server = await serve("websocket", {
    token: "t",
    handler: (r) => {
      calls++;
      return r;
    },
  });
  const ws = new WebSocket(`wss://localhost:${server.addr.port}/`, {
    client: Deno.createHttpClient({ caCerts: [tls.caCert] }),
  });
  ws.binaryType = "arraybuffer";
  const frames: Uint8Array[] = [];
  ws.onmessage = (event) => frames.push(new Uint8Array(event.data));
  const closed = new Promise<CloseEvent>((resolve) => ws.onclose = resolve);
  await new Promise((resolve) => ws.onopen = resolve);
  // Request first, then the right token in the same message.
  const both = new Uint8Array([
    ...request(1, Uint8Array.of(9)),
    ...encodeAuth("t"),
  ]);
  ws.send(both);
  const event = await closed;
  assert.equal(event.code, 1008);
  assert.equal(calls, 0);
  assert.equal(frames.length, 1);
  assert.equal(frames[0]![4], KIND_ERROR);
  assert.equal(frames[0]![5], ERROR_UNAUTHORIZED);
});

Deno.test("quic: requests on other streams wait until the token is verified", async () => {
  let calls = 0;
  await using server = await serve("quic", {
    token: "t",
    handler: (r) => {
      calls++;
      return r;
    },
  });
  const conn = await rawQuic(server);
  try {
    const main = await conn.createBidirectionalStream();
    const mainWriter = main.writable.getWriter();
    // Opens the main stream (id 0) on the wire without a frame.
    await mainWriter.write(new Uint8Array(0));
    const other = await conn.createBidirectionalStream();
    const writer = other.writable.getWriter();
    await writer.write(request(7, Uint8Array.of(1, 2)));
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(calls, 0, "a request was dispatched before the token");
    assert.equal(server.stats().requests, 1); // held, not lost
    await mainWriter.write(encodeAuth("t"));
    await writer.close();
    const frames = await framesOf(other.readable);
    assert.equal(calls, 1);
    assert.equal(frames[0]?.header.kind, KIND_REPLY);
    assert.equal(frames[0]?.header.requestId, 7);
    await mainWriter.close();
  } finally {
    conn.close();
    conn.endpoint.close();
  }
});

Deno.test("quic: requests held for a wrong token are dropped, never handled", async () => {
  let calls = 0;
  await using server = await serve("quic", {
    token: "t",
    handler: (r) => {
      calls++;
      return r;
    },
  });
  const conn = await rawQuic(server);
  try {
    const main = await conn.createBidirectionalStream();
    const mainWriter = main.writable.getWriter();
    await mainWriter.write(new Uint8Array(0));
    const other = await conn.createBidirectionalStream();
    await other.writable.getWriter().write(request(7, Uint8Array.of(1)));
    await until(() => server.stats().requests === 1);
    await mainWriter.write(encodeAuth("wrong"));
    const info = await conn.closed;
    assert.equal(info.closeCode, 1);
    assert.match(info.reason, /unauthorized: wrong token/);
  } finally {
    conn.endpoint.close();
  }
  await until(() => server.stats().connections === 0);
  assert.equal(calls, 0);
  assert.equal(server.stats().requests, 0);
  assert.equal(server.stats().bufferedBytes, 0);
});

Deno.test("quic 0-RTT: early requests with a wrong token never reach the handler", async () => {
  let calls = 0;
  await using server = await serve("quic", {
    token: "t",
    zeroRtt: true,
    handler: (r) => {
      calls++;
      return r;
    },
  });
  const endpoint = new Deno.QuicEndpoint();
  try {
    const options = clientOptions(server, { endpoint, token: "t" });
    const first = await connect(options);
    await first.request(Uint8Array.of(1));
    await new Promise((resolve) => setTimeout(resolve, 20)); // the ticket
    await first.close();
    assert.equal(calls, 1);
    let resumedOnce = false;
    let attempts = 0;
    for (; attempts < 3 && !resumedOnce; attempts++) {
      const early = await connect({ ...options, zeroRtt: true, token: "nope" });
      resumedOnce = early.resumed;
      await assert.rejects(
        early.request(Uint8Array.of(2)),
        AuthenticationError,
      );
      await early.close();
      // Refill the ticket with a good connection.
      const good = await connect(options);
      await good.request(Uint8Array.of(3));
      await new Promise((resolve) => setTimeout(resolve, 20));
      await good.close();
    }
    assert.ok(resumedOnce, "no connection used 0-RTT");
    assert.equal(calls, 1 + attempts); // the good connections' only
  } finally {
    endpoint.close();
  }
});

for (const transport of TRANSPORTS) {
  Deno.test(`${transport}: maxConnections refuses the next connection with its reason`, async () => {
    await using server = await serve(transport, { maxConnections: 2 });
    await using a = await connect(clientOptions(server));
    await using b = await connect(clientOptions(server));
    await a.request(Uint8Array.of(1));
    await b.request(Uint8Array.of(1));
    const refused = await connect(clientOptions(server)).then(
      (channel) =>
        channel.request(Uint8Array.of(1)).finally(() => channel.close()),
    ).then(() => null, (error: Error) => error);
    assert.ok(refused instanceof Error, "the third connection was served");
    assert.ok(
      refused instanceof ClosedError || refused instanceof QueueFullError,
      `${refused.name}: ${refused.message}`,
    );
    assert.match(refused.message, /maxConnections \(2\)/);
    assert.equal(server.stats().refusedConnections, 1);
    // Accepted connections are still served.
    assert.deepEqual(await a.request(Uint8Array.of(2)), Uint8Array.of(2));
  });

  Deno.test(`${transport}: requests and bytes over the limits are refused as busy; admitted ones answered`, async () => {
    const gates: PromiseWithResolvers<void>[] = [];
    let open = false;
    await using server = await serve(transport, {
      maxRequestsPerConnection: 3,
      maxBufferedBytesPerConnection: 1000,
      maxBufferedBytes: 1500,
      handler: async (r) => {
        if (open) return r;
        const gate = Promise.withResolvers<void>();
        gates.push(gate);
        await gate.promise;
        return r;
      },
    });
    await using a = await connect(clientOptions(server));
    await using b = await connect(clientOptions(server));
    const admitted = [
      a.request(new Uint8Array(400)),
      a.request(new Uint8Array(400)),
    ];
    await until(() => gates.length === 2);
    // Per connection: 800 + 400 bytes > 1000.
    await assert.rejects(
      a.request(new Uint8Array(400)),
      (e: Error) =>
        e instanceof QueueFullError &&
        /maxBufferedBytesPerConnection \(1000\)/.test(e.message),
    );
    admitted.push(a.request(new Uint8Array(10)));
    admitted[2]!.catch(() => {});
    await until(() => gates.length === 3);
    // Per connection: 3 in flight.
    await assert.rejects(
      a.request(new Uint8Array(1)),
      (e: Error) =>
        e instanceof QueueFullError &&
        /maxRequestsPerConnection 3\)/.test(e.message),
    );
    // In total: 810 + 700 > 1500.
    await assert.rejects(
      b.request(new Uint8Array(700)),
      (e: Error) =>
        e instanceof QueueFullError &&
        /maxBufferedBytes \(1500\)/.test(e.message),
    );
    assert.deepEqual(
      {
        ...server.stats(),
        refusedConnections: 0,
        unauthorized: 0,
        timedOut: 0,
      },
      {
        connections: 2,
        streams: server.stats().streams,
        requests: 3,
        bufferedBytes: 810,
        refusedConnections: 0,
        refusedRequests: 3,
        unauthorized: 0,
        timedOut: 0,
      },
    );
    open = true;
    for (const gate of gates) gate.resolve();
    const replies = await Promise.all(admitted);
    assert.deepEqual(replies.map((r) => r.length), [400, 400, 10]);
    assert.equal(server.stats().requests, 0);
    assert.equal(server.stats().bufferedBytes, 0);
    // Room again.
    assert.equal((await b.request(new Uint8Array(700))).length, 700);
  });

  Deno.test(`${transport}: requestTimeout fails only the hung request`, async () => {
    await using server = await serve(transport, {
      requestTimeout: 100,
      handler: (r) => r[0] === 0 ? new Promise(() => {}) : r,
    });
    await using channel = await connect(clientOptions(server));
    const hung = channel.request(Uint8Array.of(0));
    assert.deepEqual(await channel.request(Uint8Array.of(1)), Uint8Array.of(1));
    await assert.rejects(
      hung,
      (e: Error) =>
        e instanceof TimeoutError &&
        /requestTimeout \(100 ms\)/.test(e.message),
    );
    assert.equal(server.stats().timedOut, 1);
    assert.equal(server.stats().requests, 0);
    assert.deepEqual(await channel.request(Uint8Array.of(2)), Uint8Array.of(2));
  });

  Deno.test(`${transport}: idleTimeout closes a quiet connection, not a busy one`, async () => {
    await using server = await serve(transport, {
      idleTimeout: 150,
      handler: async (r) => {
        await new Promise((resolve) => setTimeout(resolve, r[0]!));
        return r;
      },
    });
    await using channel = await connect(clientOptions(server));
    // A request longer than the idle timeout is answered.
    assert.deepEqual(
      await channel.request(Uint8Array.of(250)),
      Uint8Array.of(250),
    );
    await until(() => server.stats().connections === 0, 2_000);
    await assert.rejects(channel.request(Uint8Array.of(1)), ClosedError);
  });
}

/** A request frame of `size` bytes for the echo handler. */
const big = (id: number, size: number) =>
  encodeFrame(KIND_REQUEST, 0, 0, id, new Uint8Array(size), false)[0]!;

Deno.test("quic: a client that never reads its replies is closed, and its bytes freed", async () => {
  await using server = await serve("quic", {
    maxBufferedBytesPerConnection: 2 << 20,
  });
  const conn = await rawQuic(server);
  try {
    const stream = await conn.createBidirectionalStream();
    const writer = stream.writable.getWriter();
    for (let i = 1; i <= 60; i++) {
      writer.write(big(i, 256 << 10)).catch(() => {});
    }
    const info = await conn.closed;
    assert.equal(info.closeCode, 2);
    assert.match(info.reason, /does not read its replies/);
  } finally {
    conn.endpoint.close();
  }
  await until(() =>
    server.stats().connections === 0 && server.stats().bufferedBytes === 0
  );
});

Deno.test("websocket: a client that never reads its replies is closed", async () => {
  await using server = await serve("websocket", {
    cert: undefined,
    key: undefined,
    maxBufferedBytesPerConnection: 2 << 20,
  } as Partial<ListenOptions>);
  // A WebSocket client by hand over TCP, which never reads.
  const conn = await Deno.connect({
    hostname: "127.0.0.1",
    port: server.addr.port,
  });
  try {
    await conn.write(new TextEncoder().encode(
      "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n" +
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
        "Sec-WebSocket-Version: 13\r\n\r\n",
    ));
    await until(() => server.stats().connections === 1);
    const payload = big(0, 256 << 10);
    // A masked binary message (mask 0: the payload as is).
    const header = new Uint8Array(14);
    header[0] = 0x82;
    header[1] = 0x80 | 127;
    new DataView(header.buffer).setBigUint64(2, BigInt(payload.length));
    // Requests until the server closes the connection (Deno itself resets
    // a WebSocket client that reads nothing, at about 8 MiB here; the
    // kit closes it sooner, at its backlog limit: see the test below).
    for (let i = 1; i <= 200 && server.stats().connections > 0; i++) {
      new DataView(payload.buffer).setUint32(12, i);
      const ok = await conn.write(header).then(() => conn.write(payload))
        .then(() => true, () => false);
      if (!ok) break;
    }
    await until(() => server.stats().connections === 0, 5_000);
    await until(() => server.stats().bufferedBytes === 0);
  } finally {
    conn.close();
  }
});

Deno.test("a connection whose replies back up past its byte limit is closed with the reason", () => {
  const closed: [string, string, Uint8Array | null][] = [];
  const state = new ServerState({
    limits: { ...DEFAULT_SERVER_LIMITS, maxBufferedBytesPerConnection: 100 },
    token: undefined,
  } as never);
  const guard = new GuardedConnection(state, (kind, reason, frame) => {
    closed.push([kind, reason, frame]);
  });
  try {
    guard.queued(60);
    guard.queued(40);
    assert.equal(state.bufferedBytes, 100);
    assert.deepEqual(closed, []);
    guard.queued(1);
    assert.equal(closed.length, 1);
    assert.equal(closed[0]![0], "busy");
    assert.match(closed[0]![1], /does not read its replies: 101 bytes wait/);
    assert.equal(closed[0]![2]![5], ERROR_BUSY);
    // Writes that end after the close still give their bytes back.
    guard.queued(-101);
    assert.equal(state.bufferedBytes, 0);
    assert.equal(state.connections, 0);
  } finally {
    guard.dispose();
  }
});
