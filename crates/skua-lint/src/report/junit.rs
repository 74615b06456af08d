//! JUnit XML: one test suite per file, one failed test case per finding (what CI test
//! report views show).

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::diagnostic::Message;
use crate::fingerprint::portable_path;

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters other than tab and newlines are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('?'),
            c => out.push(c),
        }
    }
    out
}

pub(super) fn render(messages: &[Message]) -> String {
    let mut by_file: BTreeMap<String, Vec<&Message>> = BTreeMap::new();
    for message in messages {
        by_file
            .entry(portable_path(message))
            .or_default()
            .push(message);
    }
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"skua\" tests=\"{0}\" failures=\"{0}\" errors=\"0\">",
        messages.len()
    );
    for (path, findings) in &by_file {
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{1}\" failures=\"{1}\" errors=\"0\">",
            escape(path),
            findings.len()
        );
        for message in findings {
            let location = format!(
                "{path}:{}{}:{}",
                super::cell_prefix(message),
                message.location.row,
                message.location.column
            );
            let _ = writeln!(
                out,
                "    <testcase name=\"{} {}\" classname=\"{}\" file=\"{}\" line=\"{}\">",
                escape(message.rule.code()),
                escape(&location),
                escape(path),
                escape(path),
                message.location.row
            );
            let _ = writeln!(
                out,
                "      <failure message=\"{}\" type=\"{}\">{}: {} {}</failure>",
                escape(&message.message),
                escape(message.rule.code()),
                escape(&location),
                escape(message.rule.code()),
                escape(&message.message)
            );
            out.push_str("    </testcase>\n");
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
