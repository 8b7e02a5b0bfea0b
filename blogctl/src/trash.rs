//! `blogctl rm SLUG` (moves a post or page to the trash) and `blogctl trash [restore ID |
//! rm ID | empty]`: what was deleted in the last 30 days, restorable whole until then.

use blog_core::api;
use clap::Subcommand;

use crate::client::Client;

#[derive(Subcommand)]
pub enum TrashCommand {
    /// Bring an entry back, at its old address, with its comments, addenda and revisions.
    Restore { id: u64 },
    /// Delete one entry for good (its comments, addenda and revisions too).
    Rm { id: u64 },
    /// Delete everything in the trash for good.
    Empty,
}

/// `blogctl rm SLUG`.
pub fn remove(client: &Client, slug: &str) -> Result<(), String> {
    let answer = client.call("DELETE", &format!("/admin/posts/{slug}"), None)?;
    match answer.status {
        204 => {
            println!("moved {slug} to the trash: `blogctl trash` lists it, `blogctl trash restore ID` brings it back (for 30 days)");
            Ok(())
        }
        404 => Err(format!("there is no post or page with the slug {slug:?}")),
        _ => Err(answer.problem()),
    }
}

pub fn run(client: &Client, command: Option<&TrashCommand>) -> Result<(), String> {
    let answer = match command {
        None => return list(client),
        Some(TrashCommand::Restore { id }) => {
            client.call("POST", &format!("/admin/trash/{id}/restore"), None)?
        }
        Some(TrashCommand::Rm { id }) => {
            client.call("DELETE", &format!("/admin/trash/{id}"), None)?
        }
        Some(TrashCommand::Empty) => client.call("DELETE", "/admin/trash", None)?,
    };
    match (answer.status, command) {
        (200, Some(TrashCommand::Restore { .. })) => {
            println!("restored at {}", answer.body["url"].as_str().unwrap_or(""));
        }
        (204, Some(TrashCommand::Rm { id })) => println!("deleted {id} for good"),
        (200, Some(TrashCommand::Empty)) => {
            println!(
                "deleted {} for good; the trash is empty",
                answer.body["purged"]
            );
        }
        (404, Some(TrashCommand::Restore { id } | TrashCommand::Rm { id })) => {
            return Err(format!(
                "there is nothing with the id {id} in the trash (`blogctl trash` lists it)"
            ))
        }
        _ => return Err(answer.problem()),
    }
    Ok(())
}

fn list(client: &Client) -> Result<(), String> {
    let trash = client.every_page("/admin/trash", |l: api::TrashList| l.trash)?;
    if trash.is_empty() {
        println!("The trash is empty.");
    }
    for t in &trash {
        let kind = match t.kind {
            api::EntryKind::Page => "page",
            api::EntryKind::Post => "post",
        };
        println!(
            "#{}  {kind} {:?} ({})  deleted {}, for good on {}",
            t.id, t.title, t.slug, t.deleted_at, t.purge_at
        );
    }
    Ok(())
}
