//! Helpers shared by the CLI integration tests.
// Each test file uses a subset of them.
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::HashMap;
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

/// `clv score` output as (ids, columns by header name).
pub fn scored(csv: &str) -> (Vec<String>, HashMap<String, Vec<f64>>) {
    let mut lines = csv.lines();
    let header: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    let mut ids = Vec::new();
    let mut cols: HashMap<String, Vec<f64>> = HashMap::new();
    for l in lines {
        let f: Vec<&str> = l.split(',').collect();
        assert_eq!(f.len(), header.len(), "{l}");
        ids.push(f[0].to_string());
        for (h, v) in header.iter().zip(&f).skip(1) {
            cols.entry(h.clone()).or_default().push(v.parse().unwrap());
        }
    }
    (ids, cols)
}

/// `got` equals `want` to 1e-12 relative, value by value.
pub fn assert_close(what: &str, got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{what}");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= 1e-12 * w.abs().max(1e-300),
            "{what}[{i}]: {g} vs {w}"
        );
    }
}
