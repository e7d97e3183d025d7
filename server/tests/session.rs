//! Sessions over the real protocol: login, tabs, offers, reconnects, resume
//! and repeated commands.

mod common;

use common::{set_status, token, Client, TestServer};
use ringside::model::profile::Preset;
use ringside::model::state::{CommandKind, EventKind, LogoutReason, OfferOutcome};
use ringside::model::{CommandId, RonaCause, Role, Seq};
use ringside::protocol::{ClientMessage, ServerMessage};

// SPEC S2: the contact_center login status is idle (default reason).
#[tokio::test]
async fn login_with_the_contact_center_preset_starts_idle() {
    let server = TestServer::with(Preset::ContactCenter, 5_000, 5_000).await;
    let (mut ana, snapshot) = server.agent("ana").await;
    assert!(!snapshot.state.logged_in);
    ana.ok(CommandKind::Login).await;
    let (_, snapshot) = server.agent("ana").await;
    assert!(snapshot.state.logged_in);
    assert_eq!(snapshot.state.status.as_str(), "idle");
    server.handle.shutdown().await;
}

// SPEC S3: the presence login status is Available.
#[tokio::test]
async fn login_with_the_presence_preset_starts_available() {
    let server = TestServer::with(Preset::Presence, 5_000, 5_000).await;
    let (mut ana, _) = server.agent("ana").await;
    ana.ok(CommandKind::Login).await;
    let (_, snapshot) = server.agent("ana").await;
    assert!(snapshot.state.logged_in);
    assert_eq!(snapshot.state.status.as_str(), "available");
    server.handle.shutdown().await;
}

// SPEC N4
#[tokio::test]
async fn a_status_change_in_one_tab_shows_in_the_other_tab_of_the_same_agent_spec_n4() {
    let server = TestServer::with(Preset::ContactCenter, 5_000, 5_000).await;
    let (mut first, _) = server.agent("ana").await;
    let (mut second, _) = server.agent("ana").await;
    first.ok(CommandKind::Login).await;
    let seq = first.ok(set_status("available")).await;
    let seen = second
        .event("available in the second tab", |k| matches!(k, EventKind::StatusChanged { status, .. } if status.as_str() == "available"))
        .await;
    assert_eq!(seen.seq, seq, "both tabs follow the same numbered stream");
    // Another agent sees none of it.
    let (mut ben, _) = server.agent("ben").await;
    assert!(ben.until_pong().await.is_empty());
    server.handle.shutdown().await;
}

#[tokio::test]
async fn an_offer_can_be_accepted_and_starts_an_interaction() {
    let server = TestServer::with(Preset::ContactCenter, 5_000, 5_000).await;
    let (mut ana, _) = server.agent("ana").await;
    ana.ok(CommandKind::Login).await;
    ana.ok(set_status("available")).await;
    let contact = server.http().contact("support", "voice").await;
    let offered = ana.event("offer", |k| matches!(k, EventKind::OfferCreated { .. })).await;
    let EventKind::OfferCreated { offer } = offered.kind else { unreachable!() };
    assert_eq!(offer.contact.0, contact);
    ana.ok(CommandKind::Accept { offer: offer.id }).await;
    let (_, snapshot) = server.agent("ana").await;
    assert_eq!(snapshot.state.interactions.len(), 1);
    assert!(snapshot.state.offers.is_empty());
    server.handle.shutdown().await;
}

// SPEC O3
#[tokio::test]
async fn an_unanswered_offer_sets_rona_and_goes_to_the_next_agent_spec_o3() {
    let server = TestServer::with(Preset::ContactCenter, 400, 5_000).await;
    let (mut ana, _) = server.agent("ana").await;
    let (mut ben, _) = server.agent("ben").await;
    ana.ok(CommandKind::Login).await;
    ana.ok(set_status("available")).await;
    ben.ok(CommandKind::Login).await;
    ben.ok(set_status("available")).await;
    let contact = server.http().contact("support", "voice").await;
    // Longest available first: ana became available first.
    ana.event("offer to ana", |k| matches!(k, EventKind::OfferCreated { .. })).await;
    let ended = ana.event("offer ends", |k| matches!(k, EventKind::OfferEnded { .. })).await;
    assert!(matches!(ended.kind, EventKind::OfferEnded { outcome: OfferOutcome::Expired, .. }));
    let rona = ana.event("rona", |k| matches!(k, EventKind::StatusChanged { .. })).await;
    assert!(matches!(rona.kind, EventKind::StatusChanged { ref status, rona_cause: Some(RonaCause::NoAnswer), .. } if status.as_str() == "rona"));
    let offered = ben.event("offer to ben", |k| matches!(k, EventKind::OfferCreated { .. })).await;
    let EventKind::OfferCreated { offer } = offered.kind else { unreachable!() };
    assert_eq!(offer.contact.0, contact);
    server.handle.shutdown().await;
}

// SPEC N3
#[tokio::test]
async fn a_reconnect_within_the_grace_keeps_the_status_spec_n3() {
    let server = TestServer::with(Preset::ContactCenter, 5_000, 5_000).await;
    let (mut ana, _) = server.agent("ana").await;
    ana.ok(CommandKind::Login).await;
    ana.ok(set_status("available")).await;
    ana.close().await;
    let sim = server.http();
    sim.until("ana disconnected", |s| s["agents"][0]["connected"] == false).await;
    let (_, snapshot) = server.agent("ana").await;
    assert!(snapshot.state.logged_in);
    assert!(snapshot.state.connected);
    assert_eq!(snapshot.state.status.as_str(), "available");
    server.handle.shutdown().await;
}

// SPEC N3
#[tokio::test]
async fn a_reconnect_after_the_grace_finds_a_contact_center_agent_logged_out_spec_n3() {
    let server = TestServer::with(Preset::ContactCenter, 5_000, 300).await;
    let (mut ana, _) = server.agent("ana").await;
    ana.ok(CommandKind::Login).await;
    ana.ok(set_status("available")).await;
    ana.close().await;
    server.http().until("ana logged out", |s| s["agents"][0]["logged_in"] == false).await;
    let (_, snapshot) = server.agent("ana").await;
    assert!(!snapshot.state.logged_in);
    assert_eq!(snapshot.state.status.as_str(), "offline");
    server.handle.shutdown().await;
}

// SPEC N3
#[tokio::test]
async fn a_reconnect_after_the_grace_logs_a_presence_user_in_again_as_available_spec_n3() {
    let server = TestServer::with(Preset::Presence, 5_000, 300).await;
    let (mut ana, _) = server.agent("ana").await;
    ana.ok(CommandKind::Login).await;
    ana.ok(set_status("busy")).await;
    ana.close().await;
    server.http().until("ana logged out", |s| s["agents"][0]["logged_in"] == false).await;
    let (_, snapshot) = server.agent("ana").await;
    assert!(snapshot.state.logged_in);
    assert_eq!(snapshot.state.status.as_str(), "available");
    server.handle.shutdown().await;
}

// SPEC N2
#[tokio::test]
async fn a_resume_replays_exactly_the_missed_events_spec_n2() {
    let server = TestServer::with(Preset::ContactCenter, 5_000, 5_000).await;
    let (mut first, _) = server.agent("ana").await;
    first.ok(CommandKind::Login).await;
    let held = first.ok(set_status("available")).await;
    first.close().await;
    server.http().until("ana disconnected", |s| s["agents"][0]["connected"] == false).await;
    // Changes the first tab misses, made from another tab.
    let (mut other, _) = server.agent("ana").await;
    other.ok(set_status("idle")).await;
    let last_seen = other.ok(set_status("available")).await;
    // The resuming tab connects while the other is still open.
    let welcomed = Client::hello(server.addr, &token("ana", Role::Agent), Some(held)).await;
    assert!(matches!(welcomed.welcome, ServerMessage::Welcome { snapshot: None, .. }));
    let mut resumed = welcomed.client;
    let replayed: Vec<_> = resumed
        .until_pong()
        .await
        .into_iter()
        .map(|m| match m {
            ServerMessage::Event(e) => e,
            other => panic!("only events are replayed, got {other:?}"),
        })
        .collect();
    let seqs: Vec<u64> = replayed.iter().map(|e| e.seq.0).collect();
    let expected: Vec<u64> = (held.0 + 1..=last_seen.0).collect();
    assert_eq!(seqs, expected, "every missed event once, in order");
    assert!(matches!(replayed[0].kind, EventKind::ConnectionChanged { connected: false }));
    // Nothing doubled: a resync shows the same number.
    resumed.send(&ClientMessage::Resync).await;
    match resumed.recv().await {
        ServerMessage::Welcome { snapshot: Some(s), .. } => {
            assert_eq!(s.seq, last_seen);
            assert_eq!(s.state.status.as_str(), "available");
        }
        other => panic!("expected a snapshot welcome, got {other:?}"),
    }
    server.handle.shutdown().await;
}

// SPEC N2, SPEC M1: a supervisor who logs out while monitoring gets its
// events in one log record between the monitored agent's; a resume from
// before them replays them (it got a snapshot: the record was read twice).
#[tokio::test]
async fn a_resume_across_a_logout_while_monitoring_replays_the_events_spec_n2() {
    // Monitoring shown to the agent: ana's events come between sue's.
    let server = TestServer::start(|db| {
        let mut config = common::config(db, Preset::ContactCenter, 30_000, 5_000);
        config.profile.monitoring_visible = Some(true);
        config
    })
    .await;
    let (mut ana, _) = server.agent("ana").await;
    ana.ok(CommandKind::Login).await;
    ana.ok(set_status("available")).await;
    server.http().contact("support", "voice").await;
    let offered = ana.event("the offer", |k| matches!(k, EventKind::OfferCreated { .. })).await;
    let EventKind::OfferCreated { offer } = offered.kind else { unreachable!() };
    let (_, events) = ana.ok_with_events(CommandKind::Accept { offer: offer.id }).await;
    let call = events
        .iter()
        .find_map(|e| if let EventKind::InteractionStarted { interaction } = &e.kind { Some(interaction.id) } else { None })
        .expect("the call starts");
    let (mut sue, _) = Client::hello(server.addr, &token("sue", Role::Supervisor), None).await.snapshot();
    sue.ok(CommandKind::Login).await;
    let monitoring = sue.ok(CommandKind::Monitor { interaction: call, agent: "ana".into() }).await;
    let last = sue.ok(CommandKind::Logout).await;
    sue.close().await;
    let welcomed = Client::hello(server.addr, &token("sue", Role::Supervisor), Some(monitoring)).await;
    assert!(matches!(welcomed.welcome, ServerMessage::Welcome { snapshot: None, .. }), "a replay, not a snapshot: {:?}", welcomed.welcome);
    let mut resumed = welcomed.client;
    let seqs: Vec<u64> = resumed.until_pong().await.into_iter().filter_map(|m| match m {
        ServerMessage::Event(e) => Some(e.seq.0),
        _ => None,
    }).collect();
    assert!(seqs.starts_with(&(monitoring.0 + 1..=last.0).collect::<Vec<_>>()), "every missed event once, in order: {seqs:?}");
    server.handle.shutdown().await;
}

// SPEC N2
#[tokio::test]
async fn a_resume_that_is_too_old_ahead_or_absent_gets_a_snapshot_spec_n2() {
    let server = TestServer::start(|db| {
        let mut config = common::config(db, Preset::ContactCenter, 5_000, 5_000);
        config.limits.event_log_per_agent = 2;
        config
    })
    .await;
    let (mut ana, _) = server.agent("ana").await;
    ana.ok(CommandKind::Login).await;
    ana.ok(set_status("available")).await;
    let last = ana.ok(set_status("idle")).await;
    for resume in [Some(Seq(1)), Some(Seq(last.0 + 100)), None] {
        let welcomed = Client::hello(server.addr, &token("ana", Role::Agent), resume).await;
        match welcomed.welcome {
            ServerMessage::Welcome { snapshot: Some(snapshot), .. } => {
                assert_eq!(snapshot.state.status.as_str(), "idle", "resume {resume:?}");
                assert!(snapshot.seq >= last);
            }
            other => panic!("resume {resume:?}: expected a snapshot, got {other:?}"),
        }
    }
    server.handle.shutdown().await;
}

// SPEC N1
#[tokio::test]
async fn a_repeated_command_id_is_applied_once_and_gets_the_first_answer_spec_n1() {
    let server = TestServer::with(Preset::ContactCenter, 5_000, 5_000).await;
    let (mut ana, _) = server.agent("ana").await;
    ana.ok(CommandKind::Login).await;
    let id = CommandId::from("same");
    let first = ana.command_with_id(id.clone(), set_status("available")).await;
    let ServerMessage::Ack { seq, .. } = first else { panic!("expected ack, got {first:?}") };
    ana.until_pong().await;
    // The same id again, even with another command: the first answer, no change.
    let again = ana.command_with_id(id.clone(), set_status("idle")).await;
    assert_eq!(again, ServerMessage::Ack { id: id.clone(), seq });
    assert!(ana.until_pong().await.is_empty(), "no event for a repeated command");
    // And after a reconnect (the ack may have been lost).
    ana.close().await;
    let (mut back, snapshot) = server.agent("ana").await;
    assert_eq!(snapshot.state.status.as_str(), "available");
    let after = back.command_with_id(id.clone(), set_status("available")).await;
    assert_eq!(after, ServerMessage::Ack { id, seq });
    server.handle.shutdown().await;
}

// SPEC S9, SPEC N4
#[tokio::test]
async fn a_supervisor_logs_an_agent_out_and_every_tab_of_the_agent_sees_it() {
    let server = TestServer::with(Preset::ContactCenter, 5_000, 5_000).await;
    let (mut ana, _) = server.agent("ana").await;
    ana.ok(CommandKind::Login).await;
    let (mut sue, _) = Client::hello(server.addr, &token("sue", Role::Supervisor), None).await.snapshot();
    sue.ok(CommandKind::LogoutAgent { agent: "ana".into() }).await;
    ana.event("logged out", |k| matches!(k, EventKind::LoggedOut { reason: LogoutReason::Supervisor })).await;
    server.handle.shutdown().await;
}

// SPEC N3: a connection lost without a close is noticed, so the grace starts.
#[tokio::test]
async fn a_silent_socket_is_closed_as_idle_while_one_that_answers_pings_stays_spec_n3() {
    let server = TestServer::start(|db| {
        let mut config = common::config(db, Preset::ContactCenter, 5_000, 5_000);
        config.limits.ping_interval_ms = 100;
        config.limits.idle_timeout_ms = 300;
        config
    })
    .await;
    let (mut ana, _) = server.agent("ana").await;
    let (mut ben, _) = server.agent("ben").await;
    let sim = server.http();
    let deadline = tokio::time::Instant::now() + common::WAIT;
    loop {
        // Ben reads all along, which answers the server's pings, even while
        // the state is fetched (slow on a loaded machine); ana reads nothing.
        let fetch = sim.state();
        tokio::pin!(fetch);
        let state = loop {
            tokio::select! {
                state = &mut fetch => break state,
                frame = futures_util::StreamExt::next(&mut ben.ws) => {
                    assert!(matches!(frame, Some(Ok(tokio_tungstenite::tungstenite::Message::Ping(_)))), "ben only gets pings: {frame:?}");
                }
            }
        };
        let ana_state = state["agents"].as_array().and_then(|a| a.iter().find(|a| a["agent"] == "ana").cloned());
        if ana_state.is_some_and(|a| a["connected"] == false) {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "ana was never closed as idle");
    }
    // The close frame (4010) is there unless the client's queued pongs hit
    // the already closed socket first.
    loop {
        match tokio::time::timeout(common::WAIT, futures_util::StreamExt::next(&mut ana.ws)).await.expect("ends in time") {
            Some(Ok(tokio_tungstenite::tungstenite::Message::Close(frame))) => {
                assert_eq!(frame.map(|f| u16::from(f.code)), Some(4010));
                break;
            }
            Some(Ok(_)) => continue,
            Some(Err(_)) | None => break,
        }
    }
    assert!(ben.until_pong().await.is_empty(), "ben's session is still open");
    server.handle.shutdown().await;
}

// SPEC N2, SPEC N4: a tab that joins while another changes the state gets a
// snapshot and then every later event exactly once, and converges.
#[tokio::test]
async fn a_tab_joining_during_a_burst_of_changes_misses_and_doubles_nothing_spec_n2_n4() {
    let server = TestServer::with(Preset::ContactCenter, 5_000, 5_000).await;
    let (mut busy, _) = server.agent("ana").await;
    busy.ok(CommandKind::Login).await;
    let addr = server.addr;
    let flipping = tokio::spawn(async move {
        let mut last = Seq(0);
        for i in 0..30 {
            last = busy.ok(set_status(if i % 2 == 0 { "available" } else { "idle" })).await;
        }
        (busy, last)
    });
    let (mut joiner, snapshot) = Client::hello(addr, &token("ana", Role::Agent), None).await.snapshot();
    let (_busy, last) = flipping.await.expect("flipping task");
    let mut state = snapshot.state;
    let mut expected = snapshot.seq.0 + 1;
    while expected <= last.0 {
        match joiner.recv().await {
            ServerMessage::Event(event) => {
                assert_eq!(event.seq.0, expected, "gap-free, no repeats");
                state.apply(event.kind);
                expected += 1;
            }
            other => panic!("only events expected, got {other:?}"),
        }
    }
    assert!(joiner.until_pong().await.is_empty(), "nothing after the last event");
    let (_, fresh) = server.agent("ana").await;
    // The fresh tab's own connect changes nothing for ana (already connected).
    assert_eq!(fresh.seq, last);
    assert_eq!(state, fresh.state, "the joining tab converged on the server's state");
    server.handle.shutdown().await;
}
