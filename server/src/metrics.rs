//! Counters the owner and the sockets keep, served as Prometheus text on
//! `GET /metrics`, and the health `GET /healthz` reports.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Shared counters; every field is updated with relaxed atomics.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Inputs the owner handled (commands, hellos, disconnects, simulator
    /// requests, timer firings).
    pub inputs: AtomicU64,
    /// Log records written (inputs that changed the center).
    pub records: AtomicU64,
    /// Store commits (one transaction and one sync each).
    pub commits: AtomicU64,
    /// Bytes of documents written to the store (records and snapshots).
    pub store_bytes: AtomicU64,
    /// Snapshots written.
    pub snapshots: AtomicU64,
    /// Inputs refused with `busy` because the owner's queue was full.
    pub busy: AtomicU64,
    /// Inputs queued for the owner and not yet taken: how far the center
    /// and its log lag behind the sockets.
    pub queued: AtomicU64,
    /// Sessions registered for fan-out.
    pub sessions: AtomicU64,
    /// Sessions following the presence roster.
    pub roster_subscribers: AtomicU64,
    /// Presence changes sent to roster subscribers (one per receiving session).
    pub presence_messages: AtomicU64,
    /// Whether the owner thread is running.
    pub owner_running: AtomicBool,
    /// Whether the last commit succeeded.
    pub store_ok: AtomicBool,
    /// Whether this node holds the center's lease (cluster mode).
    pub lease_held: AtomicBool,
    /// The epoch of the lease this node took (cluster mode).
    pub lease_epoch: AtomicU64,
    /// Lease renewals that succeeded (cluster mode).
    pub lease_renewals: AtomicU64,
    /// Sockets this node relays to the owner (cluster mode, as a gateway).
    pub relayed: AtomicU64,
}

impl Metrics {
    /// Adds `n` to a counter.
    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    /// Healthy: the owner runs and the store commits.
    pub fn healthy(&self) -> Result<(), &'static str> {
        if !self.owner_running.load(Ordering::Relaxed) {
            return Err("the center's owner has stopped");
        }
        if !self.store_ok.load(Ordering::Relaxed) {
            return Err("the store cannot commit");
        }
        Ok(())
    }

    /// The Prometheus text exposition of every counter.
    pub fn render(&self) -> String {
        let counters = [
            ("ringside_inputs_total", "counter", "Inputs handled by the center's owner.", &self.inputs),
            ("ringside_store_records_total", "counter", "Log records written (inputs that changed the center).", &self.records),
            ("ringside_store_commits_total", "counter", "Store commits, one transaction and one sync each.", &self.commits),
            ("ringside_store_bytes_total", "counter", "Bytes of records and snapshots written to the store.", &self.store_bytes),
            ("ringside_store_snapshots_total", "counter", "Snapshots of the center written.", &self.snapshots),
            ("ringside_busy_total", "counter", "Inputs refused with busy: the owner's queue was full.", &self.busy),
            ("ringside_input_queue", "gauge", "Inputs waiting for the center's owner: how far the log lags behind the sockets.", &self.queued),
            ("ringside_sessions", "gauge", "Open sessions registered for events.", &self.sessions),
            ("ringside_roster_subscribers", "gauge", "Sessions following the presence roster.", &self.roster_subscribers),
            ("ringside_presence_messages_total", "counter", "Presence changes sent, one per receiving session.", &self.presence_messages),
        ];
        let mut text = String::new();
        for (name, kind, help, value) in counters {
            let _ = writeln!(text, "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {}", value.load(Ordering::Relaxed));
        }
        let lease = [
            ("ringside_lease_held", "gauge", "Whether this node holds the center's lease (cluster mode).", u64::from(self.lease_held.load(Ordering::Relaxed))),
            ("ringside_lease_epoch", "gauge", "The epoch of the lease this node took (cluster mode; 0: none).", self.lease_epoch.load(Ordering::Relaxed)),
            ("ringside_lease_renewals_total", "counter", "Lease renewals that succeeded (cluster mode).", self.lease_renewals.load(Ordering::Relaxed)),
            ("ringside_relayed_sessions", "gauge", "Sockets this node relays to the owner (cluster mode, as a gateway).", self.relayed.load(Ordering::Relaxed)),
        ];
        for (name, kind, help, value) in lease {
            let _ = writeln!(text, "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}");
        }
        let healthy = u8::from(self.healthy().is_ok());
        let _ = writeln!(text, "# HELP ringside_up Whether the owner runs and the store commits.\n# TYPE ringside_up gauge\nringside_up {healthy}");
        text
    }
}
