//! Auto-completion in the slice expression editor: what is being typed at the cursor (a column
//! name, or a value of a column after `col = '`), the candidates for it, and the text once one
//! is accepted. Positions are byte offsets into the expression.

use super::builder::{ident, string_literal};

/// What the word before the cursor is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Completing {
    /// A bare word that may start a column name: it spans `start..cursor`.
    Column {
        /// Where the word starts.
        start: usize,
        /// The word so far.
        prefix: String,
    },
    /// The inside of a string after `col =`, `col <>` or `col IN (..`: from the opening quote
    /// at `start` to the cursor.
    Value {
        /// The column compared with.
        column: String,
        /// Where the opening quote is.
        start: usize,
        /// The value typed so far (after the quote).
        prefix: String,
    },
}

/// Most candidates offered at once.
pub const MAX_CANDIDATES: usize = 8;

/// What is being typed at byte offset `cursor` of `text`; `None` where nothing is completed
/// (inside a number, after a space, in a string not compared with a column).
pub fn completing_at(text: &str, cursor: usize) -> Option<Completing> {
    let before = text.get(..cursor)?;
    if let Some(q) = open_quote(before) {
        let column = compared_column(&before[..q])?;
        return Some(Completing::Value {
            column,
            start: q,
            prefix: before[q + 1..].replace("''", "'"),
        });
    }
    let start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphanumeric() || *c == '_')
        .last()
        .map(|(i, _)| i)?;
    let prefix = &before[start..];
    let starts_word = prefix.chars().next().is_some_and(|c| !c.is_ascii_digit());
    let after_ident = before[..start].ends_with('"');
    (starts_word && !after_ident).then(|| Completing::Column {
        start,
        prefix: prefix.to_string(),
    })
}

/// The offset of the `'` that opens a string still open at the end of `text`.
fn open_quote(text: &str) -> Option<usize> {
    let mut open = None;
    for (i, c) in text.char_indices() {
        if c == '\'' {
            open = if open.is_some() { None } else { Some(i) };
        }
    }
    // `''` inside a string closes and reopens it, which leaves the first quote open: right.
    open
}

/// The column a string starting after `head` is compared with: `col =`, `col <>`, `col !=`,
/// or `col IN (` / `col NOT IN ('a', `.
fn compared_column(head: &str) -> Option<String> {
    let h = head.trim_end();
    let rest = if let Some(r) = (["<>", "!=", "="].iter()).find_map(|op| h.strip_suffix(op)) {
        r
    } else if h.ends_with('(') || h.ends_with(',') {
        let open = h.rfind('(')?;
        let r = h[..open].trim_end();
        let upper = r.to_ascii_uppercase();
        if !upper.ends_with(" IN") {
            return None;
        }
        let r = r[..r.len() - 2].trim_end();
        let upper = r.to_ascii_uppercase();
        if upper.ends_with(" NOT") {
            &r[..r.len() - 3]
        } else {
            r
        }
    } else {
        return None;
    };
    last_ident(rest.trim_end())
}

/// The identifier at the end of `text`: `"quoted ""name"""` or a bare word.
fn last_ident(text: &str) -> Option<String> {
    if let Some(inner) = text.strip_suffix('"') {
        let open = inner.rfind('"')?;
        return Some(inner[open + 1..].to_string());
    }
    let start = text
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphanumeric() || *c == '_')
        .last()
        .map(|(i, _)| i)?;
    Some(text[start..].to_string())
}

/// Up to [`MAX_CANDIDATES`] of `options` for `prefix`: those starting with it first, then those
/// containing it (case-insensitive), in the order given; an exact match alone offers nothing.
/// An empty prefix offers the first options (for values, the most frequent).
pub fn candidates<'a>(prefix: &str, options: impl Iterator<Item = &'a str> + Clone) -> Vec<String> {
    let p = prefix.to_lowercase();
    if options.clone().any(|o| o == prefix) && !prefix.is_empty() {
        return Vec::new();
    }
    let starts = options.clone().filter(|o| o.to_lowercase().starts_with(&p));
    let contains = options.filter(|o| {
        let l = o.to_lowercase();
        !l.starts_with(&p) && l.contains(&p)
    });
    starts
        .chain(contains)
        .take(MAX_CANDIDATES)
        .map(str::to_string)
        .collect()
}

/// `text` with `choice` accepted at `cursor` for `what`: the word replaced by the (quoted)
/// column name, or the value written as a closed string. Returns the text and the cursor after
/// the insertion.
pub fn accept(text: &str, cursor: usize, what: &Completing, choice: &str) -> (String, usize) {
    let (start, insert) = match what {
        Completing::Column { start, .. } => (*start, ident(choice)),
        Completing::Value { start, .. } => (*start, string_literal(choice)),
    };
    let mut rest = text.get(cursor..).unwrap_or("");
    // A quote the editor already closed is replaced, not doubled.
    if matches!(what, Completing::Value { .. })
        && let Some(r) = rest.strip_prefix('\'')
    {
        rest = r;
    }
    let head = text.get(..start).unwrap_or("");
    (format!("{head}{insert}{rest}"), start + insert.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at_end(text: &str) -> Option<Completing> {
        completing_at(text, text.len())
    }

    #[test]
    fn finds_what_is_typed() {
        assert_eq!(
            at_end("x1 > 0 AND ag"),
            Some(Completing::Column {
                start: 11,
                prefix: "ag".into()
            })
        );
        assert_eq!(at_end("x1 > 0.5"), None);
        assert_eq!(at_end("x1 > "), None);
        assert_eq!(
            at_end("race = 'Bl"),
            Some(Completing::Value {
                column: "race".into(),
                start: 7,
                prefix: "Bl".into()
            })
        );
        let quoted = at_end("\"my col\" <> '");
        assert!(matches!(quoted, Some(Completing::Value { column, .. }) if column == "my col"));
        let list = at_end("race NOT IN ('a', 'b");
        assert!(
            matches!(list, Some(Completing::Value { column, prefix, .. })
            if column == "race" && prefix == "b")
        );
        assert_eq!(at_end("note LIKE 'ab"), None);
        assert_eq!(
            at_end("race = 'a' AND x"),
            Some(Completing::Column {
                start: 15,
                prefix: "x".into()
            })
        );
    }

    #[test]
    fn candidates_prefer_prefixes() {
        let cols = ["sex", "age", "marital_status", "Stage"];
        let got = candidates("s", cols.iter().copied());
        assert_eq!(got, vec!["sex", "Stage", "marital_status"]);
        assert!(candidates("age", cols.iter().copied()).is_empty());
        assert_eq!(candidates("", cols.iter().copied()).len(), 4);
    }

    #[test]
    fn accepting_quotes_what_it_writes() {
        let text = "x1 > 0 AND ma";
        let what = at_end(text).unwrap();
        let (t, c) = accept(text, text.len(), &what, "marital status");
        assert_eq!(t, "x1 > 0 AND \"marital status\"");
        assert_eq!(c, t.len());
        let text = "race = 'O'";
        let what = completing_at(text, 9).unwrap();
        let (t, c) = accept(text, 9, &what, "O'Neil");
        assert_eq!(t, "race = 'O''Neil'");
        assert_eq!(c, t.len());
    }
}
