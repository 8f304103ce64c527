// Shared by every target: the committed sample data, and a scratch folder in /dev/shm (or the
// temporary folder) where each input is written as the file the loader reads.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

pub fn sample_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/sample")
}

pub fn sample() -> &'static maillage::Dataset {
    static DATA: OnceLock<maillage::Dataset> = OnceLock::new();
    DATA.get_or_init(|| maillage::Dataset::load(&maillage::DataFiles { dir: sample_dir() }).expect("sample loads"))
}

/// A private scratch folder holding a copy of the sample data.
pub fn scratch() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let base = if Path::new("/dev/shm").is_dir() { PathBuf::from("/dev/shm") } else { std::env::temp_dir() };
        let dir = base.join(format!("maillage-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for entry in std::fs::read_dir(sample_dir()).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_file() {
                std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
            }
        }
        dir
    })
}

/// Writes `data` as `name` in a scratch folder, returns its path.
pub fn put(name: &str, data: &[u8]) -> PathBuf {
    let path = scratch().join(name);
    std::fs::write(&path, data).unwrap();
    path
}
