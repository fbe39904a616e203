// Copyright 2026 the @midstreamer/kit authors. MIT license.
// A worker of `scripts/pool_ratio.ts --ceiling`: holds its own copy of a
// series and a query, and runs the one-thread `searchSubsequence` on them
// once per message, replying with the number of matches. Internal.

/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />

import { type SearchOptions, searchSubsequence } from "../mod.ts";

interface Setup {
  x: Float64Array;
  query: Float64Array;
  options: SearchOptions;
}

let setup: Setup | undefined;

self.onmessage = (e: MessageEvent<Setup | null>) => {
  if (e.data !== null) setup = e.data;
  const { x, query, options } = setup!;
  self.postMessage(searchSubsequence(x, query, options).length);
};
