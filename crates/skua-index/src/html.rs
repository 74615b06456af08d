//! Just enough HTML to read PEP 503 pages: `<a>` anchors with their attributes and text,
//! `<base href>`, and `<meta name=... content=...>`.
//!
//! A full HTML5 parser (html5ever and friends) would add a large dependency tree for
//! pages that are, by specification, a flat list of anchors. What matters for robustness
//! is handled here: comments, `<script>`/`<style>` bodies, quoted/unquoted/valueless
//! attributes in any case, and character references.

/// One start tag of interest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Element {
    Anchor {
        attrs: Vec<(String, String)>,
        text: String,
    },
    Base {
        href: Option<String>,
    },
    Meta {
        attrs: Vec<(String, String)>,
    },
}

pub(crate) fn attr<'a>(attrs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

pub(crate) fn parse_elements(html: &str) -> Vec<Element> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |end| &after[end + 3..]);
            continue;
        }
        if rest.starts_with("<!") || rest.starts_with("<?") || rest.starts_with("</") {
            rest = rest.find('>').map_or("", |end| &rest[end + 1..]);
            continue;
        }
        let name_len = rest[1..]
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(rest.len() - 1);
        if name_len == 0 {
            // A stray `<` in text.
            rest = &rest[1..];
            continue;
        }
        let name = rest[1..=name_len].to_ascii_lowercase();
        let (attrs, after_tag) = parse_attributes(&rest[1 + name_len..]);
        rest = after_tag;
        match name.as_str() {
            "a" => {
                let end = find_ignore_case(rest, "</a").unwrap_or(rest.len());
                let text = unescape(strip_tags(&rest[..end]).trim());
                rest = &rest[end..];
                out.push(Element::Anchor { attrs, text });
            }
            "base" => out.push(Element::Base {
                href: attr(&attrs, "href").map(str::to_owned),
            }),
            "meta" => out.push(Element::Meta { attrs }),
            // Their content is raw text, where a `<a` is not a tag.
            "script" | "style" | "textarea" | "title" => {
                let close = format!("</{name}");
                rest = find_ignore_case(rest, &close).map_or("", |end| &rest[end..]);
            }
            _ => {}
        }
    }
    out
}

/// Parses attributes up to the end of the tag; returns them (names lower-cased, values
/// unescaped) and the input after the closing `>`.
fn parse_attributes(mut s: &str) -> (Vec<(String, String)>, &str) {
    let mut attrs = Vec::new();
    loop {
        s = s.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '/');
        if s.is_empty() {
            return (attrs, s);
        }
        if let Some(after) = s.strip_prefix('>') {
            return (attrs, after);
        }
        let name_end = s
            .find(|c: char| c.is_ascii_whitespace() || matches!(c, '=' | '>' | '/'))
            .unwrap_or(s.len());
        let name = s[..name_end].to_ascii_lowercase();
        s = s[name_end..].trim_start_matches(|c: char| c.is_ascii_whitespace());
        let value = if let Some(after_eq) = s.strip_prefix('=') {
            let after_eq = after_eq.trim_start_matches(|c: char| c.is_ascii_whitespace());
            match after_eq.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let body = &after_eq[1..];
                    let end = body.find(q).unwrap_or(body.len());
                    s = body.get(end + 1..).unwrap_or("");
                    &body[..end]
                }
                _ => {
                    let end = after_eq
                        .find(|c: char| c.is_ascii_whitespace() || c == '>')
                        .unwrap_or(after_eq.len());
                    s = &after_eq[end..];
                    &after_eq[..end]
                }
            }
        } else {
            // A valueless attribute (`data-yanked`): the empty string, as in the DOM.
            ""
        };
        if !name.is_empty() && !attrs.iter().any(|(k, _)| *k == name) {
            // HTML keeps the first of duplicated attributes.
            attrs.push((name, unescape(value)));
        }
    }
}

fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

fn find_ignore_case(haystack: &str, needle: &str) -> Option<usize> {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    if n.is_empty() {
        return Some(0);
    }
    h.windows(n.len()).position(|w| w.eq_ignore_ascii_case(n))
}

/// Decodes character references: the named ones that occur in index pages (`&amp;`,
/// `&lt;`, `&gt;`, `&quot;`, `&apos;`, `&nbsp;`) and numeric ones. Anything else is kept.
pub(crate) fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let decoded = rest.find(';').filter(|&semi| semi <= 10).and_then(|semi| {
            let entity = &rest[1..semi];
            let c = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ => {
                    let code = if let Some(hex) = entity
                        .strip_prefix("#x")
                        .or_else(|| entity.strip_prefix("#X"))
                    {
                        u32::from_str_radix(hex, 16).ok()
                    } else if let Some(dec) = entity.strip_prefix('#') {
                        dec.parse().ok()
                    } else {
                        None
                    };
                    code.and_then(char::from_u32)
                }
            };
            c.map(|c| (c, semi))
        });
        match decoded {
            Some((c, semi)) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_attributes_and_text() {
        let html = r#"<!DOCTYPE html>
<html><head><meta name="pypi:repository-version" content="1.1"><title>Links for <a></title>
<script>var s = "<a href='nope'>";</script></head>
<body>
<!-- <a href="commented-out">x</a> -->
<A HREF="../../files/a-1.0.tar.gz#sha256=ABC" data-requires-python="&gt;=3.8">a-1.0.tar.gz</A><br/>
<a href='b.whl' data-yanked data-core-metadata=sha256=def>b <b>bold</b></a>
<a href=c.whl data-yanked="bad &amp; broken" data-requires-python='&gt;=3.6,&lt;4'>c</a>
</body></html>"#;
        let els = parse_elements(html);
        let anchors: Vec<_> = els
            .iter()
            .filter_map(|e| match e {
                Element::Anchor { attrs, text } => Some((attrs.clone(), text.clone())),
                _ => None,
            })
            .collect();
        assert_eq!(anchors.len(), 3, "{els:?}");
        assert_eq!(
            attr(&anchors[0].0, "href"),
            Some("../../files/a-1.0.tar.gz#sha256=ABC")
        );
        assert_eq!(attr(&anchors[0].0, "data-requires-python"), Some(">=3.8"));
        assert_eq!(anchors[0].1, "a-1.0.tar.gz");
        assert_eq!(attr(&anchors[1].0, "data-yanked"), Some(""));
        assert_eq!(
            attr(&anchors[1].0, "data-core-metadata"),
            Some("sha256=def")
        );
        assert_eq!(anchors[1].1, "b bold");
        assert_eq!(attr(&anchors[2].0, "href"), Some("c.whl"));
        assert_eq!(attr(&anchors[2].0, "data-yanked"), Some("bad & broken"));
        assert_eq!(
            attr(&anchors[2].0, "data-requires-python"),
            Some(">=3.6,<4")
        );
        assert!(els.iter().any(|e| matches!(e, Element::Meta { attrs }
            if attr(attrs, "content") == Some("1.1"))));
    }

    #[test]
    fn unescapes() {
        assert_eq!(
            unescape("a &amp;&lt;&gt;&quot;&#39;&#x27;&#X41;"),
            "a &<>\"''A"
        );
        assert_eq!(unescape("&unknown; & &;"), "&unknown; & &;");
        assert_eq!(unescape("&#xD800;"), "&#xD800;");
    }

    #[test]
    fn every_prefix_of_a_page_parses() {
        let page = "<html><a href=\"é/ü.whl#sha256=ab\" data-yanked='ünïcødé &amp; more'>名前</a>\
                    <!-- ö --><a HREF=x data-x>y</A><base href=\"ß\"><meta name=a content=b></html>";
        for (i, _) in page.char_indices() {
            let _ = parse_elements(&page[..i]);
            let _ = unescape(&page[i..]);
        }
        assert_eq!(parse_elements(page).len(), 4);
    }

    #[test]
    fn unterminated_input_does_not_panic() {
        for html in [
            "<a href=\"x",
            "<a",
            "<",
            "<!--",
            "<a href='x'>text",
            "<base href",
            "<a b=>",
        ] {
            let _ = parse_elements(html);
        }
    }
}
