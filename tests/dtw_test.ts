// Copyright 2026 the @midstreamer/kit authors. MIT license.

import assert from "node:assert/strict";
import { dtw, MAX_SERIES_LENGTH } from "@midstreamer/kit";
import { PureJSDTW, typedArrayDtw } from "@midstreamer/kit/baseline";
import { kit } from "../kernels/internal.ts";
import { fullMatrixDtw } from "./_dtw_reference.ts";
import { randInt, randomWalk, rng } from "../testing/rng.ts";

Deno.test("dtw equals the original calculate on random walks of lengths 1-500", () => {
  const random = rng(1);
  for (let t = 0; t < 120; t++) {
    const n = randInt(random, 1, 500);
    let m = randInt(random, 1, 500);
    if (m === n) m = n === 1 ? 2 : n - 1;
    const a = randomWalk(n, random), b = randomWalk(m, random);
    assert.equal(dtw(a, b), PureJSDTW.calculate(a, b), `n=${n} m=${m}`);
  }
});

Deno.test("dtw with window equals the original calculateWithWindow, 0 to beyond n", () => {
  const random = rng(2);
  for (let t = 0; t < 160; t++) {
    const n = randInt(random, 1, 300), m = randInt(random, 1, 300);
    const a = randomWalk(n, random), b = randomWalk(m, random);
    const window = randInt(random, 0, Math.max(n, m) + 20);
    assert.equal(
      dtw(a, b, { window }),
      PureJSDTW.calculateWithWindow(a, b, window),
      `n=${n} m=${m} window=${window}`,
    );
  }
});

Deno.test("dtw covers narrow bands, narrower than the length difference", () => {
  const random = rng(3);
  for (
    const [n, m] of [[40, 25], [25, 40], [200, 37], [64, 64], [129, 131], [
      300,
      2,
    ]]
  ) {
    const a = randomWalk(n, random), b = randomWalk(m, random);
    for (const window of [0, 1, 2, 3, 5, 8, 13, 17]) {
      assert.equal(
        dtw(a, b, { window }),
        PureJSDTW.calculateWithWindow(a, b, window),
        `n=${n} m=${m} window=${window}`,
      );
    }
  }
});

Deno.test("dtw squared cost equals an independent reference, banded and not", () => {
  const random = rng(4);
  for (let t = 0; t < 80; t++) {
    const n = randInt(random, 1, 260), m = randInt(random, 1, 260);
    const a = randomWalk(n, random), b = randomWalk(m, random);
    const window = randInt(random, 0, 40);
    assert.equal(
      dtw(a, b, { cost: "squared" }),
      fullMatrixDtw(a, b, { cost: "squared" }),
    );
    assert.equal(
      dtw(a, b, { cost: "squared", window }),
      fullMatrixDtw(a, b, { window, cost: "squared" }),
      `n=${n} m=${m} window=${window}`,
    );
  }
});

Deno.test("dtw accepts number[], Float32Array, Float64Array and integer arrays", () => {
  const random = rng(5);
  const a64 = randomWalk(150, random), b64 = randomWalk(97, random);
  const a32 = Float32Array.from(a64), b32 = Float32Array.from(b64);
  assert.equal(dtw(a32, b32), PureJSDTW.calculate(a32, b32));
  assert.equal(
    dtw(Array.from(a32), b32, { window: 60 }),
    PureJSDTW.calculateWithWindow(a32, b32, 60),
  );
  const ai = Int32Array.from(a64, (x) => Math.round(x * 100));
  const bi = Int16Array.from(b64, (x) => Math.round(x * 100));
  assert.equal(dtw(ai, bi), PureJSDTW.calculate(ai, bi));
  assert.equal(dtw(Array.from(a64), Array.from(b64)), dtw(a64, b64));
});

Deno.test("dtw edge cases: empty, length 1", () => {
  assert.equal(dtw([], []), 0);
  assert.equal(dtw([], [1, 2]), Infinity);
  assert.equal(dtw([3], []), Infinity);
  assert.equal(dtw([3], [5]), 2);
  assert.equal(dtw([3], [5, 1, 4]), PureJSDTW.calculate([3], [5, 1, 4]));
  assert.equal(
    dtw([5, 1, 4], [3], { window: 0 }),
    PureJSDTW.calculateWithWindow([5, 1, 4], [3], 0),
  );
  assert.equal(dtw([1], [1], { window: 0 }), 0);
});

Deno.test("dtw properties: identity, symmetry, and cutoff agreeing with the full result", () => {
  const random = rng(6);
  for (let t = 0; t < 60; t++) {
    const n = randInt(random, 1, 400), m = randInt(random, 1, 400);
    const a = randomWalk(n, random), b = randomWalk(m, random);
    const window = random() < 0.5 ? undefined : randInt(random, 0, 50);
    assert.equal(dtw(a, a, { window }), 0);
    const d = dtw(a, b, { window });
    assert.equal(dtw(b, a, { window }), d);
    assert.equal(dtw(a, b, { window, cutoff: d }), d);
    assert.equal(dtw(a, b, { window, cutoff: d * 1.5 + 1 }), d);
    if (d > 0) {
      assert.equal(dtw(a, b, { window, cutoff: d * (1 - 1e-9) }), Infinity);
      assert.equal(dtw(a, b, { window, cutoff: d / 10 }), Infinity);
    }
  }
  assert.equal(dtw([1, 2], [1, 2], { cutoff: -1 }), Infinity);
});

Deno.test("dtw on 20,000 x 19,000 with a band of 1,500 is exact, in bounded memory", () => {
  const random = rng(7);
  const a = randomWalk(20_000, random), b = randomWalk(19_000, random);
  const got = dtw(a, b, { window: 1_500 });
  assert.equal(got, typedArrayDtw(a, b, 1_500));
  // A full matrix would need 20,000 x 19,000 x 8 bytes = 3 GB.
  assert.ok(
    kit().memory.buffer.byteLength < 64 * 1024 * 1024,
    `WebAssembly memory grew to ${kit().memory.buffer.byteLength} bytes`,
  );
});

Deno.test("dtw rejects bad elements with a TypeError naming the argument and index", () => {
  const cases: [unknown, unknown, RegExp][] = [
    [[1, NaN, 3], [1], /a\[1\] is NaN/],
    [[1, 2], [0, 0, Infinity], /b\[2\] is Infinity/],
    [[1, -Infinity], [1], /a\[1\] is -Infinity/],
    [[1, "2"], [1], /a\[1\] is the string "2"/],
    [[1, 2], [undefined], /b\[0\] is undefined/],
    [new Float64Array([0, 0, 0, NaN]), [1], /a\[3\] is NaN/],
    [[1], new Float32Array([Infinity]), /b\[0\] is Infinity/],
  ];
  for (const [a, b, message] of cases) {
    assert.throws(() => dtw(a as number[], b as number[]), (e: unknown) => {
      assert.ok(e instanceof TypeError);
      assert.match(e.message, message);
      return true;
    });
  }
});

Deno.test("dtw rejects non-arrays and bad options", () => {
  assert.throws(() => dtw(5 as never, [1]), TypeError);
  assert.throws(
    () => dtw([1], "abc" as never),
    /b must be an array/,
  );
  assert.throws(
    () => dtw(null as never, [1]),
    /a must be an array/,
  );
  assert.throws(
    () => dtw([1], [1], { windw: 3 } as never),
    /unknown option "windw"/,
  );
  assert.throws(() => dtw([1], [1], { cost: "cubic" } as never), TypeError);
  assert.throws(() => dtw([1], [1], 7 as never), /options must be an object/);
  assert.throws(() => dtw([1], [1], { window: "3" } as never), TypeError);
  assert.throws(() => dtw([1], [1], { window: -1 }), RangeError);
  assert.throws(
    () => dtw([1], [1], { window: 2.5 }),
    /window must be a non-negative integer/,
  );
  assert.throws(() => dtw([1], [1], { window: NaN }), RangeError);
  assert.throws(() => dtw([1], [1], { cutoff: NaN }), RangeError);
  assert.throws(
    () => dtw([1], [1], { cutoff: "1" } as never),
    (e) => e instanceof TypeError && /cutoff must be a number/.test(e.message),
  );
  assert.equal(dtw([1], [3], { window: Infinity }), 2);
});

Deno.test("dtw rejects series longer than the limit with a RangeError that states it", () => {
  const huge = { length: MAX_SERIES_LENGTH + 1 } as ArrayLike<number>;
  assert.throws(() => dtw(huge, [1]), (e: unknown) => {
    assert.ok(e instanceof RangeError);
    assert.match(e.message, /a has 33554433 points; the limit is 33554432/);
    return true;
  });
});
