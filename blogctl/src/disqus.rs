//! Reads a Disqus export (Disqus's XML: `<thread>`s with the page address they were on, and
//! `<post>`s — comments — naming their thread and parent) into threads of comments shaped like
//! WordPress's, so that one importer stores both. Errors carry the line of the file.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::wxr::{entity, line_at, plain_text, Comment, Error};

/// A Disqus thread: the page it was on, and its comments (parents first is the importer's job).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Thread {
    /// `dsq:id`.
    pub id: String,
    /// The address of the page the comments were on.
    pub link: String,
    pub title: String,
    pub comments: Vec<Comment>,
}

/// What an export held: its threads (with their comments), and comments that name no thread in it.
#[derive(Debug, Default, PartialEq)]
pub struct Export {
    pub threads: Vec<Thread>,
    pub orphans: usize,
}

fn dsq_id(e: &BytesStart) -> String {
    e.try_get_attribute("dsq:id")
        .ok()
        .flatten()
        .map(|a| a.value.to_string())
        .unwrap_or_default()
}

/// A comment being read, with the thread it names.
#[derive(Default)]
struct Reading {
    comment: Comment,
    thread: String,
    deleted: bool,
    spam: bool,
}

/// Parses a whole export.
pub fn parse(xml: &str) -> Result<Export, Error> {
    let mut reader = Reader::from_str(xml);
    let mut path: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut threads: Vec<Thread> = Vec::new();
    let mut thread: Option<Thread> = None;
    let mut post: Option<Reading> = None;
    let mut posts: Vec<Reading> = Vec::new();
    let mut saw_disqus = false;
    loop {
        let event = reader.read_event().map_err(|e| Error {
            line: line_at(xml, reader.error_position()),
            message: format!("not well-formed XML: {e}"),
        })?;
        match event {
            Event::Start(e) => {
                let name = e.name().as_ref().to_string();
                match name.as_str() {
                    "disqus" => saw_disqus = true,
                    "thread" if path.len() == 1 => {
                        thread = Some(Thread {
                            id: dsq_id(&e),
                            ..Thread::default()
                        })
                    }
                    "post" if path.len() == 1 => {
                        let mut reading = Reading::default();
                        reading.comment.id = format!("disqus-{}", dsq_id(&e));
                        reading.comment.approved = "1".into();
                        post = Some(reading);
                    }
                    _ => {}
                }
                path.push(name);
                text.clear();
            }
            // `<thread dsq:id="…"/>` and `<parent dsq:id="…"/>` inside a post.
            Event::Empty(e) => {
                if let Some(p) = post.as_mut() {
                    match e.name().as_ref() {
                        "thread" => p.thread = dsq_id(&e),
                        "parent" => p.comment.parent = format!("disqus-{}", dsq_id(&e)),
                        _ => {}
                    }
                }
            }
            Event::Text(e) => text.push_str(&e.xml10_content()),
            Event::CData(e) => text.push_str(&e.xml10_content()),
            Event::GeneralRef(e) => text.extend(entity(&e)),
            Event::End(_) => {
                let name = path.pop().unwrap_or_default();
                let value = std::mem::take(&mut text);
                let parent = path.last().map(String::as_str).unwrap_or("");
                if let Some(p) = post.as_mut() {
                    let c = &mut p.comment;
                    match (parent, name.as_str()) {
                        ("post", "message") => c.content = value,
                        ("post", "createdAt") => {
                            c.date = blog_core::dates::parse_rfc3339(value.trim())
                                .map(|_| value.trim().to_string())
                        }
                        ("post", "isDeleted") => p.deleted = value.trim() == "true",
                        ("post", "isSpam") => p.spam = value.trim() == "true",
                        ("author", "name") => c.author = plain_text(&value),
                        ("author", "email") => c.email = value.trim().to_string(),
                        ("author", "link") => c.url = value.trim().to_string(),
                        ("disqus", "post") => posts.extend(post.take()),
                        _ => {}
                    }
                } else if let Some(t) = thread.as_mut() {
                    match (parent, name.as_str()) {
                        ("thread", "link") => t.link = value.trim().to_string(),
                        ("thread", "title") => t.title = plain_text(&value),
                        ("disqus", "thread") => threads.extend(thread.take()),
                        _ => {}
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !saw_disqus {
        return Err(Error {
            line: 1,
            message: "this is not a Disqus export: there is no <disqus> element".into(),
        });
    }
    let mut orphans = 0;
    for p in posts {
        let Some(t) = threads.iter_mut().find(|t| t.id == p.thread) else {
            orphans += 1;
            continue;
        };
        let mut comment = p.comment;
        if p.spam {
            comment.approved = "spam".into();
        } else if p.deleted {
            comment.approved = "trash".into();
        }
        t.comments.push(comment);
    }
    Ok(Export { threads, orphans })
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXPORT: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
  <category dsq:id="1"><forum>blog</forum><title>General</title></category>
  <thread dsq:id="100">
    <id>358 http://old.example/?p=358</id>
    <forum>blog</forum>
    <link>http://old.example/2011/03/18/health-is-social/</link>
    <title>Health is Social &amp; more</title>
    <author><name>Claire</name></author>
  </thread>
  <post dsq:id="1">
    <message><![CDATA[<p>First &amp; <b>best</b></p>]]></message>
    <createdAt>2011-03-18T13:00:00Z</createdAt>
    <isDeleted>false</isDeleted><isSpam>false</isSpam>
    <author><email>ann@example.org</email><name>Ann</name><isAnonymous>false</isAnonymous></author>
    <thread dsq:id="100"/>
  </post>
  <post dsq:id="2">
    <message><![CDATA[<p>A reply</p>]]></message>
    <createdAt>2011-03-18T14:00:00Z</createdAt>
    <isDeleted>false</isDeleted><isSpam>false</isSpam>
    <author><name>Bob</name></author>
    <thread dsq:id="100"/>
    <parent dsq:id="1"/>
  </post>
  <post dsq:id="3">
    <message>buy pills</message><createdAt>2011-03-18T15:00:00Z</createdAt>
    <isSpam>true</isSpam><author><name>Spammer</name></author><thread dsq:id="100"/>
  </post>
  <post dsq:id="4">
    <message>lost</message><createdAt>2011-03-18T15:00:00Z</createdAt>
    <author><name>X</name></author><thread dsq:id="999"/>
  </post>
</disqus>"#;

    #[test]
    fn threads_and_their_comments() {
        let export = parse(EXPORT).unwrap();
        assert_eq!(export.orphans, 1);
        let [t] = export.threads.as_slice() else {
            panic!("one thread: {:?}", export.threads)
        };
        assert_eq!(t.link, "http://old.example/2011/03/18/health-is-social/");
        assert_eq!(t.title, "Health is Social & more");
        assert_eq!(t.comments.len(), 3);
        let first = &t.comments[0];
        assert_eq!(first.id, "disqus-1");
        assert_eq!(first.author, "Ann");
        assert_eq!(first.email, "ann@example.org");
        assert_eq!(first.date.as_deref(), Some("2011-03-18T13:00:00Z"));
        assert_eq!(first.approved, "1");
        assert!(first.content.contains("<b>best</b>"));
        assert_eq!(t.comments[1].parent, "disqus-1");
        assert_eq!(t.comments[2].approved, "spam");
    }

    #[test]
    fn malformed_and_foreign_files_are_refused_with_a_line() {
        let err = parse("<disqus>\n<thread dsq:id=\"1\">\n</disqus>").unwrap_err();
        assert_eq!(err.line, 3);
        assert!(parse("<rss></rss>")
            .unwrap_err()
            .message
            .contains("not a Disqus export"));
    }
}
