//! Slices evaluated on a dataset and scored against predictions, per split; and the live check
//! of one candidate expression that the slice editor shows as it is typed.

use std::sync::Arc;

use crate::data::{Dataset, Split};
use crate::metrics::report::SliceRef;
use crate::metrics::{ReportSpec, SplitReport, slice_report};
use crate::slices::columns::truth_masks;
use crate::slices::stats::{SliceStats, analyse as slice_stats};
use crate::slices::warnings::{SliceWarning, slice_warnings};
use crate::slices::{Bitmap, ExprError, SliceDef, SliceError, SliceSet};

/// Slices evaluated and scored against the analysed predictions.
pub struct Analysis {
    /// Which request this answers (older answers are dropped).
    pub generation: u64,
    /// Membership per slice of the set, in set order (empty if the set failed).
    pub masks: Arc<Vec<Bitmap>>,
    /// Size, coverage and overlaps per slice, in set order.
    pub stats: Vec<SliceStats>,
    /// Per-split reports of the enabled slices (empty without predictions).
    pub reports: Vec<SplitReport>,
    /// Why the set could not be evaluated.
    pub error: Option<String>,
    /// Slices that select nothing, the same rows as another, or read the label.
    pub warnings: Vec<SliceWarning>,
}

impl Analysis {
    /// An analysis that could not be made.
    pub fn failed(generation: u64, error: String) -> Self {
        Self {
            generation,
            masks: Arc::default(),
            stats: Vec::new(),
            reports: Vec::new(),
            error: Some(error),
            warnings: Vec::new(),
        }
    }

    /// The report of one split.
    pub fn report(&self, split: Split) -> Option<&SplitReport> {
        self.reports.iter().find(|r| r.split == split)
    }
}

/// Evaluates `set`, analyses it, and scores the `enabled` slices (and truth slices) per split.
pub fn analyse(
    generation: u64,
    ds: &Dataset,
    set: &SliceSet,
    enabled: &[bool],
    pred: Option<&[u32]>,
) -> Analysis {
    let truth = truth_masks(ds);
    let mut out = Analysis {
        generation,
        masks: Arc::default(),
        stats: Vec::new(),
        reports: Vec::new(),
        error: None,
        warnings: Vec::new(),
    };
    match set.evaluate(&ds.table) {
        Ok(ev) => {
            out.stats = slice_stats(&ev.names, &ev.masks, &ds.splits, &truth);
            out.warnings = slice_warnings(set, &ev, &ds.table, &[(ds.label.as_str(), "label")]);
            out.masks = Arc::new(ev.masks);
        }
        Err(e) => out.error = Some(e.to_string()),
    }
    if let Some(pred) = pred {
        let sfs = set
            .slices
            .iter()
            .zip(out.masks.iter())
            .enumerate()
            .filter(|(i, _)| enabled.get(*i).copied().unwrap_or(true))
            .map(|(_, (def, mask))| (def.name.as_str(), mask));
        let refs = SliceRef::list(sfs, &truth);
        for split in Split::ALL {
            let rows = ds.indices(split);
            if !rows.is_empty() {
                out.reports.push(slice_report(
                    &ds.y,
                    pred,
                    &rows,
                    split,
                    &refs,
                    &ReportSpec::new(&ds.classes),
                ));
            }
        }
    }
    out
}

/// The live result of the slice editor: size and coverage, or where the expression is wrong.
#[derive(Debug, Clone, PartialEq)]
pub enum PreviewResult {
    /// The expression is valid.
    Ok {
        /// Matching rows over all splits.
        size: usize,
        /// `size` over all rows.
        coverage: f64,
    },
    /// The expression is not valid.
    Invalid(ExprError),
    /// Something else is wrong (e.g. a reference cycle).
    Other(String),
}

/// Evaluates a candidate slice `expr` named `name` next to the existing `set`.
pub fn preview(ds: &Dataset, set: &SliceSet, name: &str, expr: &str) -> PreviewResult {
    let mut trial = SliceSet {
        slices: set
            .slices
            .iter()
            .filter(|s| s.name != name)
            .cloned()
            .collect(),
    };
    trial.slices.push(SliceDef::new(name, expr));
    match trial.evaluate(&ds.table) {
        Ok(ev) => {
            let size = ev.masks.last().map_or(0, Bitmap::count);
            PreviewResult::Ok {
                size,
                coverage: size as f64 / ds.n_rows().max(1) as f64,
            }
        }
        Err(SliceError::Expr { name: n, error, .. }) if n == name => PreviewResult::Invalid(error),
        Err(e) => PreviewResult::Other(e.to_string()),
    }
}
