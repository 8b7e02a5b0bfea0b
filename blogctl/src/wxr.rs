//! Reads a WordPress export (WXR, an RSS file with `wp:` elements) into posts and comments.
//!
//! Only what an import needs is kept: each item's type, status, slug, dates, content, tags and
//! categories, and its comments with their threading. Errors carry the line of the file.

use quick_xml::events::Event;
use quick_xml::Reader;

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Item {
    /// `wp:post_id`.
    pub id: String,
    pub title: String,
    /// `wp:post_name`; may be empty (drafts) or percent-encoded.
    pub slug: String,
    pub content: String,
    /// `wp:post_type`: post, page, attachment, …
    pub post_type: String,
    /// `wp:status`: publish, draft, pending, private, future, trash.
    pub status: String,
    /// `wp:post_password`: non-empty for a password-protected post.
    pub password: String,
    /// `wp:post_date_gmt` as RFC 3339, if set.
    pub date: Option<String>,
    pub tags: Vec<String>,
    /// Its categories and tags as WordPress addressed them (`/category/{nicename}/`).
    pub terms: Vec<Term>,
    /// `<link>`: its address on the old site.
    pub link: String,
    /// `dc:creator`: the author's login (`/author/{login}/`).
    pub creator: String,
    /// `wp:attachment_url`: an attachment's file.
    pub attachment_url: String,
    /// `wp:post_parent`: the post an attachment belongs to, or a page's parent page ("0":
    /// none).
    pub parent: String,
    /// `wp:menu_order`: a page's place among its siblings.
    pub menu_order: i64,
    /// `wp:comment_status` is `open`.
    pub comments_open: bool,
    /// An image attachment's alt text (`_wp_attachment_image_alt`).
    pub alt: String,
    /// An edge-blog export's Markdown (`_edge_blog_markdown`: see [`crate::wxr_writer`]):
    /// imported as it is, instead of the HTML.
    pub markdown: Option<String>,
    /// An edge-blog export's addenda: (RFC 3339 time, Markdown).
    pub addenda: Vec<(String, String)>,
    /// An edge-blog export's page: whether it is in the site menu.
    pub in_menu: Option<bool>,
    /// An edge-blog export's entry: when it last changed (RFC 3339).
    pub updated: Option<String>,
    pub comments: Vec<Comment>,
    /// The line of the `<item>` in the file, for messages.
    pub line: usize,
}

/// How deep each page is among the pages (a top-level page is 0), by WordPress id, so that
/// parents can be imported before their children. A parent chain that loops or is longer than
/// the items stops counting.
pub fn page_depths<'a>(items: &[&'a Item]) -> std::collections::BTreeMap<&'a str, usize> {
    let parents: std::collections::BTreeMap<&str, &str> = items
        .iter()
        .filter(|i| i.post_type == "page")
        .map(|i| (i.id.as_str(), i.parent.as_str()))
        .collect();
    parents
        .keys()
        .map(|&id| {
            let mut depth = 0;
            let mut at = id;
            while let Some(&parent) = parents.get(at) {
                if !parents.contains_key(parent) || depth > parents.len() {
                    break;
                }
                depth += 1;
                at = parent;
            }
            (id, depth)
        })
        .collect()
}

/// A category or tag of an item.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Term {
    /// `category` or `post_tag`.
    pub taxonomy: String,
    pub nicename: String,
    pub name: String,
    /// A category's nicename under its parents' (`parent/child`), as WordPress addresses nested
    /// categories (`/category/parent/child/`); the nicename alone for a top-level one or a tag.
    pub nested: String,
}

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Comment {
    pub id: String,
    /// `wp:comment_parent`; "0" or empty for a top-level comment.
    pub parent: String,
    pub author: String,
    pub email: String,
    pub url: String,
    pub date: Option<String>,
    pub content: String,
    /// `wp:comment_approved`: 1, 0, spam, trash.
    pub approved: String,
    /// `wp:comment_user_id`: non-zero for a registered user (the blog's author, on most blogs).
    pub user_id: String,
    /// `wp:comment_type`: empty or `comment` for a person's comment, `pingback`, `trackback`.
    pub comment_type: String,
}

impl Comment {
    /// What the blog stores it as: `comment`, or `pingback`/`trackback` (shown as mentions).
    pub fn kind(&self) -> &'static str {
        match self.comment_type.as_str() {
            "pingback" => "pingback",
            "trackback" => "trackback",
            "webmention" => "webmention",
            _ => "comment",
        }
    }

    pub fn parent_id(&self) -> Option<&str> {
        let p = self.parent.trim();
        (!p.is_empty() && p != "0").then_some(p)
    }
}

pub use crate::LineError as Error;

/// The line of a byte offset in `text`.
pub(crate) fn line_at(text: &str, offset: u64) -> usize {
    let end = (offset as usize).min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// `2011-03-17 21:05:00` (WordPress's GMT dates) → RFC 3339; the unset `0000-00-00 00:00:00` → None.
pub fn gmt_date(text: &str) -> Option<String> {
    let t = text.trim();
    if t.is_empty() || t.starts_with("0000") {
        return None;
    }
    let candidate = format!("{}Z", t.replacen(' ', "T", 1));
    blog_core::dates::parse_rfc3339(&candidate).map(|_| candidate)
}

/// The character an XML entity or character reference stands for (the five XML entities and
/// `&#…;`); `None` for any other (they are not XML, and are dropped).
pub(crate) fn entity(reference: &quick_xml::events::BytesRef<'_>) -> Option<char> {
    match reference.resolve_char_ref() {
        Ok(Some(c)) => Some(c),
        _ => match reference.as_ref() {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => None,
        },
    }
}

/// Parses a whole export.
pub fn parse(xml: &str) -> Result<Vec<Item>, Error> {
    let mut reader = Reader::from_str(xml);
    let mut path: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut items = Vec::new();
    let mut item: Option<Item> = None;
    let mut comment: Option<Comment> = None;
    let mut category_domain = String::new();
    let mut category_nicename = String::new();
    let mut meta_key = String::new();
    let mut saw_rss = false;
    // The channel's categories: nicename → its parent's nicename.
    let mut category_parents: std::collections::BTreeMap<String, String> = Default::default();
    let mut defined_category = (String::new(), String::new());
    loop {
        let position = reader.buffer_position();
        let event = reader.read_event().map_err(|e| Error {
            line: line_at(xml, reader.error_position()),
            message: format!("not well-formed XML: {e}"),
        })?;
        match event {
            Event::Start(e) => {
                let name = e.name().as_ref().to_string();
                match name.as_str() {
                    "rss" => saw_rss = true,
                    "item" => {
                        item = Some(Item {
                            line: line_at(xml, position),
                            ..Item::default()
                        })
                    }
                    "wp:comment" if item.is_some() => comment = Some(Comment::default()),
                    "category" => {
                        let attribute = |name: &str| {
                            e.try_get_attribute(name)
                                .ok()
                                .flatten()
                                .map(|a| a.value.to_string())
                                .unwrap_or_default()
                        };
                        category_domain = attribute("domain");
                        category_nicename = attribute("nicename");
                    }
                    _ => {}
                }
                path.push(name);
                text.clear();
            }
            Event::Text(e) => text.push_str(&e.xml10_content()),
            Event::CData(e) => text.push_str(&e.xml10_content()),
            Event::GeneralRef(e) => text.extend(entity(&e)),
            Event::End(_) => {
                let name = path.pop().unwrap_or_default();
                let value = std::mem::take(&mut text);
                if let Some(c) = comment.as_mut() {
                    match name.as_str() {
                        "wp:comment_id" => c.id = value.trim().to_string(),
                        "wp:comment_parent" => c.parent = value.trim().to_string(),
                        "wp:comment_author" => c.author = plain_text(&value),
                        "wp:comment_author_email" => c.email = value.trim().to_string(),
                        "wp:comment_author_url" => c.url = value.trim().to_string(),
                        "wp:comment_date_gmt" => c.date = gmt_date(&value),
                        "wp:comment_content" => c.content = value,
                        "wp:comment_approved" => c.approved = value.trim().to_string(),
                        "wp:comment_user_id" => c.user_id = value.trim().to_string(),
                        "wp:comment_type" => c.comment_type = value.trim().to_string(),
                        "wp:comment" => {
                            if let (Some(c), Some(i)) = (comment.take(), item.as_mut()) {
                                i.comments.push(c);
                            }
                        }
                        _ => {}
                    }
                } else if item.is_none() {
                    match name.as_str() {
                        "wp:category_nicename" => defined_category.0 = value.trim().to_string(),
                        "wp:category_parent" => defined_category.1 = value.trim().to_string(),
                        "wp:category" => {
                            let (nicename, parent) = std::mem::take(&mut defined_category);
                            if !nicename.is_empty() && !parent.is_empty() {
                                category_parents.insert(nicename, parent);
                            }
                        }
                        _ => {}
                    }
                } else if let Some(i) = item.as_mut() {
                    match name.as_str() {
                        "title" => i.title = plain_text(&value),
                        "wp:post_id" => i.id = value.trim().to_string(),
                        "link" => i.link = value.trim().to_string(),
                        "dc:creator" => i.creator = value.trim().to_string(),
                        "wp:attachment_url" => i.attachment_url = value.trim().to_string(),
                        "wp:post_parent" => i.parent = value.trim().to_string(),
                        "wp:menu_order" => i.menu_order = value.trim().parse().unwrap_or(0),
                        "wp:comment_status" => i.comments_open = value.trim() == "open",
                        "wp:meta_key" => meta_key = value.trim().to_string(),
                        "wp:meta_value" => match meta_key.as_str() {
                            "_wp_attachment_image_alt" => i.alt = plain_text(&value),
                            crate::wxr_writer::META_MARKDOWN => i.markdown = Some(value),
                            crate::wxr_writer::META_ADDENDA => {
                                let list: Vec<serde_json::Value> =
                                    serde_json::from_str(&value).unwrap_or_default();
                                i.addenda = list
                                    .iter()
                                    .filter_map(|a| {
                                        Some((
                                            a["at"].as_str()?.to_string(),
                                            a["body"].as_str()?.to_string(),
                                        ))
                                    })
                                    .collect();
                            }
                            crate::wxr_writer::META_IN_MENU => {
                                i.in_menu = Some(value.trim() == "1")
                            }
                            crate::wxr_writer::META_UPDATED => {
                                i.updated = Some(value.trim().to_string())
                            }
                            _ => {}
                        },
                        "wp:post_name" => i.slug = value.trim().to_string(),
                        "content:encoded" => i.content = value,
                        "wp:post_type" => i.post_type = value.trim().to_string(),
                        "wp:status" => i.status = value.trim().to_string(),
                        "wp:post_password" => i.password = value.trim().to_string(),
                        "wp:post_date_gmt" => i.date = gmt_date(&value),
                        "category"
                            if matches!(category_domain.as_str(), "post_tag" | "category") =>
                        {
                            let tag = plain_text(&value);
                            if !category_nicename.is_empty() && !tag.is_empty() {
                                i.terms.push(Term {
                                    taxonomy: category_domain.clone(),
                                    nicename: category_nicename.clone(),
                                    name: tag.clone(),
                                    nested: category_nicename.clone(),
                                });
                            }
                            if !tag.is_empty() && tag != "Uncategorized" && !i.tags.contains(&tag) {
                                i.tags.push(tag);
                            }
                        }
                        "item" => items.extend(item.take()),
                        _ => {}
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !saw_rss {
        return Err(Error {
            line: 1,
            message: "this is not a WordPress export: there is no <rss> element".into(),
        });
    }
    for term in items.iter_mut().flat_map(|i| i.terms.iter_mut()) {
        if term.taxonomy == "category" {
            term.nested = nested_category(&term.nicename, &category_parents);
        }
    }
    Ok(items)
}

/// `child` → `parent/child`, following the channel's category parents (a loop, or a chain
/// longer than the categories, stops).
fn nested_category(nicename: &str, parents: &std::collections::BTreeMap<String, String>) -> String {
    let mut chain = vec![nicename];
    while let Some(parent) = parents.get(*chain.last().unwrap_or(&"")) {
        if chain.contains(&parent.as_str()) || chain.len() > parents.len() {
            break;
        }
        chain.push(parent);
    }
    chain.reverse();
    chain.join("/")
}

/// A field WordPress keeps as HTML text (titles, commenters' names, tags): its entities decoded
/// once ("Ping 1 &laquo; What&#8217;s" → "Ping 1 « What’s"), trimmed. The blog escapes it again
/// wherever it is shown.
pub fn plain_text(value: &str) -> String {
    html_escape::decode_html_entities(value.trim()).into_owned()
}

/// WordPress stores comments as filtered HTML (links, emphasis, paragraphs); this blog stores
/// comments as plain text. Links become "text (URL)", paragraphs and breaks become line breaks,
/// emphasis becomes `*…*` and `**…**` (which the blog shows as emphasis again), other tags are
/// dropped and the entities decoded.
pub fn comment_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    let mut link: Option<String> = None;
    let mut link_text_start = 0;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let starts_tag =
            rest[open + 1..].starts_with(|c: char| c.is_ascii_alphabetic() || c == '/' || c == '!');
        if !starts_tag {
            out.push('<');
            rest = &rest[open + 1..];
            continue;
        }
        let Some(close) = rest[open..].find('>') else {
            out.push_str(&rest[open..]);
            rest = "";
            break;
        };
        let tag = &rest[open + 1..open + close];
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        let closing = tag.starts_with('/');
        match (name.as_str(), closing) {
            ("br", _) => out.push('\n'),
            // Emphasis as the blog's comments write it (see `blog_core::comment_text`).
            ("em" | "i", _) => out.push('*'),
            ("strong" | "b", _) => out.push_str("**"),
            ("p", true) => out.push_str("\n\n"),
            ("a", false) => {
                link = attribute(tag, "href");
                link_text_start = out.len();
            }
            ("a", true) => {
                if let Some(href) = link.take() {
                    if out[link_text_start..].trim() != href {
                        out.push_str(&format!(" ({href})"));
                    }
                }
            }
            _ => {}
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    // Every entity, once (named and numeric: WordPress writes `&#8217;` for its apostrophes).
    plain_text(&out)
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let at = tag.find(&format!("{name}="))? + name.len() + 1;
    let value = &tag[at..];
    let quote = value.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let end = value[1..].find(quote)?;
    Some(value[1..1 + end].to_string())
}

/// Orders comments so that every parent comes before its replies (WordPress usually lists them
/// by id already, but nothing guarantees it). Comments whose parent is absent keep their place.
pub fn parents_first(comments: &[Comment]) -> Vec<&Comment> {
    let mut placed: Vec<&Comment> = Vec::with_capacity(comments.len());
    let mut waiting: Vec<&Comment> = comments.iter().collect();
    while !waiting.is_empty() {
        let before = waiting.len();
        waiting.retain(|c| {
            let ready = match c.parent_id() {
                None => true,
                Some(p) => placed.iter().any(|d| d.id == p) || !comments.iter().any(|d| d.id == p),
            };
            if ready {
                placed.push(c);
            }
            !ready
        });
        if waiting.len() == before {
            placed.append(&mut waiting); // a cycle: keep them anyway
        }
    }
    placed
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
  <title>Blog</title>
  <wp:category><wp:category_nicename>life</wp:category_nicename><wp:category_parent/></wp:category>
  <wp:category><wp:category_nicename>health</wp:category_nicename><wp:category_parent>life</wp:category_parent></wp:category>
  <item>
    <title>Caf&#233; &amp; &lt;more&gt;</title>
    <content:encoded><![CDATA[<p>Hello <b>there</b></p>]]></content:encoded>
    <wp:post_name><![CDATA[cafe-more]]></wp:post_name>
    <wp:post_date_gmt><![CDATA[2011-03-17 21:05:00]]></wp:post_date_gmt>
    <wp:status><![CDATA[publish]]></wp:status>
    <wp:post_type><![CDATA[post]]></wp:post_type>
    <category domain="category" nicename="health"><![CDATA[Health]]></category>
    <category domain="post_tag" nicename="nhs"><![CDATA[NHS]]></category>
    <wp:comment>
      <wp:comment_id>7</wp:comment_id>
      <wp:comment_author><![CDATA[Zoë]]></wp:comment_author>
      <wp:comment_date_gmt>2011-03-18 01:17:00</wp:comment_date_gmt>
      <wp:comment_content><![CDATA[First!]]></wp:comment_content>
      <wp:comment_approved>1</wp:comment_approved>
      <wp:comment_parent>0</wp:comment_parent>
    </wp:comment>
  </item>
  <item><title>Draft</title><wp:post_type>post</wp:post_type><wp:status>draft</wp:status>
    <wp:post_date_gmt>0000-00-00 00:00:00</wp:post_date_gmt></item>
</channel>
</rss>"#;

    #[test]
    fn reads_items_and_comments() {
        let items = parse(SAMPLE).unwrap();
        assert_eq!(items.len(), 2);
        let post = &items[0];
        assert_eq!(post.title, "Café & <more>");
        assert_eq!(post.slug, "cafe-more");
        assert_eq!(post.content, "<p>Hello <b>there</b></p>");
        assert_eq!(post.date.as_deref(), Some("2011-03-17T21:05:00Z"));
        assert_eq!(post.tags, vec!["Health", "NHS"]);
        assert_eq!(post.line, 7);
        assert_eq!(
            post.terms[0].nested, "life/health",
            "a category under its parent"
        );
        assert_eq!(post.terms[1].nested, "nhs");
        assert_eq!(post.comments.len(), 1);
        assert_eq!(post.comments[0].author, "Zoë");
        assert_eq!(post.comments[0].parent_id(), None);
        assert_eq!(items[1].date, None);
        assert_eq!(items[1].status, "draft");
        assert_eq!(
            plain_text(" Ping 1 &laquo; What&#8217;s a tellyworth? "),
            "Ping 1 « What’s a tellyworth?"
        );
        assert_eq!(
            plain_text("AT&amp;T &lt;b&gt;"),
            "AT&T <b>",
            "decoded once, not twice"
        );
    }

    #[test]
    fn broken_xml_names_the_line() {
        let err = parse("<rss>\n<channel>\n<item></channel>").unwrap_err();
        assert_eq!(err.line, 3, "{err}");
        assert!(parse("<html></html>")
            .unwrap_err()
            .message
            .contains("not a WordPress export"));
    }

    #[test]
    fn comment_html_becomes_text() {
        assert_eq!(
            comment_text(
                r#"<p>See <a href="https://x.org/a?b=1&amp;c=2" rel="nofollow">this</a> &amp; <em>that</em></p><p>Bye<br />now</p>"#
            ),
            "See this (https://x.org/a?b=1&c=2) & *that*\n\nBye\nnow"
        );
        assert_eq!(
            comment_text("<strong>Loud</strong> and <i>soft</i>"),
            "**Loud** and *soft*"
        );
        assert_eq!(
            blog_core::comment_text::to_html(&comment_text("<b>Loud</b> and <em>soft</em>")),
            "<p><strong>Loud</strong> and <em>soft</em></p>\n",
            "shown as emphasis again"
        );
        assert_eq!(
            comment_text("<a href='https://x.org/'>https://x.org/</a>"),
            "https://x.org/"
        );
        assert_eq!(comment_text("1 < 2 and 3 > 2"), "1 < 2 and 3 > 2");
        assert_eq!(comment_text("plain"), "plain");
        assert_eq!(
            comment_text("What&#8217;s &amp;amp; &ldquo;it&rdquo;&nbsp;?"),
            "What’s &amp; “it”\u{a0}?",
            "every entity decoded, once"
        );
    }

    #[test]
    fn parents_come_first() {
        let c = |id: &str, parent: &str| Comment {
            id: id.into(),
            parent: parent.into(),
            ..Comment::default()
        };
        let comments = [c("3", "2"), c("2", "1"), c("1", "0"), c("9", "404")];
        let order: Vec<&str> = parents_first(&comments)
            .iter()
            .map(|c| c.id.as_str())
            .collect();
        assert_eq!(order, ["1", "9", "2", "3"]);
    }

    #[test]
    fn parent_pages_come_first() {
        let page = |id: &str, parent: &str| Item {
            id: id.into(),
            parent: parent.into(),
            post_type: "page".into(),
            ..Item::default()
        };
        let items = [
            page("3", "2"),
            page("2", "1"),
            page("1", "0"),
            page("9", "8"),
        ];
        let refs: Vec<&Item> = items.iter().collect();
        let depths = page_depths(&refs);
        assert_eq!(depths["1"], 0);
        assert_eq!(depths["2"], 1);
        assert_eq!(depths["3"], 2);
        assert_eq!(depths["9"], 0, "a parent not in the file counts as the top");
        let looped = [page("5", "6"), page("6", "5")];
        let refs: Vec<&Item> = looped.iter().collect();
        assert!(page_depths(&refs)["5"] <= 3, "a loop stops counting");
    }
}
