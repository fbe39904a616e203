// Copyright 2026 the @midstreamer/kit authors. MIT license.
// An engine without WebAssembly SIMD128 gets a clear error from the bundle
// on first use (the import itself succeeds).

import { test } from "node:test";
import assert from "node:assert/strict";
import { BUNDLE_URL, SKIP_IN_DENO } from "./_dist.mjs";

test("Node: without SIMD128 the first kernel call throws a clear error", {
  skip: SKIP_IN_DENO,
}, async () => {
  const validate = WebAssembly.validate;
  let probes = 0;
  WebAssembly.validate = () => {
    probes++;
    return false;
  };
  try {
    // A fresh instance of the module, so nothing is instantiated yet.
    const kit = await import(`${BUNDLE_URL}?no-simd`);
    assert.equal(probes, 0, "the import must not instantiate the module");
    assert.throws(() => kit.dtw([1, 2], [1, 2]), {
      name: "Error",
      message:
        "@midstreamer/kit needs WebAssembly SIMD128, which this JavaScript engine does not support",
    });
    assert.equal(probes, 1);
  } finally {
    WebAssembly.validate = validate;
  }
});

test("Node: with SIMD128 the same bundle works", {
  skip: SKIP_IN_DENO,
}, async () => {
  const kit = await import(`${BUNDLE_URL}?simd`);
  assert.equal(kit.dtw([0, 0], [1, 1]), 2);
});
