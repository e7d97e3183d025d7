//! The render-ready view: labels, colours, timer texts, flashing flags and the
//! enabled actions, all functions of the state and `now` (SPEC T7).

use crate::model::action::Action;
use crate::model::campaign::{CallingRecord, CampaignBrief, DialOutcome, OutboundWork, PreviewOrigin, RecordAction};
use crate::model::call::{CallState, Note, Party};
use crate::model::monitoring::{MonitorAction, MonitorMode, Monitoring, MonitoringState};
use crate::model::presence::status_display;
use crate::model::profile::{Profile, SecondaryDef, StatusCategory, WrapUpCodeDef};
use crate::model::rules::{Judge, OwnStateOnly};
use crate::model::state::{InteractionInfo, InteractionState, JoinRequest, Origin};
use crate::model::{
    AgentState, Channel, ContactId, InteractionId, OfferId, ParticipantId, QueueId, RonaCause, Role, SecondaryId, ServerTime,
    StatusId,
};
use crate::codec::Encode;
use serde::Serialize;
use crate::text::text;
use alloc::{borrow::Cow, string::String, vec::Vec};

// The view borrows its texts and lists from the profile and the state it
// is derived from: deriving it after every event allocates only what is
// new (timers, cards), never a copy of the catalogue.
/// Everything a desk renders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default, Encode)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct View<'a> {
    /// Whether the engine holds the server's state.
    pub ready: bool,
    /// Whether the agent is logged in.
    pub logged_in: bool,
    /// The status field.
    pub status: StatusView<'a>,
    /// Statuses the agent may choose (S8: never system-only ones).
    pub choices: Vec<StatusChoice<'a>>,
    /// Open offers, oldest first.
    pub offers: Vec<OfferView<'a>>,
    /// Open interactions, oldest first.
    pub interactions: Vec<InteractionView<'a>>,
    /// Wrap-up codes to choose from (V3).
    pub wrap_up_codes: &'a [WrapUpCodeDef],
    /// Whether done needs a wrap-up code (V3).
    pub wrap_up_required: bool,
    /// Whether login is enabled.
    pub can_login: bool,
    /// Whether logout is enabled.
    pub can_logout: bool,
    /// Whether an outdial may be placed (E2 capacity, E4).
    pub can_outdial: bool,
    /// Whether this user may log agents out (S9: supervisors).
    pub can_logout_agents: bool,
    /// The rona choice, while in rona (O5).
    pub rona: Option<RonaChoice<'a>>,
    /// The campaign indicator flashes: a preview waits for accept or
    /// reject (P2).
    pub campaign_flashing: bool,
    /// Campaign records at this agent (P2-P8).
    pub outbound: Vec<OutboundView<'a>>,
    /// The media types chosen for push preview (P1).
    pub preview_media: &'a [Channel],
    /// Whether previews are stopped until "get record" (W1).
    pub preview_paused: bool,
    /// Whether "get record" is enabled (W1).
    pub can_get_record: bool,
    /// Whether this user has a supervisor's rights (supervisors and
    /// admins): the roster shows secondary statuses, interactions and queue
    /// figures, and offers the monitoring actions (S6, S9, M1).
    pub supervisor: bool,
    /// Supervisors: the calls being monitored, oldest first (M1-M3).
    pub monitoring: Vec<MonitoringView<'a>>,
    /// Milliseconds without input before an available user goes away
    /// automatically; 0 when auto-away is off (S11). The package watches the
    /// page's input when it is set.
    pub auto_away_ms: u64,
}

/// A call a supervisor monitors (M1-M3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Encode)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct MonitoringView<'a> {
    /// The interaction.
    pub interaction: InteractionId,
    /// The agents it goes through.
    pub agents: &'a [crate::model::UserId],
    /// The call's channel.
    pub channel: Channel,
    /// Who the customer is.
    pub from: &'a str,
    /// Silent or barged in.
    pub mode: MonitorMode,
    /// The M1 state: `monitoring` or `monitoring_paused`.
    pub state: MonitoringState,
    /// Time since it started.
    pub timer: String,
    /// The monitoring actions enabled now.
    pub actions: MonitoringActions,
}

/// What a supervisor may do to a monitoring now, from the shared rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Encode)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct MonitoringActions {
    /// Pause a silent monitoring (M1).
    pub pause: bool,
    /// Resume a paused one (M1).
    pub resume: bool,
    /// Join the call and talk (M1).
    pub barge_in: bool,
    /// Stop and leave the call.
    pub stop: bool,
}

/// A campaign record card: the preview, then the record being worked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Encode)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct OutboundView<'a> {
    /// The record: contact data, chained numbers with the active one,
    /// status (the phase), attempts, call result, callback.
    pub record: &'a CallingRecord,
    /// Its campaign.
    pub campaign: &'a CampaignBrief,
    /// Why it came: `campaign`, `callback` or `personal_callback` (W5).
    pub origin: PreviewOrigin,
    /// Whether the preview flashes (P2).
    pub flashing: bool,
    /// While previewing: time left to accept, rounded up to the second (P3).
    pub remaining: Option<String>,
    /// For a callback: time left before it goes stale (P8).
    pub stale_in: Option<String>,
    /// The call, once connected.
    pub interaction: Option<crate::model::InteractionId>,
    /// The number dialled last.
    pub dialled: Option<&'a str>,
    /// What the last dial did.
    pub dial_outcome: Option<DialOutcome>,
    /// Marked do-not-call (P6).
    pub do_not_call: bool,
    /// Exactly the record actions allowed now.
    pub actions: RecordActions,
}

/// The record actions enabled now, from the phase table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Encode)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct RecordActions {
    /// Accept the preview (P3).
    pub accept: bool,
    /// Reject the preview (P3, W7).
    pub reject: bool,
    /// Connect: dial the active or an edited number (P4, P6).
    pub dial: bool,
    /// Back to the list (P4).
    pub cancel: bool,
    /// Hand the record to another agent (P4, P6).
    pub transfer: bool,
    /// Edit the campaign data (P4, P5).
    pub edit: bool,
    /// Add a chained record (P4-P6).
    pub add_chained: bool,
    /// Make another chained record active (P4, P6).
    pub set_active: bool,
    /// Save the record now (P4, P5).
    pub update: bool,
    /// Set a callback (W2).
    pub reschedule: bool,
    /// Cancel the callback (W3).
    pub cancel_reschedule: bool,
    /// Choose the call result (P6).
    pub call_result: bool,
    /// Mark do-not-call (P6).
    pub do_not_call: bool,
    /// Mark done, or done and stop (P7, W1).
    pub done: bool,
}

/// The status field (S1, E1, T1-T4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Encode)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct StatusView<'a> {
    /// The status id.
    pub id: &'a StatusId,
    /// Its label; "Out of Office (offline)" for a status kept through logout (S3).
    pub label: Cow<'a, str>,
    /// Its colour.
    pub colour: &'a str,
    /// Its category.
    pub category: Option<StatusCategory>,
    /// The secondary status (S6).
    pub secondary: Option<&'a SecondaryId>,
    /// "Engaged", "Engaged (idle)", "Engaged, RONA"... while work is open (E1).
    pub engaged: Option<Cow<'a, str>>,
    /// The state timer, `mm:ss` or `current/total` for idle to idle; none
    /// while engaged (T1, T2, T3).
    pub timer: Option<String>,
}

/// No status: what the view shows before the engine holds the state.
static NO_STATUS: StatusId = StatusId(String::new());

impl Default for StatusView<'_> {
    fn default() -> Self {
        StatusView { id: &NO_STATUS, label: Cow::Borrowed(""), colour: "", category: None, secondary: None, engaged: None, timer: None }
    }
}

/// A status in the selector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Encode)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct StatusChoice<'a> {
    /// The status id.
    pub id: &'a StatusId,
    /// Its label.
    pub label: &'a str,
    /// Its colour.
    pub colour: &'a str,
    /// Whether it is the current status.
    pub selected: bool,
    /// The secondary statuses it offers (S6), in the profile's order.
    pub secondary: &'a [SecondaryDef],
    /// Whether choosing it needs one of them (S6).
    pub secondary_required: bool,
}

/// The two ways out of rona (O5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Encode)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct RonaChoice<'a> {
    /// Why the agent is in rona.
    pub cause: Option<RonaCause>,
    /// "Go idle": the default idle reason.
    pub go_idle: &'a StatusId,
    /// "Go available".
    pub go_available: &'a StatusId,
}

/// An offer card (O1, O2, O7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Encode)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct OfferView<'a> {
    /// The offer.
    pub id: OfferId,
    /// The contact.
    pub contact: ContactId,
    /// Its channel.
    pub channel: Channel,
    /// Its queue, if routed.
    pub queue: Option<&'a QueueId>,
    /// Who the customer is.
    pub from: &'a str,
    /// Set when this is a request to join a running interaction (consult or
    /// conference) rather than a new customer.
    pub join: Option<&'a JoinRequest>,
    /// Milliseconds left before the deadline.
    pub remaining_ms: u64,
    /// Time left as text, rounded up to the second.
    pub remaining: String,
    /// Whether the accept action flashes now (O2).
    pub flashing: bool,
    /// Whether accept is enabled.
    pub can_accept: bool,
    /// Whether decline is enabled.
    pub can_decline: bool,
}

/// An interaction card (T3, V1-V8, F1-F8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Encode)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct InteractionView<'a> {
    /// The interaction.
    pub id: InteractionId,
    /// Its channel.
    pub channel: Channel,
    /// How it came about.
    pub origin: Origin,
    /// Who the customer is.
    pub from: &'a str,
    /// This agent's part: on the call or in wrap-up.
    pub state: InteractionState,
    /// The conversation's state (V1, C2, F7).
    pub call_state: CallState,
    /// Time since this agent joined (T3).
    pub connected: String,
    /// Time the customer has been on hold, while held (T3).
    pub held: Option<String>,
    /// Time in the answered consult, while consulting (T3).
    pub consulting: Option<String>,
    /// Time the consulted party has been on hold, in consult on hold (V1, T3).
    pub consult_held: Option<String>,
    /// Time in wrap-up, while in wrap-up.
    pub wrap_up: Option<String>,
    /// Whether this agent is in control of the call (F3).
    pub in_control: bool,
    /// Whether this agent applies the wrap-up code (F5).
    pub owner: bool,
    /// Whether done waits for a wrap-up code from this agent (V3, F5).
    pub done_needs_code: bool,
    /// Whether the call is being recorded (V7).
    pub recording: bool,
    /// Who is on it, in joining order.
    pub participants: Vec<ParticipantView<'a>>,
    /// Case history: DTMF digits, recording, transfers (V5).
    pub history: &'a [Note],
    /// Whether a supervisor monitors it; only where the profile shows
    /// monitoring to agents (M1).
    pub monitored: bool,
    /// The actions this agent may take now.
    pub actions: InteractionActions,
}

/// One party on an interaction card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Encode)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ParticipantView<'a> {
    /// The participant.
    pub id: ParticipantId,
    /// Who it is.
    pub party: &'a Party,
    /// Whether it is this agent.
    pub me: bool,
    /// Whether it is on hold.
    pub held: bool,
    /// Whether it has call controls: agents do, dialled numbers do not (F6).
    pub controls: bool,
    /// Whether it is a conferenced party, whose hold is its talk
    /// permission: on hold until the agent in control allows it (F3).
    pub conferenced: bool,
    /// Whether this agent may put it on hold, or keep it from talking (F3, V1).
    pub can_hold: bool,
    /// Whether this agent may take it off hold, or allow it to talk (F3, V1).
    pub can_resume: bool,
}

/// What an agent may do on an interaction; each flag is the shared rules'
/// answer, so the desk never offers what the server would refuse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default, Encode)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct InteractionActions {
    /// End the call for everyone (V3, F8).
    pub end: bool,
    /// Mark done; with a code when `done_needs_code` says so (V3, F5).
    pub done: bool,
    /// Put the customer on hold (V2).
    pub hold: bool,
    /// Take the customer off hold (V2).
    pub resume: bool,
    /// Ask for a consult (V6).
    pub consult: bool,
    /// Bring someone straight in (V4, C2).
    pub conference: bool,
    /// Blind transfer (V4); not during a conference (F4).
    pub transfer: bool,
    /// End the consult, asked or answered (V6).
    pub end_consult: bool,
    /// Hand the customer to the consulted party (V6).
    pub complete_transfer: bool,
    /// Turn the consult into a conference (F2).
    pub start_conference: bool,
    /// Leave a call that goes on: "exit conference" for the primary (F4, F5).
    pub leave: bool,
    /// Send DTMF digits (V5).
    pub dtmf: bool,
    /// Start recording (V7).
    pub record: bool,
    /// Channels a follow-up interaction may start on (V8).
    pub follow_up: Vec<Channel>,
}

/// `mm:ss`, or `h:mm:ss` from one hour (T6).
pub fn format_duration(ms: u64) -> String {
    let mut text = String::with_capacity(8);
    push_duration(&mut text, ms);
    text
}

/// Appends [`format_duration`]'s text: written digit by digit, because the
/// view formats several timers after every event and the formatting
/// machinery was a fifth of its cost.
fn push_duration(out: &mut String, ms: u64) {
    let secs = ms / 1000;
    let (hours, minutes, seconds) = (secs / 3600, secs % 3600 / 60, secs % 60);
    if hours > 0 {
        // The codec's number writer: plain decimal digits.
        hours.encode(out);
        out.push(':');
    }
    for (i, part) in [minutes, seconds].into_iter().enumerate() {
        if i > 0 {
            out.push(':');
        }
        out.push(char::from(b'0' + (part / 10) as u8));
        out.push(char::from(b'0' + (part % 10) as u8));
    }
}

pub(super) fn derive<'a>(profile: &'a Profile, role: Role, state: &'a AgentState, now: ServerTime) -> View<'a> {
    let judge = Judge { profile, role, state, now, world: &OwnStateOnly };
    let allowed = |action: Action| judge.available(action).is_ok();
    // SPEC S3: "Out of office (offline)" in the offline colour.
    let (label, colour) = status_display(profile, state);
    let engaged = state.engaged().then(|| engaged_label(profile, state));
    let timer = (state.logged_in && !state.engaged()).then(|| status_timer(state, now));
    let choices = if state.logged_in {
        // Sized up front: one allocation, where collecting a filter would
        // grow the list (and copy it) every few statuses.
        let mut choices = Vec::with_capacity(profile.statuses.len());
        for s in profile.statuses.iter().filter(|s| !s.system_only) {
            choices.push(StatusChoice {
                id: &s.id,
                label: &s.label,
                colour: &s.colour,
                selected: s.id == state.status,
                secondary: &s.secondary,
                secondary_required: s.secondary_required,
            });
        }
        choices
    } else {
        Vec::new()
    };
    let offers = each(&state.offers, |o| {
        // The estimate of server time may lag it by a round trip: never
        // more left than the whole timeout (a new 18 s offer shows 00:18).
        let remaining_ms = o.deadline.since(now).min(o.deadline.since(o.offered_at));
        OfferView {
            id: o.id,
            contact: o.contact,
            channel: o.channel,
            queue: o.queue.as_ref(),
            from: &o.from,
            join: o.join.as_ref(),
            remaining_ms,
            remaining: format_duration(remaining_ms.div_ceil(1000) * 1000),
            flashing: o.flash_at().is_some_and(|at| now >= at) && now < o.deadline,
            can_accept: allowed(Action::Accept(o.id)),
            can_decline: allowed(Action::Decline(o.id)),
        }
    });
    let interactions = each(&state.interactions, |i| interaction_view(profile, state, i, now, &allowed));
    let outbound = each(&state.outbound, |w| outbound_view(w, now, &allowed));
    let rona = (state.logged_in && state.status == profile.rona_status).then_some(RonaChoice {
        cause: state.rona_cause,
        go_idle: &profile.default_idle_status,
        go_available: &profile.available_status,
    });
    View {
        ready: true,
        logged_in: state.logged_in,
        status: StatusView {
            id: &state.status,
            label,
            colour,
            category: profile.status(&state.status).map(|d| d.category),
            secondary: state.secondary.as_ref(),
            engaged,
            timer,
        },
        choices,
        offers,
        interactions,
        wrap_up_codes: &profile.wrap_up.codes,
        wrap_up_required: profile.wrap_up.required,
        can_login: allowed(Action::Login),
        can_logout: allowed(Action::Logout),
        can_outdial: allowed(Action::Outdial),
        can_logout_agents: allowed(Action::LogoutAgent),
        rona,
        campaign_flashing: outbound.iter().any(|o| o.flashing),
        outbound,
        preview_media: &state.preview_media,
        preview_paused: state.preview_paused,
        can_get_record: allowed(Action::GetRecord),
        supervisor: role.supervises(),
        monitoring: each(&state.monitoring, |m| monitoring_view(m, now, &allowed)),
        auto_away_ms: profile.auto_away_ms,
    }
}

fn monitoring_view<'a>(m: &'a Monitoring, now: ServerTime, allowed: &dyn Fn(Action) -> bool) -> MonitoringView<'a> {
    let can = |action: MonitorAction| allowed(Action::Monitor(m.interaction, action));
    MonitoringView {
        interaction: m.interaction,
        agents: &m.agents,
        channel: m.channel,
        from: &m.from,
        mode: m.mode,
        state: m.state(),
        timer: format_duration(now.since(m.since)),
        actions: MonitoringActions {
            pause: can(MonitorAction::Pause),
            resume: can(MonitorAction::Resume),
            barge_in: can(MonitorAction::BargeIn),
            stop: can(MonitorAction::Stop),
        },
    }
}

fn outbound_view<'a>(work: &'a OutboundWork, now: ServerTime, allowed: &dyn Fn(Action) -> bool) -> OutboundView<'a> {
    let id = work.record.id;
    let can = |action: RecordAction| allowed(Action::Outbound(id, action));
    let left = |at: ServerTime| format_duration(at.since(now).div_ceil(1000) * 1000);
    OutboundView {
        record: &work.record,
        campaign: &work.campaign,
        origin: work.origin,
        flashing: work.flashing() && work.deadline.is_some_and(|at| now < at),
        remaining: work.deadline.map(left),
        stale_in: work.stale_at.map(left),
        interaction: work.interaction,
        dialled: work.dialled.as_deref(),
        dial_outcome: work.dial_outcome,
        do_not_call: work.do_not_call,
        actions: RecordActions {
            accept: can(RecordAction::Accept),
            reject: can(RecordAction::Reject),
            dial: can(RecordAction::Dial),
            cancel: can(RecordAction::Cancel),
            transfer: can(RecordAction::Transfer),
            edit: can(RecordAction::Edit),
            add_chained: can(RecordAction::AddChained),
            set_active: can(RecordAction::SetActive),
            update: can(RecordAction::Update),
            reschedule: can(RecordAction::Reschedule),
            cancel_reschedule: can(RecordAction::CancelReschedule),
            call_result: can(RecordAction::CallResult),
            do_not_call: can(RecordAction::DoNotCall),
            done: can(RecordAction::Done),
        },
    }
}

fn interaction_view<'a>(
    profile: &Profile,
    state: &AgentState,
    i: &'a InteractionInfo,
    now: ServerTime,
    allowed: &dyn Fn(Action) -> bool,
) -> InteractionView<'a> {
    let id = i.id;
    let call = &i.call;
    let owner = call.owner == state.agent;
    let consulted = call.consult.as_ref().map(|c| c.party);
    let participants = each(&call.participants, |p| {
        let me = p.agent() == Some(&state.agent);
        ParticipantView {
            id: p.id,
            party: &p.party,
            me,
            held: p.held_since.is_some(),
            controls: p.agent().is_some(),
            conferenced: p.party != Party::Customer && Some(p.id) != consulted && p.agent() != call.primary.as_ref(),
            can_hold: allowed(Action::Hold(id, Some(p.id))),
            can_resume: allowed(Action::Resume(id, Some(p.id))),
        }
    });
    let on_call = i.state == InteractionState::Active;
    let timer = |since: ServerTime| format_duration(now.since(since));
    InteractionView {
        id,
        channel: i.channel,
        origin: i.origin,
        from: &i.from,
        state: i.state,
        call_state: call.state(),
        connected: timer(i.started_at),
        held: call.customer().and_then(|c| c.held_since).filter(|_| on_call).map(timer),
        consulting: call.consult.as_ref().filter(|_| on_call).map(|c| timer(c.since)),
        consult_held: call.consulted().and_then(|p| p.held_since).filter(|_| on_call).map(timer),
        wrap_up: (i.state == InteractionState::WrapUp).then(|| timer(i.state_since)),
        in_control: on_call && call.controls(&state.agent),
        owner,
        done_needs_code: owner && profile.wrap_up.required,
        recording: call.recording,
        participants,
        history: &call.history,
        monitored: i.monitored,
        actions: InteractionActions {
            end: allowed(Action::End(id)),
            done: allowed(Action::Done(id)),
            hold: allowed(Action::Hold(id, None)),
            resume: allowed(Action::Resume(id, None)),
            consult: allowed(Action::Consult(id)),
            conference: allowed(Action::Conference(id)),
            transfer: allowed(Action::Transfer(id)),
            end_consult: allowed(Action::EndConsult(id)),
            complete_transfer: allowed(Action::CompleteTransfer(id)),
            start_conference: allowed(Action::StartConference(id)),
            leave: allowed(Action::Leave(id)),
            dtmf: allowed(Action::Dtmf(id)),
            record: allowed(Action::Record(id)),
            follow_up: {
                let mut channels = Vec::new();
                for channel in Channel::ALL {
                    if allowed(Action::FollowUp(id, channel)) {
                        channels.push(channel);
                    }
                }
                channels
            },
        },
    }
}

/// SPEC E1, O3: the overlay while work is open; the status stays underneath.
fn engaged_label(profile: &Profile, state: &AgentState) -> Cow<'static, str> {
    let def = profile.status(&state.status);
    if state.status == profile.rona_status {
        Cow::Borrowed("Engaged, RONA")
    } else if def.is_some_and(|d| d.routable) {
        Cow::Borrowed("Engaged")
    } else if def.is_some_and(|d| d.category == StatusCategory::Idle) {
        Cow::Borrowed("Engaged (idle)")
    } else {
        Cow::Owned(text!("Engaged (", def.map_or(state.status.as_str(), |d| d.label.as_str()), ")"))
    }
}

/// SPEC T1, T2, T4: time in the status, and `current/total` after idle to idle.
fn status_timer(state: &AgentState, now: ServerTime) -> String {
    let mut timer = format_duration(now.since(state.status_since));
    if let Some(run) = state.idle_run_since.filter(|run| *run < state.status_since) {
        timer.push('/');
        push_duration(&mut timer, now.since(run));
    }
    timer
}

/// When a timer counting from `since` next shows another second.
pub(super) fn next_second(since: ServerTime, now: ServerTime) -> ServerTime {
    if now < since {
        since
    } else {
        since.plus((now.since(since) / 1000 + 1) * 1000)
    }
}

/// The next instant any text or flag of the view changes.
pub(super) fn next_change(state: &AgentState, now: ServerTime) -> Option<ServerTime> {
    let next_second = |since: ServerTime| next_second(since, now);
    let mut earliest = Earliest::default();
    if state.logged_in && !state.engaged() {
        earliest.note(Some(next_second(state.status_since)));
        earliest.note(state.idle_run_since.map(next_second));
    }
    for monitoring in &state.monitoring {
        earliest.note(Some(next_second(monitoring.since)));
    }
    for interaction in &state.interactions {
        earliest.note(Some(next_second(interaction.started_at)));
        if interaction.state == InteractionState::WrapUp {
            earliest.note(Some(next_second(interaction.state_since)));
        } else {
            let call = &interaction.call;
            earliest.note(call.customer().and_then(|c| c.held_since).map(next_second));
            earliest.note(call.consult.as_ref().map(|c| next_second(c.since)));
            earliest.note(call.consulted().and_then(|p| p.held_since).map(next_second));
        }
    }
    let countdown = |deadline: ServerTime| {
        let to_next_second = match deadline.since(now) % 1000 {
            0 => 1000,
            part => part,
        };
        now.plus(to_next_second)
    };
    let ahead = |at: Option<ServerTime>| at.filter(|at| now < *at);
    for offer in &state.offers {
        earliest.note(ahead(Some(offer.deadline)).map(countdown));
        earliest.note(ahead(offer.flash_at()).filter(|_| now < offer.deadline));
    }
    for work in &state.outbound {
        earliest.note(ahead(work.deadline).map(countdown));
        earliest.note(ahead(work.stale_at).map(countdown));
        // A callback time passing makes mark done refused (W4).
        earliest.note(ahead(work.record.schedule.as_ref().map(|s| s.at)));
    }
    earliest.0
}

/// The earliest of the instants noted: a running minimum, where a list of
/// candidates cost a vector and an `extend` for each kind of iterator.
#[derive(Default)]
pub(super) struct Earliest(pub(super) Option<ServerTime>);

impl Earliest {
    /// Notes `at`, if any.
    pub(super) fn note(&mut self, at: Option<ServerTime>) {
        if let Some(at) = at {
            if self.0.is_none_or(|earliest| at < earliest) {
                self.0 = Some(at);
            }
        }
    }
}

/// The view of each item, in order: one allocation and a plain loop,
/// which is less wasm than `map` and `collect`.
pub(super) fn each<'a, T, V>(items: &'a [T], mut view: impl FnMut(&'a T) -> V) -> Vec<V> {
    let mut views = Vec::with_capacity(items.len());
    for item in items {
        views.push(view(item));
    }
    views
}
