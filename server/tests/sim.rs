//! The customer simulator's HTTP endpoints under `/sim/`.

mod common;

use common::{set_status, TestServer};
use ringside::model::profile::Preset;
use ringside::model::call::{Call, Party, Target};
use ringside::model::state::{CommandKind, EndedBy, EventKind, OfferOutcome};
use ringside::model::{InteractionId, RonaCause};
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
        ("/sim/contacts/+1/hang_up", json!({}), 400, "bad_request"),
        ("/sim/contacts/01/hang_up", json!({}), 400, "bad_request"),
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

/// Ana accepts a new voice call; its interaction id and the call as it began.
async fn on_voice_call(server: &TestServer) -> (common::Client, InteractionId, Call) {
    let mut ana = ready_agent(server).await;
    server.http().contact("support", "voice").await;
    let offered = ana.event("offer", |k| matches!(k, EventKind::OfferCreated { .. })).await;
    let EventKind::OfferCreated { offer } = offered.kind else { unreachable!() };
    let (_, events) = ana.ok_with_events(CommandKind::Accept { offer: offer.id }).await;
    let interaction = events
        .into_iter()
        .find_map(|e| match e.kind {
            EventKind::InteractionStarted { interaction } => Some(interaction),
            _ => None,
        })
        .expect("accepting starts the interaction");
    (ana, interaction.id, interaction.call)
}

fn consult_number(interaction: InteractionId) -> CommandKind {
    CommandKind::Consult { interaction, target: Target::Number("+46 8 555 0199".to_owned()) }
}

/// The next `call_changed` of `interaction` whose call satisfies `check`.
async fn call_changed(ana: &mut common::Client, interaction: InteractionId, what: &str, check: impl Fn(&Call) -> bool) -> Call {
    let event = ana.event(what, |k| matches!(k, EventKind::CallChanged { interaction: i, call } if *i == interaction && check(call))).await;
    let EventKind::CallChanged { call, .. } = event.kind else { unreachable!() };
    call
}

// SPEC V6: a consulted number may decline; once it answers, the agent
// consults it (three parties, `consult` set) while the customer waits.
// SPEC F8: when the number hangs up, it leaves the call and the consult
// ends; the customer and the agent remain.
#[tokio::test]
async fn a_dialled_number_declines_or_answers_a_consult_and_then_hangs_up_spec_v6_f8() {
    let server = TestServer::with(Preset::ContactCenter, 5_000, 5_000).await;
    let (mut ana, interaction, _) = on_voice_call(&server).await;
    let sim = server.http();
    let answer = format!("/sim/interactions/{interaction}/answer");

    ana.ok(consult_number(interaction)).await;
    let (status, body) = sim.post(&answer, json!({ "answered": false })).await;
    assert_eq!((status, &body), (200, &json!({ "ok": true })));
    let declined = call_changed(&mut ana, interaction, "the request ends", |c| c.invitation.is_none()).await;
    assert_eq!((declined.participants.len(), declined.consult.as_ref()), (2, None), "{declined:?}");

    ana.ok(consult_number(interaction)).await;
    let (status, body) = sim.post(&answer, json!({ "answered": true })).await;
    assert_eq!((status, &body), (200, &json!({ "ok": true })));
    let consulting = call_changed(&mut ana, interaction, "the number joins", |c| c.participants.len() == 3).await;
    let number = consulting
        .participants
        .iter()
        .find(|p| p.party == Party::Number("+46 8 555 0199".to_owned()))
        .expect("the number is on the call")
        .id;
    let consult = consulting.consult.as_ref().expect("the consult is set");
    assert_eq!((consult.by.as_str(), consult.party), ("ana", number));

    // Nothing is pending any more.
    let (status, body) = sim.post(&answer, json!({ "answered": true })).await;
    assert_eq!((status, body["code"].as_str()), (422, Some("invalid_transition")), "{body}");

    let (status, body) = sim.post(&format!("/sim/interactions/{interaction}/participants/{number}/hang_up"), json!({})).await;
    assert_eq!((status, &body), (200, &json!({ "ok": true })));
    let after = call_changed(&mut ana, interaction, "the number leaves", |c| c.participants.len() == 2).await;
    assert!(after.participant(number).is_none() && after.consult.is_none(), "{after:?}");
    assert!(after.customer().is_some(), "the customer is still on the call");

    // Gone now.
    let (status, body) = sim.post(&format!("/sim/interactions/{interaction}/participants/{number}/hang_up"), json!({})).await;
    assert_eq!((status, body["code"].as_str()), (404, Some("unknown_participant")), "{body}");
    server.handle.shutdown().await;
}

// SPEC V6 (a request must be pending to be answered), SPEC F8 (agents leave
// with their own commands, not through the simulator).
#[tokio::test]
async fn call_simulator_errors_are_json_with_a_code_and_a_fitting_status() {
    let server = TestServer::with(Preset::ContactCenter, 5_000, 5_000).await;
    let (_ana, interaction, call) = on_voice_call(&server).await;
    let agent = call.participants.iter().find(|p| p.agent().is_some_and(|a| a.as_str() == "ana")).expect("ana is on the call").id;
    let sim = server.http();
    let cases = [
        (format!("/sim/interactions/{interaction}/answer"), json!({ "answered": true }), 422, "invalid_transition"),
        ("/sim/interactions/999/answer".to_owned(), json!({ "answered": true }), 404, "unknown_interaction"),
        ("/sim/interactions/abc/answer".to_owned(), json!({ "answered": true }), 400, "bad_request"),
        (format!("/sim/interactions/{interaction}/answer"), json!({ "answered": "yes" }), 400, "bad_request"),
        (format!("/sim/interactions/{interaction}/answer"), json!({}), 400, "bad_request"),
        (format!("/sim/interactions/{interaction}/participants/{agent}/hang_up"), json!({}), 422, "bad_argument"),
        (format!("/sim/interactions/{interaction}/participants/999/hang_up"), json!({}), 404, "unknown_participant"),
        (format!("/sim/interactions/999/participants/{agent}/hang_up"), json!({}), 404, "unknown_interaction"),
        (format!("/sim/interactions/{interaction}/participants/x/hang_up"), json!({}), 400, "bad_request"),
    ];
    for (path, body, status, code) in cases {
        let (got, answer) = sim.post(&path, body).await;
        assert_eq!((got, answer["code"].as_str()), (status, Some(code)), "{path}: {answer}");
        assert!(answer["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let response = sim.client.post(format!("{}/sim/interactions/{interaction}/answer", sim.base)).json(&json!({ "answered": true })).send().await.expect("request");
    assert_eq!(response.status().as_u16(), 401, "no token");
    let (status, index) = sim.get("/sim/").await;
    assert_eq!(status, 200);
    let paths: Vec<&str> = index["endpoints"].as_array().expect("endpoints").iter().filter_map(|e| e["path"].as_str()).collect();
    assert!(paths.contains(&"/sim/interactions/{id}/answer"), "{paths:?}");
    assert!(paths.contains(&"/sim/interactions/{id}/participants/{participant}/hang_up"), "{paths:?}");
    server.handle.shutdown().await;
}
