//! Training: settings, prepared tensors, the loop, events, background jobs and runs (methods x seeds).

pub mod config;
pub mod error;
pub mod events;
pub mod fit;
pub mod importance;
pub mod job;
pub mod manual;
pub mod objective;
mod optimizers;
pub mod predict;
pub mod prepared;
pub mod revealed;
pub mod robust;
pub mod runs;
pub mod saved;
pub mod select;
pub mod settings;
pub mod single_run;
pub mod spec;
mod tuned_text;

pub use config::{ClassWeights, LrSchedule, OptimizerKind, SettingError, TrainConfig};
pub use error::TrainError;
pub use events::{EpochStats, StopReason, TrainEvent};
pub use fit::Net;
pub use runs::{ExperimentResult, OnRun, run_experiment, run_experiment_with};
pub use saved::TrainedModel;
pub use select::{Chosen, Selection};
pub use single_run::{RunResult, evaluate};
pub use spec::{DataSource, ExperimentSpec};
