//! A split report as terminal tables: the per-slice table and the per-class tables.

use super::table::TextTable;
use slicelab::metrics::text::{interval, num, percent, signed};
use slicelab::metrics::{SliceMetrics, SplitReport};

/// The per-slice table: `overall` first, then each slice in report order. Binary tasks show
/// each slice's positives beside its support; multi-class tasks add weighted F1. `!` marks a
/// flagged slice, `?` one worse than overall with too few rows for an interval.
pub fn slices_table(report: &SplitReport) -> String {
    let binary = report.classes.len() == 2;
    let m = report.metric.label();
    let mut header: Vec<String> = ["slice", "kind", "support"].map(String::from).to_vec();
    if binary {
        header.push("positives".into());
    }
    for h in [
        "coverage",
        "accuracy",
        "error rate",
        "precision",
        "recall",
        "F1",
    ] {
        header.push(h.into());
    }
    if !binary {
        header.push("weighted F1".into());
    }
    header.extend([
        "MCC".into(),
        format!("{m} 95% CI"),
        format!("Δ{m}"),
        "flag".into(),
    ]);
    let mut t = TextTable::new(header);
    for r in &report.rows {
        t.row(slice_row(r, binary));
    }
    let f1 = if binary {
        "F1, precision and recall: positive class"
    } else {
        "F1, precision and recall: macro over the classes with support in the slice"
    };
    format!(
        "{}\n{}\n{f1}; – undefined (0/0); ! flagged: worse {m} than overall and its 95% CI excludes overall; \
         ? worse {m} than overall, too few rows or positives for a CI (not tested)",
        t.render(),
        extremes_line(report)
    )
}

/// `worst slice: F1 0.412 (slice_2) · mean slice F1 0.630 over 4 ground-truth slices`.
pub fn extremes_line(report: &SplitReport) -> String {
    slicelab::metrics::extremes::summary_line(report, report.metric)
}

fn slice_row(r: &SliceMetrics, binary: bool) -> Vec<String> {
    let s = &r.scores;
    let mut row = vec![
        r.name.clone(),
        format!("{:?}", r.kind).to_lowercase(),
        s.support.to_string(),
    ];
    if binary {
        row.push(s.positives.unwrap_or(0).to_string());
    }
    row.extend([
        percent(Some(r.coverage)),
        num(s.accuracy),
        num(s.error_rate),
        num(s.precision),
        num(s.recall),
        num(s.f1),
    ]);
    if !binary {
        row.push(num(s.weighted_f1));
    }
    row.extend([
        num(s.mcc),
        interval(r.interval),
        signed(r.diff),
        flag_mark(r).into(),
    ]);
    row
}

/// `!` for a flagged slice, `?` for one worse than overall without an interval to test it.
fn flag_mark(r: &SliceMetrics) -> &'static str {
    match (r.flagged, r.untested) {
        (true, _) => "!",
        (false, true) => "?",
        _ => "",
    }
}

/// One table per row of the report: support, predicted, precision, recall and F1 per class,
/// then the confusion matrix (rows: true class, columns: predicted).
pub fn per_class_tables(report: &SplitReport) -> String {
    let mut out = String::new();
    for r in &report.rows {
        let mut t = TextTable::new(["class", "support", "predicted", "precision", "recall", "F1"]);
        for c in &r.per_class {
            t.row(vec![
                c.class.clone(),
                c.support.to_string(),
                c.predicted.to_string(),
                num(c.precision),
                num(c.recall),
                num(c.f1),
            ]);
        }
        let n = report.classes.len();
        let mut header = vec!["true \\ pred".to_string()];
        header.extend(report.classes.iter().cloned());
        let mut cm = TextTable::new(header);
        for (i, class) in report.classes.iter().enumerate() {
            let mut row = vec![class.clone()];
            row.extend(
                (0..n).map(|j| r.confusion.get(i * n + j).copied().unwrap_or(0).to_string()),
            );
            cm.row(row);
        }
        out.push_str(&format!(
            "\n{} ({} rows)\n{}\n{}\n",
            r.name,
            r.scores.support,
            t.render(),
            cm.render()
        ));
    }
    out
}
