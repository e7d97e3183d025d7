//! The simulated network behind campaign dials: a dialled number answers,
//! rings out, is busy or is a wrong number, after a short ring, by a rule on
//! its last digit, so that tests and the demo need no clicks:
//!
//! | last digit | outcome |
//! | --- | --- |
//! | 7 | busy |
//! | 8 | no answer |
//! | 9 | wrong number |
//! | 0 | none: it rings until `POST /sim/records/{id}/answer` (or the center's 30 s dial timeout) |
//! | any other | answered |
//!
//! The owner asks it, after each batch, which answers are due, and feeds
//! them to the center as `DialAnswers` inputs.

use ringside::model::campaign::DialOutcome;
use ringside::model::{RecordId, ServerTime};
use std::collections::BTreeMap;

/// How long a simulated number rings before it answers, unless configured.
pub const DEFAULT_RING_MS: u64 = 1_000;

/// The outcome the rule gives a number; `None` when it waits for `/sim/`.
pub fn outcome_for(number: &str) -> Option<DialOutcome> {
    match number.chars().rev().find(char::is_ascii_digit) {
        Some('0') | None => None,
        Some('7') => Some(DialOutcome::Busy),
        Some('8') => Some(DialOutcome::NoAnswer),
        Some('9') => Some(DialOutcome::WrongNumber),
        Some(_) => Some(DialOutcome::Answered),
    }
}

/// The dials in progress and when each answers.
#[derive(Debug, Default)]
pub struct Dialler {
    ring_ms: u64,
    /// Per record being dialled: when it answers and how (none: waits).
    pending: BTreeMap<RecordId, (ServerTime, Option<DialOutcome>)>,
}

impl Dialler {
    /// A dialler whose numbers ring `ring_ms` before answering.
    pub fn new(ring_ms: u64) -> Dialler {
        Dialler { ring_ms, pending: BTreeMap::new() }
    }

    /// Learns the dials in progress: a new one rings from when it began
    /// (`started`, else `now`), so one the dialler first sees after a
    /// restart answers at its own time; one that ended is forgotten.
    pub fn track(&mut self, now: ServerTime, dialling: &[(RecordId, String)], started: impl Fn(RecordId) -> Option<ServerTime>) {
        self.pending.retain(|record, _| dialling.iter().any(|(r, _)| r == record));
        for (record, number) in dialling {
            self.pending.entry(*record).or_insert_with(|| (started(*record).unwrap_or(now).plus(self.ring_ms), outcome_for(number)));
        }
    }

    /// The answers due at `now`, taken, earliest first, each with the time
    /// it fell due.
    pub fn due(&mut self, now: ServerTime) -> Vec<(RecordId, DialOutcome, ServerTime)> {
        let mut due: Vec<(RecordId, DialOutcome, ServerTime)> =
            self.pending.iter().filter(|(_, (at, _))| *at <= now).filter_map(|(r, (at, o))| Some((*r, (*o)?, *at))).collect();
        due.sort_by_key(|(_, _, at)| *at);
        for (record, _, _) in &due {
            self.pending.remove(record);
        }
        due
    }

    /// When the next answer is due.
    pub fn next(&self) -> Option<ServerTime> {
        self.pending.values().filter(|(_, outcome)| outcome.is_some()).map(|(at, _)| *at).min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_digit_decides_and_zero_waits_for_the_simulator() {
        assert_eq!(outcome_for("+46 8 555 0101"), Some(DialOutcome::Answered));
        assert_eq!(outcome_for("+46 8 555 0107"), Some(DialOutcome::Busy));
        assert_eq!(outcome_for("+46 8 555 0108"), Some(DialOutcome::NoAnswer));
        assert_eq!(outcome_for("+46 8 555 0109 #"), Some(DialOutcome::WrongNumber));
        assert_eq!(outcome_for("+46 8 555 0100"), None);
    }

    #[test]
    fn an_answer_is_due_after_the_ring_and_only_once() {
        let mut dialler = Dialler::new(1_000);
        let dials = [(RecordId(1), "555 0101".to_owned()), (RecordId(2), "555 0100".to_owned())];
        dialler.track(ServerTime(0), &dials, |_| None);
        assert_eq!(dialler.next(), Some(ServerTime(1_000)));
        assert!(dialler.due(ServerTime(999)).is_empty());
        assert_eq!(dialler.due(ServerTime(1_000)), vec![(RecordId(1), DialOutcome::Answered, ServerTime(1_000))]);
        // The center applied the answer: only the waiting dial is left.
        dialler.track(ServerTime(1_000), &dials[1..], |_| None);
        assert!(dialler.due(ServerTime(5_000)).is_empty(), "a dial that answered is not answered twice, one that waits is not due");
        dialler.track(ServerTime(5_000), &[], |_| None);
        assert_eq!(dialler.next(), None);
    }

    #[test]
    fn a_dial_rings_from_when_it_began_and_answers_come_earliest_first() {
        let mut dialler = Dialler::new(1_000);
        let dials = [(RecordId(1), "555 0101".to_owned()), (RecordId(2), "555 0107".to_owned())];
        // First seen at 9 s (a restart), dialled at 3 s and 2 s.
        dialler.track(ServerTime(9_000), &dials, |r| Some(ServerTime(if r == RecordId(1) { 3_000 } else { 2_000 })));
        assert_eq!(dialler.next(), Some(ServerTime(3_000)));
        assert_eq!(
            dialler.due(ServerTime(9_000)),
            vec![(RecordId(2), DialOutcome::Busy, ServerTime(3_000)), (RecordId(1), DialOutcome::Answered, ServerTime(4_000))]
        );
    }
}
