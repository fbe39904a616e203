// Copyright 2026 the @midstreamer/kit authors. MIT license.
// LCS correlation matrices at the original configurations (strategies ×
// signals = 10 × 50, 50 × 100, 100 × 200; alphabet BUY/SELL/HOLD, plus a
// 64-symbol case), and one LCS of 200 × 200 signals: the original pure JS
// (baseline), the kit, and midstreamer@0.2.5.
//
//   deno bench -A bench/lcs_bench.ts
//
// BENCH_QUICK=1 keeps only the two small matrices and the single pair.
//
// Per-pair cost inside a matrix = the matrix time / its pair count (in the
// group name).

import { correlationMatrix, lcs, WorkerPool } from "@midstreamer/kit";
import { PureJSLCS } from "@midstreamer/kit/baseline";
import { rng } from "../testing/rng.ts";
import { midstreamer } from "./_peers.ts";

const QUICK = Deno.env.get("BENCH_QUICK") === "1";
const SIGNALS = ["BUY", "SELL", "HOLD"];
const SYMBOLS_64 = Array.from({ length: 64 }, (_, i) => `SIG_${i}`);

/** One matrix configuration. */
interface MatrixConfig {
  strategies: number;
  signals: number;
  alphabet: readonly string[];
}

/** A way to build the matrix from the strategies' signal sequences. */
interface MatrixEntry {
  name: string;
  fn: (sequences: string[][]) => unknown;
  /** Whether `fn` returns a promise to await. */
  async?: boolean;
}

/**
 * The kit's ways to build a matrix, each timed in every matrix group
 * (the worker pool's entry goes here, next to the single-thread one).
 */
const pool = new WorkerPool({ workers: 2 });
const KIT_ENTRIES: MatrixEntry[] = [
  {
    name: "kit correlationMatrix, 1 thread, interning strings",
    fn: (sequences) => correlationMatrix(sequences),
  },
  {
    name: "kit WorkerPool(2).correlationMatrix, interning strings",
    fn: (sequences) => pool.correlationMatrix(sequences),
    async: true,
  },
];

const CONFIGS: MatrixConfig[] = [
  { strategies: 10, signals: 50, alphabet: SIGNALS },
  { strategies: 50, signals: 100, alphabet: SIGNALS },
  ...(QUICK ? [] : [
    { strategies: 100, signals: 200, alphabet: SIGNALS },
    { strategies: 100, signals: 200, alphabet: SYMBOLS_64 },
  ]),
];

/** Most midstreamer pairs timed per matrix (its full matrices take seconds). */
const MIDSTREAMER_PAIRS = 250;

function strategies(
  config: MatrixConfig,
  random: () => number,
): string[][] {
  const { strategies: n, signals: m, alphabet } = config;
  return Array.from(
    { length: n },
    () =>
      Array.from(
        { length: m },
        () => alphabet[Math.floor(random() * alphabet.length)],
      ),
  );
}

/** Ids for midstreamer, which takes `Int32Array`s (encoded outside timing). */
function encode(sequence: string[], alphabet: readonly string[]): Int32Array {
  return Int32Array.from(sequence, (s) => alphabet.indexOf(s));
}

function check(name: string, got: number, want: number): void {
  if (got !== want) throw new Error(`${name} disagrees: ${got} vs ${want}`);
}

/** Registers the group of one matrix configuration. */
async function matrixGroup(
  config: MatrixConfig,
  entries: MatrixEntry[],
): Promise<void> {
  const { strategies: n, signals: m, alphabet } = config;
  const pairs = (n * (n - 1)) / 2;
  const sequences = strategies(config, rng(n * 1000 + m + alphabet.length));
  const group = `matrix ${n}×${m}, ${alphabet.length} symbols (${pairs} pairs)`;
  const label = `${n}×${m}/${alphabet.length}`;

  // Check once, outside the timings, that the kit equals the original.
  const original = PureJSLCS.buildCorrelationMatrix(sequences);
  for (const entry of entries) {
    const got = (await entry.fn(sequences)) as Float64Array;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        check(`${entry.name} [${i}, ${j}]`, got[i * n + j], original[i][j]);
      }
    }
  }
  // midstreamer on an evenly spread subset of the pairs.
  const ids = sequences.map((s) => encode(s, alphabet));
  const all: Array<[number, number]> = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) all.push([i, j]);
  }
  const step = Math.max(1, Math.ceil(all.length / MIDSTREAMER_PAIRS));
  const subset = all.filter((_, k) => k % step === 0);
  for (const [i, j] of subset.slice(0, 5)) {
    check(
      "midstreamer",
      midstreamer.lcs(ids[i], ids[j]),
      lcs(sequences[i], sequences[j]),
    );
  }

  Deno.bench(`original PureJSLCS.buildCorrelationMatrix (${label})`, {
    group,
    baseline: true,
    ...(pairs > 2000 ? { n: 5, warmup: 1 } : {}),
  }, () => {
    PureJSLCS.buildCorrelationMatrix(sequences);
  });
  for (const entry of entries) {
    Deno.bench(
      `${entry.name} (${label})`,
      { group },
      entry.async
        ? async () => {
          await entry.fn(sequences);
        }
        : () => {
          entry.fn(sequences);
        },
    );
  }
  const scale = subset.length === all.length
    ? "all pairs"
    : `${subset.length} of ${all.length} pairs: ×${
      (all.length / subset.length).toFixed(1)
    } for the matrix`;
  Deno.bench(
    `midstreamer@0.2.5 TemporalCompare.lcs, pre-encoded Int32Array, ${scale} (${label})`,
    { group },
    () => {
      for (const [i, j] of subset) midstreamer.lcs(ids[i], ids[j]);
    },
  );
}

/** Registers the group of one LCS of 200 × 200 signals. */
function pairGroup(): void {
  const group = "lcs one pair 200×200, 3 symbols";
  const [a, b] = strategies(
    { strategies: 2, signals: 200, alphabet: SIGNALS },
    rng(200200),
  );
  const ia = encode(a, SIGNALS);
  const ib = encode(b, SIGNALS);
  const want = PureJSLCS.calculate(a, b);
  check("kit lcs", lcs(a, b), want);
  check("kit lcs Int32Array", lcs(ia, ib), want);
  check("midstreamer", midstreamer.lcs(ia, ib), want);

  Deno.bench("original PureJSLCS.calculate (200×200)", {
    group,
    baseline: true,
  }, () => {
    PureJSLCS.calculate(a, b);
  });
  Deno.bench("kit lcs, string arrays (200×200)", { group }, () => {
    lcs(a, b);
  });
  Deno.bench("kit lcs, Int32Array (200×200)", { group }, () => {
    lcs(ia, ib);
  });
  Deno.bench("midstreamer@0.2.5 TemporalCompare.lcs, Int32Array (200×200)", {
    group,
  }, () => {
    midstreamer.lcs(ia, ib);
  });
}

for (const config of CONFIGS) await matrixGroup(config, KIT_ENTRIES);
pairGroup();
