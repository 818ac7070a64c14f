//! The filter builder under the slice expression editor: pick a column, an operator suited to
//! its kind and a value (categorical values listed with their counts; numbers and dates with a
//! range over the column's histogram), and "Add to expression" writes the SQL into the editor,
//! where it stays editable. The logic is [`crate::slices::builder`]'s; this only draws it.

use std::collections::BTreeSet;

use super::ViewCtx;
use super::column_summary::{ColumnSummary, Summary, summary};
use crate::data::date::format_date;
use crate::data::{Column, ColumnKind};
use crate::gui::command::Command;
use crate::gui::theme;
use crate::gui::widgets::column_picker::ColumnPicker;
use crate::slices::builder::{BuilderOp, Histogram, combine, fragment, ops_for};

/// Values listed at once before the list scrolls.
const LIST_HEIGHT: f32 = 140.0;

/// The builder's choices (egui temporary memory: they last while the app runs).
#[derive(Clone, Default)]
struct BuilderState {
    column: String,
    op: Option<BuilderOp>,
    /// A range's ends, or the one value of a comparison.
    range: (f64, f64),
    /// The typed value (text columns) or the picked one (categorical `=` / `!=`).
    value: String,
    /// Values picked for `IN`.
    picked: BTreeSet<String>,
    /// Narrows the value list.
    search: String,
}

/// Draws the builder (collapsed at first) and adds its condition to `expr` when asked.
pub fn show(ui: &mut egui::Ui, cx: &ViewCtx<'_>, expr: &mut String, out: &mut Vec<Command>) {
    let Some(data) = cx.data else { return };
    egui::CollapsingHeader::new("Filter builder")
        .id_salt("filter_builder")
        .show(ui, |ui| {
            let id = egui::Id::unique("filter_builder_state");
            let mut st: BuilderState = ui.data_mut(|d| d.get_temp(id)).unwrap_or_default();
            let columns: Vec<&Column> = (data.ds.table.columns.iter())
                .filter(|c| !data.ds.reserved.contains(&c.name))
                .collect();
            ui.horizontal(|ui| {
                let label = ui.label("Filter column");
                let r = ColumnPicker::new("builder_column", &columns)
                    .show(ui, &mut st.column)
                    .labelled_by(label.id);
                if r.changed() {
                    let keep = std::mem::take(&mut st.column);
                    st = BuilderState {
                        column: keep,
                        ..BuilderState::default()
                    };
                }
            });
            match summary(cx, &st.column, out) {
                Summary::Ready(s) => {
                    let col = data.ds.table.column(&st.column);
                    body(ui, &mut st, &s, col, expr);
                }
                Summary::Building => {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.weak(format!("counting the values of '{}'…", st.column));
                    });
                }
                Summary::Absent => {}
            }
            ui.data_mut(|d| d.insert_temp(id, st));
        });
}

/// The operator, the value chooser, the SQL it makes and the button.
fn body(
    ui: &mut egui::Ui,
    st: &mut BuilderState,
    s: &ColumnSummary,
    col: Option<&Column>,
    expr: &mut String,
) {
    let ops = ops_for(s.kind);
    let mut op = st.op.filter(|o| ops.contains(o)).unwrap_or(ops[0]);
    ui.horizontal(|ui| {
        let label = ui.label("Operator");
        egui::ComboBox::from_id_salt("builder_op")
            .selected_text(op.label())
            .show_ui(ui, |ui| {
                for &o in ops {
                    ui.selectable_value(&mut op, o, o.label());
                }
            })
            .response
            .labelled_by(label.id);
    });
    if st.op != Some(op) {
        st.op = Some(op);
        if let Some(h) = &s.histogram {
            st.range = (h.min, h.max);
        }
    }
    let values = match (op, &s.histogram) {
        (BuilderOp::IsNull, _) => Vec::new(),
        (_, Some(h)) => range_values(ui, st, h, s.kind, op),
        (BuilderOp::Contains, _) => text_value(ui, st),
        (_, None) if s.kind == ColumnKind::Text => text_value(ui, st),
        _ => value_list(ui, st, s, op),
    };
    let Some(col) = col else { return };
    let sql = fragment(col, op, &values);
    match &sql {
        Ok(f) => {
            ui.label(egui::RichText::new(f).monospace());
        }
        Err(e) => {
            ui.colored_label(theme::MUTED, e);
        }
    }
    if ui
        .add_enabled(sql.is_ok(), egui::Button::new("Add to expression"))
        .on_hover_text("adds the condition to the expression, with AND when it is not empty")
        .clicked()
        && let Ok(f) = sql
    {
        *expr = combine(expr, &f);
    }
}

/// A text field for `contains` and text `=`.
fn text_value(ui: &mut egui::Ui, st: &mut BuilderState) -> Vec<String> {
    ui.horizontal(|ui| {
        let label = ui.label("Value");
        ui.text_edit_singleline(&mut st.value).labelled_by(label.id);
    });
    vec![st.value.clone()]
}

/// The histogram with the chosen range shaded, and sliders for its ends (one for a single
/// comparison); returns the values as the SQL writes them.
fn range_values(
    ui: &mut egui::Ui,
    st: &mut BuilderState,
    h: &Histogram,
    kind: ColumnKind,
    op: BuilderOp,
) -> Vec<String> {
    let two = op == BuilderOp::Between;
    let show = |x: f64| match kind {
        ColumnKind::Date => format_date(x),
        _ => round4(x),
    };
    let (lo, hi) = if two {
        st.range
    } else {
        (st.range.0, st.range.0)
    };
    histogram(ui, h, lo, hi);
    let fmt = move |x: f64, _: std::ops::RangeInclusive<usize>| show(x);
    let slider = |ui: &mut egui::Ui, v: &mut f64, text: &str| {
        ui.add(
            egui::Slider::new(v, h.min..=h.max)
                .text(text)
                .custom_formatter(fmt)
                .custom_parser(move |s| parse_value(s, kind)),
        );
    };
    if two {
        slider(ui, &mut st.range.0, "from");
        slider(ui, &mut st.range.1, "to");
        if st.range.0 > st.range.1 {
            st.range = (st.range.1, st.range.0);
        }
        // Rounded outwards, so the rows at the chosen ends stay in.
        vec![
            show(floor4(st.range.0, kind)),
            show(ceil4(st.range.1, kind)),
        ]
    } else {
        slider(ui, &mut st.range.0, "value");
        vec![show(st.range.0)]
    }
}

fn parse_value(s: &str, kind: ColumnKind) -> Option<f64> {
    match kind {
        ColumnKind::Date => crate::data::date::parse_date(s),
        _ => s.trim().parse().ok(),
    }
}

fn round4(x: f64) -> String {
    crate::data::table::format_number((x * 1e4).round() / 1e4)
}

fn floor4(x: f64, kind: ColumnKind) -> f64 {
    if kind == ColumnKind::Date {
        x.floor()
    } else {
        (x * 1e4).floor() / 1e4
    }
}

fn ceil4(x: f64, kind: ColumnKind) -> f64 {
    if kind == ColumnKind::Date {
        x.ceil()
    } else {
        (x * 1e4).ceil() / 1e4
    }
}

/// Bars of the histogram; those inside `lo..=hi` in the accent colour.
fn histogram(ui: &mut egui::Ui, h: &Histogram, lo: f64, hi: f64) {
    let size = egui::vec2(ui.available_width().min(320.0), 48.0);
    let (rect, resp) = ui.allocate_exact_size(size, egui::Sense::hover());
    let top = h.counts.iter().copied().max().unwrap_or(1).max(1) as f32;
    let w = rect.width() / h.counts.len().max(1) as f32;
    let painter = ui.painter_at(rect);
    for (i, &n) in h.counts.iter().enumerate() {
        let (a, b) = h.edges(i);
        let inside = b >= lo && a <= hi;
        let height = rect.height() * n as f32 / top;
        let x = rect.left() + w * i as f32;
        let bar = egui::Rect::from_min_max(
            egui::pos2(x + 0.5, rect.bottom() - height),
            egui::pos2(x + w - 0.5, rect.bottom()),
        );
        let color = if inside {
            theme::slice_color(0)
        } else {
            theme::NEUTRAL
        };
        painter.rect_filled(bar, 0.0, color);
    }
    resp.on_hover_text(format!(
        "{} rows between {} and {}",
        h.counts.iter().sum::<usize>(),
        crate::data::table::format_number(h.min),
        crate::data::table::format_number(h.max)
    ));
}

/// The column's values with their counts, most frequent first, narrowed by a search field: one
/// is picked for `=` / `!=`, several for `IN`.
fn value_list(
    ui: &mut egui::Ui,
    st: &mut BuilderState,
    s: &ColumnSummary,
    op: BuilderOp,
) -> Vec<String> {
    let many = op == BuilderOp::In;
    ui.horizontal(|ui| {
        let label = ui.label("Search values");
        ui.text_edit_singleline(&mut st.search)
            .labelled_by(label.id);
    });
    let needle = st.search.to_lowercase();
    egui::ScrollArea::vertical()
        .id_salt("builder_values")
        .max_height(LIST_HEIGHT)
        .show(ui, |ui| {
            let shown = (s.counts.values.iter())
                .filter(|(v, _)| needle.is_empty() || v.to_lowercase().contains(&needle));
            for (v, n) in shown {
                let on = if many {
                    st.picked.contains(v)
                } else {
                    st.value == *v
                };
                if ui.selectable_label(on, format!("{v}  ({n})")).clicked() {
                    if !many {
                        st.value.clone_from(v);
                    } else if !st.picked.remove(v) {
                        st.picked.insert(v.clone());
                    }
                }
            }
            if s.counts.truncated {
                ui.weak(format!(
                    "only the {} most frequent values",
                    s.counts.values.len()
                ));
            }
        });
    if many {
        st.picked.iter().cloned().collect()
    } else {
        vec![st.value.clone()]
    }
}
