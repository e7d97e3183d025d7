//! The calling lists (`store/lists.rs`) in tables of the center's schema.

use super::PgStore;
use crate::store::lists::{self, decode, CallingLists, ListQuery, ListWriter, RecordFilter, RecordRow, COLUMNS};
use crate::store::StoreError;
use postgres::types::ToSql;
use postgres::{GenericClient, Transaction};
use ringside::model::campaign::{CallingRecord, PreviewOrigin, RecordStatus};
use ringside::model::{CampaignId, RecordId, ServerTime, UserId};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

pub(super) const LISTS_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS records (
  id BIGINT PRIMARY KEY,
  campaign TEXT NOT NULL,
  status TEXT NOT NULL,
  due BIGINT,
  agent TEXT,
  kind TEXT,
  body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS records_by_status ON records (campaign, status, id);
CREATE INDEX IF NOT EXISTS records_by_due ON records (status, due);
CREATE TABLE IF NOT EXISTS record_numbers (number TEXT NOT NULL, record BIGINT NOT NULL, PRIMARY KEY (number, record));
CREATE TABLE IF NOT EXISTS do_not_call (number TEXT PRIMARY KEY);
";

/// Records a query finds, in its order.
fn read(client: &mut impl GenericClient, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Vec<CallingRecord>, StoreError> {
    let rows = client.query(sql, params)?;
    rows.iter().map(|row| decode(row.get(0), row.get(1), row.get(2), row.get(3))).collect()
}

/// Imported records are inserted this many at a time.
const IMPORT_CHUNK: usize = 10_000;

/// Copies the `(seq, text)` rows `select` reads from a staging file into
/// the engine, [`IMPORT_CHUNK`] at a time: `insert` takes the ids (`base`
/// plus seq) as `$1`, the texts as `$2` and `extra` after them. How many
/// rows it inserted.
fn copy_staged(
    staged: &rusqlite::Connection,
    select: &str,
    tx: &mut Transaction<'_>,
    base: i64,
    insert: &str,
    extra: &[&(dyn ToSql + Sync)],
) -> Result<u64, StoreError> {
    let mut select = staged.prepare(select)?;
    let mut rows = select.query([])?;
    let (mut ids, mut texts): (Vec<i64>, Vec<String>) = (Vec::new(), Vec::new());
    let mut count = 0;
    loop {
        let row = rows.next()?;
        if let Some(row) = row {
            ids.push(base + row.get::<_, i64>(0)?);
            texts.push(row.get(1)?);
        }
        if ids.len() == IMPORT_CHUNK || (row.is_none() && !ids.is_empty()) {
            let mut params: Vec<&(dyn ToSql + Sync)> = vec![&ids, &texts];
            params.extend_from_slice(extra);
            count += tx.execute(insert, &params)?;
            ids.clear();
            texts.clear();
        }
        if row.is_none() {
            return Ok(count);
        }
    }
}

/// The list writes of one commit, in its transaction.
pub(super) struct PgListWriter<'t, 'c>(pub(super) &'t mut Transaction<'c>);

impl ListWriter for PgListWriter<'_, '_> {
    fn add_numbers(&mut self, record: i64, numbers: &[String]) -> Result<(), StoreError> {
        self.0.execute(
            "INSERT INTO record_numbers (number, record) SELECT n, $2 FROM unnest($1::text[]) AS n ON CONFLICT DO NOTHING",
            &[&numbers, &record],
        )?;
        Ok(())
    }

    fn any_do_not_call(&mut self, numbers: &[String]) -> Result<bool, StoreError> {
        Ok(self.0.query_opt("SELECT 1 FROM do_not_call WHERE number = ANY($1) LIMIT 1", &[&numbers])?.is_some())
    }

    fn update_record(&mut self, row: RecordRow) -> Result<(), StoreError> {
        self.0.execute(
            "UPDATE records SET status = $2, due = $3, agent = $4, kind = $5, body = $6 WHERE id = $1",
            &[&row.id, &row.status, &row.due, &row.agent, &row.kind, &row.body],
        )?;
        Ok(())
    }

    fn block_number(&mut self, number: &str) -> Result<(), StoreError> {
        self.0.execute("INSERT INTO do_not_call (number) VALUES ($1) ON CONFLICT DO NOTHING", &[&number])?;
        self.0.execute(
            "UPDATE records SET status = 'do_not_call', due = NULL, kind = NULL
             WHERE status IN ('ready', 'scheduled') AND id IN (SELECT record FROM record_numbers WHERE number = $1)",
            &[&number],
        )?;
        Ok(())
    }
}

impl CallingLists for PgStore {
    fn next_record(
        &mut self,
        agent: &UserId,
        campaigns: &[CampaignId],
        now: ServerTime,
        skip: &BTreeSet<RecordId>,
    ) -> Result<Option<(CallingRecord, PreviewOrigin)>, StoreError> {
        let client = self.client()?;
        let mut first = |query: ListQuery<'_>, fits: &dyn Fn(&CallingRecord) -> bool| {
            let found = match query {
                ListQuery::PersonalDue { now, agent } => read(
                    client,
                    &format!("SELECT {COLUMNS} FROM records WHERE status = 'scheduled' AND due <= $1 AND kind = 'personal' AND agent = $2 ORDER BY due"),
                    &[&(now.0 as i64), &agent.as_str()],
                ),
                ListQuery::CampaignDue { now } => read(
                    client,
                    &format!("SELECT {COLUMNS} FROM records WHERE status = 'scheduled' AND due <= $1 AND kind = 'campaign' ORDER BY due"),
                    &[&(now.0 as i64)],
                ),
                ListQuery::Ready { campaign } => {
                    let mut found = None;
                    // Ready lists are long: read them a page at a time.
                    let mut after = 0i64;
                    loop {
                        let page = read(
                            client,
                            &format!("SELECT {COLUMNS} FROM records WHERE campaign = $1 AND status = 'ready' AND id > $2 ORDER BY id LIMIT 100"),
                            &[&campaign.as_str(), &after],
                        )?;
                        let Some(last) = page.last() else { break };
                        after = last.id.0 as i64;
                        if let Some(record) = page.into_iter().find(|r| fits(r)) {
                            found = Some(record);
                            break;
                        }
                    }
                    return Ok(found);
                }
            }?;
            Ok(found.into_iter().find(|r| fits(r)))
        };
        lists::next_record(&mut first, agent, campaigns, now, skip)
    }

    fn publish_import(&mut self, campaign: &CampaignId, staging: &Path) -> Result<u64, StoreError> {
        let staged = rusqlite::Connection::open(staging)?;
        let mut tx = self.fenced()?;
        let base: i64 = tx.query_one("SELECT coalesce(max(id), 0)::bigint FROM records", &[])?.get(0);
        let campaign = campaign.as_str();
        let count = copy_staged(
            &staged,
            "SELECT seq, body FROM rows ORDER BY seq",
            &mut tx,
            base,
            "INSERT INTO records (id, campaign, status, body) SELECT i, $3, 'ready', b FROM unnest($1::bigint[], $2::text[]) AS t(i, b)",
            &[&campaign],
        )?;
        copy_staged(
            &staged,
            "SELECT seq, number FROM numbers",
            &mut tx,
            base,
            "INSERT INTO record_numbers (number, record) SELECT n, r FROM unnest($1::bigint[], $2::text[]) AS t(r, n) ON CONFLICT DO NOTHING",
            &[],
        )?;
        tx.execute(
            "UPDATE records SET status = 'do_not_call' WHERE id > $1
             AND id IN (SELECT record FROM record_numbers WHERE record > $1 AND number IN (SELECT number FROM do_not_call))",
            &[&base],
        )?;
        tx.commit()?;
        Ok(count)
    }

    fn list(&mut self, filter: &RecordFilter) -> Result<Vec<CallingRecord>, StoreError> {
        let after = filter.after.map_or(0, |r| r.0 as i64);
        let limit = filter.limit as i64;
        let status = filter.status.map(RecordStatus::name);
        read(
            self.client()?,
            &format!("SELECT {COLUMNS} FROM records WHERE campaign = $1 AND ($2::text IS NULL OR status = $2) AND id > $3 ORDER BY id LIMIT $4"),
            &[&filter.campaign.as_str(), &status, &after, &limit],
        )
    }

    fn counts(&mut self, campaign: &CampaignId) -> Result<BTreeMap<String, u64>, StoreError> {
        let rows = self.client()?.query("SELECT status, count(*) FROM records WHERE campaign = $1 GROUP BY status", &[&campaign.as_str()])?;
        Ok(rows.iter().map(|r| (r.get::<_, String>(0), r.get::<_, i64>(1) as u64)).collect())
    }

    fn sweep_stale(&mut self, campaign: &CampaignId, due_before: ServerTime) -> Result<u64, StoreError> {
        let mut tx = self.fenced()?;
        let changed = tx.execute(
            "UPDATE records SET status = 'stale' WHERE status = 'scheduled' AND due < $2 AND campaign = $1",
            &[&campaign.as_str(), &(due_before.0 as i64)],
        )?;
        tx.commit()?;
        Ok(changed)
    }

    fn next_due(&mut self, after: ServerTime) -> Result<Option<ServerTime>, StoreError> {
        let due: Option<i64> = self.client()?.query_one("SELECT min(due) FROM records WHERE status = 'scheduled' AND due > $1", &[&(after.0 as i64)])?.get(0);
        Ok(due.map(|d| ServerTime(d as u64)))
    }

    fn is_do_not_call(&mut self, number: &str) -> Result<bool, StoreError> {
        Ok(self.client()?.query_opt("SELECT 1 FROM do_not_call WHERE number = $1", &[&number])?.is_some())
    }
}
