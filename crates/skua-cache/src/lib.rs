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

/// Why [`replace_file`] did not write a file.
#[derive(Debug, thiserror::Error)]
pub enum ReplaceError {
    #[error("refusing to replace {}: it is {kind}, not a regular file", path.display())]
    NotAFile { path: PathBuf, kind: &'static str },
    #[error(
        "refusing to write through {}: it is a symlink to {}, which is outside {}",
        link.display(),
        target.display(),
        root.display()
    )]
    SymlinkOutside {
        link: PathBuf,
        target: PathBuf,
        root: PathBuf,
    },
    #[error("cannot write {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// Symlink hops followed before giving up, as Linux's `MAXSYMLINKS`.
const MAX_SYMLINKS: usize = 40;

/// The file that writing `path` with [`replace_file`] would replace: `path` itself, or,
/// for a symlink, the file it points to, which must lie inside `root`. Anything but a
/// regular file (or nothing) there is refused: renaming over a device node, a FIFO or a
/// socket would destroy it, and a directory cannot be replaced by a file.
pub fn replaceable_target(path: &Path, root: &Path) -> Result<PathBuf, ReplaceError> {
    let io_error = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ReplaceError::Io { path, source }
    };
    let mut current = path.to_path_buf();
    let mut followed = false;
    let mut hops = 0;
    let meta = loop {
        match fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                hops += 1;
                if hops > MAX_SYMLINKS {
                    return Err(ReplaceError::Io {
                        path: path.to_path_buf(),
                        source: io::Error::other("too many levels of symbolic links"),
                    });
                }
                let link = fs::read_link(&current).map_err(io_error(&current))?;
                // An absolute link replaces the whole path in `join`.
                current = current.parent().unwrap_or(Path::new("")).join(link);
                followed = true;
            }
            Ok(meta) => break Some(meta),
            Err(error) if error.kind() == io::ErrorKind::NotFound => break None,
            Err(error) => return Err(io_error(&current)(error)),
        }
    };
    if let Some(meta) = &meta
        && !meta.is_file()
    {
        return Err(ReplaceError::NotAFile {
            path: current,
            kind: file_kind(&meta.file_type()),
        });
    }
    if followed {
        // Where the link really points, `..` and symlinked directories resolved; a
        // dangling link is judged by its target's directory.
        let resolved = match (&meta, current.parent(), current.file_name()) {
            (Some(_), _, _) => fs::canonicalize(&current).map_err(io_error(&current))?,
            (None, Some(parent), Some(name)) => {
                let parent = if parent.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    parent
                };
                fs::canonicalize(parent)
                    .map_err(io_error(parent))?
                    .join(name)
            }
            (None, _, _) => {
                return Err(ReplaceError::NotAFile {
                    path: current,
                    kind: "not a file name",
                });
            }
        };
        let root = fs::canonicalize(root).map_err(io_error(root))?;
        if !resolved.starts_with(&root) {
            return Err(ReplaceError::SymlinkOutside {
                link: path.to_path_buf(),
                target: resolved,
                root,
            });
        }
        return Ok(resolved);
    }
    Ok(current)
}

fn file_kind(kind: &fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO";
        }
        if kind.is_char_device() {
            return "a character device";
        }
        if kind.is_block_device() {
            return "a block device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    if kind.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

/// Atomically replaces a file the user asked for (a lock file), unlike [`write_atomic`],
/// which is for the cache's own entries:
///
/// - only a regular file, or nothing, is replaced; a symlink is written through (its
///   target replaced) only when the target lies inside `root` (see
///   [`replaceable_target`]);
/// - an existing file keeps its permissions; a new one gets `0o666` less the umask, as
///   any other tool's output would. The kernel applies the umask when the temporary
///   file is created with mode `0o666`, so it never has to be read (reading it means
///   setting it, which is process-wide and racy).
///
/// The checks run again right before the rename, but nothing stops another process from
/// swapping the path between them and the rename.
pub fn replace_file(path: &Path, bytes: &[u8], root: &Path) -> Result<(), ReplaceError> {
    let target = replaceable_target(path, root)?;
    let io_error = |source| ReplaceError::Io {
        path: target.clone(),
        source,
    };
    let existing = match fs::metadata(&target) {
        Ok(meta) => Some(meta.permissions()),
        Err(error) if error.kind() == io::ErrorKind::NotFound => None,
        Err(error) => return Err(io_error(error)),
    };
    let dir = parent_dir(&target).map_err(io_error)?;
    fs::create_dir_all(dir).map_err(io_error)?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(".tmp-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir).map_err(io_error)?;
    if let Some(permissions) = existing {
        tmp.as_file()
            .set_permissions(permissions)
            .map_err(io_error)?;
    }
    tmp.write_all(bytes).map_err(io_error)?;
    tmp.as_file().sync_all().map_err(io_error)?;
    // The path may have changed while the file was written.
    let again = replaceable_target(path, root)?;
    if again != target {
        return Err(io_error(io::Error::other(
            "the file changed while it was being written",
        )));
    }
    tmp.persist(&target)
        .map_err(|error| io_error(error.error))?;
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

/// The largest input file (requirements, lock, pyproject, script) skua reads: far above
/// any real one, low enough that `/dev/zero` or a runaway file cannot exhaust memory.
pub const MAX_INPUT_BYTES: u64 = 64 * 1024 * 1024;

/// Reads a text file the user named, refusing what is not a regular file (a FIFO would
/// block forever, a device never end) and anything over [`MAX_INPUT_BYTES`].
pub fn read_user_file(path: &Path) -> io::Result<String> {
    use std::io::Read;
    let meta = fs::metadata(path)?;
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file (a FIFO, device or directory cannot be an input)",
        ));
    }
    let mut text = String::new();
    fs::File::open(path)?
        .take(MAX_INPUT_BYTES + 1)
        .read_to_string(&mut text)?;
    if text.len() as u64 > MAX_INPUT_BYTES {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("larger than {} MiB", MAX_INPUT_BYTES / (1024 * 1024)),
        ));
    }
    Ok(text)
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

    #[cfg(unix)]
    #[test]
    fn replace_file_refuses_what_is_not_a_regular_file() {
        use std::os::unix::fs::FileTypeExt;
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let refused = |path: &Path| match replaceable_target(path, root) {
            Err(ReplaceError::NotAFile { kind, .. }) => kind,
            other => panic!("{}: {other:?}", path.display()),
        };
        // Only inspected: nothing is ever written to it.
        assert_eq!(refused(Path::new("/dev/null")), "a character device");
        fs::create_dir(root.join("dir")).unwrap();
        assert_eq!(refused(&root.join("dir")), "a directory");
        let socket = root.join("socket");
        let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
        assert_eq!(refused(&socket), "a socket");
        assert!(matches!(
            replace_file(&socket, b"x", root),
            Err(ReplaceError::NotAFile { .. })
        ));
        assert!(
            fs::symlink_metadata(&socket)
                .unwrap()
                .file_type()
                .is_socket()
        );
        // A link to one of them is judged by what it points to.
        std::os::unix::fs::symlink("dir", root.join("to-dir")).unwrap();
        assert_eq!(refused(&root.join("to-dir")), "a directory");
        assert!(fs::read_dir(root.join("dir")).unwrap().next().is_none());
    }

    #[cfg(unix)]
    #[test]
    fn replace_file_writes_through_symlinks_only_inside_the_root() {
        use std::os::unix::fs::symlink;
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("project");
        fs::create_dir_all(root.join("locks")).unwrap();
        fs::write(root.join("locks/real.txt"), "old").unwrap();
        symlink("locks/real.txt", root.join("link.txt")).unwrap();
        replace_file(&root.join("link.txt"), b"new", &root).unwrap();
        assert!(
            fs::symlink_metadata(root.join("link.txt"))
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(
            fs::read_to_string(root.join("locks/real.txt")).unwrap(),
            "new"
        );
        // A dangling link inside creates its target.
        symlink("locks/new.txt", root.join("dangling.txt")).unwrap();
        replace_file(&root.join("dangling.txt"), b"made", &root).unwrap();
        assert_eq!(
            fs::read_to_string(root.join("locks/new.txt")).unwrap(),
            "made"
        );

        // Outside the root, directly or through `..`: refused, the target untouched.
        fs::write(tmp.path().join("outside.txt"), "theirs").unwrap();
        symlink(tmp.path().join("outside.txt"), root.join("abs.txt")).unwrap();
        symlink("locks/../../outside.txt", root.join("rel.txt")).unwrap();
        for link in ["abs.txt", "rel.txt"] {
            let error = replace_file(&root.join(link), b"mine", &root).unwrap_err();
            assert!(
                matches!(error, ReplaceError::SymlinkOutside { .. }),
                "{link}: {error}"
            );
        }
        assert_eq!(
            fs::read_to_string(tmp.path().join("outside.txt")).unwrap(),
            "theirs"
        );
        assert!(
            fs::symlink_metadata(root.join("abs.txt"))
                .unwrap()
                .file_type()
                .is_symlink()
        );
    }

    #[cfg(unix)]
    #[test]
    fn replace_file_keeps_modes_and_honours_the_umask() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |path: &Path| fs::metadata(path).unwrap().permissions().mode() & 0o7777;
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        // What any program creating a file gets: 0o666 less the umask.
        let probe = root.join("probe");
        fs::File::create(&probe).unwrap();
        let new = root.join("new.txt");
        replace_file(&new, b"x", root).unwrap();
        assert_eq!(mode(&new), mode(&probe));

        let existing = root.join("existing.txt");
        fs::write(&existing, "old").unwrap();
        for wanted in [0o640, 0o604, 0o755] {
            fs::set_permissions(&existing, fs::Permissions::from_mode(wanted)).unwrap();
            replace_file(&existing, b"new", root).unwrap();
            assert_eq!(mode(&existing), wanted);
        }
        assert_eq!(fs::read_to_string(&existing).unwrap(), "new");
        let names: Vec<_> = fs::read_dir(root)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 3, "no temporary files left: {names:?}");
    }

    #[test]
    fn user_files_must_be_regular() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("requirements.in");
        std::fs::write(&path, "requests\n").unwrap();
        assert_eq!(read_user_file(&path).unwrap(), "requests\n");
        assert!(read_user_file(tmp.path()).is_err());
        #[cfg(unix)]
        {
            let fifo = tmp.path().join("fifo");
            let made = std::process::Command::new("mkfifo").arg(&fifo).status();
            if made.is_ok_and(|status| status.success()) {
                let error = read_user_file(&fifo).unwrap_err();
                assert!(error.to_string().contains("not a regular file"), "{error}");
            }
            let error = read_user_file(Path::new("/dev/zero")).unwrap_err();
            assert!(error.to_string().contains("not a regular file"), "{error}");
        }
    }

    #[test]
    fn hex_digits() {
        assert_eq!(hex(&[0x00, 0xab, 0xff]), "00abff");
    }
}
