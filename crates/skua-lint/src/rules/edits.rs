//! Edits of call arguments shared by the rules' fixes. Each returns `None` when the
//! argument list is not plain enough to edit with certainty (comments or parentheses
//! in the way, star arguments): such a finding is reported without a fix.

use ruff_python_ast::{Arguments, Expr};
use ruff_text_size::Ranged;

use crate::fix::Edit;

/// Whether `gap` (source between two arguments) is only whitespace around at most
/// `commas` commas; a comment or a closing parenthesis there makes an edit lossy or wrong.
fn plain_gap(gap: &str, commas: usize) -> bool {
    let mut seen = 0;
    for c in gap.chars() {
        match c {
            ',' => seen += 1,
            c if c.is_whitespace() => {}
            '\\' => {}
            _ => return false,
        }
    }
    seen <= commas
}

fn ranges(arguments: &Arguments) -> Vec<std::ops::Range<usize>> {
    let mut ranges: Vec<_> = arguments
        .iter_source_order()
        .map(|item| item.range().start().to_usize()..item.range().end().to_usize())
        .collect();
    ranges.sort_by_key(|range| range.start);
    ranges
}

/// Deletes the argument (or keyword) spanning `target`, with the comma that separates it.
pub(crate) fn remove_argument(
    source: &str,
    arguments: &Arguments,
    target: std::ops::Range<usize>,
) -> Option<Edit> {
    let items = ranges(arguments);
    let index = items.iter().position(|range| *range == target)?;
    let inner = arguments.inner_range();
    let (inner_start, inner_end) = (inner.start().to_usize(), inner.end().to_usize());
    let next_start = items.get(index + 1).map_or(inner_end, |next| next.start);
    let after = source.get(target.end..next_start)?;
    if index > 0 {
        let previous_end = items[index - 1].end;
        let before = source.get(previous_end..target.start)?;
        if !plain_gap(before, 1) || !plain_gap(after, 1) {
            return None;
        }
        return Some(Edit::delete(previous_end..target.end));
    }
    if index + 1 < items.len() {
        let before = source.get(inner_start..target.start)?;
        if !plain_gap(before, 0) || !plain_gap(after, 1) {
            return None;
        }
        return Some(Edit::delete(target.start..next_start));
    }
    // The only argument: empty the parentheses (a trailing comma alone would not parse).
    let before = source.get(inner_start..target.start)?;
    if !plain_gap(before, 0) || !plain_gap(after, 1) {
        return None;
    }
    Some(Edit::delete(inner_start..inner_end))
}

/// Appends a keyword argument (`timeout=30`) after the last argument.
pub(crate) fn add_keyword(source: &str, arguments: &Arguments, keyword: &str) -> Option<Edit> {
    let items = ranges(arguments);
    let inner = arguments.inner_range();
    let (inner_start, inner_end) = (inner.start().to_usize(), inner.end().to_usize());
    let Some(last) = items.iter().max_by_key(|range| range.end) else {
        let inside = source.get(inner_start..inner_end)?;
        return plain_gap(inside, 0).then(|| Edit::insert(inner_start, keyword));
    };
    // `f(x for x in y)`: an unparenthesized generator must stay the only argument.
    if let [Expr::Generator(generator)] = &*arguments.args
        && !generator.parenthesized
    {
        return None;
    }
    // Only whitespace, a trailing comma or comments may follow the last argument; a `)`
    // there closes parentheses around it, and the keyword would land inside them.
    let after = source.get(last.end..inner_end)?;
    let code: String = after
        .lines()
        .map(|line| line.split('#').next().unwrap_or(""))
        .collect();
    if !plain_gap(&code, 1) {
        return None;
    }
    // One argument per line with a trailing comma: the keyword gets a line of its own,
    // after any comment that ends the last argument's line.
    if code.contains(',')
        && let Some(comma) = after.find(',').map(|at| last.end + at)
        && let Some(newline) = source[comma..].find('\n').map(|at| comma + at)
        && newline < inner_end
    {
        let (at, eol) = if source[..newline].ends_with('\r') {
            (newline - 1, "\r\n")
        } else {
            (newline, "\n")
        };
        let line_start = source[..last.start].rfind('\n').map_or(0, |at| at + 1);
        let line = &source[line_start..last.start];
        let indent = &line[..line.len() - line.trim_start().len()];
        return Some(Edit::insert(at, format!("{eol}{indent}{keyword},")));
    }
    Some(Edit::insert(last.end, format!(", {keyword}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call_arguments(source: &str) -> Arguments {
        let parsed = ruff_python_parser::parse_expression(source).expect("parses");
        match parsed.into_expr() {
            Expr::Call(call) => call.arguments,
            _ => panic!("not a call"),
        }
    }

    fn apply(source: &str, edit: Option<Edit>) -> Option<String> {
        let edit = edit?;
        let mut out = source.to_string();
        out.replace_range(edit.range, &edit.content);
        Some(out)
    }

    fn remove_keyword(source: &str, name: &str) -> Option<String> {
        let arguments = call_arguments(source);
        let keyword = arguments.find_keyword(name)?;
        let range = keyword.range().start().to_usize()..keyword.range().end().to_usize();
        apply(source, remove_argument(source, &arguments, range))
    }

    #[test]
    fn removes_keywords_with_their_comma() {
        assert_eq!(
            remove_keyword("f(a, verify=False)", "verify").as_deref(),
            Some("f(a)")
        );
        assert_eq!(
            remove_keyword("f(verify=False, a=1)", "verify").as_deref(),
            Some("f(a=1)")
        );
        assert_eq!(
            remove_keyword("f(verify=False,)", "verify").as_deref(),
            Some("f()")
        );
        assert_eq!(
            remove_keyword("f(\n    a,\n    verify=False,\n)", "verify").as_deref(),
            Some("f(\n    a,\n)")
        );
        // A comment between the arguments would go with it: no fix.
        assert_eq!(
            remove_keyword("f(a,  # why\n verify=False)", "verify"),
            None
        );
    }

    #[test]
    fn adds_keywords_after_the_last_argument() {
        let add = |source: &str| {
            apply(
                source,
                add_keyword(source, &call_arguments(source), "timeout=30"),
            )
        };
        assert_eq!(add("get()").as_deref(), Some("get(timeout=30)"));
        assert_eq!(add("get(u)").as_deref(), Some("get(u, timeout=30)"));
        assert_eq!(
            add("get(\n    u,\n    json=p,  # body\n)").as_deref(),
            Some("get(\n    u,\n    json=p,  # body\n    timeout=30,\n)")
        );
        assert_eq!(
            add("get(\r\n    u,\r\n    json={\r\n        'a': 1,\r\n    },\r\n)").as_deref(),
            Some(
                "get(\r\n    u,\r\n    json={\r\n        'a': 1,\r\n    },\r\n    timeout=30,\r\n)"
            )
        );
        // Without a trailing comma, the keyword follows the last argument.
        assert_eq!(
            add("get(\n    u,\n    json=p\n)").as_deref(),
            Some("get(\n    u,\n    json=p, timeout=30\n)")
        );
        assert_eq!(add("get((u))"), None);
        assert_eq!(add("get(x for x in y)"), None);
    }
}
