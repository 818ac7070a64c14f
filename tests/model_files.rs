//! Model folders are checked before they are trusted, and models are never written with values
//! that cannot be read back (issue 13, items 7 and 8).

use crate::common;

use common::cli::{p, slicelab};

use std::path::Path;

use candle_core::Device;
use serde_json::Value;
use slicelab::data::builder::ColumnBuilder;
use slicelab::data::{FeatureMap, Table};
use slicelab::train::TrainedModel;

/// Trains a one-epoch Vanilla model on the demo into `out/vanilla-seed0`.
fn trained(out: &Path, hidden: &str) -> std::path::PathBuf {
    let o = slicelab(&[
        "train",
        "--demo",
        "figure1",
        "--n",
        "300",
        "--method",
        "vanilla",
        "--epochs",
        "1",
        "--hidden",
        hidden,
        "--out",
        p(out),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    out.join("vanilla-seed0")
}

/// A copy of model folder `from` at `to` with its config.json changed by `edit`.
fn edited(from: &Path, to: &Path, edit: impl FnOnce(&mut Value)) {
    std::fs::create_dir_all(to).unwrap();
    std::fs::copy(from.join("model.safetensors"), to.join("model.safetensors")).unwrap();
    let mut card: Value =
        serde_json::from_str(&std::fs::read_to_string(from.join("config.json")).unwrap()).unwrap();
    edit(&mut card);
    std::fs::write(to.join("config.json"), card.to_string()).unwrap();
}

fn load_error(dir: &Path) -> String {
    match TrainedModel::load(dir, &Device::Cpu) {
        Ok(_) => panic!("{} loaded", dir.display()),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_config_that_does_not_match_its_weights_is_an_error_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let model = trained(&dir.path().join("a"), "13,13");
    assert!(TrainedModel::load(&model, &Device::Cpu).is_ok());

    let wider = dir.path().join("wider");
    edited(&model, &wider, |c| {
        let d = c["model"]["input_dim"].as_u64().unwrap();
        c["model"]["input_dim"] = (d + 1).into();
    });
    let e = load_error(&wider);
    assert!(e.contains("config.json") && e.contains("input_dim"), "{e}");

    let narrower = dir.path().join("narrower");
    edited(&model, &narrower, |c| {
        c["features"]["inputs"].as_array_mut().unwrap().pop();
    });
    let e = load_error(&narrower);
    assert!(e.contains("config.json") && e.contains("features"), "{e}");

    let huge = dir.path().join("huge");
    edited(&model, &huge, |c| {
        c["model"]["hidden"] = serde_json::json!([1_000_000_000_000_000u64]);
    });
    let e = load_error(&huge);
    assert!(e.contains("model.hidden"), "{e}");

    // The CLI says the same and exits 1, not with an abort.
    let o = slicelab(&["eval", "--model", p(&huge), "--data", "unused.csv"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("model.hidden"));
}

#[test]
fn weights_of_another_architecture_are_refused_naming_the_tensor() {
    let dir = tempfile::tempdir().unwrap();
    let small = trained(&dir.path().join("small"), "8,8");
    let model = trained(&dir.path().join("a"), "13,13");
    std::fs::copy(
        small.join("model.safetensors"),
        model.join("model.safetensors"),
    )
    .unwrap();
    let e = load_error(&model);
    assert!(
        e.contains("model.safetensors") && e.contains("shape"),
        "{e}"
    );
}

#[test]
fn huge_numbers_train_to_a_model_that_reads_back_and_infinities_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("big.csv");
    let mut text = String::from("big,x,y\n");
    for i in 0..300 {
        let big = if i % 2 == 0 { 1.7e308 } else { -1.6e308 };
        text.push_str(&format!("{big:e},{},{}\n", i % 7, i % 2));
    }
    std::fs::write(&csv, &text).unwrap();
    let out = dir.path().join("o");
    let o = slicelab(&[
        "train",
        "--data",
        p(&csv),
        "--label",
        "y",
        "--method",
        "vanilla",
        "--epochs",
        "1",
        "--out",
        p(&out),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(TrainedModel::load(&out.join("vanilla-seed0"), &Device::Cpu).is_ok());

    // Parquet float columns can hold infinities (CSV text 'inf' reads as a category).
    let mut col = ColumnBuilder::new("big");
    [1.0, f64::INFINITY, 2.0]
        .into_iter()
        .for_each(|x| col.push_num(x));
    let table = Table {
        source: "t.parquet".into(),
        columns: vec![col.finish()],
        ..Default::default()
    };
    let e = FeatureMap::fit(&table, &["big".into()], &[0, 1, 2])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("t.parquet") && e.contains("'big'") && e.contains("inf"),
        "{e}"
    );
}
