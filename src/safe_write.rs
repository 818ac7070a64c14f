//! Writes that never lose data: atomic files, and folders that slicelab owns written file by file.
//!
//! The rule behind both: slicelab never deletes a file it did not write. A folder is written only
//! when it is missing, empty, or recognised as one slicelab wrote before (an [`Owner`] says how),
//! and then only slicelab's own files in it are replaced; anything else the folder holds stays.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` atomically: a sibling temporary file is written, synced and renamed,
/// and the folder is synced so the rename itself survives a power cut.
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
        return result;
    }
    sync_dir(parent_of(path))
}

/// A hidden sibling path of `path` for staging a write.
pub fn temp_sibling(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".to_string());
    path.with_file_name(format!(".{name}.tmp{}", std::process::id()))
}

/// Flushes a folder's entries (new names, renames) to disk; a no-op where folders cannot be opened.
pub fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

fn parent_of(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// How to recognise a kind of folder slicelab writes, and which files in it are slicelab's.
pub struct Owner {
    /// What the folder is, for messages ("a slicelab model folder").
    pub what: &'static str,
    /// The files slicelab writes into it; the last one marks the folder complete.
    pub files: &'static [&'static str],
    /// Whether an existing folder was written by slicelab.
    pub recognise: fn(&Path) -> bool,
}

/// Why a folder could not be written.
#[derive(Debug, thiserror::Error)]
pub enum DirError {
    /// The folder holds files and is not a folder slicelab wrote.
    #[error(
        "{}: refusing to write into this folder: it is not empty and is not {what} \
         (slicelab never replaces files it did not write); choose a new or empty folder",
        path.display()
    )]
    NotOurs {
        /// The folder.
        path: PathBuf,
        /// What kind of folder was expected.
        what: &'static str,
    },
    /// A file exists and is not one slicelab wrote.
    #[error(
        "{}: refusing to replace this file: it is not {what} (slicelab never replaces files it \
         did not write); move it or choose another folder",
        path.display()
    )]
    NotOurFile {
        /// The file.
        path: PathBuf,
        /// What kind of file was expected.
        what: &'static str,
    },
    /// Reading or writing failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> DirError + '_ {
    move |source| DirError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Checks that `dir` may be written as `owner`'s kind of folder: missing, empty, or recognised.
pub fn check_owned(dir: &Path, owner: &Owner) -> Result<(), DirError> {
    let empty = match std::fs::read_dir(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io_err(dir)(e)),
        Ok(mut entries) => entries.next().is_none(),
    };
    if empty || (owner.recognise)(dir) {
        Ok(())
    } else {
        Err(DirError::NotOurs {
            path: dir.to_path_buf(),
            what: owner.what,
        })
    }
}

/// Checks that file `path` may be replaced: it is missing, or `recognise` says slicelab wrote it.
pub fn check_replaceable(
    path: &Path,
    what: &'static str,
    recognise: fn(&Path) -> bool,
) -> Result<(), DirError> {
    if !path.exists() || recognise(path) {
        Ok(())
    } else {
        Err(DirError::NotOurFile {
            path: path.to_path_buf(),
            what,
        })
    }
}

/// Whether `path` holds a JSON object with the field `key` (how slicelab's JSON outputs are told
/// from other files).
pub fn is_json_with_key(path: &Path, key: &str) -> bool {
    std::fs::read(path)
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .is_some_and(|v| v.get(key).is_some())
}

/// Whether `path` is a `report.json` slicelab wrote (a JSON object with its `eval_split` field).
pub fn is_report_json(path: &Path) -> bool {
    std::fs::read(path)
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .is_some_and(|v| v.get("eval_split").is_some())
}

/// Checks that files can be created in `dir` (creating it if needed) before long work starts.
pub fn check_writable(dir: &Path) -> Result<(), DirError> {
    std::fs::create_dir_all(dir).map_err(io_err(dir))?;
    let probe = dir.join(format!(".slicelab-probe{}", std::process::id()));
    std::fs::write(&probe, b"").map_err(io_err(dir))?;
    std::fs::remove_file(&probe).map_err(io_err(dir))
}

/// A folder being written: files go to a private staging folder beside it, then move into place
/// together.
///
/// A new folder appears whole (one rename). An existing one is swapped whole: its other files are
/// hard-linked into the staging folder, which then trades places with it in one atomic exchange
/// (`renameat2(RENAME_EXCHANGE)` on Linux), so a process killed at any moment leaves the old
/// folder or the new one, never new weights beside an old card. Where the exchange is not
/// available (another OS, a file system without it, a subfolder that cannot be linked) the files
/// are replaced one atomic rename at a time, the marker file last. A staging folder left by a
/// killed process is cleaned on the next write of the same folder.
pub struct DirWriter {
    dir: PathBuf,
    staging: PathBuf,
    owner: &'static Owner,
    staged: Vec<&'static str>,
    /// Files of the folder that slicelab did not write, linked into the staging folder.
    linked: Vec<std::ffi::OsString>,
    /// The next step of [`DirWriter::commit`].
    next: Step,
    /// Whether the folder holds the new files (the staging folder is no longer to be cleaned).
    done: bool,
}

/// Name prefix of staging folders, so stale ones can be told apart from anything else.
const STAGING: &str = ".slicelab-staging-";

/// Writers started by this process, numbering their staging folders.
static WRITERS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

impl DirWriter {
    /// Starts writing `dir`; refuses a folder that holds files slicelab did not write.
    pub fn begin(dir: &Path, owner: &'static Owner) -> Result<Self, DirError> {
        check_owned(dir, owner)?;
        let parent = parent_of(dir);
        std::fs::create_dir_all(parent).map_err(io_err(parent))?;
        // Leftovers of killed processes may sit beside the folder or inside it.
        clean_stale(parent, owner);
        if dir.exists() {
            clean_stale(dir, owner);
        }
        // Staged beside the folder (same file system), so it can appear or be swapped whole.
        // Unique per writer: the app saves several models at once from one process.
        let n = WRITERS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let staging = parent.join(format!("{STAGING}{}-{n}", std::process::id()));
        std::fs::create_dir(&staging).map_err(io_err(&staging))?;
        Ok(Self {
            dir: dir.to_path_buf(),
            staging,
            owner,
            staged: Vec::new(),
            linked: Vec::new(),
            next: Step::Sync,
            done: false,
        })
    }

    /// Where to write file `name` (one of the owner's files); it moves into place on commit.
    pub fn path(&mut self, name: &'static str) -> PathBuf {
        debug_assert!(
            self.owner.files.contains(&name),
            "{name} is not an owned file"
        );
        if !self.staged.contains(&name) {
            self.staged.push(name);
        }
        self.staging.join(name)
    }

    /// Writes file `name` with `bytes`.
    pub fn write(&mut self, name: &'static str, bytes: &[u8]) -> Result<(), DirError> {
        let path = self.path(name);
        std::fs::write(&path, bytes).map_err(io_err(&path))
    }

    /// Syncs the staged files and moves them into the folder (see [`DirWriter`]).
    pub fn commit(mut self) -> Result<(), DirError> {
        while self.step()? != Step::Done {}
        Ok(())
    }

    /// Does the next step of [`DirWriter::commit`]; a process killed after any step leaves the
    /// folder whole (old or new).
    fn step(&mut self) -> Result<Step, DirError> {
        let next = match self.next {
            Step::Sync => {
                let order = self.owner.files;
                self.staged
                    .sort_by_key(|n| order.iter().position(|o| o == n).unwrap_or(0));
                for name in &self.staged {
                    let path = self.staging.join(name);
                    sync_file(&path).map_err(io_err(&path))?;
                }
                if self.dir.exists() {
                    Step::Link
                } else {
                    Step::Appear
                }
            }
            Step::Appear => {
                std::fs::rename(&self.staging, &self.dir).map_err(io_err(&self.dir))?;
                self.done = true;
                Step::SyncParent
            }
            Step::Link => match self.link_others() {
                Ok(true) => Step::Swap,
                Ok(false) => Step::Replace(0),
                Err(e) => return Err(e),
            },
            Step::Swap => match exchange(&self.staging, &self.dir) {
                Ok(()) => {
                    // The staging folder now holds the old files (and links to the others).
                    self.done = true;
                    Step::DropOld
                }
                Err(_) => {
                    self.unlink_others();
                    Step::Replace(0)
                }
            },
            Step::Replace(k) => match self.staged.get(k) {
                Some(name) => {
                    let to = self.dir.join(name);
                    std::fs::rename(self.staging.join(name), &to).map_err(io_err(&to))?;
                    Step::Replace(k + 1)
                }
                None => {
                    sync_dir(&self.dir).map_err(io_err(&self.dir))?;
                    self.done = true;
                    clean_staging(&self.staging, self.owner);
                    Step::SyncParent
                }
            },
            Step::DropOld => {
                self.unlink_others();
                clean_staging(&self.staging, self.owner);
                Step::SyncParent
            }
            Step::SyncParent => {
                sync_dir(&self.dir).map_err(io_err(&self.dir))?;
                let parent = parent_of(&self.dir);
                sync_dir(parent).map_err(io_err(parent))?;
                Step::Done
            }
            Step::Done => Step::Done,
        };
        self.next = next;
        Ok(next)
    }

    /// Hard-links the folder's files that slicelab did not write into the staging folder, so
    /// they stay in the swapped folder; `false` (nothing linked) where one cannot be linked.
    fn link_others(&mut self) -> Result<bool, DirError> {
        let entries = std::fs::read_dir(&self.dir).map_err(io_err(&self.dir))?;
        for entry in entries {
            let entry = entry.map_err(io_err(&self.dir))?;
            let name = entry.file_name();
            let text = name.to_string_lossy();
            if self.owner.files.iter().any(|f| *f == text) || text.starts_with(STAGING) {
                continue;
            }
            let is_file = entry.file_type().is_ok_and(|t| t.is_file());
            if !is_file || std::fs::hard_link(entry.path(), self.staging.join(&name)).is_err() {
                self.unlink_others();
                return Ok(false);
            }
            self.linked.push(name);
        }
        Ok(true)
    }

    /// Removes the links [`DirWriter::link_others`] made from the staging folder (the other name
    /// of each stays in the folder).
    fn unlink_others(&mut self) {
        for name in self.linked.drain(..) {
            let _ = std::fs::remove_file(self.staging.join(name));
        }
    }
}

/// Where [`DirWriter::commit`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Sync the staged files.
    Sync,
    /// The folder is new: rename the staging folder into place.
    Appear,
    /// Link the existing folder's other files into the staging folder.
    Link,
    /// Exchange the staging folder and the folder.
    Swap,
    /// Fallback: rename staged file `k` into the folder.
    Replace(usize),
    /// Remove the old files, now in the staging folder.
    DropOld,
    /// Sync the folder and its parent.
    SyncParent,
    /// Finished.
    Done,
}

/// Atomically exchanges two paths on the same file system.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[expect(unsafe_code, reason = "renameat2 has no wrapper in std")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| {
        std::ffi::CString::new(p.as_os_str().as_bytes())
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))
    };
    let (a, b) = (c(a)?, c(b)?);
    // SAFETY: both paths are valid NUL-terminated strings that outlive the call.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Without `renameat2` the caller replaces files one at a time.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}

impl Drop for DirWriter {
    fn drop(&mut self) {
        if !self.done {
            self.unlink_others();
            clean_staging(&self.staging, self.owner);
        }
    }
}

fn sync_file(path: &Path) -> std::io::Result<()> {
    std::fs::File::open(path)?.sync_all()
}

/// Removes the owner's files from a staging folder and the folder itself if that empties it.
fn clean_staging(staging: &Path, owner: &Owner) {
    for name in owner.files {
        let _ = std::fs::remove_file(staging.join(name));
        // Writers such as safetensors' stage their own temporaries next to the file.
        let _ = std::fs::remove_file(temp_sibling(&staging.join(name)));
    }
    let _ = std::fs::remove_dir(staging);
}

/// Cleans staging folders in `home` left by processes that no longer run.
fn clean_stale(home: &Path, owner: &Owner) {
    let Ok(entries) = std::fs::read_dir(home) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix(STAGING) else {
            continue;
        };
        let pid = rest.split('-').next().unwrap_or(rest);
        if pid.parse::<u32>().is_ok_and(|p| !process_alive(p)) {
            clean_staging(&entry.path(), owner);
        }
    }
}

/// Whether process `pid` may still run: where /proc cannot tell, every process counts as alive,
/// so a running writer's staging folder is never taken for a stale one.
fn process_alive(pid: u32) -> bool {
    pid == std::process::id()
        || !Path::new("/proc/self").exists()
        || Path::new("/proc").join(pid.to_string()).exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    static TEST_OWNER: Owner = Owner {
        what: "a test folder",
        files: &["data.bin", "marker.json"],
        recognise: |d| d.join("marker.json").exists(),
    };

    #[test]
    fn atomic_write_replaces_content() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    fn save(dir: &Path, text: &str) -> Result<(), DirError> {
        let mut w = DirWriter::begin(dir, &TEST_OWNER)?;
        w.write("marker.json", text.as_bytes())?;
        w.write("data.bin", text.as_bytes())?;
        w.commit()
    }

    #[test]
    fn a_recognised_folder_keeps_the_users_files_and_gets_ours_replaced() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("m");
        save(&dir, "one").unwrap();
        std::fs::write(dir.join("notes.txt"), "mine").unwrap();
        save(&dir, "two").unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.join("notes.txt")).unwrap(),
            "mine"
        );
        assert_eq!(
            std::fs::read_to_string(dir.join("data.bin")).unwrap(),
            "two"
        );
        let names: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().collect();
        assert_eq!(names.len(), 3, "no staging left behind: {names:?}");
        assert_eq!(std::fs::read_dir(root.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_foreign_folder_is_refused_and_untouched() {
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("notes.txt"), "mine").unwrap();
        let err = save(root.path(), "x").unwrap_err();
        assert!(matches!(err, DirError::NotOurs { .. }), "{err}");
        assert_eq!(std::fs::read_dir(root.path()).unwrap().count(), 1);
    }

    #[test]
    fn writers_in_one_process_never_share_a_staging_folder() {
        let root = tempfile::tempdir().unwrap();
        let (a, b) = (root.path().join("a"), root.path().join("b"));
        let mut first = DirWriter::begin(&a, &TEST_OWNER).unwrap();
        first.write("data.bin", b"first").unwrap();
        // A second save into the same parent starts while the first is staged.
        save(&b, "second").unwrap();
        first.write("marker.json", b"first").unwrap();
        first.commit().unwrap();
        assert_eq!(
            std::fs::read_to_string(a.join("data.bin")).unwrap(),
            "first"
        );
        assert_eq!(
            std::fs::read_to_string(b.join("data.bin")).unwrap(),
            "second"
        );
        assert_eq!(std::fs::read_dir(root.path()).unwrap().count(), 2);
    }

    #[test]
    fn a_stale_staging_folder_of_a_dead_process_is_cleaned_and_does_not_block() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("m");
        save(&dir, "one").unwrap();
        // pid 0 never names a user process.
        let stale = dir.join(format!("{STAGING}0"));
        std::fs::create_dir(&stale).unwrap();
        std::fs::write(stale.join("data.bin"), "half").unwrap();
        save(&dir, "two").unwrap();
        assert!(!stale.exists());
        assert_eq!(
            std::fs::read_to_string(dir.join("data.bin")).unwrap(),
            "two"
        );
    }
}

#[cfg(test)]
mod killed;
