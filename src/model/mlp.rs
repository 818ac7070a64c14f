//! The backbone: an MLP over the feature vector with ReLU after every layer.

use candle_core::{Result, Tensor};
use candle_nn::{Module, VarBuilder};

use super::dense::{Dense, dense};

/// `Linear -> ReLU` repeated for each configured width.
pub struct Mlp {
    layers: Vec<Dense>,
}

impl Mlp {
    /// Builds layers `vb.pp(i)` of widths `hidden` after an input of `input_dim`.
    pub fn new(input_dim: usize, hidden: &[usize], vb: VarBuilder) -> Result<Self> {
        let mut layers = Vec::with_capacity(hidden.len());
        let mut d = input_dim;
        for (i, &w) in hidden.iter().enumerate() {
            layers.push(dense(d, w, vb.pp(i))?);
            d = w;
        }
        Ok(Self { layers })
    }
}

impl Module for Mlp {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        // [batch, d_in] -> [batch, hidden.last]
        self.layers
            .iter()
            .try_fold(x.clone(), |h, l| l.forward(&h)?.relu())
    }
}
