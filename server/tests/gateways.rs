//! Every node serves clients: three nodes on one PostgreSQL engine, one
//! owning the center and two relaying to it as gateways. Agents spread over
//! the nodes see one center: routing, RONA, a consult across nodes, one
//! user's tabs on two nodes (SPEC N4); a gateway killed leaves its clients
//! to resume on another node (SPEC N2); the owner killed closes relayed
//! sockets with 1012, and they resume on the new owner.
#![cfg(unix)]

mod common;

use common::engine::{Node, Postgres};
use common::{set_status, token, Client, Sim};
use ringside::model::state::{CommandKind, EventKind};
use ringside::model::Role;
use ringside::protocol::ServerMessage;
use futures_util::SinkExt;
use std::net::SocketAddr;
use std::time::Duration;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;

/// Long enough that a loaded machine does not let the owner's lease lapse
/// in the middle of a routing test; one failover test waits it out.
const LEASE_MS: u64 = 3_000;
const START: Duration = Duration::from_secs(20);

fn sim(addr: SocketAddr) -> Sim {
    Sim { base: format!("http://{addr}"), client: reqwest::Client::new(), token: token("admin", Role::Admin) }
}

async fn agent(addr: SocketAddr, user: &str) -> Client {
    Client::hello(addr, &token(user, Role::Agent), None).await.snapshot().0
}

/// Three nodes: `a` owns the center, `b` and `c` are its gateways, ready
/// (they know where the owner is).
async fn three_nodes(engine: &Postgres, offer_ms: u64) -> (Node, Node, Node) {
    let a = Node::start("a", engine, LEASE_MS, offer_ms);
    a.owning(START);
    let b = Node::start("b", engine, LEASE_MS, offer_ms);
    let c = Node::start("c", engine, LEASE_MS, offer_ms);
    for gateway in [&b, &c] {
        ready(gateway).await;
    }
    (a, b, c)
}

/// Waits until a gateway knows where the owner is (`/healthz` 200).
async fn ready(gateway: &Node) {
    let deadline = std::time::Instant::now() + START;
    while reqwest::get(format!("http://{}/healthz", gateway.addr)).await.map(|r| r.status().as_u16()).ok() != Some(200) {
        assert!(std::time::Instant::now() < deadline, "{} never knew the owner", gateway.name);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

// SPEC O1, SPEC O3, SPEC V6, SPEC N4 across nodes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agents_on_three_nodes_see_one_center_routing_rona_consult_and_tabs() {
    let engine = Postgres::start();
    let (a, b, c) = three_nodes(&engine, 1_500).await;
    // RONA for an agent on a gateway; the contact is placed through the
    // other gateway (it forwards the API to the owner).
    let mut ben = agent(c.addr, "ben").await;
    ben.ok(CommandKind::Login).await;
    ben.ok(set_status("available")).await;
    sim(b.addr).contact("support", "voice").await;
    ben.event("the offer to ben", |k| matches!(k, EventKind::OfferCreated { .. })).await;
    ben.event("rona", |k| matches!(k, EventKind::StatusChanged { status, .. } if status.as_str() == "rona")).await;

    // One user, two tabs on two nodes: the gateway b and the owner a.
    let mut ana = agent(b.addr, "ana").await;
    let mut ana_on_owner = agent(a.addr, "ana").await;
    ana.ok(CommandKind::Login).await;
    // Routing: the waiting contact goes to ana as she becomes available.
    let (_, events) = ana.ok_with_events(set_status("available")).await;
    let offer = events.into_iter().find_map(|e| if let EventKind::OfferCreated { offer } = e.kind { Some(offer) } else { None });
    let offer = match offer {
        Some(offer) => offer,
        None => match ana.event("the offer to ana", |k| matches!(k, EventKind::OfferCreated { .. })).await.kind {
            EventKind::OfferCreated { offer } => offer,
            _ => unreachable!(),
        },
    };
    ana_on_owner.event("ana's status, in her other tab", |k| matches!(k, EventKind::StatusChanged { status, .. } if status.as_str() == "available")).await;
    ana_on_owner.event("the offer, in her other tab", |k| matches!(k, EventKind::OfferCreated { .. })).await;
    let (_, events) = ana.ok_with_events(CommandKind::Accept { offer: offer.id }).await;
    let call = events.iter().find_map(|e| if let EventKind::InteractionStarted { interaction } = &e.kind { Some(interaction.id) } else { None }).expect("the call starts");

    // A consult from ana (on b) to ben (on c).
    ben.ok(set_status("available")).await;
    ana.ok(CommandKind::Consult { interaction: call, target: ringside::model::call::Target::Agent("ben".into()) }).await;
    let invite = ben.event("the consult offer", |k| matches!(k, EventKind::OfferCreated { .. })).await;
    let EventKind::OfferCreated { offer } = invite.kind else { unreachable!() };
    assert!(offer.join.is_some(), "an invitation to join ana's call");
    ben.ok(CommandKind::Accept { offer: offer.id }).await;
    ana_on_owner.event("the consult, in ana's other tab", |k| matches!(k, EventKind::CallChanged { .. })).await;

    // The node count is as b last counted it (every heartbeat); a heartbeat
    // late on a loaded machine may count a node missing for a moment.
    let deadline = std::time::Instant::now() + START;
    loop {
        let metrics = reqwest::get(format!("http://{}/metrics", b.addr)).await.expect("metrics").text().await.expect("text");
        assert!(metrics.contains("ringside_relayed_sessions{center=\"default\"} 1"), "{metrics}");
        assert!(metrics.contains("ringside_lease_held{center=\"default\"} 0"), "{metrics}");
        if metrics.contains("ringside_cluster_nodes 3") {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "b never counted three nodes: {metrics}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

// SPEC N2 across nodes: a gateway killed with its clients' sockets; they
// reconnect to another node with their seq and get what they missed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gateway_killed_leaves_its_clients_to_resume_on_another_node() {
    let engine = Postgres::start();
    let (a, b, c) = three_nodes(&engine, 30_000).await;
    let mut ana = agent(b.addr, "ana").await;
    ana.ok(CommandKind::Login).await;
    let held = ana.ok(set_status("available")).await;
    b.signal("KILL");
    let mut other_tab = agent(a.addr, "ana").await;
    let missed = other_tab.ok(set_status("lunch")).await;

    let resumed = Client::hello(c.addr, &token("ana", Role::Agent), Some(held)).await;
    assert!(matches!(resumed.welcome, ServerMessage::Welcome { snapshot: None, .. }), "a replay: {:?}", resumed.welcome);
    let mut ana = resumed.client;
    let replayed = ana.event("the change made while away", |k| matches!(k, EventKind::StatusChanged { status, .. } if status.as_str() == "lunch")).await;
    assert_eq!(replayed.seq, missed);
}

// The owner killed: its gateway closes the relayed sockets with 1012; they
// reconnect to the gateway, now relaying to the new owner, and resume.
// SPEC N2 across nodes: relayed sockets close with 1012 when the owner dies
// and resume from their seq on the new owner.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relayed_clients_follow_the_center_to_its_new_owner() {
    let engine = Postgres::start();
    let (a, b, c) = three_nodes(&engine, 30_000).await;
    let mut ana = agent(c.addr, "ana").await;
    ana.ok(CommandKind::Login).await;
    let held = ana.ok(set_status("available")).await;
    a.signal("KILL");
    let (code, _, _) = ana.closed().await;
    assert_eq!(code, 1012, "service restart: reconnect");
    let deadline = std::time::Instant::now() + START;
    while !(b.owns_yet() || c.owns_yet()) {
        assert!(std::time::Instant::now() < deadline, "no node took the center over");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The client comes back where it was, c: the new owner, or its gateway
    // once c has seen the new lease (a refused try is retried, as clients do).
    let mut resumed = loop {
        let tried = tokio::spawn(Client::hello(c.addr, token("ana", Role::Agent).leak(), Some(held))).await;
        match tried {
            Ok(welcomed) => break welcomed,
            Err(_) => assert!(std::time::Instant::now() < deadline, "c never served the center again"),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(matches!(resumed.welcome, ServerMessage::Welcome { snapshot: None, .. }), "a replay: {:?}", resumed.welcome);
    let seq = resumed.client.ok(set_status("lunch")).await;
    assert!(seq > held, "the center goes on after the status ana held");
}

// SPEC N3: the owner's pings on a relayed socket are answered by the
// gateway's own socket to it, so the gateway pings the client itself and
// closes it with 4010 when it falls silent, as the owner would.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_client_behind_a_gateway_is_closed_as_idle() {
    let engine = Postgres::start();
    let a = Node::start("a", &engine, LEASE_MS, 30_000);
    a.owning(START);
    let b = Node::start_with("b", &engine, LEASE_MS, 30_000, "ping_interval_ms = 200\nidle_timeout_ms = 800\n");
    ready(&b).await;
    let mut ana = agent(b.addr, "ana").await;
    ana.ok(CommandKind::Login).await;
    // A client that reads nothing answers no ping: the owner sees it go.
    let owner = sim(a.addr);
    let deadline = std::time::Instant::now() + START;
    loop {
        let state = owner.state().await;
        let ana_state = state["agents"].as_array().and_then(|agents| agents.iter().find(|agent| agent["agent"] == "ana").cloned());
        if ana_state.is_some_and(|agent| agent["connected"] == false) {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "ana was never closed as idle");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The close frame (4010) is there unless the client's queued pongs hit
    // the already closed socket first.
    loop {
        match tokio::time::timeout(START, futures_util::StreamExt::next(&mut ana.ws)).await.expect("ends in time") {
            Some(Ok(tokio_tungstenite::tungstenite::Message::Close(frame))) => {
                assert_eq!(frame.map(|f| u16::from(f.code)), Some(4010), "idle");
                break;
            }
            Some(Ok(_)) => continue,
            Some(Err(_)) | None => break,
        }
    }

    // The gateway answers a client's close frame, and refuses a frame the
    // WebSocket layer would not read as the owner would (SPEC N6, SPEC N8).
    let mut ben = agent(b.addr, "ben").await;
    ben.ws.send(Message::Close(Some(CloseFrame { code: CloseCode::Normal, reason: "bye".into() }))).await.expect("close");
    assert_eq!(ben.closed().await.0, 1000, "a clean close through the gateway");
    let mut ben = agent(b.addr, "ben").await;
    ben.send_text(&"y".repeat(8 * ringside::protocol::MAX_FRAME_BYTES)).await;
    let (code, _, before) = ben.closed().await;
    assert_eq!((code, common::error_code(&before).as_deref()), (1009, Some("oversize_frame")));
}

// The admin API through a gateway: a 20,000-record CSV import streams to
// the owner, and the export streams back, line for line (SPEC P2).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_and_an_export_stream_through_a_gateway() {
    let engine = Postgres::start();
    let a = Node::start("a", &engine, LEASE_MS, 30_000);
    a.owning(START);
    let b = Node::start("b", &engine, LEASE_MS, 30_000);
    ready(&b).await;
    let admin = sim(b.addr);
    let campaign = serde_json::json!({"name": "Renewals", "agents": ["ana"], "fields": ["plan"]});
    let saved = admin.client.put(format!("{}/admin/campaigns/renewals", admin.base)).bearer_auth(&admin.token).json(&campaign).send().await.expect("put");
    assert_eq!(saved.status().as_u16(), 200);
    let mut csv = String::from("name,number,chained,plan\n");
    for n in 0..20_000 {
        csv.push_str(&format!("Customer {n},+4685550{n:05},,gold\n"));
    }
    let imported = admin
        .client
        .post(format!("{}/admin/campaigns/renewals/records", admin.base))
        .bearer_auth(&admin.token)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .expect("import");
    assert_eq!(imported.status().as_u16(), 201);
    assert_eq!(imported.json::<serde_json::Value>().await.expect("json")["imported"], 20_000);
    let export = admin.client.get(format!("{}/admin/campaigns/renewals/export", admin.base)).bearer_auth(&admin.token).send().await.expect("export");
    assert_eq!(export.status().as_u16(), 200);
    let text = export.text().await.expect("csv");
    assert_eq!(text.lines().count(), 20_001, "a header and every record");
}

// Relayed sockets share one link: forty agents on a gateway cost the owner
// one socket, not forty, and each is a session of its own (N4: the same
// user's sessions through the link all see a change).
// SPEC N4, SPEC N8
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gateway_carries_its_clients_to_the_owner_over_one_link() {
    let engine = Postgres::start();
    let (a, b, _c) = three_nodes(&engine, 30_000).await;
    let mut first = agent(b.addr, "ana").await;
    first.ok(CommandKind::Login).await;
    let before = a.sockets();
    let mut tabs = Vec::new();
    for _ in 0..4 {
        tabs.push(agent(b.addr, "ana").await);
    }
    let mut others = Vec::new();
    for n in 0..36 {
        let mut other = agent(b.addr, &format!("agent{n}")).await;
        other.ok(CommandKind::Login).await;
        others.push(other);
    }
    let after = a.sockets();
    // The owner may open an engine connection or two meanwhile; one socket
    // per relayed client would be forty.
    eprintln!("forty relayed sockets: the owner held {before} sockets before, {after} after");
    assert!(after < before + 10, "forty relayed sockets cost the owner {} sockets", after - before);
    first.ok(set_status("available")).await;
    for tab in &mut tabs {
        tab.event("the change, in every tab", |k| matches!(k, EventKind::StatusChanged { status, .. } if status.as_str() == "available")).await;
    }
    let metrics = reqwest::get(format!("http://{}/metrics", a.addr)).await.expect("metrics").text().await.expect("text");
    assert!(metrics.contains("ringside_sessions{center=\"default\"} 41"), "{metrics}");
    // Only nodes open links: no header, or a forged one, is refused.
    let refused = tokio_tungstenite::connect_async(format!("ws://{}/link", a.addr)).await;
    assert!(matches!(&refused, Err(tokio_tungstenite::tungstenite::Error::Http(r)) if r.status() == 403), "{refused:?}");
}

// SPEC N8: a relayed client that keeps asking for a large roster and never
// reads is cut by its gateway with 4009 once its queue holds 8 MiB, instead
// of the gateway holding up to 256 frames of half a megabyte each.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relayed_client_that_never_reads_is_cut_by_the_gateways_byte_bound_spec_n8() {
    let engine = Postgres::start();
    let a = Node::start("a", &engine, LEASE_MS, 30_000);
    a.owning(START);
    let b = Node::start("b", &engine, LEASE_MS, 30_000);
    ready(&b).await;
    // An admin follows everyone: 5,000 members make a roster of about a megabyte.
    let members: serde_json::Map<String, serde_json::Value> =
        (0..5_000).map(|n| (format!("agent-{n:05}-north-floor"), serde_json::json!({ "queues": { "support": 5 } }))).collect();
    let sim = sim(a.addr);
    let put = sim.client.put(format!("{}/admin/directory", sim.base)).bearer_auth(&sim.token).json(&serde_json::json!({ "members": members }));
    assert_eq!(put.send().await.expect("directory").status().as_u16(), 200);
    let (mut admin, _) = Client::hello(b.addr, &token("root", Role::Admin), None).await.snapshot();
    // 40 rosters asked for, none read: far past what the socket's buffers
    // take. Spaced out, so the owner's outbox for the session drains to the
    // link each time and the queue that grows is the gateway's.
    for _ in 0..40 {
        admin.send_text(r#"{"subscribe_roster":{"resume":null}}"#).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (code, _, before) = admin.closed().await;
    assert_eq!(code, 4009, "too slow: reconnect and resume");
    let rosters = before.iter().filter(|m| matches!(m, ServerMessage::Roster(r) if r.part == 0)).count();
    assert!(rosters < 40, "cut before every roster went out: {rosters}");
}
