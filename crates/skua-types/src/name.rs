use std::borrow::Borrow;
use std::fmt;
use std::str::FromStr;

/// A name that is not a valid PEP 508 project or extra name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{name}` is not a valid {kind} name: {reason}")]
pub struct InvalidName {
    pub name: String,
    pub kind: &'static str,
    pub reason: &'static str,
}

/// The one PEP 503 normalization: lower case, every run of `-`, `_` and `.` becomes one `-`.
/// Only called on names [`validate`] accepted, so there are no leading or trailing separators.
fn normalize(name: &str) -> String {
    let mut normalized = String::with_capacity(name.len());
    let mut in_separator_run = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_separator_run {
                normalized.push('-');
            }
            in_separator_run = true;
        } else {
            normalized.push(c.to_ascii_lowercase());
            in_separator_run = false;
        }
    }
    normalized
}

/// PEP 508: ASCII letters and digits, with `-`, `_` and `.` allowed inside.
fn validate(name: &str, kind: &'static str) -> Result<(), InvalidName> {
    let invalid = |reason| InvalidName {
        name: name.to_owned(),
        kind,
        reason,
    };
    let alphanumeric = |c: char| c.is_ascii_alphanumeric();
    if name.is_empty() {
        return Err(invalid("it is empty"));
    }
    if !name
        .chars()
        .all(|c| alphanumeric(c) || matches!(c, '-' | '_' | '.'))
    {
        return Err(invalid(
            "only ASCII letters, digits, `-`, `_` and `.` are allowed",
        ));
    }
    if !name.starts_with(alphanumeric) || !name.ends_with(alphanumeric) {
        return Err(invalid("it must start and end with a letter or digit"));
    }
    Ok(())
}

macro_rules! normalized_name {
    ($(#[$doc:meta])* $type:ident, $kind:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $type(String);

        impl $type {
            /// Validates `name` (PEP 508) and normalizes it.
            pub fn new(name: &str) -> Result<Self, InvalidName> {
                validate(name, $kind)?;
                Ok($type(normalize(name)))
            }

            /// The normalized form.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The form used in wheel filenames and `.dist-info` directories (`-` as `_`).
            pub fn as_dist_info_name(&self) -> String {
                self.0.replace('-', "_")
            }
        }

        impl FromStr for $type {
            type Err = InvalidName;
            fn from_str(name: &str) -> Result<Self, Self::Err> {
                $type::new(name)
            }
        }

        impl fmt::Display for $type {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $type {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($type), self.0)
            }
        }

        impl AsRef<str> for $type {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        /// Normalized names compare, hash and order like their text, so maps keyed by a
        /// name can be looked up with a `&str` already in normalized form.
        impl Borrow<str> for $type {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl PartialEq<str> for $type {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $type {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    };
}

normalized_name!(
    /// A project name in PEP 503 normal form (`Foo.Bar_baz` → `foo-bar-baz`): what index
    /// URLs, locks and installed-distribution lookups use.
    PackageName,
    "package"
);

normalized_name!(
    /// An extra name in PEP 685 normal form (the same rules as package names).
    ExtraName,
    "extra"
);

normalized_name!(
    /// A PEP 735 dependency group name, normalized like package names.
    GroupName,
    "dependency group"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_like_pep_503() {
        for (given, normal) in [
            ("Foo.Bar__baz", "foo-bar-baz"),
            ("Skf_Mixed.Case", "skf-mixed-case"),
            ("a-_-b", "a-b"),
            ("a--._b", "a-b"),
            ("ruamel.yaml", "ruamel-yaml"),
            ("simple", "simple"),
            ("A1", "a1"),
            ("SKF--._x", "skf-x"),
            ("Friendly-Bard", "friendly-bard"),
            ("FRIENDLY-BARD", "friendly-bard"),
            ("friendly.bard", "friendly-bard"),
            ("friendly_bard", "friendly-bard"),
            ("friendly--bard", "friendly-bard"),
            ("FrIeNdLy-._.-bArD", "friendly-bard"),
        ] {
            assert_eq!(PackageName::new(given).unwrap().as_str(), normal, "{given}");
        }
        assert_eq!(
            PackageName::new("Skf_Tool").unwrap().as_dist_info_name(),
            "skf_tool"
        );
    }

    #[test]
    fn rejects_what_pep_508_rejects() {
        for bad in [
            "", "-foo", "foo-", ".foo", "fo o", "foo!", "é", " foo", "foo\n",
        ] {
            let error = PackageName::new(bad).unwrap_err();
            assert_eq!(error.name, bad);
            assert!(
                error.to_string().contains("not a valid package name"),
                "{error}"
            );
        }
        assert!(ExtraName::new("[aws]").is_err());
    }

    #[test]
    fn names_are_looked_up_by_their_normal_form() {
        let mut map = std::collections::BTreeMap::new();
        map.insert(PackageName::new("Ruamel.YAML").unwrap(), 1);
        assert_eq!(map.get("ruamel-yaml"), Some(&1));
        assert_eq!(ExtraName::new("Socks_Proxy").unwrap(), "socks-proxy");
    }
}
