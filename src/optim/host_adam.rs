//! AdamW for `f32` variables on the CPU, one in-place pass per variable.
//!
//! candle-nn's AdamW builds about a dozen temporary tensors per variable and step; for the small
//! models trained here that overhead, not the arithmetic, was most of the optimiser's time (and
//! grew with the number of slices through the expert layer). The update is the same formula:
//! `θ ← θ(1 − lr·λ) − lr · m̂ / (√v̂ + ε)`.

use std::cell::RefCell;

use candle_core::backprop::GradStore;
use candle_core::{CpuStorage, InplaceOp2, Layout, Result, Storage, Tensor, Var};
use candle_nn::ParamsAdamW;

use crate::kernels::{self, lanes};

/// AdamW state kept on the host: first and second moments per variable.
pub struct HostAdam {
    vars: Vec<Var>,
    moments: Vec<(Vec<f32>, Vec<f32>)>,
    params: ParamsAdamW,
    step: i32,
}

/// What one variable's update needs besides its value and gradient.
struct Update<'a> {
    moments: RefCell<&'a mut (Vec<f32>, Vec<f32>)>,
    params: &'a ParamsAdamW,
    scale_m: f32,
    scale_v: f32,
    grad_scale: f32,
}

impl HostAdam {
    /// Whether every variable is an `f32` CPU tensor, so this optimiser applies.
    pub fn applies(vars: &[Var]) -> bool {
        vars.iter().all(|v| kernels::usable(v.as_tensor()))
    }

    /// Zero moments for `vars`.
    pub fn new(vars: Vec<Var>, params: ParamsAdamW) -> Self {
        let moments = vars
            .iter()
            .map(|v| (vec![0f32; v.elem_count()], vec![0f32; v.elem_count()]))
            .collect();
        Self {
            vars,
            moments,
            params,
            step: 0,
        }
    }

    /// Sets the learning rate of later steps.
    pub fn set_learning_rate(&mut self, lr: f64) {
        self.params.lr = lr;
    }

    /// One step with every gradient multiplied by `grad_scale` (clipping); AdamW's decoupled
    /// decay is in the parameters.
    pub fn step(&mut self, grads: &GradStore, grad_scale: f64) -> Result<()> {
        self.step += 1;
        let scale_m = 1.0 / (1.0 - self.params.beta1.powi(self.step));
        let scale_v = 1.0 / (1.0 - self.params.beta2.powi(self.step));
        for (var, moments) in self.vars.iter().zip(self.moments.iter_mut()) {
            if let Some(g) = grads.get(var.as_tensor()) {
                let op = Update {
                    moments: RefCell::new(moments),
                    params: &self.params,
                    scale_m: scale_m as f32,
                    scale_v: scale_v as f32,
                    grad_scale: grad_scale as f32,
                };
                var.as_tensor().inplace_op2(g, &op)?;
            }
        }
        Ok(())
    }
}

impl InplaceOp2 for Update<'_> {
    fn name(&self) -> &'static str {
        "host-adamw"
    }

    fn cpu_fwd(
        &self,
        s1: &mut CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> Result<()> {
        let theta = match (s1, l1.contiguous_offsets()) {
            (CpuStorage::F32(d), Some((a, b))) => &mut d[a..b],
            _ => candle_core::bail!("host AdamW expects a contiguous f32 variable"),
        };
        let grad = gathered(s2.as_slice::<f32>()?, l2);
        let mut moments = self.moments.borrow_mut();
        let (m, v) = &mut **moments;
        let n = theta.len();
        if grad.len() != n || m.len() != n || v.len() != n {
            candle_core::bail!("host AdamW: gradient or moments do not match the variable");
        }
        let p = self.params;
        let k = Consts {
            b1: p.beta1 as f32,
            b2: p.beta2 as f32,
            lr: p.lr as f32,
            eps: p.eps as f32,
            decay: 1.0 - (p.lr * p.weight_decay) as f32,
            grad_scale: self.grad_scale,
            scale_m: self.scale_m,
            scale_v: self.scale_v,
        };
        adamw(theta, &grad, m, v, &k);
        Ok(())
    }
}

/// The scalars of one AdamW update.
struct Consts {
    b1: f32,
    b2: f32,
    lr: f32,
    eps: f32,
    decay: f32,
    grad_scale: f32,
    scale_m: f32,
    scale_v: f32,
}

/// The AdamW pass over one variable, with 8-wide AVX lanes where the CPU has them (the `sqrt`
/// and divide per parameter dominate it). Same operations on every path, so the same bits.
fn adamw(theta: &mut [f32], grad: &[f32], m: &mut [f32], v: &mut [f32], k: &Consts) {
    lanes::wide(
        #[inline(always)]
        || adamw_lanes(theta, grad, m, v, k),
    );
}

#[inline(always)]
fn adamw_lanes(theta: &mut [f32], grad: &[f32], m: &mut [f32], v: &mut [f32], k: &Consts) {
    // Indexing equal-length slices lets the compiler drop bounds checks and use SIMD lanes
    // (a four-way zip of iterators stayed scalar).
    let n = theta.len();
    let (grad, m, v) = (&grad[..n], &mut m[..n], &mut v[..n]);
    for i in 0..n {
        let g = grad[i] * k.grad_scale;
        m[i] = k.b1 * m[i] + (1.0 - k.b1) * g;
        v[i] = k.b2 * v[i] + (1.0 - k.b2) * g * g;
        let step = (m[i] * k.scale_m) / ((v[i] * k.scale_v).sqrt() + k.eps);
        theta[i] = theta[i] * k.decay - k.lr * step;
    }
}

/// The values of a tensor in row-major order: borrowed when contiguous, gathered otherwise
/// (a transposed weight's gradient).
fn gathered<'a>(data: &'a [f32], l: &Layout) -> std::borrow::Cow<'a, [f32]> {
    match l.contiguous_offsets() {
        Some((a, b)) => std::borrow::Cow::Borrowed(&data[a..b]),
        None => std::borrow::Cow::Owned(strided(data, l)),
    }
}

/// Copies a strided view out in row-major order.
fn strided(data: &[f32], l: &Layout) -> Vec<f32> {
    let (dims, stride) = (l.dims(), l.stride());
    let mut out = Vec::with_capacity(l.shape().elem_count());
    let mut idx = vec![0usize; dims.len()];
    if dims.contains(&0) {
        return out;
    }
    loop {
        let offset: usize = idx.iter().zip(stride).map(|(i, s)| i * s).sum();
        out.push(data[l.start_offset() + offset]);
        // Odometer increment, last axis fastest.
        let mut axis = dims.len();
        loop {
            if axis == 0 {
                return out;
            }
            axis -= 1;
            idx[axis] += 1;
            if idx[axis] < dims[axis] {
                break;
            }
            idx[axis] = 0;
        }
    }
}

/// Sum of squares of an `f32` CPU tensor's values, read in place; `None` elsewhere.
pub fn host_sum_sq(t: &Tensor) -> Option<f64> {
    let (storage, layout) = t.storage_and_layout();
    match &*storage {
        Storage::Cpu(CpuStorage::F32(data)) => Some(sum_sq(&gathered(data, layout))),
        _ => None,
    }
}

/// `Σ x²` in `f64`, over eight independent partial sums: a single running sum is a serial
/// chain the compiler may not reorder, so it cannot use SIMD lanes.
fn sum_sq(x: &[f32]) -> f64 {
    let mut lanes = [0f64; 8];
    let chunks = x.chunks_exact(8);
    let rest: f64 = chunks
        .remainder()
        .iter()
        .map(|&v| f64::from(v).powi(2))
        .sum();
    for c in chunks {
        for (l, &v) in lanes.iter_mut().zip(c) {
            *l += f64::from(v) * f64::from(v);
        }
    }
    lanes.iter().sum::<f64>() + rest
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::{DType, Device};
    use candle_nn::{AdamW, Optimizer as _};

    fn var(values: &[f32], shape: (usize, usize)) -> Var {
        Var::from_tensor(&Tensor::from_slice(values, shape, &Device::Cpu).unwrap()).unwrap()
    }

    #[test]
    fn matches_candle_adamw_step_for_step() {
        let params = ParamsAdamW {
            lr: 0.05,
            weight_decay: 0.1,
            ..ParamsAdamW::default()
        };
        let init: Vec<f32> = (0..12).map(|i| (i as f32 * 0.7).sin()).collect();
        let (a, b) = (var(&init, (3, 4)), var(&init, (3, 4)));
        let mut ours = HostAdam::new(vec![a.clone()], params.clone());
        let mut theirs = AdamW::new(vec![b.clone()], params).unwrap();
        let target = Tensor::ones((4, 3), DType::F32, &Device::Cpu).unwrap();
        for _ in 0..5 {
            // A transposed use makes the gradient strided, as a linear layer's weight gets.
            let loss = |v: &Var| {
                (v.as_tensor().t().unwrap() - &target)
                    .unwrap()
                    .sqr()
                    .unwrap()
                    .sum_all()
                    .unwrap()
            };
            ours.step(&loss(&a).backward().unwrap(), 1.0).unwrap();
            theirs.step(&loss(&b).backward().unwrap()).unwrap();
        }
        let (x, y): (Vec<f32>, Vec<f32>) = (
            a.flatten_all().unwrap().to_vec1().unwrap(),
            b.flatten_all().unwrap().to_vec1().unwrap(),
        );
        assert_ne!(x, init, "the variable moved");
        for (p, q) in x.iter().zip(&y) {
            assert!((p - q).abs() < 1e-5, "host {p} vs candle {q}");
        }
    }

    #[test]
    fn the_avx2_pass_gives_the_same_bits_as_the_default_build() {
        let n = 1003; // lanes and a tail
        let wave = |f: f32| (0..n).map(|i| (i as f32 * f).sin()).collect::<Vec<f32>>();
        let k = Consts {
            b1: 0.9,
            b2: 0.999,
            lr: 0.01,
            eps: 1e-8,
            decay: 0.999,
            grad_scale: 0.7,
            scale_m: 10.0,
            scale_v: 1000.0,
        };
        let (grad, theta) = (wave(0.37), wave(0.11));
        let (mut t1, mut m1, mut v1) = (
            theta.clone(),
            wave(0.05),
            wave(0.07).iter().map(|x| x * x).collect(),
        );
        let (mut t2, mut m2, mut v2) = (t1.clone(), m1.clone(), Vec::clone(&v1));
        adamw(&mut t1, &grad, &mut m1, &mut v1, &k);
        adamw_lanes(&mut t2, &grad, &mut m2, &mut v2, &k);
        assert_ne!(t1, theta);
        let bits = |x: &[f32]| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&t1), bits(&t2));
        assert_eq!((bits(&m1), bits(&v1)), (bits(&m2), bits(&v2)));
    }

    #[test]
    fn squared_norm_counts_every_lane_and_the_tail() {
        // 8 full lanes of 8 and a tail of 5: Σ i² for i < 69.
        let x: Vec<f32> = (0..69).map(|i| i as f32).collect();
        assert_eq!(sum_sq(&x), (0..69).map(|i| (i * i) as f64).sum::<f64>());
        assert_eq!(sum_sq(&[]), 0.0);
    }

    #[test]
    fn strided_reads_follow_row_major_order() {
        let t = Tensor::from_slice(&[1f32, 2., 3., 4., 5., 6.], (2, 3), &Device::Cpu).unwrap();
        assert_eq!(host_sum_sq(&t.t().unwrap()), Some(91.0));
        let tt = t.t().unwrap();
        let (storage, layout) = tt.storage_and_layout();
        let Storage::Cpu(CpuStorage::F32(data)) = &*storage else {
            panic!("cpu tensor")
        };
        assert_eq!(strided(data, layout), vec![1., 4., 2., 5., 3., 6.]);
    }
}
