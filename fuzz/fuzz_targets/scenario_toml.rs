#![no_main]
//! `plan --scenario FILE` / `scenario check` / `batch`: scenario files (TOML) into a spec, its
//! check, and back to TOML and a command line.
include!("common.rs");

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let path = put("scenario_input.toml", data);
    if let Ok(spec) = maillage::spec::load_spec(&path) {
        let _ = spec.validate();
        let _ = maillage::spec::to_args(&spec);
        let _ = maillage::spec::spec_from_toml(&maillage::spec::spec_to_toml(&spec));
    }
});
