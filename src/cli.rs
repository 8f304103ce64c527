//! Command-line interface (clap derive). The `///` docs are the `--help` text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Plan where France places its conseillers numériques.
///
/// maillage scores the digitally excluded people of every commune (arrondissement in Paris,
/// Lyon and Marseille), finds which host sites they can reach within a travel bound, and
/// places the advisor posts. With no --data it uses the embedded national data.
#[derive(Debug, Parser)]
#[command(name = "maillage", version)]
pub struct Cli {
    /// Data directory holding communes.csv, ifn_communes.csv, inclusion_sites.csv… (default:
    /// the embedded national data, data/ next to the crate).
    #[arg(long, global = true, value_name = "DIR")]
    pub data: Option<PathBuf>,

    /// Worker threads (default: one per core). Outputs do not depend on it.
    #[arg(long, global = true, value_name = "N")]
    pub threads: Option<usize>,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write the need table: excluded people per commune (or arrondissement), with a summary.
    ///
    /// Need = 0.82 × population × rate × competences_numeriques_scolaires / 100, with rate
    /// 15.4% in metropolitan France and 20% in the DROM (INSEE Première 1953), unless --need
    /// gives your own estimates.
    Need(NeedArgs),
}

/// Options of `maillage need`.
#[derive(Debug, Args)]
pub struct NeedArgs {
    /// Output CSV (insee,nom,dep,reg,zone,epci_siren,population,need,…), written atomically.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,

    #[command(flatten)]
    pub need: NeedOptions,
}

/// Need-model options shared by every command that scores need.
#[derive(Debug, Args)]
pub struct NeedOptions {
    /// Illectronisme rate of people aged 15+ in metropolitan France, in percent.
    #[arg(long, value_name = "PCT", default_value_t = 15.4, value_parser = percent)]
    pub rate: f64,

    /// Illectronisme rate of people aged 15+ in the DROM, in percent.
    #[arg(long = "rate-drom", value_name = "PCT", default_value_t = 20.0, value_parser = percent)]
    pub rate_drom: f64,

    /// Your own need estimates: CSV with columns insee,need (other columns ignored). Units it
    /// does not list get zero need.
    #[arg(long = "need", value_name = "FILE")]
    pub need_file: Option<PathBuf>,
}

fn percent(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && (0.0..=100.0).contains(&v) => Ok(v),
        _ => Err(format!("expected a percentage between 0 and 100, got {s:?}")),
    }
}
