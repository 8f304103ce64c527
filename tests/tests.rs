//! Integration tests, built as one binary.

mod bad_input;
mod calibration;
mod cli;
mod covering;
mod dialects;
mod maps;
mod national;
mod od_answers;
mod optimise;
mod output_set;
mod report;
mod scenarios;
mod sensitivity;
mod serve;
mod spatial;
mod spec;
mod util;
