//! Corrupting SF outputs for noise experiments (the paper's Figure 5).

use rand::SeedableRng;
use rand::rngs::StdRng;

use super::bitmap::Bitmap;
use super::set::{EvaluatedSlices, SliceSet};
use crate::data::Split;
use crate::data::demo::{NoiseMode, corrupt};

impl EvaluatedSlices {
    /// Applies each slice's `noise` rate (swap mode, independently per split) with a seeded RNG.
    pub fn with_noise(mut self, set: &SliceSet, splits: &[Split], seed: u64) -> Self {
        for (j, def) in set.slices.iter().enumerate() {
            let Some(rate) = def.noise.filter(|r| *r > 0.0) else {
                continue;
            };
            let mut rng = StdRng::seed_from_u64(seed.wrapping_mul(31).wrapping_add(j as u64 + 1));
            let mut values: Vec<f64> = (0..splits.len())
                .map(|i| f64::from(u8::from(self.masks[j].get(i))))
                .collect();
            for split in Split::ALL {
                let rows: Vec<usize> = (0..splits.len()).filter(|&i| splits[i] == split).collect();
                let mut part: Vec<f64> = rows.iter().map(|&i| values[i]).collect();
                corrupt(&mut part, rate, NoiseMode::Swap, &mut rng);
                rows.iter().zip(part).for_each(|(&i, v)| values[i] = v);
            }
            self.masks[j] = Bitmap::from_values(&values);
        }
        self
    }
}
