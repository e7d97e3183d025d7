//! Every input bounded (SPEC N8, SPEC N6), over real sockets: each bound
//! answers its stable code, and the session (or, for caps, everyone else)
//! goes on.

mod common;

use common::{error_code, hello_refused, set_status, token, Client, TestServer, WAIT};
use futures_util::SinkExt;
use ringside::model::profile::Preset;
use ringside::model::state::{CommandKind, EventKind};
use ringside::model::{CommandId, Role, StatusId};
use ringside::protocol::limits::{MAX_DTMF_DIGITS, MAX_FRAME_BYTES, MAX_FROM_BYTES, MAX_HISTORY_ENTRIES, MAX_ID_BYTES, MAX_TOKEN_BYTES};
use ringside::protocol::{ClientMessage, ServerMessage, PROTOCOL_VERSION};
use ringside_server::config::Config;
use std::net::SocketAddr;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

async fn server_with(change: impl FnOnce(&mut Config)) -> TestServer {
    TestServer::start(|db| {
        let mut config = common::config(db, Preset::ContactCenter, 5_000, 5_000);
        change(&mut config);
        config
    })
    .await
}

/// A server whose token bucket refills once in ten seconds: past `burst`,
/// every frame is limited.
async fn slow_server(burst: f64, strikes: u32, window_ms: u64) -> TestServer {
    server_with(|config| {
        config.limits.commands_per_second = 0.1;
        config.limits.command_burst = burst;
        config.limits.rate_limit_strikes = strikes;
        config.limits.rate_limit_window_ms = window_ms;
    })
    .await
}

/// The id and code of a nack.
fn nack(message: &ServerMessage) -> (Option<String>, String) {
    match message {
        ServerMessage::Nack { id, code, .. } => (id.as_ref().map(|id| id.0.clone()), code.clone()),
        other => panic!("expected a nack, got {other:?}"),
    }
}

fn nack_with(id: Option<&str>, code: &str) -> (Option<String>, String) {
    (id.map(str::to_owned), code.to_owned())
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

// SPEC N8
#[tokio::test]
async fn a_text_over_its_bound_gets_invalid_message_naming_the_command_and_the_session_goes_on_spec_n8() {
    let server = server_with(|_| {}).await;
    let (mut ana, _) = server.agent("ana").await;
    let long_status = CommandKind::SetStatus { status: StatusId("s".repeat(MAX_ID_BYTES + 1)), secondary: None };
    let answer = ana.command_with_id(CommandId::from("long1"), long_status).await;
    assert_eq!(nack(&answer), nack_with(Some("long1"), "invalid_message"));
    // An over-long command id is refused without being named.
    ana.send(&ClientMessage::Command { id: CommandId("c".repeat(MAX_ID_BYTES + 1)), kind: CommandKind::Login }).await;
    assert_eq!(nack(&ana.recv().await), nack_with(None, "invalid_message"));
    // Nothing was applied, and the session goes on.
    ana.ok(CommandKind::Login).await;
    server.handle.shutdown().await;
}

// SPEC N8
#[tokio::test]
async fn a_hello_with_a_token_over_its_bound_is_refused_and_others_go_on_spec_n8() {
    let server = server_with(|_| {}).await;
    let (mut ben, _) = server.agent("ben").await;
    assert_eq!(hello_refused(&server, &"t".repeat(MAX_TOKEN_BYTES + 1)).await, (4002, Some("invalid_message".into())));
    // A user id over its bound in a validly signed token is unauthorized.
    let long_user = token(&"u".repeat(MAX_ID_BYTES + 1), Role::Agent);
    assert_eq!(hello_refused(&server, &long_user).await, (4001, Some("unauthorized".into())));
    ben.ok(CommandKind::Login).await;
    server.handle.shutdown().await;
}

// SPEC N8
#[tokio::test]
async fn a_refusal_quotes_at_most_a_short_piece_of_what_the_client_sent_spec_n8() {
    let server = server_with(|_| {}).await;
    let (mut ana, _) = server.agent("ana").await;
    let kind = "k".repeat(10_000);
    ana.send_text(&format!(r#"{{"command":{{"id":"q1","kind":{{"{kind}":{{}}}}}}}}"#)).await;
    match ana.recv().await {
        ServerMessage::Nack { id, code, message } => {
            assert_eq!((id.map(|id| id.0).as_deref(), code.as_str()), (Some("q1"), "unknown_kind"));
            assert!(message.len() < 200, "{message}");
        }
        other => panic!("expected a nack, got {other:?}"),
    }
    ana.ok(CommandKind::Login).await;
    server.handle.shutdown().await;
}

// SPEC N8, SPEC V5
#[tokio::test]
async fn dtmf_past_a_full_case_history_gets_history_full_and_the_call_goes_on_spec_n8() {
    let server = server_with(|config| config.limits.commands_per_second = 1_000.0).await;
    let (mut ana, _) = server.agent("ana").await;
    ana.ok(CommandKind::Login).await;
    ana.ok(set_status("available")).await;
    server.http().contact("support", "voice").await;
    let offered = ana.event("offer", |k| matches!(k, EventKind::OfferCreated { .. })).await;
    let EventKind::OfferCreated { offer } = offered.kind else { unreachable!() };
    ana.ok(CommandKind::Accept { offer: offer.id }).await;
    let (_, snapshot) = server.agent("ana").await;
    let call = snapshot.state.interactions[0].id;
    let dtmf = || CommandKind::Dtmf { interaction: call, digits: "9".repeat(MAX_DTMF_DIGITS) };
    for _ in 0..MAX_HISTORY_ENTRIES {
        ana.ok(dtmf()).await;
    }
    assert_eq!(nack(&ana.command(dtmf()).await).1, "history_full");
    ana.ok(CommandKind::Hold { interaction: call, participant: None }).await;
    let (_, snapshot) = server.agent("ana").await;
    assert_eq!(snapshot.state.interactions[0].call.history.len(), MAX_HISTORY_ENTRIES);
    server.handle.shutdown().await;
}

// SPEC N8
#[tokio::test]
async fn a_customer_name_over_its_bound_is_refused_by_the_simulator_spec_n8() {
    let server = server_with(|_| {}).await;
    let sim = server.http();
    let contact = |from: String| serde_json::json!({ "queue": "support", "channel": "chat", "from": from });
    let (status, body) = sim.post("/sim/contacts", contact("f".repeat(MAX_FROM_BYTES + 1))).await;
    assert_eq!((status, body["code"].as_str()), (400, Some("bad_request")));
    let (status, _) = sim.post("/sim/contacts", contact("f".repeat(MAX_FROM_BYTES))).await;
    assert_eq!(status, 201);
    server.handle.shutdown().await;
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

// SPEC N8
#[tokio::test]
async fn control_frames_count_against_the_rate_limit_spec_n8() {
    let server = slow_server(3.0, 5, 10_000).await;
    let (mut ben, _) = server.agent("ben").await;
    let (mut ana, _) = server.agent("ana").await;
    for _ in 0..10 {
        ana.ws.send(Message::Ping(Vec::new().into())).await.expect("ping");
    }
    let (code, _, before) = ana.closed().await;
    assert_eq!((code, error_code(&before).as_deref()), (4008, Some("rate_limited")));
    assert!(before.iter().all(|m| matches!(m, ServerMessage::Error { .. })), "control frames get no nacks: {before:?}");
    ben.ok(CommandKind::Login).await;
    server.handle.shutdown().await;
}

// SPEC N8
#[tokio::test]
async fn a_rate_limited_frame_is_not_decoded_and_its_nack_names_a_peeked_command_id_spec_n8() {
    let server = slow_server(1.0, 10, 10_000).await;
    let (mut ana, _) = server.agent("ana").await;
    assert!(ana.until_pong().await.is_empty(), "the burst passes");
    // Not JSON past the id: a decoded frame would get malformed_frame.
    ana.send_text(r#"{"command":{"id":"r1","kind":"#).await;
    assert_eq!(nack(&ana.recv().await), nack_with(Some("r1"), "rate_limited"));
    ana.send_text(r#"{ "command": {"id":"r2","kind":"login"}}"#).await;
    assert_eq!(nack(&ana.recv().await), nack_with(None, "rate_limited"), "only the encoders' shape is scanned");
    ana.ws.send(Message::Binary(vec![1, 2, 3].into())).await.expect("binary");
    assert_eq!(nack(&ana.recv().await), nack_with(None, "rate_limited"));
    server.handle.shutdown().await;
}

// SPEC N8: a frame over the size limit ends the session even when the
// rate limit would only have refused it.
#[tokio::test]
async fn an_oversize_frame_is_closed_with_1009_whatever_the_rate_spec_n8() {
    let server = slow_server(1.0, 10, 10_000).await;
    let (mut ana, _) = server.agent("ana").await;
    assert!(ana.until_pong().await.is_empty(), "the burst passes");
    ana.send_text(&"x".repeat(MAX_FRAME_BYTES + 1)).await;
    let (code, _, before) = ana.closed().await;
    assert_eq!((code, error_code(&before).as_deref()), (1009, Some("oversize_frame")));
    server.handle.shutdown().await;
}

// SPEC N8
#[tokio::test]
async fn strikes_add_up_within_the_window_only_spec_n8() {
    let server = slow_server(1.0, 3, 300).await;
    let (mut ana, _) = server.agent("ana").await;
    assert!(ana.until_pong().await.is_empty(), "the burst passes");
    let ping = ClientMessage::Ping { client_time: 7 };
    for _ in 0..2 {
        ana.send(&ping).await;
        assert_eq!(nack(&ana.recv().await).1, "rate_limited");
    }
    // Two strikes, then a quiet window: they no longer count.
    tokio::time::sleep(Duration::from_millis(400)).await;
    for _ in 0..2 {
        ana.send(&ping).await;
        assert_eq!(nack(&ana.recv().await).1, "rate_limited");
    }
    ana.send(&ping).await;
    let (code, _, before) = ana.closed().await;
    assert_eq!((code, error_code(&before).as_deref()), (4008, Some("rate_limited")), "the third strike within one window closes");
    server.handle.shutdown().await;
}

// SPEC N8: a connection whose request head never completes (sent slowly,
// stopped short, or never begun) is cut at the head deadline instead of
// holding its buffered bytes for good; a whole request is answered.
#[tokio::test]
async fn a_request_head_that_never_completes_is_cut_at_its_deadline_spec_n8() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let server = TestServer::with(Preset::ContactCenter, 5_000, 5_000).await;
    let started = tokio::time::Instant::now();
    let mut partial = tokio::net::TcpStream::connect(server.addr).await.expect("connect");
    partial.write_all(format!("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: {}", "a".repeat(100_000)).as_bytes()).await.expect("write");
    let mut silent = tokio::net::TcpStream::connect(server.addr).await.expect("connect");
    let limit = ringside_server::HEADER_READ_TIMEOUT + WAIT;
    for stream in [&mut partial, &mut silent] {
        let mut buffer = [0u8; 64];
        let read = tokio::time::timeout(limit, stream.read(&mut buffer)).await.expect("cut before the deadline and a margin");
        assert!(matches!(read, Ok(0) | Err(_)), "closed, not answered: {read:?}");
    }
    assert!(started.elapsed() >= ringside_server::HEADER_READ_TIMEOUT, "not before the deadline");
    let whole = reqwest::get(format!("http://{}/healthz", server.addr)).await.expect("answered");
    assert_eq!(whole.status().as_u16(), 200);
    server.handle.shutdown().await;
}

// SPEC N8: a request body that stops coming (a Content-Length and part of
// the body, sent before any token is checked) is given up at its deadline
// instead of holding the connection and its bytes for good; and a server
// told to stop meanwhile stops, rather than waiting on that client.
#[tokio::test]
async fn a_request_body_that_stops_coming_is_given_up_and_does_not_hold_a_stop_spec_n8() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let server = TestServer::with(Preset::ContactCenter, 5_000, 5_000).await;
    let stalled = || async {
        let mut stream = tokio::net::TcpStream::connect(server.addr).await.expect("connect");
        let head = "POST /sim/contacts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"queue\":";
        stream.write_all(head.as_bytes()).await.expect("write");
        stream
    };
    let started = tokio::time::Instant::now();
    let mut given_up = stalled().await;
    let mut answer = Vec::new();
    let read = tokio::time::timeout(ringside_server::body_deadline::BODY_IDLE_TIMEOUT + WAIT, given_up.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "the connection is closed after the body deadline");
    assert!(started.elapsed() >= ringside_server::body_deadline::BODY_IDLE_TIMEOUT, "not before the deadline");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.is_empty() || answer.starts_with("HTTP/1.1 400") || answer.starts_with("HTTP/1.1 401"), "{answer}");

    let _held = stalled().await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let stopping = tokio::time::Instant::now();
    tokio::time::timeout(ringside_server::HTTP_DRAIN_TIMEOUT + WAIT, server.handle.shutdown()).await.expect("the stop does not wait on the client");
    assert!(stopping.elapsed() < ringside_server::body_deadline::BODY_IDLE_TIMEOUT, "stopped within the drain time");
}

// SPEC N8: the outbox bound is for a socket that falls behind, not for one
// commit's burst: a session that reads gets every answer to 3,000 commands
// sent at once (a roster follower's presence at a shift start is the same
// burst), where a bound of 1,024 waiting messages dropped it with 4009.
#[tokio::test]
async fn a_burst_of_answers_to_a_session_that_reads_is_not_too_slow_spec_n8() {
    use futures_util::StreamExt;
    let server = server_with(|config| {
        config.limits.commands_per_second = 100_000.0;
        config.limits.command_burst = 100_000.0;
    })
    .await;
    let (mut ana, _) = server.agent("ana").await;
    ana.ok(CommandKind::Login).await;
    let (mut sink, mut stream) = ana.ws.split();
    const COMMANDS: usize = 3_000;
    for i in 0..COMMANDS {
        let frame = ClientMessage::Command { id: CommandId::from(format!("burst-{i}").as_str()), kind: CommandKind::Present }.encode();
        sink.feed(Message::Text(frame.into())).await.expect("queued");
    }
    sink.flush().await.expect("sent");
    let (mut acks, mut other) = (0, Vec::new());
    while acks < COMMANDS {
        match tokio::time::timeout(WAIT, stream.next()).await.unwrap_or_else(|_| panic!("{acks} acks, then silence; also {:?}", other.iter().take(3).collect::<Vec<_>>())) {
            Some(Ok(Message::Text(text))) => match ServerMessage::decode(text.as_str()) {
                Ok(ServerMessage::Ack { .. }) => acks += 1,
                message => other.push(message),
            },
            Some(Ok(Message::Close(frame))) => panic!("closed after {acks} acks: {frame:?}"),
            Some(Ok(_)) => {}
            other => panic!("ended after {acks} acks: {other:?}"),
        }
    }
    server.handle.shutdown().await;
}
