//! What `read_lock` accepts from a pylock.toml (PEP 751) and what it refuses. No network
//! and no interpreter: only the reader.

use std::path::PathBuf;

use skua_sync::{SyncError, read_lock};

const HASH_A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

struct Lock {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

fn pylock(text: &str) -> Lock {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("pylock.toml");
    std::fs::write(&path, text).expect("write");
    Lock { _dir: dir, path }
}

/// The message of the error `read_lock` gives for `text`.
fn refused(text: &str) -> String {
    let lock = pylock(text);
    match read_lock(&lock.path) {
        Ok(packages) => panic!("accepted {text:?} as {packages:?}"),
        Err(SyncError::Lock { message, .. }) => message,
        Err(other) => panic!("unexpected error for {text:?}: {other}"),
    }
}

fn wheel(name: &str, hash: &str) -> String {
    format!(
        "[[packages.wheels]]\nname = \"{name}\"\nurl = \"https://files.example/{name}\"\nhashes = {{ sha256 = \"{hash}\" }}\n"
    )
}

#[test]
fn files_that_are_not_a_version_1_lock_are_refused() {
    for (text, expected) in [
        ("", "no `lock-version`"),
        ("\n# nothing here\n", "no `lock-version`"),
        (
            "[[packages]]\nname = \"a\"\nversion = \"1\"\n",
            "no `lock-version`",
        ),
        (
            "lock-version = 1.0\n",
            "`lock-version` must be a string, not float",
        ),
        (
            "lock-version = \"2.0\"\n",
            "`lock-version` \"2.0\" is not supported",
        ),
        ("lock-version = \"0.9\"\n", "is not supported"),
        ("lock-version = \"1.x\"\n", "is not supported"),
        ("lock-version = \"one\"\n", "is not supported"),
    ] {
        let message = refused(text);
        assert!(message.contains(expected), "{text:?}: {message}");
    }
    // Any 1.x reads with the same fields.
    for version in ["1.0", "1.1", "1"] {
        let lock = pylock(&format!(
            "lock-version = \"{version}\"\n[[packages]]\nname = \"skf-a\"\nversion = \"1.0\"\n{}",
            wheel("skf_a-1.0-py3-none-any.whl", HASH_A)
        ));
        let packages = read_lock(&lock.path).expect(version);
        assert_eq!(packages.len(), 1, "{version}");
        assert_eq!(packages[0].hashes.len(), 1, "{version}");
    }
}

#[test]
fn wrong_types_name_the_field_and_the_package() {
    let head = "lock-version = \"1.0\"\n";
    let package = "[[packages]]\nname = \"skf-a\"\nversion = \"1.0\"\n";
    for (body, expected) in [
        (
            "packages = \"skf-a\"\n",
            "`packages` must be an array of tables, not string",
        ),
        (
            "packages = [1]\n",
            "`packages[0]` must be a table, not integer",
        ),
        (
            "[[packages]]\nversion = \"1.0\"\n",
            "`packages[0]` has no `name`",
        ),
        (
            "[[packages]]\nname = 3\nversion = \"1.0\"\n",
            "`packages[0].name` must be a string, not integer",
        ),
        (
            "[[packages]]\nname = \"-bad-\"\nversion = \"1.0\"\n",
            "`packages[0].name`",
        ),
        ("[[packages]]\nname = \"skf-a\"\n", "skf-a has no `version`"),
        (
            "[[packages]]\nname = \"skf-a\"\nversion = 1\n",
            "skf-a: `version` must be a string, not integer",
        ),
        (
            "[[packages]]\nname = \"skf-a\"\nversion = \"one\"\n",
            "skf-a: invalid `version` `one`",
        ),
        (
            &format!("{package}wheels = {{ name = \"x\" }}\n"),
            "skf-a: `wheels` must be an array of tables, not table",
        ),
        (
            &format!("{package}wheels = [\"x.whl\"]\n"),
            "skf-a: `wheels[0]` must be a table, not string",
        ),
        (
            &format!("{package}sdist = []\n"),
            "skf-a: `sdist` must be a table, not array",
        ),
        (
            &format!(
                "{package}[[packages.wheels]]\nname = \"x.whl\"\nhashes = \"sha256:{HASH_A}\"\n"
            ),
            "skf-a: `wheels[0].hashes` must be a table, not string",
        ),
        (
            &format!("{package}[packages.sdist]\nname = \"x.tar.gz\"\nhashes = {{ sha256 = 1 }}\n"),
            "skf-a: `sdist.hashes.sha256` must be a string, not integer",
        ),
        (
            &format!(
                "{package}[packages.sdist]\nname = \"x.tar.gz\"\nhashes = {{ sha256 = \"abc\" }}\n"
            ),
            "skf-a: `sdist.hashes`",
        ),
        (
            &format!(
                "{package}[[packages.wheels]]\nname = \"x.whl\"\nhashes = {{ sha512 = \"abc\" }}\n"
            ),
            "skf-a: `wheels[0].hashes` has no sha256 digest",
        ),
        (
            &format!(
                "{package}[[packages.wheels]]\nurl = 5\nhashes = {{ sha256 = \"{HASH_A}\" }}\n"
            ),
            "skf-a: `wheels[0].url` must be a string, not integer",
        ),
        (
            &format!(
                "{package}[packages.vcs]\ntype = \"git\"\nurl = \"https://git.example/a\"\ncommit-id = \"abc\"\n"
            ),
            "skf-a: https://git.example/a is a git source, which only a sync (with its cache) can check out",
        ),
        (
            &format!("{package}[packages.vcs]\ntype = \"hg\"\nurl = \"https://hg.example/a\"\n"),
            "skf-a: only git `vcs` sources are supported",
        ),
        (
            &format!(
                "{package}[packages.archive]\nurl = \"https://files.example/a.zip\"\nhashes = {{ sha256 = \"{HASH_A}\" }}\n"
            ),
            "skf-a: `archive` sources are not supported",
        ),
    ] {
        let message = refused(&format!("{head}{body}"));
        assert!(message.contains(expected), "{body:?}: {message}");
    }
}

#[test]
fn a_lock_of_nothing_reads_as_empty() {
    // What `skua lock` writes when there is nothing to lock; the sync refuses it unless
    // asked to allow an empty lock.
    let lock = pylock("lock-version = \"1.0\"\ncreated-by = \"skua\"\n");
    assert_eq!(read_lock(&lock.path).expect("valid"), []);
    let lock = pylock("lock-version = \"1.0\"\npackages = []\n");
    assert_eq!(read_lock(&lock.path).expect("valid"), []);
}

const HASH_B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

#[test]
fn hashes_of_entries_without_a_url_still_constrain_the_package() {
    // PEP 751 lets an entry name its file by `path`, or leave it to the package's index.
    let lock = pylock(&format!(
        "lock-version = \"1.0\"\n\
         [[packages]]\nname = \"skf-a\"\nversion = \"1.0\"\n\
         [[packages.wheels]]\nname = \"skf_a-1.0-py3-none-any.whl\"\nhashes = {{ sha256 = \"{HASH_A}\" }}\n\
         [packages.sdist]\npath = \"dist/skf_a-1.0.tar.gz\"\nhashes = {{ sha256 = \"{HASH_B}\" }}\n\
         [[packages]]\nname = \"skf-b\"\nversion = \"2.0\"\n\
         [[packages.wheels]]\nurl = \"https://files.example/skf_b-2.0-py3-none-any.whl\"\nhashes = {{ sha256 = \"{HASH_B}\" }}\n"
    ));
    let packages = read_lock(&lock.path).expect("valid");
    let hex = |package: &skua_sync::LockedPackage| {
        package
            .hashes
            .iter()
            .map(|hash| hash.hex().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(hex(&packages[0]), [HASH_A, HASH_B]);
    assert!(packages[0].files.is_empty(), "{:?}", packages[0].files);
    // A url without `name` names its file itself.
    assert_eq!(hex(&packages[1]), [HASH_B]);
    assert_eq!(packages[1].files.len(), 1);
    assert_eq!(packages[1].files[0].filename, "skf_b-2.0-py3-none-any.whl");

    // Once a lock uses hashes, a package without any is an error, as in requirements.txt.
    let message = refused(&format!(
        "lock-version = \"1.0\"\n\
         [[packages]]\nname = \"skf-a\"\nversion = \"1.0\"\n\
         [[packages.wheels]]\npath = \"skf_a-1.0-py3-none-any.whl\"\nhashes = {{ sha256 = \"{HASH_A}\" }}\n\
         [[packages]]\nname = \"skf-b\"\nversion = \"2.0\"\n\
         [[packages.wheels]]\nurl = \"https://files.example/skf_b-2.0-py3-none-any.whl\"\n"
    ));
    assert!(
        message.contains("skf-b==2.0 has no hash, but the lock uses hashes"),
        "{message}"
    );
}

/// What a lock's header says it was made for: skua's own header, pip-compile's and uv's
/// command line.
#[test]
fn the_header_names_the_target_a_lock_was_made_for() {
    use skua_platform::Target;
    use skua_sync::{MadeFor, read_lock_file};
    let cases = [
        (
            "#\n# This file is autogenerated by skua for Python 3.12 on aarch64-manylinux_2_28\n# by the following command:\n",
            Some(MadeFor::Target(
                Target::new("3.12", "aarch64-manylinux_2_28").expect("target"),
            )),
        ),
        (
            "#\n# This file is autogenerated by pip-compile with Python 3.10\n# by the following command:\n",
            Some(MadeFor::Python(3, 10)),
        ),
        (
            "# This file was autogenerated by uv via the following command:\n#    uv pip compile requirements.in --python-version 3.13 --python-platform=windows -o r.txt\n",
            Some(MadeFor::Target(
                Target::new("3.13", "windows").expect("target"),
            )),
        ),
        (
            "# This file was autogenerated by uv via the following command:\n#    uv pip compile requirements.in -o r.txt\n",
            None,
        ),
        (
            "#\n# This file is autogenerated by skua for Python >=3.10 on every platform (universal)\n",
            Some(MadeFor::Universal(3, 10)),
        ),
        (
            "# This file was autogenerated by uv via the following command:\n#    uv pip compile requirements.in --universal --python-version 3.9 -o r.txt\n",
            Some(MadeFor::Universal(3, 9)),
        ),
        (
            "boto3==1.0\n# This file is autogenerated by pip-compile with Python 3.10\n",
            None,
        ),
    ];
    for (header, expected) in cases {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("requirements.txt");
        std::fs::write(&path, format!("{header}requests==2.0\n")).expect("write");
        let lock = read_lock_file(&path, None).expect("valid");
        assert_eq!(lock.made_for, expected, "{header}");
        assert!(!lock.packages.is_empty());
    }
}

/// A universal lock's markers, in requirements.txt and pylock.toml: each environment gets
/// the entries whose markers hold; an unreadable marker or two entries of one name that
/// both hold are errors, never a guess.
#[test]
fn markers_choose_the_entries_of_an_environment() {
    use skua_platform::Target;
    use skua_sync::for_environment;
    let dir = tempfile::tempdir().expect("tempdir");
    let requirements = dir.path().join("requirements.txt");
    std::fs::write(
        &requirements,
        format!(
            "colorama==0.4.6 ; sys_platform == 'win32' --hash=sha256:{HASH_A}\n\
             numpy==2.0.2 ; python_full_version < '3.10' --hash=sha256:{HASH_A}\n\
             numpy==2.2.6 ; python_full_version >= '3.10' --hash=sha256:{HASH_A}\n\
             rich==14.0.0 --hash=sha256:{HASH_A}\n"
        ),
    )
    .expect("write");
    let text = std::fs::read_to_string(&requirements).expect("read");
    let pylock = pylock(&format!(
        "lock-version = \"1.0\"\n\
         [[packages]]\nname = \"colorama\"\nversion = \"0.4.6\"\nmarker = \"sys_platform == 'win32'\"\n{}\n\
         [[packages]]\nname = \"numpy\"\nversion = \"2.0.2\"\nmarker = \"python_full_version < '3.10'\"\n{}\n\
         [[packages]]\nname = \"numpy\"\nversion = \"2.2.6\"\nmarker = \"python_full_version >= '3.10'\"\n{}\n\
         [[packages]]\nname = \"rich\"\nversion = \"14.0.0\"\n{}",
        wheel("colorama-0.4.6-py2.py3-none-any.whl", HASH_A),
        wheel("numpy-2.0.2-cp39-cp39-win_amd64.whl", HASH_A),
        wheel("numpy-2.2.6-cp312-cp312-win_amd64.whl", HASH_A),
        wheel("rich-14.0.0-py3-none-any.whl", HASH_A),
    ));
    for path in [&requirements, &pylock.path] {
        let packages = read_lock(path).expect("valid");
        assert_eq!(packages.len(), 4, "{text}");
        let pins = |python: &str, platform: &str| -> Vec<String> {
            let env = Target::new(python, platform)
                .expect("target")
                .marker_environment();
            for_environment(&packages, &env)
                .expect("no overlap")
                .iter()
                .map(|package| format!("{}=={}", package.name, package.version))
                .collect()
        };
        assert_eq!(
            pins("3.9", "windows"),
            ["colorama==0.4.6", "numpy==2.0.2", "rich==14.0.0"]
        );
        assert_eq!(pins("3.12", "linux"), ["numpy==2.2.6", "rich==14.0.0"]);
    }

    let overlapping = read_lock(&requirements).map(|mut packages| {
        for package in &mut packages {
            package.marker = None;
        }
        packages
    });
    let env = Target::new("3.12", "linux")
        .expect("target")
        .marker_environment();
    let error = for_environment(&overlapping.expect("valid"), &env).expect_err("ambiguous");
    assert!(
        error.to_string().contains("numpy==2.0.2 and numpy==2.2.6"),
        "{error}"
    );

    std::fs::write(
        &requirements,
        format!("rich==14.0.0 ; sys_platform =! 'win32' --hash=sha256:{HASH_A}\n"),
    )
    .expect("write");
    let error = read_lock(&requirements).expect_err("unreadable marker");
    assert!(error.to_string().contains("line 1"), "{error}");
    assert!(
        refused(&format!(
            "lock-version = \"1.0\"\n[[packages]]\nname = \"rich\"\nversion = \"14.0.0\"\nmarker = 3\n{}",
            wheel("rich-14.0.0-py3-none-any.whl", HASH_A)
        ))
        .contains("`packages[0].marker` must be a string"),
    );
}
