//! The GPU path, trained on the CPU: with the fused kernels switched off, every layer, the SBL
//! head and AdamW run as candle's composite tensor expressions, exactly as on a GPU. A short
//! training run through them must follow the fused CPU run step for step (issue 14). This file
//! holds one test because the switch is process-wide.

use std::sync::atomic::AtomicBool;

use slicelab::data::demo::Figure1;
use slicelab::kernels::set_enabled;
use slicelab::model::Method;
use slicelab::train::{ClassWeights, TrainConfig};
use slicelab::train::{DataSource, ExperimentResult, ExperimentSpec, run_experiment};

fn train(fused: bool, class_weights: ClassWeights) -> ExperimentResult {
    set_enabled(fused);
    let source = DataSource::Demo(Figure1 {
        n: 600,
        ..Figure1::default()
    });
    let spec = ExperimentSpec {
        methods: vec![Method::Sbl, Method::Vanilla, Method::Hps, Method::Moe],
        seeds: vec![1],
        train: TrainConfig {
            epochs: 2,
            weight_decay: 1e-4,
            class_weights,
            ..TrainConfig::default()
        },
        rep_dim: None,
        features: None,
        metric: None,
    };
    let stop = AtomicBool::new(false);
    let r = run_experiment(&source, &source.default_slices(), &spec, &mut |_| {}, &stop);
    set_enabled(true);
    r.unwrap()
}

fn weights(r: &ExperimentResult, i: usize) -> Vec<(String, Vec<f32>)> {
    let data = r.runs[i].model.varmap.data().lock().unwrap();
    let mut v: Vec<(String, Vec<f32>)> = data
        .iter()
        .map(|(k, t)| (k.clone(), t.flatten_all().unwrap().to_vec1().unwrap()))
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

#[test]
fn training_through_the_composite_path_follows_the_fused_path() {
    for weights_mode in [ClassWeights::None, ClassWeights::Balanced] {
        let fused = train(true, weights_mode);
        let composite = train(false, weights_mode);
        let mut largest = 0.0f32;
        for (i, (a, b)) in fused.runs.iter().zip(&composite.runs).enumerate() {
            let name = a.method.name();
            for (ea, eb) in a.outcome.history.iter().zip(&b.outcome.history) {
                for (x, y, term) in [
                    (ea.loss.total, eb.loss.total, "total"),
                    (ea.loss.base, eb.loss.base, "base"),
                    (ea.loss.indicator, eb.loss.indicator, "indicator"),
                    (ea.loss.slice_pred, eb.loss.slice_pred, "slice"),
                ] {
                    assert!(
                        (x - y).abs() <= 1e-4 * (1.0 + x.abs()),
                        "{name} epoch {} {term} loss: fused {x} vs composite {y}",
                        ea.epoch
                    );
                }
            }
            for ((n, wa), (_, wb)) in weights(&fused, i).iter().zip(&weights(&composite, i)) {
                let worst = wa
                    .iter()
                    .zip(wb)
                    .map(|(x, y)| (x - y).abs())
                    .fold(0.0, f32::max);
                assert!(worst < 1e-4, "{name} {n}: weights differ by {worst}");
                largest = largest.max(worst);
            }
        }
        // Both runs taking the same path would agree to the bit: the switch must take effect.
        assert!(
            largest > 0.0,
            "the composite run went through the fused kernels"
        );
        eprintln!("{weights_mode:?}: largest weight difference {largest:e}");
    }
}
