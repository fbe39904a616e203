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
  return { kit: { exchange_bound: exchangeBound } };
}

/**
 * An exception of the exchange, kept until the kernel returns: thrown
 * through WebAssembly it would leave the kernel's buffers borrowed, and
 * every later call of the instance would trap.
 */
let failure: { error: unknown } | undefined;

/** `kit.exchange_bound`: the exchange's answer, or `t` once it has thrown. */
function exchangeBound(t: number): number {
  if (failure !== undefined) return t;
  try {
    return boundExchange(t);
  } catch (error) {
    failure = { error };
    return t;
  }
}

/**
 * Runs `call` with `exchange` answering the module's `kit.exchange_bound`
 * (see {@linkcode kitImports}), and returns its result: the searches that
 * `call` runs with the `SHARED_BOUND` bit offer their bound to `exchange`
 * and take back its answer when lower. `exchange` must not call the
 * kernels. If it throws, the kernel runs on with its own bound and the
 * exception is thrown here once `call` returns.
 */
export function withBoundExchange<T>(
  exchange: (t: number) => number,
  call: () => T,
): T {
  boundExchange = exchange;
  failure = undefined;
  let result: T;
  try {
    result = call();
  } finally {
    boundExchange = keepBound;
  }
  // (`call` may have set it: the kernel calls exchangeBound.)
  const thrown = failure as { error: unknown } | undefined;
  failure = undefined;
  if (thrown !== undefined) throw thrown.error;
  return result;
}
