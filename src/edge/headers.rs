//! The headers every HTML answer carries: its type, how long caches keep it, and the security
//! policy; and those of the media library's files (which both Workers send: the reader serves
//! files, the author Worker makes image variants).

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

/// A year: the content at a media address never changes.
pub const MEDIA_CACHE_CONTROL: &str = "public, max-age=31536000, immutable";

/// The headers of a media library file (or a variant of one) served as `content_type`.
pub fn media_headers(etag: &str, name: &str, content_type: &str) -> worker::Result<Headers> {
    let headers = Headers::new();
    headers.set("Content-Type", content_type)?;
    headers.set("Cache-Control", MEDIA_CACHE_CONTROL)?;
    headers.set("ETag", etag)?;
    headers.set("Accept-Ranges", "bytes")?;
    headers.set("X-Content-Type-Options", "nosniff")?;
    headers.set(
        "Content-Disposition",
        &format!("inline; filename=\"{name}\""),
    )?;
    // Only types sniffed from their bytes are stored (no HTML, no SVG); this keeps even a
    // mislabelled file from loading anything if opened on its own.
    headers.set(
        "Content-Security-Policy",
        "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; sandbox",
    )?;
    Ok(headers)
}

/// The `ETag` of a variant as sent with `encoding`.
pub fn variant_etag(hash: &str, width: u32, encoding: blog_core::variants::Encoding) -> String {
    format!("\"{hash}-w{width}-{}\"", encoding.tag())
}
