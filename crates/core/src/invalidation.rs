//! Which cached pages a change makes wrong: [`pages_to_drop`] for the author's changes to posts
//! and addenda, [`comments_pages_to_drop`] for a change in a post's approved comments. The Workers
//! gather the facts a change needs from the store (where a post stands on the listing before and
//! after, how many threads it has, how many posts carry its tags), ask this module, and drop
//! exactly those pages from every cache layer.

use crate::model::{CommentsFacts, Placement};
use crate::routes::{Page, COMMENT_THREADS_PER_PAGE, PER_PAGE};
use crate::text::tag_slug;

/// A change to what readers see.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// Posts created, edited, deleted or made visible by their scheduled time.
    Posts {
        /// Where the (newest) post stood on the home listing before the change, and after.
        before: Placement,
        after: Placement,
        /// Every canonical path the posts had before and after (a renamed post has two).
        paths: Vec<String>,
        /// Approved comments, which bound how many comment pages there are.
        approved: u32,
        /// Visible posts per tag slug now, for every tag the posts had before or after.
        tag_totals: Vec<(String, u32)>,
    },
    /// An addendum appended to a post or page (by its canonical path).
    Addendum { path: String, approved: u32 },
}

/// The pages that show what `change` changed.
pub fn pages_to_drop(change: &Change) -> Vec<Page> {
    let mut pages = Vec::new();
    match change {
        Change::Posts {
            before,
            after,
            paths,
            approved,
            tag_totals,
        } => {
            pages = listing_pages(*before, *after);
            if pages.is_empty() {
                // An edit in place still changes the post's own entry.
                pages.extend(after.rank.map(listing_page));
            }
            for path in paths {
                pages.push(Page::Entry { path: path.clone() });
                pages.push(Page::CommentFeed { path: path.clone() });
                pages.extend(comment_pages(path, *approved));
            }
            pages.extend(site_pages());
            pages.extend(tag_pages(tag_totals));
        }
        Change::Addendum { path, approved } => {
            pages.extend(comment_pages(path, *approved));
            pages.push(Page::Entry { path: path.clone() });
            pages.extend(site_pages());
        }
    }
    // Tens of pages: a linear check is cheaper in wasm than a hash set.
    let mut unique: Vec<Page> = Vec::with_capacity(pages.len());
    for page in pages {
        if !unique.contains(&page) {
            unique.push(page);
        }
    }
    unique
}

/// The pages that show a post's approved comments, after one was approved, unapproved, deleted
/// or added: the post, its comment feed, its listing page (the response count) and its comment
/// pages. Apart from [`pages_to_drop`] because the reader Worker approves comments too: it links
/// this rule alone, without the posts' listing and tag arithmetic.
pub fn comments_pages_to_drop(path: &str, facts: CommentsFacts) -> Vec<Page> {
    let CommentsFacts { rank, threads } = facts;
    let mut pages = vec![
        Page::Entry {
            path: path.to_string(),
        },
        Page::CommentFeed {
            path: path.to_string(),
        },
    ];
    pages.extend(rank.map(listing_page));
    pages.extend(comment_pages(path, threads));
    pages
}

/// The slugs of tags' pages, sorted and without repeats: what [`Change::Posts`]'s totals are
/// asked for.
pub fn tag_slugs<'a>(tags: impl IntoIterator<Item = &'a String>) -> Vec<String> {
    let mut slugs: Vec<String> = tags.into_iter().map(|t| tag_slug(t)).collect();
    slugs.sort();
    slugs.dedup();
    slugs
}

/// The listing page that shows the post at `rank` (0-based, newest first).
fn listing_page(rank: u32) -> Page {
    Page::Home {
        page: rank / PER_PAGE + 1,
    }
}

/// The home-listing pages a change to one post affects, given where the post stood before and
/// after. An edit in place touches only the page the post is on; a post appearing, disappearing
/// or moving shifts every page from its first position to the end.
fn listing_pages(before: Placement, after: Placement) -> Vec<Page> {
    let page_of = |rank: u32| rank / PER_PAGE + 1;
    let last_page = |total: u32| total.div_ceil(PER_PAGE).max(1);
    let pages: Vec<u32> = match (before.rank, after.rank) {
        (None, None) => Vec::new(),
        (Some(a), Some(b)) if a == b && before.total == after.total => vec![page_of(a)],
        (a, b) => {
            let first = page_of(a.unwrap_or(u32::MAX).min(b.unwrap_or(u32::MAX)));
            (first..=last_page(before.total).max(last_page(after.total))).collect()
        }
    };
    pages.into_iter().map(|page| Page::Home { page }).collect()
}

/// A post's later comment pages (page 1 is the post page), given how many threads it has now
/// (one page more, in case the change just made it shorter).
fn comment_pages(path: &str, threads: u32) -> Vec<Page> {
    let pages = threads.div_ceil(COMMENT_THREADS_PER_PAGE) + 1;
    (2..=pages)
        .map(|page| Page::EntryComments {
            path: path.to_string(),
            page,
        })
        .collect()
}

/// The pages that list every post and so change with any of them: the feeds and the sitemap.
fn site_pages() -> [Page; 3] {
    [Page::AtomFeed, Page::RssFeed, Page::Sitemap]
}

/// Every page of each tag's listing, given how many visible posts carry it now (one page more,
/// in case the change just made it shorter).
fn tag_pages(totals: &[(String, u32)]) -> Vec<Page> {
    totals
        .iter()
        .flat_map(|(tag, total)| {
            let pages = total.div_ceil(PER_PAGE) + 1;
            (1..=pages).map(move |page| Page::Tag {
                tag: tag.clone(),
                page,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(rank: Option<u32>, total: u32) -> Placement {
        Placement { rank, total }
    }

    fn paths(pages: Vec<Page>) -> Vec<String> {
        pages.iter().map(Page::path).collect()
    }

    fn posts(before: Placement, after: Placement) -> Change {
        Change::Posts {
            before,
            after,
            paths: vec!["/posts/a".into()],
            approved: 0,
            tag_totals: Vec::new(),
        }
    }

    fn listing_numbers(change: &Change) -> Vec<u32> {
        pages_to_drop(change)
            .into_iter()
            .filter_map(|p| match p {
                Page::Home { page } => Some(page),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn an_edit_in_place_touches_one_listing_page() {
        assert_eq!(
            listing_numbers(&posts(at(Some(13), 40), at(Some(13), 40))),
            [2]
        );
    }

    #[test]
    fn appearing_or_vanishing_shifts_the_rest() {
        // Published as the newest of 40: every page moves (4 pages become 5).
        assert_eq!(
            listing_numbers(&posts(at(None, 40), at(Some(0), 41))),
            [1, 2, 3, 4, 5]
        );
        // Deleted from page 3 of 3.
        assert_eq!(listing_numbers(&posts(at(Some(25), 30), at(None, 29))), [3]);
        // A draft stays a draft: nothing on the listing changes.
        assert!(listing_numbers(&posts(at(None, 30), at(None, 30))).is_empty());
        // Redated from page 4 to page 1.
        assert_eq!(
            listing_numbers(&posts(at(Some(35), 40), at(Some(2), 40))),
            [1, 2, 3, 4]
        );
    }

    #[test]
    fn a_renamed_post_drops_both_addresses_its_feeds_and_tags() {
        let change = Change::Posts {
            before: at(Some(0), 1),
            after: at(Some(0), 1),
            paths: vec!["/posts/old".into(), "/posts/new".into()],
            approved: 150,
            tag_totals: vec![("nhs".into(), 11), ("empty".into(), 0)],
        };
        assert_eq!(
            paths(pages_to_drop(&change)),
            [
                "/",
                "/posts/old",
                "/posts/old/comments.atom",
                "/posts/old/comments/page/2",
                "/posts/old/comments/page/3",
                "/posts/new",
                "/posts/new/comments.atom",
                "/posts/new/comments/page/2",
                "/posts/new/comments/page/3",
                "/feed.atom",
                "/feed.rss",
                "/sitemap.xml",
                "/tags/nhs",
                "/tags/nhs/page/2",
                "/tags/nhs/page/3",
                "/tags/empty",
            ]
        );
    }

    #[test]
    fn a_comment_drops_its_post_feed_listing_page_and_comment_pages() {
        let facts = CommentsFacts {
            rank: Some(12),
            threads: 101,
        };
        assert_eq!(
            paths(comments_pages_to_drop("/posts/a", facts)),
            [
                "/posts/a",
                "/posts/a/comments.atom",
                "/page/2",
                "/posts/a/comments/page/2",
                "/posts/a/comments/page/3"
            ]
        );
        // A post that is not on the listing (a draft) has no listing page to drop.
        let hidden = CommentsFacts {
            rank: None,
            threads: 0,
        };
        assert_eq!(
            paths(comments_pages_to_drop("/posts/a", hidden)),
            ["/posts/a", "/posts/a/comments.atom"]
        );
    }

    #[test]
    fn an_addendum_drops_the_post_and_the_feeds() {
        let change = Change::Addendum {
            path: "/posts/a".into(),
            approved: 0,
        };
        assert_eq!(
            paths(pages_to_drop(&change)),
            ["/posts/a", "/feed.atom", "/feed.rss", "/sitemap.xml"]
        );
    }

    #[test]
    fn a_comment_on_a_page_drops_its_pages() {
        let facts = CommentsFacts {
            rank: None,
            threads: 100,
        };
        assert_eq!(
            paths(comments_pages_to_drop("/about/team/", facts)),
            [
                "/about/team/",
                "/about/team/comments.atom",
                "/about/team/comments/page/2"
            ]
        );
    }

    #[test]
    fn tag_slugs_are_sorted_and_unique() {
        let tags = ["NHS".to_string(), "nhs".into(), "Social media".into()];
        assert_eq!(tag_slugs(&tags), ["nhs", "social-media"]);
    }
}
