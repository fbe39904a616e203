// Copyright 2026 the @midstreamer/kit authors. MIT license.

import assert from "node:assert/strict";
import { dtw, searchSubsequence, warmUp } from "@midstreamer/kit";
import { fullMatrixDtw } from "./_dtw_reference.ts";
import { randInt, randomWalk, rng } from "../testing/rng.ts";

/** The best window of `x` for `q`: z-normalized, banded, squared cost, by brute force. */
function bruteBest(
  x: Float64Array,
  q: Float64Array,
  window: number,
): { start: number; distance: number } {
  const z = (w: ArrayLike<number>) => {
    let mean = 0;
    for (let i = 0; i < w.length; i++) mean += w[i] / w.length;
    let v = 0;
    for (let i = 0; i < w.length; i++) v += (w[i] - mean) ** 2 / w.length;
    return Array.from(w, (y) => (y - mean) / Math.sqrt(v));
  };
  const qz = z(q);
  let best = { start: -1, distance: Infinity };
  for (let s = 0; s + q.length <= x.length; s++) {
    const d = fullMatrixDtw(z(x.subarray(s, s + q.length)), qz, {
      window,
      cost: "squared",
    });
    if (d < best.distance) best = { start: s, distance: d };
  }
  return best;
}

Deno.test("warmUp() rejects bad options", async () => {
  await assert.rejects(() => warmUp(null as never), TypeError);
  await assert.rejects(() => warmUp(5 as never), TypeError);
  await assert.rejects(
    () => warmUp({ timout: 5 } as never),
    /unknown option "timout"/,
  );
  await assert.rejects(
    () => warmUp({ timeout: "5" } as never),
    (e) => e instanceof TypeError && /timeout must be a number/.test(e.message),
  );
  await assert.rejects(
    () => warmUp({ kernels: "dtw" } as never),
    (e) => e instanceof TypeError && /kernels must be an array/.test(e.message),
  );
  await assert.rejects(
    () => warmUp({ kernels: ["dtw", "lcs"] } as never),
    (e) =>
      e instanceof TypeError &&
      /kernels\[1\] is the string "lcs"/.test(e.message),
  );
  for (const timeout of [-1, NaN, -Infinity, Infinity]) {
    await assert.rejects(
      () => warmUp({ timeout }),
      (e) =>
        e instanceof RangeError &&
        /timeout must be a finite number/.test(e.message),
      String(timeout),
    );
  }
});

Deno.test("warmUp() resolves within its timeout, then the kernels compute what the references do", async () => {
  // No kernels: it only compiles the module.
  assert.deepEqual(
    { ...(await warmUp({ kernels: [] })), ms: 0 },
    { ready: true, ms: 0, rounds: 0 },
  );
  const quick = await warmUp({ timeout: 0 });
  assert.equal(typeof quick.ready, "boolean");
  assert.ok(quick.ready || quick.rounds === 1, JSON.stringify(quick));
  for (const kernels of [["dtw"], undefined] as const) {
    const t0 = performance.now();
    const result = await warmUp({
      timeout: 10_000,
      kernels: kernels && [...kernels],
    });
    const wall = performance.now() - t0;
    assert.ok(Number.isInteger(result.rounds) && result.rounds >= 0);
    assert.ok(result.ms >= 0 && result.ms <= wall + 1, JSON.stringify(result));
    if (result.ready) {
      // Once ready, later calls return at once.
      const again = await warmUp({ kernels: kernels && [...kernels] });
      assert.deepEqual([again.ready, again.rounds], [true, 0]);
    }
  }
  const random = rng(2026);
  for (let trial = 0; trial < 12; trial++) {
    const a = randomWalk(randInt(random, 1, 300), random);
    const b = randomWalk(randInt(random, 1, 300), random);
    const cost = trial % 2 === 0 ? "absolute" : "squared";
    const window = trial % 3 === 0 ? undefined : randInt(random, 0, 20);
    assert.equal(
      dtw(a, b, { cost, window }),
      fullMatrixDtw(a, b, { cost, window }),
      `trial ${trial}: n ${a.length}, m ${b.length}, ${cost}, window ${window}`,
    );
  }
  const x = randomWalk(3000, random), q = randomWalk(64, random);
  const [got] = searchSubsequence(x, q, { window: 3, cost: "squared" });
  const want = bruteBest(x, q, 3);
  assert.equal(got.start, want.start);
  assert.ok(
    Math.abs(got.distance - want.distance) <= 1e-9 * want.distance,
    `${got.distance} vs ${want.distance}`,
  );
});
