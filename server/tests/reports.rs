//! The status history report (SPEC S6) and the external presence webhook
//! (SPEC N7) on the real server: statuses driven over the WebSocket, the
//! report read as JSON and CSV, and the webhook against a real HTTP server
//! started by the test.

mod common;

use axum::body::Bytes;
use axum::http::HeaderMap;
use common::{config, set_status, token, Client, TestServer};
use ringside::model::directory::{Directory, Member, Team};
use ringside::model::profile::{Preset, Profile, SecondaryDef};
use ringside::model::state::{CommandKind, EventKind};
use ringside::model::{Role, SecondaryId, TeamId, UserId};
use ringside_server::presence_adapter::signature::{sign, verify, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use ringside_server::presence_adapter::webhook::WebhookSettings;
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_millis() as u64
}

/// The contact-center preset with `coaching` under idle (S6), and team
/// north with ana and ben.
fn with_history(db: &std::path::Path) -> ringside_server::config::Config {
    let mut config = config(db, Preset::ContactCenter, 30_000, 60_000);
    let mut statuses = Profile::preset(Preset::ContactCenter).statuses;
    if let Some(idle) = statuses.iter_mut().find(|s| s.id.as_str() == "idle") {
        idle.secondary = vec![SecondaryDef { id: SecondaryId::from("coaching"), label: "Coaching".into() }];
    }
    config.profile.statuses = Some(statuses);
    let member = Member { teams: BTreeSet::from([TeamId::from("north")]), ..Member::default() };
    config.directory = Directory {
        teams: BTreeMap::from([(TeamId::from("north"), Team { label: "North".into() })]),
        members: BTreeMap::from([(UserId::from("ana"), member.clone()), (UserId::from("ben"), member)]),
    };
    config
}

async fn get(server: &TestServer, path: &str, bearer: &str) -> reqwest::Response {
    reqwest::Client::new().get(format!("http://{}{path}", server.addr)).bearer_auth(bearer).send().await.expect("request")
}

/// SPEC S6: every status change, secondary included, is in the history; the
/// report gives intervals clipped to the range, with labels and colours, as
/// JSON and CSV, to supervisors and admins only.
#[tokio::test]
async fn the_status_report_gives_a_users_and_a_teams_history_as_json_and_csv_spec_s6() {
    let server = TestServer::start(with_history).await;
    let start = now();
    let (mut ana, _) = Client::hello(server.addr, &token("ana", Role::Agent), None).await.snapshot();
    ana.ok(CommandKind::Login).await;
    ana.ok(set_status("available")).await;
    ana.ok(CommandKind::SetStatus { status: "idle".into(), secondary: Some(SecondaryId::from("coaching")) }).await;
    let (mut ben, _) = Client::hello(server.addr, &token("ben", Role::Agent), None).await.snapshot();
    ben.ok(CommandKind::Login).await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    let end = now() + 1;
    let supervisor = token("sue", Role::Supervisor);

    let path = format!("/reports/status?user=ana&from={start}&to={end}");
    let report: serde_json::Value = get(&server, &path, &supervisor).await.json().await.expect("json");
    let rows = report["rows"].as_array().expect("rows");
    let statuses: Vec<&str> = rows.iter().map(|r| r["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["idle", "available", "idle"], "login (idle), available, idle with coaching");
    let last = rows.last().unwrap();
    assert_eq!((last["label"].as_str(), last["colour"].as_str(), last["secondary"].as_str()), (Some("Idle"), Some("#f9a825"), Some("coaching")));
    assert_eq!(rows[0]["to"], rows[1]["from"], "each interval ends where the next begins");
    assert!(rows.iter().all(|r| r["from"].as_u64().unwrap() >= start && r["to"].as_u64().unwrap() <= end), "clipped to the range");

    // A range that starts later: the status in force then is its first row.
    let later = last["from"].as_u64().unwrap();
    let path = format!("/reports/status?user=ana&from={later}&to={end}");
    let clipped: serde_json::Value = get(&server, &path, &supervisor).await.json().await.expect("json");
    assert_eq!(clipped["rows"].as_array().unwrap().len(), 1);

    let team: serde_json::Value = get(&server, &format!("/reports/status?team=north&from={start}&to={end}"), &supervisor).await.json().await.unwrap();
    let users: BTreeSet<&str> = team["rows"].as_array().unwrap().iter().map(|r| r["user"].as_str().unwrap()).collect();
    assert_eq!(users, BTreeSet::from(["ana", "ben"]));

    let csv = get(&server, &format!("/reports/status?user=ana&from={start}&to={end}&format=csv"), &supervisor).await;
    assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let text = csv.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "user,status,label,colour,secondary,automatic,from,to");
    assert_eq!(lines.len(), 4);
    assert!(lines[3].starts_with("ana,idle,Idle,#f9a825,coaching,false,20"), "{}", lines[3]);

    assert_eq!(get(&server, &path, &token("ana", Role::Agent)).await.status().as_u16(), 403, "agents never read secondary statuses");
    let too_long = format!("/reports/status?user=ana&from=0&to={}", 32 * 86_400_000u64);
    assert_eq!(get(&server, &too_long, &supervisor).await.status().as_u16(), 400);
    assert_eq!(get(&server, &format!("/reports/status?team=south&from={start}&to={end}"), &supervisor).await.status().as_u16(), 404);
}

/// What the test's webhook receiver got: the bodies whose signature verified.
type Received = std::sync::Arc<tokio::sync::Mutex<Vec<serde_json::Value>>>;

async fn receiver(secret: &'static str) -> (String, Received) {
    let received: Received = Default::default();
    let store = received.clone();
    let app = axum::Router::new().route(
        "/presence",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let store = store.clone();
            async move {
                let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
                let timestamp: u64 = header(TIMESTAMP_HEADER).parse().unwrap_or(0);
                if !verify(secret.as_bytes(), timestamp, &body, &header(SIGNATURE_HEADER), now()) {
                    return axum::http::StatusCode::UNAUTHORIZED;
                }
                store.lock().await.push(serde_json::from_slice(&body).expect("json body"));
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/presence", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, received)
}

/// SPEC N7: our changes go out signed to a real HTTP receiver within the
/// delay bound; a signed change comes in and the agent sees it; a bad
/// signature is refused.
#[tokio::test]
async fn the_webhook_adapter_sends_signed_changes_and_applies_signed_ones_spec_n7() {
    let (url, received) = receiver("out-secret").await;
    let server = TestServer::start(|db| {
        let mut config = with_history(db);
        config.presence_webhook =
            Some(WebhookSettings { url, secret: "out-secret".into(), inbound_secret: Some("in-secret".into()), max_delay_ms: 12_000 });
        config
    })
    .await;
    let (mut ana, _) = Client::hello(server.addr, &token("ana", Role::Agent), None).await.snapshot();
    ana.ok(CommandKind::Login).await;
    ana.ok(set_status("available")).await;
    let deadline = tokio::time::Instant::now() + common::WAIT;
    loop {
        let got = received.lock().await.clone();
        if got.iter().any(|c| c["user"] == "ana" && c["status"] == "available") {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "the change did not arrive: {got:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let sim = server.http();
    let (status, adapter) = sim.get("/admin/presence-adapter").await;
    assert_eq!(status, 200);
    assert!(adapter["sent"].as_u64().unwrap() >= 1 && adapter["max_delay_ms"].as_u64().unwrap() <= 12_000, "{adapter}");

    let post = |body: &'static str, secret: &'static str| {
        let at = now();
        reqwest::Client::new()
            .post(format!("http://{}/presence/external", server.addr))
            .header(TIMESTAMP_HEADER, at.to_string())
            .header(SIGNATURE_HEADER, sign(secret.as_bytes(), at, body.as_bytes()))
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let busy = r#"{"user":"ana","status":"lunch"}"#;
    assert_eq!(post(busy, "wrong-secret").await.unwrap().status().as_u16(), 401);
    assert_eq!(post(busy, "in-secret").await.unwrap().status().as_u16(), 200);
    ana.event("the external change", |k| matches!(k, EventKind::StatusChanged { status, .. } if status.as_str() == "lunch")).await;
    let refused = post(r#"{"user":"ana","status":"rona"}"#, "in-secret").await.unwrap();
    assert_eq!(refused.json::<serde_json::Value>().await.unwrap()["code"], "status_system_only");
    let metrics = reqwest::get(format!("http://{}/metrics", server.addr)).await.unwrap().text().await.unwrap();
    assert!(metrics.contains("ringside_presence_adapter_received_total 1"), "{metrics}");
}
