//! Fixes: what a rule may offer (declared in the rule's source), the edits of one fix, and
//! the engine that applies them to a file's text.

use std::ops::Range;

/// Whether applying a fix keeps the program's behaviour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Applied by `--fix`.
    Safe,
    /// May change behaviour; applied only with `--unsafe-fixes`.
    Unsafe,
}

/// How often a rule can offer a fix (ruff's `FixAvailability`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FixAvailability {
    Always,
    Sometimes,
    Never,
}

/// A rule's fix declaration, from `declare_rule!`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FixMeta {
    pub availability: FixAvailability,
    pub applicability: Applicability,
}

impl FixMeta {
    pub const NEVER: FixMeta = FixMeta {
        availability: FixAvailability::Never,
        applicability: Applicability::Safe,
    };

    /// One sentence for `skua rule` and the generated docs.
    pub fn describe(self) -> String {
        let kind = match self.applicability {
            Applicability::Safe => "safe: applied by `--fix`",
            Applicability::Unsafe => {
                "unsafe: applied by `--fix` only with `--unsafe-fixes`, as it may change behaviour"
            }
        };
        match self.availability {
            FixAvailability::Never => "Fix: none; `--fix` leaves this finding to you.".to_string(),
            FixAvailability::Always => format!("Fix: always available ({kind})."),
            FixAvailability::Sometimes => format!("Fix: sometimes available ({kind})."),
        }
    }
}

/// Replace the bytes `range` of the file with `content` (an insertion when empty).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Edit {
    pub range: Range<usize>,
    pub content: String,
}

impl Edit {
    pub fn replace(range: Range<usize>, content: impl Into<String>) -> Edit {
        Edit {
            range,
            content: content.into(),
        }
    }

    pub fn delete(range: Range<usize>) -> Edit {
        Edit::replace(range, "")
    }

    pub fn insert(at: usize, content: impl Into<String>) -> Edit {
        Edit::replace(at..at, content)
    }
}

/// A fix of one finding: edits applied together or not at all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub applicability: Applicability,
    /// What the fix does, e.g. "Replace with `yaml.safe_load()`".
    pub message: String,
    pub edits: Vec<Edit>,
}

impl Fix {
    pub fn safe(message: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix {
            applicability: Applicability::Safe,
            message: message.into(),
            edits,
        }
    }

    pub fn unsafe_edits(message: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix {
            applicability: Applicability::Unsafe,
            message: message.into(),
            edits,
        }
    }

    /// Where the first edit starts (fixes are ordered by it).
    fn start(&self) -> usize {
        self.edits
            .iter()
            .map(|edit| edit.range.start)
            .min()
            .unwrap_or(0)
    }
}

/// Which fixes a run applies.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FixMode {
    /// Report only (no `--fix`, `--diff` or `--fix-only`).
    #[default]
    Off,
    /// Apply safe fixes, and unsafe ones when `unsafe_fixes`.
    Apply { unsafe_fixes: bool },
}

impl FixMode {
    pub fn is_on(self) -> bool {
        self != FixMode::Off
    }

    pub fn applies(self, fix: &Fix) -> bool {
        match self {
            FixMode::Off => false,
            FixMode::Apply { unsafe_fixes } => {
                fix.applicability == Applicability::Safe || unsafe_fixes
            }
        }
    }
}

/// The text with every fix applied that fits: fixes are taken in order of position and
/// one whose edits overlap an edit already taken is skipped (the next pass, after a
/// re-lint, picks it up again). Identical edits (two findings fixed by the same rewrite)
/// are applied once. Returns the new text and how many fixes were applied.
pub fn apply_fixes<'a>(text: &str, fixes: impl IntoIterator<Item = &'a Fix>) -> (String, usize) {
    let (out, applied) = apply_indexed(text, &fixes.into_iter().collect::<Vec<_>>());
    (out, applied.len())
}

/// [`apply_fixes`], returning the positions in `fixes` of the fixes applied.
pub fn apply_indexed(text: &str, fixes: &[&Fix]) -> (String, Vec<usize>) {
    let mut order: Vec<usize> = (0..fixes.len()).collect();
    order.sort_by_key(|index| fixes[*index].start());
    let mut taken: Vec<&Edit> = Vec::new();
    let mut applied = Vec::new();
    'fixes: for index in order {
        let fix = fixes[index];
        let mut edits: Vec<&Edit> = fix.edits.iter().collect();
        edits.sort_by_key(|edit| (edit.range.start, edit.range.end));
        let mut new_edits = Vec::new();
        for edit in edits {
            // Out of range or splitting a character: a bug in a rule, never applied.
            if edit.range.start > edit.range.end
                || edit.range.end > text.len()
                || !text.is_char_boundary(edit.range.start)
                || !text.is_char_boundary(edit.range.end)
            {
                continue 'fixes;
            }
            if taken.contains(&edit) {
                continue;
            }
            let overlaps = taken
                .iter()
                .chain(new_edits.iter())
                .any(|other: &&Edit| overlap(&other.range, &edit.range));
            if overlaps {
                continue 'fixes;
            }
            new_edits.push(edit);
        }
        taken.extend(new_edits);
        applied.push(index);
    }
    // From the end backwards, so every range still means the original bytes.
    taken.sort_by_key(|edit| std::cmp::Reverse((edit.range.start, edit.range.end)));
    let mut out = text.to_string();
    for edit in taken {
        out.replace_range(edit.range.clone(), &edit.content);
    }
    (out, applied)
}

/// Two edits conflict when their ranges share a byte, or when both insert at the same
/// point (their order would be a guess); an insertion at a replacement's edge does not.
fn overlap(a: &Range<usize>, b: &Range<usize>) -> bool {
    if a.is_empty() && b.is_empty() {
        return a.start == b.start;
    }
    if a.is_empty() {
        return b.start < a.start && a.start < b.end;
    }
    if b.is_empty() {
        return a.start < b.start && b.start < a.end;
    }
    a.start < b.end && b.start < a.end
}

/// A unified diff of one file, as `--diff` prints it (`a/` and `b/` prefixes as in git).
pub fn unified_diff(path: &str, before: &str, after: &str) -> String {
    // `a//tmp/x.py` for an absolute path: patch tools want one separator.
    let path = path.trim_start_matches('/');
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix(edits: Vec<Edit>) -> Fix {
        Fix::safe("test", edits)
    }

    #[test]
    fn applies_from_the_end_and_skips_overlaps() {
        let text = "abcdef";
        let fixes = [
            fix(vec![Edit::replace(0..2, "XY")]),
            fix(vec![Edit::replace(1..3, "Q")]),
            fix(vec![Edit::insert(6, "!")]),
            fix(vec![Edit::delete(3..4)]),
        ];
        let (out, applied) = apply_fixes(text, &fixes);
        assert_eq!(out, "XYcef!");
        assert_eq!(applied, 3);
    }

    #[test]
    fn identical_edits_apply_once_and_edges_touch() {
        let text = "f(a, v=False)";
        let same = Edit::delete(3..12);
        let fixes = [
            fix(vec![same.clone()]),
            fix(vec![same]),
            fix(vec![Edit::insert(12, ", t=30")]),
        ];
        let (out, applied) = apply_fixes(text, &fixes);
        assert_eq!(out, "f(a, t=30)");
        assert_eq!(applied, 3);
    }

    #[test]
    fn edits_out_of_range_are_never_applied() {
        let (out, applied) = apply_fixes("é", &[fix(vec![Edit::delete(0..1)])]);
        assert_eq!((out.as_str(), applied), ("é", 0));
        let (out, applied) = apply_fixes("ab", &[fix(vec![Edit::delete(1..9)])]);
        assert_eq!((out.as_str(), applied), ("ab", 0));
    }

    #[test]
    fn diff_names_the_file() {
        let diff = unified_diff("x.py", "a\nb\n", "a\nc\n");
        assert!(diff.starts_with("--- a/x.py\n+++ b/x.py\n"), "{diff}");
        assert!(diff.contains("-b\n+c\n"), "{diff}");
    }
}
