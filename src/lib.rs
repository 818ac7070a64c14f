//! slicelab: error analysis and Slice-based Learning (Chen et al., NeurIPS 2019) in candle.
//!
//! The library holds everything that computes: datasets ([`data`]), slicing functions
//! ([`slices`]), per-slice metrics ([`metrics`]), candle models ([`model`]) and training
//! ([`train`]). The CLI and the GUI are thin faces over it.
//!
//! Dependencies run one way (`tests/layers.rs` checks it): [`data`] → [`slices`] / [`text`] →
//! [`model`] → [`metrics`] → [`summary`] → [`train`] → [`analysis`] / [`experiments`] → the
//! faces (`cli`, [`gui`]). Beneath them, [`kernels`] and [`optim`] serve `model`, `text` and
//! `train`; [`safe_write`] and [`alloc_tuning`] use nothing else.

// No unwrap()/expect() on anything that can come from a user; tests may use them.
#![warn(clippy::unwrap_used, clippy::expect_used)]
#![warn(missing_docs)]

pub mod alloc_tuning;
pub mod analysis;
pub mod data;
#[cfg(feature = "engine")]
pub mod engine;
pub mod experiments;
pub mod gui;
pub mod kernels;
pub mod metrics;
pub mod model;
pub mod optim;
pub mod safe_write;
pub mod slices;
pub mod sql;
pub mod summary;
pub mod text;
pub mod train;
