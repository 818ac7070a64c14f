//! Model architecture settings, saved in every checkpoint's `config.json`.

use serde::{Deserialize, Serialize};

use super::error::BoundsError;

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
    /// Group DRO (Sagawa et al., 2020): a Vanilla model trained on the worst group's loss, with
    /// an exponentiated-gradient weight per group (the SF slices and the base slice).
    Gdro,
    /// Just Train Twice (Liu et al., 2021): Vanilla trained a few epochs, then a new Vanilla
    /// with the first one's misclassified training rows upweighted.
    Jtt,
    /// A Vanilla model with each row weighted by the inverse sizes of the slices it is in.
    Reweight,
}

impl Method {
    /// Every method, in report order.
    pub const ALL: [Method; 11] = [
        Method::Vanilla,
        Method::Hps,
        Method::Manual,
        Method::Moe,
        Method::Sbl,
        Method::SblUniform,
        Method::SblIndicator,
        Method::SblConfidence,
        Method::Gdro,
        Method::Jtt,
        Method::Reweight,
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
            Method::Gdro => "gdro",
            Method::Jtt => "jtt",
            Method::Reweight => "reweight",
        }
    }

    /// Whether the method trains a plain Vanilla network under a different objective (Group
    /// DRO, JTT, reweighting): the slices shape the loss, not the architecture.
    pub fn vanilla_network(self) -> bool {
        matches!(
            self,
            Method::Vanilla | Method::Gdro | Method::Jtt | Method::Reweight
        )
    }

    /// Parses a method name.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim().to_ascii_lowercase();
        Self::ALL.into_iter().find(|m| m.name() == s)
    }

    /// Whether the method reads slice membership in training (all but vanilla and JTT): without
    /// slices it is vanilla, maybe with extra parameters.
    pub fn uses_slices(self) -> bool {
        // JTT finds its rows from a first model's errors; slices only steer its selection.
        !matches!(self, Method::Vanilla | Method::Jtt)
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

/// The most feature values a model takes.
pub const MAX_INPUT: usize = 1 << 24;
/// The widest layer a model has.
pub const MAX_WIDTH: usize = 1 << 16;
/// The most classes.
pub const MAX_CLASSES: usize = 1000;
/// The most slicing functions.
pub const MAX_SLICES: usize = 10_000;
/// The most parameters (4 GiB of `f32`).
pub const MAX_PARAMS: u64 = 1 << 30;

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

    /// Checks sizes before anything is allocated, so a damaged or hostile `config.json` gives an
    /// error instead of aborting on a huge allocation; names the first bad field.
    pub fn check_bounds(&self) -> Result<(), BoundsError> {
        let fields = [
            ("model.input_dim", self.input_dim, MAX_INPUT),
            ("model.rep_dim", self.rep_dim, MAX_WIDTH),
            ("model.n_classes", self.n_classes, MAX_CLASSES),
            ("model.n_slices", self.n_slices, MAX_SLICES),
        ];
        let widths = self.hidden.iter().map(|&w| ("model.hidden", w, MAX_WIDTH));
        for (name, value, max) in fields.into_iter().chain(widths) {
            if value == 0 && name != "model.n_slices" {
                return Err(BoundsError::Zero { field: name });
            }
            if value > max {
                return Err(BoundsError::TooLarge {
                    field: name,
                    value,
                    max,
                });
            }
        }
        if self.n_classes < 2 {
            return Err(BoundsError::TooFewClasses(self.n_classes));
        }
        let (n, k) = (self.slice_loss_weights.len(), self.n_slices);
        if n != 0 && n != k {
            return Err(BoundsError::SliceWeights {
                weights: n,
                slices: k,
            });
        }
        let params = self.params_bound();
        if params > MAX_PARAMS {
            return Err(BoundsError::TooManyParams {
                params,
                max: MAX_PARAMS,
            });
        }
        Ok(())
    }

    /// An upper bound of the parameter count of any method with these sizes (MoE repeats the
    /// whole backbone per slice; the SBL head is a few linear layers per slice).
    fn params_bound(&self) -> u64 {
        let mut dims = vec![self.input_dim as u64];
        dims.extend(self.hidden.iter().map(|&w| w as u64));
        let layer = |a: u64, b: u64| a.saturating_add(1).saturating_mul(b);
        let backbone = dims
            .windows(2)
            .fold(0u64, |s, w| s.saturating_add(layer(w[0], w[1])));
        let (d, h, c) = (
            self.backbone_dim() as u64,
            self.rep_dim as u64,
            self.n_classes as u64,
        );
        let head = layer(d, h)
            .saturating_add(layer(h, c).saturating_mul(2))
            .saturating_add(layer(d, c).saturating_mul(2))
            .saturating_add(layer(d, 1));
        (self.n_slices as u64 + 2).saturating_mul(backbone.saturating_add(head))
    }

    /// Attention of SBL variants (full for anything else).
    pub fn attention(&self) -> Attention {
        self.method.attention().unwrap_or_default()
    }
}
