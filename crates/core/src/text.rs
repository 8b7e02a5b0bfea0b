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

/// Text in lower case for matching it against other text (blocklisted phrases, a repeated
/// comment), without the Unicode case tables of `str::to_lowercase`, which cost the reader
/// Worker 6 KiB of wasm gzipped. Exact (as `char::to_lowercase`) for the Latin letters of
/// Latin-1 and Latin Extended-A, Greek, Cyrillic and Armenian; `İ` folds to `i` and final `ς`
/// to `σ`, so that either spelling matches; letters of scripts without case, and the rare
/// cased ones outside these blocks, stay as they are.
pub fn fold_case(text: &str) -> String {
    text.chars().map(fold_char).collect()
}

/// One character of [`fold_case`].
pub fn fold_char(c: char) -> char {
    let n = c as u32;
    let even = n.is_multiple_of(2);
    let folded = match n {
        0x41..=0x5A => n + 0x20,
        0xC0..=0xDE if n != 0xD7 => n + 0x20,
        0x130 => u32::from(b'i'),
        0x100..=0x137 | 0x14A..=0x177 if even => n + 1,
        0x139..=0x148 | 0x179..=0x17E if !even => n + 1,
        0x178 => 0xFF,
        0x370 | 0x372 | 0x376 | 0x3F7 | 0x3FA => n + 1,
        0x37F => 0x3F3,
        0x386 => 0x3AC,
        0x388..=0x38A => n + 37,
        0x38C => 0x3CC,
        0x38E | 0x38F => n + 63,
        0x391..=0x3AB if n != 0x3A2 => n + 0x20,
        0x3C2 => 0x3C3,
        0x3CF => 0x3D7,
        0x3F4 => 0x3B8,
        0x3F9 => 0x3F2,
        0x3FD..=0x3FF => n - 0x82,
        0x3D8..=0x3EF if even => n + 1,
        0x400..=0x40F => n + 0x50,
        0x410..=0x42F => n + 0x20,
        0x460..=0x481 | 0x48A..=0x4BF | 0x4D0..=0x52F if even => n + 1,
        0x4C0 => 0x4CF,
        0x4C1..=0x4CE if !even => n + 1,
        0x531..=0x556 => n + 0x30,
        _ => n,
    };
    char::from_u32(folded).unwrap_or(c)
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

    #[test]
    fn folding_case_agrees_with_unicode_where_it_folds() {
        // Every character up to the end of Armenian: where Unicode lowers it to one character,
        // folding gives that character, but for the two folded on purpose.
        let mut wrong = Vec::new();
        for n in (0..0x180u32).chain(0x370..0x590) {
            let Some(c) = char::from_u32(n) else { continue };
            let mut lower = c.to_lowercase();
            let (Some(expected), None) = (lower.next(), lower.next()) else {
                assert_eq!(fold_char(c), 'i', "{c:?}");
                continue;
            };
            match c {
                'ς' => assert_eq!(fold_char(c), 'σ'),
                _ if fold_char(c) != expected => wrong.push(format!("U+{n:04X}")),
                _ => {}
            }
        }
        assert!(wrong.is_empty(), "folded wrong: {}", wrong.join(" "));
        assert_eq!(fold_case("ВИАГРА Ÿ ΣΟΦΌΣ Straße"), "виагра ÿ σοφόσ straße");
        // Scripts without case, and symbols, stay as they are.
        assert_eq!(fold_case("日本 — №5"), "日本 — №5");
    }

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
