//! A node in cluster mode: it serves at once as a gateway to whichever
//! node owns the center, stands by for the center's lease, and when it takes
//! the lease recovers the center from the engine and serves it itself (the
//! routes switch from the gateway's to the owner's). A node that loses the
//! lease (paused, or cut from the engine longer than the lease) drops its
//! owner, serves as a gateway again and stands by: no restart needed.

use super::gateway::{self, Gateway};
use super::lease::{Fence, LeaseKeeper};
use super::{ClusterSettings, OwnerAddress};
use crate::owner::{Owner, OwnerSender};
use crate::store::{PgStore, StoreError};
use crate::{ServeError, Shared, Stopped};
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use axum::Router;
use ringside::center::Center;
use std::sync::{Arc, RwLock};
use tokio::sync::watch;
use tower::ServiceExt;

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

/// The routes in force: the gateway's, then the owner's.
#[derive(Clone, Debug)]
struct Switch(Arc<RwLock<Router>>);

impl Switch {
    fn set(&self, router: Router) {
        if let Ok(mut current) = self.0.write() {
            *current = router;
        }
    }
}

/// Hands each request to the routes in force.
async fn dispatch(State(switch): State<Switch>, request: Request) -> Response {
    let router = match switch.0.read() {
        Ok(router) => router.clone(),
        Err(_) => return axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    router.oneshot(request).await.into_response()
}

impl Node {
    /// Starts serving as a gateway and standing by; the routes to serve, and
    /// the task that takes the center over whenever the lease is free (its
    /// sender then goes to `owning`) and stands by again when the lease is
    /// lost. It ends when the server stops, with the center if it holds it.
    pub(crate) fn start(
        self,
        shared: Shared,
        fresh: Center,
        owning: watch::Sender<Option<OwnerSender>>,
    ) -> (Router, tokio::task::JoinHandle<Result<Option<Held>, ServeError>>) {
        let owner = OwnerAddress::default();
        let gateway = Gateway {
            owner: owner.clone(),
            keys: shared.keys.clone(),
            config: shared.config.clone(),
            shutdown: shared.shutdown.clone(),
            tracker: shared.tracker.clone(),
            metrics: shared.metrics.clone(),
            admission: shared.admission.clone(),
            http: gateway::owner_client(),
        };
        let relaying = gateway::router(gateway);
        let switch = Switch(Arc::new(RwLock::new(relaying.clone())));
        let routes = Router::new().fallback(dispatch).with_state(switch.clone());
        let shutdown = shared.shutdown.clone();
        let takeover = tokio::spawn(async move {
            let taken = self.serve_terms(shared, fresh, owner, switch, relaying, owning).await;
            if let Err(e) = &taken {
                tracing::error!(error = %e, "cannot take the center over; stopping");
                shutdown.cancel();
            }
            taken
        });
        (routes, takeover)
    }

    /// Terms of ownership, one after the other: stand by, own the center
    /// until the lease is lost, drop it and stand by again.
    async fn serve_terms(
        self,
        shared: Shared,
        fresh: Center,
        owner: OwnerAddress,
        switch: Switch,
        relaying: Router,
        owning: watch::Sender<Option<OwnerSender>>,
    ) -> Result<Option<Held>, ServeError> {
        loop {
            // The term's sessions end with it; the server's shutdown ends them too.
            let term = Shared { shutdown: shared.shutdown.child_token(), ..shared.clone() };
            let Some(held) = self.take_over(&term, fresh.clone(), &owner, &switch, &owning).await? else { return Ok(None) };
            let lost = held.keeper.lost();
            tokio::select! {
                _ = shared.shutdown.cancelled() => return Ok(Some(held)),
                _ = lost.cancelled() => {}
            }
            tracing::warn!(center = %self.settings.center, epoch = held.fence.epoch, "lost the center's lease: serving as a gateway again and standing by");
            switch.set(relaying.clone());
            owning.send_replace(None);
            term.shutdown.cancel();
            held.stop().await;
        }
    }

    async fn take_over(&self, shared: &Shared, fresh: Center, owner: &OwnerAddress, switch: &Switch, owning: &watch::Sender<Option<OwnerSender>>) -> Result<Option<Held>, ServeError> {
        let failed = |e: tokio::task::JoinError| ServeError::Cluster(StoreError::Corrupt(e.to_string()));
        let (settings, address, stop, owner) = (self.settings.clone(), self.address.clone(), shared.shutdown.clone(), owner.clone());
        let waited = tokio::task::spawn_blocking(move || super::wait_for_lease(&settings, &address, &owner, &stop)).await.map_err(failed)?.map_err(ServeError::Cluster)?;
        let Some((fence, taken)) = waited else { return Ok(None) };
        let keeper = super::keep(&self.settings, fence.clone(), taken, shared.metrics.clone()).map_err(ServeError::Cluster)?;
        let connect = self.settings.connect_config().map_err(|e| ServeError::Cluster(e.into()))?;
        let (schema, held) = (self.settings.schema(), fence.clone());
        let store = tokio::task::spawn_blocking(move || PgStore::open(connect, schema, held)).await.map_err(failed)?.map_err(ServeError::Cluster)?;
        let center = crate::spawn_owner(Box::new(store), fresh, shared).await.map_err(ServeError::Cluster)?;
        switch.set(crate::router(shared.app(center.sender()), &shared.config));
        owning.send_replace(Some(center.sender()));
        tracing::info!(center = %fence.center, epoch = fence.epoch, "serving the center as its owner");
        Ok(Some(Held { owner: center, settings: self.settings.clone(), fence, keeper }))
    }
}
