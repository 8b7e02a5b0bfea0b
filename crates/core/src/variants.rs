//! Image variants: a library image served at the widths a page needs and in the formats a
//! browser takes. Which widths exist, where a variant lives (its address and its R2 key), which
//! format an `Accept` header gets, and the `srcset`/`sizes` a page writes. Pure; the reader
//! Worker makes a variant once through the Images binding and keeps it in R2.
//!
//! A variant's address is `/media/{hash}/w{width}/{name}`: one address per width, whose answer
//! depends on `Accept` (AVIF, else WebP, else the original's type; `Vary: Accept`). Only the
//! widths below exist, so nobody can make the blog pay for a transform per made-up width.

use crate::media::MediaType;

/// The widths `srcset` offers, narrowest first: a phone at 1× takes 320–480, the page's column
/// (37.5rem, 600 px) at 2× takes 1280.
pub const SRCSET_WIDTHS: [u32; 6] = [320, 480, 640, 960, 1280, 1600];

/// The width `og:image` asks for: what link previews show at their largest.
pub const OG_IMAGE_WIDTH: u32 = 1200;

/// The page's column: images are at most this wide (`.wrap`'s 40rem less its padding), and the
/// full width of a narrower screen less the padding.
pub const SIZES: &str = "(max-width: 40rem) calc(100vw - 2.5rem), 37.5rem";

/// Whether `/media/{hash}/w{width}/…` is a variant the blog makes.
pub fn is_variant_width(width: u32) -> bool {
    width == OG_IMAGE_WIDTH || SRCSET_WIDTHS.contains(&width)
}

/// Reads the `w{width}` segment of a variant's address.
pub fn parse_width_segment(segment: &str) -> Option<u32> {
    let digits = segment.strip_prefix('w')?;
    if digits.is_empty() || digits.len() > 5 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let width = digits.parse().ok()?;
    is_variant_width(width).then_some(width)
}

/// Whether images of this type get variants. An animated GIF would lose its frames (and most
/// GIFs on a blog are animations), so GIFs, like anything that is not an image, are served as
/// they are.
pub fn is_resizable(kind: MediaType) -> bool {
    matches!(
        kind,
        MediaType::Jpeg | MediaType::Png | MediaType::Webp | MediaType::Avif
    )
}

/// The address of a variant of `/media/{hash}/{name}`.
pub fn variant_path(hash: &str, width: u32, name: &str) -> String {
    format!("/media/{hash}/w{width}/{name}")
}

/// Where a made variant is kept in R2, beside the original (`media/{hash}`): content-addressed
/// like it, so it never changes and never needs purging while the original stays.
pub fn variant_key(hash: &str, width: u32, kind: MediaType) -> String {
    format!("variants/{hash}/w{width}.{}", kind.extension())
}

/// The R2 prefix of every variant of one original (dropped with it).
pub fn variants_prefix(hash: &str) -> String {
    format!("variants/{hash}/")
}

/// What a variant is sent as, by the browser's `Accept`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Avif,
    Webp,
    /// The original's own type (JPEG, PNG…).
    Original,
}

impl Encoding {
    /// Names it in the variant's `ETag` and cache key.
    pub fn tag(self) -> &'static str {
        match self {
            Encoding::Avif => "avif",
            Encoding::Webp => "webp",
            Encoding::Original => "original",
        }
    }

    /// The type of a variant of an `original` image.
    pub fn media_type(self, original: MediaType) -> MediaType {
        match self {
            Encoding::Avif => MediaType::Avif,
            Encoding::Webp => MediaType::Webp,
            Encoding::Original => original,
        }
    }
}

const ENCODINGS: [Encoding; 3] = [Encoding::Avif, Encoding::Webp, Encoding::Original];

/// AVIF when the browser takes it, else WebP, else the original's own type. A type listed with
/// `q=0` is refused (RFC 9110 §12.4.2); a wildcard does not count, since a browser that sends
/// `*/*` may still not decode AVIF.
pub fn negotiate(accept: Option<&str>) -> Encoding {
    let takes = |wanted: &str| {
        accept.is_some_and(|accept| {
            accept.split(',').any(|range| {
                let mut parts = range.split(';');
                let kind = parts.next().unwrap_or("").trim();
                // `q=0`, `q=0.0`…: read as text (parsing a float would link float parsing into
                // the reader Worker for this one comparison).
                let refused = parts.any(|p| {
                    p.trim().strip_prefix("q=").is_some_and(|q| {
                        let q = q.trim();
                        q.starts_with('0') && q.bytes().all(|b| b == b'0' || b == b'.')
                    })
                });
                kind.eq_ignore_ascii_case(wanted) && !refused
            })
        })
    };
    if takes("image/avif") {
        Encoding::Avif
    } else if takes("image/webp") {
        Encoding::Webp
    } else {
        Encoding::Original
    }
}

/// The type the name of a library file says (its extension comes from its bytes; see
/// [`crate::media::clean_name`]).
pub fn type_of_name(name: &str) -> Option<MediaType> {
    let extension = name.rsplit_once('.')?.1;
    crate::media::ALL
        .into_iter()
        .find(|t| t.extension() == extension)
}

/// The Cache API key (less the origin) of a variant as sent with `encoding`: one per answer, so
/// that a cache that ignores `Vary` still never sends AVIF to a browser that did not ask for it.
pub fn cache_path(hash: &str, width: u32, encoding: Encoding, name: &str) -> String {
    format!("/media/{hash}/w{width}/{}/{name}", encoding.tag())
}

/// Every Cache API key a variant of the file may be kept under (purged with the file).
pub fn cache_paths(hash: &str, name: &str) -> Vec<String> {
    SRCSET_WIDTHS
        .into_iter()
        .chain([OG_IMAGE_WIDTH])
        .flat_map(|w| ENCODINGS.map(|e| cache_path(hash, w, e, name)))
        .collect()
}

/// The `srcset` of a library image `natural_width` pixels wide at `/media/{hash}/{name}`: each
/// offered width narrower than the image, then the image at its own width (the original
/// address, sent as it is). `None` when no variant is narrower (nothing to choose between).
pub fn srcset(hash: &str, name: &str, natural_width: u32) -> Option<String> {
    let narrower: Vec<u32> = SRCSET_WIDTHS
        .into_iter()
        .filter(|&w| w < natural_width)
        .collect();
    if narrower.is_empty() {
        return None;
    }
    let mut set = String::new();
    for width in narrower {
        set.push_str(&variant_path(hash, width, name));
        set.push_str(&format!(" {width}w, "));
    }
    set.push_str(&format!(
        "{} {natural_width}w",
        crate::media::media_path(hash, name)
    ));
    Some(set)
}

/// The hash and name of a library file's address (absolute or not): `/media/{hash}/{name}`.
pub fn library_file(address: &str) -> Option<(&str, &str)> {
    let at = address.find("/media/")?;
    let rest = &address[at + 7..];
    let (hash, name) = rest.split_once('/')?;
    (crate::media::is_hash(hash) && !name.is_empty() && !name.contains(['/', '?', '#', '"']))
        .then_some((hash, name))
}

/// The address link previews get for a post's lead image: its [`OG_IMAGE_WIDTH`] variant when
/// it is a library image (`/media/…`; served as it is when narrower), else the address unchanged.
pub fn og_image(address: &str) -> String {
    match library_file(address) {
        Some((hash, name)) if address.starts_with("/media/") && !name.ends_with(".gif") => {
            variant_path(hash, OG_IMAGE_WIDTH, name)
        }
        _ => address.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HASH: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";

    #[test]
    fn only_the_offered_widths_are_variants() {
        assert_eq!(parse_width_segment("w640"), Some(640));
        assert_eq!(parse_width_segment("w1200"), Some(1200));
        assert_eq!(parse_width_segment("w641"), None);
        assert_eq!(parse_width_segment("w"), None);
        assert_eq!(parse_width_segment("640"), None);
        assert_eq!(parse_width_segment("w+640"), None);
        assert_eq!(parse_width_segment("w99999999999"), None);
    }

    #[test]
    fn the_browser_gets_the_best_format_it_asks_for() {
        let chrome = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8";
        assert_eq!(negotiate(Some(chrome)), Encoding::Avif);
        let old_safari = "image/webp,image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5";
        assert_eq!(negotiate(Some(old_safari)), Encoding::Webp);
        assert_eq!(negotiate(Some("*/*")), Encoding::Original);
        assert_eq!(negotiate(None), Encoding::Original);
        assert_eq!(
            negotiate(Some("image/avif;q=0, image/webp")),
            Encoding::Webp
        );
        assert_eq!(negotiate(Some("IMAGE/AVIF ; q=0.5")), Encoding::Avif);
        assert_eq!(negotiate(Some("image/avif;q=0.000")), Encoding::Original);
        assert_eq!(negotiate(Some("image/avif;q=1")), Encoding::Avif);
        assert_eq!(
            Encoding::Original.media_type(MediaType::Png),
            MediaType::Png
        );
        assert_eq!(type_of_name("chart-1.png"), Some(MediaType::Png));
        assert_eq!(type_of_name("chart"), None);
        let paths = cache_paths(HASH, "a.png");
        assert_eq!(paths.len(), 21);
        assert!(paths.contains(&format!("/media/{HASH}/w1200/webp/a.png")));
    }

    #[test]
    fn srcset_lists_narrower_variants_then_the_original() {
        assert_eq!(
            srcset(HASH, "a.jpg", 700).as_deref(),
            Some(&*format!(
                "/media/{HASH}/w320/a.jpg 320w, /media/{HASH}/w480/a.jpg 480w, /media/{HASH}/w640/a.jpg 640w, /media/{HASH}/a.jpg 700w"
            ))
        );
        assert_eq!(srcset(HASH, "a.jpg", 320), None, "nothing narrower");
        assert!(srcset(HASH, "a.jpg", 4000)
            .unwrap()
            .contains("w1600/a.jpg 1600w, "));
    }

    #[test]
    fn og_image_asks_for_the_preview_width() {
        assert_eq!(
            og_image(&format!("/media/{HASH}/a.png")),
            format!("/media/{HASH}/w1200/a.png")
        );
        assert_eq!(
            og_image(&format!("https://elsewhere.example/media/{HASH}/a.png")),
            format!("https://elsewhere.example/media/{HASH}/a.png"),
            "another site's address is left alone"
        );
        assert_eq!(
            og_image(&format!("/media/{HASH}/a.gif")),
            format!("/media/{HASH}/a.gif")
        );
        assert_eq!(
            og_image("https://elsewhere.example/x.png"),
            "https://elsewhere.example/x.png"
        );
        assert_eq!(library_file("/media/nothex/a.png"), None);
    }

    #[test]
    fn only_still_images_are_resized() {
        assert!(is_resizable(MediaType::Jpeg));
        assert!(!is_resizable(MediaType::Gif));
        assert!(!is_resizable(MediaType::Pdf));
        assert_eq!(
            variant_key(HASH, 640, MediaType::Avif),
            format!("variants/{HASH}/w640.avif")
        );
    }
}
