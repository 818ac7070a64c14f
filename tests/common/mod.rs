//! Helpers shared by the GUI tests: a harness around the real app and waiting for background work.

#![allow(dead_code)]

use std::path::Path;
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

/// Waits until the demo is loaded, its quick model analysed and the slices scored.
pub fn wait_ready(h: &mut Harness<'_, SlicelabApp>) {
    wait_for(h, "the demo's quick model to be analysed", |a| {
        a.predicted.is_some()
            && a.training.is_none()
            && a.jobs.analysis.is_none()
            && a.analysis.as_ref().is_some_and(|x| !x.reports.is_empty())
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
