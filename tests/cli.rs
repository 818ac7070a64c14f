//! The headless CLI as a user runs it: demo data, train, eval, slices, exit codes.

use crate::common;

use common::cli::{ok, p, slicelab};

#[test]
#[expect(
    clippy::too_many_lines,
    reason = "one user session end to end: demo data, train, eval and slices on the same files"
)]
fn demo_train_eval_and_slices_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    ok(&["demo", "figure1", "--out", p(&data), "--n", "600"]);
    let header = std::fs::read_to_string(data.join("train.csv")).unwrap();
    assert!(header.starts_with("x1,x2,y,sf_1,sf_2,slice_1,slice_2\n"));
    assert_eq!(header.lines().count(), 601);

    let out = dir.path().join("out");
    let table = ok(&[
        "train",
        "--data",
        p(&data),
        "--method",
        "sbl,vanilla",
        "--seeds",
        "2",
        "--epochs",
        "2",
        "--out",
        p(&out),
    ]);
    assert!(
        table.contains("slice_1") && table.contains("sbl lift") && table.contains("± "),
        "{table}"
    );
    // The table says which split and which metric it reports, and each slice's positives.
    assert!(
        table.contains("Test split") && table.contains("sbl F1"),
        "{table}"
    );
    assert!(table.contains(" pos)"), "{table}");

    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["eval_split"], "test");
    let methods = report["methods"].as_array().unwrap();
    assert_eq!(methods.len(), 2);
    let sbl = &methods[0];
    assert_eq!(sbl["method"], "sbl");
    assert_eq!(sbl["seeds"], serde_json::json!([0, 1]));
    assert!(sbl["params"].as_u64().unwrap() > methods[1]["params"].as_u64().unwrap());
    assert!(sbl["param_increase"].as_f64().unwrap() > 0.0);
    assert!(sbl["epoch_secs"].as_f64().unwrap() > 0.0);
    let f1 = sbl["overall"]["f1"]["mean"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&f1));
    let slices = sbl["slices"].as_array().unwrap();
    let names: Vec<&str> = slices.iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["sf_1", "sf_2", "slice_1", "slice_2"]);
    assert_eq!(slices[2]["kind"], "truth");
    assert!(slices[2]["support"].as_u64().unwrap() > 0);
    assert!(slices[2]["accuracy"]["std"].as_f64().is_some());
    // Each run carries its full test report: every score (null when undefined), per-class
    // tables, the interval and flag of the report's metric.
    assert_eq!(report["metric"], "f1");
    let test = &report["runs"][0]["test"];
    assert_eq!(test["metric"], "f1");
    assert_eq!(test["classes"], serde_json::json!(["0", "1"]));
    for row in test["rows"].as_array().unwrap() {
        let s = &row["scores"];
        for k in [
            "accuracy",
            "error_rate",
            "precision",
            "recall",
            "f1",
            "macro_f1",
            "mcc",
        ] {
            assert!(s[k].is_number() || s[k].is_null(), "{k}: {row}");
        }
        assert!(s["positives"].is_u64() && s["support"].is_u64(), "{row}");
        assert_eq!(row["per_class"].as_array().unwrap().len(), 2, "{row}");
        assert!(
            row["flagged"].is_boolean() && row["intervals"].is_object(),
            "{row}"
        );
    }
    assert!(sbl["slices"][0]["f1"]["n"].as_u64() == Some(2), "{sbl}");
    for run in ["sbl-seed0", "sbl-seed1", "vanilla-seed0", "vanilla-seed1"] {
        assert!(out.join(run).join("model.safetensors").exists(), "{run}");
        assert!(out.join(run).join("config.json").exists(), "{run}");
    }

    // eval on data without any SF column: the model predicts from x1, x2 alone.
    let test = std::fs::read_to_string(data.join("test.csv")).unwrap();
    let bare: String = test
        .lines()
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            format!("{},{},{},{}\n", c[0], c[1], c[2], c[5])
        })
        .collect();
    let bare_path = dir.path().join("bare.csv");
    std::fs::write(&bare_path, bare).unwrap();
    let json = dir.path().join("eval.json");
    let eval = ok(&[
        "eval",
        "--model",
        p(&out.join("sbl-seed0")),
        "--data",
        p(&bare_path),
        "--json",
        p(&json),
    ]);
    assert!(
        eval.contains("overall") && eval.contains("slice_1") && !eval.contains("sf_1"),
        "{eval}"
    );
    assert!(eval.contains("F1 95% CI") && eval.contains("positives"));
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(written["split"], "test");
    let names: Vec<&str> = written["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["overall", "slice_1"]);
    assert!(written["rows"][1]["interval"].is_array(), "{written}");

    let slices = ok(&["slices", "--data", p(&data)]);
    assert!(
        slices.contains("sf_1") && slices.contains("precision") && slices.contains("1.000"),
        "{slices}"
    );
}

#[test]
fn slice_file_expressions_drive_training() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    ok(&["demo", "figure1", "--out", p(&data), "--n", "400"]);
    let toml = dir.path().join("slices.toml");
    std::fs::write(&toml, "[[slice]]\nname = \"disk1\"\nexpr = \"(x1 + 0.35)*(x1 + 0.35) + (x2 + 0.6)*(x2 + 0.6) < 0.0256\"\n").unwrap();
    let table = ok(&[
        "train",
        "--data",
        p(&data),
        "--slices",
        p(&toml),
        "--method",
        "sbl",
        "--epochs",
        "1",
    ]);
    assert!(table.contains("disk1"), "{table}");
    let analysis = ok(&["slices", "--data", p(&data), "--slices", p(&toml)]);
    // The expression is exactly the first true slice.
    let row = analysis.lines().find(|l| l.starts_with("disk1")).unwrap();
    assert!(
        row.contains("slice_1") && row.matches("1.000").count() == 2,
        "{analysis}"
    );
}

#[test]
fn ignored_columns_stay_out_of_the_features_and_class_weights_train() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    ok(&["demo", "figure1", "--out", p(&data), "--n", "400"]);
    let out = dir.path().join("out");
    let printed = ok(&[
        "train",
        "--data",
        p(&data),
        "--ignore",
        "x2",
        "--method",
        "vanilla",
        "--epochs",
        "1",
        "--class-weights",
        "balanced",
        "--out",
        p(&out),
    ]);
    assert!(printed.contains("training rows/s"), "{printed}");
    let card = std::fs::read_to_string(out.join("vanilla-seed0/config.json")).unwrap();
    let card: serde_json::Value = serde_json::from_str(&card).unwrap();
    let features = card["features"]["inputs"].to_string();
    assert!(
        features.contains("\"x1\"") && !features.contains("\"x2\""),
        "{features}"
    );
    assert_eq!(card["train"]["class_weights"], "balanced");
    let o = slicelab(&[
        "train",
        "--data",
        p(&data),
        "--ignore",
        "x3",
        "--epochs",
        "1",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success() && err.contains("'x3'") && err.contains("x1"),
        "{err}"
    );
}

#[test]
fn usage_errors_exit_2_and_failures_exit_1_with_a_clear_message() {
    assert_eq!(
        slicelab(&["train", "--no-such-flag"]).status.code(),
        Some(2)
    );
    // Without a command the desktop app opens; with no display it says why and exits 1.
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_slicelab"))
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("DISPLAY"));
    let o = slicelab(&["train", "--data", "/nonexistent/data.csv", "--label", "y"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("/nonexistent/data.csv"));
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    ok(&["demo", "figure1", "--out", p(&data), "--n", "100"]);
    let toml = dir.path().join("bad.toml");
    std::fs::write(&toml, "[[slice]]\nname = \"oops\"\nexpr = \"x1 >> 2\"\n").unwrap();
    let o = slicelab(&[
        "train",
        "--data",
        p(&data),
        "--slices",
        p(&toml),
        "--epochs",
        "1",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("slice 'oops'") && err.contains("at character 1"),
        "{err}"
    );
}

#[test]
fn help_documents_every_train_flag() {
    let help = ok(&["train", "--help"]);
    for flag in [
        "--data",
        "--demo",
        "--label",
        "--slices",
        "--method",
        "--seeds",
        "--epochs",
        "--batch-size",
        "--lr",
        "--device",
        "--out",
        "--truth-slices",
        "--pred",
        "--split-col",
    ] {
        assert!(help.contains(flag), "missing {flag}");
    }
}

#[test]
fn eval_analyses_an_external_models_prediction_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("preds.csv");
    // The external model is right everywhere except on every row of slice_1.
    let mut csv = String::from("x,y,model_pred,slice_1\n");
    for i in 0..40 {
        let (y, in_slice) = (i % 2, i % 4 == 0);
        let pred = if in_slice { 1 - y } else { y };
        csv.push_str(&format!("{i},{y},{pred},{}\n", u8::from(in_slice)));
    }
    std::fs::write(&path, csv).unwrap();
    let out = ok(&["eval", "--data", p(&path), "--pred", "model_pred"]);
    let row = |name: &str| {
        out.lines()
            .find(|l| l.starts_with(name))
            .unwrap()
            .to_string()
    };
    assert!(row("overall").contains("0.750"), "{out}");
    assert!(
        row("slice_1").contains("0.000") && row("slice_1").contains("10"),
        "{out}"
    );
    assert_eq!(
        slicelab(&["eval", "--data", p(&path)]).status.code(),
        Some(2)
    );
}

#[test]
fn eval_marks_a_worse_slice_too_small_for_an_interval_with_a_question_mark() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("preds.csv");
    common::rare_slice_csv(&path);
    let out = ok(&["eval", "--data", p(&path), "--pred", "model_pred"]);
    let row = out.lines().find(|l| l.starts_with("slice_rare")).unwrap();
    assert!(
        row.contains("0.000") && row.trim_end().ends_with('?'),
        "{out}"
    );
    assert!(
        out.contains("? worse F1 than overall, too few rows"),
        "{out}"
    );
}

#[test]
fn suggest_writes_json_and_a_slice_set_that_loads() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d.csv");
    // The model is wrong on every row with g = 'bad' and on no other row.
    let mut csv = String::from("g,x,y,p\n");
    for i in 0..400 {
        let g = ["bad", "ok1", "ok2", "ok3"][i % 4];
        let y = i % 2;
        let p = if g == "bad" { 1 - y } else { y };
        csv.push_str(&format!("{g},{},{y},{p}\n", i as f64 / 7.0));
    }
    std::fs::write(&data, csv).unwrap();
    let (json, toml) = (dir.path().join("s.json"), dir.path().join("s.toml"));
    let out = ok(&[
        "suggest",
        "--data",
        p(&data),
        "--label",
        "y",
        "--pred",
        "p",
        "--split",
        "all",
        "--top",
        "3",
        "--out",
        p(&json),
        "--as-slices",
        p(&toml),
    ]);
    assert!(out.contains("g = 'bad'"), "{out}");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let first = &v["suggestions"][0];
    assert_eq!(first["expr"], "g = 'bad'");
    assert_eq!(first["size"], 100);
    assert_eq!(first["error_rate"], 1.0);
    assert!(first["score"].as_f64().unwrap() > 0.0 && v["secs"].as_f64().is_some());
    assert_eq!(
        (v["split"].as_str(), v["rows"].as_u64()),
        (Some("all"), Some(400))
    );
    let set = slicelab::slices::SliceSet::load(&toml).unwrap();
    assert_eq!(set.slices[0].expr, "g = 'bad'");
}

#[test]
fn experiments_take_the_same_training_flags_as_train() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cmp");
    ok(&[
        "experiment",
        "compare",
        "--demo",
        "figure1",
        "--n",
        "600",
        "--method",
        "vanilla",
        "--seeds",
        "1",
        "--epochs",
        "1",
        "--hidden",
        "8",
        "--batch-size",
        "64",
        "--lr",
        "0.005",
        "--out",
        p(&out),
    ]);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    // 2 inputs -> 8 hidden -> 2 classes: (2·8 + 8) + (8·2 + 2) parameters, not the default 13,13's.
    assert_eq!(report["methods"][0]["params"], 42);
    let bad = slicelab(&[
        "experiment",
        "figure1",
        "--batch-size",
        "0",
        "--out",
        p(&out),
    ]);
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("batch"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}
