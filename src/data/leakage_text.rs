//! The column warnings as text: one line per kind of warning, naming the columns and how to
//! leave them out, in the words of the CLI (`--ignore`) or of the app (its buttons).

use super::containment::CONTAIN;
use super::leakage::ColumnWarning;

/// How a warning tells the user to leave columns out: the CLI's flag, or the app's action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Advice {
    /// `--ignore a,b`.
    Cli,
    /// The open dialog's type menu.
    App,
}

impl Advice {
    /// "leave it out with …" for `columns`.
    fn leave_out(self, columns: &[&str]) -> String {
        match self {
            Advice::Cli => format!("leave it out with --ignore {}", columns.join(",")),
            Advice::App => format!(
                "press Leave these out (or untick {} under Features when you open the file)",
                columns.join(", ")
            ),
        }
    }
}

/// One line per kind of warning, naming the columns and the flag that leaves them out.
pub fn warning_lines(warnings: &[ColumnWarning]) -> Vec<String> {
    warning_lines_for(warnings, Advice::Cli)
}

/// [`warning_lines`] with the advice for `face`.
pub fn warning_lines_for(warnings: &[ColumnWarning], face: Advice) -> Vec<String> {
    warning_groups(warnings, face)
        .into_iter()
        .map(|g| g.line)
        .collect()
}

/// One line of warnings and the columns it advises leaving out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarningGroup {
    /// The line, with the advice for its face.
    pub line: String,
    /// The columns it names, in table order.
    pub columns: Vec<String>,
}

/// The warnings as one group per kind: leakage, an outcome tracked, an outcome's date,
/// identifiers.
pub fn warning_groups(warnings: &[ColumnWarning], face: Advice) -> Vec<WarningGroup> {
    (0..GROUPS)
        .filter_map(|g| {
            let members: Vec<&ColumnWarning> =
                warnings.iter().filter(|w| group_of(w) == g).collect();
            if members.is_empty() {
                return None;
            }
            let details: Vec<String> = members.iter().map(|w| detail(w)).collect();
            let names: Vec<&str> = members.iter().map(|w| w.column()).collect();
            Some(WarningGroup {
                line: group_line(g, &details, &names, face),
                columns: names.iter().map(|c| c.to_string()).collect(),
            })
        })
        .collect()
}

/// How many kinds of warning [`warning_groups`] tells apart.
const GROUPS: usize = 4;

/// A warning's group, in the order the groups are listed.
fn group_of(w: &ColumnWarning) -> usize {
    match w {
        ColumnWarning::Leakage { .. } => 0,
        ColumnWarning::Containment { .. } => 1,
        ColumnWarning::RecordedAfter { .. } => 2,
        ColumnWarning::Identifier { .. } => 3,
    }
}

/// A warning's part of its group's line.
fn detail(w: &ColumnWarning) -> String {
    let pct = |x: f64| format!("{:.1}%", 100.0 * x);
    match w {
        ColumnWarning::Leakage {
            column,
            measure,
            score,
        } => format!("{column} ({measure} {score:.3})"),
        ColumnWarning::Containment {
            column,
            value,
            class,
            holds,
            others,
            ..
        } if *holds >= CONTAIN => format!(
            "{column} = {value} on {} of the rows labelled {class} and on only {} of the others",
            pct(*holds),
            pct(*others)
        ),
        ColumnWarning::Containment {
            column,
            value,
            class,
            holds,
            purity,
            ..
        } => format!(
            "{column} = {value} on {} of the rows labelled {class}, and {} of its rows are \
             labelled {class}",
            pct(*holds),
            pct(*purity)
        ),
        ColumnWarning::RecordedAfter {
            column,
            after,
            class,
            holds,
            others,
        } => format!(
            "{column} (after {after}; recorded on {} of the rows labelled {class} and {} of the \
             others)",
            pct(*holds),
            pct(*others)
        ),
        ColumnWarning::Identifier { column } => column.clone(),
    }
}

/// Group `g`'s line around its members' `details`, naming the columns `names` in the advice.
fn group_line(g: usize, details: &[String], names: &[&str], face: Advice) -> String {
    let n = details.len();
    let advice = face.leave_out(names);
    match g {
        0 => format!(
            "{} the label almost perfectly on the training rows by itself: {}; if it is \
             known only with the answer (leakage), {advice}",
            plural(n, "column predicts", "columns each predict"),
            details.join(", "),
        ),
        1 => format!(
            "{} as if recorded with the answer: {}; a column known only after the outcome \
             (another outcome flag, its date or cause) hands the model the label, {advice}",
            plural(n, "column tracks the label", "columns track the label"),
            details.join("; "),
        ),
        2 => format!(
            "{} after the table's other dates and recorded almost only for one class, as the \
             outcome's own date would be: {}; {advice}",
            plural(n, "date column comes", "date columns come"),
            details.join("; "),
        ),
        _ => format!(
            "{} like a row identifier (unique integers in row order): {}; a model learns \
             nothing general from it, {advice}",
            plural(n, "column looks", "columns each look"),
            details.join(", "),
        ),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}
