//! What the app remembers between runs (eframe persistence and session files).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::views::Views;
use crate::data::HeaderMode;
use crate::data::dialect::Delimiter;
use crate::data::types::TypeOverride;
use crate::safe_write::write_atomic;
use crate::slices::SliceSet;

/// Where the analysed dataset comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum SourceSpec {
    /// The embedded figure1 demo (two critical slices, two SFs).
    Demo,
    /// A file or folder on disk with its column roles.
    File {
        /// The file (CSV, csv.gz, Parquet) or a folder with train/valid/test CSVs.
        path: PathBuf,
        /// Label column.
        label: String,
        /// Prediction column of an external model, if any.
        #[serde(default)]
        pred: Option<String>,
        /// Split column (train/valid/test), if any.
        #[serde(default)]
        split_col: Option<String>,
        /// A text column to embed as model features, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        embed: Option<EmbedChoice>,
        /// Whether the CSV files' first rows name the columns (sessions from before this
        /// field: decided from the file).
        #[serde(default)]
        header: HeaderMode,
        /// How the text files' fields are separated (sessions from before this field: sniffed).
        #[serde(default)]
        delimiter: Delimiter,
        /// Column types chosen in the open dialog's preview, as `--types` gives them.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        types: Vec<TypeOverride>,
        /// Columns left out of the features (unticked in the open dialog, or left out from a
        /// notice), as `--ignore` gives them.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        ignore: Vec<String>,
    },
}

/// A text column and the encoder folder that embeds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmbedChoice {
    /// The text column.
    pub column: String,
    /// A Hugging Face BERT folder.
    pub encoder: PathBuf,
}

impl SourceSpec {
    /// File `path` with these label, prediction and split columns; every other choice as the
    /// loader decides (header and delimiter sniffed, types inferred, no text embedded).
    pub fn file(
        path: PathBuf,
        label: impl Into<String>,
        pred: Option<String>,
        split_col: Option<String>,
    ) -> Self {
        SourceSpec::File {
            path,
            label: label.into(),
            pred,
            split_col,
            embed: None,
            header: HeaderMode::Auto,
            delimiter: Delimiter::Auto,
            types: Vec::new(),
            ignore: Vec::new(),
        }
    }

    /// Whether `other` is the same dataset: the demo, or the same file or folder, whatever its
    /// roles, types or left-out columns. Its slices and choices stay with it.
    pub fn same_file(&self, other: &SourceSpec) -> bool {
        match (self, other) {
            (SourceSpec::Demo, SourceSpec::Demo) => true,
            (SourceSpec::File { path: a, .. }, SourceSpec::File { path: b, .. }) => a == b,
            _ => false,
        }
    }

    /// The same source with `columns` also left out of the features; `None` for the demo,
    /// whose columns are fixed.
    pub fn leaving_out(&self, columns: &[String]) -> Option<SourceSpec> {
        let mut s = self.clone();
        let SourceSpec::File { ignore, .. } = &mut s else {
            return None;
        };
        for c in columns {
            if !ignore.contains(c) {
                ignore.push(c.clone());
            }
        }
        Some(s)
    }

    /// A short name for titles.
    pub fn describe(&self) -> String {
        match self {
            SourceSpec::Demo => "figure1 demo".into(),
            SourceSpec::File { path, .. } => path.display().to_string(),
        }
    }
}

/// The main area's tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Tab {
    /// Per-slice error table.
    #[default]
    Errors,
    /// 2-D map with heatmap and brushing.
    Map,
    /// SF outputs vs learned indicators (Figure 5).
    Indicators,
    /// Training with live curves.
    Train,
    /// Method comparison.
    Compare,
    /// Two models side by side on every slice.
    Diff,
    /// What a model leans on: permutation importance, all rows and the selected slice.
    Importance,
}

impl Tab {
    /// All tabs in display order.
    pub const ALL: [Tab; 7] = [
        Tab::Errors,
        Tab::Map,
        Tab::Indicators,
        Tab::Train,
        Tab::Compare,
        Tab::Diff,
        Tab::Importance,
    ];

    /// The tab's title.
    pub fn title(self) -> &'static str {
        match self {
            Tab::Errors => "Errors",
            Tab::Map => "Map",
            Tab::Indicators => "Indicators",
            Tab::Train => "Train",
            Tab::Compare => "Compare",
            Tab::Diff => "Diff",
            Tab::Importance => "Importance",
        }
    }
}

/// Everything a session holds that is worth keeping.
#[derive(Serialize, Deserialize)]
#[serde(default)]
pub struct Session {
    /// The dataset.
    pub source: SourceSpec,
    /// The slicing functions.
    pub slices: SliceSet,
    /// Names of slices switched off (kept in the list, left out of reports and training).
    pub disabled: Vec<String>,
    /// The open tab.
    pub tab: Tab,
    /// The selected slice, if any.
    pub selected: Option<String>,
    /// Recently opened datasets, newest first.
    pub recent: Vec<PathBuf>,
    /// Folders of trained models, reloaded on start.
    pub models: Vec<PathBuf>,
    /// The folder of the saved model whose predictions were analysed: analysed again on start
    /// (instead of a fresh quick model) once the models reopen.
    pub analysing: Option<PathBuf>,
    /// Settings of each view.
    pub views: Views,
    /// The logs aggregate mode counted last, counted again on start instead of loading
    /// `source` (which stays the dataset to return to).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aggregate: Option<AggregateSpec>,
    /// What the other datasets opened in this session left behind, brought back when each
    /// opens again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub elsewhere: Vec<DatasetState>,
}

/// A dataset's own part of the session, kept while another dataset is open.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetState {
    /// The dataset (compared with [`SourceSpec::same_file`]).
    pub source: SourceSpec,
    /// Its slices.
    pub slices: SliceSet,
    /// Its slices switched off.
    pub disabled: Vec<String>,
    /// Its selected slice.
    pub selected: Option<String>,
}

/// What aggregate mode counted: enough to count it again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AggregateSpec {
    /// The file, folder or glob.
    pub pattern: String,
    /// DataFusion's memory limit as typed or in bytes; empty for none.
    pub memory: String,
    /// The label column.
    pub label: String,
    /// The prediction columns, in order.
    pub preds: Vec<String>,
}

impl Default for Session {
    fn default() -> Self {
        Self {
            source: SourceSpec::Demo,
            slices: crate::train::DataSource::Demo(Default::default()).default_slices(),
            disabled: Vec::new(),
            tab: Tab::default(),
            selected: None,
            recent: Vec::new(),
            models: Vec::new(),
            analysing: None,
            views: Views::default(),
            aggregate: None,
            elsewhere: Vec::new(),
        }
    }
}

/// The app's own session file in its data folder (eframe's store is written in place, so a crash
/// mid-write would lose it: this file is the one restored).
pub const SESSION_FILE: &str = "session.json";
/// The session before the last save, restored when the last one cannot be read.
pub const SESSION_BACKUP: &str = "session.json.bak";

/// Most recent files remembered.
const RECENT_MAX: usize = 8;

impl Session {
    /// Switches to dataset `next`: the current dataset's slices go aside, and `next`'s come
    /// back if it was open before (else `fresh`, its own SF columns). Returns whether they came
    /// back.
    pub fn switch_dataset(&mut self, next: &SourceSpec, fresh: SliceSet) -> bool {
        let left = DatasetState {
            source: self.source.clone(),
            slices: std::mem::take(&mut self.slices),
            disabled: std::mem::take(&mut self.disabled),
            selected: self.selected.take(),
        };
        self.elsewhere.retain(|d| !d.source.same_file(&left.source));
        let back = (self.elsewhere.iter()).position(|d| d.source.same_file(next));
        self.elsewhere.push(left);
        match back.map(|i| self.elsewhere.remove(i)) {
            Some(d) => {
                self.slices = d.slices;
                self.disabled = d.disabled;
                self.selected = d.selected;
                true
            }
            None => {
                self.slices = fresh;
                false
            }
        }
    }

    /// Whether slice `name` is switched on.
    pub fn enabled(&self, name: &str) -> bool {
        !self.disabled.iter().any(|d| d == name)
    }

    /// The slices that are switched on.
    pub fn active_slices(&self) -> SliceSet {
        SliceSet {
            slices: self
                .slices
                .slices
                .iter()
                .filter(|s| self.enabled(&s.name))
                .cloned()
                .collect(),
        }
    }

    /// Puts `path` first in the recent list.
    pub fn remember(&mut self, path: &Path) {
        self.recent.retain(|p| p != path);
        self.recent.insert(0, path.to_path_buf());
        self.recent.truncate(RECENT_MAX);
    }

    /// Writes the session as JSON (atomically).
    pub fn save_file(&self, path: &Path) -> Result<(), String> {
        let text = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        write_atomic(path, text.as_bytes()).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Writes the app's own session file in `home`, keeping the previous one as a backup; the
    /// file is replaced by rename, so a crash leaves the old or the new session, never half of one.
    pub fn save_home(&self, home: &Path) -> Result<(), String> {
        let path = home.join(SESSION_FILE);
        let text = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        let fail = |e: std::io::Error| format!("{}: {e}", path.display());
        std::fs::create_dir_all(home).map_err(fail)?;
        let tmp = crate::safe_write::temp_sibling(&path);
        std::fs::write(&tmp, text.as_bytes())
            .and_then(|()| std::fs::File::open(&tmp)?.sync_all())
            .map_err(fail)?;
        if path.exists() {
            std::fs::rename(&path, home.join(SESSION_BACKUP)).map_err(fail)?;
        }
        std::fs::rename(&tmp, &path).map_err(fail)?;
        crate::safe_write::sync_dir(home).map_err(fail)
    }

    /// Reads the app's own session from `home`: the file, else its backup. The second value says
    /// what went wrong on the way (for a banner); `None` with no message means there is none yet.
    pub fn restore_home(home: &Path) -> (Option<Self>, Option<String>) {
        let main = home.join(SESSION_FILE);
        let backup = home.join(SESSION_BACKUP);
        let main_err = match Self::open_file(&main) {
            Ok(s) => return (Some(s), None),
            Err(_) if !main.exists() && !backup.exists() => return (None, None),
            Err(e) => e,
        };
        match Self::open_file(&backup) {
            Ok(s) => (
                Some(s),
                Some(format!(
                    "the last session could not be read ({main_err}); restored the one before it from {}",
                    backup.display()
                )),
            ),
            Err(_) => (
                None,
                Some(format!(
                    "the last session could not be read ({main_err}); starting afresh"
                )),
            ),
        }
    }

    /// Reads a session file.
    pub fn open_file(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        serde_json::from_str(&text).map_err(|e| {
            format!(
                "{}: line {}, column {}: {e}",
                path.display(),
                e.line(),
                e.column()
            )
        })
    }
}
