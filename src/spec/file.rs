//! Scenario files: TOML read straight into a [`PlanSpec`] (unknown keys refused), its paths
//! made relative to the file, and errors placed on the line of their key.

use std::path::{Path, PathBuf};

use super::{AllocationSource, PlanSpec, SpecError};
use crate::LoadError;

/// Reads a scenario file into a spec: types and keys checked, paths resolved from the file's
/// folder, `name` defaulting to the file name. The values are not validated here, so that
/// command-line flags may override them first: call [`PlanSpec::validate`] on the result
/// and place its errors with [`locate`].
///
/// # Errors
/// [`LoadError::Key`] naming the file, line and key for a syntax error, an unknown key or a
/// value of the wrong type.
pub fn load_spec(path: &Path) -> Result<PlanSpec, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|source| LoadError::Io { path: path.to_owned(), source })?;
    let mut spec = spec_from_toml(&text).map_err(|(key, message, line)| LoadError::Key {
        path: path.to_owned(),
        line,
        key,
        message,
    })?;
    let folder = path.parent().unwrap_or(Path::new(""));
    let resolve = |p: &mut PathBuf| {
        if p.is_relative() {
            *p = folder.join(&*p);
        }
    };
    spec.travel.od.as_mut().map(resolve);
    spec.need.file.as_mut().map(resolve);
    spec.outputs.out.as_mut().map(resolve);
    spec.continuity.previous.as_mut().map(resolve);
    for source in [&mut spec.limits.floors_from, &mut spec.limits.fixed_from].into_iter().flatten() {
        if let AllocationSource::File(p) = source {
            resolve(p);
        }
    }
    if spec.name.is_none() {
        spec.name = path.file_stem().map(|s| s.to_string_lossy().into_owned());
    }
    Ok(spec)
}

/// Parses a spec from TOML text (paths left as written).
///
/// # Errors
/// `(key, message, line)` of the first syntax or type error.
pub fn spec_from_toml(text: &str) -> Result<PlanSpec, (String, String, u64)> {
    let line_of = |offset: usize| text[..offset.min(text.len())].bytes().filter(|&b| b == b'\n').count() as u64 + 1;
    let error = |e: &toml::de::Error, key: String| {
        let line = e.span().map_or(0, |s| line_of(s.start));
        (if key == "." { String::new() } else { key }, e.message().replace('\n', " "), line)
    };
    let de = toml::Deserializer::parse(text).map_err(|e| error(&e, String::new()))?;
    serde_path_to_error::deserialize(de).map_err(|e| {
        let key = e.path().to_string();
        error(e.inner(), key)
    })
}

/// The spec as TOML (what `spec_from_toml` reads back to the same spec).
#[must_use]
pub fn spec_to_toml(spec: &PlanSpec) -> String {
    toml::to_string(spec).unwrap_or_default()
}

/// Places a spec error in the file it came from: the line of its key, if the file sets it.
#[must_use]
pub fn locate(path: &Path, text: &str, error: SpecError) -> Option<LoadError> {
    let line = key_line(text, &error.key)?;
    Some(LoadError::Spec { path: path.to_owned(), line, error })
}

/// The line (1-based) where a dotted key is set: the key's last segment inside its table
/// (`[travel]` then `bound_min = …`), or a dotted or inline form of it.
fn key_line(text: &str, key: &str) -> Option<u64> {
    let mut parts: Vec<&str> = key.split('.').collect();
    // `limits.floors.59` is set as `"59" = …` under `[limits.floors]` or inside an inline table.
    let table_key = match parts.as_slice() {
        ["limits", "floors" | "caps", ..] => {
            parts.truncate(2);
            true
        }
        _ => false,
    };
    let (leaf, table) = match parts.split_last() {
        Some((leaf, table)) => (*leaf, table.join(".")),
        None => return None,
    };
    let mut current = String::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if let Some(t) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            t.trim().clone_into(&mut current);
            if table_key && current == key_prefix(key, 2) {
                return Some(i as u64 + 1);
            }
            continue;
        }
        let Some((lhs, _)) = line.split_once('=') else { continue };
        let lhs = lhs.trim().trim_matches('"');
        let full = if current.is_empty() { lhs.to_owned() } else { format!("{current}.{lhs}") };
        if full == format!("{table}.{leaf}").trim_start_matches('.') || (current.is_empty() && lhs == key) {
            return Some(i as u64 + 1);
        }
    }
    None
}

fn key_prefix(key: &str, n: usize) -> String {
    key.split('.').take(n).collect::<Vec<_>>().join(".")
}
