//! PNG plots with `plotters`: line plots and probability heatmaps.

use std::path::Path;
use std::sync::Once;

use plotters::prelude::*;

static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static REGISTER: Once = Once::new();

fn register_font() {
    REGISTER.call_once(|| {
        // The font is compiled in, so registration cannot fail on a valid build.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, FONT);
    });
}

/// A named series of (x, y) points.
pub struct Series {
    /// Legend label.
    pub label: String,
    /// Points in x order.
    pub points: Vec<(f64, f64)>,
}

/// A chart that could not be drawn or written.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}: {message}", path.display())]
pub struct PlotError {
    /// The image file.
    pub path: std::path::PathBuf,
    /// plotters' reason.
    pub message: String,
}

/// The app shows export errors as text.
impl From<PlotError> for String {
    fn from(e: PlotError) -> Self {
        e.to_string()
    }
}

fn plot_err(path: &Path, e: impl std::fmt::Display) -> PlotError {
    PlotError {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// Draws a line plot with a legend and axis labels.
pub fn line_plot(
    path: &Path,
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[Series],
) -> Result<(), PlotError> {
    register_font();
    let root = BitMapBackend::new(path, (800, 500)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| plot_err(path, e))?;
    let xs = series.iter().flat_map(|s| s.points.iter().map(|p| p.0));
    let (x_min, x_max) = xs.fold((f64::MAX, f64::MIN), |(a, b), x| (a.min(x), b.max(x)));
    let ys = series.iter().flat_map(|s| s.points.iter().map(|p| p.1));
    let y_max = ys.fold(0.0f64, f64::max).max(1e-9) * 1.05;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 22))
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(60)
        .build_cartesian_2d(x_min..x_max, 0.0..y_max)
        .map_err(|e| plot_err(path, e))?;
    chart
        .configure_mesh()
        .x_desc(x_label)
        .y_desc(y_label)
        .label_style(("sans-serif", 15))
        .draw()
        .map_err(|e| plot_err(path, e))?;
    for (i, s) in series.iter().enumerate() {
        let color = Palette99::pick(i).to_rgba();
        chart
            .draw_series(LineSeries::new(s.points.clone(), color.stroke_width(2)))
            .map_err(|e| plot_err(path, e))?
            .label(s.label.clone())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
        chart
            .draw_series(s.points.iter().map(|&p| Circle::new(p, 3, color.filled())))
            .map_err(|e| plot_err(path, e))?;
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .label_font(("sans-serif", 15))
        .position(SeriesLabelPosition::LowerRight)
        .draw()
        .map_err(|e| plot_err(path, e))?;
    root.present().map_err(|e| plot_err(path, e))
}

/// Draws `values` (row-major `[cells, cells]`, row 0 at the bottom) over `[-1, 1]²` as a heatmap
/// from white (0) to dark blue (1).
pub fn heatmap(path: &Path, title: &str, values: &[f64], cells: usize) -> Result<(), PlotError> {
    register_font();
    let root = BitMapBackend::new(path, (520, 520)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| plot_err(path, e))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 18))
        .margin(10)
        .x_label_area_size(35)
        .y_label_area_size(40)
        .build_cartesian_2d(-1.0f64..1.0, -1.0f64..1.0)
        .map_err(|e| plot_err(path, e))?;
    chart
        .configure_mesh()
        .x_desc("x1")
        .y_desc("x2")
        .disable_mesh()
        .label_style(("sans-serif", 13))
        .draw()
        .map_err(|e| plot_err(path, e))?;
    let step = 2.0 / cells as f64;
    let rects = (0..cells * cells).map(|i| {
        let (row, col) = (i / cells, i % cells);
        let (x0, y0) = (-1.0 + col as f64 * step, -1.0 + row as f64 * step);
        let v = values[i].clamp(0.0, 1.0);
        let shade = |c: f64| (255.0 - v * (255.0 - c)) as u8;
        Rectangle::new(
            [(x0, y0), (x0 + step, y0 + step)],
            RGBColor(shade(20.0), shade(60.0), shade(160.0)).filled(),
        )
    });
    chart.draw_series(rects).map_err(|e| plot_err(path, e))?;
    root.present().map_err(|e| plot_err(path, e))
}

/// One bar series of a grouped bar chart: a label and one value per group.
pub struct Bars {
    /// Legend label (e.g. a method).
    pub label: String,
    /// One value per group.
    pub values: Vec<f64>,
}

/// Draws grouped bars: one group per entry of `groups` (e.g. slices), one bar per series.
pub fn bar_chart(
    path: &Path,
    title: &str,
    y_label: &str,
    groups: &[String],
    series: &[Bars],
) -> Result<(), PlotError> {
    register_font();
    let root = BitMapBackend::new(path, (900, 500)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| plot_err(path, e))?;
    let y_max = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .fold(0.0f64, f64::max)
        .max(1e-9)
        * 1.1;
    let n = groups.len().max(1) as f64;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 22))
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..n, 0.0..y_max)
        .map_err(|e| plot_err(path, e))?;
    let names = groups.to_vec();
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(groups.len() * 2 + 1)
        .x_label_formatter(&|x| {
            let i = x.floor() as usize;
            if (x - x.floor() - 0.5).abs() < 0.01 {
                names.get(i).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .y_desc(y_label)
        .label_style(("sans-serif", 15))
        .draw()
        .map_err(|e| plot_err(path, e))?;
    let width = 0.8 / series.len().max(1) as f64;
    for (j, s) in series.iter().enumerate() {
        let color = Palette99::pick(j).to_rgba();
        let bars = s.values.iter().enumerate().map(|(i, &v)| {
            let x0 = i as f64 + 0.1 + j as f64 * width;
            Rectangle::new([(x0, 0.0), (x0 + width * 0.9, v)], color.filled())
        });
        chart
            .draw_series(bars)
            .map_err(|e| plot_err(path, e))?
            .label(s.label.clone())
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 15, y + 5)], color.filled()));
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .label_font(("sans-serif", 15))
        .position(SeriesLabelPosition::UpperRight)
        .draw()
        .map_err(|e| plot_err(path, e))?;
    root.present().map_err(|e| plot_err(path, e))
}
