//! Embeds what the floors return: the page in the file named by `FLOOR_PAGE_FILE` and the headers
//! (`Name: value` lines) in `FLOOR_HEADERS_FILE` (the benchmark writes the blog's own post page and
//! its response headers there), or placeholders for ordinary builds.

use std::{env, fs, path::Path};

fn embed(var: &str, out_name: &str, placeholder: &[u8]) {
    println!("cargo:rerun-if-env-changed={var}");
    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join(out_name);
    let bytes = match env::var(var) {
        Ok(file) => {
            println!("cargo:rerun-if-changed={file}");
            fs::read(&file).unwrap_or_else(|e| panic!("{var} {file}: {e}"))
        }
        Err(_) => placeholder.to_vec(),
    };
    fs::write(out, bytes).expect("OUT_DIR is writable");
}

fn main() {
    embed("FLOOR_PAGE_FILE", "page.html", b"<p>floor</p>");
    embed(
        "FLOOR_HEADERS_FILE",
        "headers.txt",
        b"Content-Type: text/html; charset=utf-8\n",
    );
}
