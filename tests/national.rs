//! Checks on the embedded national data: unit count, need, points, arrondissements, candidates.

use std::collections::HashMap;

use maillage::{NeedModel, NeedSource, SiteKind, Zone, score_need};

use crate::util::national;

/// Reads a column of the embedded communes.csv with the csv crate, independently of maillage.
fn communes_column(column: &str) -> Vec<(String, String, String)> {
    let mut r = csv::Reader::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/data/communes.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    let pos = |n: &str| h.iter().position(|c| c == n).unwrap();
    let (i, z, c) = (pos("insee"), pos("zone"), pos(column));
    r.records().map(|rec| rec.unwrap()).map(|rec| (rec[i].to_owned(), rec[z].to_owned(), rec[c].to_owned())).collect()
}

#[test]
fn unit_count_is_metro_and_drom_communes_minus_3_cities_plus_45_arrondissements() {
    let rows = communes_column("population");
    let metro_drom = rows.iter().filter(|(_, z, _)| z == "metro" || z == "drom").count();
    let com = rows.iter().filter(|(_, z, _)| z == "com").count();
    let data = national();
    assert_eq!(metro_drom, 34_875);
    assert_eq!(data.units.len(), metro_drom - 3 + 45);
    assert_eq!(data.units_report.com_left_out, com);
    assert_eq!(data.units_report.cities_split, 3);
    assert_eq!(data.units.iter().filter(|u| u.city.is_some()).count(), 45);
    // Codes are unique and keep their leading zeros.
    let mut codes: Vec<&str> = data.units.iter().map(|u| u.code.as_str()).collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), data.units.len());
    assert!(codes.contains(&"01001") && codes.contains(&"2A004") && codes.contains(&"97611"));
    for city in ["75056", "69123", "13055"] {
        assert!(!codes.contains(&city), "{city} should be replaced by its arrondissements");
    }
}

#[test]
fn national_need_is_between_8_and_10_million() {
    let data = national();
    let need = score_need(&data.units, &NeedModel::default(), None);
    let total = need.total();
    assert!((8.0e6..=10.0e6).contains(&total), "national need {total}");
    // 71 communes of Guadeloupe, Guyane and Mayotte have no IFN score (SOURCES.md).
    assert_eq!(need.count(NeedSource::ModelNoFragility), 71);
    assert_eq!(data.units_report.fragility_missing, 71);
    // No unit's need exceeds its people aged 15+.
    for (u, n) in data.units.iter().zip(&need.units) {
        assert!(n.need >= 0.0 && n.need <= 0.82 * u.population as f64, "{}: {}", u.code, n.need);
    }
    // Raising the rate raises need proportionally in the metro and leaves the DROM alone.
    let higher = score_need(&data.units, &NeedModel { rate_metro: 0.165, ..NeedModel::default() }, None);
    for ((u, a), b) in data.units.iter().zip(&need.units).zip(&higher.units) {
        let expected = if u.zone == Zone::Metro { a.need * 0.165 / 0.154 } else { a.need };
        assert!((b.need - expected).abs() <= 1e-9 * expected.max(1.0));
    }
}

#[test]
fn every_unit_has_a_point_in_its_territory() {
    for u in &national().units {
        let (lon, lat) = (u.point.lon(), u.point.lat());
        let ok = match u.dep.as_str() {
            "971" => (-61.9..-60.9).contains(&lon) && (15.8..16.6).contains(&lat),
            "972" => (-61.3..-60.7).contains(&lon) && (14.3..14.9).contains(&lat),
            "973" => (-54.7..-51.5).contains(&lon) && (2.0..6.0).contains(&lat),
            "974" => (55.1..56.0).contains(&lon) && (-21.5..-20.8).contains(&lat),
            "976" => (44.9..45.4).contains(&lon) && (-13.1..-12.5).contains(&lat),
            _ => (-5.3..9.7).contains(&lon) && (41.3..51.2).contains(&lat),
        };
        assert!(ok, "{} {} at {}", u.code, u.name, u.point);
        assert!(u.density_km2 >= 0.0);
    }
}

#[test]
fn arrondissements_sum_to_their_cities_population() {
    let city_pop: HashMap<String, u64> = communes_column("population")
        .into_iter()
        .filter(|(c, _, _)| ["75056", "69123", "13055"].contains(&c.as_str()))
        .map(|(c, _, p)| (c, p.parse().unwrap()))
        .collect();
    let mut sums: HashMap<String, (u64, usize)> = HashMap::new();
    for u in national().units.iter().filter(|u| u.city.is_some()) {
        let e = sums.entry(u.city.as_ref().unwrap().to_string()).or_default();
        e.0 += u.population;
        e.1 += 1;
    }
    assert_eq!(sums["75056"].1, 20);
    assert_eq!(sums["69123"].1, 9);
    assert_eq!(sums["13055"].1, 16);
    for (city, pop) in city_pop {
        assert_eq!(sums[&city].0, pop, "{city}");
    }
}

#[test]
fn candidates_are_deduplicated_sites_plus_one_town_hall_per_unit() {
    let data = national();
    let r = &data.candidates_report;
    assert_eq!(r.sites_read, 8_804);
    assert_eq!(r.sites_read, r.sites_kept + r.sites_merged + r.sites_without_point + r.sites_outside_units);
    assert_eq!(r.sites_without_point, 4);
    assert!(r.sites_merged > 500, "overlapping sources should merge: {}", r.sites_merged);
    assert_eq!(r.mairies, data.units.len());
    assert_eq!(data.candidates.len(), r.sites_kept + r.mairies);
    let merged: usize = data.candidates.iter().map(|c| c.source_ids.len() - 1).sum();
    assert_eq!(merged, r.sites_merged);
    // No two kept sites are within 50 m of each other.
    let sites: Vec<_> = data.candidates.iter().filter(|c| c.kind != SiteKind::Mairie).collect();
    let index = maillage::spatial::SiteIndex::build(sites.iter().map(|c| c.point));
    for c in &sites {
        assert_eq!(index.within(c.point, maillage::MERGE_RADIUS_M).count(), 1, "{} has a twin within 50 m", c.id);
    }
    // Sites of Paris, Lyon and Marseille are placed in an arrondissement.
    let in_cities =
        data.candidates.iter().filter(|c| data.units[c.unit.get()].city.is_some() && c.kind != SiteKind::Mairie);
    assert!(in_cities.count() > 100);
    let ids: std::collections::HashSet<&str> = data.candidates.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids.len(), data.candidates.len(), "candidate ids are unique");
}

/// `need.ifn_score = score_global` modulates the rate by the IFN's global score instead of the
/// component: each unit with a global score gets 0.82 × population × rate × score / 100.
#[test]
fn global_ifn_score_replaces_the_component() {
    use maillage::IfnScore;
    let data = national();
    let global = score_need(&data.units, &NeedModel { score: IfnScore::ScoreGlobal, ..NeedModel::default() }, None);
    let with_score = data.units.iter().filter(|u| u.fragility_global.is_some()).count();
    assert!(with_score > 34_000, "{with_score} units with a global score");
    for (u, n) in data.units.iter().zip(&global.units) {
        let rate = if u.zone == Zone::Metro { 0.154 } else { 0.20 };
        let expected = 0.82 * u.population as f64 * rate * u.fragility_global.unwrap_or(100.0) / 100.0;
        assert!((n.need - expected).abs() <= 1e-9 * expected.max(1.0), "{}", u.code);
    }
    let default = score_need(&data.units, &NeedModel::default(), None);
    // Both scores are relative to the region (mean ~100): the totals stay close, units differ.
    let (a, b) = (default.total(), global.total());
    assert!((a - b).abs() / a < 0.05, "{a} vs {b}");
    assert!(
        data.units
            .iter()
            .zip(default.units.iter().zip(&global.units))
            .filter(|(_, (x, y))| (x.need - y.need).abs() > 1.0)
            .count()
            > 10_000
    );
}

/// `data/islands.csv` is what the commune polygons say: communes sharing a boundary vertex are
/// on one landmass, the four bridges join theirs, and every commune off its territory's
/// largest landmass is listed, with its island's smallest code as id.
#[test]
fn islands_are_the_landmasses_of_the_polygons() {
    fn find(parent: &mut [usize], mut a: usize) -> usize {
        while parent[a] != a {
            parent[a] = parent[parent[a]];
            a = parent[a];
        }
        a
    }
    use std::collections::{BTreeMap, HashMap};
    use std::io::Read;
    let mut text = String::new();
    let file = std::fs::File::open(concat!(env!("CARGO_MANIFEST_DIR"), "/data/communes.geojson.gz")).unwrap();
    flate2::read::GzDecoder::new(file).read_to_string(&mut text).unwrap();
    let geo: geojson::FeatureCollection = text.parse().unwrap();
    let mut codes: Vec<String> = Vec::new();
    let mut parent: Vec<usize> = Vec::new();
    let mut vertex_owner: HashMap<(i64, i64), usize> = HashMap::new();
    for f in &geo.features {
        let i = codes.len();
        codes.push(f.property("insee").unwrap().as_str().unwrap().to_owned());
        parent.push(i);
        let polygons: Vec<&geojson::PolygonType> = match &f.geometry.as_ref().unwrap().value {
            geojson::GeometryValue::Polygon { coordinates } => vec![coordinates],
            geojson::GeometryValue::MultiPolygon { coordinates } => coordinates.iter().collect(),
            other => panic!("{other:?}"),
        };
        for ring in polygons.into_iter().flatten() {
            for p in ring {
                let key = ((p[0] * 1e4).round() as i64, (p[1] * 1e4).round() as i64);
                if let Some(&j) = vertex_owner.get(&key) {
                    let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                    parent[a] = b;
                } else {
                    vertex_owner.insert(key, i);
                }
            }
        }
    }
    let index: HashMap<String, usize> = codes.iter().enumerate().map(|(i, c)| (c.clone(), i)).collect();
    for (a, b) in [("17297", "17300"), ("17093", "17058"), ("85011", "85012"), ("97120", "97103")] {
        let (ra, rb) = (find(&mut parent, index[a]), find(&mut parent, index[b]));
        parent[ra] = rb;
    }
    // Territory of each commune, and its population, from communes.csv.
    let mut r = csv::Reader::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/data/communes.csv")).unwrap();
    let head = r.headers().unwrap().clone();
    let pos = |n: &str| head.iter().position(|c| c == n).unwrap();
    let (ci, zi, di, pi) = (pos("insee"), pos("zone"), pos("dep"), pos("population"));
    let mut info: HashMap<String, (String, u64)> = HashMap::new();
    for rec in r.records().map(Result::unwrap) {
        let territory = if &rec[zi] == "metro" { "metro".to_owned() } else { rec[di].to_owned() };
        info.insert(rec[ci].to_owned(), (territory, rec[pi].parse().unwrap_or(0)));
    }
    // Landmasses by territory: (population, members).
    let mut lands: BTreeMap<(String, usize), (u64, Vec<String>)> = BTreeMap::new();
    for (i, code) in codes.iter().enumerate() {
        let root = find(&mut parent, i);
        let (territory, pop) = &info[code];
        let e = lands.entry((territory.clone(), root)).or_default();
        e.0 += pop;
        e.1.push(code.clone());
    }
    let mut expected: Vec<(String, String)> = Vec::new();
    let territories: std::collections::BTreeSet<String> = lands.keys().map(|(t, _)| t.clone()).collect();
    for t in territories {
        let mut of: Vec<&(u64, Vec<String>)> = lands.iter().filter(|((tt, _), _)| *tt == t).map(|(_, v)| v).collect();
        of.sort_by_key(|l| std::cmp::Reverse(l.0));
        for (_, members) in of.iter().skip(1) {
            let id = members.iter().min().unwrap().clone();
            expected.extend(members.iter().map(|m| (m.clone(), id.clone())));
        }
    }
    expected.sort();
    let mut listed: Vec<(String, String)> =
        csv::Reader::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/data/islands.csv"))
            .unwrap()
            .records()
            .map(|rec| {
                let rec = rec.unwrap();
                (rec[0].to_owned(), rec[2].to_owned())
            })
            .collect();
    listed.sort();
    assert_eq!(listed, expected);
    // Corsica, Belle-Île, Yeu are islands; Ré (bridged) and Basse-Terre are not.
    let on = |c: &str| listed.iter().any(|(code, _)| code == c);
    assert!(on("2A004") && on("56152") && on("85113"));
    assert!(!on("17019") && !on("97105"));
}

/// Crow flies does not cross to an island without a bridge: no island unit reaches a
/// candidate off its island, nor is reached from one; a bridged island (Ré) still reaches the
/// mainland.
#[test]
fn crow_flies_does_not_cross_the_sea() {
    let data = national();
    let reach = crate::util::national_reach();
    assert_eq!(data.units_report.islands, 19);
    let mut crossings = 0;
    for (u, link) in reach.pairs() {
        let c = &data.candidates[link.candidate.get()];
        if data.units[u.get()].landmass != data.units[c.unit.get()].landmass {
            crossings += 1;
        }
    }
    assert_eq!(crossings, 0);
    let rivedoux = data.units.iter().position(|u| u.code.as_str() == "17297").unwrap();
    let reaches_mainland = reach
        .of(maillage::UnitIdx(rivedoux as u32))
        .iter()
        .any(|l| data.units[data.candidates[l.candidate.get()].unit.get()].code.as_str() == "17300");
    assert!(reaches_mainland, "Rivedoux-Plage reaches La Rochelle over the bridge");
}
