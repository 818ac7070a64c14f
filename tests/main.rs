//! The integration tests, as one test binary: each file beside this one is a module of it.
//!
//! One binary links the library (GUI, candle and DataFusion included) once instead of once per
//! file, and runs every test in one thread pool, so a slow file no longer waits alone at the end.
//! `gui_text.rs` stays a binary of its own: it sets environment variables for the app, which is
//! safe only while no other test thread runs in the process.
//!
//! Run one file's tests with a filter: `cargo test --test suite cli::`.

mod common;

mod bad_input;
mod baselines;
mod cli;
mod cli_eval;
mod cli_text;
mod column_types;
mod compare_groups;
mod composite_path;
mod engine;
mod fused_ops;
mod fuzz_inputs;
mod gpu_check;
mod gui_app;
mod gui_brush;
mod gui_datasets;
mod gui_engine;
mod gui_files;
mod gui_filter_diff;
mod gui_inspect;
mod gui_layers;
mod gui_layout;
mod gui_leaks;
mod gui_metrics;
mod gui_session;
mod gui_snapshots;
mod gui_wide;
mod joint_tuning;
mod layers;
mod load_data;
mod metrics;
mod model_files;
mod models;
mod own_tables;
mod revealed_leak;
mod robust;
mod safe_writes;
mod selection;
mod shaders;
mod slice_expressions;
mod slice_warnings;
mod sql;
mod suggest;
mod text_encoder;
mod text_tune;
mod training;
