-- Pages: entries at their own address (/about/, /about/team/), outside the home listing, the tag
-- pages and the feeds, listed in the site menu in the order the author sets. They share the posts
-- table (and so addenda, comments, media references and search) with a kind.
--
-- path is every entry's canonical address, which the reader looks entries up by: /posts/{slug}
-- for a post (kept by the triggers below, so that any insert or rename of a post sets it), the
-- parents' slugs and its own for a page (set by the author Worker, which also moves the
-- addresses of a page's children with it).
ALTER TABLE posts ADD COLUMN kind TEXT NOT NULL DEFAULT 'post' CHECK (kind IN ('post', 'page'));
ALTER TABLE posts ADD COLUMN parent_id INTEGER REFERENCES posts (id);
ALTER TABLE posts ADD COLUMN menu_order INTEGER NOT NULL DEFAULT 0;
ALTER TABLE posts ADD COLUMN in_menu INTEGER NOT NULL DEFAULT 1 CHECK (in_menu IN (0, 1));
ALTER TABLE posts ADD COLUMN path TEXT NOT NULL DEFAULT '';

UPDATE posts SET path = '/posts/' || slug;

CREATE UNIQUE INDEX posts_by_path ON posts (path);
CREATE INDEX pages_by_parent ON posts (parent_id, menu_order) WHERE parent_id IS NOT NULL;
CREATE INDEX pages_in_order ON posts (kind, menu_order) WHERE kind = 'page';

CREATE TRIGGER posts_path_insert AFTER INSERT ON posts WHEN new.kind = 'post' AND new.path = '' BEGIN
  UPDATE posts SET path = '/posts/' || new.slug WHERE id = new.id;
END;

CREATE TRIGGER posts_path_rename AFTER UPDATE OF slug ON posts WHEN new.kind = 'post' BEGIN
  UPDATE posts SET path = '/posts/' || new.slug WHERE id = new.id;
END;
