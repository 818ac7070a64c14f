//! The open dialog: a preview of the file's first rows and inferred types, and the column roles
//! (label pre-filled by a guess, optional prediction and split columns).

use std::path::{Path, PathBuf};

use crate::data::dialect::Delimiter;
use crate::data::feature_plan::{Verdict, verdict};
use crate::data::load::read_table_as;
use crate::data::{ColumnKind, DatasetSpec, HeaderMode, Table};
use crate::gui::command::Command;
use crate::gui::state::{EmbedChoice, SourceSpec};
use crate::gui::theme;
use crate::gui::widgets::column_list::PickItem;
use crate::gui::widgets::column_picker::ColumnPicker;
use crate::slices::SliceSet;

/// Rows shown in the preview.
const PREVIEW_ROWS: usize = 8;
/// Columns shown at once in the preview.
const PREVIEW_COLUMNS: usize = 24;

/// A file waiting for its column roles.
pub struct OpenDialog {
    /// The file.
    pub path: PathBuf,
    /// Column names and inferred types.
    pub columns: Vec<(String, ColumnKind)>,
    /// The first rows, as text.
    pub preview: Vec<Vec<String>>,
    /// Rows in the file.
    pub n_rows: usize,
    /// Chosen label column.
    pub label: String,
    /// Chosen prediction column.
    pub pred: Option<String>,
    /// Chosen split column.
    pub split: Option<String>,
    /// Text column to embed as features (text columns only).
    pub embed: Option<String>,
    /// Encoder folder for `embed`.
    pub encoder: String,
    /// Whether the first row is read as the header ("First row is a header").
    pub header: bool,
    /// How the fields are separated ("Fields separated by"; sniffed unless chosen).
    pub delimiter: Delimiter,
    /// What the loader decided or renamed (no header row, duplicate names).
    pub notices: Vec<String>,
    /// The type chosen per column in the preview (`None`: as inferred).
    pub types: Vec<Option<ColumnKind>>,
    /// The columns as read, kept to retype one without rereading the file.
    pub(super) table: Table,
    /// Each column's encoding as a feature, or why its values rule it out.
    pub(super) verdicts: Vec<Verdict>,
    /// Columns whose values are whole SF outputs (`sf_*`).
    pub(super) sf_columns: Vec<String>,
    /// The default ground-truth slice columns (`slice_*`).
    pub(super) truth: Vec<String>,
    /// Why the last type choice could not be applied.
    pub(super) type_error: Option<String>,
    /// The first column of the preview's window (wide tables show a window of columns).
    pub first_column: usize,
    /// Columns unticked as features (the app's `--ignore`).
    pub ignored: Vec<String>,
    /// Columns the single-column checks suspect (identifiers, leakage), for `suspects_for`.
    pub suspects: Vec<super::open_columns::Suspect>,
    /// The label the suspects were checked for.
    pub(super) suspects_for: String,
}

/// The encoder offered first: `SLICELAB_ENCODER`, else the team's MiniLM beside a source checkout.
fn default_encoder() -> String {
    if let Ok(dir) = std::env::var("SLICELAB_ENCODER") {
        return dir;
    }
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/models/all-MiniLM-L6-v2");
    if shared.join("config.json").is_file() {
        shared.display().to_string()
    } else {
        String::new()
    }
}

/// Label column names guessed, in order of preference (any case).
pub(super) const LABEL_NAMES: [&str; 8] = [
    "label", "y", "target", "class", "income", "outcome", "gold", "truth",
];
/// Prediction column names guessed, in order of preference (any case).
pub(super) const PRED_NAMES: [&str; 5] = ["pred", "prediction", "y_pred", "predicted", "yhat"];

fn guess(table: &Table, names: &[&str]) -> Option<String> {
    names
        .iter()
        .find_map(|n| {
            table
                .columns
                .iter()
                .find(|c| c.name.eq_ignore_ascii_case(n))
        })
        .map(|c| c.name.clone())
}

impl OpenDialog {
    /// Reads `path` (its first row a header as `header` says) and guesses the roles (runs on a
    /// background thread).
    pub fn inspect(path: &Path, header: HeaderMode, delimiter: Delimiter) -> Result<Self, String> {
        let target = if path.is_dir() {
            path.join("train.csv")
        } else {
            path.to_path_buf()
        };
        let table = read_table_as(&target, header, delimiter).map_err(|e| e.to_string())?;
        let label = guess(&table, &LABEL_NAMES)
            .or_else(|| table.columns.last().map(|c| c.name.clone()))
            .unwrap_or_default();
        let preview = (0..table.n_rows().min(PREVIEW_ROWS))
            .map(|i| table.columns.iter().map(|c| c.display(i)).collect())
            .collect();
        let mut dialog = Self {
            path: path.to_path_buf(),
            columns: table
                .columns
                .iter()
                .map(|c| (c.name.clone(), c.kind))
                .collect(),
            preview,
            n_rows: table.n_rows(),
            pred: guess(&table, &PRED_NAMES),
            split: guess(&table, &["split"]),
            embed: None,
            encoder: default_encoder(),
            label,
            header: !table.headerless,
            delimiter,
            notices: table.notices.clone(),
            types: vec![None; table.columns.len()],
            verdicts: table.columns.iter().map(verdict).collect(),
            sf_columns: SliceSet::from_sf_columns(&table).column_sfs(&table),
            truth: DatasetSpec::default_truth(&names_of(&table)),
            type_error: None,
            first_column: 0,
            table,
            ignored: Vec::new(),
            suspects: Vec::new(),
            suspects_for: String::new(),
        };
        dialog.check_suspects();
        Ok(dialog)
    }

    /// Shows the dialog; returns whether it stays open.
    pub fn ui(&mut self, ctx: &egui::Context, out: &mut Vec<Command>) -> bool {
        let mut keep = true;
        egui::Window::new("Open dataset")
            .collapsible(false)
            .default_width(640.0)
            .show(ctx, |ui| {
                ui.label(format!(
                    "{} · {} rows · {} columns",
                    self.path.display(),
                    self.n_rows,
                    self.columns.len()
                ));
                ui.horizontal(|ui| {
                    let header = ui
                        .checkbox(&mut self.header, "First row is a header")
                        .on_hover_text(
                            "Untick for a file without a header row: columns c0, c1, ...",
                        )
                        .changed();
                    if header || self.delimiter_menu(ui) {
                        out.push(Command::InspectDataAs(
                            self.path.clone(),
                            self.mode(),
                            self.delimiter,
                        ));
                    }
                });
                for n in &self.notices {
                    ui.colored_label(theme::MUTED, n);
                }
                egui::ScrollArea::horizontal()
                    .id_salt("open_preview")
                    .show(ui, |ui| self.preview(ui));
                ui.separator();
                let names = &self.columns.clone();
                egui::Grid::new("open_roles").num_columns(2).show(ui, |ui| {
                    let label = ui.label("Label column");
                    ColumnPicker::new("open_label", names)
                        .show(ui, &mut self.label)
                        .labelled_by(label.id);
                    ui.end_row();
                    optional(ui, "Prediction column", "open_pred", &mut self.pred, names);
                    optional(ui, "Split column", "open_split", &mut self.split, names);
                    self.embed_row(ui);
                });
                self.features_list(ui);
                ui.horizontal(|ui| {
                    if ui.button("Open").clicked() {
                        out.push(Command::Load(SourceSpec::File {
                            path: self.path.clone(),
                            label: self.label.clone(),
                            pred: self.pred.clone(),
                            split_col: self.split.clone(),
                            embed: self.embed_choice(),
                            header: self.mode(),
                            delimiter: self.delimiter,
                            types: self.type_overrides(),
                            ignore: self.ignored.clone(),
                        }));
                        keep = false;
                    }
                    if ui.button("Cancel").clicked() {
                        keep = false;
                    }
                });
            });
        keep
    }

    /// The text-embedding row, shown only when the file has text columns.
    fn embed_row(&mut self, ui: &mut egui::Ui) {
        let texts: Vec<&(String, ColumnKind)> = self
            .columns
            .iter()
            .filter(|(_, k)| *k == ColumnKind::Text)
            .collect();
        if texts.is_empty() {
            return;
        }
        optional(
            ui,
            "Embed text column",
            "open_embed",
            &mut self.embed,
            &texts,
        );
        if self.embed.is_some() {
            let name = ui.label("Encoder folder");
            ui.add(egui::TextEdit::singleline(&mut self.encoder).desired_width(360.0))
                .labelled_by(name.id)
                .on_hover_text(
                    "A Hugging Face BERT folder: config.json, tokenizer.json, model.safetensors",
                );
            ui.end_row();
        }
    }

    /// The "Fields separated by" menu; returns whether the choice changed.
    fn delimiter_menu(&mut self, ui: &mut egui::Ui) -> bool {
        let before = self.delimiter;
        let label = ui.label("Fields separated by");
        egui::ComboBox::from_id_salt("open_delimiter")
            .selected_text(self.delimiter.label())
            .show_ui(ui, |ui| {
                for d in Delimiter::ALL {
                    ui.selectable_value(&mut self.delimiter, d, d.label());
                }
            })
            .response
            .on_hover_text("Sniffed from the first lines unless chosen; Parquet files ignore it")
            .labelled_by(label.id);
        self.delimiter != before
    }

    /// The header mode the checkbox stands for.
    fn mode(&self) -> HeaderMode {
        if self.header {
            HeaderMode::Yes
        } else {
            HeaderMode::No
        }
    }

    fn embed_choice(&self) -> Option<EmbedChoice> {
        Some(EmbedChoice {
            column: self.embed.clone()?,
            encoder: PathBuf::from(self.encoder.trim()),
        })
    }

    /// The first rows under each column's name and type menu, a window of [`PREVIEW_COLUMNS`]
    /// columns at a time: a 785-column table would otherwise lay out 785 menus every frame.
    fn preview(&mut self, ui: &mut egui::Ui) {
        let n = self.columns.len();
        let shown = self.first_column.min(n.saturating_sub(1))
            ..(self.first_column + PREVIEW_COLUMNS).min(n);
        if n > PREVIEW_COLUMNS {
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(shown.start > 0, egui::Button::new("◀ columns"))
                    .clicked()
                {
                    self.first_column = shown.start.saturating_sub(PREVIEW_COLUMNS);
                }
                ui.label(format!("columns {}–{} of {n}", shown.start + 1, shown.end));
                if ui
                    .add_enabled(shown.end < n, egui::Button::new("columns ▶"))
                    .clicked()
                {
                    self.first_column = shown.end;
                }
            });
        }
        egui::Grid::new("open_preview_grid")
            .striped(true)
            .show(ui, |ui| {
                let names: Vec<egui::Id> = self.columns[shown.clone()]
                    .iter()
                    .map(|(name, _)| ui.strong(name).id)
                    .collect();
                ui.end_row();
                for (idx, name) in shown.clone().zip(names) {
                    self.type_menu(ui, idx, name);
                }
                ui.end_row();
                for row in &self.preview {
                    row[shown.clone()].iter().for_each(|v| {
                        ui.label(v);
                    });
                    ui.end_row();
                }
            });
    }
}

fn names_of(table: &Table) -> Vec<String> {
    table.columns.iter().map(|c| c.name.clone()).collect()
}

fn optional<T: PickItem>(
    ui: &mut egui::Ui,
    label: &str,
    id: &str,
    value: &mut Option<String>,
    names: &[T],
) {
    let name = ui.label(label);
    ColumnPicker::new(id, names)
        .optional("none")
        .show_optional(ui, value)
        .labelled_by(name.id);
    ui.end_row();
}
