//! Aggregate mode on the app's side: opening files with DataFusion, counting the slices over
//! them in the background (cancellable, recounted on demand), and switching between aggregate
//! mode and an in-memory dataset (each clears the other).

use super::SlicelabApp;
use crate::data::ColumnKind;
use crate::gui::aggregate::{self, Aggregate, Counted, Opened};
use crate::gui::command::Command;
use crate::gui::jobs::{Pending, take};
use crate::gui::state::AggregateSpec;
use crate::gui::views::AggregateDialog;
use crate::gui::views::context::ViewBuilds;
use crate::sql::{Dialect, countable};

impl SlicelabApp {
    /// Shows the aggregate dialog, filled with the files counted last.
    pub(super) fn open_aggregate_dialog(&mut self) {
        if !cfg!(feature = "engine") {
            return self.fail(aggregate::NO_ENGINE);
        }
        if self.aggregate_dialog.is_none() {
            let last = self.aggregate.as_ref().map(|a| a.pattern.clone());
            self.aggregate_dialog = Some(AggregateDialog::new(last.unwrap_or_default()));
        }
    }

    /// Opens the session's data: its aggregate-mode logs counted again when it was in aggregate
    /// mode (the dataset is loaded instead if that fails), else its dataset.
    pub(super) fn reopen(&mut self) {
        match self.session.aggregate.clone() {
            Some(spec) if cfg!(feature = "engine") => {
                self.log(format!("counting {} again (aggregate mode)", spec.pattern));
                self.restore_aggregate = Some((spec.label, spec.preds));
                self.read_aggregate(spec.pattern, spec.memory);
            }
            _ => {
                self.session.aggregate = None;
                let source = self.session.source.clone();
                self.commands.push(Command::Load(source));
            }
        }
    }

    /// Opens `data` under the memory limit `memory` and reads its columns in the background.
    pub(super) fn read_aggregate(&mut self, data: String, memory: String) {
        self.dialog_opened = None;
        self.jobs.aggregate_read = Some(Pending::spawn(
            "engine-open",
            format!("reading the columns of {data}"),
            self.waker(),
            move || aggregate::read_source(&data, &memory),
        ));
    }

    /// Counts the current slices over the files the dialog read, for `label` and `preds`.
    pub(super) fn count_aggregate(&mut self, label: String, preds: Vec<String>) {
        let Some(opened) = self.dialog_opened.clone() else {
            return self.aggregate_failed("read the files' columns first".into());
        };
        self.start_count(opened, label, preds);
    }

    /// Counts the current slices again over the files and columns of aggregate mode.
    pub(super) fn recount(&mut self) {
        let (Some(opened), Some(a)) = (self.aggregate_engine.clone(), &self.aggregate) else {
            return self.fail("nothing to recount: open logs in aggregate mode first");
        };
        let (label, preds) = (a.label.clone(), a.preds());
        self.start_count(opened, label, preds);
    }

    fn start_count(&mut self, opened: Opened, label: String, preds: Vec<String>) {
        let set = self.session.active_slices();
        let what = opened.counting_label();
        self.log(what.clone());
        self.jobs.aggregate_count = Some(Pending::spawn_with_progress(
            "engine-count",
            what,
            self.waker(),
            move |progress| {
                let start = std::time::Instant::now();
                // A slice written for other columns is left out and named, not fatal.
                let (counted, skipped) = countable(&set, &opened.sample, Dialect::DataFusion)
                    .map_err(|e| e.to_string())?;
                let reports = aggregate::count(&opened, &counted, &label, &preds, progress)?;
                Ok(Counted {
                    opened,
                    label,
                    reports,
                    slices: set,
                    skipped,
                    secs: start.elapsed().as_secs_f64(),
                })
            },
        ));
    }

    /// Stops reading or counting (dropping a job sets its cancel flag; DataFusion's scan stops
    /// within a tenth of a second).
    pub(super) fn cancel_aggregate(&mut self) {
        let reading = self.jobs.aggregate_read.take().is_some();
        let counting = self.jobs.aggregate_count.take().is_some();
        if reading || counting {
            self.log("cancelled the aggregate job");
        }
    }

    /// Collects the aggregate jobs.
    pub(super) fn poll_aggregate(&mut self) {
        fn lost<T>(label: &str) -> Result<T, String> {
            Err(format!("the background job '{label}' stopped unexpectedly"))
        }
        if let Some(r) = take(&mut self.jobs.aggregate_read, lost) {
            match (r, self.restore_aggregate.take()) {
                (Ok(opened), Some((label, preds))) => self.start_count(opened, label, preds),
                (Ok(opened), None) => self.aggregate_read(opened),
                (Err(e), _) => self.aggregate_failed(e),
            }
        }
        if let Some(r) = take(&mut self.jobs.aggregate_count, lost) {
            match r {
                Ok(c) => self.counted(c),
                Err(e) => self.aggregate_failed(e),
            }
        }
        if self.aggregate_dialog.is_none() {
            // A closed dialog lets its session go (a count under way holds its own).
            self.dialog_opened = None;
        }
    }

    fn aggregate_read(&mut self, opened: Opened) {
        let Some(d) = &mut self.aggregate_dialog else {
            return;
        };
        let columns = (opened.columns.iter().cloned())
            .map(|n| {
                let kind = (opened.sample.column(&n)).map_or(ColumnKind::Categorical, |c| c.kind);
                (n, kind)
            })
            .collect();
        d.columns_read(&opened.pattern, opened.describe(), columns);
        let line = format!(
            "read the columns of {}: {}",
            opened.pattern,
            opened.describe()
        );
        self.dialog_opened = Some(opened);
        self.log(line);
    }

    /// An error in the dialog (when open) and the banner. When a restored session's logs
    /// could not be counted again, its dataset is loaded instead.
    fn aggregate_failed(&mut self, e: String) {
        if let Some(d) = &mut self.aggregate_dialog {
            d.error = Some(e.clone());
        }
        // The session names logs but none are counted: this was the start-up recount.
        if self.aggregate.is_some() || self.session.aggregate.take().is_none() {
            return self.fail(e);
        }
        self.fail(format!(
            "could not count the last session's logs again, so its dataset opens instead: {e}"
        ));
        let source = self.session.source.clone();
        self.commands.push(Command::Load(source));
    }

    /// Enters (or refreshes) aggregate mode: the in-memory dataset and its analysis go.
    fn counted(&mut self, c: Counted) {
        self.log(format!(
            "counted {} slices over {} in {:.2} s (columns {})",
            c.reports
                .first()
                .map_or(0, |r| r.report.rows.len().saturating_sub(1)),
            c.opened.describe(),
            c.secs,
            (c.reports.iter())
                .map(|r| r.pred.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
        for s in &c.skipped {
            self.log(format!("not counted: {}", s.reason));
        }
        self.leave_memory();
        self.session.aggregate = Some(AggregateSpec {
            pattern: c.opened.pattern.clone(),
            memory: (c.opened.memory_limit).map_or(String::new(), |b| format!("{b}")),
            label: c.label.clone(),
            preds: c.reports.iter().map(|r| r.pred.clone()).collect(),
        });
        let revision = self.next_revision();
        let (a, opened) = Aggregate::new(c, revision);
        self.aggregate = Some(a);
        self.aggregate_engine = Some(opened);
        self.aggregate_dialog = None;
        self.session.tab = crate::gui::state::Tab::Errors;
    }

    /// Drops the in-memory dataset, its predictions, analysis and pictures.
    fn leave_memory(&mut self) {
        self.generation += 1;
        self.jobs.load = None;
        self.jobs.analysis = None;
        self.jobs.predict = None;
        self.data = None;
        self.predicted = None;
        self.analysis = None;
        self.builds = ViewBuilds::default();
    }

    /// Leaves aggregate mode (a dataset was loaded): the counts and the session go.
    pub(super) fn leave_aggregate(&mut self) {
        self.session.aggregate = None;
        self.restore_aggregate = None;
        self.jobs.aggregate_count = None;
        self.aggregate = None;
        self.aggregate_engine = None;
    }
}
