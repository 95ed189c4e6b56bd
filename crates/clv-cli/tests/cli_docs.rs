//! The printed examples of the docs are what the `clv` command prints: every
//! ```` ```console ```` block of `docs/portfolio.md` (the only page with
//! them) is run, after the page's ```` ```sh ```` set-up blocks, in a
//! scratch folder, and its output lines must stand in the output as shown
//! (a `...` line stands for lines left out). Two figures of the page had
//! drifted by a cent before this test.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository's root.
fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The fenced blocks of `text` as (language, body).
fn blocks(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut open: Option<(String, String)> = None;
    for line in text.lines() {
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(lang)) => open = Some((lang.trim().to_string(), String::new())),
            (Some(_), Some(_)) => out.push(open.take().unwrap()),
            (Some((_, body)), None) => {
                body.push_str(line);
                body.push('\n');
            }
            (None, None) => {}
        }
    }
    out
}

/// Runs `script` with bash in `dir`, the `clv` under test first on the
/// PATH; its standard output, after asserting success.
fn bash(dir: &Path, script: &str) -> String {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_clv"));
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .args(["-euo", "pipefail", "-c", script])
        .current_dir(dir)
        .env("PATH", path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{script}\nfailed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Asserts that each run of `shown` lines between `...` lines stands, line
/// for line, in `printed`, the runs in their order.
fn assert_shown(command: &str, shown: &[&str], printed: &str) {
    let printed: Vec<&str> = printed.lines().map(str::trim_end).collect();
    let mut from = 0;
    for run in shown.split(|l| l.trim() == "...") {
        let run: Vec<&str> = run.iter().map(|l| l.trim_end()).collect();
        let run = match run.iter().rposition(|l| !l.is_empty()) {
            Some(last) => &run[..=last],
            None => continue,
        };
        let at = (from..=printed.len().saturating_sub(run.len()))
            .find(|&i| printed[i..i + run.len()] == *run)
            .unwrap_or_else(|| {
                panic!(
                    "$ {command}: these lines of the docs are not printed (in this order):\n{}\n\
                     --- printed:\n{}",
                    run.join("\n"),
                    printed.join("\n")
                )
            });
        from = at + run.len();
    }
}

#[test]
fn console_examples_of_docs_portfolio_are_what_clv_prints() {
    let page = std::fs::read_to_string(repo().join("docs/portfolio.md")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    // the set-up blocks name the data as `tests/data/...` from the root
    std::os::unix::fs::symlink(repo().join("tests"), dir.path().join("tests")).unwrap();
    let mut commands = 0;
    for (lang, body) in blocks(&page) {
        match lang.as_str() {
            "sh" => {
                bash(dir.path(), &body);
            }
            "console" => {
                let lines: Vec<&str> = body.lines().collect();
                let starts: Vec<usize> = (0..lines.len())
                    .filter(|&i| lines[i].starts_with("$ "))
                    .collect();
                assert_eq!(starts.first(), Some(&0), "a console block starts with $");
                for (k, &i) in starts.iter().enumerate() {
                    let end = starts.get(k + 1).copied().unwrap_or(lines.len());
                    let command = &lines[i][2..];
                    assert_shown(command, &lines[i + 1..end], &bash(dir.path(), command));
                    commands += 1;
                }
            }
            _ => {}
        }
    }
    // portfolio ×2, report, uplift ×3
    assert_eq!(commands, 6);
}
