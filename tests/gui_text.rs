//! A text dataset in the app: the open dialog offers to embed the text column with the MiniLM
//! encoder, loading embeds it in the background, and a model trains on the embeddings.

mod common;

use std::path::{Path, PathBuf};

use common::{options, wait_for, wait_ready};
use egui_kittest::kittest::Queryable;

/// Every 160th review of `../shared/data/rotten_tomatoes.csv` (text and label): 81 rows.
fn reviews_sample(dir: &Path) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/rotten_tomatoes.csv");
    let mut reader = csv::Reader::from_path(&src).unwrap();
    let mut writer = csv::Writer::from_path(dir.join("reviews.csv")).unwrap();
    writer.write_record(["text", "label"]).unwrap();
    for record in reader.records().step_by(160) {
        let r = record.unwrap();
        writer.write_record([&r[0], &r[2]]).unwrap();
    }
    writer.flush().unwrap();
    dir.join("reviews.csv")
}

#[test]
fn a_text_column_is_embedded_on_open_and_becomes_model_features() {
    let home = tempfile::tempdir().unwrap();
    // Keep the embedding cache inside the test's folder.
    // SAFETY: set before the app (and any thread reading the environment) starts.
    unsafe { std::env::set_var("XDG_CACHE_HOME", home.path().join("cache")) };
    let data = reviews_sample(home.path());
    let opts = slicelab::gui::AppOptions {
        launch: slicelab::gui::Launch {
            data: Some(data),
            label: None,
            pred: None,
        },
        ..options(home.path())
    };
    let mut h = egui_kittest::Harness::builder()
        .with_size([1400.0, 900.0])
        .build_eframe(move |cc| slicelab::gui::SlicelabApp::new(cc, opts));
    wait_for(&mut h, "the open dialog", |a| a.open_dialog.is_some());
    h.get_by_label("Embed text column").click();
    h.run();
    // "text" is also the preview's column header; the combo's option is drawn last, on top.
    h.get_all_by_label("text").last().unwrap().click();
    h.run();
    assert!(h.query_by_label("Encoder folder").is_some());
    h.get_by_label("Open").click();
    wait_for(&mut h, "the embedded reviews", |a| {
        a.data
            .as_ref()
            .is_some_and(|d| d.ds.table.column("text_e383").is_some())
    });
    assert!(
        h.state()
            .log
            .iter()
            .all(|l| !l.to_lowercase().contains("error")),
        "{:?}",
        h.state().log
    );
    h.get_by_label("Train a quick Vanilla model").click();
    wait_ready(&mut h);
    let features = &h.state().models[0].model.card.features;
    assert_eq!(features.dim(), 384, "the embeddings are the features");
    assert!(features.columns().iter().all(|c| c.starts_with("text_e")));
    let cached = std::fs::read_dir(home.path().join("cache/slicelab/embeddings"))
        .unwrap()
        .count();
    assert_eq!(cached, 1, "the embeddings were cached for the next open");
}
