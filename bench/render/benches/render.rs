//! Native rendering cost: a 20 KB Markdown post with 200 comments through Markdown + the post
//! template, against pulldown-cmark alone on the same Markdown with the same options (the floor).
//! Markdown is rendered when the author saves; a reader's cache miss only runs the template with
//! the stored HTML, which is timed on its own too.

use blog_core::dates::FixedZone;
use blog_core::model::{Addendum, Comment, Post, PostPage, Tag};
use criterion::{criterion_group, criterion_main, Criterion};
use edge_blog::reader::views::{self as pages, FormView};
use std::hint::black_box;

fn markdown_post() -> String {
    let section = "## A section heading\n\nA paragraph with *emphasis*, **strong text**, `code`, and a [link](https://example.com/page). \
It goes on for a while so that the post reads like a real one, with commas, clauses and an aside or two.\n\n\
- a list item with some words\n- another item, a little longer than the first one\n- [x] a task that is done\n\n\
> A quotation that the author found worth keeping.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n";
    let mut text = String::new();
    while text.len() < 20_000 {
        text.push_str(section);
    }
    text
}

fn page_data(markdown: &str) -> PostPage {
    let rendered = blog_markdown::render(markdown, &[]);
    PostPage {
        ancestors: Vec::new(),
        children: Vec::new(),
        post: Post {
            id: 1,
            slug: "a-post".into(),
            path: "/posts/a-post".into(),
            is_page: false,
            title: "A post of twenty kilobytes".into(),
            body_html: rendered.html,
            lead: rendered.lead,
            stale_markdown: None,
            published_at: 1_300_400_000,
            updated_at: 1_300_457_820,
            comments_open: true,
            image: None,
            likes: 0,
            boosts: 0,
        },
        addenda: vec![Addendum {
            id: 1,
            body_html: blog_markdown::to_html("An *addendum*."),
            stale_markdown: None,
            created_at: 1_300_457_820,
        }],
        comments: (1..=200)
            .map(|i| Comment {
                id: i,
                parent_id: if i % 4 == 0 { Some(i - 1) } else { None },
                author_name: format!("Reader {i}"),
                author_url: Some("https://example.org/".into()),
                body_html: blog_core::comment_text::to_html(&format!("A comment of ordinary length, number {i}.\n\nIt has two paragraphs and a link: https://example.com/{i}")),
                stale_text: None,
                created_at: 1_300_410_000 + i * 60,
                by_post_author: i % 10 == 0,
                kind: Default::default(),
            })
            .collect(),
        tags: vec![Tag { tag: "Health".into(), slug: "health".into() }],
        threads: 150,
        responses: 200,
    }
}

fn bench(c: &mut Criterion) {
    let body = markdown_post();
    let data = page_data(&body);
    let blog = blog_core::settings::Settings::default().blog;
    let zone = FixedZone::UTC;
    c.bench_function("markdown alone (pulldown-cmark, 20 KB)", |b| {
        b.iter(|| {
            let mut out = String::new();
            pulldown_cmark::html::push_html(
                &mut out,
                pulldown_cmark::Parser::new_ext(black_box(&body), blog_markdown::options()),
            );
            out
        })
    });
    c.bench_function(
        "markdown: ours, at publish time (HTML, heading ids, lead)",
        |b| b.iter(|| blog_markdown::render(black_box(&body), &[])),
    );
    c.bench_function(
        "render: post page from stored HTML (a reader's cache miss)",
        |b| {
            b.iter(|| {
                pages::post(
                    &blog,
                    &zone,
                    black_box(&data),
                    1,
                    FormView::new("a-post", "1.00".into()),
                    None,
                )
            })
        },
    );
    c.bench_function(
        "render: full post page (Markdown + template, 20 KB + 200 comments)",
        |b| {
            let mut page = page_data(&body);
            b.iter(|| {
                let rendered = blog_markdown::render(black_box(&body), &[]);
                page.post.body_html = rendered.html;
                page.post.lead = rendered.lead;
                pages::post(
                    &blog,
                    &zone,
                    &page,
                    1,
                    FormView::new("a-post", "1.00".into()),
                    None,
                )
            })
        },
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
