// Copyright 2026 the @midstreamer/kit authors. MIT license.
// The imports of the kernels' WebAssembly module: `kit.exchange_bound`,
// through which the parts of one search running on several threads share
// the bound of the k-th match. Internal; apart from `_wasm.ts` so that
// scripts can instantiate a module of their own without loading ours.

/** Neither shares nor lowers a bound (see {@linkcode withBoundExchange}). */
const keepBound = (t: number): number => t;
let boundExchange: (t: number) => number = keepBound;

/**
 * The imports of the kernels' module: `kit.exchange_bound(t)`, which a
 * search asked to share its bound (the `SHARED_BOUND` strategy bit) calls
 * at every block of window starts, with the bound of its k-th match, and
 * which returns the least bound known (`t` unless
 * {@linkcode withBoundExchange} set an exchange).
 */
export function kitImports(): WebAssembly.Imports {
  return { kit: { exchange_bound: (t: number) => boundExchange(t) } };
}

/**
 * Runs `call` with `exchange` answering the module's `kit.exchange_bound`
 * (see {@linkcode kitImports}), and returns its result: the searches that
 * `call` runs with the `SHARED_BOUND` bit offer their bound to `exchange`
 * and take back its answer when lower. `exchange` must not call the
 * kernels.
 */
export function withBoundExchange<T>(
  exchange: (t: number) => number,
  call: () => T,
): T {
  boundExchange = exchange;
  try {
    return call();
  } finally {
    boundExchange = keepBound;
  }
}
