//! A node in cluster mode: it serves at once as a gateway to whichever
//! node owns the center, stands by for the center's lease, and when it takes
//! the lease recovers the center from the engine and serves it itself (the
//! routes switch from the gateway's to the owner's).

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
    /// Cancelled when this node loses the lease it took.
    pub lost: tokio_util::sync::CancellationToken,
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
    /// the take-over, which ends once this node owns the center (its
    /// sender then goes to `owning`) or the server stops first.
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
        let switch = Switch(Arc::new(RwLock::new(gateway::router(gateway))));
        let routes = Router::new().fallback(dispatch).with_state(switch.clone());
        let shutdown = shared.shutdown.clone();
        let takeover = tokio::spawn(async move {
            let taken = self.take_over(shared, fresh, owner, switch, owning).await;
            if let Err(e) = &taken {
                tracing::error!(error = %e, "cannot take the center over; stopping");
                shutdown.cancel();
            }
            taken
        });
        (routes, takeover)
    }

    async fn take_over(self, shared: Shared, fresh: Center, owner: OwnerAddress, switch: Switch, owning: watch::Sender<Option<OwnerSender>>) -> Result<Option<Held>, ServeError> {
        let failed = |e: tokio::task::JoinError| ServeError::Cluster(StoreError::Corrupt(e.to_string()));
        let (settings, address, stop) = (self.settings.clone(), self.address.clone(), shared.shutdown.clone());
        let waited = tokio::task::spawn_blocking(move || super::wait_for_lease(&settings, &address, &owner, &stop)).await.map_err(failed)?.map_err(ServeError::Cluster)?;
        let Some((fence, taken)) = waited else { return Ok(None) };
        let keeper = super::keep(&self.settings, fence.clone(), taken, shared.metrics.clone()).map_err(ServeError::Cluster)?;
        let (lost, flag, shutdown) = (keeper.lost(), self.lost.clone(), shared.shutdown.clone());
        tokio::spawn(async move {
            lost.cancelled().await;
            flag.cancel();
            shutdown.cancel();
        });
        let connect = self.settings.connect_config().map_err(|e| ServeError::Cluster(e.into()))?;
        let (schema, held) = (self.settings.schema(), fence.clone());
        let store = tokio::task::spawn_blocking(move || PgStore::open(connect, schema, held)).await.map_err(failed)?.map_err(ServeError::Cluster)?;
        let center = crate::spawn_owner(Box::new(store), fresh, &shared).await.map_err(ServeError::Cluster)?;
        switch.set(crate::router(shared.app(center.sender()), &shared.config));
        owning.send_replace(Some(center.sender()));
        tracing::info!(center = %fence.center, epoch = fence.epoch, "serving the center as its owner");
        Ok(Some(Held { owner: center, settings: self.settings, fence, keeper }))
    }
}
