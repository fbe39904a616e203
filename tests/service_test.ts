// Copyright 2026 the @midstreamer/kit authors. MIT license.

import assert from "node:assert/strict";
import { dtw, dtwBatch, lcs, topK } from "@midstreamer/kit";
import { type AsyncKernels, ClosedError, WorkerPool } from "@midstreamer/kit";
import {
  connectMatcher,
  type ConnectMatcherOptions,
  connectService,
  type ConnectServiceOptions,
  encodeRequest,
  type MatcherClient,
  type MatcherServer,
  serveMatcher,
  type ServeMatcherOptions,
  serveService,
  type ServeServiceOptions,
  type ServiceClient,
  type ServiceServer,
} from "../service/mod.ts";
import {
  connect,
  MessageTooLargeError,
  RemoteError,
} from "../transport/mod.ts";
import { randInt, randomWalk, randomWalks, rng } from "../testing/rng.ts";
import { generateTls } from "../testing/tls.ts";

const tls = await generateTls();

type Setup = {
  name: string;
  serve: ServeServiceOptions;
  connect: (port: number) => ConnectServiceOptions;
};

const SETUPS: Setup[] = [
  {
    name: "quic",
    serve: { transport: "quic", cert: tls.cert, key: tls.key },
    connect: (port) => ({
      transport: "quic",
      port,
      caCerts: [tls.caCert],
      serverName: "localhost",
      timeout: 20_000,
    }),
  },
  {
    name: "websocket (npm:ws)",
    serve: { transport: "websocket" },
    connect: (port) => ({ transport: "websocket", port, timeout: 20_000 }),
  },
  {
    name: "websocket (deno, wss)",
    serve: { transport: "websocket", cert: tls.cert, key: tls.key },
    connect: (port) => ({
      transport: "websocket",
      hostname: "localhost",
      port,
      caCerts: [tls.caCert],
      client: "deno",
      timeout: 20_000,
    }),
  },
];

async function open(
  setup: Setup,
  extra: Partial<ServeServiceOptions> = {},
): Promise<{ server: ServiceServer; client: ServiceClient }> {
  const server = await serveService({ ...setup.serve, ...extra, port: 0 });
  try {
    const client = await connectService(setup.connect(server.addr.port));
    return { server, client };
  } catch (error) {
    await server.close();
    throw error;
  }
}

/** Raw requests: server-side failures reject with RemoteError naming the class. */
function remote(pattern: RegExp): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof RemoteError, String(error));
    assert.match(error.message, pattern);
    return true;
  };
}

/** Through the client: the server's error, rebuilt as its own class. */
function rebuilt(
  Class: new (...args: never[]) => Error,
  pattern: RegExp,
): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof Class, String(error));
    assert.ok(!(error instanceof RemoteError));
    assert.match(error.message, pattern);
    assert.ok(error.cause instanceof RemoteError);
    return true;
  };
}

for (const setup of SETUPS) {
  Deno.test(`service ${setup.name}: answers equal the local kernels`, async () => {
    const { server, client } = await open(setup);
    try {
      const random = rng(7);
      for (let round = 0; round < 6; round++) {
        const window = [undefined, 0, 4, 20][round % 4];
        const cost = round % 2 === 0 ? "absolute" as const : "squared" as const;
        const reference = randomWalk(randInt(random, 0, 80), random);
        const patterns = randomWalks(randInt(random, 0, 30), random, 0, 60);
        const options = { window, cost };
        // Many calls in flight at once.
        const [d, batch, best, bestCut] = await Promise.all([
          client.dtw(reference, patterns[0] ?? [], options),
          client.dtwBatch(reference, patterns, options),
          client.topK(reference, patterns, { ...options, k: 3 }),
          client.topK(reference, patterns, { ...options, k: 2, cutoff: 5 }),
        ]);
        assert.equal(d, dtw(reference, patterns[0] ?? [], options));
        assert.deepEqual(batch, dtwBatch(reference, patterns, options));
        assert.deepEqual(best, topK(reference, patterns, { ...options, k: 3 }));
        assert.deepEqual(
          bestCut,
          topK(reference, patterns, { ...options, k: 2, cutoff: 5 }),
        );
      }
      assert.equal(await client.dtw([1], []), Infinity);
      assert.equal(await client.dtw([], []), 0);
      assert.equal(
        await client.dtw([0, 0, 0], [5, 5, 5], { cutoff: 1 }),
        Infinity,
      );
      const pairs: [Parameters<typeof lcs>[0], Parameters<typeof lcs>[1]][] = [
        ["AGGTAB", "GXTXAYB"],
        ["😀a😀b", "a😀😀"],
        ["\ud800x", "x\ud800"], // lone surrogates: interned, not UTF-8
        [["BUY", "HOLD", "SELL"], ["BUY", "SELL", "BUY"]],
        [[1, "1", NaN, 0], ["1", 1, NaN, -0]],
        [Int32Array.of(3, 1, 2, 7), [1, 2, 3, 7]],
        [Float64Array.of(0.5, 1.5), "ab"],
        ["", "abc"],
      ];
      for (const [a, b] of pairs) {
        assert.equal(await client.lcs(a, b), lcs(a, b), `${a} / ${b}`);
      }
    } finally {
      await client.close();
      await server.close();
    }
  });
}

Deno.test("service: bad arguments fail locally with the kernel's errors", async () => {
  const { server, client } = await open(SETUPS[1]);
  try {
    await assert.rejects(
      client.dtw([1, NaN], [1]),
      (e: unknown) => e instanceof TypeError && /a\[1\] is NaN/.test(e.message),
    );
    await assert.rejects(
      client.dtwBatch([1], [[1], [2, "x" as never]]),
      (e: unknown) =>
        e instanceof TypeError && /patterns\[1\]\[1\]/.test(e.message),
    );
    await assert.rejects(client.topK([1], [[1]], { k: 0 }), RangeError);
    await assert.rejects(client.topK([1], [[1]], 0), RangeError);
    await assert.rejects(
      client.searchSubsequence([1, 2], [1], {} as never),
      /window is required/,
    );
    await assert.rejects(client.dtw([1], [1], { window: -2 }), RangeError);
    await assert.rejects(
      client.dtw([1], [1], { stats: {} } as never),
      /unknown option "stats"/,
    );
    await assert.rejects(client.lcs(3 as never, "a"), TypeError);
    assert.equal(await client.dtw([1, 2], [1, 2]), 0); // still fine
  } finally {
    await client.close();
    await server.close();
  }
});

/** Garbage and crafted requests sent through a raw transport channel. */
function badRequests(): [string, Uint8Array, RegExp][] {
  const good = encodeRequest({ op: "dtw", a: [1, 2, 3], b: [2, 3] });
  const view = (bytes: Uint8Array) => new DataView(bytes.buffer);
  const patch = (f: (v: DataView, b: Uint8Array) => void): Uint8Array => {
    const bytes = good.slice();
    f(view(bytes), bytes);
    return bytes;
  };
  return [
    ["empty", new Uint8Array(0), /TypeError: malformed request: 0 bytes/],
    ["garbage", Uint8Array.of(7, 7, 7), /malformed request: 3 bytes/],
    ["unknown op", patch((v) => v.setUint8(0, 99)), /unknown op code 99/],
    ["version", patch((v) => v.setUint8(1, 9)), /protocol version 9/],
    ["version 1", patch((v) => v.setUint8(1, 1)), /protocol version 1 /],
    ["cost", patch((v) => v.setUint8(2, 5)), /unknown cost code 5/],
    ["window", patch((v) => v.setInt32(4, -7, true)), /window -7/],
    ["truncated", good.subarray(0, good.length - 3), /describes 72 bytes/],
    ["trailing", Uint8Array.of(...good, 0), /describes 72 bytes/],
    [
      "huge n",
      patch((v) => v.setUint32(24, 0xffff_ffff, true)),
      /RangeError: dtw: a has 4294967295 points/,
    ],
    [
      "NaN value",
      patch((v) => v.setFloat64(32 + 8, NaN, true)),
      /TypeError: dtw: a\[1\] is NaN/,
    ],
    [
      "huge count",
      (() => {
        const b = encodeRequest({
          op: "dtwBatch",
          reference: [1],
          patterns: [[1]],
        });
        view(b).setUint32(12, 0x7fff_ffff, true);
        return b;
      })(),
      /RangeError: dtwBatch: 2147483647 patterns exceed/,
    ],
    [
      "count beyond data",
      (() => {
        const b = encodeRequest({
          op: "dtwBatch",
          reference: [1],
          patterns: [[1]],
        });
        view(b).setUint32(12, 15, true);
        return b;
      })(),
      /15 lengths do not fit/,
    ],
    [
      "bad utf-8",
      (() => {
        const b = encodeRequest({ op: "lcs", a: "ab", b: "c" });
        b[32] = 0xff;
        return b;
      })(),
      /not valid UTF-8/,
    ],
  ];
}

for (const setup of SETUPS.slice(0, 2)) {
  Deno.test(`service ${setup.name}: survives malformed and oversize requests`, async () => {
    const server = await serveService({
      ...setup.serve,
      port: 0,
      maxSeriesLength: 1000,
      maxBatchLength: 20,
      maxRequestBytes: 64 * 1024,
    });
    const { client: _, ...raw } = setup.connect(server.addr.port);
    const channel = await connect(raw);
    const client = await connectService(setup.connect(server.addr.port));
    try {
      for (const [name, bytes, pattern] of badRequests()) {
        await assert.rejects(channel.request(bytes), remote(pattern), name);
      }
      // Over the limits, through the client: the server's class.
      await assert.rejects(
        client.dtw(new Float64Array(1001), [1]),
        rebuilt(
          RangeError,
          /^dtw: a has 1001 points; the server's limit is 1000 \(maxSeriesLength\)$/,
        ),
      );
      await assert.rejects(
        client.dtwBatch([1], Array.from({ length: 21 }, () => [1])),
        rebuilt(
          RangeError,
          /^dtwBatch: 21 patterns exceed the server's limit of 20/,
        ),
      );
      await assert.rejects(
        client.correlationMatrix(Array.from({ length: 21 }, () => "a")),
        rebuilt(RangeError, /21 sequences exceed the server's limit of 20/),
      );
      await assert.rejects(
        client.lcs("x".repeat(1001), "y"),
        rebuilt(RangeError, /a has 1001 points/),
      );
      await assert.rejects(
        client.searchSubsequence(new Float64Array(1001), [1], { window: 1 }),
        rebuilt(RangeError, /series has 1001 points/),
      );
      // Over the byte limit: the transport refuses it.
      await assert.rejects(
        client.dtwBatch(
          [1],
          Array.from({ length: 10 }, () => new Float64Array(900)),
        ),
        MessageTooLargeError,
      );
      // The connections still work.
      assert.equal(await client.dtw([1, 2, 3], [1, 3]), dtw([1, 2, 3], [1, 3]));
      const reply = await channel.request(
        encodeRequest({ op: "dtw", a: [0, 0], b: [1] }),
      );
      assert.equal(
        new DataView(reply.buffer, reply.byteOffset).getFloat64(0, true),
        2,
      );
    } finally {
      await client.close();
      await channel.close();
      await server.close();
    }
  });
}

Deno.test("service: bad serve options", async () => {
  await assert.rejects(
    serveService({ transport: "websocket", maxSeriesLength: 0 }),
    RangeError,
  );
  await assert.rejects(
    serveService({ transport: "websocket", workers: {} as never }),
    TypeError,
  );
  await assert.rejects(serveService({ transport: "quic" }), /cert/);
});

Deno.test("service: close finishes in-flight requests, then refuses", async () => {
  const { server, client } = await open(SETUPS[1]);
  try {
    const a = randomWalk(3000, rng(3));
    const b = randomWalk(3000, rng(4));
    const pending = client.dtw(a, b);
    // Wait until the server has the request in hand.
    for (let i = 0; i < 200 && server.inFlight === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const closed = server.close();
    assert.equal(await pending, dtw(a, b));
    await closed;
    await assert.rejects(client.dtw([1], [1]), ClosedError);
  } finally {
    await client.close();
    await server.close();
  }
});

/** Reads lines of a stream until `until` matches one; returns them all. */
async function readLines(
  reader: ReadableStreamDefaultReader<string>,
  until: RegExp,
  lines: string[],
): Promise<void> {
  let buffer = "";
  for (let i = 0; i < 100; i++) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    const parts = buffer.split("\n");
    buffer = parts.pop()!;
    lines.push(...parts);
    if (parts.some((line) => until.test(line))) return;
  }
}

Deno.test("service main: SIGTERM finishes the in-flight request and exits 0", async () => {
  const dir = await Deno.makeTempDir({ prefix: "midstreamer-service-test-" });
  try {
    await Deno.writeTextFile(`${dir}/cert.pem`, tls.cert);
    await Deno.writeTextFile(`${dir}/key.pem`, tls.key);
    const main = new URL("../service/main.ts", import.meta.url).pathname;
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        main,
        "--ws-port",
        "0",
        "--quic-port",
        "0",
        "--cert",
        `${dir}/cert.pem`,
        "--key",
        `${dir}/key.pem`,
      ],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream())
      .getReader();
    const lines: string[] = [];
    let output: Deno.CommandStatus | undefined;
    try {
      await readLines(reader, /^listening quic/, lines);
      const ws = lines.join("\n").match(
        /listening websocket wss:\/\/[\d.]+:(\d+)/,
      );
      const quic = lines.join("\n").match(/listening quic [\d.]+:(\d+)/);
      assert.ok(ws && quic, lines.join("\n"));
      await using client = await connectService({
        transport: "quic",
        port: Number(quic[1]),
        caCerts: [tls.caCert],
        serverName: "localhost",
      });
      await using wsClient = await connectService({
        transport: "websocket",
        port: Number(ws[1]),
        caCerts: [tls.caCert],
        serverName: "localhost",
      });
      assert.equal(await wsClient.dtw([1, 2], [2]), 1);
      // A slow-ish request (9e8 cells: about 0.3 s to 1 s), then SIGTERM
      // while the server computes it.
      const a = randomWalk(30_000, rng(1));
      const b = randomWalk(30_000, rng(2));
      const pending = client.dtw(a, b);
      await new Promise((resolve) => setTimeout(resolve, 150));
      child.kill("SIGTERM");
      assert.equal(await pending, dtw(a, b));
      await readLines(reader, /^stopped/, lines);
      output = await child.status;
    } finally {
      if (output === undefined) {
        try {
          child.kill("SIGKILL");
        } catch { /* already gone */ }
        await child.status;
      }
      await reader.cancel();
      await child.stderr.cancel();
    }
    assert.equal(output.code, 0, lines.join("\n"));
    assert.ok(
      lines.some((line) => /^SIGTERM: shutting down/.test(line)),
      lines.join("\n"),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("service: computes on an owned WorkerPool", async () => {
  const { server, client } = await open(SETUPS[1], { workers: 1 });
  try {
    const random = rng(41);
    const reference = randomWalk(60, random);
    const patterns = randomWalks(40, random, 50);
    const [d, batch, best] = await Promise.all([
      client.dtw(reference, patterns[0], { window: 5 }),
      client.dtwBatch(reference, patterns),
      client.topK(reference, patterns, { k: 4, cost: "squared" }),
    ]);
    assert.equal(d, dtw(reference, patterns[0], { window: 5 }));
    assert.deepEqual(batch, dtwBatch(reference, patterns));
    assert.deepEqual(
      best,
      topK(reference, patterns, { k: 4, cost: "squared" }),
    );
  } finally {
    await client.close();
    await server.close();
  }
});

Deno.test("service: the deprecated names keep working", async () => {
  const serve: ServeMatcherOptions = { transport: "websocket" };
  await using server: MatcherServer = await serveMatcher(serve);
  const options: ConnectMatcherOptions = {
    transport: "websocket",
    port: server.addr.port,
  };
  await using client: MatcherClient = await connectMatcher(options);
  assert.equal(await client.dtw([1, 2, 3], [1, 3]), dtw([1, 2, 3], [1, 3]));
  const patterns = [[1, 2], [0, 1, 2], [3]];
  assert.deepEqual(
    await client.topK([0, 1, 2], patterns, 2),
    topK([0, 1, 2], patterns, { k: 2 }),
  );
});

Deno.test("service: a handler's unexpected error stays RemoteError", async () => {
  // A shared "pool" whose dtw fails with a plain Error: not one of the
  // kit's classes, so the client gives the transport's RemoteError.
  const pool = new WorkerPool({ workers: 1 });
  const broken: AsyncKernels = {
    dtw: () => Promise.reject(new Error("disk on fire")),
    dtwBatch: (r, p, o) => pool.dtwBatch(r, p, o),
    topK: (r, p, o) => pool.topK(r, p, o),
    searchSubsequence: (x, q, o) => pool.searchSubsequence(x, q, o),
    dtwPath: (a, b, o) => pool.dtwPath(a, b, o),
    lcs: (a, b, o) => pool.lcs(a, b, o),
    correlationMatrix: (s, o) => pool.correlationMatrix(s, o),
    close: () => pool.close(),
    [Symbol.asyncDispose]: () => pool.close(),
  };
  try {
    const { server, client } = await open(SETUPS[1], { workers: broken });
    try {
      await assert.rejects(
        client.dtw([1], [1]),
        remote(/^Error: disk on fire$/),
      );
      assert.equal(await client.lcs("ab", "b"), 1);
    } finally {
      await client.close();
      await server.close();
    }
  } finally {
    await pool.close();
  }
});

Deno.test("service: a closed client rejects with ClosedError", async () => {
  const { server, client } = await open(SETUPS[1]);
  try {
    const pending = client.dtw(
      randomWalk(3000, rng(5)),
      randomWalk(3000, rng(6)),
    );
    const rejected = assert.rejects(pending, ClosedError);
    await client.close();
    await rejected;
    await assert.rejects(client.dtw([1], [1]), ClosedError);
  } finally {
    await server.close();
  }
});
