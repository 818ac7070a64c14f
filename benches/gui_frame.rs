//! The app's UI-thread work per frame on a ~1,000,000-row table: map scene building (points and
//! heatmap binning), the bytes uploaded to the GPU, and whole frames of the real app on the Map tab
//! while a training run and an SF re-evaluation run in the background; then the Errors tab's row
//! inspector (sorted) and feature distributions, with their background work timed on its own.
//!
//! `cargo bench --bench gui_frame` (add `-- --rows N` for another size).

mod common;

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use slicelab::data::Split;
use slicelab::data::demo::Figure1;
use slicelab::gui::command::{Command, TrainRequest};
use slicelab::gui::state::Tab;
use slicelab::gui::views::map::ColorBy;
use slicelab::gui::views::map_scene::build_scene;
use slicelab::gui::{AppOptions, SlicelabApp};
use slicelab::metrics::grid::{Axis, ErrorGrid};
use slicelab::model::Method;
use slicelab::train::config::TrainConfig;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    common::configure_threads();
    let rows: usize = std::env::args()
        .skip_while(|a| a != "--rows")
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    // figure1 makes n train + n/5 valid + n test rows.
    let demo = Figure1 {
        n: rows * 5 / 11,
        ..Figure1::default()
    };
    let ds = demo.dataset();
    let n = ds.n_rows();
    println!("table: {n} rows");
    pieces(&ds);
    frames(demo);
}

/// The per-change work on its own: binning, scene building, upload size.
fn pieces(ds: &slicelab::data::Dataset) {
    let xs = ds.table.column("x1").unwrap().as_numeric().unwrap();
    let ys = ds.table.column("x2").unwrap().as_numeric().unwrap();
    let all: Vec<usize> = (0..ds.n_rows()).collect();
    let pred: Vec<u32> =
        ds.y.iter()
            .enumerate()
            .map(|(i, &y)| if i % 7 == 0 { 1 - y } else { y })
            .collect();
    let t = Instant::now();
    let axes = (
        Axis::fit(xs.iter().copied(), 12),
        Axis::fit(ys.iter().copied(), 12),
    );
    let grid = ErrorGrid::compute((xs, ys), (&ds.y, &pred), &all, axes);
    let binning = t.elapsed();
    let cells = slicelab::gui::views::map_scene::CellValues::error_rates(&grid);
    let t = Instant::now();
    let scene = build_scene(
        (xs, ys),
        &all,
        |i| {
            if pred[i] == ds.y[i] {
                egui::Color32::GREEN
            } else {
                egui::Color32::RED
            }
        },
        Some(&cells),
    );
    let building = t.elapsed();
    let bytes: &[u8] = bytemuck::cast_slice(&scene.instances);
    println!("| step (all {} rows) | ms |\n|---|---|", ds.n_rows());
    println!("| heatmap binning 12x12 | {:.1} |", ms(binning));
    println!("| point + cell instances | {:.1} |", ms(building));
    println!(
        "| GPU upload size | {:.1} MB (once per change) |",
        bytes.len() as f64 / 1e6
    );
    let t = Instant::now();
    let set = slicelab::train::DataSource::Demo(Figure1::default()).default_slices();
    let ev = set.evaluate(&ds.table).unwrap();
    println!(
        "| SF evaluation (2 SFs, background) | {:.1} |",
        ms(t.elapsed())
    );
    let rows = ds.indices(Split::Test);
    let t = Instant::now();
    let refs: Vec<slicelab::metrics::report::SliceRef> = ev
        .names
        .iter()
        .zip(&ev.masks)
        .map(|(name, mask)| slicelab::metrics::report::SliceRef {
            name,
            kind: slicelab::metrics::report::SliceKind::Sf,
            mask,
        })
        .collect();
    let spec = slicelab::metrics::ReportSpec::new(&ds.classes);
    let _ = slicelab::metrics::slice_report(&ds.y, &pred, &rows, Split::Test, &refs, &spec);
    println!(
        "| slice table with bootstrap CIs (test split, background) | {:.1} |",
        ms(t.elapsed())
    );
    inspector_pieces(ds, &pred, &rows, &ev.masks[0]);
}

/// The row inspector's and the distributions' background work on the test split.
fn inspector_pieces(
    ds: &slicelab::data::Dataset,
    pred: &[u32],
    rows: &[usize],
    mask: &slicelab::slices::Bitmap,
) {
    use slicelab::analysis::row_query::{Preds, RowColumn, RowQuery, query};
    let slice: Vec<usize> = rows.iter().copied().filter(|&i| mask.get(i)).collect();
    let columns = slicelab::gui::views::errors::background::feature_columns(ds);
    let t = Instant::now();
    let d = slicelab::metrics::distributions::compare(&ds.table, &columns, &slice, rows);
    println!(
        "| feature distributions, {} features, sf_1 vs test split (background) | {:.1} |",
        d.len(),
        ms(t.elapsed())
    );
    let preds = Preds {
        classes: pred,
        probs: &[],
    };
    let x1 = ds.table.index_of("x1").unwrap_or(0);
    for (what, q) in [
        (
            "row sort by x1",
            RowQuery {
                search: String::new(),
                sort: Some((RowColumn::Table(x1), true)),
            },
        ),
        (
            "row search '0.5' in every cell",
            RowQuery {
                search: "0.5".into(),
                sort: None,
            },
        ),
    ] {
        let t = Instant::now();
        let n = query(ds, preds, rows, &q).len();
        println!(
            "| {what}, test split -> {n} rows (background) | {:.1} |",
            ms(t.elapsed())
        );
    }
}

/// Whole frames of the real app (UI thread only, no renderer) on the Map tab.
fn frames(demo: Figure1) {
    let opts = AppOptions {
        restore: false,
        quick_epochs: 1,
        demo,
        home: Some(std::env::temp_dir().join("slicelab-bench")),
        ..AppOptions::default()
    };
    let mut h = Harness::builder()
        .with_size([1400.0, 900.0])
        .with_max_steps(1_000_000)
        .build_eframe(move |cc| SlicelabApp::new(cc, opts));
    // The paint callback is what the wgpu renderer gets; the bench has no GPU, so it measures
    // the UI thread's side of the GPU path (the painter fallback is measured too).
    let start = Instant::now();
    while !(h.state().predicted.is_some()
        && h.state().training.is_none()
        && h.state()
            .analysis
            .as_ref()
            .is_some_and(|a| !a.reports.is_empty()))
    {
        h.step();
        std::thread::sleep(Duration::from_millis(20));
        assert!(
            start.elapsed() < Duration::from_secs(900),
            "the app did not get ready"
        );
    }
    println!(
        "\napp ready (load, quick model, analysis in the background) after {:.1} s",
        start.elapsed().as_secs_f64()
    );
    h.state_mut().session.tab = Tab::Map;
    for gpu in [true, false] {
        h.state_mut().gpu_points = gpu;
        h.step();
        h.state_mut().push(Command::StartTraining(TrainRequest {
            methods: vec![Method::Sbl],
            seeds: vec![0],
            train: TrainConfig {
                epochs: 1000,
                ..TrainConfig::default()
            },
            noise: Vec::new(),
        }));
        let mut times = Vec::new();
        for f in 0..200 {
            if f % 50 == 0 {
                // Toggling a slice re-evaluates the slice set in the background; switching the
                // colouring rebuilds the map's million instances, also in the background.
                h.state_mut().push(Command::ToggleSlice(0, f % 100 != 0));
                let map = &mut h.state_mut().session.views.map;
                map.color_by = if f % 100 == 0 {
                    ColorBy::Label
                } else {
                    ColorBy::Correct
                };
            }
            let t = Instant::now();
            h.step();
            times.push(ms(t.elapsed()));
            std::thread::sleep(Duration::from_millis(5));
        }
        h.state_mut().push(Command::StopTraining);
        let busy = h.state().training.is_some();
        println!(
            "frames, {} path, training {}: {}",
            if gpu {
                "GPU (paint callback)"
            } else {
                "painter fallback"
            },
            if busy { "running" } else { "finished" },
            summary(times)
        );
        while h.state().training.is_some() {
            h.step();
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    errors_frames(&mut h);
    diff_frames(&mut h);
}

/// Frames of the Diff tab (the quick model against the SBL run, its comparison built in the
/// background) with the slice editor's filter builder open (its column summary is built on the
/// UI thread once per column).
fn diff_frames(h: &mut Harness<'_, SlicelabApp>) {
    use egui_kittest::kittest::Queryable;
    h.state_mut().session.tab = Tab::Diff;
    h.step();
    h.get_by_label("Filter builder").click();
    let times = step_frames(h, 100);
    println!(
        "frames, Diff tab ({} models) with the filter builder open: {}",
        h.state().models.len(),
        summary(times)
    );
}

/// The UI-thread time of `n` frames, 5 ms apart, in ms.
fn step_frames(h: &mut Harness<'_, SlicelabApp>, n: usize) -> Vec<f64> {
    (0..n)
        .map(|_| {
            let t = Instant::now();
            h.step();
            let took = ms(t.elapsed());
            std::thread::sleep(Duration::from_millis(5));
            took
        })
        .collect()
}

/// Median, p95 and max of frame times against the 16 ms budget.
fn summary(mut times: Vec<f64>) -> String {
    times.sort_by(f64::total_cmp);
    let p = |q: f64| times[((times.len() - 1) as f64 * q) as usize];
    format!(
        "median {:.2} ms, p95 {:.2} ms, max {:.2} ms (target < 16 ms)",
        p(0.5),
        p(0.95),
        p(1.0)
    )
}

/// Frames of the Errors tab on slice sf_1: the rows sorted by x1, then the distributions (each
/// asked for on the first frame and built in the background).
fn errors_frames(h: &mut Harness<'_, SlicelabApp>) {
    use slicelab::gui::views::errors::Detail;
    use slicelab::gui::views::errors::rows_table::RowColumn;
    let x1 = h
        .state()
        .data
        .as_ref()
        .and_then(|d| d.ds.table.index_of("x1"))
        .unwrap_or(0);
    h.state_mut().session.tab = Tab::Errors;
    h.state_mut().session.selected = Some("sf_1".into());
    for detail in [Detail::Rows, Detail::Distributions] {
        let view = &mut h.state_mut().session.views.errors;
        view.detail = detail;
        view.row_sort = Some((RowColumn::Table(x1), true));
        println!(
            "frames, Errors tab, {detail:?} of sf_1 (rows sorted by x1): {}",
            summary(step_frames(h, 100))
        );
    }
}
