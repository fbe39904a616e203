// Copyright 2026 the @midstreamer/kit authors. MIT license.
// Where the Node tests find the built package: `$KIT_DIST`, else `dist/`.

import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** Absolute path of the package root (the output of `deno task build:npm`). */
export const DIST = process.env.KIT_DIST ??
  resolve(fileURLToPath(new URL("../../dist", import.meta.url)));

/** URL of the bundle, `index.js`. */
export const BUNDLE_URL = pathToFileURL(resolve(DIST, "index.js")).href;

/**
 * Set when this file runs under Deno (`deno test` also collects
 * `*.test.mjs`): these tests are for Node; `tests/bundle_test.ts` runs them.
 */
export const SKIP_IN_DENO = "Deno" in globalThis &&
  "Node-only tests: tests/bundle_test.ts runs them with `node --test`";
