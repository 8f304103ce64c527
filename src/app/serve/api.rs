//! The JSON API and the page. Ids, file names and département codes from a request are
//! checked against what the server made or knows; no path from the browser is opened.

use std::collections::{BTreeMap, HashMap};
use std::convert::Infallible;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, Request, State as Extract};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use maillage::Dataset;
use maillage::spec::{AllocationSource, PlanSpec, SpecError};
use serde_json::{Value, json};

use super::geometry::Projector;
use super::runs::{RunState, Runs, is_run_id};

/// What the handlers share.
pub struct State {
    /// The runs.
    pub runs: Arc<Runs>,
    /// The whole data (département codes, the data check of a scenario).
    pub data: Dataset,
    /// Département names by code.
    pub dep_names: BTreeMap<String, String>,
    /// The map's projection.
    pub projector: Projector,
    /// The gzipped outlines of the communes.
    pub geometry: Vec<u8>,
    /// The token every request must carry, if any.
    pub token: Option<String>,
}

type Shared = Arc<State>;

/// The routes.
pub fn router(state: Shared) -> Router {
    Router::new()
        .route("/", get(|| async { page("text/html; charset=utf-8", include_str!("static/index.html")) }))
        .route("/app.js", get(|| async { page("text/javascript; charset=utf-8", include_str!("static/app.js")) }))
        .route("/app.css", get(|| async { page("text/css; charset=utf-8", include_str!("static/app.css")) }))
        .route("/api/options", get(options))
        .route("/api/geometry", get(geometry))
        .route("/api/departements", get(departements))
        .route("/api/spec", axum::routing::post(check_spec))
        .route("/api/runs", get(list).post(create))
        .route("/api/runs/{id}", get(one).delete(delete))
        .route("/api/runs/{id}/events", get(events))
        .route("/api/runs/{id}/files/{name}", get(file))
        .route("/api/runs/{id}/sites", get(sites))
        .route("/api/runs/{id}/departements/{zip}", get(departement_zip))
        .route("/api/compare", get(compare))
        .fallback(|| async { error(StatusCode::NOT_FOUND, "no such page or API route") })
        .layer(DefaultBodyLimit::max(super::MAX_BODY))
        .layer(middleware::from_fn_with_state(state.clone(), auth))
        .with_state(state)
}

fn page(content_type: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "no-cache")], body).into_response()
}

/// A JSON error.
fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({"error": message.into()}))).into_response()
}

/// Requests without the token (header `Authorization: Bearer T` or `?token=T`) are refused.
async fn auth(Extract(state): Extract<Shared>, request: Request, next: Next) -> Response {
    let Some(token) = &state.token else { return next.run(request).await };
    let from_header = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned);
    let from_query =
        request.uri().query().and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("token="))).map(str::to_owned);
    if from_header.or(from_query).is_some_and(|given| same(given.as_bytes(), token.as_bytes())) {
        next.run(request).await
    } else {
        error(StatusCode::UNAUTHORIZED, "this server needs its token: Authorization: Bearer T, or ?token=T")
    }
}

/// Equality in a time that does not depend on where the inputs differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `GET /api/options`: every option of a plan: its key, flag, group, help, type, default,
/// choices and range, read from the specification itself.
async fn options() -> Json<Value> {
    Json(options_json())
}

pub fn options_json() -> Value {
    use clap::CommandFactory;
    let cli = crate::cli::Cli::command();
    let plan = cli.find_subcommand("plan").cloned().unwrap_or_default();
    let defaults = serde_json::to_value(PlanSpec::default()).unwrap_or_default();
    let options: Vec<Value> = maillage::spec::FLAGS
        .iter()
        .map(|&(key, flag)| {
            let arg = plan.get_arguments().find(|a| a.get_long() == flag.strip_prefix("--"));
            let help = arg.and_then(|a| a.get_help()).map(ToString::to_string).unwrap_or_default();
            let choices: Vec<String> = arg
                .map(|a| a.get_possible_values().iter().filter(|v| !v.is_hide_set()).map(|v| v.get_name().to_owned()).collect())
                .unwrap_or_default();
            let default = key.split('.').try_fold(&defaults, |v, k| v.get(k)).cloned().unwrap_or(Value::Null);
            let range = maillage::spec::range_of(key);
            let kind = match (&default, choices.is_empty()) {
                (Value::Bool(_), _) => "bool",
                (_, false) if key == "candidates.kinds" => "choices",
                (_, false) => "choice",
                _ if matches!(key, "limits.floors" | "limits.caps") => "departements",
                _ if matches!(key, "area.within_departements" | "area.regions" | "outputs.departements") => "list",
                (Value::Number(n), _) if n.is_u64() && !matches!(key, "budget_eur" | "cost_per_post_eur" | "capacity_per_post" | "time_limit_s") => "integer",
                (Value::Number(_), _) => "number",
                (Value::Object(_), _) => "departements",
                (Value::Array(_), _) => "list",
                _ if SERVER_PATHS.contains(&key) => "path",
                _ if key.starts_with("continuity.") => "integer",
                _ => "text",
            };
            json!({
                "key": key,
                "label": LABELS.iter().find(|(k, _)| *k == key).map_or(key, |(_, l)| l),
                "flag": flag,
                "group": group(key),
                "help": help,
                "type": kind,
                "default": default,
                "choices": choices,
                "min": range.map(|r| r.lo),
                "max": range.map(|r| r.hi),
                "min_excluded": range.is_some_and(|r| r.open_low),
                "server": if SERVER_PATHS.contains(&key) { "refused: a path on the server; the command line takes it" } else { "" },
            })
        })
        .collect();
    json!({"options": options, "groups": GROUPS})
}

/// Each option's name in the form, for a French reader (the key and flag are shown beside).
const LABELS: [(&str, &str); 37] = [
    ("name", "Nom du scénario"),
    ("description", "Description"),
    ("posts", "Conseillers (postes) au plus"),
    ("budget_eur", "Budget (€)"),
    ("cost_per_post_eur", "Coût d'un poste (€)"),
    ("capacity_per_post", "Personnes accompagnées par poste"),
    ("max_posts_per_site", "Postes par lieu au plus"),
    ("objective", "Objectif"),
    ("target_coverage", "Part du besoin à couvrir (min-posts)"),
    ("solver", "Méthode de résolution"),
    ("time_limit_s", "Temps de calcul maximal (s)"),
    ("travel.bound_min", "Temps de trajet maximal (min)"),
    ("travel.od", "Matrice de temps de trajet"),
    ("travel.detour", "Facteur de détour"),
    ("travel.speeds", "Vitesses selon la densité"),
    ("value.decay", "Décroissance avec la distance"),
    ("value.decay_at_bound", "Poids au temps maximal"),
    ("value.half_life_min", "Demi-vie (min)"),
    ("value.diminishing_returns", "Rendements décroissants"),
    ("need.rate_pct", "Taux d'illectronisme (%)"),
    ("need.rate_drom_pct", "Taux dans les DROM (%)"),
    ("need.ifn_score", "Indice de fragilité numérique utilisé"),
    ("need.file", "Fichier de besoin"),
    ("limits.floors", "Planchers par département"),
    ("limits.caps", "Plafonds par département"),
    ("limits.floors_from", "Planchers d'une allocation"),
    ("limits.fixed_from", "Postes déjà placés"),
    ("candidates.kinds", "Lieux d'accueil possibles"),
    ("area.within_departements", "Calcul limité aux départements"),
    ("area.regions", "Calcul limité aux régions"),
    ("outputs.out", "Dossier de sortie"),
    ("outputs.departements", "Cartes et rapport pour les départements"),
    ("outputs.xlsx", "Classeur plan.xlsx"),
    ("outputs.pdf", "Rapport en PDF"),
    ("continuity.previous", "Plan précédent"),
    ("continuity.max_moves", "Postes déplacés au plus"),
    ("continuity.add", "Postes ajoutés sans rien déplacer"),
];

/// The form's groups, in order.
const GROUPS: [&str; 9] = [
    "Scénario",
    "Postes et budget",
    "Trajets",
    "Valeur d'un accompagnement",
    "Besoin",
    "Limites par département",
    "Lieux d'accueil",
    "Périmètre",
    "Continuité",
];

fn group(key: &str) -> &'static str {
    match key.split('.').next().unwrap_or("") {
        "name" | "description" | "outputs" => GROUPS[0],
        "travel" => GROUPS[2],
        "value" => GROUPS[3],
        "need" => GROUPS[4],
        "limits" => GROUPS[5],
        "candidates" => GROUPS[6],
        "area" => GROUPS[7],
        "continuity" => GROUPS[8],
        _ => GROUPS[1],
    }
}

/// Keys that name a file on the server: refused from the web (the command line takes them).
const SERVER_PATHS: [&str; 4] = ["travel.od", "need.file", "continuity.previous", "outputs.out"];

/// One refused value, as the API reports it.
fn field_error(e: &SpecError) -> Value {
    json!({"key": e.key, "flag": e.flag(), "value": e.value, "expected": e.expected, "message": e.to_string()})
}

/// The spec of a request body (TOML, or JSON with a JSON content type), validated: every
/// refused value, field by field, with the command line's message.
pub fn spec_of(body: &[u8], json_body: bool, data: &Dataset) -> Result<PlanSpec, Vec<Value>> {
    let text =
        std::str::from_utf8(body).map_err(|_| vec![json!({"key": "", "message": "the scenario is not UTF-8 text"})])?;
    let mut spec: PlanSpec = if json_body {
        let mut de = serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let key = e.path().to_string();
            vec![json!({"key": if key == "." { String::new() } else { key.clone() }, "message": format!("`{key}`: {}", e.inner())})]
        })?
    } else {
        maillage::spec::spec_from_toml(text).map_err(|(key, message, line)| {
            vec![json!({"key": key, "message": format!("line {line}: `{key}`: {message}")})]
        })?
    };
    let mut errors = Vec::new();
    for key in SERVER_PATHS {
        let given = match key {
            "travel.od" => spec.travel.od.take().is_some(),
            "need.file" => spec.need.file.take().is_some(),
            "continuity.previous" => spec.continuity.previous.take().is_some(),
            _ => spec.outputs.out.take().is_some(),
        };
        if given {
            let e = SpecError::new(
                key,
                "a path",
                "a path on the server cannot come from the web app (the command line takes it); uploads are not taken yet",
            );
            errors.push(field_error(&e));
        }
    }
    for (key, source) in
        [("limits.floors_from", &mut spec.limits.floors_from), ("limits.fixed_from", &mut spec.limits.fixed_from)]
    {
        if matches!(source, Some(AllocationSource::File(_))) {
            *source = None;
            let e = SpecError::new(
                key,
                "a path",
                format!(
                    "`{}` (the real 2021–22 allocation), or nothing: a path on the server cannot come from the web app",
                    AllocationSource::CNFS_2021
                ),
            );
            errors.push(field_error(&e));
        }
    }
    // Each refused value is reported, then set back to its default so that the next one shows.
    for _ in 0..32 {
        match spec.validate().and_then(|()| spec.check_data(data)) {
            Ok(()) => break,
            Err(e) => {
                errors.push(field_error(&e));
                match reset(&spec, &e.key) {
                    Some(next) if next != spec => spec = next,
                    _ => break,
                }
            }
        }
    }
    if let Err(e) = super::super::outputs::check_pdf(&spec, &super::super::spec::Origin::default()) {
        errors.push(json!({"key": "outputs.pdf", "message": format!("{e:#}")}));
    }
    if errors.is_empty() { Ok(spec) } else { Err(errors) }
}

/// The spec with `key` back to its default (a `limits.floors.59` entry removed).
fn reset(spec: &PlanSpec, key: &str) -> Option<PlanSpec> {
    let mut value = serde_json::to_value(spec).ok()?;
    let defaults = serde_json::to_value(PlanSpec::default()).ok()?;
    let pointer = format!("/{}", key.replace('.', "/"));
    if let Some(d) = defaults.pointer(&pointer) {
        *value.pointer_mut(&pointer)? = d.clone();
    } else {
        let (parent, last) = pointer.rsplit_once('/')?;
        value.pointer_mut(parent)?.as_object_mut()?.remove(last);
    }
    serde_json::from_value(value).ok()
}

/// `GET /api/departements`: the codes and names of the data's départements.
async fn departements(Extract(state): Extract<Shared>) -> Response {
    let mut codes: Vec<&str> = state.data.units.iter().map(|u| u.dep.as_str()).collect();
    codes.sort_unstable();
    codes.dedup();
    let rows: Vec<Value> = codes
        .iter()
        .map(|c| json!({"code": c, "name": state.dep_names.get(*c).cloned().unwrap_or_default()}))
        .collect();
    Json(json!({"departements": rows})).into_response()
}

fn is_json(headers: &HeaderMap) -> bool {
    headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("json"))
}

/// `POST /api/spec`: a scenario (TOML or JSON) checked without running it: `200 {"spec",
/// "toml"}` (the form's values and the file to download), or `400 {"errors"}`.
async fn check_spec(Extract(state): Extract<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    match spec_of(&body, is_json(&headers), &state.data) {
        Err(errors) => (StatusCode::BAD_REQUEST, Json(json!({"errors": errors}))).into_response(),
        Ok(spec) => Json(json!({"spec": spec, "toml": maillage::spec::spec_to_toml(&spec)})).into_response(),
    }
}

/// `POST /api/runs`: a scenario → `201 {"id"}`, or `400 {"errors": [...]}`.
/// With `?sweep=posts|budget_eur|target_coverage&range=FROM:TO:STEP`, the run is
/// `maillage frontier` instead of `plan`; with `?analysis=sensitivity`, `maillage sensitivity`.
async fn create(
    Extract(state): Extract<Shared>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match spec_of(&body, is_json(&headers), &state.data) {
        Err(errors) => (StatusCode::BAD_REQUEST, Json(json!({"errors": errors}))).into_response(),
        Ok(spec) => {
            let sweep = match sweep_of(&q, &spec) {
                Ok(sweep) => sweep,
                Err(e) => return (StatusCode::BAD_REQUEST, Json(json!({"errors": [e]}))).into_response(),
            };
            let analysis = match analysis_of(&q, &spec, sweep.is_some()) {
                Ok(analysis) => analysis,
                Err(e) => return (StatusCode::BAD_REQUEST, Json(json!({"errors": [e]}))).into_response(),
            };
            let name = spec.name.clone().unwrap_or_else(|| "Scénario sans nom".to_owned());
            match state.runs.create(&name, &maillage::spec::spec_to_toml(&spec), sweep, analysis) {
                Ok(id) => (StatusCode::CREATED, Json(json!({"id": id}))).into_response(),
                Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, format!("creating the run: {e}")),
            }
        }
    }
}

/// The analysis of a run (`analysis` in the query): none (a plan, or a frontier with a
/// sweep) or `sensitivity`, checked as `maillage sensitivity` checks its options.
fn analysis_of(q: &HashMap<String, String>, spec: &PlanSpec, swept: bool) -> Result<Option<String>, Value> {
    let Some(what) = q.get("analysis").filter(|w| !w.is_empty()) else { return Ok(None) };
    if what != "sensitivity" {
        return Err(json!({"key": "analysis", "message": format!("analysis = {what:?}: expected sensitivity")}));
    }
    if swept {
        return Err(json!({"key": "analysis", "message": "a sensitivity run solves one scenario: drop the sweep"}));
    }
    super::super::sensitivity::check_outputs(spec)
        .map_err(|e| json!({"key": "analysis", "message": format!("{e:#}")}))?;
    Ok(Some(what.clone()))
}

/// The sweep of a frontier run (`sweep`, `range` in the query), checked as `frontier` checks
/// it: its flag and range.
fn sweep_of(q: &HashMap<String, String>, spec: &PlanSpec) -> Result<Option<Vec<String>>, Value> {
    let Some(what) = q.get("sweep").filter(|w| !w.is_empty()) else { return Ok(None) };
    let flag = match what.as_str() {
        "posts" => "--posts",
        "budget_eur" => "--budget-eur",
        "target_coverage" => "--target-coverage",
        _ => {
            return Err(
                json!({"key": "sweep", "message": format!("sweep = {what:?}: expected posts, budget_eur or target_coverage")}),
            );
        }
    };
    let range = q.get("range").map_or("", String::as_str);
    super::super::frontier::check_sweep(flag, range, spec)
        .map_err(|e| json!({"key": "sweep", "message": format!("{flag} {range}: {e:#}")}))?;
    Ok(Some(vec![flag.to_owned(), range.to_owned()]))
}

async fn list(Extract(state): Extract<Shared>) -> Response {
    Json(json!({"runs": state.runs.list()})).into_response()
}

/// Run `id`, or the response that refuses it (400 for an id that cannot be one, 404).
#[allow(clippy::result_large_err)] // a handler returns the response at once
fn run_of(state: &State, id: &str) -> Result<super::runs::RunInfo, Response> {
    if !is_run_id(id) {
        return Err(error(StatusCode::BAD_REQUEST, format!("{id:?} is not a run id (digits and dashes)")));
    }
    state.runs.get(id).ok_or_else(|| error(StatusCode::NOT_FOUND, format!("no run {id}")))
}

async fn one(Extract(state): Extract<Shared>, Path(id): Path<String>) -> Response {
    match run_of(&state, &id) {
        Ok(info) => Json(info).into_response(),
        Err(r) => r,
    }
}

async fn delete(Extract(state): Extract<Shared>, Path(id): Path<String>) -> Response {
    match run_of(&state, &id) {
        Ok(info) => {
            state.runs.delete(&id);
            let what = if info.state.is_final() { "removed" } else { "cancelled" };
            Json(json!({"id": id, "done": what})).into_response()
        }
        Err(r) => r,
    }
}

/// `GET /api/runs/{id}/events`: the run as server-sent events, one each time it changes,
/// until it is final.
async fn events(Extract(state): Extract<Shared>, Path(id): Path<String>) -> Response {
    let info = match run_of(&state, &id) {
        Ok(info) => info,
        Err(r) => return r,
    };
    let rx = state.runs.changes.subscribe();
    let start = (Some(info), rx, state, id, false);
    let stream = futures_util::stream::unfold(start, |(first, mut rx, state, id, ended)| async move {
        if ended {
            return None;
        }
        let info = match first {
            Some(info) => info,
            None => loop {
                match rx.recv().await {
                    Ok(changed) if changed != id => {}
                    Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => break state.runs.get(&id)?,
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
                }
            },
        };
        let ended = info.state.is_final();
        let event = Event::default().json_data(&info).unwrap_or_default();
        Some((Ok::<_, Infallible>(event), (None, rx, state, id, ended)))
    });
    Sse::new(stream).keep_alive(KeepAlive::default()).into_response()
}

/// The files a run's API hands out: its scenario and its outputs.
fn file_path(state: &State, id: &str, name: &str) -> Option<std::path::PathBuf> {
    if name == "scenario.toml" {
        return Some(state.runs.dir_of(id).join(name));
    }
    let written = maillage::report::PLAN_SET.contains(&name)
        || super::super::frontier::FRONTIER_SET.contains(&name)
        || super::super::sensitivity::SENSITIVITY_SET.contains(&name);
    written.then(|| state.runs.dir_of(id).join("out").join(name))
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit_once('.').map_or("", |(_, ext)| ext) {
        "csv" => "text/csv; charset=utf-8",
        "json" => "application/json",
        "geojson" => "application/geo+json",
        "html" => "text/html; charset=utf-8",
        "svg" => "image/svg+xml",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        _ => "text/plain; charset=utf-8",
    }
}

async fn file(Extract(state): Extract<Shared>, Path((id, name)): Path<(String, String)>) -> Response {
    if let Err(r) = run_of(&state, &id) {
        return r;
    }
    let Some(path) = file_path(&state, &id, &name) else {
        return error(StatusCode::BAD_REQUEST, format!("{name:?} is not a file a run writes"));
    };
    match tokio::fs::read(&path).await {
        Ok(bytes) => {
            let inline = ["text/html", "application/json", "application/pdf", "image/svg+xml"]
                .iter()
                .any(|t| content_type(&name).starts_with(t));
            let disposition =
                if inline { "inline".to_owned() } else { format!("attachment; filename=\"{id}-{name}\"") };
            let headers = [
                (header::CONTENT_TYPE, HeaderValue::from_static(content_type(&name))),
                (
                    header::CONTENT_DISPOSITION,
                    HeaderValue::from_str(&disposition).unwrap_or(HeaderValue::from_static("inline")),
                ),
            ];
            (headers, bytes).into_response()
        }
        Err(_) => error(StatusCode::NOT_FOUND, format!("run {id} has no {name} (yet)")),
    }
}

/// `GET /api/geometry`: the communes' outlines for the map (gzipped JSON).
async fn geometry(Extract(state): Extract<Shared>) -> Response {
    let headers = [
        (header::CONTENT_TYPE, "application/json"),
        (header::CONTENT_ENCODING, "gzip"),
        (header::CACHE_CONTROL, "max-age=3600"),
    ];
    (headers, state.geometry.clone()).into_response()
}

/// `GET /api/runs/{id}/sites`: the run's sites with posts, projected like the map.
async fn sites(Extract(state): Extract<Shared>, Path(id): Path<String>) -> Response {
    if let Err(r) = run_of(&state, &id) {
        return r;
    }
    let path = state.runs.dir_of(&id).join("out/sites.geojson");
    let Ok(text) = tokio::fs::read_to_string(&path).await else {
        return error(StatusCode::NOT_FOUND, format!("run {id} has no sites.geojson (yet)"));
    };
    let Ok(geo) = serde_json::from_str::<Value>(&text) else {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "sites.geojson does not parse");
    };
    let territory: HashMap<&str, &str> = state.data.units.iter().map(|u| (u.code.as_str(), u.territory())).collect();
    let features = geo["features"].as_array().cloned().unwrap_or_default();
    let rows: Vec<Value> = features
        .iter()
        .filter_map(|f| {
            let p = &f["properties"];
            let c = f["geometry"]["coordinates"].as_array()?;
            let t = *territory.get(p["insee"].as_str()?)?;
            let (x, y) = state.projector.project(t, c.first()?.as_f64()?, c.get(1)?.as_f64()?);
            Some(json!({"id": p["id"], "name": p["name"], "kind": p["kind"], "insee": p["insee"], "dep": p["dep"], "posts": p["posts"], "served": p["served"], "t": t, "x": x, "y": y}))
        })
        .collect();
    Json(json!({"sites": rows})).into_response()
}

/// Serialises the extracts and comparisons (each a `maillage` child).
static CHILDREN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Runs `maillage ARGS` on the server's data; its error text on failure.
async fn maillage(state: &State, args: &[&std::ffi::OsStr]) -> Result<(), String> {
    let out = state.runs.command().map_err(|e| e.to_string())?.args(args).output().await.map_err(|e| e.to_string())?;
    if out.status.success() { Ok(()) } else { Err(super::runs::child_error(&String::from_utf8_lossy(&out.stderr))) }
}

/// `GET /api/runs/{id}/departements/{dep}.zip`: a prefecture's extract: the run's scenario
/// solved again with `--departement DEP` (the same plan: the run's summary is checked), its
/// maps, report and the CSV rows of the département.
async fn departement_zip(Extract(state): Extract<Shared>, Path((id, zip)): Path<(String, String)>) -> Response {
    let info = match run_of(&state, &id) {
        Ok(info) => info,
        Err(r) => return r,
    };
    let Some(dep) = zip.strip_suffix(".zip") else {
        return error(StatusCode::BAD_REQUEST, format!("{zip:?}: expected DEP.zip, e.g. 59.zip"));
    };
    if !state.data.units.iter().any(|u| u.dep == dep) {
        return error(StatusCode::BAD_REQUEST, format!("{dep:?} is not a département of the data (59, 2A, 971…)"));
    }
    if info.state != RunState::Done {
        return error(StatusCode::CONFLICT, format!("run {id} is not done"));
    }
    let folder = state.runs.dir_of(&id).join("extracts");
    let target = folder.join(format!("{dep}.zip"));
    let _one_at_a_time = CHILDREN.lock().await;
    if !target.exists()
        && let Err(e) = make_extract(&state, &id, dep, &info).await
    {
        let _ = std::fs::remove_dir_all(folder.join(dep));
        return error(StatusCode::INTERNAL_SERVER_ERROR, e);
    }
    match tokio::fs::read(&target).await {
        Ok(bytes) => {
            let disposition = format!("attachment; filename=\"maillage-{id}-{dep}.zip\"");
            let headers = [
                (header::CONTENT_TYPE, HeaderValue::from_static("application/zip")),
                (
                    header::CONTENT_DISPOSITION,
                    HeaderValue::from_str(&disposition).unwrap_or(HeaderValue::from_static("attachment")),
                ),
            ];
            (headers, bytes).into_response()
        }
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

async fn make_extract(state: &State, id: &str, dep: &str, info: &super::runs::RunInfo) -> Result<(), String> {
    let run = state.runs.dir_of(id);
    let out = run.join("extracts").join(dep);
    let scenario = run.join("scenario.toml");
    let args: Vec<&std::ffi::OsStr> = vec![
        "plan".as_ref(),
        "--scenario".as_ref(),
        scenario.as_os_str(),
        "--departement".as_ref(),
        dep.as_ref(),
        "--no-xlsx".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
    ];
    maillage(state, &args).await?;
    let summary: Value = std::fs::read_to_string(out.join("summary.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .ok_or("the extract wrote no summary.json")?;
    let run_summary = info.summary.clone().unwrap_or_default();
    for key in ["posts", "objective", "served"] {
        if summary[key] != run_summary[key] {
            return Err(format!(
                "solved again, the scenario gave another plan ({key} {} instead of {}): a solve stopped by its time limit is not repeatable; export with `maillage plan --departement {dep}` instead",
                summary[key], run_summary[key]
            ));
        }
    }
    let zip = build_zip(&out, dep).map_err(|e| format!("writing the zip: {e}"))?;
    maillage::report::write_atomic(&run.join("extracts").join(format!("{dep}.zip")), |w| w.write_all(&zip))
        .map_err(|e| e.to_string())?;
    let _ = std::fs::remove_dir_all(&out);
    Ok(())
}

/// The zip of an extract: maps and report whole, the CSVs cut to the département's rows.
fn build_zip(out: &std::path::Path, dep: &str) -> std::io::Result<Vec<u8>> {
    use std::io::Write as _;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, dep_column) in [
        ("report.html", None),
        ("sites.geojson", None),
        ("communes.geojson", None),
        ("summary.json", None),
        ("plan.csv", Some(4)),
        ("units.csv", Some(2)),
        ("departements.csv", Some(0)),
    ] {
        let bytes = std::fs::read(out.join(name))?;
        let bytes = match dep_column {
            None => bytes,
            Some(column) => rows_of(&bytes, column, dep)?,
        };
        zip.start_file(format!("{dep}/{name}"), options).map_err(std::io::Error::other)?;
        zip.write_all(&bytes)?;
    }
    Ok(zip.finish().map_err(std::io::Error::other)?.into_inner())
}

/// A CSV's header and the rows whose `column` is `dep`.
fn rows_of(csv_bytes: &[u8], column: usize, dep: &str) -> std::io::Result<Vec<u8>> {
    let mut reader = csv::Reader::from_reader(csv_bytes);
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(reader.headers().map_err(std::io::Error::other)?)?;
    for record in reader.records() {
        let record = record.map_err(std::io::Error::other)?;
        if record.get(column) == Some(dep) {
            writer.write_record(&record)?;
        }
    }
    writer.into_inner().map_err(|e| std::io::Error::other(e.to_string()))
}

/// `GET /api/compare?a=ID&b=ID`: what `maillage compare` gives for the two runs:
/// `compare.json`, and the `compare_departements.csv` rows.
async fn compare(Extract(state): Extract<Shared>, Query(q): Query<HashMap<String, String>>) -> Response {
    let (Some(a), Some(b)) = (q.get("a"), q.get("b")) else {
        return error(StatusCode::BAD_REQUEST, "expected ?a=ID&b=ID");
    };
    for id in [a, b] {
        match run_of(&state, id) {
            Ok(info) if info.state == RunState::Done => {}
            Ok(_) => return error(StatusCode::CONFLICT, format!("run {id} is not done")),
            Err(r) => return r,
        }
    }
    let out = state.runs.root().join("compare").join(format!("{a}--{b}"));
    let _one_at_a_time = CHILDREN.lock().await;
    if !out.join("compare.json").exists() {
        let (da, db) = (state.runs.dir_of(a).join("out"), state.runs.dir_of(b).join("out"));
        let args: Vec<&std::ffi::OsStr> =
            vec!["compare".as_ref(), da.as_os_str(), db.as_os_str(), "--out".as_ref(), out.as_os_str()];
        if let Err(e) = maillage(&state, &args).await {
            return error(StatusCode::BAD_REQUEST, e);
        }
    }
    let json_of =
        |name: &str| std::fs::read_to_string(out.join(name)).ok().and_then(|t| serde_json::from_str::<Value>(&t).ok());
    let rows = std::fs::read(out.join("compare_departements.csv")).ok().map(|bytes| {
        let mut reader = csv::Reader::from_reader(bytes.as_slice());
        let headers = reader.headers().cloned().unwrap_or_default();
        reader
            .records()
            .filter_map(Result::ok)
            .map(|r| {
                headers
                    .iter()
                    .zip(r.iter())
                    .map(|(h, v)| (h.to_owned(), Value::from(v)))
                    .collect::<serde_json::Map<_, _>>()
            })
            .collect::<Vec<_>>()
    });
    Json(json!({"a": a, "b": b, "compare": json_of("compare.json"), "departements": rows})).into_response()
}
