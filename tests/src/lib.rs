//! Helpers shared by the conformance tests: paths to the bundled reference
//! data (`tests/data`, copied from the public research data sets) and the
//! shared JSON vectors (`tests/vectors`).

use std::path::PathBuf;

/// Absolute path of a file in `tests/data`.
pub fn data_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join(name)
}

/// Absolute path of a file in `tests/vectors`.
pub fn vector_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("vectors")
        .join(name)
}
