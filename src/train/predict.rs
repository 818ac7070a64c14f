//! Batched inference: class predictions and SBL internals for chosen rows.

use candle_core::{D, Result, Tensor};

use crate::model::Model;

/// Rows per inference chunk.
const CHUNK: usize = 8192;

/// What a model says about a set of rows.
pub struct Predictions {
    /// Predicted class per row.
    pub classes: Vec<u32>,
    /// Class probabilities, row-major `[rows, C]`.
    pub probs: Vec<f32>,
    /// SBL indicator probabilities, row-major `[rows, k+1]` (base first); empty for other models.
    pub indicator: Vec<f32>,
    /// SBL attention weights, row-major `[rows, k+1]`; empty for other models.
    pub attention: Vec<f32>,
}

/// Runs `model` on the rows `rows` of the feature matrix `x` (`[n, d]`).
pub fn predict(model: &Model, x: &Tensor, rows: &[usize]) -> Result<Predictions> {
    let mut out = Predictions {
        classes: Vec::with_capacity(rows.len()),
        probs: vec![],
        indicator: vec![],
        attention: vec![],
    };
    for chunk in rows.chunks(CHUNK) {
        let idx: Vec<u32> = chunk.iter().map(|&i| i as u32).collect();
        let idx = Tensor::from_vec(idx, chunk.len(), x.device())?;
        let fwd = model.forward(&x.index_select(&idx, 0)?)?;
        out.classes
            .extend(fwd.logits.argmax(D::Minus1)?.to_vec1::<u32>()?);
        out.probs
            .extend(flat(&candle_nn::ops::softmax(&fwd.logits, D::Minus1)?)?);
        if let Some(q) = &fwd.indicator {
            out.indicator.extend(flat(&candle_nn::ops::sigmoid(q)?)?);
        }
        if let Some(a) = &fwd.attention {
            out.attention.extend(flat(a)?);
        }
    }
    Ok(out)
}

fn flat(t: &Tensor) -> Result<Vec<f32>> {
    t.flatten_all()?.to_vec1::<f32>()
}
