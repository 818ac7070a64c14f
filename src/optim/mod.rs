//! Optimisation shared by model training and encoder tuning: seeded initial weights, and
//! Adam/AdamW with gradient clipping (a host pass per variable on the CPU, candle-nn's elsewhere).
//!
//! It sits below both [`crate::text`] (the encoder tuner) and [`crate::train`], so neither has to
//! reach into the other for an optimiser.

pub mod host_adam;
pub mod init;
pub mod optimizer;

pub use init::init_seeded;
pub use optimizer::{OptimConfig, Optimizer, OptimizerKind, global_norm};
