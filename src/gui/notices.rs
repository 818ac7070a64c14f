//! What the app tells the user about the data it opened: notes (how a file was read, renames)
//! and warnings (leakage, identifiers), listed in a panel that wraps and can be dismissed, apart
//! from the red banner that errors keep.

use crate::data::leakage::WarningGroup;

/// How serious a notice is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    /// What the loader decided (delimiter, header, renames): worth knowing, nothing wrong.
    Note,
    /// Something that may make the scores wrong (a column recorded with the answer).
    Warning,
}

/// What a notice's button does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoticeAction {
    /// Open the data again without these columns as features ("Leave these out").
    LeaveOut(Vec<String>),
    /// The same, then train the quick model again ("Leave out and retrain").
    LeaveOutAndRetrain(Vec<String>),
}

impl NoticeAction {
    /// The button's text.
    pub fn label(&self) -> &'static str {
        match self {
            NoticeAction::LeaveOut(_) => "Leave these out",
            NoticeAction::LeaveOutAndRetrain(_) => "Leave out and retrain",
        }
    }

    /// The columns it leaves out.
    pub fn columns(&self) -> &[String] {
        match self {
            NoticeAction::LeaveOut(c) | NoticeAction::LeaveOutAndRetrain(c) => c,
        }
    }
}

/// One notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// Note or warning.
    pub kind: NoticeKind,
    /// The whole text, never cut.
    pub text: String,
    /// What its button does, if it has one.
    pub action: Option<NoticeAction>,
}

impl Notice {
    /// A warning whose button leaves `columns` out and trains again.
    pub fn retrain_without(text: String, columns: Vec<String>) -> Self {
        Notice {
            kind: NoticeKind::Warning,
            text,
            action: Some(NoticeAction::LeaveOutAndRetrain(columns)),
        }
    }
}

/// The notices of a freshly loaded dataset: its column warnings, each with the button that
/// leaves its columns out, then the loader's notes.
pub fn of_load(notes: &[String], warnings: &[WarningGroup]) -> Vec<Notice> {
    let notes = notes.iter().map(|n| Notice {
        kind: NoticeKind::Note,
        text: n.clone(),
        action: None,
    });
    let warnings = warnings.iter().map(|w| Notice {
        kind: NoticeKind::Warning,
        text: w.line.clone(),
        action: (!w.columns.is_empty()).then(|| NoticeAction::LeaveOut(w.columns.clone())),
    });
    // Warnings first: they are the ones that change what the numbers mean.
    warnings.chain(notes).collect()
}
