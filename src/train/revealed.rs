//! Leakage a trained model reveals: a validation score too good for a real table, or a score
//! carried by one or two columns, named by their permutation importance so the user can leave
//! them out and retrain.

use std::sync::atomic::AtomicBool;

use serde::Serialize;

use super::error::TrainError;
use super::importance::{
    ImportanceData, ImportanceSpec, ImportanceTable, permutation_importance, score_of,
};
use super::saved::{TrainedModel, Watch};
use crate::data::leakage::Advice;
use crate::data::{Dataset, Split};
use crate::metrics::Metric;

/// A validation score at least this good (an error rate at most `1 -` this) is suspect.
pub const NEAR_PERFECT: f64 = 0.98;
/// Columns named at most.
const MAX_NAMED: usize = 5;
/// Named columns cover this share of the positive importance.
const COVER: f64 = 0.9;
/// One or two columns carrying this share of the positive importance dominate...
const DOMINANT_SHARE: f64 = 0.8;
/// ...when the first of them costs at least this much of the score.
const DOMINANT_DROP: f64 = 0.15;

/// Why the model looks like it reads the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LeakSign {
    /// The validation score is near perfect.
    NearPerfect,
    /// One or two columns carry most of the importance.
    Dominant,
}

/// What the model revealed, with the columns to leave out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RevealedLeak {
    /// Which sign.
    pub sign: LeakSign,
    /// The metric.
    pub metric: Metric,
    /// The validation score.
    pub score: f64,
    /// Validation rows scored.
    pub rows: usize,
    /// The columns the model leans on, with their mean score drop, most important first.
    pub columns: Vec<(String, f64)>,
}

/// Whether `score` by `metric` is too good to believe.
pub fn near_perfect(metric: Metric, score: f64) -> bool {
    if metric.higher_is_better() {
        score >= NEAR_PERFECT
    } else {
        score <= 1.0 - NEAR_PERFECT
    }
}

/// The sign in an importance table over the validation rows (its first table), if any.
pub fn revealed(all: &ImportanceTable) -> Option<RevealedLeak> {
    let score = all.base?;
    let leaned: Vec<(&str, f64)> = all.leaned_on().collect();
    let total: f64 = leaned.iter().map(|(_, d)| d).sum();
    let (_, first) = *leaned.first()?;
    let top2: f64 = leaned.iter().take(2).map(|(_, d)| d).sum();
    let sign = if near_perfect(all.metric, score) {
        LeakSign::NearPerfect
    } else if top2 >= DOMINANT_SHARE * total && first >= DOMINANT_DROP && leaned.len() > 2 {
        LeakSign::Dominant
    } else {
        return None;
    };
    let mut columns = Vec::new();
    let mut covered = 0.0;
    for (name, drop) in leaned {
        if columns.len() == MAX_NAMED || covered >= COVER * total {
            break;
        }
        covered += drop;
        columns.push((name.to_string(), drop));
    }
    if sign == LeakSign::Dominant {
        columns.truncate(2);
    }
    Some(RevealedLeak {
        sign,
        metric: all.metric,
        score,
        rows: all.rows,
        columns,
    })
}

impl RevealedLeak {
    /// The column names, most important first.
    pub fn names(&self) -> Vec<String> {
        self.columns.iter().map(|(c, _)| c.clone()).collect()
    }

    /// The warning as one line, its advice in the words of `face`.
    pub fn line(&self, face: Advice) -> String {
        let named: Vec<String> = self
            .columns
            .iter()
            .map(|(c, d)| format!("'{c}' (score drop {d:.3} when shuffled)"))
            .collect();
        let advice = match face {
            Advice::Cli => format!(
                "leave them out and retrain: --ignore {}",
                self.names().join(",")
            ),
            Advice::App => "press Leave out and retrain to train again without them".into(),
        };
        let head = match self.sign {
            LeakSign::NearPerfect => format!(
                "the model scores {} {:.3} on {} validation rows: nearly perfect, which real \
                 tables rarely allow. It leans on {}",
                self.metric,
                self.score,
                self.rows,
                named.join(", ")
            ),
            LeakSign::Dominant => format!(
                "the model's validation {} ({:.3}) rests mostly on {}",
                self.metric,
                self.score,
                named.join(" and ")
            ),
        };
        format!(
            "{head}. Columns recorded with or after the outcome give the answer away; if these \
             are such columns, {advice}"
        )
    }
}

/// Checks a model on the dataset's validation rows: a cheap score first, and the importance
/// that names the columns only when the score is near perfect. `None` for a model that tuned
/// encoder layers (its inputs take minutes to rebuild) or data without validation rows.
pub fn check_model(
    model: &TrainedModel,
    ds: &Dataset,
    spec: &ImportanceSpec,
) -> Result<Option<RevealedLeak>, TrainError> {
    let rows = ds.indices(Split::Valid);
    if rows.is_empty() || model.tower.is_some() {
        return Ok(None);
    }
    let x = candle_core::Tensor::from_vec(
        model.card.features.transform(&ds.table, &rows)?,
        (rows.len(), model.card.features.dim()),
        &model.device,
    )?;
    let all: Vec<usize> = (0..rows.len()).collect();
    let pred = super::predict::predict(&model.model, &x, &all)?.classes;
    let y: Vec<u32> = rows.iter().map(|&i| ds.y[i]).collect();
    let Some(score) = score_of(spec.metric, &y, &pred, &all, ds.n_classes()) else {
        return Ok(None);
    };
    if !near_perfect(spec.metric, score) {
        return Ok(None);
    }
    let data = ImportanceData::of(ds, &rows, &[]);
    let mut watch = Watch {
        progress: &mut |_, _| {},
        cancel: &AtomicBool::new(false),
    };
    let tables = permutation_importance(model, &data, spec, &mut watch)?;
    Ok(tables.first().and_then(revealed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::importance::ColumnImportance;

    fn table(base: f64, drops: &[(&str, f64)]) -> ImportanceTable {
        ImportanceTable {
            scope: "all rows".into(),
            rows: 300,
            metric: Metric::F1,
            base: Some(base),
            columns: drops
                .iter()
                .map(|(c, d)| ColumnImportance {
                    column: c.to_string(),
                    mean: Some(*d),
                    interval: None,
                    drops: vec![*d],
                })
                .collect(),
        }
    }

    #[test]
    fn a_near_perfect_score_names_the_columns_that_carry_it() {
        let t = table(
            0.99,
            &[("recid", 0.4), ("event", 0.3), ("age", 0.01), ("x", -0.01)],
        );
        let leak = revealed(&t).unwrap();
        assert_eq!(leak.sign, LeakSign::NearPerfect);
        assert_eq!(leak.names(), ["recid", "event"]);
        let line = leak.line(Advice::Cli);
        assert!(line.contains("--ignore recid,event"), "{line}");
        assert!(!leak.line(Advice::App).contains("--ignore"));
    }

    #[test]
    fn an_ordinary_model_with_spread_importance_reveals_nothing() {
        let t = table(0.71, &[("a", 0.1), ("b", 0.08), ("c", 0.07), ("d", 0.05)]);
        assert_eq!(revealed(&t), None);
    }

    #[test]
    fn one_column_carrying_the_score_is_named_alone() {
        let t = table(0.8, &[("leak", 0.5), ("a", 0.02), ("b", 0.01)]);
        let leak = revealed(&t).unwrap();
        assert_eq!(leak.sign, LeakSign::Dominant);
        assert_eq!(leak.names(), ["leak"]);
    }

    #[test]
    fn an_error_rate_is_near_perfect_when_low() {
        assert!(near_perfect(Metric::ErrorRate, 0.01));
        assert!(!near_perfect(Metric::ErrorRate, 0.05));
        assert!(near_perfect(Metric::Accuracy, 0.985));
    }
}
