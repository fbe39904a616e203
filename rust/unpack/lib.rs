//! The unpacker of the kernels' module: a base64 decoder and a raw DEFLATE
//! (RFC 1951) decoder, as a small WebAssembly module of its own.
//!
//! `kernels/_wasm.generated.ts` stores the kernels' module deflated and
//! base64-encoded. Decoding its 374 KB with JavaScript that the engine had
//! not compiled yet took 25–30 ms of a fresh process's first kernel call;
//! this module, even on the engine's baseline code, takes a fraction of that
//! (see the README's "Cold start"). It is built by `scripts/build_wasm.ts`
//! (`opt-level=s`, bulk memory for the copies, no SIMD) and used by
//! `kernels/_inflate.ts`, after the check for SIMD128.
//!
//! The caller asks for buffers with [`unpack_alloc`], writes the input
//! there, and calls [`unpack_base64`] and [`unpack_inflate`]. Errors are
//! negative codes, which `kernels/_inflate.ts` turns into messages. An
//! instance serves one unpacking: the caller makes a fresh one each time,
//! so that its memory can be collected.

#![no_std]

use core::arch::wasm32;

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    wasm32::unreachable()
}

extern "C" {
    static __heap_base: u8;
}

/// The end of the buffers handed out so far (0: none yet).
static mut TOP: usize = 0;

/// A 16-byte aligned buffer of `bytes` bytes after the ones handed out
/// before, growing the memory when needed; 0 when it cannot grow.
#[no_mangle]
pub extern "C" fn unpack_alloc(bytes: usize) -> usize {
    // SAFETY: single-threaded module; `__heap_base` is the linker's symbol
    // and only its address is taken.
    unsafe {
        if TOP == 0 {
            TOP = &__heap_base as *const u8 as usize;
        }
        let start = (TOP + 15) & !15;
        let end = match start.checked_add(bytes) {
            Some(e) => e,
            None => return 0,
        };
        let have = wasm32::memory_size(0) * 65536;
        if end > have && wasm32::memory_grow(0, (end - have + 65535) / 65536) == usize::MAX {
            return 0;
        }
        TOP = end;
        start
    }
}

const END: i32 = -1;
const INVALID_CODE: i32 = -2;
const STORED_LENGTH: i32 = -3;
const STORED_OVERRUN: i32 = -4;
const OVERSUBSCRIBED: i32 = -5;
const NO_PREVIOUS: i32 = -6;
const LENGTHS_OVERRUN: i32 = -7;
const RESERVED: i32 = -8;
const BAD_LENGTH: i32 = -9;
const BAD_DISTANCE: i32 = -10;
const BEFORE_START: i32 = -11;
const OUTPUT_OVERRUN: i32 = -12;
const BAD_BASE64: i32 = -13;

fn sextet(c: u8) -> u32 {
    match c {
        b'A'..=b'Z' => (c - b'A') as u32,
        b'a'..=b'z' => (c - b'a' + 26) as u32,
        b'0'..=b'9' => (c - b'0' + 52) as u32,
        b'+' => 62,
        b'/' => 63,
        _ => 64,
    }
}

/// Decodes the `len` base64 characters at `src` (padding optional) into
/// `dst`, which may be `src` itself; returns the number of bytes, or
/// [`BAD_BASE64`].
///
/// # Safety
/// `src..src + len` and `dst..dst + len * 3 / 4` must be memory of this
/// module; `dst` must not start after `src`.
#[no_mangle]
pub unsafe extern "C" fn unpack_base64(src: *const u8, len: usize, dst: *mut u8) -> i32 {
    let mut n = len;
    while n > 0 && *src.add(n - 1) == b'=' {
        n -= 1;
    }
    if n % 4 == 1 || len - n > 2 {
        return BAD_BASE64;
    }
    let mut o = 0usize;
    let mut i = 0usize;
    while i + 4 <= n {
        let v = (sextet(*src.add(i)) << 18)
            | (sextet(*src.add(i + 1)) << 12)
            | (sextet(*src.add(i + 2)) << 6)
            | sextet(*src.add(i + 3));
        if v >= 1 << 24 {
            return BAD_BASE64;
        }
        *dst.add(o) = (v >> 16) as u8;
        *dst.add(o + 1) = (v >> 8) as u8;
        *dst.add(o + 2) = v as u8;
        o += 3;
        i += 4;
    }
    let rest = n - i;
    if rest > 0 {
        let mut v = 0u32;
        for k in 0..rest {
            let s = sextet(*src.add(i + k));
            if s > 63 {
                return BAD_BASE64;
            }
            v |= s << (18 - 6 * k);
        }
        *dst.add(o) = (v >> 16) as u8;
        o += 1;
        if rest == 3 {
            *dst.add(o) = (v >> 8) as u8;
            o += 1;
        }
    }
    o as i32
}

const LENGTH_BASE: [u16; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];
const LENGTH_EXTRA: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
const DIST_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
const DIST_EXTRA: [u8; 30] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];
const CLEN_ORDER: [u8; 19] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/// Codes of at most this many bits decode with one lookup.
const FAST: u32 = 9;

/// A canonical Huffman code: a lookup table for the codes of at most
/// [`FAST`] bits, indexed by the next `FAST` input bits (least significant
/// first), entry `symbol << 4 | length` or 0 for none; and the count of codes
/// of each length with the symbols in code order, from which a longer code
/// is decoded bit by bit (as zlib's `puff.c` does). The table is small, so
/// that building it for every block costs little.
struct Code {
    fast: [u16; 1 << FAST],
    count: [u16; 16],
    symbol: [u16; 320],
}

impl Code {
    const fn new() -> Code {
        Code { fast: [0; 1 << FAST], count: [0; 16], symbol: [0; 320] }
    }

    /// Builds the code with these code lengths (at most 320 of them);
    /// false when over-subscribed.
    fn build(&mut self, lengths: &[u8]) -> bool {
        self.count = [0; 16];
        for &l in lengths {
            self.count[l as usize] += 1;
        }
        self.count[0] = 0;
        let mut left = 1i32;
        for len in 1..16 {
            left = (left << 1) - self.count[len] as i32;
            if left < 0 {
                return false;
            }
        }
        let mut offset = [0u16; 16];
        let mut next = [0u32; 16];
        let mut code = 0u32;
        for len in 1..16 {
            offset[len] = if len == 1 { 0 } else { offset[len - 1] + self.count[len - 1] };
            code = (code + self.count[len - 1] as u32) << 1;
            next[len] = code;
        }
        for e in self.fast.iter_mut() {
            *e = 0;
        }
        for (s, &l) in lengths.iter().enumerate() {
            if l == 0 {
                continue;
            }
            let len = l as usize;
            self.symbol[offset[len] as usize] = s as u16;
            offset[len] += 1;
            let c = next[len];
            next[len] += 1;
            if len as u32 > FAST {
                continue;
            }
            let mut rev = 0usize;
            for b in 0..len {
                rev |= (((c >> b) & 1) as usize) << (len - 1 - b);
            }
            let mut i = rev;
            while i < 1 << FAST {
                self.fast[i] = ((s as u16) << 4) | len as u16;
                i += 1 << len;
            }
        }
        true
    }
}

/// The bit reader over the input.
struct Bits<'a> {
    src: &'a [u8],
    pos: usize,
    buf: u32,
    have: u32,
}

impl<'a> Bits<'a> {
    /// Tops the buffer up to at least 24 bits while input remains.
    #[inline(always)]
    fn fill(&mut self) {
        while self.have < 24 && self.pos < self.src.len() {
            self.buf |= (self.src[self.pos] as u32) << self.have;
            self.pos += 1;
            self.have += 8;
        }
    }

    #[inline(always)]
    fn take(&mut self, n: u32) -> Result<u32, i32> {
        if self.have < n {
            self.fill();
            if self.have < n {
                return Err(END);
            }
        }
        let v = self.buf & ((1u32 << n) - 1);
        self.buf = if n == 32 { 0 } else { self.buf >> n };
        self.have -= n;
        Ok(v)
    }

    #[inline(always)]
    fn decode(&mut self, code: &Code) -> Result<usize, i32> {
        self.fill();
        let e = code.fast[(self.buf & ((1 << FAST) - 1)) as usize] as u32;
        if e != 0 {
            if e & 15 > self.have {
                return Err(END);
            }
            self.buf >>= e & 15;
            self.have -= e & 15;
            return Ok((e >> 4) as usize);
        }
        // A longer code (or none): bit by bit, the first code of each
        // length being `first`.
        let (mut c, mut first, mut index) = (0i32, 0i32, 0i32);
        for len in 1..16u32 {
            if len > self.have {
                return Err(END);
            }
            c |= ((self.buf >> (len - 1)) & 1) as i32;
            let count = code.count[len as usize] as i32;
            if c - count < first {
                self.buf >>= len;
                self.have -= len;
                return Ok(code.symbol[(index + c - first) as usize] as usize);
            }
            index += count;
            first = (first + count) << 1;
            c <<= 1;
        }
        Err(INVALID_CODE)
    }
}

fn inflate(src: &[u8], out: &mut [u8]) -> Result<usize, i32> {
    let (mut lit, mut dist, mut clen) = (Code::new(), Code::new(), Code::new());
    let mut r = Bits { src, pos: 0, buf: 0, have: 0 };
    let mut op = 0usize;
    let size = out.len();
    let mut last = 0;
    while last == 0 {
        last = r.take(1)?;
        let kind = r.take(2)?;
        if kind == 0 {
            // Stored: skip to the byte boundary. The bit buffer may hold
            // whole bytes read ahead; give them back.
            r.pos -= (r.have / 8) as usize;
            r.buf = 0;
            r.have = 0;
            if r.pos + 4 > src.len() {
                return Err(END);
            }
            let len = src[r.pos] as usize | (src[r.pos + 1] as usize) << 8;
            let nlen = src[r.pos + 2] as usize | (src[r.pos + 3] as usize) << 8;
            if len ^ 0xffff != nlen {
                return Err(STORED_LENGTH);
            }
            r.pos += 4;
            if r.pos + len > src.len() || op + len > size {
                return Err(STORED_OVERRUN);
            }
            out[op..op + len].copy_from_slice(&src[r.pos..r.pos + len]);
            r.pos += len;
            op += len;
            continue;
        }
        if kind == 1 {
            let mut lengths = [0u8; 288 + 30];
            for (i, l) in lengths.iter_mut().enumerate() {
                *l = match i {
                    0..=143 => 8,
                    144..=255 => 9,
                    256..=279 => 7,
                    280..=287 => 8,
                    _ => 5,
                };
            }
            lit.build(&lengths[..288]);
            dist.build(&lengths[288..]);
        } else if kind == 2 {
            let hlit = r.take(5)? as usize + 257;
            let hdist = r.take(5)? as usize + 1;
            let hclen = r.take(4)? as usize + 4;
            let mut cl = [0u8; 19];
            for &at in CLEN_ORDER[..hclen].iter() {
                cl[at as usize] = r.take(3)? as u8;
            }
            if !clen.build(&cl) {
                return Err(OVERSUBSCRIBED);
            }
            let mut lengths = [0u8; 288 + 32];
            let total = hlit + hdist;
            let mut i = 0;
            while i < total {
                let sym = r.decode(&clen)?;
                if sym < 16 {
                    lengths[i] = sym as u8;
                    i += 1;
                    continue;
                }
                let (value, repeat) = match sym {
                    16 => {
                        if i == 0 {
                            return Err(NO_PREVIOUS);
                        }
                        (lengths[i - 1], 3 + r.take(2)? as usize)
                    }
                    17 => (0, 3 + r.take(3)? as usize),
                    _ => (0, 11 + r.take(7)? as usize),
                };
                if i + repeat > total {
                    return Err(LENGTHS_OVERRUN);
                }
                for l in lengths[i..i + repeat].iter_mut() {
                    *l = value;
                }
                i += repeat;
            }
            if !lit.build(&lengths[..hlit]) || !dist.build(&lengths[hlit..total]) {
                return Err(OVERSUBSCRIBED);
            }
        } else {
            return Err(RESERVED);
        }
        loop {
            let sym = r.decode(&lit)?;
            if sym < 256 {
                if op >= size {
                    return Err(OUTPUT_OVERRUN);
                }
                out[op] = sym as u8;
                op += 1;
                continue;
            }
            if sym == 256 {
                break;
            }
            let li = sym - 257;
            if li >= 29 {
                return Err(BAD_LENGTH);
            }
            let len = LENGTH_BASE[li] as usize + r.take(LENGTH_EXTRA[li] as u32)? as usize;
            let di = r.decode(&dist)?;
            if di >= 30 {
                return Err(BAD_DISTANCE);
            }
            let d = DIST_BASE[di] as usize + r.take(DIST_EXTRA[di] as u32)? as usize;
            if d > op {
                return Err(BEFORE_START);
            }
            if op + len > size {
                return Err(OUTPUT_OVERRUN);
            }
            if d >= len {
                out.copy_within(op - d..op - d + len, op);
                op += len;
            } else {
                for _ in 0..len {
                    out[op] = out[op - d];
                    op += 1;
                }
            }
        }
    }
    Ok(op)
}

/// Inflates the raw DEFLATE stream of `len` bytes at `src` into the
/// `size` bytes at `dst`; returns the number of bytes written (the
/// caller checks that it is `size`), or a negative error code.
///
/// # Safety
/// `src..src + len` and `dst..dst + size` must be disjoint memory of this
/// module.
#[no_mangle]
pub unsafe extern "C" fn unpack_inflate(src: *const u8, len: usize, dst: *mut u8, size: usize) -> i32 {
    // The caller's contract makes both slices valid and disjoint.
    let input = core::slice::from_raw_parts(src, len);
    let out = core::slice::from_raw_parts_mut(dst, size);
    match inflate(input, out) {
        Ok(n) => n as i32,
        Err(e) => e,
    }
}
