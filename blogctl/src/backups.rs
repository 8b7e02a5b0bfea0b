//! `blogctl backups`: the backups the blog makes of its database once a day, in R2 (the
//! `backups_keep` setting says how many it keeps). `ls` lists them, `make` makes one now, `get
//! NAME DIR` writes one as an export folder (the media files read from the blog), and `restore
//! NAME` does that into a new folder and imports it (`blogctl import`: what is missing comes back,
//! nothing is overwritten).

use std::path::{Path, PathBuf};

use blog_core::api;
use clap::Subcommand;

use crate::client::Client;
use crate::{export, restore};

#[derive(Subcommand)]
pub enum BackupsCommand {
    /// The backups kept, newest first.
    Ls,
    /// Back up the database now.
    Make,
    /// Write a backup into a new folder, as `blogctl export` would.
    Get { name: String, dir: PathBuf },
    /// Bring a backup back into the blog: what is missing is restored, nothing overwritten.
    Restore {
        name: String,
        /// Report what would be restored, changing nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

pub fn run(client: &Client, command: Option<&BackupsCommand>) -> Result<bool, String> {
    match command.unwrap_or(&BackupsCommand::Ls) {
        BackupsCommand::Ls => list(client).map(|()| true),
        BackupsCommand::Make => {
            let answer = client.call("POST", "/admin/backups", None)?;
            if answer.status != 201 {
                return Err(answer.problem());
            }
            let made: api::BackupSummary =
                serde_json::from_value(answer.body).map_err(|e| format!("the answer: {e}"))?;
            println!("backed up as {} ({} bytes)", made.name, made.bytes);
            Ok(true)
        }
        BackupsCommand::Get { name, dir } => get(client, name, dir).map(|()| true),
        BackupsCommand::Restore { name, dry_run } => {
            let dir = std::env::temp_dir().join(format!(
                "blogctl-backup-{}-{}",
                name.replace(':', "-"),
                std::process::id()
            ));
            get(client, name, &dir)?;
            println!(
                "(the backup is in {}; it can be imported again from there)",
                dir.display()
            );
            restore::run(client, &dir, *dry_run)
        }
    }
}

fn list(client: &Client) -> Result<(), String> {
    let answer = client.call("GET", "/admin/backups", None)?;
    if answer.status != 200 {
        return Err(answer.problem());
    }
    let list: api::BackupList =
        serde_json::from_value(answer.body).map_err(|e| format!("the answer: {e}"))?;
    match list.keep {
        0 => println!("No backups are made on a schedule (the backups_keep setting is 0)."),
        n => println!("A backup a day; the newest {n} are kept."),
    }
    for b in &list.backups {
        println!("{}  {} bytes", b.name, b.bytes);
    }
    Ok(())
}

fn get(client: &Client, name: &str, dir: &Path) -> Result<(), String> {
    let answer = client.call("GET", &format!("/admin/backups/{name}"), None)?;
    match answer.status {
        200 => {}
        404 => {
            return Err(format!(
                "there is no backup {name:?} (`blogctl backups ls` lists them)"
            ))
        }
        _ => return Err(answer.problem()),
    }
    let backup: api::Backup =
        serde_json::from_value(answer.body).map_err(|e| format!("the backup: {e}"))?;
    export::start(dir)?;
    export::write_folder(client, dir, &backup)
}
