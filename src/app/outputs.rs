//! What `plan` and `evaluate` write, as one set: the tables, `summary.json`, the maps and the
//! report, staged beside `--out` and swapped in whole.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use maillage::optimise::{Plan, Problem};
use maillage::report::{OutputSet, Reproduce, Summary};

use super::instance::Instance;

/// A plan (or an evaluated allocation) ready to be written.
pub struct Outputs<'a> {
    /// The instance it was made on.
    pub instance: &'a Instance,
    /// The problem solved.
    pub problem: &'a Problem,
    /// The plan.
    pub plan: &'a Plan,
    /// The spec: which départements the maps and report show, whether `plan.xlsx` is written.
    pub spec: &'a maillage::spec::PlanSpec,
    /// Command and input hashes, for summary.json.
    pub reproduce: Reproduce,
    /// Report title.
    pub title: &'a str,
    /// Parameters shown in the report, label → value.
    pub parameters: &'a [(String, String)],
}

/// The summary and the files a run wrote.
pub struct Written {
    /// The headline figures.
    pub summary: Summary,
    /// Final paths of the files.
    pub paths: Vec<PathBuf>,
}

impl Outputs<'_> {
    /// Computes every output, then writes them as one set into `out`.
    pub fn write(&self, out: &Path, start: Instant, progress: &indicatif::ProgressBar) -> Result<Written> {
        use maillage::report::{
            ReportInput, site_rows, unit_rows, write_communes_geojson, write_deps_table, write_plan_table,
            write_report, write_sites_geojson, write_summary, write_units_table,
        };
        progress.set_message("cartes et rapport");
        let inst = self.instance;
        let (data, problem, plan) = (&inst.data, self.problem, self.plan);
        let m = maillage::optimise::measure(problem, plan);
        let marginal = if problem.objective == maillage::optimise::Objective::Attendance {
            maillage::optimise::marginal_posts(problem, plan)
        } else {
            Vec::new()
        };
        let sites = site_rows(data, problem, plan);
        let units = unit_rows(data, problem, &m, &inst.reach, &plan.posts);
        let only_deps = &self.spec.outputs.departements;
        let shown = |dep: &str| only_deps.is_empty() || only_deps.iter().any(|d| d == dep);
        let mut summary = maillage::report::summarise(data, problem, plan, &m, start.elapsed().as_secs_f64());
        summary.reproduce = self.reproduce.clone();
        let shown_sites: Vec<maillage::report::SiteRow> = sites.iter().filter(|s| shown(&s.dep)).cloned().collect();
        let territories: Vec<&str> = data.units.iter().map(maillage::DemandUnit::territory).collect();
        let mut html = Vec::new();
        write_report(
            &mut html,
            &ReportInput {
                title: self.title,
                parameters: self.parameters,
                summary: &summary,
                bound_min: inst.reach.bound_minutes,
                units: &units,
                shapes: &inst.shapes,
                territories: &territories,
                sites: &sites,
                deps: &m.deps,
                marginal: &marginal,
                dep_names: &inst.dep_names,
                only_deps,
                sources: maillage::report::DATA_SOURCES,
            },
        )?;
        let mut set = OutputSet::new(out, maillage::report::PLAN_SET)?;
        set.write("plan.csv", |w| write_plan_table(w, &sites))?;
        set.write("units.csv", |w| write_units_table(w, &units))?;
        set.write("departements.csv", |w| write_deps_table(w, data, &m, &marginal))?;
        set.write("summary.json", |w| write_summary(w, &summary))?;
        set.write("sites.geojson", |w| write_sites_geojson(w, &shown_sites))?;
        set.write("communes.geojson", |w| write_communes_geojson(w, &units, &inst.shapes, &|i| shown(&units[i].dep)))?;
        set.write("report.html", |w| w.write_all(&html))?;
        if let Some(chromium) = pdf_printer(self.spec, &super::spec::Origin::default())? {
            progress.set_message("report.pdf (Chromium)");
            set.derive("report.pdf", "report.html", |html, pdf, scratch| {
                maillage::report::print_to_pdf(&chromium, html, pdf, scratch)
            })?;
        }
        if self.spec.outputs.xlsx {
            let book = maillage::report::plan_workbook(&maillage::report::WorkbookInput {
                summary: &summary,
                sites: &sites,
                units: &units,
                deps: &m.deps,
                marginal: &marginal,
                dep_names: &inst.dep_names,
            })?;
            set.write("plan.xlsx", |w| w.write_all(&book))?;
        }
        if let Some(previous) = &problem.previous {
            set.write("changes.csv", |w| write_changes(w, data, previous, &plan.posts))?;
        }
        let paths = set.commit()?;
        Ok(Written { summary, paths })
    }
}

/// Refuses `--pdf` before any work when no Chromium can print it.
pub fn check_pdf(spec: &maillage::spec::PlanSpec, origin: &super::spec::Origin) -> Result<()> {
    pdf_printer(spec, origin).map(drop)
}

/// The Chromium that prints `report.pdf` when the spec asks for it; the refusal (placed by
/// `origin`) when none is installed.
fn pdf_printer(spec: &maillage::spec::PlanSpec, origin: &super::spec::Origin) -> Result<Option<PathBuf>> {
    if !spec.outputs.pdf {
        return Ok(None);
    }
    let chromium = maillage::report::find_chromium().ok_or_else(|| {
        origin.place(maillage::spec::SpecError::new("outputs.pdf", "true", maillage::report::INSTALL_HINT))
    })?;
    Ok(Some(chromium))
}

/// `changes.csv`: the sites whose posts differ from the previous plan.
fn write_changes(
    w: &mut dyn std::io::Write,
    data: &maillage::Dataset,
    previous: &[u32],
    posts: &[u32],
) -> std::io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record(["id", "name", "insee", "dep", "posts_before", "posts_after", "delta"])?;
    for (j, (&before, &after)) in previous.iter().zip(posts).enumerate().filter(|(_, (b, a))| b != a) {
        let c = &data.candidates[j];
        let u = &data.units[c.unit.get()];
        out.write_record([
            c.id.as_str(),
            &c.name,
            u.code.as_str(),
            &u.dep,
            &before.to_string(),
            &after.to_string(),
            &(i64::from(after) - i64::from(before)).to_string(),
        ])?;
    }
    out.flush()
}

/// The command, and the SHA-256 of every input: the instance's by role in `data`, and with
/// the other files (allocations, previous plan, scenario) by path in `inputs`.
pub fn reproduce(instance: &Instance, command: Vec<String>, others: &[PathBuf]) -> Result<Reproduce> {
    use sha2::Digest;
    let hash = |p: &Path| -> Result<String> {
        let bytes = maillage::load::read_input(p).with_context(|| format!("reading {} to hash it", p.display()))?;
        Ok(format!("{:x}", sha2::Sha256::digest(&bytes)))
    };
    let mut r = Reproduce { command, ..Reproduce::default() };
    for (role, path) in &instance.inputs {
        let h = hash(path)?;
        r.inputs.insert(path.display().to_string(), h.clone());
        r.data.insert(role.clone(), h);
    }
    for path in others {
        r.inputs.insert(path.display().to_string(), hash(path)?);
    }
    Ok(r)
}
