// Copyright 2026 the @midstreamer/kit authors. MIT license.
// Behaviour of listen/connect, for every transport and WebSocket client.

import assert from "node:assert/strict";
import {
  type Channel,
  ClosedError,
  connect,
  type ConnectOptions,
  type Handler,
  listen,
  type ListenOptions,
  MessageTooLargeError,
  RemoteError,
  type Server,
  TimeoutError,
} from "../transport/mod.ts";
import { generateTls } from "../testing/tls.ts";

const tls = await generateTls();

interface Setup {
  name: string;
  listen: Omit<ListenOptions, "handler">;
  connect: Omit<ConnectOptions, "port">;
}

const SETUPS: Setup[] = [
  {
    name: "quic",
    listen: { transport: "quic", cert: tls.cert, key: tls.key },
    connect: {
      transport: "quic",
      caCerts: [tls.caCert],
      serverName: "localhost",
    },
  },
  {
    name: "websocket/deno",
    listen: { transport: "websocket" },
    connect: { transport: "websocket", client: "deno" },
  },
  {
    name: "websocket/ws",
    listen: { transport: "websocket" },
    connect: { transport: "websocket", client: "ws" },
  },
  {
    name: "wss/deno",
    listen: { transport: "websocket", cert: tls.cert, key: tls.key },
    connect: {
      transport: "websocket",
      client: "deno",
      hostname: "localhost",
      caCerts: [tls.caCert],
    },
  },
  {
    name: "wss/ws",
    listen: { transport: "websocket", cert: tls.cert, key: tls.key },
    connect: {
      transport: "websocket",
      client: "ws",
      caCerts: [tls.caCert],
      serverName: "localhost",
    },
  },
];

async function pair(
  setup: Setup,
  handler: Handler,
  extra: {
    listen?: Partial<ListenOptions>;
    connect?: Partial<ConnectOptions>;
  } = {},
): Promise<{ server: Server; channel: Channel } & AsyncDisposable> {
  const server = await listen({
    ...setup.listen,
    hostname: "127.0.0.1",
    port: 0,
    handler,
    ...extra.listen,
  });
  let channel: Channel;
  try {
    channel = await connect({
      timeout: 10_000,
      ...setup.connect,
      hostname: "127.0.0.1",
      ...setup.connect,
      port: server.addr.port,
      ...extra.connect,
    } as ConnectOptions);
  } catch (error) {
    await server.close();
    throw error;
  }
  return {
    server,
    channel,
    async [Symbol.asyncDispose]() {
      await channel.close();
      await server.close();
    },
  };
}

function pattern(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + seed) & 0xff;
  return bytes;
}

const reverse: Handler = (request) => request.toReversed();

for (const setup of SETUPS) {
  Deno.test(`${setup.name}: round trips of 0 B, 1 B and 1 MiB`, async () => {
    await using p = await pair(setup, reverse);
    for (const length of [0, 1, 1024 * 1024]) {
      const request = pattern(length, length);
      const reply = await p.channel.request(request);
      assert.equal(reply.length, length);
      assert.deepEqual(reply, request.toReversed());
    }
  });

  Deno.test(`${setup.name}: maxMessageBytes + 1 is rejected`, async () => {
    await using p = await pair(setup, reverse, {
      listen: { maxMessageBytes: 1000 },
    });
    // Local limit (default 16 MiB): rejected before sending.
    await assert.rejects(
      p.channel.request(new Uint8Array(16 * 1024 * 1024 + 1)),
      MessageTooLargeError,
    );
    // Server limit (1000 B): rejected by the server, channel stays usable.
    await assert.rejects(
      p.channel.request(new Uint8Array(1001)),
      (error: unknown) =>
        error instanceof MessageTooLargeError &&
        /1001 bytes exceeds the server's maxMessageBytes \(1000\)/.test(
          error.message,
        ),
    );
    assert.deepEqual(
      await p.channel.request(new Uint8Array([1, 2])),
      new Uint8Array([2, 1]),
    );
    assert.equal((await p.channel.request(new Uint8Array(1000))).length, 1000);
  });

  Deno.test(`${setup.name}: a reply over the client's limit`, async () => {
    await using p = await pair(
      setup,
      (request) => new Uint8Array(request[0]!),
      { connect: { maxMessageBytes: 100 } },
    );
    await assert.rejects(
      p.channel.request(new Uint8Array([200])),
      MessageTooLargeError,
    );
    assert.equal((await p.channel.request(new Uint8Array([100]))).length, 100);
  });

  Deno.test(`${setup.name}: 200 concurrent requests`, async () => {
    const timers = new Set<ReturnType<typeof setTimeout>>();
    await using p = await pair(setup, async (request) => {
      const id = new DataView(request.buffer, request.byteOffset).getUint32(0);
      // Reply out of order.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve();
        }, (id * 7) % 5);
        timers.add(timer);
      });
      return pattern(id % 300, id);
    });
    const requests = Array.from({ length: 200 }, (_, id) => {
      const request = new Uint8Array(4 + (id % 50));
      new DataView(request.buffer).setUint32(0, id);
      return p.channel.request(request);
    });
    const replies = await Promise.all(requests);
    replies.forEach((reply, id) =>
      assert.deepEqual(reply, pattern(id % 300, id))
    );
    assert.equal(timers.size, 0);
  });

  Deno.test(`${setup.name}: 100 streams at once`, async () => {
    await using p = await pair(setup, reverse);
    const streams = await Promise.all(
      Array.from({ length: 100 }, () => p.channel.openStream()),
    );
    assert.equal(new Set(streams.map((stream) => stream.id)).size, 100);
    try {
      await Promise.all(streams.map(async (stream, s) => {
        const replies = await Promise.all(
          [0, 1, 2].map((k) => stream.request(pattern(10 + k, s * 3 + k))),
        );
        replies.forEach((reply, k) =>
          assert.deepEqual(reply, pattern(10 + k, s * 3 + k).toReversed())
        );
        // Sequential use of the same stream.
        const again = await stream.request(pattern(5, s));
        assert.deepEqual(again, pattern(5, s).toReversed());
      }));
      // The channel's own request still works alongside the streams.
      assert.deepEqual(
        await p.channel.request(new Uint8Array([7, 8])),
        new Uint8Array([8, 7]),
      );
    } finally {
      await Promise.all(streams.map((stream) => stream.close()));
    }
  });

  Deno.test(`${setup.name}: a closed stream rejects its requests`, async () => {
    const gate = Promise.withResolvers<void>();
    await using p = await pair(setup, async (request) => {
      if (request[0] === 1) await gate.promise;
      return request;
    });
    const stream = await p.channel.openStream();
    const pending = assert.rejects(
      stream.request(new Uint8Array([1])),
      ClosedError,
    );
    await stream.close();
    await pending;
    await assert.rejects(
      stream.request(new Uint8Array([2])),
      ClosedError,
    );
    gate.resolve();
    // Other requests on the channel are unaffected.
    assert.deepEqual(
      await p.channel.request(new Uint8Array([3])),
      new Uint8Array([3]),
    );
  });

  Deno.test(`${setup.name}: a handler that throws`, async () => {
    await using p = await pair(setup, (request) => {
      if (request[0] === 1) throw new Error("boom: bad input");
      if (request[0] === 2) return Promise.reject(new Error("async boom"));
      if (request[0] === 3) return "not bytes" as never;
      return request;
    });
    await assert.rejects(
      p.channel.request(new Uint8Array([1])),
      (error: unknown) =>
        error instanceof RemoteError && error.message === "boom: bad input",
    );
    await assert.rejects(
      p.channel.request(new Uint8Array([2])),
      (error: unknown) =>
        error instanceof RemoteError && error.message === "async boom",
    );
    await assert.rejects(
      p.channel.request(new Uint8Array([3])),
      (error: unknown) =>
        error instanceof RemoteError && /instead of a Uint8Array/.test(
          error.message,
        ),
    );
    // The server keeps serving.
    assert.deepEqual(
      await p.channel.request(new Uint8Array([4])),
      new Uint8Array([4]),
    );
  });

  Deno.test(`${setup.name}: the peer closing mid-request`, async () => {
    const started = Promise.withResolvers<void>();
    const gate = Promise.withResolvers<Uint8Array>();
    await using p = await pair(setup, () => {
      started.resolve();
      return gate.promise;
    });
    const pending = assert.rejects(
      p.channel.request(new Uint8Array([1])),
      ClosedError,
    );
    const stream = await p.channel.openStream();
    const pendingOnStream = assert.rejects(
      stream.request(new Uint8Array([2])),
      ClosedError,
    );
    await started.promise;
    await p.server.close();
    await pending;
    await pendingOnStream;
    await assert.rejects(
      p.channel.request(new Uint8Array([3])),
      ClosedError,
    );
    gate.resolve(new Uint8Array([9]));
    await stream.close();
  });

  Deno.test(`${setup.name}: a timeout`, async () => {
    const gate = Promise.withResolvers<void>();
    await using p = await pair(setup, async (request) => {
      if (request[0] === 1) await gate.promise;
      return request;
    }, { connect: { timeout: 150 } });
    const started = performance.now();
    await assert.rejects(
      p.channel.request(new Uint8Array([1])),
      (error: unknown) =>
        error instanceof TimeoutError && /150 ms/.test(error.message),
    );
    assert.ok(performance.now() - started >= 140);
    gate.resolve(); // the late reply is dropped
    assert.deepEqual(
      await p.channel.request(new Uint8Array([2])),
      new Uint8Array([2]),
    );
  });

  Deno.test(`${setup.name}: requests after close reject`, async () => {
    const p = await pair(setup, reverse);
    await p.channel.close();
    await p.channel.close(); // idempotent
    await assert.rejects(
      p.channel.request(new Uint8Array([1])),
      ClosedError,
    );
    await assert.rejects(p.channel.openStream(), ClosedError);
    await p.server.close();
    await p.server.close();
  });
}

Deno.test("connect times out when nothing answers", async () => {
  // A TCP listener that never completes the WebSocket handshake.
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) accepted.push(conn);
  })();
  await assert.rejects(
    connect({
      transport: "websocket",
      hostname: "127.0.0.1",
      port: listener.addr.port,
      timeout: 100,
    }),
    TimeoutError,
  );
  listener.close();
  await accepting.catch(() => {});
  for (const conn of accepted) conn.close();
});

Deno.test("quic: connect times out when nothing answers", async () => {
  // A bound UDP port that never answers.
  const socket = Deno.listenDatagram({
    hostname: "127.0.0.1",
    port: 0,
    transport: "udp",
  });
  await assert.rejects(
    connect({
      transport: "quic",
      hostname: "127.0.0.1",
      port: (socket.addr as Deno.NetAddr).port,
      caCerts: [tls.caCert],
      serverName: "localhost",
      timeout: 100,
    }),
    TimeoutError,
  );
  socket.close();
});

Deno.test("ConnectionClosedError is a deprecated alias of ClosedError", async () => {
  const { ClosedError: RootClosedError } = await import("@midstreamer/kit");
  const { ConnectionClosedError } = await import("../transport/mod.ts");
  assert.equal(ConnectionClosedError, ClosedError);
  assert.equal(RootClosedError, ClosedError);
  const error = new ConnectionClosedError("closed by peer");
  assert.ok(error instanceof ClosedError);
  assert.ok(new ClosedError("x") instanceof ConnectionClosedError);
  assert.equal(error.name, "ClosedError");
  // What the transport throws is caught by old code under the old name.
  await using server = await listen({
    transport: "websocket",
    handler: (r) => r,
  });
  const channel = await connect({
    transport: "websocket",
    port: server.addr.port,
  });
  await channel.close();
  await assert.rejects(
    channel.request(new Uint8Array(1)),
    ConnectionClosedError,
  );
});
