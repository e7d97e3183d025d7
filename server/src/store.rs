//! Persistence (SPEC S10): the center's whole state as one JSON row, the
//! events of each input in a bounded per-agent log (for resume, SPEC N2),
//! and the sessions the center believes are open, all written in one SQLite
//! transaction per input, before anything is sent to a client.

use ringside::center::Center;
use ringside::model::state::Event;
use ringside::model::{Seq, SessionId, UserId};
use rusqlite::{params, Connection, OptionalExtension};
use std::path::Path;

/// A store error: SQLite, or state that does not (de)serialise.
#[derive(Debug)]
pub enum StoreError {
    /// SQLite refused.
    Sql(rusqlite::Error),
    /// The stored state is not valid JSON for this version.
    Json(serde_json::Error),
    /// The database folder could not be created.
    Io(std::io::Error),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Sql(e) => write!(f, "database: {e}"),
            StoreError::Json(e) => write!(f, "stored state: {e}"),
            StoreError::Io(e) => write!(f, "database folder: {e}"),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Sql(e)
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Json(e)
    }
}

/// A change to the table of open sessions, committed with the input that
/// caused it.
#[derive(Debug, Clone)]
pub enum SessionChange {
    /// The center now counts this session as connected.
    Opened(SessionId, UserId),
    /// The center no longer does.
    Closed(SessionId),
}

/// What was stored by the previous run.
#[derive(Debug)]
pub struct Loaded {
    /// The center as of the last committed input.
    pub center: Center,
    /// Sessions that were open when the previous run stopped; their sockets
    /// are gone, so the caller disconnects them.
    pub open_sessions: Vec<SessionId>,
    /// The next session id to hand out.
    pub next_session: u64,
}

/// The SQLite database.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    keep_per_agent: u32,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    agent TEXT NOT NULL,
    seq INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (agent, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sessions (id INTEGER PRIMARY KEY, user TEXT NOT NULL);
";

impl Store {
    /// Opens (creating if missing) the database in WAL mode.
    pub fn open(path: &Path, keep_per_agent: u32) -> Result<Store, StoreError> {
        if let Some(dir) = path.parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(StoreError::Io)?;
            }
        }
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_millis(500))?;
        // One server per database: a second one on the same file would
        // fork the state. The exclusive lock is held until this closes.
        conn.pragma_update(None, "locking_mode", "EXCLUSIVE")?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // FULL: a commit is on disk before the ack that follows it is sent.
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.execute_batch(SCHEMA)?;
        // Take the lock now rather than at the first commit.
        conn.execute_batch("BEGIN IMMEDIATE; COMMIT;")?;
        Ok(Store { conn, keep_per_agent: keep_per_agent.max(1) })
    }

    /// The state of the previous run, if there was one.
    pub fn load(&self) -> Result<Option<Loaded>, StoreError> {
        let center: Option<String> =
            self.conn.query_row("SELECT value FROM meta WHERE key = 'center'", [], |r| r.get(0)).optional()?;
        let Some(center) = center else { return Ok(None) };
        let center: Center = serde_json::from_str(&center)?;
        let next_session = self.next_session()?;
        let mut stmt = self.conn.prepare("SELECT id FROM sessions ORDER BY id")?;
        let open_sessions = stmt
            .query_map([], |r| r.get::<_, i64>(0))?
            .collect::<Result<Vec<i64>, _>>()?
            .into_iter()
            .map(|id| SessionId(id as u64))
            .collect();
        Ok(Some(Loaded { center, open_sessions, next_session }))
    }

    fn next_session(&self) -> Result<u64, StoreError> {
        let stored: Option<String> =
            self.conn.query_row("SELECT value FROM meta WHERE key = 'next_session'", [], |r| r.get(0)).optional()?;
        Ok(stored.and_then(|s| s.parse().ok()).unwrap_or(1))
    }

    /// Commits one input: the center's whole state, its events and the
    /// session changes, atomically. The caller drains the center's events
    /// first (they are not part of its serialised state).
    pub fn commit(&mut self, center: &Center, events: &[Event], sessions: &[SessionChange], next_session: u64) -> Result<(), StoreError> {
        let state = serde_json::to_string(center)?;
        let tx = self.conn.transaction()?;
        tx.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('center', ?1)", params![state])?;
        tx.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('next_session', ?1)", params![next_session.to_string()])?;
        {
            let mut insert = tx.prepare_cached("INSERT OR REPLACE INTO events (agent, seq, body) VALUES (?1, ?2, ?3)")?;
            let mut trim = tx.prepare_cached("DELETE FROM events WHERE agent = ?1 AND seq <= ?2")?;
            for event in events {
                insert.execute(params![event.agent.as_str(), event.seq.0 as i64, serde_json::to_string(event)?])?;
            }
            let mut last: std::collections::BTreeMap<&str, u64> = std::collections::BTreeMap::new();
            for event in events {
                let entry = last.entry(event.agent.as_str()).or_default();
                *entry = (*entry).max(event.seq.0);
            }
            for (agent, seq) in last {
                let floor = seq.saturating_sub(u64::from(self.keep_per_agent));
                if floor > 0 {
                    trim.execute(params![agent, floor as i64])?;
                }
            }
            for change in sessions {
                match change {
                    SessionChange::Opened(id, user) => {
                        tx.execute("INSERT OR REPLACE INTO sessions (id, user) VALUES (?1, ?2)", params![id.0 as i64, user.as_str()])?;
                    }
                    SessionChange::Closed(id) => {
                        tx.execute("DELETE FROM sessions WHERE id = ?1", params![id.0 as i64])?;
                    }
                }
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The events of `user` after `after`, oldest first, if the log still
    /// holds every one of them up to `last`; `None` when some were trimmed.
    pub fn events_after(&self, user: &UserId, after: Seq, last: Seq) -> Result<Option<Vec<Event>>, StoreError> {
        let mut stmt = self.conn.prepare_cached("SELECT body FROM events WHERE agent = ?1 AND seq > ?2 AND seq <= ?3 ORDER BY seq")?;
        let bodies = stmt
            .query_map(params![user.as_str(), after.0 as i64, last.0 as i64], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<String>, _>>()?;
        let mut events = Vec::with_capacity(bodies.len());
        for body in bodies {
            events.push(serde_json::from_str::<Event>(&body)?);
        }
        let complete = events.len() as u64 == last.0.saturating_sub(after.0)
            && events.iter().zip(after.0 + 1..).all(|(e, expected)| e.seq.0 == expected);
        Ok(complete.then_some(events))
    }

    /// Moves the write-ahead log into the main file (on shutdown).
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        self.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ringside::model::profile::Preset;
    use ringside::model::{Actor, CommandId, Profile, QueueId, Role, ServerTime};
    use ringside::model::state::CommandKind;

    fn drain(center: &mut Center) -> Vec<Event> {
        std::iter::from_fn(|| center.poll_event()).collect()
    }

    #[test]
    fn the_center_and_its_events_survive_a_reopen_and_the_log_is_bounded() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("sub/ringside.db");
        let mut store = Store::open(&path, 2).expect("open");
        assert!(store.load().expect("load").is_none());
        let mut center = Center::new(Profile::preset(Preset::ContactCenter), [QueueId::from("support")]);
        let ana = Actor { user: UserId::from("ana"), role: Role::Agent };
        center.connect(ServerTime(1), SessionId(7), &ana.user);
        center.command(ServerTime(2), &ana, CommandId::from("c1"), CommandKind::Login).expect("login");
        let events = drain(&mut center);
        assert!(events.len() >= 3);
        store.commit(&center, &events, &[SessionChange::Opened(SessionId(7), ana.user.clone())], 8).expect("commit");
        drop(store);

        let store = Store::open(&path, 2).expect("reopen");
        let loaded = store.load().expect("load").expect("stored");
        assert_eq!(loaded.open_sessions, vec![SessionId(7)]);
        assert_eq!(loaded.next_session, 8);
        let last = loaded.center.last_seq(&ana.user);
        assert_eq!(last, events.last().expect("some").seq);
        let kept = store.events_after(&ana.user, Seq(last.0 - 2), last).expect("query").expect("kept");
        assert_eq!(kept.len(), 2);
        assert!(store.events_after(&ana.user, Seq(0), last).expect("query").is_none(), "trimmed events are gone");
        assert_eq!(store.events_after(&ana.user, last, last).expect("query"), Some(vec![]));
    }
}
