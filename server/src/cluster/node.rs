//! A node in cluster mode: for each center it serves, it serves at once as
//! a gateway to whichever node owns the center, stands by for the center's
//! lease while it owns less than its fair share of the centers
//! ([`super::share`]), and when it takes the lease recovers the center from
//! the engine and serves it itself (the center's routes switch from the
//! gateway's to the owner's). A node that loses the lease (paused, or cut
//! from the engine longer than the lease), or hands the center over to a
//! node with fewer, drops its owner, serves as a gateway again and stands
//! by: no restart needed.

use super::centers::{self, Served};
use super::gateway::{self, Gateway};
use super::lease::{Fence, LeaseKeeper};
use super::share::Share;
use super::{ClusterSettings, OwnerAddress, STANDBY_RETRY_MS};
use crate::metrics::Metrics;
use crate::owner::{Owner, OwnerSender};
use crate::store::{PgStore, StoreError};
use crate::{ServeError, Shared, Stopped};
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use axum::Router;
use ringside::center::Center;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::sync::watch;
use tower::ServiceExt;

/// How often an owner checks whether it owns more than its share.
const BALANCE_EVERY: Duration = Duration::from_secs(1);

/// This node's part in the cluster.
#[derive(Debug)]
pub struct Node {
    /// `[cluster]`.
    pub settings: ClusterSettings,
    /// Where the other nodes reach this one.
    pub address: String,
}

/// The center this node took over: its owner and its lease.
#[derive(Debug)]
pub struct Held {
    owner: Owner,
    settings: ClusterSettings,
    fence: Fence,
    keeper: LeaseKeeper,
}

impl Held {
    /// Stops the owner (its last commit), then gives the lease up unless it
    /// was lost, so a standby takes over at once.
    pub(crate) async fn stop(self) -> Stopped {
        self.owner.shutdown().await;
        if !self.keeper.lost().is_cancelled() {
            drop(self.keeper);
            let (settings, fence) = (self.settings, self.fence);
            let _ = tokio::task::spawn_blocking(move || super::release(&settings, &fence)).await;
        }
        Stopped::Asked
    }
}

/// One center's routes in force: the gateway's, then the owner's.
#[derive(Clone, Debug)]
pub(super) struct Switch(Arc<RwLock<Router>>);

impl Switch {
    fn set(&self, router: Router) {
        if let Ok(mut current) = self.0.write() {
            *current = router;
        }
    }
}

/// Hands each request to the routes in force.
pub(super) async fn dispatch(State(switch): State<Switch>, request: Request) -> Response {
    let router = match switch.0.read() {
        Ok(router) => router.clone(),
        Err(_) => return axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    router.oneshot(request).await.into_response()
}

/// One center's terms of ownership on this node.
#[derive(Debug)]
pub struct CenterTerms {
    /// The center.
    pub center: String,
    /// This node's sender to the center's owner while it owns the center.
    pub ownership: watch::Receiver<Option<OwnerSender>>,
    /// Ends when the server stops, with the owner and the lease if this
    /// node holds them then.
    pub task: tokio::task::JoinHandle<Result<Option<Held>, ServeError>>,
}

/// The node's heartbeat thread, until it has ended.
#[derive(Debug)]
pub(crate) struct Heartbeat(Option<tokio::sync::oneshot::Receiver<()>>);

impl Heartbeat {
    /// Waits (a few heartbeats at most) for the thread to delete the node's
    /// row after the stop, so the other nodes count this one out at once
    /// and take its centers without waiting for the row to age out.
    pub(crate) async fn ended(self) {
        if let Some(done) = self.0 {
            let _ = tokio::time::timeout(Duration::from_secs(2), done).await;
        }
    }
}

/// One center on this node: what its terms are made from.
struct CenterSlot {
    center: String,
    shared: Shared,
    owner: OwnerAddress,
    switch: Switch,
    relaying: Router,
    owning: watch::Sender<Option<OwnerSender>>,
}

impl Node {
    /// Starts serving every configured center as a gateway and standing by
    /// for their leases; the node's routes (by center, [`centers`]) and
    /// each center's terms, and its heartbeat. `fresh` is a new center as
    /// configured, what a center that the engine has never held starts from.
    pub(crate) fn start(self, shared: Shared, fresh: Center) -> (Router, Vec<CenterTerms>, Heartbeat) {
        let share = Arc::new(Share::new(self.settings.centers.len()));
        let heartbeat = self.start_heartbeat(&share, &shared);
        let mut served = Vec::new();
        let mut terms = Vec::new();
        let node = Arc::new(self);
        for center in &node.settings.centers {
            // Each center has its own keys, counters and socket caps.
            let shared = Shared { keys: shared.keys.clone().for_center(center), metrics: Arc::new(Metrics::default()), admission: Default::default(), ..shared.clone() };
            let owner = OwnerAddress::default();
            let gateway = Gateway {
                center: center.clone(),
                owner: owner.clone(),
                keys: shared.keys.clone(),
                config: shared.config.clone(),
                shutdown: shared.shutdown.clone(),
                tracker: shared.tracker.clone(),
                metrics: shared.metrics.clone(),
                admission: shared.admission.clone(),
                http: gateway::owner_client(),
                links: Default::default(),
            };
            gateway::follow_owner(&gateway);
            let relaying = gateway::router(gateway);
            let switch = Switch(Arc::new(RwLock::new(relaying.clone())));
            let (owning, ownership) = watch::channel(None);
            served.push(centers::Center { name: center.clone(), switch: switch.clone(), owner: owner.clone(), metrics: shared.metrics.clone(), ownership: ownership.clone() });
            let slot = CenterSlot { center: center.clone(), shared, owner, switch, relaying, owning };
            let (node, share, fresh) = (node.clone(), share.clone(), fresh.clone());
            let task = tokio::spawn(async move {
                let shutdown = slot.shared.shutdown.clone();
                let taken = node.serve_terms(slot, fresh, &share).await;
                if let Err(e) = &taken {
                    tracing::error!(error = %e, "cannot take the center over; stopping");
                    shutdown.cancel();
                }
                taken
            });
            terms.push(CenterTerms { center: center.clone(), ownership, task });
        }
        let routes = centers::router(Served::new(served, shared.keys.clone(), share, shared.presence.clone()));
        (routes, terms, heartbeat)
    }

    /// Says this node is alive, on a thread of its own, until the server
    /// stops. Not a blocking task: a runtime dropped without a graceful
    /// stop (a test's) would wait for it forever.
    fn start_heartbeat(&self, share: &Arc<Share>, shared: &Shared) -> Heartbeat {
        let connect = match self.settings.connect_config() {
            Ok(connect) => connect,
            Err(e) => {
                tracing::error!(error = %e, "no heartbeat: the engine's URL is invalid");
                return Heartbeat(None);
            }
        };
        let (share, node, stop) = (share.clone(), self.settings.node.clone(), shared.shutdown.clone());
        let every = Duration::from_millis((self.settings.lease_ms / 4).min(STANDBY_RETRY_MS));
        let alive_ms = self.settings.lease_ms;
        let (beaten, done) = tokio::sync::oneshot::channel::<()>();
        let started = std::thread::Builder::new().name("ringside-heartbeat".into()).spawn(move || {
            share.beat(&connect, &node, every, alive_ms, &stop);
            let _ = beaten.send(());
        });
        match started {
            Ok(_) => Heartbeat(Some(done)),
            Err(e) => {
                tracing::error!(error = %e, "no heartbeat: cannot start its thread");
                Heartbeat(None)
            }
        }
    }

    /// One center's terms of ownership, one after the other: stand by, own
    /// the center until the lease is lost or the center is handed over,
    /// drop it and stand by again.
    async fn serve_terms(&self, slot: CenterSlot, fresh: Center, share: &Arc<Share>) -> Result<Option<Held>, ServeError> {
        let shared = &slot.shared;
        loop {
            // The term's sessions end with it; the server's shutdown ends them too.
            let term = Shared { shutdown: shared.shutdown.child_token(), ..shared.clone() };
            let Some(held) = self.take_over(&slot, &term, fresh.clone(), share).await? else { return Ok(None) };
            let lost = held.keeper.lost();
            let mut balance = tokio::time::interval(BALANCE_EVERY);
            let handed_over = loop {
                tokio::select! {
                    _ = shared.shutdown.cancelled() => return Ok(Some(held)),
                    _ = lost.cancelled() => break false,
                    _ = balance.tick() => if share.hand_over() { break true },
                }
            };
            if handed_over {
                tracing::info!(center = %slot.center, owned = share.owned(), nodes = share.live(), "handing the center over: this node owns more than its share");
            } else {
                tracing::warn!(center = %slot.center, epoch = held.fence.epoch, "lost the center's lease: serving as a gateway again and standing by");
                share.lost();
            }
            slot.owner.set(None);
            slot.switch.set(slot.relaying.clone());
            slot.owning.send_replace(None);
            term.shutdown.cancel();
            held.stop().await;
        }
    }

    async fn take_over(&self, slot: &CenterSlot, shared: &Shared, fresh: Center, share: &Arc<Share>) -> Result<Option<Held>, ServeError> {
        let failed = |e: tokio::task::JoinError| ServeError::Cluster(StoreError::Corrupt(e.to_string()));
        let (settings, center, address, stop, owner, share) = (self.settings.clone(), slot.center.clone(), self.address.clone(), shared.shutdown.clone(), slot.owner.clone(), share.clone());
        let waited = tokio::task::spawn_blocking(move || super::wait_for_lease(&settings, &center, &address, &owner, &share, &stop)).await.map_err(failed)?;
        let Some((fence, taken)) = waited.map_err(ServeError::Cluster)? else { return Ok(None) };
        let keeper = super::keep(&self.settings, fence.clone(), taken, shared.metrics.clone()).map_err(ServeError::Cluster)?;
        let connect = self.settings.connect_config().map_err(|e| ServeError::Cluster(e.into()))?;
        let (schema, held) = (super::schema(&slot.center), fence.clone());
        let store = tokio::task::spawn_blocking(move || PgStore::open(connect, schema, held)).await.map_err(failed)?.map_err(ServeError::Cluster)?;
        let center = crate::spawn_owner(Box::new(store), fresh, shared).await.map_err(ServeError::Cluster)?;
        let app = shared.app(center.sender());
        slot.switch.set(crate::router(app.clone(), &shared.config).merge(super::link::owner_end::routes(app)));
        // Requests that reached the gateway's routes while the center
        // loaded wait for an owner: this node, through its own front door.
        slot.owner.set(Some(self.address.clone()));
        slot.owning.send_replace(Some(center.sender()));
        tracing::info!(center = %fence.center, epoch = fence.epoch, "serving the center as its owner");
        Ok(Some(Held { owner: center, settings: self.settings.clone(), fence, keeper }))
    }
}
