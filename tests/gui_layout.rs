//! Layouts that hold with many slices, long names and wide tables (issue 17 items 3-8): the app
//! driven like a user, asserting what is on screen (widget positions, painted text).

use crate::common;

use common::{app, wait_for, wait_ready};
use egui::accesskit::Role;
use egui::{Event, Modifiers, MouseWheelSource, MouseWheelUnit, Pos2, TouchPhase, Vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use slicelab::gui::SlicelabApp;
use slicelab::gui::command::{Command, TrainRequest};
use slicelab::model::Method;
use slicelab::slices::SliceDef;
use slicelab::train::config::TrainConfig;

type H = Harness<'static, SlicelabApp>;

/// The app in a window of `size` points.
fn app_sized(home: &std::path::Path, size: [f32; 2]) -> H {
    let opts = common::options(home);
    Harness::builder()
        .with_size(size)
        .build_eframe(move |cc| SlicelabApp::new(cc, opts))
}

/// Screen rectangle of a node: (x0, y0, x1, y1).
fn rect_of(node: &egui_kittest::Node<'_>) -> (f64, f64, f64, f64) {
    let b = node
        .accesskit_node()
        .bounding_box()
        .expect("the widget is laid out");
    (b.x0, b.y0, b.x1, b.y1)
}

/// Every text painted last frame, with its font.
fn painted(h: &H) -> Vec<(String, egui::FontId)> {
    fn walk(shape: &egui::Shape, out: &mut Vec<(String, egui::FontId)>) {
        match shape {
            egui::Shape::Text(t) => {
                if let Some(s) = t.galley.job.sections.first() {
                    out.push((t.galley.text().to_string(), s.format.font_id.clone()));
                }
            }
            egui::Shape::Vec(v) => v.iter().for_each(|s| walk(s, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for c in &h.output().shapes {
        walk(&c.shape, &mut out);
    }
    out
}

/// Where text `text` was painted last frame (its top-left corners).
fn painted_at(h: &H, text: &str) -> Vec<Pos2> {
    fn walk(shape: &egui::Shape, text: &str, out: &mut Vec<Pos2>) {
        match shape {
            egui::Shape::Text(t) if t.galley.text() == text => out.push(t.pos),
            egui::Shape::Vec(v) => v.iter().for_each(|s| walk(s, text, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for c in &h.output().shapes {
        walk(&c.shape, text, &mut out);
    }
    out
}

/// Adds slices by command and waits until they are all scored.
fn add_slices(h: &mut H, defs: Vec<SliceDef>) {
    let want = h.state().session.slices.slices.len() + defs.len();
    for d in defs {
        h.state_mut().push(Command::AddSlice(d));
    }
    wait_for(h, "the slices to be scored", |a| {
        a.session.slices.slices.len() == want
            && a.jobs.analysis.is_none()
            && a.analysis.as_ref().is_some_and(|x| x.stats.len() == want)
    });
}

/// `n` distinct slices over x1.
fn bands(n: usize) -> Vec<SliceDef> {
    (0..n)
        .map(|k| {
            let lo = -1.0 + 0.1 * k as f64;
            SliceDef::new(&format!("band_{k}"), &format!("x1 > {lo:.2}"))
        })
        .collect()
}

/// Trains `method` (seed 0) for one epoch with `noise` on the SFs and waits for the model.
fn train(h: &mut H, method: Method, noise: Vec<(String, f64)>) {
    let before = h.state().models.len();
    h.state_mut().push(Command::StartTraining(TrainRequest {
        methods: vec![method],
        seeds: vec![0],
        train: TrainConfig {
            epochs: 1,
            ..TrainConfig::default()
        },
        noise,
    }));
    wait_for(h, "the run to finish", |a| {
        a.training.is_none() && a.models.len() > before
    });
}

/// Opens tab `name` and lets it settle.
fn open_tab(h: &mut H, name: &str) {
    h.get_by_role_and_label(Role::Button, name).click();
    for _ in 0..4 {
        h.step();
    }
}

/// Turns the mouse wheel by `delta` points at `pos` (with `modifiers` held) and lets egui's
/// smooth scrolling finish.
fn wheel(h: &mut H, pos: Pos2, delta: Vec2, modifiers: Modifiers) {
    h.hover_at(pos);
    h.step();
    h.event(Event::ModifiersChanged(modifiers));
    h.step();
    h.event(Event::MouseWheel {
        unit: MouseWheelUnit::Point,
        delta,
        phase: TouchPhase::Move,
        source: MouseWheelSource::Wheel,
        modifiers,
    });
    h.step();
    h.event(Event::ModifiersChanged(Modifiers::default()));
    for _ in 0..30 {
        h.step();
    }
}

/// Whether the wheel over `label`'s widget moves it left (its table scrolls sideways).
fn scrolls_sideways(h: &mut H, label: &str) -> bool {
    let (x0, y0, _, _) = rect_of(&h.get_by_label(label));
    // Over the table's visible part: just right of the side panel, on the header's row.
    let (left, ..) = rect_of(&h.get_by_role_and_label(Role::Button, "Errors"));
    let at = Pos2::new(left as f32 + 80.0, y0 as f32 + 4.0);
    wheel(h, at, Vec2::new(-400.0, 0.0), Modifiers::default());
    let (x1, ..) = rect_of(&h.get_by_label(label));
    x1 < x0 - 50.0
}

/// Where slice `name`'s button is in the side panel (the Errors table lists it too).
fn in_list(h: &H, name: &str) -> (f64, f64, f64, f64) {
    h.query_all_by_role_and_label(Role::Button, name)
        .map(|n| rect_of(&n))
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .expect("the slice is listed")
}

/// Steps a few frames (the app may keep repainting while jobs run).
fn settle(h: &mut H) {
    for _ in 0..8 {
        h.step();
    }
}

/// Item 3: a long name elides in a side panel that keeps its width; hovering shows it whole.
#[test]
fn a_long_slice_name_elides_and_the_side_panel_keeps_its_width() {
    let home = tempfile::tempdir().unwrap();
    let mut h = app(home.path());
    wait_ready(&mut h);
    let long = format!("a_very_long_slice_name_{}", "that_keeps_going_".repeat(8));
    add_slices(&mut h, vec![SliceDef::new(&long, "x1 > 0.2")]);
    settle(&mut h);
    // The name's button is capped; the Errors tab (right of the panel) has not moved away.
    // In the list and in the Errors table.
    let widths: Vec<f64> = h
        .query_all_by_role_and_label(Role::Button, &long)
        .map(|n| rect_of(&n))
        .map(|r| r.2 - r.0)
        .collect();
    assert_eq!(widths.len(), 2);
    assert!(widths.iter().all(|w| *w < 200.0), "names {widths:?} wide");
    let (tab_x, ..) = rect_of(&h.get_by_role_and_label(Role::Button, "Errors"));
    assert!(tab_x < 540.0, "the central panel starts at x = {tab_x}");
    // Hovering the elided name shows it whole in a tooltip.
    let before = h.query_all_by_label(&long).count();
    let (x0, y0, x1, y1) = in_list(&h, &long);
    h.hover_at(Pos2::new(
        ((x0 + x1) / 2.0) as f32,
        ((y0 + y1) / 2.0) as f32,
    ));
    for _ in 0..30 {
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(
        h.query_all_by_label(&long).count() > before,
        "no tooltip with the whole name"
    );
}

/// Item 3: the Errors, Compare and Models tables scroll sideways in a narrow window.
#[test]
fn the_errors_compare_and_models_tables_scroll_sideways() {
    let home = tempfile::tempdir().unwrap();
    let mut h = app_sized(home.path(), [800.0, 700.0]);
    wait_ready(&mut h);
    train(&mut h, Method::Vanilla, Vec::new());
    open_tab(&mut h, "Errors");
    assert!(scrolls_sideways(&mut h, "flag"), "Errors table");
    open_tab(&mut h, "Compare");
    assert!(scrolls_sideways(&mut h, "avg lift"), "Compare table");
    open_tab(&mut h, "Train");
    assert!(scrolls_sideways(&mut h, "test F1"), "Models table");
}

/// Fifteen SFs (the demo's two and thirteen more) and one Vanilla epoch on them.
fn fifteen_slices_trained(h: &mut H) {
    wait_ready(h);
    let mut defs = bands(12);
    let long = format!("a_long_name_{}", "that_goes_on_".repeat(6));
    defs.push(SliceDef::new(&long, "x2 > 0.3"));
    add_slices(h, defs);
    train(h, Method::Vanilla, Vec::new());
}

/// Item 3: with 15 slices the F1 curves have no legend over the plot but a side list whose
/// checkboxes switch runs and slices.
#[test]
fn fifteen_slices_curves_are_switched_in_a_side_list_not_a_legend() {
    let home = tempfile::tempdir().unwrap();
    let mut h = app(home.path());
    fifteen_slices_trained(&mut h);
    open_tab(&mut h, "Train");
    assert!(
        h.query_by_label("vanilla-seed0 · band_3").is_none(),
        "a legend entry per line is back"
    );
    for name in ["vanilla-seed0", "overall", "sf_1", "band_11"] {
        h.get_by_role_and_label(Role::CheckBox, name);
    }
    // The F1 plot stands right beside the list (its y-axis title just right of it).
    let (_, _, list_right, _) = rect_of(&h.get_by_role_and_label(Role::CheckBox, "band_11"));
    let title = painted_at(&h, "F1 (valid)");
    assert!(
        title.iter().any(|p| f64::from(p.x) < list_right + 120.0),
        "the F1 plot's title is at {title:?}, the list ends at {list_right}"
    );
    // ... and stays there frame after frame (plots sized inside a scrolling area used to grow).
    let epochs = painted_at(&h, "epoch");
    for _ in 0..60 {
        h.step();
    }
    assert_eq!(painted_at(&h, "epoch"), epochs, "the plots moved");
    h.get_by_role_and_label(Role::CheckBox, "band_3").click();
    h.step();
    h.get_by_role_and_label(Role::CheckBox, "vanilla-seed0")
        .click();
    h.step();
    h.step();
    let v = &h.state().session.views.train;
    assert!(v.hidden_slices.contains("band_3"));
    assert!(v.hidden_runs.contains("vanilla-seed0"));
}

/// Item 8: every bar group of the Compare chart has its label on the x axis.
#[test]
fn every_compare_bar_group_has_its_axis_label() {
    let home = tempfile::tempdir().unwrap();
    let mut h = app(home.path());
    fifteen_slices_trained(&mut h);
    open_tab(&mut h, "Compare");
    let report = slicelab::gui::models::compare(&h.state().models);
    let names: Vec<String> = std::iter::once("overall".to_string())
        .chain(report.slice_names().into_iter().map(|(n, _)| n.to_string()))
        .collect();
    assert!(names.len() >= 16, "{names:?}");
    let texts: Vec<String> = painted(&h).into_iter().map(|(t, _)| t).collect();
    let missing: Vec<&String> = names.iter().filter(|n| !texts.contains(n)).collect();
    assert!(missing.is_empty(), "no axis label for {missing:?}");
}

/// Item 4: a new slice below the fold is scrolled to and selected.
#[test]
fn a_new_slice_is_scrolled_to_and_selected() {
    let home = tempfile::tempdir().unwrap();
    let mut h = app(home.path());
    wait_ready(&mut h);
    add_slices(&mut h, bands(20));
    h.get_by_role_and_label(Role::TextInput, "Name").click();
    h.get_by_role_and_label(Role::TextInput, "Name")
        .type_text("newest");
    h.get_by_role_and_label(Role::MultilineTextInput, "Expression")
        .click();
    h.get_by_role_and_label(Role::MultilineTextInput, "Expression")
        .type_text("x2 > 0.75");
    common::wait_for_text(&mut h, "rows match");
    h.get_by_label("Add slice").click();
    wait_for(&mut h, "the new slice", |a| {
        a.session.slices.slices.iter().any(|s| s.name == "newest")
    });
    settle(&mut h);
    assert_eq!(h.state().session.selected.as_deref(), Some("newest"));
    // In view: between the top of the window and the editor under the list.
    let (_, top, _, bottom) = in_list(&h, "newest");
    let (_, editor, ..) = rect_of(&h.get_by_label("New slice"));
    assert!(
        top > 0.0 && bottom <= editor,
        "newest at {top}..{bottom}, editor at {editor}"
    );
}

/// Item 4: clicking the same heatmap cell five times makes one slice, then selects it and says so.
#[test]
fn the_same_heatmap_cell_clicked_five_times_makes_one_slice() {
    let home = tempfile::tempdir().unwrap();
    let mut h = app(home.path());
    wait_ready(&mut h);
    open_tab(&mut h, "Map");
    common::wait_for_text(&mut h, "click a cell to slice it");
    for _ in 0..5 {
        h.get_by_label("Error heatmap").click();
        h.step();
        h.step();
    }
    wait_for(&mut h, "the cell slice to be scored", |a| {
        a.jobs.analysis.is_none() && a.analysis.as_ref().is_some_and(|x| x.stats.len() == 3)
    });
    settle(&mut h);
    let app = h.state();
    assert_eq!(app.session.slices.slices.len(), 3);
    let cell = app.session.slices.slices[2].name.clone();
    assert_eq!(app.session.selected.as_deref(), Some(cell.as_str()));
    h.get_by_label_contains(&format!("'{cell}' already has this expression"));
}

/// Item 4: 22 slices get 22 colours far apart.
#[test]
fn twenty_two_slices_get_distinct_colours() {
    let home = tempfile::tempdir().unwrap();
    let mut h = app(home.path());
    wait_ready(&mut h);
    add_slices(&mut h, bands(20));
    settle(&mut h);
    let mut swatches: Vec<egui::Color32> = Vec::new();
    fn walk(shape: &egui::Shape, out: &mut Vec<egui::Color32>) {
        match shape {
            egui::Shape::Rect(r)
                if (r.rect.width() - 12.0).abs() < 0.1 && r.rect.height() == 12.0 =>
            {
                out.push(r.fill);
            }
            egui::Shape::Vec(v) => v.iter().for_each(|s| walk(s, out)),
            _ => {}
        }
    }
    for c in &h.output().shapes {
        walk(&c.shape, &mut swatches);
    }
    assert!(swatches.len() >= 22, "{} swatches", swatches.len());
    let distance = |a: egui::Color32, b: egui::Color32| {
        let d = |x: u8, y: u8| (f32::from(x) - f32::from(y)).powi(2);
        (d(a.r(), b.r()) + d(a.g(), b.g()) + d(a.b(), b.b())).sqrt()
    };
    for (i, a) in swatches.iter().enumerate() {
        for b in &swatches[i + 1..] {
            assert!(distance(*a, *b) > 40.0, "{a:?} and {b:?} look alike");
        }
    }
}

/// Item 5: the expression under a slice's name is monospace at the body text's size.
#[test]
fn the_expression_under_a_slice_is_monospace_at_body_size() {
    let home = tempfile::tempdir().unwrap();
    let mut h = app(home.path());
    wait_ready(&mut h);
    let expr = "x1 > 0.25 AND x2 <= -0.5".to_string();
    add_slices(&mut h, vec![SliceDef::new("corner", &expr)]);
    settle(&mut h);
    let fonts: Vec<egui::FontId> = painted(&h)
        .into_iter()
        .filter(|(t, _)| *t == expr)
        .map(|(_, f)| f)
        .collect();
    assert!(!fonts.is_empty(), "'{expr}' is not drawn");
    let body = h.ctx.global_style().text_styles[&egui::TextStyle::Body].size;
    for f in fonts {
        assert_eq!(f.family, egui::FontFamily::Monospace);
        assert!(f.size >= body, "drawn at {} px, body is {body}", f.size);
    }
}

/// Item 6: the status bar stops saying "analysing" once the analysis is in.
#[test]
fn the_analysing_status_clears_when_the_analysis_is_done() {
    let home = tempfile::tempdir().unwrap();
    let mut h = app(home.path());
    wait_ready(&mut h);
    // The suggestion search may finish before or after the analysis; its line must not hide it.
    wait_for(&mut h, "the suggestion search", |a| {
        a.jobs.suggest.is_none()
    });
    settle(&mut h);
    assert!(
        h.query_by_label_contains("analysing predictions of")
            .is_none()
    );
    let log = &h.state().log;
    assert!(
        log.iter()
            .any(|l| l.starts_with("analysed predictions of vanilla-seed0 (quick)")),
        "{log:?}"
    );
}

/// An SBL model analysed, on the Indicators tab.
fn indicators_of_sbl(h: &mut H) {
    wait_ready(h);
    train(h, Method::Sbl, Vec::new());
    let i = h.state().models.iter().position(|m| m.name == "sbl-seed0");
    h.state_mut()
        .push(Command::AnalyseModel(i.expect("sbl-seed0")));
    wait_for(h, "sbl-seed0 analysed", |a| {
        a.predicted.as_ref().is_some_and(|p| p.name == "sbl-seed0") && a.jobs.analysis.is_none()
    });
    open_tab(h, "Indicators");
    common::wait_for_text(h, "Attention weights");
    settle(h);
}

/// Items 3 and 7: the Indicators page scrolls under the wheel, even over a plot; Ctrl+wheel
/// zooms the plot instead; slider names stand left of their sliders.
#[test]
fn the_indicators_page_scrolls_and_ctrl_wheel_zooms_a_plot() {
    let home = tempfile::tempdir().unwrap();
    let mut h = app_sized(home.path(), [1280.0, 700.0]);
    indicators_of_sbl(&mut h);
    // Each slider's name is on its row, left of it.
    let slider = rect_of(&h.get_by_role_and_label(Role::Slider, "sf_2"));
    let names: Vec<_> = h
        .root()
        .query_all(egui_kittest::kittest::by().role(Role::Label))
        .filter(|n| n.accesskit_node().value().as_deref() == Some("sf_2"))
        .map(|n| rect_of(&n))
        .filter(|r| (r.1 - slider.1).abs() < 8.0)
        .collect();
    assert!(
        names.iter().any(|r| r.2 <= slider.0),
        "no 'sf_2' left of its slider {slider:?}: {names:?}"
    );
    let ticks = |h: &H| -> Vec<String> {
        // The plots' tick labels: numbers in the 12-point proportional font.
        let mut t: Vec<String> = painted(h)
            .into_iter()
            .filter(|(t, f)| f.size == 12.0 && t.parse::<f64>().is_ok())
            .map(|(t, _)| t)
            .collect();
        t.sort();
        t
    };
    let plot = rect_of(&h.get_by_label("Indicator sf_1"));
    let centre = Pos2::new(
        ((plot.0 + plot.2) / 2.0) as f32,
        ((plot.1 + plot.3) / 2.0) as f32,
    );
    let before = ticks(&h);
    let top = |h: &H| rect_of(&h.get_by_label("Indicator sf_1")).1;
    wheel(&mut h, centre, Vec2::new(0.0, -120.0), Modifiers::default());
    assert!(top(&h) < plot.1 - 20.0, "the page did not scroll");
    assert_eq!(ticks(&h), before, "the plain wheel zoomed the plot");
    let now = rect_of(&h.get_by_label("Indicator sf_1"));
    let centre = Pos2::new(
        ((now.0 + now.2) / 2.0) as f32,
        ((now.1 + now.3) / 2.0) as f32,
    );
    wheel(&mut h, centre, Vec2::new(0.0, -120.0), Modifiers::COMMAND);
    assert!(
        (top(&h) - now.1).abs() < 1.0,
        "Ctrl+wheel scrolled the page"
    );
    assert_ne!(ticks(&h), before, "Ctrl+wheel did not zoom");
}

/// Item 7: the attention heatmap has a colour scale, values in its cells and a tooltip.
#[test]
fn the_attention_heatmap_has_a_scale_values_and_a_tooltip() {
    let home = tempfile::tempdir().unwrap();
    let mut h = app_sized(home.path(), [1280.0, 2400.0]);
    indicators_of_sbl(&mut h);
    h.get_by_label("attention weight");
    let values = painted(&h)
        .into_iter()
        .filter(|(t, f)| f.family == egui::FontFamily::Monospace && t.starts_with("0."))
        .count();
    assert!(values >= 40, "{values} values in the cells");
    let title = rect_of(&h.get_by_label_contains("Attention weights"));
    // The first cell: under the scale, the expert names and right of the row labels.
    let cell = Pos2::new(
        title.0 as f32 + 60.0 + 24.0,
        title.3 as f32 + 30.0 + 18.0 + 8.0,
    );
    h.hover_at(cell);
    for _ in 0..30 {
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    h.get_by_label_contains("weight 0.");
}

/// Item 7: a model retrained with noisy SFs says so in its name.
#[test]
fn a_retrained_model_is_named_after_its_sf_noise() {
    let home = tempfile::tempdir().unwrap();
    let mut h = app(home.path());
    wait_ready(&mut h);
    train(&mut h, Method::Sbl, vec![("sf_1".into(), 0.2)]);
    open_tab(&mut h, "Train");
    h.get_by_label("sbl-seed0 noise 20%");
}
