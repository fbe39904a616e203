// Copyright 2026 the @midstreamer/kit authors. MIT license.
// The package resolves by name through its package.json "exports" in Node.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { BUNDLE_URL, DIST, SKIP_IN_DENO } from "./_dist.mjs";

test('Node: import "@midstreamer/kit" resolves to the bundle', {
  skip: SKIP_IN_DENO,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "kit-node-consumer-"));
  try {
    mkdirSync(join(dir, "node_modules", "@midstreamer"), { recursive: true });
    symlinkSync(DIST, join(dir, "node_modules", "@midstreamer", "kit"), "dir");
    const consumer = join(dir, "consumer.mjs");
    writeFileSync(consumer, 'export * from "@midstreamer/kit";\n');
    const viaName = await import(pathToFileURL(consumer).href);
    const direct = await import(BUNDLE_URL);
    assert.deepEqual(Object.keys(viaName).sort(), Object.keys(direct).sort());
    assert.equal(viaName.dtw, direct.dtw);
    assert.equal(viaName.dtw([1, 2, 3], [1, 2, 2, 3]), 0);

    const require = createRequire(consumer);
    const pkg = require("@midstreamer/kit/package.json");
    assert.equal(pkg.name, "@midstreamer/kit");
    assert.equal(pkg.type, "module");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
