//! Brushing a plot selects the rectangle from where the mouse button went down, not from where
//! egui first noticed the drag (a few points later).

use egui::{Event, Modifiers, PointerButton, Pos2, vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use slicelab::gui::widgets::plot2d::{Plot, PlotState};
use slicelab::gui::widgets::points::{DataRect, Scene};

type State = (PlotState, Option<DataRect>);

fn harness() -> Harness<'static, State> {
    Harness::builder()
        .with_size(vec2(420.0, 320.0))
        .build_ui_state(
            |ui, (state, brushed): &mut State| {
                let plot = Plot {
                    label: "brush plot",
                    axes: ("x", "y"),
                    bounds: [0.0, 1.0, 0.0, 1.0],
                    brush: true,
                    gpu: false,
                    size: vec2(400.0, 300.0),
                    wheel_zooms: true,
                };
                if let Some(b) = plot.show(ui, state, &Scene::default()).brushed {
                    *brushed = Some(b);
                }
            },
            (PlotState::default(), None),
        )
}

fn button(h: &mut Harness<'static, State>, pos: Pos2, pressed: bool) {
    h.event(Event::PointerButton {
        pos,
        button: PointerButton::Primary,
        pressed,
        modifiers: Modifiers::default(),
    });
    h.step();
}

fn move_to(h: &mut Harness<'static, State>, pos: Pos2) {
    h.event(Event::PointerMoved(pos));
    h.step();
}

#[test]
fn the_brush_starts_where_the_button_went_down() {
    let mut h = harness();
    h.step();
    let rect = h.get_by_label("brush plot").rect();
    let to_data = |p: Pos2| {
        (
            f64::from((p.x - rect.left()) / rect.width()),
            f64::from((rect.bottom() - p.y) / rect.height()),
        )
    };
    let (down, up) = (rect.min + vec2(60.0, 50.0), rect.min + vec2(200.0, 150.0));
    move_to(&mut h, down);
    button(&mut h, down, true);
    // Small steps, so egui notices the drag a few points away from where it started.
    for i in 1..=20 {
        move_to(&mut h, down + (up - down) * (i as f32 / 20.0));
    }
    button(&mut h, up, false);
    let [x0, x1, y0, y1] = h.state().1.expect("a finished brush");
    let (a, b) = (to_data(down), to_data(up));
    let px = 1.0 / f64::from(rect.width());
    assert!(
        (x0 - a.0).abs() < px,
        "brush starts at x {x0}, button went down at {}",
        a.0
    );
    assert!(
        (y1 - a.1).abs() < px,
        "brush starts at y {y1}, button went down at {}",
        a.1
    );
    assert!((x1 - b.0).abs() < px && (y0 - b.1).abs() < px);
}
