//! Property tests: random sequences of commands, customer actions, connection
#![cfg(not(target_arch = "wasm32"))]
//! changes and time never panic and keep every invariant of the authority and
//! its replicas. Each property prints how many cases it ran.

mod support;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use ringside::center::Center;
use ringside::model::profile::Preset;
use ringside::model::state::{CommandKind, EventKind};
use ringside::model::{Actor, Channel, CommandId, ContactId, InteractionId, OfferId, RonaCause, Role};
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
}

fn step() -> impl Strategy<Value = Step> {
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
        1 => agent.prop_map(Step::SupervisorLogout),
        3 => (0..Channel::ALL.len()).prop_map(Step::Arrive),
        1 => (0..8usize).prop_map(Step::HangUp),
        1 => (0..3usize).prop_map(Step::Undeliverable),
        3 => (0u64..40_000).prop_map(Step::Advance),
    ]
}

/// What the test has seen happen to contacts and offers, from the event log.
#[derive(Default)]
struct Ledger {
    created_contacts: Vec<ContactId>,
    finished_contacts: BTreeSet<ContactId>,
    interaction_contacts: BTreeMap<InteractionId, ContactId>,
    offers_created: BTreeSet<OfferId>,
    offers_ended: BTreeSet<OfferId>,
    interactions_done: BTreeSet<InteractionId>,
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
                EventKind::InteractionStarted { interaction } if interaction.queue.is_some() => {
                    self.interaction_contacts.insert(interaction.id, interaction.contact);
                }
                EventKind::InteractionWrapUp { interaction, .. } => {
                    if let Some(contact) = self.interaction_contacts.get(interaction) {
                        self.finished_contacts.insert(*contact);
                    }
                }
                EventKind::InteractionDone { interaction, .. } => {
                    prop_assert!(self.interactions_done.insert(*interaction), "interaction {interaction} done twice");
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
        Step::Arrive(c) => ledger.created_contacts.push(desk.call(Channel::ALL[c], "customer")),
        Step::HangUp(n) => {
            if let Some(contact) = nth(ledger.created_contacts.iter().copied(), n) {
                if desk.center.customer_hang_up(desk.now, contact).is_ok() {
                    ledger.finished_contacts.insert(contact);
                }
                desk.pump();
            }
        }
        Step::Undeliverable(n) => {
            let open: Vec<OfferId> = desk.center.agents().flat_map(|a| a.offers.iter().map(|o| o.id)).collect();
            if let Some(offer) = nth(open.into_iter(), n) {
                desk.center.offer_undeliverable(desk.now, offer, RonaCause::DeviceFault).expect("open offer");
                desk.pump();
            }
        }
        Step::Advance(ms) => desk.advance(ms),
    }
}

/// Every action a replica enables, as the command it would send.
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
    for card in &view.interactions {
        if card.can_end {
            actions.push(CommandKind::End { interaction: card.id });
        }
        if card.can_done {
            actions.push(CommandKind::Done { interaction: card.id, code: code.clone() });
        }
    }
    actions
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
            for action in enabled_actions(desk, name) {
                let mut authority: Center = desk.center.clone();
                let actor = Actor { user: who.clone(), role: Role::Agent };
                let reply = authority.command(desk.now, &actor, CommandId::from("probe"), action.clone());
                prop_assert!(reply.is_ok(), "{} was enabled for {} but refused: {:?}", action.name(), name, reply);
            }
        }
    }
    for contact in &ledger.created_contacts {
        let live = desk.center.contact_place(*contact).is_some();
        let finished = ledger.finished_contacts.contains(contact);
        prop_assert!(live != finished, "contact {} is live={} finished={}", contact, live, finished);
    }
    Ok(())
}

fn run_property(name: &str, cases: u32, check_actions: bool) {
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    let steps = proptest::collection::vec(step(), 1..80);
    let steps_run = std::cell::Cell::new(0usize);
    let result = runner.run(&steps, |steps| {
        let mut desk = Desk::preset(Preset::ContactCenter);
        let mut ledger = Ledger::default();
        desk.connect("sup");
        for step in &steps {
            apply(&mut desk, &mut ledger, step);
            check_invariants(&desk, &mut ledger, check_actions)?;
        }
        steps_run.set(steps_run.get() + steps.len());
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
    eprintln!("property `{name}`: {cases} cases, {} steps, all invariants held", steps_run.get());
}

/// Random sequences never panic; every offer ends exactly once (SPEC O7);
/// replicas fed the authority's events through JSON agree with it (SPEC N2);
/// contacts are never lost or duplicated.
#[test]
fn random_sequences_keep_every_invariant() {
    run_property("invariants", 2_000, false);
}

/// A replica never enables an action that the authority would refuse.
#[test]
fn replicas_enable_only_actions_the_authority_accepts() {
    run_property("enabled actions", 500, true);
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

