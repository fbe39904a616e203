// Copyright 2026 the @midstreamer/kit authors. MIT license.

import assert from "node:assert/strict";
import { lcsAlignment, type LcsSequence } from "@midstreamer/kit";
import { randInt, rng } from "../testing/rng.ts";
import { dpLcs, names, pick, symbols, UNICODE } from "./_lcs_reference.ts";

/** Checks that `pairs` is a common subsequence of optimal length. */
function assertAlignment(a: LcsSequence, b: LcsSequence) {
  const { length, pairs } = lcsAlignment(a, b);
  const x = symbols(a);
  const y = symbols(b);
  assert.equal(length, dpLcs(a, b));
  assert.equal(pairs.length, length);
  let pi = -1;
  let pj = -1;
  for (const [i, j] of pairs) {
    assert.ok(
      i > pi && j > pj,
      `pairs increase: [${pi}, ${pj}] then [${i}, ${j}]`,
    );
    assert.ok(i < x.length && j < y.length);
    assert.equal(x[i], y[j], `a[${i}] === b[${j}]`);
    pi = i;
    pj = j;
  }
}

Deno.test("lcsAlignment() gives an optimal common subsequence on random arrays", () => {
  const random = rng(301);
  for (const size of [1, 3, 64, 1000]) {
    const alphabet = names(size);
    for (let t = 0; t < 12; t++) {
      const a = pick(random, alphabet, randInt(random, 0, 700));
      const b = pick(random, alphabet, randInt(random, 0, 700));
      assertAlignment(a, b);
    }
  }
});

Deno.test("lcsAlignment() edge cases", () => {
  assert.deepEqual(lcsAlignment([], []), { length: 0, pairs: [] });
  assert.deepEqual(lcsAlignment("abc", ""), { length: 0, pairs: [] });
  assert.deepEqual(lcsAlignment("a", "xxa"), { length: 1, pairs: [[0, 2]] });
  assert.deepEqual(lcsAlignment([NaN, 1], [NaN, 1]), {
    length: 1,
    pairs: [[1, 1]],
  });
  assert.deepEqual(lcsAlignment([1, "1"], ["1", 1]).length, 1);
  const same = Array.from({ length: 300 }, (_, i) => i % 7);
  assert.deepEqual(lcsAlignment(same, same).pairs, same.map((_, i) => [i, i]));
  // Long and thin: one symbol against many (Hirschberg's base cases).
  assertAlignment([5], Array.from({ length: 20000 }, (_, i) => i));
  assertAlignment(Array.from({ length: 20000 }, (_, i) => i % 3), [2, 1]);
  const random = rng(302);
  assertAlignment(
    pick(random, [0, 1, 2, 3], 3000),
    pick(random, [0, 1, 2, 3], 2000),
  );
});

Deno.test("lcsAlignment() on strings counts code points", () => {
  assert.deepEqual(lcsAlignment("😀x😁", "x😁"), {
    length: 2,
    pairs: [[1, 0], [2, 1]],
  });
  const random = rng(303);
  for (let t = 0; t < 20; t++) {
    const a = pick(random, UNICODE, randInt(random, 0, 300)).join("");
    const b = pick(random, UNICODE, randInt(random, 0, 300)).join("");
    assertAlignment(a, b);
    assertAlignment(a, Array.from(b));
  }
});

Deno.test("lcsAlignment() on typed arrays and mixed arrays", () => {
  const random = rng(304);
  for (let t = 0; t < 20; t++) {
    const a = Int16Array.from(
      pick(random, [-1, 0, 1], randInt(random, 0, 400)),
    );
    const b = pick(random, [-1, 0, 1, "0", NaN], randInt(random, 0, 400));
    assertAlignment(a, b);
  }
});

Deno.test("lcsAlignment() rejects bad input", () => {
  assert.throws(() => lcsAlignment({} as never, []), {
    name: "TypeError",
    message: /lcsAlignment: a must be/,
  });
  assert.throws(() => lcsAlignment([], ["a", Symbol("s")] as never), {
    name: "TypeError",
    message: /lcsAlignment: b\[1\] is symbol/,
  });
  assert.throws(() => lcsAlignment(new Array(2 ** 31 + 1), []), RangeError);
});
