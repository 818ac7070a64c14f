//! The slice expression editor with auto-completion: while the word at the cursor starts column
//! names (or, after `col = '`, values of that column) a small list under the editor offers them;
//! Tab or a click inserts the highlighted one (↑/↓ move the highlight, Escape hides the list).
//! What is being typed and what it completes to come from [`crate::slices::complete`].

use egui::text::{CCursor, CCursorRange};
use egui::{Key, Modifiers};

use super::ViewCtx;
use super::column_summary::{Summary, summary};
use crate::gui::command::Command;
use crate::slices::complete::{Completing, accept, candidates, completing_at};

/// Longest expression (bytes) that completion looks at.
const MAX_COMPLETED_BYTES: usize = 20_000;

/// The completion list as the last frame left it (egui temporary memory, under the editor's id).
#[derive(Clone, Default)]
struct Popup {
    /// Candidates offered, best first.
    items: Vec<String>,
    what: Option<Completing>,
    /// Byte offset of the cursor they are for.
    cursor: usize,
    highlight: usize,
    /// Set after Escape until the text changes.
    dismissed: Option<String>,
    /// The pointer was over the list (a click on it must not hide it first).
    hovered: bool,
}

/// Draws the multiline expression editor labelled by `label` and its completion list.
pub fn expression_editor(
    ui: &mut egui::Ui,
    expr: &mut String,
    cx: &ViewCtx<'_>,
    label: egui::Id,
    commands: &mut Vec<Command>,
) -> egui::Response {
    let id = ui.make_persistent_id("expression_text");
    let pid = id.with("completion");
    let mut pop: Popup = ui.data_mut(|d| d.get_temp(pid)).unwrap_or_default();
    let focused = ui.memory(|m| m.has_focus(id));
    let mut chosen = None;
    if focused && !pop.items.is_empty() {
        // Taken before the editor sees them, so Tab does not insert a tab character.
        let (tab, down, up, esc) = ui.input_mut(|i| {
            (
                i.consume_key(Modifiers::NONE, Key::Tab),
                i.consume_key(Modifiers::NONE, Key::ArrowDown),
                i.consume_key(Modifiers::NONE, Key::ArrowUp),
                i.consume_key(Modifiers::NONE, Key::Escape),
            )
        });
        if tab {
            chosen = pop.items.get(pop.highlight).cloned();
        }
        if down {
            pop.highlight = (pop.highlight + 1).min(pop.items.len() - 1);
        }
        if up {
            pop.highlight = pop.highlight.saturating_sub(1);
        }
        if esc {
            pop.dismissed = Some(expr.clone());
            pop.items.clear();
        }
    }
    if let Some(c) = chosen {
        insert(ui.ctx(), id, expr, &mut pop, &c);
    }
    let out = egui::TextEdit::multiline(expr)
        .id(id)
        .code_editor()
        .desired_rows(2)
        .desired_width(f32::INFINITY)
        .hint_text("x1 BETWEEN 0 AND 0.3 AND x2 > 0.5")
        .show(ui);
    let response = out.response.response.clone().labelled_by(label);
    if expr.len() > MAX_COMPLETED_BYTES {
        // Finding the word at the cursor reads the text before it: not every frame of a pasted
        // 100,000-term expression.
        pop.items.clear();
    } else if response.has_focus() || pop.hovered {
        let cursor = (out.cursor_range)
            .filter(|_| response.has_focus())
            .map(|r| byte_offset(expr, r.primary.index.0));
        if let Some(c) = cursor {
            refresh(&mut pop, expr, c, cx, commands);
        }
    } else {
        pop.items.clear();
    }
    if !pop.items.is_empty()
        && let Some(c) = list(ui, &response, &mut pop)
    {
        insert(ui.ctx(), id, expr, &mut pop, &c);
        ui.memory_mut(|m| m.request_focus(id));
    }
    ui.data_mut(|d| d.insert_temp(pid, pop));
    response
}

/// Recomputes the candidates for the text at `cursor`.
fn refresh(pop: &mut Popup, expr: &str, cursor: usize, cx: &ViewCtx<'_>, out: &mut Vec<Command>) {
    if pop.dismissed.as_deref() == Some(expr) {
        pop.items.clear();
        return;
    }
    pop.dismissed = None;
    let what = completing_at(expr, cursor);
    let items = match (&what, cx.data) {
        (Some(Completing::Column { prefix, .. }), Some(data)) => {
            let names = data.ds.table.columns.iter().map(|c| c.name.as_str());
            candidates(prefix, names)
        }
        (Some(Completing::Value { column, prefix, .. }), Some(_)) => match summary(cx, column, out)
        {
            Summary::Ready(s) => {
                candidates(prefix, s.counts.values.iter().map(|(v, _)| v.as_str()))
            }
            Summary::Building | Summary::Absent => Vec::new(),
        },
        _ => Vec::new(),
    };
    if items != pop.items {
        pop.highlight = 0;
    }
    (pop.items, pop.what, pop.cursor) = (items, what, cursor);
}

/// The list under the editor; returns a clicked candidate.
fn list(ui: &mut egui::Ui, editor: &egui::Response, pop: &mut Popup) -> Option<String> {
    let mut clicked = None;
    let area = egui::Area::new(editor.id.with("completion_list"))
        .order(egui::Order::Foreground)
        .fixed_pos(editor.rect.left_bottom())
        .show(ui.ctx(), |ui| {
            egui::Frame::popup(ui.style()).show(ui, |ui| {
                ui.weak("Tab inserts");
                for (i, item) in pop.items.iter().enumerate() {
                    let text = egui::RichText::new(item).monospace();
                    if ui.selectable_label(i == pop.highlight, text).clicked() {
                        clicked = Some(item.clone());
                    }
                }
            });
        });
    // egui repaints on pointer moves by itself; a view never asks for frames.
    pop.hovered = area.response.contains_pointer();
    clicked
}

/// Accepts `choice` into `expr` and moves the editor's cursor after it.
fn insert(ctx: &egui::Context, id: egui::Id, expr: &mut String, pop: &mut Popup, choice: &str) {
    let Some(what) = pop.what.take() else { return };
    let (text, at) = accept(expr, pop.cursor.min(expr.len()), &what, choice);
    *expr = text;
    pop.items.clear();
    pop.hovered = false;
    let mut state = egui::TextEdit::load_state(ctx, id).unwrap_or_default();
    let chars = expr.get(..at).map_or(0, |s| s.chars().count());
    state
        .cursor
        .set_char_range(Some(CCursorRange::one(CCursor::new(chars))));
    state.store(ctx, id);
}

/// The byte offset of character `chars` of `text`.
fn byte_offset(text: &str, chars: usize) -> usize {
    text.char_indices()
        .nth(chars)
        .map_or(text.len(), |(b, _)| b)
}
