// Copyright 2026 the @midstreamer/kit authors. MIT license.
// The decoders that read what a peer sends, fuzzed with a fixed seed:
// random and mutated valid frames, WebSocket messages and service requests
// (scripts/_fuzz.ts checks each against its own reference). `deno task
// fuzz` runs the same for longer.

import assert from "node:assert/strict";
import { runFuzz } from "../scripts/internal.ts";

Deno.test("fuzz: 120,000 cases of frames, messages and requests break nothing", () => {
  const result = runFuzz({ seed: 20261205, cases: 120_000 });
  assert.deepEqual(result.failures, []);
  assert.equal(result.cases, 120_000);
  // Every target both decoded and refused inputs.
  for (const target of ["frame", "message", "request"]) {
    assert.ok((result.outcomes[`${target}:decoded`] ?? 0) > 1000, target);
    const refused = Object.entries(result.outcomes)
      .filter(([key]) =>
        key.startsWith(`${target}:`) && !key.endsWith(":decoded")
      )
      .reduce((n, [, v]) => n + v, 0);
    assert.ok(refused > 1000, target);
  }
});

Deno.test("fuzz: a planted decoder bug is caught", async () => {
  // The property must be able to fail: a FrameDecoder that drops the
  // last byte of every payload disagrees with the reference.
  const frame = await import("../transport/_frame.ts");
  const original = frame.FrameDecoder.prototype.push;
  frame.FrameDecoder.prototype.push = function (chunk: Uint8Array) {
    return original.call(this, chunk.length > 20 ? chunk.subarray(1) : chunk);
  };
  try {
    const result = runFuzz({ seed: 3, cases: 3000, maxFailures: 1 });
    assert.equal(result.failures.length, 1);
  } finally {
    frame.FrameDecoder.prototype.push = original;
  }
});
