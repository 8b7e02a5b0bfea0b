//! The comment form as posted (`application/x-www-form-urlencoded`): decoding and validation.
//! What the person typed is always kept, so that a form with errors comes back intact.

/// Field name → what is wrong with it, in the order of the names (also what
/// `crate::validation` answers for the admin API's JSON). A few fields at most: a list kept in
/// order rather than a `BTreeMap`, whose code would cost the reader Worker 2 KiB of wasm gzipped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(Vec<(String, String)>);

impl FieldErrors {
    pub fn new() -> Self {
        FieldErrors(Vec::new())
    }

    /// Says what is wrong with `field`, replacing (and returning) what was said of it before.
    pub fn insert(&mut self, field: String, why: String) -> Option<String> {
        match self.0.binary_search_by(|(name, _)| name.cmp(&field)) {
            Ok(at) => Some(std::mem::replace(&mut self.0[at].1, why)),
            Err(at) => {
                self.0.insert(at, (field, why));
                None
            }
        }
    }

    pub fn get(&self, field: &str) -> Option<&String> {
        self.0
            .iter()
            .find(|(name, _)| name == field)
            .map(|(_, why)| why)
    }

    pub fn contains_key(&self, field: &str) -> bool {
        self.get(field).is_some()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The fields at fault, in order.
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(name, _)| name)
    }

    /// What is wrong, field by field in order.
    pub fn into_values(self) -> impl Iterator<Item = String> {
        self.0.into_iter().map(|(_, why)| why)
    }

    /// What is wrong, field by field in order.
    pub fn values(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(_, why)| why)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &String)> {
        self.0.iter().map(|(name, why)| (name, why))
    }

    pub fn extend(&mut self, other: impl IntoIterator<Item = (String, String)>) {
        for (field, why) in other {
            self.insert(field, why);
        }
    }
}

impl<const N: usize> From<[(String, String); N]> for FieldErrors {
    fn from(pairs: [(String, String); N]) -> Self {
        let mut errors = FieldErrors::new();
        errors.extend(pairs);
        errors
    }
}

impl FromIterator<(String, String)> for FieldErrors {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(pairs: I) -> Self {
        let mut errors = FieldErrors::new();
        errors.extend(pairs);
        errors
    }
}

impl IntoIterator for FieldErrors {
    type Item = (String, String);
    type IntoIter = std::vec::IntoIter<(String, String)>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// A JSON object, field → what is wrong.
impl serde::Serialize for FieldErrors {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(name, why)| (name, why)))
    }
}

pub const MAX_AUTHOR_CHARS: usize = 100;
pub const MAX_BODY_CHARS: usize = 10_000;
pub const MAX_EMAIL_CHARS: usize = 254;
pub const MAX_URL_CHARS: usize = 300;
/// The form's field that people never see (see the template): filled in means a bot.
pub const HONEYPOT_FIELD: &str = "subject";

/// The fields exactly as sent (first occurrence of each; absent = empty).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct CommentForm {
    pub author: String,
    pub email: String,
    pub url: String,
    pub body: String,
    pub parent: String,
    pub token: String,
    pub honeypot: String,
    /// "Email me replies" was ticked.
    pub notify: bool,
}

impl CommentForm {
    /// Decodes a urlencoded body. Invalid UTF-8 becomes U+FFFD rather than an error, so that
    /// nothing the person typed is thrown away.
    pub fn decode(body: &[u8]) -> Self {
        let mut form = CommentForm::default();
        let mut seen: Vec<String> = Vec::new();
        for (key, value) in form_urlencoded::parse(body) {
            if seen.iter().any(|k| k == key.as_ref()) {
                continue;
            }
            seen.push(key.to_string());
            let slot = match key.as_ref() {
                "author" => &mut form.author,
                "email" => &mut form.email,
                "url" => &mut form.url,
                "body" => &mut form.body,
                "parent" => &mut form.parent,
                "token" => &mut form.token,
                HONEYPOT_FIELD => &mut form.honeypot,
                "notify" => {
                    form.notify = !value.is_empty() && value != "0";
                    continue;
                }
                _ => continue,
            };
            *slot = value.into_owned();
        }
        form
    }
}

/// A comment that passed validation, normalised.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidComment {
    pub author: String,
    pub email: String,
    pub url: Option<String>,
    pub body: String,
    pub parent: Option<i64>,
    /// Replies to it are to be mailed (once the address confirms).
    pub notify: bool,
}

/// Checks every field; on failure, each field at fault has a message.
pub fn validate(form: &CommentForm) -> Result<ValidComment, FieldErrors> {
    let mut errors = FieldErrors::new();
    let author = one_line(&form.author);
    let author_chars = author.chars().count();
    if author_chars == 0 {
        errors.insert("author".into(), "Please give your name.".into());
    } else if author_chars > MAX_AUTHOR_CHARS {
        errors.insert(
            "author".into(),
            format!(
                "Names can be at most {MAX_AUTHOR_CHARS} characters (this one has {author_chars})."
            ),
        );
    }

    let email = form.email.trim().to_string();
    if email.is_empty() {
        errors.insert(
            "email".into(),
            "Please give your email address; it is never published.".into(),
        );
    } else if !is_email(&email) {
        errors.insert(
            "email".into(),
            "This does not look like an email address (like name@example.com).".into(),
        );
    }

    let url = match normalise_url(&form.url) {
        Ok(url) => url,
        Err(message) => {
            errors.insert("url".into(), message);
            None
        }
    };

    let body = form.body.replace("\r\n", "\n").trim().to_string();
    let body_chars = body.chars().count();
    if body_chars == 0 {
        errors.insert("body".into(), "Please write a comment.".into());
    } else if body_chars > MAX_BODY_CHARS {
        errors.insert(
            "body".into(),
            format!("Comments can be at most {MAX_BODY_CHARS} characters; this one has {body_chars}. Please shorten it."),
        );
    }

    let parent = match form.parent.trim() {
        "" | "0" => None,
        text => match text.parse::<i64>() {
            Ok(id) if id > 0 => Some(id),
            _ => {
                errors.insert(
                    "parent".into(),
                    "The comment you are replying to does not exist.".into(),
                );
                None
            }
        },
    };

    if errors.is_empty() {
        Ok(ValidComment {
            author,
            email,
            url,
            body,
            parent,
            notify: form.notify,
        })
    } else {
        Err(errors)
    }
}

/// Collapses whitespace (including line breaks) to single spaces.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A pragmatic check: one `@`, a local part, a domain with a dot, no spaces, line breaks or
/// angle brackets (so that an address can never break out of a mail header).
pub fn is_email(email: &str) -> bool {
    let Some((local, domain)) = email.rsplit_once('@') else {
        return false;
    };
    email.len() <= MAX_EMAIL_CHARS
        && !local.is_empty()
        && !local.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && email.chars().all(|c| {
            !c.is_whitespace() && !c.is_control() && !matches!(c, '<' | '>' | '"' | ',' | ';')
        })
}

/// An optional website: `http`/`https` only. A bare domain ("example.com") gets `https://`.
pub(crate) fn normalise_url(text: &str) -> Result<Option<String>, String> {
    let url = text.trim();
    if url.is_empty() {
        return Ok(None);
    }
    let lower = url.to_ascii_lowercase();
    let url = if lower.starts_with("http://") || lower.starts_with("https://") {
        url.to_string()
    } else if !url.contains(':') && url.contains('.') && !url.starts_with('/') {
        format!("https://{url}")
    } else {
        return Err("Websites must start with http:// or https://.".into());
    };
    if url.chars().count() > MAX_URL_CHARS {
        return Err(format!(
            "Website addresses can be at most {MAX_URL_CHARS} characters."
        ));
    }
    let host = url.split_once("://").map_or("", |(_, rest)| rest);
    if host.is_empty()
        || url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"'))
    {
        return Err("This is not a web address (like https://example.com).".into());
    }
    Ok(Some(url))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(author: &str, email: &str, url: &str, body: &str) -> CommentForm {
        CommentForm {
            author: author.into(),
            email: email.into(),
            url: url.into(),
            body: body.into(),
            ..CommentForm::default()
        }
    }

    #[test]
    fn decodes_fields_keeping_the_first_of_duplicates() {
        let f = CommentForm::decode(
            b"author=Phil+B&body=Hi%0D%0Athere&author=Other&subject=&token=1.ab&x=y",
        );
        assert_eq!(f.author, "Phil B");
        assert_eq!(f.body, "Hi\r\nthere");
        assert_eq!(f.token, "1.ab");
        assert_eq!(f.honeypot, "");
    }

    #[test]
    fn invalid_utf8_is_kept_as_replacement_characters() {
        let f = CommentForm::decode(b"body=caf%C3%A9+%FF");
        assert_eq!(f.body, "café \u{fffd}");
    }

    #[test]
    fn a_good_comment_is_normalised() {
        let ok = validate(&form(
            "  Phil\n Baumann ",
            "phil@example.com",
            "philbaumann.com",
            " Hello\r\nworld ",
        ))
        .unwrap();
        assert_eq!(ok.author, "Phil Baumann");
        assert_eq!(ok.url.as_deref(), Some("https://philbaumann.com"));
        assert_eq!(ok.body, "Hello\nworld");
        assert_eq!(ok.parent, None);
    }

    #[test]
    fn each_limit_has_its_message() {
        let errors = validate(&form("", "nope", "javascript:alert(1)", "")).unwrap_err();
        assert_eq!(
            errors.keys().collect::<Vec<_>>(),
            ["author", "body", "email", "url"]
        );
        let long = validate(&form(
            &"a".repeat(101),
            "a@b.co",
            &format!("https://x.org/{}", "a".repeat(300)),
            &"b".repeat(10_001),
        ))
        .unwrap_err();
        assert!(long.get("author").expect("a fault").contains("at most 100"));
        assert!(long.get("url").expect("a fault").contains("at most 300"));
        assert!(long.get("body").expect("a fault").contains("10001"));
        assert!(
            validate(&form("A", "a@b.co", "", &"é".repeat(10_000))).is_ok(),
            "limits count characters"
        );
    }

    #[test]
    fn emails() {
        for good in ["a@b.co", "first.last+tag@sub.example.org"] {
            assert!(is_email(good), "{good}");
        }
        for bad in [
            "a@b", "@b.co", "a@.co", "a@b.co.", "a b@c.de", "a@b..co", "<a@b.co>", "a@b@c.de",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }

    #[test]
    fn websites() {
        assert_eq!(
            normalise_url("HTTP://X.org/a"),
            Ok(Some("HTTP://X.org/a".into()))
        );
        assert!(normalise_url("data:text/html,x").is_err());
        assert!(normalise_url("vbscript:x").is_err());
        assert!(normalise_url("https://").is_err());
        assert!(normalise_url("https://x.org/\"onmouseover").is_err());
        assert_eq!(normalise_url(" "), Ok(None));
    }

    #[test]
    fn parents() {
        let mut f = form("A", "a@b.co", "", "x");
        f.parent = "12".into();
        assert_eq!(validate(&f).unwrap().parent, Some(12));
        f.parent = "-3".into();
        assert!(validate(&f).unwrap_err().contains_key("parent"));
    }
}
