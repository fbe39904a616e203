// Copyright 2026 the @midstreamer/kit authors. MIT license.
// A WorkerPool worker for tests: the real worker (`pool/_worker.ts`), with
// hooks on `dtw` keyed by the first point of its first series. Start it
// with the pool's WORKER_SCRIPT option (`pool/_protocol.ts`).

/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />

import "../pool/_worker.ts";

/**
 * First points of `pool.dtw(a, …)` that trigger a hook: `crash` crashes the
 * worker outside of any handler, without answering; `rangeError` and
 * `typeError` make the real `dtw` kernel throw that class in the worker
 * (with a fractional window, and a non-array series).
 */
export const HOOKS = Object.freeze({
  crash: -123456.75,
  rangeError: -123456.5,
  typeError: -123456.25,
});

const real = self.onmessage!;
self.onmessage = function (e: MessageEvent) {
  const { kernel, args } = e.data;
  // The pool sends dtw's series packed: { dims, values }.
  const first = kernel === "dtw" ? args[0].values[0] : undefined;
  if (first === HOOKS.crash) {
    setTimeout(() => {
      throw new Error("deliberate worker crash (test hook)");
    });
    return;
  }
  if (first === HOOKS.rangeError) args[2] = { ...args[2], window: 1.5 };
  if (first === HOOKS.typeError) args[0] = "not a series";
  real.call(this, e);
};
