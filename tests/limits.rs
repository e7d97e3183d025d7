//! Every input bounded (SPEC N8, SPEC N6): texts over their bounds are
//! refused at decode with `invalid_message`, refusals quote client text cut
//! short, and the case history stops at its bound with `history_full`.

mod support;

use ringside::model::call::Target;
use ringside::model::state::CommandKind;
use ringside::model::{Channel, CommandError, CommandId, InteractionId, QueueId, Role, SecondaryId, StatusId, UserId, WrapUpCode};
use ringside::model::profile::Preset;
use ringside::protocol::limits::*;
use ringside::protocol::{ClientMessage, PROTOCOL_VERSION};
use support::*;

fn refused(text: &str) -> (Option<String>, &'static str, String) {
    let refused = ClientMessage::decode(text).expect_err("refused");
    (refused.id.map(|id| id.0), refused.error.code(), refused.error.to_string())
}

fn command_frame(id: &str, kind: CommandKind) -> String {
    ClientMessage::Command { id: CommandId::from(id), kind }.encode()
}

/// SPEC N8: every text a command carries is refused at decode once over its
/// bound, with `invalid_message` and the command id; at the bound it passes.
#[test]
fn command_texts_over_their_bounds_are_refused_at_decode_spec_n8() {
    let id = |n: usize| "i".repeat(n);
    let number = |n: usize| "5".repeat(n);
    let over: Vec<(&str, Box<dyn Fn(usize) -> CommandKind>, usize)> = vec![
        ("set_status.status", Box::new(|n| CommandKind::SetStatus { status: StatusId(id(n)), secondary: None }), MAX_ID_BYTES),
        (
            "set_status.secondary",
            Box::new(|n| CommandKind::SetStatus { status: status("lunch"), secondary: Some(SecondaryId(id(n))) }),
            MAX_ID_BYTES,
        ),
        ("done.code", Box::new(|n| CommandKind::Done { interaction: InteractionId(1), code: Some(WrapUpCode(id(n))) }), MAX_ID_BYTES),
        ("outdial.number", Box::new(|n| CommandKind::Outdial { number: number(n) }), MAX_NUMBER_BYTES),
        ("logout_agent.agent", Box::new(|n| CommandKind::LogoutAgent { agent: UserId(id(n)) }), MAX_ID_BYTES),
        (
            "target.agent",
            Box::new(|n| CommandKind::Consult { interaction: InteractionId(1), target: Target::Agent(UserId(id(n))) }),
            MAX_ID_BYTES,
        ),
        (
            "target.queue",
            Box::new(|n| CommandKind::Transfer { interaction: InteractionId(1), target: Target::Queue(QueueId(id(n))) }),
            MAX_ID_BYTES,
        ),
        (
            "target.number",
            Box::new(|n| CommandKind::Conference { interaction: InteractionId(1), target: Target::Number(number(n)) }),
            MAX_NUMBER_BYTES,
        ),
        ("dtmf.digits", Box::new(|n| CommandKind::Dtmf { interaction: InteractionId(1), digits: number(n) }), MAX_DTMF_DIGITS),
    ];
    for (field, make, max) in over {
        assert!(ClientMessage::decode(&command_frame("c1", make(max))).is_ok(), "{field} at its bound passes");
        let (id, code, message) = refused(&command_frame("c1", make(max + 1)));
        assert_eq!((id.as_deref(), code), (Some("c1"), "invalid_message"), "{field}");
        assert!(message.contains(field), "{message}");
    }
}

/// SPEC N8: an over-long command id is refused and the nack does not name
/// it; an over-long token in hello is refused too.
#[test]
fn over_long_command_ids_and_tokens_are_refused_without_naming_them_spec_n8() {
    let long_id = "c".repeat(MAX_ID_BYTES + 1);
    assert_eq!(refused(&command_frame(&long_id, CommandKind::Login)), (None, "invalid_message", format!("invalid message: command.id is {} bytes, over the limit of {MAX_ID_BYTES}", MAX_ID_BYTES + 1)));
    // An over-long id in a frame refused for another reason is not named either.
    let unknown = format!(r#"{{"command":{{"id":"{long_id}","kind":"fly"}}}}"#);
    assert_eq!(refused(&unknown).0, None);
    let hello = |n: usize| ClientMessage::Hello { token: "t".repeat(n), resume: None, protocol: PROTOCOL_VERSION }.encode();
    assert!(ClientMessage::decode(&hello(MAX_TOKEN_BYTES)).is_ok());
    assert_eq!(refused(&hello(MAX_TOKEN_BYTES + 1)).1, "invalid_message");
}

/// SPEC N8: a refusal quotes at most MAX_ECHO_CHARS characters of what the
/// client sent, cut on a character boundary.
#[test]
fn refusals_quote_client_text_cut_short_spec_n8() {
    let long = "é".repeat(5_000);
    let frames = [
        format!(r#"{{"{long}":{{}}}}"#),
        format!(r#"{{"command":{{"id":"c1","kind":{{"{long}":{{}}}}}}}}"#),
        format!(r#"{{"command":{{"id":"c1","kind":{{"accept":{{"offer":"{long}"}}}}}}}}"#),
    ];
    for frame in &frames {
        let (_, _, message) = refused(frame);
        assert!(message.chars().count() < 200, "{message}");
        assert!(message.contains(&format!("{}…", "é".repeat(MAX_ECHO_CHARS))), "{message}");
    }
    // Core refusals that quote a client's id cut it as well.
    let unknown = CommandError::UnknownStatus(StatusId("x".repeat(10_000))).to_string();
    assert!(unknown.len() < 200, "{unknown}");
    assert_eq!(echo("short"), "short");
}

/// SPEC N8: a rate-limited frame's command id is found by a bounded scan
/// of the frame's start, only in the shape the encoders write.
#[test]
fn a_command_id_is_peeked_only_from_the_encoders_shape_spec_n8() {
    let frame = command_frame("tab1-7", CommandKind::Login);
    assert_eq!(ClientMessage::peek_command_id(&frame), Some(CommandId::from("tab1-7")));
    assert_eq!(ClientMessage::peek_command_id(&command_frame(&"c".repeat(MAX_ID_BYTES), CommandKind::Login)).map(|id| id.0.len()), Some(MAX_ID_BYTES));
    assert_eq!(ClientMessage::peek_command_id(&command_frame(&"c".repeat(MAX_ID_BYTES + 1), CommandKind::Login)), None);
    assert_eq!(ClientMessage::peek_command_id(r#"{ "command": {"id":"c1","kind":"login"}}"#), None);
    assert_eq!(ClientMessage::peek_command_id(r#"{"command":{"id":"a\"b","kind":"login"}}"#), None);
    assert_eq!(ClientMessage::peek_command_id(r#"{"ping":{"client_time":1}}"#), None);
}

/// SPEC N8, SPEC V5: DTMF and the other notes stop when the case history is
/// full, with `history_full`; the replica disables them first, and the call
/// goes on.
#[test]
fn the_case_history_stops_at_its_bound_with_history_full_spec_n8() {
    let mut desk = Desk::preset(Preset::ContactCenter);
    desk.ready("ana");
    desk.call(Channel::Voice, "+46 8 555 0100");
    let offer = desk.center.agent(&user("ana")).unwrap().offers[0].id;
    desk.send("ana", CommandKind::Accept { offer }).unwrap();
    let call = desk.center.agent(&user("ana")).unwrap().interactions[0].id;
    let dtmf = || CommandKind::Dtmf { interaction: call, digits: "1".repeat(MAX_DTMF_DIGITS) };
    for _ in 0..MAX_HISTORY_ENTRIES {
        desk.send("ana", dtmf()).unwrap();
    }
    let card = desk.view("ana").interactions.into_iter().next().unwrap();
    assert_eq!(card.history.len(), MAX_HISTORY_ENTRIES);
    assert!(!card.actions.dtmf && !card.actions.record && card.actions.follow_up.is_empty() && !card.actions.transfer);
    assert_eq!(desk.send("ana", dtmf()), Err("history_full".into()));
    assert_eq!(desk.send("ana", CommandKind::Record { interaction: call }), Err("history_full".into()));
    let refused = desk.raw("ana", Role::Agent, "h1", dtmf()).unwrap_err();
    assert_eq!(refused.message, format!("the case history holds {MAX_HISTORY_ENTRIES} entries, its limit"));
    // The call itself goes on: hold and end still work.
    desk.send("ana", CommandKind::Hold { interaction: call, participant: None }).unwrap();
    desk.send("ana", CommandKind::End { interaction: call }).unwrap();
    desk.assert_converged("ana");
}
