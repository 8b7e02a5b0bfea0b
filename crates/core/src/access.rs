//! Cloudflare Access in front of the browser admin: the `Cf-Access-Jwt-Assertion` header's JWT,
//! read and its claims checked. The signature (RS256, against the team's published keys) is
//! checked by the Worker with WebCrypto (`src/author/access.rs`); everything else is here.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Deserialize;

/// Clocks may differ this much.
const LEEWAY_SECONDS: i64 = 60;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccessError {
    /// Not three base64url parts of JSON, or not RS256.
    Malformed,
    /// Signed by no key the team publishes, or the signature is wrong.
    BadSignature,
    Expired,
    NotYetValid,
    /// Issued for another Access application.
    WrongAudience,
    /// Issued by another team.
    WrongIssuer,
}

impl std::fmt::Display for AccessError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            AccessError::Malformed => "the Access token is malformed",
            AccessError::BadSignature => "the Access token's signature does not verify",
            AccessError::Expired => "the Access token has expired",
            AccessError::NotYetValid => "the Access token is not valid yet",
            AccessError::WrongAudience => "the Access token is for another application",
            AccessError::WrongIssuer => "the Access token is from another team",
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
struct Header {
    alg: String,
    kid: String,
}

/// What an Access token says.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Claims {
    #[serde(deserialize_with = "one_or_many")]
    pub aud: Vec<String>,
    pub exp: i64,
    #[serde(default)]
    pub nbf: Option<i64>,
    #[serde(default)]
    pub iss: String,
    #[serde(default)]
    pub sub: String,
    #[serde(default)]
    pub email: Option<String>,
}

fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Aud {
        One(String),
        Many(Vec<String>),
    }
    Ok(match Aud::deserialize(d)? {
        Aud::One(one) => vec![one],
        Aud::Many(many) => many,
    })
}

/// A token taken apart: what is signed, the signature, the key's id and the claims.
#[derive(Debug, Clone, PartialEq)]
pub struct Jwt {
    pub kid: String,
    /// `header.payload`, the bytes the signature covers.
    pub signed: String,
    pub signature: Vec<u8>,
    pub claims: Claims,
}

/// Reads a JWT (RS256 only; `alg: none` and HMAC algorithms are refused).
pub fn parse(token: &str) -> Result<Jwt, AccessError> {
    let mut parts = token.trim().split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(AccessError::Malformed);
    };
    let decode = |part: &str| {
        URL_SAFE_NO_PAD
            .decode(part)
            .map_err(|_| AccessError::Malformed)
    };
    let head: Header =
        serde_json::from_slice(&decode(header)?).map_err(|_| AccessError::Malformed)?;
    if head.alg != "RS256" {
        return Err(AccessError::Malformed);
    }
    let claims: Claims =
        serde_json::from_slice(&decode(payload)?).map_err(|_| AccessError::Malformed)?;
    Ok(Jwt {
        kid: head.kid,
        signed: format!("{header}.{payload}"),
        signature: decode(signature)?,
        claims,
    })
}

/// Checks the claims: for `audience`, from `team` (`https://name.cloudflareaccess.com`), valid
/// at `now`.
pub fn check(claims: &Claims, audience: &str, team: &str, now: i64) -> Result<(), AccessError> {
    if !claims.aud.iter().any(|a| a == audience) {
        return Err(AccessError::WrongAudience);
    }
    if claims.iss.trim_end_matches('/') != team.trim_end_matches('/') {
        return Err(AccessError::WrongIssuer);
    }
    if claims.exp + LEEWAY_SECONDS < now {
        return Err(AccessError::Expired);
    }
    if claims.nbf.is_some_and(|nbf| nbf - LEEWAY_SECONDS > now) {
        return Err(AccessError::NotYetValid);
    }
    Ok(())
}

/// The address of the team's public keys (a JWKS).
pub fn certs_url(team: &str) -> String {
    format!("{}/cdn-cgi/access/certs", team.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(header: &str, payload: &str) -> String {
        format!(
            "{}.{}.{}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(payload),
            URL_SAFE_NO_PAD.encode([1, 2, 3])
        )
    }

    #[test]
    fn tokens_are_read_and_their_claims_checked() {
        let jwt = parse(&token(
            r#"{"alg":"RS256","kid":"k1"}"#,
            r#"{"aud":["app"],"exp":1000,"iss":"https://team.cloudflareaccess.com","sub":"u1","email":"a@b.org"}"#,
        ))
        .expect("a token");
        assert_eq!(jwt.kid, "k1");
        assert_eq!(jwt.signature, [1, 2, 3]);
        assert_eq!(jwt.claims.email.as_deref(), Some("a@b.org"));
        let team = "https://team.cloudflareaccess.com";
        assert_eq!(check(&jwt.claims, "app", team, 900), Ok(()));
        assert_eq!(
            check(&jwt.claims, "app", team, 1_100),
            Err(AccessError::Expired)
        );
        assert_eq!(
            check(&jwt.claims, "other", team, 900),
            Err(AccessError::WrongAudience)
        );
        assert_eq!(
            check(&jwt.claims, "app", "https://evil.cloudflareaccess.com", 900),
            Err(AccessError::WrongIssuer)
        );
        let one = parse(&token(
            r#"{"alg":"RS256","kid":"k"}"#,
            r#"{"aud":"app","exp":1,"nbf":5000}"#,
        ))
        .expect("aud as a string");
        assert_eq!(one.claims.aud, ["app"]);
        assert_eq!(
            check(&one.claims, "app", "", 0),
            Err(AccessError::NotYetValid)
        );
    }

    #[test]
    fn other_algorithms_and_garbage_are_refused() {
        for bad in [
            token(r#"{"alg":"none","kid":"k"}"#, r#"{"aud":"a","exp":1}"#),
            token(r#"{"alg":"HS256","kid":"k"}"#, r#"{"aud":"a","exp":1}"#),
            token(r#"{"alg":"RS256"}"#, r#"{"aud":"a","exp":1}"#),
            "a.b".to_string(),
            "a.b.c.d".to_string(),
            "!!.??.##".to_string(),
        ] {
            assert_eq!(parse(&bad), Err(AccessError::Malformed), "{bad}");
        }
        assert_eq!(
            certs_url("https://t.cloudflareaccess.com/"),
            "https://t.cloudflareaccess.com/cdn-cgi/access/certs"
        );
    }
}
