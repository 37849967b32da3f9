//! Templates made once per language: in each, every `t(id="…", lang=lang)` with a literal
//! id and no variables becomes that message's text in that language, as a string literal.
//! Such a call gives the same text on every render, yet cost a Tera function call (its
//! arguments in a fresh map, the catalog look-up, the Fluent format) each time; a page
//! holds dozens. Calls with variables, or whose id or language is not literally given,
//! stay calls.
//!
//! Only Tera's own tags (`{{ … }}`, `{% … %}`) are rewritten, outside their string
//! literals; comments and `{% raw %}` blocks are copied as they are. The literal is escaped
//! on output like the call's value was (autoescape applies to any expression), so the page
//! comes out byte for byte as before: the tests render every shipped page both ways.
//!
//! This is written by hand because Tera has no hook for it: it resolves functions only
//! while rendering.

/// `source` with each literal, variable-free `t()` call in its tags replaced by the string
/// literal of `text(id)` (a call whose text holds all three of Tera's quotes stays).
pub fn resolve(source: &str, text: &dyn Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(source.len());
    let mut rest = source;
    while let Some(open) = next_tag(rest) {
        out.push_str(&rest[..open]);
        let tag = &rest[open..];
        let end = match &tag[..2] {
            "{#" => tag.find("#}").map_or(tag.len(), |e| e + 2),
            "{{" => tag_end(tag, "}}"),
            _ => tag_end(tag, "%}"),
        };
        let body = &tag[..end];
        if tag.starts_with("{#") {
            out.push_str(body);
            rest = &tag[end..];
        } else if block_name(body) == Some("raw") {
            let raw_end = end + raw_block_end(&tag[end..]);
            out.push_str(&tag[..raw_end]);
            rest = &tag[raw_end..];
        } else {
            rewrite_calls(body, text, &mut out);
            rest = &tag[end..];
        }
    }
    out.push_str(rest);
    out
}

/// Where the next tag (`{{`, `{%` or `{#`) opens.
fn next_tag(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    (0..bytes.len().saturating_sub(1))
        .find(|&i| bytes[i] == b'{' && matches!(bytes[i + 1], b'{' | b'%' | b'#'))
}

fn is_quote(b: u8) -> bool {
    matches!(b, b'"' | b'\'' | b'`')
}

/// The end of the tag opening `tag` (just past `close`, found outside string literals), or
/// the end of the text when it is not closed (Tera then refuses it).
fn tag_end(tag: &str, close: &str) -> usize {
    let bytes = tag.as_bytes();
    let mut i = 2;
    while i < bytes.len() {
        if is_quote(bytes[i]) {
            i = string_end(bytes, i);
        } else if bytes[i..].starts_with(close.as_bytes()) {
            return i + close.len();
        } else {
            i += 1;
        }
    }
    tag.len()
}

/// Just past the string literal opening at `at` (or the end, when it is not closed).
fn string_end(bytes: &[u8], at: usize) -> usize {
    let quote = bytes[at];
    bytes[at + 1..]
        .iter()
        .position(|&b| b == quote)
        .map_or(bytes.len(), |p| at + 1 + p + 1)
}

/// The word a `{% … %}` tag holds when it holds one word (`raw`, `endraw`).
fn block_name(tag: &str) -> Option<&str> {
    let inner = tag.strip_prefix("{%")?.strip_suffix("%}")?;
    let inner = inner.trim_start_matches('-').trim_end_matches('-').trim();
    (!inner.is_empty()
        && inner
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_'))
    .then_some(inner)
}

/// How far into `s` (the text after `{% raw %}`) its `{% endraw %}` ends.
fn raw_block_end(s: &str) -> usize {
    let mut from = 0;
    while let Some(open) = s[from..].find("{%").map(|o| from + o) {
        let end = s[open..].find("%}").map_or(s.len(), |e| open + e + 2);
        if block_name(&s[open..end]) == Some("endraw") {
            return end;
        }
        from = open + 2;
    }
    s.len()
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Writes the tag `body` to `out`, its literal `t()` calls replaced.
fn rewrite_calls(body: &str, text: &dyn Fn(&str) -> String, out: &mut String) {
    let bytes = body.as_bytes();
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if is_quote(bytes[i]) {
            i = string_end(bytes, i);
            continue;
        }
        let starts_name =
            i == 0 || !(is_ident(bytes[i - 1]) || matches!(bytes[i - 1], b':' | b'.'));
        if starts_name && bytes[i] == b't' {
            if let Some((id, len)) = literal_call(&body[i..]) {
                if let Some(literal) = string_literal(&text(id)) {
                    out.push_str(&body[copied..i]);
                    out.push_str(&literal);
                    i += len;
                    copied = i;
                    continue;
                }
            }
        }
        i += 1;
    }
    out.push_str(&body[copied..]);
}

/// A Tera string literal of `text`, in a quote it does not hold.
fn string_literal(text: &str) -> Option<String> {
    ['"', '\'', '`']
        .into_iter()
        .find(|q| !text.contains(*q))
        .map(|q| format!("{q}{text}{q}"))
}

/// When `s` starts with `t(id="ID", lang=lang)` (or `t(lang=lang, id="ID")`), spaced any
/// way: the id and the call's length.
fn literal_call(s: &str) -> Option<(&str, usize)> {
    let mut p = Parser { s, at: 0 };
    p.eat("t")?;
    p.space();
    p.eat("(")?;
    let mut id = None;
    let mut lang = false;
    loop {
        p.space();
        match p.name()? {
            "id" if id.is_none() => {
                p.equals()?;
                id = Some(p.string()?);
            }
            "lang" if !lang => {
                p.equals()?;
                (p.name()? == "lang").then_some(())?;
                lang = true;
            }
            _ => return None,
        }
        p.space();
        if p.eat(",").is_none() {
            break;
        }
    }
    p.eat(")")?;
    Some((id.filter(|_| lang)?, p.at))
}

struct Parser<'a> {
    s: &'a str,
    at: usize,
}

impl<'a> Parser<'a> {
    fn eat(&mut self, what: &str) -> Option<()> {
        self.s[self.at..]
            .starts_with(what)
            .then(|| self.at += what.len())
    }

    fn space(&mut self) {
        let rest = &self.s[self.at..];
        self.at += rest.len() - rest.trim_start().len();
    }

    fn name(&mut self) -> Option<&'a str> {
        let rest = &self.s[self.at..];
        let len = rest.bytes().take_while(|&b| is_ident(b)).count();
        (len > 0).then(|| {
            self.at += len;
            &rest[..len]
        })
    }

    fn equals(&mut self) -> Option<()> {
        self.space();
        self.eat("=")?;
        self.space();
        Some(())
    }

    fn string(&mut self) -> Option<&'a str> {
        let bytes = self.s.as_bytes();
        let quote = *bytes.get(self.at).filter(|b| is_quote(**b))?;
        let end = string_end(bytes, self.at);
        (bytes.get(end - 1) == Some(&quote) && end > self.at + 2).then(|| {
            let s = &self.s[self.at + 1..end - 1];
            self.at = end;
            s
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upper(id: &str) -> String {
        id.to_uppercase()
    }

    fn r(source: &str) -> String {
        resolve(source, &upper)
    }

    #[test]
    fn literal_calls_in_tags_become_literals() {
        assert_eq!(
            r(r#"<p>{{ t(id="a-b", lang=lang) }}</p>"#),
            r#"<p>{{ "A-B" }}</p>"#
        );
        assert_eq!(r(r#"{{t( lang = lang ,id='x' )}}"#), r#"{{"X"}}"#);
        assert_eq!(
            r(r#"{{ m::field(label=t(id="l", lang=lang), error=t(id=page.error, lang=lang)) }}"#),
            r#"{{ m::field(label="L", error=t(id=page.error, lang=lang)) }}"#
        );
        assert_eq!(
            r(r#"{% set x = t(id="s", lang=lang) | upper %}{% if a %}{{ x }}{% endif %}"#),
            r#"{% set x = "S" | upper %}{% if a %}{{ x }}{% endif %}"#
        );
        assert_eq!(r(r#"{{- t(id="w", lang=lang) -}}"#), r#"{{- "W" -}}"#);
    }

    #[test]
    fn calls_with_variables_or_another_language_stay_calls() {
        for kept in [
            r#"{{ t(id="a", lang=lang, n=3) }}"#,
            r#"{{ t(id="a", lang="fr") }}"#,
            r#"{{ t(id="a", lang=page.lang) }}"#,
            r#"{{ t(id="a", lang=language) }}"#,
            r#"{{ t(id="a") }}"#,
            r#"{{ t(id=page.a, lang=lang) }}"#,
            r#"{{ t(id="", lang=lang) }}"#,
            r#"{{ t(id="a", id="b", lang=lang) }}"#,
            r#"{{ at(id="a", lang=lang) }}"#,
            r#"{{ m::t(id="a", lang=lang) }}"#,
            r#"{{ x.t(id="a", lang=lang) }}"#,
            r#"{{ "t(id='a', lang=lang)" }}"#,
        ] {
            assert_eq!(r(kept), kept);
        }
    }

    #[test]
    fn text_comments_and_raw_blocks_are_left_alone() {
        for kept in [
            r#"t(id="a", lang=lang) in the page's text"#,
            r#"{# t(id="a", lang=lang) #}"#,
            r#"{% raw %}{{ t(id="a", lang=lang) }}{% endraw %}"#,
            r#"{%- raw -%} {{ t(id="a", lang=lang) }} {%- endraw -%}"#,
            "{ not a tag } {",
        ] {
            assert_eq!(r(kept), kept);
        }
        assert_eq!(
            r(r#"{% raw %}{{ t(id="a", lang=lang) }}{% endraw %}{{ t(id="b", lang=lang) }}"#),
            r#"{% raw %}{{ t(id="a", lang=lang) }}{% endraw %}{{ "B" }}"#
        );
        // A string holding a closing delimiter does not end the tag.
        assert_eq!(
            r(r#"{{ "}}" ~ t(id="c", lang=lang) }}"#),
            r#"{{ "}}" ~ "C" }}"#
        );
    }

    #[test]
    fn the_literal_takes_a_quote_its_text_does_not_hold() {
        let text = |id: &str| match id {
            "dq" => r#"say "hi""#.to_string(),
            "sq" => r#"l'a "b""#.to_string(),
            _ => r#"all " ' ` three"#.to_string(),
        };
        assert_eq!(
            resolve(r#"{{ t(id="dq", lang=lang) }}"#, &text),
            r#"{{ 'say "hi"' }}"#
        );
        assert_eq!(
            resolve(r#"{{ t(id="sq", lang=lang) }}"#, &text),
            r#"{{ `l'a "b"` }}"#
        );
        let kept = r#"{{ t(id="all", lang=lang) }}"#;
        assert_eq!(resolve(kept, &text), kept);
    }

    #[test]
    fn unclosed_tags_and_strings_do_not_panic() {
        for s in [
            "{{",
            "{%",
            "{#",
            r#"{{ t(id="a"#,
            r#"{{ t(id="a", lang=lang)"#,
            "{% raw %}",
            r#"{{ "never closed }}"#,
            "{{ t(",
            "é{{ t(id=\"é\", lang=lang) }}é",
        ] {
            let _ = r(s);
        }
        assert_eq!(r(r#"{{ t(id="a", lang=lang)"#), r#"{{ "A""#);
    }
}
