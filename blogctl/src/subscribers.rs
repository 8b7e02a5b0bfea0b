//! `blogctl subscribers`: the newsletter's subscribers through the admin API — list, add,
//! remove, import another service's export (Substack, Ghost, Mailchimp, Buttondown, any CSV
//! with an email column) and export them all as CSV.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use serde_json::{json, Value};

use crate::client::Client;

#[derive(Subcommand)]
pub enum SubscribersCommand {
    /// Counts by status, then the subscribers (newest first), optionally of one status.
    Ls {
        /// pending, confirmed, unsubscribed or suppressed.
        #[arg(long)]
        status: Option<String>,
    },
    /// Add an address. It gets a confirmation email first, unless --confirmed says you have
    /// its owner's consent already.
    Add {
        email: String,
        /// A weekly digest instead of each new post.
        #[arg(long)]
        weekly: bool,
        #[arg(long)]
        confirmed: bool,
    },
    /// Remove an address and its queued mail.
    Rm { email: String },
    /// Import a subscriber export. Every line is reported: imported, duplicate, or refused with
    /// its line number. Addresses are pending (each gets a confirmation email) unless
    /// --confirmed says their owners consented already.
    Import {
        file: PathBuf,
        #[arg(long)]
        confirmed: bool,
        #[arg(long)]
        weekly: bool,
        /// Report what would be imported, changing nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Every subscriber as CSV (email first), to a file or to standard output.
    Export { file: Option<PathBuf> },
}

/// Runs a subcommand; `Ok(false)`: it ran, and something was refused (exit status 1).
pub fn run(client: &Client, command: &SubscribersCommand) -> Result<bool, String> {
    match command {
        SubscribersCommand::Ls { status } => list(client, status.as_deref()).map(|()| true),
        SubscribersCommand::Add {
            email,
            weekly,
            confirmed,
        } => {
            let body = json!({"email": email, "cadence": cadence(*weekly), "confirmed": confirmed});
            let answer = client.call("POST", "/admin/subscribers", Some(&body))?;
            match answer.status {
                201 if *confirmed => println!("added {email} (confirmed)"),
                201 => println!("added {email}: a confirmation email is on its way to it"),
                200 => println!("{email} is a subscriber already (left as it is)"),
                _ => return Err(answer.problem()),
            }
            Ok(true)
        }
        SubscribersCommand::Rm { email } => {
            let path = format!("/admin/subscribers?email={}", encode(email));
            let answer = client.call("DELETE", &path, None)?;
            match answer.status {
                204 => println!("removed {email}"),
                404 => return Err(format!("{email} is not a subscriber")),
                _ => return Err(answer.problem()),
            }
            Ok(true)
        }
        SubscribersCommand::Import {
            file,
            confirmed,
            weekly,
            dry_run,
        } => import(client, file, *confirmed, *weekly, *dry_run),
        SubscribersCommand::Export { file } => {
            let csv = client.get_text("/admin/subscribers/export")?;
            match file {
                Some(file) => {
                    std::fs::write(file, &csv).map_err(|e| format!("{}: {e}", file.display()))?;
                    let rows = csv.lines().count().saturating_sub(1);
                    println!("wrote {rows} subscribers to {}", file.display());
                }
                None => print!("{csv}"),
            }
            Ok(true)
        }
    }
}

fn cadence(weekly: bool) -> &'static str {
    if weekly {
        "weekly"
    } else {
        "post"
    }
}

fn encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

fn list(client: &Client, status: Option<&str>) -> Result<(), String> {
    let path = match status {
        Some(status) => format!("/admin/subscribers?status={}", encode(status)),
        None => "/admin/subscribers".to_string(),
    };
    let first = client.call(
        "GET",
        &format!("{path}{}limit=1", if status.is_some() { "&" } else { "?" }),
        None,
    )?;
    if first.status != 200 {
        return Err(first.problem());
    }
    let counts: Vec<String> = ["pending", "confirmed", "unsubscribed", "suppressed"]
        .iter()
        .map(|k| format!("{k} {}", first.body["counts"][k].as_u64().unwrap_or(0)))
        .collect();
    println!("{}", counts.join(", "));
    let rows = client.every_page(&path, |page: Value| {
        page.get("subscribers")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    })?;
    for s in rows {
        let field = |k: &str| s.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        println!(
            "{:<40} {:<12} {:<7} {:<7} {}",
            field("email"),
            field("status"),
            field("cadence"),
            field("source"),
            field("created_at")
        );
    }
    Ok(())
}

fn import(
    client: &Client,
    file: &Path,
    confirmed: bool,
    weekly: bool,
    dry_run: bool,
) -> Result<bool, String> {
    let bytes = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let mut path = format!("/admin/subscribers/import?cadence={}", cadence(weekly));
    if confirmed {
        path.push_str("&confirmed=1");
    }
    if dry_run {
        path.push_str("&dry_run=1");
    }
    let answer = client.call_bytes("POST", &path, "text/csv", bytes)?;
    if answer.status != 200 {
        return Err(format!("{}: {}", file.display(), answer.problem()));
    }
    let body = &answer.body;
    let number = |k: &str| body.get(k).and_then(Value::as_u64).unwrap_or(0);
    let list = |k: &str| {
        body.get(k)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let name = file.display();
    for d in list("duplicates") {
        println!(
            "{name}: line {}: {} skipped: {}",
            d["line"],
            d["email"].as_str().unwrap_or(""),
            d["reason"].as_str().unwrap_or("")
        );
    }
    let refused = list("refused");
    for r in &refused {
        eprintln!(
            "{name}: line {}: refused: {}",
            r["line"],
            r["reason"].as_str().unwrap_or("")
        );
    }
    println!(
        "{name} ({} export): {} {}, {} duplicates, {} refused{}",
        body.get("provider").and_then(Value::as_str).unwrap_or("?"),
        number("imported"),
        if dry_run {
            "would be imported"
        } else {
            "imported"
        },
        list("duplicates").len(),
        refused.len(),
        if confirmed || dry_run {
            ""
        } else {
            "; each new address gets a confirmation email"
        }
    );
    Ok(refused.is_empty())
}
