//! The measures every plan reports, whichever objective it optimised.

use super::{Plan, Problem};

/// Served need of one département.
#[derive(Debug, Clone, PartialEq)]
pub struct DepMeasure {
    /// Département code.
    pub dep: String,
    /// Posts placed.
    pub posts: u32,
    /// Need, people.
    pub need: f64,
    /// People served.
    pub served: f64,
    /// Need of units within the bound of a site with posts.
    pub covered_need: f64,
}

/// Headline measures of a plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Measures {
    /// Posts placed.
    pub posts: u32,
    /// Cost, euros.
    pub cost_eur: f64,
    /// People served (raw flows).
    pub served: f64,
    /// People served, weighted by distance decay.
    pub weighted_served: f64,
    /// Total need.
    pub need: f64,
    /// Share of need in units within the bound of at least one site with posts.
    pub coverage_share: f64,
    /// Served per unit.
    pub unit_served: Vec<f64>,
    /// Whether each unit is within the bound of a site with posts.
    pub unit_covered: Vec<bool>,
    /// Per département, sorted by code.
    pub deps: Vec<DepMeasure>,
    /// Lowest served share among départements with need.
    pub min_dep_share: f64,
    /// Gini coefficient of the served share across départements with need.
    pub gini_dep_share: f64,
}

/// Computes the measures of `plan` on `p`.
#[must_use]
pub fn measure(p: &Problem, plan: &Plan) -> Measures {
    let n = p.unit_count();
    let mut unit_served = vec![0.0; n];
    let mut unit_covered = vec![false; n];
    let mut weighted_served = 0.0;
    for (i, (served, covered)) in unit_served.iter_mut().zip(&mut unit_covered).enumerate() {
        for k in p.unit_offsets[i]..p.unit_offsets[i + 1] {
            let pair = p.pairs[k];
            *served += plan.flows[k];
            weighted_served += plan.flows[k] * pair.weight;
            *covered |= plan.posts[pair.site as usize] > 0;
        }
    }
    let mut deps: Vec<DepMeasure> = p
        .deps
        .iter()
        .map(|d| DepMeasure { dep: d.clone(), posts: 0, need: 0.0, served: 0.0, covered_need: 0.0 })
        .collect();
    for i in 0..n {
        let d = &mut deps[p.unit_dep[i] as usize];
        d.need += p.need[i];
        d.served += unit_served[i];
        if unit_covered[i] {
            d.covered_need += p.need[i];
        }
    }
    for (s, &x) in p.sites.iter().zip(&plan.posts) {
        deps[s.dep as usize].posts += x;
    }
    let need: f64 = p.need.iter().sum();
    let covered: f64 = (0..n).filter(|&i| unit_covered[i]).map(|i| p.need[i]).sum();
    let shares: Vec<f64> = deps.iter().filter(|d| d.need > 0.0).map(|d| d.served / d.need).collect();
    Measures {
        posts: plan.posts.iter().sum(),
        cost_eur: p.sites.iter().zip(&plan.posts).map(|(s, &x)| s.cost_eur * f64::from(x)).sum(),
        served: unit_served.iter().sum(),
        weighted_served,
        need,
        coverage_share: if need > 0.0 { covered / need } else { 0.0 },
        unit_served,
        unit_covered,
        deps,
        min_dep_share: shares.iter().copied().fold(f64::INFINITY, f64::min).min(1.0),
        gini_dep_share: gini(&shares),
    }
}

/// Gini coefficient of non-negative values (0 = all equal).
#[must_use]
pub fn gini(values: &[f64]) -> f64 {
    let n = values.len() as f64;
    let sum: f64 = values.iter().sum();
    if values.is_empty() || sum <= 0.0 {
        return 0.0;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let weighted: f64 = v.iter().enumerate().map(|(i, x)| (2.0 * (i as f64 + 1.0) - n - 1.0) * x).sum();
    weighted / (n * sum)
}

#[cfg(test)]
mod tests {
    use super::gini;

    #[test]
    fn gini_of_equal_and_concentrated_values() {
        assert!(gini(&[0.5, 0.5, 0.5]).abs() < 1e-12);
        // One of four holds everything: (n-1)/n.
        assert!((gini(&[0.0, 0.0, 0.0, 1.0]) - 0.75).abs() < 1e-12);
    }
}
