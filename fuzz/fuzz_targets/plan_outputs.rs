#![no_main]
//! `compare A B`: a plan's outputs read back. The input is split on NUL bytes into
//! summary.json, departements.csv and plan.csv.
include!("common.rs");

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let dir = scratch().join("plan_outputs");
    std::fs::create_dir_all(&dir).unwrap();
    let mut parts = data.splitn(3, |&b| b == 0);
    for name in ["summary.json", "departements.csv", "plan.csv"] {
        std::fs::write(dir.join(name), parts.next().unwrap_or(b"")).unwrap();
    }
    let _ = maillage::load::load_plan_outputs(&dir);
});
