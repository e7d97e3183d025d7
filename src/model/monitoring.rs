//! A supervisor's monitoring of agents' calls (SPEC M1-M3), as the
//! supervisor's own state holds it.
//!
//! A monitoring goes through the agents it was started on. When such an
//! agent leaves a call that goes on, the monitoring goes on only through the
//! others it was started on (M3); a barged-in supervisor stays while any
//! agent is on the call. When the call ends, a running monitoring goes on
//! through wrap-up (M2) until those agents are done.
//!
//! A silent monitor is not a participant: it takes no seat of the
//! conference limit (F1). A barge-in joins the call as a participant and
//! takes a seat.

use super::{Channel, InteractionId, ServerTime, UserId};
use crate::codec::{Decode, Encode};
use serde::{Deserialize, Serialize};
use alloc::{string::String, vec::Vec};

/// How the supervisor is on the call (M1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum MonitorMode {
    /// Listening, unheard.
    Silent,
    /// Joined and talking: a participant of the call.
    BargeIn,
}

/// What a supervisor does to a monitoring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MonitorAction {
    /// Start silent monitoring (or monitor through one more agent).
    Start,
    /// Pause it.
    Pause,
    /// Resume it.
    Resume,
    /// Join the call and talk.
    BargeIn,
    /// Stop and leave.
    Stop,
}

impl MonitorAction {
    /// The wire name of the command that takes this action.
    pub fn command_name(self) -> &'static str {
        match self {
            MonitorAction::Start => "monitor",
            MonitorAction::Pause => "pause_monitoring",
            MonitorAction::Resume => "resume_monitoring",
            MonitorAction::BargeIn => "barge_in",
            MonitorAction::Stop => "stop_monitoring",
        }
    }
}

/// One call a supervisor monitors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Monitoring {
    /// The interaction.
    pub interaction: InteractionId,
    /// The agents it goes through, in the order they were monitored.
    pub agents: Vec<UserId>,
    /// The call's channel.
    pub channel: Channel,
    /// Who the customer is.
    pub from: String,
    /// Silent or barged in.
    pub mode: MonitorMode,
    /// Whether it is paused (M1 "monitoring paused").
    pub paused: bool,
    /// When it started.
    pub since: ServerTime,
}

/// A monitoring's state as a desk shows it (M1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Encode)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum MonitoringState {
    /// Listening (silent) or talking (barged in).
    Monitoring,
    /// Paused: the supervisor hears nothing until it resumes.
    MonitoringPaused,
}

impl MonitoringState {
    /// The state's wire name.
    pub fn name(self) -> &'static str {
        match self {
            MonitoringState::Monitoring => "monitoring",
            MonitoringState::MonitoringPaused => "monitoring_paused",
        }
    }
}

impl Monitoring {
    /// Its state as a desk shows it (M1).
    pub fn state(&self) -> MonitoringState {
        if self.paused {
            MonitoringState::MonitoringPaused
        } else {
            MonitoringState::Monitoring
        }
    }

    /// Its state's wire name, for messages.
    pub fn state_name(&self) -> &'static str {
        self.state().name()
    }
}

/// Why a monitoring ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum MonitoringEnd {
    /// The supervisor stopped it.
    Stopped,
    /// The agents it went through left the call (M3).
    AgentLeft,
    /// The call is over and its agents are done.
    CallOver,
    /// The supervisor logged out.
    LoggedOut,
}
