//! The best `k` slices seen so far, one per distinct set of rows.

use super::super::bitmap::Bitmap;
use super::super::name::auto_name;
use super::Suggestion;

/// A kept slice with its rows, so a later candidate with the same rows is recognised.
struct Entry {
    suggestion: Suggestion,
    predicates: usize,
    hash: u64,
    rows: Bitmap,
}

/// The best `k` slices by score, never two with the same rows.
pub(super) struct TopK {
    k: usize,
    items: Vec<Entry>,
}

impl TopK {
    pub fn new(k: usize) -> Self {
        Self {
            k: k.max(1),
            items: Vec::new(),
        }
    }

    /// Scores at or below this cannot enter (0 until full: only positive scores are reported).
    pub fn threshold(&self) -> f64 {
        if self.items.len() < self.k {
            0.0
        } else {
            self.items
                .iter()
                .map(|e| e.suggestion.score)
                .fold(f64::INFINITY, f64::min)
        }
    }

    /// Offers a slice of `predicates` conjuncts; `rows` is only built when the score would enter.
    pub fn offer(
        &mut self,
        exprs: &[&str],
        size: usize,
        errors: usize,
        score: f64,
        rows: impl FnOnce() -> Bitmap,
    ) {
        if score <= self.threshold() {
            return;
        }
        let rows = rows();
        let hash = rows.hash64();
        let expr = exprs.join(" AND ");
        if let Some(same) = self
            .items
            .iter_mut()
            .find(|e| e.hash == hash && e.rows == rows)
        {
            // The same rows found again: keep the shorter description of them.
            let simpler =
                (exprs.len(), expr.as_str()) < (same.predicates, same.suggestion.expr.as_str());
            if simpler {
                same.suggestion.name = auto_name(&expr);
                same.suggestion.expr = expr;
                same.predicates = exprs.len();
            }
            return;
        }
        self.items.push(Entry {
            suggestion: Suggestion {
                name: auto_name(&expr),
                expr,
                size,
                error_rate: errors as f64 / size as f64,
                score,
            },
            predicates: exprs.len(),
            hash,
            rows,
        });
        self.items
            .sort_by(|a, b| order(&a.suggestion, &b.suggestion));
        self.items.truncate(self.k);
    }

    /// The kept slices, best first.
    pub fn into_sorted(mut self) -> Vec<Suggestion> {
        self.items
            .sort_by(|a, b| order(&a.suggestion, &b.suggestion));
        self.items.into_iter().map(|e| e.suggestion).collect()
    }
}

fn order(a: &Suggestion, b: &Suggestion) -> std::cmp::Ordering {
    b.score
        .total_cmp(&a.score)
        .then(b.size.cmp(&a.size))
        .then(a.expr.cmp(&b.expr))
}
