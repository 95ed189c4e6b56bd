//! The `clv` command line tool.
fn main() {}
