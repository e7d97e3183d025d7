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
use crate::ws::{admit, refuse, upgrade, CLOSE_GOING_AWAY, CLOSE_IDLE, RELAY_HEADER};
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::Router;
use futures_util::{SinkExt, StreamExt};
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message as Upstream;
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
}

/// The gateway's routes.
pub fn router(gateway: Gateway) -> Router {
    let www = ServeDir::new(gateway.config.web_root.join("www")).call_fallback_on_method_not_allowed(true).fallback(any(to_owner).with_state(gateway.clone()));
    Router::new()
        .route("/ws", get(relay))
        .nest_service("/pkg", ServeDir::new(gateway.config.web_root.join("pkg")))
        .fallback_service(www)
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

/// `GET /ws` on a gateway: the owner's checks, then a relay to it.
async fn relay(State(gateway): State<Gateway>, ConnectInfo(peer): ConnectInfo<SocketAddr>, headers: HeaderMap, ws: WebSocketUpgrade) -> Response {
    let pending = match admit(&headers, peer, &gateway.config, &gateway.tracker, &gateway.admission, &gateway.keys) {
        Ok(pending) => pending,
        Err(refused) => return *refused,
    };
    let Some(owner) = gateway.owner.wait(OWNER_WAIT).await else { return no_owner() };
    let Ok(mut request) = format!("ws://{owner}/ws?center={}", gateway.center).into_client_request() else { return no_owner() };
    let Ok(vouched) = HeaderValue::try_from(gateway.keys.relay_header(peer.ip())) else { return no_owner() };
    request.headers_mut().insert(RELAY_HEADER, vouched);
    let tracker = gateway.tracker.clone();
    upgrade(ws).on_upgrade(move |client| {
        tracker.track_future(async move {
            let upstream = tokio::time::timeout(CONNECT_TIMEOUT, tokio_tungstenite::connect_async(request)).await;
            // The owner counts the socket from here (by the relayed address).
            drop(pending);
            match upstream {
                Ok(Ok((upstream, _))) => pipe(client, upstream, &gateway).await,
                _ => {
                    tracing::info!(%owner, "cannot reach the owner to relay a socket");
                    close(client, CLOSE_SERVICE_RESTART, "the owner is unreachable; reconnect").await;
                }
            }
        })
    })
}

async fn close(mut client: WebSocket, code: u16, reason: &'static str) {
    let _ = client.send(Message::Close(Some(CloseFrame { code, reason: reason.into() }))).await;
}

/// How a relay ended on the client's side.
enum ClientSide {
    /// The client closed, or its socket failed.
    Gone,
    /// Nothing from the client, not even a pong, for `idle_timeout_ms`.
    Idle,
}

/// Moves frames both ways until one side closes; the other side then gets
/// its close frame (1012 when the owner vanished without one). The gateway
/// pings the client and closes it with 4010 when it falls silent, as the
/// owner does with its own sockets: the owner's pings are answered by this
/// node's socket to it, so it cannot tell a client that vanished.
async fn pipe(client: WebSocket, upstream: tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>, gateway: &Gateway) {
    Metrics::add(&gateway.metrics.relayed, 1);
    let (mut to_client, mut from_client) = client.split();
    let (mut to_owner, mut from_owner) = upstream.split();
    let idle_after = Duration::from_millis(gateway.config.limits.idle_timeout_ms);
    let ping_every = Duration::from_millis(gateway.config.limits.ping_interval_ms);
    let outward = async {
        loop {
            let frame = match tokio::time::timeout(idle_after, from_client.next()).await {
                Err(_) => return ClientSide::Idle,
                Ok(Some(Ok(frame))) => frame,
                Ok(_) => break,
            };
            let frame = match frame {
                Message::Text(text) => Upstream::text(text.as_str()),
                Message::Binary(bytes) => Upstream::binary(bytes),
                Message::Ping(_) | Message::Pong(_) => continue,
                Message::Close(frame) => {
                    let frame = frame.map(|f| tokio_tungstenite::tungstenite::protocol::CloseFrame { code: CloseCode::from(f.code), reason: f.reason.as_str().into() });
                    let _ = to_owner.send(Upstream::Close(frame)).await;
                    return ClientSide::Gone;
                }
            };
            if to_owner.send(frame).await.is_err() {
                return ClientSide::Gone;
            }
        }
        let _ = to_owner.close().await;
        ClientSide::Gone
    };
    let mut pings = tokio::time::interval_at(tokio::time::Instant::now() + ping_every, ping_every);
    let inward = async {
        loop {
            let frame = tokio::select! {
                frame = from_owner.next() => frame,
                _ = pings.tick() => {
                    if to_client.send(Message::Ping(Default::default())).await.is_err() {
                        return;
                    }
                    continue;
                }
            };
            let frame = match frame {
                Some(Ok(Upstream::Text(text))) => Message::Text(text.as_str().into()),
                Some(Ok(Upstream::Binary(bytes))) => Message::Binary(bytes),
                Some(Ok(Upstream::Close(frame))) => {
                    let (code, reason) = frame.map_or((CLOSE_SERVICE_RESTART, String::new()), |f| (u16::from(f.code), f.reason.to_string()));
                    let _ = to_client.send(Message::Close(Some(CloseFrame { code, reason: reason.into() }))).await;
                    return;
                }
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => {
                    let reason = "the owner went away; reconnect and resume";
                    let _ = to_client.send(Message::Close(Some(CloseFrame { code: CLOSE_SERVICE_RESTART, reason: reason.into() }))).await;
                    return;
                }
            };
            if to_client.send(frame).await.is_err() {
                return;
            }
        }
    };
    let last_word = tokio::select! {
        side = outward => matches!(side, ClientSide::Idle).then_some((CLOSE_IDLE, "nothing heard from the client")),
        _ = inward => None,
        _ = gateway.shutdown.cancelled() => Some((CLOSE_GOING_AWAY, "this node is shutting down; reconnect and resume")),
    };
    if let Some((code, reason)) = last_word {
        let _ = to_client.send(Message::Close(Some(CloseFrame { code, reason: reason.into() }))).await;
        let _ = to_owner.close().await;
    }
    gateway.metrics.relayed.fetch_sub(1, Ordering::Relaxed);
}
