//! The files an engine run reads: one file, a folder (searched recursively) or a glob, all
//! Parquet or all CSV.

use std::path::{Path, PathBuf};

use super::error::EngineError;

/// The file format of a source; one per run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Apache Parquet (`.parquet`).
    Parquet,
    /// Comma-separated values with a header row (`.csv`).
    Csv,
}

/// The resolved files of a run.
#[derive(Debug, Clone)]
pub struct Source {
    /// The path, folder or glob as the user gave it.
    pub pattern: String,
    /// Their common format.
    pub format: Format,
    /// The files, sorted.
    pub files: Vec<PathBuf>,
    /// Their total size on disk.
    pub bytes: u64,
}

impl Source {
    /// Resolves `pattern`: a file, a folder (every `.parquet` or `.csv` file under it) or a glob
    /// such as `logs/*.parquet` or `logs/**/part-*.parquet`.
    pub fn resolve(pattern: &str) -> Result<Self, EngineError> {
        let path = Path::new(pattern);
        let mut files = if path.is_dir() {
            let mut out = Vec::new();
            walk(path, &mut out);
            out
        } else if path.is_file() {
            vec![path.to_path_buf()]
        } else {
            let paths = glob::glob(pattern).map_err(|e| EngineError::BadPattern {
                pattern: pattern.to_string(),
                message: e.to_string(),
            })?;
            // Unreadable entries (permissions) are skipped as a shell glob skips them.
            paths.flatten().filter(|p| p.is_file()).collect()
        };
        files.retain(|p| format_of(p).is_some() || !path.is_dir());
        files.sort();
        let Some(first) = files.first() else {
            return Err(EngineError::NoFiles {
                pattern: pattern.to_string(),
            });
        };
        let format = format_of(first).ok_or_else(|| unreadable(first))?;
        if let Some(other) = files.iter().find(|p| format_of(p) != Some(format)) {
            return Err(match format_of(other) {
                None => unreadable(other),
                Some(_) => EngineError::Format {
                    path: other.display().to_string(),
                    message: format!(
                        "mixes Parquet and CSV with {}; give one format per run",
                        first.display()
                    ),
                },
            });
        }
        let bytes = files
            .iter()
            .filter_map(|p| std::fs::metadata(p).ok())
            .map(|m| m.len())
            .sum();
        Ok(Self {
            pattern: pattern.to_string(),
            format,
            files,
            bytes,
        })
    }

    /// The files as strings, as DataFusion takes them.
    pub fn file_strings(&self) -> Vec<String> {
        self.files.iter().map(|p| p.display().to_string()).collect()
    }
}

fn format_of(path: &Path) -> Option<Format> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    if name.ends_with(".parquet") {
        Some(Format::Parquet)
    } else if name.ends_with(".csv") {
        Some(Format::Csv)
    } else {
        None
    }
}

fn unreadable(path: &Path) -> EngineError {
    let gz = path.to_string_lossy().to_ascii_lowercase().ends_with(".gz");
    EngineError::Format {
        path: path.display().to_string(),
        message: if gz {
            "the engine reads uncompressed CSV or Parquet; decompress it or convert it to Parquet"
                .into()
        } else {
            "not a .parquet or .csv file".into()
        },
    }
}

/// Every file under `dir`, depth first; hidden files and folders (`.` or `_` first, as Spark and
/// Hive write markers such as `_SUCCESS`) are skipped.
fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let hidden = entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.starts_with('.') || n.starts_with('_'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_globs_and_mixed_formats() {
        let dir = std::env::temp_dir().join(format!("slicelab-source-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("part")).unwrap();
        for name in ["a.parquet", "part/b.parquet", "_SUCCESS", "notes.txt"] {
            std::fs::write(dir.join(name), b"x").unwrap();
        }
        let s = Source::resolve(dir.to_str().unwrap()).unwrap();
        assert_eq!(s.format, Format::Parquet);
        assert_eq!(s.files.len(), 2);
        let glob = format!("{}/*.parquet", dir.display());
        assert_eq!(Source::resolve(&glob).unwrap().files.len(), 1);
        let none = format!("{}/*.csv", dir.display());
        assert!(matches!(
            Source::resolve(&none),
            Err(EngineError::NoFiles { .. })
        ));
        std::fs::write(dir.join("c.csv"), b"x").unwrap();
        let e = Source::resolve(dir.to_str().unwrap()).unwrap_err();
        assert!(e.to_string().contains("mixes Parquet and CSV"), "{e}");
        let txt = dir.join("notes.txt");
        let e = Source::resolve(txt.to_str().unwrap()).unwrap_err();
        assert!(e.to_string().contains("not a .parquet or .csv"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
