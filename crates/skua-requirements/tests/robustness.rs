//! Arbitrary input must never panic, and every span must slice the input.

use std::time::{Duration, Instant};

use skua_requirements::{
    EntryKind, ListedRequirement, Requirement, ScriptMetadataError, Span, parse_pyproject,
    parse_requirements, parse_script_metadata,
};

fn check_span(text: &str, span: &Span) {
    assert!(span.start <= span.end, "{span:?}");
    assert!(
        text.get(span.clone()).is_some(),
        "span {span:?} does not slice input of {} bytes",
        text.len()
    );
}

fn check_requirement(text: &str, req: &Requirement) {
    check_span(text, &req.span);
    check_span(text, &req.name_span);
    check_span(text, &req.specifiers_span);
    for span in req.url_span.iter().chain(req.marker_span.iter()) {
        check_span(text, span);
    }
    // exercise the predicates too
    let _ = (
        req.is_pinned(),
        req.is_local_path(),
        req.is_vcs(),
        req.has_immutable_ref(),
    );
}

fn check_listed(text: &str, listed: &[ListedRequirement]) {
    for item in listed {
        check_span(text, &item.span);
        if let Some(span) = &item.content_span {
            check_span(text, span);
        }
        if let Ok(req) = &item.parsed {
            check_requirement(text, req);
        }
    }
}

fn check_all(text: &str) {
    for entry in parse_requirements(text).entries {
        check_span(text, &entry.span);
        match &entry.kind {
            EntryKind::Requirement(req) => check_requirement(text, req),
            EntryKind::Editable { span, .. }
            | EntryKind::Include { span, .. }
            | EntryKind::Invalid { span, .. } => check_span(text, span),
            _ => {}
        }
    }
    match parse_pyproject(text) {
        Ok(py) => {
            check_listed(text, &py.dependencies);
            for (_, list) in py.optional_dependencies.iter().chain(&py.dependency_groups) {
                check_listed(text, list);
            }
            for issue in &py.issues {
                check_span(text, &issue.span);
            }
        }
        Err(err) => {
            if let Some(span) = &err.span {
                check_span(text, span);
            }
        }
    }
    match parse_script_metadata(text) {
        Ok(Some(meta)) => {
            check_span(text, &meta.block_span);
            check_listed(text, &meta.dependencies);
        }
        Ok(None) => {}
        Err(ScriptMetadataError::MultipleBlocks { first, second }) => {
            check_span(text, &first);
            check_span(text, &second);
        }
        Err(ScriptMetadataError::Toml { span, .. }) => {
            if let Some(span) = &span {
                check_span(text, span);
            }
        }
    }
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const PIECES: &[&str] = &[
    "requests",
    ">=",
    "==1.*",
    "===x",
    "~=1.2",
    "[",
    "]",
    ",",
    ";",
    " ; ",
    "@",
    " @ ",
    "(",
    ")",
    "\\",
    "\\\n",
    "\n",
    "\r\n",
    "\r",
    " ",
    "\t",
    "#",
    " #",
    "#egg=",
    "#sha256=",
    "&",
    "-r",
    "-e",
    "--hash=",
    "--hash",
    "--index-url",
    "-i",
    "--no",
    "--requirement=",
    "\"",
    "'",
    "'''",
    "\"\"\"",
    "git+https://",
    "git+git@host:",
    "file:",
    "./",
    "..",
    "/",
    "C:\\",
    "${VAR}",
    ".whl",
    ".tar.gz",
    "-1.0-py3-none-any",
    "python_version",
    " < '3'",
    " and ",
    " or ",
    "extra == 'x'",
    "é",
    "€",
    "\u{feff}",
    "\u{3000}",
    "\0",
    "# /// script\n",
    "# ///",
    "# ",
    "#\n",
    "dependencies = [",
    "requires-python = ",
    "[project]\n",
    "[tool.poetry.dependencies]\n",
    "= ",
    "{",
    "}",
    "[dependency-groups]\n",
    "include-group",
    "0123456789abcdef0123456789abcdef01234567",
];

#[test]
fn random_inputs_never_panic_and_spans_slice() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..10_000 {
        let mut text = String::new();
        for _ in 0..rng.below(40) {
            if rng.below(8) == 0 {
                let c = char::from_u32(rng.below(0x3000) as u32).unwrap_or('?');
                text.push(c);
            } else {
                text.push_str(PIECES[rng.below(PIECES.len())]);
            }
        }
        check_all(&text);
    }
}

#[test]
fn realistic_fragments_never_panic() {
    for text in [
        "# /// script\n# dependencies = [\"a @ ./x ; python_version<'3'\", 'b[c]==1']\n# ///",
        "# /// script\r\n#\r\n# dependencies = [\"\"\"\r\n# multi\r\n# \"\"\"]\r\n# ///\r\n",
        "[project]\ndependencies = [\"\"\"\nrequests\n\"\"\"]",
        "-e\n-r=\n--hash=sha256:\nfoo --hash\nfoo==1 \"unclosed\n--index-url 'x\n",
        "\\\\\\\\\n\\\n#\\\n",
        "https://\nfile:\ngit+\ngit+https://h/r@\n@\n.[\n./[]\n.[a,,b]\nname @\nname @ ;\n",
        "a ; \na;\n\u{3000}# c\nx\u{3000}#egg=y\n",
    ] {
        check_all(text);
    }
}

#[test]
fn hostile_sizes_are_fast() {
    let started = Instant::now();
    let long_line = format!("pkg=={}\n", "1".repeat(1 << 20));
    check_all(&long_line);
    let nested = format!(
        "pkg; {}python_version > '3'{}",
        "(".repeat(100_000),
        ")".repeat(100_000)
    );
    check_all(&nested);
    let many_markers = format!(
        "pkg; {}",
        (0..700)
            .map(|i| format!("python_version > '3.{i}'"))
            .collect::<Vec<_>>()
            .join(" or ")
    );
    check_all(&many_markers);
    let many_lines = "requests>=2 --hash=sha256:00 \\\n".repeat(50_000);
    let file = parse_requirements(&many_lines);
    assert_eq!(file.entries.len(), 1);
    let deep_toml = format!("a = {}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert!(parse_pyproject(&deep_toml).is_err());
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
}

/// Inputs that panic inside `pep508_rs` 0.9 (and, for markers, poison its global interner
/// so that every later marker parse in the process panics too).
#[test]
fn pep508_rs_panic_regressions() {
    for (line, is_valid) in [
        ("pkg; python_version <= \"3.18446744073709551615\"", true),
        ("pkg; python_version > \"18446744073709551615.1\"", true),
        ("pkg; python_version == \"3.18446744073709551615.*\"", true),
        ("pkg; extra == 'a.'", true),
        ("pkg. >=1", false),
        ("pkg_ ;os_name=='nt'", false),
        ("pkg[a.]", false),
        ("pkg[a. b]", false),
        ("pkg[a.", false),
        ("pkg[a,,b]", false),
    ] {
        let file = parse_requirements(line);
        assert_eq!(file.entries.len(), 1, "{line}");
        let kind = &file.entries[0].kind;
        assert_eq!(
            matches!(kind, EntryKind::Requirement(_)),
            is_valid,
            "{line}: {kind:?}"
        );
        let toml = format!("[project]\ndependencies = [{line:?}]\n");
        let py = parse_pyproject(&toml).unwrap();
        assert_eq!(py.dependencies[0].parsed.is_ok(), is_valid, "{line}");
    }
    // Markers still parse after the inputs above.
    let file = parse_requirements("ok; python_version < '3.12'");
    assert!(matches!(file.entries[0].kind, EntryKind::Requirement(_)));
}

#[test]
fn requirement_shaped_random_inputs() {
    const PARTS: &[&str] = &[
        "a",
        "Z9",
        ".",
        "-",
        "_",
        "[",
        "]",
        ",",
        " ",
        "(",
        ")",
        ";",
        "@",
        "==",
        "===",
        "~=",
        "!=",
        "<",
        ">=",
        ".*",
        "1",
        "0",
        "18446744073709551616",
        "1.2",
        "a1",
        "post",
        "dev",
        "+local",
        "!",
        "python_version",
        "extra",
        "'3.1'",
        "\"x\"",
        " and ",
        " or ",
        " in ",
        " not in ",
        "https://h/p",
        "#",
        "=",
        "${X}",
        "é",
    ];
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    for _ in 0..15_000 {
        let mut line = String::new();
        for _ in 0..rng.below(16) {
            line.push_str(PARTS[rng.below(PARTS.len())]);
        }
        check_all(&line);
        let toml = format!("[project]\ndependencies = [{line:?}]\n");
        check_all(&toml);
    }
}
