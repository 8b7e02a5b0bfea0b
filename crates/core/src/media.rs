//! Media files: what a file is, decided from its own bytes (never the name or the client's
//! `Content-Type`), how large an image is, what name it is served under, and which bytes a
//! `Range` header asks for. Pure, so each rule has a native test.

/// The R2 key of the site icon the author chose: a copy of a media library image, kept there by
/// the author Worker so that serving `/favicon.ico` reads no setting.
pub const SITE_ICON_KEY: &str = "site-icon";

/// The kinds of file the blog stores. Anything else is refused (SVG too: it can carry script).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaType {
    Jpeg,
    Png,
    Gif,
    Webp,
    Avif,
    Pdf,
    Mp3,
    M4a,
    Ogg,
    Mp4,
    Webm,
}

impl MediaType {
    pub fn mime(self) -> &'static str {
        match self {
            MediaType::Jpeg => "image/jpeg",
            MediaType::Png => "image/png",
            MediaType::Gif => "image/gif",
            MediaType::Webp => "image/webp",
            MediaType::Avif => "image/avif",
            MediaType::Pdf => "application/pdf",
            MediaType::Mp3 => "audio/mpeg",
            MediaType::M4a => "audio/mp4",
            MediaType::Ogg => "audio/ogg",
            MediaType::Mp4 => "video/mp4",
            MediaType::Webm => "video/webm",
        }
    }

    /// The extension a served name gets.
    pub fn extension(self) -> &'static str {
        match self {
            MediaType::Jpeg => "jpg",
            MediaType::Png => "png",
            MediaType::Gif => "gif",
            MediaType::Webp => "webp",
            MediaType::Avif => "avif",
            MediaType::Pdf => "pdf",
            MediaType::Mp3 => "mp3",
            MediaType::M4a => "m4a",
            MediaType::Ogg => "ogg",
            MediaType::Mp4 => "mp4",
            MediaType::Webm => "webm",
        }
    }

    pub fn from_mime(mime: &str) -> Option<Self> {
        ALL.into_iter().find(|t| t.mime() == mime)
    }

    pub fn is_image(self) -> bool {
        self.mime().starts_with("image/")
    }

    pub fn is_audio(self) -> bool {
        self.mime().starts_with("audio/")
    }
}

pub(crate) const ALL: [MediaType; 11] = [
    MediaType::Jpeg,
    MediaType::Png,
    MediaType::Gif,
    MediaType::Webp,
    MediaType::Avif,
    MediaType::Pdf,
    MediaType::Mp3,
    MediaType::M4a,
    MediaType::Ogg,
    MediaType::Mp4,
    MediaType::Webm,
];

/// What a file's first bytes say it is. `None` for anything the blog does not store.
pub fn sniff(bytes: &[u8]) -> Option<MediaType> {
    let at = |offset: usize, magic: &[u8]| bytes.get(offset..offset + magic.len()) == Some(magic);
    if at(0, &[0xFF, 0xD8, 0xFF]) {
        return Some(MediaType::Jpeg);
    }
    if at(0, b"\x89PNG\r\n\x1a\n") {
        return Some(MediaType::Png);
    }
    if at(0, b"GIF87a") || at(0, b"GIF89a") {
        return Some(MediaType::Gif);
    }
    if at(0, b"RIFF") && at(8, b"WEBP") {
        return Some(MediaType::Webp);
    }
    if at(0, b"%PDF-") {
        return Some(MediaType::Pdf);
    }
    if at(0, b"OggS") {
        return Some(MediaType::Ogg);
    }
    if at(0, &[0x1A, 0x45, 0xDF, 0xA3]) {
        return Some(MediaType::Webm);
    }
    if at(0, b"ID3") || (bytes.len() > 2 && bytes[0] == 0xFF && bytes[1] & 0xE0 == 0xE0) {
        return Some(MediaType::Mp3);
    }
    if at(4, b"ftyp") {
        // ISO base media: the major brand says which.
        return match bytes.get(8..12)? {
            b"avif" | b"avis" => Some(MediaType::Avif),
            b"M4A " | b"M4B " => Some(MediaType::M4a),
            b"isom" | b"iso2" | b"mp41" | b"mp42" | b"avc1" | b"M4V " | b"dash" => {
                Some(MediaType::Mp4)
            }
            _ => None,
        };
    }
    None
}

/// An image's width and height in pixels, read from its header; `None` when the header is cut
/// short or corrupt (such an image is refused), or for a file that is not an image.
pub fn dimensions(kind: MediaType, bytes: &[u8]) -> Option<(u32, u32)> {
    let be32 = |i: usize| Some(u32::from_be_bytes(bytes.get(i..i + 4)?.try_into().ok()?));
    let le16 = |i: usize| Some(u16::from_le_bytes(bytes.get(i..i + 2)?.try_into().ok()?) as u32);
    let le24 = |i: usize| {
        let b = bytes.get(i..i + 3)?;
        Some(u32::from(b[0]) | u32::from(b[1]) << 8 | u32::from(b[2]) << 16)
    };
    let size = match kind {
        MediaType::Png if bytes.get(12..16) == Some(b"IHDR") => (be32(16)?, be32(20)?),
        MediaType::Gif => (le16(6)?, le16(8)?),
        MediaType::Jpeg => jpeg_dimensions(bytes)?,
        MediaType::Webp => match bytes.get(12..16)? {
            b"VP8 " if bytes.get(23..26) == Some(&[0x9D, 0x01, 0x2A]) => {
                (le16(26)? & 0x3FFF, le16(28)? & 0x3FFF)
            }
            b"VP8L" if bytes.get(20) == Some(&0x2F) => {
                let bits = u32::from_le_bytes(bytes.get(21..25)?.try_into().ok()?);
                ((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
            }
            b"VP8X" => (le24(24)? + 1, le24(27)? + 1),
            _ => return None,
        },
        MediaType::Avif => {
            // The `ispe` (image spatial extent) property: 4 bytes version/flags, then width and
            // height.
            let at = bytes.windows(4).position(|w| w == b"ispe")?;
            (be32(at + 8)?, be32(at + 12)?)
        }
        _ => return None,
    };
    (size.0 > 0 && size.1 > 0 && size.0 <= 65_535 && size.1 <= 65_535).then_some(size)
}

/// A JPEG's size from its first start-of-frame marker.
fn jpeg_dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    let mut i = 2;
    while i + 4 <= bytes.len() {
        if bytes[i] != 0xFF {
            return None;
        }
        let marker = bytes[i + 1];
        if marker == 0xFF {
            i += 1;
            continue;
        }
        let length = usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]));
        let is_frame = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if is_frame {
            let b = bytes.get(i + 5..i + 9)?;
            let height = u32::from(u16::from_be_bytes([b[0], b[1]]));
            let width = u32::from(u16::from_be_bytes([b[2], b[3]]));
            return Some((width, height));
        }
        if length < 2 {
            return None;
        }
        i += 2 + length;
    }
    None
}

/// The name a file is served under: the last path segment of what the author called it, letters,
/// digits, `-`, `_` and `.` only (others become `-`), at most 80 characters, and the extension
/// its bytes call for. Never empty, never a path, never a control character.
pub fn clean_name(given: &str, kind: MediaType) -> String {
    let base = given.rsplit(['/', '\\']).next().unwrap_or("");
    let stem = match base.rfind('.') {
        Some(dot) if dot > 0 => &base[..dot],
        _ => base,
    };
    let mut name = String::with_capacity(stem.len());
    for c in stem.chars() {
        let c = if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
            c.to_ascii_lowercase()
        } else {
            '-'
        };
        if !(c == '-' && name.ends_with('-')) {
            name.push(c);
        }
    }
    let mut name: String = name.trim_matches(['-', '.']).chars().take(80).collect();
    if name.is_empty() {
        name.push_str("file");
    }
    format!("{name}.{}", kind.extension())
}

/// What a `Range` header asks of a file of `size` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeRequest {
    /// No range, or one this server answers with the whole file (several ranges, other units).
    Whole,
    /// Bytes `start..=end`.
    Part { start: u64, end: u64 },
    /// Outside the file: `416`.
    Unsatisfiable,
}

/// Reads a `Range` header (RFC 9110 §14.1.2): one `bytes=` range, `a-b`, `a-` or `-n`.
pub fn range(header: Option<&str>, size: u64) -> RangeRequest {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else {
        return RangeRequest::Whole;
    };
    if spec.contains(',') {
        return RangeRequest::Whole;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return RangeRequest::Whole;
    };
    let number = |s: &str| {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u64>().ok())
            .flatten()
    };
    match (number(first.trim()), number(last.trim())) {
        (Some(start), _) if start >= size => RangeRequest::Unsatisfiable,
        (Some(start), None) if last.trim().is_empty() => RangeRequest::Part {
            start,
            end: size - 1,
        },
        (Some(start), Some(end)) if start <= end => RangeRequest::Part {
            start,
            end: end.min(size - 1),
        },
        (None, Some(suffix)) if first.trim().is_empty() => {
            if suffix == 0 || size == 0 {
                RangeRequest::Unsatisfiable
            } else {
                RangeRequest::Part {
                    start: size.saturating_sub(suffix),
                    end: size - 1,
                }
            }
        }
        _ => RangeRequest::Whole,
    }
}

/// The address of a stored file: `/media/{hash}/{name}`.
pub fn media_path(hash: &str, name: &str) -> String {
    format!("/media/{hash}/{name}")
}

/// The content hashes of every media address in `text` (Markdown or HTML), in order, repeats
/// dropped: what a post uses.
pub fn referenced_hashes(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for (at, _) in text.match_indices("/media/") {
        let hash: String = text[at + 7..]
            .chars()
            .take_while(char::is_ascii_hexdigit)
            .collect();
        if hash.len() == 64 && text[at + 7 + 64..].starts_with('/') && !found.contains(&hash) {
            found.push(hash);
        }
    }
    found
}

/// Whether `text` is a media content hash: 64 lower-case hex digits.
pub fn is_hash(text: &str) -> bool {
    text.len() == 64
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        b.extend(width.to_be_bytes());
        b.extend(height.to_be_bytes());
        b.extend([8, 6, 0, 0, 0]);
        b
    }

    #[test]
    fn types_come_from_the_bytes() {
        assert_eq!(sniff(&png(1, 1)), Some(MediaType::Png));
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0\0\x10JFIF"), Some(MediaType::Jpeg));
        assert_eq!(sniff(b"GIF89a\x01\0\x01\0"), Some(MediaType::Gif));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(MediaType::Webp));
        assert_eq!(sniff(b"\0\0\0\x1cftypavif\0\0\0\0"), Some(MediaType::Avif));
        assert_eq!(sniff(b"\0\0\0\x20ftypM4A \0\0\0\0"), Some(MediaType::M4a));
        assert_eq!(sniff(b"\0\0\0\x20ftypisom\0\0\0\0"), Some(MediaType::Mp4));
        assert_eq!(sniff(b"%PDF-1.7\n"), Some(MediaType::Pdf));
        assert_eq!(sniff(b"ID3\x04\0"), Some(MediaType::Mp3));
        assert_eq!(sniff(b"OggS\0\x02"), Some(MediaType::Ogg));
        assert_eq!(
            sniff(&[0x1A, 0x45, 0xDF, 0xA3, 0x9F]),
            Some(MediaType::Webm)
        );
        // HTML named photo.jpg, SVG, text: refused.
        assert_eq!(sniff(b"<!DOCTYPE html><script>alert(1)</script>"), None);
        assert_eq!(
            sniff(b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script/></svg>"),
            None
        );
        assert_eq!(sniff(b""), None);
        assert_eq!(sniff(b"\0\0\0\x20ftypqt  "), None);
    }

    #[test]
    fn image_sizes_from_headers() {
        assert_eq!(dimensions(MediaType::Png, &png(640, 360)), Some((640, 360)));
        assert_eq!(
            dimensions(MediaType::Png, &png(640, 360)[..20]),
            None,
            "cut short"
        );
        assert_eq!(dimensions(MediaType::Png, &png(0, 360)), None, "corrupt");
        assert_eq!(
            dimensions(MediaType::Gif, b"GIF89a\x20\x03\x58\x02"),
            Some((800, 600))
        );
        // SOI, an APP0 segment, then SOF0 with height 480 and width 640.
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00];
        jpeg.extend([0xFF, 0xC0, 0x00, 0x11, 0x08, 0x01, 0xE0, 0x02, 0x80, 0x03]);
        assert_eq!(dimensions(MediaType::Jpeg, &jpeg), Some((640, 480)));
        assert_eq!(dimensions(MediaType::Jpeg, &jpeg[..10]), None);
        let mut webp = b"RIFF\0\0\0\0WEBPVP8X\x0a\0\0\0\0\0\0\0".to_vec();
        webp.extend([0x7F, 0x02, 0x00, 0x67, 0x01, 0x00]);
        assert_eq!(dimensions(MediaType::Webp, &webp), Some((640, 360)));
        let mut avif = b"\0\0\0\x1cftypavif".to_vec();
        avif.extend(b"\0\0\0\x14ispe\0\0\0\0");
        avif.extend(1200u32.to_be_bytes());
        avif.extend(800u32.to_be_bytes());
        assert_eq!(dimensions(MediaType::Avif, &avif), Some((1200, 800)));
        assert_eq!(dimensions(MediaType::Pdf, b"%PDF-1.7"), None);
    }

    #[test]
    fn names_are_cleaned_and_typed_by_the_bytes() {
        assert_eq!(
            clean_name("../../etc/Passwd.jpg", MediaType::Png),
            "passwd.png"
        );
        assert_eq!(
            clean_name("C:\\Photos\\My Photo (1).JPG", MediaType::Jpeg),
            "my-photo-1.jpg"
        );
        assert_eq!(clean_name("a\u{0}b\nc.png", MediaType::Png), "a-b-c.png");
        assert_eq!(clean_name("", MediaType::Pdf), "file.pdf");
        assert_eq!(clean_name(".hidden", MediaType::Gif), "hidden.gif");
        assert_eq!(clean_name("Ünïcode ☃.webp", MediaType::Webp), "n-code.webp");
        assert!(clean_name(&"x".repeat(500), MediaType::Png).len() <= 84);
    }

    #[test]
    fn ranges() {
        use RangeRequest::*;
        assert_eq!(range(None, 100), Whole);
        assert_eq!(range(Some("bytes=0-9"), 100), Part { start: 0, end: 9 });
        assert_eq!(range(Some("bytes=90-"), 100), Part { start: 90, end: 99 });
        assert_eq!(range(Some("bytes=-10"), 100), Part { start: 90, end: 99 });
        assert_eq!(range(Some("bytes=-500"), 100), Part { start: 0, end: 99 });
        assert_eq!(
            range(Some("bytes=50-500"), 100),
            Part { start: 50, end: 99 }
        );
        assert_eq!(range(Some("bytes=100-"), 100), Unsatisfiable);
        assert_eq!(range(Some("bytes=-0"), 100), Unsatisfiable);
        assert_eq!(range(Some("bytes=9-3"), 100), Whole);
        assert_eq!(range(Some("bytes=0-1,5-6"), 100), Whole);
        assert_eq!(range(Some("items=0-1"), 100), Whole);
        assert_eq!(range(Some("bytes=x-1"), 100), Whole);
    }

    #[test]
    fn a_post_names_the_media_it_uses() {
        let a = "a".repeat(64);
        let b = "b".repeat(64);
        let text = format!("![x](/media/{a}/x.png) [pdf](https://blog.example/media/{b}/y.pdf) /media/{a}/x.png /media/short/x");
        assert_eq!(referenced_hashes(&text), [a.clone(), b]);
        assert!(is_hash(&a) && !is_hash("A".repeat(64).as_str()) && !is_hash("abc"));
    }
}
