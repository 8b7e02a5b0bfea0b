//! RSA with SHA-256 (RSASSA-PKCS1-v1_5) through the runtime's WebCrypto: the signatures of
//! Cloudflare Access tokens ([`super::access`]) and of the fediverse's HTTP requests
//! ([`super::federation`]). The arithmetic is native; nothing of it is compiled into the Worker.

use std::cell::RefCell;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

thread_local! {
    /// The blog's private key, imported once per isolate (PEM → key).
    static SIGNING_KEY: RefCell<Option<(String, JsValue)>> = const { RefCell::new(None) };
}

fn subtle() -> Result<JsValue, JsValue> {
    Reflect::get(
        &Reflect::get(&js_sys::global(), &"crypto".into())?,
        &"subtle".into(),
    )
}

async fn call(name: &str, args: &Array) -> Result<JsValue, JsValue> {
    let subtle = subtle()?;
    let method = Reflect::get(&subtle, &name.into())?.dyn_into::<Function>()?;
    let promise = method.apply(&subtle, args)?.dyn_into::<Promise>()?;
    JsFuture::from(promise).await
}

fn algorithm() -> Result<JsValue, JsValue> {
    let algorithm = Object::new();
    Reflect::set(&algorithm, &"name".into(), &"RSASSA-PKCS1-v1_5".into())?;
    Reflect::set(&algorithm, &"hash".into(), &"SHA-256".into())?;
    Ok(algorithm.into())
}

/// The DER inside a PEM block (any label). A PEM kept on one line with `\n` escapes (as in a
/// `.dev.vars` file) reads too.
pub fn pem_der(pem: &str) -> Option<Vec<u8>> {
    let pem = pem.replace("\\n", "\n");
    let after_begin = pem.split_once("-----BEGIN")?.1.split_once("-----")?.1;
    let body = after_begin.split_once("-----END")?.0;
    let body: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    STANDARD.decode(body).ok().filter(|der| !der.is_empty())
}

/// A PEM block of `der` labelled `label`.
fn pem(label: &str, der: &[u8]) -> String {
    let encoded = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in encoded.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

async fn import(
    format: &str,
    data: &JsValue,
    usage: &str,
    extractable: bool,
) -> Result<JsValue, JsValue> {
    call(
        "importKey",
        &Array::of5(
            &format.into(),
            data,
            &algorithm()?,
            &extractable.into(),
            &Array::of1(&usage.into()),
        ),
    )
    .await
}

async fn verify_with(key: &JsValue, data: &[u8], signature: &[u8]) -> Result<bool, JsValue> {
    let verified = call(
        "verify",
        &Array::of4(
            &algorithm()?,
            key,
            &Uint8Array::from(signature),
            &Uint8Array::from(data),
        ),
    )
    .await?;
    Ok(verified.as_bool().unwrap_or(false))
}

/// Whether `signature` is `data` signed by the public key in `jwk`.
pub async fn verify_jwk(
    jwk: &serde_json::Value,
    data: &[u8],
    signature: &[u8],
) -> Result<bool, JsValue> {
    let jwk = js_sys::JSON::parse(&jwk.to_string())?;
    let key = import("jwk", &jwk, "verify", false).await?;
    verify_with(&key, data, signature).await
}

/// Whether `signature` is `data` signed by the public key in `pem` (SPKI).
pub async fn verify_pem(pem: &str, data: &[u8], signature: &[u8]) -> Result<bool, JsValue> {
    let der = pem_der(pem).ok_or_else(|| JsValue::from_str("the public key is not PEM"))?;
    let key = import(
        "spki",
        &Uint8Array::from(der.as_slice()).into(),
        "verify",
        false,
    )
    .await?;
    verify_with(&key, data, signature).await
}

/// The blog's private key (PKCS#8 PEM), imported once per isolate.
async fn signing_key(private_pem: &str) -> Result<JsValue, JsValue> {
    let kept = SIGNING_KEY.with(|k| {
        k.borrow()
            .as_ref()
            .filter(|(pem, _)| pem == private_pem)
            .map(|(_, key)| key.clone())
    });
    if let Some(key) = kept {
        return Ok(key);
    }
    let der = pem_der(private_pem)
        .ok_or_else(|| JsValue::from_str("the private key is not PEM (PKCS#8)"))?;
    let key = import(
        "pkcs8",
        &Uint8Array::from(der.as_slice()).into(),
        "sign",
        true,
    )
    .await?;
    SIGNING_KEY.with(|k| *k.borrow_mut() = Some((private_pem.to_string(), key.clone())));
    Ok(key)
}

/// `data` signed with the private key in `private_pem`.
pub async fn sign(private_pem: &str, data: &[u8]) -> Result<Vec<u8>, JsValue> {
    let key = signing_key(private_pem).await?;
    let signature = call(
        "sign",
        &Array::of3(&algorithm()?, &key, &Uint8Array::from(data)),
    )
    .await?;
    Ok(Uint8Array::new(&signature).to_vec())
}

/// The public half of `private_pem`, as SPKI PEM (what the actor document publishes).
pub async fn public_pem(private_pem: &str) -> Result<String, JsValue> {
    let key = signing_key(private_pem).await?;
    let jwk = call("exportKey", &Array::of2(&"jwk".into(), &key)).await?;
    // The public key is the private key's modulus and exponent.
    let public = Object::new();
    for field in ["kty", "n", "e"] {
        Reflect::set(&public, &field.into(), &Reflect::get(&jwk, &field.into())?)?;
    }
    let public = import("jwk", &public.into(), "verify", true).await?;
    let spki = call("exportKey", &Array::of2(&"spki".into(), &public)).await?;
    Ok(pem("PUBLIC KEY", &Uint8Array::new(&spki).to_vec()))
}
