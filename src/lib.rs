//! slicelab: error analysis and Slice-based Learning (Chen et al., NeurIPS 2019) in candle.
//!
//! The library holds everything that computes: datasets ([`data`]), slicing functions
//! ([`slices`]), per-slice metrics ([`metrics`]), candle models ([`model`]) and training
//! ([`train`]). The CLI and the GUI are thin faces over it.

#![warn(missing_docs)]

pub mod data;
pub mod experiments;
pub mod fsutil;
pub mod gui;
pub mod metrics;
pub mod model;
pub mod report;
pub mod runtime;
pub mod slices;
pub mod text;
pub mod train;
