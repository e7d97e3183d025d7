//! Every input bounded (SPEC N8, SPEC N6), over real sockets: each bound
//! answers its stable code, and the session (or, for caps, everyone else)
//! goes on.

mod common;

use common::{hello_refused, token, Client, TestServer, WAIT};
use ringside::model::profile::Preset;
use ringside::model::state::CommandKind;
use ringside::model::Role;
use ringside::protocol::{ClientMessage, ServerMessage, PROTOCOL_VERSION};
use ringside_server::config::Config;
use std::net::SocketAddr;
use std::time::Duration;

async fn server_with(change: impl FnOnce(&mut Config)) -> TestServer {
    TestServer::start(|db| {
        let mut config = common::config(db, Preset::ContactCenter, 5_000, 5_000);
        change(&mut config);
        config
    })
    .await
}

/// The status and `code` field of an upgrade the server refused over HTTP.
async fn upgrade_refused(addr: SocketAddr) -> (u16, String) {
    match tokio_tungstenite::connect_async(format!("ws://{addr}/ws")).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            let body: serde_json::Value = serde_json::from_slice(response.body().as_deref().unwrap_or_default()).unwrap_or_default();
            (response.status().as_u16(), body["code"].as_str().unwrap_or_default().to_owned())
        }
        other => panic!("expected the upgrade to be refused, got {:?}", other.map(|_| ())),
    }
}

/// Hello as `user` until welcomed: a closed session gives its place back a
/// moment after its socket closes.
async fn welcomed_within_the_wait(server: &TestServer, user: &str) -> Client {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let mut client = Client::open(server.addr).await;
        client.send(&ClientMessage::Hello { token: token(user, Role::Agent), resume: None, protocol: PROTOCOL_VERSION }).await;
        match client.recv().await {
            ServerMessage::Welcome { .. } => return client,
            ServerMessage::Error { code, .. } if code == "too_many_sessions" => {}
            other => panic!("expected a welcome, got {other:?}"),
        }
        assert!(tokio::time::Instant::now() < deadline, "no place was given back");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

// SPEC N8
#[tokio::test]
async fn sessions_past_the_per_user_cap_get_too_many_sessions_and_4011_and_others_go_on_spec_n8() {
    let server = server_with(|config| config.limits.max_sessions_per_user = 2).await;
    let (mut first, _) = server.agent("ana").await;
    let (second, _) = server.agent("ana").await;
    assert_eq!(hello_refused(&server, &token("ana", Role::Agent)).await, (4011, Some("too_many_sessions".into())));
    // Other users and ana's open sessions go on.
    let (mut ben, _) = server.agent("ben").await;
    ben.ok(CommandKind::Login).await;
    first.ok(CommandKind::Login).await;
    // A closed session gives its place back.
    second.close().await;
    welcomed_within_the_wait(&server, "ana").await;
    server.handle.shutdown().await;
}

// SPEC N8
#[tokio::test]
async fn sockets_without_hello_past_the_per_address_cap_get_503_too_many_pending_spec_n8() {
    let server = server_with(|config| {
        config.limits.max_unauthenticated_per_address = 2;
        config.limits.hello_timeout_ms = 5_000;
    })
    .await;
    let mut quiet = Client::open(server.addr).await;
    let _other = Client::open(server.addr).await;
    assert_eq!(upgrade_refused(server.addr).await, (503, "too_many_pending".to_owned()));
    // Saying hello frees the socket's place: a new socket is let in, and
    // authenticated sessions do not count against the cap.
    quiet.send(&ClientMessage::Hello { token: token("ana", Role::Agent), resume: None, protocol: PROTOCOL_VERSION }).await;
    assert!(matches!(quiet.recv().await, ServerMessage::Welcome { .. }));
    let _third = Client::open(server.addr).await;
    assert!(quiet.until_pong().await.is_empty(), "the authenticated session goes on");
    server.handle.shutdown().await;
}

