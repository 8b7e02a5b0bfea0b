//! What the editor's fields hold, read from a stored entry or a sent form, and turned into the
//! admin API's JSON (dates on the blog's clock become RFC 3339).

use super::*;

/// What the editor's fields hold.
#[derive(Debug, Default, Clone)]
pub(super) struct Draft {
    pub(super) title: String,
    pub(super) slug: String,
    pub(super) body: String,
    pub(super) tags: String,
    pub(super) kind: String,
    pub(super) status: String,
    /// `YYYY-MM-DDTHH:MM` on the blog's clock (a `datetime-local` field).
    pub(super) published_at: String,
    /// The lead image's address; empty: the first image of the text.
    pub(super) image: String,
    /// A page's parent (a slug), place in the menu and whether it is in it (`yes`/`no`).
    pub(super) parent: String,
    pub(super) menu_order: String,
    pub(super) in_menu: String,
    /// A post goes out to the newsletter's subscribers when first published (`yes`/`no`).
    pub(super) newsletter: String,
}

impl Draft {
    pub(super) fn from_record(p: &PostRecord, clock: &Clock) -> Self {
        Draft {
            title: p.title.clone(),
            slug: p.slug.clone(),
            body: p.body.clone(),
            tags: p.tags.join(", "),
            kind: if p.is_page { "page" } else { "post" }.into(),
            status: p.status.as_str().into(),
            published_at: p.published_at.map(|t| clock.input(t)).unwrap_or_default(),
            image: p.image.clone().unwrap_or_default(),
            parent: p.parent.clone().unwrap_or_default(),
            menu_order: p.menu_order.to_string(),
            in_menu: if p.in_menu { "yes" } else { "no" }.into(),
            newsletter: if p.newsletter { "yes" } else { "no" }.into(),
        }
    }

    pub(super) fn from_form(form: &Form) -> Self {
        let field = |name: &str| form.get(name).unwrap_or_default().to_string();
        Draft {
            title: field("title"),
            slug: field("slug"),
            body: field("body").replace("\r\n", "\n"),
            tags: field("tags"),
            kind: field("type"),
            status: field("status"),
            published_at: field("published_at"),
            image: field("image"),
            parent: field("parent"),
            menu_order: field("menu_order"),
            in_menu: field("in_menu"),
            newsletter: field("newsletter"),
        }
    }

    pub(super) fn is_page(&self) -> bool {
        self.kind == "page"
    }

    /// The admin API's JSON for these fields (`record`: the entry edited, none when creating).
    pub(super) fn json(&self, record: Option<&PostRecord>, clock: &Clock) -> Value {
        let tags: Vec<String> = self
            .tags
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect();
        let mut fields = json!({
            "title": self.title,
            "body": self.body,
            "status": if self.status == "draft" { "draft" } else { "published" },
        });
        if self.is_page() {
            let parent = self.parent.trim();
            fields["parent"] = if parent.is_empty() {
                Value::Null
            } else {
                json!(parent)
            };
            let order = self.menu_order.trim();
            if !order.is_empty() {
                // A number as the API wants it; anything else is passed on for it to refuse.
                fields["menu_order"] = order.parse::<i64>().map_or(json!(order), |n| json!(n));
            }
            fields["in_menu"] = json!(self.in_menu != "no");
        } else {
            fields["tags"] = json!(tags);
            if !self.newsletter.is_empty() {
                fields["newsletter"] = json!(self.newsletter != "no");
            }
            // Only a change of the lead image is sent: one found in the text stays found there.
            let current = record.and_then(|r| r.image.as_deref()).unwrap_or_default();
            if self.image.trim() != current {
                fields["image"] = match self.image.trim() {
                    "" => Value::Null,
                    image => json!(image),
                };
            }
        }
        let at = self.published_at.trim();
        if !at.is_empty() {
            // The field is on the blog's clock; the API takes RFC 3339. What does not read is
            // passed on for the API to refuse in its words.
            fields["published_at"] = match clock.parse_input(at) {
                Some(t) => json!(dates::rfc3339_utc(t)),
                None => json!(at),
            };
        }
        if record.is_none() {
            fields["type"] = json!(if self.is_page() { "page" } else { "post" });
        }
        if !self.slug.trim().is_empty() {
            fields["slug"] = json!(self.slug.trim());
        }
        fields
    }
}
