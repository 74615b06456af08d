//! Unpacking a source distribution into a scratch directory, refusing any member that
//! would land outside it.

use std::fs;
use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};

use crate::BuildError;

/// A member path that stays inside the destination: relative, no `..`, no drive or root.
fn safe_relative(name: &str) -> Option<PathBuf> {
    let path = Path::new(name);
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            // `..`, `/` and `C:` could all escape the scratch directory.
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    (!out.as_os_str().is_empty()).then_some(out)
}

fn write_member(
    dest: &Path,
    relative: &Path,
    reader: &mut dyn Read,
    executable: bool,
) -> io::Result<()> {
    let path = dest.join(relative);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    let mut file = fs::File::create(&path)?;
    io::copy(reader, &mut file)?;
    #[cfg(unix)]
    if executable {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755))?;
    }
    #[cfg(not(unix))]
    let _ = executable;
    Ok(())
}

/// Unpacks `sdist` (`.tar.gz` or `.zip`) into `dest` and returns the source tree: the
/// single top-level directory sdists are made of, or `dest` itself when there is none.
pub(crate) fn unpack(sdist: &Path, dest: &Path) -> Result<PathBuf, BuildError> {
    let name = sdist
        .file_name()
        .map(|name| name.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let unpack_error = |message: String| BuildError::Unpack {
        sdist: sdist.to_path_buf(),
        message,
    };
    let file = fs::File::open(sdist).map_err(|error| unpack_error(error.to_string()))?;
    if name.ends_with(".zip") {
        let mut archive =
            zip::ZipArchive::new(file).map_err(|error| unpack_error(error.to_string()))?;
        for index in 0..archive.len() {
            let mut entry = archive
                .by_index(index)
                .map_err(|error| unpack_error(error.to_string()))?;
            let raw = entry
                .name()
                .map_err(|error| unpack_error(error.to_string()))?
                .into_owned();
            let Some(relative) = safe_relative(&raw) else {
                return Err(unpack_error(format!("unsafe member path {raw}")));
            };
            if entry.is_dir() {
                fs::create_dir_all(dest.join(&relative))
                    .map_err(|error| unpack_error(error.to_string()))?;
                continue;
            }
            // Symlinks could point outside the scratch directory; a source tree never
            // needs them to build.
            if entry.is_symlink() {
                continue;
            }
            let executable = entry.unix_mode().is_some_and(|mode| mode & 0o111 != 0);
            write_member(dest, &relative, &mut entry, executable)
                .map_err(|error| unpack_error(format!("{}: {error}", relative.display())))?;
        }
    } else if name.ends_with(".tar.gz") || name.ends_with(".tgz") {
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
        let entries = archive
            .entries()
            .map_err(|error| unpack_error(error.to_string()))?;
        for entry in entries {
            let mut entry = entry.map_err(|error| unpack_error(error.to_string()))?;
            let raw = entry
                .path()
                .map_err(|error| unpack_error(error.to_string()))?
                .to_string_lossy()
                .into_owned();
            let Some(relative) = safe_relative(&raw) else {
                return Err(unpack_error(format!("unsafe member path {raw}")));
            };
            let kind = entry.header().entry_type();
            if kind.is_dir() {
                fs::create_dir_all(dest.join(&relative))
                    .map_err(|error| unpack_error(error.to_string()))?;
            } else if kind.is_file() {
                let executable = entry.header().mode().is_ok_and(|mode| mode & 0o111 != 0);
                write_member(dest, &relative, &mut entry, executable)
                    .map_err(|error| unpack_error(format!("{}: {error}", relative.display())))?;
            }
            // Links, devices and PAX headers are skipped: links could escape `dest`, the
            // rest carry no source.
        }
    } else {
        return Err(unpack_error(
            "not a source distribution (expected .tar.gz or .zip)".into(),
        ));
    }
    let mut top: Vec<PathBuf> = fs::read_dir(dest)
        .map_err(|error| unpack_error(error.to_string()))?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .collect();
    if top.len() == 1
        && let Some(only) = top.pop()
        && only.is_dir()
    {
        return Ok(only);
    }
    Ok(dest.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::safe_relative;
    use std::path::PathBuf;

    #[test]
    fn rejects_escaping_paths() {
        assert_eq!(safe_relative("a/b.py"), Some(PathBuf::from("a/b.py")));
        assert_eq!(safe_relative("./a"), Some(PathBuf::from("a")));
        assert_eq!(safe_relative("../a"), None);
        assert_eq!(safe_relative("a/../../b"), None);
        assert_eq!(safe_relative("/etc/passwd"), None);
        assert_eq!(safe_relative(""), None);
    }
}
