//! Shared helpers: start the real server on an ephemeral port with a
//! temporary database, and speak the real protocol over WebSocket.
#![allow(dead_code)]

pub mod engine;

use futures_util::{SinkExt, StreamExt};
use ringside::model::profile::{ChannelOverride, Preset, ProfileOverrides};
use ringside::model::state::{CommandKind, Event, EventKind};
use ringside::model::{Channel, CommandId, Role, Seq};
use ringside::protocol::{ClientMessage, ServerMessage, Snapshot};
use ringside_server::auth::Keys;
use ringside_server::config::Config;
use ringside_server::ServerHandle;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long any single await may take before the test fails.
pub const WAIT: Duration = Duration::from_secs(5);

pub const SECRET: &str = "test-secret";

/// A config for tests: loopback port 0, the given database, short hello
/// timeout, and the given voice offer timeout and reconnect grace.
pub fn config(database: &Path, preset: Preset, offer_ms: u64, grace_ms: u64) -> Config {
    let mut config = Config {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        database: database.to_owned(),
        token_secret: Some(SECRET.to_owned()),
        ..Config::default()
    };
    config.limits.hello_timeout_ms = 400;
    config.cluster = engine::from_env(database);
    let mut profile = ProfileOverrides { preset, reconnect_grace_ms: Some(grace_ms), ..Default::default() };
    for channel in Channel::ALL {
        profile.channels.insert(channel, ChannelOverride { offer_timeout_ms: Some(offer_ms), capacity: None });
    }
    config.profile = profile;
    config
}

pub fn keys() -> Keys {
    Keys::new(SECRET.as_bytes())
}

pub fn token(user: &str, role: Role) -> String {
    keys().issue(user, role, 3600)
}

/// A running server with its temporary folder.
pub struct TestServer {
    pub handle: ServerHandle,
    pub addr: SocketAddr,
    pub dir: tempfile::TempDir,
}

/// Starts a server and waits until it owns its center: in cluster mode
/// (`RINGSIDE_TEST_ENGINE`) a node serves as a gateway until it holds the
/// center's lease, and the tests talk to the owner.
pub async fn serve(config: Config) -> ServerHandle {
    let handle = ringside_server::serve(config).await.expect("server starts");
    let owning = tokio::time::timeout(Duration::from_secs(30), handle.owning()).await;
    assert!(matches!(owning, Ok(Some(_))), "the server never came to own its center");
    handle
}

impl TestServer {
    pub fn db(dir: &tempfile::TempDir) -> PathBuf {
        dir.path().join("ringside.db")
    }

    /// Starts a server on a fresh database with the config `make` returns.
    pub async fn start(make: impl FnOnce(&Path) -> Config) -> TestServer {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = make(&Self::db(&dir));
        let handle = serve(config).await;
        let addr = handle.local_addr();
        TestServer { handle, addr, dir }
    }

    /// Starts with a preset, offer timeout and grace.
    pub async fn with(preset: Preset, offer_ms: u64, grace_ms: u64) -> TestServer {
        Self::start(|db| config(db, preset, offer_ms, grace_ms)).await
    }

    pub async fn agent(&self, user: &str) -> (Client, Snapshot) {
        Client::hello(self.addr, &token(user, Role::Agent), None).await.snapshot()
    }

    pub fn http(&self) -> Sim {
        Sim { base: format!("http://{}", self.addr), client: reqwest::Client::new(), token: token("admin", Role::Admin) }
    }
}

/// The customer simulator over HTTP.
pub struct Sim {
    pub base: String,
    pub client: reqwest::Client,
    pub token: String,
}

impl Sim {
    pub async fn post(&self, path: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .expect("request");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(serde_json::Value::Null))
    }

    pub async fn get(&self, path: &str) -> (u16, serde_json::Value) {
        let response = self.client.get(format!("{}{path}", self.base)).bearer_auth(&self.token).send().await.expect("request");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(serde_json::Value::Null))
    }

    /// A new contact on a queue and channel; its id.
    pub async fn contact(&self, queue: &str, channel: &str) -> u64 {
        let (status, body) = self.post("/sim/contacts", serde_json::json!({ "queue": queue, "channel": channel })).await;
        assert_eq!(status, 201, "{body}");
        body["contact"].as_u64().expect("contact id")
    }

    pub async fn state(&self) -> serde_json::Value {
        let (status, body) = self.get("/sim/state").await;
        assert_eq!(status, 200, "{body}");
        body
    }

    /// Polls the simulator's view until `check` holds (an awaited condition
    /// for changes no open socket can see).
    pub async fn until(&self, what: &str, check: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let state = self.state().await;
            if check(&state) {
                return state;
            }
            assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}: {state}");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

pub struct Client {
    pub ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    pub next: u64,
}

/// The answer to hello: the welcome and the socket.
pub struct Welcomed {
    pub client: Client,
    pub welcome: ServerMessage,
}

impl Welcomed {
    pub fn snapshot(self) -> (Client, Snapshot) {
        match self.welcome {
            ServerMessage::Welcome { snapshot: Some(snapshot), .. } => (self.client, snapshot),
            other => panic!("expected a welcome with a snapshot, got {other:?}"),
        }
    }
}

impl Client {
    pub async fn open(addr: SocketAddr) -> Client {
        Client::open_url(&format!("ws://{addr}/ws")).await
    }

    /// Connects to a WebSocket URL (`ws://host:port/ws?center=...`).
    pub async fn open_url(url: &str) -> Client {
        let (ws, _) = tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(url)).await.expect("connect in time").expect("connect");
        Client { ws, next: 0 }
    }

    pub async fn hello(addr: SocketAddr, token: &str, resume: Option<Seq>) -> Welcomed {
        Client::hello_url(&format!("ws://{addr}/ws"), token, resume).await
    }

    /// [`Client::hello`] at a WebSocket URL.
    pub async fn hello_url(url: &str, token: &str, resume: Option<Seq>) -> Welcomed {
        let mut client = Client::open_url(url).await;
        client.send(&ClientMessage::Hello { token: token.to_owned(), resume, protocol: ringside::protocol::PROTOCOL_VERSION }).await;
        let welcome = client.recv().await;
        assert!(matches!(welcome, ServerMessage::Welcome { .. }), "expected welcome, got {welcome:?}");
        Welcomed { client, welcome }
    }

    pub async fn send(&mut self, message: &ClientMessage) {
        self.send_text(&message.encode()).await;
    }

    pub async fn send_text(&mut self, text: &str) {
        self.ws.send(Message::Text(text.to_owned().into())).await.expect("send");
    }

    /// The next server message (fails on close or timeout).
    pub async fn recv(&mut self) -> ServerMessage {
        loop {
            let frame = tokio::time::timeout(WAIT, self.ws.next()).await.expect("a message in time");
            match frame {
                Some(Ok(Message::Text(text))) => return ServerMessage::decode(text.as_str()).expect("valid server message"),
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                other => panic!("expected a message, got {other:?}"),
            }
        }
    }

    /// Skips messages until one matches.
    pub async fn recv_until(&mut self, what: &str, pred: impl Fn(&ServerMessage) -> bool) -> ServerMessage {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}");
            let message = self.recv().await;
            if pred(&message) {
                return message;
            }
        }
    }

    /// The next event whose kind matches.
    pub async fn event(&mut self, what: &str, pred: impl Fn(&EventKind) -> bool) -> Event {
        match self.recv_until(what, |m| matches!(m, ServerMessage::Event(e) if pred(&e.kind))).await {
            ServerMessage::Event(e) => e,
            _ => unreachable!(),
        }
    }

    /// Sends a command with a fresh id and returns its ack or nack, skipping
    /// the events before it.
    pub async fn command(&mut self, kind: CommandKind) -> ServerMessage {
        let id = self.fresh_id();
        self.command_with_id(id, kind).await
    }

    /// A command id never used before in this process: command ids are
    /// remembered per user across tabs (SPEC N1), so two tabs must not reuse
    /// each other's.
    fn fresh_id(&mut self) -> CommandId {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        self.next = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        CommandId(format!("c{}", self.next))
    }

    pub async fn command_with_id(&mut self, id: CommandId, kind: CommandKind) -> ServerMessage {
        self.send(&ClientMessage::Command { id: id.clone(), kind }).await;
        self.recv_until("the command's answer", |m| match m {
            ServerMessage::Ack { id: got, .. } => *got == id,
            ServerMessage::Nack { id: got, .. } => got.as_ref() == Some(&id),
            _ => false,
        })
        .await
    }

    /// Sends a command that must be acked; returns the ack's seq. A `busy`
    /// or `unavailable` nack (nothing was applied: on a loaded machine a
    /// cluster owner's lease may lapse for a moment) is answered as
    /// docs/protocol.md tells clients to: the same command, same id, again.
    pub async fn ok(&mut self, kind: CommandKind) -> Seq {
        let id = self.fresh_id();
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            match self.command_with_id(id.clone(), kind.clone()).await {
                ServerMessage::Ack { seq, .. } => return seq,
                ServerMessage::Nack { code, .. } if matches!(code.as_str(), "busy" | "unavailable") && tokio::time::Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                other => panic!("expected ack, got {other:?}"),
            }
        }
    }

    /// Sends a command that must be acked; returns the ack's seq and the
    /// events that came before the ack (the command's own, and routing's).
    pub async fn ok_with_events(&mut self, kind: CommandKind) -> (Seq, Vec<Event>) {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        let id = CommandId(format!("e{}", NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)));
        self.send(&ClientMessage::Command { id: id.clone(), kind }).await;
        let mut events = Vec::new();
        loop {
            match self.recv().await {
                ServerMessage::Event(e) => events.push(e),
                ServerMessage::Ack { id: got, seq } if got == id => return (seq, events),
                other => panic!("expected events then the ack, got {other:?}"),
            }
        }
    }

    /// Sends a ping and returns every message before the pong.
    pub async fn until_pong(&mut self) -> Vec<ServerMessage> {
        self.send(&ClientMessage::Ping { client_time: 42 }).await;
        let mut before = Vec::new();
        loop {
            match self.recv().await {
                ServerMessage::Pong { client_time: 42, .. } => return before,
                other => before.push(other),
            }
        }
    }

    /// Waits for the close frame; its code and reason. Messages before it
    /// are returned too.
    pub async fn closed(&mut self) -> (u16, String, Vec<ServerMessage>) {
        let mut before = Vec::new();
        loop {
            let frame = tokio::time::timeout(WAIT, self.ws.next()).await.expect("close in time");
            match frame {
                Some(Ok(Message::Text(text))) => before.push(ServerMessage::decode(text.as_str()).expect("valid")),
                Some(Ok(Message::Close(Some(frame)))) => return (u16::from(frame.code), frame.reason.to_string(), before),
                Some(Ok(Message::Close(None))) => return (u16::from(CloseCode::Status), String::new(), before),
                Some(Ok(_)) => continue,
                other => panic!("expected a close frame, got {other:?}"),
            }
        }
    }

    pub async fn close(mut self) {
        let _ = self.ws.close(None).await;
        // Drain until the server's close answer so the disconnect is seen.
        let _ = tokio::time::timeout(WAIT, async { while let Some(Ok(_)) = self.ws.next().await {} }).await;
    }
}

pub fn set_status(status: &str) -> CommandKind {
    CommandKind::SetStatus { status: status.into(), secondary: None }
}

/// Says hello with `token` on a new socket that the server then closes: the
/// close code and the code of the `Error` before it.
pub async fn hello_refused(server: &TestServer, token: &str) -> (u16, Option<String>) {
    let mut client = Client::open(server.addr).await;
    client.send(&ClientMessage::Hello { token: token.to_owned(), resume: None, protocol: ringside::protocol::PROTOCOL_VERSION }).await;
    let (code, _, before) = client.closed().await;
    (code, error_code(&before))
}

/// The error message of a close-bound `Error`, if any.
pub fn error_code(messages: &[ServerMessage]) -> Option<String> {
    messages.iter().find_map(|m| match m {
        ServerMessage::Error { code, .. } => Some(code.clone()),
        _ => None,
    })
}
