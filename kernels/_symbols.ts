// Copyright 2026 the @midstreamer/kit authors. MIT license.
// Interning of LCS symbols to dense integer ids. Internal.

import { badElement, describe } from "./_validate.ts";
import type { LcsSequence } from "./lcs.ts";

const STRING_OR_NUMBER = "a string or number";

/**
 * Longest sequence the LCS functions accept, in symbols: 2^31.
 *
 * @example The limit
 * ```ts
 * import { MAX_SEQUENCE_LENGTH } from "@midstreamer/kit";
 * import assert from "node:assert/strict";
 *
 * assert.equal(MAX_SEQUENCE_LENGTH, 2 ** 31);
 * ```
 */
export const MAX_SEQUENCE_LENGTH = 2 ** 31;

/**
 * Most symbols one call stages in WebAssembly memory (as 32-bit ids, plus
 * one byte of carries each): 2^28. WebAssembly memory is limited to 4 GiB.
 *
 * @example The limit
 * ```ts
 * import { MAX_TOTAL_SYMBOLS } from "@midstreamer/kit";
 * import assert from "node:assert/strict";
 *
 * assert.equal(MAX_TOTAL_SYMBOLS, 2 ** 28);
 * ```
 */
export const MAX_TOTAL_SYMBOLS = 2 ** 28;

/** Integers in `[-SMALL, SMALL)` skip the `Map` (a direct-mapped cache). */
const SMALL = 0x8000;

// Caches shared by every table: `id + 1` of a code point (BMP) or a small
// integer, valid while its stamp equals the table's generation. They only
// accelerate the table's `Map`, which stays the truth, so a stale or
// overwritten entry can never give a wrong id.
let cpId: Int32Array | undefined;
let cpStamp: Uint32Array | undefined;
let intId: Int32Array | undefined;
let intStamp: Uint32Array | undefined;
let strKey: string[] | undefined;
let strId: Int32Array | undefined;
let strStamp: Uint32Array | undefined;
let generation = 0;

/** Entries of the string cache (a power of 2), and the hash shift. */
const STR_CACHE = 4096;
const STR_SHIFT = 20;
/** Lookups per window of the string cache's miss count. */
const STR_WINDOW = 1024;

function nextGeneration(): number {
  generation = (generation + 1) >>> 0;
  if (generation === 0) {
    cpStamp?.fill(0);
    strStamp?.fill(0);
    intStamp?.fill(0);
    generation = 1;
  }
  return generation;
}

/**
 * Interns symbols to dense ids such that two symbols get the same id exactly
 * when they are `===`:
 *
 * - strings and numbers live in one `Map` (SameValueZero: `"1"` and `1`
 *   differ, `0` and `-0` share an id, as under `===`);
 * - a string sequence contributes its code points, each interned as the
 *   one-code-point string, so `"a😀"` matches `["a", "😀"]`;
 * - every `NaN` gets a fresh id, so it matches nothing, not even another
 *   `NaN` (`NaN !== NaN`).
 */
export class SymbolTable {
  /** Number of ids given so far; every id is below it. */
  size = 0;
  readonly #map = new Map<string | number, number>();
  readonly #astral = new Map<number, number>();
  #cacheStrings = true;
  #misses = 0;
  #seen = 0;
  readonly #gen = nextGeneration();

  /**
   * Interns the symbols of `x` into `out` from index `at`; returns how many
   * were written (the sequence length in symbols). `out` must have room for
   * {@linkcode sequenceLength} values.
   *
   * @throws {TypeError} naming `name[i]` for an element that is neither a
   * string nor a number.
   */
  intern(
    fn: string,
    name: string,
    x: LcsSequence,
    out: Int32Array,
    at: number,
  ): number {
    if (typeof x === "string") return this.#string(x, out, at);
    const n = x.length;
    if (ArrayBuffer.isView(x)) return this.#numbers(x, out, at);
    let i = 0;
    // A string of a small alphabet usually hits the cache; a large
    // alphabet misses it, and then it is dropped for this table.
    if (this.#cacheStrings) i = this.#cached(fn, name, x, out, at);
    const map = this.#map;
    for (; i < n; i++) {
      const v = (x as ArrayLike<unknown>)[i];
      if (typeof v === "string") {
        const id = map.get(v);
        out[at + i] = id !== undefined ? id : this.#key(v);
      } else if (typeof v === "number") {
        out[at + i] = this.#number(v);
      } else {
        throw badElement(fn, name, i, v, STRING_OR_NUMBER);
      }
    }
    return n;
  }

  /**
   * Interns the elements of `x` through the string cache until the end or
   * until the cache misses too often; returns the index reached.
   */
  #cached(
    fn: string,
    name: string,
    x: ArrayLike<unknown>,
    out: Int32Array,
    at: number,
  ): number {
    const keys = strKey ??= new Array<string>(STR_CACHE).fill("");
    const ids = strId ??= new Int32Array(STR_CACHE);
    const stamps = strStamp ??= new Uint32Array(STR_CACHE);
    const gen = this.#gen;
    const n = x.length;
    let misses = this.#misses;
    let seen = this.#seen;
    let i = 0;
    for (; i < n; i++) {
      const v = x[i];
      if (typeof v === "string") {
        const len = v.length;
        const h = (Math.imul(len, 0x9e3779b1) ^
          Math.imul(v.charCodeAt(0), 0x85ebca6b) ^
          Math.imul(v.charCodeAt(len >> 1), 0x27d4eb2f) ^
          Math.imul(v.charCodeAt(len - 1), 0xc2b2ae35)) >>> STR_SHIFT;
        if (++seen === STR_WINDOW) {
          // Drop the cache after a window of more than 1/8 misses.
          if (misses * 8 > STR_WINDOW) {
            this.#cacheStrings = false;
            return i;
          }
          seen = misses = 0;
        }
        if (stamps[h] === gen && keys[h] === v) {
          out[at + i] = ids[h];
        } else {
          const id = this.#map.get(v) ?? this.#key(v);
          keys[h] = v;
          ids[h] = id;
          stamps[h] = gen;
          out[at + i] = id;
          misses++;
        }
      } else if (typeof v === "number") {
        out[at + i] = this.#number(v);
      } else {
        throw badElement(fn, name, i, v, STRING_OR_NUMBER);
      }
    }
    this.#misses = misses;
    this.#seen = seen;
    return i;
  }

  #numbers(x: ArrayLike<number>, out: Int32Array, at: number): number {
    const ids = intId ??= new Int32Array(2 * SMALL);
    const stamps = intStamp ??= new Uint32Array(2 * SMALL);
    const gen = this.#gen;
    const n = x.length;
    for (let i = 0; i < n; i++) {
      const v = x[i];
      const j = v + SMALL;
      if ((v | 0) === v && j >= 0 && j < 2 * SMALL && stamps[j] === gen) {
        out[at + i] = ids[j] - 1;
      } else {
        out[at + i] = this.#number(v);
      }
    }
    return n;
  }

  #key(k: string | number): number {
    const id = this.#map.get(k);
    if (id !== undefined) return id;
    this.#map.set(k, this.size);
    return this.size++;
  }

  #number(v: number): number {
    if ((v | 0) === v && v >= -SMALL && v < SMALL) {
      const ids = intId ??= new Int32Array(2 * SMALL);
      const stamps = intStamp ??= new Uint32Array(2 * SMALL);
      const i = v + SMALL;
      if (stamps[i] === this.#gen) return ids[i] - 1;
      const id = this.#key(v);
      stamps[i] = this.#gen;
      ids[i] = id + 1;
      return id;
    }
    // deno-lint-ignore no-self-compare
    if (v !== v) return this.size++;
    return this.#key(v);
  }

  #string(s: string, out: Int32Array, at: number): number {
    const ids = cpId ??= new Int32Array(0x10000);
    const stamps = cpStamp ??= new Uint32Array(0x10000);
    const gen = this.#gen;
    const n = s.length;
    let k = at;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0xd800 && c < 0xdc00 && i + 1 < n) {
        const lo = s.charCodeAt(i + 1);
        if (lo >= 0xdc00 && lo < 0xe000) {
          out[k++] = this.#astralId(
            ((c - 0xd800) << 10) + lo - 0xdc00 + 0x10000,
          );
          i++;
          continue;
        }
      }
      // A BMP code point or a lone surrogate (one symbol, as `for...of`).
      if (stamps[c] === gen) {
        out[k++] = ids[c] - 1;
      } else {
        const id = this.#key(String.fromCharCode(c));
        stamps[c] = gen;
        ids[c] = id + 1;
        out[k++] = id;
      }
    }
    return k - at;
  }

  #astralId(cp: number): number {
    let id = this.#astral.get(cp);
    if (id === undefined) {
      id = this.#key(String.fromCodePoint(cp));
      this.#astral.set(cp, id);
    }
    return id;
  }
}

/**
 * Checks that `x` is a sequence the LCS functions accept and returns an
 * upper bound of its length in symbols (exact except for strings, where it
 * counts UTF-16 code units).
 *
 * @throws {TypeError} when `x` is not a string, an array or a numeric typed
 * array.
 * @throws {RangeError} when it is longer than {@linkcode MAX_SEQUENCE_LENGTH}.
 */
export function sequenceLength(fn: string, name: string, x: unknown): number {
  if (
    typeof x !== "string" && !Array.isArray(x) &&
    !(ArrayBuffer.isView(x) && !(x instanceof DataView) &&
      !(x instanceof BigInt64Array) && !(x instanceof BigUint64Array))
  ) {
    throw new TypeError(
      `${fn}: ${name} must be a string, an array of strings and numbers, or a numeric typed array, got ${
        describe(x)
      }`,
    );
  }
  const n = (x as { length: number }).length;
  if (n > MAX_SEQUENCE_LENGTH) {
    throw new RangeError(
      `${fn}: ${name} has ${n} symbols; the limit is ${MAX_SEQUENCE_LENGTH} (2^31) symbols per sequence`,
    );
  }
  return n;
}

/**
 * Checks that `total` symbols fit the WebAssembly memory of one call.
 *
 * @throws {RangeError} above {@linkcode MAX_TOTAL_SYMBOLS}.
 */
export function checkTotal(fn: string, what: string, total: number): void {
  if (total > MAX_TOTAL_SYMBOLS) {
    throw new RangeError(
      `${fn}: ${what} have ${total} symbols in all; the limit is ${MAX_TOTAL_SYMBOLS} (2^28) symbols per call`,
    );
  }
}

/** Two sequences interned with one table: `a` is `ids[0..n)`, `b` is `ids[n..n + m)`. */
export interface InternedPair {
  ids: Int32Array;
  n: number;
  m: number;
}

/**
 * Validates and interns `a` and `b` with one symbol table, as `lcs` does
 * (equal symbols get equal ids), for sending them elsewhere.
 *
 * @throws {TypeError} when an argument is not a sequence, or an array element is neither a string nor a number.
 * @throws {RangeError} when a sequence or both together are too long.
 */
export function internPair(
  fn: string,
  a: LcsSequence,
  b: LcsSequence,
): InternedPair {
  const na = sequenceLength(fn, "a", a);
  const nb = sequenceLength(fn, "b", b);
  checkTotal(fn, "a and b", na + nb);
  const ids = new Int32Array(na + nb);
  const table = new SymbolTable();
  const n = table.intern(fn, "a", a, ids, 0);
  const m = table.intern(fn, "b", b, ids, n);
  return { ids, n, m };
}
