//! The status history (SPEC S6): every status change, primary and
//! secondary, in its own table of the same SQLite file, kept beyond the
//! resume log for reports, pruned by a retention setting.
//!
//! | table | rows |
//! | --- | --- |
//! | `status_history` | `(user, at, status, secondary, automatic)`: one per change, `automatic` when auto-away set it |
//!
//! Rows are written in the transaction of the log records whose events they
//! come from, so a report never shows a change the center does not hold.

use super::{SqliteStore, StoreError};
use ringside::model::{SecondaryId, ServerTime, StatusId, UserId};
use rusqlite::{params, Transaction};

pub(super) const HISTORY_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS status_history (
  user TEXT NOT NULL,
  at INTEGER NOT NULL,
  status TEXT NOT NULL,
  secondary TEXT,
  automatic INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS status_history_by_user ON status_history (user, at);
CREATE INDEX IF NOT EXISTS status_history_by_time ON status_history (at);
";

/// One status change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusRow {
    /// Whose status.
    pub user: UserId,
    /// When it changed.
    pub at: ServerTime,
    /// The new primary status.
    pub status: StatusId,
    /// Its secondary status.
    pub secondary: Option<SecondaryId>,
    /// Whether auto-away set it (S11).
    pub automatic: bool,
}

/// The status history, as the owner uses it.
pub trait StatusHistory {
    /// The changes of `users` that matter for `[from, to]`: for each user the
    /// last change at or before `from` (the status in force then) and every
    /// change after it up to `to`, by user then time; at most `limit` rows.
    fn status_rows(&mut self, users: &[UserId], from: ServerTime, to: ServerTime, limit: usize) -> Result<Vec<StatusRow>, StoreError>;

    /// Deletes at most `limit` changes older than `before`; how many went.
    fn prune_history(&mut self, before: ServerTime, limit: usize) -> Result<usize, StoreError>;
}

/// Appends rows in the commit's transaction.
pub(super) fn append_rows(tx: &Transaction<'_>, rows: &[StatusRow]) -> Result<(), StoreError> {
    let mut insert = tx.prepare_cached("INSERT INTO status_history (user, at, status, secondary, automatic) VALUES (?1, ?2, ?3, ?4, ?5)")?;
    for row in rows {
        insert.execute(params![row.user.as_str(), row.at.0 as i64, row.status.as_str(), row.secondary.as_ref().map(|s| s.as_str()), row.automatic])?;
    }
    Ok(())
}

fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StatusRow> {
    Ok(StatusRow {
        user: UserId(r.get(0)?),
        at: ServerTime(r.get::<_, i64>(1)?.max(0) as u64),
        status: StatusId(r.get(2)?),
        secondary: r.get::<_, Option<String>>(3)?.map(SecondaryId),
        automatic: r.get(4)?,
    })
}

impl StatusHistory for SqliteStore {
    fn status_rows(&mut self, users: &[UserId], from: ServerTime, to: ServerTime, limit: usize) -> Result<Vec<StatusRow>, StoreError> {
        let columns = "user, at, status, secondary, automatic";
        let mut before = self.conn.prepare_cached(&format!("SELECT {columns} FROM status_history WHERE user = ?1 AND at <= ?2 ORDER BY at DESC, rowid DESC LIMIT 1"))?;
        let mut during = self.conn.prepare_cached(&format!("SELECT {columns} FROM status_history WHERE user = ?1 AND at > ?2 AND at <= ?3 ORDER BY at, rowid LIMIT ?4"))?;
        let mut rows = Vec::new();
        for user in users {
            rows.extend(before.query_map(params![user.as_str(), from.0 as i64], read_row)?.collect::<Result<Vec<_>, _>>()?);
            let room = (limit + 1).saturating_sub(rows.len());
            rows.extend(during.query_map(params![user.as_str(), from.0 as i64, to.0 as i64, room as i64], read_row)?.collect::<Result<Vec<_>, _>>()?);
            if rows.len() > limit {
                break;
            }
        }
        Ok(rows)
    }

    fn prune_history(&mut self, before: ServerTime, limit: usize) -> Result<usize, StoreError> {
        let deleted = self.conn.execute(
            "DELETE FROM status_history WHERE rowid IN (SELECT rowid FROM status_history WHERE at < ?1 LIMIT ?2)",
            params![before.0 as i64, limit as i64],
        )?;
        Ok(deleted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Commit, Store};

    fn row(user: &str, at: u64, status: &str) -> StatusRow {
        StatusRow { user: UserId::from(user), at: ServerTime(at), status: StatusId::from(status), secondary: None, automatic: false }
    }

    // SPEC S6, SPEC N8: the history answers ranges with the status in force
    // at the start, and retention prunes in bounded steps.
    #[test]
    fn the_history_answers_a_range_and_is_pruned_by_retention() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut store = SqliteStore::open(&dir.path().join("h.db")).expect("open");
        let rows = [row("ana", 100, "available"), row("ana", 200, "idle"), row("ana", 300, "available"), row("ben", 150, "idle")];
        store.commit(Commit { records: &[], snapshot: None, list_writes: &[], history: &rows }).expect("commit");
        let ana = [UserId::from("ana")];
        let found = store.status_rows(&ana, ServerTime(250), ServerTime(1_000), 10).expect("read");
        assert_eq!(found, vec![row("ana", 200, "idle"), row("ana", 300, "available")], "in force at 250, then the change at 300");
        assert_eq!(store.status_rows(&ana, ServerTime(0), ServerTime(1_000), 1).expect("read").len(), 2, "one over the limit tells it was cut");
        assert_eq!(store.prune_history(ServerTime(250), 1).expect("prune"), 1, "bounded: one row a call");
        assert_eq!(store.prune_history(ServerTime(250), 10).expect("prune"), 2);
        let both = [UserId::from("ana"), UserId::from("ben")];
        assert_eq!(store.status_rows(&both, ServerTime(0), ServerTime(1_000), 10).expect("read"), vec![row("ana", 300, "available")]);
    }
}
