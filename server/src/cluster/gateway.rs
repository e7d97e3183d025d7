//! A node that does not own a center is its gateway: it takes clients'
//! WebSockets (same Origin and socket caps as the owner) and relays each to
//! the owner, serves the desk's files, and forwards the HTTP API to the
//! owner (the request's method, headers and body; the owner's answer). When the owner dies its relayed
//! sockets close with 1012 (service restart); clients reconnect, to any
//! node, and resume from their seq.

use super::centers::CENTER_HEADER;
use super::OwnerAddress;
use crate::admission::Admission;
use crate::auth::Keys;
use crate::config::Config;
use crate::metrics::Metrics;
use super::link::gateway_end::{self, Links};
use crate::ws::{admit, refuse, upgrade};
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message, WebSocketUpgrade};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::Router;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower_http::services::ServeDir;

/// Close code: the owner this socket was relayed to went away; reconnect.
pub const CLOSE_SERVICE_RESTART: u16 = 1012;

/// How long a request waits for an owner to be known before it is refused
/// (`unavailable`): a take-over or a hand-over usually ends within it, so
/// clients are served instead of backing off.
pub const OWNER_WAIT: Duration = Duration::from_secs(1);

/// How long connecting to the owner may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// What the gateway's handlers share.
#[derive(Clone, Debug)]
pub struct Gateway {
    /// The center this gateway relays to.
    pub center: String,
    /// Where the owner serves, as the standby loop last saw it.
    pub owner: OwnerAddress,
    /// Signs the relay header.
    pub keys: Keys,
    /// The configuration in force.
    pub config: Arc<Config>,
    /// Cancelled when the server shuts down.
    pub shutdown: CancellationToken,
    /// Tracks relayed sockets so shutdown can wait for them.
    pub tracker: TaskTracker,
    /// This node's counters.
    pub metrics: Arc<Metrics>,
    /// Caps sockets per address (SPEC N8).
    pub admission: Admission,
    /// Forwards HTTP requests to the owner (redirects are the client's).
    pub http: reqwest::Client,
    /// The link that carries relayed sockets to the owner.
    pub links: Links,
}

/// The gateway's routes.
pub fn router(gateway: Gateway) -> Router {
    let www = ServeDir::new(gateway.config.web_root.join("www")).call_fallback_on_method_not_allowed(true).fallback(any(to_owner).with_state(gateway.clone()));
    Router::new()
        .route("/ws", get(relay))
        .route("/link", get(not_the_owner))
        .method_not_allowed_fallback(crate::method_not_allowed)
        .nest_service("/pkg", crate::package_files(gateway.config.web_root.join("pkg")))
        .fallback_service(www)
        .layer(axum::middleware::from_fn(crate::unnameable_paths))
        .with_state(gateway)
}

fn no_owner() -> Response {
    refuse(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "no node owns the center right now; retry shortly")
}

/// How long the owner may stay silent while answering a forwarded request
/// (between bytes, not in total: an import may take a while).
const OWNER_SILENCE: Duration = Duration::from_secs(30);

/// The gateway's HTTP client to the owner: redirects are the client's, a
/// stopped owner does not hold requests forever.
pub fn owner_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(CONNECT_TIMEOUT)
        .read_timeout(OWNER_SILENCE)
        .build()
        .unwrap_or_default()
}

/// Any other path: the same request to the owner, and its answer. Bodies
/// stream through both ways, so a gateway holds no import in memory; the
/// owner applies its own limits.
async fn to_owner(State(gateway): State<Gateway>, request: Request) -> Response {
    let Some(owner) = gateway.owner.wait(OWNER_WAIT).await else { return no_owner() };
    let (parts, body) = request.into_parts();
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let body = reqwest::Body::wrap_stream(body.into_data_stream());
    let mut forward = gateway.http.request(parts.method, format!("http://{owner}{path}")).header(CENTER_HEADER, &gateway.center).body(body);
    for (name, value) in &parts.headers {
        if !matches!(name, &header::HOST | &header::CONNECTION | &header::TRANSFER_ENCODING) && name != CENTER_HEADER {
            forward = forward.header(name, value);
        }
    }
    let Ok(answer) = forward.send().await else { return no_owner() };
    let status = answer.status();
    let headers = answer.headers().clone();
    let mut response = (status, axum::body::Body::from_stream(answer.bytes_stream())).into_response();
    for (name, value) in &headers {
        if !matches!(name, &header::CONNECTION | &header::TRANSFER_ENCODING) {
            response.headers_mut().insert(name, value.clone());
        }
    }
    response
}

/// Follows the center's owner for the gateway's link: once another node
/// owns the center, the link to the old one ends, and with it its relayed
/// sockets (1012), though the old node, paused or cut off, may still hold
/// them open. An owner unknown for a while (the engine out of reach) ends
/// nothing: the owner may well still serve.
pub fn follow_owner(gateway: &Gateway) {
    let mut changes = gateway.owner.changes();
    let (links, shutdown) = (gateway.links.clone(), gateway.shutdown.clone());
    tokio::spawn(async move {
        loop {
            tokio::select! {
                changed = changes.changed() => if changed.is_err() { return },
                _ = shutdown.cancelled() => return,
            }
            let owner = changes.borrow_and_update().clone();
            if let Some(owner) = owner {
                links.keep_only(&owner).await;
            }
        }
    });
}

/// `GET /ws` on a gateway: the owner's checks, then a relay to it over
/// this node's link to the owner.
async fn relay(
    State(gateway): State<Gateway>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let pending = match admit(&headers, peer, &gateway.config, &gateway.tracker, &gateway.admission) {
        Ok(pending) => pending,
        Err(refused) => return *refused,
    };
    let ws = match upgrade(ws) {
        Ok(ws) => ws,
        Err(refused) => return *refused,
    };
    let Some(owner) = gateway.owner.wait(OWNER_WAIT).await else { return no_owner() };
    let tracker = gateway.tracker.clone();
    ws.on_upgrade(move |client| {
        tracker.track_future(async move {
            let link = gateway.links.to(&owner, &gateway.center, &gateway.keys, CONNECT_TIMEOUT).await;
            // The owner counts the socket from here (by the client's address).
            drop(pending);
            let Some(link) = link else {
                let mut client = client;
                let reason = "the owner is unreachable; reconnect";
                let _ = client.send(Message::Close(Some(CloseFrame { code: CLOSE_SERVICE_RESTART, reason: reason.into() }))).await;
                return;
            };
            let limits = &gateway.config.limits;
            let (idle_after, ping_every) = (Duration::from_millis(limits.idle_timeout_ms), Duration::from_millis(limits.ping_interval_ms));
            gateway_end::relay(client, link, peer.ip(), idle_after, ping_every, &gateway.shutdown, &gateway.metrics).await;
        })
    })
}

/// `GET /link` on a node that does not own the center: a gateway that
/// thought it did is told to look again.
async fn not_the_owner() -> Response {
    refuse(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "this node does not own the center")
}
