// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * Captures the `Deno.bench` registrations of a bench file instead of running
 * them, so that the comparison can run them itself: the bench files stay
 * ordinary `deno bench` files.
 *
 * @module
 */

/** A benchmark's function, as `Deno.bench` receives it. */
export type BenchFn = (b: Deno.BenchContext) => void | Promise<void>;

/** One captured `Deno.bench` registration, with every option it may carry. */
export interface CapturedBench {
  /** The benchmark's name. */
  name: string;
  /** The `group` option, or `null`. */
  group: string | null;
  /** Whether it is its group's baseline. */
  baseline: boolean;
  /** The `n` option: iterations to measure (here: at most per batch). */
  n?: number;
  /** The `warmup` option: warm-up iterations. */
  warmup?: number;
  /** The `ignore` option: not run. */
  ignore: boolean;
  /** The `only` option: when any benchmark has it, only those run. */
  only: boolean;
  /** The function to time. */
  fn: BenchFn;
}

/** Normalises every call form of `Deno.bench` into a {@linkcode CapturedBench}. */
function normalise(args: unknown[]): CapturedBench {
  let name: string | undefined;
  let fn: unknown;
  let opts: Record<string, unknown> = {};
  const [first, second, third] = args;
  if (typeof first === "string") {
    name = first;
    if (typeof second === "function") fn = second;
    else {
      opts = (second ?? {}) as Record<string, unknown>;
      fn = third;
    }
  } else if (typeof first === "function") {
    fn = first;
    if (typeof second === "object" && second !== null) {
      opts = second as Record<string, unknown>;
    }
    name = (first as { name?: string }).name;
  } else if (typeof first === "object" && first !== null) {
    opts = first as Record<string, unknown>;
    fn = typeof second === "function" ? second : opts.fn;
    name = typeof opts.name === "string"
      ? opts.name
      : (fn as { name?: string } | undefined)?.name;
  }
  if (typeof fn !== "function") {
    throw new TypeError(`Deno.bench: the benchmark "${name}" has no function`);
  }
  if (!name) throw new TypeError("Deno.bench: a benchmark needs a name");
  const count = (key: string) =>
    typeof opts[key] === "number" ? opts[key] as number : undefined;
  return {
    name,
    group: typeof opts.group === "string" ? opts.group : null,
    baseline: opts.baseline === true,
    n: count("n"),
    warmup: count("warmup"),
    ignore: opts.ignore === true,
    only: opts.only === true,
    fn: fn as BenchFn,
  };
}

/**
 * Imports the module at `url` with `Deno.bench` replaced by a recorder, and
 * returns what it registered, in order. Top-level errors of the module
 * propagate. Not reentrant: import one bench file at a time.
 */
export async function captureBenches(url: string): Promise<CapturedBench[]> {
  const captured: CapturedBench[] = [];
  const original = Deno.bench;
  (Deno as { bench: unknown }).bench = (...args: unknown[]) => {
    captured.push(normalise(args));
  };
  try {
    await import(url);
  } finally {
    (Deno as { bench: unknown }).bench = original;
  }
  return captured;
}

/**
 * The benchmarks that `deno bench` would run: without the ignored ones and,
 * when any has `only`, only those.
 */
export function runnable(benches: CapturedBench[]): CapturedBench[] {
  const live = benches.filter((b) => !b.ignore);
  return live.some((b) => b.only) ? live.filter((b) => b.only) : live;
}
