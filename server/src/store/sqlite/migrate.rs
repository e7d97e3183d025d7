//! Storage formats and the migrations between them.
//!
//! - Format 1 (releases up to the first, no `format_version` key): the whole
//!   center as one JSON document in `meta.center`, `meta.next_session`, a
//!   per-agent `events` table and a `sessions` table.
//! - Format 2: the input log and snapshots (`sqlite.rs`).
//! - Format 3: format 2 plus the campaigns' calling lists (`lists.rs`); a
//!   format 2 database gets the new, empty tables.
//! - Format 4: format 3 plus the status history (`history.rs`); an older
//!   database gets the new, empty table (its history starts at the upgrade).
//!
//! A migration runs in one transaction: a crash during it leaves the old
//! format, which the next start migrates again.

use super::{schema, set_version, stored_version};
use crate::store::{StoreError, FORMAT_VERSION};
use rusqlite::{params, Connection, OptionalExtension};

/// Brings the database to [`FORMAT_VERSION`]: creates a new one, migrates an
/// older one, refuses a newer one.
pub(super) fn to_current(conn: &mut Connection) -> Result<(), StoreError> {
    let tx = conn.transaction()?;
    tx.execute_batch("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);")?;
    let version = match stored_version(&tx)? {
        Some(version) => version,
        None if has_format_1_center(&tx)? => 1,
        None => FORMAT_VERSION,
    };
    if version > FORMAT_VERSION {
        return Err(StoreError::NewerFormat { found: version, supported: FORMAT_VERSION });
    }
    tx.execute_batch(&schema())?;
    if version == 1 {
        from_1_to_2(&tx)?;
        tracing::info!("migrated the database from storage format 1 to 2");
    }
    set_version(&tx)?;
    tx.commit()?;
    Ok(())
}

fn has_format_1_center(conn: &Connection) -> Result<bool, StoreError> {
    Ok(conn.query_row("SELECT 1 FROM meta WHERE key = 'center'", [], |_| Ok(())).optional()?.is_some())
}

/// Format 1 to 2: the stored center becomes snapshot 0, with its answer
/// memory reduced to acks (refusals are no longer remembered) and bounded.
/// The per-agent event log is dropped: a client resuming from before the
/// upgrade gets a snapshot, which is always correct (SPEC N2).
fn from_1_to_2(conn: &Connection) -> Result<(), StoreError> {
    let center: String = conn.query_row("SELECT value FROM meta WHERE key = 'center'", [], |r| r.get(0))?;
    let next_session: Option<String> = conn.query_row("SELECT value FROM meta WHERE key = 'next_session'", [], |r| r.get(0)).optional()?;
    let next_session: u64 = next_session.and_then(|n| n.parse().ok()).unwrap_or(1);
    let mut center: serde_json::Value = serde_json::from_str(&center)?;
    let replies = center.get_mut("replies").and_then(|r| r.as_object_mut()).ok_or_else(|| StoreError::Corrupt("format 1 center has no replies".into()))?;
    for answers in replies.values_mut() {
        let acks: Vec<serde_json::Value> = answers
            .as_array()
            .map(|all| {
                all.iter()
                    .filter_map(|pair| Some(serde_json::json!([pair.get(0)?, pair.get(1)?.get("Ok")?])))
                    .collect()
            })
            .unwrap_or_default();
        let keep = acks.len().saturating_sub(ringside::center::REMEMBERED_ACKS);
        *answers = serde_json::Value::Array(acks[keep..].to_vec());
    }
    let snapshot = serde_json::json!({ "next_session": next_session, "center": center });
    // Check that this build reads what the migration wrote before keeping it.
    serde_json::from_value::<crate::store::Snapshot>(snapshot.clone())?;
    conn.execute("INSERT OR REPLACE INTO snapshots (pos, body) VALUES (0, ?1)", params![snapshot.to_string()])?;
    conn.execute_batch(
        "DELETE FROM meta WHERE key IN ('center', 'next_session');
         DROP TABLE IF EXISTS events;
         DROP TABLE IF EXISTS sessions;",
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Commit, HistoryCursor, SqliteStore, StatusHistory, StatusRow, Store};
    use ringside::model::{ServerTime, StatusId, UserId};

    // SPEC S10: a format 3 database (calling lists, no history) opens as
    // format 4 with an empty history that takes changes from then on.
    #[test]
    fn a_format_3_database_gets_an_empty_status_history() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("f3.db");
        drop(SqliteStore::open(&path).expect("create"));
        let conn = Connection::open(&path).expect("open");
        conn.execute_batch("DROP TABLE status_history; UPDATE meta SET value = '3' WHERE key = 'format_version';").expect("make it format 3");
        drop(conn);

        let mut store = SqliteStore::open(&path).expect("migrates");
        assert_eq!(stored_version(&store.conn).expect("version"), Some(FORMAT_VERSION));
        let ana = [UserId::from("ana")];
        let page = store.status_page(&ana, ServerTime(0), ServerTime(1_000), HistoryCursor::default(), 10).expect("read");
        assert!(page.rows.is_empty(), "the history starts at the upgrade");
        let row = StatusRow { user: UserId::from("ana"), at: ServerTime(5), status: StatusId::from("idle"), secondary: None, automatic: false };
        store.commit(Commit { history: std::slice::from_ref(&row), ..Commit::default() }).expect("commit");
        let page = store.status_page(&ana, ServerTime(0), ServerTime(1_000), HistoryCursor::default(), 10).expect("read");
        assert_eq!(page.rows, [row]);
    }
}
