// Copyright 2026 the @midstreamer/kit authors. MIT license.

import assert from "node:assert/strict";
import { lcs } from "@midstreamer/kit";
import { PureJSLCS } from "@midstreamer/kit/baseline";
import { randInt, rng } from "../testing/rng.ts";
import { dpLcs, names, pick, UNICODE } from "./_lcs_reference.ts";

Deno.test("lcs() matches the DP on random arrays, lengths 0 to 700, alphabets 1 to 1,000", () => {
  const random = rng(101);
  for (const size of [1, 3, 64, 1000]) {
    const alphabet = names(size);
    for (let t = 0; t < 24; t++) {
      const a = pick(random, alphabet, randInt(random, 0, 700));
      const b = pick(random, alphabet, randInt(random, 0, 700));
      assert.equal(
        lcs(a, b),
        dpLcs(a, b),
        `size ${size}, ${a.length} x ${b.length}`,
      );
    }
  }
});

Deno.test("lcs() at word and segment boundaries", () => {
  const random = rng(102);
  // 63-bit words, segments of 8 words (504 symbols).
  const lengths = [
    0,
    1,
    2,
    62,
    63,
    64,
    125,
    126,
    127,
    503,
    504,
    505,
    1008,
    1009,
  ];
  for (const n of lengths) {
    for (const m of [0, 1, 63, 64, 504, 505, 1100]) {
      const a = pick(random, [0, 1, 2, 3], n);
      const b = pick(random, [0, 1, 2, 3], m);
      assert.equal(lcs(a, b), dpLcs(a, b), `${n} x ${m}`);
      assert.equal(lcs(b, a), lcs(a, b));
    }
  }
  // Identical sequences: every bit matches, the carries ripple through.
  const same = pick(random, [0, 1], 1500);
  assert.equal(lcs(same, same), 1500);
  assert.equal(lcs(new Array(777).fill("x"), new Array(900).fill("x")), 777);
  assert.equal(lcs(new Array(777).fill("x"), new Array(900).fill("y")), 0);
});

Deno.test("lcs() equals the original PureJSLCS.calculate on signals", () => {
  const random = rng(103);
  for (let t = 0; t < 40; t++) {
    const a = pick(random, ["BUY", "SELL", "HOLD"], randInt(random, 0, 300));
    const b = pick(random, ["BUY", "SELL", "HOLD"], randInt(random, 0, 300));
    assert.equal(lcs(a, b), PureJSLCS.calculate(a, b));
  }
});

Deno.test("lcs() compares strings by code point", () => {
  const random = rng(104);
  assert.equal(lcs("😀", "😀"), 1);
  assert.equal(lcs("😀", "😁"), 0); // same high surrogate, different code points
  assert.equal(lcs("a😀b", ["a", "😀", "b"]), 3);
  assert.equal(lcs("\ud800", "\ud800\udc00"), 0); // a lone surrogate is not a pair
  assert.equal(lcs("\ud800x", "\ud800"), 1);
  for (let t = 0; t < 40; t++) {
    const a = pick(random, UNICODE, randInt(random, 0, 400)).join("");
    const b = pick(random, UNICODE, randInt(random, 0, 400)).join("");
    assert.equal(lcs(a, b), dpLcs(a, b));
    assert.equal(lcs(a, Array.from(b)), dpLcs(a, b));
  }
});

Deno.test("lcs() follows === for mixed strings and numbers", () => {
  assert.equal(lcs([1, "1", 2], ["1", 1, 2]), 2);
  assert.equal(lcs([1], ["1"]), 0);
  assert.equal(lcs([0], [-0]), 1);
  assert.equal(lcs([NaN], [NaN]), 0);
  assert.equal(lcs([NaN, NaN, 1], [NaN, 1, NaN]), 1);
  assert.equal(lcs(Float64Array.of(NaN, 1), Float64Array.of(NaN, 1)), 1);
  assert.equal(lcs([Infinity, -Infinity], [-Infinity, Infinity]), 1);
  assert.equal(lcs(["a"], "a"), 1);
  const random = rng(105);
  const alphabet = [0, 1, "0", "1", NaN, -0, 1.5, "1.5", 1e12, -70000, "", "x"];
  for (let t = 0; t < 60; t++) {
    const a = pick(random, alphabet, randInt(random, 0, 200));
    const b = pick(random, alphabet, randInt(random, 0, 200));
    assert.equal(lcs(a, b), dpLcs(a, b));
  }
});

Deno.test("lcs() accepts numeric typed arrays", () => {
  const random = rng(106);
  const kinds = [
    Int8Array,
    Uint8Array,
    Uint8ClampedArray,
    Int16Array,
    Uint16Array,
    Int32Array,
    Uint32Array,
    Float32Array,
    Float64Array,
  ];
  for (const Kind of kinds) {
    for (const size of [1, 3, 100]) {
      const a = Kind.from(
        pick(random, names(size).map((_, i) => i), randInt(random, 0, 500)),
      );
      const b = Kind.from(
        pick(random, names(size).map((_, i) => i), randInt(random, 0, 500)),
      );
      assert.equal(lcs(a, b), dpLcs(a, b), Kind.name);
      assert.equal(lcs(a, Array.from(b)), dpLcs(a, b));
    }
  }
  // Typed arrays compare by value across kinds, never by bit pattern.
  assert.equal(lcs(Uint32Array.of(2 ** 32 - 1, 7), Int32Array.of(-1, 7)), 1);
  assert.equal(lcs(Uint8Array.of(255, 1), Int8Array.of(-1, 1)), 1);
  assert.equal(
    lcs(Uint16Array.of(65535, 3), Int16Array.of(-1, 3, 65535 - 65536)),
    1,
  );
  assert.equal(lcs(Int32Array.of(-(2 ** 31), 2 ** 31 - 1), [2 ** 31 - 1]), 1);
  assert.equal(lcs(Int32Array.of(-(2 ** 31), 2 ** 31 - 1), Int8Array.of(0)), 0);
  assert.equal(
    lcs(Int32Array.of(-(2 ** 31), 5, 2 ** 31 - 1), Int16Array.of(5)),
    1,
  );
  // Integer ranges just inside and outside the direct (no interning) path.
  for (const span of [65535, 65536, 65537, 1 << 20]) {
    const values = Array.from(
      { length: 64 },
      (_, i) => -7 + Math.floor((i * span) / 63),
    );
    const a = Int32Array.from(pick(random, values, 300));
    const b = Int32Array.from(pick(random, values, 280));
    assert.equal(lcs(a, b), dpLcs(a, b), `span ${span}`);
    assert.equal(lcs(a, Array.from(b)), dpLcs(a, b));
  }
  // Values outside the small-integer cache, and a large alphabet.
  const wide = Array.from({ length: 2000 }, (_, i) => i * 100_003);
  const a = Uint32Array.from(pick(random, wide, 600));
  const b = Uint32Array.from(pick(random, wide, 650));
  assert.equal(lcs(a, b), dpLcs(a, b));
});

Deno.test("lcs() rejects bad input", () => {
  assert.throws(() => lcs(5 as never, []), {
    name: "TypeError",
    message: /lcs: a must be/,
  });
  assert.throws(() => lcs([], null as never), {
    name: "TypeError",
    message: /lcs: b must be/,
  });
  assert.throws(() => lcs([], new BigInt64Array(2) as never), TypeError);
  assert.throws(
    () => lcs([], new DataView(new ArrayBuffer(4)) as never),
    TypeError,
  );
  assert.throws(() => lcs([1, 2], [1, 2, 3, {}] as never), {
    name: "TypeError",
    message: /^lcs: b\[3\] is an object .*; expected a string or number$/,
  });
  assert.throws(() => lcs([1, undefined] as never, []), {
    name: "TypeError",
    message: "lcs: a[1] is undefined; expected a string or number",
  });
  assert.throws(() => lcs([true] as never, []), {
    name: "TypeError",
    message: /lcs: a\[0\] is boolean/,
  });
  assert.throws(() => lcs(new Array(2 ** 31 + 1), []), {
    name: "RangeError",
    message: /lcs: a has 2147483649 symbols/,
  });
  // Still usable after an error.
  assert.equal(lcs("abc", "abd"), 2);
});
