// Copyright 2026 the @midstreamer/kit authors. MIT license.
// Seeded random inputs for tests and benchmarks (mulberry32).

/** A seeded generator of uniform numbers in [0, 1). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random walk of `n` points with steps uniform in [-0.5, 0.5). */
export function randomWalk(n: number, random: () => number): Float64Array {
  const out = new Float64Array(n);
  let x = 0;
  for (let i = 0; i < n; i++) {
    x += random() - 0.5;
    out[i] = x;
  }
  return out;
}

/** A random integer in [lo, hi]. */
export function randInt(random: () => number, lo: number, hi: number): number {
  return lo + Math.floor(random() * (hi - lo + 1));
}

/**
 * `count` random walks whose lengths are uniform in [minLength, maxLength]
 * (each drawn before its walk; nothing is drawn when the two are equal).
 */
export function randomWalks(
  count: number,
  random: () => number,
  minLength: number,
  maxLength: number = minLength,
): Float64Array[] {
  return Array.from(
    { length: count },
    () =>
      randomWalk(
        minLength === maxLength
          ? minLength
          : randInt(random, minLength, maxLength),
        random,
      ),
  );
}

/**
 * A random walk of `n` points with a noisy copy of `q` planted at each
 * start in `at`, rescaled by a factor in [0.5, 2.5) and shifted by up to
 * ±5 (each copy's own), as a pattern that recurs.
 */
export function plantedWalk(
  n: number,
  q: ArrayLike<number>,
  at: number[],
  random: () => number,
): Float64Array {
  const x = randomWalk(n, random);
  for (const p of at) {
    const scale = 0.5 + 2 * random(), shift = 10 * (random() - 0.5);
    for (let i = 0; i < q.length; i++) {
      x[p + i] = scale * q[i] + shift + 0.05 * (random() - 0.5);
    }
  }
  return x;
}
