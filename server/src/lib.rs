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
pub mod body_deadline;
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
use axum::extract::OriginalUri;
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
    /// Every center's ownership, the home center first.
    ownership: Vec<(String, tokio::sync::watch::Receiver<Option<OwnerSender>>)>,
    center: CenterTask,
}

/// How this node holds the center.
#[derive(Debug)]
enum CenterTask {
    /// The embedded store: the owner runs from the start.
    Owned(Owner),
    /// Cluster mode: each center's terms of ownership, which end when the
    /// server stops, with the owner and the lease if this node holds them
    /// then; and the node's heartbeat.
    Clustered(Vec<cluster::node::CenterTerms>, cluster::node::Heartbeat),
}

/// How a server stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stopped {
    /// Asked to (a signal, a trigger).
    Asked,
    /// Cluster mode: taking the center over failed (the engine's store).
    Failed(String),
}

impl ServerHandle {
    /// The address the server listens on (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// A sender of inputs to the home center's owner, once this node owns
    /// the center (at once with the embedded store; in cluster mode when it
    /// takes the lease); `None` if the server stopped first.
    pub fn owning(&self) -> impl std::future::Future<Output = Option<OwnerSender>> + Send + 'static {
        self.owning_center(self.ownership.first().map_or("", |(center, _)| center.as_str()))
    }

    /// [`ServerHandle::owning`] for any center this node serves; `None`
    /// at once for a center it does not serve.
    pub fn owning_center(&self, center: &str) -> impl std::future::Future<Output = Option<OwnerSender>> + Send + 'static {
        let mut owning = self.ownership.iter().find(|(name, _)| name == center).map(|(_, owning)| owning.clone());
        async move { owning.as_mut()?.wait_for(Option::is_some).await.ok().and_then(|owner| owner.clone()) }
    }

    /// Who owns each center this node serves, home first, as it changes:
    /// this node's sender to the owner while it owns the center, `None`
    /// while it stands by (cluster mode).
    pub fn ownership(&self) -> Vec<(String, tokio::sync::watch::Receiver<Option<OwnerSender>>)> {
        self.ownership.clone()
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

    /// Waits for the trigger, then shuts down gracefully.
    pub async fn wait(self) -> Stopped {
        self.shutdown.cancelled().await;
        self.shutdown().await
    }

    /// Graceful shutdown: stop accepting, close every socket with 1001 going
    /// away, let the owner finish the inputs already sent, flush the
    /// database; in cluster mode, release the lease.
    pub async fn shutdown(self) -> Stopped {
        self.shutdown.cancel();
        let _ = self.http.await;
        self.tracker.close();
        if tokio::time::timeout(Duration::from_secs(5), self.tracker.wait()).await.is_err() {
            tracing::warn!("some sockets did not close within 5 s");
        }
        let stopped = match self.center {
            CenterTask::Owned(owner) => {
                owner.shutdown().await;
                Stopped::Asked
            }
            CenterTask::Clustered(terms, heartbeat) => {
                let mut stopped = Stopped::Asked;
                for term in terms {
                    let ended = match term.task.await {
                        Ok(Ok(Some(held))) => held.stop().await,
                        Ok(Ok(None)) => Stopped::Asked,
                        Ok(Err(e)) => Stopped::Failed(format!("center {}: {e}", term.center)),
                        Err(e) => Stopped::Failed(format!("center {}: {e}", term.center)),
                    };
                    if stopped == Stopped::Asked {
                        stopped = ended;
                    }
                }
                heartbeat.ended().await;
                stopped
            }
        };
        tracing::info!("server stopped");
        stopped
    }
}

/// Starts the server: binds the address and serves HTTP and WebSocket on
/// it. With the embedded store it opens the database and restores the
/// center first; in cluster mode it serves as a gateway to the owner until
/// it takes the center's lease itself ([`ServerHandle::owning`]), for each
/// center it serves.
pub async fn serve(config: Config) -> Result<ServerHandle, ServeError> {
    config.check().map_err(ServeError::Config)?;
    let fresh = config.new_center().map_err(ServeError::Config)?;
    let secret = auth::resolve_secret(&config).map_err(ServeError::Secret)?;
    if secret.len() < 32 {
        tracing::warn!("the token secret is shorter than 32 bytes; use a long random one");
    }
    let keys = auth::Keys::new(&secret).for_center(config.center());
    let metrics = Arc::new(metrics::Metrics::default());
    let presence = config
        .presence_webhook
        .clone()
        .map(|settings| Arc::new(presence_adapter::webhook::WebhookAdapter::start(settings)) as Arc<dyn presence_adapter::PresenceAdapter>);
    let listener = tokio::net::TcpListener::bind(config.listen).await.map_err(ServeError::Bind)?;
    let addr = listener.local_addr().map_err(ServeError::Bind)?;
    let config = Arc::new(config);
    let shared = Shared {
        keys: keys.clone(),
        config: config.clone(),
        shutdown: CancellationToken::new(),
        tracker: TaskTracker::new(),
        metrics,
        admission: admission::Admission::default(),
        presence,
    };
    let (shutdown, tracker) = (shared.shutdown.clone(), shared.tracker.clone());
    campaigns::remove_abandoned_imports(&config.database);
    let (center, http, ownership) = match &config.cluster {
        None => {
            let store = store::SqliteStore::open(&config.database).map_err(ServeError::Store)?;
            let owner = spawn_owner(Box::new(store), fresh, &shared).await.map_err(ServeError::Store)?;
            let (_, owning) = tokio::sync::watch::channel(Some(owner.sender()));
            let http = serve_http(listener, router(shared.app(owner.sender()), &config), shutdown.clone());
            tracing::info!(%addr, database = %config.database.display(), "ringside server listening");
            (CenterTask::Owned(owner), http, vec![(config.center().to_owned(), owning)])
        }
        Some(settings) => {
            let node = cluster::node::Node { settings: settings.clone(), address: settings.advertise.clone().unwrap_or_else(|| addr.to_string()) };
            let (routes, terms, heartbeat) = node.start(shared, fresh);
            let http = serve_http(listener, routes, shutdown.clone());
            tracing::info!(%addr, engine = %settings.url, centers = ?settings.centers, "ringside server listening (cluster mode)");
            let ownership = terms.iter().map(|t| (t.center.clone(), t.ownership.clone())).collect();
            (CenterTask::Clustered(terms, heartbeat), http, ownership)
        }
    };
    Ok(ServerHandle { addr, keys, shutdown, tracker, http, ownership, center })
}

/// What the owner's and the gateway's handlers are made from.
#[derive(Clone, Debug)]
pub(crate) struct Shared {
    keys: auth::Keys,
    config: Arc<Config>,
    shutdown: CancellationToken,
    tracker: TaskTracker,
    metrics: Arc<metrics::Metrics>,
    admission: admission::Admission,
    presence: Option<Arc<dyn presence_adapter::PresenceAdapter>>,
}

impl Shared {
    /// The owner's handler state.
    fn app(&self, owner: OwnerSender) -> AppState {
        AppState {
            owner,
            keys: self.keys.clone(),
            config: self.config.clone(),
            shutdown: self.shutdown.clone(),
            tracker: self.tracker.clone(),
            metrics: self.metrics.clone(),
            admission: self.admission.clone(),
            presence: self.presence.clone(),
        }
    }
}

/// Restores the center from `store` and starts its owner. Recovery blocks
/// (and the engine's client runs a runtime of its own): off the async
/// workers.
async fn spawn_owner(store: Box<dyn store::Store>, fresh: ringside::center::Center, shared: &Shared) -> Result<Owner, store::StoreError> {
    let config = &shared.config;
    let settings = owner::OwnerSettings {
        queue_capacity: config.limits.input_queue,
        keep_per_agent: config.limits.event_log_per_agent as usize,
        dial_ring_ms: config.dial_ring_ms,
        history_retention_ms: config.history_retention_days.saturating_mul(86_400_000),
        adapter: shared.presence.clone(),
    };
    let metrics = shared.metrics.clone();
    tokio::task::spawn_blocking(move || owner::spawn(store, fresh, settings, metrics)).await.map_err(|e| store::StoreError::Corrupt(e.to_string()))?
}

/// Serves `router` on `listener` until `stop`.
fn serve_http(listener: tokio::net::TcpListener, router: Router, stop: CancellationToken) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let connections = TaskTracker::new();
        loop {
            let (tcp, peer) = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok(pair) => pair,
                    Err(e) => {
                        // Out of file descriptors, most likely: wait for some to close.
                        tracing::debug!(error = %e, "cannot accept a connection");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
                () = stop.cancelled() => break,
            };
            connections.spawn(serve_connection(tcp, peer, router.clone(), stop.clone()));
        }
        connections.close();
        connections.wait().await;
    })
}

/// How long a client has to send a whole request head (SPEC N8): one that
/// sends it slowly, or not at all, is cut then instead of holding a
/// connection and its buffered bytes for good.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a stopping server lets a plain HTTP request at hand finish.
pub const HTTP_DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// One HTTP/1 connection, upgrades (WebSockets) included, until it ends or
/// the server stops (then it finishes the request at hand, within
/// [`HTTP_DRAIN_TIMEOUT`]).
async fn serve_connection(tcp: tokio::net::TcpStream, peer: SocketAddr, router: Router, stop: CancellationToken) {
    // Small frames answer small frames: without TCP_NODELAY every ack waits
    // for the delayed-ACK timer (about 40 ms).
    if let Err(e) = tcp.set_nodelay(true) {
        tracing::debug!(error = %e, "cannot set TCP_NODELAY");
    }
    // The peer address lets /ws cap sockets per address (SPEC N8).
    let service = tower::ServiceExt::map_request(router, move |mut request: axum::http::Request<hyper::body::Incoming>| {
        request.extensions_mut().insert(axum::extract::ConnectInfo(peer));
        request.map(|body| axum::body::Body::new(body_deadline::IdleBody::new(body)))
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(hyper_util::rt::TokioTimer::new()).header_read_timeout(HEADER_READ_TIMEOUT);
    let connection = builder.serve_connection(hyper_util::rt::TokioIo::new(tcp), hyper_util::service::TowerToHyperService::new(service)).with_upgrades();
    tokio::pin!(connection);
    let served = tokio::select! {
        served = connection.as_mut() => served,
        () = stop.cancelled() => {
            connection.as_mut().graceful_shutdown();
            // A request still coming in (an import, a slow client) gets a
            // bounded time: the stop must not wait on a client.
            match tokio::time::timeout(HTTP_DRAIN_TIMEOUT, connection).await {
                Ok(served) => served,
                Err(_) => return tracing::debug!("connection closed by the stop, its request unfinished"),
            }
        }
    };
    if let Err(e) = served {
        tracing::debug!(error = %e, "connection ended");
    }
}

/// The owner's routes.
pub(crate) fn router(app: AppState, config: &Config) -> Router {
    // The folders are built by other parts of the project, maybe after the
    // server started: they are served whenever they exist.
    let www = static_files(config.web_root.join("www"));
    Router::new()
        .route("/ws", get(ws::handler))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .merge(campaigns::routes(config.limits.max_import_bytes))
        .merge(directory::routes())
        .merge(reports::routes())
        .merge(presence_adapter::inbound::routes())
        .merge(presence_adapter::stats::routes())
        .method_not_allowed_fallback(method_not_allowed)
        // After the fallback above: it would replace the simulator's own,
        // which answers CORS preflights.
        .merge(sim::routes(&config.allowed_origins))
        .nest_service("/pkg", package_files(config.web_root.join("pkg")))
        .fallback_service(www)
        .layer(axum::middleware::from_fn(unnameable_paths))
        .with_state(app)
}

/// The longest path that may name anything here, and the longest segment
/// (a file name's bound on Linux).
pub const MAX_PATH_BYTES: usize = 1024;
/// See [`MAX_PATH_BYTES`].
pub const MAX_SEGMENT_BYTES: usize = 255;

/// A path too long to name anything served gets 404 without reaching the
/// file system, which refuses such a name as an error of its own (a 500).
pub(crate) async fn unnameable_paths(request: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    use axum::response::IntoResponse;
    let path = request.uri().path();
    if path.len() > MAX_PATH_BYTES || path.split('/').any(|segment| segment.len() > MAX_SEGMENT_BYTES) {
        let body = serde_json::json!({ "code": "not_found", "message": format!("no path over {MAX_PATH_BYTES} bytes, or with a segment over {MAX_SEGMENT_BYTES}, names anything here") });
        return (StatusCode::NOT_FOUND, axum::Json(body)).into_response();
    }
    next.run(request).await
}

/// The files of a folder, whenever it exists, a folder's `index.html` for
/// the folder; a path it does not have, or a method other than GET and
/// HEAD, gets the JSON error of every other HTTP refusal.
pub(crate) fn static_files(folder: std::path::PathBuf) -> ServeDir<axum::routing::MethodRouter> {
    ServeDir::new(folder).call_fallback_on_method_not_allowed(true).fallback(get(not_found).fallback(method_not_allowed))
}

/// The built package's files, as [`static_files`] but without folder
/// pages: nested under `/pkg`, the redirect of a folder to its `/` form
/// would lose the prefix, and the package has no index.
pub(crate) fn package_files(folder: std::path::PathBuf) -> ServeDir<axum::routing::MethodRouter> {
    static_files(folder).append_index_html_on_directories(false)
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

/// A method the path does not take: 405, with the JSON error every other
/// HTTP refusal has.
pub(crate) async fn method_not_allowed(method: axum::http::Method, OriginalUri(uri): OriginalUri) -> axum::response::Response {
    use axum::response::IntoResponse;
    let body = serde_json::json!({ "code": "method_not_allowed", "message": format!("{method} is not allowed at {}", uri.path()) });
    (StatusCode::METHOD_NOT_ALLOWED, axum::Json(body)).into_response()
}

/// `/` before the demo is built says where things are; other paths are 404.
async fn not_found(OriginalUri(uri): OriginalUri) -> axum::response::Response {
    use axum::response::IntoResponse;
    if uri.path() == "/" {
        let text = "Ringside server. The desk is served from www/ once it is built; the WebSocket is at /ws, the simulator under /sim/.\n";
        return (StatusCode::OK, text).into_response();
    }
    let body = serde_json::json!({ "code": "not_found", "message": format!("nothing at {}", uri.path()) });
    (StatusCode::NOT_FOUND, axum::Json(body)).into_response()
}
