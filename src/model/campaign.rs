//! Outbound campaigns in push-preview mode (SPEC P1-P8, W1-W7): the campaign
//! as configured, a record of its calling list, the record as an agent works
//! it, and the phase table that says which record action is allowed when.
//!
//! The calling list itself lives outside the center (the server keeps it in
//! its own tables); the center holds only the records that are at an agent
//! right now, inside that agent's state, so a replica renders and judges
//! them with the same rules.

use super::{CampaignId, Channel, InteractionId, RecordId, ServerTime, UserId};
use crate::protocol::limits::{
    check_name, MAX_CAMPAIGN_AGENTS, MAX_CALL_RESULTS, MAX_CHAINED_NUMBERS, MAX_FIELD_BYTES, MAX_ID_BYTES, MAX_LABEL_BYTES,
    MAX_NUMBER_BYTES, MAX_RECORD_FIELDS, MAX_CONFERENCE_LIMIT, MAX_FROM_BYTES, MAX_SOUND_BYTES,
};
use crate::codec::{Decode, Encode};
use serde::{Deserialize, Serialize};
use super::SortedMap;
use crate::text::text;
use alloc::{format, string::String, vec, vec::Vec};

/// How a campaign dials. Only push preview exists: the agent sees the record
/// before the number is dialled (P2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, Encode, Decode)]
#[serde(rename_all = "snake_case")]
pub enum CampaignMode {
    /// Records are pushed to agents as previews (P2).
    #[default]
    PushPreview,
}

/// Sounds the desk plays on callback events (W6): a sound name or URL per
/// event, none to stay silent.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct CallbackSounds {
    /// A callback preview is offered.
    #[serde(default)]
    pub offered: Option<String>,
    /// The callback's call is put on hold.
    #[serde(default)]
    pub held: Option<String>,
    /// The callback's call is taken off hold.
    #[serde(default)]
    pub retrieved: Option<String>,
    /// The callback's call ends.
    #[serde(default)]
    pub ended: Option<String>,
}

/// An outbound campaign as an administrator configures it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
pub struct Campaign {
    /// Its id.
    pub id: CampaignId,
    /// Its name, as the desk shows it.
    pub name: String,
    /// How it dials.
    #[serde(default)]
    pub mode: CampaignMode,
    /// The media types it uses; an agent gets previews only on the media it
    /// chose at login (P1).
    #[serde(default = "default_media")]
    pub media: Vec<Channel>,
    /// The agents assigned to it.
    #[serde(default)]
    pub agents: Vec<UserId>,
    /// How long a preview waits for accept before it is rejected
    /// automatically (P3).
    #[serde(default = "default_accept_timeout_ms")]
    pub accept_timeout_ms: u64,
    /// Participants on one of its calls, customer included (P5, F1).
    #[serde(default = "default_conference_limit")]
    pub conference_limit: u32,
    /// How long after its time a callback may wait unprocessed before it is
    /// stale (P8).
    #[serde(default = "default_stale_limit_ms")]
    pub stale_limit_ms: u64,
    /// The call results an agent chooses from (P6).
    #[serde(default = "default_results")]
    pub results: Vec<String>,
    /// Whether mark done needs a call result first (P7).
    #[serde(default)]
    pub disposition_required: bool,
    /// Whether a record may be rescheduled before it is dialled (W2).
    #[serde(default)]
    pub reschedule_before_dial: bool,
    /// Sounds for callback events (W6).
    #[serde(default)]
    pub sounds: CallbackSounds,
    /// The custom fields of its records, in display order.
    #[serde(default)]
    pub fields: Vec<String>,
    /// Whether it pushes previews now (started) or not (stopped).
    #[serde(default)]
    pub running: bool,
}

fn default_media() -> Vec<Channel> {
    vec![Channel::Voice]
}
fn default_accept_timeout_ms() -> u64 {
    30_000
}
fn default_conference_limit() -> u32 {
    3
}
fn default_stale_limit_ms() -> u64 {
    30 * 60 * 1000
}

/// The first item of `items` that was given before too.
fn repeated<T: PartialEq>(items: &[T]) -> Option<&T> {
    items.iter().enumerate().find_map(|(i, item)| items[..i].contains(item).then_some(item))
}

fn default_results() -> Vec<String> {
    ["answered", "no_answer", "busy", "wrong_number", "answering_machine", "not_interested"].map(String::from).to_vec()
}

impl Campaign {
    /// Whether every field is within its bounds (SPEC N8); the reason if not.
    pub fn check(&self) -> Result<(), String> {
        let name = |field, text: &str, max| check_name(field, text, max).map_err(|e| e.message());
        name("id", self.id.as_str(), MAX_ID_BYTES)?;
        if self.id.as_str().is_empty() || self.name.trim().is_empty() {
            return Err("id and name must not be empty".into());
        }
        name("name", &self.name, MAX_LABEL_BYTES)?;
        if self.media.is_empty() {
            return Err("media must name at least one channel".into());
        }
        if self.agents.len() > MAX_CAMPAIGN_AGENTS {
            return Err(format!("at most {MAX_CAMPAIGN_AGENTS} agents"));
        }
        for agent in &self.agents {
            name("agents", agent.as_str(), MAX_ID_BYTES)?;
            if agent.as_str().is_empty() {
                return Err("agents must not hold an empty id".into());
            }
        }
        if let Some(twice) = repeated(&self.agents) {
            return Err(format!("agent {twice} is named twice"));
        }
        if !(1_000..=3_600_000).contains(&self.accept_timeout_ms) {
            return Err("accept_timeout_ms must be between 1000 and 3600000".into());
        }
        if !(2..=MAX_CONFERENCE_LIMIT).contains(&self.conference_limit) {
            return Err(format!("conference_limit must be between 2 and {MAX_CONFERENCE_LIMIT}"));
        }
        if !(1_000..=7 * 24 * 3_600_000).contains(&self.stale_limit_ms) {
            return Err("stale_limit_ms must be between 1000 and 604800000".into());
        }
        if self.results.is_empty() || self.results.len() > MAX_CALL_RESULTS {
            return Err(format!("results must hold 1 to {MAX_CALL_RESULTS} call results"));
        }
        for result in &self.results {
            name("results", result, MAX_ID_BYTES)?;
            if result.is_empty() {
                return Err("results must not hold an empty result".into());
            }
        }
        // A result is chosen by its name: two alike could not be told apart.
        if let Some(twice) = repeated(&self.results) {
            return Err(format!("result {twice:?} is named twice"));
        }
        if self.fields.len() > MAX_RECORD_FIELDS {
            return Err(format!("at most {MAX_RECORD_FIELDS} fields"));
        }
        for field in &self.fields {
            name("fields", field, MAX_ID_BYTES)?;
            if RESERVED_COLUMNS.contains(&field.as_str()) || field.is_empty() {
                return Err(format!("field {field:?} is empty or a reserved column name"));
            }
        }
        // Each field is a column of the import and the export: a repeat
        // would make an export that cannot be imported again.
        if let Some(twice) = repeated(&self.fields) {
            return Err(format!("field {twice:?} is named twice"));
        }
        let sounds = &self.sounds;
        for sound in [&sounds.offered, &sounds.held, &sounds.retrieved, &sounds.ended].into_iter().flatten() {
            name("sounds", sound, MAX_SOUND_BYTES)?;
        }
        Ok(())
    }

    /// What an agent working one of its records needs to know of it.
    pub fn brief(&self) -> CampaignBrief {
        CampaignBrief {
            id: self.id.clone(),
            name: self.name.clone(),
            results: self.results.clone(),
            disposition_required: self.disposition_required,
            reschedule_before_dial: self.reschedule_before_dial,
            conference_limit: self.conference_limit,
            fields: self.fields.clone(),
            sounds: self.sounds.clone(),
        }
    }
}

/// Column names of the CSV import that are not custom fields.
pub const RESERVED_COLUMNS: [&str; 3] = ["name", "number", "chained"];

/// The part of a campaign a desk needs beside a record (P6, P7, W2, W6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct CampaignBrief {
    /// The campaign.
    pub id: CampaignId,
    /// Its name.
    pub name: String,
    /// The call results to choose from.
    pub results: Vec<String>,
    /// Whether mark done needs a call result (P7).
    pub disposition_required: bool,
    /// Whether reschedule is allowed before dialling (W2).
    pub reschedule_before_dial: bool,
    /// Participants on a call, customer included.
    pub conference_limit: u32,
    /// The custom fields, in display order.
    pub fields: Vec<String>,
    /// Sounds for callback events (W6).
    pub sounds: CallbackSounds,
}

/// Where a record is in its life. The first five are phases at an agent;
/// the others are states in the calling list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum RecordStatus {
    /// In the list, waiting to be previewed.
    Ready,
    /// Pushed to an agent, waiting for accept or reject (P2, P3).
    Previewing,
    /// Accepted, not dialled yet (P4).
    Owned,
    /// Its number is being dialled.
    Dialling,
    /// The call is connected (P5).
    Connected,
    /// The call ended or was not answered (P6).
    AfterCall,
    /// Closed with a callback time; offered again at that time (W2, W5).
    Scheduled,
    /// Closed for good.
    Done,
    /// The contact must not be called (P6).
    DoNotCall,
    /// A callback not processed in time; never processed again (P8).
    Stale,
}

impl RecordStatus {
    /// Every status, in the order above.
    pub const ALL: [RecordStatus; 10] = [
        RecordStatus::Ready,
        RecordStatus::Previewing,
        RecordStatus::Owned,
        RecordStatus::Dialling,
        RecordStatus::Connected,
        RecordStatus::AfterCall,
        RecordStatus::Scheduled,
        RecordStatus::Done,
        RecordStatus::DoNotCall,
        RecordStatus::Stale,
    ];

    /// The status's wire name.
    pub fn name(self) -> &'static str {
        match self {
            RecordStatus::Ready => "ready",
            RecordStatus::Previewing => "previewing",
            RecordStatus::Owned => "owned",
            RecordStatus::Dialling => "dialling",
            RecordStatus::Connected => "connected",
            RecordStatus::AfterCall => "after_call",
            RecordStatus::Scheduled => "scheduled",
            RecordStatus::Done => "done",
            RecordStatus::DoNotCall => "do_not_call",
            RecordStatus::Stale => "stale",
        }
    }

    /// The status named `name` on the wire.
    pub fn parse(name: &str) -> Option<RecordStatus> {
        RecordStatus::ALL.into_iter().find(|s| s.name() == name)
    }

    /// Whether a record in this status is at an agent.
    pub fn at_agent(self) -> bool {
        matches!(self, RecordStatus::Previewing | RecordStatus::Owned | RecordStatus::Dialling | RecordStatus::Connected | RecordStatus::AfterCall)
    }
}

/// Who a callback is for (W2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum CallbackKind {
    /// Only the agent who scheduled it takes it (W5: it waits for that agent).
    Personal,
    /// Any agent of the campaign takes it.
    Campaign,
}

/// A callback time set on a record (W2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Schedule {
    /// When to call back (UTC, server milliseconds).
    pub at: ServerTime,
    /// Personal or campaign callback.
    pub kind: CallbackKind,
    /// The number to call then, if not the active one.
    #[serde(default)]
    pub number: Option<String>,
    /// The agent of a personal callback.
    #[serde(default)]
    pub agent: Option<UserId>,
}

/// A record of a calling list: the contact, its chained numbers, and what
/// happened to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct CallingRecord {
    /// Its id.
    pub id: RecordId,
    /// Its campaign.
    pub campaign: CampaignId,
    /// The contact's name.
    pub name: String,
    /// The campaign's custom fields for this contact.
    #[serde(default)]
    #[cfg_attr(test, ts(as = "std::collections::BTreeMap<String, String>"))]
    pub fields: SortedMap<String, String>,
    /// The chained records: the contact's numbers (P4, P6).
    pub chain: Vec<String>,
    /// Which of them is dialled on connect.
    #[serde(default)]
    pub active: usize,
    /// Where it is.
    pub status: RecordStatus,
    /// How many times it was dialled.
    #[serde(default)]
    pub attempts: u32,
    /// The last call result chosen (P6).
    #[serde(default)]
    pub result: Option<String>,
    /// Its callback, if one is set (W2).
    #[serde(default)]
    pub schedule: Option<Schedule>,
    /// The agent it is at, while it is at one.
    #[serde(default)]
    pub agent: Option<UserId>,
    /// Agents who rejected it lately, passed over when it is offered again
    /// (W7); the last few only.
    #[serde(default)]
    pub rejected_by: Vec<UserId>,
}

/// How many agents a record remembers as having rejected it.
pub const REMEMBERED_REJECTIONS: usize = 8;

impl CallingRecord {
    /// A ready record of `campaign`, never called, its first number active.
    pub fn new(id: RecordId, campaign: CampaignId, name: String, chain: Vec<String>, fields: SortedMap<String, String>) -> CallingRecord {
        CallingRecord {
            id,
            campaign,
            name,
            fields,
            chain,
            active: 0,
            status: RecordStatus::Ready,
            attempts: 0,
            result: None,
            schedule: None,
            agent: None,
            rejected_by: Vec::new(),
        }
    }

    /// The active number.
    pub fn active_number(&self) -> Option<&str> {
        self.chain.get(self.active).map(String::as_str)
    }

    /// The number a dial rings: the one the agent gave, else the active one.
    pub fn number_to_dial<'a>(&'a self, given: Option<&'a str>) -> Option<&'a str> {
        given.or_else(|| self.active_number()).map(str::trim)
    }

    /// Where `number` is in the chain, compared as do-not-call compares
    /// numbers (digits and a leading `+`).
    pub fn position_of(&self, number: &str) -> Option<usize> {
        self.chain.iter().position(|n| same_number(n, number))
    }

    /// Whether every field is within its bounds for `campaign` (SPEC N8).
    pub fn check(&self, campaign: &Campaign) -> Result<(), String> {
        check_name("name", &self.name, MAX_FROM_BYTES).map_err(|e| e.message())?;
        if self.name.trim().is_empty() {
            return Err("name is empty".into());
        }
        if self.chain.is_empty() || self.chain.len() > MAX_CHAINED_NUMBERS {
            return Err(text!("a record holds 1 to ", MAX_CHAINED_NUMBERS, " numbers"));
        }
        for number in &self.chain {
            if !is_dialable(number) {
                return Err(text!("\"", number, "\" is not a dialable number"));
            }
        }
        check_fields(&campaign.fields, &self.fields)
    }
}

/// Whether custom field values fit a campaign's `known` fields: known names,
/// bounded values.
pub fn check_fields(known: &[String], fields: &SortedMap<String, String>) -> Result<(), String> {
    for (name, value) in fields {
        if !known.contains(name) {
            return Err(text!("\"", crate::protocol::limits::echo(name), "\" is not a field of the campaign"));
        }
        check_name("field value", value, MAX_FIELD_BYTES).map_err(|e| e.message())?;
    }
    Ok(())
}

/// A dial string: at least one digit, otherwise only `+ ( ) - * #` and
/// spaces, within [`MAX_NUMBER_BYTES`].
pub fn is_dialable(number: &str) -> bool {
    number.len() <= MAX_NUMBER_BYTES
        && number.chars().any(|c| c.is_ascii_digit())
        && number.chars().all(|c| c.is_ascii_digit() || matches!(c, '+' | '(' | ')' | '-' | '*' | '#' | ' '))
}

/// Whether two numbers are one as do-not-call compares them (see
/// [`normalize_number`]), without making either: the browser engine judges
/// with it.
pub fn same_number(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    // A plain loop: iterator adaptors and `trim_start` cost the engine a
    // kilobyte here. Numbers hold ASCII only (see `is_dialable`).
    let plus = |n: &[u8]| n.iter().find(|c| **c == b'+' || c.is_ascii_digit()) == Some(&b'+');
    if plus(a) != plus(b) {
        return false;
    }
    let (mut i, mut j) = (0, 0);
    loop {
        while i < a.len() && !a[i].is_ascii_digit() {
            i += 1;
        }
        while j < b.len() && !b[j].is_ascii_digit() {
            j += 1;
        }
        match (a.get(i), b.get(j)) {
            (None, None) => return true,
            (Some(x), Some(y)) if x == y => (i, j) = (i + 1, j + 1),
            _ => return false,
        }
    }
}

/// A number as do-not-call compares it: its digits, with a `+` before the
/// first digit kept, wherever it is written (`+46 8`, `(+46) 8`).
pub fn normalize_number(number: &str) -> String {
    let plus = number.chars().find(|c| *c == '+' || c.is_ascii_digit()) == Some('+');
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    if plus { text!("+", digits) } else { digits }
}

/// Why a record reached an agent (W5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum PreviewOrigin {
    /// The next record of the list.
    Campaign,
    /// A campaign callback that came due.
    Callback,
    /// A personal callback of this agent that came due.
    PersonalCallback,
}

impl PreviewOrigin {
    /// Whether the record is a callback (P8, W6, W7).
    pub fn is_callback(self) -> bool {
        self != PreviewOrigin::Campaign
    }
}

/// What a dialled campaign number did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum DialOutcome {
    /// The contact answered: the call is connected.
    Answered,
    /// Nobody answered.
    NoAnswer,
    /// The line was busy.
    Busy,
    /// The number does not reach the contact.
    WrongNumber,
}

impl DialOutcome {
    /// The outcome's wire name, also the call result it suggests.
    pub fn name(self) -> &'static str {
        match self {
            DialOutcome::Answered => "answered",
            DialOutcome::NoAnswer => "no_answer",
            DialOutcome::Busy => "busy",
            DialOutcome::WrongNumber => "wrong_number",
        }
    }
}

/// A record at an agent: what the desk shows and the rules judge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct OutboundWork {
    /// The record, its status the phase it is in.
    pub record: CallingRecord,
    /// Its campaign, as the desk needs it.
    pub campaign: CampaignBrief,
    /// Why it came (W5).
    pub origin: PreviewOrigin,
    /// When it was pushed to this agent.
    pub since: ServerTime,
    /// While previewing: when it is rejected automatically (P3).
    pub deadline: Option<ServerTime>,
    /// For a callback: when it goes stale if not done (P8).
    pub stale_at: Option<ServerTime>,
    /// The call, once connected.
    pub interaction: Option<InteractionId>,
    /// The number dialled last.
    pub dialled: Option<String>,
    /// What the last dial did.
    pub dial_outcome: Option<DialOutcome>,
    /// Marked do-not-call (P6).
    pub do_not_call: bool,
}

impl OutboundWork {
    /// When the campaign indicator starts flashing: at once, until accept or
    /// reject (P2).
    pub fn flashing(&self) -> bool {
        self.record.status == RecordStatus::Previewing
    }
}

/// How a record left an agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum OutboundOutcome {
    /// Marked done (W1).
    Done,
    /// Rejected: back to the top of the list (P3), a callback back to
    /// routing for another agent (W7).
    Rejected,
    /// Not accepted in time: rejected automatically (P3).
    Expired,
    /// Cancelled before dialling: back to the list (P4).
    Cancelled,
    /// Handed to another agent (P4, P6).
    Transferred,
    /// A callback not processed in time (P8).
    Stale,
    /// Taken back: the campaign stopped, the agent logged out, or its
    /// number was put on the do-not-call list from another record (P6).
    Withdrawn,
}

/// A record action, without its free arguments: the thing a desk enables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[serde(rename_all = "snake_case")]
pub enum RecordAction {
    /// Accept the preview (P3).
    Accept,
    /// Reject the preview (P3, W7).
    Reject,
    /// Connect: dial the active or an edited number (P4).
    Dial,
    /// Back to the list, ownership released (P4).
    Cancel,
    /// Hand the record to another agent (P4, P6).
    Transfer,
    /// Edit the campaign data (P4, P5).
    Edit,
    /// Add a chained record, another number (P4, P5, P6).
    AddChained,
    /// Make another chained record the active one (P4, P6).
    SetActive,
    /// Save the record to the calling list now (P4, P5).
    Update,
    /// Set a callback (W2).
    Reschedule,
    /// Cancel the callback (W3).
    CancelReschedule,
    /// Choose the call result (P6).
    CallResult,
    /// Mark the contact do-not-call (P6).
    DoNotCall,
    /// Mark done, or done and stop (P7, W1).
    Done,
}

use RecordStatus::{AfterCall, Connected, Dialling, Owned, Previewing};

/// One row of the phase table: an action, the phases it is allowed in, and
/// the rules that say so.
#[derive(Debug, Clone, Copy)]
pub struct PhaseRow {
    /// The action.
    pub action: RecordAction,
    /// The record phases it is allowed in.
    pub phases: &'static [RecordStatus],
    /// The SPEC rules.
    pub spec: &'static str,
}

/// Which record action is allowed in which phase. Reschedule before
/// dialling also needs the campaign to allow it (W2); cancel reschedule
/// needs a callback to be set (W3); done before dialling needs one (the
/// record was rescheduled instead of called).
pub const PHASE_TABLE: [PhaseRow; 14] = [
    PhaseRow { action: RecordAction::Accept, phases: &[Previewing], spec: "P3" },
    PhaseRow { action: RecordAction::Reject, phases: &[Previewing], spec: "P3, W7" },
    PhaseRow { action: RecordAction::Dial, phases: &[Owned, AfterCall], spec: "P4, P6" },
    PhaseRow { action: RecordAction::Cancel, phases: &[Owned], spec: "P4" },
    PhaseRow { action: RecordAction::Transfer, phases: &[Owned, AfterCall], spec: "P4, P6" },
    PhaseRow { action: RecordAction::Edit, phases: &[Owned, Dialling, Connected], spec: "P4, P5" },
    PhaseRow { action: RecordAction::AddChained, phases: &[Owned, Dialling, Connected, AfterCall], spec: "P4, P5, P6" },
    PhaseRow { action: RecordAction::SetActive, phases: &[Owned, AfterCall], spec: "P4, P6" },
    PhaseRow { action: RecordAction::Update, phases: &[Owned, Dialling, Connected], spec: "P4, P5" },
    PhaseRow { action: RecordAction::Reschedule, phases: &[Owned, Dialling, Connected, AfterCall], spec: "W2" },
    PhaseRow { action: RecordAction::CancelReschedule, phases: &[Owned, Dialling, Connected, AfterCall], spec: "W3" },
    PhaseRow { action: RecordAction::CallResult, phases: &[AfterCall], spec: "P6" },
    PhaseRow { action: RecordAction::DoNotCall, phases: &[AfterCall], spec: "P6" },
    PhaseRow { action: RecordAction::Done, phases: &[Owned, AfterCall], spec: "P7, W1, W4" },
];

impl RecordAction {
    /// Every record action, in table order.
    pub const ALL: [RecordAction; 14] = [
        RecordAction::Accept,
        RecordAction::Reject,
        RecordAction::Dial,
        RecordAction::Cancel,
        RecordAction::Transfer,
        RecordAction::Edit,
        RecordAction::AddChained,
        RecordAction::SetActive,
        RecordAction::Update,
        RecordAction::Reschedule,
        RecordAction::CancelReschedule,
        RecordAction::CallResult,
        RecordAction::DoNotCall,
        RecordAction::Done,
    ];

    /// Its row of [`PHASE_TABLE`].
    pub fn row(self) -> &'static PhaseRow {
        &PHASE_TABLE[self as usize]
    }
}

// The table is indexed by the action's discriminant.
const _: () = {
    let mut i = 0;
    while i < PHASE_TABLE.len() {
        assert!(PHASE_TABLE[i].action as usize == i);
        assert!(RecordAction::ALL[i] as usize == i);
        i += 1;
    }
};

#[cfg(test)]
mod tests {
    use super::*;

    // SPEC P6: the engine's comparison agrees with do-not-call's form.
    #[test]
    fn same_number_agrees_with_the_do_not_call_form() {
        let numbers = ["+46 8 555 0101", "+4685550101", "46 8 555 0101", " +46-8-555-01 01", "(+46) 8 555 0101", "+46 8 555 010", "(08) 555 0101", "08 555 0101", "+", "", "#21#"];
        assert_eq!(normalize_number("(+46) 8 555 0101"), normalize_number("+46 8 555 0101"), "a + before the first digit is the prefix, however written");
        assert_ne!(normalize_number("46 8 555 0101"), normalize_number("+46 8 555 0101"));
        for a in numbers {
            for b in numbers {
                assert_eq!(same_number(a, b), normalize_number(a) == normalize_number(b), "{a:?} against {b:?}");
            }
        }
    }
}
