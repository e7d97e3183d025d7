//! Replays the committed seed corpus through every fuzz target: what CI runs
//! of the fuzzing (a campaign is `scripts/fuzz`).
//!
//! - Every file of `corpus/frame` goes through the frame decoder, which must
//!   refuse bad input with an error and never panic (SPEC N6).
//! - Every file of `corpus/center` drives a center through its inputs; after
//!   each one the center's consistency invariants must hold (contacts in
//!   exactly one place, every offer with its agent and its timer and ended
//!   exactly once (SPEC O7), the agents on a call holding it with one of
//!   them in control (SPEC F3, F4), the participant limit (SPEC F1), channel
//!   capacity (SPEC E2, a campaign record counting on voice), the routing
//!   index, each campaign record at one agent as the index says, its accept
//!   deadline armed exactly while it is previewed (SPEC P3)), events are
//!   numbered without gaps (SPEC N2), and the center stores and loads back
//!   unchanged (SPEC S10). The `campaign_*` seeds work records through
//!   every phase: accepted, rejected, timed out, dialled, answered or not,
//!   transferred, rescheduled, gone stale (SPEC P8), done.
//! - Every file of `corpus/engine` drives the browser engine against the
//!   simulator; after each input the engine has sent only frames the
//!   server reads (SPEC N6) and, live with nothing in flight, shows what
//!   the center holds (SPEC N2); between them the seeds reach every
//!   connection state a page meets and the desk's main states.
//!
//! A file that makes a target panic fails the test, named.

use ringside::center::{Input, Outcome};
use std::collections::BTreeSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

fn corpus(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus").join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a readable corpus directory").path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} holds no seed", dir.display());
    files
}

/// Runs `target` on every file of `corpus/<name>` and fails naming each file
/// that panicked.
fn replay(name: &str, target: impl Fn(&[u8])) -> usize {
    let files = corpus(name);
    let failed: Vec<String> = files
        .iter()
        .filter(|path| {
            let data = std::fs::read(path).expect("a readable seed");
            catch_unwind(AssertUnwindSafe(|| target(&data))).is_err()
        })
        .map(|path| path.display().to_string())
        .collect();
    assert!(failed.is_empty(), "{name}: these seeds panic the target:\n{}", failed.join("\n"));
    files.len()
}

/// SPEC N6: bad input gets an error, never a panic; an accepted frame
/// encodes back to itself.
#[test]
fn frame_corpus_never_panics_the_decoder() {
    let seeds = replay("frame", ringside_fuzz::frame);
    eprintln!("frame corpus: {seeds} seeds, no panic");
}

/// SPEC N6 and the center's invariants (O7, F1, F3, F4, E2, N2, S10) hold
/// after every input of every seed.
#[test]
fn center_corpus_keeps_every_invariant() {
    let seeds = replay("center", ringside_fuzz::center);
    eprintln!("center corpus: {seeds} seeds, every invariant held after every input");
}

/// SPEC N6 and N2 in the browser engine: after every input of every seed
/// it has not panicked, has sent only frames the server reads, and, live
/// with nothing in flight, shows the status, offers and interactions the
/// center holds.
#[test]
fn engine_corpus_keeps_every_invariant() {
    let seeds = replay("engine", ringside_fuzz::engine);
    eprintln!("engine corpus: {seeds} seeds, every invariant held after every input");
}

/// The engine corpus is worth replaying: between them the seeds show each
/// connection state a page meets, the agent available, in RONA and logged
/// out by the supervisor, an offer, an interaction, and a roster with
/// entries. A seed set that lost one fails here, naming what is missing.
#[test]
fn engine_corpus_reaches_every_state_a_desk_shows() {
    let mut reached = BTreeSet::new();
    for path in corpus("engine") {
        let data = std::fs::read(&path).expect("a readable seed");
        ringside_fuzz::engine_observed(&data, |seen| {
            reached.insert(format!("connection {}", seen.connection));
            if let Some(status) = seen.view["status"]["id"].as_str() {
                reached.insert(format!("status {status}"));
            }
            for (list, name) in [(&seen.view["offers"], "an offer"), (&seen.view["interactions"], "an interaction"), (&seen.roster["entries"], "a roster entry")] {
                if list.as_array().is_some_and(|items| !items.is_empty()) {
                    reached.insert(name.to_owned());
                }
            }
        });
    }
    let expected = [
        "connection live",
        "connection waiting",
        "connection closed",
        "connection unauthorized",
        "status available",
        "status rona",
        "status offline",
        "an offer",
        "an interaction",
        "a roster entry",
    ];
    let missing: Vec<&str> = expected.into_iter().filter(|e| !reached.contains(*e)).collect();
    assert!(missing.is_empty(), "no seed of corpus/engine reaches: {missing:?}");
    eprintln!("engine corpus: {} states each reached", expected.len());
}

/// The center corpus is worth replaying: between them the seeds get every
/// command the target can send accepted at least once (a repeated command
/// id, answered from memory, does not count), and every simulator and
/// dialler input applied. A seed set that lost one (after a minimisation,
/// or a new command) fails here, naming what is missing.
#[test]
fn center_corpus_reaches_every_command_and_input() {
    let mut reached = BTreeSet::new();
    for path in corpus("center") {
        let data = std::fs::read(&path).expect("a readable seed");
        // A command id acked before is a repeat: answered from memory (SPEC
        // N1), nothing applied, so it does not count.
        let mut acked = BTreeSet::new();
        ringside_fuzz::center_observed(&data, |input, applied| {
            let ok = match (&applied.outcome, input) {
                (Outcome::Reply(reply), Input::Command { actor, id, .. }) => reply.is_ok() && acked.insert((actor.user.clone(), id.clone())),
                (Outcome::Reply(reply), _) => reply.is_ok(),
                (Outcome::Contact(contact), _) => contact.is_ok(),
                (Outcome::Done(done), _) => done.is_ok(),
                (Outcome::Directory(saved), _) => saved.is_ok(),
                (Outcome::Applied, _) => true,
            };
            if ok {
                reached.insert(input_name(input));
            }
        });
    }
    let inputs = ["connect", "disconnect", "enqueue_contact", "customer_hang_up", "offer_undeliverable", "number_answers", "party_hangs_up", "timeout", "save_campaign", "push_preview", "dial_answers", "save_directory", "save_team", "save_member", "external_status"];
    let expected: BTreeSet<&str> = ringside_fuzz::command_names().into_iter().chain(inputs).collect();
    let missing: Vec<&&str> = expected.difference(&reached).collect();
    assert!(missing.is_empty(), "no seed of corpus/center gets these applied: {missing:?}");
    eprintln!("center corpus: {} commands and inputs each applied at least once", expected.len());
}

/// A name per input kind: the command's wire name for commands.
fn input_name(input: &Input) -> &'static str {
    match input {
        Input::Command { kind, .. } => kind.name(),
        Input::Connect { .. } => "connect",
        Input::Disconnect { .. } => "disconnect",
        Input::EnqueueContact { .. } => "enqueue_contact",
        Input::CustomerHangUp { .. } => "customer_hang_up",
        Input::OfferUndeliverable { .. } => "offer_undeliverable",
        Input::NumberAnswers { .. } => "number_answers",
        Input::PartyHangsUp { .. } => "party_hangs_up",
        Input::Timeout => "timeout",
        Input::SaveCampaign { .. } => "save_campaign",
        Input::PushPreview { .. } => "push_preview",
        Input::DialAnswers { .. } => "dial_answers",
        Input::SaveDirectory { .. } => "save_directory",
        Input::SaveTeam { .. } => "save_team",
        Input::SaveMember { .. } => "save_member",
        Input::ExternalStatus { .. } => "external_status",
    }
}
