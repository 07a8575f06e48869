//! CRC-16/CCITT-FALSE, the checksum of EMV® QRCPS MPM data object 63.
//!
//! Polynomial 0x1021, initial value 0xFFFF, no reflection, no final XOR (EMV QRCPS MPM §4.7.3).
//! The check value for the ASCII bytes `123456789` is 0x29B1. A payload's checksum covers its
//! UTF-8 bytes up to and including the id and length of the CRC object (`6304`).
//!
//! The implementation processes sixteen bytes per step with precomputed tables ("slicing by
//! 16"): the sixteen lookups of a step are independent of each other, so the processor overlaps
//! them, and each step waits on the previous one once per sixteen bytes rather than once per
//! byte. The last bytes, fewer than sixteen, take one step of the same kind with the tables for
//! their count: fed a byte at a time, they made a chain of up to fifteen lookups, the longest in
//! the whole computation. An input of 128 bytes or more (a typical payload) is moreover split
//! into three streams computed independently and joined at the end (see [`update`]). The
//! result is always the plain CRC-16/CCITT-FALSE: the tests compare it with a bit-by-bit
//! reference.

/// Polynomial of CRC-16/CCITT-FALSE.
const POLY: u16 = 0x1021;

/// `TABLES[k][b]` is the CRC register after feeding byte `b` followed by `k` zero bytes into a
/// zeroed register.
static TABLES: [[u16; 256]; SLICES] = build_tables();

/// Bytes per step.
const SLICES: usize = 16;

// INVARIANT: evaluated at compile time, where an out-of-bounds index is a build error.
#[allow(clippy::indexing_slicing)]
const fn build_tables() -> [[u16; 256]; SLICES] {
    let mut tables = [[0u16; 256]; SLICES];
    let mut b = 0;
    while b < 256 {
        // INVARIANT: b < 256, so the cast is lossless.
        #[allow(clippy::cast_possible_truncation)]
        let mut crc = (b as u16) << 8;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ POLY
            } else {
                crc << 1
            };
            bit += 1;
        }
        tables[0][b] = crc;
        b += 1;
    }
    let mut k = 1;
    while k < SLICES {
        let mut b = 0;
        while b < 256 {
            let prev = tables[k - 1][b];
            tables[k][b] = (prev << 8) ^ tables[0][(prev >> 8) as usize];
            b += 1;
        }
        k += 1;
    }
    tables
}

/// Computes CRC-16/CCITT-FALSE of `data`.
///
/// ```
/// assert_eq!(qrpay_core::crc::crc16(b"123456789"), 0x29B1);
/// ```
#[must_use]
pub fn crc16(data: &[u8]) -> u16 {
    update(0xFFFF, data)
}

/// Bytes in each of the two independent tail streams of [`update`].
const TAIL: usize = 64;

/// The register after feeding [`TAIL`] zero bytes, as a linear map in two halves:
/// `SKIP[0][hi] ^ SKIP[1][lo]` for a register whose bytes are `hi` and `lo`.
static SKIP: [[u16; 256]; 2] = build_skip();

// INVARIANT: evaluated at compile time, where an out-of-bounds index is a build error.
#[allow(clippy::indexing_slicing)]
const fn build_skip() -> [[u16; 256]; 2] {
    let t = build_tables();
    let mut skip = [[0u16; 256]; 2];
    let mut b = 0;
    while b < 256 {
        let mut half = 0;
        while half < 2 {
            // INVARIANT: b < 256, so the cast is lossless.
            #[allow(clippy::cast_possible_truncation)]
            let mut crc = (b as u16) << (8 - 8 * half);
            let mut n = 0;
            while n < TAIL {
                crc = (crc << 8) ^ t[0][(crc >> 8) as usize];
                n += 1;
            }
            skip[half][b] = crc;
            half += 1;
        }
        b += 1;
    }
    skip
}

/// Feeds `data` into a running CRC register `crc` and returns the new register.
///
/// `update(update(crc, a), b)` equals `update(crc, ab)`, so a payload may be fed in pieces.
///
/// The register's update is linear: feeding `x ‖ y` from register `r` gives the register of `x`
/// moved past `|y|` zero bytes, XOR the register of `y` fed from zero. So an input of at least
/// 128 bytes is fed as three independent streams (a head and two tails of 64 bytes each) whose
/// dependency chains the processor runs side by side, then joined with two table lookups each;
/// a shorter input is fed as one stream.
///
/// ```
/// use qrpay_core::crc::{crc16, update};
///
/// let text = b"00020101021153033605802ID6304";
/// let (a, b) = text.split_at(10);
/// assert_eq!(update(update(0xFFFF, a), b), crc16(text));
/// ```
#[must_use]
pub fn update(crc: u16, data: &[u8]) -> u16 {
    let Some(head_len) = data.len().checked_sub(2 * TAIL) else {
        return update_serial(crc, data);
    };
    let (head, tails) = data.split_at(head_len);
    let (b, c) = tails.split_at(TAIL);
    let [skip_hi, skip_lo] = &SKIP;
    // INVARIANT: a `u8` widened to `usize` is below the tables' length of 256.
    #[allow(clippy::indexing_slicing)]
    let skip = |r: u16| {
        let [hi, lo] = r.to_be_bytes();
        skip_hi[usize::from(hi)] ^ skip_lo[usize::from(lo)]
    };
    let a = update_serial(crc, head);
    let b = update_serial(0, b);
    let c = update_serial(0, c);
    skip(skip(a) ^ b) ^ c
}

/// [`update`] as one stream: sixteen bytes per step, then the last 0–15 in one step of the
/// same kind.
#[inline(always)]
fn update_serial(mut crc: u16, data: &[u8]) -> u16 {
    let (chunks, rest) = data.as_chunks::<SLICES>();
    for chunk in chunks {
        crc = step(crc, chunk);
    }
    step(crc, rest)
}

/// Feeds `bytes` (at most [`SLICES`]) into the register `crc` in one step: byte k of n is
/// followed by n - 1 - k more, so its lookup is in table n - 1 - k. Only the first two bytes
/// meet the register; the other lookups are summed first, so the chain from one step's register
/// to the next is two lookups long, not n.
#[inline(always)]
// INVARIANT: every table index is a `u8` widened to `usize`, below the tables' length of 256,
// and every table number is below `bytes.len()`, at most SLICES.
#[allow(clippy::indexing_slicing)]
fn step(crc: u16, bytes: &[u8]) -> u16 {
    let t = &TABLES;
    let n = bytes.len();
    let [hi, lo] = crc.to_be_bytes();
    match bytes {
        [] => crc,
        // One byte meets only the register's high half; the low half moves up.
        [b] => (crc << 8) ^ t[0][usize::from(hi ^ b)],
        [b0, b1, more @ ..] => {
            let mut rest = 0;
            for (k, &b) in more.iter().enumerate() {
                rest ^= t[n - 3 - k][usize::from(b)];
            }
            rest ^ (t[n - 1][usize::from(b0 ^ hi)] ^ t[n - 2][usize::from(b1 ^ lo)])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bit-at-a-time reference, straight from the definition.
    fn reference(data: &[u8]) -> u16 {
        let mut crc: u16 = 0xFFFF;
        for &byte in data {
            crc ^= u16::from(byte) << 8;
            for _ in 0..8 {
                crc = if crc & 0x8000 != 0 {
                    (crc << 1) ^ POLY
                } else {
                    crc << 1
                };
            }
        }
        crc
    }

    #[test]
    fn check_value() {
        assert_eq!(crc16(b"123456789"), 0x29B1);
        assert_eq!(reference(b"123456789"), 0x29B1);
    }

    #[test]
    fn empty_input_is_initial_value() {
        assert_eq!(crc16(b""), 0xFFFF);
    }

    proptest::proptest! {
        #[test]
        fn sliced_equals_bitwise(data in proptest::collection::vec(proptest::num::u8::ANY, 0..600)) {
            proptest::prop_assert_eq!(crc16(&data), reference(&data));
        }

        #[test]
        fn incremental_equals_whole(data in proptest::collection::vec(proptest::num::u8::ANY, 0..300), cut in 0usize..300) {
            let cut = cut.min(data.len());
            let (a, b) = data.split_at(cut);
            proptest::prop_assert_eq!(update(update(0xFFFF, a), b), crc16(&data));
        }
    }
}
