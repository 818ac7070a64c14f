//! What a set of runs is: methods, seeds and shared settings, and where the data comes from.

use std::sync::Arc;

use super::config::TrainConfig;
use crate::data::Dataset;
use crate::data::demo::Figure1;
use crate::data::error::DataError;
use crate::data::spurious::Spurious;
use crate::metrics::Metric;
use crate::model::Method;
use crate::slices::SliceSet;

/// Where an experiment's data comes from.
#[derive(Clone)]
pub enum DataSource {
    /// The synthetic demo, regenerated per seed (data seed = model seed, as the reference does).
    Demo(Figure1),
    /// The spurious-correlation demo, regenerated per seed like the figure1 demo.
    Spurious(Spurious),
    /// A loaded dataset, shared by all seeds.
    Dataset(Arc<Dataset>),
}

impl DataSource {
    /// A short description for reports.
    pub fn describe(&self) -> String {
        match self {
            DataSource::Demo(f) => format!(
                "demo:{:?} (n={}, k={}, noise={})",
                f.layout, f.n, f.k, f.noise
            )
            .to_lowercase(),
            DataSource::Spurious(s) => format!(
                "demo:spurious (n={}, minority={}, noise={})",
                s.n, s.minority, s.noise
            ),
            DataSource::Dataset(d) => d.table.source.clone(),
        }
    }

    /// The dataset for one seed; a demo's settings are checked (the error names the setting).
    pub fn try_dataset(&self, seed: u64) -> Result<Arc<Dataset>, DataError> {
        Ok(match self {
            DataSource::Demo(f) => Arc::new(Figure1 { seed, ..f.clone() }.try_dataset()?),
            DataSource::Spurious(s) => Arc::new(Spurious { seed, ..s.clone() }.try_dataset()?),
            DataSource::Dataset(d) => d.clone(),
        })
    }

    /// The dataset for one seed, for settings already checked (the CLI checks a demo's flags
    /// before it builds the source); panics on settings [`DataSource::try_dataset`] refuses.
    pub fn dataset(&self, seed: u64) -> Arc<Dataset> {
        self.try_dataset(seed)
            .unwrap_or_else(|e| panic!("invalid demo settings: {e}"))
    }

    /// The default slice set: every column named `sf_*` (for the demo, its SFs).
    pub fn default_slices(&self) -> SliceSet {
        match self {
            DataSource::Demo(f) => {
                SliceSet::from_columns(&(1..=f.k).map(|j| format!("sf_{j}")).collect::<Vec<_>>())
            }
            // Its SF columns are known without generating a table.
            DataSource::Spurious(_) => {
                SliceSet::from_columns(&crate::data::spurious::GROUPS.map(|g| format!("sf_{g}")))
            }
            DataSource::Dataset(d) => SliceSet::from_sf_columns(&d.table),
        }
    }
}

/// What to run.
#[derive(Debug, Clone)]
pub struct ExperimentSpec {
    /// Methods, in report order.
    pub methods: Vec<Method>,
    /// Seeds.
    pub seeds: Vec<u64>,
    /// Shared training settings (the seed is set per run).
    pub train: TrainConfig,
    /// Expert size `h` (default: last backbone width).
    pub rep_dim: Option<usize>,
    /// Feature columns (default: all usable columns).
    pub features: Option<Vec<String>>,
    /// The metric that ranks and flags slices in the test reports (default: per task, see
    /// [`Metric::default_for`]).
    pub metric: Option<Metric>,
}

impl ExperimentSpec {
    /// Why training these methods on `slices` slices is pointless, when it is: slice-aware
    /// methods (all but vanilla) given no slices at all.
    pub fn no_slices_problem(&self, slices: usize) -> Option<String> {
        let aware: Vec<&str> = self
            .methods
            .iter()
            .filter(|m| m.uses_slices())
            .map(|m| m.name())
            .collect();
        (slices == 0 && !aware.is_empty()).then(|| {
            format!(
                "{} {} slices but none are given, so {} as vanilla (SBL, HPS, MoE and \
                 Manual with extra parameters); give slices (a --slices file, or sf_* columns; in the app, add or \
                 enable slices) or train vanilla",
                aware.join(", "),
                if aware.len() == 1 { "needs" } else { "need" },
                if aware.len() == 1 {
                    "it trains"
                } else {
                    "they train"
                }
            )
        })
    }
}
