//! Errors of slice parsing, type checking, evaluation and slice files.

use std::path::PathBuf;

/// A problem inside one expression, with the character span it concerns (1-based, inclusive start).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprError {
    /// What is wrong, including what was expected.
    pub message: String,
    /// 1-based character column where the problem starts.
    pub column: usize,
    /// Number of characters to underline (at least 1).
    pub width: usize,
}

impl ExprError {
    /// A new error at `column` spanning `width` characters.
    pub fn new(message: impl Into<String>, column: usize, width: usize) -> Self {
        Self {
            message: message.into(),
            column: column.max(1),
            width: width.max(1),
        }
    }

    /// The expression with a caret line under the offending span.
    pub fn render(&self, expr: &str) -> String {
        let pad = " ".repeat(self.column - 1);
        format!("  {expr}\n  {pad}{}", "^".repeat(self.width))
    }
}

/// Errors about slices and slice sets.
#[derive(Debug, thiserror::Error)]
pub enum SliceError {
    /// An expression failed to parse or type-check.
    #[error("slice '{name}': {} at column {}\n{}", error.message, error.column, error.render(expr))]
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
