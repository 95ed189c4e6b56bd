//! A progress indicator on stderr that appears only when a job takes more
//! than a second and stderr is a terminal: a byte bar while reading, then a
//! spinner for the computation.

use std::io::{IsTerminal, Read};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

const DELAY: Duration = Duration::from_secs(1);

/// The progress state of one command.
pub struct Progress {
    bar: ProgressBar,
    started: Instant,
    enabled: bool,
}

impl Progress {
    /// A progress indicator for reading `total` bytes (when known).
    pub fn new(total: Option<u64>) -> Self {
        let bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::hidden());
        if let Ok(style) = ProgressStyle::with_template(
            "reading [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} ({bytes_per_sec})",
        ) {
            bar.set_style(style);
        }
        Progress {
            bar,
            started: Instant::now(),
            enabled: std::io::stderr().is_terminal(),
        }
    }

    /// One that never shows (for in-memory data).
    pub fn hidden() -> Self {
        let mut p = Progress::new(None);
        p.enabled = false;
        p
    }

    /// Wraps a reader so that the bytes read advance the bar.
    pub fn reader<R: Read>(&self, inner: R) -> ProgressReader<R> {
        ProgressReader {
            inner,
            bar: self.bar.clone(),
            started: self.started,
            enabled: self.enabled,
        }
    }

    /// Switches to a spinner with `message`, shown if the job is already slow.
    pub fn phase(&self, message: &str) {
        if self.enabled && self.started.elapsed() > DELAY {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
            self.bar.set_style(ProgressStyle::default_spinner());
            self.bar.set_message(message.to_string());
            self.bar.enable_steady_tick(Duration::from_millis(120));
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}

/// A byte-counting reader that makes the bar visible after [`DELAY`].
pub struct ProgressReader<R> {
    inner: R,
    bar: ProgressBar,
    started: Instant,
    enabled: bool,
}

impl<R: Read> Read for ProgressReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bar.inc(n as u64);
        if self.enabled && self.bar.is_hidden() && self.started.elapsed() > DELAY {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
        Ok(n)
    }
}
