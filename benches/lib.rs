//! Benchmarks of `clv` live in `benches/` (criterion) and in the
//! `compare_*.py` scripts beside this file; this library holds what the
//! benches and the examples share: the generator of synthetic data.

/// xorshift64* (Vigna 2016): small, fast, seeded and good enough for a
/// reproducible synthetic log (the same seed gives the same data).
pub struct XorShift(pub u64);

impl XorShift {
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n` (0 for `n = 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}
