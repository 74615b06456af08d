use std::fmt;
use std::str::FromStr;

use pep440_rs::Version;

use crate::normalize_name;

/// A parsed wheel filename (PEP 427 / binary distribution format):
/// `{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl`.
///
/// `name` is PEP 503-normalized. Compressed tag sets (`py2.py3`) are split, so a wheel
/// supports every combination of `python_tags × abi_tags × platform_tags`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WheelFilename {
    pub name: String,
    pub version: Version,
    pub build: Option<String>,
    pub python_tags: Vec<String>,
    pub abi_tags: Vec<String>,
    pub platform_tags: Vec<String>,
}

impl WheelFilename {
    /// `None` when `filename` is not a valid wheel filename.
    pub fn parse(filename: &str) -> Option<Self> {
        let stem = strip_suffix_ignore_case(filename, ".whl")?;
        let parts: Vec<&str> = stem.split('-').collect();
        let (name, version, build, tags) = match parts.as_slice() {
            [name, version, py, abi, plat] => (*name, *version, None, [*py, *abi, *plat]),
            [name, version, build, py, abi, plat] => {
                (*name, *version, Some(*build), [*py, *abi, *plat])
            }
            _ => return None,
        };
        if !valid_name(name) {
            return None;
        }
        // The spec requires the build tag to start with a digit: that is what makes it
        // sortable, and what tells it apart from a tag.
        if let Some(build) = build
            && !build.starts_with(|c: char| c.is_ascii_digit())
        {
            return None;
        }
        let version = Version::from_str(version).ok()?;
        let split = |set: &str| -> Option<Vec<String>> {
            let tags: Vec<String> = set.split('.').map(str::to_owned).collect();
            let ok = tags
                .iter()
                .all(|t| !t.is_empty() && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
            ok.then_some(tags)
        };
        Some(WheelFilename {
            name: normalize_name(name),
            version,
            build: build.map(str::to_owned),
            python_tags: split(tags[0])?,
            abi_tags: split(tags[1])?,
            platform_tags: split(tags[2])?,
        })
    }

    /// The build tag split into its leading number and the rest, which is how wheels
    /// with the same version are ordered (a missing build tag sorts first).
    pub fn build_tag(&self) -> Option<(u64, &str)> {
        let build = self.build.as_deref()?;
        let digits = build
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(build.len());
        let number = build[..digits].parse().ok()?;
        Some((number, &build[digits..]))
    }

    /// Every `(python, abi, platform)` tag triple this wheel is compatible with.
    pub fn tag_triples(&self) -> impl Iterator<Item = (&str, &str, &str)> + '_ {
        self.python_tags.iter().flat_map(move |py| {
            self.abi_tags.iter().flat_map(move |abi| {
                self.platform_tags
                    .iter()
                    .map(move |plat| (py.as_str(), abi.as_str(), plat.as_str()))
            })
        })
    }
}

impl fmt::Display for WheelFilename {
    /// The canonical filename (normalized name with `_`); not necessarily the original.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.name.replace('-', "_"), self.version)?;
        if let Some(build) = &self.build {
            write!(f, "-{build}")?;
        }
        write!(
            f,
            "-{}-{}-{}.whl",
            self.python_tags.join("."),
            self.abi_tags.join("."),
            self.platform_tags.join(".")
        )
    }
}

/// Parses a source distribution filename, `{name}-{version}.tar.gz` or `.zip`, into the
/// normalized name and the version.
///
/// Legacy sdists put unescaped names with `-` in the filename (`python-dateutil-2.8.2`),
/// which is ambiguous on its own; with `project` given, the split is made where the
/// prefix normalizes to the project name, and files of other projects are rejected.
pub fn parse_sdist_filename(filename: &str, project: Option<&str>) -> Option<(String, Version)> {
    let stem = strip_suffix_ignore_case(filename, ".tar.gz")
        .or_else(|| strip_suffix_ignore_case(filename, ".zip"))?;
    let candidates: Vec<usize> = stem.match_indices('-').map(|(i, _)| i).collect();
    let split = match project {
        Some(project) => {
            let wanted = normalize_name(project);
            *candidates
                .iter()
                .find(|&&i| normalize_name(&stem[..i]) == wanted)?
        }
        None => *candidates.last()?,
    };
    let (name, version) = (&stem[..split], &stem[split + 1..]);
    if !valid_name(name) {
        return None;
    }
    let version = Version::from_str(version).ok()?;
    Some((normalize_name(name), version))
}

fn strip_suffix_ignore_case<'a>(s: &'a str, suffix: &str) -> Option<&'a str> {
    let cut = s.len().checked_sub(suffix.len())?;
    (s.is_char_boundary(cut) && s[cut..].eq_ignore_ascii_case(suffix)).then(|| &s[..cut])
}

/// PEP 508 names: ASCII letters, digits, `-`, `_`, `.`, starting and ending alphanumeric.
fn valid_name(name: &str) -> bool {
    let alnum = |c: char| c.is_ascii_alphanumeric();
    name.starts_with(alnum)
        && name.ends_with(alnum)
        && name
            .chars()
            .all(|c| alnum(c) || matches!(c, '-' | '_' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::from_str(s).unwrap()
    }

    #[test]
    fn wheel_with_compressed_tags() {
        let w = WheelFilename::parse("six-1.16.0-py2.py3-none-any.whl").unwrap();
        assert_eq!(w.name, "six");
        assert_eq!(w.version, v("1.16.0"));
        assert_eq!(w.build, None);
        assert_eq!(w.python_tags, ["py2", "py3"]);
        assert_eq!(w.abi_tags, ["none"]);
        assert_eq!(w.platform_tags, ["any"]);
        assert_eq!(
            w.tag_triples().collect::<Vec<_>>(),
            [("py2", "none", "any"), ("py3", "none", "any")]
        );
        assert_eq!(w.to_string(), "six-1.16.0-py2.py3-none-any.whl");
    }

    #[test]
    fn wheel_with_build_tag_and_platforms() {
        let w = WheelFilename::parse(
            "Skf_Native-1.0.0-12abc-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        )
        .unwrap();
        assert_eq!(w.name, "skf-native");
        assert_eq!(w.build.as_deref(), Some("12abc"));
        assert_eq!(w.build_tag(), Some((12, "abc")));
        assert_eq!(
            w.platform_tags,
            ["manylinux_2_17_x86_64", "manylinux2014_x86_64"]
        );
        let w = WheelFilename::parse("numpy-2.0.0rc1-cp312-abi3-win_amd64.WHL").unwrap();
        assert_eq!(w.version, v("2.0.0rc1"));
        assert!(w.version.is_pre());
    }

    #[test]
    fn invalid_wheels() {
        for bad in [
            "six-1.16.0-py2.py3-none.whl",          // too few parts
            "six-1.16.0-x-y-py3-none-any.whl",      // too many
            "six-1.16.0-abc-py3-none-any.whl",      // build tag must start with a digit
            "six-notaversion-py3-none-any.whl",     // version
            "six-1.16.0-py3-none-any.tar.gz",       // not a wheel
            "-1.0-py3-none-any.whl",                // empty name
            "six-1.16.0-py3..py2-none-any.whl",     // empty tag
            "six-1.16.0-py3-none-any.whl.metadata", // metadata file
            "si x-1.0-py3-none-any.whl",            // space in name
        ] {
            assert_eq!(WheelFilename::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn sdists() {
        assert_eq!(
            parse_sdist_filename("skf_simple-2.0.0.tar.gz", None),
            Some(("skf-simple".to_owned(), v("2.0.0")))
        );
        assert_eq!(
            parse_sdist_filename("python-dateutil-2.8.2.tar.gz", Some("python_dateutil")),
            Some(("python-dateutil".to_owned(), v("2.8.2")))
        );
        assert_eq!(
            parse_sdist_filename("Foo-1.0.ZIP", Some("foo")),
            Some(("foo".to_owned(), v("1.0")))
        );
        // A file of another project on the page is not ours.
        assert_eq!(parse_sdist_filename("bar-1.0.tar.gz", Some("foo")), None);
        assert_eq!(parse_sdist_filename("foo-1.0.tar.bz2", None), None);
        assert_eq!(parse_sdist_filename("foo.tar.gz", None), None);
        assert_eq!(parse_sdist_filename("foo-latest.tar.gz", None), None);
    }
}
