//! What the app tells the user about the data it opened: notes (how a file was read, renames)
//! and warnings (leakage, identifiers), listed in a panel that wraps and can be dismissed, apart
//! from the red banner that errors keep.

/// How serious a notice is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    /// What the loader decided (delimiter, header, renames): worth knowing, nothing wrong.
    Note,
    /// Something that may make the scores wrong (a column recorded with the answer).
    Warning,
}

/// One notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// Note or warning.
    pub kind: NoticeKind,
    /// The whole text, never cut.
    pub text: String,
}

/// The notices of a freshly loaded dataset: its loader's notes, then the lines of `lines` that
/// start with `warning: ` (the feature plan's other lines stay in the log).
pub fn of_load(notes: &[String], lines: &[String]) -> Vec<Notice> {
    let notes = notes.iter().map(|n| Notice {
        kind: NoticeKind::Note,
        text: n.clone(),
    });
    let warnings = lines
        .iter()
        .filter_map(|l| l.strip_prefix("warning: "))
        .map(|w| Notice {
            kind: NoticeKind::Warning,
            text: w.to_string(),
        });
    // Warnings first: they are the ones that change what the numbers mean.
    warnings.chain(notes).collect()
}
