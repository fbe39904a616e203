// Copyright 2026 the @midstreamer/kit authors. MIT license.
// A synchronous decoder of raw DEFLATE streams (RFC 1951). Internal: it
// unpacks the inlined WebAssembly module at load time, where the platform's
// DecompressionStream would be asynchronous.

/** Base and extra bits of the length symbols 257..285. */
const LENGTH_BASE = [
  3,
  4,
  5,
  6,
  7,
  8,
  9,
  10,
  11,
  13,
  15,
  17,
  19,
  23,
  27,
  31,
  35,
  43,
  51,
  59,
  67,
  83,
  99,
  115,
  131,
  163,
  195,
  227,
  258,
];
const LENGTH_EXTRA = [
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  1,
  1,
  1,
  1,
  2,
  2,
  2,
  2,
  3,
  3,
  3,
  3,
  4,
  4,
  4,
  4,
  5,
  5,
  5,
  5,
  0,
];
/** Base and extra bits of the distance symbols 0..29. */
const DIST_BASE = [
  1,
  2,
  3,
  4,
  5,
  7,
  9,
  13,
  17,
  25,
  33,
  49,
  65,
  97,
  129,
  193,
  257,
  385,
  513,
  769,
  1025,
  1537,
  2049,
  3073,
  4097,
  6145,
  8193,
  12289,
  16385,
  24577,
];
const DIST_EXTRA = [
  0,
  0,
  0,
  0,
  1,
  1,
  2,
  2,
  3,
  3,
  4,
  4,
  5,
  5,
  6,
  6,
  7,
  7,
  8,
  8,
  9,
  9,
  10,
  10,
  11,
  11,
  12,
  12,
  13,
  13,
];
/** Order of the code length code lengths in a dynamic block header. */
const CLEN_ORDER = [
  16,
  17,
  18,
  0,
  8,
  7,
  9,
  6,
  10,
  5,
  11,
  4,
  12,
  3,
  13,
  2,
  14,
  1,
  15,
];

/**
 * A canonical Huffman code as a lookup table indexed by the next `bits`
 * input bits (least significant first): entry `symbol << 4 | length`.
 */
interface Code {
  table: Int32Array;
  bits: number;
}

function malformed(why: string): Error {
  return new Error(`inflate: malformed DEFLATE stream (${why})`);
}

/** Builds the table of the canonical code with these code lengths. */
function buildCode(lengths: ArrayLike<number>): Code {
  let bits = 0;
  const count = new Int32Array(16);
  for (let s = 0; s < lengths.length; s++) {
    count[lengths[s]]++;
    if (lengths[s] > bits) bits = lengths[s];
  }
  count[0] = 0;
  const next = new Int32Array(16);
  for (let len = 1, code = 0; len <= 15; len++) {
    code = (code + count[len - 1]) << 1;
    next[len] = code;
  }
  const table = new Int32Array(1 << bits).fill(-1);
  for (let s = 0; s < lengths.length; s++) {
    const len = lengths[s];
    if (len === 0) continue;
    const code = next[len]++;
    if (code >= 1 << len) throw malformed("over-subscribed code");
    let rev = 0;
    for (let b = 0; b < len; b++) rev |= ((code >>> b) & 1) << (len - 1 - b);
    for (let i = rev; i < table.length; i += 1 << len) {
      table[i] = (s << 4) | len;
    }
  }
  return { table, bits };
}

let fixedCodes: [Code, Code] | undefined;

/** The codes of a fixed-Huffman block. */
function fixed(): [Code, Code] {
  if (fixedCodes === undefined) {
    const lit = new Uint8Array(288);
    lit.fill(8, 0, 144).fill(9, 144, 256).fill(7, 256, 280).fill(8, 280, 288);
    fixedCodes = [buildCode(lit), buildCode(new Uint8Array(30).fill(5))];
  }
  return fixedCodes;
}

/**
 * Inflates the raw DEFLATE stream `src` into exactly `size` bytes.
 *
 * @throws {Error} when the stream is malformed or does not hold `size`
 * bytes.
 */
export function inflateRaw(src: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let pos = 0; // next input byte
  let buf = 0; // bit buffer, next bit lowest
  let have = 0; // bits in buf
  let op = 0;

  const need = (n: number) => {
    while (have < n) {
      if (pos >= src.length) throw malformed("unexpected end of input");
      buf |= src[pos++] << have;
      have += 8;
    }
  };
  const take = (n: number) => {
    need(n);
    const v = buf & ((1 << n) - 1);
    buf >>>= n;
    have -= n;
    return v;
  };
  const decode = (code: Code) => {
    // Near the end of the input, fewer bits than the table width may remain.
    while (have < code.bits && pos < src.length) {
      buf |= src[pos++] << have;
      have += 8;
    }
    const e = code.table[buf & ((1 << code.bits) - 1)];
    if (e < 0 || (e & 15) > have) throw malformed("invalid code");
    buf >>>= e & 15;
    have -= e & 15;
    return e >> 4;
  };

  let last = 0;
  while (last === 0) {
    last = take(1);
    const type = take(2);
    if (type === 0) {
      buf = 0;
      have = 0; // stored: skip to the byte boundary
      if (pos + 4 > src.length) throw malformed("unexpected end of input");
      const len = src[pos] | (src[pos + 1] << 8);
      const nlen = src[pos + 2] | (src[pos + 3] << 8);
      if ((len ^ 0xffff) !== nlen) throw malformed("bad stored length");
      pos += 4;
      if (pos + len > src.length || op + len > size) {
        throw malformed("stored block overruns");
      }
      out.set(src.subarray(pos, pos + len), op);
      pos += len;
      op += len;
      continue;
    }
    let lit: Code, dist: Code;
    if (type === 1) {
      [lit, dist] = fixed();
    } else if (type === 2) {
      const hlit = take(5) + 257;
      const hdist = take(5) + 1;
      const hclen = take(4) + 4;
      const clen = new Uint8Array(19);
      for (let i = 0; i < hclen; i++) clen[CLEN_ORDER[i]] = take(3);
      const lenCode = buildCode(clen);
      const lengths = new Uint8Array(hlit + hdist);
      for (let i = 0; i < lengths.length;) {
        const sym = decode(lenCode);
        if (sym < 16) {
          lengths[i++] = sym;
          continue;
        }
        let repeat: number, value = 0;
        if (sym === 16) {
          if (i === 0) throw malformed("repeat with no previous length");
          value = lengths[i - 1];
          repeat = 3 + take(2);
        } else if (sym === 17) {
          repeat = 3 + take(3);
        } else {
          repeat = 11 + take(7);
        }
        if (i + repeat > lengths.length) throw malformed("lengths overrun");
        lengths.fill(value, i, i + repeat);
        i += repeat;
      }
      lit = buildCode(lengths.subarray(0, hlit));
      dist = buildCode(lengths.subarray(hlit));
    } else {
      throw malformed("reserved block type");
    }
    // The symbol loop, with the bit reader inlined: this runs before the
    // engine has compiled it, where every call costs.
    const lt = lit.table, lmask = (1 << lit.bits) - 1;
    const dt = dist.table, dmask = (1 << dist.bits) - 1;
    for (;;) {
      while (have < 24 && pos < src.length) {
        buf |= src[pos++] << have;
        have += 8;
      }
      let e = lt[buf & lmask];
      let n = e & 15;
      if (e < 0 || n > have) throw malformed("invalid code");
      buf >>>= n;
      have -= n;
      const sym = e >> 4;
      if (sym < 256) {
        if (op >= size) throw malformed("output overruns");
        out[op++] = sym;
        continue;
      }
      if (sym === 256) break;
      const li = sym - 257;
      if (li >= 29) throw malformed("invalid length symbol");
      const len = LENGTH_BASE[li] + take(LENGTH_EXTRA[li]);
      while (have < 24 && pos < src.length) {
        buf |= src[pos++] << have;
        have += 8;
      }
      e = dt[buf & dmask];
      n = e & 15;
      if (e < 0 || n > have) throw malformed("invalid code");
      buf >>>= n;
      have -= n;
      const di = e >> 4;
      if (di >= 30) throw malformed("invalid distance symbol");
      const d = DIST_BASE[di] + take(DIST_EXTRA[di]);
      if (d > op) throw malformed("distance before the start");
      if (op + len > size) throw malformed("output overruns");
      if (d >= len) {
        out.copyWithin(op, op - d, op - d + len);
        op += len;
      } else {
        for (let k = 0; k < len; k++, op++) out[op] = out[op - d];
      }
    }
  }
  if (op !== size) throw malformed(`${op} bytes instead of ${size}`);
  return out;
}
