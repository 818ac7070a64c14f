//! Confusion counts over a subset of rows.

/// Counts of (true class, predicted class) pairs; predictions outside the classes count as wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confusion {
    /// Number of classes.
    pub n_classes: usize,
    /// Row-major `[true][pred]` counts.
    pub counts: Vec<u64>,
    /// Rows whose prediction was not a known class, per true class.
    pub unknown: Vec<u64>,
}

impl Confusion {
    /// An empty matrix.
    pub fn new(n_classes: usize) -> Self {
        Self {
            n_classes,
            counts: vec![0; n_classes * n_classes],
            unknown: vec![0; n_classes],
        }
    }

    /// Tallies the given rows.
    pub fn from_rows(
        y: &[u32],
        pred: &[u32],
        rows: impl IntoIterator<Item = usize>,
        n_classes: usize,
    ) -> Self {
        let mut c = Self::new(n_classes);
        for i in rows {
            c.add(y[i], pred[i]);
        }
        c
    }

    /// Adds one (truth, prediction) pair.
    pub fn add(&mut self, truth: u32, pred: u32) {
        let (t, p) = (truth as usize, pred as usize);
        if t >= self.n_classes {
            return;
        }
        if p < self.n_classes {
            self.counts[t * self.n_classes + p] += 1;
        } else {
            self.unknown[t] += 1;
        }
    }

    /// Count of truth `t` predicted as `p`.
    pub fn get(&self, t: usize, p: usize) -> u64 {
        self.counts[t * self.n_classes + p]
    }

    /// Number of rows.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum::<u64>() + self.unknown.iter().sum::<u64>()
    }

    /// Correct predictions.
    pub fn correct(&self) -> u64 {
        (0..self.n_classes).map(|k| self.get(k, k)).sum()
    }

    /// Rows of true class `k`.
    pub fn actual(&self, k: usize) -> u64 {
        (0..self.n_classes).map(|p| self.get(k, p)).sum::<u64>() + self.unknown[k]
    }

    /// Rows predicted as class `k`.
    pub fn predicted(&self, k: usize) -> u64 {
        (0..self.n_classes).map(|t| self.get(t, k)).sum()
    }
}
