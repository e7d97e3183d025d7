//! Where each user's recent events are in the log, for resume (SPEC N2).
//!
//! Each entry says "from event `seq` on, this user's events are in record
//! `pos`"; the events themselves stay in the store. At most `keep` entries
//! per user are held, each covering at least one event, so memory is bounded
//! per user; entries for records the store has dropped are useless and go.

use ringside::model::{Seq, UserId};
use std::collections::{HashMap, VecDeque};

/// Per user, where its latest events were logged.
pub(super) struct ResumeIndex {
    by_user: HashMap<UserId, VecDeque<(Seq, u64)>>,
    keep: usize,
    first_kept: u64,
}

impl ResumeIndex {
    /// An empty index keeping `keep` entries per user.
    pub(super) fn new(keep: usize) -> ResumeIndex {
        ResumeIndex { by_user: HashMap::new(), keep: keep.max(1), first_kept: 0 }
    }

    /// Forgets everything (the center was reloaded).
    pub(super) fn clear(&mut self) {
        self.by_user.clear();
    }

    /// Records before `pos` are gone from the store.
    pub(super) fn set_first_kept(&mut self, pos: u64) {
        self.first_kept = pos;
    }

    /// `user`'s events from `first` on were logged in record `pos`.
    pub(super) fn note(&mut self, user: &UserId, first: Seq, pos: u64) {
        let entries = self.by_user.entry(user.clone()).or_default();
        // A record whose events interleave users notes a user more than
        // once; the first entry covers the rest (a second one would read
        // the record twice, and a resume would find its events doubled).
        if entries.back().is_some_and(|(_, p)| *p == pos) {
            return;
        }
        entries.push_back((first, pos));
        while entries.len() > self.keep || entries.front().is_some_and(|(_, p)| *p < self.first_kept) {
            entries.pop_front();
        }
    }

    /// The records holding `user`'s events `after + 1 ..= last`, oldest
    /// first, if the index still covers them all.
    pub(super) fn positions(&self, user: &UserId, after: Seq, last: Seq) -> Option<Vec<u64>> {
        if after >= last {
            return Some(Vec::new());
        }
        let entries = self.by_user.get(user)?;
        let wanted = Seq(after.0 + 1);
        // The newest entry starting at or before the first wanted event.
        let start = entries.iter().rposition(|(first, _)| *first <= wanted)?;
        let positions: Vec<u64> = entries.iter().skip(start).map(|(_, pos)| *pos).collect();
        positions.iter().all(|p| *p >= self.first_kept).then_some(positions)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // SPEC N2, SPEC N8: resume finds the missed events; the index is bounded per user.
    #[test]
    fn the_index_finds_the_records_of_a_range_and_forgets_beyond_its_bounds() {
        let ana = UserId::from("ana");
        let mut index = ResumeIndex::new(3);
        index.note(&ana, Seq(1), 10);
        index.note(&ana, Seq(3), 12);
        index.note(&ana, Seq(4), 15);
        assert_eq!(index.positions(&ana, Seq(0), Seq(5)), Some(vec![10, 12, 15]));
        assert_eq!(index.positions(&ana, Seq(2), Seq(5)), Some(vec![12, 15]), "events 3.. start in record 12");
        assert_eq!(index.positions(&ana, Seq(3), Seq(5)), Some(vec![15]));
        assert_eq!(index.positions(&ana, Seq(5), Seq(5)), Some(vec![]));
        index.note(&ana, Seq(6), 20);
        assert_eq!(index.positions(&ana, Seq(0), Seq(6)), None, "the first entry is forgotten");
        index.set_first_kept(13);
        assert_eq!(index.positions(&ana, Seq(2), Seq(6)), None, "record 12 was dropped");
        assert_eq!(index.positions(&UserId::from("ben"), Seq(0), Seq(1)), None);
    }

    // SPEC N2: a user's events in one record between other users' (a
    // supervisor logging out while monitoring) are read once.
    #[test]
    fn a_record_holding_a_users_events_in_several_runs_is_read_once() {
        let sue = UserId::from("sue");
        let mut index = ResumeIndex::new(8);
        index.note(&sue, Seq(4), 9);
        index.note(&sue, Seq(5), 10);
        index.note(&sue, Seq(7), 10);
        assert_eq!(index.positions(&sue, Seq(4), Seq(8)), Some(vec![10]));
        assert_eq!(index.positions(&sue, Seq(3), Seq(8)), Some(vec![9, 10]));
    }
}
