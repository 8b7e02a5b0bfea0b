//! The author's posts, pages and addenda: list, read, create, edit, delete, append. The Markdown
//! is rendered here, when the author saves it; every change to a post drops exactly the cached
//! pages it affects (see `blog_core::invalidation`). A change to a page drops every cached page:
//! any page may show it in the site menu, and pages change seldom.

use blog_core::dates::rfc3339_utc as utc;
use blog_core::invalidation::{self, Change};
use blog_core::model::{AddendumRecord, PagePlace, Placement, PostRecord, PostStatus, PostWrite};
use blog_core::settings::Blog;
use blog_core::text::{self, Letters};
use blog_core::validation::PostFields;
use blog_core::{api, media, routes, validation};
use serde_json::{json, Value};
use worker::{Request, Response};

use super::history;
use crate::edge::error::{AppError, AppResult};
use crate::edge::runtime;
use crate::edge::{http, App};
use crate::store::Store;

pub(crate) fn post_json(
    blog: &Blog,
    post: &PostRecord,
    addenda: Option<&[AddendumRecord]>,
    now: i64,
) -> api::Post {
    api::Post {
        id: post.id,
        kind: if post.is_page {
            api::EntryKind::Page
        } else {
            api::EntryKind::Post
        },
        slug: post.slug.clone(),
        url: blog.url(&post.path),
        title: post.title.clone(),
        status: post.status,
        published_at: post.published_at.map(utc),
        updated_at: utc(post.updated_at),
        scheduled: post.is_scheduled(now),
        visible: post.is_visible(now),
        comments_open: post.comments_open,
        newsletter: post.newsletter,
        tags: post.tags.clone(),
        image: post.image.clone(),
        comments: api::CommentCounts {
            approved: post.approved,
            pending: post.pending,
            spam: post.spam,
        },
        parent: post.parent.clone(),
        menu_order: post.menu_order,
        in_menu: post.is_page && post.in_menu,
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
pub(crate) async fn render(store: &Store, markdown: &str) -> AppResult<blog_markdown::Rendered> {
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

/// A page's parent, by slug: it must be a page.
async fn page_parent(store: &Store, slug: Option<&str>) -> AppResult<Option<PostRecord>> {
    let Some(slug) = slug else {
        return Ok(None);
    };
    match store.post_record(slug).await? {
        Some(parent) if parent.is_page => Ok(Some(parent)),
        _ => Err(AppError::invalid_field(
            "parent",
            &format!("No page has the slug \"{slug}\" (a parent must be a page)."),
        )),
    }
}

/// The fields that only pages have, or only posts, checked against what the entry is.
fn check_kind(fields: &PostFields, is_page: bool) -> AppResult<()> {
    if is_page {
        if fields.tags.as_ref().is_some_and(|tags| !tags.is_empty()) {
            return Err(AppError::invalid_field(
                "tags",
                "Pages are not tagged: tags are for posts.",
            ));
        }
        return Ok(());
    }
    for (given, key) in [
        (fields.parent.is_some(), "parent"),
        (fields.menu_order.is_some(), "menu_order"),
        (fields.in_menu.is_some(), "in_menu"),
    ] {
        if given {
            return Err(AppError::invalid_field(
                key,
                "Only pages have this; send \"type\": \"page\" to create a page.",
            ));
        }
    }
    Ok(())
}

/// How deep a page's path is: `/a/b/` is 2.
fn depth(path: &str) -> usize {
    path.trim_matches('/').split('/').count()
}

fn too_deep() -> AppError {
    AppError::invalid_field(
        "parent",
        &format!("Pages nest at most {} deep.", routes::MAX_PAGE_DEPTH),
    )
}

fn reserved_slug(slug: &str) -> AppError {
    AppError::invalid_field(
        "slug",
        &format!("\"{slug}\" is one of the blog's own addresses (or a WordPress one it redirects): choose another slug for this page."),
    )
}

/// `GET /admin/posts?type=post|page&limit=n&offset=n`: a page of the entries (both kinds
/// without `type`).
pub async fn list(app: &App, store: &Store, req: &Request) -> AppResult<Response> {
    let (mut kind, mut paging) = (None, http::Paging::default());
    let query = http::query_string(req);
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        if key == "type" {
            kind = Some(match value.as_ref() {
                "post" => api::EntryKind::Post,
                "page" => api::EntryKind::Page,
                _ => return Err(AppError::BadRequest("type must be post or page.".into())),
            });
        } else {
            paging.read(&key, &value)?;
        }
    }
    let now = runtime::now();
    let blog = app.blog().await?;
    let http::Paging { limit, offset } = paging;
    let (rows, total) = store.entries(kind, limit, offset).await?;
    let posts = rows.iter().map(|p| post_json(blog, p, None, now)).collect();
    http::json_response(
        200,
        &api::PostList {
            limit,
            offset,
            total,
            posts,
        },
    )
}

/// `GET /admin/posts/{slug}`.
pub async fn get(app: &App, store: &Store, slug: &str) -> AppResult<Response> {
    http::json_response(200, &full_post(app, store, slug, runtime::now()).await?)
}

/// `POST /admin/posts`.
pub async fn create(app: &App, store: &Store, body: &Value) -> AppResult<Response> {
    let fields = validation::post_fields(body, true).map_err(AppError::invalid)?;
    let (_, slug) = create_entry(app, store, fields, None).await?;
    let location = format!("/admin/posts/{slug}");
    http::created(
        &full_post(app, store, &slug, runtime::now()).await?,
        Some(&location),
    )
}

/// Creates a post or page from its fields (changed at `updated_at`, else now) and drops the
/// pages it appears on. Its id and slug.
pub(crate) async fn create_entry(
    app: &App,
    store: &Store,
    fields: PostFields,
    updated_at: Option<i64>,
) -> AppResult<(i64, String)> {
    let is_page = fields.is_page.unwrap_or(false);
    check_kind(&fields, is_page)?;
    let parent = match is_page {
        true => page_parent(store, fields.parent.clone().flatten().as_deref()).await?,
        false => None,
    };
    let parent_path = parent.as_ref().map(|p| p.path.as_str());
    if parent_path.is_some_and(|path| depth(path) >= routes::MAX_PAGE_DEPTH) {
        return Err(too_deep());
    }
    let page = is_page.then(|| PagePlace {
        parent_id: parent.as_ref().map(|p| p.id),
        menu_order: fields.menu_order.unwrap_or(0),
        in_menu: fields.in_menu.unwrap_or(true),
    });
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
        if is_page && !routes::page_slug_allowed(&slug, parent.is_none()) {
            if explicit {
                return Err(reserved_slug(&slug));
            }
            continue;
        }
        let path = match is_page {
            true => routes::page_path(parent_path, &slug),
            false => routes::post_path(&slug),
        };
        let write = PostWrite {
            slug: &slug,
            title: &title,
            body: &markdown,
            body_html: &rendered.html,
            lead: &rendered.lead,
            status,
            published_at,
            updated_at: updated_at.unwrap_or(now),
            // Pages are closed to comments unless the author opens them, as in WordPress.
            comments_open: fields.comments_open.unwrap_or(!is_page),
            newsletter: fields.newsletter.unwrap_or(!is_page),
            image: image.as_deref(),
            path: &path,
            page,
        };
        id = store.insert_post(&write, &tags).await?;
        if id.is_some() || explicit {
            break;
        }
    }
    let Some(id) = id else {
        return Err(AppError::Conflict(format!(
            "The slug \"{slug}\" is taken by another post or page; choose another slug or PATCH /admin/posts/{slug}."
        )));
    };
    if is_page {
        app.purge_all().await;
    } else {
        let after = store.placement(Some(id), now).await?;
        let path = routes::post_path(&slug);
        let change = store
            .posts_change((before, after), vec![path], 0, &tags, now)
            .await?;
        app.purge(&invalidation::pages_to_drop(&change)).await;
        if status == PostStatus::Published {
            // Its newsletter issue was written with it: the sender starts now.
            app.after_response(app.outbox_kick()).await;
        }
    }
    Ok((id, slug))
}

/// `PATCH /admin/posts/{slug}`: only the fields sent change.
pub async fn update(app: &App, store: &Store, slug: &str, body: &Value) -> AppResult<Response> {
    let post = find(store, slug).await?;
    let before = history::before(store, post.id).await?;
    let response = update_without_revision(app, store, post, body).await?;
    history::after(store, before).await?;
    Ok(response)
}

/// [`update`] of an entry already read, without keeping the version it replaces (a restore
/// keeps one for all it changes).
pub(crate) async fn update_without_revision(
    app: &App,
    store: &Store,
    post: PostRecord,
    body: &Value,
) -> AppResult<Response> {
    let fields = validation::post_fields(body, false).map_err(AppError::invalid)?;
    if fields
        .is_page
        .is_some_and(|is_page| is_page != post.is_page)
    {
        return Err(AppError::invalid_field(
            "type",
            "A post stays a post and a page a page: create a new one instead.",
        ));
    }
    check_kind(&fields, post.is_page)?;
    let now = runtime::now();
    let status = fields.status.unwrap_or(post.status);
    let published_at = match fields.published_at {
        Some(at) => at,
        None if status == PostStatus::Published && post.published_at.is_none() => Some(now),
        None => post.published_at,
    };
    let new_slug = fields.slug.clone().unwrap_or_else(|| post.slug.clone());
    let (path, page) = match post.is_page {
        true => page_move(store, &post, &fields, &new_slug).await?,
        false => (routes::post_path(&new_slug), None),
    };
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
        newsletter: fields.newsletter.unwrap_or(post.newsletter),
        image: image.as_deref(),
        path: &path,
        page,
    };
    let before = store.placement(Some(post.id), now).await?;
    // A page's children move with it: their addresses before the move, for redirects.
    let family = match post.is_page && path != post.path {
        true => store.page_and_descendants(&post.path).await?,
        false => Vec::new(),
    };
    if !store
        .update_post(post.id, &write, fields.tags.as_deref())
        .await?
    {
        return Err(AppError::Conflict(format!(
            "The slug \"{new_slug}\" is taken by another post or page."
        )));
    }
    // Old addresses keep working: a published entry that moved leaves a redirect behind (and
    // a page's children too).
    if path != post.path && post.is_visible(now) {
        let mut moves = vec![(post.path.clone(), path.clone())];
        moves.extend(
            family
                .iter()
                .filter(|(id, _)| *id != post.id)
                .map(|(_, old)| (old.clone(), format!("{path}{}", &old[post.path.len()..]))),
        );
        store.record_moves(&moves, now).await?;
    }
    if post.is_page {
        store.move_page_children(&post.path, &path).await?;
        app.purge_all().await;
    } else {
        let after = store.placement(Some(post.id), now).await?;
        let mut tags = post.tags.clone();
        tags.extend(fields.tags.unwrap_or_default());
        let paths = vec![post.path.clone(), path];
        let change = store
            .posts_change((before, after), paths, post.approved, &tags, now)
            .await?;
        app.purge(&invalidation::pages_to_drop(&change)).await;
        if status == PostStatus::Published && post.status != PostStatus::Published {
            // Its newsletter issue was written with it: the sender starts now.
            app.after_response(app.outbox_kick()).await;
        }
    }
    http::json_response(200, &full_post(app, store, &new_slug, now).await?)
}

/// Where an edit puts a page: its new address and place. Refuses a parent that is the page
/// itself or inside it, a slug reserved at that level, and nesting deeper than allowed (its
/// children move with it).
async fn page_move(
    store: &Store,
    page: &PostRecord,
    fields: &PostFields,
    new_slug: &str,
) -> AppResult<(String, Option<PagePlace>)> {
    let parent_slug = match &fields.parent {
        Some(parent) => parent.clone(),
        None => page.parent.clone(),
    };
    let parent = page_parent(store, parent_slug.as_deref()).await?;
    let family = store.page_and_descendants(&page.path).await?;
    if let Some(parent) = &parent {
        if family.iter().any(|(id, _)| *id == parent.id) {
            return Err(AppError::invalid_field(
                "parent",
                "A page cannot be inside itself or one of its own child pages.",
            ));
        }
    }
    if !routes::page_slug_allowed(new_slug, parent.is_none()) {
        return Err(reserved_slug(new_slug));
    }
    let path = routes::page_path(parent.as_ref().map(|p| p.path.as_str()), new_slug);
    let below = family
        .iter()
        .map(|(_, p)| depth(p) - depth(&page.path))
        .max()
        .unwrap_or(0);
    if depth(&path) + below > routes::MAX_PAGE_DEPTH {
        return Err(too_deep());
    }
    let place = PagePlace {
        parent_id: parent.map(|p| p.id),
        menu_order: fields.menu_order.unwrap_or(page.menu_order),
        in_menu: fields.in_menu.unwrap_or(page.in_menu),
    };
    Ok((path, Some(place)))
}

/// `DELETE /admin/posts/{slug}`: moves it to the trash (see [`super::trash`]), whence it can be
/// restored for 30 days with its addenda, comments, tags and revisions; readers no longer see it.
pub async fn delete(app: &App, store: &Store, slug: &str) -> AppResult<Response> {
    let post = find(store, slug).await?;
    if post.children > 0 {
        return Err(AppError::Conflict(format!(
            "The page \"{slug}\" has {} child pages: give them another parent (PATCH their \"parent\") or delete them first.",
            post.children
        )));
    }
    let now = runtime::now();
    let before = store.placement(Some(post.id), now).await?;
    store.trash_post(post.id, now).await?;
    let after = store.placement(None, now).await?;
    purge_placed(app, store, &post, (before, after), now).await?;
    http::no_content()
}

/// Drops the pages an entry left or came back to (to or from the trash): `placements`, where
/// it stood on the listing before and after.
pub(crate) async fn purge_placed(
    app: &App,
    store: &Store,
    post: &PostRecord,
    placements: (Placement, Placement),
    now: i64,
) -> AppResult<()> {
    if post.is_page {
        // A page can be in the site menu, which every page shows.
        app.purge_all().await;
        return Ok(());
    }
    let paths = vec![post.path.clone()];
    let change = store
        .posts_change(placements, paths, post.approved, &post.tags, now)
        .await?;
    app.purge(&invalidation::pages_to_drop(&change)).await;
    Ok(())
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
    if post.status != PostStatus::Published {
        return Err(AppError::Conflict(format!(
            "{slug:?} is a draft: a draft is still its text, so change that; addenda are dated \
             additions to what readers have already read."
        )));
    }
    let at = at.unwrap_or_else(runtime::now);
    let html = render(store, &markdown).await?.html;
    let before = history::before(store, post.id).await?;
    let id = store.insert_addendum(post.id, &markdown, &html, at).await?;
    history::after(store, before).await?;
    purge_addenda_of(app, post).await;
    http::created(&json!({"id": id, "at": utc(at)}), None)
}

/// `PATCH /admin/posts/{slug}/addenda/{id}` with `{"body": …}`: corrects an addendum (its date
/// stays).
pub async fn update_addendum(
    app: &App,
    store: &Store,
    slug: &str,
    id: i64,
    body: &Value,
) -> AppResult<Response> {
    let post = find(store, slug).await?;
    let (markdown, at) = validation::addendum(body).map_err(AppError::invalid)?;
    if at.is_some() {
        return Err(AppError::invalid_field(
            "at",
            "An addendum keeps its date: send only its body.",
        ));
    }
    let html = render(store, &markdown).await?.html;
    let before = history::before(store, post.id).await?;
    if !store
        .update_addendum(post.id, id, &markdown, &html, runtime::now())
        .await?
    {
        return Err(AppError::NotFound);
    }
    history::after(store, before).await?;
    purge_addenda_of(app, post).await;
    http::json_response(200, &json!({"id": id}))
}

/// `DELETE /admin/posts/{slug}/addenda/{id}`.
pub async fn delete_addendum(app: &App, store: &Store, slug: &str, id: i64) -> AppResult<Response> {
    let post = find(store, slug).await?;
    let before = history::before(store, post.id).await?;
    if !store.delete_addendum(post.id, id, runtime::now()).await? {
        return Err(AppError::NotFound);
    }
    history::after(store, before).await?;
    purge_addenda_of(app, post).await;
    http::no_content()
}

/// Drops the pages that show an entry's addenda (after a restore replaced them).
pub(crate) async fn purge_entry(app: &App, store: &Store, slug: &str) -> AppResult<()> {
    purge_addenda_of(app, find(store, slug).await?).await;
    Ok(())
}

/// Drops the pages that show a post's addenda.
async fn purge_addenda_of(app: &App, post: PostRecord) {
    let change = Change::Addendum {
        path: post.path,
        approved: post.approved,
    };
    app.purge(&invalidation::pages_to_drop(&change)).await;
}
