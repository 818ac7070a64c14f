//! Training: settings, prepared tensors, the loop, events, background jobs and runs (methods x seeds).

pub mod adam;
pub mod config;
pub mod error;
pub mod events;
pub mod fit;
pub mod job;
pub mod manual;
pub mod optim;
pub mod predict;
pub mod prepared;
pub mod runs;
pub mod saved;
pub mod settings;

pub use config::{ClassWeights, LrSchedule, OptimizerKind, TrainConfig};
pub use error::TrainError;
pub use events::{EpochStats, StopReason, TrainEvent};
pub use runs::{DataSource, ExperimentResult, ExperimentSpec, run_experiment};
pub use saved::TrainedModel;
