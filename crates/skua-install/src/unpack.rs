//! Unpacking wheels into a content-addressed directory, verified against RECORD.

use std::collections::{HashMap, HashSet};
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufReader, Read, Seek, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use zip::ZipArchive;

use crate::error::{InstallError, IoContext};
use crate::names::{is_project, parse_wheel_filename, split_dist_info_name};
use crate::paths::safe_relative_components;
use crate::record::{RecordEntry, RecordHasher, parse_record, same_hash};

/// RECORD itself cannot contain its own hash, and signatures of RECORD are made after
/// it; these are the only members allowed without one.
const UNHASHED: [&str; 3] = ["RECORD", "RECORD.jws", "RECORD.p7s"];

/// Upper bound for RECORD itself, which is read into memory: real ones are kilobytes
/// to a few megabytes, and the bound stops a hostile archive from exhausting memory.
const MAX_RECORD_SIZE: u64 = 64 * 1024 * 1024;

/// Unpacks `wheel` into `unpacked_root/<sha256 of the wheel>/` and returns that directory.
///
/// Every member is checked against the wheel's RECORD (hash and size) while it is
/// written; members with unsafe paths (absolute, `..`, symlinks) are refused. The tree
/// is built in a temporary directory next to its final place and renamed there only when
/// complete, so a half-unpacked wheel is never visible, and concurrent unpackers of the
/// same wheel (threads or processes) are safe: the loser reuses the winner's tree.
///
/// In the tree, a manifest ([`MANIFEST_FILE`]) records each file's size, mtime and mode. Installs
/// hard-link from the tree, so editing an installed file edits the tree for every later
/// install: an existing tree is reused only while it still matches its manifest (one
/// `stat` per file), and is otherwise discarded and unpacked again from the wheel.
pub fn unpack_wheel(wheel: &Path, unpacked_root: &Path) -> Result<PathBuf, InstallError> {
    let archive = WheelArchive::read(wheel)?;
    let dest = unpacked_root.join(&archive.sha256);
    if reusable(&dest, unpacked_root)? {
        return Ok(dest);
    }
    unpack_into(wheel, archive, &dest, unpacked_root)
}

/// [`unpack_wheel`] for a wheel whose sha256 is known (a lock's hash, checked when the
/// file was downloaded): a tree unpacked from it before is reused without reading the
/// wheel again, and a wheel unpacked anew must still have that hash
/// ([`InstallError::WheelHashMismatch`] otherwise).
pub fn unpack_wheel_with_hash(
    wheel: &Path,
    sha256: &skua_types::Sha256,
    unpacked_root: &Path,
) -> Result<PathBuf, InstallError> {
    let dest = unpacked_root.join(sha256.hex());
    if reusable(&dest, unpacked_root)? {
        return Ok(dest);
    }
    let archive = WheelArchive::read(wheel)?;
    if archive.sha256 != sha256.hex() {
        return Err(InstallError::WheelHashMismatch {
            path: wheel.to_path_buf(),
            expected: sha256.hex().to_owned(),
            actual: archive.sha256,
        });
    }
    unpack_into(wheel, archive, &dest, unpacked_root)
}

/// Whether the tree at `dest` can be used as it is; a tree that no longer matches its
/// manifest is discarded.
fn reusable(dest: &Path, unpacked_root: &Path) -> Result<bool, InstallError> {
    if !dest.is_dir() {
        return Ok(false);
    }
    if tree_matches_manifest(dest)? {
        return Ok(true);
    }
    discard(dest, unpacked_root)?;
    Ok(false)
}

fn unpack_into(
    wheel: &Path,
    archive: WheelArchive,
    dest: &Path,
    unpacked_root: &Path,
) -> Result<PathBuf, InstallError> {
    fs::create_dir_all(unpacked_root).at("create", unpacked_root)?;
    let staging = tempfile::Builder::new()
        .prefix(".tmp-unpack-")
        .tempdir_in(unpacked_root)
        .at("create a temporary directory in", unpacked_root)?;
    match archive.content {
        Content::Memory(bytes) => extract_verified(wheel, io::Cursor::new(bytes), staging.path())?,
        Content::File(file) => extract_verified(wheel, BufReader::new(file), staging.path())?,
    }
    let manifest = serde_json::to_vec(&scan_tree(staging.path())?)
        .map_err(|e| io::Error::other(e.to_string()))
        .at("serialize the manifest of", staging.path())?;
    let manifest_path = staging.path().join(MANIFEST_FILE);
    fs::write(&manifest_path, manifest).at("write", &manifest_path)?;
    match fs::rename(staging.path(), dest) {
        Ok(()) => {
            let _ = staging.keep();
            Ok(dest.to_path_buf())
        }
        // Another unpacker finished first with the same content; `staging` is dropped.
        Err(_) if dest.is_dir() => Ok(dest.to_path_buf()),
        Err(e) => Err(e).at("move the unpacked wheel to", dest),
    }
}

/// Wheels up to this size are read into memory once, hashed and unpacked from there
/// (no seek and read per member); bigger ones are hashed, then read again.
const IN_MEMORY_LIMIT: u64 = 128 * 1024 * 1024;

/// A wheel file with its sha256 (hex), read whole when it is small enough.
struct WheelArchive {
    sha256: String,
    content: Content,
}

enum Content {
    Memory(Vec<u8>),
    File(File),
}

impl WheelArchive {
    fn read(path: &Path) -> Result<WheelArchive, InstallError> {
        let mut file = File::open(path).at("open", path)?;
        let size = file.metadata().at("inspect", path)?.len();
        if size <= IN_MEMORY_LIMIT {
            let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
            file.read_to_end(&mut bytes).at("read", path)?;
            return Ok(WheelArchive {
                sha256: skua_cache::hex(&Sha256::digest(&bytes)),
                content: Content::Memory(bytes),
            });
        }
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = file.read(&mut buf).at("read", path)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
        }
        file.seek(io::SeekFrom::Start(0)).at("read", path)?;
        Ok(WheelArchive {
            sha256: skua_cache::hex(&hasher.finalize()),
            content: Content::File(file),
        })
    }
}

/// What the files looked like when unpacked, at the top of each unpacked tree. No wheel
/// member can have this name (the unpacker refuses backslashes), so it never collides
/// with a wheel's file; installs skip it.
pub(crate) const MANIFEST_FILE: &str = "\\skua-manifest.json";

/// One file of an unpacked tree as the manifest records it.
#[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct ManifestEntry {
    path: String,
    size: u64,
    mtime: i64,
    mtime_nsec: i64,
    mode: u32,
}

/// Every file under `tree` but the manifest, sorted by path. Anything but directories and regular files
/// (which the unpacker never creates) is recorded with mode 0, so it never matches.
fn scan_tree(tree: &Path) -> Result<Vec<ManifestEntry>, InstallError> {
    use std::os::unix::fs::MetadataExt;
    let mut out = Vec::new();
    let mut stack = vec![(tree.to_path_buf(), String::new())];
    while let Some((dir, rel)) = stack.pop() {
        for entry in fs::read_dir(&dir).at("read", &dir)? {
            let entry = entry.at("read", &dir)?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let child = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            // Relative to the open directory (`fstatat`), not a walk down the whole path.
            let meta = entry.metadata().at("inspect", &entry.path())?;
            if meta.is_dir() {
                stack.push((entry.path(), child));
                continue;
            }
            if child == MANIFEST_FILE {
                continue;
            }
            out.push(ManifestEntry {
                path: child,
                size: meta.len(),
                mtime: meta.mtime(),
                mtime_nsec: meta.mtime_nsec(),
                mode: if meta.is_file() { meta.mode() } else { 0 },
            });
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// Whether the tree under `dest` is still what was unpacked. A missing or unreadable
/// manifest (a tree of an interrupted discard, or tampered with) is a mismatch.
fn tree_matches_manifest(dest: &Path) -> Result<bool, InstallError> {
    let Ok(bytes) = fs::read(dest.join(MANIFEST_FILE)) else {
        return Ok(false);
    };
    let Ok(recorded) = serde_json::from_slice::<Vec<ManifestEntry>>(&bytes) else {
        return Ok(false);
    };
    Ok(scan_tree(dest)? == recorded)
}

/// Moves a stale tree out of the way and deletes it. Another process may have done so
/// already, which is fine.
fn discard(dest: &Path, unpacked_root: &Path) -> Result<(), InstallError> {
    let trash = tempfile::Builder::new()
        .prefix(".tmp-stale-")
        .tempdir_in(unpacked_root)
        .at("create a temporary directory in", unpacked_root)?;
    match fs::rename(dest, trash.path().join("stale")) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).at("discard the modified unpacked wheel", dest),
    }
    // `trash` is deleted with its content when dropped.
}

fn extract_verified<R: Read + Seek>(
    wheel: &Path,
    reader: R,
    out: &Path,
) -> Result<(), InstallError> {
    let wheel_name = wheel
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| wheel.display().to_string());
    let invalid = |reason: String| InstallError::InvalidWheel {
        wheel: wheel_name.clone(),
        reason,
    };
    let mut archive =
        ZipArchive::new(reader).map_err(|e| invalid(format!("not a zip archive: {e}")))?;

    let names: Vec<String> = (0..archive.len())
        .map(|i| match archive.name_for_index(i) {
            Some(Ok(name)) => Ok(name.into_owned()),
            Some(Err(e)) => Err(invalid(format!("unreadable member name: {e}"))),
            None => Err(invalid(format!("member {i} is missing"))),
        })
        .collect::<Result<_, _>>()?;
    let dist_info = find_dist_info(&names, &wheel_name).map_err(invalid)?;

    let record_name = format!("{dist_info}/RECORD");
    let record = {
        let mut member = archive
            .by_name(&record_name)
            .map_err(|e| invalid(format!("cannot read {record_name}: {e}")))?;
        let mut text = String::new();
        member
            .by_ref()
            .take(MAX_RECORD_SIZE)
            .read_to_string(&mut text)
            .map_err(|e| invalid(format!("cannot read {record_name}: {e}")))?;
        parse_record(&text).map_err(invalid)?
    };
    let mut by_path: HashMap<&str, &RecordEntry> = HashMap::new();
    for entry in &record {
        if by_path.insert(entry.path.as_str(), entry).is_some() {
            return Err(invalid(format!("RECORD lists {} twice", entry.path)));
        }
    }

    // Directories made so far: each is created once, not once per file in it.
    let mut made: HashSet<PathBuf> = HashSet::new();
    let mut buf = vec![0u8; 64 * 1024];
    for (index, name) in names.iter().enumerate() {
        let mut member = archive
            .by_index(index)
            .map_err(|e| invalid(format!("cannot read member {index}: {e}")))?;
        let unsafe_path = |reason: &'static str| InstallError::UnsafePath {
            wheel: wheel_name.clone(),
            path: name.clone(),
            reason,
        };
        let components = safe_relative_components(name).map_err(unsafe_path)?;
        if member.is_symlink() {
            return Err(unsafe_path("symbolic links are not allowed in wheels"));
        }
        if member.encrypted() {
            return Err(invalid(format!("{name} is encrypted")));
        }
        let target = components.iter().fold(out.to_path_buf(), |p, c| p.join(c));
        if member.is_dir() {
            if made.insert(target.clone()) {
                fs::create_dir_all(&target).at("create", &target)?;
            }
            continue;
        }

        let unhashed = components.len() == 2
            && components[0] == dist_info
            && UNHASHED.contains(&components[1]);
        let expected = if unhashed {
            None
        } else {
            let entry = by_path
                .get(name.as_str())
                .ok_or_else(|| invalid(format!("{name} is not listed in RECORD")))?;
            let hash = entry
                .hash
                .as_deref()
                .ok_or_else(|| invalid(format!("RECORD has no hash for {name}")))?;
            Some((hash, entry.size))
        };
        if let Some((_, Some(size))) = expected
            && member.size() != size
        {
            return Err(invalid(format!(
                "{name} is {} bytes but RECORD says {size}",
                member.size()
            )));
        }

        if let Some(parent) = target.parent()
            && !made.contains(parent)
        {
            fs::create_dir_all(parent).at("create", parent)?;
            made.insert(parent.to_path_buf());
        }
        let mut output = match new_file_options(member.unix_mode()).open(&target) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                return Err(invalid(format!("{name} appears twice in the archive")));
            }
            Err(e) => return Err(e).at("create", &target),
        };
        let mut hasher = match expected {
            Some((hash, _)) => Some(
                RecordHasher::for_record_hash(hash)
                    .ok_or_else(|| invalid(format!("unsupported hash `{hash}` for {name}")))?,
            ),
            None => None,
        };
        // Never write more than RECORD (or the zip header) promised: a lying archive
        // must not fill the disk before its hash is found wrong.
        let limit = expected.and_then(|(_, size)| size).unwrap_or(member.size());
        let mut written = 0u64;
        loop {
            let n = member
                .read(&mut buf)
                .map_err(|e| invalid(format!("cannot decompress {name}: {e}")))?;
            if n == 0 {
                break;
            }
            written += n as u64;
            if written > limit {
                return Err(invalid(format!("{name} is larger than declared")));
            }
            if let Some(h) = hasher.as_mut() {
                h.update(&buf[..n]);
            }
            output.write_all(&buf[..n]).at("write", &target)?;
        }
        if let (Some(h), Some((hash, _))) = (hasher, expected) {
            let actual = h.finish();
            if !same_hash(&actual, hash) {
                return Err(InstallError::HashMismatch {
                    wheel: wheel_name.clone(),
                    file: name.clone(),
                    expected: hash.to_owned(),
                    actual,
                });
            }
        }
    }

    for required in ["METADATA", "WHEEL", "RECORD"] {
        if !out.join(&dist_info).join(required).is_file() {
            return Err(invalid(format!("{dist_info}/{required} is missing")));
        }
    }
    Ok(())
}

/// The wheel's single top-level `.dist-info` directory. A second one would let a wheel
/// install metadata claiming to be another project, so that is refused.
fn find_dist_info(names: &[String], wheel_name: &str) -> Result<String, String> {
    let mut dirs: Vec<&str> = names
        .iter()
        .filter_map(|n| n.split('/').next())
        .filter(|top| split_dist_info_name(top).is_some())
        .collect();
    dirs.sort_unstable();
    dirs.dedup();
    let dir = match dirs.as_slice() {
        [] => return Err("no .dist-info directory".to_owned()),
        [one] => *one,
        _ => {
            return Err(format!(
                "several .dist-info directories: {}",
                dirs.join(", ")
            ));
        }
    };
    if let Some((project, _)) = parse_wheel_filename(wheel_name)
        && let Some((dir_project, _)) = split_dist_info_name(dir)
        && !is_project(dir_project, &project)
    {
        return Err(format!("{dir} does not belong to project {project}"));
    }
    Ok(dir.to_owned())
}

/// Options creating a member's file: new (a member twice is an error), with the
/// executable bit from the archive (scripts in wheels rely on it) and nothing else
/// (setuid or world-writable modes from an archive are never applied), the umask applied
/// as pip applies it.
fn new_file_options(mode: Option<u32>) -> OpenOptions {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let executable = mode.is_some_and(|m| m & 0o111 != 0);
        options.mode(if executable { 0o755 } else { 0o644 });
    }
    #[cfg(not(unix))]
    let _ = mode;
    options
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_one_dist_info() {
        let names: Vec<String> = [
            "pkg/__init__.py",
            "pkg-1.0.dist-info/RECORD",
            "pkg-1.0.dist-info/WHEEL",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            find_dist_info(&names, "pkg-1.0-py3-none-any.whl").unwrap(),
            "pkg-1.0.dist-info"
        );
        assert!(find_dist_info(&names, "other-1.0-py3-none-any.whl").is_err());
        let mut two = names.clone();
        two.push("evil-1.0.dist-info/METADATA".into());
        assert!(find_dist_info(&two, "pkg-1.0-py3-none-any.whl").is_err());
    }
}
