//! The admin API's client: a call with the bearer token and JSON, uploads, and lists read
//! page by page.

use std::path::Path;

use blog_core::api;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

/// The blog's admin API, at `base` with the admin token.
pub struct Client {
    base: String,
    token: String,
    agent: ureq::Agent,
}

/// An admin API answer: status and JSON body (null when empty).
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

impl Answer {
    /// "error message (field: problem, …)" for a failed request.
    pub fn problem(&self) -> String {
        let error = self
            .body
            .get("error")
            .and_then(Value::as_str)
            .unwrap_or("no message");
        let fields = self
            .body
            .get("fields")
            .and_then(Value::as_object)
            .map(|f| {
                f.iter()
                    .map(|(k, v)| format!("{k}: {}", v.as_str().unwrap_or("")))
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .filter(|s| !s.is_empty());
        match fields {
            Some(fields) => format!("HTTP {}: {error} ({fields})", self.status),
            None => format!("HTTP {}: {error}", self.status),
        }
    }
}

impl Client {
    pub fn new(base: &str, token: &str) -> Self {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        Client {
            base: base.trim_end_matches('/').to_string(),
            token: token.to_string(),
            agent,
        }
    }

    pub fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Answer, String> {
        let bytes = body.map(|b| b.to_string().into_bytes());
        self.send(method, path, bytes.map(|b| ("application/json", b)))
    }

    /// A call with a body of another type (a subscriber file).
    pub fn call_bytes(
        &self,
        method: &str,
        path: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Result<Answer, String> {
        self.send(method, path, Some((content_type, bytes)))
    }

    /// A `GET` whose answer is bytes (a media file), at most 200 MB.
    pub fn get_bytes(&self, path: &str) -> Result<Vec<u8>, String> {
        let (status, bytes) = self.get_raw(path)?;
        if status != 200 {
            return Err(format!("GET {}{path}: HTTP {status}", self.base));
        }
        Ok(bytes)
    }

    /// A `GET` whose answer is text, not JSON (the subscriber export).
    pub fn get_text(&self, path: &str) -> Result<String, String> {
        let (status, bytes) = self.get_raw(path)?;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        if status != 200 {
            let body = serde_json::from_str(&text).unwrap_or(json!({"error": text}));
            return Err(Answer { status, body }.problem());
        }
        Ok(text)
    }

    /// A `GET` with the admin token: its status and body (at most 200 MB).
    fn get_raw(&self, path: &str) -> Result<(u16, Vec<u8>), String> {
        let url = format!("{}{path}", self.base);
        let request = ureq::http::Request::builder()
            .method("GET")
            .uri(&url)
            .header("Authorization", format!("Bearer {}", self.token))
            .body(Vec::new())
            .map_err(|e| format!("GET {url}: {e}"))?;
        let mut response = self
            .agent
            .run(request)
            .map_err(|e| format!("GET {url}: {e} (is the blog running at {}?)", self.base))?;
        let status = response.status().as_u16();
        let bytes = response
            .body_mut()
            .with_config()
            .limit(200 * 1024 * 1024)
            .read_to_vec()
            .map_err(|e| format!("GET {url}: {e}"))?;
        Ok((status, bytes))
    }

    fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<(&str, Vec<u8>)>,
    ) -> Result<Answer, String> {
        let url = format!("{}{path}", self.base);
        let mut builder = ureq::http::Request::builder()
            .method(method)
            .uri(&url)
            .header("Authorization", format!("Bearer {}", self.token))
            .header("Accept", "application/json");
        if let Some((content_type, _)) = &body {
            builder = builder.header("Content-Type", *content_type);
        }
        let bytes = body.map(|(_, b)| b).unwrap_or_default();
        let request = builder
            .body(bytes)
            .map_err(|e| format!("{method} {url}: {e}"))?;
        let mut response = self.agent.run(request).map_err(|e| {
            format!(
                "{method} {url}: {e} (is the blog running at {}? set BLOG_URL)",
                self.base
            )
        })?;
        let status = response.status().as_u16();
        let text = if status == 204 {
            String::new()
        } else {
            response
                .body_mut()
                .read_to_string()
                .map_err(|e| format!("{method} {url}: {e}"))?
        };
        let body = if text.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(json!({"error": text}))
        };
        if status == 401 {
            return Err(format!(
                "{method} {url}: the admin token was refused; check BLOG_ADMIN_TOKEN"
            ));
        }
        Ok(Answer { status, body })
    }
}

impl Client {
    /// Uploads a file to the media library.
    pub fn upload(&self, file: &Path, alt: &str) -> Result<api::Media, String> {
        let bytes = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        self.upload_bytes(&file.display().to_string(), &name, bytes, alt)
    }

    /// Uploads `bytes` under `name`; `label` names them in messages.
    pub fn upload_bytes(
        &self,
        label: &str,
        name: &str,
        bytes: Vec<u8>,
        alt: &str,
    ) -> Result<api::Media, String> {
        let encode = |s: &str| -> String {
            percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
        };
        let url = format!(
            "{}/admin/media?name={}&alt={}",
            self.base,
            encode(name),
            encode(alt)
        );
        let megabytes = bytes.len() as f64 / 1_000_000.0;
        if megabytes >= 1.0 {
            eprintln!("uploading {label} ({megabytes:.1} MB)…");
        }
        let request = ureq::http::Request::builder()
            .method("POST")
            .uri(&url)
            .header("Authorization", format!("Bearer {}", self.token))
            .header("Content-Type", "application/octet-stream")
            .body(bytes)
            .map_err(|e| format!("POST {url}: {e}"))?;
        let mut response = self
            .agent
            .run(request)
            .map_err(|e| format!("{label}: {e} (is the blog running at {}?)", self.base))?;
        let status = response.status().as_u16();
        let text = response
            .body_mut()
            .read_to_string()
            .map_err(|e| format!("{label}: {e}"))?;
        if status == 200 || status == 201 {
            return serde_json::from_str(&text).map_err(|e| format!("{label}: {e}"));
        }
        let body = serde_json::from_str(&text).unwrap_or(json!({"error": text}));
        Err(format!("{label}: {}", Answer { status, body }.problem()))
    }
}

/// The most rows the admin API gives in one page.
const PAGE_LIMIT: usize = 500;

impl Client {
    /// Every row of a paged list (`path` with or without a query; `limit` and `offset` are
    /// added), read page by page until one comes back short; `rows` takes a page's rows out of
    /// its answer.
    pub fn every_page<T, P: DeserializeOwned>(
        &self,
        path: &str,
        rows: impl Fn(P) -> Vec<T>,
    ) -> Result<Vec<T>, String> {
        let joiner = if path.contains('?') { '&' } else { '?' };
        let mut all = Vec::new();
        loop {
            let page_path = format!("{path}{joiner}limit={PAGE_LIMIT}&offset={}", all.len());
            let answer = self.call("GET", &page_path, None)?;
            if answer.status != 200 {
                return Err(answer.problem());
            }
            let page: P = serde_json::from_value(answer.body)
                .map_err(|e| format!("GET {page_path}: the answer: {e}"))?;
            let page = rows(page);
            let short = page.len() < PAGE_LIMIT;
            all.extend(page);
            if short {
                return Ok(all);
            }
        }
    }
}
