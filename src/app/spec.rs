//! The command line and the scenario file made one validated [`PlanSpec`], its errors placed
//! where the value came from (the file's line, or the flag).

use std::path::{Path, PathBuf};

use anyhow::Result;
use maillage::spec::{PlanSpec, SpecError, load_spec, locate};

use crate::cli::{PlanArgs, SetKeys};

/// Where a spec's values came from: a scenario file (if any) and the keys set by flags.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    /// The scenario file.
    pub file: Option<PathBuf>,
    /// Keys the command line set (they override the file's).
    pub cli_keys: SetKeys,
}

impl Origin {
    /// The error, placed on the scenario file's line when the value came from it.
    pub fn place(&self, e: SpecError) -> anyhow::Error {
        let from_cli = self.cli_keys.iter().any(|k| e.key.starts_with(k));
        match &self.file {
            Some(path) if !from_cli => {
                let text = std::fs::read_to_string(path).unwrap_or_default();
                match locate(path, &text, e.clone()) {
                    Some(located) => located.into(),
                    None => anyhow::anyhow!("{}: {e}", path.display()),
                }
            }
            _ => anyhow::Error::new(e),
        }
    }
}

/// The spec of `plan`: the scenario file's values, the flags over them, validated.
pub fn plan_spec(args: &PlanArgs) -> Result<(PlanSpec, Origin)> {
    plan_spec_with(args, false)
}

/// The spec of `plan`, or with `sweeps` of `frontier` (its swept options left at the file's
/// or the default value).
pub fn plan_spec_with(args: &PlanArgs, sweeps: bool) -> Result<(PlanSpec, Origin)> {
    use crate::cli::Sweep;
    if !sweeps {
        let swept = [
            ("--posts", matches!(args.posts, Some(Sweep::Range(..)))),
            ("--budget-eur", matches!(args.budget_eur, Some(Sweep::Range(..)))),
            ("--target-coverage", matches!(args.target_coverage, Some(Sweep::Range(..)))),
        ];
        if let Some((flag, _)) = swept.iter().find(|s| s.1) {
            anyhow::bail!("{flag}: a sweep FROM:TO:STEP is for `maillage frontier`; plan takes one value");
        }
    }
    let mut spec = match &args.scenario {
        Some(path) => load_spec(path)?,
        None => PlanSpec::default(),
    };
    let mut origin = Origin { file: args.scenario.clone(), cli_keys: Vec::new() };
    args.apply(&mut spec, &mut origin.cli_keys);
    spec.validate().map_err(|e| origin.place(e))?;
    Ok((spec, origin))
}

/// The spec of a scenario file alone (`batch`, `scenario check`), validated.
pub fn file_spec(path: &Path) -> Result<(PlanSpec, Origin)> {
    let spec = load_spec(path)?;
    let origin = Origin { file: Some(path.to_owned()), cli_keys: Vec::new() };
    spec.validate().map_err(|e| origin.place(e))?;
    Ok((spec, origin))
}

/// A spec from flags alone (`need`, `reach`, `evaluate`), validated.
pub fn flags_spec(apply: impl FnOnce(&mut PlanSpec, &mut SetKeys)) -> Result<(PlanSpec, Origin)> {
    let mut spec = PlanSpec::default();
    let mut origin = Origin::default();
    apply(&mut spec, &mut origin.cli_keys);
    spec.validate().map_err(|e| origin.place(e))?;
    Ok((spec, origin))
}
