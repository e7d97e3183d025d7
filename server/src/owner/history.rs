//! The owner's side of the status history (SPEC S6): who a report covers,
//! pages of their history read from the store, and pruning by retention.
//! The report itself (intervals, labels, JSON and CSV) is made off the owner
//! thread, in `crate::reports`.

use super::State;
use crate::store::{HistoryCursor, HistoryPage};
use ringside::model::profile::StatusDef;
use ringside::model::{ServerTime, TeamId, UserId};
use std::sync::Arc;
use tokio::sync::oneshot;

/// The most rows one page of history holds: a page is one short read on
/// the owner thread, between other inputs.
const HISTORY_PAGE_ROWS: usize = 1_000;

/// Whose history.
#[derive(Debug, Clone)]
pub enum ReportScope {
    /// One user.
    User(UserId),
    /// Every member of a team.
    Team(TeamId),
}

/// Who a report covers and what it needs to label its rows.
#[derive(Debug, Clone)]
pub struct ScopeAnswer {
    /// The users, in the order their rows come.
    pub users: Arc<[UserId]>,
    /// The profile's status catalogue (labels and colours, SPEC S1).
    pub statuses: Vec<StatusDef>,
    /// The server's time now: a status still held ends here.
    pub now: ServerTime,
}

/// One page of history asked for.
#[derive(Debug, Clone)]
pub struct PageRequest {
    /// Whose, as the scope answered.
    pub users: Arc<[UserId]>,
    /// The range's start.
    pub from: ServerTime,
    /// The range's end.
    pub to: ServerTime,
    /// Where the page starts.
    pub cursor: HistoryCursor,
}

/// A read for a report, with where its answer goes.
#[derive(Debug)]
pub enum ReportRead {
    /// Who a report covers.
    Scope(ReportScope, oneshot::Sender<Result<ScopeAnswer, ReportFailure>>),
    /// One page of their history.
    Page(PageRequest, oneshot::Sender<Result<HistoryPage, ReportFailure>>),
}

impl ReportRead {
    /// Answers `unavailable` (the owner did not read).
    pub(super) fn refuse(self) {
        match self {
            ReportRead::Scope(_, reply) => {
                let _ = reply.send(Err(ReportFailure::Unavailable));
            }
            ReportRead::Page(_, reply) => {
                let _ = reply.send(Err(ReportFailure::Unavailable));
            }
        }
    }
}

/// Why a report was not made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFailure {
    /// No such team.
    UnknownTeam,
    /// The store could not be read.
    Unavailable,
}

/// Rows one pruning step deletes at most: about 10 ms of the owner's time
/// (10,000 took over 100 ms, which every command behind it would wait).
const PRUNE_STEP: usize = 1_000;

/// The pause between steps while old rows remain: 4,000 rows a second at
/// most, several times what a busy center writes, at a few percent of the
/// owner's time.
const PRUNE_CATCH_UP_MS: u64 = 250;

/// How often the history is pruned while it has nothing old to delete.
const PRUNE_EVERY_MS: u64 = 3_600_000;

impl State {
    /// Deletes history older than the retention, one bounded step when due
    /// (at most hourly, or again shortly while old rows remain).
    pub(super) fn prune_history_if_due(&mut self) {
        let now = self.now();
        if self.history_retention_ms == 0 || now < self.next_prune {
            return;
        }
        let before = ServerTime(now.0.saturating_sub(self.history_retention_ms));
        let pause = match self.store.history().prune_history(before, PRUNE_STEP) {
            Ok(deleted) if deleted == PRUNE_STEP => PRUNE_CATCH_UP_MS,
            Ok(_) => PRUNE_EVERY_MS,
            Err(e) => {
                tracing::warn!(error = %e, "pruning the status history failed");
                PRUNE_EVERY_MS
            }
        };
        self.next_prune = now.plus(pause);
    }

    /// Reads for a report and answers at once.
    pub(super) fn report_read(&mut self, read: ReportRead) {
        match read {
            ReportRead::Scope(scope, reply) => {
                let _ = reply.send(self.report_scope(scope));
            }
            ReportRead::Page(request, reply) => {
                let _ = reply.send(self.history_page(&request));
            }
        }
    }

    /// The users a report covers, with the catalogue and the time now.
    fn report_scope(&mut self, scope: ReportScope) -> Result<ScopeAnswer, ReportFailure> {
        let users = match scope {
            ReportScope::User(user) => vec![user],
            ReportScope::Team(team) if self.center.directory().teams.contains_key(&team) => self.center.team_members(&team),
            ReportScope::Team(_) => return Err(ReportFailure::UnknownTeam),
        };
        Ok(ScopeAnswer { users: users.into(), statuses: self.center.profile().statuses.clone(), now: self.now() })
    }

    /// One page of the stored history.
    fn history_page(&mut self, request: &PageRequest) -> Result<HistoryPage, ReportFailure> {
        self.store.history().status_page(&request.users, request.from, request.to, request.cursor, HISTORY_PAGE_ROWS).map_err(|e| {
            tracing::error!(error = %e, "the status history cannot be read");
            ReportFailure::Unavailable
        })
    }
}
