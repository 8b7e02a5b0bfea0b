-- The browser admin's sign-in: failed attempts by client (its keyed hash, never the IP), so that
-- guessing the admin token is slowed down; old rows are deleted by the cron job.
CREATE TABLE sign_in_failures (
  client_hash TEXT    NOT NULL,
  at          INTEGER NOT NULL
);
CREATE INDEX sign_in_failures_by_client ON sign_in_failures (client_hash, at);
