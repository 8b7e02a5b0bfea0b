//! Akismet's `comment-check` (optional: only with the `AKISMET_KEY` secret). Its "spam" marks a
//! comment as spam; an error or a time-out holds it for moderation rather than losing it.

use std::time::Duration;

use futures_util::future::{select, Either};
use wasm_bindgen::JsValue;
use worker::worker_sys::web_sys;
use worker::{AbortController, Delay, Fetch, Headers, Request};

pub const DEFAULT_ENDPOINT: &str = "https://rest.akismet.com/1.1/comment-check";
const TIMEOUT: Duration = Duration::from_secs(3);

/// The documented fields of a `comment-check` call.
pub struct Check<'a> {
    pub api_key: &'a str,
    pub blog: &'a str,
    pub user_ip: &'a str,
    pub user_agent: &'a str,
    pub referrer: &'a str,
    pub permalink: &'a str,
    pub author: &'a str,
    pub email: &'a str,
    pub url: &'a str,
    pub content: &'a str,
    /// RFC 3339.
    pub date_gmt: &'a str,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Answer {
    Spam,
    Ham,
    Error(String),
}

/// The urlencoded request body.
pub fn form_body(check: &Check<'_>) -> String {
    form_urlencoded::Serializer::new(String::new())
        .append_pair("api_key", check.api_key)
        .append_pair("blog", check.blog)
        .append_pair("user_ip", check.user_ip)
        .append_pair("user_agent", check.user_agent)
        .append_pair("referrer", check.referrer)
        .append_pair("permalink", check.permalink)
        .append_pair("comment_type", "comment")
        .append_pair("comment_author", check.author)
        .append_pair("comment_author_email", check.email)
        .append_pair("comment_author_url", check.url)
        .append_pair("comment_content", check.content)
        .append_pair("comment_date_gmt", check.date_gmt)
        .append_pair("blog_lang", "en")
        .append_pair("blog_charset", "UTF-8")
        .finish()
}

/// Akismet answers `true` (spam) or `false` (ham) with status 200; anything else is an error
/// (its `X-akismet-debug-help` header says why).
pub fn interpret(status: u16, body: &str, debug_help: Option<&str>) -> Answer {
    match (status, body.trim()) {
        (200, "true") => Answer::Spam,
        (200, "false") => Answer::Ham,
        _ => Answer::Error(format!(
            "HTTP {status}: {}",
            debug_help
                .unwrap_or(body.trim())
                .chars()
                .take(200)
                .collect::<String>()
        )),
    }
}

/// Calls Akismet, giving up after a few seconds.
pub async fn check(endpoint: &str, check: &Check<'_>) -> Answer {
    match call(endpoint, check).await {
        Ok(answer) => answer,
        Err(e) => Answer::Error(e),
    }
}

async fn call(endpoint: &str, check: &Check<'_>) -> Result<Answer, String> {
    let headers = Headers::new();
    headers
        .set("Content-Type", "application/x-www-form-urlencoded")
        .map_err(|e| e.to_string())?;
    headers
        .set("User-Agent", "edge-blog/0.1 | Akismet/1.1")
        .map_err(|e| e.to_string())?;
    // Built as the runtime's own RequestInit: `worker::RequestInit` converts its `cf` options on
    // the way, which links their serializer (3 KB) into every reader's cold start.
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_headers(headers.as_ref());
    init.set_body(&JsValue::from_str(&form_body(check)));
    let request: Request = web_sys::Request::new_with_str_and_init(endpoint, &init)
        .map_err(|e| format!("{e:?}"))?
        .into();
    let controller = AbortController::default();
    let signal = controller.signal();
    let fetch = Fetch::Request(request);
    let outcome = {
        let sending = Box::pin(fetch.send_with_signal(&signal));
        let timeout = Box::pin(Delay::from(TIMEOUT));
        match select(sending, timeout).await {
            Either::Left((result, _)) => Some(result),
            Either::Right(_) => None,
        }
    };
    match outcome {
        Some(Ok(mut response)) => {
            let help = response
                .headers()
                .get("X-akismet-debug-help")
                .ok()
                .flatten();
            let body = response.text().await.map_err(|e| e.to_string())?;
            Ok(interpret(response.status_code(), &body, help.as_deref()))
        }
        Some(Err(e)) => Err(format!("request failed: {e}")),
        None => {
            controller.abort();
            Err(format!("no answer within {} s", TIMEOUT.as_secs()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers() {
        assert_eq!(interpret(200, "true", None), Answer::Spam);
        assert_eq!(interpret(200, "false\n", None), Answer::Ham);
        assert_eq!(
            interpret(200, "invalid", Some("Empty \"api_key\" value")),
            Answer::Error("HTTP 200: Empty \"api_key\" value".into())
        );
        assert!(matches!(interpret(500, "", None), Answer::Error(_)));
    }

    #[test]
    fn the_body_has_the_documented_fields() {
        let body = form_body(&Check {
            api_key: "k",
            blog: "https://blog.example",
            user_ip: "203.0.113.9",
            user_agent: "UA",
            referrer: "",
            permalink: "https://blog.example/posts/a",
            author: "Zoë",
            email: "z@example.org",
            url: "",
            content: "Hello & bye",
            date_gmt: "2011-03-18T14:17:00Z",
        });
        for part in [
            "api_key=k",
            "comment_type=comment",
            "comment_author=Zo%C3%AB",
            "comment_content=Hello+%26+bye",
            "user_ip=203.0.113.9",
        ] {
            assert!(body.contains(part), "{part} in {body}");
        }
    }
}
