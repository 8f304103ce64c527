//! A spec as the `plan` command line that rebuilds it (written in `summary.json`'s
//! `reproduce.command`), and the table of TOML keys and their flags.

use super::{DecayKind, PlanSpec};

/// Each option's TOML key and its `plan` flag.
pub const FLAGS: [(&str, &str); 37] = [
    ("name", "--name"),
    ("description", "--description"),
    ("posts", "--posts"),
    ("budget_eur", "--budget-eur"),
    ("cost_per_post_eur", "--cost-per-post-eur"),
    ("capacity_per_post", "--capacity-per-post"),
    ("max_posts_per_site", "--max-posts-per-site"),
    ("objective", "--objective"),
    ("target_coverage", "--target-coverage"),
    ("solver", "--solver"),
    ("time_limit_s", "--time-limit-s"),
    ("travel.bound_min", "--bound"),
    ("travel.od", "--od"),
    ("travel.detour", "--detour"),
    ("travel.speeds", "--speeds"),
    ("value.decay", "--decay"),
    ("value.decay_at_bound", "--decay-at-bound"),
    ("value.half_life_min", "--half-life-min"),
    ("value.diminishing_returns", "--no-diminishing-returns"),
    ("need.rate_pct", "--rate"),
    ("need.rate_drom_pct", "--rate-drom"),
    ("need.ifn_score", "--ifn-score"),
    ("need.file", "--need"),
    ("limits.floors", "--floor"),
    ("limits.caps", "--cap"),
    ("limits.floors_from", "--floors-from"),
    ("limits.fixed_from", "--fixed"),
    ("candidates.kinds", "--kind"),
    ("area.within_departements", "--within-departement"),
    ("area.regions", "--region"),
    ("outputs.out", "--out"),
    ("outputs.departements", "--departement"),
    ("outputs.xlsx", "--no-xlsx"),
    ("outputs.pdf", "--pdf"),
    ("continuity.previous", "--previous"),
    ("continuity.max_moves", "--max-moves"),
    ("continuity.add", "--add"),
];

/// The flag of a TOML key (`travel.bound_min` → `--bound`).
#[must_use]
pub fn flag_of(key: &str) -> Option<&'static str> {
    FLAGS.iter().find(|(k, _)| *k == key).map(|(_, f)| *f)
}

/// One flag and its value (`None` for a switch such as `--no-diminishing-returns`).
pub type ArgPair = (&'static str, Option<String>);

/// The `plan` flags that rebuild `spec` exactly, every scalar option written out (so that a
/// change of default does not change what the command means).
#[must_use]
pub fn to_args(spec: &PlanSpec) -> Vec<ArgPair> {
    let mut a: Vec<ArgPair> = Vec::new();
    let mut push = |key: &str, value: String| a.push((flag_of(key).unwrap_or(""), Some(value)));
    if let Some(n) = &spec.name {
        push("name", n.clone());
    }
    if let Some(d) = &spec.description {
        push("description", d.clone());
    }
    push("posts", spec.posts.to_string());
    push("budget_eur", spec.budget_eur.to_string());
    push("cost_per_post_eur", spec.cost_per_post_eur.to_string());
    push("capacity_per_post", spec.capacity_per_post.to_string());
    push("max_posts_per_site", spec.max_posts_per_site.to_string());
    push("objective", enum_name(&spec.objective));
    push("target_coverage", spec.target_coverage.to_string());
    push("solver", enum_name(&spec.solver));
    push("time_limit_s", spec.time_limit_s.to_string());
    push("travel.bound_min", spec.travel.bound_min.to_string());
    if let Some(p) = &spec.travel.od {
        push("travel.od", p.display().to_string());
    }
    push("travel.detour", spec.travel.detour.to_string());
    push("travel.speeds", spec.travel.speeds.clone());
    push("value.decay", enum_name(&spec.value.decay));
    push("value.decay_at_bound", spec.value.decay_at_bound.to_string());
    push("value.half_life_min", spec.value.half_life_min.to_string());
    push("need.rate_pct", spec.need.rate_pct.to_string());
    push("need.rate_drom_pct", spec.need.rate_drom_pct.to_string());
    push("need.ifn_score", spec.need.ifn_score.as_str().to_owned());
    if let Some(p) = &spec.need.file {
        push("need.file", p.display().to_string());
    }
    for (d, n) in &spec.limits.floors {
        push("limits.floors", format!("{d}={n}"));
    }
    for (d, n) in &spec.limits.caps {
        push("limits.caps", format!("{d}={n}"));
    }
    if let Some(f) = &spec.limits.floors_from {
        push("limits.floors_from", f.to_string());
    }
    if let Some(f) = &spec.limits.fixed_from {
        push("limits.fixed_from", f.to_string());
    }
    for k in &spec.candidates.kinds {
        push("candidates.kinds", k.as_str().to_owned());
    }
    for d in &spec.area.within_departements {
        push("area.within_departements", d.clone());
    }
    for r in &spec.area.regions {
        push("area.regions", r.clone());
    }
    if let Some(p) = &spec.outputs.out {
        push("outputs.out", p.display().to_string());
    }
    for d in &spec.outputs.departements {
        push("outputs.departements", d.clone());
    }
    if let Some(p) = &spec.continuity.previous {
        push("continuity.previous", p.display().to_string());
    }
    if let Some(m) = spec.continuity.max_moves {
        push("continuity.max_moves", m.to_string());
    }
    if let Some(n) = spec.continuity.add {
        push("continuity.add", n.to_string());
    }
    if !spec.value.diminishing_returns {
        a.push(("--no-diminishing-returns", None));
    }
    if spec.outputs.pdf {
        a.push(("--pdf", None));
    }
    if !spec.outputs.xlsx {
        a.push(("--no-xlsx", None));
    }
    a
}

/// The name serde gives a unit enum variant (`linear`, `mip`…).
fn enum_name<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|j| j.as_str().map(str::to_owned)).unwrap_or_default()
}

/// The name of a decay kind.
#[must_use]
pub fn decay_name(d: DecayKind) -> String {
    enum_name(&d)
}
