//! The `clv` command line tool: customer summaries, RFM, value formulas and
//! reports on transaction files. All computation is done by the `clv` crate;
//! this binary only parses arguments, reads files and prints results.
//!
//! Each command is one module (`*_cmd`, `report`); they share `input`
//! (file options and reading), `data` (the bundled sample, RFM inputs),
//! `render` (formats, CSV quoting, the whale-curve and risk blocks) and
//! `progress`, and never use one another.
//!
//! The binary (`src/main.rs`) only calls [`run`]; the library exists so that
//! the fuzz target `cli_args` (fuzz/) can drive the same argument parser and
//! the file-free `clv value` commands with arbitrary arguments.

mod data;
mod fit_cmd;
mod input;
mod portfolio_cmd;
mod progress;
mod render;
mod report;
mod rfm_cmd;
mod sample_cmd;
mod score_cmd;
mod summary_cmd;
mod uplift_cmd;
mod value_cmd;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Customer lifetime value from transaction logs.
#[derive(Debug, Parser)]
#[command(name = "clv", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Transaction log -> per-customer frequency, recency, T, monetary_value
    /// (the `lifetimes` definitions), optionally with a calibration/holdout split.
    Summary(summary_cmd::SummaryArgs),
    /// RFM quantile scores, combined code and named segments per customer.
    Rfm(rfm_cmd::RfmArgs),
    /// Deterministic value formulas with exact decimal money.
    #[command(subcommand)]
    Value(value_cmd::ValueCommand),
    /// Fit a model by maximum likelihood (standard errors, 95% intervals).
    Fit(fit_cmd::FitArgs),
    /// Bayesian fit with NUTS: posterior summary (mean, sd, 5%/95%, r_hat,
    /// ESS, divergences), optionally the posterior draws as JSON.
    Sample(sample_cmd::SampleArgs),
    /// Score customers with a saved model: P(alive), expected purchases, CLV.
    Score(score_cmd::ScoreArgs),
    /// A readable report on a transaction file (default: the bundled CDNOW sample).
    Report(report::ReportArgs),
    /// Whale curve, concentration, value tiers and revenue at risk of a
    /// customer base.
    Portfolio(portfolio_cmd::PortfolioArgs),
    /// Measured effect of an action: treated vs control group, with
    /// confidence intervals, per customer and in total.
    Uplift(uplift_cmd::UpliftArgs),
}

/// Runs the `clv` command with `args` (the program name first), as the
/// binary does: clap prints usage errors and exits; a command's error is
/// printed as `error [CODE]: message` with exit status 2.
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    report(execute(Cli::parse_from(args)))
}

/// Parses `args` as the binary does and, when they name a `clv value`
/// command (pure computation, no files), runs it; other commands are only
/// parsed. Never exits the process. For fuzzing: any argument list must end
/// in a parse error, a typed error or a result, never a panic, an abort or
/// an unbounded allocation (issue 17: `--periods 4294967295` once asked for
/// 68 GB).
pub fn parse_and_run_value<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    match Cli::try_parse_from(args) {
        Err(e) => {
            let _ = e.render();
            ExitCode::from(2)
        }
        Ok(Cli {
            command: Command::Value(cmd),
        }) => report(value_cmd::run(&cmd)),
        Ok(_) => ExitCode::SUCCESS,
    }
}

fn execute(cli: Cli) -> clv::Result<()> {
    match cli.command {
        Command::Summary(args) => summary_cmd::run(&args),
        Command::Rfm(args) => rfm_cmd::run(&args),
        Command::Value(cmd) => value_cmd::run(&cmd),
        Command::Fit(args) => fit_cmd::run(&args),
        Command::Sample(args) => sample_cmd::run(&args),
        Command::Score(args) => score_cmd::run(&args),
        Command::Report(args) => report::run(&args),
        Command::Portfolio(args) => portfolio_cmd::run(&args),
        Command::Uplift(args) => uplift_cmd::run(&args),
    }
}

fn report(result: clv::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error [{}]: {e}", e.code());
            ExitCode::from(2)
        }
    }
}

/// Where command output goes: a file given with `--output`, or stdout.
pub(crate) fn output(path: Option<&std::path::Path>) -> clv::Result<Box<dyn std::io::Write>> {
    match path {
        Some(p) => {
            let f = std::fs::File::create(p).map_err(|e| clv::Error::Io {
                path: p.display().to_string(),
                message: e.to_string(),
            })?;
            Ok(Box::new(std::io::BufWriter::new(f)))
        }
        None => Ok(Box::new(std::io::BufWriter::new(std::io::stdout().lock()))),
    }
}

/// Writes `text` (a `str` or bytes) to `out`, mapping I/O errors into the
/// crate error.
pub(crate) fn write_out(out: &mut dyn std::io::Write, text: impl AsRef<[u8]>) -> clv::Result<()> {
    match out.write_all(text.as_ref()).and_then(|()| out.flush()) {
        // A closed pipe (`clv ... | head`) is not an error of ours.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r.map_err(|e| clv::Error::Io {
            path: "<output>".to_string(),
            message: e.to_string(),
        }),
    }
}
