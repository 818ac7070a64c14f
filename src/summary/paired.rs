//! Seed-paired differences of a method over its Vanilla baseline, per slice.
//!
//! Two independent means hide how much of a lift is seed noise: runs that share a seed share
//! the data split and the batch order, so the difference within a seed is the fairer unit. This
//! pairs each run of a group with the baseline's run of the same seed and summarises the
//! differences (mean ± std, and on how many seeds the method was ahead).

use serde::{Deserialize, Serialize};

use super::{MeanStd, MethodReport, Report};
use crate::metrics::extremes::named_value;
use crate::metrics::{MEAN_SLICE, SplitReport, WORST_SLICE};

/// The paired difference of one slice (or `overall`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairedLift {
    /// Slice name (`overall` for all rows).
    pub slice: String,
    /// Mean ± std over the seeds where both runs have the metric defined.
    pub diff: MeanStd,
    /// Seeds on which the method scored better than the baseline.
    pub wins: usize,
}

impl PairedLift {
    /// `+0.031 ± 0.012 (3/3)`: mean, std when defined, and seeds won of seeds paired.
    pub fn text(&self) -> String {
        let spread = self
            .diff
            .std
            .map_or(String::new(), |s| format!(" ± {s:.3}"));
        format!(
            "{:+.3}{spread} ({}/{})",
            self.diff.mean, self.wins, self.diff.n
        )
    }
}

/// The test report of the one averaged run of `method` with `seed`; `None` when there is none
/// or several (two groups of one method sharing a seed cannot be told apart by method and seed).
fn run_of<'a>(report: &'a Report, method: &str, seed: u64) -> Option<&'a SplitReport> {
    let mut found = report
        .runs
        .iter()
        .filter(|r| r.summarised && r.method == method && r.seed == seed);
    let one = found.next()?;
    found
        .next()
        .is_none()
        .then_some(one.test.as_ref())
        .flatten()
}

/// Per-slice paired differences `m − base` over the seeds both groups ran, `overall`, the worst
/// and the mean slice first; empty when no seed pairs up. Positive means better than the
/// baseline (for a metric where lower is better, `base − m`).
pub fn paired_lifts(report: &Report, m: &MethodReport, base: &MethodReport) -> Vec<PairedLift> {
    let pairs: Vec<(&SplitReport, &SplitReport)> = m
        .seeds
        .iter()
        .filter(|s| base.seeds.contains(s))
        .filter_map(|&s| {
            Some((
                run_of(report, &m.method, s)?,
                run_of(report, &base.method, s)?,
            ))
        })
        .collect();
    if pairs.is_empty() {
        return Vec::new();
    }
    let metric = report.metric;
    let names = ["overall", WORST_SLICE, MEAN_SLICE]
        .into_iter()
        .chain(m.slices.iter().map(|s| s.name.as_str()));
    names
        .filter_map(|name| {
            let diffs: Vec<f64> = pairs
                .iter()
                .filter_map(|(a, b)| {
                    let a = named_value(a, name, metric)?;
                    let b = named_value(b, name, metric)?;
                    Some(if metric.higher_is_better() {
                        a - b
                    } else {
                        b - a
                    })
                })
                .collect();
            (!diffs.is_empty()).then(|| PairedLift {
                slice: name.to_string(),
                wins: diffs.iter().filter(|d| **d > 0.0).count(),
                diff: MeanStd::of(&diffs),
            })
        })
        .collect()
}

/// Fills every non-Vanilla group's [`MethodReport::paired`] from the report's runs.
pub fn add_paired_lifts(report: &mut Report) {
    let lifts: Vec<Vec<PairedLift>> = report
        .methods
        .iter()
        .map(|m| match report.baseline(m) {
            Some(base) if base.method != m.method => paired_lifts(report, m, base),
            _ => Vec::new(),
        })
        .collect();
    for (m, l) in report.methods.iter_mut().zip(lifts) {
        m.paired = l;
    }
}
