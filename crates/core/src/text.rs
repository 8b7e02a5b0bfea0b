//! Text rules every part of the blog shares: the one HTML escaper for text we write by hand (the
//! templates escape through askama), the one slug function, hex, and excerpts.

/// Escapes text for use in HTML content and in double- or single-quoted attribute values.
pub fn escape(text: &str, out: &mut String) {
    let mut start = 0;
    for (i, byte) in text.bytes().enumerate() {
        let entity = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&text[start..i]);
        out.push_str(entity);
        start = i + 1;
    }
    out.push_str(&text[start..]);
}

/// [`escape`] into a new string.
pub fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    escape(text, &mut out);
    out
}

/// Lower-case hexadecimal of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    out
}

/// The bytes of lower- or upper-case hexadecimal; `None` for anything else.
pub fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

/// Which letters a [`slug`] keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Letters {
    /// For addresses: Latin letters with diacritics folded to their base letter, other non-ASCII
    /// dropped, URL punctuation (`/ . , : ; – —`) taken as a word break, at most 80 characters
    /// cut at a hyphen. What it makes always passes [`crate::routes::is_slug`] (or is empty).
    Ascii,
    /// For heading ids: letters and digits of any script, lower-cased; punctuation dropped.
    AnyScript,
}

/// Lower-case words joined by single hyphens. Empty when nothing usable is left (the caller picks
/// a fallback).
pub fn slug(text: &str, letters: Letters) -> String {
    let ascii = letters == Letters::Ascii;
    let mut slug = String::with_capacity(text.len());
    let mut hyphen = false;
    for c in text.chars() {
        let c = if ascii { fold_latin(c) } else { c };
        let keep = if ascii {
            c.is_ascii_alphanumeric()
        } else {
            c.is_alphanumeric()
        };
        if keep {
            if hyphen && !slug.is_empty() {
                slug.push('-');
            }
            hyphen = false;
            slug.extend(c.to_lowercase());
        } else if c.is_whitespace()
            || matches!(c, '-' | '_')
            || (ascii && matches!(c, '/' | '.' | ',' | ':' | ';' | '–' | '—'))
        {
            hyphen = true;
        }
    }
    if ascii && slug.len() > 80 {
        let cut = slug[..80].rfind('-').unwrap_or(80);
        slug.truncate(cut);
    }
    slug
}

/// The slug of a tag's page: made like a post's; a tag with no Latin letters or digits (日本)
/// gets `tag-` and the hex of its UTF-8 bytes, which is ugly but unique and stable.
pub fn tag_slug(tag: &str) -> String {
    let slug = slug(tag, Letters::Ascii);
    if !slug.is_empty() {
        return slug;
    }
    let bytes = tag.as_bytes();
    format!("tag-{}", hex(&bytes[..bytes.len().min(60)]))
}

/// Common Latin letters with diacritics → their base letter (ß → s, æ → a, ø → o: one letter
/// each, which is enough for a URL).
fn fold_latin(c: char) -> char {
    const FROM: &str = "àáâãäåāăąæçćĉċčďđèéêëēĕėęěĝğġģĥħìíîïĩīĭįıĵķĺļľŀłñńņňòóôõöøōŏőœŕŗřśŝşšßţťŧùúûüũūŭůűųŵýÿŷźżžþð";
    const TO: &str = "aaaaaaaaaacccccddeeeeeeeeegggghhiiiiiiiiijklllllnnnnoooooooooorrrssssstttuuuuuuuuuuwyyyzzztd";
    if c.is_ascii() {
        return c;
    }
    let lower = c.to_lowercase().next().unwrap_or(c);
    match FROM.chars().position(|f| f == lower) {
        Some(i) => TO.chars().nth(i).unwrap_or(c),
        None => c,
    }
}

/// Runs of white space as single spaces, trimmed.
pub fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A lead cut at a word boundary near `max_chars`, with "…" when something was cut.
pub fn excerpt(lead: &str, max_chars: usize) -> String {
    if lead.chars().count() <= max_chars {
        return lead.to_string();
    }
    let cut: String = lead.chars().take(max_chars).collect();
    let cut = match cut.rfind(' ') {
        Some(space) if space > max_chars / 2 => &cut[..space],
        _ => cut.as_str(),
    };
    format!("{}…", cut.trim_end_matches([',', ';', ':', '-', '–']))
}

/// The character references of HTML text decoded: `&amp;`, `&lt;`, `&#39;`, `&#x27;`… (an
/// unknown name, or a reference that does not read, stays as it is).
pub fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let end = after.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|end| {
            let name = &after[..end];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ => {
                    let number = name.strip_prefix('#')?;
                    let code = match number.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => number.parse().ok()?,
                    };
                    char::from_u32(code).filter(|c| *c != '\0')
                }
            }?;
            Some((c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routes::is_slug;

    #[test]
    fn escaping_covers_content_and_attributes() {
        assert_eq!(
            escaped("<a href=\"x\" title='y'>&</a>"),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;"
        );
        assert_eq!(escaped("Ça va"), "Ça va");
    }

    #[test]
    fn hex_round_trips() {
        assert_eq!(hex(&[0, 0x0f, 0xa0, 0xff]), "000fa0ff");
        assert_eq!(unhex("000fA0ff"), Some(vec![0, 0x0f, 0xa0, 0xff]));
        assert_eq!(unhex("0"), None);
        assert_eq!(unhex("zz"), None);
        assert_eq!(unhex("é1"), None);
    }

    #[test]
    fn slugs_from_titles() {
        let url = |t: &str| slug(t, Letters::Ascii);
        assert_eq!(
            url("Health is Social- ain’t no doubt"),
            "health-is-social-aint-no-doubt"
        );
        assert_eq!(url("Ça va? Très bien, Zoë!"), "ca-va-tres-bien-zoe");
        assert_eq!(url("日本語"), "");
        assert_eq!(url("v1.2/notes"), "v1-2-notes");
        let long = url(&"word ".repeat(40));
        assert!(long.len() <= 80 && !long.ends_with('-'), "{long}");
        assert!(is_slug(&long));
    }

    #[test]
    fn heading_slugs_keep_letters_of_any_script() {
        let id = |t: &str| slug(t, Letters::AnyScript);
        assert_eq!(
            id("Health is Social- ain’t no doubt"),
            "health-is-social-aint-no-doubt"
        );
        assert_eq!(id("  Ça va? Très bien!  "), "ça-va-très-bien");
        assert_eq!(id("v1.2"), "v12");
        assert_eq!(id("!!!"), "");
    }

    #[test]
    fn tag_slugs() {
        assert_eq!(tag_slug("Social media"), "social-media");
        assert_eq!(tag_slug("日本"), "tag-e697a5e69cac");
        assert!(is_slug(&tag_slug("日本")));
    }

    #[test]
    fn fold_tables_line_up() {
        assert_eq!(fold_latin('ţ'), 't');
        assert_eq!(fold_latin('Ų'), 'u');
        assert_eq!(fold_latin('ð'), 'd');
        assert_eq!(fold_latin('x'), 'x');
    }

    #[test]
    fn excerpts_cut_at_words() {
        assert_eq!(excerpt("Short text.", 50), "Short text.");
        let cut = excerpt(&"word ".repeat(20), 22);
        assert!(cut.ends_with('…') && cut.chars().count() <= 23, "{cut}");
        assert_eq!(collapse_whitespace(" a \n\t b "), "a b");
    }
}
