//! The `maillage` binary: parse the command line, run, map errors to an exit code.

mod app;
mod cli;

use std::process::ExitCode;

use clap::FromArgMatches;

fn main() -> ExitCode {
    // Ctrl-C or SIGTERM: the staging files go, a swap under way finishes, and the run stops.
    let _ = ctrlc::set_handler(|| {
        let removed = maillage::report::remove_staging();
        eprintln!("error: interrupted; {removed} staging path(s) removed, previous outputs kept");
        std::process::exit(130);
    });
    let matches = cli::command().get_matches();
    let cli = match cli::Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    match app::run(cli) {
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
