//! A 2-D plot frame around a point/heatmap scene: axes with labels, scroll (or, in a scrolling
//! page, Ctrl+scroll) to zoom, drag to pan or to brush a rectangle, click to pick a point in data
//! coordinates.

use egui::{Align2, Color32, Pos2, Rect, Sense, Stroke, Vec2};

use super::points::{DataRect, Scene, paint};
use crate::gui::theme;

/// What the user did in the plot this frame.
#[derive(Default)]
pub struct PlotEvents {
    /// Data coordinates under the pointer.
    pub hovered: Option<(f64, f64)>,
    /// A click (no drag) at these data coordinates.
    pub clicked: Option<(f64, f64)>,
    /// A finished brush: `[x0, x1, y0, y1]` in data coordinates.
    pub brushed: Option<DataRect>,
}

/// The plot's persistent interaction state.
#[derive(Default, Clone)]
pub struct PlotState {
    /// Zoomed view; `None` shows the full bounds.
    pub view: Option<DataRect>,
    drag_start: Option<Pos2>,
}

/// Options of one plot.
pub struct Plot<'a> {
    /// Accessible name (what tests and screen readers find).
    pub label: &'a str,
    /// Axis titles.
    pub axes: (&'a str, &'a str),
    /// Full data extent.
    pub bounds: DataRect,
    /// Dragging brushes a rectangle instead of panning.
    pub brush: bool,
    /// Draw on the GPU.
    pub gpu: bool,
    /// Size in points.
    pub size: Vec2,
    /// The plain mouse wheel zooms. Off for plots in a scrolling page, where the wheel scrolls
    /// the page and Ctrl+wheel (or a pinch) zooms.
    pub wheel_zooms: bool,
}

const MARGIN_LEFT: f32 = 48.0;
const MARGIN_BOTTOM: f32 = 32.0;

impl Plot<'_> {
    /// Draws the scene and reports interactions.
    pub fn show(&self, ui: &mut egui::Ui, state: &mut PlotState, scene: &Scene) -> PlotEvents {
        let (outer, _) = ui.allocate_exact_size(self.size, Sense::hover());
        let rect = Rect::from_min_max(
            outer.min + egui::vec2(MARGIN_LEFT, 4.0),
            outer.max - egui::vec2(4.0, MARGIN_BOTTOM),
        );
        let id = ui.scope_id().with(self.label);
        let response = ui.interact(rect, id, Sense::click_and_drag());
        let label = self.label.to_string();
        response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, &label));
        let view = state.view.unwrap_or(self.bounds);
        let to_data = |p: Pos2| {
            let tx = f64::from((p.x - rect.left()) / rect.width());
            let ty = f64::from((rect.bottom() - p.y) / rect.height());
            (
                view[0] + tx * (view[1] - view[0]),
                view[2] + ty * (view[3] - view[2]),
            )
        };
        ui.painter()
            .rect_filled(rect, 0.0, ui.visuals().extreme_bg_color);
        paint(ui, rect, id, scene, view, self.gpu);
        ui.painter().rect_stroke(
            rect,
            0.0,
            Stroke::new(1.0, theme::MUTED),
            egui::StrokeKind::Inside,
        );
        self.axes_labels(ui, rect, view);
        let mut ev = PlotEvents {
            hovered: response.hover_pos().map(to_data),
            ..Default::default()
        };
        if response.clicked() {
            ev.clicked = response.interact_pointer_pos().map(to_data);
        }
        self.drag(ui, &response, state, rect, view, &mut ev);
        if response.hovered() {
            // egui turns Ctrl+wheel and pinches into a zoom factor, the plain wheel into scroll.
            let (scroll, zoom) = ui.input(|i| (i.smooth_scroll_delta.y, i.zoom_delta()));
            let wheel = if self.wheel_zooms {
                (-scroll / 200.0).exp()
            } else {
                1.0
            };
            let factor = wheel / zoom;
            if factor != 1.0
                && let Some((cx, cy)) = ev.hovered
            {
                let f = f64::from(factor);
                state.view = Some([
                    cx + (view[0] - cx) * f,
                    cx + (view[1] - cx) * f,
                    cy + (view[2] - cy) * f,
                    cy + (view[3] - cy) * f,
                ]);
            }
        }
        if response.double_clicked() {
            state.view = None;
        }
        ev
    }

    fn drag(
        &self,
        ui: &egui::Ui,
        response: &egui::Response,
        state: &mut PlotState,
        rect: Rect,
        view: DataRect,
        ev: &mut PlotEvents,
    ) {
        if response.drag_started() {
            // egui reports the drag once the pointer has moved a few points: start the brush
            // where the button went down.
            state.drag_start = ui
                .input(|i| i.pointer.press_origin())
                .or(response.interact_pointer_pos());
        }
        let (Some(start), Some(now)) = (state.drag_start, response.interact_pointer_pos()) else {
            state.drag_start = None;
            return;
        };
        if self.brush {
            let r = Rect::from_two_pos(start, now).intersect(rect);
            ui.painter().rect(
                r,
                0.0,
                Color32::from_black_alpha(30),
                Stroke::new(1.5, theme::BAD),
                egui::StrokeKind::Inside,
            );
            if response.drag_stopped() {
                let to = |p: Pos2| {
                    let tx = f64::from((p.x - rect.left()) / rect.width());
                    let ty = f64::from((rect.bottom() - p.y) / rect.height());
                    (
                        view[0] + tx * (view[1] - view[0]),
                        view[2] + ty * (view[3] - view[2]),
                    )
                };
                let (a, b) = (to(r.min), to(r.max));
                ev.brushed = Some([a.0.min(b.0), a.0.max(b.0), a.1.min(b.1), a.1.max(b.1)]);
                state.drag_start = None;
            }
        } else if response.dragged() {
            let d = response.drag_delta();
            let dx = f64::from(-d.x / rect.width()) * (view[1] - view[0]);
            let dy = f64::from(d.y / rect.height()) * (view[3] - view[2]);
            state.view = Some([view[0] + dx, view[1] + dx, view[2] + dy, view[3] + dy]);
        }
        if response.drag_stopped() {
            state.drag_start = None;
        }
    }

    fn axes_labels(&self, ui: &egui::Ui, rect: Rect, view: DataRect) {
        let p = ui.painter();
        let font = egui::FontId::proportional(12.0);
        let color = ui.visuals().text_color();
        for k in 0..=4 {
            let t = k as f32 / 4.0;
            let xv = view[0] + f64::from(t) * (view[1] - view[0]);
            let yv = view[2] + f64::from(t) * (view[3] - view[2]);
            let x = rect.left() + t * rect.width();
            let y = rect.bottom() - t * rect.height();
            p.text(
                Pos2::new(x, rect.bottom() + 2.0),
                Align2::CENTER_TOP,
                tick(xv),
                font.clone(),
                color,
            );
            p.text(
                Pos2::new(rect.left() - 4.0, y),
                Align2::RIGHT_CENTER,
                tick(yv),
                font.clone(),
                color,
            );
        }
        p.text(
            Pos2::new(rect.center().x, rect.bottom() + 16.0),
            Align2::CENTER_TOP,
            self.axes.0,
            egui::FontId::proportional(13.0),
            color,
        );
        p.text(
            Pos2::new(rect.left() + 4.0, rect.top() + 2.0),
            Align2::LEFT_TOP,
            self.axes.1,
            egui::FontId::proportional(13.0),
            color,
        );
    }
}

fn tick(v: f64) -> String {
    if v.abs() >= 1000.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}
