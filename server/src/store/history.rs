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
//! They are read a bounded page at a time: the database is opened in
//! exclusive locking mode (one server per file), so every read goes through
//! the owner's connection, and a page keeps each read short.

use super::{SqliteStore, StoreError};
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

/// Where a page of the history ended; the next page reads on from there.
/// The default is the start of the first page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HistoryCursor {
    /// The index, among the users asked for, of the user being read.
    pub(super) user: usize,
    /// That user's last row read, by time and then by its place in the
    /// store; none before its first row.
    pub(super) last: Option<(i64, i64)>,
}

/// One page of the status history.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryPage {
    /// The rows, by user (in the order asked for) then time.
    pub rows: Vec<StatusRow>,
    /// Where the next page starts; none after the last page.
    pub next: Option<HistoryCursor>,
}

/// The status history, as the owner uses it.
pub trait StatusHistory {
    /// The changes of `users` that matter for `[from, to]`: for each user
    /// the last change at or before `from` (the status in force then) and
    /// every change after it up to `to`, by user then time. One page of at
    /// most `limit` rows, visiting at most `limit` users, from `cursor`, so
    /// that no read holds the owner long.
    fn status_page(&mut self, users: &[UserId], from: ServerTime, to: ServerTime, cursor: HistoryCursor, limit: usize) -> Result<HistoryPage, StoreError>;

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

/// A row with its place in the table (the key a page ends at).
fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(i64, StatusRow)> {
    let row = StatusRow {
        user: UserId(r.get(1)?),
        at: ServerTime(r.get::<_, i64>(2)?.max(0) as u64),
        status: StatusId(r.get(3)?),
        secondary: r.get::<_, Option<String>>(4)?.map(SecondaryId),
        automatic: r.get(5)?,
    };
    Ok((r.get(0)?, row))
}

impl StatusHistory for SqliteStore {
    fn status_page(&mut self, users: &[UserId], from: ServerTime, to: ServerTime, mut cursor: HistoryCursor, limit: usize) -> Result<HistoryPage, StoreError> {
        const COLUMNS: &str = "rowid, user, at, status, secondary, automatic";
        let mut in_force =
            self.conn.prepare_cached(&format!("SELECT {COLUMNS} FROM status_history WHERE user = ?1 AND at <= ?2 ORDER BY at DESC, rowid DESC LIMIT 1"))?;
        let mut during = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM status_history WHERE user = ?1 AND at > ?2 AND at <= ?3 AND (at, rowid) > (?4, ?5) ORDER BY at, rowid LIMIT ?6"
        ))?;
        let (from, to) = (from.0 as i64, to.0 as i64);
        let limit = limit.max(1);
        let mut rows = Vec::new();
        let mut visited = 0;
        while rows.len() < limit && visited < limit {
            let Some(user) = users.get(cursor.user) else { break };
            visited += 1;
            let last = match cursor.last {
                Some(last) => last,
                None => match in_force.query_row(params![user.as_str(), from], read_row).optional()? {
                    Some((place, row)) => {
                        let key = (row.at.0 as i64, place);
                        rows.push(row);
                        key
                    }
                    None => (i64::MIN, i64::MIN),
                },
            };
            cursor.last = Some(last);
            let room = limit - rows.len();
            let found = during.query_map(params![user.as_str(), from, to, last.0, last.1, room as i64], read_row)?.collect::<Result<Vec<_>, _>>()?;
            let full = found.len() == room;
            if let Some((place, row)) = found.last() {
                cursor.last = Some((row.at.0 as i64, *place));
            }
            rows.extend(found.into_iter().map(|(_, row)| row));
            if !full {
                cursor = HistoryCursor { user: cursor.user + 1, last: None };
            }
        }
        let next = (cursor.user < users.len()).then_some(cursor);
        Ok(HistoryPage { rows, next })
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
