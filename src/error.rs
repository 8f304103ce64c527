//! Error types, one per stage: loading inputs and writing outputs.

use std::path::PathBuf;

/// An input file could not be read or holds a value maillage cannot use.
///
/// Every variant names the file; row-level variants also name the line (1 = header),
/// the field, the value found and what was expected, so the user can fix the file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The file could not be opened or read. Check the path and permissions.
    #[error("{path}: cannot read")]
    Io {
        /// File concerned.
        path: PathBuf,
        /// Underlying error.
        source: std::io::Error,
    },
    /// The file is empty. Check that it was fully written.
    #[error("{path}: the file is empty; expected a header row with the columns {expected}")]
    Empty {
        /// File concerned.
        path: PathBuf,
        /// Columns expected in the header.
        expected: String,
    },
    /// A required column is absent from the header. Check the header row and the delimiter (a comma).
    #[error("{path}:1: missing column `{column}`; the header has: {found}")]
    MissingColumn {
        /// File concerned.
        path: PathBuf,
        /// Column that is required.
        column: String,
        /// Header as read.
        found: String,
    },
    /// A column appears twice in the header.
    #[error("{path}:1: column `{column}` appears more than once in the header")]
    DuplicateColumn {
        /// File concerned.
        path: PathBuf,
        /// Repeated column.
        column: String,
    },
    /// A row is not valid CSV (wrong field count, bad quoting, invalid UTF-8, line too long).
    #[error("{path}:{line}: malformed row: {message}")]
    Malformed {
        /// File concerned.
        path: PathBuf,
        /// Line number (1 = header).
        line: u64,
        /// What the CSV reader reported.
        message: String,
    },
    /// A field holds a value that is not what was expected.
    #[error("{path}:{line}: field `{field}` = {value:?}: expected {expected}")]
    Field {
        /// File concerned.
        path: PathBuf,
        /// Line number (1 = header).
        line: u64,
        /// Column name.
        field: String,
        /// Value found.
        value: String,
        /// What the value should look like.
        expected: String,
    },
    /// A key that must be unique appears again.
    #[error(
        "{path}:{line}: field `{field}` = {value:?} is a duplicate (first seen on line {first_line}); expected each value once"
    )]
    Duplicate {
        /// File concerned.
        path: PathBuf,
        /// Line of the repetition.
        line: u64,
        /// Column name.
        field: String,
        /// Repeated value.
        value: String,
        /// Line where it first appeared.
        first_line: u64,
    },
    /// A scenario (TOML) key is unknown, of the wrong type or out of range.
    #[error("{path}:{line}: {}{message}", if key.is_empty() { String::new() } else { format!("key `{key}`: ") })]
    Key {
        /// File concerned.
        path: PathBuf,
        /// Line of the key (0 if unknown).
        line: u64,
        /// Dotted key (`travel.bound_min`), empty if the error is not about one key.
        key: String,
        /// What is wrong and what was expected.
        message: String,
    },
    /// A scenario file holds a value the plan specification refuses (see [`crate::spec`]).
    #[error("{path}:{line}: {error}")]
    Spec {
        /// File concerned.
        path: PathBuf,
        /// Line of the key (0 if unknown).
        line: u64,
        /// The option, the value and what was expected.
        error: crate::spec::SpecError,
    },
    /// A JSON file is not what was expected.
    #[error("{path}:{line}: {message}")]
    Json {
        /// File concerned.
        path: PathBuf,
        /// Line of the problem.
        line: u64,
        /// What is wrong and what was expected.
        message: String,
    },
    /// A `GeoJSON` file could not be parsed or a feature is not what was expected.
    #[error("{path}: feature {feature}: {message}")]
    Feature {
        /// File concerned.
        path: PathBuf,
        /// Feature index (0-based) or identifier.
        feature: String,
        /// What is wrong.
        message: String,
    },
}

/// An output could not be written. The previous file, if any, is left intact.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WriteError {
    /// Creating, writing or renaming the file failed. Check the directory exists and is writable.
    #[error("{path}: cannot write")]
    Io {
        /// Destination file.
        path: PathBuf,
        /// Underlying error.
        source: std::io::Error,
    },
    /// The output path exists and is not something a run may replace (a symlink, a device,
    /// a folder holding other files…). Choose another path.
    #[error("{path}: refused as an output: {message}")]
    Refused {
        /// Output path.
        path: PathBuf,
        /// What it is and what was expected.
        message: String,
    },
}
