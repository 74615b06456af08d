//! Mapping from positions in a derived ("logical") string back to the original text.
//!
//! Both requirements files (line continuations) and PEP 723 blocks (stripped `# `
//! prefixes) are parsed from text assembled out of slices of the original; every span
//! handed to callers must still index the original, so each assembled string carries
//! one of these maps.

use crate::Span;

#[derive(Debug, Clone, Default)]
pub(crate) struct OffsetMap {
    /// `(logical_start, original_start)`, sorted by `logical_start`; each segment runs
    /// linearly until the next one starts.
    segments: Vec<(usize, usize)>,
}

impl OffsetMap {
    pub(crate) fn identity() -> Self {
        Self {
            segments: vec![(0, 0)],
        }
    }

    /// Registers that the logical text from `logical_start` on comes from `original_start`.
    pub(crate) fn push(&mut self, logical_start: usize, original_start: usize) {
        // A later segment starting at the same logical offset supersedes an empty one,
        // otherwise the lookup would pick a segment with no bytes in it.
        if let Some(last) = self.segments.last_mut()
            && last.0 == logical_start
        {
            *last = (logical_start, original_start);
            return;
        }
        self.segments.push((logical_start, original_start));
    }

    fn segment_for(&self, pos: usize) -> (usize, usize) {
        let idx = self.segments.partition_point(|&(start, _)| start <= pos);
        if idx == 0 {
            return self.segments.first().copied().unwrap_or((0, 0));
        }
        self.segments.get(idx - 1).copied().unwrap_or((0, 0))
    }

    /// Original offset of the byte at logical `pos`.
    pub(crate) fn start(&self, pos: usize) -> usize {
        let (logical, original) = self.segment_for(pos);
        original + pos.saturating_sub(logical)
    }

    /// Original offset just past the byte at logical `pos - 1`: an end bound that sits on a
    /// segment boundary must stay attached to the segment it ends, not jump to the next one.
    pub(crate) fn end(&self, pos: usize) -> usize {
        if pos == 0 {
            return self.start(0);
        }
        self.start(pos - 1) + 1
    }

    pub(crate) fn span(&self, span: &Span) -> Span {
        let start = self.start(span.start);
        if span.end <= span.start {
            return start..start;
        }
        start..self.end(span.end).max(start)
    }
}

/// One line of the original text; `end` excludes the terminator, `next` is where the
/// following line starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PhysicalLine {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) next: usize,
}

/// Splits on `\n`, `\r\n` and lone `\r`, like Python's universal newlines, which is what
/// both pip and PEP 723 readers see.
pub(crate) fn physical_lines(text: &str, from: usize) -> Vec<PhysicalLine> {
    let bytes = text.as_bytes();
    let mut lines = Vec::new();
    let mut start = from.min(bytes.len());
    let mut i = start;
    while i < bytes.len() {
        match bytes.get(i) {
            Some(b'\n') => {
                lines.push(PhysicalLine {
                    start,
                    end: i,
                    next: i + 1,
                });
                start = i + 1;
            }
            Some(b'\r') => {
                let next = if bytes.get(i + 1) == Some(&b'\n') {
                    i + 2
                } else {
                    i + 1
                };
                lines.push(PhysicalLine {
                    start,
                    end: i,
                    next,
                });
                start = next;
                i = next;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    if start < bytes.len() {
        lines.push(PhysicalLine {
            start,
            end: bytes.len(),
            next: bytes.len(),
        });
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries_stay_with_their_segment() {
        // logical "abcdef" from original "abc\\\ndef"
        let mut map = OffsetMap::default();
        map.push(0, 0);
        map.push(3, 5);
        assert_eq!(map.span(&(0..3)), 0..3);
        assert_eq!(map.span(&(3..6)), 5..8);
        assert_eq!(map.span(&(1..5)), 1..7);
        assert_eq!(map.span(&(3..3)), 5..5);
    }

    #[test]
    fn line_terminators() {
        let text = "a\r\nb\rc\n\nd";
        let lines: Vec<_> = physical_lines(text, 0)
            .iter()
            .map(|l| &text[l.start..l.end])
            .collect();
        assert_eq!(lines, ["a", "b", "c", "", "d"]);
        assert!(physical_lines("", 0).is_empty());
        assert_eq!(physical_lines("x\n", 0).len(), 1);
    }
}
