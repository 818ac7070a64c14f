//! Building the Map's scene (heatmap binning and one instance per row) from owned inputs, so it
//! runs on a background thread: on a million rows it takes tens of milliseconds.

use std::sync::Arc;

use egui::Color32;

use super::map::{Axes, ColorBy};
use crate::data::{Dataset, Split};
use crate::gui::theme;
use crate::gui::widgets::points::{Instance, Scene};
use crate::metrics::grid::{Axis, ErrorGrid};
use crate::slices::Bitmap;

/// Values per grid cell (error rate, mean probability); `None` for an empty cell.
pub struct CellValues {
    /// Horizontal bins.
    pub x: Axis,
    /// Vertical bins.
    pub y: Axis,
    /// Row-major values, `iy * x.bins + ix`.
    pub values: Vec<Option<f64>>,
}

impl CellValues {
    /// The error rates of a grid.
    pub fn error_rates(g: &ErrorGrid) -> Self {
        let values = (0..g.y.bins)
            .flat_map(|iy| (0..g.x.bins).map(move |ix| (ix, iy)))
            .map(|(ix, iy)| g.rate(ix, iy))
            .collect();
        Self {
            x: g.x,
            y: g.y,
            values,
        }
    }
}

/// Builds the quads: heatmap cells (white to red by value) then one point per row.
pub fn build_scene(
    (xs, ys): (&[f64], &[f64]),
    rows: &[usize],
    color_of: impl Fn(usize) -> Color32,
    cells: Option<&CellValues>,
) -> Scene {
    let n_cells = cells.map_or(0, |c| c.values.len());
    let mut out = Vec::with_capacity(n_cells + rows.len());
    if let Some(c) = cells {
        for (k, v) in c.values.iter().enumerate() {
            let Some(v) = v else { continue };
            let (x0, x1) = c.x.edges(k % c.x.bins);
            let (y0, y1) = c.y.edges(k / c.x.bins);
            let color = theme::heat(*v).gamma_multiply(0.85);
            out.push(Instance::cell(
                x0 as f32, x1 as f32, y0 as f32, y1 as f32, color,
            ));
        }
    }
    out.extend(
        rows.iter()
            .map(|&i| Instance::point(xs[i] as f32, ys[i] as f32, color_of(i))),
    );
    Scene::new(out)
}

/// Everything a map picture depends on (compared to decide whether to rebuild).
#[derive(Debug, PartialEq, Clone)]
pub struct SceneKey {
    /// Revision of the dataset ([`Loaded::revision`](crate::gui::analysis::Loaded::revision)).
    pub data: u64,
    /// Revision of the analysed predictions
    /// ([`Predicted::revision`](crate::gui::analysis::Predicted::revision); 0 for none).
    pub pred: u64,
    /// Analysis generation (slice masks).
    pub generation: u64,
    /// Features or PCA.
    pub axes: Axes,
    /// Horizontal column.
    pub x: String,
    /// Vertical column.
    pub y: String,
    /// Point colouring.
    pub color_by: ColorBy,
    /// Heatmap bins per axis.
    pub bins: usize,
    /// Heatmap shown.
    pub heatmap: bool,
    /// Split shown.
    pub split: Split,
    /// Slices coloured, by index into the masks.
    pub slices: Vec<usize>,
}

/// Owned inputs of a build (shared data by `Arc`).
pub struct SceneInputs {
    /// What is asked for.
    pub key: SceneKey,
    /// The data.
    pub ds: Arc<Dataset>,
    /// PCA coordinates of every row.
    pub pca: Arc<Vec<[f32; 2]>>,
    /// Analysed predictions.
    pub pred: Option<Arc<Vec<u32>>>,
    /// Slice masks, in slice-set order.
    pub masks: Arc<Vec<Bitmap>>,
}

/// A built picture.
pub struct MapScene {
    /// What it shows.
    pub key: SceneKey,
    /// The error grid, when the heatmap is on and predictions exist.
    pub grid: Option<ErrorGrid>,
    /// The quads.
    pub scene: Scene,
    /// Data extent with a small margin: `[x0, x1, y0, y1]`.
    pub bounds: [f64; 4],
}

/// Bins the rows, colours them and builds the quads.
pub fn build(inp: SceneInputs) -> MapScene {
    let (ds, key) = (&inp.ds, &inp.key);
    let (xs, ys): (Vec<f64>, Vec<f64>) = match key.axes {
        Axes::Features => (numeric(ds, &key.x), numeric(ds, &key.y)),
        Axes::Pca => inp
            .pca
            .iter()
            .map(|p| (f64::from(p[0]), f64::from(p[1])))
            .unzip(),
    };
    let rows = ds.indices(key.split);
    let x_axis = Axis::fit(rows.iter().map(|&i| xs[i]), key.bins);
    let y_axis = Axis::fit(rows.iter().map(|&i| ys[i]), key.bins);
    let grid = inp
        .pred
        .as_ref()
        .filter(|_| key.heatmap)
        .map(|p| ErrorGrid::compute((&xs, &ys), (&ds.y, p), &rows, (x_axis, y_axis)));
    let cells = grid.as_ref().map(CellValues::error_rates);
    let scene = build_scene((&xs, &ys), &rows, |i| color(&inp, i), cells.as_ref());
    let pad = |lo: f64, hi: f64| (hi - lo) * 0.02;
    let (px, py) = (pad(x_axis.min, x_axis.max), pad(y_axis.min, y_axis.max));
    MapScene {
        key: inp.key.clone(),
        grid,
        scene,
        bounds: [
            x_axis.min - px,
            x_axis.max + px,
            y_axis.min - py,
            y_axis.max + py,
        ],
    }
}

fn color(inp: &SceneInputs, i: usize) -> Color32 {
    let y = inp.ds.y[i];
    match (inp.key.color_by, &inp.pred) {
        (ColorBy::Correct, Some(p)) if p[i] == y => theme::GOOD.gamma_multiply(0.7),
        (ColorBy::Correct, Some(_)) => theme::BAD,
        (ColorBy::Slice, _) => inp
            .key
            .slices
            .iter()
            .find(|&&j| inp.masks.get(j).is_some_and(|m| m.get(i)))
            .map_or(theme::NEUTRAL.gamma_multiply(0.35), |&j| {
                theme::slice_color(j)
            }),
        _ => theme::class_color(y as usize).gamma_multiply(0.8),
    }
}

fn numeric(ds: &Dataset, col: &str) -> Vec<f64> {
    ds.table
        .column(col)
        .and_then(|c| c.as_numeric())
        .map_or_else(|| vec![f64::NAN; ds.n_rows()], <[f64]>::to_vec)
}
