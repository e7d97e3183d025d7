//! Authentication, roles, limits and bad input (SPEC N5, SPEC N6): each gets a
//! clear nack or close code, and other sessions are unaffected.

mod common;

use common::{error_code, hello_refused, set_status, token, Client, TestServer};
use ringside::model::profile::Preset;
use ringside::model::state::CommandKind;
use ringside::model::{OfferId, Role};
use ringside::protocol::{ClientMessage, ServerMessage, MAX_FRAME_BYTES, PROTOCOL_VERSION};
use ringside_server::auth::Keys;
use futures_util::SinkExt;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{CloseCode, Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;

async fn server() -> TestServer {
    TestServer::with(Preset::ContactCenter, 5_000, 5_000).await
}

fn nack_code(message: &ServerMessage) -> &str {
    match message {
        ServerMessage::Nack { code, .. } => code,
        other => panic!("expected a nack, got {other:?}"),
    }
}

// SPEC N5
#[tokio::test]
async fn a_socket_without_hello_is_closed_with_4002_spec_n5() {
    let server = server().await;
    let mut client = Client::open(server.addr).await;
    let (code, _, before) = client.closed().await;
    assert_eq!(code, 4002);
    assert_eq!(error_code(&before).as_deref(), Some("hello_timeout"));
    server.handle.shutdown().await;
}

// SPEC N5
#[tokio::test]
async fn a_first_frame_other_than_hello_is_closed_with_4002_spec_n5() {
    let server = server().await;
    // Not a hello: another kind, an unknown kind, not JSON, binary.
    for first in [Message::text(ClientMessage::Ping { client_time: 1 }.encode()), Message::text(r#"{"dance":{}}"#), Message::text("hello there"), Message::binary(vec![1, 2])] {
        let mut client = Client::open(server.addr).await;
        client.ws.send(first.clone()).await.expect("send");
        let (code, _, before) = client.closed().await;
        assert_eq!((code, error_code(&before).as_deref()), (4002, Some("hello_required")), "{first:?}");
    }
    // A hello with a wrong field says what is wrong.
    let mut client = Client::open(server.addr).await;
    client.send_text(r#"{"hello":{"token":"t","protocol":"1"}}"#).await;
    let (code, _, before) = client.closed().await;
    assert_eq!((code, error_code(&before).as_deref()), (4002, Some("invalid_message")));
    server.handle.shutdown().await;
}

// A client's close frame is answered: its socket closes cleanly with its own
// code, before and after hello, so the end is a plain disconnect (SPEC N3).
#[tokio::test]
async fn a_close_from_the_client_is_answered_with_its_code() {
    let server = server().await;
    for hello in [false, true] {
        let mut client = if hello { server.agent("ana").await.0 } else { Client::open(server.addr).await };
        client.ws.send(Message::Close(Some(CloseFrame { code: CloseCode::Normal, reason: "bye".into() }))).await.expect("close");
        let (code, _, _) = client.closed().await;
        assert_eq!(code, 1000, "the server answers the close frame (hello: {hello})");
    }
    server.handle.shutdown().await;
}

// SPEC N5
#[tokio::test]
async fn a_token_with_a_bad_signature_is_closed_with_4001_spec_n5() {
    let server = server().await;
    let forged = Keys::new(b"not the server's secret").issue("ana", Role::Admin, 3600);
    assert_eq!(hello_refused(&server, &forged).await, (4001, Some("unauthorized".into())));
    assert_eq!(hello_refused(&server, "not-a-jwt").await, (4001, Some("unauthorized".into())));
    server.handle.shutdown().await;
}

// SPEC N5: a token names its center; one signed with the same secret for
// another center opens nothing here, on the socket or the HTTP API.
#[tokio::test]
async fn a_token_for_another_center_is_refused_spec_n5() {
    let server = server().await;
    let north = common::keys().for_center("north");
    assert_eq!(hello_refused(&server, &north.issue("ana", Role::Agent, 3600)).await, (4001, Some("unauthorized".into())));
    let sim = common::Sim { token: north.issue("admin", Role::Admin, 3600), ..server.http() };
    let (status, body) = sim.get("/sim/state").await;
    assert_eq!((status, body["code"].as_str()), (401, Some("unauthorized")), "{body}");
    server.handle.shutdown().await;
}

// SPEC N5
#[tokio::test]
async fn an_expired_token_is_closed_with_4003_spec_n5() {
    let server = server().await;
    let expired = common::keys().issue("ana", Role::Agent, 0);
    assert_eq!(hello_refused(&server, &expired).await, (4003, Some("token_expired".into())));
    server.handle.shutdown().await;
}

// SPEC N5
#[tokio::test]
async fn a_token_that_expires_during_the_session_is_announced_then_closed_spec_n5() {
    let server = server().await;
    let short = common::keys().issue("ana", Role::Agent, 2);
    let (mut ana, _) = Client::hello(server.addr, &short, None).await.snapshot();
    let (code, _, before) = ana.closed().await;
    assert_eq!(code, 4003);
    assert_eq!(error_code(&before).as_deref(), Some("token_expired"));
    server.handle.shutdown().await;
}

// SPEC N5
#[tokio::test]
async fn an_agent_may_not_log_out_another_agent_spec_n5() {
    let server = server().await;
    let (mut ben, _) = server.agent("ben").await;
    ben.ok(CommandKind::Login).await;
    let (mut ana, _) = server.agent("ana").await;
    let answer = ana.command(CommandKind::LogoutAgent { agent: "ben".into() }).await;
    assert_eq!(nack_code(&answer), "forbidden");
    server.handle.shutdown().await;
}

// SPEC N5
#[tokio::test]
async fn an_agent_token_may_not_use_the_simulator_spec_n5() {
    let server = server().await;
    let mut sim = server.http();
    sim.token = token("ana", Role::Agent);
    let (status, body) = sim.post("/sim/contacts", serde_json::json!({ "queue": "support", "channel": "voice" })).await;
    assert_eq!(status, 403);
    assert_eq!(body["code"], "forbidden");
    sim.token = "garbage".into();
    let (status, body) = sim.get("/sim/state").await;
    assert_eq!(status, 401);
    assert_eq!(body["code"], "unauthorized");
    server.handle.shutdown().await;
}

// SPEC N6
#[tokio::test]
async fn an_oversize_frame_closes_the_socket_with_1009_and_others_go_on_spec_n6() {
    let server = server().await;
    let (mut ben, _) = server.agent("ben").await;
    let (mut ana, _) = server.agent("ana").await;
    let big = format!("{{\"ping\":{{\"client_time\":1,\"pad\":\"{}\"}}}}", "x".repeat(MAX_FRAME_BYTES + 10));
    ana.send_text(&big).await;
    let (code, _, before) = ana.closed().await;
    assert_eq!(code, 1009);
    assert_eq!(error_code(&before).as_deref(), Some("oversize_frame"));
    // A frame far over the limit is refused by the transport before it is
    // read; the client hears the same refusal.
    let (mut carl, _) = server.agent("carl").await;
    carl.send_text(&"y".repeat(8 * MAX_FRAME_BYTES)).await;
    let (code, _, before) = carl.closed().await;
    assert_eq!((code, error_code(&before).as_deref()), (1009, Some("oversize_frame")), "refused by the transport, said the same way");
    let said = before.iter().find_map(|m| match m {
        ServerMessage::Error { message, .. } => Some(message.clone()),
        _ => None,
    });
    // The transport counts a message's bytes as they come; only the limit is named.
    assert_eq!(said, Some(format!("the message is too big: a frame may hold at most {MAX_FRAME_BYTES} bytes")));
    // A text frame that is not UTF-8 is refused by the transport too.
    let (mut dan, _) = server.agent("dan").await;
    let text = Frame::message(vec![b'{', 0xff, 0xfe, b'}'], OpCode::Data(Data::Text), true);
    dan.ws.send(Message::Frame(text)).await.expect("send");
    let (code, _, before) = dan.closed().await;
    assert_eq!((code, error_code(&before).as_deref()), (1007, Some("malformed_frame")));
    // A binary frame is sized as a text frame is, after hello and before it.
    let (mut eve, _) = server.agent("eve").await;
    eve.ws.send(Message::binary(vec![0; MAX_FRAME_BYTES + 1])).await.expect("send");
    let (code, _, before) = eve.closed().await;
    assert_eq!((code, error_code(&before).as_deref()), (1009, Some("oversize_frame")), "a binary frame after hello");
    let mut anonymous = Client::open(server.addr).await;
    anonymous.ws.send(Message::binary(vec![0; MAX_FRAME_BYTES + 1])).await.expect("send");
    let (code, _, before) = anonymous.closed().await;
    assert_eq!((code, error_code(&before).as_deref()), (1009, Some("oversize_frame")), "a binary frame before hello");
    // Another session is unaffected.
    ben.ok(CommandKind::Login).await;
    assert!(ben.until_pong().await.is_empty());
    server.handle.shutdown().await;
}

// SPEC N6
#[tokio::test]
async fn malformed_json_unknown_kinds_and_invalid_transitions_get_nacks_spec_n6() {
    let server = server().await;
    let (mut ana, _) = server.agent("ana").await;
    ana.send_text("{not json").await;
    assert_eq!(nack_code(&ana.recv().await), "malformed_frame");
    ana.send_text(r#"{"dance":{}}"#).await;
    assert_eq!(nack_code(&ana.recv().await), "unknown_kind");
    ana.send_text(r#"{"command":{"id":"x1","kind":{"fly":{}}}}"#).await;
    let answer = ana.recv().await;
    assert_eq!(nack_code(&answer), "unknown_kind");
    assert!(matches!(answer, ServerMessage::Nack { id: Some(ref id), .. } if id.as_str() == "x1"), "the nack names the command");
    // Valid JSON that is not a message is invalid, not malformed; an unknown
    // value below the command's kind is invalid, not an unknown kind.
    for shape in ["{}", "[1,2]", r#"{"ping":{"client_time":7},"resync":{}}"#, r#"{"command":{"id":"x2","kind":{"consult":{"interaction":1,"target":{"agent":"ben","queue":"sales"}}}}}"#] {
        ana.send_text(shape).await;
        let answer = ana.recv().await;
        assert_eq!(nack_code(&answer), "invalid_message", "{shape}: {answer:?}");
        assert!(!format!("{answer:?}").contains("not valid JSON"), "{shape}: {answer:?}");
    }
    ana.send_text(r#"{"command":{"id":"x3","kind":{"consult":{"interaction":1,"target":{"user":"ben"}}}}}"#).await;
    let answer = ana.recv().await;
    assert_eq!(nack_code(&answer), "invalid_message", "an unknown target is a wrong field: {answer:?}");
    assert!(matches!(answer, ServerMessage::Nack { id: Some(ref id), .. } if id.as_str() == "x3"), "the nack names the command");
    let answer = ana.command(CommandKind::Accept { offer: OfferId(999) }).await;
    assert_eq!(nack_code(&answer), "not_logged_in");
    ana.ok(CommandKind::Login).await;
    let answer = ana.command(CommandKind::Accept { offer: OfferId(999) }).await;
    assert_eq!(nack_code(&answer), "unknown_offer");
    let answer = ana.command(set_status("rona")).await;
    assert_eq!(nack_code(&answer), "status_system_only");
    // The socket is still open and the state intact.
    ana.ok(set_status("available")).await;
    server.handle.shutdown().await;
}

// SPEC N6
#[tokio::test]
async fn a_second_hello_on_an_open_session_gets_a_nack_spec_n6() {
    let server = server().await;
    let (mut ana, _) = server.agent("ana").await;
    ana.send(&ClientMessage::Hello { token: token("ana", Role::Agent), resume: None, protocol: PROTOCOL_VERSION }).await;
    assert_eq!(nack_code(&ana.recv().await), "already_authenticated");
    assert!(ana.until_pong().await.is_empty());
    server.handle.shutdown().await;
}

// SPEC N6
#[tokio::test]
async fn flooding_gets_rate_limited_nacks_then_a_4008_close_and_others_go_on_spec_n6() {
    let server = TestServer::start(|db| {
        let mut config = common::config(db, Preset::ContactCenter, 5_000, 5_000);
        config.limits.commands_per_second = 0.1;
        config.limits.command_burst = 3.0;
        config.limits.rate_limit_strikes = 5;
        config
    })
    .await;
    let (mut ben, _) = server.agent("ben").await;
    let (mut ana, _) = server.agent("ana").await;
    for i in 0..10 {
        ana.send(&ClientMessage::Ping { client_time: i }).await;
    }
    let (code, _, before) = ana.closed().await;
    assert_eq!(code, 4008);
    let pongs = before.iter().filter(|m| matches!(m, ServerMessage::Pong { .. })).count();
    let limited = before.iter().filter(|m| matches!(m, ServerMessage::Nack { code, .. } if code == "rate_limited")).count();
    assert_eq!(pongs, 3, "the burst passes");
    assert_eq!(limited, 4, "then nacks, until the fifth strike closes");
    ben.ok(CommandKind::Login).await;
    server.handle.shutdown().await;
}

// SPEC N5
#[tokio::test]
async fn a_websocket_upgrade_from_a_disallowed_origin_gets_403_spec_n5() {
    let server = server().await;
    let mut request = format!("ws://{}/ws", server.addr).into_client_request().expect("request");
    request.headers_mut().insert("Origin", "https://evil.example".parse().expect("header"));
    match tokio_tungstenite::connect_async(request).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => assert_eq!(response.status().as_u16(), 403),
        other => panic!("expected 403, got {:?}", other.map(|_| ())),
    }
    // Same origin as the server is fine.
    let mut request = format!("ws://{}/ws", server.addr).into_client_request().expect("request");
    request.headers_mut().insert("Origin", format!("http://{}", server.addr).parse().expect("header"));
    assert!(tokio_tungstenite::connect_async(request).await.is_ok());
    server.handle.shutdown().await;
}

#[tokio::test]
async fn shutdown_closes_open_sockets_with_1001() {
    let server = server().await;
    let (mut ana, _) = server.agent("ana").await;
    let stopping = tokio::spawn(server.handle.shutdown());
    let (code, _, _) = ana.closed().await;
    assert_eq!(code, 1001);
    stopping.await.expect("shutdown finishes");
}

// SPEC N6
#[tokio::test]
async fn a_hello_for_another_protocol_version_is_closed_with_4005_spec_n6() {
    let server = server().await;
    let mut client = Client::open(server.addr).await;
    client.send(&ClientMessage::Hello { token: token("ana", Role::Agent), resume: None, protocol: PROTOCOL_VERSION + 1 }).await;
    let (code, _, before) = client.closed().await;
    assert_eq!((code, error_code(&before).as_deref()), (4005, Some("unsupported_protocol")));
    server.handle.shutdown().await;
}

// SPEC N6
#[tokio::test]
async fn sessions_past_the_connection_limit_get_503_spec_n6() {
    let server = TestServer::start(|db| {
        let mut config = common::config(db, Preset::ContactCenter, 5_000, 5_000);
        config.limits.max_connections = 1;
        config
    })
    .await;
    let (mut ana, _) = server.agent("ana").await;
    match tokio_tungstenite::connect_async(format!("ws://{}/ws", server.addr)).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => assert_eq!(response.status().as_u16(), 503),
        other => panic!("expected 503, got {:?}", other.map(|_| ())),
    }
    assert!(ana.until_pong().await.is_empty(), "the open session goes on");
    server.handle.shutdown().await;
}
