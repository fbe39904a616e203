// Copyright 2026 the @midstreamer/kit authors. MIT license.
// The conformance test of AsyncKernels: the same cases against every
// implementation, with the synchronous functions as the reference. Adding
// an implementation (the cluster) is one entry in IMPLEMENTATIONS.

import assert from "node:assert/strict";
import {
  type AsyncKernels,
  ClosedError,
  correlationMatrix,
  dtw,
  dtwBatch,
  type DtwOptions,
  dtwPath,
  lcs,
  type Progress,
  type SearchOptions,
  type SearchStats,
  searchSubsequence,
  type Series,
  topK,
  type TopKStats,
  WorkerPool,
} from "@midstreamer/kit";
import { type Cluster, connectCluster } from "../cluster/mod.ts";
import { connectService, serveService } from "../service/mod.ts";
import { findRedisServer, NO_REDIS, startCluster } from "../testing/redis.ts";
import { randInt, randomWalk, randomWalks, rng } from "../testing/rng.ts";
import { generateTls } from "../testing/tls.ts";

const tls = await generateTls();

/** An implementation under test: opened per test, closed afterwards. */
interface Implementation {
  name: string;
  open(): Promise<{ kernels: AsyncKernels; close(): Promise<void> }>;
}

/** A service client over `transport`, with its server. */
function service(
  transport: "quic" | "websocket",
  workers: number,
): Implementation["open"] {
  return async () => {
    const server = await serveService(
      transport === "quic"
        ? { transport, cert: tls.cert, key: tls.key, workers }
        : { transport, workers },
    );
    const kernels = await connectService(
      transport === "quic"
        ? {
          transport,
          port: server.addr.port,
          caCerts: [tls.caCert],
          serverName: "localhost",
        }
        : { transport, port: server.addr.port },
    );
    return {
      kernels,
      close: async () => {
        await kernels.close();
        await server.close();
      },
    };
  };
}

const IMPLEMENTATIONS: Implementation[] = [
  {
    name: "WorkerPool(2)",
    open: () => {
      const kernels = new WorkerPool({ workers: 2 });
      return Promise.resolve({ kernels, close: () => kernels.close() });
    },
  },
  { name: "service client, QUIC", open: service("quic", 0) },
  { name: "service client, WebSocket", open: service("websocket", 0) },
  {
    name: "service client, WebSocket, on a server's pool",
    open: service("websocket", 2),
  },
];

// The cluster: a real redis-server and two real worker processes, started
// once for the file and stopped by its last test (or killed at exit).
const clusterFixture = findRedisServer() === undefined
  ? undefined
  : await startCluster(2);
if (clusterFixture === undefined) console.warn(NO_REDIS);

if (clusterFixture !== undefined) {
  const cluster = (
    options: Omit<Parameters<typeof connectCluster>[0], "redis"> = {},
  ): Implementation["open"] =>
  async () => {
    const kernels = await connectCluster({
      redis: clusterFixture.redis.url,
      ...options,
    });
    return { kernels, close: () => kernels.close() };
  };
  IMPLEMENTATIONS.push(
    {
      name: "Cluster, 2 worker processes",
      open: cluster(),
    },
    {
      // Limits that cut every call into many shards: topK and dtwBatch
      // parts, search ranges, correlation tiles across blocks.
      name: "Cluster, 2 worker processes, small shards",
      open: cluster({
        limits: { maxSeriesLength: 5000, maxBatchLength: 40 },
        shardMs: 0.05,
      }),
    },
  );
}

/** Each test runs `body` on every implementation. */
function conformance(
  name: string,
  body: (kernels: AsyncKernels) => Promise<void>,
  only: (implementation: Implementation) => boolean = () => true,
): void {
  for (const implementation of IMPLEMENTATIONS.filter(only)) {
    Deno.test(`${implementation.name}: ${name}`, async () => {
      const { kernels, close } = await implementation.open();
      try {
        await body(kernels);
      } finally {
        await close();
      }
    });
  }
}

/** The last `onProgress` call had done === total, and done never fell. */
function progress(): {
  onProgress: (p: Progress) => void;
  check(total: number): void;
} {
  const seen: Progress[] = [];
  return {
    onProgress: (p) => seen.push(p),
    check(total) {
      assert.ok(seen.length > 0, "onProgress was not called");
      for (let i = 1; i < seen.length; i++) {
        assert.ok(seen[i].done >= seen[i - 1].done);
      }
      assert.deepEqual(seen.at(-1), { done: total, total });
    },
  };
}

const DTW_OPTIONS = [
  undefined,
  { window: 0 },
  { window: 3 },
  { window: Infinity, cost: "squared" as const },
  { cutoff: 4 },
  { window: 2, cost: "squared" as const, cutoff: 10 },
];

conformance("dtw and dtwPath equal the synchronous functions", async (k) => {
  const random = rng(101);
  const pairs: [ArrayLike<number>, ArrayLike<number>][] = [
    [[], []],
    [[1], []],
    [[2], [5]],
    [[1, 2, 3], [1, 3]],
    [randomWalk(40, random), randomWalk(9, random)], // band < |n - m|
  ];
  for (let i = 0; i < 6; i++) {
    pairs.push([
      randomWalk(randInt(random, 1, 90), random),
      randomWalk(randInt(random, 1, 90), random),
    ]);
  }
  for (const [a, b] of pairs) {
    for (const options of DTW_OPTIONS) {
      const label = `${a.length} × ${b.length} ${JSON.stringify(options)}`;
      assert.equal(await k.dtw(a, b, options), dtw(a, b, options), label);
      assert.deepEqual(
        await k.dtwPath(a, b, options),
        dtwPath(a, b, options),
        label,
      );
    }
  }
  const p = progress();
  await k.dtwPath([1, 2], [2], { onProgress: p.onProgress });
  p.check(1);
});

conformance("dtwBatch and topK equal the synchronous functions", async (k) => {
  const random = rng(102);
  const reference = randomWalk(70, random);
  const patterns = randomWalks(150, random, 1, 110);
  patterns.push(...patterns.slice(0, 30)); // ties
  patterns.push(new Float64Array(0));
  for (const options of DTW_OPTIONS) {
    assert.deepEqual(
      await k.dtwBatch(reference, patterns, options),
      dtwBatch(reference, patterns, options),
    );
    for (const count of [1, 4, 25, Infinity]) {
      const stats = {} as TopKStats;
      const o = { ...options, k: count };
      assert.deepEqual(
        await k.topK(reference, patterns, { ...o, stats }),
        topK(reference, patterns, o),
        JSON.stringify(o),
      );
      assert.equal(
        stats.prunedByKim + stats.prunedByKeogh + stats.abandoned +
          stats.computed,
        patterns.length,
      );
    }
  }
  assert.deepEqual(await k.dtwBatch(reference, []), new Float64Array(0));
  assert.deepEqual(await k.topK(reference, []), []);
  assert.deepEqual(
    await k.topK(reference, patterns),
    topK(reference, patterns),
  );
  const p = progress();
  await k.dtwBatch(reference, patterns, { onProgress: p.onProgress });
  p.check(patterns.length);
  const q = progress();
  await k.topK(reference, patterns, { k: 3, onProgress: q.onProgress });
  q.check(patterns.length);
});

/** `n` points of `dims` values, point-major: independent random walks. */
function walk(random: () => number, n: number, dims: number): number[] {
  const out = new Array<number>(n * dims);
  for (let k = 0; k < dims; k++) {
    const one = randomWalk(n, random);
    for (let i = 0; i < n; i++) out[i * dims + k] = one[i];
  }
  return out;
}

/** Series `i` of a list in one of the forms: points, or packed (three kinds). */
function form(v: number[], dims: number, i: number): Series {
  switch (i % 4) {
    case 0:
      return Array.from(
        { length: v.length / dims },
        (_, p) => v.slice(p * dims, p * dims + dims),
      );
    case 1:
      return { dims, values: v };
    case 2:
      return { dims, values: Float64Array.from(v) };
    default:
      return { dims, values: Float32Array.from(v) };
  }
}

const MULTIVARIATE_OPTIONS: DtwOptions[] = [
  {},
  { multivariate: "independent" },
  { precision: "f32" },
  { multivariate: "independent", precision: "f32", cost: "squared" },
  { window: 2, precision: "f32", cutoff: 30 },
  { window: 4, multivariate: "independent", cutoff: 40 },
];

conformance(
  "multivariate series and precision f32: every method equals the synchronous function",
  async (k) => {
    const random = rng(105);
    for (const dims of [1, 2, 3, 5, 8]) {
      const a = walk(random, randInt(random, 1, 50), dims);
      const b = walk(random, randInt(random, 1, 50), dims);
      const patterns = Array.from(
        { length: 190 }, // topK on a pool: 2 parts of at least 64
        (_, i) => form(walk(random, randInt(random, 0, 60), dims), dims, i),
      );
      patterns.push(...patterns.slice(0, 10)); // ties
      for (const options of MULTIVARIATE_OPTIONS) {
        const label = `d=${dims} ${JSON.stringify(options)}`;
        for (let i = 0; i < 4; i++) {
          const x = form(a, dims, i), y = form(b, dims, i + 1);
          assert.equal(await k.dtw(x, y, options), dtw(x, y, options), label);
          if (options.multivariate !== "independent") {
            assert.deepEqual(
              await k.dtwPath(x, y, options),
              dtwPath(x, y, options),
              label,
            );
          }
        }
        const ref = form(a, dims, dims);
        assert.deepEqual(
          await k.dtwBatch(ref, patterns, options),
          dtwBatch(ref, patterns, options),
          label,
        );
        for (const count of [1, 5, Infinity]) {
          const stats = {} as TopKStats;
          const o = { ...options, k: count };
          assert.deepEqual(
            await k.topK(ref, patterns, { ...o, stats }),
            topK(ref, patterns, o),
            `${label} k=${count}`,
          );
          assert.equal(
            stats.prunedByKim + stats.prunedByKeogh + stats.abandoned +
              stats.computed,
            patterns.length,
          );
        }
      }
    }
  },
);

conformance(
  "precision f32 on series of one value per point, and f32 inputs: every method equals the synchronous function",
  async (k) => {
    const random = rng(106);
    const a = randomWalk(60, random), b = randomWalk(45, random);
    const patterns: Series[] = randomWalks(120, random, 1, 80);
    patterns.push(Float32Array.from(randomWalk(30, random)), [], [3]);
    patterns.push(...patterns.slice(0, 8)); // ties
    const pairs: [Series, Series][] = [
      [a, b],
      [Float32Array.from(a), b],
      [[], []],
      [[1e-8], [2e-8]],
      [a, b.slice(0, 3)], // band narrower than |n - m|
    ];
    for (
      const options of [
        { precision: "f32" },
        { precision: "f32", window: 2, cost: "squared" },
        { precision: "f32", cutoff: 5 },
        { precision: "f64" },
        { window: 4 },
      ] as DtwOptions[]
    ) {
      const label = JSON.stringify(options);
      for (const [x, y] of pairs) {
        assert.equal(await k.dtw(x, y, options), dtw(x, y, options), label);
        assert.deepEqual(
          await k.dtwPath(x, y, options),
          dtwPath(x, y, options),
          label,
        );
      }
      assert.deepEqual(
        await k.dtwBatch(a, patterns, options),
        dtwBatch(a, patterns, options),
        label,
      );
      for (const count of [1, 6, Infinity]) {
        const o = { ...options, k: count };
        assert.deepEqual(
          await k.topK(a, patterns, o),
          topK(a, patterns, o),
          `${label} k=${count}`,
        );
      }
    }
  },
);

conformance("searchSubsequence equals the synchronous function", async (k) => {
  const random = rng(103);
  const series = randomWalk(40_000, random);
  const cases = [
    { query: series.slice(31_000, 31_064), window: 6 },
    { query: randomWalk(50, random), window: 5, k: 4 },
    {
      query: randomWalk(30, random),
      window: Infinity,
      cost: "squared" as const,
    },
    { query: randomWalk(20, random), window: 2, k: 7, exclusionZone: 0 },
    { query: randomWalk(16, random), window: 1, normalize: false, k: 3 },
    { query: [1], window: 0, k: 2 },
  ];
  for (const { query, ...options } of cases) {
    const stats = {} as SearchStats;
    const expected = searchSubsequence(series, query, options);
    const got = await k.searchSubsequence(series, query, { ...options, stats });
    assert.deepEqual(got, expected, JSON.stringify(options));
    assert.equal(got[0].index, got[0].start); // the deprecated getter
    assert.equal(stats.windows, series.length - query.length + 1);
    assert.equal(
      stats.prunedByKim + stats.prunedByKeoghEQ + stats.prunedByKeoghEC +
        stats.abandoned + stats.computed,
      stats.windows,
    );
  }
  const short = randomWalk(12, random);
  assert.deepEqual(
    await k.searchSubsequence(short, short, { window: 1, k: 3 }),
    searchSubsequence(short, short, { window: 1, k: 3 }),
  );
  const p = progress();
  await k.searchSubsequence(series, cases[1].query, {
    window: 5,
    onProgress: p.onProgress,
  });
  p.check(series.length - cases[1].query.length + 1);
});

conformance(
  "multivariate searchSubsequence equals the synchronous function, bit for bit",
  async (k) => {
    const random = rng(107);
    for (const dims of [1, 2, 3]) {
      const n = 3000;
      const x = walk(random, n, dims);
      // A query cut out of the series, rescaled per dimension, and one
      // drawn afresh.
      const cut = x.slice(1700 * dims, 1740 * dims).map((v, i) =>
        2 * v + (i % dims)
      );
      const queries = [cut, walk(random, 24, dims)];
      const cases: SearchOptions[] = [
        { window: 4 },
        { window: 3, k: 3, multivariate: "independent" },
        { window: 2, k: 3, cost: "squared", normalize: false },
        {
          window: Infinity,
          k: 1,
          cost: "squared",
          multivariate: "independent",
          normalize: false,
        },
        { window: 5, k: 3, cost: "squared", exclusionZone: 0 },
        { window: 1, k: 1, multivariate: "independent", cost: "absolute" },
      ];
      for (const [c, options] of cases.entries()) {
        const q = queries[c % 2];
        // Both forms, and a mix of the two.
        const series = form(x, dims, c % 4), query = form(q, dims, (c + 1) % 3);
        const label = `d=${dims} ${JSON.stringify(options)}`;
        const stats = {} as SearchStats;
        const expected = searchSubsequence(series, query, options);
        const got = await k.searchSubsequence(series, query, {
          ...options,
          stats,
        });
        assert.deepEqual(got, expected, label);
        assert.ok(got.length >= 1, label);
        assert.equal(stats.windows, n - q.length / dims + 1, label);
        assert.equal(
          stats.prunedByKim + stats.prunedByKeoghEQ + stats.prunedByKeoghEC +
            stats.abandoned + stats.computed,
          stats.windows,
          label,
        );
      }
    }
    // A long series of 2 values per point: the cluster's small shards cut
    // it into ranges whose points span its chunks of 65,536 points.
    const long = walk(random, 70_000, 2);
    const planted = long.slice(2 * 66_000, 2 * 66_048);
    for (
      const options of [
        { window: 4, k: 3 },
        { window: 2, k: 2, multivariate: "independent", cost: "squared" },
      ] as SearchOptions[]
    ) {
      const series = form(long, 2, 2), query = form(planted, 2, 0);
      const expected = searchSubsequence(series, query, options);
      assert.equal(expected[0].start, 66_000);
      assert.deepEqual(
        await k.searchSubsequence(series, query, options),
        expected,
        JSON.stringify(options),
      );
    }
    // d = 1 in a multivariate form: the univariate search, bit for bit.
    const x = walk(random, 2000, 1), q = x.slice(500, 532);
    for (
      const options of [{ window: 3, k: 3 }, { window: 2, normalize: false }]
    ) {
      const univariate = searchSubsequence(x, q, options);
      assert.deepEqual(
        await k.searchSubsequence(
          form(x, 1, 0),
          form(q, 1, 1),
          options,
        ),
        univariate,
      );
      assert.deepEqual(
        await k.searchSubsequence(x, form(q, 1, 2), options),
        univariate,
      );
    }
    // Progress counts windows whatever the form.
    const p = progress();
    await k.searchSubsequence(
      form(x, 1, 2),
      [[1], [2], [3]],
      {
        window: 1,
        onProgress: p.onProgress,
      },
    );
    p.check(2000 - 3 + 1);
  },
);

conformance(
  "lcs and correlationMatrix equal the synchronous functions",
  async (k) => {
    const pairs: [Parameters<typeof lcs>[0], Parameters<typeof lcs>[1]][] = [
      ["AGGTAB", "GXTXAYB"],
      ["😀a😀b", "a😀😀"],
      ["\ud800x", "x\ud800"],
      [["BUY", "HOLD", "SELL"], ["BUY", "SELL", "BUY"]],
      [[1, "1", NaN, 0], ["1", 1, NaN, -0]],
      [Int32Array.of(3, 1, 2, 7), [1, 2, 3, 7]],
      [Float64Array.of(0.5, 1.5), "ab"],
      ["", "abc"],
      ["", ""],
    ];
    for (const [a, b] of pairs) {
      assert.equal(await k.lcs(a, b), lcs(a, b), `${a} / ${b}`);
    }
    const random = rng(104);
    const symbols = ["BUY", "SELL", "HOLD", 1, 2];
    const sequences = Array.from(
      { length: 40 },
      () =>
        Array.from(
          { length: randInt(random, 0, 60) },
          () => symbols[randInt(random, 0, symbols.length - 1)],
        ),
    );
    const mixed = [...sequences, "BUYSELL", Int32Array.of(1, 2, 1), ""];
    assert.deepEqual(
      await k.correlationMatrix(mixed),
      correlationMatrix(mixed),
    );
    assert.deepEqual(await k.correlationMatrix([]), new Float64Array(0));
    assert.deepEqual(await k.correlationMatrix(["a"]), Float64Array.of(1));
    const p = progress();
    await k.correlationMatrix(mixed, { onProgress: p.onProgress });
    p.check(mixed.length);
    const q = progress();
    await k.lcs("ab", "b", { onProgress: q.onProgress });
    q.check(1);
  },
);

conformance(
  "bad input rejects with the synchronous function's class and message",
  async (k) => {
    const same = async (
      call: () => Promise<unknown>,
      sync: () => unknown,
    ): Promise<void> => {
      let expected: unknown;
      try {
        sync();
      } catch (e) {
        expected = e;
      }
      assert.ok(expected instanceof Error, "the synchronous call must throw");
      await assert.rejects(call, (e: unknown) => {
        assert.equal(
          (e as Error).constructor,
          (expected as Error).constructor,
          String(e),
        );
        assert.equal((e as Error).message, (expected as Error).message);
        return true;
      });
    };
    await same(() => k.dtw([1, NaN], [1]), () => dtw([1, NaN], [1]));
    await same(
      () => k.dtw([1], [1], { window: -1 }),
      () => dtw([1], [1], { window: -1 }),
    );
    await same(
      () => k.dtw([1], [1], { cutoff: "1" } as never),
      () => dtw([1], [1], { cutoff: "1" } as never),
    );
    await same(
      () => k.dtwBatch([1], [[1], [2, "x" as never]]),
      () => dtwBatch([1], [[1], [2, "x" as never]]),
    );
    await same(
      () => k.topK([1], [[1]], { k: 0 }),
      () => topK([1], [[1]], { k: 0 }),
    );
    await same(
      () => k.topK([1], [[1]], { k: "1" } as never),
      () => topK([1], [[1]], { k: "1" } as never),
    );
    await same(
      () => k.searchSubsequence([1, 2], [1], {} as never),
      () => searchSubsequence([1, 2], [1], {} as never),
    );
    await same(
      () => k.searchSubsequence([1, 2], [1, 2, 3], { window: 1 }),
      () => searchSubsequence([1, 2], [1, 2, 3], { window: 1 }),
    );
    await same(
      () => k.dtwPath([1], [1], { window: 0.5 }),
      () => dtwPath([1], [1], { window: 0.5 }),
    );
    const ok = [[1, 2], [3, 4]];
    await same(
      () => k.dtw([[1, 2], [3]], ok),
      () => dtw([[1, 2], [3]], ok),
    );
    await same(
      () => k.dtw({ dims: 3, values: [1, 2, 3, 4] }, ok),
      () => dtw({ dims: 3, values: [1, 2, 3, 4] }, ok),
    );
    await same(
      () => k.dtw({ dims: 0, values: [] }, ok),
      () => dtw({ dims: 0, values: [] }, ok),
    );
    await same(
      () => k.dtwBatch(ok, [ok, [[1, 2, 3]]]),
      () => dtwBatch(ok, [ok, [[1, 2, 3]]]),
    );
    await same(
      () => k.topK(ok, [{ dims: 2, values: [1, NaN] }]),
      () => topK(ok, [{ dims: 2, values: [1, NaN] }]),
    );
    await same(
      () => k.dtw([[1, 2], [3, 1e39]], ok, { precision: "f32" }),
      () => dtw([[1, 2], [3, 1e39]], ok, { precision: "f32" }),
    );
    await same(
      () => k.dtw(ok, ok, { multivariate: "both" } as never),
      () => dtw(ok, ok, { multivariate: "both" } as never),
    );
    await same(
      () => k.dtwBatch(ok, [ok], { precision: "f16" } as never),
      () => dtwBatch(ok, [ok], { precision: "f16" } as never),
    );
    await same(
      () => k.topK([[1, 2]], [ok, [[1, 2], [Infinity, 0]]], { k: 1 }),
      () => topK([[1, 2]], [ok, [[1, 2], [Infinity, 0]]], { k: 1 }),
    );
    await same(
      () => k.dtwBatch([1, 2], [[1], ok]),
      () => dtwBatch([1, 2], [[1], ok]),
    );
    await same(
      () => k.dtwPath(ok, [[1, 2], [3, 4, 5]], { precision: "f32" }),
      () => dtwPath(ok, [[1, 2], [3, 4, 5]], { precision: "f32" }),
    );
    // The multivariate search's bad input: refused as the function refuses it.
    const search = { window: 1, multivariate: "independent" } as const;
    for (
      const [series, query] of [
        [ok, [[1, 2, 3]]], // mismatched d
        [[[1, 2], [3, 4], [5]], [[1, 2]]], // ragged point 2
        [ok, [[1, NaN]]], // non-finite: point 0, dimension 1
        [[[1, 2], [3, Infinity]], [[1, 2]]],
        [{ dims: 2, values: [1, 2, 3] }, [[1, 2]]], // dims not dividing
        [{ dims: 0, values: [] }, [[1, 2]]],
        [[1, 2, 3], [[1, 2]]], // one value per point against two
      ] as [Series, Series][]
    ) {
      await same(
        () => k.searchSubsequence(series, query, search),
        () => searchSubsequence(series, query, search),
      );
    }
    await same(
      () =>
        k.searchSubsequence([1, 2], [1], {
          window: 1,
          multivariate: 2 as never,
        }),
      () =>
        searchSubsequence([1, 2], [1], { window: 1, multivariate: 2 as never }),
    );
    // An f32 search: the pool runs it as the synchronous function does; the
    // service and the cluster refuse it (their protocol does not carry a
    // search's precision yet).
    const f32Search = { window: 1, precision: "f32" } as const;
    if (k instanceof WorkerPool) {
      assert.deepEqual(
        await k.searchSubsequence([1, 2, 3], [1], f32Search),
        searchSubsequence([1, 2, 3], [1], f32Search),
      );
    } else {
      await assert.rejects(
        () => k.searchSubsequence([1, 2, 3], [1], f32Search),
        {
          name: "TypeError",
          message: /precision "f32" is not carried by the (service|cluster)/,
        },
      );
    }
    // "f64", the default, is accepted everywhere.
    assert.deepEqual(
      await k.searchSubsequence([1, 2, 3], [1], {
        window: 1,
        precision: "f64",
      }),
      searchSubsequence([1, 2, 3], [1], { window: 1 }),
    );
    await same(
      () => k.dtwPath(ok, ok, { multivariate: "independent" }),
      () => dtwPath(ok, ok, { multivariate: "independent" }),
    );
    await same(() => k.lcs(3 as never, "a"), () => lcs(3 as never, "a"));
    await same(
      () => k.correlationMatrix(["a", {} as never]),
      () => correlationMatrix(["a", {} as never]),
    );
    await assert.rejects(
      () => k.dtw([1], [1], { signal: {} as never }),
      TypeError,
    );
    await assert.rejects(
      () => k.dtw([1], [1], { onProgress: 1 as never }),
      TypeError,
    );
    assert.equal(await k.dtw([1, 2], [1, 2]), 0); // still usable
  },
);

conformance("an aborted signal rejects with its reason", async (k) => {
  const reason = new Error("not needed");
  const signal = AbortSignal.abort(reason);
  for (
    const call of [
      () => k.dtw([1], [1], { signal }),
      () => k.dtwBatch([1], [[1]], { signal }),
      () => k.topK([1], [[1]], { signal }),
      () => k.searchSubsequence([1, 2], [1], { window: 0, signal }),
      () => k.dtwPath([1], [1], { signal }),
      () => k.lcs("a", "a", { signal }),
      () => k.correlationMatrix(["a"], { signal }),
    ]
  ) {
    await assert.rejects(call, (e) => e === reason);
  }
  const controller = new AbortController();
  const pending = k.dtw(randomWalk(4000, rng(1)), randomWalk(4000, rng(2)), {
    signal: controller.signal,
  });
  controller.abort(reason);
  await assert.rejects(pending, (e) => e === reason);
  assert.equal(await k.lcs("ab", "ab"), 2); // still usable
});

conformance("close rejects later calls with ClosedError", async (k) => {
  assert.equal(await k.dtw([1], [2]), 1);
  await k.close();
  await k.close(); // idempotent
  await assert.rejects(k.dtw([1], [1]), ClosedError);
  await assert.rejects(k.topK([1], [[1]]), ClosedError);
});

conformance(
  "a stored PatternSet: topK and dtwBatch on it equal the synchronous functions on its patterns, call after call",
  async (kernels) => {
    const k = kernels as Cluster;
    const random = rng(107);
    // Unequal lengths, an empty pattern, one point, ties; references
    // shorter and longer than the patterns (bands narrower than the
    // length difference).
    const patterns = randomWalks(150, random, 1, 110);
    patterns.push(
      ...patterns.slice(0, 30),
      new Float64Array(0),
      Float64Array.of(2),
    );
    await using set = await k.storePatterns(patterns);
    assert.equal(set.count, patterns.length);
    assert.equal(set.dims, 1);
    assert.equal(set.precision, "f64");
    for (const n of [70, 1, 140]) {
      const reference = randomWalk(n, random);
      for (const options of DTW_OPTIONS) {
        assert.deepEqual(
          await k.dtwBatch(reference, set, options),
          dtwBatch(reference, patterns, options),
        );
        for (const count of [1, 4, Infinity]) {
          const stats = {} as TopKStats;
          const o = { ...options, k: count };
          assert.deepEqual(
            await k.topK(reference, set, { ...o, stats }),
            topK(reference, patterns, o),
            `n=${n} ${JSON.stringify(o)}`,
          );
          assert.equal(
            stats.prunedByKim + stats.prunedByKeogh + stats.abandoned +
              stats.computed,
            patterns.length,
          );
        }
      }
    }
    const reference = randomWalk(60, random);
    const p = progress();
    await k.topK(reference, set, { k: 3, onProgress: p.onProgress });
    p.check(patterns.length);
    // The same patterns stored twice: the same blobs, the same id.
    await using again = await k.storePatterns(patterns);
    assert.equal(again.id, set.id);
    // Empty and one-pattern sets.
    await using empty = await k.storePatterns([]);
    assert.deepEqual(await k.topK(reference, empty), []);
    assert.deepEqual(await k.dtwBatch(reference, empty), new Float64Array(0));
    await using one = await k.storePatterns([[1, 2]]);
    assert.deepEqual(await k.topK([1], one), topK([1], [[1, 2]]));
    // Multivariate, stored in f32: computed as with precision "f32".
    for (const dims of [2, 3]) {
      const list = Array.from(
        { length: 60 },
        (_, i) => form(walk(random, randInt(random, 1, 40), dims), dims, i),
      );
      await using f32 = await k.storePatterns(list, { precision: "f32" });
      assert.equal(f32.precision, "f32");
      assert.equal(f32.dims, dims);
      const ref = form(walk(random, 30, dims), dims, 1);
      for (const options of MULTIVARIATE_OPTIONS) {
        const o = { ...options, precision: "f32" as const };
        assert.deepEqual(
          await k.dtwBatch(ref, f32, { ...options, precision: undefined }),
          dtwBatch(ref, list, o),
        );
        assert.deepEqual(
          await k.topK(ref, f32, { ...o, k: 5 }),
          topK(ref, list, { ...o, k: 5 }),
        );
      }
      // A reference of other dimensions: the synchronous function's error.
      const flat = randomWalk(10, random);
      assert.throws(() => topK(flat, list), RangeError);
      await assert.rejects(k.topK(flat, f32), RangeError);
      // A precision the set was not stored in.
      await assert.rejects(
        k.topK(ref, f32, { precision: "f64" }),
        (e: Error) =>
          e instanceof TypeError && /stored in "f32"/.test(e.message),
      );
    }
  },
  (implementation) => implementation.name.startsWith("Cluster"),
);

if (clusterFixture !== undefined) {
  Deno.test("cluster: the Redis server and the workers stop", async () => {
    await clusterFixture.stop();
  });
}
