//! The sign-in form (the admin token, when Cloudflare Access is not in front), and the form that
//! outlived its session: sent back as the sign-in form carrying every field, so that signing in
//! completes it and nothing typed is lost.

use super::*;

/// The fields a carried form may not bring back (the old session's token, the sign-in's own).
const NOT_CARRIED: [&str; 3] = ["csrf", "token", "return_to"];

#[derive(Template)]
#[template(path = "admin/sign_in.html")]
pub(super) struct SignInPage<'a> {
    message: Option<&'a str>,
    /// Where a carried form was going (a path under `/admin/`, with its query).
    return_to: Option<&'a str>,
    carried: &'a [(String, String)],
    /// What the carried form was, in words ("a post's text").
    carried_what: Option<&'static str>,
    dropped_file: bool,
}

pub(super) async fn sign_in_page(
    app: &App,
    message: Option<&str>,
    status: u16,
) -> AppResult<Response> {
    let page = SignInPage {
        message,
        return_to: None,
        carried: &[],
        carried_what: None,
        dropped_file: false,
    };
    screen(app, "Sign in", &page, status).await
}

/// Words for what a form sent to `rest` (its path under `/admin/`) was.
fn what_was_sent(rest: &str) -> Option<&'static str> {
    let first = rest.split('/').next().unwrap_or_default();
    match first {
        "entries" if rest.contains("/addenda") => Some("an addendum"),
        "entries" => Some("a post or page and its text"),
        "queue" => Some("a moderation decision or a reply"),
        "settings" => Some("the settings"),
        _ => None,
    }
}

/// The answer to a form sent without a session: the sign-in form carrying it (401).
pub(super) async fn carry_to_sign_in(
    app: &App,
    rest: &str,
    query: &str,
    form: &Form,
) -> AppResult<Response> {
    if rest == "sign-out" {
        return http::see_other("/admin/sign-in");
    }
    let carried: Vec<(String, String)> = form
        .fields
        .iter()
        .filter(|(name, _)| !NOT_CARRIED.contains(&name.as_str()))
        .cloned()
        .collect();
    let return_to = if query.is_empty() {
        format!("/admin/{rest}")
    } else {
        format!("/admin/{rest}?{query}")
    };
    let page = SignInPage {
        message: None,
        return_to: Some(&return_to),
        carried: &carried,
        carried_what: what_was_sent(rest),
        dropped_file: !form.files.is_empty(),
    };
    screen(app, "Sign in", &page, 401).await
}

pub(super) async fn sign_in(req: &mut Request, app: &App) -> AppResult<Response> {
    same_origin(req, app)?;
    let form = read_form(req, app).await?;
    let key = key(app)?;
    let expected = app.admin_token().unwrap_or_default();
    let ip = req
        .headers()
        .get("CF-Connecting-IP")?
        .unwrap_or_else(|| "unknown".into());
    let client = token::client_hash(&key, &ip);
    let now = runtime::now();
    let store = app.store()?;
    // A carried form stays carried through a wrong token or a wait.
    let return_to = form
        .get("return_to")
        .filter(|to| to.starts_with("/admin/") && is_screen(to.split('?').next().unwrap_or(to)));
    let carried: Vec<(String, String)> = form
        .fields
        .iter()
        .filter_map(|(name, value)| Some((name.strip_prefix("carry.")?.to_string(), value.clone())))
        .collect();
    let again = |message: &'static str, status: u16| {
        let carried = &carried;
        async move {
            let rest = return_to.unwrap_or_default().trim_start_matches("/admin/");
            let page = SignInPage {
                message: Some(message),
                return_to,
                carried,
                carried_what: return_to.and_then(|_| what_was_sent(rest)),
                dropped_file: false,
            };
            screen(app, "Sign in", &page, status).await
        }
    };
    if store
        .sign_in_failures(&client, now - FAILURE_WINDOW)
        .await?
        >= MAX_FAILURES
    {
        let message = "Too many wrong tokens from here: wait a quarter of an hour and try again.";
        let response = again(message, 429).await?;
        response
            .headers()
            .set("Retry-After", &FAILURE_WINDOW.to_string())?;
        return Ok(response);
    }
    let given = form.get("token").unwrap_or_default().trim();
    if given.is_empty() || !token::secrets_match(given, &expected) {
        store.record_sign_in_failure(&client, now).await?;
        return again("That is not the admin token.", 401).await;
    }
    let lasts = app.settings().await?.admin_session_seconds;
    let value = token::session_token(&key, now + lasts);
    let cookie = session_cookie(app, &value, lasts);
    let response = match return_to {
        // Signing in completes what the ended session could not: the token proved who sent it.
        Some(to) => {
            let session = Session {
                csrf: token::csrf_token(&key, &value),
                expires: Some(now + lasts),
            };
            let (path, query) = to.split_once('?').unwrap_or((to, ""));
            let segments: Vec<&str> = path
                .trim_start_matches("/admin/")
                .split('/')
                .filter(|s| !s.is_empty())
                .collect();
            let replayed = Form {
                fields: carried.clone(),
                files: Vec::new(),
            };
            act(app, &store, &session, &segments, query, &replayed).await?
        }
        None => http::see_other("/admin/queue")?,
    };
    response.headers().set("Set-Cookie", &cookie)?;
    Ok(response)
}
