//! The author's posts and addenda: list, read, create, edit, delete, append. The Markdown is
//! rendered here, when the author saves it; every change drops exactly the cached pages it
//! affects (see `blog_core::invalidation`).

use blog_core::dates::rfc3339_utc as utc;
use blog_core::invalidation::{self, Change};
use blog_core::model::{AddendumRecord, Placement, PostRecord, PostStatus, PostWrite};
use blog_core::settings::Blog;
use blog_core::text::{self, Letters};
use blog_core::{api, media, routes, validation};
use serde_json::{json, Value};
use worker::Response;

use crate::edge::error::{AppError, AppResult};
use crate::edge::runtime;
use crate::edge::{http, App};
use crate::store::Store;

fn post_json(
    blog: &Blog,
    post: &PostRecord,
    addenda: Option<&[AddendumRecord]>,
    now: i64,
) -> api::Post {
    api::Post {
        id: post.id,
        slug: post.slug.clone(),
        url: blog.url(&routes::post_path(&post.slug)),
        title: post.title.clone(),
        status: post.status,
        published_at: post.published_at.map(utc),
        updated_at: utc(post.updated_at),
        scheduled: post.is_scheduled(now),
        visible: post.is_visible(now),
        comments_open: post.comments_open,
        tags: post.tags.clone(),
        image: post.image.clone(),
        comments: api::CommentCounts {
            approved: post.approved,
            pending: post.pending,
            spam: post.spam,
        },
        body: addenda.map(|_| post.body.clone()),
        addenda: addenda.map(|addenda| {
            addenda
                .iter()
                .map(|a| api::Addendum {
                    id: a.id,
                    at: utc(a.created_at),
                    body: a.body.clone(),
                })
                .collect()
        }),
    }
}

/// Renders Markdown with the sizes of the library's images it shows.
async fn render(store: &Store, markdown: &str) -> AppResult<blog_markdown::Rendered> {
    let sizes = store
        .image_sizes(&media::referenced_hashes(markdown))
        .await?;
    Ok(blog_markdown::render(markdown, &sizes))
}

/// The post with this slug, drafts and scheduled ones included.
pub async fn find(store: &Store, slug: &str) -> AppResult<PostRecord> {
    store.post_record(slug).await?.ok_or(AppError::NotFound)
}

async fn full_post(app: &App, store: &Store, slug: &str, now: i64) -> AppResult<api::Post> {
    let post = find(store, slug).await?;
    let addenda = store.addenda(post.id).await?;
    Ok(post_json(app.blog().await?, &post, Some(&addenda), now))
}

/// `GET /admin/posts`.
pub async fn list(app: &App, store: &Store) -> AppResult<Response> {
    let now = runtime::now();
    let blog = app.blog().await?;
    let posts = store
        .all_posts()
        .await?
        .iter()
        .map(|p| post_json(blog, p, None, now))
        .collect();
    http::json_response(200, &api::PostList { posts })
}

/// `GET /admin/posts/{slug}`.
pub async fn get(app: &App, store: &Store, slug: &str) -> AppResult<Response> {
    http::json_response(200, &full_post(app, store, slug, runtime::now()).await?)
}

/// `POST /admin/posts`.
pub async fn create(app: &App, store: &Store, body: &Value) -> AppResult<Response> {
    let fields = validation::post_fields(body, true).map_err(AppError::invalid)?;
    let now = runtime::now();
    let (title, markdown) = (
        fields.title.unwrap_or_default(),
        fields.body.unwrap_or_default(),
    );
    let status = fields.status.unwrap_or(PostStatus::Published);
    let published_at = match fields.published_at {
        Some(at) => at,
        None => (status == PostStatus::Published).then_some(now),
    };
    let tags = fields.tags.unwrap_or_default();
    let before = store.placement(None, now).await?;
    let explicit = fields.slug.is_some();
    let base = fields.slug.unwrap_or_else(|| {
        let derived = text::slug(&title, Letters::Ascii);
        if derived.is_empty() {
            format!("post-{now}")
        } else {
            derived
        }
    });
    let rendered = render(store, &markdown).await?;
    let image = fields.image.flatten().or(rendered.image.clone());
    // A slug made from the title gets -2, -3, … when taken; an explicit one is the author's call.
    let mut id = None;
    let mut slug = base.clone();
    for attempt in 1..=20 {
        if attempt > 1 {
            slug = format!("{base}-{attempt}");
        }
        let write = PostWrite {
            slug: &slug,
            title: &title,
            body: &markdown,
            body_html: &rendered.html,
            lead: &rendered.lead,
            status,
            published_at,
            updated_at: now,
            comments_open: fields.comments_open.unwrap_or(true),
            image: image.as_deref(),
        };
        id = store.insert_post(&write, &tags).await?;
        if id.is_some() || explicit {
            break;
        }
    }
    let Some(id) = id else {
        return Err(AppError::Conflict(format!(
            "The slug \"{slug}\" is taken by another post; choose another slug or PATCH /admin/posts/{slug}."
        )));
    };
    let after = store.placement(Some(id), now).await?;
    let change = store
        .posts_change((before, after), vec![slug.clone()], 0, &tags, now)
        .await?;
    app.purge(&invalidation::pages_to_drop(&change)).await;
    let location = format!("/admin/posts/{slug}");
    http::created(&full_post(app, store, &slug, now).await?, Some(&location))
}

/// `PATCH /admin/posts/{slug}`: only the fields sent change.
pub async fn update(app: &App, store: &Store, slug: &str, body: &Value) -> AppResult<Response> {
    let post = find(store, slug).await?;
    let fields = validation::post_fields(body, false).map_err(AppError::invalid)?;
    let now = runtime::now();
    let status = fields.status.unwrap_or(post.status);
    let published_at = match fields.published_at {
        Some(at) => at,
        None if status == PostStatus::Published && post.published_at.is_none() => Some(now),
        None => post.published_at,
    };
    let new_slug = fields.slug.clone().unwrap_or_else(|| post.slug.clone());
    let body = fields.body.as_deref().unwrap_or(&post.body);
    let rendered = render(store, body).await?;
    // An image the author named stays until they name another (or send null).
    let image = match fields.image {
        Some(Some(url)) => Some(url),
        Some(None) => rendered.image.clone(),
        // Unnamed: the old first image follows the body; one the author named stays.
        None => {
            let was_first = blog_markdown::render(&post.body, &[]).image;
            match &post.image {
                Some(image) if was_first.as_ref() != Some(image) => Some(image.clone()),
                _ => rendered.image.clone(),
            }
        }
    };
    let write = PostWrite {
        slug: &new_slug,
        title: fields.title.as_deref().unwrap_or(&post.title),
        body,
        body_html: &rendered.html,
        lead: &rendered.lead,
        status,
        published_at,
        updated_at: now,
        comments_open: fields.comments_open.unwrap_or(post.comments_open),
        image: image.as_deref(),
    };
    let before = store.placement(Some(post.id), now).await?;
    if !store
        .update_post(post.id, &write, fields.tags.as_deref())
        .await?
    {
        return Err(AppError::Conflict(format!(
            "The slug \"{new_slug}\" is taken by another post."
        )));
    }
    let after = store.placement(Some(post.id), now).await?;
    let mut tags = post.tags.clone();
    tags.extend(fields.tags.unwrap_or_default());
    let slugs = vec![post.slug.clone(), new_slug.clone()];
    let change = store
        .posts_change((before, after), slugs, post.approved, &tags, now)
        .await?;
    app.purge(&invalidation::pages_to_drop(&change)).await;
    http::json_response(200, &full_post(app, store, &new_slug, now).await?)
}

/// `DELETE /admin/posts/{slug}`: its addenda, comments and tags go with it.
pub async fn delete(app: &App, store: &Store, slug: &str) -> AppResult<Response> {
    let post = find(store, slug).await?;
    let now = runtime::now();
    let before = store.placement(Some(post.id), now).await?;
    store.delete_post(post.id).await?;
    let after: Placement = store.placement(None, now).await?;
    let change = store
        .posts_change(
            (before, after),
            vec![post.slug.clone()],
            post.approved,
            &post.tags,
            now,
        )
        .await?;
    app.purge(&invalidation::pages_to_drop(&change)).await;
    http::no_content()
}

/// `POST /admin/posts/{slug}/addenda`.
pub async fn add_addendum(
    app: &App,
    store: &Store,
    slug: &str,
    body: &Value,
) -> AppResult<Response> {
    let post = find(store, slug).await?;
    let (markdown, at) = validation::addendum(body).map_err(AppError::invalid)?;
    let at = at.unwrap_or_else(runtime::now);
    let html = render(store, &markdown).await?.html;
    let id = store.insert_addendum(post.id, &markdown, &html, at).await?;
    let change = Change::Addendum {
        slug: post.slug,
        approved: post.approved,
    };
    app.purge(&invalidation::pages_to_drop(&change)).await;
    http::created(&json!({"id": id, "at": utc(at)}), None)
}
