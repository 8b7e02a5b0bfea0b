//! Cloudflare's Images binding (`IMAGES`), which the `worker` crate does not wrap: an image's
//! size, and the image narrowed to a width in another format. Called through the binding's own
//! JavaScript methods (`info`, `input(…).transform(…).output(…)`), as the runtime gives them.

use js_sys::{Array, Function, Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::js;

/// Why the binding gave no image: the caller serves the original instead.
#[derive(Debug)]
pub struct ImagesError(pub String);

impl From<JsValue> for ImagesError {
    fn from(value: JsValue) -> Self {
        ImagesError(js::message(&value))
    }
}

/// The `IMAGES` binding.
pub struct Images {
    binding: JsValue,
}

fn method(on: &JsValue, name: &str) -> Result<Function, ImagesError> {
    Reflect::get(on, &name.into())?
        .dyn_into::<Function>()
        .map_err(|_| ImagesError(format!("the Images binding has no {name}()")))
}

async fn settle(value: JsValue) -> Result<JsValue, ImagesError> {
    Ok(JsFuture::from(value.dyn_into::<Promise>()?).await?)
}

/// `bytes` as the `ReadableStream` the binding reads (a `Blob`'s).
fn stream_of(bytes: &[u8]) -> Result<JsValue, ImagesError> {
    let parts = Array::of1(&Uint8Array::from(bytes));
    let blob_type: Function = Reflect::get(&js_sys::global(), &"Blob".into())?.dyn_into()?;
    let blob = Reflect::construct(&blob_type, &Array::of1(&parts))?;
    Ok(method(&blob, "stream")?.call0(&blob)?)
}

impl Images {
    /// The binding named `IMAGES` in `env`, when the deployment has one.
    pub fn from_env(env: &worker::Env) -> Option<Images> {
        js::binding(env, "IMAGES").map(|binding| Images { binding })
    }

    /// The image scaled (never enlarged) to `width` pixels wide, encoded as `mime`.
    pub async fn resize(
        &self,
        bytes: &[u8],
        width: u32,
        mime: &str,
    ) -> Result<Vec<u8>, ImagesError> {
        let transformer =
            method(&self.binding, "input")?.call1(&self.binding, &stream_of(bytes)?)?;
        let transform = js::object(&[("width", width.into()), ("fit", "scale-down".into())]);
        let transformer = method(&transformer, "transform")?.call1(&transformer, &transform)?;
        let output = js::object(&[("format", mime.into())]);
        let result = method(&transformer, "output")?.call1(&transformer, &output)?;
        let result = settle(result).await?;
        let response = method(&result, "response")?.call0(&result)?;
        let buffer = method(&response, "arrayBuffer")?.call0(&response)?;
        let buffer = settle(buffer).await?;
        Ok(Uint8Array::new(&buffer).to_vec())
    }
}
