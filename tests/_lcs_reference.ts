// Copyright 2026 the @midstreamer/kit authors. MIT license.
// Independent references and seeded inputs for the LCS tests.

import { randInt } from "../testing/rng.ts";

/** Symbols of a sequence as the LCS functions see them (code points for strings). */
export function symbols(x: string | ArrayLike<unknown>): unknown[] {
  return Array.from(x); // a string iterates by code point
}

/** LCS length by the textbook DP on two rows, comparing with `===`. */
export function dpLcs(
  a: string | ArrayLike<unknown>,
  b: string | ArrayLike<unknown>,
): number {
  const x = symbols(a);
  const y = symbols(b);
  let prev = new Int32Array(y.length + 1);
  let row = new Int32Array(y.length + 1);
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      row[j] = x[i - 1] === y[j - 1]
        ? prev[j - 1] + 1
        : Math.max(prev[j], row[j - 1]);
    }
    [prev, row] = [row, prev];
  }
  return prev[y.length];
}

/** A random array of `n` symbols drawn from `alphabet`. */
export function pick<T>(
  random: () => number,
  alphabet: readonly T[],
  n: number,
): T[] {
  return Array.from(
    { length: n },
    () => alphabet[randInt(random, 0, alphabet.length - 1)],
  );
}

/** The alphabet `0, 1, ..., size - 1` as strings prefixed with `prefix`. */
export function names(size: number, prefix = "s"): string[] {
  return Array.from({ length: size }, (_, i) => `${prefix}${i}`);
}

/** Code points, including astral ones and lone surrogates, as strings. */
export const UNICODE: readonly string[] = [
  "a",
  "b",
  "é",
  "😀",
  "😁",
  "𝄞",
  "\ud800",
  "\udc00",
  "中",
];
