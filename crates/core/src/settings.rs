//! The blog's settings, read from the Worker's `[vars]` (see `wrangler.toml`).

/// Settings that shape every page.
#[derive(Debug, Clone)]
pub struct Blog {
    pub title: String,
    pub tagline: String,
    pub author: String,
    /// Absolute base URL without a trailing slash, e.g. `https://blog.example.com`.
    pub base_url: String,
    /// IANA time-zone name, e.g. `Europe/London`.
    pub time_zone: String,
}

/// `BASE_URL` as the blog uses it: trimmed, without a trailing slash, with a local default.
pub fn base_url(value: Option<String>) -> String {
    let value = value.unwrap_or_default();
    let value = value.trim().trim_end_matches('/');
    if value.is_empty() {
        "http://127.0.0.1:8787".to_string()
    } else {
        value.to_string()
    }
}

impl Blog {
    /// Reads the settings through `var`, which returns `None` for an unset variable.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Self {
        let get = |name: &str, default: &str| {
            var(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| default.to_string())
        };
        Blog {
            title: get("BLOG_TITLE", "My Blog"),
            tagline: get("BLOG_TAGLINE", ""),
            author: get("BLOG_AUTHOR", "The Author"),
            base_url: base_url(var("BASE_URL")),
            time_zone: get("TIME_ZONE", "UTC"),
        }
    }

    /// The absolute URL of a path on this blog.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_trimming() {
        let blog = Blog::from_vars(|name| match name {
            "BLOG_TITLE" => Some("Health Techie".into()),
            "BASE_URL" => Some("https://example.com/".into()),
            "BLOG_TAGLINE" => Some("   ".into()),
            _ => None,
        });
        assert_eq!(blog.title, "Health Techie");
        assert_eq!(blog.tagline, "");
        assert_eq!(blog.time_zone, "UTC");
        assert_eq!(blog.url("/posts/x"), "https://example.com/posts/x");
        assert_eq!(base_url(Some(" https://x.org// ".into())), "https://x.org");
        assert_eq!(base_url(None), "http://127.0.0.1:8787");
        assert_eq!(base_url(Some("  ".into())), "http://127.0.0.1:8787");
    }
}
