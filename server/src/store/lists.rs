//! The calling lists of the outbound campaigns (SPEC P2-P8, W1-W7): what
//! every store does with them, whatever its database. They live in their
//! own tables beside the log, never in the center's snapshot:
//!
//! | table | rows |
//! | --- | --- |
//! | `records` | `(id, campaign, status, due, agent, kind, body)`: one per record; `body` is the record's JSON |
//! | `record_numbers` | `(number, record)`: every number of every record, normalised, for do-not-call |
//! | `do_not_call` | `(number)`: numbers never to be called again, in any campaign |
//!
//! The center's changes ([`ListWrite`]) are written in the transaction of
//! the log records of the inputs that caused them, so the lists and the
//! center never disagree, across a crash too. An import is validated into
//! a staging file first and published in one transaction: nothing
//! half-imported. Each store runs the queries ([`ListQuery`],
//! [`ListWriter`]); the choices between their answers are made here once.

use super::StoreError;
use ringside::center::ListWrite;
use ringside::model::campaign::{normalize_number, CallbackKind, CallingRecord, PreviewOrigin, RecordStatus};
use ringside::model::{CampaignId, RecordId, ServerTime, UserId};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Which records an administrator lists.
#[derive(Debug, Clone, Default)]
pub struct RecordFilter {
    /// The campaign.
    pub campaign: CampaignId,
    /// Only records in this status.
    pub status: Option<RecordStatus>,
    /// Only records after this id (paging).
    pub after: Option<RecordId>,
    /// At most this many.
    pub limit: usize,
}

/// The calling lists, as the owner uses them.
pub trait CallingLists {
    /// The record `agent` should preview next from `campaigns`, skipping
    /// `skip`: its own personal callbacks that are due (W5), then campaign
    /// callbacks that are due, then the first ready record of the lists
    /// (P2); records it rejected lately are passed over (W7).
    fn next_record(
        &mut self,
        agent: &UserId,
        campaigns: &[CampaignId],
        now: ServerTime,
        skip: &BTreeSet<RecordId>,
    ) -> Result<Option<(CallingRecord, PreviewOrigin)>, StoreError>;

    /// Publishes a validated import from its staging file (see
    /// `campaigns::import::stage`) in one transaction; returns how many records.
    fn publish_import(&mut self, campaign: &CampaignId, staging: &Path) -> Result<u64, StoreError>;

    /// Records by filter, in id order.
    fn list(&mut self, filter: &RecordFilter) -> Result<Vec<CallingRecord>, StoreError>;

    /// How many records of a campaign are in each status.
    fn counts(&mut self, campaign: &CampaignId) -> Result<BTreeMap<String, u64>, StoreError>;

    /// Scheduled callbacks of `campaign` due before `due_before` were not
    /// processed within the stale limit: marked stale (P8).
    fn sweep_stale(&mut self, campaign: &CampaignId, due_before: ServerTime) -> Result<u64, StoreError>;

    /// The earliest callback time after `after`: when to look again.
    fn next_due(&mut self, after: ServerTime) -> Result<Option<ServerTime>, StoreError>;

    /// Whether `number` (in `normalize_number`'s form) is on the
    /// do-not-call list.
    fn is_do_not_call(&mut self, number: &str) -> Result<bool, StoreError>;
}

fn status_of(text: &str) -> Result<RecordStatus, StoreError> {
    RecordStatus::parse(text).ok_or_else(|| StoreError::Corrupt(format!("record status {text:?}")))
}

/// A record from its row: the columns are the truth for what they hold.
pub(super) fn decode(id: i64, campaign: String, status: &str, body: &str) -> Result<CallingRecord, StoreError> {
    let mut record: CallingRecord = serde_json::from_str(body)?;
    record.id = RecordId(id as u64);
    record.campaign = CampaignId(campaign);
    record.status = status_of(status)?;
    Ok(record)
}

/// The columns a record is read from, in [`decode`]'s order.
pub(super) const COLUMNS: &str = "id, campaign, status, body";

/// The candidates [`next_record`] looks at, each read in its order until
/// one fits.
pub(super) enum ListQuery<'a> {
    /// `agent`'s personal callbacks due at `now`, by due time.
    PersonalDue { now: ServerTime, agent: &'a UserId },
    /// Campaign callbacks due at `now`, by due time.
    CampaignDue { now: ServerTime },
    /// The ready records of one campaign, in id order.
    Ready { campaign: &'a CampaignId },
}

/// Runs one [`ListQuery`] and answers its first record that `fits`.
pub(super) type FirstFitting<'q> = dyn FnMut(ListQuery<'_>, &dyn Fn(&CallingRecord) -> bool) -> Result<Option<CallingRecord>, StoreError> + 'q;

/// The record `agent` previews next ([`CallingLists::next_record`]), with
/// `first` running the queries.
pub(super) fn next_record(
    first: &mut FirstFitting<'_>,
    agent: &UserId,
    campaigns: &[CampaignId],
    now: ServerTime,
    skip: &BTreeSet<RecordId>,
) -> Result<Option<(CallingRecord, PreviewOrigin)>, StoreError> {
    let fits = |r: &CallingRecord| campaigns.contains(&r.campaign) && !skip.contains(&r.id) && !r.rejected_by.contains(agent);
    if let Some(record) = first(ListQuery::PersonalDue { now, agent }, &|r| campaigns.contains(&r.campaign) && !skip.contains(&r.id))? {
        return Ok(Some((record, PreviewOrigin::PersonalCallback)));
    }
    if let Some(record) = first(ListQuery::CampaignDue { now }, &fits)? {
        return Ok(Some((record, PreviewOrigin::Callback)));
    }
    // The first ready record over the campaigns: each list's head, in id order.
    let mut found: Option<CallingRecord> = None;
    for campaign in campaigns {
        if let Some(record) = first(ListQuery::Ready { campaign }, &fits)? {
            if found.as_ref().is_none_or(|f| record.id < f.id) {
                found = Some(record);
            }
        }
    }
    Ok(found.map(|r| (r, PreviewOrigin::Campaign)))
}

/// A record's row as the center's change leaves it.
pub(super) struct RecordRow {
    /// The record's id.
    pub id: i64,
    /// Its status's name.
    pub status: &'static str,
    /// When a scheduled callback is due.
    pub due: Option<i64>,
    /// Whose personal callback it is.
    pub agent: Option<String>,
    /// `personal` or `campaign`, for a scheduled callback.
    pub kind: Option<&'static str>,
    /// The record's JSON.
    pub body: String,
}

/// The writes of [`apply_writes`], in one store's transaction.
pub(super) trait ListWriter {
    /// Notes the (normalised) numbers of a record, once each.
    fn add_numbers(&mut self, record: i64, numbers: &[String]) -> Result<(), StoreError>;
    /// Whether one of `numbers` is on the do-not-call list.
    fn any_do_not_call(&mut self, numbers: &[String]) -> Result<bool, StoreError>;
    /// Writes the record's row.
    fn update_record(&mut self, row: RecordRow) -> Result<(), StoreError>;
    /// Puts `number` on the do-not-call list and takes every waiting
    /// (ready or scheduled) record with it out of its list (P6).
    fn block_number(&mut self, number: &str) -> Result<(), StoreError>;
}

/// Writes the center's changes to the lists, inside the commit's
/// transaction. A record that goes back to the list (ready or scheduled)
/// with a number on the do-not-call list is written do-not-call instead.
pub(super) fn apply_writes(writer: &mut dyn ListWriter, writes: &[ListWrite]) -> Result<(), StoreError> {
    for write in writes {
        match write {
            ListWrite::Record(record) => {
                let mut status = record.status;
                let numbers: Vec<String> = record.chain.iter().map(|n| normalize_number(n)).collect();
                writer.add_numbers(record.id.0 as i64, &numbers)?;
                if matches!(status, RecordStatus::Ready | RecordStatus::Scheduled) && writer.any_do_not_call(&numbers)? {
                    status = RecordStatus::DoNotCall;
                }
                let schedule = record.schedule.as_ref().filter(|_| status == RecordStatus::Scheduled);
                writer.update_record(RecordRow {
                    id: record.id.0 as i64,
                    status: status.name(),
                    due: schedule.map(|s| s.at.0 as i64),
                    agent: record.agent.as_ref().map(|a| a.as_str().to_owned()),
                    kind: schedule.map(|s| match s.kind {
                        CallbackKind::Personal => "personal",
                        CallbackKind::Campaign => "campaign",
                    }),
                    body: serde_json::to_string(record)?,
                })?;
            }
            ListWrite::DoNotCall(numbers) => {
                for number in numbers {
                    writer.block_number(number)?;
                }
            }
        }
    }
    Ok(())
}
