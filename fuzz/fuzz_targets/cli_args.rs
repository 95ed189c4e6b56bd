//! The `clv` command's argument parsing, and the `clv value` commands it
//! reaches without files, on arbitrary argument lists (issue 17: CLI option
//! parsing where reachable). The input is split on NUL bytes into
//! arguments after `clv`; a leading byte picks a subcommand so that the
//! fuzzer reaches each one's options quickly. Every list must end in a
//! usage error, a typed error or a printed result: never a panic, an abort
//! or an unbounded allocation (`clv value waland-cole --periods 4294967295`
//! once asked for 68 GB).
#![no_main]

use libfuzzer_sys::fuzz_target;

const COMMANDS: [&[&str]; 10] = [
    &["value", "waland-cole"],
    &["value", "simple"],
    &["value", "retention"],
    &["value", "margin"],
    &["summary"],
    &["fit"],
    &["score"],
    &["sample"],
    &["report"],
    &["portfolio"],
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let mut args: Vec<std::ffi::OsString> = vec!["clv".into()];
    args.extend(COMMANDS[usize::from(pick) % COMMANDS.len()].iter().map(Into::into));
    args.extend(
        rest.split(|&b| b == 0)
            .map(|a| String::from_utf8_lossy(a).into_owned().into()),
    );
    let _ = clv_cli::parse_and_run_value(args);
});
