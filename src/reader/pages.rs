//! Serving a reader's page from the nearest layer that has it (see `edge::cache`): this data
//! centre's Cache API, then KV, then D1 and the templates. A copy goes back into the layers it
//! missed.

use blog_core::model::{self, PostPage};
use blog_core::routes::{Page, COMMENT_THREADS_PER_PAGE, PER_PAGE};
use blog_core::token;
use worker::{Headers, Request, Response};

use super::views::{self, FormView};
use crate::edge::cache::{self, CachedPage};
use crate::edge::error::{AppError, AppResult};
use crate::edge::layout::SubscribeForm;
use crate::edge::runtime::{self, IntlZone};
use crate::edge::{http, App};

/// Posts in the feeds.
const FEED_POSTS: u32 = 20;
/// Comments in a post's comment feed (the newest).
const FEED_COMMENTS: u32 = 50;

pub async fn serve(req: &Request, app: &App, page: Page) -> AppResult<Response> {
    let edge_key = cache::edge_key(app.origin(), &page);
    let force_miss = app.bench_force_miss(req);
    if !force_miss {
        if let Some(found) = cache::edge_get(&edge_key).await {
            return edge_response(req, found);
        }
    }
    let kv = app.kv();
    let mut state = "hit";
    let cached = match kv.as_ref() {
        Some(kv) if !force_miss => cache::get(kv, &page).await,
        _ => None,
    };
    let cached = match cached {
        Some(cached) => cached,
        None => {
            let rendered = render(app, &page).await?;
            let cached = CachedPage::new(rendered.html);
            if !rendered.cacheable {
                // Kept out of every cache until the author Worker stores fresh renders.
                let headers = page_headers(&page, &cached.etag, "uncached")?;
                headers.set("Cache-Control", http::NO_STORE)?;
                return Ok(Response::from_bytes(cached.html.into_bytes())?.with_headers(headers));
            }
            state = "miss";
            if let Some(kv) = app.binding("CACHE") {
                cache::put(&kv, &page, &cached).await;
            }
            cached
        }
    };
    let copy = cache::edge_response(&cached, page_headers(&page, &cached.etag, "edge")?)?;
    app.after_response(cache::edge_put(edge_key, copy)).await;
    page_response(req, &page, &cached, state)
}

/// A page that this data centre's Cache API had: passed on as it is, or as a 304.
fn edge_response(req: &Request, found: Response) -> AppResult<Response> {
    if let Some(if_none_match) = req.headers().get("If-None-Match")? {
        let etag = found.headers().get("ETag")?.unwrap_or_default();
        if !etag.is_empty() && cache::etag_matches(&if_none_match, &etag) {
            let headers = found.headers().clone();
            return Ok(Response::empty()?.with_status(304).with_headers(headers));
        }
    }
    Ok(found)
}

fn page_headers(page: &Page, etag: &str, cache_state: &str) -> AppResult<Headers> {
    let headers = http::html_headers(cache::PAGE_CACHE_CONTROL)?;
    headers.set("Content-Type", page.content_type())?;
    headers.set("ETag", etag)?;
    headers.set("Cache-Tag", &cache::cache_tags(page))?;
    headers.set("X-Blog-Cache", cache_state)?;
    if let Page::Entry { .. } = page {
        headers.set("Link", "</webmention>; rel=\"webmention\"")?;
    }
    Ok(headers)
}

fn page_response(
    req: &Request,
    page: &Page,
    cached: &CachedPage,
    cache_state: &str,
) -> AppResult<Response> {
    let headers = page_headers(page, &cached.etag, cache_state)?;
    let if_none_match = req.headers().get("If-None-Match")?.unwrap_or_default();
    if cache::etag_matches(&if_none_match, &cached.etag) {
        return Ok(Response::empty()?.with_status(304).with_headers(headers));
    }
    Ok(Response::from_bytes(cached.html.as_bytes().to_vec())?.with_headers(headers))
}

/// A page rendered from D1. Not `cacheable` when it shows rows whose stored HTML is stale (see
/// `blog_core::model::renderer`): such a page is right for now but must not outlive the fresh
/// renders.
struct RenderedPage {
    html: String,
    cacheable: bool,
}

async fn render(app: &App, page: &Page) -> AppResult<RenderedPage> {
    let fresh = |html| RenderedPage {
        html,
        cacheable: true,
    };
    let blog = app.blog().await?;
    if let Page::Robots = page {
        return Ok(fresh(views::robots(blog)?));
    }
    let store = app.store()?;
    let zone = IntlZone::new(&blog.time_zone);
    let now = runtime::now();
    let offset = |page: u32| (page - 1).saturating_mul(PER_PAGE);
    Ok(match page {
        Page::Home { page } => {
            let listing = store.listing(now, PER_PAGE, offset(*page)).await?;
            if *page > 1 && listing.posts.is_empty() {
                return Err(AppError::NotFound);
            }
            RenderedPage {
                html: views::home(blog, &zone, &listing, *page)?,
                cacheable: !listing.is_stale(),
            }
        }
        Page::Tag { tag, page } => {
            let (name, listing) = store
                .tag_listing(tag, now, PER_PAGE, offset(*page))
                .await?
                .filter(|(_, listing)| !listing.posts.is_empty())
                .ok_or(AppError::NotFound)?;
            RenderedPage {
                html: views::tag(blog, &zone, tag, &name, &listing, *page)?,
                cacheable: !listing.is_stale(),
            }
        }
        Page::Entry { path } | Page::EntryComments { path, .. } => {
            let comment_page = match page {
                Page::EntryComments { page, .. } => *page,
                _ => 1,
            };
            let data: PostPage = store
                .post_page(path, now, comment_page, COMMENT_THREADS_PER_PAGE)
                .await?
                .filter(|data| comment_page == 1 || !data.comments.is_empty())
                .ok_or(AppError::NotFound)?;
            // The token is issued now and stays valid longer than the page stays cached.
            let token = app
                .form_secret()
                .map(|secret| token::issue_form_token(&secret, data.post.id, now))
                .unwrap_or_default();
            let settings = app.settings().await?;
            let subscribe = settings
                .newsletter
                .enabled
                .then(|| SubscribeForm::new(data.post.id, &token));
            let mut form = FormView::new(path, token);
            form.offer_notify = settings.mail.from.is_some();
            RenderedPage {
                html: views::post(blog, &zone, &data, comment_page, form, subscribe)?,
                cacheable: !data.is_stale(),
            }
        }
        Page::CommentFeed { path } => {
            let data = store
                .post_page(path, now, 1, 0)
                .await?
                .ok_or(AppError::NotFound)?;
            let latest = store.latest_comments(data.post.id, FEED_COMMENTS).await?;
            fresh(views::comment_feed(blog, &data.post, &latest)?)
        }
        Page::AtomFeed | Page::RssFeed => {
            let (posts, addenda) = store.feed(now, FEED_POSTS).await?;
            let html = match page {
                Page::AtomFeed => views::atom(blog, &zone, &posts, &addenda)?,
                _ => views::rss(blog, &zone, &posts, &addenda)?,
            };
            RenderedPage {
                html,
                cacheable: !model::feed_is_stale(&posts, &addenda),
            }
        }
        Page::Sitemap => fresh(views::sitemap(blog, &store.sitemap(now).await?)?),
        Page::Robots => fresh(views::robots(blog)?),
    })
}
