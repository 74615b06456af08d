use skua_requirements::{ScriptMetadataError, Span, parse_script_metadata};

fn at(text: &str, span: &Span) -> String {
    text[span.clone()].to_string()
}

const SCRIPT: &str = r#"#!/usr/bin/env python3
# /// script
# requires-python = ">=3.11"
# dependencies = [
#   "requests<3",
#   'rich[jupyter] ; sys_platform != "win32"',
#   "bad req",
# ]
#
# [tool.skua]
# x = 1
# ///

import requests
"#;

#[test]
fn valid_block() {
    let meta = parse_script_metadata(SCRIPT).unwrap().unwrap();
    let block = at(SCRIPT, &meta.block_span);
    assert!(block.starts_with("# /// script\n"));
    assert!(block.ends_with("# x = 1\n# ///"));

    let (requires, span) = meta.requires_python.unwrap();
    assert_eq!(requires, ">=3.11");
    assert_eq!(at(SCRIPT, &span), "\">=3.11\"");

    assert_eq!(meta.dependencies.len(), 3);
    let requests = &meta.dependencies[0];
    assert_eq!(at(SCRIPT, &requests.span), "\"requests<3\"");
    let req = requests.parsed.as_ref().unwrap();
    assert_eq!(at(SCRIPT, &req.span), "requests<3");
    assert_eq!(at(SCRIPT, &req.name_span), "requests");
    assert_eq!(at(SCRIPT, &req.specifiers_span), "<3");

    let rich = meta.dependencies[1].parsed.as_ref().unwrap();
    assert_eq!(rich.extras, ["jupyter"]);
    assert_eq!(
        at(SCRIPT, rich.marker_span.as_ref().unwrap()),
        "sys_platform != \"win32\""
    );
    assert!(meta.dependencies[2].parsed.is_err());
    assert!(meta.issues.is_empty());
}

#[test]
fn crlf_block() {
    let source = SCRIPT.replace('\n', "\r\n");
    let meta = parse_script_metadata(&source).unwrap().unwrap();
    assert!(at(&source, &meta.block_span).ends_with("# x = 1\r\n# ///"));
    let req = meta.dependencies[0].parsed.as_ref().unwrap();
    assert_eq!(at(&source, &req.span), "requests<3");
    let rich = meta.dependencies[1].parsed.as_ref().unwrap();
    assert_eq!(at(&source, &rich.name_span), "rich");
    assert_eq!(at(&source, &meta.requires_python.unwrap().1), "\">=3.11\"");
}

#[test]
fn single_hash_prefix_lines_map_correctly() {
    // `#` alone is a content line; content after `# ` keeps its own indentation.
    let source = "# /// script\n#\n#    dependencies = ['six']\n# ///\n";
    let meta = parse_script_metadata(source).unwrap().unwrap();
    let six = meta.dependencies[0].parsed.as_ref().unwrap();
    assert_eq!(at(source, &six.span), "six");
    assert_eq!(six.span.start, source.find("six").unwrap());
}

#[test]
fn two_blocks_are_an_error() {
    let source = "# /// script\n# dependencies = []\n# ///\nx = 1\n# /// script\n# dependencies = []\n# ///\n";
    match parse_script_metadata(source) {
        Err(ScriptMetadataError::MultipleBlocks { first, second }) => {
            assert_eq!(
                at(source, &first),
                "# /// script\n# dependencies = []\n# ///"
            );
            assert_eq!(first, 0..38);
            assert_eq!(
                at(source, &second),
                "# /// script\n# dependencies = []\n# ///"
            );
            assert!(second.start > first.end);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn other_block_types_are_ignored() {
    let source = "# /// pyproject\n# x = 1\n# ///\n\n# /// script\n# dependencies = ['a']\n# ///";
    let meta = parse_script_metadata(source).unwrap().unwrap();
    assert_eq!(at(source, &meta.dependencies[0].span), "'a'");
    assert!(at(source, &meta.block_span).starts_with("# /// script"));

    // Without a separating line the greedy regex makes the script block part of the first.
    let adjacent = "# /// pyproject\n# x = 1\n# ///\n# /// script\n# dependencies = ['a']\n# ///";
    assert_eq!(parse_script_metadata(adjacent).unwrap(), None);
}

#[test]
fn unclosed_or_absent_blocks() {
    assert_eq!(parse_script_metadata("print(1)\n").unwrap(), None);
    assert_eq!(parse_script_metadata("").unwrap(), None);
    let unclosed = "# /// script\n# dependencies = ['a']\n\nprint(1)\n# ///\n";
    assert_eq!(parse_script_metadata(unclosed).unwrap(), None);
    let empty_body = "# /// script\n# ///\n";
    assert_eq!(parse_script_metadata(empty_body).unwrap(), None);
    // Indented markers are not at the start of the line.
    let indented = "  # /// script\n  # dependencies = []\n  # ///\n";
    assert_eq!(parse_script_metadata(indented).unwrap(), None);
}

#[test]
fn closing_line_is_the_last_one_in_the_comment_run() {
    // The reference regex is greedy: content extends to the last `# ///` of the run.
    let source =
        "# /// script\n# dependencies = ['a']\n# ///\n# requires-python = '>=3'\n# ///\nx\n";
    let meta = parse_script_metadata(source);
    // the inner `# ///` becomes TOML content, which is invalid TOML
    assert!(
        matches!(meta, Err(ScriptMetadataError::Toml { .. })),
        "{meta:?}"
    );

    let trailing_comments = "# /// script\n# dependencies = ['a']\n# ///\n#\n# unrelated\nx\n";
    let meta = parse_script_metadata(trailing_comments).unwrap().unwrap();
    assert!(at(trailing_comments, &meta.block_span).ends_with("['a']\n# ///"));
}

#[test]
fn toml_error_span_maps_to_source() {
    let source =
        "import os\n# /// script\n# dependencies = [\n#   'a',\n# requires-python = 3\n# ///\n";
    match parse_script_metadata(source) {
        Err(ScriptMetadataError::Toml { message, span }) => {
            assert!(!message.is_empty());
            let span = span.unwrap();
            // the error is somewhere on the broken array, inside the block
            assert!(
                span.start >= source.find("# dependencies").unwrap(),
                "{span:?}"
            );
            assert!(span.end <= source.len());
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn wrong_types_become_issues() {
    let source = "# /// script\n# dependencies = 'requests'\n# ///\n";
    let meta = parse_script_metadata(source).unwrap().unwrap();
    assert!(meta.dependencies.is_empty());
    assert_eq!(meta.issues.len(), 1);
    assert_eq!(at(source, &meta.issues[0].span), "'requests'");
}
