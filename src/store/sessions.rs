//! The browser admin's failed sign-ins, counted per client (its keyed hash) to slow guessing.

use super::*;

impl Store {
    /// Failed sign-ins from `client_hash` since `since`.
    pub async fn sign_in_failures(&self, client_hash: &str, since: i64) -> Result<u32> {
        let row: Option<Count> = self
            .statement(
                "SELECT COUNT(*) AS n FROM sign_in_failures WHERE client_hash = ?1 AND at > ?2",
                &[client_hash.into(), num(since)],
            )?
            .first(None)
            .await?;
        Ok(row.map_or(0, |c| c.n as u32))
    }

    pub async fn record_sign_in_failure(&self, client_hash: &str, now: i64) -> Result<()> {
        self.execute(
            "INSERT INTO sign_in_failures (client_hash, at) VALUES (?1, ?2)",
            &[client_hash.into(), num(now)],
        )
        .await
    }

    /// Forgets failures older than a day (the cron job).
    pub async fn trim_sign_in_failures(&self, now: i64) -> Result<()> {
        self.execute(
            "DELETE FROM sign_in_failures WHERE at < ?1",
            &[num(now - 86_400)],
        )
        .await
    }
}
