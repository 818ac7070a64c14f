//! Errors of choosing a device, checking a model's sizes and loading its weights. The messages
//! name the setting, field or tensor at fault.

/// A device name that cannot be opened.
#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    /// `cuda:N` with an `N` that is not a number.
    #[error("bad device ordinal in '{name}'")]
    BadOrdinal {
        /// The name as given.
        name: String,
    },
    /// A GPU device that this build or machine cannot open.
    #[error(
        "cannot open device '{name}': {source} (GPU devices need a build with `--features {feature}`)"
    )]
    Unavailable {
        /// The name as given.
        name: String,
        /// candle's reason.
        source: candle_core::Error,
        /// The cargo feature that enables it.
        feature: &'static str,
    },
    /// Neither `cpu`, `cuda` nor `metal`.
    #[error("unknown device '{name}'; use auto, cpu, cuda or metal")]
    Unknown {
        /// The name as given.
        name: String,
    },
}

/// A model size out of bounds, found before anything is allocated.
#[derive(Debug, thiserror::Error)]
pub enum BoundsError {
    /// A size that must be positive is 0.
    #[error("{field} is 0")]
    Zero {
        /// The `config.json` field.
        field: &'static str,
    },
    /// A size above its limit.
    #[error("{field} is {value}, more than the limit {max}")]
    TooLarge {
        /// The `config.json` field.
        field: &'static str,
        /// Its value.
        value: usize,
        /// The limit.
        max: usize,
    },
    /// Fewer than two classes.
    #[error("model.n_classes is {0}, needs at least 2")]
    TooFewClasses(usize),
    /// Slice-loss weights that do not match the slices.
    #[error("model.slice_loss_weights has {weights} entries for {slices} slices")]
    SliceWeights {
        /// Entries given.
        weights: usize,
        /// Slices of the model.
        slices: usize,
    },
    /// An architecture too large to allocate.
    #[error("the architecture would hold about {params} parameters, more than {max}")]
    TooManyParams {
        /// The bound of its parameter count.
        params: u64,
        /// The limit.
        max: u64,
    },
}

/// A weights file that does not fit the model built from its `config.json`.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    /// candle could not read or convert the tensors.
    #[error("{0}")]
    Tensor(#[from] candle_core::Error),
    /// Another thread panicked holding the variables.
    #[error("variable map lock poisoned")]
    Poisoned,
    /// The file holds a tensor the model does not have.
    #[error("tensor '{0}' is not part of the model that config.json describes")]
    Extra(String),
    /// The model has a variable the file lacks.
    #[error("tensor '{0}' is missing")]
    Missing(String),
    /// A tensor of the wrong shape.
    #[error("tensor '{name}' has shape {file:?}, config.json implies {model:?}")]
    Shape {
        /// Tensor name.
        name: String,
        /// Its shape in the file.
        file: Vec<usize>,
        /// The shape the model expects.
        model: Vec<usize>,
    },
    /// A tensor with NaN or infinite values.
    #[error("tensor '{0}' holds NaN or infinite values")]
    NonFinite(String),
}
