//! Slice suggestions in the style of SliceLine (Sagadeeva & Boehm, SIGMOD 2021): a level-wise
//! search of conjunctions of 1–3 feature predicates (categorical values, numeric bins) for the
//! slices whose error rate is highest relative to their size.
//!
//! Score of a slice S with `|S|` rows and error rate `ē_S`, on `n` rows with error rate `ē`:
//! `α (ē_S / ē − 1) − (1 − α) (n / |S| − 1)`.
//!
//! Every suggestion is a distinct set of rows: predicates true on every row are never made,
//! a conjunct that does not shrink its slice is dropped with the slice, and of two candidates
//! with the same rows only the simpler is reported. Memory stays bounded on wide tables: only
//! the basic predicates keep bitmaps, candidates keep counts, and each level keeps at most
//! [`SuggestConfig::max_candidates`] of them (the best by score bound) for the next.

mod bins;
mod search;
mod top;

use serde::Serialize;

pub use search::search;

/// Search settings.
#[derive(Debug, Clone)]
pub struct SuggestConfig {
    /// Predicates per slice at most (1–3).
    pub max_level: usize,
    /// Suggestions to return.
    pub top_k: usize,
    /// Smallest slice size considered.
    pub min_support: usize,
    /// Weight of the error term against the size term.
    pub alpha: f64,
    /// Equal-frequency bins per numeric column; fewer than 2 counts as 2, since one bin would
    /// be the whole column (and no cut point to write an expression with).
    pub bins: usize,
    /// Most frequent values per categorical column turned into predicates.
    pub max_values: usize,
    /// Candidates of one level kept to build the next (those with the highest score bound);
    /// bounds memory and the next level's work (at most this squared over two joins).
    pub max_candidates: usize,
}

impl Default for SuggestConfig {
    fn default() -> Self {
        Self {
            max_level: 3,
            top_k: 10,
            min_support: 32,
            alpha: 0.95,
            bins: 5,
            max_values: 50,
            max_candidates: 20_000,
        }
    }
}

/// One suggested slice.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Suggestion {
    /// A readable slice name made from the expression (see [`super::name::auto_name`]).
    pub name: String,
    /// The slice as an SF expression.
    pub expr: String,
    /// Rows in the slice.
    pub size: usize,
    /// Misclassified fraction of the slice.
    pub error_rate: f64,
    /// SliceLine score.
    pub score: f64,
}

/// What one level of the search did.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct LevelStats {
    /// Predicates per slice at this level.
    pub level: usize,
    /// Candidate slices whose rows were counted.
    pub evaluated: usize,
    /// Candidates that passed support and score-bound pruning.
    pub valid: usize,
    /// Candidates kept to build the next level (at most [`SuggestConfig::max_candidates`]).
    pub kept: usize,
    /// Whether the cap dropped candidates that passed pruning (the search is then not exact).
    pub capped: bool,
    /// Wall time of the level.
    pub secs: f64,
}

/// The suggestions and how the search went.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct SuggestOutcome {
    /// The best slices, best first, each a distinct set of rows.
    pub suggestions: Vec<Suggestion>,
    /// Basic predicates searched (after dropping always-true, too-small and duplicate ones).
    pub predicates: usize,
    /// Per level, in order.
    pub levels: Vec<LevelStats>,
}

impl SuggestOutcome {
    /// Whether any level dropped candidates at the cap, so better slices may have been missed.
    pub fn capped(&self) -> bool {
        self.levels.iter().any(|l| l.capped)
    }
}

/// Progress of a running search: reported every few thousand candidates and at each level's end.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// The level being searched.
    pub level: usize,
    /// Candidates counted so far at this level.
    pub evaluated: usize,
    /// Whether the level is finished.
    pub done: bool,
}

/// Scores slices of `rows` of `table` over `columns`; `wrong[i]` says whether row `rows[i]` is
/// misclassified. [`search`] with no progress report, returning only the suggestions.
pub fn suggest(
    table: &crate::data::Table,
    columns: &[String],
    rows: &[usize],
    wrong: &[bool],
    cfg: &SuggestConfig,
) -> Vec<Suggestion> {
    search(table, columns, rows, wrong, cfg, &mut |_| {}).suggestions
}

/// The SliceLine score and its upper bound over sub-slices.
struct Scorer {
    alpha: f64,
    n: f64,
    mean_error: f64,
    min_support: usize,
}

impl Scorer {
    fn score(&self, size: usize, errors: usize) -> f64 {
        let s = size as f64;
        self.alpha * ((errors as f64 / s) / self.mean_error - 1.0)
            - (1.0 - self.alpha) * (self.n / s - 1.0)
    }

    /// The best score any sub-slice with at most `size` rows and `errors` errors can reach.
    fn bound(&self, size: usize, errors: usize) -> f64 {
        // For a fixed size the score grows with errors (at most min(errors, size)); over sizes it
        // is monotone on each side of `errors`, so the maximum lies at one of these points.
        [self.min_support, errors, size]
            .into_iter()
            .filter(|&s| s >= self.min_support && s <= size)
            .map(|s| self.score(s, errors.min(s)))
            .fold(f64::NEG_INFINITY, f64::max)
    }
}
