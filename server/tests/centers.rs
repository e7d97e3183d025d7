//! Many centers on many nodes, as real processes on one PostgreSQL engine:
//! the centers spread over the nodes by their leases (no node owns them
//! all), each is reached through any node by its name or its tokens, the
//! centers keep apart, and a node that dies leaves its centers to the others.
#![cfg(unix)]

mod common;

use common::engine::{Node, Postgres};
use common::{keys, set_status, Client, Sim};
use ringside::model::state::CommandKind;
use ringside::model::Role;
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// Short leases keep the tests quick; production uses seconds.
const LEASE_MS: u64 = 1_500;
/// Taking centers over and handing them on takes well under this.
const SETTLE: Duration = Duration::from_secs(30);

fn token(center: &str, user: &str, role: Role) -> String {
    keys().for_center(center).issue(user, role, 3600)
}

/// The centers `addr` owns, from its `/metrics`.
async fn owned(addr: SocketAddr) -> BTreeSet<String> {
    let Ok(answer) = reqwest::get(format!("http://{addr}/metrics")).await else { return BTreeSet::new() };
    let text = answer.text().await.unwrap_or_default();
    text.lines()
        .filter_map(|line| line.strip_prefix("ringside_lease_held{center=\"")?.strip_suffix("\"} 1"))
        .map(str::to_owned)
        .collect()
}

/// Waits until `check` holds for the centers each node owns.
async fn until_owned(what: &str, nodes: &[SocketAddr], check: impl Fn(&[BTreeSet<String>]) -> bool) -> Vec<BTreeSet<String>> {
    let deadline = Instant::now() + SETTLE;
    loop {
        let mut sets = Vec::new();
        for node in nodes {
            sets.push(owned(*node).await);
        }
        if check(&sets) {
            return sets;
        }
        assert!(Instant::now() < deadline, "{what}: owned {sets:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until every node serves every center (owned, or its owner known).
async fn until_healthy(nodes: &[SocketAddr]) {
    let deadline = Instant::now() + SETTLE;
    for node in nodes {
        loop {
            let health = reqwest::get(format!("http://{node}/healthz")).await.map(|h| h.status().as_u16());
            if matches!(health, Ok(200)) {
                break;
            }
            assert!(Instant::now() < deadline, "{node} never served every center: {health:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|n| (*n).to_owned()).collect()
}

async fn agent(node: SocketAddr, center: &str, user: &str) -> Client {
    let url = format!("ws://{node}/ws?center={center}");
    let (client, _) = Client::hello_url(&url, &token(center, user, Role::Agent), None).await.snapshot();
    client
}

// SPEC N9: two centers on one node, then a second node joins: the first
// hands one center over, so each owns one. Both centers serve through
// either node, keep apart (the same user id in two centers is two agents),
// and when a node dies the other owns both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_share_two_centers_and_the_survivor_takes_both() {
    let engine = Postgres::start();
    let a = Node::start_centers("a", &engine, LEASE_MS, &["north", "south"]);
    until_owned("alone, a owns both", &[a.addr], |sets| sets[0] == set(&["north", "south"])).await;
    let mut early = Vec::new();
    for center in ["north", "south"] {
        let mut bo = agent(a.addr, center, "bo").await;
        let seq = bo.ok(CommandKind::Login).await;
        early.push((center, bo, seq));
    }

    let b = Node::start_centers("b", &engine, LEASE_MS, &["north", "south"]);
    let sets = until_owned("a hands one center to b", &[a.addr, b.addr], |sets| sets[0].len() == 1 && sets[1].len() == 1 && sets[0] != sets[1]).await;
    eprintln!("a owns {:?}, b owns {:?}", sets[0], sets[1]);
    // The handed-over center's sessions on a close (1001) and resume
    // through a, now its gateway; the other center's go on.
    for (center, mut bo, seq) in early {
        if sets[1].contains(center) {
            let (code, _, _) = bo.closed().await;
            assert_eq!(code, 1001, "{center} was handed over");
            let url = format!("ws://{}/ws?center={center}", a.addr);
            let resumed = Client::hello_url(&url, &token(center, "bo", Role::Agent), Some(seq)).await;
            assert!(matches!(resumed.welcome, ringside::protocol::ServerMessage::Welcome { snapshot: None, .. }), "a replay from the seq");
            resumed.client.close().await;
        } else {
            bo.ok(set_status("available")).await;
        }
    }
    until_healthy(&[a.addr, b.addr]).await;

    // The same user id in both centers, through both nodes.
    let mut north = agent(a.addr, "north", "ana").await;
    let mut south = agent(b.addr, "south", "ana").await;
    north.ok(CommandKind::Login).await;
    north.ok(set_status("available")).await;
    south.ok(CommandKind::Login).await;
    south.ok(set_status("lunch")).await;
    let (_, seen) = Client::hello_url(&format!("ws://{}/ws?center=north", b.addr), &token("north", "ana", Role::Agent), None).await.snapshot();
    assert_eq!(seen.state.status.as_str(), "available", "north's ana through b: north's state, not south's");

    // A contact placed in south through a (the admin token names south)
    // reaches south's ana only.
    let south_sim = Sim { base: format!("http://{}", a.addr), client: reqwest::Client::new(), token: token("south", "admin", Role::Admin) };
    let south_acked = south.ok(set_status("available")).await;
    south_sim.contact("support", "voice").await;
    south.event("south's offer", |k| matches!(k, ringside::model::state::EventKind::OfferCreated { .. })).await;
    let pong = north.until_pong().await;
    assert!(!pong.iter().any(|m| format!("{m:?}").contains("OfferCreated")), "north saw south's offer: {pong:?}");

    // A token is only good for its own center; an unknown center is refused.
    let mut wrong = Client::open_url(&format!("ws://{}/ws?center=south", a.addr)).await;
    wrong.send(&ringside::protocol::ClientMessage::Hello { token: token("north", "ana", Role::Agent), resume: None, protocol: ringside::protocol::PROTOCOL_VERSION }).await;
    let (code, _, _) = wrong.closed().await;
    assert_eq!(code, 4001, "a north token on south");
    let unknown = reqwest::get(format!("http://{}/healthz?center=east", a.addr)).await.expect("healthz");
    assert_eq!(unknown.status().as_u16(), 404);
    assert_eq!(unknown.json::<serde_json::Value>().await.expect("the JSON error")["code"], "unknown_center");
    let refused = reqwest::get(format!("http://{}/ws?center=east", b.addr)).await.expect("ws");
    assert_eq!(refused.status().as_u16(), 404);
    assert!(refused.text().await.unwrap_or_default().contains("unknown_center"));
    for node in [a.addr, b.addr] {
        let health = reqwest::get(format!("http://{node}/healthz")).await.expect("healthz");
        assert_eq!(health.status().as_u16(), 200, "every center is served");
        let text = health.text().await.unwrap_or_default();
        assert!(text.contains("north: ok") && text.contains("south: ok"), "{text}");
    }

    a.signal("KILL");
    let killed = Instant::now();
    until_owned("b owns both once a's leases expire", &[b.addr], |sets| sets[0] == set(&["north", "south"])).await;
    eprintln!("b owns both {} ms after a was killed (lease {LEASE_MS} ms)", killed.elapsed().as_millis());
    until_healthy(&[b.addr]).await;
    let (_, north_ana) = Client::hello_url(&format!("ws://{}/ws?center=north", b.addr), &token("north", "ana", Role::Agent), None).await.snapshot();
    assert_eq!(north_ana.state.status.as_str(), "available", "north's acked change survived");
    let (_, south_ana) = Client::hello_url(&format!("ws://{}/ws?center=south", b.addr), &token("south", "ana", Role::Agent), None).await.snapshot();
    assert!(south_ana.seq >= south_acked, "south's acked changes survived");
    assert_ne!(south_ana.state.status.as_str(), "lunch", "south's ana went on from lunch");
}

// Three nodes, three centers: each node owns exactly one.
// SPEC N9
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_nodes_own_one_of_three_centers_each() {
    let engine = Postgres::start();
    let centers = ["east", "north", "south"];
    let nodes: Vec<Node> = ["a", "b", "c"].iter().map(|n| Node::start_centers(n, &engine, LEASE_MS, &centers)).collect();
    let addrs: Vec<SocketAddr> = nodes.iter().map(|n| n.addr).collect();
    let sets = until_owned("one center each", &addrs, |sets| sets.iter().all(|s| s.len() == 1) && sets.iter().flatten().collect::<BTreeSet<_>>().len() == 3).await;
    eprintln!("owned: {sets:?}");
    until_healthy(&addrs).await;
    for center in centers {
        let mut ana = agent(addrs[0], center, "ana").await;
        ana.ok(CommandKind::Login).await;
    }
}

// A graceful stop (SIGTERM) gives up the node's leases and deletes its row,
// so the survivor counts it out and takes its centers at once, long before
// its row or its leases would have aged out.
// SPEC N9
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_graceful_stop_hands_every_center_of_the_node_over_at_once() {
    let engine = Postgres::start();
    let lease_ms = 20_000;
    let mut a = Node::start_centers("a", &engine, lease_ms, &["north", "south"]);
    until_owned("alone, a owns both", &[a.addr], |sets| sets[0].len() == 2).await;
    let b = Node::start_centers("b", &engine, lease_ms, &["north", "south"]);
    until_owned("one center each", &[a.addr, b.addr], |sets| sets[0].len() == 1 && sets[1].len() == 1).await;
    a.signal("TERM");
    let stopped = Instant::now();
    assert!(a.exit(Duration::from_secs(10)).success());
    until_owned("b owns both", &[b.addr], |sets| sets[0] == set(&["north", "south"])).await;
    let took = stopped.elapsed();
    eprintln!("b owns both {} ms after a stopped (lease {lease_ms} ms)", took.as_millis());
    assert!(took < Duration::from_millis(lease_ms / 2), "b took {took:?}: a's row or lease aged out instead");
}
