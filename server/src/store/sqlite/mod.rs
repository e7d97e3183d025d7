//! The embedded store: one SQLite file in WAL mode.
//!
//! | table | rows |
//! | --- | --- |
//! | `meta` | `format_version` |
//! | `log` | `(pos, body)`: one record per changing input, appended |
//! | `snapshots` | `(pos, body)`: the newest snapshot and the one before |
//! | `records`, `record_numbers`, `do_not_call` | the campaigns' calling lists (`lists.rs`) |
//! | `status_history` | every status change, for reports (`history.rs`) |
//!
//! Appends go to the end of the `log` table's B-tree, so a commit writes the
//! pages of its own records and nothing that grows with the center.

mod history;
mod lists;
mod migrate;

use super::history::StatusHistory;
use super::lists::{CallingLists, RecordFilter};
use super::{Commit, EncodedSnapshot, Record, Recovered, Store, StoreError, Written, FORMAT_VERSION};
use ringside::model::campaign::{CallingRecord, PreviewOrigin};
use ringside::model::{CampaignId, RecordId, ServerTime, UserId};
use std::collections::{BTreeMap, BTreeSet};
use rusqlite::{params, Connection, OptionalExtension};
use std::path::Path;

/// The SQLite database.
#[derive(Debug)]
pub struct SqliteStore {
    pub(super) conn: Connection,
}

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS log (pos INTEGER PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS snapshots (pos INTEGER PRIMARY KEY, body TEXT NOT NULL);
";

/// Every table of the current format.
pub(super) fn schema() -> String {
    format!("{SCHEMA}{}{}", lists::LISTS_SCHEMA, history::HISTORY_SCHEMA)
}

impl SqliteStore {
    /// Opens (creating if missing) the database in WAL mode and brings an
    /// older format up to [`FORMAT_VERSION`]; refuses a newer one.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        if let Some(dir) = path.parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(StoreError::Io)?;
            }
        }
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_millis(500))?;
        // One server per database: a second one on the same file would
        // fork the state. The exclusive lock is held until this closes.
        conn.pragma_update(None, "locking_mode", "EXCLUSIVE")?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // FULL: a commit is on disk before the ack that follows it is sent.
        conn.pragma_update(None, "synchronous", "FULL")?;
        // Take the lock now rather than at the first commit.
        conn.execute_batch("BEGIN IMMEDIATE; COMMIT;")?;
        migrate::to_current(&mut conn)?;
        Ok(SqliteStore { conn })
    }

    fn snapshot(&self) -> Result<Option<(u64, String)>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT pos, body FROM snapshots ORDER BY pos DESC LIMIT 1", [], |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?)))
            .optional()?)
    }
}

impl Store for SqliteStore {
    fn recover(&mut self) -> Result<Option<Recovered>, StoreError> {
        let Some((pos, body)) = self.snapshot()? else { return Ok(None) };
        let mut stmt = self.conn.prepare("SELECT pos, body FROM log WHERE pos > ?1 ORDER BY pos")?;
        let tail = stmt.query_map(params![pos as i64], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<Vec<(i64, String)>, _>>()?;
        Recovered::read(pos, &body, tail).map(Some)
    }

    fn commit(&mut self, commit: Commit<'_>) -> Result<Written, StoreError> {
        let tx = self.conn.transaction()?;
        let mut bytes = 0u64;
        {
            let mut append = tx.prepare_cached("INSERT INTO log (pos, body) VALUES (?1, ?2)")?;
            for record in commit.records {
                let body = serde_json::to_string(record)?;
                bytes += body.len() as u64;
                append.execute(params![record.pos as i64, body])?;
            }
        }
        if let Some(EncodedSnapshot { pos, body }) = commit.snapshot {
            bytes += body.len() as u64;
            // Keep this snapshot and the one before it; the records up to
            // the one before are covered twice over and go.
            let previous: Option<i64> =
                tx.query_row("SELECT max(pos) FROM snapshots WHERE pos < ?1", params![*pos as i64], |r| r.get(0))?;
            tx.execute("INSERT OR REPLACE INTO snapshots (pos, body) VALUES (?1, ?2)", params![*pos as i64, body])?;
            if let Some(previous) = previous {
                tx.execute("DELETE FROM snapshots WHERE pos < ?1", params![previous])?;
                tx.execute("DELETE FROM log WHERE pos <= ?1", params![previous])?;
            }
        }
        super::lists::apply_writes(&mut lists::SqliteListWriter(&tx), commit.list_writes)?;
        history::append_rows(&tx, commit.history)?;
        let first_kept: Option<i64> = tx.query_row("SELECT min(pos) FROM log", [], |r| r.get(0))?;
        tx.commit()?;
        Ok(Written { bytes, first_kept: first_kept.map_or(0, |p| p as u64) })
    }

    fn records(&mut self, positions: &[u64]) -> Result<Vec<Record>, StoreError> {
        let mut stmt = self.conn.prepare_cached("SELECT body FROM log WHERE pos = ?1")?;
        let mut records = Vec::with_capacity(positions.len());
        for &pos in positions {
            let body: Option<String> = stmt.query_row(params![pos as i64], |r| r.get(0)).optional()?;
            if let Some(body) = body {
                records.push(Record::decode(pos as i64, &body)?);
            }
        }
        Ok(records)
    }

    fn close(&mut self) -> Result<(), StoreError> {
        // Moves the write-ahead log into the main file.
        self.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    fn lists(&mut self) -> &mut dyn CallingLists {
        self
    }

    fn history(&mut self) -> &mut dyn StatusHistory {
        self
    }
}

impl CallingLists for SqliteStore {
    fn next_record(
        &mut self,
        agent: &UserId,
        campaigns: &[CampaignId],
        now: ServerTime,
        skip: &BTreeSet<RecordId>,
    ) -> Result<Option<(CallingRecord, PreviewOrigin)>, StoreError> {
        lists::next_record(&self.conn, agent, campaigns, now, skip)
    }
    fn publish_import(&mut self, campaign: &CampaignId, staging: &Path) -> Result<u64, StoreError> {
        lists::publish_import(&mut self.conn, campaign, staging)
    }
    fn list(&mut self, filter: &RecordFilter) -> Result<Vec<CallingRecord>, StoreError> {
        lists::list(&self.conn, filter)
    }
    fn counts(&mut self, campaign: &CampaignId) -> Result<BTreeMap<String, u64>, StoreError> {
        lists::counts(&self.conn, campaign)
    }
    fn sweep_stale(&mut self, campaign: &CampaignId, due_before: ServerTime) -> Result<u64, StoreError> {
        lists::sweep_stale(&self.conn, campaign, due_before)
    }
    fn next_due(&mut self, after: ServerTime) -> Result<Option<ServerTime>, StoreError> {
        lists::next_due(&self.conn, after)
    }
    fn is_do_not_call(&mut self, number: &str) -> Result<bool, StoreError> {
        lists::is_do_not_call(&self.conn, number)
    }
}

/// The format version recorded in `meta`, if any.
pub(super) fn stored_version(conn: &Connection) -> Result<Option<u32>, StoreError> {
    let value: Option<String> = conn.query_row("SELECT value FROM meta WHERE key = 'format_version'", [], |r| r.get(0)).optional()?;
    value.map(|v| v.parse().map_err(|_| StoreError::Corrupt(format!("format_version {v:?} is not a number")))).transpose()
}

/// Records [`FORMAT_VERSION`] in `meta`.
pub(super) fn set_version(conn: &Connection) -> Result<(), StoreError> {
    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('format_version', ?1)", params![FORMAT_VERSION.to_string()])?;
    Ok(())
}
