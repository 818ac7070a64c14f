//! slicelab's own file chooser, for desktops where the system dialog does not answer (no xdg
//! desktop portal: a plain X session, many tiling window managers, remote desktops).
//!
//! A path field (typed or pasted; Tab completes the name) and the folder's entries, folders
//! first, filtered by the purpose's extensions; clicking a folder enters it.

use std::path::{Path, PathBuf};

use crate::gui::command::{Command, FilePurpose};

/// A folder's entries (name, is a folder), shared so each frame borrows rather than copies them.
type Entries = std::sync::Arc<[(String, bool)]>;

/// The chooser's state while it is open.
pub struct PathDialog {
    /// What the chosen path is for.
    pub purpose: FilePurpose,
    /// The path as typed.
    pub path: String,
    /// Why the system dialog was not used (shown at the top).
    pub reason: String,
    /// The listed folder and its entries, read once per folder rather than every frame.
    listed: Option<(PathBuf, Entries)>,
}

/// What a purpose picks: a file to read, a file to write, or a folder.
#[derive(PartialEq)]
enum Kind {
    Open,
    Save,
    Folder,
}

fn kind(p: FilePurpose) -> Kind {
    match p {
        FilePurpose::OpenData | FilePurpose::OpenSlices | FilePurpose::OpenSession => Kind::Open,
        FilePurpose::OpenModel | FilePurpose::SaveModel(_) | FilePurpose::AggregateData => {
            Kind::Folder
        }
        FilePurpose::SaveSlices
        | FilePurpose::SaveSession
        | FilePurpose::ExportTable
        | FilePurpose::ExportChart => Kind::Save,
    }
}

/// The title and the file extensions shown for a purpose (empty: every file).
pub fn title_and_extensions(p: FilePurpose) -> (&'static str, &'static [&'static str]) {
    match p {
        FilePurpose::OpenData => ("Open a dataset", &["csv", "gz", "parquet", "pq"]),
        FilePurpose::OpenSlices => ("Open a slice set", &["toml"]),
        FilePurpose::SaveSlices => ("Save the slice set", &["toml"]),
        FilePurpose::OpenModel => ("Open a slicelab model folder", &[]),
        FilePurpose::SaveModel(_) => ("Save the model into a folder", &[]),
        FilePurpose::OpenSession => ("Open a session", &["json"]),
        FilePurpose::SaveSession => ("Save the session", &["json"]),
        FilePurpose::ExportTable => ("Export the table", &["csv", "md"]),
        FilePurpose::ExportChart => ("Export the chart", &["png"]),
        FilePurpose::AggregateData => ("A folder of Parquet or CSV logs", &[]),
    }
}

impl PathDialog {
    /// A chooser for `purpose` starting in `dir`.
    pub fn new(purpose: FilePurpose, dir: &Path, reason: String) -> Self {
        let mut path = dir.display().to_string();
        if !path.ends_with(std::path::MAIN_SEPARATOR) {
            path.push(std::path::MAIN_SEPARATOR);
        }
        Self {
            purpose,
            path,
            reason,
            listed: None,
        }
    }

    /// The folder whose entries are listed: the path itself if it is a folder, else its parent.
    fn folder(&self) -> PathBuf {
        // A relative path is taken from the current folder, as a shell would.
        let typed = self.path.trim();
        let p = PathBuf::from(typed);
        let folder = if typed.is_empty() || typed.ends_with(std::path::MAIN_SEPARATOR) || p.is_dir()
        {
            p
        } else {
            p.parent().map(Path::to_path_buf).unwrap_or_default()
        };
        if folder.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            folder
        }
    }

    /// The entries of the listed folder, read again only when the folder changes.
    fn entries(&mut self) -> Entries {
        let folder = self.folder();
        match &self.listed {
            Some((f, e)) if *f == folder => e.clone(),
            _ => {
                let e: Entries = self.read_entries(&folder).into();
                self.listed = Some((folder, e.clone()));
                e
            }
        }
    }

    /// Folders, then the files the purpose takes, of `folder`, sorted by name.
    fn read_entries(&self, folder: &Path) -> Vec<(String, bool)> {
        let (_, exts) = title_and_extensions(self.purpose);
        let Ok(read) = std::fs::read_dir(folder) else {
            return Vec::new();
        };
        let mut out: Vec<(String, bool)> = read
            .filter_map(Result::ok)
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                let is_dir = e.path().is_dir();
                let wanted = is_dir
                    || (kind(self.purpose) != Kind::Folder
                        && (exts.is_empty()
                            || exts.iter().any(|x| name.ends_with(&format!(".{x}")))));
                (wanted && !name.starts_with('.')).then_some((name, is_dir))
            })
            .collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out
    }

    /// Whether the typed path can be chosen, or why not.
    fn check(&self) -> Result<PathBuf, String> {
        let typed = self.path.trim();
        let p = PathBuf::from(typed);
        match kind(self.purpose) {
            Kind::Open if p.is_file() => Ok(p),
            Kind::Open => Err("pick an existing file".into()),
            Kind::Folder if p.is_dir() => Ok(p),
            Kind::Folder => Err("pick an existing folder".into()),
            Kind::Save
                if typed.is_empty() || p.is_dir() || typed.ends_with(std::path::MAIN_SEPARATOR) =>
            {
                Err("type a file name".into())
            }
            // `notes.toml` alone is saved in the current folder.
            Kind::Save
                if p.parent()
                    .is_some_and(|d| d.as_os_str().is_empty() || d.is_dir()) =>
            {
                Ok(p)
            }
            Kind::Save => Err("the folder does not exist".into()),
        }
    }

    /// Completes the typed name to the longest prefix shared by the listed entries.
    fn complete(&mut self) {
        let text = self.path.trim().to_string();
        let typed = PathBuf::from(&text);
        let prefix = typed
            .file_name()
            .filter(|_| !text.ends_with(std::path::MAIN_SEPARATOR))
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let entries = self.entries();
        let matches: Vec<&(String, bool)> = entries
            .iter()
            .filter(|(n, _)| n.starts_with(&prefix))
            .collect();
        let Some(first) = matches.first() else { return };
        let common = matches.iter().fold(first.0.clone(), |acc, (n, _)| {
            acc.chars()
                .zip(n.chars())
                .take_while(|(a, b)| a == b)
                .map(|(a, _)| a)
                .collect()
        });
        let mut done = self.folder().join(&common).display().to_string();
        if matches.len() == 1 && first.1 {
            done.push(std::path::MAIN_SEPARATOR);
        }
        self.path = done;
    }

    /// Draws the chooser; returns false once it is closed (chosen or cancelled).
    pub fn ui(&mut self, ctx: &egui::Context, out: &mut Vec<Command>) -> bool {
        let (title, exts) = title_and_extensions(self.purpose);
        let (mut open, mut close) = (true, false);
        let mut chosen = None;
        egui::Window::new(title)
            .collapsible(false)
            .default_width(520.0)
            .open(&mut open)
            .show(ctx, |ui| {
                ui.weak(&self.reason);
                let label = ui.label("Path");
                let field = ui
                    .add(
                        egui::TextEdit::singleline(&mut self.path)
                            .desired_width(f32::INFINITY)
                            .hint_text("/path/to/file"),
                    )
                    .labelled_by(label.id)
                    .on_hover_text("Tab completes the name");
                if field.has_focus() && ui.input(|i| i.key_pressed(egui::Key::Tab)) {
                    self.complete();
                }
                if !exts.is_empty() {
                    ui.weak(format!("showing folders and .{} files", exts.join(", .")));
                }
                self.listing(ui);
                ui.horizontal(|ui| {
                    let ok = self.check();
                    let choose = ui.add_enabled(ok.is_ok(), egui::Button::new("Choose"));
                    if let Err(why) = &ok {
                        ui.weak(why);
                    }
                    let entered =
                        field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                    if choose.clicked() || (entered && ok.is_ok()) {
                        chosen = ok.ok();
                    }
                    if ui.button("Cancel").clicked() {
                        close = true;
                    }
                });
            });
        if let Some(path) = chosen {
            out.push(Command::Picked(self.purpose, path));
            return false;
        }
        open && !close
    }

    fn listing(&mut self, ui: &mut egui::Ui) {
        let folder = self.folder();
        if let Some(up) = folder.parent()
            && ui.selectable_label(false, "../ (up)").clicked()
        {
            self.path = format!("{}{}", up.display(), std::path::MAIN_SEPARATOR);
        }
        let entries = self.entries();
        let row = ui.text_style_height(&egui::TextStyle::Button) + ui.spacing().item_spacing.y;
        // Only the rows in view are laid out: a folder of 50,000 files costs what 15 do.
        egui::ScrollArea::vertical()
            .max_height(260.0)
            .id_salt("path_dialog_entries")
            .show_rows(ui, row, entries.len(), |ui, range| {
                for (name, is_dir) in &entries[range] {
                    let label = if *is_dir {
                        format!("{name}/")
                    } else {
                        name.clone()
                    };
                    if ui.selectable_label(false, label).clicked() {
                        let mut p = folder.join(name).display().to_string();
                        if *is_dir {
                            p.push(std::path::MAIN_SEPARATOR);
                        }
                        self.path = p;
                    }
                }
            });
    }
}

/// Whether a system dialog that returned nothing after `secs` was cancelled by a person or never
/// showed: nobody closes a dialog within a quarter second, while a missing portal answers at once.
pub fn dialog_never_showed(secs: f64) -> bool {
    secs < 0.25
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_names_are_taken_from_the_current_folder() {
        let mut d = PathDialog::new(FilePurpose::SaveSlices, Path::new("."), String::new());
        d.path = "  notes.toml ".into();
        assert_eq!(d.folder(), PathBuf::from("."));
        assert_eq!(d.check(), Ok(PathBuf::from("notes.toml")));
        d.path = String::new();
        assert_eq!(d.folder(), PathBuf::from("."));
        assert!(d.check().is_err());
        // The listing is read once per folder, not once per frame.
        let first = d.entries();
        assert!(d.listed.is_some());
        assert_eq!(d.entries(), first);
    }
}
