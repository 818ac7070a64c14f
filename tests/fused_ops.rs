//! The fused CPU kernels of the SBL head agree with the composite tensor expressions (used on
//! GPUs) in value and gradient.

use candle_core::{Device, Tensor, Var};

use slicelab::model::Attention;
use slicelab::model::fused::{AttentionOp, BceOp, CombineOp, SliceCeOp};
use slicelab::model::loss::{bce_with_logits, masked_slice_ce_per_slot};
use slicelab::model::sram::attention;

const B: usize = 6;
const S: usize = 5;

fn rand(shape: &[usize], seed: u64) -> Var {
    // A small deterministic generator keeps the test independent of candle's unseeded RNG.
    let n: usize = shape.iter().product();
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let v: Vec<f32> = (0..n)
        .map(|_| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((x >> 33) as f32 / (1u64 << 31) as f32) * 6.0 - 3.0
        })
        .collect();
    Var::from_tensor(&Tensor::from_vec(v, shape, &Device::Cpu).unwrap()).unwrap()
}

fn close(a: &Tensor, b: &Tensor, what: &str) {
    let a: Vec<f32> = a.flatten_all().unwrap().to_vec1().unwrap();
    let b: Vec<f32> = b.flatten_all().unwrap().to_vec1().unwrap();
    assert_eq!(a.len(), b.len());
    for (i, (x, y)) in a.iter().zip(&b).enumerate() {
        assert!(
            (x - y).abs() <= 1e-4 * (1.0 + y.abs()),
            "{what}[{i}]: fused {x} vs composite {y}"
        );
    }
}

/// Value and gradients (w.r.t. `inputs`) of `sum(f(..) * w)` for a fixed random `w`.
fn value_and_grads(out: &Tensor, inputs: &[&Var]) -> (Tensor, Vec<Tensor>) {
    let w = rand(out.dims(), 99);
    let loss = (out * w.as_tensor()).unwrap().sum_all().unwrap();
    let grads = loss.backward().unwrap();
    // An input the output does not depend on has no gradient: count it as zeros.
    let grad = |v: &Var| {
        grads
            .get(v.as_tensor())
            .cloned()
            .unwrap_or_else(|| v.as_tensor().zeros_like().unwrap())
    };
    (out.clone(), inputs.iter().map(|v| grad(v)).collect())
}

#[test]
fn attention_matches_for_every_variant_and_class_count() {
    for c in [2usize, 3] {
        for kind in [
            Attention::Full,
            Attention::Indicator,
            Attention::Confidence,
            Attention::Uniform,
        ] {
            let (q, p) = (rand(&[B, S], 1), rand(&[B, S, c], 2));
            let fused = q
                .as_tensor()
                .apply_op2(p.as_tensor(), AttentionOp(kind))
                .unwrap();
            let composite = attention(q.as_tensor(), p.as_tensor(), kind).unwrap();
            let (fv, fg) = value_and_grads(&fused, &[&q, &p]);
            let (cv, cg) = value_and_grads(&composite, &[&q, &p]);
            close(&fv, &cv, &format!("{kind:?} C={c} value"));
            close(&fg[0], &cg[0], &format!("{kind:?} C={c} dq"));
            close(&fg[1], &cg[1], &format!("{kind:?} C={c} dp"));
        }
    }
}

#[test]
fn combine_matches_batched_matmul() {
    let (a, r) = (rand(&[B, S], 3), rand(&[B, S, 4], 4));
    let fused = a.as_tensor().apply_op2(r.as_tensor(), CombineOp).unwrap();
    let composite = a
        .as_tensor()
        .unsqueeze(1)
        .unwrap()
        .matmul(r.as_tensor())
        .unwrap()
        .squeeze(1)
        .unwrap();
    let (fv, fg) = value_and_grads(&fused, &[&a, &r]);
    let (cv, cg) = value_and_grads(&composite, &[&a, &r]);
    close(&fv, &cv, "combine");
    close(&fg[0], &cg[0], "da");
    close(&fg[1], &cg[1], "dr");
}

#[test]
fn masked_slice_ce_matches_including_empty_slots() {
    let p = rand(&[B, S, 3], 5);
    let y = Tensor::new(&[0u32, 2, 1, 1, 0, 2], &Device::Cpu).unwrap();
    // Slot 3 has no member at all.
    let m: Vec<f32> = (0..B * S)
        .map(|i| f32::from(u8::from(i % S != 3 && (i * 7) % 3 != 0)))
        .collect();
    let mask = Tensor::from_vec(m, (B, S), &Device::Cpu).unwrap();
    let fused = p.as_tensor().apply_op3(&y, &mask, SliceCeOp).unwrap();
    let composite = masked_slice_ce_per_slot(p.as_tensor(), &y, &mask).unwrap();
    let (fv, fg) = value_and_grads(&fused, &[&p]);
    let (cv, cg) = value_and_grads(&composite, &[&p]);
    close(&fv, &cv, "slice ce");
    close(&fg[0], &cg[0], "dp");
    assert_eq!(fv.to_vec1::<f32>().unwrap()[3], 0.0);
}

#[test]
fn indicator_bce_matches() {
    let q = rand(&[B, S], 6);
    let t = Tensor::from_vec(
        (0..B * S)
            .map(|i| f32::from(u8::from(i % 3 == 0)))
            .collect::<Vec<_>>(),
        (B, S),
        &Device::Cpu,
    )
    .unwrap();
    let fused = q.as_tensor().apply_op2(&t, BceOp).unwrap();
    let composite = bce_with_logits(q.as_tensor(), &t)
        .unwrap()
        .mean(0)
        .unwrap()
        .sum_all()
        .unwrap();
    let (fv, fg) = value_and_grads(&fused, &[&q]);
    let (cv, cg) = value_and_grads(&composite, &[&q]);
    close(&fv, &cv, "bce");
    close(&fg[0], &cg[0], "dq");
}
