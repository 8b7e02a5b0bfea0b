//! `blogctl followers`: the blog's fediverse account, who follows it, and how its deliveries
//! stand (`GET /admin/followers`, `GET /admin/fediverse`).

use serde_json::Value;

use crate::client::Client;

/// Prints the account, its followers (newest first), and the deliveries' counts with the
/// newest failures.
pub fn run(client: &Client, deliveries: bool) -> Result<(), String> {
    if deliveries {
        return print_deliveries(client);
    }
    let answer = client.call("GET", "/admin/followers?limit=500", None)?;
    if answer.status != 200 {
        return Err(answer.problem());
    }
    let body = &answer.body;
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    if body["on"].as_bool() != Some(true) {
        println!("The blog is not on the fediverse: its AP_PRIVATE_KEY secret is not set (npm run deploy makes one).");
    }
    println!(
        "{}: {} follower{}",
        text(&body["account"]),
        body["total"],
        if body["total"].as_u64() == Some(1) {
            ""
        } else {
            "s"
        }
    );
    for f in body["followers"].as_array().into_iter().flatten() {
        println!(
            "{}  {}  since {}",
            text(&f["handle"]),
            text(&f["name"]),
            text(&f["since"])
        );
    }
    Ok(())
}

fn print_deliveries(client: &Client) -> Result<(), String> {
    let answer = client.call("GET", "/admin/fediverse?limit=50", None)?;
    if answer.status != 200 {
        return Err(answer.problem());
    }
    let counts = &answer.body["counts"];
    let count = |k: &str| counts[k].as_u64().unwrap_or(0);
    println!(
        "deliveries: {} queued, {} delivered, {} failed, {} cancelled",
        count("queued") + count("sending"),
        count("delivered"),
        count("failed"),
        count("cancelled")
    );
    for d in answer.body["deliveries"].as_array().into_iter().flatten() {
        let text = |k: &str| d[k].as_str().unwrap_or_default().to_string();
        let error = d["last_error"]
            .as_str()
            .map(|e| format!("  ({e})"))
            .unwrap_or_default();
        println!(
            "{:>9}  {:<6}  {}  attempts {}{}",
            text("status"),
            text("kind"),
            text("inbox"),
            d["attempts"],
            error
        );
    }
    Ok(())
}
