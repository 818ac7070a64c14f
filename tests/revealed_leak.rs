//! Leakage a trained model reveals (issue 30 §1): a table with post-outcome columns trains to a
//! near-perfect validation score, `train` names those columns by permutation importance with the
//! `--ignore` to retrain, and the retrained model scores at the honest level.

use crate::common;

use common::cli::{slicelab, stderr, stdout};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/post_outcome.csv");

/// `train` of Vanilla on the fixture, with `extra` arguments.
fn train_args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "train",
        "--data",
        DATA,
        "--label",
        "two_year_recid",
        "--method",
        "vanilla",
    ];
    args.extend(extra);
    args
}

/// The overall test F1 printed by `train`.
fn overall_f1(out: &str) -> f64 {
    let line = out
        .lines()
        .find(|l| l.starts_with("overall"))
        .unwrap_or_else(|| panic!("no overall row in:\n{out}"));
    line.split_whitespace()
        .nth(3)
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no F1 in {line}"))
}

#[test]
fn post_outcome_columns_are_named_after_training_and_leaving_them_out_gives_the_honest_score() {
    let args = train_args(&[]);
    let o = slicelab(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let (err, out) = (stderr(&o), stdout(&o));
    let warning = err
        .lines()
        .find(|l| l.contains("nearly perfect"))
        .unwrap_or_else(|| panic!("no near-perfect warning in:\n{err}"));
    for col in ["is_recid", "event", "days_to_reoffence"] {
        assert!(
            warning.contains(&format!("'{col}'")),
            "{col} not named: {warning}"
        );
    }
    for honest in ["'age'", "'priors_count'", "'sex'"] {
        assert!(!warning.contains(honest), "{honest} named: {warning}");
    }
    let ignore = warning
        .split("--ignore ")
        .nth(1)
        .unwrap_or_else(|| panic!("no --ignore advice: {warning}"))
        .trim();
    let leaky = overall_f1(&out);
    assert!(leaky >= 0.97, "the leaky model scores {leaky}");

    let o = slicelab(&train_args(&["--ignore", ignore]));
    assert!(o.status.success(), "{}", stderr(&o));
    let honest = overall_f1(&stdout(&o));
    assert!(honest < 0.8, "left out, the model still scores {honest}");
    assert!(!stderr(&o).contains("nearly perfect"), "{}", stderr(&o));
}

#[test]
fn eval_importance_ranks_the_post_outcome_flag_first_with_an_interval() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let o = slicelab(&train_args(&["--out", out.to_str().unwrap()]));
    assert!(o.status.success(), "{}", stderr(&o));
    let model = out.join("vanilla-seed0");
    let o = slicelab(&[
        "eval",
        "--model",
        model.to_str().unwrap(),
        "--data",
        DATA,
        "--importance",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    let table = text
        .split("permutation importance, all rows (3000 rows")
        .nth(1)
        .unwrap_or_else(|| panic!("no importance table in:\n{text}"));
    let first = table.lines().nth(3).unwrap_or_default();
    assert!(first.starts_with("is_recid"), "first row: {first}\n{table}");
    let cells: Vec<&str> = first.split_whitespace().collect();
    let drop: f64 = cells[1].parse().unwrap();
    assert!(drop > 0.1, "{first}");
    assert!(cells[2].starts_with('['), "no interval: {first}");
    for honest in ["age", "sex", "charge_degree"] {
        let row = table.lines().find(|l| l.starts_with(honest)).unwrap();
        let d: f64 = row.split_whitespace().nth(1).unwrap().parse().unwrap();
        assert!(d < drop / 10.0, "{row}");
    }
}
