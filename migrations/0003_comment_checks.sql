-- Indexes for the comment form's checks: is this email address a known commenter (rule 8), and
-- how many comments has this client sent lately (rule 7).
CREATE INDEX comments_by_email ON comments (author_email COLLATE NOCASE, status);
CREATE INDEX comments_by_client ON comments (client_hash, created_at) WHERE client_hash IS NOT NULL;
