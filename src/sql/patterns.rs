//! Regular expressions and `LIKE` patterns as each dialect must be given them to match exactly
//! what slicelab's evaluator matches.

use super::dialect::Dialect;
use crate::slices::text::{NEGATION_PATTERN, QUESTION_PATTERN};

/// Unicode `White_Space`, the characters Rust's `split_whitespace` and `trim` split on, spelled
/// out so that RE2 (ASCII `\s`) and Java (ASCII `\s` without `(?U)`) use the same set.
pub const WHITESPACE_CLASS: &str = r"\x{9}-\x{D}\x{20}\x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}";

/// One word as `WORD_COUNT` counts them: a run of characters that are not white space.
pub fn word_pattern() -> String {
    format!("[^{WHITESPACE_CLASS}]+")
}

/// Leading or trailing white space, as `TRIM` removes it.
pub fn trim_pattern() -> String {
    format!("^[{WHITESPACE_CLASS}]+|[{WHITESPACE_CLASS}]+$")
}

/// A user's `REGEXP_LIKE` pattern for `dialect`, or the construct it cannot express.
///
/// DataFusion uses Rust's `regex` crate, as slicelab does. Java is put in Unicode mode (`(?U)`)
/// so that `\w`, `\s`, `\b` and case folding follow Unicode as Rust's do; RE2's classes stay ASCII.
pub fn user_regex(pattern: &str, dialect: Dialect) -> Result<String, String> {
    match dialect {
        Dialect::DataFusion | Dialect::DuckDb => Ok(pattern.to_string()),
        Dialect::Spark if pattern.contains("(?P<") => Err(format!(
            "the named group '(?P<...>)' in REGEXP_LIKE pattern '{pattern}' (Java regular \
             expressions spell it '(?<...>)')"
        )),
        Dialect::Spark => Ok(format!("(?U){pattern}")),
    }
}

/// `IS_QUESTION`'s pattern for `dialect`.
pub fn question(dialect: Dialect) -> String {
    match dialect {
        Dialect::DataFusion => QUESTION_PATTERN.to_string(),
        Dialect::Spark => format!("(?U){QUESTION_PATTERN}"),
        Dialect::DuckDb => QUESTION_PATTERN.replace(r"\s", &format!("[{WHITESPACE_CLASS}]")),
    }
}

/// `HAS_NEGATION`'s pattern for `dialect`.
pub fn negation(dialect: Dialect) -> String {
    match dialect {
        Dialect::DataFusion | Dialect::DuckDb => NEGATION_PATTERN.to_string(),
        Dialect::Spark => format!("(?U){NEGATION_PATTERN}"),
    }
}

/// A slicelab `LIKE` pattern rewritten so that only `%` and `_` are wildcards and a backslash
/// escapes exactly the characters that need it (slicelab drops a trailing lone backslash, and
/// lets it escape any character).
pub fn like_pattern(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        let literal = match c {
            '%' | '_' => {
                out.push(c);
                continue;
            }
            '\\' => match chars.next() {
                Some(next) => next,
                None => break,
            },
            other => other,
        };
        if matches!(literal, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(literal);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_are_normalised() {
        assert_eq!(like_pattern(r"100\%"), r"100\%");
        assert_eq!(like_pattern(r"a\bc\"), "abc");
        assert_eq!(like_pattern(r"x\\y_%"), r"x\\y_%");
    }

    #[test]
    fn helper_patterns_compile_and_agree_on_ascii() {
        for d in Dialect::ALL {
            let q = regex::Regex::new(&question(d).replace("(?U)", "")).unwrap();
            assert!(q.is_match("why\u{3000}not") && q.is_match("ok ?\u{a0}"));
        }
        let words = regex::Regex::new(&word_pattern()).unwrap();
        let text = " a\u{2003}b\tc  ";
        assert_eq!(
            words.find_iter(text).count(),
            text.split_whitespace().count()
        );
    }
}
