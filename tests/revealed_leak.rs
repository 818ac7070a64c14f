//! Leakage a trained model reveals (issue 30 §1): a table with post-outcome columns trains to a
//! near-perfect validation score, `train` names those columns by permutation importance with the
//! `--ignore` to retrain, and the retrained model scores at the honest level; a date recorded
//! after the others for one class only is warned about before training.

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

/// A recidivism-like table with dates: `screening_date` on every row and `reoffence_date`, after
/// it, recorded for 90% of the reoffenders and 3% of the others (the date of a later offence).
fn dated_table(path: &std::path::Path) {
    use std::fmt::Write as _;
    let mut csv = String::from("screening_date,age,priors,reoffence_date,two_year_recid\n");
    for i in 0..1200u32 {
        let y = u32::from((i * 7919) % 100 < 45);
        let day = i % 360;
        let screening = format!("2013-{:02}-{:02}", 1 + day / 30, 1 + day % 28);
        let recorded = if y == 1 { i % 10 != 0 } else { i % 33 == 0 };
        let later = if recorded {
            format!("2014-{:02}-{:02}", 1 + (i / 7) % 12, 1 + i % 28)
        } else {
            String::new()
        };
        let age = 18 + (i * 31) % 50;
        let priors = (i * 13) % 7 + y;
        writeln!(csv, "{screening},{age},{priors},{later},{y}").unwrap();
    }
    std::fs::write(path, csv).unwrap();
}

#[test]
fn a_date_recorded_after_the_others_for_one_class_only_is_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("dated.csv");
    dated_table(&data);
    let o = slicelab(&[
        "train",
        "--data",
        data.to_str().unwrap(),
        "--label",
        "two_year_recid",
        "--method",
        "vanilla",
        "--epochs",
        "1",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    let warning = err
        .lines()
        .find(|l| l.contains("after the table's other dates"))
        .unwrap_or_else(|| panic!("no date warning in:\n{err}"));
    assert!(
        warning.contains("reoffence_date (after screening_date; recorded on"),
        "{warning}"
    );
    assert!(warning.contains("--ignore reoffence_date"), "{warning}");
    assert!(
        !warning.contains("age") && !warning.contains("priors"),
        "{warning}"
    );
}
