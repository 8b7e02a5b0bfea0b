//! A newsletter message as MIME: an HTML part laid out for mail clients (one column, inline
//! styles, every address absolute, images at most the column's width) and a plain-text part
//! made from the Markdown, with the list headers (`List-Id`, RFC 8058's one-click
//! `List-Unsubscribe`), written by `mail-builder`.

use askama::Template;
use blog_core::dates::{self, Zone};
use blog_core::email::{header_text, Letter};
use blog_core::newsletter::{self, Cadence, IssueFacts, PostText};
use blog_core::settings::Settings;
use blog_core::text;
use mail_builder::headers::content_type::ContentType;
use mail_builder::headers::text::Text;
use mail_builder::headers::url::URL;
use mail_builder::mime::{BodyPart, MimePart};
use mail_builder::MessageBuilder;
use sha2::{Digest, Sha256};

use crate::store::{IssueContent, IssuePost};

/// One post, ready for every recipient's message.
pub struct PreparedPost {
    pub title: String,
    pub url: String,
    pub date: String,
    /// For the HTML part.
    pub html: String,
    /// For the text part.
    pub text: String,
    pub is_lead: bool,
}

/// An issue's posts, prepared once for all its messages.
pub struct Prepared {
    pub posts: Vec<PreparedPost>,
    pub digest: bool,
}

#[derive(Template)]
#[template(path = "newsletter_mail.html")]
struct MailHtml<'a> {
    language: &'a str,
    subject: &'a str,
    blog_title: &'a str,
    blog_url: &'a str,
    posts: &'a [PreparedPost],
    manage_url: &'a str,
    unsubscribe_url: &'a str,
}

/// A post as the settings say mail shows it: whole, or its lead and a link.
pub fn prepare_post(settings: &Settings, zone: &dyn Zone, post: &IssuePost) -> PreparedPost {
    let blog = &settings.blog;
    let url = blog.url(&post.path);
    let full = settings.newsletter.full_text;
    let (html, text) = if full {
        let html = newsletter::absolute_addresses(&post.body_html, &blog.base_url, &url);
        (
            newsletter::mail_images(&html),
            blog_markdown::plain_text(&post.body, &blog.base_url, &url),
        )
    } else {
        (
            format!("<p>{}</p>", text::escaped(&post.lead)),
            format!("{}\n", post.lead),
        )
    };
    PreparedPost {
        title: post.title.clone(),
        url,
        date: dates::long_date(post.published_at, zone),
        html,
        text,
        is_lead: !full,
    }
}

/// An issue's content, prepared; `None` when there is nothing to send (a digest whose posts
/// were all withdrawn).
pub fn prepare(settings: &Settings, zone: &dyn Zone, content: &IssueContent) -> Option<Prepared> {
    match content {
        IssueContent::Post(post) => Some(Prepared {
            posts: vec![prepare_post(settings, zone, post)],
            digest: false,
        }),
        IssueContent::Digest(posts) if posts.is_empty() => None,
        IssueContent::Digest(posts) => Some(Prepared {
            posts: posts
                .iter()
                .map(|p| prepare_post(settings, zone, p))
                .collect(),
            digest: true,
        }),
    }
}

/// Who a message goes to, and its links.
pub struct Recipient<'a> {
    pub email: &'a str,
    pub token: &'a str,
    /// The outbox row's id: the Message-ID is the same on every attempt.
    pub message_id: i64,
}

fn links(settings: &Settings, token: &str) -> (String, String) {
    let blog = &settings.blog;
    (
        blog.url(&format!("/newsletter/manage/{token}")),
        blog.url(&format!("/newsletter/unsubscribe/{token}")),
    )
}

/// The message of an issue to one recipient.
pub fn issue_message(
    settings: &Settings,
    from: &str,
    prepared: &Prepared,
    to: &Recipient<'_>,
    now: i64,
) -> std::io::Result<String> {
    let blog = &settings.blog;
    let (manage_url, unsubscribe_url) = links(settings, to.token);
    let facts = IssueFacts {
        blog_title: &blog.title,
        manage_url: &manage_url,
        unsubscribe_url: &unsubscribe_url,
    };
    let texts: Vec<PostText<'_>> = prepared
        .posts
        .iter()
        .map(|p| PostText {
            title: &p.title,
            url: &p.url,
            text: &p.text,
            is_lead: p.is_lead,
        })
        .collect();
    let letter = match (prepared.digest, texts.first()) {
        (false, Some(post)) => newsletter::post_letter(&facts, post),
        _ => newsletter::digest_letter(&facts, &texts),
    };
    let html = MailHtml {
        language: &blog.language,
        subject: &letter.subject,
        blog_title: &blog.title,
        blog_url: &blog.base_url,
        posts: &prepared.posts,
        manage_url: &manage_url,
        unsubscribe_url: &unsubscribe_url,
    }
    .render()
    .map_err(std::io::Error::other)?;
    mime(
        settings,
        from,
        to,
        &letter,
        Some(&html),
        &unsubscribe_url,
        now,
    )
}

/// The confirmation mail (or, to a confirmed address, where to change the subscription).
pub fn confirm_message(
    settings: &Settings,
    from: &str,
    to: &Recipient<'_>,
    cadence: Cadence,
    confirmed_already: bool,
    now: i64,
) -> std::io::Result<String> {
    let blog = &settings.blog;
    let (manage_url, unsubscribe_url) = links(settings, to.token);
    let confirm_url = blog.url(&format!("/newsletter/confirm/{}", to.token));
    let letter = newsletter::confirm_letter(
        &blog.title,
        &blog.base_url,
        cadence,
        confirmed_already,
        &confirm_url,
        &manage_url,
    );
    mime(settings, from, to, &letter, None, &unsubscribe_url, now)
}

/// A MIME boundary that no part contains: the message's id and a digest of the HTML (the
/// quoted-printable text part cannot hold the run of `=_` it starts with).
fn boundary(to: &Recipient<'_>, html: &str) -> String {
    let digest = Sha256::digest(html.as_bytes());
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    format!("=_nl{}_{hex}", to.message_id.unsigned_abs())
}

fn mime(
    settings: &Settings,
    from: &str,
    to: &Recipient<'_>,
    letter: &Letter,
    html: Option<&str>,
    unsubscribe_url: &str,
    now: i64,
) -> std::io::Result<String> {
    let blog = &settings.blog;
    let domain = from.rsplit_once('@').map_or("localhost", |(_, d)| d);
    let host = blog
        .base_url
        .split_once("://")
        .map_or(blog.base_url.as_str(), |(_, h)| h)
        .split(':')
        .next()
        .unwrap_or("localhost");
    let title = header_text(&blog.title, 80);
    let mut message = MessageBuilder::new()
        .from((title.as_str(), from))
        .to(to.email)
        .subject(letter.subject.as_str())
        .message_id(format!("newsletter-{}@{domain}", to.message_id))
        .date(now)
        .header(
            "List-Id",
            Text::new(format!(
                "{} <newsletter.{host}>",
                title.replace(['<', '>', '"'], "")
            )),
        )
        .header("List-Unsubscribe", URL::new(unsubscribe_url))
        .header(
            "List-Unsubscribe-Post",
            Text::new("List-Unsubscribe=One-Click"),
        );
    message = match html {
        // Both parts, with a boundary of our own: mail-builder would make one from the system
        // clock, which a Worker's wasm does not have.
        Some(html) => message.body(MimePart::new(
            ContentType::new("multipart/alternative").attribute("boundary", boundary(to, html)),
            vec![
                MimePart::new("text/plain", BodyPart::Text(letter.text.as_str().into())),
                MimePart::new("text/html", BodyPart::Text(html.into())),
            ],
        )),
        None => message.text_body(letter.text.as_str()),
    };
    message.write_to_string()
}
