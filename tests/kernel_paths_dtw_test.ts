// Copyright 2026 the @midstreamer/kit authors. MIT license.
// Every path of the DTW kernels, forced through the `strategy` argument of
// the raw exports, against naive references written here: exhaustively
// over small cases (every pair of lengths 0..N, every window, both costs,
// values with and without ties), as BurntSushi's memchr tests each of its
// implementations, then on a few larger random cases.

import assert from "node:assert/strict";
import { randInt, randomWalk, rng } from "../testing/rng.ts";
import {
  COSTS,
  cutoffs,
  dtwRef,
  matrix,
  median,
  same,
  shuffle,
  topRef,
  trace,
  VALUES,
  windows,
} from "./_dtw_cases.ts";
import {
  BATCH,
  DTW,
  PATH,
  rawDtw,
  rawDtwBatch,
  rawPath,
  rawSearch,
  type RawSearchArgs,
  rawTopK,
  TOP_K,
} from "./_raw_kernels.ts";

/** Lengths 0..N in the exhaustive cases. */
const N = 10;

Deno.test("dtw_f64: scalar rows and stripes equal the full-matrix DTW on every small case", () => {
  let checked = 0;
  for (const [label, values] of VALUES) {
    const random = rng(181);
    for (let n = 0; n <= N + 2; n++) {
      for (let m = 0; m <= N + 2; m++) {
        const a = values(random, n), b = values(random, m);
        for (const window of windows(N + 2)) {
          for (const squared of COSTS) {
            const d = dtwRef(a, b, window, squared);
            for (const cutoff of cutoffs(d)) {
              const want = d <= cutoff ? d : Infinity;
              for (const [name, s] of Object.entries(DTW)) {
                const got = rawDtw(a, b, window, squared, cutoff, s);
                same(
                  got,
                  want,
                  () =>
                    `${name} ${label} n=${n} m=${m} window=${window} squared=${squared} cutoff=${cutoff}`,
                );
                checked++;
              }
            }
          }
        }
      }
    }
  }
  assert.ok(checked > 50_000, `${checked} cases`);
  assert.ok(Number.isNaN(rawDtw([1], [2], undefined, false, Infinity, 3)));
});

Deno.test("dtw_f64: scalar rows and stripes on larger random walks", () => {
  const random = rng(182);
  for (let c = 0; c < 40; c++) {
    const a = randomWalk(randInt(random, 1, 300), random);
    const b = randomWalk(randInt(random, 1, 300), random);
    const window = c % 3 === 0 ? undefined : randInt(random, 0, 40);
    const squared = c % 2 === 0;
    const want = dtwRef(a, b, window, squared);
    for (const s of [DTW.rows, DTW.stripes]) {
      for (const cutoff of [Infinity, want * 0.9]) {
        same(
          rawDtw(a, b, window, squared, cutoff, s),
          want <= cutoff ? want : Infinity,
          () => `strategy ${s} n=${a.length} m=${b.length} window=${window}`,
        );
      }
    }
  }
});

Deno.test("dtw_batch_f64: single pairs and lane groups equal the full-matrix DTW on every small case", () => {
  let checked = 0;
  for (const [label, values] of VALUES) {
    const random = rng(183);
    for (let n = 0; n <= N; n++) {
      const r = values(random, n);
      // 1..6 patterns of every length 0..N (groups of 1..4 lanes and a
      // remainder), in random order.
      const patterns = shuffle(
        random,
        Array.from({ length: N + 1 }, (_, m) =>
          Array.from(
            { length: randInt(random, 1, 6) },
            () => values(random, m),
          )).flat(),
      );
      for (const window of windows(N)) {
        for (const squared of COSTS) {
          const d = patterns.map((p) => dtwRef(r, p, window, squared));
          for (const cutoff of [Infinity, median(d)]) {
            const want = d.map((x) => x <= cutoff ? x : Infinity);
            for (const [name, s] of Object.entries(BATCH)) {
              const got = rawDtwBatch(r, patterns, window, squared, cutoff, s);
              assert.deepEqual(
                got && Array.from(got),
                want,
                `${name} ${label} n=${n} window=${window} squared=${squared} cutoff=${cutoff}`,
              );
              checked += want.length;
            }
          }
        }
      }
    }
  }
  assert.ok(checked > 50_000, `${checked} distances`);
  assert.equal(
    rawDtwBatch([1], [[2]], undefined, false, Infinity, 3),
    undefined,
  );
});

Deno.test("dtw_batch_f64: single pairs and lane groups on larger random walks", () => {
  const random = rng(184);
  for (let c = 0; c < 12; c++) {
    const r = randomWalk(randInt(random, 1, 200), random);
    const lengths = [randInt(random, 1, 200), randInt(random, 1, 200)];
    const patterns = Array.from(
      { length: randInt(random, 1, 14) },
      () => randomWalk(lengths[randInt(random, 0, 1)], random),
    );
    const window = c % 3 === 0 ? undefined : randInt(random, 0, 30);
    const squared = c % 2 === 1;
    const d = patterns.map((p) => dtwRef(r, p, window, squared));
    const cutoff = c % 4 === 0 ? Infinity : median(d);
    const want = d.map((x) => x <= cutoff ? x : Infinity);
    for (const s of [BATCH.pairs, BATCH.lanes]) {
      const got = rawDtwBatch(r, patterns, window, squared, cutoff, s);
      assert.deepEqual(
        got && Array.from(got),
        want,
        `case ${c}, strategy ${s}`,
      );
    }
  }
});

/** Whether `top_k_f64`'s lanes can stream (strategies stream and screen). */
function streams(
  n: number,
  patterns: ArrayLike<number>[],
  window: number | undefined,
): boolean {
  const m = patterns[0].length;
  const w = window === undefined ? Infinity : Math.max(window, Math.abs(n - m));
  return n > 0 && m > 0 && w >= Math.max(n, m) &&
    Array.from(patterns).every((p) => p.length === m);
}

Deno.test("top_k_f64: every path equals sorting the full-matrix DTWs on every small case", () => {
  let checked = 0;
  for (const [label, values] of VALUES) {
    const random = rng(185);
    for (let n = 0; n <= 8; n++) {
      const r = values(random, n);
      const mixed = Array.from(
        { length: 9 },
        (_, m) =>
          Array.from(
            { length: randInt(random, 1, 3) },
            () => values(random, m),
          ),
      )
        .flat();
      const m0 = randInt(random, 0, 8);
      const one = Array.from(
        { length: randInt(random, 1, 9) },
        () => values(random, m0),
      );
      for (const patterns of [shuffle(random, mixed), one]) {
        for (const window of windows(8)) {
          for (const squared of COSTS) {
            const d = patterns.map((p) => dtwRef(r, p, window, squared));
            const lanes = streams(n, patterns, window);
            for (const cutoff of [Infinity, median(d)]) {
              for (const k of [1, 3, patterns.length + 1]) {
                const want = topRef(d, k, cutoff);
                for (const [name, s] of Object.entries(TOP_K)) {
                  const got = rawTopK(
                    r,
                    patterns,
                    k,
                    window,
                    squared,
                    cutoff,
                    s,
                  );
                  const applies = s < TOP_K.stream || lanes;
                  assert.deepEqual(
                    got,
                    applies ? want : undefined,
                    `${name} ${label} n=${n} count=${patterns.length} window=${window} squared=${squared} cutoff=${cutoff} k=${k}`,
                  );
                  checked++;
                }
              }
            }
          }
        }
      }
    }
  }
  assert.ok(checked > 20_000, `${checked} cases`);
  for (const s of Object.values(TOP_K)) {
    assert.deepEqual(rawTopK([1, 2], [], 3, undefined, false, Infinity, s), []);
  }
  assert.equal(
    rawTopK([1], [[2]], 1, undefined, false, Infinity, 5),
    undefined,
  );
});

Deno.test("top_k_f64: f32 screening only for magnitudes up to 1e15", () => {
  const r = [3e15, -3e15, 1e15];
  const patterns = [[2e15, 0, 1], [1, 2, 3], [-3e15, 3e15, 0], [0, 0, 0], [
    5,
    5,
    5,
  ]];
  for (const squared of COSTS) {
    const want = topRef(
      patterns.map((p) => dtwRef(r, p, undefined, squared)),
      2,
      Infinity,
    );
    for (const s of [TOP_K.auto, TOP_K.pairs, TOP_K.lanes, TOP_K.stream]) {
      assert.deepEqual(
        rawTopK(r, patterns, 2, undefined, squared, Infinity, s),
        want,
      );
    }
    assert.equal(
      rawTopK(r, patterns, 2, undefined, squared, Infinity, TOP_K.screen),
      undefined,
    );
  }
});

Deno.test("top_k_f64: every path on larger random walks", () => {
  const random = rng(186);
  for (let c = 0; c < 16; c++) {
    const n = randInt(random, 20, 160);
    const r = randomWalk(n, random);
    const oneLength = c % 2 === 0;
    const m0 = randInt(random, 20, 160);
    const patterns = Array.from(
      { length: randInt(random, 8, 60) },
      () => randomWalk(oneLength ? m0 : randInt(random, 20, 160), random),
    );
    const window = oneLength && c % 4 === 0
      ? undefined
      : randInt(random, 0, 40);
    const squared = c % 3 === 0;
    const d = patterns.map((p) => dtwRef(r, p, window, squared));
    const k = randInt(random, 1, 6);
    const cutoff = c % 5 === 0 ? median(d) : Infinity;
    const want = topRef(d, k, cutoff);
    const lanes = streams(n, patterns, window);
    for (const s of Object.values(TOP_K)) {
      const got = rawTopK(r, patterns, k, window, squared, cutoff, s);
      assert.deepEqual(
        got,
        s < TOP_K.stream || lanes ? want : undefined,
        `case ${c}, strategy ${s}`,
      );
    }
  }
});

/** Every strategy of `path_f64` with the limits it is run with. */
const PATH_RUNS: Array<[string, number, number]> = [
  ["auto", PATH.auto, 2 ** 22],
  ["matrix by rows", PATH.matrixRows, 1],
  ["matrix by stripes", PATH.matrixStripes, 1],
  ["rows", PATH.rows, 1],
  ...[1, 2, 5, 1e9].map((limit): [string, number, number] => [
    `checkpoints limit=${limit}`,
    PATH.checkpoints,
    limit,
  ]),
];

Deno.test("path_f64: the whole matrix (rows, stripes), kept rows and checkpoints trace the reference path on every small case", () => {
  let checked = 0;
  for (const [label, values] of VALUES) {
    const random = rng(187);
    for (let n = 0; n <= N - 1; n++) {
      for (let m = 0; m <= N - 1; m++) {
        const a = values(random, n), b = values(random, m);
        for (const window of windows(N - 1)) {
          for (const squared of COSTS) {
            const d = matrix(a, b, window, squared);
            const dist = d[n][m];
            const path = n > 0 && m > 0 && Number.isFinite(dist)
              ? trace(d)
              : [];
            const unbanded = window === undefined || window >= Math.max(n, m);
            for (const cutoff of cutoffs(dist)) {
              for (const [name, s, limit] of PATH_RUNS) {
                const got = rawPath(a, b, window, squared, cutoff, limit, s);
                const applies = unbanded ||
                  (s !== PATH.matrixRows && s !== PATH.matrixStripes);
                const what = () =>
                  `${name} ${label} n=${n} m=${m} window=${window} squared=${squared} cutoff=${cutoff}`;
                if (!applies) {
                  same(got.distance, NaN, what);
                  assert.deepEqual(got.path, [], what());
                } else if (dist <= cutoff) {
                  same(got.distance, dist, what);
                  assert.deepEqual(got.path, path, what());
                } else {
                  same(got.distance, Infinity, what);
                  assert.deepEqual(got.path, [], what());
                }
                checked++;
              }
            }
          }
        }
      }
    }
  }
  assert.ok(checked > 50_000, `${checked} cases`);
  assert.ok(
    Number.isNaN(rawPath([1], [2], undefined, false, Infinity, 1, 5).distance),
  );
});

Deno.test("path_f64: every strategy on larger random walks, several levels of checkpoints", () => {
  const random = rng(188);
  for (let c = 0; c < 12; c++) {
    const a = randomWalk(randInt(random, 1, 220), random);
    const b = randomWalk(randInt(random, 1, 220), random);
    const window = c % 3 === 0 ? undefined : randInt(random, 0, 50);
    const squared = c % 2 === 0;
    const d = matrix(a, b, window, squared);
    const dist = d[a.length][b.length];
    const path = trace(d);
    const runs: Array<[number, number]> = [
      [PATH.rows, 1],
      [PATH.checkpoints, 1],
      [PATH.checkpoints, 64],
      [PATH.checkpoints, 3000],
    ];
    if (window === undefined) {
      runs.push([PATH.matrixRows, 1], [PATH.matrixStripes, 1]);
    }
    for (const [s, limit] of runs) {
      const got = rawPath(a, b, window, squared, Infinity, limit, s);
      same(got.distance, dist, () => `case ${c}, strategy ${s} limit ${limit}`);
      assert.deepEqual(
        got.path,
        path,
        `case ${c}, strategy ${s} limit ${limit}`,
      );
    }
  }
});

/** One window start and its distance. */
type Hit = [number, number];

/** Greedy selection: by (distance, start), skipping starts less than `ez` from one kept. */
function greedy(hits: Hit[], k: number, ez: number): Hit[] {
  const sorted = [...hits].sort((x, y) => x[1] - y[1] || x[0] - y[0]);
  const out: Hit[] = [];
  for (const h of sorted) {
    if (out.length === k) break;
    if (out.every((o) => Math.abs(o[0] - h[0]) >= ez)) out.push(h);
  }
  return out;
}

/**
 * Checks one raw search without normalization against the distances `d`
 * of every window: the candidates are exactly the windows within the
 * returned bound `T <= t0` (indices offset by `base`), with their
 * distances, sorted; when the kernel lowered `T` below `t0`, the greedy
 * selection over all windows has `k` matches within it, so that the
 * selection over the candidates is the brute-force one.
 */
function checkSearch(
  got: ReturnType<typeof rawSearch>,
  d: number[],
  a: RawSearchArgs,
  what: () => string,
): void {
  if (got === undefined) assert.fail(`${what()}: not available`);
  const t = got.threshold;
  assert.ok(t <= a.t0, `${what()}: bound ${t} above t0 ${a.t0}`);
  const hits = d.map((x, p): Hit => [a.base + p, x]);
  const within = hits.filter((h) => h[1] <= t)
    .sort((x, y) => x[1] - y[1] || x[0] - y[0]);
  assert.deepEqual(got.candidates, within, what());
  const k = Math.min(Math.max(a.k, 1), d.length);
  const all = greedy(hits, k, a.ez);
  if (t < a.t0) {
    // A bound the kernel found: k windows at least 2 ez apart within it.
    assert.ok(all.length === k && all[k - 1][1] <= t, `${what()}: bound ${t}`);
  }
  if (a.t0 === Infinity) {
    assert.deepEqual(greedy(got.candidates, k, a.ez), all, what());
  }
}

Deno.test("search_f64: scalar rows and stripes find the brute-force matches on every small case", () => {
  let checked = 0;
  for (const [label, values] of VALUES) {
    const random = rng(189);
    for (let n = 1; n <= 12; n++) {
      const x = values(random, n);
      for (let m = 1; m <= n; m++) {
        const q = values(random, m);
        for (const window of windows(m)) {
          for (const squared of COSTS) {
            const d = Array.from(
              { length: n - m + 1 },
              (_, p) => dtwRef(x.slice(p, p + m), q, window, squared),
            );
            for (const k of [1, 3]) {
              for (const ez of [0, m]) {
                for (const t0 of [Infinity, median(d)]) {
                  const a = {
                    window,
                    squared,
                    normalize: false,
                    k,
                    ez,
                    base: 0,
                    t0,
                  };
                  for (const [name, s] of Object.entries(DTW)) {
                    checkSearch(
                      rawSearch(x, q, a, s),
                      d,
                      a,
                      () =>
                        `${name} ${label} n=${n} m=${m} window=${window} squared=${squared} k=${k} ez=${ez} t0=${t0}`,
                    );
                    checked++;
                  }
                }
              }
            }
          }
        }
      }
    }
  }
  assert.ok(checked > 20_000, `${checked} cases`);
  const a = {
    window: 1,
    squared: false,
    normalize: false,
    k: 1,
    ez: 0,
    base: 0,
    t0: Infinity,
  };
  assert.equal(rawSearch([1, 2], [1], a, 3), undefined);
});

Deno.test("search_f64: scalar rows and stripes on longer series", () => {
  const random = rng(190);
  const x = randomWalk(1500, random);
  for (const m of [20, 40, 64]) {
    const q = randomWalk(m, random);
    for (const window of [2, 8]) {
      for (const squared of COSTS) {
        const d = Array.from(
          { length: x.length - m + 1 },
          (_, p) => dtwRef(x.subarray(p, p + m), q, window, squared),
        );
        for (const k of [1, 4]) {
          const a = {
            window,
            squared,
            normalize: false,
            k,
            ez: m / 2,
            base: 1024,
            t0: Infinity,
          };
          for (const s of Object.values(DTW)) {
            checkSearch(
              rawSearch(x, q, a, s),
              d,
              a,
              () =>
                `m=${m} window=${window} squared=${squared} k=${k} strategy ${s}`,
            );
          }
        }
      }
    }
  }
});

/** `x` z-normalized in two passes (population deviation). */
function znorm(x: ArrayLike<number>): number[] {
  const m = x.length;
  let mean = 0;
  for (let i = 0; i < m; i++) mean += x[i] / m;
  let v = 0;
  for (let i = 0; i < m; i++) v += (x[i] - mean) ** 2 / m;
  const std = Math.sqrt(v);
  return Array.from(x, (y) => (y - mean) / std);
}

Deno.test("search_f64: z-normalized, each kernel selects the two-pass brute-force matches", () => {
  const random = rng(191);
  const x = randomWalk(800, random);
  for (const m of [16, 48]) {
    const q = randomWalk(m, random);
    const qz = znorm(q);
    const d = Array.from(
      { length: x.length - m + 1 },
      (_, p) => dtwRef(znorm(x.subarray(p, p + m)), qz, 4, true),
    );
    const want = greedy(d.map((v, p): Hit => [p, v]), 3, m / 2);
    for (const s of Object.values(DTW)) {
      const a = {
        window: 4,
        squared: true,
        normalize: true,
        k: 3,
        ez: m / 2,
        base: 0,
        t0: Infinity,
      };
      const got = greedy(rawSearch(x, q, a, s)!.candidates, 3, m / 2);
      assert.deepEqual(
        got.map((h) => h[0]),
        want.map((h) => h[0]),
        `m=${m} strategy ${s}`,
      );
      got.forEach((h, i) =>
        assert.ok(
          Math.abs(h[1] - want[i][1]) <= 1e-9 * want[i][1],
          `m=${m} strategy ${s}: ${h[1]} vs ${want[i][1]}`,
        )
      );
    }
  }
});
