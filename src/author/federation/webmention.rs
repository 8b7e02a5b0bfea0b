//! Webmention, received (W3C): `POST /webmention` with `source` and `target` answers at once —
//! `400` when the target is not one of the blog's posts or the source is not an http(s) address
//! elsewhere, else `202` with a status address (`GET /webmention/{id}`). The check runs later,
//! from the queue: the source is fetched (redirects followed by hand, each address checked; 1 MB,
//! 10 s), must link to the target, and its `h-entry` says who wrote it and whether it is a reply,
//! like, repost or mention. A verified mention goes through the comment rules and moderation and
//! shows beside the pingbacks; a source that later drops the link, or answers 404 or 410, takes
//! its mention away.

use std::time::Duration;

use blog_core::federation::{host_of, is_blocked_host, may_fetch, retry_delay};
use blog_core::model::{CommentKind, NewComment};
use blog_core::spam::{self, Facts, Outcome};
use blog_core::webmention::{self, MentionKind};
use blog_core::{comment_text, invalidation};
use futures_util::future::{select, Either};
use serde_json::json;
use worker::worker_sys::web_sys;
use worker::{Fetch, Request, Response};

use crate::edge::error::{AppError, AppResult};
use crate::edge::{http, runtime, App};
use crate::store::{Store, Webmention};

/// Mentions one run checks.
const BATCH: u32 = 10;
/// Tries for a source that does not answer.
const MAX_ATTEMPTS: u32 = 5;
const MAX_SOURCE_BYTES: usize = 1024 * 1024;
const TIMEOUT: Duration = Duration::from_secs(10);
/// The longest text a mention shows.
const MAX_TEXT_CHARS: usize = 2000;

/// `POST /webmention`.
pub async fn receive(req: &mut Request, app: &App) -> AppResult<Response> {
    if req.method() != worker::Method::Post {
        return Err(AppError::MethodNotAllowed("POST"));
    }
    let body = http::read_body(
        req,
        "application/x-www-form-urlencoded",
        16 * 1024,
        "Send source and target as a form (application/x-www-form-urlencoded).",
    )
    .await?;
    let (mut source, mut target) = (String::new(), String::new());
    for (key, value) in form_urlencoded::parse(&body) {
        match &*key {
            "source" => source = value.trim().to_string(),
            "target" => target = value.trim().to_string(),
            _ => {}
        }
    }
    if source.is_empty() || target.is_empty() {
        return Err(AppError::BadRequest(
            "Send both source (the page that mentions) and target (the post it mentions).".into(),
        ));
    }
    let settings = app.settings().await?;
    let base = &settings.blog.base_url;
    if host_of(&source).is_none() {
        return Err(AppError::BadRequest(
            "source must be an http(s) address.".into(),
        ));
    }
    let own = |url: &str| host_of(url) == host_of(base);
    if own(&source) {
        return Err(AppError::BadRequest(
            "source is a page of this blog: a blog does not mention itself here.".into(),
        ));
    }
    let not_ours = || AppError::BadRequest("target is not one of this blog's posts.".into());
    let path = target
        .strip_prefix(base.as_str())
        .filter(|p| p.starts_with('/'))
        .ok_or_else(not_ours)?;
    let path = path.split(['#', '?']).next().unwrap_or(path);
    let now = runtime::now();
    let store = app.store()?;
    let post = store
        .commentable_post(path, now)
        .await?
        .ok_or_else(not_ours)?;
    let origin = origin_of(&source);
    let source_host = host_of(&source).unwrap_or_default();
    if is_blocked_host(source_host, &settings.fediverse.blocked_domains)
        || settings.spam.blocked_clients.contains(&origin)
    {
        return Err(AppError::Forbidden(
            "This blog does not take mentions from this site.".into(),
        ));
    }
    let id = store
        .receive_webmention(&source, &target, post.id, now)
        .await?;
    app.after_response(app.outbox_kick()).await;
    let location = format!("/webmention/{id}");
    let response = http::json_response(
        202,
        &json!({ "status": "queued", "location": format!("{base}{location}") }),
    )?;
    response.headers().set("Location", &location)?;
    Ok(response)
}

/// `GET /webmention/{id}`: how a mention's check stands.
pub async fn status(app: &App, id: &str) -> AppResult<Response> {
    let id = blog_core::routes::positive_id(id).ok_or(AppError::NotFound)?;
    let mention = app
        .store()?
        .webmention(id)
        .await?
        .ok_or(AppError::NotFound)?;
    http::json_response(
        200,
        &json!({
            "source": mention.source,
            "target": mention.target,
            "status": mention.status,
            "note": mention.note,
        }),
    )
}

/// `https://host` of an address.
fn origin_of(url: &str) -> String {
    let scheme_end = url.find("://").map_or(0, |i| i + 3);
    let host_end = url[scheme_end..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| scheme_end + i);
    url[..host_end].to_string()
}

/// One run of the checks; `true` when more are due now than a run takes.
pub async fn check_due(app: &App) -> AppResult<bool> {
    let store = app.store()?;
    let now = runtime::now();
    let claimed = store.claim_webmentions(now, BATCH).await?;
    for mention in &claimed {
        if let Err(e) = check(app, &store, mention, now).await {
            worker::console_error!(
                "checking the Webmention from {} failed: {e}",
                mention.source
            );
            let retry =
                (mention.attempts < MAX_ATTEMPTS).then(|| now + retry_delay(mention.attempts));
            let status = if retry.is_some() { "queued" } else { "refused" };
            store
                .webmention_checked(mention.id, status, Some(&e.to_string()), None, retry, now)
                .await?;
        }
    }
    Ok(claimed.len() == BATCH as usize)
}

/// What fetching a page gave.
enum Fetched {
    /// Its address after redirects, its `Link` headers, its HTML.
    Page {
        url: String,
        links: Vec<String>,
        html: String,
    },
    Gone(u16),
    Refused(String),
}

async fn check(app: &App, store: &Store, mention: &Webmention, now: i64) -> AppResult<()> {
    let settings = app.settings().await?;
    let base = settings.blog.base_url.clone();
    let fetched = fetch_page(&mention.source, &base).await?;
    let post_path = store
        .federated_post(mention.post_id)
        .await?
        .map(|p| p.path)
        .unwrap_or_default();
    let html = match fetched {
        Fetched::Page { html, .. } => html,
        Fetched::Gone(status) => {
            let note = format!("the source answers HTTP {status}");
            return take_away(app, store, mention, &post_path, &note, now).await;
        }
        Fetched::Refused(why) => {
            return take_away(app, store, mention, &post_path, &why, now).await;
        }
    };
    if !webmention::links_to(&html, &mention.target) {
        return take_away(
            app,
            store,
            mention,
            &post_path,
            "the source does not link to the post",
            now,
        )
        .await;
    }
    let entry = webmention::read_entry(&html, &mention.source, &mention.target);
    let host = host_of(&mention.source).unwrap_or_default().to_string();
    let name = entry
        .as_ref()
        .and_then(|e| e.author_name.clone())
        .filter(|n| !n.trim().is_empty())
        .unwrap_or(host);
    let kind = entry.as_ref().map_or(MentionKind::Mention, |e| e.kind);
    let text: String = match kind {
        MentionKind::Reply | MentionKind::Mention => entry
            .as_ref()
            .and_then(|e| e.content.clone())
            .unwrap_or_default(),
        MentionKind::Like | MentionKind::Repost => String::new(),
    };
    let text: String = text.chars().take(MAX_TEXT_CHARS).collect();
    let body = if text.trim().is_empty() {
        format!("{} {}.", name, kind.verb())
    } else {
        text
    };
    let body_html = comment_text::to_html(&body);
    if let Some(comment_id) = mention.comment_id {
        store
            .update_mention_comment(comment_id, &name, &body, &body_html)
            .await?;
        purge(app, store, mention.post_id, &post_path, now).await?;
        return store
            .webmention_checked(mention.id, "verified", None, None, None, now)
            .await
            .map_err(Into::into);
    }
    let origin = origin_of(&mention.source);
    let known = store.known_source(&origin).await?;
    let verdict = spam::judge(
        &settings.spam,
        &Facts {
            honeypot: "",
            seconds_since_form: i64::MAX,
            author: &name,
            email: "",
            url: Some(&mention.source),
            body: &body,
            known_commenter: known,
            client: &origin,
        },
    );
    let new = NewComment {
        post_id: mention.post_id,
        parent_id: None,
        author_name: &name,
        author_email: "",
        author_url: Some(&mention.source),
        body: &body,
        body_html: &body_html,
        status: verdict.outcome.status(),
        created_at: now,
        by_post_author: false,
        kind: CommentKind::Webmention,
        spam_reasons: &verdict.reasons,
        client_hash: Some(&origin),
        import_key: None,
    };
    let mail = match settings.mail.from.is_some() {
        true => store.mail_on_new_comment("", &origin, false, now)?,
        false => Vec::new(),
    };
    let comment_id = store.insert_comment_with(&new, mail).await?;
    store
        .webmention_checked(mention.id, "verified", None, comment_id, None, now)
        .await?;
    if verdict.outcome == Outcome::Approve {
        purge(app, store, mention.post_id, &post_path, now).await?;
    }
    worker::console_log!(
        "webmention from {} on {post_path}: {}",
        mention.source,
        verdict.outcome.status().as_str()
    );
    Ok(())
}

/// A mention whose source no longer stands: its comment goes, and the check says why.
async fn take_away(
    app: &App,
    store: &Store,
    mention: &Webmention,
    post_path: &str,
    why: &str,
    now: i64,
) -> AppResult<()> {
    let status = if let Some(comment_id) = mention.comment_id {
        store.delete_comment(comment_id).await?;
        purge(app, store, mention.post_id, post_path, now).await?;
        "removed"
    } else {
        "refused"
    };
    store
        .webmention_checked(mention.id, status, Some(why), None, None, now)
        .await?;
    Ok(())
}

async fn purge(app: &App, store: &Store, post_id: i64, path: &str, now: i64) -> AppResult<()> {
    if path.is_empty() {
        return Ok(());
    }
    let facts = store.comments_facts(post_id, now).await?;
    app.purge(&invalidation::comments_pages_to_drop(path, facts))
        .await;
    Ok(())
}

/// Fetches a page, following at most three redirects, each address checked first.
async fn fetch_page(page: &str, base: &str) -> AppResult<Fetched> {
    let mut url = page.to_string();
    for _ in 0..4 {
        if !may_fetch(&url, base) || host_of(&url) == host_of(base) {
            return Ok(Fetched::Refused(format!(
                "{url} is not an address the blog may ask (https, public hosts, not itself)"
            )));
        }
        let init = web_sys::RequestInit::new();
        init.set_method("GET");
        let headers = worker::Headers::new();
        headers.set("Accept", "text/html, */*;q=0.5")?;
        headers.set("User-Agent", "edge-blog (Webmention)")?;
        init.set_headers(&headers.0);
        // Redirects by hand: each address is checked before it is asked.
        js_sys::Reflect::set(&init, &"redirect".into(), &"manual".into())
            .map_err(|e| AppError::Internal(format!("{e:?}")))?;
        let request = web_sys::Request::new_with_str_and_init(&url, &init)
            .map(Request::from)
            .map_err(|e| AppError::BadRequest(format!("{url}: {e:?}")))?;
        let fetch = Fetch::Request(request);
        let fetching = std::pin::pin!(fetch.send());
        let timer = std::pin::pin!(worker::Delay::from(TIMEOUT));
        let mut response = match select(fetching, timer).await {
            Either::Left((Ok(response), _)) => response,
            Either::Left((Err(e), _)) => {
                return Err(AppError::Unavailable(format!("{url} did not answer: {e}")))
            }
            Either::Right(_) => {
                return Err(AppError::Unavailable(format!(
                    "{url} did not answer within {} s",
                    TIMEOUT.as_secs()
                )))
            }
        };
        let status = response.status_code();
        match status {
            200 => {
                let links: Vec<String> = response.headers().get("Link")?.into_iter().collect();
                let bytes = response.bytes().await?;
                if bytes.len() > MAX_SOURCE_BYTES {
                    return Ok(Fetched::Refused("the page is larger than 1 MB".into()));
                }
                return Ok(Fetched::Page {
                    url,
                    links,
                    html: String::from_utf8_lossy(&bytes).into_owned(),
                });
            }
            301 | 302 | 303 | 307 | 308 => {
                let location = response.headers().get("Location")?.unwrap_or_default();
                url = webmention::resolve(&url, &location).ok_or_else(|| {
                    AppError::Unavailable(format!("{url} redirects to {location:?}"))
                })?;
            }
            404 | 410 => return Ok(Fetched::Gone(status)),
            500.. => {
                return Err(AppError::Unavailable(format!(
                    "{url} answered HTTP {status}"
                )))
            }
            _ => return Ok(Fetched::Refused(format!("the page answers HTTP {status}"))),
        }
    }
    Ok(Fetched::Refused("the page redirects too often".into()))
}

/// Sends what is due: the links of posts published or edited since (scanned into one send per
/// link), then the sends, each to the endpoint its target names. `true`: more are due now.
pub async fn send_due(app: &App) -> AppResult<bool> {
    let store = app.store()?;
    let now = runtime::now();
    let base = app.blog().await?.base_url.clone();
    for post_id in store.take_mention_scans(now, 5).await? {
        let links = match store.federated_post(post_id).await? {
            Some(post) if post.is_public(now) => {
                let mut html = post.body_html.clone();
                let addenda: Vec<(String, i64)> =
                    serde_json::from_str(&post.addenda).unwrap_or_default();
                for (addendum, _) in addenda {
                    html.push_str(&addendum);
                }
                webmention::external_links(&html, &base)
            }
            _ => continue,
        };
        store.queue_mention_sends(post_id, &links, now).await?;
    }
    let claimed = store.claim_mention_sends(now, BATCH).await?;
    for send in &claimed {
        let (status, endpoint, note, retry) = match send_one(&store, send, &base, now).await {
            Ok((status, endpoint, note)) => (status, endpoint, note, None),
            Err(e) => {
                let retry =
                    (send.attempts < MAX_ATTEMPTS).then(|| now + retry_delay(send.attempts));
                ("failed", None, Some(e.to_string()), retry)
            }
        };
        store
            .mention_sent(send.id, status, endpoint.as_deref(), note.as_deref(), retry)
            .await?;
    }
    Ok(claimed.len() == BATCH as usize)
}

/// A send's outcome: its status, the endpoint found, and a note.
type SendOutcome = (&'static str, Option<String>, Option<String>);

/// Finds a target's endpoint and tells it.
async fn send_one(
    store: &Store,
    send: &crate::store::MentionSend,
    base: &str,
    now: i64,
) -> AppResult<SendOutcome> {
    let Some(post) = store.federated_post(send.post_id).await? else {
        return Ok(("failed", None, Some("the post is gone".into())));
    };
    if !post.is_public(now) {
        return Ok(("failed", None, Some("the post is not public".into())));
    }
    let (url, links, html) = match fetch_page(&send.target, base).await? {
        Fetched::Page { url, links, html } => (url, links, html),
        Fetched::Gone(status) => return Ok(("no-endpoint", None, Some(format!("HTTP {status}")))),
        Fetched::Refused(why) => return Ok(("no-endpoint", None, Some(why))),
    };
    let links: Vec<&str> = links.iter().map(String::as_str).collect();
    let Some(endpoint) = webmention::discover(&url, &links, &html) else {
        return Ok(("no-endpoint", None, None));
    };
    if !may_fetch(&endpoint, base) || host_of(&endpoint) == host_of(base) {
        return Ok((
            "failed",
            Some(endpoint),
            Some("the endpoint is not an address the blog may ask".into()),
        ));
    }
    let source = format!("{base}{}", post.path);
    let body: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("source", &source)
        .append_pair("target", &send.target)
        .finish();
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    let headers = worker::Headers::new();
    headers.set("Content-Type", "application/x-www-form-urlencoded")?;
    headers.set("User-Agent", "edge-blog (Webmention)")?;
    init.set_headers(&headers.0);
    init.set_body(&wasm_bindgen::JsValue::from_str(&body));
    let request = web_sys::Request::new_with_str_and_init(&endpoint, &init)
        .map(Request::from)
        .map_err(|e| AppError::BadRequest(format!("{endpoint}: {e:?}")))?;
    let fetch = Fetch::Request(request);
    let fetching = std::pin::pin!(fetch.send());
    let timer = std::pin::pin!(worker::Delay::from(TIMEOUT));
    let status = match select(fetching, timer).await {
        Either::Left((Ok(mut response), _)) => {
            let _ = response.bytes().await;
            response.status_code()
        }
        Either::Left((Err(e), _)) => return Err(AppError::Unavailable(format!("{endpoint}: {e}"))),
        Either::Right(_) => {
            return Err(AppError::Unavailable(format!("{endpoint} did not answer")))
        }
    };
    match status {
        200..=299 => Ok(("sent", Some(endpoint), None)),
        500.. => Err(AppError::Unavailable(format!(
            "{endpoint} answered HTTP {status}"
        ))),
        _ => Ok(("failed", Some(endpoint), Some(format!("HTTP {status}")))),
    }
}
