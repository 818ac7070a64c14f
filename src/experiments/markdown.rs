//! Markdown tables of reports, in the layout of the paper's Table 1.

use crate::report::{MeanStd, Report};

fn ms(m: &MeanStd) -> String {
    format!("{:.3} ± {:.3}", m.mean, m.std)
}

/// One row per method: parameters, overall F1, F1 per ground-truth slice (per SF when there is
/// no ground truth), and the maximum and average slice lift over Vanilla.
pub fn methods_table(report: &Report) -> String {
    let Some(first) = report.methods.first() else {
        return "no finished runs\n".into();
    };
    let has_truth = first
        .slices
        .iter()
        .any(|s| s.kind == crate::metrics::report::SliceKind::Truth);
    let slice_names: Vec<&str> = first
        .slices
        .iter()
        .filter(|s| !has_truth || s.kind == crate::metrics::report::SliceKind::Truth)
        .map(|s| s.name.as_str())
        .collect();
    let vanilla = report.method("vanilla");
    let mut out = format!(
        "Dataset: {} (evaluated on {}; mean ± std over seeds)\n\n",
        report.dataset, report.eval_split
    );
    out.push_str("| method | params | Δ params | s/epoch | overall F1 |");
    slice_names
        .iter()
        .for_each(|n| out.push_str(&format!(" {n} F1 |")));
    out.push_str(" max lift | avg lift |\n|---|---:|---:|---:|---:|");
    slice_names.iter().for_each(|_| out.push_str("---:|"));
    out.push_str("---:|---:|\n");
    for m in &report.methods {
        out.push_str(&format!(
            "| {} | {} | {:+.0}% | {:.3} | {} |",
            m.method,
            m.params,
            m.param_increase * 100.0,
            m.epoch_secs,
            ms(&m.overall.f1)
        ));
        let mut lifts = Vec::new();
        for name in &slice_names {
            let f1 = m.slice(name).map(|s| s.f1).unwrap_or_default();
            out.push_str(&format!(" {} |", ms(&f1)));
            if let Some(v) = vanilla.and_then(|v| v.slice(name)) {
                lifts.push(f1.mean - v.f1.mean);
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
    let Some(first) = report.methods.first() else {
        return "method\n".into();
    };
    let names: Vec<&str> = first.slices.iter().map(|s| s.name.as_str()).collect();
    let mut out =
        String::from("method,params,param_increase,epoch_secs,overall_f1_mean,overall_f1_std");
    names
        .iter()
        .for_each(|n| out.push_str(&format!(",{n}_f1_mean,{n}_f1_std")));
    out.push('\n');
    for m in &report.methods {
        out.push_str(&format!(
            "{},{},{:.4},{:.4},{:.4},{:.4}",
            m.method, m.params, m.param_increase, m.epoch_secs, m.overall.f1.mean, m.overall.f1.std
        ));
        for n in &names {
            match m.slices.iter().find(|s| s.name == *n) {
                Some(s) => out.push_str(&format!(",{:.4},{:.4}", s.f1.mean, s.f1.std)),
                None => out.push_str(",,"),
            }
        }
        out.push('\n');
    }
    out
}
