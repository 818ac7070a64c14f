//! A column picker for tables with hundreds of columns: a combo-box-like button whose popup has a
//! search field that narrows the list as you type (case-insensitive substring), shows each
//! column's kind, and lays out only the rows in view. Keyboard: the field has focus when the
//! popup opens, ↑/↓ move the highlight, Enter picks it, Escape closes.

use egui::Widget as _;
use egui::{Key, Modifiers};

use super::column_list::{self, PickItem};
use crate::data::ColumnKind;

/// Rows of the popup's list shown at once before it scrolls.
const VISIBLE_ROWS: f32 = 14.0;

/// What the popup remembers between frames (in egui's temporary memory, under the picker's id).
#[derive(Clone, Default)]
struct PickerState {
    filter: String,
    /// Index into the filtered list of the row Enter picks.
    highlight: usize,
    /// Scroll so that the highlight is in view on the next frame.
    follow: bool,
}

/// Looks up the kind of a column by name.
pub type KindOf<'a> = &'a dyn Fn(&str) -> Option<ColumnKind>;

/// A searchable single-column picker over `items` (see the module docs).
pub struct ColumnPicker<'a, T> {
    id: egui::Id,
    items: &'a [T],
    none: Option<&'a str>,
    kind_of: Option<KindOf<'a>>,
    width: f32,
}

impl<'a, T: PickItem> ColumnPicker<'a, T> {
    /// A picker over `items`, told apart from other pickers by `id_salt`.
    pub fn new(id_salt: impl egui::AsIdSalt, items: &'a [T]) -> Self {
        Self {
            id: egui::Id::unique(("column_picker", id_salt)),
            items,
            none: None,
            kind_of: None,
            width: 140.0,
        }
    }

    /// Offers an entry first that clears the choice, shown as `label` (e.g. "none").
    pub fn optional(mut self, label: &'a str) -> Self {
        self.none = Some(label);
        self
    }

    /// Where the kind of a column comes from when its item does not carry one.
    pub fn kind_of(mut self, kind_of: KindOf<'a>) -> Self {
        self.kind_of = Some(kind_of);
        self
    }

    /// The button's minimum width in points.
    pub fn width(mut self, width: f32) -> Self {
        self.width = width;
        self
    }

    /// Shows a picker whose choice is required; the response is `changed()` when a column was
    /// picked.
    pub fn show(self, ui: &mut egui::Ui, value: &mut String) -> egui::Response {
        let mut v = Some(value.clone());
        let r = self.show_optional(ui, &mut v);
        if r.changed() {
            *value = v.unwrap_or_default();
        }
        r
    }

    /// Shows a picker whose choice may be empty (`None`, with [`Self::optional`]'s entry); the
    /// response is `changed()` when the choice changed.
    pub fn show_optional(self, ui: &mut egui::Ui, value: &mut Option<String>) -> egui::Response {
        let popup_id = self.id.with("popup");
        let was_open = egui::Popup::is_id_open(ui.ctx(), popup_id);
        let shown = value.as_deref().or(self.none).unwrap_or("").to_string();
        let mut button = egui::Button::new(shown.as_str())
            .right_text("▼")
            .min_size(egui::vec2(self.width, 0.0))
            .truncate()
            .ui(ui);
        button.widget_info(|| {
            let mut info = egui::WidgetInfo::new(egui::Role::ComboBox);
            info.enabled = ui.is_enabled();
            info.current_text_value = Some(shown.clone());
            info
        });
        let mut picked = None;
        egui::Popup::menu(&button)
            .id(popup_id)
            .width(button.rect.width().max(240.0))
            .close_behavior(egui::PopupCloseBehavior::CloseOnClickOutside)
            .show(|ui| {
                // The click that opened the popup focuses the button on its release: the field
                // takes the focus back, so typing goes to the search at once.
                let grab = !was_open || button.has_focus();
                picked = self.popup(ui, value.as_deref(), (!was_open, grab));
            });
        if let Some(p) = picked {
            if *value != p {
                *value = p;
                button.mark_changed();
            }
            egui::Popup::close_id(ui.ctx(), popup_id);
        }
        button
    }

    /// The popup's search field and list; returns the choice when one was made.
    fn popup(
        &self,
        ui: &mut egui::Ui,
        current: Option<&str>,
        (opened, grab): (bool, bool),
    ) -> Option<Option<String>> {
        let mut st: PickerState = ui.data_mut(|d| d.get_temp(self.id)).unwrap_or_default();
        if opened {
            st = PickerState::default();
        }
        let keys = ui.input_mut(|i| {
            (
                i.consume_key(Modifiers::NONE, Key::ArrowDown),
                i.consume_key(Modifiers::NONE, Key::ArrowUp),
                i.consume_key(Modifiers::NONE, Key::Enter),
            )
        });
        let field = column_list::search_field(ui, &mut st.filter);
        if grab {
            field.request_focus();
        }
        if field.changed() {
            st.highlight = 0;
            st.follow = true;
        }
        let mut entries: Vec<Option<usize>> = Vec::new();
        if self.none.is_some() && st.filter.is_empty() {
            entries.push(None);
        }
        entries.extend(column_list::matching(self.items, &st.filter).map(Some));
        st.highlight = self.steer(st.highlight, keys, entries.len(), &mut st.follow);
        let mut picked = None;
        if keys.2
            && let Some(&e) = entries.get(st.highlight)
        {
            picked = Some(self.value_of(e));
        }
        if entries.is_empty() {
            ui.weak("no column matches");
        }
        let row_h = ui.spacing().interact_size.y;
        let mut area = egui::ScrollArea::vertical()
            .id_salt(self.id.with("list"))
            .max_height(row_h * VISIBLE_ROWS)
            .auto_shrink([false, true]);
        if st.follow {
            area = area.vertical_scroll_offset(column_list::offset_for(ui, st.highlight, row_h));
            st.follow = false;
        }
        area.show_rows(ui, row_h, entries.len(), |ui, range| {
            for (row, &e) in entries
                .iter()
                .enumerate()
                .skip(range.start)
                .take(range.len())
            {
                let name = e.map_or(self.none.unwrap_or(""), |i| self.items[i].name());
                let selected = current == e.map(|i| self.items[i].name());
                let kind = e.and_then(|i| self.kind(i));
                let r = column_list::row(ui, name, kind, selected, row == st.highlight, row_h);
                if r.clicked() {
                    picked = Some(self.value_of(e));
                }
            }
        });
        ui.data_mut(|d| d.insert_temp(self.id, st));
        picked
    }

    /// The highlight after the arrow keys of this frame.
    fn steer(
        &self,
        at: usize,
        (down, up, _): (bool, bool, bool),
        n: usize,
        follow: &mut bool,
    ) -> usize {
        let last = n.saturating_sub(1);
        let next = match (down, up) {
            (true, false) => (at + 1).min(last),
            (false, true) => at.saturating_sub(1),
            _ => at.min(last),
        };
        *follow |= down || up;
        next
    }

    fn value_of(&self, entry: Option<usize>) -> Option<String> {
        entry.map(|i| self.items[i].name().to_string())
    }

    fn kind(&self, i: usize) -> Option<ColumnKind> {
        let item = &self.items[i];
        item.kind()
            .or_else(|| self.kind_of.and_then(|f| f(item.name())))
    }
}
