//! The store (SPEC S10, N1, N2): migration from the first release's
//! database, refusal of a newer one, no write for inputs that change
//! nothing, snapshots and replay across restarts.

mod common;

use common::{set_status, token, Client, TestServer};
use ringside::model::profile::Preset;
use ringside::model::state::CommandKind;
use ringside::model::{CommandId, Role, Seq};
use ringside::protocol::ServerMessage;
use std::path::Path;

/// A counter from `/metrics`.
async fn metric(addr: std::net::SocketAddr, name: &str) -> u64 {
    let text = reqwest::get(format!("http://{addr}/metrics")).await.expect("metrics").text().await.expect("text");
    text.lines()
        // In cluster mode (the engine pass) samples are labelled by center.
        .filter_map(|line| line.strip_prefix(name))
        .find_map(|rest| if rest.starts_with([' ', '{']) { rest.rsplit(['}', ' ']).next()?.parse().ok() } else { None })
        .unwrap_or_else(|| panic!("{name} missing from {text}"))
}

fn copy_fixture(to: &Path) {
    std::fs::copy(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/format-1.db"), to).expect("copy the fixture");
}

/// The config of the tests about the SQLite file's own formats: always the
/// embedded store, also when the suite runs on the engine.
fn sqlite_config(db: &Path, preset: Preset, offer_ms: u64, grace_ms: u64) -> ringside_server::config::Config {
    ringside_server::config::Config { cluster: None, ..common::config(db, preset, offer_ms, grace_ms) }
}

// SPEC S10
#[tokio::test]
async fn a_database_written_by_the_first_release_opens_migrated_spec_s10() {
    // The fixture was written by the release before the input log: ana
    // accepted a chat, a call rang for her, another call and an email waited.
    let dir = tempfile::tempdir().expect("tempdir");
    let db = TestServer::db(&dir);
    copy_fixture(&db);
    let server = ringside_server::serve(sqlite_config(&db, Preset::ContactCenter, 5_000, 30_000)).await.expect("migrated");
    let addr = server.local_addr();
    let sim = common::Sim { base: format!("http://{addr}"), client: reqwest::Client::new(), token: token("admin", Role::Admin) };
    let state = sim.state().await;
    let waiting = |queue: &str| state["queues"][queue].as_array().map(Vec::len);
    // The offers' deadlines passed long ago: they fired at start, and the
    // contacts went back in line (SPEC O3).
    assert_eq!(waiting("support"), Some(2), "{state}");
    assert_eq!(waiting("sales"), Some(1), "{state}");
    let (mut ana, snapshot) = Client::hello(addr, &token("ana", Role::Agent), Some(Seq(3))).await.snapshot();
    assert_eq!(snapshot.state.interactions.len(), 1, "the accepted chat is still open");
    assert_eq!(snapshot.state.status.as_str(), "rona", "the unanswered offers sent ana to rona");
    assert!(snapshot.seq.0 > 10, "event numbers go on from the old stream: {}", snapshot.seq.0);
    // Her first command's ack was remembered across the migration (SPEC N1).
    let again = ana.command_with_id(CommandId::from("fixture-login"), CommandKind::Login).await;
    assert_eq!(again, ServerMessage::Ack { id: CommandId::from("fixture-login"), seq: Seq(3) });
    assert!(ana.until_pong().await.is_empty(), "the repeat changed nothing");
    // (Ids unlike the fixture's own "c1".. "c3", which are remembered too.)
    let answer = ana.command_with_id(CommandId::from("after-migration"), set_status("available")).await;
    assert!(matches!(answer, ServerMessage::Ack { .. }), "{answer:?}");
    server.shutdown().await;
    // And it opens again, now in the current format.
    let again = ringside_server::serve(sqlite_config(&db, Preset::ContactCenter, 5_000, 30_000)).await.expect("reopens");
    let (_, snapshot) = Client::hello(again.local_addr(), &token("ana", Role::Agent), None).await.snapshot();
    assert_eq!(snapshot.state.status.as_str(), "available");
    again.shutdown().await;
}

// SPEC S10
#[tokio::test]
async fn a_database_of_a_newer_format_is_refused_naming_both_versions() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = TestServer::db(&dir);
    let first = ringside_server::serve(sqlite_config(&db, Preset::ContactCenter, 5_000, 5_000)).await.expect("new database");
    first.shutdown().await;
    let conn = rusqlite::Connection::open(&db).expect("open");
    conn.execute("UPDATE meta SET value = '99' WHERE key = 'format_version'", []).expect("update");
    drop(conn);
    let refused = ringside_server::serve(sqlite_config(&db, Preset::ContactCenter, 5_000, 5_000)).await;
    let message = refused.expect_err("a newer format is refused").to_string();
    assert!(message.contains("format 99") && message.contains(&format!("format {}", ringside_server::store::FORMAT_VERSION)), "{message}");
}

// SPEC N1, SPEC N8: a refusal or a repeat is not remembered or stored.
#[tokio::test]
async fn refused_commands_reads_and_repeats_write_nothing() {
    let server = TestServer::with(Preset::ContactCenter, 5_000, 30_000).await;
    let (mut ana, _) = server.agent("ana").await;
    let id = CommandId::from("once");
    assert!(matches!(ana.command_with_id(id.clone(), CommandKind::Login).await, ServerMessage::Ack { .. }));
    let records = metric(server.addr, "ringside_store_records_total").await;
    let commits = metric(server.addr, "ringside_store_commits_total").await;
    // A refusal, a repeat, a read and a ping change nothing.
    assert!(matches!(ana.command(set_status("rona")).await, ServerMessage::Nack { .. }));
    assert!(matches!(ana.command_with_id(id, CommandKind::Login).await, ServerMessage::Ack { .. }));
    server.http().state().await;
    ana.until_pong().await;
    assert_eq!(metric(server.addr, "ringside_store_records_total").await, records);
    assert_eq!(metric(server.addr, "ringside_store_commits_total").await, commits);
    // A change is one record.
    ana.ok(set_status("available")).await;
    assert_eq!(metric(server.addr, "ringside_store_records_total").await, records + 1);
    server.handle.shutdown().await;
}

// SPEC S10, SPEC N2
#[tokio::test]
async fn after_snapshots_a_restart_replays_to_the_same_state_and_resume_still_replays() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = TestServer::db(&dir);
    let make = || {
        let mut config = common::config(&db, Preset::ContactCenter, 5_000, 30_000);
        config.limits.commands_per_second = 100_000.0;
        config.limits.command_burst = 100_000.0;
        config
    };
    let first = common::serve(make()).await;
    let addr = first.local_addr();
    let (mut ana, _) = Client::hello(addr, &token("ana", Role::Agent), None).await.snapshot();
    ana.ok(CommandKind::Login).await;
    // Enough changes for the log to pass the first snapshot threshold.
    let statuses = ["lunch", "meeting", "training", "idle"];
    let mut n = 0;
    while metric(addr, "ringside_store_snapshots_total").await < 2 {
        for _ in 0..500 {
            ana.ok(set_status(statuses[n % statuses.len()])).await;
            n += 1;
        }
        assert!(n < 40_000, "no snapshot after {n} commands");
    }
    let (seq, _) = ana.ok_with_events(set_status("available")).await;
    first.shutdown().await;

    let second = common::serve(make()).await;
    let welcomed = Client::hello(second.local_addr(), &token("ana", Role::Agent), Some(Seq(seq.0 - 1))).await;
    assert!(matches!(welcomed.welcome, ServerMessage::Welcome { snapshot: None, .. }), "the recent log survives");
    let mut ana = welcomed.client;
    let replayed = ana.until_pong().await;
    let seqs: Vec<u64> = replayed.iter().filter_map(|m| if let ServerMessage::Event(e) = m { Some(e.seq.0) } else { None }).collect();
    assert_eq!(seqs.first(), Some(&seq.0), "the replay starts right after the resume point: {seqs:?}");
    assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "no gap, no repeat: {seqs:?}");
    let (_, snapshot) = Client::hello(second.local_addr(), &token("ana", Role::Agent), None).await.snapshot();
    assert_eq!(snapshot.state.status.as_str(), "available");
    assert!(snapshot.state.logged_in);
    second.shutdown().await;
}

// The log's lag behind the sockets is visible: every queued input is
// counted until the owner takes it, so once every command is acked the
// gauge is back at zero while the inputs counter has moved on.
#[tokio::test]
async fn the_input_queue_gauge_counts_inputs_until_the_owner_takes_them() {
    let server = TestServer::with(Preset::ContactCenter, 5_000, 30_000).await;
    let (mut ana, _) = server.agent("ana").await;
    ana.ok(CommandKind::Login).await;
    for status in ["lunch", "meeting", "idle"] {
        ana.ok(set_status(status)).await;
    }
    assert!(metric(server.addr, "ringside_inputs_total").await >= 5, "hello, login and three changes");
    assert_eq!(metric(server.addr, "ringside_input_queue").await, 0, "nothing left waiting");
    server.handle.shutdown().await;
}
