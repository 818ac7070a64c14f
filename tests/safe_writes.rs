//! Nothing the user made is lost: saves never delete foreign files, interrupted or failed runs
//! keep what finished, divergence is said out loud (issue 13, items 1-3 and 9).

use crate::common;

use common::cli::{p, slicelab, stderr, stdout};

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn train_demo(out: &Path, extra: &[&str]) -> Output {
    let epochs = if extra.contains(&"--epochs") {
        &[][..]
    } else {
        &["--epochs", "1"][..]
    };
    let mut args = vec![
        "train", "--demo", "figure1", "--n", "400", "--method", "vanilla",
    ];
    args.extend_from_slice(epochs);
    args.push("--out");
    args.push(p(out));
    args.extend_from_slice(extra);
    slicelab(&args)
}

/// `train` of 50 seeds into `out` (minutes of work), started in the background.
fn long_train(out: &Path, stderr: Stdio) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_slicelab"))
        .args([
            "train", "--demo", "figure1", "--n", "2000", "--method", "vanilla", "--seeds", "50",
            "--epochs", "3", "--out",
        ])
        .arg(out)
        .env("RAYON_NUM_THREADS", "1")
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .unwrap()
}

fn report(out: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap()
}

/// Names in `dir`, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn a_folder_that_is_not_a_model_folder_is_refused_before_training_and_left_intact() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    std::fs::create_dir_all(out.join("vanilla-seed0")).unwrap();
    std::fs::write(out.join("vanilla-seed0/notes.txt"), "my notes").unwrap();
    let o = train_demo(&out, &[]);
    assert!(!o.status.success(), "{}", stdout(&o));
    let err = stderr(&o);
    assert!(
        err.contains("vanilla-seed0") && err.contains("not empty"),
        "{err}"
    );
    assert!(!stdout(&o).contains("overall"), "refused before training");
    assert_eq!(
        std::fs::read_to_string(out.join("vanilla-seed0/notes.txt")).unwrap(),
        "my notes"
    );
    assert_eq!(listing(&out.join("vanilla-seed0")), ["notes.txt"]);
}

#[test]
fn saving_over_a_model_folder_keeps_the_users_files_and_survives_stale_leftovers() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    let first = train_demo(&out, &[]);
    assert!(first.status.success(), "{}", stderr(&first));
    let model = out.join("vanilla-seed0");
    std::fs::write(model.join("notes.txt"), "my notes").unwrap();
    // What an older build's save left when it was killed between its rename and its delete.
    std::fs::create_dir_all(out.join(".vanilla-seed0.old")).unwrap();
    std::fs::write(out.join(".vanilla-seed0.old/config.json"), "{}").unwrap();
    // A staging folder of this build, left by a process that no longer runs (pid 0).
    std::fs::create_dir_all(model.join(".slicelab-staging-0")).unwrap();
    std::fs::write(model.join(".slicelab-staging-0/model.safetensors"), "half").unwrap();
    for _ in 0..2 {
        let again = train_demo(&out, &["--seed-start", "0"]);
        assert!(again.status.success(), "{}", stderr(&again));
    }
    assert_eq!(
        listing(&model),
        ["config.json", "model.safetensors", "notes.txt"]
    );
    assert_eq!(
        std::fs::read_to_string(model.join("notes.txt")).unwrap(),
        "my notes"
    );
    let data = dir.path().join("data");
    let demo = slicelab(&["demo", "figure1", "--out", p(&data), "--n", "300"]);
    assert!(demo.status.success(), "{}", stderr(&demo));
    let test = data.join("test.csv");
    let ok = slicelab(&["eval", "--model", p(&model), "--data", p(&test)]);
    assert!(ok.status.success(), "{}", stderr(&ok));
}

#[test]
fn an_unwritable_out_fails_before_training() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "not a folder").unwrap();
    let o = train_demo(&file.join("out"), &["--epochs", "200"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("not writable"), "{}", stderr(&o));
    assert!(!stdout(&o).contains("overall"), "no training ran");
}

#[test]
fn a_diverged_run_is_said_recorded_and_fails_the_command() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    let o = train_demo(&out, &["--lr", "1e6", "--epochs", "3"]);
    let err = stderr(&o);
    assert!(!o.status.success(), "exit code says it failed: {err}");
    assert!(err.contains("vanilla-seed0: diverged"), "{err}");
    let runs = &report(&out)["runs"];
    let reason = runs[0]["stop_reason"].as_str().unwrap();
    assert!(reason == "diverged" || reason == "non_finite", "{runs}");
}

#[test]
fn non_finite_flags_are_refused() {
    for (flag, value) in [
        ("--weight-decay", "nan"),
        ("--grad-clip", "inf"),
        ("--lr", "nan"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let o = train_demo(&dir.path().join("o"), &[flag, value]);
        assert!(!o.status.success(), "{flag} {value} accepted");
        assert_eq!(o.status.code(), Some(1));
        let err = stderr(&o).to_lowercase();
        assert!(err.contains(value), "{flag}: {err}");
    }
    let o = slicelab(&[
        "train",
        "--demo",
        "figure1",
        "--seed-start",
        "18446744073709551615",
        "--seeds",
        "2",
    ]);
    assert!(stderr(&o).contains("--seed-start"), "{}", stderr(&o));
}

#[cfg(unix)]
#[test]
#[expect(unsafe_code, reason = "sends SIGINT to the child with libc")]
fn ctrl_c_during_training_keeps_finished_runs_and_writes_an_interrupted_report() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    let mut child = long_train(&out, Stdio::piped());
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let first = lines
        .by_ref()
        .map_while(Result::ok)
        .find(|l| l.contains("vanilla-seed0:"))
        .expect("the first run finishes");
    assert!(first.contains("vanilla-seed0: completed"), "{first}");
    let pid = child.id() as i32;
    // SAFETY: sending a signal to our own child process.
    unsafe { libc::kill(pid, libc::SIGINT) };
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(start.elapsed() < Duration::from_secs(120), "no exit");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(130), "{rest:?}");
    let r = report(&out);
    assert_eq!(r["interrupted"], true);
    let saved: Vec<String> = listing(&out)
        .into_iter()
        .filter(|n| n.starts_with("vanilla-seed"))
        .collect();
    assert!(!saved.is_empty() && saved.len() < 50, "{saved:?}");
    for name in &saved {
        assert_eq!(
            listing(&out.join(name)),
            ["config.json", "model.safetensors"]
        );
    }
    let summarised = r["runs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["summarised"] == true)
        .count();
    assert_eq!(summarised, saved.len(), "every finished run was saved");
    assert!(
        !listing(&out).iter().any(|n| n.starts_with('.')),
        "no staging left"
    );
}

#[test]
fn a_train_killed_after_its_first_run_leaves_that_run_saved_and_loadable() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    let mut child = long_train(&out, Stdio::null());
    let start = Instant::now();
    let first = out.join("vanilla-seed0");
    // The run's folder is saved first, then report.json with it.
    while !(first.join("config.json").exists() && out.join("report.json").exists()) {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "the first run is never saved"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    // SIGKILL: no handler runs, nothing is written after this.
    child.kill().unwrap();
    child.wait().unwrap();
    let saved: Vec<String> = listing(&out)
        .into_iter()
        .filter(|n| n.starts_with("vanilla-seed"))
        .collect();
    assert!(saved.len() < 50, "the kill came before the end: {saved:?}");
    for name in &saved {
        assert_eq!(
            listing(&out.join(name)),
            ["config.json", "model.safetensors"]
        );
    }
    let r = report(&out);
    let runs: Vec<&str> = r["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["run"].as_str().unwrap())
        .collect();
    assert!(runs.contains(&"vanilla-seed0"), "{runs:?}");
    let notes = r["notes"].to_string();
    assert!(
        notes.contains("partial:") && notes.contains("of 50 runs"),
        "{notes}"
    );
    let data = dir.path().join("data");
    let demo = slicelab(&["demo", "figure1", "--out", p(&data), "--n", "300"]);
    assert!(demo.status.success(), "{}", stderr(&demo));
    let eval = slicelab(&[
        "eval",
        "--model",
        p(&first),
        "--data",
        p(&data.join("test.csv")),
    ]);
    assert!(eval.status.success(), "{}", stderr(&eval));
    assert!(stdout(&eval).contains("overall"), "{}", stdout(&eval));
}

#[test]
fn a_report_json_of_the_users_is_never_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("report.json"), "{\"mine\": true}").unwrap();
    let o = train_demo(&out, &[]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("report.json"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(out.join("report.json")).unwrap(),
        "{\"mine\": true}"
    );
    let o = slicelab(&["experiment", "figure1", "--epochs", "1", "--out", p(&out)]);
    assert!(!o.status.success());
    assert_eq!(
        listing(&out),
        ["report.json"],
        "nothing written, nothing trained"
    );
    // A report slicelab wrote is replaced by the next run.
    std::fs::remove_file(out.join("report.json")).unwrap();
    for _ in 0..2 {
        let o = train_demo(&out, &[]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
}

#[test]
fn output_files_never_replace_a_users_data() {
    let dir = tempfile::tempdir().unwrap();
    let mine = dir.path().join("train.csv");
    std::fs::write(&mine, "my,data\n1,2\n").unwrap();
    // `demo --out` into a folder holding the user's train.csv.
    let o = slicelab(&["demo", "figure1", "--n", "100", "--out", p(dir.path())]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("train.csv"), "{}", stderr(&o));
    // `--json`, `--write` and `suggest --out` onto the same data file.
    let data = dir.path().join("demo");
    assert!(
        slicelab(&["demo", "figure1", "--n", "100", "--out", p(&data)])
            .status
            .success()
    );
    let input = data.join("test.csv");
    for args in [
        vec![
            "eval",
            "--data",
            p(&data),
            "--pred",
            "sf_1",
            "--json",
            p(&mine),
        ],
        vec!["slices", "--data", p(&data), "--write", p(&mine)],
        vec![
            "suggest",
            "--data",
            p(&input),
            "--pred",
            "sf_1",
            "--out",
            p(&mine),
        ],
    ] {
        let o = slicelab(&args);
        assert!(!o.status.success(), "{args:?} replaced my file");
        assert!(stderr(&o).contains("refusing"), "{args:?}: {}", stderr(&o));
    }
    assert_eq!(std::fs::read_to_string(&mine).unwrap(), "my,data\n1,2\n");
    // slicelab's own outputs are replaced on the next run.
    let json = dir.path().join("eval.json");
    for _ in 0..2 {
        let o = slicelab(&[
            "eval",
            "--data",
            p(&data),
            "--pred",
            "sf_1",
            "--json",
            p(&json),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
}
