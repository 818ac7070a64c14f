//! Design tokens: colours, spacing and sizes used by every view.

use egui::Color32;

/// Space between groups of widgets.
pub const GAP: f32 = 8.0;
/// Width of the Slices side panel.
pub const SIDE_PANEL_WIDTH: f32 = 360.0;
/// Height of the plots in the Train view.
pub const PLOT_HEIGHT: f32 = 300.0;
/// Narrowest space beside the Errors tab's matrices that the rows table goes in (else below).
pub const ROWS_MIN_WIDTH: f32 = 420.0;
/// About how wide a class's column of the confusion matrix is drawn.
pub const MATRIX_CELL_WIDTH: f32 = 48.0;
/// About how wide the per-class table is drawn.
pub const PER_CLASS_WIDTH: f32 = 340.0;
/// Tallest the slice expression editor grows before it scrolls.
pub const EDITOR_MAX_HEIGHT: f32 = 140.0;
/// Point radius in the Map view, in points.
pub const POINT_RADIUS: f32 = 2.0;

/// Text and marks for bad news (errors, worst slices).
pub const BAD: Color32 = Color32::from_rgb(220, 70, 60);
/// Text and marks for good news.
pub const GOOD: Color32 = Color32::from_rgb(60, 170, 90);
/// Secondary text.
pub const MUTED: Color32 = Color32::from_rgb(140, 140, 140);
/// Rows outside any highlighted slice.
pub const NEUTRAL: Color32 = Color32::from_rgb(150, 150, 160);
/// Class colours (label 0, label 1, ...), cycled.
pub const CLASSES: [Color32; 4] = [
    Color32::from_rgb(70, 130, 220),
    Color32::from_rgb(235, 140, 50),
    Color32::from_rgb(90, 180, 100),
    Color32::from_rgb(170, 90, 200),
];
/// Slice colours, cycled in list order.
pub const SLICES: [Color32; 8] = [
    Color32::from_rgb(228, 26, 28),
    Color32::from_rgb(55, 126, 184),
    Color32::from_rgb(77, 175, 74),
    Color32::from_rgb(152, 78, 163),
    Color32::from_rgb(255, 127, 0),
    Color32::from_rgb(166, 86, 40),
    Color32::from_rgb(247, 129, 191),
    Color32::from_rgb(0, 160, 160),
];

/// The colour of slice number `i`.
pub fn slice_color(i: usize) -> Color32 {
    SLICES[i % SLICES.len()]
}

/// The colour of class `c`.
pub fn class_color(c: usize) -> Color32 {
    CLASSES[c % CLASSES.len()]
}

/// A white-to-red ramp for rates in [0, 1] (error rate, probability).
pub fn heat(t: f64) -> Color32 {
    let t = t.clamp(0.0, 1.0) as f32;
    let lerp = |a: f32, b: f32| (a + (b - a) * t).round() as u8;
    Color32::from_rgb(lerp(250.0, 200.0), lerp(245.0, 30.0), lerp(235.0, 40.0))
}

/// DejaVu Sans (also used for the PNG plots) as a fallback font: it has the marks the views use
/// (✔ ✗ ▶ ▲ ▼ → ⚠ ±) that egui's default fonts lack.
static SYMBOLS: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// Installs the app's fonts on a context.
pub fn install(ctx: &egui::Context) {
    let lowest = |family| egui::epaint::text::InsertFontFamily {
        family,
        priority: egui::epaint::text::FontPriority::Lowest,
    };
    ctx.add_font(egui::epaint::text::FontInsert::new(
        "dejavu-sans",
        egui::FontData::from_static(SYMBOLS),
        vec![
            lowest(egui::FontFamily::Proportional),
            lowest(egui::FontFamily::Monospace),
        ],
    ));
}
