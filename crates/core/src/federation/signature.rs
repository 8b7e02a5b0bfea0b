//! HTTP signatures as fediverse servers send and check them: draft-cavage-http-signatures-12
//! (`Signature: keyId=…,headers=…,signature=…`, what Mastodon sends and expects) and RFC 9421
//! HTTP Message Signatures (`Signature-Input` and `Signature`, Fedify's first try), with the body
//! digests each uses (`Digest: SHA-256=…`, `Content-Digest: sha-256=:…:`).
//!
//! Everything here is text: which headers a signature covers, the exact string that was signed,
//! whether a digest matches, whether a date is recent. The RSA arithmetic is WebCrypto's, in the
//! author Worker.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sha2::{Digest, Sha256};

/// A signed request is refused when its date is older than this (Mastodon's window).
pub const MAX_AGE_SECONDS: i64 = 12 * 3600;
/// … or this far in the future (clocks differ).
pub const MAX_SKEW_SECONDS: i64 = 3600;

/// Why a request's signature cannot be checked or does not hold. Each is a 401 with its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureError {
    /// Neither `Signature` nor `Signature-Input` is there.
    Unsigned,
    /// A signature header that does not parse.
    Malformed(&'static str),
    /// An algorithm other than RSA with SHA-256.
    Algorithm(String),
    /// A component the blog needs signed is not covered.
    NotCovered(&'static str),
    /// A covered header is absent from the request.
    MissingHeader(String),
    /// The body's digest is missing or does not match.
    Digest,
    /// `Date` (or `created`) is missing, unreadable, too old or in the future.
    Stale,
}

impl std::fmt::Display for SignatureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SignatureError::Unsigned => f.write_str(
                "the request is not signed: an HTTP signature (Signature, or Signature-Input and Signature) is required",
            ),
            SignatureError::Malformed(what) => write!(f, "the signature is malformed: {what}"),
            SignatureError::Algorithm(alg) => {
                write!(f, "the signature's algorithm {alg:?} is not supported (use rsa-sha256)")
            }
            SignatureError::NotCovered(what) => write!(f, "the signature does not cover {what}"),
            SignatureError::MissingHeader(name) => {
                write!(f, "the signed header {name:?} is not in the request")
            }
            SignatureError::Digest => {
                f.write_str("the body's digest is missing or does not match the body")
            }
            SignatureError::Stale => f.write_str(
                "the signature's date is missing, unreadable, more than 12 hours old or in the future",
            ),
        }
    }
}

/// The parts of a request a signature can cover.
pub struct SignedRequest<'a> {
    /// `GET`, `POST`…
    pub method: &'a str,
    /// The full URL as received (`https://host/path?query`).
    pub url: &'a str,
    /// A header's value (names asked for in lower case), joined as the runtime joins repeats.
    pub header: &'a dyn Fn(&str) -> Option<String>,
    /// The body (checked against the digest when the request has one).
    pub body: &'a [u8],
}

impl SignedRequest<'_> {
    fn path_and_query(&self) -> &str {
        let after_scheme = self
            .url
            .split_once("://")
            .map_or(self.url, |(_, rest)| rest);
        after_scheme
            .find('/')
            .map_or("/", |slash| &after_scheme[slash..])
    }

    fn authority(&self) -> &str {
        let after_scheme = self
            .url
            .split_once("://")
            .map_or(self.url, |(_, rest)| rest);
        after_scheme.split('/').next().unwrap_or_default()
    }
}

/// A signature found on a request: who says they signed it, what they signed, and the signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// The key's id: a URL whose document names the key's owner (an actor).
    pub key_id: String,
    /// The exact bytes that were signed.
    pub signed: String,
    /// The RSA signature.
    pub signature: Vec<u8>,
    /// The request's time as the signature states it.
    pub created: i64,
}

/// Reads and checks the signature on `req` at time `now`: the covered components (the target,
/// the host, the date, and for a body its digest), the digest against the body, the date's age.
/// What is left is the RSA check of [`Signature::signed`] with the key of [`Signature::key_id`].
pub fn read(req: &SignedRequest<'_>, now: i64) -> Result<Signature, SignatureError> {
    let signature = if let Some(input) = (req.header)("signature-input") {
        let value = (req.header)("signature").ok_or(SignatureError::Unsigned)?;
        read_rfc9421(req, &input, &value)?
    } else {
        let value = (req.header)("signature").ok_or(SignatureError::Unsigned)?;
        read_cavage(req, &value)?
    };
    if signature.created < now - MAX_AGE_SECONDS || signature.created > now + MAX_SKEW_SECONDS {
        return Err(SignatureError::Stale);
    }
    Ok(signature)
}

/// The `Date` header's time.
fn date_of(req: &SignedRequest<'_>) -> Result<i64, SignatureError> {
    (req.header)("date")
        .and_then(|d| crate::dates::parse_http_date(&d))
        .ok_or(SignatureError::Stale)
}

fn read_cavage(req: &SignedRequest<'_>, value: &str) -> Result<Signature, SignatureError> {
    let params = cavage_params(value).ok_or(SignatureError::Malformed(
        "expected keyId=\"…\",headers=\"…\",signature=\"…\"",
    ))?;
    let param = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    let key_id = param("keyId").ok_or(SignatureError::Malformed("no keyId"))?;
    if let Some(alg) = param("algorithm") {
        if !matches!(alg, "rsa-sha256" | "hs2019") {
            return Err(SignatureError::Algorithm(alg.to_string()));
        }
    }
    let signature = STANDARD
        .decode(param("signature").ok_or(SignatureError::Malformed("no signature"))?)
        .map_err(|_| SignatureError::Malformed("the signature is not base64"))?;
    let covered: Vec<String> = param("headers")
        .unwrap_or("date")
        .split_ascii_whitespace()
        .map(str::to_ascii_lowercase)
        .collect();
    let covers = |name: &str| covered.iter().any(|c| c == name);
    if !covers("(request-target)") {
        return Err(SignatureError::NotCovered("(request-target)"));
    }
    if !covers("host") {
        return Err(SignatureError::NotCovered("the Host header"));
    }
    let created = if covers("date") {
        date_of(req)?
    } else if covers("(created)") {
        param("created")
            .and_then(|c| c.parse().ok())
            .ok_or(SignatureError::Stale)?
    } else {
        return Err(SignatureError::NotCovered("the Date header"));
    };
    if !req.body.is_empty() || req.method.eq_ignore_ascii_case("POST") {
        if !covers("digest") {
            return Err(SignatureError::NotCovered("the Digest header"));
        }
        let digest = (req.header)("digest").ok_or(SignatureError::Digest)?;
        if !digest_matches(&digest, req.body) {
            return Err(SignatureError::Digest);
        }
    }
    let mut lines = Vec::with_capacity(covered.len());
    for name in &covered {
        let line = match name.as_str() {
            "(request-target)" => format!(
                "(request-target): {} {}",
                req.method.to_ascii_lowercase(),
                req.path_and_query()
            ),
            "(created)" | "(expires)" => {
                let key = &name[1..name.len() - 1];
                let value =
                    param(key).ok_or(SignatureError::Malformed("(created) without created"))?;
                format!("{name}: {value}")
            }
            header => {
                let value = (req.header)(header)
                    .ok_or_else(|| SignatureError::MissingHeader(header.to_string()))?;
                format!("{header}: {}", value.trim())
            }
        };
        lines.push(line);
    }
    Ok(Signature {
        key_id: key_id.to_string(),
        signed: lines.join("\n"),
        signature,
        created,
    })
}

/// `k1="v1",k2="v2",k3=123` → pairs (quoted values unescaped).
fn cavage_params(value: &str) -> Option<Vec<(String, String)>> {
    let mut pairs = Vec::new();
    let mut rest = value.trim();
    while !rest.is_empty() {
        let (key, after) = rest.split_once('=')?;
        let key = key.trim();
        let after = after.trim_start();
        let (val, tail) = if let Some(quoted) = after.strip_prefix('"') {
            let end = quoted.find('"')?;
            (&quoted[..end], &quoted[end + 1..])
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (after[..end].trim(), &after[end..])
        };
        if key.is_empty() {
            return None;
        }
        pairs.push((key.to_string(), val.to_string()));
        let tail = tail.trim_start();
        rest = match tail.strip_prefix(',') {
            Some(next) => next.trim_start(),
            None if tail.is_empty() => tail,
            None => return None,
        };
    }
    Some(pairs)
}

fn read_rfc9421(
    req: &SignedRequest<'_>,
    input: &str,
    value: &str,
) -> Result<Signature, SignatureError> {
    // The first signature in the input; its label names its value in `Signature`.
    let first = input.split(',').next().unwrap_or_default().trim();
    let (label, params_text) = first
        .split_once('=')
        .ok_or(SignatureError::Malformed("Signature-Input has no label"))?;
    // Commas inside the inner list's strings would break the split above: components are
    // header names and derived components, which have none.
    let params_text = params_text.trim();
    let list_end = params_text
        .find(')')
        .filter(|_| params_text.starts_with('('))
        .ok_or(SignatureError::Malformed(
            "Signature-Input has no component list",
        ))?;
    let components: Vec<String> = params_text[1..list_end]
        .split_ascii_whitespace()
        .map(|c| {
            c.strip_prefix('"')
                .and_then(|c| c.strip_suffix('"'))
                .map(str::to_ascii_lowercase)
                .ok_or(SignatureError::Malformed(
                    "a component is not a quoted string",
                ))
        })
        .collect::<Result<_, _>>()?;
    let mut key_id = None;
    let mut created = None;
    for param in params_text[list_end + 1..]
        .split(';')
        .filter(|p| !p.is_empty())
    {
        let (name, val) = param.split_once('=').unwrap_or((param, ""));
        let text = val.trim_matches('"');
        match name.trim() {
            "keyid" => key_id = Some(text.to_string()),
            "created" => created = text.parse::<i64>().ok(),
            "alg" if text != "rsa-v1_5-sha256" => {
                return Err(SignatureError::Algorithm(text.to_string()))
            }
            _ => {}
        }
    }
    let key_id = key_id.ok_or(SignatureError::Malformed("no keyid"))?;
    let covers = |name: &str| components.iter().any(|c| c == name);
    if !covers("@method") {
        return Err(SignatureError::NotCovered("@method"));
    }
    if !(covers("@target-uri") || (covers("@authority") && covers("@path"))) {
        return Err(SignatureError::NotCovered("@target-uri"));
    }
    let created = match created {
        Some(created) => created,
        None if covers("date") => date_of(req)?,
        None => return Err(SignatureError::Stale),
    };
    if !req.body.is_empty() || req.method.eq_ignore_ascii_case("POST") {
        if !covers("content-digest") {
            return Err(SignatureError::NotCovered("the Content-Digest header"));
        }
        let digest = (req.header)("content-digest").ok_or(SignatureError::Digest)?;
        if !content_digest_matches(&digest, req.body) {
            return Err(SignatureError::Digest);
        }
    }
    let mut base = String::new();
    for component in &components {
        let value = match component.as_str() {
            "@method" => req.method.to_ascii_uppercase(),
            "@target-uri" => req.url.to_string(),
            "@authority" => req.authority().to_ascii_lowercase(),
            "@scheme" => req
                .url
                .split(':')
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase(),
            "@request-target" => req.path_and_query().to_string(),
            "@path" => req
                .path_and_query()
                .split('?')
                .next()
                .unwrap_or("/")
                .to_string(),
            "@query" => match req.path_and_query().split_once('?') {
                Some((_, query)) => format!("?{query}"),
                None => "?".to_string(),
            },
            derived if derived.starts_with('@') => {
                return Err(SignatureError::Malformed(
                    "an unsupported derived component",
                ))
            }
            header => (req.header)(header)
                .ok_or_else(|| SignatureError::MissingHeader(header.to_string()))?
                .trim()
                .to_string(),
        };
        base.push_str(&format!("\"{component}\": {value}\n"));
    }
    base.push_str(&format!("\"@signature-params\": {params_text}"));
    let encoded = value
        .split(',')
        .map(str::trim)
        .find_map(|v| v.strip_prefix(label).and_then(|v| v.strip_prefix('=')))
        .and_then(|v| v.strip_prefix(':'))
        .and_then(|v| v.strip_suffix(':'))
        .ok_or(SignatureError::Malformed(
            "Signature has no value for the input's label",
        ))?;
    let signature = STANDARD
        .decode(encoded)
        .map_err(|_| SignatureError::Malformed("the signature is not base64"))?;
    Ok(Signature {
        key_id,
        signed: base,
        signature,
        created,
    })
}

/// `Digest: SHA-256=base64` (other algorithms may be listed beside it).
fn digest_matches(header: &str, body: &[u8]) -> bool {
    let expected = STANDARD.encode(Sha256::digest(body));
    header.split(',').any(|part| {
        part.trim()
            .split_once('=')
            .is_some_and(|(alg, value)| alg.eq_ignore_ascii_case("sha-256") && value == expected)
    })
}

/// `Content-Digest: sha-256=:base64:` (RFC 9530).
fn content_digest_matches(header: &str, body: &[u8]) -> bool {
    let expected = STANDARD.encode(Sha256::digest(body));
    header.split(',').any(|part| {
        part.trim().split_once('=').is_some_and(|(alg, value)| {
            alg.eq_ignore_ascii_case("sha-256") && value.trim_matches(':') == expected
        })
    })
}

/// The headers of an outgoing signed request (draft-cavage, as Mastodon expects): `Date`,
/// `Digest` for a body, and what must be signed. [`Outgoing::signature_header`] then takes the
/// RSA signature of [`Outgoing::signed`].
pub struct Outgoing {
    pub date: String,
    pub digest: Option<String>,
    /// The string to sign.
    pub signed: String,
    covered: &'static str,
}

impl Outgoing {
    /// For `method` to `url` at `now`, with `body` (POST) or without (GET, `accept` then signed).
    pub fn new(method: &str, url: &str, body: Option<&[u8]>, content_type: &str, now: i64) -> Self {
        let date = crate::dates::http_date(now);
        let target = SignedRequest {
            method,
            url,
            header: &|_| None,
            body: &[],
        };
        let host = target.authority().to_ascii_lowercase();
        let request_target = format!(
            "(request-target): {} {}",
            method.to_ascii_lowercase(),
            target.path_and_query()
        );
        match body {
            Some(body) => {
                let digest = format!("SHA-256={}", STANDARD.encode(Sha256::digest(body)));
                Outgoing {
                    signed: format!(
                        "{request_target}\nhost: {host}\ndate: {date}\ndigest: {digest}\ncontent-type: {content_type}"
                    ),
                    date,
                    digest: Some(digest),
                    covered: "(request-target) host date digest content-type",
                }
            }
            None => Outgoing {
                signed: format!("{request_target}\nhost: {host}\ndate: {date}"),
                date,
                digest: None,
                covered: "(request-target) host date",
            },
        }
    }

    /// The `Signature` header, given the RSA signature of [`Outgoing::signed`] by `key_id`.
    pub fn signature_header(&self, key_id: &str, signature: &[u8]) -> String {
        format!(
            "keyId=\"{key_id}\",algorithm=\"rsa-sha256\",headers=\"{}\",signature=\"{}\"",
            self.covered,
            STANDARD.encode(signature)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_796_319_436; // Thu, 03 Dec 2026 17:37:16 GMT

    fn request<'a>(
        headers: &'a [(&'a str, String)],
        body: &'a [u8],
        lookup: &'a dyn Fn(&str) -> Option<String>,
    ) -> SignedRequest<'a> {
        let _ = headers;
        SignedRequest {
            method: "POST",
            url: "https://blog.example/ap/inbox",
            header: lookup,
            body,
        }
    }

    fn lookup<'a>(headers: &'a [(&'a str, String)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
        }
    }

    #[test]
    fn outgoing_cavage_reads_back_as_signed() {
        let body = br#"{"type":"Follow"}"#;
        let out = Outgoing::new(
            "POST",
            "https://blog.example/ap/inbox",
            Some(body),
            "application/activity+json",
            NOW,
        );
        assert_eq!(out.date, "Thu, 03 Dec 2026 17:37:16 GMT");
        let headers = vec![
            ("host", "blog.example".to_string()),
            ("date", out.date.clone()),
            ("digest", out.digest.clone().unwrap()),
            ("content-type", "application/activity+json".to_string()),
            (
                "signature",
                out.signature_header("https://peer.example/actor#main-key", b"sig"),
            ),
        ];
        let get = lookup(&headers);
        let read = read(&request(&headers, body, &get), NOW + 30).unwrap();
        assert_eq!(read.key_id, "https://peer.example/actor#main-key");
        assert_eq!(read.signature, b"sig");
        assert_eq!(read.signed, out.signed);
        assert!(read
            .signed
            .starts_with("(request-target): post /ap/inbox\nhost: blog.example\n"));
    }

    #[test]
    fn cavage_refusals_name_the_fault() {
        let body = br#"{"type":"Follow"}"#;
        let out = Outgoing::new(
            "POST",
            "https://blog.example/ap/inbox",
            Some(body),
            "application/activity+json",
            NOW,
        );
        let base = vec![
            ("host", "blog.example".to_string()),
            ("date", out.date.clone()),
            ("digest", out.digest.clone().unwrap()),
            ("content-type", "application/activity+json".to_string()),
            ("signature", out.signature_header("k", b"sig")),
        ];
        let check = |headers: &[(&str, String)], body: &[u8], now: i64| {
            let get = lookup(headers);
            read(&request(headers, body, &get), now).map(|_| ())
        };
        assert_eq!(check(&base, body, NOW), Ok(()));
        assert_eq!(
            check(&base, b"{\"type\":\"Delete\"}", NOW),
            Err(SignatureError::Digest)
        );
        assert_eq!(
            check(&base, body, NOW + MAX_AGE_SECONDS + 1),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            check(&base, body, NOW - MAX_SKEW_SECONDS - 1),
            Err(SignatureError::Stale)
        );
        assert_eq!(check(&base[..4], body, NOW), Err(SignatureError::Unsigned));
        let mut no_digest = base.clone();
        no_digest[4].1 =
            "keyId=\"k\",headers=\"(request-target) host date\",signature=\"c2ln\"".into();
        assert_eq!(
            check(&no_digest, body, NOW),
            Err(SignatureError::NotCovered("the Digest header"))
        );
        let mut no_host = base.clone();
        no_host[4].1 =
            "keyId=\"k\",headers=\"(request-target) date digest\",signature=\"c2ln\"".into();
        assert_eq!(
            check(&no_host, body, NOW),
            Err(SignatureError::NotCovered("the Host header"))
        );
        let mut other_alg = base.clone();
        other_alg[4].1 = "keyId=\"k\",algorithm=\"hmac-sha256\",headers=\"(request-target) host date digest\",signature=\"c2ln\"".into();
        assert!(matches!(
            check(&other_alg, body, NOW),
            Err(SignatureError::Algorithm(_))
        ));
        let mut garbage = base.clone();
        garbage[4].1 = "keyId=\"k".into();
        assert!(matches!(
            check(&garbage, body, NOW),
            Err(SignatureError::Malformed(_))
        ));
        let mut missing = base.clone();
        missing[4].1 =
            "keyId=\"k\",headers=\"(request-target) host date digest x-extra\",signature=\"c2ln\""
                .into();
        assert_eq!(
            check(&missing, body, NOW),
            Err(SignatureError::MissingHeader("x-extra".into()))
        );
    }

    #[test]
    fn rfc9421_base_as_the_rfc_builds_it() {
        let body = br#"{"type":"Create"}"#;
        let digest = format!("sha-256=:{}:", STANDARD.encode(Sha256::digest(body)));
        let input = "(\"@method\" \"@target-uri\" \"host\" \"date\" \"content-digest\");alg=\"rsa-v1_5-sha256\";keyid=\"https://peer.example/u/a#main-key\";created=1796319436";
        let headers = vec![
            ("host", "blog.example".to_string()),
            ("date", "Thu, 03 Dec 2026 17:37:16 GMT".to_string()),
            ("content-digest", digest.clone()),
            ("signature-input", format!("sig1={input}")),
            ("signature", "sig1=:c2ln:".to_string()),
        ];
        let get = lookup(&headers);
        let read = read(&request(&headers, body, &get), NOW).unwrap();
        assert_eq!(read.key_id, "https://peer.example/u/a#main-key");
        assert_eq!(read.created, NOW);
        assert_eq!(read.signature, b"sig");
        assert_eq!(
            read.signed,
            format!("\"@method\": POST\n\"@target-uri\": https://blog.example/ap/inbox\n\"host\": blog.example\n\"date\": Thu, 03 Dec 2026 17:37:16 GMT\n\"content-digest\": {digest}\n\"@signature-params\": {input}")
        );
        let mut no_digest = headers.clone();
        no_digest[3].1 = "sig1=(\"@method\" \"@target-uri\");created=1796319436;keyid=\"k\"".into();
        let get = lookup(&no_digest);
        assert_eq!(
            super::read(&request(&no_digest, body, &get), NOW),
            Err(SignatureError::NotCovered("the Content-Digest header"))
        );
    }
}
