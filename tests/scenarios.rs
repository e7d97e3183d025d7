//! Scenario tests: one per SPEC rule, each driving the center and replicas
//! through JSON with a simulated clock that jumps and never sleeps.

mod support;

use ringside::agent::{format_duration, Notice};
use ringside::model::profile::{Preset, StatusCategory};
use ringside::model::state::{CommandKind, EndedBy, EventKind, LogoutReason, OfferOutcome};
use ringside::model::{Channel, ContactId, OfferId, RonaCause, Role, SecondaryId, StatusId, WrapUpCode};
use support::*;

fn first_offer(desk: &Desk, name: &str) -> ringside::model::OfferId {
    desk.center.agent(&user(name)).expect("known").offers.first().expect("an offer").id
}

fn accept_first(desk: &mut Desk, name: &str) -> ringside::model::InteractionId {
    let offer = first_offer(desk, name);
    desk.send(name, CommandKind::Accept { offer }).expect("accept");
    desk.center.agent(&user(name)).expect("known").interactions.last().expect("interaction").id
}

fn wrap_up(desk: &mut Desk, name: &str, interaction: ringside::model::InteractionId) {
    desk.send(name, CommandKind::End { interaction }).expect("end");
    desk.send(name, CommandKind::Done { interaction, code: None }).expect("done");
}

/// SPEC S2: the contact-center preset has available, idle reasons with a
/// default, and a system-only rona; login puts the agent in the default idle.
#[test]
fn contact_center_agents_log_in_idle_with_the_default_reason() {
    let mut desk = Desk::preset(Preset::ContactCenter);
    desk.sign_in("ana");
    assert_eq!(desk.status_of("ana"), "idle");
    let view = desk.view("ana");
    assert_eq!(view.status.label, "Idle");
    assert_eq!(view.status.category, Some(StatusCategory::Idle));
    let choices: Vec<&str> = view.choices.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(choices, ["available", "idle", "meeting", "training", "lunch"], "rona and offline are not choices");
    desk.assert_converged("ana");
}

/// SPEC S3: the presence preset logs in Available; Out of Office set before
/// logout shows "Out of Office (offline)" in grey and survives the logout.
#[test]
fn presence_agents_log_in_available_and_out_of_office_survives_logout() {
    use ringside::model::profile::DirectCallPolicy::*;
    let mut desk = Desk::preset(Preset::Presence);
    desk.sign_in("ana");
    assert_eq!(desk.status_of("ana"), "available");
    assert_eq!(desk.view("ana").status.colour, "#2e7d32");
    let profile = desk.center.profile().clone();
    let policy = |id: &str| profile.status(&status(id)).expect("in catalogue");
    assert!(policy("busy").blocks_video && policy("meeting").blocks_video && !policy("break").blocks_video);
    assert_eq!(policy("away").direct_calls, RingThenVoicemail, "Away set by hand rings first");
    assert_eq!(policy("away_auto").direct_calls, Voicemail, "Away set by inactivity goes to voicemail");
    assert!(policy("away_auto").system_only);
    for id in ["busy", "break", "meal", "meeting", "training", "out_of_office", "offline"] {
        assert_eq!(policy(id).direct_calls, Voicemail, "{id}");
    }
    desk.send("ana", set_status("out_of_office")).unwrap();
    desk.send("ana", CommandKind::Logout).unwrap();
    let view = desk.view("ana");
    assert!(!view.logged_in);
    assert_eq!(view.status.label, "Out of Office (offline)");
    assert_eq!(view.status.colour, "#757575");
    desk.send("ana", CommandKind::Login).unwrap();
    assert_eq!(desk.status_of("ana"), "out_of_office", "kept through logout and login");
    desk.assert_converged("ana");
}

/// SPEC S5: a status change takes effect at once and leaves interactions alone.
#[test]
fn a_status_change_applies_at_once_and_leaves_interactions_running() {
    let mut desk = Desk::preset(Preset::ContactCenter);
    desk.ready("ana");
    desk.call(Channel::Chat, "web visitor");
    let chat = accept_first(&mut desk, "ana");
    desk.advance(4_000);
    desk.send("ana", set_status("meeting")).unwrap();
    let state = desk.center.agent(&user("ana")).unwrap();
    assert_eq!(state.status.as_str(), "meeting");
    assert_eq!(state.status_since, desk.now);
    assert!(state.interaction(chat).is_some(), "the chat goes on");
    assert_eq!(desk.view("ana").interactions[0].connected, "00:04");
}

/// SPEC S1: a profile's own catalogue drives every attribute of a status:
/// its label, colour and category in the view, whether it receives offers,
/// whether an agent may choose it, and whether it outlives a logout.
#[test]
fn a_custom_status_catalogue_drives_each_attribute_spec_s1() {
    let mut desk = Desk::with_toml(
        r##"
        preset = "contact_center"
        login_status = "paperwork"
        available_status = "ready"
        default_idle_status = "paperwork"
        [[statuses]]
        id = "ready"
        label = "Ready"
        colour = "#00ff00"
        category = "available"
        routable = true
        [[statuses]]
        id = "focus"
        label = "Focus time"
        colour = "#123456"
        category = "busy"
        survives_logout = true
        [[statuses]]
        id = "paperwork"
        label = "Paperwork"
        colour = "#abcdef"
        category = "idle"
        [[statuses]]
        id = "rona"
        label = "RONA"
        colour = "#ef6c00"
        category = "away"
        system_only = true
        [[statuses]]
        id = "offline"
        label = "Offline"
        colour = "#757575"
        category = "offline"
        system_only = true
        "##,
    );
    desk.sign_in("ana");
    desk.send("ana", set_status("focus")).unwrap();
    let view = desk.view("ana");
    assert_eq!((view.status.label.as_ref(), view.status.colour), ("Focus time", "#123456"));
    assert_eq!(view.status.category, Some(StatusCategory::Busy));
    let choices: Vec<&str> = view.choices.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(choices, ["ready", "focus", "paperwork"], "system-only statuses are not offered");
    assert_eq!(desk.send("ana", set_status("offline")), Err("status_system_only".into()));

    let contact = desk.call(Channel::Voice, "+46 8 555 0100");
    assert!(desk.view("ana").offers.is_empty(), "a status that is not routable gets no offer");
    desk.send("ana", set_status("ready")).unwrap();
    assert_eq!(desk.view("ana").offers.len(), 1, "a routable one does");
    assert!(desk.center.waiting(&support()).is_empty(), "{contact:?} was offered");

    desk.send("ana", set_status("paperwork")).unwrap();
    desk.send("ana", CommandKind::Logout).unwrap();
    assert_eq!(desk.status_of("ana"), "offline", "paperwork does not survive a logout");
    desk.send("ana", CommandKind::Login).unwrap();
    desk.send("ana", set_status("focus")).unwrap();
    desk.send("ana", CommandKind::Logout).unwrap();
    assert_eq!(desk.status_of("ana"), "focus", "focus time survives the logout");
    desk.send("ana", CommandKind::Login).unwrap();
    assert_eq!(desk.status_of("ana"), "focus", "and the next login");
    desk.assert_converged("ana");
}

/// SPEC S6: a status may require a secondary status from its list.
#[test]
fn a_status_can_require_a_secondary_status() {
    let mut desk = Desk::with_toml(
        r##"
        preset = "contact_center"
        [[statuses]]
        id = "available"
        label = "Available"
        colour = "#2e7d32"
        category = "available"
        routable = true
        [[statuses]]
        id = "idle"
        label = "Idle"
        colour = "#f9a825"
        category = "idle"
        secondary_required = true
        secondary = [{ id = "coaching", label = "Coaching" }, { id = "admin", label = "Admin work" }]
        [[statuses]]
        id = "rona"
        label = "RONA"
        colour = "#ef6c00"
        category = "away"
        system_only = true
        [[statuses]]
        id = "offline"
        label = "Offline"
        colour = "#757575"
        category = "offline"
        system_only = true
        "##,
    );
    desk.ready("ana");
    assert_eq!(desk.send("ana", set_status("idle")), Err("secondary_required".into()));
    let bad = CommandKind::SetStatus { status: status("idle"), secondary: Some(SecondaryId::from("golf")) };
    assert_eq!(desk.send("ana", bad), Err("unknown_secondary".into()));
    let good = CommandKind::SetStatus { status: status("idle"), secondary: Some(SecondaryId::from("coaching")) };
    desk.send("ana", good).unwrap();
    assert_eq!(desk.view("ana").status.secondary, Some(&SecondaryId::from("coaching")));
}

/// SPEC S7: only routable statuses receive offers.
#[test]
fn only_routable_statuses_receive_offers() {
    let mut desk = Desk::preset(Preset::ContactCenter);
    desk.sign_in("ana"); // idle
    let contact = desk.call(Channel::Voice, "+46 8 555 0100");
    assert!(desk.view("ana").offers.is_empty(), "idle agents get nothing");
    assert_eq!(desk.center.waiting(&support()), [contact]);
    desk.send("ana", set_status("available")).unwrap();
    assert_eq!(desk.view("ana").offers.len(), 1, "routed as soon as the agent is available");
    assert!(desk.center.waiting(&support()).is_empty());
}

/// SPEC S8: rona cannot be chosen by hand; the replica refuses before
/// sending and the center refuses too.
#[test]
fn rona_cannot_be_chosen_by_hand() {
    let mut desk = Desk::preset(Preset::ContactCenter);
    desk.ready("ana");
    assert_eq!(desk.send("ana", set_status("rona")), Err("status_system_only".into()));
    let reply = desk.raw("ana", Role::Agent, "sneaky", set_status("rona"));
    assert_eq!(reply.unwrap_err().code, "status_system_only");
    assert_eq!(desk.status_of("ana"), "available");
}

/// SPEC S9: a supervisor may log out an available or idle agent with no
/// interactions; otherwise the request fails with a clear error.
#[test]
fn a_supervisor_logs_out_only_free_available_or_idle_agents() {
    let mut desk = Desk::preset(Preset::ContactCenter);
    desk.ready("ana");
    desk.sign_in("ben");
    desk.connect("sue");
    let logout = |agent: &str| CommandKind::LogoutAgent { agent: user(agent) };
    assert_eq!(desk.raw("ana", Role::Agent, "a1", logout("ben")).unwrap_err().code, "forbidden");
    desk.call(Channel::Voice, "+1 555 0100");
    accept_first(&mut desk, "ana");
    let refused = desk.raw("sue", Role::Supervisor, "s1", logout("ana")).unwrap_err();
    assert_eq!(refused.code, "logout_not_allowed");
    assert!(refused.message.contains("interactions in progress"), "{}", refused.message);
    assert_eq!(desk.raw("sue", Role::Supervisor, "s2", logout("nobody")).unwrap_err().code, "unknown_agent");
    desk.raw("sue", Role::Supervisor, "s3", logout("ben")).expect("idle ben can be logged out");
    assert!(!desk.view("ben").logged_in);
    assert_eq!(desk.status_of("ben"), "offline");
    let reason = desk.log.iter().rev().find_map(|e| match e.kind {
        EventKind::LoggedOut { reason } if e.agent == user("ben") => Some(reason),
        _ => None,
    });
    assert_eq!(reason, Some(LogoutReason::Supervisor));
    desk.assert_converged("ben");
}

/// SPEC O1: voice offers time out after 18 s and digital ones after 30 s by
/// default, and the timeouts are configurable.
#[test]
fn offers_carry_the_channel_timeout_as_their_deadline() {
    let mut desk = Desk::preset(Preset::ContactCenter);
    desk.ready("ana");
    desk.call(Channel::Voice, "+1 555 0100");
    desk.call(Channel::Chat, "visitor");
    desk.call(Channel::Email, "a@example.com");
    let offers = &desk.center.agent(&user("ana")).unwrap().offers;
    let timeouts: Vec<(Channel, u64)> = offers.iter().map(|o| (o.channel, o.deadline.since(o.offered_at))).collect();
    assert_eq!(timeouts, [(Channel::Voice, 18_000), (Channel::Chat, 30_000), (Channel::Email, 30_000)]);

    let mut quick = Desk::with_toml("[channels.voice]\noffer_timeout_ms = 4000\n");
    quick.ready("ana");
    quick.call(Channel::Voice, "+1 555 0101");
    let offer = &quick.center.agent(&user("ana")).unwrap().offers[0];
    assert_eq!(offer.deadline.since(offer.offered_at), 4_000);
}

/// SPEC O2: with a timeout over 8 s the accept action flashes during the last
/// 5 s, and the replica names the flash start as its next change.
#[test]
fn accept_flashes_during_the_last_five_seconds() {
    let mut desk = Desk::preset(Preset::ContactCenter);
    desk.ready("ana");
    desk.call(Channel::Voice, "+1 555 0100");
    let deadline = desk.center.agent(&user("ana")).unwrap().offers[0].deadline;
    desk.advance(12_500);
    let card = &desk.view("ana").offers[0];
    assert!(!card.flashing);
    assert_eq!(card.remaining, "00:06");
    assert_eq!(desk.next_change("ana"), Some(desk.now.plus(500)), "the countdown's next second and the flash start");
    desk.advance(499);
    assert!(!desk.view("ana").offers[0].flashing, "not yet at deadline - 5 s - 1 ms");
    assert_eq!(desk.next_change("ana"), Some(ringside::model::ServerTime(deadline.0 - 5_000)));
    desk.advance(1);
    let card = &desk.view("ana").offers[0];
    assert!(card.flashing, "flashes from deadline - 5 s");
    assert_eq!(card.remaining, "00:05");
    assert!(card.can_accept);
}

/// SPEC O2: at 8 s or less the accept action never flashes.
#[test]
fn short_offers_never_flash() {
    let mut desk = Desk::with_toml("[channels.voice]\noffer_timeout_ms = 8000\n");
    desk.ready("ana");
    desk.call(Channel::Voice, "+1 555 0100");
    for _ in 0..8 {
        assert!(desk.view("ana").offers.iter().all(|o| !o.flashing));
        desk.advance(999);
    }
}

/// SPEC O3: on timeout the contact goes back to its original queue position,
/// the agent goes to rona, and the contact is offered to the next agent.
#[test]
fn an_unanswered_offer_returns_to_its_place_and_goes_to_the_next_agent() {
    let mut desk = Desk::preset(Preset::ContactCenter);
    desk.ready("ana");
    let first = desk.call(Channel::Voice, "+1 555 0100");
    let second = desk.call(Channel::Voice, "+1 555 0101");
    assert_eq!(desk.center.waiting(&support()), [second]);
    desk.jump_to_next_deadline();
    assert_eq!(desk.status_of("ana"), "rona");
    assert_eq!(desk.center.waiting(&support()), [first, second], "back ahead of the later caller");
    assert!(desk.notices[&user("ana")].contains(&Notice::Rona(RonaCause::NoAnswer)));
    assert_eq!(desk.view("ana").rona.as_ref().and_then(|r| r.cause), Some(RonaCause::NoAnswer));
    desk.ready("ben");
    let offered = desk.center.agent(&user("ben")).unwrap().offers[0].contact;
    assert_eq!(offered, first, "the next agent gets the first caller");
    let ended = desk.log.iter().filter(|e| matches!(e.kind, EventKind::OfferEnded { outcome: OfferOutcome::Expired, .. })).count();
    assert_eq!(ended, 1);
}

/// SPEC O3: rona also happens while engaged on another channel.
#[test]
fn rona_while_engaged_on_another_channel_shows_engaged_rona() {
    let mut desk = Desk::preset(Preset::ContactCenter);
    desk.ready("ana");
    desk.call(Channel::Chat, "visitor");
    accept_first(&mut desk, "ana");
    desk.call(Channel::Voice, "+1 555 0100");
    desk.jump_to_next_deadline();
    let view = desk.view("ana");
    assert_eq!(view.status.id.as_str(), "rona");
    assert_eq!(view.status.engaged.as_deref(), Some("Engaged, RONA"));
    assert_eq!(view.interactions.len(), 1, "the chat goes on");
}

/// SPEC O5, O3: nothing is offered in rona. A chat offer still ringing when
/// the voice offer expires is withdrawn, its contact back in its queue, and
/// comes back once the agent is available again.
#[test]
fn going_to_rona_withdraws_the_other_offers_still_ringing() {
    let mut desk = Desk::preset(Preset::ContactCenter);
    desk.ready("ana");
    desk.call(Channel::Voice, "+1 555 0100");
    let chat = desk.call(Channel::Chat, "visitor");
    assert_eq!(desk.view("ana").offers.len(), 2, "both ring (E2)");
    desk.jump_to_next_deadline();
    assert_eq!(desk.status_of("ana"), "rona");
    assert!(desk.view("ana").offers.is_empty(), "nothing rings in rona");
    assert!(desk.center.waiting(&support()).contains(&chat), "the chat waits again");
    let withdrawn = desk.log.iter().filter(|e| matches!(e.kind, EventKind::OfferEnded { outcome: OfferOutcome::Withdrawn, .. })).count();
    assert_eq!(withdrawn, 1);
    desk.center.check_consistency().unwrap();
    desk.assert_converged("ana");
    let available = desk.center.profile().available_status.clone();
    desk.send("ana", CommandKind::SetStatus { status: available, secondary: None }).unwrap();
    assert!(desk.view("ana").offers.iter().any(|o| o.contact == chat), "offered again once available (O5)");
}

/// SPEC O4: an undeliverable offer also sets rona, with the cause.
#[test]
fn an_undeliverable_offer_sets_rona_with_its_cause() {
    let mut desk = Desk::preset(Preset::ContactCenter);
    desk.ready("ana");
    let contact = desk.call(Channel::Voice, "+1 555 0100");
    let offer = first_offer(&desk, "ana");
    assert_eq!(desk.center.offer_undeliverable(desk.now, offer, RonaCause::NoAnswer).unwrap_err().code(), "bad_argument");
    desk.center.offer_undeliverable(desk.now, offer, RonaCause::WrongNumber).unwrap();
    desk.pump();
    assert_eq!(desk.status_of("ana"), "rona");
    assert_eq!(desk.center.agent(&user("ana")).unwrap().rona_cause, Some(RonaCause::WrongNumber));
    assert_eq!(desk.center.waiting(&support()), [contact]);
    assert!(desk.view("ana").offers.is_empty());
    desk.assert_converged("ana");
}

/// SPEC O5: from rona the agent goes idle (default reason) or available;
/// nothing is offered in rona; the state timer restarts.
#[test]
fn from_rona_the_agent_goes_idle_or_available() {
    let mut desk = Desk::preset(Preset::ContactCenter);
    desk.ready("ana");
    desk.call(Channel::Voice, "+1 555 0100");
    desk.jump_to_next_deadline();
    desk.call(Channel::Chat, "visitor");
    assert!(desk.view("ana").offers.is_empty(), "nothing is offered in rona");
    desk.advance(7_000);
    assert_eq!(desk.view("ana").status.timer.as_deref(), Some("00:07"));
    let (go_idle, go_available) = desk.view("ana").rona.map(|c| (c.go_idle.clone(), c.go_available.clone())).expect("rona choice shown");
    assert_eq!(go_idle.as_str(), "idle");
    desk.send("ana", CommandKind::SetStatus { status: go_idle, secondary: None }).unwrap();
    assert_eq!(desk.view("ana").status.timer.as_deref(), Some("00:00"));
    assert!(desk.view("ana").rona.is_none());
    desk.send("ana", CommandKind::SetStatus { status: go_available, secondary: None }).unwrap();
    assert_eq!(desk.view("ana").offers.len(), 2, "both waiting contacts come once available");
}

/// SPEC O7, O3: an offer ends exactly once; an accept or decline after the
/// deadline is refused as `offer_expired`, by the center and by the
/// agent's own replica, and an offer never made stays `unknown_offer`.
#[test]
fn an_offer_ends_exactly_once_even_with_a_late_accept() {
    let mut desk = Desk::preset(Preset::ContactCenter);
    desk.ready("ana");
    desk.call(Channel::Voice, "+1 555 0100");
    let offer = first_offer(&desk, "ana");
    let deadline = desk.center.agent(&user("ana")).unwrap().offers[0].deadline;
    // The host overslept: the accept arrives after the deadline, before any timeout call.
    desk.now = deadline.plus(10);
    let late = desk.raw("ana", Role::Agent, "late", CommandKind::Accept { offer });
    assert_eq!(late.unwrap_err().code, "offer_expired");
    let ends = desk.log.iter().filter(|e| matches!(&e.kind, EventKind::OfferEnded { offer: o, .. } if *o == offer)).count();
    assert_eq!(ends, 1);
    assert_eq!(desk.status_of("ana"), "rona");
    assert_eq!(desk.send("ana", CommandKind::Decline { offer }), Err("offer_expired".to_owned()), "the replica judges the same");
    let never = OfferId(offer.0 + 1_000);
    assert_eq!(desk.raw("ana", Role::Agent, "never", CommandKind::Accept { offer: never }).unwrap_err().code, "unknown_offer");
}

/// SPEC T1: the state timer shows time in the status and restarts at 00:00 on
/// every change.
#[test]
fn the_state_timer_restarts_on_every_status_change() {
    let mut desk = Desk::preset(Preset::ContactCenter);
    desk.sign_in("ana");
    desk.advance(65_000);
    assert_eq!(desk.view("ana").status.timer.as_deref(), Some("01:05"));
    desk.send("ana", set_status("available")).unwrap();
    assert_eq!(desk.view("ana").status.timer.as_deref(), Some("00:00"));
    desk.advance(3_400);
    assert_eq!(desk.view("ana").status.timer.as_deref(), Some("00:03"));
    assert_eq!(desk.next_change("ana"), Some(desk.now.plus(600)), "wakes at the next second, not on a tick");
}

/// SPEC T2: idle to idle shows current/total idle time: Idle 10 min then
/// Lunch 20 min reads `20:00/30:00`.
#[test]
fn idle_to_idle_shows_current_and_total_idle_time() {
    let mut desk = Desk::preset(Preset::ContactCenter);
    desk.sign_in("ana");
    desk.advance(10 * 60_000);
    assert_eq!(desk.view("ana").status.timer.as_deref(), Some("10:00"));
    desk.send("ana", set_status("lunch")).unwrap();
    desk.advance(20 * 60_000);
    assert_eq!(desk.view("ana").status.timer.as_deref(), Some("20:00/30:00"));
    desk.send("ana", set_status("available")).unwrap();
    desk.send("ana", set_status("meeting")).unwrap();
    assert_eq!(desk.view("ana").status.timer.as_deref(), Some("00:00"), "a new idle run after available");
}

/// SPEC T3, SPEC T4: no status timer while engaged; afterwards the available timer
/// shows the time since the agent became available, engagement included.
#[test]
fn engagement_does_not_restart_the_available_timer() {
    let mut desk = Desk::preset(Preset::ContactCenter);
    desk.ready("ana");
    desk.advance(30_000);
    desk.call(Channel::Voice, "+1 555 0100");
    let call = accept_first(&mut desk, "ana");
    desk.advance(90_000);
    let view = desk.view("ana");
    assert_eq!(view.status.timer, None, "T3: no status timer while engaged");
    assert_eq!(view.interactions[0].connected, "01:30");
    wrap_up(&mut desk, "ana", call);
    assert_eq!(desk.view("ana").status.timer.as_deref(), Some("02:00"));
}

/// SPEC T6: `mm:ss`, and `h:mm:ss` from one hour.
#[test]
fn timers_read_minutes_and_seconds_then_hours() {
    assert_eq!(format_duration(0), "00:00");
    assert_eq!(format_duration(59_999), "00:59");
    assert_eq!(format_duration(3_599_999), "59:59");
    assert_eq!(format_duration(3_600_000), "1:00:00");
    assert_eq!(format_duration(36_061_000), "10:01:01");
    let mut desk = Desk::preset(Preset::ContactCenter);
    desk.sign_in("ana");
    desk.advance(3_725_000);
    assert_eq!(desk.view("ana").status.timer.as_deref(), Some("1:02:05"));
}

/// SPEC T7: every text comes from timestamps, so a view computed after a long
/// sleep (no ticks in between) is already right.
#[test]
fn a_view_after_a_long_sleep_is_right_without_ticks() {
    let mut desk = Desk::preset(Preset::ContactCenter);
    desk.sign_in("ana");
    desk.now = desk.now.plus(47 * 60_000 + 12_345); // no timeout calls, no ticks
    assert_eq!(desk.view("ana").status.timer.as_deref(), Some("47:12"));
}

/// SPEC E1: accepting adds "Engaged" over the status; idle during an
/// interaction shows "Engaged (idle)" and stops new offers.
#[test]
fn accepting_adds_engaged_over_the_status() {
    let mut desk = Desk::preset(Preset::ContactCenter);
    desk.ready("ana");
    desk.call(Channel::Chat, "visitor");
    accept_first(&mut desk, "ana");
    let view = desk.view("ana");
    assert_eq!(view.status.id.as_str(), "available", "the status itself does not change");
    assert_eq!(view.status.engaged.as_deref(), Some("Engaged"));
    desk.send("ana", set_status("idle")).unwrap();
    assert_eq!(desk.view("ana").status.engaged.as_deref(), Some("Engaged (idle)"));
    desk.call(Channel::Chat, "second visitor");
    assert!(desk.view("ana").offers.is_empty(), "no new offers while engaged idle");
}

/// SPEC E2: while engaged and routable, offers keep coming on channels with
/// room (chat 3, voice 1 by default).
#[test]
fn offers_keep_coming_on_channels_with_room() {
    let mut desk = Desk::preset(Preset::ContactCenter);
    desk.ready("ana");
    for n in 0..4 {
        desk.call(Channel::Chat, &format!("visitor {n}"));
    }
    assert_eq!(desk.view("ana").offers.len(), 3, "chat capacity 3");
    accept_first(&mut desk, "ana");
    assert_eq!(desk.view("ana").offers.len(), 2, "an accepted chat still takes room");
    desk.call(Channel::Voice, "+1 555 0100");
    let channels: Vec<Channel> = desk.view("ana").offers.iter().map(|o| o.channel).collect();
    assert_eq!(channels, [Channel::Chat, Channel::Chat, Channel::Voice]);
    assert_eq!(desk.center.waiting(&support()).len(), 1, "the fourth chat waits");
}

/// SPEC E3: when the last interaction ends the label goes and the status is
/// whatever it was underneath.
#[test]
fn the_engaged_label_goes_with_the_last_interaction() {
    let mut desk = Desk::preset(Preset::ContactCenter);
    desk.ready("ana");
    desk.call(Channel::Chat, "one");
    desk.call(Channel::Chat, "two");
    let first = accept_first(&mut desk, "ana");
    let second = accept_first(&mut desk, "ana");
    desk.send("ana", set_status("meeting")).unwrap();
    wrap_up(&mut desk, "ana", first);
    assert_eq!(desk.view("ana").status.engaged.as_deref(), Some("Engaged (idle)"));
    wrap_up(&mut desk, "ana", second);
    let view = desk.view("ana");
    assert_eq!(view.status.engaged, None);
    assert_eq!(view.status.label, "Meeting");
}

/// SPEC E4: "available after outdial" yes: available when the outdial ends,
/// even if placed while idle; no: the status stays idle.
#[test]
fn the_outdial_policy_decides_the_status_after_the_call() {
    for (policy, expected) in [(true, "available"), (false, "idle")] {
        let mut desk = Desk::with_toml(&format!("available_after_outdial = {policy}\n"));
        desk.sign_in("ana");
        assert_eq!(desk.send("ana", CommandKind::Outdial { number: "call me".into() }), Err("bad_argument".into()));
        desk.send("ana", CommandKind::Outdial { number: "+46 8 555 0100".into() }).unwrap();
        assert!(!desk.view("ana").can_outdial, "voice capacity 1 is used");
        let call = desk.center.agent(&user("ana")).unwrap().interactions[0].id;
        wrap_up(&mut desk, "ana", call);
        assert_eq!(desk.status_of("ana"), expected, "available_after_outdial = {policy}");
    }
}

/// SPEC N1: a repeated command id is applied once and gets the first ack.
#[test]
fn a_repeated_command_id_is_applied_once() {
    let mut desk = Desk::preset(Preset::ContactCenter);
    desk.sign_in("ana");
    let first = desk.raw("ana", Role::Agent, "c-7", set_status("available")).unwrap();
    desk.advance(5_000);
    desk.send("ana", set_status("lunch")).unwrap();
    let events = desk.log.len();
    let again = desk.raw("ana", Role::Agent, "c-7", set_status("available")).unwrap();
    assert_eq!(again, first, "same answer as the first time");
    assert_eq!(desk.log.len(), events, "nothing applied twice");
    assert_eq!(desk.status_of("ana"), "lunch");
    // A refusal changed nothing and is not remembered: the repeat is judged
    // again, so it still takes effect at most once.
    desk.raw("ana", Role::Agent, "c-8", set_status("rona")).unwrap_err();
    let later = desk.raw("ana", Role::Agent, "c-8", set_status("available")).unwrap();
    assert_eq!(desk.status_of("ana"), "available");
    assert_eq!(desk.raw("ana", Role::Agent, "c-8", set_status("lunch")).unwrap(), later, "now remembered");
    assert_eq!(desk.status_of("ana"), "available");
}

/// SPEC N3: others see the agent offline at once; a reconnect within the grace
/// restores the status, timer included.
#[test]
fn a_reconnect_within_the_grace_keeps_the_status() {
    let mut desk = Desk::preset(Preset::ContactCenter);
    desk.ready("ana");
    let since = desk.center.agent(&user("ana")).unwrap().status_since;
    desk.disconnect("ana");
    let state = desk.center.agent(&user("ana")).unwrap();
    assert!(!state.connected, "others see the agent offline at once");
    desk.call(Channel::Voice, "+1 555 0100");
    assert!(desk.center.agent(&user("ana")).unwrap().offers.is_empty(), "no offers to a lost connection");
    desk.advance(59_000);
    desk.connect("ana");
    let state = desk.center.agent(&user("ana")).unwrap();
    assert_eq!((state.status.as_str(), state.status_since), ("available", since));
    assert_eq!(state.offers.len(), 1, "routable again once back");
    desk.assert_converged("ana");
}

/// SPEC N3: after the grace the status follows the profile: the contact-center
/// preset logs the agent out; the presence preset comes back Available.
#[test]
fn after_the_grace_the_status_follows_the_profile() {
    let mut desk = Desk::preset(Preset::ContactCenter);
    desk.sign_in("ana");
    desk.send("ana", set_status("lunch")).unwrap();
    desk.disconnect("ana");
    desk.advance(60_000);
    assert!(!desk.center.agent(&user("ana")).unwrap().logged_in);
    desk.connect("ana");
    assert!(!desk.view("ana").logged_in && desk.view("ana").can_login);

    let mut presence = Desk::preset(Preset::Presence);
    presence.sign_in("ana");
    presence.send("ana", set_status("busy")).unwrap();
    presence.disconnect("ana");
    presence.advance(61_000);
    presence.connect("ana");
    assert_eq!(presence.status_of("ana"), "available");
    assert!(presence.view("ana").logged_in);
}

/// SPEC N6: an invalid transition returns a typed error naming the command and
/// the state, and changes nothing.
#[test]
fn an_invalid_transition_is_refused_and_changes_nothing() {
    let mut desk = Desk::preset(Preset::ContactCenter);
    desk.ready("ana");
    desk.call(Channel::Email, "a@example.com");
    let mail = accept_first(&mut desk, "ana");
    let before = desk.center.agent(&user("ana")).unwrap().clone();
    let events = desk.log.len();
    let refused = desk.raw("ana", Role::Agent, "d1", CommandKind::Done { interaction: mail, code: None }).unwrap_err();
    assert_eq!(refused.code, "invalid_transition");
    assert_eq!(refused.message, "done is not allowed while the interaction is active");
    assert_eq!(desk.raw("ana", Role::Agent, "d2", CommandKind::Login).unwrap_err().code, "already_logged_in");
    let ghost = ringside::model::InteractionId(999);
    assert_eq!(desk.raw("ana", Role::Agent, "d3", CommandKind::End { interaction: ghost }).unwrap_err().code, "unknown_interaction");
    assert_eq!(desk.center.agent(&user("ana")).unwrap(), &before);
    assert_eq!(desk.log.len(), events);
    assert_eq!(desk.send("ana", CommandKind::Logout), Err("interactions_in_progress".into()));
}

/// SPEC N6: malformed frames, unknown kinds and oversize frames get stable
/// codes, and a frame's command id is kept for the nack.
#[test]
fn bad_frames_get_stable_codes() {
    use ringside::protocol::{ClientMessage, MAX_FRAME_BYTES};
    let code = |text: &str| ClientMessage::decode(text).unwrap_err().error.code();
    assert_eq!(code("{not json"), "malformed_frame");
    assert_eq!(code(""), "malformed_frame");
    // Nesting past the parser's 128 levels is refused as unreadable, as
    // docs/protocol.md says; no message is nested a tenth as deep.
    assert_eq!(code(&format!("{{\"command\":{}{}}}", "[".repeat(200), "]".repeat(200))), "malformed_frame");
    let ignored_but_deep = format!(r#"{{"command":{{"id":"c3","kind":"login","extra":{}{}}}}}"#, "[".repeat(200), "]".repeat(200));
    assert!(ClientMessage::decode(&ignored_but_deep).is_ok(), "an unknown field is skipped, however deep");
    assert_eq!(code(r#"{"command": 5 garbage"#), "malformed_frame", "not JSON, though its start is already the wrong type");
    // JSON's grammar allows an unpaired surrogate escape; no text holds one.
    for escape in [r"\ud83d", r"\udc00", r"\ud83dx"] {
        let frame = format!(r#"{{"command":{{"id":"c4","kind":{{"set_status":{{"status":"{escape}"}}}}}}}}"#);
        let refused = ClientMessage::decode(&frame).unwrap_err();
        assert_eq!((refused.error.code(), refused.id.map(|id| id.0)), ("invalid_message", Some("c4".to_owned())), "{frame}");
    }
    assert_eq!(code(r#"{"teleport":{}}"#), "unknown_kind");
    assert_eq!(code(r#"{"command":{"id":"c1","kind":{"fly":{}}}}"#), "unknown_kind");
    assert_eq!(code(r#"{"command":{"id":"c1"}}"#), "invalid_message");
    assert_eq!(code(&" ".repeat(MAX_FRAME_BYTES + 1)), "oversize_frame");
    let refused = ClientMessage::decode(r#"{"command":{"id":"c9","kind":{"accept":{"offer":"x"}}}}"#).unwrap_err();
    assert_eq!(refused.id.map(|id| id.0), Some("c9".to_owned()));
    let ok = ClientMessage::decode(r#"{"command":{"id":"c2","kind":{"set_status":{"status":"available","future":1}},"extra":true}}"#);
    assert!(ok.is_ok(), "unknown fields are ignored: {ok:?}");
}

/// SPEC V3, SPEC C1: end leads to wrap-up, the wrap-up code is required when the
/// profile says so and must be in its list; done closes the interaction.
#[test]
fn wrap_up_needs_a_listed_code_when_the_profile_requires_one() {
    let mut desk = Desk::with_toml("[wrap_up]\nrequired = true\ncodes = [{ id = \"sale\", label = \"Sale\" }]\n");
    desk.ready("ana");
    desk.call(Channel::Email, "a@example.com");
    let mail = accept_first(&mut desk, "ana");
    desk.advance(42_000);
    desk.send("ana", CommandKind::End { interaction: mail }).unwrap();
    let card = &desk.view("ana").interactions[0];
    assert_eq!(card.state.name(), "wrap_up");
    assert_eq!(card.wrap_up.as_deref(), Some("00:00"));
    assert_eq!(desk.send("ana", CommandKind::Done { interaction: mail, code: None }), Err("wrap_up_code_required".into()));
    let wrong = CommandKind::Done { interaction: mail, code: Some(WrapUpCode::from("nope")) };
    assert_eq!(desk.send("ana", wrong), Err("unknown_wrap_up_code".into()));
    desk.advance(8_000);
    desk.send("ana", CommandKind::Done { interaction: mail, code: Some(WrapUpCode::from("sale")) }).unwrap();
    let done = desk.log.iter().rev().find_map(|e| match &e.kind {
        EventKind::InteractionDone { code, handling_ms, .. } => Some((code.clone(), *handling_ms)),
        _ => None,
    });
    assert_eq!(done, Some((Some(WrapUpCode::from("sale")), 50_000)));
    assert!(desk.view("ana").interactions.is_empty());
}

/// The customer leaving: a waiting contact is abandoned, an offered one is
/// withdrawn, a connected one puts the interaction into wrap-up.
#[test]
fn the_customer_can_leave_at_any_point() {
    let mut desk = Desk::preset(Preset::ContactCenter);
    let waiting = desk.call(Channel::Voice, "+1 555 0100");
    desk.center.customer_hang_up(desk.now, waiting).unwrap();
    assert!(desk.center.waiting(&support()).is_empty());
    desk.ready("ana");
    let offered = desk.call(Channel::Voice, "+1 555 0101");
    desk.center.customer_hang_up(desk.now, offered).unwrap();
    desk.pump();
    assert!(desk.view("ana").offers.is_empty());
    assert!(desk.log.iter().any(|e| matches!(e.kind, EventKind::OfferEnded { outcome: OfferOutcome::Withdrawn, .. })));
    let connected = desk.call(Channel::Voice, "+1 555 0102");
    let call = accept_first(&mut desk, "ana");
    desk.center.customer_hang_up(desk.now, connected).unwrap();
    desk.pump();
    assert!(matches!(desk.log.last().unwrap().kind, EventKind::InteractionWrapUp { by: EndedBy::Customer, .. }));
    assert_eq!(desk.center.contact_place(connected), None);
    assert_eq!(desk.center.customer_hang_up(desk.now, ContactId(12345)).unwrap_err().code(), "unknown_contact");
    desk.send("ana", CommandKind::Done { interaction: call, code: None }).unwrap();
    desk.center.check_consistency().unwrap();
}

/// Declining puts the contact back in its place and routing passes over the
/// agent who declined it.
#[test]
fn a_declined_contact_goes_to_another_agent() {
    let mut desk = Desk::preset(Preset::ContactCenter);
    desk.ready("ana");
    let contact = desk.call(Channel::Voice, "+1 555 0100");
    let offer = first_offer(&desk, "ana");
    desk.send("ana", CommandKind::Decline { offer }).unwrap();
    assert_eq!(desk.status_of("ana"), "available", "declining is not rona");
    assert_eq!(desk.center.waiting(&support()), [contact]);
    desk.ready("ben");
    assert_eq!(desk.center.agent(&user("ben")).unwrap().offers[0].contact, contact);
}

/// SPEC N8: a center holds at most MAX_LIVE_CONTACTS live contacts; one
/// more is refused until one leaves.
#[test]
fn a_center_holds_a_bounded_number_of_live_contacts() {
    use ringside::protocol::limits::MAX_LIVE_CONTACTS;
    let mut desk = Desk::preset(Preset::ContactCenter);
    let mut first = None;
    for _ in 0..MAX_LIVE_CONTACTS {
        let contact = desk.center.enqueue_contact(desk.now, &support(), Channel::Email, "a@example.com").unwrap();
        first.get_or_insert(contact);
    }
    let refused = desk.center.enqueue_contact(desk.now, &support(), Channel::Email, "a@example.com").map_err(|e| e.code());
    assert_eq!(refused, Err("bad_argument"));
    desk.center.customer_hang_up(desk.now, first.unwrap()).unwrap();
    desk.center.enqueue_contact(desk.now, &support(), Channel::Email, "a@example.com").expect("room again");
}

/// SPEC O7: a contact declined by the only agent who could take it is not
/// stuck: the decliner is passed over for an offer's time after declining,
/// then offered it again.
#[test]
fn a_declined_contact_comes_back_to_its_decliner_after_an_offers_time() {
    let mut desk = Desk::preset(Preset::ContactCenter);
    desk.ready("ana");
    let contact = desk.call(Channel::Email, "ada@example.com");
    let offer = first_offer(&desk, "ana");
    desk.send("ana", CommandKind::Decline { offer }).unwrap();
    let lapse = desk.center.profile().channel(Channel::Email).offer_timeout_ms;
    desk.advance(lapse - 1);
    assert!(desk.center.agent(&user("ana")).unwrap().offers.is_empty(), "passed over for now");
    desk.advance(1);
    assert_eq!(desk.center.agent(&user("ana")).unwrap().offers.first().map(|o| o.contact), Some(contact), "offered again");
    desk.center.check_consistency().unwrap();
}

/// Routing offers the longest-available agent first.
#[test]
fn the_longest_available_agent_is_offered_first() {
    let mut desk = Desk::preset(Preset::ContactCenter);
    desk.ready("ben");
    desk.advance(1_000);
    desk.ready("ana");
    desk.call(Channel::Voice, "+1 555 0100");
    assert_eq!(desk.center.agent(&user("ben")).unwrap().offers.len(), 1);
    assert!(desk.center.agent(&user("ana")).unwrap().offers.is_empty());
}

/// SPEC N2: a replica drops a repeated event and asks for a snapshot on a gap
/// rather than show a state the server does not hold.
#[test]
fn a_replica_drops_repeats_and_resyncs_on_a_gap() {
    use ringside::protocol::{ClientMessage, ServerMessage};
    let mut desk = Desk::preset(Preset::ContactCenter);
    desk.sign_in("ana");
    let last = desk.log.last().unwrap().clone();
    let now = ringside::model::Millis(desk.now.0);
    let replica = desk.replicas.get_mut(&user("ana")).unwrap();
    let before = replica.state().unwrap().clone();
    replica.handle_message(now, ServerMessage::Event(last.clone())).unwrap();
    assert_eq!(replica.state().unwrap(), &before, "a repeat changes nothing");
    let mut future = last.clone();
    future.seq = ringside::model::Seq(last.seq.0 + 2);
    future.kind = EventKind::StatusChanged { status: StatusId::from("lunch"), since: desk.now, secondary: None, idle_run_since: None, rona_cause: None };
    replica.handle_message(now, ServerMessage::Event(future)).unwrap();
    assert_eq!(replica.state().unwrap(), &before, "nothing applied past a gap");
    assert_eq!(sent(replica), Some(ClientMessage::Resync));
}

/// Profiles load from TOML or JSON as a preset plus overrides and are
/// validated with clear errors.
#[test]
fn profiles_are_validated_with_clear_errors() {
    use ringside::model::Profile;
    let json = Profile::from_json(r#"{"preset":"presence","channels":{"chat":{"capacity":5}}}"#).unwrap();
    assert_eq!(json.channel(Channel::Chat).capacity, 5);
    assert_eq!(json.login_status.as_str(), "available");
    let code = |toml: &str| Profile::from_toml(toml).unwrap_err().code();
    assert_eq!(code("login_status = \"holiday\""), "unknown_status");
    assert_eq!(code("default_idle_status = \"available\""), "missing_default_idle_reason");
    assert_eq!(code("[channels.chat]\ncapacity = 0"), "zero_capacity");
    assert_eq!(code("[channels.voice]\noffer_timeout_ms = 0"), "zero_offer_timeout");
    assert_eq!(code("rona_status = \"idle\""), "rona_not_system_only");
    assert_eq!(code("colour_of_sky = \"blue\""), "profile_parse");
    assert_eq!(code("[wrap_up]\nrequired = true"), "bad_wrap_up_codes");
    let message = Profile::from_toml("login_status = \"holiday\"").unwrap_err().to_string();
    assert_eq!(message, "unknown_status: login_status names status `holiday`, which is not in the catalogue");
}

/// SPEC N1, SPEC N2: a command whose ack was lost with the connection is sent
/// again, under its own id, after the next welcome, and applied once.
#[test]
fn a_command_whose_ack_was_lost_is_resent_and_applied_once() {
    use ringside::model::{Actor, Millis};
    use ringside::protocol::{ClientMessage, ServerMessage, Snapshot, PROTOCOL_VERSION};
    let mut desk = Desk::preset(Preset::ContactCenter);
    desk.sign_in("ana");
    let ana = user("ana");
    let now = Millis(desk.now.0);
    let replica = desk.replicas.get_mut(&ana).unwrap();
    let id = replica.command(now, set_status("available")).unwrap();
    let Some(ClientMessage::Command { id: first, kind }) = sent(replica) else { panic!("a command frame") };
    let actor = Actor { user: ana.clone(), role: Role::Agent };
    // The server applies it, then the connection drops before the ack arrives.
    desk.center.command(desk.now, &actor, first.clone(), kind).unwrap();
    desk.pump();
    let applied = desk.log.len();
    let welcome = ServerMessage::Welcome {
        protocol: PROTOCOL_VERSION,
        user: ana.clone(),
        role: Role::Agent,
        server_time: desk.now,
        profile: Box::new(desk.center.profile().clone()),
        snapshot: Some(Snapshot { seq: desk.center.last_seq(&ana), state: desk.center.snapshot(&ana, desk.now) }),
    };
    let replica = desk.replicas.get_mut(&ana).unwrap();
    replica.handle_message(now, welcome).unwrap();
    let Some(ClientMessage::Command { id: again, kind }) = sent(replica) else { panic!("the command is sent again") };
    assert_eq!((&again, &first), (&id, &id));
    let reply = desk.center.command(desk.now, &actor, again, kind);
    assert!(reply.is_ok(), "the repeat gets the first answer: {reply:?}");
    desk.pump();
    assert_eq!(desk.log.len(), applied, "applied once");
    assert_eq!(desk.status_of("ana"), "available");
}

/// SPEC P5, SPEC P6, SPEC E2: a campaign record is handed only to an agent
/// with room for it on voice. Here the caller blind-transfers the campaign
/// call to ben, then tries to hand ben the record too while ben is on that
/// call: refused, as ben's voice channel is full (the record counts on it
/// until it has a call of its own). Once ben is free, the hand-over works.
#[test]
fn a_campaign_record_goes_only_to_an_agent_with_room_on_voice() {
    use ringside::model::call::Target;
    use ringside::model::campaign::{DialOutcome, PreviewOrigin, RecordStatus};
    use ringside::model::RecordId;
    let mut desk = Desk::preset(Preset::ContactCenter);
    let campaign = serde_json::from_str(r#"{"id": "renewals", "name": "Renewals", "agents": ["ana", "ben"], "running": true}"#).unwrap();
    desk.center.save_campaign(desk.now, campaign).unwrap();
    desk.ready("ana");
    desk.ready("ben");
    desk.send("ana", CommandKind::PreviewMedia { media: vec![Channel::Voice] }).unwrap();
    let record = serde_json::from_str(r#"{"id": 1, "campaign": "renewals", "name": "Ada", "chain": ["+46 8 555 0101"], "status": "ready"}"#).unwrap();
    desk.center.push_preview(desk.now, &user("ana"), record, PreviewOrigin::Campaign).unwrap();
    desk.pump();
    let record = RecordId(1);
    desk.send("ana", CommandKind::AcceptPreview { record }).unwrap();
    desk.send("ana", CommandKind::Dial { record, number: None }).unwrap();
    desk.center.dial_answers(desk.now, record, DialOutcome::Answered).unwrap();
    desk.pump();
    let call = desk.center.agent(&user("ana")).unwrap().interactions[0].id;
    desk.send("ana", CommandKind::Transfer { interaction: call, target: Target::Agent(user("ben")) }).unwrap();
    accept_offer(&mut desk, "ben");
    let record_at = |desk: &Desk, name: &str| desk.center.agent(&user(name)).unwrap().outbound_work(record).map(|w| w.record.status);
    assert_eq!(record_at(&desk, "ana"), Some(RecordStatus::AfterCall));
    let hand_over = CommandKind::TransferRecord { record, agent: user("ben") };
    assert_eq!(desk.send("ana", hand_over.clone()), Err("target_unavailable".into()), "ben's voice channel is full");
    desk.center.check_consistency().unwrap();
    assert_eq!(record_at(&desk, "ana"), Some(RecordStatus::AfterCall), "the record stays with ana");
    let ben_call = desk.center.agent(&user("ben")).unwrap().interactions[0].id;
    wrap_up(&mut desk, "ben", ben_call);
    let ack = desk.raw("ana", Role::Agent, "hand-over", hand_over).unwrap();
    assert_eq!(ack, desk.log.iter().filter(|e| e.agent == user("ana")).map(|e| e.seq).max().unwrap(), "the ack numbers the sender's stream (N1)");
    desk.center.check_consistency().unwrap();
    assert_eq!(record_at(&desk, "ben"), Some(RecordStatus::AfterCall));
    assert_eq!(record_at(&desk, "ana"), None);
    desk.assert_converged("ana");
    desk.assert_converged("ben");
}
