//! The open dialog's columns in and out: "Features: N used, M dropped", a box per column to
//! leave it out of the features (the app's `--ignore`, kept with the session), and the suspected
//! identifier and leakage columns first, with one Leave these out.

use super::open::OpenDialog;
use crate::data::feature_plan::{DropReason, FeatureChoice, FeaturePlan, Roles};
use crate::data::leakage::{ColumnWarning, column_warnings};
use crate::data::{Dataset, DatasetSpec, Table};
use crate::gui::theme;

/// Tables up to this many cells are checked again at once when the label changes.
const RECHECK_CELLS: usize = 1_500_000;
/// Height of the feature list before it scrolls.
const LIST_HEIGHT: f32 = 180.0;

/// A column the single-column checks suspect, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Suspect {
    /// The column.
    pub column: String,
    /// Why, in a few words.
    pub why: String,
}

/// The feature columns of `table` the single-column checks suspect for `label` (prediction and
/// split columns as given): identifiers, and columns that give the label away.
pub(super) fn suspects(
    table: Table,
    label: &str,
    pred: Option<&str>,
    split: Option<&str>,
    features: &[String],
) -> Vec<Suspect> {
    let mut spec = DatasetSpec::new(label);
    spec.pred = pred.map(str::to_string);
    spec.split_col = split.map(str::to_string);
    // A label that cannot be read is reported when the file opens.
    let free = vec![None; table.n_rows()];
    let Ok(ds) = Dataset::from_table(table, &spec, &free) else {
        return Vec::new();
    };
    (column_warnings(&ds, features).iter())
        .map(|w| Suspect {
            column: w.column().to_string(),
            why: match w {
                ColumnWarning::Identifier { .. } => "looks like a row identifier".into(),
                ColumnWarning::Leakage { measure, score, .. } => {
                    format!("predicts the label by itself ({measure} {score:.3})")
                }
                ColumnWarning::Containment { value, class, .. } => {
                    format!("= {value} tracks the label {class}, as if recorded with the answer")
                }
                ColumnWarning::RecordedAfter { after, class, .. } => {
                    format!("a date after {after}, recorded almost only for label {class}")
                }
            },
        })
        .collect()
}

impl OpenDialog {
    /// The features the chosen roles, types and unticked columns give, as the library will
    /// decide them.
    pub fn feature_plan(&self) -> FeaturePlan {
        self.plan_leaving_out(&self.ignored)
    }

    /// The features when the columns `ignore` names are left out.
    fn plan_leaving_out(&self, ignore: &[String]) -> FeaturePlan {
        let names: Vec<&str> = self.columns.iter().map(|(n, _)| n.as_str()).collect();
        let mut reserved = vec![self.label.clone()];
        reserved.extend(self.pred.iter().chain(&self.split).cloned());
        reserved.extend(self.truth.iter().cloned());
        let choice = FeatureChoice {
            ignore: ignore.to_vec(),
            ..FeatureChoice::default()
        };
        let roles = Roles {
            label: &self.label,
            split_col: self.split.as_deref(),
            truth: &self.truth,
            reserved: &reserved,
            choice: Some(&choice),
        };
        FeaturePlan::from_verdicts(&names, &self.verdicts, &roles, &self.sf_columns)
    }

    /// Runs the single-column checks on every column that could be a feature, for the current
    /// label (on the background thread that reads the file, or for a small table at once).
    pub(super) fn check_suspects(&mut self) {
        self.suspects_for = self.label.clone();
        let features = self.plan_leaving_out(&[]).columns();
        let (pred, split) = (self.pred.as_deref(), self.split.as_deref());
        self.suspects = suspects(self.table.clone(), &self.label, pred, split, &features);
    }

    /// Checks again once the label changed, at once for a table of up to [`RECHECK_CELLS`]
    /// cells; a larger one is checked when it opens (the notices say what was found).
    fn recheck_suspects(&mut self) {
        if self.suspects_for == self.label {
            return;
        }
        if self.n_rows * self.columns.len() <= RECHECK_CELLS {
            self.check_suspects();
        } else {
            self.suspects_for = self.label.clone();
            self.suspects.clear();
        }
    }

    /// "Features: N used, M dropped", unfolding to the suspected columns, then a box per
    /// column (ticked: a feature) with its encoding or the reason it cannot be one.
    pub(super) fn features_list(&mut self, ui: &mut egui::Ui) {
        if let Some(e) = &self.type_error {
            ui.colored_label(theme::BAD, e);
        }
        self.recheck_suspects();
        let plan = self.feature_plan();
        let mut title = format!(
            "Features: {} used, {} dropped",
            plan.features.len(),
            plan.dropped.len()
        );
        let suspected = (self.suspects.iter())
            .filter(|s| !self.ignored.contains(&s.column))
            .count();
        if suspected > 0 {
            title.push_str(&format!(" · ⚠ {suspected} suspected"));
        }
        egui::CollapsingHeader::new(title)
            .id_salt("open_features")
            .show(ui, |ui| {
                self.suspects_list(ui);
                egui::ScrollArea::vertical()
                    .id_salt("open_features_list")
                    .max_height(LIST_HEIGHT)
                    .show(ui, |ui| self.columns_list(ui, &plan));
            });
    }

    /// The suspected columns, each with its box, and Leave these out.
    fn suspects_list(&mut self, ui: &mut egui::Ui) {
        let open: Vec<Suspect> = (self.suspects.iter())
            .filter(|s| !self.ignored.contains(&s.column))
            .cloned()
            .collect();
        if open.is_empty() {
            return;
        }
        ui.colored_label(
            theme::WARN,
            format!(
                "⚠ Suspected ({}): a model should probably not see these",
                open.len()
            ),
        );
        for s in &open {
            ui.horizontal_wrapped(|ui| {
                let mut used = true;
                if ui.checkbox(&mut used, &s.column).changed() {
                    self.set_used(&s.column, used);
                }
                ui.colored_label(theme::WARN, &s.why);
            });
        }
        if ui
            .button("Leave these out")
            .on_hover_text("Untick every suspected column (they stay for slices)")
            .clicked()
        {
            for s in open {
                self.set_used(&s.column, false);
            }
        }
        ui.separator();
    }

    /// A box per feature (ticked) and per unticked column; the other columns with their reason.
    fn columns_list(&mut self, ui: &mut egui::Ui, plan: &FeaturePlan) {
        for f in &plan.features {
            let mut used = true;
            let text = format!("{} · {}", f.column, f.encoding.label());
            if ui.checkbox(&mut used, text).changed() {
                self.set_used(&f.column, used);
            }
        }
        for d in &plan.dropped {
            if d.reason == DropReason::Ignored {
                let mut used = false;
                let text = format!("{} · left out", d.column);
                if ui.checkbox(&mut used, text).changed() {
                    self.set_used(&d.column, used);
                }
            } else {
                let text = format!("{} · not a feature: {}", d.column, d.reason.label());
                ui.colored_label(theme::MUTED, text);
            }
        }
    }

    /// Ticks (`used`) or unticks column `name` as a feature.
    fn set_used(&mut self, name: &str, used: bool) {
        self.ignored.retain(|c| c != name);
        if !used {
            self.ignored.push(name.to_string());
        }
    }
}
