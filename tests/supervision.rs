//! Scenario tests for presence and supervision: routing by queue membership
//! and skill, auto-away (S11), the direct-call policy (S3, S4), what others
//! see of a user (S6, S12), supervisor monitoring (M1-M3) and an external
//! presence system's changes (N7), driving the center and replicas through
//! JSON with a simulated clock.

mod support;

use ringside::center::{Input, Outcome};
use ringside::model::call::{Party, Target};
use ringside::model::directory::{DefaultPhone, Directory, DirectoryError, Member, Team};
use ringside::model::monitoring::{MonitorMode, MonitoringEnd};
use ringside::model::presence::{Activity, DirectCallRoute};
use ringside::model::profile::{Preset, ProfileOverrides, SecondaryDef};
use ringside::model::state::{CommandKind, EventKind, InteractionState};
use ringside::model::{Channel, InteractionId, Profile, QueueId, Role, SecondaryId, TeamId, UserId};
use std::collections::{BTreeMap, BTreeSet};
use support::*;

fn member(queues: &[(&str, u8)]) -> Member {
    Member {
        teams: BTreeSet::from([TeamId::from("north")]),
        queues: queues.iter().map(|(q, s)| (QueueId::from(*q), *s)).collect(),
        ..Member::default()
    }
}

/// Team north: ana serves support at skill 7, ben support at 5 and sales,
/// cy only sales.
fn north() -> Directory {
    Directory {
        teams: BTreeMap::from([(TeamId::from("north"), Team { label: "North".into() })]),
        members: BTreeMap::from([
            (user("ana"), member(&[("support", 7)])),
            (user("ben"), member(&[("support", 5), ("sales", 1)])),
            (user("cy"), member(&[("sales", 9)])),
        ]),
    }
}

fn save(desk: &mut Desk, input: Input) -> Result<(), DirectoryError> {
    let outcome = desk.feed(input);
    desk.pump();
    match outcome {
        Outcome::Directory(result) => result,
        other => panic!("a directory change answers with Directory, not {other:?}"),
    }
}

fn offered(desk: &Desk, name: &str) -> usize {
    desk.center.agent(&user(name)).map_or(0, |a| a.offers.len())
}

fn enqueue(desk: &mut Desk, queue: &str) {
    let outcome = desk.feed(Input::EnqueueContact { queue: QueueId::from(queue), channel: Channel::Voice, from: "+46 8 555 0100".into() });
    assert!(matches!(outcome, Outcome::Contact(Ok(_))), "{outcome:?}");
    desk.pump();
}

/// Routing by membership: a queue's contacts go only to its members, the
/// ready-longest first, and among those ready equally long the highest skill.
#[test]
fn a_queues_contacts_go_to_its_members_ready_longest_first_ties_by_skill() {
    let mut desk = Desk::preset(Preset::ContactCenter);
    save(&mut desk, Input::SaveDirectory { directory: Box::new(north()) }).unwrap();
    for name in ["cy", "ben", "ana"] {
        desk.ready(name);
    }
    enqueue(&mut desk, "support");
    assert_eq!((offered(&desk, "ana"), offered(&desk, "ben"), offered(&desk, "cy")), (1, 0, 0), "ana: skill 7 over ben's 5, cy is no member");
    enqueue(&mut desk, "support");
    assert_eq!(offered(&desk, "ben"), 1, "the next member");
    enqueue(&mut desk, "support");
    assert_eq!(offered(&desk, "cy"), 0, "a non-member is never offered the queue's contacts");
    assert_eq!(desk.center.waiting(&support()).len(), 1, "the contact waits for a member");
    // An admin change applies to the next route at once.
    save(&mut desk, Input::SaveMember { user: user("cy"), member: Some(Box::new(member(&[("sales", 9), ("support", 1)]))) }).unwrap();
    assert_eq!(offered(&desk, "cy"), 1, "cy serves support now and gets the waiting contact");

    // Ready longest beats skill: ben ready a second before ana.
    let mut desk = Desk::preset(Preset::ContactCenter);
    save(&mut desk, Input::SaveDirectory { directory: Box::new(north()) }).unwrap();
    desk.ready("ben");
    desk.advance(1_000);
    desk.ready("ana");
    enqueue(&mut desk, "support");
    assert_eq!((offered(&desk, "ana"), offered(&desk, "ben")), (0, 1));
}

/// Without any membership every agent serves every queue; a bad directory
/// is refused whole.
#[test]
fn a_center_without_memberships_routes_to_everyone_and_a_bad_directory_changes_nothing() {
    let mut desk = Desk::preset(Preset::ContactCenter);
    desk.ready("cy");
    enqueue(&mut desk, "support");
    assert_eq!(offered(&desk, "cy"), 1);
    let mut bad = north();
    bad.members.insert(user("dee"), member(&[("nowhere", 1)]));
    assert_eq!(save(&mut desk, Input::SaveDirectory { directory: Box::new(bad) }).map_err(|e| e.code()), Err("unknown_queue"));
    let mut bad = north();
    bad.members.insert(user("dee"), member(&[("support", 101)]));
    assert_eq!(save(&mut desk, Input::SaveDirectory { directory: Box::new(bad) }).map_err(|e| e.code()), Err("bad_argument"));
    let stray = Member { teams: BTreeSet::from([TeamId::from("south")]), ..Member::default() };
    assert_eq!(save(&mut desk, Input::SaveMember { user: user("dee"), member: Some(Box::new(stray)) }).map_err(|e| e.code()), Err("unknown_team"));
    assert_eq!(desk.center.directory(), &Directory::default());
    // Removing a team takes it out of its members.
    save(&mut desk, Input::SaveDirectory { directory: Box::new(north()) }).unwrap();
    save(&mut desk, Input::SaveTeam { id: TeamId::from("north"), team: None }).unwrap();
    assert!(desk.center.team_members(&TeamId::from("north")).is_empty());
}

/// SPEC S11: after the inactivity time an available agent goes Away of the
/// automatic kind; input puts back the status before. Never while engaged,
/// and not from a status that is not available.
#[test]
fn auto_away_after_the_inactivity_time_and_back_on_input_spec_s11() {
    let mut desk = Desk::preset(Preset::Presence);
    desk.ready("ana");
    desk.advance(599_000);
    assert_eq!(desk.status_of("ana"), "available");
    desk.send("ana", CommandKind::Present).unwrap();
    desk.advance(599_000);
    assert_eq!(desk.status_of("ana"), "available", "input moved the timer: one second to go");
    desk.advance(1_000);
    assert_eq!(desk.status_of("ana"), "away_auto");
    let view = desk.view("ana");
    assert_eq!(view.status.label, "Away");
    desk.send("ana", CommandKind::Present).unwrap();
    assert_eq!(desk.status_of("ana"), "available", "input returns the previous status");
    desk.assert_converged("ana");

    // Engaged: the timer fires, the status stays.
    desk.send("ana", set_status("break")).unwrap();
    on_call(&mut desk, "ben", Channel::Voice);
    desk.advance(700_000);
    assert_eq!(desk.status_of("ben"), "available");
    // Busy by hand: not an available status, no auto-away.
    desk.ready("cy");
    desk.send("cy", set_status("busy")).unwrap();
    desk.advance(700_000);
    assert_eq!(desk.status_of("cy"), "busy");
    // Any command counts as input; choosing a status by hand from away_auto keeps that status.
    desk.ready("dee");
    desk.advance(600_000);
    assert_eq!(desk.status_of("dee"), "away_auto");
    desk.send("dee", set_status("meal")).unwrap();
    assert_eq!(desk.status_of("dee"), "meal");
}

/// SPEC S11: the contact-center preset has auto-away only where the profile
/// turns it on.
#[test]
fn auto_away_is_off_in_the_contact_center_preset_unless_the_profile_enables_it_spec_s11() {
    let mut desk = Desk::preset(Preset::ContactCenter);
    desk.ready("ana");
    desk.advance(3_600_000);
    assert_eq!(desk.status_of("ana"), "available");
    let mut desk = Desk::with_overrides(ProfileOverrides { auto_away_ms: Some(3_000), ..Default::default() });
    desk.ready("ana");
    desk.advance(3_000);
    assert_eq!(desk.status_of("ana"), "away_auto");
    assert!(!desk.center.profile().is_routable(&status("away_auto")), "an absent agent gets no offers");
}

/// SPEC S3, SPEC S4: where a direct call goes, per status, and to the
/// default phone while offline.
#[test]
fn the_direct_call_policy_follows_the_status_and_the_default_phone_spec_s3_s4() {
    let mut desk = Desk::preset(Preset::Presence);
    let route = |desk: &Desk, name: &str| {
        let decision = desk.center.direct_call(&user(name), desk.now);
        (decision.route, decision.video_blocked)
    };
    assert_eq!(route(&desk, "ana"), (DirectCallRoute::Voicemail, false), "never seen: offline, browser phone: voicemail, no notification");
    desk.ready("ana");
    assert_eq!(route(&desk, "ana"), (DirectCallRoute::Ring, false));
    desk.send("ana", set_status("busy")).unwrap();
    assert_eq!(route(&desk, "ana"), (DirectCallRoute::Voicemail, true), "busy: voicemail, video blocked");
    desk.send("ana", set_status("meeting")).unwrap();
    assert_eq!(route(&desk, "ana"), (DirectCallRoute::Voicemail, true));
    desk.send("ana", set_status("away")).unwrap();
    assert_eq!(route(&desk, "ana"), (DirectCallRoute::RingThenVoicemail, false), "away by hand rings first");
    desk.send("ana", set_status("available")).unwrap();
    desk.advance(600_000);
    assert_eq!(desk.status_of("ana"), "away_auto");
    assert_eq!(route(&desk, "ana"), (DirectCallRoute::Voicemail, false), "away automatically: voicemail at once");
    let phone = Member { phone: DefaultPhone::Number("+46 70 555 0101".into()), ..Member::default() };
    save(&mut desk, Input::SaveMember { user: user("ana"), member: Some(Box::new(phone)) }).unwrap();
    desk.send("ana", CommandKind::Logout).unwrap();
    let decision = desk.center.direct_call(&user("ana"), desk.now);
    assert_eq!((decision.route, decision.number.as_deref()), (DirectCallRoute::DefaultPhone, Some("+46 70 555 0101")), "S4: offline rings the desk phone");
}

/// SPEC S6, SPEC S12: others see the primary status, the activity and a
/// shared location; only supervisors see the secondary status.
#[test]
fn presence_shows_activity_and_a_shared_location_and_hides_the_secondary_from_agents_spec_s6_s12() {
    let mut profile = Profile::preset(Preset::ContactCenter);
    if let Some(idle) = profile.statuses.iter_mut().find(|s| s.id.as_str() == "idle") {
        idle.secondary = vec![SecondaryDef { id: SecondaryId::from("coaching"), label: "Coaching".into() }];
    }
    let mut desk = Desk::new(profile);
    desk.sign_in("ana");
    desk.send("ana", CommandKind::SetStatus { status: status("idle"), secondary: Some(SecondaryId::from("coaching")) }).unwrap();
    let full = desk.center.presence(&user("ana"), desk.now);
    assert_eq!(full.secondary.as_ref().map(|s| s.as_str()), Some("coaching"), "supervisors see the secondary");
    assert_eq!(full.public().secondary, None, "other agents never do");
    assert_eq!(full.activity, None);
    desk.send("ana", CommandKind::SetLocation { text: Some("Floor 3".into()), shared: false }).unwrap();
    assert_eq!(desk.center.presence(&user("ana"), desk.now).location, None, "not shared: not shown");
    desk.send("ana", CommandKind::SetLocation { text: Some("Floor 3".into()), shared: true }).unwrap();
    assert_eq!(desk.center.presence(&user("ana"), desk.now).public().location.as_deref(), Some("Floor 3"));
    desk.send("ana", set_status("meeting")).unwrap();
    assert_eq!(desk.center.presence(&user("ana"), desk.now).activity, Some(Activity::InMeeting));
    desk.send("ana", set_status("available")).unwrap();
    desk.call(Channel::Voice, "+46 8 555 0100");
    accept_offer(&mut desk, "ana");
    let call = desk.center.agent(&user("ana")).unwrap().interactions[0].id;
    let on_call_now = desk.center.presence(&user("ana"), desk.now);
    assert_eq!(on_call_now.activity, Some(Activity::OnCall));
    assert_eq!(on_call_now.interactions.iter().map(|i| i.id).collect::<Vec<_>>(), vec![call]);
    assert!(on_call_now.public().interactions.is_empty(), "agents do not see another's interactions");
    desk.send("ana", CommandKind::End { interaction: call }).unwrap();
    desk.call(Channel::Chat, "chat visitor");
    accept_offer(&mut desk, "ana");
    assert_eq!(desk.center.presence(&user("ana"), desk.now).activity, Some(Activity::InInteraction), "wrap-up is no activity, the chat is");
    desk.assert_converged("ana");
}

/// Sue the supervisor, logged in.
fn supervisor(desk: &mut Desk) {
    desk.connect_as("sue", Role::Supervisor);
    desk.send("sue", CommandKind::Login).unwrap();
}

fn monitoring_of(desk: &Desk, interaction: InteractionId) -> Option<ringside::model::monitoring::Monitoring> {
    desk.center.agent(&user("sue")).and_then(|s| s.monitoring.iter().find(|m| m.interaction == interaction).cloned())
}

fn ended(desk: &Desk, interaction: InteractionId) -> Option<MonitoringEnd> {
    desk.log.iter().rev().find_map(|e| match &e.kind {
        EventKind::MonitoringEnded { interaction: i, reason } if *i == interaction && e.agent == user("sue") => Some(*reason),
        _ => None,
    })
}

/// SPEC M1: start, pause, resume, barge in (a seat of F1's limit), stop; only
/// supervisors; the agent sees it only where the profile says so.
#[test]
fn a_supervisor_monitors_pauses_resumes_and_barges_in_spec_m1() {
    let mut desk = Desk::with_overrides(ProfileOverrides { conference_limit: Some(3), monitoring_visible: Some(true), ..Default::default() });
    let call = on_call(&mut desk, "ana", Channel::Voice);
    desk.ready("ben");
    assert_eq!(desk.send("ben", CommandKind::Monitor { interaction: call, agent: user("ana") }), Err("forbidden".into()));
    supervisor(&mut desk);
    assert_eq!(desk.send("sue", CommandKind::PauseMonitoring { interaction: call }), Err("not_monitoring".into()));
    desk.send("sue", CommandKind::Monitor { interaction: call, agent: user("ana") }).unwrap();
    let monitoring = monitoring_of(&desk, call).expect("monitoring");
    assert_eq!((monitoring.mode, monitoring.paused, monitoring.state_name()), (MonitorMode::Silent, false, "monitoring"));
    assert!(desk.center.agent(&user("ana")).unwrap().interaction(call).unwrap().monitored, "the profile shows monitoring to the agent");
    assert_eq!(desk.center.agent(&user("ana")).unwrap().interaction(call).unwrap().call.participants.len(), 2, "a silent monitor takes no seat");
    desk.send("sue", CommandKind::PauseMonitoring { interaction: call }).unwrap();
    assert_eq!(monitoring_of(&desk, call).unwrap().state_name(), "monitoring_paused");
    assert_eq!(desk.send("sue", CommandKind::PauseMonitoring { interaction: call }), Err("invalid_transition".into()));
    desk.send("sue", CommandKind::ResumeMonitoring { interaction: call }).unwrap();
    desk.send("sue", CommandKind::BargeIn { interaction: call }).unwrap();
    assert_eq!(monitoring_of(&desk, call).unwrap().mode, MonitorMode::BargeIn);
    let on_call_now = &desk.center.agent(&user("ana")).unwrap().interaction(call).unwrap().call;
    assert!(on_call_now.participants.iter().any(|p| p.party == Party::Supervisor(user("sue"))), "barged in: on the call");
    // SPEC F1: customer, ana and sue fill a limit of 3.
    assert_eq!(desk.send("ana", CommandKind::Conference { interaction: call, target: Target::Agent(user("ben")) }), Err("conference_full".into()));
    desk.send("sue", CommandKind::StopMonitoring { interaction: call }).unwrap();
    assert_eq!(ended(&desk, call), Some(MonitoringEnd::Stopped));
    let after = desk.center.agent(&user("ana")).unwrap().interaction(call).unwrap().clone();
    assert_eq!(after.call.participants.len(), 2, "the supervisor left the call");
    assert!(!after.monitored);
    for name in ["ana", "sue"] {
        desk.assert_converged(name);
    }

    // Without monitoring_visible the agent is not told.
    let mut desk = Desk::preset(Preset::ContactCenter);
    let call = on_call(&mut desk, "ana", Channel::Voice);
    supervisor(&mut desk);
    desk.send("sue", CommandKind::Monitor { interaction: call, agent: user("ana") }).unwrap();
    assert!(!desk.center.agent(&user("ana")).unwrap().interaction(call).unwrap().monitored);
    assert!(!desk.log.iter().any(|e| matches!(e.kind, EventKind::MonitoredChanged { .. })));
}

/// SPEC F8, SPEC M1: the customer hangs up while a supervisor is barged in;
/// when the supervisor stops, one agent is left alone on the call: it ends,
/// and the agent goes to wrap-up (the call stayed active, done refused).
#[test]
fn a_barged_in_supervisor_leaving_the_last_agent_alone_ends_the_call_spec_f8() {
    let mut desk = Desk::preset(Preset::ContactCenter);
    let call = on_call(&mut desk, "ana", Channel::Voice);
    supervisor(&mut desk);
    desk.send("sue", CommandKind::Monitor { interaction: call, agent: user("ana") }).unwrap();
    desk.send("sue", CommandKind::BargeIn { interaction: call }).unwrap();
    let contact = desk.center.agent(&user("ana")).unwrap().interaction(call).unwrap().contact;
    desk.center.customer_hang_up(desk.now, contact).unwrap();
    desk.pump();
    assert_eq!(desk.center.agent(&user("ana")).unwrap().interaction(call).unwrap().state, InteractionState::Active, "ana and sue talk on");
    desk.send("sue", CommandKind::StopMonitoring { interaction: call }).unwrap();
    assert_eq!(desk.center.agent(&user("ana")).unwrap().interaction(call).unwrap().state, InteractionState::WrapUp, "alone: the call ends");
    desk.send("ana", CommandKind::Done { interaction: call, code: None }).unwrap();
    for name in ["ana", "sue"] {
        desk.assert_converged(name);
    }
}

/// SPEC M2: no new monitoring or barge-in on a call in wrap-up; one already
/// running goes on through wrap-up and ends when the agent is done.
#[test]
fn no_new_monitoring_in_wrap_up_but_a_running_one_goes_on_spec_m2() {
    let mut desk = Desk::preset(Preset::ContactCenter);
    let call = on_call(&mut desk, "ana", Channel::Voice);
    supervisor(&mut desk);
    desk.send("sue", CommandKind::Monitor { interaction: call, agent: user("ana") }).unwrap();
    desk.send("ana", CommandKind::End { interaction: call }).unwrap();
    assert_eq!(desk.center.agent(&user("ana")).unwrap().interaction(call).unwrap().state, InteractionState::WrapUp);
    assert!(monitoring_of(&desk, call).is_some(), "the running monitoring goes on in wrap-up");
    assert_eq!(desk.send("sue", CommandKind::BargeIn { interaction: call }), Err("call_in_wrap_up".into()));
    desk.send("ana", CommandKind::Done { interaction: call, code: None }).unwrap();
    assert_eq!(ended(&desk, call), Some(MonitoringEnd::CallOver));

    desk.call(Channel::Voice, "+46 8 555 0101");
    accept_offer(&mut desk, "ana");
    let second = desk.center.agent(&user("ana")).unwrap().interactions[0].id;
    desk.send("ana", CommandKind::End { interaction: second }).unwrap();
    assert_eq!(desk.send("sue", CommandKind::Monitor { interaction: second, agent: user("ana") }), Err("call_in_wrap_up".into()));
}

/// SPEC M3: the monitored agent leaving a conference disconnects the
/// supervisor, unless it monitors through another agent still on the call;
/// a barged-in supervisor stays while any agent is present.
#[test]
fn the_monitored_agent_leaving_disconnects_the_supervisor_unless_another_monitored_agent_stays_spec_m3() {
    fn conference(desk: &mut Desk) -> InteractionId {
        let call = on_call(desk, "ana", Channel::Voice);
        desk.ready("ben");
        desk.send("ana", CommandKind::Consult { interaction: call, target: Target::Agent(user("ben")) }).unwrap();
        accept_offer(desk, "ben");
        desk.send("ana", CommandKind::StartConference { interaction: call }).unwrap();
        call
    }
    // Through ana, who exits the conference: disconnected.
    let mut desk = Desk::preset(Preset::ContactCenter);
    let call = conference(&mut desk);
    supervisor(&mut desk);
    desk.send("sue", CommandKind::Monitor { interaction: call, agent: user("ana") }).unwrap();
    desk.send("ana", CommandKind::Leave { interaction: call }).unwrap();
    assert_eq!(ended(&desk, call), Some(MonitoringEnd::AgentLeft));
    assert!(monitoring_of(&desk, call).is_none());

    // Through ana and ben: ana exits, the monitoring goes on through ben.
    let mut desk = Desk::preset(Preset::ContactCenter);
    let call = conference(&mut desk);
    supervisor(&mut desk);
    desk.send("sue", CommandKind::Monitor { interaction: call, agent: user("ana") }).unwrap();
    desk.send("sue", CommandKind::Monitor { interaction: call, agent: user("ben") }).unwrap();
    desk.send("ana", CommandKind::Leave { interaction: call }).unwrap();
    assert_eq!(monitoring_of(&desk, call).expect("goes on").agents, vec![user("ben")]);

    // Barged in through ana: stays with ben after ana leaves, until the call ends.
    let mut desk = Desk::preset(Preset::ContactCenter);
    let call = conference(&mut desk);
    supervisor(&mut desk);
    desk.send("sue", CommandKind::Monitor { interaction: call, agent: user("ana") }).unwrap();
    desk.send("sue", CommandKind::BargeIn { interaction: call }).unwrap();
    desk.send("ana", CommandKind::Leave { interaction: call }).unwrap();
    let monitoring = monitoring_of(&desk, call).expect("stays while an agent is present");
    assert_eq!(monitoring.agents, vec![user("ben")]);
    desk.send("ben", CommandKind::End { interaction: call }).unwrap();
    desk.send("ben", CommandKind::Done { interaction: call, code: None }).unwrap();
    desk.send("ana", CommandKind::Done { interaction: call, code: None }).unwrap();
    assert_eq!(ended(&desk, call), Some(MonitoringEnd::CallOver));
    for name in ["ana", "ben", "sue"] {
        desk.assert_converged(name);
    }
    desk.center.check_consistency().unwrap();
}

/// SPEC N7: an external presence system's change applies like the user's
/// own choice, and is refused the same way.
#[test]
fn an_external_presence_change_applies_like_a_status_choice_spec_n7() {
    let mut desk = Desk::preset(Preset::Presence);
    let external = |desk: &mut Desk, name: &str, status_id: &str| {
        let outcome = desk.feed(Input::ExternalStatus { user: user(name), status: status(status_id), secondary: None });
        desk.pump();
        match outcome {
            Outcome::Done(result) => result.map_err(|e| e.code().to_owned()),
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(external(&mut desk, "ana", "busy"), Err("unknown_agent".into()));
    desk.connect("ana");
    assert_eq!(external(&mut desk, "ana", "busy"), Err("not_logged_in".into()));
    desk.send("ana", CommandKind::Login).unwrap();
    external(&mut desk, "ana", "busy").unwrap();
    assert_eq!(desk.status_of("ana"), "busy");
    assert_eq!(external(&mut desk, "ana", "away_auto"), Err("status_system_only".into()));
    assert_eq!(external(&mut desk, "ana", "nowhere"), Err("unknown_status".into()));
    desk.assert_converged("ana");
}

/// SPEC S12: favourites are the user's own, bounded, and not itself.
#[test]
fn a_user_chooses_its_favourites_spec_s12() {
    let mut desk = Desk::preset(Preset::Presence);
    desk.sign_in("ana");
    desk.send("ana", CommandKind::SetFavourites { users: vec![user("ben")] }).unwrap();
    assert!(desk.center.directory().follows(&user("ana"), &user("ben")));
    assert!(!desk.center.directory().follows(&user("ben"), &user("ana")));
    assert_eq!(desk.send("ana", CommandKind::SetFavourites { users: vec![user("ana")] }), Err("bad_argument".into()));
    let many: Vec<UserId> = (0..65).map(|n| UserId(format!("u{n}"))).collect();
    let over = ringside::protocol::limits::check_command(&CommandKind::SetFavourites { users: many });
    assert!(over.is_err(), "65 favourites are over the bound");
    // Kept in the directory, so as the directory's ids: none empty, no
    // control characters (the admin API would refuse the directory back).
    assert_eq!(desk.send("ana", CommandKind::SetFavourites { users: vec![user("ben"), user("")] }), Err("bad_argument".into()));
    let control = ringside::protocol::limits::check_command(&CommandKind::SetFavourites { users: vec![user("a\u{1}b")] });
    assert!(control.is_err(), "a control character is refused");
    assert!(desk.center.directory().check(|_| true).is_ok(), "the directory stays one the admin API takes");
}

/// The monitoring actions a supervisor's view enables, as the commands its
/// user would send.
fn enabled_monitoring(desk: &Desk) -> Vec<CommandKind> {
    let mut enabled = Vec::new();
    for m in desk.view("sue").monitoring {
        let interaction = m.interaction;
        let flagged = [
            (m.actions.pause, CommandKind::PauseMonitoring { interaction }),
            (m.actions.resume, CommandKind::ResumeMonitoring { interaction }),
            (m.actions.barge_in, CommandKind::BargeIn { interaction }),
            (m.actions.stop, CommandKind::StopMonitoring { interaction }),
        ];
        enabled.extend(flagged.into_iter().filter(|(on, _)| *on).map(|(_, kind)| kind));
    }
    enabled
}

/// SPEC M1: the supervisor's view lists each monitoring with its M1 state
/// name, and enables exactly the actions the center accepts at each step;
/// the monitored agent's card says so where the profile shows it.
#[test]
fn the_supervisors_view_enables_exactly_the_monitoring_actions_the_center_accepts_spec_m1() {
    let mut desk = Desk::with_overrides(ProfileOverrides { monitoring_visible: Some(true), ..Default::default() });
    let call = on_call(&mut desk, "ana", Channel::Voice);
    supervisor(&mut desk);
    assert!(desk.view("sue").supervisor && !desk.view("ana").supervisor);
    assert!(desk.view("sue").monitoring.is_empty());
    desk.send("sue", CommandKind::Monitor { interaction: call, agent: user("ana") }).unwrap();
    assert!(desk.view("ana").interactions[0].monitored, "the agent sees it (monitoring_visible)");
    let steps = [
        (None, "monitoring"),
        (Some(CommandKind::PauseMonitoring { interaction: call }), "monitoring_paused"),
        (Some(CommandKind::ResumeMonitoring { interaction: call }), "monitoring"),
        (Some(CommandKind::BargeIn { interaction: call }), "monitoring"),
    ];
    for (command, state) in steps {
        if let Some(command) = command {
            desk.send("sue", command).unwrap();
        }
        let view = desk.view("sue");
        assert_eq!((view.monitoring.len(), view.monitoring[0].state.name()), (1, state));
        let enabled = enabled_monitoring(&desk);
        let every = [
            CommandKind::PauseMonitoring { interaction: call },
            CommandKind::ResumeMonitoring { interaction: call },
            CommandKind::BargeIn { interaction: call },
            CommandKind::StopMonitoring { interaction: call },
        ];
        for command in every {
            let mut authority = desk.center.clone();
            let actor = ringside::model::Actor { user: user("sue"), role: Role::Supervisor };
            let accepted = authority.command(desk.now, &actor, "probe".into(), command.clone()).is_ok();
            assert_eq!(enabled.contains(&command), accepted, "{} in state {state}", command.name());
        }
    }
    desk.send("sue", CommandKind::StopMonitoring { interaction: call }).unwrap();
    assert!(desk.view("sue").monitoring.is_empty());
    assert!(!desk.view("ana").interactions[0].monitored);
}

/// SPEC S6, S12, N2: the roster a supervisor's replica holds follows the
/// server's frames, and after a reconnect (a new welcome) it subscribes
/// again from the position it holds, so only the changes since come.
#[test]
fn the_roster_replica_follows_the_stream_and_resubscribes_from_its_position_spec_s12() {
    use ringside::agent::Notice;
    use ringside::model::Millis;
    use ringside::protocol::{ClientMessage, RosterPosition, RosterSnapshot, ServerMessage};
    let mut desk = Desk::preset(Preset::ContactCenter);
    save(&mut desk, Input::SaveDirectory { directory: Box::new(north()) }).unwrap();
    let call = on_call(&mut desk, "ana", Channel::Voice);
    supervisor(&mut desk);
    let now = Millis(desk.now.0);
    let sue = desk.replicas.get_mut(&user("sue")).unwrap();
    sue.subscribe_roster();
    assert_eq!(sent(sue), Some(ClientMessage::SubscribeRoster { resume: None }));
    let entries = ["ana", "ben", "sue"].map(|u| desk.center.presence(&user(u), desk.now)).to_vec();
    let snapshot = RosterSnapshot { epoch: 7, seq: 12, entries, queues: desk.center.queue_stats(), part: 0 };
    let sue = desk.replicas.get_mut(&user("sue")).unwrap();
    sue.handle_message(now, roundtrip(&ServerMessage::Roster(Box::new(snapshot)))).unwrap();
    assert_eq!(sue.poll_notice(), Some(Notice::Roster));
    let roster = sue.roster_view(now);
    let ana = &roster.entries[0];
    assert_eq!((ana.user.as_str(), ana.activity), ("ana", Some(Activity::OnCall)));
    assert_eq!(ana.interactions[0].id, call);
    assert!(ana.interactions[0].can_monitor, "a supervisor's row actions");
    assert!(!ana.can_log_out, "no log out offered for an agent on a call (S9)");
    assert_eq!(roster.queues.len(), 2, "the queue tiles");
    desk.send("sue", CommandKind::Monitor { interaction: call, agent: user("ana") }).unwrap();
    assert!(desk.view("sue").monitoring[0].actions.barge_in);

    // A presence frame moves the position; a new welcome resubscribes from it.
    desk.send("ana", CommandKind::End { interaction: call }).unwrap();
    let entry = desk.center.presence(&user("ana"), desk.now);
    let sue = desk.replicas.get_mut(&user("sue")).unwrap();
    sue.handle_message(now, roundtrip(&ServerMessage::Presence { seq: 15, entry: Box::new(entry) })).unwrap();
    assert_eq!(sue.poll_notice(), Some(Notice::Presence(user("ana"))));
    assert!(!sue.roster_view(now).entries[0].interactions[0].can_monitor, "no new monitoring in wrap-up (M2)");
    assert!(!desk.view("sue").monitoring[0].actions.barge_in, "the roster says the call is in wrap-up (M2)");
    assert_eq!(desk.send("sue", CommandKind::BargeIn { interaction: call }), Err("call_in_wrap_up".into()), "as the center says");
    desk.connect_as("sue", Role::Supervisor);
    let sue = desk.replicas.get_mut(&user("sue")).unwrap();
    let resume = Some(RosterPosition { epoch: 7, seq: 15 });
    assert_eq!(sent(sue), Some(ClientMessage::SubscribeRoster { resume }));
    sue.unsubscribe_roster();
    assert_eq!(sent(sue), Some(ClientMessage::UnsubscribeRoster));
    assert!(sue.roster_view(now).entries.is_empty());
}

/// SPEC F1, M1: a consult or conference still ringing holds its seat, so a
/// barge-in that would take the last one is refused with conference_full
/// and the answering party still finds its seat.
#[test]
fn a_ringing_invitation_holds_its_seat_against_a_barge_in_spec_f1_m1() {
    let mut desk = Desk::with_overrides(ProfileOverrides { conference_limit: Some(3), ..Default::default() });
    let call = on_call(&mut desk, "ana", Channel::Voice);
    supervisor(&mut desk);
    desk.send("sue", CommandKind::Monitor { interaction: call, agent: user("ana") }).unwrap();
    desk.send("ana", CommandKind::Consult { interaction: call, target: Target::Number("+46 8 555 0199".into()) }).unwrap();
    assert_eq!(desk.send("sue", CommandKind::BargeIn { interaction: call }), Err("conference_full".into()), "customer, ana and the ringing number");
    desk.feed(Input::NumberAnswers { interaction: call, answered: true });
    desk.pump();
    let participants = desk.center.agent(&user("ana")).unwrap().interaction(call).unwrap().call.participants.len();
    assert_eq!(participants, 3, "the number took the seat it held");
    desk.center.check_consistency().unwrap();
    desk.send("ana", CommandKind::EndConsult { interaction: call }).unwrap();
    desk.send("sue", CommandKind::BargeIn { interaction: call }).unwrap();
}
