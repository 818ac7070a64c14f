//! A column chooser for wide tables: a button ("Columns 785/785") whose popup lists every column
//! with a checkbox and its kind, narrowed by a search field, with "Show all" / "Hide all" for the
//! columns that match. Only the rows in view are laid out.

use std::collections::BTreeSet;

use egui::Widget as _;
use serde::{Deserialize, Serialize};

use super::column_list::{self, PickItem};

/// Rows of the popup's list shown at once before it scrolls.
const VISIBLE_ROWS: f32 = 16.0;

/// Which columns are shown: every column but those in `except` (`all`), or only those in
/// `except`. Kept by name, so it survives reloading the same table and costs nothing when all
/// columns are shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ShownColumns {
    /// Whether columns are shown unless listed in `except`.
    pub all: bool,
    /// The columns that differ from `all`.
    pub except: BTreeSet<String>,
}

impl Default for ShownColumns {
    fn default() -> Self {
        Self {
            all: true,
            except: BTreeSet::new(),
        }
    }
}

impl ShownColumns {
    /// Whether column `name` is shown.
    pub fn is_shown(&self, name: &str) -> bool {
        self.all != self.except.contains(name)
    }

    /// Shows or hides column `name`.
    pub fn set(&mut self, name: &str, shown: bool) {
        if shown == self.all {
            self.except.remove(name);
        } else {
            self.except.insert(name.to_string());
        }
    }

    /// Shows (`true`) or hides every column.
    pub fn set_all(&mut self, shown: bool) {
        self.all = shown;
        self.except.clear();
    }
}

/// What the popup remembers between frames (egui's temporary memory, under the chooser's id).
#[derive(Clone, Default)]
struct ChooserState {
    filter: String,
}

/// A searchable multi-column chooser over `items` (see the module docs).
pub struct ColumnChooser<'a, T> {
    id: egui::Id,
    items: &'a [T],
}

impl<'a, T: PickItem> ColumnChooser<'a, T> {
    /// A chooser over `items`, told apart from others by `id_salt`.
    pub fn new(id_salt: impl egui::AsIdSalt, items: &'a [T]) -> Self {
        Self {
            id: egui::Id::unique(("column_chooser", id_salt)),
            items,
        }
    }

    /// Shows the button and, when open, the popup; the response is `changed()` when the shown
    /// set changed.
    pub fn show(self, ui: &mut egui::Ui, shown: &mut ShownColumns) -> egui::Response {
        let popup_id = self.id.with("popup");
        let opened = !egui::Popup::is_id_open(ui.ctx(), popup_id);
        let count = self
            .items
            .iter()
            .filter(|c| shown.is_shown(c.name()))
            .count();
        let mut button = egui::Button::new(format!("Columns {count}/{} ▼", self.items.len()))
            .ui(ui)
            .on_hover_text("Choose the columns shown: search, show all, hide all");
        let mut changed = false;
        egui::Popup::menu(&button)
            .id(popup_id)
            .width(260.0)
            .close_behavior(egui::PopupCloseBehavior::CloseOnClickOutside)
            .show(|ui| {
                // The opening click focuses the button on release: the field takes it back.
                let grab = opened || button.has_focus();
                changed = self.popup(ui, shown, (opened, grab));
            });
        if changed {
            button.mark_changed();
        }
        button
    }

    /// The popup's search field, buttons and list; returns whether anything changed.
    fn popup(
        &self,
        ui: &mut egui::Ui,
        shown: &mut ShownColumns,
        (opened, grab): (bool, bool),
    ) -> bool {
        let mut st: ChooserState = ui.data_mut(|d| d.get_temp(self.id)).unwrap_or_default();
        if opened {
            st = ChooserState::default();
        }
        let field = column_list::search_field(ui, &mut st.filter);
        if grab {
            field.request_focus();
        }
        let matches: Vec<usize> = column_list::matching(self.items, &st.filter).collect();
        let mut changed = false;
        ui.horizontal(|ui| {
            let what = if st.filter.trim().is_empty() {
                "every column"
            } else {
                "the columns that match the search"
            };
            for (label, on) in [("Show all", true), ("Hide all", false)] {
                if ui.button(label).on_hover_text(what).clicked() {
                    changed = true;
                    if st.filter.trim().is_empty() {
                        shown.set_all(on);
                    } else {
                        matches
                            .iter()
                            .for_each(|&i| shown.set(self.items[i].name(), on));
                    }
                }
            }
        });
        if matches.is_empty() {
            ui.weak("no column matches");
        }
        let row_h = ui.spacing().interact_size.y;
        egui::ScrollArea::vertical()
            .id_salt(self.id.with("list"))
            .max_height(row_h * VISIBLE_ROWS)
            .auto_shrink([false, true])
            .show_rows(ui, row_h, matches.len(), |ui, range| {
                for &i in &matches[range] {
                    changed |= self.row(ui, shown, i, row_h);
                }
            });
        ui.data_mut(|d| d.insert_temp(self.id, st));
        changed
    }

    /// One checkbox row with the column's kind on the right.
    fn row(&self, ui: &mut egui::Ui, shown: &mut ShownColumns, i: usize, row_h: f32) -> bool {
        let item = &self.items[i];
        let mut on = shown.is_shown(item.name());
        let r = ui
            .allocate_ui(egui::vec2(ui.available_width(), row_h), |ui| {
                ui.checkbox(&mut on, item.name())
            })
            .inner;
        if let Some(k) = item.kind() {
            let right = egui::pos2(ui.max_rect().right() - 6.0, r.rect.center().y);
            ui.painter().text(
                right,
                egui::Align2::RIGHT_CENTER,
                column_list::kind_label(k),
                egui::TextStyle::Small.resolve(ui.style()),
                crate::gui::theme::MUTED,
            );
        }
        if r.changed() {
            shown.set(item.name(), on);
        }
        r.changed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_columns_flip_between_all_and_none_but_some() {
        let mut s = ShownColumns::default();
        assert!(s.is_shown("a"));
        s.set("a", false);
        assert!(!s.is_shown("a") && s.is_shown("b"));
        s.set_all(false);
        assert!(!s.is_shown("a") && !s.is_shown("b"));
        s.set("b", true);
        assert!(s.is_shown("b") && !s.is_shown("a"));
        assert_eq!(s.except.len(), 1);
    }
}
