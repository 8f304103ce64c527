//! Stage timings on stderr when `MAILLAGE_LOG` is set, for profiling long solves.

/// Prints `stage` and the seconds since `since` if `MAILLAGE_LOG` is set.
pub(crate) fn stage(stage: &str, since: std::time::Instant) {
    if std::env::var_os("MAILLAGE_LOG").is_some() {
        eprintln!("[{:>8.2} s] {stage}", since.elapsed().as_secs_f64());
    }
}
