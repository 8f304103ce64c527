//! Tests of the sites' sorted units.
use super::*;

/// The order `sort_site` must produce: higher key first, then lower unit.
fn reference(items: &[(f64, u32, f64)]) -> Vec<(f64, u32, f64)> {
    let mut v = items.to_vec();
    v.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
    v
}

fn sorted_by_sort_site(items: &[(f64, u32, f64)]) -> Vec<(f64, u32, f64)> {
    let mut keys: Vec<f64> = items.iter().map(|t| t.0).collect();
    let mut units: Vec<u32> = items.iter().map(|t| t.1).collect();
    let mut weights: Vec<f64> = items.iter().map(|t| t.2).collect();
    sort_site(&mut keys, &mut units, &mut weights);
    (0..items.len()).map(|k| (keys[k], units[k], weights[k])).collect()
}

#[test]
fn sort_site_gives_the_total_order_from_any_start() {
    // Nearly sorted (insertion sort), reversed (full-sort fallback), ties on keys (units
    // decide), negative keys; weights travel with their units.
    let n = 200u32;
    let nearly: Vec<(f64, u32, f64)> =
        (0..n).map(|u| (f64::from(n - u) + if u % 7 == 0 { 1.5 } else { 0.0 }, u, f64::from(u) / 10.0)).collect();
    let reversed: Vec<(f64, u32, f64)> = (0..n).map(|u| (f64::from(u) - 50.0, u, f64::from(u))).collect();
    let ties: Vec<(f64, u32, f64)> = (0..n).rev().map(|u| (f64::from(u % 3), u, f64::from(u))).collect();
    for items in [nearly, reversed, ties, Vec::new(), vec![(1.0, 4, 0.5)]] {
        assert_eq!(sorted_by_sort_site(&items), reference(&items));
    }
}
