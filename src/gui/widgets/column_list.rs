//! Pieces shared by the column picker and the column chooser: what a listed column is, the
//! case-insensitive search, the search field, and one row of a list.

use crate::data::{Column, ColumnKind};
use crate::gui::theme;

/// A column as a list shows it: its name and, when known, its kind.
pub trait PickItem {
    /// The column's name.
    fn name(&self) -> &str;

    /// The column's kind, when the item knows it.
    fn kind(&self) -> Option<ColumnKind> {
        None
    }
}

impl PickItem for String {
    fn name(&self) -> &str {
        self
    }
}

impl PickItem for (String, ColumnKind) {
    fn name(&self) -> &str {
        &self.0
    }

    fn kind(&self) -> Option<ColumnKind> {
        Some(self.1)
    }
}

impl PickItem for Column {
    fn name(&self) -> &str {
        &self.name
    }

    fn kind(&self) -> Option<ColumnKind> {
        Some(self.kind)
    }
}

impl<T: PickItem> PickItem for &T {
    fn name(&self) -> &str {
        (*self).name()
    }

    fn kind(&self) -> Option<ColumnKind> {
        (*self).kind()
    }
}

/// Whether `name` contains `needle`, ignoring case (without allocating for ASCII names).
pub fn contains_ignore_case(name: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return true;
    }
    if name.is_ascii() && needle.is_ascii() {
        let (h, n) = (name.as_bytes(), needle.as_bytes());
        return h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n));
    }
    name.to_lowercase().contains(&needle.to_lowercase())
}

/// Indices of the items whose names contain `filter` (trimmed), ignoring case, in order.
pub fn matching<'a, T: PickItem>(items: &'a [T], filter: &str) -> impl Iterator<Item = usize> + 'a {
    let needle = filter.trim().to_string();
    items
        .iter()
        .enumerate()
        .filter(move |(_, c)| contains_ignore_case(c.name(), &needle))
        .map(|(i, _)| i)
}

/// The kind as a list shows it: `numeric`, `categorical`, ...
pub fn kind_label(kind: ColumnKind) -> String {
    format!("{kind:?}").to_lowercase()
}

/// The search field, labelled "Search columns" for screen readers and tests.
pub fn search_field(ui: &mut egui::Ui, filter: &mut String) -> egui::Response {
    ui.horizontal(|ui| {
        let label = ui.label("Search");
        ui.add(
            egui::TextEdit::singleline(filter)
                .hint_text("type to search columns")
                .desired_width(f32::INFINITY),
        )
        .labelled_by(label.id)
        .on_hover_text("Search columns: a part of the name, any case")
    })
    .inner
}

/// The scroll offset that brings row `row` (of height `row_h`) into view near the list's top.
pub fn offset_for(ui: &egui::Ui, row: usize, row_h: f32) -> f32 {
    let step = row_h + ui.spacing().item_spacing.y;
    (row.saturating_sub(3) as f32) * step
}

/// One row of a picker's list: the name (selectable, highlighted when the keyboard is on it)
/// and the kind in muted text on the right.
pub fn row(
    ui: &mut egui::Ui,
    name: &str,
    kind: Option<ColumnKind>,
    selected: bool,
    highlighted: bool,
    row_h: f32,
) -> egui::Response {
    let width = ui.available_width();
    let r = ui.add(
        egui::Button::selectable(selected, name)
            .min_size(egui::vec2(width, row_h))
            .truncate(),
    );
    if highlighted {
        let stroke = ui.visuals().selection.stroke;
        ui.painter()
            .rect_stroke(r.rect, 2.0, stroke, egui::StrokeKind::Inside);
    }
    if let Some(k) = kind {
        ui.painter().text(
            r.rect.right_center() - egui::vec2(6.0, 0.0),
            egui::Align2::RIGHT_CENTER,
            kind_label(k),
            egui::TextStyle::Small.resolve(ui.style()),
            theme::MUTED,
        );
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_ignores_case_and_matches_substrings() {
        let items: Vec<String> = ["Age", "c70", "c700", "c7", "Été"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(matching(&items, "C70").collect::<Vec<_>>(), [1, 2]);
        assert_eq!(matching(&items, " ag ").collect::<Vec<_>>(), [0]);
        assert_eq!(matching(&items, "été").collect::<Vec<_>>(), [4]);
        assert_eq!(matching(&items, "").count(), 5);
        assert_eq!(matching(&items, "zz").count(), 0);
    }
}
