//! slicelab's own file chooser: what a user gets where the system dialog does not answer.

use crate::common;

use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use slicelab::gui::views::path_dialog::dialog_never_showed;

#[test]
fn the_own_chooser_opens_a_typed_path_and_saves_to_a_new_file() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("cases.csv");
    std::fs::write(&data, "age,sex,y\n30,Female,1\n41,Male,0\n25,Female,0\n").unwrap();
    let opts = slicelab::gui::AppOptions {
        builtin_file_dialog: true,
        ..common::options(home.path())
    };
    let mut h = egui_kittest::Harness::builder()
        .with_size([1400.0, 900.0])
        .build_eframe(move |cc| slicelab::gui::SlicelabApp::new(cc, opts));
    common::wait_ready(&mut h);
    h.get_by_label("File").click();
    h.run();
    h.get_by_label("Open dataset…").click();
    h.run();
    assert!(h.state().path_dialog.is_some(), "the chooser is open");
    h.get_by_label("Open a dataset");
    // The field starts in the working folder and takes typing; the test then puts the path in
    // whole, as a paste would.
    h.get_by_role_and_label(Role::TextInput, "Path").click();
    h.run();
    h.get_by_role_and_label(Role::TextInput, "Path")
        .type_text("zz");
    h.run();
    assert!(h.state().path_dialog.as_ref().unwrap().path.ends_with("zz"));
    h.get_by_label("pick an existing file");
    h.state_mut().path_dialog.as_mut().unwrap().path = data.display().to_string();
    h.run();
    h.get_by_label("Choose").click();
    common::wait_for(&mut h, "the open dialog", |a| a.open_dialog.is_some());
    assert!(h.state().path_dialog.is_none());

    // Saving: a folder is not a file name; a new name in an existing folder is.
    h.state_mut().open_dialog = None;
    h.get_by_label("File").click();
    h.run();
    h.get_by_label("Save slice set…").click();
    h.run();
    h.get_by_label("type a file name");
    let out = home.path().join("my slices.toml");
    h.state_mut().path_dialog.as_mut().unwrap().path = out.display().to_string();
    h.run();
    h.get_by_label("Choose").click();
    common::wait_for(&mut h, "the slice set to be written", |_| out.exists());
    assert!(std::fs::read_to_string(&out).unwrap().contains("[[slice]]"));
}

#[test]
fn a_system_dialog_that_returns_at_once_never_showed() {
    assert!(dialog_never_showed(0.01));
    assert!(!dialog_never_showed(2.0));
}

#[test]
fn keyboard_shortcuts_undo_list_themselves_and_the_file_menu_quits() {
    let home = tempfile::tempdir().unwrap();
    let mut h = common::app(home.path());
    common::wait_ready(&mut h);
    h.get_all_by_label("Delete").next().unwrap().click();
    common::wait_for(&mut h, "the delete", |a| a.session.slices.slices.len() == 1);
    // Ctrl+Z (Cmd+Z on a Mac) undoes the delete.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    common::wait_for(&mut h, "the undo", |a| a.session.slices.slices.len() == 2);
    // F1 lists every shortcut; File → Quit closes the window.
    h.key_press(egui::Key::F1);
    h.run_steps(5);
    h.get_by_label("Keyboard shortcuts");
    h.get_by_label("Undo the last slice edit");
    h.get_by_label("Open a dataset");
    h.get_by_label("File").click();
    h.run_steps(5);
    h.get_by_role_and_label(Role::Button, "Quit").click();
    h.run_steps(5);
    assert!(h.state().quitting);
}
