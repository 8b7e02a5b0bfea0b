//! The JSON (and one XML) documents the blog answers and sends on the fediverse: WebFinger,
//! host-meta, NodeInfo, the blog's actor, a post's `Article`, the activities that carry them, the
//! author's replies as `Note`s, and the outbox and followers collections.

use serde_json::{json, Value};

use super::{Paths, PUBLIC};
use crate::dates::rfc3339_utc;
use crate::text::escaped;

/// The ActivityStreams context, with the security vocabulary for `publicKey` and the terms
/// Mastodon added (`Hashtag`), without which JSON-LD readers drop a post's tags.
pub fn context() -> Value {
    json!([
        "https://www.w3.org/ns/activitystreams",
        "https://w3id.org/security/v1",
        { "Hashtag": "as:Hashtag" },
    ])
}

/// What the actor document shows of the blog.
pub struct BlogFacts<'a> {
    pub title: &'a str,
    pub tagline: &'a str,
    /// The site icon's absolute address and type, when one is set.
    pub icon: Option<(&'a str, &'a str)>,
    pub public_key_pem: &'a str,
    /// When the blog began (its first post), for `published`.
    pub since: Option<i64>,
}

/// `acct:handle@host` → WebFinger's JRD for the blog's actor.
pub fn webfinger(paths: &Paths<'_>) -> Value {
    json!({
        "subject": paths.acct(),
        "aliases": [paths.actor(), paths.base],
        "links": [
            { "rel": "self", "type": "application/activity+json", "href": paths.actor() },
            { "rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": paths.base },
        ],
    })
}

/// `/.well-known/host-meta`: where WebFinger is (older servers ask here first).
pub fn host_meta(base: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<XRD xmlns=\"http://docs.oasis-open.org/ns/xri/xrd-1.0\">\n  <Link rel=\"lrdd\" template=\"{}/.well-known/webfinger?resource={{uri}}\"/>\n</XRD>\n",
        escaped(base)
    )
}

/// `/.well-known/nodeinfo`: where the NodeInfo document is.
pub fn nodeinfo_links(base: &str) -> Value {
    json!({ "links": [{
        "rel": "http://nodeinfo.diaspora.software/ns/schema/2.1",
        "href": format!("{base}/nodeinfo/2.1"),
    }]})
}

/// NodeInfo 2.1: what software this is, and how many posts it has.
pub fn nodeinfo(title: &str, posts: u64) -> Value {
    json!({
        "version": "2.1",
        "software": {
            "name": "edge-blog",
            "version": env!("CARGO_PKG_VERSION"),
            "homepage": "https://github.com/",
        },
        "protocols": ["activitypub"],
        "services": { "inbound": [], "outbound": ["atom1.0", "rss2.0"] },
        "openRegistrations": false,
        "usage": {
            "users": { "total": 1, "activeMonth": 1, "activeHalfyear": 1 },
            "localPosts": posts,
        },
        "metadata": { "nodeName": title },
    })
}

/// The blog as an actor.
pub fn actor(paths: &Paths<'_>, blog: &BlogFacts<'_>) -> Value {
    let mut actor = json!({
        "@context": context(),
        "id": paths.actor(),
        "type": "Person",
        "preferredUsername": paths.handle,
        "name": blog.title,
        "summary": if blog.tagline.is_empty() { String::new() } else { format!("<p>{}</p>", escaped(blog.tagline)) },
        "url": paths.base,
        "inbox": paths.inbox(),
        "outbox": paths.outbox(),
        "followers": paths.followers(),
        "endpoints": { "sharedInbox": paths.inbox() },
        "manuallyApprovesFollowers": false,
        "discoverable": true,
        "publicKey": {
            "id": paths.key_id(),
            "owner": paths.actor(),
            "publicKeyPem": blog.public_key_pem,
        },
    });
    if let Some((url, media_type)) = blog.icon {
        actor["icon"] = json!({ "type": "Image", "url": url, "mediaType": media_type });
    }
    if let Some(since) = blog.since {
        actor["published"] = json!(rfc3339_utc(since));
    }
    actor
}

/// What a post's `Article` is made of.
pub struct ArticleFacts<'a> {
    pub id: i64,
    /// The post's page, absolute.
    pub url: &'a str,
    pub title: &'a str,
    /// The body's HTML with the addenda after it, every address absolute.
    pub content: &'a str,
    /// The lead as plain text.
    pub summary: &'a str,
    pub published_at: i64,
    pub updated_at: i64,
    /// (name, slug) of each tag.
    pub tags: &'a [(String, String)],
    /// The lead image: absolute address, type, alt text.
    pub image: Option<(&'a str, &'a str, &'a str)>,
    /// Approved comments.
    pub replies: u32,
    pub language: &'a str,
}

/// A post as an `Article`.
pub fn article(paths: &Paths<'_>, post: &ArticleFacts<'_>) -> Value {
    let tags: Vec<Value> = post
        .tags
        .iter()
        .map(|(name, slug)| {
            json!({
                "type": "Hashtag",
                "href": format!("{}/tags/{slug}", paths.base),
                "name": format!("#{}", name.replace(' ', "")),
            })
        })
        .collect();
    let attachments: Vec<Value> = post
        .image
        .iter()
        .map(|(url, media_type, alt)| {
            json!({ "type": "Image", "url": url, "mediaType": media_type, "name": alt })
        })
        .collect();
    let mut article = json!({
        "id": paths.post(post.id),
        "type": "Article",
        "url": post.url,
        "attributedTo": paths.actor(),
        "name": post.title,
        "content": post.content,
        "summary": post.summary,
        "published": rfc3339_utc(post.published_at),
        "to": [PUBLIC],
        "cc": [paths.followers()],
        "tag": tags,
        "attachment": attachments,
        "replies": { "type": "Collection", "totalItems": post.replies },
        "contentMap": { post.language: post.content },
    });
    if post.updated_at > post.published_at {
        article["updated"] = json!(rfc3339_utc(post.updated_at));
    }
    article
}

/// An activity of the blog's: `Create`, `Update` or `Delete` of `object`, or an `Accept`.
/// `activity_id` is the stored activity's number; `audience` its `to`.
pub fn activity(
    paths: &Paths<'_>,
    kind: &str,
    activity_id: i64,
    object: Value,
    audience: &[String],
    at: i64,
) -> Value {
    json!({
        "@context": context(),
        "id": paths.activity(activity_id),
        "type": kind,
        "actor": paths.actor(),
        "published": rfc3339_utc(at),
        "to": audience,
        "cc": if audience.iter().any(|a| a == PUBLIC) { vec![paths.followers()] } else { Vec::new() },
        "object": object,
    })
}

/// What is left of a deleted object.
pub fn tombstone(id: &str) -> Value {
    json!({ "id": id, "type": "Tombstone" })
}

/// The author's reply to a fediverse comment, as a `Note` addressed to its author.
pub struct ReplyFacts<'a> {
    pub comment_id: i64,
    /// The post's page and the comment's anchor on it.
    pub url: &'a str,
    /// The reply's HTML.
    pub content: &'a str,
    /// The object replied to, and its author (actor id, handle for the mention).
    pub in_reply_to: &'a str,
    pub to_actor: &'a str,
    pub to_name: &'a str,
    pub published_at: i64,
}

pub fn reply_note(paths: &Paths<'_>, reply: &ReplyFacts<'_>) -> Value {
    json!({
        "id": paths.comment(reply.comment_id),
        "type": "Note",
        "url": reply.url,
        "attributedTo": paths.actor(),
        "inReplyTo": reply.in_reply_to,
        "content": reply.content,
        "published": rfc3339_utc(reply.published_at),
        "to": [reply.to_actor],
        "cc": [PUBLIC],
        "tag": [{ "type": "Mention", "href": reply.to_actor, "name": reply.to_name }],
    })
}

/// An `OrderedCollection` of `total` items whose first page is `first` (none when empty).
pub fn collection(id: &str, total: u64, first: Option<String>) -> Value {
    let mut collection = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": id,
        "type": "OrderedCollection",
        "totalItems": total,
    });
    if let Some(first) = first {
        collection["first"] = json!(first);
    }
    collection
}

/// One page of the outbox: `items` (activities), and the next page's address if there is one.
pub fn collection_page(id: &str, part_of: &str, items: Vec<Value>, next: Option<String>) -> Value {
    let mut page = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": id,
        "type": "OrderedCollectionPage",
        "partOf": part_of,
        "orderedItems": items,
    });
    if let Some(next) = next {
        page["next"] = json!(next);
    }
    page
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths() -> Paths<'static> {
        Paths {
            base: "https://blog.example",
            handle: "blog",
        }
    }

    #[test]
    fn discovery_documents_name_the_actor() {
        let p = paths();
        let jrd = webfinger(&p);
        assert_eq!(jrd["subject"], "acct:blog@blog.example");
        assert_eq!(jrd["links"][0]["href"], "https://blog.example/ap/actor");
        assert_eq!(jrd["links"][0]["type"], "application/activity+json");
        assert!(host_meta("https://blog.example")
            .contains("template=\"https://blog.example/.well-known/webfinger?resource={uri}\""));
        assert_eq!(
            nodeinfo_links("https://blog.example")["links"][0]["href"],
            "https://blog.example/nodeinfo/2.1"
        );
        assert_eq!(nodeinfo("T", 3)["usage"]["localPosts"], 3);
    }

    #[test]
    fn the_actor_and_an_article() {
        let p = paths();
        let a = actor(
            &p,
            &BlogFacts {
                title: "Health <Techie>",
                tagline: "A & B",
                icon: Some(("https://blog.example/media/ab/icon.png", "image/png")),
                public_key_pem: "-----BEGIN PUBLIC KEY-----",
                since: Some(0),
            },
        );
        assert_eq!(
            a["publicKey"]["id"],
            "https://blog.example/ap/actor#main-key"
        );
        assert_eq!(a["summary"], "<p>A &amp; B</p>");
        assert_eq!(
            a["endpoints"]["sharedInbox"],
            "https://blog.example/ap/inbox"
        );
        assert_eq!(a["icon"]["mediaType"], "image/png");
        let tags = [("Social Media".to_string(), "social-media".to_string())];
        let post = article(
            &p,
            &ArticleFacts {
                id: 7,
                url: "https://blog.example/posts/x",
                title: "X",
                content: "<p>x</p>",
                summary: "x",
                published_at: 10,
                updated_at: 10,
                tags: &tags,
                image: None,
                replies: 2,
                language: "en",
            },
        );
        assert_eq!(post["id"], "https://blog.example/ap/posts/7");
        assert_eq!(post["tag"][0]["name"], "#SocialMedia");
        assert!(post.get("updated").is_none());
        let create = activity(&p, "Create", 3, post, &[PUBLIC.to_string()], 10);
        assert_eq!(create["id"], "https://blog.example/ap/activities/3");
        assert_eq!(create["cc"][0], "https://blog.example/ap/followers");
    }
}
