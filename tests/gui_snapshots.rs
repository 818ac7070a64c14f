//! Snapshots of the main views rendered by wgpu (lavapipe on CPU-only CI: `.ci/run` installs
//! mesa-vulkan-drivers). Update with `UPDATE_SNAPSHOTS=1 cargo test --test gui_snapshots`.

use crate::common;

use common::{options, wait_ready};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use slicelab::gui::SlicelabApp;

/// Fails with what to install when wgpu finds no adapter, instead of the panic deep inside
/// egui_kittest that a machine without a Vulkan or GL driver would otherwise give.
fn require_wgpu_adapter() {
    // The harness's own setup: the same backends (WGPU_BACKEND) and the same instance flags.
    let setup = egui_kittest::wgpu::default_wgpu_setup();
    let instance = pollster::block_on(setup.new_instance());
    let adapters = pollster::block_on(instance.enumerate_adapters(wgpu::Backends::all()));
    assert!(
        !adapters.is_empty(),
        "no wgpu adapter (WGPU_BACKEND={}): install a Vulkan driver (apt-get install \
         mesa-vulkan-drivers on a machine without a GPU) and set WGPU_BACKEND=vulkan",
        std::env::var("WGPU_BACKEND").unwrap_or_else(|_| "unset".into())
    );
}

#[test]
fn main_views_render_as_expected() {
    require_wgpu_adapter();
    let home = tempfile::tempdir().unwrap();
    let opts = options(home.path());
    let mut h = Harness::builder()
        .wgpu()
        .with_size([1280.0, 800.0])
        .build_eframe(move |cc| SlicelabApp::new(cc, opts));
    assert!(
        h.state().gpu_points,
        "the wgpu renderer registers the point pipeline"
    );
    wait_ready(&mut h);
    let tolerance = common::snapshot_tolerance();
    for tab in ["Errors", "Map"] {
        h.get_by_label(tab).click();
        common::wait_for_text(
            &mut h,
            if tab == "Map" {
                "click a cell"
            } else {
                "F1 95% CI"
            },
        );
        for _ in 0..3 {
            h.step();
        }
        // The status bar shows timings that change from run to run.
        h.mask(egui::Rect::from_min_max(
            egui::pos2(0.0, 770.0),
            egui::pos2(1280.0, 800.0),
        ));
        h.snapshot_options(format!("view_{}", tab.to_lowercase()), &tolerance);
    }
}
