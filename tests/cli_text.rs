//! A model trained on text embeddings remembers its encoder: `eval` on raw text data embeds it
//! the same way, and refuses a different encoder; a tuned encoder folder works as `--encoder`.
//! Runs on the committed review sample and a tiny BERT built in the test.

use crate::common;

use std::path::Path;
use std::process::{Command, Output};

use common::tiny_bert::{self, HIDDEN};

fn slicelab(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_slicelab"))
        .args(args)
        .env("RAYON_NUM_THREADS", "1")
        .env("XDG_CACHE_HOME", home.join("cache"))
        .output()
        .unwrap()
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn eval_embeds_raw_text_with_the_models_encoder_and_refuses_another() {
    let home = tempfile::tempdir().unwrap();
    let data = common::reviews_csv();
    let (data, out) = (data.to_str().unwrap(), home.path().join("out"));
    let enc = home.path().join("tiny-bert");
    tiny_bert::write(&enc, 0);
    let o = slicelab(
        home.path(),
        &[
            "train",
            "--data",
            data,
            "--label",
            "label",
            "--embed",
            "text",
            "--encoder",
            enc.to_str().unwrap(),
            "--method",
            "vanilla",
            "--epochs",
            "2",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{:?}", text(&o));
    let model = out.join("vanilla-seed0");
    let card: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(model.join("config.json")).unwrap()).unwrap();
    assert_eq!(card["embedding"]["column"], "text");
    assert_eq!(card["embedding"]["dim"], HIDDEN);

    // The raw file has no text_e* columns: eval embeds them (from the cache train filled).
    let model = model.to_str().unwrap();
    let o = slicelab(home.path(), &["eval", "--model", model, "--data", data]);
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "{stdout}\n{stderr}");
    assert!(stderr.contains("embedded 'text' (81 rows)"), "{stderr}");
    assert!(stderr.contains("from the cache"), "{stderr}");
    assert!(stdout.contains("overall"), "{stdout}");

    // Same weights and tokenizer but another config: a different encoder, refused by name.
    let other = home.path().join("other-encoder");
    std::fs::create_dir(&other).unwrap();
    for f in [
        "model.safetensors",
        "tokenizer.json",
        "sentence_bert_config.json",
    ] {
        std::os::unix::fs::symlink(enc.join(f), other.join(f)).unwrap();
    }
    let config = std::fs::read_to_string(enc.join("config.json")).unwrap();
    std::fs::write(other.join("config.json"), format!("{config}\n")).unwrap();
    let o = slicelab(
        home.path(),
        &[
            "eval",
            "--model",
            model,
            "--data",
            data,
            "--encoder",
            other.to_str().unwrap(),
        ],
    );
    let (_, stderr) = text(&o);
    assert!(!o.status.success());
    assert!(
        stderr.contains("is not the one the model was trained with")
            && stderr.contains("other-encoder"),
        "{stderr}"
    );
}

#[test]
fn a_tuned_encoder_folder_is_an_encoder_for_train() {
    let home = tempfile::tempdir().unwrap();
    let data = common::reviews_csv();
    let data = data.to_str().unwrap();
    let enc = home.path().join("tiny-bert");
    tiny_bert::write(&enc, 0);
    let tuned = home.path().join("tuned");
    let o = slicelab(
        home.path(),
        &[
            "tune-encoder",
            "--data",
            data,
            "--label",
            "label",
            "--text",
            "text",
            "--encoder",
            enc.to_str().unwrap(),
            "--out",
            tuned.to_str().unwrap(),
            "--epochs",
            "1",
        ],
    );
    assert!(o.status.success(), "{:?}", text(&o));
    assert!(tuned.join("tuning.json").is_file() && tuned.join("model.safetensors").is_file());

    let out = home.path().join("out");
    let o = slicelab(
        home.path(),
        &[
            "train",
            "--data",
            data,
            "--label",
            "label",
            "--embed",
            "text",
            "--encoder",
            tuned.to_str().unwrap(),
            "--method",
            "vanilla",
            "--epochs",
            "1",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{:?}", text(&o));
    let card: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("vanilla-seed0/config.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(card["embedding"]["dim"], HIDDEN);
    let recorded = card["embedding"]["encoder"].as_str().unwrap_or_default();
    assert!(
        recorded.ends_with("tuned"),
        "the card names the tuned folder: {recorded}"
    );
}

#[test]
fn train_tunes_the_encoders_top_layer_and_eval_embeds_raw_text_through_it() {
    let home = tempfile::tempdir().unwrap();
    let data = common::reviews_csv();
    let (data, out) = (data.to_str().unwrap(), home.path().join("out"));
    let enc = home.path().join("tiny-bert");
    tiny_bert::write(&enc, 0);
    let enc = enc.to_str().unwrap();
    let train = |extra: &[&str]| {
        let mut args = vec![
            "train", "--data", data, "--label", "label", "--method", "vanilla", "--epochs", "2",
        ];
        args.extend_from_slice(extra);
        slicelab(home.path(), &args)
    };
    let o = train(&[
        "--embed",
        "text",
        "--encoder",
        enc,
        "--tune-layers",
        "1",
        "--encoder-lr",
        "1e-3",
        "--out",
        out.to_str().unwrap(),
    ]);
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "{stdout}\n{stderr}");
    let model = out.join("vanilla-seed0");
    let card: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(model.join("config.json")).unwrap()).unwrap();
    assert_eq!(card["train"]["tune_layers"], 1);
    assert_eq!(card["train"]["encoder_lr"], 1e-3);
    // The tuned layer's weights live in the model's own file, under the encoder's names.
    let weights =
        candle_core::safetensors::load(model.join("model.safetensors"), &candle_core::Device::Cpu)
            .unwrap();
    assert!(
        weights.keys().any(|k| k.starts_with("encoder.layer.1.")),
        "{:?}",
        weights.keys()
    );
    assert!(!weights.keys().any(|k| k.starts_with("encoder.layer.0.")));

    let o = slicelab(
        home.path(),
        &["eval", "--model", model.to_str().unwrap(), "--data", data],
    );
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("overall"), "{stdout}");
    assert!(
        !stderr.contains("embedded"),
        "no frozen embedding first: {stderr}"
    );

    // The encoder folder moved: the model still loads, and --encoder says where it went.
    let moved = home.path().join("moved-bert");
    std::fs::rename(enc, &moved).unwrap();
    // (The tuned embeddings are cached: without the cache the encoder is needed.)
    std::fs::remove_dir_all(home.path().join("cache")).unwrap();
    let eval = |extra: &[&str]| {
        let mut args = vec!["eval", "--model", model.to_str().unwrap(), "--data", data];
        args.extend_from_slice(extra);
        slicelab(home.path(), &args)
    };
    let o = eval(&[]);
    assert!(!o.status.success());
    assert!(
        text(&o).1.contains("tiny-bert"),
        "names the recorded folder: {:?}",
        text(&o)
    );
    let o = eval(&["--encoder", moved.to_str().unwrap()]);
    let (moved_out, stderr) = text(&o);
    assert!(o.status.success(), "{stderr}");
    assert_eq!(
        moved_out, stdout,
        "the same predictions from the moved encoder"
    );
    std::fs::rename(&moved, enc).unwrap();

    // Without an embedded text column, or with more layers than the encoder has: refused.
    let o = train(&["--tune-layers", "1"]);
    assert!(!o.status.success());
    assert!(
        text(&o)
            .1
            .contains("needs a text column embedded by an encoder"),
        "{:?}",
        text(&o)
    );
    let o = train(&["--embed", "text", "--encoder", enc, "--tune-layers", "9"]);
    assert!(!o.status.success());
    assert!(
        text(&o).1.contains("cannot tune 9 of its 2 layers"),
        "{:?}",
        text(&o)
    );
}
