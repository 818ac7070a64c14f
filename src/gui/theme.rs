//! Design tokens: colours, spacing and sizes used by every view.

use egui::Color32;

/// Space between groups of widgets.
pub const GAP: f32 = 8.0;
/// Width of the Slices side panel.
pub const SIDE_PANEL_WIDTH: f32 = 360.0;
/// Widest the Slices side panel may be dragged (a long slice name elides instead of widening it).
pub const SIDE_PANEL_MAX_WIDTH: f32 = 520.0;
/// Widest a slice name is drawn in the list; longer names elide, the full name on hover.
pub const SLICE_NAME_MAX_WIDTH: f32 = 170.0;
/// Width of the Train view's list of runs and slices beside its curves.
pub const CURVE_LIST_WIDTH: f32 = 200.0;
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
/// Warnings that do not stop anything (leakage suspected).
pub const WARN: Color32 = Color32::from_rgb(230, 170, 60);
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
/// Slice colours in list order: a 22-colour qualitative palette (Kelly's colours of maximum
/// contrast, without white and black), so 20+ slices stay distinguishable.
pub const SLICES: [Color32; 22] = [
    Color32::from_rgb(230, 25, 75),
    Color32::from_rgb(60, 120, 216),
    Color32::from_rgb(60, 180, 75),
    Color32::from_rgb(245, 130, 48),
    Color32::from_rgb(145, 30, 180),
    Color32::from_rgb(70, 200, 220),
    Color32::from_rgb(240, 50, 230),
    Color32::from_rgb(188, 216, 40),
    Color32::from_rgb(250, 170, 190),
    Color32::from_rgb(0, 128, 128),
    Color32::from_rgb(200, 160, 250),
    Color32::from_rgb(150, 90, 30),
    Color32::from_rgb(255, 225, 25),
    Color32::from_rgb(128, 0, 0),
    Color32::from_rgb(120, 220, 160),
    Color32::from_rgb(128, 128, 0),
    Color32::from_rgb(240, 190, 140),
    Color32::from_rgb(0, 0, 128),
    Color32::from_rgb(128, 128, 128),
    Color32::from_rgb(180, 0, 110),
    Color32::from_rgb(90, 60, 140),
    Color32::from_rgb(40, 90, 40),
];

/// The colour of slice number `i`: the palette in order, then again darker, then lighter, and
/// so on (each round shifted further), so no two of the first 66 slices share a colour.
pub fn slice_color(i: usize) -> Color32 {
    let base = SLICES[i % SLICES.len()];
    let round = i / SLICES.len();
    if round == 0 {
        return base;
    }
    // Odd rounds darken, even rounds lighten, by a larger step each time round.
    let depth = round.div_ceil(2) as f32;
    let step = 0.35 * depth / (1.0 + depth);
    let shade = |c: u8| {
        let c = f32::from(c);
        let v = if round % 2 == 1 {
            c * (1.0 - step)
        } else {
            c + (255.0 - c) * step
        };
        v.round().clamp(0.0, 255.0) as u8
    };
    Color32::from_rgb(shade(base.r()), shade(base.g()), shade(base.b()))
}

/// The colour of class `c`.
pub fn class_color(c: usize) -> Color32 {
    CLASSES[c % CLASSES.len()]
}

/// The font slice expressions are shown in: monospace at the body text's size, so `>` and `=`
/// read apart.
pub fn expression_font(style: &egui::Style) -> egui::FontId {
    egui::FontId::monospace(egui::TextStyle::Body.resolve(style).size)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_66_slices_have_66_colours() {
        let colours: std::collections::HashSet<Color32> = (0..66).map(slice_color).collect();
        assert_eq!(colours.len(), 66);
    }
}
