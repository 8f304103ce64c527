//! `maillage serve`: the web app of planners and prefectures. An HTTP server (axum on tokio)
//! serving a single page compiled into the binary and the JSON API the page and scripts
//! share. Every run is `maillage plan` on a scenario validated here by the same
//! [`PlanSpec::validate`] as the command line, in its own process (see [`runs`]).

mod api;
mod geometry;
mod runs;

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use maillage::DataFiles;

use crate::cli::ServeArgs;

/// Environment variable holding the token when `--token` is not given.
pub const TOKEN_ENV: &str = "MAILLAGE_TOKEN";

/// Shortest token accepted.
const MIN_TOKEN: usize = 16;

/// Largest request body (a scenario, as TOML or JSON).
pub const MAX_BODY: usize = 1 << 20;

/// Starts the server and serves until interrupted.
pub fn serve(files: &DataFiles, args: &ServeArgs) -> Result<()> {
    let token = args.token.clone().or_else(|| std::env::var(TOKEN_ENV).ok()).filter(|t| !t.is_empty());
    check_bind(args.bind, token.as_deref())?;
    let jobs = args.jobs.map_or_else(|| (num_cpus() / 2).max(1), usize::from);
    let data = super::load_dataset(files)?;
    let shapes = maillage::load::load_unit_shapes(files, &data).context("reading the commune polygons")?;
    let dep_names = maillage::load::load_departement_names(files).context("reading the département names")?;
    let projector = geometry::Projector::new(&data);
    let geometry = geometry::geometry_gz(&data, &shapes, &dep_names, &projector).context("the map's geometry")?;
    drop(shapes);
    let data_dir = (files.dir != DataFiles::embedded().dir).then(|| std::path::absolute(&files.dir)).transpose()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the server's runtime")?;
    runtime.block_on(async move {
        let runs = Arc::new(
            runs::Runs::open(&args.runs, jobs, data_dir).with_context(|| format!("--runs {}", args.runs.display()))?,
        );
        let state = Arc::new(api::State { runs, data, dep_names, projector, geometry, token });
        let listener =
            tokio::net::TcpListener::bind(args.bind).await.with_context(|| format!("--bind {}", args.bind))?;
        let addr = listener.local_addr()?;
        println!(
            "maillage serve: http://{addr}/ ({} runs in {}, {jobs} at a time)",
            state.runs.list().len(),
            args.runs.display()
        );
        axum::serve(listener, api::router(state)).await.context("serving")
    })
}

/// A non-loopback address needs a token of at least [`MIN_TOKEN`] characters.
fn check_bind(bind: SocketAddr, token: Option<&str>) -> Result<()> {
    match token {
        None if !bind.ip().is_loopback() => bail!(
            "--bind {bind}: not a loopback address, so other machines could reach the app: give a token every request must carry (--token T or {TOKEN_ENV}), or bind 127.0.0.1"
        ),
        Some(t) if t.chars().count() < MIN_TOKEN => {
            bail!("--token: expected at least {MIN_TOKEN} characters, got {}", t.chars().count())
        }
        _ => Ok(()),
    }
}

fn num_cpus() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
}

#[cfg(test)]
mod tests {
    use super::check_bind;

    #[test]
    fn only_loopback_goes_without_a_token() {
        let token = "0123456789abcdef";
        assert!(check_bind("127.0.0.1:0".parse().unwrap(), None).is_ok());
        assert!(check_bind("[::1]:0".parse().unwrap(), None).is_ok());
        assert!(check_bind("0.0.0.0:8080".parse().unwrap(), None).is_err());
        assert!(check_bind("0.0.0.0:8080".parse().unwrap(), Some("short")).is_err());
        assert!(check_bind("0.0.0.0:8080".parse().unwrap(), Some(token)).is_ok());
    }
}
