//! Integration tests, built as one binary.

mod bad_input;
mod cli;
mod maps;
mod national;
mod optimise;
mod spatial;
mod util;
