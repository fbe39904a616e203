// Copyright 2026 the @midstreamer/kit authors. MIT license.
// WorkerPool.searchSubsequence over shared memory: the workers claim parts
// of a series in a SharedArrayBuffer and share the bound of the k-th
// match. Each path (a series read in place, copied in segments, parts
// smaller than the query, the shared bound, a worker that joins late) is
// reached directly and compared with the synchronous search, which the
// brute force of `_search_reference.ts` checks.

import assert from "node:assert/strict";
import {
  type SearchOptions,
  type SearchStats,
  searchSubsequence,
  WorkerPool,
} from "@midstreamer/kit";
import {
  fillSearchStats,
  searchArgs,
  searchMatches,
  searchPartWindows,
} from "../kernels/internal.ts";
import {
  searchClaimed,
  SearchControl,
  sharedPartWindows,
} from "../pool/internal.ts";
import { plantedWalk, randomWalk, rng } from "../testing/rng.ts";
import { assertCounted, brute, options } from "./_search_reference.ts";

/** `x` copied into a Float64Array on a SharedArrayBuffer. */
function shared(x: ArrayLike<number>): Float64Array {
  const out = new Float64Array(new SharedArrayBuffer(8 * x.length));
  out.set(x);
  return out;
}

/** Runs `f` with parts of `part` windows and segments of `segment`. */
async function withSizes<T>(
  part: number,
  segment: number,
  f: () => Promise<T>,
): Promise<T> {
  const p = sharedPartWindows(part);
  const s = searchPartWindows(segment);
  try {
    return await f();
  } finally {
    sharedPartWindows(p);
    searchPartWindows(s);
  }
}

const CASES: SearchOptions[] = [
  { window: 4, k: 1 },
  { window: 4, k: 3 },
  { window: 3, k: 4, exclusionZone: 2500, cost: "squared" },
  { window: 2, k: 6, normalize: false, exclusionZone: 0 },
  { window: 5, k: 2, normalize: false, cost: "squared" },
  { window: Infinity, k: 2 },
];

Deno.test("WorkerPool.searchSubsequence equals the synchronous search: in place on a SharedArrayBuffer and copied, parts of 1 to 8 Ki windows, segments, k > 1 with exclusion zones, normalize false", async () => {
  await using pool = new WorkerPool({ workers: 2 });
  const random = rng(1901);
  const m = 48;
  const q = randomWalk(m, random);
  // 23,456 points: no multiple of any part; planted matches across part
  // boundaries.
  const x = plantedWalk(23_456, q, [1024 * 3 - 20, 8192 - 1, 17_000], random);
  const inPlace = shared(x);
  const plain = Array.from(x);
  for (const o of CASES) {
    const expected = searchSubsequence(x, q, o);
    for (
      const [part, segment] of [
        [1024, 2 ** 22],
        [8192, 2 ** 22],
        [1024, 5120],
        [2048, 1024],
      ]
    ) {
      const label = `${JSON.stringify(o)} part ${part} segment ${segment}`;
      await withSizes(part, segment, async () => {
        for (const series of [x, inPlace, plain]) {
          const stats = {} as SearchStats;
          assert.deepEqual(
            await pool.searchSubsequence(series, q, { ...o, stats }),
            expected,
            label,
          );
          assertCounted(stats, x.length - m + 1, label);
        }
      });
    }
  }
});

Deno.test("WorkerPool.searchSubsequence equals brute force on small series (fixed seeds)", async () => {
  await using pool = new WorkerPool({ workers: 2 });
  const random = rng(1902);
  for (let t = 0; t < 12; t++) {
    const m = 1 + Math.floor(random() * 40);
    const n = m + Math.floor(random() * 3000);
    const x = randomWalk(n, random);
    const q = randomWalk(m, random);
    const b = {
      k: 1 + Math.floor(random() * 4),
      window: Math.floor(random() * 6),
      exclusionZone: Math.floor(random() * m),
      squared: random() < 0.5,
      normalize: random() < 0.7,
    };
    const stats = {} as SearchStats;
    const got = await withSizes(
      1024,
      2 ** 22,
      () => pool.searchSubsequence(shared(x), q, options(b, stats)),
    );
    const want = brute(x, q, b);
    const label = `n ${n} m ${m} ${JSON.stringify(b)}`;
    assert.deepEqual(got.map((r) => r.start), want.map((r) => r.start), label);
    got.forEach((r, i) => {
      assert.ok(
        Math.abs(r.distance - want[i].distance) <= 1e-9 * (1 + r.distance),
        label,
      );
    });
    assertCounted(stats, n - m + 1, label);
  }
});

Deno.test("WorkerPool.searchSubsequence: parts smaller than the query, series of one window, query of one point", async () => {
  await using pool = new WorkerPool({ workers: 2 });
  const random = rng(1903);
  // Parts of 1,024 windows, queries of 1,100 and 2,100 points.
  for (const m of [1100, 2100]) {
    const q = randomWalk(m, random);
    const x = plantedWalk(7000, q, [2500], random);
    for (const o of [{ window: 20, k: 2 }, { window: 9, normalize: false }]) {
      const expected = searchSubsequence(x, q, o);
      const got = await withSizes(
        1024,
        2048,
        () => pool.searchSubsequence(x, q, o),
      );
      assert.deepEqual(got, expected, `m ${m} ${JSON.stringify(o)}`);
    }
    assert.equal(
      (await pool.searchSubsequence(x, q, { window: 20 }))[0].start,
      2500,
    );
  }
  const one = randomWalk(64, random);
  assert.deepEqual(
    await pool.searchSubsequence(shared(one), one, { window: 3, k: 2 }),
    searchSubsequence(one, one, { window: 3, k: 2 }),
  );
  assert.deepEqual(
    await pool.searchSubsequence(one, [5], { window: 0, k: 3 }),
    searchSubsequence(one, [5], { window: 0, k: 3 }),
  );
});

Deno.test("SearchControl: the shared bound starts at Infinity and only goes down", () => {
  const c = new SearchControl();
  assert.equal(c.bound, Infinity);
  c.lower(5.25);
  assert.equal(c.bound, 5.25);
  c.lower(7);
  assert.equal(c.bound, 5.25);
  c.lower(Infinity);
  assert.equal(c.bound, 5.25);
  // A worker's view of the same memory sees and lowers the same bound.
  const view = new SearchControl(c.buffer);
  assert.equal(view.bound, 5.25);
  view.lower(1e-300);
  assert.equal(c.bound, 1e-300);
  c.lower(0);
  assert.equal(view.bound, 0);
  view.lower(3);
  assert.equal(c.bound, 0);
  // Parts are claimed in order, once each.
  assert.deepEqual([c.claim(), view.claim(), c.claim()], [0, 1, 2]);
  c.restart();
  assert.equal(view.claim(), 0);
  assert.equal(c.bound, 0); // a new segment keeps the bound
  // Waiting: true once the part is in place, false once stopped.
  c.ready(2);
  assert.equal(view.waitFor(1), true);
  c.stop();
  assert.equal(view.stopped, true);
  assert.equal(view.waitFor(5), false);
});

Deno.test("searchClaimed: a worker's share from a preset shared bound, on this thread, gives the candidates of the exact result", () => {
  const random = rng(1904);
  const m = 64;
  const q = randomWalk(m, random);
  const x = shared(plantedWalk(30_000, q, [4000, 21_000], random));
  for (const o of CASES) {
    const expected = searchSubsequence(x, q, o);
    const a = searchArgs("searchSubsequence", x.length, m, o);
    const windows = x.length - m + 1;
    // No bound; the bound of the exact k-th match (as another worker
    // might have found it); parts claimed by another worker first.
    for (const preset of ["none", "exact", "taken"]) {
      const c = new SearchControl();
      if (preset === "exact" && expected.length === a.k) {
        c.lower(expected.at(-1)!.distance + 1e-3); // above the kernel's error
      }
      const taken = preset === "taken" ? 3 : 0;
      for (let j = 0; j < taken; j++) c.claim();
      c.ready(Math.ceil(windows / 2048));
      const mine = searchClaimed(x, 0, q, a, c.buffer, 2048, windows);
      const label = `${JSON.stringify(o)} ${preset}`;
      assert.equal(mine.windows, windows - taken * 2048, label);
      assert.equal(c.left, 1, label); // counted as it left
      // Each part exchanged the bound once per block of 1,024 windows.
      let blocks = 0;
      for (let from = taken * 2048; from < windows; from += 2048) {
        blocks += Math.ceil(Math.min(2048, windows - from) / 1024);
      }
      assert.equal(mine.exchanges, blocks, label);
      if (preset === "taken") continue;
      assert.deepEqual(
        searchMatches(x, q, mine.candidates, a),
        expected,
        label,
      );
      const stats = {} as SearchStats;
      fillSearchStats(stats, windows, [mine.stats]);
      assertCounted(stats, windows, label);
      // A part forms a bound when k windows fit in it, spaced apart by
      // twice the exclusion zone.
      if (2 * a.exclusionZone * (a.k - 1) < 2048) {
        assert.ok(c.bound < Infinity, label);
      }
    }
  }
  // A stopped call: no part is searched.
  const c = new SearchControl();
  c.stop();
  const a = searchArgs("searchSubsequence", x.length, m, { window: 3 });
  const none = {
    candidates: [],
    stats: [0, 0, 0, 0, 0],
    windows: 0,
    bad: -1,
    exchanges: 0,
  };
  assert.deepEqual(
    searchClaimed(x, 0, q, a, c.buffer, 1024, x.length - m + 1),
    none,
  );
  // Non-finite points in parts 2 and 5 (of 1,024 windows), in a segment
  // whose first point is point 4,096 of the series: the part is not
  // searched, and the point's absolute index is returned; the parts after
  // the first bad one are not searched, those before it are.
  const y = shared(x);
  y[5 * 1024 + 7] = -Infinity;
  y[2 * 1024 + m - 2] = NaN; // also the last point of part 1
  for (const taken of [0, 2, 5]) {
    const d = new SearchControl();
    for (let j = 0; j < taken; j++) d.claim();
    d.ready(30);
    const r = searchClaimed(y, 4096, q, a, d.buffer, 1024, y.length - m + 1);
    const want = taken === 0
      ? { windows: 1024, bad: 4096 + 2 * 1024 + m - 2, badPart: 1 }
      : taken === 2
      ? { windows: 0, bad: 4096 + 2 * 1024 + m - 2, badPart: 2 }
      : { windows: 0, bad: 4096 + 5 * 1024 + 7, badPart: 5 };
    assert.deepEqual(
      { windows: r.windows, bad: r.bad, badPart: d.badPart },
      want,
      `parts taken ${taken}`,
    );
    // Another worker, later: it claims no part after the bad one.
    assert.deepEqual(
      searchClaimed(y, 4096, q, a, d.buffer, 1024, y.length - m + 1),
      none,
    );
  }
});

Deno.test("WorkerPool.searchSubsequence with a busy worker runs on the free one; bad elements are named, in place or copied; an abort leaves the pool working", async () => {
  await using pool = new WorkerPool({ workers: 2 });
  const random = rng(1905);
  const m = 32;
  const q = randomWalk(m, random);
  const x = plantedWalk(40_000, q, [30_000], random);
  const o = { window: 3, k: 2 };
  const expected = searchSubsequence(x, q, o);
  // One worker busy with a long DTW: the search runs on the other.
  const long = randomWalk(6000, random);
  const busy = pool.dtw(long, long);
  const progress: number[] = [];
  const got = await withSizes(
    1024,
    2 ** 22,
    () =>
      pool.searchSubsequence(x, q, {
        ...o,
        onProgress: (p) => progress.push(p.done / p.total),
      }),
  );
  assert.deepEqual(got, expected);
  assert.deepEqual(progress, [1]); // one worker did all the parts
  await busy;
  // A bad element, named by its index, in any segment: checked by the
  // workers (typed arrays, copied or read in place) or as it is copied (a
  // plain array).
  for (
    const series of [shared(x), x.slice(), Float32Array.from(x), Array.from(x)]
  ) {
    series[25_001] = NaN;
    await withSizes(1024, 8192, async () => {
      await assert.rejects(
        pool.searchSubsequence(series, q, o),
        (e) => e instanceof TypeError && e.message.includes("series[25001]"),
      );
    });
  }
  // Aborted: rejects with the reason, and the pool still works.
  const controller = new AbortController();
  const pending = pool.searchSubsequence(randomWalk(200_000, random), q, {
    window: Infinity,
    signal: controller.signal,
  });
  controller.abort(new Error("enough"));
  await assert.rejects(pending, { message: "enough" });
  assert.deepEqual(await pool.searchSubsequence(x, q, o), expected);
});

Deno.test("WorkerPool.searchSubsequence: an abort stops the workers, each claims at most one part after it and searches none", async () => {
  // A fresh pool: both workers take part in the call. The call's control
  // block is seen as it is stopped; once both workers have left the call,
  // the parts claimed after the abort are counted. Unstopped, the workers
  // would claim all of its 196 parts of 1024 windows (seconds of work, at
  // query 256 and no band).
  await using pool = new WorkerPool({ workers: 2 });
  const random = rng(1907);
  const stops: { control: SearchControl; claimed: number }[] = [];
  const stop = SearchControl.prototype.stop;
  SearchControl.prototype.stop = function (this: SearchControl) {
    stops.push({ control: this, claimed: this.claimed });
    stop.call(this);
  };
  try {
    const controller = new AbortController();
    const slow = randomWalk(200_000, random);
    const pending = withSizes(
      1024,
      2 ** 22,
      () =>
        pool.searchSubsequence(slow, randomWalk(256, random), {
          window: Infinity,
          signal: controller.signal,
        }),
    );
    setTimeout(() => controller.abort(new Error("enough")), 20);
    await assert.rejects(pending, { message: "enough" });
  } finally {
    SearchControl.prototype.stop = stop;
  }
  assert.ok(stops.length >= 1);
  const { control, claimed } = stops[0];
  // Bounded: 6,000 checks 5 ms apart.
  for (let i = 0; i < 6000 && control.left < 2; i++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.equal(control.left, 2);
  const parts = Math.ceil((200_000 - 256 + 1) / 1024);
  assert.ok(
    claimed < parts - 2,
    `claimed ${claimed} of ${parts} parts before the abort`,
  );
  assert.ok(
    control.claimed <= claimed + 2,
    `${control.claimed - claimed} parts claimed after the abort`,
  );
});

Deno.test("WorkerPool.searchSubsequence reuses its shared memory: longer and shorter series in turn, and overlapping calls", async () => {
  await using pool = new WorkerPool({ workers: 2 });
  const random = rng(1906);
  const q = randomWalk(40, random);
  const series = [30_000, 5000, 41_000, 2000, 30_000].map((n) =>
    plantedWalk(n, q, [n >> 1], random)
  );
  const o = { window: 3, k: 2 };
  const expected = series.map((x) => searchSubsequence(x, q, o));
  await withSizes(2048, 2 ** 22, async () => {
    for (const [i, x] of series.entries()) {
      assert.deepEqual(await pool.searchSubsequence(x, q, o), expected[i]);
    }
    // At once: each call has memory of its own.
    assert.deepEqual(
      await Promise.all(series.map((x) => pool.searchSubsequence(x, q, o))),
      expected,
    );
  });
});
