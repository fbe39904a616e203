// Copyright 2026 the @midstreamer/kit authors. MIT license.

import assert from "node:assert/strict";
import {
  coldCurve,
  curveOf,
  type CurveSample,
  renderColdStart,
  spread,
} from "../scripts/cold_start.ts";

Deno.test("coldCurve times the calls of the kernel it loads, after warmUp() in that mode", async () => {
  let calls = 0, warmUps = 0, loads = 0;
  const fake = {
    dtw: (a: Float64Array, b: Float64Array) => {
      assert.deepEqual([a.length, b.length], [1000, 1000]);
      calls++;
      return 42;
    },
    searchSubsequence: (
      s: Float64Array,
      q: Float64Array,
      o: { window: number; cost: string },
    ) => {
      assert.deepEqual([s.length, q.length, o], [1_000_000, 128, {
        window: 6,
        cost: "squared",
      }]);
      calls++;
      return [{ start: 7, distance: 0.5 }];
    },
    warmUp: () => {
      warmUps++;
      return Promise.resolve({ ready: true, ms: 3 });
    },
  };
  const load = () => {
    loads++;
    return Promise.resolve(fake);
  };
  const cold = await coldCurve(load, { kernel: "dtw", mode: "cold", calls: 4 });
  assert.equal(cold.calls.length, 4);
  assert.ok(cold.calls.every((t) => t >= 0) && cold.importMs >= 0);
  assert.equal(cold.check, 42);
  assert.equal(cold.warmUpMs, undefined);
  assert.ok(calls >= 4 + 5 + 7, `${calls} calls`);
  calls = 0;
  const warm = await coldCurve(load, {
    kernel: "search",
    mode: "warmUp",
    calls: 3,
  });
  assert.deepEqual([warm.warmUpMs, warm.ready, warm.check], [3, true, 7.5]);
  assert.ok(calls >= 3 + 5 + 7, `${calls} calls`);
  assert.deepEqual([loads, warmUps], [2, 1]);
});

Deno.test("curveOf: per call, the median over processes of the time and of its ratio to the process's warm time", () => {
  const sample = (calls: number[], warmMs: number): CurveSample => ({
    importMs: warmMs,
    calls,
    warmMs,
    check: 1,
  });
  const samples = [
    sample([10, 4, 2], 1),
    sample([30, 2, 2], 2),
    sample([20, 9, 3], 3),
  ];
  const input = { kernel: "dtw" as const, mode: "cold" as const, calls: 3 };
  const c = curveOf("node", input, samples);
  assert.deepEqual(c.calls[0], {
    call: 1,
    ms: { median: 20, min: 10, max: 30 },
    ratio: { median: 10, min: 20 / 3, max: 15 },
  });
  assert.deepEqual(c.calls[1].ratio, { median: 3, min: 1, max: 4 });
  assert.deepEqual(c.warmMs, { median: 2, min: 1, max: 3 });
  assert.equal(c.warmUpMs, undefined);
  assert.deepEqual(spread([5]), { median: 5, min: 5, max: 5 });
  const text = renderColdStart({
    machine: {
      cpu: "cpu",
      cores: 2,
      deno: "2.9.6",
      v8: "15",
      commit: "abc",
      date: "now",
    },
    runs: 3,
    calls: 3,
    curves: [c],
    notes: ["chromium: left out"],
  });
  assert.match(
    text,
    /^node +dtw +cold +2\.00 +20\.0 +4\.00 +2\.00 +1\.00x +2\.00$/m,
  );
  assert.match(text, /node dtw cold: 10\.0 3\.0 1\.0/);
  assert.match(text, /note: chromium: left out/);
});

Deno.test("cold_start.ts exits with code 2 on bad flags", async () => {
  for (const args of [["--runs", "0"], ["--runtimes", "bun"], ["--bogus"]]) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        new URL("../scripts/cold_start.ts", import.meta.url).pathname,
        ...args,
      ],
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 2, args.join(" "));
    assert.match(new TextDecoder().decode(out.stderr), /cold_start: /);
  }
});
