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
