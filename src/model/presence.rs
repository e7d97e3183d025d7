//! What other people see of a user: its presence (SPEC S6, S12), and where a
//! direct call to it goes (S3, S4). Both are derived from the user's state
//! and the profile, the same way on every side, so a roster, a report and
//! the desk never disagree.

use super::directory::DefaultPhone;
use super::profile::{DirectCallPolicy, StatusCategory};
use super::state::{AgentState, InteractionState};
use super::{Channel, InteractionId, Profile, QueueId, SecondaryId, ServerTime, StatusId, TeamId, UserId};
use crate::codec::{Decode, Encode};
use serde::{Deserialize, Serialize};
use super::SortedMap;
use crate::text::text;
use alloc::{borrow::{Cow, ToOwned}, string::String, vec::Vec};

/// What a user is doing, shown under its presence (S12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Activity {
    /// On a voice call.
    OnCall,
    /// Working a chat, email or social interaction.
    InInteraction,
    /// In a status that means a meeting.
    InMeeting,
}

/// One interaction as a supervisor's roster shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct WorkItem {
    /// The interaction.
    pub id: InteractionId,
    /// Its channel.
    pub channel: Channel,
    /// Active or wrap-up.
    pub state: InteractionState,
    /// When the current state began: the row's interaction timer.
    pub since: ServerTime,
}

/// A user's presence as one viewer may see it.
///
/// Every viewer sees the primary status with its label and colour, the
/// activity and whether the user is logged in and connected; the location
/// only where the user shares it (S12). Only supervisors and admins see the
/// secondary status, the interactions and the queue memberships (S6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Presence {
    /// The user.
    pub user: UserId,
    /// The primary status.
    pub status: StatusId,
    /// Its label ("Out of Office (offline)" for a status kept through logout, S3).
    pub label: String,
    /// Its colour.
    pub colour: String,
    /// Since when the status is held.
    pub since: ServerTime,
    /// What the user is doing, from its interactions (S12).
    pub activity: Option<Activity>,
    /// Whether the user is logged in.
    pub logged_in: bool,
    /// Whether a session of the user is connected.
    pub connected: bool,
    /// The shared location, if the user shares one (S12).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// The teams of the user.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub teams: Vec<TeamId>,
    /// Supervisors and admins only: the secondary status (S6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secondary: Option<SecondaryId>,
    /// Supervisors and admins only: the open interactions, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub interactions: Vec<WorkItem>,
    /// Supervisors and admins only: the queues served, with skill levels.
    #[serde(default, skip_serializing_if = "SortedMap::is_empty")]
    #[cfg_attr(test, ts(as = "std::collections::BTreeMap<QueueId, u8>"))]
    pub queues: SortedMap<QueueId, u8>,
}

/// The label and colour a status is shown with (S3: "(offline)" for a status
/// kept through logout, in the offline colour).
pub fn status_display<'a>(profile: &'a Profile, state: &'a AgentState) -> (Cow<'a, str>, &'a str) {
    let offline_colour = || profile.status(&profile.offline_status).map_or("", |s| s.colour.as_str());
    match profile.status(&state.status) {
        Some(def) if !state.logged_in && def.survives_logout => (Cow::Owned(text!(def.label, " (offline)")), offline_colour()),
        Some(def) => (Cow::Borrowed(&def.label), &def.colour),
        None => (Cow::Borrowed(state.status.as_str()), offline_colour()),
    }
}

/// The activity indicator: a voice call first, then any other interaction,
/// then a meeting status (S12).
pub fn activity(profile: &Profile, state: &AgentState) -> Option<Activity> {
    let active = |voice: bool| state.interactions.iter().any(|i| i.state == InteractionState::Active && (i.channel == Channel::Voice) == voice);
    if active(true) {
        Some(Activity::OnCall)
    } else if active(false) {
        Some(Activity::InInteraction)
    } else if state.logged_in && profile.status(&state.status).is_some_and(|s| s.meeting) {
        Some(Activity::InMeeting)
    } else {
        None
    }
}

impl Presence {
    /// The full presence of a user, as a supervisor sees it.
    pub fn of(profile: &Profile, state: &AgentState, teams: Vec<TeamId>, queues: SortedMap<QueueId, u8>) -> Presence {
        let (label, colour) = status_display(profile, state);
        Presence {
            user: state.agent.clone(),
            status: state.status.clone(),
            label: label.into_owned(),
            colour: colour.to_owned(),
            since: state.status_since,
            activity: activity(profile, state),
            logged_in: state.logged_in,
            connected: state.connected,
            location: state.location.as_ref().filter(|l| l.shared).map(|l| l.text.clone()),
            teams,
            secondary: state.secondary.clone(),
            interactions: state
                .interactions
                .iter()
                .map(|i| WorkItem { id: i.id, channel: i.channel, state: i.state, since: i.state_since })
                .collect(),
            queues,
        }
    }

    /// What a viewer without supervisor rights sees of it: no secondary
    /// status, interactions or queues (S6).
    pub fn public(&self) -> Presence {
        Presence { secondary: None, interactions: Vec::new(), queues: SortedMap::new(), ..self.clone() }
    }
}

/// A queue's figures, as the supervisor's queue tiles show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct QueueStats {
    /// The queue.
    pub queue: QueueId,
    /// Contacts waiting in it.
    pub waiting: u32,
    /// When the contact waiting longest arrived (its wait timer).
    pub oldest_since: Option<ServerTime>,
    /// Members logged in, connected and in a routable status.
    pub available: u32,
}

/// Where a direct call goes (S3, S4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[serde(rename_all = "snake_case")]
pub enum DirectCallRoute {
    /// The user's phone rings.
    Ring,
    /// Voicemail at once, with no notification.
    Voicemail,
    /// The phone rings first, then voicemail.
    RingThenVoicemail,
    /// The user's default phone (not a browser phone) rings though it is offline (S4).
    DefaultPhone,
}

/// The answer for one incoming direct call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
pub struct DirectCallDecision {
    /// The user called.
    pub user: UserId,
    /// Its status.
    pub status: StatusId,
    /// Where the call goes.
    pub route: DirectCallRoute,
    /// The number that rings, for [`DirectCallRoute::DefaultPhone`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// Whether video requests (and video-chat notifications) are blocked (S3).
    pub video_blocked: bool,
}

/// Where a direct call to a user goes: the status's own policy (S1, S3),
/// except that an offline user with a default phone that is not a browser
/// phone gets the call on that phone (S4). A status set by auto-away is its
/// own, voicemail-at-once status (S3, S11).
pub fn direct_call(profile: &Profile, state: &AgentState, phone: &DefaultPhone) -> DirectCallDecision {
    let def = profile.status(&state.status);
    let offline = !state.logged_in || def.is_none_or(|d| d.category == StatusCategory::Offline);
    let (route, number) = match (offline, phone) {
        (true, DefaultPhone::Number(number)) => (DirectCallRoute::DefaultPhone, Some(number.clone())),
        (true, DefaultPhone::Webrtc) => (DirectCallRoute::Voicemail, None),
        (false, _) => match def.map_or(DirectCallPolicy::Voicemail, |d| d.direct_calls) {
            DirectCallPolicy::Ring => (DirectCallRoute::Ring, None),
            DirectCallPolicy::Voicemail => (DirectCallRoute::Voicemail, None),
            DirectCallPolicy::RingThenVoicemail => (DirectCallRoute::RingThenVoicemail, None),
        },
    };
    DirectCallDecision {
        user: state.agent.clone(),
        status: state.status.clone(),
        route,
        number,
        video_blocked: def.is_some_and(|d| d.blocks_video),
    }
}
