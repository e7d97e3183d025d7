//! kill -9 (SPEC S10, N1, N2): agents change status continuously over real
//! sockets, and the process that owns the center is killed with SIGKILL
//! mid-stream: the one server, started again on the same database, or the
//! owner node of a cluster, replaced by its standby. Every acked change is
//! there, event numbers go on without a gap or a repeat, and the command
//! that was in flight, resent with its id, takes effect exactly once.
#![cfg(unix)]

mod common;

use common::engine::{Node, Postgres};
use common::{set_status, Client, SECRET};
use futures_util::{SinkExt, StreamExt};
use ringside::model::state::{CommandKind, EventKind};
use ringside::model::{CommandId, Role, Seq};
use ringside::protocol::{ClientMessage, ServerMessage};
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

const AGENTS: usize = 4;
const STATUSES: [&str; 4] = ["lunch", "meeting", "training", "idle"];

/// Starts the release-like binary on `config`; returns it and its address.
fn start(config: &Path) -> (Child, SocketAddr) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ringside-server"))
        .arg("--config")
        .arg(config)
        .env_remove("RINGSIDE_TOKEN_SECRET")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the server starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let addr = loop {
        let line = lines.next().expect("the server prints its address").expect("utf-8");
        if let Some(rest) = line.split("http://").nth(1) {
            break rest.split('/').next().expect("host:port").parse().expect("an address");
        }
    };
    // Keep reading so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, addr)
}

/// What one agent saw before the crash.
#[derive(Debug)]
struct Seen {
    /// The last status acked, with the ack's event number.
    acked: Option<(&'static str, Seq)>,
    /// The command sent and not answered when the server died.
    in_flight: Option<(CommandId, &'static str)>,
    /// The last event number received.
    last_event: Seq,
}

/// Logs in, then changes status until the socket dies.
async fn churn(addr: SocketAddr, user: String, acks: Arc<AtomicUsize>) -> Seen {
    let (mut client, snapshot) = Client::hello(addr, &common::token(&user, Role::Agent), None).await.snapshot();
    let mut seen = Seen { acked: None, in_flight: None, last_event: snapshot.seq };
    client.ok(CommandKind::Login).await;
    for n in 0u64.. {
        let status = STATUSES[n as usize % STATUSES.len()];
        let id = CommandId(format!("{user}-{n}"));
        let frame = ClientMessage::Command { id: id.clone(), kind: set_status(status) }.encode();
        seen.in_flight = Some((id.clone(), status));
        if client.ws.send(Message::Text(frame.into())).await.is_err() {
            return seen;
        }
        loop {
            let Ok(Some(Ok(Message::Text(text)))) = tokio::time::timeout(Duration::from_secs(5), client.ws.next()).await else {
                return seen;
            };
            match ServerMessage::decode(text.as_str()).expect("valid") {
                ServerMessage::Event(event) => seen.last_event = event.seq,
                ServerMessage::Ack { id: acked, seq } if acked == id => {
                    seen.acked = Some((status, seq));
                    seen.in_flight = None;
                    acks.fetch_add(1, Ordering::Relaxed);
                    break;
                }
                other => panic!("unexpected {other:?}"),
            }
        }
    }
    seen
}

// SPEC S10, SPEC N1, SPEC N2
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_mid_stream_restarts_with_every_acked_change_and_no_gap() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("ringside.toml");
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:0\"\ndatabase = \"{}\"\ntoken_secret = \"{SECRET}\"\n[limits]\ncommands_per_second = 100000.0\ncommand_burst = 100000.0\n",
            dir.path().join("ringside.db").display()
        ),
    )
    .expect("config");
    let (mut server, addr) = start(&config);
    let seen = churn_until_killed(addr, || {
        server.kill().expect("SIGKILL");
        server.wait().expect("reaped");
    })
    .await;
    let (mut server, addr) = start(&config);
    nothing_lost(addr, &seen).await;
    server.kill().expect("stop");
    server.wait().expect("reaped");
}

// SPEC S10, SPEC N1, SPEC N2 in cluster mode: the owner node is killed
// mid-stream; the standby takes the lease and serves every acked change,
// with no gap or repeat, and the in-flight command once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owner_node_killed_mid_stream_leaves_every_acked_change_to_the_standby() {
    let engine = Postgres::start();
    let owner = Node::start("a", &engine, 1_500, 30_000);
    let addr = owner.owning(Duration::from_secs(20));
    let standby = Node::start("b", &engine, 1_500, 30_000);
    let seen = churn_until_killed(addr, || owner.signal("KILL")).await;
    let addr = standby.owning(Duration::from_secs(20));
    nothing_lost(addr, &seen).await;
}

/// Agents change status over real sockets until 400 acks, then `kill` runs;
/// what each agent saw.
async fn churn_until_killed(addr: SocketAddr, kill: impl FnOnce()) -> Vec<Seen> {
    let acks = Arc::new(AtomicUsize::new(0));
    let agents: Vec<_> = (0..AGENTS).map(|n| tokio::spawn(churn(addr, format!("agent{n}"), acks.clone()))).collect();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while acks.load(Ordering::Relaxed) < 400 {
        assert!(tokio::time::Instant::now() < deadline, "too few acks: {}", acks.load(Ordering::Relaxed));
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    kill();
    let mut seen = Vec::new();
    for agent in agents {
        seen.push(agent.await.expect("agent task"));
    }
    eprintln!("kill -9 after {} acks", acks.load(Ordering::Relaxed));
    seen
}

/// On the server at `addr` after the kill: every acked change is there,
/// event numbers go on without a gap or a repeat, and each unanswered
/// command, resent with its id, takes effect exactly once.
async fn nothing_lost(addr: SocketAddr, seen: &[Seen]) {
    let mut in_flight_applied_before = 0;
    for (n, seen) in seen.iter().enumerate() {
        let user = format!("agent{n}");
        let (acked_status, acked_seq) = seen.acked.expect("every agent had acks");
        let welcomed = Client::hello(addr, &common::token(&user, Role::Agent), Some(seen.last_event)).await;
        let mut client = welcomed.client;
        // Event numbers go on: a replay starts right after what the client
        // holds, or a snapshot is at least as new.
        let mut last = match welcomed.welcome {
            ServerMessage::Welcome { snapshot: Some(snapshot), .. } => {
                assert!(snapshot.seq >= seen.last_event && snapshot.seq >= acked_seq, "{user}: snapshot {} is older", snapshot.seq);
                snapshot.seq
            }
            _ => {
                let mut last = seen.last_event;
                for message in client.until_pong().await {
                    if let ServerMessage::Event(event) = message {
                        assert_eq!(event.seq.0, last.0 + 1, "{user}: a gap or a repeat after {last}");
                        last = event.seq;
                    }
                }
                last
            }
        };
        assert!(last >= acked_seq, "{user}: the acked change at {acked_seq} is lost (the log ends at {last})");
        let (_, snapshot) = Client::hello(addr, &common::token(&user, Role::Agent), None).await.snapshot();
        let status = snapshot.state.status.as_str().to_owned();
        let in_flight = seen.in_flight.clone();
        let expected: Vec<&str> = in_flight.iter().map(|(_, s)| *s).chain([acked_status]).collect();
        assert!(expected.contains(&status.as_str()), "{user}: status {status}, expected one of {expected:?}");
        // The unanswered command, resent with its id, takes effect once.
        if let Some((id, wanted)) = in_flight {
            let answer = client.command_with_id(id.clone(), set_status(wanted)).await;
            let ServerMessage::Ack { seq, .. } = answer else { panic!("{user}: expected an ack, got {answer:?}") };
            let changes = client.until_pong().await;
            if seq <= last {
                in_flight_applied_before += 1;
                assert!(changes.is_empty(), "{user}: the resend was applied again: {changes:?}");
            } else {
                assert_eq!(seq.0, last.0 + 1, "{user}: one new event for the resend");
            }
            assert_eq!(client.command_with_id(id, set_status(wanted)).await, answer, "{user}: the same ack again");
            assert!(client.until_pong().await.iter().all(|m| !matches!(m, ServerMessage::Event(e) if matches!(e.kind, EventKind::StatusChanged { .. }))));
            last = last.max(seq);
        }
        let (_, snapshot) = Client::hello(addr, &common::token(&user, Role::Agent), None).await.snapshot();
        assert_eq!(snapshot.seq, last, "{user}: nothing else happened");
    }
    eprintln!("{in_flight_applied_before} in-flight commands had been applied before the kill");
}
