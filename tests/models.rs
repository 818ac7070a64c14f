//! Every method's forward shapes, attention, parameter counts and loss, on real candle tensors.

use candle_core::{DType, Device, Tensor};
use candle_nn::{VarBuilder, VarMap};

use slicelab::model::sram::confidence;
use slicelab::model::{Batch, Method, Model, ModelConfig, param_count};
use slicelab::optim::init_seeded;

fn config(method: Method, k: usize, classes: usize) -> ModelConfig {
    ModelConfig {
        method,
        input_dim: 2,
        hidden: vec![13, 13],
        rep_dim: 13,
        n_classes: classes,
        n_slices: k,
        slice_loss_weights: vec![],
    }
}

fn build(cfg: &ModelConfig, seed: u64) -> (VarMap, Model) {
    let varmap = VarMap::new();
    let model = Model::new(
        cfg,
        VarBuilder::from_varmap(&varmap, DType::F32, &Device::Cpu),
    )
    .unwrap();
    init_seeded(&varmap, seed).unwrap();
    (varmap, model)
}

fn input(batch: usize) -> Tensor {
    let v: Vec<f32> = (0..batch * 2)
        .map(|i| ((i * 37 % 101) as f32 / 50.0) - 1.0)
        .collect();
    Tensor::from_vec(v, (batch, 2), &Device::Cpu).unwrap()
}

/// Four rows, k = 2: slice 1 holds row 0, slice 2 holds row 2.
fn batch() -> Batch {
    let d = Device::Cpu;
    Batch {
        x: input(4),
        y: Tensor::new(&[0u32, 1, 1, 0], &d).unwrap(),
        slices: Tensor::new(
            &[
                [1f32, 1.0, 0.0],
                [1.0, 0.0, 0.0],
                [1.0, 0.0, 1.0],
                [1.0, 0.0, 0.0],
            ],
            &d,
        )
        .unwrap(),
        class_weights: None,
    }
}

#[test]
fn forward_shapes_for_every_slice_at_once() {
    for (k, c) in [(2, 2), (5, 3), (100, 4)] {
        let (_, model) = build(&config(Method::Sbl, k, c), 0);
        let out = model.forward(&input(7)).unwrap();
        assert_eq!(out.logits.dims(), &[7, c]);
        assert_eq!(out.indicator.unwrap().dims(), &[7, k + 1]);
        assert_eq!(out.slice_logits.unwrap().dims(), &[7, k + 1, c]);
        assert_eq!(out.attention.unwrap().dims(), &[7, k + 1]);
    }
}

#[test]
fn attention_and_gate_weights_sum_to_one() {
    for method in [
        Method::Sbl,
        Method::SblUniform,
        Method::SblIndicator,
        Method::SblConfidence,
        Method::Moe,
    ] {
        let (_, model) = build(&config(method, 4, 3), 1);
        let a: Vec<Vec<f32>> = model
            .forward(&input(9))
            .unwrap()
            .attention
            .unwrap()
            .to_vec2()
            .unwrap();
        for row in a {
            assert!(
                (row.iter().sum::<f32>() - 1.0).abs() < 1e-5,
                "{method:?}: {row:?}"
            );
            assert!(row.iter().all(|w| *w >= 0.0));
        }
    }
    // Uniform attention is exactly uniform.
    let (_, model) = build(&config(Method::SblUniform, 4, 2), 1);
    let a: Vec<Vec<f32>> = model
        .forward(&input(3))
        .unwrap()
        .attention
        .unwrap()
        .to_vec2()
        .unwrap();
    assert!(a.iter().flatten().all(|w| (w - 0.2).abs() < 1e-6));
}

#[test]
fn baseline_forward_shapes() {
    for method in [Method::Vanilla, Method::Hps, Method::Manual, Method::Moe] {
        for (k, c) in [(2usize, 2usize), (7, 3)] {
            let (_, model) = build(&config(method, k, c), 0);
            let out = model.forward(&input(5)).unwrap();
            assert_eq!(out.logits.dims(), &[5, c], "{method:?}");
            if method != Method::Vanilla {
                assert_eq!(
                    out.slice_logits.unwrap().dims(),
                    &[5, k + 1, c],
                    "{method:?}"
                );
            }
        }
    }
}

#[test]
fn baseline_parameter_counts() {
    // HPS: backbone 221 + (k+1) heads of 13*2+2.
    for k in [2usize, 10] {
        assert_eq!(
            param_count(&build(&config(Method::Hps, k, 2), 0).0),
            221 + 28 * (k + 1)
        );
    }
    // MoE: k+1 full Vanilla models (249 each) plus a gate Linear(2, k+1): ~+100% per slice.
    for k in [2usize, 10, 100] {
        let moe = param_count(&build(&config(Method::Moe, k, 2), 0).0);
        assert_eq!(moe, 249 * (k + 1) + 3 * (k + 1), "k={k}");
    }
    let sbl = param_count(&build(&config(Method::Sbl, 100, 2), 0).0);
    let moe = param_count(&build(&config(Method::Moe, 100, 2), 0).0);
    assert!(sbl < moe, "SBL {sbl} vs MoE {moe}");
}

#[test]
fn manual_multipliers_weight_the_slice_losses() {
    let batch = batch();
    let v = |t: &Tensor| t.to_scalar::<f32>().unwrap();
    let hps = build(&config(Method::Hps, 2, 2), 3).1.loss(&batch).unwrap();
    let weighted = ModelConfig {
        slice_loss_weights: vec![20.0, 1.0],
        ..config(Method::Manual, 2, 2)
    };
    let manual = build(&weighted, 3).1.loss(&batch).unwrap();
    // Same weights (same seed), so the base terms agree and only the slice term grows.
    assert_eq!(v(&hps.base), v(&manual.base));
    assert!(v(&manual.slice_pred) > 5.0 * v(&hps.slice_pred));
    assert_eq!(v(&hps.indicator), 0.0);
}

#[test]
fn parameter_counts_match_the_architecture() {
    // Vanilla: 2*13+13 + 13*13+13 + 13*2+2 = 249 (as the reference's vanilla).
    let (vm, _) = build(&config(Method::Vanilla, 2, 2), 0);
    assert_eq!(param_count(&vm), 249);
    // SBL adds indicator 13*(k+1)+(k+1), experts 13*13(k+1)+13(k+1), shared slice head 28; head 28.
    for k in [2usize, 10, 100] {
        let (vm, _) = build(&config(Method::Sbl, k, 2), 0);
        let expected = 221 + 14 * (k + 1) + 182 * (k + 1) + 28 + 28;
        assert_eq!(param_count(&vm), expected, "k={k}");
    }
}

#[test]
fn seeded_initialisation_is_reproducible() {
    let cfg = config(Method::Sbl, 3, 2);
    let logits = |seed| -> Vec<Vec<f32>> {
        build(&cfg, seed)
            .1
            .forward(&input(4))
            .unwrap()
            .logits
            .to_vec2()
            .unwrap()
    };
    let (a, b, c) = (logits(5), logits(5), logits(6));
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn confidence_is_abs_logit_gap_for_two_classes_and_top2_margin_otherwise() {
    let d = Device::Cpu;
    let two = Tensor::new(&[[1.0f32, -2.0], [0.5, 3.0]], &d).unwrap();
    assert_eq!(
        confidence(&two).unwrap().to_vec1::<f32>().unwrap(),
        vec![3.0, 2.5]
    );
    let three = Tensor::new(&[[1.0f32, 4.0, 2.5], [0.0, -1.0, -3.0]], &d).unwrap();
    assert_eq!(
        confidence(&three).unwrap().to_vec1::<f32>().unwrap(),
        vec![1.5, 1.0]
    );
}

#[test]
fn loss_has_all_three_terms_and_backpropagates() {
    let (varmap, model) = build(&config(Method::Sbl, 2, 2), 0);
    let batch = batch();
    let terms = model.loss(&batch).unwrap();
    let v = |t: &Tensor| t.to_scalar::<f32>().unwrap();
    assert!(v(&terms.base) > 0.0 && v(&terms.indicator) > 0.0 && v(&terms.slice_pred) > 0.0);
    assert!(
        (v(&terms.total) - v(&terms.base) - v(&terms.indicator) - v(&terms.slice_pred)).abs()
            < 1e-4
    );
    let grads = terms.total.backward().unwrap();
    assert!(
        varmap
            .all_vars()
            .iter()
            .all(|var| grads.get(var.as_tensor()).is_some())
    );
    // Vanilla has only the base term.
    let (_, vanilla) = build(&config(Method::Vanilla, 2, 2), 0);
    let t = vanilla.loss(&batch).unwrap();
    assert_eq!(v(&t.indicator), 0.0);
    assert_eq!(v(&t.total), v(&t.base));
}
