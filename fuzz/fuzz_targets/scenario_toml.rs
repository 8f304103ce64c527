#![no_main]
//! `plan --scenario FILE` / `scenario check` / `batch`: scenario files (TOML).
include!("common.rs");

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let path = put("scenario_input.toml", data);
    if let Ok(s) = maillage::scenario::load_scenario(&path) {
        let _ = s.plan_args(&path);
    }
});
