//! Training objectives beside the model's own loss: per-row weights (slice reweighting, JTT's
//! second stage) and Group DRO. They train a Vanilla network; the slices shape the loss.

use candle_core::{Result, Tensor};

use crate::model::loss::per_row_nll;
use crate::model::{Batch, LossTerms, Model};

/// What a training step minimises.
#[derive(Debug, Clone)]
pub enum Objective {
    /// The model's own loss ([`Model::loss`]).
    Plain,
    /// The prediction CE with each row weighted, normalised over the dataset, not the batch:
    /// `Σ_batch w_i nll_i / (B · w̄)` with `w̄` the mean weight of the training rows, so a batch
    /// of upweighted rows weighs more than a batch of plain ones (a per-batch `Σ w_i` would
    /// cancel the weights of a batch whose rows share one).
    RowWeights {
        /// One weight per row of the dataset (`[n_rows]`, f32), looked up by row index; class
        /// weights multiply it.
        weights: Tensor,
        /// `w̄`: the mean over the training rows of the row weight times its class weight.
        mean: f64,
    },
    /// Group DRO's online objective.
    GroupDro(GroupDro),
}

/// Group DRO's state: one weight per group (the base slice, then each SF), updated every step
/// by exponentiated gradient on the groups' batch losses.
#[derive(Debug, Clone)]
pub struct GroupDro {
    /// Group weights, summing to 1.
    pub q: Vec<f64>,
    /// Step size η.
    pub step: f64,
    /// `ln q` up to a constant: the update adds to it, and `q` is its softmax, so a large step
    /// or a long run neither overflows nor drives a weight to a 0 it cannot leave.
    log_q: Vec<f64>,
}

impl GroupDro {
    /// Equal weights over `groups` groups.
    pub fn new(groups: usize, step: f64) -> Self {
        let n = groups.max(1);
        Self {
            q: vec![1.0 / n as f64; n],
            step,
            log_q: vec![0.0; n],
        }
    }

    /// `q_g ← q_g · exp(η · L_g)` for the groups present in the batch, then renormalised, so
    /// weight moves to the groups whose loss is highest.
    pub fn update(&mut self, losses: &[f64], present: &[bool]) {
        for ((lq, &l), &p) in self.log_q.iter_mut().zip(losses).zip(present) {
            if p && l.is_finite() {
                *lq += self.step * l;
            }
        }
        // Softmax of the log-weights, shifted by their maximum (log-sum-exp).
        let max = self.log_q.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        for (q, lq) in self.q.iter_mut().zip(&self.log_q) {
            *q = (lq - max).exp();
        }
        let total: f64 = self.q.iter().sum();
        self.q.iter_mut().for_each(|q| *q /= total);
    }
}

impl Objective {
    /// The loss terms of one batch whose rows are `idx` (`[batch]`, u32); `total` is what is
    /// differentiated, `base` is the same value for the per-row objectives.
    pub fn loss(&mut self, model: &Model, batch: &Batch, idx: &Tensor) -> Result<LossTerms> {
        match self {
            Objective::Plain => model.loss(batch),
            Objective::RowWeights { weights, mean } => {
                let nll = per_row_nll(&model.forward(&batch.x)?.logits, &batch.y)?; // [batch]
                let w = class_weighted(weights.index_select(idx, 0)?, batch)?; // [batch]
                plain_terms(dataset_weighted(&nll, &w, *mean)?)
            }
            Objective::GroupDro(state) => group_dro_loss(state, model, batch),
        }
    }
}

/// Row weights times the class weights of the rows' labels, when the batch has class weights.
fn class_weighted(w: Tensor, batch: &Batch) -> Result<Tensor> {
    match &batch.class_weights {
        Some(cw) => w * cw.index_select(&batch.y, 0)?,
        None => Ok(w),
    }
}

/// `Σ w_i nll_i / (B · mean)`: the batch's share of the dataset's weighted mean loss.
pub fn dataset_weighted(nll: &Tensor, w: &Tensor, mean: f64) -> Result<Tensor> {
    let rows = nll.dims1()?.max(1) as f64;
    (nll * w)?.sum_all()? / (rows * mean.max(1e-12))
}

fn plain_terms(total: Tensor) -> Result<LossTerms> {
    let zero = total.zeros_like()?;
    Ok(LossTerms {
        base: total.clone(),
        total,
        indicator: zero.clone(),
        slice_pred: zero,
    })
}

/// Every group's mean CE over its member rows in the batch, in one product (no loop over
/// groups): `L = Mᵀ(w ⊙ nll) / Mᵀw` with `M` the `[batch, k+1]` membership; then the weights
/// step and the loss is `Σ q_g L_g`.
fn group_dro_loss(state: &mut GroupDro, model: &Model, batch: &Batch) -> Result<LossTerms> {
    let nll = per_row_nll(&model.forward(&batch.x)?.logits, &batch.y)?; // [batch]
    let w = class_weighted(nll.ones_like()?, batch)?; // [batch]
    let m = batch.slices.t()?; // [k+1, batch]
    let sums = m.matmul(&(nll * &w)?.unsqueeze(1)?)?.squeeze(1)?; // [k+1]
    let counts = m.matmul(&w.unsqueeze(1)?)?.squeeze(1)?; // [k+1]
    let counts_host: Vec<f32> = counts.to_vec1()?;
    let present: Vec<bool> = counts_host.iter().map(|&c| c > 0.0).collect();
    let empty = counts.eq(0f32)?.to_dtype(counts.dtype())?;
    let losses = (sums / (counts + empty)?)?; // [k+1], 0 for an absent group
    let host: Vec<f64> = losses
        .to_vec1::<f32>()?
        .into_iter()
        .map(f64::from)
        .collect();
    state.update(&host, &present);
    let q: Vec<f32> = state.q.iter().map(|&q| q as f32).collect();
    let q = Tensor::from_vec(q, state.q.len(), losses.device())?;
    plain_terms((losses * q)?.sum_all()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_weights_are_normalised_over_the_dataset_so_an_upweighted_batch_weighs_more() {
        let dev = candle_core::Device::Cpu;
        let nll = Tensor::new(&[0.5f32, 0.5, 0.5, 0.5], &dev).unwrap();
        // JTT with λ_up = 6: a batch of error rows and a batch of the others, equal losses; the
        // training rows' mean weight is 2.
        let errors = Tensor::new(&[6f32, 6., 6., 6.], &dev).unwrap();
        let others = Tensor::new(&[1f32, 1., 1., 1.], &dev).unwrap();
        let value = |w: &Tensor| {
            dataset_weighted(&nll, w, 2.0)
                .unwrap()
                .to_scalar::<f32>()
                .unwrap()
        };
        assert!((value(&errors) - 1.5).abs() < 1e-6, "{}", value(&errors));
        assert!((value(&others) - 0.25).abs() < 1e-6, "{}", value(&others));
        // Over an epoch the batches sum to the dataset's weighted mean: (4·6·0.5 + 4·0.5) / 8 / 2.
        let epoch = (value(&errors) + value(&others)) / 2.0;
        assert!((epoch - 0.875).abs() < 1e-6, "{epoch}");
    }

    #[test]
    fn weight_moves_to_the_group_with_the_highest_loss() {
        let mut g = GroupDro::new(3, 0.5);
        for _ in 0..20 {
            g.update(&[0.2, 1.5, 0.4], &[true, true, true]);
        }
        assert!(g.q[1] > 0.9, "{:?}", g.q);
        assert!((g.q.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        // A group absent from the batch keeps its weight up to renormalisation.
        let mut h = GroupDro::new(2, 1.0);
        h.update(&[5.0, 1.0], &[false, true]);
        assert!(h.q[0] < 0.5 && h.q[0] > 0.2, "{:?}", h.q);
    }

    #[test]
    fn a_huge_step_neither_overflows_nor_resets_the_weights() {
        let mut g = GroupDro::new(2, 1e6);
        for _ in 0..100 {
            g.update(&[0.7, 0.9], &[true, true]);
        }
        assert!(g.q.iter().all(|q| q.is_finite()), "{:?}", g.q);
        assert!(g.q[1] > 0.999, "{:?}", g.q);
        // And the other group can win its weight back.
        for _ in 0..200 {
            g.update(&[0.9, 0.7], &[true, true]);
        }
        assert!(g.q[0] > 0.999, "{:?}", g.q);
    }
}
