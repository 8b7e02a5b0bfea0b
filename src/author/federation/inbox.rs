//! The inbox (`POST /ap/inbox`, the actor's and the shared one): a request is checked before
//! anything of it is stored — its size, its signature (the digest of its body, its date, the
//! key of the actor it names), the servers and accounts the author blocked — then its activity
//! is done: a follow kept and accepted, a reply stored as a comment through the comment rules,
//! an edit or deletion applied, a like or boost counted.

use blog_core::federation::inbound::{self, Inbound, Note};
use blog_core::federation::signature::{self, SignedRequest};
use blog_core::federation::{host_of, is_blocked_host, LocalObject};
use blog_core::model::{CommentKind, NewComment};
use blog_core::spam::{self, Facts, Outcome};
use blog_core::{comment_text, invalidation, routes};
use serde_json::Value;
use worker::{Request, Response};

use super::remote::{self, Signer};
use super::Identity;
use crate::edge::error::{AppError, AppResult};
use crate::edge::{http, runtime, App};
use crate::store::RemoteActor;

/// The largest activity the inbox reads.
const MAX_ACTIVITY_BYTES: usize = 256 * 1024;
/// Follows and replies one server may send in [`FLOOD_WINDOW`] before it is told to wait.
const FLOOD_LIMIT: u32 = 100;
const FLOOD_WINDOW: i64 = 600;

pub async fn receive(req: &mut Request, app: &App) -> AppResult<Response> {
    if req.method() != worker::Method::Post {
        return Err(AppError::MethodNotAllowed("POST"));
    }
    let too_large = || {
        AppError::PayloadTooLarge(format!(
            "An activity may be at most {} KB.",
            MAX_ACTIVITY_BYTES / 1024
        ))
    };
    let header = |name: &str| req.headers().get(name).ok().flatten();
    if header("Content-Length")
        .and_then(|n| n.parse::<usize>().ok())
        .is_some_and(|n| n > MAX_ACTIVITY_BYTES)
    {
        return Err(too_large());
    }
    let body = req
        .bytes()
        .await
        .map_err(|e| AppError::BadRequest(format!("The body could not be read: {e}")))?;
    if body.len() > MAX_ACTIVITY_BYTES {
        return Err(too_large());
    }
    let activity: Value = serde_json::from_slice(&body)
        .map_err(|e| AppError::BadRequest(format!("The body is not JSON: {e}")))?;
    let actor_id = inbound::id_of(activity.get("actor"))
        .ok_or_else(|| AppError::BadRequest("The activity names no actor.".into()))?;

    let settings = app.settings().await?;
    let blocked = |url: &str| {
        host_of(url).is_some_and(|h| is_blocked_host(h, &settings.fediverse.blocked_domains))
            || settings.spam.blocked_clients.iter().any(|c| c == url)
    };
    if blocked(&actor_id) {
        return Err(AppError::Forbidden(
            "This blog does not take activities from this account or server.".into(),
        ));
    }

    // The signature: read, then checked with the key of the actor it names.
    let url = req.inner().url();
    let method = req.method().to_string();
    let headers = req.headers().clone();
    let lookup = move |name: &str| headers.get(name).ok().flatten();
    let signed = signature::read(
        &SignedRequest {
            method: &method,
            url: &url,
            header: &lookup,
            body: &body,
        },
        runtime::now(),
    )
    .map_err(|e| AppError::Unauthorized(format!("The signature was refused: {e}.")))?;
    if blocked(&signed.key_id) {
        return Err(AppError::Forbidden(
            "This blog does not take activities from this server.".into(),
        ));
    }
    let identity = Identity::of(app).await?;
    let paths = identity.paths();
    let private_key = app.fediverse_key().ok_or(AppError::NotFound)?;
    let signer = Signer::new(&paths, &private_key);
    let is_actor_delete = activity.get("type").and_then(Value::as_str) == Some("Delete")
        && inbound::id_of(activity.get("object")).as_deref() == Some(actor_id.as_str());
    let signer_actor = match verified_signer(app, &signed, &signer, &identity.base).await {
        Ok(actor) => actor,
        // A deleted account's key can no longer be fetched; one the blog never met has left
        // nothing here to delete.
        Err(e) if is_actor_delete => {
            worker::console_log!(
                "inbox: a Delete of {actor_id} could not be verified ({e}); nothing kept of it"
            );
            return accepted("Nothing of this account is kept here.");
        }
        Err(e) => return Err(e),
    };
    if signer_actor.id != actor_id {
        return Err(AppError::Unauthorized(format!(
            "The request is signed by {}, not by the activity's actor {actor_id}.",
            signer_actor.id
        )));
    }

    let read = inbound::read(&activity).map_err(|why| AppError::BadRequest(format!("{why}.")))?;
    let store = app.store()?;
    let now = runtime::now();
    if matches!(
        read,
        Inbound::Follow { .. } | Inbound::Note { edit: false, .. }
    ) {
        // A flood of follows or replies from one server waits (the accounts on it are many).
        let origin = actor_id
            .find("://")
            .and_then(|at| {
                actor_id[at + 3..]
                    .find('/')
                    .map(|slash| &actor_id[..at + 3 + slash])
            })
            .unwrap_or(&actor_id);
        if store.recent_from_server(origin, now - FLOOD_WINDOW).await? >= FLOOD_LIMIT {
            return Err(AppError::TooManyRequests(format!(
                "Too many follows and replies from this server; send again in {} minutes.",
                FLOOD_WINDOW / 60
            )));
        }
    }
    match read {
        Inbound::Follow {
            id,
            actor,
            activity,
        } => {
            if inbound::id_of(activity.get("object")).as_deref() != Some(paths.actor().as_str()) {
                return accepted("Only the blog's own account can be followed here.");
            }
            store
                .follow(&signer_actor, &activity.to_string(), &id, now)
                .await?;
            worker::console_log!("fediverse: {actor} follows");
            app.after_response(app.outbox_kick()).await;
            accepted("Followed; an Accept is on its way.")
        }
        Inbound::Unfollow { actor } => {
            store.unfollow(&actor).await?;
            accepted("No longer followed.")
        }
        Inbound::Note { note, edit } => receive_note(app, &paths, &signer_actor, note, edit).await,
        Inbound::Delete { actor, object } => {
            if object == actor {
                let paths_touched = store.forget_remote_actor(&actor).await?;
                purge_posts(app, &paths_touched).await?;
                return accepted("Everything this account sent is removed.");
            }
            match store.delete_fediverse_comment(&object, &actor).await? {
                Some(path) => {
                    purge_posts(app, &[path]).await?;
                    accepted("The reply is removed.")
                }
                None => accepted("Nothing with this id is kept here."),
            }
        }
        Inbound::Reaction {
            id,
            actor,
            kind,
            object,
        } => {
            let Some(post_id) = post_of(app, &paths, &object).await? else {
                return accepted("Only the blog's posts can be liked or boosted here.");
            };
            if let Some(path) = store
                .add_reaction(&id, post_id, &actor, kind.as_str(), now)
                .await?
            {
                purge_posts(app, &[path]).await?;
            }
            accepted("Counted.")
        }
        Inbound::UndoReaction { actor, id } => {
            if let Some(path) = store.remove_reaction(&id, &actor).await? {
                purge_posts(app, &[path]).await?;
            }
            accepted("Taken back.")
        }
        Inbound::Ignored(kind) => accepted(&format!("{kind} is not something this blog acts on.")),
    }
}

/// The actor whose key made `signed`, verified: the kept key first, and once more with the key
/// fetched again when that fails (keys rotate).
async fn verified_signer(
    app: &App,
    signed: &signature::Signature,
    signer: &Signer<'_>,
    base: &str,
) -> AppResult<RemoteActor> {
    let refused =
        |why: String| AppError::Unauthorized(format!("The signature was refused: {why}."));
    let mut refresh = false;
    loop {
        let actor = remote::actor(app, &signed.key_id, true, refresh, signer, base)
            .await
            .map_err(|e| refused(format!("its key could not be had ({e})")))?;
        let fresh = runtime::now() - actor.fetched_at < 5;
        let ok = super::super::webcrypto::verify_pem(
            &actor.public_key,
            signed.signed.as_bytes(),
            &signed.signature,
        )
        .await
        .unwrap_or(false);
        if ok {
            return Ok(actor);
        }
        if refresh || fresh {
            return Err(refused(format!(
                "it does not verify with the key {}",
                signed.key_id
            )));
        }
        refresh = true;
    }
}

/// The post one of the blog's ids or page addresses names.
async fn post_of(
    app: &App,
    paths: &blog_core::federation::Paths<'_>,
    object: &str,
) -> AppResult<Option<i64>> {
    let store = app.store()?;
    Ok(match paths.object_of(object) {
        Some(LocalObject::Post(id)) => Some(id),
        Some(LocalObject::Page(path)) => store
            .federated_post_at(&path, runtime::now())
            .await?
            .map(|p| p.id),
        _ => None,
    })
}

async fn receive_note(
    app: &App,
    paths: &blog_core::federation::Paths<'_>,
    actor: &RemoteActor,
    note: Note,
    edit: bool,
) -> AppResult<Response> {
    let store = app.store()?;
    let now = runtime::now();
    let existing = store.fediverse_comment(&note.id).await?;
    if let Some(existing) = existing {
        if !edit {
            return accepted("This reply is already here.");
        }
        let html = comment_text::to_html(&note.text);
        store
            .edit_fediverse_comment(&note.id, &actor.id, &note.text, &html)
            .await?;
        purge_posts(app, &[existing.path]).await?;
        return accepted("The reply is updated.");
    }
    // What it answers: a post (by id or address), one of the blog's comments, or a reply
    // already kept here.
    let Some(in_reply_to) = note.in_reply_to.as_deref() else {
        return accepted("Only replies to the blog's posts are kept.");
    };
    let (post_id, parent) = match paths.object_of(in_reply_to) {
        Some(LocalObject::Comment(id)) => match store.comment(id).await? {
            Some(c) => (c.post_id, Some(id)),
            None => return accepted("The comment this answers is not here."),
        },
        Some(_) => match post_of(app, paths, in_reply_to).await? {
            Some(id) => (id, None),
            None => return accepted("This is not a reply to one of the blog's posts."),
        },
        None => match store.fediverse_comment(in_reply_to).await? {
            Some(c) => (c.post_id, Some(c.id)),
            None => return accepted("This is not a reply to one of the blog's posts."),
        },
    };
    let post = store
        .federated_post(post_id)
        .await?
        .filter(|p| p.is_public(now))
        .ok_or(AppError::NotFound)?;
    let settings = app.settings().await?;
    let commentable = store.commentable_post(&post.path, now).await?;
    let closed = commentable.as_ref().is_none_or(|c| {
        !c.comments_open
            || settings
                .comments_close_after_days
                .is_some_and(|days| now - c.published_at > days.saturating_mul(86_400))
    });
    if closed {
        return Err(AppError::Forbidden(
            "Comments are closed on this post.".into(),
        ));
    }
    if note.text.trim().is_empty() {
        return accepted("An empty reply is not kept.");
    }
    let config = &settings.spam;
    let checks = store
        .comment_checks(
            post_id,
            &actor.id,
            now - config.rate_window_seconds,
            "",
            parent,
        )
        .await?;
    if let Some(wait) = spam::retry_after(config, checks.recent, checks.oldest_recent, now) {
        return Err(AppError::TooManyRequests(format!(
            "Too many replies from this account; send again in {wait} seconds."
        )));
    }
    let known = store.known_remote_commenter(&actor.id).await?;
    let profile = actor.url.clone().unwrap_or_else(|| actor.id.clone());
    let verdict = spam::judge(
        config,
        &Facts {
            honeypot: "",
            seconds_since_form: i64::MAX,
            author: &actor.name,
            email: "",
            url: Some(&profile),
            body: &note.text,
            known_commenter: known,
            client: &actor.id,
        },
    );
    let name = if actor.name.trim().is_empty() {
        actor.handle.clone()
    } else {
        actor.name.clone()
    };
    let new = NewComment {
        post_id,
        parent_id: parent.filter(|_| checks.parent_ok),
        author_name: &name,
        author_email: "",
        author_url: Some(&profile),
        body: &note.text,
        body_html: &comment_text::to_html(&note.text),
        status: verdict.outcome.status(),
        created_at: now,
        by_post_author: false,
        kind: CommentKind::Comment,
        spam_reasons: &verdict.reasons,
        client_hash: Some(&actor.id),
        import_key: None,
    };
    // The author hears of a reply that waits, as of a comment from the form.
    let mail_on = settings.mail.from.is_some();
    let mail = match mail_on {
        true => store.mail_on_new_comment("", &actor.id, false, now)?,
        false => Vec::new(),
    };
    let id = store
        .insert_fediverse_comment(&new, &note.id, &actor.id, mail)
        .await?;
    if mail_on {
        app.after_response(app.outbox_kick()).await;
    }
    if verdict.outcome == Outcome::Approve {
        let facts = app.store()?.comments_facts(post_id, now).await?;
        app.purge(&invalidation::comments_pages_to_drop(&post.path, facts))
            .await;
    }
    worker::console_log!(
        "fediverse: reply {} from {} on {} is {}",
        id.unwrap_or_default(),
        actor.handle,
        post.path,
        verdict.outcome.status().as_str()
    );
    accepted("The reply is kept.")
}

/// Drops the cached pages of posts whose replies or counts changed.
async fn purge_posts(app: &App, paths: &[String]) -> AppResult<()> {
    let now = runtime::now();
    let store = app.store()?;
    for path in paths {
        if let Some(post) = store.federated_post_at(path, now).await? {
            let facts = store.comments_facts(post.id, now).await?;
            app.purge(&invalidation::comments_pages_to_drop(path, facts))
                .await;
        } else {
            app.purge(&[routes::Page::Entry { path: path.clone() }])
                .await;
        }
    }
    Ok(())
}

fn accepted(message: &str) -> AppResult<Response> {
    http::json_response(202, &serde_json::json!({ "ok": message }))
}
