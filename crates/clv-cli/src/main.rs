//! The `clv` command line tool; everything is in the library (`lib.rs`).

fn main() -> std::process::ExitCode {
    clv_cli::run(std::env::args_os())
}
