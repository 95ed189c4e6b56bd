//! The `clv` command line tool; everything is in the library (`lib.rs`).

/// mimalloc instead of the system allocator: a run allocates large column
/// buffers and many small ids, and glibc's malloc returns the large ones to
/// the kernel on every free (page faults again on the next allocation, and
/// TLB shootdowns across the worker threads). Built without transparent
/// huge pages (the `no_thp` feature): with them, the partly used 2 MiB
/// pages of its arenas counted 25–30 MiB more resident memory in a summary
/// at no measurable gain in speed. The 2.x line (the `v2` feature): the
/// 3.x line's set-up before `main` cost about 0.6 ms of a 10 ms fit.
/// Measured in docs/performance.md ("Allocator", "44-byte entries",
/// "mimalloc 2 instead of 3").
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    clv_cli::run(std::env::args_os())
}
