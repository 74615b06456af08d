//! Byte offsets to 1-based line/column positions.

/// A 1-based line and column; the column counts characters, as editors do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Location {
    pub row: usize,
    pub column: usize,
}

/// Line start offsets of one source text.
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<usize>,
    /// Characters before each [`CHAR_BLOCK`]-byte block: a column costs at most one block
    /// of counting, not the whole line before it (many findings on one long line were
    /// quadratic).
    chars_before_block: Vec<usize>,
}

const CHAR_BLOCK: usize = 1024;

/// Characters in `bytes` (which may start or end inside one): the bytes that do not
/// continue a UTF-8 sequence.
fn count_chars(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b & 0xC0 != 0x80).count()
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|newline| newline + 1));
        let mut chars_before_block = Vec::with_capacity(text.len() / CHAR_BLOCK + 1);
        let mut total = 0;
        for block in text.as_bytes().chunks(CHAR_BLOCK) {
            chars_before_block.push(total);
            total += count_chars(block);
        }
        chars_before_block.push(total);
        LineIndex {
            line_starts,
            chars_before_block,
        }
    }

    /// Characters in `text[..offset]`.
    fn chars_before(&self, text: &str, offset: usize) -> usize {
        let block = offset / CHAR_BLOCK;
        let Some(&before) = self.chars_before_block.get(block) else {
            return count_chars(&text.as_bytes()[..offset.min(text.len())]);
        };
        before + count_chars(&text.as_bytes()[block * CHAR_BLOCK..offset.min(text.len())])
    }

    /// 0-based line containing `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next.saturating_sub(1),
        }
    }

    pub fn location(&self, text: &str, offset: usize) -> Location {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.line_of(offset);
        let start = self.line_starts[line];
        Location {
            row: line + 1,
            column: self.chars_before(text, offset) - self.chars_before(text, start) + 1,
        }
    }

    /// The byte range of 0-based `line`, without its line terminator.
    pub fn line_range(&self, text: &str, line: usize) -> std::ops::Range<usize> {
        let start = self
            .line_starts
            .get(line)
            .copied()
            .unwrap_or(text.len())
            .min(text.len());
        let mut end = self
            .line_starts
            .get(line + 1)
            .copied()
            .unwrap_or(text.len())
            .min(text.len());
        let bytes = text.as_bytes();
        while end > start && matches!(bytes[end - 1], b'\n' | b'\r') {
            end -= 1;
        }
        start..end
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }
}

pub fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_count_characters() {
        let text = "a = 1\nπ = \"x\"\r\nlast";
        let index = LineIndex::new(text);
        assert_eq!(index.location(text, 0), Location { row: 1, column: 1 });
        let quote = text.find('"').unwrap();
        assert_eq!(index.location(text, quote), Location { row: 2, column: 5 });
        assert_eq!(&text[index.line_range(text, 1)], "π = \"x\"");
        assert_eq!(&text[index.line_range(text, 2)], "last");
        assert_eq!(
            index.location(text, text.len()),
            Location { row: 3, column: 5 }
        );
    }
}
