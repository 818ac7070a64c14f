//! `slicelab eval` on multi-class predictions: per-class tables, undefined scores, `--metric`
//! and `--json`.

use crate::common;

use common::cli::{ok, p, slicelab};

/// Issue 12 items 3-6 through `eval`: a 3-class prediction column, a slice without one class,
/// `--metric`, `--per-class` and `--json`.
#[test]
fn eval_reports_per_class_tables_and_undefined_scores_for_multiclass_predictions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("preds.csv");
    // 60 rows, classes a/b/c; `g = 'x'` rows are labelled a or b, one of them predicted c.
    let mut csv = String::from("g,y,p\n");
    for i in 0..60 {
        let y = ["a", "b", "c"][i % 3];
        let g = if i < 20 && y != "c" { "x" } else { "z" };
        let p = if i == 0 { "c" } else { y };
        csv.push_str(&format!("{g},{y},{p}\n"));
    }
    std::fs::write(&path, csv).unwrap();
    let slices = dir.path().join("s.toml");
    std::fs::write(&slices, "[[slice]]\nname = \"gx\"\nexpr = \"g = 'x'\"\n").unwrap();
    let json = dir.path().join("eval.json");
    let args = [
        "eval",
        "--data",
        p(&path),
        "--pred",
        "p",
        "--slices",
        p(&slices),
    ];
    let out = ok(&[&args[..], &["--per-class", "--json", p(&json)]].concat());
    // Multi-class defaults to the error rate; the per-class tables and confusion are printed.
    assert!(
        out.contains("error rate 95% CI") && out.contains("weighted F1"),
        "{out}"
    );
    assert!(
        out.contains("true \\ pred") && out.contains("predicted"),
        "{out}"
    );
    let r: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(r["metric"], "error_rate");
    assert_eq!(r["classes"], serde_json::json!(["a", "b", "c"]));
    let gx = &r["rows"][1];
    assert_eq!(gx["name"], "gx");
    // 14 rows of a and b, one a predicted c: macro F1 over a and b only.
    let s = &gx["scores"];
    let (f1_a, f1_b) = (2.0 * 6.0 / (7.0 + 6.0), 1.0);
    assert!(
        (s["f1"].as_f64().unwrap() - (f1_a + f1_b) / 2.0).abs() < 1e-9,
        "{s}"
    );
    assert!(
        (s["accuracy"].as_f64().unwrap() - 13.0 / 14.0).abs() < 1e-9,
        "{s}"
    );
    assert_eq!(s["micro_f1"], s["accuracy"]);
    assert!(
        s["weighted_f1"].is_number() && s.get("positives").is_none(),
        "{s}"
    );
    let c = &gx["per_class"][2];
    assert_eq!(
        (c["class"].as_str(), c["support"].as_u64()),
        (Some("c"), Some(0))
    );
    assert!(
        c["recall"].is_null() && c["precision"] == 0.0 && c["f1"] == 0.0,
        "{c}"
    );
    assert_eq!(gx["confusion"].as_array().unwrap().len(), 9);
    // --metric f1 changes the interval column and the JSON's metric.
    let out = ok(&[&args[..], &["--metric", "f1"]].concat());
    assert!(out.contains("F1 95% CI") && out.contains("ΔF1"), "{out}");
    let bad = slicelab(&[&args[..], &["--metric", "auc"]].concat());
    assert_eq!(bad.status.code(), Some(2));
}
