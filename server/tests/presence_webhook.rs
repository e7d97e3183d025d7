//! The external presence adapter (SPEC N7) on the real server, against a
//! real HTTP receiver started by the test: our changes go out signed, the
//! external system's come in signed, a change never delivered is dropped at
//! the delay bound, and all of it is shown. Signatures are made and checked
//! here with `ring` straight from the documented scheme (HMAC-SHA256 of
//! `"{timestamp}.{body}"`), not with the server's own functions.

mod common;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use common::{config, set_status, token, TestServer};
use ringside::model::profile::Preset;
use ringside::model::state::{CommandKind, EventKind};
use ringside::model::Role;
use ringside_server::presence_adapter::webhook::WebhookSettings;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::Mutex;

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_millis() as u64
}

/// `sha256=<hex>` of the HMAC-SHA256 of `"{timestamp}.{body}"`.
fn signature(secret: &str, timestamp: u64, body: &[u8]) -> String {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes());
    let mut material = format!("{timestamp}.").into_bytes();
    material.extend_from_slice(body);
    let tag = ring::hmac::sign(&key, &material);
    format!("sha256={}", tag.as_ref().iter().map(|b| format!("{b:02x}")).collect::<String>())
}

/// One POST the receiver got: its timestamp and signature headers and body.
#[derive(Debug, Clone)]
struct Delivery {
    timestamp: String,
    signature: String,
    body: Bytes,
}

type Deliveries = Arc<Mutex<Vec<Delivery>>>;

/// A receiver on a free port answering every POST with `status`; its URL
/// and what it got.
async fn receiver(status: StatusCode) -> (String, Deliveries) {
    let got: Deliveries = Deliveries::default();
    let keep = got.clone();
    let app = axum::Router::new().route(
        "/presence",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let keep = keep.clone();
            async move {
                let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
                keep.lock().await.push(Delivery { timestamp: header("x-ringside-timestamp"), signature: header("x-ringside-signature"), body });
                status
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/presence", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, got)
}

async fn server_with_webhook(url: String, max_delay_ms: u64) -> TestServer {
    TestServer::start(move |db| {
        let mut config = config(db, Preset::ContactCenter, 30_000, 60_000);
        config.presence_webhook = Some(WebhookSettings { url, secret: "out-secret".into(), inbound_secret: Some("in-secret".into()), max_delay_ms });
        config
    })
    .await
}

/// Waits until the receiver holds `count` deliveries; the bodies as JSON,
/// each checked against its signature and timestamp.
async fn signed_bodies(got: &Deliveries, count: usize) -> Vec<serde_json::Value> {
    let deadline = tokio::time::Instant::now() + common::WAIT;
    loop {
        let deliveries = got.lock().await.clone();
        if deliveries.len() >= count {
            return deliveries
                .iter()
                .map(|d| {
                    let timestamp: u64 = d.timestamp.parse().expect("a timestamp in milliseconds");
                    assert!(now().abs_diff(timestamp) < 60_000, "a current timestamp: {timestamp}");
                    assert_eq!(d.signature, signature("out-secret", timestamp, &d.body), "signed with the secret over timestamp and body");
                    serde_json::from_slice(&d.body).expect("a JSON body")
                })
                .collect();
        }
        assert!(tokio::time::Instant::now() < deadline, "{} of {count} deliveries arrived", deliveries.len());
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// A POST to `/presence/external` with the given headers.
async fn post_external(server: &TestServer, body: &str, timestamp: Option<u64>, secret: Option<&str>) -> (u16, serde_json::Value) {
    let mut request = reqwest::Client::new().post(format!("http://{}/presence/external", server.addr)).header("content-type", "application/json");
    if let Some(timestamp) = timestamp {
        request = request.header("x-ringside-timestamp", timestamp.to_string());
        if let Some(secret) = secret {
            request = request.header("x-ringside-signature", signature(secret, timestamp, body.as_bytes()));
        }
    }
    let response = request.body(body.to_owned()).send().await.expect("request");
    (response.status().as_u16(), response.json().await.unwrap_or_default())
}

async fn metrics(server: &TestServer) -> String {
    reqwest::get(format!("http://{}/metrics", server.addr)).await.expect("metrics").text().await.expect("text")
}

/// SPEC N7: every status change (secondary and automatic included) reaches
/// the external system, signed, in order, within the delay bound, and the
/// delay and counts are shown to admins and in /metrics.
#[tokio::test]
async fn our_status_changes_reach_a_real_receiver_signed_in_order_within_the_bound_spec_n7() {
    let (url, got) = receiver(StatusCode::NO_CONTENT).await;
    let server = server_with_webhook(url.clone(), 12_000).await;
    let (mut ana, _) = server.agent("ana").await;
    ana.ok(CommandKind::Login).await;
    let (_, events) = ana.ok_with_events(set_status("available")).await;
    let since = events.iter().find_map(|e| match &e.kind {
        EventKind::StatusChanged { since, .. } => Some(since.0),
        _ => None,
    });

    let bodies = signed_bodies(&got, 2).await;
    assert_eq!(bodies[0], serde_json::json!({"user": "ana", "status": "idle", "secondary": null, "automatic": false, "at": bodies[0]["at"]}));
    assert_eq!(bodies[1], serde_json::json!({"user": "ana", "status": "available", "secondary": null, "automatic": false, "at": since}));

    let (status, adapter) = server.http().get("/admin/presence-adapter").await;
    assert_eq!(status, 200);
    assert_eq!((adapter["sent"].as_u64(), adapter["failed"].as_u64(), adapter["dropped"].as_u64()), (Some(2), Some(0), Some(0)), "{adapter}");
    assert_eq!((adapter["url"].as_str(), adapter["delay_bound_ms"].as_u64()), (Some(url.as_str()), Some(12_000)));
    let (last, max) = (adapter["last_delay_ms"].as_u64().expect("last"), adapter["max_delay_ms"].as_u64().expect("max"));
    assert!(last <= max && max <= 12_000, "{adapter}");
    let text = metrics(&server).await;
    assert!(text.contains("ringside_presence_adapter_sent_total 2\n"), "{text}");
    assert!(text.contains(&format!("ringside_presence_adapter_max_delay_ms {max}\n")), "{text}");

    let agent = reqwest::Client::new()
        .get(format!("http://{}/admin/presence-adapter", server.addr))
        .bearer_auth(token("ana", Role::Agent))
        .send()
        .await
        .expect("request");
    assert_eq!(agent.status().as_u16(), 403, "the adapter's figures are for admins");
}

/// SPEC N7: a signed change from the external system sets the agent's
/// status (the agent sees it on its socket) and is not echoed back; a
/// missing, wrong or stale signature is 401, bad input 400, and a change
/// the rules refuse gets the rules' code.
#[tokio::test]
async fn a_signed_external_change_sets_the_agents_status_and_a_bad_signature_is_refused_spec_n7() {
    let (url, got) = receiver(StatusCode::NO_CONTENT).await;
    let server = server_with_webhook(url, 12_000).await;
    let (mut ana, _) = server.agent("ana").await;
    ana.ok(CommandKind::Login).await;
    signed_bodies(&got, 1).await;

    let lunch = r#"{"user":"ana","status":"lunch","secondary":null}"#;
    let at = now();
    let refused = [
        (post_external(&server, lunch, None, None).await, "no signature"),
        (post_external(&server, lunch, Some(at), None).await, "a timestamp without a signature"),
        (post_external(&server, lunch, Some(at), Some("wrong-secret")).await, "another secret"),
        (post_external(&server, lunch, Some(at - 600_000), Some("in-secret")).await, "ten minutes old: a replay"),
    ];
    for ((status, body), what) in refused {
        assert_eq!((status, body["code"].as_str()), (401, Some("bad_signature")), "{what}");
    }

    assert_eq!(post_external(&server, lunch, Some(now()), Some("in-secret")).await, (200, serde_json::json!({"ok": true})));
    ana.event("the external change", |k| matches!(k, EventKind::StatusChanged { status, .. } if status.as_str() == "lunch")).await;
    ana.ok(set_status("available")).await;
    let bodies = signed_bodies(&got, 2).await;
    let statuses: Vec<&str> = bodies.iter().map(|b| b["status"].as_str().expect("status")).collect();
    assert_eq!(statuses, ["idle", "available"], "the external system's own change is not sent back to it");

    let (_ben, _) = server.agent("ben").await;
    let bad = [
        (r#"{"user":"ana","status":"rona"}"#, "status_system_only"),
        (r#"{"user":"ana","status":"nap"}"#, "unknown_status"),
        (r#"{"user":"ben","status":"lunch"}"#, "not_logged_in"),
        (r#"{"user":"cy","status":"lunch"}"#, "unknown_agent"),
        (r#"{"user":"ana","status":"lunch","extra":1}"#, "bad_request"),
        ("not json", "bad_request"),
    ];
    for (body, code) in bad {
        let (status, answer) = post_external(&server, body, Some(now()), Some("in-secret")).await;
        assert!(matches!(status, 400 | 409 | 422), "{body}: {status}");
        assert_eq!(answer["code"], code, "{body}");
    }
    let text = metrics(&server).await;
    assert!(text.contains("ringside_presence_adapter_received_total 1\n"), "{text}");
}

/// SPEC N7, SPEC N8: a receiver that never takes a change gets it retried
/// only until the delay bound; then it is dropped and counted, never sent
/// late.
#[tokio::test]
async fn a_change_the_receiver_never_takes_is_dropped_at_the_delay_bound_and_counted_spec_n7() {
    let (url, got) = receiver(StatusCode::SERVICE_UNAVAILABLE).await;
    let server = server_with_webhook(url, 400).await;
    let (mut ana, _) = server.agent("ana").await;
    let started = tokio::time::Instant::now();
    ana.ok(CommandKind::Login).await;
    let admin = server.http();
    let deadline = started + common::WAIT;
    let adapter = loop {
        let (_, adapter) = admin.get("/admin/presence-adapter").await;
        if adapter["dropped"] == 1 {
            break adapter;
        }
        assert!(tokio::time::Instant::now() < deadline, "not dropped: {adapter}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(started.elapsed() >= Duration::from_millis(300), "tried until the bound, not given up at once");
    assert_eq!(adapter["sent"], 0);
    assert!(adapter["failed"].as_u64().expect("failed") >= 2, "retried: {adapter}");
    let tries = got.lock().await.len();
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(got.lock().await.len(), tries, "no try after the bound");
    let text = metrics(&server).await;
    assert!(text.contains("ringside_presence_adapter_dropped_total 1\n"), "{text}");
}
