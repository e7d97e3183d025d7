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
    /// The epoch of the lease this node holds, or held last (cluster mode).
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
        render_families(&[(None, self)])
    }

    /// Cluster mode: the counters of every center this node serves, each
    /// family once with one sample per center, labelled `center="NAME"`.
    pub fn render_centers(centers: &[(&str, &Metrics)]) -> String {
        let labelled: Vec<(Option<&str>, &Metrics)> = centers.iter().map(|(center, metrics)| (Some(*center), *metrics)).collect();
        render_families(&labelled)
    }
}

/// A metric family: name, Prometheus type, help, and how to read it.
type Family = (&'static str, &'static str, &'static str, fn(&Metrics) -> u64);

fn read(counter: &AtomicU64) -> u64 {
    counter.load(Ordering::Relaxed)
}

const FAMILIES: [Family; 15] = [
    ("ringside_inputs_total", "counter", "Inputs handled by the center's owner.", |m| read(&m.inputs)),
    ("ringside_store_records_total", "counter", "Log records written (inputs that changed the center).", |m| read(&m.records)),
    ("ringside_store_commits_total", "counter", "Store commits, one transaction and one sync each.", |m| read(&m.commits)),
    ("ringside_store_bytes_total", "counter", "Bytes of records and snapshots written to the store.", |m| read(&m.store_bytes)),
    ("ringside_store_snapshots_total", "counter", "Snapshots of the center written.", |m| read(&m.snapshots)),
    ("ringside_busy_total", "counter", "Inputs refused with busy: the owner's queue was full.", |m| read(&m.busy)),
    ("ringside_input_queue", "gauge", "Inputs waiting for the center's owner: how far the log lags behind the sockets.", |m| read(&m.queued)),
    ("ringside_sessions", "gauge", "Open sessions registered for events.", |m| read(&m.sessions)),
    ("ringside_roster_subscribers", "gauge", "Sessions following the presence roster.", |m| read(&m.roster_subscribers)),
    ("ringside_presence_messages_total", "counter", "Presence changes sent, one per receiving session.", |m| read(&m.presence_messages)),
    ("ringside_lease_held", "gauge", "Whether this node holds the center's lease (cluster mode).", |m| u64::from(m.lease_held.load(Ordering::Relaxed))),
    ("ringside_lease_epoch", "gauge", "The epoch of the lease this node holds, or held last (cluster mode; 0: never held).", |m| read(&m.lease_epoch)),
    ("ringside_lease_renewals_total", "counter", "Lease renewals that succeeded (cluster mode).", |m| read(&m.lease_renewals)),
    ("ringside_relayed_sessions", "gauge", "Sockets this node relays to the owner (cluster mode, as a gateway).", |m| read(&m.relayed)),
    ("ringside_up", "gauge", "Whether the owner runs and the store commits.", |m| u64::from(m.healthy().is_ok())),
];

/// Every family once, with a sample per set of counters (labelled by
/// center when it has one).
fn render_families(sets: &[(Option<&str>, &Metrics)]) -> String {
    let mut text = String::new();
    for (name, kind, help, value) in FAMILIES {
        let _ = writeln!(text, "# HELP {name} {help}\n# TYPE {name} {kind}");
        for (center, metrics) in sets {
            match center {
                Some(center) => writeln!(text, "{name}{{center=\"{center}\"}} {}", value(metrics)),
                None => writeln!(text, "{name} {}", value(metrics)),
            }
            .unwrap_or_default();
        }
    }
    text
}
