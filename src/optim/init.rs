//! Seeded weight initialisation: candle cannot seed its CPU RNG, so weights come from a host RNG.

use candle_core::{Result, Tensor};
use candle_nn::VarMap;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Re-initialises every variable like PyTorch's `nn.Linear`: `U(-1/sqrt(fan_in), 1/sqrt(fan_in))`
/// for weights and their biases, drawn in name order from `seed`. The fan-in is dimension 1 of
/// the weight: `[out, in]` for a linear layer, `[experts, in, out]` for a batched one.
pub fn init_seeded(varmap: &VarMap, seed: u64) -> Result<()> {
    let data = varmap
        .data()
        .lock()
        .map_err(|_| candle_core::Error::Msg("variable map lock poisoned".into()))?;
    let mut names: Vec<&String> = data.keys().collect();
    names.sort();
    let mut rng = StdRng::seed_from_u64(seed);
    for name in names {
        let var = &data[name];
        let dims = var.dims().to_vec();
        let weight = match name.strip_suffix("bias") {
            Some(prefix) => data.get(&format!("{prefix}weight")).unwrap_or(var),
            None => var,
        };
        let fan_in = weight.dims().get(1).copied().unwrap_or(1);
        let bound = 1.0 / (fan_in.max(1) as f32).sqrt();
        let values: Vec<f32> = (0..var.elem_count())
            .map(|_| rng.random_range(-bound..=bound))
            .collect();
        var.set(&Tensor::from_vec(values, dims, var.device())?.to_dtype(var.dtype())?)?;
    }
    Ok(())
}
