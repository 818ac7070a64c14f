//! The per-slice report from confusion counts alone, as an SQL engine returns them.

use super::confusion::Confusion;
use super::multinomial::multinomial_intervals;
use super::report::{ReportSpec, SliceKind, SplitReport, finish, metrics_row};
use crate::data::Split;

/// The report of one split from `overall`'s counts and each slice's, in order: the same scores,
/// per-class tables and flags as [`super::slice_report`], with multinomial bootstrap intervals
/// ([`multinomial_intervals`]) in place of the row bootstrap.
pub fn counts_report(
    overall: Confusion,
    slices: Vec<(String, Confusion)>,
    split: Split,
    spec: &ReportSpec,
) -> SplitReport {
    let total = overall.total().max(1) as f64;
    let row = |name: &str, kind, c: Confusion| {
        let coverage = c.total() as f64 / total;
        let intervals = multinomial_intervals(&c, spec.seed);
        metrics_row(name, kind, coverage, c, intervals, spec.classes)
    };
    let mut rows = vec![row("overall", SliceKind::Overall, overall)];
    for (name, c) in slices {
        rows.push(row(&name, SliceKind::Sf, c));
    }
    finish(split, spec, rows)
}
