//! Every input bounded, both directions fit (SPEC N8, SPEC N6): texts over
//! their bounds are refused at decode with `invalid_message`, refusals quote
//! client text cut short, the case history stops at its bound with
//! `history_full`, unanswered commands stop at theirs with
//! `too_many_pending`, the profile validator bounds the profile, and the largest
//! welcome the bounds allow fits the server-to-client frame limit.

mod support;

use ringside::model::call::{Call, Consult, Invitation, Note, Participant, Party, Purpose, Target};
use ringside::model::profile::{
    AfterGrace, ChannelOverride, DirectCallPolicy, Preset, ProfileOverrides, SecondaryDef, StatusCategory, StatusDef, WrapUpCodeDef,
    WrapUpSettings,
};
use ringside::model::monitoring::{MonitorMode, Monitoring};
use ringside::model::state::{CommandKind, Event, EventKind, InteractionInfo, InteractionState, JoinRequest, Location, OfferInfo, Origin};
use ringside::model::{
    AgentState, Channel, CommandError, CommandId, ContactId, InteractionId, OfferId, ParticipantId, Profile, QueueId, Role, SecondaryId,
    Seq, ServerTime, StatusId, UserId, WrapUpCode,
};
use ringside::protocol::limits::*;
use ringside::protocol::{ClientMessage, ServerMessage, Snapshot, PROTOCOL_VERSION};
use support::*;

fn refused(text: &str) -> (Option<String>, &'static str, String) {
    let refused = ClientMessage::decode(text).expect_err("refused");
    (refused.id.map(|id| id.0), refused.error.code(), refused.error.to_string())
}

fn command_frame(id: &str, kind: CommandKind) -> String {
    ClientMessage::Command { id: CommandId::from(id), kind }.encode()
}

/// A command whose text named `field` is `n` bytes long.
fn command_with(field: &str, n: usize) -> CommandKind {
    let (id, number, call) = ("i".repeat(n), "5".repeat(n), InteractionId(1));
    match field {
        "set_status.status" => CommandKind::SetStatus { status: StatusId(id), secondary: None },
        "set_status.secondary" => CommandKind::SetStatus { status: status("lunch"), secondary: Some(SecondaryId(id)) },
        "done.code" => CommandKind::Done { interaction: call, code: Some(WrapUpCode(id)) },
        "outdial.number" => CommandKind::Outdial { number },
        "logout_agent.agent" => CommandKind::LogoutAgent { agent: UserId(id) },
        "target.agent" => CommandKind::Consult { interaction: call, target: Target::Agent(UserId(id)) },
        "target.queue" => CommandKind::Transfer { interaction: call, target: Target::Queue(QueueId(id)) },
        "target.number" => CommandKind::Conference { interaction: call, target: Target::Number(number) },
        "dtmf.digits" => CommandKind::Dtmf { interaction: call, digits: number },
        other => panic!("no command carries {other}"),
    }
}

/// SPEC N8: every text a command carries is refused at decode once over its
/// bound, with `invalid_message` and the command id; at the bound it passes.
#[test]
fn command_texts_over_their_bounds_are_refused_at_decode_spec_n8() {
    let bounds = [
        ("set_status.status", MAX_ID_BYTES),
        ("set_status.secondary", MAX_ID_BYTES),
        ("done.code", MAX_ID_BYTES),
        ("outdial.number", MAX_NUMBER_BYTES),
        ("logout_agent.agent", MAX_ID_BYTES),
        ("target.agent", MAX_ID_BYTES),
        ("target.queue", MAX_ID_BYTES),
        ("target.number", MAX_NUMBER_BYTES),
        ("dtmf.digits", MAX_DTMF_DIGITS),
    ];
    for (field, max) in bounds {
        assert!(ClientMessage::decode(&command_frame("c1", command_with(field, max))).is_ok(), "{field} at its bound passes");
        let (id, code, message) = refused(&command_frame("c1", command_with(field, max + 1)));
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
    assert_eq!(echo(&"é".repeat(MAX_ECHO_CHARS)), "é".repeat(MAX_ECHO_CHARS), "exactly at the bound: not cut");
    assert_eq!(echo(&format!("{}ab", "é".repeat(MAX_ECHO_CHARS - 1))), format!("{}a…", "é".repeat(MAX_ECHO_CHARS - 1)));
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
    let call = on_call(&mut desk, "ana", Channel::Voice);
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

/// SPEC N8 on the client: commands sent and unanswered (kept to be sent
/// again on reconnect, SPEC N1) stop at their bound with
/// `too_many_pending`, nothing queued for it; an answer makes room again.
#[test]
fn unanswered_commands_stop_at_their_bound_with_too_many_pending_spec_n8() {
    let mut desk = Desk::preset(Preset::ContactCenter);
    desk.sign_in("ana");
    let available = desk.center.profile().available_status.clone();
    let go_available = || CommandKind::SetStatus { status: available.clone(), secondary: None };
    let replica = desk.replicas.get_mut(&user("ana")).unwrap();
    let now = ringside::model::Millis(T0.0);
    let mut ids = Vec::new();
    for _ in 0..MAX_PENDING_COMMANDS {
        ids.push(replica.command(now, go_available()).expect("within the bound"));
        assert!(sent(replica).is_some(), "each command is queued to send");
    }
    assert_eq!(replica.pending(), MAX_PENDING_COMMANDS);
    let refused = replica.command(now, go_available()).unwrap_err();
    assert_eq!(refused, CommandError::TooManyPending);
    assert_eq!(refused.code(), "too_many_pending");
    assert!(sent(replica).is_none(), "nothing is queued for a refused command");
    assert_eq!(replica.pending(), MAX_PENDING_COMMANDS);
    let first = ids.remove(0);
    replica.handle_message(now, ServerMessage::Ack { id: first, seq: Seq(1) }).unwrap();
    assert_eq!(replica.pending(), MAX_PENDING_COMMANDS - 1);
    replica.command(now, go_available()).expect("an answer makes room");
}

fn overrides(make: impl FnOnce(&mut ProfileOverrides)) -> Result<Profile, &'static str> {
    let mut overrides = ProfileOverrides::default();
    make(&mut overrides);
    overrides.build().map_err(|e| e.code())
}

/// SPEC N8: the validator bounds the profile: entries, name lengths,
/// control characters, capacity and the conference limit.
#[test]
fn the_profile_validator_bounds_the_profile_spec_n8() {
    let preset = || Profile::preset(Preset::ContactCenter);
    let with_statuses = |extra: usize| {
        let mut statuses = preset().statuses;
        statuses.extend((0..extra).map(|i| StatusDef { id: StatusId(format!("extra{i}")), ..preset().statuses[1].clone() }));
        statuses
    };
    let room = MAX_STATUSES - preset().statuses.len();
    assert!(overrides(|o| o.statuses = Some(with_statuses(room))).is_ok());
    assert_eq!(overrides(|o| o.statuses = Some(with_statuses(room + 1))), Err("too_many_entries"));
    let codes = |n: usize| WrapUpSettings {
        codes: (0..n).map(|i| WrapUpCodeDef { id: WrapUpCode(format!("c{i}")), label: "Code".into() }).collect(),
        required: false,
    };
    assert!(overrides(|o| o.wrap_up = Some(codes(MAX_WRAP_UP_CODES))).is_ok());
    assert_eq!(overrides(|o| o.wrap_up = Some(codes(MAX_WRAP_UP_CODES + 1))), Err("too_many_entries"));
    let with_secondaries = |n: usize| {
        let mut statuses = preset().statuses;
        statuses[2].secondary = (0..n).map(|i| SecondaryDef { id: SecondaryId(format!("s{i}")), label: "Room".into() }).collect();
        statuses
    };
    assert!(overrides(|o| o.statuses = Some(with_secondaries(MAX_SECONDARY_STATUSES))).is_ok());
    assert_eq!(overrides(|o| o.statuses = Some(with_secondaries(MAX_SECONDARY_STATUSES + 1))), Err("too_many_entries"));
    let relabel = |label: String| {
        let mut statuses = preset().statuses;
        statuses[2].label = label;
        statuses
    };
    assert!(overrides(|o| o.statuses = Some(relabel("l".repeat(MAX_LABEL_BYTES)))).is_ok());
    assert_eq!(overrides(|o| o.statuses = Some(relabel("l".repeat(MAX_LABEL_BYTES + 1)))), Err("bad_name"));
    assert_eq!(overrides(|o| o.statuses = Some(relabel("Lunch\u{7}".into()))), Err("bad_name"));
    let chat_capacity = |n: u32| {
        overrides(|o| {
            o.channels.insert(Channel::Chat, ChannelOverride { offer_timeout_ms: None, capacity: Some(n) });
        })
    };
    assert!(chat_capacity(MAX_CHANNEL_CAPACITY).is_ok());
    assert_eq!(chat_capacity(MAX_CHANNEL_CAPACITY + 1), Err("capacity_too_large"));
    assert_eq!(overrides(|o| o.conference_limit = Some(MAX_CONFERENCE_LIMIT + 1)), Err("conference_limit_too_large"));
}

/// The longest text a name may be: `"` is escaped to two bytes in JSON, the
/// most any character allowed in a name costs per byte. A number in front
/// keeps names distinct.
fn name(n: usize, max: usize) -> String {
    let tag = n.to_string();
    format!("{tag}{}", "\"".repeat(max - tag.len()))
}

fn id(n: usize) -> String {
    name(n, MAX_ID_BYTES)
}

/// The biggest profile the validator allows.
fn largest_profile() -> Profile {
    let status = |n: usize| StatusDef {
        id: StatusId(id(n)),
        label: name(n, MAX_LABEL_BYTES),
        colour: name(n, MAX_LABEL_BYTES),
        category: StatusCategory::Available,
        routable: false,
        direct_calls: DirectCallPolicy::RingThenVoicemail,
        blocks_video: false,
        system_only: false,
        survives_logout: false,
        secondary: Vec::new(),
        secondary_required: false,
        meeting: false,
    };
    let mut statuses: Vec<StatusDef> = (0..MAX_STATUSES).map(status).collect();
    statuses[0].routable = true;
    statuses[1].category = StatusCategory::Idle;
    statuses[2].system_only = true;
    statuses[3].category = StatusCategory::Offline;
    let per_status = MAX_SECONDARY_STATUSES / MAX_STATUSES;
    for (n, status) in statuses.iter_mut().enumerate() {
        status.secondary = (0..per_status)
            .map(|k| SecondaryDef { id: SecondaryId(id(n * per_status + k)), label: name(k, MAX_LABEL_BYTES) })
            .collect();
    }
    let mut overrides = ProfileOverrides {
        preset: Preset::ContactCenter,
        login_status: Some(statuses[0].id.clone()),
        available_status: Some(statuses[0].id.clone()),
        default_idle_status: Some(statuses[1].id.clone()),
        rona_status: Some(statuses[2].id.clone()),
        offline_status: Some(statuses[3].id.clone()),
        statuses: Some(statuses),
        wrap_up: Some(WrapUpSettings {
            codes: (0..MAX_WRAP_UP_CODES).map(|n| WrapUpCodeDef { id: WrapUpCode(id(n)), label: name(n, MAX_LABEL_BYTES) }).collect(),
            required: false,
        }),
        available_after_outdial: Some(false),
        reconnect_grace_ms: Some(u64::MAX),
        after_grace: Some(AfterGrace::LoginAgain),
        conference_limit: Some(MAX_CONFERENCE_LIMIT),
        recording_on_demand: Some(false),
        ..ProfileOverrides::default()
    };
    for channel in Channel::ALL {
        overrides.channels.insert(channel, ChannelOverride { offer_timeout_ms: Some(u64::MAX), capacity: Some(MAX_CHANNEL_CAPACITY) });
    }
    overrides.build().expect("the validator allows the largest profile")
}

const LATEST: ServerTime = ServerTime(u64::MAX);

/// A call with the most participants, a pending invitation, an answered
/// consult and a full case history of the longest notes.
fn largest_call() -> Call {
    let agent = |n: usize| UserId(id(n));
    let customer = Participant { id: ParticipantId(u64::MAX), party: Party::Customer, joined_at: LATEST, held_since: Some(LATEST) };
    let agents = (1..MAX_CONFERENCE_LIMIT as usize).map(|n| Participant {
        id: ParticipantId(u64::MAX - n as u64),
        party: Party::Agent(agent(n)),
        joined_at: LATEST,
        held_since: Some(LATEST),
    });
    let longest_note = format!("transferred to agent {}", id(0));
    Call {
        participants: std::iter::once(customer).chain(agents).collect(),
        primary: Some(agent(1)),
        owner: agent(1),
        limit: MAX_CONFERENCE_LIMIT,
        invitation: Some(Invitation {
            purpose: Purpose::Conference,
            by: agent(1),
            target: Target::Agent(agent(0)),
            since: LATEST,
            offer: Some(OfferId(u64::MAX)),
            queued: Some(ContactId(u64::MAX)),
            resume_customer: true,
        }),
        consult: Some(Consult { by: agent(1), party: ParticipantId(u64::MAX), since: LATEST, resume_customer: true }),
        customer_left: false,
        recordable: false,
        recording: false,
        history: (0..MAX_HISTORY_ENTRIES).map(|n| Note { at: LATEST, by: agent(n), text: longest_note.clone() }).collect(),
        consult_ms: u64::MAX,
        next_participant: u64::MAX,
    }
}

fn largest_interaction(channel: Channel, n: usize) -> InteractionInfo {
    InteractionInfo {
        id: InteractionId(u64::MAX - n as u64),
        contact: ContactId(u64::MAX),
        channel,
        origin: Origin::FollowUp,
        queue: Some(QueueId(id(n))),
        from: name(n, MAX_FROM_BYTES),
        state: InteractionState::WrapUp,
        started_at: LATEST,
        state_since: LATEST,
        call: largest_call(),
        monitored: true,
    }
}

fn largest_monitoring(n: usize) -> Monitoring {
    Monitoring {
        interaction: InteractionId(u64::MAX - n as u64),
        agents: (0..MAX_CONFERENCE_LIMIT as usize).map(|a| UserId(id(a))).collect(),
        channel: Channel::Voice,
        from: name(n, MAX_FROM_BYTES),
        mode: MonitorMode::BargeIn,
        paused: false,
        since: LATEST,
    }
}

fn largest_offer(channel: Channel) -> OfferInfo {
    OfferInfo {
        id: OfferId(u64::MAX),
        contact: ContactId(u64::MAX),
        channel,
        queue: Some(QueueId(id(0))),
        from: name(0, MAX_FROM_BYTES),
        offered_at: LATEST,
        deadline: LATEST,
        join: Some(JoinRequest { interaction: InteractionId(u64::MAX), purpose: Purpose::Conference, by: UserId(id(1)) }),
    }
}

fn encoded_len<T: serde::Serialize>(value: &T) -> usize {
    serde_json::to_string(value).expect("model types serialise").len()
}

/// SPEC N8: the biggest welcome the bounds allow (the largest valid profile
/// and an agent at full capacity on every channel, each slot an interaction
/// with the most participants and a full case history) is at most half the
/// server-to-client frame limit; a call_changed event is a small part of it.
#[test]
fn the_largest_welcome_fits_half_the_server_frame_limit_spec_n8() {
    let profile = largest_profile();
    // An interaction outweighs an offer, so a full agent holds interactions only.
    assert!(encoded_len(&largest_offer(Channel::Social)) < encoded_len(&largest_interaction(Channel::Social, 0)));
    let interactions: Vec<InteractionInfo> = Channel::ALL
        .into_iter()
        .flat_map(|channel| (0..profile.channel(channel).capacity as usize).map(move |n| largest_interaction(channel, n)))
        .collect();
    let state = AgentState {
        agent: UserId(id(0)),
        logged_in: true,
        connected: true,
        status: profile.statuses[4].id.clone(),
        status_since: LATEST,
        idle_run_since: Some(LATEST),
        secondary: Some(profile.statuses[4].secondary[0].id.clone()),
        rona_cause: Some(ringside::model::RonaCause::NetworkFault),
        offers: Vec::new(),
        interactions,
        // An agent holds at most one campaign record (a preview goes only to
        // an agent without one, and so does a transferred record).
        outbound: vec![largest_outbound()],
        preview_media: Channel::ALL.to_vec(),
        preview_paused: false,
        location: Some(Location { text: name(0, MAX_LOCATION_BYTES), shared: true }),
        // A supervisor's state also holds its monitorings (M1).
        monitoring: (0..MAX_MONITORING).map(largest_monitoring).collect(),
        expired_offers: (0..MAX_EXPIRED_OFFERS as u64).map(|n| OfferId(u64::MAX - n)).collect(),
    };
    let welcome = ServerMessage::Welcome {
        protocol: u32::MAX,
        user: UserId(id(0)),
        role: Role::Supervisor,
        server_time: LATEST,
        profile: Box::new(profile),
        snapshot: Some(Snapshot { seq: Seq(u64::MAX), state }),
    };
    let size = welcome.encode().len();
    eprintln!("largest welcome: {size} bytes, limit {MAX_SERVER_FRAME_BYTES}");
    assert!(size <= MAX_SERVER_FRAME_BYTES / 2, "the largest welcome is {size} bytes");
    let event = ServerMessage::Event(Event {
        seq: Seq(u64::MAX),
        at: LATEST,
        agent: UserId(id(0)),
        kind: EventKind::CallChanged { interaction: InteractionId(u64::MAX), call: largest_call() },
    });
    let size = event.encode().len();
    eprintln!("largest call_changed: {size} bytes");
    assert!(size <= MAX_SERVER_FRAME_BYTES / 16, "the largest call_changed is {size} bytes");
}

/// A campaign record at its largest: every field, number, result, sound
/// and remembered rejection at its bound (SPEC N8).
fn largest_outbound() -> ringside::model::campaign::OutboundWork {
    use ringside::model::campaign::*;
    use ringside::protocol::limits::*;
    let text = |n: usize| "\"".repeat(n);
    let number = "9".repeat(MAX_NUMBER_BYTES);
    let names: Vec<String> = (0..MAX_RECORD_FIELDS).map(|n| format!("{n:0>width$}", width = MAX_ID_BYTES)).collect();
    let sound = Some(text(MAX_SOUND_BYTES));
    OutboundWork {
        record: CallingRecord {
            id: ringside::model::RecordId(u64::MAX),
            campaign: ringside::model::CampaignId(text(MAX_ID_BYTES)),
            name: text(MAX_FROM_BYTES),
            fields: names.iter().map(|n| (n.clone(), text(MAX_FIELD_BYTES))).collect(),
            chain: vec![number.clone(); MAX_CHAINED_NUMBERS],
            active: usize::MAX,
            status: RecordStatus::AfterCall,
            attempts: u32::MAX,
            result: Some(text(MAX_ID_BYTES)),
            schedule: Some(Schedule { at: LATEST, kind: CallbackKind::Personal, number: Some(number.clone()), agent: Some(UserId(id(0))) }),
            agent: Some(UserId(id(0))),
            rejected_by: vec![UserId(id(0)); REMEMBERED_REJECTIONS],
        },
        campaign: CampaignBrief {
            id: ringside::model::CampaignId(text(MAX_ID_BYTES)),
            name: text(MAX_LABEL_BYTES),
            results: vec![text(MAX_ID_BYTES); MAX_CALL_RESULTS],
            disposition_required: true,
            reschedule_before_dial: true,
            conference_limit: MAX_CONFERENCE_LIMIT,
            fields: names,
            sounds: CallbackSounds { offered: sound.clone(), held: sound.clone(), retrieved: sound.clone(), ended: sound },
        },
        origin: PreviewOrigin::PersonalCallback,
        since: LATEST,
        deadline: Some(LATEST),
        stale_at: Some(LATEST),
        interaction: Some(ringside::model::InteractionId(u64::MAX)),
        dialled: Some(number),
        dial_outcome: Some(DialOutcome::WrongNumber),
        do_not_call: true,
    }
}
