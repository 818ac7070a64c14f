//! Atomic file writes, so a crash or a full disk never leaves a half-written user file.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` atomically: a sibling temporary file is written, synced and renamed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = temp_sibling(path);
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        // Best effort: the original file is untouched, only the temporary may remain.
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Replaces directory `dst` with the fully written directory `staged` in (almost) one step.
///
/// The old directory is moved aside first and removed only after the new one is in place.
pub fn replace_dir(staged: &Path, dst: &Path) -> std::io::Result<()> {
    let old = temp_sibling(dst).with_extension("old");
    let had_old = dst.exists();
    if had_old {
        std::fs::rename(dst, &old)?;
    }
    if let Err(e) = std::fs::rename(staged, dst) {
        if had_old {
            let _ = std::fs::rename(&old, dst);
        }
        return Err(e);
    }
    if had_old {
        std::fs::remove_dir_all(&old)?;
    }
    Ok(())
}

/// A hidden sibling path of `path` for staging a write.
pub fn temp_sibling(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".to_string());
    path.with_file_name(format!(".{name}.tmp{}", std::process::id()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_content() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
