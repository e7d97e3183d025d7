//! The status history report (SPEC S6) on the real server: statuses and
//! secondary statuses driven over the WebSocket, the report read over HTTP
//! as JSON and CSV from the history in the database file.

mod common;

use common::{config, set_status, token, Client, TestServer};
use ringside::model::directory::{Directory, Member, Team};
use ringside::model::profile::{Preset, Profile, SecondaryDef};
use ringside::model::state::{CommandKind, EventKind};
use ringside::model::{CommandId, Role, SecondaryId, ServerTime, TeamId, UserId};
use ringside::protocol::{ClientMessage, ServerMessage};
use ringside_server::csv_out::rfc3339_ms;
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_millis() as u64
}

/// The contact-center preset with the secondary status `coaching` under
/// idle (S6), and team north with ana and ben.
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

async fn get(server: &TestServer, path: &str, bearer: Option<&str>, accept: Option<&str>) -> reqwest::Response {
    let mut request = reqwest::Client::new().get(format!("http://{}{path}", server.addr));
    if let Some(bearer) = bearer {
        request = request.bearer_auth(bearer);
    }
    if let Some(accept) = accept {
        request = request.header("accept", accept);
    }
    request.send().await.expect("request")
}

async fn json(server: &TestServer, path: &str, bearer: &str) -> serde_json::Value {
    let response = get(server, path, Some(bearer), None).await;
    assert_eq!(response.status().as_u16(), 200, "{path}");
    response.json().await.expect("json")
}

/// The status change a command caused: when it began (its `since`).
async fn change(client: &mut Client, kind: CommandKind) -> u64 {
    let (_, events) = client.ok_with_events(kind).await;
    let since = events.iter().find_map(|e| match &e.kind {
        EventKind::StatusChanged { since, .. } => Some(since.0),
        _ => None,
    });
    // Distinct milliseconds make every interval longer than zero.
    tokio::time::sleep(Duration::from_millis(8)).await;
    since.expect("a status change")
}

/// `(status, secondary, from, to)` of each row.
fn spans(report: &serde_json::Value) -> Vec<(String, Option<String>, u64, u64)> {
    let rows = report["rows"].as_array().expect("rows");
    rows.iter()
        .map(|r| {
            let secondary = r["secondary"].as_str().map(str::to_owned);
            (r["status"].as_str().expect("status").to_owned(), secondary, r["from"].as_u64().expect("from"), r["to"].as_u64().expect("to"))
        })
        .collect()
}

fn span(status: &str, secondary: Option<&str>, from: u64, to: u64) -> (String, Option<String>, u64, u64) {
    (status.to_owned(), secondary.map(str::to_owned), from, to)
}

/// SPEC S6: every status change, secondary statuses included, is in the
/// history; the report gives one interval per status held, clipped to the
/// range, with the catalogue's labels and colours, as JSON and CSV, to
/// supervisors and admins only.
#[tokio::test]
async fn the_status_report_gives_clipped_intervals_with_labels_colours_and_secondary_statuses_spec_s6() {
    let server = TestServer::start(with_history).await;
    let (mut ana, _) = server.agent("ana").await;
    let start = now();
    let login = change(&mut ana, CommandKind::Login).await;
    let available = change(&mut ana, set_status("available")).await;
    let coaching = change(&mut ana, CommandKind::SetStatus { status: "idle".into(), secondary: Some(SecondaryId::from("coaching")) }).await;
    let lunch = change(&mut ana, set_status("lunch")).await;
    let back = change(&mut ana, set_status("available")).await;
    let (mut ben, _) = server.agent("ben").await;
    let ben_login = change(&mut ben, CommandKind::Login).await;
    let end = now();
    let supervisor = token("sue", Role::Supervisor);

    let report = json(&server, &format!("/reports/status?user=ana&from={start}&to={end}"), &supervisor).await;
    assert_eq!((report["from"].as_u64(), report["to"].as_u64()), (Some(start), Some(end)));
    let expected = [
        span("idle", None, login, available),
        span("available", None, available, coaching),
        span("idle", Some("coaching"), coaching, lunch),
        span("lunch", None, lunch, back),
        span("available", None, back, end),
    ];
    assert_eq!(spans(&report), expected, "each interval ends at the next change; the last at the range's end");
    let catalogue = Profile::preset(Preset::ContactCenter).statuses;
    for row in report["rows"].as_array().expect("rows") {
        let def = catalogue.iter().find(|s| s.id.as_str() == row["status"]).expect("a status of the catalogue");
        assert_eq!((row["user"].as_str(), row["label"].as_str(), row["colour"].as_str()), (Some("ana"), Some(def.label.as_str()), Some(def.colour.as_str())));
        assert_eq!(row["automatic"], false, "chosen by hand");
    }

    // A range starting and ending inside intervals: the status in force at
    // its start is found from the change before it, and both ends are clipped.
    let (inside_from, inside_to) = ((available + coaching) / 2, (lunch + back) / 2);
    let clipped = json(&server, &format!("/reports/status?user=ana&from={inside_from}&to={inside_to}"), &supervisor).await;
    let expected = [span("available", None, inside_from, coaching), span("idle", Some("coaching"), coaching, lunch), span("lunch", None, lunch, inside_to)];
    assert_eq!(spans(&clipped), expected);

    let team = json(&server, &format!("/reports/status?team=north&from={start}&to={end}"), &supervisor).await;
    let users: Vec<&str> = team["rows"].as_array().expect("rows").iter().map(|r| r["user"].as_str().expect("user")).collect();
    assert_eq!(users, ["ana", "ana", "ana", "ana", "ana", "ben"], "by user, then time");
    assert_eq!(spans(&team).last(), Some(&span("idle", None, ben_login, end)));

    let path = format!("/reports/status?user=ana&from={start}&to={end}&format=csv");
    let csv = get(&server, &path, Some(&supervisor), None).await;
    assert!(csv.headers()["content-type"].to_str().expect("type").starts_with("text/csv"));
    let text = csv.text().await.expect("text");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 6, "{text}");
    assert_eq!(lines[0], "user,status,label,colour,secondary,automatic,from,to");
    let at = |ms: u64| rfc3339_ms(ServerTime(ms));
    assert_eq!(lines[3], format!("ana,idle,Idle,#f9a825,coaching,false,{},{}", at(coaching), at(lunch)));
    assert_eq!(lines[5], format!("ana,available,Available,#2e7d32,,false,{},{}", at(back), at(end)));
    let accepted = get(&server, &format!("/reports/status?user=ana&from={start}&to={end}"), Some(&supervisor), Some("text/csv")).await;
    assert_eq!(accepted.text().await.expect("text"), text, "Accept: text/csv chooses CSV");

    let admin = get(&server, &path, Some(&token("root", Role::Admin)), None).await;
    assert_eq!(admin.status().as_u16(), 200, "admins read reports too");

    let (later, much_later) = (now() + 60_000, now() + 120_000);
    let future = json(&server, &format!("/reports/status?user=ana&from={later}&to={much_later}"), &supervisor).await;
    assert_eq!(future["rows"].as_array().map(Vec::len), Some(0), "a range still to come has no rows: {future}");
}

/// SPEC S6, SPEC N5, SPEC N8: agents never read secondary statuses, a
/// request needs a valid token, and a report is bounded.
#[tokio::test]
async fn the_status_report_is_refused_to_agents_and_without_a_token_and_over_31_days_spec_s6() {
    let server = TestServer::start(with_history).await;
    let supervisor = token("sue", Role::Supervisor);
    let end = now();
    let from = end - 1_000;
    let ok = format!("/reports/status?user=ana&from={from}&to={end}");
    let refusals = [
        (ok.clone(), Some(token("ana", Role::Agent)), 403, "forbidden"),
        (ok.clone(), None, 401, "unauthorized"),
        (ok.clone(), Some("not-a-token".to_owned()), 401, "unauthorized"),
        (format!("/reports/status?user=ana&from=0&to={}", 31 * 86_400_000u64 + 1), Some(supervisor.clone()), 400, "bad_argument"),
        (format!("/reports/status?user=ana&from={end}&to={end}"), Some(supervisor.clone()), 400, "bad_argument"),
        (format!("/reports/status?user=ana&team=north&from={from}&to={end}"), Some(supervisor.clone()), 400, "bad_argument"),
        ("/reports/status?user=ana".to_owned(), Some(supervisor.clone()), 400, "bad_argument"),
        (format!("/reports/status?user=&from={from}&to={end}"), Some(supervisor.clone()), 400, "bad_argument"),
        (format!("{ok}&format=xml"), Some(supervisor.clone()), 400, "bad_argument"),
        (format!("/reports/status?team=south&from={from}&to={end}"), Some(supervisor.clone()), 404, "unknown_team"),
    ];
    for (path, bearer, status, code) in refusals {
        let response = get(&server, &path, bearer.as_deref(), None).await;
        assert_eq!(response.status().as_u16(), status, "{path}");
        let body: serde_json::Value = response.json().await.expect("json");
        assert_eq!(body["code"], code, "{path}: {body}");
    }
    let full = get(&server, &format!("/reports/status?user=ana&from=0&to={}", 31 * 86_400_000u64), Some(&supervisor), None).await;
    assert_eq!(full.status().as_u16(), 200, "31 days exactly is allowed");
}

/// SPEC S6: a report longer than one page of the history (1,000 rows) comes
/// whole and in order, each interval ending where the next begins, even
/// with many changes in one millisecond.
#[tokio::test]
async fn a_report_longer_than_a_page_of_history_comes_whole_and_in_order_spec_s6() {
    let server = TestServer::start(|db| {
        let mut config = with_history(db);
        config.limits.commands_per_second = 1_000_000.0;
        config.limits.command_burst = 1_000_000.0;
        config
    })
    .await;
    let start = now();
    let (mut ana, _) = server.agent("ana").await;
    ana.ok(CommandKind::Login).await;
    let changes = 1_200;
    for chunk in 0..changes / 100 {
        // A hundred commands at a time without waiting: they share commits.
        for i in chunk * 100..(chunk + 1) * 100 {
            let status = if i % 2 == 0 { "available" } else { "idle" };
            ana.send(&ClientMessage::Command { id: CommandId(format!("p{i}")), kind: set_status(status) }).await;
        }
        let last = CommandId(format!("p{}", (chunk + 1) * 100 - 1));
        ana.recv_until("the chunk's last ack", |m| matches!(m, ServerMessage::Ack { id, .. } if *id == last)).await;
    }
    let end = now() + 1;
    let report = json(&server, &format!("/reports/status?user=ana&from={start}&to={end}"), &token("sue", Role::Supervisor)).await;
    let spans = spans(&report);
    assert_eq!(spans.len(), changes + 1, "the login's idle, then every change");
    for (i, pair) in spans.windows(2).enumerate() {
        assert_eq!(pair[0].3, pair[1].2, "row {i} ends where the next begins");
        assert_ne!(pair[0].0, pair[1].0, "rows {i} and {} alternate", i + 1);
    }
    assert_eq!(spans.last().map(|s| s.0.as_str()), Some("idle"), "the last change, in order");
}
