//! The SQL dialects slices compile to: how each quotes names and strings, and spells the few
//! functions whose names differ.

use std::fmt;
use std::str::FromStr;

/// An SQL engine's dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dialect {
    /// Apache DataFusion (Rust `regex` semantics, like slicelab's own).
    #[default]
    DataFusion,
    /// Spark SQL 3.3 or later (Java regular expressions; default string-literal escaping).
    Spark,
    /// DuckDB (RE2 regular expressions).
    DuckDb,
}

impl Dialect {
    /// Every dialect, in the order help texts list them.
    pub const ALL: [Dialect; 3] = [Dialect::DataFusion, Dialect::Spark, Dialect::DuckDb];

    /// The name `--dialect` takes.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::DataFusion => "datafusion",
            Dialect::Spark => "spark",
            Dialect::DuckDb => "duckdb",
        }
    }

    /// A quoted identifier: always quoted, since DataFusion folds unquoted names to lower case.
    pub fn ident(self, name: &str) -> String {
        match self {
            Dialect::Spark => format!("`{}`", name.replace('`', "``")),
            Dialect::DataFusion | Dialect::DuckDb => format!("\"{}\"", name.replace('"', "\"\"")),
        }
    }

    /// A string literal holding exactly `s`.
    ///
    /// Spark unescapes backslashes in literals, and reads `'a''b'` as two adjacent literals
    /// (`ab`): there a backslash is doubled and a quote written as the `\u0027` escape.
    pub fn string(self, s: &str) -> String {
        match self {
            Dialect::Spark => {
                let mut out = String::with_capacity(s.len() + 2);
                out.push('\'');
                for c in s.chars() {
                    match c {
                        '\\' => out.push_str("\\\\"),
                        '\'' => out.push_str("\\u0027"),
                        c => out.push(c),
                    }
                }
                out.push('\'');
                out
            }
            Dialect::DataFusion | Dialect::DuckDb => format!("'{}'", s.replace('\'', "''")),
        }
    }

    /// The text type's name in `CAST(x AS ...)`.
    pub fn text_type(self) -> &'static str {
        match self {
            Dialect::Spark => "STRING",
            Dialect::DataFusion | Dialect::DuckDb => "VARCHAR",
        }
    }

    /// The function counting a string's characters (Unicode scalar values).
    pub fn char_length(self) -> &'static str {
        match self {
            Dialect::Spark => "char_length",
            Dialect::DataFusion => "character_length",
            Dialect::DuckDb => "length",
        }
    }

    /// Whether `text` (SQL) matches regular expression `pattern` anywhere, written natively.
    pub fn regex_match(self, text: &str, pattern: &str) -> String {
        match self {
            Dialect::Spark => format!("({text} RLIKE {})", self.string(pattern)),
            Dialect::DataFusion => format!("regexp_like({text}, {})", self.string(pattern)),
            Dialect::DuckDb => format!("regexp_matches({text}, {})", self.string(pattern)),
        }
    }

    /// The number of non-overlapping matches of `pattern` in `text` (NULL for a NULL text).
    pub fn regex_count(self, text: &str, pattern: &str) -> String {
        match self {
            Dialect::DataFusion => format!("regexp_count({text}, {})", self.string(pattern)),
            Dialect::DuckDb => format!("len(regexp_extract_all({text}, {}))", self.string(pattern)),
            // `size(NULL)` is -1 under Spark's default settings, hence the guard.
            Dialect::Spark => format!(
                "(CASE WHEN {text} IS NOT NULL THEN size(regexp_extract_all({text}, {}, 1)) END)",
                self.string(&format!("({pattern})"))
            ),
        }
    }

    /// `text` with every match of `pattern` replaced by nothing.
    pub fn regex_remove(self, text: &str, pattern: &str) -> String {
        let p = self.string(pattern);
        match self {
            Dialect::Spark => format!("regexp_replace({text}, {p}, '')"),
            Dialect::DataFusion | Dialect::DuckDb => {
                format!("regexp_replace({text}, {p}, '', 'g')")
            }
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Dialect {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Dialect::ALL
            .into_iter()
            .find(|d| d.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| format!("unknown dialect '{s}'; expected datafusion, spark or duckdb"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_per_dialect() {
        assert_eq!(Dialect::Spark.ident("a`b"), "`a``b`");
        assert_eq!(Dialect::DuckDb.ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(Dialect::DuckDb.string("O'Neil\\"), "'O''Neil\\'");
        assert_eq!(Dialect::Spark.string("O'Neil\\"), "'O\\u0027Neil\\\\'");
        assert_eq!("DuckDB".parse::<Dialect>(), Ok(Dialect::DuckDb));
    }
}
