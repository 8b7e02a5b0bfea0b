//! Redirects (add with the API's checks, remove) and the not-found log.

use super::*;

#[derive(Template)]
#[template(path = "admin/addresses.html")]
pub(super) struct AddressesPage<'a> {
    section: &'static str,
    csrf: &'a str,
    notice: Option<String>,
    message: Option<String>,
    from: String,
    to: String,
    redirects: Vec<(String, String)>,
    pager: Pager,
    not_found: Vec<(String, i64, When)>,
}

/// The redirect form as it comes back: what was typed, and why it was not added.
#[derive(Default)]
pub(super) struct Typed {
    from: String,
    to: String,
    message: Option<String>,
}

/// `/admin/addresses`: the redirects, a form to add one, and the paths asked for in vain.
pub(super) async fn addresses(
    app: &App,
    store: &Store,
    session: &Session,
    page: u32,
    done: Option<String>,
    Typed { from, to, message }: Typed,
    status: u16,
) -> AppResult<Response> {
    // One row more than a page: it says whether another page follows.
    let mut rows = store
        .redirects(ROWS_PER_PAGE + 1, Pager::offset(page))
        .await?;
    let more = rows.len() > ROWS_PER_PAGE as usize;
    rows.truncate(ROWS_PER_PAGE as usize);
    let pager = Pager::new("/admin/addresses", page, rows.len(), None, more);
    let redirects = rows.into_iter().map(|r| (r.from_path, r.to_url)).collect();
    let clock = Clock::of(app).await?;
    let not_found = store
        .not_found(100)
        .await?
        .into_iter()
        .map(|n| (n.path, n.hits, clock.when(n.last_seen)))
        .collect();
    let page = AddressesPage {
        section: "addresses",
        csrf: &session.csrf,
        notice: done,
        message,
        from,
        to,
        redirects,
        pager,
        not_found,
    };
    screen(app, "Redirects", &page, status).await
}

/// Adds a redirect (checked as the admin API checks it) or removes one.
pub(super) async fn change_addresses(
    app: &App,
    store: &Store,
    session: &Session,
    form: &Form,
) -> AppResult<Response> {
    if let Some(from) = form.get("remove") {
        let from = blog_core::redirects::check_from(from).map_err(AppError::BadRequest)?;
        store.delete_redirect(&from).await?;
        return http::see_other("/admin/addresses?done=Removed.");
    }
    let (from, to) = (
        form.get("from").unwrap_or_default().to_string(),
        form.get("to").unwrap_or_default().to_string(),
    );
    match crate::author::redirects::add(store, &json!({ "from": from, "to": to })).await {
        Ok(_) => http::see_other("/admin/addresses?done=Added."),
        Err(AppError::Unprocessable { fields, .. }) => {
            let why = fields.into_values().next().unwrap_or_default();
            let message = Some(format!("Not added: {why}"));
            let typed = Typed { from, to, message };
            addresses(app, store, session, 1, None, typed, 422).await
        }
        Err(AppError::BadRequest(why)) => {
            let message = Some(format!("Not added: {why}"));
            let typed = Typed { from, to, message };
            addresses(app, store, session, 1, None, typed, 422).await
        }
        Err(other) => Err(other),
    }
}
