//! What arrives in the blog's inbox, read into what the blog does with it. Everything a remote
//! server sends is hostile until proven: an activity whose pieces do not fit together (a note
//! attributed to someone other than the actor, an object on another host than its author) is
//! refused here with a reason, before anything is stored.

use serde_json::Value;

use super::{host_of, note_text};

/// The activities the blog acts on.
#[derive(Debug, Clone, PartialEq)]
pub enum Inbound {
    /// Someone follows the blog. `activity` is the Follow as sent (for the `Accept`).
    Follow {
        id: String,
        actor: String,
        activity: Value,
    },
    /// A follow is taken back.
    Unfollow { actor: String },
    /// A reply arrives, or is edited (`edit`).
    Note { note: Note, edit: bool },
    /// Something of the actor's is gone: a note (by id), or the actor itself.
    Delete { actor: String, object: String },
    /// A like or a boost of one of the blog's objects.
    Reaction {
        id: String,
        actor: String,
        kind: Reaction,
        object: String,
    },
    /// A like or boost taken back (by the reaction's id).
    UndoReaction { actor: String, id: String },
    /// Anything else: accepted and ignored.
    Ignored(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reaction {
    Like,
    Announce,
}

impl Reaction {
    pub fn as_str(self) -> &'static str {
        match self {
            Reaction::Like => "like",
            Reaction::Announce => "announce",
        }
    }
}

/// A note: a reply to one of the blog's posts (or to a reply under one).
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    pub id: String,
    pub actor: String,
    pub in_reply_to: Option<String>,
    /// Its content as comment text (plain, see [`note_text::to_text`]).
    pub text: String,
    /// Its page on the author's server.
    pub url: Option<String>,
}

/// Reads an activity. `Err`: a reason for a 400.
pub fn read(activity: &Value) -> Result<Inbound, String> {
    let kind = activity
        .get("type")
        .and_then(Value::as_str)
        .ok_or("the activity has no type")?;
    let actor = id_of(activity.get("actor")).ok_or("the activity has no actor")?;
    if host_of(&actor).is_none() {
        return Err("the activity's actor is not an http(s) address".into());
    }
    let id = activity
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let object = activity.get("object");
    let same_host = |url: &str| host_of(url).is_some() && host_of(url) == host_of(&actor);
    match kind {
        "Follow" => {
            if !id.is_empty() && !same_host(id) {
                return Err("the Follow's id is on another host than its actor".into());
            }
            Ok(Inbound::Follow {
                id: id.to_string(),
                actor: actor.clone(),
                activity: activity.clone(),
            })
        }
        "Create" | "Update" => {
            let Some(object) = object.filter(|o| o.is_object()) else {
                return Ok(Inbound::Ignored(kind.into()));
            };
            let object_type = object
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if !matches!(object_type, "Note" | "Article" | "Page") {
                return Ok(Inbound::Ignored(format!("{kind} {object_type}")));
            }
            let note = read_note(object, &actor)?;
            Ok(Inbound::Note {
                note,
                edit: kind == "Update",
            })
        }
        "Delete" => {
            let object = id_of(object).ok_or("the Delete has no object")?;
            if !same_host(&object) {
                return Err("a Delete may only remove the actor's own objects".into());
            }
            Ok(Inbound::Delete { actor, object })
        }
        "Like" | "Announce" => {
            let object = id_of(object).ok_or("the activity has no object")?;
            if id.is_empty() || !same_host(id) {
                return Err(
                    "the activity's id is missing or on another host than its actor".into(),
                );
            }
            let kind = if kind == "Like" {
                Reaction::Like
            } else {
                Reaction::Announce
            };
            Ok(Inbound::Reaction {
                id: id.to_string(),
                actor,
                kind,
                object,
            })
        }
        "Undo" => {
            let object = object.ok_or("the Undo has no object")?;
            let undone_type = object.get("type").and_then(Value::as_str);
            let undone_actor = object.get("actor").and_then(|a| id_of(Some(a)));
            if undone_actor.as_ref().is_some_and(|a| *a != actor) {
                return Err("an Undo may only take back the actor's own activity".into());
            }
            let undone_id = id_of(Some(object)).unwrap_or_default();
            match undone_type {
                Some("Follow") => Ok(Inbound::Unfollow { actor }),
                Some("Like" | "Announce") | None if !undone_id.is_empty() => {
                    Ok(Inbound::UndoReaction {
                        actor,
                        id: undone_id,
                    })
                }
                other => Ok(Inbound::Ignored(format!("Undo {}", other.unwrap_or("?")))),
            }
        }
        other => Ok(Inbound::Ignored(other.to_string())),
    }
}

fn read_note(object: &Value, actor: &str) -> Result<Note, String> {
    let id = object
        .get("id")
        .and_then(Value::as_str)
        .ok_or("the note has no id")?;
    let attributed = id_of(object.get("attributedTo")).ok_or("the note has no attributedTo")?;
    if attributed != actor {
        return Err("the note is attributed to someone other than the activity's actor".into());
    }
    if host_of(id).is_none() || host_of(id) != host_of(actor) {
        return Err("the note's id is on another host than its author".into());
    }
    let content = object
        .get("content")
        .and_then(Value::as_str)
        .or_else(|| {
            // contentMap: the first language's.
            object
                .get("contentMap")
                .and_then(Value::as_object)
                .and_then(|m| m.values().find_map(Value::as_str))
        })
        .unwrap_or_default();
    let warning = object
        .get("summary")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut text = note_text::to_text(content);
    if !warning.trim().is_empty() && object.get("sensitive").and_then(Value::as_bool) == Some(true)
    {
        text = format!("[{}]\n\n{text}", note_text::to_text(warning));
    }
    let url = object
        .get("url")
        .and_then(|u| id_of(Some(u)))
        .filter(|u| host_of(u).is_some());
    Ok(Note {
        id: id.to_string(),
        actor: actor.to_string(),
        in_reply_to: id_of(object.get("inReplyTo")),
        text,
        url,
    })
}

/// An id given as a string, or as an object with an `id` (or a `Link`'s `href`).
pub fn id_of(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => o
            .get("id")
            .or_else(|| o.get("href"))
            .and_then(Value::as_str)
            .map(str::to_string),
        Value::Array(items) => items.first().and_then(|first| id_of(Some(first))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ALICE: &str = "https://social.example/users/alice";

    #[test]
    fn follows_replies_and_reactions() {
        let follow = json!({"id": "https://social.example/f/1", "type": "Follow", "actor": ALICE, "object": "https://blog.example/ap/actor"});
        assert!(matches!(read(&follow), Ok(Inbound::Follow { actor, .. }) if actor == ALICE));
        let create = json!({"type": "Create", "actor": ALICE, "object": {
            "id": "https://social.example/users/alice/statuses/9", "type": "Note", "attributedTo": ALICE,
            "inReplyTo": "https://blog.example/ap/posts/1",
            "content": "<p><span class=\"h-card\"><a href=\"https://blog.example/ap/actor\" class=\"u-url mention\">@<span>blog</span></a></span> So true &amp; well said</p>",
            "url": "https://social.example/@alice/9"}});
        let Ok(Inbound::Note { note, edit: false }) = read(&create) else {
            panic!()
        };
        assert_eq!(note.text, "So true & well said");
        assert_eq!(
            note.in_reply_to.as_deref(),
            Some("https://blog.example/ap/posts/1")
        );
        let like = json!({"id": "https://social.example/l/1", "type": "Like", "actor": {"id": ALICE}, "object": "https://blog.example/ap/posts/1"});
        assert!(matches!(
            read(&like),
            Ok(Inbound::Reaction {
                kind: Reaction::Like,
                ..
            })
        ));
        let undo = json!({"type": "Undo", "actor": ALICE, "object": {"type": "Follow", "actor": ALICE, "object": "x"}});
        assert_eq!(
            read(&undo),
            Ok(Inbound::Unfollow {
                actor: ALICE.into()
            })
        );
        let undo_like =
            json!({"type": "Undo", "actor": ALICE, "object": "https://social.example/l/1"});
        assert!(matches!(read(&undo_like), Ok(Inbound::UndoReaction { .. })));
        assert_eq!(
            read(&json!({"type": "Move", "actor": ALICE})),
            Ok(Inbound::Ignored("Move".into()))
        );
    }

    #[test]
    fn mismatches_are_refused() {
        let forged = json!({"type": "Create", "actor": ALICE, "object": {
            "id": "https://social.example/users/bob/statuses/1", "type": "Note",
            "attributedTo": "https://social.example/users/bob", "content": "hi"}});
        assert!(read(&forged).unwrap_err().contains("someone other"));
        let elsewhere = json!({"type": "Create", "actor": ALICE, "object": {
            "id": "https://evil.example/notes/1", "type": "Note", "attributedTo": ALICE, "content": "hi"}});
        assert!(read(&elsewhere).unwrap_err().contains("another host"));
        let delete_other =
            json!({"type": "Delete", "actor": ALICE, "object": "https://other.example/notes/1"});
        assert!(read(&delete_other).is_err());
        let undo_other = json!({"type": "Undo", "actor": ALICE, "object": {"type": "Follow", "actor": "https://social.example/users/bob"}});
        assert!(read(&undo_other).is_err());
        assert!(read(&json!({"type": "Follow"})).is_err());
        assert!(read(&json!({"type": "Follow", "actor": "javascript:alert(1)"})).is_err());
        assert!(read(&json!([])).is_err());
    }
}
