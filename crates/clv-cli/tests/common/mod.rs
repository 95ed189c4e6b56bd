//! Helpers shared by the CLI integration tests (`cli.rs`, `cli_portfolio.rs`).
// Each test file uses a subset of them.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::{Command, Output};

/// Runs the `clv` binary built for these tests.
pub fn clv(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_clv"))
        .args(args)
        .output()
        .unwrap()
}

/// Standard output of a run that must have succeeded.
pub fn stdout(o: &Output) -> String {
    assert!(
        o.status.success(),
        "clv failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// Standard error of a run.
pub fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// Standard output, as JSON, of a run that must have succeeded.
pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_str(&stdout(o)).unwrap()
}

/// The path of `name` in the folder `dir` of the repository (e.g.
/// `tests/data`), as an argument.
pub fn repo_file(dir: &str, name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(dir)
        .join(name)
        .display()
        .to_string()
}

/// Writes `content` to a temporary file and returns its path (kept alive by the dir).
pub fn file(dir: &tempfile::TempDir, name: &str, content: &str) -> PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, content).unwrap();
    p
}

/// Runs `clv` with the words of `line` as its arguments (split at white
/// space: for arguments without spaces).
pub fn run(line: &str) -> Output {
    clv(&line.split_whitespace().collect::<Vec<_>>())
}

/// Runs `clv {before} <path> {after}` (as [`run`]), the path that of a
/// temporary file holding `content`.
pub fn run_on(before: &str, content: &str, after: &str) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let p = file(&dir, "input.csv", content);
    run(&format!("{before} {} {after}", p.display()))
}

/// Asserts that a run failed with exit code 2 and that its standard error
/// contains each of `needles`.
pub fn assert_fails(o: &Output, needles: &[&str]) {
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(o);
    for needle in needles {
        assert!(e.contains(needle), "{needle}: {e}");
    }
}
