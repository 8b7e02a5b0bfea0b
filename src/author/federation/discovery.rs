//! What other servers ask the blog: WebFinger, host-meta and NodeInfo (to find the actor), the
//! actor, a post as an `Article` (by its id or its page's address), the author's replies as
//! `Note`s, the outbox and the followers collection.

use blog_core::federation::documents::{self, ArticleFacts, BlogFacts, ReplyFacts};
use blog_core::federation::{Paths, ACTOR_PATH, FOLLOWERS_PATH, OUTBOX_PATH};
use blog_core::newsletter::absolute_addresses;
use blog_core::text::{escaped, excerpt};
use serde_json::Value;
use worker::{Request, Response};

use super::Identity;
use crate::edge::error::{AppError, AppResult};
use crate::edge::{http, runtime, App};
use crate::store::FederatedPost;

/// Posts on one page of the outbox.
const OUTBOX_PAGE: u32 = 20;

pub async fn answer(req: &Request, app: &App, path: &str) -> AppResult<Response> {
    let identity = Identity::of(app).await?;
    let paths = identity.paths();
    match path {
        "/.well-known/webfinger" => webfinger(req, &paths),
        "/.well-known/host-meta" => {
            let response = Response::ok(documents::host_meta(paths.base))?;
            response
                .headers()
                .set("Content-Type", "application/xrd+xml; charset=utf-8")?;
            public(response, 3600)
        }
        "/.well-known/nodeinfo" => json(
            &documents::nodeinfo_links(paths.base),
            "application/json",
            3600,
        ),
        "/nodeinfo/2.1" => {
            let posts = app.store()?.outbox_posts(runtime::now(), None, 0).await?.1;
            let title = &app.blog().await?.title;
            json(
                &documents::nodeinfo(title, posts.into()),
                "application/json; profile=\"http://nodeinfo.diaspora.software/ns/schema/2.1#\"",
                3600,
            )
        }
        ACTOR_PATH => actor(app, &paths).await,
        OUTBOX_PATH => outbox(req, app, &paths).await,
        FOLLOWERS_PATH => {
            let (_, total) = app.store()?.followers(1, 0).await?;
            activity(
                &documents::collection(&paths.followers(), total.into(), None),
                60,
            )
        }
        _ => match paths.object_of(&format!("{}{path}", paths.base)) {
            Some(blog_core::federation::LocalObject::Post(id)) => {
                let store = app.store()?;
                let post = store.federated_post(id).await?.ok_or(AppError::NotFound)?;
                if !post.is_public(runtime::now()) {
                    return Err(AppError::NotFound);
                }
                let language = app.blog().await?.language.clone();
                activity(&with_context(article(&paths, &post, &language)), 60)
            }
            Some(blog_core::federation::LocalObject::Comment(id)) => {
                let reply = app.store()?.reply_content(id).await?;
                match reply.filter(|r| r.status == "approved") {
                    Some(reply) => activity(&with_context(reply_note(&paths, &reply)), 60),
                    None => Err(AppError::NotFound),
                }
            }
            _ => Err(AppError::NotFound),
        },
    }
}

/// A post's page asked for as ActivityPub JSON.
pub async fn article_at(app: &App, path: &str) -> AppResult<Response> {
    let identity = Identity::of(app).await?;
    if path == "/" {
        // The blog's address looked up on the fediverse: its account.
        return actor(app, &identity.paths()).await;
    }
    let post = app
        .store()?
        .federated_post_at(path, runtime::now())
        .await?
        .filter(|p| p.kind == "post")
        .ok_or(AppError::NotFound)?;
    let language = app.blog().await?.language.clone();
    activity(
        &with_context(article(&identity.paths(), &post, &language)),
        60,
    )
}

/// An object served on its own carries the context it is read in.
fn with_context(mut doc: Value) -> Value {
    doc["@context"] = documents::context();
    doc
}

fn webfinger(req: &Request, paths: &Paths<'_>) -> AppResult<Response> {
    let query = http::query_string(req);
    let resource = form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "resource")
        .map(|(_, v)| v.into_owned())
        .ok_or_else(|| {
            AppError::BadRequest(format!(
                "Ask for a resource, like /.well-known/webfinger?resource={}",
                paths.acct()
            ))
        })?;
    if !paths.is_resource(&resource) {
        return Err(AppError::NotFound);
    }
    json(
        &documents::webfinger(paths),
        "application/jrd+json; charset=utf-8",
        3600,
    )
}

async fn actor(app: &App, paths: &Paths<'_>) -> AppResult<Response> {
    let key = app.fediverse_key().ok_or(AppError::NotFound)?;
    let public_key = super::super::webcrypto::public_pem(&key)
        .await
        .map_err(|e| {
            AppError::Internal(format!("AP_PRIVATE_KEY is not a PKCS#8 RSA key: {e:?}"))
        })?;
    let settings = app.settings().await?;
    let store = app.store()?;
    let icon_setting = store.setting("icon").await?.filter(|i| !i.is_empty());
    let icon_url = icon_setting.as_deref().map(|i| settings.blog.url(i));
    let since = store.first_post_at().await?;
    let doc = documents::actor(
        paths,
        &BlogFacts {
            title: &settings.blog.title,
            tagline: &settings.blog.tagline,
            icon: icon_url.as_deref().map(|url| (url, image_type(url))),
            public_key_pem: &public_key,
            since,
        },
    );
    activity(&doc, 300)
}

async fn outbox(req: &Request, app: &App, paths: &Paths<'_>) -> AppResult<Response> {
    let query = http::query_string(req);
    let mut page = false;
    let mut before = None;
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        match &*key {
            "page" => page = true,
            "before" => {
                before = Some(value.parse::<i64>().map_err(|_| {
                    AppError::BadRequest("before must be a time in Unix seconds".into())
                })?)
            }
            _ => {}
        }
    }
    let store = app.store()?;
    let now = runtime::now();
    let outbox = paths.outbox();
    if !page {
        let (_, total) = store.outbox_posts(now, None, 0).await?;
        let first = (total > 0).then(|| format!("{outbox}?page=true"));
        return activity(&documents::collection(&outbox, total.into(), first), 60);
    }
    let (posts, _) = store.outbox_posts(now, before, OUTBOX_PAGE).await?;
    let language = app.blog().await?.language.clone();
    let next = (posts.len() == OUTBOX_PAGE as usize)
        .then(|| posts.last().and_then(|p| p.published_at))
        .flatten()
        .map(|at| format!("{outbox}?page=true&before={at}"));
    let items = posts
        .iter()
        .map(|post| {
            let object = article(paths, post, &language);
            let mut create = documents::activity(
                paths,
                "Create",
                0,
                object,
                &[blog_core::federation::PUBLIC.to_string()],
                post.published_at.unwrap_or(post.updated_at),
            );
            // Not one of the stored activities: named after its post.
            create["id"] = Value::String(format!("{}#create", paths.post(post.id)));
            create.as_object_mut().map(|o| o.remove("@context"));
            create
        })
        .collect();
    let id = match before {
        Some(before) => format!("{outbox}?page=true&before={before}"),
        None => format!("{outbox}?page=true"),
    };
    activity(&documents::collection_page(&id, &outbox, items, next), 60)
}

/// A post as an `Article` (without `@context`: it is embedded in activities).
pub fn article(paths: &Paths<'_>, post: &FederatedPost, language: &str) -> Value {
    let url = format!("{}{}", paths.base, post.path);
    let mut content = absolute_addresses(&post.body_html, paths.base, &url);
    let addenda: Vec<(String, i64)> = serde_json::from_str(&post.addenda).unwrap_or_default();
    for (html, at) in addenda {
        content.push_str(&format!(
            "<p><strong>Update, {}:</strong></p>{}",
            escaped(&blog_core::dates::rfc3339_utc(at)[..10]),
            absolute_addresses(&html, paths.base, &url)
        ));
    }
    let tags: Vec<(String, String)> = serde_json::from_str(&post.tags).unwrap_or_default();
    let image = post.image.as_deref().map(|i| {
        if i.starts_with('/') {
            format!("{}{i}", paths.base)
        } else {
            i.to_string()
        }
    });
    documents::article(
        paths,
        &ArticleFacts {
            id: post.id,
            url: &url,
            title: &post.title,
            content: &content,
            summary: &excerpt(&post.lead, 500),
            published_at: post.published_at.unwrap_or(post.updated_at),
            updated_at: post.updated_at,
            tags: &tags,
            image: image
                .as_deref()
                .map(|url| (url, image_type(url), post.title.as_str())),
            replies: post.responses,
            language,
        },
    )
}

/// The author's reply as a `Note`.
pub fn reply_note(paths: &Paths<'_>, reply: &crate::store::ReplyContent) -> Value {
    let url = format!("{}{}#comment-{}", paths.base, reply.post_path, reply.id);
    let mention = format!(
        "<p><span class=\"h-card\"><a href=\"{}\" class=\"u-url mention\">{}</a></span></p>",
        escaped(&reply.parent_actor),
        escaped(&reply.parent_handle)
    );
    documents::reply_note(
        paths,
        &ReplyFacts {
            comment_id: reply.id,
            url: &url,
            content: &format!("{mention}{}", reply.body_html),
            in_reply_to: &reply.parent_ap_id,
            to_actor: &reply.parent_actor,
            to_name: &reply.parent_handle,
            published_at: reply.created_at,
        },
    )
}

/// An image's type from its address's extension.
fn image_type(url: &str) -> &'static str {
    let ext = url
        .rsplit('.')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    match ext.as_str() {
        "png" => "image/png",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "svg" => "image/svg+xml",
        _ => "image/jpeg",
    }
}

/// ActivityPub JSON, cached for `seconds` by whoever keeps it, varying by `Accept` (a post's
/// address is also its HTML page).
pub fn activity(doc: &Value, seconds: u32) -> AppResult<Response> {
    json(doc, "application/activity+json; charset=utf-8", seconds)
}

fn json(doc: &Value, content_type: &str, seconds: u32) -> AppResult<Response> {
    let response = Response::ok(doc.to_string())?;
    response.headers().set("Content-Type", content_type)?;
    response.headers().set("Vary", "Accept")?;
    response.headers().set("Access-Control-Allow-Origin", "*")?;
    public(response, seconds)
}

fn public(response: Response, seconds: u32) -> AppResult<Response> {
    response
        .headers()
        .set("Cache-Control", &format!("public, max-age={seconds}"))?;
    Ok(response)
}
