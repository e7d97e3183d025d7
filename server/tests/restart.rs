//! Persistence across a restart (SPEC S10): statuses, waiting contacts, open
//! interactions and offers with their deadlines come back.

mod common;

use common::{set_status, token, Client, TestServer};
use ringside::model::profile::Preset;
use ringside::model::state::{CommandKind, EventKind, OfferOutcome};
use ringside::model::{RonaCause, Role};
use ringside::protocol::ServerMessage;

// SPEC S10
#[tokio::test]
async fn a_restart_on_the_same_database_keeps_statuses_waiting_contacts_and_offer_deadlines_spec_s10() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = TestServer::db(&dir);
    let make = || common::config(&db, Preset::ContactCenter, 2_500, 30_000);

    let first = common::serve(make()).await;
    let addr = first.local_addr();
    let (mut ana, _) = Client::hello(addr, &token("ana", Role::Agent), None).await.snapshot();
    let (mut ben, _) = Client::hello(addr, &token("ben", Role::Agent), None).await.snapshot();
    ana.ok(CommandKind::Login).await;
    ana.ok(set_status("available")).await;
    ben.ok(CommandKind::Login).await;
    let sim = common::Sim {
        base: format!("http://{addr}"),
        client: reqwest::Client::new(),
        token: token("admin", Role::Admin),
    };
    // A chat for ana, accepted: an open interaction.
    sim.contact("sales", "chat").await;
    let offered = ana.event("chat offer", |k| matches!(k, EventKind::OfferCreated { .. })).await;
    let EventKind::OfferCreated { offer: chat } = offered.kind else { unreachable!() };
    ana.ok(CommandKind::Accept { offer: chat.id }).await;
    // A voice call for ana, left ringing: an open offer with a deadline.
    let ringing = sim.contact("support", "voice").await;
    let offered = ana.event("voice offer", |k| matches!(k, EventKind::OfferCreated { .. })).await;
    let EventKind::OfferCreated { offer } = offered.kind else { unreachable!() };
    // A second call waits: ana's voice line is busy and ben is idle.
    let waiting = sim.contact("support", "voice").await;
    ana.until_pong().await;
    first.shutdown().await;

    let second = common::serve(make()).await;
    let sim = common::Sim { base: format!("http://{}", second.local_addr()), ..sim };
    let state = sim.state().await;
    let support: Vec<u64> = state["queues"]["support"].as_array().expect("queue").iter().map(|c| c["contact"].as_u64().unwrap_or(0)).collect();
    assert_eq!(support, vec![waiting], "the waiting contact is back in its queue");
    let agents = state["agents"].as_array().expect("agents");
    let ana_state = agents.iter().find(|a| a["agent"] == "ana").expect("ana");
    let ben_state = agents.iter().find(|a| a["agent"] == "ben").expect("ben");
    assert_eq!(ana_state["status"], "available");
    assert_eq!(ana_state["logged_in"], true);
    assert_eq!(ana_state["connected"], false, "the old sockets are gone");
    assert_eq!(ana_state["interactions"].as_array().map(Vec::len), Some(1));
    assert_eq!(ana_state["offers"][0]["deadline"].as_u64(), Some(offer.deadline.0), "the offer keeps its deadline");
    assert_eq!(ben_state["status"], "idle");

    // Ana reconnects within the grace and sees the offer expire on time.
    let (mut ana, snapshot) = Client::hello(second.local_addr(), &token("ana", Role::Agent), None).await.snapshot();
    assert_eq!(snapshot.state.offers.len(), 1);
    let ended = ana.event("offer expires", |k| matches!(k, EventKind::OfferEnded { .. })).await;
    assert!(matches!(ended.kind, EventKind::OfferEnded { outcome: OfferOutcome::Expired, .. }));
    assert!(ended.at.0 >= offer.deadline.0);
    let rona = ana.event("rona", |k| matches!(k, EventKind::StatusChanged { .. })).await;
    assert!(matches!(rona.kind, EventKind::StatusChanged { rona_cause: Some(RonaCause::NoAnswer), .. }));
    let state = sim.state().await;
    let support: Vec<u64> = state["queues"]["support"].as_array().expect("queue").iter().map(|c| c["contact"].as_u64().unwrap_or(0)).collect();
    assert_eq!(support, vec![ringing, waiting], "the expired call is back at its original place (SPEC O3)");
    second.shutdown().await;
}

// SPEC S10
#[tokio::test]
async fn a_deadline_that_passed_while_the_server_was_down_fires_at_start_spec_s10() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = TestServer::db(&dir);
    let make = || common::config(&db, Preset::ContactCenter, 300, 30_000);
    let first = common::serve(make()).await;
    let addr = first.local_addr();
    let (mut ana, _) = Client::hello(addr, &token("ana", Role::Agent), None).await.snapshot();
    ana.ok(CommandKind::Login).await;
    ana.ok(set_status("available")).await;
    let sim = common::Sim { base: format!("http://{addr}"), client: reqwest::Client::new(), token: token("admin", Role::Admin) };
    // Stop the server as soon as the offer is made, before its deadline.
    sim.contact("support", "voice").await;
    let offered = ana.event("offer", |k| matches!(k, EventKind::OfferCreated { .. })).await;
    let EventKind::OfferCreated { offer } = offered.kind else { unreachable!() };
    first.shutdown().await;
    // Wait out the deadline while nothing runs.
    let left = offer.deadline.0.saturating_sub(now_ms());
    tokio::time::sleep(std::time::Duration::from_millis(left + 50)).await;
    let second = common::serve(make()).await;
    let welcomed = Client::hello(second.local_addr(), &token("ana", Role::Agent), Some(offered.seq)).await;
    assert!(matches!(welcomed.welcome, ServerMessage::Welcome { snapshot: None, .. }), "the log survives too");
    let mut ana = welcomed.client;
    let ended = ana.event("offer expired", |k| matches!(k, EventKind::OfferEnded { .. })).await;
    assert!(matches!(ended.kind, EventKind::OfferEnded { outcome: OfferOutcome::Expired, .. }));
    ana.event("rona", |k| matches!(k, EventKind::StatusChanged { status, .. } if status.as_str() == "rona")).await;
    second.shutdown().await;
}

fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

// SPEC N1, SPEC S10
#[tokio::test]
async fn a_command_whose_ack_was_lost_to_a_restart_is_resent_and_applied_once_spec_n1_s10() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = TestServer::db(&dir);
    let make = || common::config(&db, Preset::ContactCenter, 5_000, 30_000);
    let first = common::serve(make()).await;
    let (mut ana, _) = Client::hello(first.local_addr(), &token("ana", Role::Agent), None).await.snapshot();
    ana.ok(CommandKind::Login).await;
    // Send and stop at once: the ack may or may not make it out.
    let id = ringside::model::CommandId::from("lost-ack");
    let command = ringside::protocol::ClientMessage::Command { id: id.clone(), kind: set_status("available") };
    ana.send(&command).await;
    first.shutdown().await;

    let second = common::serve(make()).await;
    let (mut ana, _) = Client::hello(second.local_addr(), &token("ana", Role::Agent), None).await.snapshot();
    let answer = ana.command_with_id(id.clone(), set_status("available")).await;
    let ServerMessage::Ack { seq, .. } = answer else { panic!("expected ack, got {answer:?}") };
    // Again: the remembered answer, no new event.
    assert_eq!(ana.command_with_id(id.clone(), set_status("available")).await, ServerMessage::Ack { id, seq });
    assert!(ana.until_pong().await.is_empty());
    let (_, snapshot) = Client::hello(second.local_addr(), &token("ana", Role::Agent), None).await.snapshot();
    assert_eq!(snapshot.state.status.as_str(), "available");
    second.shutdown().await;
}

#[tokio::test]
async fn a_second_server_on_the_same_database_is_refused_while_the_first_runs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = TestServer::db(&dir);
    let first = common::serve(common::config(&db, Preset::ContactCenter, 5_000, 5_000)).await;
    let config = common::config(&db, Preset::ContactCenter, 5_000, 5_000);
    if config.cluster.is_some() {
        // On the engine (RINGSIDE_TEST_ENGINE), the second node serves as a
        // gateway and stands by for the lease until the first lets it go.
        let second = ringside_server::serve(config).await.expect("a standby starts");
        let owning = second.owning();
        tokio::pin!(owning);
        assert!(tokio::time::timeout(std::time::Duration::from_millis(1_500), &mut owning).await.is_err(), "two owners would fork the state");
        first.shutdown().await;
        assert!(tokio::time::timeout(std::time::Duration::from_secs(10), owning).await.is_ok_and(|owner| owner.is_some()), "the standby takes over");
        second.shutdown().await;
    } else {
        assert!(ringside_server::serve(config).await.is_err(), "two servers would fork the state");
        first.shutdown().await;
        let third = common::serve(common::config(&db, Preset::ContactCenter, 5_000, 5_000)).await;
        third.shutdown().await;
    }
}
