//! A folder update killed between any two steps: the folder is old or new, never a mix.

use super::{DirWriter, Owner, Step};
use std::path::Path;

static TEST_DIR: Owner = Owner {
    what: "a test folder",
    files: &["weights.bin", "card.json"],
    recognise: |dir| dir.join("card.json").exists(),
};

fn staged(dir: &Path, tag: &str) -> DirWriter {
    let mut w = DirWriter::begin(dir, &TEST_DIR).unwrap();
    w.write("weights.bin", format!("weights {tag}").as_bytes())
        .unwrap();
    w.write("card.json", format!("card {tag}").as_bytes())
        .unwrap();
    w
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| format!("{name}: {e}"))
}

#[test]
fn a_folder_update_killed_after_any_step_leaves_the_old_or_the_new_folder() {
    let mut saw_new = false;
    for k in 0..20 {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("model");
        staged(&dir, "old").commit().unwrap();
        std::fs::write(dir.join("notes.txt"), "mine").unwrap();
        let mut w = staged(&dir, "new");
        let mut finished = false;
        for _ in 0..k {
            if w.step().unwrap() == Step::Done {
                finished = true;
                break;
            }
        }
        // The process dies here: nothing of the writer runs any more.
        std::mem::forget(w);
        let (weights, card) = (read(&dir, "weights.bin"), read(&dir, "card.json"));
        let old = weights == "weights old" && card == "card old";
        let new = weights == "weights new" && card == "card new";
        assert!(
            old || new,
            "killed after {k} steps: '{weights}' beside '{card}'"
        );
        assert_eq!(read(&dir, "notes.txt"), "mine", "the user's file stays");
        saw_new |= new;
        if finished {
            assert!(new, "a finished update holds the new files");
            break;
        }
    }
    assert!(saw_new);
}
