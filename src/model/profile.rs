//! The organisation's profile: status catalogue (SPEC S1), the two presets
//! (S2 `contact_center`, S3 `presence`), per-channel offer timeouts and
//! capacities (O1, E2), wrap-up codes (V3), the outdial policy (E4) and the
//! reconnect grace (N3). Profiles load from JSON or TOML as a preset plus
//! overrides and are validated with stable error codes. Its size is bounded
//! ([`crate::protocol::limits`]) so every welcome fits the server's frame
//! limit (SPEC N8).

use super::{Channel, SecondaryId, StatusId, WrapUpCode};
use crate::protocol::limits::{
    check_name, LimitError, MAX_CHANNEL_CAPACITY, MAX_CONFERENCE_LIMIT, MAX_ID_BYTES, MAX_LABEL_BYTES,
    MAX_SECONDARY_STATUSES, MAX_STATUSES, MAX_WRAP_UP_CODES,
};
use crate::codec::{Decode, Encode};
use serde::{Deserialize, Serialize};
use alloc::{borrow::ToOwned, collections::BTreeMap, string::String, vec, vec::Vec};
use core::fmt;

/// The broad kind of a status; it decides timers and routing defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum StatusCategory {
    /// Ready for work.
    Available,
    /// Logged in but not ready; idle reasons (S2) have this category.
    Idle,
    /// Away from the desk.
    Away,
    /// Busy with something else.
    Busy,
    /// Not signed in or not reachable.
    Offline,
}

/// What happens to a direct (non-queue) call while in a status (S1, S3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum DirectCallPolicy {
    /// The agent's phone rings.
    Ring,
    /// The call goes to voicemail at once.
    Voicemail,
    /// The phone rings first, then voicemail.
    RingThenVoicemail,
}

/// One entry of the status catalogue (S1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct StatusDef {
    /// Stable id used on the wire.
    pub id: StatusId,
    /// Text shown to people.
    pub label: String,
    /// CSS colour of the status badge.
    pub colour: String,
    /// Broad kind of the status.
    pub category: StatusCategory,
    /// Whether the status receives queue and campaign offers (S7).
    #[serde(default)]
    pub routable: bool,
    /// Direct-call handling (S3).
    #[serde(default = "default_direct_calls")]
    pub direct_calls: DirectCallPolicy,
    /// No video-chat notifications and no 1:1 video (S3).
    #[serde(default)]
    pub blocks_video: bool,
    /// Set only by the system, never chosen by hand (S8).
    #[serde(default)]
    pub system_only: bool,
    /// Kept through logout and shown as "(offline)" (S3, Out of Office).
    #[serde(default)]
    pub survives_logout: bool,
    /// Secondary statuses that may go with this one (S6).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secondary: Vec<SecondaryDef>,
    /// Whether choosing this status requires a secondary one (S6).
    #[serde(default)]
    pub secondary_required: bool,
    /// Whether the status means "in a meeting" for the activity indicator (S12).
    #[serde(default)]
    pub meeting: bool,
}

fn default_direct_calls() -> DirectCallPolicy {
    DirectCallPolicy::Ring
}

/// A secondary status choice (S6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct SecondaryDef {
    /// Stable id used on the wire.
    pub id: SecondaryId,
    /// Text shown to supervisors.
    pub label: String,
}

/// Offer timeout and capacity of one channel (O1, E2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct ChannelSettings {
    /// Time an agent has to accept an offer, in milliseconds (O1).
    pub offer_timeout_ms: u64,
    /// How many interactions of this channel one agent handles at once (E2).
    pub capacity: u32,
}

/// Settings of every channel. A struct rather than a map: every channel is
/// always present, and the browser build carries no map code for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct ChannelTable {
    /// Phone calls.
    pub voice: ChannelSettings,
    /// Web chats.
    pub chat: ChannelSettings,
    /// Emails.
    pub email: ChannelSettings,
    /// Social-media conversations.
    pub social: ChannelSettings,
}

impl ChannelTable {
    /// The settings of one channel.
    pub fn get(&self, channel: Channel) -> ChannelSettings {
        match channel {
            Channel::Voice => self.voice,
            Channel::Chat => self.chat,
            Channel::Email => self.email,
            Channel::Social => self.social,
        }
    }

    fn get_mut(&mut self, channel: Channel) -> &mut ChannelSettings {
        match channel {
            Channel::Voice => &mut self.voice,
            Channel::Chat => &mut self.chat,
            Channel::Email => &mut self.email,
            Channel::Social => &mut self.social,
        }
    }
}

/// A wrap-up code (disposition) the agent may choose (V3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[cfg_attr(test, ts(rename = "WrapUpCode"))]
#[serde(deny_unknown_fields)]
pub struct WrapUpCodeDef {
    /// Stable id used on the wire.
    pub id: WrapUpCode,
    /// Text shown to people.
    pub label: String,
}

/// Wrap-up codes and whether one is required before done (V3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct WrapUpSettings {
    /// The codes to choose from.
    #[serde(default)]
    pub codes: Vec<WrapUpCodeDef>,
    /// Whether "done" needs a code.
    #[serde(default)]
    pub required: bool,
}

/// What happens when a lost connection is not back within the grace (N3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum AfterGrace {
    /// The agent is logged out; the next connection finds it logged out.
    LogOut,
    /// The agent is logged out, and the next connection logs it in again
    /// with the login status (presence: Available).
    LoginAgain,
}

/// A built-in profile (S2, S3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Preset {
    /// Webex-style contact centre: available, idle with reasons, rona (S2).
    #[default]
    ContactCenter,
    /// Genesys-style presence catalogue (S3).
    Presence,
}

/// The organisation's validated profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Profile {
    /// The preset this profile started from.
    pub preset: Preset,
    /// The status catalogue (S1).
    pub statuses: Vec<StatusDef>,
    /// Status given at login (S2, S3).
    pub login_status: StatusId,
    /// Status of "Go available" from rona (O5) and after an outdial (E4).
    pub available_status: StatusId,
    /// The default idle reason: "Go idle" from rona (O5).
    pub default_idle_status: StatusId,
    /// The system status after an unanswered or undeliverable offer (O3, O4).
    pub rona_status: StatusId,
    /// The status of a logged-out agent.
    pub offline_status: StatusId,
    /// Settings per channel (O1, E2).
    pub channels: ChannelTable,
    /// Wrap-up codes (V3).
    pub wrap_up: WrapUpSettings,
    /// Whether the status becomes available when an outdial ends (E4).
    pub available_after_outdial: bool,
    /// How long a lost connection may stay away and keep the status (N3).
    pub reconnect_grace_ms: u64,
    /// What happens after the grace (N3).
    pub after_grace: AfterGrace,
    /// Most participants on one interaction, customer included (F1).
    pub conference_limit: u32,
    /// Whether voice lines can record on demand (V7: SIP lines).
    pub recording_on_demand: bool,
    /// Whether a party entering a conference may talk at once; by default
    /// it stays on hold until the agent in control allows it (F3).
    #[serde(default)]
    pub conferenced_parties_talk: bool,
    /// Auto-away (S11): after this long without input an agent in an
    /// available status goes to [`Profile::auto_away_status`]; 0: off.
    #[serde(default)]
    pub auto_away_ms: u64,
    /// The system status auto-away sets: Away of the automatic kind, whose
    /// direct calls go to voicemail at once (S3).
    #[serde(default)]
    pub auto_away_status: Option<StatusId>,
    /// Whether a monitored agent's view shows that it is monitored (M1).
    #[serde(default)]
    pub monitoring_visible: bool,
}

/// Why a profile was refused; each variant has a stable [`code`](Self::code).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProfileError {
    /// The file is not valid JSON or TOML for a profile.
    Parse(String),
    /// The catalogue has no statuses.
    EmptyCatalogue,
    /// Two statuses share an id.
    DuplicateStatus(StatusId),
    /// A profile field names a status that is not in the catalogue.
    UnknownStatus {
        /// The profile field.
        field: &'static str,
        /// The missing status.
        status: StatusId,
    },
    /// No default idle reason is set or it is not an idle, choosable status.
    MissingDefaultIdleReason,
    /// The available status is not routable or not choosable.
    AvailableNotRoutable(StatusId),
    /// The rona status is choosable by hand or routable.
    RonaNotSystemOnly(StatusId),
    /// The login status cannot be held by a logged-in agent.
    BadLoginStatus(StatusId),
    /// The offline status is routable.
    OfflineRoutable(StatusId),
    /// A channel has capacity zero.
    ZeroCapacity(Channel),
    /// A channel has an offer timeout of zero.
    ZeroOfferTimeout(Channel),
    /// Wrap-up codes are required but none is defined, or two share an id.
    BadWrapUpCodes,
    /// A status requires a secondary status but offers none.
    SecondaryRequiredWithoutChoices(StatusId),
    /// The conference limit is under 2 (the customer and one agent).
    ConferenceLimitTooSmall(u32),
    /// The conference limit is over [`MAX_CONFERENCE_LIMIT`] (SPEC F1).
    ConferenceLimitTooLarge(u32),
    /// A channel's capacity is over [`MAX_CHANNEL_CAPACITY`].
    CapacityTooLarge(Channel),
    /// More statuses, secondary statuses or wrap-up codes than allowed.
    TooManyEntries {
        /// What is too many.
        field: &'static str,
        /// How many are allowed.
        max: usize,
    },
    /// An id, label or colour is too long or holds a control character.
    BadName(LimitError),
    /// Auto-away is on without a system-only, unroutable status to set.
    BadAutoAwayStatus,
}

impl ProfileError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            ProfileError::Parse(_) => "profile_parse",
            ProfileError::EmptyCatalogue => "empty_catalogue",
            ProfileError::DuplicateStatus(_) => "duplicate_status",
            ProfileError::UnknownStatus { .. } => "unknown_status",
            ProfileError::MissingDefaultIdleReason => "missing_default_idle_reason",
            ProfileError::AvailableNotRoutable(_) => "available_not_routable",
            ProfileError::RonaNotSystemOnly(_) => "rona_not_system_only",
            ProfileError::BadLoginStatus(_) => "bad_login_status",
            ProfileError::OfflineRoutable(_) => "offline_routable",
            ProfileError::ZeroCapacity(_) => "zero_capacity",
            ProfileError::ZeroOfferTimeout(_) => "zero_offer_timeout",
            ProfileError::BadWrapUpCodes => "bad_wrap_up_codes",
            ProfileError::SecondaryRequiredWithoutChoices(_) => "secondary_without_choices",
            ProfileError::ConferenceLimitTooSmall(_) => "conference_limit_too_small",
            ProfileError::ConferenceLimitTooLarge(_) => "conference_limit_too_large",
            ProfileError::CapacityTooLarge(_) => "capacity_too_large",
            ProfileError::TooManyEntries { .. } => "too_many_entries",
            ProfileError::BadName(_) => "bad_name",
            ProfileError::BadAutoAwayStatus => "bad_auto_away_status",
        }
    }
}

impl fmt::Display for ProfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.code())?;
        match self {
            ProfileError::Parse(detail) => write!(f, "the profile cannot be read: {detail}"),
            ProfileError::EmptyCatalogue => f.write_str("the status catalogue is empty"),
            ProfileError::DuplicateStatus(id) => write!(f, "status `{id}` is defined twice"),
            ProfileError::UnknownStatus { field, status } => {
                write!(f, "{field} names status `{status}`, which is not in the catalogue")
            }
            ProfileError::MissingDefaultIdleReason => f.write_str(
                "default_idle_status must name a choosable, non-routable status (the default idle reason)",
            ),
            ProfileError::AvailableNotRoutable(id) => {
                write!(f, "available_status `{id}` must be routable and choosable")
            }
            ProfileError::RonaNotSystemOnly(id) => {
                write!(f, "rona_status `{id}` must be system_only and not routable")
            }
            ProfileError::BadLoginStatus(id) => {
                write!(f, "login_status `{id}` must not be an offline or system-only status")
            }
            ProfileError::OfflineRoutable(id) => write!(f, "offline_status `{id}` must not be routable"),
            ProfileError::ZeroCapacity(ch) => write!(f, "channel {} has capacity 0", ch.name()),
            ProfileError::ZeroOfferTimeout(ch) => write!(f, "channel {} has offer timeout 0", ch.name()),
            ProfileError::BadWrapUpCodes => {
                f.write_str("wrap-up codes are required but none is defined, or two share an id")
            }
            ProfileError::SecondaryRequiredWithoutChoices(id) => {
                write!(f, "status `{id}` requires a secondary status but lists none")
            }
            ProfileError::ConferenceLimitTooSmall(n) => write!(f, "conference_limit {n} is under 2"),
            ProfileError::ConferenceLimitTooLarge(n) => {
                write!(f, "conference_limit {n} is over {MAX_CONFERENCE_LIMIT}")
            }
            ProfileError::CapacityTooLarge(ch) => {
                write!(f, "channel {} has a capacity over {MAX_CHANNEL_CAPACITY}", ch.name())
            }
            ProfileError::TooManyEntries { field, max } => write!(f, "more than {max} {field}"),
            ProfileError::BadName(e) => write!(f, "{e}"),
            ProfileError::BadAutoAwayStatus => {
                f.write_str("auto_away_ms is set, so auto_away_status must name a system-only, non-routable status")
            }
        }
    }
}

impl core::error::Error for ProfileError {}

/// A profile as written in a file: a preset plus any overrides.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Encode, Decode)]
#[serde(deny_unknown_fields)]
pub struct ProfileOverrides {
    /// The preset to start from (default `contact_center`).
    #[serde(default)]
    pub preset: Preset,
    /// Replaces the whole status catalogue.
    pub statuses: Option<Vec<StatusDef>>,
    /// Replaces the login status.
    pub login_status: Option<StatusId>,
    /// Replaces the available status.
    pub available_status: Option<StatusId>,
    /// Replaces the default idle reason.
    pub default_idle_status: Option<StatusId>,
    /// Replaces the rona status.
    pub rona_status: Option<StatusId>,
    /// Replaces the offline status.
    pub offline_status: Option<StatusId>,
    /// Per-channel changes.
    #[serde(default)]
    pub channels: BTreeMap<Channel, ChannelOverride>,
    /// Replaces the wrap-up settings.
    pub wrap_up: Option<WrapUpSettings>,
    /// Replaces the outdial policy.
    pub available_after_outdial: Option<bool>,
    /// Replaces the reconnect grace.
    pub reconnect_grace_ms: Option<u64>,
    /// Replaces what happens after the grace.
    pub after_grace: Option<AfterGrace>,
    /// Replaces the conference limit.
    pub conference_limit: Option<u32>,
    /// Replaces whether lines record on demand.
    pub recording_on_demand: Option<bool>,
    /// Replaces whether conferenced parties talk on joining (F3).
    pub conferenced_parties_talk: Option<bool>,
    /// Replaces the inactivity time of auto-away (S11); 0 turns it off.
    pub auto_away_ms: Option<u64>,
    /// Replaces the status auto-away sets (S11).
    pub auto_away_status: Option<StatusId>,
    /// Replaces whether a monitored agent sees that it is monitored (M1).
    pub monitoring_visible: Option<bool>,
}

/// Changes to one channel's settings.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, Encode, Decode)]
#[serde(deny_unknown_fields)]
pub struct ChannelOverride {
    /// New offer timeout in milliseconds.
    pub offer_timeout_ms: Option<u64>,
    /// New capacity.
    pub capacity: Option<u32>,
}

impl ProfileOverrides {
    /// The preset with these overrides applied, validated.
    pub fn build(self) -> Result<Profile, ProfileError> {
        let mut profile = Profile::preset(self.preset);
        if let Some(statuses) = self.statuses {
            profile.statuses = statuses;
        }
        let replace = |slot: &mut StatusId, value: Option<StatusId>| {
            if let Some(value) = value {
                *slot = value;
            }
        };
        replace(&mut profile.login_status, self.login_status);
        replace(&mut profile.available_status, self.available_status);
        replace(&mut profile.default_idle_status, self.default_idle_status);
        replace(&mut profile.rona_status, self.rona_status);
        replace(&mut profile.offline_status, self.offline_status);
        for (channel, change) in self.channels {
            let settings = profile.channels.get_mut(channel);
            if let Some(timeout) = change.offer_timeout_ms {
                settings.offer_timeout_ms = timeout;
            }
            if let Some(capacity) = change.capacity {
                settings.capacity = capacity;
            }
        }
        if let Some(wrap_up) = self.wrap_up {
            profile.wrap_up = wrap_up;
        }
        if let Some(flag) = self.available_after_outdial {
            profile.available_after_outdial = flag;
        }
        if let Some(grace) = self.reconnect_grace_ms {
            profile.reconnect_grace_ms = grace;
        }
        if let Some(after) = self.after_grace {
            profile.after_grace = after;
        }
        if let Some(limit) = self.conference_limit {
            profile.conference_limit = limit;
        }
        if let Some(flag) = self.recording_on_demand {
            profile.recording_on_demand = flag;
        }
        if let Some(flag) = self.conferenced_parties_talk {
            profile.conferenced_parties_talk = flag;
        }
        if let Some(ms) = self.auto_away_ms {
            profile.auto_away_ms = ms;
        }
        if self.auto_away_status.is_some() {
            profile.auto_away_status = self.auto_away_status;
        }
        if let Some(flag) = self.monitoring_visible {
            profile.monitoring_visible = flag;
        }
        profile.validate()?;
        Ok(profile)
    }
}

#[allow(clippy::too_many_arguments)]
fn status(
    id: &str,
    label: &str,
    colour: &str,
    category: StatusCategory,
    routable: bool,
    direct_calls: DirectCallPolicy,
    blocks_video: bool,
    system_only: bool,
) -> StatusDef {
    StatusDef {
        id: StatusId::from(id),
        label: label.to_owned(),
        colour: colour.to_owned(),
        category,
        routable,
        direct_calls,
        blocks_video,
        system_only,
        survives_logout: false,
        secondary: Vec::new(),
        secondary_required: false,
        meeting: false,
    }
}

fn meeting(mut def: StatusDef) -> StatusDef {
    def.meeting = true;
    def
}

fn channel_table(voice_ms: u64, digital_ms: u64) -> ChannelTable {
    // SPEC O1 (voice 18 s, digital 30 s) and E2 (voice 1, chat 3, email 2, social 3).
    let settings = |offer_timeout_ms, capacity| ChannelSettings { offer_timeout_ms, capacity };
    ChannelTable {
        voice: settings(voice_ms, 1),
        chat: settings(digital_ms, 3),
        email: settings(digital_ms, 2),
        social: settings(digital_ms, 3),
    }
}

const GREEN: &str = "#2e7d32";
const RED: &str = "#c62828";
const YELLOW: &str = "#f9a825";
const PINK: &str = "#d81b60";
const GREY: &str = "#757575";
const ORANGE: &str = "#ef6c00";

impl Profile {
    /// A built-in preset (S2, S3).
    pub fn preset(preset: Preset) -> Profile {
        use DirectCallPolicy::*;
        use StatusCategory::*;
        match preset {
            // SPEC S2: available, idle with reasons (one default), rona; login idle.
            Preset::ContactCenter => Profile {
                preset,
                statuses: vec![
                    status("available", "Available", GREEN, Available, true, Ring, false, false),
                    status("idle", "Idle", YELLOW, Idle, false, Voicemail, false, false),
                    meeting(status("meeting", "Meeting", YELLOW, Idle, false, Voicemail, false, false)),
                    status("training", "Training", YELLOW, Idle, false, Voicemail, false, false),
                    status("lunch", "Lunch", YELLOW, Idle, false, Voicemail, false, false),
                    status("rona", "RONA", ORANGE, Away, false, Voicemail, false, true),
                    // SPEC S11: set by auto-away where the profile turns it on.
                    status("away_auto", "Away (inactive)", YELLOW, Idle, false, Voicemail, false, true),
                    status("offline", "Offline", GREY, Offline, false, Voicemail, false, true),
                ],
                login_status: StatusId::from("idle"),
                available_status: StatusId::from("available"),
                default_idle_status: StatusId::from("idle"),
                rona_status: StatusId::from("rona"),
                offline_status: StatusId::from("offline"),
                channels: channel_table(18_000, 30_000),
                wrap_up: WrapUpSettings {
                    codes: [("resolved", "Resolved"), ("follow_up", "Follow-up needed"), ("no_answer", "No answer")]
                        .into_iter()
                        .map(|(id, label)| WrapUpCodeDef { id: WrapUpCode::from(id), label: label.to_owned() })
                        .collect(),
                    required: false,
                },
                available_after_outdial: false,
                reconnect_grace_ms: 60_000,
                after_grace: AfterGrace::LogOut,
                conference_limit: 8,
                recording_on_demand: true,
                conferenced_parties_talk: false,
                auto_away_ms: 0,
                auto_away_status: Some(StatusId::from("away_auto")),
                monitoring_visible: false,
            },
            // SPEC S3: the presence catalogue; login Available. `away_auto` is
            // Away set by inactivity (voicemail at once, S3/S11) and
            // `not_responding` is this preset's rona (O3).
            Preset::Presence => {
                let mut out_of_office = status("out_of_office", "Out of Office", PINK, Away, false, Voicemail, false, false);
                out_of_office.survives_logout = true;
                Profile {
                    preset,
                    statuses: vec![
                        status("available", "Available", GREEN, Available, true, Ring, false, false),
                        status("busy", "Busy", RED, Busy, false, Voicemail, true, false),
                        status("away", "Away", YELLOW, Away, false, RingThenVoicemail, false, false),
                        status("away_auto", "Away", YELLOW, Away, false, Voicemail, false, true),
                        status("break", "Break", YELLOW, Away, false, Voicemail, false, false),
                        status("meal", "Meal", YELLOW, Away, false, Voicemail, false, false),
                        meeting(status("meeting", "Meeting", RED, Busy, false, Voicemail, true, false)),
                        status("training", "Training", YELLOW, Away, false, Voicemail, false, false),
                        out_of_office,
                        status("offline", "Offline", GREY, Offline, false, Voicemail, false, false),
                        status("not_responding", "Not Responding", ORANGE, Away, false, Voicemail, false, true),
                    ],
                    login_status: StatusId::from("available"),
                    available_status: StatusId::from("available"),
                    default_idle_status: StatusId::from("away"),
                    rona_status: StatusId::from("not_responding"),
                    offline_status: StatusId::from("offline"),
                    channels: channel_table(18_000, 30_000),
                    wrap_up: WrapUpSettings::default(),
                    available_after_outdial: false,
                    reconnect_grace_ms: 60_000,
                    after_grace: AfterGrace::LoginAgain,
                    conference_limit: 8,
                    recording_on_demand: true,
                    conferenced_parties_talk: false,
                    // SPEC S11: ten minutes without input.
                    auto_away_ms: 600_000,
                    auto_away_status: Some(StatusId::from("away_auto")),
                    monitoring_visible: false,
                }
            }
        }
    }

    /// Reads a profile (preset plus overrides) from JSON text.
    #[cfg(feature = "formats")]
    pub fn from_json(text: &str) -> Result<Profile, ProfileError> {
        serde_json::from_str::<ProfileOverrides>(text)
            .map_err(|e| ProfileError::Parse(e.to_string()))?
            .build()
    }

    /// Reads a profile (preset plus overrides) from TOML text.
    #[cfg(feature = "formats")]
    pub fn from_toml(text: &str) -> Result<Profile, ProfileError> {
        toml::from_str::<ProfileOverrides>(text)
            .map_err(|e| ProfileError::Parse(e.to_string()))?
            .build()
    }

    /// The catalogue entry of a status.
    pub fn status(&self, id: &StatusId) -> Option<&StatusDef> {
        self.statuses.iter().find(|s| &s.id == id)
    }

    /// Whether the status is in the idle category (T2, E1).
    pub fn is_idle(&self, id: &StatusId) -> bool {
        self.status(id).is_some_and(|s| s.category == StatusCategory::Idle)
    }

    /// Whether the status receives offers (S7).
    pub fn is_routable(&self, id: &StatusId) -> bool {
        self.status(id).is_some_and(|s| s.routable)
    }

    /// Settings of a channel.
    pub fn channel(&self, channel: Channel) -> ChannelSettings {
        self.channels.get(channel)
    }

    /// Checks the invariants every other part relies on.
    pub fn validate(&self) -> Result<(), ProfileError> {
        if self.statuses.is_empty() {
            return Err(ProfileError::EmptyCatalogue);
        }
        // Sizes first: they bound the welcome (SPEC N8) and the quadratic
        // duplicate checks below.
        self.check_size()?;
        for (i, s) in self.statuses.iter().enumerate() {
            if self.statuses[..i].iter().any(|other| other.id == s.id) {
                return Err(ProfileError::DuplicateStatus(s.id.clone()));
            }
            if s.secondary_required && s.secondary.is_empty() {
                return Err(ProfileError::SecondaryRequiredWithoutChoices(s.id.clone()));
            }
        }
        let lookup = |field: &'static str, id: &StatusId| {
            self.status(id).ok_or_else(|| ProfileError::UnknownStatus { field, status: id.clone() })
        };
        let login = lookup("login_status", &self.login_status)?;
        let available = lookup("available_status", &self.available_status)?;
        let idle = lookup("default_idle_status", &self.default_idle_status)
            .map_err(|_| ProfileError::MissingDefaultIdleReason)?;
        let rona = lookup("rona_status", &self.rona_status)?;
        let offline = lookup("offline_status", &self.offline_status)?;
        if login.system_only || login.category == StatusCategory::Offline {
            return Err(ProfileError::BadLoginStatus(login.id.clone()));
        }
        if !available.routable || available.system_only {
            return Err(ProfileError::AvailableNotRoutable(available.id.clone()));
        }
        if idle.routable || idle.system_only {
            return Err(ProfileError::MissingDefaultIdleReason);
        }
        if !rona.system_only || rona.routable {
            return Err(ProfileError::RonaNotSystemOnly(rona.id.clone()));
        }
        if offline.routable {
            return Err(ProfileError::OfflineRoutable(offline.id.clone()));
        }
        if self.auto_away_ms > 0 {
            let auto = self.auto_away_status.as_ref().and_then(|id| self.status(id));
            if !auto.is_some_and(|s| s.system_only && !s.routable) {
                return Err(ProfileError::BadAutoAwayStatus);
            }
        }
        for channel in Channel::ALL {
            let settings = self.channels.get(channel);
            if settings.capacity == 0 {
                return Err(ProfileError::ZeroCapacity(channel));
            }
            if settings.capacity > MAX_CHANNEL_CAPACITY {
                return Err(ProfileError::CapacityTooLarge(channel));
            }
            if settings.offer_timeout_ms == 0 {
                return Err(ProfileError::ZeroOfferTimeout(channel));
            }
        }
        if self.conference_limit < 2 {
            return Err(ProfileError::ConferenceLimitTooSmall(self.conference_limit));
        }
        if self.conference_limit > MAX_CONFERENCE_LIMIT {
            return Err(ProfileError::ConferenceLimitTooLarge(self.conference_limit));
        }
        let codes = &self.wrap_up.codes;
        let duplicate_code = codes.iter().enumerate().any(|(i, c)| codes[..i].iter().any(|o| o.id == c.id));
        if duplicate_code || (self.wrap_up.required && codes.is_empty()) {
            return Err(ProfileError::BadWrapUpCodes);
        }
        Ok(())
    }

    /// How many entries the catalogue and the wrap-up list hold, and how
    /// long their names are.
    fn check_size(&self) -> Result<(), ProfileError> {
        let too_many = |field, max| Err(ProfileError::TooManyEntries { field, max });
        if self.statuses.len() > MAX_STATUSES {
            return too_many("statuses", MAX_STATUSES);
        }
        if self.statuses.iter().map(|s| s.secondary.len()).sum::<usize>() > MAX_SECONDARY_STATUSES {
            return too_many("secondary statuses", MAX_SECONDARY_STATUSES);
        }
        if self.wrap_up.codes.len() > MAX_WRAP_UP_CODES {
            return too_many("wrap-up codes", MAX_WRAP_UP_CODES);
        }
        self.check_names().map_err(ProfileError::BadName)
    }

    fn check_names(&self) -> Result<(), LimitError> {
        for status in &self.statuses {
            check_name("statuses.id", status.id.as_str(), MAX_ID_BYTES)?;
            check_name("statuses.label", &status.label, MAX_LABEL_BYTES)?;
            check_name("statuses.colour", &status.colour, MAX_LABEL_BYTES)?;
            for secondary in &status.secondary {
                check_name("statuses.secondary.id", secondary.id.as_str(), MAX_ID_BYTES)?;
                check_name("statuses.secondary.label", &secondary.label, MAX_LABEL_BYTES)?;
            }
        }
        for code in &self.wrap_up.codes {
            check_name("wrap_up.codes.id", code.id.as_str(), MAX_ID_BYTES)?;
            check_name("wrap_up.codes.label", &code.label, MAX_LABEL_BYTES)?;
        }
        Ok(())
    }
}
