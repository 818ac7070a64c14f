//! Model architecture settings, saved in every checkpoint's `config.json`.

use serde::{Deserialize, Serialize};

/// Which model family to train.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Backbone + prediction head; ignores slices.
    Vanilla,
    /// Slice-based Learning with slice-residual-attention modules.
    Sbl,
}

impl Method {
    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Method::Vanilla => "vanilla",
            Method::Sbl => "sbl",
        }
    }

    /// Parses a method name.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "vanilla" => Some(Method::Vanilla),
            "sbl" => Some(Method::Sbl),
            _ => None,
        }
    }
}

/// How SBL weighs its experts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Attention {
    /// `softmax(Q + confidence(P))`, the paper's attention.
    #[default]
    Full,
    /// Equal weights.
    Uniform,
    /// `softmax(Q)`.
    Indicator,
    /// `softmax(confidence(P))`.
    Confidence,
}

/// Architecture of a model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelConfig {
    /// Model family.
    pub method: Method,
    /// Feature vector length.
    pub input_dim: usize,
    /// Backbone layer widths (ReLU after each).
    pub hidden: Vec<usize>,
    /// Expert representation size `h` (SBL).
    pub rep_dim: usize,
    /// Number of classes `C`.
    pub n_classes: usize,
    /// Number of slicing functions `k` (the base slice is added on top).
    pub n_slices: usize,
    /// Expert weighting (SBL).
    #[serde(default)]
    pub attention: Attention,
}

impl ModelConfig {
    /// Output width of the backbone.
    pub fn backbone_dim(&self) -> usize {
        self.hidden.last().copied().unwrap_or(self.input_dim)
    }
}
