//! The owner's side of the outbound campaigns (SPEC P2-P8, W5): pushing
//! previews from the calling lists to the agents who want one, the
//! simulated dialler's answers, callbacks that went stale in the lists, and
//! the administrators' requests.
//!
//! After every batch the owner asks the center who wants a preview and, for
//! each, the lists for the next record; each record found goes in as a
//! logged `PushPreview` input, and its new status is written in that
//! input's commit. The lists are asked again only when something may have
//! changed: the wanting agents, a list write, an import, a campaign change,
//! or a callback coming due.

use super::batch::{Batch, Delivery};
use super::State;
use crate::dialler::Dialler;
use crate::store::{RecordFilter, StoreError};
use ringside::center::{Input as CenterInput, Outcome};
use ringside::model::campaign::{normalize_number, CallingRecord, Campaign};
use ringside::model::error::Refusal;
use ringside::model::state::CommandKind;
use ringside::model::{Actor, CampaignId, CommandError, RecordId, ServerTime, UserId};
use std::collections::BTreeSet;
use std::path::PathBuf;
use tokio::sync::oneshot;

/// How often scheduled callbacks in the lists are checked for staleness.
const SWEEP_EVERY_MS: u64 = 1_000;

/// An administrator's request about campaigns (the `/admin/` endpoints).
#[derive(Debug)]
pub enum AdminRequest {
    /// Create or replace a campaign; `running` is kept from the stored one.
    SaveCampaign(Box<Campaign>),
    /// Start or stop a campaign.
    SetRunning(CampaignId, bool),
    /// Every campaign with its record counts per status.
    Campaigns,
    /// One campaign.
    Campaign(CampaignId),
    /// Publish a validated import from its staging file.
    Publish {
        /// The campaign.
        campaign: CampaignId,
        /// The staging file.
        staging: PathBuf,
    },
    /// Records by filter.
    Records(RecordFilter),
}

/// The answer to an [`AdminRequest`].
#[derive(Debug)]
pub enum AdminReply {
    /// The campaign as saved.
    Campaign(Box<Campaign>),
    /// Every campaign, with counts.
    Campaigns(serde_json::Value),
    /// How many records an import added.
    Imported(u64),
    /// Records.
    Records(Vec<CallingRecord>),
}

/// Why an admin request failed.
#[derive(Debug)]
pub enum AdminFailure {
    /// The center refused it.
    Refused(CommandError),
    /// No such campaign.
    NoCampaign(CampaignId),
    /// The change could not be stored; nothing changed.
    Unavailable,
}

/// Where the owner is with the campaigns.
#[derive(Debug)]
pub(super) struct Outbound {
    dialler: Dialler,
    /// Who wanted a preview when the lists were last asked.
    last_wanted: Vec<(UserId, Vec<CampaignId>)>,
    /// Something changed that may give a wanting agent a record.
    dirty: bool,
    /// The next callback time in the lists after the last look.
    next_due: Option<ServerTime>,
    next_sweep: ServerTime,
}

impl Outbound {
    pub(super) fn new(ring_ms: u64) -> Outbound {
        Outbound { dialler: Dialler::new(ring_ms), last_wanted: Vec::new(), dirty: true, next_due: None, next_sweep: ServerTime(0) }
    }
}

impl State {
    /// A dial to a number on the do-not-call list, refused before the
    /// center sees it (P6): the list is the store's, not the center's. The
    /// rules refuse a dial of the record marked do-not-call itself.
    pub(super) fn dial_blocked(&mut self, actor: &Actor, kind: &CommandKind) -> Option<Refusal> {
        let CommandKind::Dial { record, number } = kind else { return None };
        // A dial of a record the agent does not hold is the center's to refuse.
        let number = self.center.agent(&actor.user)?.outbound_work(*record)?.record.number_to_dial(number.as_deref())?.to_owned();
        match self.store.lists().is_do_not_call(&normalize_number(&number)) {
            Ok(false) => None,
            Ok(true) => Some(Refusal { code: "bad_argument".into(), message: format!("{number} is on the do-not-call list; it is never dialled") }),
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the do-not-call list");
                Some(Refusal { code: "unavailable".into(), message: "the do-not-call list could not be read; nothing was applied, resend".into() })
            }
        }
    }

    /// When the campaigns next need the owner: a dial answer or a callback.
    pub(super) fn campaign_deadline(&self) -> Option<ServerTime> {
        let sweep = self.center.campaigns().next().is_some().then_some(self.outbound.next_sweep);
        [self.outbound.dialler.next(), self.outbound.next_due, sweep].into_iter().flatten().min()
    }

    /// Applies the dial answers that are due and pushes previews, then
    /// commits and delivers them as one more batch.
    pub(super) fn campaign_work(&mut self) {
        // Most centers run no campaign: nothing to look at after a batch.
        if self.center.campaigns().next().is_none() {
            return;
        }
        let mut batch = Batch::default();
        let now = self.now();
        for (record, outcome, _) in self.outbound.dialler.due(now) {
            self.apply(&mut batch, CenterInput::DialAnswers { record, outcome });
        }
        if let Err(e) = self.sweep_and_push(&mut batch, now) {
            tracing::error!(error = %e, "the calling lists cannot be read");
        }
        self.track_dials(now);
        if batch.inputs > 0 || !batch.records.is_empty() {
            self.outbound.dirty |= !batch.list_writes.is_empty();
            self.finish(batch);
        }
    }

    /// At start (a restart or a take-over): the simulated network's answers
    /// that fell due while no owner ran, each applied at its own time, so
    /// the center's deadlines before it fire first and those after it (a
    /// dial's timeout among them) do not fire in its place.
    pub(super) fn answer_dials_missed(&mut self, batch: &mut Batch) {
        let now = self.now();
        self.track_dials(now);
        for (record, outcome, at) in self.outbound.dialler.due(now) {
            self.apply_at(batch, at, CenterInput::DialAnswers { record, outcome });
        }
    }

    fn track_dials(&mut self, now: ServerTime) {
        let dialling = self.center.dialling();
        let center = &self.center;
        self.outbound.dialler.track(now, &dialling, |record| center.dial_started(record));
    }

    fn sweep_and_push(&mut self, batch: &mut Batch, now: ServerTime) -> Result<(), StoreError> {
        if now >= self.outbound.next_sweep {
            self.outbound.next_sweep = now.plus(SWEEP_EVERY_MS);
            let limits: Vec<(CampaignId, u64)> = self.center.campaigns().map(|c| (c.id.clone(), c.stale_limit_ms)).collect();
            for (campaign, limit) in limits {
                let swept = self.store.lists().sweep_stale(&campaign, ServerTime(now.0.saturating_sub(limit)))?;
                if swept > 0 {
                    tracing::info!(%campaign, callbacks = swept, "callbacks went stale in the list (P8)");
                }
            }
        }
        if self.outbound.next_due.is_some_and(|due| due <= now) {
            self.outbound.dirty = true;
        }
        let wanted = self.center.preview_wanted();
        if !self.outbound.dirty && wanted == self.outbound.last_wanted {
            return Ok(());
        }
        self.outbound.dirty = false;
        let mut claimed = BTreeSet::<RecordId>::new();
        for (agent, campaigns) in &wanted {
            let Some((record, origin)) = self.store.lists().next_record(agent, campaigns, now, &claimed)? else { continue };
            claimed.insert(record.id);
            batch.inputs += 1;
            self.apply(batch, CenterInput::PushPreview { agent: agent.clone(), record: Box::new(record), origin });
        }
        // Those who got a record want none now; those who did not are
        // asked again only when something changes.
        self.outbound.last_wanted = self.center.preview_wanted();
        self.outbound.next_due = self.store.lists().next_due(now)?;
        Ok(())
    }

    /// Answers an admin request (after the commit, like a command).
    pub(super) fn admin(&mut self, batch: &mut Batch, request: AdminRequest, reply: oneshot::Sender<Result<AdminReply, AdminFailure>>) {
        let answer = self.admin_answer(batch, request);
        batch.deliveries.push(Delivery::Admin(reply, answer));
    }

    fn admin_answer(&mut self, batch: &mut Batch, request: AdminRequest) -> Result<AdminReply, AdminFailure> {
        let stored = |e: StoreError| {
            tracing::error!(error = %e, "a calling-list request failed");
            AdminFailure::Unavailable
        };
        match request {
            AdminRequest::SaveCampaign(mut campaign) => {
                campaign.running = self.center.campaign(&campaign.id).is_some_and(|c| c.running);
                self.save(batch, *campaign)
            }
            AdminRequest::SetRunning(id, running) => {
                let mut campaign = self.center.campaign(&id).cloned().ok_or(AdminFailure::NoCampaign(id))?;
                campaign.running = running;
                self.save(batch, campaign)
            }
            AdminRequest::Campaigns => {
                let campaigns: Vec<Campaign> = self.center.campaigns().cloned().collect();
                let mut listed = Vec::new();
                for campaign in campaigns {
                    let counts = self.store.lists().counts(&campaign.id).map_err(stored)?;
                    listed.push(serde_json::json!({ "campaign": campaign, "records": counts }));
                }
                Ok(AdminReply::Campaigns(serde_json::Value::Array(listed)))
            }
            AdminRequest::Campaign(id) => {
                let campaign = self.center.campaign(&id).cloned().ok_or(AdminFailure::NoCampaign(id))?;
                Ok(AdminReply::Campaign(Box::new(campaign)))
            }
            AdminRequest::Publish { campaign, staging } => {
                if self.center.campaign(&campaign).is_none() {
                    return Err(AdminFailure::NoCampaign(campaign));
                }
                let count = self.store.lists().publish_import(&campaign, &staging).map_err(stored)?;
                self.outbound.dirty = true;
                Ok(AdminReply::Imported(count))
            }
            AdminRequest::Records(filter) => {
                if self.center.campaign(&filter.campaign).is_none() {
                    return Err(AdminFailure::NoCampaign(filter.campaign));
                }
                Ok(AdminReply::Records(self.store.lists().list(&filter).map_err(stored)?))
            }
        }
    }

    fn save(&mut self, batch: &mut Batch, campaign: Campaign) -> Result<AdminReply, AdminFailure> {
        let id = campaign.id.clone();
        match self.apply(batch, CenterInput::SaveCampaign { campaign: Box::new(campaign) }) {
            Some(Outcome::Done(Ok(()))) => {
                self.outbound.dirty = true;
                let saved = self.center.campaign(&id).cloned().ok_or(AdminFailure::Unavailable)?;
                Ok(AdminReply::Campaign(Box::new(saved)))
            }
            Some(Outcome::Done(Err(e))) => Err(AdminFailure::Refused(e)),
            _ => Err(AdminFailure::Unavailable),
        }
    }
}
