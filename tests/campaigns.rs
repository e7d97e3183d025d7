//! Outbound campaigns in the center with a simulated clock (SPEC P1-P8,
//! W1-W7). A small calling list stands in for the server's tables: it
//! takes the center's list writes and pushes records the way the owner does
//! (due personal callbacks, then due campaign callbacks, then ready records
//! in list order, passing over those an agent rejected). After every step
//! each record is in exactly one place: in the list, or at one agent.

mod support;

use ringside::center::{Input, ListWrite, Outcome};
use ringside::model::campaign::{
    CallbackKind, CallingRecord, Campaign, DialOutcome, OutboundWork, PreviewOrigin, RecordStatus, Schedule,
};
use ringside::model::call::Target;
use ringside::model::profile::Preset;
use ringside::model::state::CommandKind;
use ringside::model::{CampaignId, Channel, RecordId, ServerTime, SortedMap, UserId};
use std::collections::{BTreeMap, BTreeSet};
use support::*;

fn campaign(id: &str) -> Campaign {
    Campaign {
        id: CampaignId::from(id),
        name: "Renewals".into(),
        mode: Default::default(),
        media: vec![Channel::Voice],
        agents: vec![user("ana"), user("ben"), user("cy")],
        accept_timeout_ms: 20_000,
        conference_limit: 3,
        stale_limit_ms: 30 * 60_000,
        results: vec!["answered".into(), "no_answer".into(), "renewed".into()],
        disposition_required: true,
        reschedule_before_dial: false,
        sounds: Default::default(),
        fields: vec!["plan".into()],
        running: true,
    }
}

fn record(id: u64, campaign: &str, numbers: &[&str]) -> CallingRecord {
    let chain = numbers.iter().map(|n| n.to_string()).collect();
    let fields = SortedMap::from([("plan".to_owned(), "gold".to_owned())]);
    CallingRecord::new(RecordId(id), CampaignId::from(campaign), format!("Contact {id}"), chain, fields)
}

/// The calling list as the server keeps it.
struct List {
    records: BTreeMap<RecordId, CallingRecord>,
    do_not_call: BTreeSet<String>,
    /// The campaign's stale limit, for the sweep of waiting callbacks (P8).
    stale_limit_ms: u64,
}

impl List {
    fn new(records: Vec<CallingRecord>) -> List {
        List { records: records.into_iter().map(|r| (r.id, r)).collect(), do_not_call: BTreeSet::new(), stale_limit_ms: 30 * 60_000 }
    }

    /// Takes the center's writes, then pushes records to whoever wants one.
    fn sync(&mut self, desk: &mut Desk) {
        loop {
            self.take_writes(desk);
            // As the server does: callbacks left waiting past the limit are stale.
            for record in self.records.values_mut() {
                let due = record.schedule.as_ref().map(|s| s.at.plus(self.stale_limit_ms));
                if record.status == RecordStatus::Scheduled && due.is_some_and(|at| at <= desk.now) {
                    record.status = RecordStatus::Stale;
                }
            }
            let mut pushed = false;
            for (agent, campaigns) in desk.center.preview_wanted() {
                if let Some((record, origin)) = self.next(&agent, &campaigns, desk.now) {
                    // SPEC P6: a do-not-call contact is never previewed again.
                    let numbers = record.chain.iter().map(|n| ringside::model::campaign::normalize_number(n));
                    assert!(numbers.into_iter().all(|n| !self.do_not_call.contains(&n)), "do-not-call record {} pushed", record.id);
                    let outcome = desk.feed(Input::PushPreview { agent, record: Box::new(record), origin });
                    assert_eq!(outcome, Outcome::Done(Ok(())));
                    // The push's own write, before the next agent is served.
                    self.take_writes(desk);
                    pushed = true;
                }
            }
            desk.pump();
            if !pushed {
                self.check(desk);
                return;
            }
        }
    }

    fn take_writes(&mut self, desk: &mut Desk) {
        while let Some(write) = desk.center.poll_list_write() {
            match write {
                ListWrite::Record(record) => {
                    let mut record = *record;
                    // SPEC P8: a stale record is never processed again.
                    let was = self.records.get(&record.id).map(|r| r.status);
                    assert!(was != Some(RecordStatus::Stale) || record.status == RecordStatus::Stale, "stale record {} was processed", record.id);
                    let dnc = record.chain.iter().any(|n| self.do_not_call.contains(&ringside::model::campaign::normalize_number(n)));
                    if dnc && matches!(record.status, RecordStatus::Ready | RecordStatus::Scheduled) {
                        record.status = RecordStatus::DoNotCall;
                    }
                    self.records.insert(record.id, record);
                }
                ListWrite::DoNotCall(numbers) => {
                    self.do_not_call.extend(numbers.iter().cloned());
                    for record in self.records.values_mut() {
                        let hit = record.chain.iter().any(|n| numbers.contains(&ringside::model::campaign::normalize_number(n)));
                        if hit && matches!(record.status, RecordStatus::Ready | RecordStatus::Scheduled) {
                            record.status = RecordStatus::DoNotCall;
                        }
                    }
                }
            }
        }
    }

    fn next(&self, agent: &UserId, campaigns: &[CampaignId], now: ServerTime) -> Option<(CallingRecord, PreviewOrigin)> {
        let mine = |r: &&CallingRecord| campaigns.contains(&r.campaign) && !r.rejected_by.contains(agent);
        let due = |r: &&CallingRecord, kind| r.status == RecordStatus::Scheduled && r.schedule.as_ref().is_some_and(|s| s.at <= now && s.kind == kind);
        if let Some(r) = self.records.values().filter(|r| due(r, CallbackKind::Personal) && r.agent.as_ref() == Some(agent)).find(|r| campaigns.contains(&r.campaign)) {
            return Some((r.clone(), PreviewOrigin::PersonalCallback));
        }
        if let Some(r) = self.records.values().filter(|r| due(r, CallbackKind::Campaign)).find(mine) {
            return Some((r.clone(), PreviewOrigin::Callback));
        }
        self.records.values().filter(|r| r.status == RecordStatus::Ready).find(mine).map(|r| (r.clone(), PreviewOrigin::Campaign))
    }

    /// No record lost or doubled: each is at one agent exactly when the
    /// list says so, and no agent holds two.
    fn check(&self, desk: &Desk) {
        let mut at_agents = BTreeMap::new();
        for agent in desk.center.agents() {
            assert!(agent.outbound.len() <= 1, "{} holds {} records", agent.agent, agent.outbound.len());
            for work in &agent.outbound {
                assert!(at_agents.insert(work.record.id, agent.agent.clone()).is_none(), "record {} is at two agents", work.record.id);
            }
        }
        for (id, record) in &self.records {
            assert_eq!(record.status.at_agent(), at_agents.contains_key(id), "record {id} is {:?} in the list", record.status);
        }
    }

    fn status(&self, id: u64) -> RecordStatus {
        self.records[&RecordId(id)].status
    }
}

/// A center with the campaigns, ana logged in with voice for push preview.
fn desk_with(campaigns: Vec<Campaign>, records: Vec<CallingRecord>) -> (Desk, List) {
    let mut desk = Desk::preset(Preset::ContactCenter);
    for campaign in campaigns {
        assert_eq!(desk.feed(Input::SaveCampaign { campaign: Box::new(campaign) }), Outcome::Done(Ok(())));
    }
    (desk, List::new(records))
}

fn previewing(desk: &mut Desk, list: &mut List, name: &str) {
    desk.ready(name);
    desk.send(name, CommandKind::PreviewMedia { media: vec![Channel::Voice] }).expect("media chosen");
    list.sync(desk);
}

fn held(desk: &Desk, name: &str) -> Option<OutboundWork> {
    desk.center.agent(&user(name)).and_then(|a| a.outbound.first().cloned())
}

fn send(desk: &mut Desk, list: &mut List, name: &str, kind: CommandKind) -> Result<(), String> {
    let result = desk.send(name, kind);
    list.sync(desk);
    result
}

fn standard() -> (Desk, List) {
    let records = (1..=4).map(|n| record(n, "c1", &[&format!("+46 8 555 010{n}"), "+46 70 555 0100"])).collect();
    desk_with(vec![campaign("c1")], records)
}

/// Accepts ana's preview, dials, and the number answers: the call is on.
fn connected(desk: &mut Desk, list: &mut List) -> (RecordId, ringside::model::InteractionId) {
    let record = held(desk, "ana").expect("a preview").record.id;
    send(desk, list, "ana", CommandKind::AcceptPreview { record }).expect("accept");
    send(desk, list, "ana", CommandKind::Dial { record, number: None }).expect("dial");
    assert_eq!(desk.feed(Input::DialAnswers { record, outcome: DialOutcome::Answered }), Outcome::Done(Ok(())));
    desk.pump();
    list.sync(desk);
    (record, held(desk, "ana").and_then(|w| w.interaction).expect("the call"))
}

// SPEC P1: no preview before media types are chosen, none on other media.
#[test]
fn previews_go_only_to_agents_who_chose_the_campaigns_media_spec_p1() {
    let (mut desk, mut list) = standard();
    desk.ready("ana");
    list.sync(&mut desk);
    assert!(held(&desk, "ana").is_none(), "no media chosen: no preview");
    desk.send("ana", CommandKind::PreviewMedia { media: vec![Channel::Email] }).expect("media");
    list.sync(&mut desk);
    assert!(held(&desk, "ana").is_none(), "the campaign dials voice");
    desk.send("ana", CommandKind::PreviewMedia { media: vec![Channel::Voice] }).expect("media");
    list.sync(&mut desk);
    assert_eq!(held(&desk, "ana").map(|w| w.record.id), Some(RecordId(1)));
    assert_eq!(desk.view("ana").preview_media, vec![Channel::Voice]);
}

// SPEC P2: the first record is pushed with its data; the indicator flashes
// until accept.
#[test]
fn the_first_record_is_pushed_and_the_indicator_flashes_until_accepted_spec_p2() {
    let (mut desk, mut list) = standard();
    previewing(&mut desk, &mut list, "ana");
    let view = desk.view("ana");
    assert!(view.campaign_flashing);
    let card = &view.outbound[0];
    assert_eq!((card.record.name.as_str(), card.record.chain.len(), card.origin), ("Contact 1", 2, PreviewOrigin::Campaign));
    assert!(card.actions.accept && card.actions.reject && !card.actions.dial);
    assert_eq!(list.status(1), RecordStatus::Previewing);
    send(&mut desk, &mut list, "ana", CommandKind::AcceptPreview { record: RecordId(1) }).expect("accept");
    let view = desk.view("ana");
    assert!(!view.campaign_flashing);
    assert!(view.outbound[0].actions.dial && view.outbound[0].actions.cancel);
    assert_eq!(list.status(1), RecordStatus::Owned);
}

// SPEC P3: reject puts the record back on top (for another agent); no
// answer in time rejects it automatically and pauses the agent.
#[test]
fn reject_and_the_accept_timeout_return_the_record_to_the_top_spec_p3() {
    let (mut desk, mut list) = standard();
    previewing(&mut desk, &mut list, "ana");
    send(&mut desk, &mut list, "ana", CommandKind::RejectPreview { record: RecordId(1) }).expect("reject");
    assert_eq!(held(&desk, "ana").map(|w| w.record.id), Some(RecordId(2)), "ana is passed over for what she rejected");
    previewing(&mut desk, &mut list, "ben");
    assert_eq!(held(&desk, "ben").map(|w| w.record.id), Some(RecordId(1)), "back on top for another agent");
    desk.advance(20_000);
    list.sync(&mut desk);
    assert_eq!((list.status(1), list.status(2)), (RecordStatus::Ready, RecordStatus::Ready), "both expired back to the list");
    assert!(held(&desk, "ana").is_none() && desk.view("ana").preview_paused && desk.view("ana").can_get_record);
    send(&mut desk, &mut list, "ana", CommandKind::GetRecord).expect("get record");
    assert_eq!(held(&desk, "ana").map(|w| w.record.id), Some(RecordId(3)), "the records ana rejected or missed wait for others");
}

// SPEC P4: before dialling: another chained record, an edited number,
// edit, add chained, update, cancel back to the list, transfer.
#[test]
fn before_dialling_the_agent_picks_a_number_edits_cancels_or_transfers_spec_p4() {
    let (mut desk, mut list) = standard();
    previewing(&mut desk, &mut list, "ana");
    let record = RecordId(1);
    send(&mut desk, &mut list, "ana", CommandKind::AcceptPreview { record }).expect("accept");
    send(&mut desk, &mut list, "ana", CommandKind::EditRecord { record, fields: SortedMap::from([("plan".into(), "plus".into())]) }).expect("edit");
    assert_eq!(desk.send("ana", CommandKind::EditRecord { record, fields: SortedMap::from([("colour".into(), "red".into())]) }), Err("bad_argument".into()));
    send(&mut desk, &mut list, "ana", CommandKind::AddChained { record, number: "+46 31 555 0100".into() }).expect("add chained");
    send(&mut desk, &mut list, "ana", CommandKind::UpdateRecord { record }).expect("update");
    assert_eq!(list.records[&record].chain.len(), 3, "update writes the record to the list");
    assert_eq!(list.records[&record].fields.get("plan").map(String::as_str), Some("plus"));
    send(&mut desk, &mut list, "ana", CommandKind::SetActive { record, index: 2 }).expect("set active");
    assert_eq!(desk.view("ana").outbound[0].record.active, 2);
    // Cancel: back to the list, ownership released.
    send(&mut desk, &mut list, "ana", CommandKind::CancelRecord { record }).expect("cancel");
    assert_eq!(held(&desk, "ana").map(|w| w.record.id), Some(RecordId(1)), "back on top, and ana still wants one");
    send(&mut desk, &mut list, "ana", CommandKind::AcceptPreview { record }).expect("accept again");
    // Transfer to ben, who is free.
    desk.ready("ben");
    send(&mut desk, &mut list, "ana", CommandKind::TransferRecord { record, agent: user("ben") }).expect("transfer");
    assert_eq!(held(&desk, "ben").map(|w| (w.record.id, w.record.status)), Some((record, RecordStatus::Owned)));
    // Connect with an edited number (a prefix added).
    send(&mut desk, &mut list, "ben", CommandKind::Dial { record, number: Some("0 +46 8 555 0101".into()) }).expect("dial");
    let work = held(&desk, "ben").expect("ben's record");
    assert_eq!((work.record.status, work.dialled.as_deref(), work.record.attempts), (RecordStatus::Dialling, Some("0 +46 8 555 0101"), 1));
}

// SPEC P5: after connect: conference up to the campaign's limit, hold,
// edit, reschedule (W2), disconnect.
#[test]
fn after_connect_a_conference_stops_at_the_campaigns_limit_spec_p5() {
    let (mut desk, mut list) = standard();
    previewing(&mut desk, &mut list, "ana");
    let (record, interaction) = connected(&mut desk, &mut list);
    assert_eq!(list.status(1), RecordStatus::Connected);
    send(&mut desk, &mut list, "ana", CommandKind::Hold { interaction, participant: None }).expect("hold");
    send(&mut desk, &mut list, "ana", CommandKind::Resume { interaction, participant: None }).expect("resume");
    send(&mut desk, &mut list, "ana", CommandKind::Conference { interaction, target: Target::Number("+46 8 555 0199".into()) }).expect("conference");
    desk.feed(Input::NumberAnswers { interaction, answered: true });
    desk.pump();
    assert_eq!(desk.send("ana", CommandKind::Conference { interaction, target: Target::Number("+46 8 555 0198".into()) }), Err("conference_full".into()));
    send(&mut desk, &mut list, "ana", CommandKind::EditRecord { record, fields: SortedMap::from([("plan".into(), "basic".into())]) }).expect("edit");
    send(&mut desk, &mut list, "ana", CommandKind::End { interaction }).expect("disconnect");
    assert_eq!(held(&desk, "ana").map(|w| w.record.status), Some(RecordStatus::AfterCall));
}

// SPEC P6: after disconnect: call result, do-not-call out of every
// campaign's list, another chained record and a new attempt.
#[test]
fn do_not_call_removes_the_contact_from_every_campaigns_list_spec_p6() {
    let shared = "+46 8 555 0101";
    let records = vec![record(1, "c1", &[shared, "+46 70 555 0100"]), record(2, "c1", &["+46 8 555 0102"]), record(3, "c2", &["+46-8-555-01 01"])];
    let (mut desk, mut list) = desk_with(vec![campaign("c1"), campaign("c2")], records);
    previewing(&mut desk, &mut list, "ana");
    let (record, interaction) = connected(&mut desk, &mut list);
    assert_eq!(desk.send("ana", CommandKind::CallResult { record, result: "renewed".into() }), Err("invalid_transition".into()), "not before the call ends");
    send(&mut desk, &mut list, "ana", CommandKind::End { interaction }).expect("disconnect");
    assert_eq!(desk.send("ana", CommandKind::CallResult { record, result: "made-up".into() }), Err("unknown_call_result".into()));
    // Another chained record, dialled again: it does not answer.
    send(&mut desk, &mut list, "ana", CommandKind::SetActive { record, index: 1 }).expect("set active");
    send(&mut desk, &mut list, "ana", CommandKind::Dial { record, number: None }).expect("redial");
    desk.feed(Input::DialAnswers { record, outcome: DialOutcome::NoAnswer });
    desk.pump();
    let work = held(&desk, "ana").expect("still ana's");
    assert_eq!((work.record.status, work.record.attempts, work.record.result.as_deref()), (RecordStatus::AfterCall, 2, Some("no_answer")));
    send(&mut desk, &mut list, "ana", CommandKind::DoNotCall { record }).expect("do not call");
    assert_eq!(list.status(3), RecordStatus::DoNotCall, "the same contact in another campaign");
    assert_eq!(desk.send("ana", CommandKind::Dial { record, number: None }), Err("bad_argument".into()), "never dialled again");
    send(&mut desk, &mut list, "ana", CommandKind::MarkDone { record, stop: true }).expect("done");
    assert_eq!(list.status(1), RecordStatus::DoNotCall);
    send(&mut desk, &mut list, "ana", CommandKind::GetRecord).expect("get record");
    assert_eq!(held(&desk, "ana").map(|w| w.record.id), Some(RecordId(2)), "the do-not-call contact is never previewed again");
}

// SPEC P6: do-not-call reaches the same contact while another agent is
// previewing it (another campaign's record): the preview is taken back and
// the record is do-not-call, before it can be accepted and dialled.
#[test]
fn do_not_call_takes_back_the_same_contact_previewed_elsewhere_spec_p6() {
    let shared = "+46 8 555 0101";
    let records = vec![record(1, "c1", &[shared]), record(2, "c2", &["+46-8-555-01 01"]), record(3, "c1", &["+46 8 555 0103"])];
    let (mut desk, mut list) = desk_with(vec![campaign("c1"), campaign("c2")], records);
    previewing(&mut desk, &mut list, "ana");
    previewing(&mut desk, &mut list, "ben");
    assert_eq!(held(&desk, "ben").map(|w| w.record.id), Some(RecordId(2)), "ben previews the same contact");
    let (record, interaction) = connected(&mut desk, &mut list);
    assert_eq!(record, RecordId(1));
    send(&mut desk, &mut list, "ana", CommandKind::End { interaction }).expect("disconnect");
    send(&mut desk, &mut list, "ana", CommandKind::DoNotCall { record }).expect("do not call");
    assert_ne!(held(&desk, "ben").map(|w| w.record.id), Some(RecordId(2)), "taken back from ben");
    assert_eq!(list.status(2), RecordStatus::DoNotCall);
    assert_eq!(desk.send("ben", CommandKind::AcceptPreview { record: RecordId(2) }), Err("unknown_record".into()));
}

// SPEC P7: mark done waits for a call result when the campaign requires one.
#[test]
fn mark_done_needs_a_call_result_when_the_campaign_requires_one_spec_p7() {
    let (mut desk, mut list) = standard();
    previewing(&mut desk, &mut list, "ana");
    let (record, interaction) = connected(&mut desk, &mut list);
    send(&mut desk, &mut list, "ana", CommandKind::End { interaction }).expect("disconnect");
    assert_eq!(desk.send("ana", CommandKind::MarkDone { record, stop: false }), Err("call_result_required".into()));
    assert!(!desk.view("ana").outbound[0].actions.done);
    send(&mut desk, &mut list, "ana", CommandKind::CallResult { record, result: "renewed".into() }).expect("result");
    send(&mut desk, &mut list, "ana", CommandKind::MarkDone { record, stop: false }).expect("done");
    assert_eq!((list.status(1), list.records[&record].result.as_deref()), (RecordStatus::Done, Some("renewed")));
    assert!(desk.center.agent(&user("ana")).is_some_and(|a| a.interactions.is_empty()), "the call closed with its record");
}

fn callback(id: u64, at: ServerTime, personal_for: Option<&str>) -> CallingRecord {
    let mut r = record(id, "c1", &[&format!("+46 8 555 020{id}")]);
    r.status = RecordStatus::Scheduled;
    r.agent = personal_for.map(user);
    r.schedule = Some(Schedule {
        at,
        kind: if personal_for.is_some() { CallbackKind::Personal } else { CallbackKind::Campaign },
        number: None,
        agent: personal_for.map(user),
    });
    r
}

// SPEC P8: a callback not processed within the stale limit is stale; every
// later request on it is refused.
#[test]
fn a_callback_left_past_the_stale_limit_is_stale_and_refused_spec_p8() {
    let (mut desk, _) = standard();
    let mut list = List::new(vec![callback(7, T0, None)]);
    previewing(&mut desk, &mut list, "ana");
    let record = RecordId(7);
    let work = held(&desk, "ana").expect("the callback");
    assert_eq!((work.origin, work.stale_at), (PreviewOrigin::Callback, Some(T0.plus(30 * 60_000))));
    send(&mut desk, &mut list, "ana", CommandKind::AcceptPreview { record }).expect("accept");
    desk.advance(30 * 60_000);
    list.sync(&mut desk);
    assert_eq!(list.status(7), RecordStatus::Stale);
    assert!(held(&desk, "ana").is_none());
    let refused = desk.raw("ana", ringside::model::Role::Agent, "late", CommandKind::Dial { record, number: None });
    assert_eq!(refused.map_err(|r| r.code), Err("record_stale".to_owned()));
}

// SPEC W1: done previews the next; done and stop does not; get record does.
#[test]
fn done_previews_the_next_and_done_and_stop_waits_for_get_record_spec_w1() {
    let (mut desk, mut list) = standard();
    previewing(&mut desk, &mut list, "ana");
    let (record, interaction) = connected(&mut desk, &mut list);
    send(&mut desk, &mut list, "ana", CommandKind::End { interaction }).expect("end");
    send(&mut desk, &mut list, "ana", CommandKind::CallResult { record, result: "answered".into() }).expect("result");
    send(&mut desk, &mut list, "ana", CommandKind::MarkDone { record, stop: false }).expect("done");
    assert_eq!(held(&desk, "ana").map(|w| w.record.id), Some(RecordId(2)));
    let (record, interaction) = connected(&mut desk, &mut list);
    send(&mut desk, &mut list, "ana", CommandKind::End { interaction }).expect("end");
    send(&mut desk, &mut list, "ana", CommandKind::CallResult { record, result: "answered".into() }).expect("result");
    send(&mut desk, &mut list, "ana", CommandKind::MarkDone { record, stop: true }).expect("done and stop");
    assert!(held(&desk, "ana").is_none());
    send(&mut desk, &mut list, "ana", CommandKind::GetRecord).expect("get record");
    assert_eq!(held(&desk, "ana").map(|w| w.record.id), Some(RecordId(3)));
}

// SPEC W2, W3: reschedule before dialling only where allowed; during or
// after the call always; a callback can be cancelled before done.
#[test]
fn reschedule_before_dialling_needs_the_campaigns_leave_and_can_be_cancelled_spec_w2_w3() {
    let (mut desk, mut list) = standard();
    previewing(&mut desk, &mut list, "ana");
    let record = RecordId(1);
    send(&mut desk, &mut list, "ana", CommandKind::AcceptPreview { record }).expect("accept");
    let at = T0.plus(3_600_000);
    let reschedule = |personal| CommandKind::Reschedule { record, at, number: Some("+46 8 555 0999".into()), personal };
    assert_eq!(desk.send("ana", reschedule(true)), Err("reschedule_not_allowed".into()));
    let mut allowing = campaign("c1");
    allowing.reschedule_before_dial = true;
    desk.feed(Input::SaveCampaign { campaign: Box::new(allowing) });
    // The record carries the campaign as it was pushed: a new preview does.
    send(&mut desk, &mut list, "ana", CommandKind::CancelRecord { record }).expect("cancel");
    send(&mut desk, &mut list, "ana", CommandKind::AcceptPreview { record }).expect("accept");
    send(&mut desk, &mut list, "ana", reschedule(true)).expect("reschedule before dialling");
    send(&mut desk, &mut list, "ana", CommandKind::CancelReschedule { record }).expect("W3: cancel the callback");
    assert_eq!(desk.send("ana", CommandKind::MarkDone { record, stop: false }), Err("invalid_transition".into()), "not called, not rescheduled");
    send(&mut desk, &mut list, "ana", reschedule(false)).expect("a campaign callback");
    send(&mut desk, &mut list, "ana", CommandKind::MarkDone { record, stop: true }).expect("done");
    let stored = &list.records[&record];
    assert_eq!(stored.status, RecordStatus::Scheduled);
    assert_eq!(stored.schedule.as_ref().map(|s| (s.at, s.kind, s.number.clone())), Some((at, CallbackKind::Campaign, Some("+46 8 555 0999".into()))));
}

// SPEC W2: a callback rescheduled to another number comes back with that
// number active, so a plain dial rings it; the number joins the chain
// (as it is, if there in another spelling), never past 8 numbers.
#[test]
fn a_callback_to_another_number_rings_that_number_spec_w2() {
    let (mut desk, mut list) = standard();
    previewing(&mut desk, &mut list, "ana");
    let (record, interaction) = connected(&mut desk, &mut list);
    send(&mut desk, &mut list, "ana", CommandKind::End { interaction }).expect("end");
    send(&mut desk, &mut list, "ana", CommandKind::CallResult { record, result: "no_answer".into() }).expect("result");
    let at = desk.now.plus(60_000);
    let other = "+46 8 555 0999";
    send(&mut desk, &mut list, "ana", CommandKind::Reschedule { record, at, number: Some(other.into()), personal: true }).expect("reschedule");
    send(&mut desk, &mut list, "ana", CommandKind::MarkDone { record, stop: true }).expect("done and stop");
    desk.advance(60_000);
    send(&mut desk, &mut list, "ana", CommandKind::GetRecord).expect("get record");
    let work = held(&desk, "ana").expect("the callback");
    assert_eq!((work.record.id, work.origin), (record, PreviewOrigin::PersonalCallback));
    assert_eq!(work.record.active_number(), Some(other), "the callback's number is active: {:?}", work.record.chain);
    send(&mut desk, &mut list, "ana", CommandKind::AcceptPreview { record }).expect("accept");
    send(&mut desk, &mut list, "ana", CommandKind::Dial { record, number: None }).expect("dial");
    assert_eq!(held(&desk, "ana").and_then(|w| w.dialled).as_deref(), Some(other));

    // A number already in the chain is not added again; a ninth is refused.
    let known = CommandKind::Reschedule { record, at, number: Some("+468 5550999".into()), personal: false };
    send(&mut desk, &mut list, "ana", known).expect("the same number, spelt otherwise");
    assert_eq!(held(&desk, "ana").map(|w| w.record.chain.len()), Some(3));
    for n in 0..5 {
        send(&mut desk, &mut list, "ana", CommandKind::AddChained { record, number: format!("+46 8 555 020{n}") }).expect("add chained");
    }
    let ninth = CommandKind::Reschedule { record, at, number: Some("+46 8 555 0300".into()), personal: false };
    assert_eq!(desk.send("ana", ninth), Err("bad_argument".into()));
    assert!(!desk.view("ana").outbound[0].actions.add_chained, "a full chain offers no new number");
    let eighth = CommandKind::Reschedule { record, at, number: Some("+46 8 555 0204".into()), personal: false };
    send(&mut desk, &mut list, "ana", eighth).expect("a number of the chain");
}

// SPEC P7: the result the dialler set for one attempt (no answer) is not
// the chosen result of the next, answered one: done waits for a choice.
#[test]
fn a_new_dial_clears_the_result_of_the_last_attempt_spec_p7() {
    let (mut desk, mut list) = standard();
    previewing(&mut desk, &mut list, "ana");
    let record = held(&desk, "ana").expect("a preview").record.id;
    send(&mut desk, &mut list, "ana", CommandKind::AcceptPreview { record }).expect("accept");
    send(&mut desk, &mut list, "ana", CommandKind::Dial { record, number: None }).expect("dial");
    desk.feed(Input::DialAnswers { record, outcome: DialOutcome::NoAnswer });
    desk.pump();
    assert_eq!(held(&desk, "ana").and_then(|w| w.record.result).as_deref(), Some("no_answer"));
    send(&mut desk, &mut list, "ana", CommandKind::SetActive { record, index: 1 }).expect("the next number");
    send(&mut desk, &mut list, "ana", CommandKind::Dial { record, number: None }).expect("dial again");
    desk.feed(Input::DialAnswers { record, outcome: DialOutcome::Answered });
    desk.pump();
    list.sync(&mut desk);
    let interaction = held(&desk, "ana").and_then(|w| w.interaction).expect("the call");
    send(&mut desk, &mut list, "ana", CommandKind::End { interaction }).expect("end");
    assert_eq!(desk.send("ana", CommandKind::MarkDone { record, stop: true }), Err("call_result_required".into()));
    send(&mut desk, &mut list, "ana", CommandKind::CallResult { record, result: "renewed".into() }).expect("result");
    send(&mut desk, &mut list, "ana", CommandKind::MarkDone { record, stop: true }).expect("done");
}

// SPEC N8: a center holds at most MAX_CAMPAIGNS campaigns; one more is
// refused, and replacing one that exists still works.
#[test]
fn a_center_holds_a_bounded_number_of_campaigns_spec_n8() {
    use ringside::protocol::limits::MAX_CAMPAIGNS;
    let mut desk = Desk::preset(Preset::ContactCenter);
    for n in 0..MAX_CAMPAIGNS {
        assert_eq!(desk.feed(Input::SaveCampaign { campaign: Box::new(campaign(&format!("c{n}"))) }), Outcome::Done(Ok(())));
    }
    let more = desk.feed(Input::SaveCampaign { campaign: Box::new(campaign("one-more")) });
    assert!(matches!(&more, Outcome::Done(Err(e)) if e.code() == "bad_argument"), "{more:?}");
    let mut again = campaign("c0");
    again.name = "Renamed".into();
    assert_eq!(desk.feed(Input::SaveCampaign { campaign: Box::new(again) }), Outcome::Done(Ok(())));
}

// SPEC W4: a callback time in the past makes done fail until it is corrected.
#[test]
fn a_past_callback_time_refuses_done_until_corrected_spec_w4() {
    let (mut desk, mut list) = standard();
    previewing(&mut desk, &mut list, "ana");
    let (record, interaction) = connected(&mut desk, &mut list);
    send(&mut desk, &mut list, "ana", CommandKind::End { interaction }).expect("end");
    send(&mut desk, &mut list, "ana", CommandKind::CallResult { record, result: "no_answer".into() }).expect("result");
    let past = ServerTime(desk.now.0 - 60_000);
    send(&mut desk, &mut list, "ana", CommandKind::Reschedule { record, at: past, number: None, personal: true }).expect("reschedule");
    assert_eq!(desk.send("ana", CommandKind::MarkDone { record, stop: false }), Err("reschedule_in_past".into()));
    let later = desk.now.plus(60_000);
    // Past what a four-digit year can say: refused, not wrapped to the past.
    for beyond in [253_402_300_800_000, 1 << 63, u64::MAX] {
        let far = CommandKind::Reschedule { record, at: ServerTime(beyond), number: None, personal: true };
        assert_eq!(desk.send("ana", far), Err("bad_argument".into()));
    }
    send(&mut desk, &mut list, "ana", CommandKind::Reschedule { record, at: ServerTime(253_402_300_799_999), number: None, personal: true }).expect("the year 9999");
    send(&mut desk, &mut list, "ana", CommandKind::Reschedule { record, at: later, number: None, personal: true }).expect("corrected");
    send(&mut desk, &mut list, "ana", CommandKind::MarkDone { record, stop: true }).expect("done");
    assert_eq!(list.status(1), RecordStatus::Scheduled);
}

// SPEC W5: at its time a callback is offered like a preview, with its
// origin; a personal one only to its agent, who may be busy meanwhile.
#[test]
fn a_callback_comes_back_at_its_time_with_its_origin_spec_w5() {
    let (mut desk, _) = standard();
    let mut list = List::new(vec![callback(7, T0.plus(60_000), Some("ben")), callback(8, T0.plus(120_000), None), record(9, "c1", &["+46 8 555 0109"])]);
    previewing(&mut desk, &mut list, "ana");
    assert_eq!(held(&desk, "ana").map(|w| w.record.id), Some(RecordId(9)), "callbacks are not due yet");
    previewing(&mut desk, &mut list, "ben");
    assert!(held(&desk, "ben").is_none());
    desk.advance(60_000);
    list.sync(&mut desk);
    let work = held(&desk, "ben").expect("ben's personal callback");
    assert_eq!((work.record.id, work.origin), (RecordId(7), PreviewOrigin::PersonalCallback));
    send(&mut desk, &mut list, "ben", CommandKind::AcceptPreview { record: RecordId(7) }).expect("accept");
    desk.ready("cy");
    desk.send("cy", CommandKind::PreviewMedia { media: vec![Channel::Voice] }).expect("media");
    desk.advance(60_000);
    list.sync(&mut desk);
    assert_eq!(held(&desk, "cy").map(|w| (w.record.id, w.origin)), Some((RecordId(8), PreviewOrigin::Callback)));
}

// SPEC W6: the campaign's callback sounds reach the desk with the record.
#[test]
fn the_campaigns_callback_sounds_reach_the_view_spec_w6() {
    let mut with_sounds = campaign("c1");
    with_sounds.sounds.offered = Some("/sounds/callback.ogg".into());
    let (mut desk, _) = desk_with(vec![with_sounds], Vec::new());
    let mut list = List::new(vec![callback(7, T0, None)]);
    previewing(&mut desk, &mut list, "ana");
    let view = desk.view("ana");
    assert_eq!(view.outbound[0].campaign.sounds.offered.as_deref(), Some("/sounds/callback.ogg"));
    assert!(view.outbound[0].origin.is_callback());
}

// SPEC W7: a rejected callback goes back to routing for another agent.
#[test]
fn a_rejected_callback_goes_to_another_agent_spec_w7() {
    let (mut desk, _) = standard();
    let mut list = List::new(vec![callback(7, T0, Some("ana"))]);
    previewing(&mut desk, &mut list, "ana");
    send(&mut desk, &mut list, "ana", CommandKind::RejectPreview { record: RecordId(7) }).expect("reject");
    assert!(held(&desk, "ana").is_none(), "not back to the agent who rejected it");
    let stored = &list.records[&RecordId(7)];
    assert_eq!((stored.status, stored.schedule.as_ref().map(|s| s.kind)), (RecordStatus::Scheduled, Some(CallbackKind::Campaign)));
    previewing(&mut desk, &mut list, "ben");
    assert_eq!(held(&desk, "ben").map(|w| (w.record.id, w.origin)), Some((RecordId(7), PreviewOrigin::Callback)));
}

/// One step of a random campaign day.
#[derive(Debug, Clone)]
enum Step {
    Command(usize, u8, u8),
    Answer(u8),
    Advance(u64),
    Restart,
}

fn step() -> impl proptest::strategy::Strategy<Value = Step> {
    use proptest::prelude::*;
    prop_oneof![
        6 => (0..3usize, 0..12u8, any::<u8>()).prop_map(|(a, c, x)| Step::Command(a, c, x)),
        1 => (0..4u8).prop_map(Step::Answer),
        2 => prop_oneof![Just(1_000u64), Just(20_000), Just(60_000), Just(31 * 60_000)].prop_map(Step::Advance),
        1 => Just(Step::Restart),
    ]
}

/// The command `choice` on the agent's record, with argument byte `x`.
fn record_command(desk: &Desk, record: RecordId, choice: u8, x: u8) -> CommandKind {
    let at = desk.now.plus(u64::from(x) * 1_000).plus(if x % 3 == 0 { 0 } else { 120_000 });
    let at = if x % 5 == 0 { ServerTime(desk.now.0 - 60_000) } else { at };
    match choice {
        0 => CommandKind::AcceptPreview { record },
        1 => CommandKind::RejectPreview { record },
        2 => CommandKind::Dial { record, number: None },
        3 => CommandKind::CancelRecord { record },
        4 => CommandKind::Reschedule { record, at, number: None, personal: x % 2 == 0 },
        5 => CommandKind::CancelReschedule { record },
        6 => CommandKind::CallResult { record, result: "answered".into() },
        7 => CommandKind::DoNotCall { record },
        8 => CommandKind::MarkDone { record, stop: x % 4 == 0 },
        9 => CommandKind::TransferRecord { record, agent: user(["ana", "ben", "cy"][usize::from(x) % 3]) },
        10 => CommandKind::GetRecord,
        _ => CommandKind::SetActive { record, index: u32::from(x % 2) },
    }
}

// SPEC P3, P6, P8, W2, W7, S10: under any sequence of accept, reject,
// timeout, dial, cancel, reschedule, done, do-not-call, transfer and
// restart, a record is at most at one agent, none is lost or doubled
// (`List::check`), a do-not-call contact is never previewed again and a
// stale record is never processed (asserted in `List::sync`).
#[test]
fn no_record_is_lost_doubled_or_processed_against_the_rules_spec_p3_p6_p8() {
    use proptest::test_runner::{Config, TestRunner};
    let cases = 300;
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    let strategy = proptest::collection::vec(step(), 1..60);
    let shared = "+46 8 555 0300";
    runner
        .run(&strategy, |steps| {
            let mut records: Vec<CallingRecord> = (1..=6).map(|n| record(n, "c1", &[&format!("+46 8 555 010{n}"), shared])).collect();
            records.push(callback(7, T0.plus(30_000), Some("ben")));
            records.push(callback(8, T0.plus(10_000), None));
            let mut allowing = campaign("c1");
            allowing.reschedule_before_dial = true;
            allowing.stale_limit_ms = 5 * 60_000;
            let (mut desk, mut list) = desk_with(vec![allowing], records);
            list.stale_limit_ms = 5 * 60_000;
            for name in ["ana", "ben", "cy"] {
                previewing(&mut desk, &mut list, name);
            }
            for step in steps {
                match step {
                    Step::Command(agent, choice, x) => {
                        let name = ["ana", "ben", "cy"][agent];
                        let record = held(&desk, name).map_or(RecordId(99), |w| w.record.id);
                        let kind = record_command(&desk, record, choice, x);
                        // Refusals are part of the game; the replica judges first.
                        let _ = send(&mut desk, &mut list, name, kind);
                        if let Some(interaction) = held(&desk, name).and_then(|w| w.interaction) {
                            if x % 2 == 1 {
                                let _ = send(&mut desk, &mut list, name, CommandKind::End { interaction });
                            }
                        }
                    }
                    Step::Answer(outcome) => {
                        let outcome = [DialOutcome::Answered, DialOutcome::NoAnswer, DialOutcome::Busy, DialOutcome::WrongNumber][usize::from(outcome)];
                        for (record, _) in desk.center.dialling() {
                            desk.feed(Input::DialAnswers { record, outcome });
                        }
                        desk.pump();
                        list.sync(&mut desk);
                    }
                    Step::Advance(ms) => {
                        desk.advance(ms);
                        list.sync(&mut desk);
                    }
                    Step::Restart => {
                        let stored = serde_json::to_string(&desk.center).expect("stores");
                        desk.center = serde_json::from_str(&stored).expect("loads");
                        list.sync(&mut desk);
                    }
                }
                desk.center.check_consistency().map_err(proptest::test_runner::TestCaseError::fail)?;
            }
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    eprintln!("property `campaign records`: {cases} cases; no record lost, doubled, stale-processed or do-not-call previewed");
}
