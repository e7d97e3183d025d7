//! The status history (`store/history.rs`) in a table of the center's schema.

use super::PgStore;
use crate::store::history::{self, HistoryCursor, HistoryPage, HistoryReads, Placed, StatusHistory, StatusRow};
use crate::store::StoreError;
use postgres::{Row, Transaction};
use ringside::model::{SecondaryId, ServerTime, StatusId, UserId};

pub(super) const HISTORY_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS status_history (
  place BIGSERIAL PRIMARY KEY,
  user_id TEXT NOT NULL,
  at BIGINT NOT NULL,
  status TEXT NOT NULL,
  secondary TEXT,
  automatic BOOLEAN NOT NULL
);
CREATE INDEX IF NOT EXISTS status_history_by_user ON status_history (user_id, at, place);
CREATE INDEX IF NOT EXISTS status_history_by_time ON status_history (at);
";

const COLUMNS: &str = "place, user_id, at, status, secondary, automatic";

/// Appends rows in the commit's transaction.
pub(super) fn append_rows(tx: &mut Transaction<'_>, rows: &[StatusRow]) -> Result<(), StoreError> {
    if rows.is_empty() {
        return Ok(());
    }
    let users: Vec<&str> = rows.iter().map(|r| r.user.as_str()).collect();
    let ats: Vec<i64> = rows.iter().map(|r| r.at.0 as i64).collect();
    let statuses: Vec<&str> = rows.iter().map(|r| r.status.as_str()).collect();
    let secondaries: Vec<Option<&str>> = rows.iter().map(|r| r.secondary.as_ref().map(|s| s.as_str())).collect();
    let automatic: Vec<bool> = rows.iter().map(|r| r.automatic).collect();
    // unnest keeps the rows' order, so places follow the changes' order.
    tx.execute(
        "INSERT INTO status_history (user_id, at, status, secondary, automatic)
         SELECT u, a, s, x, m FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::bool[]) WITH ORDINALITY AS t(u, a, s, x, m, n) ORDER BY n",
        &[&users, &ats, &statuses, &secondaries, &automatic],
    )?;
    Ok(())
}

fn read_row(r: &Row) -> Placed {
    let row = StatusRow {
        user: UserId(r.get(1)),
        at: ServerTime(r.get::<_, i64>(2).max(0) as u64),
        status: StatusId(r.get(3)),
        secondary: r.get::<_, Option<String>>(4).map(SecondaryId),
        automatic: r.get(5),
    };
    (r.get(0), row)
}

impl HistoryReads for PgStore {
    fn in_force(&mut self, user: &UserId, from: i64) -> Result<Option<Placed>, StoreError> {
        let row = self.client()?.query_opt(
            &format!("SELECT {COLUMNS} FROM status_history WHERE user_id = $1 AND at <= $2 ORDER BY at DESC, place DESC LIMIT 1"),
            &[&user.as_str(), &from],
        )?;
        Ok(row.as_ref().map(read_row))
    }

    fn during(&mut self, user: &UserId, from: i64, to: i64, last: (i64, i64), room: usize) -> Result<Vec<Placed>, StoreError> {
        let rows = self.client()?.query(
            &format!("SELECT {COLUMNS} FROM status_history WHERE user_id = $1 AND at > $2 AND at <= $3 AND (at, place) > ($4, $5) ORDER BY at, place LIMIT $6"),
            &[&user.as_str(), &from, &to, &last.0, &last.1, &(room as i64)],
        )?;
        Ok(rows.iter().map(read_row).collect())
    }
}

impl StatusHistory for PgStore {
    fn status_page(&mut self, users: &[UserId], from: ServerTime, to: ServerTime, cursor: HistoryCursor, limit: usize) -> Result<HistoryPage, StoreError> {
        history::page(self, users, from, to, cursor, limit)
    }

    fn prune_history(&mut self, before: ServerTime, limit: usize) -> Result<usize, StoreError> {
        let mut tx = self.fenced()?;
        let deleted = tx.execute(
            "DELETE FROM status_history WHERE place IN (SELECT place FROM status_history WHERE at < $1 LIMIT $2)",
            &[&(before.0 as i64), &(limit as i64)],
        )?;
        tx.commit()?;
        Ok(deleted as usize)
    }
}
