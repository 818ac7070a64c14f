//! `figure1` and `ablation` (the paper's Figure 3): method comparisons on synthetic data.

use super::{Options, Outcome, Progress, compare};
use crate::data::demo::{Figure1, Layout};
use crate::model::Method;
use crate::train::DataSource;
use crate::train::TrainError;

/// SF noise of the ablation task.
pub const ABLATION_NOISE: f64 = 0.2;

/// Vanilla, HPS, Manual, MoE and SBL on the figure1 demo.
pub fn figure1(opts: &Options, p: &mut Progress) -> Result<Outcome, TrainError> {
    let source = DataSource::Demo(Figure1::default());
    let methods = vec![
        Method::Vanilla,
        Method::Hps,
        Method::Manual,
        Method::Moe,
        Method::Sbl,
    ];
    compare(&source, &source.default_slices(), methods, opts, p)
}

/// The four attention weightings on a task with four random slices and noisy SFs.
pub fn ablation(opts: &Options, p: &mut Progress) -> Result<Outcome, TrainError> {
    let source = DataSource::Demo(Figure1 {
        k: 4,
        noise: ABLATION_NOISE,
        layout: Layout::Ablation,
        ..Figure1::default()
    });
    let methods = vec![
        Method::SblUniform,
        Method::SblIndicator,
        Method::SblConfidence,
        Method::Sbl,
    ];
    compare(&source, &source.default_slices(), methods, opts, p)
}
