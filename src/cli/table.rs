//! Plain-text tables for the terminal.

/// A table of strings printed with aligned columns.
pub struct TextTable {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl TextTable {
    /// A table with the given column titles.
    pub fn new<S: Into<String>>(header: impl IntoIterator<Item = S>) -> Self {
        Self {
            header: header.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row.
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// Renders with two spaces between columns; numbers are right-aligned.
    pub fn render(&self) -> String {
        let n = self.header.len();
        let width = |c: usize| {
            self.rows
                .iter()
                .chain(std::iter::once(&self.header))
                .map(|r| r.get(c).map_or(0, |s| s.chars().count()))
                .max()
                .unwrap_or(0)
        };
        let widths: Vec<usize> = (0..n).map(width).collect();
        let line = |r: &Vec<String>| {
            let cells: Vec<String> = (0..n)
                .map(|c| {
                    let s = r.get(c).cloned().unwrap_or_default();
                    let numeric = c > 0
                        && s.trim_start_matches(['+', '-'])
                            .starts_with(|ch: char| ch.is_ascii_digit());
                    if numeric {
                        format!("{s:>w$}", w = widths[c])
                    } else {
                        format!("{s:<w$}", w = widths[c])
                    }
                })
                .collect();
            cells.join("  ").trim_end().to_string()
        };
        let mut out = line(&self.header);
        out.push('\n');
        out.push_str(
            &widths
                .iter()
                .map(|w| "-".repeat(*w))
                .collect::<Vec<_>>()
                .join("  "),
        );
        for r in &self.rows {
            out.push('\n');
            out.push_str(&line(r));
        }
        out
    }
}
