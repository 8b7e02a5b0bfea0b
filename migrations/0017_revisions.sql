-- Revisions: every change to a post or page keeps the version it replaces (its title, Markdown,
-- addenda, tags and metadata as JSON: blog_core::revisions::Version), written by the author
-- Worker in the request that changes it. No foreign key: what a deleted post was stays
-- readable.
CREATE TABLE revisions (
  id         INTEGER PRIMARY KEY,
  post_id    INTEGER NOT NULL,
  created_at INTEGER NOT NULL,              -- when this version was replaced
  changed    TEXT    NOT NULL,              -- what the change changed: "text, tags"
  version    TEXT    NOT NULL               -- the version replaced (JSON)
);
CREATE INDEX revisions_by_post ON revisions (post_id, id DESC);
