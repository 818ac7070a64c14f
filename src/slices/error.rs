//! Errors of slice parsing, type checking, evaluation and slice files.

use std::path::PathBuf;

/// A problem inside one expression, with the character span it concerns (1-based, inclusive start).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprError {
    /// What is wrong, including what was expected.
    pub message: String,
    /// 1-based character position within `line` where the problem starts.
    pub column: usize,
    /// Number of characters to underline (at least 1).
    pub width: usize,
    /// 1-based line of the expression the problem is on (1 for one-line expressions).
    pub line: usize,
}

impl ExprError {
    /// A new error on line 1 at character `column`, spanning `width` characters.
    pub fn new(message: impl Into<String>, column: usize, width: usize) -> Self {
        Self {
            message: message.into(),
            column: column.max(1),
            width: width.max(1),
            line: 1,
        }
    }

    /// The same error on 1-based `line` of the expression.
    #[must_use]
    pub fn on_line(mut self, line: usize) -> Self {
        self.line = line.max(1);
        self
    }

    /// Where the problem starts, in words: `character 7`, or `line 2, character 7` when `expr`
    /// has several lines.
    pub fn position(&self, expr: &str) -> String {
        if expr.lines().count() > 1 {
            format!("line {}, character {}", self.line, self.column)
        } else {
            format!("character {}", self.column)
        }
    }

    /// 0-based character index in the whole of `expr` where the problem starts (for underlining).
    pub fn char_index(&self, expr: &str) -> usize {
        let before: usize = expr
            .split('\n')
            .take(self.line - 1)
            .map(|l| l.chars().count() + 1)
            .sum();
        before + self.column - 1
    }

    /// The expression's offending line with a caret line under the offending span.
    pub fn render(&self, expr: &str) -> String {
        let text = expr.split('\n').nth(self.line - 1).unwrap_or(expr);
        let text = text.strip_suffix('\r').unwrap_or(text);
        let pad = " ".repeat(self.column - 1);
        format!("  {text}\n  {pad}{}", "^".repeat(self.width))
    }
}

/// Errors about slices and slice sets.
#[derive(Debug, thiserror::Error)]
pub enum SliceError {
    /// An expression failed to parse or type-check.
    #[error("slice '{name}': {} at {}\n{}", error.message, error.position(expr), error.render(expr))]
    Expr {
        /// The slice's name.
        name: String,
        /// The expression text.
        expr: String,
        /// Where and what.
        error: ExprError,
    },
    /// Slices refer to each other in a cycle.
    #[error("slices refer to each other in a cycle: {0}")]
    Cycle(String),
    /// A chain of slices referring to each other is deeper than the limit.
    #[error(
        "slice '{name}' starts a chain of more than {limit} slices referring to each other; \
         at most {limit} levels are allowed"
    )]
    ReferencesTooDeep {
        /// The slice the chain starts from.
        name: String,
        /// [`super::set::MAX_REFERENCE_DEPTH`].
        limit: usize,
    },
    /// Two slices share a name.
    #[error("two slices are named '{0}'; names must be unique")]
    DuplicateName(String),
    /// A slice file could not be read or written.
    #[error("{path}: {message}")]
    File {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}
