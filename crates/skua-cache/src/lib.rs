//! skua's on-disk cache.
//!
//! The cache is a directory of *buckets*, one per kind of entry and format version
//! (`simple-v1`, `metadata-v1`, ...). Bumping a bucket's version is how a format change
//! invalidates old entries: the old bucket is simply never read again.
//!
//! Every write goes through [`write_atomic`], so a reader (possibly another skua process)
//! sees either the old entry, the new one, or none — never a torn file.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// The root of skua's cache directory; where it is (`--cache-dir`, `SKUA_CACHE_DIR`, the
/// XDG default) is decided once by the settings layer (`skua-settings`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cache {
    root: PathBuf,
}

const CACHEDIR_TAG: &[u8] = b"Signature: 8a477f597d28d172789f06886806bc55\n\
# This file is a cache directory tag created by skua.\n\
# For information about cache directory tags see https://bford.info/cachedir/\n";

impl Cache {
    /// A cache rooted at `root` (created lazily, on the first write).
    pub fn new(root: impl Into<PathBuf>) -> Cache {
        Cache { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The directory of bucket `name`, created if it does not exist yet.
    ///
    /// Creation is best effort: a failure here (read-only cache, say) surfaces as an
    /// error from the read or write that follows, where there is context to report it.
    pub fn bucket(&self, name: &str) -> PathBuf {
        let dir = self.root.join(name);
        if !dir.is_dir() && fs::create_dir_all(&dir).is_ok() {
            // Backup and sync tools skip directories carrying this tag.
            let tag = self.root.join("CACHEDIR.TAG");
            if !tag.exists() {
                let _ = write_atomic(&tag, CACHEDIR_TAG);
            }
        }
        dir
    }

    /// A stable, file-name-safe key (64 hex digits) for a tuple of strings.
    ///
    /// Each part is length-prefixed, so `["ab", "c"]` and `["a", "bc"]` differ.
    pub fn key(parts: &[&str]) -> String {
        let mut hasher = Sha256::new();
        for part in parts {
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part.as_bytes());
        }
        hex(&hasher.finalize())
    }
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    out
}

/// Writes `bytes` to `path` so that `path` never holds a partial file: the data goes to a
/// temporary file in the same directory, is flushed to disk, then renamed over `path`.
/// Missing parent directories are created.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = parent_dir(path)?;
    fs::create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new().prefix(".tmp-").tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    // Without the fsync a crash after the rename can leave an empty file under the final
    // name on some filesystems.
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    sync_dir(dir);
    Ok(())
}

/// Reads `path`, or `None` if it does not exist.
pub fn read_if_exists(path: &Path) -> io::Result<Option<Vec<u8>>> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

fn parent_dir(path: &Path) -> io::Result<&Path> {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => Ok(p),
        Some(_) => Ok(Path::new(".")),
        None => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} has no parent directory", path.display()),
        )),
    }
}

/// Makes the rename itself durable. Best effort: not every platform or filesystem lets
/// a directory be opened and synced, and the data is already safe either way.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsString;

    #[test]
    fn key_is_stable_and_unambiguous() {
        let k = Cache::key(&["ab", "c"]);
        assert_eq!(k.len(), 64);
        assert!(
            k.chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert_eq!(k, Cache::key(&["ab", "c"]));
        assert_ne!(k, Cache::key(&["a", "bc"]));
        assert_ne!(k, Cache::key(&["abc"]));
        // Pinned so an accidental change of the key scheme (which would orphan every
        // existing cache entry) shows up as a test failure.
        assert_eq!(
            Cache::key(&[]),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn bucket_created_with_tag() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = Cache::new(tmp.path().join("root"));
        let b = cache.bucket("simple-v1");
        assert!(b.is_dir());
        assert_eq!(b, tmp.path().join("root").join("simple-v1"));
        assert!(tmp.path().join("root/CACHEDIR.TAG").is_file());
    }

    #[test]
    fn atomic_write_and_read() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("a/b/entry");
        assert_eq!(read_if_exists(&path).unwrap(), None);
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(read_if_exists(&path).unwrap().as_deref(), Some(&b"two"[..]));
        // No temporary files are left behind.
        let names: Vec<_> = fs::read_dir(tmp.path().join("a/b"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![OsString::from("entry")]);
    }

    #[test]
    fn hex_digits() {
        assert_eq!(hex(&[0x00, 0xab, 0xff]), "00abff");
    }
}
