//! Many server nodes on one engine (PostgreSQL), serving many centers: the
//! node that holds a center's lease owns it, the others serve as its
//! gateways, stand by and take over when the lease expires; the centers
//! spread over the nodes by fair shares. A center's log, snapshots, calling
//! lists and status history live in the engine (`store::PgStore`), so a new
//! owner recovers exactly what the old one acknowledged.

pub mod centers;
pub mod gateway;
pub mod lease;
pub mod link;
pub mod node;
pub mod share;

use crate::metrics::Metrics;
use crate::store::StoreError;
use lease::{Fence, LeaseKeeper};
use share::Share;
use serde::Deserialize;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// `[cluster]` in the configuration: the engine and this node's place in it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClusterSettings {
    /// The engine, a PostgreSQL URL (`postgresql://user@host:port/db`).
    pub url: String,
    /// This node's name in the leases; unique per running node.
    pub node: String,
    /// The centers this node serves (the same list on every node): each
    /// 1 to 40 lowercase letters, digits and `_`. The first is the node's
    /// home center: requests that name none go to it.
    pub centers: Vec<String>,
    /// How long a lease lasts without renewal: how late a take-over can be
    /// after an owner dies.
    pub lease_ms: u64,
    /// `host:port` where the other nodes reach this one; default: the
    /// address it listens on (set it when that is `0.0.0.0`).
    pub advertise: Option<String>,
}

impl Default for ClusterSettings {
    fn default() -> Self {
        ClusterSettings { url: String::new(), node: format!("node-{}", std::process::id()), centers: vec![crate::auth::DEFAULT_CENTER.into()], lease_ms: 5_000, advertise: None }
    }
}

/// The shortest lease: renewals go every third of it.
pub const MIN_LEASE_MS: u64 = 300;
/// The most centers one node serves: each holds a thread, a lease keeper
/// and engine connections while owned.
pub const MAX_CENTERS: usize = 64;

impl ClusterSettings {
    /// Why these settings cannot run, if they cannot.
    pub fn problem(&self) -> Option<String> {
        // An empty URL parses (every part defaulted) and then never connects.
        if self.url.trim().is_empty() {
            return Some("cluster.url is required: the PostgreSQL engine's URL".into());
        }
        if let Err(e) = self.connect_config() {
            return Some(format!("cluster.url: {e}"));
        }
        if self.centers.is_empty() || self.centers.len() > MAX_CENTERS {
            return Some(format!("cluster.centers: 1 to {MAX_CENTERS} centers"));
        }
        let name_ok = |c: &String| !c.is_empty() && c.len() <= 40 && c.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if let Some(bad) = self.centers.iter().find(|c| !name_ok(c)) {
            return Some(format!("cluster.centers: {:?} is not 1 to 40 lowercase letters, digits or _", ringside::protocol::limits::echo(bad)));
        }
        if let Some((i, twice)) = self.centers.iter().enumerate().find(|(i, c)| self.centers[..*i].contains(c)) {
            return Some(format!("cluster.centers: {twice} is listed twice (at {i})"));
        }
        if self.node.trim().is_empty() {
            return Some("cluster.node must not be empty".into());
        }
        if self.lease_ms < MIN_LEASE_MS {
            return Some(format!("cluster.lease_ms must be at least {MIN_LEASE_MS}"));
        }
        None
    }

    /// The engine's connection settings, with a connect timeout of a third
    /// of the lease unless the URL sets one.
    pub fn connect_config(&self) -> Result<postgres::Config, postgres::Error> {
        let mut config: postgres::Config = self.url.parse()?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_millis(self.lease_ms / 3));
        }
        config.application_name(&format!("ringside {}", self.node));
        // CREATE ... IF NOT EXISTS on every connection would log a notice each time.
        config.options("-c client_min_messages=warning");
        Ok(config)
    }

    /// The home center: the first listed.
    pub fn home(&self) -> &str {
        self.centers.first().map_or(crate::auth::DEFAULT_CENTER, String::as_str)
    }
}

/// The PostgreSQL schema holding `center`'s tables.
pub fn schema(center: &str) -> String {
    format!("ringside_{center}")
}

/// How often a standby asks for the lease and where the owner is, at most:
/// it bounds both the take-over's delay past the lease and how long a
/// gateway relays to an owner that is gone (two small queries per try).
pub const STANDBY_RETRY_MS: u64 = 200;
/// Waits (standing by) until this node, serving at `address`, holds
/// `center`'s lease, trying every quarter of the lease time (at most
/// [`STANDBY_RETRY_MS`]) while it owns less than its `share` of the centers
/// (or the center has had no owner for two leases); the engine being down
/// is waited out. Meanwhile `owner` learns where the current owner serves
/// (for the gateway), and `stop` ends the wait (`None`). Blocking: run it
/// off the async runtime.
pub fn wait_for_lease(settings: &ClusterSettings, center: &str, address: &str, owner: &OwnerAddress, share: &Share, stop: &CancellationToken) -> Result<Option<(Fence, Instant)>, StoreError> {
    let connect = settings.connect_config().map_err(StoreError::Postgres)?;
    // A standby asks often: a released lease (graceful stop) passes at once.
    let pause = Duration::from_millis((settings.lease_ms / 4).min(STANDBY_RETRY_MS));
    let overdue_after = Duration::from_millis(settings.lease_ms.saturating_mul(2));
    let mut client: Option<postgres::Client> = None;
    let mut announced = false;
    let mut unowned_since: Option<Instant> = None;
    while !stop.is_cancelled() {
        if client.as_ref().is_none_or(|c| c.is_closed()) {
            client = match connect.connect(postgres::NoTls) {
                Ok(mut c) => c.batch_execute(lease::LEASES_SCHEMA).map(|_| c).map_err(|e| tracing::warn!(error = %e, "cannot create the leases table")).ok(),
                Err(e) => {
                    tracing::warn!(error = %e, "cannot reach the cluster engine; retrying");
                    owner.set(None);
                    None
                }
            };
        }
        if let Some(c) = client.as_mut() {
            let asked = Instant::now();
            let overdue = unowned_since.is_some_and(|since| since.elapsed() >= overdue_after);
            match share.try_take(overdue, || lease::try_acquire(c, center, &settings.node, address, settings.lease_ms)) {
                Ok(Some(fence)) => {
                    // The lease counts from when it was asked for: an answer
                    // that took long (an engine frozen meanwhile) leaves
                    // little of it, maybe none, though the engine wrote a
                    // whole lease. Renewed at once, it counts from then.
                    let Some(taken) = fresh_lease(c, &fence, asked, settings.lease_ms) else {
                        tracing::warn!(center = %fence.center, epoch = fence.epoch, "took the lease but could not renew it in time; giving it back");
                        let _ = lease::release(c, &fence);
                        continue;
                    };
                    tracing::info!(center = %fence.center, node = %fence.holder, epoch = fence.epoch, "took the lease: this node owns the center");
                    owner.set(None);
                    return Ok(Some((fence, taken)));
                }
                Ok(None) => {
                    // This node's own address is a lease it lost and that
                    // has not run out yet: no owner to forward to (forwarding
                    // to itself would loop until no file descriptor is left).
                    let known = lease::owner_address(c, center).ok().flatten().filter(|known| known != address);
                    if known.is_some() && !announced {
                        tracing::info!(%center, "another node owns the center; standing by as a gateway to it");
                        announced = true;
                    }
                    unowned_since = if known.is_some() { None } else { unowned_since.or(Some(asked)) };
                    owner.set(known);
                }
                Err(e) => tracing::warn!(error = %e, "cannot take the lease; retrying"),
            }
        }
        std::thread::sleep(pause);
    }
    Ok(None)
}

/// When the lease just taken at `asked` counts from: `asked` if the answer
/// came within a quarter of the lease, else the start of a renewal that
/// did (tried a few times); `None` if none did.
fn fresh_lease(client: &mut postgres::Client, fence: &Fence, asked: Instant, lease_ms: u64) -> Option<Instant> {
    let quick = Duration::from_millis(lease_ms / 4);
    if asked.elapsed() < quick {
        return Some(asked);
    }
    for _ in 0..3 {
        let renewing = Instant::now();
        match lease::renew(client, fence) {
            Ok(true) if renewing.elapsed() < quick => return Some(renewing),
            Ok(true) => continue,
            Ok(false) | Err(_) => return None,
        }
    }
    None
}

/// Where the node that owns the center serves, as a standby last saw it.
#[derive(Debug, Clone)]
pub struct OwnerAddress(Arc<tokio::sync::watch::Sender<Option<String>>>);

impl Default for OwnerAddress {
    fn default() -> Self {
        OwnerAddress(Arc::new(tokio::sync::watch::Sender::new(None)))
    }
}

impl OwnerAddress {
    /// The owner's address, if one is known.
    pub fn get(&self) -> Option<String> {
        self.0.borrow().clone()
    }

    /// The owner's address, waiting up to `within` for one to be known
    /// (a take-over or a hand-over in progress).
    pub async fn wait(&self, within: Duration) -> Option<String> {
        let mut known = self.0.subscribe();
        // Known or not after the wait, the current value is the answer.
        let _ = tokio::time::timeout(within, known.wait_for(Option::is_some)).await;
        self.get()
    }

    /// Each change of the owner's address, from now on.
    pub fn changes(&self) -> tokio::sync::watch::Receiver<Option<String>> {
        self.0.subscribe()
    }

    fn set(&self, address: Option<String>) {
        self.0.send_if_modified(|current| {
            let changed = *current != address;
            *current = address;
            changed
        });
    }
}

/// Starts keeping the lease just taken.
pub fn keep(settings: &ClusterSettings, fence: Fence, taken: Instant, metrics: Arc<Metrics>) -> Result<LeaseKeeper, StoreError> {
    let connect = settings.connect_config().map_err(StoreError::Postgres)?;
    LeaseKeeper::start(connect, fence, taken, metrics).map_err(StoreError::Io)
}

/// Gives the lease up on a graceful stop (best effort: it expires anyway).
pub fn release(settings: &ClusterSettings, fence: &Fence) {
    let released = settings.connect_config().and_then(|c| c.connect(postgres::NoTls)).and_then(|mut c| lease::release(&mut c, fence));
    match released {
        Ok(()) => tracing::info!(center = %fence.center, "released the lease"),
        Err(e) => tracing::warn!(error = %e, "cannot release the lease; it expires on its own"),
    }
}
