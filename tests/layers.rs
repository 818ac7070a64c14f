//! Dependencies run one way: data → slices / text → model → train → experiments → faces (cli,
//! gui). A lower module that imports a higher one fails here, naming the file and line.
//!
//! Every `crate::X` path in `src/` (outside comments) is checked against the table below, keyed by
//! the top-level module the file belongs to (`src/X/...` or `src/X.rs`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Which top-level modules each module may use. The faces (`cli`, `gui`) may use anything and are
/// not listed; a module missing from the table fails the test, so a new one gets a place.
const ALLOWED: &[(&str, &[&str])] = &[
    // Leaves: no other slicelab module.
    ("alloc_tuning", &[]),
    ("safe_write", &[]),
    ("kernels", &[]),
    ("data", &["safe_write", "kernels"]),
    ("optim", &["kernels"]),
    ("slices", &["data", "safe_write"]),
    ("text", &["data", "optim", "kernels", "safe_write"]),
    ("model", &["data", "optim", "kernels", "safe_write"]),
    ("metrics", &["data", "slices"]),
    ("summary", &["data", "slices", "metrics"]),
    ("sql", &["data", "slices", "metrics"]),
    ("engine", &["data", "slices", "metrics", "sql"]),
    (
        "train",
        &[
            "data",
            "slices",
            "text",
            "model",
            "metrics",
            "optim",
            "kernels",
            "summary",
            "safe_write",
        ],
    ),
    (
        "analysis",
        &[
            "data",
            "slices",
            "text",
            "model",
            "metrics",
            "optim",
            "kernels",
            "summary",
            "train",
            "safe_write",
        ],
    ),
    (
        "experiments",
        &[
            "data",
            "slices",
            "text",
            "model",
            "metrics",
            "optim",
            "kernels",
            "summary",
            "train",
            "safe_write",
        ],
    ),
];

/// Modules that may use anything: the two faces.
const FACES: &[&str] = &["cli", "gui"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The source with comment lines blanked (line numbers kept): doc links may name any module.
fn code_only(text: &str) -> String {
    text.lines()
        .map(|l| {
            if l.trim_start().starts_with("//") {
                ""
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn ident_at(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// Every `(byte offset, module)` that `crate::module` or `crate::{module, ..}` names.
fn crate_refs(code: &str) -> Vec<(usize, String)> {
    let mut refs = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        // `slicelab::crate::` does not occur; skip identifiers ending in `crate` (`my_crate::`).
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // Top-level names of a grouped import: split at depth-0 commas.
            let mut depth = 0;
            let mut start = 0;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        refs.push((at, ident_at(group[start..].trim_start()).to_string()));
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        refs.push((at, ident_at(group[start..].trim_start()).to_string()));
                        start = i + 1;
                    }
                    _ => {}
                }
            }
        } else {
            refs.push((at, ident_at(rest).to_string()));
        }
    }
    refs.retain(|(_, m)| !m.is_empty());
    refs
}

#[test]
fn lower_layers_do_not_import_higher_ones() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut problems = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(&src).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let module = top.trim_end_matches(".rs").to_string();
        if matches!(module.as_str(), "lib" | "main") || FACES.contains(&module.as_str()) {
            continue;
        }
        let Some(may_use) = allowed.get(module.as_str()) else {
            problems.push(format!(
                "src/{}: module `{module}` has no row in tests/layers.rs ALLOWED",
                rel.display()
            ));
            continue;
        };
        let code = code_only(&std::fs::read_to_string(file).unwrap());
        for (at, used) in crate_refs(&code) {
            if used == module || may_use.contains(&used.as_str()) {
                continue;
            }
            let line = code[..at].matches('\n').count() + 1;
            let text = code.lines().nth(line - 1).unwrap_or("").trim();
            problems.push(format!(
                "src/{}:{line}: `{module}` uses `crate::{used}`, which is not below it: {text}",
                rel.display()
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "dependencies must run one way (see tests/layers.rs):\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_scanner_sees_grouped_and_inline_paths() {
    let code = "use crate::{data::Table, slices::{Bitmap, SliceSet}};\nlet x = crate::model::Model::new();\n// crate::gui in a comment\n";
    let names: Vec<String> = crate_refs(&code_only(code))
        .into_iter()
        .map(|(_, m)| m)
        .collect();
    assert_eq!(names, ["data", "slices", "model"]);
}
