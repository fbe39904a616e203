// Copyright 2026 the @midstreamer/kit authors. MIT license.

import assert from "node:assert/strict";
import { alignTimeframes, dtwPath } from "@midstreamer/kit";
import { originalDtw } from "./_dtw_reference.ts";
import { randomWalk, rng } from "../testing/rng.ts";

/** Bars of `size` minutes: the mean of each block of a 1-minute series. */
function bars(x: Float64Array, size: number): Float64Array {
  return Float64Array.from(
    { length: Math.floor(x.length / size) },
    (_, i) =>
      x.subarray(i * size, (i + 1) * size).reduce((s, v) => s + v, 0) / size,
  );
}

Deno.test("alignTimeframes aligns each adjacent pair like dtwPath and PureJSDTW", () => {
  const m1 = randomWalk(480, rng(51));
  const series = [m1, bars(m1, 5), bars(m1, 15), bars(m1, 60), bars(m1, 240)];
  for (const options of [undefined, { window: 3 }]) {
    const got = alignTimeframes(series, options);
    assert.equal(got.length, 4);
    got.forEach((pair, i) => {
      assert.equal(pair.from, i);
      assert.equal(pair.to, i + 1);
      assert.deepEqual(pair, {
        from: i,
        to: i + 1,
        ...dtwPath(series[i], series[i + 1], options),
      });
      const want = originalDtw(series[i], series[i + 1], options?.window);
      assert.equal(pair.distance, want);
    });
  }
});

Deno.test("alignTimeframes: fewer than two series, bad input", () => {
  assert.deepEqual(alignTimeframes([]), []);
  assert.deepEqual(alignTimeframes([[1, 2]]), []);
  assert.throws(() => alignTimeframes(3 as never), TypeError);
  assert.throws(() => alignTimeframes([[1], [2, NaN]]), /series\[1\]\[1\]/);
  assert.throws(() => alignTimeframes([[1], [2]], { window: -1 }), RangeError);
});
