//! `blogctl settings`: print the blog's settings, change some (printing only what changed), and
//! set the site icon (`GET`/`PATCH /admin/settings`).

use std::path::PathBuf;

use blog_core::api;
use clap::Subcommand;
use serde_json::{json, Value};

use crate::client::Client;

#[derive(Subcommand)]
pub enum SettingsCommand {
    /// Print every setting (or the one named) with its value, default and meaning.
    Get { key: Option<String> },
    /// Change settings: `blogctl settings set title="My blog" time_zone=Europe/Paris`. Every value
    /// is checked first; nothing changes if one is wrong.
    Set {
        #[arg(required = true, value_name = "KEY=VALUE")]
        pairs: Vec<String>,
    },
    /// Upload an image (square, 180×180 or more) and make it the site icon (`/favicon.ico`,
    /// `/apple-touch-icon.png`).
    Icon { file: PathBuf },
}

pub fn run(client: &Client, command: Option<&SettingsCommand>) -> Result<(), String> {
    let (answer, only) = match command {
        None | Some(SettingsCommand::Get { key: None }) => {
            (client.call("GET", "/admin/settings", None)?, None)
        }
        Some(SettingsCommand::Get { key: Some(key) }) => (
            client.call("GET", "/admin/settings", None)?,
            Some(key.as_str()),
        ),
        Some(SettingsCommand::Icon { file }) => {
            let media = client.upload(file, "")?;
            println!("uploaded: {} → {}", file.display(), media.url);
            let path = media
                .url
                .find("/media/")
                .map_or(media.url.as_str(), |i| &media.url[i..]);
            let body = json!({ "icon": path });
            (client.call("PATCH", "/admin/settings", Some(&body))?, None)
        }
        Some(SettingsCommand::Set { pairs }) => {
            let mut changes = serde_json::Map::new();
            for pair in pairs {
                let Some((key, value)) = pair.split_once('=') else {
                    return Err(format!(
                        "{pair:?}: write each setting as KEY=VALUE, like title=\"My blog\""
                    ));
                };
                changes.insert(key.trim().to_string(), json!(value));
            }
            let body = Value::Object(changes);
            (client.call("PATCH", "/admin/settings", Some(&body))?, None)
        }
    };
    if answer.status != 200 {
        return Err(answer.problem());
    }
    let list: api::SettingList =
        serde_json::from_value(answer.body).map_err(|e| format!("the answer: {e}"))?;
    if let Some(key) = only {
        let setting =
            list.settings.iter().find(|s| s.key == key).ok_or_else(|| {
                format!("there is no setting {key:?}; `blogctl settings` lists them")
            })?;
        println!("{}", setting.value);
        return Ok(());
    }
    // After a change, only what was changed: the whole list is `blogctl settings`.
    let changed: Vec<&str> = match command {
        Some(SettingsCommand::Set { pairs }) => pairs
            .iter()
            .filter_map(|p| p.split_once('=').map(|(k, _)| k.trim()))
            .collect(),
        Some(SettingsCommand::Icon { .. }) => vec!["icon"],
        _ => Vec::new(),
    };
    for s in &list.settings {
        if list.purged.is_some() && !changed.contains(&s.key.as_str()) {
            continue;
        }
        let default = if s.value == s.default {
            String::new()
        } else {
            format!("  (default: {:?})", s.default)
        };
        println!("{} = {:?}{default}\n    {}", s.key, s.value, s.about);
    }
    if let Some(purged) = list.purged {
        println!("saved; {purged} cached pages dropped");
    }
    Ok(())
}
