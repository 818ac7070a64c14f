//! Which columns become model features, how each is encoded, and why the others are left out.
//!
//! Training, the app and the CLI all ask this one function, so `train` can print (and
//! report.json record) exactly the columns the model was given.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::dataset::Dataset;
use super::features::MAX_LEVELS;
use super::table::{Column, ColumnData, ColumnKind, MISSING_CODE};

/// String columns whose values average more characters than this are free text, not identifiers.
const ID_MAX_CHARS: f64 = 30.0;
/// A string column with this many rows, all values distinct, is an identifier whatever its name.
const ID_MIN_ROWS: usize = 20;

/// How one column becomes feature values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "encoding", rename_all = "snake_case")]
pub enum Encoding {
    /// Standardised number (integers included).
    Numeric,
    /// A 0/1 value, standardised.
    Boolean,
    /// Days since 1970-01-01, standardised.
    DateOrdinal,
    /// One slot per kept level (at most [`MAX_LEVELS`]), plus "other" and "missing" slots.
    OneHot {
        /// Distinct values in the table, capped at [`MAX_LEVELS`].
        levels: usize,
    },
}

impl Encoding {
    /// A short name for printing (`numeric`, `one-hot`, ...).
    pub fn label(&self) -> &'static str {
        match self {
            Encoding::Numeric => "numeric",
            Encoding::Boolean => "boolean",
            Encoding::DateOrdinal => "date",
            Encoding::OneHot { .. } => "one-hot",
        }
    }
}

/// Why a column is not a feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DropReason {
    /// It is the label.
    Label,
    /// An external model's prediction or probability column.
    Prediction,
    /// The train/valid/test column.
    Split,
    /// A ground-truth slice column (evaluation only).
    TruthSlice,
    /// Left out with `--ignore`.
    Ignored,
    /// Not matched by `--features`.
    NotInFeatures,
    /// Used whole as a slicing function's output.
    SliceFunction,
    /// Strings unique per row (or nearly, under an id-like name): an identifier.
    Identifier,
    /// Long or high-cardinality free text.
    FreeText,
    /// One value on every row.
    Constant,
}

impl DropReason {
    /// The reason as a few words for printing.
    pub fn label(self) -> &'static str {
        match self {
            DropReason::Label => "label",
            DropReason::Prediction => "prediction",
            DropReason::Split => "split",
            DropReason::TruthSlice => "truth slice",
            DropReason::Ignored => "ignored",
            DropReason::NotInFeatures => "not in --features",
            DropReason::SliceFunction => "SF output",
            DropReason::Identifier => "identifier",
            DropReason::FreeText => "free text",
            DropReason::Constant => "constant",
        }
    }
}

/// A column that becomes features.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedFeature {
    /// The column.
    pub column: String,
    /// How it is encoded.
    #[serde(flatten)]
    pub encoding: Encoding,
}

/// A column that does not become features.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DroppedColumn {
    /// The column.
    pub column: String,
    /// Why.
    pub reason: DropReason,
}

/// Which columns the user left out (`--ignore`) or limited the features to (`--features`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeatureChoice {
    /// Columns never to use as features (still usable in slices).
    pub ignore: Vec<String>,
    /// When set, only these columns may become features.
    pub only: Option<Vec<String>>,
    /// Columns the user declared categorical (`--types col=categorical`, the open dialog): they
    /// stay one-hot features even where their values look like an identifier's.
    pub categorical: Vec<String>,
}

/// The feature decision for every column of a dataset, in table order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeaturePlan {
    /// Columns that become features.
    pub features: Vec<PlannedFeature>,
    /// Columns left out, with the reason.
    pub dropped: Vec<DroppedColumn>,
}

impl FeaturePlan {
    /// Decides every column of `ds`; `sf_columns` are the columns used whole as SF outputs.
    pub fn of(ds: &Dataset, sf_columns: &[String]) -> Self {
        let verdicts: Vec<Verdict> = ds
            .table
            .columns
            .iter()
            .map(|c| {
                let declared = ds.choice.categorical.contains(&c.name);
                verdict_as(c, declared.then_some(ColumnKind::Categorical))
            })
            .collect();
        let names: Vec<&str> = ds.table.columns.iter().map(|c| c.name.as_str()).collect();
        Self::from_verdicts(&names, &verdicts, &Roles::of(ds), sf_columns)
    }

    /// The plan for columns `names` whose content verdicts ([`verdict`]) are known, given the
    /// roles: what the open dialog redraws as the user picks roles, without rereading values.
    pub fn from_verdicts(
        names: &[&str],
        verdicts: &[Verdict],
        roles: &Roles,
        sf_columns: &[String],
    ) -> Self {
        let sf: HashSet<&str> = sf_columns.iter().map(String::as_str).collect();
        let mut plan = Self::default();
        for (name, v) in names.iter().zip(verdicts) {
            let reason = roles
                .reason(name)
                .or_else(|| sf.contains(name).then_some(DropReason::SliceFunction))
                .or_else(|| roles.outside_whitelist(name));
            match (reason, v) {
                (Some(reason), _) | (None, &Err(reason)) => plan.dropped.push(DroppedColumn {
                    column: name.to_string(),
                    reason,
                }),
                (None, Ok(encoding)) => plan.features.push(PlannedFeature {
                    column: name.to_string(),
                    encoding: encoding.clone(),
                }),
            }
        }
        plan
    }

    /// The feature columns, in table order.
    pub fn columns(&self) -> Vec<String> {
        self.features.iter().map(|f| f.column.clone()).collect()
    }

    /// A few lines for a terminal: counts per encoding and per reason, with sample names, so a
    /// 785-column table takes three lines rather than 785.
    pub fn summary(&self) -> Vec<String> {
        let mut used = Vec::new();
        for enc in ["numeric", "boolean", "date", "one-hot"] {
            let cols: Vec<String> = self
                .features
                .iter()
                .filter(|f| f.encoding.label() == enc)
                .map(|f| match f.encoding {
                    Encoding::OneHot { levels } => format!("{} ({levels})", f.column),
                    _ => f.column.clone(),
                })
                .collect();
            if !cols.is_empty() {
                used.push(format!("{enc} {} [{}]", cols.len(), sample(&cols)));
            }
        }
        let mut dropped = Vec::new();
        // Reasons in order of first appearance, each with its columns.
        let mut reasons: Vec<DropReason> = Vec::new();
        for d in &self.dropped {
            if !reasons.contains(&d.reason) {
                reasons.push(d.reason);
            }
        }
        for r in reasons {
            let cols: Vec<String> = self
                .dropped
                .iter()
                .filter(|d| d.reason == r)
                .map(|d| d.column.clone())
                .collect();
            dropped.push(format!("{} {} [{}]", r.label(), cols.len(), sample(&cols)));
        }
        let mut lines = vec![format!(
            "features: {} of {} columns: {}",
            self.features.len(),
            self.features.len() + self.dropped.len(),
            if used.is_empty() {
                "none".into()
            } else {
                used.join("; ")
            }
        )];
        if !dropped.is_empty() {
            lines.push(format!(
                "not features ({}): {}",
                self.dropped.len(),
                dropped.join("; ")
            ));
        }
        lines
    }
}

/// Up to four names, eliding the middle of a longer list.
fn sample(names: &[String]) -> String {
    if names.len() <= 4 {
        return names.join(", ");
    }
    format!(
        "{}, {}, {}, …, {}",
        names[0],
        names[1],
        names[2],
        names[names.len() - 1]
    )
}

/// The columns' roles that keep some of them out of the features.
#[derive(Debug, Clone, Default)]
pub struct Roles<'a> {
    /// The label column.
    pub label: &'a str,
    /// The split column, if any.
    pub split_col: Option<&'a str>,
    /// Ground-truth slice columns.
    pub truth: &'a [String],
    /// Columns never used as features (label, predictions, split, truth, ignored).
    pub reserved: &'a [String],
    /// `--ignore` and `--features`.
    pub choice: Option<&'a FeatureChoice>,
}

impl<'a> Roles<'a> {
    /// The roles a dataset assigned.
    pub fn of(ds: &'a Dataset) -> Self {
        Self {
            label: &ds.label,
            split_col: ds.split_col.as_deref(),
            truth: &ds.truth_slices,
            reserved: &ds.reserved,
            choice: Some(&ds.choice),
        }
    }

    /// The reason a column's role keeps it out of the features, if any.
    fn reason(&self, name: &str) -> Option<DropReason> {
        let named = |v: &[String]| v.iter().any(|n| n == name);
        let ignore = self.choice.map_or(&[][..], |c| &c.ignore);
        if name == self.label {
            Some(DropReason::Label)
        } else if self.split_col == Some(name) {
            Some(DropReason::Split)
        } else if named(self.truth) {
            Some(DropReason::TruthSlice)
        } else if named(ignore) {
            Some(DropReason::Ignored)
        } else if named(self.reserved) {
            Some(DropReason::Prediction)
        } else {
            None
        }
    }

    /// [`DropReason::NotInFeatures`] when `--features` is given and does not name the column.
    fn outside_whitelist(&self, name: &str) -> Option<DropReason> {
        let only = self.choice.and_then(|c| c.only.as_ref())?;
        (!only.iter().any(|n| n == name)).then_some(DropReason::NotInFeatures)
    }
}

/// What a column's values alone say: its encoding as a feature, or why it cannot be one.
pub type Verdict = Result<Encoding, DropReason>;

/// The encoding of `col` as a feature, or the reason its values rule it out (constant,
/// identifier, free text); its role is decided separately.
pub fn verdict(col: &Column) -> Verdict {
    match content_reason(col) {
        Some(reason) => Err(reason),
        None => Ok(encoding(col)),
    }
}

/// [`verdict`] for a column whose kind the user declared (`None`: inferred): a column declared
/// categorical is what the user says it is, not an identifier.
pub fn verdict_as(col: &Column, declared: Option<ColumnKind>) -> Verdict {
    match verdict(col) {
        Err(DropReason::Identifier) if declared == Some(ColumnKind::Categorical) => {
            Ok(encoding(col))
        }
        v => v,
    }
}

/// The reason a column's values make it useless or harmful as a feature, if any.
fn content_reason(col: &Column) -> Option<DropReason> {
    if is_constant(col) {
        Some(DropReason::Constant)
    } else if is_string_identifier(col) {
        Some(DropReason::Identifier)
    } else if col.kind == ColumnKind::Text {
        Some(DropReason::FreeText)
    } else {
        None
    }
}

fn encoding(col: &Column) -> Encoding {
    match (&col.data, col.kind) {
        (ColumnData::Numeric(_), ColumnKind::Numeric) => Encoding::Numeric,
        (ColumnData::Numeric(_), ColumnKind::Boolean) => Encoding::Boolean,
        (ColumnData::Numeric(_), ColumnKind::Date) => Encoding::DateOrdinal,
        _ => Encoding::OneHot {
            levels: distinct_present(col).min(MAX_LEVELS),
        },
    }
}

/// Number of distinct present values.
fn distinct_present(col: &Column) -> usize {
    match &col.data {
        ColumnData::Numeric(v) => {
            let mut bits: Vec<u64> = v
                .iter()
                .filter(|x| !x.is_nan())
                .map(|x| x.to_bits())
                .collect();
            bits.sort_unstable();
            bits.dedup();
            bits.len()
        }
        ColumnData::Strings { codes, levels } => {
            let mut used = vec![false; levels.len()];
            for &c in codes.iter().filter(|&&c| c != MISSING_CODE) {
                used[c as usize] = true;
            }
            used.iter().filter(|&&u| u).count()
        }
    }
}

/// One value on every row (or missing on every row): it tells the model nothing. Stops at the
/// first row that differs, so a wide table's real columns cost a few rows each.
fn is_constant(col: &Column) -> bool {
    let first = (0..col.len()).find(|&i| !col.is_missing(i));
    let Some(first) = first else {
        return true;
    };
    if first > 0 {
        return false;
    }
    match &col.data {
        ColumnData::Numeric(v) => v.iter().all(|x| x.to_bits() == v[0].to_bits()),
        ColumnData::Strings { codes, .. } => codes.iter().all(|&c| c == codes[0]),
    }
}

/// Whether `name` reads like an identifier's: `id`, `ID`, `Id`, `user_id`, `user-id`, `userId`.
pub fn is_id_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower == "id"
        || lower.ends_with("_id")
        || lower.ends_with("-id")
        || lower.ends_with(" id")
        || (name.ends_with("Id") && name.len() > 2)
        || (name.ends_with("ID") && name.len() > 2)
}

/// Short strings unique per row (`A-00017`), or nearly so under an id-like name: one-hot
/// encoding them would give every row its own feature.
fn is_string_identifier(col: &Column) -> bool {
    let ColumnData::Strings { codes, levels } = &col.data else {
        return false;
    };
    let present = codes.iter().filter(|&&c| c != MISSING_CODE).count();
    let distinct = distinct_present(col);
    if present < 2 {
        return false;
    }
    let chars: usize = levels.iter().map(|l| l.chars().count()).sum();
    if chars as f64 / levels.len().max(1) as f64 > ID_MAX_CHARS {
        return false;
    }
    let unique = distinct == present;
    (unique && (present >= ID_MIN_ROWS || is_id_name(&col.name)))
        || (is_id_name(&col.name) && distinct * 10 >= present * 9)
}
