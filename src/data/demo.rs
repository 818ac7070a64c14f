//! The paper's synthetic setting (Figure 1), drawn from the same distribution as
//! `shared/peers/synthetic_data.py`: two label-flipping disks on a linear boundary, plus
//! optional extra rectangular slices and noisy slicing-function columns.

use std::path::Path;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use super::dataset::{Dataset, DatasetSpec};
use super::error::DataError;
use super::split::Split;
use super::table::{Column, ColumnData, ColumnKind, Table};

const BOUNDARY_OFFSET: f64 = 0.25;

/// Fewest training rows the generator accepts: fewer can leave a split empty or the label with
/// one class (at 20, all 44 rows on one side of the boundary has odds below 1e-9).
pub const MIN_ROWS: usize = 20;
/// Most slices the generator accepts (the scaling experiment goes to 200).
pub const MAX_SLICES: usize = 1000;
/// Most table cells (rows × columns) the generator accepts: 8 GiB of `f64`.
pub const MAX_CELLS: usize = 1 << 30;
const CRITICAL_CENTERS: [(f64, f64); 2] = [(-0.35, -0.60), (0.45, 0.20)];

/// How slicing functions are corrupted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NoiseMode {
    /// Move `round(noise * |slice|)` members out and as many non-members in (coverage kept).
    Swap,
    /// Flip every output independently with probability `noise`.
    Flip,
}

/// Where the slices lie.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    /// Two label-flipping disks on the boundary (plus `k - 2` extra rectangles): Figure 1.
    #[default]
    Figure1,
    /// Four label-flipping slices of random size, shape and location (Figure 3's ablation).
    Ablation,
}

/// Parameters of the figure1 generator.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Figure1 {
    /// Seed of geometry, points and noise.
    pub seed: u64,
    /// Training rows (valid n/5, test n).
    pub n: usize,
    /// Number of slices (the first two are the critical disks).
    pub k: usize,
    /// SF corruption rate.
    pub noise: f64,
    /// How SFs are corrupted.
    pub noise_mode: NoiseMode,
    /// Disk radius.
    pub radius: f64,
    /// Whether the extra rectangles also flip labels.
    pub perturb_extra: bool,
    /// Slice geometry.
    #[serde(default)]
    pub layout: Layout,
}

impl Default for Figure1 {
    fn default() -> Self {
        Self {
            seed: 0,
            n: 10_000,
            k: 2,
            noise: 0.0,
            noise_mode: NoiseMode::Swap,
            radius: 0.16,
            perturb_extra: false,
            layout: Layout::Figure1,
        }
    }
}

/// A slice region of the synthetic square.
#[derive(Debug, Clone, Copy)]
enum Region {
    Disk {
        cx: f64,
        cy: f64,
        r: f64,
        perturb: bool,
    },
    Rect {
        x_lo: f64,
        x_hi: f64,
        y_lo: f64,
        y_hi: f64,
        perturb: bool,
    },
}

impl Region {
    fn contains(&self, x1: f64, x2: f64) -> bool {
        match *self {
            Region::Disk { cx, cy, r, .. } => (x1 - cx).powi(2) + (x2 - cy).powi(2) < r * r,
            Region::Rect {
                x_lo,
                x_hi,
                y_lo,
                y_hi,
                ..
            } => x1 >= x_lo && x1 < x_hi && x2 >= y_lo && x2 < y_hi,
        }
    }

    fn perturbs(&self) -> bool {
        match *self {
            Region::Disk { perturb, .. } | Region::Rect { perturb, .. } => perturb,
        }
    }
}

/// An independent random stream `s` of a generator seeded with `seed`.
pub(super) fn stream(seed: u64, s: u64) -> StdRng {
    StdRng::seed_from_u64(
        seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (s + 1).wrapping_mul(0xD1B5_4A32_D192_ED03),
    )
}

impl Figure1 {
    fn geometry(&self) -> Vec<Region> {
        if self.layout == Layout::Ablation {
            return self.ablation_geometry();
        }
        let mut rng = stream(self.seed, 0);
        let mut out: Vec<Region> = CRITICAL_CENTERS
            .iter()
            .take(self.k.min(2))
            .map(|&(cx, cy)| Region::Disk {
                cx,
                cy,
                r: self.radius,
                perturb: true,
            })
            .collect();
        for _ in 2..self.k.max(2) {
            let area = rng.random_range(0.01..0.03) * 4.0;
            let aspect = rng.random_range(0.5f64.ln()..2f64.ln()).exp();
            let (w, h) = ((area * aspect).sqrt(), (area / aspect).sqrt());
            let t = rng.random_range(-1.0 + BOUNDARY_OFFSET..1.0);
            let (cx, cy) = (t, t - BOUNDARY_OFFSET);
            out.push(Region::Rect {
                x_lo: (cx - w / 2.0).max(-1.0),
                x_hi: (cx + w / 2.0).min(1.0),
                y_lo: (cy - h / 2.0).max(-1.0),
                y_hi: (cy + h / 2.0).min(1.0),
                perturb: self.perturb_extra,
            });
        }
        out
    }

    /// `k` label-flipping slices: disks and rectangles alternately, of random size (0.5% to 4%
    /// of the square) and random location, so slices differ in size, shape and place.
    fn ablation_geometry(&self) -> Vec<Region> {
        let mut rng = stream(self.seed, 0);
        (0..self.k)
            .map(|j| {
                let area = rng.random_range(0.005..0.04) * 4.0;
                let (cx, cy) = (rng.random_range(-0.75..0.75), rng.random_range(-0.75..0.75));
                if j % 2 == 0 {
                    Region::Disk {
                        cx,
                        cy,
                        r: (area / std::f64::consts::PI).sqrt(),
                        perturb: true,
                    }
                } else {
                    let aspect = rng.random_range(0.25f64.ln()..4f64.ln()).exp();
                    let (w, h) = ((area * aspect).sqrt(), (area / aspect).sqrt());
                    Region::Rect {
                        x_lo: cx - w / 2.0,
                        x_hi: cx + w / 2.0,
                        y_lo: cy - h / 2.0,
                        y_hi: cy + h / 2.0,
                        perturb: true,
                    }
                }
            })
            .collect()
    }

    /// Checks settings a user can give, so that generating cannot panic or exhaust memory;
    /// the error names the setting as its CLI flag (`--n`, `--k`, `--noise`).
    pub fn validate(&self) -> Result<(), DataError> {
        let bad = |m: String| Err(DataError::Invalid(format!("figure1 demo: {m}")));
        if self.n < MIN_ROWS {
            return bad(format!(
                "--n {} is too small; give at least {MIN_ROWS} training rows",
                self.n
            ));
        }
        if !(1..=MAX_SLICES).contains(&self.k) {
            return bad(format!(
                "--k {} is out of range; give 1 to {MAX_SLICES} slices",
                self.k
            ));
        }
        if !(0.0..=1.0).contains(&self.noise) {
            return bad(format!(
                "--noise {} is not a rate between 0 and 1",
                self.noise
            ));
        }
        if !(self.radius.is_finite() && self.radius > 0.0) {
            return bad(format!("radius {} is not a positive number", self.radius));
        }
        // Train, valid and test rows times x1, x2, y and two columns per slice.
        let cells = self
            .n
            .checked_mul(2)
            .and_then(|r| r.checked_add((self.n / 5).max(1)))
            .and_then(|r| r.checked_mul(3 + 2 * self.k));
        match cells {
            Some(c) if c <= MAX_CELLS => Ok(()),
            _ => bad(format!(
                "--n {} with --k {} makes a table of more than {MAX_CELLS} values; lower --n or --k",
                self.n, self.k
            )),
        }
    }

    /// The generated data as a dataset, after [`Figure1::validate`]; the error says which
    /// setting to change.
    pub fn try_dataset(&self) -> Result<Dataset, DataError> {
        self.validate()?;
        let (table, splits) = self.table();
        let mut spec = DatasetSpec::new("y");
        spec.truth_slices = (1..=self.k).map(|j| format!("slice_{j}")).collect();
        let forced: Vec<Option<Split>> = splits.into_iter().map(Some).collect();
        Dataset::from_table(table, &spec, &forced)
    }

    /// Generates the three splits as one table with columns `x1,x2,y,sf_1..sf_k,slice_1..slice_k`.
    pub fn table(&self) -> (Table, Vec<Split>) {
        let regions = self.geometry();
        let sizes = [
            (Split::Train, self.n),
            (Split::Valid, (self.n / 5).max(1)),
            (Split::Test, self.n),
        ];
        let mut cols = DemoColumns::new(self.k);
        let mut splits = Vec::new();
        for (idx, (split, n)) in sizes.into_iter().enumerate() {
            self.push_split(&mut cols, &regions, idx as u64, n);
            splits.extend(std::iter::repeat_n(split, n));
        }
        (cols.into_table(), splits)
    }

    fn push_split(&self, cols: &mut DemoColumns, regions: &[Region], idx: u64, n: usize) {
        let mut rng = stream(self.seed, 1 + idx);
        let start = cols.x1.len();
        for _ in 0..n {
            // f32 storage as in the reference, membership computed from the stored values.
            let x1 = f64::from(rng.random_range(-1.0f32..1.0));
            let x2 = f64::from(rng.random_range(-1.0f32..1.0));
            let mut y = x1 < x2 + BOUNDARY_OFFSET;
            for (j, r) in regions.iter().enumerate() {
                let inside = r.contains(x1, x2);
                y ^= inside && r.perturbs();
                cols.member[j].push(f64::from(u8::from(inside)));
            }
            cols.x1.push(x1);
            cols.x2.push(x2);
            cols.y.push(f64::from(u8::from(y)));
        }
        let mut noise_rng = stream(self.seed, 10 + idx);
        for j in 0..regions.len() {
            let mut sf = cols.member[j][start..].to_vec();
            corrupt(&mut sf, self.noise, self.noise_mode, &mut noise_rng);
            cols.sf[j].extend(sf);
        }
    }

    /// The generated data as a dataset: label `y`, truth slices `slice_*`, fixed splits.
    ///
    /// For settings fixed in code; settings from a user go through [`Figure1::try_dataset`]
    /// (or [`Figure1::validate`] first), since this panics on settings `validate` refuses.
    pub fn dataset(&self) -> Dataset {
        // Validated settings always give both classes and every truth column.
        self.try_dataset()
            .unwrap_or_else(|e| panic!("invalid figure1 settings: {e}"))
    }

    /// Writes `train.csv`, `valid.csv` and `test.csv` into `dir` (atomically each).
    pub fn write_csv(&self, dir: &Path) -> Result<(), DataError> {
        self.validate()?;
        let (table, splits) = self.table();
        write_split_csvs(dir, &table, &splits)
    }
}

/// The first columns of the CSV files the demos write: how a demo file is told from a user's.
const DEMO_HEADERS: [&str; 2] = ["x1,x2,y,", "core,spurious,"];

/// Writes a demo table as `train.csv`, `valid.csv` and `test.csv` in `dir` (atomically each),
/// replacing only files that a demo wrote before (recognised by their first columns), never a
/// user's data.
pub fn write_split_csvs(dir: &Path, table: &Table, splits: &[Split]) -> Result<(), DataError> {
    for split in Split::ALL {
        let path = dir.join(format!("{}.csv", split.name()));
        crate::safe_write::check_replaceable(&path, "a demo CSV written by slicelab", |p| {
            std::fs::read_to_string(p).is_ok_and(|t| DEMO_HEADERS.iter().any(|h| t.starts_with(h)))
        })
        .map_err(|e| DataError::Invalid(e.to_string()))?;
    }
    std::fs::create_dir_all(dir).map_err(|e| DataError::io(dir, e))?;
    for split in Split::ALL {
        let path = dir.join(format!("{}.csv", split.name()));
        let rows: Vec<usize> = (0..splits.len()).filter(|&i| splits[i] == split).collect();
        crate::safe_write::write_atomic(&path, table_csv(table, &rows).as_bytes())
            .map_err(|e| DataError::io(&path, e))?;
    }
    Ok(())
}

/// Corrupts a 0/1 vector in place as `synthetic_data.py` does.
pub fn corrupt(sf: &mut [f64], noise: f64, mode: NoiseMode, rng: &mut impl Rng) {
    if noise <= 0.0 {
        return;
    }
    match mode {
        NoiseMode::Flip => sf
            .iter_mut()
            .filter(|_| rng.random::<f64>() < noise)
            .for_each(|v| *v = 1.0 - *v),
        NoiseMode::Swap => {
            let pos: Vec<usize> = (0..sf.len()).filter(|&i| sf[i] == 1.0).collect();
            let neg: Vec<usize> = (0..sf.len()).filter(|&i| sf[i] != 1.0).collect();
            let m = ((noise * pos.len() as f64).round() as usize).min(neg.len());
            for i in rand::seq::index::sample(rng, pos.len(), m) {
                sf[pos[i]] = 0.0;
            }
            for i in rand::seq::index::sample(rng, neg.len(), m) {
                sf[neg[i]] = 1.0;
            }
        }
    }
}

struct DemoColumns {
    x1: Vec<f64>,
    x2: Vec<f64>,
    y: Vec<f64>,
    sf: Vec<Vec<f64>>,
    member: Vec<Vec<f64>>,
}

impl DemoColumns {
    fn new(k: usize) -> Self {
        Self {
            x1: vec![],
            x2: vec![],
            y: vec![],
            sf: vec![vec![]; k],
            member: vec![vec![]; k],
        }
    }

    fn into_table(self) -> Table {
        let num = |name: String, kind, v| Column {
            name,
            kind,
            data: ColumnData::Numeric(v),
        };
        let mut columns = vec![
            num("x1".into(), ColumnKind::Numeric, self.x1),
            num("x2".into(), ColumnKind::Numeric, self.x2),
            num("y".into(), ColumnKind::Boolean, self.y),
        ];
        columns.extend(
            self.sf
                .into_iter()
                .enumerate()
                .map(|(j, v)| num(format!("sf_{}", j + 1), ColumnKind::Boolean, v)),
        );
        columns.extend(
            self.member
                .into_iter()
                .enumerate()
                .map(|(j, v)| num(format!("slice_{}", j + 1), ColumnKind::Boolean, v)),
        );
        Table {
            source: "demo:figure1".into(),
            columns,
            ..Default::default()
        }
    }
}

/// CSV text of the given rows (numbers printed so that they round-trip, strings quoted as needed).
pub fn table_csv(table: &Table, rows: &[usize]) -> String {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    // Writing to a Vec cannot fail.
    let _ = w.write_record(table.names());
    for &i in rows {
        let _ = w.write_record(table.columns.iter().map(|c| c.display(i)));
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}
