//! Building sdists end to end against the loopback fixture index: build requirements
//! (setuptools, wheel) are resolved and installed by skua itself, then the backend runs.
//!
//! The fixture copies setuptools and wheel from the interpreter that builds it; without
//! them (e.g. Python 3.11, whose ensurepip has no `wheel`) these tests skip with a note.
//! `SKUA_TEST_PYTHON=python3.12` or newer provides both.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::str::FromStr;
use std::sync::Arc;

use skua_context::{Context, Indexes};
use skua_index::{Cache, DistKind, IndexUrl, PackageName};
use skua_install::{Interpreter, VenvOptions, create_venv};
use skua_platform::Target;
use skua_requirements::Requirement;
use skua_resolve::{Manifest, PrereleaseMode, ResolverOptions, RootRequirement, Upgrade};
use skua_sync::build::{build_context, sdist_builder};
use skua_sync::{LockedPackage, SyncRequest, sync_packages};
use skua_test_support::{IndexServer, fixture_index_dir};

fn backends_available() -> bool {
    let root = fixture_index_dir().join("primary").join("simple");
    let ok = ["setuptools", "wheel"]
        .iter()
        .all(|name| root.join(name).join("index.json").is_file());
    if !ok {
        eprintln!(
            "skipping: the fixture index has no setuptools/wheel wheels (the interpreter that \
             built it bundles none); run with SKUA_TEST_PYTHON=python3.12 or newer"
        );
    }
    ok
}

struct Setup {
    _server: IndexServer,
    _dir: tempfile::TempDir,
    cache: Cache,
    interpreter: Interpreter,
    context: Arc<Context>,
    root: PathBuf,
}

fn setup() -> Option<Setup> {
    if !backends_available() {
        return None;
    }
    let server = IndexServer::start_fixture();
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = Cache::new(dir.path().join("cache"));
    let interpreter = Interpreter::find(None, None).expect("a python interpreter");
    let indexes = Indexes {
        index_url: Some(IndexUrl::parse(&server.simple_url("primary")).expect("url")),
        ..Indexes::default()
    };
    let context = Arc::new(Context::new(cache.clone(), indexes, None).expect("context"));
    let root = dir.path().to_path_buf();
    Some(Setup {
        _server: server,
        _dir: dir,
        cache,
        interpreter,
        context,
        root,
    })
}

fn download_sdist(setup: &Setup, name: &str) -> PathBuf {
    let client = setup.context.client().expect("client");
    let name = PackageName::new(name).expect("name");
    setup.context.runtime().block_on(async {
        let project = client.project(&name).await.expect("project");
        let file = project
            .files
            .iter()
            .find(|file| matches!(file.kind, DistKind::Sdist { .. }))
            .expect("an sdist")
            .clone();
        client.fetch(&file).await.expect("fetch")
    })
}

#[test]
fn builds_metadata_and_wheel_of_a_dynamic_sdist() {
    let Some(setup) = setup() else { return };
    let sdist = download_sdist(&setup, "skf-sdist-dynamic");
    let context = build_context(&setup.interpreter, &setup.context);

    let metadata = skua_build::build_metadata(&sdist, &context).expect("metadata builds");
    let text = String::from_utf8_lossy(&metadata);
    assert!(text.contains("Name: skf-sdist-dynamic"), "{text}");
    // Only setup.py knows this dependency; PKG-INFO marks it dynamic.
    assert!(text.contains("Requires-Dist: skf-simple"), "{text}");

    let wheel = skua_build::build_wheel(&sdist, &context).expect("wheel builds");
    let name = wheel.file_name().map(|n| n.to_string_lossy().into_owned());
    assert_eq!(
        name.as_deref(),
        Some("skf_sdist_dynamic-1.0.0-py3-none-any.whl")
    );
    assert!(wheel.starts_with(setup.cache.bucket("built-wheels-v1")));
    // Second call: straight from the cache.
    assert_eq!(skua_build::build_wheel(&sdist, &context).ok(), Some(wheel));
}

fn resolve_dynamic(setup: &Setup) -> skua_resolve::Resolution {
    let target =
        Target::from_interpreter(&setup.interpreter.executable.to_string_lossy()).expect("target");
    let options = ResolverOptions {
        target,
        prerelease: PrereleaseMode::IfNecessary,
        exclude_newer: None,
        preferences: HashMap::new(),
        upgrade: Upgrade::None,
        sdist_builder: Some(sdist_builder(&setup.interpreter, &setup.context)),
    };
    let manifest = Manifest {
        requirements: vec![RootRequirement {
            editable: false,
            requirement: Requirement::from_str("skf-sdist-dynamic").expect("requirement"),
            source: "test".into(),
        }],
        constraints: Vec::new(),
        overrides: Vec::new(),
    };
    let client = setup.context.client().expect("client");
    skua_resolve::resolve(
        &manifest,
        &options,
        &client,
        setup.context.runtime(),
        Arc::new(|_| {}),
    )
    .expect("resolves with the builder")
}

#[test]
fn resolves_and_installs_a_dynamic_sdist() {
    let Some(setup) = setup() else { return };
    let resolution = resolve_dynamic(&setup);
    let names: Vec<&str> = resolution
        .packages
        .keys()
        .map(PackageName::as_str)
        .collect();
    // skf-simple comes only from setup.py.
    assert_eq!(names, ["skf-sdist-dynamic", "skf-simple"]);

    let packages: Vec<LockedPackage> = resolution
        .packages
        .values()
        .map(|package| LockedPackage {
            marker: None,
            tree: None,
            name: package.name.clone(),
            version: package.version.clone(),
            hashes: package
                .files
                .iter()
                .filter_map(|file| file.sha256.clone())
                .collect(),
            files: Vec::new(),
        })
        .collect();
    let venv = setup.root.join("venv");
    create_venv(&venv, &setup.interpreter, &VenvOptions::default(), None).expect("venv");
    let request = SyncRequest {
        venv: venv.clone(),
        system: false,
        break_system_packages: false,
        link_mode: skua_install::LinkMode::default(),
        inexact: false,
        compile_bytecode: false,
        allow_empty: false,
    };
    let report =
        sync_packages(&packages, &request, &setup.context, Arc::new(|_| {})).expect("sync builds");
    assert_eq!(report.installed.len(), 2, "{report:?}");
    let output = Command::new(python_of(&venv))
        .args([
            "-c",
            "import skf_sdist_dynamic, skf_simple; print(skf_sdist_dynamic.__version__)",
        ])
        .output()
        .expect("python runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "1.0.0");
}

fn python_of(venv: &Path) -> PathBuf {
    venv.join("bin").join("python")
}

/// Backends run their own console scripts (maturin, cmake, ninja) by name: the build
/// environment's `bin/` must be first on `PATH`, as pip and uv put it. This backend runs
/// `skf-tool`, a console script of one of its build requirements, and fails without it.
#[test]
fn build_hooks_find_the_build_environments_scripts_on_path() {
    let Some(setup) = setup() else { return };
    let tree = setup.root.join("skf_path_probe-1.0.0");
    std::fs::create_dir_all(&tree).expect("mkdir");
    let files = [
        (
            "pyproject.toml",
            "[build-system]\nrequires = [\"setuptools\", \"skf-tool\"]\nbuild-backend = \"backend\"\nbackend-path = [\".\"]\n\n[project]\nname = \"skf-path-probe\"\nversion = \"1.0.0\"\n",
        ),
        (
            "backend.py",
            "import subprocess\nfrom setuptools import build_meta as _meta\n\nget_requires_for_build_wheel = _meta.get_requires_for_build_wheel\nprepare_metadata_for_build_wheel = _meta.prepare_metadata_for_build_wheel\n\ndef build_wheel(wheel_directory, config_settings=None, metadata_directory=None):\n    out = subprocess.run(['skf-tool'], check=True, capture_output=True, text=True).stdout\n    assert out.strip() == 'skf-tool 1.0.0', out\n    return _meta.build_wheel(wheel_directory, config_settings, metadata_directory)\n",
        ),
        (
            "PKG-INFO",
            "Metadata-Version: 2.1\nName: skf-path-probe\nVersion: 1.0.0\n",
        ),
    ];
    for (name, content) in files {
        std::fs::write(tree.join(name), content).expect("write");
    }
    let sdist = setup.root.join("skf_path_probe-1.0.0.tar.gz");
    let status = Command::new("tar")
        .arg("-czf")
        .arg(&sdist)
        .arg("-C")
        .arg(&setup.root)
        .arg("skf_path_probe-1.0.0")
        .status()
        .expect("tar runs");
    assert!(status.success());
    // Whatever the caller's PATH holds, the build environment's scripts come first.
    let context = build_context(&setup.interpreter, &setup.context);
    let wheel = skua_build::build_wheel(&sdist, &context).expect("the backend finds skf-tool");
    let name = wheel.file_name().map(|n| n.to_string_lossy().into_owned());
    assert_eq!(
        name.as_deref(),
        Some("skf_path_probe-1.0.0-py3-none-any.whl")
    );
}
