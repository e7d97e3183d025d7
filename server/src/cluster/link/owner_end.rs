//! The owner's end of a link: `GET /link` (a node's relay header required),
//! then each client socket the gateway opens on it runs as a session of
//! this owner, exactly as a local socket's does (hello, limits, fan-out).

use super::{decode, encode, encode_close, Kind};
use crate::ws::{refuse, serve_session, upgrade, CLOSE_TRY_AGAIN, RELAY_HEADER, TRANSPORT_LIMIT};
use crate::AppState;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use futures_util::{SinkExt, StreamExt};
use std::collections::HashMap;
use std::net::IpAddr;
use tokio::sync::mpsc;
use tokio_util::sync::PollSender;

/// Frames waiting for the link, from all its sessions.
const LINK_QUEUE: usize = 4096;
/// Frames from one client waiting for its session.
const SESSION_QUEUE: usize = 64;

/// The owner's `/link` route.
pub fn routes(app: AppState) -> Router {
    Router::new().route("/link", get(accept)).with_state(app)
}

/// `GET /link`: only for nodes (a fresh node header, signed with the
/// shared secret).
async fn accept(State(app): State<AppState>, headers: HeaderMap, ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>) -> Response {
    let vouched = headers.get(RELAY_HEADER).and_then(|v| v.to_str().ok()).is_some_and(|h| app.keys.is_node_header(h));
    if !vouched {
        return refuse(StatusCode::FORBIDDEN, "forbidden", "a link is for the cluster's nodes only");
    }
    let tracker = app.tracker.clone();
    // A link frame is a client frame and a 9-byte header.
    let ws = match upgrade(ws) {
        Ok(ws) => ws.max_message_size(TRANSPORT_LIMIT + 64).max_frame_size(TRANSPORT_LIMIT + 64),
        Err(refused) => return *refused,
    };
    ws.on_upgrade(move |socket| tracker.track_future(serve(socket, app)))
}

/// Serves a link until the gateway ends it or this owner stops; its
/// sessions then end as if their clients had gone (a stopping owner's
/// sessions close themselves first, with 1001).
async fn serve(socket: WebSocket, app: AppState) {
    let (mut to_gateway, mut from_gateway) = socket.split();
    let (out, mut outgoing) = mpsc::channel::<(u64, Message)>(LINK_QUEUE);
    let writer = async move {
        while let Some((socket, message)) = outgoing.recv().await {
            let frame = match message {
                Message::Text(text) => encode(Kind::Text, socket, text.as_bytes()),
                Message::Close(close) => close.map_or_else(|| encode_close(socket, 1000, ""), |c| encode_close(socket, c.code, &c.reason)),
                Message::Ping(_) => encode(Kind::Ping, socket, &[]),
                Message::Binary(_) | Message::Pong(_) => continue,
            };
            if to_gateway.send(Message::Binary(frame.into())).await.is_err() {
                break;
            }
        }
        let _ = to_gateway.close().await;
    };
    let reader = async move {
        let mut sessions: HashMap<u64, mpsc::Sender<Result<Message, axum::Error>>> = HashMap::new();
        // Sessions that ended, to forget (one message per session, and the
        // sessions are capped by max_connections).
        let (ended_tx, mut ended) = mpsc::unbounded_channel();
        loop {
            let frame = tokio::select! {
                _ = app.shutdown.cancelled() => break,
                Some(socket) = ended.recv() => {
                    sessions.remove(&socket);
                    continue;
                }
                frame = from_gateway.next() => frame,
            };
            let bytes = match frame {
                Some(Ok(Message::Binary(bytes))) => bytes,
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                Some(Ok(_)) => continue,
            };
            let Some((kind, socket, payload)) = decode(&bytes) else {
                tracing::warn!("a gateway sent a malformed link frame; ending the link");
                break;
            };
            let client = match kind {
                Kind::Open => {
                    open(&app, &out, &mut sessions, &ended_tx, socket, payload).await;
                    continue;
                }
                Kind::Close => {
                    // The client is gone: its session's stream ends.
                    sessions.remove(&socket);
                    continue;
                }
                Kind::Ping => continue,
                Kind::Text => match std::str::from_utf8(payload) {
                    Ok(text) => Message::Text(text.into()),
                    Err(_) => Message::Binary(payload.to_vec().into()),
                },
                Kind::Binary => Message::Binary(payload.to_vec().into()),
                Kind::Pong => Message::Pong(Default::default()),
            };
            if let Some(session) = sessions.get(&socket) {
                if session.send(Ok(client)).await.is_err() {
                    sessions.remove(&socket);
                }
            }
        }
        // Dropping the senders ends every session still open on the link.
    };
    tokio::join!(writer, reader);
}

/// Starts the session of a client socket the gateway opened.
async fn open(
    app: &AppState,
    out: &mpsc::Sender<(u64, Message)>,
    sessions: &mut HashMap<u64, mpsc::Sender<Result<Message, axum::Error>>>,
    ended: &mpsc::UnboundedSender<u64>,
    socket: u64,
    payload: &[u8],
) {
    let limits = &app.config.limits;
    let address: Option<IpAddr> = std::str::from_utf8(payload).ok().and_then(|a| a.parse().ok());
    // SPEC N8: the same caps as a local socket's.
    let slot = if sessions.len() < limits.max_connections { address.and_then(|a| app.admission.pending(a, limits.max_unauthenticated_per_address)) } else { None };
    let Some(slot) = slot else {
        let refused = (socket, Message::Close(Some(axum::extract::ws::CloseFrame { code: CLOSE_TRY_AGAIN, reason: "no room for another session; retry later".into() })));
        let _ = out.send(refused).await;
        return;
    };
    let (inbound, inbox) = mpsc::channel(SESSION_QUEUE);
    sessions.insert(socket, inbound);
    let sink = PollSender::new(out.clone())
        .with(move |message: Message| std::future::ready(Ok::<_, tokio_util::sync::PollSendError<(u64, Message)>>((socket, message))))
        .sink_map_err(|_| axum::Error::new("the link is gone"));
    let stream = futures_util::stream::unfold(inbox, |mut inbox| async move { inbox.recv().await.map(|frame| (frame, inbox)) });
    let (app, ended) = (app.clone(), ended.clone());
    app.tracker.clone().spawn(async move {
        serve_session(Box::pin(sink), Box::pin(stream), app, slot).await;
        let _ = ended.send(socket);
    });
}
