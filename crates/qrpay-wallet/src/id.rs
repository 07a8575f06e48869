//! 128-bit identifiers for accounts and transfers, and a generator of time-ordered ones.

use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::str::FromStr;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

/// A 128-bit account or transfer id, chosen by the client.
///
/// Ids from [`IdGenerator`] start with the milliseconds since the Unix epoch, so they sort by
/// creation time and a store keyed by id appends (like ULIDs and TigerBeetle's recommended ids).
/// Zero and `u128::MAX` are reserved: the ledger refuses them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id(u128);

/// Why a text is not an id.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdError {
    /// Not 1 to 32 hexadecimal digits.
    #[error("invalid id {text:?}: expected 1 to 32 hexadecimal digits")]
    Invalid {
        /// The text given.
        text: String,
    },
}

impl Id {
    /// The reserved zero id ("none").
    pub const ZERO: Id = Id(0);

    /// Wraps a raw 128-bit value.
    #[must_use]
    pub const fn from_u128(value: u128) -> Id {
        Id(value)
    }

    /// The raw value.
    #[must_use]
    pub const fn get(self) -> u128 {
        self.0
    }

    /// Whether this is the reserved zero id.
    #[must_use]
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// Big-endian bytes, so that byte order is numeric order (and time order for generated ids).
    #[must_use]
    pub const fn to_be_bytes(self) -> [u8; 16] {
        self.0.to_be_bytes()
    }

    /// The inverse of [`Id::to_be_bytes`].
    #[must_use]
    pub const fn from_be_bytes(bytes: [u8; 16]) -> Id {
        Id(u128::from_be_bytes(bytes))
    }

    /// Derives an id from arbitrary bytes with BLAKE3 (used for single-use QR codes: the same
    /// merchant and reference always give the same transfer id).
    #[must_use]
    pub fn derive(context: &str, material: &[u8]) -> Id {
        let hash = blake3::derive_key(context, material);
        let mut bytes = [0u8; 16];
        for (dst, src) in bytes.iter_mut().zip(hash.iter()) {
            *dst = *src;
        }
        // Keep clear of the two reserved values.
        match u128::from_be_bytes(bytes) {
            0 => Id(1),
            u128::MAX => Id(u128::MAX - 1),
            v => Id(v),
        }
    }

    /// The last 8 hex digits, for display where the full id is too long (the first digits of
    /// time-ordered ids are the time, shared by ids made together).
    #[must_use]
    pub fn short(self) -> String {
        let full = self.to_string();
        full.get(24..).unwrap_or(&full).to_owned()
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:032x}", self.0)
    }
}

impl FromStr for Id {
    type Err = IdError;

    fn from_str(text: &str) -> Result<Id, IdError> {
        if text.is_empty() || text.len() > 32 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(IdError::Invalid {
                text: text.to_owned(),
            });
        }
        u128::from_str_radix(text, 16)
            .map(Id)
            .map_err(|_| IdError::Invalid {
                text: text.to_owned(),
            })
    }
}

/// A source of time for the ledger: the state machine never reads a clock itself, the store
/// asks this one and passes the time in.
pub trait Clock: Send + Sync {
    /// Nanoseconds since the Unix epoch.
    fn now_ns(&self) -> u64;
}

impl<C: Clock + ?Sized> Clock for std::sync::Arc<C> {
    fn now_ns(&self) -> u64 {
        (**self).now_ns()
    }
}

/// The system's real-time clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ns(&self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
            .unwrap_or(0)
    }
}

/// A clock that says what it is told, for tests and simulations.
#[derive(Debug, Default)]
pub struct ManualClock {
    now_ns: std::sync::atomic::AtomicU64,
}

impl ManualClock {
    /// A clock at `now_ns`.
    #[must_use]
    pub fn new(now_ns: u64) -> ManualClock {
        ManualClock {
            now_ns: std::sync::atomic::AtomicU64::new(now_ns),
        }
    }

    /// Moves the clock to `now_ns`.
    pub fn set(&self, now_ns: u64) {
        self.now_ns
            .store(now_ns, std::sync::atomic::Ordering::SeqCst);
    }

    /// Moves the clock forward.
    pub fn advance(&self, delta_ns: u64) {
        self.now_ns
            .fetch_add(delta_ns, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_ns(&self) -> u64 {
        self.now_ns.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// Makes time-ordered ids: 48 bits of milliseconds since the epoch, then 80 bits that start
/// random and count up within a millisecond, so ids from one generator strictly increase.
#[derive(Debug)]
pub struct IdGenerator {
    state: Mutex<(u64, u128)>,
}

const LOW_BITS: u32 = 80;
const LOW_MASK: u128 = (1u128 << LOW_BITS) - 1;

impl Default for IdGenerator {
    fn default() -> IdGenerator {
        IdGenerator::new()
    }
}

impl IdGenerator {
    /// A new generator.
    #[must_use]
    pub fn new() -> IdGenerator {
        IdGenerator {
            state: Mutex::new((0, 0)),
        }
    }

    /// The next id, at the clock's current millisecond.
    pub fn next(&self, clock: &dyn Clock) -> Id {
        let ms = clock.now_ns() / 1_000_000;
        let mut guard = match self.state.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        let (last_ms, last_low) = *guard;
        let (ms, low) = if ms <= last_ms {
            // Same (or an earlier) millisecond: count up; carry into the time part on overflow.
            match last_low.checked_add(1).filter(|l| *l <= LOW_MASK) {
                Some(l) => (last_ms, l),
                None => (last_ms.saturating_add(1), random_low()),
            }
        } else {
            (ms, random_low())
        };
        *guard = (ms, low);
        let time = u128::from(ms & ((1u64 << 48) - 1));
        Id((time << LOW_BITS) | low)
    }
}

/// 80 random bits, leaving the top one clear so counting up rarely overflows.
fn random_low() -> u128 {
    let a = RandomState::new().build_hasher().finish();
    let mut h = RandomState::new().build_hasher();
    h.write_u64(a);
    let b = h.finish();
    ((u128::from(a) << 64) | u128::from(b)) & (LOW_MASK >> 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_increase_and_carry_time() {
        let clock = ManualClock::new(1_700_000_000_000_000_000);
        let g = IdGenerator::new();
        let mut last = Id::ZERO;
        for i in 0..1000 {
            if i % 100 == 0 {
                clock.advance(1_000_000);
            }
            let id = g.next(&clock);
            assert!(id > last);
            assert_eq!((id.get() >> 80) as u64, clock.now_ns() / 1_000_000);
            last = id;
        }
        // A clock that goes backwards still gives increasing ids.
        clock.set(0);
        assert!(g.next(&clock) > last);
    }

    #[test]
    fn text_round_trip_and_rejects() {
        let id = Id::from_u128(0x0123_4567_89ab_cdef_0011_2233_4455_6677);
        assert_eq!(id.to_string(), "0123456789abcdef0011223344556677");
        assert_eq!(id.to_string().parse::<Id>(), Ok(id));
        assert_eq!("ff".parse::<Id>(), Ok(Id::from_u128(255)));
        for bad in ["", "xyz", "+1", "0123456789abcdef0011223344556677a"] {
            assert!(bad.parse::<Id>().is_err(), "{bad}");
        }
        assert_eq!(Id::from_be_bytes(id.to_be_bytes()), id);
    }

    #[test]
    fn derived_ids_are_stable_and_distinct() {
        let a = Id::derive("qrpay test", b"m1|ref1");
        assert_eq!(a, Id::derive("qrpay test", b"m1|ref1"));
        assert_ne!(a, Id::derive("qrpay test", b"m1|ref2"));
    }
}
