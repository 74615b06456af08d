//! Interpreter discovery and virtual environment creation against the machine's Python.

mod common;

use std::fs;
use std::path::Path;

use common::{interpreter, python, run, run_ok};
use skua_install::{InstallError, Interpreter, Venv, VenvOptions, create_venv};

fn canonical(path: &Path) -> std::path::PathBuf {
    fs::canonicalize(path).expect("an existing path")
}

#[test]
fn query_describes_the_interpreter() {
    let interp = interpreter();
    assert_eq!(interp.version.0, 3);
    assert!(interp.executable.is_absolute());
    assert!(interp.base_executable.is_file());
    // Even when the tests run from inside a venv, what a new venv links to is outside it.
    assert!(!interp.is_venv || !interp.base_executable.starts_with(&interp.sys_prefix));
    assert_eq!(interp.implementation, "cpython");
    assert!(interp.layout.purelib.ends_with("site-packages"));
    assert!(interp.layout.purelib.is_relative());
    assert_eq!(interp.layout.scripts, Path::new("bin"));
    assert_eq!(interp.layout.data, Path::new(""));

    // The same interpreter, by version and by path.
    let by_version = Interpreter::find(Some(&interp.python_minor_version()), None).unwrap();
    assert_eq!(by_version.version.0, 3);
    assert_eq!(by_version.version.1, interp.version.1);
    let by_path = Interpreter::find(interp.executable.to_str(), None).unwrap();
    assert_eq!(by_path.executable, interp.executable);
}

#[test]
fn find_reports_what_it_tried() {
    let err = Interpreter::find(Some("3.99"), None).unwrap_err();
    assert!(
        matches!(err, InstallError::InterpreterNotFound { .. }),
        "{err}"
    );
    let message = err.to_string();
    assert!(message.contains("python3.99"), "{message}");
    assert!(message.contains("python3 on PATH"), "{message}");
}

#[test]
fn creates_a_working_venv_without_pip() {
    let dir = tempfile::tempdir().unwrap();
    let interp = interpreter();
    let path = dir.path().join(".venv");
    let venv = create_venv(&path, &interp, &VenvOptions::default(), None).unwrap();
    assert_eq!(venv.root, path);
    assert_eq!(venv.python(), path.join("bin").join("python"));
    assert!(venv.interpreter.is_venv);
    assert_eq!(venv.interpreter.sys_prefix, path);
    assert!(venv.site_packages.is_dir());

    // sys.prefix is the venv, sys.base_prefix the base installation.
    let out = python(
        &venv,
        "import sys; print(sys.prefix); print(sys.base_prefix)",
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(canonical(Path::new(lines[0])), canonical(&path));
    assert_ne!(canonical(Path::new(lines[1])), canonical(&path));
    assert_eq!(
        canonical(Path::new(lines[1])),
        canonical(&interp.base_prefix)
    );

    // site sees the venv's site-packages, exactly like a `python -m venv` venv.
    let out = python(
        &venv,
        "import site; print('\\n'.join(site.getsitepackages()))",
    );
    assert!(
        out.lines()
            .any(|l| canonical(Path::new(l)) == canonical(&venv.site_packages)),
        "{out}"
    );
    // No pip was seeded.
    let output = run(venv.python(), &["-c", "import pip"]);
    assert!(!output.status.success());

    // Every interpreter name links straight to the base interpreter.
    let (major, minor, _) = interp.version;
    for name in [
        "python".to_owned(),
        format!("python{major}"),
        format!("python{major}.{minor}"),
    ] {
        let link = path.join("bin").join(&name);
        assert_eq!(
            fs::read_link(&link).unwrap(),
            interp.base_executable,
            "{name}"
        );
        run_ok(&link, &["-c", "pass"]);
    }

    let cfg = fs::read_to_string(path.join("pyvenv.cfg")).unwrap();
    let home = interp
        .base_executable
        .parent()
        .unwrap()
        .display()
        .to_string();
    assert!(cfg.contains(&format!("home = {home}\n")), "{cfg}");
    assert!(
        cfg.contains("include-system-site-packages = false\n"),
        "{cfg}"
    );
    assert!(
        cfg.contains(&format!("version_info = {}\n", interp.full_version)),
        "{cfg}"
    );
    assert!(cfg.contains("implementation = CPython\n"), "{cfg}");
    assert!(cfg.contains("executable = "), "{cfg}");
    assert!(cfg.contains("command = "), "{cfg}");
    assert!(!cfg.contains("prompt"), "{cfg}");

    assert_eq!(fs::read_to_string(path.join(".gitignore")).unwrap(), "*\n");
    for script in ["activate", "activate.fish", "activate.csh", "activate.ps1"] {
        let text = fs::read_to_string(path.join("bin").join(script)).unwrap();
        assert!(text.contains(&path.display().to_string()), "{script}");
    }
    // Nothing left behind next to the venv.
    let siblings: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(siblings, [".venv"]);

    // Opening it again gives the same description.
    let reopened = Venv::open(&path, None).unwrap();
    assert_eq!(reopened.site_packages, venv.site_packages);
    assert_eq!(reopened.scripts, venv.scripts);
    assert_eq!(reopened.interpreter.sys_prefix, path);
}

#[test]
fn bash_activation_sets_and_restores_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let venv = common::new_venv(dir.path());
    let activate = venv.scripts.join("activate");
    let script = format!(
        "PS1='$ '; source '{}' && echo \"$VIRTUAL_ENV\" && echo \"$VIRTUAL_ENV_PROMPT\" && \
         command -v python && echo \"[$PS1]\" && deactivate && echo \"${{VIRTUAL_ENV-unset}}\" && \
         echo \"[$PS1]\"",
        activate.display()
    );
    let out = run_ok("bash", &["-c", &script]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], venv.root.display().to_string());
    assert_eq!(lines[1], ".venv");
    assert_eq!(lines[2], venv.python().display().to_string());
    assert_eq!(lines[3], "[(.venv) $ ]");
    assert_eq!(lines[4], "unset");
    assert_eq!(lines[5], "[$ ]");

    // Executed instead of sourced, it refuses.
    let output = run("bash", &[activate.to_str().unwrap()]);
    assert!(!output.status.success());
}

/// The other shells are checked where they are installed (CI machines may lack them).
#[test]
fn other_shells_activate() {
    let dir = tempfile::tempdir().unwrap();
    // A quote and a space in the path exercise each shell's quoting.
    let venv = create_venv(
        &dir.path().join("it's a venv"),
        &interpreter(),
        &VenvOptions {
            prompt: Some("demo".into()),
            ..VenvOptions::default()
        },
        None,
    )
    .unwrap();
    let root = venv.root.display().to_string();
    let bin = venv.scripts.display().to_string();
    let have = |shell: &str| {
        std::process::Command::new(shell)
            .arg("-c")
            .arg("exit 0")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let cases = [
        (
            "zsh",
            "source \"$1/activate\" && echo $VIRTUAL_ENV && echo $VIRTUAL_ENV_PROMPT && whence -p python",
        ),
        (
            "fish",
            "source $argv[1]/activate.fish; and echo $VIRTUAL_ENV; and echo $VIRTUAL_ENV_PROMPT; and command -s python",
        ),
    ];
    for (shell, script) in cases {
        if !have(shell) {
            eprintln!("{shell} is not installed; skipped");
            continue;
        }
        // fish passes arguments after the script as $argv; sh-likes start at $0.
        let args: Vec<&str> = if shell == "fish" {
            vec!["-c", script, &bin]
        } else {
            vec!["-c", script, "x", &bin]
        };
        let out = run_ok(shell, &args);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines,
            [root.as_str(), "demo", &venv.python().display().to_string()],
            "{shell}"
        );
    }
    if have("tcsh") {
        let script = format!(
            "source '{}/activate.csh' && echo \"$VIRTUAL_ENV\" && echo \"$VIRTUAL_ENV_PROMPT\" && which python",
            bin.replace('\'', "'\\''")
        );
        let out = run_ok("tcsh", &["-f", "-c", &script]);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines,
            [root.as_str(), "demo", &venv.python().display().to_string()],
            "tcsh"
        );
    } else {
        eprintln!("tcsh is not installed; skipped");
    }
    let cfg = fs::read_to_string(venv.root.join("pyvenv.cfg")).unwrap();
    assert!(cfg.contains("prompt = demo\n"), "{cfg}");
}

#[test]
fn refuses_to_replace_a_directory_that_is_not_a_venv() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("project");
    fs::create_dir(&target).unwrap();
    fs::write(target.join("important.txt"), "keep me").unwrap();
    // Not even when clearing: only a venv is ever deleted.
    let clear = VenvOptions {
        clear: true,
        ..VenvOptions::default()
    };
    let err = create_venv(&target, &interpreter(), &clear, None).unwrap_err();
    assert!(
        matches!(err, InstallError::RefusingToReplace { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("refusing to replace"), "{err}");
    assert_eq!(
        fs::read_to_string(target.join("important.txt")).unwrap(),
        "keep me"
    );
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no staging left behind"
    );

    // A plain file is not replaced either.
    let file = dir.path().join("file");
    fs::write(&file, "x").unwrap();
    let err = create_venv(&file, &interpreter(), &clear, None).unwrap_err();
    assert!(
        matches!(err, InstallError::RefusingToReplace { .. }),
        "{err}"
    );
}

#[test]
fn replaces_an_existing_venv_only_when_clearing() {
    let dir = tempfile::tempdir().unwrap();
    let interp = interpreter();
    let path = dir.path().join("env");
    // An empty directory is simply used.
    fs::create_dir(&path).unwrap();
    let venv = create_venv(&path, &interp, &VenvOptions::default(), None).unwrap();
    fs::write(venv.site_packages.join("stale.py"), "").unwrap();

    let keep = VenvOptions {
        clear: false,
        ..VenvOptions::default()
    };
    let err = create_venv(&path, &interp, &keep, None).unwrap_err();
    assert!(matches!(err, InstallError::VenvExists { .. }), "{err}");
    assert!(venv.site_packages.join("stale.py").exists());

    // The default keeps it too.
    let err = create_venv(&path, &interp, &VenvOptions::default(), None).unwrap_err();
    assert!(matches!(err, InstallError::VenvExists { .. }), "{err}");
    assert!(venv.site_packages.join("stale.py").exists());

    let clear = VenvOptions {
        clear: true,
        ..VenvOptions::default()
    };
    let venv = create_venv(&path, &interp, &clear, None).unwrap();
    assert!(!venv.site_packages.join("stale.py").exists());
    python(&venv, "import sys");
    let names: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(names, ["env"], "old venv and staging are cleaned up");
}

#[test]
fn a_venv_made_from_a_venv_links_to_the_base_interpreter() {
    let dir = tempfile::tempdir().unwrap();
    let first = create_venv(
        &dir.path().join("first"),
        &interpreter(),
        &VenvOptions::default(),
        None,
    )
    .unwrap();
    let inner = Interpreter::query(&first.python()).unwrap();
    assert!(inner.is_venv);
    assert!(!inner.base_executable.starts_with(&first.root));

    let second = create_venv(
        &dir.path().join("second"),
        &inner,
        &VenvOptions::default(),
        None,
    )
    .unwrap();
    let link = fs::read_link(second.python()).unwrap();
    assert!(!link.starts_with(&first.root), "{}", link.display());
    fs::remove_dir_all(&first.root).unwrap();
    let out = python(&second, "import sys; print(sys.prefix)");
    assert_eq!(canonical(Path::new(&out)), canonical(&second.root));
}

/// Before 3.11, CPython reports a venv's own python as `sys._base_executable`; the base
/// must come from pyvenv.cfg instead. Runs where an older pyenv Python exists.
#[test]
fn older_pythons_inside_a_venv_still_find_their_base() {
    let Some(old) = ["3.10", "3.9", "3.8"]
        .iter()
        .find_map(|v| Interpreter::find(Some(v), None).ok())
    else {
        eprintln!("no Python older than 3.11 found; skipped");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let first = create_venv(
        &dir.path().join("first"),
        &old,
        &VenvOptions::default(),
        None,
    )
    .unwrap();
    let inner = Interpreter::query(&first.python()).unwrap();
    assert!(
        !inner.base_executable.starts_with(&first.root),
        "{}",
        inner.base_executable.display()
    );
    let second = create_venv(
        &dir.path().join("second"),
        &inner,
        &VenvOptions::default(),
        None,
    )
    .unwrap();
    python(&second, "import sys; assert sys.prefix != sys.base_prefix");
}

#[test]
fn system_site_packages_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let options = VenvOptions {
        system_site_packages: true,
        ..VenvOptions::default()
    };
    let venv = create_venv(&dir.path().join("v"), &interpreter(), &options, None).unwrap();
    let cfg = fs::read_to_string(venv.root.join("pyvenv.cfg")).unwrap();
    assert!(
        cfg.contains("include-system-site-packages = true\n"),
        "{cfg}"
    );
    let base_site = python(
        &venv,
        "import site, sys; print(len(site.getsitepackages()))",
    );
    assert!(base_site.parse::<usize>().unwrap() >= 2, "{base_site}");
}

#[test]
fn open_rejects_non_venvs() {
    let dir = tempfile::tempdir().unwrap();
    let err = Venv::open(dir.path(), None).unwrap_err();
    assert!(matches!(err, InstallError::NotAVenv { .. }), "{err}");
}

/// CI jobs delete and create `.venv` again from the same interpreter: the new venv
/// answers exactly as the old one did, so its cached probe is reused rather than a
/// Python started. A venv made differently at that path is probed afresh.
#[test]
fn a_venv_made_again_at_the_same_path_reuses_its_probe() {
    let dir = tempfile::tempdir().unwrap();
    let cache = skua_cache::Cache::new(dir.path().join("cache"));
    let probes = || {
        fs::read_dir(cache.bucket("interpreter-v2"))
            .map(|entries| entries.count())
            .unwrap_or(0)
    };
    let path = dir.path().join(".venv");
    let first = create_venv(&path, &interpreter(), &VenvOptions::default(), Some(&cache)).unwrap();
    let opened = Venv::open(&path, Some(&cache)).unwrap();
    assert_eq!(opened.interpreter, first.interpreter);
    let after_first = probes();
    assert!(after_first >= 1, "the venv's probe is cached");

    fs::remove_dir_all(&path).unwrap();
    let options = VenvOptions::default();
    create_venv(&path, &interpreter(), &options, Some(&cache)).unwrap();
    let again = Venv::open(&path, Some(&cache)).unwrap();
    assert_eq!(again.interpreter, first.interpreter);
    assert_eq!(
        probes(),
        after_first,
        "the same venv again needs no new probe"
    );

    fs::remove_dir_all(&path).unwrap();
    let options = VenvOptions {
        system_site_packages: true,
        ..VenvOptions::default()
    };
    create_venv(&path, &interpreter(), &options, Some(&cache)).unwrap();
    Venv::open(&path, Some(&cache)).unwrap();
    assert_eq!(
        probes(),
        after_first + 1,
        "another pyvenv.cfg is another probe"
    );
}
