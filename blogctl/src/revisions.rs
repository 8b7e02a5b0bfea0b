//! `blogctl revisions SLUG` (the versions an entry had; `--diff REV`: what differs between one
//! and the entry now) and `blogctl restore SLUG REV`.

use blog_core::api;
use blog_core::revisions::Line;

use crate::client::Client;

pub fn list(client: &Client, slug: &str, diff: Option<u64>) -> Result<(), String> {
    if let Some(id) = diff {
        return print_diff(client, slug, id);
    }
    let answer = client.call("GET", &format!("/admin/posts/{slug}/revisions"), None)?;
    match answer.status {
        200 => {}
        404 => return Err(format!("there is no post or page with the slug {slug:?}")),
        _ => return Err(answer.problem()),
    }
    let list: api::RevisionList =
        serde_json::from_value(answer.body).map_err(|e| format!("the answer: {e}"))?;
    if list.revisions.is_empty() {
        println!("{slug} has no revisions yet: each change keeps the version it replaces.");
    }
    for r in &list.revisions {
        println!("#{}  {}  {} changed", r.id, r.at, r.changed.join(", "));
    }
    Ok(())
}

fn print_diff(client: &Client, slug: &str, id: u64) -> Result<(), String> {
    let answer = client.call(
        "GET",
        &format!("/admin/posts/{slug}/revisions/{id}/diff?to=current"),
        None,
    )?;
    match answer.status {
        200 => {}
        404 => return Err(format!("{slug:?} has no revision {id}")),
        _ => return Err(answer.problem()),
    }
    let diff: api::RevisionDiff =
        serde_json::from_value(answer.body).map_err(|e| format!("the answer: {e}"))?;
    if diff.sections.is_empty() {
        println!("Revision {id} is what {slug} is now.");
    }
    for section in &diff.sections {
        println!("== {} (− revision {id}, + now)", section.part);
        for line in &section.lines {
            match line {
                Line::Same(text) => println!("  {text}"),
                Line::Removed(text) => println!("- {text}"),
                Line::Added(text) => println!("+ {text}"),
                Line::Gap => println!("  …"),
            }
        }
    }
    Ok(())
}

pub fn restore(client: &Client, slug: &str, id: u64) -> Result<(), String> {
    let answer = client.call(
        "POST",
        &format!("/admin/posts/{slug}/revisions/{id}/restore"),
        None,
    )?;
    match answer.status {
        200 => {
            let changed: Vec<&str> = answer.body["changed"]
                .as_array()
                .map(|c| c.iter().filter_map(|v| v.as_str()).collect())
                .unwrap_or_default();
            println!(
                "restored revision {id} of {slug} ({} changed); the version it replaced is kept: `blogctl revisions {}` lists it",
                changed.join(", "),
                answer.body["slug"].as_str().unwrap_or(slug)
            );
            Ok(())
        }
        404 => Err(format!("{slug:?} has no revision {id}")),
        _ => Err(answer.problem()),
    }
}
