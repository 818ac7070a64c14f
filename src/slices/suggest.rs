//! Slice suggestions in the style of SliceLine (Sagadeeva & Boehm, SIGMOD 2021): an exact search of
//! conjunctions of 1–3 feature predicates (categorical values, numeric bins) for the slices whose
//! error rate is highest relative to their size, with size and score-bound pruning.
//!
//! Score of a slice S with `|S|` rows and error rate `ē_S`, on `n` rows with error rate `ē`:
//! `α (ē_S / ē − 1) − (1 − α) (n / |S| − 1)`.

use serde::Serialize;

use super::bitmap::Bitmap;
use super::build::equals_expr;
use super::set::quote_ident;
use crate::data::{ColumnData, Table};

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
        }
    }
}

/// One suggested slice.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Suggestion {
    /// The slice as an SF expression.
    pub expr: String,
    /// Rows in the slice.
    pub size: usize,
    /// Misclassified fraction of the slice.
    pub error_rate: f64,
    /// SliceLine score.
    pub score: f64,
}

/// A basic predicate: which column it tests, its expression and its rows.
struct Predicate {
    column: usize,
    expr: String,
    rows: Bitmap,
}

/// A conjunction of predicates (indices, ascending) with its rows and counts.
struct Candidate {
    preds: Vec<usize>,
    rows: Bitmap,
    size: usize,
    errors: usize,
}

/// Scores slices of `rows` of `table` over `columns`; `wrong[i]` says whether row `rows[i]` is misclassified.
pub fn suggest(
    table: &Table,
    columns: &[String],
    rows: &[usize],
    wrong: &[bool],
    cfg: &SuggestConfig,
) -> Vec<Suggestion> {
    let n = rows.len();
    let errors = Bitmap::from_fn(n, |i| wrong[i]);
    let total_errors = errors.count();
    if n == 0 || total_errors == 0 {
        return Vec::new();
    }
    let scorer = Scorer {
        alpha: cfg.alpha,
        n: n as f64,
        mean_error: total_errors as f64 / n as f64,
        min_support: cfg.min_support.max(1),
    };
    let preds = predicates(table, columns, rows, cfg);
    let mut top = TopK::new(cfg.top_k);
    let mut level: Vec<Candidate> = preds
        .iter()
        .enumerate()
        .map(|(p, pred)| Candidate {
            preds: vec![p],
            size: pred.rows.count(),
            errors: pred.rows.and_count(&errors),
            rows: pred.rows.clone(),
        })
        .filter(|c| c.size >= scorer.min_support && c.errors > 0)
        .collect();
    for c in &level {
        top.offer(c, scorer.score(c.size, c.errors), &preds);
    }
    for _ in 2..=cfg.max_level.clamp(1, 3) {
        level = next_level(&level, &preds, &errors, &scorer, &mut top);
        if level.is_empty() {
            break;
        }
    }
    top.into_sorted()
}

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

/// Joins candidates that share all but their last predicate (apriori style).
fn next_level(
    level: &[Candidate],
    preds: &[Predicate],
    errors: &Bitmap,
    scorer: &Scorer,
    top: &mut TopK,
) -> Vec<Candidate> {
    let mut out = Vec::new();
    for (i, a) in level.iter().enumerate() {
        for b in &level[i + 1..] {
            let k = a.preds.len();
            if a.preds[..k - 1] != b.preds[..k - 1] {
                continue;
            }
            let (pa, pb) = (a.preds[k - 1], b.preds[k - 1]);
            let mut joined = a.preds.clone();
            joined.push(pb);
            joined.sort_unstable();
            let columns: Vec<usize> = joined.iter().map(|&p| preds[p].column).collect();
            if columns
                .iter()
                .enumerate()
                .any(|(x, c)| columns[x + 1..].contains(c))
                || pa == pb
            {
                continue;
            }
            if scorer.bound(a.size.min(b.size), a.errors.min(b.errors)) <= top.threshold() {
                continue;
            }
            let rows = a.rows.and(&b.rows);
            let size = rows.count();
            if size < scorer.min_support {
                continue;
            }
            let c = Candidate {
                errors: rows.and_count(errors),
                preds: joined,
                rows,
                size,
            };
            if c.errors == 0 {
                continue;
            }
            top.offer(&c, scorer.score(c.size, c.errors), preds);
            out.push(c);
        }
    }
    // Candidates must stay sorted by predicate list for the prefix join of the next level.
    out.sort_by(|x, y| x.preds.cmp(&y.preds));
    out
}

/// The best `k` slices seen so far.
struct TopK {
    k: usize,
    items: Vec<Suggestion>,
}

impl TopK {
    fn new(k: usize) -> Self {
        Self {
            k: k.max(1),
            items: Vec::new(),
        }
    }

    /// Scores at or below this cannot enter (0 until full: only positive scores are reported).
    fn threshold(&self) -> f64 {
        if self.items.len() < self.k {
            0.0
        } else {
            self.items
                .iter()
                .map(|s| s.score)
                .fold(f64::INFINITY, f64::min)
        }
    }

    fn offer(&mut self, c: &Candidate, score: f64, preds: &[Predicate]) {
        if score <= self.threshold() {
            return;
        }
        let expr = c
            .preds
            .iter()
            .map(|&p| preds[p].expr.as_str())
            .collect::<Vec<_>>()
            .join(" AND ");
        self.items.push(Suggestion {
            expr,
            size: c.size,
            error_rate: c.errors as f64 / c.size as f64,
            score,
        });
        self.items.sort_by(order);
        self.items.truncate(self.k);
    }

    fn into_sorted(mut self) -> Vec<Suggestion> {
        self.items.sort_by(order);
        self.items
    }
}

fn order(a: &Suggestion, b: &Suggestion) -> std::cmp::Ordering {
    b.score
        .total_cmp(&a.score)
        .then(b.size.cmp(&a.size))
        .then(a.expr.cmp(&b.expr))
}

/// Basic predicates: one per frequent categorical value (and per missing value), one per numeric bin.
fn predicates(
    table: &Table,
    columns: &[String],
    rows: &[usize],
    cfg: &SuggestConfig,
) -> Vec<Predicate> {
    let mut out = Vec::new();
    for (ci, name) in columns.iter().enumerate() {
        let Some(col) = table.column(name) else {
            continue;
        };
        let mut push = |expr: String, rows: Bitmap| {
            if rows.count() >= cfg.min_support.max(1) {
                out.push(Predicate {
                    column: ci,
                    expr,
                    rows,
                });
            }
        };
        match &col.data {
            ColumnData::Strings { codes, levels } => {
                let mut counts = vec![0usize; levels.len()];
                for &i in rows {
                    if let Some(c) = counts.get_mut(codes[i] as usize) {
                        *c += 1;
                    }
                }
                let mut order: Vec<usize> = (0..levels.len()).collect();
                order.sort_by(|&a, &b| counts[b].cmp(&counts[a]).then(a.cmp(&b)));
                for &v in order.iter().take(cfg.max_values) {
                    push(
                        equals_expr(name, &levels[v], false),
                        Bitmap::from_fn(rows.len(), |j| codes[rows[j]] as usize == v),
                    );
                }
                push(
                    format!("{} IS NULL", quote_ident(name)),
                    Bitmap::from_fn(rows.len(), |j| {
                        codes[rows[j]] == crate::data::table::MISSING_CODE
                    }),
                );
            }
            ColumnData::Numeric(values) => numeric_predicates(name, values, rows, cfg, &mut push),
        }
    }
    out
}

fn numeric_predicates(
    name: &str,
    values: &[f64],
    rows: &[usize],
    cfg: &SuggestConfig,
    push: &mut impl FnMut(String, Bitmap),
) {
    let mut present: Vec<f64> = rows
        .iter()
        .map(|&i| values[i])
        .filter(|v| !v.is_nan())
        .collect();
    present.sort_by(f64::total_cmp);
    let mut distinct = present.clone();
    distinct.dedup();
    let col = quote_ident(name);
    let bins = cfg.bins.max(2);
    if distinct.len() <= bins * 2 {
        // Few values (flags, small codes): one predicate per value.
        for v in distinct {
            push(
                format!("{col} = {v}"),
                Bitmap::from_fn(rows.len(), |j| values[rows[j]] == v),
            );
        }
    } else {
        // Equal-frequency cut points; bins are [lo, hi) except the last, which is [lo, max].
        let mut cuts: Vec<f64> = (1..bins)
            .map(|b| present[b * present.len() / bins])
            .collect();
        cuts.dedup();
        let mut lo = f64::NEG_INFINITY;
        for hi in cuts.into_iter().chain([f64::INFINITY]) {
            let expr = match (lo.is_finite(), hi.is_finite()) {
                (false, true) => format!("{col} < {hi}"),
                (true, true) => format!("{col} >= {lo} AND {col} < {hi}"),
                _ => format!("{col} >= {lo}"),
            };
            let (a, b) = (lo, hi);
            push(
                expr,
                Bitmap::from_fn(rows.len(), |j| values[rows[j]] >= a && values[rows[j]] < b),
            );
            lo = hi;
        }
    }
    push(
        format!("{col} IS NULL"),
        Bitmap::from_fn(rows.len(), |j| values[rows[j]].is_nan()),
    );
}
