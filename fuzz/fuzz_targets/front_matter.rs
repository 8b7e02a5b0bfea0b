//! Front matter parsing never panics.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = blogctl::front_matter::parse(&String::from_utf8_lossy(data));
});
