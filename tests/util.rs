//! Shared fixtures: the national dataset (loaded once), the committed sample, CLI helpers.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use maillage::spatial::{CrowFlies, Reach, SiteIndex, build_reach};
use maillage::{DataFiles, Dataset};

/// Seeds for random tests, named so a failure can be replayed.
pub const SEED_1: u64 = 0x6d61_696c_6c61_6765;

/// The embedded national data, loaded once per test binary.
pub fn national() -> &'static Dataset {
    static DATA: OnceLock<Dataset> = OnceLock::new();
    DATA.get_or_init(|| Dataset::load(&DataFiles::embedded()).expect("embedded data loads"))
}

/// National reach at the default 30-minute bound with the default crow-flies model.
pub fn national_reach() -> &'static Reach {
    static REACH: OnceLock<Reach> = OnceLock::new();
    REACH.get_or_init(|| {
        let data = national();
        let index = SiteIndex::build(data.candidates.iter().map(|c| c.point));
        build_reach(&data.units, &data.candidates, &index, &CrowFlies::default(), 30.0)
    })
}

/// The committed sample (Lyon and neighbours, six communes of Martinique).
pub fn sample_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample")
}

/// The sample dataset.
pub fn sample() -> Dataset {
    Dataset::load(&DataFiles { dir: sample_dir() }).expect("sample loads")
}

/// A writable copy of the sample directory, to corrupt one file at a time.
pub fn sample_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(sample_dir()).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
        }
    }
    dir
}

/// The `maillage` binary.
pub fn cli_command() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("maillage").unwrap()
}

/// `need --need path` on the sample into `dir/out/need.csv`: it must fail; its stderr, and
/// the output folder (which must not exist afterwards).
pub fn need_fails(dir: &Path, path: &Path) -> (String, PathBuf) {
    let out = dir.join("out");
    let output = cli_command()
        .arg("--data")
        .arg(sample_dir())
        .args(["need", "--need"])
        .arg(path)
        .arg("--out")
        .arg(out.join("need.csv"))
        .output()
        .unwrap();
    assert!(!output.status.success());
    (String::from_utf8_lossy(&output.stderr).into_owned(), out)
}

/// A tiny deterministic generator (`SplitMix64`) for seeded random inputs.
pub struct Rng(pub u64);

impl Rng {
    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [lo, hi).
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform index below `n`.
    pub fn index(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}
