//! The app's layers stay apart, as in rerun's viewer: views draw from a read-only context and
//! push commands. They never name the app, and never start background work themselves: the
//! app's `logic` starts it when it applies their commands.

use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`, with its text.
fn sources(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            out.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            out.push((path, text));
        }
    }
    out
}

/// The views and the widgets they draw with.
fn view_sources() -> Vec<(PathBuf, String)> {
    let gui = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/gui");
    let mut files = sources(&gui.join("views"));
    files.extend(sources(&gui.join("widgets")));
    let names: Vec<String> = files
        .iter()
        .filter_map(|(p, _)| Some(p.file_name()?.to_str()?.to_string()))
        .collect();
    for expected in [
        "mod.rs",
        "slices.rs",
        "map.rs",
        "indicators.rs",
        "context.rs",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:?}"
        );
    }
    files
}

/// Lines of `text` (numbered from 1) that contain any of `needles`.
fn offending(text: &str, needles: &[&str]) -> Vec<(usize, String)> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| needles.iter().any(|n| l.contains(n)))
        .map(|(i, l)| (i + 1, l.trim().to_string()))
        .collect()
}

/// `file:line: text` of every view line with one of `needles`, files ending in `skip` aside.
fn violations(needles: &[&str], skip: &[&str]) -> Vec<String> {
    view_sources()
        .iter()
        .filter(|(path, _)| !skip.iter().any(|s| path.ends_with(s)))
        .flat_map(|(path, text)| {
            offending(text, needles)
                .into_iter()
                .map(move |(n, l)| format!("{}:{n}: {l}", path.display()))
        })
        .collect()
}

#[test]
fn views_neither_import_nor_name_the_app() {
    let needles = ["SlicelabApp", "gui::app", "super::app", "super::super::app"];
    let bad = violations(&needles, &[]);
    assert!(
        bad.is_empty(),
        "views read a ViewCtx and push commands; they must not depend on the app:\n{}",
        bad.join("\n")
    );
}

#[test]
fn views_start_no_background_work() {
    let needles = [
        "Pending::spawn",
        "thread::",
        "TrainingJob::spawn",
        "request_repaint",
    ];
    let bad = violations(&needles, &[]);
    assert!(
        bad.is_empty(),
        "views ask for background work with a command; the app's logic starts it:\n{}",
        bad.join("\n")
    );
}

#[test]
fn views_own_and_poll_no_jobs() {
    // The app's ViewBuilds (in context.rs) hold the views' results; a view holding a job of
    // its own would start and poll it behind the controller's back (as the Diff tab once did).
    let needles = ["Pending", "Keyed", ".poll(", "Receiver"];
    let bad = violations(&needles, &["views/context.rs"]);
    assert!(
        bad.is_empty(),
        "views read results from ViewCtx::builds and push commands for new ones:\n{}",
        bad.join("\n")
    );
}
