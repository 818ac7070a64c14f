//! Errors of preparing and running training.

/// A training failure with a message a user can act on.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    /// Data loading or preparation failed.
    #[error(transparent)]
    Data(#[from] crate::data::DataError),
    /// A slice expression or file is wrong.
    #[error(transparent)]
    Slices(#[from] crate::slices::SliceError),
    /// The text encoder could not be loaded or run.
    #[error(transparent)]
    Text(#[from] crate::text::TextError),
    /// candle reported an error.
    #[error("tensor error: {0}")]
    Tensor(#[from] candle_core::Error),
    /// A setting is invalid.
    #[error("invalid setting: {0}")]
    Config(String),
    /// A saved model could not be read or written.
    #[error("{path}: {message}")]
    Model {
        /// The model directory or file.
        path: std::path::PathBuf,
        /// What went wrong.
        message: String,
    },
    /// A background job failed; the message is the job's error.
    #[error("training job failed: {0}")]
    Job(String),
}
