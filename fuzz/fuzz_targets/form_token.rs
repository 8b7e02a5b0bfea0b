//! Token verification never panics and accepts only what was issued.
#![no_main]
use libfuzzer_sys::fuzz_target;
use blog_core::token;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(issued) = token::verify_form_token("fuzz-secret", 7, &text, 2_000_000_000) {
        // Anything accepted must be exactly what the issuer makes for that time.
        assert_eq!(token::issue_form_token("fuzz-secret", 7, issued), text.trim());
    }
    let _ = token::verify_held_comment_key("fuzz-secret", 7, &text);
});
