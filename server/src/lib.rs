//! Ringside server: hosts the sans-IO [`ringside::center::Center`] with real
//! time, WebSocket sessions, SQLite persistence, signed tokens and a customer
//! simulator. See `docs/server.md`.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let config = ringside_server::config::Config::default();
//! let server = ringside_server::serve(config).await?;
//! println!("listening on {}", server.local_addr());
//! server.shutdown().await;
//! # Ok(()) }
//! ```

#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod admission;
pub mod auth;
pub mod campaigns;
pub mod cluster;
pub mod config;
pub mod csv_out;
pub mod dialler;
pub mod directory;
pub mod fd_limit;
pub mod http_api;
pub mod metrics;
pub mod owner;
pub mod presence_adapter;
pub mod reports;
pub mod sim;
pub mod store;
pub mod ws;

use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use config::Config;
use owner::{Owner, OwnerSender};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower_http::services::ServeDir;

/// What every request handler shares.
#[derive(Clone, Debug)]
pub struct AppState {
    /// Sends inputs to the center's owner.
    pub owner: OwnerSender,
    /// Signs and checks tokens.
    pub keys: auth::Keys,
    /// The configuration in force.
    pub config: Arc<Config>,
    /// Cancelled when the server shuts down.
    pub shutdown: CancellationToken,
    /// Tracks open WebSocket sessions so shutdown can wait for them.
    pub tracker: TaskTracker,
    /// Counters for `/metrics` and the health of `/healthz`.
    pub metrics: Arc<metrics::Metrics>,
    /// Caps sockets per user and per address (SPEC N8).
    pub admission: admission::Admission,
    /// The external presence adapter, when configured (SPEC N7).
    pub presence: Option<Arc<dyn presence_adapter::PresenceAdapter>>,
}

/// Why the server could not start.
#[derive(Debug)]
pub enum ServeError {
    /// The configuration is invalid.
    Config(config::ConfigError),
    /// The token secret could not be read or generated.
    Secret(std::io::Error),
    /// The database could not be opened or loaded.
    Store(store::StoreError),
    /// The cluster's engine could not be used (cluster mode).
    Cluster(store::StoreError),
    /// The address could not be bound.
    Bind(std::io::Error),
}

impl std::fmt::Display for ServeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServeError::Config(e) => write!(f, "{e}"),
            ServeError::Secret(e) => write!(f, "token secret: {e}"),
            ServeError::Store(e) => write!(f, "{e}"),
            ServeError::Cluster(e) => write!(f, "cluster: {e}"),
            ServeError::Bind(e) => write!(f, "cannot listen: {e}"),
        }
    }
}

impl std::error::Error for ServeError {}

/// A running server.
#[derive(Debug)]
pub struct ServerHandle {
    addr: SocketAddr,
    keys: auth::Keys,
    shutdown: CancellationToken,
    tracker: TaskTracker,
    http: tokio::task::JoinHandle<()>,
    owner: Owner,
    lease: Option<HeldLease>,
}

/// The center's lease this node holds in cluster mode.
#[derive(Debug)]
struct HeldLease {
    settings: cluster::ClusterSettings,
    fence: cluster::lease::Fence,
    keeper: cluster::lease::LeaseKeeper,
}

impl ServerHandle {
    /// The address the server listens on (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// A sender of inputs to the center's owner.
    pub fn owner(&self) -> OwnerSender {
        self.owner.sender()
    }

    /// The keys that sign this server's tokens.
    pub fn keys(&self) -> &auth::Keys {
        &self.keys
    }

    /// A token that, once cancelled, starts the shutdown; [`ServerHandle::wait`]
    /// then finishes it.
    pub fn shutdown_trigger(&self) -> CancellationToken {
        self.shutdown.clone()
    }

    /// In cluster mode, cancelled when this node lost the center's lease
    /// (the server then shuts down: it must not serve a center it does not
    /// own).
    pub fn lease_lost(&self) -> Option<CancellationToken> {
        self.lease.as_ref().map(|held| held.keeper.lost())
    }

    /// Waits for the trigger, then shuts down gracefully.
    pub async fn wait(self) {
        self.shutdown.cancelled().await;
        self.shutdown().await;
    }

    /// Graceful shutdown: stop accepting, close every socket with 1001 going
    /// away, let the owner finish the inputs already sent, flush the database.
    pub async fn shutdown(self) {
        self.shutdown.cancel();
        let _ = self.http.await;
        self.tracker.close();
        if tokio::time::timeout(Duration::from_secs(5), self.tracker.wait()).await.is_err() {
            tracing::warn!("some sockets did not close within 5 s");
        }
        self.owner.shutdown().await;
        if let Some(held) = self.lease {
            if !held.keeper.lost().is_cancelled() {
                drop(held.keeper);
                let _ = tokio::task::spawn_blocking(move || cluster::release(&held.settings, &held.fence)).await;
            }
        }
        tracing::info!("server stopped");
    }
}

/// Starts the server: opens the database, restores the center, binds the
/// address and serves HTTP and WebSocket on it.
pub async fn serve(config: Config) -> Result<ServerHandle, ServeError> {
    config.check().map_err(ServeError::Config)?;
    let fresh = config.new_center().map_err(ServeError::Config)?;
    let secret = auth::resolve_secret(&config).map_err(ServeError::Secret)?;
    if secret.len() < 32 {
        tracing::warn!("the token secret is shorter than 32 bytes; use a long random one");
    }
    let keys = auth::Keys::new(&secret);
    let metrics = Arc::new(metrics::Metrics::default());
    let (store, lease) = open_store(&config, &metrics).await?;
    let presence = config
        .presence_webhook
        .clone()
        .map(|settings| Arc::new(presence_adapter::webhook::WebhookAdapter::start(settings)) as Arc<dyn presence_adapter::PresenceAdapter>);
    let settings = owner::OwnerSettings {
        queue_capacity: config.limits.input_queue,
        keep_per_agent: config.limits.event_log_per_agent as usize,
        dial_ring_ms: config.dial_ring_ms,
        history_retention_ms: config.history_retention_days.saturating_mul(86_400_000),
        adapter: presence.clone(),
    };
    // Recovery blocks (and the engine's client runs its own runtime): off
    // the async workers.
    let owner_metrics = metrics.clone();
    let owner = tokio::task::spawn_blocking(move || owner::spawn(store, fresh, settings, owner_metrics))
        .await
        .map_err(|e| ServeError::Store(store::StoreError::Corrupt(e.to_string())))?
        .map_err(ServeError::Store)?;
    let listener = tokio::net::TcpListener::bind(config.listen).await.map_err(ServeError::Bind)?;
    let addr = listener.local_addr().map_err(ServeError::Bind)?;
    let shutdown = CancellationToken::new();
    let tracker = TaskTracker::new();
    let config = Arc::new(config);
    let app = AppState {
        owner: owner.sender(),
        keys: keys.clone(),
        config: config.clone(),
        shutdown: shutdown.clone(),
        tracker: tracker.clone(),
        metrics,
        admission: admission::Admission::default(),
        presence,
    };
    let router = router(app, &config);
    let stop = shutdown.clone();
    // Small frames answer small frames: without TCP_NODELAY every ack waits
    // for the delayed-ACK timer (about 40 ms).
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp: &mut tokio::net::TcpStream| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "cannot set TCP_NODELAY");
        }
    });
    let http = tokio::spawn(async move {
        // The peer address lets /ws cap sockets per address (SPEC N8).
        let service = router.into_make_service_with_connect_info::<SocketAddr>();
        let served = axum::serve(listener, service).with_graceful_shutdown(stop.cancelled_owned()).await;
        if let Err(e) = served {
            tracing::error!(error = %e, "HTTP server failed");
        }
    });
    if let Some(held) = &lease {
        let (lost, stop) = (held.keeper.lost(), shutdown.clone());
        tokio::spawn(async move {
            lost.cancelled().await;
            stop.cancel();
        });
        tracing::info!(%addr, engine = %config.cluster.as_ref().map_or("", |c| c.url.as_str()), "ringside server listening (cluster mode)");
    } else {
        tracing::info!(%addr, database = %config.database.display(), "ringside server listening");
    }
    Ok(ServerHandle { addr, keys, shutdown, tracker, http, owner, lease })
}

/// The embedded SQLite store, or in cluster mode the engine's store once
/// this node holds the center's lease (standing by until then).
async fn open_store(config: &Config, metrics: &Arc<metrics::Metrics>) -> Result<(Box<dyn store::Store>, Option<HeldLease>), ServeError> {
    let Some(settings) = config.cluster.clone() else {
        let store = store::SqliteStore::open(&config.database).map_err(ServeError::Store)?;
        return Ok((Box::new(store), None));
    };
    let waiting = settings.clone();
    let (fence, taken) = tokio::task::spawn_blocking(move || cluster::wait_for_lease(&waiting))
        .await
        .map_err(|e| ServeError::Cluster(store::StoreError::Corrupt(e.to_string())))?
        .map_err(ServeError::Cluster)?;
    let keeper = cluster::keep(&settings, fence.clone(), taken, metrics.clone()).map_err(ServeError::Cluster)?;
    let connect = settings.connect_config().map_err(|e| ServeError::Cluster(e.into()))?;
    let (schema, held) = (settings.schema(), fence.clone());
    let store = tokio::task::spawn_blocking(move || store::PgStore::open(connect, schema, held))
        .await
        .map_err(|e| ServeError::Cluster(store::StoreError::Corrupt(e.to_string())))?
        .map_err(ServeError::Cluster)?;
    Ok((Box::new(store), Some(HeldLease { settings, fence, keeper })))
}

fn router(app: AppState, config: &Config) -> Router {
    // The folders are built by other parts of the project, maybe after the
    // server started: they are served whenever they exist.
    let www = ServeDir::new(config.web_root.join("www")).fallback(get(not_found));
    Router::new()
        .route("/ws", get(ws::handler))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .merge(sim::routes(&config.allowed_origins))
        .merge(campaigns::routes(config.limits.max_import_bytes))
        .merge(directory::routes())
        .merge(reports::routes())
        .merge(presence_adapter::inbound::routes())
        .merge(presence_adapter::stats::routes())
        .nest_service("/pkg", ServeDir::new(config.web_root.join("pkg")))
        .fallback_service(www)
        .with_state(app)
}

/// `GET /healthz`: 200 `ok` while the owner runs and the store commits,
/// else 503 with the reason.
async fn healthz(axum::extract::State(app): axum::extract::State<AppState>) -> (StatusCode, &'static str) {
    match app.metrics.healthy() {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(reason) => (StatusCode::SERVICE_UNAVAILABLE, reason),
    }
}

/// `GET /metrics`: the counters in Prometheus text format.
async fn metrics(axum::extract::State(app): axum::extract::State<AppState>) -> impl axum::response::IntoResponse {
    let adapter = app.presence.as_ref().map(|a| a.stats().render()).unwrap_or_default();
    ([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4")], app.metrics.render() + &adapter)
}

/// `/` before the demo is built says where things are; other paths are 404.
async fn not_found(uri: axum::http::Uri) -> axum::response::Response {
    use axum::response::IntoResponse;
    if uri.path() == "/" {
        let text = "Ringside server. The desk is served from www/ once it is built; the WebSocket is at /ws, the simulator under /sim/.\n";
        return (StatusCode::OK, text).into_response();
    }
    let body = serde_json::json!({ "code": "not_found", "message": format!("nothing at {}", uri.path()) });
    (StatusCode::NOT_FOUND, axum::Json(body)).into_response()
}
