//! Domain types shared by the authority, the replica and the wire: ids, times,
//! channels, the profile and its status catalogue, the per-agent state and the
//! rules that decide whether a command is allowed.

pub mod action;
pub mod call;
pub mod campaign;
pub mod control;
pub mod directory;
pub mod error;
pub mod monitoring;
pub mod presence;
pub mod profile;
pub mod rules;
pub mod sorted;
pub mod state;

use crate::codec::{Decode, Encode};
use serde::{Deserialize, Serialize};
use core::fmt;
use alloc::{borrow::ToOwned, string::String};

pub use error::{CommandError, Refusal};
pub use profile::{Profile, ProfileError, StatusCategory, StatusDef};
pub use sorted::SortedMap;
pub use state::{AgentState, InteractionInfo, InteractionState, OfferInfo};

/// A point on the server's wall clock, in milliseconds since the Unix epoch.
///
/// The authority is driven with this time by its host; every event carries it,
/// so replicas compute timer texts from the same timestamps (SPEC T7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(transparent)]
pub struct ServerTime(pub u64);

/// A point on the caller's monotonic clock, in milliseconds (in the browser,
/// the page's high-resolution time origin); never compared with [`ServerTime`] without the
/// measured clock offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize, Encode, Decode)]
#[serde(transparent)]
pub struct Millis(pub u64);

impl ServerTime {
    /// This time moved `ms` milliseconds later (saturating).
    pub fn plus(self, ms: u64) -> ServerTime {
        ServerTime(self.0.saturating_add(ms))
    }
    /// Milliseconds from `earlier` to `self`, zero if `earlier` is later.
    pub fn since(self, earlier: ServerTime) -> u64 {
        self.0.saturating_sub(earlier.0)
    }
}

impl Millis {
    /// This time moved `ms` milliseconds later (saturating).
    pub fn plus(self, ms: u64) -> Millis {
        Millis(self.0.saturating_add(ms))
    }
}

macro_rules! text_id {
    ($($(#[$meta:meta])+ $name:ident),* $(,)?) => {$(
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize, Encode, Decode)]
        #[cfg_attr(test, derive(ts_rs::TS))]
        $(#[$meta])+
        #[serde(transparent)]
        pub struct $name(pub String);
        impl $name {
            /// The id as text.
            pub fn as_str(&self) -> &str { &self.0 }
        }
        impl From<&str> for $name {
            fn from(text: &str) -> Self { $name(text.to_owned()) }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(&self.0) }
        }
        impl crate::text::Piece for $name {
            fn push_to(&self, out: &mut String) { out.push_str(&self.0) }
        }
    )*};
}

macro_rules! number_id {
    ($(#[$doc:meta] $name:ident),* $(,)?) => {$(
        #[$doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Encode, Decode)]
        #[cfg_attr(test, derive(ts_rs::TS))]
        #[serde(transparent)]
        pub struct $name(pub u64);
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { write!(f, "{}", self.0) }
        }
        impl crate::text::Piece for $name {
            fn push_to(&self, out: &mut String) { crate::text::push_number(out, self.0) }
        }
    )*};
}

text_id! {
    /// A user (agent, supervisor or admin), as named in its token.
    UserId,
    /// A status of the profile's catalogue (SPEC S1).
    StatusId,
    /// A secondary status of the profile (SPEC S6).
    SecondaryId,
    /// A queue that holds waiting contacts.
    QueueId,
    /// A wrap-up code (disposition) of the profile (SPEC V3).
    #[cfg_attr(test, ts(rename = "WrapUpCodeId"))]
    WrapUpCode,
    /// A command id chosen by the client; a repeated id is applied once (SPEC N1).
    CommandId,
    /// An outbound campaign (SPEC P1-P8).
    CampaignId,
    /// A team of users: whose presence a user sees (SPEC S6, S12).
    TeamId,
}

number_id! {
    /// An offer of a contact to one agent (SPEC O1-O7).
    OfferId,
    /// An accepted piece of work: a call, chat, email or social conversation.
    InteractionId,
    /// A customer contact that arrived on a queue (or an outdial target).
    ContactId,
    /// One live connection of a user (a tab or a device, SPEC N4).
    SessionId,
    /// The sequence number of a server event (SPEC N2).
    Seq,
    /// A party on an interaction (SPEC F1-F8).
    ParticipantId,
    /// A record of a campaign's calling list (SPEC P2-P8, W1-W7).
    RecordId,
}

/// The media channel of a contact, with its own offer timeout and capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// A phone call.
    Voice,
    /// A web chat.
    Chat,
    /// An email.
    Email,
    /// A social-media conversation.
    Social,
}

impl Channel {
    /// Every channel, in display order.
    pub const ALL: [Channel; 4] = [Channel::Voice, Channel::Chat, Channel::Email, Channel::Social];

    /// The channel's wire name.
    pub fn name(self) -> &'static str {
        match self {
            Channel::Voice => "voice",
            Channel::Chat => "chat",
            Channel::Email => "email",
            Channel::Social => "social",
        }
    }
}

/// What a user may do, as carried by its token (SPEC N5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Works its own status, offers and interactions.
    Agent,
    /// An agent who may also act on other agents (logout, monitoring).
    Supervisor,
    /// May do everything, including the customer simulator.
    Admin,
}

impl Role {
    /// The role's wire name.
    pub fn name(self) -> &'static str {
        match self {
            Role::Agent => "agent",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
        }
    }
    /// Whether this role includes the supervisor's rights.
    pub fn supervises(self) -> bool {
        matches!(self, Role::Supervisor | Role::Admin)
    }
}

/// Who sends a command: the authenticated user and its role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
pub struct Actor {
    /// The user named by the token.
    pub user: UserId,
    /// The role named by the token.
    pub role: Role,
}

/// Why an agent went to `rona` (SPEC O3, O4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum RonaCause {
    /// The offer was not accepted before its deadline (O3).
    NoAnswer,
    /// The agent's device failed to ring (O4).
    DeviceFault,
    /// The network failed to reach the agent (O4).
    NetworkFault,
    /// The agent's dial number or extension is wrong (O4).
    WrongNumber,
}

impl RonaCause {
    /// The cause's wire name.
    pub fn name(self) -> &'static str {
        match self {
            RonaCause::NoAnswer => "no_answer",
            RonaCause::DeviceFault => "device_fault",
            RonaCause::NetworkFault => "network_fault",
            RonaCause::WrongNumber => "wrong_number",
        }
    }
}
