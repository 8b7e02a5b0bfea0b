//! The headers every HTML answer carries: its type, how long caches keep it, and the security
//! policy.

use worker::Headers;

/// Applied to every HTML page: no script may run, the page may not be framed.
pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' https: data:; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Answers that no cache may keep (errors, forms, the admin API).
pub const NO_STORE: &str = "no-store";

/// The headers of an HTML answer that caches keep as `cache_control` says.
pub fn html_headers(cache_control: &str) -> worker::Result<Headers> {
    let headers = Headers::new();
    headers.set("Content-Type", "text/html; charset=utf-8")?;
    headers.set("Cache-Control", cache_control)?;
    headers.set("Content-Security-Policy", CONTENT_SECURITY_POLICY)?;
    headers.set("X-Content-Type-Options", "nosniff")?;
    headers.set("Referrer-Policy", "strict-origin-when-cross-origin")?;
    Ok(headers)
}
