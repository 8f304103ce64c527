//! `maillage od-requests`: the requests a routing engine must answer for a road matrix of the
//! area, and the scripts that send them.

use std::fmt::Write as _;
use std::io::Write;

use anyhow::{Result, bail};
use maillage::report::OutputSet;
use maillage::spatial::{Request, TravelTime, destinations_within, pack_requests};
use maillage::{DataFiles, Dataset};

use super::instance::area_data;
use super::spec::flags_spec;
use super::{list_written, load_dataset};
use crate::cli::OdRequestsArgs;

/// The files of an od-requests folder.
pub const OD_REQUESTS_SET: &[&str] =
    &["requests.csv", "points.csv", "osrm.tsv", "valhalla.tsv", "fetch-osrm.sh", "fetch-valhalla.sh", "LISEZMOI.txt"];

pub fn od_requests(files: &DataFiles, args: &OdRequestsArgs) -> Result<()> {
    let (spec, origin) = flags_spec(|spec, keys| {
        args.travel.apply(spec, keys);
        spec.area.within_departements.clone_from(&args.within_departements);
        spec.area.regions.clone_from(&args.regions);
    })?;
    if spec.travel.od.is_some() {
        bail!(
            "--od: od-requests writes what a routing engine must compute, for the crow-flies model's reach; drop --od"
        );
    }
    if let Some(r) = args.radius_km
        && !(r.is_finite() && r > 0.0 && r <= 500.0)
    {
        bail!("--radius-km = {r}: expected a radius in (0, 500] km");
    }
    maillage::report::check_output_path(&args.out, maillage::report::OutputKind::Folder(OD_REQUESTS_SET))?;
    let full = load_dataset(files)?;
    spec.check_data(&full).map_err(|e| origin.place(e))?;
    let data = area_data(&full, &spec);
    let radius_m = match args.radius_km {
        Some(km) => km * 1000.0,
        None => spec.crow_flies().map_err(|e| origin.place(e))?.search_radius_m(spec.travel.bound_min),
    };
    let destinations = destinations_within(&data, radius_m);
    let requests = pack_requests(&destinations, args.max_locations as usize);
    let pairs: usize = destinations.iter().map(Vec::len).sum();
    let asked: usize = requests.iter().map(|r| r.sources.len() * r.destinations.len()).sum();
    let mut set = OutputSet::new(&args.out, OD_REQUESTS_SET)?;
    set.write("requests.csv", |w| write_list(w, &data, &requests))?;
    set.write("points.csv", |w| write_points(w, &data, &requests))?;
    set.write("osrm.tsv", |w| write_osrm(w, &data, &requests))?;
    set.write("valhalla.tsv", |w| write_valhalla(w, &data, &requests))?;
    set.write("fetch-osrm.sh", |w| w.write_all(FETCH_OSRM.as_bytes()))?;
    set.write("fetch-valhalla.sh", |w| w.write_all(FETCH_VALHALLA.as_bytes()))?;
    set.write("LISEZMOI.txt", |w| w.write_all(readme(radius_m, args.max_locations).as_bytes()))?;
    let paths = set.commit()?;
    println!(
        "{} requests of at most {} points: {pairs} commune pairs within {:.1} km ({asked} asked in all)",
        requests.len(),
        args.max_locations,
        radius_m / 1000.0
    );
    list_written(&paths);
    Ok(())
}

/// The request's id: its rank, from 1, on at least 4 digits.
fn id(k: usize) -> String {
    format!("{:04}", k + 1)
}

fn codes(data: &Dataset, units: &[maillage::UnitIdx]) -> String {
    units.iter().map(|u| data.units[u.get()].code.as_str()).collect::<Vec<_>>().join(" ")
}

fn write_list(w: &mut dyn Write, data: &Dataset, requests: &[Request]) -> std::io::Result<()> {
    let mut csv = csv::Writer::from_writer(w);
    csv.write_record(maillage::load::ANSWERS_COLUMNS)?;
    for (k, r) in requests.iter().enumerate() {
        let response = format!("responses/{}.json", id(k));
        csv.write_record([id(k), response, codes(data, &r.sources), codes(data, &r.destinations)])?;
    }
    csv.flush()
}

fn write_points(w: &mut dyn Write, data: &Dataset, requests: &[Request]) -> std::io::Result<()> {
    let mut used = vec![false; data.units.len()];
    for r in requests {
        for u in r.sources.iter().chain(&r.destinations) {
            used[u.get()] = true;
        }
    }
    let mut csv = csv::Writer::from_writer(w);
    csv.write_record(["insee", "nom", "dep", "lon", "lat"])?;
    for (u, _) in data.units.iter().zip(&used).filter(|(_, used)| **used) {
        csv.write_record([
            u.code.as_str(),
            &u.name,
            &u.dep,
            &format!("{:.6}", u.point.lon()),
            &format!("{:.6}", u.point.lat()),
        ])?;
    }
    csv.flush()
}

/// One line a request: its id, a tab, the path and query of OSRM's table service (sources
/// first, then destinations).
fn write_osrm(w: &mut dyn Write, data: &Dataset, requests: &[Request]) -> std::io::Result<()> {
    for (k, r) in requests.iter().enumerate() {
        let mut line = format!("{}\t/table/v1/driving/", id(k));
        for (n, u) in r.sources.iter().chain(&r.destinations).enumerate() {
            let p = data.units[u.get()].point;
            let _ = write!(line, "{}{:.6},{:.6}", if n == 0 { "" } else { ";" }, p.lon(), p.lat());
        }
        let s = r.sources.len();
        let list = |range: std::ops::Range<usize>| range.map(|i| i.to_string()).collect::<Vec<_>>().join(";");
        let _ = write!(line, "?sources={}&destinations={}&annotations=duration", list(0..s), list(s..r.locations()));
        writeln!(w, "{line}")?;
    }
    Ok(())
}

/// One line a request: its id, a tab, the JSON body of Valhalla's matrix (`sources_to_targets`).
fn write_valhalla(w: &mut dyn Write, data: &Dataset, requests: &[Request]) -> std::io::Result<()> {
    let points = |units: &[maillage::UnitIdx]| -> Vec<serde_json::Value> {
        units
            .iter()
            .map(|u| {
                let p = data.units[u.get()].point;
                let round = |v: f64| (v * 1e6).round() / 1e6;
                serde_json::json!({ "lat": round(p.lat()), "lon": round(p.lon()) })
            })
            .collect()
    };
    for (k, r) in requests.iter().enumerate() {
        let body = serde_json::json!({
            "sources": points(&r.sources),
            "targets": points(&r.destinations),
            "costing": "auto",
        });
        writeln!(w, "{}\t{body}", id(k))?;
    }
    Ok(())
}

const FETCH_OSRM: &str = r#"#!/bin/sh
# Sends each request of osrm.tsv to an OSRM server (osrm-routed, started with a
# --max-table-size at least the requests' size) and saves its answer in responses/ID.json.
# Usage: sh fetch-osrm.sh [http://localhost:5000]
set -eu
server="${1:-http://localhost:5000}"
cd "$(dirname "$0")"
mkdir -p responses
tab="$(printf '\t')"
while IFS="$tab" read -r id query; do
    curl -sS --fail-with-body "$server$query" -o "responses/$id.json"
done < osrm.tsv
echo "answers saved in $(pwd)/responses; then: maillage plan --od $(pwd)/requests.csv"
"#;

const FETCH_VALHALLA: &str = r#"#!/bin/sh
# Sends each request of valhalla.tsv to a Valhalla server's matrix service and saves its
# answer in responses/ID.json.
# Usage: sh fetch-valhalla.sh [http://localhost:8002]
set -eu
server="${1:-http://localhost:8002}"
cd "$(dirname "$0")"
mkdir -p responses
tab="$(printf '\t')"
while IFS="$tab" read -r id body; do
    printf '%s' "$body" | curl -sS --fail-with-body -X POST -H 'Content-Type: application/json' \
        --data-binary @- "$server/sources_to_targets" -o "responses/$id.json"
done < valhalla.tsv
echo "answers saved in $(pwd)/responses; then: maillage plan --od $(pwd)/requests.csv"
"#;

fn readme(radius_m: f64, max_locations: u32) -> String {
    format!(
        "Matrice de temps de trajet par la route : les demandes à faire à un moteur d'itinéraire\n\
         \n\
         Chaque demande donne les temps de trajet de quelques communes (sources) vers les communes\n\
         dont un lieu d'accueil possible est à moins de {:.1} km à vol d'oiseau (destinations), {max_locations} points\n\
         au plus par demande.\n\
         \n\
         1. Lancer un serveur OSRM (osrm-routed --max-table-size {max_locations} ...) ou Valhalla.\n\
         2. sh fetch-osrm.sh http://localhost:5000   (ou : sh fetch-valhalla.sh http://localhost:8002)\n\
            Les réponses sont enregistrées dans responses/, une par demande.\n\
         3. maillage plan --od requests.csv\n\
            requests.csv dit, pour chaque réponse, les codes INSEE de ses lignes (sources) et de ses\n\
            colonnes (destinations), dans l'ordre de la demande.\n\
         \n\
         points.csv : les communes, leur code INSEE et le point utilisé (la mairie, sinon le centre).\n\
         \n\
         Le rayon suit le modèle à vol d'oiseau (sa vitesse la plus grande) : une paire plus lointaine, qu'une\n\
         autoroute rendrait accessible dans le temps maximal, n'est pas demandée et sera tenue pour inaccessible.\n\
         Pour les prendre toutes : maillage od-requests --radius-km 65 (130 km/h pendant 30 minutes).\n",
        radius_m / 1000.0
    )
}
