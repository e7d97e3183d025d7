//! The status history (SPEC S6): every status change, primary and
//! secondary, in its own table beside the log, kept beyond the resume log
//! for reports, pruned by a retention setting.
//!
//! | table | rows |
//! | --- | --- |
//! | `status_history` | `(user, at, status, secondary, automatic)`: one per change, `automatic` when auto-away set it |
//!
//! Rows are written in the transaction of the log records whose events they
//! come from, so a report never shows a change the center does not hold.
//! They are read a bounded page at a time through the owner's connection,
//! so a page keeps each read short. Each store runs the two reads
//! ([`HistoryReads`]); [`page`] makes the pages of them.

use super::StoreError;
use ringside::model::{SecondaryId, ServerTime, StatusId, UserId};

/// One status change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusRow {
    /// Whose status.
    pub user: UserId,
    /// When it changed.
    pub at: ServerTime,
    /// The new primary status.
    pub status: StatusId,
    /// Its secondary status.
    pub secondary: Option<SecondaryId>,
    /// Whether auto-away set it (S11).
    pub automatic: bool,
}

/// Where a page of the history ended; the next page reads on from there.
/// The default is the start of the first page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HistoryCursor {
    /// The index, among the users asked for, of the user being read.
    pub(super) user: usize,
    /// That user's last row read, by time and then by its place in the
    /// store; none before its first row.
    pub(super) last: Option<(i64, i64)>,
}

/// One page of the status history.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryPage {
    /// The rows, by user (in the order asked for) then time.
    pub rows: Vec<StatusRow>,
    /// Where the next page starts; none after the last page.
    pub next: Option<HistoryCursor>,
}

/// The status history, as the owner uses it.
pub trait StatusHistory {
    /// The changes of `users` that matter for `[from, to]`: for each user
    /// the last change at or before `from` (the status in force then) and
    /// every change after it up to `to`, by user then time. One page of at
    /// most `limit` rows, visiting at most `limit` users, from `cursor`, so
    /// that no read holds the owner long.
    fn status_page(&mut self, users: &[UserId], from: ServerTime, to: ServerTime, cursor: HistoryCursor, limit: usize) -> Result<HistoryPage, StoreError>;

    /// Deletes at most `limit` changes older than `before`; how many went.
    fn prune_history(&mut self, before: ServerTime, limit: usize) -> Result<usize, StoreError>;
}

/// A change with its place in the table (the key a page ends at, after its time).
pub(super) type Placed = (i64, StatusRow);

/// The two reads a page is made of, run by one store.
pub(super) trait HistoryReads {
    /// `user`'s last change at or before `from`.
    fn in_force(&mut self, user: &UserId, from: i64) -> Result<Option<Placed>, StoreError>;
    /// At most `room` changes of `user` in `(from, to]` after `(at, place)` `last`, in that order.
    fn during(&mut self, user: &UserId, from: i64, to: i64, last: (i64, i64), room: usize) -> Result<Vec<Placed>, StoreError>;
}

/// One page of [`StatusHistory::status_page`], read through `reads`.
pub(super) fn page(
    reads: &mut dyn HistoryReads,
    users: &[UserId],
    from: ServerTime,
    to: ServerTime,
    mut cursor: HistoryCursor,
    limit: usize,
) -> Result<HistoryPage, StoreError> {
    let (from, to) = (from.0 as i64, to.0 as i64);
    let limit = limit.max(1);
    let mut rows = Vec::new();
    let mut visited = 0;
    while rows.len() < limit && visited < limit {
        let Some(user) = users.get(cursor.user) else { break };
        visited += 1;
        let last = match cursor.last {
            Some(last) => last,
            None => match reads.in_force(user, from)? {
                Some((place, row)) => {
                    let key = (row.at.0 as i64, place);
                    rows.push(row);
                    key
                }
                None => (i64::MIN, i64::MIN),
            },
        };
        cursor.last = Some(last);
        let room = limit - rows.len();
        let found = reads.during(user, from, to, last, room)?;
        let full = found.len() == room;
        if let Some((place, row)) = found.last() {
            cursor.last = Some((row.at.0 as i64, *place));
        }
        rows.extend(found.into_iter().map(|(_, row)| row));
        if !full {
            cursor = HistoryCursor { user: cursor.user + 1, last: None };
        }
    }
    let next = (cursor.user < users.len()).then_some(cursor);
    Ok(HistoryPage { rows, next })
}
