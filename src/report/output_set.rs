//! Outputs written as a set: every file goes into a staging folder beside the destination,
//! which is then swapped in whole (`renameat2(RENAME_EXCHANGE)`), so a reader sees the old
//! set or the new one, never a mix. Two runs on the same folder end with the set of the one
//! that finished last. Staging paths are registered so that an interrupt can remove them.

use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::WriteError;

/// Staging paths (folders or files) not yet swapped in or removed.
static STAGING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Registers a staging path, to be removed by [`remove_staging`] if the run is interrupted.
pub(crate) fn register(path: &Path) {
    if let Ok(mut s) = STAGING.lock() {
        s.push(path.to_owned());
    }
}

/// Forgets a staging path (it was swapped in, renamed or removed).
pub(crate) fn unregister(path: &Path) {
    if let Ok(mut s) = STAGING.lock() {
        s.retain(|p| p != path);
    }
}

/// Removes every staging path still registered and returns how many there were: the
/// interrupt handler's job. It waits for a swap under way to finish, so the destination
/// holds a whole set either way.
pub fn remove_staging() -> usize {
    let Ok(mut s) = STAGING.lock() else { return 0 };
    let n = s.len();
    for p in s.drain(..) {
        if p.is_dir() {
            let _ = fs::remove_dir_all(&p);
        } else {
            let _ = fs::remove_file(&p);
        }
    }
    n
}

/// What an output path must be when it already exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputKind {
    /// A regular file (`need --out`, `reach --out`).
    File,
    /// A folder holding nothing but files of this set (`plan --out`: [`PLAN_SET`]), which a
    /// new set replaces whole.
    Folder(&'static [&'static str]),
}

/// The files of a plan's or an evaluation's folder.
pub const PLAN_SET: &[&str] = &[
    "plan.csv",
    "units.csv",
    "departements.csv",
    "summary.json",
    "sites.geojson",
    "communes.geojson",
    "report.html",
    "changes.csv",
    "plan.xlsx",
    "report.pdf",
];

/// The files of a comparison's folder.
pub const COMPARE_SET: &[&str] = &["compare.json", "compare_departements.csv", "compare_sites.csv", "compare.xlsx"];

/// Refuses an output path that exists and is not what the run would replace: a symlink, a
/// device, a FIFO or a socket, or a file where a folder goes and the other way round.
///
/// # Errors
/// [`WriteError::Refused`] naming the path and what it is.
pub fn check_output_path(path: &Path, kind: OutputKind) -> Result<(), WriteError> {
    let Ok(meta) = fs::symlink_metadata(path) else { return Ok(()) };
    let t = meta.file_type();
    let what = if t.is_symlink() {
        "a symbolic link"
    } else if t.is_dir() {
        if let OutputKind::Folder(names) = kind {
            return check_foreign(path, names);
        }
        "a folder"
    } else if t.is_file() {
        if kind == OutputKind::File {
            return Ok(());
        }
        "a regular file"
    } else {
        "a device, FIFO or socket"
    };
    let expected = match kind {
        OutputKind::File => "a new or regular file",
        OutputKind::Folder(_) => "a new folder or one maillage wrote",
    };
    Err(WriteError::Refused { path: path.to_owned(), message: format!("it is {what}; expected {expected}") })
}

/// Refuses a folder holding files other than `names` (swapping the set in would lose them).
fn check_foreign(dest: &Path, names: &[&str]) -> Result<(), WriteError> {
    let Ok(entries) = fs::read_dir(dest) else { return Ok(()) };
    let mut foreign: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !names.contains(&n.as_str()))
        .collect();
    if foreign.is_empty() {
        return Ok(());
    }
    foreign.sort();
    Err(WriteError::Refused {
        path: dest.to_owned(),
        message: format!(
            "it holds files this run does not write ({}): choose a new folder or empty it",
            foreign.join(", ")
        ),
    })
}

/// A set of output files being written into a staging folder beside `dest`.
#[derive(Debug)]
pub struct OutputSet {
    dest: PathBuf,
    staging: PathBuf,
    names: Vec<String>,
    set: &'static [&'static str],
}

impl OutputSet {
    /// Starts a set for the folder `dest`; its parent is created if needed.
    ///
    /// # Errors
    /// `dest` is not a folder ([`check_output_path`]) or the staging folder cannot be made.
    pub fn new(dest: &Path, set: &'static [&'static str]) -> Result<Self, WriteError> {
        check_output_path(dest, OutputKind::Folder(set))?;
        let parent = match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        };
        let io = |source| WriteError::Io { path: dest.to_owned(), source };
        fs::create_dir_all(&parent).map_err(io)?;
        let name = dest.file_name().map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
        let staging = tempfile::Builder::new().prefix(&format!(".{name}.")).suffix(".staging").tempdir_in(&parent);
        let staging = staging.map_err(io)?.keep();
        register(&staging);
        Ok(Self { dest: dest.to_owned(), staging, names: Vec::new(), set })
    }

    /// Where `name` will be once the set is swapped in.
    #[must_use]
    pub fn final_path(&self, name: &str) -> PathBuf {
        self.dest.join(name)
    }

    /// Writes `name` into the staging folder.
    ///
    /// # Errors
    /// The I/O error, naming the file's final path.
    pub fn write(
        &mut self,
        name: &str,
        fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    ) -> Result<(), WriteError> {
        let io = |source| WriteError::Io { path: self.dest.join(name), source };
        debug_assert!(self.set.contains(&name), "{name} is not in its output set");
        let path = self.staging.join(name);
        let mut w = BufWriter::new(fs::File::create(&path).map_err(io)?);
        fill(&mut w).map_err(io)?;
        if std::env::var_os(super::FAIL_WRITE_ENV).is_some_and(|v| v == name) {
            let injected = format!("write failure injected by {}", super::FAIL_WRITE_ENV);
            return Err(io(std::io::Error::other(injected)));
        }
        w.into_inner().map_err(|e| io(e.into_error()))?.sync_all().map_err(io)?;
        self.names.push(name.to_owned());
        Ok(())
    }

    /// Makes `name` in the staging folder from `from`, a file of the set already written
    /// there: `make(from, name, scratch)` gets their staged paths and a scratch folder inside
    /// the staging folder (so that an interrupt removes it with the rest).
    ///
    /// # Errors
    /// The I/O error, naming the file's final path.
    pub fn derive(
        &mut self,
        name: &str,
        from: &str,
        make: impl FnOnce(&Path, &Path, &Path) -> std::io::Result<()>,
    ) -> Result<(), WriteError> {
        debug_assert!(self.set.contains(&name) && self.names.iter().any(|n| n == from));
        let path = self.staging.join(name);
        let scratch = self.staging.join(format!(".{name}.scratch"));
        let result = make(&self.staging.join(from), &path, &scratch);
        let _ = fs::remove_dir_all(&scratch);
        result.map_err(|source| WriteError::Io { path: self.dest.join(name), source })?;
        self.names.push(name.to_owned());
        Ok(())
    }

    /// Swaps the staging folder in for `dest` and removes the previous set; returns the final
    /// paths written. A `dest` holding files the set does not write is refused (its files
    /// would be lost), and kept as it was.
    ///
    /// # Errors
    /// [`WriteError`] naming `dest`.
    pub fn commit(self) -> Result<Vec<PathBuf>, WriteError> {
        hold_for_tests(&self.staging);
        // An interrupt waits for the swap: the destination then holds one whole set.
        let mut guard = STAGING.lock();
        let result = self.swap();
        if let Ok(g) = guard.as_mut() {
            g.retain(|p| p != &self.staging);
        }
        drop(guard);
        result
    }

    fn swap(&self) -> Result<Vec<PathBuf>, WriteError> {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        let io = |source: std::io::Error| WriteError::Io { path: self.dest.clone(), source };
        // Checked again: the folder may have changed during the run.
        if let Err(e) = check_foreign(&self.dest, self.set) {
            let _ = fs::remove_dir_all(&self.staging);
            return Err(e);
        }
        fs::File::open(&self.staging).and_then(|d| d.sync_all()).map_err(io)?;
        // Exchange when a set is there, else a rename that refuses to replace: a run that
        // finished in between is then exchanged with, never mixed into.
        let mut swapped = false;
        for _ in 0..2 {
            let flags = if self.dest.exists() { RenameFlags::EXCHANGE } else { RenameFlags::NOREPLACE };
            match renameat_with(CWD, &self.staging, CWD, &self.dest, flags) {
                Ok(()) => {
                    swapped = true;
                    break;
                }
                Err(e) if e == rustix::io::Errno::EXIST || e == rustix::io::Errno::NOENT => {}
                Err(e) if e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS => {
                    // A file system without exchange: set the old set aside, then rename.
                    let old = self.staging.with_extension("old");
                    if self.dest.exists() {
                        fs::rename(&self.dest, &old).map_err(io)?;
                    }
                    fs::rename(&self.staging, &self.dest).map_err(io)?;
                    let _ = fs::remove_dir_all(&old);
                    swapped = true;
                    break;
                }
                Err(e) => return Err(io(e.into())),
            }
        }
        if !swapped {
            return Err(io(std::io::Error::other("another run kept replacing the folder")));
        }
        // After an exchange the staging path holds the previous set.
        let _ = fs::remove_dir_all(&self.staging);
        if let Some(parent) = self.dest.parent().filter(|p| !p.as_os_str().is_empty()) {
            let _ = fs::File::open(parent).and_then(|d| d.sync_all());
        }
        Ok(self.names.iter().map(|n| self.dest.join(n)).collect())
    }
}

impl Drop for OutputSet {
    /// A set dropped before its commit (an error while writing) leaves nothing behind.
    fn drop(&mut self) {
        if self.staging.exists() {
            let _ = fs::remove_dir_all(&self.staging);
        }
        unregister(&self.staging);
    }
}

/// Environment variable naming a file that a run creates once its set is staged, then waits
/// (up to a minute) for the file to be removed before swapping: the tests of interrupts and
/// concurrent runs use it. Never set it in production.
pub const HOLD_ENV: &str = "MAILLAGE_HOLD_STAGED";

fn hold_for_tests(staging: &Path) {
    let Some(flag) = std::env::var_os(HOLD_ENV) else { return };
    let flag = PathBuf::from(flag);
    if fs::write(&flag, staging.display().to_string()).is_err() {
        return;
    }
    for _ in 0..600 {
        if !flag.exists() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}
