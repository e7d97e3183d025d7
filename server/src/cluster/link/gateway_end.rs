//! The gateway's end of a link: one link to the center's owner, opened by
//! the first client socket and shared by all that follow; each client
//! socket is a numbered stream on it. The gateway pings its clients and
//! closes silent ones (4010) and ones that do not keep up (4009); when the
//! link breaks (the owner went away) every client on it is closed with
//! 1012: reconnect, to any node, and resume.

use super::{decode, decode_close, encode, Kind};
use crate::auth::Keys;
use crate::cluster::gateway::CLOSE_SERVICE_RESTART;
use crate::metrics::Metrics;
use crate::ws::{answer_close, refuse_read, CLOSE_GOING_AWAY, CLOSE_IDLE, CLOSE_TOO_SLOW, RELAY_HEADER};
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures_util::{SinkExt, StreamExt};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message as Upstream;
use tokio_util::sync::CancellationToken;

/// Frames waiting to go up the link, from all its clients.
const UP_QUEUE: usize = 4096;
/// Frames from the owner waiting for a slow client; past it, 4009.
const CLIENT_QUEUE: usize = 256;
/// Bytes of those frames; past it, 4009 too (SPEC N8): roster frames run
/// to half a megabyte, so the count alone would let one socket that does
/// not read hold over a hundred megabytes.
const CLIENT_QUEUE_BYTES: usize = 8 << 20;
/// The reason of the 1012 a relayed client gets when its owner goes away.
const OWNER_GONE: &str = "the owner went away; reconnect and resume";

/// What the owner sends one client.
#[derive(Debug)]
enum Down {
    Text(String),
    Close(u16, String),
}

/// A relayed client's queue, and the bytes of text waiting in it.
#[derive(Debug, Clone)]
struct ClientQueue {
    down: mpsc::Sender<Down>,
    waiting: Arc<AtomicUsize>,
}

type Clients = Arc<Mutex<HashMap<u64, ClientQueue>>>;

/// A link to one owner.
#[derive(Debug)]
pub struct Link {
    owner: String,
    up: mpsc::Sender<Vec<u8>>,
    clients: Clients,
    next: AtomicU64,
    gone: CancellationToken,
}

/// A gateway's link to its center's owner, made when first needed and
/// again when the owner changes or the link breaks.
#[derive(Debug, Clone, Default)]
pub struct Links(Arc<tokio::sync::Mutex<Option<Arc<Link>>>>);

impl Links {
    /// The link to `owner` for `center`, connecting within `limit` if
    /// there is none yet; `None` when the owner cannot be reached.
    pub async fn to(&self, owner: &str, center: &str, keys: &Keys, limit: Duration) -> Option<Arc<Link>> {
        let mut current = self.0.lock().await;
        if let Some(link) = current.as_ref().filter(|l| l.owner == owner && !l.gone.is_cancelled()) {
            return Some(link.clone());
        }
        let link = tokio::time::timeout(limit, Link::connect(owner, center, keys)).await.ok().flatten()?;
        *current = Some(link.clone());
        Some(link)
    }

    /// Ends the link unless it goes to `owner`, now the center's owner: its
    /// clients get 1012 and reconnect to the new one, though the old node
    /// may still be alive (paused, cut off) and never end the link itself.
    pub async fn keep_only(&self, owner: &str) {
        let mut current = self.0.lock().await;
        if let Some(stale) = current.take_if(|l| l.owner != owner) {
            stale.abandon();
        }
    }
}

impl Link {
    async fn connect(owner: &str, center: &str, keys: &Keys) -> Option<Arc<Link>> {
        let mut request = format!("ws://{owner}/link?center={center}").into_client_request().ok()?;
        let vouched = HeaderValue::try_from(keys.node_header()).ok()?;
        request.headers_mut().insert(RELAY_HEADER, vouched);
        let (socket, _) = tokio_tungstenite::connect_async(request).await.map_err(|e| tracing::info!(%owner, error = %e, "cannot open a link to the owner")).ok()?;
        let (mut to_owner, mut from_owner) = socket.split();
        let (up, mut frames) = mpsc::channel::<Vec<u8>>(UP_QUEUE);
        let link = Arc::new(Link { owner: owner.to_owned(), up, clients: Clients::default(), next: AtomicU64::new(1), gone: CancellationToken::new() });
        let gone = link.gone.clone();
        tokio::spawn(async move {
            let writing = async {
                while let Some(frame) = frames.recv().await {
                    if to_owner.send(Upstream::binary(frame)).await.is_err() {
                        break;
                    }
                }
            };
            tokio::select! {
                _ = writing => {}
                _ = gone.cancelled() => {}
            }
            let _ = to_owner.close().await;
        });
        let reader = link.clone();
        tokio::spawn(async move {
            let reading = async {
                while let Some(Ok(frame)) = from_owner.next().await {
                    let Upstream::Binary(bytes) = frame else { continue };
                    let Some((kind, socket, payload)) = decode(&bytes) else { break };
                    reader.deliver(kind, socket, payload);
                }
            };
            tokio::select! {
                _ = reading => {}
                _ = reader.gone.cancelled() => {}
            }
            reader.abandon();
        });
        Some(link)
    }

    /// The owner went away: every client on the link gets 1012.
    fn abandon(&self) {
        self.gone.cancel();
        self.clients.lock().map(|mut c| c.clear()).unwrap_or_default();
    }

    /// Hands a frame from the owner to its client.
    fn deliver(&self, kind: Kind, socket: u64, payload: &[u8]) {
        let client = self.clients.lock().ok().and_then(|c| c.get(&socket).cloned());
        let Some(client) = client else {
            // A client that is gone: the owner's session ends too.
            if kind != Kind::Close {
                let _ = self.up.try_send(encode(Kind::Close, socket, &[]));
            }
            return;
        };
        let down = match kind {
            Kind::Text => {
                let text = String::from_utf8_lossy(payload).into_owned();
                // Counted as the client's task will count it off.
                if client.waiting.fetch_add(text.len(), Ordering::Relaxed) + text.len() > CLIENT_QUEUE_BYTES {
                    self.forget(socket);
                    return;
                }
                Down::Text(text)
            }
            Kind::Close => match decode_close(payload) {
                // The owner stopping, or losing the center, is the owner
                // going away for a relayed client: this node stays.
                (CLOSE_GOING_AWAY, _) => Down::Close(CLOSE_SERVICE_RESTART, OWNER_GONE.into()),
                (code, reason) => Down::Close(code, reason),
            },
            // The client is alive as far as this gateway knows: it closes
            // silent ones itself.
            Kind::Ping => {
                let _ = self.up.try_send(encode(Kind::Pong, socket, &[]));
                return;
            }
            Kind::Open | Kind::Binary | Kind::Pong => return,
        };
        if client.down.try_send(down).is_err() {
            // Too slow: dropping its queue tells the client's task.
            self.forget(socket);
        }
    }

    fn forget(&self, socket: u64) {
        if let Ok(mut clients) = self.clients.lock() {
            clients.remove(&socket);
        }
    }
}

/// How a relayed socket ended on the client's side.
enum ClientSide {
    /// The client's connection is gone.
    Gone,
    /// The client sent its close frame: the answer is queued.
    Closed,
    /// The WebSocket layer refused what the client sent (too large, not
    /// UTF-8, not the protocol).
    Refused(axum::Error),
    /// Nothing from the client, not even a pong, for `idle_after`.
    Idle,
}

/// What the gateway sends the client as its socket ends.
enum LastWord {
    /// A close frame of its own.
    Close(u16, &'static str),
    /// The answer to the client's close frame.
    AnswerClose,
    /// The refusal of what the client sent, as the owner would give it.
    Refuse(axum::Error),
}

/// How a relayed socket ended on the owner's side.
enum OwnerSide {
    /// The owner closed the session (its close frame went to the client).
    Closed,
    /// The client's queue was dropped: it fell behind, or the link broke.
    Cut,
}

/// Relays one client socket over `link` until one side ends it.
pub async fn relay(client: WebSocket, link: Arc<Link>, address: IpAddr, idle_after: Duration, ping_every: Duration, shutdown: &CancellationToken, metrics: &Metrics) {
    let socket = link.next.fetch_add(1, Ordering::Relaxed);
    let (down, mut from_owner) = mpsc::channel(CLIENT_QUEUE);
    let waiting = Arc::new(AtomicUsize::new(0));
    if let Ok(mut clients) = link.clients.lock() {
        clients.insert(socket, ClientQueue { down, waiting: waiting.clone() });
    }
    let (mut to_client, mut from_client) = client.split();
    if link.up.send(encode(Kind::Open, socket, address.to_string().as_bytes())).await.is_err() {
        link.forget(socket);
        let _ = to_client.send(close_frame(CLOSE_SERVICE_RESTART, OWNER_GONE)).await;
        return;
    }
    Metrics::add(&metrics.relayed, 1);
    let up = link.up.clone();
    let outward = async {
        loop {
            let frame = match tokio::time::timeout(idle_after, from_client.next()).await {
                Err(_) => return ClientSide::Idle,
                Ok(Some(Ok(frame))) => frame,
                Ok(Some(Err(e))) => return ClientSide::Refused(e),
                Ok(None) => return ClientSide::Gone,
            };
            let frame = match frame {
                Message::Text(text) => encode(Kind::Text, socket, text.as_bytes()),
                Message::Binary(bytes) => encode(Kind::Binary, socket, &bytes),
                Message::Ping(_) | Message::Pong(_) => continue,
                Message::Close(_) => return ClientSide::Closed,
            };
            if up.send(frame).await.is_err() {
                return ClientSide::Gone;
            }
        }
    };
    let mut pings = tokio::time::interval_at(tokio::time::Instant::now() + ping_every, ping_every);
    let inward = async {
        loop {
            let down = tokio::select! {
                down = from_owner.recv() => down,
                _ = pings.tick() => {
                    if to_client.send(Message::Ping(Default::default())).await.is_err() {
                        return None;
                    }
                    continue;
                }
            };
            match down {
                Some(Down::Text(text)) => {
                    waiting.fetch_sub(text.len(), Ordering::Relaxed);
                    if to_client.send(Message::Text(text.into())).await.is_err() {
                        return None;
                    }
                }
                Some(Down::Close(code, reason)) => {
                    let _ = to_client.send(close_frame(code, &reason)).await;
                    return Some(OwnerSide::Closed);
                }
                None => return Some(OwnerSide::Cut),
            }
        }
    };
    let last_word = tokio::select! {
        side = outward => match side {
            ClientSide::Idle => Some(LastWord::Close(CLOSE_IDLE, "nothing heard from the client")),
            ClientSide::Closed => Some(LastWord::AnswerClose),
            ClientSide::Refused(e) => Some(LastWord::Refuse(e)),
            ClientSide::Gone => None,
        },
        side = inward => match side {
            Some(OwnerSide::Cut) if link.gone.is_cancelled() => Some(LastWord::Close(CLOSE_SERVICE_RESTART, OWNER_GONE)),
            Some(OwnerSide::Cut) => Some(LastWord::Close(CLOSE_TOO_SLOW, "too slow: reconnect and resume")),
            Some(OwnerSide::Closed) | None => None,
        },
        _ = shutdown.cancelled() => Some(LastWord::Close(CLOSE_GOING_AWAY, "this node is shutting down; reconnect and resume")),
    };
    match last_word {
        Some(LastWord::Close(code, reason)) => {
            let _ = to_client.send(close_frame(code, reason)).await;
        }
        Some(LastWord::AnswerClose) => answer_close(&mut to_client).await,
        Some(LastWord::Refuse(e)) => refuse_read(&mut to_client, e).await,
        None => {}
    }
    // The owner's session ends with the client's socket.
    link.forget(socket);
    let _ = link.up.try_send(encode(Kind::Close, socket, &[]));
    metrics.relayed.fetch_sub(1, Ordering::Relaxed);
}

fn close_frame(code: u16, reason: &str) -> Message {
    Message::Close(Some(CloseFrame { code, reason: reason.into() }))
}
