use skua_requirements::{Entry, EntryKind, IncludeKind, Requirement, Span, parse_requirements};

fn at(text: &str, span: &Span) -> String {
    text[span.clone()].to_string()
}

fn only_requirement(text: &str) -> (Entry, Requirement) {
    let file = parse_requirements(text);
    assert_eq!(file.entries.len(), 1, "{:#?}", file.entries);
    let entry = file.entries[0].clone();
    match &entry.kind {
        EntryKind::Requirement(req) => (entry.clone(), req.clone()),
        other => panic!("expected a requirement, got {other:?}"),
    }
}

fn requirement(spec: &str) -> Requirement {
    only_requirement(spec).1
}

#[test]
fn simple_requirement_spans() {
    let text = "# header\n\nrequests>=2\n";
    let (entry, req) = only_requirement(text);
    assert_eq!(entry.line, 3);
    assert_eq!(at(text, &entry.span), "requests>=2");
    assert_eq!(at(text, &req.span), "requests>=2");
    assert_eq!(at(text, &req.name_span), "requests");
    assert_eq!(at(text, &req.specifiers_span), ">=2");
    assert_eq!(req.name, "requests");
    assert_eq!(req.specifiers, ">=2");
    assert_eq!(req.url, None);
    assert_eq!(req.marker, None);
    assert!(req.hashes.is_empty());
}

#[test]
fn full_pep508_line() {
    let text =
        "  Foo_Bar[Security, socks] >= 1.2 , <2 ; python_version < \"3.11\"   # pinned later\n";
    let (entry, req) = only_requirement(text);
    assert_eq!(
        at(text, &entry.span),
        "Foo_Bar[Security, socks] >= 1.2 , <2 ; python_version < \"3.11\""
    );
    assert_eq!(req.span, entry.span);
    assert_eq!(req.name, "Foo_Bar");
    assert_eq!(req.package_name.as_ref().unwrap(), "foo-bar");
    assert_eq!(req.extras, ["Security", "socks"]);
    assert_eq!(req.specifiers, ">=1.2,<2");
    assert_eq!(at(text, &req.specifiers_span), ">= 1.2 , <2");
    assert_eq!(req.marker.as_deref(), Some("python_version < \"3.11\""));
    assert_eq!(
        at(text, req.marker_span.as_ref().unwrap()),
        "python_version < \"3.11\""
    );
}

#[test]
fn specifier_insertion_point_without_specifiers() {
    let text = "django[argon2]; sys_platform == 'linux'\n";
    let req = requirement(text);
    assert_eq!(req.specifiers, "");
    assert_eq!(req.specifiers_span, 14..14);
    assert_eq!(&text[..req.specifiers_span.start], "django[argon2]");
}

#[test]
fn parenthesized_specifiers() {
    let text = "name (>=1.0, <2)";
    let req = requirement(text);
    assert_eq!(req.specifiers, ">=1.0,<2");
    assert_eq!(at(text, &req.specifiers_span), "(>=1.0, <2)");
}

#[test]
fn continuation_lines_with_hashes() {
    let text = "# comment\r\nfoo==1.0 \\\r\n    --hash=sha256:aaaa \\\r\n    --hash sha256:bbbb\r\nbar\r\n";
    let file = parse_requirements(text);
    assert_eq!(file.entries.len(), 2);
    let entry = &file.entries[0];
    assert_eq!(entry.line, 2);
    assert_eq!(
        at(text, &entry.span),
        "foo==1.0 \\\r\n    --hash=sha256:aaaa \\\r\n    --hash sha256:bbbb"
    );
    let EntryKind::Requirement(req) = &entry.kind else {
        panic!("{entry:?}")
    };
    assert_eq!(at(text, &req.span), "foo==1.0");
    assert_eq!(req.hashes, ["sha256:aaaa", "sha256:bbbb"]);
    assert!(req.is_pinned());
    assert_eq!(file.entries[1].line, 5);
    assert_eq!(at(text, &file.entries[1].span), "bar");
}

#[test]
fn requirement_split_across_continuation() {
    let text = "requests \\\n  >=2.0\n";
    let (entry, req) = only_requirement(text);
    assert_eq!(entry.line, 1);
    assert_eq!(req.specifiers, ">=2.0");
    assert_eq!(at(text, &req.name_span), "requests");
    assert_eq!(at(text, &req.specifiers_span), ">=2.0");
    assert_eq!(at(text, &req.span), "requests \\\n  >=2.0");
}

#[test]
fn comment_line_ends_continuation() {
    // pip: a comment line never continues and terminates the joined line.
    let text = "foo \\\n# a comment \\\nbar\n";
    let file = parse_requirements(text);
    let names: Vec<_> = file.requirements().map(|(_, r)| r.name.clone()).collect();
    assert_eq!(names, ["foo", "bar"]);
    assert_eq!(file.entries[1].line, 3);
}

#[test]
fn comments_versus_url_fragments() {
    let text = "git+https://github.com/org/repo@v1#egg=repo # trailing\n\
                https://h/p/pkg-1.0.tar.gz#sha256=abc\t# tab comment\n\
                six#not-a-comment\n";
    let file = parse_requirements(text);
    assert_eq!(file.entries.len(), 3, "{:#?}", file.entries);
    assert_eq!(
        at(text, &file.entries[0].span),
        "git+https://github.com/org/repo@v1#egg=repo"
    );
    let EntryKind::Requirement(first) = &file.entries[0].kind else {
        panic!()
    };
    assert_eq!(first.name, "repo");
    assert_eq!(at(text, &first.name_span), "repo");
    let EntryKind::Requirement(second) = &file.entries[1].kind else {
        panic!()
    };
    assert_eq!(second.hashes, ["sha256:abc"]);
    assert_eq!(second.name, "");
    // `#` without whitespace before it is not a comment, so pip rejects this line.
    assert!(matches!(file.entries[2].kind, EntryKind::Invalid { .. }));
    assert_eq!(at(text, &file.entries[2].span), "six#not-a-comment");
}

#[test]
fn include_forms() {
    let text = "-r base.txt\n-rdev.txt\n--requirement=ci.txt\n--requirement other.txt\n\
                -c constraints.txt\n--constraint=c2.txt\n-r \"with space.txt\"\n--requirem abbrev.txt\n";
    let file = parse_requirements(text);
    let got: Vec<_> = file
        .entries
        .iter()
        .map(|e| match &e.kind {
            EntryKind::Include { kind, path, span } => (*kind, path.clone(), at(text, span)),
            other => panic!("{other:?}"),
        })
        .collect();
    use IncludeKind::{Constraints as C, Requirements as R};
    let expected = [
        (R, "base.txt", "base.txt"),
        (R, "dev.txt", "dev.txt"),
        (R, "ci.txt", "ci.txt"),
        (R, "other.txt", "other.txt"),
        (C, "constraints.txt", "constraints.txt"),
        (C, "c2.txt", "c2.txt"),
        (R, "with space.txt", "with space.txt"),
        (R, "abbrev.txt", "abbrev.txt"),
    ];
    assert_eq!(got.len(), expected.len());
    for ((kind, path, spanned), (ek, ep, es)) in got.iter().zip(expected) {
        assert_eq!((*kind, path.as_str(), spanned.as_str()), (ek, ep, es));
    }
}

#[test]
fn index_and_other_options() {
    let text = "-i https://a/simple\n--index-url=https://b/simple\n\
                --extra-index-url https://${TOKEN}@c/simple\n-f ./wheels\n--find-links=https://d/links\n\
                --no-index\n--pre --prefer-binary\n--trusted-host example.com\n--only-binary=:all:\n\
                --no-binary :none:\n--require-hashes\n--use-feature=truststore\n--frobnicate x\n";
    let kinds: Vec<_> = parse_requirements(text)
        .entries
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            EntryKind::IndexUrl("https://a/simple".into()),
            EntryKind::IndexUrl("https://b/simple".into()),
            EntryKind::ExtraIndexUrl("https://${TOKEN}@c/simple".into()),
            EntryKind::FindLinks("./wheels".into()),
            EntryKind::FindLinks("https://d/links".into()),
            EntryKind::NoIndex,
            EntryKind::OtherOption("--pre".into()),
            EntryKind::OtherOption("--prefer-binary".into()),
            EntryKind::OtherOption("--trusted-host example.com".into()),
            EntryKind::OtherOption("--only-binary=:all:".into()),
            EntryKind::OtherOption("--no-binary :none:".into()),
            EntryKind::OtherOption("--require-hashes".into()),
            EntryKind::OtherOption("--use-feature=truststore".into()),
            EntryKind::OtherOption("--frobnicate x".into()),
        ]
    );
}

#[test]
fn editable_forms() {
    let text = "-e ./libs/foo[dev]\n--editable=git+https://github.com/o/r@main#egg=r\n-e .\n";
    let file = parse_requirements(text);
    let got: Vec<_> = file
        .entries
        .iter()
        .map(|e| match &e.kind {
            EntryKind::Editable { target, span } => {
                assert_eq!(&text[span.clone()], target);
                target.clone()
            }
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        got,
        [
            "./libs/foo[dev]",
            "git+https://github.com/o/r@main#egg=r",
            "."
        ]
    );
}

#[test]
fn invalid_lines_carry_messages_and_spans() {
    let text = "-r\nrequests==\nnot a requirement\n--hash\n";
    let file = parse_requirements(text);
    assert_eq!(file.entries.len(), 4);
    for entry in &file.entries {
        let EntryKind::Invalid { message, span } = &entry.kind else {
            panic!("{entry:?}")
        };
        assert!(!message.is_empty());
        assert!(entry.span.start <= span.start && span.end <= entry.span.end);
    }
    let EntryKind::Invalid { message, span } = &file.entries[0].kind else {
        panic!()
    };
    assert!(message.contains("-r requires a value"), "{message}");
    assert_eq!(at(text, span), "-r");
}

#[test]
fn per_requirement_options_are_ignored_but_hashes_kept() {
    let text = "pkg==1 --config-settings=key=value --global-option=\"--x y\" --hash=sha256:00ff\n";
    let req = requirement(text);
    assert_eq!(at(text, &req.span), "pkg==1");
    assert_eq!(req.hashes, ["sha256:00ff"]);
}

#[test]
fn name_at_url() {
    let text = "pkg[extra] @ https://example.com/pkg-1.0.tar.gz#sha256=deadbeef ; os_name == 'nt'";
    let req = requirement(text);
    assert_eq!(req.name, "pkg");
    assert_eq!(req.extras, ["extra"]);
    assert_eq!(
        req.url.as_deref(),
        Some("https://example.com/pkg-1.0.tar.gz#sha256=deadbeef")
    );
    assert_eq!(
        at(text, req.url_span.as_ref().unwrap()),
        req.url.as_deref().unwrap()
    );
    assert_eq!(req.marker.as_deref(), Some("os_name == 'nt'"));
    assert_eq!(req.hashes, ["sha256:deadbeef"]);
    assert!(req.has_immutable_ref());
    assert!(!req.is_vcs());
    assert!(!req.is_local_path());
    assert_eq!(at(text, &req.span), text);
}

#[test]
fn vcs_refs() {
    let sha = "0123456789abcdef0123456789abcdef01234567";
    let pinned = requirement(&format!("git+https://github.com/org/repo@{sha}#egg=repo"));
    assert!(pinned.is_vcs());
    assert_eq!(pinned.vcs_ref(), Some(sha));
    assert!(pinned.has_immutable_ref());
    assert_eq!(pinned.name, "repo");

    let branch = requirement("git+https://github.com/org/repo@main#egg=repo");
    assert_eq!(branch.vcs_ref(), Some("main"));
    assert!(!branch.has_immutable_ref());

    let tag = requirement("repo @ git+ssh://git@github.com/org/repo.git@v1.2.3");
    assert!(tag.is_vcs());
    assert_eq!(tag.vcs_ref(), Some("v1.2.3"));
    assert!(!tag.has_immutable_ref());

    let no_ref = requirement("git+https://github.com/org/repo#egg=repo");
    assert_eq!(no_ref.vcs_ref(), None);
    assert!(!no_ref.has_immutable_ref());

    let sha256_commit = "a".repeat(64);
    let long = requirement(&format!("hg+https://h/r@{sha256_commit}#egg=r"));
    assert!(long.has_immutable_ref());

    let short_sha = requirement("git+https://github.com/org/repo@0123456#egg=repo");
    assert!(!short_sha.has_immutable_ref());
}

#[test]
fn wheel_urls() {
    let text = "https://files.example/packages/Foo_Bar-1.0-py3-none-any.whl#sha256=abcdef ; python_version >= \"3.8\"";
    let req = requirement(text);
    assert_eq!(req.name, "Foo_Bar");
    assert_eq!(req.package_name.as_ref().unwrap(), "foo-bar");
    assert_eq!(at(text, &req.name_span), "Foo_Bar");
    assert_eq!(req.hashes, ["sha256:abcdef"]);
    assert_eq!(req.marker.as_deref(), Some("python_version >= \"3.8\""));
    assert_eq!(
        req.url.as_deref(),
        Some("https://files.example/packages/Foo_Bar-1.0-py3-none-any.whl#sha256=abcdef")
    );
    assert!(req.has_immutable_ref());
    assert!(!req.is_local_path());

    let unhashed = requirement("https://files.example/Foo-1.0-py3-none-any.whl");
    assert!(!unhashed.has_immutable_ref());
    let weak = requirement("https://files.example/Foo-1.0-py3-none-any.whl#md5=abc");
    assert!(!weak.has_immutable_ref());
    let hashed_by_option =
        requirement("https://files.example/Foo-1.0-py3-none-any.whl --hash=sha256:abc");
    assert!(hashed_by_option.has_immutable_ref());
}

#[test]
fn local_paths() {
    for (line, url, extras) in [
        ("./libs/foo", "./libs/foo", vec![]),
        (".", ".", vec![]),
        ("../sibling[dev,test]", "../sibling", vec!["dev", "test"]),
        ("libs/foo", "libs/foo", vec![]),
        (
            "file:///opt/pkgs/foo-1.0.tar.gz",
            "file:///opt/pkgs/foo-1.0.tar.gz",
            vec![],
        ),
        ("C:\\pkgs\\foo", "C:\\pkgs\\foo", vec![]),
        ("foo-1.0.tar.gz", "foo-1.0.tar.gz", vec![]),
        ("${HOME}/src/foo", "${HOME}/src/foo", vec![]),
    ] {
        let req = requirement(line);
        assert_eq!(req.url.as_deref(), Some(url), "{line}");
        assert_eq!(req.extras, extras, "{line}");
        assert!(req.is_local_path(), "{line}");
        assert!(!req.is_vcs(), "{line}");
        assert_eq!(req.name, "", "{line}");
    }
    let wheel = requirement("./dist/tool-2.0-py3-none-any.whl ; sys_platform == 'linux'");
    assert_eq!(wheel.name, "tool");
    assert!(wheel.is_local_path());
    assert_eq!(wheel.marker.as_deref(), Some("sys_platform == 'linux'"));
    assert!(!requirement("requests").is_local_path());
    assert!(!requirement("pkg @ https://x/pkg.tar.gz").is_local_path());
    assert!(requirement("pkg @ file:///x/pkg.tar.gz").is_local_path());
}

#[test]
fn pinned_truth_table() {
    for (spec, pinned) in [
        ("==1.2", true),
        ("==1.*", false),
        ("===1.0", true),
        (">=1", false),
        ("~=1.2", false),
        ("", false),
        ("==1.2,<2", true),
        ("<2,==1.2", true),
        ("!=1.2", false),
        ("==1.2,==1.3", false),
    ] {
        let req = requirement(&format!("pkg{spec}"));
        assert_eq!(req.specifiers, spec);
        assert_eq!(req.is_pinned(), pinned, "{spec}");
    }
    let spaced = requirement("pkg == 1.2.*");
    assert!(!spaced.is_pinned());
}

#[test]
fn version_specifiers_parse() {
    let req = requirement("pkg>=1.2,<2");
    let specifiers = req.version_specifiers().unwrap();
    assert_eq!(specifiers.iter().count(), 2);
    assert_eq!(
        requirement("pkg")
            .version_specifiers()
            .unwrap()
            .iter()
            .count(),
        0
    );
}

#[test]
fn several_options_on_one_line_share_the_span() {
    let text = "--index-url https://a/simple --no-index  # c\n";
    let file = parse_requirements(text);
    assert_eq!(file.entries.len(), 2);
    for entry in &file.entries {
        assert_eq!(
            at(text, &entry.span),
            "--index-url https://a/simple --no-index"
        );
        assert_eq!(entry.line, 1);
    }
}

#[test]
fn empty_blank_and_comment_only_files() {
    assert!(parse_requirements("").entries.is_empty());
    assert!(parse_requirements("\n\n  \n\t\n").entries.is_empty());
    assert!(
        parse_requirements("# only\n   # comments\n")
            .entries
            .is_empty()
    );
    assert!(parse_requirements("\\\n\\").entries.is_empty());
}

#[test]
fn bom_and_lone_carriage_returns() {
    let text = "\u{feff}a==1\rb==2\r\nc==3";
    let file = parse_requirements(text);
    let lines: Vec<_> = file.entries.iter().map(|e| e.line).collect();
    assert_eq!(lines, [1, 2, 3]);
    let spans: Vec<_> = file.entries.iter().map(|e| at(text, &e.span)).collect();
    assert_eq!(spans, ["a==1", "b==2", "c==3"]);
}

#[test]
fn invalid_marker_points_at_the_problem() {
    let text = "ok==1\npkg>=1 ; python_versio < '3'\n";
    let file = parse_requirements(text);
    let EntryKind::Invalid { message, span } = &file.entries[1].kind else {
        panic!("{:?}", file.entries[1])
    };
    assert!(message.contains("python_versio"), "{message}");
    assert_eq!(at(text, span), "python_versio");
    assert_eq!(file.entries[1].line, 2);
}

#[test]
fn environment_variables_are_kept() {
    let text = "https://${USER}:${TOKEN}@host/simple/pkg-1.0-py3-none-any.whl\n\
                lib @ https://${HOST}/lib-2.0.tar.gz\n";
    let file = parse_requirements(text);
    let reqs: Vec<_> = file.requirements().map(|(_, r)| r.clone()).collect();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[0].name, "pkg");
    assert_eq!(
        reqs[0].url.as_deref(),
        Some("https://${USER}:${TOKEN}@host/simple/pkg-1.0-py3-none-any.whl")
    );
    assert_eq!(reqs[1].name, "lib");
    assert_eq!(
        reqs[1].url.as_deref(),
        Some("https://${HOST}/lib-2.0.tar.gz")
    );
}

#[test]
fn url_marker_needs_whitespace_after_semicolon() {
    // `;` is legal inside URLs, so pip only splits on "; ".
    let req = requirement("https://h/p/x-1.0-py3-none-any.whl;v=1 ; os_name == 'nt'");
    assert_eq!(
        req.url.as_deref(),
        Some("https://h/p/x-1.0-py3-none-any.whl;v=1")
    );
    assert_eq!(req.marker.as_deref(), Some("os_name == 'nt'"));
}
