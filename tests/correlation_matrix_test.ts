// Copyright 2026 the @midstreamer/kit authors. MIT license.

import assert from "node:assert/strict";
import {
  correlationMatrix,
  type LcsSequence,
  WorkerPool,
} from "@midstreamer/kit";
import { PureJSLCS } from "@midstreamer/kit/baseline";
import {
  ALONE_CORRELATION_WORK,
  assembleCorrelationMatrix,
  correlationRows,
  correlationWork,
  encodeSequences,
  LOCAL_CORRELATION_WORK,
  pairCount,
  splitRows,
} from "../kernels/internal.ts";
import { randInt, rng } from "../testing/rng.ts";
import { dpLcs, names, pick, symbols, UNICODE } from "./_lcs_reference.ts";

/** The original matrix, flattened; two empty sequences correlate 1. */
function reference(sequences: readonly LcsSequence[]): Float64Array {
  const n = sequences.length;
  const original = PureJSLCS.buildCorrelationMatrix(sequences.map(symbols));
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const v = original[i][j];
      out[i * n + j] = Number.isNaN(v) ? 1 : v;
    }
  }
  return out;
}

function assertMatrix(actual: Float64Array, sequences: readonly LcsSequence[]) {
  const expected = reference(sequences);
  const n = sequences.length;
  assert.equal(actual.length, n * n);
  for (let k = 0; k < n * n; k++) {
    if (actual[k] !== expected[k]) {
      const i = Math.floor(k / n);
      const j = k % n;
      assert.fail(
        `[${i}, ${j}]: ${actual[k]} !== ${expected[k]} (lengths ${
          symbols(sequences[i]).length
        }, ${symbols(sequences[j]).length})`,
      );
    }
  }
}

Deno.test("correlationMatrix() equals the original buildCorrelationMatrix on signals", () => {
  const random = rng(201);
  for (const [n, len] of [[10, 50], [23, 100], [9, 200]]) {
    const sequences = Array.from(
      { length: n },
      () => pick(random, ["BUY", "SELL", "HOLD"], len),
    );
    assertMatrix(correlationMatrix(sequences), sequences);
  }
});

Deno.test("correlationMatrix() with mixed lengths 0 to 700 and alphabets 1 to 1,000", () => {
  const random = rng(202);
  for (const size of [1, 3, 64, 1000]) {
    const alphabet = names(size);
    for (const n of [1, 2, 3, 4, 5, 8, 9, 13]) {
      const sequences = Array.from(
        { length: n },
        () => pick(random, alphabet, randInt(random, 0, n < 6 ? 700 : 260)),
      );
      assertMatrix(correlationMatrix(sequences), sequences);
    }
  }
});

Deno.test("correlationMatrix() with long sequences (several segments per block)", () => {
  const random = rng(203);
  const sequences = Array.from(
    { length: 7 },
    (_, i) => pick(random, [0, 1, 2], 200 + 150 * i),
  );
  assertMatrix(correlationMatrix(sequences), sequences);
});

Deno.test("correlationMatrix() mixes strings, arrays and typed arrays", () => {
  const random = rng(204);
  const sequences: LcsSequence[] = [
    pick(random, UNICODE, 80).join(""),
    pick(random, UNICODE, 90),
    [1, "1", 2, NaN, 0, -0, "2"],
    Int32Array.of(1, 2, 0, 0, 1),
    Float64Array.of(NaN, 1, 2),
    "",
    [],
    pick(random, [...UNICODE, 1, 2, "1"], 120),
  ];
  assertMatrix(correlationMatrix(sequences), sequences);
});

Deno.test("correlationMatrix() shape: symmetric, unit diagonal, empty sequences", () => {
  assert.deepEqual(correlationMatrix([]), new Float64Array(0));
  assert.deepEqual(correlationMatrix([[]]), Float64Array.of(1));
  assert.deepEqual(correlationMatrix([[], ""]), Float64Array.of(1, 1, 1, 1));
  assert.deepEqual(correlationMatrix([[], "a"]), Float64Array.of(1, 0, 0, 1));
  assert.deepEqual(
    correlationMatrix(["ab", "ab"], {}),
    Float64Array.of(1, 1, 1, 1),
  );
  const random = rng(205);
  const sequences = Array.from(
    { length: 11 },
    () => pick(random, [0, 1], randInt(random, 0, 40)),
  );
  const n = sequences.length;
  const m = correlationMatrix(sequences);
  for (let i = 0; i < n; i++) {
    assert.equal(m[i * n + i], 1);
    for (let j = 0; j < n; j++) {
      assert.ok(m[i * n + j] >= 0 && m[i * n + j] <= 1);
      assert.equal(m[i * n + j], m[j * n + i]);
    }
  }
});

Deno.test("correlationMatrix() rejects bad input", () => {
  assert.throws(() => correlationMatrix("abc" as never), {
    name: "TypeError",
    message: /correlationMatrix: sequences must be an array/,
  });
  assert.throws(() => correlationMatrix(null as never), TypeError);
  assert.throws(() => correlationMatrix([[1], [2], 3] as never), {
    name: "TypeError",
    message: /correlationMatrix: sequences\[2\] must be/,
  });
  assert.throws(() => correlationMatrix([[1], [2, 3, 4, null]] as never), {
    name: "TypeError",
    message:
      /correlationMatrix: sequences\[1\]\[3\] is null; expected a string or number/,
  });
  assert.throws(() => correlationMatrix([[1]], { pool: 2 } as never), {
    name: "TypeError",
    message: /correlationMatrix: unknown option "pool"/,
  });
  assert.throws(() => correlationMatrix([[1]], null as never), TypeError);
  assert.throws(() => correlationMatrix([[], new Array(2 ** 31 + 1)]), {
    name: "RangeError",
    message: /sequences\[1\] has 2147483649 symbols/,
  });
});

Deno.test("correlation building blocks: rows computed in parts assemble the matrix", () => {
  const random = rng(206);
  const sequences = Array.from(
    { length: 37 },
    () => pick(random, ["BUY", "SELL", "HOLD"], randInt(random, 0, 300)),
  );
  const encoded = encodeSequences("test", sequences);
  const n = sequences.length;
  // Sorted by length, ascending.
  for (let r = 1; r < n; r++) {
    const len = (q: number) => encoded.starts[q + 1] - encoded.starts[q];
    assert.ok(len(encoded.order[r - 1]) <= len(encoded.order[r]));
  }
  const whole = correlationMatrix(sequences);
  for (const parts of [1, 2, 3, 5]) {
    const bounds = splitRows(encoded, parts);
    assert.equal(bounds[0], 0);
    assert.equal(bounds.at(-1), n);
    assert.ok(bounds.length - 1 <= parts);
    const rows = bounds.slice(1).map((rowEnd, k) => ({
      rowStart: bounds[k],
      rowEnd,
      values: correlationRows(encoded, bounds[k], rowEnd),
    }));
    assert.deepEqual(assembleCorrelationMatrix(encoded, rows), whole);
  }
  // Any split works, including ones off the blocks of 4.
  const oddBounds = [0, 3, 10, 11, n];
  const odd = oddBounds.slice(1).map((rowEnd, k) => ({
    rowStart: oddBounds[k],
    rowEnd,
    values: correlationRows(encoded, oddBounds[k], rowEnd),
  }));
  assert.deepEqual(assembleCorrelationMatrix(encoded, odd), whole);
  // Values are row-major over sorted positions.
  const values = correlationRows(encoded, 5, 7);
  assert.equal(values.length, pairCount(n, 5, 7));
  const seq = (r: number) => sequences[encoded.order[r]];
  const expect = (r: number, s: number) =>
    dpLcs(seq(r), seq(s)) / Math.max(seq(r).length, seq(s).length || 1);
  assert.equal(values[0], expect(5, 6));
  assert.equal(values[pairCount(n, 5, 6) + 2], expect(6, 9));
  // Encoded data survives a structured clone (a worker message).
  const cloned = structuredClone(encoded);
  assert.deepEqual(
    correlationRows(cloned, 0, n),
    correlationRows(encoded, 0, n),
  );
});

Deno.test("correlationRows() checks its input", () => {
  const encoded = encodeSequences("test", [[1, 2], [2, 3], [3]]);
  assert.throws(() => correlationRows(encoded, 2, 1), RangeError);
  assert.throws(() => correlationRows(encoded, 0, 4), RangeError);
  assert.throws(
    () =>
      correlationRows({ ...encoded, ids: Int32Array.of(0, 1, 9, 2, 3) }, 0, 3),
    { name: "TypeError", message: /ids\[2\] is out of range/ },
  );
  assert.throws(
    () => correlationRows({ ...encoded, order: Uint32Array.of(0, 1, 3) }, 0, 3),
    TypeError,
  );
  assert.throws(
    () =>
      correlationRows({ ...encoded, starts: Uint32Array.of(0, 2, 1, 5) }, 0, 3),
    TypeError,
  );
  assert.throws(
    () =>
      assembleCorrelationMatrix(encoded, [{
        rowStart: 0,
        rowEnd: 3,
        values: new Float64Array(2),
      }]),
    RangeError,
  );
});

Deno.test("WorkerPool.correlationMatrix equals the single-thread matrix", async () => {
  const random = rng(4242);
  const sequences = Array.from(
    { length: 37 },
    () => pick(random, ["BUY", "SELL", "HOLD"], randInt(random, 0, 300)),
  );
  await using pool = new WorkerPool({ workers: 2 });
  // Tiny: all on this thread.
  assert(
    correlationWork(encodeSequences("t", sequences)) <= ALONE_CORRELATION_WORK,
  );
  const got = await pool.correlationMatrix(sequences);
  assertMatrix(got, sequences);
  // Small: one share on this thread, one on a worker.
  const small = Array.from(
    { length: 90 },
    () => pick(random, ["BUY", "SELL", "HOLD"], randInt(random, 150, 250)),
  );
  const work = correlationWork(encodeSequences("t", small));
  assert(work > ALONE_CORRELATION_WORK && work <= LOCAL_CORRELATION_WORK);
  assert.deepEqual(
    await pool.correlationMatrix(small),
    correlationMatrix(small),
  );
  // Large: every share on a worker (checked against the single thread,
  // itself checked against the original above).
  const large = Array.from(
    { length: 150 },
    () => pick(random, ["BUY", "SELL", "HOLD"], randInt(random, 300, 500)),
  );
  assert(correlationWork(encodeSequences("t", large)) > LOCAL_CORRELATION_WORK);
  assert.deepEqual(
    await pool.correlationMatrix(large),
    correlationMatrix(large),
  );
  // One worker and a small matrix: everything on this thread.
  await using one = new WorkerPool({ workers: 1 });
  assert.deepEqual(
    await one.correlationMatrix(small),
    correlationMatrix(small),
  );
  assert.deepEqual(await pool.correlationMatrix([]), new Float64Array(0));
  assert.deepEqual(
    await pool.correlationMatrix([["BUY"]]),
    new Float64Array([1]),
  );
  await assert.rejects(
    pool.correlationMatrix([["BUY"], [{}]] as never),
    /sequences\[1\]\[0\]/,
  );
  await assert.rejects(
    pool.correlationMatrix([], { workers: 2 } as never),
    /unknown option "workers"/,
  );
  await pool.close();
  await assert.rejects(pool.correlationMatrix(sequences), /after close\(\)/);
});
