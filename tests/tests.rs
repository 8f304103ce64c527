//! Integration tests, built as one binary.

mod cli;
mod national;
mod spatial;
mod util;
