-- Old addresses that keep working (consulted only when a path would be a 404), and the paths
-- readers still ask for in vain (bounded: the least recently seen are dropped).
CREATE TABLE redirects (
  from_path  TEXT PRIMARY KEY,
  to_url     TEXT NOT NULL,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE not_found (
  path      TEXT PRIMARY KEY,
  hits      INTEGER NOT NULL,
  last_seen INTEGER NOT NULL
) WITHOUT ROWID;

CREATE INDEX not_found_by_last_seen ON not_found (last_seen);
