//! Scenario tests for calls, consults, conferences and digital channels:
//! one per SPEC rule (V, C, F, T3, T5), driving the center and replicas
//! through JSON with a simulated clock.

mod support;

use ringside::model::call::{CallState, Party, Purpose, Target};
use ringside::model::state::{CommandKind, EventKind, InteractionState, Origin};
use ringside::model::{Channel, InteractionId, QueueId, Role, UserId, WrapUpCode};
use support::*;

fn agent(name: &str) -> Target {
    Target::Agent(user(name))
}

fn number(n: &str) -> Target {
    Target::Number(n.to_owned())
}

fn send(desk: &mut Desk, name: &str, kind: CommandKind) -> Result<(), String> {
    desk.send(name, kind)
}

/// Conferences a dialled number into the call and has it answer.
fn dial_in(desk: &mut Desk, name: &str, call: InteractionId, to: &str) {
    send(desk, name, CommandKind::Conference { interaction: call, target: number(to) }).unwrap();
    desk.center.number_answers(desk.now, call, true).unwrap();
    desk.pump();
}

/// Ana on a call; Ben consulted and then in conference with her and the customer.
fn three_way(desk: &mut Desk) -> InteractionId {
    let call = on_call(desk, "ana", Channel::Voice);
    desk.ready("ben");
    send(desk, "ana", CommandKind::Consult { interaction: call, target: agent("ben") }).unwrap();
    accept_offer(desk, "ben");
    send(desk, "ana", CommandKind::StartConference { interaction: call }).unwrap();
    call
}

/// SPEC V1, SPEC V2: hold keeps the customer and the agent apart; resume
/// reconnects them; the states read connected, on hold, connected.
#[test]
fn hold_and_resume_move_the_call_between_connected_and_on_hold() {
    let mut desk = Desk::preset(ringside::model::profile::Preset::ContactCenter);
    let call = on_call(&mut desk, "ana", Channel::Voice);
    assert_eq!(desk.card("ana", call).call_state, CallState::Connected);
    send(&mut desk, "ana", CommandKind::Hold { interaction: call, participant: None }).unwrap();
    let view = desk.card("ana", call);
    assert_eq!(view.call_state, CallState::OnHold);
    assert!(view.participants.iter().any(|p| *p.party == Party::Customer && p.held));
    assert!(!view.actions.hold && view.actions.resume);
    assert_eq!(send(&mut desk, "ana", CommandKind::Hold { interaction: call, participant: None }), Err("invalid_transition".into()));
    send(&mut desk, "ana", CommandKind::Resume { interaction: call, participant: None }).unwrap();
    assert_eq!(desk.card("ana", call).call_state, CallState::Connected);
    desk.assert_converged("ana");
}

/// SPEC T3: while engaged each interaction shows its connected timer, the
/// held time while on hold and the consult time while consulting.
#[test]
fn interaction_timers_show_connected_held_and_consult_time() {
    let mut desk = Desk::preset(ringside::model::profile::Preset::ContactCenter);
    let call = on_call(&mut desk, "ana", Channel::Voice);
    desk.advance(10_000);
    send(&mut desk, "ana", CommandKind::Hold { interaction: call, participant: None }).unwrap();
    desk.advance(5_000);
    let view = desk.card("ana", call);
    assert_eq!((view.connected.as_str(), view.held.as_deref()), ("00:15", Some("00:05")));
    assert_eq!(desk.view("ana").status.timer, None, "no status timer while engaged");
    desk.ready("ben");
    send(&mut desk, "ana", CommandKind::Consult { interaction: call, target: agent("ben") }).unwrap();
    accept_offer(&mut desk, "ben");
    desk.advance(7_000);
    let view = desk.card("ana", call);
    assert_eq!((view.held.as_deref(), view.consulting.as_deref()), (Some("00:12"), Some("00:07")));
    assert_eq!(desk.card("ben", call).connected, "00:07", "the consulted agent's own connected time");
}

/// SPEC V3, SPEC F8: ending by the primary ends the conference for everyone.
#[test]
fn the_primary_ending_the_call_ends_it_for_everyone() {
    let mut desk = Desk::preset(ringside::model::profile::Preset::ContactCenter);
    let call = three_way(&mut desk);
    assert_eq!(send(&mut desk, "ben", CommandKind::End { interaction: call }), Err("not_in_control".into()));
    send(&mut desk, "ana", CommandKind::End { interaction: call }).unwrap();
    for name in ["ana", "ben"] {
        assert_eq!(desk.card(name, call).state, InteractionState::WrapUp, "{name}");
    }
    desk.center.check_consistency().unwrap();
}

/// SPEC V4: instant transfer to a queue sends the customer back through
/// routing and the agent to wrap-up.
#[test]
fn a_blind_transfer_to_a_queue_routes_the_customer_again() {
    let mut desk = Desk::preset(ringside::model::profile::Preset::ContactCenter);
    let call = on_call(&mut desk, "ana", Channel::Voice);
    let contact = desk.center.agent(&user("ana")).unwrap().interaction(call).unwrap().contact;
    send(&mut desk, "ana", CommandKind::Transfer { interaction: call, target: Target::Queue(QueueId::from("sales")) }).unwrap();
    assert_eq!(desk.card("ana", call).state, InteractionState::WrapUp);
    assert_eq!(desk.center.waiting(&QueueId::from("sales")), [contact]);
    desk.ready("ben");
    assert_eq!(desk.center.agent(&user("ben")).unwrap().offers[0].contact, contact);
    let history = &desk.center.agent(&user("ana")).unwrap().interaction(call).unwrap().call.history;
    assert!(history.iter().any(|n| n.text == "transferred to queue sales"), "{history:?}");
}

/// SPEC V4: an instant transfer to an agent is offered to that agent only.
#[test]
fn a_blind_transfer_to_an_agent_is_offered_to_that_agent_only() {
    let mut desk = Desk::preset(ringside::model::profile::Preset::ContactCenter);
    desk.ready("cid"); // ready longest: would win plain routing
    let call = on_call(&mut desk, "ana", Channel::Chat);
    assert_eq!(send(&mut desk, "ana", CommandKind::Transfer { interaction: call, target: agent("ben") }), Err("target_unavailable".into()));
    desk.ready("ben");
    send(&mut desk, "ana", CommandKind::Transfer { interaction: call, target: agent("ben") }).unwrap();
    assert_eq!(desk.center.agent(&user("ben")).unwrap().offers.len(), 1);
    assert!(desk.center.agent(&user("cid")).unwrap().offers.is_empty());
}

/// SPEC V4, SPEC O3: a customer transferred to an agent who lets it ring
/// out, or logs out while it rings, goes back to its queue for everyone:
/// the next ready agent gets it, not only the agent it was sent to.
#[test]
fn a_transfer_to_an_agent_who_does_not_take_it_goes_back_to_the_queue() {
    for leaves in ["ring out", "log out"] {
        let mut desk = Desk::preset(ringside::model::profile::Preset::ContactCenter);
        let call = on_call(&mut desk, "ana", Channel::Voice);
        desk.ready("ben");
        send(&mut desk, "ana", CommandKind::Transfer { interaction: call, target: agent("ben") }).unwrap();
        desk.ready("cid");
        assert!(desk.center.agent(&user("cid")).unwrap().offers.is_empty(), "{leaves}: sent to ben alone");
        match leaves {
            "ring out" => {
                desk.jump_to_next_deadline();
            }
            _ => send(&mut desk, "ben", CommandKind::Logout).unwrap(),
        }
        assert!(desk.center.agent(&user("ben")).unwrap().offers.is_empty());
        assert_eq!(desk.center.agent(&user("cid")).unwrap().offers.len(), 1, "{leaves}: back to the queue, offered to cid");
    }
}

/// SPEC V6: ending a call while a consult request still rings withdraws the
/// request and tells the agent of the ended call once, not twice alike.
#[test]
fn ending_a_call_with_a_request_ringing_publishes_the_call_once() {
    let mut desk = Desk::preset(ringside::model::profile::Preset::ContactCenter);
    let call = on_call(&mut desk, "ana", Channel::Voice);
    desk.ready("ben");
    send(&mut desk, "ana", CommandKind::Consult { interaction: call, target: agent("ben") }).unwrap();
    let before = desk.log.len();
    send(&mut desk, "ana", CommandKind::End { interaction: call }).unwrap();
    let changes = desk.log[before..].iter().filter(|e| e.agent == user("ana") && matches!(e.kind, EventKind::CallChanged { .. })).count();
    assert_eq!(changes, 1, "{:?}", &desk.log[before..]);
    assert!(desk.center.agent(&user("ben")).unwrap().offers.is_empty(), "the request is withdrawn");
    assert_eq!(desk.card("ana", call).state, InteractionState::WrapUp);
}

/// SPEC V6: only the asking agent completes the transfer; the consulted
/// agent's refusal says so instead of naming a state that allows it.
#[test]
fn the_consulted_agent_is_told_the_transfer_is_the_asking_agents() {
    let mut desk = Desk::preset(ringside::model::profile::Preset::ContactCenter);
    let call = on_call(&mut desk, "ana", Channel::Voice);
    let early = desk.raw("ana", ringside::model::Role::Agent, "early", CommandKind::CompleteTransfer { interaction: call }).unwrap_err();
    assert_eq!((early.code.as_str(), early.message.contains("while the interaction is connected")), ("invalid_transition", true), "{}", early.message);
    desk.ready("ben");
    send(&mut desk, "ana", CommandKind::Consult { interaction: call, target: agent("ben") }).unwrap();
    accept_offer(&mut desk, "ben");
    let refusal = desk.raw("ben", ringside::model::Role::Agent, "b1", CommandKind::CompleteTransfer { interaction: call }).unwrap_err();
    assert_eq!(refusal.code, "invalid_transition");
    assert!(refusal.message.contains("another agent's consult"), "{}", refusal.message);
}

/// SPEC V4: an instant conference with a number rings it; once it answers,
/// three parties talk.
#[test]
fn an_instant_conference_with_a_number_joins_it_when_it_answers() {
    let mut desk = Desk::preset(ringside::model::profile::Preset::ContactCenter);
    let call = on_call(&mut desk, "ana", Channel::Voice);
    send(&mut desk, "ana", CommandKind::Conference { interaction: call, target: number("+46 8 555 0199") }).unwrap();
    assert_eq!(desk.card("ana", call).call_state, CallState::ConferenceRequested);
    desk.center.number_answers(desk.now, call, true).unwrap();
    desk.pump();
    let view = desk.card("ana", call);
    assert_eq!(view.call_state, CallState::Conference);
    assert_eq!(view.participants.len(), 3);
}

/// SPEC V5: DTMF digits are sent and attached to the case history.
#[test]
fn dtmf_digits_go_into_the_case_history() {
    let mut desk = Desk::preset(ringside::model::profile::Preset::ContactCenter);
    let call = on_call(&mut desk, "ana", Channel::Voice);
    send(&mut desk, "ana", CommandKind::Dtmf { interaction: call, digits: "4711#".into() }).unwrap();
    assert_eq!(send(&mut desk, "ana", CommandKind::Dtmf { interaction: call, digits: "12a".into() }), Err("bad_argument".into()));
    let history = desk.card("ana", call).history;
    assert_eq!(history.iter().map(|n| n.text.as_str()).collect::<Vec<_>>(), ["DTMF 4711#"]);
}

/// SPEC V6: the consult target may decline; the customer stays on hold; a
/// second consult is answered and the initiator transfers to the target.
#[test]
fn a_consult_may_be_declined_then_answered_and_completed_as_a_transfer() {
    let mut desk = Desk::preset(ringside::model::profile::Preset::ContactCenter);
    let call = on_call(&mut desk, "ana", Channel::Voice);
    desk.ready("ben");
    send(&mut desk, "ana", CommandKind::Consult { interaction: call, target: agent("ben") }).unwrap();
    assert_eq!(desk.card("ana", call).call_state, CallState::ConsultRequested);
    let request = desk.center.agent(&user("ben")).unwrap().offers[0].clone();
    assert_eq!(request.join.as_ref().map(|j| (j.purpose, j.by.as_str())), Some((Purpose::Consult, "ana")));
    send(&mut desk, "ben", CommandKind::Decline { offer: request.id }).unwrap();
    assert_eq!(desk.card("ana", call).call_state, CallState::OnHold, "declined: the customer still waits");

    send(&mut desk, "ana", CommandKind::Consult { interaction: call, target: agent("ben") }).unwrap();
    accept_offer(&mut desk, "ben");
    assert_eq!(desk.card("ana", call).call_state, CallState::Consulting);
    assert!(desk.card("ana", call).actions.complete_transfer);
    send(&mut desk, "ana", CommandKind::CompleteTransfer { interaction: call }).unwrap();
    assert_eq!(desk.card("ana", call).state, InteractionState::WrapUp);
    let ben = desk.card("ben", call);
    assert!(ben.in_control && ben.owner);
    assert_eq!(ben.call_state, CallState::Connected, "the customer is off hold with the new agent");
    desk.center.check_consistency().unwrap();
}

/// SPEC V6, SPEC F4: the controller of a conference consults a number and
/// completes the transfer to it: it leaves to wrap up and control passes
/// to the agent on the call longest, as when a controller leaves (F4).
#[test]
fn a_transfer_to_a_number_from_a_conference_hands_control_to_the_agent_left() {
    let mut desk = Desk::preset(ringside::model::profile::Preset::ContactCenter);
    let call = three_way(&mut desk);
    send(&mut desk, "ana", CommandKind::Consult { interaction: call, target: number("+46 8 555 0199") }).unwrap();
    desk.center.number_answers(desk.now, call, true).unwrap();
    desk.pump();
    send(&mut desk, "ana", CommandKind::CompleteTransfer { interaction: call }).unwrap();
    assert_eq!(desk.card("ana", call).state, InteractionState::WrapUp);
    assert!(desk.card("ben", call).in_control, "the agent left on the call takes control");
    desk.center.check_consistency().unwrap();
}

/// SPEC V6: either side may end a consult; a number that does not answer
/// ends the request.
#[test]
fn either_side_may_end_a_consult() {
    let mut desk = Desk::preset(ringside::model::profile::Preset::ContactCenter);
    let call = on_call(&mut desk, "ana", Channel::Voice);
    desk.ready("ben");
    send(&mut desk, "ana", CommandKind::Consult { interaction: call, target: agent("ben") }).unwrap();
    accept_offer(&mut desk, "ben");
    send(&mut desk, "ben", CommandKind::EndConsult { interaction: call }).unwrap();
    assert_eq!(desk.card("ben", call).state, InteractionState::WrapUp, "the consulted side left");
    assert_eq!(desk.card("ana", call).call_state, CallState::OnHold);
    send(&mut desk, "ana", CommandKind::Consult { interaction: call, target: number("+46 8 555 0199") }).unwrap();
    desk.center.number_answers(desk.now, call, false).unwrap();
    desk.pump();
    assert_eq!(desk.card("ana", call).call_state, CallState::OnHold, "no answer: the request ends");
    send(&mut desk, "ana", CommandKind::Consult { interaction: call, target: number("+46 8 555 0199") }).unwrap();
    desk.center.number_answers(desk.now, call, true).unwrap();
    desk.pump();
    send(&mut desk, "ana", CommandKind::EndConsult { interaction: call }).unwrap();
    let view = desk.card("ana", call);
    assert_eq!((view.call_state, view.participants.len()), (CallState::OnHold, 2), "the initiator ended it");
    send(&mut desk, "ana", CommandKind::End { interaction: call }).unwrap();
    let late = desk.center.number_answers(desk.now, call, true).unwrap_err();
    assert_eq!(late, ringside::model::error::CommandError::InvalidTransition { command: "number_answers", state: "wrap_up" }, "an ended call is named as such");
}

/// SPEC V7: record on demand where the line supports it (SIP only).
#[test]
fn recording_starts_on_demand_only_where_the_line_supports_it() {
    let mut desk = Desk::preset(ringside::model::profile::Preset::ContactCenter);
    let call = on_call(&mut desk, "ana", Channel::Voice);
    send(&mut desk, "ana", CommandKind::Record { interaction: call }).unwrap();
    assert!(desk.card("ana", call).recording);
    desk.call(Channel::Chat, "visitor");
    accept_offer(&mut desk, "ana");
    let chat = desk.center.agent(&user("ana")).unwrap().interactions.last().unwrap().id;
    assert_eq!(send(&mut desk, "ana", CommandKind::Record { interaction: chat }), Err("not_on_this_channel".into()));
    let mut pstn = Desk::with_toml("recording_on_demand = false");
    let call = on_call(&mut pstn, "ana", Channel::Voice);
    assert_eq!(send(&mut pstn, "ana", CommandKind::Record { interaction: call }), Err("not_recordable".into()));
}

/// SPEC V8: another interaction with the same customer on another channel.
#[test]
fn a_follow_up_starts_another_interaction_with_the_same_customer() {
    let mut desk = Desk::preset(ringside::model::profile::Preset::ContactCenter);
    let call = on_call(&mut desk, "ana", Channel::Voice);
    assert_eq!(desk.card("ana", call).actions.follow_up, [Channel::Chat, Channel::Email, Channel::Social]);
    send(&mut desk, "ana", CommandKind::FollowUp { interaction: call, channel: Channel::Email }).unwrap();
    let state = desk.center.agent(&user("ana")).unwrap();
    let mail = state.interactions.iter().find(|i| i.channel == Channel::Email).expect("a follow-up email");
    assert_eq!((mail.origin, mail.from.as_str()), (Origin::FollowUp, "+46 8 555 0100"));
}

/// SPEC C1: email has no hold, consult or conference; it can be transferred.
#[test]
fn email_goes_from_active_to_wrap_up_to_done_without_call_controls() {
    let mut desk = Desk::preset(ringside::model::profile::Preset::ContactCenter);
    let mail = on_call(&mut desk, "ana", Channel::Email);
    let actions = desk.card("ana", mail).actions;
    assert!(!actions.hold && !actions.consult && !actions.conference && actions.transfer && actions.end);
    assert_eq!(send(&mut desk, "ana", CommandKind::Conference { interaction: mail, target: agent("ben") }), Err("not_on_this_channel".into()));
    send(&mut desk, "ana", CommandKind::End { interaction: mail }).unwrap();
    send(&mut desk, "ana", CommandKind::Done { interaction: mail, code: None }).unwrap();
    assert!(desk.view("ana").interactions.is_empty());
}

/// SPEC C2: a chat goes through conference requested to conference.
#[test]
fn a_chat_conference_is_requested_then_joined() {
    let mut desk = Desk::preset(ringside::model::profile::Preset::ContactCenter);
    let chat = on_call(&mut desk, "ana", Channel::Chat);
    desk.ready("ben");
    assert!(!desk.card("ana", chat).actions.hold, "no hold on chat");
    send(&mut desk, "ana", CommandKind::Conference { interaction: chat, target: agent("ben") }).unwrap();
    assert_eq!(desk.card("ana", chat).call_state, CallState::ConferenceRequested);
    accept_offer(&mut desk, "ben");
    assert_eq!(desk.card("ben", chat).call_state, CallState::Conference);
    desk.assert_converged("ana");
    desk.assert_converged("ben");
}

/// SPEC F1: at most 8 participants including the customer and the primary,
/// or the interaction's own limit (3 for campaign calls).
#[test]
fn a_conference_stops_at_its_participant_limit() {
    let mut desk = Desk::preset(ringside::model::profile::Preset::ContactCenter);
    let call = on_call(&mut desk, "ana", Channel::Voice);
    for n in 0..6 {
        dial_in(&mut desk, "ana", call, &format!("+1 555 010{n}"));
    }
    assert_eq!(desk.card("ana", call).participants.len(), 8);
    assert!(!desk.card("ana", call).actions.conference);
    assert_eq!(send(&mut desk, "ana", CommandKind::Conference { interaction: call, target: number("+1 555 0199") }), Err("conference_full".into()));

    let mut campaign = Desk::with_toml("conference_limit = 3");
    let call = on_call(&mut campaign, "ana", Channel::Voice);
    dial_in(&mut campaign, "ana", call, "+1 555 0100");
    assert_eq!(send(&mut campaign, "ana", CommandKind::Consult { interaction: call, target: number("+1 555 0101") }), Err("conference_full".into()));
}

/// SPEC F2: a conference starts from an active consult; the customer comes
/// off hold and all parties hear each other.
#[test]
fn a_conference_starts_from_a_consult_with_the_customer_off_hold() {
    let mut desk = Desk::preset(ringside::model::profile::Preset::ContactCenter);
    let call = on_call(&mut desk, "ana", Channel::Voice);
    desk.ready("ben");
    assert!(!desk.card("ana", call).actions.start_conference, "only from a consult");
    send(&mut desk, "ana", CommandKind::Consult { interaction: call, target: agent("ben") }).unwrap();
    accept_offer(&mut desk, "ben");
    assert_eq!(send(&mut desk, "ben", CommandKind::StartConference { interaction: call }), Err("invalid_transition".into()), "the initiator starts it");
    send(&mut desk, "ana", CommandKind::StartConference { interaction: call }).unwrap();
    let view = desk.card("ana", call);
    assert_eq!(view.call_state, CallState::Conference);
    // SPEC F3: the conferenced agent waits on hold until allowed to talk.
    let held: Vec<(Party, bool)> = view.participants.iter().map(|p| (p.party.clone(), p.held)).collect();
    assert_eq!(held, [(Party::Customer, false), (Party::Agent(user("ana")), false), (Party::Agent(user("ben")), true)]);
}

/// SPEC F3: the primary may hold the customer or a conferenced agent; the
/// others may not.
#[test]
fn only_the_primary_holds_participants() {
    let mut desk = Desk::preset(ringside::model::profile::Preset::ContactCenter);
    let call = three_way(&mut desk);
    let ben = desk.card("ana", call).participants.iter().find(|p| *p.party == Party::Agent(user("ben"))).unwrap().id;
    assert_eq!(send(&mut desk, "ben", CommandKind::Hold { interaction: call, participant: None }), Err("not_in_control".into()));
    send(&mut desk, "ana", CommandKind::Resume { interaction: call, participant: Some(ben) }).unwrap();
    assert!(desk.card("ana", call).participants.iter().find(|p| p.id == ben).unwrap().can_hold);
    send(&mut desk, "ana", CommandKind::Hold { interaction: call, participant: Some(ben) }).unwrap();
    assert!(desk.card("ben", call).participants.iter().find(|p| p.me).unwrap().held);
}

/// SPEC F4: during a conference transfer becomes "exit conference": the
/// primary leaves to wrap-up and control passes to the agent present longest.
#[test]
fn exiting_a_conference_passes_control_to_the_longest_present_agent() {
    let mut desk = Desk::preset(ringside::model::profile::Preset::ContactCenter);
    let call = three_way(&mut desk);
    desk.advance(1_000);
    desk.ready("cid");
    send(&mut desk, "ana", CommandKind::Conference { interaction: call, target: agent("cid") }).unwrap();
    accept_offer(&mut desk, "cid");
    let ana = desk.card("ana", call);
    assert!(!ana.actions.transfer && ana.actions.leave, "transfer becomes exit conference");
    send(&mut desk, "ana", CommandKind::Leave { interaction: call }).unwrap();
    assert_eq!(desk.card("ana", call).state, InteractionState::WrapUp);
    assert!(desk.card("ben", call).in_control, "ben joined before cid");
    assert!(!desk.card("cid", call).in_control);
    assert_eq!(desk.card("ben", call).call_state, CallState::Conference, "the call goes on");
}

/// SPEC F4, SPEC V2: an agent who joined a conference on hold and takes
/// control when the primary leaves is taken off hold: only the agent in
/// control lets a held party talk, so it would have stayed held for good.
#[test]
fn the_agent_taking_control_of_a_conference_leaves_hold() {
    let mut desk = Desk::preset(ringside::model::profile::Preset::ContactCenter);
    let call = on_call(&mut desk, "ana", Channel::Voice);
    desk.ready("ben");
    send(&mut desk, "ana", CommandKind::Conference { interaction: call, target: agent("ben") }).unwrap();
    accept_offer(&mut desk, "ben");
    assert!(desk.card("ben", call).participants.iter().find(|p| p.me).unwrap().held, "ben joins on hold");
    send(&mut desk, "ana", CommandKind::Leave { interaction: call }).unwrap();
    let ben = desk.card("ben", call);
    assert!(ben.in_control);
    assert!(!ben.participants.iter().find(|p| p.me).unwrap().held, "in control, off hold");
    assert_eq!(ben.call_state, CallState::Connected, "ben and the customer talk");
    desk.assert_converged("ben");
}

/// SPEC F5: a conferenced agent may leave, consult and add participants,
/// may assist with wrap-up but cannot apply the conference's wrap-up code.
#[test]
fn a_conferenced_agent_assists_but_does_not_own_the_wrap_up() {
    let mut desk = Desk::with_toml("[wrap_up]\nrequired = true\ncodes = [{ id = \"sale\", label = \"Sale\" }]\n");
    let call = three_way(&mut desk);
    assert!(desk.card("ben", call).actions.conference, "a conferenced agent may add participants");
    send(&mut desk, "ben", CommandKind::Leave { interaction: call }).unwrap();
    assert_eq!(desk.card("ana", call).call_state, CallState::Connected, "the call goes on");
    let sale = Some(WrapUpCode::from("sale"));
    assert_eq!(send(&mut desk, "ben", CommandKind::Done { interaction: call, code: sale.clone() }), Err("not_wrap_up_owner".into()));
    send(&mut desk, "ben", CommandKind::Done { interaction: call, code: None }).unwrap();
    send(&mut desk, "ana", CommandKind::End { interaction: call }).unwrap();
    assert_eq!(send(&mut desk, "ana", CommandKind::Done { interaction: call, code: None }), Err("wrap_up_code_required".into()));
    send(&mut desk, "ana", CommandKind::Done { interaction: call, code: sale }).unwrap();
}

/// SPEC F6: dialled numbers have no call controls.
#[test]
fn dialled_numbers_have_no_call_controls() {
    let mut desk = Desk::preset(ringside::model::profile::Preset::ContactCenter);
    let call = on_call(&mut desk, "ana", Channel::Voice);
    dial_in(&mut desk, "ana", call, "+1 555 0100");
    let view = desk.card("ana", call);
    let controls: Vec<(bool, bool)> = view.participants.iter().map(|p| (matches!(p.party, Party::Agent(_)), p.controls)).collect();
    assert_eq!(controls, [(false, false), (true, true), (false, false)]);
}

/// SPEC F7: when the customer leaves the rest go on in wrap-up assist: no
/// new participants, no hold, resume or consult.
#[test]
fn when_the_customer_leaves_the_rest_go_on_without_call_controls() {
    let mut desk = Desk::preset(ringside::model::profile::Preset::ContactCenter);
    let call = three_way(&mut desk);
    let contact = desk.center.agent(&user("ana")).unwrap().interaction(call).unwrap().contact;
    desk.center.customer_hang_up(desk.now, contact).unwrap();
    desk.pump();
    let view = desk.card("ana", call);
    assert_eq!(view.call_state, CallState::CustomerLeft);
    assert_eq!(view.state, InteractionState::Active, "the agents go on talking");
    assert!(view.participants.iter().all(|p| !p.held), "no one stays on hold, with no control to lift it");
    let a = &view.actions;
    assert!(!a.hold && !a.resume && !a.consult && !a.conference && !a.transfer && !a.dtmf && !a.record);
    assert_eq!(send(&mut desk, "ana", CommandKind::Consult { interaction: call, target: agent("cid") }), Err("invalid_transition".into()));
    desk.center.check_consistency().unwrap();
}

/// SPEC F8: the call ends when one participant is left.
#[test]
fn the_call_ends_when_one_participant_is_left() {
    let mut desk = Desk::preset(ringside::model::profile::Preset::ContactCenter);
    let call = three_way(&mut desk);
    let contact = desk.center.agent(&user("ana")).unwrap().interaction(call).unwrap().contact;
    desk.center.customer_hang_up(desk.now, contact).unwrap();
    desk.pump();
    send(&mut desk, "ben", CommandKind::Leave { interaction: call }).unwrap();
    assert_eq!(desk.card("ana", call).state, InteractionState::WrapUp, "alone: the call is over");
    desk.center.check_consistency().unwrap();
}

/// SPEC T5: the history shows total handling time from start to end,
/// consult time included, with the consult time itself.
#[test]
fn handling_time_includes_consult_time() {
    let mut desk = Desk::preset(ringside::model::profile::Preset::ContactCenter);
    let call = on_call(&mut desk, "ana", Channel::Voice);
    desk.advance(20_000);
    desk.ready("ben");
    send(&mut desk, "ana", CommandKind::Consult { interaction: call, target: agent("ben") }).unwrap();
    accept_offer(&mut desk, "ben");
    desk.advance(30_000);
    send(&mut desk, "ana", CommandKind::EndConsult { interaction: call }).unwrap();
    send(&mut desk, "ana", CommandKind::Resume { interaction: call, participant: None }).unwrap();
    desk.advance(10_000);
    send(&mut desk, "ana", CommandKind::End { interaction: call }).unwrap();
    send(&mut desk, "ana", CommandKind::Done { interaction: call, code: None }).unwrap();
    let done = desk.log.iter().rev().find_map(|e| match &e.kind {
        EventKind::InteractionDone { handling_ms, consult_ms, .. } if e.agent == user("ana") => Some((*handling_ms, *consult_ms)),
        _ => None,
    });
    assert_eq!(done, Some((60_000, 30_000)));
}

/// Only agents on the call can be asked to join it, and only if free.
#[test]
fn a_busy_or_present_agent_cannot_be_invited() {
    let mut desk = Desk::preset(ringside::model::profile::Preset::ContactCenter);
    let call = three_way(&mut desk);
    assert_eq!(send(&mut desk, "ana", CommandKind::Conference { interaction: call, target: agent("ben") }), Err("target_unavailable".into()));
    desk.sign_in("cid"); // idle: not free
    let idle: UserId = user("cid");
    assert_eq!(send(&mut desk, "ana", CommandKind::Conference { interaction: call, target: Target::Agent(idle) }), Err("target_unavailable".into()));
    // The code is the same; the message says which case it is (SPEC N6).
    let why = |desk: &mut Desk, id: &str, target: &str| desk.raw("ana", Role::Agent, id, CommandKind::Conference { interaction: call, target: agent(target) }).unwrap_err().message;
    assert_eq!(why(&mut desk, "w1", "ben"), "the target cannot take the request now: that agent is on this call already");
    assert_eq!(why(&mut desk, "w2", "cid"), "the target cannot take the request now: that agent is not free for it (logged out, away, not available, or with no room on the channel)");
    assert_eq!(why(&mut desk, "w3", "nobody"), "the target cannot take the request now: no agent has that id");
}

/// SPEC F7: when the customer leaves, nobody new joins: a request still
/// ringing (to an agent, or waiting in a queue) is withdrawn; an answered
/// consult ends, its parties talking on as the rest do, and each agent can
/// get out.
#[test]
fn the_customer_leaving_withdraws_a_request_and_ends_a_consult_spec_f7() {
    let mut desk = Desk::preset(ringside::model::profile::Preset::ContactCenter);
    // A request waiting in a queue nobody serves yet, on a call that goes
    // on without the customer (ana and ben).
    let call = three_way(&mut desk);
    let sales = QueueId::from("sales");
    send(&mut desk, "ana", CommandKind::Consult { interaction: call, target: Target::Queue(sales.clone()) }).unwrap();
    assert_eq!(desk.center.waiting(&sales).len(), 1, "the request waits");
    let contact = desk.center.agent(&user("ana")).unwrap().interaction(call).unwrap().contact;
    desk.center.customer_hang_up(desk.now, contact).unwrap();
    desk.pump();
    assert!(desk.center.waiting(&sales).is_empty(), "the request is withdrawn");
    assert_eq!(desk.card("ana", call).call_state, CallState::CustomerLeft);
    desk.ready("cid");
    assert!(desk.center.agent(&user("cid")).unwrap().offers.is_empty(), "nobody is asked to join");
    desk.assert_converged("ana");

    // An answered consult.
    let mut desk = Desk::preset(ringside::model::profile::Preset::ContactCenter);
    let call = on_call(&mut desk, "ana", Channel::Voice);
    desk.ready("ben");
    send(&mut desk, "ana", CommandKind::Consult { interaction: call, target: agent("ben") }).unwrap();
    accept_offer(&mut desk, "ben");
    assert_eq!(desk.card("ana", call).call_state, CallState::Consulting);
    let contact = desk.center.agent(&user("ana")).unwrap().interaction(call).unwrap().contact;
    desk.center.customer_hang_up(desk.now, contact).unwrap();
    desk.pump();
    assert_eq!(desk.card("ana", call).call_state, CallState::CustomerLeft, "no consult goes on");
    assert!(desk.center.agent(&user("ana")).unwrap().interaction(call).unwrap().call.consult.is_none());
    send(&mut desk, "ben", CommandKind::Leave { interaction: call }).unwrap();
    assert_eq!(desk.card("ana", call).state, InteractionState::WrapUp, "alone: the call ends");
    for name in ["ana", "ben"] {
        desk.assert_converged(name);
    }
}

/// SPEC V4, SPEC M1: a barged-in supervisor sits at the agent's side and
/// makes no conference: the agent alone with the customer may transfer.
#[test]
fn a_barged_in_supervisor_makes_no_conference_spec_m1() {
    let mut desk = Desk::preset(ringside::model::profile::Preset::ContactCenter);
    let call = on_call(&mut desk, "ana", Channel::Voice);
    desk.connect_as("sue", Role::Supervisor);
    send(&mut desk, "sue", CommandKind::Login).unwrap();
    send(&mut desk, "sue", CommandKind::Monitor { interaction: call, agent: user("ana") }).unwrap();
    send(&mut desk, "sue", CommandKind::BargeIn { interaction: call }).unwrap();
    assert_eq!(desk.card("ana", call).call_state, CallState::Connected);
    send(&mut desk, "ana", CommandKind::Transfer { interaction: call, target: Target::Queue(QueueId::from("sales")) }).unwrap();
    assert_eq!(desk.card("ana", call).state, InteractionState::WrapUp);
}
