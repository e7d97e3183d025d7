//! The status history (`store/history.rs`) in a table of the SQLite file.
//! The database is opened in exclusive locking mode (one server per file),
//! so every read goes through the owner's connection.

use super::SqliteStore;
use crate::store::history::{self, HistoryCursor, HistoryPage, HistoryReads, Placed, StatusHistory, StatusRow};
use crate::store::StoreError;
use ringside::model::{SecondaryId, ServerTime, StatusId, UserId};
use rusqlite::{params, OptionalExtension, Transaction};

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

/// Appends rows in the commit's transaction.
pub(super) fn append_rows(tx: &Transaction<'_>, rows: &[StatusRow]) -> Result<(), StoreError> {
    let mut insert = tx.prepare_cached("INSERT INTO status_history (user, at, status, secondary, automatic) VALUES (?1, ?2, ?3, ?4, ?5)")?;
    for row in rows {
        insert.execute(params![row.user.as_str(), row.at.0 as i64, row.status.as_str(), row.secondary.as_ref().map(|s| s.as_str()), row.automatic])?;
    }
    Ok(())
}

/// A row with its place in the table (the key a page ends at).
fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Placed> {
    let row = StatusRow {
        user: UserId(r.get(1)?),
        at: ServerTime(r.get::<_, i64>(2)?.max(0) as u64),
        status: StatusId(r.get(3)?),
        secondary: r.get::<_, Option<String>>(4)?.map(SecondaryId),
        automatic: r.get(5)?,
    };
    Ok((r.get(0)?, row))
}

const COLUMNS: &str = "rowid, user, at, status, secondary, automatic";

impl HistoryReads for SqliteStore {
    fn in_force(&mut self, user: &UserId, from: i64) -> Result<Option<Placed>, StoreError> {
        let mut stmt =
            self.conn.prepare_cached(&format!("SELECT {COLUMNS} FROM status_history WHERE user = ?1 AND at <= ?2 ORDER BY at DESC, rowid DESC LIMIT 1"))?;
        Ok(stmt.query_row(params![user.as_str(), from], read_row).optional()?)
    }

    fn during(&mut self, user: &UserId, from: i64, to: i64, last: (i64, i64), room: usize) -> Result<Vec<Placed>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM status_history WHERE user = ?1 AND at > ?2 AND at <= ?3 AND (at, rowid) > (?4, ?5) ORDER BY at, rowid LIMIT ?6"
        ))?;
        let found = stmt.query_map(params![user.as_str(), from, to, last.0, last.1, room as i64], read_row)?.collect::<Result<Vec<_>, _>>()?;
        Ok(found)
    }
}

impl StatusHistory for SqliteStore {
    fn status_page(&mut self, users: &[UserId], from: ServerTime, to: ServerTime, cursor: HistoryCursor, limit: usize) -> Result<HistoryPage, StoreError> {
        history::page(self, users, from, to, cursor, limit)
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

    /// Every page from the first, as one list, and how many pages it took.
    fn all_pages(store: &mut SqliteStore, users: &[UserId], from: u64, to: u64, limit: usize) -> (Vec<StatusRow>, usize) {
        let (mut rows, mut pages, mut cursor) = (Vec::new(), 0, Some(HistoryCursor::default()));
        while let Some(at) = cursor {
            let page = store.status_page(users, ServerTime(from), ServerTime(to), at, limit).expect("read");
            assert!(page.rows.len() <= limit, "a page holds at most its limit");
            rows.extend(page.rows);
            cursor = page.next;
            pages += 1;
        }
        (rows, pages)
    }

    // SPEC S6, SPEC N8: the history answers a range with the status in force
    // at its start, a bounded page at a time, and retention prunes in
    // bounded steps.
    #[test]
    fn the_history_answers_a_range_in_pages_and_is_pruned_by_retention() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut store = SqliteStore::open(&dir.path().join("h.db")).expect("open");
        let rows = [row("ana", 100, "available"), row("ana", 200, "idle"), row("ana", 300, "available"), row("ana", 300, "lunch"), row("ben", 150, "idle")];
        store.commit(Commit { records: &[], snapshot: None, list_writes: &[], history: &rows }).expect("commit");
        let ana = [UserId::from("ana")];
        let in_range = vec![row("ana", 200, "idle"), row("ana", 300, "available"), row("ana", 300, "lunch")];
        assert_eq!(all_pages(&mut store, &ana, 250, 1_000, 10), (in_range.clone(), 1), "in force at 250, then the changes after it");
        assert_eq!(all_pages(&mut store, &ana, 250, 1_000, 1), (in_range, 4), "a row a page, then an empty one: two changes at one time are told apart");
        let all = [UserId::from("cy"), UserId::from("ana"), UserId::from("ben")];
        let (found, _) = all_pages(&mut store, &all, 0, 1_000, 2);
        let found: Vec<(&str, u64)> = found.iter().map(|r| (r.user.as_str(), r.at.0)).collect();
        assert_eq!(found, [("ana", 100), ("ana", 200), ("ana", 300), ("ana", 300), ("ben", 150)], "by user as asked, then time");
        assert_eq!(all_pages(&mut store, &all, 0, 150, 10).0.len(), 2, "nothing after the range's end");

        assert_eq!(store.prune_history(ServerTime(250), 1).expect("prune"), 1, "bounded: one row a call");
        assert_eq!(store.prune_history(ServerTime(250), 10).expect("prune"), 2);
        let (left, _) = all_pages(&mut store, &all, 0, 1_000, 10);
        assert_eq!(left, vec![row("ana", 300, "available"), row("ana", 300, "lunch")], "only changes younger than the retention are kept");
    }
}
