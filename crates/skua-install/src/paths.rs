//! Path checks shared by unpacking, installing and uninstalling.

use std::path::{Component, Path, PathBuf};

/// Checks an archive member or RECORD path (always `/`-separated) and returns its
/// components. Refuses anything that could land outside the directory it is joined to:
/// absolute paths, drive letters, `..`, and backslashes (a separator on Windows).
pub(crate) fn safe_relative_components(name: &str) -> Result<Vec<&str>, &'static str> {
    if name.is_empty() {
        return Err("empty path");
    }
    if name.contains('\0') {
        return Err("NUL byte in path");
    }
    if name.contains('\\') {
        return Err("backslash in path");
    }
    if name.starts_with('/') {
        return Err("absolute path");
    }
    let trimmed = name.strip_suffix('/').unwrap_or(name);
    let mut components = Vec::new();
    for (i, component) in trimmed.split('/').enumerate() {
        match component {
            "" => return Err("empty path component"),
            "." => return Err("`.` path component"),
            ".." => return Err("`..` path component"),
            c if i == 0 && c.len() >= 2 && c.as_bytes()[1] == b':' => {
                return Err("drive-letter path");
            }
            c => components.push(c),
        }
    }
    Ok(components)
}

/// Where a RECORD path points: relative to `base` (the directory holding the
/// `.dist-info`), or as given when absolute, which PEP 376 allowed. Callers check that it
/// stays inside the environment.
pub(crate) fn join_record_path(base: &Path, record_path: &str) -> PathBuf {
    if Path::new(record_path).is_absolute() {
        PathBuf::from(record_path)
    } else {
        record_path
            .split(['/', '\\'])
            .fold(base.to_path_buf(), |p, c| p.join(c))
    }
}

/// `path` with `.` and `..` resolved textually; `..` never climbs above the root.
pub(crate) fn normalize_lexically(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The `/`-separated path of `target` relative to `base` (both absolute and normalized),
/// with `..` where `target` is not below `base`: how RECORD names files outside
/// site-packages (`../../../bin/tool`). `None` if a component is not UTF-8.
pub(crate) fn relative_record_path(base: &Path, target: &Path) -> Option<String> {
    let base: Vec<Component> = base.components().collect();
    let target: Vec<Component> = target.components().collect();
    let common = base.iter().zip(&target).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<&str> = vec![".."; base.len() - common];
    for component in &target[common..] {
        parts.push(component.as_os_str().to_str()?);
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_relative_paths() {
        assert_eq!(safe_relative_components("a/b.py"), Ok(vec!["a", "b.py"]));
        assert_eq!(safe_relative_components("a/b/"), Ok(vec!["a", "b"]));
        assert_eq!(
            safe_relative_components("..a/b..c"),
            Ok(vec!["..a", "b..c"])
        );
    }

    #[test]
    fn rejects_escaping_paths() {
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a/./b",
            "a//b",
            "C:/x",
            "c:x",
            "a\\..\\b",
            "a\0b",
        ] {
            assert!(
                safe_relative_components(bad).is_err(),
                "{bad:?} was accepted"
            );
        }
    }

    #[test]
    fn normalizes_and_relates() {
        assert_eq!(
            normalize_lexically(Path::new("/v/lib/sp/../../../bin/./x")),
            PathBuf::from("/bin/x")
        );
        assert_eq!(normalize_lexically(Path::new("/../x")), PathBuf::from("/x"));
        assert_eq!(
            relative_record_path(Path::new("/v/lib/py/sp"), Path::new("/v/bin/tool")).as_deref(),
            Some("../../../bin/tool")
        );
        assert_eq!(
            relative_record_path(Path::new("/v/sp"), Path::new("/v/sp/a/b.py")).as_deref(),
            Some("a/b.py")
        );
    }
}
