//! Integration tests, built as one binary.

mod cli;
mod national;
mod optimise;
mod spatial;
mod util;
