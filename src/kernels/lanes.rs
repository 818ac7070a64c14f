//! Loops the compiler can vectorise: branch-free `exp` and `ln(1 + x)`, sums and maxima over
//! eight partial lanes, and running a loop with AVX2 lanes where the CPU has them.
//!
//! libm's `expf` and `logf` are a call per element, so a loop over them stays scalar; and a
//! single running sum is a serial chain the compiler may not reorder. The polynomials are the
//! classic Cephes single-precision ones (about 1 ulp).

/// Eight partial sums: as wide as an AVX2 register of `f32`.
const LANES: usize = 8;

/// Runs `f` compiled for AVX2 where the CPU has it (the default x86-64 target has only SSE2).
/// `f`'s body must be inlined into it (`#[inline(always)]` callees) to use the wider lanes.
#[inline(always)]
#[expect(
    unsafe_code,
    reason = "calls the AVX2 build of `f` after checking the CPU has AVX2"
)]
pub(crate) fn wide<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2, checked just above.
        return unsafe { avx2(f) };
    }
    f()
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[expect(unsafe_code, reason = "a target_feature function is unsafe to call")]
unsafe fn avx2<R>(f: impl FnOnce() -> R) -> R {
    f()
}

/// `e^x` for `x` in [−87, 88] (clamped outside, so the result stays finite and normal).
#[inline(always)]
pub(crate) fn exp(x: f32) -> f32 {
    // 1.5 · 2^23: adding and subtracting it rounds to the nearest integer without a call.
    const ROUND: f32 = 12_582_912.0;
    let x = x.clamp(-87.0, 88.0);
    let n = (x * std::f32::consts::LOG2_E + ROUND) - ROUND;
    // x − n·ln 2 in two steps, so the reduced argument keeps its low bits.
    let r = x - n * 0.693_359_4 - n * -2.121_944_4e-4;
    let mut p = 1.987_569_2e-4;
    p = p * r + 1.398_199_9e-3;
    p = p * r + 8.333_452e-3;
    p = p * r + 4.166_579_6e-2;
    p = p * r + 1.666_666_5e-1;
    p = p * r + 0.5;
    let y = p * r * r + r + 1.0;
    y * f32::from_bits(((n as i32 + 127) << 23) as u32)
}

/// `ln(1 + e)` for `e` in [0, 1], the range the stable log-sigmoid needs.
#[inline(always)]
pub(crate) fn ln_1p_unit(e: f32) -> f32 {
    let y = 1.0 + e;
    // y = m · 2^k with m in [√½, √2).
    let big = y > std::f32::consts::SQRT_2;
    let (m, k) = if big { (y * 0.5, 1.0) } else { (y, 0.0) };
    let f = m - 1.0;
    let z = f * f;
    let mut p = 7.037_683_6e-2;
    p = p * f - 1.151_461e-1;
    p = p * f + 1.167_699_9e-1;
    p = p * f - 1.242_014_1e-1;
    p = p * f + 1.424_932_3e-1;
    p = p * f - 1.666_805_8e-1;
    p = p * f + 2.000_071_4e-1;
    p = p * f - 2.499_999_4e-1;
    p = p * f + 3.333_333e-1;
    let r = p * f * z + k * -2.121_944_4e-4 - 0.5 * z;
    f + r + k * 0.693_359_4
}

/// `Σ x` over eight partial sums (a fixed order, whatever the register width).
#[inline(always)]
pub(crate) fn sum(x: &[f32]) -> f32 {
    let mut acc = [0f32; LANES];
    let chunks = x.chunks_exact(LANES);
    let rest: f32 = chunks.remainder().iter().sum();
    for c in chunks {
        acc.iter_mut().zip(c).for_each(|(a, v)| *a += v);
    }
    acc.iter().sum::<f32>() + rest
}

/// `Σ a_i b_i` over eight partial sums.
#[inline(always)]
pub(crate) fn dot(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0f32; LANES];
    let full = n / LANES * LANES;
    for i in (0..full).step_by(LANES) {
        for l in 0..LANES {
            acc[l] += a[i + l] * b[i + l];
        }
    }
    let rest: f32 = (full..n).map(|i| a[i] * b[i]).sum();
    acc.iter().sum::<f32>() + rest
}

/// The largest of `x` (−∞ when empty), over eight partial maxima.
#[inline(always)]
pub(crate) fn max(x: &[f32]) -> f32 {
    let mut acc = [f32::NEG_INFINITY; LANES];
    let chunks = x.chunks_exact(LANES);
    let rest = chunks
        .remainder()
        .iter()
        .fold(f32::NEG_INFINITY, |m, &v| m.max(v));
    for c in chunks {
        acc.iter_mut().zip(c).for_each(|(a, &v)| *a = a.max(v));
    }
    acc.iter().fold(rest, |m, &v| m.max(v))
}

/// In-place softmax of one row.
#[inline(always)]
pub(crate) fn softmax(row: &mut [f32]) {
    let m = max(row);
    row.iter_mut().for_each(|v| *v = exp(*v - m));
    let sum = sum(row);
    row.iter_mut().for_each(|v| *v /= sum);
}

/// Through [`softmax`]: turns the gradient `g` of its output `a` into the gradient of its
/// input, in place: `g_j ← a_j (g_j − <a, g>)`.
#[inline(always)]
pub(crate) fn softmax_backward(a: &[f32], g: &mut [f32]) {
    let dot = dot(a, g);
    g.iter_mut().zip(a).for_each(|(g, a)| *g = a * (*g - dot));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_is_within_two_ulp_of_libm() {
        for i in -8700..=8800 {
            let x = i as f32 * 0.01;
            let (ours, libm) = (exp(x), x.exp());
            let rel = ((ours - libm) / libm).abs();
            assert!(rel < 2.5e-7, "exp({x}) = {ours}, libm {libm}");
        }
        assert_eq!(exp(0.0), 1.0);
        assert!(exp(-1000.0) > 0.0 && exp(1000.0).is_finite());
    }

    #[test]
    fn ln_1p_is_within_two_ulp_of_libm_on_the_unit_interval() {
        for i in 0..=100_000 {
            let e = i as f32 / 100_000.0;
            let (ours, libm) = (ln_1p_unit(e), (1.0 + e).ln());
            assert!(
                (ours - libm).abs() <= 2.0 * f32::EPSILON * libm.max(1e-30),
                "ln(1 + {e})"
            );
        }
    }

    #[test]
    fn reductions_count_every_lane_and_the_tail() {
        let x: Vec<f32> = (0..21).map(|i| i as f32).collect();
        assert_eq!(sum(&x), 210.0);
        assert_eq!(dot(&x, &x), (0..21).map(|i| (i * i) as f32).sum::<f32>());
        assert_eq!(max(&x), 20.0);
        assert_eq!(max(&x[..3]), 2.0);
        assert_eq!(max(&[]), f32::NEG_INFINITY);
        assert_eq!(sum(&[]), 0.0);
    }
}
