//! Model architecture settings, saved in every checkpoint's `config.json`.

use serde::{Deserialize, Serialize};

/// Which model family to train.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Backbone + prediction head; ignores slices.
    Vanilla,
    /// Hard parameter sharing: a head per slice on a shared backbone; predicts with the base head.
    Hps,
    /// HPS with per-slice loss multipliers on the slices where Vanilla underperforms.
    Manual,
    /// Mixture of experts: a full Vanilla model per slice (and the base) plus a gate.
    Moe,
    /// Slice-based Learning with `softmax(Q + |P|)` attention.
    Sbl,
    /// SBL ablation: uniform attention.
    SblUniform,
    /// SBL ablation: attention from the indicators alone, `softmax(Q)`.
    SblIndicator,
    /// SBL ablation: attention from the confidences alone, `softmax(|P|)`.
    SblConfidence,
}

impl Method {
    /// Every method, in report order.
    pub const ALL: [Method; 8] = [
        Method::Vanilla,
        Method::Hps,
        Method::Manual,
        Method::Moe,
        Method::Sbl,
        Method::SblUniform,
        Method::SblIndicator,
        Method::SblConfidence,
    ];

    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Method::Vanilla => "vanilla",
            Method::Hps => "hps",
            Method::Manual => "manual",
            Method::Moe => "moe",
            Method::Sbl => "sbl",
            Method::SblUniform => "sbl-uniform",
            Method::SblIndicator => "sbl-indicator",
            Method::SblConfidence => "sbl-confidence",
        }
    }

    /// Parses a method name.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim().to_ascii_lowercase();
        Self::ALL.into_iter().find(|m| m.name() == s)
    }

    /// The attention of SBL variants; `None` for the other families.
    pub fn attention(self) -> Option<Attention> {
        match self {
            Method::Sbl => Some(Attention::Full),
            Method::SblUniform => Some(Attention::Uniform),
            Method::SblIndicator => Some(Attention::Indicator),
            Method::SblConfidence => Some(Attention::Confidence),
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
    /// Per-slice loss multipliers of the k SFs (Manual); empty means 1 for every slice.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub slice_loss_weights: Vec<f32>,
}

impl ModelConfig {
    /// Output width of the backbone.
    pub fn backbone_dim(&self) -> usize {
        self.hidden.last().copied().unwrap_or(self.input_dim)
    }

    /// Attention of SBL variants (full for anything else).
    pub fn attention(&self) -> Attention {
        self.method.attention().unwrap_or_default()
    }
}
