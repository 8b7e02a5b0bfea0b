//! Other servers, as the blog asks them: actors fetched (with a signed GET, as servers in
//! "secure mode" require) and kept with their keys, and signed POSTs to their inboxes. Every
//! address is checked before it is asked (no private or loopback hosts on a public blog), every
//! answer bounded in size and time.

use std::time::Duration;

use blog_core::federation::inbound::id_of;
use blog_core::federation::signature::Outgoing;
use blog_core::federation::{host_of, may_fetch, Paths};
use futures_util::future::{select, Either};
use serde_json::Value;
use worker::worker_sys::web_sys;
use worker::{Fetch, Headers, Request};

use super::super::webcrypto;
use crate::edge::runtime;
use crate::edge::App;
use crate::store::RemoteActor;

/// How long a remote server may take to answer.
const TIMEOUT: Duration = Duration::from_secs(10);
/// The largest document the blog reads from another server.
pub const MAX_DOCUMENT_BYTES: usize = 1024 * 1024;
/// A kept actor is fetched again after this long, or at once when its key fails.
const ACTOR_SECONDS: i64 = 24 * 3600;

/// Why asking another server failed (logged, or told to the sender of an activity).
#[derive(Debug)]
pub struct RemoteError(pub String);

impl std::fmt::Display for RemoteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn fail<T>(why: impl Into<String>) -> Result<T, RemoteError> {
    Err(RemoteError(why.into()))
}

/// The signing identity: the blog's key id and private key.
pub struct Signer<'a> {
    pub key_id: String,
    pub private_key: &'a str,
}

impl<'a> Signer<'a> {
    pub fn new(paths: &Paths<'_>, private_key: &'a str) -> Self {
        Signer {
            key_id: paths.key_id(),
            private_key,
        }
    }

    async fn headers(
        &self,
        method: &str,
        url: &str,
        body: Option<&[u8]>,
        content_type: &str,
    ) -> Result<Headers, RemoteError> {
        let out = Outgoing::new(method, url, body, content_type, runtime::now());
        let signature = webcrypto::sign(self.private_key, out.signed.as_bytes())
            .await
            .map_err(|e| RemoteError(format!("signing failed: {e:?}")))?;
        let headers = Headers::new();
        let set = |name: &str, value: &str| {
            headers
                .set(name, value)
                .map_err(|e| RemoteError(format!("header {name}: {e}")))
        };
        set("Date", &out.date)?;
        if let Some(digest) = &out.digest {
            set("Digest", digest)?;
            set("Content-Type", content_type)?;
        } else {
            set("Accept", "application/activity+json, application/ld+json")?;
        }
        set("Signature", &out.signature_header(&self.key_id, &signature))?;
        set("User-Agent", "edge-blog (ActivityPub)")?;
        Ok(headers)
    }
}

/// A request built with web-sys itself: the `worker` crate's `RequestInit` links serde's
/// serializer for its `cf` options.
fn build_request(
    method: &str,
    url: &str,
    headers: &Headers,
    body: Option<&str>,
) -> Result<Request, RemoteError> {
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    init.set_headers(&headers.0);
    if let Some(body) = body {
        init.set_body(&wasm_bindgen::JsValue::from_str(body));
    }
    web_sys::Request::new_with_str_and_init(url, &init)
        .map(Request::from)
        .map_err(|e| RemoteError(format!("{url}: {e:?}")))
}

/// Sends `request` and waits at most [`TIMEOUT`].
async fn send(request: Request) -> Result<worker::Response, RemoteError> {
    let fetch = Fetch::Request(request);
    let fetching = std::pin::pin!(fetch.send());
    let timer = std::pin::pin!(worker::Delay::from(TIMEOUT));
    match select(fetching, timer).await {
        Either::Left((Ok(response), _)) => Ok(response),
        Either::Left((Err(e), _)) => fail(format!("no answer: {e}")),
        Either::Right(_) => fail(format!("no answer within {} s", TIMEOUT.as_secs())),
    }
}

/// GETs an ActivityPub document, signed.
pub async fn get_document(
    url: &str,
    base: &str,
    signer: &Signer<'_>,
) -> Result<Value, RemoteError> {
    if !may_fetch(url, base) {
        return fail(format!(
            "{url} is not an address the blog may ask (https, public hosts)"
        ));
    }
    if url.starts_with(base) {
        return fail("the blog does not ask itself");
    }
    let headers = signer.headers("GET", url, None, "").await?;
    let request = build_request("GET", url, &headers, None)?;
    let mut response = send(request).await?;
    let status = response.status_code();
    if status != 200 {
        return fail(format!("{url} answered HTTP {status}"));
    }
    let bytes = response
        .bytes()
        .await
        .map_err(|e| RemoteError(format!("{url}: {e}")))?;
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return fail(format!(
            "{url} is larger than {} KB",
            MAX_DOCUMENT_BYTES / 1024
        ));
    }
    serde_json::from_slice(&bytes).map_err(|e| RemoteError(format!("{url} is not JSON: {e}")))
}

/// POSTs an activity to an inbox, signed; the HTTP status, or why there was none.
pub async fn post_activity(
    inbox: &str,
    body: &str,
    base: &str,
    signer: &Signer<'_>,
) -> Result<u16, RemoteError> {
    if !may_fetch(inbox, base) {
        return fail(format!("{inbox} is not an address the blog may deliver to"));
    }
    let content_type = "application/activity+json";
    let headers = signer
        .headers("POST", inbox, Some(body.as_bytes()), content_type)
        .await?;
    let request = build_request("POST", inbox, &headers, Some(body))?;
    let mut response = send(request).await?;
    let status = response.status_code();
    // The body is read (and dropped) so that the connection is released.
    let _ = response.bytes().await;
    Ok(status)
}

/// An actor document read into what the blog keeps. The document's id must be the address it
/// was fetched from (no server speaks for another's actors).
fn read_actor(doc: &Value, fetched_from: &str, now: i64) -> Result<RemoteActor, RemoteError> {
    let id = doc.get("id").and_then(Value::as_str).unwrap_or_default();
    let from = fetched_from.split('#').next().unwrap_or_default();
    if id != from {
        return fail(format!("the document at {from} says it is {id:?}"));
    }
    let inbox = doc.get("inbox").and_then(Value::as_str).unwrap_or_default();
    if host_of(inbox).is_none() {
        return fail(format!("{id} has no inbox"));
    }
    let key = match doc.get("publicKey") {
        Some(Value::Array(keys)) => keys.first(),
        other => other,
    }
    .ok_or_else(|| RemoteError(format!("{id} has no publicKey")))?;
    let key_id = key.get("id").and_then(Value::as_str).unwrap_or_default();
    let pem = key
        .get("publicKeyPem")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let owner = id_of(key.get("owner")).unwrap_or_default();
    if owner != id || host_of(key_id) != host_of(id) || pem.is_empty() {
        return fail(format!("{id}'s key is not its own"));
    }
    let user = doc
        .get("preferredUsername")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let name = doc
        .get("name")
        .and_then(Value::as_str)
        .filter(|n| !n.trim().is_empty())
        .unwrap_or(user);
    let host = host_of(id).unwrap_or_default();
    Ok(RemoteActor {
        id: id.to_string(),
        key_id: key_id.to_string(),
        public_key: pem.to_string(),
        inbox: inbox.to_string(),
        shared_inbox: doc
            .get("endpoints")
            .and_then(|e| e.get("sharedInbox"))
            .and_then(Value::as_str)
            .filter(|s| host_of(s) == Some(host))
            .map(str::to_string),
        name: name.chars().take(100).collect(),
        handle: format!("@{user}@{host}"),
        url: id_of(doc.get("url")).filter(|u| host_of(u).is_some()),
        fetched_at: now,
    })
}

/// The actor `id` (or the owner of key `id`), from the kept ones unless `refresh` or stale,
/// else fetched and kept.
pub async fn actor(
    app: &App,
    id: &str,
    by_key: bool,
    refresh: bool,
    signer: &Signer<'_>,
    base: &str,
) -> Result<RemoteActor, RemoteError> {
    let store = app.store().map_err(|e| RemoteError(e.to_string()))?;
    let kept = if by_key {
        store.remote_actor_by_key(id).await
    } else {
        store.remote_actor(id).await
    }
    .map_err(|e| RemoteError(e.to_string()))?;
    if let Some(kept) = kept {
        if !refresh && runtime::now() - kept.fetched_at < ACTOR_SECONDS {
            return Ok(kept);
        }
    }
    // A key id is its actor's address with a fragment (Mastodon, Fedify), or a key document
    // that names its owner.
    let url = id.split('#').next().unwrap_or(id);
    let doc = get_document(url, base, signer).await?;
    let actor_doc = if doc.get("inbox").is_some() {
        doc
    } else {
        let owner = id_of(doc.get("owner")).ok_or_else(|| {
            RemoteError(format!("{url} is neither an actor nor a key with an owner"))
        })?;
        if host_of(&owner) != host_of(url) {
            return fail(format!("the key {url} names an owner on another host"));
        }
        get_document(&owner, base, signer).await?
    };
    let fetched_from = actor_doc
        .get("id")
        .and_then(Value::as_str)
        .filter(|_| by_key)
        .map_or(url.to_string(), str::to_string);
    if by_key && host_of(&fetched_from) != host_of(url) {
        return fail("the key's actor is on another host");
    }
    let actor = read_actor(&actor_doc, &fetched_from, runtime::now())?;
    if by_key && actor.key_id != id {
        return fail(format!("{} does not publish the key {id}", actor.id));
    }
    store
        .save_remote_actor(&actor)
        .await
        .map_err(|e| RemoteError(e.to_string()))?;
    Ok(actor)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_actor_must_be_what_it_says() {
        let doc = json!({
            "id": "https://social.example/users/alice", "type": "Person", "preferredUsername": "alice",
            "name": "Alice", "inbox": "https://social.example/users/alice/inbox",
            "endpoints": {"sharedInbox": "https://social.example/inbox"},
            "url": "https://social.example/@alice",
            "publicKey": {"id": "https://social.example/users/alice#main-key", "owner": "https://social.example/users/alice", "publicKeyPem": "PEM"}
        });
        let actor = read_actor(&doc, "https://social.example/users/alice#main-key", 0).unwrap();
        assert_eq!(actor.handle, "@alice@social.example");
        assert_eq!(
            actor.shared_inbox.as_deref(),
            Some("https://social.example/inbox")
        );
        assert!(read_actor(&doc, "https://other.example/users/alice", 0).is_err());
        let mut stolen = doc.clone();
        stolen["publicKey"]["owner"] = json!("https://social.example/users/bob");
        assert!(read_actor(&stolen, "https://social.example/users/alice", 0).is_err());
    }
}
