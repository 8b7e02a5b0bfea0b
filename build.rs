//! Stamps the build with a hash of everything that shapes a rendered page (templates and Rust
//! sources, the core crate's included), so that a new version of the Worker never serves pages cached by an older one: the
//! hash is part of every page-cache key.

use std::collections::hash_map::DefaultHasher;
use std::hash::Hasher;
use std::path::Path;
use std::{env, fs};

fn hash_dir(dir: &Path, hasher: &mut DefaultHasher) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            hash_dir(&path, hasher);
        } else if let Ok(bytes) = fs::read(&path) {
            hasher.write(path.to_string_lossy().as_bytes());
            hasher.write(&bytes);
        }
    }
}

fn main() {
    let root = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let root = Path::new(&root);
    let mut hasher = DefaultHasher::new();
    for dir in ["templates", "src", "crates/core/src"] {
        hash_dir(&root.join(dir), &mut hasher);
        println!("cargo:rerun-if-changed={dir}");
    }
    hasher.write(env::var("CARGO_PKG_VERSION").unwrap_or_default().as_bytes());
    println!(
        "cargo:rustc-env=BLOG_BUILD_ID={:08x}",
        hasher.finish() as u32
    );
}
