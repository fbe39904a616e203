// Copyright 2026 the @midstreamer/kit authors. MIT license.
// The bundle's results in Node equal Deno's, exactly. The cases and Deno's
// results come from tests/bundle_test.ts through the file named by
// $KIT_CASES.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { BUNDLE_URL, SKIP_IN_DENO } from "./_dist.mjs";
import { runCases } from "../fixtures/kernel_cases.mjs";

const CASES = process.env.KIT_CASES;

if (SKIP_IN_DENO) {
  test("Node: kernel results equal Deno's", { skip: SKIP_IN_DENO }, () => {});
} else if (CASES === undefined) {
  test("Node: kernel results equal Deno's", () => {
    assert.fail(
      "KIT_CASES is not set: run `deno test -A tests/bundle_test.ts`, " +
        "which computes the expected results in Deno and runs these tests",
    );
  });
} else {
  /** @type {{ cases: import("../fixtures/kernel_cases.mjs").Case[], expected: { name: string, result: unknown }[], exports: string[] }} */
  const fixture = JSON.parse(readFileSync(CASES, "utf8"));
  const kit = await import(BUNDLE_URL);

  test("Node: the bundle exports what kernels/mod.ts exports", () => {
    assert.deepEqual(Object.keys(kit).sort(), fixture.exports);
  });

  test("Node: warmUp() resolves within its timeout and checks its options", async () => {
    const w = await kit.warmUp({ timeout: 0 });
    assert.equal(typeof w.ready, "boolean");
    assert.ok(w.ms >= 0 && Number.isInteger(w.rounds));
    await assert.rejects(kit.warmUp({ timeout: -1 }), RangeError);
    await assert.rejects(kit.warmUp({ timeout: "1" }), TypeError);
  });

  const actual = runCases(kit, fixture.cases);
  fixture.cases.forEach((c, i) => {
    test(`Node: ${c.name}`, () => {
      assert.deepStrictEqual(actual[i], fixture.expected[i]);
    });
  });
}
