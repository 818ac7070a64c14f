//! A table with its roles assigned: label, external predictions, splits and ground-truth slices.

use super::classes::ClassIndex;
use super::error::DataError;
use super::feature_plan::FeatureChoice;
use super::load::{Sources, read_table_as};
use super::split::{Split, stratified_split};
use super::table::{Column, Table};

/// How to interpret a table as a classification dataset.
#[derive(Debug, Clone)]
pub struct DatasetSpec {
    /// Label column name, or its position (`0` the first column, `-1` the last) when no
    /// column has that name.
    pub label: String,
    /// Optional column of an external model's predicted class.
    pub pred: Option<String>,
    /// Optional prefix of per-class probability columns (`{prefix}{class}`).
    pub proba_prefix: Option<String>,
    /// Optional column with train/valid/test values.
    pub split_col: Option<String>,
    /// Columns that hold ground-truth slice membership (evaluation only, never features).
    pub truth_slices: Vec<String>,
    /// Seed of the stratified split when no split column or files decide it.
    pub seed: u64,
    /// Train and valid fractions of the stratified split (the rest is test).
    pub fractions: (f64, f64),
}

impl DatasetSpec {
    /// The default ground-truth slice columns of a file: those named `slice_*`.
    pub fn default_truth(header: &[String]) -> Vec<String> {
        header
            .iter()
            .filter(|n| n.starts_with("slice_"))
            .cloned()
            .collect()
    }

    /// A spec with only the label set and default split fractions (70/15/15).
    pub fn new(label: &str) -> Self {
        Self {
            label: label.to_string(),
            pred: None,
            proba_prefix: None,
            split_col: None,
            truth_slices: Vec::new(),
            seed: 0,
            fractions: (0.7, 0.15),
        }
    }
}

/// A classification dataset ready for slicing, metrics and training.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// All rows of every split.
    pub table: Table,
    /// The label column's name.
    pub label: String,
    /// Class names, in class-index order: numbers numerically, then text (see [`ClassIndex`]).
    pub classes: Vec<String>,
    /// Class index per row.
    pub y: Vec<u32>,
    /// External predictions as class indices, if a prediction or probability column was given.
    pub pred: Option<Vec<u32>>,
    /// Split per row.
    pub splits: Vec<Split>,
    /// Ground-truth slice columns (evaluation only).
    pub truth_slices: Vec<String>,
    /// Columns that must never become model features (label, predictions, split, truth slices).
    pub reserved: Vec<String>,
    /// How a text column was embedded into `{column}_e{i}` feature columns, if one was.
    pub embedding: Option<super::EmbedRecord>,
    /// The train/valid/test column, if one was given.
    pub split_col: Option<String>,
    /// Columns the user left out of the features or limited them to (`--ignore`, `--features`).
    pub choice: FeatureChoice,
}

impl Dataset {
    /// Loads files and assigns roles.
    pub fn load(sources: &Sources, spec: &DatasetSpec) -> Result<Self, DataError> {
        let mut table = read_table_as(&sources.data, sources.header, sources.delimiter)?;
        let n_main = table.n_rows();
        let mut forced: Vec<Option<Split>> = vec![None; n_main];
        for (path, split) in [(&sources.valid, Split::Valid), (&sources.test, Split::Test)] {
            if let Some(path) = path {
                let other = read_table_as(path, sources.header, sources.delimiter)?;
                let n = other.n_rows();
                table.append(other).map_err(|e| DataError::Malformed {
                    path: path.clone(),
                    message: e.to_string(),
                })?;
                forced.extend(std::iter::repeat_n(Some(split), n));
            }
        }
        if sources.valid.is_some() || sources.test.is_some() {
            // Rows of the main file are training rows unless a split column says otherwise.
            forced
                .iter_mut()
                .take(n_main)
                .for_each(|s| *s = Some(Split::Train));
        }
        // After stacking the files, so that every row takes the declared type.
        super::types::apply_types(&mut table, &sources.types)?;
        let categorical: Vec<String> = sources
            .types
            .iter()
            .filter(|o| o.kind == super::ColumnKind::Categorical)
            .filter_map(|o| table.resolve_name(&o.column).map(str::to_string))
            .collect();
        let mut ds = Self::from_table(table, spec, &forced)?;
        ds.choice.categorical = categorical;
        Ok(ds)
    }

    /// Assigns roles to an in-memory table; `forced[i]` fixes row `i`'s split where set.
    pub fn from_table(
        mut table: Table,
        spec: &DatasetSpec,
        forced: &[Option<Split>],
    ) -> Result<Self, DataError> {
        // A label given by position (`-1`: the last column) names that column from here on.
        let label = table
            .resolve_name(&spec.label)
            .unwrap_or(&spec.label)
            .to_string();
        let label_col = find(&table, &label, "label")?;
        let (classes, y) = encode_label(label_col, &table.source)?;
        if let Some(note) = many_classes_notice(label_col, classes.len()) {
            table.notices.push(format!("{}: {note}", table.source));
        }
        let source = &table.source;
        let mut reserved = vec![label.clone()];
        let pred = match (&spec.pred, &spec.proba_prefix) {
            (Some(p), _) => {
                reserved.push(p.clone());
                Some(encode_pred(
                    find(&table, p, "prediction")?,
                    &classes,
                    source,
                )?)
            }
            (None, Some(prefix)) => {
                let cols = proba_columns(&table, prefix, classes.names())?;
                reserved.extend(cols.iter().map(|c| c.name.clone()));
                Some(argmax_rows(&cols))
            }
            (None, None) => None,
        };
        for t in &spec.truth_slices {
            find(&table, t, "truth slice")?;
            reserved.push(t.clone());
        }
        let splits = assign_splits(&table, spec, &y, forced, &mut reserved)?;
        Ok(Dataset {
            table,
            label,
            classes: classes.names().to_vec(),
            y,
            pred,
            splits,
            truth_slices: spec.truth_slices.clone(),
            reserved,
            embedding: None,
            split_col: spec.split_col.clone(),
            choice: FeatureChoice::default(),
        })
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.y.len()
    }

    /// Number of classes.
    pub fn n_classes(&self) -> usize {
        self.classes.len()
    }

    /// Row indices of one split.
    pub fn indices(&self, split: Split) -> Vec<usize> {
        super::split::indices(&self.splits, split)
    }

    /// Whether column `name` holds an outcome: the label, or an external model's prediction
    /// or probabilities. A slice on one selects by the answer, not by the input.
    pub fn is_outcome(&self, name: &str) -> bool {
        let named = |v: &[String]| v.iter().any(|n| n == name);
        name == self.label
            || (named(&self.reserved)
                && self.split_col.as_deref() != Some(name)
                && !named(&self.truth_slices)
                && !named(&self.choice.ignore))
    }

    /// Leaves the columns `patterns` name (names or globs) out of the features, as `--ignore`
    /// and the open dialog's unticked columns do; they stay in the table for slices.
    pub fn leave_out(&mut self, patterns: &[String]) -> Result<(), super::glob::NoMatch> {
        let ignored = super::glob::match_columns(&self.table, patterns)?;
        for c in &ignored {
            if !self.reserved.contains(c) {
                self.reserved.push(c.clone());
            }
        }
        self.choice.ignore = ignored;
        Ok(())
    }
}

fn find<'a>(table: &'a Table, name: &str, what: &'static str) -> Result<&'a Column, DataError> {
    table.column(name).ok_or_else(|| DataError::UnknownColumn {
        what,
        name: name.to_string(),
        source_name: table.source.clone(),
        available: table.closest_names(name, 8).join(", "),
    })
}

/// The label's classes (see [`ClassIndex`] for their order) and each row's class index.
fn encode_label(col: &Column, source: &str) -> Result<(ClassIndex, Vec<u32>), DataError> {
    let bad = |message: String| DataError::BadLabel {
        name: col.name.clone(),
        source_name: source.to_string(),
        message,
    };
    if let Some(row) = (0..col.len()).find(|&i| col.is_missing(i)) {
        return Err(bad(format!(
            "row {} (line {}) has no label",
            row + 1,
            row + 2
        )));
    }
    let classes = ClassIndex::of_column(col);
    if classes.len() < 2 {
        return Err(bad(format!(
            "needs at least two classes, found only {:?}",
            classes.names()
        )));
    }
    if classes.len() > 1000 {
        return Err(bad(format!(
            "has {} distinct values; is it really a class label?",
            classes.len()
        )));
    }
    if let Some(why) = regression_target(col, classes.len()) {
        return Err(bad(why));
    }
    // Every present value is a class by construction, so no row can fall through.
    let y = classes
        .encode(col)
        .map_err(|row| bad(format!("row {} has a value that is not a class", row + 1)))?
        .into_iter()
        .map(|c| c.unwrap_or(u32::MAX))
        .collect();
    Ok((classes, y))
}

/// Distinct values above which a numeric label is looked at as a possible regression target.
const MANY_CLASSES: usize = 20;

/// Why a numeric label with many fractional values cannot be a class label: slicelab trains
/// classifiers, and 63 classes of a continuous score train a model that is right 0.2% of the time.
fn regression_target(col: &Column, n_classes: usize) -> Option<String> {
    let values = col.as_numeric().filter(|_| n_classes > MANY_CLASSES)?;
    let fractional = values.iter().filter(|v| v.is_finite() && v.fract() != 0.0);
    let example = fractional.clone().next()?;
    Some(format!(
        "has {n_classes} distinct numeric values, {} of the rows fractional (such as {}): it \
         looks like a regression target, and slicelab trains classifiers. Pick a class label, or \
         add one made from it (a column such as `{}_high` = {} > a threshold)",
        fractional.count(),
        crate::data::table::format_number(*example),
        col.name,
        col.name
    ))
}

/// A warning for a whole-number label with many classes and few rows per class (a count or an
/// age read as classes); `None` when it looks like a real many-class label (digits, CIFAR-100).
fn many_classes_notice(col: &Column, n_classes: usize) -> Option<String> {
    let values = col.as_numeric().filter(|_| n_classes > MANY_CLASSES)?;
    let per_class = values.len() / n_classes;
    (per_class < 30).then(|| {
        format!(
            "label '{}' has {n_classes} distinct numeric values ({per_class} rows per class on \
             average): if it is a quantity rather than a class, each value is trained as its own \
             class and the scores will be low; bin it into a few classes",
            col.name
        )
    })
}

/// Each row's predicted class; a missing prediction becomes `u32::MAX` (always wrong), and a
/// value that is not one of the label's classes is an error naming it.
fn encode_pred(col: &Column, classes: &ClassIndex, source: &str) -> Result<Vec<u32>, DataError> {
    match classes.encode(col) {
        Ok(codes) => Ok(codes.into_iter().map(|c| c.unwrap_or(u32::MAX)).collect()),
        Err(row) => Err(DataError::BadPrediction {
            name: col.name.clone(),
            source_name: source.to_string(),
            row: row + 1,
            value: col.display(row),
            classes: classes.names().join(", "),
        }),
    }
}

fn proba_columns<'a>(
    table: &'a Table,
    prefix: &str,
    classes: &[String],
) -> Result<Vec<&'a Column>, DataError> {
    classes
        .iter()
        .map(|c| find(table, &format!("{prefix}{c}"), "probability"))
        .collect()
}

fn argmax_rows(cols: &[&Column]) -> Vec<u32> {
    let n = cols.first().map_or(0, |c| c.len());
    (0..n)
        .map(|i| {
            let vals = cols
                .iter()
                .map(|c| c.as_numeric().map_or(f64::NAN, |v| v[i]));
            let best = vals
                .enumerate()
                .filter(|(_, p)| !p.is_nan())
                .max_by(|a, b| a.1.total_cmp(&b.1));
            best.map_or(u32::MAX, |(j, _)| j as u32)
        })
        .collect()
}

fn assign_splits(
    table: &Table,
    spec: &DatasetSpec,
    y: &[u32],
    forced: &[Option<Split>],
    reserved: &mut Vec<String>,
) -> Result<Vec<Split>, DataError> {
    if let Some(name) = &spec.split_col {
        let col = find(table, name, "split")?;
        reserved.push(name.clone());
        return (0..col.len())
            .map(|i| {
                Split::parse(&col.display(i)).ok_or_else(|| DataError::Malformed {
                    path: table.source.clone().into(),
                    message: format!(
                        "line {}, column '{name}': '{}' is not train/valid/test",
                        i + 2,
                        col.display(i)
                    ),
                })
            })
            .collect();
    }
    let has_valid = forced.contains(&Some(Split::Valid));
    let has_test = forced.contains(&Some(Split::Test));
    let (train_frac, valid_frac) = spec.fractions;
    let free: Vec<usize> = (0..y.len())
        .filter(|&i| forced[i].is_none() || forced[i] == Some(Split::Train))
        .collect();
    // Re-split only the rows whose split is not fixed by a file of their own.
    let (t, v) = match (has_valid, has_test) {
        (true, true) => (1.0, 0.0),
        (false, true) => (
            train_frac / (train_frac + valid_frac),
            valid_frac / (train_frac + valid_frac),
        ),
        (true, false) => (train_frac / (1.0 - valid_frac), 0.0),
        (false, false) => (train_frac, valid_frac),
    };
    let sub_y: Vec<u32> = free.iter().map(|&i| y[i]).collect();
    let sub = stratified_split(&sub_y, t, v, spec.seed);
    let mut out: Vec<Split> = forced.iter().map(|f| f.unwrap_or(Split::Train)).collect();
    for (k, &i) in free.iter().enumerate() {
        out[i] = sub[k];
    }
    Ok(out)
}
