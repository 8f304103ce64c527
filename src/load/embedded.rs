//! The national data compiled into the binary (gzipped by `build.rs`), read through the same
//! loaders as a data folder: a path under [`EMBEDDED_DIR`] is served from memory, byte for
//! byte the file of `data/` it was built from.

use std::io::Read;
use std::path::{Path, PathBuf};

/// The folder name the embedded data goes by in paths and messages.
pub const EMBEDDED_DIR: &str = "embedded:data";

/// Each file of [`super::DATA_FILES`]: its name, its bytes, and whether `build.rs` gzipped
/// it (else stored as the gzip file it is).
const FILES: [(&str, &[u8], bool); super::DATA_FILES.len()] = include!(concat!(env!("OUT_DIR"), "/embedded_files.rs"));

/// The embedded file a path names, if it is one.
fn find(path: &Path) -> Option<(&'static [u8], bool)> {
    let name = path.strip_prefix(EMBEDDED_DIR).ok()?.to_str()?;
    FILES.iter().find(|(n, _, _)| *n == name).map(|&(_, bytes, gzipped)| (bytes, gzipped))
}

/// The embedded data folder.
#[must_use]
pub fn embedded_dir() -> PathBuf {
    PathBuf::from(EMBEDDED_DIR)
}

/// Opens an input: an embedded file (its bytes as in `data/`) or a file on disk.
///
/// # Errors
/// The file does not exist or cannot be read.
pub fn open_input(path: &Path) -> std::io::Result<Box<dyn Read>> {
    if path.starts_with(EMBEDDED_DIR) {
        let (bytes, gzipped) = find(path).ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))?;
        return Ok(if gzipped { Box::new(flate2::read::GzDecoder::new(bytes)) } else { Box::new(bytes) });
    }
    Ok(Box::new(std::fs::File::open(super::dialect::split_sheet(path).0)?))
}

/// Whether an input exists (embedded, or a regular file on disk).
#[must_use]
pub fn input_exists(path: &Path) -> bool {
    if path.starts_with(EMBEDDED_DIR) { find(path).is_some() } else { super::dialect::split_sheet(path).0.is_file() }
}

/// The bytes of an input, as the file holds them (to hash it).
///
/// # Errors
/// The file does not exist or cannot be read.
pub fn read_input(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    open_input(path)?.read_to_end(&mut bytes)?;
    Ok(bytes)
}
