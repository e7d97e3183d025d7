//! The networked store (many server nodes): the center's tables in one
//! PostgreSQL schema per center (`ringside_<center>`), beside the shared
//! leases table (`cluster::lease`).
//!
//! | table | rows |
//! | --- | --- |
//! | `meta` | `format_version` |
//! | `log` | `(pos, body)`: one record per changing input, appended |
//! | `snapshots` | `(pos, body)`: the newest snapshot and the one before |
//! | `records`, `record_numbers`, `do_not_call` | the campaigns' calling lists (`lists.rs`) |
//! | `status_history` | every status change, for reports (`history.rs`) |
//!
//! Every write is fenced: its transaction first renews this node's lease
//! for its exact epoch, and is rolled back with [`StoreError::LeaseLost`]
//! when that fails. A broken connection (the engine restarted) is opened
//! again at the next call; the call that met it fails, and the owner
//! answers `unavailable` and reloads.

mod history;
mod lists;

use super::{Commit, EncodedSnapshot, Record, Recovered, Store, StoreError, Written, FORMAT_VERSION};
use crate::cluster::lease::{self, Fence};
use postgres::{Client, NoTls, Transaction};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS log (pos BIGINT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS snapshots (pos BIGINT PRIMARY KEY, body TEXT NOT NULL);
";

/// One center's tables in the engine, written under a lease.
pub struct PgStore {
    connect: postgres::Config,
    schema: String,
    fence: Fence,
    client: Option<Client>,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore").field("schema", &self.schema).field("fence", &self.fence).finish()
    }
}

impl PgStore {
    /// Opens the center's schema in `schema` (creating it), writing under
    /// `fence`; refuses a newer storage format.
    pub fn open(connect: postgres::Config, schema: String, fence: Fence) -> Result<PgStore, StoreError> {
        let mut client = connect.connect(NoTls)?;
        let mut tx = client.transaction()?;
        // Nodes starting together would race on CREATE ... IF NOT EXISTS.
        tx.execute("SELECT pg_advisory_xact_lock(hashtext($1))", &[&schema])?;
        tx.batch_execute(&format!(
            "CREATE SCHEMA IF NOT EXISTS {schema}; SET LOCAL search_path TO {schema}; {SCHEMA}{}{}",
            lists::LISTS_SCHEMA,
            history::HISTORY_SCHEMA
        ))?;
        let version: Option<String> = tx.query_opt("SELECT value FROM meta WHERE key = 'format_version'", &[])?.map(|r| r.get(0));
        match version.map(|v| v.parse::<u32>().map_err(|_| StoreError::Corrupt(format!("format_version {v:?} is not a number")))).transpose()? {
            Some(found) if found > FORMAT_VERSION => return Err(StoreError::NewerFormat { found, supported: FORMAT_VERSION }),
            Some(_) => {}
            None => {
                tx.execute("INSERT INTO meta (key, value) VALUES ('format_version', $1)", &[&FORMAT_VERSION.to_string()])?;
            }
        }
        tx.commit()?;
        client.batch_execute(&format!("SET search_path TO {schema}"))?;
        Ok(PgStore { connect, schema, fence, client: Some(client) })
    }

    /// The connection, opened again if the engine dropped it.
    fn client(&mut self) -> Result<&mut Client, StoreError> {
        if self.client.as_ref().is_none_or(|c| c.is_closed()) {
            let mut client = self.connect.connect(NoTls)?;
            client.batch_execute(&format!("SET search_path TO {}", self.schema))?;
            self.client = Some(client);
        }
        self.client.as_mut().ok_or_else(|| StoreError::Corrupt("no connection".into()))
    }

    /// A transaction that holds the lease (renewed and locked until it
    /// ends), or [`StoreError::LeaseLost`].
    fn fenced(&mut self) -> Result<Transaction<'_>, StoreError> {
        let fence = self.fence.clone();
        let mut tx = self.client()?.transaction()?;
        if !lease::renew(&mut tx, &fence)? {
            return Err(StoreError::LeaseLost);
        }
        Ok(tx)
    }
}

impl Store for PgStore {
    fn recover(&mut self) -> Result<Option<Recovered>, StoreError> {
        let client = self.client()?;
        let Some(row) = client.query_opt("SELECT pos, body FROM snapshots ORDER BY pos DESC LIMIT 1", &[])? else { return Ok(None) };
        let (pos, body): (i64, String) = (row.get(0), row.get(1));
        let tail = client.query("SELECT pos, body FROM log WHERE pos > $1 ORDER BY pos", &[&pos])?;
        Recovered::read(pos as u64, &body, tail.iter().map(|row| (row.get(0), row.get(1)))).map(Some)
    }

    fn commit(&mut self, commit: Commit<'_>) -> Result<Written, StoreError> {
        let mut tx = self.fenced()?;
        let mut bytes = 0u64;
        let mut positions = Vec::with_capacity(commit.records.len());
        let mut bodies = Vec::with_capacity(commit.records.len());
        for record in commit.records {
            let body = serde_json::to_string(record)?;
            bytes += body.len() as u64;
            positions.push(record.pos as i64);
            bodies.push(body);
        }
        // One statement for the whole group: a round trip per record would
        // cap the commit rate at the engine's latency.
        if !positions.is_empty() {
            tx.execute("INSERT INTO log (pos, body) SELECT * FROM unnest($1::bigint[], $2::text[])", &[&positions, &bodies])?;
        }
        if let Some(EncodedSnapshot { pos, body }) = commit.snapshot {
            bytes += body.len() as u64;
            let pos = *pos as i64;
            // Keep this snapshot and the one before it; the records up to
            // the one before are covered twice over and go.
            let previous: Option<i64> = tx.query_one("SELECT max(pos) FROM snapshots WHERE pos < $1", &[&pos])?.get(0);
            tx.execute("INSERT INTO snapshots (pos, body) VALUES ($1, $2) ON CONFLICT (pos) DO UPDATE SET body = EXCLUDED.body", &[&pos, body])?;
            if let Some(previous) = previous {
                tx.execute("DELETE FROM snapshots WHERE pos < $1", &[&previous])?;
                tx.execute("DELETE FROM log WHERE pos <= $1", &[&previous])?;
            }
        }
        super::lists::apply_writes(&mut lists::PgListWriter(&mut tx), commit.list_writes)?;
        history::append_rows(&mut tx, commit.history)?;
        let first_kept: Option<i64> = tx.query_one("SELECT min(pos) FROM log", &[])?.get(0);
        tx.commit()?;
        Ok(Written { bytes, first_kept: first_kept.map_or(0, |p| p as u64) })
    }

    fn records(&mut self, positions: &[u64]) -> Result<Vec<Record>, StoreError> {
        let positions: Vec<i64> = positions.iter().map(|&p| p as i64).collect();
        let rows = self.client()?.query("SELECT pos, body FROM log WHERE pos = ANY($1) ORDER BY pos", &[&positions])?;
        rows.iter().map(|row| Record::decode(row.get(0), row.get(1))).collect()
    }

    fn close(&mut self) -> Result<(), StoreError> {
        Ok(())
    }

    fn lists(&mut self) -> &mut dyn super::CallingLists {
        self
    }

    fn history(&mut self) -> &mut dyn super::StatusHistory {
        self
    }
}
