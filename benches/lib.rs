//! Benchmarks of `clv` live in `benches/` (criterion) and in the
//! `compare_*.py` scripts beside this file; this library is empty.
