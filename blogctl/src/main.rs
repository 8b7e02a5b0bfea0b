//! `blogctl`: the author's command-line tool. It talks to the blog's admin API, locally under
//! `wrangler dev` or on a deployed Worker alike.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use blog_core::api;
use blog_core::routes::is_slug;
use blog_core::text::{self as text_rules, Letters};
use blogctl::{front_matter, local_files};
use client::Client;

mod backups;
mod client;
mod comments;
mod export;
mod followers;
mod import_wxr;
mod restore;
mod revisions;
mod settings;
mod subscribers;
mod trash;
use clap::{Parser, Subcommand};
use serde_json::json;

#[derive(Parser)]
#[command(
    name = "blogctl",
    version,
    about = "Publish, append addenda, moderate comments and import WordPress into an edge-blog"
)]
struct Cli {
    /// The blog's base URL.
    #[arg(long, env = "BLOG_URL", default_value = "http://127.0.0.1:8787")]
    url: String,
    /// The admin token (the Worker's ADMIN_TOKEN secret).
    #[arg(long, env = "BLOG_ADMIN_TOKEN", hide_env_values = true)]
    token: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create or update a post or page from a Markdown file with front matter: title, slug,
    /// date, tags, draft, image (the lead image), newsletter, comments (open or closed), type
    /// (post or page), parent, menu_order and menu (see the README's "Writing").
    Publish { file: PathBuf },
    /// Write the whole blog into a new folder a person can read and keep in git: posts and pages
    /// as Markdown with front matter and addenda, media files, comments with their threads,
    /// settings (never secrets), redirects, subscribers and followers (see the README's "Your
    /// data").
    Export { dir: PathBuf },
    /// Bring back a folder `blogctl export` wrote: into an empty blog, all of it; into one with
    /// content, what is missing (an entry, setting or redirect that differs is reported as a
    /// conflict and never overwritten). Running it again changes nothing.
    Import {
        dir: PathBuf,
        /// Report what would be restored, changing nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// The versions a post or page had, newest first: each change keeps the one it replaces.
    Revisions {
        slug: String,
        /// Show what differs between this revision and the entry now.
        #[arg(long, value_name = "REV")]
        diff: Option<u64>,
    },
    /// Bring a revision back (the version it replaces is kept, so a restore can be undone).
    Restore { slug: String, rev: u64 },
    /// The daily backups of the database the blog keeps in R2: ls, make, get NAME DIR,
    /// restore NAME.
    Backups {
        #[command(subcommand)]
        command: Option<backups::BackupsCommand>,
    },
    /// Move a post or page to the trash: readers no longer see it; `blogctl trash restore`
    /// brings it back for 30 days.
    Rm { slug: String },
    /// What is in the trash (deleted in the last 30 days); restore, or delete for good.
    Trash {
        #[command(subcommand)]
        command: Option<trash::TrashCommand>,
    },
    /// Append a dated addendum (Markdown; optional front matter `date`) to a published post.
    Addendum { slug: String, file: PathBuf },
    /// List comments awaiting moderation (or with another status).
    Comments {
        #[arg(long, default_value = "pending", value_parser = ["pending", "approved", "spam"])]
        status: String,
    },
    /// Approve a comment.
    Approve { id: u64 },
    /// Mark a comment as spam.
    Spam { id: u64 },
    /// Delete a comment.
    Delete { id: u64 },
    /// Reply to a comment as the author: published at once, and the comment replied to is
    /// approved. The text is given, or read from --file, or from standard input.
    Reply {
        /// The post's slug.
        post: String,
        /// The comment's id (`blogctl comments` lists them).
        comment: u64,
        text: Option<String>,
        #[arg(long, conflicts_with = "text")]
        file: Option<PathBuf>,
    },
    /// Import a WordPress export (WXR): posts, drafts, tags, categories and comment threads.
    ImportWxr {
        file: PathBuf,
        /// A copy of the old site's `wp-content/uploads` folder: attachments are read from it
        /// instead of being downloaded (for a site that is already gone).
        #[arg(long)]
        uploads: Option<PathBuf>,
        /// Print what the import would do, without writing anything to the blog (it only reads
        /// which posts are there already) and without downloading attachments.
        #[arg(long)]
        dry_run: bool,
    },
    /// Import the comments of a Disqus export (XML) onto the posts they were written under, found
    /// by the threads' old addresses (a post's own, or a redirect's, e.g. from import-wxr).
    ImportDisqus { file: PathBuf },
    /// Render every post, addendum and comment whose stored HTML is stale now (rows written with
    /// plain SQL, or after a deployment with a new renderer); the cron job does it a batch a minute.
    Render,
    /// The media library: images, PDFs, audio and video, stored in R2.
    Media {
        #[command(subcommand)]
        command: MediaCommand,
    },
    /// Old addresses that lead to new ones (301), consulted only where a page would be a 404.
    Redirect {
        #[command(subcommand)]
        command: RedirectCommand,
    },
    /// The paths readers asked for in vain, most asked first (those a redirect covers are left out).
    NotFound {
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// The blog's settings: title, tagline, author, address, time zone, language, comment checks.
    Settings {
        #[command(subcommand)]
        command: Option<settings::SettingsCommand>,
    },
    /// The email the blog has written: pending (waiting or being retried), sent, or failed (with
    /// the reason).
    Outbox {
        #[arg(long, default_value = "pending", value_parser = ["pending", "sending", "sent", "failed"])]
        status: String,
    },
    /// Remove what the blog holds about an email address: its comments keep their text but lose
    /// the name, address and website; its subscriptions and mail are deleted.
    Forget { email: String },
    /// The blog's fediverse account and its followers; --deliveries: how deliveries stand.
    Followers {
        #[arg(long)]
        deliveries: bool,
    },
    /// The newsletter's subscribers: list, add, remove, import another service's export, export.
    Subscribers {
        #[command(subcommand)]
        command: subscribers::SubscribersCommand,
    },
}

#[derive(Subcommand)]
enum RedirectCommand {
    /// `blogctl redirect add /2018/10/20/old-post/ /posts/new-post` (or an http(s) URL).
    Add { from: String, to: String },
    /// List every redirect.
    Ls,
    /// Remove the redirect from an old address.
    Rm { from: String },
}

#[derive(Subcommand)]
enum MediaCommand {
    /// Upload files; prints each one's address. The same content uploaded again keeps its address.
    Upload {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Alt text (for a single image).
        #[arg(long)]
        alt: Option<String>,
    },
    /// List the library, newest first.
    Ls {
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[arg(long, default_value_t = 0)]
        offset: u32,
    },
    /// Delete a file (refused while a post uses it, unless --force).
    Rm {
        id: u64,
        #[arg(long)]
        force: bool,
    },
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn publish(client: &Client, file: &Path) -> Result<(), String> {
    let doc = front_matter::parse(&read(file)?).map_err(|e| format!("{}: {e}", file.display()))?;
    let title = doc.title.ok_or_else(|| {
        format!(
            "{}: the front matter has no title; add a line `title: …` between the --- lines",
            file.display()
        )
    })?;
    let slug = doc
        .slug
        .unwrap_or_else(|| text_rules::slug(&title, Letters::Ascii));
    if !is_slug(&slug) {
        return Err(format!(
            "{}: no usable slug; add `slug: some-words` to the front matter",
            file.display()
        ));
    }
    let dir = file.parent().unwrap_or(Path::new("."));
    let body = upload_local_files(client, file, dir, &doc.body, doc.body_line)?;
    let mut fields = json!({
        "title": title,
        "body": body,
        "status": if doc.draft == Some(true) { "draft" } else { "published" },
    });
    if let Some(image) = &doc.image {
        fields["image"] = json!(if local_files::is_local(image) {
            client.upload(&dir.join(image), "")?.url
        } else {
            image.clone()
        });
    }
    if let Some(date) = doc.date {
        fields["published_at"] = json!(date);
    }
    if let Some(tags) = doc.tags {
        fields["tags"] = json!(tags);
    }
    if let Some(open) = doc.comments_open {
        fields["comments_open"] = json!(open);
    }
    if let Some(newsletter) = doc.newsletter {
        fields["newsletter"] = json!(newsletter);
    }
    if doc.page {
        fields["type"] = json!("page");
        fields["parent"] = json!(doc.parent);
        if let Some(order) = doc.menu_order {
            fields["menu_order"] = json!(order);
        }
        if let Some(in_menu) = doc.in_menu {
            fields["in_menu"] = json!(in_menu);
        }
    } else if doc.parent.is_some() || doc.menu_order.is_some() || doc.in_menu.is_some() {
        return Err(format!(
            "{}: parent, menu_order and menu are for pages; add `type: page` to the front matter",
            file.display()
        ));
    }
    let existing = client.call("GET", &format!("/admin/posts/{slug}"), None)?;
    let (answer, verb) = if existing.status == 200 {
        (
            client.call("PATCH", &format!("/admin/posts/{slug}"), Some(&fields))?,
            "updated",
        )
    } else {
        fields["slug"] = json!(slug);
        (
            client.call("POST", "/admin/posts", Some(&fields))?,
            "published",
        )
    };
    if answer.status >= 300 {
        return Err(format!("{}: {}", file.display(), answer.problem()));
    }
    let status = answer.body["status"].as_str().unwrap_or("");
    let url = answer.body["url"].as_str().unwrap_or("");
    let verb = if status == "draft" {
        "saved as a draft"
    } else {
        verb
    };
    println!("{verb}: {url}");
    Ok(())
}

/// Uploads every local file the Markdown points at (images, PDFs, …) and returns the Markdown
/// pointing at their media addresses; warns about images without alt text.
fn upload_local_files(
    client: &Client,
    file: &Path,
    dir: &Path,
    markdown: &str,
    body_line: usize,
) -> Result<String, String> {
    let refs = local_files::local_refs(markdown);
    let mut replacements: Vec<(String, String)> = Vec::new();
    for r in &refs {
        let line = body_line + r.line;
        if r.is_image && r.alt.is_empty() {
            eprintln!(
                "warning: {}:{line}: the image {} has no alt text; describe it between the brackets: ![what it shows]({})",
                file.display(),
                r.target,
                r.target
            );
        }
        if replacements.iter().any(|(from, _)| from == &r.target) {
            continue;
        }
        let path = dir.join(&r.target);
        if !path.is_file() {
            return Err(format!(
                "{}:{line}: {} is not a file next to the post (looked for {})",
                file.display(),
                r.target,
                path.display()
            ));
        }
        let media = client.upload(&path, &r.alt)?;
        println!("uploaded: {} → {}", r.target, media.url);
        replacements.push((r.target.clone(), media.url));
    }
    Ok(local_files::rewrite(markdown, &replacements))
}

fn media(client: &Client, command: &MediaCommand) -> Result<(), String> {
    match command {
        MediaCommand::Upload { files, alt } => {
            let total = files.len();
            for (i, file) in files.iter().enumerate() {
                let media = client.upload(file, alt.as_deref().unwrap_or(""))?;
                let size = match (media.width, media.height) {
                    (Some(w), Some(h)) => format!(", {w}×{h}"),
                    _ => String::new(),
                };
                let note = if media.created {
                    ""
                } else {
                    " (already there)"
                };
                println!(
                    "[{}/{total}] {} → {} ({}, {} bytes{size}){note}",
                    i + 1,
                    file.display(),
                    media.url,
                    media.media_type,
                    media.bytes
                );
            }
            Ok(())
        }
        MediaCommand::Ls { limit, offset } => {
            let answer = client.call(
                "GET",
                &format!("/admin/media?limit={limit}&offset={offset}"),
                None,
            )?;
            if answer.status != 200 {
                return Err(answer.problem());
            }
            let list: api::MediaList =
                serde_json::from_value(answer.body).map_err(|e| format!("the answer: {e}"))?;
            println!("{} files", list.total);
            for m in list.media {
                println!(
                    "{:>5}  {}  {}  {} bytes  {}",
                    m.id, m.created_at, m.media_type, m.bytes, m.url
                );
            }
            Ok(())
        }
        MediaCommand::Rm { id, force } => {
            let path = format!("/admin/media/{id}{}", if *force { "?force=1" } else { "" });
            let answer = client.call("DELETE", &path, None)?;
            if answer.status != 204 {
                return Err(answer.problem());
            }
            println!("deleted media {id}");
            Ok(())
        }
    }
}

fn redirect(client: &Client, command: &RedirectCommand) -> Result<(), String> {
    match command {
        RedirectCommand::Add { from, to } => {
            let answer = client.call(
                "POST",
                "/admin/redirects",
                Some(&json!({ "from": from, "to": to })),
            )?;
            if answer.status != 200 {
                return Err(answer.problem());
            }
            println!("{from} → {to}");
        }
        RedirectCommand::Ls => {
            let redirects =
                client.every_page("/admin/redirects", |l: api::RedirectList| l.redirects)?;
            println!("{} redirects", redirects.len());
            for r in redirects {
                println!("{} → {}", r.from, r.to);
            }
        }
        RedirectCommand::Rm { from } => {
            let query: String = form_urlencoded::Serializer::new(String::new())
                .append_pair("from", from)
                .finish();
            let answer = client.call("DELETE", &format!("/admin/redirects?{query}"), None)?;
            match answer.status {
                204 => println!("removed {from}"),
                404 => return Err(format!("there is no redirect from {from}")),
                _ => return Err(answer.problem()),
            }
        }
    }
    Ok(())
}

fn not_found(client: &Client, limit: u32) -> Result<(), String> {
    let answer = client.call("GET", &format!("/admin/not-found?limit={limit}"), None)?;
    if answer.status != 200 {
        return Err(answer.problem());
    }
    let list: api::NotFoundList =
        serde_json::from_value(answer.body).map_err(|e| format!("the answer: {e}"))?;
    if list.not_found.is_empty() {
        println!("No path readers asked for was missing (or each now has a redirect).");
    }
    for n in list.not_found {
        println!("{:>6}  {}  {}", n.hits, n.last_seen, n.path);
    }
    Ok(())
}

fn outbox(client: &Client, status: &str) -> Result<(), String> {
    let answer = client.call(
        "GET",
        &format!("/admin/outbox?status={status}&limit=500"),
        None,
    )?;
    if answer.status != 200 {
        return Err(answer.problem());
    }
    let outbox: api::Outbox =
        serde_json::from_value(answer.body).map_err(|e| format!("the answer: {e}"))?;
    if outbox.messages.is_empty() {
        println!("No {status} messages.");
    }
    for m in outbox.messages {
        let when = m.sent_at.as_deref().unwrap_or(&m.next_attempt_at);
        println!(
            "#{:<5} {:<10} to {:<30} comment {:<6} {} attempt(s)  {when}",
            m.id, m.kind, m.recipient, m.comment, m.attempts
        );
        if let Some(error) = m.last_error {
            println!("       last error: {error}");
        }
    }
    Ok(())
}

fn forget(client: &Client, email: &str) -> Result<(), String> {
    let answer = client.call("POST", "/admin/forget", Some(&json!({ "email": email })))?;
    if answer.status != 200 {
        return Err(answer.problem());
    }
    let gone: api::Forgotten =
        serde_json::from_value(answer.body).map_err(|e| format!("the answer: {e}"))?;
    println!(
        "Forgot {email}: {} comments anonymised (their text stays), {} subscriptions and {} messages deleted.",
        gone.comments, gone.subscriptions, gone.messages
    );
    Ok(())
}

fn addendum(client: &Client, slug: &str, file: &Path) -> Result<(), String> {
    let doc = front_matter::parse(&read(file)?).map_err(|e| format!("{}: {e}", file.display()))?;
    let mut body = json!({ "body": doc.body });
    if let Some(date) = doc.date {
        body["at"] = json!(date);
    }
    let answer = client.call("POST", &format!("/admin/posts/{slug}/addenda"), Some(&body))?;
    match answer.status {
        201 => {
            println!(
                "added addendum {} at {} to {slug}",
                answer.body["id"],
                answer.body["at"].as_str().unwrap_or("")
            );
            Ok(())
        }
        404 => Err(format!("there is no post with the slug {slug:?}")),
        _ => Err(format!("{}: {}", file.display(), answer.problem())),
    }
}

fn render_stale(client: &Client) -> Result<(), String> {
    let mut total = 0;
    loop {
        let answer = client.call("POST", "/admin/renders", None)?;
        if answer.status != 200 {
            return Err(answer.problem());
        }
        total += answer.body["rendered"].as_u64().unwrap_or(0);
        if answer.body["remaining"] != json!(true) {
            break;
        }
    }
    println!("Rendered {total} stale posts, addenda and comments.");
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let client = Client::new(&cli.url, &cli.token);
    let result = match &cli.command {
        Command::Publish { file } => publish(&client, file),
        Command::Addendum { slug, file } => addendum(&client, slug, file),
        Command::Comments { status } => comments::list(&client, status),
        Command::Approve { id } => comments::moderate(&client, *id, Some("approved")),
        Command::Spam { id } => comments::moderate(&client, *id, Some("spam")),
        Command::Delete { id } => comments::moderate(&client, *id, None),
        Command::Reply {
            post,
            comment,
            text,
            file,
        } => comments::reply(&client, (post, *comment), text.as_deref(), file.as_deref()),
        Command::Render => render_stale(&client),
        Command::Export { dir } => export::run(&client, dir),
        Command::Import { dir, dry_run } => match restore::run(&client, dir, *dry_run) {
            Ok(true) => Ok(()),
            Ok(false) => return ExitCode::from(1),
            Err(e) => Err(e),
        },
        Command::Revisions { slug, diff } => revisions::list(&client, slug, *diff),
        Command::Restore { slug, rev } => revisions::restore(&client, slug, *rev),
        Command::Rm { slug } => trash::remove(&client, slug),
        Command::Backups { command } => match backups::run(&client, command.as_ref()) {
            Ok(true) => Ok(()),
            Ok(false) => return ExitCode::from(1),
            Err(e) => Err(e),
        },
        Command::Trash { command } => trash::run(&client, command.as_ref()),
        Command::Media { command } => media(&client, command),
        Command::Redirect { command } => redirect(&client, command),
        Command::NotFound { limit } => not_found(&client, *limit),
        Command::Settings { command } => settings::run(&client, command.as_ref()),
        Command::Outbox { status } => outbox(&client, status),
        Command::Forget { email } => forget(&client, email),
        Command::Followers { deliveries } => followers::run(&client, *deliveries),
        Command::Subscribers { command } => match subscribers::run(&client, command) {
            Ok(true) => Ok(()),
            Ok(false) => return ExitCode::from(1),
            Err(e) => Err(e),
        },
        Command::ImportDisqus { file } => match import_wxr::import_disqus(&client, file) {
            Ok(true) => Ok(()),
            Ok(false) => return ExitCode::from(1),
            Err(e) => Err(e),
        },
        Command::ImportWxr {
            file,
            uploads,
            dry_run,
        } => match import_wxr::import_wxr(&client, file, uploads.as_deref(), *dry_run) {
            Ok(true) => Ok(()),
            Ok(false) => return ExitCode::from(1),
            Err(e) => Err(e),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("blogctl: {message}");
            ExitCode::from(1)
        }
    }
}
