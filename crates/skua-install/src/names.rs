//! Distribution names as they appear in wheel filenames and `.dist-info` directories.

pub use skua_requirements::normalize_name;

/// The normalized project name and the version of a wheel filename
/// (`{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl`).
///
/// Only what installation needs is checked here; tag compatibility is the resolver's
/// business.
pub(crate) fn parse_wheel_filename(filename: &str) -> Option<(String, String)> {
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
    Some((normalize_name(parts[0]), parts[1].to_owned()))
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
    fn normalizes() {
        assert_eq!(normalize_name("Skf_Mixed.Case"), "skf-mixed-case");
        assert_eq!(normalize_name("a--._b"), "a-b");
    }

    #[test]
    fn parses_wheel_filenames() {
        assert_eq!(
            parse_wheel_filename("skf_tool-1.0.0-py3-none-any.whl"),
            Some(("skf-tool".into(), "1.0.0".into()))
        );
        assert_eq!(
            parse_wheel_filename("Foo.Bar-2.0-1build-cp311-cp311-manylinux_2_17_x86_64.WHL"),
            Some(("foo-bar".into(), "2.0".into()))
        );
        assert_eq!(parse_wheel_filename("foo-1.0.tar.gz"), None);
        assert_eq!(parse_wheel_filename("foo-1.0-py3.whl"), None);
        assert_eq!(parse_wheel_filename("é.whl"), None);
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
