//! Persistence (SPEC S10): an append-only log of the inputs that changed the
//! center, each with its time and the events it caused, plus snapshots of
//! the center written now and then. Restart = the last snapshot + a replay of
//! the records after it; the center is deterministic, so the replay rebuilds
//! the state that was acknowledged.
//!
//! What one command costs the store is its own record (the input and its
//! events), whatever the size of the center. The owner writes a snapshot
//! when the log since the last one has grown to twice that snapshot, so
//! snapshots cost at most half as much again per command, and a replay never
//! reads more than about two snapshots' worth of records.
//!
//! The [`Store`] trait is all the owner knows of the storage: the embedded
//! SQLite store ([`SqliteStore`], one node) and the PostgreSQL engine
//! ([`PgStore`], many nodes under a lease) implement it.

mod history;
mod lists;
mod postgres;
mod sqlite;

pub use history::{HistoryCursor, HistoryPage, StatusHistory, StatusRow};
pub use lists::{CallingLists, RecordFilter};
pub use postgres::PgStore;
pub use sqlite::SqliteStore;

use ringside::center::{Center, Input, ListWrite};
use ringside::model::state::Event;
use ringside::model::ServerTime;
use serde::{Deserialize, Serialize};

/// The storage format this build writes. Older formats are migrated when
/// opened; newer ones are refused.
pub const FORMAT_VERSION: u32 = 4;

/// A store error: the database, a stored document, or the file system.
#[derive(Debug)]
pub enum StoreError {
    /// SQLite refused.
    Sql(rusqlite::Error),
    /// A stored document is not valid for this version.
    Json(serde_json::Error),
    /// The database folder could not be created.
    Io(std::io::Error),
    /// The database was written by a newer release.
    NewerFormat {
        /// The format found in the database.
        found: u32,
        /// The newest format this build reads.
        supported: u32,
    },
    /// The database is damaged: what is wrong.
    Corrupt(String),
    /// The cluster engine (PostgreSQL) refused or could not be reached.
    Postgres(::postgres::Error),
    /// This node no longer holds the center's lease: the write was refused.
    LeaseLost,
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Sql(e) => write!(f, "database: {e}"),
            StoreError::Json(e) => write!(f, "stored state: {e}"),
            StoreError::Io(e) => write!(f, "database folder: {e}"),
            StoreError::NewerFormat { found, supported } => write!(
                f,
                "the database has storage format {found}, newer than format {supported} of this ringside-server; run a release that reads format {found}"
            ),
            StoreError::Corrupt(what) => write!(f, "damaged database: {what}"),
            StoreError::Postgres(e) => match e.as_db_error() {
                Some(db) => write!(f, "cluster engine: {db}"),
                None => write!(f, "cluster engine: {e}"),
            },
            StoreError::LeaseLost => write!(f, "this node no longer holds the center's lease"),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Sql(e)
    }
}

impl From<::postgres::Error> for StoreError {
    fn from(e: ::postgres::Error) -> Self {
        StoreError::Postgres(e)
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Json(e)
    }
}

/// One logged input: its place in the log, the time it was applied at, the
/// input, and the events it caused (kept for resume, SPEC N2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Position in the log: 1, 2, 3... without gaps.
    #[serde(skip)]
    pub pos: u64,
    /// The server time the input was applied at.
    pub at: ServerTime,
    /// The input.
    pub input: Input,
    /// The events it caused, in order.
    pub events: Vec<Event>,
}

impl Record {
    /// The record stored at `pos` as the JSON document `body`.
    pub fn decode(pos: i64, body: &str) -> Result<Record, StoreError> {
        let mut record: Record = serde_json::from_str(body)?;
        record.pos = pos as u64;
        Ok(record)
    }
}

/// A snapshot of the center after the record at `pos`.
#[derive(Debug, Deserialize)]
pub struct Snapshot {
    /// The last record it includes (0: none).
    #[serde(skip)]
    pub pos: u64,
    /// The next session id to hand out.
    pub next_session: u64,
    /// The center.
    pub center: Center,
}

/// An encoded snapshot, ready to be written.
#[derive(Debug, Clone)]
pub struct EncodedSnapshot {
    /// The last record it includes.
    pub pos: u64,
    /// The document.
    pub body: String,
}

impl Snapshot {
    /// Encodes a snapshot of `center` after record `pos` (done off the owner
    /// thread, on a copy).
    pub fn encode(pos: u64, next_session: u64, center: &Center) -> Result<EncodedSnapshot, StoreError> {
        #[derive(Serialize)]
        struct Borrowed<'a> {
            next_session: u64,
            center: &'a Center,
        }
        let body = serde_json::to_string(&Borrowed { next_session, center })?;
        Ok(EncodedSnapshot { pos, body })
    }
}

/// What the store holds at start: the last snapshot and every record after
/// it, oldest first. `None` for a new database.
#[derive(Debug)]
pub struct Recovered {
    /// The base.
    pub snapshot: Snapshot,
    /// The bytes of the snapshot document (the next one is due when the log
    /// has grown by a multiple of it).
    pub snapshot_bytes: u64,
    /// The records to replay on it.
    pub tail: Vec<Record>,
    /// The bytes of those records.
    pub tail_bytes: u64,
}

impl Recovered {
    /// What a store read: the snapshot document `body` after record `pos`
    /// and the records after it, as `(pos, body)` in order; a gap in them
    /// is damage.
    pub fn read(pos: u64, body: &str, tail: impl IntoIterator<Item = (i64, String)>) -> Result<Recovered, StoreError> {
        let mut snapshot: Snapshot = serde_json::from_str(body)?;
        snapshot.pos = pos;
        let mut records = Vec::new();
        let mut tail_bytes = 0u64;
        for (expected, (at, record)) in (pos as i64 + 1..).zip(tail) {
            if at != expected {
                return Err(StoreError::Corrupt(format!("log record {expected} is missing (found {at})")));
            }
            tail_bytes += record.len() as u64;
            records.push(Record::decode(at, &record)?);
        }
        Ok(Recovered { snapshot, snapshot_bytes: body.len() as u64, tail: records, tail_bytes })
    }
}

/// One durable write: records appended and maybe a snapshot, all or nothing.
#[derive(Debug, Default)]
pub struct Commit<'a> {
    /// Records to append, in position order.
    pub records: &'a [Record],
    /// A snapshot to keep; with it, records before the previous snapshot
    /// are no longer needed and are dropped.
    pub snapshot: Option<&'a EncodedSnapshot>,
    /// The calling-list changes the records' inputs caused.
    pub list_writes: &'a [ListWrite],
    /// The status changes among the records' events (SPEC S6).
    pub history: &'a [StatusRow],
}

/// What a commit wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Written {
    /// Bytes of documents appended (records and snapshot).
    pub bytes: u64,
    /// The first record position still kept (records before it were dropped).
    pub first_kept: u64,
}

/// The storage the owner uses. Every call is made from the owner thread.
pub trait Store: Send {
    /// The stored snapshot and the records after it; `None` when the store
    /// is new.
    fn recover(&mut self) -> Result<Option<Recovered>, StoreError>;

    /// Makes `commit` durable (one transaction, one sync) before returning.
    fn commit(&mut self, commit: Commit<'_>) -> Result<Written, StoreError>;

    /// The records at these positions (those still kept), in order.
    fn records(&mut self, positions: &[u64]) -> Result<Vec<Record>, StoreError>;

    /// Called on shutdown, after the last commit.
    fn close(&mut self) -> Result<(), StoreError>;

    /// The calling lists of the campaigns.
    fn lists(&mut self) -> &mut dyn CallingLists;

    /// The status history (SPEC S6).
    fn history(&mut self) -> &mut dyn StatusHistory;
}
