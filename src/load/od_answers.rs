//! Travel times from a routing engine's own answers: OSRM's `table` service and Valhalla's
//! matrix (`sources_to_targets`), listed in a `requests.csv` that says which communes each
//! answer's rows and columns are (an engine's answer names no commune: it keeps the order of
//! the request). `maillage od-requests` writes the requests and this list.
//!
//! ```text
//! request,response,sources,destinations
//! 0001,responses/0001.json,69029 69259,69029 69259 69266
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::od_matrix::{EntryReach, MAX_MINUTES};
use super::{Dataset, Table};
use crate::LoadError;
use crate::model::{CommuneCode, UnitIdx};
use crate::spatial::TravelMatrix;

/// The columns of a list of answers.
pub const ANSWERS_COLUMNS: [&str; 4] = ["request", "response", "sources", "destinations"];

/// Whether `path` is a list of answers (its header has `response`) rather than a CSV matrix.
pub(crate) fn is_answer_list(path: &Path) -> Result<bool, LoadError> {
    Ok(Table::open(path, &[])?.has("response"))
}

/// The answer files a `travel.od` file names, resolved beside it (to hash them with the
/// inputs): those of a list of answers, none for a CSV matrix.
///
/// # Errors
/// The file cannot be read, or a row of a list has no `response`.
pub fn answer_files(path: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let mut table = Table::open(path, &[])?;
    let mut files = Vec::new();
    if !table.has("response") {
        return Ok(files);
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    table.for_each_row(|row| {
        files.push(dir.join(row.text("response")?));
        Ok(())
    })?;
    Ok(files)
}

/// An engine's answer, as much of it as maillage reads.
#[derive(Debug, Deserialize)]
struct Answer {
    /// OSRM: `Ok`, or the error's code.
    code: Option<String>,
    /// OSRM's or Valhalla's error message.
    message: Option<String>,
    /// Valhalla's error text.
    error: Option<String>,
    /// OSRM: seconds, a row per source, `null` where there is no route.
    durations: Option<Vec<Vec<Option<f64>>>>,
    /// Valhalla: verbose (a list per source of `{from_index, to_index, time}`) or concise
    /// (`{durations: [[…]]}`).
    sources_to_targets: Option<Valhalla>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Valhalla {
    Verbose(Vec<Vec<VerboseCell>>),
    Concise { durations: Vec<Vec<Option<f64>>> },
}

#[derive(Debug, Deserialize)]
struct VerboseCell {
    from_index: usize,
    to_index: usize,
    time: Option<f64>,
}

/// Reads an answer into seconds, `rows × cols` (`None`: no route).
fn read_answer(path: &Path, rows: usize, cols: usize) -> Result<Vec<Vec<Option<f64>>>, LoadError> {
    let json_error = |line: u64, message: String| LoadError::Json { path: path.to_owned(), line, message };
    let file = super::open_input(path).map_err(|source| LoadError::Io { path: path.to_owned(), source })?;
    let answer: Answer = serde_json::from_reader(std::io::BufReader::new(file)).map_err(|e| {
        json_error(
            e.line() as u64,
            format!(
                "{e}; expected the JSON answer of OSRM's table service or of Valhalla's matrix (sources_to_targets)"
            ),
        )
    })?;
    if let Some(code) = answer.code.as_deref().filter(|c| *c != "Ok") {
        let message = answer.message.unwrap_or_default();
        return Err(json_error(
            1,
            format!("the engine answered `{code}`: {message}; expected `Ok` (request it again)"),
        ));
    }
    if let Some(e) = answer.error {
        return Err(json_error(1, format!("the engine answered an error: {e}; request it again")));
    }
    let grid = match (answer.durations, answer.sources_to_targets) {
        (Some(d), None) | (None, Some(Valhalla::Concise { durations: d })) => d,
        (None, Some(Valhalla::Verbose(lists))) => {
            let mut grid = vec![vec![None; cols]; rows];
            for cell in lists.into_iter().flatten() {
                if cell.from_index >= rows || cell.to_index >= cols {
                    return Err(json_error(
                        1,
                        format!(
                            "sources_to_targets has from_index {} / to_index {}; expected below {rows} / {cols}, the request's sources and destinations",
                            cell.from_index, cell.to_index
                        ),
                    ));
                }
                grid[cell.from_index][cell.to_index] = cell.time;
            }
            grid
        }
        (Some(_), Some(_)) => {
            return Err(json_error(
                1,
                "both `durations` and `sources_to_targets`; expected one engine's answer".into(),
            ));
        }
        (None, None) => {
            let m = answer.message.map(|m| format!(" ({m})")).unwrap_or_default();
            return Err(json_error(
                1,
                format!(
                    "no `durations` (OSRM table) nor `sources_to_targets` (Valhalla matrix){m}; expected one of them"
                ),
            ));
        }
    };
    if grid.len() != rows || grid.iter().any(|r| r.len() != cols) {
        let found = grid.iter().map(Vec::len).max().unwrap_or(0);
        return Err(json_error(
            1,
            format!(
                "{} rows of up to {found} durations; expected {rows} × {cols}, the request's sources × destinations",
                grid.len()
            ),
        ));
    }
    Ok(grid)
}

/// The first line of the list whose request holds the pair (read again: only on the error
/// path, so that the matrix need not keep a line number per pair).
fn first_listed(path: &Path, data: &Dataset, origin: UnitIdx, destination: UnitIdx) -> Result<u64, LoadError> {
    let mut table = Table::open(path, &ANSWERS_COLUMNS)?;
    let holds = |text: &str, unit: UnitIdx| {
        let u = &data.units[unit.get()];
        text.split_whitespace().any(|c| c == u.code.as_str() || u.city.as_ref().is_some_and(|city| c == city.as_str()))
    };
    let mut found = None;
    table.for_each_row(|row| {
        if found.is_none() && holds(row.str("sources"), origin) && holds(row.str("destinations"), destination) {
            found = Some(row.line());
        }
        Ok(())
    })?;
    Ok(found.unwrap_or(0))
}

/// Reads every answer a list names into one matrix of minutes (seconds / 60). A pair with no
/// route is left out (unreachable), as a pair absent from a CSV matrix.
///
/// # Errors
/// The list's own errors (a missing column, a code that is not a unit of `data`, an empty
/// list of codes) with its line; an answer that is not JSON, is an engine's error, or whose
/// size is not sources × destinations, with the answer's file; a time that is not a number of
/// seconds in `[0, MAX_MINUTES × 60]`; a pair given twice.
pub fn load_od_answers(path: &Path, data: &Dataset) -> Result<TravelMatrix, LoadError> {
    let mut table = Table::open(path, &ANSWERS_COLUMNS)?;
    let dir = path.parent().unwrap_or(Path::new(".")).to_owned();
    let reach = EntryReach::new(data);
    let mut matrix = TravelMatrix::default();
    table.for_each_row(|row| {
        let codes = |field: &str| -> Result<Vec<Vec<UnitIdx>>, LoadError> {
            let list: Vec<&str> = row.str(field).split_whitespace().collect();
            if list.is_empty() {
                return Err(
                    row.error(field, "INSEE codes separated by spaces, in the order of the answer's rows or columns")
                );
            }
            list.iter()
                .map(|text| {
                    let code = CommuneCode::parse(text).map_err(|_| {
                        row.error(field, format!("INSEE codes separated by spaces; {text:?} is not one"))
                    })?;
                    data.units_of(&code).ok_or_else(|| {
                        row.error(field, format!("codes of metro or DROM demand units; {text} is not one"))
                    })
                })
                .collect()
        };
        let (sources, destinations) = (codes("sources")?, codes("destinations")?);
        let response = dir.join(row.text("response")?);
        let grid = read_answer(&response, sources.len(), destinations.len())?;
        for (s, times) in sources.iter().zip(&grid) {
            for (d, seconds) in destinations.iter().zip(times) {
                let Some(seconds) = *seconds else { continue };
                if !(seconds.is_finite() && (0.0..=MAX_MINUTES * 60.0).contains(&seconds)) {
                    return Err(LoadError::Json {
                        path: response.clone(),
                        line: 1,
                        message: format!(
                            "a duration of {seconds} s; expected seconds between 0 and {} (one week)",
                            MAX_MINUTES * 60.0
                        ),
                    });
                }
                for &origin in s {
                    for &destination in d {
                        let entry = reach.of(origin, destination);
                        if matrix.insert(origin, destination, (seconds / 60.0) as f32, entry).is_some() {
                            let pair = format!(
                                "{},{}",
                                data.units[origin.get()].code.as_str(),
                                data.units[destination.get()].code.as_str()
                            );
                            return Err(LoadError::Duplicate {
                                path: path.to_owned(),
                                line: row.line(),
                                field: "sources,destinations".to_owned(),
                                value: pair,
                                first_line: first_listed(path, data, origin, destination)?,
                            });
                        }
                    }
                }
            }
        }
        Ok(())
    })?;
    Ok(matrix)
}
