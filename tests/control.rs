//! Scenario tests for the control table (`ringside::model::control`): one
//! per row, citing the SPEC rule the row comes from, plus the queued
//! consult and the transfer of an outdialled call. Each drives the center
//! and the replicas through JSON with a simulated clock.

mod support;

use ringside::model::call::{CallState, Party, Target};
use ringside::model::control::{row_of, Afterwards, CallAction, Who, TABLE};
use ringside::model::state::{CommandKind, EventKind, InteractionState};
use ringside::model::{Channel, InteractionId, ParticipantId, QueueId, UserId, WrapUpCode};
use support::*;

const WRAP_UP: &str = "[wrap_up]\nrequired = true\ncodes = [{ id = \"sale\", label = \"Sale\" }]\n";

fn agent(name: &str) -> Target {
    Target::Agent(user(name))
}

fn party(desk: &Desk, viewer: &str, id: InteractionId, who: &str) -> ParticipantId {
    desk.card(viewer, id).participants.iter().find(|p| *p.party == Party::Agent(user(who))).expect("on the call").id
}

fn controller(desk: &Desk, id: InteractionId) -> (Option<UserId>, UserId) {
    let call = desk.center.agents().filter_map(|a| a.interaction(id)).find(|i| i.state == InteractionState::Active).expect("on").call.clone();
    (call.primary, call.owner)
}

/// `name` consults `target`, who accepts.
fn consult(desk: &mut Desk, name: &str, call: InteractionId, target: &str) {
    desk.ready(target);
    desk.send(name, CommandKind::Consult { interaction: call, target: agent(target) }).unwrap();
    accept_offer(desk, target);
}

/// Ana controls a conference with ben and the customer.
fn conference(desk: &mut Desk) -> InteractionId {
    let call = on_call(desk, "ana", Channel::Voice);
    consult(desk, "ana", call, "ben");
    desk.send("ana", CommandKind::StartConference { interaction: call }).unwrap();
    call
}

/// The table's rows for the actions these tests cover, with what they say.
#[test]
fn the_table_names_who_and_where_control_goes_for_every_action() {
    assert_eq!(TABLE.len(), 19);
    assert_eq!(row_of(CallAction::CompleteTransfer).afterwards, Afterwards::ActorPlaceToConsulted);
    assert_eq!(row_of(CallAction::Consult).who, Who::AnyAgent);
    assert_eq!(row_of(CallAction::End).who, Who::Controller);
    assert_eq!(row_of(CallAction::DoneWithCode).who, Who::Owner);
}

/// SPEC F3, F5 (row complete_transfer): the sequence from the field. Ben,
/// conferenced, consults cid and completes the transfer: ben hands over only
/// his own place; ana keeps control and the wrap-up code, cid joins the
/// conference waiting to be allowed to talk.
#[test]
fn a_conferenced_agents_transfer_hands_over_only_its_own_place() {
    let mut desk = Desk::with_toml(WRAP_UP);
    let call = conference(&mut desk);
    consult(&mut desk, "ben", call, "cid");
    assert_eq!(desk.card("ben", call).call_state, CallState::Consulting);
    desk.send("ben", CommandKind::CompleteTransfer { interaction: call }).unwrap();
    assert_eq!(controller(&desk, call), (Some(user("ana")), user("ana")));
    let ana = desk.card("ana", call);
    assert!(ana.in_control && ana.owner);
    let cid = ana.participants.iter().find(|p| *p.party == Party::Agent(user("cid"))).unwrap();
    assert!(cid.held && cid.conferenced, "cid waits on hold until ana allows it to talk");
    assert!(ana.participants.iter().any(|p| *p.party == Party::Customer && !p.held), "the conference goes on");
    let ben = desk.card("ben", call);
    assert_eq!(ben.state, InteractionState::WrapUp);
    assert!(!ben.owner);
    let cid = desk.card("cid", call);
    assert!(!cid.in_control && !cid.owner);
    assert_eq!(desk.send("cid", CommandKind::End { interaction: call }), Err("not_in_control".into()));
    desk.send("ana", CommandKind::End { interaction: call }).unwrap();
    assert_eq!(desk.send("cid", CommandKind::Done { interaction: call, code: Some(WrapUpCode::from("sale")) }), Err("not_wrap_up_owner".into()));
    desk.send("ana", CommandKind::Done { interaction: call, code: Some(WrapUpCode::from("sale")) }).unwrap();
    desk.assert_converged("ana");
}

/// SPEC V6, F4 (row complete_transfer): the agent in control who completes
/// a transfer hands its place, control and the wrap-up code with it, to the
/// consulted agent.
#[test]
fn the_controllers_transfer_hands_control_and_the_code_to_the_consulted_agent() {
    let mut desk = Desk::preset(ringside::model::profile::Preset::ContactCenter);
    let call = on_call(&mut desk, "ana", Channel::Voice);
    consult(&mut desk, "ana", call, "ben");
    desk.send("ana", CommandKind::CompleteTransfer { interaction: call }).unwrap();
    assert_eq!(controller(&desk, call), (Some(user("ben")), user("ben")));
    let ben = desk.card("ben", call);
    assert!(ben.in_control && ben.owner && ben.participants.iter().all(|p| !p.held));
    assert!(!desk.card("ana", call).owner, "ana's wrap-up is an assist");
}

/// SPEC V2, F3 (rows hold_customer, resume_customer): only the agent in
/// control holds and resumes the customer; resume only from on hold.
#[test]
fn only_the_controller_holds_and_resumes_the_customer() {
    let mut desk = Desk::preset(ringside::model::profile::Preset::ContactCenter);
    let call = conference(&mut desk);
    assert!(!desk.card("ben", call).actions.hold);
    assert_eq!(desk.send("ben", CommandKind::Hold { interaction: call, participant: None }), Err("not_in_control".into()));
    assert_eq!(desk.send("ana", CommandKind::Resume { interaction: call, participant: None }), Err("invalid_transition".into()));
    desk.send("ana", CommandKind::Hold { interaction: call, participant: None }).unwrap();
    assert_eq!(desk.card("ana", call).call_state, CallState::OnHold);
    assert_eq!(desk.send("ben", CommandKind::Resume { interaction: call, participant: None }), Err("not_in_control".into()));
    desk.send("ana", CommandKind::Resume { interaction: call, participant: None }).unwrap();
}

/// SPEC F3 (rows hold_party, allow_party): a conferenced agent waits on hold
/// until the agent in control allows it to talk; only that agent toggles it.
#[test]
fn the_controller_allows_a_conferenced_agent_to_talk_and_holds_it_again() {
    let mut desk = Desk::preset(ringside::model::profile::Preset::ContactCenter);
    let call = conference(&mut desk);
    let ben = party(&desk, "ana", call, "ben");
    let view = desk.card("ana", call);
    let shown = view.participants.iter().find(|p| p.id == ben).unwrap();
    assert!(shown.held && shown.conferenced && shown.can_resume && !shown.can_hold);
    desk.send("ana", CommandKind::Resume { interaction: call, participant: Some(ben) }).unwrap();
    assert!(!desk.card("ben", call).participants.iter().find(|p| p.me).unwrap().held);
    let ana = party(&desk, "ben", call, "ana");
    assert_eq!(desk.send("ben", CommandKind::Hold { interaction: call, participant: Some(ana) }), Err("not_in_control".into()));
    desk.send("ana", CommandKind::Hold { interaction: call, participant: Some(ben) }).unwrap();
    assert!(desk.card("ana", call).participants.iter().find(|p| p.id == ben).unwrap().held);
}

/// SPEC F3: the profile may let conferenced parties talk at once.
#[test]
fn a_profile_can_let_conferenced_parties_talk_at_once() {
    let mut desk = Desk::with_toml("conferenced_parties_talk = true");
    let call = conference(&mut desk);
    assert!(desk.card("ana", call).participants.iter().all(|p| !p.held));
}

/// SPEC V1, T3 (rows hold_consulted, resume_consulted): the consulting agent
/// puts the consulted party on hold: consult on hold, with its held timer.
#[test]
fn the_consulting_agent_puts_the_consulted_party_on_hold() {
    let mut desk = Desk::preset(ringside::model::profile::Preset::ContactCenter);
    let call = on_call(&mut desk, "ana", Channel::Voice);
    consult(&mut desk, "ana", call, "ben");
    let ben = party(&desk, "ana", call, "ben");
    let ana = party(&desk, "ben", call, "ana");
    assert_eq!(desk.send("ben", CommandKind::Hold { interaction: call, participant: Some(ana) }), Err("not_in_control".into()));
    desk.send("ana", CommandKind::Hold { interaction: call, participant: Some(ben) }).unwrap();
    desk.advance(4_000);
    let view = desk.card("ana", call);
    assert_eq!(view.call_state, CallState::ConsultOnHold);
    assert_eq!(view.consult_held.as_deref(), Some("00:04"));
    assert_eq!(view.consulting.as_deref(), Some("00:04"), "the consult timer runs on");
    assert_eq!(desk.next_change("ana"), Some(desk.now.plus(1_000)));
    desk.send("ana", CommandKind::Resume { interaction: call, participant: Some(ben) }).unwrap();
    let view = desk.card("ana", call);
    assert_eq!((view.call_state, view.consult_held), (CallState::Consulting, None));
}

/// SPEC V6, F5 (row consult): a conferenced agent may consult; the customer
/// waits, and comes back to the conference when the consult ends.
#[test]
fn a_conferenced_agent_may_consult_and_the_conference_resumes_after() {
    let mut desk = Desk::preset(ringside::model::profile::Preset::ContactCenter);
    let call = conference(&mut desk);
    assert!(desk.card("ben", call).actions.consult);
    consult(&mut desk, "ben", call, "cid");
    assert!(desk.card("ana", call).participants.iter().any(|p| *p.party == Party::Customer && p.held));
    assert_eq!(desk.send("ana", CommandKind::Consult { interaction: call, target: agent("cid") }), Err("invalid_transition".into()), "one at a time");
    desk.send("ben", CommandKind::EndConsult { interaction: call }).unwrap();
    let view = desk.card("ana", call);
    assert_eq!(view.call_state, CallState::Conference);
    assert!(view.participants.iter().any(|p| *p.party == Party::Customer && !p.held));
    assert_eq!(controller(&desk, call), (Some(user("ana")), user("ana")));
}

/// SPEC V4, C2, F5 (row conference): a conferenced agent adds a participant;
/// control stays where it was.
#[test]
fn a_conferenced_agent_may_add_a_participant_without_taking_control() {
    let mut desk = Desk::preset(ringside::model::profile::Preset::ContactCenter);
    let call = conference(&mut desk);
    desk.ready("cid");
    desk.send("ben", CommandKind::Conference { interaction: call, target: agent("cid") }).unwrap();
    accept_offer(&mut desk, "cid");
    assert_eq!(desk.card("ana", call).participants.len(), 4);
    assert_eq!(controller(&desk, call), (Some(user("ana")), user("ana")));
}

/// SPEC V4, F4 (row transfer): only the controller, and only alone with
/// the customer, transfers blind.
#[test]
fn only_the_controller_alone_with_the_customer_transfers_blind() {
    let mut desk = Desk::preset(ringside::model::profile::Preset::ContactCenter);
    let call = conference(&mut desk);
    let number = Target::Number("+46 8 555 0199".into());
    assert_eq!(desk.send("ben", CommandKind::Transfer { interaction: call, target: number.clone() }), Err("not_in_control".into()));
    assert_eq!(desk.send("ana", CommandKind::Transfer { interaction: call, target: number.clone() }), Err("invalid_transition".into()));
    desk.send("ben", CommandKind::Leave { interaction: call }).unwrap();
    desk.send("ana", CommandKind::Transfer { interaction: call, target: number }).unwrap();
    assert_eq!(desk.card("ana", call).state, InteractionState::WrapUp);
}

/// SPEC V6 (row end_consult): the initiator or the consulted agent ends a
/// consult; a third agent on the call cannot.
#[test]
fn either_side_of_a_consult_ends_it_and_no_one_else() {
    let mut desk = Desk::preset(ringside::model::profile::Preset::ContactCenter);
    let call = conference(&mut desk);
    consult(&mut desk, "ben", call, "cid");
    assert!(!desk.card("ana", call).actions.end_consult);
    assert_eq!(desk.send("ana", CommandKind::EndConsult { interaction: call }), Err("invalid_transition".into()));
    desk.send("cid", CommandKind::EndConsult { interaction: call }).unwrap();
    assert_eq!(desk.card("cid", call).state, InteractionState::WrapUp);
    assert_eq!(desk.card("ben", call).call_state, CallState::Conference);
}

/// SPEC F2, F5 (row start_conference): only the initiator turns its consult
/// into a conference; the customer comes off hold; control stays.
#[test]
fn only_the_initiator_starts_a_conference_from_its_consult() {
    let mut desk = Desk::preset(ringside::model::profile::Preset::ContactCenter);
    let call = conference(&mut desk);
    consult(&mut desk, "ben", call, "cid");
    assert_eq!(desk.send("ana", CommandKind::StartConference { interaction: call }), Err("invalid_transition".into()));
    assert_eq!(desk.send("cid", CommandKind::StartConference { interaction: call }), Err("invalid_transition".into()));
    desk.send("ben", CommandKind::StartConference { interaction: call }).unwrap();
    let view = desk.card("ana", call);
    assert_eq!(view.call_state, CallState::Conference);
    assert!(view.participants.iter().any(|p| *p.party == Party::Customer && !p.held));
    assert_eq!(controller(&desk, call), (Some(user("ana")), user("ana")));
}

/// SPEC F4, F5 (row leave): a conferenced agent leaves and control stays;
/// the controller exits and control with the code goes to the agent present
/// longest.
#[test]
fn leaving_moves_control_only_when_the_controller_exits() {
    let mut desk = Desk::with_toml(WRAP_UP);
    let call = conference(&mut desk);
    desk.ready("cid");
    desk.advance(1_000);
    desk.send("ana", CommandKind::Conference { interaction: call, target: agent("cid") }).unwrap();
    accept_offer(&mut desk, "cid");
    desk.send("cid", CommandKind::Leave { interaction: call }).unwrap();
    assert_eq!(controller(&desk, call), (Some(user("ana")), user("ana")));
    desk.send("ana", CommandKind::Leave { interaction: call }).unwrap();
    assert_eq!(controller(&desk, call), (Some(user("ben")), user("ben")));
    let ana = desk.card("ana", call);
    assert!(ana.state == InteractionState::WrapUp && !ana.owner && !ana.done_needs_code);
    desk.send("ana", CommandKind::Done { interaction: call, code: None }).unwrap();
}

/// SPEC V3, F8 (row end): only the controller ends the call for everyone.
#[test]
fn only_the_controller_ends_the_call() {
    let mut desk = Desk::preset(ringside::model::profile::Preset::ContactCenter);
    let call = conference(&mut desk);
    assert!(!desk.card("ben", call).actions.end);
    assert_eq!(desk.send("ben", CommandKind::End { interaction: call }), Err("not_in_control".into()));
    desk.send("ana", CommandKind::End { interaction: call }).unwrap();
    assert_eq!(desk.card("ben", call).state, InteractionState::WrapUp);
}

/// SPEC V5, V7, V8, F7 (rows dtmf, record, follow_up): any agent on the call
/// sends digits, records and follows up; digits and recording stop once the
/// customer left.
#[test]
fn any_agent_on_the_call_sends_digits_records_and_follows_up() {
    let mut desk = Desk::preset(ringside::model::profile::Preset::ContactCenter);
    let call = conference(&mut desk);
    desk.send("ben", CommandKind::Dtmf { interaction: call, digits: "12#".into() }).unwrap();
    desk.send("ben", CommandKind::Record { interaction: call }).unwrap();
    desk.send("ben", CommandKind::FollowUp { interaction: call, channel: Channel::Email }).unwrap();
    let contact = desk.center.agent(&user("ana")).unwrap().interaction(call).unwrap().contact;
    desk.center.customer_hang_up(desk.now, contact).unwrap();
    desk.pump();
    assert_eq!(desk.card("ana", call).call_state, CallState::CustomerLeft);
    assert_eq!(desk.send("ben", CommandKind::Dtmf { interaction: call, digits: "1".into() }), Err("invalid_transition".into()));
    let ben = desk.card("ben", call);
    assert!(!ben.actions.dtmf && !ben.actions.consult && ben.actions.leave, "wrap-up assist: no new parties, no digits");
}

/// SPEC V3, F5 (rows done_with_code, done_without_code): only the owner
/// applies the code, and must when the profile requires one; others assist.
#[test]
fn only_the_owner_applies_the_wrap_up_code() {
    let mut desk = Desk::with_toml(WRAP_UP);
    let call = conference(&mut desk);
    desk.send("ana", CommandKind::End { interaction: call }).unwrap();
    let (ana, ben) = (desk.card("ana", call), desk.card("ben", call));
    assert!(ana.actions.done && ana.done_needs_code && ben.actions.done && !ben.done_needs_code);
    assert_eq!(desk.send("ben", CommandKind::Done { interaction: call, code: Some(WrapUpCode::from("sale")) }), Err("not_wrap_up_owner".into()));
    assert_eq!(desk.send("ana", CommandKind::Done { interaction: call, code: None }), Err("wrap_up_code_required".into()));
    desk.send("ben", CommandKind::Done { interaction: call, code: None }).unwrap();
    desk.send("ana", CommandKind::Done { interaction: call, code: Some(WrapUpCode::from("sale")) }).unwrap();
}

/// SPEC V6, O1, O3: a consult to a queue with no free agent waits in that
/// queue; the first agent to become free is offered it with its deadline;
/// an unanswered offer sends that agent to rona and the request back in
/// line; the next agent accepts and the consult begins.
#[test]
fn a_consult_to_a_queue_waits_for_an_agent_with_its_own_deadline_and_rona() {
    let mut desk = Desk::preset(ringside::model::profile::Preset::ContactCenter);
    let call = on_call(&mut desk, "ana", Channel::Voice);
    desk.send("ana", CommandKind::Consult { interaction: call, target: Target::Queue(QueueId::from("support")) }).unwrap();
    let view = desk.card("ana", call);
    assert_eq!(view.call_state, CallState::ConsultRequested);
    assert_eq!(desk.center.waiting(&QueueId::from("support")).len(), 1, "the request waits in the queue");
    let request = desk.center.waiting(&QueueId::from("support"))[0];
    let hang_up = desk.center.customer_hang_up(desk.now, request).map_err(|e| e.code());
    assert_eq!(hang_up, Err("bad_argument"), "a request to join is no customer to hang up");
    desk.ready("ben");
    let offer = desk.center.agent(&user("ben")).unwrap().offers.first().cloned().expect("offered to ben");
    assert_eq!(offer.join.as_ref().map(|j| j.interaction), Some(call));
    desk.jump_to_next_deadline();
    assert_eq!(desk.status_of("ben"), "rona");
    assert_eq!(desk.center.waiting(&QueueId::from("support")).len(), 1, "back in line");
    desk.ready("cid");
    accept_offer(&mut desk, "cid");
    let view = desk.card("ana", call);
    assert_eq!(view.call_state, CallState::Consulting);
    assert!(desk.center.waiting(&QueueId::from("support")).is_empty());
    desk.assert_converged("ana");
}

/// SPEC V6: the asking agent cancels a consult waiting in a queue; it
/// leaves the queue, and an offer of it is withdrawn.
#[test]
fn the_asking_agent_cancels_a_queued_consult() {
    let mut desk = Desk::preset(ringside::model::profile::Preset::ContactCenter);
    let call = on_call(&mut desk, "ana", Channel::Voice);
    desk.send("ana", CommandKind::Consult { interaction: call, target: Target::Queue(QueueId::from("support")) }).unwrap();
    desk.send("ana", CommandKind::EndConsult { interaction: call }).unwrap();
    assert!(desk.center.waiting(&QueueId::from("support")).is_empty());
    assert_eq!(desk.card("ana", call).call_state, CallState::OnHold);
    desk.send("ana", CommandKind::Conference { interaction: call, target: Target::Queue(QueueId::from("support")) }).unwrap();
    desk.ready("ben");
    assert_eq!(desk.center.agent(&user("ben")).unwrap().offers.len(), 1);
    desk.send("ana", CommandKind::EndConsult { interaction: call }).unwrap();
    assert!(desk.center.agent(&user("ben")).unwrap().offers.is_empty(), "the offer is withdrawn");
    assert!(desk.log.iter().any(|e| matches!(e.kind, EventKind::OfferEnded { outcome: ringside::model::state::OfferOutcome::Withdrawn, .. })));
    assert_eq!(desk.center.check_consistency(), Ok(()));
}

/// SPEC V4, E4: an outdialled call is transferred blind to an agent or a
/// queue, not only to a number: the customer reaches them through routing.
#[test]
fn an_outdialled_call_transfers_to_an_agent_or_a_queue() {
    let mut desk = Desk::preset(ringside::model::profile::Preset::ContactCenter);
    desk.ready("ana");
    desk.send("ana", CommandKind::Outdial { number: "+46 8 555 0123".into() }).unwrap();
    let call = desk.center.agent(&user("ana")).unwrap().interactions[0].id;
    desk.ready("ben");
    desk.send("ana", CommandKind::Transfer { interaction: call, target: agent("ben") }).unwrap();
    let offer = desk.center.agent(&user("ben")).unwrap().offers.first().cloned().expect("offered to ben");
    assert_eq!(offer.from, "+46 8 555 0123");
    accept_offer(&mut desk, "ben");
    let ben_call = desk.center.agent(&user("ben")).unwrap().interactions[0].id;
    desk.send("ben", CommandKind::Transfer { interaction: ben_call, target: Target::Queue(QueueId::from("sales")) }).unwrap();
    assert_eq!(desk.center.waiting(&QueueId::from("sales")).len(), 1);
    assert_eq!(desk.center.check_consistency(), Ok(()));
}

/// SPEC V3, V4, F5: an agent still in wrap-up of an interaction cannot be
/// brought back into it, by name or through a queue (found by fuzzing: the
/// returning agent kept its wrap-up copy of the call).
#[test]
fn an_agent_in_wrap_up_of_a_call_is_not_brought_back_into_it() {
    let mut desk = Desk::preset(ringside::model::profile::Preset::ContactCenter);
    let chat = on_call(&mut desk, "ana", Channel::Chat);
    desk.ready("ben");
    desk.send("ana", CommandKind::Conference { interaction: chat, target: agent("ben") }).unwrap();
    accept_offer(&mut desk, "ben");
    desk.send("ben", CommandKind::Leave { interaction: chat }).unwrap();
    assert_eq!(desk.card("ben", chat).state, InteractionState::WrapUp);
    assert_eq!(desk.send("ana", CommandKind::Conference { interaction: chat, target: agent("ben") }), Err("target_unavailable".into()));
    desk.send("ana", CommandKind::Conference { interaction: chat, target: Target::Queue(QueueId::from("support")) }).unwrap();
    assert!(desk.center.agent(&user("ben")).unwrap().offers.is_empty(), "ben is passed over");
    desk.ready("cid");
    accept_offer(&mut desk, "cid");
    assert_eq!(desk.center.check_consistency(), Ok(()));
}
