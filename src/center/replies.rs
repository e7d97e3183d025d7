//! The memory of applied command ids (SPEC N1, N8): a repeated id gets the
//! first ack again and changes nothing.
//!
//! Only acks are remembered. A refused command changed nothing, so judging a
//! repeat of it again can still apply it at most once; remembering refusals
//! would make every refused command a write. The memory is bounded per user
//! in entries and in bytes, so no client can grow it.

use crate::model::{CommandId, Seq, UserId};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};

/// How many acks per user are kept. A client resends only commands it has
/// not had an answer to, far fewer than this.
pub const REMEMBERED_ACKS: usize = 64;

/// How many bytes of command ids per user are kept.
pub const REMEMBERED_ID_BYTES: usize = 4 * 1024;

/// The last acks of each user.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub(super) struct Remembered(BTreeMap<UserId, VecDeque<(CommandId, Seq)>>);

impl Remembered {
    /// The ack `user` got for `id`, if it is still remembered.
    pub(super) fn find(&self, user: &UserId, id: &CommandId) -> Option<Seq> {
        let wanted = id.0.as_bytes();
        // Ids from one client usually differ in their last characters (a
        // counter): comparing length and last byte first skips most of the
        // full comparisons on this path, taken by every command.
        let alike = |seen: &CommandId| seen.0.len() == wanted.len() && seen.0.as_bytes().last() == wanted.last();
        self.0.get(user)?.iter().find(|(seen, _)| alike(seen) && seen == id).map(|(_, seq)| *seq)
    }

    /// Remembers an ack, forgetting the oldest beyond either bound.
    pub(super) fn remember(&mut self, user: &UserId, id: CommandId, seq: Seq) {
        let acks = self.0.entry(user.clone()).or_default();
        acks.push_back((id, seq));
        let mut bytes: usize = acks.iter().map(|(id, _)| id.0.len()).sum();
        while acks.len() > REMEMBERED_ACKS || (bytes > REMEMBERED_ID_BYTES && acks.len() > 1) {
            if let Some((dropped, _)) = acks.pop_front() {
                bytes -= dropped.0.len();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_memory_keeps_the_newest_acks_within_its_count_and_byte_bounds_spec_n8() {
        let mut memory = Remembered::default();
        let ana = UserId::from("ana");
        for n in 0..200u64 {
            memory.remember(&ana, CommandId(format!("c{n}")), Seq(n));
        }
        assert_eq!(memory.0[&ana].len(), REMEMBERED_ACKS);
        assert_eq!(memory.find(&ana, &CommandId::from("c199")), Some(Seq(199)));
        assert_eq!(memory.find(&ana, &CommandId::from("c0")), None);
        let long = "x".repeat(1000);
        for n in 0..10u64 {
            memory.remember(&ana, CommandId(format!("{long}{n}")), Seq(n));
        }
        let bytes: usize = memory.0[&ana].iter().map(|(id, _)| id.0.len()).sum();
        assert!(bytes <= REMEMBERED_ID_BYTES, "{bytes} bytes kept");
        assert_eq!(memory.find(&ana, &CommandId(format!("{long}9"))), Some(Seq(9)));
    }
}
