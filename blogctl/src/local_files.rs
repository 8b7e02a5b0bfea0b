//! The local files a post's Markdown points at (`![alt](img/a.jpg)`, `[the report](report.pdf)`),
//! found with their line numbers so that `publish` can upload them and point the post at their
//! media addresses instead, and warn about images without alt text.

/// A link or image whose target is a relative path (not a URL, not an address on the blog, not
/// an anchor).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalRef {
    /// The target as written.
    pub target: String,
    /// 0-based line within the Markdown.
    pub line: usize,
    pub is_image: bool,
    /// The image's alt text (empty: none).
    pub alt: String,
}

/// Whether a link target names a local file rather than an address.
pub fn is_local(target: &str) -> bool {
    let t = target.trim();
    !(t.is_empty()
        || t.starts_with('/')
        || t.starts_with('#')
        || t.starts_with('?')
        || t.contains("://")
        || t.split_once(':').is_some_and(|(scheme, _)| {
            scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        }))
}

/// Every `[text](target)` and `![alt](target)` whose target [`is_local`], in order. Targets may
/// carry a title (`(a.jpg "Title")`), which is not part of the path. Code spans and fenced code
/// blocks are skipped.
pub fn local_refs(markdown: &str) -> Vec<LocalRef> {
    let mut found = Vec::new();
    let mut fenced = false;
    for (line_no, line) in markdown.lines().enumerate() {
        if line.trim_start().starts_with("```") || line.trim_start().starts_with("~~~") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        let mut in_code = false;
        let bytes = line.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'`' => in_code = !in_code,
                b'[' if !in_code => {
                    if let Some((text_end, target, next)) = link_at(line, i) {
                        let is_image = i > 0 && bytes[i - 1] == b'!';
                        if is_local(&target) {
                            found.push(LocalRef {
                                target,
                                line: line_no,
                                is_image,
                                alt: line[i + 1..text_end].trim().to_string(),
                            });
                        }
                        i = next;
                        continue;
                    }
                }
                _ => {}
            }
            i += 1;
        }
    }
    found
}

/// At a `[`: the end of the text, the target (without a title) and where the link ends.
fn link_at(line: &str, open: usize) -> Option<(usize, String, usize)> {
    let text_end = open + line[open..].find(']')?;
    let rest = &line[text_end + 1..];
    let inner = rest.strip_prefix('(')?;
    let close = inner.find(')')?;
    let inside = inner[..close].trim();
    let target = match inside.strip_prefix('<') {
        Some(angled) => angled.split('>').next().unwrap_or("").to_string(),
        None => inside.split_whitespace().next().unwrap_or("").to_string(),
    };
    Some((text_end, target, text_end + 2 + close + 1))
}

/// The Markdown with each `(target` of a local reference replaced by its new address.
pub fn rewrite(markdown: &str, replacements: &[(String, String)]) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut fenced = false;
    for line in markdown.split_inclusive('\n') {
        if line.trim_start().starts_with("```") || line.trim_start().starts_with("~~~") {
            fenced = !fenced;
        }
        let mut line = line.to_string();
        if !fenced {
            for (from, to) in replacements {
                line = line
                    .replace(&format!("]({from})"), &format!("]({to})"))
                    .replace(&format!("]({from} "), &format!("]({to} "))
                    .replace(&format!("](<{from}>"), &format!("](<{to}>"));
            }
        }
        out.push_str(&line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_local_images_and_files_with_lines() {
        let md = "Intro ![A photo](img/a.jpg) and ![](b.png \"Title\").\n\nSee [the report](docs/report.pdf), [a site](https://x.org/y.pdf), [home](/about), [top](#top), [mail](mailto:a@b.c).\n\n`![code](not.png)`\n\n```\n![fenced](no.png)\n```\n";
        let refs = local_refs(md);
        assert_eq!(
            refs,
            [
                LocalRef {
                    target: "img/a.jpg".into(),
                    line: 0,
                    is_image: true,
                    alt: "A photo".into()
                },
                LocalRef {
                    target: "b.png".into(),
                    line: 0,
                    is_image: true,
                    alt: String::new()
                },
                LocalRef {
                    target: "docs/report.pdf".into(),
                    line: 2,
                    is_image: false,
                    alt: "the report".into()
                },
            ]
        );
    }

    #[test]
    fn rewrites_only_the_targets() {
        let md = "![A](img/a.jpg) ![B](img/a.jpg \"t\") [img/a.jpg](img/a.jpg)\n```\n![x](img/a.jpg)\n```\n";
        let out = rewrite(md, &[("img/a.jpg".into(), "/media/h/a.jpg".into())]);
        assert_eq!(
            out,
            "![A](/media/h/a.jpg) ![B](/media/h/a.jpg \"t\") [img/a.jpg](/media/h/a.jpg)\n```\n![x](img/a.jpg)\n```\n"
        );
    }
}
