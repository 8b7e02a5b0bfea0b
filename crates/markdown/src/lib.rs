//! The author's Markdown, rendered with pulldown-cmark: HTML with heading ids, and the plain-text
//! lead that excerpts are cut from. Only the author Worker links this crate (the reader shows
//! what it stored), so pulldown-cmark never reaches a reader's cold start.
//!
//! The author is trusted: raw HTML in a post passes through (as it does in WordPress, which matters
//! for imported posts). Comments are *not* Markdown and never come through here.

mod plain;

pub use plain::plain_text;

use std::collections::{HashMap, HashSet};

use pulldown_cmark::{html, Options, Parser};

use blog_core::model::ImageSize;
use blog_core::text::{self, Letters};
use blog_core::variants;

/// The version of what [`render`] produces, stored beside each rendered post and addendum (see
/// [`blog_core::model::renderer`]): bump it there whenever the output changes.
pub const RENDERER_VERSION: i64 = blog_core::model::renderer::MARKDOWN;

/// How much plain text a post's lead keeps: more than any excerpt cut from it.
const LEAD_CHARS: usize = 400;

/// What the Worker stores when the author saves Markdown.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub html: String,
    /// The plain text of the first paragraphs (see [`lead`]).
    pub lead: String,
    /// The address of the first image, the post's lead image unless the author names another.
    pub image: Option<String>,
}

/// The Markdown extensions the blog enables (the benchmark times pulldown-cmark alone with them).
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_SMART_PUNCTUATION
}

/// Renders the author's Markdown for storage: HTML, and the lead that excerpts are cut from.
/// Images stored in the media library get their `width` and `height` from `sizes` (so that
/// nothing moves while they load), and every image but the first loads lazily.
pub fn render(markdown: &str, sizes: &[ImageSize]) -> Rendered {
    let (html, image) = with_image_attributes(to_html(markdown), sizes);
    let lead = lead_of_html(&html);
    Rendered { html, lead, image }
}

/// Adds `width`/`height` (from the media library's sizes, where the author gave none) and, below
/// the first image, `loading="lazy" decoding="async"` to every `<img>`; returns the HTML and the
/// first image's address.
fn with_image_attributes(html: String, sizes: &[ImageSize]) -> (String, Option<String>) {
    let starts: Vec<usize> = memchr::memmem::find_iter(html.as_bytes(), b"<img ").collect();
    if starts.is_empty() {
        return (html, None);
    }
    let mut out = String::with_capacity(html.len() + starts.len() * 64);
    let mut first_src = None;
    let mut copied = 0;
    for (index, &start) in starts.iter().enumerate() {
        let Some(length) = html[start..].find('>') else {
            break;
        };
        let tag = &html[start..start + length + 1];
        // Attributes go before ` />`, `/>` or `>`.
        let before_end = if tag.ends_with(" />") {
            2
        } else {
            usize::from(tag.ends_with("/>"))
        };
        let insert_at = start + length - before_end;
        let src = attribute(tag, "src");
        let mut extra = String::new();
        let library = src.as_deref().and_then(variants::library_file);
        let size = library.and_then(|(hash, _)| sizes.iter().find(|s| s.hash == hash));
        let given_width = attribute(tag, "width");
        if let Some(size) = size {
            if given_width.is_none() && attribute(tag, "height").is_none() {
                extra.push_str(&format!(
                    " width=\"{}\" height=\"{}\"",
                    size.width, size.height
                ));
            }
        }
        // The widths a page can choose from, where the author wrote none of their own.
        if let (Some((hash, name)), Some(size)) = (library, size) {
            let srcset = size
                .resizable
                .then(|| variants::srcset(hash, name, size.width))
                .flatten();
            if let (Some(srcset), None) = (srcset, attribute(tag, "srcset")) {
                let sizes = match given_width.as_deref().map(str::parse::<u32>) {
                    Some(Ok(width)) => format!("{width}px"),
                    _ => variants::SIZES.to_string(),
                };
                extra.push_str(&format!(" srcset=\"{srcset}\" sizes=\"{sizes}\""));
            }
        }
        if index == 0 {
            first_src = src;
        } else {
            if attribute(tag, "loading").is_none() {
                extra.push_str(" loading=\"lazy\"");
            }
            if attribute(tag, "decoding").is_none() {
                extra.push_str(" decoding=\"async\"");
            }
        }
        out.push_str(&html[copied..insert_at]);
        out.push_str(&extra);
        copied = insert_at;
    }
    out.push_str(&html[copied..]);
    (out, first_src)
}

/// Renders Markdown to HTML. Headings without an explicit `{#id}` get one derived from their
/// text, so that every section of a post can be linked to.
pub fn to_html(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, Parser::new_ext(markdown, options()));
    with_heading_ids(out)
}

/// A heading start tag in rendered HTML: `<h1>` to `<h6>`, with or without attributes.
struct HeadingTag {
    /// Where `<hN` ends: an id attribute goes here.
    name_end: usize,
    /// Just past the tag's `>`.
    tag_end: usize,
    level: u8,
    explicit_id: Option<String>,
}

/// Every heading start tag in `html`, in order. pulldown-cmark writes text `<` as `&lt;`, so a
/// `<h` in its output is always a tag (the author's own raw HTML headings count too).
fn heading_tags(html: &str) -> Vec<HeadingTag> {
    let bytes = html.as_bytes();
    let mut tags = Vec::new();
    for start in memchr::memmem::find_iter(bytes, b"<h") {
        let (Some(&level), Some(&after)) = (bytes.get(start + 2), bytes.get(start + 3)) else {
            break;
        };
        if !(b'1'..=b'6').contains(&level) || !matches!(after, b'>' | b' ') {
            continue;
        }
        let Some(close) = memchr::memchr(b'>', &bytes[start..]) else {
            break;
        };
        tags.push(HeadingTag {
            name_end: start + 3,
            tag_end: start + close + 1,
            level: level - b'0',
            explicit_id: attribute(&html[start..start + close], "id"),
        });
    }
    tags
}

/// The value of attribute `name` in a start tag written as `name="value"` (pulldown-cmark's
/// form) or with single quotes.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let mut rest = tag;
    while let Some(at) = rest.find(name) {
        let before = rest[..at].chars().next_back();
        let after = &rest[at + name.len()..];
        rest = after;
        if before.is_some_and(char::is_whitespace) {
            if let Some(quoted) = after.strip_prefix('=') {
                let quote = quoted.chars().next()?;
                if quote == '"' || quote == '\'' {
                    let value = &quoted[1..];
                    return value
                        .find(quote)
                        .map(|end| blog_core::text::decode_entities(&value[..end]));
                }
            }
        }
    }
    None
}

/// Gives each heading that has no id one made from its text ("Why it matters" →
/// "why-it-matters"), unique within the document ("why-it-matters-2") and unlike every explicit
/// `{#id}`. Done on the HTML rather than on the parser's events: an extra layer of event iterator
/// cost a quarter of the parse, one pass over the output costs next to nothing.
fn with_heading_ids(html: String) -> String {
    let tags = heading_tags(&html);
    if tags.iter().all(|t| t.explicit_id.is_some()) {
        return html;
    }
    let mut used: HashSet<String> = tags.iter().filter_map(|t| t.explicit_id.clone()).collect();
    let mut next_suffix: HashMap<String, u32> = HashMap::new();
    let mut out = String::with_capacity(html.len() + tags.len() * 32);
    let mut copied = 0;
    for tag in tags.iter().filter(|t| t.explicit_id.is_none()) {
        let close = [b'<', b'/', b'h', b'0' + tag.level, b'>'];
        let inner_end = memchr::memmem::find(&html.as_bytes()[tag.tag_end..], &close)
            .map_or(html.len(), |at| tag.tag_end + at);
        let text = blog_core::text::decode_entities(&strip_tags(
            &html[tag.tag_end..inner_end],
            usize::MAX,
        ));
        let id = unique(
            text::slug(&text, Letters::AnyScript),
            &mut used,
            &mut next_suffix,
        );
        out.push_str(&html[copied..tag.name_end]);
        // A slug is letters, digits and hyphens: nothing to escape in an attribute.
        out.push_str(" id=\"");
        out.push_str(&id);
        out.push('"');
        copied = tag.name_end;
    }
    out.push_str(&html[copied..]);
    out
}

fn unique(base: String, used: &mut HashSet<String>, next: &mut HashMap<String, u32>) -> String {
    let base = if base.is_empty() {
        "section".to_string()
    } else {
        base
    };
    let mut candidate = base.clone();
    // The next suffix to try for each base, so that many equal headings stay linear.
    let n = next.entry(base.clone()).or_insert(1);
    while used.contains(&candidate) {
        *n += 1;
        candidate = format!("{base}-{n}");
    }
    used.insert(candidate.clone());
    candidate
}

/// The text of an HTML fragment without its tags (and without the contents of `<script>` and
/// `<style>`, which the author's raw HTML may hold), up to about `enough_chars` characters. A table
/// cell or line break reads as a space.
fn strip_tags(html: &str, enough_chars: usize) -> String {
    let mut text = String::with_capacity(html.len().min(enough_chars.saturating_mul(4)));
    let mut chars = 0;
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        if chars >= enough_chars {
            return text;
        }
        text.push_str(&rest[..open]);
        chars += rest[..open].chars().count();
        let tag = &rest[open + 1..];
        let Some(close) = tag.find('>') else {
            rest = "";
            break;
        };
        let name_len = tag
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(tag.len());
        let name = &tag[..name_len]; // empty for closing tags, comments and declarations
        rest = &tag[close + 1..];
        if name.eq_ignore_ascii_case("script") || name.eq_ignore_ascii_case("style") {
            let skip = (0..rest.len())
                .find(|&at| {
                    rest.as_bytes()[at] == b'<'
                        && rest
                            .get(at + 2..at + 2 + name.len())
                            .is_some_and(|n| n.eq_ignore_ascii_case(name))
                        && rest.as_bytes().get(at + 1) == Some(&b'/')
                })
                .unwrap_or(rest.len());
            rest = &rest[skip..];
        } else if ["td", "th", "br"]
            .iter()
            .any(|n| name.eq_ignore_ascii_case(n))
        {
            text.push(' ');
        }
    }
    text.push_str(rest);
    text
}

/// Plain text of the first paragraphs, whitespace collapsed, about [`LEAD_CHARS`] long: what
/// [`blog_core::text::excerpt`] cuts the home page's excerpts and the pages' descriptions from.
pub fn lead(markdown: &str) -> String {
    lead_of_html(&to_html(markdown))
}

/// The lead of rendered HTML: its text, from the start, up to a WordPress-style `<!--more-->`
/// (the author's excerpt break, also `<!--more Read on-->`) if there is one. pulldown-cmark ends
/// every block with a line break, so paragraphs and headings stay apart as words.
fn lead_of_html(html: &str) -> String {
    let html = match more_break(html) {
        Some(at) => &html[..at],
        None => html,
    };
    // Enough HTML for the lead even if markup took most of it; a cut tag is dropped.
    let mut end = html.len().min(LEAD_CHARS * 16);
    while !html.is_char_boundary(end) {
        end -= 1;
    }
    // Twice the lead in text is plenty, even after entities and runs of white space shrink.
    let text = blog_core::text::decode_entities(&strip_tags(&html[..end], LEAD_CHARS * 2));
    let mut lead = String::with_capacity(LEAD_CHARS + 64);
    let mut chars = 0;
    for word in text.split_whitespace() {
        if chars > LEAD_CHARS {
            break;
        }
        if !lead.is_empty() {
            lead.push(' ');
            chars += 1;
        }
        lead.push_str(word);
        chars += word.chars().count();
    }
    lead
}

/// Where the author's excerpt break is. Raw HTML passes through as it is, so the comment is
/// there as written; in code it would be escaped (`&lt;!--more`), never matched.
fn more_break(html: &str) -> Option<usize> {
    memchr::memmem::find_iter(html.as_bytes(), b"<!--more").find(|&at| {
        matches!(
            html.as_bytes().get(at + 8),
            Some(b'-' | b' ' | b'\t' | b'\n')
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use blog_core::text::excerpt;

    #[test]
    fn renders_lists_and_links() {
        let html = to_html("Intro\n\n* one\n* [two](https://example.com/)\n");
        assert!(html.contains("<ul>\n<li>one</li>"), "{html}");
        assert!(
            html.contains(r#"<a href="https://example.com/">two</a>"#),
            "{html}"
        );
    }

    #[test]
    fn renders_the_extensions() {
        let html = to_html("| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~\n\n- [x] done\n\nNote[^1]\n\n[^1]: The note.\n");
        assert!(html.contains("<table>"), "{html}");
        assert!(html.contains("<del>old</del>"), "{html}");
        assert!(
            html.contains(r#"<input disabled="" type="checkbox" checked=""/>"#),
            "{html}"
        );
        assert!(html.contains("footnote-definition"), "{html}");
    }

    #[test]
    fn headings_get_unique_ids() {
        let html = to_html("## Why it matters\n\ntext\n\n## Why it matters\n\n### Own {#mine}\n");
        assert!(html.contains(r#"<h2 id="why-it-matters">"#), "{html}");
        assert!(html.contains(r#"<h2 id="why-it-matters-2">"#), "{html}");
        assert!(html.contains(r#"<h3 id="mine">"#), "{html}");
    }

    #[test]
    fn heading_ids_come_from_the_text_as_the_reader_sees_it() {
        let html = to_html("## Q&A: `code` and <em>more</em>\n\n# “Smart” quotes\n");
        assert!(html.contains(r#"<h2 id="qa-code-and-more">"#), "{html}");
        assert!(html.contains(r#"<h1 id="smart-quotes">"#), "{html}");
        // The author's own HTML headings get ids too, unless they have one.
        let raw =
            to_html("<h2>Raw</h2>\n\n<h3 class=\"x\" id='kept'>Kept</h3>\n\n<header>no</header>\n");
        assert!(raw.contains(r#"<h2 id="raw">Raw</h2>"#), "{raw}");
        assert!(raw.contains(r#"<h3 class="x" id='kept'>"#), "{raw}");
        assert!(raw.contains("<header>no</header>"), "{raw}");
        // Code that shows a heading tag is text, not a heading.
        let code = to_html("`<h2>x</h2>`\n");
        assert!(!code.contains("id="), "{code}");
    }

    #[test]
    fn leads_are_plain_text() {
        let lead = lead("A [link](https://e.com/) &amp; *more*.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<script>var x = 1;</script>\n\nEnd &#x263A;");
        assert_eq!(lead, "A link & more. a b 1 2 End \u{263A}");
    }

    #[test]
    fn the_more_break_ends_the_lead() {
        let text = "A short opening.\n\n<!--more-->\n\nThe rest, which the listing leaves out.";
        assert_eq!(lead(text), "A short opening.");
        assert_eq!(lead("One <!--more Read on--> two"), "One");
        assert_eq!(
            lead("`<!--more-->` in code\n\nnext"),
            "<!--more--> in code next"
        );
        assert_eq!(lead("<!--morelike-->x"), "x");
    }

    #[test]
    fn trusted_html_passes_through() {
        assert!(to_html("<figure>x</figure>").contains("<figure>x</figure>"));
    }

    #[test]
    fn animations_and_the_authors_own_srcset_are_left_alone() {
        let gif = "cd".repeat(32);
        let png = "ef".repeat(32);
        let sizes = [
            ImageSize {
                hash: gif.clone(),
                width: 800,
                height: 600,
                resizable: false,
            },
            ImageSize {
                hash: png.clone(),
                width: 2000,
                height: 1000,
                resizable: true,
            },
        ];
        let html = render(
            &format!("![Moving](/media/{gif}/a.gif)\n\n<img src=\"/media/{png}/b.png\" srcset=\"/x.png 2x\">\n"),
            &sizes,
        )
        .html;
        assert!(
            html.contains(&format!(
                "<img src=\"/media/{gif}/a.gif\" alt=\"Moving\" width=\"800\" height=\"600\" />"
            )),
            "{html}"
        );
        assert!(
            html.contains("srcset=\"/x.png 2x\" width=\"2000\" height=\"1000\" loading"),
            "{html}"
        );
        assert_eq!(html.matches("srcset").count(), 1, "{html}");
    }

    #[test]
    fn images_get_their_sizes_and_load_lazily_below_the_first() {
        let hash = "ab".repeat(32);
        let sizes = [ImageSize {
            hash: hash.clone(),
            width: 640,
            height: 360,
            resizable: true,
        }];
        let markdown = format!(
            "![A chart](/media/{hash}/chart.png)\n\n![Elsewhere](https://example.com/x.jpg)\n\n<img src=\"/media/{hash}/chart.png\" width=\"10\" alt=\"set\">\n"
        );
        let rendered = render(&markdown, &sizes);
        let html = &rendered.html;
        let srcset = format!("/media/{hash}/w320/chart.png 320w, /media/{hash}/w480/chart.png 480w, /media/{hash}/chart.png 640w");
        assert!(
            html.contains(&format!("<img src=\"/media/{hash}/chart.png\" alt=\"A chart\" width=\"640\" height=\"360\" srcset=\"{srcset}\" sizes=\"{}\" />", variants::SIZES)),
            "{html}"
        );
        assert!(
            html.contains(&format!(
                "width=\"10\" alt=\"set\" srcset=\"{srcset}\" sizes=\"10px\""
            )),
            "an image the author sized is chosen for that size: {html}"
        );
        assert!(
            html.contains("<img src=\"https://example.com/x.jpg\" alt=\"Elsewhere\" loading=\"lazy\" decoding=\"async\" />"),
            "{html}"
        );
        assert!(
            html.contains("sizes=\"10px\" loading=\"lazy\" decoding=\"async\">"),
            "the author's own width stays: {html}"
        );
        assert_eq!(
            rendered.image.as_deref(),
            Some(format!("/media/{hash}/chart.png").as_str())
        );
        assert_eq!(render("No pictures.", &[]).image, None);
    }

    #[test]
    fn excerpts_cut_at_words() {
        assert_eq!(excerpt(&lead("Short *text*."), 50), "Short text.");
        let long = "word ".repeat(40);
        let cut = excerpt(&lead(&long), 22);
        assert_eq!(cut, "word word word word…");
        assert_eq!(excerpt(&lead("* a\n* b\n"), 50), "a b");
    }

    #[test]
    fn leads_are_bounded_and_keep_enough_for_an_excerpt() {
        let long = "word ".repeat(1000);
        let lead = lead(&long);
        assert!(lead.chars().count() > LEAD_CHARS && lead.chars().count() < LEAD_CHARS + 10);
        assert!(excerpt(&lead, 280).ends_with('…'));
        assert_eq!(render("# Title\n\nText.", &[]).lead, "Title Text.");
    }

    #[test]
    fn many_equal_headings_get_numbered_ids_without_clashing_with_explicit_ones() {
        let mut markdown = String::from("## Notes {#notes-2}\n\n");
        for _ in 0..3 {
            markdown.push_str("## Notes\n\n");
        }
        let html = to_html(&markdown);
        let ids: Vec<&str> = html
            .match_indices("id=\"")
            .map(|(at, _)| &html[at + 4..at + 4 + html[at + 4..].find('"').unwrap()])
            .collect();
        assert_eq!(ids, ["notes-2", "notes", "notes-3", "notes-4"], "{html}");
    }
}
