use skua_requirements::{ListedRequirement, Span, parse_pyproject};

fn at(text: &str, span: &Span) -> String {
    text[span.clone()].to_string()
}

const PYPROJECT: &str = r#"[build-system]
requires = ["hatchling"]

[project]
name = "demo"
requires-python = ">=3.10"
dynamic = ["version", "readme"]
dependencies = [
    "requests>=2.31,<3",
    'click[colors] ; python_version < "3.12"',
    "pkg @ git+https://github.com/o/pkg@0123456789abcdef0123456789abcdef01234567",
    "esc\u0061ped==1.0",
    "not valid!!",
    42,
]

[project.optional-dependencies]
docs = ["sphinx==7.2.6"]
test = ["pytest>=8", "coverage[toml]"]

[dependency-groups]
dev = ["ruff==0.5.0", {include-group = "lint"}]
lint = ["mypy"]

[tool.poetry]
name = "demo"

[tool.poetry.dependencies]
python = "^3.10"
requests = "^2.31"
exact = "1.2.3"
tabled = { version = "==4.0", optional = true }
gitdep = { git = "https://github.com/o/gitdep.git", rev = "main" }
local = { path = "../local", develop = true }
multi = [
    { version = "<2", python = "<3.11" },
    { version = ">=2", python = ">=3.11" },
]

[tool.poetry.dependencies.sectioned]
version = "~1.0"

[tool.poetry.group.dev.dependencies]
pytest = "^8"

[tool.poetry.dev-dependencies]
black = "*"
"#;

fn parsed(listed: &ListedRequirement) -> &skua_requirements::Requirement {
    listed.parsed.as_ref().expect("parses")
}

#[test]
fn project_table() {
    let py = parse_pyproject(PYPROJECT).unwrap();
    assert!(py.has_project_table);
    assert_eq!(py.project_name.as_deref(), Some("demo"));
    let (requires, span) = py.requires_python.clone().unwrap();
    assert_eq!(requires, ">=3.10");
    assert_eq!(at(PYPROJECT, &span), "\">=3.10\"");
    assert_eq!(py.dynamic, ["version", "readme"]);

    let deps = &py.dependencies;
    assert_eq!(deps.len(), 5);

    assert_eq!(deps[0].raw, "requests>=2.31,<3");
    assert_eq!(at(PYPROJECT, &deps[0].span), "\"requests>=2.31,<3\"");
    assert_eq!(
        at(PYPROJECT, deps[0].content_span.as_ref().unwrap()),
        "requests>=2.31,<3"
    );
    let requests = parsed(&deps[0]);
    assert_eq!(at(PYPROJECT, &requests.span), "requests>=2.31,<3");
    assert_eq!(at(PYPROJECT, &requests.name_span), "requests");
    assert_eq!(at(PYPROJECT, &requests.specifiers_span), ">=2.31,<3");
    assert_eq!(requests.specifiers, ">=2.31,<3");

    let click = parsed(&deps[1]);
    assert_eq!(click.extras, ["colors"]);
    assert_eq!(click.marker.as_deref(), Some("python_version < \"3.12\""));
    assert_eq!(
        at(PYPROJECT, click.marker_span.as_ref().unwrap()),
        "python_version < \"3.12\""
    );
    assert_eq!(
        at(PYPROJECT, &deps[1].span),
        "'click[colors] ; python_version < \"3.12\"'"
    );

    let vcs = parsed(&deps[2]);
    assert!(vcs.is_vcs());
    assert!(vcs.has_immutable_ref());
    assert_eq!(
        at(PYPROJECT, vcs.url_span.as_ref().unwrap()),
        "git+https://github.com/o/pkg@0123456789abcdef0123456789abcdef01234567"
    );

    // Escapes make the decoded string differ from the source bytes: spans fall back to the token.
    assert_eq!(deps[3].raw, "escaped==1.0");
    assert_eq!(deps[3].content_span, None);
    let escaped = parsed(&deps[3]);
    assert_eq!(escaped.name, "escaped");
    assert_eq!(escaped.span, deps[3].span);
    assert_eq!(escaped.name_span, deps[3].span);

    assert_eq!(deps[4].raw, "not valid!!");
    assert!(deps[4].parsed.is_err());

    assert_eq!(py.issues.len(), 1);
    assert_eq!(at(PYPROJECT, &py.issues[0].span), "42");
    assert!(py.issues[0].message.contains("[project].dependencies"));
}

#[test]
fn optional_dependencies_and_groups() {
    let py = parse_pyproject(PYPROJECT).unwrap();
    let extras: Vec<_> = py
        .optional_dependencies
        .iter()
        .map(|(name, reqs)| {
            (
                name.as_str(),
                reqs.iter().map(|r| r.raw.as_str()).collect::<Vec<_>>(),
            )
        })
        .collect();
    assert_eq!(
        extras,
        [
            ("docs", vec!["sphinx==7.2.6"]),
            ("test", vec!["pytest>=8", "coverage[toml]"])
        ]
    );
    assert!(parsed(&py.optional_dependencies[0].1[0]).is_pinned());

    let groups: Vec<_> = py
        .dependency_groups
        .iter()
        .map(|(name, reqs)| {
            (
                name.as_str(),
                reqs.iter().map(|r| r.raw.as_str()).collect::<Vec<_>>(),
            )
        })
        .collect();
    assert_eq!(
        groups,
        [("dev", vec!["ruff==0.5.0"]), ("lint", vec!["mypy"])]
    );
    let ruff = &py.dependency_groups[0].1[0];
    assert_eq!(at(PYPROJECT, &parsed(ruff).span), "ruff==0.5.0");
}

#[test]
fn poetry_tables() {
    let py = parse_pyproject(PYPROJECT).unwrap();
    let poetry = py.poetry.unwrap();
    let (python, python_span) = poetry.python.unwrap();
    assert_eq!(python, "^3.10");
    assert_eq!(at(PYPROJECT, &python_span), "\"^3.10\"");

    let deps: Vec<_> = poetry
        .dependencies
        .iter()
        .map(|d| (d.name.as_str(), d.constraint.as_deref(), d.is_vcs_or_path))
        .collect();
    assert_eq!(
        deps,
        [
            ("requests", Some("^2.31"), false),
            ("exact", Some("1.2.3"), false),
            ("tabled", Some("==4.0"), false),
            ("gitdep", None, true),
            ("local", None, true),
            ("multi", None, false),
            ("sectioned", Some("~1.0"), false),
        ]
    );
    let requests = &poetry.dependencies[0];
    assert_eq!(at(PYPROJECT, &requests.span), "\"^2.31\"");
    assert_eq!(at(PYPROJECT, &requests.name_span), "requests");
    let tabled = &poetry.dependencies[2];
    assert_eq!(
        at(PYPROJECT, &tabled.span),
        "{ version = \"==4.0\", optional = true }"
    );
    let sectioned = &poetry.dependencies[6];
    assert_eq!(
        at(PYPROJECT, &sectioned.span),
        "[tool.poetry.dependencies.sectioned]"
    );

    assert_eq!(poetry.groups.len(), 1);
    assert_eq!(poetry.groups[0].0, "dev");
    assert_eq!(poetry.groups[0].1[0].name, "pytest");
    assert_eq!(poetry.dev_dependencies[0].name, "black");
    assert_eq!(poetry.dev_dependencies[0].constraint.as_deref(), Some("*"));
}

#[test]
fn toml_syntax_error_has_span() {
    let text = "[project]\nname = \"x\"\ndependencies = [\"a\",\n[tool]\n";
    let err = parse_pyproject(text).unwrap_err();
    assert!(!err.message.is_empty());
    let span = err.span.clone().unwrap();
    assert!(span.start >= text.find("dependencies").unwrap(), "{err:?}");
    assert!(span.end <= text.len());

    let err = parse_pyproject("[project\n").unwrap_err();
    assert_eq!(err.span, Some(8..8));
    assert!(err.to_string().contains("expected `]`"), "{err}");
}

#[test]
fn minimal_and_odd_shapes() {
    let empty = parse_pyproject("").unwrap();
    assert!(!empty.has_project_table);
    assert!(empty.poetry.is_none());
    assert!(empty.issues.is_empty());

    let text = "project = { name = \"inline\", dependencies = [\"six\"] }\n";
    let inline = parse_pyproject(text).unwrap();
    assert!(inline.has_project_table);
    assert_eq!(inline.project_name.as_deref(), Some("inline"));
    assert_eq!(at(text, &parsed(&inline.dependencies[0]).name_span), "six");

    let text = "[project]\ndependencies = \"requests\"\nrequires-python = 3\n";
    let wrong = parse_pyproject(text).unwrap();
    assert!(wrong.dependencies.is_empty());
    assert!(wrong.requires_python.is_none());
    let spans: Vec<_> = wrong.issues.iter().map(|i| at(text, &i.span)).collect();
    assert_eq!(spans, ["3", "\"requests\""]);
}

#[test]
fn multiline_and_literal_strings_map_exactly() {
    let text = "[project]\ndependencies = [\n  '''\nliteral>=1''',\n  \"\"\"multi<2\"\"\",\n]\n";
    let py = parse_pyproject(text).unwrap();
    let names: Vec<_> = py
        .dependencies
        .iter()
        .map(|d| at(text, &parsed(d).span))
        .collect();
    assert_eq!(names, ["literal>=1", "multi<2"]);
}

#[test]
fn dependency_group_includes_are_kept() {
    let text = "[dependency-groups]\ntest = [\"pytest\"]\ndev = [{include-group = \"test\"}, \"ruff\", {other = 1}]\n";
    let py = parse_pyproject(text).unwrap();
    assert_eq!(py.group_includes.len(), 1);
    let (group, included, span) = &py.group_includes[0];
    assert_eq!((group.as_str(), included.as_str()), ("dev", "test"));
    assert_eq!(&text[span.clone()], "{include-group = \"test\"}");
    // Any other table entry is not silently skipped.
    assert_eq!(py.issues.len(), 1, "{:?}", py.issues);
    assert!(
        py.issues[0].message.contains("include-group"),
        "{:?}",
        py.issues
    );
}
