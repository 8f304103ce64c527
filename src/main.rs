//! The `maillage` binary: parse the command line, run, map errors to an exit code.

mod cli;
mod run;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = match expand_scenario(std::env::args_os().collect()) {
        Ok(a) => a,
        Err(err) => {
            eprintln!("error: {err:#}");
            return ExitCode::FAILURE;
        }
    };
    let cli = cli::Cli::parse_from(args);
    match run::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // A closed pipe (`maillage need … | head`) is not a failure.
            if err
                .chain()
                .any(|c| c.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe))
            {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// `plan --scenario FILE …`: the scenario's options are placed right after `plan`, so that
/// flags given on the command line (after them) override them.
fn expand_scenario(args: Vec<std::ffi::OsString>) -> anyhow::Result<Vec<std::ffi::OsString>> {
    let Some(plan_at) = args.iter().position(|a| a == "plan") else { return Ok(args) };
    let mut path = None;
    for (i, a) in args.iter().enumerate().skip(plan_at + 1) {
        let text = a.to_string_lossy();
        if text == "--scenario" {
            path = args.get(i + 1).map(std::path::PathBuf::from);
        } else if let Some(p) = text.strip_prefix("--scenario=") {
            path = Some(std::path::PathBuf::from(p));
        }
    }
    let Some(path) = path else { return Ok(args) };
    let scenario = maillage::scenario::load_scenario(&path)?;
    let mut out: Vec<std::ffi::OsString> = args[..=plan_at].to_vec();
    out.extend(scenario.plan_args(&path).into_iter().map(Into::into));
    out.extend(args[plan_at + 1..].iter().cloned());
    Ok(out)
}
