//! The fused CPU kernels of the SBL head agree with the composite tensor expressions (used on
//! GPUs) in value and gradient.

use candle_core::{Device, Tensor, Var};

use slicelab::model::Attention;
use slicelab::model::dense::affine;
use slicelab::model::fused::{
    AttentionOp, BceOp, CombineOp, ComposeOp, DenseOp, LogSigmoidOp, NarrowLinearOp, SliceCeOp,
};
use slicelab::model::loss::{bce_with_logits, masked_slice_ce_per_slot};
use slicelab::model::sram::{attention, compose};

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
                .apply_op1(LogSigmoidOp)
                .unwrap()
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
    let lq = q.as_tensor().apply_op1(LogSigmoidOp).unwrap();
    let fused = q.as_tensor().apply_op3(&lq, &t, BceOp).unwrap();
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

#[test]
fn narrow_linear_matches_matmul_plus_bias() {
    // [B, S, H] rows through a 3-output head, as the slice head and final heads use it.
    let (x, w, b) = (rand(&[B, S, 7], 7), rand(&[3, 7], 8), rand(&[1, 3], 9));
    let fused = x
        .as_tensor()
        .apply_op3(w.as_tensor(), b.as_tensor(), NarrowLinearOp)
        .unwrap();
    let composite = x
        .as_tensor()
        .broadcast_matmul(&w.as_tensor().t().unwrap())
        .unwrap()
        .broadcast_add(b.as_tensor())
        .unwrap();
    let (fv, fg) = value_and_grads(&fused, &[&x, &w, &b]);
    let (cv, cg) = value_and_grads(&composite, &[&x, &w, &b]);
    close(&fv, &cv, "narrow linear");
    close(&fg[0], &cg[0], "dx");
    close(&fg[1], &cg[1], "dw");
    close(&fg[2], &cg[2], "db");
}

#[test]
fn compose_matches_batched_matmul_for_one_and_two_heads() {
    let (h, d, c) = (4, 6, 3);
    for parts in [1, 2] {
        let (e, w) = (rand(&[S * h, d], 10), rand(&[parts * c, h], 11));
        let fused = e
            .as_tensor()
            .apply_op2(w.as_tensor(), ComposeOp::new(parts))
            .unwrap();
        // Part-major: every slot under head 0, then every slot under head 1.
        let per_part: Vec<Tensor> = (0..parts)
            .map(|p| {
                let wp = w.as_tensor().narrow(0, p * c, c).unwrap(); // [C, h]
                wp.broadcast_left(S)
                    .unwrap()
                    .matmul(&e.as_tensor().reshape((S, h, d)).unwrap())
                    .unwrap()
                    .reshape((S * c, d))
                    .unwrap()
            })
            .collect();
        let composite = Tensor::cat(&per_part, 0).unwrap();
        let (fv, fg) = value_and_grads(&fused, &[&e, &w]);
        let (cv, cg) = value_and_grads(&composite, &[&e, &w]);
        close(&fv, &cv, "compose");
        close(&fg[0], &cg[0], "de");
        close(&fg[1], &cg[1], "dw");
    }
}

#[test]
fn composed_head_equals_the_head_applied_to_every_expert() {
    // g(r_s) = W (E_s z + e_s) + b, computed as z (W E_s)ᵀ + (W e_s + b).
    let (h, d, c) = (4, 6, 2);
    let (z, e, eb) = (
        rand(&[B, d], 12),
        rand(&[S * h, d], 13),
        rand(&[1, S * h], 14),
    );
    let (w, b) = (rand(&[c, h], 15), rand(&[1, c], 16));
    let m = compose(e.as_tensor(), w.as_tensor(), 1).unwrap();
    let mb = compose(
        &eb.as_tensor().reshape((S * h, 1)).unwrap(),
        w.as_tensor(),
        1,
    )
    .unwrap()
    .reshape((S, c))
    .unwrap()
    .broadcast_add(b.as_tensor())
    .unwrap()
    .reshape((1, S * c))
    .unwrap();
    let composed = affine(z.as_tensor(), &m, &mb)
        .unwrap()
        .reshape((B, S, c))
        .unwrap();
    let r = affine(z.as_tensor(), e.as_tensor(), eb.as_tensor())
        .unwrap()
        .reshape((B, S, h))
        .unwrap();
    let direct = affine(&r, w.as_tensor(), b.as_tensor()).unwrap();
    close(&composed, &direct, "composed head");
}

#[test]
fn dense_matches_matmul_plus_bias() {
    let (x, w, b) = (rand(&[B * S, 7], 17), rand(&[9, 7], 18), rand(&[1, 9], 19));
    let fused = x
        .as_tensor()
        .apply_op3(w.as_tensor(), b.as_tensor(), DenseOp)
        .unwrap();
    let composite = x
        .as_tensor()
        .matmul(&w.as_tensor().t().unwrap())
        .unwrap()
        .broadcast_add(b.as_tensor())
        .unwrap();
    let (fv, fg) = value_and_grads(&fused, &[&x, &w, &b]);
    let (cv, cg) = value_and_grads(&composite, &[&x, &w, &b]);
    close(&fv, &cv, "dense");
    close(&fg[0], &cg[0], "dx");
    close(&fg[1], &cg[1], "dw");
    close(&fg[2], &cg[2], "db");
    assert!(
        fg[1].is_contiguous(),
        "the weight gradient is laid out like the weight"
    );
}
