//! Group DRO, JTT and slice reweighting do what their papers say on small cases, and the
//! spurious-correlation demo shows worst-slice scores.

use crate::common;

use std::sync::atomic::AtomicBool;

use candle_core::{DType, Device, Tensor};
use candle_nn::{VarBuilder, VarMap};
use common::cli::{ok, p};
use slicelab::data::demo::Figure1;
use slicelab::data::spurious::Spurious;
use slicelab::model::loss::per_row_nll;
use slicelab::model::{Batch, Method, Model, ModelConfig};
use slicelab::train::objective::{GroupDro, Objective};
use slicelab::train::prepared::Prepared;
use slicelab::train::robust::{jtt_first_stage, reweight_weights, training_errors};
use slicelab::train::single_run::SeedContext;
use slicelab::train::{DataSource, TrainConfig, run_experiment};

use common::train_spec as spec;

fn spurious(n: usize) -> DataSource {
    DataSource::Spurious(Spurious {
        n,
        ..Spurious::default()
    })
}

#[test]
fn group_dro_moves_weight_to_the_group_with_the_highest_loss() {
    let d = Device::Cpu;
    let cfg = ModelConfig {
        method: Method::Gdro,
        input_dim: 2,
        hidden: vec![4],
        rep_dim: 4,
        n_classes: 2,
        n_slices: 2,
        slice_loss_weights: vec![],
    };
    let varmap = VarMap::new();
    let model = Model::new(&cfg, VarBuilder::from_varmap(&varmap, DType::F32, &d)).unwrap();
    slicelab::optim::init::init_seeded(&varmap, 4).unwrap();
    let rows = 24;
    let x: Vec<f32> = (0..rows * 2)
        .map(|i| 3.0 * (i as f32 * 0.71).cos())
        .collect();
    let y: Vec<u32> = (0..rows).map(|i| u32::from(i % 2 == 0)).collect();
    // Base slice (all rows), then two overlapping slices.
    let mask: Vec<f32> = (0..rows)
        .flat_map(|i| {
            [
                1.0,
                f32::from(u8::from(i < 10)),
                f32::from(u8::from(i % 3 == 0)),
            ]
        })
        .collect();
    let batch = Batch {
        x: Tensor::from_vec(x, (rows, 2), &d).unwrap(),
        y: Tensor::from_vec(y, rows, &d).unwrap(),
        slices: Tensor::from_vec(mask.clone(), (rows, 3), &d).unwrap(),
        class_weights: None,
    };
    // Each group's mean CE, by hand.
    let nll: Vec<f32> = per_row_nll(&model.forward(&batch.x).unwrap().logits, &batch.y)
        .unwrap()
        .to_vec1()
        .unwrap();
    let group_loss = |g: usize| {
        let rows: Vec<usize> = (0..rows).filter(|&i| mask[i * 3 + g] > 0.0).collect();
        rows.iter().map(|&i| f64::from(nll[i])).sum::<f64>() / rows.len() as f64
    };
    let losses: Vec<f64> = (0..3).map(group_loss).collect();
    let hardest = (0..3)
        .max_by(|&a, &b| losses[a].total_cmp(&losses[b]))
        .unwrap();
    let mut objective = Objective::GroupDro(GroupDro::new(3, 50.0));
    let idx = Tensor::arange(0u32, rows as u32, &d).unwrap();
    let mut last = 1.0 / 3.0;
    for _ in 0..40 {
        let terms = objective.loss(&model, &batch, &idx).unwrap();
        let Objective::GroupDro(state) = &objective else {
            unreachable!()
        };
        // The loss is the q-weighted sum of the group losses.
        let want: f64 = state.q.iter().zip(&losses).map(|(q, l)| q * l).sum();
        let got = f64::from(terms.total.to_scalar::<f32>().unwrap());
        assert!((got - want).abs() < 1e-4, "{got} vs {want}");
        assert!(state.q[hardest] > last, "{:?} (losses {losses:?})", state.q);
        last = state.q[hardest];
    }
    assert!(last > 0.6, "{last} (losses {losses:?})");
}

#[test]
fn group_dro_lifts_the_minority_groups_of_the_spurious_demo() {
    let source = spurious(3000);
    let slices = source.default_slices();
    let done = AtomicBool::new(false);
    let spec = spec(vec![Method::Vanilla, Method::Gdro], 8);
    let result = run_experiment(&source, &slices, &spec, &mut |_| {}, &done).unwrap();
    let worst = |m: &str| {
        let r = result.runs.iter().find(|r| r.method.name() == m).unwrap();
        r.test
            .extremes(slicelab::metrics::Metric::Accuracy)
            .worst
            .unwrap()
            .1
    };
    assert!(
        worst("gdro") > worst("vanilla") + 0.2,
        "{} vs {}",
        worst("gdro"),
        worst("vanilla")
    );
    let q = result.runs[1]
        .outcome
        .group_weights
        .clone()
        .expect("group weights");
    assert_eq!(q.len(), 3);
    assert!((q.iter().sum::<f64>() - 1.0).abs() < 1e-9);
}

#[test]
fn jtt_upweights_exactly_the_first_stage_errors_on_the_training_split() {
    let source = spurious(2000);
    let slices = source.default_slices();
    let spec = spec(vec![Method::Jtt], 3);
    let done = AtomicBool::new(false);
    let result = run_experiment(&source, &slices, &spec, &mut |_| {}, &done).unwrap();
    let run = &result.runs[0];
    assert_eq!(run.method, Method::Jtt);
    // The first stage again, the same way: the same seed gives the same model and errors.
    let ds = source.dataset(0);
    let data = Prepared::new(&ds, &slices, None, 0, &Device::Cpu).unwrap();
    let ctx = SeedContext {
        seed: 0,
        ds: &ds,
        data: &data,
        slices: &slices,
        spec: &spec,
        cancel: &done,
    };
    let first = jtt_first_stage(&ctx, (0, 1), &mut |_| {}).unwrap();
    assert_eq!(
        first.outcome.history.len(),
        TrainConfig::default().jtt_epochs
    );
    let errors = training_errors(&first, &data).unwrap();
    assert!(!errors.is_empty());
    assert_eq!(run.upweighted, errors);
    assert!(errors.iter().all(|i| data.train.contains(i)));
}

#[test]
fn reweighting_gives_each_disjoint_slice_its_size_plus_the_table() {
    let source = DataSource::Demo(Figure1 {
        n: 4000,
        ..Figure1::default()
    });
    let slices = source.default_slices();
    let ds = source.dataset(0);
    let data = Prepared::new(&ds, &slices, None, 0, &Device::Cpu).unwrap();
    let w = reweight_weights(&data);
    let n = data.train.len() as f64;
    let mean = data.train.iter().map(|&i| f64::from(w[i])).sum::<f64>() / n;
    assert!((mean - 1.0).abs() < 1e-4, "{mean}");
    // The two disks are disjoint: each slice's rows together weigh (n_g + n) before scaling.
    let in_slice = |j: usize| -> Vec<usize> {
        data.train
            .iter()
            .copied()
            .filter(|&i| data.sf_masks[j].get(i))
            .collect()
    };
    let (a, b) = (in_slice(0), in_slice(1));
    assert!(a.iter().all(|i| !b.contains(i)));
    let total = |rows: &[usize]| rows.iter().map(|&i| f64::from(w[i])).sum::<f64>();
    let want = (a.len() as f64 + n) / (b.len() as f64 + n);
    assert!(
        (total(&a) / total(&b) - want).abs() < 1e-3,
        "{} vs {want}",
        total(&a) / total(&b)
    );
    // A row in no slice weighs the least.
    let outside = data
        .train
        .iter()
        .find(|&&i| !data.sf_masks[0].get(i) && !data.sf_masks[1].get(i));
    let min = data.train.iter().map(|&i| w[i]).fold(f32::MAX, f32::min);
    assert_eq!(outside.map(|&i| w[i]), Some(min));
}

#[test]
fn the_spurious_demo_reports_worst_slice_scores_for_every_method() {
    let dir = tempfile::tempdir().unwrap();
    let table = ok(&[
        "train",
        "--demo",
        "spurious",
        "--n",
        "600",
        "--method",
        "vanilla,sbl,gdro,jtt,reweight",
        "--seeds",
        "2",
        "--epochs",
        "2",
        "--metric",
        "accuracy",
        "--select",
        "worst-slice",
        "--out",
        p(&dir.path().join("out")),
    ]);
    let worst = table
        .lines()
        .find(|l| l.starts_with("worst slice"))
        .unwrap_or_else(|| panic!("no worst-slice row:\n{table}"));
    // Five methods, each with a score (mean ± std over two seeds).
    assert!(worst.matches(" ± ").count() >= 5, "{worst}");
    for m in [
        "gdro accuracy",
        "jtt accuracy",
        "reweight accuracy",
        "mean slice",
    ] {
        assert!(table.contains(m), "{m}:\n{table}");
    }
    // The metric is accuracy: no second accuracy column beside it.
    assert!(!table.contains("gdro acc "), "{table}");
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out/report.json")).unwrap())
            .unwrap();
    // Selection scores the slices by the report's metric: a group without positives has an
    // accuracy, where its F1 would be 0 or undefined.
    for r in report["runs"].as_array().unwrap() {
        let why = r["selection"].as_str().unwrap_or_default();
        assert!(why.contains("validation accuracy"), "{why}");
    }
    for m in report["methods"].as_array().unwrap() {
        assert!(m["worst_slice"]["mean"].is_number(), "{m}");
        assert!(m["mean_slice"]["mean"].is_number(), "{m}");
    }
}

#[test]
fn the_compare_view_shows_seven_methods_with_worst_slice_columns_and_sorts_by_them() {
    use egui::accesskit::Role;
    use egui_kittest::kittest::Queryable;
    let home = tempfile::tempdir().unwrap();
    let mut h = common::app(home.path());
    common::wait_ready(&mut h);
    h.get_by_label("Train").click();
    h.step();
    for m in ["hps", "moe", "gdro", "jtt", "reweight"] {
        h.get_by_role_and_label(Role::CheckBox, m).click();
        h.step();
    }
    h.get_by_label("Epochs").set_value_accesskit(2.0);
    h.step();
    h.get_by_label("Start training").click();
    common::wait_for(&mut h, "the run to start", |a| a.training.is_some());
    common::wait_for(&mut h, "the run to finish", |a| a.training.is_none());
    h.get_by_label("Compare").click();
    common::wait_for_text(&mut h, "worst slice F1");
    h.get_by_label("mean slice F1");
    for m in ["vanilla", "hps", "moe", "sbl", "gdro", "jtt", "reweight"] {
        assert!(
            h.query_all_by_label(m).next().is_some(),
            "{m} is not in Compare"
        );
    }
    h.get_by_role_and_label(Role::ComboBox, "Sort by").click();
    h.run_steps(3);
    h.get_by_label("worst slice").click();
    h.run_steps(3);
    assert_eq!(
        h.state().session.views.compare.sort,
        slicelab::gui::views::compare::SortBy::WorstSlice
    );
}
