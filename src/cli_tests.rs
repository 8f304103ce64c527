//! The command line and the spec agree: random valid specs survive TOML and the command line
//! written in `reproduce.command`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::FromArgMatches;
use maillage::SiteKind;
use maillage::spec::{AllocationSource, DecayKind, Method, Objective, PlanSpec, spec_from_toml, spec_to_toml, to_args};
use proptest::prelude::*;

use super::{Cli, Command, command};

/// The spec a `plan` command line stands for (over the defaults).
fn parse(args: &[String]) -> PlanSpec {
    let mut line = vec!["maillage".to_owned(), "plan".to_owned()];
    line.extend(args.iter().cloned());
    let matches = command().try_get_matches_from(line).expect("the written command parses");
    let Command::Plan(plan) = Cli::from_arg_matches(&matches).unwrap().command else { panic!("plan") };
    let mut spec = PlanSpec::default();
    plan.apply(&mut spec, &mut Vec::new());
    spec
}

fn flat(spec: &PlanSpec) -> Vec<String> {
    to_args(spec).into_iter().flat_map(|(f, v)| std::iter::once(f.to_owned()).chain(v)).collect()
}

fn code() -> impl Strategy<Value = String> {
    prop_oneof![Just("01".to_owned()), Just("2A".to_owned()), Just("59".to_owned()), Just("971".to_owned())]
}

/// Random valid specs: every field drawn in its range (validity is asserted, not assumed).
fn spec_strategy() -> impl Strategy<Value = PlanSpec> {
    let head = (
        proptest::option::of("[a-z][a-z0-9-]{0,20}"),
        1u32..20_000,
        1.0f64..1e7,
        1.0f64..5e5,
        1.0f64..1e4,
        1u32..100,
        prop_oneof![Just(Method::Lp), Just(Method::Greedy), Just(Method::Mip)],
        0.5f64..3600.0,
    );
    let travel = (0.5f64..180.0, proptest::option::of("[a-z]{1,8}\\.csv"), 1.0f64..5.0);
    let value = (
        prop_oneof![Just(DecayKind::Step), Just(DecayKind::Linear), Just(DecayKind::Exponential)],
        0.0f64..=1.0,
        0.5f64..100.0,
        any::<bool>(),
        0.0f64..=100.0,
        0.0f64..=100.0,
    );
    let lists = (
        proptest::collection::btree_map(code(), 0u32..3, 0..3),
        proptest::collection::vec(
            prop_oneof![Just(SiteKind::FranceServices), Just(SiteKind::Mairie), Just(SiteKind::LieuMediation)],
            0..3,
        ),
        proptest::collection::vec(code(), 0..2),
        proptest::option::of(Just(AllocationSource::Cnfs2021)),
        proptest::option::of("[a-z]{1,8}"),
    );
    (head, travel, value, lists).prop_map(|(h, t, v, l)| {
        let mut s =
            PlanSpec { name: h.0, posts: h.1, cost_per_post_eur: h.3, capacity_per_post: h.4, ..PlanSpec::default() };
        s.budget_eur = h.2.max(s.cost_per_post_eur);
        s.max_posts_per_site = h.5;
        s.solver = h.6;
        s.time_limit_s = h.7;
        s.travel.bound_min = t.0;
        s.travel.od = t.1.map(PathBuf::from);
        if s.travel.od.is_none() {
            s.travel.detour = t.2;
        }
        s.value.decay = v.0;
        if v.0 == DecayKind::Linear {
            s.value.decay_at_bound = v.1;
        }
        if v.0 == DecayKind::Exponential {
            s.value.half_life_min = v.2;
        }
        s.value.diminishing_returns = v.3;
        s.need.rate_pct = v.4;
        s.need.rate_drom_pct = v.5;
        s.limits.floors = l.0;
        s.limits.caps = s.limits.floors.iter().map(|(d, n)| (d.clone(), n + 1)).collect::<BTreeMap<_, _>>();
        s.candidates.kinds = l.1;
        s.outputs.departements = l.2;
        s.limits.floors_from = l.3;
        s.outputs.out = l.4.map(PathBuf::from);
        s.objective = Objective::Attendance;
        s
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn a_spec_survives_toml_and_its_command_line(spec in spec_strategy()) {
        // Files named in the spec are checked for existence; leave them out of `validate` here.
        let mut checked = spec.clone();
        checked.travel.od = None;
        prop_assert_eq!(checked.validate(), Ok(()));
        let toml = spec_to_toml(&spec);
        let back = spec_from_toml(&toml).map_err(|e| TestCaseError::fail(format!("{e:?}\n{toml}")))?;
        prop_assert_eq!(&back, &spec, "TOML → spec");
        prop_assert_eq!(spec_to_toml(&back), toml, "spec → TOML → spec → TOML");
        prop_assert_eq!(parse(&flat(&spec)), spec, "reproduce.command → spec");
    }
}

#[test]
fn the_help_shows_the_specs_defaults() {
    let mut plan = command().find_subcommand("plan").unwrap().clone();
    let help = plan.render_long_help().to_string();
    for (flag, value) in to_args(&PlanSpec::default()) {
        let value = value.unwrap();
        assert!(help.contains(&format!("[default: {value}]")), "{flag}: no [default: {value}] in plan --help");
    }
}
