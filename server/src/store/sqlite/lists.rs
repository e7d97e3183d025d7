//! The calling lists (`store/lists.rs`) in tables of the SQLite file.

use crate::store::lists::{self, decode, ListQuery, ListWriter, RecordFilter, RecordRow, COLUMNS};
use crate::store::StoreError;
use ringside::model::campaign::{CallingRecord, PreviewOrigin, RecordStatus};
use ringside::model::{CampaignId, RecordId, ServerTime, UserId};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

pub(super) const LISTS_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS records (
  id INTEGER PRIMARY KEY,
  campaign TEXT NOT NULL,
  status TEXT NOT NULL,
  due INTEGER,
  agent TEXT,
  kind TEXT,
  body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS records_by_status ON records (campaign, status);
CREATE INDEX IF NOT EXISTS records_by_due ON records (status, due);
CREATE TABLE IF NOT EXISTS record_numbers (number TEXT NOT NULL, record INTEGER NOT NULL, PRIMARY KEY (number, record)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS do_not_call (number TEXT PRIMARY KEY) WITHOUT ROWID;
";

fn read_rows(conn: &Connection, sql: &str, params: impl rusqlite::Params, keep: &dyn Fn(&CallingRecord) -> bool) -> Result<Option<CallingRecord>, StoreError> {
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query(params)?;
    while let Some(row) = rows.next()? {
        let status: String = row.get(2)?;
        let body: String = row.get(3)?;
        let record = decode(row.get(0)?, row.get(1)?, &status, &body)?;
        if keep(&record) {
            return Ok(Some(record));
        }
    }
    Ok(None)
}

pub(super) fn next_record(
    conn: &Connection,
    agent: &UserId,
    campaigns: &[CampaignId],
    now: ServerTime,
    skip: &BTreeSet<RecordId>,
) -> Result<Option<(CallingRecord, PreviewOrigin)>, StoreError> {
    let mut first = |query: ListQuery<'_>, fits: &dyn Fn(&CallingRecord) -> bool| match query {
        ListQuery::PersonalDue { now, agent } => read_rows(
            conn,
            &format!("SELECT {COLUMNS} FROM records WHERE status = 'scheduled' AND due <= ?1 AND kind = 'personal' AND agent = ?2 ORDER BY due"),
            params![now.0 as i64, agent.as_str()],
            fits,
        ),
        ListQuery::CampaignDue { now } => read_rows(
            conn,
            &format!("SELECT {COLUMNS} FROM records WHERE status = 'scheduled' AND due <= ?1 AND kind = 'campaign' ORDER BY due"),
            params![now.0 as i64],
            fits,
        ),
        ListQuery::Ready { campaign } => {
            read_rows(conn, &format!("SELECT {COLUMNS} FROM records WHERE campaign = ?1 AND status = 'ready' ORDER BY id"), params![campaign.as_str()], fits)
        }
    };
    lists::next_record(&mut first, agent, campaigns, now, skip)
}

/// The list writes of one commit, in its transaction.
pub(super) struct SqliteListWriter<'t, 'c>(pub(super) &'t Transaction<'c>);

impl ListWriter for SqliteListWriter<'_, '_> {
    fn add_numbers(&mut self, record: i64, numbers: &[String]) -> Result<(), StoreError> {
        let mut add = self.0.prepare_cached("INSERT OR IGNORE INTO record_numbers (number, record) VALUES (?1, ?2)")?;
        for number in numbers {
            add.execute(params![number, record])?;
        }
        Ok(())
    }

    fn any_do_not_call(&mut self, numbers: &[String]) -> Result<bool, StoreError> {
        for number in numbers {
            if is_do_not_call(self.0, number)? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    fn update_record(&mut self, row: RecordRow) -> Result<(), StoreError> {
        self.0
            .prepare_cached("UPDATE records SET status = ?2, due = ?3, agent = ?4, kind = ?5, body = ?6 WHERE id = ?1")?
            .execute(params![row.id, row.status, row.due, row.agent, row.kind, row.body])?;
        Ok(())
    }

    fn block_number(&mut self, number: &str) -> Result<(), StoreError> {
        self.0.prepare_cached("INSERT OR IGNORE INTO do_not_call (number) VALUES (?1)")?.execute(params![number])?;
        self.0
            .prepare_cached(
                "UPDATE records SET status = 'do_not_call', due = NULL, kind = NULL
                 WHERE status IN ('ready', 'scheduled') AND id IN (SELECT record FROM record_numbers WHERE number = ?1)",
            )?
            .execute(params![number])?;
        Ok(())
    }
}

pub(super) fn publish_import(conn: &mut Connection, campaign: &CampaignId, staging: &Path) -> Result<u64, StoreError> {
    let path = staging.to_str().ok_or_else(|| StoreError::Corrupt("the staging path is not UTF-8".into()))?;
    conn.execute("ATTACH DATABASE ?1 AS staging", params![path])?;
    let published = (|| {
        let tx = conn.transaction()?;
        let base: i64 = tx.query_row("SELECT coalesce(max(id), 0) FROM records", [], |r| r.get(0))?;
        let count = tx.execute(
            "INSERT INTO records (id, campaign, status, body) SELECT ?1 + seq, ?2, 'ready', body FROM staging.rows ORDER BY seq",
            params![base, campaign.as_str()],
        )?;
        tx.execute("INSERT OR IGNORE INTO record_numbers (number, record) SELECT number, ?1 + seq FROM staging.numbers", params![base])?;
        tx.execute(
            "UPDATE records SET status = 'do_not_call' WHERE id > ?1
             AND id IN (SELECT record FROM record_numbers WHERE record > ?1 AND number IN (SELECT number FROM do_not_call))",
            params![base],
        )?;
        tx.commit()?;
        Ok::<u64, StoreError>(count as u64)
    })();
    conn.execute("DETACH DATABASE staging", [])?;
    published
}

pub(super) fn list(conn: &Connection, filter: &RecordFilter) -> Result<Vec<CallingRecord>, StoreError> {
    let after = filter.after.map_or(0, |r| r.0 as i64);
    let limit = filter.limit as i64;
    let mut stmt = match filter.status {
        Some(_) => conn.prepare_cached(&format!("SELECT {COLUMNS} FROM records WHERE campaign = ?1 AND status = ?2 AND id > ?3 ORDER BY id LIMIT ?4"))?,
        None => conn.prepare_cached(&format!("SELECT {COLUMNS} FROM records WHERE campaign = ?1 AND ?2 IS NULL AND id > ?3 ORDER BY id LIMIT ?4"))?,
    };
    let status = filter.status.map(RecordStatus::name);
    let mut rows = stmt.query(params![filter.campaign.as_str(), status, after, limit])?;
    let mut records = Vec::new();
    while let Some(row) = rows.next()? {
        let status: String = row.get(2)?;
        let body: String = row.get(3)?;
        records.push(decode(row.get(0)?, row.get(1)?, &status, &body)?);
    }
    Ok(records)
}

pub(super) fn counts(conn: &Connection, campaign: &CampaignId) -> Result<BTreeMap<String, u64>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT status, count(*) FROM records WHERE campaign = ?1 GROUP BY status")?;
    let rows = stmt.query_map(params![campaign.as_str()], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(super) fn sweep_stale(conn: &Connection, campaign: &CampaignId, due_before: ServerTime) -> Result<u64, StoreError> {
    let changed = conn.execute(
        "UPDATE records SET status = 'stale' WHERE status = 'scheduled' AND due < ?2 AND campaign = ?1",
        params![campaign.as_str(), due_before.0 as i64],
    )?;
    Ok(changed as u64)
}

pub(super) fn is_do_not_call(conn: &Connection, number: &str) -> Result<bool, StoreError> {
    Ok(conn.prepare_cached("SELECT 1 FROM do_not_call WHERE number = ?1")?.query_row(params![number], |_| Ok(())).optional()?.is_some())
}

pub(super) fn next_due(conn: &Connection, after: ServerTime) -> Result<Option<ServerTime>, StoreError> {
    let due: Option<i64> = conn.query_row("SELECT min(due) FROM records WHERE status = 'scheduled' AND due > ?1", params![after.0 as i64], |r| r.get(0))?;
    Ok(due.map(|d| ServerTime(d as u64)))
}
