//! Which runs may be averaged together: runs of one method with the same settings and distinct
//! seeds, that ended normally.
//!
//! Runs that differ in a setting (epochs, widths, lr, SF noise, slice set, data, ...) form
//! separate groups, named by the differing settings (`sbl (epochs 5)`). Cancelled and diverged
//! runs are listed but not averaged. When a seed repeats within a group, the latest run is kept.

use std::collections::BTreeMap;

use super::StopReason;
use crate::metrics::SplitReport;

/// Prefix of the settings keys of SF noise rates (`noise sf_1`): an absent key means no noise,
/// and a zero rate is left out of group names.
pub const NOISE_KEY: &str = "noise ";

/// Settings key of the slice names, and of a hash of their expressions (shown in a group's
/// name only when the names alone do not tell two groups apart).
pub const SLICES_KEY: &str = "slices";
/// See [`SLICES_KEY`].
pub const SLICE_DEFS_KEY: &str = "slice definitions";

/// One run as the grouping sees it.
#[derive(Debug, Clone)]
pub struct RunInfo<'a> {
    /// Display name (`sbl-seed0 #2`).
    pub label: String,
    /// Method name.
    pub method: String,
    /// Seed of weights and batch order.
    pub seed: u64,
    /// Every setting that makes runs comparable, as `name → value` text.
    pub settings: BTreeMap<String, String>,
    /// How the run ended.
    pub stop: &'a StopReason,
    /// Its test-split report.
    pub test: &'a SplitReport,
}

/// Runs that are averaged together.
#[derive(Debug, Clone)]
pub struct RunGroup<'a> {
    /// The method, plus the settings that set this group apart from the method's other groups.
    pub name: String,
    /// Method name.
    pub method: String,
    /// The shared settings.
    pub settings: BTreeMap<String, String>,
    /// The runs to average, one per seed, in input order.
    pub runs: Vec<&'a RunInfo<'a>>,
}

/// The groups, and what was left out.
#[derive(Debug, Clone, Default)]
pub struct Grouping<'a> {
    /// Groups with at least one run to average, in order of first appearance.
    pub groups: Vec<RunGroup<'a>>,
    /// Runs not averaged, with why (`vanilla-seed0: cancelled by the user`).
    pub not_averaged: Vec<String>,
    /// Duplicate seeds resolved (`sbl: seed 0 ran 3 times; kept the latest, sbl-seed0 #3`).
    pub notes: Vec<String>,
}

/// Groups `runs` (given oldest first).
pub fn group_runs<'a>(runs: &'a [RunInfo<'a>]) -> Grouping<'a> {
    let mut out = Grouping::default();
    let mut groups: Vec<RunGroup<'a>> = Vec::new();
    let mut repeats: Vec<(usize, u64, usize)> = Vec::new(); // (group, seed, times seen)
    for run in runs {
        let gi = match groups
            .iter()
            .position(|g| g.method == run.method && g.settings == run.settings)
        {
            Some(i) => i,
            None => {
                groups.push(RunGroup {
                    name: String::new(),
                    method: run.method.clone(),
                    settings: run.settings.clone(),
                    runs: Vec::new(),
                });
                groups.len() - 1
            }
        };
        if *run.stop == StopReason::Cancelled || run.stop.diverged() {
            out.not_averaged
                .push(format!("{}: {}", run.label, run.stop.describe()));
            continue;
        }
        let g = &mut groups[gi];
        if let Some(i) = g.runs.iter().position(|r| r.seed == run.seed) {
            // The same seed again says nothing about the spread over seeds: keep the latest.
            g.runs.remove(i);
            match repeats
                .iter_mut()
                .find(|(x, s, _)| *x == gi && *s == run.seed)
            {
                Some(r) => r.2 += 1,
                None => repeats.push((gi, run.seed, 2)),
            }
        }
        g.runs.push(run);
    }
    // Name only the groups that are shown, so a cancelled run's settings never name others.
    let kept: Vec<usize> = (0..groups.len())
        .filter(|&i| !groups[i].runs.is_empty())
        .collect();
    let mut groups: Vec<RunGroup<'a>> = groups.into_iter().filter(|g| !g.runs.is_empty()).collect();
    name_groups(&mut groups);
    for (gi, seed, times) in repeats {
        let Some(g) = kept.iter().position(|&k| k == gi).map(|i| &groups[i]) else {
            continue;
        };
        let kept = g
            .runs
            .iter()
            .find(|r| r.seed == seed)
            .map_or("", |r| &r.label);
        out.notes.push(format!(
            "{}: seed {seed} ran {times} times; kept the latest ({kept})",
            g.name
        ));
    }
    out.groups = groups;
    out
}

/// Names each group by its method and the settings in which the method's groups differ.
fn name_groups(groups: &mut [RunGroup]) {
    let names: Vec<String> = groups
        .iter()
        .map(|g| {
            let siblings: Vec<&RunGroup> = groups.iter().filter(|o| o.method == g.method).collect();
            let mut keys: Vec<&String> = siblings.iter().flat_map(|o| o.settings.keys()).collect();
            keys.sort();
            keys.dedup();
            let value = |o: &RunGroup, k: &str| o.settings.get(k).cloned().unwrap_or_default();
            let differing: Vec<&String> = keys
                .into_iter()
                .filter(|k| siblings.iter().any(|o| value(o, k) != value(g, k)))
                .collect();
            let names_differ = differing.iter().any(|k| *k == SLICES_KEY);
            let parts: Vec<String> = differing
                .into_iter()
                .filter(|k| !(names_differ && *k == SLICE_DEFS_KEY))
                .filter_map(|k| {
                    let v = value(g, k);
                    let no_noise = k.starts_with(NOISE_KEY) && (v.is_empty() || v == "0");
                    (!no_noise).then(|| format!("{k} {}", if v.is_empty() { "–" } else { &v }))
                })
                .collect();
            if parts.is_empty() {
                g.method.clone()
            } else {
                format!("{} ({})", g.method, parts.join(", "))
            }
        })
        .collect();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (g, name) in groups.iter_mut().zip(names) {
        let n = seen.entry(name.clone()).or_default();
        *n += 1;
        g.name = if *n == 1 {
            name
        } else {
            format!("{name} #{n}")
        };
    }
}
