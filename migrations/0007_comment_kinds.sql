-- What a response is: a comment by a person, or a pingback/trackback from another site (imported
-- from WordPress), which pages show as a mention of the post rather than as a comment.
ALTER TABLE comments ADD COLUMN kind TEXT NOT NULL DEFAULT 'comment';
