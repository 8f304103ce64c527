//! Numbers and scenario values as a French reader writes them: `311 567`, `54,5 %`,
//! `200 M€`, « linéaire, poids 0,5 à 30 min ».

use crate::optimise::{Decay, Objective};

/// The narrow no-break space French puts between thousands and before `%` or `€`.
const NNBSP: char = '\u{202f}';

/// A number as French readers write it: narrow no-break spaces between thousands, a decimal
/// comma (`311 567`, `54,5`).
#[must_use]
pub fn fr_number(v: f64, decimals: usize) -> String {
    let text = format!("{:.decimals$}", v.abs());
    let (whole, frac) = text.split_once('.').unwrap_or((&text, ""));
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(NNBSP);
        }
        grouped.push(c);
    }
    let sign = if v < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') { "−" } else { "" };
    if frac.is_empty() { format!("{sign}{grouped}") } else { format!("{sign}{grouped},{frac}") }
}

/// A number with at most `decimals` decimals and no trailing zero (`0,5`, `30`, `1,25`).
#[must_use]
pub fn fr_short(v: f64, decimals: usize) -> String {
    let s = fr_number(v, decimals);
    if s.contains(',') { s.trim_end_matches('0').trim_end_matches(',').to_owned() } else { s }
}

/// A share as a percentage (`0.545` → `54,5 %`).
#[must_use]
pub fn fr_percent(share: f64, decimals: usize) -> String {
    format!("{}{NNBSP}%", fr_number(100.0 * share, decimals))
}

/// An amount of money: millions as `200 M€` (`187,5 M€`, `7,05 M€`), smaller amounts in euros
/// (`50 000 €`).
#[must_use]
pub fn fr_euros(v: f64) -> String {
    if v.abs() >= 1e6 {
        format!("{}{NNBSP}M€", fr_short(v / 1e6, 2))
    } else {
        format!("{}{NNBSP}€", fr_number(v, 0))
    }
}

/// Minutes (`4,5 min`).
#[must_use]
pub fn fr_minutes(v: f64) -> String {
    format!("{}{NNBSP}min", fr_short(v, 1))
}

/// How the value of a visit falls with travel time, in a planner's words (`bound_min`: the
/// travel bound).
#[must_use]
pub fn decay_words(decay: Decay, bound_min: f64) -> String {
    match decay {
        Decay::Step => format!("aucune : tout trajet de moins de {} compte pleinement", fr_minutes(bound_min)),
        Decay::Linear { at_bound } => {
            format!("linéaire, poids {} à {}", fr_short(at_bound, 3), fr_minutes(bound_min))
        }
        Decay::Exponential { half_life_min } => {
            format!("exponentielle, poids divisé par deux toutes les {}", fr_minutes(half_life_min))
        }
    }
}

/// What the plan optimises, in a planner's words (`target`: the share of need a `min-posts`
/// plan must put within the bound).
#[must_use]
pub fn objective_words(objective: Objective, target: f64) -> String {
    match objective {
        Objective::Attendance => "le plus de personnes servies, pondérées par la distance".to_owned(),
        Objective::Coverage => "le plus de besoin à portée d'un poste (couverture maximale)".to_owned(),
        Objective::MinPosts => {
            format!("le moins de postes pour mettre {} du besoin à portée", fr_percent(target, 1))
        }
        Objective::Travel => "le trajet moyen le plus court jusqu'au poste le plus proche".to_owned(),
        Objective::MaxTravel => "le trajet le plus long le plus court (aucune commune trop loin)".to_owned(),
    }
}

/// The method named in a summary (`greedy+lp-flows`), in words; the name itself when unknown.
#[must_use]
pub fn method_words(method: &str) -> String {
    crate::optimise::PlanSource::ALL
        .iter()
        .find(|s| s.as_str() == method)
        .map_or_else(|| method.to_owned(), |s| format!("{} ({method})", s.label()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_numbers_group_thousands_and_use_a_decimal_comma() {
        assert_eq!(fr_number(311_567.0, 0), "311\u{202f}567");
        assert_eq!(fr_number(54.49, 1), "54,5");
        assert_eq!(fr_number(-1_234_567.891, 2), "−1\u{202f}234\u{202f}567,89");
        assert_eq!(fr_number(999.0, 0), "999");
        assert_eq!(fr_number(-0.001, 1), "0,0");
        assert_eq!(fr_short(0.5, 3), "0,5");
        assert_eq!(fr_short(30.0, 1), "30");
        assert_eq!(fr_percent(0.5449, 1), "54,5\u{202f}%");
        assert_eq!(fr_euros(200_000_000.0), "200\u{202f}M€");
        assert_eq!(fr_euros(187_500_000.0), "187,5\u{202f}M€");
        assert_eq!(fr_euros(7_050_000.0), "7,05\u{202f}M€");
        assert_eq!(fr_euros(50_000.0), "50\u{202f}000\u{202f}€");
    }

    #[test]
    fn scenario_values_read_as_words() {
        assert_eq!(decay_words(Decay::Linear { at_bound: 0.5 }, 30.0), "linéaire, poids 0,5 à 30\u{202f}min");
        assert!(decay_words(Decay::Exponential { half_life_min: 12.5 }, 30.0).ends_with("12,5\u{202f}min"));
        assert!(objective_words(Objective::MinPosts, 0.95).contains("95,0\u{202f}%"));
    }
}
