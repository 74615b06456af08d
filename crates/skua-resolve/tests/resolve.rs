//! Resolution against a real HTTP index on 127.0.0.1 serving the fixture wheels
//! (`fixtures/index/packages.toml`, built by `scripts/make_fixture_index.py`).

use std::collections::{HashMap, HashSet};
use std::str::FromStr;
use std::sync::{Arc, Mutex};

use skua_index::{Cache, IndexClient, IndexClientBuilder, IndexUrl, Version};
use skua_platform::Target;
use skua_requirements::Requirement;
use skua_resolve::{
    LockHeader, Manifest, PrereleaseMode, Progress, Resolution, ResolveError, ResolverOptions,
    RootRequirement, SkippedVersion, Unusable, Upgrade, render_pylock, render_requirements_txt,
};
use skua_test_support::IndexServer;

struct Harness {
    server: IndexServer,
    cache: tempfile::TempDir,
    runtime: tokio::runtime::Runtime,
}

impl Harness {
    fn new() -> Harness {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        Harness {
            server: IndexServer::start_fixture(),
            cache: tempfile::tempdir().expect("tempdir"),
            runtime,
        }
    }

    fn client(&self, indexes: &[&str], offline: bool) -> IndexClient {
        let mut builder = IndexClientBuilder::new(Cache::new(self.cache.path()))
            .offline(offline)
            .netrc(None);
        for (position, index) in indexes.iter().enumerate() {
            let url = IndexUrl::parse(&self.server.simple_url(index)).expect("index url");
            builder = if position == 0 {
                builder.index_url(url)
            } else {
                builder.extra_index_url(url)
            };
        }
        builder.build().expect("client")
    }

    fn resolve_with(
        &self,
        requirements: &[&str],
        indexes: &[&str],
        configure: impl FnOnce(&mut ResolverOptions),
    ) -> Result<Resolution, ResolveError> {
        let mut options = options("3.11", "x86_64-manylinux_2_28");
        configure(&mut options);
        let client = self.client(indexes, false);
        skua_resolve::resolve(
            &manifest(requirements),
            &options,
            &client,
            self.runtime.handle(),
            Arc::new(|_| {}),
        )
    }

    fn resolve(&self, requirements: &[&str]) -> Result<Resolution, ResolveError> {
        self.resolve_with(requirements, &["primary"], |_| {})
    }

    /// Resolves for Python `python` on the primary index, with the warnings sent.
    fn resolve_warned(
        &self,
        requirements: &[&str],
        python: &str,
    ) -> (Result<Resolution, ResolveError>, Vec<SkippedVersion>) {
        let warnings = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&warnings);
        let client = self.client(&["primary"], false);
        let result = skua_resolve::resolve(
            &manifest(requirements),
            &options(python, "x86_64-manylinux_2_28"),
            &client,
            self.runtime.handle(),
            Arc::new(move |event| {
                if let Progress::Warning(skipped) = event {
                    sink.lock().expect("warnings").push(skipped);
                }
            }),
        );
        let warnings = warnings.lock().expect("warnings").clone();
        (result, warnings)
    }
}

impl Harness {
    /// Resolves `requirements` with `overrides` (`--override` lines) for Python `python`.
    fn resolve_overridden(
        &self,
        requirements: &[&str],
        overrides: &[&str],
        python: &str,
    ) -> Result<Resolution, ResolveError> {
        let mut manifest = manifest(requirements);
        manifest.overrides = overrides
            .iter()
            .map(|line| Requirement::from_str(line).expect("override"))
            .collect();
        let client = self.client(&["primary"], false);
        skua_resolve::resolve(
            &manifest,
            &options(python, "x86_64-manylinux_2_28"),
            &client,
            self.runtime.handle(),
            Arc::new(|_| {}),
        )
    }
}

fn options(python: &str, platform: &str) -> ResolverOptions {
    ResolverOptions {
        target: Target::new(python, platform).expect("target"),
        prerelease: PrereleaseMode::IfNecessary,
        exclude_newer: None,
        preferences: HashMap::new(),
        upgrade: Upgrade::None,
        sdist_builder: None,
    }
}

fn manifest(requirements: &[&str]) -> Manifest {
    Manifest {
        requirements: requirements
            .iter()
            .map(|line| RootRequirement {
                editable: false,
                requirement: Requirement::from_str(line).expect("requirement"),
                source: "-r requirements.in".to_string(),
            })
            .collect(),
        constraints: Vec::new(),
        overrides: Vec::new(),
    }
}

fn pins(resolution: &Resolution) -> Vec<String> {
    resolution
        .packages
        .values()
        .map(|p| format!("{}=={}", p.name, p.version))
        .collect()
}

fn no_solution(result: Result<Resolution, ResolveError>) -> String {
    match result {
        Err(ResolveError::NoSolution(no_solution)) => no_solution.to_string(),
        other => panic!("expected no solution, got {other:?}"),
    }
}

#[test]
fn simple_picks_the_newest_and_hashes_every_usable_file() {
    let harness = Harness::new();
    let resolution = harness.resolve(&["skf-simple"]).unwrap();
    assert_eq!(pins(&resolution), ["skf-simple==2.0.0"]);
    let package = &resolution.packages["skf-simple"];
    assert_eq!(package.files.len(), 2, "the wheel and the sdist");
    assert!(
        package.files[0].filename.ends_with(".whl"),
        "wheels are preferred"
    );
    assert!(package.via.contains("-r requirements.in"));
}

#[test]
fn transitive_chain_with_via_annotations() {
    let harness = Harness::new();
    let resolution = harness.resolve(&["skf-chain-a"]).unwrap();
    assert_eq!(
        pins(&resolution),
        [
            "skf-chain-a==1.0.0",
            "skf-chain-b==1.0.0",
            "skf-chain-c==1.5.0"
        ]
    );
    assert_eq!(
        resolution.packages["skf-chain-c"]
            .via
            .iter()
            .collect::<Vec<_>>(),
        ["skf-chain-b"]
    );
}

#[test]
fn extras_pull_their_dependencies_only_when_asked() {
    let harness = Harness::new();
    let plain = harness.resolve(&["skf-web"]).unwrap();
    assert_eq!(pins(&plain), ["skf-simple==2.0.0", "skf-web==1.0.0"]);
    let tls = harness.resolve(&["skf-web[tls]"]).unwrap();
    assert_eq!(
        pins(&tls),
        ["skf-certs==2.1.0", "skf-simple==2.0.0", "skf-web==1.0.0"]
    );
    assert!(tls.packages["skf-web"].extras.contains("tls"));
    let all = harness.resolve(&["skf-web[all]"]).unwrap();
    assert_eq!(
        pins(&all),
        [
            "skf-certs==2.1.0",
            "skf-simple==2.0.0",
            "skf-socks==1.0.0",
            "skf-web==1.0.0"
        ]
    );
}

#[test]
fn markers_are_evaluated_for_the_target() {
    let harness = Harness::new();
    let linux = harness.resolve(&["skf-markers"]).unwrap();
    assert_eq!(pins(&linux), ["skf-markers==1.0.0", "skf-simple==2.0.0"]);
    let windows = harness
        .resolve_with(&["skf-markers"], &["primary"], |o| {
            o.target = Target::new("3.11", "windows").unwrap()
        })
        .unwrap();
    assert_eq!(
        pins(&windows),
        [
            "skf-markers==1.0.0",
            "skf-simple==2.0.0",
            "skf-wincolor==1.0.0"
        ]
    );
    let skipped = harness
        .resolve(&["skf-simple==1.0.0; python_version < \"3.0\""])
        .unwrap();
    assert!(
        skipped.packages.is_empty(),
        "a root requirement whose marker is false is skipped"
    );
}

#[test]
fn backtracks_to_an_older_version() {
    let harness = Harness::new();
    let resolution = harness.resolve(&["skf-app", "skf-lib>=2"]).unwrap();
    assert_eq!(pins(&resolution), ["skf-app==1.0.0", "skf-lib==2.1.0"]);
    let alone = harness.resolve(&["skf-app"]).unwrap();
    assert_eq!(pins(&alone), ["skf-app==2.0.0", "skf-lib==1.5.0"]);
}

#[test]
fn unsatisfiable_sets_explain_the_conflict() {
    let harness = Harness::new();
    let text = no_solution(harness.resolve(&["skf-conflict-x", "skf-conflict-y"]));
    for part in [
        "skf-conflict-x",
        "skf-conflict-y",
        "depends on skf-pin==1.0.0",
        "depends on skf-pin==2.0.0",
    ] {
        assert!(text.contains(part), "explanation names {part}:\n{text}");
    }
    assert!(
        text.ends_with("the requirements cannot be satisfied."),
        "{text}"
    );
}

#[test]
fn cycles_resolve() {
    let harness = Harness::new();
    assert_eq!(
        pins(&harness.resolve(&["skf-cycle-a"]).unwrap()),
        ["skf-cycle-a==1.0.0", "skf-cycle-b==1.0.0"]
    );
}

#[test]
fn yanked_versions_only_when_pinned_exactly() {
    let harness = Harness::new();
    assert_eq!(
        pins(&harness.resolve(&["skf-yanked"]).unwrap()),
        ["skf-yanked==1.1.0"]
    );
    assert_eq!(
        pins(&harness.resolve(&["skf-yanked==1.2.0"]).unwrap()),
        ["skf-yanked==1.2.0"]
    );
    let text = no_solution(harness.resolve(&["skf-yanked<1.0"]));
    assert!(text.contains("every matching version is yanked"), "{text}");
}

#[test]
fn prereleases_follow_the_policy() {
    let harness = Harness::new();
    assert_eq!(
        pins(&harness.resolve(&["skf-pre"]).unwrap()),
        ["skf-pre==1.9.0"]
    );
    let allowed = harness
        .resolve_with(&["skf-pre"], &["primary"], |o| {
            o.prerelease = PrereleaseMode::Allow
        })
        .unwrap();
    assert_eq!(pins(&allowed), ["skf-pre==2.0.0b1"]);
    assert_eq!(
        pins(&harness.resolve(&["skf-pre>=2.0.0b1"]).unwrap()),
        ["skf-pre==2.0.0b1"],
        "explicitly requested"
    );
    assert_eq!(
        pins(&harness.resolve(&["skf-pre-only"]).unwrap()),
        ["skf-pre-only==1.0.0rc1"],
        "only pre-releases exist"
    );
    let disallowed = harness.resolve_with(&["skf-pre-only"], &["primary"], |o| {
        o.prerelease = PrereleaseMode::Disallow
    });
    assert!(matches!(disallowed, Err(ResolveError::NoSolution(_))));
}

#[test]
fn requires_python_filters_candidates() {
    let harness = Harness::new();
    assert_eq!(
        pins(&harness.resolve(&["skf-pyreq"]).unwrap()),
        ["skf-pyreq==1.1.0"]
    );
    let newer = harness
        .resolve_with(&["skf-pyreq"], &["primary"], |o| {
            o.target = Target::new("3.13", "linux").unwrap()
        })
        .unwrap();
    assert_eq!(pins(&newer), ["skf-pyreq==2.0.0"]);
    let text = no_solution(harness.resolve(&["skf-pyreq>=2"]));
    assert!(text.contains("skf-pyreq>=2: the versions that match require Python >=3.13, but the target is Python 3.11.0"), "{text}");
}

#[test]
fn exclude_newer_uses_upload_times() {
    let harness = Harness::new();
    let cutoff = jiff::Timestamp::from_str("2026-01-01T00:00:00Z").unwrap();
    let resolution = harness
        .resolve_with(&["skf-timed"], &["primary"], |o| {
            o.exclude_newer = Some(skua_index::ExcludeNewer(cutoff))
        })
        .unwrap();
    assert_eq!(
        pins(&resolution),
        ["skf-timed==1.1.0"],
        "files uploaded at or after the cutoff are excluded"
    );
    assert_eq!(
        pins(&harness.resolve(&["skf-timed"]).unwrap()),
        ["skf-timed==1.3.0"]
    );
}

#[test]
fn sdist_only_packages_use_static_metadata_or_say_why_not() {
    let harness = Harness::new();
    let resolution = harness.resolve(&["skf-sdist-static"]).unwrap();
    assert_eq!(
        pins(&resolution),
        ["skf-sdist-static==1.0.0", "skf-simple==2.0.0"]
    );
    for name in ["skf-sdist-dynamic", "skf-sdist-legacy"] {
        match harness.resolve(&[name]) {
            Err(error @ ResolveError::SdistNeedsBuild { .. }) => {
                let text = error.to_string();
                assert!(
                    text.starts_with(&format!(
                        "{name}==1.0.0 is only published as a source distribution"
                    )),
                    "{text}"
                );
            }
            other => panic!("expected SdistNeedsBuild, got {other:?}"),
        }
    }
}

#[test]
fn platform_wheels_pick_compatible_files() {
    let harness = Harness::new();
    let linux = harness.resolve(&["skf-native"]).unwrap();
    let files: Vec<&str> = linux.packages["skf-native"]
        .files
        .iter()
        .map(|f| f.filename.as_str())
        .collect();
    assert_eq!(files.len(), 2, "{files:?}");
    assert!(
        files[0].contains("cp311-cp311-manylinux") && files[1].ends_with(".tar.gz"),
        "{files:?}"
    );
    let windows = harness
        .resolve_with(&["skf-native"], &["primary"], |o| {
            o.target = Target::new("3.11", "windows").unwrap()
        })
        .unwrap();
    assert!(
        windows.packages["skf-native"].files[0]
            .filename
            .contains("win_amd64")
    );
    let abi3 = harness.resolve(&["skf-abi3"]).unwrap();
    assert!(
        abi3.packages["skf-abi3"].files[0]
            .filename
            .contains("abi3-manylinux")
    );
    let text = no_solution(harness.resolve(&["skf-musl-only"]));
    assert!(
        text.contains("no file of `skf-musl-only` can be installed on Python 3.11"),
        "{text}"
    );
}

fn header() -> LockHeader {
    LockHeader {
        command: "skua lock requirements.in".into(),
        target: "Python 3.11 on x86_64-manylinux_2_28".into(),
    }
}

#[test]
fn locks_hash_every_file_of_the_pinned_version_whatever_the_target() {
    let harness = Harness::new();
    let linux = harness.resolve(&["skf-native"]).unwrap();
    let package = &linux.packages["skf-native"];
    let all: Vec<&str> = package
        .all_files
        .iter()
        .map(|file| file.filename.as_str())
        .collect();
    assert_eq!(
        all,
        [
            "skf_native-1.0.0-cp311-cp311-macosx_11_0_arm64.whl",
            "skf_native-1.0.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
            "skf_native-1.0.0-cp311-cp311-win_amd64.whl",
            "skf_native-1.0.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
            "skf_native-1.0.0.tar.gz",
        ]
    );
    let text = render_requirements_txt(&linux, &header());
    assert_eq!(text.matches("--hash=sha256:").count(), 5, "{text}");
    for file in &package.all_files {
        let hash = file
            .sha256
            .as_ref()
            .expect("the fixture index hashes files");
        assert!(
            text.contains(&format!("--hash=sha256:{}", hash.hex())),
            "{} is not hashed:\n{text}",
            file.filename
        );
    }
    let pylock = render_pylock(&linux, &header(), ">=3.11");
    assert_eq!(pylock.matches("[[packages.wheels]]").count(), 4, "{pylock}");
    assert_eq!(pylock.matches("[packages.sdist]").count(), 1, "{pylock}");
    for wheel in [
        "cp311-cp311-win_amd64",
        "cp311-cp311-macosx_11_0_arm64",
        "cp312-cp312-manylinux",
    ] {
        assert!(pylock.contains(wheel), "{wheel} missing:\n{pylock}");
    }
    // The version itself is still chosen by what the target can use: a musl-only project
    // has no version for glibc Linux, whatever other files it has.
    assert!(matches!(
        harness.resolve(&["skf-musl-only"]),
        Err(ResolveError::NoSolution(_))
    ));
}

#[test]
fn locked_files_leave_out_uploads_after_the_cutoff_and_keep_yanked_ones() {
    let harness = Harness::new();
    let names = |resolution: &Resolution| -> Vec<String> {
        resolution.packages["skf-late-wheel"]
            .all_files
            .iter()
            .map(|file| file.filename.clone())
            .collect()
    };
    let everything = harness.resolve(&["skf-late-wheel"]).unwrap();
    assert_eq!(
        names(&everything),
        [
            "skf_late_wheel-1.0.0-py3-none-macosx_11_0_arm64.whl",
            "skf_late_wheel-1.0.0-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
            "skf_late_wheel-1.0.0-py3-none-win_amd64.whl",
            "skf_late_wheel-1.0.0.tar.gz",
        ],
        "a yanked file of a version that is not yanked is listed, as uv lists it"
    );
    let cutoff = jiff::Timestamp::from_str("2026-01-01T00:00:00Z").unwrap();
    let before = harness
        .resolve_with(&["skf-late-wheel"], &["primary"], |o| {
            o.exclude_newer = Some(skua_index::ExcludeNewer(cutoff))
        })
        .unwrap();
    assert_eq!(
        names(&before),
        [
            "skf_late_wheel-1.0.0-py3-none-macosx_11_0_arm64.whl",
            "skf_late_wheel-1.0.0-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
            "skf_late_wheel-1.0.0.tar.gz",
        ],
        "the Windows wheel was uploaded after the cutoff"
    );
    let text = render_requirements_txt(&before, &header());
    assert_eq!(text.matches("--hash=sha256:").count(), 3, "{text}");
}

#[test]
fn metadata_without_pep658_files_comes_from_range_requests() {
    let harness = Harness::new();
    let resolution = harness.resolve(&["skf-nometa"]).unwrap();
    assert_eq!(
        pins(&resolution),
        ["skf-nometa==1.0.0", "skf-simple==2.0.0"]
    );
    let full_downloads: Vec<_> = harness
        .server
        .requests()
        .into_iter()
        .filter(|request| {
            request.path.contains("skf_nometa")
                && request.path.ends_with(".whl")
                && request.is_full_download()
        })
        .collect();
    assert!(
        full_downloads.is_empty(),
        "the wheel was downloaded in full: {full_downloads:?}"
    );
}

#[test]
fn names_are_normalized() {
    let harness = Harness::new();
    let resolution = harness.resolve(&["SKF_Normalize.User"]).unwrap();
    assert_eq!(
        pins(&resolution),
        ["skf-mixed-case==1.0.0", "skf-normalize-user==1.0.0"]
    );
}

#[test]
fn the_first_index_with_a_project_wins() {
    let harness = Harness::new();
    let resolution = harness
        .resolve_with(
            &["skf-internal", "skf-extra-only"],
            &["primary", "extra"],
            |_| {},
        )
        .unwrap();
    assert_eq!(
        pins(&resolution),
        ["skf-extra-only==1.0.0", "skf-internal==1.0.0"],
        "no dependency confusion"
    );
    assert!(
        resolution.packages["skf-extra-only"]
            .index
            .as_ref()
            .is_some_and(|index| index.to_string().contains("/extra/"))
    );
}

#[test]
fn unknown_packages_are_named() {
    let harness = Harness::new();
    let text = no_solution(harness.resolve(&["skf-does-not-exist"]));
    assert!(
        text.contains("`skf-does-not-exist` was not found"),
        "{text}"
    );
}

#[test]
fn failed_resolutions_carry_their_hints_as_data() {
    let harness = Harness::new();
    let Err(ResolveError::NoSolution(typo)) = harness.resolve(&["skf-simpel"]) else {
        panic!("expected no solution");
    };
    assert!(typo.has_unknown_package());
    assert_eq!(
        typo.hints(),
        [skua_resolve::Hint::NotFound {
            name: "skf-simpel".parse().unwrap(),
            suggestion: Some("skf-simple".parse().unwrap()),
        }]
    );
    assert!(typo.explanation().contains("skf-simpel"), "{typo}");

    let Err(ResolveError::NoSolution(conflict)) =
        harness.resolve(&["skf-conflict-x", "skf-conflict-y"])
    else {
        panic!("expected no solution");
    };
    assert!(!conflict.has_unknown_package(), "{conflict}");
}

#[test]
fn existing_pins_are_kept_until_upgraded() {
    let harness = Harness::new();
    let keep = |o: &mut ResolverOptions| {
        o.preferences.insert(
            "skf-simple".parse().unwrap(),
            Version::from_str("1.1.0").unwrap(),
        );
    };
    assert_eq!(
        pins(
            &harness
                .resolve_with(&["skf-simple"], &["primary"], keep)
                .unwrap()
        ),
        ["skf-simple==1.1.0"]
    );
    let upgrade = |o: &mut ResolverOptions| {
        keep(o);
        o.upgrade = Upgrade::Packages(HashSet::from(["skf-simple".parse().unwrap()]));
    };
    assert_eq!(
        pins(
            &harness
                .resolve_with(&["skf-simple"], &["primary"], upgrade)
                .unwrap()
        ),
        ["skf-simple==2.0.0"]
    );
    // A pin the requirements no longer allow is dropped.
    assert_eq!(
        pins(
            &harness
                .resolve_with(&["skf-simple>=2"], &["primary"], keep)
                .unwrap()
        ),
        ["skf-simple==2.0.0"]
    );
}

#[test]
fn offline_resolution_reuses_the_cache() {
    let harness = Harness::new();
    harness.resolve(&["skf-chain-a"]).unwrap();
    let client = harness.client(&["primary"], true);
    let options = options("3.11", "x86_64-manylinux_2_28");
    let before = harness.server.request_count("");
    let resolution = skua_resolve::resolve(
        &manifest(&["skf-chain-a"]),
        &options,
        &client,
        harness.runtime.handle(),
        Arc::new(|_| {}),
    )
    .unwrap();
    assert_eq!(resolution.packages.len(), 3);
    assert_eq!(
        harness.server.request_count(""),
        before,
        "offline mode made requests"
    );
}

#[test]
fn requirements_txt_has_hashes_and_via_lines() {
    let harness = Harness::new();
    let resolution = harness.resolve(&["skf-chain-a", "skf-simple"]).unwrap();
    let header = LockHeader {
        command: "skua lock requirements.in -o requirements.txt".into(),
        target: "Python 3.11".into(),
    };
    let text = render_requirements_txt(&resolution, &header);
    assert!(text.contains("#    skua lock requirements.in -o requirements.txt\n"));
    assert!(
        text.contains("skf-chain-c==1.5.0 \\\n    --hash=sha256:"),
        "{text}"
    );
    assert!(text.contains("    # via skf-chain-b\n"), "{text}");
    assert_eq!(text.matches("--hash=sha256:").count(), 5, "{text}");
    let reparsed = skua_resolve::read_pins(&text);
    assert_eq!(reparsed["skf-chain-c"], Version::from_str("1.5.0").unwrap());
}

/// `(name, version)` of each warning, in the order sent.
fn skipped(warnings: &[SkippedVersion]) -> Vec<String> {
    warnings
        .iter()
        .map(|w| format!("{}=={}", w.name, w.version))
        .collect()
}

#[test]
fn a_stray_quote_after_the_specifier_does_not_drop_the_dependency() {
    let harness = Harness::new();
    let (resolution, warnings) = harness.resolve_warned(&["skf-stray-quote"], "3.11");
    assert_eq!(
        pins(&resolution.unwrap()),
        ["skf-stray-quote==1.2.0", "skf-stray-quote-dep==1.3.5"]
    );
    assert!(warnings.is_empty(), "{warnings:?}");
    // Unsatisfiable only through `skf-stray-quote-dep>=1.3.0,<1.4.0',`.
    let text = no_solution(harness.resolve(&["skf-stray-quote", "skf-stray-quote-dep>=1.5"]));
    assert!(
        text.contains("skf-stray-quote depends on skf-stray-quote-dep>=1.3.0,<1.4.0"),
        "{text}"
    );
}

#[test]
fn whitespace_only_lines_in_a_folded_license_do_not_hide_requires_dist() {
    let harness = Harness::new();
    let resolution = harness.resolve(&["skf-folded-license"]).unwrap();
    let mut expected: Vec<String> = (1..=85)
        .map(|n| format!("skf-fold-dep-{n:02}==1.0.0"))
        .collect();
    expected.push("skf-folded-license==1.0.0".into());
    assert_eq!(pins(&resolution), expected);
    // The big wheel's METADATA came through range requests, as on PyPI.
    assert!(
        harness.server.requests().iter().all(|request| {
            !(request.path.contains("skf_folded_license") && request.is_full_download())
        }),
        "the wheel was downloaded in full"
    );
}

#[test]
fn an_unreadable_requires_dist_skips_the_version_with_a_warning() {
    let harness = Harness::new();
    let (resolution, warnings) = harness.resolve_warned(&["skf-unreadable-dep"], "3.11");
    assert_eq!(
        pins(&resolution.unwrap()),
        ["skf-simple==2.0.0", "skf-unreadable-dep==1.0.0"]
    );
    assert_eq!(skipped(&warnings), ["skf-unreadable-dep==2.0.0"]);
    assert!(
        matches!(&warnings[0].reason, Unusable::InvalidRequiresDist { requirement, .. } if requirement == "skf-simple>=1.0.x"),
        "{warnings:?}"
    );
    let shown = warnings[0].to_string();
    assert!(
        shown.starts_with("skipping skf-unreadable-dep==2.0.0: its metadata has an invalid requirement `skf-simple>=1.0.x`"),
        "{shown}"
    );
    // Asked for exactly, it cannot be used, and the explanation says why.
    let text = no_solution(harness.resolve(&["skf-unreadable-dep==2.0.0"]));
    assert!(
        text.contains("skf-unreadable-dep==2.0.0 cannot be used: its metadata has an invalid requirement `skf-simple>=1.0.x`"),
        "{text}"
    );
}

#[test]
fn requires_python_on_the_index_is_read_leniently_or_skips_the_version() {
    let harness = Harness::new();
    // 2.0.0's `>=3.6.x` cannot be read; 1.5.0's `>=3.12,` can, and excludes 3.11.
    let (resolution, warnings) = harness.resolve_warned(&["skf-bad-requires-python"], "3.11");
    assert_eq!(
        pins(&resolution.unwrap()),
        ["skf-bad-requires-python==1.0.0"]
    );
    assert_eq!(skipped(&warnings), ["skf-bad-requires-python==2.0.0"]);
    assert!(
        matches!(&warnings[0].reason, Unusable::InvalidRequiresPython { requires_python, .. } if requires_python == ">=3.6.x"),
        "{warnings:?}"
    );
    let (resolution, warnings) = harness.resolve_warned(&["skf-bad-requires-python<2"], "3.12");
    assert_eq!(
        pins(&resolution.unwrap()),
        ["skf-bad-requires-python==1.5.0"]
    );
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn requires_python_in_the_metadata_is_checked_too() {
    let harness = Harness::new();
    // The index page has no Requires-Python for any of them.
    let (resolution, warnings) = harness.resolve_warned(&["skf-metadata-python"], "3.11");
    assert_eq!(pins(&resolution.unwrap()), ["skf-metadata-python==1.0.0"]);
    assert_eq!(skipped(&warnings), ["skf-metadata-python==3.0.0"]);
    let (resolution, _) = harness.resolve_warned(&["skf-metadata-python"], "3.12");
    assert_eq!(pins(&resolution.unwrap()), ["skf-metadata-python==2.0.0"]);
    let text = no_solution(harness.resolve(&["skf-metadata-python==2.0.0"]));
    assert!(
        text.contains(
            "skf-metadata-python==2.0.0 cannot be used: its metadata requires Python >=3.12"
        ),
        "{text}"
    );
}

#[test]
fn an_override_forces_a_version_a_dependency_excludes() {
    let harness = Harness::new();
    // skf-app 2.0.0 requires skf-lib<2: without the override nothing fits.
    assert!(matches!(
        harness.resolve(&["skf-app==2.0.0", "skf-lib>=2"]),
        Err(ResolveError::NoSolution(_))
    ));
    let forced = harness
        .resolve_overridden(&["skf-app==2.0.0"], &["skf-lib==2.1.0"], "3.11")
        .unwrap();
    assert_eq!(pins(&forced), ["skf-app==2.0.0", "skf-lib==2.1.0"]);
    assert_eq!(
        forced.packages["skf-lib"].via.iter().collect::<Vec<_>>(),
        ["skf-app"]
    );
    // A top-level requirement is replaced too.
    assert_eq!(
        pins(
            &harness
                .resolve_overridden(&["skf-simple<2"], &["skf-simple==2.0.0"], "3.11")
                .unwrap()
        ),
        ["skf-simple==2.0.0"]
    );
    // An override adds nothing that no one requires.
    assert_eq!(
        pins(
            &harness
                .resolve_overridden(&["skf-simple"], &["skf-chain-c==1.0.0"], "3.11")
                .unwrap()
        ),
        ["skf-simple==2.0.0"]
    );
}

#[test]
fn override_markers_decide_where_each_override_applies() {
    let harness = Harness::new();
    // skf-app 1.5.0 requires skf-lib>=1.5,<2; both overrides leave that range.
    let overrides = [
        "skf-lib==1.0.0; python_version < \"3.12\"",
        "skf-lib==2.1.0; python_version >= \"3.12\"",
    ];
    for (python, lib) in [("3.11", "skf-lib==1.0.0"), ("3.12", "skf-lib==2.1.0")] {
        let resolution = harness
            .resolve_overridden(&["skf-app==1.5.0"], &overrides, python)
            .unwrap();
        assert_eq!(
            pins(&resolution),
            ["skf-app==1.5.0", lib],
            "Python {python}"
        );
    }
    // No override applies on the target: the requirement is dropped there, as in uv.
    let dropped = harness
        .resolve_overridden(
            &["skf-app==1.5.0"],
            &["skf-lib; sys_platform == \"win32\""],
            "3.11",
        )
        .unwrap();
    assert_eq!(pins(&dropped), ["skf-app==1.5.0"]);
    // A dependency of an extra stays one: the override applies only with the extra.
    let plain = harness
        .resolve_overridden(&["skf-web"], &["skf-certs==2.0.0"], "3.11")
        .unwrap();
    assert_eq!(pins(&plain), ["skf-simple==2.0.0", "skf-web==1.0.0"]);
    let tls = harness
        .resolve_overridden(&["skf-web[tls]"], &["skf-certs==2.0.0"], "3.11")
        .unwrap();
    assert_eq!(
        pins(&tls),
        ["skf-certs==2.0.0", "skf-simple==2.0.0", "skf-web==1.0.0"]
    );
}

#[test]
fn runs_of_releases_are_explained_as_ranges_in_a_few_lines() {
    let harness = Harness::new();
    let Err(ResolveError::NoSolution(no_solution)) =
        harness.resolve(&["skf-series-app", "skf-series-core>=2"])
    else {
        panic!("expected no solution");
    };
    let text = no_solution.explanation();
    eprintln!("{text}");
    assert!(
        text.lines().count() <= 25,
        "{} lines:\n{text}",
        text.lines().count()
    );
    assert!(text.len() < 2_000, "{} bytes:\n{text}", text.len());
    for part in [
        "skf-series-app depends on skf-series-core<=1.59.0",
        "you require skf-series-core>=2",
    ] {
        assert!(text.contains(part), "names {part}:\n{text}");
    }
    assert!(
        text.ends_with("the requirements cannot be satisfied."),
        "{text}"
    );
}

#[test]
fn a_pinned_version_that_does_not_exist_lists_the_nearest_that_do() {
    let harness = Harness::new();
    let Err(ResolveError::NoSolution(no_solution)) = harness.resolve(&["skf-simple==9.9"]) else {
        panic!("expected no solution");
    };
    assert_eq!(
        no_solution.hints(),
        [skua_resolve::Hint::VersionNotFound {
            name: "skf-simple".parse().unwrap(),
            version: Version::from_str("9.9").unwrap(),
            nearest: ["1.0.0", "1.1.0", "2.0.0"]
                .iter()
                .map(|v| Version::from_str(v).unwrap())
                .collect(),
        }]
    );
    let text = no_solution.to_string();
    assert!(
        text.contains("note: skf-simple==9.9 does not exist; available: 1.0.0, 1.1.0, 2.0.0"),
        "{text}"
    );
    // A few on each side of the wanted version, not all of them.
    let Err(ResolveError::NoSolution(middle)) = harness.resolve(&["skf-series-core==1.30.5"])
    else {
        panic!("expected no solution");
    };
    assert!(
        middle.to_string().contains(
            "skf-series-core==1.30.5 does not exist; available: 1.28.0, 1.29.0, 1.30.0, 1.31.0, 1.32.0"
        ),
        "{middle}"
    );
    // A version that exists but is yanked is not "missing".
    let text = no_solution_text(harness.resolve(&["skf-yanked==0.9.0"]));
    assert!(!text.contains("does not exist"), "{text}");
}

fn no_solution_text(result: Result<Resolution, ResolveError>) -> String {
    match result {
        Err(ResolveError::NoSolution(no_solution)) => no_solution.to_string(),
        Ok(resolution) => format!("resolved: {:?}", pins(&resolution)),
        Err(other) => other.to_string(),
    }
}

#[test]
fn a_conflict_free_set_asks_once_for_each_page_and_each_pin() {
    let harness = Harness::new();
    let mut requirements: Vec<String> = (1..=20).map(|i| format!("skf-fold-dep-{i:02}")).collect();
    // skf-chain-b wants skf-chain-c<2: prefetching the newest skf-chain-c would be a wasted request.
    requirements.extend(["skf-chain-a".to_owned(), "skf-web".to_owned()]);
    let requirements: Vec<&str> = requirements.iter().map(String::as_str).collect();
    let resolution = harness.resolve(&requirements).unwrap();
    let pinned = pins(&resolution);
    assert!(
        pinned.contains(&"skf-chain-c==1.5.0".to_owned()),
        "{pinned:?}"
    );
    let requests = harness.server.requests();
    let metadata = requests
        .iter()
        .filter(|request| request.path.ends_with(".metadata"))
        .count();
    assert!(
        metadata <= pinned.len(),
        "{metadata} metadata requests for {} pins: {requests:#?}",
        pinned.len()
    );
    let mut pages: Vec<&str> = requests
        .iter()
        .filter(|request| request.path.contains("/simple/"))
        .map(|request| request.path.as_str())
        .collect();
    let all = pages.len();
    pages.sort_unstable();
    pages.dedup();
    assert_eq!(all, pages.len(), "a page was fetched twice: {requests:#?}");
    assert!(!requests.iter().any(|request| request.is_full_download()));
}

/// Prefetching goes one level, as uv's: the dependencies of a version the solver takes up
/// are fetched ahead (page and likely pick), but not what those picks depend on in turn:
/// a release the solver gives up would otherwise pull in pages no resolution needs.
#[test]
fn what_a_given_up_version_needs_is_prefetched_one_level_only() {
    let harness = Harness::new();
    let resolution = harness.resolve(&["skf-gaveup-app", "skf-lib>=2"]).unwrap();
    assert_eq!(
        pins(&resolution),
        ["skf-gaveup-app==1.0.0", "skf-lib==2.1.0"]
    );
    // The prefetch runs in the background: let it finish before looking.
    let mut seen = harness.server.requests().len();
    for _ in 0..50 {
        std::thread::sleep(std::time::Duration::from_millis(100));
        let now = harness.server.requests().len();
        if now == seen {
            break;
        }
        seen = now;
    }
    let pages: Vec<String> = harness
        .server
        .requests()
        .into_iter()
        .filter(|request| request.path.contains("/simple/"))
        .map(|request| request.path)
        .collect();
    assert!(
        pages.iter().any(|page| page.contains("/skf-gaveup-mid/")),
        "the given-up release's own dependency is fetched ahead: {pages:?}"
    );
    assert!(
        !pages.iter().any(|page| page.contains("/skf-gaveup-deep/")),
        "a page no resolution needs: {pages:?}"
    );
}

#[test]
fn an_unsatisfiable_set_reads_small_wheels_by_range() {
    let harness = Harness::new();
    let text = no_solution(harness.resolve(&["skf-bt-client", "skf-bt-core>=2"]));
    assert!(text.contains("skf-bt-client"), "{text}");
    let requests = harness.server.requests();
    let ranged = requests
        .iter()
        .filter(|request| request.path.contains("skf_bt_client") && request.range.is_some())
        .count();
    assert!(ranged >= 10, "every release is read: {requests:#?}");
    let whole: Vec<_> = requests
        .iter()
        .filter(|request| request.is_full_download())
        .collect();
    assert!(whole.is_empty(), "wheels downloaded whole: {whole:#?}");
}
