//! Fair shares of the centers: every node says it is alive in the engine's
//! `public.ringside_nodes` table, counts the nodes alive, and owns at most
//! `ceil(centers / nodes)` of the centers. A node that owns more than that,
//! because another joined, hands a center over (a graceful end of its term:
//! the lease released, a standby takes it at its next try); so N nodes run
//! M centers with no node owning them all.

use postgres::Client;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// The nodes table: one row per node, the engine's time it was last seen.
pub const NODES_SCHEMA: &str = "CREATE TABLE IF NOT EXISTS public.ringside_nodes (node TEXT PRIMARY KEY, seen_at TIMESTAMPTZ NOT NULL)";

/// Rows of nodes not seen for this long are deleted: node names change
/// with each process (`node-<pid>`), the table must not grow with them.
const FORGET_AFTER_SECS: f64 = 3600.0;

/// This node's count of owned centers against its fair share.
#[derive(Debug)]
pub struct Share {
    centers: usize,
    owned: Mutex<usize>,
    live: AtomicUsize,
}

impl Share {
    /// A node serving `centers` centers, owning none yet.
    pub fn new(centers: usize) -> Share {
        Share { centers, owned: Mutex::new(0), live: AtomicUsize::new(0) }
    }

    /// The most centers this node should own: all of them until it has
    /// counted the live nodes.
    pub fn fair(&self) -> usize {
        self.centers.div_ceil(self.live.load(Ordering::Relaxed).max(1))
    }

    /// Nodes seen alive at the last heartbeat (0 before the first).
    pub fn live(&self) -> usize {
        self.live.load(Ordering::Relaxed)
    }

    /// Centers this node owns.
    pub fn owned(&self) -> usize {
        self.owned.lock().map_or(0, |owned| *owned)
    }

    /// Runs `take` (an attempt at a lease) when this node owns fewer than
    /// its share, or when `overdue` (the center has had no owner for too
    /// long: someone must take it); counts the center when taken. One
    /// attempt at a time, so two centers cannot both slip under the share.
    pub fn try_take<T, E>(&self, overdue: bool, take: impl FnOnce() -> Result<Option<T>, E>) -> Result<Option<T>, E> {
        let Ok(mut owned) = self.owned.lock() else { return Ok(None) };
        if *owned >= self.fair() && !overdue {
            return Ok(None);
        }
        let taken = take()?;
        if taken.is_some() {
            *owned += 1;
        }
        Ok(taken)
    }

    /// Whether to hand one center over now (this node owns more than its
    /// share); counted as given up at once, so only one center goes at a
    /// time.
    pub fn hand_over(&self) -> bool {
        let Ok(mut owned) = self.owned.lock() else { return false };
        if *owned > self.fair() {
            *owned -= 1;
            return true;
        }
        false
    }

    /// A center was lost (its lease expired or was taken).
    pub fn lost(&self) {
        if let Ok(mut owned) = self.owned.lock() {
            *owned = owned.saturating_sub(1);
        }
    }

    /// Says this node (`node`) is alive every `every`, counting the nodes
    /// seen within `alive_ms`, until `stop`; then deletes its row, so the
    /// others count it out at once. The engine being down is waited out.
    /// Blocking: run it on a thread of its own.
    pub fn beat(&self, connect: &postgres::Config, node: &str, every: Duration, alive_ms: u64, stop: &CancellationToken) {
        let mut client: Option<Client> = None;
        while !stop.is_cancelled() {
            if client.as_ref().is_none_or(Client::is_closed) {
                client = match connect.connect(postgres::NoTls) {
                    Ok(mut c) => {
                        if let Err(e) = c.batch_execute(NODES_SCHEMA) {
                            tracing::warn!(error = %e, "cannot create the nodes table");
                        }
                        Some(c)
                    }
                    // The standby loop warns about an unreachable engine.
                    Err(_) => None,
                };
            }
            if let Some(c) = client.as_mut() {
                match heartbeat(c, node, alive_ms) {
                    Ok(live) => self.live.store(live, Ordering::Relaxed),
                    Err(e) => tracing::debug!(error = %e, "heartbeat failed; retrying"),
                }
            }
            std::thread::sleep(every);
        }
        if let Some(c) = client.as_mut() {
            let _ = c.execute("DELETE FROM public.ringside_nodes WHERE node = $1", &[&node]);
        }
    }
}

/// Marks `node` seen now, forgets long-gone nodes; the count of nodes seen
/// within `alive_ms`, by the engine's clock.
fn heartbeat(client: &mut Client, node: &str, alive_ms: u64) -> Result<usize, postgres::Error> {
    let mut tx = client.transaction()?;
    tx.execute(
        "INSERT INTO public.ringside_nodes (node, seen_at) VALUES ($1, clock_timestamp()) ON CONFLICT (node) DO UPDATE SET seen_at = EXCLUDED.seen_at",
        &[&node],
    )?;
    tx.execute("DELETE FROM public.ringside_nodes WHERE seen_at < clock_timestamp() - make_interval(secs => $1)", &[&FORGET_AFTER_SECS])?;
    let alive = alive_ms as f64 / 1000.0;
    let row = tx.query_one("SELECT count(*) FROM public.ringside_nodes WHERE seen_at > clock_timestamp() - make_interval(secs => $1)", &[&alive])?;
    tx.commit()?;
    Ok(usize::try_from(row.get::<_, i64>(0)).unwrap_or(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn share(centers: usize, live: usize, owned: usize) -> Share {
        let share = Share::new(centers);
        share.live.store(live, Ordering::Relaxed);
        *share.owned.lock().expect("lock") = owned;
        share
    }

    fn taken(share: &Share, overdue: bool) -> bool {
        share.try_take(overdue, || Ok::<_, ()>(Some(()))).expect("no error").is_some()
    }

    #[test]
    fn a_node_alone_takes_every_center_and_two_nodes_split_them() {
        let alone = share(3, 1, 2);
        assert!(taken(&alone, false), "alone, the third center too");
        assert_eq!(alone.owned(), 3);
        let unknown = share(3, 0, 2);
        assert!(taken(&unknown, false), "before the first heartbeat, as if alone");
        let pair = share(3, 2, 2);
        assert_eq!(pair.fair(), 2);
        assert!(!taken(&pair, false), "two of three is this node's share");
        assert!(taken(&pair, true), "an overdue center is taken anyway");
    }

    #[test]
    fn a_node_over_its_share_hands_one_center_over_at_a_time() {
        let over = share(4, 2, 4);
        assert!(over.hand_over());
        assert!(over.hand_over());
        assert!(!over.hand_over(), "two of four is the share");
        assert_eq!(over.owned(), 2);
        over.lost();
        assert_eq!(over.owned(), 1);
        assert!(taken(&over, false), "under the share again");
    }
}
