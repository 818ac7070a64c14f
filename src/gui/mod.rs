//! The desktop app: an eframe (wgpu) face over the library. Views draw from a read-only context
//! and emit commands; the app applies them and runs every heavy step (loading, slice evaluation,
//! prediction, training, the views' pictures) on named background threads.

pub mod aggregate;
pub mod analysis;
pub mod app;
pub mod command;
pub mod diff;
pub mod importance;
pub mod jobs;
pub mod models;
pub mod notices;
pub mod state;
pub mod theme;
pub mod views;
pub mod widgets;

use std::path::PathBuf;

pub use app::{AppOptions, SlicelabApp};

/// What the command line asks the app to open.
#[derive(Debug, Clone, Default)]
pub struct Launch {
    /// A dataset file (CSV, csv.gz, Parquet) or a folder with train/valid/test CSVs.
    pub data: Option<PathBuf>,
    /// Its label column; without it the open dialog asks.
    pub label: Option<String>,
    /// A prediction column to analyse.
    pub pred: Option<String>,
}

/// Opens the app window and runs until it is closed.
pub fn run(launch: Launch) -> eframe::Result {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("slicelab")
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([800.0, 500.0])
            .with_drag_and_drop(true),
        renderer: eframe::Renderer::Wgpu,
        ..Default::default()
    };
    eframe::run_native(
        "slicelab",
        options,
        Box::new(move |cc| {
            let opts = AppOptions {
                launch,
                ..AppOptions::default()
            };
            Ok(Box::new(SlicelabApp::new(cc, opts)))
        }),
    )
}
