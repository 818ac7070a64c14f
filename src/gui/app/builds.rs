//! Work the views ask for while they draw: the Map's and the Indicators' pictures, the slice
//! editor's expression check, the Errors tab's rows and distributions and the Diff tab's
//! comparison. Started here (from `logic`, when their command is applied) on
//! named threads; the results land in [`ViewBuilds`] for the views to read.

use std::time::{Duration, Instant};

use super::SlicelabApp;
use crate::gui::aggregate::preview_sample;
use crate::gui::analysis::{PreviewResult, preview};
use crate::gui::diff::{DiffInputs, DiffKey, Side, compare};
use crate::gui::jobs::Pending;
use crate::gui::theme;
use crate::gui::views::column_summary::{self, SummaryKey};
use crate::gui::views::context::{CheckKey, ViewBuilds};
use crate::gui::views::errors::background::{self, DistInputs, DistKey, QueryInputs, QueryKey};
use crate::gui::views::indicator_scene::{self, IndicatorInputs, IndicatorKey};
use crate::gui::views::map_scene::{self, SceneInputs, SceneKey};

/// How long the row search text must stay unchanged before it is searched.
pub(super) const ROW_SEARCH_QUIET: Duration = Duration::from_millis(200);

impl SlicelabApp {
    /// Starts building the Map's picture for `key` unless it is built or building.
    pub(super) fn build_map(&mut self, key: SceneKey) {
        let Some(data) = self.data.as_ref().filter(|_| self.builds.map.wants(&key)) else {
            return;
        };
        let inputs = SceneInputs {
            key: key.clone(),
            ds: data.ds.clone(),
            pca: data.pca.clone(),
            pred: self.predicted.as_ref().map(|p| p.classes.clone()),
            masks: self.masks(),
        };
        let job = Pending::spawn("map-builder", "building the map", self.waker(), move || {
            map_scene::build(inputs)
        });
        self.builds.map.request(key, || job);
    }

    /// Starts building the Indicators' pictures for `key` unless they are built or building.
    pub(super) fn build_indicators(&mut self, key: IndicatorKey) {
        let (Some(data), Some(pred)) = (&self.data, &self.predicted) else {
            return;
        };
        if !self.builds.indicators.wants(&key) {
            return;
        }
        let set = &self.session.slices.slices;
        // Each model slice is drawn beside the SF of the same name in the current set.
        let sf = pred
            .slots
            .iter()
            .skip(1)
            .map(|name| {
                let k = set.iter().position(|s| s.name == *name)?;
                Some((k, theme::slice_color(k)))
            })
            .collect();
        let inputs = IndicatorInputs {
            key: key.clone(),
            ds: data.ds.clone(),
            indicator: pred.indicator.clone(),
            slots: pred.slots.clone(),
            sf,
            masks: self.masks(),
        };
        let job = Pending::spawn(
            "indicator-builder",
            "drawing the indicators",
            self.waker(),
            move || indicator_scene::build(inputs),
        );
        self.builds.indicators.request(key, || job);
    }

    /// Starts checking `expr` as slice `name` against the data and the current slice set. One
    /// check runs at a time, so fast typing never piles up threads: the editor asks again for
    /// its latest text once the running check ends.
    pub(super) fn check_expression(&mut self, name: String, expr: String) {
        // In aggregate mode the expression is checked against the typed sample of the files.
        let revision = match (&self.data, &self.aggregate) {
            (Some(d), _) => d.revision,
            (None, Some(a)) => a.revision,
            (None, None) => return,
        };
        let key = CheckKey {
            name,
            expr,
            data: revision,
            slices: self.slices_revision,
        };
        if self.builds.check.building().is_some() || !self.builds.check.wants(&key) {
            return;
        }
        let set = self.session.slices.clone();
        let (n, e) = (key.name.clone(), key.expr.clone());
        let work: Box<dyn FnOnce() -> PreviewResult + Send> = match (&self.data, &self.aggregate) {
            (Some(data), _) => {
                let ds = data.ds.clone();
                Box::new(move || preview(&ds, &set, &n, &e))
            }
            (None, Some(a)) => {
                let sample = a.sample.clone();
                Box::new(move || preview_sample(&sample, &set, &n, &e))
            }
            (None, None) => return,
        };
        let job = Pending::spawn("slice-check", "checking expression", self.waker(), work);
        self.builds.check.request(key, || job);
    }

    /// Starts searching and sorting `rows` as `key` says unless that is done or under way.
    /// A new search text waits until typing pauses ([`ROW_SEARCH_QUIET`]); a sort or a new
    /// slice starts at once. The search it supersedes is stopped.
    pub(super) fn query_rows(&mut self, key: QueryKey, rows: std::sync::Arc<Vec<usize>>) {
        let (Some(data), Some(pred)) = (&self.data, &self.predicted) else {
            return;
        };
        if !self.builds.rows.wants(&key) {
            return;
        }
        let last = (self.builds.rows.building()).or_else(|| self.builds.rows.latest_key());
        let typing = last.is_none_or(|k| k.rows == key.rows && k.query.search != key.query.search);
        if typing
            && !key.query.search.is_empty()
            && let Err(wait) = self.row_search.ready(&key, Instant::now())
        {
            self.ctx.request_repaint_after(wait);
            return;
        }
        let inputs = QueryInputs {
            ds: data.ds.clone(),
            classes: pred.classes.clone(),
            probs: pred.probs.clone(),
            rows,
            query: key.query.clone(),
        };
        let job =
            Pending::spawn_with_progress("row-query", "searching rows", self.waker(), move |p| {
                background::run_query(inputs, p.cancel_flag())
            });
        self.builds.rows.request(key, || job);
    }

    /// Starts building a slice's feature distributions unless they are built or building.
    pub(super) fn build_distributions(&mut self, key: DistKey) {
        let Some(data) = self
            .data
            .as_ref()
            .filter(|_| self.builds.distributions.wants(&key))
        else {
            return;
        };
        let inputs = DistInputs {
            key: key.clone(),
            ds: data.ds.clone(),
            names: self
                .session
                .slices
                .slices
                .iter()
                .map(|s| s.name.clone())
                .collect(),
            masks: self.masks(),
        };
        let job = Pending::spawn(
            "distributions",
            "comparing feature distributions",
            self.waker(),
            move || background::build_distributions(inputs),
        );
        self.builds.distributions.request(key, || job);
    }

    /// Starts comparing the two models `key` names unless that is done or under way; a key for
    /// another dataset or analysis than the current one is stale and ignored.
    pub(super) fn compare_models(&mut self, key: DiffKey) {
        let (Some(data), Some(analysis)) = (&self.data, &self.analysis) else {
            return;
        };
        let current = data.revision == key.data && analysis.generation == key.analysis;
        let find = |id: u64| self.models.iter().find(|m| m.id == id);
        let (Some(a), Some(b)) = (find(key.a), find(key.b)) else {
            return;
        };
        if !current || !self.builds.diff.wants(&key) {
            return;
        }
        let predicted = self.predicted.as_ref();
        let inputs = DiffInputs {
            ds: data.ds.clone(),
            sides: [
                (a.name.clone(), Side::of(a, predicted)),
                (b.name.clone(), Side::of(b, predicted)),
            ],
            names: analysis.stats.iter().map(|s| s.name.clone()).collect(),
            masks: analysis.masks.clone(),
        };
        let job = Pending::spawn_with_progress(
            "model-diff",
            "comparing two models",
            self.waker(),
            move |p| compare(inputs, p),
        );
        self.builds.diff.request(key, || job);
    }

    /// Starts summarising a column of the loaded data unless that is done or under way.
    pub(super) fn summarise_column(&mut self, key: SummaryKey) {
        let Some(data) = self.data.as_ref().filter(|d| d.revision == key.data) else {
            return;
        };
        if !self.builds.summaries.wants(&key) {
            return;
        }
        let ds = data.ds.clone();
        let column = key.column.clone();
        let job = Pending::spawn(
            "column-summary",
            "summarising a column",
            self.waker(),
            move || column_summary::build(&ds, &column),
        );
        self.builds.summaries.request(key, || job);
    }

    /// Collects finished pictures and checks.
    pub(super) fn poll_builds(&mut self) {
        let ViewBuilds {
            map,
            indicators,
            check,
            rows,
            distributions,
            diff,
            summaries,
            importance: _,
        } = &mut self.builds;
        let current = self.data.as_ref().map(|d| d.revision);
        summaries.retain(|k| Some(k.data) == current);
        summaries.poll();
        // A picture whose thread died is asked for again by its view.
        map.poll(|_| None);
        indicators.poll(|_| None);
        rows.poll(|_| None);
        distributions.poll(|_| None);
        diff.poll(|_| Some(Err("the comparison stopped unexpectedly".into())));
        check.poll(|_| {
            Some(PreviewResult::Other(
                "the check stopped unexpectedly".into(),
            ))
        });
        self.poll_importance();
    }
}
