//! WordPress content made readable without WordPress: `[caption]` becomes a `<figure>` with its
//! `<figcaption>`, `[gallery]` a grid of the attachments stored in the media library,
//! `[audio]`/`[video]` become `<audio>`/`<video>`, `[embed]` a plain link (no
//! third-party iframe), block-editor comments (`<!-- wp:… -->`) go. Other shortcodes are kept as
//! they are and reported, so the author can see what an import could not convert.

/// Converted content and what happened to its shortcodes.
#[derive(Debug, Default, PartialEq)]
pub struct Converted {
    pub html: String,
    /// Names of the shortcodes converted, once per use.
    pub converted: Vec<String>,
    /// Names of the shortcodes kept as text, once per use.
    pub unknown: Vec<String>,
    /// What a reader will not see as WordPress showed it, and why (a gallery whose images could
    /// not be had).
    pub notes: Vec<String>,
}

/// An image attachment stored in the media library, for `[gallery]`.
#[derive(Debug, Clone, PartialEq)]
pub struct GalleryImage {
    /// Its WordPress id (`wp:post_id`).
    pub id: String,
    /// The id of the post it was attached to (`wp:post_parent`).
    pub parent: String,
    /// Its new address.
    pub src: String,
    pub alt: String,
}

/// What `[gallery]` can show: the post being converted, the stored images, and the image
/// attachments that could not be stored (at their old addresses).
#[derive(Debug, Default, Clone, Copy)]
pub struct Gallery<'a> {
    pub post_id: &'a str,
    pub images: &'a [GalleryImage],
    pub lost: &'a [GalleryImage],
}

impl Gallery<'_> {
    /// The images a gallery shows from `images`: `[gallery ids="3,1"]` those, in that order; a
    /// bare `[gallery]` the ones attached to the post.
    fn choose<'i>(&self, images: &'i [GalleryImage], ids: Option<&str>) -> Vec<&'i GalleryImage> {
        match ids {
            Some(ids) => ids
                .split(',')
                .filter_map(|id| images.iter().find(|i| i.id == id.trim()))
                .collect(),
            None => images
                .iter()
                .filter(|i| !self.post_id.is_empty() && i.parent == self.post_id)
                .collect(),
        }
    }

    /// A gallery's HTML, and a note when it is not what WordPress showed: the stored images; if
    /// none could be stored, the images at their old addresses (said in the report); if it names
    /// none at all, nothing (said too). Readers never see the shortcode itself.
    fn html(&self, ids: Option<String>, columns: Option<String>) -> (String, Option<String>) {
        let mut chosen = self.choose(self.images, ids.as_deref());
        let mut note = None;
        if chosen.is_empty() {
            chosen = self.choose(self.lost, ids.as_deref());
            note = Some(if chosen.is_empty() {
                "a [gallery] with no image to show was left out".to_string()
            } else {
                format!(
                    "a [gallery] links its {} images at their old addresses (they could not be stored)",
                    chosen.len()
                )
            });
        }
        if chosen.is_empty() {
            return (String::new(), note);
        }
        let columns = columns
            .and_then(|c| c.trim().parse::<u8>().ok())
            .filter(|c| (1..=9).contains(c))
            .unwrap_or(3);
        let mut html = format!("<ul class=\"gallery columns-{columns}\">");
        for image in chosen {
            let src = escape(&image.src);
            html.push_str(&format!(
                "<li><a href=\"{src}\"><img src=\"{src}\" alt=\"{}\"></a></li>",
                escape(&image.alt)
            ));
        }
        html.push_str("</ul>");
        (html, note)
    }
}

/// Converts the shortcodes and drops the block comments of WordPress content.
pub fn convert(content: &str, gallery: &Gallery) -> Converted {
    let content = drop_block_comments(content);
    let mut out = Converted::default();
    let mut rest = content.as_str();
    while let Some(open) = rest.find('[') {
        out.html.push_str(&rest[..open]);
        let after = &rest[open..];
        let Some((name, attributes, tag_len)) = opening_tag(after) else {
            out.html.push('[');
            rest = &after[1..];
            continue;
        };
        let closing = format!("[/{name}]");
        let (inner, consumed) = match after[tag_len..].find(&closing) {
            Some(end) => (
                &after[tag_len..tag_len + end],
                tag_len + end + closing.len(),
            ),
            None => ("", tag_len),
        };
        let attr = |key: &str| attribute(attributes, key);
        let html = match name {
            "caption" | "wp_caption" => {
                let (media, text) = split_caption(inner);
                let text = attr("caption").unwrap_or_else(|| text.to_string());
                let align = attr("align").unwrap_or_default();
                Some(format!(
                    "<figure class=\"wp-caption {}\">{media}<figcaption>{}</figcaption></figure>",
                    escape(&align),
                    text.trim()
                ))
            }
            "audio" | "video" => {
                // `[audio src="…"]`, `[audio mp3="…"]`, or the bare `[audio https://…]`.
                let bare = attributes
                    .split_whitespace()
                    .next()
                    .filter(|w| w.starts_with("https://") || w.starts_with("http://"))
                    .map(str::to_string);
                let src = [
                    "src", "mp3", "m4a", "ogg", "wav", "mp4", "webm", "m4v", "ogv",
                ]
                .into_iter()
                .find_map(attr)
                .or(bare);
                src.map(|src| {
                    format!(
                        "<{name} controls preload=\"none\" src=\"{}\"><a href=\"{}\">{}</a></{name}>",
                        escape(&src),
                        escape(&src),
                        escape(&src)
                    )
                })
            }
            "gallery" => {
                let (html, note) = gallery.html(attr("ids"), attr("columns"));
                out.notes.extend(note);
                Some(html)
            }
            "embed" => {
                let url = inner.trim();
                (url.starts_with("http://") || url.starts_with("https://"))
                    .then(|| format!("<a href=\"{}\">{}</a>", escape(url), escape(url)))
            }
            _ => None,
        };
        match html {
            Some(html) => {
                out.html.push_str(&html);
                out.converted.push(name.to_string());
                rest = &after[consumed..];
            }
            None => {
                out.unknown.push(name.to_string());
                out.html.push_str(&after[..tag_len]);
                rest = &after[tag_len..];
            }
        }
    }
    out.html.push_str(rest);
    out
}

/// At a `[`: a shortcode's name, its attribute text and the tag's length, when this is one (a
/// lower-case name, then `]`, a space or `/]`).
fn opening_tag(text: &str) -> Option<(&str, &str, usize)> {
    let body = &text[1..];
    let name_len = body
        .find(|c: char| !(c.is_ascii_lowercase() || c == '_' || c == '-' || c.is_ascii_digit()))
        .unwrap_or(body.len());
    if name_len == 0 || !body[..1].chars().all(|c| c.is_ascii_lowercase()) {
        return None;
    }
    let name = &body[..name_len];
    let after_name = &body[name_len..];
    if !(after_name.starts_with(']') || after_name.starts_with(' ') || after_name.starts_with("/]"))
    {
        return None;
    }
    let close = after_name.find(']')?;
    // A `[` before the `]` means this was no tag (e.g. "[note [1]").
    if after_name[..close].contains('[') || close > 2000 {
        return None;
    }
    let attributes = after_name[..close].trim_end_matches('/');
    Some((name, attributes, 1 + name_len + close + 1))
}

/// `key="value"`, `key='value'` or `key=value` in a shortcode's attribute text.
fn attribute(attributes: &str, key: &str) -> Option<String> {
    let mut rest = attributes;
    while let Some(at) = rest.find(key) {
        let before_ok = at == 0 || rest[..at].ends_with(' ');
        let after = &rest[at + key.len()..];
        rest = after;
        if !before_ok {
            continue;
        }
        let Some(value) = after.trim_start().strip_prefix('=') else {
            continue;
        };
        let value = value.trim_start();
        return Some(match value.chars().next() {
            Some(q @ ('"' | '\'')) => value[1..].split(q).next().unwrap_or("").to_string(),
            _ => value.split(' ').next().unwrap_or("").to_string(),
        });
    }
    None
}

/// A caption's inner part: the image (or linked image) first, then the caption's text.
fn split_caption(inner: &str) -> (&str, &str) {
    let inner = inner.trim();
    let end = if inner.starts_with("<a") {
        inner.find("</a>").map(|i| i + 4)
    } else if inner.starts_with("<img") {
        inner.find('>').map(|i| i + 1)
    } else {
        None
    };
    match end {
        Some(end) => (&inner[..end], &inner[end..]),
        None => ("", inner),
    }
}

/// `<!-- wp:… -->` and `<!-- /wp:… -->` removed; other comments (`<!--more-->`) kept.
fn drop_block_comments(content: &str) -> String {
    let mut out = String::with_capacity(content.len());
    let mut rest = content;
    while let Some(at) = rest.find("<!-- ") {
        out.push_str(&rest[..at]);
        let comment = &rest[at..];
        let is_block = comment[5..].starts_with("wp:") || comment[5..].starts_with("/wp:");
        match comment.find("-->") {
            Some(end) if is_block => {
                rest = &comment[end + 3..];
                // The block's own line break goes with it.
                rest = rest.strip_prefix('\n').unwrap_or(rest);
            }
            _ => {
                out.push_str("<!-- ");
                rest = &comment[5..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn escape(text: &str) -> String {
    blog_core::text::escaped(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(content: &str) -> Converted {
        convert(content, &Gallery::default())
    }

    #[test]
    fn galleries_show_the_stored_images() {
        let image = |id: &str, parent: &str| GalleryImage {
            id: id.into(),
            parent: parent.into(),
            src: format!("/media/{id}/a.png"),
            alt: format!("Image \"{id}\""),
        };
        let images = [image("1", "10"), image("2", "10"), image("3", "99")];
        let gallery = Gallery {
            post_id: "10",
            images: &images,
            lost: &[],
        };
        let c = convert("[gallery columns=\"2\"]", &gallery);
        assert_eq!(
            c.html,
            "<ul class=\"gallery columns-2\"><li><a href=\"/media/1/a.png\"><img src=\"/media/1/a.png\" alt=\"Image &quot;1&quot;\"></a></li><li><a href=\"/media/2/a.png\"><img src=\"/media/2/a.png\" alt=\"Image &quot;2&quot;\"></a></li></ul>"
        );
        assert_eq!(c.converted, ["gallery"]);
        let picked = convert("[gallery ids=\"3, 7,1\"]", &gallery);
        assert!(picked.html.find("/media/3/").unwrap() < picked.html.find("/media/1/").unwrap());
        assert!(!picked.html.contains("/media/2/"));
        let none = convert("Before [gallery ids=\"7\"] after", &gallery);
        assert_eq!(none.html, "Before  after", "never the shortcode itself");
        assert!(none.unknown.is_empty());
        assert_eq!(
            none.notes,
            ["a [gallery] with no image to show was left out"]
        );
        // Images that could not be stored: linked at their old addresses, and said so.
        let lost = [GalleryImage {
            src: "https://old.example/wp-content/uploads/7.jpg".into(),
            ..image("7", "10")
        }];
        let old = convert(
            "[gallery ids=\"7\"]",
            &Gallery {
                lost: &lost,
                ..gallery
            },
        );
        assert!(old
            .html
            .contains("<img src=\"https://old.example/wp-content/uploads/7.jpg\""));
        assert_eq!(
            old.notes,
            ["a [gallery] links its 1 images at their old addresses (they could not be stored)"]
        );
    }

    #[test]
    fn captions_become_figures() {
        let c = plain("A [caption id=\"attachment_754\" align=\"alignnone\" width=\"604\"]<a href=\"x.jpg\"><img src=\"x.jpg\" alt=\"Bell\" /></a> Bell on wharf[/caption] B");
        assert_eq!(
            c.html,
            "A <figure class=\"wp-caption alignnone\"><a href=\"x.jpg\"><img src=\"x.jpg\" alt=\"Bell\" /></a><figcaption>Bell on wharf</figcaption></figure> B"
        );
        assert_eq!(c.converted, ["caption"]);
        let attr = plain("[caption align=\"aligncenter\" caption=\"Husk &amp; log\"]<img src=\"h.jpg\">[/caption]");
        assert!(
            attr.html
                .contains("<img src=\"h.jpg\"><figcaption>Husk &amp; log</figcaption>"),
            "{}",
            attr.html
        );
    }

    #[test]
    fn media_and_embeds() {
        let bare = plain("[audio https://x.org/b.mp3]");
        assert!(
            bare.html
                .starts_with("<audio controls preload=\"none\" src=\"https://x.org/b.mp3\">"),
            "{}",
            bare.html
        );
        let c = plain("[audio mp3=\"https://x.org/a.mp3\"][/audio] [video width=\"640\" src=\"https://x.org/v.mp4\"] [embed]https://www.youtube.com/watch?v=1&t=2[/embed]");
        assert!(
            c.html
                .contains("<audio controls preload=\"none\" src=\"https://x.org/a.mp3\">"),
            "{}",
            c.html
        );
        assert!(
            c.html
                .contains("<video controls preload=\"none\" src=\"https://x.org/v.mp4\">"),
            "{}",
            c.html
        );
        assert!(
            c.html
                .contains("<a href=\"https://www.youtube.com/watch?v=1&amp;t=2\">"),
            "{}",
            c.html
        );
        assert_eq!(c.converted, ["audio", "video", "embed"]);
    }

    #[test]
    fn unknown_shortcodes_stay_and_are_reported_and_text_is_left_alone() {
        let c = plain("[...] and [1] and [Note] and [contact-form]");
        assert_eq!(c.html, "[...] and [1] and [Note] and [contact-form]");
        assert_eq!(c.unknown, ["contact-form"]);
    }

    #[test]
    fn block_comments_go_and_more_stays() {
        let c = plain("<!-- wp:paragraph -->\n<p>One</p>\n<!-- /wp:paragraph -->\n<!--more-->\n<!-- a note -->");
        assert_eq!(c.html, "<p>One</p>\n<!--more-->\n<!-- a note -->");
    }
}
