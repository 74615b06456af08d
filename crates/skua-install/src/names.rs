//! Distribution names as they appear in wheel filenames and `.dist-info` directories.

use skua_types::PackageName;

/// The normalized project name and the version of a wheel filename
/// (`{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl`).
///
/// Only what installation needs is checked here; tag compatibility is the resolver's
/// business.
pub(crate) fn parse_wheel_filename(filename: &str) -> Option<(PackageName, String)> {
    let stem = filename
        .len()
        .checked_sub(4)
        .filter(|&cut| filename.is_char_boundary(cut))
        .and_then(|cut| {
            let (stem, ext) = filename.split_at(cut);
            ext.eq_ignore_ascii_case(".whl").then_some(stem)
        })?;
    let parts: Vec<&str> = stem.split('-').collect();
    if !(parts.len() == 5 || parts.len() == 6) || parts.iter().any(|p| p.is_empty()) {
        return None;
    }
    Some((PackageName::new(parts[0]).ok()?, parts[1].to_owned()))
}

/// The first `Name` and `Version` headers of core metadata (`METADATA`, `PKG-INFO`): the
/// header block ends at the first empty line, and the first occurrence counts, as for
/// Python's email parser.
pub(crate) fn metadata_name_version(text: &str) -> (Option<&str>, Option<&str>) {
    let (mut name, mut version) = (None, None);
    for line in text.lines() {
        if line.trim().is_empty() {
            break;
        }
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let key = key.trim();
        if name.is_none() && key.eq_ignore_ascii_case("Name") {
            name = Some(value.trim());
        } else if version.is_none() && key.eq_ignore_ascii_case("Version") {
            version = Some(value.trim());
        }
    }
    (name, version)
}

/// Does the (escaped) project part of a `.dist-info` directory name mean `project`?
pub(crate) fn is_project(dir_project: &str, project: &PackageName) -> bool {
    PackageName::new(dir_project).is_ok_and(|name| &name == project)
}

/// Splits a `{name}-{version}.dist-info` directory name. Both parts are escaped in
/// conforming installs (`-` in the name became `_`), so the first `-` separates them.
pub(crate) fn split_dist_info_name(dir_name: &str) -> Option<(&str, &str)> {
    let stem = dir_name.strip_suffix(".dist-info")?;
    let (name, version) = stem.split_once('-')?;
    (!name.is_empty() && !version.is_empty()).then_some((name, version))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_dist_info_projects_by_normal_form() {
        let project = PackageName::new("skf-mixed-case").unwrap();
        assert!(is_project("Skf_Mixed.Case", &project));
        assert!(!is_project("skf_mixed", &project));
    }

    #[test]
    fn parses_wheel_filenames() {
        assert_eq!(
            parse_wheel_filename("skf_tool-1.0.0-py3-none-any.whl"),
            Some((PackageName::new("skf-tool").unwrap(), "1.0.0".into()))
        );
        assert_eq!(
            parse_wheel_filename("Foo.Bar-2.0-1build-cp311-cp311-manylinux_2_17_x86_64.WHL"),
            Some((PackageName::new("foo-bar").unwrap(), "2.0".into()))
        );
        assert_eq!(parse_wheel_filename("foo-1.0.tar.gz"), None);
        assert_eq!(parse_wheel_filename("foo-1.0-py3.whl"), None);
        assert_eq!(parse_wheel_filename("é.whl"), None);
    }

    #[test]
    fn reads_the_first_name_and_version_headers() {
        let text = "Metadata-Version: 2.1\nname: a\nVersion: 1.0\nName: b\n\nVersion: 9\n";
        assert_eq!(metadata_name_version(text), (Some("a"), Some("1.0")));
        assert_eq!(metadata_name_version("Summary: x\n"), (None, None));
    }

    #[test]
    fn splits_dist_info_names() {
        assert_eq!(
            split_dist_info_name("skf_tool-1.0.0.dist-info"),
            Some(("skf_tool", "1.0.0"))
        );
        assert_eq!(split_dist_info_name("skf_tool.dist-info"), None);
        assert_eq!(split_dist_info_name("skf_tool-1.0.0.data"), None);
    }
}
