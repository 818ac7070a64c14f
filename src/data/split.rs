//! Train/valid/test assignment: from a split column, from separate files, or a seeded stratified split.

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

/// Which split a row belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Split {
    /// Used to fit weights and the feature mapping.
    Train,
    /// Used for model selection.
    Valid,
    /// Used for the reported figures.
    Test,
}

impl Split {
    /// All splits in order.
    pub const ALL: [Split; 3] = [Split::Train, Split::Valid, Split::Test];

    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Split::Train => "train",
            Split::Valid => "valid",
            Split::Test => "test",
        }
    }

    /// Parses a split value as found in split columns (`train`, `valid`/`validation`/`dev`/`val`, `test`).
    pub fn parse(s: &str) -> Option<Split> {
        match s.trim().to_ascii_lowercase().as_str() {
            "train" | "training" => Some(Split::Train),
            "valid" | "validation" | "val" | "dev" => Some(Split::Valid),
            "test" | "testing" => Some(Split::Test),
            _ => None,
        }
    }
}

impl std::fmt::Display for Split {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Assigns rows to splits with the given train and valid fractions (rest is test),
/// stratified by class so every split keeps the class balance. Deterministic in `seed`.
pub fn stratified_split(y: &[u32], train_frac: f64, valid_frac: f64, seed: u64) -> Vec<Split> {
    let mut out = vec![Split::Test; y.len()];
    let n_classes = y.iter().copied().max().map_or(0, |m| m as usize + 1);
    let mut rng = StdRng::seed_from_u64(seed ^ 0x5EED_5B17);
    for class in 0..n_classes {
        let mut idx: Vec<usize> = (0..y.len()).filter(|&i| y[i] as usize == class).collect();
        idx.shuffle(&mut rng);
        let n_train = (idx.len() as f64 * train_frac).round() as usize;
        let n_valid = (idx.len() as f64 * valid_frac).round() as usize;
        for (rank, &i) in idx.iter().enumerate() {
            out[i] = if rank < n_train {
                Split::Train
            } else if rank < n_train + n_valid {
                Split::Valid
            } else {
                Split::Test
            };
        }
    }
    out
}

/// Indices of the rows in `split`.
pub fn indices(splits: &[Split], split: Split) -> Vec<usize> {
    (0..splits.len()).filter(|&i| splits[i] == split).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stratified_split_is_deterministic_and_balanced() {
        let y: Vec<u32> = (0..1000).map(|i| u32::from(i % 10 == 0)).collect();
        let a = stratified_split(&y, 0.6, 0.2, 7);
        assert_eq!(a, stratified_split(&y, 0.6, 0.2, 7));
        assert_ne!(a, stratified_split(&y, 0.6, 0.2, 8));
        let pos_train = (0..1000)
            .filter(|&i| a[i] == Split::Train && y[i] == 1)
            .count();
        assert_eq!(pos_train, 60);
        assert_eq!(indices(&a, Split::Valid).len(), 200);
    }
}
