//! Markdown generated from the rules' doc comments: `docs/rules/*.md` and the README table.

use crate::registry::Rule;

/// The page for one rule.
pub fn rule_markdown(rule: Rule) -> String {
    let mut page = format!("# {} ({})\n\n", rule.name(), rule.code());
    let default = if rule.is_always_on() {
        "Always enabled."
    } else if rule.is_default() {
        "Enabled by default."
    } else {
        "Opt-in: enable it with `extend-select`."
    };
    page.push_str(&format!("Family: `{}`. {default}\n\n", rule.family()));
    page.push_str(&format!("{}\n\n", rule.fix().describe()));
    page.push_str(&rule.explanation());
    page
}

/// A Markdown table of every rule, linking to its page under `base`.
pub fn rules_table(base: &str) -> String {
    let mut table = String::from("| Code | Name | What it finds |\n|---|---|---|\n");
    for rule in Rule::ALL {
        table.push_str(&format!(
            "| [{code}]({base}{code}.md) | `{name}` | {summary} |\n",
            code = rule.code(),
            name = rule.name(),
            summary = rule.summary().replace('|', "\\|"),
        ));
    }
    table
}
