//! Presence and supervision on the real server, over real sockets: roster
//! visibility (an agent's frames never carry another user's secondary
//! status, a supervisor's do), a fan-out that reaches only followers, roster
//! resume, auto-away decided once for two tabs, monitoring across a
//! conference the monitored agent exits, the directory admin API and the
//! direct-call endpoint.

mod common;

use common::{config, set_status, token, Client, TestServer, WAIT};
use ringside::model::directory::{Directory, Member, Team};
use ringside::model::monitoring::MonitoringEnd;
use ringside::model::presence::Presence;
use ringside::model::profile::{Preset, Profile, SecondaryDef};
use ringside::model::state::{CommandKind, EventKind};
use ringside::model::{QueueId, Role, SecondaryId, TeamId, UserId};
use ringside::protocol::{ClientMessage, RosterPosition, RosterSnapshot, ServerMessage};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

/// Team north: ana and ben (agents serving support) and sue (supervisor);
/// cy is in no team.
fn north() -> Directory {
    let member = |queues: &[&str]| Member {
        teams: BTreeSet::from([TeamId::from("north")]),
        queues: queues.iter().map(|q| (QueueId::from(*q), 5)).collect(),
        ..Member::default()
    };
    Directory {
        teams: BTreeMap::from([(TeamId::from("north"), Team { label: "North".into() })]),
        members: BTreeMap::from([
            (UserId::from("ana"), member(&["support"])),
            (UserId::from("ben"), member(&["support"])),
            (UserId::from("sue"), member(&[])),
        ]),
    }
}

/// The contact-center preset with a secondary status `coaching` under idle
/// (S6), team north, and the given auto-away time.
fn presence_config(db: &Path, auto_away_ms: u64) -> ringside_server::config::Config {
    let mut config = config(db, Preset::ContactCenter, 30_000, 60_000);
    let mut statuses = Profile::preset(Preset::ContactCenter).statuses;
    if let Some(idle) = statuses.iter_mut().find(|s| s.id.as_str() == "idle") {
        idle.secondary = vec![SecondaryDef { id: SecondaryId::from("coaching"), label: "Coaching".into() }];
    }
    config.profile.statuses = Some(statuses);
    config.profile.auto_away_ms = Some(auto_away_ms);
    config.directory = north();
    config
}

async fn signed_in(server: &TestServer, user: &str, role: Role) -> Client {
    let (mut client, _) = Client::hello(server.addr, &token(user, role), None).await.snapshot();
    client.ok(CommandKind::Login).await;
    client
}

async fn roster(client: &mut Client, resume: Option<RosterPosition>) -> ServerMessage {
    client.send(&ClientMessage::SubscribeRoster { resume }).await;
    client.recv_until("the roster's answer", |m| matches!(m, ServerMessage::Roster(_) | ServerMessage::Presence { .. })).await
}

fn snapshot(message: ServerMessage) -> RosterSnapshot {
    match message {
        ServerMessage::Roster(snapshot) => *snapshot,
        other => panic!("expected a roster snapshot, got {other:?}"),
    }
}

async fn presence_of(client: &mut Client, user: &str, check: impl Fn(&Presence) -> bool) -> (u64, Presence) {
    let message = client
        .recv_until(&format!("{user}'s presence"), |m| matches!(m, ServerMessage::Presence { entry, .. } if entry.user.as_str() == user && check(entry)))
        .await;
    match message {
        ServerMessage::Presence { seq, entry } => (seq, *entry),
        _ => unreachable!(),
    }
}

/// SPEC S6, SPEC S12: agents see their team without secondary statuses,
/// supervisors with them; a change reaches only those who follow its user;
/// a reconnect resumes from its position.
#[tokio::test]
async fn roster_frames_show_the_secondary_only_to_supervisors_and_reach_only_followers_spec_s6_s12() {
    let server = TestServer::start(|db| presence_config(db, 0)).await;
    let mut ana = signed_in(&server, "ana", Role::Agent).await;
    let mut sue = signed_in(&server, "sue", Role::Supervisor).await;
    let mut cy = signed_in(&server, "cy", Role::Agent).await;
    let mut ben = signed_in(&server, "ben", Role::Agent).await;
    ben.ok(CommandKind::SetStatus { status: "idle".into(), secondary: Some(SecondaryId::from("coaching")) }).await;

    let ana_roster = snapshot(roster(&mut ana, None).await);
    let users: Vec<&str> = ana_roster.entries.iter().map(|e| e.user.as_str()).collect();
    assert_eq!(users, ["ana", "ben", "sue"], "the team, in id order");
    let ben_seen = ana_roster.entries.iter().find(|e| e.user.as_str() == "ben").unwrap();
    assert_eq!((ben_seen.status.as_str(), ben_seen.secondary.as_ref()), ("idle", None), "an agent never sees another's secondary");
    assert!(ana_roster.queues.is_empty(), "queue figures are for supervisors");
    let sue_roster = snapshot(roster(&mut sue, None).await);
    let ben_full = sue_roster.entries.iter().find(|e| e.user.as_str() == "ben").unwrap();
    assert_eq!(ben_full.secondary.as_ref().map(|s| s.as_str()), Some("coaching"), "a supervisor does");
    assert_eq!(ben_full.queues.get(&QueueId::from("support")), Some(&5));
    assert!(sue_roster.queues.iter().any(|q| q.queue.as_str() == "support"));
    let cy_roster = snapshot(roster(&mut cy, None).await);
    assert_eq!(cy_roster.entries.iter().map(|e| e.user.as_str()).collect::<Vec<_>>(), ["cy"], "no team: only itself");

    // A change: the secondary again, to ana without it, to sue with it, to cy not at all.
    ben.ok(set_status("available")).await;
    ben.ok(CommandKind::SetStatus { status: "idle".into(), secondary: Some(SecondaryId::from("coaching")) }).await;
    let (ana_seq, seen) = presence_of(&mut ana, "ben", |p| p.status.as_str() == "idle").await;
    assert_eq!(seen.secondary, None);
    let (_, seen) = presence_of(&mut sue, "ben", |p| p.status.as_str() == "idle").await;
    assert_eq!(seen.secondary.as_ref().map(|s| s.as_str()), Some("coaching"));
    let before_pong = cy.until_pong().await;
    assert!(!before_pong.iter().any(|m| matches!(m, ServerMessage::Presence { entry, .. } if entry.user.as_str() == "ben")), "cy follows nobody: {before_pong:?}");

    // Resume: ana drops (holding every frame sent to her so far), ben
    // changes once she is gone, ana comes back with her position.
    let held = ana.until_pong().await;
    let last_held = held.iter().filter_map(|m| if let ServerMessage::Presence { seq, .. } = m { Some(*seq) } else { None }).max();
    let position = RosterPosition { epoch: ana_roster.epoch, seq: last_held.unwrap_or(ana_seq) };
    ana.close().await;
    presence_of(&mut sue, "ana", |p| !p.connected).await;
    ben.ok(set_status("available")).await;
    let _ = sue.until_pong().await;
    let (mut ana, _) = Client::hello(server.addr, &token("ana", Role::Agent), None).await.snapshot();
    ana.send(&ClientMessage::SubscribeRoster { resume: Some(position) }).await;
    // The replay comes from the owner, a pong from the socket's own task:
    // read frames until ben's, none of them a snapshot.
    let ben_back = |m: &ServerMessage| matches!(m, ServerMessage::Presence { entry, .. } if entry.user.as_str() == "ben" && entry.status.as_str() == "available");
    loop {
        let message = ana.recv().await;
        assert!(!matches!(message, ServerMessage::Roster(_)), "a resume replays, it sends no snapshot");
        if ben_back(&message) {
            break;
        }
    }
    let stale = RosterPosition { epoch: position.epoch + 1, seq: position.seq };
    assert!(matches!(roster(&mut ana, Some(stale)).await, ServerMessage::Roster(_)), "another run's position gets a snapshot");
}

/// SPEC S12, N8: an admin follows every user; on a floor of thousands its
/// roster comes in parts, each frame within the 1 MiB a client must take.
#[tokio::test]
async fn a_large_floor_roster_reaches_an_admin_in_parts_spec_s12_n8() {
    let server = TestServer::start(|db| {
        let mut config = presence_config(db, 0);
        for n in 0..8_000 {
            config.directory.members.insert(UserId::from(format!("agent-{n:05}").as_str()), Member::default());
        }
        config
    })
    .await;
    let mut admin = signed_in(&server, "admin", Role::Admin).await;
    admin.send(&ClientMessage::SubscribeRoster { resume: None }).await;
    let mut parts = Vec::new();
    let mut users = 0;
    while users < 8_004 {
        let frame = snapshot(admin.recv_until("a roster part", |m| matches!(m, ServerMessage::Roster(_))).await);
        assert!(serde_json::to_string(&frame).expect("json").len() < ringside::protocol::MAX_SERVER_FRAME_BYTES);
        users += frame.entries.len();
        parts.push(frame.part);
    }
    assert_eq!(users, 8_004, "every member of the directory (8,000 and north's 3) and the admin");
    assert!(parts.len() > 1 && parts.iter().enumerate().all(|(n, part)| *part == n as u32), "numbered parts: {parts:?}");
    admin.ok(set_status("available")).await;
}

/// SPEC N8, N6: a directory at its bound of 20,000 members, past axum's
/// default body limit, is taken whole; a body past the directory's own
/// limit gets the JSON 413.
#[tokio::test]
async fn a_directory_of_twenty_thousand_members_is_taken_and_a_larger_body_is_refused_in_json() {
    let server = TestServer::start(|db| presence_config(db, 0)).await;
    let sim = server.http();
    let members: serde_json::Map<String, serde_json::Value> = (0..20_000)
        .map(|n| (format!("agent-{n:05}-north-floor"), serde_json::json!({ "teams": ["north"], "queues": { "support": 5, "sales": 3 }, "favourites": ["ana", "ben"] })))
        .collect();
    let directory = serde_json::json!({ "teams": { "north": { "label": "North" } }, "members": members });
    let body = serde_json::to_vec(&directory).expect("json");
    assert!(body.len() > 2 << 20, "over axum's default: {} bytes", body.len());
    let put = |body: Vec<u8>| sim.client.put(format!("{}/admin/directory", sim.base)).bearer_auth(&sim.token).header("content-type", "application/json").body(body).send();
    let taken = put(body).await.expect("request");
    assert_eq!(taken.status().as_u16(), 200);
    let refused = put(vec![b' '; ringside_server::directory::MAX_DIRECTORY_BODY_BYTES + 1]).await.expect("request");
    assert_eq!(refused.status().as_u16(), 413);
    assert_eq!(refused.json::<serde_json::Value>().await.expect("a JSON error")["code"], "too_large");
}

/// SPEC S11: the server decides auto-away once for all tabs; input in one
/// tab counts for both, and input in either brings the status back.
#[tokio::test]
async fn auto_away_is_decided_by_the_server_for_every_tab_of_the_user_spec_s11() {
    let server = TestServer::start(|db| presence_config(db, 1_500)).await;
    let mut first = signed_in(&server, "ana", Role::Agent).await;
    let (mut second, _) = Client::hello(server.addr, &token("ana", Role::Agent), None).await.snapshot();
    first.ok(set_status("available")).await;
    // The first tab has input for 2.4 s: the second tab, silent, is not away either.
    for _ in 0..4 {
        tokio::time::sleep(Duration::from_millis(600)).await;
        first.ok(CommandKind::Present).await;
    }
    let silent = second.until_pong().await;
    assert!(!silent.iter().any(|m| matches!(m, ServerMessage::Event(e) if matches!(&e.kind, EventKind::StatusChanged { status, .. } if status.as_str() == "away_auto"))));
    for tab in [&mut first, &mut second] {
        tab.event("away after 1.5 s without input", |k| matches!(k, EventKind::StatusChanged { status, .. } if status.as_str() == "away_auto")).await;
    }
    let back = |k: &EventKind| matches!(k, EventKind::StatusChanged { status, .. } if status.as_str() == "available");
    let (_, events) = second.ok_with_events(CommandKind::Present).await;
    assert!(events.iter().any(|e| back(&e.kind)), "input returns the status before: {events:?}");
    first.event("back to available in the other tab", back).await;
}

/// SPEC M3 over sockets: a supervisor monitoring through the agent who
/// exits a conference is disconnected; the call goes on.
#[tokio::test]
async fn monitoring_ends_when_the_monitored_agent_exits_a_conference_spec_m3() {
    let server = TestServer::start(|db| presence_config(db, 0)).await;
    let sim = server.http();
    let mut ana = signed_in(&server, "ana", Role::Agent).await;
    let mut ben = signed_in(&server, "ben", Role::Agent).await;
    let mut sue = signed_in(&server, "sue", Role::Supervisor).await;
    ana.ok(set_status("available")).await;
    sim.contact("support", "voice").await;
    let offer = ana.event("an offer", |k| matches!(k, EventKind::OfferCreated { .. })).await;
    let EventKind::OfferCreated { offer } = offer.kind else { unreachable!() };
    let (_, events) = ana.ok_with_events(CommandKind::Accept { offer: offer.id }).await;
    let call = events
        .iter()
        .find_map(|e| if let EventKind::InteractionStarted { interaction } = &e.kind { Some(interaction.id) } else { None })
        .expect("the call starts");
    ben.ok(set_status("available")).await;
    ana.ok(CommandKind::Consult { interaction: call, target: ringside::model::call::Target::Agent("ben".into()) }).await;
    let invite = ben.event("the consult offer", |k| matches!(k, EventKind::OfferCreated { .. })).await;
    let EventKind::OfferCreated { offer } = invite.kind else { unreachable!() };
    ben.ok(CommandKind::Accept { offer: offer.id }).await;
    ana.ok(CommandKind::StartConference { interaction: call }).await;
    assert!(matches!(ben.command(CommandKind::Monitor { interaction: call, agent: "ana".into() }).await, ServerMessage::Nack { code, .. } if code == "forbidden"));
    sue.ok(CommandKind::Monitor { interaction: call, agent: "ana".into() }).await;
    ana.ok(CommandKind::Leave { interaction: call }).await;
    let ended = sue.event("the monitoring ends", |k| matches!(k, EventKind::MonitoringEnded { .. })).await;
    assert!(matches!(ended.kind, EventKind::MonitoringEnded { interaction, reason: MonitoringEnd::AgentLeft } if interaction == call));
    let still = ben.until_pong().await;
    assert!(!still.iter().any(|m| matches!(m, ServerMessage::Event(e) if matches!(e.kind, EventKind::InteractionWrapUp { .. }))), "the call goes on for ben");
}

/// The directory admin API (admin only, applied to the next offer) and the
/// direct-call endpoint (any valid token; S3, S4).
#[tokio::test]
async fn the_directory_api_changes_routing_at_once_and_the_direct_call_endpoint_answers() {
    let server = TestServer::start(|db| presence_config(db, 0)).await;
    let sim = server.http();
    let client = reqwest::Client::new();
    let base = format!("http://{}", server.addr);
    let (status, body) = sim.get("/admin/directory").await;
    assert_eq!(status, 200);
    assert_eq!(body["members"]["ana"]["queues"]["support"], 5);
    let cy_entry = serde_json::json!({ "teams": ["north"], "queues": { "support": 9 } });
    let as_agent = client.put(format!("{base}/admin/members/cy")).bearer_auth(token("ana", Role::Agent)).json(&cy_entry).send().await.unwrap();
    assert_eq!(as_agent.status().as_u16(), 403);
    let bad = client.put(format!("{base}/admin/members/cy")).bearer_auth(&sim.token).json(&serde_json::json!({ "queues": { "nowhere": 1 } })).send().await.unwrap();
    assert_eq!(bad.status().as_u16(), 422);
    assert_eq!(bad.json::<serde_json::Value>().await.unwrap()["code"], "unknown_queue");
    // SPEC N8: an id over its bound is refused alike in the path and the body.
    let long = client.put(format!("{base}/admin/members/{}", "x".repeat(65))).bearer_auth(&sim.token).json(&cy_entry).send().await.unwrap();
    assert_eq!(long.status().as_u16(), 422);
    assert_eq!(long.json::<serde_json::Value>().await.unwrap()["code"], "invalid_message");
    // A body that is not a JSON object changes nothing, though serde would
    // read an array as a struct's fields in order.
    for (path, body) in [("/admin/directory", "[{}, {}]"), ("/admin/members/ana", "[[], {}, []]"), ("/admin/teams/north", r#"["North"]"#), ("/admin/directory", "null")] {
        let refused = client.put(format!("{base}{path}")).bearer_auth(&sim.token).header("content-type", "application/json").body(body).send().await.unwrap();
        assert_eq!(refused.status().as_u16(), 400, "{path} {body}");
        assert_eq!(refused.json::<serde_json::Value>().await.unwrap()["code"], "bad_request");
    }
    // SPEC N8: an empty id names nobody; a default phone must be dialable.
    let long_team = format!(r#"{{"teams":["{}"]}}"#, "t".repeat(65));
    for (path, body, code) in [
        ("/admin/directory", r#"{"teams":{"":{"label":"E"}}}"#, "invalid_message"),
        ("/admin/directory", r#"{"members":{"":{}}}"#, "invalid_message"),
        ("/admin/members/cy", r#"{"favourites":[""]}"#, "invalid_message"),
        // Out of bounds, not unknown: no team or queue could have such an id.
        ("/admin/members/cy", r#"{"teams":[""]}"#, "invalid_message"),
        ("/admin/members/cy", long_team.as_str(), "invalid_message"),
        ("/admin/members/cy", r#"{"queues":{"":1}}"#, "invalid_message"),
        ("/admin/members/cy", r#"{"phone":{"number":""}}"#, "bad_argument"),
        ("/admin/members/cy", r#"{"phone":{"number":"abc"}}"#, "bad_argument"),
    ] {
        let refused = client.put(format!("{base}{path}")).bearer_auth(&sim.token).header("content-type", "application/json").body(body.to_owned()).send().await.unwrap();
        assert_eq!(refused.status().as_u16(), 422, "{path} {body}");
        assert_eq!(refused.json::<serde_json::Value>().await.unwrap()["code"], code, "{path} {body}");
    }
    let empty = client.get(format!("{base}/presence//direct-call")).bearer_auth(&sim.token).send().await.unwrap();
    assert_eq!(empty.status().as_u16(), 422);
    let (_, kept) = sim.get("/admin/directory").await;
    assert_eq!(kept["members"]["ana"]["queues"]["support"], 5, "the directory is whole: {kept}");
    assert!(kept["members"].get("cy").is_none(), "nothing saved for cy: {kept}");

    // cy is no member of support: a support contact waits.
    let mut cy = signed_in(&server, "cy", Role::Agent).await;
    cy.ok(set_status("available")).await;
    sim.contact("support", "voice").await;
    assert!(!cy.until_pong().await.iter().any(|m| matches!(m, ServerMessage::Event(e) if matches!(e.kind, EventKind::OfferCreated { .. }))));
    let saved = client.put(format!("{base}/admin/members/cy")).bearer_auth(&sim.token).json(&cy_entry).send().await.unwrap();
    assert_eq!(saved.status().as_u16(), 200);
    tokio::time::timeout(WAIT, cy.event("the waiting contact, now that cy serves support", |k| matches!(k, EventKind::OfferCreated { .. })))
        .await
        .expect("in time");

    let ask = |user: &str, bearer: Option<String>| {
        let request = client.get(format!("{base}/presence/{user}/direct-call"));
        let request = match bearer {
            Some(t) => request.bearer_auth(t),
            None => request,
        };
        request.send()
    };
    assert_eq!(ask("cy", None).await.unwrap().status().as_u16(), 401);
    let answer: serde_json::Value = ask("cy", Some(token("ana", Role::Agent))).await.unwrap().json().await.unwrap();
    assert_eq!((answer["status"].as_str(), answer["route"].as_str()), (Some("available"), Some("ring")));
    let answer: serde_json::Value = ask("nobody", Some(token("ana", Role::Agent))).await.unwrap().json().await.unwrap();
    assert_eq!(answer["route"], "voicemail", "offline with a browser phone: voicemail, no notification (S4)");
}
