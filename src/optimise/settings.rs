//! The optimiser's stage thresholds and tolerances, named in one place. They are counts and
//! sizes, never times, so that a plan does not depend on the machine.

/// Thresholds and tolerances of the optimiser's stages.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Relaxations up to this many pairs are solved exactly by `HiGHS` (column generation);
    /// beyond, the Lagrangian bound alone (the strong LP with one row per pair is too slow).
    /// Above it too, the Lagrangian starts from the greedy's prices beside the flow LP.
    pub exact_lp_max_pairs: usize,
    /// Pairs above which `--solver mip` no longer builds one MIP but searches one département
    /// at a time (Nord and Pas-de-Calais together fit; Hauts-de-France does not).
    pub mip_max_pairs: usize,
    /// The local search runs on instances up to this many pairs (a region; not the nation).
    pub search_max_pairs: usize,
    /// The Lagrangian bound is sought only while the gap exceeds this share of the bound.
    pub lagrange_target_gap: f64,
    /// Subgradient iterations at most (a count, so that the bound is reproducible).
    pub lagrange_max_iterations: usize,
    /// Subgradient iterations at most for each point of a sweep (`maillage frontier`): fewer
    /// than a single plan's, so that a sweep costs a few plans (docs/covering.md, the figures).
    pub sweep_lagrange_iterations: usize,
    /// Last iterates whose posts make the Lagrangian's support (the MIP's kernel).
    pub lagrange_support_steps: usize,
    /// Iterations without a better bound before the step factor halves.
    pub lagrange_patience: usize,
    /// Share of the previous direction kept in the next (deflected subgradient).
    pub lagrange_deflection: f64,
    /// Share of the time left that `--solver mip` gives the MIP over the kernel (the plan);
    /// the whole MIP (the bound, perhaps a better plan) gets the rest.
    pub kernel_share: f64,
    /// Pairs per unit in the first round of column generation.
    pub lp_initial_pairs_per_unit: usize,
    /// Pairs added per unit and round of column generation, at most.
    pub lp_pairs_added_per_unit: usize,
    /// A reduced cost above this adds a column.
    pub lp_pricing_tolerance: f64,
    /// Column generation stops once what the missing columns could add is below this share
    /// of the objective.
    pub lp_bound_tolerance: f64,
    /// Rounds of column generation at most.
    pub lp_max_rounds: usize,
    /// Single moves rejected one after the other before the local search gives up.
    pub search_max_rejections_in_a_row: usize,
    /// Batches of moves the local search tries at most.
    pub search_max_rounds: usize,
}

/// The settings every solve uses.
pub const SETTINGS: Settings = Settings {
    exact_lp_max_pairs: 30_000,
    mip_max_pairs: 400_000,
    search_max_pairs: 1_000_000,
    lagrange_target_gap: 1e-3,
    lagrange_max_iterations: 300,
    sweep_lagrange_iterations: 150,
    lagrange_support_steps: 100,
    lagrange_patience: 10,
    lagrange_deflection: 0.5,
    kernel_share: 0.75,
    lp_initial_pairs_per_unit: 12,
    lp_pairs_added_per_unit: 12,
    lp_pricing_tolerance: 1e-7,
    lp_bound_tolerance: 1e-4,
    lp_max_rounds: 30,
    search_max_rejections_in_a_row: 12,
    search_max_rounds: 60,
};
