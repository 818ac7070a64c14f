//! Manual: HPS with per-slice loss multipliers on the slices where Vanilla underperforms
//! (overall minus slice F1 of at least 5 points on validation); the multiplier is chosen from
//! {2, 20, 50, 100} by grid search on the validation split.

use super::error::TrainError;
use super::events::{StopReason, TrainEvent};
use super::single_run::{RunResult, SeedContext, evaluate, model_config, train_run};
use crate::data::Split;
use crate::metrics::SplitReport;
use crate::metrics::report::SliceKind;
use crate::model::Method;

/// The multipliers tried.
pub const ALPHAS: [f32; 4] = [2.0, 20.0, 50.0, 100.0];
/// A slice is upweighted when Vanilla's validation F1 on it trails overall F1 by this much.
pub const F1_GAP: f64 = 0.05;

/// The validation score that picks the multiplier: the mean of overall F1 and the mean F1 over
/// the SF slices where F1 is defined, so upweighting must help the slices without giving up
/// the rest.
pub fn selection_score(valid: &SplitReport) -> f64 {
    let sf: Vec<f64> = valid
        .rows
        .iter()
        .filter(|r| r.kind == SliceKind::Sf)
        .filter_map(|r| r.scores.f1)
        .collect();
    let overall = valid.overall().and_then(|r| r.scores.f1).unwrap_or(0.0);
    if sf.is_empty() {
        overall
    } else {
        0.5 * (overall + sf.iter().sum::<f64>() / sf.len() as f64)
    }
}

/// Indices (in SF order) of the slices where the report's F1 trails overall by [`F1_GAP`] (a
/// slice whose F1 is undefined does not).
pub fn underperforming(valid: &SplitReport) -> Vec<usize> {
    let overall = valid.overall().and_then(|r| r.scores.f1).unwrap_or(0.0);
    valid
        .rows
        .iter()
        .filter(|r| r.kind == SliceKind::Sf)
        .enumerate()
        .filter(|(_, r)| r.scores.f1.is_some_and(|f| overall - f >= F1_GAP))
        .map(|(j, _)| j)
        .collect()
}

/// The multiplier with the best score; the smaller one on ties.
pub fn pick(grid: &[(f32, f64)]) -> Option<f32> {
    grid.iter()
        .fold(None, |best: Option<(f32, f64)>, &(a, s)| match best {
            Some((_, bs)) if bs >= s => best,
            _ => Some((a, s)),
        })
        .map(|(a, _)| a)
}

/// Trains Manual for one seed; `vanilla` is this seed's Vanilla run if the experiment has one.
pub fn train_manual(
    ctx: &SeedContext,
    vanilla: Option<&RunResult>,
    progress: (usize, usize),
    emit: &mut dyn FnMut(TrainEvent),
) -> Result<RunResult, TrainError> {
    let seed = ctx.seed;
    let vanilla_valid = match vanilla {
        Some(v) => evaluate(&v.model, ctx.data, Split::Valid, None)?,
        None => {
            let cfg = model_config(Method::Vanilla, ctx.data, ctx.spec, Vec::new());
            let v = train_run(
                ctx,
                cfg,
                &format!("manual-vanilla-seed{seed}"),
                progress,
                emit,
            )?;
            evaluate(&v.model, ctx.data, Split::Valid, None)?
        }
    };
    let weak = underperforming(&vanilla_valid);
    let k = ctx.data.sf_names.len();
    let alphas: Vec<f32> = if weak.is_empty() {
        vec![1.0]
    } else {
        ALPHAS.to_vec()
    };
    let mut best: Option<(RunResult, f64)> = None;
    let mut grid = Vec::new();
    for alpha in alphas {
        let weights: Vec<f32> = (0..k)
            .map(|j| if weak.contains(&j) { alpha } else { 1.0 })
            .collect();
        let cfg = model_config(Method::Manual, ctx.data, ctx.spec, weights);
        let run = train_run(
            ctx,
            cfg,
            &format!("manual-a{alpha}-seed{seed}"),
            progress,
            emit,
        )?;
        if run.outcome.stop == StopReason::Cancelled {
            return Ok(run);
        }
        let score = selection_score(&evaluate(&run.model, ctx.data, Split::Valid, None)?);
        grid.push((alpha, score));
        if best.as_ref().is_none_or(|(_, s)| score > *s) {
            best = Some((run, score));
        }
    }
    let (mut run, _) =
        best.ok_or_else(|| TrainError::Config("manual grid search ran no model".into()))?;
    run.grid = grid;
    Ok(run)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pick_takes_the_best_score_and_the_smaller_alpha_on_ties() {
        assert_eq!(
            pick(&[(2.0, 0.5), (20.0, 0.7), (50.0, 0.6), (100.0, 0.7)]),
            Some(20.0)
        );
        assert_eq!(pick(&[]), None);
    }
}
