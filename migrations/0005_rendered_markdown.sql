-- The author's Markdown is rendered when it is saved, not when a reader asks: posts and addenda
-- keep the HTML (and a post its plain-text lead, for excerpts and descriptions) beside the source.
-- `rendered_by` names the renderer version that produced them (markdown::RENDERER_VERSION); rows
-- from an older renderer, or written by plain SQL like the demo seed, have another number and are
-- rendered again by the Worker (on read, and then stored) until they are current.
ALTER TABLE posts ADD COLUMN body_html TEXT NOT NULL DEFAULT '';
ALTER TABLE posts ADD COLUMN lead TEXT NOT NULL DEFAULT '';
ALTER TABLE posts ADD COLUMN rendered_by INTEGER NOT NULL DEFAULT 0;
ALTER TABLE addenda ADD COLUMN body_html TEXT NOT NULL DEFAULT '';
ALTER TABLE addenda ADD COLUMN rendered_by INTEGER NOT NULL DEFAULT 0;
CREATE INDEX posts_by_renderer ON posts (rendered_by);
CREATE INDEX addenda_by_renderer ON addenda (rendered_by);

-- Comments likewise keep their HTML (escaped text, paragraphs, links: comment_text::to_html),
-- made when they are stored; `rendered_by` names comment_text::RENDERER_VERSION.
ALTER TABLE comments ADD COLUMN body_html TEXT NOT NULL DEFAULT '';
ALTER TABLE comments ADD COLUMN rendered_by INTEGER NOT NULL DEFAULT 0;
CREATE INDEX comments_by_renderer ON comments (rendered_by);
