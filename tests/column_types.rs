//! Column types, features and leakage on a user's own table: small integers stay ordered
//! numbers, ISO dates become a date type usable in slices, `--types` overrides inference,
//! identifiers are dropped or warned about, leaking columns are named with the flag that drops
//! them, `--ignore` / `--features` take globs, and report.json records what became a feature.

use crate::common;

use std::path::{Path, PathBuf};

use common::cli::{ok, p, slicelab, stderr};
use serde_json::Value;
use slicelab::data::feature_plan::{Encoding, FeaturePlan};
use slicelab::data::load::{Sources, read_table};
use slicelab::data::types::parse_types;
use slicelab::data::{ColumnKind, Dataset, DatasetSpec, FeatureMap, Split};
use slicelab::slices::{SliceDef, SliceSet};

/// 240 rows: a string id, a row counter, a decile (1..10), a count (0..11), a date, a sex, two
/// `v_*` scores, a column that gives the label away, and the label `y`. Row `i`'s date is in
/// the second half of 2013 when `i % 4 >= 2`.
fn table_csv() -> String {
    let mut csv = String::from("id,row,decile,priors,date,sex,v_a,v_b,leak,y\n");
    for i in 0..240u32 {
        let y = u32::from((i * 7 + i / 3) % 5 < 2);
        let month = if i % 4 >= 2 { 7 + i % 6 } else { 1 + i % 5 };
        csv.push_str(&format!(
            "A-{i:05},{i},{},{},2013-{month:02}-{:02},{},{:.2},{:.2},{:.3},{y}\n",
            1 + (i * 13) % 10,
            (i * 5) % 12,
            1 + i % 28,
            if i % 3 == 0 { "Female" } else { "Male" },
            f64::from((i * 31) % 17) / 3.0,
            f64::from((i * 11) % 23) / 7.0,
            f64::from(y) * 5.0 + f64::from(i % 10) / 10.0,
        ));
    }
    csv
}

fn write(dir: &Path) -> PathBuf {
    let path = dir.join("people.csv");
    std::fs::write(&path, table_csv()).unwrap();
    path
}

/// Runs `train` (one quick epoch) with `extra` flags; returns stderr and report.json.
fn train(data: &Path, out: &Path, extra: &[&str]) -> (String, Value) {
    let o = train_once(data, out, &[&["--label", "y"], extra].concat());
    let err = stderr(&o);
    assert!(o.status.success(), "train {extra:?} failed:\n{err}");
    let report = std::fs::read_to_string(out.join("report.json")).unwrap();
    (err, serde_json::from_str(&report).unwrap())
}

/// report.json's encoding of a feature column, or `None` when it is not a feature.
fn encoding_of<'a>(report: &'a Value, column: &str) -> Option<&'a Value> {
    report["feature_plan"]["features"]
        .as_array()?
        .iter()
        .find(|f| f["column"] == column)
}

/// report.json's reason for leaving `column` out, if it did.
fn reason_of(report: &Value, column: &str) -> Option<String> {
    report["feature_plan"]["dropped"]
        .as_array()?
        .iter()
        .find(|f| f["column"] == column)
        .map(|d| d["reason"].as_str().unwrap_or_default().to_string())
}

fn dataset(path: &Path, types: &str) -> Dataset {
    let sources = Sources {
        types: parse_types(types).unwrap(),
        ..Sources::resolve(path, None)
    };
    Dataset::load(&sources, &DatasetSpec::new("y")).unwrap()
}

#[test]
fn small_integer_columns_are_ordered_numbers_not_one_hot() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path());
    let t = read_table(&path).unwrap();
    // A decile with 10 values and a count with 12 are the same kind of column.
    assert_eq!(t.column("decile").unwrap().kind, ColumnKind::Numeric);
    assert_eq!(t.column("priors").unwrap().kind, ColumnKind::Numeric);
    let ds = dataset(&path, "");
    let plan = FeaturePlan::of(&ds, &[]);
    let cols = plan.columns();
    let fm = FeatureMap::fit(&ds.table, &cols, &ds.indices(Split::Train)).unwrap();
    let width = |name: &str| {
        fm.inputs
            .iter()
            .find(|i| i.column() == name)
            .unwrap()
            .width()
    };
    assert_eq!((width("decile"), width("priors")), (1, 1), "one value each");
    // Declared categorical, the decile is one-hot again: its 10 levels plus other and missing.
    let ds = dataset(&path, "decile=categorical");
    let plan = FeaturePlan::of(&ds, &[]);
    let decile = plan.features.iter().find(|f| f.column == "decile").unwrap();
    assert_eq!(decile.encoding, Encoding::OneHot { levels: 10 });
    let fm = FeatureMap::fit(&ds.table, &plan.columns(), &ds.indices(Split::Train)).unwrap();
    let one_hot = fm.inputs.iter().find(|i| i.column() == "decile").unwrap();
    assert_eq!(one_hot.width(), 12);
}

#[test]
fn a_column_declared_categorical_is_a_feature_even_where_it_looks_like_an_identifier() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path());
    let reason = |plan: &FeaturePlan| {
        plan.dropped
            .iter()
            .find(|d| d.column == "id")
            .map(|d| d.reason.label())
    };
    // Inferred, the unique `A-00017` codes are an identifier and stay out.
    let plan = FeaturePlan::of(&dataset(&path, ""), &[]);
    assert_eq!(reason(&plan), Some("identifier"));
    // Declared categorical, the user's word wins: a one-hot feature (levels capped).
    let plan = FeaturePlan::of(&dataset(&path, "id=categorical"), &[]);
    assert_eq!(reason(&plan), None);
    let id = plan.features.iter().find(|f| f.column == "id").unwrap();
    assert!(matches!(id.encoding, Encoding::OneHot { .. }), "{id:?}");
}

#[test]
fn a_date_column_with_a_few_bad_values_reads_as_dates_with_those_cells_missing() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("seen,often_bad,y\n");
    for i in 0..200u32 {
        let seen = match i {
            17 => "2013-02-30".to_string(),
            90 => "unknown".to_string(),
            _ => format!("2013-{:02}-{:02}", 1 + i % 12, 1 + i % 28),
        };
        // One bad value in ten is not a typo: that column stays text.
        let often = if i % 10 == 0 {
            "soon".to_string()
        } else {
            seen.clone()
        };
        csv.push_str(&format!("{seen},{often},{}\n", i % 2));
    }
    let path = dir.path().join("dates.csv");
    std::fs::write(&path, csv).unwrap();
    let t = read_table(&path).unwrap();
    let seen = t.column("seen").unwrap();
    assert_eq!(seen.kind, ColumnKind::Date);
    assert!(seen.is_missing(17) && seen.is_missing(90) && !seen.is_missing(18));
    assert_eq!(seen.display(18), "2013-07-19");
    assert_ne!(t.column("often_bad").unwrap().kind, ColumnKind::Date);
    let note = t
        .notices
        .iter()
        .find(|n| n.contains("'seen'"))
        .expect("a note");
    assert!(
        note.contains("2 of 200 values are not ISO dates") && note.contains("data row 18"),
        "{note}"
    );
    assert!(note.contains("'2013-02-30'"), "{note}");
}

#[test]
fn iso_dates_are_a_date_type_with_a_day_number_feature_and_slices() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path());
    let ds = dataset(&path, "");
    let date = ds.table.column("date").unwrap();
    assert_eq!(date.kind, ColumnKind::Date);
    assert_eq!(date.display(0), "2013-01-01", "shown back as ISO text");
    let plan = FeaturePlan::of(&ds, &[]);
    let f = plan.features.iter().find(|f| f.column == "date").unwrap();
    assert_eq!(f.encoding, Encoding::DateOrdinal);
    // Comparisons with ISO text compare dates: the second half of 2013 is every row i % 4 >= 2.
    let set = SliceSet {
        slices: vec![
            SliceDef::new("late", "date >= '2013-06-01'"),
            SliceDef::new("one_day", "date IN ('2013-01-01')"),
        ],
    };
    let ev = set.evaluate(&ds.table).unwrap();
    assert_eq!(ev.masks[0].count(), 120);
    assert_eq!(
        ev.masks[1].count(),
        (0..240)
            .filter(|i| i % 4 < 2 && i % 5 == 0 && i % 28 == 0)
            .count()
    );
    let bad = SliceSet {
        slices: vec![SliceDef::new("bad", "date >= '2013-13-01'")],
    };
    let err = bad.evaluate(&ds.table).unwrap_err().to_string();
    assert!(err.contains("'2013-13-01' is not an ISO date"), "{err}");
    // Missing cells stay missing rather than becoming day 0.
    let holes = dir.path().join("holes.csv");
    std::fs::write(&holes, "d,y\n2013-01-27,0\n,1\n2013-01-28 10:11:12,1\n").unwrap();
    let t = read_table(&holes).unwrap();
    let d = t.column("d").unwrap();
    assert!(d.is_missing(1) && d.kind == ColumnKind::Date);
    assert_eq!(d.display(2), "2013-01-28 10:11:12");
}

#[test]
fn a_number_column_ordered_against_text_is_an_error_at_the_literal() {
    let dir = tempfile::tempdir().unwrap();
    let ds = dataset(&write(dir.path()), "");
    let eval = |expr: &str| {
        let set = SliceSet {
            slices: vec![SliceDef::new("s", expr)],
        };
        set.evaluate(&ds.table).map(|ev| ev.masks[0].count())
    };
    // Before, `priors >= '2020-01-01'` compared the digits as text and matched rows silently.
    let err = eval("decile > 1 AND priors >= '2020-01-01'")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("number column 'priors' is ordered against the text '2020-01-01'")
            && err.contains("holds numbers, not dates")
            && err.contains("at character 16"),
        "{err}"
    );
    let err = eval("decile + 1 < 'abc'").unwrap_err().to_string();
    assert!(
        err.contains("a number is ordered against the text 'abc'"),
        "{err}"
    );
    // A quoted number still compares as a number, and = keeps matching the written value.
    assert_eq!(eval("priors >= '6'").unwrap(), eval("priors >= 6").unwrap());
    assert_eq!(eval("priors = 'abc'").unwrap(), 0);
}

#[test]
fn train_says_which_columns_became_features_and_report_json_records_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path());
    let (err, report) = train(&path, &dir.path().join("out"), &[]);
    assert!(err.contains("features: 8 of 10 columns"), "{err}");
    assert!(
        err.contains("numeric 6 [row, decile, priors, …, leak]"),
        "{err}"
    );
    assert!(
        err.contains("date 1 [date]") && err.contains("one-hot 1 [sex (2)]"),
        "{err}"
    );
    assert!(
        err.contains("not features (2): identifier 1 [id]; label 1 [y]"),
        "{err}"
    );
    assert_eq!(
        encoding_of(&report, "decile").unwrap()["encoding"],
        "numeric"
    );
    assert_eq!(
        encoding_of(&report, "date").unwrap()["encoding"],
        "date_ordinal"
    );
    let sex = encoding_of(&report, "sex").unwrap();
    assert_eq!(
        (&sex["encoding"], &sex["levels"]),
        (&"one_hot".into(), &2.into())
    );
    // A string unique per row is an identifier, never 240 one-hot slots.
    assert_eq!(reason_of(&report, "id").as_deref(), Some("identifier"));
    assert_eq!(reason_of(&report, "y").as_deref(), Some("label"));
    // The report's own keys are still there for older readers.
    assert!(report["methods"].is_array(), "{report}");
}

#[test]
fn leaking_and_identifier_columns_are_warned_about_with_the_flag_to_drop_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path());
    let (err, report) = train(&path, &dir.path().join("out"), &[]);
    let leak = err
        .lines()
        .find(|l| l.starts_with("warning:") && l.contains("leak (auc 1.000)"))
        .unwrap_or_else(|| panic!("no leakage warning:\n{err}"));
    assert!(leak.contains("--ignore leak"), "{leak}");
    let id = err
        .lines()
        .find(|l| l.starts_with("warning:") && l.contains("row identifier"))
        .unwrap_or_else(|| panic!("no identifier warning:\n{err}"));
    assert!(id.contains(": row;") && id.contains("--ignore row"), "{id}");
    // Warned, not dropped.
    assert!(encoding_of(&report, "leak").is_some() && encoding_of(&report, "row").is_some());
    let warned: Vec<&str> = report["column_warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["column"].as_str().unwrap())
        .collect();
    assert_eq!(warned, ["row", "leak"]);
    // Following the advice silences it.
    let (err, _) = train(&path, &dir.path().join("out2"), &["--ignore", "leak,row"]);
    assert!(!err.contains("warning:"), "{err}");
}

/// A recidivism-like table with two columns recorded after the outcome: `is_recid`, 1 on every
/// reoffending row and on 6% of the others (97% agreement, under the 0.98 score threshold), and
/// `r_degree`, the later charge, set to `(F3)` on 80% of the reoffending rows only.
fn post_outcome_csv() -> String {
    let mut csv = String::from("age,priors,sex,c_degree,is_recid,r_degree,two_year_recid\n");
    for i in 0..600u32 {
        let priors = (i * 7) % 11;
        let age = 18 + (i * 13) % 50;
        // The honest signal: more priors and youth, with noise.
        let y = u32::from(priors + u32::from(age < 30) * 3 + (i * 5) % 7 > 9);
        let is_recid = u32::from(y == 1 || i % 50 < 3);
        let r_degree = if y == 1 && i % 5 != 0 { "(F3)" } else { "" };
        let sex = if i % 4 == 0 { "Female" } else { "Male" };
        let c_degree = if i % 3 == 0 { "M" } else { "F" };
        csv.push_str(&format!(
            "{age},{priors},{sex},{c_degree},{is_recid},{r_degree},{y}\n"
        ));
    }
    csv
}

/// One Vanilla epoch on `data` into `out` with `extra` flags; the process's output.
fn train_once(data: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let head = [
        "train",
        "--data",
        p(data),
        "--method",
        "vanilla",
        "--epochs",
        "1",
    ];
    slicelab(&[&head[..], &["--out", p(out)], extra].concat())
}

#[test]
fn columns_recorded_after_the_outcome_are_named_even_under_the_score_threshold() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("recid.csv");
    std::fs::write(&path, post_outcome_csv()).unwrap();
    let mut args = vec!["--label", "two_year_recid"];
    let o = train_once(&path, &dir.path().join("out"), &args);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    let line = (err.lines())
        .find(|l| l.contains("track the label"))
        .unwrap_or_else(|| panic!("no warning about post-outcome columns:\n{err}"));
    assert!(
        line.contains("is_recid = 1 on 100.0% of the rows labelled 1 and on only ")
            && line.contains("r_degree = (F3)")
            && line.contains("--ignore is_recid,r_degree"),
        "{line}"
    );
    for honest in ["age", "priors", "sex", "c_degree"] {
        assert!(
            !line.contains(&format!("{honest} =")),
            "{honest} flagged: {line}"
        );
    }
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out/report.json")).unwrap())
            .unwrap();
    let kinds: Vec<(&str, &str)> = (report["column_warnings"].as_array().unwrap().iter())
        .map(|w| {
            (
                w["column"].as_str().unwrap(),
                w["warning"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [("is_recid", "containment"), ("r_degree", "containment")]
    );
    // Following the advice silences it.
    args.extend(["--ignore", "is_recid,r_degree"]);
    let o = train_once(&path, &dir.path().join("out2"), &args);
    assert!(!stderr(&o).contains("track the label"), "{}", stderr(&o));
}

/// In the app, at 1,000 px: the warning about post-outcome columns is listed whole, wrapped to
/// the window, in the notices panel (not the error banner), advises an app action rather than a
/// flag, and goes away when dismissed.
#[test]
fn the_app_lists_the_post_outcome_warning_whole_and_wrapped_at_1000_px() {
    use egui_kittest::kittest::{NodeT, Queryable};
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join("recid.csv");
    std::fs::write(&path, post_outcome_csv()).unwrap();
    let opts = slicelab::gui::AppOptions {
        launch: slicelab::gui::Launch {
            data: Some(path),
            label: Some("two_year_recid".into()),
            pred: None,
        },
        ..common::options(home.path())
    };
    let mut h = egui_kittest::Harness::builder()
        .with_size([1000.0, 800.0])
        .build_eframe(move |cc| slicelab::gui::SlicelabApp::new(cc, opts));
    common::wait_for(&mut h, "the warning", |a| !a.notices.is_empty());
    h.run_steps(2);
    let text = {
        let notices = &h.state().notices;
        assert_eq!(notices.len(), 1, "{notices:?}");
        notices[0].text.clone()
    };
    assert!(text.len() > 400, "a long warning: {text}");
    assert!(
        !text.contains("--ignore") && text.contains("Leave these out"),
        "{text}"
    );
    assert!(
        h.state().error.is_none(),
        "warnings stay out of the error banner"
    );
    // The status bar's last log line says it too; the notice is the one with the mark.
    let node = h.get_by_label_contains("⚠ 2 columns track the label");
    let rect = node.rect();
    assert!(rect.right() <= 1000.0, "cut at the window's edge: {rect:?}");
    assert!(rect.height() > 40.0, "wrapped over several lines: {rect:?}");
    let ak = node.accesskit_node();
    let shown = ak.value().or(ak.label()).unwrap_or_default().to_string();
    assert!(shown.ends_with(&text), "the notice is shown whole: {shown}");
    h.get_by_label("Dismiss").click();
    h.run_steps(3);
    assert!(h.state().notices.is_empty());
    assert!(h.query_by_label_contains("⚠ 2 columns track").is_none());
}

#[test]
fn types_flag_changes_encodings_and_names_bad_values_and_columns() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path());
    let (_, report) = train(
        &path,
        &dir.path().join("out"),
        &["--types", "decile=categorical,date=text"],
    );
    let decile = encoding_of(&report, "decile").unwrap();
    assert_eq!(
        (&decile["encoding"], &decile["levels"]),
        (&"one_hot".into(), &10.into())
    );
    assert_eq!(reason_of(&report, "date").as_deref(), Some("free_text"));
    let bad = |types: &str| {
        let o = slicelab(&[
            "slices",
            "--data",
            p(&path),
            "--label",
            "y",
            "--types",
            types,
        ]);
        assert!(!o.status.success(), "--types {types} was accepted");
        stderr(&o)
    };
    let err = bad("sex=numeric");
    assert!(
        err.contains("'sex'") && err.contains("row 1 holds 'Female'"),
        "{err}"
    );
    let err = bad("decil=numeric");
    assert!(err.contains("'decil'") && err.contains("decile"), "{err}");
    let err = bad("decile=float");
    assert!(
        err.contains("'float'") && err.contains("numeric, categorical, date or text"),
        "{err}"
    );
}

#[test]
fn ignore_and_features_take_globs_and_name_a_glob_that_matches_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path());
    let (_, report) = train(&path, &dir.path().join("a"), &["--ignore", "v_*,l??k"]);
    for c in ["v_a", "v_b", "leak"] {
        assert_eq!(reason_of(&report, c).as_deref(), Some("ignored"), "{c}");
    }
    let (_, report) = train(&path, &dir.path().join("b"), &["--features", "v_*,dec*"]);
    let used: Vec<&str> = report["feature_plan"]["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["column"].as_str().unwrap())
        .collect();
    assert_eq!(used, ["decile", "v_a", "v_b"]);
    assert_eq!(
        reason_of(&report, "sex").as_deref(),
        Some("not_in_features")
    );
    let o = slicelab(&[
        "train",
        "--data",
        p(&path),
        "--label",
        "y",
        "--epochs",
        "1",
        "--ignore",
        "w_*",
    ]);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(err.contains("--ignore: no column matches 'w_*'"), "{err}");
    // The --features help names it as the whitelist alternative.
    let help = ok(&["train", "--help"]);
    assert!(help.contains("whitelist"), "{help}");
}

#[test]
fn the_open_dialog_lists_features_and_takes_a_type_per_column() {
    use egui::accesskit::Role;
    use egui_kittest::kittest::Queryable;
    let home = tempfile::tempdir().unwrap();
    let data = write(home.path());
    let mut h = common::launched(home.path(), data, None, None);
    common::wait_for(&mut h, "the open dialog", |a| a.open_dialog.is_some());
    common::wait_for_text(&mut h, "Features: 8 used, 2 dropped");
    h.get_by_label_contains("Features: 8 used").click();
    common::wait_for_text(&mut h, "id · not a feature: identifier");
    // The date column (the fifth) declared text leaves the features.
    h.get_by_role_and_label(Role::ComboBox, "date").click();
    h.run();
    h.get_by_label("text").click();
    common::wait_for_text(&mut h, "Features: 7 used, 3 dropped");
    h.get_by_label("Open").click();
    common::wait_for(&mut h, "the file to load", |a| a.data.is_some());
    let state = h.state();
    let d = state.data.as_ref().unwrap();
    assert_eq!(d.ds.table.column("date").unwrap().kind, ColumnKind::Text);
    let slicelab::gui::state::SourceSpec::File { types, .. } = &d.source else {
        panic!("{:?}", d.source)
    };
    assert_eq!(types, &parse_types("date=text").unwrap());
    // The log says what became a feature and warns about the leaking column.
    let log = state.log.join("\n");
    assert!(log.contains("features: 7 of 10 columns"), "{log}");
    assert!(log.contains("untick leak under Features"), "{log}");
}

#[test]
fn a_session_from_before_the_types_field_still_loads() {
    let old = r#"{"kind":"file","path":"d.csv","label":"y","header":"auto"}"#;
    let spec: slicelab::gui::state::SourceSpec = serde_json::from_str(old).unwrap();
    let slicelab::gui::state::SourceSpec::File { types, .. } = &spec else {
        panic!("{spec:?}")
    };
    assert!(types.is_empty());
    // And a session without type choices is written as before.
    assert!(!serde_json::to_string(&spec).unwrap().contains("types"));
}

/// Issue 17 item 9: deleting an SF used to make its column a model input (249 → 262
/// parameters). Columns named `sf_*` hold SF outputs and stay out of the features unless
/// `--features` names them.
#[test]
fn an_sf_column_no_slice_uses_is_still_not_a_feature() {
    let ds = slicelab::data::demo::Figure1 {
        n: 200,
        ..Default::default()
    }
    .dataset();
    let only_sf1 = slicelab::slices::SliceSet::from_columns(&["sf_1".to_string()]);
    let cols = slicelab::slices::columns::feature_columns(&ds, &only_sf1);
    assert_eq!(cols, vec!["x1".to_string(), "x2".to_string()]);
    let mut whitelisted = ds.clone();
    whitelisted.choice.only = Some(vec!["x1".into(), "sf_2".into()]);
    let cols = slicelab::slices::columns::feature_columns(&whitelisted, &only_sf1);
    assert_eq!(cols, vec!["x1".to_string(), "sf_2".to_string()]);
}
