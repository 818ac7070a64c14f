//! The open dialog's column types and feature list: a type menu per preview column (the same
//! overrides as `--types`) and "Features: N used, M dropped" with each column's reason.

use super::open::OpenDialog;
use crate::data::ColumnKind;
use crate::data::feature_plan::{FeaturePlan, Roles, verdict_as};
use crate::data::types::{TypeOverride, convert};
use crate::gui::theme;

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

    /// The features the chosen roles and types give, as the library will decide them.
    pub fn feature_plan(&self) -> FeaturePlan {
        let names: Vec<&str> = self.columns.iter().map(|(n, _)| n.as_str()).collect();
        let mut reserved = vec![self.label.clone()];
        reserved.extend(self.pred.iter().chain(&self.split).cloned());
        reserved.extend(self.truth.iter().cloned());
        let roles = Roles {
            label: &self.label,
            split_col: self.split.as_deref(),
            truth: &self.truth,
            reserved: &reserved,
            choice: None,
        };
        FeaturePlan::from_verdicts(&names, &self.verdicts, &roles, &self.sf_columns)
    }

    /// "Features: N used, M dropped", unfolding to each column's encoding or reason.
    pub(super) fn features_list(&self, ui: &mut egui::Ui) {
        if let Some(e) = &self.type_error {
            ui.colored_label(theme::BAD, e);
        }
        let plan = self.feature_plan();
        let title = format!(
            "Features: {} used, {} dropped",
            plan.features.len(),
            plan.dropped.len()
        );
        egui::CollapsingHeader::new(title)
            .id_salt("open_features")
            .show(ui, |ui| {
                egui::ScrollArea::vertical()
                    .id_salt("open_features_list")
                    .max_height(180.0)
                    .show(ui, |ui| {
                        for f in &plan.features {
                            ui.label(format!("{} · {}", f.column, f.encoding.label()));
                        }
                        for d in &plan.dropped {
                            let text =
                                format!("{} · not a feature: {}", d.column, d.reason.label());
                            ui.colored_label(theme::MUTED, text);
                        }
                    });
            });
    }
}
