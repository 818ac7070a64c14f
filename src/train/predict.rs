//! Batched inference: class predictions and SBL internals for chosen rows.

use candle_core::{D, Result, Tensor};

use super::error::TrainError;
use super::prepared::Prepared;
use crate::model::Model;
use crate::text::tower::Tower;

/// Rows per inference chunk.
const CHUNK: usize = 8192;

/// What a model says about a set of rows.
#[derive(Default)]
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

/// Runs `model` on rows of prepared data, through the tuned encoder layers when the run has
/// them.
pub fn predict_prepared(
    model: &Model,
    tower: Option<&Tower>,
    data: &Prepared,
    rows: &[usize],
) -> std::result::Result<Predictions, TrainError> {
    match (tower, &data.text) {
        (None, _) => return Ok(predict(model, &data.x, rows)?),
        // The frozen features would be another model's input.
        (Some(_), None) => {
            return Err(TrainError::Config(
                "this model tuned encoder layers, but the data was prepared without the \
                 encoder's token states"
                    .into(),
            ));
        }
        (Some(_), Some(_)) => {}
    }
    // Texts of similar length together pad little; the rows go back to their order after.
    let mut by_length: Vec<usize> = (0..rows.len()).collect();
    if let Some(text) = &data.text {
        by_length.sort_by_key(|&k| text.states.tokens(rows[k]));
    }
    let mut sorted = Predictions::default();
    for chunk in by_length.chunks(crate::text::tower::CHUNK) {
        let chunk_rows: Vec<usize> = chunk.iter().map(|&k| rows[k]).collect();
        let x = data.inputs(tower, &chunk_rows)?.detach();
        let all: Vec<usize> = (0..chunk.len()).collect();
        sorted.append(predict(model, &x, &all)?);
    }
    Ok(sorted.reordered(&by_length))
}

impl Predictions {
    /// Predictions of rows given in the order `from` (entry `j` is row `from[j]`), put back in
    /// row order.
    fn reordered(self, from: &[usize]) -> Predictions {
        let n = from.len();
        let place = |v: Vec<f32>| -> Vec<f32> {
            let w = v.len() / n.max(1);
            let mut out = vec![0f32; v.len()];
            for (j, &k) in from.iter().enumerate() {
                out[k * w..(k + 1) * w].copy_from_slice(&v[j * w..(j + 1) * w]);
            }
            out
        };
        let mut classes = vec![0u32; n];
        for (j, &k) in from.iter().enumerate() {
            classes[k] = self.classes[j];
        }
        Predictions {
            classes,
            probs: place(self.probs),
            indicator: place(self.indicator),
            attention: place(self.attention),
        }
    }

    /// Adds the predictions of later rows.
    pub fn append(&mut self, more: Predictions) {
        self.classes.extend(more.classes);
        self.probs.extend(more.probs);
        self.indicator.extend(more.indicator);
        self.attention.extend(more.attention);
    }
}

fn flat(t: &Tensor) -> Result<Vec<f32>> {
    t.flatten_all()?.to_vec1::<f32>()
}
