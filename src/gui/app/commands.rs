//! Applying the commands views emit: slice edits (with undo), training, analysis, selection.

use super::SlicelabApp;
use crate::gui::command::Command;
use crate::slices::{SliceDef, SliceSet};

/// Slice edits kept for undo.
const UNDO_DEPTH: usize = 100;

impl SlicelabApp {
    /// Applies queued commands in order.
    pub(super) fn apply_commands(&mut self) {
        while !self.commands.is_empty() {
            let batch = std::mem::take(&mut self.commands);
            batch.into_iter().for_each(|c| self.apply(c));
        }
    }

    fn apply(&mut self, c: Command) {
        match c {
            Command::PickFile(p) => self.pick_file(p),
            Command::Picked(p, path) => self.picked(p, path),
            Command::ShowShortcuts(on) => self.show_shortcuts = on,
            Command::Quit => {
                self.quitting = true;
                self.ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
            Command::InspectData(path) => {
                self.inspect(path, Default::default(), Default::default())
            }
            Command::InspectDataAs(path, header, delimiter) => {
                self.inspect(path, header, delimiter)
            }
            Command::Load(source) => self.load(source),
            Command::AddSlice(def) => self.add_slice(def),
            Command::EditSlice(i, def) => {
                let old = self.session.slices.slices.get(i).map(|s| s.name.clone());
                self.edit_slices(|set| {
                    if let Some(s) = set.slices.get_mut(i) {
                        *s = def.clone();
                    }
                });
                if let Some(old) = old {
                    self.session
                        .disabled
                        .iter_mut()
                        .filter(|d| **d == old)
                        .for_each(|d| d.clone_from(&def.name));
                }
            }
            Command::DeleteSlice(i) => self.edit_slices(|set| {
                if i < set.slices.len() {
                    set.slices.remove(i);
                }
            }),
            Command::DuplicateSlice(i) => self.edit_slices(|set| {
                if let Some(s) = set.slices.get(i).cloned() {
                    let name = set.unique_name(&format!("{}_copy", s.name));
                    set.slices.insert(i + 1, SliceDef { name, ..s });
                }
            }),
            Command::ToggleSlice(i, on) => {
                if let Some(name) = self.session.slices.slices.get(i).map(|s| s.name.clone()) {
                    self.session.disabled.retain(|d| *d != name);
                    if !on {
                        self.session.disabled.push(name);
                    }
                    self.reanalyse();
                }
            }
            Command::Undo => {
                if let Some(prev) = self.undo.pop() {
                    self.session.slices = prev;
                    self.slices_changed();
                    self.reanalyse();
                }
            }
            Command::StartTraining(req) => self.start_training(req, false),
            Command::TrainQuick => self.start_quick_model(),
            Command::StopTraining => {
                if let Some(t) = &mut self.training {
                    t.job.cancel();
                    t.stopping = true;
                }
            }
            Command::AnalyseModel(i) => self.analyse_model(i),
            Command::StopPredicting => self.stop_predicting(),
            Command::AnalyseColumn => self.analyse_column(),
            Command::SelectSlice(name) => self.session.selected = name,
            Command::DismissError => self.error = None,
            Command::DismissNotice(i) => self.dismiss_notice(i),
            Command::DismissNotices => self.notices.clear(),
            Command::SuggestSlices => self.suggest_slices(),
            Command::SlicePerValue(col, min) => self.slice_per_value(col, min),
            Command::ForgetModel(i) => {
                if i < self.models.len() {
                    let gone = self.models.remove(i);
                    self.models_changed();
                    if self.predicted.as_ref().is_some_and(|p| p.name == gone.name) {
                        self.predicted = None;
                        self.reanalyse();
                    }
                }
            }
            Command::CheckExpression { name, expr } => self.check_expression(name, expr),
            Command::BuildMap(key) => self.build_map(key),
            Command::CompareModels(key) => self.compare_models(key),
            Command::BuildImportance(key) => self.rank_features(key),
            Command::LeaveOut(action) => self.leave_out(action),
            Command::SummariseColumn(key) => self.summarise_column(key),
            Command::BuildIndicators(key) => self.build_indicators(key),
            Command::QueryRows(key, rows) => self.query_rows(key, rows),
            Command::BuildDistributions(key) => self.build_distributions(key),
            Command::OpenAggregateDialog => self.open_aggregate_dialog(),
            Command::ReadAggregate { data, memory } => self.read_aggregate(data, memory),
            Command::CountAggregate { label, preds } => self.count_aggregate(label, preds),
            Command::Recount => self.recount(),
            Command::CancelAggregate => self.cancel_aggregate(),
        }
    }

    /// Adds a slice and shows it (selected, scrolled to); one whose expression is already in
    /// the list is not added again: the one there is shown instead, and the status bar says so.
    fn add_slice(&mut self, def: SliceDef) {
        let name = match self.session.slices.find_same(&def.expr) {
            Some(i) => {
                let there = self.session.slices.slices[i].name.clone();
                self.log(format!(
                    "not added: '{there}' already has this expression (selected it)"
                ));
                there
            }
            None => {
                let name = def.name.clone();
                self.edit_slices(|set| set.slices.push(def));
                name
            }
        };
        self.session.selected = Some(name.clone());
        self.new_slice = Some((self.next_revision(), name));
    }

    pub(super) fn edit_slices(&mut self, f: impl FnOnce(&mut SliceSet)) {
        self.undo.push(self.session.slices.clone());
        if self.undo.len() > UNDO_DEPTH {
            self.undo.remove(0);
        }
        f(&mut self.session.slices);
        self.slices_changed();
        self.reanalyse();
    }

    /// Whether an undo step exists.
    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    /// Removes notice `i`; an index from a frame that saw more notices is ignored.
    fn dismiss_notice(&mut self, i: usize) {
        if i < self.notices.len() {
            self.notices.remove(i);
        }
    }
}
