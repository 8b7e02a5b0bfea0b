//! Writes the blog as a WordPress export (WXR 1.2), the file WordPress's own importer reads:
//! posts and pages as HTML (their Markdown rendered, addenda as dated sections after the text),
//! tags, comments with their parents, kinds and statuses, and the media library as attachments
//! by URL.
//!
//! What WordPress has no place for rides along in `wp:postmeta` under `_edge_blog_*` keys —
//! the Markdown, the addenda (JSON), whether a page is in the menu, when the entry last
//! changed — which WordPress keeps and ignores, and [`crate::wxr::parse`] reads back, so that
//! `blogctl import-wxr` of this file loses nothing.

use std::collections::BTreeMap;
use std::fmt::Write;

use blog_core::api::{Comment, EntryKind, Media, Post};
use blog_core::model::{CommentKind, CommentStatus, PostStatus};
use blog_core::text::tag_slug;

/// The `wp:postmeta` keys this writer adds (and the importer reads).
pub const META_MARKDOWN: &str = "_edge_blog_markdown";
pub const META_ADDENDA: &str = "_edge_blog_addenda";
pub const META_IN_MENU: &str = "_edge_blog_in_menu";
pub const META_UPDATED: &str = "_edge_blog_updated";

/// The blog as the channel describes it.
pub struct Channel<'a> {
    pub title: &'a str,
    pub tagline: &'a str,
    /// The blog's public address, without a trailing slash.
    pub base_url: &'a str,
    pub author: &'a str,
    pub language: &'a str,
}

/// Text as XML character data: a CDATA section (split where the text itself holds `]]>`).
fn cdata(text: &str) -> String {
    format!("<![CDATA[{}]]>", text.replace("]]>", "]]]]><![CDATA[>"))
}

/// An RFC 3339 UTC time → WordPress's `2011-03-17 21:05:00`.
fn wp_date(rfc3339: Option<&str>) -> String {
    match rfc3339.and_then(blog_core::dates::parse_rfc3339) {
        Some(unix) => {
            let text = blog_core::dates::rfc3339_utc(unix);
            text.trim_end_matches('Z').replacen('T', " ", 1)
        }
        None => "0000-00-00 00:00:00".into(),
    }
}

fn meta(out: &mut String, key: &str, value: &str) {
    let _ = write!(
        out,
        "\t\t<wp:postmeta>\n\t\t\t<wp:meta_key>{}</wp:meta_key>\n\t\t\t<wp:meta_value>{}</wp:meta_value>\n\t\t</wp:postmeta>\n",
        cdata(key),
        cdata(value)
    );
}

/// An entry's HTML for WordPress: its text, then each addendum under a dated heading.
fn content(post: &Post) -> String {
    let mut html = blog_markdown::render(post.body.as_deref().unwrap_or_default(), &[]).html;
    for a in post.addenda.iter().flatten() {
        let rendered = blog_markdown::render(&a.body, &[]).html;
        let _ = write!(
            html,
            "\n<h2>Addendum, {}</h2>\n{rendered}",
            html_escape::encode_text(&a.at)
        );
    }
    html
}

/// The whole export. `comments` by entry slug; `media` the library.
pub fn write(
    channel: &Channel<'_>,
    entries: &[Post],
    comments: &BTreeMap<String, Vec<Comment>>,
    media: &[Media],
) -> String {
    let base = channel.base_url.trim_end_matches('/');
    let mut out = String::new();
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n\
<!-- A WordPress eXtended RSS file (WXR 1.2), written by edge-blog's `blogctl export`. -->\n\
<rss version=\"2.0\"\n\
\txmlns:excerpt=\"http://wordpress.org/export/1.2/excerpt/\"\n\
\txmlns:content=\"http://purl.org/rss/1.0/modules/content/\"\n\
\txmlns:wfw=\"http://wellformedweb.org/CommentAPI/\"\n\
\txmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n\
\txmlns:wp=\"http://wordpress.org/export/1.2/\"\n>\n\
<channel>\n\
\t<title>{}</title>\n\t<link>{}</link>\n\t<description>{}</description>\n\
\t<language>{}</language>\n\t<wp:wxr_version>1.2</wp:wxr_version>\n\
\t<wp:base_site_url>{base}</wp:base_site_url>\n\t<wp:base_blog_url>{base}</wp:base_blog_url>\n\
\t<wp:author><wp:author_id>1</wp:author_id><wp:author_login>{}</wp:author_login><wp:author_email></wp:author_email><wp:author_display_name>{}</wp:author_display_name></wp:author>\n\
\t<generator>edge-blog</generator>\n",
        html_escape::encode_text(channel.title),
        html_escape::encode_text(base),
        html_escape::encode_text(channel.tagline),
        html_escape::encode_text(channel.language),
        cdata("author"),
        cdata(channel.author),
    );
    // Every tag once, in the channel, as WordPress lists its terms.
    let mut tags: BTreeMap<String, &str> = BTreeMap::new();
    for post in entries {
        for tag in &post.tags {
            tags.entry(tag_slug(tag)).or_insert(tag);
        }
    }
    for (n, (slug, name)) in tags.iter().enumerate() {
        let _ = writeln!(
            out,
            "\t<wp:tag><wp:term_id>{}</wp:term_id><wp:tag_slug>{}</wp:tag_slug><wp:tag_name>{}</wp:tag_name></wp:tag>",
            n + 1,
            cdata(slug),
            cdata(name)
        );
    }
    let ids: BTreeMap<&str, i64> = entries.iter().map(|p| (p.slug.as_str(), p.id)).collect();
    for post in entries {
        let status = match (post.status, post.scheduled) {
            (PostStatus::Draft, _) => "draft",
            (_, true) => "future",
            _ => "publish",
        };
        let kind = match post.kind {
            EntryKind::Post => "post",
            EntryKind::Page => "page",
        };
        let date = wp_date(post.published_at.as_deref());
        let parent = post
            .parent
            .as_deref()
            .and_then(|p| ids.get(p))
            .copied()
            .unwrap_or(0);
        let _ = write!(
            out,
            "\t<item>\n\t\t<title>{}</title>\n\t\t<link>{base}{}</link>\n\t\t<dc:creator>{}</dc:creator>\n\
\t\t<guid isPermaLink=\"false\">{base}/?p={}</guid>\n\t\t<description></description>\n\
\t\t<content:encoded>{}</content:encoded>\n\t\t<excerpt:encoded><![CDATA[]]></excerpt:encoded>\n\
\t\t<wp:post_id>{}</wp:post_id>\n\t\t<wp:post_date>{date}</wp:post_date>\n\t\t<wp:post_date_gmt>{date}</wp:post_date_gmt>\n\
\t\t<wp:comment_status>{}</wp:comment_status>\n\t\t<wp:ping_status>closed</wp:ping_status>\n\
\t\t<wp:post_name>{}</wp:post_name>\n\t\t<wp:status>{status}</wp:status>\n\
\t\t<wp:post_parent>{parent}</wp:post_parent>\n\t\t<wp:menu_order>{}</wp:menu_order>\n\
\t\t<wp:post_type>{kind}</wp:post_type>\n\t\t<wp:post_password></wp:post_password>\n\t\t<wp:is_sticky>0</wp:is_sticky>\n",
            html_escape::encode_text(&post.title),
            html_escape::encode_text(&post.url),
            cdata("author"),
            post.id,
            cdata(&content(post)),
            post.id,
            if post.comments_open { "open" } else { "closed" },
            cdata(&post.slug),
            post.menu_order,
        );
        for tag in &post.tags {
            let _ = writeln!(
                out,
                "\t\t<category domain=\"post_tag\" nicename=\"{}\">{}</category>",
                html_escape::encode_double_quoted_attribute(&tag_slug(tag)),
                cdata(tag)
            );
        }
        meta(
            &mut out,
            META_MARKDOWN,
            post.body.as_deref().unwrap_or_default(),
        );
        let addenda: Vec<_> = post
            .addenda
            .iter()
            .flatten()
            .map(|a| serde_json::json!({"at": a.at, "body": a.body}))
            .collect();
        if !addenda.is_empty() {
            meta(
                &mut out,
                META_ADDENDA,
                &serde_json::Value::from(addenda).to_string(),
            );
        }
        if post.kind == EntryKind::Page {
            meta(&mut out, META_IN_MENU, if post.in_menu { "1" } else { "0" });
        }
        meta(&mut out, META_UPDATED, &post.updated_at);
        for c in comments.get(&post.slug).into_iter().flatten() {
            let approved = match c.status {
                CommentStatus::Approved => "1",
                CommentStatus::Pending => "0",
                CommentStatus::Spam => "spam",
            };
            let kind = match c.kind {
                CommentKind::Comment => "comment",
                CommentKind::Pingback => "pingback",
                CommentKind::Trackback => "trackback",
                CommentKind::Webmention => "webmention",
            };
            let at = wp_date(Some(&c.created_at));
            let _ = write!(
                out,
                "\t\t<wp:comment>\n\t\t\t<wp:comment_id>{}</wp:comment_id>\n\t\t\t<wp:comment_author>{}</wp:comment_author>\n\
\t\t\t<wp:comment_author_email>{}</wp:comment_author_email>\n\t\t\t<wp:comment_author_url>{}</wp:comment_author_url>\n\
\t\t\t<wp:comment_author_IP></wp:comment_author_IP>\n\t\t\t<wp:comment_date>{at}</wp:comment_date>\n\t\t\t<wp:comment_date_gmt>{at}</wp:comment_date_gmt>\n\
\t\t\t<wp:comment_content>{}</wp:comment_content>\n\t\t\t<wp:comment_approved>{approved}</wp:comment_approved>\n\
\t\t\t<wp:comment_type>{kind}</wp:comment_type>\n\t\t\t<wp:comment_parent>{}</wp:comment_parent>\n\
\t\t\t<wp:comment_user_id>{}</wp:comment_user_id>\n\t\t</wp:comment>\n",
                c.id,
                cdata(&html_escape::encode_text(&c.author)),
                cdata(&c.email),
                cdata(c.url.as_deref().unwrap_or_default()),
                // WordPress keeps comments as HTML: the plain text, escaped, reads the same.
                cdata(&html_escape::encode_text(&c.body)),
                c.parent.unwrap_or(0),
                if c.by_post_author { 1 } else { 0 },
            );
        }
        out.push_str("\t</item>\n");
    }
    let first_attachment = entries.iter().map(|p| p.id).max().unwrap_or(0) + 1;
    for (n, m) in media.iter().enumerate() {
        let url = format!("{base}{}", m.url);
        let _ = write!(
            out,
            "\t<item>\n\t\t<title>{}</title>\n\t\t<link>{}</link>\n\t\t<guid isPermaLink=\"false\">{}</guid>\n\
\t\t<wp:post_id>{}</wp:post_id>\n\t\t<wp:post_name>{}</wp:post_name>\n\t\t<wp:status>inherit</wp:status>\n\
\t\t<wp:post_parent>0</wp:post_parent>\n\t\t<wp:post_type>attachment</wp:post_type>\n\
\t\t<wp:attachment_url>{}</wp:attachment_url>\n",
            html_escape::encode_text(&m.name),
            html_escape::encode_text(&url),
            html_escape::encode_text(&url),
            first_attachment + n as i64,
            cdata(&m.name),
            html_escape::encode_text(&url),
        );
        if !m.alt.is_empty() {
            meta(&mut out, "_wp_attachment_image_alt", &m.alt);
        }
        out.push_str("\t</item>\n");
    }
    out.push_str("</channel>\n</rss>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use blog_core::api::{Addendum, CommentCounts};

    fn post(slug: &str, kind: EntryKind) -> Post {
        Post {
            id: 7,
            kind,
            slug: slug.into(),
            url: format!("/posts/{slug}"),
            title: "Health & <safety>".into(),
            status: PostStatus::Published,
            published_at: Some("2011-03-17T21:05:00Z".into()),
            updated_at: "2011-03-18T14:17:00Z".into(),
            scheduled: false,
            visible: true,
            comments_open: true,
            newsletter: false,
            tags: vec!["NHS".into(), "social media".into()],
            image: None,
            comments: CommentCounts {
                approved: 1,
                pending: 0,
                spam: 0,
            },
            parent: None,
            menu_order: 0,
            in_menu: false,
            body: Some("Found *this* ]]> here.\n".into()),
            addenda: Some(vec![Addendum {
                id: 4,
                at: "2011-03-18T14:17:00Z".into(),
                body: "Later.".into(),
            }]),
        }
    }

    #[test]
    fn our_importer_reads_back_everything_written() {
        let comment = Comment {
            id: 3,
            post: "health".into(),
            parent: Some(2),
            author: "Ann & Bo".into(),
            email: "ann@example.org".into(),
            url: None,
            body: "a < b, and\n\nthat is <b>all</b>".into(),
            status: CommentStatus::Spam,
            created_at: "2011-03-19T08:00:00Z".into(),
            by_post_author: false,
            reasons: vec![],
            kind: CommentKind::Comment,
            key: None,
        };
        let comments = BTreeMap::from([("health".to_string(), vec![comment])]);
        let channel = Channel {
            title: "T",
            tagline: "",
            base_url: "https://blog.example",
            author: "Claire",
            language: "en-GB",
        };
        let xml = write(
            &channel,
            &[
                post("health", EntryKind::Post),
                post("about", EntryKind::Page),
            ],
            &comments,
            &[],
        );
        let items = crate::wxr::parse(&xml).expect("our importer reads it");
        let health = &items[0];
        assert_eq!(health.title, "Health & <safety>");
        assert_eq!(health.slug, "health");
        assert_eq!(health.date.as_deref(), Some("2011-03-17T21:05:00Z"));
        assert_eq!(health.tags, ["NHS", "social media"]);
        assert_eq!(health.markdown.as_deref(), Some("Found *this* ]]> here.\n"));
        assert_eq!(
            health.addenda,
            [("2011-03-18T14:17:00Z".to_string(), "Later.".to_string())]
        );
        assert_eq!(health.updated.as_deref(), Some("2011-03-18T14:17:00Z"));
        assert!(
            health.content.contains("<em>this</em>"),
            "HTML for WordPress"
        );
        let c = &health.comments[0];
        assert_eq!((c.id.as_str(), c.parent.as_str()), ("3", "2"));
        assert_eq!(c.author, "Ann & Bo");
        assert_eq!(c.approved, "spam");
        assert_eq!(
            crate::wxr::comment_text(&c.content),
            "a < b, and\n\nthat is <b>all</b>"
        );
        assert_eq!(items[1].post_type, "page");
        assert_eq!(items[1].in_menu, Some(false));
    }
}
