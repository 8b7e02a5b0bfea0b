//! Calling a binding's own JavaScript methods, for the few calls where the `worker` crate's
//! wrapper would cost every cold reader kilobytes (its builders turn options into JavaScript
//! through serde's serializer and `serde_json::Value`) or where it has no wrapper at all (the
//! Images binding).

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// `on[name]`, when it is there.
pub fn property(on: &JsValue, name: &str) -> Option<JsValue> {
    Reflect::get(on, &name.into())
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

/// The binding `name` of a Worker's environment, when the deployment has it.
pub fn binding(env: &worker::Env, name: &str) -> Option<JsValue> {
    let env: JsValue = env.clone().into();
    property(&env, name)
}

/// Calls `on.name(...args)` and waits for the promise it returns.
pub async fn call(on: &JsValue, name: &str, args: &[&JsValue]) -> Result<JsValue, JsValue> {
    let method: Function = property(on, name)
        .ok_or_else(|| JsValue::from_str(&format!("no method {name}()")))?
        .dyn_into()?;
    let args: Array = args.iter().copied().collect();
    let promise: Promise = method.apply(on, &args)?.dyn_into()?;
    JsFuture::from(promise).await
}

/// A plain object of `(name, value)` pairs.
pub fn object(fields: &[(&str, JsValue)]) -> Object {
    let object = Object::new();
    for (name, value) in fields {
        // Setting a property on a fresh plain object cannot fail.
        let _ = Reflect::set(&object, &(*name).into(), value);
    }
    object
}

/// What a thrown JavaScript value says: its `message`, or the value itself.
pub fn message(value: &JsValue) -> String {
    value
        .as_string()
        .or_else(|| property(value, "message").and_then(|m| m.as_string()))
        .unwrap_or_else(|| format!("{value:?}"))
}
