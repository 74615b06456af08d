//! The target a resolution or an install is for: a Python version on a platform. It
//! answers two questions: how do environment markers evaluate there, and which wheels run
//! there (and which of them is best).

use std::fmt;
use std::process::Command;

use skua_requirements::MarkerEnvironment;

#[derive(Debug, thiserror::Error)]
pub enum PlatformError {
    #[error("invalid Python version `{0}`: expected MAJOR.MINOR, e.g. 3.11")]
    PythonVersion(String),
    #[error(
        "unknown platform `{0}`: expected linux, macos, windows, or a target like x86_64-manylinux_2_28, aarch64-apple-darwin, x86_64-pc-windows-msvc"
    )]
    Platform(String),
    #[error("could not query the Python interpreter `{interpreter}`: {message}")]
    Interpreter {
        interpreter: String,
        message: String,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arch {
    X86_64,
    Aarch64,
    X86,
}

impl Arch {
    fn wheel_name(self, os: &Os) -> &'static str {
        match (self, os) {
            (Arch::X86_64, Os::Windows) => "amd64",
            (Arch::X86, Os::Windows) => "win32",
            (Arch::Aarch64, Os::Windows) => "arm64",
            (Arch::Aarch64, Os::Macos { .. }) => "arm64",
            (Arch::X86_64, _) => "x86_64",
            (Arch::Aarch64, _) => "aarch64",
            (Arch::X86, _) => "i686",
        }
    }

    fn parse(text: &str) -> Option<Arch> {
        match text {
            "x86_64" | "amd64" | "AMD64" | "x64" => Some(Arch::X86_64),
            "aarch64" | "arm64" | "ARM64" => Some(Arch::Aarch64),
            "i686" | "x86" | "i386" | "win32" => Some(Arch::X86),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Os {
    /// glibc Linux with the newest manylinux level it supports.
    Manylinux {
        major: u16,
        minor: u16,
    },
    Musllinux {
        major: u16,
        minor: u16,
    },
    Macos {
        major: u16,
        minor: u16,
    },
    Windows,
}

/// A Python version and platform to resolve or install for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub python: (u16, u16),
    /// The full version when known (`3.11.7`); `MAJOR.MINOR.0` otherwise, as uv assumes.
    pub python_full: String,
    pub arch: Arch,
    pub os: Os,
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let platform = match &self.os {
            Os::Manylinux { major, minor } => format!(
                "{}-manylinux_{major}_{minor}",
                self.arch.wheel_name(&self.os)
            ),
            Os::Musllinux { major, minor } => format!(
                "{}-musllinux_{major}_{minor}",
                self.arch.wheel_name(&self.os)
            ),
            Os::Macos { major, minor } => {
                format!("{}-macos-{major}.{minor}", self.arch.wheel_name(&self.os))
            }
            Os::Windows => format!("{}-windows", self.arch.wheel_name(&self.os)),
        };
        write!(
            f,
            "Python {}.{} on {platform}",
            self.python.0, self.python.1
        )
    }
}

impl Target {
    /// Reads back what [`Target`]'s `Display` writes (`Python 3.11 on
    /// x86_64-manylinux_2_28`), as in the header of a lock skua wrote.
    pub fn parse_description(text: &str) -> Option<Target> {
        let (python, platform) = text.trim().strip_prefix("Python ")?.split_once(" on ")?;
        let (major, minor, _) = parse_python_version(python).ok()?;
        let (arch, os) = match parse_platform(platform) {
            Ok(parsed) => parsed,
            Err(_) => {
                let (arch, rest) = platform.split_once('-')?;
                let arch = Arch::parse(arch)?;
                let os = if rest == "windows" {
                    Os::Windows
                } else {
                    let (major, minor) = rest.strip_prefix("macos-")?.split_once('.')?;
                    Os::Macos {
                        major: major.parse().ok()?,
                        minor: minor.parse().ok()?,
                    }
                };
                (arch, os)
            }
        };
        Some(Target {
            python: (major, minor),
            python_full: format!("{major}.{minor}.0"),
            arch,
            os,
        })
    }

    /// Whether what was resolved for `self` holds on `other`: the same Python minor
    /// version (markers and wheel tags differ between them), architecture and operating
    /// system, and no newer glibc, musl or macOS than `other` has.
    pub fn serves(&self, other: &Target) -> bool {
        let os = match (&self.os, &other.os) {
            (Os::Manylinux { major, minor }, Os::Manylinux { major: m, minor: n })
            | (Os::Musllinux { major, minor }, Os::Musllinux { major: m, minor: n })
            | (Os::Macos { major, minor }, Os::Macos { major: m, minor: n }) => {
                (major, minor) <= (m, n)
            }
            (Os::Windows, Os::Windows) => true,
            _ => false,
        };
        os && self.python == other.python && self.arch == other.arch
    }
}

pub fn parse_python_version(text: &str) -> Result<(u16, u16, Option<u16>), PlatformError> {
    let error = || PlatformError::PythonVersion(text.to_string());
    let mut parts = text.trim().split('.');
    let major = parts
        .next()
        .and_then(|p| p.parse().ok())
        .ok_or_else(error)?;
    let minor = parts
        .next()
        .and_then(|p| p.parse().ok())
        .ok_or_else(error)?;
    let patch = match parts.next() {
        Some(p) => Some(p.parse().map_err(|_| error())?),
        None => None,
    };
    if parts.next().is_some() || major != 3 {
        return Err(error());
    }
    Ok((major, minor, patch))
}

/// `linux`, `macos`, `windows`, or a target triple / tag-like name.
pub fn parse_platform(text: &str) -> Result<(Arch, Os), PlatformError> {
    let error = || PlatformError::Platform(text.to_string());
    let lower = text.trim().to_ascii_lowercase();
    Ok(match lower.as_str() {
        // The aliases uv uses: glibc 2.17 (manylinux2014), Apple silicon, 64-bit Windows.
        "linux" | "x86_64-unknown-linux-gnu" => (
            Arch::X86_64,
            Os::Manylinux {
                major: 2,
                minor: 17,
            },
        ),
        "aarch64-unknown-linux-gnu" => (
            Arch::Aarch64,
            Os::Manylinux {
                major: 2,
                minor: 17,
            },
        ),
        "x86_64-unknown-linux-musl" => (Arch::X86_64, Os::Musllinux { major: 1, minor: 2 }),
        "aarch64-unknown-linux-musl" => (Arch::Aarch64, Os::Musllinux { major: 1, minor: 2 }),
        "macos" | "aarch64-apple-darwin" => (
            Arch::Aarch64,
            Os::Macos {
                major: 12,
                minor: 0,
            },
        ),
        "x86_64-apple-darwin" => (
            Arch::X86_64,
            Os::Macos {
                major: 10,
                minor: 12,
            },
        ),
        "windows" | "x86_64-pc-windows-msvc" => (Arch::X86_64, Os::Windows),
        "i686-pc-windows-msvc" => (Arch::X86, Os::Windows),
        "aarch64-pc-windows-msvc" => (Arch::Aarch64, Os::Windows),
        _ => {
            // x86_64-manylinux_2_28, aarch64-musllinux_1_2
            let (arch, rest) = lower.split_once('-').ok_or_else(error)?;
            let arch = Arch::parse(arch).ok_or_else(error)?;
            let (kind, version) = rest.split_once('_').ok_or_else(error)?;
            let (major, minor) = version.split_once('_').ok_or_else(error)?;
            let major = major.parse().map_err(|_| error())?;
            let minor = minor.parse().map_err(|_| error())?;
            let os = match kind {
                "manylinux" => Os::Manylinux { major, minor },
                "musllinux" => Os::Musllinux { major, minor },
                _ => return Err(error()),
            };
            (arch, os)
        }
    })
}

/// What an interpreter reports about itself that decides its target, as printed by
/// Python (see [`Target::from_reported`]).
#[derive(Debug, Clone, Copy)]
pub struct ReportedPlatform<'a> {
    pub python_version: &'a str,
    pub sysconfig_platform: &'a str,
    /// `platform.libc_ver()` joined by a space: `glibc 2.36`, or ` ` on musl and macOS.
    pub libc: &'a str,
    pub mac_version: &'a str,
}

impl Target {
    /// A target from `--python-version` / `--python-platform` values.
    pub fn new(python_version: &str, platform: &str) -> Result<Target, PlatformError> {
        let (major, minor, patch) = parse_python_version(python_version)?;
        let (arch, os) = parse_platform(platform)?;
        Ok(Target {
            python: (major, minor),
            python_full: format!("{major}.{minor}.{}", patch.unwrap_or(0)),
            arch,
            os,
        })
    }

    /// The interpreter `python` (e.g. `python3`) and the machine it runs on.
    pub fn from_interpreter(python: &str) -> Result<Target, PlatformError> {
        const PROBE: &str = "import platform, sys, sysconfig\nprint(platform.python_version())\nprint(sysconfig.get_platform())\nprint(platform.libc_ver()[0] + ' ' + platform.libc_ver()[1])\nprint(platform.mac_ver()[0])";
        let failed = |message: String| PlatformError::Interpreter {
            interpreter: python.to_string(),
            message,
        };
        let output = Command::new(python)
            .args(["-I", "-c", PROBE])
            .output()
            .map_err(|error| failed(error.to_string()))?;
        if !output.status.success() {
            return Err(failed(
                String::from_utf8_lossy(&output.stderr).trim().to_string(),
            ));
        }
        let stdout = String::from_utf8_lossy(&output.stdout);
        let mut lines = stdout.lines();
        let reported = ReportedPlatform {
            python_version: lines.next().unwrap_or(""),
            sysconfig_platform: lines.next().unwrap_or(""),
            libc: lines.next().unwrap_or(""),
            mac_version: lines.next().unwrap_or(""),
        };
        Target::from_reported(python, &reported)
    }

    /// The target an interpreter describes with `reported` (what it printed for
    /// `platform.python_version()`, `sysconfig.get_platform()`, `platform.libc_ver()`
    /// joined by a space, and `platform.mac_ver()[0]`), for callers that probed it
    /// already. `python` names the interpreter in errors.
    pub fn from_reported(
        python: &str,
        reported: &ReportedPlatform,
    ) -> Result<Target, PlatformError> {
        let failed = |message: String| PlatformError::Interpreter {
            interpreter: python.to_string(),
            message,
        };
        let ReportedPlatform {
            python_version: version,
            sysconfig_platform,
            libc,
            mac_version: mac,
        } = *reported;
        let (major, minor, patch) =
            parse_python_version(version).map_err(|error| failed(error.to_string()))?;
        let (arch, os) = if let Some(machine) = sysconfig_platform.strip_prefix("linux-") {
            let arch = Arch::parse(machine)
                .ok_or_else(|| failed(format!("unsupported machine `{machine}`")))?;
            let os = match libc.split_once(' ') {
                Some(("glibc", version)) => {
                    let (major, minor) = version.split_once('.').unwrap_or((version, "0"));
                    Os::Manylinux {
                        major: major.parse().unwrap_or(2),
                        minor: minor.parse().unwrap_or(17),
                    }
                }
                _ => Os::Musllinux { major: 1, minor: 2 },
            };
            (arch, os)
        } else if sysconfig_platform.starts_with("macosx-") {
            let machine = sysconfig_platform.rsplit('-').next().unwrap_or("");
            let arch = Arch::parse(machine).unwrap_or(Arch::Aarch64);
            let (major, minor) = mac.split_once('.').unwrap_or((mac, "0"));
            let minor = minor.split('.').next().unwrap_or("0");
            (
                arch,
                Os::Macos {
                    major: major.parse().unwrap_or(12),
                    minor: minor.parse().unwrap_or(0),
                },
            )
        } else if sysconfig_platform.starts_with("win") {
            let arch = match sysconfig_platform {
                "win32" => Arch::X86,
                "win-arm64" => Arch::Aarch64,
                _ => Arch::X86_64,
            };
            (arch, Os::Windows)
        } else {
            return Err(failed(format!(
                "unsupported platform `{sysconfig_platform}`"
            )));
        };
        Ok(Target {
            python: (major, minor),
            python_full: format!("{major}.{minor}.{}", patch.unwrap_or(0)),
            arch,
            os,
        })
    }

    pub fn python_version_string(&self) -> String {
        format!("{}.{}", self.python.0, self.python.1)
    }

    /// The PEP 508 marker values of this target.
    pub fn marker_environment(&self) -> MarkerEnvironment {
        let (sys_platform, platform_system, os_name) = match self.os {
            Os::Manylinux { .. } | Os::Musllinux { .. } => ("linux", "Linux", "posix"),
            Os::Macos { .. } => ("darwin", "Darwin", "posix"),
            Os::Windows => ("win32", "Windows", "nt"),
        };
        let machine = match (&self.os, self.arch) {
            (Os::Windows, Arch::X86_64) => "AMD64",
            (Os::Windows, Arch::Aarch64) => "ARM64",
            (Os::Windows, Arch::X86) => "x86",
            (Os::Macos { .. }, Arch::Aarch64) => "arm64",
            (_, Arch::X86_64) => "x86_64",
            (_, Arch::Aarch64) => "aarch64",
            (_, Arch::X86) => "i686",
        };
        MarkerEnvironment {
            implementation_name: "cpython".into(),
            implementation_version: self.python_full.clone(),
            os_name: os_name.into(),
            platform_machine: machine.into(),
            platform_python_implementation: "CPython".into(),
            platform_release: String::new(),
            platform_system: platform_system.into(),
            platform_version: String::new(),
            python_full_version: self.python_full.clone(),
            python_version: self.python_version_string(),
            sys_platform: sys_platform.into(),
        }
    }

    /// Platform tags in preference order (most specific first), ending with `any`.
    fn platform_tags(&self) -> Vec<String> {
        let arch = self.arch.wheel_name(&self.os);
        let mut tags = Vec::new();
        match self.os {
            Os::Manylinux { major, minor } => {
                for glibc_minor in (0..=minor).rev() {
                    if major == 2 && glibc_minor < 5 {
                        break;
                    }
                    tags.push(format!("manylinux_{major}_{glibc_minor}_{arch}"));
                    // PEP 600 legacy aliases.
                    let alias = match (major, glibc_minor) {
                        (2, 17) => Some("manylinux2014"),
                        (2, 12) => Some("manylinux2010"),
                        (2, 5) => Some("manylinux1"),
                        _ => None,
                    };
                    if let Some(alias) = alias {
                        tags.push(format!("{alias}_{arch}"));
                    }
                }
                tags.push(format!("linux_{arch}"));
            }
            Os::Musllinux { major, minor } => {
                for musl_minor in (0..=minor).rev() {
                    tags.push(format!("musllinux_{major}_{musl_minor}_{arch}"));
                }
                tags.push(format!("linux_{arch}"));
            }
            Os::Macos { major, minor } => {
                let binary_formats: &[&str] = match self.arch {
                    Arch::Aarch64 => &["arm64", "universal2"],
                    _ => &[
                        "x86_64",
                        "intel",
                        "fat64",
                        "fat32",
                        "universal2",
                        "universal",
                    ],
                };
                let mut versions = Vec::new();
                if major >= 11 {
                    for m in (11..=major).rev() {
                        versions.push((m, 0));
                    }
                    if self.arch == Arch::X86_64 {
                        for m in (4..=16).rev() {
                            versions.push((10, m));
                        }
                    }
                } else {
                    for m in (4..=minor).rev() {
                        versions.push((10, m));
                    }
                }
                let _ = minor;
                for (version_major, version_minor) in versions {
                    for format in binary_formats {
                        tags.push(format!("macosx_{version_major}_{version_minor}_{format}"));
                    }
                }
            }
            Os::Windows => tags.push(format!("win_{arch}").replace("win_win32", "win32")),
        }
        tags
    }

    /// Every compatible `(python, abi, platform)` tag triple, most preferred first.
    pub fn tags(&self) -> Tags {
        let (major, minor) = self.python;
        let cp = format!("cp{major}{minor}");
        let platforms = self.platform_tags();
        let mut ordered: Vec<(String, String, String)> = Vec::new();
        for platform in &platforms {
            ordered.push((cp.clone(), cp.clone(), platform.clone()));
        }
        for abi3_minor in (2..=minor).rev() {
            for platform in &platforms {
                ordered.push((
                    format!("cp{major}{abi3_minor}"),
                    "abi3".into(),
                    platform.clone(),
                ));
            }
        }
        for platform in &platforms {
            ordered.push((cp.clone(), "none".into(), platform.clone()));
        }
        for py_minor in (0..=minor).rev() {
            for platform in &platforms {
                ordered.push((
                    format!("py{major}{py_minor}"),
                    "none".into(),
                    platform.clone(),
                ));
            }
            if py_minor == minor {
                for platform in &platforms {
                    ordered.push((format!("py{major}"), "none".into(), platform.clone()));
                }
            }
        }
        ordered.push((cp.clone(), "none".into(), "any".into()));
        ordered.push((format!("py{major}{minor}"), "none".into(), "any".into()));
        ordered.push((format!("py{major}"), "none".into(), "any".into()));
        for py_minor in (0..minor).rev() {
            ordered.push((format!("py{major}{py_minor}"), "none".into(), "any".into()));
        }
        let mut ranks = std::collections::HashMap::with_capacity(ordered.len());
        for (rank, triple) in ordered.into_iter().enumerate() {
            ranks.entry(triple).or_insert(rank);
        }
        Tags { ranks }
    }
}

/// Compatible wheel tags with their preference rank (lower is better).
#[derive(Clone, Debug)]
pub struct Tags {
    ranks: std::collections::HashMap<(String, String, String), usize>,
}

impl Tags {
    /// The best rank of any tag in a wheel's (possibly compressed) tag sets; `None` if the
    /// wheel cannot run on the target.
    pub fn rank(
        &self,
        python_tags: &[String],
        abi_tags: &[String],
        platform_tags: &[String],
    ) -> Option<usize> {
        let mut best: Option<usize> = None;
        for python in python_tags {
            for abi in abi_tags {
                for platform in platform_tags {
                    let key = (python.clone(), abi.clone(), platform.clone());
                    if let Some(rank) = self.ranks.get(&key) {
                        best = Some(best.map_or(*rank, |b: usize| b.min(*rank)));
                    }
                }
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn descriptions_read_back() {
        for (python, platform) in [
            ("3.11", "x86_64-manylinux_2_28"),
            ("3.13", "aarch64-musllinux_1_2"),
            ("3.12", "macos"),
            ("3.10", "x86_64-apple-darwin"),
            ("3.9", "windows"),
            ("3.12", "aarch64-pc-windows-msvc"),
        ] {
            let target = Target::new(python, platform).expect(platform);
            assert_eq!(
                Target::parse_description(&target.to_string()),
                Some(target.clone()),
                "{target}"
            );
        }
        assert_eq!(Target::parse_description("Python 3.11 on mars"), None);
        assert_eq!(Target::parse_description("pip-compile"), None);
    }

    #[test]
    fn a_lock_serves_newer_platforms_of_its_kind_only() {
        let t = |python, platform| Target::new(python, platform).expect(platform);
        let lock = t("3.11", "x86_64-manylinux_2_28");
        assert!(lock.serves(&t("3.11", "x86_64-manylinux_2_36")));
        assert!(
            !lock.serves(&t("3.11", "x86_64-manylinux_2_17")),
            "older glibc"
        );
        assert!(
            !lock.serves(&t("3.12", "x86_64-manylinux_2_28")),
            "another Python"
        );
        assert!(
            !lock.serves(&t("3.11", "aarch64-manylinux_2_28")),
            "another arch"
        );
        assert!(!lock.serves(&t("3.11", "x86_64-musllinux_1_2")), "musl");
        assert!(!lock.serves(&t("3.11", "windows")));
    }
    use super::*;

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn manylinux_target_accepts_older_glibc_and_pure_wheels() {
        let tags = Target::new("3.11", "x86_64-manylinux_2_28").unwrap().tags();
        let native = tags.rank(
            &strings(&["cp311"]),
            &strings(&["cp311"]),
            &strings(&["manylinux_2_17_x86_64", "manylinux2014_x86_64"]),
        );
        let abi3 = tags.rank(
            &strings(&["cp38"]),
            &strings(&["abi3"]),
            &strings(&["manylinux_2_5_x86_64", "manylinux1_x86_64"]),
        );
        let pure = tags.rank(&strings(&["py3"]), &strings(&["none"]), &strings(&["any"]));
        assert!(native.unwrap() < abi3.unwrap() && abi3.unwrap() < pure.unwrap());
        assert_eq!(
            tags.rank(
                &strings(&["cp311"]),
                &strings(&["cp311"]),
                &strings(&["manylinux_2_31_x86_64"])
            ),
            None
        );
        assert_eq!(
            tags.rank(
                &strings(&["cp312"]),
                &strings(&["cp312"]),
                &strings(&["manylinux_2_17_x86_64"])
            ),
            None
        );
        assert_eq!(
            tags.rank(
                &strings(&["cp311"]),
                &strings(&["cp311"]),
                &strings(&["win_amd64"])
            ),
            None
        );
        assert_eq!(
            tags.rank(
                &strings(&["cp311"]),
                &strings(&["cp311"]),
                &strings(&["manylinux_2_17_aarch64"])
            ),
            None
        );
        assert!(
            tags.rank(
                &strings(&["py2", "py3"]),
                &strings(&["none"]),
                &strings(&["any"])
            )
            .is_some()
        );
    }

    #[test]
    fn windows_and_macos_tags() {
        let windows = Target::new("3.12", "windows").unwrap().tags();
        assert!(
            windows
                .rank(
                    &strings(&["cp312"]),
                    &strings(&["cp312"]),
                    &strings(&["win_amd64"])
                )
                .is_some()
        );
        assert!(
            windows
                .rank(
                    &strings(&["cp312"]),
                    &strings(&["cp312"]),
                    &strings(&["manylinux_2_17_x86_64"])
                )
                .is_none()
        );
        let mac = Target::new("3.11", "macos").unwrap().tags();
        assert!(
            mac.rank(
                &strings(&["cp311"]),
                &strings(&["cp311"]),
                &strings(&["macosx_11_0_arm64"])
            )
            .is_some()
        );
        assert!(
            mac.rank(
                &strings(&["cp311"]),
                &strings(&["cp311"]),
                &strings(&["macosx_10_9_universal2"])
            )
            .is_none()
        );
        assert!(
            mac.rank(
                &strings(&["cp311"]),
                &strings(&["cp311"]),
                &strings(&["macosx_14_0_arm64"])
            )
            .is_none()
        );
    }

    #[test]
    fn markers_follow_the_target() {
        let env = Target::new("3.11", "windows").unwrap().marker_environment();
        assert_eq!(env.sys_platform, "win32");
        assert_eq!(env.python_full_version, "3.11.0");
        let marker: skua_requirements::Marker =
            "sys_platform == \"win32\" and python_version >= \"3.10\""
                .parse()
                .unwrap();
        assert!(marker.evaluate(&env, &[]));
    }

    #[test]
    fn rejects_bad_values() {
        assert!(Target::new("3", "linux").is_err());
        assert!(Target::new("3.11", "solaris").is_err());
        assert!(Target::new("2.7", "linux").is_err());
    }

    #[test]
    fn queries_the_local_interpreter() {
        let target = Target::from_interpreter("python3").unwrap();
        assert_eq!(target.python.0, 3);
    }
}
