//! Markdown tables of reports, in the layout of the paper's Table 1.

use crate::metrics::report::SliceKind;
use crate::summary::{MeanStd, Report, show};

/// `mean,std` for CSV, empty where undefined.
fn csv(m: Option<&MeanStd>) -> String {
    let f = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:.4}"));
    format!("{},{}", f(m.map(|m| m.mean)), f(m.and_then(|m| m.std)))
}

/// One row per method: parameters, s/epoch, the report's metric overall, on the worst slice, as a
/// mean over slices and per ground-truth slice (per SF when there is no ground truth), and the
/// maximum and average slice lift over Vanilla.
pub fn methods_table(report: &Report) -> String {
    if report.methods.is_empty() {
        return "no finished runs\n".into();
    }
    let all = report.slice_names();
    let has_truth = all.iter().any(|(_, k)| *k == SliceKind::Truth);
    let slice_names: Vec<&str> = all
        .iter()
        .filter(|(_, k)| !has_truth || *k == SliceKind::Truth)
        .map(|(n, _)| *n)
        .collect();
    let mut out = format!(
        "Dataset: {} (evaluated on {}; mean ± std over seeds)\n\n",
        report.dataset, report.eval_split
    );
    let metric = report.metric;
    let m = metric.label();
    out.push_str(&format!(
        "| method | params | Δ params | s/epoch | overall {m} | worst slice {m} | mean slice {m} |"
    ));
    slice_names
        .iter()
        .for_each(|n| out.push_str(&format!(" {n} {m} |")));
    out.push_str(" max lift | avg lift |\n|---|---:|---:|---:|---:|---:|---:|");
    slice_names.iter().for_each(|_| out.push_str("---:|"));
    out.push_str("---:|---:|\n");
    for m in &report.methods {
        out.push_str(&format!(
            "| {} | {} | {:+.0}% | {:.3} | {} | {} | {} |",
            m.label(),
            m.params,
            m.param_increase * 100.0,
            m.epoch_secs,
            show(m.overall.get(metric)),
            show(m.worst_slice.as_ref()),
            show(m.mean_slice.as_ref())
        ));
        let mut lifts = Vec::new();
        let vanilla = report.baseline(m);
        for name in &slice_names {
            let score = m.slice(name).and_then(|s| s.scores.get(metric));
            out.push_str(&format!(" {} |", show(score)));
            let base = vanilla
                .and_then(|v| v.slice(name))
                .and_then(|v| v.scores.get(metric));
            if let (Some(f), Some(v)) = (score, base) {
                // Positive when better, whichever way the metric points.
                let d = f.mean - v.mean;
                lifts.push(if metric.higher_is_better() { d } else { -d });
            }
        }
        let (max, avg) = if lifts.is_empty() {
            ("-".into(), "-".into())
        } else {
            let max = lifts.iter().copied().fold(f64::MIN, f64::max);
            (
                format!("{max:+.3}"),
                format!("{:+.3}", lifts.iter().sum::<f64>() / lifts.len() as f64),
            )
        };
        out.push_str(&format!(" {max} | {avg} |\n"));
    }
    out
}

/// The methods table as CSV: one row per method, mean and std of overall and per-slice F1.
pub fn methods_csv(report: &Report) -> String {
    if report.methods.is_empty() {
        return "method\n".into();
    }
    let names: Vec<&str> = report.slice_names().into_iter().map(|(n, _)| n).collect();
    let mut out =
        String::from("method,params,param_increase,epoch_secs,overall_f1_mean,overall_f1_std");
    names
        .iter()
        .for_each(|n| out.push_str(&format!(",{n}_f1_mean,{n}_f1_std")));
    out.push('\n');
    for m in &report.methods {
        out.push_str(&format!(
            "{},{},{:.4},{:.4},{}",
            m.label(),
            m.params,
            m.param_increase,
            m.epoch_secs,
            csv(m.overall.f1.as_ref())
        ));
        for n in &names {
            let f1 = m.slice(n).and_then(|s| s.scores.f1.as_ref());
            out.push_str(&format!(",{}", csv(f1)));
        }
        out.push('\n');
    }
    out
}

/// The seed-paired lift of every method over Vanilla: one row per slice (`overall`, the worst
/// and the mean slice first), one column per method, each cell the mean ± std over seeds of the
/// method's score minus Vanilla's on the same seed and the seeds it was ahead on; empty when no
/// method pairs with a Vanilla.
pub fn paired_table(report: &Report) -> String {
    let methods: Vec<_> = report
        .methods
        .iter()
        .filter(|m| !m.paired.is_empty())
        .collect();
    let Some(first) = methods.first() else {
        return String::new();
    };
    let m = report.metric.label();
    let mut out = format!(
        "\nPaired lift over Vanilla ({m} minus Vanilla's on the same seed, mean ± std over \
         seeds, seeds ahead/seeds paired):\n\n| slice |"
    );
    methods
        .iter()
        .for_each(|x| out.push_str(&format!(" {} |", x.label())));
    out.push_str("\n|---|");
    methods.iter().for_each(|_| out.push_str("---:|"));
    out.push('\n');
    for slice in first.paired.iter().map(|p| p.slice.as_str()) {
        out.push_str(&format!("| {slice} |"));
        for x in &methods {
            let cell = x.paired_lift(slice).map_or("–".into(), |p| p.text());
            out.push_str(&format!(" {cell} |"));
        }
        out.push('\n');
    }
    out
}
