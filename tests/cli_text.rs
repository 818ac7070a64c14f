//! A model trained on text embeddings remembers its encoder: `eval` on raw text data embeds it
//! the same way, and refuses a different encoder.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn encoder_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/models/all-MiniLM-L6-v2")
}

/// Every 160th review of `../shared/data/rotten_tomatoes.csv` (text and label): 81 rows.
fn reviews_sample(dir: &Path) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/rotten_tomatoes.csv");
    let mut reader = csv::Reader::from_path(&src).unwrap();
    let path = dir.join("reviews.csv");
    let mut writer = csv::Writer::from_path(&path).unwrap();
    writer.write_record(["text", "label"]).unwrap();
    for record in reader.records().step_by(160) {
        let r = record.unwrap();
        writer.write_record([&r[0], &r[2]]).unwrap();
    }
    writer.flush().unwrap();
    path
}

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
    let data = reviews_sample(home.path());
    let (data, out) = (data.to_str().unwrap(), home.path().join("out"));
    let enc = encoder_dir();
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
    assert_eq!(card["embedding"]["dim"], 384);

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
