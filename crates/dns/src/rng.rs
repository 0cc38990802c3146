//! The plane's random numbers, below the modules that use them: a fast per-thread generator
//! for choosing among records (weighted sets, one of a tier, multivalue order) and among
//! forwarding targets, and for forwarded queries' ids. Fairness, not secrecy.

use std::cell::Cell;

thread_local! {
    static RNG: Cell<u64> = Cell::new({
        use std::hash::{BuildHasher, Hasher};
        std::collections::hash_map::RandomState::new().build_hasher().finish() | 1
    });
}

/// A fast per-thread random number (xorshift64*); fairness, not secrecy.
pub(crate) fn random() -> u64 {
    RNG.with(|r| {
        let mut x = r.get();
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        r.set(x);
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    })
}

/// A random number below `n` (0 when `n` is 0).
pub(crate) fn below(n: u64) -> u64 {
    if n == 0 { 0 } else { random() % n }
}
