//! The level-wise search: level 1 scores the basic predicates, each next level joins two
//! candidates that share all but their last predicate (apriori style), pruned by size, by
//! SliceLine's score bound, and by the rule that every conjunct must shrink the slice.

use std::borrow::Cow;
use std::collections::HashMap;
use std::time::Instant;

use super::super::bitmap::Bitmap;
use super::bins::{Predicate, predicates};
use super::top::TopK;
use super::{LevelStats, Progress, Scorer, SuggestConfig, SuggestOutcome};
use crate::data::Table;

/// Candidates counted between two progress reports.
const PROGRESS_EVERY: usize = 1 << 16;

/// A conjunction of `len` predicates (indices, ascending) with its counts; no bitmap, so a
/// level of candidates costs a few dozen bytes each whatever the number of rows.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    preds: [u32; 3],
    len: usize,
    size: usize,
    errors: usize,
    bound: f64,
}

impl Candidate {
    fn preds(&self) -> &[u32] {
        &self.preds[..self.len]
    }
}

/// Searches slices of `rows` of `table` over `columns`; `wrong[i]` says whether row `rows[i]` is
/// misclassified. `progress` hears about each level as it runs.
pub fn search(
    table: &Table,
    columns: &[String],
    rows: &[usize],
    wrong: &[bool],
    cfg: &SuggestConfig,
    progress: &mut dyn FnMut(Progress),
) -> SuggestOutcome {
    let n = rows.len();
    let errors = Bitmap::from_fn(n, |i| wrong.get(i).copied().unwrap_or(false));
    let total_errors = errors.count();
    let preds = predicates(table, columns, rows, cfg);
    let mut outcome = SuggestOutcome {
        predicates: preds.len(),
        ..SuggestOutcome::default()
    };
    if n == 0 || total_errors == 0 {
        return outcome;
    }
    let mut s = Search {
        preds: &preds,
        errors: &errors,
        scorer: Scorer {
            alpha: cfg.alpha,
            n: n as f64,
            mean_error: total_errors as f64 / n as f64,
            min_support: cfg.min_support.max(1),
        },
        top: TopK::new(cfg.top_k),
        cap: cfg.max_candidates.max(1),
        last_level: 1,
        progress,
    };
    let max_level = cfg.max_level.clamp(1, 3);
    s.last_level = max_level;
    let mut level = s.level_one(&mut outcome.levels);
    for l in 2..=max_level {
        if level.is_empty() {
            break;
        }
        level = s.next_level(&level, l, &mut outcome.levels);
    }
    outcome.suggestions = s.top.into_sorted();
    outcome
}

struct Search<'a> {
    preds: &'a [Predicate],
    errors: &'a Bitmap,
    scorer: Scorer,
    top: TopK,
    cap: usize,
    /// Candidates of this level build nothing, so they are scored but not kept.
    last_level: usize,
    progress: &'a mut dyn FnMut(Progress),
}

impl Search<'_> {
    fn level_one(&mut self, stats: &mut Vec<LevelStats>) -> Vec<Candidate> {
        let start = Instant::now();
        let mut valid = Vec::new();
        for (p, pred) in self.preds.iter().enumerate() {
            let size = pred.rows.count();
            let errors = pred.rows.and_count(self.errors);
            if errors == 0 {
                continue;
            }
            let score = self.scorer.score(size, errors);
            self.top
                .offer(&[&pred.expr], size, errors, score, || pred.rows.clone());
            valid.push(Candidate {
                preds: [p as u32, 0, 0],
                len: 1,
                size,
                errors,
                bound: self.scorer.bound(size, errors),
            });
        }
        let counts = LevelStats {
            level: 1,
            evaluated: self.preds.len(),
            valid: valid.len(),
            ..LevelStats::default()
        };
        self.finish(counts, valid, start, stats)
    }

    /// Joins the candidates of `level - 1` into those of `level`.
    fn next_level(
        &mut self,
        prev: &[Candidate],
        level: usize,
        stats: &mut Vec<LevelStats>,
    ) -> Vec<Candidate> {
        let start = Instant::now();
        let known: HashMap<&[u32], &Candidate> = prev.iter().map(|c| (c.preds(), c)).collect();
        let mut valid = Vec::new();
        let (mut evaluated, mut passed, mut capped) = (0, 0, false);
        let mut group_start = 0;
        while group_start < prev.len() {
            let prefix = &prev[group_start].preds()[..level - 2];
            let group_len = prev[group_start..]
                .iter()
                .take_while(|c| &c.preds()[..level - 2] == prefix)
                .count();
            let group = &prev[group_start..group_start + group_len];
            for (i, a) in group.iter().enumerate() {
                let a_rows = rows_of(self.preds, a.preds());
                let a_errors = a_rows.and(self.errors);
                for b in &group[i + 1..] {
                    let Some(c) = self.join(a, b, &known) else {
                        continue;
                    };
                    evaluated += 1;
                    if evaluated % PROGRESS_EVERY == 0 {
                        (self.progress)(Progress {
                            level,
                            evaluated,
                            done: false,
                        });
                    }
                    if let Some(c) = self.count(c, &a_rows, &a_errors) {
                        passed += 1;
                        if level == self.last_level {
                            continue;
                        }
                        valid.push(c);
                        if valid.len() >= 4 * self.cap {
                            // Bounds memory mid-level; `finish` would drop the same ones.
                            capped |= self.prune(&mut valid);
                        }
                    }
                }
            }
            group_start += group_len;
        }
        let counts = LevelStats {
            level,
            evaluated,
            valid: passed,
            capped,
            ..LevelStats::default()
        };
        self.finish(counts, valid, start, stats)
    }

    /// `a` joined with `b`'s last predicate, if the join is worth counting: predicates on
    /// distinct columns, every other parent kept at the level below, and a score bound (from
    /// the smallest parent) above the current top-k threshold. Counts are the parents' minimum.
    fn join(
        &self,
        a: &Candidate,
        b: &Candidate,
        known: &HashMap<&[u32], &Candidate>,
    ) -> Option<Candidate> {
        let pb = b.preds[b.len - 1];
        let column = self.preds[pb as usize].column;
        if a.preds()
            .iter()
            .any(|&p| self.preds[p as usize].column == column)
        {
            return None;
        }
        let mut c = Candidate {
            len: a.len + 1,
            ..*a
        };
        c.preds[a.len] = pb;
        c.size = a.size.min(b.size);
        c.errors = a.errors.min(b.errors);
        // The parents that drop one of the shared prefix predicates (none at level 2).
        for skip in 0..a.len - 1 {
            let parent: Vec<u32> = (0..c.len)
                .filter(|&j| j != skip)
                .map(|j| c.preds[j])
                .collect();
            let p = known.get(parent.as_slice())?;
            c.size = c.size.min(p.size);
            c.errors = c.errors.min(p.errors);
        }
        (self.scorer.bound(c.size, c.errors) > self.top.threshold()).then_some(c)
    }

    /// Counts a joined candidate's rows and errors; `None` if it is too small, has no errors, or
    /// has the rows of one of its parents (its last conjunct, or another, does not shrink it).
    fn count(&mut self, mut c: Candidate, a_rows: &Bitmap, a_errors: &Bitmap) -> Option<Candidate> {
        let preds = self.preds;
        let last = &preds[c.preds[c.len - 1] as usize].rows;
        let smallest_parent = c.size;
        let size = a_rows.and_count(last);
        // A parent with the same size holds exactly the same rows (the slice is its subset).
        if size < self.scorer.min_support || size == smallest_parent {
            return None;
        }
        let errors = a_errors.and_count(last);
        if errors == 0 {
            return None;
        }
        let score = self.scorer.score(size, errors);
        let exprs: Vec<&str> = c
            .preds()
            .iter()
            .map(|&p| preds[p as usize].expr.as_str())
            .collect();
        self.top
            .offer(&exprs, size, errors, score, || a_rows.and(last));
        c.size = size;
        c.errors = errors;
        c.bound = self.scorer.bound(size, errors);
        (c.bound > self.top.threshold()).then_some(c)
    }

    /// Drops candidates whose bound cannot beat the top-k any more, then keeps the `cap` with
    /// the highest bounds; returns whether the cap dropped any.
    fn prune(&self, valid: &mut Vec<Candidate>) -> bool {
        let threshold = self.top.threshold();
        valid.retain(|c| c.bound > threshold);
        if valid.len() <= self.cap {
            return false;
        }
        valid.select_nth_unstable_by(self.cap, |x, y| y.bound.total_cmp(&x.bound));
        valid.truncate(self.cap);
        true
    }

    /// Prunes and sorts a level's candidates (by predicate list, for the prefix join) and
    /// records what the level did, given its counts so far.
    fn finish(
        &mut self,
        mut counts: LevelStats,
        mut valid: Vec<Candidate>,
        start: Instant,
        stats: &mut Vec<LevelStats>,
    ) -> Vec<Candidate> {
        if counts.level == self.last_level {
            valid.clear();
        }
        counts.capped |= self.prune(&mut valid);
        valid.sort_by(|x, y| x.preds().cmp(y.preds()));
        (self.progress)(Progress {
            level: counts.level,
            evaluated: counts.evaluated,
            done: true,
        });
        counts.kept = valid.len();
        counts.secs = start.elapsed().as_secs_f64();
        stats.push(counts);
        valid
    }
}

/// The rows of a conjunction of predicates (borrowed for a single predicate).
fn rows_of<'a>(all: &'a [Predicate], preds: &[u32]) -> Cow<'a, Bitmap> {
    let first = Cow::Borrowed(&all[preds[0] as usize].rows);
    preds[1..]
        .iter()
        .fold(first, |acc, &p| Cow::Owned(acc.and(&all[p as usize].rows)))
}
