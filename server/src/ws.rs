//! The WebSocket endpoint `/ws`: Origin check, hello with a token (SPEC N5),
//! then commands, resync and ping; limits and bad input (SPEC N6, N8).
//!
//! Close codes (also in `docs/server.md`):
//! - 1000 normal: the client closed.
//! - 1001 going away: the server is shutting down.
//! - 1009 message too big: a frame over `MAX_FRAME_BYTES`.
//! - 1011 internal error: a message to the client would have been over
//!   `MAX_SERVER_FRAME_BYTES` (the profile validator rules this out).
//! - 4001 unauthorized: bad token (signature, format) in hello.
//! - 4002 no hello: nothing, or something other than hello, came first.
//! - 4003 token expired: at hello, or during the session (announced first).
//! - 4005 unsupported protocol version in hello.
//! - 4008 rate limited: too many frames over the limit within a window.
//! - 4009 too slow: the socket did not keep up with its events; resume.
//! - 4010 idle: nothing from the client, not even a pong, for too long.
//! - 1013 try again later: the server's input queue was full at hello.
//! - 4011 too many sessions: the user has as many open as allowed.

use crate::admission::{Admission, Slot};
use crate::config::Config;
use tokio_util::task::TaskTracker;
use crate::owner::{Input, Refused, RosterRequest, OUTBOX_CAPACITY};
use crate::AppState;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use ringside::model::{Actor, ServerTime};
use ringside::protocol::limits::echo;
use ringside::protocol::{ClientMessage, HelloRefusal, ServerMessage, MAX_FRAME_BYTES, MAX_SERVER_FRAME_BYTES};
pub use ringside::protocol::{CLOSE_NO_HELLO, CLOSE_PROTOCOL, CLOSE_TOO_BIG};
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};

/// Close code: the client closed normally.
pub const CLOSE_NORMAL: u16 = 1000;
/// Close code: the server is shutting down.
pub const CLOSE_GOING_AWAY: u16 = 1001;
/// Close code: the client broke the WebSocket protocol itself.
pub const CLOSE_PROTOCOL_ERROR: u16 = 1002;
/// Close code: a text frame that is not UTF-8.
pub const CLOSE_INVALID_DATA: u16 = 1007;
/// Close code: the server could not send a message within the client's
/// frame limit.
pub const CLOSE_INTERNAL_ERROR: u16 = 1011;
/// Close code: the token in hello is not valid.
pub const CLOSE_UNAUTHORIZED: u16 = 4001;
/// Close code: the token has expired.
pub const CLOSE_TOKEN_EXPIRED: u16 = 4003;
/// Close code: sustained traffic over the rate limit.
pub const CLOSE_RATE_LIMITED: u16 = 4008;
/// Close code: the socket could not keep up with its events.
pub const CLOSE_TOO_SLOW: u16 = 4009;
/// Close code: nothing came from the client, not even a pong, for too long.
pub const CLOSE_IDLE: u16 = 4010;
/// Close code: the server is too busy to take the session; reconnect later.
pub const CLOSE_TRY_AGAIN: u16 = 1013;
/// Close code: the user already has as many sessions open as allowed.
pub const CLOSE_TOO_MANY_SESSIONS: u16 = 4011;

/// The header that proves a cluster node, on a link to the owner
/// ([`crate::auth::Keys::node_header`]).
pub const RELAY_HEADER: &str = "x-ringside-relay";

/// Bytes read from a socket at a time. The WebSocket layer zero-fills this
/// much before every read and keeps it per socket (128 KiB by default: most
/// of a busy server's time and of 10,000 sockets' memory); frames are small,
/// and a larger one grows the buffer as it comes.
const READ_BUFFER_BYTES: usize = 4 * 1024;

/// How long one write to a socket may take before the socket is given up.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// Frames larger than this are refused by the transport itself (the
/// connection then closes with 1009); frames between [`MAX_FRAME_BYTES`] and
/// this are read and refused with a proper close frame.
pub(crate) const TRANSPORT_LIMIT: usize = 4 * MAX_FRAME_BYTES;

/// How long a closing socket waits for the answers to its in-flight commands.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// Anything the server writes WebSocket messages to: a session's [`Sink`],
/// or a client socket a gateway node keeps.
pub(crate) trait SocketSink: futures_util::Sink<Message> + Unpin {}
impl<S: futures_util::Sink<Message> + Unpin> SocketSink for S {}

/// Frames to a client: its WebSocket, or its socket on a gateway node
/// through the gateway's link (cluster mode).
pub(crate) type Sink = Pin<Box<dyn futures_util::Sink<Message, Error = axum::Error> + Send>>;
/// Frames from a client, from the same.
pub(crate) type Stream = Pin<Box<dyn futures_util::Stream<Item = Result<Message, axum::Error>> + Send>>;

/// `GET /ws`: checks the Origin and the socket caps, then upgrades.
pub async fn handler(
    State(app): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let pending = match admit(&headers, peer, &app.config, &app.tracker, &app.admission) {
        Ok(pending) => pending,
        Err(refused) => return *refused,
    };
    let ws = match upgrade(ws) {
        Ok(ws) => ws,
        Err(refused) => return *refused,
    };
    let tracker = app.tracker.clone();
    ws.on_upgrade(move |socket| tracker.track_future(session(socket, app, pending)))
}

/// The upgrade with the transport limits of every socket, or, for a
/// request that is no WebSocket upgrade, 400 `bad_request` in the JSON of
/// every HTTP refusal rather than axum's text.
pub(crate) fn upgrade(ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>) -> Result<WebSocketUpgrade, Box<Response>> {
    match ws {
        Ok(ws) => Ok(ws.max_message_size(TRANSPORT_LIMIT).max_frame_size(TRANSPORT_LIMIT).read_buffer_size(READ_BUFFER_BYTES)),
        Err(rejection) => Err(Box::new(refuse(StatusCode::BAD_REQUEST, "bad_request", &format!("this path takes only a WebSocket upgrade: {}", rejection.body_text())))),
    }
}

/// The checks before any upgrade, on the owner and on a gateway node: the
/// Origin, the connection cap and the per-address cap of sockets without
/// hello; the address's slot, or the refusal.
pub(crate) fn admit(headers: &HeaderMap, peer: SocketAddr, config: &Config, tracker: &TaskTracker, admission: &Admission) -> Result<Slot<IpAddr>, Box<Response>> {
    if !origin_allowed(headers, &config.allowed_origins) {
        let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()).unwrap_or("?");
        tracing::info!(origin = %echo(origin), "refused a WebSocket upgrade from a disallowed origin");
        return Err(Box::new(refuse(StatusCode::FORBIDDEN, "origin_not_allowed", &format!("origin {} is not allowed", echo(origin)))));
    }
    let limits = &config.limits;
    if tracker.len() >= limits.max_connections {
        return Err(Box::new(refuse(StatusCode::SERVICE_UNAVAILABLE, "too_many_connections", "the server has no room for another session; retry later")));
    }
    // SPEC N8: sockets that have not said hello cost memory and a timer
    // without a user to count them against; cap them per address.
    let address = peer.ip();
    admission.pending(address, limits.max_unauthenticated_per_address).ok_or_else(|| {
        tracing::info!(%address, "refused a WebSocket upgrade: too many sockets without hello from one address");
        let message = "too many sockets from this address have not said hello; retry later";
        Box::new(refuse(StatusCode::SERVICE_UNAVAILABLE, "too_many_pending", message))
    })
}

/// An HTTP refusal with a stable code.
pub(crate) fn refuse(status: StatusCode, code: &str, message: &str) -> Response {
    (status, axum::Json(serde_json::json!({ "code": code, "message": message }))).into_response()
}

/// No Origin (a non-browser client), the same host as the request, or one of
/// the configured origins.
fn origin_allowed(headers: &HeaderMap, allowed: &[String]) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else { return true };
    let Ok(origin) = origin.to_str() else { return false };
    let origin = origin.trim_end_matches('/');
    if allowed.iter().any(|a| a == "*" || a.trim_end_matches('/').eq_ignore_ascii_case(origin)) {
        return true;
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let origin_host = origin.strip_prefix("http://").or_else(|| origin.strip_prefix("https://"));
    matches!((host, origin_host), (Some(h), Some(o)) if h.eq_ignore_ascii_case(o))
}

/// Token bucket: `rate` frames per second, up to `burst` at once.
struct Bucket {
    tokens: f64,
    rate: f64,
    burst: f64,
    at: Instant,
}

impl Bucket {
    fn new(rate: f64, burst: f64) -> Bucket {
        Bucket { tokens: burst, rate, burst, at: Instant::now() }
    }
    fn take(&mut self) -> bool {
        let now = Instant::now();
        self.tokens = (self.tokens + now.duration_since(self.at).as_secs_f64() * self.rate).min(self.burst);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// Rate-limited frames within a window that starts at the first of them.
struct Strikes {
    window: Duration,
    started: Instant,
    count: u32,
}

impl Strikes {
    fn new(window: Duration) -> Strikes {
        Strikes { window, started: Instant::now(), count: 0 }
    }

    /// Counts a strike at `now`; returns the strikes in the current window.
    fn add(&mut self, now: Instant) -> u32 {
        if self.count == 0 || now.duration_since(self.started) >= self.window {
            self.started = now;
            self.count = 0;
        }
        self.count += 1;
        self.count
    }
}

fn server_now() -> ServerTime {
    ServerTime(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64))
}

/// The text frame for `message`, or its length when it is over the limit
/// clients accept (SPEC N8).
fn frame_for(message: &ServerMessage) -> Result<String, usize> {
    let text = message.encode();
    if text.len() > MAX_SERVER_FRAME_BYTES {
        return Err(text.len());
    }
    Ok(text)
}

/// Sends a message; `false` when the socket is gone. A message over the
/// client's frame limit is not sent: the socket is closed with 1011.
async fn send<S: SocketSink>(sink: &mut S, message: &ServerMessage) -> bool {
    write(sink, message).await && matches!(tokio::time::timeout(WRITE_TIMEOUT, sink.flush()).await, Ok(Ok(())))
}

/// Queues a message on the socket without flushing it.
async fn write<S: SocketSink>(sink: &mut S, message: &ServerMessage) -> bool {
    let text = match frame_for(message) {
        Ok(text) => text,
        Err(bytes) => {
            tracing::error!(bytes, limit = MAX_SERVER_FRAME_BYTES, "a message over the client frame limit was not sent; closing the socket");
            close(sink, CLOSE_INTERNAL_ERROR, "message over the frame limit").await;
            return false;
        }
    };
    matches!(tokio::time::timeout(WRITE_TIMEOUT, sink.feed(Message::Text(text.into()))).await, Ok(Ok(())))
}

/// How many waiting messages are written before one flush.
const WRITES_PER_FLUSH: usize = 64;

/// Writes `first` and the messages already waiting behind it, then flushes
/// once: under load an event and its ack cost one write to the socket, not
/// two. Counts the answers among them off `pending`.
async fn send_waiting(sink: &mut Sink, first: ServerMessage, inbox: &mut mpsc::Receiver<ServerMessage>, pending: &mut usize) -> bool {
    let mut next = Some(first);
    let mut written = 0;
    while let Some(message) = next {
        // Acks and nacks from the owner answer this socket's commands.
        if matches!(message, ServerMessage::Ack { .. } | ServerMessage::Nack { .. }) {
            *pending = pending.saturating_sub(1);
        }
        if !write(sink, &message).await {
            return false;
        }
        written += 1;
        next = if written < WRITES_PER_FLUSH { inbox.try_recv().ok() } else { None };
    }
    matches!(tokio::time::timeout(WRITE_TIMEOUT, sink.flush()).await, Ok(Ok(())))
}

async fn close<S: SocketSink>(sink: &mut S, code: u16, reason: &str) {
    let frame = CloseFrame { code, reason: reason.to_owned().into() };
    let _ = tokio::time::timeout(WRITE_TIMEOUT, async {
        let _ = sink.send(Message::Close(Some(frame))).await;
        let _ = sink.flush().await;
    })
    .await;
}

/// The answer to a frame the owner's full queue could not take.
fn busy(id: Option<ringside::model::CommandId>) -> ServerMessage {
    ServerMessage::Nack { id, code: "busy".into(), message: "the server is busy; resend shortly".into() }
}

/// Sends the answer to the client's close frame, which the WebSocket layer
/// queued as it read it: the client sees a clean close with its own code,
/// not a dropped connection (1006).
pub(crate) async fn answer_close<S: SocketSink>(sink: &mut S) {
    let _ = tokio::time::timeout(WRITE_TIMEOUT, sink.flush()).await;
}

/// A read the WebSocket layer refused: the `error` frame the client gets
/// (if any) and the close code; `None` when the connection is already gone.
fn read_refusal(error: axum::Error) -> Option<(Option<(&'static str, String)>, u16)> {
    use tokio_tungstenite::tungstenite::Error;
    match error.into_inner().downcast::<Error>().map(|e| *e) {
        Ok(Error::Capacity(_)) => Some((Some(("oversize_frame", format!("the message is too big: a frame may hold at most {MAX_FRAME_BYTES} bytes"))), CLOSE_TOO_BIG)),
        Ok(Error::Utf8(_)) => Some((Some(("malformed_frame", "a text frame that is not UTF-8".to_owned())), CLOSE_INVALID_DATA)),
        Ok(Error::Protocol(_)) => Some((None, CLOSE_PROTOCOL_ERROR)),
        _ => None,
    }
}

/// Ends a socket after a refused read, as [`read_refusal`] says: on the
/// owner, and on a gateway for the client sockets it keeps.
pub(crate) async fn refuse_read<S: SocketSink>(sink: &mut S, error: axum::Error) {
    match read_refusal(error) {
        Some((Some((code, message)), close_code)) => fail(sink, code, &message, close_code).await,
        Some((None, close_code)) => close(sink, close_code, "protocol error").await,
        None => {}
    }
}

/// Why a data frame is refused for its size: over [`MAX_FRAME_BYTES`],
/// text or binary (SPEC N8).
fn oversize(frame: &Message) -> Option<String> {
    let len = match frame {
        Message::Text(text) => text.len(),
        Message::Binary(bytes) => bytes.len(),
        _ => return None,
    };
    (len > MAX_FRAME_BYTES).then(|| format!("frame of {len} bytes exceeds the limit of {MAX_FRAME_BYTES}"))
}

async fn fail<S: SocketSink>(sink: &mut S, code: &str, message: &str, close_code: u16) {
    send(sink, &ServerMessage::Error { code: code.to_owned(), message: message.to_owned() }).await;
    close(sink, close_code, code).await;
}

/// What the hello phase produced.
enum Hello {
    Ok { actor: Actor, resume: Option<ringside::model::Seq>, expires: u64 },
    Closed,
}

async fn read_hello(app: &AppState, sink: &mut Sink, stream: &mut Stream) -> Hello {
    // One deadline for the whole hello phase: control frames do not extend it.
    let deadline = tokio::time::Instant::now() + Duration::from_millis(app.config.limits.hello_timeout_ms);
    let first = loop {
        match tokio::time::timeout_at(deadline, stream.next()).await {
            Err(_) => {
                fail(sink, "hello_timeout", "no hello within the time allowed", CLOSE_NO_HELLO).await;
                return Hello::Closed;
            }
            Ok(None) => return Hello::Closed,
            Ok(Some(Err(e))) => {
                refuse_read(sink, e).await;
                return Hello::Closed;
            }
            Ok(Some(Ok(frame))) => {
                if let Some(message) = oversize(&frame) {
                    fail(sink, "oversize_frame", &message, CLOSE_TOO_BIG).await;
                    return Hello::Closed;
                }
                match frame {
                    Message::Text(text) => break text,
                    Message::Close(_) => {
                        answer_close(sink).await;
                        return Hello::Closed;
                    }
                    Message::Binary(_) => {
                        fail(sink, "hello_required", "the first frame must be a hello text frame", CLOSE_NO_HELLO).await;
                        return Hello::Closed;
                    }
                    _ => continue,
                }
            }
        }
    };
    let (token, resume) = match ClientMessage::read_hello(first.as_str()) {
        Ok(hello) => hello,
        Err(HelloRefusal { code, message, close }) => {
            fail(sink, code, &message, close).await;
            return Hello::Closed;
        }
    };
    match app.keys.verify(&token) {
        Ok(claims) => Hello::Ok { actor: Actor { user: claims.user(), role: claims.role }, resume, expires: claims.exp },
        Err(e) => {
            let close_code = if e.code() == "token_expired" { CLOSE_TOKEN_EXPIRED } else { CLOSE_UNAUTHORIZED };
            fail(sink, e.code(), &e.to_string(), close_code).await;
            Hello::Closed
        }
    }
}

/// One socket, from upgrade to close. `pending` is its place among the
/// sockets of its address that have not said hello.
async fn session(socket: WebSocket, app: AppState, pending: Slot<IpAddr>) {
    let (sink, stream) = socket.split();
    serve_session(Box::pin(sink), Box::pin(stream), app, pending).await;
}

/// A session on any pair of frame streams: hello, then commands until the
/// client or the server ends it.
pub(crate) async fn serve_session(mut sink: Sink, stream: Stream, app: AppState, pending: Slot<IpAddr>) {
    // Fused: [`linger`] reads on after the session, maybe past the end (a
    // relayed socket's stream must not be polled again once it ended).
    let mut stream: Stream = Box::pin(stream.fuse());
    converse(&mut sink, &mut stream, app, pending).await;
    linger(&mut stream).await;
}

/// How long a session that ends reads on for the client's close answer.
const CLOSE_LINGER: Duration = Duration::from_secs(1);

/// Reads and drops what the client sent after the session's last frame,
/// until its close answer or the stream's end (at most [`CLOSE_LINGER`]):
/// a socket closed with unread frames is reset by the kernel, and a reset
/// makes the client drop the close frame it has not read yet (4008, 1009),
/// so it would see 1006 instead of why.
async fn linger(stream: &mut Stream) {
    let _ = tokio::time::timeout(CLOSE_LINGER, async {
        while let Some(Ok(frame)) = stream.next().await {
            if matches!(frame, Message::Close(_)) {
                break;
            }
        }
    })
    .await;
}

/// The session proper: hello, then frames both ways until either side ends it.
async fn converse(sink: &mut Sink, stream: &mut Stream, app: AppState, pending: Slot<IpAddr>) {
    let (actor, resume, expires) = tokio::select! {
        hello = read_hello(&app, sink, stream) => match hello {
            Hello::Ok { actor, resume, expires } => (actor, resume, expires),
            Hello::Closed => return,
        },
        _ = app.shutdown.cancelled() => {
            close(sink, CLOSE_GOING_AWAY, "server shutting down").await;
            return;
        }
    };
    drop(pending);
    let limits = &app.config.limits;
    // SPEC N8: each session costs an outbox and a place in the fan-out.
    let Some(_place) = app.admission.session(&actor.user, limits.max_sessions_per_user) else {
        let message = format!("{} already has {} sessions open, the most allowed", echo(actor.user.as_str()), limits.max_sessions_per_user);
        fail(sink, "too_many_sessions", &message, CLOSE_TOO_MANY_SESSIONS).await;
        return;
    };
    let (outbox, mut inbox) = mpsc::channel(OUTBOX_CAPACITY);
    let (reply, registered) = oneshot::channel();
    match app.owner.send(Input::Hello { actor: actor.clone(), resume, outbox, reply }) {
        Ok(()) => {}
        Err(Refused::Busy) => {
            fail(sink, "busy", "the server is busy; reconnect shortly", CLOSE_TRY_AGAIN).await;
            return;
        }
        Err(Refused::Stopped) => {
            close(sink, CLOSE_GOING_AWAY, "server shutting down").await;
            return;
        }
    }
    let Ok(session) = registered.await else {
        // The owner could not register us: pass on what it said, then close.
        while let Ok(message) = inbox.try_recv() {
            send(sink, &message).await;
        }
        close(sink, CLOSE_GOING_AWAY, "server unavailable").await;
        return;
    };
    tracing::info!(%session, user = %actor.user, role = actor.role.name(), "session opened");
    let mut bucket = Bucket::new(limits.commands_per_second, limits.command_burst);
    let mut strikes = Strikes::new(Duration::from_millis(limits.rate_limit_window_ms));
    let remaining_ms = expires.saturating_mul(1000).saturating_sub(server_now().0);
    let expiry = tokio::time::sleep(Duration::from_millis(remaining_ms));
    tokio::pin!(expiry);
    let ping_every = Duration::from_millis(limits.ping_interval_ms);
    let idle_after = Duration::from_millis(limits.idle_timeout_ms);
    let mut pinger = tokio::time::interval_at(tokio::time::Instant::now() + ping_every, ping_every);
    pinger.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_heard = tokio::time::Instant::now();
    let mut disconnect = true;
    // Commands sent to the owner and not answered yet.
    let mut pending = 0usize;
    loop {
        tokio::select! {
            biased;
            _ = app.shutdown.cancelled() => {
                // Finish in-flight commands: their answers come before the close.
                let deadline = tokio::time::Instant::now() + SHUTDOWN_GRACE;
                loop {
                    let next = if pending == 0 {
                        inbox.try_recv().ok()
                    } else {
                        tokio::time::timeout_at(deadline, inbox.recv()).await.ok().flatten()
                    };
                    let Some(message) = next else { break };
                    if matches!(message, ServerMessage::Ack { .. } | ServerMessage::Nack { .. }) {
                        pending = pending.saturating_sub(1);
                    }
                    if !send(sink, &message).await {
                        break;
                    }
                }
                close(sink, CLOSE_GOING_AWAY, "server shutting down").await;
                // The next run disconnects this session when it starts, so
                // the reconnect grace counts from then (SPEC N3).
                disconnect = false;
                break;
            }
            _ = &mut expiry => {
                fail(sink, "token_expired", "the token has expired; reconnect with a new one", CLOSE_TOKEN_EXPIRED).await;
                break;
            }
            _ = pinger.tick() => {
                if last_heard.elapsed() >= idle_after {
                    close(sink, CLOSE_IDLE, "nothing heard from the client").await;
                    break;
                }
                if last_heard.elapsed() >= ping_every
                    && !matches!(tokio::time::timeout(WRITE_TIMEOUT, sink.send(Message::Ping(Vec::new().into()))).await, Ok(Ok(())))
                {
                    break;
                }
            }
            message = inbox.recv() => match message {
                Some(message) => {
                    if !send_waiting(sink, message, &mut inbox, &mut pending).await {
                        break;
                    }
                }
                None => {
                    close(sink, CLOSE_TOO_SLOW, "too slow: reconnect and resume").await;
                    break;
                }
            },
            frame = stream.next() => {
                last_heard = tokio::time::Instant::now();
                let frame = match frame {
                    None => break,
                    Some(Ok(Message::Close(_))) => {
                        answer_close(sink).await;
                        break;
                    }
                    Some(Err(e)) => {
                        tracing::debug!(%session, error = %e, "socket read failed");
                        refuse_read(sink, e).await;
                        break;
                    }
                    Some(Ok(frame)) => frame,
                };
                // SPEC N8: a frame over the limit ends the session, whatever
                // the rate; it is read already, and sizing it costs nothing.
                if let Some(message) = oversize(&frame) {
                    fail(sink, "oversize_frame", &message, CLOSE_TOO_BIG).await;
                    break;
                }
                // Every other frame, control frames included, pays before
                // any work is done on it; a limited frame is not decoded.
                if !bucket.take() {
                    if strikes.add(Instant::now()) >= limits.rate_limit_strikes {
                        fail(sink, "rate_limited", "too many frames over the rate limit", CLOSE_RATE_LIMITED).await;
                        break;
                    }
                    let id = match &frame {
                        Message::Text(text) => ClientMessage::peek_command_id(text.as_str()),
                        Message::Binary(_) => None,
                        // A control frame has nothing to answer.
                        _ => continue,
                    };
                    let nack = ServerMessage::Nack { id, code: "rate_limited".into(), message: "too many frames; slow down".into() };
                    if !send(sink, &nack).await { break; }
                    continue;
                }
                let text = match frame {
                    Message::Text(text) => text,
                    Message::Binary(_) => {
                        let nack = ServerMessage::Nack { id: None, code: "malformed_frame".into(), message: "binary frames are not supported; send JSON text".into() };
                        if !send(sink, &nack).await { break; }
                        continue;
                    }
                    _ => continue,
                };
                let reply = match ClientMessage::decode(text.as_str()) {
                    Err(refused) => Some(ServerMessage::Nack { id: refused.id, code: refused.error.code().into(), message: refused.error.to_string() }),
                    Ok(ClientMessage::Hello { .. }) => Some(ServerMessage::Nack { id: None, code: "already_authenticated".into(), message: "this session has already said hello".into() }),
                    Ok(ClientMessage::Ping { client_time }) => Some(ServerMessage::Pong { client_time, server_time: server_now() }),
                    Ok(ClientMessage::Resync) => {
                        match app.owner.send(Input::Resync { session }) {
                            Ok(()) => None,
                            Err(Refused::Busy) => Some(busy(None)),
                            Err(Refused::Stopped) => break,
                        }
                    }
                    Ok(ClientMessage::SubscribeRoster { resume }) => match app.owner.send(Input::Roster { session, request: RosterRequest::Subscribe(resume) }) {
                        Ok(()) => None,
                        Err(Refused::Busy) => Some(busy(None)),
                        Err(Refused::Stopped) => break,
                    },
                    Ok(ClientMessage::UnsubscribeRoster) => match app.owner.send(Input::Roster { session, request: RosterRequest::Unsubscribe }) {
                        Ok(()) => None,
                        Err(Refused::Busy) => Some(busy(None)),
                        Err(Refused::Stopped) => break,
                    },
                    Ok(ClientMessage::Command { id, kind }) => {
                        match app.owner.send(Input::Command { session, actor: actor.clone(), id: id.clone(), kind }) {
                            Ok(()) => {
                                pending += 1;
                                None
                            }
                            Err(Refused::Busy) => Some(busy(Some(id))),
                            Err(Refused::Stopped) => break,
                        }
                    }
                };
                if let Some(reply) = reply {
                    if !send(sink, &reply).await { break; }
                }
            }
        }
    }
    if disconnect {
        app.owner.disconnect(session);
    }
    tracing::info!(%session, user = %actor.user, "session closed");
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(origin: Option<&str>, host: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_str(host).expect("ascii"));
        if let Some(o) = origin {
            h.insert(header::ORIGIN, HeaderValue::from_str(o).expect("ascii"));
        }
        h
    }

    #[test]
    fn origins_are_allowed_when_absent_same_host_or_listed() {
        let allowed = vec!["https://crm.example.com".to_owned()];
        assert!(origin_allowed(&headers(None, "127.0.0.1:8080"), &allowed));
        assert!(origin_allowed(&headers(Some("http://127.0.0.1:8080"), "127.0.0.1:8080"), &allowed));
        assert!(origin_allowed(&headers(Some("https://crm.example.com"), "127.0.0.1:8080"), &allowed));
        assert!(!origin_allowed(&headers(Some("https://evil.example"), "127.0.0.1:8080"), &allowed));
    }

    // SPEC N8
    #[test]
    fn strikes_add_up_within_the_window_and_start_over_after_it_spec_n8() {
        let mut strikes = Strikes::new(Duration::from_secs(10));
        let start = Instant::now();
        assert_eq!(strikes.add(start), 1);
        assert_eq!(strikes.add(start + Duration::from_secs(9)), 2);
        assert_eq!(strikes.add(start + Duration::from_secs(10)), 1, "a new window starts at the first strike after it");
        assert_eq!(strikes.add(start + Duration::from_secs(11)), 2);
    }

    // SPEC N8
    #[test]
    fn a_message_over_the_client_frame_limit_is_not_framed_spec_n8() {
        let error = |len: usize| ServerMessage::Error { code: "x".into(), message: "m".repeat(len) };
        assert!(frame_for(&error(10)).is_ok());
        assert!(frame_for(&error(MAX_SERVER_FRAME_BYTES)).is_err());
    }

    #[test]
    fn the_bucket_allows_a_burst_then_refuses() {
        let mut bucket = Bucket::new(1.0, 3.0);
        assert!(bucket.take() && bucket.take() && bucket.take());
        assert!(!bucket.take());
    }
}
