//! `blogctl comments`, `approve`, `spam`, `delete` and `reply`: the comments as the author
//! handles them (`/admin/comments`, `POST /admin/posts/{slug}/comments`).

use std::io::Read;
use std::path::Path;

use serde_json::json;

use crate::client::Client;

pub fn list(client: &Client, status: &str) -> Result<(), String> {
    let answer = client.call(
        "GET",
        &format!("/admin/comments?status={status}&limit=500"),
        None,
    )?;
    if answer.status != 200 {
        return Err(answer.problem());
    }
    let comments = answer.body["comments"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if comments.is_empty() {
        println!("No {status} comments.");
    }
    let total = answer.body["total"].as_u64().unwrap_or(0);
    if total > comments.len() as u64 {
        println!(
            "The newest {} of {total} {status} comments:",
            comments.len()
        );
    }
    for c in comments {
        let s = |k: &str| c[k].as_str().unwrap_or("").to_string();
        let reasons: Vec<String> = c["reasons"]
            .as_array()
            .map(|r| r.iter().map(|x| x.to_string()).collect())
            .unwrap_or_default();
        println!(
            "#{} on {} by {} <{}> at {}",
            c["id"],
            s("post"),
            s("author"),
            s("email"),
            s("created_at")
        );
        if !reasons.is_empty() {
            println!("  reasons: {}", reasons.join(", "));
        }
        for line in s("body").lines().take(4) {
            println!("  | {line}");
        }
    }
    Ok(())
}

pub fn moderate(client: &Client, id: u64, status: Option<&str>) -> Result<(), String> {
    let path = format!("/admin/comments/{id}");
    let answer = match status {
        Some(status) => client.call("PATCH", &path, Some(&json!({ "status": status })))?,
        None => client.call("DELETE", &path, None)?,
    };
    match answer.status {
        200 | 204 => {
            println!("comment {id}: {}", status.unwrap_or("deleted"));
            Ok(())
        }
        404 => Err(format!("there is no comment {id}")),
        _ => Err(answer.problem()),
    }
}

/// The author's reply to comment `id` on post `slug`: `text`, else the file's, else standard
/// input's. It is published at once and approves the comment it answers.
pub fn reply(
    client: &Client,
    (slug, id): (&str, u64),
    text: Option<&str>,
    file: Option<&Path>,
) -> Result<(), String> {
    let text = match (text, file) {
        (Some(text), _) => text.to_string(),
        (None, Some(file)) => {
            std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?
        }
        (None, None) => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| format!("standard input: {e}"))?;
            text
        }
    };
    let body = json!({ "body": text, "parent": id });
    let answer = client.call(
        "POST",
        &format!("/admin/posts/{slug}/comments"),
        Some(&body),
    )?;
    match answer.status {
        201 => {
            println!(
                "replied to comment {id} on {slug} (now approved): your reply is comment {}",
                answer.body["id"]
            );
            Ok(())
        }
        404 => Err(format!("there is no post with the slug {slug:?}")),
        _ => Err(answer.problem()),
    }
}
