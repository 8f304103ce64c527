//! Atomic output: write to a temporary file in the destination folder, then rename.

use std::fs;
use std::io::{BufWriter, Write};
use std::path::Path;

use crate::WriteError;

/// Writes `path` by calling `fill` on a buffered temporary file beside it, then renames it
/// into place. If `fill` or any write fails, the temporary file is removed and an existing
/// `path` is left untouched.
///
/// # Errors
/// The I/O error, naming `path`.
pub fn write_atomic(path: &Path, fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<(), WriteError> {
    super::check_output_path(path, super::OutputKind::File)?;
    stage(path, fill)?.commit()
}

/// A file fully written and synced beside its destination, not yet in place. Dropping it
/// removes the temporary file.
#[derive(Debug)]
pub struct Staged {
    tmp: tempfile::NamedTempFile,
    path: std::path::PathBuf,
    dir: std::path::PathBuf,
}

/// Environment variable naming an output file whose writing fails on purpose, half-way:
/// fault injection for the tests of "no partial output". Never set it in production.
pub const FAIL_WRITE_ENV: &str = "MAILLAGE_FAIL_WRITE";

/// Writes the content of `path` to a temporary file beside it (first half of [`write_atomic`]).
///
/// # Errors
/// The I/O error, naming `path`.
pub fn stage(path: &Path, fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<Staged, WriteError> {
    let io = |source| WriteError::Io { path: path.to_owned(), source };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => std::path::PathBuf::from("."),
    };
    let name = path.file_name().map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    fs::create_dir_all(&dir).map_err(io)?;
    let tmp = tempfile::Builder::new().prefix(&format!(".{name}.")).suffix(".tmp").tempfile_in(&dir).map_err(io)?;
    let tmp_path = tmp.path().to_owned();
    super::output_set::register(&tmp_path);
    let staged = fill_staged(tmp, fill, &name).map_err(io);
    if staged.is_err() {
        super::output_set::unregister(&tmp_path);
    }
    Ok(Staged { tmp: staged?, path: path.to_owned(), dir })
}

/// Fills, syncs and opens up the temporary file.
fn fill_staged(
    tmp: tempfile::NamedTempFile,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    name: &str,
) -> std::io::Result<tempfile::NamedTempFile> {
    let mut w = BufWriter::new(tmp);
    fill(&mut w)?;
    if std::env::var_os(FAIL_WRITE_ENV).is_some_and(|v| v == name) {
        return Err(std::io::Error::other(format!("write failure injected by {FAIL_WRITE_ENV}")));
    }
    let tmp = w.into_inner().map_err(std::io::IntoInnerError::into_error)?;
    // Temporary files are created 0600; a result file should read like any other output.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file().set_permissions(fs::Permissions::from_mode(0o644))?;
    }
    tmp.as_file().sync_all()?;
    Ok(tmp)
}

impl Staged {
    /// Renames the file into place.
    ///
    /// # Errors
    /// The I/O error, naming the destination.
    pub fn commit(self) -> Result<(), WriteError> {
        let Staged { tmp, path, dir } = self;
        super::output_set::unregister(tmp.path());
        tmp.persist(&path).map_err(|e| WriteError::Io { path: path.clone(), source: e.error })?;
        // Make the rename itself durable where the platform allows it.
        if let Ok(d) = fs::File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

/// Writes several outputs all or nothing: every file is staged first, and only when all are
/// written are they renamed into place. A failure while writing leaves every previous file
/// as it was.
///
/// # Errors
/// The first I/O error, naming its file.
pub fn write_all_atomic(
    files: Vec<(&Path, Box<dyn FnOnce(&mut dyn Write) -> std::io::Result<()> + '_>)>,
) -> Result<(), WriteError> {
    let mut staged = Vec::with_capacity(files.len());
    for (path, fill) in files {
        staged.push(stage(path, fill)?);
    }
    staged.into_iter().try_for_each(Staged::commit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_write_leaves_previous_file_and_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        write_atomic(&path, |w| w.write_all(b"first\n")).unwrap();
        let err = write_atomic(&path, |w| {
            w.write_all(b"partial")?;
            Err(std::io::Error::other("disk full"))
        });
        assert!(err.is_err());
        assert_eq!(fs::read_to_string(&path).unwrap(), "first\n");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "temporary file left behind");
    }
}
