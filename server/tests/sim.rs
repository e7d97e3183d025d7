//! The customer simulator's HTTP endpoints under `/sim/`.

mod common;

use common::{set_status, TestServer};
use ringside::model::profile::Preset;
use ringside::model::state::{CommandKind, EndedBy, EventKind, OfferOutcome};
use ringside::model::RonaCause;
use serde_json::json;

async fn ready_agent(server: &TestServer) -> common::Client {
    let (mut ana, _) = server.agent("ana").await;
    ana.ok(CommandKind::Login).await;
    ana.ok(set_status("available")).await;
    ana
}

#[tokio::test]
async fn creating_a_contact_returns_its_id_and_offers_it_to_an_available_agent() {
    let server = TestServer::with(Preset::ContactCenter, 5_000, 5_000).await;
    let mut ana = ready_agent(&server).await;
    let sim = server.http();
    let (status, body) = sim.post("/sim/contacts", json!({ "queue": "sales", "channel": "chat", "from": "Kim" })).await;
    assert_eq!(status, 201, "{body}");
    let contact = body["contact"].as_u64().expect("id");
    let offered = ana.event("offer", |k| matches!(k, EventKind::OfferCreated { .. })).await;
    let EventKind::OfferCreated { offer } = offered.kind else { unreachable!() };
    assert_eq!((offer.contact.0, offer.from.as_str(), offer.queue.as_ref().map(|q| q.as_str())), (contact, "Kim", Some("sales")));
    server.handle.shutdown().await;
}

// SPEC O7: an offer ends exactly once (withdrawn); V3: a hang-up leads to wrap-up.
#[tokio::test]
async fn a_customer_hang_up_withdraws_an_offer_and_ends_a_call_into_wrap_up() {
    let server = TestServer::with(Preset::ContactCenter, 5_000, 5_000).await;
    let mut ana = ready_agent(&server).await;
    let sim = server.http();
    let first = sim.contact("support", "voice").await;
    ana.event("offer", |k| matches!(k, EventKind::OfferCreated { .. })).await;
    let (status, body) = sim.post(&format!("/sim/contacts/{first}/hang_up"), json!({})).await;
    assert_eq!((status, &body["ok"]), (200, &json!(true)));
    ana.event("withdrawn", |k| matches!(k, EventKind::OfferEnded { outcome: OfferOutcome::Withdrawn, .. })).await;

    let second = sim.contact("support", "voice").await;
    let offered = ana.event("offer", |k| matches!(k, EventKind::OfferCreated { .. })).await;
    let EventKind::OfferCreated { offer } = offered.kind else { unreachable!() };
    ana.ok(CommandKind::Accept { offer: offer.id }).await;
    let (status, _) = sim.post(&format!("/sim/contacts/{second}/hang_up"), json!({})).await;
    assert_eq!(status, 200);
    ana.event("wrap-up", |k| matches!(k, EventKind::InteractionWrapUp { by: EndedBy::Customer, .. })).await;
    // The contact is gone now.
    let (status, body) = sim.post(&format!("/sim/contacts/{second}/hang_up"), json!({})).await;
    assert_eq!((status, body["code"].as_str()), (404, Some("unknown_contact")));
    server.handle.shutdown().await;
}

// SPEC O4
#[tokio::test]
async fn an_undeliverable_offer_sets_rona_with_its_cause_spec_o4() {
    let server = TestServer::with(Preset::ContactCenter, 5_000, 5_000).await;
    let mut ana = ready_agent(&server).await;
    let sim = server.http();
    for (cause, expected) in [("device_fault", RonaCause::DeviceFault), ("network_fault", RonaCause::NetworkFault), ("wrong_number", RonaCause::WrongNumber)] {
        let contact = sim.contact("support", "voice").await;
        let offered = ana.event("offer", |k| matches!(k, EventKind::OfferCreated { .. })).await;
        let EventKind::OfferCreated { offer } = offered.kind else { unreachable!() };
        let (status, body) = sim.post(&format!("/sim/offers/{}/undeliverable", offer.id), json!({ "cause": cause })).await;
        assert_eq!(status, 200, "{body}");
        ana.event("undeliverable", |k| matches!(k, EventKind::OfferEnded { outcome: OfferOutcome::Undeliverable, .. })).await;
        let rona = ana.event("rona", |k| matches!(k, EventKind::StatusChanged { .. })).await;
        assert!(
            matches!(rona.kind, EventKind::StatusChanged { ref status, rona_cause: Some(c), .. } if status.as_str() == "rona" && c == expected),
            "{cause}: {rona:?}"
        );
        // Back to available for the next cause; the contact is offered again.
        let (_, events) = ana.ok_with_events(set_status("available")).await;
        let offer = events
            .into_iter()
            .find_map(|e| match e.kind {
                EventKind::OfferCreated { offer } => Some(offer),
                _ => None,
            })
            .expect("offered again as soon as available");
        assert_eq!(offer.contact.0, contact);
        ana.ok(CommandKind::Decline { offer: offer.id }).await;
        let (status, _) = sim.post(&format!("/sim/contacts/{contact}/hang_up"), json!({})).await;
        assert_eq!(status, 200);
    }
    server.handle.shutdown().await;
}

#[tokio::test]
async fn simulator_errors_are_json_with_a_code_and_a_fitting_status() {
    let server = TestServer::with(Preset::ContactCenter, 5_000, 5_000).await;
    let sim = server.http();
    let cases = [
        ("/sim/contacts", json!({ "queue": "nowhere", "channel": "voice" }), 404, "unknown_queue"),
        ("/sim/contacts", json!({ "queue": "support", "channel": "fax" }), 400, "bad_request"),
        ("/sim/contacts/abc/hang_up", json!({}), 400, "bad_request"),
        ("/sim/contacts/999/hang_up", json!({}), 404, "unknown_contact"),
        ("/sim/offers/999/undeliverable", json!({ "cause": "device_fault" }), 404, "unknown_offer"),
        ("/sim/offers/999/undeliverable", json!({ "cause": "teleport" }), 400, "bad_request"),
    ];
    for (path, body, status, code) in cases {
        let (got, answer) = sim.post(path, body).await;
        assert_eq!((got, answer["code"].as_str()), (status, Some(code)), "{path}: {answer}");
        assert!(answer["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    // no_answer is the timeout's cause, not a delivery fault.
    let mut ana = ready_agent(&server).await;
    sim.contact("support", "voice").await;
    let offered = ana.event("offer", |k| matches!(k, EventKind::OfferCreated { .. })).await;
    let EventKind::OfferCreated { offer } = offered.kind else { unreachable!() };
    let (status, body) = sim.post(&format!("/sim/offers/{}/undeliverable", offer.id), json!({ "cause": "no_answer" })).await;
    assert_eq!((status, body["code"].as_str()), (422, Some("bad_argument")));
    let response = sim.client.post(format!("{}/sim/contacts", sim.base)).send().await.expect("request");
    assert_eq!(response.status().as_u16(), 401, "no token");
    server.handle.shutdown().await;
}
