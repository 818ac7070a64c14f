//! The GPU path's CPU side: `--device auto` on a machine without a GPU, the Train view's device
//! choice, and the CPU half of `scripts/gpu-check.sh` (so the script a GPU machine runs cannot rot).

use crate::common;

use std::process::Command;

use common::cli::{ok, p};

#[test]
fn device_auto_trains_on_the_cpu_here_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let table = ok(&[
        "train",
        "--demo",
        "figure1",
        "--n",
        "300",
        "--epochs",
        "1",
        "--method",
        "vanilla",
        "--seeds",
        "1",
        "--device",
        "auto",
        "--out",
        p(&out),
    ]);
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    let want = if slicelab::model::device::gpu_build() {
        slicelab::model::device::device_name(&slicelab::model::device::auto_device())
    } else {
        "cpu"
    };
    assert_eq!(report["device"], want);
    assert!(table.contains(&format!("s/epoch on {want}")), "{table}");
}

#[test]
fn the_train_view_offers_auto_with_the_device_it_means() {
    use egui::accesskit::Role;
    use egui_kittest::kittest::{NodeT, Queryable};
    let home = tempfile::tempdir().unwrap();
    let mut h = common::app(home.path());
    common::wait_ready(&mut h);
    h.get_by_label("Train").click();
    h.run();
    assert_eq!(h.state().session.views.train.train.device, "auto");
    let combo = h.get_by_role_and_label(Role::ComboBox, "Device");
    assert_eq!(
        combo.accesskit_node().value().as_deref(),
        Some("auto (cpu)")
    );
}

#[test]
fn the_cpu_half_of_the_gpu_check_script_runs() {
    if Command::new("python3").arg("--version").output().is_err() {
        println!("skipped: scripts/gpu-check.sh needs python3, which this machine lacks");
        return;
    }
    let root = env!("CARGO_MANIFEST_DIR");
    let o = Command::new("bash")
        .arg(format!("{root}/scripts/gpu-check.sh"))
        .args(["--cpu-only", "--quick"])
        .env("SLICELAB", env!("CARGO_BIN_EXE_slicelab"))
        .env("RAYON_NUM_THREADS", "1")
        .output()
        .unwrap();
    let (out, err) = (
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr),
    );
    assert!(o.status.success(), "{out}\n{err}");
    assert!(
        out.contains("cpu    sbl") && out.contains("gpu-check: ok"),
        "{out}"
    );
}
