//! The calling lists of the outbound campaigns (SPEC P2-P8, W1-W7), in
//! their own tables of the same SQLite file, never in the center's
//! snapshot.
//!
//! | table | rows |
//! | --- | --- |
//! | `records` | `(id, campaign, status, due, agent, kind, body)`: one per record; `body` is the record's JSON |
//! | `record_numbers` | `(number, record)`: every number of every record, normalised, for do-not-call |
//! | `do_not_call` | `(number)`: numbers never to be called again, in any campaign |
//!
//! The center's changes ([`ListWrite`]) are written in the transaction of
//! the log records of the inputs that caused them, so the lists and the
//! center never disagree, across a crash too. An import is validated into
//! a staging file first and published in one transaction: nothing
//! half-imported.

use super::StoreError;
use ringside::center::ListWrite;
use ringside::model::campaign::{normalize_number, CallbackKind, CallingRecord, PreviewOrigin, RecordStatus};
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

/// Which records an administrator lists.
#[derive(Debug, Clone, Default)]
pub struct RecordFilter {
    /// The campaign.
    pub campaign: CampaignId,
    /// Only records in this status.
    pub status: Option<RecordStatus>,
    /// Only records after this id (paging).
    pub after: Option<RecordId>,
    /// At most this many.
    pub limit: usize,
}

/// The calling lists, as the owner uses them.
pub trait CallingLists {
    /// The record `agent` should preview next from `campaigns`, skipping
    /// `skip`: its own personal callbacks that are due (W5), then campaign
    /// callbacks that are due, then the first ready record of the lists
    /// (P2); records it rejected lately are passed over (W7).
    fn next_record(
        &mut self,
        agent: &UserId,
        campaigns: &[CampaignId],
        now: ServerTime,
        skip: &BTreeSet<RecordId>,
    ) -> Result<Option<(CallingRecord, PreviewOrigin)>, StoreError>;

    /// Publishes a validated import from its staging file (see
    /// `campaigns::import::stage`) in one transaction; returns how many records.
    fn publish_import(&mut self, campaign: &CampaignId, staging: &Path) -> Result<u64, StoreError>;

    /// Records by filter, in id order.
    fn list(&mut self, filter: &RecordFilter) -> Result<Vec<CallingRecord>, StoreError>;

    /// How many records of a campaign are in each status.
    fn counts(&mut self, campaign: &CampaignId) -> Result<BTreeMap<String, u64>, StoreError>;

    /// Scheduled callbacks of `campaign` due before `due_before` were not
    /// processed within the stale limit: marked stale (P8).
    fn sweep_stale(&mut self, campaign: &CampaignId, due_before: ServerTime) -> Result<u64, StoreError>;

    /// The earliest callback time after `after`: when to look again.
    fn next_due(&mut self, after: ServerTime) -> Result<Option<ServerTime>, StoreError>;
}

fn status_of(text: &str) -> Result<RecordStatus, StoreError> {
    RecordStatus::parse(text).ok_or_else(|| StoreError::Corrupt(format!("record status {text:?}")))
}

/// A record from its row: the columns are the truth for what they hold.
fn decode(id: i64, campaign: String, status: &str, body: &str) -> Result<CallingRecord, StoreError> {
    let mut record: CallingRecord = serde_json::from_str(body)?;
    record.id = RecordId(id as u64);
    record.campaign = CampaignId(campaign);
    record.status = status_of(status)?;
    Ok(record)
}

const COLUMNS: &str = "id, campaign, status, body";

fn read_rows(conn: &Connection, sql: &str, params: impl rusqlite::Params, mut keep: impl FnMut(&CallingRecord) -> bool) -> Result<Option<CallingRecord>, StoreError> {
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
    let fits = |r: &CallingRecord| campaigns.contains(&r.campaign) && !skip.contains(&r.id) && !r.rejected_by.contains(agent);
    let personal = format!("SELECT {COLUMNS} FROM records WHERE status = 'scheduled' AND due <= ?1 AND kind = 'personal' AND agent = ?2 ORDER BY due");
    if let Some(record) = read_rows(conn, &personal, params![now.0 as i64, agent.as_str()], |r| campaigns.contains(&r.campaign) && !skip.contains(&r.id))? {
        return Ok(Some((record, PreviewOrigin::PersonalCallback)));
    }
    let callbacks = format!("SELECT {COLUMNS} FROM records WHERE status = 'scheduled' AND due <= ?1 AND kind = 'campaign' ORDER BY due");
    if let Some(record) = read_rows(conn, &callbacks, params![now.0 as i64], fits)? {
        return Ok(Some((record, PreviewOrigin::Callback)));
    }
    // The first ready record over the campaigns: each list's head, in id order.
    let ready = format!("SELECT {COLUMNS} FROM records WHERE campaign = ?1 AND status = 'ready' ORDER BY id");
    let mut first: Option<CallingRecord> = None;
    for campaign in campaigns {
        if let Some(record) = read_rows(conn, &ready, params![campaign.as_str()], fits)? {
            if first.as_ref().is_none_or(|f| record.id < f.id) {
                first = Some(record);
            }
        }
    }
    Ok(first.map(|r| (r, PreviewOrigin::Campaign)))
}

/// Writes the center's changes to the lists, inside the commit's
/// transaction. A record that goes back to the list (ready or scheduled)
/// with a number on the do-not-call list is written do-not-call instead.
pub(super) fn apply_writes(tx: &Transaction<'_>, writes: &[ListWrite]) -> Result<(), StoreError> {
    for write in writes {
        match write {
            ListWrite::Record(record) => {
                let mut status = record.status;
                let numbers: Vec<String> = record.chain.iter().map(|n| normalize_number(n)).collect();
                {
                    let mut add = tx.prepare_cached("INSERT OR IGNORE INTO record_numbers (number, record) VALUES (?1, ?2)")?;
                    for number in &numbers {
                        add.execute(params![number, record.id.0 as i64])?;
                    }
                }
                if matches!(status, RecordStatus::Ready | RecordStatus::Scheduled) && is_do_not_call(tx, &numbers)? {
                    status = RecordStatus::DoNotCall;
                }
                let schedule = record.schedule.as_ref().filter(|_| status == RecordStatus::Scheduled);
                let kind = schedule.map(|s| match s.kind {
                    CallbackKind::Personal => "personal",
                    CallbackKind::Campaign => "campaign",
                });
                let agent = record.agent.as_ref().map(|a| a.as_str().to_owned());
                tx.prepare_cached("UPDATE records SET status = ?2, due = ?3, agent = ?4, kind = ?5, body = ?6 WHERE id = ?1")?.execute(params![
                    record.id.0 as i64,
                    status.name(),
                    schedule.map(|s| s.at.0 as i64),
                    agent,
                    kind,
                    serde_json::to_string(record)?,
                ])?;
            }
            ListWrite::DoNotCall(numbers) => {
                for number in numbers {
                    tx.prepare_cached("INSERT OR IGNORE INTO do_not_call (number) VALUES (?1)")?.execute(params![number])?;
                    // P6: out of every campaign's list, wherever it waits.
                    tx.prepare_cached(
                        "UPDATE records SET status = 'do_not_call', due = NULL, kind = NULL
                         WHERE status IN ('ready', 'scheduled') AND id IN (SELECT record FROM record_numbers WHERE number = ?1)",
                    )?
                    .execute(params![number])?;
                }
            }
        }
    }
    Ok(())
}

fn is_do_not_call(conn: &Connection, numbers: &[String]) -> Result<bool, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT 1 FROM do_not_call WHERE number = ?1")?;
    for number in numbers {
        if stmt.query_row(params![number], |_| Ok(())).optional()?.is_some() {
            return Ok(true);
        }
    }
    Ok(false)
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

pub(super) fn next_due(conn: &Connection, after: ServerTime) -> Result<Option<ServerTime>, StoreError> {
    let due: Option<i64> = conn.query_row("SELECT min(due) FROM records WHERE status = 'scheduled' AND due > ?1", params![after.0 as i64], |r| r.get(0))?;
    Ok(due.map(|d| ServerTime(d as u64)))
}
