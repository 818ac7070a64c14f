//! Keyboard shortcuts: what each one does, the commands they send, and the window that lists them
//! (File → Keyboard shortcuts, or F1).

use egui::{Key, KeyboardShortcut, Modifiers};

use crate::gui::command::{Command, FilePurpose};

/// Every shortcut, what it does in words, and the command it sends.
pub fn all() -> Vec<(KeyboardShortcut, &'static str, Command)> {
    let ctrl = |k| KeyboardShortcut::new(Modifiers::COMMAND, k);
    vec![
        (
            ctrl(Key::O),
            "Open a dataset",
            Command::PickFile(FilePurpose::OpenData),
        ),
        (
            ctrl(Key::S),
            "Save the slice set",
            Command::PickFile(FilePurpose::SaveSlices),
        ),
        (ctrl(Key::Z), "Undo the last slice edit", Command::Undo),
        (
            KeyboardShortcut::new(Modifiers::NONE, Key::F1),
            "Show this list",
            Command::ShowShortcuts(true),
        ),
        (ctrl(Key::Q), "Quit", Command::Quit),
    ]
}

/// The commands of the shortcuts pressed this frame (consumed, so a text field does not also
/// take them).
pub fn pressed(ctx: &egui::Context) -> Vec<Command> {
    all()
        .into_iter()
        .filter(|(s, _, _)| ctx.input_mut(|i| i.consume_shortcut(s)))
        .map(|(_, _, c)| c)
        .collect()
}

/// The list of shortcuts; returns false once closed.
pub fn window(ctx: &egui::Context) -> bool {
    let mut open = true;
    egui::Window::new("Keyboard shortcuts")
        .collapsible(false)
        .resizable(false)
        .open(&mut open)
        .show(ctx, |ui| {
            egui::Grid::new("shortcuts_grid").show(ui, |ui| {
                for (s, what, _) in all() {
                    ui.monospace(ctx.format_shortcut(&s));
                    ui.label(what);
                    ui.end_row();
                }
            });
        });
    open
}
