//! Outbound campaigns on the real server: the admin API (admin only), a
//! streamed CSV import that reports bad lines and imports nothing then,
//! push preview through a dialled call to a callback that comes back at its
//! time, and a restart in the middle of a campaign.

mod common;

use common::{set_status, token, Client, TestServer};
use ringside::model::campaign::{OutboundWork, PreviewOrigin, RecordStatus};
use ringside::model::profile::Preset;
use ringside::model::state::{CommandKind, EventKind};
use ringside::model::{Channel, RecordId, Role, ServerTime};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn campaign_body() -> serde_json::Value {
    serde_json::json!({
        "name": "Renewals",
        "agents": ["ana"],
        "accept_timeout_ms": 20_000,
        "results": ["answered", "no_answer", "renewed"],
        "disposition_required": true,
        "reschedule_before_dial": true,
        "fields": ["plan"],
    })
}

async fn put(sim: &common::Sim, path: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
    let response = sim.client.put(format!("{}{path}", sim.base)).bearer_auth(&sim.token).json(&body).send().await.expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(serde_json::Value::Null))
}

async fn import(sim: &common::Sim, campaign: &str, csv: String) -> (u16, serde_json::Value) {
    let response = sim
        .client
        .post(format!("{}/admin/campaigns/{campaign}/records", sim.base))
        .bearer_auth(&sim.token)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(serde_json::Value::Null))
}

async fn work(client: &mut Client, what: &str, check: impl Fn(&OutboundWork) -> bool) -> OutboundWork {
    let event = client.event(what, |k| matches!(k, EventKind::OutboundChanged { work } if check(work))).await;
    let EventKind::OutboundChanged { work } = event.kind else { unreachable!() };
    *work
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_millis() as u64
}

async fn set_up(server: &TestServer, records: &str) -> common::Sim {
    let sim = server.http();
    let (status, body) = put(&sim, "/admin/campaigns/renewals", campaign_body()).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = import(&sim, "renewals", format!("name,number,chained,plan\n{records}")).await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = sim.post("/admin/campaigns/renewals/start", serde_json::json!({})).await;
    assert_eq!(status, 200, "{body}");
    sim
}

async fn preview_agent(server: &TestServer) -> Client {
    let (mut ana, _) = server.agent("ana").await;
    ana.ok(CommandKind::Login).await;
    ana.ok(CommandKind::PreviewMedia { media: vec![Channel::Voice] }).await;
    ana.ok(set_status("available")).await;
    ana
}

// Every campaign endpoint is for admins only.
#[tokio::test]
async fn every_campaign_endpoint_refuses_agents_and_requests_without_a_token() {
    let server = TestServer::with(Preset::ContactCenter, 10_000, 30_000).await;
    let client = reqwest::Client::new();
    let base = format!("http://{}", server.addr);
    let agent = token("ana", Role::Agent);
    let endpoints = [
        ("GET", "/admin/campaigns"),
        ("PUT", "/admin/campaigns/renewals"),
        ("POST", "/admin/campaigns/renewals/start"),
        ("POST", "/admin/campaigns/renewals/stop"),
        ("POST", "/admin/campaigns/renewals/records"),
        ("GET", "/admin/campaigns/renewals/records"),
        ("GET", "/admin/campaigns/renewals/export"),
        ("POST", "/sim/records/1/answer"),
    ];
    for (method, path) in endpoints {
        let request = |bearer: Option<&str>| {
            let mut r = client.request(method.parse().expect("method"), format!("{base}{path}")).body("{}");
            if let Some(bearer) = bearer {
                r = r.bearer_auth(bearer);
            }
            r
        };
        let none = request(None).send().await.expect("request");
        assert_eq!(none.status().as_u16(), 401, "{method} {path} without a token");
        let forbidden = request(Some(&agent)).send().await.expect("request");
        assert_eq!(forbidden.status().as_u16(), 403, "{method} {path} with an agent token");
    }
}

// An import with bad lines names each by number and imports nothing.
#[tokio::test]
async fn an_import_with_bad_lines_reports_them_and_imports_nothing() {
    let server = TestServer::with(Preset::ContactCenter, 10_000, 30_000).await;
    let sim = server.http();
    assert_eq!(put(&sim, "/admin/campaigns/renewals", campaign_body()).await.0, 200);
    let csv = "name,number,chained,plan\nAda,+46 8 555 0101,,gold\n,+46 8 555 0102,,\nBo,not a number,,\nCy,+46 8 555 0103,+46 70 1|x,\n".to_owned();
    let (status, body) = import(&sim, "renewals", csv).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["code"], "bad_csv");
    let lines: Vec<u64> = body["errors"].as_array().expect("errors").iter().map(|e| e["line"].as_u64().expect("line")).collect();
    assert_eq!(lines, vec![3, 4, 5]);
    let (status, listed) = sim.get("/admin/campaigns/renewals/records").await;
    assert_eq!(status, 200);
    assert_eq!(listed["records"].as_array().map(Vec::len), Some(0), "nothing half-imported: {listed}");
    let (status, body) = import(&sim, "nowhere", "name,number\nAda,1\n".into()).await;
    assert_eq!((status, body["code"].as_str()), (404, Some("unknown_campaign")));
}

// SPEC P6: a number on the do-not-call list is never dialled: not again on
// the record marked, nor typed in as another record's number.
#[tokio::test]
async fn a_do_not_call_number_is_never_dialled_spec_p6() {
    let server = TestServer::with(Preset::ContactCenter, 10_000, 30_000).await;
    set_up(&server, "Ada,+46 8 555 0101,,gold\nBo,+46 8 555 0201,,basic\n").await;
    let mut ana = preview_agent(&server).await;
    let record = work(&mut ana, "a preview", |w| w.record.status == RecordStatus::Previewing).await.record.id;
    ana.ok(CommandKind::AcceptPreview { record }).await;
    ana.ok(CommandKind::Dial { record, number: None }).await;
    let interaction = work(&mut ana, "the call", |w| w.record.status == RecordStatus::Connected).await.interaction.expect("the call");
    ana.ok(CommandKind::End { interaction }).await;
    ana.ok(CommandKind::DoNotCall { record }).await;
    let again = ana.command(CommandKind::Dial { record, number: None }).await;
    assert!(matches!(&again, ringside::protocol::ServerMessage::Nack { code, .. } if code == "bad_argument"), "{again:?}");
    ana.ok(CommandKind::CallResult { record, result: "answered".into() }).await;
    ana.ok(CommandKind::MarkDone { record, stop: false }).await;
    let next = work(&mut ana, "the next record", |w| w.record.status == RecordStatus::Previewing).await.record.id;
    ana.ok(CommandKind::AcceptPreview { record: next }).await;
    let typed = ana.command(CommandKind::Dial { record: next, number: Some("+46-8-555-01 01".into()) }).await;
    assert!(matches!(&typed, ringside::protocol::ServerMessage::Nack { code, .. } if code == "bad_argument"), "{typed:?}");
    ana.ok(CommandKind::Dial { record: next, number: None }).await;
}

// SPEC N8, SPEC S10: an import cut off by a crash leaves its staging file
// (nothing of it was published); the next start removes it, and no file
// but such ones.
#[tokio::test]
async fn a_start_removes_the_staging_files_of_imports_a_crash_cut_off() {
    let mut files = Vec::new();
    let server = TestServer::start(|db| {
        for name in ["import-0a1b2c3d4e5f6071.staging", "demo.staging", "import-0a1b.csv"] {
            let path = db.with_extension(name);
            std::fs::write(&path, "name,number\n").expect("a leftover");
            files.push(path);
        }
        common::config(db, Preset::ContactCenter, 10_000, 30_000)
    })
    .await;
    let left: Vec<bool> = files.iter().map(|f| f.exists()).collect();
    assert_eq!(left, [false, true, true], "only this database's import staging files go");
    drop(server);
}

// SPEC N8: every bound docs/server.md gives a campaign is 422 bad_campaign,
// and the campaign stays as it was.
#[tokio::test]
async fn a_campaign_out_of_its_bounds_is_refused_and_changes_nothing() {
    let server = TestServer::with(Preset::ContactCenter, 10_000, 30_000).await;
    let sim = server.http();
    assert_eq!(put(&sim, "/admin/campaigns/renewals", campaign_body()).await.0, 200);
    let with = |key: &str, value: serde_json::Value| {
        let mut body = campaign_body();
        body[key] = value;
        body
    };
    let agents: Vec<String> = (0..4097).map(|n| format!("agent-{n}")).collect();
    let results: Vec<String> = (0..33).map(|n| format!("result-{n}")).collect();
    let fields: Vec<String> = (0..17).map(|n| format!("field-{n}")).collect();
    for (key, value) in [
        ("name", serde_json::json!("")),
        ("name", serde_json::json!("n".repeat(65))),
        ("accept_timeout_ms", serde_json::json!(999)),
        ("accept_timeout_ms", serde_json::json!(3_600_001)),
        ("stale_limit_ms", serde_json::json!(604_800_001)),
        ("conference_limit", serde_json::json!(1)),
        ("conference_limit", serde_json::json!(9)),
        ("results", serde_json::json!([])),
        ("results", serde_json::json!(results)),
        ("fields", serde_json::json!(fields)),
        ("fields", serde_json::json!(["number"])),
        ("fields", serde_json::json!(["plan", "plan"])),
        ("results", serde_json::json!(["sold", "sold"])),
        ("results", serde_json::json!([""])),
        ("agents", serde_json::json!(["ana", "ana"])),
        ("agents", serde_json::json!([""])),
        ("agents", serde_json::json!(agents)),
    ] {
        let (status, body) = put(&sim, "/admin/campaigns/renewals", with(key, value)).await;
        assert_eq!((status, body["code"].as_str()), (422, Some("bad_campaign")), "{key}: {body}");
    }
    // The id in the path has its bound too, with the same answer.
    for id in ["c".repeat(65), "a%01".to_owned()] {
        let (status, body) = put(&sim, &format!("/admin/campaigns/{id}"), campaign_body()).await;
        assert_eq!((status, body["code"].as_str()), (422, Some("bad_campaign")), "{id}: {body}");
    }
    let (_, listed) = sim.get("/admin/campaigns").await;
    assert!(listed.to_string().contains("\"plan\""), "the campaign as it was: {listed}");
}

// SPEC N6: a record list's limit outside its bounds is taken as the nearest
// one; a query the endpoint does not take gets the JSON error.
#[tokio::test]
async fn a_record_list_clamps_its_limit_and_refuses_a_bad_query_in_json() {
    let server = TestServer::with(Preset::ContactCenter, 10_000, 30_000).await;
    let sim = server.http();
    assert_eq!(put(&sim, "/admin/campaigns/renewals", campaign_body()).await.0, 200);
    assert_eq!(import(&sim, "renewals", "name,number\nAda,+46 8 555 0101\nBo,+46 8 555 0102\n".into()).await.0, 201);
    let (status, listed) = sim.get("/admin/campaigns/renewals/records?limit=-1").await;
    assert_eq!((status, listed["records"].as_array().map(Vec::len)), (200, Some(1)), "taken as 1: {listed}");
    for huge in ["99999999999999999999999", "-99999999999999999999999"] {
        let (status, listed) = sim.get(&format!("/admin/campaigns/renewals/records?limit={huge}")).await;
        assert_eq!(status, 200, "{huge} is a whole number, taken as the nearest bound: {listed}");
    }
    for query in ["limit=abc", "limit=1.5", "limit=", "bogus=1"] {
        let (status, body) = sim.get(&format!("/admin/campaigns/renewals/records?{query}")).await;
        assert_eq!((status, body["code"].as_str()), (400, Some("bad_request")), "{query}: {body}");
    }
}

// SPEC P1, P2, P3, P5, P6, P7, W1, W2, W5: the whole path of one record
// through the real server and its dialler, to a personal callback that
// comes back at its time.
#[tokio::test]
async fn a_record_goes_from_preview_through_a_call_to_a_personal_callback_spec_p2_p7_w2_w5() {
    let server = TestServer::with(Preset::ContactCenter, 10_000, 30_000).await;
    let sim = set_up(&server, "Ada,+46 8 555 0101,+46 8 555 0102,gold\nBo,+46 8 555 0201,,basic\n").await;
    let mut ana = preview_agent(&server).await;
    let preview = work(&mut ana, "a preview (P2)", |w| w.record.status == RecordStatus::Previewing).await;
    assert_eq!((preview.record.name.as_str(), preview.origin), ("Ada", PreviewOrigin::Campaign));
    let record = preview.record.id;
    ana.ok(CommandKind::AcceptPreview { record }).await;
    // P4: the second chained number, dialled; it answers by the dialler's rule.
    ana.ok(CommandKind::SetActive { record, index: 1 }).await;
    ana.ok(CommandKind::Dial { record, number: None }).await;
    let connected = work(&mut ana, "the call connected (P5)", |w| w.record.status == RecordStatus::Connected).await;
    assert_eq!(connected.dialled.as_deref(), Some("+46 8 555 0102"));
    let interaction = connected.interaction.expect("the call");
    let (_, events) = ana.ok_with_events(CommandKind::End { interaction }).await;
    let after_call = |k: &EventKind| matches!(k, EventKind::OutboundChanged { work } if work.record.status == RecordStatus::AfterCall);
    assert!(events.iter().any(|e| after_call(&e.kind)), "the record is after the call (P6): {events:?}");
    // P7: the campaign requires a call result first.
    let refused = ana.command(CommandKind::MarkDone { record, stop: false }).await;
    assert!(matches!(refused, ringside::protocol::ServerMessage::Nack { ref code, .. } if code == "call_result_required"), "{refused:?}");
    ana.ok(CommandKind::CallResult { record, result: "answered".into() }).await;
    let at = ServerTime(now() + 1_500);
    ana.ok(CommandKind::Reschedule { record, at, number: None, personal: true }).await;
    ana.ok(CommandKind::MarkDone { record, stop: false }).await;
    // W1: done previews the next record.
    let next = work(&mut ana, "the next record (W1)", |w| w.record.status == RecordStatus::Previewing).await;
    assert_eq!(next.record.name, "Bo");
    ana.ok(CommandKind::RejectPreview { record: next.record.id }).await;
    // W5: the callback comes back to its agent, at its time.
    let back = work(&mut ana, "the personal callback (W5)", |w| w.record.id == record).await;
    assert_eq!(back.origin, PreviewOrigin::PersonalCallback);
    assert!(now() >= at.0, "not before its time");
    let (_, listed) = sim.get("/admin/campaigns/renewals/records?status=previewing").await;
    assert_eq!(listed["records"][0]["id"], record.0, "{listed}");
    let export = sim.client.get(format!("{}/admin/campaigns/renewals/export", sim.base)).bearer_auth(&sim.token).send().await.expect("export");
    let text = export.text().await.expect("csv");
    assert!(text.starts_with("id,name,number,chained,status,attempts,result,callback_at,callback_kind,agent,plan\n"), "{text}");
    assert!(text.contains(",Ada,+46 8 555 0101,+46 8 555 0102,previewing,1,answered,,,ana,gold\n"), "{text}");
}

// SPEC S10, P3: a restart in the middle of a campaign keeps the owned
// record, its schedule and the list around it.
#[tokio::test]
async fn a_restart_keeps_owned_records_and_schedules_spec_s10() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = TestServer::db(&dir);
    let make = || common::config(&db, Preset::ContactCenter, 10_000, 30_000);
    let first = common::serve(make()).await;
    let server = TestServer { addr: first.local_addr(), handle: first, dir: tempfile::tempdir().expect("tempdir") };
    set_up(&server, "Ada,+46 8 555 0101,,gold\nBo,+46 8 555 0201,,basic\n").await;
    let mut ana = preview_agent(&server).await;
    let preview = work(&mut ana, "a preview", |w| w.record.status == RecordStatus::Previewing).await;
    let record: RecordId = preview.record.id;
    ana.ok(CommandKind::AcceptPreview { record }).await;
    let at = ServerTime(now() + 3_600_000);
    ana.ok(CommandKind::Reschedule { record, at, number: None, personal: false }).await;
    ana.close().await;
    server.handle.shutdown().await;

    let second = common::serve(make()).await;
    let (_, snapshot) = Client::hello(second.local_addr(), &token("ana", Role::Agent), None).await.snapshot();
    let held = snapshot.state.outbound_work(record).expect("the owned record is still ana's");
    assert_eq!(held.record.status, RecordStatus::Owned);
    assert_eq!(held.record.schedule.as_ref().map(|s| s.at), Some(at));
    let sim = common::Sim { base: format!("http://{}", second.local_addr()), client: reqwest::Client::new(), token: token("admin", Role::Admin) };
    let (_, listed) = sim.get("/admin/campaigns/renewals/records").await;
    let statuses: Vec<&str> = listed["records"].as_array().expect("records").iter().map(|r| r["status"].as_str().unwrap_or("")).collect();
    assert_eq!(statuses, vec!["owned", "ready"]);
    second.shutdown().await;
    tokio::time::sleep(Duration::from_millis(10)).await;
}

// SPEC S10, P5: a number that was ringing when the server stopped answers
// at its own time, the dial's start plus the ring, not a ring after the
// restart (the simulated network counted from when it first saw the dial).
#[tokio::test]
async fn a_dial_ringing_across_a_restart_answers_at_its_own_time_spec_s10_p5() {
    const RING_MS: u64 = 2_000;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = TestServer::db(&dir);
    let make = || {
        let mut config = common::config(&db, Preset::ContactCenter, 10_000, 30_000);
        config.dial_ring_ms = RING_MS;
        config
    };
    let first = common::serve(make()).await;
    let server = TestServer { addr: first.local_addr(), handle: first, dir: tempfile::tempdir().expect("tempdir") };
    set_up(&server, "Ada,+46 8 555 0101,,gold\n").await;
    let mut ana = preview_agent(&server).await;
    let record = work(&mut ana, "a preview", |w| w.record.status == RecordStatus::Previewing).await.record.id;
    ana.ok(CommandKind::AcceptPreview { record }).await;
    let (dialled, events) = ana.ok_with_events(CommandKind::Dial { record, number: None }).await;
    let dial = events.iter().find(|e| matches!(&e.kind, EventKind::OutboundChanged { work } if work.record.status == RecordStatus::Dialling)).expect("dialling");
    let answer_at = dial.at.0 + RING_MS;
    ana.close().await;
    server.handle.shutdown().await;
    assert!(now() < answer_at, "the server stopped before the number answered");
    tokio::time::sleep(Duration::from_millis(answer_at.saturating_sub(now()) + 300)).await;

    let second = common::serve(make()).await;
    let mut ana = Client::hello(second.local_addr(), &token("ana", Role::Agent), Some(dialled)).await.client;
    let connected = ana.event("the call connected", |k| matches!(k, EventKind::OutboundChanged { work } if work.record.status == RecordStatus::Connected)).await;
    assert_eq!(connected.at.0, answer_at, "answered at the dial's start plus the ring");
    second.shutdown().await;
}
