//! Cloudflare Access in front of `/admin/`: with `ACCESS_TEAM_DOMAIN`
//! (`https://{team}.cloudflareaccess.com`) and `ACCESS_AUD` (the application's audience tag) set,
//! the browser admin trusts only a valid `Cf-Access-Jwt-Assertion` header. Its claims are
//! checked by `blog_core::access`; its RS256 signature here, with WebCrypto, against the team's
//! published keys (fetched from `{team}/cdn-cgi/access/certs` and kept for an hour by the
//! isolate; fetched again at once for a key id it does not know, as after a rotation).

use std::cell::RefCell;

use blog_core::access::{self, AccessError, Claims};
use serde_json::Value;

use crate::edge::{runtime, App};

/// How long fetched keys are used before they are fetched again.
const KEYS_SECONDS: i64 = 3600;

thread_local! {
    /// The team's keys: when they were fetched, from where, and the JWKS.
    static KEYS: RefCell<Option<(i64, String, Value)>> = const { RefCell::new(None) };
}

/// Access's settings, when the Worker is behind it.
pub struct AccessConfig {
    pub team: String,
    pub audience: String,
}

pub fn config(app: &App) -> Option<AccessConfig> {
    Some(AccessConfig {
        team: app
            .var("ACCESS_TEAM_DOMAIN")?
            .trim()
            .trim_end_matches('/')
            .to_string(),
        audience: app.var("ACCESS_AUD")?.trim().to_string(),
    })
}

/// Verifies an Access token: claims first (cheap), then the signature.
pub async fn verify(config: &AccessConfig, token: &str) -> Result<Claims, AccessError> {
    let jwt = access::parse(token)?;
    access::check(&jwt.claims, &config.audience, &config.team, runtime::now())?;
    let key = match team_key(&config.team, &jwt.kid, false).await {
        Some(key) => key,
        None => team_key(&config.team, &jwt.kid, true)
            .await
            .ok_or(AccessError::BadSignature)?,
    };
    match super::webcrypto::verify_jwk(&key, jwt.signed.as_bytes(), &jwt.signature).await {
        Ok(true) => Ok(jwt.claims),
        Ok(false) => Err(AccessError::BadSignature),
        Err(e) => {
            worker::console_error!("verifying an Access token failed: {e:?}");
            Err(AccessError::BadSignature)
        }
    }
}

/// The team's key with id `kid` (a JWK), from the kept keys or (`refresh`, or none kept) fetched.
async fn team_key(team: &str, kid: &str, refresh: bool) -> Option<Value> {
    let now = runtime::now();
    let kept = KEYS.with(|keys| {
        keys.borrow()
            .as_ref()
            .filter(|(at, from, _)| from == team && now - at < KEYS_SECONDS && !refresh)
            .map(|(_, _, jwks)| jwks.clone())
    });
    let jwks = match kept {
        Some(jwks) => jwks,
        None => {
            let fetched = fetch_keys(team).await?;
            KEYS.with(|keys| *keys.borrow_mut() = Some((now, team.to_string(), fetched.clone())));
            fetched
        }
    };
    jwks.get("keys")?
        .as_array()?
        .iter()
        .find(|k| k.get("kid").and_then(Value::as_str) == Some(kid))
        .cloned()
}

async fn fetch_keys(team: &str) -> Option<Value> {
    let request = worker::Request::new(&access::certs_url(team), worker::Method::Get).ok()?;
    let mut response = match worker::Fetch::Request(request).send().await {
        Ok(response) if response.status_code() == 200 => response,
        Ok(response) => {
            worker::console_error!("Access keys: HTTP {}", response.status_code());
            return None;
        }
        Err(e) => {
            worker::console_error!("Access keys could not be fetched: {e}");
            return None;
        }
    };
    response.json::<Value>().await.ok()
}
