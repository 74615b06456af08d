//! The lock readers: the first byte picks `pylock.toml` (PEP 751) or a requirements.txt
//! lock; the rest is the file. Also the index page parser for the same bytes.
fn main() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let pylock = dir.path().join("pylock.toml");
    let requirements = dir.path().join("requirements.txt");
    afl::fuzz!(|data: &[u8]| {
        let Some((&kind, rest)) = data.split_first() else {
            return;
        };
        let path = if kind % 2 == 0 {
            &pylock
        } else {
            &requirements
        };
        if std::fs::write(path, rest).is_ok() {
            let _ = skua_sync::read_lock(path);
        }
        let _ = skua_index::fuzzing::project_page(rest, kind % 2 == 0);
    });
}
