//! The sign-in form (the admin token, when Cloudflare Access is not in front).

use super::*;

#[derive(Template)]
#[template(path = "admin/sign_in.html")]
pub(super) struct SignInPage<'a> {
    message: Option<&'a str>,
}

pub(super) async fn sign_in_page(
    app: &App,
    message: Option<&str>,
    status: u16,
) -> AppResult<Response> {
    screen(app, "Sign in", &SignInPage { message }, status).await
}

pub(super) async fn sign_in(req: &mut Request, app: &App) -> AppResult<Response> {
    same_origin(req, app)?;
    let form = read_form(req).await?;
    let key = key(app)?;
    let expected = app.admin_token().unwrap_or_default();
    let ip = req
        .headers()
        .get("CF-Connecting-IP")?
        .unwrap_or_else(|| "unknown".into());
    let client = token::client_hash(&key, &ip);
    let now = runtime::now();
    let store = app.store()?;
    if store
        .sign_in_failures(&client, now - FAILURE_WINDOW)
        .await?
        >= MAX_FAILURES
    {
        let message = "Too many wrong tokens from here: wait a quarter of an hour and try again.";
        let response = sign_in_page(app, Some(message), 429).await?;
        response
            .headers()
            .set("Retry-After", &FAILURE_WINDOW.to_string())?;
        return Ok(response);
    }
    let given = form.get("token").unwrap_or_default().trim();
    if given.is_empty() || !token::secrets_match(given, &expected) {
        store.record_sign_in_failure(&client, now).await?;
        return sign_in_page(app, Some("That is not the admin token."), 401).await;
    }
    let value = token::session_token(&key, now + token::SESSION_SECONDS);
    let response = http::see_other("/admin/queue")?;
    response.headers().set(
        "Set-Cookie",
        &session_cookie(app, &value, token::SESSION_SECONDS),
    )?;
    Ok(response)
}
