//! `# noqa` suppression comments (and bandit's `# nosec`).

use std::ops::Range;

use crate::registry::Rule;

/// A suppression comment on one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Directive {
    /// `# noqa` or `# nosec`: every rule.
    All,
    /// `# noqa: A, B`, with the byte range of each code in the file.
    Codes(Vec<(String, Range<usize>)>),
}

/// Parses the suppression comment in `line`, which starts at byte `line_start` of its file.
pub fn parse_line(line: &str, line_start: usize) -> Option<Directive> {
    let hash = line.find('#')?;
    let lower = line[hash..].to_ascii_lowercase();
    let mut search = 0;
    while let Some(found) = lower[search..].find('#') {
        let comment = &lower[search + found + 1..];
        let trimmed = comment.trim_start();
        let comment_offset = hash + search + found + 1 + (comment.len() - trimmed.len());
        if trimmed.starts_with("nosec") {
            return Some(Directive::All);
        }
        if let Some(rest) = trimmed.strip_prefix("noqa") {
            let Some(codes) = rest.strip_prefix(':') else {
                return Some(Directive::All);
            };
            let codes_offset = comment_offset + 5;
            let mut parsed = Vec::new();
            let mut position = 0;
            for word in codes.split(|c: char| c == ',' || c.is_whitespace()) {
                let start = position;
                position += word.len() + 1;
                if word.is_empty() {
                    continue;
                }
                if !is_code(word) {
                    break;
                }
                let start = line_start + codes_offset + start;
                parsed.push((word.to_ascii_uppercase(), start..start + word.len()));
            }
            return if parsed.is_empty() {
                Some(Directive::All)
            } else {
                Some(Directive::Codes(parsed))
            };
        }
        search += found + 1;
    }
    None
}

/// A file-level exemption (ruff's `# ruff: noqa`): a comment line of its own reading
/// `# skua: noqa` (every rule) or `# skua: noqa: CODE, ...` (those rules), anywhere in
/// the file.
pub fn file_directive(text: &str) -> Option<Directive> {
    let mut codes: Vec<(String, Range<usize>)> = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let trimmed = line.trim_start();
        let Some(comment) = trimmed.strip_prefix('#') else {
            continue;
        };
        let comment = comment.trim_start();
        let Some(rest) = comment
            .get(..5)
            .filter(|prefix| prefix.eq_ignore_ascii_case("skua:"))
            .map(|_| comment[5..].trim_start())
        else {
            continue;
        };
        if !rest
            .get(..4)
            .is_some_and(|word| word.eq_ignore_ascii_case("noqa"))
        {
            continue;
        }
        let after = rest[4..].trim_end();
        let Some(list) = after.strip_prefix(':') else {
            if after.is_empty() {
                return Some(Directive::All);
            }
            continue;
        };
        // `list` is a slice of `line`: its offset there locates the codes in the file.
        let list_start = start + (list.as_ptr() as usize - line.as_ptr() as usize);
        let mut position = 0;
        for word in list.split(|c: char| c == ',' || c.is_whitespace()) {
            let word_start = position;
            position += word.len() + 1;
            if is_code(word) {
                let at = list_start + word_start;
                codes.push((word.to_ascii_uppercase(), at..at + word.len()));
            }
        }
    }
    (!codes.is_empty()).then_some(Directive::Codes(codes))
}

/// The edit that removes the codes `unused` says are unused from the line directive
/// `codes` (on the line spanning `line`): the remaining codes stay; with none left the
/// whole `# noqa: ...` comment goes, and any other comment text on the line stays.
pub fn remove_codes(
    text: &str,
    line: &Range<usize>,
    codes: &[(String, Range<usize>)],
    unused: impl Fn(&str) -> bool,
) -> Option<crate::fix::Fix> {
    use crate::fix::{Edit, Fix};
    let (first, last) = (codes.first()?, codes.last()?);
    let list = first.1.start..last.1.end;
    let kept: Vec<&str> = codes
        .iter()
        .filter(|(code, _)| !unused(code))
        .map(|(_, range)| text.get(range.clone()).unwrap_or(""))
        .collect();
    if kept.len() == codes.len() {
        return None;
    }
    if !kept.is_empty() {
        return Some(Fix::safe(
            "Remove the unused codes",
            vec![Edit::replace(list, kept.join(", "))],
        ));
    }
    let line_text = text.get(line.clone())?;
    let content_end = line.start + line_text.trim_end_matches(['\r', '\n']).len();
    // The `#` that opens this directive: the last one before its first code.
    let hash = line.start + text.get(line.start..first.1.start)?.rfind('#')?;
    let rest = text.get(list.end..content_end)?;
    let rest_start = list.end + (rest.len() - rest.trim_start().len());
    let edit = if rest.trim().is_empty() {
        // `x = 1  # noqa: A` → `x = 1`, trailing whitespace with it.
        let before = text.get(line.start..hash)?;
        Edit::delete(line.start + before.trim_end().len()..content_end)
    } else if rest.trim_start().starts_with('#') {
        // `x = 1  # noqa: A  # why` → `x = 1  # why`.
        Edit::delete(hash..rest_start)
    } else {
        // `x = 1  # noqa: A words` → `x = 1  # words`.
        Edit::replace(hash + 1..rest_start, " ")
    };
    Some(Fix::safe("Remove the unused `noqa` directive", vec![edit]))
}

fn is_code(word: &str) -> bool {
    let letters = word.chars().take_while(|c| c.is_ascii_alphabetic()).count();
    letters > 0 && word.len() > letters && word[letters..].chars().all(|c| c.is_ascii_digit())
}

impl Directive {
    pub fn suppresses(&self, rule: Rule) -> bool {
        match self {
            Directive::All => true,
            Directive::Codes(codes) => codes
                .iter()
                .any(|(code, _)| rule.code().eq_ignore_ascii_case(code)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_level_exemptions() {
        assert_eq!(
            file_directive("import os\n# skua: noqa\n"),
            Some(Directive::All)
        );
        let text = "x = 1\n  #SKUA: NOQA: sec001, CLI002\n";
        let Some(Directive::Codes(codes)) = file_directive(text) else {
            panic!("codes expected");
        };
        let names: Vec<&str> = codes.iter().map(|(code, _)| code.as_str()).collect();
        assert_eq!(names, ["SEC001", "CLI002"]);
        assert_eq!(&text[codes[0].1.clone()], "sec001");
        // Only a comment line of its own counts; a line `# noqa` is not file-wide.
        assert_eq!(file_directive("x = 1  # skua: noqa\n"), None);
        assert_eq!(file_directive("x = 1  # noqa\n"), None);
        assert_eq!(file_directive("# skua: noqa-ish\n"), None);
    }

    #[test]
    fn parses_codes_with_ranges() {
        let line = "x = 1  # noqa: SEC001, NET001 trailing words";
        let Some(Directive::Codes(codes)) = parse_line(line, 100) else {
            panic!("expected codes")
        };
        assert_eq!(codes.len(), 2);
        assert_eq!(codes[0].0, "SEC001");
        assert_eq!(
            &line[codes[1].1.start - 100..codes[1].1.end - 100],
            "NET001"
        );
    }

    #[test]
    fn bare_noqa_and_nosec_suppress_everything() {
        assert_eq!(parse_line("x  # noqa", 0), Some(Directive::All));
        assert_eq!(parse_line("x  # NOQA:", 0), Some(Directive::All));
        assert_eq!(parse_line("x  # nosec B602", 0), Some(Directive::All));
        assert_eq!(
            parse_line("x  # type: ignore  # noqa:E501", 0)
                .map(|d| d.suppresses(Rule::HardcodedToken)),
            Some(false)
        );
        assert_eq!(parse_line("x = '#'  # plain comment", 0), None);
    }
}
