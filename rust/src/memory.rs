//! Reusable scratch buffers shared with the TypeScript loader.
//!
//! Each slot owns one growable, 16-byte aligned buffer. The TypeScript side
//! asks for a slot with enough bytes, writes its inputs there and passes the
//! pointer to a kernel. Buffers are reused across calls, so a hot loop of
//! small calls does not allocate.

use std::cell::RefCell;

/// Number of independent scratch slots.
pub const SLOTS: usize = 8;

thread_local! {
    static SCRATCH: RefCell<[Vec<u128>; SLOTS]> = RefCell::new(Default::default());
}

/// Returns a pointer to at least `bytes` bytes of slot `slot`, 16-byte
/// aligned, or null when `slot` is out of range. The contents are not
/// preserved when the slot grows.
pub fn scratch(slot: u32, bytes: usize) -> *mut u8 {
    let slot = slot as usize;
    if slot >= SLOTS {
        return std::ptr::null_mut();
    }
    SCRATCH.with(|s| {
        let mut s = s.borrow_mut();
        let words = (bytes + 15) / 16;
        let v = &mut s[slot];
        if v.len() < words {
            *v = Vec::new();
            v.resize(words.max(1), 0);
        }
        v.as_mut_ptr() as *mut u8
    })
}

/// A growable work buffer owned by the kernels themselves, of `f64` unless
/// said otherwise (`f32`, or `v128` for 16-byte aligned vectors).
pub struct Work<T = f64> {
    buf: Vec<T>,
}

impl<T: Copy> Work<T> {
    pub const fn new() -> Self {
        Work { buf: Vec::new() }
    }

    /// Pointer to the start of the buffer.
    pub fn as_ptr(&self) -> *const T {
        self.buf.as_ptr()
    }

    /// Returns a slice of exactly `len` values, all set to `fill`.
    pub fn take(&mut self, len: usize, fill: T) -> &mut [T] {
        if self.buf.len() < len {
            self.buf = Vec::new();
            self.buf.resize(len, fill);
        }
        let s = &mut self.buf[..len];
        for x in s.iter_mut() {
            *x = fill;
        }
        s
    }
}
