//! Reading a counts table (`slice,label,pred,count`, as the counts query returns it) back into
//! confusion matrices.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::error::CountsError;
use super::query::COUNTS_COLUMNS;
use crate::data::Split;
use crate::data::classes::ClassIndex;
use crate::metrics::from_counts::counts_report;
use crate::metrics::{Confusion, Metric, ReportSpec, SplitReport};

/// One row of a counts table, with the line it was on.
#[derive(Debug, Clone)]
struct Cell {
    line: u64,
    slice: String,
    label: String,
    pred: String,
    count: u64,
}

impl Cell {
    /// A cell from its fields `[slice, label, pred, count]` on `line` of `path`.
    fn new(path: &Path, line: u64, fields: [String; 4]) -> Result<Self, CountsError> {
        let [slice, label, pred, count] = fields;
        let count_text = count.trim();
        let count = parse_count(count_text).ok_or_else(|| {
            let msg = format!("'{count_text}' is not a count (a whole number >= 0)");
            err(path, Some(line), Some("count"), msg)
        })?;
        Ok(Self {
            line,
            slice,
            label: label.trim().to_string(),
            pred: pred.trim().to_string(),
            count,
        })
    }
}

/// A counts table: `overall` and each slice's (label, prediction) counts.
#[derive(Debug, Clone)]
pub struct Counts {
    path: PathBuf,
    cells: Vec<Cell>,
    /// Slice names other than `overall`, in order of first appearance.
    pub slices: Vec<String>,
}

/// The confusion matrices of a counts table over one set of classes.
#[derive(Debug, Clone)]
pub struct CountsConfusions {
    /// Class names, in class-index order.
    pub classes: Vec<String>,
    /// All rows.
    pub overall: Confusion,
    /// Each slice, in [`Counts::slices`] order.
    pub slices: Vec<(String, Confusion)>,
}

impl Counts {
    /// Reads a CSV counts table whose header names `slice`, `label`, `pred` and `count`.
    pub fn read(path: &Path) -> Result<Self, CountsError> {
        let text = std::fs::read_to_string(path).map_err(|e| err(path, None, None, e))?;
        Self::parse(&text, path)
    }

    /// Parses CSV text; `path` names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Self, CountsError> {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(text.as_bytes());
        let header = reader
            .headers()
            .map_err(|e| err(path, Some(1), None, e))?
            .clone();
        let at = |name: &str| {
            header
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(name))
                .ok_or_else(|| {
                    err(
                        path,
                        Some(1),
                        None,
                        format!(
                            "no column '{name}'; a counts table has the columns {}",
                            COUNTS_COLUMNS.join(",")
                        ),
                    )
                })
        };
        let idx = [at("slice")?, at("label")?, at("pred")?, at("count")?];
        let mut cells = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| {
                let line = e.position().map(csv::Position::line);
                err(path, line, None, e)
            })?;
            let line = record.position().map_or(0, csv::Position::line);
            let mut fields = idx.iter().zip(COUNTS_COLUMNS).map(|(&i, name)| {
                record
                    .get(i)
                    .map(str::to_string)
                    .ok_or_else(|| err(path, Some(line), Some(name), "missing value"))
            });
            let mut next = || fields.next().unwrap_or_else(|| Ok(String::new()));
            cells.push(Cell::new(path, line, [next()?, next()?, next()?, next()?])?);
        }
        Self::from_cells(path, cells)
    }

    /// A counts table from an engine's result rows `[slice, label, pred, count]` (missing
    /// values as empty text); `source` names it in errors, and a row's "line" is its position
    /// plus one.
    pub fn from_rows(source: &str, rows: Vec<[String; 4]>) -> Result<Self, CountsError> {
        let path = Path::new(source);
        let cells = rows
            .into_iter()
            .enumerate()
            .map(|(i, row)| Cell::new(path, i as u64 + 1, row))
            .collect::<Result<Vec<_>, _>>()?;
        Self::from_cells(path, cells)
    }

    /// The table of `cells`, which must hold `overall`.
    fn from_cells(path: &Path, cells: Vec<Cell>) -> Result<Self, CountsError> {
        let mut slices: Vec<String> = Vec::new();
        for c in &cells {
            if c.slice != "overall" && !slices.contains(&c.slice) {
                slices.push(c.slice.clone());
            }
        }
        if !cells.iter().any(|c| c.slice == "overall") {
            return Err(err(path, None, Some("slice"), "no 'overall' rows"));
        }
        Ok(Self {
            path: path.to_path_buf(),
            cells,
            slices,
        })
    }

    /// The confusion matrices, over `classes` when given, else over the labels of `overall`
    /// (ordered as slicelab orders a label column's classes). An empty prediction counts as
    /// wrong, as a missing prediction does in memory; an empty label is an error.
    pub fn confusions(&self, classes: Option<&[String]>) -> Result<CountsConfusions, CountsError> {
        let index = match classes {
            Some(list) => ClassIndex::of_values(list.iter().map(String::as_str)),
            None => ClassIndex::of_values(
                self.cells
                    .iter()
                    .filter(|c| c.slice == "overall" && !c.label.is_empty())
                    .map(|c| c.label.as_str()),
            ),
        };
        let k = index.len();
        let mut by_slice: HashMap<&str, Confusion> = HashMap::new();
        for cell in &self.cells {
            let at = |col, msg: String| err(&self.path, Some(cell.line), Some(col), msg);
            if cell.label.is_empty() {
                return Err(at("label", "no label".into()));
            }
            let t = index.lookup(&cell.label).ok_or_else(|| {
                at(
                    "label",
                    format!(
                        "'{}' is not one of the classes {:?}",
                        cell.label,
                        index.names()
                    ),
                )
            })?;
            let p = index.lookup(&cell.pred).unwrap_or(u32::MAX);
            let c = by_slice
                .entry(cell.slice.as_str())
                .or_insert_with(|| Confusion::new(k));
            let (t, p) = (t as usize, p as usize);
            if p < k {
                c.counts[t * k + p] += cell.count;
            } else {
                c.unknown[t] += cell.count;
            }
        }
        let mut take = |name: &str| by_slice.remove(name).unwrap_or_else(|| Confusion::new(k));
        let overall = take("overall");
        let slices = self.slices.iter().map(|s| (s.clone(), take(s))).collect();
        Ok(CountsConfusions {
            classes: index.names().to_vec(),
            overall,
            slices,
        })
    }
}

impl CountsConfusions {
    /// The per-slice report of these counts (split `test`, as `eval` reports), flagging by
    /// `metric` (default: the task's), from the same library code as the in-memory report.
    pub fn report(self, metric: Option<Metric>) -> SplitReport {
        let spec = ReportSpec::new(&self.classes).with_metric(metric);
        counts_report(self.overall, self.slices, Split::Test, &spec)
    }
}

/// A whole number, also when an engine wrote it as `12.0`.
fn parse_count(s: &str) -> Option<u64> {
    s.parse::<u64>().ok().or_else(|| {
        let x: f64 = s.parse().ok()?;
        (x >= 0.0 && x.fract() == 0.0 && x < 2f64.powi(63)).then_some(x as u64)
    })
}

fn err(
    path: &Path,
    line: Option<u64>,
    column: Option<&str>,
    message: impl ToString,
) -> CountsError {
    CountsError {
        path: path.to_path_buf(),
        line,
        column: column.map(str::to_string),
        message: message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_become_confusions() {
        let text = "slice,label,pred,count\noverall,0,0,5\noverall,1,0,2\noverall,1,,1\n\
                    a,1,0,2\na,0,0,0\n";
        let c = Counts::parse(text, Path::new("c.csv")).unwrap();
        let m = c.confusions(None).unwrap();
        assert_eq!(m.classes, ["0", "1"]);
        assert_eq!(m.overall.counts, [5, 0, 2, 0]);
        assert_eq!(m.overall.unknown, [0, 1]);
        assert_eq!(m.slices[0].1.counts, [0, 0, 2, 0]);
    }

    #[test]
    fn errors_name_file_line_and_column() {
        let text = "slice,label,pred,count\noverall,0,0,5\noverall,1,0,x\n";
        let e = Counts::parse(text, Path::new("c.csv")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "c.csv: line 3, column 'count': 'x' is not a count (a whole number >= 0)"
        );
        let e = Counts::parse("slice,label,count\n", Path::new("c.csv")).unwrap_err();
        assert!(e.to_string().contains("no column 'pred'"), "{e}");
    }
}
