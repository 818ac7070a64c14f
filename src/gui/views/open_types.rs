//! The open dialog's column types: a type menu per preview column (the same overrides as
//! `--types`).

use super::open::OpenDialog;
use crate::data::ColumnKind;
use crate::data::feature_plan::verdict_as;
use crate::data::types::{TypeOverride, convert};

/// The kinds a user can choose, after "auto".
const CHOICES: [ColumnKind; 4] = [
    ColumnKind::Numeric,
    ColumnKind::Categorical,
    ColumnKind::Date,
    ColumnKind::Text,
];

impl OpenDialog {
    /// The type menu of column `idx` (labelled by its header `name`): auto (the inferred
    /// kind), numeric, categorical, date, text.
    pub(super) fn type_menu(&mut self, ui: &mut egui::Ui, idx: usize, name: egui::Id) {
        let Some(&(_, kind)) = self.columns.get(idx) else {
            return;
        };
        let chosen = self.types.get(idx).copied().flatten();
        let text = match chosen {
            Some(k) => k.name().to_string(),
            None => format!("auto ({})", self.inferred_kind(idx).name()),
        };
        let mut pick = chosen;
        egui::ComboBox::from_id_salt(("open_type", idx))
            .selected_text(text)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut pick, None, "auto");
                for k in CHOICES {
                    ui.selectable_value(&mut pick, Some(k), k.name());
                }
            })
            .response
            .labelled_by(name)
            .on_hover_text(format!("Type of this column (now {})", kind.name()));
        if pick != chosen {
            self.retype(idx, pick);
        }
    }

    fn inferred_kind(&self, idx: usize) -> ColumnKind {
        self.table
            .columns
            .get(idx)
            .map_or(ColumnKind::Numeric, |c| c.kind)
    }

    /// Gives column `idx` the type `choice` (`None`: as inferred); a value that does not fit
    /// keeps the column as it was and says why.
    fn retype(&mut self, idx: usize, choice: Option<ColumnKind>) {
        let Some(original) = self.table.columns.get(idx) else {
            return;
        };
        self.type_error = None;
        let mut col = original.clone();
        let result = choice.map_or(Ok(()), |kind| convert(&mut col, kind));
        if let Err(e) = result {
            self.type_error = Some(format!("{}: {e}", original.name));
            return;
        }
        self.verdicts[idx] = verdict_as(&col, choice);
        self.columns[idx].1 = col.kind;
        self.types[idx] = choice;
    }

    /// The chosen types as `--types` overrides, for the source spec.
    pub(super) fn type_overrides(&self) -> Vec<TypeOverride> {
        self.columns
            .iter()
            .zip(&self.types)
            .filter_map(|((name, _), t)| {
                t.map(|kind| TypeOverride {
                    column: name.clone(),
                    kind,
                })
            })
            .collect()
    }
}
