//! The notices panel under the menu bar: the loaded data's warnings (amber) and notes (grey),
//! each wrapped to the window's width and shown whole, each dismissable, the list collapsible.

use crate::gui::command::Command;
use crate::gui::notices::{Notice, NoticeKind};
use crate::gui::theme;

/// Tallest the list grows before it scrolls.
const MAX_HEIGHT: f32 = 180.0;

/// Draws the notices, if any; `can_leave_out` says whether the data's columns can be left out
/// (not the demo's) and so whether the notices' Leave out buttons show.
pub fn panel(ui: &mut egui::Ui, notices: &[Notice], can_leave_out: bool, out: &mut Vec<Command>) {
    if notices.is_empty() {
        return;
    }
    let warnings = notices
        .iter()
        .filter(|n| n.kind == NoticeKind::Warning)
        .count();
    let title = match warnings {
        0 => format!("Notices ({})", notices.len()),
        w => format!("Notices ({}, {w} ⚠)", notices.len()),
    };
    egui::CollapsingHeader::new(title)
        .id_salt("notices")
        .default_open(true)
        .show(ui, |ui| {
            egui::ScrollArea::vertical()
                .id_salt("notices_list")
                .max_height(MAX_HEIGHT)
                .show(ui, |ui| {
                    for (i, n) in notices.iter().enumerate() {
                        row(ui, i, n, can_leave_out, out);
                    }
                });
            if notices.len() > 1 && ui.small_button("Dismiss all").clicked() {
                out.push(Command::DismissNotices);
            }
        });
}

/// One notice: its Dismiss button and its action's, then its text wrapped into the rest of the
/// width.
fn row(ui: &mut egui::Ui, i: usize, n: &Notice, can_leave_out: bool, out: &mut Vec<Command>) {
    let (mark, color) = match n.kind {
        NoticeKind::Warning => ("⚠ ", theme::WARN),
        NoticeKind::Note => ("", theme::MUTED),
    };
    ui.horizontal_top(|ui| {
        if ui
            .small_button("Dismiss")
            .on_hover_text("Hide this notice (the log keeps it)")
            .clicked()
        {
            out.push(Command::DismissNotice(i));
        }
        if let Some(action) = n.action.as_ref().filter(|_| can_leave_out) {
            let hover = format!(
                "Open the data again without {} as features (kept with the session)",
                action.columns().join(", ")
            );
            if ui
                .small_button(action.label())
                .on_hover_text(hover)
                .clicked()
            {
                out.push(Command::LeaveOut(action.clone()));
            }
        }
        let text = egui::RichText::new(format!("{mark}{}", n.text)).color(color);
        ui.add(egui::Label::new(text).wrap());
    });
}
