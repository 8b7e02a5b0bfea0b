//! Embeds the page the floors return: the file named by `FLOOR_PAGE_FILE` (the benchmark writes
//! the blog's own post page there), or a placeholder for ordinary builds.

use std::{env, fs, path::Path};

fn main() {
    println!("cargo:rerun-if-env-changed=FLOOR_PAGE_FILE");
    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("page.html");
    let page = match env::var("FLOOR_PAGE_FILE") {
        Ok(file) => {
            println!("cargo:rerun-if-changed={file}");
            fs::read(&file).unwrap_or_else(|e| panic!("FLOOR_PAGE_FILE {file}: {e}"))
        }
        Err(_) => b"<p>floor</p>".to_vec(),
    };
    fs::write(out, page).expect("OUT_DIR is writable");
}
