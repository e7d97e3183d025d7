//! Property tests: random sequences of commands, customer actions, connection
#![cfg(not(target_arch = "wasm32"))]
//! changes and time never panic and keep every invariant of the authority and
//! its replicas. Each property prints how many cases it ran.

mod support;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use ringside::center::{Center, Input, Outcome};
use ringside::center::Place;
use ringside::model::call::{Party, Target};
use ringside::model::monitoring::MonitorAction;
use ringside::model::state::{CommandKind, EventKind};
use ringside::model::{Actor, Channel, CommandId, ContactId, InteractionId, OfferId, QueueId, RonaCause, Role, UserId};
use std::collections::{BTreeMap, BTreeSet};
use support::*;

const AGENTS: [&str; 3] = ["a0", "a1", "a2"];
const STATUSES: [&str; 5] = ["available", "idle", "lunch", "rona", "unknown"];

#[derive(Debug, Clone)]
enum Step {
    Connect(usize),
    Disconnect(usize),
    Login(usize),
    Logout(usize),
    SetStatus(usize, usize),
    Accept(usize, usize),
    Decline(usize, usize),
    End(usize, usize),
    Done(usize, usize, bool),
    Outdial(usize),
    SupervisorLogout(usize),
    Arrive(usize),
    HangUp(usize),
    Undeliverable(usize),
    Advance(u64),
    /// A call command by agent `.0` on its interaction number `.1`.
    Call(usize, usize, CallStep),
    NumberAnswers(usize, bool),
    PartyHangsUp(usize, usize),
    /// The supervisor acts on the monitoring of agent `.0`'s interaction number `.1`.
    Monitor(usize, usize, MonitorAction),
}

#[derive(Debug, Clone)]
enum CallStep {
    Hold(Option<usize>),
    Resume(Option<usize>),
    Consult(usize),
    Conference(usize),
    Transfer(usize),
    EndConsult,
    CompleteTransfer,
    StartConference,
    Leave,
    Dtmf,
    Record,
    FollowUp(usize),
}

fn call_step() -> impl Strategy<Value = CallStep> {
    let participant = proptest::option::of(0..4usize);
    prop_oneof![
        1 => participant.clone().prop_map(CallStep::Hold),
        1 => participant.prop_map(CallStep::Resume),
        2 => (0..5usize).prop_map(CallStep::Consult),
        2 => (0..5usize).prop_map(CallStep::Conference),
        1 => (0..5usize).prop_map(CallStep::Transfer),
        1 => Just(CallStep::EndConsult),
        2 => Just(CallStep::CompleteTransfer),
        2 => Just(CallStep::StartConference),
        2 => Just(CallStep::Leave),
        1 => Just(CallStep::Dtmf),
        1 => Just(CallStep::Record),
        1 => (0..Channel::ALL.len()).prop_map(CallStep::FollowUp),
    ]
}

/// Targets: the three agents, the support queue, or a number.
fn target(n: usize) -> Target {
    match n {
        0..=2 => Target::Agent(user(AGENTS[n])),
        3 => Target::Queue(QueueId::from("support")),
        _ => Target::Number("+1 555 0142".to_owned()),
    }
}

fn step(call_weight: u32) -> impl Strategy<Value = Step> {
    let agent = 0..AGENTS.len();
    prop_oneof![
        1 => agent.clone().prop_map(Step::Connect),
        1 => agent.clone().prop_map(Step::Disconnect),
        1 => agent.clone().prop_map(Step::Login),
        1 => agent.clone().prop_map(Step::Logout),
        1 => (agent.clone(), 0..STATUSES.len()).prop_map(|(a, s)| Step::SetStatus(a, s)),
        3 => (agent.clone(), 0..3usize).prop_map(|(a, n)| Step::Accept(a, n)),
        1 => (agent.clone(), 0..3usize).prop_map(|(a, n)| Step::Decline(a, n)),
        2 => (agent.clone(), 0..3usize).prop_map(|(a, n)| Step::End(a, n)),
        2 => (agent.clone(), 0..3usize, any::<bool>()).prop_map(|(a, n, c)| Step::Done(a, n, c)),
        1 => agent.clone().prop_map(Step::Outdial),
        1 => agent.clone().prop_map(Step::SupervisorLogout),
        3 => (0..Channel::ALL.len()).prop_map(Step::Arrive),
        1 => (0..8usize).prop_map(Step::HangUp),
        1 => (0..3usize).prop_map(Step::Undeliverable),
        3 => (0u64..40_000).prop_map(Step::Advance),
        call_weight => (agent.clone(), 0..3usize, call_step()).prop_map(|(a, n, c)| Step::Call(a, n, c)),
        call_weight / 3 => (0..4usize, any::<bool>()).prop_map(|(n, answered)| Step::NumberAnswers(n, answered)),
        1 => (0..4usize, 0..4usize).prop_map(|(n, p)| Step::PartyHangsUp(n, p)),
        call_weight / 4 => (agent.clone(), 0..3usize, monitor_action()).prop_map(|(a, n, m)| Step::Monitor(a, n, m)),
    ]
}

fn monitor_action() -> impl Strategy<Value = MonitorAction> {
    prop_oneof![
        3 => Just(MonitorAction::Start),
        1 => Just(MonitorAction::Pause),
        1 => Just(MonitorAction::Resume),
        1 => Just(MonitorAction::BargeIn),
        1 => Just(MonitorAction::Stop),
    ]
}

/// The command that takes a monitoring action on `interaction`, through `agent`.
fn monitor_command(action: MonitorAction, interaction: InteractionId, agent: UserId) -> CommandKind {
    match action {
        MonitorAction::Start => CommandKind::Monitor { interaction, agent },
        MonitorAction::Pause => CommandKind::PauseMonitoring { interaction },
        MonitorAction::Resume => CommandKind::ResumeMonitoring { interaction },
        MonitorAction::BargeIn => CommandKind::BargeIn { interaction },
        MonitorAction::Stop => CommandKind::StopMonitoring { interaction },
    }
}

/// What the test has seen happen to contacts and offers, from the event log.
#[derive(Default)]
struct Ledger {
    created_contacts: Vec<ContactId>,
    /// Contacts whose customer hung up.
    hung_up: BTreeSet<ContactId>,
    /// Where each live contact was after the previous step.
    places: BTreeMap<ContactId, Place>,
    offers_created: BTreeSet<OfferId>,
    offers_ended: BTreeSet<OfferId>,
    /// Each agent's part of each interaction, done at most once.
    interactions_done: BTreeSet<(UserId, InteractionId)>,
    read: usize,
}

impl Ledger {
    fn read_log(&mut self, desk: &Desk) -> Result<(), TestCaseError> {
        for event in &desk.log[self.read..] {
            match &event.kind {
                EventKind::OfferCreated { offer } => {
                    prop_assert!(self.offers_created.insert(offer.id), "offer {} created twice", offer.id);
                }
                EventKind::OfferEnded { offer, .. } => {
                    prop_assert!(self.offers_created.contains(offer), "offer {offer} ended before it began");
                    prop_assert!(self.offers_ended.insert(*offer), "offer {offer} ended twice");
                }
                EventKind::InteractionDone { interaction, .. } => {
                    let first = self.interactions_done.insert((event.agent.clone(), *interaction));
                    prop_assert!(first, "{}'s part of interaction {} done twice", event.agent, interaction);
                }
                _ => {}
            }
        }
        self.read = desk.log.len();
        Ok(())
    }
}

fn nth<T: Copy>(items: impl Iterator<Item = T>, n: usize) -> Option<T> {
    let all: Vec<T> = items.collect();
    (!all.is_empty()).then(|| all[n % all.len()])
}

fn connected(desk: &Desk, name: &str) -> bool {
    desk.center.is_connected(&user(name))
}

/// Applies one step; commands from connected agents go through their replica.
fn apply(desk: &mut Desk, ledger: &mut Ledger, step: &Step) {
    let state = |desk: &Desk, a: usize| desk.center.agent(&user(AGENTS[a])).cloned();
    let send = |desk: &mut Desk, a: usize, kind: CommandKind| {
        if connected(desk, AGENTS[a]) {
            let _ = desk.send(AGENTS[a], kind);
        }
    };
    match *step {
        Step::Connect(a) => {
            desk.connect(AGENTS[a]);
        }
        Step::Disconnect(a) => desk.disconnect(AGENTS[a]),
        Step::Login(a) => send(desk, a, CommandKind::Login),
        Step::Logout(a) => send(desk, a, CommandKind::Logout),
        Step::SetStatus(a, s) => send(desk, a, set_status(STATUSES[s])),
        Step::Accept(a, n) | Step::Decline(a, n) => {
            if let Some(offer) = state(desk, a).and_then(|s| nth(s.offers.iter().map(|o| o.id), n)) {
                let kind = if matches!(step, Step::Accept(..)) { CommandKind::Accept { offer } } else { CommandKind::Decline { offer } };
                send(desk, a, kind);
            }
        }
        Step::End(a, n) => {
            if let Some(interaction) = state(desk, a).and_then(|s| nth(s.interactions.iter().map(|i| i.id), n)) {
                send(desk, a, CommandKind::End { interaction });
            }
        }
        Step::Done(a, n, with_code) => {
            if let Some(interaction) = state(desk, a).and_then(|s| nth(s.interactions.iter().map(|i| i.id), n)) {
                let code = with_code.then(|| desk.center.profile().wrap_up.codes[0].id.clone());
                send(desk, a, CommandKind::Done { interaction, code });
            }
        }
        Step::Outdial(a) => send(desk, a, CommandKind::Outdial { number: "+1 555 0199".into() }),
        Step::SupervisorLogout(a) => {
            let _ = desk.raw("sup", Role::Supervisor, &format!("s{}", desk.log.len()), CommandKind::LogoutAgent { agent: user(AGENTS[a]) });
        }
        Step::Arrive(c) => {
            let contact = desk.call(Channel::ALL[c], "customer");
            ledger.created_contacts.push(contact);
            ledger.places.insert(contact, desk.center.contact_place(contact).expect("just arrived"));
        }
        Step::HangUp(n) => {
            if let Some(contact) = nth(ledger.created_contacts.iter().copied(), n) {
                if desk.feed(Input::CustomerHangUp { contact }) == Outcome::Done(Ok(())) {
                    ledger.hung_up.insert(contact);
                }
                desk.pump();
            }
        }
        Step::Undeliverable(n) => {
            let open: Vec<OfferId> = desk.center.agents().flat_map(|a| a.offers.iter().map(|o| o.id)).collect();
            if let Some(offer) = nth(open.into_iter(), n) {
                let outcome = desk.feed(Input::OfferUndeliverable { offer, cause: RonaCause::DeviceFault });
                assert_eq!(outcome, Outcome::Done(Ok(())), "open offer");
                desk.pump();
            }
        }
        Step::Advance(ms) => desk.advance(ms),
        Step::Call(a, n, ref call) => {
            let Some(info) = state(desk, a).and_then(|s| nth(s.interactions.iter().map(|i| i.id), n).and_then(|id| s.interaction(id).cloned())) else {
                return;
            };
            let interaction = info.id;
            let participant = |k: Option<usize>| k.and_then(|k| nth(info.call.participants.iter().map(|p| p.id), k));
            let kind = match *call {
                CallStep::Hold(k) => CommandKind::Hold { interaction, participant: participant(k) },
                CallStep::Resume(k) => CommandKind::Resume { interaction, participant: participant(k) },
                CallStep::Consult(t) => CommandKind::Consult { interaction, target: target(t) },
                CallStep::Conference(t) => CommandKind::Conference { interaction, target: target(t) },
                CallStep::Transfer(t) => CommandKind::Transfer { interaction, target: target(t) },
                CallStep::EndConsult => CommandKind::EndConsult { interaction },
                CallStep::CompleteTransfer => CommandKind::CompleteTransfer { interaction },
                CallStep::StartConference => CommandKind::StartConference { interaction },
                CallStep::Leave => CommandKind::Leave { interaction },
                CallStep::Dtmf => CommandKind::Dtmf { interaction, digits: "42#".into() },
                CallStep::Record => CommandKind::Record { interaction },
                CallStep::FollowUp(c) => CommandKind::FollowUp { interaction, channel: Channel::ALL[c] },
            };
            send(desk, a, kind);
        }
        Step::NumberAnswers(n, answered) => {
            if let Some(id) = nth(open_interactions(desk).into_iter(), n) {
                desk.feed(Input::NumberAnswers { interaction: id, answered });
                desk.pump();
            }
        }
        Step::Monitor(a, n, action) => {
            if let Some(interaction) = state(desk, a).and_then(|s| nth(s.interactions.iter().map(|i| i.id), n)) {
                let _ = desk.send("sup", monitor_command(action, interaction, user(AGENTS[a])));
            }
        }
        Step::PartyHangsUp(n, k) => {
            if let Some(id) = nth(open_interactions(desk).into_iter(), n) {
                let outside = desk.center.agents().filter_map(|a| a.interaction(id)).next().map(|i| {
                    i.call.participants.iter().filter(|p| !matches!(p.party, Party::Agent(_))).map(|p| p.id).collect::<Vec<_>>()
                });
                if let Some(party) = outside.and_then(|ids| nth(ids.into_iter(), k)) {
                    desk.feed(Input::PartyHangsUp { interaction: id, participant: party });
                    desk.pump();
                }
            }
        }
    }
}

/// Interactions some agent is still on.
fn open_interactions(desk: &Desk) -> Vec<InteractionId> {
    let ids: BTreeSet<InteractionId> = desk
        .center
        .agents()
        .flat_map(|a| a.interactions.iter().filter(|i| i.state == ringside::model::InteractionState::Active).map(|i| i.id))
        .collect();
    ids.into_iter().collect()
}

/// Every action a replica enables, as the command its user would write:
/// a number for a target, a code for done where it needs one.
fn enabled_actions(desk: &Desk, name: &str) -> Vec<CommandKind> {
    let view = desk.view(name);
    let mut actions = Vec::new();
    if view.can_login {
        actions.push(CommandKind::Login);
    }
    if view.can_logout {
        actions.push(CommandKind::Logout);
    }
    if view.can_outdial {
        actions.push(CommandKind::Outdial { number: "+1 555 0100".into() });
    }
    for choice in &view.choices {
        actions.push(CommandKind::SetStatus { status: choice.id.clone(), secondary: None });
    }
    for offer in &view.offers {
        if offer.can_accept {
            actions.push(CommandKind::Accept { offer: offer.id });
        }
        if offer.can_decline {
            actions.push(CommandKind::Decline { offer: offer.id });
        }
    }
    let code = view.wrap_up_codes.first().map(|c| c.id.clone());
    let number = || Target::Number("+1 555 0100".to_owned());
    for card in &view.interactions {
        let (id, can) = (card.id, &card.actions);
        let flagged = [
            (can.end, CommandKind::End { interaction: id }),
            (can.done, CommandKind::Done { interaction: id, code: code.clone().filter(|_| card.done_needs_code) }),
            (can.hold, CommandKind::Hold { interaction: id, participant: None }),
            (can.resume, CommandKind::Resume { interaction: id, participant: None }),
            (can.consult, CommandKind::Consult { interaction: id, target: number() }),
            (can.conference, CommandKind::Conference { interaction: id, target: number() }),
            (can.transfer, CommandKind::Transfer { interaction: id, target: number() }),
            (can.end_consult, CommandKind::EndConsult { interaction: id }),
            (can.complete_transfer, CommandKind::CompleteTransfer { interaction: id }),
            (can.start_conference, CommandKind::StartConference { interaction: id }),
            (can.leave, CommandKind::Leave { interaction: id }),
            (can.dtmf, CommandKind::Dtmf { interaction: id, digits: "1".into() }),
            (can.record, CommandKind::Record { interaction: id }),
        ];
        actions.extend(flagged.into_iter().filter(|(enabled, _)| *enabled).map(|(_, kind)| kind));
        actions.extend(can.follow_up.iter().map(|channel| CommandKind::FollowUp { interaction: id, channel: *channel }));
        for p in &card.participants {
            if p.can_hold {
                actions.push(CommandKind::Hold { interaction: id, participant: Some(p.id) });
            }
            if p.can_resume {
                actions.push(CommandKind::Resume { interaction: id, participant: Some(p.id) });
            }
        }
    }
    for m in &view.monitoring {
        let (id, can) = (m.interaction, &m.actions);
        let flagged = [
            (can.pause, MonitorAction::Pause),
            (can.resume, MonitorAction::Resume),
            (can.barge_in, MonitorAction::BargeIn),
            (can.stop, MonitorAction::Stop),
        ];
        actions.extend(flagged.into_iter().filter(|(on, _)| *on).map(|(_, action)| monitor_command(action, id, user(name))));
    }
    actions
}

/// Every command a user could write about what it holds now, with every
/// argument worth trying: other agents, a queue and a number as targets,
/// each wrap-up code or none.
fn candidate_commands(desk: &Desk, name: &str) -> Vec<CommandKind> {
    let Some(state) = desk.center.agent(&user(name)) else { return Vec::new() };
    let profile = desk.center.profile();
    let mut all = vec![CommandKind::Login, CommandKind::Logout, CommandKind::Outdial { number: "+1 555 0100".into() }];
    all.extend(profile.statuses.iter().map(|s| CommandKind::SetStatus { status: s.id.clone(), secondary: None }));
    all.extend(AGENTS.iter().map(|a| CommandKind::LogoutAgent { agent: user(a) }));
    for offer in &state.offers {
        all.extend([CommandKind::Accept { offer: offer.id }, CommandKind::Decline { offer: offer.id }]);
    }
    let targets: Vec<Target> = (0..5).map(target).collect();
    for info in &state.interactions {
        let interaction = info.id;
        all.push(CommandKind::Done { interaction, code: None });
        all.extend(profile.wrap_up.codes.iter().map(|c| CommandKind::Done { interaction, code: Some(c.id.clone()) }));
        let participants = std::iter::once(None).chain(info.call.participants.iter().map(|p| Some(p.id)));
        for participant in participants {
            all.extend([CommandKind::Hold { interaction, participant }, CommandKind::Resume { interaction, participant }]);
        }
        for target in &targets {
            all.push(CommandKind::Consult { interaction, target: target.clone() });
            all.push(CommandKind::Conference { interaction, target: target.clone() });
            all.push(CommandKind::Transfer { interaction, target: target.clone() });
        }
        all.extend([
            CommandKind::End { interaction },
            CommandKind::EndConsult { interaction },
            CommandKind::CompleteTransfer { interaction },
            CommandKind::StartConference { interaction },
            CommandKind::Leave { interaction },
            CommandKind::Dtmf { interaction, digits: "1".into() },
            CommandKind::Record { interaction },
        ]);
        all.extend(Channel::ALL.map(|channel| CommandKind::FollowUp { interaction, channel }));
    }
    // A supervisor's monitoring actions on its monitorings (on any other
    // call the shared rules refuse them with not_monitoring).
    for interaction in state.monitoring.iter().map(|m| m.interaction) {
        let actions = [MonitorAction::Pause, MonitorAction::Resume, MonitorAction::BargeIn, MonitorAction::Stop];
        all.extend(actions.map(|action| monitor_command(action, interaction, user(name))));
    }
    all
}

/// Whether the view of `name` enables the action `command` takes.
fn view_enables(desk: &Desk, name: &str, command: &CommandKind) -> bool {
    let view = desk.view(name);
    let card = |id: InteractionId| view.interactions.iter().find(|i| i.id == id);
    let actions = |id: InteractionId| card(id).map(|c| c.actions.clone()).unwrap_or_default();
    let participant = |id: InteractionId, p: ringside::model::ParticipantId| {
        card(id).and_then(|c| c.participants.iter().find(|x| x.id == p).cloned())
    };
    let offer = |id: OfferId| view.offers.iter().find(|o| o.id == id);
    match command {
        CommandKind::Login => view.can_login,
        CommandKind::Logout => view.can_logout,
        CommandKind::Outdial { .. } => view.can_outdial,
        CommandKind::LogoutAgent { .. } => view.can_logout_agents,
        CommandKind::SetStatus { status, .. } => view.choices.iter().any(|c| c.id == status),
        CommandKind::Accept { offer: o } => offer(*o).is_some_and(|o| o.can_accept),
        CommandKind::Decline { offer: o } => offer(*o).is_some_and(|o| o.can_decline),
        CommandKind::End { interaction } => actions(*interaction).end,
        CommandKind::Done { interaction, code } => {
            actions(*interaction).done && (code.is_some() || card(*interaction).is_some_and(|c| !c.done_needs_code))
        }
        CommandKind::Hold { interaction, participant: None } => actions(*interaction).hold,
        CommandKind::Resume { interaction, participant: None } => actions(*interaction).resume,
        CommandKind::Hold { interaction, participant: Some(p) } => participant(*interaction, *p).is_some_and(|p| p.can_hold),
        CommandKind::Resume { interaction, participant: Some(p) } => participant(*interaction, *p).is_some_and(|p| p.can_resume),
        CommandKind::Transfer { interaction, .. } => actions(*interaction).transfer,
        CommandKind::Consult { interaction, .. } => actions(*interaction).consult,
        CommandKind::Conference { interaction, .. } => actions(*interaction).conference,
        CommandKind::EndConsult { interaction } => actions(*interaction).end_consult,
        CommandKind::CompleteTransfer { interaction } => actions(*interaction).complete_transfer,
        CommandKind::StartConference { interaction } => actions(*interaction).start_conference,
        CommandKind::Leave { interaction } => actions(*interaction).leave,
        CommandKind::Dtmf { interaction, .. } => actions(*interaction).dtmf,
        CommandKind::Record { interaction } => actions(*interaction).record,
        CommandKind::FollowUp { interaction, channel } => actions(*interaction).follow_up.contains(channel),
        CommandKind::PauseMonitoring { interaction }
        | CommandKind::ResumeMonitoring { interaction }
        | CommandKind::BargeIn { interaction }
        | CommandKind::StopMonitoring { interaction } => {
            let Some(m) = view.monitoring.iter().find(|m| m.interaction == *interaction) else { return false };
            match command {
                CommandKind::PauseMonitoring { .. } => m.actions.pause,
                CommandKind::ResumeMonitoring { .. } => m.actions.resume,
                CommandKind::BargeIn { .. } => m.actions.barge_in,
                _ => m.actions.stop,
            }
        }
        CommandKind::PreviewMedia { .. } => view.logged_in,
        CommandKind::GetRecord => view.can_get_record,
        other => {
            let ringside::model::action::Action::Outbound(record, action) = other.action() else { return false };
            let Some(card) = view.outbound.iter().find(|o| o.record.id == record) else { return false };
            use ringside::model::campaign::RecordAction as R;
            let a = &card.actions;
            match action {
                R::Accept => a.accept,
                R::Reject => a.reject,
                R::Dial => a.dial,
                R::Cancel => a.cancel,
                R::Transfer => a.transfer,
                R::Edit => a.edit,
                R::AddChained => a.add_chained,
                R::SetActive => a.set_active,
                R::Update => a.update,
                R::Reschedule => a.reschedule,
                R::CancelReschedule => a.cancel_reschedule,
                R::CallResult => a.call_result,
                R::DoNotCall => a.do_not_call,
                R::Done => a.done,
            }
        }
    }
}

/// Both directions for one user: what its view enables the center accepts,
/// and what the center would accept its view enables.
fn check_both_directions(desk: &Desk, name: &str) -> Result<(), TestCaseError> {
    let who = user(name);
    let actor = Actor { user: who.clone(), role: desk.role_of(&who) };
    let accepts = |kind: &CommandKind| {
        let mut authority: Center = desk.center.clone();
        authority.command(desk.now, &actor, CommandId::from("probe"), kind.clone())
    };
    for action in enabled_actions(desk, name) {
        let reply = accepts(&action);
        // SPEC M2, F1, F7: whether a monitored call went to wrap-up, is full
        // or lost its customer are the call's facts, held by the center and
        // not by the supervisor's own state (its desk learns of wrap-up from
        // the roster), so barge-in may be enabled there and refused.
        let calls_fact = |code: &str| code == "call_in_wrap_up" || code == "conference_full";
        if matches!(action, CommandKind::BargeIn { .. }) && reply.as_ref().is_err_and(|r| calls_fact(&r.code)) {
            continue;
        }
        prop_assert!(reply.is_ok(), "{} was enabled for {} but refused: {:?}", action.name(), name, reply);
    }
    for command in candidate_commands(desk, name) {
        if accepts(&command).is_ok() {
            prop_assert!(view_enables(desk, name, &command), "{:?} was accepted from {} but not enabled", command, name);
        }
    }
    Ok(())
}

/// Who controls each open call, and which agents are on it.
fn controllers(desk: &Desk) -> BTreeMap<InteractionId, (Option<UserId>, BTreeSet<UserId>)> {
    let mut calls = BTreeMap::new();
    for agent in desk.center.agents() {
        for info in agent.interactions.iter().filter(|i| i.state == ringside::model::InteractionState::Active) {
            calls.insert(info.id, (info.call.primary.clone(), info.call.agents().cloned().collect()));
        }
    }
    calls
}

/// Whether each agent owned the wrap-up code of each of its interactions.
fn owners(desk: &Desk) -> BTreeMap<(UserId, InteractionId), bool> {
    desk.center
        .agents()
        .flat_map(|a| a.interactions.iter().map(move |i| ((a.agent.clone(), i.id), i.call.owner == a.agent)))
        .collect()
}

/// SPEC F3, F4, F5: control moves only when its holder left the call; a
/// wrap-up code is applied only by the agent that owned it.
fn check_control(
    before: &BTreeMap<InteractionId, (Option<UserId>, BTreeSet<UserId>)>,
    owned: &BTreeMap<(UserId, InteractionId), bool>,
    desk: &Desk,
    events: &[ringside::model::state::Event],
) -> Result<(), TestCaseError> {
    let after = controllers(desk);
    for (id, (primary, _)) in before {
        let Some((now_primary, on_call)) = after.get(id) else { continue };
        if let Some(previous) = primary.as_ref().filter(|p| Some(*p) != now_primary.as_ref()) {
            prop_assert!(!on_call.contains(previous), "control of {} moved from {} while it stayed on the call", id, previous);
        }
    }
    for event in events {
        if let EventKind::InteractionDone { interaction, code: Some(_), .. } = &event.kind {
            let owner = owned.get(&(event.agent.clone(), *interaction)).copied().unwrap_or(false);
            prop_assert!(owner, "{} applied the wrap-up code of {} without owning it", event.agent, interaction);
        }
    }
    Ok(())
}

fn check_invariants(desk: &Desk, ledger: &mut Ledger, check_actions: bool) -> Result<(), TestCaseError> {
    desk.center.check_consistency().map_err(TestCaseError::fail)?;
    ledger.read_log(desk)?;
    for name in AGENTS {
        if !connected(desk, name) {
            continue;
        }
        let who = user(name);
        prop_assert_eq!(desk.replicas[&who].state(), desk.center.agent(&who), "replica of {} diverged", name);
        if check_actions {
            check_both_directions(desk, name)?;
        }
    }
    let sup = user("sup");
    prop_assert_eq!(desk.replicas[&sup].state(), desk.center.agent(&sup), "the supervisor's replica diverged");
    if check_actions {
        check_both_directions(desk, "sup")?;
    }
    // A waiting or offered contact leaves only when its customer hangs up;
    // only a connected one ends with its call. None comes back once gone.
    for contact in &ledger.created_contacts {
        let now = desk.center.contact_place(*contact);
        match (ledger.places.get(contact), now) {
            (Some(Place::Waiting | Place::Offered(_)), None) => {
                prop_assert!(ledger.hung_up.contains(contact), "contact {} was lost while waiting or offered", contact)
            }
            (None, Some(_)) => prop_assert!(false, "contact {} came back after it ended", contact),
            _ => {}
        }
        match now {
            Some(place) => ledger.places.insert(*contact, place),
            None => ledger.places.remove(contact),
        };
    }
    Ok(())
}

/// How each case starts.
#[derive(Clone, Copy)]
enum Start {
    /// Nobody connected.
    Cold,
    /// Every agent available with a call or chat accepted: multi-party calls
    /// are a few steps away.
    OnCalls,
    /// a0 controls a conference with a1 and the customer; a2 is available:
    /// a conferenced agent's consult is a few steps away.
    InConference,
}

fn warm_up(desk: &mut Desk, ledger: &mut Ledger) {
    for (n, name) in AGENTS.iter().enumerate() {
        desk.ready(name);
        let channel = if n == 2 { Channel::Chat } else { Channel::Voice };
        let contact = desk.call(channel, "customer");
        ledger.created_contacts.push(contact);
        let offer = desk.center.agent(&user(name)).and_then(|a| a.offers.first()).map(|o| o.id);
        if let Some(offer) = offer {
            desk.send(name, CommandKind::Accept { offer }).expect("accept");
        }
        ledger.places.insert(contact, desk.center.contact_place(contact).expect("live"));
    }
}

fn warm_up_conference(desk: &mut Desk, ledger: &mut Ledger) {
    for name in AGENTS {
        desk.ready(name);
    }
    let contact = desk.call(Channel::Voice, "customer");
    ledger.created_contacts.push(contact);
    let offer = desk.center.agent(&user(AGENTS[0])).and_then(|a| a.offers.first()).map(|o| o.id).expect("offered to a0");
    desk.send(AGENTS[0], CommandKind::Accept { offer }).expect("accept");
    let interaction = desk.center.agent(&user(AGENTS[0])).and_then(|a| a.interactions.first()).map(|i| i.id).expect("on a call");
    desk.send(AGENTS[0], CommandKind::Consult { interaction, target: Target::Agent(user(AGENTS[1])) }).expect("consult");
    let offer = desk.center.agent(&user(AGENTS[1])).and_then(|a| a.offers.first()).map(|o| o.id).expect("offered to a1");
    desk.send(AGENTS[1], CommandKind::Accept { offer }).expect("accept the consult");
    desk.send(AGENTS[0], CommandKind::StartConference { interaction }).expect("conference");
    ledger.places.insert(contact, desk.center.contact_place(contact).expect("live"));
}

fn run_property(name: &str, cases: u32, start: Start, check_actions: bool) {
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    let call_weight = match start {
        Start::Cold => 8,
        Start::OnCalls | Start::InConference => 40,
    };
    let steps = proptest::collection::vec(step(call_weight), 1..80);
    let steps_run = std::cell::Cell::new(0usize);
    let call_changes = std::cell::Cell::new(0usize);
    let largest_call = std::cell::Cell::new(0usize);
    let result = runner.run(&steps, |steps| {
        // Small limits (SPEC F1: 3 for campaign calls), so that random runs
        // reach them; from calls, room for a conferenced agent to consult.
        let mut desk = Desk::with_toml(match start {
            Start::Cold => "conference_limit = 3",
            Start::OnCalls | Start::InConference => "conference_limit = 4",
        });
        let mut ledger = Ledger::default();
        desk.connect_as("sup", Role::Supervisor);
        desk.send("sup", CommandKind::Login).expect("the supervisor logs in to monitor");
        match start {
            Start::Cold => {}
            Start::OnCalls => warm_up(&mut desk, &mut ledger),
            Start::InConference => warm_up_conference(&mut desk, &mut ledger),
        }
        for step in &steps {
            let (before, owned, seen) = (controllers(&desk), owners(&desk), desk.log.len());
            apply(&mut desk, &mut ledger, step);
            check_invariants(&desk, &mut ledger, check_actions)?;
            check_control(&before, &owned, &desk, &desk.log[seen..])?;
        }
        steps_run.set(steps_run.get() + steps.len());
        for event in &desk.log {
            if let EventKind::CallChanged { call, .. } = &event.kind {
                call_changes.set(call_changes.get() + 1);
                largest_call.set(largest_call.get().max(call.participants.len()));
            }
        }
        // Run the clock out: every open offer must then have ended exactly once.
        desk.advance(120_000);
        check_invariants(&desk, &mut ledger, false)?;
        let open: BTreeSet<OfferId> = desk.center.agents().flat_map(|a| a.offers.iter().map(|o| o.id)).collect();
        prop_assert!(open.is_empty(), "offers still open after every deadline passed: {:?}", open);
        prop_assert_eq!(&ledger.offers_created, &ledger.offers_ended);
        Ok(())
    });
    if let Err(failure) = result {
        panic!("{name}: {failure}");
    }
    eprintln!(
        "property `{name}`: {cases} cases, {} steps, {} call changes, largest call {} participants; all invariants held",
        steps_run.get(),
        call_changes.get(),
        largest_call.get()
    );
}

/// Random sequences never panic; every offer ends exactly once (SPEC O7);
/// replicas fed the authority's events through JSON agree with it (SPEC N2);
/// contacts are never lost or duplicated.
#[test]
fn random_sequences_keep_every_invariant() {
    run_property("invariants", 2_000, Start::Cold, false);
}

/// From agents on calls: the participant count never exceeds the limit
/// (SPEC F1); while agents remain on a call exactly one holds control, and
/// it moves only when its holder leaves (SPEC F3, SPEC F4); only the owner
/// applies the wrap-up code (SPEC F5); every agent's part of an interaction is done at most once
/// and every offer ends exactly once (SPEC O7).
#[test]
fn random_call_handling_keeps_every_invariant() {
    run_property("calls", 1_000, Start::OnCalls, false);
    run_property("conference calls", 1_000, Start::InConference, false);
}

/// A replica never enables an action that the authority would refuse, and
/// enables every action the authority would accept, for agents and for a
/// supervisor (SPEC N1, N5).
#[test]
fn replicas_enable_only_actions_the_authority_accepts() {
    run_property("enabled actions", 200, Start::Cold, true);
    run_property("enabled call actions", 200, Start::OnCalls, true);
    run_property("enabled conference actions", 200, Start::InConference, true);
}

/// Arbitrary text fed to the frame decoder is refused with a code, never a panic (SPEC N6).
#[test]
fn arbitrary_frames_never_panic_the_decoder() {
    let mut runner = TestRunner::new(Config { cases: 2_000, failure_persistence: None, ..Config::default() });
    let frames = prop_oneof![
        any::<String>(),
        "\\{\"command\":\\{\"id\":\"[a-z0-9]{1,4}\",\"kind\":\\{\"[a-z_]{1,12}\":\\{\\}\\}\\}\\}",
        "\\{\"[a-z]{1,8}\":[0-9a-z\"\\[\\]\\{\\}:,]{0,40}\\}",
    ];
    runner
        .run(&frames, |text| {
            if let Err(refused) = ringside::protocol::ClientMessage::decode(&text) {
                prop_assert!(!refused.error.code().is_empty());
            }
            Ok(())
        })
        .unwrap();
    eprintln!("property `frames`: 2000 cases, no panic");
}


/// The server's store (SPEC S10): the center serialised at a random step
/// (and the new center it started as), plus every input logged after it,
/// replayed, is the center that wrote them: the same state, the same events
/// on the way, and the same behaviour afterwards (its routing index
/// included).
#[test]
fn a_snapshot_plus_the_logged_inputs_rebuilds_the_same_center() {
    let cases = 1_000;
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    let case = (proptest::collection::vec(step(20), 1..80), any::<proptest::sample::Index>(), any::<bool>());
    let replayed_inputs = std::cell::Cell::new(0usize);
    let result = runner.run(&case, |(steps, cut, on_calls)| {
        let mut desk = Desk::with_toml("conference_limit = 3");
        // The new center, as a server writes it first: the whole run replays on it.
        let initial = serde_json::to_string(&desk.center).expect("serialises");
        let mut ledger = Ledger::default();
        desk.connect("sup");
        if on_calls {
            warm_up(&mut desk, &mut ledger);
        }
        let cut = cut.index(steps.len() + 1);
        let mut snapshot = None;
        for (n, step) in steps.iter().enumerate() {
            if n == cut {
                snapshot = Some((serde_json::to_string(&desk.center).expect("serialises"), desk.inputs.len(), desk.log.len()));
            }
            apply(&mut desk, &mut ledger, step);
        }
        desk.pump();
        let cut_here = snapshot.unwrap_or_else(|| (serde_json::to_string(&desk.center).expect("serialises"), desk.inputs.len(), desk.log.len()));
        let json = |c: &Center| serde_json::to_value(c).expect("serialises");
        let mut rebuilt_centers = Vec::new();
        for (stored, inputs_from, log_from) in [cut_here, (initial, 0, 0)] {
            let mut rebuilt: Center = serde_json::from_str(&stored).expect("loads");
            let mut events = Vec::new();
            for (now, input) in &desk.inputs[inputs_from..] {
                rebuilt.apply(*now, input.clone());
                events.extend(std::iter::from_fn(|| rebuilt.poll_event()));
            }
            replayed_inputs.set(replayed_inputs.get() + desk.inputs.len() - inputs_from);
            prop_assert_eq!(&events[..], &desk.log[log_from..], "replay emitted other events");
            prop_assert_eq!(json(&rebuilt), json(&desk.center), "replay rebuilt another state");
            rebuilt.check_consistency().map_err(TestCaseError::fail)?;
            rebuilt_centers.push(rebuilt);
        }
        // The same future: every deadline fires the same way in all.
        let later = desk.now.plus(120_000);
        let future = |c: &mut Center| {
            c.apply(later, Input::Timeout);
            std::iter::from_fn(|| c.poll_event()).collect::<Vec<_>>()
        };
        let expected = future(&mut desk.center);
        for rebuilt in &mut rebuilt_centers {
            prop_assert_eq!(&future(rebuilt), &expected);
        }
        Ok(())
    });
    if let Err(failure) = result {
        panic!("replay: {failure}");
    }
    eprintln!("property `replay`: {cases} cases, {} inputs replayed; every rebuilt center equalled its writer", replayed_inputs.get());
}
