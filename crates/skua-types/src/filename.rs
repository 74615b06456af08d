use std::fmt;
use std::str::FromStr;

use pep440_rs::Version;

use crate::PackageName;

/// A parsed wheel filename (PEP 427 / binary distribution format):
/// `{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl`.
///
/// Compressed tag sets (`py2.py3`) are split, so a wheel
/// supports every combination of `python_tags × abi_tags × platform_tags`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WheelFilename {
    pub name: PackageName,
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
        let name = PackageName::new(name).ok()?;
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
            name,
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
        write!(f, "{}-{}", self.name.as_dist_info_name(), self.version)?;
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

/// A source distribution filename, `{name}-{version}.tar.gz` or `.zip`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SdistFilename {
    pub name: PackageName,
    pub version: Version,
}

impl SdistFilename {
    /// `None` when `filename` is not an sdist filename.
    ///
    /// Legacy sdists put unescaped names with `-` in the filename (`python-dateutil-2.8.2`),
    /// which is ambiguous on its own; with `project` given, the split is made where the
    /// prefix normalizes to the project name, and files of other projects are rejected.
    pub fn parse(filename: &str, project: Option<&PackageName>) -> Option<SdistFilename> {
        let stem = strip_suffix_ignore_case(filename, ".tar.gz")
            .or_else(|| strip_suffix_ignore_case(filename, ".zip"))?;
        let candidates: Vec<usize> = stem.match_indices('-').map(|(i, _)| i).collect();
        let split = match project {
            Some(project) => *candidates
                .iter()
                .find(|&&i| PackageName::new(&stem[..i]).is_ok_and(|name| &name == project))?,
            None => *candidates.last()?,
        };
        let name = PackageName::new(&stem[..split]).ok()?;
        let version = Version::from_str(&stem[split + 1..]).ok()?;
        Some(SdistFilename { name, version })
    }
}

fn strip_suffix_ignore_case<'a>(s: &'a str, suffix: &str) -> Option<&'a str> {
    let cut = s.len().checked_sub(suffix.len())?;
    (s.is_char_boundary(cut) && s[cut..].eq_ignore_ascii_case(suffix)).then(|| &s[..cut])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::from_str(s).unwrap()
    }

    fn sdist(filename: &str, project: Option<&str>) -> Option<(String, Version)> {
        let project = project.map(|name| PackageName::new(name).unwrap());
        SdistFilename::parse(filename, project.as_ref())
            .map(|sdist| (sdist.name.to_string(), sdist.version))
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
            sdist("skf_simple-2.0.0.tar.gz", None),
            Some(("skf-simple".to_owned(), v("2.0.0")))
        );
        assert_eq!(
            sdist("python-dateutil-2.8.2.tar.gz", Some("python_dateutil")),
            Some(("python-dateutil".to_owned(), v("2.8.2")))
        );
        assert_eq!(
            sdist("Foo-1.0.ZIP", Some("foo")),
            Some(("foo".to_owned(), v("1.0")))
        );
        // A file of another project on the page is not ours.
        assert_eq!(sdist("bar-1.0.tar.gz", Some("foo")), None);
        assert_eq!(sdist("foo-1.0.tar.bz2", None), None);
        assert_eq!(sdist("foo.tar.gz", None), None);
        assert_eq!(sdist("foo-latest.tar.gz", None), None);
    }
}
