//! A text dataset in the app: the open dialog offers to embed the text column with the encoder
//! it proposes (`SLICELAB_ENCODER`, here a tiny BERT built in the test), loading embeds it in the
//! background, and a model trains on the embeddings.

mod common;

use std::path::Path;

use common::tiny_bert::{self, HIDDEN};
use common::{wait_for, wait_ready};
use egui_kittest::kittest::Queryable;

#[test]
#[expect(
    unsafe_code,
    reason = "sets environment variables before the app starts"
)]
fn a_text_column_is_embedded_on_open_and_becomes_model_features() {
    let home = tempfile::tempdir().unwrap();
    let encoder = home.path().join("tiny-bert");
    tiny_bert::write(&encoder, 0);
    // Keep the embedding cache inside the test's folder; the dialog offers SLICELAB_ENCODER.
    // SAFETY: set before the app (and any thread reading the environment) starts.
    unsafe {
        std::env::set_var("XDG_CACHE_HOME", home.path().join("cache"));
        std::env::set_var("SLICELAB_ENCODER", &encoder);
    }
    let data = common::reviews_csv();
    let mut h = common::launched(home.path(), data, None, None);
    wait_for(&mut h, "the open dialog", |a| a.open_dialog.is_some());
    h.get_by_label("Embed text column").click();
    h.run();
    // "text" is also the preview's column header; the combo's option is drawn last, on top.
    h.get_all_by_label("text").last().unwrap().click();
    h.run();
    assert!(h.query_by_label("Encoder folder").is_some());
    let offered = &h.state().open_dialog.as_ref().unwrap().encoder;
    assert_eq!(
        Path::new(offered),
        encoder,
        "the dialog offers SLICELAB_ENCODER"
    );
    h.get_by_label("Open").click();
    wait_for(&mut h, "the embedded reviews", |a| {
        a.data.as_ref().is_some_and(|d| {
            d.ds.table
                .column(&format!("text_e{}", HIDDEN - 1))
                .is_some()
        })
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
    assert_eq!(features.dim(), HIDDEN, "the embeddings are the features");
    assert!(features.columns().iter().all(|c| c.starts_with("text_e")));
    let cached = std::fs::read_dir(home.path().join("cache/slicelab/embeddings"))
        .unwrap()
        .count();
    assert_eq!(cached, 1, "the embeddings were cached for the next open");

    // The Train view offers to tune the encoder's top layers with the model.
    let quick_params = h.state().models[0].model.params();
    h.get_by_label("Train").click();
    h.step();
    h.get_by_label("Epochs").set_value_accesskit(2.0);
    // The sample has no slices: Vanilla alone.
    h.get_by_label("sbl").click();
    h.get_by_label("layers tuned").click();
    h.run();
    h.get_by_label("tune top 1").click();
    h.run();
    assert!(h.query_by_label("Encoder learning rate").is_some());
    h.get_by_label("Start training").click();
    wait_for(&mut h, "the tuning run to start", |a| a.training.is_some());
    wait_for(&mut h, "the tuning run to finish", |a| a.training.is_none());
    let tuned: Vec<_> = h
        .state()
        .models
        .iter()
        .filter(|m| m.model.card.train.tune_layers == 1)
        .collect();
    assert!(!tuned.is_empty(), "{:?}", h.state().log);
    for m in tuned {
        assert!(
            m.model.tower_params() > 0
                && m.model.params() > quick_params + m.model.tower_params() / 2,
            "the tuned layer is part of the model"
        );
    }
    assert!(
        !h.state().curves.runs.is_empty(),
        "live curves while tuning"
    );
}
