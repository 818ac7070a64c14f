//! Work the views ask for while they draw: the Map's and the Indicators' pictures and the slice
//! editor's expression check. Started here (from `logic`, when their command is applied) on
//! named threads; the results land in [`ViewBuilds`] for the views to read.

use super::SlicelabApp;
use crate::gui::aggregate::preview_sample;
use crate::gui::analysis::{PreviewResult, preview};
use crate::gui::jobs::Pending;
use crate::gui::theme;
use crate::gui::views::context::{CheckKey, ViewBuilds};
use crate::gui::views::errors::background::{self, DistInputs, DistKey, QueryInputs, QueryKey};
use crate::gui::views::indicator_scene::{self, IndicatorInputs, IndicatorKey};
use crate::gui::views::map_scene::{self, SceneInputs, SceneKey};

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
    pub(super) fn query_rows(&mut self, key: QueryKey, rows: std::sync::Arc<Vec<usize>>) {
        let (Some(data), Some(pred)) = (&self.data, &self.predicted) else {
            return;
        };
        if !self.builds.rows.wants(&key) {
            return;
        }
        let inputs = QueryInputs {
            ds: data.ds.clone(),
            classes: pred.classes.clone(),
            probs: pred.probs.clone(),
            rows,
            query: key.query.clone(),
        };
        let job = Pending::spawn("row-query", "searching rows", self.waker(), move || {
            background::run_query(inputs)
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

    /// Collects finished pictures and checks.
    pub(super) fn poll_builds(&mut self) {
        let ViewBuilds {
            map,
            indicators,
            check,
            rows,
            distributions,
        } = &mut self.builds;
        // A picture whose thread died is asked for again by its view.
        map.poll(|_| None);
        indicators.poll(|_| None);
        rows.poll(|_| None);
        distributions.poll(|_| None);
        check.poll(|_| {
            Some(PreviewResult::Other(
                "the check stopped unexpectedly".into(),
            ))
        });
    }
}
