//! `docs/rules/` and the README's rule table are generated from the rule sources; this
//! test fails when they drift. Regenerate with `SKUA_UPDATE_DOCS=1 cargo test -p skua-lint --test docs`.

use std::path::{Path, PathBuf};

use skua_lint::Rule;
use skua_lint::docs::{rule_markdown, rules_table};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn updating() -> bool {
    std::env::var_os("SKUA_UPDATE_DOCS").is_some()
}

const TABLE_START: &str = "<!-- rules-table:start -->\n";
const TABLE_END: &str = "<!-- rules-table:end -->";

#[test]
fn rule_pages_match_the_rule_sources() {
    let dir = repo_root().join("docs/rules");
    if updating() {
        std::fs::create_dir_all(&dir).expect("mkdir docs/rules");
    }
    let mut stale = Vec::new();
    for rule in Rule::ALL {
        let path = dir.join(format!("{}.md", rule.code()));
        let expected = rule_markdown(*rule);
        if updating() {
            std::fs::write(&path, &expected).expect("write page");
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(expected.as_str()) {
            stale.push(path.display().to_string());
        }
    }
    let pages = std::fs::read_dir(&dir).expect("docs/rules").count();
    assert_eq!(
        pages,
        Rule::ALL.len(),
        "docs/rules has pages for rules that no longer exist"
    );
    assert!(
        stale.is_empty(),
        "stale rule docs (run SKUA_UPDATE_DOCS=1 cargo test -p skua-lint --test docs): {stale:?}"
    );
}

#[test]
fn readme_rule_table_matches_the_registry() {
    let path = repo_root().join("README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md");
    let start = readme
        .find(TABLE_START)
        .expect("README has the rules-table start marker")
        + TABLE_START.len();
    let end = readme
        .find(TABLE_END)
        .expect("README has the rules-table end marker");
    let expected = rules_table("docs/rules/");
    if updating() {
        let updated = format!("{}{}{}", &readme[..start], expected, &readme[end..]);
        std::fs::write(&path, updated).expect("write README");
    } else {
        assert_eq!(
            &readme[start..end],
            expected,
            "README rule table is stale (run SKUA_UPDATE_DOCS=1 cargo test -p skua-lint --test docs)"
        );
    }
}
