//! Comment form decoding and validation never panic, whatever bytes arrive.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let form = blog_core::form::CommentForm::decode(data);
    if let Ok(valid) = blog_core::form::validate(&form) {
        assert!(!valid.author.is_empty() && valid.author.chars().count() <= blog_core::form::MAX_AUTHOR_CHARS);
        assert!(valid.url.as_deref().is_none_or(|u| u.to_ascii_lowercase().starts_with("http")));
    }
});
