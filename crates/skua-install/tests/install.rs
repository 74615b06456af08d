//! Unpacking, installing and uninstalling wheels in real venvs.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use common::{
    fixture_wheel, member, new_venv, python, record_hash, run, run_ok, tree, with_metadata,
    with_metadata_text, write_wheel,
};
use skua_install::{
    INSTALLING_MARKER, Incomplete, InstallError, InstallPlan, Venv, check_conflicts,
    compile_bytecode, install_plans, install_wheel, lock_environment, try_lock_environment,
    uninstall, unpack_wheel, unpack_wheel_with_hash, verify_wheel,
};

const TOOL: &str = "skf_tool-1.0.0-py3-none-any.whl";

fn install_fixture(venv: &Venv, cache: &Path, filename: &str) -> skua_install::InstalledDist {
    let unpacked = unpack_wheel(&fixture_wheel(filename), cache).expect("unpack the fixture");
    install_wheel(venv, &unpacked, filename, None).expect("install the fixture")
}

/// RECORD as path → (hash, size), plus the RECORD entry itself.
fn read_record(dist_info: &Path) -> BTreeMap<String, (String, String)> {
    let text = fs::read_to_string(dist_info.join("RECORD")).expect("RECORD");
    text.lines()
        .map(|line| {
            let fields: Vec<&str> = line.split(',').collect();
            assert_eq!(fields.len(), 3, "{line}");
            (
                fields[0].to_owned(),
                (fields[1].to_owned(), fields[2].to_owned()),
            )
        })
        .collect()
}

#[test]
fn installs_runs_and_uninstalls_the_tool_fixture() {
    let dir = tempfile::tempdir().unwrap();
    let venv = new_venv(dir.path());
    let cache = dir.path().join("cache");
    let before = tree(&venv.root);

    let unpacked = unpack_wheel(&fixture_wheel(TOOL), &cache).unwrap();
    let direct_url =
        r#"{"url": "https://example.invalid/skf_tool-1.0.0-py3-none-any.whl", "archive_info": {}}"#;
    let dist = install_wheel(&venv, &unpacked, TOOL, Some(direct_url)).unwrap();
    assert_eq!(dist.name, "skf-tool");
    assert_eq!(dist.version, "1.0.0");
    assert_eq!(dist.installer.as_deref(), Some("skua"));
    assert_eq!(
        dist.dist_info,
        venv.site_packages.join("skf_tool-1.0.0.dist-info")
    );
    assert_eq!(venv.installed().unwrap(), std::slice::from_ref(&dist));
    assert_eq!(
        venv.find(&"SKF_Tool".parse().unwrap()).unwrap(),
        Some(dist.clone())
    );

    // The module imports with the venv's python.
    assert_eq!(
        python(&venv, "import skf_tool; print(skf_tool.__version__)"),
        "1.0.0"
    );

    // The console script runs; the GUI script is the same kind of launcher.
    let console = venv.scripts.join("skf-tool");
    assert_eq!(run_ok(&console, &[]), "skf-tool 1.0.0");
    let launcher = fs::read_to_string(&console).unwrap();
    assert!(
        launcher.starts_with(&format!("#!{}\n", venv.python().display())),
        "{launcher}"
    );
    assert_eq!(
        run_ok(venv.scripts.join("skf-tool-gui"), &[]),
        "skf-tool 1.0.0"
    );

    // The .data script got the venv's interpreter instead of `#!python`.
    let helper = venv.scripts.join("skf-tool-helper");
    let text = fs::read_to_string(&helper).unwrap();
    assert_eq!(
        text.lines().next().unwrap(),
        format!("#!{}", venv.python().display())
    );
    assert_eq!(run_ok(&helper, &[]), "helper 1.0.0");
    #[cfg(unix)]
    for script in ["skf-tool", "skf-tool-gui", "skf-tool-helper"] {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(venv.scripts.join(script))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o755, "{script}");
    }

    // .data/data lands in the venv root.
    assert_eq!(
        fs::read_to_string(venv.root.join("share/skf-tool/README.txt")).unwrap(),
        "skf-tool data file\n"
    );

    // Metadata files written for this install.
    assert_eq!(
        fs::read_to_string(dist.dist_info.join("INSTALLER")).unwrap(),
        "skua\n"
    );
    assert_eq!(
        fs::read_to_string(dist.dist_info.join("direct_url.json")).unwrap(),
        direct_url
    );
    assert!(!dist.dist_info.join("REQUESTED").exists());

    // RECORD lists every installed file, exactly, with correct hashes and sizes.
    let record = read_record(&dist.dist_info);
    let after = tree(&venv.root);
    let mut installed: Vec<String> = after
        .iter()
        .filter(|(path, kind)| !before.contains_key(*path) && kind.starts_with("file:"))
        .map(|(path, _)| path.clone())
        .collect();
    installed.sort();
    let mut recorded: Vec<String> = record
        .keys()
        .map(|p| {
            let abs = normalize(&venv.site_packages.join(p));
            abs.strip_prefix(&venv.root).unwrap().display().to_string()
        })
        .collect();
    recorded.sort();
    assert_eq!(recorded, installed);
    for (path, (hash, size)) in &record {
        let bytes = fs::read(venv.site_packages.join(path)).unwrap();
        if path.ends_with(".dist-info/RECORD") {
            assert_eq!((hash.as_str(), size.as_str()), ("", ""));
        } else {
            assert_eq!(hash, &record_hash(&bytes), "{path}");
            assert_eq!(size, &bytes.len().to_string(), "{path}");
        }
    }
    assert!(record.contains_key("../../../bin/skf-tool"), "{record:?}");
    assert!(
        record.contains_key("../../../share/skf-tool/README.txt"),
        "{record:?}"
    );
    assert!(record.contains_key("skf_tool/__init__.py"));

    // Package files are hard links into the unpacked wheel, not copies.
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let installed = fs::metadata(venv.site_packages.join("skf_tool/__init__.py")).unwrap();
        let cached = fs::metadata(unpacked.join("skf_tool/__init__.py")).unwrap();
        assert_eq!(installed.ino(), cached.ino());
    }

    // Bytecode compiles into __pycache__, and uninstall removes it too.
    compile_bytecode(&venv, std::slice::from_ref(&venv.site_packages)).unwrap();
    assert!(venv.site_packages.join("skf_tool/__pycache__").is_dir());

    uninstall(&venv, &dist).unwrap();
    assert_eq!(tree(&venv.root), before);
    assert!(venv.installed().unwrap().is_empty());
    // The shared unpacked copy is untouched by uninstalling.
    assert!(unpacked.join("skf_tool/__init__.py").is_file());

    // And it installs again from the same unpacked tree.
    let again = install_wheel(&venv, &unpacked, TOOL, None).unwrap();
    assert!(!again.dist_info.join("direct_url.json").exists());
    assert_eq!(run_ok(&console, &[]), "skf-tool 1.0.0");
}

/// `a/b/../c` → `a/c` without touching the filesystem.
fn normalize(path: &Path) -> std::path::PathBuf {
    let mut out = std::path::PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[test]
fn namespace_packages_install_side_by_side() {
    let dir = tempfile::tempdir().unwrap();
    let venv = new_venv(dir.path());
    let cache = dir.path().join("cache");
    let before = tree(&venv.site_packages);
    let alpha = install_fixture(&venv, &cache, "skf_ns_alpha-1.0.0-py3-none-any.whl");
    let beta = install_fixture(&venv, &cache, "skf_ns_beta-1.0.0-py3-none-any.whl");
    assert!(!venv.site_packages.join("skf_ns/__init__.py").exists());
    assert_eq!(
        python(
            &venv,
            "import skf_ns.alpha, skf_ns.beta; print(skf_ns.alpha.__version__, skf_ns.beta.__version__)"
        ),
        "1.0.0 1.0.0"
    );
    let names: Vec<String> = venv
        .installed()
        .unwrap()
        .into_iter()
        .map(|d| d.name.to_string())
        .collect();
    assert_eq!(names, ["skf-ns-alpha", "skf-ns-beta"]);

    // Removing one leaves the shared namespace directory for the other.
    uninstall(&venv, &alpha).unwrap();
    assert!(venv.site_packages.join("skf_ns/beta/__init__.py").is_file());
    assert!(!venv.site_packages.join("skf_ns/alpha").exists());
    assert_eq!(
        python(&venv, "import skf_ns.beta; print(skf_ns.beta.__version__)"),
        "1.0.0"
    );
    uninstall(&venv, &beta).unwrap();
    assert!(!venv.site_packages.join("skf_ns").exists());
    assert_eq!(tree(&venv.site_packages), before);
}

#[test]
fn a_second_install_of_the_same_project_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let venv = new_venv(dir.path());
    let cache = dir.path().join("cache");
    install_fixture(&venv, &cache, TOOL);
    let unpacked = unpack_wheel(&fixture_wheel(TOOL), &cache).unwrap();
    let err = install_wheel(&venv, &unpacked, TOOL, None).unwrap_err();
    assert!(
        matches!(err, InstallError::AlreadyInstalled { .. }),
        "{err}"
    );
}

#[test]
fn unpacking_is_cached_and_safe_to_race() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let wheel = fixture_wheel(TOOL);
    let results: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| s.spawn(|| unpack_wheel(&wheel, &cache)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap().unwrap())
            .collect()
    });
    assert!(results.windows(2).all(|w| w[0] == w[1]));
    let entries: Vec<_> = fs::read_dir(&cache)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(entries, [results[0].clone()], "no staging directories left");
    assert_eq!(
        results[0].file_name().unwrap().to_str().unwrap(),
        common::sha256_hex(&fs::read(&wheel).unwrap())
    );
    assert!(
        results[0]
            .join("skf_tool-1.0.0.data/scripts/skf-tool-helper")
            .is_file()
    );
    assert_eq!(unpack_wheel(&wheel, &cache).unwrap(), results[0]);
}

#[test]
fn a_changed_unpacked_tree_is_unpacked_again_and_an_intact_one_reused() {
    use std::os::unix::fs::MetadataExt;
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let wheel = fixture_wheel(TOOL);
    let tree = unpack_wheel(&wheel, &cache).unwrap();
    let module = tree.join("skf_tool/__init__.py");
    let original = fs::read(&module).unwrap();
    let inode = fs::metadata(&module).unwrap().ino();
    assert_eq!(unpack_wheel(&wheel, &cache).unwrap(), tree);
    assert_eq!(fs::metadata(&module).unwrap().ino(), inode, "reused as is");

    // In place, as through a hard link from a venv.
    fs::write(&module, b"raise SystemExit('edited')\n").unwrap();
    assert_eq!(unpack_wheel(&wheel, &cache).unwrap(), tree);
    assert_eq!(fs::read(&module).unwrap(), original);

    // A file the wheel does not have would be installed from the tree.
    let planted = tree.join("skf_tool/planted.py");
    fs::write(&planted, "").unwrap();
    unpack_wheel(&wheel, &cache).unwrap();
    assert!(!planted.exists(), "the planted file went with the tree");

    // A tree without a manifest (an older skua's) is not trusted either.
    let manifest = fs::read_dir(&tree)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.to_string_lossy().ends_with("skua-manifest.json"))
        .expect("a manifest in the tree");
    fs::remove_file(&manifest).unwrap();
    fs::write(&module, b"stale").unwrap();
    unpack_wheel(&wheel, &cache).unwrap();
    assert_eq!(fs::read(&module).unwrap(), original);
    assert!(manifest.is_file());
    let leftovers: Vec<_> = fs::read_dir(&cache)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(leftovers, [tree], "stale trees are deleted");
}

#[test]
fn the_manifest_is_not_installed() {
    let dir = tempfile::tempdir().unwrap();
    let venv = new_venv(dir.path());
    let unpacked = unpack_wheel(&fixture_wheel(TOOL), &dir.path().join("cache")).unwrap();
    install_wheel(&venv, &unpacked, TOOL, None).unwrap();
    let listed =
        fs::read_to_string(venv.site_packages.join("skf_tool-1.0.0.dist-info/RECORD")).unwrap();
    assert!(!listed.contains("skua-manifest"), "{listed}");
    assert!(
        fs::read_dir(&venv.site_packages)
            .unwrap()
            .flatten()
            .all(|e| !e.file_name().to_string_lossy().contains("skua-manifest"))
    );
}

#[test]
fn a_wheel_whose_content_does_not_match_record_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let venv = new_venv(dir.path());
    let cache = dir.path().join("cache");
    let before = tree(&venv.root);
    let mut members = with_metadata(
        "bad",
        "1.0",
        true,
        vec![
            member("bad/__init__.py", "x = 1\n"),
            member("bad/util.py", "y = 2\n"),
        ],
    );
    // Same length, different bytes: only the hash can tell.
    members[1].content = b"y = 3\n".to_vec();
    let wheel = write_wheel(dir.path(), "bad-1.0-py3-none-any.whl", &members);
    let err = unpack_wheel(&wheel, &cache).unwrap_err();
    assert!(
        matches!(err, InstallError::HashMismatch { ref file, .. } if file == "bad/util.py"),
        "{err}"
    );
    assert_eq!(
        fs::read_dir(&cache).unwrap().count(),
        0,
        "nothing visible in the cache"
    );
    assert_eq!(tree(&venv.root), before);
    assert!(venv.installed().unwrap().is_empty());
}

#[test]
fn members_missing_from_record_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let mut members = with_metadata("sneaky", "1.0", true, vec![member("sneaky.py", "")]);
    members.push(member("extra.py", "print('not in RECORD')\n"));
    let wheel = write_wheel(dir.path(), "sneaky-1.0-py3-none-any.whl", &members);
    let err = unpack_wheel(&wheel, &dir.path().join("cache")).unwrap_err();
    assert!(
        err.to_string().contains("extra.py is not listed in RECORD"),
        "{err}"
    );
}

#[test]
fn zip_slip_members_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("deep").join("cache");
    for evil in [
        "../escaped.py",
        "../../escaped.py",
        "/tmp/skua-escaped.py",
        "a/../../escaped.py",
    ] {
        let members = with_metadata("slip", "1.0", true, vec![member(evil, "pwned = True\n")]);
        let wheel = write_wheel(dir.path(), "slip-1.0-py3-none-any.whl", &members);
        let err = unpack_wheel(&wheel, &cache).unwrap_err();
        assert!(
            matches!(err, InstallError::UnsafePath { .. }),
            "{evil}: {err}"
        );
        assert!(!dir.path().join("escaped.py").exists());
        assert!(!dir.path().join("deep/escaped.py").exists());
        assert!(!Path::new("/tmp/skua-escaped.py").exists());
        assert_eq!(fs::read_dir(&cache).unwrap().count(), 0);
    }
}

#[test]
fn symlink_members_are_rejected() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let members = with_metadata("linky", "1.0", true, vec![member("linky.py", "")]);
    let wheel = dir.path().join("linky-1.0-py3-none-any.whl");
    let mut zip = zip::ZipWriter::new(fs::File::create(&wheel).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    zip.add_symlink("linky/evil", "/etc/passwd", options)
        .unwrap();
    for m in &members {
        zip.start_file(m.name.as_str(), options).unwrap();
        zip.write_all(&m.content).unwrap();
    }
    zip.finish().unwrap();
    let err = unpack_wheel(&wheel, &dir.path().join("cache")).unwrap_err();
    assert!(matches!(err, InstallError::UnsafePath { .. }), "{err}");
    assert!(err.to_string().contains("symbolic link"), "{err}");
}

#[test]
fn a_failure_midway_leaves_the_venv_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let venv = new_venv(dir.path());
    let cache = dir.path().join("cache");
    // A file the install will overwrite (restored on rollback), and a directory where a
    // launcher must go (the failure, after site-packages and .data were written).
    fs::create_dir_all(venv.site_packages.join("skf_tool")).unwrap();
    fs::write(
        venv.site_packages.join("skf_tool/__init__.py"),
        "old = True\n",
    )
    .unwrap();
    fs::create_dir_all(venv.scripts.join("skf-tool/inner")).unwrap();
    let before = tree(&venv.root);

    let unpacked = unpack_wheel(&fixture_wheel(TOOL), &cache).unwrap();
    let err = install_wheel(&venv, &unpacked, TOOL, None).unwrap_err();
    assert!(matches!(err, InstallError::Conflict { .. }), "{err}");
    assert!(err.to_string().contains("is a directory"), "{err}");
    assert_eq!(tree(&venv.root), before);
    assert_eq!(
        fs::read_to_string(venv.site_packages.join("skf_tool/__init__.py")).unwrap(),
        "old = True\n"
    );
    assert!(venv.installed().unwrap().is_empty());

    // Once the obstacle is gone the same install succeeds and replaces the stray file.
    fs::remove_dir_all(venv.scripts.join("skf-tool")).unwrap();
    install_wheel(&venv, &unpacked, TOOL, None).unwrap();
    assert_eq!(
        python(&venv, "import skf_tool; print(skf_tool.__version__)"),
        "1.0.0"
    );
    let leftovers: Vec<_> = fs::read_dir(&venv.root)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".skua-backup"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "backup directory removed after commit"
    );
}

#[test]
fn symlinks_in_the_venv_cannot_redirect_writes_outside() {
    let dir = tempfile::tempdir().unwrap();
    let venv = new_venv(dir.path());
    let outside = dir.path().join("outside");
    fs::create_dir(&outside).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&outside, venv.site_packages.join("skf_tool")).unwrap();
    let before = tree(&venv.root);
    let unpacked = unpack_wheel(&fixture_wheel(TOOL), &dir.path().join("cache")).unwrap();
    let err = install_wheel(&venv, &unpacked, TOOL, None).unwrap_err();
    assert!(
        err.to_string().contains("outside the virtual environment"),
        "{err}"
    );
    assert_eq!(fs::read_dir(&outside).unwrap().count(), 0);
    assert_eq!(tree(&venv.root), before);
}

#[test]
fn uninstall_refuses_records_that_escape_the_venv() {
    let dir = tempfile::tempdir().unwrap();
    let venv = new_venv(dir.path());
    let dist = install_fixture(&venv, &dir.path().join("cache"), TOOL);
    let victim = dir.path().join("victim.txt");
    fs::write(&victim, "precious").unwrap();
    let record = dist.dist_info.join("RECORD");
    let mut text = fs::read_to_string(&record).unwrap();
    text.push_str("../../../../victim.txt,,\n");
    fs::remove_file(&record).unwrap();
    fs::write(&record, text).unwrap();
    let err = uninstall(&venv, &dist).unwrap_err();
    assert!(
        err.to_string().contains("outside the virtual environment"),
        "{err}"
    );
    assert!(victim.exists());
    // Nothing was removed: the check runs before any deletion.
    assert!(venv.site_packages.join("skf_tool/__init__.py").exists());
}

#[test]
fn data_schemes_and_platlib_wheels_go_to_their_directories() {
    let dir = tempfile::tempdir().unwrap();
    let venv = new_venv(dir.path());
    let before = tree(&venv.root);
    let members = with_metadata(
        "ext_pkg",
        "2.0",
        false,
        vec![
            member("ext_pkg/__init__.py", "from ext_pkg.extra import VALUE\n"),
            member("ext_pkg-2.0.data/purelib/ext_pkg/extra.py", "VALUE = 42\n"),
            member("ext_pkg-2.0.data/platlib/ext_pkg_plat.py", "PLAT = 1\n"),
            member("ext_pkg-2.0.data/headers/ext.h", "#define EXT 1\n"),
            member(
                "ext_pkg-2.0.data/scripts/plain.sh",
                "#!/bin/sh\necho plain\n",
            ),
            member(
                "ext_pkg-2.0.dist-info/entry_points.txt",
                "[console_scripts]\next-tool = ext_pkg.extra:VALUE.__str__\n",
            ),
        ],
    );
    let wheel = write_wheel(
        dir.path(),
        "ext_pkg-2.0-cp311-cp311-linux_x86_64.whl",
        &members,
    );
    let unpacked = unpack_wheel(&wheel, &dir.path().join("cache")).unwrap();
    let dist = install_wheel(
        &venv,
        &unpacked,
        "ext_pkg-2.0-cp311-cp311-linux_x86_64.whl",
        None,
    )
    .unwrap();
    assert_eq!(dist.dist_info.parent().unwrap(), venv.platlib);
    assert_eq!(
        python(
            &venv,
            "import ext_pkg, ext_pkg_plat; print(ext_pkg.VALUE, ext_pkg_plat.PLAT)"
        ),
        "42 1"
    );
    let minor = venv.interpreter.python_minor_version();
    assert!(
        venv.root
            .join(format!("include/site/python{minor}/ext-pkg/ext.h"))
            .is_file()
    );
    assert_eq!(run_ok(venv.scripts.join("plain.sh"), &[]), "plain");
    // The entry point's return value (a string) is the exit status message.
    let out = run(venv.scripts.join("ext-tool"), &[]);
    assert_eq!(String::from_utf8_lossy(&out.stderr).trim(), "42");

    uninstall(&venv, &dist).unwrap();
    assert_eq!(tree(&venv.root), before);
}

#[test]
fn scripts_work_from_a_venv_path_with_spaces_and_quotes() {
    let dir = tempfile::tempdir().unwrap();
    let venv = skua_install::create_venv(
        &dir.path().join("my project's env"),
        &common::interpreter(),
        &skua_install::VenvOptions::default(),
        None,
    )
    .unwrap();
    install_fixture(&venv, &dir.path().join("cache"), TOOL);
    let launcher = fs::read_to_string(venv.scripts.join("skf-tool")).unwrap();
    assert!(launcher.starts_with("#!/bin/sh\n"), "{launcher}");
    assert_eq!(
        run_ok(venv.scripts.join("skf-tool"), &["--flag"]),
        "skf-tool 1.0.0"
    );
    assert_eq!(
        run_ok(venv.scripts.join("skf-tool-helper"), &[]),
        "helper 1.0.0"
    );
}

#[test]
fn bytecode_errors_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let venv = new_venv(dir.path());
    let broken = venv.site_packages.join("broken.py");
    fs::write(&broken, "def (:\n").unwrap();
    let err = compile_bytecode(&venv, &[broken]).unwrap_err();
    assert!(matches!(err, InstallError::Bytecode { .. }), "{err}");
    compile_bytecode(&venv, &[]).unwrap();
}

#[test]
fn the_environment_lock_serializes_threads() {
    let dir = tempfile::tempdir().unwrap();
    let venv = Arc::new(new_venv(dir.path()));
    let inside = Arc::new(AtomicBool::new(false));
    let entered = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let venv = Arc::clone(&venv);
            let inside = Arc::clone(&inside);
            let entered = Arc::clone(&entered);
            std::thread::spawn(move || {
                for _ in 0..3 {
                    let lock = lock_environment(&venv).unwrap();
                    assert!(!inside.swap(true, Ordering::SeqCst), "two holders at once");
                    entered.fetch_add(1, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(30));
                    inside.store(false, Ordering::SeqCst);
                    drop(lock);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(entered.load(Ordering::SeqCst), 6);

    let held = lock_environment(&venv).unwrap();
    assert_eq!(held.path(), venv.root.join(".skua.lock"));
    assert!(try_lock_environment(&venv).unwrap().is_none());
    drop(held);
    assert!(try_lock_environment(&venv).unwrap().is_some());
}

/// Every other CPython the machine has (pyenv installs) gets a venv, an install, a
/// working console script, bytecode and a clean uninstall; missing versions are skipped.
#[test]
fn every_available_python_version_works() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let mut tried = Vec::new();
    for version in ["3.7", "3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "3.14"] {
        let Ok(interpreter) = skua_install::Interpreter::find(Some(version), None) else {
            continue;
        };
        if interpreter.python_minor_version() != version {
            continue;
        }
        let venv = skua_install::create_venv(
            &dir.path().join(version),
            &interpreter,
            &skua_install::VenvOptions::default(),
            None,
        )
        .unwrap();
        let before = tree(&venv.root);
        let dist = install_fixture(&venv, &cache, TOOL);
        assert_eq!(
            run_ok(venv.scripts.join("skf-tool"), &[]),
            "skf-tool 1.0.0",
            "{version}"
        );
        compile_bytecode(&venv, std::slice::from_ref(&venv.site_packages)).unwrap();
        uninstall(&venv, &dist).unwrap();
        assert_eq!(tree(&venv.root), before, "{version}");
        tried.push(version);
    }
    eprintln!("checked Python {tried:?}");
    assert!(!tried.is_empty());
}

#[test]
fn wheels_cannot_replace_the_venv_itself() {
    let dir = tempfile::tempdir().unwrap();
    let venv = new_venv(dir.path());
    let before = tree(&venv.root);
    for (i, evil) in [
        "evil-1.0.data/scripts/python3",
        "evil-1.0.data/data/bin/activate",
        "evil-1.0.data/data/pyvenv.cfg",
    ]
    .into_iter()
    .enumerate()
    {
        let members = with_metadata("evil", "1.0", true, vec![member(evil, "#!/bin/sh\n")]);
        let wheel = write_wheel(dir.path(), "evil-1.0-py3-none-any.whl", &members);
        let unpacked = unpack_wheel(&wheel, &dir.path().join(format!("cache{i}"))).unwrap();
        let err = install_wheel(&venv, &unpacked, "evil-1.0-py3-none-any.whl", None).unwrap_err();
        assert!(
            err.to_string()
                .contains("belongs to the virtual environment"),
            "{evil}: {err}"
        );
        assert_eq!(tree(&venv.root), before, "{evil}");
    }
}

/// A wheel whose `.dist-info` or METADATA names another version or project than its
/// filename is refused before anything is written, as pip refuses it; so is one that is
/// not the version a lock pins. Spelling differences PEP 440 calls equal are fine.
#[test]
fn wheels_that_contradict_their_filename_or_the_lock_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let venv = new_venv(dir.path());
    let before = tree(&venv.root);
    let metadata = |name: &str, version: &str| {
        format!("Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    };
    let cases = [
        // (.dist-info version, METADATA, what the error must say)
        (
            "2.0",
            metadata("liar", "2.0"),
            "liar-2.0.dist-info directory is for version 2.0",
        ),
        (
            "1.0",
            metadata("other-project", "1.0"),
            "names the project `other-project`",
        ),
        ("1.0", metadata("liar", "1.1"), "METADATA says version 1.1"),
        (
            "1.0",
            "Metadata-Version: 2.1\nName: liar\n".to_owned(),
            "METADATA has no Version",
        ),
    ];
    for (i, (dir_version, metadata, expected)) in cases.iter().enumerate() {
        let members = with_metadata_text(
            "liar",
            dir_version,
            metadata,
            true,
            vec![member("liar.py", "print('which one am I?')\n")],
        );
        let filename = "liar-1.0-py3-none-any.whl";
        let wheel = write_wheel(dir.path(), filename, &members);
        let unpacked = unpack_wheel(&wheel, &dir.path().join(format!("cache{i}"))).unwrap();
        for err in [
            verify_wheel(&unpacked, filename, None).unwrap_err(),
            install_wheel(&venv, &unpacked, filename, None).unwrap_err(),
        ] {
            let text = err.to_string();
            assert!(text.contains(filename) && text.contains(expected), "{text}");
        }
        assert_eq!(tree(&venv.root), before, "{expected}");
        assert!(venv.installed().unwrap().is_empty());
    }

    // `1.0` and `1.0.0` are the same version.
    let members = with_metadata("same", "1.0.0", true, vec![member("same.py", "")]);
    let filename = "same-1.0-py3-none-any.whl";
    let wheel = write_wheel(dir.path(), filename, &members);
    let unpacked = unpack_wheel(&wheel, &dir.path().join("cache-same")).unwrap();
    let name = "Same".parse().unwrap();
    let one = "1".parse().unwrap();
    verify_wheel(&unpacked, filename, Some((&name, &one))).unwrap();

    // A consistent wheel that is not what the lock pins.
    let other = "1.0.1".parse().unwrap();
    let err = verify_wheel(&unpacked, filename, Some((&name, &other))).unwrap_err();
    assert!(matches!(err, InstallError::WheelMismatch { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("the lock pins same==1.0.1, but the wheel is same 1.0"),
        "{err}"
    );
    let stranger = "not-same".parse().unwrap();
    assert!(verify_wheel(&unpacked, filename, Some((&stranger, &one))).is_err());
    install_wheel(&venv, &unpacked, filename, None).unwrap();
}

/// A wheel that ships another installed package's module, or a script where that
/// package's console script is, is refused before anything is written: overwriting would
/// break the other package, and removing the intruder later would take the file with it.
#[test]
fn a_wheel_cannot_take_another_packages_files() {
    let dir = tempfile::tempdir().unwrap();
    let venv = new_venv(dir.path());
    let cache = dir.path().join("cache");
    let tool = install_fixture(&venv, &cache, TOOL);
    let before = tree(&venv.root);
    let filename = "intruder-1.0-py3-none-any.whl";
    let cases = [
        (
            vec![member("skf_tool/__init__.py", "print('not skf-tool')\n")],
            "skf_tool/__init__.py",
        ),
        (
            vec![member(
                "intruder-1.0.data/scripts/skf-tool",
                "#!/bin/sh\necho intruder\n",
            )],
            "bin/skf-tool",
        ),
        (
            vec![
                member("intruder.py", "def main(): pass\n"),
                member(
                    "intruder-1.0.dist-info/entry_points.txt",
                    "[console_scripts]\nskf-tool-gui = intruder:main\n",
                ),
            ],
            "bin/skf-tool-gui",
        ),
    ];
    for (i, (members, taken)) in cases.into_iter().enumerate() {
        let wheel = write_wheel(
            dir.path(),
            filename,
            &with_metadata("intruder", "1.0", true, members),
        );
        let unpacked = unpack_wheel(&wheel, &dir.path().join(format!("cache{i}"))).unwrap();
        for err in [
            install_wheel(&venv, &unpacked, filename, None).unwrap_err(),
            check_conflicts(&venv, &[plan(&venv, &unpacked, filename)], &[]).unwrap_err(),
        ] {
            assert!(matches!(err, InstallError::FileConflict { .. }), "{err}");
            let text = err.to_string();
            assert!(
                text.contains(filename) && text.contains("skf-tool 1.0.0") && text.contains(taken),
                "{text}"
            );
        }
        assert_eq!(tree(&venv.root), before, "{taken}");
        // Once skf-tool is on its way out (an upgrade, or a lock without it), the same
        // files are free to take.
        check_conflicts(
            &venv,
            &[plan(&venv, &unpacked, filename)],
            std::slice::from_ref(&tool),
        )
        .unwrap();
    }
    assert_eq!(run_ok(venv.scripts.join("skf-tool"), &[]), "skf-tool 1.0.0");

    // A file the owner lost is still the owner's: taking it over would let uninstalling
    // skf-tool delete the intruder's copy.
    fs::remove_file(venv.site_packages.join("skf_tool/__init__.py")).unwrap();
    let wheel = write_wheel(
        dir.path(),
        filename,
        &with_metadata(
            "intruder",
            "1.0",
            true,
            vec![member("skf_tool/__init__.py", "# not skf-tool's\n")],
        ),
    );
    let unpacked = unpack_wheel(&wheel, &dir.path().join("cache-lost")).unwrap();
    let err = check_conflicts(&venv, &[plan(&venv, &unpacked, filename)], &[]).unwrap_err();
    assert!(matches!(err, InstallError::FileConflict { .. }), "{err}");

    // Two wheels of one sync that install the same file.
    let other = "other-2.0-py3-none-any.whl";
    let wheel = write_wheel(
        dir.path(),
        other,
        &with_metadata(
            "other",
            "2.0",
            true,
            vec![member("skf_tool/__init__.py", "")],
        ),
    );
    let other_unpacked = unpack_wheel(&wheel, &dir.path().join("cache-other")).unwrap();
    let err = check_conflicts(
        &venv,
        &[
            plan(&venv, &unpacked, filename),
            plan(&venv, &other_unpacked, other),
        ],
        std::slice::from_ref(&tool),
    )
    .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains(other) && text.contains("intruder 1.0") && text.contains("same sync"),
        "{text}"
    );
}

/// Two distributions that ship the same bytes at the same path (`mlflow` and
/// `mlflow-skinny` share modules and their console script) install side by side, as with
/// pip and uv, in one sync or one after the other; uninstalling one keeps what the other
/// still lists. Different bytes at that path stay a conflict.
#[test]
fn identical_files_of_two_distributions_are_shared() {
    let dir = tempfile::tempdir().unwrap();
    let venv = new_venv(dir.path());
    let shared = |name: &str, body: &str| {
        with_metadata(
            name,
            "1.0",
            true,
            vec![
                member("sharedpkg/__init__.py", body),
                member(
                    &format!("{name}-1.0.dist-info/entry_points.txt"),
                    "[console_scripts]\nsharedpkg = sharedpkg:main\n",
                ),
            ],
        )
    };
    let unpacked = |name: &str, body: &str| {
        let filename = format!("{name}-1.0-py3-none-any.whl");
        let wheel = write_wheel(dir.path(), &filename, &shared(name, body));
        (
            unpack_wheel(&wheel, &dir.path().join(format!("cache-{name}"))).unwrap(),
            filename,
        )
    };
    let body = "def main():\n    print('shared')\n";
    let (full, full_name) = unpacked("fullpkg", body);
    let (skinny, skinny_name) = unpacked("skinnypkg", body);
    check_conflicts(
        &venv,
        &[
            plan(&venv, &full, &full_name),
            plan(&venv, &skinny, &skinny_name),
        ],
        &[],
    )
    .unwrap();
    let installed = install_wheel(&venv, &full, &full_name, None).unwrap();
    check_conflicts(&venv, &[plan(&venv, &skinny, &skinny_name)], &[]).unwrap();
    install_wheel(&venv, &skinny, &skinny_name, None).unwrap();
    assert_eq!(run_ok(venv.scripts.join("sharedpkg"), &[]), "shared");
    skua_install::uninstall(&venv, &installed).unwrap();
    assert!(venv.site_packages.join("sharedpkg/__init__.py").is_file());
    assert_eq!(run_ok(venv.scripts.join("sharedpkg"), &[]), "shared");

    let (different, different_name) = unpacked("otherpkg", "def main():\n    print('other')\n");
    let err = check_conflicts(&venv, &[plan(&venv, &different, &different_name)], &[]).unwrap_err();
    assert!(matches!(err, InstallError::FileConflict { .. }), "{err}");
    let err = install_wheel(&venv, &different, &different_name, None).unwrap_err();
    assert!(matches!(err, InstallError::FileConflict { .. }), "{err}");
}

/// A wheel of known hash (a lock's, checked when it was downloaded): once unpacked, its
/// tree is reused without reading the wheel again; unpacked anew, the wheel must still
/// have that hash.
#[test]
fn a_wheel_of_known_hash_is_read_only_to_unpack_it() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let wheel = dir.path().join(TOOL);
    fs::copy(fixture_wheel(TOOL), &wheel).unwrap();
    let bytes = fs::read(&wheel).unwrap();
    let hash = skua_types::Sha256::from_hex(&common::sha256_hex(&bytes)).unwrap();
    let tree = unpack_wheel_with_hash(&wheel, &hash, &cache).unwrap();
    assert_eq!(
        tree,
        unpack_wheel(&wheel, &cache).unwrap(),
        "one tree per hash"
    );

    // The tree is there: the wheel is not opened.
    fs::write(&wheel, b"not a zip any more").unwrap();
    assert_eq!(unpack_wheel_with_hash(&wheel, &hash, &cache).unwrap(), tree);

    // No tree yet: a file that is not what its hash says is refused, naming both.
    let err = unpack_wheel_with_hash(&wheel, &hash, &dir.path().join("other-cache")).unwrap_err();
    assert!(
        matches!(&err, InstallError::WheelHashMismatch { expected, .. } if expected == hash.hex()),
        "{err}"
    );
    assert!(err.to_string().contains(TOOL), "{err}");
}

/// A sync's plans install several at a time: every plan that can be installed is, the
/// ones that share a file (identical bytes) go one after the other and both end up
/// complete, and of two failing plans the first in the order given is the error
/// reported.
#[test]
fn plans_install_in_parallel_and_report_the_first_failure_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let venv = new_venv(dir.path());
    let unpacked = |name: &str, files: Vec<(String, String)>| {
        let filename = format!("{name}-1.0-py3-none-any.whl");
        let members = files
            .iter()
            .map(|(path, body)| member(path, body))
            .collect();
        let wheel = write_wheel(
            dir.path(),
            &filename,
            &with_metadata(name, "1.0", true, members),
        );
        let tree = unpack_wheel(&wheel, &dir.path().join(format!("cache-{name}"))).unwrap();
        (tree, filename)
    };
    let own = |name: &str| {
        vec![(
            format!("{name}/sub/deeper/__init__.py"),
            format!("NAME = '{name}'\n"),
        )]
    };
    let shared = |name: &str| {
        let mut files = own(name);
        files.push((
            "sharedpkg/__init__.py".to_owned(),
            "SHARED = 1\n".to_owned(),
        ));
        files
    };
    let names = [
        "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
    ];
    // charlie and foxtrot are installed already, so their plans fail; bravo and golf
    // share sharedpkg.
    let trees: Vec<_> = names
        .iter()
        .map(|name| {
            if matches!(*name, "bravo" | "golf") {
                unpacked(name, shared(name))
            } else {
                unpacked(name, own(name))
            }
        })
        .collect();
    for index in [2, 5] {
        install_wheel(&venv, &trees[index].0, &trees[index].1, None).unwrap();
    }
    let plans: Vec<_> = trees
        .iter()
        .map(|(tree, filename)| plan(&venv, tree, filename))
        .collect();
    let done = std::sync::Mutex::new(Vec::new());
    let err = install_plans(&venv, &plans, Default::default(), &|index| {
        done.lock().unwrap().push(index);
    })
    .unwrap_err();
    assert!(
        matches!(&err, InstallError::AlreadyInstalled { name, .. } if name.as_str() == "charlie"),
        "{err}"
    );
    let mut done = done.into_inner().unwrap();
    done.sort_unstable();
    assert_eq!(done, [0, 1, 3, 4, 6, 7]);
    let installed: Vec<String> = venv
        .installed()
        .unwrap()
        .into_iter()
        .map(|dist| {
            assert_eq!(dist.incomplete, None, "{}", dist.name);
            dist.name.to_string()
        })
        .collect();
    assert_eq!(installed.len(), names.len(), "{installed:?}");
    for name in names {
        assert_eq!(
            python(
                &venv,
                &format!("import {name}.sub.deeper as m; print(m.NAME)")
            ),
            name
        );
    }
    assert_eq!(
        python(&venv, "import sharedpkg; print(sharedpkg.SHARED)"),
        "1"
    );
}

/// What a kill leaves at its different moments, built by hand: each is reported as
/// incomplete (so a sync reinstalls it), and uninstalling it removes every file left.
#[test]
fn interrupted_installs_and_uninstalls_are_detected_and_cleaned_up() {
    let dir = tempfile::tempdir().unwrap();
    let venv = new_venv(dir.path());
    let cache = dir.path().join("cache");
    let fresh = tree(&venv.root);

    let dist = install_fixture(&venv, &cache, TOOL);
    assert_eq!(dist.incomplete, None);
    assert!(!dist.dist_info.join(INSTALLING_MARKER).exists());
    let record_path = dist.dist_info.join("RECORD");
    let record = fs::read_to_string(&record_path).unwrap();
    let outside: Vec<std::path::PathBuf> = record
        .lines()
        .map(|line| line.split(',').next().unwrap())
        .filter(|path| !path.starts_with("skf_tool-1.0.0.dist-info/"))
        .map(|path| normalize(&venv.site_packages.join(path)))
        .collect();
    assert!(outside.len() > 4, "{outside:?}");

    // Killed half-way through an install: the marker lists the planned files, there is
    // no RECORD, and only some files were linked.
    let planned: String = record
        .lines()
        .map(|line| format!("{},,\n", line.split(',').next().unwrap()))
        .collect();
    fs::write(dist.dist_info.join(INSTALLING_MARKER), planned).unwrap();
    fs::remove_file(&record_path).unwrap();
    for path in outside.iter().step_by(2) {
        fs::remove_file(path).unwrap();
    }
    let found = venv.installed().unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].incomplete, Some(Incomplete::Interrupted));
    assert_eq!(venv.find(&dist.name).unwrap(), Some(found[0].clone()));
    uninstall(&venv, &found[0]).unwrap();
    assert_eq!(
        tree(&venv.root),
        fresh,
        "leftovers of the interrupted install"
    );

    // What skua before the marker left: a .dist-info without RECORD and without the
    // package's files.
    install_fixture(&venv, &cache, TOOL);
    fs::remove_file(&record_path).unwrap();
    for path in &outside {
        fs::remove_file(path).unwrap();
        // The directories were never made either.
        for parent in path.ancestors().skip(1) {
            if parent == venv.root || fs::remove_dir(parent).is_err() {
                break;
            }
        }
    }
    let found = venv.installed().unwrap();
    assert_eq!(found[0].incomplete, Some(Incomplete::NoRecord));
    uninstall(&venv, &found[0]).unwrap();
    assert_eq!(tree(&venv.root), fresh);

    // Killed half-way through an uninstall: RECORD lists files that are gone.
    install_fixture(&venv, &cache, TOOL);
    fs::remove_file(venv.site_packages.join("skf_tool/__init__.py")).unwrap();
    let found = venv.installed().unwrap();
    assert_eq!(
        found[0].incomplete,
        Some(Incomplete::MissingFile("skf_tool/__init__.py".into()))
    );
    uninstall(&venv, &found[0]).unwrap();
    assert_eq!(tree(&venv.root), fresh);

    // An interrupted install never wrote a planned file, and skf-tool installed one
    // there since: removing what is left of the interrupted one leaves skf-tool's file.
    let tool = install_fixture(&venv, &cache, TOOL);
    let ghost = venv.site_packages.join("ghost-1.0.dist-info");
    fs::create_dir(&ghost).unwrap();
    fs::write(ghost.join("METADATA"), "Name: ghost\nVersion: 1.0\n").unwrap();
    fs::write(
        ghost.join(INSTALLING_MARKER),
        "ghost.py,,\nskf_tool/__init__.py,,\n",
    )
    .unwrap();
    fs::write(venv.site_packages.join("ghost.py"), "").unwrap();
    let found = venv.find(&"ghost".parse().unwrap()).unwrap().unwrap();
    assert_eq!(found.incomplete, Some(Incomplete::Interrupted));
    uninstall(&venv, &found).unwrap();
    assert!(!venv.site_packages.join("ghost.py").exists());
    assert!(!ghost.exists());
    assert!(venv.site_packages.join("skf_tool/__init__.py").is_file());
    uninstall(&venv, &tool).unwrap();
    assert_eq!(tree(&venv.root), fresh);

    // Deleted bytecode is not a damaged install.
    let dist = install_fixture(&venv, &cache, TOOL);
    compile_bytecode(&venv, std::slice::from_ref(&venv.site_packages)).unwrap();
    let mut text = fs::read_to_string(&record_path).unwrap();
    text.push_str("skf_tool/__pycache__/gone.cpython-311.pyc,,\n");
    fs::write(&record_path, text).unwrap();
    assert_eq!(venv.installed().unwrap()[0].incomplete, None);
    assert_eq!(dist.incomplete, None);
}

fn plan(venv: &Venv, unpacked: &Path, filename: &str) -> InstallPlan {
    InstallPlan::new(venv, unpacked, filename).expect("a plan for the wheel")
}
