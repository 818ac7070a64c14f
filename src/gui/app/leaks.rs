//! The leak check and the Importance tab's ranking: a model's features ranked by permutation
//! importance once it is analysed, a notice when the ranking shows it reads the answer, and the
//! notices' Leave out buttons, which open the data again without the columns they name.

use super::SlicelabApp;
use crate::data::leakage::Advice;
use crate::gui::importance::{ImportanceInputs, ImportanceKey, key_for, rank};
use crate::gui::jobs::Pending;
use crate::gui::notices::{Notice, NoticeAction};

impl SlicelabApp {
    /// Starts ranking the features of the model `key` names unless that is done or under way;
    /// a key for another dataset or analysis than the current one is stale and ignored.
    pub(super) fn rank_features(&mut self, key: ImportanceKey) {
        let (Some(data), Some(analysis)) = (&self.data, &self.analysis) else {
            return;
        };
        let current = data.revision == key.data && analysis.generation == key.analysis;
        if !current || !self.builds.importance.wants(&key) {
            return;
        }
        let Some(m) = self.models.iter().find(|m| m.id == key.model) else {
            return;
        };
        let inputs = ImportanceInputs {
            ds: data.ds.clone(),
            name: m.name.clone(),
            model: m.model.clone(),
            names: analysis.stats.iter().map(|s| s.name.clone()).collect(),
            masks: analysis.masks.clone(),
        };
        let job = Pending::spawn_with_progress(
            "feature-ranking",
            "ranking features",
            self.waker(),
            move |p| rank(inputs, p),
        );
        self.builds.importance.request(key, || job);
    }

    /// Once a model's predictions are analysed, ranks its features (once per model and
    /// dataset), so that a model that reads the answer is named at once.
    pub(super) fn check_for_leaks(&mut self) {
        let (Some(data), Some(analysis), Some(p)) = (&self.data, &self.analysis, &self.predicted)
        else {
            return;
        };
        // Predictions from the data's own column have no model to rank.
        let Some(m) = self.models.iter().find(|m| m.name == p.name) else {
            return;
        };
        // A tuned encoder takes minutes to rebuild its inputs: it waits for the Importance tab.
        if m.model.tower.is_some() || self.leak_checked.contains(&(m.id, data.revision)) {
            return;
        }
        let key = key_for(m, data, analysis.generation);
        self.rank_features(key);
    }

    /// Collects a finished ranking; the first one for the analysed model on a dataset that
    /// reveals a leak becomes a warning at the top of the notices, with Leave out and retrain.
    /// (Another model's ranking, asked for in the Importance tab, shows its warning there.)
    pub(super) fn poll_importance(&mut self) {
        let importance = &mut self.builds.importance;
        importance.poll(|_| Some(Err("the ranking stopped unexpectedly".into())));
        let Some(k) = importance.latest_key().copied() else {
            return;
        };
        let analysed = self.predicted.as_ref().map(|p| p.name.as_str());
        let current = self.data.as_ref().is_some_and(|d| d.revision == k.data);
        let Some(Ok(r)) = importance.latest() else {
            return;
        };
        let ours = current && analysed == Some(r.model.as_str());
        if !ours || self.leak_checked.contains(&(k.model, k.data)) {
            return;
        }
        self.leak_checked.push((k.model, k.data));
        let found = (r.leak.as_ref()).map(|leak| {
            let text = format!("{}: {}", r.model, leak.line(Advice::App));
            (text, leak.names())
        });
        if let Some((text, columns)) = found {
            self.log(format!("warning: {text}"));
            self.notices
                .insert(0, Notice::retrain_without(text, columns));
        }
    }

    /// Opens the data again without `action`'s columns as features (they stay for slices), and
    /// trains the quick model again once it is in when the action says so.
    pub(super) fn leave_out(&mut self, action: NoticeAction) {
        let Some(spec) = self.session.source.leaving_out(action.columns()) else {
            return self.fail("the demo's columns are fixed: open a file to leave columns out");
        };
        self.retrain_on_load = matches!(action, NoticeAction::LeaveOutAndRetrain(_));
        self.log(format!(
            "leaving out {} and opening the data again",
            action.columns().join(", ")
        ));
        self.load(spec);
    }
}
