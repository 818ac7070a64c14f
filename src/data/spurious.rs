//! The spurious-correlation demo: a label set by a core feature, and a spurious feature that
//! agrees with the label on most rows and disagrees in two minority groups.
//!
//! Per row: a latent `c ~ U(-1, 1)` sets the label `y = 1[c > 0]`; the model sees it as `core =
//! c + N(0, 0.4²)`. A spurious attribute `a` equals `y` with probability `1 − minority` and the
//! other class otherwise; the model sees `spurious = 2a − 1 + N(0, 0.2²)`, a cleaner signal than
//! the core. Two pure-noise features `noise_1`, `noise_2 ~ N(0, 1)` complete the inputs. The
//! minority groups are `y = 1, a = 0` (`minority_pos`) and `y = 0, a = 1` (`minority_neg`), each
//! about `minority / 2` of the rows. A model that leans on the spurious feature is right on the
//! majority groups and wrong on both minority groups. SFs `sf_minority_pos`/`sf_minority_neg`
//! mark the groups (exact, or corrupted by `noise`); `slice_*` hold the exact groups for
//! evaluation.

use rand::Rng;
use serde::{Deserialize, Serialize};

use super::dataset::{Dataset, DatasetSpec};
use super::demo::{NoiseMode, corrupt, stream};
use super::error::DataError;
use super::split::Split;
use super::table::{Column, ColumnData, ColumnKind, Table};

/// The group names, in column order.
pub const GROUPS: [&str; 2] = ["minority_pos", "minority_neg"];

/// Parameters of the spurious-correlation generator.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Spurious {
    /// Seed of the points and the SF noise.
    pub seed: u64,
    /// Training rows (valid n/2, test n).
    pub n: usize,
    /// Share of rows where the spurious attribute disagrees with the label.
    pub minority: f64,
    /// SF corruption rate (swap: coverage kept).
    pub noise: f64,
}

impl Default for Spurious {
    fn default() -> Self {
        Self {
            seed: 0,
            n: 10_000,
            minority: 0.05,
            noise: 0.0,
        }
    }
}

/// The table's columns while it is generated.
#[derive(Default)]
struct Columns {
    core: Vec<f64>,
    spurious: Vec<f64>,
    noise: [Vec<f64>; 2],
    y: Vec<f64>,
    groups: [Vec<f64>; 2],
    sfs: [Vec<f64>; 2],
}

impl Spurious {
    /// Checks the settings, naming the flag to change.
    pub fn validate(&self) -> Result<(), DataError> {
        let bad = |m: String| Err(DataError::Invalid(m));
        if self.n < 100 || self.n > 50_000_000 {
            return bad(format!(
                "--n {} is outside 100..=50000000 for the spurious demo",
                self.n
            ));
        }
        if !(self.noise >= 0.0 && self.noise <= 1.0) {
            return bad(format!("--noise {} must be between 0 and 1", self.noise));
        }
        if !(self.minority > 0.0 && self.minority < 0.5) {
            return bad(format!(
                "the minority share {} must be in (0, 0.5)",
                self.minority
            ));
        }
        Ok(())
    }

    /// The generated data as a dataset: label `y`, truth slices `slice_minority_*`, fixed splits.
    pub fn try_dataset(&self) -> Result<Dataset, DataError> {
        self.validate()?;
        let (table, splits) = self.table();
        let mut spec = DatasetSpec::new("y");
        spec.truth_slices = GROUPS.iter().map(|g| format!("slice_{g}")).collect();
        let forced: Vec<Option<Split>> = splits.into_iter().map(Some).collect();
        Dataset::from_table(table, &spec, &forced)
    }

    /// The three splits (train n, valid n/2, test n) as one table.
    pub fn table(&self) -> (Table, Vec<Split>) {
        let sizes = [
            (Split::Train, self.n),
            (Split::Valid, self.n / 2),
            (Split::Test, self.n),
        ];
        let mut cols = Columns::default();
        let mut splits = Vec::new();
        for (idx, (split, n)) in sizes.into_iter().enumerate() {
            self.push_split(&mut cols, idx as u64, n);
            splits.extend(std::iter::repeat_n(split, n));
        }
        (cols.into_table(), splits)
    }

    fn push_split(&self, cols: &mut Columns, idx: u64, n: usize) {
        let mut rng = stream(self.seed ^ 0x5bu64.rotate_left(40), 1 + idx);
        let start = cols.y.len();
        for _ in 0..n {
            let c: f64 = rng.random_range(-1.0..1.0);
            let y = c > 0.0;
            let a = if rng.random_bool(self.minority) {
                !y
            } else {
                y
            };
            cols.core.push(c + 0.4 * normal(&mut rng));
            cols.spurious
                .push(if a { 1.0 } else { -1.0 } + 0.2 * normal(&mut rng));
            for v in &mut cols.noise {
                v.push(normal(&mut rng));
            }
            cols.y.push(f64::from(u8::from(y)));
            cols.groups[0].push(f64::from(u8::from(y && !a)));
            cols.groups[1].push(f64::from(u8::from(!y && a)));
        }
        let mut noise_rng = stream(self.seed, 20 + idx);
        for (sf, group) in cols.sfs.iter_mut().zip(&cols.groups) {
            let mut v = group[start..].to_vec();
            corrupt(&mut v, self.noise, NoiseMode::Swap, &mut noise_rng);
            sf.extend(v);
        }
    }
}

/// A standard normal draw (Box–Muller).
fn normal(rng: &mut impl Rng) -> f64 {
    let u1: f64 = rng.random_range(f64::EPSILON..1.0);
    let u2: f64 = rng.random_range(0.0..1.0);
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

impl Columns {
    fn into_table(self) -> Table {
        let num = |name: String, kind, v| Column {
            name,
            kind,
            data: ColumnData::Numeric(v),
        };
        let [n1, n2] = self.noise;
        let mut columns = vec![
            num("core".into(), ColumnKind::Numeric, self.core),
            num("spurious".into(), ColumnKind::Numeric, self.spurious),
            num("noise_1".into(), ColumnKind::Numeric, n1),
            num("noise_2".into(), ColumnKind::Numeric, n2),
            num("y".into(), ColumnKind::Boolean, self.y),
        ];
        for (g, v) in GROUPS.iter().zip(self.sfs) {
            columns.push(num(format!("sf_{g}"), ColumnKind::Boolean, v));
        }
        for (g, v) in GROUPS.iter().zip(self.groups) {
            columns.push(num(format!("slice_{g}"), ColumnKind::Boolean, v));
        }
        Table {
            source: "demo:spurious".into(),
            columns,
            ..Default::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spurious_feature_agrees_with_the_label_except_in_the_minority_groups() {
        let s = Spurious {
            n: 20_000,
            ..Spurious::default()
        };
        let ds = s.try_dataset().unwrap();
        let t = &ds.table;
        let col = |n: &str| t.column(n).unwrap().as_numeric().unwrap().to_vec();
        let (y, sp, g0, g1) = (
            col("y"),
            col("spurious"),
            col("slice_minority_pos"),
            col("slice_minority_neg"),
        );
        let n = y.len() as f64;
        let agree = y
            .iter()
            .zip(&sp)
            .filter(|(y, s)| (**y > 0.5) == (**s > 0.0))
            .count() as f64;
        assert!((agree / n - 0.95).abs() < 0.01, "{}", agree / n);
        for g in [&g0, &g1] {
            let share = g.iter().sum::<f64>() / n;
            assert!((share - 0.025).abs() < 0.005, "{share}");
        }
        // Same seed, same table.
        let again = s.try_dataset().unwrap();
        assert_eq!(
            again.table.column("core").unwrap().as_numeric(),
            t.column("core").unwrap().as_numeric()
        );
    }
}
