// Copyright 2026 the @midstreamer/kit authors. MIT license.

import assert from "node:assert/strict";
import { dtw, type DtwOptions, dtwPath } from "@midstreamer/kit";
import { dtwArgs, pathPacked, toF64 } from "../kernels/internal.ts";
import { originalDtw } from "./_dtw_reference.ts";
import { randInt, randomWalk, rng } from "../testing/rng.ts";

/** Checks start, end, unit steps and band; returns the path's cost summed from the start. */
function checkPath(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  path: Array<[number, number]>,
  window: number | undefined,
  squared = false,
): number {
  const n = a.length, m = b.length;
  const w = window === undefined ? Infinity : Math.max(window, Math.abs(n - m));
  assert.deepEqual(path[0], [0, 0]);
  assert.deepEqual(path[path.length - 1], [n - 1, m - 1]);
  let cost = 0;
  path.forEach(([i, j], s) => {
    assert.ok(Math.abs(i - j) <= w, `cell ${i},${j} outside the band ${w}`);
    if (s > 0) {
      const [pi, pj] = path[s - 1];
      const di = i - pi, dj = j - pj;
      assert.ok(
        di >= 0 && dj >= 0 && di <= 1 && dj <= 1 && di + dj > 0,
        `step ${s}`,
      );
    }
    const d = a[i] - b[j];
    cost += squared ? d * d : Math.abs(d);
  });
  return cost;
}

Deno.test("dtwPath is valid and optimal (PureJSDTW), with windows and unequal lengths", () => {
  const random = rng(41);
  for (let trial = 0; trial < 40; trial++) {
    const a = randomWalk(randInt(random, 1, 90), random);
    const b = randomWalk(randInt(random, 1, 90), random);
    const window = trial % 3 === 0 ? undefined : randInt(random, 0, 15);
    const want = originalDtw(a, b, window);
    const { distance, path } = dtwPath(
      a,
      b,
      window === undefined ? undefined : { window },
    );
    assert.equal(distance, want);
    assert.equal(checkPath(a, b, path, window), want, `trial ${trial}`);
  }
});

Deno.test("dtwPath with the squared cost sums to dtw exactly", () => {
  const random = rng(42);
  const a = randomWalk(150, random), b = randomWalk(110, random);
  for (
    const options of [{ cost: "squared" as const }, {
      cost: "squared" as const,
      window: 7,
    }]
  ) {
    const { distance, path } = dtwPath(a, b, options);
    assert.equal(distance, dtw(a, b, options));
    assert.equal(checkPath(a, b, path, options.window, true), distance);
  }
});

Deno.test("dtwPath in bounded memory gives the same path (divide and conquer)", () => {
  const random = rng(43);
  // Without a band and within the limit, the whole matrix comes from the
  // stripe kernel (transposed when a is shorter; scalar rows when the
  // shorter series has under 24 points); the small limits trace the path
  // by divide and conquer: both must give the same path.
  for (
    const [n, m, options] of [
      [300, 260, {}],
      [300, 260, { window: 50 }],
      [300, 260, { window: 3 }],
      [121, 310, {}],
      [401, 17, { cost: "squared" }],
      [9, 150, {}],
    ] as Array<[number, number, DtwOptions]>
  ) {
    const a = randomWalk(n, random), b = randomWalk(m, random);
    const args = dtwArgs("test", options);
    const full = pathPacked(toF64("t", "a", a), toF64("t", "b", b), args);
    for (const limit of [1, 64, 2000, 20000]) {
      const small = pathPacked(
        toF64("t", "a", a),
        toF64("t", "b", b),
        args,
        limit,
      );
      assert.deepEqual(
        small,
        full,
        `${n}×${m} limit ${limit} ${JSON.stringify(options)}`,
      );
    }
    assert.equal(
      checkPath(a, b, full.path, options.window, options.cost === "squared"),
      full.distance,
    );
  }
});

Deno.test("dtwPath: empty, single points, cutoff", () => {
  assert.deepEqual(dtwPath([], []), { distance: 0, path: [] });
  assert.deepEqual(dtwPath([1], []), { distance: Infinity, path: [] });
  assert.deepEqual(dtwPath([1], [3]), { distance: 2, path: [[0, 0]] });
  assert.deepEqual(dtwPath([1], [3, 4]).path, [[0, 0], [0, 1]]);
  assert.deepEqual(dtwPath([0, 0], [1, 1], { cutoff: 1 }), {
    distance: Infinity,
    path: [],
  });
  assert.equal(dtwPath([0, 0], [1, 1], { cutoff: 2 }).distance, 2);
});

Deno.test("dtwPath rejects bad input", () => {
  assert.throws(() => dtwPath([1, NaN], [1]), /a\[1\]/);
  assert.throws(() => dtwPath([1], "ab" as never), TypeError);
  assert.throws(() => dtwPath([1], [1], { window: -2 }), RangeError);
});
