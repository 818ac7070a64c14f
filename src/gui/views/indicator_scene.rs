//! Building the Indicators tab's scenes (SF output and learned indicator per slice) from owned
//! inputs, so it runs on a background thread: each slice is two passes over the test rows.

use std::sync::Arc;

use egui::Color32;

use super::map_scene::{CellValues, build_scene};
use crate::data::{Dataset, Split};
use crate::gui::theme;
use crate::gui::widgets::points::Scene;
use crate::metrics::grid::{Axis, cell_means};
use crate::slices::Bitmap;

/// Per slice: its name, the SF output scene (if the slice still exists) and the indicator scene.
pub type SliceScenes = Vec<(String, Option<Scene>, Scene)>;

/// Which scenes a build made: (predictions, analysis generation, bins, axes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndicatorKey {
    /// Revision of the predictions whose indicators are drawn
    /// ([`Predicted::revision`](crate::gui::analysis::Predicted::revision)).
    pub pred: u64,
    /// The slice analysis generation (SF masks).
    pub generation: u64,
    /// Heatmap bins per axis.
    pub bins: usize,
    /// Horizontal and vertical feature.
    pub axes: (String, String),
}

/// Built scenes with the plot bounds.
pub struct IndicatorScenes {
    /// What they were built from.
    pub key: IndicatorKey,
    /// One entry per model slice.
    pub scenes: SliceScenes,
    /// `[x_min, x_max, y_min, y_max]` over all rows.
    pub bounds: [f64; 4],
}

/// Everything a build reads, owned.
pub struct IndicatorInputs {
    /// What is being built.
    pub key: IndicatorKey,
    /// The data.
    pub ds: Arc<Dataset>,
    /// Indicator probabilities `[n, slots]`.
    pub indicator: Arc<Vec<f32>>,
    /// Slot names (`base` first).
    pub slots: Vec<String>,
    /// Per slot after the base: the SF's mask in the current slice set and its colour.
    pub sf: Vec<Option<(usize, Color32)>>,
    /// The analysis masks that `sf` indexes.
    pub masks: Arc<Vec<Bitmap>>,
}

/// Builds both scenes for every model slice over the test rows.
pub fn build(inputs: IndicatorInputs) -> IndicatorScenes {
    let IndicatorInputs {
        key,
        ds,
        indicator,
        slots,
        sf,
        masks,
    } = inputs;
    let col = |n: &str| ds.table.column(n).and_then(|c| c.as_numeric());
    let (Some(xs), Some(ys)) = (col(&key.axes.0), col(&key.axes.1)) else {
        return IndicatorScenes {
            key,
            scenes: Vec::new(),
            bounds: [0.0, 1.0, 0.0, 1.0],
        };
    };
    let bounds = {
        let (x, y) = (
            Axis::fit(xs.iter().copied(), 1),
            Axis::fit(ys.iter().copied(), 1),
        );
        [x.min, x.max, y.min, y.max]
    };
    let rows = ds.indices(Split::Test);
    let width = slots.len().max(1);
    let axes = (
        Axis::fit(rows.iter().map(|&i| xs[i]), key.bins),
        Axis::fit(rows.iter().map(|&i| ys[i]), key.bins),
    );
    let mut scenes = Vec::new();
    for (j, name) in slots.iter().enumerate().skip(1) {
        let prob = |i: usize| f64::from(indicator.get(i * width + j).copied().unwrap_or(0.0));
        let sf_scene = sf.get(j - 1).copied().flatten().and_then(|(k, c)| {
            let mask = masks.get(k)?;
            let off = theme::NEUTRAL.gamma_multiply(0.3);
            Some(build_scene(
                (xs, ys),
                &rows,
                |i| if mask.get(i) { c } else { off },
                None,
            ))
        });
        let cells = CellValues {
            x: axes.0,
            y: axes.1,
            values: cell_means((xs, ys), prob, &rows, axes),
        };
        let ind = build_scene(
            (xs, ys),
            &rows,
            |i| theme::heat(prob(i)).gamma_multiply(0.9),
            Some(&cells),
        );
        scenes.push((name.clone(), sf_scene, ind));
    }
    IndicatorScenes {
        key,
        scenes,
        bounds,
    }
}
