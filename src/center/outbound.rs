//! Push preview and callbacks in the center (SPEC P1-P8, W1-W7).
//!
//! The calling lists live with the host, not here: the host asks
//! [`Center::preview_wanted`] who could take a preview, picks the first
//! record for each from its list, and hands it in with
//! [`Center::push_preview`] (an input it logs, record and all, so a replay
//! needs no list). From then until the record leaves the agent, the record
//! lives in that agent's state, where replica and center judge it with the
//! same phase table. Every change the list must learn comes back as a
//! [`ListWrite`] from [`Center::poll_list_write`], to be stored with the
//! input that caused it.

use super::{Center, Timer};
use crate::model::campaign::{
    normalize_number, Campaign, CallbackKind, CallingRecord, DialOutcome, OutboundOutcome, OutboundWork, PreviewOrigin,
    RecordStatus, Schedule, REMEMBERED_REJECTIONS,
};
use crate::model::state::{CommandKind, EventKind, InteractionState, Origin};
use crate::model::{CampaignId, Channel, CommandError, ContactId, InteractionId, RecordId, ServerTime, UserId};
use crate::protocol::limits::MAX_CAMPAIGNS;
use serde::{Deserialize, Serialize};

/// How long a dialled campaign number may ring before the dial ends as
/// unanswered, when the network says nothing.
pub const DIAL_TIMEOUT_MS: u64 = 30_000;

/// How many records that went stale the center remembers, to answer a late
/// request with `record_stale` rather than `unknown_record` (P8).
pub const REMEMBERED_STALE: usize = 1024;

/// A change the calling list must store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListWrite {
    /// The record as it is now: writing it twice is writing it once.
    Record(Box<CallingRecord>),
    /// These numbers must never be called again, in any campaign (P6).
    DoNotCall(Vec<String>),
}

impl Center {
    /// Every campaign, in id order.
    pub fn campaigns(&self) -> impl Iterator<Item = &Campaign> {
        self.campaigns.values()
    }

    /// One campaign.
    pub fn campaign(&self, id: &CampaignId) -> Option<&Campaign> {
        self.campaigns.get(id)
    }

    /// The next change for the calling list, oldest first.
    pub fn poll_list_write(&mut self) -> Option<ListWrite> {
        self.list_writes.pop_front()
    }

    /// The records at agents now, with their agent.
    pub fn live_records(&self) -> impl Iterator<Item = (RecordId, &UserId)> {
        self.outbound.iter().map(|(record, agent)| (*record, agent))
    }

    /// The campaign numbers being dialled now: `(record, number)`.
    pub fn dialling(&self) -> Vec<(RecordId, String)> {
        self.outbound
            .iter()
            .filter_map(|(record, agent)| self.agent(agent)?.outbound_work(*record))
            .filter(|work| work.record.status == RecordStatus::Dialling)
            .filter_map(|work| Some((work.record.id, work.dialled.clone()?)))
            .collect()
    }

    /// Creates or replaces a campaign. Stopping one takes back the previews
    /// not yet accepted; records already owned are worked to the end.
    pub fn save_campaign(&mut self, now: ServerTime, campaign: Campaign) -> Result<(), CommandError> {
        self.handle_timeout(now);
        campaign.check().map_err(|_| CommandError::BadArgument { command: "save_campaign", detail: "the campaign is out of its bounds" })?;
        if !self.campaigns.contains_key(&campaign.id) && self.campaigns.len() >= MAX_CAMPAIGNS {
            return Err(CommandError::BadArgument { command: "save_campaign", detail: "the center holds as many campaigns as allowed (MAX_CAMPAIGNS)" });
        }
        let id = campaign.id.clone();
        let running = campaign.running;
        self.campaigns.insert(id.clone(), campaign);
        if !running {
            self.withdraw_previews_of(now, |work| work.record.campaign == id);
        }
        self.route(now);
        Ok(())
    }

    /// Takes back, from whichever agent has it, every preview not yet
    /// accepted that `taken` picks.
    fn withdraw_previews_of(&mut self, now: ServerTime, taken: impl Fn(&OutboundWork) -> bool) {
        let previews: Vec<(RecordId, UserId)> = self
            .outbound
            .iter()
            .filter(|(record, agent)| self.agent(agent).and_then(|a| a.outbound_work(**record)).is_some_and(|w| w.record.status == RecordStatus::Previewing && taken(w)))
            .map(|(record, agent)| (*record, agent.clone()))
            .collect();
        for (record, agent) in previews {
            self.return_record(now, &agent, record, OutboundOutcome::Withdrawn);
        }
    }

    /// The agents who could take a preview now, each with the campaigns it
    /// could come from: logged in and connected, routable with room on
    /// voice, media chosen (P1), not stopped (W1), no record at hand, and
    /// assigned to a running campaign on one of those media (P2).
    pub fn preview_wanted(&self) -> Vec<(UserId, Vec<CampaignId>)> {
        self.agents
            .values()
            .filter(|a| !a.state.preview_media.is_empty() && !a.state.preview_paused && a.state.outbound.is_empty())
            .filter(|a| self.can_take(a, Channel::Voice))
            .filter_map(|a| {
                let campaigns = self.campaigns_of(&a.state.agent, &a.state.preview_media);
                (!campaigns.is_empty()).then(|| (a.state.agent.clone(), campaigns))
            })
            .collect()
    }

    fn campaigns_of(&self, agent: &UserId, media: &[Channel]) -> Vec<CampaignId> {
        self.campaigns
            .values()
            .filter(|c| c.running && c.agents.contains(agent) && c.media.iter().any(|m| media.contains(m)))
            .map(|c| c.id.clone())
            .collect()
    }

    /// Pushes a record of the list to an agent as a preview (P2): the
    /// campaign indicator flashes until accept or reject. Refused when the
    /// agent no longer wants one or the record is already at an agent; a
    /// callback past its stale limit is written stale instead (P8).
    pub fn push_preview(&mut self, now: ServerTime, agent: &UserId, mut record: CallingRecord, origin: PreviewOrigin) -> Result<(), CommandError> {
        self.handle_timeout(now);
        const COMMAND: &str = "push_preview";
        let wanted = self.agents.get(agent).is_some_and(|a| {
            a.state.outbound.is_empty() && !a.state.preview_paused && self.can_take(a, Channel::Voice) && self.campaigns_of(agent, &a.state.preview_media).contains(&record.campaign)
        });
        if !wanted {
            return Err(CommandError::TargetUnavailable("that agent takes no preview now"));
        }
        if self.outbound.contains_key(&record.id) {
            return Err(CommandError::BadArgument { command: COMMAND, detail: "the record is already at an agent" });
        }
        let Some(campaign) = self.campaigns.get(&record.campaign) else { return Err(CommandError::TargetUnavailable("the record's campaign is gone")) };
        record.check(campaign).map_err(|_| CommandError::BadArgument { command: COMMAND, detail: "the record is out of its bounds" })?;
        let due = record.schedule.as_ref().map(|s| s.at);
        let stale_at = match (origin.is_callback(), due) {
            (true, Some(due)) => Some(due.plus(campaign.stale_limit_ms)),
            (true, None) => return Err(CommandError::BadArgument { command: COMMAND, detail: "a callback needs its time" }),
            (false, _) => None,
        };
        let personal_for = record.schedule.as_ref().and_then(|s| s.agent.as_ref());
        if origin == PreviewOrigin::PersonalCallback && personal_for != Some(agent) {
            return Err(CommandError::BadArgument { command: COMMAND, detail: "a personal callback goes to its own agent" });
        }
        if stale_at.is_some_and(|at| at <= now) {
            record.status = RecordStatus::Stale;
            self.list_writes.push_back(ListWrite::Record(Box::new(record.clone())));
            return Err(CommandError::RecordStale(record.id));
        }
        let deadline = now.plus(campaign.accept_timeout_ms);
        let brief = campaign.brief();
        record.status = RecordStatus::Previewing;
        record.agent = Some(agent.clone());
        // A callback rings the number it was rescheduled to (W2), which
        // joined the chain then.
        if let Some(at) = record.schedule.as_ref().and_then(|s| s.number.as_deref()).and_then(|n| record.position_of(n)) {
            record.active = at;
        }
        // The callback time is spent: from here its stale clock runs.
        record.schedule = None;
        let work = OutboundWork {
            record,
            campaign: brief,
            origin,
            since: now,
            deadline: Some(deadline),
            stale_at,
            interaction: None,
            dialled: None,
            dial_outcome: None,
            do_not_call: false,
        };
        let id = work.record.id;
        self.timers.insert((deadline, Timer::PreviewDeadline(id)));
        if let Some(at) = stale_at {
            self.timers.insert((at, Timer::RecordStale(id)));
        }
        self.outbound.insert(id, agent.clone());
        self.publish_work(now, agent, work);
        Ok(())
    }

    /// The network's answer to a campaign dial: answered, the call is
    /// connected (P5); otherwise the record waits for what the agent does
    /// next (P6), the outcome suggested as its call result.
    pub fn dial_answers(&mut self, now: ServerTime, record: RecordId, outcome: DialOutcome) -> Result<(), CommandError> {
        self.handle_timeout(now);
        let (agent, mut work) = self.live(record)?;
        if work.record.status != RecordStatus::Dialling {
            return Err(CommandError::InvalidTransition { command: "dial_answers", state: work.record.status.name() });
        }
        self.dial_over(now, &agent, &mut work, outcome);
        self.route(now);
        Ok(())
    }

    fn dial_over(&mut self, now: ServerTime, agent: &UserId, work: &mut OutboundWork, outcome: DialOutcome) {
        if let Some(deadline) = self.dial_deadline(work.record.id) {
            self.timers.remove(&(deadline, Timer::DialTimeout(work.record.id)));
        }
        work.dial_outcome = Some(outcome);
        if outcome == DialOutcome::Answered {
            let id = InteractionId(self.allocate_id());
            let contact = ContactId(self.allocate_id());
            let number = work.dialled.clone().unwrap_or_default();
            let limit = work.campaign.conference_limit;
            self.start_interaction(now, id, agent, None, contact, Channel::Voice, Origin::Campaign, None, number, limit);
            work.interaction = Some(id);
            work.record.status = RecordStatus::Connected;
        } else {
            work.record.status = RecordStatus::AfterCall;
            if work.campaign.results.iter().any(|r| r == outcome.name()) {
                work.record.result = Some(outcome.name().to_owned());
            }
        }
        self.publish_work(now, agent, work.clone());
    }

    fn dial_deadline(&self, record: RecordId) -> Option<ServerTime> {
        self.timers.iter().find(|(_, t)| *t == Timer::DialTimeout(record)).map(|(at, _)| *at)
    }

    /// When the dial in progress on `record` began: its timeout, less
    /// [`DIAL_TIMEOUT_MS`]. The network's ring counts from it, so a dial
    /// outlives a restart or a take-over with its own time.
    pub fn dial_started(&self, record: RecordId) -> Option<ServerTime> {
        self.dial_deadline(record).map(|deadline| ServerTime(deadline.0.saturating_sub(DIAL_TIMEOUT_MS)))
    }

    /// A record command, already judged: applies it.
    pub(super) fn record_command(&mut self, now: ServerTime, user: &UserId, kind: CommandKind) -> Result<(), CommandError> {
        let record = match &kind {
            CommandKind::AcceptPreview { record }
            | CommandKind::RejectPreview { record }
            | CommandKind::Dial { record, .. }
            | CommandKind::CancelRecord { record }
            | CommandKind::TransferRecord { record, .. }
            | CommandKind::EditRecord { record, .. }
            | CommandKind::AddChained { record, .. }
            | CommandKind::SetActive { record, .. }
            | CommandKind::UpdateRecord { record }
            | CommandKind::Reschedule { record, .. }
            | CommandKind::CancelReschedule { record }
            | CommandKind::CallResult { record, .. }
            | CommandKind::DoNotCall { record }
            | CommandKind::MarkDone { record, .. } => *record,
            _ => return Err(CommandError::BadArgument { command: kind.name(), detail: "not a record command" }),
        };
        let (_, mut work) = self.live(record)?;
        match kind {
            CommandKind::AcceptPreview { .. } => {
                if let Some(deadline) = work.deadline.take() {
                    self.timers.remove(&(deadline, Timer::PreviewDeadline(record)));
                }
                work.record.status = RecordStatus::Owned;
            }
            CommandKind::RejectPreview { .. } => {
                self.return_record(now, user, record, OutboundOutcome::Rejected);
                return Ok(());
            }
            CommandKind::CancelRecord { .. } => {
                self.return_record(now, user, record, OutboundOutcome::Cancelled);
                return Ok(());
            }
            CommandKind::Dial { number, .. } => {
                self.close_call(now, user, &mut work);
                let number = work.record.number_to_dial(number.as_deref()).unwrap_or_default().to_owned();
                work.dialled = Some(number);
                work.dial_outcome = None;
                // A result belongs to one attempt: the dialler's "busy" of
                // the last one is not the result of this one (P7).
                work.record.result = None;
                work.record.status = RecordStatus::Dialling;
                work.record.attempts = work.record.attempts.saturating_add(1);
                self.timers.insert((now.plus(DIAL_TIMEOUT_MS), Timer::DialTimeout(record)));
            }
            CommandKind::TransferRecord { agent, .. } => {
                self.close_call(now, user, &mut work);
                self.emit(now, user, EventKind::OutboundEnded { record, outcome: OutboundOutcome::Transferred });
                work.record.agent = Some(agent.clone());
                work.since = now;
                self.outbound.insert(record, agent.clone());
                self.publish_work(now, &agent, work);
                return Ok(());
            }
            CommandKind::EditRecord { fields, .. } => work.record.fields.extend(fields),
            CommandKind::AddChained { number, .. } => work.record.chain.push(number.trim().to_owned()),
            CommandKind::SetActive { index, .. } => work.record.active = index as usize,
            CommandKind::UpdateRecord { .. } => {
                self.list_writes.push_back(ListWrite::Record(Box::new(work.record.clone())));
                return Ok(());
            }
            CommandKind::Reschedule { at, number, personal, .. } => {
                let kind = if personal { CallbackKind::Personal } else { CallbackKind::Campaign };
                let number = number.map(|n| n.trim().to_owned());
                if let Some(new) = number.as_ref().filter(|n| work.record.position_of(n).is_none()) {
                    work.record.chain.push(new.clone());
                }
                work.record.schedule = Some(Schedule { at, kind, number, agent: personal.then(|| user.clone()) });
            }
            CommandKind::CancelReschedule { .. } => work.record.schedule = None,
            CommandKind::CallResult { result, .. } => work.record.result = Some(result),
            CommandKind::DoNotCall { .. } => {
                work.do_not_call = true;
                let numbers: Vec<String> = work.record.chain.iter().map(|n| normalize_number(n)).collect();
                // The same contact previewed at another agent (another
                // campaign's record) goes back to its list, which makes it
                // do-not-call, before anyone can accept and dial it (P6).
                self.withdraw_previews_of(now, |other| other.record.id != record && other.record.chain.iter().any(|n| numbers.contains(&normalize_number(n))));
                self.list_writes.push_back(ListWrite::DoNotCall(numbers));
            }
            CommandKind::MarkDone { stop, .. } => {
                self.close_call(now, user, &mut work);
                self.record_left(now, user, &work, OutboundOutcome::Done);
                let mut closed = work.record;
                closed.rejected_by.clear();
                closed.status = match (&closed.schedule, work.do_not_call) {
                    (_, true) => RecordStatus::DoNotCall,
                    (Some(_), false) => RecordStatus::Scheduled,
                    (None, false) => RecordStatus::Done,
                };
                closed.agent = closed.schedule.as_ref().and_then(|s| s.agent.clone());
                if closed.status != RecordStatus::Scheduled {
                    closed.schedule = None;
                }
                self.list_writes.push_back(ListWrite::Record(Box::new(closed)));
                if stop {
                    self.emit(now, user, EventKind::PreviewPaused { paused: true });
                }
                return Ok(());
            }
            _ => {}
        }
        self.publish_work(now, user, work);
        Ok(())
    }

    /// The agent's part of the record's call, in wrap-up, closes with the
    /// record (the call result is its disposition).
    fn close_call(&mut self, now: ServerTime, user: &UserId, work: &mut OutboundWork) {
        let Some(interaction) = work.interaction.take() else { return };
        if self.agent(user).and_then(|a| a.interaction(interaction)).is_some_and(|i| i.state == InteractionState::WrapUp) {
            // The interaction is the agent's and in wrap-up: closing it
            // cannot fail.
            let _ = self.done(now, user, interaction, None);
        }
    }

    /// The agent's campaign call went to wrap-up: the record is after the
    /// call (P6).
    pub(super) fn campaign_call_over(&mut self, now: ServerTime, user: &UserId, interaction: InteractionId) {
        let Some(mut work) = self.agent(user).and_then(|a| a.outbound.iter().find(|w| w.interaction == Some(interaction))).cloned() else { return };
        if work.record.status == RecordStatus::Connected {
            work.record.status = RecordStatus::AfterCall;
            self.publish_work(now, user, work);
        }
    }

    /// A preview deadline passed (P3): rejected automatically, and no new
    /// preview goes to the agent until it asks for one (an absent agent
    /// would otherwise hold up every record in turn).
    pub(super) fn preview_expired(&mut self, now: ServerTime, record: RecordId) {
        let Some(agent) = self.outbound.get(&record).cloned() else { return };
        self.return_record(now, &agent, record, OutboundOutcome::Expired);
        self.emit(now, &agent, EventKind::PreviewPaused { paused: true });
    }

    /// A dial rang out with no word from the network: unanswered.
    pub(super) fn dial_timed_out(&mut self, now: ServerTime, record: RecordId) {
        let Ok((agent, mut work)) = self.live(record) else { return };
        if work.record.status == RecordStatus::Dialling {
            self.dial_over(now, &agent, &mut work, DialOutcome::NoAnswer);
        }
    }

    /// A callback's stale limit passed while it was at an agent (P8): it
    /// leaves the agent, is written stale, and later requests on it are
    /// refused with `record_stale`. A connected call goes on as a plain call.
    pub(super) fn record_went_stale(&mut self, now: ServerTime, record: RecordId) {
        let Ok((agent, work)) = self.live(record) else { return };
        self.record_left(now, &agent, &work, OutboundOutcome::Stale);
        let mut stale = work.record;
        stale.status = RecordStatus::Stale;
        stale.agent = None;
        self.list_writes.push_back(ListWrite::Record(Box::new(stale)));
        if self.stale.len() >= REMEMBERED_STALE {
            self.stale.pop_front();
        }
        self.stale.push_back(record);
    }

    /// Logout takes back the previews not yet accepted.
    pub(super) fn withdraw_previews(&mut self, now: ServerTime, user: &UserId) {
        let previews: Vec<RecordId> = self
            .agent(user)
            .map(|a| a.outbound.iter().filter(|w| w.record.status == RecordStatus::Previewing).map(|w| w.record.id).collect())
            .unwrap_or_default();
        for record in previews {
            self.return_record(now, user, record, OutboundOutcome::Withdrawn);
        }
    }

    /// A record goes back to the list unworked: a list record to its place
    /// at the top (P3, P4), a callback back to routing, due at once, for
    /// any agent (W7). A rejecting agent is passed over next time.
    fn return_record(&mut self, now: ServerTime, user: &UserId, record: RecordId, outcome: OutboundOutcome) {
        let Ok((_, work)) = self.live(record) else { return };
        self.record_left(now, user, &work, outcome);
        let mut back = work.record;
        back.agent = None;
        if matches!(outcome, OutboundOutcome::Rejected | OutboundOutcome::Expired) {
            if back.rejected_by.len() >= REMEMBERED_REJECTIONS {
                back.rejected_by.remove(0);
            }
            back.rejected_by.push(user.clone());
        }
        match (work.origin.is_callback(), work.stale_at) {
            (true, Some(stale_at)) => {
                let due = ServerTime(stale_at.0.saturating_sub(self.stale_limit(&back.campaign)));
                back.status = RecordStatus::Scheduled;
                back.schedule = Some(Schedule { at: due, kind: CallbackKind::Campaign, number: work.dialled.clone(), agent: None });
            }
            _ => back.status = RecordStatus::Ready,
        }
        self.list_writes.push_back(ListWrite::Record(Box::new(back)));
    }

    fn stale_limit(&self, campaign: &CampaignId) -> u64 {
        self.campaigns.get(campaign).map_or(0, |c| c.stale_limit_ms)
    }

    /// The record leaves the agent: its timers stop, the agent is told.
    fn record_left(&mut self, now: ServerTime, user: &UserId, work: &OutboundWork, outcome: OutboundOutcome) {
        let id = work.record.id;
        if let Some(deadline) = work.deadline {
            self.timers.remove(&(deadline, Timer::PreviewDeadline(id)));
        }
        if let Some(at) = work.stale_at {
            self.timers.remove(&(at, Timer::RecordStale(id)));
        }
        if let Some(deadline) = self.dial_deadline(id) {
            self.timers.remove(&(deadline, Timer::DialTimeout(id)));
        }
        self.outbound.remove(&id);
        self.emit(now, user, EventKind::OutboundEnded { record: id, outcome });
    }

    /// The record at its agent, as that agent holds it.
    fn live(&self, record: RecordId) -> Result<(UserId, OutboundWork), CommandError> {
        let agent = self.outbound.get(&record).ok_or(CommandError::UnknownRecord(record))?;
        let work = self.agent(agent).and_then(|a| a.outbound_work(record)).ok_or(CommandError::UnknownRecord(record))?;
        Ok((agent.clone(), work.clone()))
    }

    /// Tells the agent the record as it is now and has the list store it.
    fn publish_work(&mut self, now: ServerTime, agent: &UserId, work: OutboundWork) {
        self.list_writes.push_back(ListWrite::Record(Box::new(work.record.clone())));
        self.emit(now, agent, EventKind::OutboundChanged { work: Box::new(work) });
    }

    /// Whether a record went stale lately (P8).
    pub(super) fn remembers_stale(&self, record: RecordId) -> bool {
        self.stale.contains(&record)
    }
}
