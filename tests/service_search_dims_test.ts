// Copyright 2026 the @midstreamer/kit authors. MIT license.
// The service's multivariate searchSubsequence (the equality with the
// synchronous function on every transport is in async_kernels_test.ts):
// bad input refused on the client before anything is sent, malformed wire
// requests refused by the server with the protocol's error, and the
// limits counting a search of d values per point as d times the cells.

import assert from "node:assert/strict";
import { searchSubsequence, type Series } from "@midstreamer/kit";
import {
  checkRequest,
  connectService,
  decodeRequest,
  encodeReply,
  encodeRequest,
  requestCells,
  serveService,
} from "../service/mod.ts";
import {
  connect,
  listen,
  MessageTooLargeError,
  RemoteError,
} from "../transport/mod.ts";
import { randomWalk, rng } from "../testing/rng.ts";
import { generateTls } from "../testing/tls.ts";

/** `n` points of `dims` values: independent random walks, as points. */
function points(random: () => number, n: number, dims: number): number[][] {
  const walks = Array.from({ length: dims }, () => randomWalk(n, random));
  return Array.from({ length: n }, (_, i) => walks.map((w) => w[i]));
}

Deno.test("service: a bad multivariate search is refused on the client, naming what is wrong, and nothing is sent", async () => {
  // A real transport server that records what arrives and answers a
  // search as the service would.
  const received: Uint8Array[] = [];
  await using server = await listen({
    transport: "websocket",
    port: 0,
    handler: (bytes) => {
      received.push(bytes.slice());
      const request = decodeRequest(bytes);
      assert.equal(request.op, "searchSubsequence");
      if (request.op !== "searchSubsequence") throw new Error("not a search");
      const stats = {} as Parameters<
        typeof encodeReply<"searchSubsequence">
      >[1]["stats"];
      const matches = searchSubsequence(request.series, request.query, {
        ...request.options,
        stats,
      });
      return encodeReply("searchSubsequence", { matches, stats });
    },
  });
  await using client = await connectService({
    transport: "websocket",
    port: server.addr.port,
  });
  const ok = [[1, 2], [3, 5], [4, 1], [0, 2]];
  const cases: [string, Series, Series, unknown, RegExp][] = [
    ["mismatched d", ok, [[1, 2, 3]], RangeError, /dimension/],
    [
      "mismatched d, packed",
      { dims: 3, values: [1, 2, 3, 4, 5, 6] },
      { dims: 2, values: [1, 2] },
      RangeError,
      /dimension/,
    ],
    ["ragged", [[1, 2], [3, 4], [5]], [[1, 2]], RangeError, /series\[2\]/],
    ["ragged query", ok, [[1, 2], [3]], RangeError, /query\[1\]/],
    ["NaN", ok, [[1, 2], [3, NaN]], TypeError, /query\[1\]\[1\] is NaN/],
    [
      "Infinity",
      [[1, 2], [3, 4], [Infinity, 0]],
      [[1, 2]],
      TypeError,
      /series\[2\]\[0\] is Infinity/,
    ],
    [
      "dims not dividing",
      { dims: 2, values: [1, 2, 3] },
      [[1, 2]],
      RangeError,
      /dims/,
    ],
    ["d = 0", { dims: 0, values: [] }, [[1, 2]], RangeError, /dims/],
    ["one value against two", [1, 2, 3], [[1, 2]], RangeError, /dimension/],
  ];
  for (const [name, series, query, Class, message] of cases) {
    let local: unknown;
    try {
      searchSubsequence(series, query, { window: 1 });
    } catch (e) {
      local = e;
    }
    assert.ok(local instanceof Error, name);
    assert.ok(local instanceof (Class as typeof Error), `${name}: ${local}`);
    assert.match(local.message, message, name);
    await assert.rejects(
      client.searchSubsequence(series, query, { window: 1 }),
      (e: unknown) =>
        e instanceof (Class as typeof Error) &&
        (e as Error).message === (local as Error).message,
      name,
    );
  }
  await assert.rejects(
    client.searchSubsequence(ok, ok, {
      window: 1,
      multivariate: "both" as never,
    }),
    (e: unknown) => e instanceof TypeError && /multivariate/.test(String(e)),
  );
  await assert.rejects(
    client.searchSubsequence(ok, ok, {
      window: 1,
      precision: "f32",
    }),
    /precision "f32" is not carried by the service/,
  );
  assert.equal(received.length, 0, "nothing was sent");
  // A good call does reach the server (the recorder records).
  const [best] = await client.searchSubsequence(ok, ok.slice(1, 3), {
    window: 1,
    multivariate: "independent",
  });
  assert.equal(best.start, 1);
  assert.equal(received.length, 1);
  const view = new DataView(received[0].buffer);
  assert.equal(view.getUint32(32, true), 2); // dims
  assert.equal(view.getUint8(36), 0); // precision
  assert.equal(view.getUint8(37), 1); // independent
});

/** A search request of `d` values per point, to patch by hand. */
function searchBytes(dims: number, multivariate?: "independent"): Uint8Array {
  const random = rng(3);
  return encodeRequest({
    op: "searchSubsequence",
    series: { dims, values: randomWalk(20 * dims, random) },
    query: { dims, values: randomWalk(4 * dims, random) },
    window: 1,
    multivariate,
  });
}

const tls = await generateTls();

for (const transport of ["websocket", "quic"] as const) {
  Deno.test(`service ${transport}: malformed multivariate search requests get the protocol's error`, async () => {
    const tlsServe = transport === "quic"
      ? { cert: tls.cert, key: tls.key }
      : {};
    const tlsConnect = transport === "quic"
      ? { caCerts: [tls.caCert], serverName: "localhost" }
      : {};
    await using server = await serveService({
      transport,
      port: 0,
      ...tlsServe,
    });
    await using channel = await connect({
      transport,
      port: server.addr.port,
      ...tlsConnect,
    });
    const patched = (
      dims: number,
      f: (v: DataView) => void,
      multivariate?: "independent",
    ) => {
      const bytes = searchBytes(dims, multivariate);
      f(new DataView(bytes.buffer));
      return bytes;
    };
    const cases: [string, Uint8Array, RegExp][] = [
      [
        "dims not dividing the payload",
        patched(2, (v) => v.setUint32(32, 3, true)),
        // 3 × 8 × (20 + 4) values' bytes, after the header; 2 × 8 × 24 sent.
        /^TypeError: malformed request: the searchSubsequence header describes 616 bytes but the request has 424$/,
      ],
      [
        "dims 0",
        patched(2, (v) => v.setUint32(32, 0, true)),
        /^TypeError: malformed request: dims 0 on op searchSubsequence$/,
      ],
      [
        "multivariate flag with dims 1",
        patched(1, (v) => v.setUint8(37, 1)),
        /^TypeError: malformed request: multivariate set on op searchSubsequence with 1 dimensions$/,
      ],
      [
        "unknown multivariate code",
        patched(2, (v) => v.setUint8(37, 2)),
        /^TypeError: malformed request: unknown multivariate code 2$/,
      ],
      [
        "precision f32 on a search",
        patched(2, (v) => v.setUint8(36, 1), "independent"),
        /^TypeError: malformed request: precision set on op searchSubsequence$/,
      ],
      [
        "unknown precision code",
        patched(2, (v) => v.setUint8(36, 7)),
        /^TypeError: malformed request: unknown precision code 7$/,
      ],
      [
        "NaN in a dimension",
        patched(3, (v) => v.setFloat64(40 + 8 * (3 * 5 + 2), NaN, true)),
        /^TypeError: searchSubsequence: series\.values\[17\] \(point 5, dimension 2\) is NaN/,
      ],
    ];
    for (const [name, bytes, message] of cases) {
      await assert.rejects(channel.request(bytes), (e: unknown) => {
        assert.ok(e instanceof RemoteError, `${name}: ${e}`);
        assert.match(e.message, message, name);
        return true;
      });
    }
    // The connection still serves, a good request of each kind.
    for (const multivariate of [undefined, "independent"] as const) {
      const bytes = searchBytes(3, multivariate);
      const request = decodeRequest(bytes);
      assert.equal(request.op, "searchSubsequence");
      assert.equal(
        request.op === "searchSubsequence" && request.options.multivariate,
        multivariate ?? "dependent",
      );
      await channel.request(bytes);
    }
  });
}

Deno.test("service: a multivariate search counts d times the cells, and points against maxSeriesLength", async () => {
  const random = rng(11);
  const series = points(random, 1000, 3), query = series.slice(100, 150);
  // 951 windows of 50 × 11 cells, 3 values per point.
  const cells = 951 * 50 * 11;
  const decoded = decodeRequest(
    encodeRequest({ op: "searchSubsequence", series, query, window: 5 }),
  );
  assert.equal(requestCells(decoded), 3 * cells);
  checkRequest(decoded, { maxCells: 3 * cells });
  assert.throws(
    () => checkRequest(decoded, { maxCells: 3 * cells - 1 }),
    /needs up to 1569150 cells/,
  );
  // The univariate search of the same size fits a budget the multivariate
  // one does not; the server refuses the latter before computing.
  await using server = await serveService({
    transport: "websocket",
    port: 0,
    maxCells: 2 * cells,
    maxSeriesLength: 1000,
    maxRequestBytes: 64 * 1024,
  });
  await using client = await connectService({
    transport: "websocket",
    port: server.addr.port,
  });
  const first = series.map((p) => p[0]), q1 = query.map((p) => p[0]);
  const options = { window: 5 };
  assert.deepEqual(
    await client.searchSubsequence(first, q1, options),
    searchSubsequence(first, q1, options),
  );
  await assert.rejects(
    client.searchSubsequence(series, query, options),
    (e: unknown) =>
      e instanceof RangeError &&
      /^searchSubsequence: the request needs up to 1569150 cells of compute; the server's budget is 1046100 \(maxCells\)/
        .test(e.message),
  );
  const two = series.map((p) => p.slice(0, 2));
  assert.deepEqual(
    await client.searchSubsequence(
      two,
      query.map((p) => p.slice(0, 2)),
      options,
    ),
    searchSubsequence(two, query.map((p) => p.slice(0, 2)), options),
  );
  // maxSeriesLength counts points, whatever d.
  const long = [...two, [0, 0]];
  await assert.rejects(
    client.searchSubsequence(long, [[1, 2]], { window: 0 }),
    (e: unknown) =>
      e instanceof RangeError &&
      /^searchSubsequence: series has 1001 points; the server's limit is 1000 \(maxSeriesLength\)$/
        .test(e.message),
  );
  // Over the byte limit (1,000 points of 9 values are 72,000 bytes): the
  // transport refuses it, and the connection stays usable.
  const wide = { dims: 9, values: randomWalk(9000, random) };
  await assert.rejects(
    client.searchSubsequence(wide, {
      dims: 9,
      values: wide.values.slice(0, 18),
    }, {
      window: 0,
    }),
    MessageTooLargeError,
  );
  assert.equal(
    (await client.searchSubsequence(first, q1, options))[0].start,
    100,
  );
});
