//! `Plan`: an integer plan, its flows, its bound and where they come from.

/// Which relaxation gave a plan's upper bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BoundSource {
    /// The LP relaxation, solved exactly.
    Lp,
    /// The Lagrangian bound with whole posts per site.
    Lagrangian,
    /// `HiGHS`'s branch-and-cut dual bound.
    Mip,
}

/// Where a plan comes from (`method` in `summary.json`, by these names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanSource {
    /// `greedy`: the greedy alone (`--solver greedy`).
    Greedy,
    /// The greedy plan whose flow LP ran out of time (its own flows kept).
    GreedyNotReflowed,
    /// `greedy+lp-flows`: greedy posts, optimal flows.
    GreedyLpFlows,
    /// `greedy+local-search`: then posts moved by the local search.
    GreedyLocalSearch,
    /// `lp-rounding`: the exact relaxation rounded.
    LpRounding,
    /// `mip-kernel`: branch and cut over the kernel's sites.
    MipKernel,
    /// `mip-departements`: the kernel search one département at a time.
    MipDepartements,
    /// `mip`: the whole MIP, proven optimal.
    Mip,
    /// `mip (time limit)`: the whole MIP's best when its time ran out.
    MipTimeLimit,
    /// `mclp`: coverage mode, the covering MIP.
    Mclp,
    /// `mclp-greedy`: coverage mode, the greedy.
    MclpGreedy,
    /// `lscp`: min-posts, the covering engine.
    Lscp,
    /// `p-median`: travel, the covering engine.
    PMedian,
    /// `p-center`: max-travel, the covering engine's bisection.
    PCenter,
    /// `evaluate`: posts given (an existing allocation), flows optimised.
    Evaluate,
}

impl PlanSource {
    /// Every source.
    pub const ALL: [PlanSource; 15] = [
        Self::Greedy,
        Self::GreedyNotReflowed,
        Self::GreedyLpFlows,
        Self::GreedyLocalSearch,
        Self::LpRounding,
        Self::MipKernel,
        Self::MipDepartements,
        Self::Mip,
        Self::MipTimeLimit,
        Self::Mclp,
        Self::MclpGreedy,
        Self::Lscp,
        Self::PMedian,
        Self::PCenter,
        Self::Evaluate,
    ];

    /// What made the plan, for a French reader.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Greedy => "heuristique gloutonne",
            Self::GreedyNotReflowed => "heuristique gloutonne (flux non optimisés dans le temps imparti)",
            Self::GreedyLpFlows => "heuristique gloutonne, puis flux optimaux (programme linéaire)",
            Self::GreedyLocalSearch => "heuristique gloutonne, puis recherche locale",
            Self::LpRounding => "relaxation linéaire arrondie",
            Self::MipKernel => "programme en nombres entiers sur un noyau de sites",
            Self::MipDepartements => "programme en nombres entiers, département par département",
            Self::Mip => "programme en nombres entiers, optimum prouvé",
            Self::MipTimeLimit => "programme en nombres entiers, arrêté à la limite de temps",
            Self::Mclp => "couverture maximale (programme en nombres entiers)",
            Self::MclpGreedy => "couverture maximale (heuristique gloutonne)",
            Self::Lscp => "recouvrement au moindre nombre de postes (programme en nombres entiers)",
            Self::PMedian => "p-médian (programme en nombres entiers)",
            Self::PCenter => "p-centre (recherche par dichotomie)",
            Self::Evaluate => "allocation donnée, flux optimaux",
        }
    }

    /// The name in `summary.json` and on the console.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Greedy => "greedy",
            Self::GreedyNotReflowed => "greedy (its flows not optimised within the time limit)",
            Self::GreedyLpFlows => "greedy+lp-flows",
            Self::GreedyLocalSearch => "greedy+local-search",
            Self::LpRounding => "lp-rounding",
            Self::MipKernel => "mip-kernel",
            Self::MipDepartements => "mip-departements",
            Self::Mip => "mip",
            Self::MipTimeLimit => "mip (time limit)",
            Self::Mclp => "mclp",
            Self::MclpGreedy => "mclp-greedy",
            Self::Lscp => "lscp",
            Self::PMedian => "p-median",
            Self::PCenter => "p-center",
            Self::Evaluate => "evaluate",
        }
    }
}

/// An integer plan and its flows.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Posts per site.
    pub posts: Vec<u32>,
    /// Flow per problem pair, people.
    pub flows: Vec<f64>,
    /// Objective of the integer plan.
    pub objective: f64,
    /// Upper bound on every integer plan (`None` with the greedy solver alone): the lowest
    /// of the LP relaxation, the Lagrangian bound and, with `--solver mip`, the MIP's.
    pub bound: Option<f64>,
    /// Which one `bound` is.
    pub bound_source: Option<BoundSource>,
    /// Where the plan comes from.
    pub source: PlanSource,
    /// Flow columns in the final relaxation LP.
    pub lp_columns: usize,
    /// Column-generation rounds of the relaxation.
    pub lp_rounds: usize,
    /// Subgradient iterations of the Lagrangian bound (0 if not used).
    pub lagrange_iterations: usize,
    /// Objective of the previous plan's posts (continuity), if one was given.
    pub previous_objective: Option<f64>,
    /// Posts of the previous plan that left their site (continuity), if one was given.
    pub posts_moved: Option<u32>,
}

impl Plan {
    /// Relative gap to the bound: (bound − objective) / bound when the objective is
    /// maximised, (objective − bound) / objective when it is minimised (the bound is then
    /// below): |bound − objective| over the larger of the two.
    #[must_use]
    pub fn gap(&self) -> Option<f64> {
        self.bound.map(|b| {
            let scale = b.abs().max(self.objective.abs());
            if scale > 0.0 { (b - self.objective).abs() / scale } else { 0.0 }
        })
    }
}
